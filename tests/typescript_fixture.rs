//! End to end on `fixtures/typescript` (a miniature Next.js-style dashboard whose packages are
//! stood in for by a local `.d.ts`), through the real binary and the built-in rules:
//! it type-checks before (`tsc --noEmit -p .`); `retrace diff` is a real patch and is
//! snapshot-tested; `retrace apply` writes exactly that patch, moves `components/sessions/` and
//! the files named after the term with every relative and `@/` import following, keeps what
//! belongs to next-auth, Supabase and the browser, and reports the one deliberate conflict
//! (`LegacyExportRow` in src/lib/legacy.ts has both `sessionId` and `traceId`); it type-checks
//! after; `retrace check` lists only that conflict; a second apply changes nothing; with shims,
//! code that still uses the old exported names type-checks too.

mod support;

use support::{
    assert_trees_equal, assert_type_checks, fixture_copy, occurrences, parse_location, read_string, retrace, FixtureRun,
    Tree,
};
use tempfile::TempDir;

const FIXTURE: &str = "typescript";
/// The file holding the deliberate conflict.
const CONFLICT_FILE: &str = "src/lib/legacy.ts";

const RUN: FixtureRun = FixtureRun { name: FIXTURE, args: &["."], apply_exit: 1 };

fn diff_of_fresh_copy() -> (TempDir, String) {
    RUN.diff_of_fresh_copy()
}

fn applied_copy() -> TempDir {
    RUN.applied_copy()
}

#[test]
fn fixture_type_checks_as_written() {
    assert_type_checks(fixture_copy(FIXTURE).path());
}

#[test]
fn diff_snapshot() {
    let (_dir, diff) = diff_of_fresh_copy();
    insta::assert_snapshot!("typescript_fixture_diff", diff);
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
fn type_checks_after_apply() {
    assert_type_checks(applied_copy().path());
}

#[test]
fn apply_moves_files_and_keeps_foreign_sessions() {
    let dir = applied_copy();
    let tree = Tree::of(dir.path());
    for gone in ["src/components/sessions", "src/components/SessionList.tsx", "src/lib/db/sessions.ts"] {
        assert!(!tree.contains(gone), "{gone} is still there after apply:\n{tree:?}");
    }
    for moved in [
        "src/components/traces/TraceDrawer.tsx",
        "src/components/traces/TraceRow.tsx",
        "src/components/traces/index.ts",
        "src/components/TraceList.tsx",
        "src/lib/db/traces.ts",
    ] {
        assert!(tree.contains(moved), "{moved} is missing after apply:\n{tree:?}");
    }

    let list = read_string(dir.path(), "src/components/TraceList.tsx");
    for expected in [
        "import { useSession } from 'next-auth/react';",
        "const { data: session } = useSession();",
        "if (!session) {",
        "import { TraceDrawer } from '@/components/traces/TraceDrawer';",
        "import { TraceRow } from './traces/TraceRow';",
        "import { getTraces } from '@/lib/db/traces';",
        "const [traces, setTraces] = useState<ITraceAndStats[]>([]);",
        "<TraceDrawer traceId={selectedTraceId}",
    ] {
        assert!(list.contains(expected), "TraceList.tsx lacks `{expected}`:\n{list}");
    }
    let storage = read_string(dir.path(), "src/lib/storage.ts");
    assert!(storage.starts_with('\u{feff}') && storage.contains("\r\n"), "storage.ts lost its BOM or CRLF");
    for kept in ["sessionStorage.setItem(", "window.sessionStorage.getItem(", "the browser's sessionStorage keeps"] {
        assert!(storage.contains(kept), "storage.ts lost `{kept}`:\n{storage}");
    }
    let auth = read_string(dir.path(), "src/lib/auth.ts");
    for kept in [
        "import type { Session } from '@supabase/supabase-js';",
        "const { data: { session } } = await supabase.auth.getSession();",
        "const session: Session | null = await currentAuthSession();",
    ] {
        assert!(auth.contains(kept), "auth.ts lost `{kept}`:\n{auth}");
    }
    let db = read_string(dir.path(), "src/lib/db/traces.ts");
    for renamed in [
        ".from<ITraceAndStats>('traces')",
        ".select('id, trace_id, project_id, started_at, event_count')",
        ".eq('trace_id', traceId)",
        "supabase.rpc<number>('get_trace_stats'",
        "export async function getTraceById(",
    ] {
        assert!(db.contains(renamed), "db/traces.ts lacks `{renamed}`:\n{db}");
    }
    let types = read_string(dir.path(), "src/types/index.ts");
    for renamed in ["export interface ITraceAndStats {", "export interface IExtendedTrace extends ITraceAndStats {"] {
        assert!(types.contains(renamed), "types/index.ts lacks `{renamed}`:\n{types}");
    }
    let vendor = read_string(dir.path(), "src/vendor.d.ts");
    assert_eq!(vendor, read_string(&support::fixture_dir(FIXTURE), "src/vendor.d.ts"), "package declarations changed");
}

#[test]
fn check_after_apply_lists_only_the_deliberate_conflict() {
    let dir = applied_copy();
    let run = retrace(dir.path(), &["check", "."]);
    run.expect_code(1);
    let mut listed = Vec::new();
    // Each finding line may be followed by an indented excerpt of its source line.
    for line in run.stdout.lines().filter(|l| !l.starts_with(char::is_whitespace)) {
        let (path, line_no, col, rest) =
            parse_location(line).unwrap_or_else(|| panic!("not a `path:line:col: ...` line: {line:?}\n{run}"));
        assert_eq!(path, CONFLICT_FILE, "check lists an occurrence outside the deliberate conflict: {line}\n{run}");
        assert!(rest.starts_with("conflict "), "check lists something other than a conflict: {line}\n{run}");
        listed.push((line_no, col));
    }
    let remaining = occurrences(&read_string(dir.path(), CONFLICT_FILE), "sessionId");
    assert_eq!(listed, remaining, "check should list exactly the `sessionId`s left in {CONFLICT_FILE}\n{run}");
    insta::assert_snapshot!("typescript_fixture_check_after_apply", run.stdout);
}

#[test]
fn second_apply_changes_nothing() {
    RUN.assert_second_apply_changes_nothing();
}

/// Old exported names, still used by code outside the project, keep type-checking with shims.
#[test]
fn shims_keep_old_exported_names_working() {
    let dir = fixture_copy(FIXTURE);
    retrace(dir.path(), &["apply", "--shims", "."]).expect_code(1);
    // The aliases sit in a `retrace: off` region: a second run adds nothing, and check lists only
    // the deliberate conflict, as without shims.
    let once = Tree::of(dir.path());
    retrace(dir.path(), &["apply", "--shims", "."]).expect_code(1);
    assert_trees_equal(&once, &Tree::of(dir.path()), "tree after the first vs the second apply --shims");
    let check = retrace(dir.path(), &["check", "."]);
    let listed: Vec<&str> = check.stdout.lines().filter(|l| !l.starts_with("    ")).collect();
    assert!(!listed.is_empty() && listed.iter().all(|l| l.starts_with(CONFLICT_FILE)), "{check}");
    let types = read_string(dir.path(), "src/types/index.ts");
    assert!(
        types.contains("/** @deprecated Use ITraceAndStats. */\nexport type ISessionAndStats = ITraceAndStats;"),
        "{types}"
    );
    let db = read_string(dir.path(), "src/lib/db/traces.ts");
    assert!(db.contains("/** @deprecated Use getTraces. */\nexport const getSessions = getTraces;"), "{db}");
    support::write_file(
        dir.path(),
        "src/legacy-caller.ts",
        b"import type { IExtendedSession, ISessionAndStats } from '@/types';\n\
          import { getSessionById, getSessions } from '@/lib/db/traces';\n\n\
          export async function oldCaller(): Promise<[ISessionAndStats[], IExtendedSession | null]> {\n\
          \x20 return [await getSessions('demo'), await getSessionById('first')];\n}\n",
    );
    assert_type_checks(dir.path());
}
