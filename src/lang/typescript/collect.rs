//! The second pass: every occurrence of a term, as the name it is (a symbol, a property and whose
//! it is, or text decided on the spot), and every set of sibling members (for duplicate checks).

use std::ops::Range;
use std::rc::Rc;

use foldhash::{HashMap, HashMapExt};
use tree_sitter::Node;

use super::decide::Decision;
use super::embedded::{self, EmbeddedQuery};
use super::origin::Owner;
use super::scope::{Place, SymbolId};
use super::specifier::{self, Module};
use super::syntax::{is_field, named_children, string_content, text_of};
use super::text::{self, Literal};
use super::Analysis;
use crate::lang::symbols::NodeSymbols;
use crate::plan::{KeepReason, Role};

/// One occurrence of a term in the file.
#[derive(Debug, Clone)]
pub(super) struct Occurrence {
    pub range: Range<usize>,
    pub role: Role,
    pub what: What,
}

impl Occurrence {
    pub(super) fn fixed(range: Range<usize>, role: Role, decision: Decision) -> Occurrence {
        Occurrence { range, role, what: What::One(Name::Fixed(decision)) }
    }
}

#[derive(Debug, Clone)]
pub(super) enum What {
    One(Name),
    /// One spelling standing for two names: `{ sessionId }` (a key and a variable),
    /// `import { getSessions }` (an export of another module and a local binding).
    Shorthand {
        key: Name,
        value: Name,
        form: Form,
    },
}

#[derive(Debug, Clone)]
pub(super) enum Name {
    /// A name declared in (or used by) this file; all its occurrences share one verdict.
    Symbol(SymbolId),
    /// A property name, and whose property it is.
    Property { name: String, owner: Owner },
    /// Decided where it stands (text, names in other modules, labels).
    Fixed(Decision),
}

/// How a shorthand is written out when its two names part ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    /// `key: value`
    Property,
    /// `remote as local`
    Import,
}

/// Members declared side by side: one interface, type literal, class, enum, object literal,
/// destructuring pattern or JSX element.
#[derive(Debug, Clone)]
pub(super) struct Member {
    pub name: String,
    pub range: Range<usize>,
}

#[derive(Debug, Default)]
pub(super) struct Collected {
    pub occurrences: Vec<Occurrence>,
    pub containers: Vec<Vec<Member>>,
}

const CONTAINERS: &[&str] = &[
    "interface_body",
    "object_type",
    "class_body",
    "enum_body",
    "object",
    "object_pattern",
    "jsx_opening_element",
    "jsx_self_closing_element",
];

pub(super) fn collect(an: &Analysis<'_, '_>) -> Collected {
    let mut collector =
        Collector { an, out: Collected::default(), ambient: None, queries: Vec::new(), bound_keys: HashMap::new() };
    for query in embedded::named_queries(an) {
        collector.embedded(query);
    }
    // An explicit stack: generated code nests deeper than a worker thread's stack allows.
    let mut stack = vec![(an.root, None)];
    while let Some((node, ambient)) = stack.pop() {
        collector.ambient = ambient;
        if collector.visit(node) {
            let inner = collector.ambient.clone();
            stack.extend(an.scopes.nodes().children(node).rev().map(|child| (child, inner.clone())));
        }
    }
    collector.out
}

struct Collector<'c, 'a, 't> {
    an: &'c Analysis<'a, 't>,
    out: Collected,
    /// Inside `declare module "package" { ... }`: everything there is that package's.
    ambient: Option<Rc<str>>,
    /// Literals already planned as SQL (the query of a `.query({ query, query_params })` object).
    queries: Vec<Range<usize>>,
    /// Keys that bind an embedded query's parameters, by the start of their name: they take the
    /// parameter's verdict.
    bound_keys: HashMap<usize, Decision>,
}

impl<'t> Collector<'_, '_, 't> {
    /// Record what `node` itself holds; whether its children are to be visited.
    fn visit(&mut self, node: Node<'t>) -> bool {
        // Only the nodes that hold text are filtered: filtering every subtree would read a deeply
        // nested file once per level.
        let holds_text = matches!(node.kind_name(), "comment" | "string" | "template_string" | "jsx_text" | "regex_pattern");
        if holds_text && !self.an.cx.rules.renamer.may_contain(text_of(node, self.an.text).as_bytes()) {
            return false;
        }
        match node.kind_name() {
            "comment" => self.texts(|an, out| text::comment(an, node, out)),
            "string" | "template_string" if self.embedded_sql(node) => {}
            "string" => self.string(node),
            "jsx_text" => self.texts(|an, out| text::jsx_text(an, node, out)),
            "regex_pattern" => self.texts(|an, out| text::regex(an, node, out)),
            "identifier" | "type_identifier" => self.identifier(node),
            "property_identifier" | "private_property_identifier" => self.property(node),
            "shorthand_property_identifier" | "shorthand_property_identifier_pattern" => self.shorthand(node),
            "statement_identifier" => self.label(node),
            // The substitutions in a template and the members of these are code of their own.
            "template_string" => {
                self.literal_text(node);
                return true;
            }
            "ambient_declaration" => {
                self.enter_ambient(node);
                return true;
            }
            kind if CONTAINERS.contains(&kind) => {
                if kind == "object" {
                    if let Some(query) = embedded::object_query(self.an, node) {
                        self.embedded(query);
                    }
                }
                self.container(node);
                return true;
            }
            _ => return true,
        }
        false
    }

    fn push(&mut self, range: Range<usize>, role: Role, what: What) {
        let what = match (&self.ambient, self.bound_keys.get(&range.start)) {
            (Some(module), _) => What::One(Name::Fixed(Decision::Keep(KeepReason::Foreign { module: module.to_string() }))),
            (None, Some(parameter)) => What::One(Name::Fixed(parameter.clone())),
            (None, None) => what,
        };
        self.out.occurrences.push(Occurrence { range, role, what });
    }

    /// Whether `node` holds SQL, planned now or with its `.query({ ... })` object.
    fn embedded_sql(&mut self, node: Node<'t>) -> bool {
        if self.queries.contains(&node.byte_range()) {
            return true;
        }
        match embedded::literal_query(self.an, node) {
            Some(query) => {
                self.embedded(query);
                true
            }
            None => false,
        }
    }

    fn embedded(&mut self, query: EmbeddedQuery) {
        for o in query.occurrences {
            self.push(o.range, o.role, o.what);
        }
        self.queries.extend(query.literal);
        self.bound_keys.extend(query.keys);
    }

    fn texts(&mut self, find: impl FnOnce(&Analysis<'_, 't>, &mut Vec<Occurrence>)) {
        let mut found = Vec::new();
        find(self.an, &mut found);
        for o in found {
            self.push(o.range, o.role, o.what);
        }
    }

    /// `declare module "next-auth/react" { ... }` describes a package: all of it is kept.
    fn enter_ambient(&mut self, node: Node<'t>) {
        let module = named_children(node).into_iter().find(|c| c.kind_name() == "module");
        let name = module.and_then(|m| m.field("name")).filter(|n| n.kind_name() == "string");
        let package = name.map(|n| &self.an.text[string_content(n)]);
        if let Some(package) = package.filter(|p| self.an.module(p) == Module::Package) {
            self.ambient = Some(package.into());
        }
    }

    fn identifier(&mut self, node: Node<'t>) {
        let name = text_of(node, self.an.text);
        let Some(verdict) = self.an.verdict(name) else { return };
        let range = node.byte_range();
        let what = match self.an.scopes.place(node) {
            Place::Remote => What::One(Name::Fixed(self.remote(node, name))),
            Place::Exported => What::One(Name::Fixed(verdict)),
            Place::Member => {
                let module = self.an.scopes.parent(node).and_then(|p| p.field("module"));
                let owner = module.map_or(Owner::FirstParty, |m| self.an.value_owner(m));
                What::One(Name::Property { name: name.to_owned(), owner })
            }
            Place::Local => {
                let Some(symbol) = self.an.scopes.symbol_at(node) else { return };
                let shorthand_import = self
                    .an
                    .scopes
                    .parent(node)
                    .is_some_and(|p| p.kind_name() == "import_specifier" && p.field("alias").is_none());
                if shorthand_import {
                    What::Shorthand {
                        key: Name::Fixed(self.remote(node, name)),
                        value: Name::Symbol(symbol),
                        form: Form::Import,
                    }
                } else {
                    What::One(Name::Symbol(symbol))
                }
            }
        };
        self.push(range, Role::Identifier, what);
    }

    /// A name exported by another module: a package's stays, a project module's follows the rules.
    fn remote(&self, node: Node<'t>, name: &str) -> Decision {
        let statement =
            self.an.scopes.ancestors(node).find(|n| matches!(n.kind_name(), "import_statement" | "export_statement"));
        let source = statement.and_then(|s| s.field("source")).map(|s| &self.an.text[string_content(s)]);
        match source.map(|s| (s, self.an.module(s))) {
            Some((source, Module::Package | Module::Asset)) => Decision::Keep(self.an.import_keep_reason(source, name)),
            _ => self.an.verdict(name).unwrap_or(Decision::Keep(KeepReason::NotRewritten)),
        }
    }

    fn property(&mut self, node: Node<'t>) {
        let name = text_of(node, self.an.text);
        if self.an.verdict(name).is_none() {
            return;
        }
        let (owner, role) = self.key_owner(node).unwrap_or((Owner::FirstParty, Role::Identifier));
        self.push(node.byte_range(), role, What::One(Name::Property { name: name.to_owned(), owner }));
    }

    /// Whose a key is, by where it stands; `None` when the node is not in a key's place.
    fn key_owner(&self, key: Node<'t>) -> Option<(Owner, Role)> {
        let parent = self.an.scopes.parent(key)?;
        let an = self.an;
        let member_of = |container: Option<Node<'t>>| match container {
            Some(c) if c.kind_name() == "class_body" || c.kind_name() == "interface_body" => {
                an.scopes.parent(c).map_or(Owner::FirstParty, |d| an.members_owner(d))
            }
            Some(c) if c.kind_name() == "object" => an.value_context(c),
            _ => Owner::FirstParty,
        };
        let owned = match parent.kind_name() {
            "member_expression" | "nested_identifier" if is_field(parent, key, "property") => {
                (parent.field("object").map_or(Owner::FirstParty, |o| an.value_owner(o)), Role::Attribute)
            }
            "subscript_expression" if is_field(parent, key, "index") => {
                (parent.field("object").map_or(Owner::FirstParty, |o| an.value_owner(o)), Role::Attribute)
            }
            "pair" if is_field(parent, key, "key") => (member_of(an.scopes.parent(parent)), Role::Identifier),
            "pair_pattern" if is_field(parent, key, "key") => (self.pattern_owner(key), Role::Identifier),
            "method_definition"
            | "public_field_definition"
            | "abstract_method_signature"
            | "method_signature"
            | "property_signature"
                if is_field(parent, key, "name") =>
            {
                (member_of(an.scopes.parent(parent)), Role::Identifier)
            }
            "jsx_attribute" if parent.named_child(0) == Some(key) => (an.component_owner(parent), Role::Keyword),
            "enum_body" => (Owner::FirstParty, Role::Identifier),
            "enum_assignment" if is_field(parent, key, "name") => (Owner::FirstParty, Role::Identifier),
            _ => return None,
        };
        Some(owned)
    }

    fn pattern_owner(&self, key: Node<'t>) -> Owner {
        self.an.pattern_origin(key).map_or(Owner::FirstParty, Owner::Foreign)
    }

    /// `{ sessionId }` in an object literal or a destructuring pattern: a key and a variable.
    fn shorthand(&mut self, node: Node<'t>) {
        let name = text_of(node, self.an.text);
        if self.an.verdict(name).is_none() {
            return;
        }
        let Some(symbol) = self.an.scopes.symbol_at(node) else { return };
        let owner = match node.kind_name() {
            "shorthand_property_identifier" => {
                self.an.scopes.parent(node).map_or(Owner::FirstParty, |o| self.an.value_context(o))
            }
            _ => self.pattern_owner(node),
        };
        let key = Name::Property { name: name.to_owned(), owner };
        self.push(
            node.byte_range(),
            Role::Identifier,
            What::Shorthand { key, value: Name::Symbol(symbol), form: Form::Property },
        );
    }

    fn label(&mut self, node: Node<'t>) {
        if let Some(decision) = self.an.verdict(text_of(node, self.an.text)) {
            self.push(node.byte_range(), Role::Identifier, What::One(Name::Fixed(decision)));
        }
    }

    fn string(&mut self, node: Node<'t>) {
        let content = string_content(node);
        let text = &self.an.text[content.clone()];
        if self.is_module_source(node) {
            return self.texts(|an, out| specifier::occurrences(text, content.start, an.cx, out));
        }
        if let Some((owner, _)) = self.key_owner(node) {
            if self.an.verdict(text).is_some() {
                self.push(content, Role::String, What::One(Name::Property { name: text.to_owned(), owner }));
            }
            return;
        }
        self.literal_text(node);
    }

    /// The text parts of a string or template literal (escapes and `${...}` left out).
    fn literal_text(&mut self, node: Node<'t>) {
        let parts: Vec<Range<usize>> = named_children(node)
            .into_iter()
            .filter(|c| c.kind_name() == "string_fragment")
            .map(|c| c.byte_range())
            .collect();
        let literal = self.literal(node);
        self.texts(|an, out| text::literal(an, &parts, literal, out));
    }

    /// How a string or template's text is read, by what it is handed to.
    fn literal(&self, node: Node<'t>) -> Literal {
        let parent = self.an.scopes.parent(node);
        let call = parent.filter(|p| p.kind_name() == "arguments").and_then(|a| self.an.scopes.parent(a));
        if call.is_some_and(|c| c.kind_name() == "call_expression" && self.an.is_database_call(c)) {
            return Literal::Identifiers;
        }
        match self.an.value_context(node) {
            Owner::Foreign(o) | Owner::ForeignArgument(o) | Owner::ForeignHeritage(o) => {
                return Literal::Review(format!(
                    "a value handed to `{}`: it may be stored or matched there",
                    o.source()
                ));
            }
            Owner::FirstParty => {}
        }
        let attribute = parent.filter(|p| p.kind_name() == "jsx_attribute").and_then(|a| a.named_child(0));
        if attribute.is_some_and(|a| matches!(text_of(a, self.an.text), "className" | "class")) {
            return Literal::Review("a CSS class: stylesheets are not rewritten".to_owned());
        }
        Literal::Plain
    }

    /// The module named by an import, export, `import()`, `require()` or `declare module`.
    fn is_module_source(&self, node: Node<'t>) -> bool {
        let Some(parent) = self.an.scopes.parent(node) else { return false };
        match parent.kind_name() {
            "import_statement" | "export_statement" => is_field(parent, node, "source"),
            "module" | "import_require_clause" => true,
            "arguments" => {
                let call = self.an.scopes.parent(parent).filter(|c| c.kind_name() == "call_expression");
                parent.named_child(0) == Some(node) && call.is_some_and(|c| self.an.module_argument(c).is_some())
            }
            _ => false,
        }
    }

    fn container(&mut self, node: Node<'t>) {
        let members: Vec<Member> = named_children(node).into_iter().filter_map(|m| self.member(m)).collect();
        if members.iter().any(|m| self.an.verdict(&m.name).is_some()) {
            self.out.containers.push(members);
        }
    }

    /// The name a container's child declares, if it declares one.
    fn member(&self, child: Node<'t>) -> Option<Member> {
        let key = match child.kind_name() {
            "property_identifier" | "shorthand_property_identifier" | "shorthand_property_identifier_pattern" => child,
            "pair" | "pair_pattern" => child.field("key")?,
            "object_assignment_pattern" => child.field("left")?,
            "jsx_attribute" => child.named_child(0)?,
            "property_signature"
            | "method_signature"
            | "public_field_definition"
            | "method_definition"
            | "abstract_method_signature"
            | "enum_assignment" => child.field("name")?,
            _ => return None,
        };
        let range = match key.kind_name() {
            "string" => string_content(key),
            "property_identifier"
            | "shorthand_property_identifier"
            | "shorthand_property_identifier_pattern"
            | "private_property_identifier" => key.byte_range(),
            _ => return None,
        };
        Some(Member { name: self.an.text[range.clone()].to_owned(), range })
    }
}
