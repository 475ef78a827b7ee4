//! Second pass: the verdict of every site, from the rules, the foreign evidence and the clashes.

use tree_sitter::Node;

use super::collect::{Collected, Literal, Site, SiteKind};
use super::conflicts::{Clash, Clashes, Proposed};
use super::embedded::EmbeddedSql;
use super::foreign::{Evidence, ForeignRef};
use super::scopes::{ScopeId, MODULE};
use super::syntax::{callee_name, chain_root, text_of};
use crate::engine::Lines;
use crate::lang::Context;
use crate::lang::symbols::NodeSymbols;
use crate::plan::{FilePlan, Finding, KeepReason, Location, Role, Verdict};
use crate::project::ModuleOrigin;
use crate::rules::{NameVerdict, RuleSet};

pub(super) fn decide(file: &Collected<'_>, text: &str, cx: &Context<'_>) -> FilePlan {
    let evidence = Evidence::build(file, text, cx);
    let proposals = Proposals { rules: cx.rules, evidence: &evidence, file };
    let clashes = Clashes::build(file, &proposals, cx.project);
    let judge = Judge { file, text, cx, evidence: &evidence, clashes, lines: Lines::new(text) };
    // Strings that hold SQL are planned by the SQL rewriter; their words are not sites here.
    let mut sql = EmbeddedSql::plan(file, text, cx);
    let mut findings: Vec<Finding> = file
        .sites
        .iter()
        .filter(|site| !sql.covers(&site.range))
        .map(|site| {
            let (range, word) = (site.range.clone(), &text[site.range.clone()]);
            Finding { range, text: word.to_owned(), role: site.role, verdict: judge.verdict(site, word) }
        })
        .collect();
    sql.pair_keys(file, &mut findings);
    let mut plan = FilePlan::default();
    for finding in findings {
        match finding.verdict {
            Verdict::Rename { to } => plan.rename(finding.range, &finding.text, finding.role, to),
            _ => plan.findings.push(finding),
        }
    }
    plan.findings.append(&mut sql.findings);
    plan.edits.append(&mut sql.edits);
    plan.findings.sort_by_key(|f| (f.range.start, f.range.end));
    plan.edits.sort_by_key(|e| (e.range.start, e.range.end));
    plan
}

fn renamed(verdict: NameVerdict) -> Option<String> {
    match verdict {
        NameVerdict::Rename(to) => Some(to),
        NameVerdict::Keep(_) | NameVerdict::Unrelated => None,
    }
}

/// What would be renamed if nothing clashed.
struct Proposals<'a> {
    rules: &'a RuleSet,
    evidence: &'a Evidence<'a>,
    file: &'a Collected<'a>,
}

impl Proposals<'_> {
    fn name(&self, name: &str) -> Option<String> {
        if !self.rules.places.rewrites(Role::Identifier) {
            return None;
        }
        renamed(self.rules.name_verdict(name))
    }
}

impl Proposed for Proposals<'_> {
    fn binding(&self, scope: ScopeId, name: &str) -> Option<String> {
        self.evidence.foreign_name(name, scope).is_none().then(|| self.name(name)).flatten()
    }

    fn attribute(&self, name: &str) -> Option<String> {
        self.evidence.kept_attribute(name).is_none().then(|| self.name(name)).flatten()
    }

    fn key(&self, key: &str) -> Option<String> {
        if !self.rules.places.rewrites(Role::String) {
            return None;
        }
        let mut out = String::with_capacity(key.len());
        let mut at = 0;
        for (word, _) in self.rules.renamer.find_in_text(key) {
            if let Some(to) = renamed(self.rules.name_verdict(&key[word.clone()])) {
                out.push_str(&key[at..word.start]);
                out.push_str(&to);
                at = word.end;
            }
        }
        out.push_str(&key[at..]);
        (out != key).then_some(out)
    }

    fn keyword(&self, call: usize, keyword: &str) -> Option<String> {
        self.evidence.keyword_owner(&self.file.calls[call], keyword).is_none().then(|| self.name(keyword)).flatten()
    }
}

/// A verdict before the new spelling is attached.
enum Outcome {
    Rename,
    Keep(KeepReason),
    Review(String),
    Conflict(Clash),
}

impl Outcome {
    fn clash(clash: Option<&Clash>) -> Outcome {
        clash.map_or(Outcome::Rename, |c| Outcome::Conflict(c.clone()))
    }
}

struct Judge<'a> {
    file: &'a Collected<'a>,
    text: &'a str,
    cx: &'a Context<'a>,
    evidence: &'a Evidence<'a>,
    clashes: Clashes,
    /// Indexed on the first conflict that names another place.
    lines: Lines<'a>,
}

impl Judge<'_> {
    fn verdict(&self, site: &Site<'_>, word: &str) -> Verdict {
        let outcome = match &site.kind {
            SiteKind::Name { scope } => self.name(word, *scope),
            SiteKind::Attribute { receiver, scope } => self.attribute(*receiver, word, *scope),
            SiteKind::Keyword { call } => self.keyword(*call, word),
            SiteKind::Import { module, binds } => self.import(word, module, *binds),
            SiteKind::Text => Outcome::Rename,
            SiteKind::Literal { literal } => self.literal(&self.file.literals[*literal], site, word),
        };
        // Belonging to a foreign module comes first, then the rule file's keeps, then its [where].
        let outcome = match (outcome, &site.base) {
            (foreign @ Outcome::Keep(KeepReason::Foreign { .. }), _) => foreign,
            (_, NameVerdict::Keep(reason)) => Outcome::Keep(reason.clone()),
            (_, _) if site.role == Role::Prose && !self.cx.rules.places.prose => {
                Outcome::Review("prose string".to_owned())
            }
            (_, _) if !self.cx.rules.places.rewrites(site.role) => Outcome::Keep(KeepReason::NotRewritten),
            (outcome, _) => outcome,
        };
        // A kept base always ends as a Keep, which carries no new spelling.
        let to = match &site.base {
            NameVerdict::Rename(to) => to.clone(),
            NameVerdict::Keep(_) | NameVerdict::Unrelated => String::new(),
        };
        match outcome {
            Outcome::Rename => Verdict::Rename { to },
            Outcome::Keep(reason) => Verdict::Keep { reason },
            Outcome::Review(why) => Verdict::Review { to, why },
            Outcome::Conflict(clash) => {
                Verdict::Conflict { to, why: clash.why, other: clash.other.map(|at| self.location(at)), suggestion: None }
            }
        }
    }

    fn location(&self, at: usize) -> Location {
        let (line, column) = self.lines.line_column(at);
        Location { path: self.cx.path.to_path_buf(), line, column }
    }

    fn name(&self, name: &str, scope: ScopeId) -> Outcome {
        let binding = self.file.scopes.resolve(name, scope);
        // A name of theirs, or a member of a class extending theirs (it may override their member).
        let foreign = self.evidence.foreign_name(name, scope).or_else(|| self.evidence.their_class(binding));
        if let Some(foreign) = foreign {
            return Outcome::Keep(foreign.reason());
        }
        Outcome::clash(self.clashes.binding(binding, name))
    }

    fn attribute(&self, receiver: Node<'_>, name: &str, scope: ScopeId) -> Outcome {
        let foreign = self.evidence.member(receiver, name, scope);
        if let Some(foreign) = foreign.as_ref().or_else(|| self.evidence.kept_attribute(name)) {
            return Outcome::Keep(foreign.reason());
        }
        // `pkg.sessions.x` names the module whose move was refused.
        let module_root =
            chain_root(receiver).is_some_and(|r| self.evidence.is_first_party_import(text_of(r, self.text), scope));
        if module_root && self.cx.project.is_blocked(name) {
            return Outcome::Conflict(Clash::blocked(name, self.cx.project));
        }
        let class = (receiver.kind_name() == "identifier")
            .then(|| self.file.scopes.self_class(text_of(receiver, self.text), scope))
            .flatten();
        Outcome::clash(class.and_then(|class| self.clashes.binding(class, name)))
    }

    fn keyword(&self, index: usize, name: &str) -> Outcome {
        let call = &self.file.calls[index];
        if let Some(foreign) = self.evidence.keyword_owner(call, name) {
            return Outcome::Keep(foreign.reason());
        }
        let parameter = || {
            let callable = callee_name(call.callee?, self.text)?;
            self.clashes.parameter(&self.file.scopes, callable, name)
        };
        Outcome::clash(self.clashes.keyword(index, name).or_else(parameter))
    }

    fn import(&self, name: &str, module: &str, binds: Option<ScopeId>) -> Outcome {
        if let ModuleOrigin::Foreign(_) = self.cx.project.python_origin(module) {
            return Outcome::Keep(KeepReason::Foreign { module: module.to_owned() });
        }
        if self.cx.project.is_blocked(name) {
            return Outcome::Conflict(Clash::blocked(name, self.cx.project));
        }
        binds.map_or(Outcome::Rename, |scope| self.name(name, scope))
    }

    fn literal(&self, literal: &Literal, site: &Site<'_>, word: &str) -> Outcome {
        if let Some((call, keyword)) = &literal.argument {
            if let Some(foreign) = self.evidence.callee(&self.file.calls[*call]) {
                return self.foreign_argument(&foreign, keyword.as_deref());
            }
        }
        // `__all__ = ["Session"]` follows the module-level name it exports.
        if literal.exported && site.range == literal.content {
            let exported = self.name(word, MODULE);
            if !matches!(exported, Outcome::Rename) {
                return exported;
            }
        }
        let key = &self.text[literal.content.clone()];
        Outcome::clash(literal.dict.and_then(|dict| self.clashes.dict_key(dict, key)))
    }

    /// A string passed to a foreign callable: theirs when the rule file says so, else for review.
    fn foreign_argument(&self, callee: &ForeignRef, keyword: Option<&str>) -> Outcome {
        let (owner, function) = callee.owner_and_name();
        if keyword.is_some_and(|k| self.cx.rules.python_keeps_argument(owner, function, k)) {
            Outcome::Keep(callee.reason())
        } else {
            Outcome::Review(format!("passed to foreign call `{}`", callee.path))
        }
    }
}
