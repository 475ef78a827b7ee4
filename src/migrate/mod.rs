//! `retrace migrate`: the forward database migration (and its rollback) for the tables, columns
//! and other objects the rules rename.
//!
//! The schema is learnt by replaying the migration files of a folder in name order; the rename
//! plan gives each object whose name holds a retired term its new name (or reports a conflict);
//! a strategy turns the plan into SQL:
//! - PostgreSQL `rename` (default): one transaction of `alter ... rename`, rewritten function
//!   bodies, and compatibility views under the old table names;
//! - PostgreSQL `copy`: the parallel run for tables too big to lock: a mirror table, dual writes,
//!   a resumable batched backfill, verification, and a cut-over that keeps the old table;
//! - ClickHouse (a folder named `clickhouse`): `rename column` / `rename table`, or alias columns.

mod clauses;
mod clickhouse;
mod copy;
mod lex;
mod names;
mod postgres;
mod renames;
mod replay;
mod rewrite;
mod schema;
mod script;
mod split;
mod tables;
#[cfg(test)]
mod tests;
mod timestamp;

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

pub use timestamp::utc_timestamp;

/// The SQL a schema folder is written in, decided as for the SQL rewriter.
pub use crate::lang::sql::Dialect;

use crate::plan::Location;
use crate::rules::RuleSet;

/// How the PostgreSQL migration moves the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// Rename in place, in one transaction.
    #[default]
    Rename,
    /// Copy into new tables during a parallel run, then cut over.
    Copy,
}

impl FromStr for Strategy {
    type Err = String;

    fn from_str(s: &str) -> Result<Strategy, String> {
        match s {
            "rename" => Ok(Strategy::Rename),
            "copy" => Ok(Strategy::Copy),
            other => Err(format!("unknown strategy `{other}`: expected `rename` or `copy`")),
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Strategy::Rename => "rename",
            Strategy::Copy => "copy",
        })
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub strategy: Strategy,
    /// ClickHouse: add `new ALIAS old` columns instead of renaming, so old writers keep working.
    pub clickhouse_alias_columns: bool,
}

/// A statement the migration could not take into account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub location: Location,
    /// The statement's first words (or the object concerned).
    pub statement_head: String,
    pub reason: String,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: skipped: {}: {}", self.location, self.statement_head, self.reason)
    }
}

/// An object the rules rename, left alone because its new name is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Where the object is defined.
    pub location: Location,
    /// `column public.spans.session_id`
    pub object: String,
    pub wanted: String,
    /// Where the object already holding the new name is defined.
    pub other: Location,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: conflict: {} stays: `{}` already exists ({})",
            self.location, self.object, self.wanted, self.other
        )
    }
}

/// Forward SQL that runs on its own (one transaction, or none when it cannot run inside one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub title: String,
    pub sql: String,
}

#[derive(Debug, Clone)]
pub struct Migration {
    pub dialect: Dialect,
    /// The whole forward migration, every step in order.
    pub forward: String,
    /// Returns the schema and every row to where they were before `forward`.
    pub rollback: String,
    /// `forward`, step by step (the copy strategy's backfill and cut-over run apart).
    pub steps: Vec<Step>,
    pub skipped: Vec<Skipped>,
    pub conflicts: Vec<Conflict>,
    /// `sessions_to_traces`, from the rules' first term.
    pub file_stem: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("{}: cannot read the schema: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{}: no .sql files in the schema folder", .0.display())]
    NoSqlFiles(PathBuf),
    #[error("the copy strategy is for PostgreSQL: ClickHouse renames columns in place (a metadata change)")]
    CopyOnClickHouse,
    #[error("{}: cannot write the migration: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
}

/// One migration file of the schema folder.
struct SqlFile {
    /// As found under the schema folder (the folder's path included), for messages.
    path: PathBuf,
    text: String,
}

/// What a dialect's planner hands back.
struct Planned {
    forward: script::Script,
    rollback: script::Script,
    skipped: Vec<Skipped>,
    conflicts: Vec<Conflict>,
}

/// Learn the schema of `schema_dir` (its `.sql` files, in name order) and plan the migration
/// that applies `rules` to it. Each file's dialect is the SQL rewriter's: the rule file's `[sql]`
/// globs, else ClickHouse under a folder named `clickhouse`, else PostgreSQL. The migration is
/// in the dialect of the files (of the folder itself when they are mixed).
///
/// # Errors
/// The folder cannot be read or holds no `.sql` file, or the copy strategy is asked of
/// ClickHouse. Statements that cannot be read are not errors: they are listed in `skipped`.
pub fn plan_migration(schema_dir: &Path, rules: &RuleSet, options: &Options) -> Result<Migration, MigrateError> {
    let (dialect, files, mut skipped) = read_schema(schema_dir, rules)?;
    if dialect == Dialect::ClickHouse && options.strategy == Strategy::Copy {
        return Err(MigrateError::CopyOnClickHouse);
    }
    let planned = match dialect {
        Dialect::Postgres => postgres::plan(&files, rules, options.strategy),
        Dialect::ClickHouse => clickhouse::plan(&files, rules, options.clickhouse_alias_columns),
    };
    skipped.extend(planned.skipped);
    let steps = planned.forward.render_steps().into_iter().map(|(title, sql)| Step { title, sql }).collect();
    Ok(Migration {
        dialect,
        forward: planned.forward.render(),
        rollback: planned.rollback.render(),
        steps,
        skipped,
        conflicts: planned.conflicts,
        file_stem: file_stem(rules),
    })
}

/// Write `<timestamp>_<stem>.sql` and `<timestamp>_<stem>.rollback.sql` into `out` (created if
/// needed); returns their paths. `timestamp` is normally [`utc_timestamp`] of now.
///
/// # Errors
/// A folder or file cannot be written.
pub fn write_migration(migration: &Migration, out: &Path, timestamp: &str) -> Result<Vec<PathBuf>, MigrateError> {
    let fail = |path: &Path| {
        let path = path.to_path_buf();
        move |source| MigrateError::Write { path, source }
    };
    fs::create_dir_all(out).map_err(fail(out))?;
    let stem = format!("{timestamp}_{}", migration.file_stem);
    let files = [(format!("{stem}.sql"), &migration.forward), (format!("{stem}.rollback.sql"), &migration.rollback)];
    files
        .into_iter()
        .map(|(name, sql)| {
            let path = out.join(name);
            fs::write(&path, sql).map_err(fail(&path))?;
            Ok(path)
        })
        .collect()
}

/// `sessions_to_traces`: the first term's plurals name the migration.
fn file_stem(rules: &RuleSet) -> String {
    rules.terms.first().map_or_else(|| "retrace".to_owned(), |t| format!("{}_to_{}", t.from_plural, t.to_plural))
}

/// The schema folder's dialect and its `.sql` files of that dialect, sorted by path. Files of
/// the other dialect (a `clickhouse` folder inside a Supabase folder) are listed as skipped.
fn read_schema(dir: &Path, rules: &RuleSet) -> Result<(Dialect, Vec<SqlFile>, Vec<Skipped>), MigrateError> {
    let dialect_of = |path: &Path| rules.sql_dialect(path).unwrap_or_else(|| Dialect::from_path(path));
    let mut paths = Vec::new();
    collect_sql(dir, &mut paths)?;
    paths.sort();
    let dialects: Vec<Dialect> = paths.iter().map(|p| dialect_of(p)).collect();
    let dialect = match dialects.first() {
        Some(first) if dialects.iter().all(|d| d == first) => *first,
        _ => dialect_of(dir),
    };
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for (path, file_dialect) in paths.into_iter().zip(dialects) {
        if file_dialect != dialect {
            skipped.push(Skipped {
                location: Location { path: path.clone(), line: 1, column: 1 },
                statement_head: "(file)".to_owned(),
                reason: format!("written for {file_dialect:?}: run `retrace migrate --schema` on its own folder"),
            });
            continue;
        }
        let text = fs::read_to_string(&path).map_err(|source| MigrateError::Read { path: path.clone(), source })?;
        files.push(SqlFile { path, text });
    }
    if files.is_empty() {
        return Err(MigrateError::NoSqlFiles(dir.to_path_buf()));
    }
    Ok((dialect, files, skipped))
}

fn collect_sql(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), MigrateError> {
    let read_error = |source| MigrateError::Read { path: dir.to_path_buf(), source };
    for entry in fs::read_dir(dir).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        if path.is_dir() {
            collect_sql(&path, out)?;
        } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("sql")) {
            out.push(path);
        }
    }
    Ok(())
}
