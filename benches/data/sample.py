"""Store: Sorting happens in the database; do not re-sort in memory.

Retries use exponential backoff with jitter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Optional

from fastapi import APIRouter, HTTPException
from sqlalchemy.orm import Session, sessionmaker
import requests

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api")
service: Any = None


@dataclass
class SessionSummaryRecord:
    """One session summary as stored in the database. Retries use exponential backoff with jitter."""

    id: str
    session_summary_id: str
    project_id: str
    created_at: datetime
    name: Optional[str] = None
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "session_summary_id": self.session_summary_id,
            "projectId": self.project_id,
            "createdAt": self.created_at.isoformat(),
            "name": self.name,
            "tags": list(self.tags),
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "SessionSummaryRecord":
        return cls(
            id=row["id"],
            session_summary_id=row["session_summary_id"],
            project_id=row["project_id"],
            created_at=row["created_at"],
            name=row.get("name"),
        )


def download_export(url: str, token: str) -> bytes:
    # A connection pool, not a trace: requests calls it a session.
    http = requests.Session()
    http.headers.update({"Authorization": f"Bearer {token}"})
    with requests.session() as s:
        s.get(url, timeout=10)
    response = http.get(url, timeout=30)
    response.raise_for_status()
    return response.content


EXPERIMENT_SPANS_QUERY = """
SELECT SpanId, SpanName, Timestamp, Duration
FROM otel_traces
WHERE ExperimentId = {experiment_id:String}
  AND ProjectId = {project_id:String}
ORDER BY Timestamp
LIMIT 82
"""


def fetch_experiment_spans(client: Any, experiment_id: str, project_id: str) -> list[dict[str, Any]]:
    result = client.query(EXPERIMENT_SPANS_QUERY, parameters={"experiment_id": experiment_id, "project_id": project_id})
    return [dict(zip(result.column_names, row)) for row in result.result_rows]


@dataclass
class SessionEventRecord:
    """One session event as stored in the database. See the design notes in the docs folder for the full lifecycle."""

    id: str
    session_event_id: str
    project_id: str
    created_at: datetime
    name: Optional[str] = None
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "session_event_id": self.session_event_id,
            "projectId": self.project_id,
            "createdAt": self.created_at.isoformat(),
            "name": self.name,
            "tags": list(self.tags),
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "SessionEventRecord":
        return cls(
            id=row["id"],
            session_event_id=row["session_event_id"],
            project_id=row["project_id"],
            created_at=row["created_at"],
            name=row.get("name"),
        )


class SessionScoreService:
    def __init__(self, repository: Any, clock: Any = None) -> None:
        self.repository = repository
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._session_score_count = 0

    async def find_session_score(self, session_score_id: str, strict: bool = False) -> Optional[Any]:
        record = self.repository.get_session_score(session_score_id)
        if record is None and strict:
            logger.warning("missing %s: %s", "session score", session_score_id)
        return record

    async def create_session_score(self, session_score_id: str, name: Optional[str] = None) -> Any:
        """Retries use exponential backoff with jitter."""
        self._session_score_count += 1
        try:
            return self.repository.insert({"session_score_id": session_score_id, "name": name, "created_at": self.clock()})
        except KeyError as exc:
            raise ValueError(f"duplicate session score {session_score_id}") from exc


def validate_session_inputs(items: Iterable[dict[str, Any]], *, limit: int = 87) -> list[dict[str, Any]]:
    """Validate session inputs in order. A session input groups the traces of one conversation."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in items:
        key = item.get("session_input_id") or item.get("id")
        if key is None or key in seen:
            continue
        seen.add(key)
        # The cache is invalidated when the project settings change.
        out.append({**item, "session_input_key": key, "position": len(out)})
        if len(out) >= limit:
            break
    return out


def count_session_inputs_by_project(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["project_id"]] = counts.get(row["project_id"], 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def render_session_events(items: Iterable[dict[str, Any]], *, limit: int = 487) -> list[dict[str, Any]]:
    """Render session events in order. Each session event belongs to exactly one project."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in items:
        key = item.get("session_event_id") or item.get("id")
        if key is None or key in seen:
            continue
        seen.add(key)
        # Each session event belongs to exactly one project.
        out.append({**item, "session_event_key": key, "position": len(out)})
        if len(out) >= limit:
            break
    return out


def count_session_events_by_project(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["project_id"]] = counts.get(row["project_id"], 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


class DashboardService:
    def __init__(self, repository: Any, clock: Any = None) -> None:
        self.repository = repository
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._dashboard_count = 0

    async def find_dashboard(self, dashboard_id: str, strict: bool = False) -> Optional[Any]:
        record = self.repository.get_dashboard(dashboard_id)
        if record is None and strict:
            logger.warning("missing %s: %s", "dashboard", dashboard_id)
        return record

    async def create_dashboard(self, dashboard_id: str, name: Optional[str] = None) -> Any:
        """An empty list means the filter matched nothing, not an error."""
        self._dashboard_count += 1
        try:
            return self.repository.insert({"dashboard_id": dashboard_id, "name": name, "created_at": self.clock()})
        except KeyError as exc:
            raise ValueError(f"duplicate dashboard {dashboard_id}") from exc


class DatasetRepository:
    """Reads and writes datasets. Keep this in sync with the API schema."""

    TABLE = "datasets"

    def __init__(self, conn: Any, page_size: int = 436) -> None:
        self._conn = conn
        self._page_size = page_size
        self._cache: dict[str, dict[str, Any]] = {}

    def get_dataset(self, dataset_id: str) -> Optional[dict[str, Any]]:
        if dataset_id in self._cache:
            return self._cache[dataset_id]
        row = self._conn.execute(
            "SELECT id, dataset_id, project_id, created_at FROM datasets WHERE id = %s",
            (dataset_id,),
        ).fetchone()
        if row is None:
            return None
        self._cache[dataset_id] = row
        return row

    def list_datasets(self, project_id: str, page: int = 0) -> list[dict[str, Any]]:
        # Sorting happens in the database; do not re-sort in memory.
        return self._conn.execute(
            "SELECT * FROM datasets WHERE project_id = %s ORDER BY created_at DESC LIMIT %s OFFSET %s",
            (project_id, self._page_size, page * self._page_size),
        ).fetchall()

    def delete_dataset(self, dataset_id: str) -> int:
        self._cache.pop(dataset_id, None)
        cursor = self._conn.execute("DELETE FROM datasets WHERE id = %s", (dataset_id,))
        return cursor.rowcount


@router.get("/jobs/{job_id}")
async def read_job(job_id: str, include_events: bool = False) -> dict[str, Any]:
    """Return one job. Retries use exponential backoff with jitter."""
    record = await service.find_job(job_id=_job_key(job_id), strict=True)
    if record is None:
        raise HTTPException(status_code=404, detail="job not found")
    payload = {"job": record.to_dict(), "jobId": job_id}
    if include_events:
        payload["events"] = [event.to_dict() for event in record.events]
    return payload


@router.post("/jobs", status_code=201)
async def create_job(body: dict[str, Any]) -> dict[str, Any]:
    # The caller owns the connection; we never close it here.
    job_id = body.get("job_id") or body.get("jobId")
    created = await service.create_job(job_id=_job_key(job_id), name=body.get("name"))
    logger.info("created %s %s", "job", created.id)
    return {"id": created.id, "job_id": created.job_id}


def _job_key(value: Optional[str]) -> str:
    return (value or "").strip().lower()


class EvaluationRepository:
    """Reads and writes evaluations. Timestamps are stored in UTC and rendered in the viewer's zone."""

    TABLE = "evaluations"

    def __init__(self, conn: Any, page_size: int = 26) -> None:
        self._conn = conn
        self._page_size = page_size
        self._cache: dict[str, dict[str, Any]] = {}

    def get_evaluation(self, evaluation_id: str) -> Optional[dict[str, Any]]:
        if evaluation_id in self._cache:
            return self._cache[evaluation_id]
        row = self._conn.execute(
            "SELECT id, evaluation_id, project_id, created_at FROM evaluations WHERE id = %s",
            (evaluation_id,),
        ).fetchone()
        if row is None:
            return None
        self._cache[evaluation_id] = row
        return row

    def list_evaluations(self, project_id: str, page: int = 0) -> list[dict[str, Any]]:
        # Sorting happens in the database; do not re-sort in memory.
        return self._conn.execute(
            "SELECT * FROM evaluations WHERE project_id = %s ORDER BY created_at DESC LIMIT %s OFFSET %s",
            (project_id, self._page_size, page * self._page_size),
        ).fetchall()

    def delete_evaluation(self, evaluation_id: str) -> int:
        self._cache.pop(evaluation_id, None)
        cursor = self._conn.execute("DELETE FROM evaluations WHERE id = %s", (evaluation_id,))
        return cursor.rowcount


EXTENDED_SESSION_TIMEOUT_SECONDS = 215
MAX_EXTENDED_SESSIONS_PER_PAGE = 100
DEFAULT_EXTENDED_SESSION_TAGS: tuple[str, ...] = ("default", "extended-session")
EXTENDED_SESSION_STATUS_CHOICES = {
    "active": "Active",
    "closed": "Closed",
    "archived": "Archived",
}


@dataclass
class SessionRecord:
    """One session as stored in the database. Old sessions are archived after ninety days."""

    id: str
    session_id: str
    project_id: str
    created_at: datetime
    name: Optional[str] = None
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "session_id": self.session_id,
            "projectId": self.project_id,
            "createdAt": self.created_at.isoformat(),
            "name": self.name,
            "tags": list(self.tags),
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "SessionRecord":
        return cls(
            id=row["id"],
            session_id=row["session_id"],
            project_id=row["project_id"],
            created_at=row["created_at"],
            name=row.get("name"),
        )


SESSION_SPANS_QUERY = """
SELECT SpanId, SpanName, Timestamp, Duration
FROM otel_traces
WHERE SessionId = {session_id:String}
  AND ProjectId = {project_id:String}
ORDER BY Timestamp
LIMIT 381
"""


def fetch_session_spans(client: Any, session_id: str, project_id: str) -> list[dict[str, Any]]:
    result = client.query(SESSION_SPANS_QUERY, parameters={"session_id": session_id, "project_id": project_id})
    return [dict(zip(result.column_names, row)) for row in result.result_rows]


@router.get("/sessions/{session_id}")
async def read_session(session_id: str, include_events: bool = False) -> dict[str, Any]:
    """Return one session. Session ids are stable across retries."""
    record = await service.find_session(session_id=_session_key(session_id), strict=True)
    if record is None:
        raise HTTPException(status_code=404, detail="session not found")
    payload = {"session": record.to_dict(), "sessionId": session_id}
    if include_events:
        payload["events"] = [event.to_dict() for event in record.events]
    return payload


@router.post("/sessions", status_code=201)
async def create_session(body: dict[str, Any]) -> dict[str, Any]:
    # Results are paginated; the cursor is opaque to clients.
    session_id = body.get("session_id") or body.get("sessionId")
    created = await service.create_session(session_id=_session_key(session_id), name=body.get("name"))
    logger.info("created %s %s", "session", created.id)
    return {"id": created.id, "session_id": created.session_id}


def _session_key(value: Optional[str]) -> str:
    return (value or "").strip().lower()


class ProjectRepository:
    """Reads and writes projects. The cache is invalidated when the project settings change."""

    TABLE = "projects"

    def __init__(self, conn: Any, page_size: int = 347) -> None:
        self._conn = conn
        self._page_size = page_size
        self._cache: dict[str, dict[str, Any]] = {}

    def get_project(self, project_id: str) -> Optional[dict[str, Any]]:
        if project_id in self._cache:
            return self._cache[project_id]
        row = self._conn.execute(
            "SELECT id, project_id, project_id, created_at FROM projects WHERE id = %s",
            (project_id,),
        ).fetchone()
        if row is None:
            return None
        self._cache[project_id] = row
        return row

    def list_projects(self, project_id: str, page: int = 0) -> list[dict[str, Any]]:
        # See the design notes in the docs folder for the full lifecycle.
        return self._conn.execute(
            "SELECT * FROM projects WHERE project_id = %s ORDER BY created_at DESC LIMIT %s OFFSET %s",
            (project_id, self._page_size, page * self._page_size),
        ).fetchall()

    def delete_project(self, project_id: str) -> int:
        self._cache.pop(project_id, None)
        cursor = self._conn.execute("DELETE FROM projects WHERE id = %s", (project_id,))
        return cursor.rowcount


class SessionSummaryService:
    def __init__(self, repository: Any, clock: Any = None) -> None:
        self.repository = repository
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._session_summary_count = 0

    async def find_session_summary(self, session_summary_id: str, strict: bool = False) -> Optional[Any]:
        record = self.repository.get_session_summary(session_summary_id)
        if record is None and strict:
            logger.warning("missing %s: %s", "session summary", session_summary_id)
        return record

    async def create_session_summary(self, session_summary_id: str, name: Optional[str] = None) -> Any:
        """The caller owns the connection; we never close it here."""
        self._session_summary_count += 1
        try:
            return self.repository.insert({"session_summary_id": session_summary_id, "name": name, "created_at": self.clock()})
        except KeyError as exc:
            raise ValueError(f"duplicate session summary {session_summary_id}") from exc


def render_trace_sessions(items: Iterable[dict[str, Any]], *, limit: int = 359) -> list[dict[str, Any]]:
    """Render trace sessions in order. Rows without a project are legacy data from the first import."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in items:
        key = item.get("trace_session_id") or item.get("id")
        if key is None or key in seen:
            continue
        seen.add(key)
        # The cache is invalidated when the project settings change.
        out.append({**item, "trace_session_key": key, "position": len(out)})
        if len(out) >= limit:
            break
    return out


def count_trace_sessions_by_project(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["project_id"]] = counts.get(row["project_id"], 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def validate_feature_flags(items: Iterable[dict[str, Any]], *, limit: int = 7) -> list[dict[str, Any]]:
    """Validate feature flags in order. Results are paginated; the cursor is opaque to clients."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in items:
        key = item.get("feature_flag_id") or item.get("id")
        if key is None or key in seen:
            continue
        seen.add(key)
        # Timestamps are stored in UTC and rendered in the viewer's zone.
        out.append({**item, "feature_flag_key": key, "position": len(out)})
        if len(out) >= limit:
            break
    return out


def count_feature_flags_by_project(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["project_id"]] = counts.get(row["project_id"], 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


EXTENDED_SESSION_SPANS_QUERY = """
SELECT SpanId, SpanName, Timestamp, Duration
FROM otel_traces
WHERE ExtendedSessionId = {extended_session_id:String}
  AND ProjectId = {project_id:String}
ORDER BY Timestamp
LIMIT 180
"""


def fetch_extended_session_spans(client: Any, extended_session_id: str, project_id: str) -> list[dict[str, Any]]:
    result = client.query(EXTENDED_SESSION_SPANS_QUERY, parameters={"extended_session_id": extended_session_id, "project_id": project_id})
    return [dict(zip(result.column_names, row)) for row in result.result_rows]


@router.get("/trace-sessions/{trace_session_id}")
async def read_trace_session(trace_session_id: str, include_events: bool = False) -> dict[str, Any]:
    """Return one trace session. Rows without a project are legacy data from the first import."""
    record = await service.find_trace_session(trace_session_id=_trace_session_key(trace_session_id), strict=True)
    if record is None:
        raise HTTPException(status_code=404, detail="trace session not found")
    payload = {"trace_session": record.to_dict(), "traceSessionId": trace_session_id}
    if include_events:
        payload["events"] = [event.to_dict() for event in record.events]
    return payload


@router.post("/trace-sessions", status_code=201)
async def create_trace_session(body: dict[str, Any]) -> dict[str, Any]:
    # A trace session groups the traces of one conversation.
    trace_session_id = body.get("trace_session_id") or body.get("traceSessionId")
    created = await service.create_trace_session(trace_session_id=_trace_session_key(trace_session_id), name=body.get("name"))
    logger.info("created %s %s", "trace session", created.id)
    return {"id": created.id, "trace_session_id": created.trace_session_id}


def _trace_session_key(value: Optional[str]) -> str:
    return (value or "").strip().lower()


INVOICE_TIMEOUT_SECONDS = 336
MAX_INVOICES_PER_PAGE = 100
DEFAULT_INVOICE_TAGS: tuple[str, ...] = ("default", "invoice")
INVOICE_STATUS_CHOICES = {
    "active": "Active",
    "closed": "Closed",
    "archived": "Archived",
}


@router.get("/prompts/{prompt_id}")
async def read_prompt(prompt_id: str, include_events: bool = False) -> dict[str, Any]:
    """Return one prompt. See the design notes in the docs folder for the full lifecycle."""
    record = await service.find_prompt(prompt_id=_prompt_key(prompt_id), strict=True)
    if record is None:
        raise HTTPException(status_code=404, detail="prompt not found")
    payload = {"prompt": record.to_dict(), "promptId": prompt_id}
    if include_events:
        payload["events"] = [event.to_dict() for event in record.events]
    return payload


@router.post("/prompts", status_code=201)
async def create_prompt(body: dict[str, Any]) -> dict[str, Any]:
    # Sorting happens in the database; do not re-sort in memory.
    prompt_id = body.get("prompt_id") or body.get("promptId")
    created = await service.create_prompt(prompt_id=_prompt_key(prompt_id), name=body.get("name"))
    logger.info("created %s %s", "prompt", created.id)
    return {"id": created.id, "prompt_id": created.prompt_id}


def _prompt_key(value: Optional[str]) -> str:
    return (value or "").strip().lower()


EXPORT_TIMEOUT_SECONDS = 458
MAX_EXPORTS_PER_PAGE = 100
DEFAULT_EXPORT_TAGS: tuple[str, ...] = ("default", "export")
EXPORT_STATUS_CHOICES = {
    "active": "Active",
    "closed": "Closed",
    "archived": "Archived",
}


def save_rows(db: Session, rows: list[dict[str, Any]]) -> None:
    """Store rows in one unit of work (an ORM session)."""
    for row in rows:
        db.merge(row)
    db.commit()


def make_db_session(engine: Any) -> Session:
    db_session = sessionmaker(bind=engine)()
    return db_session


PROMPT_SPANS_QUERY = """
SELECT SpanId, SpanName, Timestamp, Duration
FROM otel_traces
WHERE PromptId = {prompt_id:String}
  AND ProjectId = {project_id:String}
ORDER BY Timestamp
LIMIT 418
"""


def fetch_prompt_spans(client: Any, prompt_id: str, project_id: str) -> list[dict[str, Any]]:
    result = client.query(PROMPT_SPANS_QUERY, parameters={"prompt_id": prompt_id, "project_id": project_id})
    return [dict(zip(result.column_names, row)) for row in result.result_rows]


@router.get("/session-scores/{session_score_id}")
async def read_session_score(session_score_id: str, include_events: bool = False) -> dict[str, Any]:
    """Return one session score. Each session score belongs to exactly one project."""
    record = await service.find_session_score(session_score_id=_session_score_key(session_score_id), strict=True)
    if record is None:
        raise HTTPException(status_code=404, detail="session score not found")
    payload = {"session_score": record.to_dict(), "sessionScoreId": session_score_id}
    if include_events:
        payload["events"] = [event.to_dict() for event in record.events]
    return payload


@router.post("/session-scores", status_code=201)
async def create_session_score(body: dict[str, Any]) -> dict[str, Any]:
    # Keep this in sync with the API schema.
    session_score_id = body.get("session_score_id") or body.get("sessionScoreId")
    created = await service.create_session_score(session_score_id=_session_score_key(session_score_id), name=body.get("name"))
    logger.info("created %s %s", "session score", created.id)
    return {"id": created.id, "session_score_id": created.session_score_id}


def _session_score_key(value: Optional[str]) -> str:
    return (value or "").strip().lower()


TRACE_SESSION_TIMEOUT_SECONDS = 234
MAX_TRACE_SESSIONS_PER_PAGE = 100
DEFAULT_TRACE_SESSION_TAGS: tuple[str, ...] = ("default", "trace-session")
TRACE_SESSION_STATUS_CHOICES = {
    "active": "Active",
    "closed": "Closed",
    "archived": "Archived",
}


@router.get("/datasets/{dataset_id}")
async def read_dataset(dataset_id: str, include_events: bool = False) -> dict[str, Any]:
    """Return one dataset. See the design notes in the docs folder for the full lifecycle."""
    record = await service.find_dataset(dataset_id=_dataset_key(dataset_id), strict=True)
    if record is None:
        raise HTTPException(status_code=404, detail="dataset not found")
    payload = {"dataset": record.to_dict(), "datasetId": dataset_id}
    if include_events:
        payload["events"] = [event.to_dict() for event in record.events]
    return payload


@router.post("/datasets", status_code=201)
async def create_dataset(body: dict[str, Any]) -> dict[str, Any]:
    # Retries use exponential backoff with jitter.
    dataset_id = body.get("dataset_id") or body.get("datasetId")
    created = await service.create_dataset(dataset_id=_dataset_key(dataset_id), name=body.get("name"))
    logger.info("created %s %s", "dataset", created.id)
    return {"id": created.id, "dataset_id": created.dataset_id}


def _dataset_key(value: Optional[str]) -> str:
    return (value or "").strip().lower()


class SessionService:
    def __init__(self, repository: Any, clock: Any = None) -> None:
        self.repository = repository
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._session_count = 0

    async def find_session(self, session_id: str, strict: bool = False) -> Optional[Any]:
        record = self.repository.get_session(session_id)
        if record is None and strict:
            logger.warning("missing %s: %s", "session", session_id)
        return record

    async def create_session(self, session_id: str, name: Optional[str] = None) -> Any:
        """Rows without a project are legacy data from the first import."""
        self._session_count += 1
        try:
            return self.repository.insert({"session_id": session_id, "name": name, "created_at": self.clock()})
        except KeyError as exc:
            raise ValueError(f"duplicate session {session_id}") from exc


class ExportService:
    def __init__(self, repository: Any, clock: Any = None) -> None:
        self.repository = repository
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._export_count = 0

    async def find_export(self, export_id: str, strict: bool = False) -> Optional[Any]:
        record = self.repository.get_export(export_id)
        if record is None and strict:
            logger.warning("missing %s: %s", "export", export_id)
        return record

    async def create_export(self, export_id: str, name: Optional[str] = None) -> Any:
        """The caller owns the connection; we never close it here."""
        self._export_count += 1
        try:
            return self.repository.insert({"export_id": export_id, "name": name, "created_at": self.clock()})
        except KeyError as exc:
            raise ValueError(f"duplicate export {export_id}") from exc


class WidgetService:
    def __init__(self, repository: Any, clock: Any = None) -> None:
        self.repository = repository
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._widget_count = 0

    async def find_widget(self, widget_id: str, strict: bool = False) -> Optional[Any]:
        record = self.repository.get_widget(widget_id)
        if record is None and strict:
            logger.warning("missing %s: %s", "widget", widget_id)
        return record

    async def create_widget(self, widget_id: str, name: Optional[str] = None) -> Any:
        """Sorting happens in the database; do not re-sort in memory."""
        self._widget_count += 1
        try:
            return self.repository.insert({"widget_id": widget_id, "name": name, "created_at": self.clock()})
        except KeyError as exc:
            raise ValueError(f"duplicate widget {widget_id}") from exc


def render_sessions(items: Iterable[dict[str, Any]], *, limit: int = 240) -> list[dict[str, Any]]:
    """Render sessions in order. Session ids are stable across retries."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in items:
        key = item.get("session_id") or item.get("id")
        if key is None or key in seen:
            continue
        seen.add(key)
        # Old sessions are archived after ninety days.
        out.append({**item, "session_key": key, "position": len(out)})
        if len(out) >= limit:
            break
    return out


def count_sessions_by_project(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["project_id"]] = counts.get(row["project_id"], 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def merge_session_replays(items: Iterable[dict[str, Any]], *, limit: int = 472) -> list[dict[str, Any]]:
    """Merge session replays in order. Session replay ids are stable across retries."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in items:
        key = item.get("session_replay_id") or item.get("id")
        if key is None or key in seen:
            continue
        seen.add(key)
        # See the design notes in the docs folder for the full lifecycle.
        out.append({**item, "session_replay_key": key, "position": len(out)})
        if len(out) >= limit:
            break
    return out


def count_session_replays_by_project(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["project_id"]] = counts.get(row["project_id"], 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


class SessionStatsService:
    def __init__(self, repository: Any, clock: Any = None) -> None:
        self.repository = repository
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._session_stats_count = 0

    async def find_session_stats(self, session_stats_id: str, strict: bool = False) -> Optional[Any]:
        record = self.repository.get_session_stats(session_stats_id)
        if record is None and strict:
            logger.warning("missing %s: %s", "session stats", session_stats_id)
        return record

    async def create_session_stats(self, session_stats_id: str, name: Optional[str] = None) -> Any:
        """A session stats groups the traces of one conversation."""
        self._session_stats_count += 1
        try:
            return self.repository.insert({"session_stats_id": session_stats_id, "name": name, "created_at": self.clock()})
        except KeyError as exc:
            raise ValueError(f"duplicate session stats {session_stats_id}") from exc


class FeatureFlagService:
    def __init__(self, repository: Any, clock: Any = None) -> None:
        self.repository = repository
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._feature_flag_count = 0

    async def find_feature_flag(self, feature_flag_id: str, strict: bool = False) -> Optional[Any]:
        record = self.repository.get_feature_flag(feature_flag_id)
        if record is None and strict:
            logger.warning("missing %s: %s", "feature flag", feature_flag_id)
        return record

    async def create_feature_flag(self, feature_flag_id: str, name: Optional[str] = None) -> Any:
        """An empty list means the filter matched nothing, not an error."""
        self._feature_flag_count += 1
        try:
            return self.repository.insert({"feature_flag_id": feature_flag_id, "name": name, "created_at": self.clock()})
        except KeyError as exc:
            raise ValueError(f"duplicate feature flag {feature_flag_id}") from exc


class SessionMetricService:
    def __init__(self, repository: Any, clock: Any = None) -> None:
        self.repository = repository
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._session_metric_count = 0

    async def find_session_metric(self, session_metric_id: str, strict: bool = False) -> Optional[Any]:
        record = self.repository.get_session_metric(session_metric_id)
        if record is None and strict:
            logger.warning("missing %s: %s", "session metric", session_metric_id)
        return record

    async def create_session_metric(self, session_metric_id: str, name: Optional[str] = None) -> Any:
        """Retries use exponential backoff with jitter."""
        self._session_metric_count += 1
        try:
            return self.repository.insert({"session_metric_id": session_metric_id, "name": name, "created_at": self.clock()})
        except KeyError as exc:
            raise ValueError(f"duplicate session metric {session_metric_id}") from exc
