//! Parsing and small facts about tree-sitter-typescript nodes.

use std::cell::RefCell;
use std::path::Path;

use tree_sitter::{Node, Parser, Tree};

use crate::lang::ParseError;
use crate::lang::symbols::NodeSymbols;

/// Which of the two grammars reads a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Grammar {
    TypeScript,
    /// TypeScript with JSX; also read for JavaScript, which may hold JSX whatever its extension.
    Tsx,
}

impl Grammar {
    pub(super) fn for_file(tsx: bool, path: &Path) -> Grammar {
        let javascript = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "js" | "mjs" | "cjs" | "jsx" | "tsx"));
        if tsx || javascript {
            Grammar::Tsx
        } else {
            Grammar::TypeScript
        }
    }
}

thread_local! {
    // Parsers are costly to create: each worker thread keeps one per grammar.
    static TYPESCRIPT: RefCell<Parser> = RefCell::new(new_parser(Grammar::TypeScript));
    static TSX: RefCell<Parser> = RefCell::new(new_parser(Grammar::Tsx));
}

fn new_parser(grammar: Grammar) -> Parser {
    let language = match grammar {
        Grammar::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT,
        Grammar::Tsx => tree_sitter_typescript::LANGUAGE_TSX,
    };
    let mut parser = Parser::new();
    parser.set_language(&language.into()).expect("tree-sitter-typescript matches the tree-sitter ABI");
    parser
}

/// The syntax tree of `text`, or the place of its first syntax error.
pub(super) fn parse(text: &str, grammar: Grammar) -> Result<Tree, ParseError> {
    let parse_with = |parser: &RefCell<Parser>| parser.borrow_mut().parse(text, None);
    let tree = match grammar {
        Grammar::TypeScript => TYPESCRIPT.with(parse_with),
        Grammar::Tsx => TSX.with(parse_with),
    };
    crate::lang::tree_or_error(tree, text)
}

/// The source text of a node.
pub(super) fn text_of<'s>(node: Node<'_>, text: &'s str) -> &'s str {
    &text[node.byte_range()]
}

/// Whether `node` is `parent`'s child under `field` (fields that repeat included).
pub(super) fn is_field(parent: Node<'_>, node: Node<'_>, field: &str) -> bool {
    let mut cursor = parent.walk();
    let found = parent.fields(field, &mut cursor).any(|c| c == node);
    found
}

/// The named children of a node.
pub(super) fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// The text between a string literal's quotes, as one range (escapes included).
pub(super) fn string_content(node: Node<'_>) -> std::ops::Range<usize> {
    let range = node.byte_range();
    (range.start + 1).min(range.end)..range.end.saturating_sub(1).max(range.start)
}
