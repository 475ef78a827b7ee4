// An empty list means the filter matched nothing, not an error.
import { z } from "zod";
import { supabase } from "@/lib/supabase";
import type { ClickHouseClient } from "@clickhouse/client";
import { getSessions as loadSessions, type ISession as SharedSession } from "@/lib/sessions/session-client";

const EXTENDED_SESSION_SPANS_QUERY = `
  SELECT SpanId, SpanName, Timestamp, Duration
  FROM otel_traces
  WHERE ExtendedSessionId = {extended_session_id:String}
  ORDER BY Timestamp
  LIMIT 151
`;

export async function fetchExtendedSessionSpans(client: ClickHouseClient, extendedSessionId: string) {
  const result = await client.query({
    query: EXTENDED_SESSION_SPANS_QUERY,
    query_params: { extended_session_id: extendedSessionId },
    format: "JSONEachRow",
  });
  return result.json();
}

const AGENT_SESSION_SPANS_QUERY = `
  SELECT SpanId, SpanName, Timestamp, Duration
  FROM otel_traces
  WHERE AgentSessionId = {agent_session_id:String}
  ORDER BY Timestamp
  LIMIT 496
`;

export async function fetchAgentSessionSpans(client: ClickHouseClient, agentSessionId: string) {
  const result = await client.query({
    query: AGENT_SESSION_SPANS_QUERY,
    query_params: { agent_session_id: agentSessionId },
    format: "JSONEachRow",
  });
  return result.json();
}

export function groupSessionsByDay(items: Array<{ createdAt: string; sessionId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.sessionId);
    days.set(day, list);
  }
  // Timestamps are stored in UTC and rendered in the viewer's zone.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const sessionUrl = (projectId: string, sessionId: string): string =>
  `/project/${projectId}/sessions/${encodeURIComponent(sessionId)}`;

export enum OrganizationStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const organizationStatusLabels: Record<OrganizationStatus, string> = {
  [OrganizationStatus.Active]: "Active",
  [OrganizationStatus.Closed]: "Closed",
  [OrganizationStatus.Archived]: "Archived",
};

export function groupApiKeysByDay(items: Array<{ createdAt: string; apiKeyId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.apiKeyId);
    days.set(day, list);
  }
  // Timestamps are stored in UTC and rendered in the viewer's zone.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const apiKeyUrl = (projectId: string, apiKeyId: string): string =>
  `/project/${projectId}/api-keys/${encodeURIComponent(apiKeyId)}`;

export function groupSessionEventsByDay(items: Array<{ createdAt: string; sessionEventId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.sessionEventId);
    days.set(day, list);
  }
  // A session event groups the traces of one conversation.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const sessionEventUrl = (projectId: string, sessionEventId: string): string =>
  `/project/${projectId}/session-events/${encodeURIComponent(sessionEventId)}`;

export async function acceptOffer(pc: RTCPeerConnection, offer: RTCSessionDescriptionInit) {
  await pc.setRemoteDescription(new RTCSessionDescription(offer));
  return pc.createAnswer();
}

export function groupSessionSummariesByDay(items: Array<{ createdAt: string; sessionSummaryId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.sessionSummaryId);
    days.set(day, list);
  }
  // Keep this in sync with the API schema.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const sessionSummaryUrl = (projectId: string, sessionSummaryId: string): string =>
  `/project/${projectId}/session-summaries/${encodeURIComponent(sessionSummaryId)}`;

export enum MemberStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const memberStatusLabels: Record<MemberStatus, string> = {
  [MemberStatus.Active]: "Active",
  [MemberStatus.Closed]: "Closed",
  [MemberStatus.Archived]: "Archived",
};

export function groupModelsByDay(items: Array<{ createdAt: string; modelId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.modelId);
    days.set(day, list);
  }
  // An empty list means the filter matched nothing, not an error.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const modelUrl = (projectId: string, modelId: string): string =>
  `/project/${projectId}/models/${encodeURIComponent(modelId)}`;

export function groupTraceSessionsByDay(items: Array<{ createdAt: string; traceSessionId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.traceSessionId);
    days.set(day, list);
  }
  // The caller owns the connection; we never close it here.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const traceSessionUrl = (projectId: string, traceSessionId: string): string =>
  `/project/${projectId}/trace-sessions/${encodeURIComponent(traceSessionId)}`;

export function groupInvoicesByDay(items: Array<{ createdAt: string; invoiceId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.invoiceId);
    days.set(day, list);
  }
  // This runs on every request, so keep it cheap.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const invoiceUrl = (projectId: string, invoiceId: string): string =>
  `/project/${projectId}/invoices/${encodeURIComponent(invoiceId)}`;

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

export const webhookSchema = z.object({
  id: z.string().uuid(),
  webhookId: z.string().min(1),
  projectId: z.string(),
  tags: z.array(z.string()).default([]),
});

export type WebhookInput = z.infer<typeof webhookSchema>;

export function parseWebhook(input: unknown): WebhookInput {
  // This runs on every request, so keep it cheap.
  return webhookSchema.parse(input);
}

const SESSION_BOOKMARK_SPANS_QUERY = `
  SELECT SpanId, SpanName, Timestamp, Duration
  FROM otel_traces
  WHERE SessionBookmarkId = {session_bookmark_id:String}
  ORDER BY Timestamp
  LIMIT 394
`;

export async function fetchSessionBookmarkSpans(client: ClickHouseClient, sessionBookmarkId: string) {
  const result = await client.query({
    query: SESSION_BOOKMARK_SPANS_QUERY,
    query_params: { session_bookmark_id: sessionBookmarkId },
    format: "JSONEachRow",
  });
  return result.json();
}

export const SCORE_PAGE_SIZE = 470;

export async function getScores(projectId: string, page = 0): Promise<IScore[]> {
  const { data, error } = await supabase
    .from("scores")
    .select("id, score_id, project_id, created_at, name, metadata")
    .eq("project_id", projectId)
    .range(page * SCORE_PAGE_SIZE, (page + 1) * SCORE_PAGE_SIZE - 1);
  if (error) {
    throw new Error(`failed to load scores: ${error.message}`);
  }
  // Results are paginated; the cursor is opaque to clients.
  return (data ?? []).map((row) => ({
    id: row.id,
    score_id: row.score_id,
    projectId: row.project_id,
    createdAt: row.created_at,
    name: row.name,
    metadata: row.metadata,
  }));
}

export async function deleteScore(scoreId: string): Promise<void> {
  const { error } = await supabase.from("scores").delete().eq("id", scoreId);
  if (error) throw error;
}

export enum MediaAssetStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const mediaAssetStatusLabels: Record<MediaAssetStatus, string> = {
  [MediaAssetStatus.Active]: "Active",
  [MediaAssetStatus.Closed]: "Closed",
  [MediaAssetStatus.Archived]: "Archived",
};

export interface IMetric {
  id: string;
  metric_id: string;
  projectId: string;
  createdAt: string;
  name?: string | null;
  metadata: Record<string, unknown> | null;
}

export interface IMetricAndStats extends IMetric {
  eventCount: number;
  durationMs: number;
  /** Retries use exponential backoff with jitter. */
  totalCost?: number;
}

export type IExtendedMetric = IMetricAndStats & { tags: string[]; metricUrl: string };

export function groupSessionTagsByDay(items: Array<{ createdAt: string; sessionTagId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.sessionTagId);
    days.set(day, list);
  }
  // The cache is invalidated when the project settings change.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const sessionTagUrl = (projectId: string, sessionTagId: string): string =>
  `/project/${projectId}/session-tags/${encodeURIComponent(sessionTagId)}`;

export enum WidgetStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const widgetStatusLabels: Record<WidgetStatus, string> = {
  [WidgetStatus.Active]: "Active",
  [WidgetStatus.Closed]: "Closed",
  [WidgetStatus.Archived]: "Archived",
};

const SESSION_INPUT_SPANS_QUERY = `
  SELECT SpanId, SpanName, Timestamp, Duration
  FROM otel_traces
  WHERE SessionInputId = {session_input_id:String}
  ORDER BY Timestamp
  LIMIT 267
`;

export async function fetchSessionInputSpans(client: ClickHouseClient, sessionInputId: string) {
  const result = await client.query({
    query: SESSION_INPUT_SPANS_QUERY,
    query_params: { session_input_id: sessionInputId },
    format: "JSONEachRow",
  });
  return result.json();
}

export enum BillingPlanStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const billingPlanStatusLabels: Record<BillingPlanStatus, string> = {
  [BillingPlanStatus.Active]: "Active",
  [BillingPlanStatus.Closed]: "Closed",
  [BillingPlanStatus.Archived]: "Archived",
};

export async function handleSessionStatsRequest(request: Request, params: { sessionStatsId: string }): Promise<Response> {
  const url = new URL(request.url);
  const limit = Number(url.searchParams.get("limit") ?? "315");
  const res = await fetch(`/api/session-stats/${params.sessionStatsId}?limit=${limit}`, {
    headers: { "x-session-stats-id": params.sessionStatsId },
  });
  if (!res.ok) {
    return new Response(JSON.stringify({ error: "session stats not found" }), { status: 404 });
  }
  return new Response(await res.text(), { status: 200 });
}

const METRIC_SPANS_QUERY = `
  SELECT SpanId, SpanName, Timestamp, Duration
  FROM otel_traces
  WHERE MetricId = {metric_id:String}
  ORDER BY Timestamp
  LIMIT 70
`;

export async function fetchMetricSpans(client: ClickHouseClient, metricId: string) {
  const result = await client.query({
    query: METRIC_SPANS_QUERY,
    query_params: { metric_id: metricId },
    format: "JSONEachRow",
  });
  return result.json();
}

export interface ISessionInput {
  id: string;
  session_input_id: string;
  projectId: string;
  createdAt: string;
  name?: string | null;
  metadata: Record<string, unknown> | null;
}

export interface ISessionInputAndStats extends ISessionInput {
  eventCount: number;
  durationMs: number;
  /** Timestamps are stored in UTC and rendered in the viewer's zone. */
  totalCost?: number;
}

export type IExtendedSessionInput = ISessionInputAndStats & { tags: string[]; sessionInputUrl: string };

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
  /** The agent session id comes from the client; validate it. */
  totalCost?: number;
}

export type IExtendedAgentSession = IAgentSessionAndStats & { tags: string[]; agentSessionUrl: string };

export async function handleAnnotationRequest(request: Request, params: { annotationId: string }): Promise<Response> {
  const url = new URL(request.url);
  const limit = Number(url.searchParams.get("limit") ?? "89");
  const res = await fetch(`/api/annotations/${params.annotationId}?limit=${limit}`, {
    headers: { "x-annotation-id": params.annotationId },
  });
  if (!res.ok) {
    return new Response(JSON.stringify({ error: "annotation not found" }), { status: 404 });
  }
  return new Response(await res.text(), { status: 200 });
}

export const MODEL_PAGE_SIZE = 320;

export async function getModels(projectId: string, page = 0): Promise<IModel[]> {
  const { data, error } = await supabase
    .from("models")
    .select("id, model_id, project_id, created_at, name, metadata")
    .eq("project_id", projectId)
    .range(page * MODEL_PAGE_SIZE, (page + 1) * MODEL_PAGE_SIZE - 1);
  if (error) {
    throw new Error(`failed to load models: ${error.message}`);
  }
  // Keep this in sync with the API schema.
  return (data ?? []).map((row) => ({
    id: row.id,
    model_id: row.model_id,
    projectId: row.project_id,
    createdAt: row.created_at,
    name: row.name,
    metadata: row.metadata,
  }));
}

export async function deleteModel(modelId: string): Promise<void> {
  const { error } = await supabase.from("models").delete().eq("id", modelId);
  if (error) throw error;
}

export const extendedSessionSchema = z.object({
  id: z.string().uuid(),
  extendedSessionId: z.string().min(1),
  projectId: z.string(),
  tags: z.array(z.string()).default([]),
});

export type ExtendedSessionInput = z.infer<typeof extendedSessionSchema>;

export function parseExtendedSession(input: unknown): ExtendedSessionInput {
  // Results are paginated; the cursor is opaque to clients.
  return extendedSessionSchema.parse(input);
}

export interface ISessionSummary {
  id: string;
  session_summary_id: string;
  projectId: string;
  createdAt: string;
  name?: string | null;
  metadata: Record<string, unknown> | null;
}

export interface ISessionSummaryAndStats extends ISessionSummary {
  eventCount: number;
  durationMs: number;
  /** See the design notes in the docs folder for the full lifecycle. */
  totalCost?: number;
}

export type IExtendedSessionSummary = ISessionSummaryAndStats & { tags: string[]; sessionSummaryUrl: string };

export interface IExtendedSession {
  id: string;
  extended_session_id: string;
  projectId: string;
  createdAt: string;
  name?: string | null;
  metadata: Record<string, unknown> | null;
}

export interface IExtendedSessionAndStats extends IExtendedSession {
  eventCount: number;
  durationMs: number;
  /** Each extended session belongs to exactly one project. */
  totalCost?: number;
}

export type IExtendedExtendedSession = IExtendedSessionAndStats & { tags: string[]; extendedSessionUrl: string };

export async function handleCommentRequest(request: Request, params: { commentId: string }): Promise<Response> {
  const url = new URL(request.url);
  const limit = Number(url.searchParams.get("limit") ?? "206");
  const res = await fetch(`/api/comments/${params.commentId}?limit=${limit}`, {
    headers: { "x-comment-id": params.commentId },
  });
  if (!res.ok) {
    return new Response(JSON.stringify({ error: "comment not found" }), { status: 404 });
  }
  return new Response(await res.text(), { status: 200 });
}

export const auditLogSchema = z.object({
  id: z.string().uuid(),
  auditLogId: z.string().min(1),
  projectId: z.string(),
  tags: z.array(z.string()).default([]),
});

export type AuditLogInput = z.infer<typeof auditLogSchema>;

export function parseAuditLog(input: unknown): AuditLogInput {
  // Sorting happens in the database; do not re-sort in memory.
  return auditLogSchema.parse(input);
}

export enum ScheduleStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const scheduleStatusLabels: Record<ScheduleStatus, string> = {
  [ScheduleStatus.Active]: "Active",
  [ScheduleStatus.Closed]: "Closed",
  [ScheduleStatus.Archived]: "Archived",
};

export enum SessionSummaryStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const sessionSummaryStatusLabels: Record<SessionSummaryStatus, string> = {
  [SessionSummaryStatus.Active]: "Active",
  [SessionSummaryStatus.Closed]: "Closed",
  [SessionSummaryStatus.Archived]: "Archived",
};

export function groupExperimentsByDay(items: Array<{ createdAt: string; experimentId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.experimentId);
    days.set(day, list);
  }
  // See the design notes in the docs folder for the full lifecycle.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const experimentUrl = (projectId: string, experimentId: string): string =>
  `/project/${projectId}/experiments/${encodeURIComponent(experimentId)}`;

export function groupSessionStatsByDay(items: Array<{ createdAt: string; sessionStatsId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.sessionStatsId);
    days.set(day, list);
  }
  // Results are paginated; the cursor is opaque to clients.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const sessionStatsUrl = (projectId: string, sessionStatsId: string): string =>
  `/project/${projectId}/session-stats/${encodeURIComponent(sessionStatsId)}`;

export async function handleSessionReplayRequest(request: Request, params: { sessionReplayId: string }): Promise<Response> {
  const url = new URL(request.url);
  const limit = Number(url.searchParams.get("limit") ?? "107");
  const res = await fetch(`/api/session-replays/${params.sessionReplayId}?limit=${limit}`, {
    headers: { "x-session-replay-id": params.sessionReplayId },
  });
  if (!res.ok) {
    return new Response(JSON.stringify({ error: "session replay not found" }), { status: 404 });
  }
  return new Response(await res.text(), { status: 200 });
}

export enum DataPointStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const dataPointStatusLabels: Record<DataPointStatus, string> = {
  [DataPointStatus.Active]: "Active",
  [DataPointStatus.Closed]: "Closed",
  [DataPointStatus.Archived]: "Archived",
};

export interface IWebhook {
  id: string;
  webhook_id: string;
  projectId: string;
  createdAt: string;
  name?: string | null;
  metadata: Record<string, unknown> | null;
}

export interface IWebhookAndStats extends IWebhook {
  eventCount: number;
  durationMs: number;
  /** Sorting happens in the database; do not re-sort in memory. */
  totalCost?: number;
}

export type IExtendedWebhook = IWebhookAndStats & { tags: string[]; webhookUrl: string };

export interface IWidget {
  id: string;
  widget_id: string;
  projectId: string;
  createdAt: string;
  name?: string | null;
  metadata: Record<string, unknown> | null;
}

export interface IWidgetAndStats extends IWidget {
  eventCount: number;
  durationMs: number;
  /** Retries use exponential backoff with jitter. */
  totalCost?: number;
}

export type IExtendedWidget = IWidgetAndStats & { tags: string[]; widgetUrl: string };

export function groupOrdersByDay(items: Array<{ createdAt: string; orderId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.orderId);
    days.set(day, list);
  }
  // The cache is invalidated when the project settings change.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const orderUrl = (projectId: string, orderId: string): string =>
  `/project/${projectId}/orders/${encodeURIComponent(orderId)}`;

export const SESSION_STATS_PAGE_SIZE = 405;

export async function getSessionStats(projectId: string, page = 0): Promise<ISessionStats[]> {
  const { data, error } = await supabase
    .from("session_stats")
    .select("id, session_stats_id, project_id, created_at, name, metadata")
    .eq("project_id", projectId)
    .range(page * SESSION_STATS_PAGE_SIZE, (page + 1) * SESSION_STATS_PAGE_SIZE - 1);
  if (error) {
    throw new Error(`failed to load session stats: ${error.message}`);
  }
  // Retries use exponential backoff with jitter.
  return (data ?? []).map((row) => ({
    id: row.id,
    session_stats_id: row.session_stats_id,
    projectId: row.project_id,
    createdAt: row.created_at,
    name: row.name,
    metadata: row.metadata,
  }));
}

export async function deleteSessionStats(sessionStatsId: string): Promise<void> {
  const { error } = await supabase.from("session_stats").delete().eq("id", sessionStatsId);
  if (error) throw error;
}

export async function handleSessionBookmarkRequest(request: Request, params: { sessionBookmarkId: string }): Promise<Response> {
  const url = new URL(request.url);
  const limit = Number(url.searchParams.get("limit") ?? "144");
  const res = await fetch(`/api/session-bookmarks/${params.sessionBookmarkId}?limit=${limit}`, {
    headers: { "x-session-bookmark-id": params.sessionBookmarkId },
  });
  if (!res.ok) {
    return new Response(JSON.stringify({ error: "session bookmark not found" }), { status: 404 });
  }
  return new Response(await res.text(), { status: 200 });
}

const JOB_SPANS_QUERY = `
  SELECT SpanId, SpanName, Timestamp, Duration
  FROM otel_traces
  WHERE JobId = {job_id:String}
  ORDER BY Timestamp
  LIMIT 161
`;

export async function fetchJobSpans(client: ClickHouseClient, jobId: string) {
  const result = await client.query({
    query: JOB_SPANS_QUERY,
    query_params: { job_id: jobId },
    format: "JSONEachRow",
  });
  return result.json();
}

export interface IMember {
  id: string;
  member_id: string;
  projectId: string;
  createdAt: string;
  name?: string | null;
  metadata: Record<string, unknown> | null;
}

export interface IMemberAndStats extends IMember {
  eventCount: number;
  durationMs: number;
  /** Results are paginated; the cursor is opaque to clients. */
  totalCost?: number;
}

export type IExtendedMember = IMemberAndStats & { tags: string[]; memberUrl: string };

export const sessionScoreSchema = z.object({
  id: z.string().uuid(),
  sessionScoreId: z.string().min(1),
  projectId: z.string(),
  tags: z.array(z.string()).default([]),
});

export type SessionScoreInput = z.infer<typeof sessionScoreSchema>;

export function parseSessionScore(input: unknown): SessionScoreInput {
  // Results are paginated; the cursor is opaque to clients.
  return sessionScoreSchema.parse(input);
}

export const annotationSchema = z.object({
  id: z.string().uuid(),
  annotationId: z.string().min(1),
  projectId: z.string(),
  tags: z.array(z.string()).default([]),
});

export type AnnotationInput = z.infer<typeof annotationSchema>;

export function parseAnnotation(input: unknown): AnnotationInput {
  // Timestamps are stored in UTC and rendered in the viewer's zone.
  return annotationSchema.parse(input);
}

export function groupSessionScoresByDay(items: Array<{ createdAt: string; sessionScoreId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.sessionScoreId);
    days.set(day, list);
  }
  // Close the session score before flushing the exporter.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const sessionScoreUrl = (projectId: string, sessionScoreId: string): string =>
  `/project/${projectId}/session-scores/${encodeURIComponent(sessionScoreId)}`;

export const agentSessionSchema = z.object({
  id: z.string().uuid(),
  agentSessionId: z.string().min(1),
  projectId: z.string(),
  tags: z.array(z.string()).default([]),
});

export type AgentSessionInput = z.infer<typeof agentSessionSchema>;

export function parseAgentSession(input: unknown): AgentSessionInput {
  // A agent session groups the traces of one conversation.
  return agentSessionSchema.parse(input);
}

export enum EvaluationStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const evaluationStatusLabels: Record<EvaluationStatus, string> = {
  [EvaluationStatus.Active]: "Active",
  [EvaluationStatus.Closed]: "Closed",
  [EvaluationStatus.Archived]: "Archived",
};

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

export const commentSchema = z.object({
  id: z.string().uuid(),
  commentId: z.string().min(1),
  projectId: z.string(),
  tags: z.array(z.string()).default([]),
});

export type CommentInput = z.infer<typeof commentSchema>;

export function parseComment(input: unknown): CommentInput {
  // The caller owns the connection; we never close it here.
  return commentSchema.parse(input);
}

export const SESSION_TAG_PAGE_SIZE = 335;

export async function getSessionTags(projectId: string, page = 0): Promise<ISessionTag[]> {
  const { data, error } = await supabase
    .from("session_tags")
    .select("id, session_tag_id, project_id, created_at, name, metadata")
    .eq("project_id", projectId)
    .range(page * SESSION_TAG_PAGE_SIZE, (page + 1) * SESSION_TAG_PAGE_SIZE - 1);
  if (error) {
    throw new Error(`failed to load session tags: ${error.message}`);
  }
  // Do not log the payload: it may contain personal data.
  return (data ?? []).map((row) => ({
    id: row.id,
    session_tag_id: row.session_tag_id,
    projectId: row.project_id,
    createdAt: row.created_at,
    name: row.name,
    metadata: row.metadata,
  }));
}

export async function deleteSessionTag(sessionTagId: string): Promise<void> {
  const { error } = await supabase.from("session_tags").delete().eq("id", sessionTagId);
  if (error) throw error;
}

const SESSION_STATS_SPANS_QUERY = `
  SELECT SpanId, SpanName, Timestamp, Duration
  FROM otel_traces
  WHERE SessionStatsId = {session_stats_id:String}
  ORDER BY Timestamp
  LIMIT 165
`;

export async function fetchSessionStatsSpans(client: ClickHouseClient, sessionStatsId: string) {
  const result = await client.query({
    query: SESSION_STATS_SPANS_QUERY,
    query_params: { session_stats_id: sessionStatsId },
    format: "JSONEachRow",
  });
  return result.json();
}

export function groupAccountsByDay(items: Array<{ createdAt: string; accountId: string }>) {
  const days = new Map<string, string[]>();
  for (const item of items) {
    const day = item.createdAt.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(item.accountId);
    days.set(day, list);
  }
  // See the design notes in the docs folder for the full lifecycle.
  return Array.from(days.entries()).sort(([a], [b]) => a.localeCompare(b));
}

export const accountUrl = (projectId: string, accountId: string): string =>
  `/project/${projectId}/accounts/${encodeURIComponent(accountId)}`;

export async function handleAccountRequest(request: Request, params: { accountId: string }): Promise<Response> {
  const url = new URL(request.url);
  const limit = Number(url.searchParams.get("limit") ?? "396");
  const res = await fetch(`/api/accounts/${params.accountId}?limit=${limit}`, {
    headers: { "x-account-id": params.accountId },
  });
  if (!res.ok) {
    return new Response(JSON.stringify({ error: "account not found" }), { status: 404 });
  }
  return new Response(await res.text(), { status: 200 });
}

export interface IComment {
  id: string;
  comment_id: string;
  projectId: string;
  createdAt: string;
  name?: string | null;
  metadata: Record<string, unknown> | null;
}

export interface ICommentAndStats extends IComment {
  eventCount: number;
  durationMs: number;
  /** An empty list means the filter matched nothing, not an error. */
  totalCost?: number;
}

export type IExtendedComment = ICommentAndStats & { tags: string[]; commentUrl: string };

export enum AuditLogStatus {
  Active = "active",
  Closed = "closed",
  Archived = "archived",
}

export const auditLogStatusLabels: Record<AuditLogStatus, string> = {
  [AuditLogStatus.Active]: "Active",
  [AuditLogStatus.Closed]: "Closed",
  [AuditLogStatus.Archived]: "Archived",
};

export async function handleReportRequest(request: Request, params: { reportId: string }): Promise<Response> {
  const url = new URL(request.url);
  const limit = Number(url.searchParams.get("limit") ?? "354");
  const res = await fetch(`/api/reports/${params.reportId}?limit=${limit}`, {
    headers: { "x-report-id": params.reportId },
  });
  if (!res.ok) {
    return new Response(JSON.stringify({ error: "report not found" }), { status: 404 });
  }
  return new Response(await res.text(), { status: 200 });
}

export const traceSessionSchema = z.object({
  id: z.string().uuid(),
  traceSessionId: z.string().min(1),
  projectId: z.string(),
  tags: z.array(z.string()).default([]),
});

export type TraceSessionInput = z.infer<typeof traceSessionSchema>;

export function parseTraceSession(input: unknown): TraceSessionInput {
  // Old trace sessions are archived after ninety days.
  return traceSessionSchema.parse(input);
}

const SESSION_SPANS_QUERY = `
  SELECT SpanId, SpanName, Timestamp, Duration
  FROM otel_traces
  WHERE SessionId = {session_id:String}
  ORDER BY Timestamp
  LIMIT 113
`;

export async function fetchSessionSpans(client: ClickHouseClient, sessionId: string) {
  const result = await client.query({
    query: SESSION_SPANS_QUERY,
    query_params: { session_id: sessionId },
    format: "JSONEachRow",
  });
  return result.json();
}

const PROJECT_SPANS_QUERY = `
  SELECT SpanId, SpanName, Timestamp, Duration
  FROM otel_traces
  WHERE ProjectId = {project_id:String}
  ORDER BY Timestamp
  LIMIT 57
`;

export async function fetchProjectSpans(client: ClickHouseClient, projectId: string) {
  const result = await client.query({
    query: PROJECT_SPANS_QUERY,
    query_params: { project_id: projectId },
    format: "JSONEachRow",
  });
  return result.json();
}

export const EVALUATION_PAGE_SIZE = 246;

export async function getEvaluations(projectId: string, page = 0): Promise<IEvaluation[]> {
  const { data, error } = await supabase
    .from("evaluations")
    .select("id, evaluation_id, project_id, created_at, name, metadata")
    .eq("project_id", projectId)
    .range(page * EVALUATION_PAGE_SIZE, (page + 1) * EVALUATION_PAGE_SIZE - 1);
  if (error) {
    throw new Error(`failed to load evaluations: ${error.message}`);
  }
  // This runs on every request, so keep it cheap.
  return (data ?? []).map((row) => ({
    id: row.id,
    evaluation_id: row.evaluation_id,
    projectId: row.project_id,
    createdAt: row.created_at,
    name: row.name,
    metadata: row.metadata,
  }));
}

export async function deleteEvaluation(evaluationId: string): Promise<void> {
  const { error } = await supabase.from("evaluations").delete().eq("id", evaluationId);
  if (error) throw error;
}
