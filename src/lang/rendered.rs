//! A plan as the rewriters' unit tests show it: one line per finding, then the rewritten text.

use std::fmt::Write as _;

use crate::edit::{apply, normalize};
use crate::lang::line_column;
use crate::plan::{FilePlan, Verdict};

/// `text` with the plan's edits applied.
pub(crate) fn rewrite(text: &str, plan: &FilePlan) -> String {
    let edits = normalize(text, plan.edits.clone()).expect("edits are disjoint");
    apply(text, &edits)
}

/// One line per finding (`line:col role verdict text -> to (why)`, columns past a byte order
/// mark) in source order, then the rewritten text. Each finding holds the text of its range, and no two overlap.
pub(crate) fn render_plan(text: &str, plan: &FilePlan) -> String {
    let mut findings: Vec<_> = plan.findings.iter().collect();
    findings.sort_by_key(|f| (f.range.start, f.range.end));
    for pair in findings.windows(2) {
        assert!(pair[0].range.end <= pair[1].range.start, "one finding per occurrence: {pair:?}");
    }
    let mut out = String::new();
    for finding in findings {
        assert_eq!(&text[finding.range.clone()], finding.text, "a finding's range holds its text");
        let (line, column) = line_column(text, finding.range.start);
        let verdict = match &finding.verdict {
            Verdict::Rename { to } => format!("-> {to}"),
            Verdict::Keep { reason } => format!("({reason})"),
            Verdict::Review { to, why } => format!("-> {to} ({why})"),
            Verdict::Conflict { to, why, other, .. } => {
                let other = other.as_ref().map(|o| format!("; see {}:{}", o.line, o.column)).unwrap_or_default();
                format!("-> {to} ({why}{other})")
            }
        };
        let (role, name, word) = (finding.role, finding.verdict.name(), &finding.text);
        writeln!(out, "{line}:{column} {role} {name} {word} {verdict}").unwrap();
    }
    format!("{out}---\n{}", rewrite(text, plan))
}
