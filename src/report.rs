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
    /// Append `text`, coloured with the SGR `code` on a terminal.
    fn paint_into(self, out: &mut String, code: &str, text: std::fmt::Arguments<'_>) {
        let _ = if self.color { write!(out, "\x1b[{code}m{text}\x1b[0m") } else { out.write_fmt(text) };
    }

    /// `text`, coloured with the SGR `code` on a terminal.
    pub fn paint(self, code: &str, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 12);
        self.paint_into(&mut out, code, format_args!("{text}"));
        out
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
    // One buffer per line: check prints hundreds of thousands of them.
    let mut line = String::with_capacity(128);
    style.paint_into(&mut line, "1", format_args!("{}", f.location));
    line.push_str(": ");
    style.paint_into(&mut line, colour, format_args!("{}", verdict.name()));
    let _ = write!(line, " {} `{}`", f.finding.role, f.finding.text);
    let _ = match verdict {
        Verdict::Rename { to } => write!(line, " -> `{to}`"),
        Verdict::Review { to, why } => write!(line, " -> `{to}`: {why}"),
        Verdict::Keep { reason } => write!(line, ": {reason}"),
        Verdict::Conflict { to, why, other, suggestion } => {
            let _ = write!(line, " -> `{to}`: {why}");
            if let Some(other) = other {
                let _ = write!(line, " (see {other})");
            }
            match suggestion {
                Some(suggestion) => write!(line, "; suggestion: {suggestion}"),
                None => Ok(()),
            }
        }
    };
    line
}

/// The source line under a finding, indented, with the occurrence highlighted on a terminal.
pub fn source_line(f: &LocatedFinding, style: Style) -> Option<String> {
    if f.line_text.is_empty() {
        return None;
    }
    let start = f.line_text.char_indices().nth(f.location.column - 1).map_or(f.line_text.len(), |(i, _)| i);
    let end = (start + f.finding.text.len()).min(f.line_text.len());
    let line = match f.line_text.get(start..end) {
        Some(hit) if hit == f.finding.text => {
            format!("{}{}{}", &f.line_text[..start], style.paint("1;4", hit), &f.line_text[end..])
        }
        _ => f.line_text.clone(),
    };
    Some(format!("    {}", line.trim_end()))
}

/// Workflow annotation for GitHub Actions: `::error file=...,line=...,col=...::message`.
pub fn github_line(f: &LocatedFinding) -> String {
    let level = match f.finding.verdict {
        Verdict::Review { .. } => "warning",
        _ => "error",
    };
    let plain = finding_line(f, Style { color: false });
    let message = plain.split_once(": ").map_or(plain.as_str(), |(_, rest)| rest);
    format!(
        "::{level} file={},line={},col={},title=retrace {}::{}",
        escape_property(&f.location.path.display().to_string()),
        f.location.line,
        f.location.column,
        f.finding.verdict.name(),
        escape_data(message)
    )
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// SARIF 2.1.0 for code scanning: one run, one rule per verdict, a result per finding with a
/// stable partial fingerprint.
pub fn sarif(findings: &[(LocatedFinding, String)]) -> serde_json::Value {
    use serde_json::json;
    let rules: Vec<_> = [
        ("retrace/rename", "A retired term that retrace can rename"),
        ("retrace/review", "A retired term in prose, for a person to decide"),
        ("retrace/conflict", "A retired term whose rename would clash with an existing name"),
    ]
    .iter()
    .map(|(id, text)| json!({"id": id, "shortDescription": {"text": text}, "defaultConfiguration": {"level": "error"}}))
    .collect();
    let results: Vec<_> = findings
        .iter()
        .map(|(f, fingerprint)| {
            let plain = finding_line(f, Style { color: false });
            let message = plain.split_once(": ").map_or(plain.as_str(), |(_, rest)| rest).to_owned();
            let level = if matches!(f.finding.verdict, Verdict::Review { .. }) { "warning" } else { "error" };
            json!({
                "ruleId": format!("retrace/{}", f.finding.verdict.name()),
                "level": level,
                "message": {"text": message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": f.location.path.to_string_lossy().replace('\\', "/")},
                    "region": {
                        "startLine": f.location.line,
                        "startColumn": f.location.column,
                        "endColumn": f.location.column + f.finding.text.chars().count(),
                    }
                }}],
                "partialFingerprints": {"retrace/v1": fingerprint},
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "retrace",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://crates.io/crates/retrace",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// `path:line:col: error: message`
pub fn error_line(e: &FileError, style: Style) -> String {
    format!("{}: {}: {}", style.paint("1", &e.location.to_string()), style.paint("1;31", "error"), e.message)
}

/// The JSON document of `check --format json` and `diff --format json`. Stable schema:
/// `{"version": 1, "findings": [Finding], "errors": [Error], "summary": Summary}` where a Finding is
/// `{path, line, column, text, role, verdict, to?, why?, reason?, other?, suggestion?}`.
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
            line_text: "def link(session_id, trace_id):".into(),
            suppressed: false,
        }
    }

    #[test]
    fn human_lines_name_place_verdict_and_reason() {
        let plain = Style { color: false };
        let conflict = located(Verdict::Conflict {
            to: "trace_id".into(),
            why: "`trace_id` already exists in function `link`".into(),
            other: Some(Location { path: PathBuf::from("pkg/a.py"), line: 3, column: 21 }),
            suggestion: None,
        });
        assert_eq!(
            finding_line(&conflict, plain),
            "pkg/a.py:3:5: conflict identifier `session_id` -> `trace_id`: `trace_id` already exists in function `link` (see pkg/a.py:3:21)"
        );
        let kept = located(Verdict::Keep { reason: KeepReason::Foreign { module: "requests".into() } });
        assert_eq!(finding_line(&kept, plain), "pkg/a.py:3:5: keep identifier `session_id`: foreign: belongs to `requests`");
    }

    #[test]
    fn source_line_marks_the_occurrence() {
        let f = located(Verdict::Rename { to: "trace_id".into() });
        let f = LocatedFinding { location: Location { column: 10, ..f.location.clone() }, ..f };
        assert_eq!(source_line(&f, Style { color: true }).unwrap(), "    def link(\x1b[1;4msession_id\x1b[0m, trace_id):");
    }

    #[test]
    fn github_annotations_escape_properties_and_data() {
        let f = located(Verdict::Review { to: "trace_id".into(), why: "100% prose,\nreally".into() });
        assert_eq!(
            github_line(&f),
            "::warning file=pkg/a.py,line=3,col=5,title=retrace review::review identifier `session_id` -> `trace_id`: 100%25 prose,%0Areally"
        );
    }

    #[test]
    fn sarif_has_one_result_per_finding_with_fingerprint() {
        let f = located(Verdict::Rename { to: "trace_id".into() });
        let doc = sarif(&[(f, "00ff".into())]);
        assert_eq!(doc["version"], "2.1.0");
        let result = &doc["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], "retrace/rename");
        assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 3);
        assert_eq!(result["partialFingerprints"]["retrace/v1"], "00ff");
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
