//! The `copy` strategy, for tables too big to lock while everything is renamed: a parallel run.
//!
//! 1. Set up: a mirror table under the new name (columns, defaults, constraints, indexes,
//!    row-level security, grants), the new key columns in child tables kept equal to the old
//!    ones by a trigger, dual-write triggers both ways, and the backfill machinery.
//! 2. Index the new child columns concurrently.
//! 3. Backfill in batches that each commit; stop and resume at will.
//! 4. Verify counts and checksums, old against new; validate the new foreign keys.
//! 5. Cut over in one short transaction: foreign keys move to the mirror, dual writes stop,
//!    everything else is renamed in place, the old table stays as a backup, and compatibility
//!    views keep the old names working.
//!
//! The tables copied are the renamed tables that hold no foreign key to another renamed table
//! (the parents); their children are renamed in place at the cut-over.

mod backfill;
mod mirror;

use super::lex;
use super::names::is_platform_schema;
use super::postgres::{compatibility_notes, rename_steps};
use super::renames::{self, Renames};
use super::rewrite::Vocabulary;
use super::schema::{ident, Column, Constraint, ConstraintKind, ForeignKey, QualifiedName, Renamable, Schema, Table};
use super::script::{forward_and_undo, Change, Phase, Step};
use super::{Dialect, Skipped};

/// A renamed table copied into its mirror.
pub(super) struct Copied<'s> {
    pub table: &'s Table,
    pub mirror: QualifiedName,
    /// Where the old table stays after the cut-over.
    pub backup: QualifiedName,
    /// Its single-column primary key: the backfill's cursor and the dual writes' match.
    pub key: &'s Column,
    /// Every column: (old name, mirror name).
    pub columns: Vec<(String, String)>,
}

/// A foreign key from a child table into a copied table.
pub(super) struct ChildKey<'s> {
    pub child: &'s Table,
    pub constraint: &'s Constraint,
    pub fk: &'s ForeignKey,
    pub parent: &'s Copied<'s>,
    /// The new columns added beside the old ones, (old, new), when the rules rename the key
    /// columns; `None` when the columns keep their names and only the constraint moves.
    pub new_columns: Option<Vec<(String, String)>>,
}

impl ChildKey<'_> {
    /// The constraint's name after the cut-over.
    pub fn new_name(&self) -> &str {
        self.constraint.target()
    }

    /// The parent's key columns the constraint references, as the mirror names them.
    pub fn parent_columns(&self) -> Vec<String> {
        self.fk.target_columns.iter().map(|c| self.parent.table.column_target(c).to_owned()).collect()
    }

    /// The columns the moved constraint uses.
    pub fn key_columns(&self) -> Vec<String> {
        match &self.new_columns {
            Some(pairs) => pairs.iter().map(|(_, new)| new.clone()).collect(),
            None => self.fk.columns.clone(),
        }
    }
}

/// The copy strategy's forward and rollback steps.
pub(super) fn steps(schema: &Schema, vocabulary: &Vocabulary, skipped: &mut Vec<Skipped>) -> (Vec<Step>, Vec<Step>) {
    let copied = copied_tables(schema, skipped);
    if copied.is_empty() {
        let (forward, rollback) = rename_steps(schema, vocabulary, skipped);
        let note = "No renamed table to copy (the copy strategy copies renamed parent tables): everything is renamed in place.";
        return (forward.into_iter().map(|s| s.note(note)).collect(), rollback);
    }
    let children = child_keys(schema, &copied);
    let in_place = in_place_schema(schema, &copied, &children);
    let setup = mirror::setup(schema, &copied, &children);
    let dual_writes: Vec<mirror::DualWrite> = copied.iter().flat_map(mirror::dual_writes).collect();
    let dual_write_changes: Vec<Change> =
        dual_writes.iter().flat_map(|d| [d.function.clone(), d.trigger.clone()]).collect();
    let machinery = backfill::machinery(&copied, &children);

    let (setup_phase, undo_setup) = forward_and_undo("Create the mirror tables", &setup.mirrors);
    let (children_phase, undo_children) =
        forward_and_undo("Add the new key columns to the child tables", &setup.children);
    let (dual_phase, undo_dual) = forward_and_undo("Dual writes, both ways", &dual_write_changes);
    let (machinery_phase, undo_machinery) = forward_and_undo("Backfill and verification machinery", &machinery);
    // The set-up alters the old parents (dual-write triggers) and their children (new key
    // columns); locked as it went, a child before its parent, it would deadlock with a writer
    // that inserts a parent row and then its children.
    let altered: Vec<QualifiedName> =
        copied.iter().map(|c| c.table.name.clone()).chain(children.iter().map(|k| k.child.name.clone())).collect();
    let setup_lock = renames::lock_phase(&altered);
    let forward_setup = Step::new("Set up the parallel run", true)
        .phase(setup_lock)
        .phase(setup_phase.note("Empty tables under the new names, with everything the old ones have."))
        .phase(children_phase.note(
            "The new columns are filled from the old ones on every insert and update (and the other way \
             round), so old and new writers both keep them equal; their foreign keys are NOT VALID until \
             the backfill is done.",
        ))
        .phase(
            dual_phase
                .note("Every write to one table is repeated on the other; a transaction-local setting stops the echo."),
        )
        .phase(machinery_phase);
    let indexes = Step::new("Index the new columns", false).phase(
        Phase::new("Concurrent indexes (outside a transaction; they do not block writers)")
            .with(setup.concurrent_indexes.clone()),
    );
    let backfill_step = Step::new("Backfill", false).phase(
        Phase::new("Copy the existing rows in batches, each committed")
            .note("Stop it at any time: committed batches stay, and the next call resumes after the last one.")
            .note("Smaller batches hold locks for less time: call public.retrace_backfill(batch_size => 1000);")
            .with(["call public.retrace_backfill()".to_owned()]),
    );
    let verify = Step::new("Verify", false)
        .phase(
            Phase::new("Compare old and new: every row must show equal = true")
                .with(["select * from public.retrace_verify()".to_owned()]),
        )
        .phase(
            Phase::new("Validate the new foreign keys (no lock against writers)")
                .with(backfill::validations(&children)),
        );

    let cutover = cutover(schema, &in_place, vocabulary, &copied, &children, &dual_writes, skipped);
    let cleanup = cleanup_notes(&copied, &children);
    let forward =
        vec![forward_setup, indexes, backfill_step, verify, cleanup.into_iter().fold(cutover.forward, Step::note)];
    let undo_setup = Step::new("Undo the set-up", true)
        .phase(undo_machinery)
        .phase(undo_dual)
        .phase(undo_children)
        .phase(undo_setup);
    (forward, vec![cutover.undo, undo_setup])
}

struct Cutover {
    forward: Step,
    undo: Step,
}

fn cutover(
    schema: &Schema,
    in_place: &Schema,
    vocabulary: &Vocabulary,
    copied: &[Copied<'_>],
    children: &[ChildKey<'_>],
    dual_writes: &[mirror::DualWrite],
    skipped: &mut Vec<Skipped>,
) -> Cutover {
    let mirrors = copied.iter().map(|c| c.mirror.clone());
    // Parents first: a writer inserts a parent row (and, through the dual writes, its mirror)
    // before the children, so locking in this order waits for it instead of deadlocking with it.
    let before: Vec<QualifiedName> = copied
        .iter()
        .map(|c| c.table.name.clone())
        .chain(mirrors.clone())
        .chain(children.iter().map(|k| k.child.name.clone()))
        .collect();
    let after: Vec<QualifiedName> = copied
        .iter()
        .map(|c| c.backup.clone())
        .chain(mirrors)
        .chain(children.iter().map(|k| k.child.name.with_name(k.child.target())))
        .collect();
    let lock_phase = Phase::new("Lock, and refuse to cut over before the backfill is done")
        .note("Run step 4 just before: it compares every row without locking anything.")
        .with([renames::lock_tables(&before), backfill::guard()]);
    let stop_dual_writes: Vec<Change> = dual_writes.iter().filter_map(|d| d.trigger.inverse()).collect();
    let (stop_phase, undo_stop) = forward_and_undo("Stop the dual writes", &stop_dual_writes);
    let moves: Vec<Change> = children.iter().map(mirror::move_foreign_key).collect();
    let (moves_phase, undo_moves) = forward_and_undo("Move the foreign keys to the new tables", &moves);

    let renames = Renames { schema: in_place, vocabulary };
    let (rename_phases, undo_renames) = renames.phases();
    let (rewrite, restore) = renames.rewrites(skipped);
    let swaps: Vec<Change> = copied.iter().flat_map(|c| mirror::swap(schema, c, vocabulary)).collect();
    let (swap_phase, undo_swap) =
        forward_and_undo("Keep the old tables as backups; their triggers move to the new tables", &swaps);
    let (mut compatibility, unaliased) = renames::compatibility(in_place);
    for c in copied {
        let mut views = vec![renames::table_compatibility(c.table, &c.mirror)];
        views.extend(renames::grants_for(schema, &c.table.name, &c.table.name).into_iter().map(Change::only));
        compatibility.splice(0..0, views);
    }
    let (views, drop_views) = forward_and_undo("Compatibility views under the old names", &compatibility);
    let forward = Step::new("Cut over", true)
        .note("A short transaction: it locks the tables, checks, and swaps names; writers wait for it.")
        .phase(lock_phase)
        .phase(stop_phase)
        .phase(moves_phase)
        .phases(rename_phases)
        .phase(rewrite)
        .phase(swap_phase)
        .phase(compatibility_notes(views, &unaliased));
    let undo = Step::new("Undo the cut-over (skip this step if the cut-over has not run)", true)
        .note("The backups take back every row written to the new tables since the cut-over.")
        .phase(Phase::new("Lock").with([renames::lock_tables(&after)]))
        .phase(drop_views)
        .phase(undo_swap)
        .phases(undo_renames)
        .phase(restore)
        .phase(undo_moves)
        .phase(undo_stop);
    Cutover { forward, undo }
}

/// The renamed tables to copy: the parents (no foreign key to another renamed table), each
/// with a single-column primary key. The others are renamed in place at the cut-over.
fn copied_tables<'s>(schema: &'s Schema, skipped: &mut Vec<Skipped>) -> Vec<Copied<'s>> {
    let renamed = |name: &QualifiedName| schema.table(name).is_some_and(|t| t.rename.is_some());
    let mut copied = Vec::new();
    for table in schema.tables.iter().filter(|t| t.rename.is_some() && !is_platform_schema(&t.name.schema)) {
        let is_child = table.constraints.iter().any(|c| match &c.kind {
            ConstraintKind::ForeignKey(fk) => fk.target != table.name && renamed(&fk.target),
            _ => false,
        });
        if is_child {
            continue;
        }
        let key = match table.primary_key() {
            Some([key]) => table.column(key),
            _ => None,
        };
        let Some(key) = key else {
            skipped.push(Skipped {
                location: table.defined_at.clone(),
                statement_head: format!("table {}", table.name),
                reason: "the copy strategy needs a single-column primary key: this table is renamed in place at the cut-over".to_owned(),
            });
            continue;
        };
        let taken = schema.relation_names(&table.name.schema);
        let backup =
            (0..)
                .map(|i| {
                    if i == 0 {
                        format!("{}_backup", table.name.name)
                    } else {
                        format!("{}_backup{i}", table.name.name)
                    }
                })
                .find(|n| !taken.contains(&n.as_str()))
                .expect("some backup name is free");
        copied.push(Copied {
            table,
            mirror: table.name.with_name(table.target()),
            backup: table.name.with_name(&backup),
            key,
            columns: table.columns.iter().map(|c| (c.name.clone(), c.target().to_owned())).collect(),
        });
    }
    copied
}

fn child_keys<'s>(schema: &'s Schema, copied: &'s [Copied<'s>]) -> Vec<ChildKey<'s>> {
    let mut keys = Vec::new();
    for child in &schema.tables {
        for constraint in &child.constraints {
            let ConstraintKind::ForeignKey(fk) = &constraint.kind else { continue };
            let Some(parent) = copied.iter().find(|c| c.table.name == fk.target && c.table.name != child.name) else {
                continue;
            };
            let renamed: Option<Vec<(String, String)>> = fk
                .columns
                .iter()
                .map(|c| child.column(c).and_then(|col| Some((c.clone(), col.rename.clone()?))))
                .collect();
            keys.push(ChildKey { child, constraint, fk, parent, new_columns: renamed });
        }
    }
    keys
}

/// The schema the cut-over renames in place: the copied tables (which stay, as backups) and
/// the old key columns of the children (which stay, as compatibility columns) keep their names,
/// and so does what depends on them.
fn in_place_schema(schema: &Schema, copied: &[Copied<'_>], children: &[ChildKey<'_>]) -> Schema {
    let mut in_place = schema.clone();
    let is_copied = |name: &QualifiedName| copied.iter().any(|c| &c.table.name == name);
    in_place.tables.retain(|t| !is_copied(&t.name));
    in_place.indexes.retain(|i| !is_copied(&i.table));
    in_place.triggers.retain(|t| !is_copied(&t.table));
    in_place.policies.retain(|p| !is_copied(&p.table));
    in_place.sequences.retain(|s| !s.owned_by.as_ref().is_some_and(|(t, _)| is_copied(t)));
    for key in children {
        let Some(child) = in_place.table_mut(&key.child.name) else { continue };
        let old_columns = &key.fk.columns;
        let keeps = |columns: &[String]| columns.iter().any(|c| old_columns.contains(c));
        for constraint in child.constraints.iter_mut() {
            if constraint.name == key.constraint.name || (key.new_columns.is_some() && keeps(constraint.kind.columns()))
            {
                constraint.rename = None;
            }
        }
        if key.new_columns.is_some() {
            for column in child.columns.iter_mut().filter(|c| old_columns.contains(&c.name)) {
                column.rename = None;
            }
            for index in in_place.indexes.iter_mut().filter(|i| i.table == key.child.name) {
                if lex::mentions_any(&index.definition, old_columns, Dialect::Postgres) {
                    index.rename = None;
                }
            }
        }
    }
    in_place
}

/// What to do once every client uses the new names (comment lines: nothing here runs it).
fn cleanup_notes(copied: &[Copied<'_>], children: &[ChildKey<'_>]) -> Vec<String> {
    let mut notes = vec!["Later, once no client uses the old names, clean up (not run by this migration):".to_owned()];
    for c in copied {
        notes.push(format!("  drop view {}; drop table {};", c.table.name, c.backup));
    }
    let with_new_columns: Vec<&ChildKey<'_>> = children.iter().filter(|k| k.new_columns.is_some()).collect();
    if !with_new_columns.is_empty() {
        notes.push(
            "  on each child table: drop trigger retrace_sync and its function, drop the old key column (a".to_owned(),
        );
        notes.push(
            "  primary key or unique constraint on it moves to the new column's unique index), and set the".to_owned(),
        );
        notes.push("  new column not null where the old one was:".to_owned());
        for key in with_new_columns {
            let old: Vec<String> = key.fk.columns.iter().map(|c| ident(c)).collect();
            notes.push(format!("    {}: {}", key.child.name.with_name(key.child.target()), old.join(", ")));
        }
    }
    notes.push("  drop procedure public.retrace_backfill; drop function public.retrace_verify; drop table public.retrace_backfill_progress;".to_owned());
    notes
}
