use std::path::Path;

use super::Python;
use crate::lang::rendered::{render_plan, rewrite};
use crate::lang::{Context, ParseError, Rewriter};
use crate::plan::{FilePlan, Verdict};
use crate::project::Project;
use crate::rules::{RuleSet, Where};

fn project() -> Project {
    Project { python_packages: ["obsdk".to_owned()].into(), ..Project::default() }
}

fn plan_with(text: &str, rules: &RuleSet, project: &Project) -> Result<FilePlan, ParseError> {
    let cx = Context { rules, project, path: Path::new("obsdk/x.py") };
    Python.plan(text, &cx)
}

fn plan(text: &str) -> FilePlan {
    plan_with(text, &RuleSet::builtin(), &project()).expect("test input parses")
}


fn render(text: &str) -> String {
    render_plan(text, &plan(text))
}

#[test]
fn every_role() {
    let text = r#""""Session helpers for the SDK."""
import obsdk.sessions.store

# Keep one session per worker.
SESSION_TIMEOUT = 30


class SessionRecorder:
    """Records a session."""

    def start_session(self, session_id, sessionName=None):
        '''Start the session.'''
        self.session_id = session_id
        payload = {"session_id": session_id, "kind": "session"}
        emit(event_session=payload, route="/v2/sessions/{session_id}")
        log("Session started")
        return obsdk.sessions.store.save(session_id, sessionName)
"#;
    insta::assert_snapshot!(render(text));
}

#[test]
fn first_party_imports_are_renamed() {
    let text = "\
from .session import Session
from obsdk.session import Session as SessionAlias, session_factory
from . import sessions
import obsdk.session as session_module

__all__ = [\"Session\", \"session_factory\"]
";
    insta::assert_snapshot!(render(text));
}

#[test]
fn foreign_imports_and_their_uses_are_kept() {
    let text = "\
import requests
import aiohttp as ah
from sqlalchemy.orm import Session, sessionmaker
from requests import Session as HttpSession

SessionLocal = sessionmaker(bind=engine)
http = requests.Session()
conn = requests.sessions.Session()
client = ah.ClientSession(session_timeout=5)
page = requests.get(url, session=http)
reply = requests.post(url, json={\"session_id\": 1}, headers={\"X\": \"session\"})
pool = HttpSession()
";
    insta::assert_snapshot!(render(text));
}

#[test]
fn names_holding_foreign_objects_are_kept() {
    let text = "\
import aiohttp
import requests
from typing import Optional
from aiohttp import ClientSession


class Client:
    def __init__(self, session: requests.Session, base_session_url: str):
        self._session = aiohttp.ClientSession()
        self.session_count = 0
        self.http: Optional[ClientSession] = None

    async def fetch(self, session_id):
        async with aiohttp.ClientSession() as session:
            return await session.get(f\"/sessions/{session_id}\", session_timeout=3)

    def close(self):
        self._session.close(session_cookie=True)
        self.session_count += 1
";
    insta::assert_snapshot!(render(text));
}

#[test]
fn pytest_fixture_scope_is_kept() {
    let text = "\
import pytest
from pytest import fixture


@pytest.fixture(scope=\"session\")
def session_db():
    yield


@fixture(scope=\"session\", name=\"session_store\")
def other_session():
    yield
";
    insta::assert_snapshot!(render(text));
}

#[test]
fn attributes_inherited_from_a_foreign_base_are_kept() {
    let text = "\
import pydantic
import requests


class TracingSession(requests.Session):
    def __init__(self, session_label):
        super().__init__(session_retries=3)
        self.session_label = session_label

    def send(self, request):
        self.session_hooks.append(self.session_label)


class Event(pydantic.BaseModel):
    session_id: str


TracingSession(session_label=\"a\", session_retries=2)
Event(session_id=\"s\", session_meta=1)
";
    insta::assert_snapshot!(render(text));
}

#[test]
fn f_strings_are_text_and_code() {
    let text = "\
session_id = \"abc\"
route = \"/v2/sessions/{session_id}\"
url = f\"{base}/sessions/{session_id}\"
message = f\"Session {session_id!r:>10} closed\\nsession done\"
";
    insta::assert_snapshot!(render(text));
}

#[test]
fn senses_and_keep_lists() {
    let text = "\
orm_session = make()
user_session = login()
sessionStorage = {}
checkout_session_id = \"cs_1\"
# the orm_session is not ours
";
    insta::assert_snapshot!(render(text));
}

#[test]
fn clashes_in_one_namespace() {
    let text = "\
class Session:
    pass


class Trace:
    pass


def record(session_id, trace_id):
    return {\"session_id\": session_id, \"trace_id\": trace_id}


record(session_id=1, trace_id=2)
make(session_id=1, trace_id=2)
make(sessions=1, traces=2)
";
    insta::assert_snapshot!(render(text));
}

#[test]
fn clashes_across_scopes() {
    let text = "\
trace = load()


def capture():
    session = 1
    return trace


session_total = 0


def shadow():
    trace_total = 2
    return session_total


def fine():
    session_count = 1
    return session_count
";
    insta::assert_snapshot!(render(text));
}

#[test]
fn class_attributes_share_a_namespace() {
    let text = "\
class Event:
    trace_id = None

    def __init__(self, session_id):
        self.session_id = session_id

    def describe(self):
        return self.session_id


class Other:
    def __init__(self):
        self.session_name = \"x\"


Event(session_id=1)
";
    insta::assert_snapshot!(render(text));
}

#[test]
fn scopes_follow_python_rules() {
    let text = "\
session = 0


class Holder:
    session = 1
    sessions = [session for _ in range(3)]

    def get(self):
        global session
        session = 2
        return [s for s in session_list if (last_session := s)]


lookup = lambda session_key: session_key
";
    insta::assert_snapshot!(render(text));
}

#[test]
fn refused_file_moves_keep_their_imports() {
    let mut project = project();
    project.blocked_names.insert("sessions".to_owned());
    let text = "\
import obsdk.sessions.store
from obsdk.sessions import session_store
from obsdk import sessions

sessions.flush(obsdk.sessions.store)
";
    let plan = plan_with(text, &RuleSet::builtin(), &project).unwrap();
    insta::assert_snapshot!(render_plan(text, &plan));
}

#[test]
fn places_turned_off_keep_their_occurrences() {
    let mut rules = RuleSet::builtin();
    rules.places = Where { identifiers: false, comments: false, strings: false, prose: true, ..Where::default() };
    let text = "\
# one session
def start_session():
    \"\"\"Session docs.\"\"\"
    return {\"session_id\": \"Session started\"}
";
    let plan = plan_with(text, &rules, &project()).unwrap();
    insta::assert_snapshot!(render_plan(text, &plan));
}

#[test]
fn byte_ranges_survive_crlf_bom_and_non_ascii() {
    let text = "\u{feff}# Größe der Sitzung: session\r\nnamé = \"Ünïcode session\"\r\ndef sessionId(): return 1\r\n";
    let plan = plan(text);
    let rewritten = rewrite(text, &plan);
    assert_eq!(
        rewritten,
        "\u{feff}# Größe der Sitzung: trace\r\nnamé = \"Ünïcode session\"\r\ndef traceId(): return 1\r\n"
    );
    insta::assert_snapshot!(render_plan(text, &plan));
}

#[test]
fn syntax_errors_are_reported_at_their_place() {
    let error = plan_with("x = 1\nsession = f(1\n", &RuleSet::builtin(), &project()).unwrap_err();
    assert_eq!((error.line, error.column), (2, 1));
    assert!(error.message.starts_with("invalid syntax near `session = f(1`"), "{}", error.message);

    let error = plan_with("é = 1\ndef session(:\n    pass\n", &RuleSet::builtin(), &project()).unwrap_err();
    assert_eq!((error.line, error.column), (2, 13));
    assert_eq!(error.message, "invalid syntax: missing `)`");
}

#[test]
fn applying_the_plan_twice_changes_nothing() {
    let text = "\
\"\"\"Sessions.\"\"\"
import requests
from .session import Session


class SessionStore:
    def __init__(self):
        self.sessions = {}
        self._http = requests.Session()

    def add(self, session: Session, session_id=None):
        # index by session_id
        self.sessions[session_id or session.id] = session
        return f\"/sessions/{session_id}\"
";
    let first = plan(text);
    let once = rewrite(text, &first);
    let again = plan(&once);
    assert!(again.edits.is_empty(), "second run renames: {:?}", again.findings);
    assert!(!again.findings.iter().any(|f| matches!(f.verdict, Verdict::Rename { .. })));
    assert_eq!(rewrite(&once, &again), once);
}

#[test]
fn classes_extending_their_session_keep_their_members() {
    let text = "\
from django.contrib.sessions.backends.base import SessionBase


class SessionStore(SessionBase):
    def _get_session_key(self):
        return self.session_key_prefix + self._get_session_key_suffix()


store = SessionStore()
";
    insta::assert_snapshot!(render(text));
}

#[test]
fn two_renames_landing_on_one_name_clash() {
    let rules =
        RuleSet::parse("t.toml", "extends = \"builtin\"\n[[rename]]\nfrom = \"SessionModel\"\nto = \"Trace\"\n")
            .expect("valid rules");
    let text = "\
class Session:
    pass


class SessionModel(Session):
    pass
";
    let plan = plan_with(text, &rules, &project()).unwrap();
    insta::assert_snapshot!(render_plan(text, &plan));
}

#[test]
fn code_around_definitions_is_visited() {
    let text = "\
from obsdk.errors import SessionError


@session_required(session_scope=\"request\")
def handle(event: SessionEvent, *session_args, **session_kwargs) -> SessionResult:
    \"\"\"Handle it.\"\"\"
    SESSION_NOTE = 1
    \"\"\"The session note.\"\"\"
    try:
        return [s for s in event.sessions]
    except SessionError as session_error:
        raise RuntimeError(\"bad session\") from session_error


def outer():
    session_count = 0

    def inner():
        nonlocal session_count
        session_count += 1

    return inner
";
    insta::assert_snapshot!(render(text));
}

#[test]
fn names_bound_nowhere_share_the_module_namespace() {
    let text = "\
from obsdk.helpers import *

trace = 1
print(session)
";
    insta::assert_snapshot!(render(text));
}

#[test]
fn an_sdk_client_with_http_and_our_sessions() {
    let text = "\
\"\"\"Session client for the obsdk SDK.\"\"\"
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

import requests
from opentelemetry import trace
from pydantic import BaseModel, Field

from .session import Session, SessionConfig
from . import sessions as session_store

logger = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)


class SessionEvent(BaseModel):
    \"\"\"An event recorded in a session.\"\"\"

    session_id: str = Field(..., alias=\"sessionId\")
    session_name: Optional[str] = None


@dataclass
class SessionState:
    session_id: str
    sessions: Dict[str, Session] = field(default_factory=dict)


class Client:
    def __init__(self, api_key: str, session: Optional[requests.Session] = None):
        self._http = session or requests.Session()
        self.current_session: Optional[Session] = None

    def start_session(self, session_name: str, **kwargs: Any) -> Session:
        \"\"\"Start a new session and return it.\"\"\"
        with tracer.start_as_current_span(\"start_session\"):
            payload = {\"session_name\": session_name, \"sessionId\": None}
            resp = self._http.post(f\"/v2/sessions\", json=payload, timeout=10)
            session = Session(config=SessionConfig(name=session_name), **resp.json())
            self.current_session = session
            session_store.save(session)
            logger.info(\"Session %s started\", session.session_id)
            return session

    def end_session(self, session_id: str) -> None:
        span = trace.get_current_span()
        span.set_attribute(\"session.id\", session_id)
        self._http.delete(f\"/v2/sessions/{session_id}\")
";
    insta::assert_snapshot!(render(text));
}

#[test]
fn clickhouse_parameter_and_its_dict_key_are_renamed_together() {
    let text = r#"rows = client.query("SELECT count() FROM events WHERE session_id = {session_id:String}", parameters={"session_id": sid})
"#;
    insta::assert_snapshot!(render(text));
}

#[test]
fn parameter_of_a_query_constant_and_the_keys_of_every_call_passing_it_are_renamed_together() {
    let text = r#"QUERY = """
SELECT count() FROM events WHERE session_id = {session_id:String}
"""

def count(client, sid):
    return client.query(QUERY, parameters={"session_id": sid})

def count_again(client, sid):
    return client.query(QUERY, {"session_id": sid})
"#;
    insta::assert_snapshot!(render(text));
}

#[test]
fn query_constant_passed_with_a_dict_built_elsewhere_keeps_its_parameter() {
    let text = r#"QUERY = "SELECT count() FROM events WHERE session_id = {session_id:String}"

def count(client, sid):
    return client.query(QUERY, parameters={"session_id": sid})

def count_again(client, params):
    return client.query(QUERY, parameters=params)
"#;
    insta::assert_snapshot!(render(text));
}

#[test]
fn keys_bound_to_a_query_from_another_module_are_review() {
    let text = r#"from .queries import COUNT_BY_SESSION

def count(client, sid):
    return client.query(COUNT_BY_SESSION, parameters={"session_id": sid})
"#;
    insta::assert_snapshot!(render(text));
}

#[test]
fn postgres_query_renames_table_and_column() {
    let text = r#"cur.execute("select * from sessions where session_id = %s", (sid,))
"#;
    insta::assert_snapshot!(render(text));
}

#[test]
fn prose_string_stays_review() {
    let text = r#"log("Could not open the session")
"#;
    insta::assert_snapshot!(render(text));
}

#[test]
fn parameter_bound_by_a_dict_built_elsewhere_is_review() {
    let text = r#"params = build_params(sid)
ch.query("SELECT * FROM events WHERE session_id = {session_id:String}", parameters=params)
"#;
    insta::assert_snapshot!(render(text));
}

#[test]
fn parameter_follows_a_positional_dict_key_that_cannot_change() {
    let text = r#"ch.query("SELECT * FROM t WHERE a = {session_id:String}", {"session_id": sid, "trace_id": tid})
"#;
    insta::assert_snapshot!(render(text));
}

#[test]
fn prose_led_by_a_statement_keyword_stays_prose() {
    let text = r#"log("Create a session for the user")
rows = db.fetch("""
    SELECT id FROM sessions
""")
"#;
    insta::assert_snapshot!(render(text));
}

#[test]
fn routes_mappings_aliases_and_persisted_values() {
    let text = r#"from enum import StrEnum

from obsdk.tracing import trace


class Kind(StrEnum):
    SESSION = "session"


HEADER = "X-Session-Id"
RENAMES = {"session_id": "trace_id", "legacy": "session"}


@app.route("/sessions", methods=["GET", "POST"])
def old_list():
    return Kind.SESSION == "session"


@app.post("/traces")
def new_list():
    pass


@app.delete("/sessions/<id>")
def old_delete():
    pass


def session(*args):
    """Deprecated."""
    return trace(*args)
"#;
    let plan = plan(text);
    insta::assert_snapshot!(render_plan(text, &plan));
    let suggestion = plan.findings.iter().find_map(|f| match &f.verdict {
        Verdict::Conflict { suggestion, .. } if f.text == "session" && f.role == crate::plan::Role::Identifier => {
            suggestion.clone()
        }
        _ => None,
    });
    assert_eq!(
        suggestion.as_deref(),
        Some("delete the alias at line 29 and run again: its users then name `trace` (with --shims, a deprecated `session` stays for callers)")
    );
}

#[test]
fn persisted_values_are_renamed_when_the_rules_opt_in() {
    let text = "from enum import Enum\n\n\nclass Kind(Enum):\n    SESSION = \"session\"\n";
    let mut rules = RuleSet::builtin();
    rules.places.persisted = true;
    let plan = plan_with(text, &rules, &project()).unwrap();
    assert_eq!(rewrite(text, &plan), "from enum import Enum\n\n\nclass Kind(Enum):\n    TRACE = \"trace\"\n");
}

#[test]
fn conflicts_other_modules_reach_are_shared() {
    use crate::plan::Share;
    let text = r#"class Session:
    trace = 1
    session = 2

    def __init__(self, session_id, trace_id):
        self.session_id = session_id


class Trace:
    pass


def helper():
    session = trace = 3
    return session, trace
"#;
    let shares: Vec<String> = plan(text)
        .shares
        .iter()
        .map(|s| match s {
            Share::Name { name, .. } => format!("name {name}"),
            Share::Member { owner, name, .. } => format!("member {owner}.{name}"),
            Share::Keyword { callable, name, .. } => format!("keyword {callable}({name})"),
            Share::Literal { content, .. } => format!("literal {content}"),
        })
        .collect();
    // The local `session` of `helper` stays in its function: no share.
    assert_eq!(shares, ["name Session", "member Session.session", "keyword Session(session_id)"]);
}

#[test]
fn pytest_hook_arguments_and_the_request_session_keep_pytest_names() {
    let text = r#"import pytest

def pytest_sessionfinish(session, exitstatus):
    print(session.testscollected)

def test_run(request, session_id):
    assert request.session is not None
"#;
    insta::assert_snapshot!(render(text));
}

#[test]
fn pyformat_parameter_and_its_dict_key_are_renamed_together() {
    let text = r#"LOAD = "select * from sessions where session_id = %(session_id)s"

def load(cur, sid):
    cur.execute(LOAD, {"session_id": sid})

def load_unseen(cur, params):
    cur.execute("select * from sessions where session_id = %(session_id)s", params)
"#;
    insta::assert_snapshot!(render(text));
}
