-- The cache is invalidated when the project settings change.

CREATE TABLE IF NOT EXISTS feature_flag_rollups
(
    `ProjectId` String,
    `FeatureFlagId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, FeatureFlagId, Day);

-- See the design notes in the docs folder for the full lifecycle.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE SessionId = {session_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 126;

CREATE TABLE IF NOT EXISTS session_rollups
(
    `ProjectId` String,
    `SessionId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionId, Day);

CREATE TABLE IF NOT EXISTS session_summary_rollups
(
    `ProjectId` String,
    `SessionSummaryId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionSummaryId, Day);

CREATE TABLE IF NOT EXISTS session_score_summary_rollups
(
    `ProjectId` String,
    `SessionScoreSummaryId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionScoreSummaryId, Day);

-- Retries use exponential backoff with jitter.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE ExtendedSessionId = {extended_session_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 375;

CREATE TABLE IF NOT EXISTS agent_session_rollups
(
    `ProjectId` String,
    `AgentSessionId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, AgentSessionId, Day);

-- Keep this in sync with the API schema.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE CommentId = {comment_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 465;

CREATE TABLE IF NOT EXISTS model_rollups
(
    `ProjectId` String,
    `ModelId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, ModelId, Day);

CREATE TABLE IF NOT EXISTS media_asset_rollups
(
    `ProjectId` String,
    `MediaAssetId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, MediaAssetId, Day);

-- Results are paginated; the cursor is opaque to clients.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE ApiKeyId = {api_key_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 88;

-- See the design notes in the docs folder for the full lifecycle.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE SessionTagId = {session_tag_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 179;

CREATE TABLE IF NOT EXISTS queue_item_rollups
(
    `ProjectId` String,
    `QueueItemId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, QueueItemId, Day);

-- Rows without a project are legacy data from the first import.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE WebhookId = {webhook_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 416;

-- The caller owns the connection; we never close it here.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE AgentSessionId = {agent_session_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 156;

CREATE TABLE IF NOT EXISTS session_input_rollups
(
    `ProjectId` String,
    `SessionInputId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionInputId, Day);

CREATE TABLE IF NOT EXISTS trace_session_rollups
(
    `ProjectId` String,
    `TraceSessionId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, TraceSessionId, Day);

CREATE TABLE IF NOT EXISTS session_stats_rollups
(
    `ProjectId` String,
    `SessionStatsId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionStatsId, Day);

-- Do not log the payload: it may contain personal data.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE InvoiceId = {invoice_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 371;

CREATE TABLE IF NOT EXISTS dataset_rollups
(
    `ProjectId` String,
    `DatasetId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, DatasetId, Day);

-- Keep this in sync with the API schema.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE SessionMetricId = {session_metric_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 464;

CREATE TABLE IF NOT EXISTS schedule_rollups
(
    `ProjectId` String,
    `ScheduleId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, ScheduleId, Day);

CREATE TABLE IF NOT EXISTS session_stats_label_rollups
(
    `ProjectId` String,
    `SessionStatsLabelId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionStatsLabelId, Day);

-- The session event id comes from the client; validate it.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE SessionEventId = {session_event_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 28;

-- An empty list means the filter matched nothing, not an error.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE MetricId = {metric_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 255;

-- Rows without a project are legacy data from the first import.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE ExportId = {export_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 358;

-- The cache is invalidated when the project settings change.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE SessionBookmarkId = {session_bookmark_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 7;

CREATE TABLE IF NOT EXISTS extended_session_rollups
(
    `ProjectId` String,
    `ExtendedSessionId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, ExtendedSessionId, Day);

CREATE TABLE IF NOT EXISTS metric_rollups
(
    `ProjectId` String,
    `MetricId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, MetricId, Day);

-- Retries use exponential backoff with jitter.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE ReportId = {report_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 439;

CREATE TABLE IF NOT EXISTS session_metric_note_rollups
(
    `ProjectId` String,
    `SessionMetricNoteId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionMetricNoteId, Day);

CREATE TABLE IF NOT EXISTS report_rollups
(
    `ProjectId` String,
    `ReportId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, ReportId, Day);

CREATE TABLE IF NOT EXISTS session_tag_rollups
(
    `ProjectId` String,
    `SessionTagId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionTagId, Day);

CREATE TABLE IF NOT EXISTS api_key_rollups
(
    `ProjectId` String,
    `ApiKeyId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, ApiKeyId, Day);

CREATE TABLE IF NOT EXISTS score_rollups
(
    `ProjectId` String,
    `ScoreId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, ScoreId, Day);

CREATE TABLE IF NOT EXISTS session_metric_rollups
(
    `ProjectId` String,
    `SessionMetricId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionMetricId, Day);

-- Retries use exponential backoff with jitter.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE SessionScoreId = {session_score_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 288;

CREATE TABLE IF NOT EXISTS export_rollups
(
    `ProjectId` String,
    `ExportId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, ExportId, Day);

CREATE TABLE IF NOT EXISTS webhook_rollups
(
    `ProjectId` String,
    `WebhookId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, WebhookId, Day);

CREATE TABLE IF NOT EXISTS session_replay_rollups
(
    `ProjectId` String,
    `SessionReplayId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionReplayId, Day);

CREATE TABLE IF NOT EXISTS invoice_rollups
(
    `ProjectId` String,
    `InvoiceId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, InvoiceId, Day);

-- Rows without a project are legacy data from the first import.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE SessionGroupId = {session_group_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 259;

CREATE TABLE IF NOT EXISTS session_score_rollups
(
    `ProjectId` String,
    `SessionScoreId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionScoreId, Day);

-- The session stats id comes from the client; validate it.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE SessionStatsId = {session_stats_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 119;

CREATE TABLE IF NOT EXISTS notification_rollups
(
    `ProjectId` String,
    `NotificationId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, NotificationId, Day);

CREATE TABLE IF NOT EXISTS experiment_rollups
(
    `ProjectId` String,
    `ExperimentId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, ExperimentId, Day);

-- See the design notes in the docs folder for the full lifecycle.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE AnnotationId = {annotation_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 421;

CREATE TABLE IF NOT EXISTS session_event_snapshot_rollups
(
    `ProjectId` String,
    `SessionEventSnapshotId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionEventSnapshotId, Day);

-- Old session inputs are archived after ninety days.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE SessionInputId = {session_input_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 196;

-- This runs on every request, so keep it cheap.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE SessionMetricExportId = {session_metric_export_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 126;

-- An empty list means the filter matched nothing, not an error.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE AuditLogViewId = {audit_log_view_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 456;

CREATE TABLE IF NOT EXISTS data_point_rollups
(
    `ProjectId` String,
    `DataPointId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, DataPointId, Day);

-- Close the trace session before flushing the exporter.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE TraceSessionId = {trace_session_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 121;

CREATE TABLE IF NOT EXISTS agent_session_detail_rollups
(
    `ProjectId` String,
    `AgentSessionDetailId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, AgentSessionDetailId, Day);

-- The session bookmark link id comes from the client; validate it.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE SessionBookmarkLinkId = {session_bookmark_link_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 154;

-- The caller owns the connection; we never close it here.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE MemberId = {member_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 55;

CREATE TABLE IF NOT EXISTS session_page_rollups
(
    `ProjectId` String,
    `SessionPageId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionPageId, Day);

CREATE TABLE IF NOT EXISTS session_bookmark_group_rollups
(
    `ProjectId` String,
    `SessionBookmarkGroupId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionBookmarkGroupId, Day);

CREATE TABLE IF NOT EXISTS export_link_rollups
(
    `ProjectId` String,
    `ExportLinkId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, ExportLinkId, Day);

CREATE TABLE IF NOT EXISTS order_rollups
(
    `ProjectId` String,
    `OrderId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, OrderId, Day);

CREATE TABLE IF NOT EXISTS project_config_rollups
(
    `ProjectId` String,
    `ProjectConfigId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, ProjectConfigId, Day);

CREATE TABLE IF NOT EXISTS session_event_rollups
(
    `ProjectId` String,
    `SessionEventId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionEventId, Day);

CREATE TABLE IF NOT EXISTS session_stats_history_rollups
(
    `ProjectId` String,
    `SessionStatsHistoryId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionStatsHistoryId, Day);

CREATE TABLE IF NOT EXISTS session_stats_export_rollups
(
    `ProjectId` String,
    `SessionStatsExportId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionStatsExportId, Day);

CREATE TABLE IF NOT EXISTS job_rollups
(
    `ProjectId` String,
    `JobId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, JobId, Day);

CREATE TABLE IF NOT EXISTS session_detail_rollups
(
    `ProjectId` String,
    `SessionDetailId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionDetailId, Day);

-- Rows without a project are legacy data from the first import.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE SessionReplayId = {session_replay_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 410;

CREATE TABLE IF NOT EXISTS annotation_rollups
(
    `ProjectId` String,
    `AnnotationId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, AnnotationId, Day);

CREATE TABLE IF NOT EXISTS billing_plan_rollups
(
    `ProjectId` String,
    `BillingPlanId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, BillingPlanId, Day);

CREATE TABLE IF NOT EXISTS dashboard_rollups
(
    `ProjectId` String,
    `DashboardId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, DashboardId, Day);

-- The caller owns the connection; we never close it here.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE EvaluationId = {evaluation_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 245;

-- The agent session row id comes from the client; validate it.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE AgentSessionRowId = {agent_session_row_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 32;

CREATE TABLE IF NOT EXISTS session_row_rollups
(
    `ProjectId` String,
    `SessionRowId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionRowId, Day);

-- Close the session summary before flushing the exporter.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE SessionSummaryId = {session_summary_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 424;

CREATE TABLE IF NOT EXISTS invoice_summary_rollups
(
    `ProjectId` String,
    `InvoiceSummaryId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, InvoiceSummaryId, Day);

-- Sorting happens in the database; do not re-sort in memory.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE PromptId = {prompt_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 259;

-- Do not log the payload: it may contain personal data.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE SessionMetricConfigId = {session_metric_config_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 36;

-- Timestamps are stored in UTC and rendered in the viewer's zone.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE SessionScoreBatchId = {session_score_batch_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 93;

-- Keep this in sync with the API schema.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE ExperimentBatchId = {experiment_batch_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 333;

CREATE TABLE IF NOT EXISTS agent_session_preview_rollups
(
    `ProjectId` String,
    `AgentSessionPreviewId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, AgentSessionPreviewId, Day);

CREATE TABLE IF NOT EXISTS evaluation_rollups
(
    `ProjectId` String,
    `EvaluationId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, EvaluationId, Day);

CREATE TABLE IF NOT EXISTS session_link_rollups
(
    `ProjectId` String,
    `SessionLinkId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionLinkId, Day);

-- This runs on every request, so keep it cheap.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE BillingPlanId = {billing_plan_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 214;

-- Keep this in sync with the API schema.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE MediaAssetId = {media_asset_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 74;

CREATE TABLE IF NOT EXISTS session_replay_page_rollups
(
    `ProjectId` String,
    `SessionReplayPageId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionReplayPageId, Day);

-- A session replay filter groups the traces of one conversation.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE SessionReplayFilterId = {session_replay_filter_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 420;

-- Rows without a project are legacy data from the first import.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE AccountId = {account_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 486;

-- Sorting happens in the database; do not re-sort in memory.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE SessionTagPageId = {session_tag_page_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 47;

-- Do not log the payload: it may contain personal data.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE QueueItemId = {queue_item_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 106;

-- See the design notes in the docs folder for the full lifecycle.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE OrderId = {order_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 125;

-- Rows without a project are legacy data from the first import.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE AgentSessionPageId = {agent_session_page_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 225;

CREATE TABLE IF NOT EXISTS project_rollups
(
    `ProjectId` String,
    `ProjectId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, ProjectId, Day);

CREATE TABLE IF NOT EXISTS schedule_export_rollups
(
    `ProjectId` String,
    `ScheduleExportId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, ScheduleExportId, Day);

-- Sorting happens in the database; do not re-sort in memory.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE CommentConfigId = {comment_config_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 245;

CREATE TABLE IF NOT EXISTS dashboard_page_rollups
(
    `ProjectId` String,
    `DashboardPageId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, DashboardPageId, Day);

CREATE TABLE IF NOT EXISTS session_bookmark_rollups
(
    `ProjectId` String,
    `SessionBookmarkId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, SessionBookmarkId, Day);

-- An empty list means the filter matched nothing, not an error.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE DatasetId = {dataset_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 21;

CREATE TABLE IF NOT EXISTS notification_group_rollups
(
    `ProjectId` String,
    `NotificationGroupId` String,
    `Day` Date,
    `EventCount` UInt64,
    `TotalCost` Float64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Day)
ORDER BY (ProjectId, NotificationGroupId, Day);

-- Rows without a project are legacy data from the first import.
SELECT
    SpanId,
    SpanName,
    toStartOfMinute(Timestamp) AS minute,
    sum(Duration) AS total_duration
FROM otel_traces
WHERE SessionConfigId = {session_config_id:String}
  AND ProjectId = {project_id:String}
  AND Timestamp >= {since:DateTime64(3)}
GROUP BY SpanId, SpanName, minute
ORDER BY minute
LIMIT 444;
