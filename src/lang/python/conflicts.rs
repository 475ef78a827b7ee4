//! Clashes: renames that would merge two names or change what a name refers to. Checked per
//! namespace (a scope, with a class's instance attributes; a dict literal's keys; a call's
//! keywords) and, for scopes, across them (capture and shadowing, LEGB).

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};

use super::collect::Collected;
use super::scopes::{ScopeId, Scopes, MODULE};
use crate::project::{ModuleOrigin, Project};

/// Why a rename is refused, and where the name it clashes with is defined (a byte offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Clash {
    pub why: String,
    pub other: Option<usize>,
}

impl Clash {
    /// A module path component (or a name imported from one) whose file move was refused.
    pub fn blocked(name: &str, project: &Project) -> Clash {
        Clash { why: project.refused(name, &format!("the file move for `{name}`")), other: None }
    }
}

/// The new name each kind of entry would get, clashes aside.
pub(super) trait Proposed {
    /// A variable bound in `scope`.
    fn binding(&self, scope: ScopeId, name: &str) -> Option<String>;
    /// An instance attribute (`self.name`).
    fn attribute(&self, name: &str) -> Option<String>;
    fn key(&self, key: &str) -> Option<String>;
    fn keyword(&self, call: usize, keyword: &str) -> Option<String>;
}

#[derive(Debug, Default)]
pub(super) struct Clashes {
    bindings: HashMap<(ScopeId, String), Clash>,
    dict_keys: HashMap<(usize, String), Clash>,
    keywords: HashMap<(usize, String), Clash>,
}

impl Clashes {
    pub fn build(file: &Collected<'_>, proposed: &impl Proposed, project: &Project) -> Clashes {
        let mut clashes = Clashes::default();
        for scope in file.scopes.ids() {
            clashes.scope(&file.scopes, scope, proposed);
        }
        // An import of a module whose move was refused keeps its name, and so do its uses.
        for import in &file.imports {
            let first_party = project.python_origin(&import.module) == ModuleOrigin::FirstParty;
            if first_party && !import.aliased && project.is_blocked(&import.local) {
                clashes.bindings.insert((import.scope, import.local.clone()), Clash::blocked(&import.local, project));
            }
        }
        let keys = file.dicts.iter().map(Vec::as_slice);
        clashes.dict_keys = grouped(keys, |_, key| proposed.key(key), ("key", "dict already has key"));
        let keywords = file.calls.iter().map(|call| call.keywords.as_slice());
        clashes.keywords = grouped(keywords, |call, k| proposed.keyword(call, k), ("keyword", "call already passes"));
        clashes
    }

    fn scope(&mut self, scopes: &Scopes, scope: ScopeId, proposed: &impl Proposed) {
        let place = scopes.describe(scope);
        let declared = scopes.get(scope);
        let mut names: Vec<(&str, Option<usize>)> =
            declared.bindings.iter().map(|(name, &at)| (name.as_str(), Some(at))).collect();
        if scope == MODULE {
            names.extend(scopes.unbound().map(|name| (name, None)));
        }
        // A class's body and the `self.x` its methods assign share one namespace.
        let attributes = declared.instance_attributes.iter().map(|(name, &at)| (name.as_str(), Some(at)));
        let mut entries: Vec<(&str, Option<usize>)> = names.iter().copied().chain(attributes).collect();
        entries.sort_by_key(|&(name, at)| (at.is_none(), at, name));
        // Names set only through `self.x` are attributes; the rest are variables of this scope.
        let new_name = |name: &str| {
            if declared.instance_attributes.contains_key(name) && !declared.bindings.contains_key(name) {
                proposed.attribute(name)
            } else {
                proposed.binding(scope, name)
            }
        };
        for collision in collisions(entries, new_name) {
            let why = if collision.existing_renamed {
                format!("`{}` would also become `{}` in {place}", collision.existing, collision.to)
            } else {
                format!("`{}` already exists in {place}", collision.existing)
            };
            self.bindings.insert((scope, collision.name), Clash { why, other: collision.at });
        }
        for (name, _) in names {
            let key = (scope, name.to_owned());
            if self.bindings.contains_key(&key) {
                continue;
            }
            let Some(to) = proposed.binding(scope, name).filter(|to| proposed.binding(scope, to).is_none()) else {
                continue;
            };
            if let Some(clash) = shadowed(scopes, scope, name, &to).or_else(|| captured(scopes, scope, &to)) {
                self.bindings.insert(key, clash);
            }
        }
    }

    /// The clash of the binding of `name` in `scope`.
    pub fn binding(&self, scope: ScopeId, name: &str) -> Option<&Clash> {
        self.bindings.get(&(scope, name.to_owned()))
    }

    pub fn dict_key(&self, dict: usize, key: &str) -> Option<&Clash> {
        self.dict_keys.get(&(dict, key.to_owned()))
    }

    pub fn keyword(&self, call: usize, keyword: &str) -> Option<&Clash> {
        self.keywords.get(&(call, keyword.to_owned()))
    }

    /// The clash of parameter `name` of a function or class called `callable`: a keyword passed to
    /// it must stay with it.
    pub fn parameter(&self, scopes: &Scopes, callable: &str, name: &str) -> Option<&Clash> {
        scopes.callables(callable).find_map(|scope| self.binding(scopes.parameters_of(scope), name))
    }
}

/// A use of the renamed binding would resolve to an inner binding of the new name instead.
fn shadowed(scopes: &Scopes, scope: ScopeId, name: &str, to: &str) -> Option<Clash> {
    for user in scopes.uses_of(name).filter(|&user| scopes.resolve(name, user) == scope) {
        if let Some(inner) = scopes.visible(user).take_while(|&s| s != scope).find(|&s| scopes.binds(s, to)) {
            let why = format!("would be shadowed by `{to}` in {}", scopes.describe(inner));
            return Some(Clash { why, other: scopes.get(inner).bindings.get(to).copied() });
        }
    }
    None
}

/// A use of the new name that reaches an outer binding would reach the renamed one instead.
fn captured(scopes: &Scopes, scope: ScopeId, to: &str) -> Option<Clash> {
    for user in scopes.uses_of(to) {
        let current = scopes.resolve(to, user);
        if current == scope {
            continue;
        }
        if scopes.visible(user).take_while(|&s| s != current).any(|s| s == scope) {
            let why = if current == MODULE {
                format!("would capture module-level `{to}`")
            } else {
                format!("would capture `{to}` of {}", scopes.describe(current))
            };
            return Some(Clash { why, other: scopes.get(current).bindings.get(to).copied() });
        }
    }
    None
}

/// The collisions within each of many small namespaces (the keys of each dict literal, the keywords
/// of each call), by the namespace's index; the wording names an entry and says it is already there.
fn grouped<'a>(
    groups: impl Iterator<Item = &'a [(String, usize)]>,
    new_name: impl Fn(usize, &str) -> Option<String>,
    (noun, already): (&str, &str),
) -> HashMap<(usize, String), Clash> {
    let mut clashes = HashMap::new();
    for (index, entries) in groups.enumerate() {
        let entries = entries.iter().map(|(name, at)| (name.as_str(), Some(*at)));
        for collision in collisions(entries, |name| new_name(index, name)) {
            let why = if collision.existing_renamed {
                format!("another {noun} would also become `{}`", collision.to)
            } else {
                format!("{already} `{}`", collision.existing)
            };
            clashes.insert((index, collision.name), Clash { why, other: collision.at });
        }
    }
    clashes
}

/// A rename in one namespace that lands on a name already there (which stays) or on the target of
/// another rename.
struct Collision {
    name: String,
    to: String,
    existing: String,
    /// Where `existing` is defined, when it is defined in the file.
    at: Option<usize>,
    existing_renamed: bool,
}

/// The collisions among a namespace's entries (a name and where it is defined; first one wins).
fn collisions<'a>(
    entries: impl IntoIterator<Item = (&'a str, Option<usize>)>,
    new_name: impl Fn(&str) -> Option<String>,
) -> Vec<Collision> {
    let mut present: HashMap<&str, Option<usize>> = HashMap::new();
    let mut landing: BTreeMap<String, Vec<(&str, Option<usize>)>> = BTreeMap::new();
    for (name, at) in entries {
        if present.contains_key(name) {
            continue;
        }
        present.insert(name, at);
        if let Some(to) = new_name(name) {
            landing.entry(to).or_default().push((name, at));
        }
    }
    let mut found = Vec::new();
    for (to, renamed) in landing {
        let staying = present.get(to.as_str()).filter(|_| new_name(&to).is_none());
        for (i, &(name, _)) in renamed.iter().enumerate() {
            let (existing, at, existing_renamed) = match staying {
                Some(&at) => (to.as_str(), at, false),
                None if renamed.len() > 1 => {
                    let (other, at) = renamed[usize::from(i == 0)];
                    (other, at, true)
                }
                None => continue,
            };
            found.push(Collision {
                name: name.to_owned(),
                to: to.clone(),
                existing: existing.to_owned(),
                at,
                existing_renamed,
            });
        }
    }
    found
}
