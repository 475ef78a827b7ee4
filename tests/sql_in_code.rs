//! SQL inside Python and TypeScript code: queries are rewritten by the SQL rewriter, and a
//! ClickHouse `{name:Type}` parameter changes together with the key that binds its value.

mod support;

use support::{read_string, retrace, tree_with};

const PY: &str = r#"def count(client, sid):
    return client.query("SELECT count() FROM events WHERE session_id = {session_id:String}", parameters={"session_id": sid})


def load(cur, sid):
    cur.execute("select * from sessions where session_id = %s", (sid,))


def hidden(ch, params):
    return ch.query("SELECT 1 FROM events WHERE session_id = {session_id:String}", parameters=params)
"#;

const TS: &str = "\
export async function count(clickhouse: any, id: string) {
  return clickhouse.query({
    query: 'SELECT count() FROM events WHERE session_id = {session_id:String}',
    query_params: { session_id: id },
  });
}

export async function load(pool: any, id: string) {
  return pool.query(`select * from sessions where session_id = $1`, [id]);
}
";

fn tree() -> tempfile::TempDir {
    tree_with(&[("app/stats.py", PY.as_bytes()), ("web/stats.ts", TS.as_bytes())])
}

#[test]
fn diff_renames_parameters_with_their_keys() {
    let tree = tree();
    let run = retrace(tree.path(), &["diff", "."]);
    for line in [
        r#"+    return client.query("SELECT count() FROM events WHERE trace_id = {trace_id:String}", parameters={"trace_id": sid})"#,
        r#"+    cur.execute("select * from traces where trace_id = %s", (sid,))"#,
        "+    query: 'SELECT count() FROM events WHERE trace_id = {trace_id:String}',",
        "+    query_params: { trace_id: id },",
        "+  return pool.query(`select * from traces where trace_id = $1`, [id]);",
    ] {
        assert!(run.stdout.lines().any(|l| l == line), "missing `{line}`\n{run}");
    }
}

#[test]
fn after_apply_only_the_unseen_binding_is_left() {
    let tree = tree();
    retrace(tree.path(), &["apply", "."]).expect_code(0);
    assert!(read_string(tree.path(), "web/stats.ts").contains("query_params: { trace_id: id }"));
    let run = retrace(tree.path(), &["check", ".", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{run}"));
    let left: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}:{}:{} {} {}", f["path"], f["line"], f["column"], f["verdict"], f["text"]))
        .collect();
    // The parameter bound by a dict retrace cannot see stays; once the rest of its statement says
    // `trace_id`, the SQL rewriter reports it as a clash within the statement.
    assert_eq!(left, [r#""app/stats.py":10:61 "conflict" "session_id""#], "{run}");
}

/// A query held in a module constant and run by two functions: the `{session_id:String}`
/// parameter and both `params=` keys change together, so the rewritten module still runs on the
/// ClickHouse engine (chdb, in-process). A rename of the keys alone would fail with
/// `UNKNOWN_QUERY_PARAMETER`.
const PY_CONSTANT: &str = r#"import chdb

COUNT_BY_SESSION = """
SELECT count() FROM (SELECT 'abc' AS session_id) WHERE session_id = {session_id:String}
"""


def count(sid):
    return chdb.query(COUNT_BY_SESSION, "CSV", params={"session_id": sid}).data().strip()


def count_twice(sid):
    return chdb.query(COUNT_BY_SESSION, "CSV", params={"session_id": sid, "unused": 1}).data().strip()


assert count("abc") == "1", count("abc")
assert count_twice("abc") == "1"
print("ok")
"#;

#[test]
fn query_constant_runs_on_clickhouse_after_apply() {
    let tree = tree_with(&[("app/counts.py", PY_CONSTANT.as_bytes())]);
    let run_module = || {
        let out = std::process::Command::new(support::python())
            .arg("app/counts.py")
            .current_dir(tree.path())
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .output()
            .expect("run python");
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
    };
    let (before, output) = run_module();
    assert!(before, "the module fails before the rewrite:\n{output}");
    retrace(tree.path(), &["apply", "."]).expect_code(0);
    let rewritten = read_string(tree.path(), "app/counts.py");
    assert!(rewritten.contains("WHERE trace_id = {trace_id:String}"), "{rewritten}");
    assert_eq!(rewritten.matches(r#"params={"trace_id": sid"#).count(), 2, "{rewritten}");
    let (after, output) = run_module();
    assert!(after, "the rewritten module fails on ClickHouse:\n{output}\n{rewritten}");
}
