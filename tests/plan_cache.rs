//! The plan cache, through the real binary: a warm run says exactly what a cold one says, kept
//! plans (and check's kept results) are really used, and a file is planned again whenever
//! anything its plan read or its result followed has changed: the file itself, the rules, a file
//! two imports away, or a shared verdict from another file.

mod support;

use std::path::Path;

use support::{fixture_copy, retrace, tempdir, tree_with, write_file, Run};

/// `retrace ARGS` in `dir`, keeping plans in `cache`.
fn cached(dir: &Path, cache: &Path, args: &[&str]) -> Run {
    let cache = cache.to_str().unwrap();
    retrace(dir, &[args, &["--cache-dir", cache]].concat())
}

/// `retrace ARGS` in `dir`, planning everything afresh.
fn uncached(dir: &Path, args: &[&str]) -> Run {
    retrace(dir, &[args, &["--no-cache"]].concat())
}

#[track_caller]
fn assert_same(a: &Run, b: &Run) {
    assert_eq!((a.code, &a.stdout, &a.stderr), (b.code, &b.stdout, &b.stderr), "\n{a}\n\n{b}");
}

/// Every entry file of the cache, with its contents.
fn entries(cache: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    // One folder per entry format.
    let mut folders: Vec<_> = std::fs::read_dir(cache).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.parent().and_then(|p| p.file_name()).is_some_and(|n| n.len() == 2) {
                found.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn warm_runs_say_what_cold_runs_say_on_every_fixture() {
    for fixture in ["python", "typescript", "sql", "safety", "meaning", "rust"] {
        let tree = fixture_copy(fixture);
        let cache = tempdir();
        for command in ["diff", "check"] {
            let cold = uncached(tree.path(), &[command, "."]);
            let first = cached(tree.path(), cache.path(), &[command, "."]);
            let kept = entries(cache.path());
            assert!(!kept.is_empty(), "{fixture}: nothing was kept");
            let warm = cached(tree.path(), cache.path(), &[command, "."]);
            assert_same(&cold, &first);
            assert_same(&cold, &warm);
            assert_eq!(entries(cache.path()), kept, "{fixture}: the warm `{command}` planned a file again");
        }
    }
}

#[test]
fn a_warm_run_uses_the_kept_plans() {
    let tree = tree_with(&[("app.py", b"def start(session_id):\n    return session_id\n")]);
    let cache = tempdir();
    cached(tree.path(), cache.path(), &["diff", "."]).expect_code(0);
    // Rewrite what the kept plan says (same length, so the entry stays well formed): a run that
    // uses it must say so.
    let kept = entries(cache.path());
    assert!(!kept.is_empty());
    for (path, mut bytes) in kept {
        for at in 0..bytes.len().saturating_sub(7) {
            if &bytes[at..at + 8] == b"trace_id" {
                bytes[at..at + 8].copy_from_slice(b"TRACE_ID");
            }
        }
        std::fs::write(path, bytes).unwrap();
    }
    let warm = cached(tree.path(), cache.path(), &["diff", "."]);
    assert!(warm.stdout.contains("+def start(TRACE_ID):"), "{warm}");
    assert!(uncached(tree.path(), &["diff", "."]).stdout.contains("+def start(trace_id):"));
}

#[test]
fn damaged_entries_are_planned_again() {
    let tree = fixture_copy("python");
    let cache = tempdir();
    let cold = uncached(tree.path(), &["diff", "."]);
    cached(tree.path(), cache.path(), &["diff", "."]);
    for (i, (path, bytes)) in entries(cache.path()).into_iter().enumerate() {
        let damaged = if i % 2 == 0 { bytes[..bytes.len() / 2].to_vec() } else { b"not an entry".to_vec() };
        std::fs::write(path, damaged).unwrap();
    }
    assert_same(&cold, &cached(tree.path(), cache.path(), &["diff", "."]));
}

/// Run `diff` and `check` warm after `change`, and check each says what a cold run says, which
/// differs from what it said before the change.
#[track_caller]
fn assert_change_is_seen(tree: &Path, change: impl Fn(&Path)) {
    assert_change_is_seen_by(tree, &["diff", "."], &change);
    assert_change_is_seen_by(tree, &["check", "."], &change);
}

/// Run `args` warm after `change` (on a copy of `tree`), and check it says what a cold run says,
/// which differs from what it said before the change.
#[track_caller]
fn assert_change_is_seen_by(tree: &Path, args: &[&str], change: impl FnOnce(&Path)) {
    let copy = tempdir();
    support::copy_tree(tree, copy.path());
    let (tree, cache) = (copy.path(), tempdir());
    let before = cached(tree, cache.path(), args);
    assert_same(&before, &cached(tree, cache.path(), args));
    change(tree);
    let warm = cached(tree, cache.path(), args);
    assert_same(&uncached(tree, args), &warm);
    assert_ne!(before.stdout, warm.stdout, "the change should change the output of {args:?}");
}

#[test]
fn a_python_module_two_imports_away_is_read_again() {
    let tree = tree_with(&[
        ("app/__init__.py", b""),
        ("app/api.py", b"from app.db import Session\n\ndef open_session():\n    return Session()\n"),
        ("app/db.py", b"from app.base import Session\n"),
        ("app/base.py", b"from sqlalchemy.orm import Session\n"),
    ]);
    // `app.api` keeps SQLAlchemy's Session until `app.base` defines its own.
    assert_change_is_seen(tree.path(), |root| write_file(root, "app/base.py", b"class Session:\n    pass\n"));
}

#[test]
fn a_moving_file_that_comes_to_parse_is_moved_again() {
    // Discovery parses the files that move in two halves; `session_b.py` is in the second.
    let tree = tree_with(&[("session_a.py", b"session_id = 1\n"), ("session_b.py", b"session_id = 1\ndef (:\n"), ("uses.py", b"import session_b\n")]);
    assert_change_is_seen(tree.path(), |root| write_file(root, "session_b.py", b"session_id = 1\n"));
}

#[test]
fn a_python_module_that_appears_nearer_the_importer_is_resolved_again() {
    let uses = b"from app.db import Client\n\ndef load():\n    return Client().session_id\n";
    let tree = tree_with(&[
        ("app/__init__.py", b""),
        ("app/db.py", b"from aiohttp import ClientSession as Client\n"),
        ("lib/__init__.py", b""),
        ("lib/models.py", b"class Client:\n    pass\n"),
        ("svc/api/routes.py", uses),
        ("svc/worker.py", uses),
        ("svc/app/__init__.py", b""),
    ]);
    // Both importers find `app.db` at the top, through the folders above them, and keep the
    // names of aiohttp's session until `svc` holds an `app.db` that brings the project's own
    // Client. The new file names no term and `svc/app` is a package from the start (the
    // project's packages stay the same): nothing but the resolution tells.
    assert_change_is_seen(tree.path(), |root| write_file(root, "svc/app/db.py", b"from lib.models import Client\n"));
}

const LOAD_TS: &[u8] = b"import { store } from './lib/mid';\nexport async function load() {\n  const { data: { session } } = await store.auth.getSession();\n  return session;\n}\n";
const FOREIGN_CLIENT: &[u8] = b"import { createClient } from '@supabase/supabase-js';\nexport const db = createClient('u', 'k');\n";

#[test]
fn a_typescript_value_two_imports_away_is_read_again() {
    let tree = tree_with(&[
        ("src/load.ts", LOAD_TS),
        ("src/lib/mid.ts", b"import { db } from './client';\nexport const store = db;\n"),
        ("src/lib/client.ts", FOREIGN_CLIENT),
    ]);
    // `store` holds Supabase's client, whose session API keeps its names, until `client.ts`
    // makes its own.
    let own = b"function createClient(a: string, b: string) {\n  return { auth: { getSession: async () => ({ data: { session: a + b } }) } };\n}\nexport const db = createClient('u', 'k');\n";
    assert_change_is_seen(tree.path(), |root| write_file(root, "src/lib/client.ts", own));
}

#[test]
fn a_typescript_module_that_appears_is_resolved_again() {
    let tree = tree_with(&[
        ("src/load.ts", LOAD_TS),
        ("src/lib/mid.ts", b"import { db } from './client';\nexport const store = db;\n"),
    ]);
    // Until `client.ts` exists, `store` is nobody's: its session API is renamed.
    assert_change_is_seen(tree.path(), |root| write_file(root, "src/lib/client.ts", FOREIGN_CLIENT));
}

#[test]
fn a_typescript_module_that_appears_in_a_missing_folder_is_resolved_again_for_every_importer() {
    let other = b"import { store } from './lib/mid';\nexport async function drop() {\n  const { data: { session } } = await store.auth.getSession();\n  return session;\n}\n";
    let tree = tree_with(&[("src/load.ts", LOAD_TS), ("src/drop.ts", other)]);
    // The run is told once that `src/lib` is missing; each importer's plan depends on that look.
    assert_change_is_seen(tree.path(), |root| {
        write_file(root, "src/lib/mid.ts", b"import { db } from './client';\nexport const store = db;\n");
        write_file(root, "src/lib/client.ts", FOREIGN_CLIENT);
    });
}

#[test]
fn other_rules_plan_again() {
    let tree = tree_with(&[
        ("app.py", b"def start(session_id):\n    return session_id\n"),
        ("retrace.toml", b"extends = \"builtin\"\n"),
    ]);
    assert_change_is_seen_by(tree.path(), &["diff", ".", "--rules", "retrace.toml"], |root| {
        write_file(root, "retrace.toml", b"extends = \"builtin\"\n[keep]\nnames = [\"session_id\"]\n");
    });
}

#[test]
fn a_verdict_shared_from_a_file_never_read_is_asked_again() {
    let tree = tree_with(&[
        ("src/row.ts", b"export interface Row {\n  sessionId: string;\n}\n"),
        ("src/id.ts", b"import { Row } from './row';\nexport function id(r: Row) {\n  return { sessionId: r.sessionId };\n}\n"),
        ("src/legacy/row.ts", b"export interface Row {\n  sessionId: string;\n  traceId: string;\n}\n"),
    ]);
    // Shared verdicts go by owner name: while a `Row` elsewhere must keep `sessionId`, the key
    // built in `id.ts` follows it, though `id.ts` never reads that file.
    assert_change_is_seen(tree.path(), |root| {
        write_file(root, "src/legacy/row.ts", b"export interface Row {\n  sessionId: string;\n}\n");
    });
}

#[test]
fn a_verdict_followed_from_another_file_is_asked_again() {
    let tree = tree_with(&[
        ("app/__init__.py", b""),
        ("app/client.py", b"class Client:\n    def start(self, session_id, trace_id):\n        return session_id, trace_id\n"),
        ("app/use.py", b"def run(client):\n    return client.start(session_id=1)\n"),
    ]);
    // The parameter must stay in `client.py`, where `trace_id` is taken, so the keyword passed to
    // `start` in `use.py` stays too, though `use.py` never reads `client.py`; once `trace_id` is
    // gone both are renamed. `use.py` itself never changes.
    let without_trace_id = b"class Client:\n    def start(self, session_id):\n        return session_id\n";
    assert_change_is_seen(tree.path(), |root| write_file(root, "app/client.py", without_trace_id));
}

/// Tamper with kept report lines (only those hold "-> `trace_id`": a plan holds the bare name)
/// without changing their length; how many were changed.
fn shout_the_new_name(bytes: &mut [u8]) -> usize {
    let (from, to) = (b"-> `trace_id`", b"-> `TRACE_ID`");
    let mut tampered = 0;
    for at in 0..bytes.len().saturating_sub(from.len() - 1) {
        if bytes[at..].starts_with(from) {
            bytes[at..at + to.len()].copy_from_slice(to);
            tampered += 1;
        }
    }
    tampered
}

/// A first check of `tree`, keeping its results in `cache`, then every kept report line tampered
/// with ([`shout_the_new_name`]): a later run that prints them used them.
fn check_and_shout_the_new_name(tree: &Path, cache: &Path) {
    cached(tree, cache, &["check", "."]).expect_code(1);
    let mut tampered = 0;
    for (path, mut bytes) in entries(cache) {
        tampered += shout_the_new_name(&mut bytes);
        std::fs::write(path, bytes).unwrap();
    }
    assert!(tampered > 0, "no kept report line");
}

#[test]
fn a_warm_check_uses_the_kept_results() {
    let tree = tree_with(&[("app.py", b"def start(session_id):\n    return session_id\n")]);
    let cache = tempdir();
    check_and_shout_the_new_name(tree.path(), cache.path());
    let warm = cached(tree.path(), cache.path(), &["check", "."]);
    assert!(warm.stdout.contains("-> `TRACE_ID`"), "{warm}");
    // Another output format is another result.
    let github = cached(tree.path(), cache.path(), &["check", ".", "--format", "github"]);
    assert_same(&uncached(tree.path(), &["check", ".", "--format", "github"]), &github);
}

#[test]
fn a_warm_check_of_many_files_reads_their_results_from_one_pack() {
    let files: Vec<(String, &[u8])> =
        (0..40).map(|i| (format!("app/m{i}.py"), &b"def start(session_id):\n    return session_id\n"[..])).collect();
    let tree = tree_with(&files.iter().map(|(p, b)| (p.as_str(), *b)).collect::<Vec<_>>());
    let cache = tempdir();
    let cold = cached(tree.path(), cache.path(), &["check", "."]);
    cold.expect_code(1);
    // At the end of the run the results are packed: their own files are gone.
    let loose = entries(cache.path()).into_iter().filter(|(_, bytes)| bytes.windows(13).any(|w| w == b"-> `trace_id`")).count();
    assert_eq!(loose, 0, "results left in files of their own");
    let generations = std::fs::read_dir(beside_generations(cache.path(), ".")).unwrap().map(|e| e.unwrap().path());
    let pack = generations.map(|g| g.join("results")).find(|p| p.is_file()).expect("a generation with a pack");
    let bytes = std::fs::read(&pack).unwrap();
    let mut tampered = bytes.clone();
    let lines = cold.stdout.matches("-> `trace_id`").count();
    assert_eq!(shout_the_new_name(&mut tampered), lines, "each report line is in the pack");
    std::fs::write(&pack, &tampered).unwrap();
    let warm = cached(tree.path(), cache.path(), &["check", "."]);
    assert_eq!(warm.stdout.matches("-> `TRACE_ID`").count(), lines, "{warm}");
    std::fs::write(&pack, &bytes).unwrap();
    assert_same(&uncached(tree.path(), &["check", "."]), &cached(tree.path(), cache.path(), &["check", "."]));
}

#[test]
fn a_file_added_at_the_top_of_the_tree_leaves_kept_resolutions_as_they_were() {
    let tree = tree_with(&[
        // Whether `api.session` is a foreign member depends on what `./store` exports.
        ("web/app/page.ts", b"import { api } from './store';\nexport const session_id = 2;\nexport const shown = api.session;\n"),
        ("web/app/store.ts", b"import axios from 'axios';\nexport const api = axios.create();\n"),
    ]);
    let cache = tempdir();
    check_and_shout_the_new_name(tree.path(), cache.path());
    // Resolving `./store` asks whether `web` and `web/app` exist, not what else the top holds.
    write_file(tree.path(), "NOTES.md", b"unrelated\n");
    std::fs::create_dir(tree.path().join("docs")).unwrap();
    let warm = cached(tree.path(), cache.path(), &["check", "."]);
    assert!(warm.stdout.contains("-> `TRACE_ID`"), "the kept reports were not used: {warm}");
    // A folder the resolution goes through is another matter.
    std::fs::rename(tree.path().join("web"), tree.path().join("site")).unwrap();
    let moved = cached(tree.path(), cache.path(), &["check", "."]);
    assert_same(&uncached(tree.path(), &["check", "."]), &moved);
}

/// The folder `name` in `cache`'s one entry format, beside its generations.
fn beside_generations(cache: &Path, name: &str) -> std::path::PathBuf {
    std::fs::read_dir(cache).unwrap().map(|e| e.unwrap().path()).find(|p| p.is_dir()).unwrap().join(name)
}

/// The kept projects of `cache` (one per state of the walked paths).
fn kept_projects(cache: &Path) -> Vec<std::path::PathBuf> {
    let folder = beside_generations(cache, "projects");
    std::fs::read_dir(folder).map(|entries| entries.map(|e| e.unwrap().path()).collect()).unwrap_or_default()
}

#[test]
fn a_warm_run_uses_the_kept_project() {
    let tree = tree_with(&[("app/session_store.py", b"def open_session():\n    return 1\n")]);
    let cache = tempdir();
    cached(tree.path(), cache.path(), &["diff", "."]).expect_code(0);
    let projects = kept_projects(cache.path());
    assert_eq!(projects.len(), 1, "{projects:?}");
    // Where the file moves is the project's word, not the plan's: a run that uses the kept
    // project moves it where the project now says.
    let mut bytes = std::fs::read(&projects[0]).unwrap();
    let (from, to) = (b"trace_store.py", b"TRACE_store.py");
    let at: Vec<usize> = (0..bytes.len()).filter(|&at| bytes[at..].starts_with(from)).collect();
    assert!(!at.is_empty(), "the kept project names no move");
    for at in at {
        bytes[at..at + to.len()].copy_from_slice(to);
    }
    std::fs::write(&projects[0], bytes).unwrap();
    let warm = cached(tree.path(), cache.path(), &["diff", "."]);
    assert!(warm.stdout.contains("rename to app/TRACE_store.py"), "{warm}");
    assert!(uncached(tree.path(), &["diff", "."]).stdout.contains("rename to app/trace_store.py"));
}

#[test]
fn a_path_taken_where_the_walk_does_not_look_is_seen_again() {
    let tree = tree_with(&[
        (".gitignore", b"app/trace_store.py\n"),
        ("app/session_store.py", b"def open_session():\n    return 1\n"),
    ]);
    // The walked paths stay the same, but the move's target now exists: it is refused.
    assert_change_is_seen(tree.path(), |root| write_file(root, "app/trace_store.py", b"x = 1\n"));
}

#[test]
fn a_tsconfig_that_changes_is_read_again() {
    let tree = tree_with(&[
        ("tsconfig.json", br#"{ "compilerOptions": { "paths": { "@app/*": ["./src/*"] } } }"#),
        ("src/components/view.ts", b"export const SessionView = 1;\n"),
        ("src/app.ts", b"import { SessionView } from '@app/components/view';\nexport const shown = SessionView;\n"),
    ]);
    // Without the alias, `@app/components/view` is someone else's package, whose names stay.
    assert_change_is_seen(tree.path(), |root| {
        write_file(root, "tsconfig.json", br#"{ "compilerOptions": { "paths": { "@lib/*": ["./src/*"] } } }"#);
    });
}

#[test]
fn a_cache_that_cannot_be_opened_is_a_warning_not_a_failure() {
    let tree = tree_with(&[("app.py", b"def start(session_id):\n    return session_id\n"), ("not-a-folder", b"")]);
    let run = cached(tree.path(), &tree.path().join("not-a-folder"), &["check", "."]);
    let cold = uncached(tree.path(), &["check", "."]);
    assert_eq!((run.code, &run.stdout), (cold.code, &cold.stdout), "{run}");
    assert!(run.stderr.starts_with("warning: plan cache disabled: "), "{run}");
    assert!(run.stderr.ends_with(&cold.stderr), "{run}");
}

#[test]
fn only_a_cache_folder_made_by_retrace_is_marked_as_one() {
    let tree = tree_with(&[("app.py", b"def start(session_id):\n    return session_id\n")]);
    // Pointed at the repository itself, the cache must not write a `.gitignore` of `*` there,
    // and its entries, which quote the term, are not the project's files.
    let first = cached(tree.path(), tree.path(), &["check", "."]);
    first.expect_code(1);
    assert!(!tree.path().join(".gitignore").exists());
    assert!(!tree.path().join("CACHEDIR.TAG").exists());
    assert!(!entries(tree.path()).is_empty());
    assert_same(&first, &cached(tree.path(), tree.path(), &["check", "."]));
    let fresh = tempdir();
    let made = fresh.path().join("made");
    cached(tree.path(), &made, &["check", "."]).expect_code(1);
    assert_eq!(std::fs::read(made.join(".gitignore")).unwrap(), b"*\n");
    assert!(std::fs::read_to_string(made.join("CACHEDIR.TAG")).unwrap().starts_with("Signature: 8a477f597d28d172789f06886806bc55"));
}

/// The stamps a run kept of the files it walked: one file of records.
fn kept_stamps(cache: &Path) -> std::path::PathBuf {
    let folder = beside_generations(cache, "stamps");
    let files: Vec<_> = std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

/// A tree whose files were last changed long enough ago for a run to keep their stamps.
fn settled_tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let tree = tree_with(files);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    tree
}

#[test]
fn a_warm_run_takes_an_unchanged_file_from_its_stamp() {
    let tree = settled_tree(&[("app/quiet.py", b"value = 1\n"), ("app/loud.py", b"session = 1\n")]);
    let cache = tempdir();
    let cold = cached(tree.path(), cache.path(), &["check", "."]);
    cold.expect_code(1);
    let stamps = kept_stamps(cache.path());
    let records = std::fs::read(&stamps).unwrap();
    assert_eq!(records.len() % 2, 0);
    // Each record's flags (past the path's hash and five stamp fields) say the file mentions a
    // term; cleared, the warm run believes no file does, and reads none.
    let size = records.len() / 2;
    let mut cleared = records.clone();
    for record in cleared.chunks_exact_mut(size) {
        record[48] = 0;
    }
    std::fs::write(&stamps, &cleared).unwrap();
    let warm = cached(tree.path(), cache.path(), &["check", "."]);
    warm.expect_code(0);
    assert!(!warm.stdout.contains("loud.py"), "{warm}");
    std::fs::write(&stamps, &records).unwrap();
    assert_same(&cold, &cached(tree.path(), cache.path(), &["check", "."]));
}

#[test]
fn a_file_rewritten_to_the_same_size_and_time_is_read_again() {
    let tree = settled_tree(&[("app/quiet.py", b"value = 1\n"), ("app/loud.py", b"session = 1\n")]);
    let cache = tempdir();
    cached(tree.path(), cache.path(), &["check", "."]).expect_code(1);
    let quiet = tree.path().join("app/quiet.py");
    let modified = std::fs::metadata(&quiet).unwrap().modified().unwrap();
    write_file(tree.path(), "app/quiet.py", b"session=1\n");
    std::fs::File::options().write(true).open(&quiet).unwrap().set_modified(modified).unwrap();
    let warm = cached(tree.path(), cache.path(), &["check", "."]);
    assert!(warm.stdout.contains("quiet.py"), "{warm}");
    assert_same(&uncached(tree.path(), &["check", "."]), &warm);
}

#[test]
fn a_limit_lowered_between_runs_is_kept_to() {
    // Settled, so that a run with a higher limit keeps its stamps and what its sieve read.
    let big = format!("{}session_id = 2\n", "x = 1\n".repeat(400));
    // A marker but no term: worth planning within the limit, not news past it.
    let marked = format!("{}# retrace: allow\n", "x = 1\n".repeat(400));
    // Its plan, kept by the higher limit's run, must now follow big.py, which is not planned.
    let uses_big = b"from big import session_id\nprint(session_id)\n";
    let tree = settled_tree(&[("app.py", b"session_id = 1\n"), ("big.py", big.as_bytes()), ("marked.py", marked.as_bytes()), ("uses_big.py", uses_big)]);
    let cache = tempdir();
    cached(tree.path(), cache.path(), &["check", "--max-filesize", "4K", "."]).expect_code(1);
    assert!(std::fs::metadata(kept_stamps(cache.path())).unwrap().len() > 0, "the higher limit's stamps are kept");
    let lowered = cached(tree.path(), cache.path(), &["check", "--max-filesize", "1K", "."]);
    lowered.expect_code(2);
    assert!(lowered.stderr.contains("big.py:1:1: error: too large to plan"), "{lowered}");
    assert!(!lowered.stderr.contains("marked.py"), "a large file with no term is not news\n{lowered}");
    assert!(lowered.stdout.contains("uses_big.py:1:17: conflict identifier `session_id`"), "{lowered}");
    assert_same(&uncached(tree.path(), &["check", "--max-filesize", "1K", "."]), &lowered);
}
