//! `retrace survey`: the census before the change. Every distinct name that holds a term
//! (identifier, string key, SQL name, file name, word of text), how often it occurs, where, in
//! which languages and roles, the evidence the rewriters found, and the verdict they propose.
//!
//! Workers turn each file's outcome into [`Occurrence`]s (sources are dropped there); the
//! calling thread folds them into a [`Survey`], whose [`Row`]s are rendered as a table, TSV or
//! JSON, or start a project rule file ([`rule_file`]).

mod rule_file;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

use serde::Serialize;

use crate::engine::{FileError, FileOutcome};
use crate::plan::{Location, Role, Verdict};
use crate::report::{JsonError, Style};

pub use rule_file::rule_file;

/// Locations a row keeps: enough to find the name, few enough to read.
const LOCATIONS: usize = 3;

/// One occurrence, as much of it as the survey keeps.
#[derive(Debug, Clone)]
pub struct Occurrence {
    name: String,
    language: Option<&'static str>,
    role: Role,
    /// `rename`, `review`, `conflict` or `keep(<kind>)`.
    label: String,
    /// The new spelling, when the verdict carries one.
    to: Option<String>,
    /// Why: the keep reason, the review or conflict reason; empty for a rename.
    evidence: String,
    location: Location,
}

/// What the survey keeps of one file: its occurrences and its error, never its text.
pub struct FileDigest {
    occurrences: Vec<Occurrence>,
    error: Option<FileError>,
}

/// The verdict label of a finding: `keep` carries the kind of its reason (`keep(foreign)`).
pub fn label(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Keep { reason } => format!("keep({})", reason.kind()),
        other => other.name().to_owned(),
    }
}

impl Occurrence {
    fn new(name: String, language: Option<&'static str>, role: Role, verdict: &Verdict, location: Location) -> Occurrence {
        let (to, evidence) = match verdict {
            Verdict::Rename { to } => (Some(to.clone()), String::new()),
            Verdict::Review { to, why } | Verdict::Conflict { to, why, .. } => (Some(to.clone()), why.clone()),
            Verdict::Keep { reason } => (None, reason.to_string()),
        };
        Occurrence { name, language, role, label: label(verdict), to, evidence, location }
    }
}

/// Runs on a worker: the outcome's findings without the file's text.
pub fn digest(outcome: FileOutcome) -> FileDigest {
    let language = outcome.language;
    let occurrences = outcome
        .findings
        .into_iter()
        .map(|f| Occurrence::new(f.finding.text, language, f.finding.role, &f.finding.verdict, f.location))
        .collect();
    FileDigest { occurrences, error: outcome.error }
}

/// Every name seen so far.
#[derive(Debug, Default)]
pub struct Survey {
    names: HashMap<String, Row>,
    pub errors: Vec<FileError>,
}

/// One distinct name. Field names are the JSON schema (`survey --format json`): keep them stable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Row {
    pub name: String,
    pub count: usize,
    /// The proposed verdict: the label all occurrences share, or `mixed` (see `verdicts`).
    pub verdict: String,
    /// The new spelling when any occurrence would change (or was refused a change).
    pub to: Option<String>,
    /// Occurrences per verdict label.
    pub verdicts: BTreeMap<String, usize>,
    pub languages: BTreeSet<&'static str>,
    pub roles: BTreeSet<Role>,
    /// Distinct reasons, most frequent first.
    pub evidence: Vec<Evidence>,
    /// The first few places, in walk order.
    pub locations: Vec<Location>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub text: String,
    pub count: usize,
}

impl Row {
    /// Whether the name is only ever a word of text (comments, docstrings, prose, docs): what
    /// happens to it follows `[where]`, not a keep entry.
    pub fn only_text(&self) -> bool {
        self.roles.iter().all(|r| matches!(r, Role::Comment | Role::Docstring | Role::Prose | Role::Text))
    }

    fn add(&mut self, o: Occurrence) {
        self.count += 1;
        *self.verdicts.entry(o.label).or_default() += 1;
        self.languages.extend(o.language);
        self.roles.insert(o.role);
        if self.to.is_none() {
            self.to = o.to;
        }
        if !o.evidence.is_empty() {
            match self.evidence.iter_mut().find(|e| e.text == o.evidence) {
                Some(e) => e.count += 1,
                None => self.evidence.push(Evidence { text: o.evidence, count: 1 }),
            }
        }
        if self.locations.len() < LOCATIONS {
            self.locations.push(o.location);
        }
    }
}

impl Survey {
    /// Runs on the calling thread, in walk order (so locations are the first ones walked).
    pub fn add(&mut self, digest: FileDigest) {
        self.errors.extend(digest.error);
        for o in digest.occurrences {
            let row = self.names.entry(o.name.clone()).or_insert_with(|| Row { name: o.name.clone(), ..Row::default() });
            row.add(o);
        }
    }

    /// The rows, most frequent first, then by name.
    pub fn rows(self) -> Vec<Row> {
        let mut rows: Vec<Row> = self.names.into_values().collect();
        for row in &mut rows {
            row.verdict = proposed(&row.verdicts);
            // Stable sort: ties keep first-seen order.
            row.evidence.sort_by_key(|e| std::cmp::Reverse(e.count));
        }
        rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        rows
    }
}

/// The one verdict of a name: the label all its occurrences share; keeps of several kinds are
/// still a keep (`keep(foreign,sense)`); anything else is `mixed`.
fn proposed(verdicts: &BTreeMap<String, usize>) -> String {
    let labels: Vec<&str> = verdicts.keys().map(String::as_str).collect();
    let kinds: Option<Vec<&str>> =
        labels.iter().map(|l| l.strip_prefix("keep(").and_then(|k| k.strip_suffix(')'))).collect();
    match (labels.as_slice(), kinds) {
        ([one], _) => (*one).to_owned(),
        (_, Some(kinds)) => format!("keep({})", kinds.join(",")),
        _ => "mixed".to_owned(),
    }
}

/// Totals over the rows, by verdict kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub names: usize,
    pub occurrences: usize,
    pub rename: usize,
    pub keep: usize,
    pub review: usize,
    pub conflict: usize,
    pub errors: usize,
}

impl Totals {
    pub fn of(rows: &[Row], errors: usize) -> Totals {
        let mut t = Totals { names: rows.len(), errors, ..Totals::default() };
        for (label, n) in rows.iter().flat_map(|r| &r.verdicts) {
            t.occurrences += n;
            match label.as_str() {
                "rename" => t.rename += n,
                "review" => t.review += n,
                "conflict" => t.conflict += n,
                _ => t.keep += n,
            }
        }
        t
    }
}

impl std::fmt::Display for Totals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} names, {} occurrences: {} rename, {} keep, {} review, {} conflict",
            self.names, self.occurrences, self.rename, self.keep, self.review, self.conflict
        )
    }
}

/// `survey --format json`: `{"version": 1, "names": [Row], "errors": [Error], "summary": Totals}`.
#[derive(Serialize)]
pub struct JsonSurvey<'a> {
    pub version: u32,
    pub names: &'a [Row],
    pub errors: Vec<JsonError<'a>>,
    pub summary: Totals,
}

/// The verdict column: the shared label, or the split of a mixed name.
fn verdict_cell(row: &Row) -> String {
    if row.verdict != "mixed" {
        return row.verdict.clone();
    }
    let parts: Vec<String> = row.verdicts.iter().map(|(label, n)| format!("{n} {label}")).collect();
    format!("mixed ({})", parts.join(", "))
}

fn join<T: std::fmt::Display>(items: impl IntoIterator<Item = T>, separator: &str) -> String {
    items.into_iter().map(|i| i.to_string()).collect::<Vec<_>>().join(separator)
}

/// The table for people: one line per name, most frequent first, its places on the next line.
pub fn human(rows: &[Row], style: Style) -> String {
    let header = ["COUNT", "NAME", "VERDICT", "TO", "LANGUAGES", "ROLES", "EVIDENCE"];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            let evidence = match r.evidence.as_slice() {
                [] => "-".to_owned(),
                [one] => one.text.clone(),
                [first, rest @ ..] => format!("{} (+{} more)", first.text, rest.len()),
            };
            [
                r.count.to_string(),
                r.name.clone(),
                verdict_cell(r),
                r.to.clone().unwrap_or_else(|| "-".to_owned()),
                join(&r.languages, ","),
                join(&r.roles, ","),
                evidence,
            ]
        })
        .collect();
    // A very long name (a string key, a sentence) overflows its column rather than widen it.
    const WIDEST: usize = 40;
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count().min(WIDEST));
        }
    }
    let line = |cells: &[String]| {
        let mut out = format!("{:>w$}", cells[0], w = widths[0]);
        for (cell, w) in cells.iter().zip(widths).skip(1).take(cells.len() - 2) {
            let _ = write!(out, "  {cell:<w$}");
        }
        let _ = write!(out, "  {}", cells[cells.len() - 1]);
        out
    };
    let mut out = line(&header.map(str::to_owned));
    out.push('\n');
    for (row, cells) in rows.iter().zip(&cells) {
        let painted = match row.verdict.as_str() {
            "rename" => "33",
            "review" => "35",
            "conflict" | "mixed" => "1;31",
            _ => "2",
        };
        let text = line(cells);
        out.push_str(&if style.color { format!("\x1b[{painted}m{text}\x1b[0m") } else { text });
        out.push('\n');
        let _ = writeln!(out, "{:>w$}  at {}", "", join(&row.locations, ", "), w = widths[0]);
    }
    out
}

/// `survey --format tsv`: a header, then one line per name; lists are comma-separated, evidence
/// `; `-separated, tabs and line breaks inside values become spaces.
pub fn tsv(rows: &[Row]) -> String {
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    let mut out = String::from("count\tname\tverdict\tto\tlanguages\troles\tevidence\tlocations\n");
    for r in rows {
        let fields = [
            r.count.to_string(),
            r.name.clone(),
            verdict_cell(r),
            r.to.clone().unwrap_or_default(),
            join(&r.languages, ","),
            join(&r.roles, ","),
            join(r.evidence.iter().map(|e| format!("{} ({})", e.text, e.count)), "; "),
            join(&r.locations, ","),
        ];
        out.push_str(&fields.map(|f| clean(&f)).join("\t"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::plan::KeepReason;

    pub(super) fn occurrence(name: &str, role: Role, verdict: Verdict, line: usize) -> Occurrence {
        let location = Location { path: PathBuf::from("app/db.py"), line, column: 1 };
        Occurrence::new(name.to_owned(), Some("python"), role, &verdict, location)
    }

    pub(super) fn survey(occurrences: Vec<Occurrence>) -> Vec<Row> {
        let mut s = Survey::default();
        s.add(FileDigest { occurrences, error: None });
        s.rows()
    }

    fn sense(word: &str) -> Verdict {
        Verdict::Keep { reason: KeepReason::Sense { word: word.into() } }
    }

    #[test]
    fn rows_aggregate_by_name_and_sort_by_count() {
        let rename = || Verdict::Rename { to: "trace_id".into() };
        let rows = survey(vec![
            occurrence("orm_session", Role::Identifier, sense("orm"), 1),
            occurrence("session_id", Role::Identifier, rename(), 2),
            occurrence("session_id", Role::String, rename(), 3),
            occurrence("session_id", Role::Keyword, rename(), 4),
            occurrence("session_id", Role::Identifier, rename(), 5),
            occurrence("auth_session", Role::Identifier, sense("auth"), 6),
        ]);
        let names: Vec<_> = rows.iter().map(|r| (r.name.as_str(), r.count, r.verdict.as_str())).collect();
        assert_eq!(names, [("session_id", 4, "rename"), ("auth_session", 1, "keep(sense)"), ("orm_session", 1, "keep(sense)")]);
        let first = &rows[0];
        assert_eq!(first.locations.len(), LOCATIONS);
        assert_eq!(first.locations[0].line, 2);
        assert_eq!(first.roles, [Role::Identifier, Role::Keyword, Role::String].into());
        assert_eq!(first.to.as_deref(), Some("trace_id"));
        assert_eq!(rows[2].evidence, [Evidence { text: "sense: `orm` gives it another meaning".into(), count: 1 }]);
    }

    #[test]
    fn a_name_with_several_verdicts_is_mixed() {
        let foreign = Verdict::Keep { reason: KeepReason::Foreign { module: "sqlalchemy.orm".into() } };
        let rows = survey(vec![
            occurrence("Session", Role::Identifier, foreign.clone(), 1),
            occurrence("Session", Role::Identifier, foreign, 2),
            occurrence("Session", Role::Identifier, Verdict::Rename { to: "Trace".into() }, 3),
        ]);
        assert_eq!(rows[0].verdict, "mixed");
        assert_eq!(verdict_cell(&rows[0]), "mixed (2 keep(foreign), 1 rename)");
        assert_eq!(Totals::of(&rows, 0).to_string(), "1 names, 3 occurrences: 1 rename, 2 keep, 0 review, 0 conflict");
    }

    #[test]
    fn keeps_of_several_kinds_are_still_a_keep() {
        let foreign = Verdict::Keep { reason: KeepReason::Foreign { module: "aiohttp".into() } };
        let rows = survey(vec![
            occurrence("ClientSession", Role::Identifier, foreign, 1),
            occurrence("ClientSession", Role::Keyword, sense("client"), 2),
        ]);
        assert_eq!(rows[0].verdict, "keep(foreign,sense)");
    }

    #[test]
    fn keep_kinds_are_spelt_as_in_json() {
        for reason in [
            KeepReason::Foreign { module: "m".into() },
            KeepReason::KeepList { entry: "e".into() },
            KeepReason::Global { name: "g".into() },
            KeepReason::Sense { word: "w".into() },
            KeepReason::History,
            KeepReason::NotRewritten,
            KeepReason::Off,
        ] {
            assert_eq!(serde_json::to_value(&reason).unwrap()["kind"], reason.kind());
        }
    }

    #[test]
    fn tsv_has_one_line_per_name_and_no_stray_tabs() {
        let review = Verdict::Review { to: "Trace\tstarted".into(), why: "prose string".into() };
        let text = tsv(&survey(vec![occurrence("Session", Role::Prose, review, 7)]));
        assert_eq!(
            text,
            "count\tname\tverdict\tto\tlanguages\troles\tevidence\tlocations\n\
             1\tSession\treview\tTrace started\tpython\tprose\tprose string (1)\tapp/db.py:7:1\n"
        );
    }
}
