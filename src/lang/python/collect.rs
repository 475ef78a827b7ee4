//! First pass: one walk over the tree that builds the scopes and lists every candidate occurrence
//! (a site) with the syntactic context the second pass needs to judge it.

use std::ops::Range;

use tree_sitter::Node;

use self::strings::{docstring, is_string, StringContext};
use super::scopes::{ScopeId, ScopeKind, Scopes, MODULE};
use super::syntax::{named_children, text_of};
use crate::lang::nodes::Nodes;
use crate::lang::symbols::NodeSymbols;
use crate::plan::Role;
use crate::rules::{NameVerdict, RuleSet};

mod imports;
pub(super) use imports::name_and_alias;
mod strings;

pub(super) use strings::runs_sql;

/// One occurrence of a term.
pub(super) struct Site<'t> {
    pub range: Range<usize>,
    pub role: Role,
    /// What the rules say about the occurrence's own text, before context; never `Unrelated`.
    pub base: NameVerdict,
    pub kind: SiteKind<'t>,
}

pub(super) enum SiteKind<'t> {
    /// A name in code, standing in `scope`.
    Name { scope: ScopeId },
    /// The attribute part of `receiver.name`.
    Attribute { receiver: Node<'t>, scope: ScopeId },
    /// `callee(name=...)`; indexes [`Collected::calls`].
    Keyword { call: usize },
    /// A module path component, or a name imported from `module`; `binds` is the scope of the local
    /// name it binds when it binds one (`import a.b` binds `a`, `from m import n` binds `n`).
    Import { module: String, binds: Option<ScopeId> },
    /// A word in a comment or docstring.
    Text,
    /// A word in a string literal; indexes [`Collected::literals`].
    Literal { literal: usize },
}

/// A call (or a class's base list), for its keywords and arguments.
pub(super) struct Call<'t> {
    /// `None` for the base list of a class statement.
    pub callee: Option<Node<'t>>,
    pub scope: ScopeId,
    /// Keyword names passed, with their offsets.
    pub keywords: Vec<(String, usize)>,
    /// The dict literal (indexes [`Collected::dicts`]) passed as `parameters=`/`params=` or
    /// positionally after the first argument: it binds an embedded query's parameters.
    pub bound_dict: Option<usize>,
    /// The first positional argument: the query of a call that runs SQL.
    pub first_argument: Option<Node<'t>>,
}

/// A string literal other than a docstring.
#[derive(Clone, Default)]
pub(super) struct Literal {
    /// Passed directly to a call: the call and the keyword it is passed as.
    pub argument: Option<(usize, Option<String>)>,
    /// A key of this dict literal (indexes [`Collected::dicts`]).
    pub dict: Option<usize>,
    /// An element of `__all__`.
    pub exported: bool,
    /// The text between the quotes.
    pub content: Range<usize>,
}

/// A plain string literal whose content is SQL (offsets in it map 1:1 to the file).
pub(super) struct SqlString {
    /// The text between the quotes.
    pub content: Range<usize>,
    /// The call it is passed to, if any (indexes [`Collected::calls`]).
    pub call: Option<usize>,
}

/// A name bound by an import statement.
pub(super) struct Import {
    pub local: String,
    /// The module as written (`sqlalchemy.orm`, `.session`); `a` for `import a.b`.
    pub module: String,
    /// The dotted path of the bound object (`sqlalchemy.orm.Session`, `aiohttp`).
    pub path: String,
    pub aliased: bool,
    pub scope: ScopeId,
}

/// `name` is assigned `source` (a value, or an annotation when `annotation`) in `scope`.
pub(super) struct ValueFact<'t> {
    pub name: String,
    /// The name is an attribute (`self._session`), not a variable.
    pub on_attribute: bool,
    pub scope: ScopeId,
    pub source: Node<'t>,
    pub annotation: bool,
}

pub(super) struct Collected<'t> {
    pub scopes: Scopes,
    pub sites: Vec<Site<'t>>,
    pub calls: Vec<Call<'t>>,
    pub literals: Vec<Literal>,
    /// The string keys of each dict literal, with their offsets.
    pub dicts: Vec<Vec<(String, usize)>>,
    /// String literals that hold SQL, planned with the SQL rewriter instead of word by word.
    pub sql: Vec<SqlString>,
    pub imports: Vec<Import>,
    pub values: Vec<ValueFact<'t>>,
    /// Each class scope's base class expressions.
    pub class_bases: Vec<(ScopeId, Node<'t>)>,
    /// The plain-name parameters of each function and lambda scope.
    pub parameters: Vec<(ScopeId, String)>,
}

pub(super) fn collect<'t>(nodes: &Nodes<'t>, text: &'t str, rules: &RuleSet) -> Collected<'t> {
    let mut walker = Walker {
        text,
        rules,
        nodes,
        out: Collected {
            scopes: Scopes::new(),
            sites: Vec::new(),
            calls: Vec::new(),
            literals: Vec::new(),
            dicts: Vec::new(),
            sql: Vec::new(),
            imports: Vec::new(),
            values: Vec::new(),
            class_bases: Vec::new(),
            parameters: Vec::new(),
        },
    };
    walker.children(nodes.root(), MODULE);
    walker.comments();
    walker.out
}

struct Walker<'t, 'r> {
    text: &'t str,
    rules: &'r RuleSet,
    nodes: &'r Nodes<'t>,
    out: Collected<'t>,
}

impl<'t> Walker<'t, '_> {
    fn visit(&mut self, node: Node<'t>, scope: ScopeId) {
        match node.kind_name() {
            "identifier" => self.name(node, scope, false),
            "attribute" => self.attribute(node, scope, false),
            "call" => self.call(node, scope),
            "string" | "concatenated_string" => self.strings(node, scope, &StringContext::default()),
            "expression_statement" => match docstring(node) {
                Some(string) => self.strings(string, scope, &StringContext::docstring()),
                None => self.children(node, scope),
            },
            "dictionary" => self.dictionary(node, scope),
            "function_definition" => self.function(node, scope),
            "class_definition" => self.class(node, scope),
            "lambda" => self.lambda(node, scope),
            "list_comprehension" | "set_comprehension" | "dictionary_comprehension" | "generator_expression" => {
                self.comprehension(node, scope)
            }
            "assignment" | "augmented_assignment" => self.assignment(node, scope),
            "named_expression" => self.walrus(node, scope),
            "for_statement" => self.for_statement(node, scope),
            "as_pattern" => self.as_pattern(node, scope),
            "import_statement" => self.import(node, scope),
            "import_from_statement" => self.import_from(node, scope),
            "global_statement" | "nonlocal_statement" => self.declaration(node, scope),
            // Comments are found by their own walk; `from __future__` names are the language's.
            "comment" | "future_import_statement" => {}
            _ => self.children(node, scope),
        }
    }

    fn children(&mut self, node: Node<'t>, scope: ScopeId) {
        let nodes = self.nodes;
        for child in nodes.children(node) {
            self.visit(child, scope);
        }
    }

    /// Record `node` (a name) as a site when the rules see a term in it.
    fn site(&mut self, node: Node<'t>, role: Role, kind: SiteKind<'t>) {
        let base = self.rules.name_verdict(text_of(node, self.text));
        if base != NameVerdict::Unrelated {
            self.out.sites.push(Site { range: node.byte_range(), role, base, kind });
        }
    }

    fn name(&mut self, node: Node<'t>, scope: ScopeId, binds: bool) {
        let name = text_of(node, self.text);
        if binds {
            self.out.scopes.bind(scope, name, node.start_byte());
        } else {
            self.out.scopes.note_use(scope, name);
        }
        self.site(node, Role::Identifier, SiteKind::Name { scope });
    }

    /// `receiver.name`; an assigned `self.name` also joins its class's attributes.
    fn attribute(&mut self, node: Node<'t>, scope: ScopeId, assigned: bool) {
        let (Some(receiver), Some(name)) = (node.field("object"), node.field("attribute"))
        else {
            return self.children(node, scope);
        };
        self.visit(receiver, scope);
        let class = (assigned && receiver.kind_name() == "identifier")
            .then(|| self.out.scopes.self_class(text_of(receiver, self.text), scope))
            .flatten();
        if let Some(class) = class {
            self.out.scopes.add_instance_attribute(class, text_of(name, self.text), name.start_byte());
        }
        self.site(name, Role::Attribute, SiteKind::Attribute { receiver, scope });
    }

    /// An assignment target: names bind, `self.x` joins its class's attributes, the rest is read.
    fn target(&mut self, node: Node<'t>, scope: ScopeId) {
        match node.kind_name() {
            "identifier" => self.name(node, scope, true),
            "attribute" => self.attribute(node, scope, true),
            "pattern_list"
            | "tuple_pattern"
            | "list_pattern"
            | "tuple"
            | "list"
            | "expression_list"
            | "parenthesized_expression"
            | "list_splat_pattern"
            | "dictionary_splat_pattern"
            | "list_splat"
            | "as_pattern_target" => {
                for child in named_children(node) {
                    self.target(child, scope);
                }
            }
            _ => self.visit(node, scope),
        }
    }

    /// `name` (an assignment target) is given `source`; only simple targets are tracked.
    fn fact(&mut self, target: Node<'t>, source: Node<'t>, annotation: bool, scope: ScopeId) {
        let name = match target.kind_name() {
            "identifier" => target,
            "attribute" => match target.field("attribute") {
                Some(name) => name,
                None => return,
            },
            _ => return,
        };
        let name = text_of(name, self.text).to_owned();
        let on_attribute = target.kind_name() == "attribute";
        self.out.values.push(ValueFact { name, on_attribute, scope, source, annotation });
    }

    fn assignment(&mut self, node: Node<'t>, scope: ScopeId) {
        let left = node.field("left");
        let annotation = node.field("type");
        let right = node.field("right");
        if let Some(left) = left {
            self.target(left, scope);
        }
        if let Some(annotation) = annotation {
            self.visit(annotation, scope);
        }
        if let Some(right) = right {
            let exports = left.is_some_and(|l| text_of(l, self.text) == "__all__");
            if exports && matches!(right.kind_name(), "list" | "tuple") {
                self.exports(right, scope);
            } else {
                self.visit(right, scope);
            }
        }
        if let Some(left) = left {
            for (source, is_annotation) in [(right, false), (annotation, true)] {
                if let Some(source) = source {
                    self.fact(left, source, is_annotation, scope);
                }
            }
        }
    }

    fn walrus(&mut self, node: Node<'t>, scope: ScopeId) {
        if let Some(value) = node.field("value") {
            self.visit(value, scope);
        }
        if let Some(name) = node.field("name") {
            let target = self.out.scopes.walrus_scope(scope);
            self.name(name, target, true);
        }
    }

    fn for_statement(&mut self, node: Node<'t>, scope: ScopeId) {
        let left = node.field("left");
        for child in named_children(node) {
            if Some(child) == left {
                self.target(child, scope);
            } else {
                self.visit(child, scope);
            }
        }
    }

    /// `with x() as y`, `except E as e`, `case P as p`.
    fn as_pattern(&mut self, node: Node<'t>, scope: ScopeId) {
        let alias = node.field("alias");
        for child in named_children(node) {
            if Some(child) != alias {
                self.visit(child, scope);
            }
        }
        let Some(alias) = alias else { return };
        self.target(alias, scope);
        if let (Some(value), Some(name)) = (node.named_child(0), alias.named_child(0)) {
            self.fact(name, value, false, scope);
        }
    }

    fn declaration(&mut self, node: Node<'t>, scope: ScopeId) {
        let global = node.kind_name() == "global_statement";
        for name in named_children(node).into_iter().filter(|n| n.kind_name() == "identifier") {
            let text = text_of(name, self.text);
            if global {
                self.out.scopes.declare_global(scope, text);
            } else {
                self.out.scopes.declare_nonlocal(scope, text);
            }
            self.site(name, Role::Identifier, SiteKind::Name { scope });
        }
    }

    /// The name and type parameters of a `def` or `class`, and the scope its body opens.
    fn definition(&mut self, node: Node<'t>, scope: ScopeId, kind: ScopeKind) -> ScopeId {
        let name = node.field("name");
        if let Some(name) = name {
            self.name(name, scope, true);
        }
        let inner = self.out.scopes.open(kind, name.map_or("", |n| text_of(n, self.text)), scope);
        if let Some(type_parameters) = node.field("type_parameters") {
            self.visit(type_parameters, scope);
        }
        inner
    }

    fn function(&mut self, node: Node<'t>, scope: ScopeId) {
        let inner = self.definition(node, scope, ScopeKind::Function);
        if let Some(parameters) = node.field("parameters") {
            // A method's `self`/`cls` leads to its class's attributes.
            let first = parameters.named_child(0).filter(|p| p.kind_name() == "identifier");
            let first = first.map(|p| text_of(p, self.text)).filter(|p| matches!(*p, "self" | "cls"));
            if let Some(first) = first.filter(|_| self.out.scopes.get(scope).kind == ScopeKind::Class) {
                self.out.scopes.set_self_parameter(inner, first);
            }
            self.parameters(parameters, scope, inner);
        }
        if let Some(return_type) = node.field("return_type") {
            self.visit(return_type, scope);
        }
        if let Some(body) = node.field("body") {
            self.visit(body, inner);
        }
    }

    /// Parameters bind in the function's scope; their defaults and annotations are evaluated outside.
    fn parameters(&mut self, parameters: Node<'t>, outer: ScopeId, inner: ScopeId) {
        for parameter in named_children(parameters) {
            let target = match parameter.kind_name() {
                "default_parameter" | "typed_default_parameter" => parameter.field("name"),
                "typed_parameter" => parameter.named_child(0),
                "comment" => None,
                _ => Some(parameter),
            };
            if let Some(annotation) = parameter.field("type") {
                self.visit(annotation, outer);
                if let Some(target) = target {
                    self.fact(target, annotation, true, inner);
                }
            }
            if let Some(default) = parameter.field("value") {
                self.visit(default, outer);
            }
            if let Some(target) = target {
                if target.kind_name() == "identifier" {
                    self.out.parameters.push((inner, text_of(target, self.text).to_owned()));
                }
                self.target(target, inner);
            }
        }
    }

    fn lambda(&mut self, node: Node<'t>, scope: ScopeId) {
        let inner = self.out.scopes.open(ScopeKind::Lambda, "", scope);
        if let Some(parameters) = node.field("parameters") {
            self.parameters(parameters, scope, inner);
        }
        if let Some(body) = node.field("body") {
            self.visit(body, inner);
        }
    }

    fn class(&mut self, node: Node<'t>, scope: ScopeId) {
        let inner = self.definition(node, scope, ScopeKind::Class);
        if let Some(bases) = node.field("superclasses") {
            let call = self.new_call(None, scope);
            self.arguments(bases, scope, call);
            for base in named_children(bases).into_iter().filter(|b| b.kind_name() != "keyword_argument") {
                self.out.class_bases.push((inner, base));
            }
        }
        if let Some(body) = node.field("body") {
            self.visit(body, inner);
        }
    }

    /// The first iterable is evaluated outside the comprehension; everything else inside it.
    fn comprehension(&mut self, node: Node<'t>, scope: ScopeId) {
        let inner = self.out.scopes.open(ScopeKind::Comprehension, "", scope);
        let mut first_clause = true;
        for child in named_children(node) {
            if child.kind_name() != "for_in_clause" {
                self.visit(child, inner);
                continue;
            }
            let iterable_scope = if first_clause { scope } else { inner };
            first_clause = false;
            for iterable in children_by_field(child, "right") {
                self.visit(iterable, iterable_scope);
            }
            for target in children_by_field(child, "left") {
                self.target(target, inner);
            }
        }
    }

    fn new_call(&mut self, callee: Option<Node<'t>>, scope: ScopeId) -> usize {
        self.out.calls.push(Call { callee, scope, keywords: Vec::new(), bound_dict: None, first_argument: None });
        self.out.calls.len() - 1
    }

    fn call(&mut self, node: Node<'t>, scope: ScopeId) {
        let callee = node.field("function");
        if let Some(callee) = callee {
            self.visit(callee, scope);
        }
        let call = self.new_call(callee, scope);
        match node.field("arguments") {
            Some(arguments) if arguments.kind_name() == "argument_list" => self.arguments(arguments, scope, call),
            Some(generator) => self.visit(generator, scope),
            None => {}
        }
    }

    fn arguments(&mut self, list: Node<'t>, scope: ScopeId, call: usize) {
        for (position, argument) in named_children(list).into_iter().enumerate() {
            if position == 0 && argument.kind_name() != "keyword_argument" {
                self.out.calls[call].first_argument = Some(argument);
            }
            if position > 0 && argument.kind_name() == "dictionary" {
                self.bind_dict(call);
            }
            match argument.kind_name() {
                "keyword_argument" => self.keyword_argument(argument, scope, call),
                _ if is_string(argument) => self.strings(argument, scope, &StringContext::argument(call, None)),
                _ => self.visit(argument, scope),
            }
        }
    }

    /// The next dict literal visited binds `call`'s query parameters.
    fn bind_dict(&mut self, call: usize) {
        self.out.calls[call].bound_dict = Some(self.out.dicts.len());
    }

    fn keyword_argument(&mut self, argument: Node<'t>, scope: ScopeId, call: usize) {
        let name = argument.field("name");
        if let Some(name) = name {
            self.out.calls[call].keywords.push((text_of(name, self.text).to_owned(), name.start_byte()));
            self.site(name, Role::Keyword, SiteKind::Keyword { call });
        }
        let value = argument.field("value");
        let binds = name.is_some_and(|n| matches!(text_of(n, self.text), "parameters" | "params"));
        if binds && value.is_some_and(|v| v.kind_name() == "dictionary") {
            self.bind_dict(call);
        }
        match value {
            Some(value) if is_string(value) => {
                let keyword = name.map(|n| text_of(n, self.text));
                self.strings(value, scope, &StringContext::argument(call, keyword));
            }
            Some(value) => self.visit(value, scope),
            None => {}
        }
    }
}

fn children_by_field<'t>(node: Node<'t>, field: &str) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.fields(field, &mut cursor).collect()
}
