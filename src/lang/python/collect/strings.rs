//! String literals, dict keys, docstrings and comments: the words of free text, and the context a
//! literal stands in.

use std::ops::Range;

use tree_sitter::Node;

use super::{Literal, Site, SiteKind, SqlString, Walker};
use crate::lang::python::scopes::ScopeId;
use crate::lang::python::syntax::{callee_name, is_identifier_like, named_children, text_of};
use crate::lang::symbols::NodeSymbols;
use crate::plan::Role;
use crate::rules::NameVerdict;

/// Where a string literal stands.
#[derive(Clone, Default)]
pub(super) struct StringContext {
    docstring: bool,
    literal: Literal,
}

impl StringContext {
    pub(super) fn docstring() -> StringContext {
        StringContext { docstring: true, ..StringContext::default() }
    }

    pub(super) fn argument(call: usize, keyword: Option<&str>) -> StringContext {
        let literal = Literal { argument: Some((call, keyword.map(str::to_owned))), ..Literal::default() };
        StringContext { literal, ..StringContext::default() }
    }

    pub(super) fn dict_key(dict: usize) -> StringContext {
        StringContext { literal: Literal { dict: Some(dict), ..Literal::default() }, ..StringContext::default() }
    }

    pub(super) fn exported() -> StringContext {
        StringContext { literal: Literal { exported: true, ..Literal::default() }, ..StringContext::default() }
    }
}

impl<'t> Walker<'t, '_> {
    /// The elements of `__all__ = [...]`.
    pub(super) fn exports(&mut self, list: Node<'t>, scope: ScopeId) {
        for element in named_children(list) {
            match element.kind_name() {
                "string" | "concatenated_string" => self.strings(element, scope, &StringContext::exported()),
                _ => self.visit(element, scope),
            }
        }
    }

    pub(super) fn dictionary(&mut self, node: Node<'t>, scope: ScopeId) {
        let dict = self.out.dicts.len();
        self.out.dicts.push(Vec::new());
        for item in named_children(node) {
            let (Some(key), Some(value)) = (item.field("key"), item.field("value")) else {
                self.visit(item, scope);
                continue;
            };
            match string_content(key).filter(|_| key.kind_name() == "string" && !has_interpolation(key)) {
                Some(content) => {
                    self.out.dicts[dict].push((self.text[content].to_owned(), key.start_byte()));
                    self.strings(key, scope, &StringContext::dict_key(dict));
                }
                None => self.visit(key, scope),
            }
            self.visit(value, scope);
        }
    }

    pub(super) fn strings(&mut self, node: Node<'t>, scope: ScopeId, context: &StringContext) {
        if node.kind_name() == "concatenated_string" {
            for part in named_children(node) {
                self.string(part, scope, context);
            }
        } else {
            self.string(node, scope, context);
        }
    }

    /// The words of a string's text parts; f-string interpolations are code.
    fn string(&mut self, node: Node<'t>, scope: ScopeId, context: &StringContext) {
        let Some(content) = string_content(node) else { return };
        let (role, literal) = if context.docstring {
            (Role::Docstring, None)
        } else {
            let role = if is_identifier_like(&self.text[content.clone()]) { Role::String } else { Role::Prose };
            if self.holds_sql(node, content.clone(), context) {
                let call = context.literal.argument.as_ref().map(|(call, _)| *call);
                self.out.sql.push(SqlString { content: content.clone(), call });
            }
            self.out.literals.push(Literal { content, ..context.literal.clone() });
            (role, Some(self.out.literals.len() - 1))
        };
        for part in named_children(node) {
            match part.kind_name() {
                "string_content" => self.string_text(part, role, literal),
                "interpolation" => self.children(part, scope),
                _ => {}
            }
        }
    }

    /// Whether a string holds SQL to plan with the SQL rewriter: passed as the query of a call
    /// that runs SQL, or led by a statement keyword. Only plain strings (no prefix, interpolation
    /// or escape) qualify, so that offsets in the content are offsets in the file.
    fn holds_sql(&self, node: Node<'t>, content: Range<usize>, context: &StringContext) -> bool {
        let plain = text_of(node, self.text).starts_with(['"', '\''])
            && named_children(node).iter().all(|part| part.kind_name() != "interpolation" && part.named_child_count() == 0);
        if !plain || content.is_empty() {
            return false;
        }
        let by_callee = context.literal.argument.as_ref().is_some_and(|(call, keyword)| {
            let query_keyword = keyword.as_deref().is_none_or(|k| matches!(k, "query" | "sql" | "statement"));
            let callee = self.out.calls[*call].callee.and_then(|c| callee_name(c, self.text));
            query_keyword && callee.is_some_and(runs_sql)
        });
        by_callee || crate::lang::sql::starts_with_statement(&self.text[content])
    }

    /// Escapes split a string's text: `\nsession` holds the word `session`.
    fn string_text(&mut self, content: Node<'t>, role: Role, literal: Option<usize>) {
        let mut start = content.start_byte();
        for escape in named_children(content) {
            self.words(start..escape.start_byte(), role, literal);
            start = escape.end_byte();
        }
        self.words(start..content.end_byte(), role, literal);
    }

    /// Every word of free text that the rules would change.
    fn words(&mut self, range: Range<usize>, role: Role, literal: Option<usize>) {
        for (word, to) in self.rules.renamer.find_in_text(&self.text[range.clone()]) {
            let word = range.start + word.start..range.start + word.end;
            let base = match self.rules.name_verdict(&self.text[word.clone()]) {
                NameVerdict::Unrelated => NameVerdict::Rename(to),
                verdict => verdict,
            };
            let kind = literal.map_or(SiteKind::Text, |literal| SiteKind::Literal { literal });
            self.out.sites.push(Site { range: word, role, base, kind });
        }
    }

    pub(super) fn comments(&mut self) {
        let nodes = self.nodes;
        for node in nodes.preorder().iter().filter(|node| node.kind_name() == "comment") {
            self.words(node.byte_range(), Role::Comment, None);
        }
    }
}

/// Callables that take a query: DB-API cursors, SQLAlchemy's `text`, ClickHouse clients.
pub(in crate::lang::python) fn runs_sql(callee: &str) -> bool {
    matches!(callee, "execute" | "executemany" | "query" | "command" | "text" | "sql") || callee.ends_with("_sql")
}

pub(super) fn is_string(node: Node<'_>) -> bool {
    matches!(node.kind_name(), "string" | "concatenated_string")
}

fn has_interpolation(string: Node<'_>) -> bool {
    named_children(string).iter().any(|part| part.kind_name() == "interpolation")
}

/// The bytes between a string's opening and closing quotes.
fn string_content(string: Node<'_>) -> Option<Range<usize>> {
    let parts = named_children(string);
    let start = parts.iter().find(|p| p.kind_name() == "string_start")?.end_byte();
    let end = parts.iter().rfind(|p| p.kind_name() == "string_end")?.start_byte();
    (start <= end).then_some(start..end)
}

/// The string of a statement that is nothing but a string: a docstring (module, class, function
/// or, after an assignment, attribute docstring); it has no effect on the program.
pub(super) fn docstring(statement: Node<'_>) -> Option<Node<'_>> {
    let only = (statement.kind_name() == "expression_statement" && statement.named_child_count() == 1)
        .then(|| statement.named_child(0))??;
    is_string(only).then_some(only)
}
