//! The copy strategy's DDL: mirror tables, new child key columns kept in sync, dual writes,
//! the foreign-key moves and the swap that keeps the old table as a backup.

use std::collections::BTreeMap;

use super::{ChildKey, Copied};
use crate::migrate::lex;
use crate::migrate::renames;
use crate::migrate::rewrite::Vocabulary;
use crate::migrate::schema::{ident, Column, Constraint, ConstraintKind, QualifiedName, Renamable, Schema, Table};
use crate::migrate::script::Change;
use crate::migrate::Dialect;

/// The set-up's statements.
pub(super) struct Setup {
    /// Mirror tables with their indexes, policies and grants.
    pub mirrors: Vec<Change>,
    /// New key columns, their not-yet-valid foreign keys and the triggers that fill them.
    pub children: Vec<Change>,
    /// `create index concurrently` on the new key columns (outside any transaction).
    pub concurrent_indexes: Vec<String>,
}

/// One direction of the dual writes.
pub(super) struct DualWrite {
    pub function: Change,
    pub trigger: Change,
}

pub(super) fn setup(schema: &Schema, copied: &[Copied<'_>], children: &[ChildKey<'_>]) -> Setup {
    let mut mirrors = Vec::new();
    for c in copied {
        mirrors.extend(mirror_table(schema, c, copied));
    }
    let mut by_child: BTreeMap<&QualifiedName, Vec<&ChildKey<'_>>> = BTreeMap::new();
    for key in children.iter().filter(|k| k.new_columns.is_some()) {
        by_child.entry(&key.child.name).or_default().push(key);
    }
    let mut child_changes = Vec::new();
    let mut concurrent_indexes = Vec::new();
    for (name, keys) in by_child {
        let child = keys[0].child;
        let pairs: Vec<(String, String)> =
            keys.iter().flat_map(|k| k.new_columns.clone().unwrap_or_default()).collect();
        for (old, new) in &pairs {
            let data_type = child.column(old).map_or("", |c| c.data_type.as_str());
            child_changes.push(Change::new(
                format!("alter table {name} add column {} {data_type}", ident(new)),
                format!("alter table {name} drop column {}", ident(new)),
            ));
        }
        for key in &keys {
            child_changes.push(Change::only(format!(
                "alter table {name} add constraint {} {} not valid",
                ident(key.new_name()),
                key.fk.sql(&key.key_columns(), &key.parent.mirror, &key.parent_columns())
            )));
        }
        child_changes.extend(sync_trigger(child, &pairs));
        concurrent_indexes.extend(new_key_indexes(schema, child, &pairs));
    }
    Setup { mirrors, children: child_changes, concurrent_indexes }
}

/// `create table` for the mirror, then its indexes, row-level security, policies and grants.
fn mirror_table(schema: &Schema, c: &Copied<'_>, copied: &[Copied<'_>]) -> Vec<Change> {
    let t = c.table;
    let vocabulary = table_vocabulary(c);
    let mut lines: Vec<String> = t.columns.iter().map(|column| mirror_column(schema, t, column)).collect();
    lines.extend(t.constraints.iter().map(|k| mirror_constraint(c, k, copied, &vocabulary)));
    let mut changes = vec![Change::new(
        format!("create table {} (\n    {}\n)", c.mirror, lines.join(",\n    ")),
        format!("drop table {}", c.mirror),
    )];
    for index in schema.indexes.iter().filter(|i| i.table == t.name) {
        let name = if index.rename.is_some() {
            index.target().to_owned()
        } else {
            format!("{}_{}", c.mirror.name, index.name.name)
        };
        let unique = if index.unique { "unique " } else { "" };
        let definition = vocabulary.rewrite(&index.definition, &[]).text;
        changes.push(Change::only(format!("create {unique}index {} on {} {definition}", ident(&name), c.mirror)));
    }
    if t.row_level_security {
        changes.push(Change::only(format!("alter table {} enable row level security", c.mirror)));
    }
    for policy in schema.policies.iter().filter(|p| p.table == t.name) {
        let definition = vocabulary.rewrite(&policy.definition, &[]).text;
        changes.push(Change::only(format!("create policy {} on {} {definition}", ident(policy.target()), c.mirror)));
    }
    changes.extend(renames::grants_for(schema, &t.name, &c.mirror).into_iter().map(Change::only));
    changes
}

/// Renames within one copied table: its columns, and the table itself to its mirror.
fn table_vocabulary(c: &Copied<'_>) -> Vocabulary {
    let mut vocabulary = Vocabulary::new([c.table.name.schema.clone()]);
    vocabulary.qualified(&c.table.name, &c.mirror.name);
    for (old, new) in c.columns.iter().filter(|(old, new)| old != new) {
        vocabulary.bare_name(old, Some(new));
    }
    vocabulary
}

/// A column of a mirror: identity columns become plain columns that keep drawing from the old
/// table's sequence, so both sides never hand out the same value.
fn mirror_column(schema: &Schema, table: &Table, column: &Column) -> String {
    let mut sql = format!("{} {}", ident(column.target()), column.data_type);
    let owner = Some((table.name.clone(), column.name.clone()));
    let identity_sequence =
        column.identity.as_ref().and_then(|_| schema.sequences.iter().find(|s| s.owned_by == owner));
    match (identity_sequence, &column.default) {
        (Some(sequence), _) => sql.push_str(&format!(" default nextval('{}'::regclass)", sequence.name)),
        (None, Some(default)) => sql.push_str(&format!(" default {default}")),
        (None, None) => {}
    }
    if column.not_null {
        sql.push_str(" not null");
    }
    sql
}

fn mirror_constraint(c: &Copied<'_>, k: &Constraint, copied: &[Copied<'_>], vocabulary: &Vocabulary) -> String {
    // Constraints with an index share the schema's relation names with the old table's.
    let name = match &k.rename {
        Some(new) => new.clone(),
        None if k.kind.has_index() => format!("{}_{}", c.mirror.name, k.name),
        None => k.name.clone(),
    };
    let columns =
        |names: &[String]| names.iter().map(|n| ident(c.table.column_target(n))).collect::<Vec<_>>().join(", ");
    let body = match &k.kind {
        ConstraintKind::PrimaryKey { columns: cols } => format!("primary key ({})", columns(cols)),
        ConstraintKind::Unique { columns: cols } => format!("unique ({})", columns(cols)),
        ConstraintKind::Check { expression } => format!("check ({})", vocabulary.rewrite(expression, &[]).text),
        ConstraintKind::ForeignKey(fk) => {
            let (target, target_columns) = match copied.iter().find(|p| p.table.name == fk.target) {
                Some(p) => {
                    (p.mirror.clone(), fk.target_columns.iter().map(|n| p.table.column_target(n).to_owned()).collect())
                }
                None => (fk.target.clone(), fk.target_columns.clone()),
            };
            let columns: Vec<String> = fk.columns.iter().map(|n| c.table.column_target(n).to_owned()).collect();
            fk.sql(&columns, &target, &target_columns)
        }
    };
    format!("constraint {} {body}", ident(&name))
}

/// A child's old and new key columns stay equal whoever writes: old writers set the old column,
/// new writers the new one.
fn sync_trigger(child: &Table, pairs: &[(String, String)]) -> Vec<Change> {
    let function = child.name.with_name(&format!("retrace_sync_{}", child.target()));
    let assign = |to: &str, from: &str| format!("new.{} := new.{}", ident(to), ident(from));
    let fill = |to: &str, from: &str| format!("new.{0} := coalesce(new.{0}, new.{1})", ident(to), ident(from));
    let on_insert: Vec<String> = pairs.iter().flat_map(|(old, new)| [fill(new, old), fill(old, new)]).collect();
    let news = pairs.iter().map(|(_, new)| format!("new.{}", ident(new))).collect::<Vec<_>>().join(", ");
    let olds = pairs.iter().map(|(_, new)| format!("old.{}", ident(new))).collect::<Vec<_>>().join(", ");
    let new_changed: Vec<String> = pairs.iter().map(|(old, new)| assign(old, new)).collect();
    let old_changed: Vec<String> = pairs.iter().map(|(old, new)| assign(new, old)).collect();
    let body = format!(
        "begin\n    if tg_op = 'INSERT' then\n        {};\n    elsif ({news}) is distinct from ({olds}) then\n        {};\n    else\n        {};\n    end if;\n    return new;\nend",
        on_insert.join(";\n        "),
        new_changed.join(";\n        "),
        old_changed.join(";\n        "),
    );
    vec![
        Change::new(
            format!("create function {function}() returns trigger language plpgsql as $$\n{body}\n$$"),
            format!("drop function {function}()"),
        ),
        Change::new(
            format!(
                "create trigger retrace_sync before insert or update on {} for each row execute function {function}()",
                child.name
            ),
            format!("drop trigger retrace_sync on {}", child.name),
        ),
    ]
}

/// Indexes, primary keys and unique constraints over the old key columns, built on the new ones.
fn new_key_indexes(schema: &Schema, child: &Table, pairs: &[(String, String)]) -> Vec<String> {
    let olds: Vec<String> = pairs.iter().map(|(old, _)| old.clone()).collect();
    let mut vocabulary = Vocabulary::new([child.name.schema.clone()]);
    for (old, new) in pairs {
        vocabulary.bare_name(old, Some(new));
    }
    let name_of = |old: &str, rename: Option<&str>| rename.map_or_else(|| format!("{old}_new"), str::to_owned);
    let mut statements = Vec::new();
    for index in schema
        .indexes
        .iter()
        .filter(|i| i.table == child.name && lex::mentions_any(&i.definition, &olds, Dialect::Postgres))
    {
        let unique = if index.unique { "unique " } else { "" };
        statements.push(format!(
            "create {unique}index concurrently if not exists {} on {} {}",
            ident(&name_of(&index.name.name, index.rename())),
            child.name,
            vocabulary.rewrite(&index.definition, &[]).text
        ));
    }
    for k in
        child.constraints.iter().filter(|k| k.kind.has_index() && k.kind.columns().iter().any(|c| olds.contains(c)))
    {
        let columns: Vec<String> = k
            .kind
            .columns()
            .iter()
            .map(|c| ident(pairs.iter().find(|(old, _)| old == c).map_or(c, |(_, new)| new)))
            .collect();
        statements.push(format!(
            "create unique index concurrently if not exists {} on {} ({})",
            ident(&name_of(&k.name, k.rename())),
            child.name,
            columns.join(", ")
        ));
    }
    statements
}

/// Writes to the old table repeated on the mirror, and the other way round.
pub(super) fn dual_writes(c: &Copied<'_>) -> Vec<DualWrite> {
    let to_mirror: Vec<(String, String)> = c.columns.clone();
    let to_old: Vec<(String, String)> = c.columns.iter().map(|(old, new)| (new.clone(), old.clone())).collect();
    let old_has_identity = c.table.columns.iter().any(|col| col.identity.is_some());
    let key_old = c.key.name.clone();
    let key_new = c.key.target().to_owned();
    vec![
        dual_write(&c.table.name, &c.mirror, &to_mirror, (&key_old, &key_new), false),
        dual_write(&c.mirror, &c.table.name, &to_old, (&key_new, &key_old), old_has_identity),
    ]
}

/// An after-row trigger on `from` that repeats each insert, update and delete on `to`.
/// `columns` pairs each column of `from` with its namesake in `to`; `key` likewise.
fn dual_write(
    from: &QualifiedName,
    to: &QualifiedName,
    columns: &[(String, String)],
    key: (&str, &str),
    overriding: bool,
) -> DualWrite {
    let function = from.with_name(&format!("retrace_copy_{}_to_{}", from.name, to.name));
    let targets = columns.iter().map(|(_, t)| ident(t)).collect::<Vec<_>>().join(", ");
    let values = columns.iter().map(|(s, _)| format!("new.{}", ident(s))).collect::<Vec<_>>().join(", ");
    let updates: Vec<String> =
        columns.iter().filter(|(_, t)| t != key.1).map(|(_, t)| format!("{0} = excluded.{0}", ident(t))).collect();
    let on_conflict =
        if updates.is_empty() { "do nothing".to_owned() } else { format!("do update set {}", updates.join(", ")) };
    let overriding = if overriding { " overriding system value" } else { "" };
    let body = format!(
        "begin
    -- The write below fires the other side's trigger: this transaction-local setting stops the echo.
    if current_setting('retrace.dual_write', true) = 'on' then
        return null;
    end if;
    perform set_config('retrace.dual_write', 'on', true);
    if tg_op = 'DELETE' then
        delete from {to} where {key_to} = old.{key_from};
    else
        insert into {to} ({targets}){overriding}
        values ({values})
        on conflict ({key_to}) {on_conflict};
    end if;
    perform set_config('retrace.dual_write', 'off', true);
    return null;
end",
        key_to = ident(key.1),
        key_from = ident(key.0),
    );
    DualWrite {
        function: Change::new(
            format!("create function {function}() returns trigger language plpgsql as $$\n{body}\n$$"),
            format!("drop function {function}()"),
        ),
        trigger: Change::new(
            format!("create trigger retrace_dual_write after insert or update or delete on {from} for each row execute function {function}()"),
            format!("drop trigger retrace_dual_write on {from}"),
        ),
    }
}

/// A child's foreign key moves from the old table to the mirror: onto the new column when there
/// is one (its constraint was added, not valid, at the set-up), else in place.
pub(super) fn move_foreign_key(key: &ChildKey<'_>) -> Change {
    let child = &key.child.name;
    let old = ident(&key.constraint.name);
    let restore =
        format!("add constraint {old} {}", key.fk.sql(&key.fk.columns, &key.fk.target, &key.fk.target_columns));
    if key.new_columns.is_some() {
        return Change::new(
            format!("alter table {child} drop constraint {old}"),
            format!("alter table {child} {restore}"),
        );
    }
    let new = ident(key.new_name());
    Change::new(
        format!(
            "alter table {child} drop constraint {old}, add constraint {new} {}",
            key.fk.sql(&key.fk.columns, &key.parent.mirror, &key.parent_columns())
        ),
        format!("alter table {child} drop constraint {new}, {restore}"),
    )
}

/// The old table becomes the backup and its triggers move to the mirror; undoing it gives the
/// old table every row written to the mirror since.
pub(super) fn swap(schema: &Schema, c: &Copied<'_>, vocabulary: &Vocabulary) -> Vec<Change> {
    let t = c.table;
    let mut changes = Vec::new();
    for sequence in &schema.sequences {
        let Some((table, column)) = &sequence.owned_by else { continue };
        let serial = t.column(column).is_some_and(|col| col.identity.is_none());
        if table == &t.name && serial {
            changes.push(Change::new(
                format!("alter sequence {} owned by {}.{}", sequence.name, c.mirror, ident(t.column_target(column))),
                format!("alter sequence {} owned by {}.{}", sequence.name, t.name, ident(column)),
            ));
        }
    }
    changes.push(Change::new(
        format!("alter table {} rename to {}", t.name, ident(&c.backup.name)),
        format!("alter table {} rename to {};\n{}", c.backup, ident(&t.name.name), reconcile(c)),
    ));
    for trigger in schema.triggers.iter().filter(|tr| tr.table == t.name) {
        changes.push(Change::new(
            vocabulary.rewrite(&trigger.statement, &[]).text,
            format!("drop trigger {} on {}", ident(trigger.target()), c.mirror),
        ));
    }
    changes
}

/// The old table takes the mirror's rows: upserted, and deleted where the mirror has none.
fn reconcile(c: &Copied<'_>) -> String {
    let (old, new) = (&c.table.name, &c.mirror);
    let targets = c.columns.iter().map(|(o, _)| ident(o)).collect::<Vec<_>>().join(", ");
    let sources = c.columns.iter().map(|(_, n)| ident(n)).collect::<Vec<_>>().join(", ");
    let key = ident(&c.key.name);
    let updates: Vec<String> = c
        .columns
        .iter()
        .filter(|(o, _)| *o != c.key.name)
        .map(|(o, _)| format!("{0} = excluded.{0}", ident(o)))
        .collect();
    let on_conflict =
        if updates.is_empty() { "do nothing".to_owned() } else { format!("do update set {}", updates.join(", ")) };
    let overriding =
        if c.table.columns.iter().any(|col| col.identity.is_some()) { " overriding system value" } else { "" };
    format!(
        "alter table {old} disable trigger user;\n\
         insert into {old} ({targets}){overriding}\n    select {sources} from {new}\n    on conflict ({key}) {on_conflict};\n\
         delete from {old} o where not exists (select from {new} n where n.{new_key} = o.{key});\n\
         alter table {old} enable trigger user",
        new_key = ident(c.key.target()),
    )
}
