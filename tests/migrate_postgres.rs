//! `retrace migrate` against a real PostgreSQL server (started by `scripts/test`): the fixture's
//! Supabase history is replayed into a fresh database and seeded; the forward migration runs
//! while a writer keeps inserting through the old names; then no row is lost, every foreign key
//! holds, the renamed objects work, the old names still read and write, and the rollback gives
//! back the same schema and the same rows.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use retrace::migrate::{plan_migration, Migration, Options, Strategy};
use retrace::rules::RuleSet;

const SCHEMA: &str = "fixtures/migrate/supabase/migrations";
const PLATFORM: &str = "fixtures/migrate/supabase-platform.sql";

/// The tables of the fixture, by their old names.
const TABLES: &[&str] = &[
    "projects",
    "sessions",
    "session_events",
    "llm_calls",
    "tool_calls",
    "errors",
    "session_summaries",
    "feedback",
    "shares",
];

/// The project the concurrent writer writes into (its rows are told apart by it).
const WRITER_PROJECT: &str = "00000000-0000-0000-0000-0000000000ff";

/// 10 projects (and the writer's), `sessions` sessions spread over them, and child rows: three
/// events, one LLM call, and fewer tool calls, errors, summaries, ratings and shares per session. The
/// owners of the projects are known, for the row-level security check.
fn seed(sessions: usize) -> String {
    format!(
        "
insert into public.projects (id, name, owner_id)
select ('00000000-0000-0000-0000-' || lpad(to_hex(i), 12, '0'))::uuid, 'project ' || i,
       ('10000000-0000-0000-0000-' || lpad(to_hex(i), 12, '0'))::uuid
from generate_series(1, 10) i;
insert into public.projects (id, name, owner_id) values ('{WRITER_PROJECT}', 'writer', gen_random_uuid());
insert into public.sessions (project_id, created_at, ended_at, metadata)
select ('00000000-0000-0000-0000-' || lpad(to_hex(1 + i % 10), 12, '0'))::uuid,
       timestamptz '2024-01-01' + i * interval '1 minute',
       case when i % 3 = 0 then timestamptz '2024-01-01' + i * interval '1 minute' + interval '5 minutes' end,
       jsonb_build_object('sdk', 'python', 'n', i)
from generate_series(1, {sessions}) i;
insert into public.session_events (session_id, event_type, payload, created_at)
select s.id, (array['llm', 'tool', 'error'])[1 + k % 3], jsonb_build_object('k', k), s.created_at + k * interval '1 second'
from public.sessions s, generate_series(1, 3) k;
insert into public.llm_calls (session_id, model, prompt_tokens, completion_tokens)
select id, 'gpt-4o', 100, 20 from public.sessions;
insert into public.tool_calls (session_id, name, \"durationMs\")
select id, 'search', 12 from public.sessions where (metadata->>'n')::int % 2 = 0;
insert into public.errors (session_id, message)
select id, 'boom' from public.sessions where (metadata->>'n')::int % 5 = 0;
insert into public.session_summaries (session_id, summary, total_tokens)
select id, 'fine', 120 from public.sessions where (metadata->>'n')::int % 2 = 0;
insert into public.feedback (session_id, rating)
select id, 1 + (metadata->>'n')::int % 5 from public.sessions where (metadata->>'n')::int % 3 = 0;
insert into public.shares (resource_id, token)
select id, md5(id::text) from public.sessions where (metadata->>'n')::int % 10 = 0;
analyze;
"
    )
}

#[test]
fn rename_strategy_on_a_live_database() {
    end_to_end(Strategy::Rename);
}

#[test]
fn copy_strategy_on_a_live_database() {
    end_to_end(Strategy::Copy);
}

#[test]
fn generated_sql_snapshots() {
    for strategy in [Strategy::Rename, Strategy::Copy] {
        let migration = plan(strategy);
        insta::assert_snapshot!(format!("{strategy}_forward"), migration.forward);
        insta::assert_snapshot!(format!("{strategy}_rollback"), migration.rollback);
    }
}

#[test]
fn skipped_statements_are_listed_with_their_place() {
    let migration = plan(Strategy::Rename);
    let skipped: Vec<String> = migration.skipped.iter().map(ToString::to_string).collect();
    assert_eq!(
        skipped,
        [format!(
            "{SCHEMA}/20240103000000_session_counts.sql:40:1: skipped: do $$: a DO block runs code the replay does not follow"
        )]
    );
    assert!(migration.conflicts.is_empty(), "{:?}", migration.conflicts);
    assert_eq!(migration.file_stem, "sessions_to_traces");
}

fn plan(strategy: Strategy) -> Migration {
    plan_migration(Path::new(SCHEMA), &RuleSet::builtin(), &Options { strategy, ..Options::default() })
        .expect("the fixture schema plans")
}

/// A fresh database with the platform, the fixture's history and the seed.
fn prepared_database(name: &str, seed: &str) -> Database {
    let db = Postgres::from_env().fresh_database(name);
    db.run_file(Path::new(PLATFORM));
    for file in fixture_migrations() {
        db.run_file(&file);
    }
    db.run(seed);
    db
}

fn end_to_end(strategy: Strategy) {
    let started = Instant::now();
    let db = prepared_database(&format!("retrace_migrate_{strategy}"), &seed(10_000));
    let schema_before = db.schema_dump();
    let columns_before: BTreeMap<&str, Vec<String>> = TABLES.iter().map(|t| (*t, db.columns(t))).collect();
    let data_before = db.checksums(&columns_before, true);
    assert!(data_before.values().map(|(rows, _)| rows).sum::<i64>() >= 50_000, "{data_before:?}");
    eprintln!("{strategy}: database ready in {:?}", started.elapsed());

    let migration = plan(strategy);
    let writer = Writer::start(&db);
    writer.wait_for_rows(5);
    let migrating = Instant::now();
    match strategy {
        Strategy::Rename => {
            db.run(&migration.forward);
        }
        Strategy::Copy => run_copy_steps(&db, &migration),
    }
    eprintln!("{strategy}: forward migration in {:?}", migrating.elapsed());
    writer.wait_for_rows(writer.written() + 5);
    let written = writer.stop();

    // Every row that was there is still there, under the old names and under the new ones.
    let data_after = db.checksums(&columns_before, true);
    assert_eq!(data_after, data_before, "rows of the old data changed");
    for (old, new) in
        [("sessions", "traces"), ("session_events", "trace_events"), ("session_summaries", "trace_summaries")]
    {
        assert_eq!(db.count(old), db.count(new), "{old} and {new} read different rows");
    }
    let writer_sessions =
        db.value(&format!("select count(*) from public.traces where project_id = '{WRITER_PROJECT}'"));
    assert_eq!(writer_sessions, written.to_string(), "every session the writer wrote lands in traces");
    assert_foreign_keys(&db);
    assert_renamed_objects_work(&db);
    assert_old_names_read_and_write(&db);

    // The rollback gives back the schema and every row, writer's rows included.
    let rows_before_rollback = db.checksums(&columns_before, false);
    db.run(&migration.rollback);
    assert_eq!(db.checksums(&columns_before, false), rows_before_rollback, "the rollback lost or changed rows");
    let schema_after = db.schema_dump();
    assert!(
        schema_after == schema_before,
        "the rollback did not restore the schema:\n{}",
        line_changes(&schema_before, &schema_after)
    );
    eprintln!("{strategy}: whole test in {:?}", started.elapsed());
}

/// The copy strategy's steps, with the backfill stopped after one batch and resumed.
fn run_copy_steps(db: &Database, migration: &Migration) {
    let titles: Vec<&str> = migration.steps.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["Set up the parallel run", "Index the new columns", "Backfill", "Verify", "Cut over"]);
    let [setup, indexes, backfill, verify, cutover] = &migration.steps[..] else { unreachable!() };
    db.run(&setup.sql);
    db.run(&indexes.sql);
    db.run("call public.retrace_backfill(batch_size => 1000, max_batches => 1)");
    let progress = db.value("select done::text || ' ' || (last_key is not null)::text from public.retrace_backfill_progress where task = 'public.traces'");
    assert_eq!(progress, "false true", "one batch is copied and recorded, then the procedure stops");
    let copied: i64 = db
        .value(&format!("select count(*) from public.traces where project_id <> '{WRITER_PROJECT}'"))
        .parse()
        .unwrap();
    assert!((1..=1000).contains(&copied), "one batch of at most 1000 old rows, not {copied}");
    let unequal = db.value("select count(*) from public.retrace_verify() where not equal");
    assert_ne!(unequal, "0", "the verification sees an unfinished backfill");
    assert!(db.try_run(&cutover.sql).is_err(), "the cut-over refuses an unfinished backfill");
    db.run(&backfill.sql);
    let report = db.run("select * from public.retrace_verify()");
    assert_eq!(
        db.value("select count(*) from public.retrace_verify() where not equal"),
        "0",
        "old and new differ after the backfill:\n{report}"
    );
    assert_eq!(db.value("select count(*) from (select id from public.traces group by id having count(*) > 1) d"), "0");
    db.run(&verify.sql);
    db.run(&cutover.sql);
}

fn assert_foreign_keys(db: &Database) {
    let children = db.value(
        "select string_agg(conrelid::regclass::text || '.' || a.attname, ', ' order by conrelid::regclass::text)
         from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
         where c.contype = 'f' and c.confrelid = 'public.traces'::regclass",
    );
    assert_eq!(
        children,
        "errors.trace_id, feedback.trace_id, llm_calls.trace_id, shares.resource_id, tool_calls.trace_id, \
         trace_events.trace_id, trace_summaries.trace_id",
        "every child's foreign key points at traces"
    );
    assert_eq!(db.value("select count(*) from pg_constraint where contype = 'f' and not convalidated"), "0");
    for child in children.split(", ") {
        let (table, column) = child.split_once('.').unwrap();
        let orphans = db.value(&format!(
            "select count(*) from public.{table} c where c.{column} is not null and not exists (select from public.traces t where t.id = c.{column})"
        ));
        assert_eq!(orphans, "0", "orphans in {table}");
    }
    let violation = db.try_run("insert into public.llm_calls (trace_id, model) values (gen_random_uuid(), 'x')");
    assert!(violation.unwrap_err().contains("violates foreign key constraint"));
}

fn assert_renamed_objects_work(db: &Database) {
    // The function and trigger: an event counts on its trace.
    let trace = db.value(
        "select id from public.traces where project_id <> '00000000-0000-0000-0000-0000000000ff' order by id limit 1",
    );
    let count = |db: &Database| db.value(&format!("select event_count from public.traces where id = '{trace}'"));
    let before: i64 = count(db).parse().unwrap();
    db.run(&format!("insert into public.trace_events (trace_id, event_type) values ('{trace}', 'llm')"));
    assert_eq!(count(db), (before + 1).to_string(), "bump_trace_event_count counts new events");
    assert_eq!(db.value("select count(*) from pg_trigger where tgname = 'trace_events_bump_count'"), "1");
    assert_eq!(db.value("select count(*) from pg_proc where proname = 'bump_trace_event_count'"), "1");
    // The view: one row per trace.
    assert_eq!(db.value("select count(*) from public.trace_stats"), db.value("select count(*) from public.traces"));
    assert_eq!(
        db.value(&format!("select events from public.trace_stats where trace_id = '{trace}'")),
        (before + 1).to_string()
    );
    // The policy: an owner sees their project's traces, through the new name and the old one.
    let as_owner = |relation: &str| {
        db.value(&format!(
            "begin; set local role authenticated; set local request.jwt.claim.sub = '10000000-0000-0000-0000-000000000001';
             select count(*) from public.{relation}; commit;"
        ))
    };
    assert_eq!(db.value("select count(*) from pg_policy where polname = 'traces_select_own'"), "1");
    assert_eq!(as_owner("traces"), "1000");
    assert_eq!(as_owner("sessions"), "1000", "the compatibility view keeps row-level security");
}

fn assert_old_names_read_and_write(db: &Database) {
    let id = "20000000-0000-4000-8000-000000000001";
    db.run(&format!(
        "insert into public.sessions (id, project_id, metadata) values ('{id}', '00000000-0000-0000-0000-000000000001', '{{\"via\": \"old name\"}}');
         insert into public.session_events (session_id, event_type) values ('{id}', 'llm');
         update public.sessions set ended_at = now() where id = '{id}';"
    ));
    assert_eq!(
        db.value(&format!("select metadata->>'via' from public.traces where id = '{id}' and ended_at is not null")),
        "old name"
    );
    assert_eq!(db.value(&format!("select count(*) from public.trace_events where trace_id = '{id}'")), "1");
    assert_eq!(db.value(&format!("select event_count from public.sessions where id = '{id}'")), "1");
    assert_eq!(db.value(&format!("select count(*) from public.session_stats where session_id = '{id}'")), "1");
    db.run(&format!("delete from public.sessions where id = '{id}'"));
    assert_eq!(
        db.value(&format!("select count(*) from public.trace_events where trace_id = '{id}'")),
        "0",
        "deletes cascade through the view"
    );
}

/// Not a timed test: how long each strategy takes on 1M sessions (and 5.6M child rows), with
/// the steps of the copy strategy apart. Run it with
/// `scripts/test --test migrate_postgres -- --ignored --nocapture`
/// (`RETRACE_BENCH_SESSIONS` changes the size).
#[test]
#[ignore = "a benchmark, not a test: run it with --ignored --nocapture"]
fn benchmark_strategies_per_million_sessions() {
    let sessions: usize = std::env::var("RETRACE_BENCH_SESSIONS").map_or(1_000_000, |n| n.parse().unwrap());
    // Seeding without triggers (replica mode): the benchmark times the migration, not the seed.
    let seed = format!("set session_replication_role = replica;\n{}", seed(sessions));
    for strategy in [Strategy::Rename, Strategy::Copy] {
        let started = Instant::now();
        let db = prepared_database(&format!("retrace_bench_{strategy}"), &seed);
        eprintln!("{strategy}: seeded {sessions} sessions in {:.1?}", started.elapsed());
        let migration = plan(strategy);
        let timed = |what: &str, sql: &str| {
            let started = Instant::now();
            db.run(sql);
            eprintln!("{strategy}: {what}: {:.2?}", started.elapsed());
        };
        for step in &migration.steps {
            timed(&step.title, &step.sql);
        }
        timed("rollback", &migration.rollback);
    }
}

/// The lines only one of two texts has, for failure messages.
fn line_changes(before: &str, after: &str) -> String {
    let only = |a: &str, b: &str, sign: char| {
        a.lines().filter(|l| !b.lines().any(|m| m == *l)).map(|l| format!("{sign} {l}\n")).collect::<String>()
    };
    format!("{}{}", only(before, after, '-'), only(after, before, '+'))
}

fn fixture_migrations() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(SCHEMA).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

/// Inserts sessions and events through the old names until stopped, one transaction each.
struct Writer {
    stop: Arc<AtomicBool>,
    written: Arc<std::sync::atomic::AtomicUsize>,
    handle: JoinHandle<Result<(), String>>,
}

impl Writer {
    fn start(db: &Database) -> Writer {
        let (stop, written) = (Arc::new(AtomicBool::new(false)), Arc::new(std::sync::atomic::AtomicUsize::new(0)));
        let (db, stop_flag, counter) = (db.clone(), stop.clone(), written.clone());
        let handle = thread::spawn(move || {
            let mut n = 0;
            while !stop_flag.load(Ordering::SeqCst) {
                n += 1;
                let id = format!("30000000-0000-4000-8000-{n:012}");
                let write = format!(
                    "begin;
                     insert into public.sessions (id, project_id) values ('{id}', '{WRITER_PROJECT}');
                     insert into public.session_events (session_id, event_type) values ('{id}', 'llm'), ('{id}', 'tool');
                     commit;"
                );
                // The migration locks parents first, the order this writer takes its locks in: the
                // writer waits or the migration does, and neither is ever a deadlock victim.
                db.try_run(&write).map_err(|e| format!("write {n} through the old names failed: {e}"))?;
                counter.store(n, Ordering::SeqCst);
            }
            Ok(())
        });
        Writer { stop, written, handle }
    }

    fn written(&self) -> usize {
        self.written.load(Ordering::SeqCst)
    }

    fn wait_for_rows(&self, rows: usize) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while self.written() < rows && !self.handle.is_finished() {
            assert!(Instant::now() < deadline, "the writer is stuck");
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the writer; how many sessions it wrote.
    fn stop(self) -> usize {
        self.stop.store(true, Ordering::SeqCst);
        self.handle.join().expect("the writer thread panicked").unwrap_or_else(|e| panic!("{e}"));
        self.written.load(Ordering::SeqCst)
    }
}

/// The server `scripts/test` started.
struct Postgres {
    host: String,
    port: String,
    user: String,
}

impl Postgres {
    fn from_env() -> Postgres {
        let var = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| {
                panic!("{name} is not set: run scripts/test, which starts the PostgreSQL server these tests need")
            })
        };
        Postgres {
            host: var("RETRACE_TEST_PGHOST"),
            port: var("RETRACE_TEST_PGPORT"),
            user: var("RETRACE_TEST_PGUSER"),
        }
    }

    fn fresh_database(&self, name: &str) -> Database {
        let admin = Database { postgres: Arc::new(self.clone_settings()), name: "postgres".to_owned() };
        admin.run(&format!("drop database if exists {name} with (force)"));
        admin.run(&format!("create database {name}"));
        Database { postgres: admin.postgres, name: name.to_owned() }
    }

    fn clone_settings(&self) -> Postgres {
        Postgres { host: self.host.clone(), port: self.port.clone(), user: self.user.clone() }
    }
}

#[derive(Clone)]
struct Database {
    postgres: Arc<Postgres>,
    name: String,
}

impl Database {
    fn command(&self, program: &str) -> Command {
        let pg = &self.postgres;
        let mut cmd = Command::new(program);
        cmd.args(["-h", &pg.host, "-p", &pg.port, "-U", &pg.user, "-d", &self.name]);
        cmd
    }

    /// Runs SQL with psql (stop at the first error); stdout, or the error.
    fn try_run(&self, sql: &str) -> Result<String, String> {
        let mut child = self
            .command("psql")
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start psql ({e}): run scripts/test to install PostgreSQL"));
        child.stdin.take().unwrap().write_all(sql.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if out.status.success() && !stderr.contains("ERROR") {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
        } else {
            Err(stderr)
        }
    }

    fn run(&self, sql: &str) -> String {
        self.try_run(sql).unwrap_or_else(|e| panic!("psql failed on database {}:\n{e}", self.name))
    }

    fn run_file(&self, path: &Path) {
        let sql = std::fs::read_to_string(path).unwrap();
        self.try_run(&sql).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }

    fn value(&self, sql: &str) -> String {
        self.run(sql).lines().last().unwrap_or_default().to_owned()
    }

    fn count(&self, relation: &str) -> String {
        self.value(&format!("select count(*) from public.{relation}"))
    }

    fn columns(&self, relation: &str) -> Vec<String> {
        let list = self.value(&format!(
            "select string_agg(quote_ident(attname), ',' order by attnum) from pg_attribute
             where attrelid = 'public.{relation}'::regclass and attnum > 0 and not attisdropped"
        ));
        list.split(',').map(str::to_owned).collect()
    }

    /// Per table (old name): rows and a checksum of its first columns, taken by position (the
    /// old names may now be views, with renamed or extra columns behind them). With
    /// `without_writer`, the concurrent writer's rows are left out.
    fn checksums(
        &self,
        columns: &BTreeMap<&str, Vec<String>>,
        without_writer: bool,
    ) -> BTreeMap<String, (i64, String)> {
        columns
            .iter()
            .map(|(table, before)| {
                let now = self.columns(table);
                let row = now[..before.len()].join(", ");
                let filter = match (*table, without_writer) {
                    ("sessions", true) => format!("where {} <> '{WRITER_PROJECT}'", now[1]),
                    ("session_events", true) => format!(
                        "where {} not in (select id from public.sessions where project_id = '{WRITER_PROJECT}')",
                        now[1]
                    ),
                    _ => String::new(),
                };
                let result = self.value(&format!(
                    "select count(*) || ' ' || coalesce(sum(hashtextextended(row({row})::text, 0)), 0) from public.{table} {filter}"
                ));
                let (rows, sum) = result.split_once(' ').unwrap();
                (table.to_string(), (rows.parse().unwrap(), sum.to_owned()))
            })
            .collect()
    }

    /// `pg_dump --schema-only`, without comments, settings, blank lines and the per-dump random
    /// `\restrict` keys.
    fn schema_dump(&self) -> String {
        let out = self
            .command("pg_dump")
            .args(["--schema-only", "--no-owner", "-n", "public"])
            .output()
            .expect("pg_dump runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| {
                let noise = ["--", "SET ", "SELECT pg_catalog.set_config", "\\restrict ", "\\unrestrict "];
                !l.is_empty() && !noise.iter().any(|n| l.starts_with(n))
            })
            .map(|l| format!("{l}\n"))
            .collect()
    }
}
