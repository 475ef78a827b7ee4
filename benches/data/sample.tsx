"use client";

import { useEffect, useMemo, useState } from "react";
// Sorting happens in the database; do not re-sort in memory.
import { z } from "zod";
import { supabase } from "@/lib/supabase";
import { getScores } from "@/lib/sessions/session-client";
import { getAnnotations } from "@/lib/orders";
import type { ClickHouseClient } from "@clickhouse/client";
import { useSession } from "next-auth/react";
import type { Session } from "@supabase/supabase-js";

export function SessionBookmarkTable({ items, projectId }: { items: ISessionBookmarkAndStats[]; projectId: string }) {
  const sorted = useMemo(() => [...items].sort((a, b) => b.eventCount - a.eventCount), [items]);
  if (sorted.length === 0) {
    return <p className="text-muted">No session bookmarks yet.</p>;
  }
  return (
    <table>
      <thead>
        <tr>
          <th>Session bookmark</th>
          <th>Events</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((item) => (
          <tr key={item.id}>
            <td>
              <a href={`/project/${projectId}/session-bookmarks/${item.id}`}>{item.name ?? item.id}</a>
            </td>
            <td>{item.eventCount}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function groupBillingPlansByDay(items: Array<{ createdAt: string; billingPlanId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.billingPlanId);
    days.set(day, list);
  }
  // Timestamps are stored in UTC and rendered in the viewer's zone.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const billingPlanUrl = (projectId: string, billingPlanId: string): string =>
  `/project/${projectId}/billing-plans/${encodeURIComponent(billingPlanId)}`;

export const sessionMetricSchema = z.object({
  id: z.string().uuid(),
  sessionMetricId: z.string().min(1),
  projectId: z.string(),
  tags: z.array(z.string()).default([]),
});

export type SessionMetricInput = z.infer<typeof sessionMetricSchema>;

export function parseSessionMetric(input: unknown): SessionMetricInput {
  // See the design notes in the docs folder for the full lifecycle.
  return sessionMetricSchema.parse(input);
}

export enum ExportStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const exportStatusLabels: Record<ExportStatus, string> = {
  [ExportStatus.Active]: "Active",
  [ExportStatus.Closed]: "Closed",
  [ExportStatus.Archived]: "Archived",
};

export function groupSessionStatsByDay(items: Array<{ createdAt: string; sessionStatsId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.sessionStatsId);
    days.set(day, list);
  }
  // An empty list means the filter matched nothing, not an error.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const sessionStatsUrl = (projectId: string, sessionStatsId: string): string =>
  `/project/${projectId}/session-stats/${encodeURIComponent(sessionStatsId)}`;

export interface IAgentSession {
  id: string;
  agent_session_id: string;
  projectId: string;
  createdAt: string;
  name?: string | null;
  metadata: Record<string, unknown> | null;
}

export interface IAgentSessionAndStats extends IAgentSession {
  eventCount: number;
  durationMs: number;
  /** Timestamps are stored in UTC and rendered in the viewer's zone. */
  totalCost?: number;
}

export type IExtendedAgentSession = IAgentSessionAndStats & { tags: string[]; agentSessionUrl: string };

export async function accessToken(): Promise<string | null> {
  const { data } = await supabase.auth.getSession();
  const current: Session | null = data.session;
  return current?.access_token ?? null;
}

export enum SessionInputStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const sessionInputStatusLabels: Record<SessionInputStatus, string> = {
  [SessionInputStatus.Active]: "Active",
  [SessionInputStatus.Closed]: "Closed",
  [SessionInputStatus.Archived]: "Archived",
};

export function SessionTable({ items, projectId }: { items: ISessionAndStats[]; projectId: string }) {
  const sorted = useMemo(() => [...items].sort((a, b) => b.eventCount - a.eventCount), [items]);
  if (sorted.length === 0) {
    return <p className="text-muted">No sessions yet.</p>;
  }
  return (
    <table>
      <thead>
        <tr>
          <th>Session</th>
          <th>Events</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((item) => (
          <tr key={item.id}>
            <td>
              <a href={`/project/${projectId}/sessions/${item.id}`}>{item.name ?? item.id}</a>
            </td>
            <td>{item.eventCount}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function groupModelsByDay(items: Array<{ createdAt: string; modelId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.modelId);
    days.set(day, list);
  }
  // The caller owns the connection; we never close it here.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const modelUrl = (projectId: string, modelId: string): string =>
  `/project/${projectId}/models/${encodeURIComponent(modelId)}`;

export function SessionInputTable({ items, projectId }: { items: ISessionInputAndStats[]; projectId: string }) {
  const sorted = useMemo(() => [...items].sort((a, b) => b.eventCount - a.eventCount), [items]);
  if (sorted.length === 0) {
    return <p className="text-muted">No session inputs yet.</p>;
  }
  return (
    <table>
      <thead>
        <tr>
          <th>Session input</th>
          <th>Events</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((item) => (
          <tr key={item.id}>
            <td>
              <a href={`/project/${projectId}/session-inputs/${item.id}`}>{item.name ?? item.id}</a>
            </td>
            <td>{item.eventCount}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export enum SessionMetricStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const sessionMetricStatusLabels: Record<SessionMetricStatus, string> = {
  [SessionMetricStatus.Active]: "Active",
  [SessionMetricStatus.Closed]: "Closed",
  [SessionMetricStatus.Archived]: "Archived",
};

export enum FeatureFlagStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const featureFlagStatusLabels: Record<FeatureFlagStatus, string> = {
  [FeatureFlagStatus.Active]: "Active",
  [FeatureFlagStatus.Closed]: "Closed",
  [FeatureFlagStatus.Archived]: "Archived",
};

const SESSION_SCORE_SPANS_QUERY = `
  SELECT SpanId, SpanName, Timestamp, Duration
  FROM otel_traces
  WHERE SessionScoreId = {session_score_id:String}
  ORDER BY Timestamp
  LIMIT 200
`;

export async function fetchSessionScoreSpans(client: ClickHouseClient, sessionScoreId: string) {
  const result = await client.query({
    query: SESSION_SCORE_SPANS_QUERY,
    query_params: { session_score_id: sessionScoreId },
    format: "JSONEachRow",
  });
  return result.json();
}

export interface IOrder {
  id: string;
  order_id: string;
  projectId: string;
  createdAt: string;
  name?: string | null;
  metadata: Record<string, unknown> | null;
}

export interface IOrderAndStats extends IOrder {
  eventCount: number;
  durationMs: number;
  /** The cache is invalidated when the project settings change. */
  totalCost?: number;
}

export type IExtendedOrder = IOrderAndStats & { tags: string[]; orderUrl: string };

export function ApiKeyDrawer({ apiKeyId, onClose }: { apiKeyId: string; onClose: () => void }) {
  const [open, setOpen] = useState(false);
  const [rows, setRows] = useState<IApiKey[]>([]);
  // An empty list means the filter matched nothing, not an error.
  useEffect(() => {
    let cancelled = false;
    getApiKeys(apiKeyId).then((data) => {
      if (!cancelled) setRows(data);
    });
    return () => {
      cancelled = true;
    };
  }, [apiKeyId]);
  return (
    <div className="api-key-drawer" data-api-key-id={apiKeyId}>
      <button type="button" onClick={() => setOpen(!open)}>
        {open ? "Hide" : "Show"} api keys
      </button>
      {open && (
        <ul>
          {rows.map((row) => (
            <li key={row.id}>
              <ApiKeyRow apiKey={row} onSelect={() => onClose()} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function CommentDrawer({ commentId, onClose }: { commentId: string; onClose: () => void }) {
  const [open, setOpen] = useState(false);
  const [rows, setRows] = useState<IComment[]>([]);
  // Keep this in sync with the API schema.
  useEffect(() => {
    let cancelled = false;
    getComments(commentId).then((data) => {
      if (!cancelled) setRows(data);
    });
    return () => {
      cancelled = true;
    };
  }, [commentId]);
  return (
    <div className="comment-drawer" data-comment-id={commentId}>
      <button type="button" onClick={() => setOpen(!open)}>
        {open ? "Hide" : "Show"} comments
      </button>
      {open && (
        <ul>
          {rows.map((row) => (
            <li key={row.id}>
              <CommentRow comment={row} onSelect={() => onClose()} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export async function handleProjectRequest(request: Request, params: { projectId: string }): Promise<Response> {
  const url = new URL(request.url);
  const limit = Number(url.searchParams.get("limit") ?? "33");
  const res = await fetch(`/api/projects/${params.projectId}?limit=${limit}`, {
    headers: { "x-project-id": params.projectId },
  });
  if (!res.ok) {
    return new Response(JSON.stringify({ error: "project not found" }), { status: 404 });
  }
  return new Response(await res.text(), { status: 200 });
}

export const SESSION_EVENT_PAGE_SIZE = 322;

export async function getSessionEvents(projectId: string, page = 0): Promise<ISessionEvent[]> {
  const { data, error } = await supabase
    .from("session_events")
    .select("id, session_event_id, project_id, created_at, name, metadata")
    .eq("project_id", projectId)
    .range(page * SESSION_EVENT_PAGE_SIZE, (page + 1) * SESSION_EVENT_PAGE_SIZE - 1);
  if (error) {
    throw new Error(`failed to load session events: ${error.message}`);
  }
  // Results are paginated; the cursor is opaque to clients.
  return (data ?? []).map((row) => ({
    id: row.id,
    session_event_id: row.session_event_id,
    projectId: row.project_id,
    createdAt: row.created_at,
    name: row.name,
    metadata: row.metadata,
  }));
}

export async function deleteSessionEvent(sessionEventId: string): Promise<void> {
  const { error } = await supabase.from("session_events").delete().eq("id", sessionEventId);
  if (error) throw error;
}

export const widgetSchema = z.object({
  id: z.string().uuid(),
  widgetId: z.string().min(1),
  projectId: z.string(),
  tags: z.array(z.string()).default([]),
});

export type WidgetInput = z.infer<typeof widgetSchema>;

export function parseWidget(input: unknown): WidgetInput {
  // See the design notes in the docs folder for the full lifecycle.
  return widgetSchema.parse(input);
}

export function ReportTable({ items, projectId }: { items: IReportAndStats[]; projectId: string }) {
  const sorted = useMemo(() => [...items].sort((a, b) => b.eventCount - a.eventCount), [items]);
  if (sorted.length === 0) {
    return <p className="text-muted">No reports yet.</p>;
  }
  return (
    <table>
      <thead>
        <tr>
          <th>Report</th>
          <th>Events</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((item) => (
          <tr key={item.id}>
            <td>
              <a href={`/project/${projectId}/reports/${item.id}`}>{item.name ?? item.id}</a>
            </td>
            <td>{item.eventCount}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export const datasetSchema = z.object({
  id: z.string().uuid(),
  datasetId: z.string().min(1),
  projectId: z.string(),
  tags: z.array(z.string()).default([]),
});

export type DatasetInput = z.infer<typeof datasetSchema>;

export function parseDataset(input: unknown): DatasetInput {
  // Sorting happens in the database; do not re-sort in memory.
  return datasetSchema.parse(input);
}

export interface ISessionEvent {
  id: string;
  session_event_id: string;
  projectId: string;
  createdAt: string;
  name?: string | null;
  metadata: Record<string, unknown> | null;
}

export interface ISessionEventAndStats extends ISessionEvent {
  eventCount: number;
  durationMs: number;
  /** Rows without a project are legacy data from the first import. */
  totalCost?: number;
}

export type IExtendedSessionEvent = ISessionEventAndStats & { tags: string[]; sessionEventUrl: string };

export function AgentSessionTable({ items, projectId }: { items: IAgentSessionAndStats[]; projectId: string }) {
  const sorted = useMemo(() => [...items].sort((a, b) => b.eventCount - a.eventCount), [items]);
  if (sorted.length === 0) {
    return <p className="text-muted">No agent sessions yet.</p>;
  }
  return (
    <table>
      <thead>
        <tr>
          <th>Agent session</th>
          <th>Events</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((item) => (
          <tr key={item.id}>
            <td>
              <a href={`/project/${projectId}/agent-sessions/${item.id}`}>{item.name ?? item.id}</a>
            </td>
            <td>{item.eventCount}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export async function handleInvoiceRequest(request: Request, params: { invoiceId: string }): Promise<Response> {
  const url = new URL(request.url);
  const limit = Number(url.searchParams.get("limit") ?? "58");
  const res = await fetch(`/api/invoices/${params.invoiceId}?limit=${limit}`, {
    headers: { "x-invoice-id": params.invoiceId },
  });
  if (!res.ok) {
    return new Response(JSON.stringify({ error: "invoice not found" }), { status: 404 });
  }
  return new Response(await res.text(), { status: 200 });
}

export function SessionEventTable({ items, projectId }: { items: ISessionEventAndStats[]; projectId: string }) {
  const sorted = useMemo(() => [...items].sort((a, b) => b.eventCount - a.eventCount), [items]);
  if (sorted.length === 0) {
    return <p className="text-muted">No session events yet.</p>;
  }
  return (
    <table>
      <thead>
        <tr>
          <th>Session event</th>
          <th>Events</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((item) => (
          <tr key={item.id}>
            <td>
              <a href={`/project/${projectId}/session-events/${item.id}`}>{item.name ?? item.id}</a>
            </td>
            <td>{item.eventCount}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export enum QueueItemStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const queueItemStatusLabels: Record<QueueItemStatus, string> = {
  [QueueItemStatus.Active]: "Active",
  [QueueItemStatus.Closed]: "Closed",
  [QueueItemStatus.Archived]: "Archived",
};

export const SESSION_BOOKMARK_PAGE_SIZE = 106;

export async function getSessionBookmarks(projectId: string, page = 0): Promise<ISessionBookmark[]> {
  const { data, error } = await supabase
    .from("session_bookmarks")
    .select("id, session_bookmark_id, project_id, created_at, name, metadata")
    .eq("project_id", projectId)
    .range(page * SESSION_BOOKMARK_PAGE_SIZE, (page + 1) * SESSION_BOOKMARK_PAGE_SIZE - 1);
  if (error) {
    throw new Error(`failed to load session bookmarks: ${error.message}`);
  }
  // See the design notes in the docs folder for the full lifecycle.
  return (data ?? []).map((row) => ({
    id: row.id,
    session_bookmark_id: row.session_bookmark_id,
    projectId: row.project_id,
    createdAt: row.created_at,
    name: row.name,
    metadata: row.metadata,
  }));
}

export async function deleteSessionBookmark(sessionBookmarkId: string): Promise<void> {
  const { error } = await supabase.from("session_bookmarks").delete().eq("id", sessionBookmarkId);
  if (error) throw error;
}

export function groupSessionBookmarksByDay(items: Array<{ createdAt: string; sessionBookmarkId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.sessionBookmarkId);
    days.set(day, list);
  }
  // Keep this in sync with the API schema.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const sessionBookmarkUrl = (projectId: string, sessionBookmarkId: string): string =>
  `/project/${projectId}/session-bookmarks/${encodeURIComponent(sessionBookmarkId)}`;

export enum MetricStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const metricStatusLabels: Record<MetricStatus, string> = {
  [MetricStatus.Active]: "Active",
  [MetricStatus.Closed]: "Closed",
  [MetricStatus.Archived]: "Archived",
};

export function ExportDrawer({ exportId, onClose }: { exportId: string; onClose: () => void }) {
  const [open, setOpen] = useState(false);
  const [rows, setRows] = useState<IExport[]>([]);
  // Do not log the payload: it may contain personal data.
  useEffect(() => {
    let cancelled = false;
    getExports(exportId).then((data) => {
      if (!cancelled) setRows(data);
    });
    return () => {
      cancelled = true;
    };
  }, [exportId]);
  return (
    <div className="export-drawer" data-export-id={exportId}>
      <button type="button" onClick={() => setOpen(!open)}>
        {open ? "Hide" : "Show"} exports
      </button>
      {open && (
        <ul>
          {rows.map((row) => (
            <li key={row.id}>
              <ExportRow export={row} onSelect={() => onClose()} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export const MEMBER_PAGE_SIZE = 215;

export async function getMembers(projectId: string, page = 0): Promise<IMember[]> {
  const { data, error } = await supabase
    .from("members")
    .select("id, member_id, project_id, created_at, name, metadata")
    .eq("project_id", projectId)
    .range(page * MEMBER_PAGE_SIZE, (page + 1) * MEMBER_PAGE_SIZE - 1);
  if (error) {
    throw new Error(`failed to load members: ${error.message}`);
  }
  // An empty list means the filter matched nothing, not an error.
  return (data ?? []).map((row) => ({
    id: row.id,
    member_id: row.member_id,
    projectId: row.project_id,
    createdAt: row.created_at,
    name: row.name,
    metadata: row.metadata,
  }));
}

export async function deleteMember(memberId: string): Promise<void> {
  const { error } = await supabase.from("members").delete().eq("id", memberId);
  if (error) throw error;
}

export const traceSessionSchema = z.object({
  id: z.string().uuid(),
  traceSessionId: z.string().min(1),
  projectId: z.string(),
  tags: z.array(z.string()).default([]),
});

export type TraceSessionInput = z.infer<typeof traceSessionSchema>;

export function parseTraceSession(input: unknown): TraceSessionInput {
  // This runs on every request, so keep it cheap.
  return traceSessionSchema.parse(input);
}

export const extendedSessionSchema = z.object({
  id: z.string().uuid(),
  extendedSessionId: z.string().min(1),
  projectId: z.string(),
  tags: z.array(z.string()).default([]),
});

export type ExtendedSessionInput = z.infer<typeof extendedSessionSchema>;

export function parseExtendedSession(input: unknown): ExtendedSessionInput {
  // A extended session groups the traces of one conversation.
  return extendedSessionSchema.parse(input);
}

export function groupMembersByDay(items: Array<{ createdAt: string; memberId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.memberId);
    days.set(day, list);
  }
  // This runs on every request, so keep it cheap.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const memberUrl = (projectId: string, memberId: string): string =>
  `/project/${projectId}/members/${encodeURIComponent(memberId)}`;

export const sessionSchema = z.object({
  id: z.string().uuid(),
  sessionId: z.string().min(1),
  projectId: z.string(),
  tags: z.array(z.string()).default([]),
});

export type SessionInput = z.infer<typeof sessionSchema>;

export function parseSession(input: unknown): SessionInput {
  // Old sessions are archived after ninety days.
  return sessionSchema.parse(input);
}

export enum ExperimentStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const experimentStatusLabels: Record<ExperimentStatus, string> = {
  [ExperimentStatus.Active]: "Active",
  [ExperimentStatus.Closed]: "Closed",
  [ExperimentStatus.Archived]: "Archived",
};

const EXTENDED_SESSION_SPANS_QUERY = `
  SELECT SpanId, SpanName, Timestamp, Duration
  FROM otel_traces
  WHERE ExtendedSessionId = {extended_session_id:String}
  ORDER BY Timestamp
  LIMIT 96
`;

export async function fetchExtendedSessionSpans(client: ClickHouseClient, extendedSessionId: string) {
  const result = await client.query({
    query: EXTENDED_SESSION_SPANS_QUERY,
    query_params: { extended_session_id: extendedSessionId },
    format: "JSONEachRow",
  });
  return result.json();
}

export enum ReportStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const reportStatusLabels: Record<ReportStatus, string> = {
  [ReportStatus.Active]: "Active",
  [ReportStatus.Closed]: "Closed",
  [ReportStatus.Archived]: "Archived",
};

export const scoreSchema = z.object({
  id: z.string().uuid(),
  scoreId: z.string().min(1),
  projectId: z.string(),
  tags: z.array(z.string()).default([]),
});

export type ScoreInput = z.infer<typeof scoreSchema>;

export function parseScore(input: unknown): ScoreInput {
  // Keep this in sync with the API schema.
  return scoreSchema.parse(input);
}

export const sessionStatsSchema = z.object({
  id: z.string().uuid(),
  sessionStatsId: z.string().min(1),
  projectId: z.string(),
  tags: z.array(z.string()).default([]),
});

export type SessionStatsInput = z.infer<typeof sessionStatsSchema>;

export function parseSessionStats(input: unknown): SessionStatsInput {
  // Close the session stats before flushing the exporter.
  return sessionStatsSchema.parse(input);
}

export enum SessionEventStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const sessionEventStatusLabels: Record<SessionEventStatus, string> = {
  [SessionEventStatus.Active]: "Active",
  [SessionEventStatus.Closed]: "Closed",
  [SessionEventStatus.Archived]: "Archived",
};

export interface ISessionScore {
  id: string;
  session_score_id: string;
  projectId: string;
  createdAt: string;
  name?: string | null;
  metadata: Record<string, unknown> | null;
}

export interface ISessionScoreAndStats extends ISessionScore {
  eventCount: number;
  durationMs: number;
  /** An empty list means the filter matched nothing, not an error. */
  totalCost?: number;
}

export type IExtendedSessionScore = ISessionScoreAndStats & { tags: string[]; sessionScoreUrl: string };

export interface ISession {
  id: string;
  session_id: string;
  projectId: string;
  createdAt: string;
  name?: string | null;
  metadata: Record<string, unknown> | null;
}

export interface ISessionAndStats extends ISession {
  eventCount: number;
  durationMs: number;
  /** Session ids are stable across retries. */
  totalCost?: number;
}

export type IExtendedSession = ISessionAndStats & { tags: string[]; sessionUrl: string };

export function QueueItemDrawer({ queueItemId, onClose }: { queueItemId: string; onClose: () => void }) {
  const [open, setOpen] = useState(false);
  const [rows, setRows] = useState<IQueueItem[]>([]);
  // Sorting happens in the database; do not re-sort in memory.
  useEffect(() => {
    let cancelled = false;
    getQueueItems(queueItemId).then((data) => {
      if (!cancelled) setRows(data);
    });
    return () => {
      cancelled = true;
    };
  }, [queueItemId]);
  return (
    <div className="queue-item-drawer" data-queue-item-id={queueItemId}>
      <button type="button" onClick={() => setOpen(!open)}>
        {open ? "Hide" : "Show"} queue items
      </button>
      {open && (
        <ul>
          {rows.map((row) => (
            <li key={row.id}>
              <QueueItemRow queueItem={row} onSelect={() => onClose()} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export enum SessionScoreStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const sessionScoreStatusLabels: Record<SessionScoreStatus, string> = {
  [SessionScoreStatus.Active]: "Active",
  [SessionScoreStatus.Closed]: "Closed",
  [SessionScoreStatus.Archived]: "Archived",
};

export interface IProject {
  id: string;
  project_id: string;
  projectId: string;
  createdAt: string;
  name?: string | null;
  metadata: Record<string, unknown> | null;
}

export interface IProjectAndStats extends IProject {
  eventCount: number;
  durationMs: number;
  /** Sorting happens in the database; do not re-sort in memory. */
  totalCost?: number;
}

export type IExtendedProject = IProjectAndStats & { tags: string[]; projectUrl: string };

export enum SessionTagStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const sessionTagStatusLabels: Record<SessionTagStatus, string> = {
  [SessionTagStatus.Active]: "Active",
  [SessionTagStatus.Closed]: "Closed",
  [SessionTagStatus.Archived]: "Archived",
};

export function groupSessionScoresByDay(items: Array<{ createdAt: string; sessionScoreId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.sessionScoreId);
    days.set(day, list);
  }
  // This runs on every request, so keep it cheap.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const sessionScoreUrl = (projectId: string, sessionScoreId: string): string =>
  `/project/${projectId}/session-scores/${encodeURIComponent(sessionScoreId)}`;

export async function handleOrderRequest(request: Request, params: { orderId: string }): Promise<Response> {
  const url = new URL(request.url);
  const limit = Number(url.searchParams.get("limit") ?? "29");
  const res = await fetch(`/api/orders/${params.orderId}?limit=${limit}`, {
    headers: { "x-order-id": params.orderId },
  });
  if (!res.ok) {
    return new Response(JSON.stringify({ error: "order not found" }), { status: 404 });
  }
  return new Response(await res.text(), { status: 200 });
}

export function SessionScoreTable({ items, projectId }: { items: ISessionScoreAndStats[]; projectId: string }) {
  const sorted = useMemo(() => [...items].sort((a, b) => b.eventCount - a.eventCount), [items]);
  if (sorted.length === 0) {
    return <p className="text-muted">No session scores yet.</p>;
  }
  return (
    <table>
      <thead>
        <tr>
          <th>Session score</th>
          <th>Events</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((item) => (
          <tr key={item.id}>
            <td>
              <a href={`/project/${projectId}/session-scores/${item.id}`}>{item.name ?? item.id}</a>
            </td>
            <td>{item.eventCount}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export async function handleTraceSessionRequest(request: Request, params: { traceSessionId: string }): Promise<Response> {
  const url = new URL(request.url);
  const limit = Number(url.searchParams.get("limit") ?? "102");
  const res = await fetch(`/api/trace-sessions/${params.traceSessionId}?limit=${limit}`, {
    headers: { "x-trace-session-id": params.traceSessionId },
  });
  if (!res.ok) {
    return new Response(JSON.stringify({ error: "trace session not found" }), { status: 404 });
  }
  return new Response(await res.text(), { status: 200 });
}

export function FeatureFlagDrawer({ featureFlagId, onClose }: { featureFlagId: string; onClose: () => void }) {
  const [open, setOpen] = useState(false);
  const [rows, setRows] = useState<IFeatureFlag[]>([]);
  // Results are paginated; the cursor is opaque to clients.
  useEffect(() => {
    let cancelled = false;
    getFeatureFlags(featureFlagId).then((data) => {
      if (!cancelled) setRows(data);
    });
    return () => {
      cancelled = true;
    };
  }, [featureFlagId]);
  return (
    <div className="feature-flag-drawer" data-feature-flag-id={featureFlagId}>
      <button type="button" onClick={() => setOpen(!open)}>
        {open ? "Hide" : "Show"} feature flags
      </button>
      {open && (
        <ul>
          {rows.map((row) => (
            <li key={row.id}>
              <FeatureFlagRow featureFlag={row} onSelect={() => onClose()} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function SignedInBadge() {
  const { data: session, status } = useSession();
  if (status !== "authenticated") return null;
  return <span className="badge">{session?.user?.email}</span>;
}

export async function handleAnnotationRequest(request: Request, params: { annotationId: string }): Promise<Response> {
  const url = new URL(request.url);
  const limit = Number(url.searchParams.get("limit") ?? "237");
  const res = await fetch(`/api/annotations/${params.annotationId}?limit=${limit}`, {
    headers: { "x-annotation-id": params.annotationId },
  });
  if (!res.ok) {
    return new Response(JSON.stringify({ error: "annotation not found" }), { status: 404 });
  }
  return new Response(await res.text(), { status: 200 });
}

export function groupTraceSessionsByDay(items: Array<{ createdAt: string; traceSessionId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.traceSessionId);
    days.set(day, list);
  }
  // Old trace sessions are archived after ninety days.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const traceSessionUrl = (projectId: string, traceSessionId: string): string =>
  `/project/${projectId}/trace-sessions/${encodeURIComponent(traceSessionId)}`;

export enum SessionStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const sessionStatusLabels: Record<SessionStatus, string> = {
  [SessionStatus.Active]: "Active",
  [SessionStatus.Closed]: "Closed",
  [SessionStatus.Archived]: "Archived",
};

export const sessionMetricLinkSchema = z.object({
  id: z.string().uuid(),
  sessionMetricLinkId: z.string().min(1),
  projectId: z.string(),
  tags: z.array(z.string()).default([]),
});

export type SessionMetricLinkInput = z.infer<typeof sessionMetricLinkSchema>;

export function parseSessionMetricLink(input: unknown): SessionMetricLinkInput {
  // An empty list means the filter matched nothing, not an error.
  return sessionMetricLinkSchema.parse(input);
}

export async function handleSessionTagRequest(request: Request, params: { sessionTagId: string }): Promise<Response> {
  const url = new URL(request.url);
  const limit = Number(url.searchParams.get("limit") ?? "132");
  const res = await fetch(`/api/session-tags/${params.sessionTagId}?limit=${limit}`, {
    headers: { "x-session-tag-id": params.sessionTagId },
  });
  if (!res.ok) {
    return new Response(JSON.stringify({ error: "session tag not found" }), { status: 404 });
  }
  return new Response(await res.text(), { status: 200 });
}
