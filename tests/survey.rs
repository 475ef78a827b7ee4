//! `retrace survey` through the real binary: the table, JSON and TSV renderings of one small tree,
//! and the project rule file it starts.

mod support;

use support::{read_string, retrace, tree_with, Tree};

const APP: &str = "from sqlalchemy.orm import Session
import requests


def save(orm_session: Session, session_id):
    http_session = requests.Session()
    orm_session.add(session_id)
    return http_session


def load(session_id):
    return session_id
";

fn tree() -> tempfile::TempDir {
    tree_with(&[("app/__init__.py", b""), ("app/store.py", APP.as_bytes())])
}

#[test]
fn table_sorted_by_count_with_places_and_evidence() {
    let dir = tree();
    let before = Tree::of(dir.path());
    let run = retrace(dir.path(), &["survey", "--color", "never", "."]);
    run.expect_code(0);
    insta::assert_snapshot!("survey_table", run.stdout);
    assert!(run.stderr.contains("4 names, 11 occurrences: 4 rename, 7 keep, 0 review, 0 conflict"), "{run}");
    support::assert_trees_equal(&before, &Tree::of(dir.path()), "survey changes nothing");
}

#[test]
fn json_has_the_documented_fields() {
    let dir = tree();
    let run = retrace(dir.path(), &["survey", "--format", "json"]);
    run.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{run}"));
    assert_eq!(doc["version"], 1);
    let first = &doc["names"][0];
    assert_eq!(first["name"], "session_id");
    assert_eq!(first["count"], 4);
    assert_eq!(first["verdict"], "rename");
    assert_eq!(first["to"], "trace_id");
    assert_eq!(first["verdicts"], serde_json::json!({"rename": 4}));
    assert_eq!(first["languages"], serde_json::json!(["python"]));
    assert_eq!(first["roles"], serde_json::json!(["identifier"]));
    assert_eq!(first["locations"].as_array().unwrap().len(), 3);
    assert_eq!(first["locations"][0], serde_json::json!({"path": "app/store.py", "line": 5, "column": 32}));
    let orm = doc["names"].as_array().unwrap().iter().find(|n| n["name"] == "orm_session").unwrap();
    assert_eq!(orm["verdict"], "keep(foreign)");
    assert_eq!(orm["to"], serde_json::Value::Null);
    assert_eq!(orm["evidence"][0]["text"], "foreign: belongs to `sqlalchemy.orm`");
    assert_eq!(
        doc["summary"],
        serde_json::json!({"names": 4, "occurrences": 11, "rename": 4, "keep": 7, "review": 0, "conflict": 0, "errors": 0})
    );
    assert_eq!(doc["errors"], serde_json::json!([]));
}

#[test]
fn tsv_is_one_line_per_name() {
    let dir = tree();
    let run = retrace(dir.path(), &["survey", "--format", "tsv", "app"]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "count\tname\tverdict\tto\tlanguages\troles\tevidence\tlocations");
    assert_eq!(lines.len(), 5, "{run}");
    assert!(lines[1].starts_with("4\tsession_id\trename\ttrace_id\tpython\tidentifier\t\tapp/store.py:5:32,"), "{run}");
    assert!(lines.iter().all(|l| l.split('\t').count() == 8), "{run}");
}

#[test]
fn write_rules_starts_a_rule_file_that_loads() {
    let dir = tree();
    // Our own `Session` next to SQLAlchemy's: a mixed name, written commented out.
    std::fs::write(dir.path().join("app/model.py"), "class Session:\n    pass\n").unwrap();
    let run = retrace(dir.path(), &["survey", "--format", "tsv", "--write-rules", "retrace.toml", "app"]);
    run.expect_code(0);
    let rules = read_string(dir.path(), "retrace.toml");
    assert!(rules.contains("extends = \"builtin\""), "{rules}");
    assert!(rules.contains("\n    \"orm_session\","), "{rules}");
    assert!(rules.contains("\n    \"http_session\","), "{rules}");
    assert!(!rules.contains("\"session_id\""), "a renamed name is no keep entry\n{rules}");
    assert!(rules.contains("\n    # \"Session\","), "{rules}");
    // The file is a working rule file: the same verdicts, the same renames.
    let with = retrace(dir.path(), &["diff", "--rules", "retrace.toml", "app"]);
    let without = retrace(dir.path(), &["diff", "app"]);
    with.expect_code(0);
    assert_eq!(with.stdout, without.stdout);
    // It lives in the tree it describes: runs over the whole tree leave it alone.
    retrace(dir.path(), &["apply", "--rules", "retrace.toml", "."]).expect_code(0);
    assert_eq!(read_string(dir.path(), "retrace.toml"), rules, "apply leaves the rule file as written");
    retrace(dir.path(), &["check", "--rules", "retrace.toml", "retrace.toml"]).expect_code(0);
}

#[test]
fn a_rule_file_that_cannot_be_written_is_an_error() {
    let dir = tree();
    let run = retrace(dir.path(), &["survey", "--write-rules", "no/such/dir/r.toml", "app"]);
    run.expect_code(2);
    assert!(run.stderr.contains("cannot write no/such/dir/r.toml"), "{run}");
}
