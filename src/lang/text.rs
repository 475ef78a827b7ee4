//! Plain-text adapter for docs and config (Markdown, reStructuredText, YAML, JSON, TOML, HTML,
//! .env): words are renamed with word boundaries and case kept, so docs move with the code.
//! Third-party names written out in text (`requests.Session`, `express-session`) stay.

use std::ops::Range;

use super::{Context, ParseError, Rewriter};
use crate::plan::{FilePlan, KeepReason, Role};
use crate::rules::{NameVerdict, RuleSet};
use crate::words;

pub struct Text;

impl Rewriter for Text {
    fn language(&self) -> &'static str {
        "text"
    }

    fn plan(&self, text: &str, cx: &Context<'_>) -> Result<FilePlan, ParseError> {
        let foreign = ForeignPhrases::new(cx.rules, text);
        let mut plan = FilePlan::default();
        for range in words::tokens(text) {
            let token = &text[range.clone()];
            match cx.rules.name_verdict(token) {
                NameVerdict::Unrelated => {}
                NameVerdict::Keep(reason) => plan.keep(range, token, Role::Text, reason),
                NameVerdict::Rename(to) => match foreign.module_around(&range) {
                    Some(module) => plan.keep(range, token, Role::Text, KeepReason::Foreign { module }),
                    None if !cx.rules.places.rewrites(Role::Text) => {
                        plan.keep(range, token, Role::Text, KeepReason::NotRewritten)
                    }
                    None => plan.rename(range, token, Role::Text, to),
                },
            }
        }
        if cx.path.extension().is_some_and(|e| e == "json") {
            crate::safety::json::check_keys(text, cx, &mut plan);
        }
        Ok(plan)
    }
}

/// Where the text spells out a third-party name from the keep lists.
struct ForeignPhrases {
    /// (byte range in the text, module it belongs to)
    spans: Vec<(Range<usize>, String)>,
}

impl ForeignPhrases {
    fn new(rules: &RuleSet, text: &str) -> ForeignPhrases {
        ForeignPhrases { spans: rules.keep.phrases_in(text) }
    }

    fn module_around(&self, range: &Range<usize>) -> Option<String> {
        self.spans
            .iter()
            .find(|(span, _)| span.start <= range.start && range.end <= span.end)
            .map(|(_, module)| module.clone())
    }
}

/// Files the adapter reads by name: lock files are generated and name packages, never rewritten.
pub fn is_text_path(path: &std::path::Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if matches!(name, "package-lock.json" | "yarn.lock" | "pnpm-lock.yaml" | "Cargo.lock" | "poetry.lock" | "uv.lock") {
        return false;
    }
    if name == ".env" || name.starts_with(".env.") {
        return true;
    }
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("md" | "markdown" | "rst" | "txt" | "yaml" | "yml" | "json" | "toml" | "html" | "htm")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit;
    use crate::project::Project;
    use std::path::Path;

    fn rewrite(text: &str) -> (String, FilePlan) {
        let rules = RuleSet::builtin();
        let project = Project::default();
        let cx = Context { rules: &rules, project: &project, path: Path::new("docs/guide.md") };
        let plan = Text.plan(text, &cx).unwrap();
        let edits = edit::normalize(text, plan.edits.clone()).unwrap();
        (edit::apply(text, &edits), plan)
    }

    #[test]
    fn renames_words_keeping_case_and_boundaries() {
        let (out, _) = rewrite("# Sessions\nEach session has a `session_id`; see [API](sessions.md#session-api).\n");
        assert_eq!(out, "# Traces\nEach trace has a `trace_id`; see [API](traces.md#trace-api).\n");
    }

    #[test]
    fn keeps_third_party_names_globals_and_senses() {
        let text = "Uses requests.Session, express-session and sessionStorage; possession; orm_session.\n";
        let (out, plan) = rewrite(text);
        assert_eq!(out, text);
        assert_eq!(plan.findings.len(), 4, "{:?}", plan.findings);
    }

    #[test]
    fn lock_files_are_not_text() {
        assert!(!is_text_path(Path::new("web/package-lock.json")));
        assert!(is_text_path(Path::new("web/package.json")));
        assert!(is_text_path(Path::new(".env.local")));
        assert!(!is_text_path(Path::new("src/a.py")));
    }
}
