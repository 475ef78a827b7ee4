//! The command line through the real binary: every exit code and every kind of bad input.
//! Contract: 0 clean, 1 findings (check) or conflicts (apply), 2 usage or input error; a file that
//! cannot be read or parsed is reported as `path:line:col: error: message` and left untouched while
//! the run goes on with the other files.

mod support;

use support::{assert_trees_equal, git_apply, mode, read, read_string, retrace, set_mode, tree_with, Run, Tree};

/// The stderr line reporting an error for `path` (`path:line:col: error: ...`).
#[track_caller]
fn error_line_for<'a>(run: &'a Run, path: &str) -> &'a str {
    run.stderr
        .lines()
        .find(|l| l.starts_with(&format!("{path}:")) && l.contains(": error: "))
        .unwrap_or_else(|| panic!("stderr has no `{path}:LINE:COL: error: ...` line\n{run}"))
}

const GOOD: &[u8] = b"def start(session_id):\n    return session_id\n";
const GOOD_AFTER: &[u8] = b"def start(trace_id):\n    return trace_id\n";

#[test]
fn help_exits_0_and_lists_the_commands() {
    let dir = tree_with(&[]);
    let run = retrace(dir.path(), &["--help"]);
    run.expect_code(0);
    for command in ["diff", "apply", "check"] {
        assert!(run.stdout.contains(command), "--help does not mention `{command}`\n{run}");
    }
}

#[test]
fn unknown_subcommand_exits_2() {
    let dir = tree_with(&[]);
    let run = retrace(dir.path(), &["frobnicate"]);
    run.expect_code(2);
    assert!(run.stderr.contains("frobnicate"), "{run}");
}

#[test]
fn missing_path_exits_2_and_names_it() {
    let dir = tree_with(&[("app.py", GOOD)]);
    for command in ["diff", "apply", "check"] {
        let run = retrace(dir.path(), &[command, "no-such-dir"]);
        run.expect_code(2);
        assert!(run.stderr.contains("no-such-dir"), "`{command}`: stderr does not name the missing path\n{run}");
    }
    assert_eq!(read(dir.path(), "app.py"), GOOD, "a failed run changed a file");
}

#[test]
fn rule_file_with_an_unknown_key_exits_2_with_its_location() {
    let rules = b"[[term]]\nfrom = \"session\"\nto = \"trace\"\ncolour = \"blue\"\n";
    let dir = tree_with(&[("rules.toml", rules), ("app.py", GOOD)]);
    let before = Tree::of(dir.path());
    for args in [
        &["diff", "--rules", "rules.toml", "."][..],
        &["apply", "--rules", "rules.toml", "."],
        &["check", "--rules", "rules.toml", "."],
        &["explain", "--rules", "rules.toml", "session_id"],
    ] {
        let run = retrace(dir.path(), args);
        run.expect_code(2);
        assert!(
            run.stderr.contains("rules.toml:4:1"),
            "stderr should point at rules.toml:4:1 (the unknown key)\n{run}"
        );
        assert!(run.stderr.contains("colour"), "stderr should name the unknown key\n{run}");
    }
    assert_trees_equal(&before, &Tree::of(dir.path()), "tree after runs with a bad rule file");
}

#[test]
fn missing_rule_file_exits_2_and_names_it() {
    let dir = tree_with(&[("app.py", GOOD)]);
    let run = retrace(dir.path(), &["diff", "--rules", "nope.toml", "."]);
    run.expect_code(2);
    assert!(run.stderr.contains("nope.toml"), "{run}");
}

/// Good files are rewritten, the bad one is left byte-identical and named on stderr, exit 2.
#[track_caller]
fn bad_file_among_good_ones(bad_name: &str, bad: &[u8]) -> Run {
    bad_file_among_good_ones_with(bad_name, bad, &[])
}

/// [`bad_file_among_good_ones`], each run given `options` too.
#[track_caller]
fn bad_file_among_good_ones_with(bad_name: &str, bad: &[u8], options: &[&str]) -> Run {
    let dir = tree_with(&[("a.py", GOOD), (bad_name, bad), ("pkg/__init__.py", b""), ("pkg/z.py", GOOD)]);
    let with = |command: &'static str| [&[command], options, &["."]].concat();

    let diff = retrace(dir.path(), &with("diff"));
    diff.expect_code(2);
    error_line_for(&diff, bad_name);
    for good in ["a.py", "pkg/z.py"] {
        assert!(diff.stdout.contains(&format!("+++ b/{good}\n")), "diff should still show {good}\n{diff}");
    }

    let run = retrace(dir.path(), &with("apply"));
    run.expect_code(2);
    error_line_for(&run, bad_name);
    assert_eq!(read(dir.path(), bad_name), bad, "{bad_name} was modified");
    assert_eq!(read(dir.path(), "a.py"), GOOD_AFTER, "a.py was not rewritten\n{run}");
    assert_eq!(read(dir.path(), "pkg/z.py"), GOOD_AFTER, "pkg/z.py was not rewritten\n{run}");
    run
}

#[test]
fn binary_source_file_is_skipped_with_a_message() {
    // Valid UTF-8 but binary (NUL bytes), with the term in it so no prefilter can skip it.
    bad_file_among_good_ones("blob.py", b"session_id\x00\x01\x02\x00\x00\x7fELF\x00session\n");
}

#[test]
fn invalid_utf8_file_is_skipped_with_a_message() {
    // Latin-1 text: `é` is the lone byte 0xE9.
    bad_file_among_good_ones("latin1.py", b"# caf\xe9 session\nsession_id = 1\n");
}

#[test]
fn unparseable_python_is_skipped_with_its_location() {
    let run = bad_file_among_good_ones("bad.py", b"session_id = 1\ndef broken(session_id:\n    return session_id\n");
    let line = error_line_for(&run, "bad.py");
    assert!(line.starts_with("bad.py:2:"), "the parse error is on line 2: {line}\n{run}");
}

#[test]
fn a_file_over_the_size_limit_is_reported_not_planned() {
    // The term stands past the limit: the sieve reads the whole file, a block at a time.
    let big = format!("{}session_id = 2\n", "x = 1\n".repeat(400));
    let clean = "x = 1\n".repeat(400);
    let dir = tree_with(&[("a.py", GOOD), ("big.py", big.as_bytes()), ("clean.py", clean.as_bytes())]);

    let check = retrace(dir.path(), &["check", "--no-cache", "--max-filesize", "1K", "."]);
    check.expect_code(2);
    let line = error_line_for(&check, "big.py");
    assert!(line.starts_with("big.py:1:1: error: too large to plan: 2.4 KiB, over the limit of 1.0 KiB"), "{line}\n{check}");
    assert!(line.contains("--max-filesize"), "the error says how to plan it: {line}");
    assert!(!check.stderr.contains("clean.py") && !check.stdout.contains("clean.py"), "a large file with no term is not news\n{check}");

    let bad = bad_file_among_good_ones_with("big.py", big.as_bytes(), &["--max-filesize", "1K"]);
    error_line_for(&bad, "big.py");

    // Within a raised limit it is planned like any other file.
    let diff = retrace(dir.path(), &["diff", "--no-cache", "--max-filesize", "3K", "."]);
    diff.expect_code(0);
    assert!(diff.stdout.contains("+trace_id = 2\n"), "{diff}");
}

#[test]
fn names_a_file_left_unplanned_writes_stay_where_it_is_used() {
    // Each file that is not planned (too large, not UTF-8) keeps its names; renaming them where
    // it is imported would break the import. None of them moves (nor one that does not parse).
    let padding = "x = 1\n".repeat(400);
    let big_py = format!("class SessionStore:\n    def start(self, session_id):\n        pass\n{padding}");
    let big_ts = format!("export interface SessionInfo {{\n  sessionId: string;\n}}\n{}", "// pad\n".repeat(400));
    let uses_py = b"from big import SessionStore\n\nstore = SessionStore()\nstore.start(session_id=1)\n";
    let uses_ts = b"import { SessionInfo } from \"./big\";\n\nexport const info: SessionInfo = { sessionId: \"a\" };\n";
    let latin = b"class SessionLatin:\n    name = \"caf\xe9\"\n";
    let uses_latin = b"from latin import SessionLatin\n\nlatin = SessionLatin()\n";
    // A file that is not planned is not moved either, so imports of it stay.
    let helpers = format!("def helper():\n    return 'session'\n{padding}");
    let uses_helpers = b"from session_helpers import helper\n";
    let notes = b"# caf\xe9 session\n";
    let uses_notes = b"import session_notes\n";
    let broken = b"session_id = 1\ndef (:\n";
    let uses_broken = b"import session_broken\n";
    let dir = tree_with(&[
        ("session_broken.py", broken),
        ("uses_broken.py", uses_broken),
        ("session_notes.py", notes),
        ("uses_notes.py", uses_notes),
        ("session_helpers.py", helpers.as_bytes()),
        ("uses_helpers.py", uses_helpers),
        ("big.py", big_py.as_bytes()),
        ("uses_big.py", uses_py),
        ("big.ts", big_ts.as_bytes()),
        ("uses_big.ts", uses_ts),
        ("latin.py", latin),
        ("uses_latin.py", uses_latin),
        ("other.py", GOOD),
    ]);

    let check = retrace(dir.path(), &["check", "--no-cache", "--max-filesize", "1K", "."]);
    check.expect_code(2);
    let conflicts: Vec<&str> = check.stdout.lines().filter(|l| l.contains(": conflict ")).map(|l| l.split(": conflict").next().unwrap()).collect();
    let expected = [
        "session_broken.py:1:1",
        "session_helpers.py:1:1",
        "session_notes.py:1:1",
        "uses_big.py:1:17",
        "uses_big.py:3:9",
        "uses_big.py:4:13",
        "uses_big.ts:1:10",
        "uses_big.ts:3:20",
        "uses_big.ts:3:36",
        "uses_broken.py:1:8",
        "uses_helpers.py:1:6",
        "uses_latin.py:1:19",
        "uses_latin.py:3:9",
        "uses_notes.py:1:8",
    ];
    assert_eq!(conflicts, expected, "{check}");
    assert!(check.stdout.contains("`SessionStore` stays at big.py:1:7 (its file is too large to plan)"), "{check}");
    assert!(check.stdout.contains("suggestion: plan big.py with --max-filesize 3K"), "{check}");
    assert!(check.stdout.contains("suggestion: convert latin.py to UTF-8"), "{check}");
    let import = check.stdout.lines().find(|l| l.starts_with("uses_helpers.py:1:6:")).unwrap_or_default();
    assert!(import.contains("the file move for `session_helpers` was refused: `session_helpers.py` cannot be planned"), "{check}");
    assert!(check.stdout.contains("other.py:1:11: rename identifier `session_id` -> `trace_id`"), "a name of an unrelated file is renamed\n{check}");

    let apply = retrace(dir.path(), &["apply", "--no-cache", "--max-filesize", "1K", "."]);
    apply.expect_code(2);
    let untouched = [("uses_big.py", &uses_py[..]), ("uses_big.ts", uses_ts), ("uses_latin.py", uses_latin), ("uses_helpers.py", uses_helpers), ("session_helpers.py", helpers.as_bytes())];
    let untouched = [untouched.as_slice(), &[("uses_notes.py", uses_notes), ("session_notes.py", notes), ("uses_broken.py", uses_broken), ("session_broken.py", broken)]].concat();
    for (name, before) in untouched {
        assert_eq!(read(dir.path(), name), before, "{name} was rewritten\n{apply}");
    }
    assert_eq!(read(dir.path(), "other.py"), GOOD_AFTER, "{apply}");

    // Within a raised limit both sides of the import are renamed together.
    let raised = retrace(dir.path(), &["apply", "--no-cache", "--max-filesize", "3K", "."]);
    raised.expect_code(2);
    assert!(read_string(dir.path(), "big.py").starts_with("class TraceStore:\n    def start(self, trace_id):"), "{raised}");
    assert_eq!(read_string(dir.path(), "uses_big.py"), "from big import TraceStore\n\nstore = TraceStore()\nstore.start(trace_id=1)\n", "{raised}");
    assert_eq!(read_string(dir.path(), "uses_helpers.py"), "from trace_helpers import helper\n", "{raised}");
    assert!(dir.path().join("trace_helpers.py").is_file(), "{raised}");
}

#[test]
fn the_default_size_limit_is_two_mib() {
    let line = "session_id = 1\n";
    let mut at_limit = line.repeat((2 << 20) / line.len());
    at_limit += &"\n".repeat((2 << 20) - at_limit.len());
    let over = at_limit.clone() + "\n";
    let dir = tree_with(&[("at_limit.py", at_limit.as_bytes()), ("over.py", over.as_bytes())]);
    let run = retrace(dir.path(), &["check", "--no-cache", "."]);
    run.expect_code(2);
    let line = error_line_for(&run, "over.py");
    assert!(line.contains("2.0 MiB (2097153 bytes), over the limit of 2.0 MiB (2097152 bytes)"), "{line}\n{run}");
    assert!(!run.stderr.contains("at_limit.py:1:1: error"), "a file of exactly the limit is planned\n{run}");
    assert!(run.stdout.contains("at_limit.py:1:1: rename identifier"), "{run}");
}

#[test]
fn a_size_that_is_not_one_exits_2_and_names_it() {
    let dir = tree_with(&[("app.py", GOOD)]);
    for size in ["2X", "M", "1.5M", "99999999999G"] {
        let run = retrace(dir.path(), &["check", "--max-filesize", size, "."]);
        run.expect_code(2);
        assert!(run.stderr.contains(&format!("`{size}`")), "stderr names `{size}`\n{run}");
    }
}

#[test]
fn non_source_binary_file_is_ignored() {
    // A binary file with no rewriter (an image) is not an input error: it is not source.
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDRsession\x00\x00";
    let dir = tree_with(&[("logo.png", png), ("app.py", GOOD)]);
    let run = retrace(dir.path(), &["apply", "."]);
    run.expect_code(0);
    assert_eq!(read(dir.path(), "logo.png"), png);
    assert_eq!(read(dir.path(), "app.py"), GOOD_AFTER);
}

#[test]
fn absolute_paths_give_a_patch_relative_to_the_current_directory() {
    let dir = tree_with(&[("pkg/session_store.py", b"session_id = 1\n")]);
    let root = dir.path().canonicalize().unwrap();
    let absolute = root.join("pkg");
    let diff = retrace(&root, &["diff", absolute.to_str().unwrap()]);
    diff.expect_code(0);
    assert!(diff.stdout.starts_with("diff --git a/pkg/session_store.py b/pkg/trace_store.py\n"), "{diff}");
    let patched = git_apply(&root, &diff.stdout, true);
    assert_eq!(read_string(patched.path(), "pkg/trace_store.py"), "trace_id = 1\n");
}

#[test]
fn crlf_and_bom_are_kept() {
    let crlf = b"# the session\r\nsession_id = 1\r\nprint(session_id)\r\n";
    let bom = "\u{feff}# the session\nsession_id = 1\n".as_bytes();
    let both = "\u{feff}session_id = 1\r\nprint(session_id)\r\n".as_bytes();
    let dir = tree_with(&[("crlf.py", crlf), ("bom.py", bom), ("both.py", both)]);

    let diff = retrace(dir.path(), &["diff", "."]);
    diff.expect_code(0);
    let patched = git_apply(dir.path(), &diff.stdout, true);

    retrace(dir.path(), &["apply", "."]).expect_code(0);
    assert_eq!(read(dir.path(), "crlf.py"), b"# the trace\r\ntrace_id = 1\r\nprint(trace_id)\r\n");
    assert_eq!(read(dir.path(), "bom.py"), "\u{feff}# the trace\ntrace_id = 1\n".as_bytes());
    assert_eq!(read(dir.path(), "both.py"), "\u{feff}trace_id = 1\r\nprint(trace_id)\r\n".as_bytes());
    assert_trees_equal(&Tree::of(dir.path()), &Tree::of(patched.path()), "`retrace apply` vs `git apply` of the diff");
}

#[test]
fn file_mode_is_kept() {
    let script = b"#!/usr/bin/env python3\nsession_id = 1\n";
    let dir = tree_with(&[("tool.py", script), ("session_tool.py", script)]);
    set_mode(dir.path(), "tool.py", 0o755);
    set_mode(dir.path(), "session_tool.py", 0o750);
    retrace(dir.path(), &["apply", "."]).expect_code(0);
    assert_eq!(read_string(dir.path(), "tool.py"), "#!/usr/bin/env python3\ntrace_id = 1\n");
    assert_eq!(mode(dir.path(), "tool.py"), 0o755, "mode of a file rewritten in place");
    assert!(!dir.path().join("session_tool.py").exists(), "session_tool.py was not moved");
    assert_eq!(mode(dir.path(), "trace_tool.py"), 0o750, "mode of a moved file");
}

#[test]
fn diff_paths_are_relative_and_moves_are_git_renames() {
    let dir = tree_with(&[
        ("pkg/__init__.py", b"from pkg.session import Session\n"),
        ("pkg/session.py", b"class Session:\n    pass\n"),
    ]);
    let run = retrace(dir.path(), &["diff", "./pkg"]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let mut at = 0;
    for expected in [
        "diff --git a/pkg/session.py b/pkg/trace.py",
        "rename from pkg/session.py",
        "rename to pkg/trace.py",
        "--- a/pkg/session.py",
        "+++ b/pkg/trace.py",
        "-class Session:",
        "+class Trace:",
    ] {
        let found = lines[at..].iter().position(|l| *l == expected);
        at += found.unwrap_or_else(|| panic!("diff lacks `{expected}` (in this order)\n{run}")) + 1;
    }
    assert!(run.stdout.contains("diff --git a/pkg/__init__.py b/pkg/__init__.py\n"), "{run}");
    assert!(!run.stdout.contains("./"), "paths keep a leading ./\n{run}");
    let patched = git_apply(dir.path(), &run.stdout, true);
    assert_eq!(read_string(patched.path(), "pkg/trace.py"), "class Trace:\n    pass\n");
    assert_eq!(read_string(dir.path(), "pkg/session.py"), "class Session:\n    pass\n", "diff changed a file");
}

#[test]
fn diff_colour_follows_the_color_option() {
    let dir = tree_with(&[("app.py", GOOD)]);
    let always = retrace(dir.path(), &["diff", "--color", "always", "."]);
    always.expect_code(0);
    assert!(always.stdout.contains('\x1b'), "--color always has no colour\n{always}");
    for args in [&["diff", "--color", "never", "."][..], &["diff", "."]] {
        let run = retrace(dir.path(), args);
        run.expect_code(0);
        assert!(!run.stdout.contains('\x1b'), "colour codes when not asked for (not a terminal)\n{run}");
        assert!(run.stdout.contains("+def start(trace_id):"), "{run}");
    }
}

#[test]
fn apply_exits_0_when_clean_and_a_second_run_changes_nothing() {
    let dir = tree_with(&[("app.py", GOOD), ("lib/__init__.py", b""), ("lib/session_utils.py", GOOD)]);
    retrace(dir.path(), &["apply", "."]).expect_code(0);
    assert_eq!(read(dir.path(), "app.py"), GOOD_AFTER);
    assert_eq!(read(dir.path(), "lib/trace_utils.py"), GOOD_AFTER);
    let once = Tree::of(dir.path());
    retrace(dir.path(), &["apply", "."]).expect_code(0);
    assert_trees_equal(&once, &Tree::of(dir.path()), "tree after the first vs the second apply");
}

#[test]
fn apply_exits_1_on_a_conflict_and_applies_the_rest() {
    let conflict = b"def link(session_id, trace_id):\n    return {session_id: trace_id}\n";
    let dir = tree_with(&[("links.py", conflict), ("app.py", GOOD)]);
    let run = retrace(dir.path(), &["apply", "."]);
    run.expect_code(1);
    assert_eq!(read(dir.path(), "links.py"), conflict, "a conflicting rename was applied");
    assert_eq!(read(dir.path(), "app.py"), GOOD_AFTER, "the rest was not applied\n{run}");
    assert!(run.stderr.contains("links.py:1:"), "the conflict is not reported at its place\n{run}");
}

#[test]
fn apply_takes_several_paths() {
    let dir = tree_with(&[("sdk/client.py", GOOD), ("webapp/api.py", GOOD), ("other/untouched.py", GOOD)]);
    retrace(dir.path(), &["apply", "sdk", "webapp"]).expect_code(0);
    assert_eq!(read(dir.path(), "sdk/client.py"), GOOD_AFTER);
    assert_eq!(read(dir.path(), "webapp/api.py"), GOOD_AFTER);
    assert_eq!(read(dir.path(), "other/untouched.py"), GOOD, "a path that was not given was rewritten");
}

#[test]
fn renaming_onto_an_existing_file_is_a_conflict() {
    let dir = tree_with(&[("pkg/__init__.py", b""), ("pkg/session.py", b"x = 1\n"), ("pkg/trace.py", b"y = 2\n")]);
    let before = Tree::of(dir.path());
    retrace(dir.path(), &["apply", "."]).expect_code(1);
    assert_trees_equal(&before, &Tree::of(dir.path()), "tree after a refused move");
}

#[test]
fn top_level_trace_py_would_shadow_the_standard_library() {
    // `session.py` at the root of a tree becomes `trace.py`, which shadows Python's `trace` module.
    let dir = tree_with(&[("session.py", b"x = 1\n"), ("main.py", b"import session\nprint(session.x)\n")]);
    let run = retrace(dir.path(), &["apply", "."]);
    run.expect_code(1);
    assert!(dir.path().join("session.py").exists(), "session.py was moved onto the stdlib name\n{run}");
    assert!(!dir.path().join("trace.py").exists(), "trace.py was created at the top of the tree\n{run}");
    assert_eq!(
        read_string(dir.path(), "main.py"),
        "import session\nprint(session.x)\n",
        "the import of a refused move changed"
    );
}

#[test]
fn check_exits_0_on_a_clean_tree() {
    let dir = tree_with(&[("app.py", b"def start(trace_id):\n    return trace_id\n")]);
    let run = retrace(dir.path(), &["check", "."]);
    run.expect_code(0);
    assert_eq!(run.stdout, "", "{run}");
}

#[test]
fn check_exits_1_and_lists_each_finding() {
    let dir = tree_with(&[("app.py", b"session_id = 1\n")]);
    let run = retrace(dir.path(), &["check", "."]);
    run.expect_code(1);
    let first = run.stdout.lines().next().unwrap_or_default();
    assert!(first.starts_with("app.py:1:1: rename identifier `session_id`"), "unexpected check line: {first:?}\n{run}");
    assert_eq!(read(dir.path(), "app.py"), b"session_id = 1\n", "check changed a file");
}

#[test]
fn check_json_has_the_documented_fields() {
    let dir = tree_with(&[("app.py", b"session_id = 1\n")]);
    let run = retrace(dir.path(), &["check", "--format", "json", "."]);
    run.expect_code(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON: {e}\n{run}"));
    let findings = doc["findings"].as_array().unwrap_or_else(|| panic!("no `findings` array\n{run}"));
    assert!(!findings.is_empty(), "{run}");
    for f in findings {
        for field in ["path", "line", "column", "text", "role", "verdict"] {
            assert!(f.get(field).is_some(), "finding lacks `{field}`: {f}");
        }
    }
    let f = &findings[0];
    assert_eq!(f["path"], "app.py");
    assert_eq!(f["line"], 1);
    assert_eq!(f["column"], 1);
    assert_eq!(f["text"], "session_id");
    assert_eq!(f["role"], "identifier");
    assert_eq!(f["verdict"], "rename");

    let clean = tree_with(&[("app.py", b"x = 1\n")]);
    let run = retrace(clean.path(), &["check", "--format", "json", "."]);
    run.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON: {e}\n{run}"));
    assert_eq!(doc["findings"], serde_json::json!([]), "{run}");
}

#[test]
fn explain_names_the_new_spelling() {
    let dir = tree_with(&[]);
    let run = retrace(dir.path(), &["explain", "session_id"]);
    run.expect_code(0);
    assert!(run.stdout.contains("trace_id"), "{run}");
    let run = retrace(dir.path(), &["explain", "possession"]);
    run.expect_code(0);
    assert!(!run.stdout.contains("posstrace"), "{run}");
}

/// Next.js route folders are public URLs: reviewed by default; moved with `[where] routes = true`,
/// and then the redirects the old URLs need are listed.
#[test]
fn route_folders_move_only_when_the_rules_opt_in() {
    let tree = support::tree_with(&[(
        "app/sessions/[id]/page.tsx",
        b"export default function Page() {\n  return null;\n}\n",
    )]);
    let default = retrace(tree.path(), &["diff", "."]);
    default.expect_code(0);
    assert!(!default.stdout.contains("rename from"), "{default}");
    assert!(default.stderr.contains("review path `sessions` -> `traces`"), "{default}");
    support::write_file(tree.path(), "rules.toml", b"extends = \"builtin\"\n\n[where]\nroutes = true\n");
    let opted = retrace(tree.path(), &["diff", ".", "--rules", "rules.toml"]);
    opted.expect_code(0);
    assert!(opted.stdout.contains("rename to app/traces/[id]/page.tsx"), "{opted}");
    assert!(opted.stderr.contains("redirect needed: /sessions -> /traces"), "{opted}");
}

/// `migrate` prints the forward migration, or writes it and its rollback with --out; a missing
/// schema folder is an input error.
#[test]
fn migrate_prints_or_writes_the_forward_migration_and_rollback() {
    let schema = support::repo_root().join("fixtures/migrate/supabase/migrations");
    let schema = schema.to_str().unwrap();
    let out = support::tempdir();
    let printed = retrace(out.path(), &["migrate", "--schema", schema]);
    printed.expect_code(0);
    assert!(printed.stdout.contains("alter table public.sessions rename to traces;"), "{printed}");
    assert!(printed.stderr.contains(": skipped: "), "skipped statements are listed with their place\n{printed}");
    let written = retrace(out.path(), &["migrate", "--schema", schema, "--strategy", "copy", "--out", "m"]);
    written.expect_code(0);
    let files: Vec<&str> = written.stdout.lines().collect();
    assert_eq!(files.len(), 2, "{written}");
    assert!(files[0].ends_with("_sessions_to_traces.sql") && files[1].ends_with("_sessions_to_traces.rollback.sql"), "{files:?}");
    for file in files {
        assert!(out.path().join(file).is_file(), "{file} not written");
    }
    let missing = retrace(out.path(), &["migrate", "--schema", "no/such/dir"]);
    missing.expect_code(2);
    assert!(missing.stderr.contains("no/such/dir"), "{missing}");
}

#[test]
fn the_rule_file_in_the_tree_is_neither_rewritten_nor_reported() {
    let rules = b"# What the session rename keeps.\nextends = \"builtin\"\n\n[[rename]]\nfrom = \"session_view\"\nto = \"trace_panel\"\n";
    let dir = tree_with(&[("retrace.toml", rules), ("app.py", b"session_id = 1\n")]);
    retrace(dir.path(), &["apply", ".", "--rules", "retrace.toml"]).expect_code(0);
    assert_eq!(read(dir.path(), "retrace.toml"), rules);
    assert_eq!(read_string(dir.path(), "app.py"), "trace_id = 1\n");
    retrace(dir.path(), &["check", ".", "--rules", "./retrace.toml"]).expect_code(0);
}

#[test]
fn check_lists_a_files_findings_in_the_order_they_stand() {
    // A query held in a constant is planned before the walk reaches the code above it.
    let code = "export const sessionLabel = 'x';\n\nexport async function count(client: any) {\n  \
                return client.query({ query: COUNT, query_params: { session_id: '1' } });\n}\n\n\
                const COUNT = `SELECT SessionTag FROM t WHERE id = {session_id:String}`;\n";
    let dir = tree_with(&[("app.ts", code.as_bytes())]);
    let run = retrace(dir.path(), &["check", "app.ts"]);
    run.expect_code(1);
    let places: Vec<(usize, usize)> = run
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("app.ts:"))
        .map(|rest| {
            let mut parts = rest.splitn(3, ':');
            (parts.next().unwrap().parse().unwrap(), parts.next().unwrap().parse().unwrap())
        })
        .collect();
    assert!(places.len() >= 3, "expected findings on several lines\n{run}");
    assert!(places.windows(2).all(|w| w[0] <= w[1]), "findings out of order: {places:?}\n{run}");
}

/// `check` with its output read by a pipe the test holds.
fn check_into_a_pipe(dir: &std::path::Path) -> std::process::Child {
    std::process::Command::new(support::bin())
        .args(["check", "--no-cache", "."])
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("retrace runs")
}

#[test]
fn a_pipe_on_stdout_is_widened_to_a_mebibyte() {
    use std::os::fd::AsRawFd;
    let dir = tree_with(&[("app.py", b"session_id = 1\n")]);
    let mut child = check_into_a_pipe(dir.path());
    let status = child.wait().expect("retrace ends");
    assert_eq!(status.code(), Some(1));
    let pipe = child.stdout.as_ref().expect("piped").as_raw_fd();
    // SAFETY: F_GETPIPE_SZ on a descriptor the test owns; no memory is passed.
    let size = unsafe { libc::fcntl(pipe, libc::F_GETPIPE_SZ) };
    assert_eq!(size, 1 << 20);
}

#[test]
fn a_reader_that_goes_away_ends_the_run_without_an_error_message() {
    let dir = tree_with(&[("app.py", b"session_id = 1\n")]);
    let mut child = check_into_a_pipe(dir.path());
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("retrace ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr, "");
    assert_eq!(output.status.code(), Some(2), "a run cut short is not a clean one: {stderr}");
}
