//! Lexical scopes: every name a file declares, in the scope that holds it, and what each use of a
//! name resolves to. Values and types share one namespace here: a rename that would make a type
//! and a value share a name is as suspect as two values (declaration merging).

use std::ops::Range;

use foldhash::{HashMap, HashMapExt};
use tree_sitter::Node;

use crate::lang::nodes::Nodes;
use crate::lang::symbols::NodeSymbols;

use super::syntax::{is_field, named_children, string_content, text_of};

pub(super) type ScopeId = usize;
pub(super) type SymbolId = usize;

/// Names used but declared nowhere in the file (runtime globals, ambient declarations elsewhere).
pub(super) const GLOBAL: ScopeId = 0;
/// The file's top level.
pub(super) const MODULE: ScopeId = 1;

pub(super) struct Scope {
    pub parent: Option<ScopeId>,
    /// Where `var` declarations land (functions and the module).
    hoists: bool,
    names: HashMap<String, SymbolId>,
}

impl Scope {
    pub(super) fn get(&self, name: &str) -> Option<SymbolId> {
        self.names.get(name).copied()
    }

    pub(super) fn symbols(&self) -> impl Iterator<Item = SymbolId> + '_ {
        self.names.values().copied()
    }
}

/// One name in one scope, with every declaration of it (overloads, merged interfaces, `var`s).
pub(super) struct Symbol<'t> {
    pub name: String,
    pub scope: ScopeId,
    pub decls: Vec<Decl<'t>>,
    pub uses: Vec<Use>,
}

impl Symbol<'_> {
    /// Declared nowhere in the file.
    pub(super) fn is_global(&self) -> bool {
        self.scope == GLOBAL
    }
}

pub(super) struct Decl<'t> {
    /// The declaring identifier (for globals: the first use).
    pub site: Node<'t>,
    pub kind: DeclKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum DeclKind {
    /// `import { remote as local } from "source"`; `remote` is `None` for default and namespace imports.
    Import { source: String, remote: Option<String> },
    /// A variable, parameter or catch binding: its value comes from the pattern that declares it.
    Local,
    /// A function, class, interface, type alias, enum, namespace or type parameter.
    Declaration,
    /// Used in the file but declared nowhere in it.
    Global,
}

/// A use of a symbol: where it is and the scope it is read from.
#[derive(Debug, Clone)]
pub(super) struct Use {
    pub scope: ScopeId,
    pub range: Range<usize>,
}

/// What an identifier node stands for, by its place in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// Declares or uses a name of this file.
    Local,
    /// Names an export of another module (`a` in `import { a as b }`, `export { a } from "m"`).
    Remote,
    /// The public name of an export (`b` in `export { a as b }`, `export * as b from "m"`).
    Exported,
    /// A member reached through a namespace (`C` in `A.B.C` as a type).
    Member,
}

/// An `export ... from "m"` or `import ... from "m"` statement.
fn has_source(statement: Node<'_>) -> bool {
    statement.field("source").is_some()
}

pub(super) struct Scopes<'t> {
    scopes: Vec<Scope>,
    symbols: Vec<Symbol<'t>>,
    /// Declaring and using identifier nodes (by node id) -> their symbol.
    by_node: HashMap<usize, SymbolId>,
    by_name: HashMap<String, Vec<SymbolId>>,
    nodes: Nodes<'t>,
}

impl<'t> Scopes<'t> {
    pub(super) fn build(root: Node<'t>, text: &str) -> Scopes<'t> {
        let global = Scope { parent: None, hoists: true, names: HashMap::new() };
        let mut builder = Builder {
            text,
            scopes: Scopes {
                scopes: vec![global],
                symbols: Vec::new(),
                by_node: HashMap::new(),
                by_name: HashMap::new(),
                nodes: Nodes::new(root),
            },
            pending: Vec::new(),
        };
        let module = builder.new_scope(GLOBAL, true);
        builder.walk(root, module);
        builder.resolve_pending();
        builder.scopes
    }

    pub(super) fn symbol(&self, id: SymbolId) -> &Symbol<'t> {
        &self.symbols[id]
    }

    pub(super) fn scope(&self, id: ScopeId) -> &Scope {
        &self.scopes[id]
    }

    /// The symbol an identifier node declares or uses.
    pub(super) fn symbol_at(&self, node: Node<'_>) -> Option<SymbolId> {
        self.by_node.get(&node.id()).copied()
    }

    /// What an identifier stands for, by its place in the tree.
    pub(super) fn place(&self, node: Node<'t>) -> Place {
        let Some(parent) = self.parent(node) else { return Place::Local };
        match parent.kind_name() {
            "import_specifier" if is_field(parent, node, "name") && parent.field("alias").is_some() => {
                Place::Remote
            }
            "export_specifier" if is_field(parent, node, "alias") => Place::Exported,
            "export_specifier" if self.ancestors(parent).nth(2).is_some_and(has_source) => Place::Remote,
            "namespace_export" => Place::Exported,
            "nested_type_identifier" if is_field(parent, node, "name") => Place::Member,
            _ => Place::Local,
        }
    }

    pub(super) fn parent(&self, node: Node<'t>) -> Option<Node<'t>> {
        self.nodes.parent(node)
    }

    /// The file's named nodes: children, parents and source order.
    pub(super) fn nodes(&self) -> &Nodes<'t> {
        &self.nodes
    }

    /// `node` and its ancestors, innermost first.
    pub(super) fn ancestors(&self, node: Node<'t>) -> impl Iterator<Item = Node<'t>> + '_ {
        std::iter::successors(Some(node), |&n| self.parent(n))
    }

    /// Every symbol spelled `name`, in any scope.
    pub(super) fn named(&self, name: &str) -> &[SymbolId] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// Whether `scope` is `ancestor` or lies inside it.
    pub(super) fn is_within(&self, scope: ScopeId, ancestor: ScopeId) -> bool {
        std::iter::successors(Some(scope), |&s| self.scopes[s].parent).any(|s| s == ancestor)
    }

    /// The scopes from `scope` outwards, up to but excluding `outer`.
    pub(super) fn between(&self, scope: ScopeId, outer: ScopeId) -> impl Iterator<Item = ScopeId> + '_ {
        std::iter::successors(Some(scope), |&s| self.scopes[s].parent).take_while(move |&s| s != outer)
    }
}

struct Builder<'s, 't> {
    text: &'s str,
    scopes: Scopes<'t>,
    /// Identifier uses and the scope they are read from, resolved once every name is declared.
    pending: Vec<(Node<'t>, ScopeId)>,
}

/// Nodes whose parameters (and type parameters) live in a scope of their own.
const FUNCTIONS: &[&str] = &[
    "function_declaration",
    "function_expression",
    "generator_function_declaration",
    "generator_function",
    "arrow_function",
    "method_definition",
    "function_signature",
    "method_signature",
    "abstract_method_signature",
    "call_signature",
    "construct_signature",
    "function_type",
    "constructor_type",
];

/// Other nodes that open a scope: blocks, loops, catch clauses and generic declarations.
const BLOCKS: &[&str] = &[
    "statement_block",
    "switch_body",
    "for_statement",
    "for_in_statement",
    "catch_clause",
    "class_declaration",
    "abstract_class_declaration",
    "class",
    "interface_declaration",
    "type_alias_declaration",
];

impl<'t> Builder<'_, 't> {
    fn new_scope(&mut self, parent: ScopeId, hoists: bool) -> ScopeId {
        self.scopes.scopes.push(Scope { parent: Some(parent), hoists, names: HashMap::new() });
        self.scopes.scopes.len() - 1
    }

    /// Declare every name in its scope and note every use, parents before children.
    fn walk(&mut self, root: Node<'t>, module: ScopeId) {
        // An explicit stack: generated code nests deeper than a worker thread's stack allows.
        let mut stack = vec![(root, module)];
        while let Some((node, scope)) = stack.pop() {
            let kind = node.kind_name();
            let inner = if FUNCTIONS.contains(&kind) {
                self.new_scope(scope, true)
            } else if BLOCKS.contains(&kind) {
                self.new_scope(scope, false)
            } else {
                scope
            };
            self.declare_by(node, scope, inner);
            if matches!(kind, "identifier" | "type_identifier" | "shorthand_property_identifier")
                && self.scopes.symbol_at(node).is_none()
                && self.scopes.place(node) == Place::Local
            {
                self.pending.push((node, scope));
            }
            stack.extend(self.scopes.nodes.children(node).rev().map(|child| (child, inner)));
        }
    }

    /// Declare the names a node introduces: in `outer` (the scope around it) or `inner` (its own).
    fn declare_by(&mut self, node: Node<'t>, outer: ScopeId, inner: ScopeId) {
        // Looked up only where a declaration has one: this runs for every node of the tree, and
        // finding a field by name compares it with each field name of the grammar.
        let name = || node.field("name");
        match node.kind_name() {
            "function_declaration"
            | "generator_function_declaration"
            | "function_signature"
            | "class_declaration"
            | "abstract_class_declaration"
            | "interface_declaration"
            | "type_alias_declaration"
            | "enum_declaration"
            | "internal_module" => {
                if let Some(name) = name().map(first_identifier) {
                    self.declare(name, outer, DeclKind::Declaration);
                }
            }
            "function_expression" | "generator_function" | "class" | "type_parameter" => {
                if let Some(name) = name() {
                    self.declare(name, inner, DeclKind::Declaration);
                }
            }
            "variable_declarator" => {
                let hoisted = self.scopes.parent(node).is_some_and(|d| d.kind_name() == "variable_declaration");
                let scope = if hoisted { self.hoisting_scope(outer) } else { outer };
                if let Some(name) = name() {
                    self.declare_pattern(name, scope);
                }
            }
            "required_parameter" | "optional_parameter" => {
                if let Some(pattern) = node.field("pattern") {
                    self.declare_pattern(pattern, outer);
                }
            }
            "arrow_function" => {
                if let Some(parameter) = node.field("parameter") {
                    self.declare_pattern(parameter, inner);
                }
            }
            "catch_clause" => {
                if let Some(parameter) = node.field("parameter") {
                    self.declare_pattern(parameter, inner);
                }
            }
            "for_in_statement" if node.field("kind").is_some() => {
                if let Some(left) = node.field("left") {
                    self.declare_pattern(left, inner);
                }
            }
            "import_statement" => self.declare_imports(node),
            _ => {}
        }
    }

    fn hoisting_scope(&self, mut scope: ScopeId) -> ScopeId {
        while !self.scopes.scopes[scope].hoists {
            scope = self.scopes.scopes[scope].parent.unwrap_or(MODULE);
        }
        scope
    }

    /// Every name a binding pattern declares (`{ a, b: [c, ...d] = x }` declares a, c and d).
    fn declare_pattern(&mut self, pattern: Node<'t>, scope: ScopeId) {
        match pattern.kind_name() {
            "identifier" | "shorthand_property_identifier_pattern" => self.declare(pattern, scope, DeclKind::Local),
            "pair_pattern" => {
                if let Some(value) = pattern.field("value") {
                    self.declare_pattern(value, scope);
                }
            }
            "assignment_pattern" | "object_assignment_pattern" => {
                if let Some(left) = pattern.field("left") {
                    self.declare_pattern(left, scope);
                }
            }
            "object_pattern" | "array_pattern" | "rest_pattern" => {
                for child in named_children(pattern) {
                    self.declare_pattern(child, scope);
                }
            }
            _ => {}
        }
    }

    fn declare_imports(&mut self, statement: Node<'t>) {
        let Some(source) = statement.field("source") else { return };
        let source = self.text[string_content(source)].to_owned();
        let Some(clause) = named_children(statement).into_iter().find(|c| c.kind_name() == "import_clause") else { return };
        for part in named_children(clause) {
            match part.kind_name() {
                "identifier" => self.declare_import(part, &source, None),
                "namespace_import" => {
                    if let Some(local) = named_children(part).into_iter().find(|c| c.kind_name() == "identifier") {
                        self.declare_import(local, &source, None);
                    }
                }
                "named_imports" => {
                    for specifier in named_children(part).into_iter().filter(|s| s.kind_name() == "import_specifier") {
                        let Some(remote) = specifier.field("name") else { continue };
                        let local = specifier.field("alias").unwrap_or(remote);
                        let remote = text_of(remote, self.text).to_owned();
                        self.declare_import(local, &source, Some(remote));
                    }
                }
                _ => {}
            }
        }
    }

    fn declare_import(&mut self, local: Node<'t>, source: &str, remote: Option<String>) {
        self.declare(local, MODULE, DeclKind::Import { source: source.to_owned(), remote });
    }

    fn declare(&mut self, site: Node<'t>, scope: ScopeId, kind: DeclKind) {
        let name = text_of(site, self.text);
        let id = self.symbol_in(scope, name);
        self.scopes.symbols[id].decls.push(Decl { site, kind });
        self.scopes.by_node.insert(site.id(), id);
    }

    /// The symbol `name` in `scope`, created on first sight.
    fn symbol_in(&mut self, scope: ScopeId, name: &str) -> SymbolId {
        if let Some(id) = self.scopes.scopes[scope].get(name) {
            return id;
        }
        let id = self.scopes.symbols.len();
        self.scopes.symbols.push(Symbol { name: name.to_owned(), scope, decls: Vec::new(), uses: Vec::new() });
        self.scopes.scopes[scope].names.insert(name.to_owned(), id);
        self.scopes.by_name.entry(name.to_owned()).or_default().push(id);
        id
    }

    /// Resolve every use through the enclosing scopes; a name declared nowhere becomes a global.
    fn resolve_pending(&mut self) {
        for (node, scope) in std::mem::take(&mut self.pending) {
            let name = text_of(node, self.text);
            let found = std::iter::successors(Some(scope), |&s| self.scopes.scopes[s].parent)
                .find_map(|s| self.scopes.scopes[s].get(name));
            let id = match found {
                Some(id) => id,
                None => {
                    let id = self.symbol_in(GLOBAL, name);
                    if self.scopes.symbols[id].decls.is_empty() {
                        self.scopes.symbols[id].decls.push(Decl { site: node, kind: DeclKind::Global });
                    }
                    id
                }
            };
            self.scopes.symbols[id].uses.push(Use { scope, range: node.byte_range() });
            self.scopes.by_node.insert(node.id(), id);
        }
    }
}

/// `A` of a dotted namespace name `A.B`; the node itself otherwise.
fn first_identifier(name: Node<'_>) -> Node<'_> {
    let mut name = name;
    while name.kind_name() == "nested_identifier" {
        match name.field("object") {
            Some(object) => name = object,
            None => break,
        }
    }
    name
}
