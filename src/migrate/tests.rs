//! Replay, rename plan and conflicts on small inline histories (the fixture-wide behaviour is
//! proven against a real server in `tests/migrate_postgres.rs`).

use super::names;
use super::replay::replay;
use super::schema::{ConstraintKind, QualifiedName, Renamable};
use super::{postgres, SqlFile, Strategy};
use crate::rules::RuleSet;

fn files(texts: &[&str]) -> Vec<SqlFile> {
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| SqlFile { path: format!("migrations/{:03}.sql", i + 1).into(), text: (*text).to_owned() })
        .collect()
}

fn public(name: &str) -> QualifiedName {
    QualifiedName::new("public", name)
}

const HISTORY: &str = "
create table sessions (id uuid primary key, kind text);
create table public.session_events (
    id bigint generated always as identity primary key,
    session_id uuid not null references sessions on delete cascade,
    seq serial,
    constraint one_kind unique (session_id, seq),
    check (seq > 0)
);
create index on session_events (session_id);
create policy \"own\" on sessions for select using (kind = 'x');
create function touch(p_session_id uuid) returns void language sql as $$ update sessions set kind = 'y' where id = p_session_id $$;
create trigger t after insert on session_events for each row execute function touch_all();
create view recent as select s.id, s.kind as what from sessions s;
grant select, insert on sessions to authenticated, anon;
";

#[test]
fn replay_learns_tables_keys_sequences_and_the_rest() {
    let replayed = replay(&files(&[HISTORY]));
    assert!(replayed.skipped.is_empty(), "{:?}", replayed.skipped);
    let schema = replayed.schema;
    let events = schema.table(&public("session_events")).unwrap();
    let columns: Vec<(&str, &str, bool)> =
        events.columns.iter().map(|c| (c.name.as_str(), c.data_type.as_str(), c.not_null)).collect();
    assert_eq!(columns, [("id", "bigint", true), ("session_id", "uuid", true), ("seq", "integer", true)]);
    assert_eq!(events.columns[0].identity.as_deref(), Some("generated always as identity"));
    assert_eq!(events.columns[2].default.as_deref(), Some("nextval('public.session_events_seq_seq'::regclass)"));
    let constraints: Vec<&str> = events.constraints.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        constraints,
        ["session_events_pkey", "session_events_session_id_fkey", "one_kind", "session_events_seq_check"]
    );
    let ConstraintKind::ForeignKey(fk) = &events.constraints[1].kind else { panic!("a foreign key") };
    assert_eq!((fk.target_columns.as_slice(), fk.on_delete.as_deref()), (&["id".to_owned()][..], Some("cascade")));
    let sequences: Vec<String> = schema.sequences.iter().map(|s| s.name.to_string()).collect();
    assert_eq!(sequences, ["public.session_events_id_seq", "public.session_events_seq_seq"]);
    assert_eq!(schema.indexes[0].name, public("session_events_session_id_idx"));
    assert_eq!(schema.indexes[0].definition, "(session_id)");
    assert_eq!((schema.policies[0].name.as_str(), schema.policies[0].using.as_deref()), ("own", Some("kind = 'x'")));
    assert_eq!(schema.functions[0].signature, "uuid");
    assert_eq!(schema.functions[0].parameters, ["p_session_id"]);
    assert_eq!(schema.triggers[0].table, public("session_events"));
    let view_columns: Vec<&str> = schema.views[0].columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(view_columns, ["id", "what"]);
    assert_eq!(schema.grants.len(), 2);
}

#[test]
fn later_alters_rename_and_what_follows_them_follows() {
    let later = "alter table sessions rename column kind to category;
                 alter table session_events rename to events;
                 alter table events add column note text not null default '';
                 alter table events drop column seq;";
    let schema = replay(&files(&[HISTORY, later])).schema;
    let events = schema.table(&public("events")).unwrap();
    let names: Vec<&str> = events.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["id", "session_id", "note"]);
    assert!(events.constraints.iter().all(|c| c.name != "one_kind"), "constraints on a dropped column go with it");
    assert_eq!(schema.indexes[0].table, public("events"));
    assert_eq!(schema.triggers[0].table, public("events"));
    assert_eq!(schema.policies[0].using.as_deref(), Some("category = 'x'"));
    assert_eq!(schema.views[0].query, "select s.id, s.category as what from sessions s");
    assert!(
        schema.functions[0].statement.contains("set kind"),
        "function bodies are text: history renames do not reach them"
    );
}

#[test]
fn unreadable_statements_are_skipped_at_their_place_and_the_rest_is_read() {
    let text = "create table sessions (id uuid primary key);\n\
                create type mood as enum ('ok');\n\
                create table broken (id int,, x);\n  \
                do $$ begin perform 1; end $$;\n\
                create table session_tags (session_id uuid references sessions (id));\n";
    let replayed = replay(&files(&[text]));
    let skipped: Vec<String> = replayed
        .skipped
        .iter()
        .map(|s| format!("{}:{}: {}", s.location.line, s.location.column, s.statement_head))
        .collect();
    assert_eq!(
        skipped,
        [
            "2:1: create type mood as enum ('ok')",
            "3:1: create table broken (id int,, x)",
            "4:3: do $$ begin perform 1; end $$"
        ]
    );
    assert!(replayed.skipped[1].reason.starts_with("cannot parse: "), "{}", replayed.skipped[1].reason);
    assert!(replayed.schema.table(&public("session_tags")).is_some());
    assert_eq!(
        replayed.skipped[0].to_string(),
        "migrations/001.sql:2:1: skipped: create type mood as enum ('ok'): the replay does not model this statement"
    );
}

#[test]
fn taken_names_are_conflicts_left_alone_and_ambiguous_bodies_reported() {
    let text = "create table sessions (id uuid primary key);
                create table traces (id uuid primary key);
                create table spans (id uuid primary key, session_id uuid, trace_id text);
                create table events (id uuid primary key, session_id uuid);
                create function f() returns bigint language sql as $$ select count(session_id) from events $$;";
    let files = files(&[text]);
    let planned = postgres::plan(&files, &RuleSet::builtin(), Strategy::Rename);
    let conflicts: Vec<String> = planned.conflicts.iter().map(ToString::to_string).collect();
    assert_eq!(
        conflicts,
        [
            "migrations/001.sql:1:1: conflict: table public.sessions stays: `traces` already exists (migrations/001.sql:2:17)",
            "migrations/001.sql:1:1: conflict: constraint sessions_pkey on public.sessions stays: `traces_pkey` already exists (migrations/001.sql:2:17)",
            "migrations/001.sql:3:17: conflict: column public.spans.session_id stays: `trace_id` already exists (migrations/001.sql:3:17)",
        ]
    );
    let forward = planned.forward.render();
    assert!(!forward.contains("alter table public.sessions rename"), "{forward}");
    assert!(forward.contains("alter table public.events rename column session_id to trace_id;"), "{forward}");
    assert!(forward.contains("-- Conflicts, left unchanged"), "{forward}");
    assert!(!forward.contains("create or replace function"), "an ambiguous name is never rewritten: {forward}");
    let review: Vec<&str> = planned.skipped.iter().map(|s| s.statement_head.as_str()).collect();
    assert_eq!(review, ["function public.f"]);
}

#[test]
fn platform_objects_and_kept_senses_are_not_renamed() {
    let text = "create table auth.sessions (id uuid primary key);
                create table public.logins (id uuid primary key, auth_session_id uuid);";
    let mut schema = replay(&files(&[text])).schema;
    let decisions = names::decide(&mut schema, &RuleSet::builtin());
    assert!(schema.tables.iter().all(|t| t.rename().is_none()));
    assert!(schema.tables[1].columns.iter().all(|c| c.rename().is_none()));
    assert_eq!(decisions.kept.len(), 1, "{:?}", decisions.kept);
    assert!(decisions.kept[0].starts_with("column public.logins.auth_session_id: sense"), "{:?}", decisions.kept);
}

#[test]
fn migrations_are_written_under_the_rules_term_and_the_timestamp() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("supabase/migrations");
    std::fs::create_dir_all(&schema).unwrap();
    std::fs::write(schema.join("001_init.sql"), "create table sessions (id uuid primary key);").unwrap();
    let migration = super::plan_migration(&schema, &RuleSet::builtin(), &super::Options::default()).unwrap();
    assert!(migration.forward.contains("alter table public.sessions rename to traces;"));
    let written = super::write_migration(&migration, &dir.path().join("out"), "20240229123456").unwrap();
    let names: Vec<String> = written.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["20240229123456_sessions_to_traces.sql", "20240229123456_sessions_to_traces.rollback.sql"]);
    assert_eq!(std::fs::read_to_string(&written[1]).unwrap(), migration.rollback);
}

#[test]
fn a_folder_without_sql_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = super::plan_migration(dir.path(), &RuleSet::builtin(), &super::Options::default()).unwrap_err();
    assert!(matches!(err, super::MigrateError::NoSqlFiles(_)), "{err}");
    let missing = super::plan_migration(&dir.path().join("nope"), &RuleSet::builtin(), &super::Options::default());
    assert!(missing.unwrap_err().to_string().contains("cannot read the schema"));
}

#[test]
fn the_rule_files_sql_globs_choose_the_dialect() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("analytics");
    std::fs::create_dir_all(&schema).unwrap();
    std::fs::write(schema.join("001.sql"), "CREATE TABLE usage (SessionId String) ENGINE = MergeTree ORDER BY tuple();")
        .unwrap();
    let rules = RuleSet::parse("rules.toml", "extends = \"builtin\"\n[sql]\nclickhouse = [\"**/analytics/**\"]\n").unwrap();
    let migration = super::plan_migration(&schema, &rules, &super::Options::default()).unwrap();
    assert_eq!(migration.dialect, super::Dialect::ClickHouse);
    assert!(migration.forward.contains("ALTER TABLE usage RENAME COLUMN SessionId TO TraceId;"), "{}", migration.forward);
}
