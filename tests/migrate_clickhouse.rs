//! `retrace migrate` on the ClickHouse fixture, run on a real ClickHouse engine (chdb, in the
//! Python that `scripts/test` installs): the fixture tables are created and filled, the forward
//! migration renames (or aliases) their columns and tables, the data reads the same under the
//! new names, and the rollback gives back the same tables.

use std::path::Path;
use std::process::Command;

use retrace::migrate::{plan_migration, Migration, Options};
use retrace::rules::RuleSet;

const SCHEMA: &str = "fixtures/migrate/clickhouse";

/// Creates the fixture, fills it, migrates, checks, rolls back and checks again; prints `ok`.
const SCRIPT: &str = r#"
import json, re, sys
from chdb import session

spec = json.load(open(sys.argv[1]))
db = session.Session()

def statements(text):
    return [s for s in (p.strip() for p in re.split(r";\s*(?:\n|$)", text)) if s and not all(l.startswith("--") for l in s.splitlines())]

def run(sql):
    return db.query(sql, "JSONCompact")

def rows(sql):
    return json.loads(str(run(sql)))["data"]

def state(tables):
    return {t: (rows(f"SHOW CREATE TABLE {t}")[0][0], rows(f"SELECT count(), sum(cityHash64(*)) FROM {t}")[0]) for t in tables}

for text in spec["fixture"]:
    for s in statements(text):
        run(s)
run("INSERT INTO session_events (session_id, event_type, timestamp, session_name, payload) SELECT generateUUIDv4(), 'llm', now64(3), concat('n', toString(number)), 'p' FROM numbers(1000)")
run("INSERT INTO llm_usage (project_id, SessionId, model, prompt_tokens, completion_tokens, session_cost) SELECT generateUUIDv4(), toString(number), 'gpt', 10, 2, 0.5 FROM numbers(500)")
run("INSERT INTO otel_traces (Timestamp, TraceId, SpanId, SpanName, Duration) SELECT now64(9), toString(number), toString(number), 'llm', 5 FROM numbers(100)")
before = state(["session_events", "llm_usage", "otel_traces"])

for s in statements(spec["forward"]):
    run(s)
data = lambda t: rows(f"SELECT count(), sum(cityHash64(*)) FROM {t}")[0]
assert data("trace_events") == before["session_events"][1], "trace_events lost or changed rows"
assert data("llm_usage") == before["llm_usage"][1], "llm_usage lost or changed rows"
assert before["otel_traces"] == state(["otel_traces"])["otel_traces"], "otel_traces must not change"
assert rows("SELECT count() FROM trace_events WHERE trace_id = session_id AND trace_name != ''")[0][0] == 1000
assert rows("SELECT sum(trace_cost), count(DISTINCT TraceId) FROM llm_usage")[0] == [250, 500]
# Writers that still send the old key column keep working: it is the column the alias reads.
run("INSERT INTO trace_events (session_id, event_type, timestamp) VALUES (generateUUIDv4(), 'tool', now64(3))")
assert rows("SELECT count() FROM trace_events WHERE trace_id = session_id")[0][0] == 1001
run("ALTER TABLE trace_events DELETE WHERE event_type = 'tool' SETTINGS mutations_sync = 1")

for s in statements(spec["rollback"]):
    run(s)
after = state(["session_events", "llm_usage", "otel_traces"])
for table in before:
    assert after[table] == before[table], f"{table} differs after the rollback:\n{before[table]}\n{after[table]}"
print("ok")
"#;

fn python() -> String {
    std::env::var("RETRACE_TEST_PYTHON").unwrap_or_else(|_| {
        panic!("RETRACE_TEST_PYTHON is not set: run scripts/test, which installs chdb for this test")
    })
}

fn plan(alias_columns: bool) -> Migration {
    let options = Options { clickhouse_alias_columns: alias_columns, ..Options::default() };
    plan_migration(Path::new(SCHEMA), &RuleSet::builtin(), &options).expect("the ClickHouse fixture plans")
}

fn run_on_chdb(migration: &Migration) {
    let dir = tempfile::tempdir().unwrap();
    let mut fixture: Vec<_> = std::fs::read_dir(SCHEMA).unwrap().map(|e| e.unwrap().path()).collect();
    fixture.sort();
    let spec = serde_json::json!({
        "fixture": fixture.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect::<Vec<_>>(),
        "forward": migration.forward,
        "rollback": migration.rollback,
    });
    let (spec_path, script_path) = (dir.path().join("spec.json"), dir.path().join("check.py"));
    std::fs::write(&spec_path, spec.to_string()).unwrap();
    std::fs::write(&script_path, SCRIPT).unwrap();
    let out = Command::new(python())
        .arg(&script_path)
        .arg(&spec_path)
        .current_dir(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run the test Python ({e}): run scripts/test"));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success() && stdout.trim() == "ok",
        "the ClickHouse check failed:\n{stdout}\n{stderr}\n{}",
        migration.forward
    );
}

#[test]
fn renames_columns_and_tables_on_a_real_engine() {
    let migration = plan(false);
    assert!(migration.conflicts.is_empty() && migration.skipped.is_empty());
    assert_eq!(migration.file_stem, "sessions_to_traces");
    insta::assert_snapshot!("clickhouse_forward", migration.forward);
    insta::assert_snapshot!("clickhouse_rollback", migration.rollback);
    run_on_chdb(&migration);
}

#[test]
fn alias_columns_on_a_real_engine() {
    let migration = plan(true);
    assert!(!migration.forward.contains("RENAME COLUMN"), "{}", migration.forward);
    run_on_chdb(&migration);
}

#[test]
fn the_copy_strategy_is_for_postgres_only() {
    let options = Options { strategy: retrace::migrate::Strategy::Copy, ..Options::default() };
    let err = plan_migration(Path::new(SCHEMA), &RuleSet::builtin(), &options).unwrap_err();
    assert!(err.to_string().starts_with("the copy strategy is for PostgreSQL"));
}
