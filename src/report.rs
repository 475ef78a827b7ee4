//! Renderings of findings for people (grep-like lines, coloured on a terminal) and machines (JSON).

use std::fmt::Write;

use serde::Serialize;

use crate::check::Summary;
use crate::engine::{FileError, LocatedFinding};
use crate::plan::{Role, Verdict};

/// Output styling for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// `path:line:col: verdict role `text` -> `to`: why`
pub fn finding_line(f: &LocatedFinding, style: Style) -> String {
    let verdict = &f.finding.verdict;
    let colour = match verdict {
        Verdict::Rename { .. } => "33",
        Verdict::Review { .. } => "35",
        Verdict::Conflict { .. } => "1;31",
        Verdict::Keep { .. } => "2",
    };
    let mut line = format!(
        "{}: {} {} `{}`",
        style.paint("1", &f.location.to_string()),
        style.paint(colour, verdict.name()),
        f.finding.role,
        f.finding.text
    );
    let _ = match verdict {
        Verdict::Rename { to } => write!(line, " -> `{to}`"),
        Verdict::Review { to, why } => write!(line, " -> `{to}`: {why}"),
        Verdict::Keep { reason } => write!(line, ": {reason}"),
        Verdict::Conflict { to, why, other } => {
            let _ = write!(line, " -> `{to}`: {why}");
            match other {
                Some(other) => write!(line, " (see {other})"),
                None => Ok(()),
            }
        }
    };
    line
}

/// `path:line:col: error: message`
pub fn error_line(e: &FileError, style: Style) -> String {
    format!("{}: {}: {}", style.paint("1", &e.location.to_string()), style.paint("1;31", "error"), e.message)
}

/// The JSON document of `check --format json` and `diff --format json`. Stable schema:
/// `{"version": 1, "findings": [Finding], "errors": [Error], "summary": Summary}` where a Finding is
/// `{path, line, column, text, role, verdict, to?, why?, reason?, other?}`.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    pub version: u32,
    pub findings: Vec<JsonFinding<'a>>,
    pub errors: Vec<JsonError<'a>>,
    pub summary: Summary,
}

#[derive(Debug, Serialize)]
pub struct JsonFinding<'a> {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub text: &'a str,
    pub role: Role,
    #[serde(flatten)]
    pub verdict: &'a Verdict,
}

#[derive(Debug, Serialize)]
pub struct JsonError<'a> {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: &'a str,
}

impl<'a> JsonFinding<'a> {
    pub fn new(f: &'a LocatedFinding) -> Self {
        JsonFinding {
            path: f.location.path.display().to_string(),
            line: f.location.line,
            column: f.location.column,
            text: &f.finding.text,
            role: f.finding.role,
            verdict: &f.finding.verdict,
        }
    }
}

impl<'a> JsonError<'a> {
    pub fn new(e: &'a FileError) -> Self {
        JsonError {
            path: e.location.path.display().to_string(),
            line: e.location.line,
            column: e.location.column,
            message: &e.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Finding, KeepReason, Location};
    use std::path::PathBuf;

    fn located(verdict: Verdict) -> LocatedFinding {
        LocatedFinding {
            location: Location { path: PathBuf::from("pkg/a.py"), line: 3, column: 5 },
            finding: Finding { range: 0..10, text: "session_id".into(), role: Role::Identifier, verdict },
        }
    }

    #[test]
    fn human_lines_name_place_verdict_and_reason() {
        let plain = Style { color: false };
        let conflict = located(Verdict::Conflict {
            to: "trace_id".into(),
            why: "`trace_id` already exists in function `link`".into(),
            other: Some(Location { path: PathBuf::from("pkg/a.py"), line: 3, column: 21 }),
        });
        assert_eq!(
            finding_line(&conflict, plain),
            "pkg/a.py:3:5: conflict identifier `session_id` -> `trace_id`: `trace_id` already exists in function `link` (see pkg/a.py:3:21)"
        );
        let kept = located(Verdict::Keep { reason: KeepReason::Foreign { module: "requests".into() } });
        assert_eq!(finding_line(&kept, plain), "pkg/a.py:3:5: keep identifier `session_id`: foreign: belongs to `requests`");
    }

    #[test]
    fn json_finding_flattens_the_verdict() {
        let f = located(Verdict::Rename { to: "trace_id".into() });
        let json = serde_json::to_value(JsonFinding::new(&f)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"path": "pkg/a.py", "line": 3, "column": 5, "text": "session_id",
                               "role": "identifier", "verdict": "rename", "to": "trace_id"})
        );
    }
}
