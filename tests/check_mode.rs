//! `check` as CI runs it: every output format, inline suppressions, baselines, the pre-commit
//! hook with the real `pre-commit`, and `diff --split-by` patches applied in series with git.

mod support;

use std::process::Command;

use support::{read_string, retrace, tree_with, write_file, Tree};

const APP: &[(&str, &[u8])] = &[
    ("app/models.py", b"class Session:\n    pass\n\n\ndef load(session_id):\n    return Session()\n"),
    ("web/api.ts", b"export function getSession(sessionId: string) {\n  return sessionId;\n}\n"),
    ("db/schema.sql", b"create table sessions (id uuid primary key);\n"),
    ("docs/guide.md", b"# Sessions\n\nEach session has an id.\n"),
];

#[test]
fn json_lists_every_remaining_occurrence_with_place_and_verdict() {
    let tree = tree_with(APP);
    let run = retrace(tree.path(), &["check", ".", "--format", "json"]);
    run.expect_code(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["version"], 1);
    let findings = doc["findings"].as_array().unwrap();
    let first = findings.iter().find(|f| f["path"] == "app/models.py").expect("a python finding");
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(1), Some(7)));
    assert_eq!(first["verdict"], "rename");
    assert_eq!(first["to"], "Trace");
    for path in ["app/models.py", "docs/guide.md"] {
        assert!(findings.iter().any(|f| f["path"] == path), "no finding in {path}: {}", run.stdout);
    }
    assert_eq!(doc["summary"]["renames"].as_u64().unwrap() as usize, findings.len());
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let tree = tree_with(APP);
    let run = retrace(tree.path(), &["check", ".", "--format", "sarif"]);
    run.expect_code(1);
    let sarif = tree.path().join("out.sarif");
    std::fs::write(&sarif, &run.stdout).unwrap();
    let schema = support::repo_root().join("fixtures/sarif/sarif-schema-2.1.0.json");
    let script = "import json, sys, jsonschema\n\
                  schema = json.load(open(sys.argv[1])); doc = json.load(open(sys.argv[2]))\n\
                  jsonschema.validate(doc, schema)\n\
                  assert doc['runs'][0]['results'], 'no results'\n\
                  print('valid', len(doc['runs'][0]['results']))\n";
    let out = Command::new(support::python())
        .args(["-c", script, schema.to_str().unwrap(), sarif.to_str().unwrap()])
        .output()
        .expect("run python (scripts/test installs jsonschema)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "SARIF is invalid:\n{}\n{}", stdout, String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with("valid "), "{stdout}");
}

#[test]
fn github_format_prints_workflow_annotations() {
    let tree = tree_with(APP);
    let run = retrace(tree.path(), &["check", "app", "--format", "github"]);
    run.expect_code(1);
    let first = run.stdout.lines().next().unwrap();
    assert_eq!(first, "::error file=app/models.py,line=1,col=7,title=retrace rename::rename identifier `Session` -> `Trace`");
    assert!(run.stdout.lines().all(|l| l.starts_with("::error ") || l.starts_with("::warning ")), "{}", run.stdout);
}

#[test]
fn human_output_shows_the_line_and_a_breakdown() {
    let tree = tree_with(APP);
    let run = retrace(tree.path(), &["check", "app", "--color", "never"]);
    run.expect_code(1);
    assert!(run.stdout.starts_with("app/models.py:1:7: rename identifier `Session` -> `Trace`\n    class Session:\n"), "{}", run.stdout);
    assert!(run.stderr.contains(" rename identifier\n"), "{}", run.stderr);
}

#[test]
fn suppressions_in_each_comment_syntax_silence_check_only() {
    let tree = tree_with(&[
        ("a.py", b"x = session_id  # retrace: allow\n# retrace: allow-next-line(session)\ny = session_id\n"),
        ("b.ts", b"const sessionId = 1; // retrace: allow\n"),
        ("c.sql", b"-- retrace: allow-next-line\nselect session_id from t;\n"),
        ("d.md", b"A session. <!-- retrace: allow -->\n"),
    ]);
    let run = retrace(tree.path(), &["check", "."]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("suppressed"), "{}", run.stderr);
    // The suppression comment's own words are never rewritten.
    let diff = retrace(tree.path(), &["diff", "."]);
    assert!(!diff.stdout.contains("allow(trace)"), "{}", diff.stdout);
}

#[test]
fn a_suppression_naming_another_term_does_not_apply() {
    let tree = tree_with(&[("a.py", b"x = session_id  # retrace: allow(user)\n")]);
    retrace(tree.path(), &["check", "."]).expect_code(1);
}

#[test]
fn unused_suppressions_are_reported_on_request() {
    let tree = tree_with(&[("a.py", b"x = 1  # retrace: allow\n")]);
    retrace(tree.path(), &["check", "."]).expect_code(0);
    let run = retrace(tree.path(), &["check", ".", "--report-unused-suppressions"]);
    run.expect_code(1);
    assert!(run.stdout.contains("a.py:1:10: unused suppression"), "{}", run.stdout);
}

#[test]
fn baseline_survives_shifted_lines_and_catches_new_occurrences() {
    let tree = tree_with(&[("a.py", b"def load(session_id):\n    return session_id\n")]);
    let baseline = tree.path().join("retrace-baseline.json");
    let baseline = baseline.to_str().unwrap();
    retrace(tree.path(), &["check", "a.py", "--write-baseline", baseline]).expect_code(1);
    retrace(tree.path(), &["check", "a.py", "--baseline", baseline]).expect_code(0);
    write_file(tree.path(), "a.py", b"import os\n\n\ndef load(session_id):\n    return session_id\n");
    let shifted = retrace(tree.path(), &["check", "a.py", "--baseline", baseline]);
    assert_eq!(shifted.code, 0, "lines moved, nothing new\n{shifted}");
    let mut grown = read_string(tree.path(), "a.py");
    grown.push_str("\n\ndef start(session_name):\n    return session_name\n");
    write_file(tree.path(), "a.py", grown.as_bytes());
    let run = retrace(tree.path(), &["check", "a.py", "--baseline", baseline]);
    run.expect_code(1);
    assert!(run.stdout.contains("`session_name`") && !run.stdout.contains("`session_id`"), "{run}");
}

#[test]
fn a_missing_baseline_is_an_input_error() {
    let tree = tree_with(APP);
    let run = retrace(tree.path(), &["check", ".", "--baseline", "nope.json"]);
    run.expect_code(2);
    assert!(run.stderr.contains("nope.json"), "{}", run.stderr);
}

#[test]
fn split_patches_apply_in_series_and_equal_the_single_diff() {
    let tree = tree_with(&[
        ("pkg/__init__.py", b""),
        ("pkg/session.py", b"# The session model.\nclass Session:\n    key = \"session_id\"\n"),
        ("pkg/use.py", b"from pkg.session import Session\n\nCURRENT = Session()\n"),
        ("docs/sessions.md", b"# Sessions\n"),
    ]);
    let whole = retrace(tree.path(), &["diff", "."]);
    whole.expect_code(0);
    let expected = support::git_apply(tree.path(), &whole.stdout, true);
    for by in ["role", "language", "dir"] {
        let out = support::tempdir();
        let run = retrace(tree.path(), &["diff", ".", "--split-by", by, "--out", out.path().to_str().unwrap()]);
        run.expect_code(0);
        let patches: Vec<&str> = run.stdout.lines().collect();
        assert!(patches.len() >= 2, "{by}: {run}");
        assert!(patches.last().unwrap().ends_with("-moves.patch"), "{by}: moves come last: {patches:?}");
        let copy = support::tempdir();
        support::copy_tree(tree.path(), copy.path());
        Command::new("git").args(["init", "-q"]).current_dir(copy.path()).status().unwrap();
        for patch in &patches {
            let st = Command::new("git").args(["apply", patch]).current_dir(copy.path()).output().unwrap();
            assert!(st.status.success(), "{by}: {patch} does not apply: {}", String::from_utf8_lossy(&st.stderr));
        }
        support::assert_trees_equal(&Tree::of(copy.path()), &Tree::of(expected.path()), by);
    }
}

#[test]
fn pre_commit_hook_fails_on_the_term_and_passes_once_fixed() {
    let repo = support::tempdir();
    let dir = repo.path();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    git(&["init", "-q"]);
    write_file(dir, "app.py", b"def load(session_id):\n    return session_id\n");
    git(&["add", "app.py"]);
    let bin_dir = std::path::Path::new(support::bin()).parent().unwrap().to_path_buf();
    let venv_bin = std::path::Path::new(support::python()).parent().unwrap().to_path_buf();
    let path = std::env::join_paths([bin_dir, venv_bin].into_iter().chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()))).unwrap();
    // The hook repository as pre-commit sees one: a git repo holding this project's manifest.
    let hooks = support::tempdir();
    std::fs::copy(support::repo_root().join(".pre-commit-hooks.yaml"), hooks.path().join(".pre-commit-hooks.yaml")).unwrap();
    for args in [&["init", "-q"][..], &["add", "."], &["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "hooks"]] {
        let ok = Command::new("git").args(args).current_dir(hooks.path()).env("GIT_CONFIG_GLOBAL", "/dev/null").status().unwrap();
        assert!(ok.success(), "git {args:?} in the hook repo");
    }
    let hook = |expect_ok: bool| {
        let out = Command::new(support::python())
            .args(["-m", "pre_commit", "try-repo", hooks.path().to_str().unwrap(), "retrace-check"])
            .current_dir(dir)
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", dir.join(".pre-commit-home"))
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.success(), expect_ok, "pre-commit said:\n{said}");
        said
    };
    let said = hook(false);
    assert!(said.contains("app.py:1:10: rename identifier `session_id`"), "{said}");
    write_file(dir, "app.py", b"def load(trace_id):\n    return trace_id\n");
    git(&["add", "app.py"]);
    hook(true);
}
