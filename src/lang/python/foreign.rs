//! Foreign evidence: names bound by third-party and standard-library imports, names that hold
//! objects those modules made, classes that inherit from them, and what follows from that for an
//! expression (`requests.Session()`, `self._session.get`).

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::collect::{Call, Collected, ValueFact};
use super::scopes::{ScopeId, ScopeKind, Scopes};
use super::syntax::{is_super_call, named_children, text_of, unwrap_expression};
use crate::plan::KeepReason;
use crate::project::{ModuleOrigin, Project};
use crate::rules::{NameVerdict, RuleSet};

/// Modules whose names only describe types (`Optional`, `Any`, `Mapping`): an annotation made of
/// them says nothing about whose object a name holds.
const TYPING_MODULES: &[&str] = &["typing", "typing_extensions", "collections", "types", "abc"];

/// Something that belongs to a foreign module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ForeignRef {
    /// The module as imported (`sqlalchemy.orm`).
    pub module: String,
    /// The dotted path of the thing (`sqlalchemy.orm.Session`, `aiohttp.ClientSession.get`).
    pub path: String,
}

impl ForeignRef {
    fn member(&self, name: &str) -> ForeignRef {
        ForeignRef { module: self.module.clone(), path: format!("{}.{name}", self.path) }
    }

    /// `("pytest", "fixture")` for `pytest.fixture`.
    pub fn owner_and_name(&self) -> (&str, &str) {
        self.path.rsplit_once('.').unwrap_or(("", &self.path))
    }

    pub fn reason(&self) -> KeepReason {
        KeepReason::Foreign { module: self.module.clone() }
    }

    fn is_typing(&self) -> bool {
        TYPING_MODULES.contains(&self.module.split('.').next().unwrap_or_default())
    }
}

/// Whether a value is held by a plain name or by an attribute (`self._session`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Holder {
    Variable,
    Attribute,
}

pub(super) struct Evidence<'a> {
    text: &'a str,
    scopes: &'a Scopes,
    /// Names bound by foreign imports.
    imports: HashMap<String, ForeignRef>,
    /// Names bound by first-party imports.
    first_party_imports: HashSet<String>,
    /// Names assigned (or annotated with) a foreign object somewhere in the file.
    values: HashMap<(Holder, String), ForeignRef>,
    /// Of those, the names whose object is itself one of the term's other meanings
    /// (`aiohttp.ClientSession`, `sqlalchemy.orm.sessionmaker`): every occurrence of them stays.
    kept: HashMap<String, ForeignRef>,
    /// Classes with a foreign base class, and that base.
    foreign_bases: HashMap<ScopeId, ForeignRef>,
    /// Of those, the classes whose base is itself one of the term's other meanings.
    their_classes: HashMap<ScopeId, ForeignRef>,
}

impl<'a> Evidence<'a> {
    pub fn build(file: &'a Collected<'_>, text: &'a str, rules: &RuleSet, project: &Project) -> Evidence<'a> {
        let mut evidence = Evidence {
            text,
            scopes: &file.scopes,
            imports: HashMap::new(),
            first_party_imports: HashSet::new(),
            values: HashMap::new(),
            kept: HashMap::new(),
            foreign_bases: HashMap::new(),
            their_classes: HashMap::new(),
        };
        for import in &file.imports {
            match project.python_origin(&import.module) {
                ModuleOrigin::Foreign(_) => {
                    let foreign = ForeignRef { module: import.module.clone(), path: import.path.clone() };
                    evidence.imports.entry(import.local.clone()).or_insert(foreign);
                }
                ModuleOrigin::FirstParty => {
                    evidence.first_party_imports.insert(import.local.clone());
                }
            }
        }
        evidence.trace_values(&file.values);
        evidence.kept = evidence
            .values
            .iter()
            .filter(|(_, foreign)| holds_their_term(foreign, rules))
            .map(|((_, name), foreign)| (name.clone(), foreign.clone()))
            .collect();
        for (class, base) in &file.class_bases {
            if let Some(foreign) = evidence.expression(*base).filter(|f| !f.is_typing()) {
                evidence.foreign_bases.entry(*class).or_insert(foreign);
            }
        }
        // `class TracingSession(requests.Session)` is one of their sessions too, and what it defines
        // may override what they define.
        evidence.their_classes = evidence
            .foreign_bases
            .iter()
            .filter(|(_, base)| holds_their_term(base, rules))
            .map(|(&class, base)| (class, base.clone()))
            .collect();
        for (&class, base) in &evidence.their_classes {
            evidence.kept.entry(file.scopes.get(class).name.clone()).or_insert_with(|| base.clone());
        }
        evidence
    }

    /// Propagate foreign values through assignments until nothing changes
    /// (`Session = sessionmaker()` then `session = Session()`).
    fn trace_values(&mut self, facts: &[ValueFact<'_>]) {
        loop {
            let known = self.values.len();
            for fact in facts {
                let holder = if fact.on_attribute { Holder::Attribute } else { Holder::Variable };
                let key = (holder, fact.name.clone());
                if self.values.contains_key(&key) {
                    continue;
                }
                let source = if fact.annotation { self.annotation(fact.source) } else { self.expression(fact.source) };
                if let Some(foreign) = source {
                    self.values.insert(key, foreign);
                }
            }
            if self.values.len() == known {
                return;
            }
        }
    }

    /// The foreign thing a name stands for wherever it occurs in the file, if any.
    pub fn foreign_name(&self, name: &str) -> Option<&ForeignRef> {
        self.imports.get(name).or_else(|| self.kept.get(name))
    }

    /// The foreign object a name holds when it is the term's other meaning (see `kept`).
    pub fn kept_name(&self, name: &str) -> Option<&ForeignRef> {
        self.kept.get(name)
    }

    /// The base of a class that extends one of the term's other meanings (`requests.Session`).
    pub fn their_class(&self, class: ScopeId) -> Option<&ForeignRef> {
        self.their_classes.get(&class)
    }

    pub fn is_first_party_import(&self, name: &str) -> bool {
        self.first_party_imports.contains(name)
    }

    /// What an expression evaluates to, when that is foreign.
    pub fn expression(&self, node: Node<'_>) -> Option<ForeignRef> {
        let node = unwrap_expression(node);
        match node.kind() {
            "identifier" => {
                let name = text_of(node, self.text);
                self.imports.get(name).or_else(|| self.values.get(&(Holder::Variable, name.to_owned()))).cloned()
            }
            "attribute" => {
                let name = text_of(node.child_by_field_name("attribute")?, self.text);
                match node.child_by_field_name("object").and_then(|o| self.expression(o)) {
                    Some(receiver) => Some(receiver.member(name)),
                    None => self.values.get(&(Holder::Attribute, name.to_owned())).cloned(),
                }
            }
            "call" => self.expression(node.child_by_field_name("function")?),
            "subscript" => self.expression(node.child_by_field_name("value")?),
            _ => None,
        }
    }

    /// The foreign type named in an annotation (`Optional[ClientSession]` -> `aiohttp.ClientSession`);
    /// generic containers and typing names are looked through.
    fn annotation(&self, node: Node<'_>) -> Option<ForeignRef> {
        match node.kind() {
            "identifier" | "attribute" => self.expression(node).filter(|f| !f.is_typing()),
            // The first child is the generic itself (`Optional`, `list`, `Mapped`).
            "generic_type" => named_children(node).into_iter().skip(1).find_map(|n| self.annotation(n)),
            "subscript" => {
                let mut cursor = node.walk();
                let arguments: Vec<_> = node.children_by_field_name("subscript", &mut cursor).collect();
                arguments.into_iter().find_map(|n| self.annotation(n))
            }
            "type" | "type_parameter" | "union_type" | "binary_operator" | "tuple" | "expression_list" => {
                named_children(node).into_iter().find_map(|n| self.annotation(n))
            }
            _ => None,
        }
    }

    /// The foreign thing `receiver.name` belongs to: a foreign receiver, or an attribute that a
    /// class inherits from a foreign base (`self.x` not set by the class itself, `super().x`).
    pub fn member(&self, receiver: Node<'_>, name: &str, scope: ScopeId) -> Option<ForeignRef> {
        if let Some(foreign) = self.expression(receiver) {
            return Some(foreign.member(name));
        }
        let (class, through_super) = if is_super_call(receiver, self.text) {
            (self.enclosing_class(scope)?, true)
        } else if receiver.kind() == "identifier" {
            (self.scopes.self_class(text_of(receiver, self.text), scope)?, false)
        } else {
            return None;
        };
        let base = self.foreign_bases.get(&class)?;
        let own = self.scopes.binds(class, name) || self.scopes.get(class).instance_attributes.contains_key(name);
        let theirs = through_super || !own || self.their_classes.contains_key(&class);
        theirs.then(|| base.member(name))
    }

    /// The foreign callable a call invokes, if any.
    pub fn callee(&self, call: &Call<'_>) -> Option<ForeignRef> {
        let callee = unwrap_expression(call.callee?);
        if callee.kind() == "attribute" {
            let receiver = callee.child_by_field_name("object")?;
            let name = text_of(callee.child_by_field_name("attribute")?, self.text);
            return self.member(receiver, name, call.scope);
        }
        self.expression(callee)
    }

    /// The class of the method that `scope` is (or is nested in).
    fn enclosing_class(&self, scope: ScopeId) -> Option<ScopeId> {
        let mut current = scope;
        loop {
            let parent = self.scopes.get(current).parent?;
            if self.scopes.get(parent).kind == ScopeKind::Class {
                return Some(parent);
            }
            current = parent;
        }
    }
}

/// Whether a foreign object is itself named by the term (`ClientSession`, `sessionmaker`) or kept by
/// the rule file: a name holding it means their session, not ours.
fn holds_their_term(foreign: &ForeignRef, rules: &RuleSet) -> bool {
    let (owner, name) = foreign.owner_and_name();
    rules.name_verdict(name) != NameVerdict::Unrelated || rules.python_keep(owner, name).is_some()
}
