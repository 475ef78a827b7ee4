//! Python scopes: what each scope binds, where each name is used, and LEGB resolution.

use std::collections::BTreeSet;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

pub(super) type ScopeId = usize;

/// The module scope is always the first one.
pub(super) const MODULE: ScopeId = 0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ScopeKind {
    Module,
    Class,
    Function,
    Lambda,
    /// List/set/dict comprehensions and generator expressions have their own scope.
    Comprehension,
}

#[derive(Debug)]
pub(super) struct Scope {
    pub kind: ScopeKind,
    /// The class or function name; empty for the module, lambdas and comprehensions.
    pub name: String,
    pub parent: Option<ScopeId>,
    /// Names bound here, each with the byte offset of its first binding.
    pub bindings: HashMap<String, usize>,
    /// For a class: `self.<name>` assigned in its methods (they share the class's namespace).
    pub instance_attributes: HashMap<String, usize>,
    /// For a method: its first parameter, when it is `self` or `cls`.
    pub self_parameter: Option<String>,
    declared_global: HashSet<String>,
    declared_nonlocal: HashSet<String>,
}

impl Scope {
    fn new(kind: ScopeKind, name: &str, parent: Option<ScopeId>) -> Scope {
        Scope {
            kind,
            name: name.to_owned(),
            parent,
            bindings: HashMap::new(),
            instance_attributes: HashMap::new(),
            self_parameter: None,
            declared_global: HashSet::new(),
            declared_nonlocal: HashSet::new(),
        }
    }
}

#[derive(Debug)]
pub(super) struct Scopes {
    scopes: Vec<Scope>,
    /// The scopes in which each name is bound or used.
    uses: HashMap<String, BTreeSet<ScopeId>>,
    /// Function and class scopes by name, first opened first: asked for every keyword of every
    /// call, which a scan of all scopes made quadratic in a large file.
    callables: HashMap<String, Vec<ScopeId>>,
    /// Each class's first `__init__`.
    inits: HashMap<ScopeId, ScopeId>,
}

impl Scopes {
    pub fn new() -> Scopes {
        Scopes {
            scopes: vec![Scope::new(ScopeKind::Module, "", None)],
            uses: HashMap::new(),
            callables: HashMap::new(),
            inits: HashMap::new(),
        }
    }

    pub fn open(&mut self, kind: ScopeKind, name: &str, parent: ScopeId) -> ScopeId {
        let id = self.scopes.len();
        if matches!(kind, ScopeKind::Function | ScopeKind::Class) {
            self.callables.entry(name.to_owned()).or_default().push(id);
        }
        if kind == ScopeKind::Function && name == "__init__" && self.scopes[parent].kind == ScopeKind::Class {
            self.inits.entry(parent).or_insert(id);
        }
        self.scopes.push(Scope::new(kind, name, Some(parent)));
        id
    }

    pub fn get(&self, id: ScopeId) -> &Scope {
        &self.scopes[id]
    }

    pub fn ids(&self) -> impl Iterator<Item = ScopeId> {
        0..self.scopes.len()
    }

    /// Bind `name` in `scope`, following its `global` / `nonlocal` declarations.
    pub fn bind(&mut self, scope: ScopeId, name: &str, at: usize) {
        self.note_use(scope, name);
        let declared = &self.scopes[scope];
        let target = if declared.declared_global.contains(name) {
            MODULE
        } else if declared.declared_nonlocal.contains(name) {
            // Bound in an enclosing function, which binds it itself.
            return;
        } else {
            scope
        };
        self.scopes[target].bindings.entry(name.to_owned()).or_insert(at);
    }

    pub fn note_use(&mut self, scope: ScopeId, name: &str) {
        self.uses.entry(name.to_owned()).or_default().insert(scope);
    }

    pub fn declare_global(&mut self, scope: ScopeId, name: &str) {
        self.scopes[scope].declared_global.insert(name.to_owned());
        self.note_use(scope, name);
    }

    pub fn declare_nonlocal(&mut self, scope: ScopeId, name: &str) {
        self.scopes[scope].declared_nonlocal.insert(name.to_owned());
        self.note_use(scope, name);
    }

    pub fn set_self_parameter(&mut self, method: ScopeId, name: &str) {
        self.scopes[method].self_parameter = Some(name.to_owned());
    }

    pub fn add_instance_attribute(&mut self, class: ScopeId, name: &str, at: usize) {
        self.scopes[class].instance_attributes.entry(name.to_owned()).or_insert(at);
    }

    /// Where an assignment expression (`:=`) binds: comprehensions hand it to their enclosing scope.
    pub fn walrus_scope(&self, mut scope: ScopeId) -> ScopeId {
        while self.scopes[scope].kind == ScopeKind::Comprehension {
            scope = self.scopes[scope].parent.unwrap_or(MODULE);
        }
        scope
    }

    /// The scopes a name used in `from` is looked up in, innermost first: class bodies are only
    /// visible to their own statements.
    pub fn visible(&self, from: ScopeId) -> impl Iterator<Item = ScopeId> + '_ {
        let outer = std::iter::successors(self.scopes[from].parent, |&s| self.scopes[s].parent)
            .filter(|&s| self.scopes[s].kind != ScopeKind::Class);
        std::iter::once(from).chain(outer)
    }

    /// The scope whose binding a use of `name` in `from` refers to; names bound nowhere in the file
    /// (builtins, star imports) resolve to the module.
    pub fn resolve(&self, name: &str, from: ScopeId) -> ScopeId {
        for id in self.visible(from) {
            let scope = &self.scopes[id];
            if scope.declared_global.contains(name) {
                return MODULE;
            }
            if !scope.declared_nonlocal.contains(name) && scope.bindings.contains_key(name) {
                return id;
            }
        }
        MODULE
    }

    pub fn binds(&self, scope: ScopeId, name: &str) -> bool {
        self.scopes[scope].bindings.contains_key(name)
    }

    /// Names used in the file that no scope binds (builtins, star imports): they are looked up in
    /// the module, so they share its namespace.
    pub fn unbound(&self) -> impl Iterator<Item = &str> + '_ {
        self.uses
            .iter()
            .filter(|(name, users)| {
                !self.binds(MODULE, name) && users.iter().any(|&user| self.resolve(name, user) == MODULE)
            })
            .map(|(name, _)| name.as_str())
    }

    pub fn uses_of(&self, name: &str) -> impl Iterator<Item = ScopeId> + '_ {
        self.uses.get(name).into_iter().flatten().copied()
    }

    /// The class whose instance `receiver` is, when `receiver` is the `self`/`cls` parameter of one
    /// of its methods as seen from `from`.
    pub fn self_class(&self, receiver: &str, from: ScopeId) -> Option<ScopeId> {
        let method = &self.scopes[self.resolve(receiver, from)];
        let parent = method.parent?;
        (method.self_parameter.as_deref() == Some(receiver) && self.scopes[parent].kind == ScopeKind::Class)
            .then_some(parent)
    }

    /// Function and class scopes named `name` (the definitions a call of `name` may reach).
    pub fn callables<'s>(&'s self, name: &str) -> impl Iterator<Item = ScopeId> + 's {
        self.callables.get(name).into_iter().flatten().copied()
    }

    /// Where the parameters of a callable scope live: a function's own scope; a class's `__init__`,
    /// or else the class body (dataclass and model fields).
    pub fn parameters_of(&self, callable: ScopeId) -> ScopeId {
        self.inits.get(&callable).copied().unwrap_or(callable)
    }

    /// How messages name a scope: "the module", "class `Event`", "function `record`".
    pub fn describe(&self, id: ScopeId) -> String {
        let scope = &self.scopes[id];
        match scope.kind {
            ScopeKind::Module => "the module".to_owned(),
            ScopeKind::Class => format!("class `{}`", scope.name),
            ScopeKind::Function => format!("function `{}`", scope.name),
            ScopeKind::Lambda => "a lambda".to_owned(),
            ScopeKind::Comprehension => "a comprehension".to_owned(),
        }
    }
}
