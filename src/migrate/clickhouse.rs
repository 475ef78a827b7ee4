//! ClickHouse: tables and columns read from `create table` / `alter table` / `rename table`
//! statements on tokens (no SQL parser reads real ClickHouse DDL whole: codecs, engines, TTLs),
//! then `rename column` and `rename table` for what the rules rename. ClickHouse refuses to
//! rename a column its sorting, primary or partition key uses: such a column gets an `ALIAS`
//! column under the new name instead, as every column does when the rules ask for aliases (old
//! writers then keep working). Tables that already use the new terms get nothing.

use std::collections::{BTreeSet, HashMap};

use super::lex::{self, Kind, Token};
use super::script::{forward_and_undo, Change, Script, Step};
use super::split;
use super::{Conflict, Dialect, Planned, Skipped, SqlFile};
use crate::engine::LineIndex;
use crate::plan::Location;
use crate::rules::{NameVerdict, RuleSet};

#[derive(Debug, Clone)]
struct Table {
    /// `db.name` or `name`, as the history names it.
    database: Option<String>,
    name: String,
    columns: Vec<Column>,
    /// Columns the sorting, primary, partition or sampling key uses.
    key_columns: BTreeSet<String>,
    defined_at: Location,
}

#[derive(Debug, Clone)]
struct Column {
    name: String,
    data_type: String,
    defined_at: Location,
}

impl Table {
    fn qualified(&self, name: &str) -> String {
        match &self.database {
            Some(db) => format!("{}.{}", ident(db), ident(name)),
            None => ident(name),
        }
    }
}

/// A name as ClickHouse SQL: bare when it is a plain identifier, else in backquotes.
fn ident(name: &str) -> String {
    let bare = name.bytes().next().is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
    if bare {
        name.to_owned()
    } else {
        format!("`{}`", name.replace('`', "\\`"))
    }
}

pub(super) fn plan(files: &[SqlFile], rules: &RuleSet, alias_columns: bool) -> Planned {
    let mut history = History::default();
    for file in files {
        history.replay(file);
    }
    let mut conflicts = Vec::new();
    let mut column_changes = Vec::new();
    let mut table_changes = Vec::new();
    let table_names: HashMap<String, Location> =
        history.tables.iter().map(|t| (t.name.clone(), t.defined_at.clone())).collect();
    let mut renamed_names = BTreeSet::new();
    for table in &history.tables {
        let names: HashMap<String, Location> =
            table.columns.iter().map(|c| (c.name.clone(), c.defined_at.clone())).collect();
        for column in &table.columns {
            let what = format!("column {}.{}", table.qualified(&table.name), column.name);
            let Some(new) = claim(rules, &names, &column.name, &what, &column.defined_at, &mut conflicts) else {
                continue;
            };
            renamed_names.insert(column.name.clone());
            let on = table.qualified(&table.name);
            let (old_sql, new_sql) = (ident(&column.name), ident(&new));
            column_changes.push(if alias_columns || table.key_columns.contains(&column.name) {
                Change::new(
                    format!("ALTER TABLE {on} ADD COLUMN {new_sql} {} ALIAS {old_sql}", column.data_type),
                    format!("ALTER TABLE {on} DROP COLUMN {new_sql}"),
                )
            } else {
                Change::new(
                    format!("ALTER TABLE {on} RENAME COLUMN {old_sql} TO {new_sql}"),
                    format!("ALTER TABLE {on} RENAME COLUMN {new_sql} TO {old_sql}"),
                )
            });
        }
        let what = format!("table {}", table.qualified(&table.name));
        if let Some(new) = claim(rules, &table_names, &table.name, &what, &table.defined_at, &mut conflicts) {
            renamed_names.insert(table.name.clone());
            let (old, new) = (table.qualified(&table.name), table.qualified(&new));
            table_changes
                .push(Change::new(format!("RENAME TABLE {old} TO {new}"), format!("RENAME TABLE {new} TO {old}")));
        }
    }
    let mut skipped = history.skipped;
    for view in &history.views {
        if let Some(name) = view.mentions.iter().find(|n| renamed_names.contains(*n)) {
            skipped.push(Skipped {
                location: view.at.clone(),
                statement_head: view.head.clone(),
                reason: format!("a view reads `{name}`, which this migration renames: recreate it over the new names"),
            });
        }
    }
    let (columns, undo_columns) = forward_and_undo("Columns", &column_changes);
    let (tables, undo_tables) = forward_and_undo("Tables", &table_changes);
    let columns = columns
        .note("ClickHouse cannot rename a column its sorting, primary or partition key uses: those get an ALIAS column under the new name (read-only; the old column keeps the data).")
        .note(if alias_columns {
            "The rules ask for aliases: every renamed column keeps its old name for writers and gets the new one for readers."
        } else {
            "RENAME COLUMN and RENAME TABLE change metadata only: no data is rewritten."
        });
    let header = summary(files, rules, &conflicts, &skipped);
    let mut rollback_header =
        vec!["Rollback of the migration below: it returns every table and column to where they were.".to_owned()];
    rollback_header.extend(header.clone());
    Planned {
        forward: Script { header, steps: vec![Step::new("Rename", false).phase(columns).phase(tables)] },
        rollback: Script {
            header: rollback_header,
            steps: vec![Step::new("Undo the renames", false).phase(undo_tables).phase(undo_columns)],
        },
        skipped,
        conflicts,
    }
}

/// The new name of `name` when the rules rename it and the namespace has no such name yet.
fn claim(
    rules: &RuleSet,
    namespace: &HashMap<String, Location>,
    name: &str,
    what: &str,
    at: &Location,
    conflicts: &mut Vec<Conflict>,
) -> Option<String> {
    let NameVerdict::Rename(new) = rules.name_verdict(name) else { return None };
    if let Some(other) = namespace.get(&new) {
        conflicts.push(Conflict { location: at.clone(), object: what.to_owned(), wanted: new, other: other.clone() });
        return None;
    }
    Some(new)
}

fn summary(files: &[SqlFile], rules: &RuleSet, conflicts: &[Conflict], skipped: &[Skipped]) -> Vec<String> {
    let terms: Vec<String> = rules.terms.iter().map(|t| format!("{} -> {}", t.from_plural, t.to_plural)).collect();
    let mut lines = vec![
        format!("retrace migrate: {} (ClickHouse)", terms.join(", ")),
        format!("Schema learnt from {} file(s).", files.len()),
    ];
    for c in conflicts {
        lines.push(format!("Conflict, left unchanged: {}: `{}` already exists ({})", c.object, c.wanted, c.other));
    }
    for s in skipped {
        lines.push(format!("Review: {s}"));
    }
    lines
}

/// A view whose query names things: it is not migrated, only checked.
struct ViewNote {
    head: String,
    at: Location,
    mentions: BTreeSet<String>,
}

#[derive(Default)]
struct History {
    tables: Vec<Table>,
    views: Vec<ViewNote>,
    skipped: Vec<Skipped>,
}

impl History {
    fn replay(&mut self, file: &SqlFile) {
        let lines = LineIndex::new(&file.text);
        for statement in split::statements(&file.text, Dialect::ClickHouse) {
            let (line, column) = lines.line_column(&file.text, statement.range.start);
            let at = Location { path: file.path.clone(), line, column };
            let text = statement.text(&file.text);
            let reader = Reader {
                text,
                tokens: lex::code_tokens(text, Dialect::ClickHouse),
                at: at.clone(),
                lines: &lines,
                base: statement.range.start,
                file,
            };
            if let Err(reason) = self.statement(&reader) {
                self.skipped.push(Skipped { location: at, statement_head: statement.head(&file.text), reason });
            }
        }
    }

    fn statement(&mut self, r: &Reader<'_>) -> Result<(), String> {
        let words: Vec<String> = r.tokens.iter().take(3).map(|t| t.text(r.text).to_uppercase()).collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        match words.as_slice() {
            ["CREATE", "TABLE", ..] | ["ATTACH", "TABLE", ..] => self.create_table(r),
            ["CREATE", "VIEW" | "MATERIALIZED" | "LIVE", ..] | ["CREATE", "OR", "REPLACE"] => {
                let mentions = r.tokens.iter().filter_map(|t| t.name(r.text, Dialect::ClickHouse)).collect();
                self.views.push(ViewNote {
                    head: r.text.split_whitespace().take(6).collect::<Vec<_>>().join(" "),
                    at: r.at.clone(),
                    mentions,
                });
                Ok(())
            }
            ["ALTER", "TABLE", ..] => self.alter_table(r),
            ["RENAME", "TABLE", ..] => self.rename_table(r),
            ["DROP", "TABLE", ..] => {
                let (_, name, _) = r.table_name(2)?;
                self.tables.retain(|t| t.name != name);
                Ok(())
            }
            ["INSERT" | "SELECT" | "WITH" | "SET" | "OPTIMIZE" | "USE" | "SYSTEM" | "TRUNCATE", ..]
            | ["CREATE" | "DROP", "DATABASE" | "FUNCTION" | "USER" | "ROLE" | "DICTIONARY", ..]
            | ["GRANT" | "REVOKE", ..] => Ok(()),
            _ => Err("the replay does not model this statement".to_owned()),
        }
    }

    fn create_table(&mut self, r: &Reader<'_>) -> Result<(), String> {
        let (database, name, after) = r.table_name(2)?;
        let open = (after..r.tokens.len()).find(|&i| r.tokens[i].is_punct(r.text, '(')).ok_or("no column list")?;
        if r.tokens[after..open].iter().any(|t| t.is_keyword(r.text, "as")) {
            return Err("a table created from another (AS ...) is not modelled".to_owned());
        }
        let close = lex::matching_paren(r.text, &r.tokens, open);
        let mut table =
            Table { database, name, columns: Vec::new(), key_columns: BTreeSet::new(), defined_at: r.at.clone() };
        for element in r.elements(open + 1, close) {
            let first = &r.tokens[element.start];
            if first.is_keyword(r.text, "primary") {
                table.key_columns.extend(r.names(element.start + 2, element.end));
            } else if !["index", "projection", "constraint"].iter().any(|k| first.is_keyword(r.text, k)) {
                table.columns.push(r.column(element.start, element.end)?);
            }
        }
        // Sorting, primary, partition and sampling keys name columns after the engine.
        let mut in_key = false;
        for i in close + 1..r.tokens.len() {
            let t = &r.tokens[i];
            let next_is_by =
                r.tokens.get(i + 1).is_some_and(|n| n.is_keyword(r.text, "by") || n.is_keyword(r.text, "key"));
            if ["order", "partition", "sample", "primary"].iter().any(|k| t.is_keyword(r.text, k)) && next_is_by {
                in_key = true;
            } else if ["settings", "ttl", "engine", "comment"].iter().any(|k| t.is_keyword(r.text, k)) {
                in_key = false;
            } else if in_key {
                if let Some(name) = t.name(r.text, Dialect::ClickHouse) {
                    table.key_columns.insert(name);
                }
            }
        }
        if !self.tables.iter().any(|t| t.name == table.name) {
            self.tables.push(table);
        }
        Ok(())
    }

    fn alter_table(&mut self, r: &Reader<'_>) -> Result<(), String> {
        let (_, name, after) = r.table_name(2)?;
        let Some(table) = self.tables.iter_mut().find(|t| t.name == name) else { return Ok(()) };
        let mut unread = Vec::new();
        for action in r.elements(after, r.tokens.len()) {
            let kw = |i: usize, k: &str| r.tokens.get(action.start + i).is_some_and(|t| t.is_keyword(r.text, k));
            // `IF EXISTS` (drop, rename) or `IF NOT EXISTS` (add).
            let skip_if_exists = |from: usize| match (kw(from, "if"), kw(from + 1, "not")) {
                (true, true) => from + 3,
                (true, false) => from + 2,
                _ => from,
            };
            if kw(0, "add") && kw(1, "column") {
                let column = r.column(skip_if_exists(2) + action.start, action.end)?;
                if !table.columns.iter().any(|c| c.name == column.name) {
                    table.columns.push(column);
                }
            } else if kw(0, "drop") && kw(1, "column") {
                let at = skip_if_exists(2) + action.start;
                let dropped = r.tokens.get(at).and_then(|t| t.name(r.text, Dialect::ClickHouse));
                table.columns.retain(|c| Some(&c.name) != dropped.as_ref());
            } else if kw(0, "rename") && kw(1, "column") {
                let at = skip_if_exists(2) + action.start;
                let old = r.tokens.get(at).and_then(|t| t.name(r.text, Dialect::ClickHouse));
                let new = r.tokens.get(at + 2).and_then(|t| t.name(r.text, Dialect::ClickHouse));
                if let (Some(old), Some(new)) = (old, new) {
                    table.columns.iter_mut().filter(|c| c.name == old).for_each(|c| c.name = new.clone());
                }
            } else if !["modify", "comment", "materialize", "update", "delete", "freeze"].iter().any(|k| kw(0, k)) {
                unread.push(r.text[r.tokens[action.start].range.start..r.tokens[action.end - 1].range.end].to_owned());
            }
        }
        if unread.is_empty() {
            Ok(())
        } else {
            Err(format!("not modelled: {}", unread.join(", ")))
        }
    }

    fn rename_table(&mut self, r: &Reader<'_>) -> Result<(), String> {
        for pair in r.elements(2, r.tokens.len()) {
            let (_, old, to) = r.table_name(pair.start)?;
            let (_, new, _) = r.table_name(to + 1)?;
            self.tables.iter_mut().filter(|t| t.name == old).for_each(|t| t.name = new.clone());
        }
        Ok(())
    }
}

/// One statement's tokens, with helpers to read names and comma-separated elements.
struct Reader<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    at: Location,
    lines: &'a LineIndex,
    /// Where the statement starts in its file.
    base: usize,
    file: &'a SqlFile,
}

impl Reader<'_> {
    /// `[IF NOT EXISTS] [db.]name` from token `at`: (database, name, index after the name).
    fn table_name(&self, mut at: usize) -> Result<(Option<String>, String, usize), String> {
        while self.tokens.get(at).is_some_and(|t| ["if", "not", "exists"].iter().any(|k| t.is_keyword(self.text, k))) {
            at += 1;
        }
        let name_at = |i: usize| self.tokens.get(i).and_then(|t| t.name(self.text, Dialect::ClickHouse));
        let first = name_at(at).ok_or("no table name")?;
        if self.tokens.get(at + 1).is_some_and(|t| t.is_punct(self.text, '.')) {
            let name = name_at(at + 2).ok_or("no table name after the database")?;
            return Ok((Some(first), name, at + 3));
        }
        Ok((None, first, at + 1))
    }

    /// The comma-separated elements between tokens `from` and `to` (exclusive), at depth 0.
    fn elements(&self, from: usize, to: usize) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let (mut start, mut depth) = (from, 0usize);
        for i in from..to {
            let t = &self.tokens[i];
            if t.is_punct(self.text, '(') {
                depth += 1;
            } else if t.is_punct(self.text, ')') {
                depth = depth.saturating_sub(1);
            } else if depth == 0 && t.is_punct(self.text, ',') {
                out.push(start..i);
                start = i + 1;
            }
        }
        if start < to {
            out.push(start..to);
        }
        out.retain(|r| !r.is_empty());
        out
    }

    /// `name Type [DEFAULT ...] [CODEC(...)] ...` between tokens `from` and `to`.
    fn column(&self, from: usize, to: usize) -> Result<Column, String> {
        let name =
            self.tokens.get(from).and_then(|t| t.name(self.text, Dialect::ClickHouse)).ok_or("no column name")?;
        const AFTER_TYPE: &[&str] =
            &["default", "materialized", "alias", "ephemeral", "codec", "ttl", "comment", "settings", "null", "not"];
        let mut depth = 0usize;
        let mut end = from + 1;
        while end < to {
            let t = &self.tokens[end];
            if t.is_punct(self.text, '(') {
                depth += 1;
            } else if t.is_punct(self.text, ')') {
                depth = depth.saturating_sub(1);
            } else if depth == 0 && AFTER_TYPE.iter().any(|k| t.is_keyword(self.text, k)) {
                break;
            }
            end += 1;
        }
        let data_type = if end > from + 1 {
            self.text[self.tokens[from + 1].range.start..self.tokens[end - 1].range.end].to_owned()
        } else {
            String::new()
        };
        let (line, column) = self.lines.line_column(&self.file.text, self.base + self.tokens[from].range.start);
        Ok(Column { name, data_type, defined_at: Location { path: self.file.path.clone(), line, column } })
    }

    /// Every name between tokens `from` and `to`.
    fn names(&self, from: usize, to: usize) -> Vec<String> {
        self.tokens[from.min(to)..to]
            .iter()
            .filter(|t| matches!(t.kind, Kind::Word | Kind::QuotedName))
            .filter_map(|t| t.name(self.text, Dialect::ClickHouse))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(sql: &str, alias: bool) -> Planned {
        let files = [SqlFile { path: "clickhouse/001.sql".into(), text: sql.to_owned() }];
        plan(&files, &RuleSet::builtin(), alias)
    }

    const EVENTS: &str = "CREATE TABLE IF NOT EXISTS app.session_events (\n  session_id UUID,\n  \
        session_name LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),\n  ts DateTime64(3) CODEC(Delta, ZSTD)\n) \
        ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY (session_id, ts);\n\
        CREATE TABLE otel_traces (TraceId String, SpanId String) ENGINE = MergeTree ORDER BY TraceId;";

    #[test]
    fn key_columns_get_an_alias_and_the_others_a_rename() {
        let forward = planned(EVENTS, false).forward.render();
        assert!(
            forward.contains("ALTER TABLE app.session_events ADD COLUMN trace_id UUID ALIAS session_id;"),
            "{forward}"
        );
        assert!(
            forward.contains("ALTER TABLE app.session_events RENAME COLUMN session_name TO trace_name;"),
            "{forward}"
        );
        assert!(forward.contains("RENAME TABLE app.session_events TO app.trace_events;"), "{forward}");
        assert!(!forward.contains("otel_traces"), "{forward}");
    }

    #[test]
    fn alias_option_keeps_every_old_column() {
        let planned = planned(EVENTS, true);
        let forward = planned.forward.render();
        assert!(forward.contains("ADD COLUMN trace_name LowCardinality(String) ALIAS session_name;"), "{forward}");
        let rollback = planned.rollback.render();
        assert!(rollback.contains("ALTER TABLE app.session_events DROP COLUMN trace_name;"), "{rollback}");
        let undo_table = rollback.find("RENAME TABLE app.trace_events TO app.session_events").unwrap();
        assert!(undo_table < rollback.find("DROP COLUMN trace_name").unwrap(), "tables come back before columns");
    }

    #[test]
    fn a_table_with_both_names_is_a_conflict() {
        let sql = "CREATE TABLE usage (SessionId String, TraceId String) ENGINE = MergeTree ORDER BY tuple();";
        let planned = planned(sql, false);
        assert_eq!(planned.conflicts.len(), 1);
        assert_eq!(planned.conflicts[0].to_string(), "clickhouse/001.sql:1:21: conflict: column usage.SessionId stays: `TraceId` already exists (clickhouse/001.sql:1:39)");
        assert!(!planned.forward.render().contains("RENAME COLUMN"));
    }

    #[test]
    fn later_alters_are_followed_and_views_over_renamed_names_reported() {
        let sql = "CREATE TABLE usage (project_id UUID) ENGINE = MergeTree ORDER BY project_id;\n\
                   ALTER TABLE usage ADD COLUMN IF NOT EXISTS session_cost Float64 DEFAULT 0;\n\
                   CREATE MATERIALIZED VIEW costs ENGINE = SummingMergeTree ORDER BY project_id AS SELECT project_id, sum(session_cost) AS c FROM usage GROUP BY project_id;";
        let planned = planned(sql, false);
        assert!(planned.forward.render().contains("ALTER TABLE usage RENAME COLUMN session_cost TO trace_cost;"));
        assert_eq!(planned.skipped.len(), 1);
        assert_eq!(planned.skipped[0].location.line, 3);
    }
}
