//! PostgreSQL: replay the history, decide the renames, and write the `rename` strategy (the
//! `copy` strategy lives in `copy.rs`).

use super::names::{self, Decisions};
use super::renames::{self, Renames};
use super::rewrite::Vocabulary;
use super::schema::Schema;
use super::script::{forward_and_undo, Phase, Script, Step};
use super::{copy, replay, Planned, Skipped, SqlFile, Strategy};
use crate::rules::RuleSet;

pub(super) fn plan(files: &[SqlFile], rules: &RuleSet, strategy: Strategy) -> Planned {
    let replayed = replay::replay(files);
    let mut schema = replayed.schema;
    let decisions = names::decide(&mut schema, rules);
    let vocabulary = names::vocabulary(&schema, rules);
    let mut skipped = replayed.skipped;
    let (forward_steps, rollback_steps) = match strategy {
        Strategy::Rename => rename_steps(&schema, &vocabulary, &mut skipped),
        Strategy::Copy => copy::steps(&schema, &vocabulary, &mut skipped),
    };
    let summary = summary(files, rules, strategy, &decisions, &skipped);
    let forward = Script { header: summary.clone(), steps: forward_steps };
    let mut rollback_header =
        vec!["Rollback of the migration below: it returns the schema and every row to where they were.".to_owned()];
    rollback_header.extend(summary);
    let rollback = Script { header: rollback_header, steps: rollback_steps };
    Planned { forward, rollback, skipped, conflicts: decisions.conflicts }
}

/// The `rename` strategy: one transaction renames everything in place, rewrites what names the
/// old objects, and leaves compatibility views under the old names.
pub(super) fn rename_steps(
    schema: &Schema,
    vocabulary: &Vocabulary,
    skipped: &mut Vec<Skipped>,
) -> (Vec<Step>, Vec<Step>) {
    let renames = Renames { schema, vocabulary };
    let (rename_phases, undo_phases) = renames.phases();
    let (rewrite, restore) = renames.rewrites(skipped);
    let (compatibility, unaliased) = renames::compatibility(schema);
    let (views, drop_views) = forward_and_undo("Compatibility views under the old names", &compatibility);
    let forward = Step::new("Rename in place", true)
        .note(
            "One transaction: every statement below takes its table's ACCESS EXCLUSIVE lock until commit; \
             writers wait, then write through the compatibility views.",
        )
        .phase(renames.locks())
        .phases(rename_phases)
        .phase(rewrite)
        .phase(compatibility_notes(views, &unaliased));
    let rollback = Step::new("Undo the renames", true).phase(drop_views).phases(undo_phases).phase(restore);
    (vec![forward], vec![rollback])
}

/// Why the compatibility views look as they do, and what they cannot cover.
pub(super) fn compatibility_notes(phase: Phase, unaliased: &[String]) -> Phase {
    let mut phase = phase.note(
        "Old clients keep reading and writing the old names: each view reads one table's plain \
         columns, so PostgreSQL keeps it insertable and updatable; security_invoker keeps the \
         table's row-level security in force. Drop them once every client uses the new names.",
    );
    if !unaliased.is_empty() {
        phase = phase.note(format!(
            "Tables that keep their names cannot alias renamed columns; clients writing these must move now: {}",
            unaliased.join("; ")
        ));
    }
    phase
}

/// The comment that opens both scripts: what was planned from what, and what needs a person.
fn summary(
    files: &[SqlFile],
    rules: &RuleSet,
    strategy: Strategy,
    decisions: &Decisions,
    skipped: &[Skipped],
) -> Vec<String> {
    let terms: Vec<String> = rules.terms.iter().map(|t| format!("{} -> {}", t.from_plural, t.to_plural)).collect();
    let mut lines = vec![
        format!("retrace migrate: {} (PostgreSQL, strategy `{strategy}`)", terms.join(", ")),
        format!(
            "Schema learnt by replaying {} migration file(s): {} .. {}",
            files.len(),
            files.first().map_or(String::new(), |f| f.path.display().to_string()),
            files.last().map_or(String::new(), |f| f.path.display().to_string()),
        ),
    ];
    let mut section = |title: &str, items: Vec<String>| {
        if !items.is_empty() {
            lines.push(String::new());
            lines.push(title.to_owned());
            lines.extend(items.into_iter().map(|i| format!("  {i}")));
        }
    };
    section(
        "Conflicts, left unchanged (the new name is taken):",
        decisions
            .conflicts
            .iter()
            .map(|c| format!("{}: `{}` already exists ({})", c.object, c.wanted, c.other))
            .collect(),
    );
    section("Kept by the rules:", decisions.kept.clone());
    section("Skipped, to review by hand:", skipped.iter().map(ToString::to_string).collect());
    lines
}
