//! The resumable backfill and its checks: a progress table (one task per copied table, then per
//! child table), a procedure that copies a batch per transaction, a function that compares old
//! and new (row counts and order-independent checksums), and the cut-over's guard.

use super::{ChildKey, Copied};
use crate::migrate::schema::{ident, QualifiedName, Renamable, Table};
use crate::migrate::script::Change;

const PROGRESS: &str = "public.retrace_backfill_progress";

/// One kind of work the procedure does in batches, keyed on a column that only grows.
struct Task {
    /// Its progress row (`public.traces`, `public.llm_calls.trace_id`).
    name: String,
    key: String,
    /// The statement body after `with batch as (...)`, given the batch's keys.
    work: String,
}

pub(super) fn machinery(copied: &[Copied<'_>], children: &[ChildKey<'_>]) -> Vec<Change> {
    let tasks: Vec<Task> = copied.iter().map(copy_task).chain(child_tasks(children)).collect();
    let names: Vec<String> = tasks.iter().map(|t| format!("('{}')", t.name)).collect();
    vec![
        Change::new(
            format!("create table {PROGRESS} (\n    task text primary key,\n    last_key text,\n    done boolean not null default false\n)"),
            format!("drop table {PROGRESS}"),
        ),
        Change::only(format!("insert into {PROGRESS} (task) values {}", names.join(", "))),
        Change::new(procedure(&tasks), "drop procedure public.retrace_backfill(integer, integer)"),
        Change::new(verify_function(copied, children), "drop function public.retrace_verify()"),
    ]
}

/// Rows of the old table copied into the mirror; rows the dual writes already copied win.
fn copy_task(c: &Copied<'_>) -> Task {
    let olds = c.columns.iter().map(|(o, _)| ident(o)).collect::<Vec<_>>().join(", ");
    let news = c.columns.iter().map(|(_, n)| ident(n)).collect::<Vec<_>>().join(", ");
    let key = ident(&c.key.name);
    Task {
        name: c.mirror.to_string(),
        key: c.key.name.clone(),
        // `for share` waits for writers of these rows, so no row is copied as it is deleted.
        work: format!(
            "batch as (\n                select {olds} from {table}\n                where v_cursor is null or {key} > v_cursor::{key_type}\n                order by {key}\n                limit batch_size\n                for share\n            ), copied as (\n                insert into {mirror} ({news})\n                select {olds} from batch\n                on conflict ({mirror_key}) do nothing\n            )",
            table = c.table.name,
            key_type = c.key.data_type,
            mirror = c.mirror,
            mirror_key = ident(c.key.target()),
        ),
    }
}

/// New key columns of the children filled from the old ones.
fn child_tasks<'a>(children: &'a [ChildKey<'a>]) -> impl Iterator<Item = Task> + 'a {
    children.iter().filter_map(|k| {
        let pairs = k.new_columns.as_ref()?;
        let (key, key_type) = child_key(k.child);
        let set = pairs.iter().map(|(o, n)| format!("{} = c.{}", ident(n), ident(o))).collect::<Vec<_>>().join(", ");
        let news = pairs.iter().map(|(_, n)| format!("c.{}", ident(n))).collect::<Vec<_>>().join(", ");
        let olds = pairs.iter().map(|(o, _)| format!("c.{}", ident(o))).collect::<Vec<_>>().join(", ");
        let column_names = pairs.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join(",");
        Some(Task {
            name: format!("{}.{column_names}", k.child.name),
            key: key.clone(),
            work: format!(
                "batch as (\n                select {key} from {table}\n                where v_cursor is null or {key} > v_cursor::{key_type}\n                order by {key}\n                limit batch_size\n            ), filled as (\n                update {table} c set {set}\n                from batch\n                where c.{key} = batch.{key} and ({news}) is distinct from ({olds})\n            )",
                table = k.child.name,
                key = ident(&key),
            ),
        })
    })
}

/// The column a child's batches follow: its single-column primary key, else its row address.
fn child_key(child: &Table) -> (String, String) {
    match child.primary_key() {
        Some([key]) => (key.clone(), child.column(key).map_or_else(|| "text".to_owned(), |c| c.data_type.clone())),
        _ => ("ctid".to_owned(), "tid".to_owned()),
    }
}

/// `call public.retrace_backfill(batch_size, max_batches)`: each batch commits; the progress
/// table says where the next call resumes.
fn procedure(tasks: &[Task]) -> String {
    let loops: Vec<String> = tasks
        .iter()
        .map(|t| {
            format!(
                "    -- {name}
    loop
        select last_key, done into v_cursor, v_done from {PROGRESS} where task = '{name}';
        exit when v_done;
        if max_batches is not null and v_batches >= max_batches then
            return;
        end if;
        with {work}
        select count(*)::integer, (array_agg({key}::text order by {key} desc))[1] into v_rows, v_last from batch;
        update {PROGRESS}
           set last_key = coalesce(v_last, last_key), done = v_rows < batch_size
         where task = '{name}';
        commit;
        v_batches := v_batches + 1;
    end loop;",
                name = t.name,
                work = t.work,
                key = ident(&t.key),
            )
        })
        .collect();
    format!(
        "create procedure public.retrace_backfill(batch_size integer default 10000, max_batches integer default null)
language plpgsql as $$
declare
    v_cursor text;
    v_done boolean;
    v_last text;
    v_rows integer;
    v_batches integer := 0;
begin
{}
end
$$",
        loops.join("\n")
    )
}

/// `select * from public.retrace_verify()`: per copied table and per new key column, counts and
/// checksums of old and new (sums of row hashes: they do not depend on row order and need no
/// memory however big the table).
fn verify_function(copied: &[Copied<'_>], children: &[ChildKey<'_>]) -> String {
    let checksum = |columns: &[String], table: &QualifiedName, counted: &str| {
        let row = columns.iter().map(|c| ident(c)).collect::<Vec<_>>().join(", ");
        format!("(select count({counted}) as n, sum(hashtextextended(row({row})::text, 0)) as s from {table})")
    };
    let mut checks = Vec::new();
    for c in copied {
        let (olds, news): (Vec<String>, Vec<String>) = c.columns.iter().cloned().unzip();
        checks.push((
            format!("{} -> {}", c.table.name, c.mirror),
            checksum(&olds, &c.table.name, "*"),
            checksum(&news, &c.mirror, "*"),
        ));
    }
    for k in children {
        let Some(pairs) = &k.new_columns else { continue };
        let (olds, news): (Vec<String>, Vec<String>) = pairs.iter().cloned().unzip();
        let counted = |cols: &[String]| format!("({})", cols.iter().map(|c| ident(c)).collect::<Vec<_>>().join(", "));
        checks.push((
            format!("{}: {} -> {}", k.child.name, olds.join(", "), news.join(", ")),
            checksum(&olds, &k.child.name, &counted(&olds)),
            checksum(&news, &k.child.name, &counted(&news)),
        ));
    }
    let selects: Vec<String> = checks
        .iter()
        .map(|(what, old, new)| {
            format!("    select '{what}'::text, o.n, c.n, o.s, c.s, o.n = c.n and o.s is not distinct from c.s\n    from {old} o,\n         {new} c")
        })
        .collect();
    format!(
        "create function public.retrace_verify()
returns table (copy text, old_rows bigint, new_rows bigint, old_checksum numeric, new_checksum numeric, equal boolean)
language sql stable as $$
{}
$$",
        selects.join("\n    union all\n")
    )
}

/// Refuses the cut-over until the backfill is done. It reads the progress table only: the full
/// comparison (step 4) reads every row and must not run under the cut-over's locks.
pub(super) fn guard() -> String {
    format!(
        "do $$
begin
    if exists (select from {PROGRESS} where not done) then
        raise exception 'retrace: the backfill is not finished: call public.retrace_backfill() first';
    end if;
end
$$"
    )
}

/// The new foreign keys checked against every row (they were added NOT VALID).
pub(super) fn validations(children: &[ChildKey<'_>]) -> Vec<String> {
    children
        .iter()
        .filter(|k| k.new_columns.is_some())
        .map(|k| format!("alter table {} validate constraint {}", k.child.name, ident(k.new_name())))
        .collect()
}
