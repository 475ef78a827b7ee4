//! `survey --write-rules FILE`: a project rule file to start from. It extends the built-in rules
//! and lists, as `[keep] names`, the names the survey proposes to keep because of what they mean
//! (foreign, sense); names for review, and names kept in some places and renamed in others, are
//! written commented out for the user to decide.
//!
//! The file opens a `retrace: off` region: it names the retired term on purpose, and it usually
//! lives in the tree it describes, where `apply` would otherwise rewrite its own keep entries
//! (`"orm_session"` is a word of text to the plain-text adapter) and `check` would flag them.

use std::fmt::Write;

use super::Row;

/// Keep reasons that say something about the name itself. History, `retrace: off` regions and
/// `[where]` keep a name because of where it stands; keep-list and global names are listed already.
const MEANINGFUL: &[&str] = &["keep(foreign)", "keep(sense)"];

/// The rule file's text for `rows` (a survey of `surveyed`, for the header).
pub fn rule_file(rows: &[Row], surveyed: &str) -> String {
    let surveyed = one_line(surveyed);
    let mut out = format!(
        "# retrace: off (this file names the retired term on purpose: retrace leaves it as it is)\n\
         # Project rules started by `retrace survey {surveyed}`. Edit freely, then run with --rules.\n\
         # Kept names: the survey found a meaning other than the retired term (count and evidence\n\
         # beside each). Commented names are for you to decide: uncomment to keep one everywhere,\n\
         # or add a scoped rule (see the README). Words in comments, docstrings and prose follow [where].\n\
         extends = \"builtin\"\n\n[keep]\nnames = [\n"
    );
    let entries: Vec<(bool, &Row)> = rows
        .iter()
        .filter(|r| !r.only_text() && is_identifier(&r.name))
        .filter_map(|r| {
            let kept = r.verdicts.keys().all(|label| MEANINGFUL.contains(&label.as_str()));
            let undecided = r.verdict == "review" || r.verdict == "mixed";
            (kept || undecided).then_some((kept, r))
        })
        .collect();
    let width = entries.iter().map(|(_, r)| r.name.len() + 3).max().unwrap_or(0);
    for (kept, row) in entries {
        let quoted = format!("{},", quote(&row.name));
        let why = one_line(row.evidence.first().map_or("", |e| e.text.as_str()));
        let verdict = super::verdict_cell(row);
        let comment = if kept { "" } else { "# " };
        let _ = writeln!(out, "    {comment}{quoted:<width$} # {} x {verdict}: {why}", row.count);
    }
    out.push_str("]\n");
    out
}

/// Only whole identifiers make `[keep] names` entries.
fn is_identifier(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// Text for a comment: a line break inside it would end the comment and break the file.
fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{occurrence, survey};
    use super::*;
    use crate::plan::{KeepReason, Role, Verdict};
    use crate::rules::RuleSet;

    #[test]
    fn kept_names_are_entries_and_undecided_ones_are_commented_out() {
        let foreign = Verdict::Keep { reason: KeepReason::Foreign { module: "sqlalchemy.orm".into() } };
        let sense = Verdict::Keep { reason: KeepReason::Sense { word: "orm".into() } };
        let history = Verdict::Keep { reason: KeepReason::History };
        let rename = Verdict::Rename { to: "Trace".into() };
        let review = Verdict::Review { to: "Trace".into(), why: "passed to foreign call `x.y`".into() };
        let rows = survey(vec![
            occurrence("orm_session", Role::Identifier, sense.clone(), 1),
            occurrence("orm_session", Role::Keyword, sense, 2),
            occurrence("AsyncSession", Role::Import, foreign.clone(), 3),
            occurrence("Session", Role::Identifier, foreign, 4),
            occurrence("Session", Role::Identifier, rename.clone(), 5),
            occurrence("session_id", Role::Identifier, rename, 6),
            occurrence("sessions", Role::Identifier, history, 7),
            occurrence("x-session", Role::String, review.clone(), 8),
            occurrence("session", Role::Comment, review.clone(), 9),
            occurrence("session_kind", Role::String, review, 10),
        ]);
        let text = rule_file(&rows, ".");
        let body = text.split_once("names = [\n").unwrap().1;
        assert_eq!(
            body,
            "    # \"Session\",      # 2 x mixed (1 keep(foreign), 1 rename): foreign: belongs to `sqlalchemy.orm`\n\
             \x20   \"orm_session\",  # 2 x keep(sense): sense: `orm` gives it another meaning\n\
             \x20   \"AsyncSession\", # 1 x keep(foreign): foreign: belongs to `sqlalchemy.orm`\n\
             \x20   # \"session_kind\", # 1 x review: passed to foreign call `x.y`\n\
             ]\n"
        );
        let rules = RuleSet::parse("survey.toml", &text).expect("the written rules load");
        assert!(rules.keep.names.contains("orm_session") && rules.keep.names.contains("AsyncSession"));
        assert!(!rules.keep.names.contains("Session"));
    }

    #[test]
    fn line_breaks_in_evidence_and_paths_stay_inside_their_comments() {
        let review = Verdict::Review { to: "Trace".into(), why: "passed to\nnames = [\"x\"]\r\n".into() };
        let rows = survey(vec![occurrence("session_kind", Role::String, review, 1)]);
        let text = rule_file(&rows, "a\nnames = 1");
        let rules = RuleSet::parse("survey.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(rules.keep.names.is_empty(), "{text}");
        assert!(text.starts_with("# retrace: off "), "{text}");
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("a\"b\\c\u{1}"), "\"a\\\"b\\\\c\\u0001\"");
    }
}
