//! Parsing and small facts about tree-sitter-python nodes.

use std::cell::RefCell;

use tree_sitter::{Node, Parser, Tree};

use crate::lang::ParseError;
use crate::lang::symbols::NodeSymbols;

thread_local! {
    // Parsers are costly to create; each worker thread keeps one.
    static PARSER: RefCell<Parser> = RefCell::new(new_parser());
}

fn new_parser() -> Parser {
    let mut parser = Parser::new();
    parser.set_language(&tree_sitter_python::LANGUAGE.into()).expect("tree-sitter-python matches the tree-sitter ABI");
    parser
}

/// The syntax tree of `text`, or the place of its first syntax error.
pub(super) fn parse(text: &str) -> Result<Tree, ParseError> {
    crate::lang::tree_or_error(PARSER.with(|parser| parser.borrow_mut().parse(text, None)), text)
}

pub(super) fn text_of<'t>(node: Node<'_>, text: &'t str) -> &'t str {
    &text[node.byte_range()]
}

pub(super) fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// The expression inside parentheses and `await`.
pub(super) fn unwrap_expression(mut node: Node<'_>) -> Node<'_> {
    while matches!(node.kind_name(), "parenthesized_expression" | "await") {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// The name at the root of an attribute chain (`a` in `a.b.c()`).
pub(super) fn chain_root(node: Node<'_>) -> Option<Node<'_>> {
    let node = unwrap_expression(node);
    match node.kind_name() {
        "identifier" => Some(node),
        "attribute" => chain_root(node.field("object")?),
        "call" => chain_root(node.field("function")?),
        "subscript" => chain_root(node.field("value")?),
        _ => None,
    }
}

/// The last name of a callee: `record` in `record(...)` and `self.store.record(...)`.
pub(super) fn callee_name<'t>(callee: Node<'_>, text: &'t str) -> Option<&'t str> {
    match callee.kind_name() {
        "identifier" => Some(text_of(callee, text)),
        "attribute" => Some(text_of(callee.field("attribute")?, text)),
        _ => None,
    }
}

/// Whether `node` is a `super()` call.
pub(super) fn is_super_call(node: Node<'_>, text: &str) -> bool {
    node.kind_name() == "call"
        && node.field("function").is_some_and(|f| f.kind_name() == "identifier" && text_of(f, text) == "super")
}

/// Whether a string literal's content reads as an identifier, key, route or dotted path rather
/// than prose: letters, digits and `_ . / { } : -` only (f-string interpolations count as text).
pub(super) fn is_identifier_like(content: &str) -> bool {
    content.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '{' | '}' | ':' | '-'))
}
