//! Rename safety that holds for every language, settled on each file's plan right after its
//! rewriter: a rename that repeats a word goes to review, verdicts that other files' plans
//! share are followed here too ([`shared`]), and every conflict leaves with a suggested
//! resolution ([`suggest`]). The checks on string values that rewriters run on their own trees
//! ([`values`], [`json`]) live here too, so every language words them alike.

pub mod json;
mod shared;
mod suggest;
pub mod values;

use crate::lang::Context;
use crate::plan::{FilePlan, Role, Verdict};
use crate::project::Project;
use crate::rules::RuleSet;

pub use shared::{can_clash, shares_of, unplanned_shares, FileShares, Shared, Written};
pub use suggest::{alternative_name, override_suggestion};

/// The rewriter's plan for `text`, made safe across files and languages.
pub fn settle(mut plan: FilePlan, text: &str, cx: &Context<'_>) -> FilePlan {
    review_repeated_words(&mut plan, cx.rules, cx.project);
    cx.project.shared.follow(&mut plan, text, cx);
    suggest::complete(&mut plan, text);
    plan
}

/// Names in code and identifier-like strings: the places where a repeated word or another file's
/// verdict matters. Module paths follow their files and are left to the file moves.
fn is_name(role: Role) -> bool {
    matches!(role, Role::Identifier | Role::Attribute | Role::Keyword | Role::String)
}

/// `get_sessions_as_traces` -> `get_traces_as_traces` reads as a slip: a person picks the name
/// (a `[[rename]]` override, which is then taken as given).
fn review_repeated_words(plan: &mut FilePlan, rules: &RuleSet, project: &Project) {
    let repeats: Vec<_> = plan
        .findings
        .iter()
        .filter(|f| is_name(f.role) && rules.renamer.override_for(&f.text).is_none())
        .filter_map(|f| {
            let Verdict::Rename { to } = &f.verdict else { return None };
            let word = rules.renamer.repeated_word(&f.text)?;
            if names_moved_file(project, &f.text) {
                return None;
            }
            let why = format!("the new name repeats `{word}`: choose one with a [[rename]] override in the rule file");
            Some((f.range.clone(), Verdict::Review { to: to.clone(), why }))
        })
        .collect();
    plan.demote(repeats);
}

/// Whether `name` is the stem of a file or folder that moves: its imports must follow the move.
fn names_moved_file(project: &Project, name: &str) -> bool {
    project.names_moved_path(name)
}
