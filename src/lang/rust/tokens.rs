//! What syn leaves as raw tokens (macro arguments and bodies, attribute arguments) and string
//! literals: identifiers are read as paths (`a::b`), members (`x.y`) or plain names; strings give
//! their words, and inside a macro `{name}` in a format string is the identifier `name`. A
//! `macro_rules!` transcriber that parses as Rust once its `$`s are dropped is walked as code.

use std::ops::Range;

use proc_macro2::{Group, Ident, Spacing, Span, TokenStream, TokenTree};
use syn::visit::Visit;

use super::collect::{Collector, Position, SiteKind};
use super::facts::{holder, Origin};
use crate::plan::Role;

const FEATURE_REVIEW: &str = "a Cargo feature name: Cargo.toml is not rewritten";

/// What the tokens read so far say about the next identifier.
#[derive(Default)]
struct Reading {
    /// The origin of the path that a `::` continues.
    path: Option<Origin>,
    /// The crate whose value the expression just read yields (`client`, `client.session()`).
    value: Option<String>,
}

impl Collector<'_> {
    pub(super) fn tokens(&mut self, stream: &TokenStream) {
        let tokens: Vec<TokenTree> = stream.clone().into_iter().collect();
        let mut reading = Reading::default();
        for (i, token) in tokens.iter().enumerate() {
            if self.src.is_doc_comment(token.span()) {
                continue;
            }
            match token {
                // Call arguments or an index: the value being read goes on (`a.b().c`).
                TokenTree::Group(group) => self.tokens(&group.stream()),
                TokenTree::Ident(ident) => reading = self.token_ident(ident, &tokens, i, reading),
                TokenTree::Literal(literal) => {
                    let review = is_feature_value(&tokens[..i]).then(|| FEATURE_REVIEW.to_owned());
                    self.string(literal.span(), review, true);
                    reading = Reading::default();
                }
                TokenTree::Punct(p) if matches!(p.as_char(), '.' | ':' | '?') => {}
                TokenTree::Punct(_) => reading = Reading::default(),
            }
        }
    }

    /// A `macro_rules!` body. A transcriber that parses as items or statements once its `$`s are
    /// dropped is walked as code (its generics, bindings and paths resolve as elsewhere); matchers
    /// and other transcribers are read as tokens.
    pub(super) fn macro_rules(&mut self, body: &TokenStream) {
        let tokens: Vec<TokenTree> = body.clone().into_iter().collect();
        for (i, token) in tokens.iter().enumerate() {
            let TokenTree::Group(group) = token else { continue };
            let transcriber = i >= 2 && is_punct(&tokens[i - 2], '=') && is_punct(&tokens[i - 1], '>');
            if !(transcriber && self.walked_as_code(group.stream())) {
                self.tokens(&group.stream());
            }
        }
    }

    fn walked_as_code(&mut self, transcriber: TokenStream) -> bool {
        let code = without_metavariables(transcriber);
        if let Ok(file) = syn::parse2::<syn::File>(code.clone()) {
            self.visit_file(&file);
            return true;
        }
        match syn::parse::Parser::parse2(syn::Block::parse_within, code) {
            Ok(statements) => {
                statements.iter().for_each(|s| self.visit_stmt(s));
                true
            }
            Err(_) => false,
        }
    }

    /// One identifier of a token stream: a path segment, a member after `.`, or a plain name.
    fn token_ident(&mut self, ident: &Ident, tokens: &[TokenTree], i: usize, reading: Reading) -> Reading {
        let name = ident.to_string();
        let after_separator = i >= 2 && is_path_separator(&tokens[i - 2..]);
        let before_separator = is_path_separator(&tokens[i + 1..]);
        if !after_separator && is_member_dot(&tokens[..i]) {
            let value = reading.value.or_else(|| self.facts.member(&name));
            self.member(ident, value.clone());
            return Reading { path: None, value };
        }
        let origin = if after_separator {
            reading.path.unwrap_or_else(|| match i >= 3 && continues_path(&tokens[i - 3]) {
                // `Vec::<T>::x`: a path this walk does not follow.
                true => Origin::FirstParty,
                false => self.facts.crate_root(&name),
            })
        } else if before_separator {
            self.facts.root(&name)
        } else {
            let origin = self.facts.single(&name, &self.in_scope);
            self.note_use(&name, self.src.range(ident.span()).start, &origin);
            origin
        };
        let position = if before_separator { Position::Module } else { Position::Path };
        let kind = self.origin_kind(origin.clone(), position);
        self.ident(ident, Role::Identifier, kind);
        match before_separator {
            true => Reading { path: Some(origin), value: None },
            false => Reading { path: None, value: holder(origin) },
        }
    }

    /// The words of a string literal (or nothing, for other literals). Identifier-like content is a
    /// [`Role::String`], anything else prose; in a macro, `{name}` and `{name:?}` are identifiers.
    pub(super) fn string(&mut self, span: Span, review: Option<String>, in_macro: bool) {
        let Some(content) = self.string_content(span) else { return };
        let value = &self.src.text[content.clone()];
        let role = if is_identifier_like(value) { Role::String } else { Role::Prose };
        for word in self.term_words(value) {
            let range = content.start + word.start..content.start + word.end;
            if in_macro && is_placeholder(value, &word) {
                let name = &value[word];
                let origin = self.facts.single(name, &self.in_scope);
                self.note_use(name, range.start, &origin);
                let kind = self.origin_kind(origin, Position::Path);
                self.add(range, Role::Identifier, kind);
            } else {
                self.add(range, role, SiteKind::Literal { review: review.clone() });
            }
        }
    }

    /// The byte range between the quotes of a string literal (`"..."`, `r#"..."#`, `b"..."`).
    pub(super) fn string_content(&self, span: Span) -> Option<Range<usize>> {
        let range = self.src.range(span);
        let token = &self.src.text[range.clone()];
        let prefix = token.trim_start_matches(['b', 'c', 'r', '#']);
        if !prefix.starts_with('"') {
            return None;
        }
        let open = token.len() - prefix.len();
        let close = token.rfind('"').filter(|&close| close > open)?;
        Some(range.start + open + 1..range.start + close)
    }
}

/// A transcriber as plain Rust: `$x` -> `x`, `$crate` -> `crate`, `$( .. ),*` -> `..` once.
/// Every token keeps its span.
fn without_metavariables(stream: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut tokens = stream.into_iter().peekable();
    while let Some(token) = tokens.next() {
        match token {
            TokenTree::Punct(dollar) if dollar.as_char() == '$' => match tokens.next() {
                Some(TokenTree::Group(repeated)) => {
                    out.extend(without_metavariables(repeated.stream()));
                    // An optional separator, then `*`, `+` or `?`.
                    let is_repetition = |t: &TokenTree| ['*', '+', '?'].iter().any(|&op| is_punct(t, op));
                    if tokens.next_if(is_repetition).is_none() {
                        tokens.next();
                        tokens.next_if(is_repetition);
                    }
                }
                Some(name) => out.push(name),
                None => out.push(TokenTree::Punct(dollar)),
            },
            TokenTree::Group(group) => {
                let mut plain = Group::new(group.delimiter(), without_metavariables(group.stream()));
                plain.set_span(group.span());
                out.push(TokenTree::Group(plain));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

fn is_punct(token: &TokenTree, c: char) -> bool {
    matches!(token, TokenTree::Punct(p) if p.as_char() == c)
}

/// Letters, digits and `_ . / { } : -` only: a key, a route, a dotted name; else prose.
fn is_identifier_like(content: &str) -> bool {
    content.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '{' | '}' | ':' | '-'))
}

/// `{word}` or `{word:...}` but not the escaped `{{word}}`.
fn is_placeholder(value: &str, word: &Range<usize>) -> bool {
    let before = &value[..word.start];
    before.ends_with('{') && !before.ends_with("{{") && value[word.end..].starts_with(['}', ':'])
}

/// `::` at the start of `tokens`.
fn is_path_separator(tokens: &[TokenTree]) -> bool {
    matches!(tokens, [TokenTree::Punct(a), TokenTree::Punct(b), ..]
        if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':')
}

/// A token after which `::` continues a path (an identifier or the `>` of generic arguments).
fn continues_path(token: &TokenTree) -> bool {
    match token {
        TokenTree::Ident(_) => true,
        TokenTree::Punct(p) => p.as_char() == '>',
        _ => false,
    }
}

/// `tokens` end with the `.` of a field or method access (not `..`).
fn is_member_dot(tokens: &[TokenTree]) -> bool {
    match tokens {
        [.., before, last] => is_punct(last, '.') && !is_punct(before, '.'),
        [last] => is_punct(last, '.'),
        [] => false,
    }
}

/// `tokens` end with `feature =` (`#[cfg(feature = "x")]`).
fn is_feature_value(tokens: &[TokenTree]) -> bool {
    matches!(tokens, [.., TokenTree::Ident(key), TokenTree::Punct(eq)] if key == "feature" && eq.as_char() == '=')
}
