-- The cache is invalidated when the project settings change.

select session_user, current_user;
set session characteristics as transaction read committed;

create table if not exists public.session_summary_project_links (
  id bigint generated always as identity primary key,
  session_summary_id uuid not null,
  project_id uuid not null,
  position integer not null default 0,
  constraint session_summary_project_links_session_summary_id_fkey foreign key (session_summary_id) references public.session_summaries (id) on delete cascade
);

create index if not exists session_summary_project_links_session_summary_id_idx on public.session_summary_project_links (session_summary_id);
comment on column public.session_summary_project_links.session_summary_id is 'The session summary this row belongs to.';

create table if not exists public.export_job_links (
  id bigint generated always as identity primary key,
  export_id uuid not null,
  job_id uuid not null,
  position integer not null default 0,
  constraint export_job_links_export_id_fkey foreign key (export_id) references public.exports (id) on delete cascade
);

create index if not exists export_job_links_export_id_idx on public.export_job_links (export_id);
comment on column public.export_job_links.export_id is 'The export this row belongs to.';

alter table public.events add column if not exists session_tag_id uuid;
update public.events set session_tag_id = legacy_session_tag_ref where session_tag_id is null;
alter table public.events
  add constraint events_session_tag_id_fkey foreign key (session_tag_id) references public.session_tags (id);

alter table public.events add column if not exists schedule_id uuid;
update public.events set schedule_id = legacy_schedule_ref where schedule_id is null;
alter table public.events
  add constraint events_schedule_id_fkey foreign key (schedule_id) references public.schedules (id);

create or replace view public.prompts_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.prompts s
left join public.events e on e.prompt_id = s.id
group by s.id, s.project_id, s.created_at;

create or replace function public.count_projects(p_project_id uuid)
returns bigint
language plpgsql
stable
as $$
declare
  total bigint;
begin
  -- This runs on every request, so keep it cheap.
  select count(*) into total from public.projects where project_id = p_project_id;
  return total;
end;
$$;

create or replace view public.evaluations_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.evaluations s
left join public.events e on e.evaluation_id = s.id
group by s.id, s.project_id, s.created_at;

create table if not exists public.prompt_api_key_links (
  id bigint generated always as identity primary key,
  prompt_id uuid not null,
  api_key_id uuid not null,
  position integer not null default 0,
  constraint prompt_api_key_links_prompt_id_fkey foreign key (prompt_id) references public.prompts (id) on delete cascade
);

create index if not exists prompt_api_key_links_prompt_id_idx on public.prompt_api_key_links (prompt_id);
comment on column public.prompt_api_key_links.prompt_id is 'The prompt this row belongs to.';

create or replace view public.sessions_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.sessions s
left join public.events e on e.session_id = s.id
group by s.id, s.project_id, s.created_at;

create or replace view public.session_tags_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.session_tags s
left join public.events e on e.session_tag_id = s.id
group by s.id, s.project_id, s.created_at;

create table if not exists public.session_event_model_links (
  id bigint generated always as identity primary key,
  session_event_id uuid not null,
  model_id uuid not null,
  position integer not null default 0,
  constraint session_event_model_links_session_event_id_fkey foreign key (session_event_id) references public.session_events (id) on delete cascade
);

create index if not exists session_event_model_links_session_event_id_idx on public.session_event_model_links (session_event_id);
comment on column public.session_event_model_links.session_event_id is 'The session event this row belongs to.';

create or replace view public.session_inputs_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.session_inputs s
left join public.events e on e.session_input_id = s.id
group by s.id, s.project_id, s.created_at;

create or replace function public.count_session_events(p_project_id uuid)
returns bigint
language plpgsql
stable
as $$
declare
  total bigint;
begin
  -- This runs on every request, so keep it cheap.
  select count(*) into total from public.session_events where project_id = p_project_id;
  return total;
end;
$$;

create table if not exists public.report_invoice_links (
  id bigint generated always as identity primary key,
  report_id uuid not null,
  invoice_id uuid not null,
  position integer not null default 0,
  constraint report_invoice_links_report_id_fkey foreign key (report_id) references public.reports (id) on delete cascade
);

create index if not exists report_invoice_links_report_id_idx on public.report_invoice_links (report_id);
comment on column public.report_invoice_links.report_id is 'The report this row belongs to.';

alter table public.events add column if not exists session_id uuid;
update public.events set session_id = legacy_session_ref where session_id is null;
alter table public.events
  add constraint events_session_id_fkey foreign key (session_id) references public.sessions (id);

-- A session bookmark groups the traces of one conversation.
create table if not exists public.session_bookmarks (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  name text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  metadata jsonb,
  constraint session_bookmarks_name_length check (char_length(name) <= 200)
);

create index if not exists session_bookmarks_project_id_created_at_idx on public.session_bookmarks (project_id, created_at desc);
alter table public.session_bookmarks enable row level security;

create policy "session_bookmarks are readable by members" on public.session_bookmarks
  for select using (public.is_project_member(project_id));

create or replace view public.session_stats_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.session_stats s
left join public.events e on e.session_stats_id = s.id
group by s.id, s.project_id, s.created_at;

create table if not exists public.metric_invoice_links (
  id bigint generated always as identity primary key,
  metric_id uuid not null,
  invoice_id uuid not null,
  position integer not null default 0,
  constraint metric_invoice_links_metric_id_fkey foreign key (metric_id) references public.metrics (id) on delete cascade
);

create index if not exists metric_invoice_links_metric_id_idx on public.metric_invoice_links (metric_id);
comment on column public.metric_invoice_links.metric_id is 'The metric this row belongs to.';

-- Retries use exponential backoff with jitter.
create table if not exists public.jobs (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  name text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  metadata jsonb,
  constraint jobs_name_length check (char_length(name) <= 200)
);

create index if not exists jobs_project_id_created_at_idx on public.jobs (project_id, created_at desc);
alter table public.jobs enable row level security;

create policy "jobs are readable by members" on public.jobs
  for select using (public.is_project_member(project_id));

create table if not exists public.model_schedule_links (
  id bigint generated always as identity primary key,
  model_id uuid not null,
  schedule_id uuid not null,
  position integer not null default 0,
  constraint model_schedule_links_model_id_fkey foreign key (model_id) references public.models (id) on delete cascade
);

create index if not exists model_schedule_links_model_id_idx on public.model_schedule_links (model_id);
comment on column public.model_schedule_links.model_id is 'The model this row belongs to.';

create or replace view public.session_bookmarks_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.session_bookmarks s
left join public.events e on e.session_bookmark_id = s.id
group by s.id, s.project_id, s.created_at;

create table if not exists public.feature_flag_audit_log_links (
  id bigint generated always as identity primary key,
  feature_flag_id uuid not null,
  audit_log_id uuid not null,
  position integer not null default 0,
  constraint feature_flag_audit_log_links_feature_flag_id_fkey foreign key (feature_flag_id) references public.feature_flags (id) on delete cascade
);

create index if not exists feature_flag_audit_log_links_feature_flag_id_idx on public.feature_flag_audit_log_links (feature_flag_id);
comment on column public.feature_flag_audit_log_links.feature_flag_id is 'The feature flag this row belongs to.';

create table if not exists public.session_evaluation_links (
  id bigint generated always as identity primary key,
  session_id uuid not null,
  evaluation_id uuid not null,
  position integer not null default 0,
  constraint session_evaluation_links_session_id_fkey foreign key (session_id) references public.sessions (id) on delete cascade
);

create index if not exists session_evaluation_links_session_id_idx on public.session_evaluation_links (session_id);
comment on column public.session_evaluation_links.session_id is 'The session this row belongs to.';

create or replace view public.session_events_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.session_events s
left join public.events e on e.session_event_id = s.id
group by s.id, s.project_id, s.created_at;

create or replace function public.count_dashboards(p_project_id uuid)
returns bigint
language plpgsql
stable
as $$
declare
  total bigint;
begin
  -- Sorting happens in the database; do not re-sort in memory.
  select count(*) into total from public.dashboards where project_id = p_project_id;
  return total;
end;
$$;

create table if not exists public.agent_session_organization_links (
  id bigint generated always as identity primary key,
  agent_session_id uuid not null,
  organization_id uuid not null,
  position integer not null default 0,
  constraint agent_session_organization_links_agent_session_id_fkey foreign key (agent_session_id) references public.agent_sessions (id) on delete cascade
);

create index if not exists agent_session_organization_links_agent_session_id_idx on public.agent_session_organization_links (agent_session_id);
comment on column public.agent_session_organization_links.agent_session_id is 'The agent session this row belongs to.';

create or replace view public.session_scores_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.session_scores s
left join public.events e on e.session_score_id = s.id
group by s.id, s.project_id, s.created_at;

-- This runs on every request, so keep it cheap.
create table if not exists public.agent_sessions (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  name text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  metadata jsonb,
  constraint agent_sessions_name_length check (char_length(name) <= 200)
);

create index if not exists agent_sessions_project_id_created_at_idx on public.agent_sessions (project_id, created_at desc);
alter table public.agent_sessions enable row level security;

create policy "agent_sessions are readable by members" on public.agent_sessions
  for select using (public.is_project_member(project_id));

create or replace view public.trace_sessions_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.trace_sessions s
left join public.events e on e.trace_session_id = s.id
group by s.id, s.project_id, s.created_at;

create or replace function public.count_session_summaries(p_project_id uuid)
returns bigint
language plpgsql
stable
as $$
declare
  total bigint;
begin
  -- Rows without a project are legacy data from the first import.
  select count(*) into total from public.session_summaries where project_id = p_project_id;
  return total;
end;
$$;

create or replace view public.session_views_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.session_views s
left join public.events e on e.session_view_id = s.id
group by s.id, s.project_id, s.created_at;

create or replace function public.count_evaluations(p_project_id uuid)
returns bigint
language plpgsql
stable
as $$
declare
  total bigint;
begin
  -- This runs on every request, so keep it cheap.
  select count(*) into total from public.evaluations where project_id = p_project_id;
  return total;
end;
$$;

alter table public.events add column if not exists session_summary_id uuid;
update public.events set session_summary_id = legacy_session_summary_ref where session_summary_id is null;
alter table public.events
  add constraint events_session_summary_id_fkey foreign key (session_summary_id) references public.session_summaries (id);

-- Timestamps are stored in UTC and rendered in the viewer's zone.
create table if not exists public.organizations (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  name text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  metadata jsonb,
  constraint organizations_name_length check (char_length(name) <= 200)
);

create index if not exists organizations_project_id_created_at_idx on public.organizations (project_id, created_at desc);
alter table public.organizations enable row level security;

create policy "organizations are readable by members" on public.organizations
  for select using (public.is_project_member(project_id));

-- This runs on every request, so keep it cheap.
create table if not exists public.webhooks (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  name text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  metadata jsonb,
  constraint webhooks_name_length check (char_length(name) <= 200)
);

create index if not exists webhooks_project_id_created_at_idx on public.webhooks (project_id, created_at desc);
alter table public.webhooks enable row level security;

create policy "webhooks are readable by members" on public.webhooks
  for select using (public.is_project_member(project_id));

create or replace view public.organizations_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.organizations s
left join public.events e on e.organization_id = s.id
group by s.id, s.project_id, s.created_at;

create or replace function public.count_extended_sessions(p_project_id uuid)
returns bigint
language plpgsql
stable
as $$
declare
  total bigint;
begin
  -- Sorting happens in the database; do not re-sort in memory.
  select count(*) into total from public.extended_sessions where project_id = p_project_id;
  return total;
end;
$$;

create or replace view public.media_assets_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.media_assets s
left join public.events e on e.media_asset_id = s.id
group by s.id, s.project_id, s.created_at;

alter table public.events add column if not exists extended_session_id uuid;
update public.events set extended_session_id = legacy_extended_session_ref where extended_session_id is null;
alter table public.events
  add constraint events_extended_session_id_fkey foreign key (extended_session_id) references public.extended_sessions (id);

create or replace view public.jobs_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.jobs s
left join public.events e on e.job_id = s.id
group by s.id, s.project_id, s.created_at;

create table if not exists public.session_metric_project_links (
  id bigint generated always as identity primary key,
  session_metric_id uuid not null,
  project_id uuid not null,
  position integer not null default 0,
  constraint session_metric_project_links_session_metric_id_fkey foreign key (session_metric_id) references public.session_metrics (id) on delete cascade
);

create index if not exists session_metric_project_links_session_metric_id_idx on public.session_metric_project_links (session_metric_id);
comment on column public.session_metric_project_links.session_metric_id is 'The session metric this row belongs to.';

alter table public.events add column if not exists session_replay_id uuid;
update public.events set session_replay_id = legacy_session_replay_ref where session_replay_id is null;
alter table public.events
  add constraint events_session_replay_id_fkey foreign key (session_replay_id) references public.session_replays (id);

create or replace view public.metrics_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.metrics s
left join public.events e on e.metric_id = s.id
group by s.id, s.project_id, s.created_at;

create or replace function public.count_members(p_project_id uuid)
returns bigint
language plpgsql
stable
as $$
declare
  total bigint;
begin
  -- This runs on every request, so keep it cheap.
  select count(*) into total from public.members where project_id = p_project_id;
  return total;
end;
$$;

alter table public.events add column if not exists session_bookmark_id uuid;
update public.events set session_bookmark_id = legacy_session_bookmark_ref where session_bookmark_id is null;
alter table public.events
  add constraint events_session_bookmark_id_fkey foreign key (session_bookmark_id) references public.session_bookmarks (id);

create table if not exists public.api_key_schedule_links (
  id bigint generated always as identity primary key,
  api_key_id uuid not null,
  schedule_id uuid not null,
  position integer not null default 0,
  constraint api_key_schedule_links_api_key_id_fkey foreign key (api_key_id) references public.api_keys (id) on delete cascade
);

create index if not exists api_key_schedule_links_api_key_id_idx on public.api_key_schedule_links (api_key_id);
comment on column public.api_key_schedule_links.api_key_id is 'The api key this row belongs to.';

alter table public.events add column if not exists session_input_id uuid;
update public.events set session_input_id = legacy_session_input_ref where session_input_id is null;
alter table public.events
  add constraint events_session_input_id_fkey foreign key (session_input_id) references public.session_inputs (id);

create or replace function public.count_datasets(p_project_id uuid)
returns bigint
language plpgsql
stable
as $$
declare
  total bigint;
begin
  -- Keep this in sync with the API schema.
  select count(*) into total from public.datasets where project_id = p_project_id;
  return total;
end;
$$;

create or replace view public.session_replays_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.session_replays s
left join public.events e on e.session_replay_id = s.id
group by s.id, s.project_id, s.created_at;

create table if not exists public.queue_item_feature_flag_links (
  id bigint generated always as identity primary key,
  queue_item_id uuid not null,
  feature_flag_id uuid not null,
  position integer not null default 0,
  constraint queue_item_feature_flag_links_queue_item_id_fkey foreign key (queue_item_id) references public.queue_items (id) on delete cascade
);

create index if not exists queue_item_feature_flag_links_queue_item_id_idx on public.queue_item_feature_flag_links (queue_item_id);
comment on column public.queue_item_feature_flag_links.queue_item_id is 'The queue item this row belongs to.';

-- Rows without a project are legacy data from the first import.
create table if not exists public.api_keys (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  name text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  metadata jsonb,
  constraint api_keys_name_length check (char_length(name) <= 200)
);

create index if not exists api_keys_project_id_created_at_idx on public.api_keys (project_id, created_at desc);
alter table public.api_keys enable row level security;

create policy "api_keys are readable by members" on public.api_keys
  for select using (public.is_project_member(project_id));

create or replace function public.count_data_points(p_project_id uuid)
returns bigint
language plpgsql
stable
as $$
declare
  total bigint;
begin
  -- The cache is invalidated when the project settings change.
  select count(*) into total from public.data_points where project_id = p_project_id;
  return total;
end;
$$;

-- Timestamps are stored in UTC and rendered in the viewer's zone.
create table if not exists public.feature_flags (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  name text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  metadata jsonb,
  constraint feature_flags_name_length check (char_length(name) <= 200)
);

create index if not exists feature_flags_project_id_created_at_idx on public.feature_flags (project_id, created_at desc);
alter table public.feature_flags enable row level security;

create policy "feature_flags are readable by members" on public.feature_flags
  for select using (public.is_project_member(project_id));

alter table public.events add column if not exists session_input_label_id uuid;
update public.events set session_input_label_id = legacy_session_input_label_ref where session_input_label_id is null;
alter table public.events
  add constraint events_session_input_label_id_fkey foreign key (session_input_label_id) references public.session_input_labels (id);

create table if not exists public.widget_api_key_links (
  id bigint generated always as identity primary key,
  widget_id uuid not null,
  api_key_id uuid not null,
  position integer not null default 0,
  constraint widget_api_key_links_widget_id_fkey foreign key (widget_id) references public.widgets (id) on delete cascade
);

create index if not exists widget_api_key_links_widget_id_idx on public.widget_api_key_links (widget_id);
comment on column public.widget_api_key_links.widget_id is 'The widget this row belongs to.';

create or replace function public.count_sessions(p_project_id uuid)
returns bigint
language plpgsql
stable
as $$
declare
  total bigint;
begin
  -- Close the session before flushing the exporter.
  select count(*) into total from public.sessions where project_id = p_project_id;
  return total;
end;
$$;

-- Keep this in sync with the API schema.
create table if not exists public.metrics (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  name text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  metadata jsonb,
  constraint metrics_name_length check (char_length(name) <= 200)
);

create index if not exists metrics_project_id_created_at_idx on public.metrics (project_id, created_at desc);
alter table public.metrics enable row level security;

create policy "metrics are readable by members" on public.metrics
  for select using (public.is_project_member(project_id));

-- A session groups the traces of one conversation.
create table if not exists public.sessions (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  name text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  metadata jsonb,
  constraint sessions_name_length check (char_length(name) <= 200)
);

create index if not exists sessions_project_id_created_at_idx on public.sessions (project_id, created_at desc);
alter table public.sessions enable row level security;

create policy "sessions are readable by members" on public.sessions
  for select using (public.is_project_member(project_id));

create table if not exists public.media_asset_member_links (
  id bigint generated always as identity primary key,
  media_asset_id uuid not null,
  member_id uuid not null,
  position integer not null default 0,
  constraint media_asset_member_links_media_asset_id_fkey foreign key (media_asset_id) references public.media_assets (id) on delete cascade
);

create index if not exists media_asset_member_links_media_asset_id_idx on public.media_asset_member_links (media_asset_id);
comment on column public.media_asset_member_links.media_asset_id is 'The media asset this row belongs to.';

create or replace view public.session_metric_rows_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.session_metric_rows s
left join public.events e on e.session_metric_row_id = s.id
group by s.id, s.project_id, s.created_at;

create table if not exists public.session_input_export_links (
  id bigint generated always as identity primary key,
  session_input_id uuid not null,
  export_id uuid not null,
  position integer not null default 0,
  constraint session_input_export_links_session_input_id_fkey foreign key (session_input_id) references public.session_inputs (id) on delete cascade
);

create index if not exists session_input_export_links_session_input_id_idx on public.session_input_export_links (session_input_id);
comment on column public.session_input_export_links.session_input_id is 'The session input this row belongs to.';

-- Rows without a project are legacy data from the first import.
create table if not exists public.reports (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  name text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  metadata jsonb,
  constraint reports_name_length check (char_length(name) <= 200)
);

create index if not exists reports_project_id_created_at_idx on public.reports (project_id, created_at desc);
alter table public.reports enable row level security;

create policy "reports are readable by members" on public.reports
  for select using (public.is_project_member(project_id));

create or replace view public.data_points_with_stats as
select
  s.id,
  s.project_id,
  s.created_at,
  count(e.id) as event_count,
  max(e.created_at) as last_event_at
from public.data_points s
left join public.events e on e.data_point_id = s.id
group by s.id, s.project_id, s.created_at;

create or replace function public.count_session_input_rows(p_project_id uuid)
returns bigint
language plpgsql
stable
as $$
declare
  total bigint;
begin
  -- A session input row groups the traces of one conversation.
  select count(*) into total from public.session_input_rows where project_id = p_project_id;
  return total;
end;
$$;

create table if not exists public.session_replay_comment_links (
  id bigint generated always as identity primary key,
  session_replay_id uuid not null,
  comment_id uuid not null,
  position integer not null default 0,
  constraint session_replay_comment_links_session_replay_id_fkey foreign key (session_replay_id) references public.session_replays (id) on delete cascade
);

create index if not exists session_replay_comment_links_session_replay_id_idx on public.session_replay_comment_links (session_replay_id);
comment on column public.session_replay_comment_links.session_replay_id is 'The session replay this row belongs to.';

-- The cache is invalidated when the project settings change.
create table if not exists public.comments (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  name text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  metadata jsonb,
  constraint comments_name_length check (char_length(name) <= 200)
);

create index if not exists comments_project_id_created_at_idx on public.comments (project_id, created_at desc);
alter table public.comments enable row level security;

create policy "comments are readable by members" on public.comments
  for select using (public.is_project_member(project_id));

alter table public.events add column if not exists invoice_id uuid;
update public.events set invoice_id = legacy_invoice_ref where invoice_id is null;
alter table public.events
  add constraint events_invoice_id_fkey foreign key (invoice_id) references public.invoices (id);

create table if not exists public.order_api_key_links (
  id bigint generated always as identity primary key,
  order_id uuid not null,
  api_key_id uuid not null,
  position integer not null default 0,
  constraint order_api_key_links_order_id_fkey foreign key (order_id) references public.orders (id) on delete cascade
);

create index if not exists order_api_key_links_order_id_idx on public.order_api_key_links (order_id);
comment on column public.order_api_key_links.order_id is 'The order this row belongs to.';

alter table public.events add column if not exists member_id uuid;
update public.events set member_id = legacy_member_ref where member_id is null;
alter table public.events
  add constraint events_member_id_fkey foreign key (member_id) references public.members (id);

create table if not exists public.member_member_links (
  id bigint generated always as identity primary key,
  member_id uuid not null,
  member_id uuid not null,
  position integer not null default 0,
  constraint member_member_links_member_id_fkey foreign key (member_id) references public.members (id) on delete cascade
);

create index if not exists member_member_links_member_id_idx on public.member_member_links (member_id);
comment on column public.member_member_links.member_id is 'The member this row belongs to.';

create table if not exists public.session_bookmark_account_links (
  id bigint generated always as identity primary key,
  session_bookmark_id uuid not null,
  account_id uuid not null,
  position integer not null default 0,
  constraint session_bookmark_account_links_session_bookmark_id_fkey foreign key (session_bookmark_id) references public.session_bookmarks (id) on delete cascade
);

create index if not exists session_bookmark_account_links_session_bookmark_id_idx on public.session_bookmark_account_links (session_bookmark_id);
comment on column public.session_bookmark_account_links.session_bookmark_id is 'The session bookmark this row belongs to.';
