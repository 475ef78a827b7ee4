//! Suggested resolutions: a conflict that no rewriter explained further is resolved by giving
//! the name another new spelling through the rule file, one the file does not use yet.

use crate::plan::{FilePlan, Verdict};
use crate::words::{split, tokens};

/// Give every conflict without a suggestion the rule-file override that would resolve it.
pub(super) fn complete(plan: &mut FilePlan, text: &str) {
    let mut used: Option<std::collections::HashSet<&str>> = None;
    for finding in &mut plan.findings {
        if let Verdict::Conflict { to, suggestion: suggestion @ None, .. } = &mut finding.verdict {
            let used = used.get_or_insert_with(|| tokens(text).into_iter().map(|r| &text[r]).collect());
            *suggestion = Some(override_suggestion(&finding.text, to, |name| !used.contains(name)));
        }
    }
}

/// `[[rename]] from = "session_id", to = "trace_uuid"`, with a target `free` accepts.
pub fn override_suggestion(from: &str, to: &str, free: impl Fn(&str) -> bool) -> String {
    let other = alternative_name(to, free);
    format!("give it another name in the rule file: [[rename]] from = \"{from}\", to = \"{other}\"")
}

/// Another spelling for a new name that is taken: `trace_id` -> `trace_uuid`, else the name
/// marked as the old kind (`legacy_trace`, `LegacyTrace`, `legacyTrace`, `LEGACY_TRACE`), numbered
/// until `free` accepts it.
pub fn alternative_name(to: &str, free: impl Fn(&str) -> bool) -> String {
    let words = split(to);
    let uuid = words.last().filter(|last| to[(*last).clone()].eq_ignore_ascii_case("id")).map(|last| {
        let id = &to[last.clone()];
        let uuid = match id {
            "ID" => "UUID",
            "Id" => "Uuid",
            _ => "uuid",
        };
        format!("{}{uuid}{}", &to[..last.start], &to[last.end..])
    });
    let legacy = legacy(to);
    let numbered = (2..).map(|n| format!("{legacy}{n}"));
    uuid.into_iter().chain(std::iter::once(legacy.clone())).chain(numbered).find(|name| free(name)).unwrap_or(legacy)
}

/// `legacy` put before `to` in `to`'s case style.
fn legacy(to: &str) -> String {
    let mut chars = to.chars();
    let first = chars.next().unwrap_or('x');
    if to.chars().all(|c| !c.is_ascii_lowercase()) {
        format!("LEGACY_{to}")
    } else if to.len() > 1 && first == 'I' && to[1..].starts_with(|c: char| c.is_ascii_uppercase()) {
        format!("ILegacy{}", &to[1..]) // an interface's `I` prefix stays first
    } else if first.is_ascii_uppercase() {
        format!("Legacy{to}")
    } else if to.contains(['_', '-']) || to.chars().all(|c| !c.is_ascii_uppercase()) {
        let separator = if to.contains('-') { '-' } else { '_' };
        format!("legacy{separator}{to}")
    } else {
        format!("legacy{}{}", first.to_ascii_uppercase(), chars.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternative_names_keep_the_case_style() {
        let any = |_: &str| true;
        assert_eq!(alternative_name("trace_id", any), "trace_uuid");
        assert_eq!(alternative_name("traceId", any), "traceUuid");
        assert_eq!(alternative_name("TRACE_ID", any), "TRACE_UUID");
        assert_eq!(alternative_name("Trace", any), "LegacyTrace");
        assert_eq!(alternative_name("ITrace", any), "ILegacyTrace");
        assert_eq!(alternative_name("start_trace", any), "legacy_start_trace");
        assert_eq!(alternative_name("traceLabel", any), "legacyTraceLabel");
        assert_eq!(alternative_name("trace-drawer", any), "legacy-trace-drawer");
    }

    #[test]
    fn alternative_names_avoid_names_in_use() {
        let taken = ["trace_uuid", "legacy_trace_id"];
        assert_eq!(alternative_name("trace_id", |n| !taken.contains(&n)), "legacy_trace_id2");
    }
}
