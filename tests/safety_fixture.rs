//! End to end on `fixtures/safety`: a half-migrated Python package (`tracekit`, with its pytest
//! suite and data written by the old code) and a TypeScript module (`web/`, with a tsconfig),
//! holding every way a term rename can break code: capture and shadowing, duplicate definitions
//! and exports, a self-recursive alias, declaration merging, duplicate keys and keywords,
//! duplicate routes, old -> new mappings, persisted values, repeated words, and names that cross
//! modules. `retrace apply` leaves each of them unchanged and reports exactly those; the suite
//! passes and the TypeScript type-checks after; a naive word-for-word rename of the same tree
//! breaks both, so every case is one that matters.

mod support;

use std::path::Path;

use support::{
    assert_pytest_passes, assert_type_checks, fixture_copy, parse_location, pytest_with, read_string, retrace,
    type_check, write_file, FixtureRun, Tree,
};

const RUN: FixtureRun = FixtureRun { name: "safety", args: &["."], apply_exit: 1 };

/// Every occurrence `retrace` leaves for a person, as `path:line:col verdict role text`, grouped by
/// the case it belongs to.
const LEFT_UNCHANGED: &[&str] = &[
    // Capture and shadowing: the new name would hide an imported `trace` or a method.
    "tracekit/scoping.py:6:12 conflict identifier session",
    "tracekit/scoping.py:8:34 conflict identifier session",
    "tracekit/scoping.py:12:5 conflict identifier session",
    "tests/test_scoping.py:9:21 conflict attribute session",
    "web/src/scoping.ts:4:24 conflict identifier session",
    "web/src/scoping.ts:5:16 conflict identifier session",
    "web/src/scoping.ts:11:11 conflict identifier sessionLabel",
    "web/src/scoping.ts:12:15 conflict identifier sessionLabel",
    // Duplicate definitions: `class Session` next to `class Trace`, `start_session` next to
    // `start_trace`, both in `__all__`; and where other modules import and re-export them.
    "tracekit/models.py:4:7 conflict identifier Session",
    "tracekit/models.py:18:5 conflict identifier start_session",
    "tracekit/models.py:19:12 conflict identifier Session",
    "tracekit/models.py:30:13 conflict string Session",
    "tracekit/models.py:30:33 conflict string start_session",
    "tracekit/client.py:5:5 conflict identifier Session",
    "tracekit/client.py:14:12 conflict identifier Session",
    "tracekit/__init__.py:3:29 conflict identifier Session",
    "tracekit/__init__.py:5:13 conflict string Session",
    "tests/test_definitions.py:3:29 conflict identifier Session",
    "tests/test_definitions.py:3:69 conflict identifier start_session",
    "tests/test_definitions.py:7:12 conflict identifier start_session",
    "tests/test_definitions.py:9:12 conflict identifier Session",
    "tests/test_definitions.py:19:57 conflict identifier Session",
    // Aliases of the new names: `Session = Trace`, and `def session(...)` that would call itself.
    "tracekit/compat.py:6:1 conflict identifier Session",
    "tracekit/compat.py:9:5 conflict identifier session",
    "tests/test_compat.py:6:19 conflict attribute Session",
    "tests/test_compat.py:7:19 conflict attribute session",
    // A parameter next to its new name, and a caller in another module passing it by keyword.
    "tracekit/api.py:28:10 conflict identifier session_id",
    "tracekit/api.py:30:21 conflict identifier session_id",
    "tracekit/client.py:10:17 conflict keyword session_id",
    "tests/test_api.py:12:17 conflict keyword session_id",
    // TypeScript declaration merging (and functions of both names), also where it is imported.
    "web/src/models.ts:2:18 conflict identifier ISession",
    "web/src/models.ts:12:17 conflict identifier newestSession",
    "web/src/models.ts:12:34 conflict identifier ISession",
    "web/src/models.ts:20:47 conflict identifier ISession",
    "web/src/use-models.ts:1:15 conflict identifier ISession",
    "web/src/use-models.ts:3:24 conflict identifier ISession",
    // Duplicate keys: a dict, keyword arguments, an object literal, an interface (and a member
    // access in another module), a JSON document.
    "tracekit/keys.py:3:16 conflict string session_id",
    "tracekit/fields.json:2:4 conflict text session_id",
    "tracekit/keys.py:14:19 conflict keyword session",
    "web/src/keys.ts:1:29 conflict identifier sessionId",
    "web/src/row.ts:3:3 conflict identifier sessionId",
    "web/src/export.ts:5:25 conflict attribute sessionId",
    // Duplicate routes, and a test that calls the old one.
    "tracekit/api.py:8:16 conflict string sessions",
    "tracekit/api.py:18:17 conflict string sessions",
    "tests/test_api.py:5:36 conflict string sessions",
    "tests/test_api.py:7:35 conflict string sessions",
    "web/src/routes.ts:17:14 conflict string sessions",
    // Old -> new mappings: a dict, an object (and the key's other uses), a redirect.
    "tracekit/keys.py:6:17 conflict string session_id",
    "web/src/renames.ts:2:32 conflict identifier sessionId",
    "web/src/renames.ts:4:75 conflict string sessionId",
    "web/src/renames.ts:7:39 conflict string sessions",
    // Persisted values: a header name, an enum value and where it is compared, localStorage.
    "tracekit/persisted.py:5:21 review string Session",
    "tracekit/persisted.py:9:16 review string session",
    "tracekit/persisted.py:14:27 review string session",
    "web/src/persisted.ts:2:34 review string Session",
    "web/src/persisted.ts:5:14 review string session",
    "web/src/persisted.ts:10:25 review string sessionId",
    "web/src/persisted.ts:14:20 review string session",
    // Repeated words.
    "tracekit/models.py:26:5 review identifier get_sessions_as_traces",
    "tracekit/models.py:30:65 review string get_sessions_as_traces",
    "tests/test_definitions.py:3:45 review identifier get_sessions_as_traces",
    "tests/test_definitions.py:19:33 review identifier get_sessions_as_traces",
    "web/src/models.ts:20:17 review identifier getSessionsAsTraces",
];

/// The findings `retrace diff` reports (on stderr) in the fixture as written, in the form of
/// [`LEFT_UNCHANGED`], and the lines themselves.
fn reported(dir: &Path) -> (Vec<String>, String) {
    let run = RUN.retrace(dir, "diff");
    run.expect_code(0);
    let mut found = Vec::new();
    for line in run.stderr.lines().filter(|l| !l.starts_with(char::is_whitespace)) {
        let Some((path, line_no, column, rest)) = parse_location(line) else { continue };
        let mut words = rest.splitn(3, ' ');
        let (verdict, role, text) = (words.next().unwrap(), words.next().unwrap(), words.next().unwrap());
        let text = text.split('`').nth(1).unwrap_or_else(|| panic!("no text in {line:?}"));
        found.push(format!("{path}:{line_no}:{column} {verdict} {role} {text}"));
    }
    (found, run.stderr)
}

#[test]
fn fixture_passes_its_suite_and_type_checks_as_written() {
    let dir = fixture_copy("safety");
    assert_pytest_passes(dir.path());
    assert_type_checks(&dir.path().join("web"));
}

#[test]
fn every_case_is_reported_and_nothing_else() {
    let dir = fixture_copy("safety");
    let (mut found, stderr) = reported(dir.path());
    let mut expected: Vec<String> = LEFT_UNCHANGED.iter().map(|s| (*s).to_owned()).collect();
    found.sort();
    expected.sort();
    assert_eq!(found, expected, "\n{stderr}");
    insta::assert_snapshot!("safety_fixture_report", stderr);
}

#[test]
fn apply_leaves_every_reported_occurrence_unchanged() {
    let dir = RUN.applied_copy();
    for entry in LEFT_UNCHANGED {
        let (place, finding) = entry.split_once(' ').unwrap();
        let (path, line, _, _) = parse_location(&format!("{place}: ")).unwrap();
        let text = finding.rsplit(' ').next().unwrap();
        let written = read_string(dir.path(), &path);
        let line_text = written.lines().nth(line - 1).unwrap_or("");
        let tokens: Vec<&str> = line_text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).collect();
        assert!(tokens.contains(&text), "`{text}` was changed at {place} after apply:\n{line_text}");
    }
}

#[test]
fn suite_passes_and_typescript_type_checks_after_apply() {
    let dir = RUN.applied_copy();
    assert_pytest_passes(dir.path());
    assert_type_checks(&dir.path().join("web"));
}

#[test]
fn diff_is_a_patch_and_a_second_apply_changes_nothing() {
    RUN.assert_diff_is_a_patch();
    RUN.assert_apply_matches_diff();
    RUN.assert_second_apply_changes_nothing();
}

/// Without retrace's checks, the same rename of the code (not of the data the old code wrote)
/// breaks every test module and the type-check.
#[test]
fn a_naive_rename_breaks_the_fixture() {
    let dir = fixture_copy("safety");
    let before = Tree::of(dir.path());
    let source = |p: &&str| [".py", ".ts", ".json"].iter().any(|ext| p.ends_with(ext));
    for path in before.paths().into_iter().filter(source) {
        let renamed = naive_rename(&read_string(dir.path(), path));
        write_file(dir.path(), path, renamed.as_bytes());
    }
    let run = pytest_with(dir.path(), &["--continue-on-collection-errors", "-rfE"]);
    let broken: std::collections::BTreeSet<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("FAILED ").or_else(|| l.strip_prefix("ERROR ")))
        .filter_map(|l| l.split("::").next().map(|m| m.split(' ').next().unwrap_or(m)))
        .collect();
    let modules: Vec<&str> = before.paths().into_iter().filter(|p| p.starts_with("tests/test_")).collect();
    assert_eq!(broken.into_iter().collect::<Vec<_>>(), modules, "every test module should fail\n{run}");

    let checked = type_check(&dir.path().join("web"));
    assert_ne!(checked.code, 0, "{checked}");
    for file in ["keys.ts", "models.ts", "renames.ts", "scoping.ts", "use-models.ts"] {
        assert!(checked.stdout.contains(&format!("src/{file}(")), "no type error in {file}\n{checked}");
    }
}

/// Every `session`, `Session` and `SESSION` as `trace`, `Trace` and `TRACE`: what a text
/// replacement does.
fn naive_rename(text: &str) -> String {
    text.replace("session", "trace").replace("Session", "Trace").replace("SESSION", "TRACE")
}

/// A `[[rename]]` override names the new spelling of a conflicting name: it is applied
/// everywhere, callers in other modules included.
#[test]
fn a_rename_override_resolves_a_conflict() {
    let dir = fixture_copy("safety");
    write_file(
        dir.path(),
        "retrace.toml",
        b"extends = \"builtin\"\n\n[[rename]]\nfrom = \"session_id\"\nto = \"trace_uuid\"\n",
    );
    let run = retrace(dir.path(), &["apply", "--rules", "retrace.toml", "."]);
    assert!(!run.stderr.contains("`session_id` -> `trace_id`"), "{run}");
    let api = read_string(dir.path(), "tracekit/api.py");
    assert!(api.contains("def link(trace_uuid, trace_id=None):"), "{api}");
    assert!(read_string(dir.path(), "tracekit/client.py").contains("link(trace_uuid=old)"));
    let suite = pytest_with(dir.path(), &["tests/test_api.py", "tests/test_client.py"]);
    assert_eq!(suite.code, 0, "{suite}");
}

#[test]
fn explain_suggests_a_resolution() {
    let dir = fixture_copy("safety");
    let run = retrace(dir.path(), &["explain", "session_id"]);
    run.expect_code(0);
    assert!(run.stdout.contains("[[rename]] from = \"session_id\", to = \"trace_uuid\""), "{run}");
    let run = retrace(dir.path(), &["explain", "get_sessions_as_traces"]);
    assert!(run.stdout.contains("review: the new name repeats `trace`"), "{run}");
}

/// The JSON report carries each conflict's suggestion.
#[test]
fn json_report_carries_suggestions() {
    let dir = RUN.applied_copy();
    let run = retrace(dir.path(), &["check", "--format", "json", "."]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{run}"));
    let findings = doc["findings"].as_array().unwrap();
    let alias = findings
        .iter()
        .find(|f| f["path"] == "tracekit/compat.py" && f["line"] == 9)
        .unwrap_or_else(|| panic!("no finding for the alias\n{run}"));
    assert_eq!(alias["verdict"], "conflict");
    assert!(alias["suggestion"].as_str().unwrap().starts_with("delete the alias at line 9"), "{alias}");
    assert!(findings.iter().filter(|f| f["verdict"] == "conflict").all(|f| f["suggestion"].is_string()));
}
