//! Scoped rules through the real binary: a keep, a sense and a rename limited to paths,
//! languages and roles change only what lies inside their scope.

mod support;

use support::{read_string, retrace, tree_with};

const RULES: &str = r#"extends = "builtin"

[[keep.scoped]]
names = ["session*"]
paths = ["sdk/instrumentation/agno/**"]

[[sense]]
words = ["agent"]
languages = ["python"]

[[rename]]
from = "session_view"
to = "trace_panel"
paths = ["webapp/**"]
"#;

const AGNO: &str = "def wrap(agent):\n    session_id = agent.session_id\n    return session_id\n";
const CORE: &str = "def start(session_id, agent_session):\n    return session_id, agent_session\n";
const VIEW: &str = "export const session_view = (agent_session: string) => agent_session;\n";

fn tree() -> tempfile::TempDir {
    tree_with(&[
        ("retrace.toml", RULES.as_bytes()),
        ("sdk/instrumentation/agno/wrap.py", AGNO.as_bytes()),
        ("sdk/core.py", CORE.as_bytes()),
        ("webapp/view.ts", VIEW.as_bytes()),
    ])
}

#[test]
fn scoped_rules_change_only_their_scope() {
    let dir = tree();
    retrace(dir.path(), &["apply", "--rules", "retrace.toml", "sdk", "webapp"]).expect_code(0);
    assert_eq!(read_string(dir.path(), "sdk/instrumentation/agno/wrap.py"), AGNO, "kept under the agno instrumentation");
    assert_eq!(
        read_string(dir.path(), "sdk/core.py"),
        "def start(trace_id, agent_session):\n    return trace_id, agent_session\n",
        "the sense `agent` holds in Python"
    );
    assert_eq!(
        read_string(dir.path(), "webapp/view.ts"),
        "export const trace_panel = (agent_trace: string) => agent_trace;\n",
        "the rename holds under webapp/, the Python sense does not hold in TypeScript"
    );
}

#[test]
fn survey_reports_scoped_keeps_with_their_rule() {
    let dir = tree();
    let run = retrace(dir.path(), &["survey", "--rules", "retrace.toml", "--format", "tsv", "sdk"]);
    run.expect_code(0);
    let line = run.stdout.lines().find(|l| l.contains("\tagent_session\t")).unwrap_or_else(|| panic!("{run}"));
    assert!(line.contains("keep(sense)\t"), "{line}");
    let line = run.stdout.lines().find(|l| l.contains("\tsession_id\t")).unwrap_or_else(|| panic!("{run}"));
    assert!(line.contains("mixed (3 keep(keep-list), 2 rename)"), "{line}");
    assert!(line.contains("keep list: `session*`"), "{line}");
}

#[test]
fn a_bad_scope_exits_2_with_its_place() {
    let dir = tree_with(&[
        ("retrace.toml", b"extends = \"builtin\"\n[[keep.scoped]]\nnames = [\"session*\"]\nroles = [\"identifier\", \"paths\"]\n"),
        ("app.py", CORE.as_bytes()),
    ]);
    let run = retrace(dir.path(), &["diff", "--rules", "retrace.toml", "."]);
    run.expect_code(2);
    assert!(run.stderr.contains("retrace.toml:4:24: [[keep.scoped]] roles: expected one of identifier,"), "{run}");
    assert_eq!(read_string(dir.path(), "app.py"), CORE);
}

/// `paths` globs are relative to the rule file's folder (and to the current one): the scope holds
/// however the tree is named on the command line and wherever retrace runs from.
#[test]
fn path_scopes_hold_whatever_the_paths_are_called() {
    let dir = tree();
    let (root, sdk) = (dir.path().to_path_buf(), dir.path().join("sdk"));
    let (root_abs, sdk_abs, rules_abs) =
        (root.display().to_string(), sdk.display().to_string(), root.join("retrace.toml").display().to_string());
    let runs: [(&std::path::Path, [&str; 2]); 7] = [
        (&root, ["retrace.toml", "sdk"]),
        (&root, ["retrace.toml", "./sdk"]),
        (&root, ["./retrace.toml", "."]),
        (&root, ["retrace.toml", &root_abs]),
        (&root, [&rules_abs, &sdk_abs]),
        (&sdk, ["../retrace.toml", "."]),
        (&sdk, [&rules_abs, "instrumentation/../."]),
    ];
    for (cwd, [rules, path]) in runs {
        let run = retrace(cwd, &["diff", "--rules", rules, path]);
        run.expect_code(0);
        assert!(run.stdout.contains("core.py"), "sdk/core.py changes\n{run}");
        assert!(!run.stdout.contains("wrap.py"), "the agno instrumentation is kept\n{run}");
    }
}
