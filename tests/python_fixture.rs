//! End to end on `fixtures/python` (a miniature observability SDK with its own pytest suite),
//! through the real binary and the built-in rules:
//! the suite passes before; `retrace diff` is a real patch (git apply, patch -p1) and is
//! snapshot-tested; `retrace apply` writes exactly that patch, reports the one deliberate conflict
//! (`def link(session_id, trace_id)` in obsdk/links.py) and exits 1; the suite passes after;
//! `retrace check` lists only that conflict; a second apply changes nothing.

mod support;

use support::{
    assert_pytest_passes, assert_trees_equal, fixture_copy, occurrences, parse_location, read_string,
    retrace, FixtureRun, Tree,
};
use tempfile::TempDir;

const FIXTURE: &str = "python";
/// The file holding the deliberate conflict: `def link(session_id, trace_id)` and its keyword caller.
const CONFLICT_FILE: &str = "obsdk/links.py";

const RUN: FixtureRun = FixtureRun { name: FIXTURE, args: &["."], apply_exit: 1 };

fn diff_of_fresh_copy() -> (TempDir, String) {
    RUN.diff_of_fresh_copy()
}

fn applied_copy() -> TempDir {
    RUN.applied_copy()
}

#[test]
fn fixture_suite_passes_as_written() {
    let dir = fixture_copy(FIXTURE);
    assert_pytest_passes(dir.path());
}

#[test]
fn diff_snapshot() {
    let (_dir, diff) = diff_of_fresh_copy();
    insta::assert_snapshot!("python_fixture_diff", diff);
}

#[test]
fn diff_changes_nothing_on_disk() {
    let dir = fixture_copy(FIXTURE);
    let before = Tree::of(dir.path());
    retrace(dir.path(), &["diff", "."]).expect_code(0);
    assert_trees_equal(&before, &Tree::of(dir.path()), "tree before vs after `retrace diff`");
}

#[test]
fn diff_is_accepted_by_git_apply_and_patch() {
    RUN.assert_diff_is_a_patch();
}

#[test]
fn apply_writes_exactly_what_the_diff_shows() {
    RUN.assert_apply_matches_diff();
}

#[test]
fn suite_passes_after_apply() {
    let dir = applied_copy();
    assert_pytest_passes(dir.path());
}

#[test]
fn apply_moves_first_party_files_and_keeps_foreign_sessions() {
    let dir = applied_copy();
    let tree = Tree::of(dir.path());
    for gone in ["obsdk/session.py", "obsdk/sessions", "obsdk/sessions/store.py", "tests/test_session.py"] {
        assert!(!tree.contains(gone), "{gone} is still there after apply:\n{tree:?}");
    }
    for moved in ["obsdk/trace.py", "obsdk/traces/__init__.py", "obsdk/traces/store.py", "tests/test_trace.py"] {
        assert!(tree.contains(moved), "{moved} is missing after apply:\n{tree:?}");
    }

    let client = read_string(dir.path(), "obsdk/client.py");
    for kept in
        ["self._session = requests.Session()", "aiohttp.ClientSession(", "as session:", "async with session.post("]
    {
        assert!(client.contains(kept), "obsdk/client.py lost `{kept}`:\n{client}");
    }
    for renamed in [
        "from obsdk.trace import Trace",
        "/v2/traces/{trace_id}",
        "def trace_url(self, trace_id):",
        "\"trace_id\": trace_id",
    ] {
        assert!(client.contains(renamed), "obsdk/client.py lacks `{renamed}`:\n{client}");
    }

    let conftest = read_string(dir.path(), "tests/conftest.py");
    assert!(
        conftest.contains("@pytest.fixture(scope=\"session\")"),
        "pytest's scope=\"session\" was touched:\n{conftest}"
    );

    let trace = read_string(dir.path(), "obsdk/trace.py");
    for renamed in
        ["class Trace:", "TRACE_TIMEOUT = ", "_active_trace = None", "def start_trace(name):", "\"trace_id\": self.id"]
    {
        assert!(trace.contains(renamed), "obsdk/trace.py lacks `{renamed}`:\n{trace}");
    }
    let events = read_string(dir.path(), "obsdk/events.py");
    assert!(events.contains("EVENTS_ROUTE = \"/v2/traces/{trace_id}/events\""), "route not renamed:\n{events}");
    let init = read_string(dir.path(), "obsdk/__init__.py");
    assert!(init.contains("from obsdk.traces.store import TraceStore"), "import not renamed:\n{init}");
    let store_test = read_string(dir.path(), "tests/test_store.py");
    assert!(
        store_test.contains("import obsdk.traces.store\n"),
        "`import obsdk.sessions.store` not renamed:\n{store_test}"
    );
    assert!(store_test.contains("obsdk.traces.store.TraceStore()"), "dotted use not renamed:\n{store_test}");

    let links = read_string(dir.path(), CONFLICT_FILE);
    assert!(links.contains("def link(session_id, trace_id):"), "the conflicting function was changed:\n{links}");
    assert!(links.contains("return link(session_id="), "the conflicting keyword argument was changed:\n{links}");
}

/// Every "session" left after apply is one that must stay: third-party (requests, aiohttp,
/// pytest's scope, hook arguments and `request.session`) or the deliberate conflict. Anything else is a first-party occurrence missed.
#[test]
fn no_first_party_session_remains_after_apply() {
    let dir = applied_copy();
    let allowed: &[(&str, &[&str])] = &[
        (
            "obsdk/client.py",
            &["self._session", "requests.Session()", "aiohttp.ClientSession(", "as session:", "session.post("],
        ),
        ("tests/test_client.py", &["ClientSession=", "aiohttp.ClientSession"]),
        ("tests/conftest.py", &["scope=\"session\"", "modifyitems(session,", "assert session.config"]),
        ("tests/test_trace.py", &["_pytest_session(request)", "request.session.config"]),
        (CONFLICT_FILE, &["def link(session_id, trace_id):", "_upstream[session_id] = trace_id", "link(session_id="]),
    ];
    let mut missed = Vec::new();
    for (path, entry) in &Tree::of(dir.path()).0 {
        if path.to_ascii_lowercase().contains("session") {
            missed.push(format!("{path}: path"));
        }
        let support::Entry::File { bytes, .. } = entry else { continue };
        let text = String::from_utf8_lossy(bytes);
        let tokens = allowed.iter().find(|(p, _)| p == path).map_or(&[][..], |(_, t)| *t);
        for (i, line) in text.lines().enumerate() {
            let mut rest = line.to_owned();
            for token in tokens {
                rest = rest.replace(token, "");
            }
            if rest.to_ascii_lowercase().contains("session") {
                missed.push(format!("{path}:{}: {line}", i + 1));
            }
        }
    }
    assert!(missed.is_empty(), "first-party occurrences left after apply:\n{}", missed.join("\n"));
}

#[test]
fn check_after_apply_lists_only_the_deliberate_conflict() {
    let dir = applied_copy();
    let run = retrace(dir.path(), &["check", "."]);
    run.expect_code(1);
    let mut listed = Vec::new();
    // Indented lines are the source excerpts under each finding.
    for line in run.stdout.lines().filter(|l| !l.starts_with("    ")) {
        let (path, line_no, col, rest) =
            parse_location(line).unwrap_or_else(|| panic!("not a `path:line:col: ...` line: {line:?}\n{run}"));
        assert_eq!(path, CONFLICT_FILE, "check lists an occurrence outside the deliberate conflict: {line}\n{run}");
        assert!(rest.starts_with("conflict "), "check lists something other than a conflict: {line}\n{run}");
        listed.push((line_no, col));
    }
    listed.sort();
    listed.dedup();
    // Every occurrence of the term left in the conflict's file is part of the conflict and is listed.
    let remaining = occurrences(&read_string(dir.path(), CONFLICT_FILE), "session");
    assert!(!remaining.is_empty(), "the deliberate conflict was renamed away");
    assert_eq!(listed, remaining, "check should list exactly the occurrences left in {CONFLICT_FILE}\n{run}");
    insta::assert_snapshot!("python_fixture_check_after_apply", run.stdout);
}

#[test]
fn second_apply_changes_nothing() {
    RUN.assert_second_apply_changes_nothing();
}

/// With `--shims`, old public names of a renamed module still import, with a DeprecationWarning,
/// and a second run leaves the shim block alone.
#[test]
fn shims_keep_old_names_importable_with_a_warning() {
    let dir = fixture_copy("python");
    retrace(dir.path(), &["apply", "--shims", "."]).expect_code(1);
    let once = Tree::of(dir.path());
    retrace(dir.path(), &["apply", "--shims", "."]).expect_code(1);
    assert_trees_equal(&once, &Tree::of(dir.path()), "tree after the first vs the second apply --shims");
    assert_pytest_passes(dir.path());
    let script = "import warnings\n\
                  from obsdk.trace import Trace, start_trace\n\
                  with warnings.catch_warnings(record=True) as caught:\n\
                  \x20   warnings.simplefilter('always')\n\
                  \x20   from obsdk.trace import Session, start_session\n\
                  assert Session is Trace and start_session is start_trace\n\
                  assert [w.category for w in caught] == [DeprecationWarning, DeprecationWarning], caught\n\
                  print(caught[0].message)\n";
    let out = std::process::Command::new(support::python())
        .args(["-c", script])
        .current_dir(dir.path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{said}");
    assert_eq!(said.trim(), "Session is deprecated; use Trace");
}
