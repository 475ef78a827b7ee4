//! Verdicts and the plan. A symbol has one verdict for all its occurrences, so a name and its uses
//! change together or not at all; a property name has one verdict across the file unless it is
//! someone else's; a shorthand whose two names part ways is written out in full.

use std::cell::RefCell;
use std::ops::Range;

use foldhash::{HashMap, HashMapExt};

use super::collect::{Collected, Form, Member, Name, Occurrence, What};
use super::origin::Owner;
use super::scope::{DeclKind, ScopeId, SymbolId, MODULE};
use super::specifier::Module;
use super::Analysis;
use crate::edit::Edit;
use crate::engine::LineIndex;
use crate::lang::symbols::NodeSymbols;
use crate::plan::{FilePlan, Finding, KeepReason, Location, Role, Share, Verdict};
use crate::rules::{NameVerdict, Where};

/// What happens to one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Decision {
    Rename(String),
    Keep(KeepReason),
    Review {
        to: String,
        why: String,
    },
    /// `other` is the byte range of the clashing name in this file.
    Conflict {
        to: String,
        why: String,
        other: Option<Range<usize>>,
    },
}

impl Decision {
    fn renamed(&self) -> Option<&str> {
        match self {
            Decision::Rename(to) => Some(to),
            _ => None,
        }
    }

    /// How much a verdict asks of a person: a conflict more than a review, a review more than a keep.
    fn weight(&self) -> u8 {
        match self {
            Decision::Rename(_) => 0,
            Decision::Keep(_) => 1,
            Decision::Review { .. } => 2,
            Decision::Conflict { .. } => 3,
        }
    }
}

impl Analysis<'_, '_> {
    /// The rule set's verdict on a bare name; `None` when it holds no term.
    pub(super) fn verdict(&self, name: &str) -> Option<Decision> {
        match self.cx.rules.name_verdict(name) {
            NameVerdict::Unrelated => None,
            NameVerdict::Rename(to) => Some(Decision::Rename(to)),
            NameVerdict::Keep(reason) => Some(Decision::Keep(reason)),
        }
    }
}

pub(super) fn plan(an: &Analysis<'_, '_>, collected: &Collected) -> FilePlan {
    let decider = Decider {
        an,
        blocked: blocked_members(an, &collected.containers),
        symbols: RefCell::default(),
        renamed_to: RefCell::default(),
        lines: LineIndex::new(an.text),
    };
    let mut plan = FilePlan::default();
    for occurrence in &collected.occurrences {
        decider.emit(occurrence, &mut plan);
    }
    plan
}

/// Property names that stay everywhere in the file, with why and the clashing member: renaming
/// them would give one interface, class, object or element two members of the same name.
fn blocked_members(an: &Analysis<'_, '_>, containers: &[Vec<Member>]) -> HashMap<String, (String, Range<usize>)> {
    let mut blocked = HashMap::new();
    for members in containers {
        for member in members {
            let Some(Decision::Rename(to)) = an.verdict(&member.name) else { continue };
            let clash = members.iter().find(|other| {
                other.name != member.name
                    && (other.name == to || an.verdict(&other.name).is_some_and(|d| d.renamed() == Some(&to)))
            });
            if let Some(clash) = clash {
                let why = if clash.name == to {
                    format!("`{to}` is already a member here")
                } else {
                    format!("`{}` becomes `{to}` too", clash.name)
                };
                blocked.entry(member.name.clone()).or_insert((why, clash.range.clone()));
            }
        }
    }
    blocked
}

struct Decider<'d, 'a, 't> {
    an: &'d Analysis<'a, 't>,
    blocked: HashMap<String, (String, Range<usize>)>,
    symbols: RefCell<HashMap<SymbolId, Decision>>,
    /// Per scope, the symbols the rules rename to each new name, in declaration order: asked
    /// for by every renamed symbol of a scope, so made once per scope, not once per symbol.
    renamed_to: RefCell<HashMap<ScopeId, HashMap<String, Vec<SymbolId>>>>,
    lines: LineIndex,
}

impl Decider<'_, '_, '_> {
    fn emit(&self, occurrence: &Occurrence, plan: &mut FilePlan) {
        let range = occurrence.range.clone();
        let text = &self.an.text[range.clone()];
        let role = occurrence.role;
        match &occurrence.what {
            What::One(name) => {
                let decision = self.decide(name, role);
                if matches!(decision, Decision::Conflict { .. }) {
                    plan.shares.extend(self.share(name, text, range.start));
                }
                self.record(plan, range, text, role, decision);
            }
            What::Shorthand { key, value, form } => {
                let (key, value) = (self.decide(key, role), self.decide(value, role));
                match (key.renamed(), value.renamed()) {
                    (Some(k), Some(v)) if k == v => self.record(plan, range, text, role, key),
                    (None, None) => {
                        let worse = if value.weight() > key.weight() { value } else { key };
                        self.record(plan, range, text, role, worse);
                    }
                    (k, v) => {
                        let separator = match form {
                            Form::Property => ": ",
                            Form::Import => " as ",
                        };
                        let written = format!("{}{separator}{}", k.unwrap_or(text), v.unwrap_or(text));
                        plan.edits.push(Edit::new(range.clone(), written.clone()));
                        let verdict = Verdict::Rename { to: written };
                        plan.findings.push(Finding { range, text: text.to_owned(), role, verdict });
                    }
                }
            }
        }
    }

    /// Other modules import a module-level declaration, and reach a project member through the
    /// declaration that holds it, so a conflict on either holds for them too (`crate::safety`).
    fn share(&self, name: &Name, text: &str, at: usize) -> Option<Share> {
        match name {
            Name::Symbol(id) if self.an.scopes.symbol(*id).scope == MODULE => {
                Some(Share::Name { name: text.to_owned(), at })
            }
            Name::Property { owner: Owner::FirstParty, .. } => {
                Some(Share::Member { owner: self.declaration_around(at)?, name: text.to_owned(), at })
            }
            _ => None,
        }
    }

    /// The name of the interface, class, type, enum or variable whose body holds offset `at`.
    fn declaration_around(&self, at: usize) -> Option<String> {
        let node = self.an.root.descendant_for_byte_range(at, at)?;
        let declaration = std::iter::successors(Some(node), |n| n.parent()).skip(1).find(|n| {
            matches!(
                n.kind_name(),
                "interface_declaration"
                    | "class_declaration"
                    | "abstract_class_declaration"
                    | "type_alias_declaration"
                    | "enum_declaration"
                    | "variable_declarator"
            )
        })?;
        Some(self.an.text[declaration.field("name")?.byte_range()].to_owned())
    }

    fn record(&self, plan: &mut FilePlan, range: Range<usize>, text: &str, role: Role, decision: Decision) {
        match decision {
            Decision::Rename(to) => plan.rename(range, text, role, to),
            Decision::Keep(reason) => plan.keep(range, text, role, reason),
            Decision::Review { to, why } => plan.review(range, text, role, to, why),
            Decision::Conflict { to, why, other } => {
                let other = other.map(|r| self.location(r.start));
                plan.conflict(range, text, role, to, why, other);
            }
        }
    }

    fn location(&self, at: usize) -> Location {
        let (line, column) = self.lines.line_column(self.an.text, at);
        Location { path: self.an.cx.path.to_path_buf(), line, column }
    }

    fn decide(&self, name: &Name, role: Role) -> Decision {
        let decision = match name {
            Name::Symbol(id) => self.symbol(*id),
            Name::Property { name, owner } => self.property(name, owner),
            Name::Fixed(decision) => decision.clone(),
        };
        gate(decision, role, &self.an.cx.rules.places)
    }

    fn symbol(&self, id: SymbolId) -> Decision {
        if let Some(known) = self.symbols.borrow().get(&id) {
            return known.clone();
        }
        let name = &self.an.scopes.symbol(id).name;
        let decision = match self.an.verdict(name) {
            Some(Decision::Rename(to)) => self.rename_symbol(id, to),
            Some(other) => other,
            None => Decision::Keep(KeepReason::NotRewritten),
        };
        self.symbols.borrow_mut().insert(id, decision.clone());
        decision
    }

    /// A symbol keeps its name when it is a package's, or holds a value that is that package's
    /// kind of the term; otherwise it is renamed unless the new name would clash.
    fn rename_symbol(&self, id: SymbolId, to: String) -> Decision {
        let symbol = self.an.scopes.symbol(id);
        let from_package = symbol.decls.iter().any(|d| match &d.kind {
            DeclKind::Import { source, .. } => !matches!(self.an.module(source), Module::FirstParty(_)),
            _ => false,
        });
        if let Some(origin) = self.an.symbol_origin(id).filter(|o| from_package || o.via_term) {
            return Decision::Keep(origin.reason);
        }
        match self.symbol_conflict(id, &to) {
            Some((why, other)) => Decision::Conflict { to, why, other: Some(other) },
            None => Decision::Rename(to),
        }
    }

    /// Why renaming symbol `id` to `to` would change what some name means, and where.
    fn symbol_conflict(&self, id: SymbolId, to: &str) -> Option<(String, Range<usize>)> {
        let scopes = &self.an.scopes;
        let symbol = scopes.symbol(id);
        let site = |other: SymbolId| scopes.symbol(other).decls[0].site.byte_range();
        let scope = scopes.scope(symbol.scope);
        if let Some(other) = scope.get(to) {
            return Some((format!("`{to}` is already declared in the same scope"), site(other)));
        }
        if let Some(other) = self.also_renamed_to(symbol.scope, to, id) {
            let why = format!("`{}` in the same scope becomes `{to}` too", scopes.symbol(other).name);
            return Some((why, site(other)));
        }
        // A use inside a nested scope that declares `to` would resolve to that declaration.
        for used in &symbol.uses {
            if let Some(other) = scopes.between(used.scope, symbol.scope).find_map(|s| scopes.scope(s).get(to)) {
                let why = format!("a use of `{}` would resolve to the `{to}` declared in a nested scope", symbol.name);
                return Some((why, site(other)));
            }
        }
        // A `to` from an enclosing scope, used inside this one, would be hidden by the new name.
        for &other in scopes.named(to) {
            let outer = scopes.symbol(other);
            if outer.scope == symbol.scope || !scopes.is_within(symbol.scope, outer.scope) {
                continue;
            }
            if let Some(hidden) = outer.uses.iter().find(|u| scopes.is_within(u.scope, symbol.scope)) {
                let why = format!("`{to}` from an enclosing scope is used here: the new name would hide it");
                return Some((why, hidden.range.clone()));
            }
        }
        None
    }

    /// The first declared symbol of `scope` other than `id` that the rules rename to `to`.
    fn also_renamed_to(&self, scope: ScopeId, to: &str, id: SymbolId) -> Option<SymbolId> {
        let mut renamed_to = self.renamed_to.borrow_mut();
        let by_name = renamed_to.entry(scope).or_insert_with(|| {
            let scopes = &self.an.scopes;
            let mut by_name: HashMap<String, Vec<SymbolId>> = HashMap::new();
            for symbol in scopes.scope(scope).symbols() {
                if let Some(Decision::Rename(new)) = self.an.verdict(&scopes.symbol(symbol).name) {
                    by_name.entry(new).or_default().push(symbol);
                }
            }
            by_name.values_mut().for_each(|symbols| symbols.sort_unstable());
            by_name
        });
        by_name.get(to)?.iter().copied().find(|&symbol| symbol != id)
    }

    fn property(&self, name: &str, owner: &Owner) -> Decision {
        let to = match self.an.verdict(name) {
            Some(Decision::Rename(to)) => to,
            Some(other) => return other,
            None => return Decision::Keep(KeepReason::NotRewritten),
        };
        match owner {
            Owner::Foreign(origin) => Decision::Keep(origin.reason.clone()),
            Owner::ForeignArgument(origin) => Decision::Review {
                to,
                why: format!(
                    "a key of a value handed to `{}`: an option of that API, or data it carries",
                    origin.source()
                ),
            },
            Owner::ForeignHeritage(origin) => Decision::Review {
                to,
                why: format!("a member of a type that extends `{}`: it may override theirs", origin.source()),
            },
            Owner::FirstParty => match self.blocked.get(name) {
                Some((why, other)) => Decision::Conflict { to, why: why.clone(), other: Some(other.clone()) },
                None => match self.an.cx.project.shared.member_elsewhere(self.an.cx.path, self.an.text, name) {
                    Some(why) => Decision::Conflict { to, why, other: None },
                    None => Decision::Rename(to),
                },
            },
        }
    }
}

/// The rule file's `[where]`: a rename in a place it does not rewrite is kept (prose: reviewed).
fn gate(decision: Decision, role: Role, places: &Where) -> Decision {
    match decision {
        Decision::Rename(to) if !places.rewrites(role) && role == Role::Prose => {
            Decision::Review { to, why: "prose meant for people: rewritten only when [where] prose = true".into() }
        }
        Decision::Rename(_) if !places.rewrites(role) => Decision::Keep(KeepReason::NotRewritten),
        decision => decision,
    }
}
