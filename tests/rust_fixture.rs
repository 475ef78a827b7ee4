//! End to end on `fixtures/rust` (a cargo workspace: the `telemetry` crate with `mod session;`, a
//! `Session` struct, `session_id` fields and its own tests, plus `vendor/reqwest_like`, a local
//! stand-in for a third-party HTTP client with its own `Session`), through the real binary and
//! the fixture's rule file (`retrace.toml`: the built-in rules, `vendor/**` kept, `telemetry` a
//! workspace crate): `cargo test` passes before; `retrace diff` is a real patch and is
//! snapshot-tested; `retrace apply` writes exactly that patch, moves `session.rs` and `session/`
//! and reports the one deliberate conflict (`fn link(session_id, trace_id)` in store.rs);
//! `cargo test` passes after; `retrace check` lists only that conflict; a second apply changes
//! nothing.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};

use support::{fixture_copy, FixtureRun, read_string, retrace, tempdir, Tree};
use tempfile::TempDir;

const FIXTURE: &str = "rust";
const RULES: &str = "retrace.toml";
/// The deliberate conflict: both parameters of `SessionStore::link` would be `trace_id`.
const CONFLICT_FILE: &str = "telemetry/src/store.rs";

const RUN: FixtureRun = FixtureRun { name: FIXTURE, args: &["--rules", RULES, "."], apply_exit: 1 };

fn diff_of_fresh_copy() -> (TempDir, String) {
    RUN.diff_of_fresh_copy()
}

fn applied_copy() -> TempDir {
    RUN.applied_copy()
}

/// `cargo test --offline` in `dir`, building into a target folder outside the tree.
#[track_caller]
fn assert_cargo_test_passes(dir: &Path) {
    let target = tempdir();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(&cargo)
        .args(["test", "--offline", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target.path())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot start `{cargo} test`: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the fixture's own tests fail in {}\n{stdout}\n{stderr}", dir.display());
    assert!(stdout.contains("test result: ok. 7 passed"), "the unit tests did not all run:\n{stdout}");
    assert!(stdout.contains("test result: ok. 2 passed"), "the integration tests did not all run:\n{stdout}");
}

#[test]
fn fixture_tests_pass_as_written() {
    assert_cargo_test_passes(fixture_copy(FIXTURE).path());
}

#[test]
fn diff_snapshot() {
    let (_dir, diff) = diff_of_fresh_copy();
    insta::assert_snapshot!("rust_fixture_diff", diff);
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
fn fixture_tests_pass_after_apply() {
    assert_cargo_test_passes(applied_copy().path());
}

#[track_caller]
fn assert_holds(dir: &Path, path: &str, expected: &[&str]) {
    let text = read_string(dir, path);
    for snippet in expected {
        assert!(text.contains(snippet), "{path} lacks `{snippet}` after apply:\n{text}");
    }
}

#[test]
fn apply_moves_the_module_with_its_declaration() {
    let dir = applied_copy();
    let tree = Tree::of(dir.path());
    for gone in ["telemetry/src/session.rs", "telemetry/src/session", "telemetry/src/session/id.rs"] {
        assert!(!tree.contains(gone), "{gone} is still there after apply:\n{tree:?}");
    }
    for moved in ["telemetry/src/trace.rs", "telemetry/src/trace/id.rs"] {
        assert!(tree.contains(moved), "{moved} is missing after apply:\n{tree:?}");
    }
    let lib = ["mod trace;", "pub use trace::{Trace, TraceId, FIRST_TRACE_ID, TRACE_TIMEOUT_SECS};", "[`TraceStore`]"];
    assert_holds(dir.path(), "telemetry/src/lib.rs", &lib);
}

#[test]
fn apply_renames_first_party_names_strings_and_macros() {
    let dir = applied_copy();
    let trace = [
        "pub struct Trace {",
        "pub trace_id: TraceId,",
        "format!(\"/v1/traces/{trace_id}\")",
        "(\"trace_id\", self.trace_id)",
        "macro_rules! trace_here",
        "\"telemetry::trace::tests\"",
    ];
    assert_holds(dir.path(), "telemetry/src/trace.rs", &trace);
    assert_holds(dir.path(), "telemetry/src/upload.rs", &["finished: &crate::Trace"]);
    let roundtrip = ["use telemetry::{start_trace, Trace, TraceStore, TRACE_TIMEOUT_SECS};"];
    assert_holds(dir.path(), "telemetry/tests/roundtrip.rs", &roundtrip);
    // The deliberate conflict: the function's parameters stay, its types follow.
    let link = ["pub fn link(&mut self, session_id: TraceId, trace_id: u64) {"];
    assert_holds(dir.path(), CONFLICT_FILE, &link);
}

#[test]
fn apply_keeps_the_names_of_the_foreign_crate() {
    let dir = applied_copy();
    let upload = [
        "use reqwest_like::session::SessionConfig;",
        "use reqwest_like::{Client, Session};",
        "    session: Session,",
        "let session = client.session(SessionConfig { keep_alive: true });",
        "Uploader { client, session }",
        "self.session.session_id().to_owned()",
        "reqwest_like::SESSION_HEADER",
    ];
    assert_holds(dir.path(), "telemetry/src/upload.rs", &upload);
    let fresh = fixture_copy(FIXTURE);
    for vendored in ["vendor/reqwest_like/src/lib.rs", "vendor/reqwest_like/src/session.rs"] {
        assert_eq!(read_string(dir.path(), vendored), read_string(fresh.path(), vendored), "{vendored} was rewritten");
    }
}

#[test]
fn check_after_apply_lists_only_the_deliberate_conflict() {
    let dir = applied_copy();
    let run = RUN.retrace(dir.path(), "check");
    run.expect_code(1);
    // Each finding is one `path:line:col: ...` line, followed by its source line indented.
    let findings: Vec<&str> = run.stdout.lines().filter(|l| !l.starts_with(char::is_whitespace)).collect();
    let see = "(see telemetry/src/store.rs:42:49)";
    let why = "conflict identifier `session_id` -> `trace_id`: `trace_id` already exists in fn `link`";
    let suggestion = "suggestion: give it another name in the rule file: [[rename]] from = \"session_id\", to = \"trace_uuid\"";
    // The test named after both words would repeat one: a person chooses its new name.
    let repeated = "review identifier `links_a_session_to_its_upstream_trace` -> `links_a_trace_to_its_upstream_trace`: \
                    the new name repeats `trace`: choose one with a [[rename]] override in the rule file";
    assert_eq!(
        findings,
        [
            format!("{CONFLICT_FILE}:42:28: {why} {see}; {suggestion}"),
            format!("{CONFLICT_FILE}:43:30: {why} {see}; {suggestion}"),
            format!("{CONFLICT_FILE}:66:8: {repeated}"),
        ],
        "{run}"
    );
}

#[test]
fn second_apply_changes_nothing() {
    RUN.assert_second_apply_changes_nothing();
}

/// Why the fixture has a rule file: without it the vendored crate is first-party code like any
/// other. The workspace's own crates are first-party either way (found from their Cargo.toml), so
/// the integration tests' `telemetry::...` paths follow the renames.
#[test]
fn without_the_rule_file_vendored_code_would_be_rewritten() {
    let dir = fixture_copy(FIXTURE);
    let run = retrace(dir.path(), &["diff", "."]);
    run.expect_code(0);
    assert!(run.stdout.contains("rename from vendor/reqwest_like/src/session.rs"), "{run}");
    assert!(run.stdout.contains("+use telemetry::{start_trace"), "{run}");
}
