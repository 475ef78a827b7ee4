//! Scoped rules applied to a planned file, in one place for every language: the rewriters decide
//! as if the rules held everywhere, then each occurrence inside a rule's scope (the file's path
//! and language, the occurrence's role) is re-decided here.

use std::path::Path;

use crate::plan::{FilePlan, Finding, KeepReason, Verdict};
use crate::rules::{RuleSet, ScopedAction};

/// `plan` with the scoped rules of `rules` applied for the file at `path` in `language`.
pub fn apply(mut plan: FilePlan, rules: &RuleSet, path: &Path, language: &str) -> FilePlan {
    if rules.scoped.is_empty() {
        return plan;
    }
    // Only occurrences that would change are re-decided: a keep is never undone by a scope.
    for finding in plan.findings.iter_mut().filter(|f| !matches!(f.verdict, Verdict::Keep { .. })) {
        let Some(verdict) = rescoped(finding, rules, path, language) else { continue };
        let range = finding.range.clone();
        match &verdict {
            Verdict::Rename { to } => {
                for edit in plan.edits.iter_mut().filter(|e| e.range == range) {
                    edit.replacement.clone_from(to);
                }
            }
            _ => plan.edits.retain(|e| e.range != range),
        }
        finding.verdict = verdict;
    }
    plan
}

/// The verdict the first scoped rule that holds here gives `finding`, if any.
fn rescoped(finding: &Finding, rules: &RuleSet, path: &Path, language: &str) -> Option<Verdict> {
    let name = finding.text.as_str();
    rules.scoped.iter().filter(|rule| rule.scope.contains(path, language, finding.role)).find_map(|rule| {
        match &rule.action {
            ScopedAction::Rename { from, to } => {
                matches!(finding.verdict, Verdict::Rename { .. } if from == name).then(|| Verdict::Rename { to: to.clone() })
            }
            ScopedAction::Keep(patterns) => patterns.iter().find(|(_, glob)| glob.is_match(name)).map(|(pattern, _)| {
                Verdict::Keep { reason: KeepReason::KeepList { entry: pattern.clone() } }
            }),
            ScopedAction::Sense(words) => {
                let own = rules.renamer.words(name);
                words.iter().find(|w| own.contains(w)).map(|word| Verdict::Keep { reason: KeepReason::Sense { word: word.clone() } })
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Role;

    const RULES: &str = r#"extends = "builtin"
[[keep.scoped]]
names = ["session*"]
paths = ["sdk/instrumentation/agno/**"]

[[sense]]
words = ["agent"]
languages = ["python"]
roles = ["identifier"]

[[rename]]
from = "session_view"
to = "trace_panel"
paths = ["webapp/**"]
"#;

    fn planned() -> FilePlan {
        let mut plan = FilePlan::default();
        plan.rename(0..10, "session_id", Role::Identifier, "trace_id".into());
        plan.rename(20..33, "agent_session", Role::Identifier, "agent_trace".into());
        plan.rename(40..52, "session_view", Role::Identifier, "trace_view".into());
        plan.review(60..67, "Session", Role::Prose, "Trace".into(), "prose string");
        plan
    }

    fn verdicts(plan: &FilePlan) -> Vec<String> {
        plan.findings
            .iter()
            .map(|f| match &f.verdict {
                Verdict::Rename { to } => format!("{} -> {to}", f.text),
                Verdict::Keep { reason } => format!("{} kept: {reason}", f.text),
                other => format!("{} {}", f.text, other.name()),
            })
            .collect()
    }

    #[test]
    fn keeps_senses_and_renames_hold_only_in_their_scope() {
        let rules = RuleSet::parse("project.toml", RULES).unwrap();
        let agno = apply(planned(), &rules, Path::new("./sdk/instrumentation/agno/run.py"), "python");
        assert_eq!(
            verdicts(&agno),
            [
                "session_id kept: keep list: `session*`",
                "agent_session kept: sense: `agent` gives it another meaning",
                "session_view kept: keep list: `session*`",
                "Session review",
            ]
        );
        assert!(agno.edits.is_empty(), "kept occurrences lose their edits: {:?}", agno.edits);

        let web = apply(planned(), &rules, Path::new("webapp/src/view.ts"), "tsx");
        assert_eq!(
            verdicts(&web),
            ["session_id -> trace_id", "agent_session -> agent_trace", "session_view -> trace_panel", "Session review"]
        );
        let replacements: Vec<&str> = web.edits.iter().map(|e| e.replacement.as_str()).collect();
        assert_eq!(replacements, ["trace_id", "agent_trace", "trace_panel"]);

        let elsewhere = apply(planned(), &rules, Path::new("sdk/core.py"), "python");
        assert_eq!(verdicts(&elsewhere)[1], "agent_session kept: sense: `agent` gives it another meaning");
        assert_eq!(verdicts(&elsewhere)[2], "session_view -> trace_view");
        assert_eq!(elsewhere.edits.len(), 2);
    }

    #[test]
    fn roles_and_languages_limit_a_rule() {
        let rules = RuleSet::parse(
            "p.toml",
            "extends = \"builtin\"\n[[keep.scoped]]\nnames = [\"Session\"]\nroles = [\"prose\", \"comment\"]\nlanguages = [\"typescript\"]\n",
        )
        .unwrap();
        let ts = apply(planned(), &rules, Path::new("a.tsx"), "tsx");
        assert_eq!(verdicts(&ts)[3], "Session kept: keep list: `Session`");
        let py = apply(planned(), &rules, Path::new("a.py"), "python");
        assert_eq!(verdicts(&py)[3], "Session review");
    }
}
