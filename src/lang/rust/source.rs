//! The file's text as the Rust rewriter sees it: one lex with proc-macro2 (shared by syn's parse
//! and the comment scan), spans mapped to byte ranges, and the comments syn's tree does not hold.

use std::ops::Range;
use std::str::FromStr;

use proc_macro2::{LineColumn, Span, TokenStream, TokenTree};

use crate::lang::ParseError;

/// Source text with a line table: proc-macro2 spans give 1-based lines and 0-based columns in
/// chars; edits need byte offsets.
pub(super) struct Source<'a> {
    pub text: &'a str,
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
    /// Per line: all ASCII, so a char column is a byte column.
    ascii: Vec<bool>,
    /// Where the code starts: after a `#!` shebang line, if any.
    pub code_start: usize,
}

/// A parsed file and the token stream it was parsed from.
pub(super) struct Parsed {
    pub file: syn::File,
    pub tokens: TokenStream,
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str) -> Source<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let ascii = line_starts
            .iter()
            .enumerate()
            .map(|(i, &start)| text[start..line_starts.get(i + 1).copied().unwrap_or(text.len())].is_ascii())
            .collect();
        Source { text, line_starts, ascii, code_start: shebang_len(text) }
    }

    pub fn offset(&self, at: LineColumn) -> usize {
        let Some(&start) = self.line_starts.get(at.line.wrapping_sub(1)) else { return self.text.len() };
        if self.ascii[at.line - 1] {
            return (start + at.column).min(self.text.len());
        }
        self.text[start..].char_indices().nth(at.column).map_or(self.text.len(), |(i, _)| start + i)
    }

    pub fn range(&self, span: Span) -> Range<usize> {
        self.offset(span.start())..self.offset(span.end())
    }


    /// `///`, `//!`, `/** */` and `/*! */` are lexed as `#[doc = "..."]` tokens whose spans cover
    /// the comment: the comment scan reports them, the tree and token walks skip them.
    pub fn is_doc_comment(&self, span: Span) -> bool {
        let text = &self.text[self.offset(span.start())..];
        text.starts_with("//") || text.starts_with("/*")
    }

    /// Lex once and parse the tokens as a file (what `syn::parse_file` does, keeping the tokens).
    pub fn parse(&self) -> Result<Parsed, ParseError> {
        let code = &self.text[self.code_start..];
        let tokens = TokenStream::from_str(code).map_err(|e| self.error(e.span(), LEX_ERROR))?;
        let file = syn::parse2::<syn::File>(tokens.clone()).map_err(|e| self.error(e.span(), &e.to_string()))?;
        Ok(Parsed { file, tokens })
    }

    fn error(&self, span: Span, message: &str) -> ParseError {
        let at = span.start();
        ParseError { line: at.line.max(1), column: at.column + 1, message: message.to_owned() }
    }

    /// Byte ranges of comment text: plain comments (the gaps between tokens hold only whitespace
    /// and comments) and doc comments (their `#[doc]` tokens), each with whether it is a doc comment.
    pub fn comments(&self, tokens: TokenStream) -> Vec<(Range<usize>, bool)> {
        let mut covered = Vec::new();
        let mut found = Vec::new();
        self.token_ranges(tokens, &mut covered, &mut found);
        covered.sort_by_key(|r| r.start);
        let mut at = self.code_start;
        for range in covered {
            if range.start > at {
                found.push((at..range.start, false));
            }
            at = at.max(range.end);
        }
        if at < self.text.len() {
            found.push((at..self.text.len(), false));
        }
        found
    }

    /// Takes the tokens by value: a stream iterated while it has no other owner hands its tokens
    /// over instead of copying them.
    fn token_ranges(&self, tokens: TokenStream, covered: &mut Vec<Range<usize>>, docs: &mut Vec<(Range<usize>, bool)>) {
        for token in tokens {
            match token {
                TokenTree::Group(group) => {
                    covered.push(self.range(group.span_open()));
                    covered.push(self.range(group.span_close()));
                    let inner = group.stream();
                    drop(group);
                    self.token_ranges(inner, covered, docs);
                }
                TokenTree::Punct(punct) if punct.as_char() == '#' && self.is_doc_comment(punct.span()) => {
                    let range = self.range(punct.span());
                    covered.push(range.clone());
                    docs.push((range, true));
                }
                token => covered.push(self.range(token.span())),
            }
        }
    }
}

/// A first line `#!...` that is not an inner attribute `#![...]` is a shebang, not Rust.
fn shebang_len(text: &str) -> usize {
    match text.strip_prefix("#!") {
        Some(rest) if !rest.trim_start().starts_with('[') => text.find('\n').unwrap_or(text.len()),
        _ => 0,
    }
}

/// proc-macro2 says only "cannot parse string into token stream"; say what usually causes it.
const LEX_ERROR: &str = "invalid tokens: an unbalanced delimiter or an unterminated string, char or comment";
