use std::fmt::Write as _;
use std::path::Path;

use super::*;
use crate::edit;
use crate::plan::{Finding, Location, Role, Verdict};
use crate::project::Project;
use crate::rules::RuleSet;

fn plan_with(rules: &RuleSet, path: &str, sql: &str) -> FilePlan {
    let project = Project::default();
    let cx = Context { rules, project: &project, path: Path::new(path) };
    Sql.plan(sql, &cx).expect("tokenizes")
}

fn plan(path: &str, sql: &str) -> FilePlan {
    plan_with(&RuleSet::builtin(), path, sql)
}

fn rewrite(sql: &str, plan: &FilePlan) -> String {
    edit::apply(sql, &edit::normalize(sql, plan.edits.clone()).expect("edits do not overlap"))
}

/// The rewritten text, then one line per finding: `line:col role text verdict`.
fn report(path: &str, sql: &str) -> String {
    report_with(&RuleSet::builtin(), path, sql)
}

fn report_with(rules: &RuleSet, path: &str, sql: &str) -> String {
    let plan = plan_with(rules, path, sql);
    let lines = LineIndex::new(sql);
    let mut out = rewrite(sql, &plan);
    out.push_str("----\n");
    for f in &plan.findings {
        let (line, column) = lines.line_column(sql, f.range.start);
        writeln!(out, "{line}:{column} {} {:?} {}", f.role, f.text, verdict(f)).unwrap();
    }
    out
}

fn verdict(f: &Finding) -> String {
    match &f.verdict {
        Verdict::Rename { to } => format!("-> {to}"),
        Verdict::Review { to, why } => format!("review -> {to} ({why})"),
        Verdict::Keep { reason } => format!("keep ({reason})"),
        Verdict::Conflict { to, why, other, .. } => {
            let other = other.as_ref().map_or("-".to_owned(), |o| format!("{}:{}", o.line, o.column));
            format!("conflict -> {to} ({why}; other at {other})")
        }
    }
}

#[test]
fn renames_names_qualified_quoted_and_comments() {
    let sql = r#"-- sessions hold one run each
create table public.sessions (
    id uuid primary key,
    "SessionLabel" text
);
/* session_id links a row to its session */
create index events_session_id_idx on public.events (session_id);
select s.id, "Sessions".x from public.sessions s join "Sessions" on true;
select * from otel.otel_traces;
"#;
    insta::assert_snapshot!(report("schema/init.sql", sql));
}

#[test]
fn sql_keywords_builtins_and_platform_tables_stay() {
    let sql = "SET SESSION AUTHORIZATION admin;\nset session statement_timeout = 5;\n\
               SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY;\nRESET SESSION AUTHORIZATION;\n\
               select session_user, current_setting('idle_session_timeout');\n\
               set session_replication_role = replica;\n\
               create table t (session uuid references auth.sessions(id));\n\
               update t set session = null;\n";
    insta::assert_snapshot!(report("schema/t.sql", sql));
}

#[test]
fn function_bodies_are_rewritten_recursively() {
    let sql = r#"create function touch_session() returns trigger language plpgsql as $$
begin
  -- keep the session fresh
  update sessions set updated_at = now() where id = new.session_id;
  if new.session_id is null then
    raise exception 'session % not found', new.session_id;
  end if;
  perform pg_notify('session_events', new.session_id::text);
  execute 'delete from session_tags where session_id = $1' using new.session_id;
  return new;
end
$$;
create function get_session_stats(p_session_id uuid) returns table (session_id uuid, n bigint)
as $body$ select e.session_id, count(*) from events e where e.session_id = p_session_id group by 1 $body$
language sql stable;
do $$ begin perform 'public.sessions'::regclass; end $$;
create function py_session() returns int as $$ session = 1 $$ language plpython3u;
select $$ a session of text $$;
"#;
    insta::assert_snapshot!(report("schema/functions.sql", sql));
}

#[test]
fn prose_and_data_keys_are_reviewed() {
    let sql = r#"create policy "read own sessions" on sessions for select using (true);
comment on table sessions is 'One row per traced session';
select metadata ->> 'session_label', jsonb_build_object('session_id', id) from sessions;
"#;
    insta::assert_snapshot!(report("schema/policies.sql", sql));
}

#[test]
fn prose_is_rewritten_when_the_rules_ask() {
    let rules = RuleSet::parse("t.toml", "extends = \"builtin\"\n[where]\nprose = true\n").unwrap();
    let sql = "create policy \"read own sessions\" on sessions for select using (true);\n";
    let plan = plan_with(&rules, "schema/p.sql", sql);
    assert_eq!(rewrite(sql, &plan), "create policy \"read own traces\" on traces for select using (true);\n");
}

#[test]
fn clickhouse_parameters_and_map_keys() {
    let sql = r#"SELECT TraceId, count() AS spans
FROM otel.otel_traces
WHERE SpanAttributes['session.id'] = {session_id:String} AND ServiceName IN {session_services:Array(String)}
SETTINGS session_timezone = 'UTC';
CREATE TABLE IF NOT EXISTS session_events (session_id String, ts DateTime64(3) CODEC(Delta, ZSTD(1)))
ENGINE = MergeTree ORDER BY (session_id, ts);
SELECT name FROM system.session_log;
"#;
    insta::assert_snapshot!(report("db/clickhouse/queries/q.sql", sql));
    let params = query_parameters(sql, Dialect::ClickHouse);
    let names: Vec<(&str, &str, &str)> =
        params.iter().map(|p| (p.name.as_str(), &sql[p.range.clone()], p.kind.as_str())).collect();
    assert_eq!(names, [("session_id", "session_id", "String"), ("session_services", "session_services", "Array(String)")]);
}

#[test]
fn pyformat_parameters_are_named_parameters() {
    let sql = "select * from sessions where session_id = %(session_id)s and n > %(n)d and m = 10 % (m)";
    let params = query_parameters(sql, Dialect::Postgres);
    let names: Vec<(&str, &str)> = params.iter().map(|p| (p.name.as_str(), p.kind.as_str())).collect();
    assert_eq!(names, [("session_id", "s"), ("n", "d")]);
}

#[test]
fn a_table_with_both_columns_is_a_conflict_everywhere_in_the_file() {
    let sql = "create table links (\n  session_id uuid references sessions(id),\n  trace_id text\n);\n\
               create index on links (session_id);\n";
    insta::assert_snapshot!(report("schema/links.sql", sql));
}

#[test]
fn a_column_added_later_in_the_file_conflicts_too() {
    let sql = "create table runs (session_id uuid);\nalter table public.runs add column if not exists trace_id text;\n";
    let plan = plan("schema/runs.sql", sql);
    assert!(plan.edits.is_empty());
    let Verdict::Conflict { other, .. } = &plan.findings[0].verdict else { panic!("{:?}", plan.findings) };
    let at = Location { path: "schema/runs.sql".into(), line: 2, column: 50 };
    assert_eq!(other.as_ref(), Some(&at));
}

#[test]
fn a_file_defining_both_tables_or_renaming_old_to_new_conflicts() {
    let both = "create table sessions (id uuid);\ncreate table traces (id uuid);\nselect * from sessions;\n";
    let tables = plan("schema/both.sql", both);
    assert!(tables.edits.is_empty());
    assert_eq!(tables.findings.len(), 2);
    assert!(tables.findings.iter().all(|f| f.verdict.name() == "conflict"));

    let rename = "alter table events rename column session_id to trace_id;\n";
    let renamed = plan("schema/rename.sql", rename);
    assert!(renamed.edits.is_empty(), "{:?}", renamed.edits);
}

#[test]
fn query_parameters_that_would_merge_conflict() {
    let sql = "SELECT 1 WHERE a = {session_id:String} AND b = {trace_id:String};\n";
    let plan = plan("clickhouse/q.sql", sql);
    assert!(plan.edits.is_empty());
    assert_eq!(plan.findings[0].verdict.name(), "conflict");
}

#[test]
fn byte_ranges_survive_multibyte_text() {
    let sql = "-- é ü ☃ sessions\nselect 'ñ', \"Ünïcode\", session_id /* ✓ */ from sessions;\n";
    let plan = plan("x.sql", sql);
    assert_eq!(rewrite(sql, &plan), "-- é ü ☃ traces\nselect 'ñ', \"Ünïcode\", trace_id /* ✓ */ from traces;\n");
}

#[test]
fn crlf_tabs_and_backticks_keep_their_bytes() {
    let sql = "SELECT\t`session_id`,\r\n\t\"Session\"\r\nFROM sessions;\r\n";
    let plan = plan("clickhouse/q.sql", sql);
    assert_eq!(rewrite(sql, &plan), "SELECT\t`trace_id`,\r\n\t\"Trace\"\r\nFROM traces;\r\n");
}

#[test]
fn rewriting_twice_changes_nothing() {
    let sql = "create table sessions (session_id uuid);\n-- session\nselect {session_id:String};\n";
    let once = rewrite(sql, &plan("x.sql", sql));
    assert!(plan("x.sql", &once).edits.is_empty(), "{once}");
}

#[test]
fn tokenizer_errors_point_at_their_place() {
    let project = Project::default();
    let rules = RuleSet::builtin();
    let cx = Context { rules: &rules, project: &project, path: Path::new("x.sql") };
    let err = Sql.plan("select 1;\nselect 'sessions", &cx).unwrap_err();
    assert_eq!((err.line, err.column), (2, 8), "{err}");
    assert!(plan_embedded("select 'sessions", Dialect::Postgres, &cx).is_none());
}

#[test]
fn embedded_plans_are_relative_to_the_string() {
    let project = Project::default();
    let rules = RuleSet::builtin();
    let cx = Context { rules: &rules, project: &project, path: Path::new("app/db.py") };
    let sql = "SELECT * FROM otel_traces WHERE SpanAttributes['x'] = {session_id:String}";
    let plan = plan_embedded(sql, Dialect::ClickHouse, &cx).unwrap();
    let param = &query_parameters(sql, Dialect::ClickHouse)[0];
    let finding = plan.findings.iter().find(|f| f.range == param.range).unwrap();
    assert_eq!(finding.verdict, Verdict::Rename { to: "trace_id".into() });
    assert_eq!(finding.role, Role::Identifier);
}

#[test]
fn dialect_comes_from_a_clickhouse_folder() {
    assert_eq!(Dialect::from_path(Path::new("db/ClickHouse/q.sql")), Dialect::ClickHouse);
    assert_eq!(Dialect::from_path(Path::new("db/clickhouse.sql")), Dialect::Postgres);
    assert_eq!(Dialect::from_path(Path::new("supabase/schema/a.sql")), Dialect::Postgres);
}

#[test]
fn a_statement_naming_both_keeps_the_old_name_in_that_statement_only() {
    let sql = "insert into links (session_id, trace_id) values (1, 2);\nselect session_id from events;\n";
    insta::assert_snapshot!(report("seed.sql", sql));
}

#[test]
fn map_literal_keys_are_data_and_written_out_engine_names_stay() {
    let sql = "-- system.session_log and session_timezone are not ours; sessions are\n\
               INSERT INTO t VALUES ({'session.id': 's-1'}, map('session_kind', 'x'));\n";
    insta::assert_snapshot!(report("clickhouse/seed.sql", sql));
}

#[test]
fn an_embedded_query_is_clickhouse_when_its_callee_or_its_parameters_say_so() {
    let cases = [
        (Some("clickhouse_client.query"), "SELECT 1", Dialect::ClickHouse),
        (Some("self.ch.execute"), "SELECT 1", Dialect::ClickHouse),
        (Some("getCh().query"), "SELECT 1", Dialect::Postgres),
        (Some("get_ch().query"), "SELECT 1", Dialect::ClickHouse),
        (Some("this.CH.query"), "SELECT 1", Dialect::ClickHouse),
        (Some("cursor.execute"), "SELECT * FROM t WHERE id = %(id)s", Dialect::Postgres),
        (Some("match.query"), "SELECT 1", Dialect::Postgres),
        (Some("db.query"), "SELECT * FROM t WHERE id = {id:UUID}", Dialect::ClickHouse),
        (None, "SELECT 1", Dialect::Postgres),
    ];
    for (callee, sql, dialect) in cases {
        assert_eq!(embedded_dialect(callee, sql), dialect, "{callee:?} running {sql:?}");
    }
}
