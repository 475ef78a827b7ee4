//! Foreign evidence: names bound by third-party and standard-library imports, names that hold
//! objects those modules made, classes that inherit from them, and what follows from that for an
//! expression (`requests.Session()`, `self._session.get`).

use foldhash::{HashMap, HashMapExt};
use tree_sitter::Node;

use super::collect::{Call, Collected, Import, ValueFact};
use super::scopes::{ScopeId, ScopeKind, Scopes};
use super::syntax::{is_super_call, named_children, text_of, unwrap_expression};
use crate::lang::Context;
use crate::lang::symbols::NodeSymbols;
use crate::plan::KeepReason;
use crate::project::ModuleOrigin;
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

    /// Whether it is itself named by the term (`ClientSession`, `sessionmaker`) or kept by the rule
    /// file: a name holding it means their session, not ours.
    fn is_their_term(&self, rules: &RuleSet) -> bool {
        let (owner, name) = self.owner_and_name();
        rules.name_verdict(name) != NameVerdict::Unrelated || rules.python_keep(owner, name).is_some()
    }
}

/// The foreign object a first-party `from module import name` binds, if its module re-exports one.
fn reexported(import: &Import, cx: &Context<'_>) -> Option<ForeignRef> {
    let name = import.path.strip_prefix(&import.module)?.strip_prefix('.')?;
    let found = cx.project.python_reexports.foreign(cx.project, cx.path, &import.module, name)?;
    Some(ForeignRef { module: found.module, path: found.path })
}

/// What holds a value: a variable (its binding: scope and name), or an attribute of any object,
/// known by name only (`self._session`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Holder {
    Variable(ScopeId, String),
    Attribute(String),
}

pub(super) struct Evidence<'a> {
    text: &'a str,
    scopes: &'a Scopes,
    /// Bindings made by foreign imports.
    imports: HashMap<Holder, ForeignRef>,
    /// Bindings made by first-party imports.
    first_party_imports: Vec<Holder>,
    /// Holders assigned (or annotated with) a foreign object somewhere in the file.
    values: HashMap<Holder, ForeignRef>,
    /// Of those, the holders whose object is itself one of the term's other meanings
    /// (`aiohttp.ClientSession`, `sqlalchemy.orm.sessionmaker`): their occurrences stay.
    kept: HashMap<Holder, ForeignRef>,
    /// Classes with a foreign base class, and that base.
    foreign_bases: HashMap<ScopeId, ForeignRef>,
    /// Of those, the classes whose base is itself one of the term's other meanings.
    their_classes: HashMap<ScopeId, ForeignRef>,
}

impl<'a> Evidence<'a> {
    pub fn build(file: &'a Collected<'_>, text: &'a str, cx: &Context<'_>) -> Evidence<'a> {
        let (rules, project) = (cx.rules, cx.project);
        let mut evidence = Evidence {
            text,
            scopes: &file.scopes,
            imports: HashMap::new(),
            first_party_imports: Vec::new(),
            values: HashMap::new(),
            kept: HashMap::new(),
            foreign_bases: HashMap::new(),
            their_classes: HashMap::new(),
        };
        for import in &file.imports {
            let holder = evidence.variable(&import.local, import.scope);
            match project.python_origin(&import.module) {
                ModuleOrigin::Foreign(_) => {
                    let foreign = ForeignRef { module: import.module.clone(), path: import.path.clone() };
                    evidence.imports.entry(holder).or_insert(foreign);
                }
                // `from app.database import Session`, where app/database.py imports SQLAlchemy's.
                ModuleOrigin::FirstParty => match reexported(import, cx) {
                    Some(foreign) => {
                        evidence.imports.entry(holder).or_insert(foreign);
                    }
                    None => evidence.first_party_imports.push(holder),
                },
            }
        }
        evidence.framework_parameters(file);
        evidence.trace_values(&file.values);
        // In source order, so that the first evidence for a holder gives its reason.
        for fact in &file.values {
            let holder = evidence.holder(fact);
            if let Some(foreign) = evidence.values.get(&holder).filter(|f| f.is_their_term(rules)).cloned() {
                evidence.kept.entry(holder).or_insert(foreign);
            }
        }
        for &(class, base) in &file.class_bases {
            let outside = file.scopes.get(class).parent.unwrap_or(class);
            if let Some(foreign) = evidence.expression(base, outside).filter(|f| !f.is_typing()) {
                evidence.foreign_bases.entry(class).or_insert(foreign);
            }
        }
        // `class TracingSession(requests.Session)` is one of their sessions too, and what it defines
        // may override what they define.
        for &(class, _) in &file.class_bases {
            let Some(base) = evidence.foreign_bases.get(&class).filter(|b| b.is_their_term(rules)).cloned() else {
                continue;
            };
            let declared = file.scopes.get(class);
            let holder = evidence.variable(&declared.name, declared.parent.unwrap_or(class));
            evidence.kept.entry(holder).or_insert_with(|| base.clone());
            evidence.their_classes.entry(class).or_insert(base);
        }
        evidence
    }

    /// Parameters a framework fills by name. pytest calls a hook implementation
    /// (`def pytest_sessionstart(session)`) with the arguments its hook specification names, so
    /// they keep their names; and the `request` a test or fixture takes is pytest's
    /// `FixtureRequest` (`request.session` is pytest's session).
    fn framework_parameters(&mut self, file: &Collected<'_>) {
        let uses_pytest = file.imports.iter().any(|i| i.module == "pytest" || i.module.starts_with("_pytest"));
        for (scope, name) in &file.parameters {
            let function = &file.scopes.get(*scope).name;
            let holder = Holder::Variable(*scope, name.clone());
            if function.starts_with("pytest_") {
                let hook = ForeignRef { module: "pytest".to_owned(), path: format!("pytest.{function}.{name}") };
                self.values.entry(holder.clone()).or_insert_with(|| hook.clone());
                self.kept.entry(holder).or_insert(hook);
            } else if uses_pytest && name == "request" {
                let request = ForeignRef { module: "pytest".to_owned(), path: "pytest.FixtureRequest".to_owned() };
                self.values.entry(holder).or_insert(request);
            }
        }
    }

    /// The binding a use of `name` in `scope` refers to.
    fn variable(&self, name: &str, scope: ScopeId) -> Holder {
        Holder::Variable(self.scopes.resolve(name, scope), name.to_owned())
    }

    fn holder(&self, fact: &ValueFact<'_>) -> Holder {
        if fact.on_attribute {
            Holder::Attribute(fact.name.clone())
        } else {
            self.variable(&fact.name, fact.scope)
        }
    }

    /// Propagate foreign values through assignments until nothing changes
    /// (`Session = sessionmaker()` then `session = Session()`).
    fn trace_values(&mut self, facts: &[ValueFact<'_>]) {
        loop {
            let known = self.values.len();
            for fact in facts {
                let holder = self.holder(fact);
                if self.values.contains_key(&holder) {
                    continue;
                }
                let source = if fact.annotation {
                    self.annotation(fact.source, fact.scope)
                } else {
                    self.expression(fact.source, fact.scope)
                };
                if let Some(foreign) = source {
                    self.values.insert(holder, foreign);
                }
            }
            if self.values.len() == known {
                return;
            }
        }
    }

    /// The foreign thing that a use of `name` in `scope` stands for, if any: a foreign import, or
    /// a variable holding one of the term's other meanings.
    pub fn foreign_name(&self, name: &str, scope: ScopeId) -> Option<&ForeignRef> {
        let holder = self.variable(name, scope);
        self.imports.get(&holder).or_else(|| self.kept.get(&holder))
    }

    /// The foreign object an attribute of this name holds when it is the term's other meaning.
    pub fn kept_attribute(&self, name: &str) -> Option<&ForeignRef> {
        self.kept.get(&Holder::Attribute(name.to_owned()))
    }

    /// The base of a class that extends one of the term's other meanings (`requests.Session`).
    pub fn their_class(&self, class: ScopeId) -> Option<&ForeignRef> {
        self.their_classes.get(&class)
    }

    pub fn is_first_party_import(&self, name: &str, scope: ScopeId) -> bool {
        self.first_party_imports.contains(&self.variable(name, scope))
    }

    /// What an expression evaluated in `scope` yields, when that is foreign.
    pub fn expression(&self, node: Node<'_>, scope: ScopeId) -> Option<ForeignRef> {
        let node = unwrap_expression(node);
        match node.kind_name() {
            "identifier" => {
                let holder = self.variable(text_of(node, self.text), scope);
                self.imports.get(&holder).or_else(|| self.values.get(&holder)).cloned()
            }
            "attribute" => {
                let name = text_of(node.field("attribute")?, self.text);
                match node.field("object").and_then(|o| self.expression(o, scope)) {
                    Some(receiver) => Some(receiver.member(name)),
                    None => self.values.get(&Holder::Attribute(name.to_owned())).cloned(),
                }
            }
            "call" => self.expression(node.field("function")?, scope),
            "subscript" => self.expression(node.field("value")?, scope),
            // `session or requests.Session()`, `a if c else b`: either side may be the value.
            "boolean_operator" | "conditional_expression" => {
                named_children(node).into_iter().find_map(|operand| self.expression(operand, scope))
            }
            _ => None,
        }
    }

    /// The foreign type named in an annotation (`Optional[ClientSession]` -> `aiohttp.ClientSession`);
    /// generic containers and typing names are looked through.
    fn annotation(&self, node: Node<'_>, scope: ScopeId) -> Option<ForeignRef> {
        match node.kind_name() {
            "identifier" | "attribute" => self.expression(node, scope).filter(|f| !f.is_typing()),
            // The first child is the generic itself (`Optional`, `list`, `Mapped`).
            "generic_type" => named_children(node).into_iter().skip(1).find_map(|n| self.annotation(n, scope)),
            "subscript" => {
                let mut cursor = node.walk();
                let arguments: Vec<_> = node.fields("subscript", &mut cursor).collect();
                arguments.into_iter().find_map(|n| self.annotation(n, scope))
            }
            "type" | "type_parameter" | "union_type" | "binary_operator" | "tuple" | "expression_list" => {
                named_children(node).into_iter().find_map(|n| self.annotation(n, scope))
            }
            _ => None,
        }
    }

    /// The foreign thing `receiver.name` belongs to: a foreign receiver, or an attribute that a
    /// class inherits from a foreign base (`self.x` not set by the class itself, `super().x`).
    pub fn member(&self, receiver: Node<'_>, name: &str, scope: ScopeId) -> Option<ForeignRef> {
        if let Some(foreign) = self.expression(receiver, scope) {
            return Some(foreign.member(name));
        }
        let (class, through_super) = if is_super_call(receiver, self.text) {
            (self.enclosing_class(scope)?, true)
        } else if receiver.kind_name() == "identifier" {
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
        if callee.kind_name() == "attribute" {
            let receiver = callee.field("object")?;
            let name = text_of(callee.field("attribute")?, self.text);
            return self.member(receiver, name, call.scope);
        }
        self.expression(callee, call.scope)
    }

    /// What a keyword of a call belongs to when that is foreign: a foreign callee; the constructor
    /// a class of this file inherits from a foreign base, unless the keyword is one of the class's
    /// own fields (`class Model(BaseModel)` takes its fields as keywords); or a parameter of a
    /// function of this file that holds their object (`def f(session: ClientSession)`).
    pub fn keyword_owner(&self, call: &Call<'_>, keyword: &str) -> Option<ForeignRef> {
        if let Some(foreign) = self.callee(call) {
            return Some(foreign);
        }
        let callee = unwrap_expression(call.callee?);
        if callee.kind_name() != "identifier" {
            return None;
        }
        self.scopes.callables(text_of(callee, self.text)).find_map(|callable| {
            let parameters = self.scopes.parameters_of(callable);
            match self.foreign_bases.get(&callable) {
                Some(base) if parameters == callable && !self.scopes.binds(callable, keyword) => {
                    Some(base.member("__init__"))
                }
                _ => self.kept.get(&Holder::Variable(parameters, keyword.to_owned())).cloned(),
            }
        })
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
