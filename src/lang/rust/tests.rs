use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::Rust;
use crate::lang::rendered::{render_plan, rewrite};
use crate::lang::{Context, ParseError, Rewriter};
use crate::plan::FilePlan;
use crate::project::Project;
use crate::rules::RuleSet;

/// A project in which `src/session.rs` moves to `src/trace.rs`.
fn project() -> Project {
    let moves = BTreeMap::from([(PathBuf::from("src/session.rs"), PathBuf::from("src/trace.rs"))]);
    Project { moves, ..Project::default() }
}

fn plan_with(text: &str, rules: &RuleSet, project: &Project) -> Result<FilePlan, ParseError> {
    let cx = Context { rules, project, path: Path::new("src/lib.rs") };
    Rust.plan(text, &cx)
}

fn plan(text: &str) -> FilePlan {
    plan_with(text, &RuleSet::builtin(), &project()).expect("test input parses")
}


fn render(text: &str) -> String {
    render_plan(text, &plan(text))
}

#[test]
fn every_role() {
    let text = r#"//! Session bookkeeping.
mod session;

use crate::session::{Session, SessionId};

/// How long a session lives.
pub const SESSION_TIMEOUT: u64 = 30;

/* A store of sessions. */
#[derive(Debug)]
pub struct SessionStore {
    sessions: Vec<Session>,
    pub last_session_id: Option<SessionId>,
}

pub enum Event {
    SessionStarted { session_id: SessionId },
}

impl SessionStore {
    pub fn add_session<S: Into<Session>>(&mut self, session: S) -> usize {
        let session: Session = session.into();
        self.last_session_id = Some(session.id);
        let key = "session_id";
        let route = format!("/v2/sessions/{}", session.id);
        log(&format!("Session {} added", key), &route);
        self.sessions.push(session);
        self.sessions.len()
    }
}

type SessionMap = std::collections::HashMap<SessionId, Session>;
"#;
    insta::assert_snapshot!(render(text));
}

#[test]
fn foreign_crates_keep_their_names() {
    let text = r#"use reqwest::{Client, Session};
use reqwest::session::{SessionConfig as Config, open_session};
use crate::session::Session as OurSession;

pub struct Uploader {
    client: Client,
    session: Session,
    session_count: usize,
}

impl Uploader {
    pub fn new(client: Client) -> Uploader {
        let session = client.session(Config::default());
        let session_id = session.session_id().to_owned();
        let other_session = open_session(&client);
        let count_sessions = reqwest::session::count(&other_session);
        Uploader { client, session, session_count: count_sessions }
    }

    pub fn send(&self, session: &OurSession) -> String {
        self.session.post(&session.route(), ::reqwest::SESSION_HEADER)
    }

    pub fn http(&self) -> &Session {
        &self.session
    }
}

impl reqwest::Middleware for Uploader {
    fn on_session(&self, session_id: &str) {}
}
"#;
    insta::assert_snapshot!(render(text));
}

#[test]
fn workspace_crates_and_project_modules_are_first_party() {
    let text = "use mycrate::session::Session;
use session_store::SessionStore;
fn f() -> Session { mycrate::session::new() }
";
    let rules = RuleSet::parse("t.toml", "extends = \"builtin\"\n[project]\nfirst_party = [\"mycrate\"]\n").unwrap();
    let moves = BTreeMap::from([(PathBuf::from("src/session_store.rs"), PathBuf::from("src/trace_store.rs"))]);
    let project = Project { moves, ..Project::default() };
    insta::assert_snapshot!(render_plan(text, &plan_with(text, &rules, &project).unwrap()));
}

#[test]
fn a_foreign_glob_import_makes_undeclared_names_unsure() {
    let text = "use reqwest::*;\nstruct SessionStore;\nfn f(s: SessionStore) -> Session { open_session(s) }\n";
    insta::assert_snapshot!(render(text));
}

#[test]
fn values_of_foreign_crates_keep_their_names() {
    let text = r#"use std::sync::Arc;
use reqwest::Client;

struct Pool {
    shared: Arc<Client>,
}

fn http_client() -> Client {
    Client::new()
}

fn run(pool: &Pool, client: &Client) {
    let a = pool.shared.session();
    let b = client.session().session_id();
    let c = http_client().session();
    for session in sessions() {
        session.close();
    }
    println!("{}", client.session().session_id);
}
"#;
    insta::assert_snapshot!(render(text));
}

#[test]
fn generic_parameters_bounded_by_a_foreign_trait() {
    let text = r#"use serde::de::{self, Visitor};

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;
    fn visit_value<E>(self, value: E) -> Result<Self::Value, E> {
        Ok(Value)
    }
}

fn visit_array<'de, V>(visitor: V) -> Result<V::Value, Error>
where
    V: de::Visitor<'de>,
{
    let value = visitor.visit_value(1)?;
    Ok(value)
}

struct Value;
"#;
    let rules = RuleSet::parse("t.toml", "[[term]]\nfrom = \"value\"\nto = \"datum\"\n").unwrap();
    insta::assert_snapshot!(render_plan(text, &plan_with(text, &rules, &project()).unwrap()));
}

#[test]
fn macro_rules_transcribers_are_walked_as_code_when_they_parse() {
    let text = r#"use serde::de;

macro_rules! deserialize_value {
    ($method:ident, $($value:ident),*) => {
        fn $method<V>(self, visitor: V) -> Result<V::Value, Error>
        where
            V: de::Visitor<'de>,
        {
            let value = Value::new($($value),*);
            visitor.visit_value(value)
        }
    };
    ($value:expr) => {
        $crate::Value::from($value) + value_count!()
    };
}

struct Value;
"#;
    let rules = RuleSet::parse("t.toml", "[[term]]\nfrom = \"value\"\nto = \"datum\"\n").unwrap();
    insta::assert_snapshot!(render_plan(text, &plan_with(text, &rules, &project()).unwrap()));
}

#[test]
fn an_import_wins_over_an_item_of_an_inner_block() {
    let text = "use reqwest::Session;\nfn a() -> Session { todo!() }\nfn b() { struct Session; }\n";
    insta::assert_snapshot!(render(text));
}

#[test]
fn macros_are_read_as_tokens() {
    let text = r#"macro_rules! with_session {
    ($session:ident) => {
        let $session = $crate::session::Session::new();
    };
}

fn f(session_id: u64, client: reqwest::Client) {
    with_session!(session);
    println!("{session_id} of {} {session_id:?} {{session_id}}", session.name);
    assert_eq!(session.session_id, session_id, "session ids match");
    let remote = client.session();
    debug!(remote.session_id(), reqwest::session::VERSION, ::session_macros::x);
    vec![Session::new(), SessionStore::default()];
    let t = Vec::<u8>::session_count();
}
"#;
    insta::assert_snapshot!(render(text));
}

#[test]
fn attributes() {
    let text = r#"#[cfg(feature = "session-metrics")]
#[serde(rename = "session_id", alias = "sessionId")]
#[session_attr(kind = SessionKind::Short)]
#[deprecated = "use the session store"]
#[doc = "A session."]
#[tokio::session_test]
struct Session;
"#;
    insta::assert_snapshot!(render(text));
}

#[test]
fn comments_and_doc_comments() {
    let text = r##"//! Crate docs: sessions.
/// A session.
/** Block session doc. */
//// Not a doc: session.
/* outer /* nested session */ session */
fn f() {
    let s = "// not a session comment";
    let c = '\'';
    let r = r#"a "session" b"#;
} // trailing session
"##;
    insta::assert_snapshot!(render(text));
}

#[test]
fn raw_identifiers_stay_raw_and_keywords_become_raw() {
    let text = "fn r#session(r#type: u8) -> u8 { let r#session_id = r#type; r#session_id }\n";
    insta::assert_snapshot!(render(text));
    let rules = RuleSet::parse("t.toml", "[[term]]\nfrom = \"kind\"\nto = \"type\"\n").unwrap();
    let text = "struct S { kind: u8 }\nfn f(s: S, r#kind: u8) -> u8 { s.kind + r#kind }\nfn kind() {}\nmod kinds {}\n";
    insta::assert_snapshot!("keywords", render_plan(text, &plan_with(text, &rules, &project()).unwrap()));
}

#[test]
fn clashes_in_one_scope_are_conflicts() {
    let text = r#"pub struct Session;
pub struct Trace;

pub struct Span {
    pub session_id: u64,
    pub trace_id: u64,
}

pub fn link(session_id: u64, trace_id: u64) -> u64 {
    let session = session_id + trace_id;
    session
}

pub fn capture(session: u64) -> u64 {
    trace(session)
}

pub fn fine(session: &Span) -> u64 {
    session.session_id
}

fn trace(x: u64) -> u64 { x }
"#;
    insta::assert_snapshot!(render(text));
}

#[test]
fn two_names_onto_one() {
    let rules = r#"extends = "builtin"
[[rename]]
from = "SessionKind"
to = "TraceKind"
[[rename]]
from = "SessionType"
to = "TraceKind"
"#;
    let rules = RuleSet::parse("t.toml", rules).unwrap();
    let text = "enum SessionKind {}\nenum SessionType {}\n";
    insta::assert_snapshot!(render_plan(text, &plan_with(text, &rules, &project()).unwrap()));
}

#[test]
fn module_declarations_follow_their_files() {
    let text = r#"mod session;
mod sessions;
#[path = "x.rs"]
mod session_store;
mod session_blocked;
mod inline_session {}
pub use session::Session;
use sessions::All;
use crate::session_blocked::Thing;
fn f() { session_blocked::g(); }
"#;
    let mut project = project();
    project.moves.insert(PathBuf::from("src/sessions/mod.rs"), PathBuf::from("src/traces/mod.rs"));
    project.blocked_names.insert("session_blocked".to_owned());
    insta::assert_snapshot!(render_plan(text, &plan_with(text, &RuleSet::builtin(), &project).unwrap()));
}

#[test]
fn module_files_below_a_non_root_file_and_inline_modules() {
    let rules = RuleSet::builtin();
    let moves = BTreeMap::from([
        (PathBuf::from("src/store/session.rs"), PathBuf::from("src/store/trace.rs")),
        (PathBuf::from("src/a/b/session.rs"), PathBuf::from("src/a/b/trace.rs")),
    ]);
    let project = Project { moves, ..Project::default() };
    let renamed = |path: &str, text: &str| {
        let cx = Context { rules: &rules, project: &project, path: Path::new(path) };
        rewrite(text, &Rust.plan(text, &cx).unwrap())
    };
    assert_eq!(renamed("src/store.rs", "mod session;\n"), "mod trace;\n");
    assert_eq!(renamed("src/store/mod.rs", "mod session;\n"), "mod trace;\n");
    assert_eq!(renamed("src/lib.rs", "mod a { mod b { mod session; } }\n"), "mod a { mod b { mod trace; } }\n");
    assert_eq!(renamed("src/lib.rs", "mod session;\n"), "mod session;\n", "no src/session.rs moves");
}

#[test]
fn places_the_rule_file_turns_off_or_on() {
    let text = "// a session\nfn session() { let k = \"session_id\"; log(\"Session over\"); }\n";
    let rules = RuleSet::parse(
        "t.toml",
        "extends = \"builtin\"\n[where]\nidentifiers = false\ncomments = false\nstrings = false\nprose = true\n",
    )
    .unwrap();
    insta::assert_snapshot!(render_plan(text, &plan_with(text, &rules, &project()).unwrap()));
}

#[test]
fn keep_lists_and_senses() {
    let rules = RuleSet::parse("t.toml", "extends = \"builtin\"\n[keep]\nnames = [\"session_scope\"]\n").unwrap();
    let text = "fn f(session_scope: u8, http_session: u8, db_session: u8, session: u8) {}\n";
    insta::assert_snapshot!(render_plan(text, &plan_with(text, &rules, &project()).unwrap()));
}

#[test]
fn extern_blocks_keep_their_symbols() {
    let text = r#"extern "C" {
    fn session_open(session_id: u32) -> i32;
    static SESSION_COUNT: u32;
}
extern crate session_sys;
fn f() { unsafe { session_open(1) }; session_sys::init(); }
"#;
    insta::assert_snapshot!(render(text));
}

#[test]
fn strings_passed_to_foreign_functions_are_for_review() {
    let text = "fn f(c: reqwest::Client) { c.header(\"x-session-id\"); reqwest::get(\"session\"); ours(\"session\"); }\n";
    insta::assert_snapshot!(render(text));
}

#[test]
fn parse_errors_give_line_and_column() {
    let error = plan_with("fn f() {\n    let session = ;\n}\n", &RuleSet::builtin(), &project()).unwrap_err();
    assert_eq!((error.line, error.column), (2, 19), "{error}");
    assert!(error.message.contains("expected an expression"), "{error}");

    let error = plan_with("fn f() {\n    let s = \"session;\n}\n", &RuleSet::builtin(), &project()).unwrap_err();
    assert_eq!((error.line, error.column), (2, 13), "{error}");
    assert!(error.message.contains("unterminated"), "{error}");

    let error = plan_with("struct Session", &RuleSet::builtin(), &project()).unwrap_err();
    assert_eq!(error.line, 1, "{error}");
}

#[test]
fn byte_ranges_survive_crlf_and_non_ascii() {
    let text = "// é session ☃\r\nfn f() {\r\n    let ñ = \"日本 session\"; let session_id = ñ; /* ü session */\r\n}\r\n";
    let rendered = render(text);
    let rewritten = "// é trace ☃\r\nfn f() {\r\n    let ñ = \"日本 session\"; let trace_id = ñ; /* ü trace */\r\n}\r\n";
    assert!(rendered.ends_with(rewritten), "{rendered}");
    insta::assert_snapshot!(rendered);
}

#[test]
fn a_shebang_line_is_not_code() {
    let text = "#!/usr/bin/env session-runner\nfn session() {}\n";
    assert_eq!(rewrite(text, &plan(text)), "#!/usr/bin/env session-runner\nfn trace() {}\n");
}

#[test]
fn rewriting_twice_changes_nothing_more() {
    let text = r#"//! Sessions.
mod session;
use crate::session::{Session, SessionId};
use reqwest::Session as HttpSession;
pub fn start_session(session_id: SessionId) -> Session {
    let session = Session::new(session_id);
    println!("{session_id}");
    session
}
"#;
    let once = rewrite(text, &plan(text));
    let again = plan(&once);
    assert!(again.edits.is_empty(), "second pass edits: {:?}", again.edits);
    assert!(once.contains("mod trace;") && once.contains("use reqwest::Session as HttpSession;"), "{once}");
}

#[test]
fn spans_of_each_file_are_released() {
    // proc-macro2 places each lexed file after the previous ones in a thread-local source map;
    // after `plan` the map is empty again, so a fresh lex starts at its first position.
    std::thread::spawn(|| {
        for _ in 0..3 {
            plan("fn session() {}\n");
        }
        let probe: proc_macro2::TokenStream = "x".parse().unwrap();
        let span = probe.into_iter().next().unwrap().span();
        assert_eq!(format!("{span:?}"), "bytes(1..2)");
    })
    .join()
    .unwrap();
}

#[test]
fn byte_order_mark_and_crlf_through_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.rs");
    std::fs::write(&path, "\u{feff}// é session\r\nfn session() {}\r\n").unwrap();
    let settings = crate::engine::Settings { threads: 1, shims: false, cache: None, max_filesize: crate::engine::MAX_FILESIZE };
    let outcome = crate::engine::plan_file(&path, true, &RuleSet::builtin(), &Project::default(), settings).unwrap();
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.updated, "\u{feff}// é trace\r\nfn trace() {}\r\n");
    let places: Vec<_> = outcome.findings.iter().map(|f| (f.location.line, f.location.column)).collect();
    assert_eq!(places, [(1, 6), (2, 4)]);
}
