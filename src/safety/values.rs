//! Checks on string values, shared by the rewriters that find them: two routes that would serve
//! the same method and path, a pair that maps an old name to its new one (which would become
//! new -> new), and persisted values (enum values, header names, JWT claims) that data already
//! stored or sent still holds. A rewriter walks its tree into [`Values`]; [`Values::settle`]
//! changes the verdicts of the words in those strings.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::engine::Lines;
use crate::lang::Context;
use crate::plan::{FilePlan, Location, Share, Verdict};
use crate::rules::{NameVerdict, RuleSet};

/// Renamed, or held for review (a URL path): a route or a persisted value says more.
fn changes(verdict: &Verdict) -> bool {
    matches!(verdict, Verdict::Rename { .. } | Verdict::Review { .. })
}

/// A string literal without interpolation (or an object key): where its content starts, and the
/// content.
#[derive(Debug, Clone, Copy)]
pub struct Literal<'t> {
    pub at: usize,
    pub text: &'t str,
    /// A property name rather than a string: the rewriter gives one verdict to every occurrence of
    /// the name in the file, so a changed verdict goes to all of them.
    pub name: bool,
}

impl Literal<'_> {
    fn range(&self) -> Range<usize> {
        self.at..self.at + self.text.len()
    }
}

/// `@router.post("/sessions")`, `router.get('/sessions', handler)`.
pub struct Route<'t> {
    /// The router or app, as written.
    pub router: &'t str,
    /// Upper-case HTTP methods.
    pub methods: Vec<String>,
    pub path: Literal<'t>,
}

/// What a rewriter's walk found in one file.
#[derive(Default)]
pub struct Values<'t> {
    pub literals: Vec<Literal<'t>>,
    pub routes: Vec<Route<'t>>,
    /// Two strings that map one to the other: a dict entry, a redirect's source and destination.
    pub pairs: Vec<(Literal<'t>, Literal<'t>)>,
    /// Literals whose value is stored or sent, with what they are ("an enum value").
    pub persisted: Vec<(Literal<'t>, &'static str)>,
}

impl<'t> Values<'t> {
    /// Read a syntax tree's named nodes, in source order: every string literal `literal` reads is
    /// recorded (a header name also as persisted), and `visit` sees every node to find the rest.
    pub fn walk(
        nodes: &[tree_sitter::Node<'t>],
        literal: impl Fn(tree_sitter::Node<'t>) -> Option<Literal<'t>>,
        mut visit: impl FnMut(tree_sitter::Node<'t>, &mut Values<'t>),
    ) -> Values<'t> {
        let mut found = Values::default();
        for &node in nodes {
            if let Some(literal) = literal(node) {
                found.literals.push(literal);
                if is_header_name(literal.text) {
                    found.persisted.push((literal, "an HTTP header name"));
                }
            }
            visit(node, &mut found);
        }
        found
    }

    /// Change the verdicts of the words in these strings, and share those other files must follow.
    pub fn settle(&self, text: &str, cx: &Context<'_>, plan: &mut FilePlan) {
        let mut settling = Settling { values: self, cx, plan, lines: Lines::new(text) };
        settling.routes();
        settling.mappings();
        if !cx.rules.places.persisted {
            settling.persisted();
        }
    }
}

struct Settling<'a, 't> {
    values: &'a Values<'t>,
    cx: &'a Context<'a>,
    plan: &'a mut FilePlan,
    /// The text settled, indexed on the first place named: a file may name hundreds, and most none.
    lines: Lines<'a>,
}

impl Settling<'_, '_> {
    fn location(&self, at: usize) -> Location {
        let (line, column) = self.lines.line_column(at);
        Location { path: self.cx.path.to_path_buf(), line, column }
    }

    /// Give every rename in every literal spelled `content` the verdict `make` builds from its new
    /// spelling, and share it with the other files; the first such finding carries the share.
    fn settle_value(&mut self, content: &str, make: impl Fn(String) -> Verdict) {
        let same: Vec<Range<usize>> =
            self.values.literals.iter().filter(|l| l.text == content).map(Literal::range).collect();
        let demoted: Vec<(Range<usize>, Verdict)> = same
            .iter()
            .flat_map(|range| self.plan.spellings_within(range, changes))
            .map(|(finding, to)| (finding, make(to)))
            .collect();
        let first = demoted.first().map(|(finding, _)| finding.start);
        self.plan.demote(demoted);
        if let Some(at) = first {
            self.plan.shares.push(Share::Literal { content: content.to_owned(), at });
        }
    }

    /// A route whose new path another route of the same router and method already serves, or
    /// will serve after the rename, stays: both handlers would answer one URL.
    fn routes(&mut self) {
        let routes = &self.values.routes;
        for route in routes {
            let Some(new) = renamed_text(self.cx.rules, route.path.text) else { continue };
            let serving = routes.iter().find_map(|other| {
                let same_place = other.router == route.router && other.path.at != route.path.at;
                let method = other.methods.iter().find(|m| route.methods.contains(m)).filter(|_| same_place)?;
                let lands = other.path.text == new || renamed_text(self.cx.rules, other.path.text).as_ref() == Some(&new);
                lands.then_some((other, method))
            });
            let Some((other, method)) = serving else { continue };
            let why = format!("`{method} {new}` would be served twice: another route of `{}` serves it", route.router);
            let other_at = self.location(other.path.at);
            let suggestion = format!(
                "keep `{}` while clients call it; to retire it, delete its route and let the handler of `{}` answer",
                route.path.text, other.path.text
            );
            self.settle_value(route.path.text, |to| Verdict::Conflict {
                to,
                why: why.clone(),
                other: Some(other_at.clone()),
                suggestion: Some(suggestion.clone()),
            });
        }
    }

    /// `{"session_id": "trace_id"}` maps old to new; renamed, it would map new to itself.
    fn mappings(&mut self) {
        for &(key, value) in &self.values.pairs {
            for (old, new) in [(key, value), (value, key)] {
                if renamed_text(self.cx.rules, old.text).as_deref() != Some(new.text) {
                    continue;
                }
                let why = format!(
                    "maps `{}` to `{}`: renamed, it would map `{}` to itself",
                    key.text, value.text, new.text
                );
                let other = Some(self.location(new.at));
                let suggestion = format!("keep the mapping as written: whatever still holds `{}` needs it", old.text);
                let places = match old.name {
                    true => self.plan.findings.iter().filter(|f| f.text == old.text && super::is_name(f.role)).map(|f| f.range.clone()).collect(),
                    false => vec![old.range()],
                };
                // A mapping says more than a clash found elsewhere: its verdict wins.
                let changing: Vec<_> = places.iter().flat_map(|range| self.plan.spellings_within(range, |_| true)).collect();
                self.plan.demote(changing.into_iter().map(|(finding, to)| {
                    (finding, Verdict::Conflict { to, why: why.clone(), other: other.clone(), suggestion: Some(suggestion.clone()) })
                }));
            }
        }
    }

    /// Persisted values stay for review, with every place in the file that writes or compares them.
    fn persisted(&mut self) {
        let mut kinds: BTreeMap<&str, &str> = BTreeMap::new();
        for (literal, what) in &self.values.persisted {
            kinds.entry(literal.text).or_insert(what);
        }
        for (content, what) in kinds {
            let places: Vec<String> = self
                .values
                .literals
                .iter()
                .filter(|l| l.text == content)
                .map(|l| {
                    let (line, column) = self.lines.line_column(l.at);
                    format!("{line}:{column}")
                })
                .collect();
            let why = format!(
                "a persisted value ({what}): data already stored or sent holds `{content}`, written or compared at {}; \
                 migrate that data, or set [where] persisted = true to rename it",
                places.join(", ")
            );
            self.settle_value(content, |to| Verdict::Review { to, why: why.clone() });
        }
    }
}

/// `X-Session-Id`, `Session-Token`: hyphenated words, each capitalised or led by `X-`.
fn is_header_name(content: &str) -> bool {
    let parts: Vec<&str> = content.split('-').collect();
    let word = |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric());
    let capitalised = |p: &&str| p.starts_with(|c: char| c.is_ascii_uppercase());
    parts.len() > 1 && parts.iter().all(word) && (parts[0].eq_ignore_ascii_case("x") || parts.iter().all(capitalised))
}

/// The text with every term in it renamed, when one is.
pub fn renamed_text(rules: &RuleSet, text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (word, _) in rules.renamer.find_in_text(text) {
        if let NameVerdict::Rename(to) = rules.name_verdict(&text[word.clone()]) {
            out.push_str(&text[at..word.start]);
            out.push_str(&to);
            at = word.end;
        }
    }
    out.push_str(&text[at..]);
    (out != text).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names() {
        assert!(is_header_name("X-Session-Id"));
        assert!(is_header_name("x-session-id"));
        assert!(is_header_name("Session-Token"));
        assert!(!is_header_name("session-drawer"));
        assert!(!is_header_name("session_id"));
        assert!(!is_header_name("X-"));
    }
}
