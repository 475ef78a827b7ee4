use std::path::{Path, PathBuf};

use super::TypeScript;
use crate::lang::rendered::{render_plan, rewrite};
use crate::lang::{Context, ParseError, Rewriter};
use crate::plan::{FilePlan, Verdict};
use crate::project::{Project, TsAlias};
use crate::rules::RuleSet;

/// A planned file: `src/app/page.tsx` is read with the TSX grammar.
fn plan_at(path: &str, text: &str, rules: &RuleSet, project: &Project) -> Result<FilePlan, ParseError> {
    let cx = Context { rules, project, path: Path::new(path) };
    let tsx = path.ends_with(".tsx") || path.ends_with(".jsx");
    TypeScript { tsx }.plan(text, &cx)
}

fn plan(path: &str, text: &str) -> FilePlan {
    plan_at(path, text, &RuleSet::builtin(), &Project::default()).expect("test input parses")
}


/// The built-in rules with `toml` over them.
fn builtin_and(toml: &str) -> RuleSet {
    RuleSet::parse("t.toml", &format!("extends = \"builtin\"\n{toml}")).expect("a valid rule file")
}

fn render(path: &str, text: &str) -> String {
    render_plan(text, &plan(path, text))
}

#[test]
fn declarations_and_uses() {
    let text = r#"/** Sessions with their stats. */
export interface ISessionAndStats extends IBase<SessionKind> {
  sessionId: string;
  'session-label'?: string;
  getSession(id: string): ISessionAndStats;
}
export type IExtendedSession = ISessionAndStats & { sessionCount: number };
export enum SessionKind { Live, SessionEnded = 'session_ended' }
export class SessionStore<TSession> {
  private sessions: TSession[] = [];
  #lastSession?: TSession;
  add(session: TSession) { this.sessions.push(session); this.#lastSession = session; }
}
// Count every session.
export function countSessions(sessions: ISessionAndStats[]): number {
  let sessionTotal = 0;
  for (const session of sessions) { sessionTotal += session.sessionCount ?? 0; }
  outerSession: for (;;) { break outerSession; }
  return sessionTotal;
}
const byId = { sessionId: 1, 'session_id': 2, [`${'x'}`]: 3 };
console.log(byId['sessionId'], byId.session_id);
"#;
    insta::assert_snapshot!(render("src/types/index.ts", text));
}

#[test]
fn foreign_names_and_values_are_kept() {
    let text = r#"import { useSession } from 'next-auth/react';
import { createClient, type Session } from '@supabase/supabase-js';
import { supabase } from '@supabase/client';

const client = createClient('url', 'key');

export async function currentSession(): Promise<Session | null> {
  const { data: { session } } = await supabase.auth.getSession();
  const { data: other } = await client.auth.getSession();
  return session ?? other.session;
}

export function Header() {
  const { data: session } = useSession();
  const lastSession = sessionStorage.getItem('lastSessionId');
  window.sessionStorage.setItem('lastSessionId', session?.user ?? '');
  const sessionUser = session?.user;
  return [session, lastSession, sessionUser];
}

function withSession(session: Session) {
  return session.expires_at;
}
"#;
    insta::assert_snapshot!(render("src/lib/auth.ts", text));
}

#[test]
fn shorthands_are_written_out_when_their_names_part() {
    let text = r#"import { useParams } from 'next/navigation';
import { track } from 'analytics';
import { getSessions, type ISession } from './sessions';

export function fromRoute() {
  const { sessionName } = useParams();
  return sessionName;
}

export function tracked(sessionId: string) {
  track('view', { sessionId });
  return { sessionId };
}

export function kept(session: ISession) {
  const trace = 1;
  return { session, trace, getSessions };
}
"#;
    insta::assert_snapshot!(render("src/app/view.ts", text));
}

/// A project whose `src/components/sessions/` folder moves to `traces/`, with `@/` mapped to `src/`.
fn moving_project() -> Project {
    let moves = [
        ("/repo/src/components/sessions/SessionDrawer.tsx", "/repo/src/components/traces/TraceDrawer.tsx"),
        ("/repo/src/components/sessions/index.ts", "/repo/src/components/traces/index.ts"),
        ("/repo/src/lib/db/sessions.ts", "/repo/src/lib/db/traces.ts"),
        ("/repo/src/types/session.d.ts", "/repo/src/types/trace.d.ts"),
    ];
    Project {
        moves: moves.iter().map(|(from, to)| (PathBuf::from(from), PathBuf::from(to))).collect(),
        ts_aliases: vec![TsAlias { prefix: "@/".into(), target: PathBuf::from("/repo/src") }],
        ..Project::default()
    }
}

#[test]
fn imports_follow_moved_files() {
    let text = r#"import { SessionDrawer } from './sessions/SessionDrawer';
import Drawer from '@/components/sessions/SessionDrawer.tsx';
import * as sessionParts from '@/components/sessions';
import { getSessions } from '../lib/db/sessions.js';
import type { SessionShape } from '../types/session';
import { formatSession } from './session-format';
import styles from './sessions.module.css';
export { getSessionById } from '@/lib/db/sessions';
export * from '@supabase/session-helpers';
const lazy = () => import('./sessions/SessionDrawer');
const legacy = require('../lib/db/sessions');
"#;
    let plan = plan_at("/repo/src/components/List.tsx", text, &RuleSet::builtin(), &moving_project()).unwrap();
    insta::assert_snapshot!(render_plan(text, &plan));
}

/// Two repositories map `@/` each to their own `src/`; the project lists the farther one first.
#[test]
fn an_aliased_import_resolves_under_the_nearest_alias_where_it_exists() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for file in ["a/src/lib/sessions.ts", "a/src/only/sessions.ts", "b/src/lib/sessions.ts"] {
        std::fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
        std::fs::write(root.join(file), "export const x = 1;\n").unwrap();
    }
    let moves = [("a/src/lib/sessions.ts", "a/src/lib/traces.ts"), ("a/src/only/sessions.ts", "a/src/only/traces.ts")];
    let project = Project {
        moves: moves.iter().map(|(from, to)| (root.join(from), root.join(to))).collect(),
        ts_aliases: ["a", "b"].iter().map(|repo| TsAlias { prefix: "@/".into(), target: root.join(repo).join("src") }).collect(),
        ..Project::default()
    };
    let text = "import { x } from '@/lib/sessions';\nimport { y } from '@/only/sessions';\n";
    let path = root.join("b/src/view.ts");
    let plan = plan_at(path.to_str().unwrap(), text, &RuleSet::builtin(), &project).unwrap();
    let verdict_on_line = |line: usize| {
        let start = text.lines().take(line - 1).map(|l| l.len() + 1).sum::<usize>();
        let on_line = |f: &&crate::plan::Finding| f.range.start >= start && f.range.start < start + text.lines().nth(line - 1).unwrap().len();
        plan.findings.iter().find(|f| on_line(f) && &text[f.range.clone()] == "sessions").map(|f| f.verdict.clone())
    };
    // Its own repository's `lib/sessions.ts`, which does not move (the farther one does).
    assert!(matches!(verdict_on_line(1), Some(Verdict::Review { .. })), "{:?}", verdict_on_line(1));
    // Only the other repository has `only/sessions.ts`: the import follows its move.
    assert!(matches!(verdict_on_line(2), Some(Verdict::Rename { ref to }) if to == "traces"), "{:?}", verdict_on_line(2));
}

#[test]
fn a_moved_file_keeps_its_relative_imports_right() {
    let text = "import { Button } from '../Button';\nimport { SessionRow } from './SessionRow';\nimport { x } from '../sessions/SessionDrawer';\n";
    let plan = plan_at("/repo/src/components/sessions/SessionDrawer.tsx", text, &RuleSet::builtin(), &moving_project())
        .unwrap();
    insta::assert_snapshot!(render_plan(text, &plan));
}

#[test]
fn jsx_components_props_and_text() {
    let text = r#"import Link from 'next/link';
import { SessionProvider } from 'next-auth/react';
import { SessionDrawer } from './SessionDrawer';

export function SessionList({ sessions, onSessionOpen }: { sessions: string[]; onSessionOpen(id: string): void }) {
  return (
    <SessionProvider session={null}>
      <h2 className="session-title">Recent sessions</h2>
      {sessions.map((sessionId) => (
        <SessionDrawer key={sessionId} sessionId={sessionId} data-session-id={sessionId} onClose={() => onSessionOpen(sessionId)} />
      ))}
      <Link href="/sessions">All</Link>
      <a href={`/sessions/${sessions[0]}`}>First</a>
    </SessionProvider>
  );
}
"#;
    insta::assert_snapshot!(render("src/components/SessionList.tsx", text));
}

#[test]
fn query_builders_name_tables_and_columns() {
    let text = r#"import { supabase } from '@supabase/client';

export async function getSessions(projectId: string) {
  const { data, error } = await supabase
    .from<Row>('sessions')
    .select('id, session_id, stats:session_stats(count)')
    .eq('project_id', projectId)
    .order('session_started_at', { ascending: false });
  if (error) throw new Error(`Could not load sessions: ${error.message}`);
  const stats = await supabase.rpc('get_session_stats', { session_id: data[0].session_id });
  return { rows: data.map((row) => row.session_id), stats, key: `sessions/${projectId}` };
}
"#;
    insta::assert_snapshot!(render("src/lib/db/sessions.ts", text));
}

#[test]
fn clashes_are_conflicts_left_unchanged() {
    let text = r#"import { Trace } from './trace';
import { traceId as importedTraceId } from './ids';

export interface Session { id: string }
export interface ILegacyRow { sessionId: string; traceId: string }

export function load(sessionKey: string) {
  const traceKey = sessionKey.trim();
  return traceKey;
}

export function capture(session: string) {
  if (session) {
    const trace = 'inner';
    return session + trace;
  }
  return session;
}

const trace = () => 'global';
export function hide(session: string) {
  return trace() + session;
}

export function fine(sessionCount: number) {
  return sessionCount + 1;
}

const row: ILegacyRow = { sessionId: 'a', traceId: 'b' };
console.log(row.sessionId, importedTraceId, Trace);
"#;
    insta::assert_snapshot!(render("src/lib/legacy.ts", text));
}

#[test]
fn interfaces_that_would_merge_are_conflicts() {
    let text = "export interface ISession { a: string }\nexport interface ITrace { b: string }\nexport interface ISession { c: string }\n";
    insta::assert_snapshot!(render("src/types/merge.ts", text));
}

#[test]
fn ambient_package_declarations_are_kept() {
    let text = r#"declare module 'next-auth/react' {
  /** The signed-in session. */
  export interface Session { expires: string }
  export function useSession(): { data: Session | null };
}
declare module '@/types/session-extras' {
  export interface SessionExtras { sessionTag: string }
}
declare global {
  interface Window { sessionBanner?: string }
}
"#;
    // `@/` is first-party: its declarations are the project's.
    let plan = plan_at("/repo/src/vendor.d.ts", text, &RuleSet::builtin(), &moving_project()).unwrap();
    insta::assert_snapshot!(render_plan(text, &plan));
}

#[test]
fn syntax_errors_are_reported_at_their_place() {
    let rules = RuleSet::builtin();
    let project = Project::default();
    let err = plan_at("src/a.ts", "const session = {\n  id: 1,\n  é: (\n};\n", &rules, &project).unwrap_err();
    assert_eq!((err.line, err.column), (3, 3), "{err}");
    assert!(err.message.starts_with("invalid syntax"), "{err}");
    let err = plan_at("src/a.ts", "function session( {\n", &rules, &project).unwrap_err();
    assert_eq!(err.line, 1, "{err}");
    // JSX needs the TSX grammar; JavaScript files get it whatever their extension.
    assert!(plan_at("src/a.ts", "const a = <SessionView />;\n", &rules, &project).is_err());
    assert!(plan_at("src/a.js", "const a = <SessionView />;\n", &rules, &project).is_ok());
}

#[test]
fn byte_ranges_survive_crlf_and_non_ascii() {
    let text = "// Größe der Session ✓\r\nconst naïveSession = 'über session_id';\r\nexport const sessionKey = `${naïveSession}—session`;\r\n";
    insta::assert_snapshot!(render("src/i18n.ts", text));
}

#[test]
fn a_second_run_changes_nothing() {
    for (path, text) in [
        ("src/lib/auth.ts", include_str!("../../../fixtures/typescript/src/lib/auth.ts")),
        ("src/components/SessionList.tsx", include_str!("../../../fixtures/typescript/src/components/SessionList.tsx")),
    ] {
        let once = rewrite(text, &plan(path, text));
        let again = plan(path, &once);
        assert!(again.edits.is_empty(), "{path}: a second run still edits: {:?}", again.edits);
        assert!(again.findings.iter().all(|f| !matches!(f.verdict, Verdict::Rename { .. })), "{path}");
    }
}

#[test]
fn places_the_rules_do_not_rewrite_are_kept() {
    let rules = builtin_and("[where]\nidentifiers = false\nstrings = false\nprose = true\n");
    let text = "// a session\nconst sessionId = 'session_id';\nconst label = 'Session started';\n";
    let plan = plan_at("src/a.ts", text, &rules, &Project::default()).unwrap();
    insta::assert_snapshot!(render_plan(text, &plan));
}

#[test]
fn names_that_would_become_one_name_point_at_the_first_declared_other() {
    let rules = builtin_and("[[rename]]\nfrom = \"sessionTotal\"\nto = \"traceCount\"\n[[rename]]\nfrom = \"sessionSum\"\nto = \"traceCount\"\n");
    let text = "export const sessionCount = 1;\nexport const sessionTotal = 2;\nexport const sessionSum = 3;\n";
    // A scope's names are held by hash, in an order that changes from map to map.
    let rendered: Vec<String> =
        (0..8).map(|_| render_plan(text, &plan_at("src/a.ts", text, &rules, &Project::default()).unwrap())).collect();
    assert!(rendered.iter().all(|r| *r == rendered[0]), "a plan that changes between runs:\n{}", rendered.join("\n"));
    insta::assert_snapshot!(rendered[0]);
}

#[test]
fn a_word_two_packages_export_is_kept_for_the_same_one_every_time() {
    let text = "import { Session as A } from 'next-auth';\nimport { Session as B } from '@supabase/supabase-js';\n// Each Session is theirs.\nexport const x: A | B = load();\n";
    let rendered: Vec<String> = (0..8).map(|_| render("src/a.ts", text)).collect();
    assert!(rendered.iter().all(|r| *r == rendered[0]), "a plan that changes between runs:\n{}", rendered.join("\n"));
    insta::assert_snapshot!(rendered[0]);
}

#[test]
fn a_sense_word_before_the_term_keeps_it_in_text() {
    let text = "// The login session gates it; an auth-session too; the event session is ours.\nconst x = 'user session expired';\n";
    insta::assert_snapshot!(render("src/a.ts", text));
}

fn shims_of(path: &str, text: &str) -> String {
    let (rules, project) = (RuleSet::builtin(), Project::default());
    let plan = plan_at(path, text, &rules, &project).unwrap();
    let cx = Context { rules: &rules, project: &project, path: Path::new(path) };
    let edits = super::shims(text, &plan, &cx);
    let mut all = plan.edits.clone();
    all.extend(edits);
    crate::edit::apply(text, &crate::edit::normalize(text, all).unwrap())
}

#[test]
fn shims_alias_every_renamed_export() {
    let text = r#"export interface ISessionAndStats<TSession extends object = {}> { session: TSession }
export type SessionId = string;
export class SessionStore {}
export enum SessionKind { Live }
export function getSessions(): void;
export function getSessions(limit?: number): void {}
export const sessionTimeout = 30, SESSION_LIMIT = 5;
export interface ILegacy { sessionId: string; traceId: string }
function localSession() {}
export default function defaultSession() {}
"#;
    insta::assert_snapshot!(shims_of("src/types.ts", text));
}

#[test]
fn shims_in_declaration_and_javascript_files() {
    insta::assert_snapshot!(shims_of(
        "src/types/api.d.ts",
        "export declare function getSession(): void;\nexport interface ISession {}"
    ));
    let javascript = shims_of("src/lib/api.js", "export function getSession() {}\r\nexport class SessionStore {}");
    insta::assert_snapshot!(javascript);
    // A file without a final newline gets one; the shims keep the file's CRLF line endings.
    assert!(
        javascript.contains("export class TraceStore {}\r\n// retrace: off (deprecated aliases for one release)\r\n/** @deprecated Use getTrace. */\r\n"),
        "{javascript:?}"
    );
    assert!(javascript.ends_with("export const SessionStore = TraceStore;\r\n// retrace: on\r\n"), "{javascript:?}");
    assert_eq!(shims_of("src/lib/none.ts", "export const trace = 1;\n"), "export const trace = 1;\n");
}

#[test]
fn deeply_nested_code_does_not_exhaust_a_small_stack() {
    let text = format!("export const total = {}1;\n", "sessionCount + ".repeat(20_000));
    let plan = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || plan("src/deep.ts", &text).findings.len())
        .unwrap()
        .join()
        .expect("planning a deeply nested file overflows the stack");
    assert_eq!(plan, 20_000);
}

#[test]
fn values_imported_from_project_files_keep_their_foreign_origin() {
    let dir = tempfile::tempdir().unwrap();
    let client = dir.path().join("src/lib/client.ts");
    std::fs::create_dir_all(client.parent().unwrap()).unwrap();
    std::fs::write(
        &client,
        "import { createClient } from '@supabase/supabase-js';\nexport const db = createClient('u', 'k');\n",
    )
    .unwrap();
    let text = "import { db } from './lib/client';\nexport async function load() {\n  const { data: { session } } = await db.auth.getSession();\n  const sessions = await db.from('sessions').select('session_id');\n  return [session, sessions];\n}\n";
    let path = dir.path().join("src/load.ts");
    let plan = plan_at(path.to_str().unwrap(), text, &RuleSet::builtin(), &Project::default()).unwrap();
    insta::assert_snapshot!(render_plan(text, &plan));
}

#[test]
fn imports_of_a_file_whose_move_was_refused_are_conflicts() {
    let project = Project { blocked_names: ["SessionDrawer".to_owned()].into(), ..Project::default() };
    let text = "import { SessionDrawer } from './SessionDrawer';\n";
    let plan = plan_at("src/components/List.tsx", text, &RuleSet::builtin(), &project).unwrap();
    insta::assert_snapshot!(render_plan(text, &plan), @r"
    1:10 identifier rename SessionDrawer -> TraceDrawer
    1:34 import conflict SessionDrawer -> TraceDrawer (the move of the file it names was refused)
    ---
    import { TraceDrawer } from './SessionDrawer';
    ");
}

#[test]
fn aliases_without_a_tsconfig_are_still_first_party() {
    let text = "import { getSessions } from '@/lib/db/sessions';\nimport { useSession } from 'next-auth/react';\n";
    insta::assert_snapshot!(render("src/one-file.ts", text), @r"
    1:10 identifier rename getSessions -> getTraces
    1:39 import review sessions -> traces (a path alias no walked tsconfig.json maps: the file it names is not known)
    2:10 identifier keep useSession (keep list: `next-auth/react:useSession`)
    ---
    import { getTraces } from '@/lib/db/sessions';
    import { useSession } from 'next-auth/react';
    ");
}

#[test]
fn clickhouse_object_query_renames_parameter_and_query_params_key_together() {
    let text = "\
import { createClient } from '@clickhouse/client';
const clickhouse = createClient();
await clickhouse.query({
  query: 'SELECT count() FROM events WHERE session_id = {session_id:String}',
  query_params: { session_id: id },
});
";
    insta::assert_snapshot!(render("src/stats.ts", text));
}

#[test]
fn query_constant_and_the_keys_of_every_object_passing_it_are_renamed_together() {
    let text = "\
export async function count(ch: Client, id: string) {
  return ch.query({ query: COUNT_EVENTS, query_params: { session_id: id } });
}
const COUNT_EVENTS = `
  SELECT count() FROM events WHERE session_id = {session_id:String}
`;
export async function again(ch: Client, id: string) {
  return ch.query({ query: COUNT_EVENTS, query_params: { 'session_id': id } });
}
";
    insta::assert_snapshot!(render("src/stats.ts", text));
}

#[test]
fn query_constant_passed_once_without_its_key_keeps_every_key() {
    let text = "\
const COUNT_EVENTS = 'SELECT count() FROM events WHERE session_id = {session_id:String}';
export const count = (ch: Client, id: string) => ch.query({ query: COUNT_EVENTS, query_params: { session_id: id } });
export const again = (ch: Client, params: object) => ch.query({ query: COUNT_EVENTS, query_params: params });
";
    insta::assert_snapshot!(render("src/stats.ts", text));
}

#[test]
fn keys_bound_to_an_imported_query_are_review() {
    let text = "\
import { COUNT_EVENTS } from './queries';
export const count = (ch: Client, id: string) => ch.query({ query: COUNT_EVENTS, query_params: { session_id: id } });
";
    insta::assert_snapshot!(render("src/stats.ts", text));
}

#[test]
fn postgres_query_and_sql_tag_rename_tables_and_columns() {
    let text = "\
await pool.query(`select * from sessions where session_id = $1`, [id]);
const q = sql`DELETE FROM sessions WHERE id = 1`;
log('Could not open the session');
";
    insta::assert_snapshot!(render("src/db.ts", text));
}

#[test]
fn parameter_without_a_visible_key_is_review() {
    let text = "\
await ch.query({ query: 'SELECT * FROM events WHERE session_id = {session_id:String}', query_params: params });
";
    insta::assert_snapshot!(render("src/db.ts", text));
}
