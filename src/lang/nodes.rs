//! The named nodes of a syntax tree, indexed once per file.
//!
//! Each pass of a rewriter (names, scopes, comments, values, queries) walks the whole tree, and
//! tree-sitter answers every step of a walk by moving a cursor through the hidden and anonymous
//! nodes between named ones (a parent it finds by walking down from the root). One walk fills
//! this index; the passes then read the children, parent and source order of a node from it.

use tree_sitter::Node;

pub(crate) struct Nodes<'t> {
    /// Every named node, in source order (each before its children).
    preorder: Vec<Node<'t>>,
    /// Where each named node starts, by place: in source order, so a node's place is found by
    /// its start, then by its id among the few nested nodes that start there. A map by id took
    /// several times the room, and a large file's index is held through every pass over it.
    starts_at: Vec<u32>,
    /// The place of each node's parent ([`ROOT`] for the root), by place.
    parents: Vec<u32>,
    /// Where each node's children start in `children`, by place, and where the last one's end.
    starts: Vec<u32>,
    /// The places of the named children of every node, each node's together, in source order:
    /// places, not nodes, so that a large file's index is a fraction of its tree.
    children: Vec<u32>,
}

/// The parent of the root.
const ROOT: u32 = u32::MAX;

impl<'t> Nodes<'t> {
    pub(crate) fn new(root: Node<'t>) -> Nodes<'t> {
        let (mut preorder, mut starts_at, mut parents) = (Vec::new(), Vec::new(), Vec::new());
        let mut cursor = root.walk();
        // An explicit stack: generated code nests deeper than a worker thread's stack allows.
        let mut stack = vec![(root, ROOT)];
        while let Some((node, parent)) = stack.pop() {
            let place = preorder.len() as u32;
            starts_at.push(start_of(node));
            preorder.push(node);
            parents.push(parent);
            let first = stack.len();
            stack.extend(node.named_children(&mut cursor).map(|child| (child, place)));
            stack[first..].reverse();
        }
        debug_assert!(starts_at.is_sorted(), "a tree's nodes start in source order");
        preorder.shrink_to_fit();
        parents.shrink_to_fit();
        starts_at.shrink_to_fit();
        // Each node's children, gathered by parent: siblings come in source order in `preorder`.
        let mut starts = vec![0u32; preorder.len() + 1];
        for &parent in parents.iter().filter(|&&p| p != ROOT) {
            starts[parent as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut filled = starts.clone();
        let mut children = vec![0u32; preorder.len().saturating_sub(1)];
        for (place, &parent) in parents.iter().enumerate().filter(|(_, &p)| p != ROOT) {
            children[filled[parent as usize] as usize] = place as u32;
            filled[parent as usize] += 1;
        }
        Nodes { preorder, starts_at, parents, starts, children }
    }

    /// The place of a named node of this tree (`None` for an anonymous one).
    fn place(&self, node: Node<'t>) -> Option<usize> {
        let start = start_of(node);
        let first = self.starts_at.partition_point(|&at| at < start);
        let same_start = self.starts_at[first..].iter().take_while(|&&at| at == start).count();
        (first..first + same_start).find(|&place| self.preorder[place].id() == node.id())
    }

    /// The node the index was made from.
    pub(crate) fn root(&self) -> Node<'t> {
        self.preorder[0]
    }

    /// Every named node of the tree, in source order.
    pub(crate) fn preorder(&self) -> &[Node<'t>] {
        &self.preorder
    }

    /// The named children of `node`, as `Node::named_children` gives them. An anonymous node
    /// (a token, or Python's `not in`) has none.
    pub(crate) fn children(&self, node: Node<'t>) -> impl DoubleEndedIterator<Item = Node<'t>> + '_ {
        let range = match self.place(node) {
            Some(place) => self.starts[place] as usize..self.starts[place + 1] as usize,
            None => {
                debug_assert!(!node.is_named(), "{node:?} is not a node of this tree");
                0..0
            }
        };
        self.children[range].iter().map(|&place| self.preorder[place as usize])
    }

    /// The parent of a named node (`None` for the root).
    pub(crate) fn parent(&self, node: Node<'t>) -> Option<Node<'t>> {
        let place = self.place(node);
        debug_assert!(place.is_some() || !node.is_named(), "{node:?} is not a node of this tree");
        let parent = self.parents[place?];
        (parent != ROOT).then(|| self.preorder[parent as usize])
    }
}

/// Where `node` starts: a source is read whole into memory, and no file planned nears 4 GiB.
fn start_of(node: Node<'_>) -> u32 {
    node.start_byte() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::symbols::NodeSymbols;

    fn parse(language: tree_sitter::Language, source: &str) -> tree_sitter::Tree {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&language).unwrap();
        parser.parse(source, None).unwrap()
    }

    /// Every node a cursor visits, named or not, in its order.
    fn cursor_walk(root: Node<'_>) -> Vec<Node<'_>> {
        let mut visited = vec![];
        let mut cursor = root.walk();
        loop {
            visited.push(cursor.node());
            if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return visited;
                }
            }
        }
    }

    fn same_answers_as_tree_sitter(tree: &tree_sitter::Tree) {
        let root = tree.root_node();
        let nodes = Nodes::new(root);
        let every = cursor_walk(root);
        let named: Vec<Node<'_>> = every.iter().copied().filter(|n| n.is_named()).collect();
        assert!(named.len() > 40, "the sample has {} named nodes", named.len());
        assert_eq!(nodes.preorder(), named.as_slice());
        for node in every {
            let mut cursor = node.walk();
            let expected: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
            assert_eq!(nodes.children(node).collect::<Vec<_>>(), expected, "children of {node:?}");
            assert_eq!(nodes.children(node).rev().collect::<Vec<_>>(), expected.into_iter().rev().collect::<Vec<_>>());
            if node.is_named() {
                assert_eq!(nodes.parent(node), node.parent(), "parent of {node:?}");
            }
        }
        assert_eq!(nodes.parent(root), None);
        assert_eq!(nodes.root(), root);
        assert_eq!(nodes.preorder.capacity(), nodes.preorder.len(), "held through every pass: no room to spare");
    }

    #[test]
    fn python_children_parents_and_order_are_tree_sitters() {
        let source = "import a.b as c  # why\nclass K(B):\n    \"\"\"Doc.\"\"\"\n    def f(self, s=1, *a, **k):\n        if s is not None and s not in a:\n            return [i for i in a if i]  # session\n        x = f'{s!r} {k}'\n";
        let tree = parse(tree_sitter_python::LANGUAGE.into(), source);
        let has_not_in = cursor_walk(tree.root_node()).iter().any(|n| n.kind_name() == "not in");
        assert!(has_not_in, "the sample holds an anonymous node with children");
        same_answers_as_tree_sitter(&tree);
    }

    #[test]
    fn typescript_children_parents_and_order_are_tree_sitters() {
        let source = "import { a as b } from './c';\n// session\nexport class K<T> extends B { m(x = 1): void { const { y, ...z } = x as any; } }\nconst e = <P s={f(1)}>t</P>;\n";
        same_answers_as_tree_sitter(&parse(tree_sitter_typescript::LANGUAGE_TSX.into(), source));
    }

    #[test]
    fn nodes_of_a_tree_with_errors_and_missing_tokens_are_found_by_where_they_start() {
        let source = "const session = load(1;\nfunction f(a: string { return a.b.c(d)(e) }\nclass K { m() { if (x) { y( } }\nlet q = [1, 2,, ;\n";
        let tree = parse(tree_sitter_typescript::LANGUAGE_TSX.into(), source);
        let every = cursor_walk(tree.root_node());
        assert!(every.iter().any(|n| n.is_error()) && every.iter().any(|n| n.is_missing()), "the sample holds errors and missing tokens");
        same_answers_as_tree_sitter(&tree);
    }
}
