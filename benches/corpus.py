#!/usr/bin/env python3
"""Deterministic benchmark corpus for retrace: a monorepo of Python, TypeScript/TSX, SQL and Markdown.

    python3 benches/corpus.py OUT_DIR --files 50000 --seed 1

Writes exactly N files (plus a `.gitignore` and a few ignored build outputs, not counted) in a
plausible layout: Python packages under `packages/` and `services/`, Next.js apps under `apps/`,
Supabase migrations and ClickHouse queries under `db/`, docs under `docs/`, with some `sessions/`
folders. Sizes follow real repositories (mostly 1-20 KB, a few larger). About a quarter of the
files mention "session" in assorted roles (identifiers in every case style, attributes, keyword
arguments, dict keys, routes, comments, docstrings, SQL tables and columns, JSX props, first-party
imports, and foreign uses such as `requests.Session()` or `sessionStorage`); the others do not.

Every file is generated from templates that are valid for its language; `--verify` parses every
Python file with `ast` (the same grammar `py_compile` checks) and checks bracket balance of the rest.
The same seed and file count always give byte-identical output (no hashing, no clock, no set order).
Standard library only (Python 3.11).
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

# ---------------------------------------------------------------------------------------------
# Names: one noun (one or more words) spelled in every case style a codebase uses.

# Nouns of the non-term files. None contains "session" (nor "possession"/"obsession").
NOUNS = [
    "order", "invoice", "project", "dataset", "experiment", "widget", "account", "metric",
    "report", "dashboard", "prompt", "evaluation", "model", "score", "comment", "annotation",
    "export", "webhook", "member", "organization", "api key", "billing plan", "data point",
    "job", "queue item", "notification", "feature flag", "audit log", "media asset", "schedule",
]
# Compound nouns that carry the term; "session" alone is the most frequent.
TERM_NOUNS = [
    "session", "session", "session", "session", "session event", "agent session",
    "session replay", "session stats", "session summary", "extended session", "session score",
    "session tag", "session bookmark", "session input", "session metric", "trace session",
]
QUALIFIERS = [
    "summary", "detail", "export", "batch", "snapshot", "filter", "view", "row", "page", "draft",
    "preview", "history", "status", "config", "cache", "index", "group", "link", "note", "label",
]
IRREGULAR = {"index": "indices", "status": "statuses", "history": "histories", "stats": "stats"}


def plural(word: str) -> str:
    if word in IRREGULAR:
        return IRREGULAR[word]
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


@dataclass
class Noun:
    words: list[str]

    def forms(self) -> dict[str, str]:
        w = self.words
        wp = w[:-1] + [plural(w[-1])]
        out = {}
        for suffix, ws in (("", w), ("s", wp)):
            out["x" + suffix] = "_".join(ws)
            out["X" + suffix] = "".join(p.capitalize() for p in ws)
            out["xc" + suffix] = ws[0] + "".join(p.capitalize() for p in ws[1:])
            out["XU" + suffix] = "_".join(ws).upper()
            out["xk" + suffix] = "-".join(ws)
            out["xw" + suffix] = " ".join(ws)
        out["Xw"] = out["xw"].capitalize()
        return out


def noun(text: str) -> Noun:
    return Noun(text.replace("-", " ").split())


PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def fill(template: str, values: dict[str, str]) -> str:
    """`{{name}}` -> values[name]; every other character is literal (JSX braces, f-strings, SQL)."""
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


# ---------------------------------------------------------------------------------------------
# Prose: comments, docstrings and Markdown, free of the term unless a noun puts it there.

VERBS = ["load", "store", "refresh", "validate", "merge", "archive", "render", "export", "flush", "retry"]
PROSE = [
    "Keep this in sync with the API schema.",
    "The caller owns the connection; we never close it here.",
    "Results are paginated; the cursor is opaque to clients.",
    "This runs on every request, so keep it cheap.",
    "Timestamps are stored in UTC and rendered in the viewer's zone.",
    "Retries use exponential backoff with jitter.",
    "Rows without a project are legacy data from the first import.",
    "The cache is invalidated when the project settings change.",
    "See the design notes in the docs folder for the full lifecycle.",
    "Do not log the payload: it may contain personal data.",
    "Sorting happens in the database; do not re-sort in memory.",
    "An empty list means the filter matched nothing, not an error.",
]
TERM_PROSE = [
    "A {{xw}} groups the traces of one conversation.",
    "Close the {{xw}} before flushing the exporter.",
    "The {{xw}} id comes from the client; validate it.",
    "Each {{xw}} belongs to exactly one project.",
    "{{Xw}} ids are stable across retries.",
    "Old {{xws}} are archived after ninety days.",
]


def sentence(rng: random.Random, values: dict[str, str], term: bool) -> str:
    if term and rng.random() < 0.5:
        return fill(rng.choice(TERM_PROSE), values)
    return rng.choice(PROSE)


# ---------------------------------------------------------------------------------------------
# File context: what a template may refer to.


@dataclass
class FileCx:
    rng: random.Random
    lang: str  # py, ts, tsx, sql, md
    term: bool  # this file mentions the term
    pkg: str = ""  # Python top-level package, or the app name
    module: str = ""  # dotted module of this file
    modules: list[str] = field(default_factory=list)  # other modules of the package
    term_modules: list[str] = field(default_factory=list)  # first-party modules in sessions/ folders
    used: set = field(default_factory=set)  # (template, name) pairs already emitted

    def pick_noun(self, template: str, term_share: float) -> tuple[dict[str, str], bool]:
        """A noun for one block: a term noun with probability `term_share` in term files."""
        rng = self.rng
        use_term = self.term and rng.random() < term_share
        pool = TERM_NOUNS if use_term else NOUNS
        for attempt in range(200):
            base = rng.choice(pool)
            if attempt >= 3:
                base = base + " " + rng.choice(QUALIFIERS)
            if attempt >= 60:
                base = base + " " + rng.choice(QUALIFIERS)
            key = (template, base)
            if key not in self.used:
                self.used.add(key)
                break
        values = noun(base).forms()
        values["pkg"] = self.pkg or "core"
        values["verb"] = rng.choice(VERBS)
        values["n"] = str(rng.randint(2, 500))
        values["sentence"] = sentence(rng, values, use_term)
        values["sentence2"] = sentence(rng, values, use_term)
        values["other"] = rng.choice(NOUNS).replace(" ", "_")
        return values, use_term


# ---------------------------------------------------------------------------------------------
# Python templates. Each block starts at column 0 and ends with a blank line.

PY_HEADER = '''"""{{Mod}}: {{sentence}}

{{sentence2}}
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Optional

'''

PY_BLOCKS = {
    "dataclass": '''

@dataclass
class {{X}}Record:
    """One {{xw}} as stored in the database. {{sentence}}"""

    id: str
    {{x}}_id: str
    project_id: str
    created_at: datetime
    name: Optional[str] = None
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "{{x}}_id": self.{{x}}_id,
            "projectId": self.project_id,
            "createdAt": self.created_at.isoformat(),
            "name": self.name,
            "tags": list(self.tags),
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "{{X}}Record":
        return cls(
            id=row["id"],
            {{x}}_id=row["{{x}}_id"],
            project_id=row["project_id"],
            created_at=row["created_at"],
            name=row.get("name"),
        )
''',
    "repository": '''

class {{X}}Repository:
    """Reads and writes {{xws}}. {{sentence}}"""

    TABLE = "{{xs}}"

    def __init__(self, conn: Any, page_size: int = {{n}}) -> None:
        self._conn = conn
        self._page_size = page_size
        self._cache: dict[str, dict[str, Any]] = {}

    def get_{{x}}(self, {{x}}_id: str) -> Optional[dict[str, Any]]:
        if {{x}}_id in self._cache:
            return self._cache[{{x}}_id]
        row = self._conn.execute(
            "SELECT id, {{x}}_id, project_id, created_at FROM {{xs}} WHERE id = %s",
            ({{x}}_id,),
        ).fetchone()
        if row is None:
            return None
        self._cache[{{x}}_id] = row
        return row

    def list_{{xs}}(self, project_id: str, page: int = 0) -> list[dict[str, Any]]:
        # {{sentence2}}
        return self._conn.execute(
            "SELECT * FROM {{xs}} WHERE project_id = %s ORDER BY created_at DESC LIMIT %s OFFSET %s",
            (project_id, self._page_size, page * self._page_size),
        ).fetchall()

    def delete_{{x}}(self, {{x}}_id: str) -> int:
        self._cache.pop({{x}}_id, None)
        cursor = self._conn.execute("DELETE FROM {{xs}} WHERE id = %s", ({{x}}_id,))
        return cursor.rowcount
''',
    "routes": '''

@router.get("/{{xks}}/{{{x}}_id}")
async def read_{{x}}({{x}}_id: str, include_events: bool = False) -> dict[str, Any]:
    """Return one {{xw}}. {{sentence}}"""
    record = await service.find_{{x}}({{x}}_id=_{{x}}_key({{x}}_id), strict=True)
    if record is None:
        raise HTTPException(status_code=404, detail="{{xw}} not found")
    payload = {"{{x}}": record.to_dict(), "{{xc}}Id": {{x}}_id}
    if include_events:
        payload["events"] = [event.to_dict() for event in record.events]
    return payload


@router.post("/{{xks}}", status_code=201)
async def create_{{x}}(body: dict[str, Any]) -> dict[str, Any]:
    # {{sentence2}}
    {{x}}_id = body.get("{{x}}_id") or body.get("{{xc}}Id")
    created = await service.create_{{x}}({{x}}_id=_{{x}}_key({{x}}_id), name=body.get("name"))
    logger.info("created %s %s", "{{xw}}", created.id)
    return {"id": created.id, "{{x}}_id": created.{{x}}_id}


def _{{x}}_key(value: Optional[str]) -> str:
    return (value or "").strip().lower()
''',
    "constants": '''

{{XU}}_TIMEOUT_SECONDS = {{n}}
MAX_{{XUs}}_PER_PAGE = 100
DEFAULT_{{XU}}_TAGS: tuple[str, ...] = ("default", "{{xk}}")
{{XU}}_STATUS_CHOICES = {
    "active": "Active",
    "closed": "Closed",
    "archived": "Archived",
}
''',
    "functions": '''

def {{verb}}_{{xs}}(items: Iterable[dict[str, Any]], *, limit: int = {{n}}) -> list[dict[str, Any]]:
    """{{Verb}} {{xws}} in order. {{sentence}}"""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in items:
        key = item.get("{{x}}_id") or item.get("id")
        if key is None or key in seen:
            continue
        seen.add(key)
        # {{sentence2}}
        out.append({**item, "{{x}}_key": key, "position": len(out)})
        if len(out) >= limit:
            break
    return out


def count_{{xs}}_by_project(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["project_id"]] = counts.get(row["project_id"], 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
''',
    "service": '''

class {{X}}Service:
    def __init__(self, repository: Any, clock: Any = None) -> None:
        self.repository = repository
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._{{x}}_count = 0

    async def find_{{x}}(self, {{x}}_id: str, strict: bool = False) -> Optional[Any]:
        record = self.repository.get_{{x}}({{x}}_id)
        if record is None and strict:
            logger.warning("missing %s: %s", "{{xw}}", {{x}}_id)
        return record

    async def create_{{x}}(self, {{x}}_id: str, name: Optional[str] = None) -> Any:
        """{{sentence}}"""
        self._{{x}}_count += 1
        try:
            return self.repository.insert({"{{x}}_id": {{x}}_id, "name": name, "created_at": self.clock()})
        except KeyError as exc:
            raise ValueError(f"duplicate {{xw}} {{{x}}_id}") from exc
''',
    "clickhouse": '''

{{XU}}_SPANS_QUERY = """
SELECT SpanId, SpanName, Timestamp, Duration
FROM otel_traces
WHERE {{X}}Id = {{{x}}_id:String}
  AND ProjectId = {project_id:String}
ORDER BY Timestamp
LIMIT {{n}}
"""


def fetch_{{x}}_spans(client: Any, {{x}}_id: str, project_id: str) -> list[dict[str, Any]]:
    result = client.query({{XU}}_SPANS_QUERY, parameters={"{{x}}_id": {{x}}_id, "project_id": project_id})
    return [dict(zip(result.column_names, row)) for row in result.result_rows]
''',
    "tests": '''

def test_{{x}}_roundtrip(tmp_path):
    record = {"id": "a{{n}}", "{{x}}_id": "s{{n}}", "project_id": "p1"}
    # {{sentence}}
    assert record["{{x}}_id"] == "s{{n}}"
    assert sorted(record) == ["id", "project_id", "{{x}}_id"]


@pytest.mark.parametrize("{{x}}_id", ["a", "b", "c"])
def test_{{x}}_ids_are_kept(client, {{x}}_id):
    response = client.get(f"/{{xks}}/{{{x}}_id}")
    assert response.status_code in (200, 404)
''',
}

# Term-only Python blocks: foreign uses that must stay, prose, first-party imports.
PY_TERM_BLOCKS = {
    "requests": '''

def download_export(url: str, token: str) -> bytes:
    # A connection pool, not a trace: requests calls it a session.
    http = requests.Session()
    http.headers.update({"Authorization": f"Bearer {token}"})
    with requests.session() as s:
        s.get(url, timeout=10)
    response = http.get(url, timeout=30)
    response.raise_for_status()
    return response.content
''',
    "sqlalchemy": '''

def save_rows(db: Session, rows: list[dict[str, Any]]) -> None:
    """Store rows in one unit of work (an ORM session)."""
    for row in rows:
        db.merge(row)
    db.commit()


def make_db_session(engine: Any) -> Session:
    db_session = sessionmaker(bind=engine)()
    return db_session
''',
    "pytest_fixture": '''

@pytest.fixture(scope="session")
def shared_client():
    client = make_client()
    yield client
    client.close()
''',
    "logging": '''

def report_{{x}}_state({{x}}: Any) -> None:
    logger.info("Session %s closed after %d events", {{x}}.id, len({{x}}.events))
    logger.debug("{{xw}} state: %r", {{x}})
''',
    "flask": '''

def current_user_id() -> Optional[str]:
    # Flask's signed-cookie login session, unrelated to traces.
    return flask_session.get("user_id")
''',
}
PY_TERM_IMPORTS = {
    "requests": "import requests\n",
    "sqlalchemy": "from sqlalchemy.orm import Session, sessionmaker\n",
    "pytest_fixture": "import pytest\n",
    "flask": "from flask import session as flask_session\n",
}


def python_file(cx: FileCx, size: int) -> str:
    rng = cx.rng
    mod = cx.module.rsplit(".", 1)[-1]
    head_values, _ = cx.pick_noun("header", 0.3)
    head_values["Mod"] = mod.replace("_", " ").capitalize()
    imports = []
    body = []
    is_test = "test" in mod
    if rng.random() < 0.6 or is_test:
        imports.append("import pytest\n" if is_test else "")
    if not is_test:
        imports.append("from fastapi import APIRouter, HTTPException\n")
    for other in rng.sample(cx.modules, min(len(cx.modules), rng.randint(0, 3))):
        v, _ = cx.pick_noun("import", 0.0)
        imports.append(f"from {other} import {v['X']}Record\n")
    if cx.term:
        if cx.term_modules and rng.random() < 0.7:
            target = rng.choice(cx.term_modules)
            imports.append(f"from {target} import SessionRecord as StoredSession, session_key\n")
        foreign = rng.sample(sorted(PY_TERM_BLOCKS), rng.randint(1, 3))
        for name in foreign:
            if name in PY_TERM_IMPORTS:
                imports.append(PY_TERM_IMPORTS[name])
    else:
        foreign = []
    text = fill(PY_HEADER, head_values) + "".join(dict.fromkeys(imports))
    text += "\nlogger = logging.getLogger(__name__)\n"
    if not is_test:
        text += 'router = APIRouter(prefix="/api")\nservice: Any = None\n'
    names = [n for n in PY_BLOCKS if (n == "tests") == is_test or (is_test and n == "functions")]
    for name in foreign:
        values, _ = cx.pick_noun(name, 1.0)
        body.append(fill(PY_TERM_BLOCKS[name], values))
    while len(text) + sum(map(len, body)) < size:
        name = rng.choice(names)
        values, _ = cx.pick_noun(name, 0.45)
        values["Verb"] = values["verb"].capitalize()
        body.append(fill(PY_BLOCKS[name], values))
    rng.shuffle(body)
    return text + "".join(body)


def python_init(cx: FileCx) -> str:
    if cx.rng.random() < 0.5:
        return ""
    v, _ = cx.pick_noun("init", 0.5)
    return fill('"""The {{pkg}} package: {{sentence}}"""\n\n__all__ = ["{{X}}Record"]\n', v)


# ---------------------------------------------------------------------------------------------
# TypeScript / TSX templates.

TS_HEADER = '''// {{sentence}}
import { z } from "zod";
import { supabase } from "@/lib/supabase";
'''

TS_BLOCKS = {
    "interfaces": '''
export interface I{{X}} {
  id: string;
  {{x}}_id: string;
  projectId: string;
  createdAt: string;
  name?: string | null;
  metadata: Record<string, unknown> | null;
}

export interface I{{X}}AndStats extends I{{X}} {
  eventCount: number;
  durationMs: number;
  /** {{sentence}} */
  totalCost?: number;
}

export type IExtended{{X}} = I{{X}}AndStats & { tags: string[]; {{xc}}Url: string };
''',
    "client": '''
export const {{XU}}_PAGE_SIZE = {{n}};

export async function get{{Xs}}(projectId: string, page = 0): Promise<I{{X}}[]> {
  const { data, error } = await supabase
    .from("{{xs}}")
    .select("id, {{x}}_id, project_id, created_at, name, metadata")
    .eq("project_id", projectId)
    .range(page * {{XU}}_PAGE_SIZE, (page + 1) * {{XU}}_PAGE_SIZE - 1);
  if (error) {
    throw new Error(`failed to load {{xws}}: ${error.message}`);
  }
  // {{sentence2}}
  return (data ?? []).map((row) => ({
    id: row.id,
    {{x}}_id: row.{{x}}_id,
    projectId: row.project_id,
    createdAt: row.created_at,
    name: row.name,
    metadata: row.metadata,
  }));
}

export async function delete{{X}}({{xc}}Id: string): Promise<void> {
  const { error } = await supabase.from("{{xs}}").delete().eq("id", {{xc}}Id);
  if (error) throw error;
}
''',
    "schema": '''
export const {{xc}}Schema = z.object({
  id: z.string().uuid(),
  {{xc}}Id: z.string().min(1),
  projectId: z.string(),
  tags: z.array(z.string()).default([]),
});

export type {{X}}Input = z.infer<typeof {{xc}}Schema>;

export function parse{{X}}(input: unknown): {{X}}Input {
  // {{sentence}}
  return {{xc}}Schema.parse(input);
}
''',
    "enum": '''
export enum {{X}}Status {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const {{xc}}StatusLabels: Record<{{X}}Status, string> = {
  [{{X}}Status.Active]: "Active",
  [{{X}}Status.Closed]: "Closed",
  [{{X}}Status.Archived]: "Archived",
};
''',
    "clickhouse": '''
const {{XU}}_SPANS_QUERY = `
  SELECT SpanId, SpanName, Timestamp, Duration
  FROM otel_traces
  WHERE {{X}}Id = {{{x}}_id:String}
  ORDER BY Timestamp
  LIMIT {{n}}
`;

export async function fetch{{X}}Spans(client: ClickHouseClient, {{xc}}Id: string) {
  const result = await client.query({
    query: {{XU}}_SPANS_QUERY,
    query_params: { {{x}}_id: {{xc}}Id },
    format: "JSONEachRow",
  });
  return result.json();
}
''',
    "utils": '''
export function group{{Xs}}ByDay(items: Array<{ createdAt: string; {{xc}}Id: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.{{xc}}Id);
    days.set(day, list);
  }
  // {{sentence}}
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const {{xc}}Url = (projectId: string, {{xc}}Id: string): string =>
  `/project/${projectId}/{{xks}}/${encodeURIComponent({{xc}}Id)}`;
''',
    "route": '''
export async function handle{{X}}Request(request: Request, params: { {{xc}}Id: string }): Promise<Response> {
  const url = new URL(request.url);
  const limit = Number(url.searchParams.get("limit") ?? "{{n}}");
  const res = await fetch(`/api/{{xks}}/${params.{{xc}}Id}?limit=${limit}`, {
    headers: { "x-{{xk}}-id": params.{{xc}}Id },
  });
  if (!res.ok) {
    return new Response(JSON.stringify({ error: "{{xw}} not found" }), { status: 404 });
  }
  return new Response(await res.text(), { status: 200 });
}
''',
}

TSX_BLOCKS = {
    "component": '''
export function {{X}}Drawer({ {{xc}}Id, onClose }: { {{xc}}Id: string; onClose: () => void }) {
  const [open, setOpen] = useState(false);
  const [rows, setRows] = useState<I{{X}}[]>([]);
  // {{sentence}}
  useEffect(() => {
    let cancelled = false;
    get{{Xs}}({{xc}}Id).then((data) => {
      if (!cancelled) setRows(data);
    });
    return () => {
      cancelled = true;
    };
  }, [{{xc}}Id]);
  return (
    <div className="{{xk}}-drawer" data-{{xk}}-id={{{xc}}Id}>
      <button type="button" onClick={() => setOpen(!open)}>
        {open ? "Hide" : "Show"} {{xws}}
      </button>
      {open && (
        <ul>
          {rows.map((row) => (
            <li key={row.id}>
              <{{X}}Row {{xc}}={row} onSelect={() => onClose()} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
''',
    "table": '''
export function {{X}}Table({ items, projectId }: { items: I{{X}}AndStats[]; projectId: string }) {
  const sorted = useMemo(() => [...items].sort((a, b) => b.eventCount - a.eventCount), [items]);
  if (sorted.length === 0) {
    return <p className="text-muted">No {{xws}} yet.</p>;
  }
  return (
    <table>
      <thead>
        <tr>
          <th>{{Xw}}</th>
          <th>Events</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((item) => (
          <tr key={item.id}>
            <td>
              <a href={`/project/${projectId}/{{xks}}/${item.id}`}>{item.name ?? item.id}</a>
            </td>
            <td>{item.eventCount}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
''',
}

TS_TERM_BLOCKS = {
    "storage": '''
export function rememberLastProject(projectId: string): void {
  // Browser storage API: not our term.
  sessionStorage.setItem("lastProjectId", projectId);
  window.sessionStorage.removeItem("draft");
}
''',
    "supabase_auth": '''
export async function accessToken(): Promise<string | null> {
  const { data } = await supabase.auth.getSession();
  const current: Session | null = data.session;
  return current?.access_token ?? null;
}
''',
    "webrtc": '''
export async function acceptOffer(pc: RTCPeerConnection, offer: RTCSessionDescriptionInit) {
  await pc.setRemoteDescription(new RTCSessionDescription(offer));
  return pc.createAnswer();
}
''',
    "local": '''
export function describe{{X}}({{xc}}: IExtended{{X}}): string {
  // A {{xw}} counts its events; the label is shown in the {{xk}} header.
  return `{{Xw}} ${{{xc}}.id} with ${{{xc}}.eventCount} events`;
}
''',
}
TS_TERM_IMPORTS = {
    "supabase_auth": 'import type { Session } from "@supabase/supabase-js";\n',
}
TSX_TERM_BLOCKS = {
    "nextauth": '''
export function SignedInBadge() {
  const { data: session, status } = useSession();
  if (status !== "authenticated") return null;
  return <span className="badge">{session?.user?.email}</span>;
}
''',
}
TSX_TERM_IMPORTS = {"nextauth": 'import { useSession } from "next-auth/react";\n'}


def ts_file(cx: FileCx, size: int) -> str:
    rng = cx.rng
    head, _ = cx.pick_noun("header", 0.3)
    imports = [fill(TS_HEADER, head)]
    if cx.lang == "tsx":
        imports.insert(0, '"use client";\n\nimport { useEffect, useMemo, useState } from "react";\n')
    for other in rng.sample(cx.modules, min(len(cx.modules), rng.randint(0, 3))):
        v, _ = cx.pick_noun("import", 0.0)
        imports.append(f'import {{ get{v["Xs"]} }} from "{other}";\n')
    blocks = dict(TS_BLOCKS)
    term_blocks = dict(TS_TERM_BLOCKS)
    term_imports = dict(TS_TERM_IMPORTS)
    if cx.lang == "tsx":
        blocks.update(TSX_BLOCKS)
        term_blocks.update(TSX_TERM_BLOCKS)
        term_imports.update(TSX_TERM_IMPORTS)
    imports.append('import type { ClickHouseClient } from "@clickhouse/client";\n')
    body = []
    if cx.term:
        if cx.term_modules and rng.random() < 0.7:
            target = rng.choice(cx.term_modules)
            imports.append(f'import {{ getSessions as loadSessions, type ISession as SharedSession }} from "{target}";\n')
        for name in rng.sample(sorted(term_blocks), rng.randint(1, 2)):
            values, _ = cx.pick_noun(name, 1.0)
            imports.append(term_imports.get(name, ""))
            body.append(fill(term_blocks[name], values))
    text = "".join(dict.fromkeys(imports))
    names = sorted(blocks)
    while len(text) + sum(map(len, body)) < size:
        name = rng.choice(names)
        values, _ = cx.pick_noun(name, 0.45)
        body.append(fill(blocks[name], values))
    rng.shuffle(body)
    return text + "".join(body)


# ---------------------------------------------------------------------------------------------
# SQL: Supabase (PostgreSQL) migrations and schema, ClickHouse queries.

PG_BLOCKS = {
    "table": '''
-- {{sentence}}
create table if not exists public.{{xs}} (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  name text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  metadata jsonb,
  constraint {{xs}}_name_length check (char_length(name) <= 200)
);

create index if not exists {{xs}}_project_id_created_at_idx on public.{{xs}} (project_id, created_at desc);
alter table public.{{xs}} enable row level security;

create policy "{{xs}} are readable by members" on public.{{xs}}
  for select using (public.is_project_member(project_id));
''',
    "child": '''
create table if not exists public.{{x}}_{{other}}_links (
  id bigint generated always as identity primary key,
  {{x}}_id uuid not null,
  {{other}}_id uuid not null,
  position integer not null default 0,
  constraint {{x}}_{{other}}_links_{{x}}_id_fkey foreign key ({{x}}_id) references public.{{xs}} (id) on delete cascade
);

create index if not exists {{x}}_{{other}}_links_{{x}}_id_idx on public.{{x}}_{{other}}_links ({{x}}_id);
comment on column public.{{x}}_{{other}}_links.{{x}}_id is 'The {{xw}} this row belongs to.';
''',
    "function": '''
create or replace function public.count_{{xs}}(p_project_id uuid)
returns bigint
language plpgsql
stable
as $$
declare
  total bigint;
begin
  -- {{sentence}}
  select count(*) into total from public.{{xs}} where project_id = p_project_id;
  return total;
end;
$$;
''',
    "view": '''
create or replace view public.{{xs}}_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.{{xs}} s
left join public.events e on e.{{x}}_id = s.id
group by s.id, s.project_id, s.created_at;
''',
    "alter": '''
alter table public.events add column if not exists {{x}}_id uuid;
update public.events set {{x}}_id = legacy_{{x}}_ref where {{x}}_id is null;
alter table public.events
  add constraint events_{{x}}_id_fkey foreign key ({{x}}_id) references public.{{xs}} (id);
''',
}

CH_BLOCKS = {
    "query": '''
-- {{sentence}}
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE {{X}}Id = {{{x}}_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT {{n}};
''',
    "table": '''
CREATE TABLE IF NOT EXISTS {{x}}_rollups
(
    `ProjectId` String,
    `{{X}}Id` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, {{X}}Id, Day);
''',
}


def sql_file(cx: FileCx, size: int, clickhouse: bool) -> str:
    rng = cx.rng
    blocks = CH_BLOCKS if clickhouse else PG_BLOCKS
    names = sorted(blocks)
    head, _ = cx.pick_noun("header", 0.3)
    text = fill("-- {{sentence}}\n", head)
    body = []
    if cx.term and not clickhouse and rng.random() < 0.3:
        # The platform's own names: they stay.
        body.append("\nselect session_user, current_user;\nset session characteristics as transaction read committed;\n")
    while len(text) + sum(map(len, body)) < size:
        name = rng.choice(names)
        values, _ = cx.pick_noun(name, 0.5)
        body.append(fill(blocks[name], values))
    return text + "".join(body)


# ---------------------------------------------------------------------------------------------
# Markdown docs.

MD_BLOCKS = {
    "section": '''
## {{Xs}}

{{sentence}} {{sentence2}}

- `{{x}}_id` identifies the {{xw}} in the API and in exports.
- The dashboard lists {{xws}} under **Project -> {{Xs}}**.
- {{sentence}}
''',
    "code_py": '''
### Fetching {{xws}} from Python

```python
client = Client(api_key="...")
for {{x}} in client.list_{{xs}}(project_id="p1"):
    print({{x}}.id, {{x}}.name)
```
''',
    "code_ts": '''
### Fetching {{xws}} from TypeScript

```ts
const {{xcs}} = await get{{Xs}}(projectId);
console.log({{xcs}}.length);
```
''',
    "table": '''
| Field | Type | Description |
| --- | --- | --- |
| `id` | uuid | Primary key. |
| `{{x}}_id` | uuid | The {{xw}} this row belongs to. |
| `created_at` | timestamptz | {{sentence}} |
''',
}
MD_TERM_BLOCKS = [
    "\nThe Python SDK uses `requests.Session` for HTTP keep-alive; that is unrelated to traces.\n",
    "\nThe web app stores the last opened project in `sessionStorage`.\n",
    "\n> Note: sessions created before the migration keep their old ids.\n",
]


def markdown_file(cx: FileCx, size: int) -> str:
    rng = cx.rng
    head, _ = cx.pick_noun("header", 0.5)
    text = fill("# {{Xs}}\n\n{{sentence}}\n", head)
    body = []
    if cx.term and rng.random() < 0.5:
        body.append(rng.choice(MD_TERM_BLOCKS))
    names = sorted(MD_BLOCKS)
    while len(text) + sum(map(len, body)) < size:
        name = rng.choice(names)
        values, _ = cx.pick_noun(name, 0.5)
        body.append(fill(MD_BLOCKS[name], values))
    return text + "".join(body)


# ---------------------------------------------------------------------------------------------
# Layout.

DIR_WORDS = [
    "api", "core", "models", "handlers", "utils", "storage", "ingest", "export", "billing", "auth",
    "jobs", "workers", "clients", "schemas", "features", "settings", "admin", "reports", "search",
    "metrics", "alerts", "pipelines", "sync", "events", "scoring", "datasets", "prompts", "media",
]
PKG_WORDS = ["acme", "orbit", "lumen", "quill", "nimbus", "tessera", "vega", "atlas", "cobalt", "ember"]
PKG_SUFFIX = ["sdk", "core", "ingest", "worker", "api", "eval", "client", "tools", "server", "agent"]
TERM_DIR_SHARE = 0.03  # share of folders named sessions/ (every file in them mentions the term)
TERM_FILE_SHARE = 0.24


def file_size(rng: random.Random, lang: str) -> int:
    r = rng.random()
    if r < 0.003:
        return rng.randint(60_000, 200_000)
    if r < 0.02:
        return rng.randint(20_000, 60_000)
    median = 2_000 if lang == "md" else 3_500
    return int(min(20_000, max(700, rng.lognormvariate(math.log(median), 0.8))))


def name_for(rng: random.Random, lang: str, term: bool, taken: set) -> str:
    for attempt in range(1000):
        words = noun(rng.choice(TERM_NOUNS if term and rng.random() < 0.15 else NOUNS)).words
        if attempt > 5:
            words = words + [rng.choice(QUALIFIERS)]
        if attempt > 50:
            words = words + [str(attempt)]
        if lang == "py":
            name = "_".join(words) + rng.choice(["", "", "_store", "_service", "_utils", "s"]) + ".py"
        elif lang in ("ts", "tsx"):
            name = "-".join(words) + rng.choice(["", "", "-table", "-client", "-utils"]) + "." + lang
        elif lang == "sql":
            name = "_".join(words) + ".sql"
        else:
            name = "-".join(words) + ".md"
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("no free file name")


@dataclass
class Unit:
    kind: str  # py, ts, sql, md
    root: str  # folder under OUT_DIR
    pkg: str  # Python package / app name
    budget: int  # files to write


def plan_units(rng: random.Random, n: int) -> list[Unit]:
    shares = [("py", 0.36), ("ts", 0.42), ("sql", 0.08), ("md", 0.14)]
    counts = {k: int(n * s) for k, s in shares}
    counts["py"] += n - sum(counts.values())
    units = []
    names = [f"{a}_{b}" for a in PKG_WORDS for b in PKG_SUFFIX]
    rng.shuffle(names)
    per_unit = {"py": 320, "ts": 420, "sql": 600, "md": 500}
    for kind, total in counts.items():
        k = max(1, round(total / per_unit[kind]))
        budgets = [total // k + (1 if i < total % k else 0) for i in range(k)]
        for i, budget in enumerate(budgets):
            if budget == 0:
                continue
            pkg = names[len(units) % len(names)] + ("" if len(units) < len(names) else str(len(units)))
            if kind == "py":
                root = f"{rng.choice(['packages', 'services'])}/{pkg.replace('_', '-')}"
            elif kind == "ts":
                root = f"apps/{pkg.replace('_', '-')}"
            elif kind == "sql":
                root = f"db/{rng.choice(['supabase', 'clickhouse'])}/{pkg.replace('_', '-')}"
            else:
                root = f"docs/{pkg.replace('_', '-')}"
            units.append(Unit(kind, root, pkg, budget))
    return units


def unit_dirs(rng: random.Random, unit: Unit) -> list[str]:
    """Relative folders of a unit where its source files go (nested 1-4 deep)."""
    if unit.kind == "py":
        base = [f"src/{unit.pkg}", "tests"]
    elif unit.kind == "ts":
        base = ["src/lib", "src/components", "src/app/api", "src/hooks"]
    elif unit.kind == "sql":
        base = ["migrations", "schema", "queries"]
    else:
        base = ["guides", "reference"]
    dirs = list(base)
    want = max(len(base), unit.budget // 14)
    children: dict[str, set] = {d: set() for d in dirs}
    while len(dirs) < want:
        # Shallow folders get most children: real trees are wide near the top, 2-4 levels deep.
        weights = [1.0 / (1 + d.count("/")) ** 3 for d in dirs]
        parent = rng.choices(dirs, weights)[0]
        if parent.count("/") >= 5 or parent == "tests" or parent.endswith("migrations"):
            continue
        word = "sessions" if rng.random() < TERM_DIR_SHARE else rng.choice(DIR_WORDS)
        if word in children[parent]:
            continue
        children[parent].add(word)
        d = f"{parent}/{word}"
        dirs.append(d)
        children[d] = set()
    return dirs


def dotted(unit: Unit, rel_file: str) -> str:
    parts = rel_file[:-3].split("/")
    if parts[0] == "src":
        parts = parts[1:]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def generate(out: str, n: int, seed: int) -> dict:
    rng = random.Random(seed)
    units = plan_units(rng, n)
    stats = {"files": 0, "bytes": 0, "term_files": 0, "by_language": {}}
    written_dirs: set = set()

    def write(rel: str, text: str, term: bool, lang: str) -> None:
        path = os.path.join(out, rel)
        d = os.path.dirname(path)
        if d not in written_dirs:
            os.makedirs(d, exist_ok=True)
            written_dirs.add(d)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        stats["files"] += 1
        stats["bytes"] += len(text.encode())
        stats["term_files"] += int("session" in text.lower())
        stats["by_language"][lang] = stats["by_language"].get(lang, 0) + 1

    for unit in units:
        urng = random.Random(f"{seed}:{unit.root}")
        dirs = unit_dirs(urng, unit)
        # Python: every folder under src/<pkg> is a package; its __init__.py counts in the budget.
        files: list[tuple[str, str, bool]] = []  # (relative path, lang, term)
        taken: dict[str, set] = {d: set() for d in dirs}
        budget = unit.budget
        if unit.kind == "py":
            for d in dirs:
                if d.startswith("src/") and budget > 0:
                    files.append((f"{d}/__init__.py", "py", "sessions" in d.split("/")))
                    taken[d].add("__init__.py")
                    budget -= 1
        for _ in range(budget):
            d = urng.choice(dirs)
            in_term_dir = "sessions" in d.split("/")
            term = in_term_dir or urng.random() < TERM_FILE_SHARE
            if unit.kind == "py":
                lang = "py"
                if d == "tests":
                    name = "test_" + name_for(urng, "py", term, taken[d])
                    taken[d].add(name)
                else:
                    name = name_for(urng, "py", term, taken[d])
            elif unit.kind == "ts":
                lang = "tsx" if d.startswith("src/components") or urng.random() < 0.2 else "ts"
                name = name_for(urng, lang, term, taken[d])
            elif unit.kind == "sql":
                lang = "sql"
                name = name_for(urng, "sql", term, taken[d])
                if d == "migrations":
                    name = f"2024{urng.randint(1, 12):02d}{urng.randint(1, 28):02d}{urng.randint(0, 999999):06d}_{name}"
            else:
                lang = "md"
                name = name_for(urng, "md", term, taken[d])
            files.append((f"{d}/{name}", lang, term))
        if unit.kind == "py":
            modules = [dotted(unit, f) for f, _, _ in files if f.startswith("src/") and not f.endswith("__init__.py")]
        elif unit.kind == "ts":
            modules = ["@/" + f[4:].rsplit(".", 1)[0] for f, _, _ in files if f.startswith("src/lib/")]
        else:
            modules = []
        term_modules = [m for m in modules if "sessions" in m.replace("/", ".").split(".")]
        for rel, lang, term in files:
            own = dotted(unit, rel) if lang == "py" else "@/" + rel[4:].rsplit(".", 1)[0]
            cx = FileCx(
                rng=random.Random(f"{seed}:{unit.root}/{rel}"),
                lang=lang,
                term=term,
                pkg=unit.pkg,
                module=own,
                # Files that do not mention the term import only modules whose path does not either.
                modules=[m for m in modules[:400] if m != own and (term or "session" not in m)],
                term_modules=term_modules[:50],
            )
            size = file_size(cx.rng, lang)
            if rel.endswith("__init__.py"):
                text = python_init(cx)
            elif lang == "py":
                text = python_file(cx, size)
            elif lang in ("ts", "tsx"):
                text = ts_file(cx, size)
            elif lang == "sql":
                text = sql_file(cx, size, clickhouse=unit.root.startswith("db/clickhouse"))
            else:
                text = markdown_file(cx, size)
            write(f"{unit.root}/{rel}", text, term, lang)
        # Project files that tools read (not counted in N): a tsconfig with the `@/` alias.
        if unit.kind == "ts":
            tsconfig = {"compilerOptions": {"strict": True, "jsx": "preserve", "baseUrl": ".", "paths": {"@/*": ["./src/*"]}}}
            extra(out, f"{unit.root}/tsconfig.json", json.dumps(tsconfig, indent=2) + "\n")
        if unit.kind == "py":
            extra(out, f"{unit.root}/pyproject.toml", f'[project]\nname = "{unit.pkg}"\nversion = "0.1.0"\n')

    # Ignored build outputs: the walkers must skip them (they mention the term on purpose).
    extra(out, ".gitignore", "node_modules/\ndist/\n__pycache__/\n*.log\n.venv/\n")
    for i in range(20):
        extra(out, f"apps/node_modules/session-lib-{i}/index.js", "module.exports.session = function session() {};\n" * 50)
        extra(out, f"dist/bundle-{i}.log", "session started\n" * 200)
    return stats


extra_count = 0


def extra(out: str, rel: str, text: str) -> None:
    global extra_count
    path = os.path.join(out, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    extra_count += 1


# ---------------------------------------------------------------------------------------------
# Verification: the generated code must parse.

PAIRS = {")": "(", "]": "[", "}": "{"}


def balanced(text: str) -> bool:
    """Bracket balance outside strings/comments, a cheap sanity check for TS and SQL templates."""
    stack = []
    i, n = 0, len(text)
    quote = None
    while i < n:
        c = text[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in "\"'`":
            quote = c
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        elif text.startswith("//", i) or text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        elif c in "([{":
            stack.append(c)
        elif c in ")]}":
            if not stack or stack.pop() != PAIRS[c]:
                return False
        i += 1
    return not stack and quote is None


def verify(out: str, sample: int) -> int:
    """Parse Python files with `ast` (same grammar as py_compile); bracket-check TS and SQL."""
    bad = 0
    checked = 0
    paths = []
    for dirpath, dirnames, filenames in os.walk(out):
        dirnames[:] = sorted(d for d in dirnames if d not in ("node_modules", "dist", ".git"))
        for f in sorted(filenames):
            paths.append(os.path.join(dirpath, f))
    step = max(1, len(paths) // sample) if sample else 1
    for path in paths[::step]:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        checked += 1
        if path.endswith(".py"):
            try:
                ast.parse(text, filename=path)
            except SyntaxError as e:
                print(f"{path}:{e.lineno}: {e.msg}", file=sys.stderr)
                bad += 1
        elif path.endswith((".ts", ".tsx", ".sql")):
            # ClickHouse `{name:Type}` parameters live inside strings in TS and balance in SQL.
            if not balanced(text):
                print(f"{path}: unbalanced brackets", file=sys.stderr)
                bad += 1
    print(f"verified {checked} files, {bad} invalid", file=sys.stderr)
    return bad


def samples(out: str, seed: int, size: int = 32_000) -> None:
    """One term-mentioning file per language for the micro-benchmarks (benches/engine.rs), plus
    `identifiers.txt` (every identifier of the code samples, one a line) and `comments.txt`
    (comment-heavy prose: the comments and docstrings of the samples)."""
    os.makedirs(out, exist_ok=True)
    texts = {}
    for name, lang in (("sample.py", "py"), ("sample.ts", "ts"), ("sample.tsx", "tsx"),
                       ("sample.sql", "sql"), ("clickhouse.sql", "sql"), ("sample.md", "md")):
        cx = FileCx(rng=random.Random(f"{seed}:samples/{name}"), lang=lang, term=True, pkg="acme_sdk",
                    module="acme_sdk.traces.store", modules=["acme_sdk.models", "acme_sdk.sessions.store"],
                    term_modules=["acme_sdk.sessions.store"])
        if lang == "py":
            text = python_file(cx, size)
        elif lang in ("ts", "tsx"):
            cx.modules = ["@/lib/sessions/session-client", "@/lib/orders"]
            cx.term_modules = ["@/lib/sessions/session-client"]
            text = ts_file(cx, size)
        elif lang == "sql":
            text = sql_file(cx, size, clickhouse=name.startswith("clickhouse"))
        else:
            text = markdown_file(cx, size)
        texts[name] = text
        with open(os.path.join(out, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    code = texts["sample.py"] + texts["sample.ts"] + texts["sample.tsx"]
    idents = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code)
    with open(os.path.join(out, "identifiers.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(idents) + "\n")
    rng = random.Random(f"{seed}:samples/comments")
    lines = []
    while sum(map(len, lines)) < size:
        values, term = FileCx(rng=rng, lang="py", term=True).pick_noun("comment", 0.5)
        lines.append(f"# {sentence(rng, values, term)} {sentence(rng, values, term)}\n")
        if rng.random() < 0.3:
            lines.append(f"x_{len(lines)} = compute()  # {sentence(rng, values, term)}\n")
    with open(os.path.join(out, "comments.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(lines))


def set_term_share(share: float) -> None:
    global TERM_FILE_SHARE, TERM_DIR_SHARE
    TERM_DIR_SHARE = 0.03 * share / 0.24
    TERM_FILE_SHARE = share


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="output folder (replaced if it exists)")
    ap.add_argument("--files", type=int, default=50_000, help="number of source files (default 50000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--verify", type=int, metavar="N", default=None,
                    help="after writing, parse about N files (0 = all) and fail on any invalid one")
    ap.add_argument("--term-share", type=float, default=0.24, metavar="F",
                    help="share of files that mention the term outside sessions/ folders (default "
                         "0.24; 0 = a tree where the term is gone, as in CI after the rename)")
    ap.add_argument("--no-git", action="store_true", help="do not `git init` the corpus")
    ap.add_argument("--samples", action="store_true",
                    help="write the micro-benchmark inputs (one file per language) into OUT instead")
    args = ap.parse_args()
    if args.samples:
        samples(args.out, args.seed)
        return 0
    set_term_share(args.term_share)
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    os.makedirs(args.out)
    stats = generate(args.out, args.files, args.seed)
    if not args.no_git and shutil.which("git"):
        # A repository, so every walker (ripgrep included) honours the .gitignore the same way.
        subprocess.run(["git", "init", "-q", args.out], check=True)
    stats["mb"] = round(stats["bytes"] / 1e6, 1)
    stats["term_share"] = round(stats["term_files"] / max(1, stats["files"]), 3)
    print(json.dumps(stats, sort_keys=True), file=sys.stderr)
    if args.verify is not None and verify(args.out, args.verify):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
