//! Second pass: the verdict of every site, from the rules, the project's file moves and the
//! clashes between the names of one scope.

use std::collections::{BTreeMap, HashMap};

use super::collect::{Collected, Decl, Namespace, Position, Scope, ScopeId, ScopeKind, Site, SiteKind};
use super::source::Source;
use crate::engine::Lines;
use crate::lang::Context;
use crate::plan::{FilePlan, Finding, KeepReason, Location, Role, Verdict};
use crate::rules::{NameVerdict, RuleSet};

/// Strict and reserved keywords that `r#` turns into identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn", "else", "enum",
    "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod", "move",
    "mut", "override", "priv", "pub", "ref", "return", "static", "struct", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];
/// Keywords that cannot be raw identifiers.
const NEVER_RAW: &[&str] = &["_", "crate", "self", "Self", "super"];

pub(super) fn decide(collected: &Collected, src: &Source<'_>, cx: &Context<'_>) -> FilePlan {
    let judge = Judge { collected, src, cx, clashes: clashes(collected, cx.rules), lines: Lines::new(src.text) };
    let mut plan = FilePlan::default();
    for site in collected.sites.values() {
        let word = &src.text[site.range.clone()];
        let verdict = match cx.rules.name_verdict(word) {
            NameVerdict::Unrelated => continue,
            NameVerdict::Keep(reason) => Verdict::Keep { reason },
            NameVerdict::Rename(to) => judge.verdict(site, word, to),
        };
        match verdict {
            Verdict::Rename { to } => plan.rename(site.range.clone(), word, site.role, to),
            verdict => {
                let (range, text, role) = (site.range.clone(), word.to_owned(), site.role);
                plan.findings.push(Finding { range, text, role, verdict });
            }
        }
    }
    plan
}

/// Why a name stays: another name of its scope has, or would get, its new spelling.
struct Clash {
    why: String,
    /// Byte offset of the other name.
    other: usize,
}

/// What a clash keeps unchanged: the name everywhere in the file (items, variants, associated
/// items), as a field (field names after `.` and in struct literals), or as a function's local.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Region {
    File,
    Fields,
    Function(ScopeId),
}

type Clashes = HashMap<(Region, String), Clash>;

fn clashes(collected: &Collected, rules: &RuleSet) -> Clashes {
    let mut groups: BTreeMap<(ScopeId, Namespace), Vec<&Decl>> = BTreeMap::new();
    for decl in &collected.decls {
        groups.entry((decl.scope, decl.namespace)).or_default().push(decl);
    }
    let mut found = Clashes::new();
    for ((scope, _), decls) in groups {
        let scope_info = &collected.scopes[scope];
        let region = match scope_info.kind {
            ScopeKind::Fn => Region::Function(scope),
            ScopeKind::Struct | ScopeKind::Variant => Region::Fields,
            _ => Region::File,
        };
        let place = describe(scope_info);
        let mut existing: HashMap<&str, usize> = HashMap::new();
        for decl in &decls {
            existing.entry(&decl.name).or_insert(decl.at);
        }
        // New spelling -> the distinct names that would take it.
        let mut targets: BTreeMap<String, Vec<&Decl>> = BTreeMap::new();
        for decl in decls.iter().filter(|d| d.renamable) {
            if let NameVerdict::Rename(to) = rules.name_verdict(&decl.name) {
                let names = targets.entry(to).or_default();
                if !names.iter().any(|d| d.name == decl.name) {
                    names.push(decl);
                }
            }
        }
        for (to, names) in targets {
            for decl in &names {
                let clash = if let Some(&other) = existing.get(to.as_str()) {
                    Clash { why: format!("`{to}` already exists in {place}"), other }
                } else if let Some(other) = names.iter().find(|d| d.name != decl.name) {
                    Clash { why: format!("`{}` would become `{to}` too in {place}", other.name), other: other.at }
                } else {
                    continue;
                };
                found.entry((region, decl.name.clone())).or_insert(clash);
            }
        }
    }
    found
}

fn describe(scope: &Scope) -> String {
    let kind = match scope.kind {
        ScopeKind::Module if scope.name.is_empty() => return "this module".to_owned(),
        ScopeKind::Module => "module",
        ScopeKind::Struct => "struct",
        ScopeKind::Enum => "enum",
        ScopeKind::Variant => "variant",
        ScopeKind::Impl => "impl",
        ScopeKind::Trait => "trait",
        ScopeKind::Fn => "fn",
    };
    format!("{kind} `{}`", scope.name)
}

struct Judge<'a> {
    collected: &'a Collected,
    src: &'a Source<'a>,
    cx: &'a Context<'a>,
    clashes: Clashes,
    lines: Lines<'a>,
}

impl Judge<'_> {
    fn verdict(&self, site: &Site, word: &str, to: String) -> Verdict {
        let places = self.cx.rules.places;
        match &site.kind {
            SiteKind::Foreign(krate) => Verdict::Keep { reason: KeepReason::Foreign { module: krate.clone() } },
            SiteKind::Unsure(krate) => Verdict::Review { to, why: format!("may come from `use {krate}::*`") },
            SiteKind::Comment => allowed(places.comments, to),
            SiteKind::Literal { review: Some(why) } => Verdict::Review { to, why: why.clone() },
            SiteKind::Literal { review: None } => match site.role {
                Role::Prose if !places.prose => Verdict::Review { to, why: "prose string".to_owned() },
                Role::Prose => Verdict::Rename { to },
                _ => allowed(places.strings, to),
            },
            SiteKind::Name { function, position } => self.name(site, word, to, *function, *position),
        }
    }

    fn name(&self, site: &Site, word: &str, to: String, function: Option<ScopeId>, position: Position) -> Verdict {
        if !self.cx.rules.places.identifiers {
            return Verdict::Keep { reason: KeepReason::NotRewritten };
        }
        if position == Position::Module {
            if self.cx.project.is_blocked(word) {
                let why = self.cx.project.refused(word, "the move of its module file");
                return Verdict::Conflict { to, why, other: None, suggestion: None };
            }
            if let Some(why) = self.collected.unmoved_modules.get(word) {
                return Verdict::Review { to, why: why.clone() };
            }
        }
        let field = matches!(position, Position::Member | Position::Shorthand);
        let regions = [
            Some(Region::File),
            field.then_some(Region::Fields),
            function.filter(|_| position != Position::Member).map(Region::Function),
        ];
        let clash = regions.into_iter().flatten().find_map(|region| self.clashes.get(&(region, word.to_owned())));
        if let Some(clash) = clash {
            return Verdict::Conflict { to, why: clash.why.clone(), other: Some(self.location(clash.other)), suggestion: None };
        }
        let raw = self.src.text[..site.range.start].ends_with("r#");
        match to.as_str() {
            keyword if NEVER_RAW.contains(&keyword) => {
                let why = "it would be a keyword that cannot be a raw identifier".to_owned();
                Verdict::Conflict { to, why, other: None, suggestion: None }
            }
            keyword if KEYWORDS.contains(&keyword) && !raw => Verdict::Rename { to: format!("r#{to}") },
            _ => Verdict::Rename { to },
        }
    }

    fn location(&self, at: usize) -> Location {
        let (line, column) = self.lines.line_column(at);
        Location { path: self.cx.path.to_path_buf(), line, column }
    }
}

/// Rename when the rule file rewrites this place.
fn allowed(place: bool, to: String) -> Verdict {
    if place {
        Verdict::Rename { to }
    } else {
        Verdict::Keep { reason: KeepReason::NotRewritten }
    }
}
