//! Node kinds and field names by number, for the grammars the rewriters read.
//!
//! `Node::kind` finds the grammar's C string, measures it and checks it is UTF-8 on every call, and
//! `Node::child_by_field_name` compares the name with each of the grammar's field names in turn.
//! Rewriters ask both for nearly every node of every pass; on a cold run that was about a tenth of
//! all instructions. A table per grammar, made once, answers with an index and a hash.

use std::collections::HashMap;
use std::num::NonZeroU16;
use std::sync::LazyLock;

use foldhash::fast::RandomState;
use tree_sitter::{Language, Node, TreeCursor};

/// One grammar's kinds by id and field ids by name.
struct Symbols {
    language: &'static Language,
    kinds: Box<[&'static str]>,
    fields: HashMap<&'static str, NonZeroU16, RandomState>,
}

impl Symbols {
    fn new(language: &'static Language) -> Symbols {
        let kinds =
            (0..language.node_kind_count()).map(|id| language.node_kind_for_id(id as u16).unwrap_or("")).collect();
        // Field ids start at 1; 0 means "no field".
        let fields = (1..=language.field_count() as u16)
            .filter_map(|id| Some((language.field_name_for_id(id)?, NonZeroU16::new(id)?)))
            .collect();
        Symbols { language, kinds, fields }
    }
}

/// Every grammar a tree is parsed with: the names a table holds live as long as its grammar.
static LANGUAGES: LazyLock<[Language; 3]> = LazyLock::new(|| {
    [
        tree_sitter_python::LANGUAGE.into(),
        tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        tree_sitter_typescript::LANGUAGE_TSX.into(),
    ]
});

static GRAMMARS: LazyLock<[Symbols; 3]> = LazyLock::new(|| LANGUAGES.each_ref().map(Symbols::new));

fn symbols_of(node: &Node<'_>) -> &'static Symbols {
    let language = node.language();
    GRAMMARS.iter().find(|symbols| *symbols.language == *language).expect("every tree is parsed with a grammar of LANGUAGES")
}

/// `Node::kind` and the field lookups, answered from the grammar's tables.
pub(crate) trait NodeSymbols<'t> {
    /// The node's kind, as `Node::kind` names it (aliases applied).
    fn kind_name(&self) -> &'static str;
    /// The child under `field`, as `Node::child_by_field_name` finds it.
    fn field(&self, field: &str) -> Option<Node<'t>>;
    /// The children under `field`, as `Node::children_by_field_name` finds them.
    fn fields<'c>(&self, field: &str, cursor: &'c mut TreeCursor<'t>) -> impl Iterator<Item = Node<'t>> + 'c;
}

impl<'t> NodeSymbols<'t> for Node<'t> {
    fn kind_name(&self) -> &'static str {
        symbols_of(self).kinds.get(usize::from(self.kind_id())).copied().unwrap_or("")
    }

    fn field(&self, field: &str) -> Option<Node<'t>> {
        self.child_by_field_id(symbols_of(self).fields.get(field)?.get())
    }

    fn fields<'c>(&self, field: &str, cursor: &'c mut TreeCursor<'t>) -> impl Iterator<Item = Node<'t>> + 'c {
        // An unknown field has no children; id 0 would match every child without a field.
        let id = symbols_of(self).fields.get(field).copied();
        cursor.reset(*self);
        let mut more = id.is_some() && cursor.goto_first_child();
        std::iter::from_fn(move || {
            while more {
                let (node, this) = (cursor.node(), cursor.field_id() == id);
                more = cursor.goto_next_sibling();
                if this {
                    return Some(node);
                }
            }
            None
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_node(tree: &tree_sitter::Tree) -> Vec<Node<'_>> {
        let mut nodes = vec![];
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            nodes.push(node);
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
        }
        nodes
    }

    #[expect(clippy::disallowed_methods, reason = "the tables are checked against the grammar's own answers")]
    fn same_answers_as_tree_sitter(language: Language, source: &str) {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&language).unwrap();
        let tree = parser.parse(source, None).unwrap();
        let nodes = every_node(&tree);
        assert!(nodes.len() > 40, "the sample has {} nodes", nodes.len());
        let field_names: Vec<&str> =
            (1..=language.field_count() as u16).filter_map(|id| language.field_name_for_id(id)).collect();
        for node in nodes {
            assert_eq!(node.kind_name(), node.kind(), "kind of {node:?}");
            for &name in &field_names {
                assert_eq!(node.field(name), node.child_by_field_name(name), "{name} of {node:?}");
                let mut ours = node.walk();
                let mut theirs = node.walk();
                assert!(
                    node.fields(name, &mut ours).eq(node.children_by_field_name(name, &mut theirs)),
                    "{name}s of {node:?}"
                );
            }
            assert_eq!(node.field("no_such_field"), None);
            assert_eq!(node.fields("no_such_field", &mut node.walk()).count(), 0);
        }
    }

    #[test]
    fn python_kinds_and_fields_match_the_grammar() {
        let source = "import a.b as c\nfrom .x import (y, z)\n@d\nclass K(B):\n    async def f(self, s: 'T' = 1, *a, **k) -> None:\n        x: int = s.session_id[0](k=lambda q: q)\n        return [i for i in a if i]\n";
        same_answers_as_tree_sitter(tree_sitter_python::LANGUAGE.into(), source);
    }

    #[test]
    fn typescript_and_tsx_kinds_and_fields_match_their_grammars() {
        let source = "import { a as b } from './c';\nexport class K<T> extends B implements I { private s?: T; m(x: number = 1): void { const { y, ...z } = x as any; } }\nconst f = async (q) => q?.session[`k${q}`];\n";
        same_answers_as_tree_sitter(tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(), source);
        let jsx = format!("{source}const e = <Panel sessionId={{f(1)}} data-x=\"y\">text</Panel>;\n");
        same_answers_as_tree_sitter(tree_sitter_typescript::LANGUAGE_TSX.into(), &jsx);
    }
}
