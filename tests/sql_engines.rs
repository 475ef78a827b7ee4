//! The SQL rewriter against real engines, end to end through the binary on `fixtures/sql`
//! (a Supabase schema with seed data and an applied migration, ClickHouse tables, seed rows and
//! parameterised queries), with the built-in rules:
//! - PostgreSQL (a throwaway server started by scripts/test): the original and the rewritten tree
//!   each load into a fresh database with ON_ERROR_STOP; `get_trace_stats` returns what
//!   `get_session_stats` returned; the trigger that names its column in a string literal still
//!   guards the renamed column; the applied migration is byte-identical after apply.
//! - ClickHouse (chdb, in-process): every statement of both trees runs, with the same results; the
//!   API module that runs queries held in constants with bound parameters prints the same rows.
//! - The diff is snapshot-tested and `git apply --check`s; `check` after apply lists exactly the
//!   deliberate reviews and conflicts; a second apply changes nothing.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::{assert_trees_equal, fixture_copy, fixture_dir, git_apply, parse_location, read, retrace, Run, Tree};
use tempfile::TempDir;

const FIXTURE: &str = "sql";
const MIGRATION: &str = "supabase/migrations/20240101000000_init.sql";
const INSTALL_HINT: &str = "run scripts/test to install and start the test engines";
/// The seeded session (a trace after the rewrite).
const SEEDED: &str = "00000000-0000-0000-0000-0000000000c1";

/// A fresh copy after `retrace apply .`, which exits 1: the deliberate conflicts remain.
fn applied_copy() -> TempDir {
    let dir = fixture_copy(FIXTURE);
    retrace(dir.path(), &["apply", "."]).expect_code(1);
    dir
}

fn env(name: &str) -> String {
    std::env::var(name).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| panic!("{name} is not set: {INSTALL_HINT}"))
}

fn run(mut cmd: Command, what: String) -> Run {
    let out = cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("cannot start `{what}`: {e} ({INSTALL_HINT})"));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        what,
    }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/// The server scripts/test started (unix socket only).
struct Postgres {
    host: String,
    port: String,
    user: String,
}

impl Postgres {
    fn from_env() -> Postgres {
        Postgres {
            host: env("RETRACE_TEST_PGHOST"),
            port: env("RETRACE_TEST_PGPORT"),
            user: env("RETRACE_TEST_PGUSER"),
        }
    }

    /// `psql` on `database`, stopping at the first error, unaligned tuples only.
    fn psql(&self, database: &str, args: &[&str]) -> Run {
        let mut cmd = Command::new("psql");
        cmd.args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .args(["-h", &self.host, "-p", &self.port, "-U", &self.user, "-d", database])
            .args(args)
            .env("PGOPTIONS", "-c client_min_messages=warning")
            .env_remove("PGPASSWORD")
            .env_remove("PGSERVICE");
        run(cmd, format!("psql -d {database} {}", args.join(" ")))
    }

    /// A new empty database, dropped again when the returned guard goes.
    fn database(&self, label: &str) -> Database<'_> {
        let name = format!("retrace_{label}_{}", std::process::id());
        self.psql("postgres", &["-c", &format!("drop database if exists {name}")]).expect_code(0);
        self.psql("postgres", &["-c", &format!("create database {name}")]).expect_code(0);
        Database { server: self, name }
    }
}

struct Database<'s> {
    server: &'s Postgres,
    name: String,
}

impl Database<'_> {
    /// The platform stub, every schema file in order, then the seed, in one session.
    #[track_caller]
    fn load_supabase(&self, tree: &Path) {
        let files = supabase_files(tree);
        let mut args = Vec::new();
        for f in &files {
            args.extend(["-f", f.to_str().unwrap()]);
        }
        let loaded = self.server.psql(&self.name, &args);
        assert!(loaded.code == 0 && loaded.stderr.is_empty(), "the schema in {} does not load\n{loaded}", tree.display());
    }

    #[track_caller]
    fn query(&self, sql: &str) -> String {
        let r = self.server.psql(&self.name, &["-c", sql]);
        r.expect_code(0);
        r.stdout.trim_end().to_owned()
    }
}

impl Drop for Database<'_> {
    fn drop(&mut self) {
        self.server.psql("postgres", &["-c", &format!("drop database if exists {}", self.name)]);
    }
}

/// `supabase/platform/*.sql`, `supabase/schema/*.sql` (sorted), then `supabase/seed.sql`.
fn supabase_files(tree: &Path) -> Vec<PathBuf> {
    let sorted_sql = |dir: &str| {
        let mut files: Vec<PathBuf> = std::fs::read_dir(tree.join(dir))
            .unwrap_or_else(|e| panic!("read {dir}: {e}"))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        files.sort();
        files
    };
    let mut files = sorted_sql("supabase/platform");
    files.extend(sorted_sql("supabase/schema"));
    files.push(tree.join("supabase/seed.sql"));
    files
}

#[test]
fn postgres_loads_both_schemas_and_the_renamed_function_works() {
    let server = Postgres::from_env();
    let expected = format!("{SEEDED}|3|2|4.5|{{demo,nightly}}");

    let before = server.database("before");
    before.load_supabase(&fixture_dir(FIXTURE));
    assert_eq!(before.query(&format!("select * from public.get_session_stats('{SEEDED}')")), expected);

    let applied = applied_copy();
    assert_eq!(read(applied.path(), MIGRATION), read(&fixture_dir(FIXTURE), MIGRATION), "the applied migration changed");
    let after = server.database("after");
    after.load_supabase(applied.path());
    assert_eq!(after.query(&format!("select * from public.get_trace_stats('{SEEDED}')")), expected);
    assert_eq!(after.query("select trace_id, event_count from public.trace_stats"), format!("{SEEDED}|3"));
    let relations = "select coalesce(to_regclass('public.sessions')::text, '-'), to_regclass('auth.sessions')";
    assert_eq!(after.query(relations), "-|auth.sessions", "old table gone, Supabase Auth's table kept");

    // The trigger finds its column through the string literal 'trace_id': an ended trace refuses feedback.
    after.query(&format!("update public.traces set ended_at = now() where id = '{SEEDED}'"));
    let refused = after.server.psql(
        &after.name,
        &["-c", &format!("insert into public.feedback (trace_id, rating) values ('{SEEDED}', 1)")],
    );
    assert!(refused.code != 0 && refused.stderr.contains("has ended"), "the trigger no longer guards feedback\n{refused}");
}

// ---------------------------------------------------------------------------------------------
// ClickHouse

/// Runs files of `;`-separated statements on one chdb session, binding `{name:Type}` parameters
/// from a JSON object by name (a name missing from it is an error); prints the CSV result of each
/// statement as a JSON list.
const CHDB_RUNNER: &str = r#"
import json, re, sys
from chdb import session

PARAMETER = re.compile(r"\{(\w+):[^{}]+\}")
values = json.loads(sys.argv[1])
db = session.Session()
results = []
for path in sys.argv[2:]:
    text = open(path, encoding="utf-8").read()
    for statement in filter(str.strip, re.split(r";\s*\n", text)):
        params = {name: values[name] for name in PARAMETER.findall(statement)}
        try:
            results.append(str(db.query(statement, "CSV", params=params)))
        except Exception as e:
            sys.exit(f"{path}: {e}\n--- statement\n{statement}")
print(json.dumps(results))
"#;

/// Parameter values by name, before and after the rewrite.
const PARAMETERS: &str = r#"{
    "session_id": "s-1", "trace_id": "s-1",
    "session_ids": "['s-1','s-2']", "trace_ids": "['s-1','s-2']",
    "project_id": "p-1", "since": "2024-05-01 00:00:00", "limit": "10",
    "window_start": "2024-05-01 00:00:00", "window_end": "2024-05-02 00:00:00"
}"#;

/// The ClickHouse files in the order they run, as named before and after the rewrite.
const CLICKHOUSE_FILES: &[(&str, &str)] = &[
    ("clickhouse/schema/tables.sql", "clickhouse/schema/tables.sql"),
    ("clickhouse/seed.sql", "clickhouse/seed.sql"),
    ("clickhouse/queries/spans_by_session.sql", "clickhouse/queries/spans_by_trace.sql"),
    ("clickhouse/queries/session_events.sql", "clickhouse/queries/trace_events.sql"),
    ("clickhouse/queries/session_durations.sql", "clickhouse/queries/trace_durations.sql"),
];

fn chdb_python() -> String {
    let python = env("RETRACE_TEST_PYTHON");
    let mut cmd = Command::new(&python);
    cmd.args(["-c", "import chdb"]);
    let import = run(cmd, format!("{python} -c 'import chdb'"));
    assert_eq!(import.code, 0, "chdb is not installed in {python}: {INSTALL_HINT}\n{import}");
    python
}

/// Every statement's CSV result, in order.
fn run_on_chdb(python: &str, tree: &Path, files: impl Iterator<Item = &'static str>) -> Vec<String> {
    let mut cmd = Command::new(python);
    cmd.args(["-c", CHDB_RUNNER, PARAMETERS]).args(files.map(|f| tree.join(f)));
    let r = run(cmd, format!("chdb runner on {}", tree.display()));
    assert_eq!(r.code, 0, "a ClickHouse statement fails\n{r}");
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("runner output is not JSON: {e}\n{r}"))
}

#[test]
fn clickhouse_runs_every_statement_before_and_after_with_the_same_results() {
    let python = chdb_python();
    let before = run_on_chdb(&python, &fixture_dir(FIXTURE), CLICKHOUSE_FILES.iter().map(|(b, _)| *b));
    let applied = applied_copy();
    let after = run_on_chdb(&python, applied.path(), CLICKHOUSE_FILES.iter().map(|(_, a)| *a));
    assert_eq!(before, after);
    let queries = &after[after.len() - 3..];
    assert!(queries.iter().all(|rows| !rows.is_empty()), "every query finds the seeded rows: {queries:#?}");
    assert!(queries[0].lines().count() == 2 && queries[0].contains("\"a1\""), "spans of s-1: {}", queries[0]);
}

/// The API module that runs the ClickHouse queries from Python (constants with bound parameters)
/// prints the same rows before and after the rewrite: every `{name:Type}` kept its key.
#[test]
fn api_code_runs_its_clickhouse_queries_before_and_after() {
    let python = chdb_python();
    let run_api = |tree: &Path| {
        let mut cmd = Command::new(&python);
        cmd.arg("app/events_api.py").current_dir(tree).env("PYTHONDONTWRITEBYTECODE", "1");
        let r = run(cmd, format!("python app/events_api.py   (in {})", tree.display()));
        assert_eq!(r.code, 0, "the API's queries fail on ClickHouse\n{r}");
        r.stdout
    };
    let before = run_api(&fixture_dir(FIXTURE));
    assert!(before.contains(r#"["a1", "plan"]"#) && before.contains(r#"["start", 1]"#), "{before}");
    let applied = applied_copy();
    assert_eq!(run_api(applied.path()), before);
}

// ---------------------------------------------------------------------------------------------
// Diff, apply, check

#[test]
fn diff_snapshot_applies_with_git() {
    let dir = fixture_copy(FIXTURE);
    let diff = retrace(dir.path(), &["diff", "."]);
    diff.expect_code(0);
    git_apply(dir.path(), &diff.stdout, false);
    insta::assert_snapshot!("sql_fixture_diff", diff.stdout);
}

/// What `check` still reports after apply: (path, line, verdict, text).
const DELIBERATE: &[(&str, usize, &str, &str)] = &[
    // Keys into stored ClickHouse data (the SDK wrote `session.id`): reviewed, not renamed.
    ("app/events_api.py", 24, "review", "session"),
    ("clickhouse/queries/spans_by_trace.sql", 6, "review", "session"),
    ("clickhouse/seed.sql", 9, "review", "session"),
    ("clickhouse/seed.sql", 10, "review", "session"),
    // Prose: a table comment, an error message and the policy's name.
    ("supabase/schema/10_traces.sql", 25, "review", "session"),
    ("supabase/schema/30_functions.sql", 23, "review", "session"),
    ("supabase/schema/40_policies.sql", 5, "review", "sessions"),
    ("supabase/schema/40_policies.sql", 6, "review", "sessions"),
    // otel_trace_links has both session_id and trace_id: the old column stays, in its file and
    // in the seed statement that names both.
    ("supabase/schema/60_otel_links.sql", 2, "conflict", "session_id"),
    ("supabase/schema/60_otel_links.sql", 3, "conflict", "session_id"),
    ("supabase/schema/60_otel_links.sql", 5, "conflict", "session_id"),
    ("supabase/seed.sql", 22, "conflict", "session_id"),
];

#[test]
fn check_after_apply_lists_only_the_deliberate_findings_and_apply_is_idempotent() {
    let dir = applied_copy();
    let check = retrace(dir.path(), &["check", "."]);
    check.expect_code(1);
    let mut found: Vec<(String, usize, String, String)> = check
        .stdout
        .lines()
        .filter_map(parse_location)
        .map(|(path, line, _, rest)| {
            let mut words = rest.split(' ');
            let verdict = words.next().unwrap_or_default().to_owned();
            let text = rest.split('`').nth(1).unwrap_or_default().to_owned();
            (path.trim_start_matches("./").to_owned(), line, verdict, text)
        })
        .collect();
    found.sort();
    let mut expected: Vec<(String, usize, String, String)> =
        DELIBERATE.iter().map(|(p, l, v, t)| (p.to_string(), *l, v.to_string(), t.to_string())).collect();
    expected.sort();
    assert_eq!(found, expected, "\n{check}");

    let once = Tree::of(dir.path());
    retrace(dir.path(), &["apply", "."]).expect_code(1);
    assert_trees_equal(&once, &Tree::of(dir.path()), "a second apply");
}
