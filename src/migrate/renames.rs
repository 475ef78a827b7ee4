//! The in-place part of a migration, shared by both strategies: `alter ... rename` for every
//! object the plan renames, text the database re-reads by name rewritten (function bodies, view
//! queries, policy expressions), and compatibility views under the old names.

use super::rewrite::Vocabulary;
use super::schema::{ident, ConstraintKind, QualifiedName, Renamable, Schema, Table, ViewColumn};
use super::script::{forward_and_undo, Change, Phase};
use super::Skipped;

/// Renames of one schema, with the vocabulary that rewrites text for them.
pub(super) struct Renames<'a> {
    pub schema: &'a Schema,
    pub vocabulary: &'a Vocabulary,
}

impl Renames<'_> {
    /// A table's name after the migration.
    fn table_now(&self, name: &QualifiedName) -> QualifiedName {
        self.schema.table(name).map_or_else(|| name.clone(), |t| name.with_name(t.target()))
    }

    /// `alter ... rename` changes by phase, in the order they run.
    fn changes(&self) -> Vec<(&'static str, Vec<Change>)> {
        let schema = self.schema;
        let renamed = |old: &str, new: &str| Change::new(old.to_owned(), new.to_owned());
        let mut tables = Vec::new();
        let mut columns = Vec::new();
        let mut constraints = Vec::new();
        for t in &schema.tables {
            let now = t.name.with_name(t.target());
            if let Some(new) = t.rename() {
                tables.push(renamed(
                    &format!("alter table {} rename to {}", t.name, ident(new)),
                    &format!("alter table {now} rename to {}", ident(&t.name.name)),
                ));
            }
            for c in t.columns.iter().filter(|c| c.rename.is_some()) {
                columns.push(rename_in(&format!("alter table {now} rename column"), c.name(), c.target()));
            }
            for c in t.constraints.iter().filter(|c| c.rename.is_some()) {
                constraints.push(rename_in(&format!("alter table {now} rename constraint"), c.name(), c.target()));
            }
        }
        let relations = |keyword: &str, items: Vec<(&QualifiedName, &str)>| -> Vec<Change> {
            items
                .into_iter()
                .filter(|(name, target)| name.name != *target)
                .map(|(name, target)| {
                    renamed(
                        &format!("alter {keyword} {name} rename to {}", ident(target)),
                        &format!("alter {keyword} {} rename to {}", name.with_name(target), ident(&name.name)),
                    )
                })
                .collect()
        };
        let indexes = relations("index", schema.indexes.iter().map(|i| (&i.name, i.target())).collect());
        let sequences = relations("sequence", schema.sequences.iter().map(|s| (&s.name, s.target())).collect());
        let mut views = relations("view", schema.views.iter().map(|v| (&v.name, v.target())).collect());
        for v in &schema.views {
            let now = v.name.with_name(v.target());
            for c in v.columns.iter().filter(|c| c.rename.is_some()) {
                views.push(rename_in(&format!("alter view {now} rename column"), c.name(), c.target()));
            }
        }
        let functions = schema
            .functions
            .iter()
            .filter_map(|f| {
                let new = f.rename()?;
                let signature = &f.signature;
                Some(renamed(
                    &format!("alter function {}({signature}) rename to {}", f.name, ident(new)),
                    &format!("alter function {}({signature}) rename to {}", f.name.with_name(new), ident(f.name())),
                ))
            })
            .collect();
        let mut per_table = Vec::new();
        for t in schema.triggers.iter().filter(|t| t.rename.is_some()) {
            let on = self.table_now(&t.table);
            per_table.push(rename_on("trigger", t.name(), t.target(), &on));
        }
        for p in schema.policies.iter().filter(|p| p.rename.is_some()) {
            let on = self.table_now(&p.table);
            per_table.push(rename_on("policy", p.name(), p.target(), &on));
        }
        vec![
            ("Rename tables", tables),
            ("Rename columns", columns),
            ("Rename constraints (primary keys and unique constraints rename their indexes)", constraints),
            ("Rename indexes", indexes),
            ("Rename sequences (serial and identity columns keep using theirs)", sequences),
            ("Rename views and their columns", views),
            ("Rename functions", functions),
            ("Rename triggers and policies", per_table),
        ]
    }

    /// Every table the renames alter, locked by one statement before anything else, parents before
    /// the tables whose foreign keys reference them: the order in which a writer that inserts a
    /// parent row and then its children takes its locks, so the migration waits behind such a
    /// writer instead of deadlocking with it halfway through. `lock_timeout` bounds how long the
    /// migration, and every query that queues behind its locks, can wait.
    pub fn locks(&self) -> Phase {
        let schema = self.schema;
        let mut altered: Vec<&Table> = schema
            .tables
            .iter()
            .filter(|t| {
                t.rename.is_some()
                    || t.columns.iter().any(|c| c.rename.is_some())
                    || t.constraints.iter().any(|c| c.rename.is_some())
                    || schema.triggers.iter().any(|tr| tr.rename.is_some() && tr.table == t.name)
                    || schema.policies.iter().any(|p| p.rename.is_some() && p.table == t.name)
            })
            .collect();
        if altered.is_empty() {
            return Phase::new("Lock the tables");
        }
        let depth = |table: &Table| parent_depth(schema, table, 0);
        altered.sort_by_key(|t| depth(t));
        lock_phase(altered.iter().map(|t| &t.name))
    }

    /// The rename phases, and their undo phases in the order a rollback runs them.
    pub fn phases(&self) -> (Vec<Phase>, Vec<Phase>) {
        let (forward, mut undo): (Vec<Phase>, Vec<Phase>) =
            self.changes().iter().map(|(title, changes)| forward_and_undo(title, changes)).unzip();
        undo.reverse();
        (forward, undo)
    }

    /// Forward: functions, views and policies whose text names renamed objects, rewritten. Undo:
    /// their text as it was, once every name is back.
    pub fn rewrites(&self, skipped: &mut Vec<Skipped>) -> (Phase, Phase) {
        let mut forward = Phase::new("Rewrite functions, views and policies that name renamed objects").note(
            "Function bodies are text: they are recreated with the new names. View queries and policy \
             expressions are rewritten so that they read the new objects.",
        );
        let mut restore = Phase::new("Restore the functions, views and policies as they were");
        let pairs = self
            .function_rewrites(skipped)
            .into_iter()
            .chain(self.view_rewrites(skipped))
            .chain(self.policy_rewrites());
        for (new, old) in pairs {
            forward.statements.push(new);
            restore.statements.push(old);
        }
        restore.statements.reverse();
        (forward, restore)
    }

    /// `create or replace function` with the body rewritten, and with the body as it was. The
    /// function's own parameters shadow columns of the same name.
    fn function_rewrites(&self, skipped: &mut Vec<Skipped>) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        for f in &self.schema.functions {
            let rewritten = self.vocabulary.rewrite(&f.statement, &f.parameters);
            if !rewritten.ambiguous.is_empty() {
                skipped.push(Skipped {
                    location: f.defined_at.clone(),
                    statement_head: format!("function {}", f.name),
                    reason: format!(
                        "its body names {}, which some objects rename and others keep: those names were left as \
                         they are; review the body",
                        rewritten.ambiguous.join(", ")
                    ),
                });
            }
            if rewritten.text != f.statement {
                pairs.push((or_replace(&rewritten.text), or_replace(&f.statement)));
            }
        }
        pairs
    }

    /// `create or replace view` over the new names, and over the old ones. The column list keeps
    /// each view's output names whatever its query's aliases say.
    fn view_rewrites(&self, skipped: &mut Vec<Skipped>) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        for view in &self.schema.views {
            let rewritten = self.vocabulary.rewrite(&view.query, &[]).text;
            if rewritten == view.query {
                continue;
            }
            if view.columns.is_empty() {
                skipped.push(Skipped {
                    location: view.defined_at.clone(),
                    statement_head: format!("view {}", view.name),
                    reason: "its output columns are unknown (`*` over a join or a subquery): recreate it over the \
                             new names by hand"
                        .to_owned(),
                });
                continue;
            }
            let columns =
                |name: fn(&ViewColumn) -> &str| view.columns.iter().map(|c| ident(name(c))).collect::<Vec<_>>();
            let create = |name: &QualifiedName, columns: Vec<String>, query: &str| {
                format!("create or replace view {name} ({}) as\n{query}", columns.join(", "))
            };
            pairs.push((
                create(&view.name.with_name(view.target()), columns(|c| c.target()), &rewritten),
                create(&view.name, columns(|c| c.name()), &view.query),
            ));
        }
        pairs
    }

    /// `alter policy ... using (...) with check (...)` with the expressions rewritten, and as
    /// they were.
    fn policy_rewrites(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        for p in &self.schema.policies {
            let using = p.using.as_ref().map(|u| self.vocabulary.rewrite(u, &[]).text);
            let check = p.with_check.as_ref().map(|w| self.vocabulary.rewrite(w, &[]).text);
            if using == p.using && check == p.with_check {
                continue;
            }
            let alter = |name: &str, table: &QualifiedName, using: &Option<String>, check: &Option<String>| {
                let using = using.as_ref().map(|u| format!(" using ({u})")).unwrap_or_default();
                let check = check.as_ref().map(|c| format!(" with check ({c})")).unwrap_or_default();
                format!("alter policy {} on {table}{using}{check}", ident(name))
            };
            pairs.push((
                alter(p.target(), &self.table_now(&p.table), &using, &check),
                alter(p.name(), &p.table, &p.using, &p.with_check),
            ));
        }
        pairs
    }
}

/// `<prefix> old to new`, undone by `<prefix> new to old`.
/// `lock table ... in access exclusive mode` for `tables` in the order given, each once: callers
/// give parents first, the order writers take their locks in.
/// A phase that locks `tables` in the order given (parents first) before a transaction alters them.
pub(super) fn lock_phase<'n>(tables: impl IntoIterator<Item = &'n QualifiedName>) -> Phase {
    Phase::new("Lock the tables, parents first")
        .note(
            "Writers that insert a parent row and then its children take their locks in this order, so \
             the migration waits for them to commit instead of deadlocking with them. If the locks are not \
             granted within lock_timeout, the migration stops having changed nothing: run it again.",
        )
        .with(["set local lock_timeout = '10s'".to_owned(), lock_tables(tables)])
}

pub(super) fn lock_tables<'n>(tables: impl IntoIterator<Item = &'n QualifiedName>) -> String {
    let mut names: Vec<String> = Vec::new();
    for name in tables.into_iter().map(ToString::to_string) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    format!("lock table {} in access exclusive mode", names.join(", "))
}

/// How many foreign-key hops separate `table` from a table that references no other (cycles and
/// self-references end the walk).
fn parent_depth(schema: &Schema, table: &Table, seen: usize) -> usize {
    if seen > schema.tables.len() {
        return seen;
    }
    table
        .constraints
        .iter()
        .filter_map(|c| match &c.kind {
            ConstraintKind::ForeignKey(fk) if fk.target != table.name => schema.table(&fk.target),
            _ => None,
        })
        .map(|parent| 1 + parent_depth(schema, parent, seen + 1))
        .max()
        .unwrap_or(0)
}

fn rename_in(prefix: &str, old: &str, new: &str) -> Change {
    Change::new(
        format!("{prefix} {} to {}", ident(old), ident(new)),
        format!("{prefix} {} to {}", ident(new), ident(old)),
    )
}

/// Triggers and policies are named per table.
fn rename_on(keyword: &str, old: &str, new: &str, table: &QualifiedName) -> Change {
    let sql = |a: &str, b: &str| format!("alter {keyword} {} on {table} rename to {}", ident(a), ident(b));
    Change::new(sql(old, new), sql(new, old))
}

/// `create function` -> `create or replace function` (the same for procedures).
fn or_replace(statement: &str) -> String {
    let lower = statement.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().take(3).collect();
    if words.get(1) == Some(&"or") {
        return statement.to_owned();
    }
    let after_create = statement.find(|c: char| c.is_whitespace()).unwrap_or(statement.len());
    format!("create or replace{}", &statement[after_create..])
}

/// A view under a renamed table's (or view's) old name, reading and writing the new one. One
/// table and plain columns: PostgreSQL keeps it insertable and updatable; `security_invoker`
/// keeps the new table's row-level security in force for whoever uses it.
pub(super) fn compatibility_view(old: &QualifiedName, new: &QualifiedName, columns: &[(String, String)]) -> Change {
    let list: Vec<String> = columns
        .iter()
        .map(|(old, now)| if old == now { ident(old) } else { format!("{} as {}", ident(now), ident(old)) })
        .collect();
    Change::new(
        format!(
            "create view {old} with (security_invoker = true) as\n    select {}\n    from {new}",
            list.join(",\n           ")
        ),
        format!("drop view {old}"),
    )
}

/// The compatibility view of a renamed table: its old columns, read from their new names.
pub(super) fn table_compatibility(table: &Table, now: &QualifiedName) -> Change {
    let columns: Vec<(String, String)> =
        table.columns.iter().map(|c| (c.name.clone(), c.target().to_owned())).collect();
    compatibility_view(&table.name, now, &columns)
}

/// Grants of an object, repeated for another (a compatibility view, a mirror table).
pub(super) fn grants_for(schema: &Schema, of: &QualifiedName, to: &QualifiedName) -> Vec<String> {
    schema
        .grants_on(of)
        .map(|g| format!("grant {} on {} {to} to {}", g.privileges, g.object_kind, ident(&g.grantee)))
        .collect()
}

/// Compatibility views for the renamed tables and views of `schema`, and the tables that keep
/// their names but not their columns (PostgreSQL cannot alias those).
pub(super) fn compatibility(schema: &Schema) -> (Vec<Change>, Vec<String>) {
    let mut changes = Vec::new();
    let mut unaliased = Vec::new();
    for t in &schema.tables {
        let now = t.name.with_name(t.target());
        if t.rename.is_some() {
            changes.push(table_compatibility(t, &now));
            changes.extend(grants_for(schema, &t.name, &t.name).into_iter().map(Change::only));
        } else {
            let renamed: Vec<String> =
                t.columns.iter().filter_map(|c| Some(format!("{} -> {}", c.name, c.rename.as_deref()?))).collect();
            if !renamed.is_empty() {
                unaliased.push(format!("{} ({})", t.name, renamed.join(", ")));
            }
        }
    }
    for v in schema.views.iter().filter(|v| v.rename.is_some() && !v.columns.is_empty()) {
        let columns: Vec<(String, String)> =
            v.columns.iter().map(|c| (c.name.clone(), c.target().to_owned())).collect();
        changes.push(compatibility_view(&v.name, &v.name.with_name(v.target()), &columns));
        changes.extend(grants_for(schema, &v.name, &v.name).into_iter().map(Change::only));
    }
    (changes, unaliased)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn or_replace_is_added_once() {
        assert_eq!(or_replace("create function f() as $$ $$"), "create or replace function f() as $$ $$");
        assert_eq!(or_replace("CREATE OR REPLACE FUNCTION f()"), "CREATE OR REPLACE FUNCTION f()");
    }

    #[test]
    fn triggers_and_policies_are_renamed_on_their_table() {
        let change = rename_on("policy", "sessions_own", "traces_own", &QualifiedName::new("public", "traces"));
        assert_eq!(change.forward, "alter policy sessions_own on public.traces rename to traces_own");
        assert_eq!(change.backward.unwrap(), "alter policy traces_own on public.traces rename to sessions_own");
    }
}
