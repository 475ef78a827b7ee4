//! SQL rewriter (PostgreSQL/Supabase and ClickHouse) at token level on sqlparser's tokenizer.
//!
//! Nothing here needs a statement to parse: every file that tokenizes is rewritten (a real
//! Supabase + ClickHouse app has DO blocks, CODEC clauses and policies that no SQL parser reads
//! whole). Names, quoted names, string literals, comments and function bodies are each decided
//! by the rule set; names owned by the engine or the platform (`session_user`, `SET SESSION`,
//! `auth.sessions`) stay. History files (applied migrations) are planned like any other and turned
//! into kept findings by the engine.

mod lexer;
mod occurrences;
mod schema;
#[cfg(test)]
mod tests;

use std::ops::Range;
use std::path::{Component, Path};

use sqlparser::dialect::{ClickHouseDialect, PostgreSqlDialect};

use sqlparser::tokenizer::Token;

use super::{Context, ParseError, Rewriter};
use crate::engine::LineIndex;
use crate::plan::FilePlan;
use lexer::Lexeme;
use occurrences::{Origin, Planner};
use schema::Clashes;

pub struct Sql;

/// PostgreSQL schemas that belong to the engine or the platform (Supabase): their objects are not ours.
pub const POSTGRES_PLATFORM_SCHEMAS: &[&str] = &[
    "pg_catalog",
    "information_schema",
    "auth",
    "storage",
    "realtime",
    "extensions",
    "vault",
    "graphql",
    "graphql_public",
    "supabase_functions",
    "supabase_migrations",
    "net",
    "cron",
    "pgsodium",
];

/// Which SQL the text is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    ClickHouse,
}

impl Dialect {
    /// The dialect of the file at `path`: the rule file's, else the one its path says.
    fn of(path: &Path, rules: &crate::rules::RuleSet) -> Dialect {
        rules.sql_dialect(path).unwrap_or_else(|| Dialect::from_path(path))
    }

    /// ClickHouse when a folder on the path is named `clickhouse` (any case), else PostgreSQL.
    pub fn from_path(path: &Path) -> Dialect {
        let clickhouse = path
            .components()
            .any(|c| matches!(c, Component::Normal(name) if name.eq_ignore_ascii_case("clickhouse")));
        if clickhouse { Dialect::ClickHouse } else { Dialect::Postgres }
    }

    fn sqlparser(self) -> &'static dyn sqlparser::dialect::Dialect {
        match self {
            Dialect::Postgres => &PostgreSqlDialect {},
            Dialect::ClickHouse => &ClickHouseDialect {},
        }
    }

    /// Who owns the engine's own names, for keep reasons.
    fn engine(self) -> &'static str {
        match self {
            Dialect::Postgres => "PostgreSQL",
            Dialect::ClickHouse => "ClickHouse",
        }
    }

    /// The engine's own names that hold common words: functions and settings.
    fn owns(self, name: &str) -> bool {
        let builtins: &[&str] = match self {
            Dialect::Postgres => &[
                "session_user",
                "session_authorization",
                "session_replication_role",
                "session_preload_libraries",
                "idle_session_timeout",
                "idle_in_transaction_session_timeout",
            ],
            Dialect::ClickHouse => &["session_timezone"],
        };
        builtins.iter().any(|b| b.eq_ignore_ascii_case(name))
    }

    /// Schemas (lowercase) that belong to the engine or the platform: their tables are not ours
    /// (Supabase Auth keeps its login sessions in `auth.sessions`).
    fn is_foreign_schema(self, schema: &str) -> bool {
        let schemas: &[&str] = match self {
            Dialect::Postgres => POSTGRES_PLATFORM_SCHEMAS,
            Dialect::ClickHouse => &["system", "information_schema"],
        };
        schemas.contains(&schema)
    }
}

impl Rewriter for Sql {
    fn language(&self) -> &'static str {
        "sql"
    }

    fn plan(&self, text: &str, cx: &Context<'_>) -> Result<FilePlan, ParseError> {
        let origin = Origin { path: cx.path, lines: LineIndex::new(text) };
        plan_text(text, Dialect::of(cx.path, cx.rules), cx, Some(origin))
    }

    fn parses(&self, text: &str, path: &Path, rules: &crate::rules::RuleSet) -> Result<(), ParseError> {
        lexer::tokenize(text, 0, Dialect::of(path, rules)).map(drop)
    }
}

/// Plan SQL embedded in another language's string (`text` is the string's content; ranges in the
/// result are relative to it). `None` when the text does not tokenize as SQL.
/// Each [`query_parameters`] name has its finding at the same range in the plan.
pub fn plan_embedded(text: &str, dialect: Dialect, cx: &Context<'_>) -> Option<FilePlan> {
    plan_text(text, dialect, cx, None).ok()
}

/// A ClickHouse query parameter `{name:Type}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryParameter {
    pub name: String,
    /// Byte range of the name in the text.
    pub range: Range<usize>,
    /// The type as written (`String`, `Array(UUID)`), or the conversion of `%(name)s`.
    pub kind: String,
}

/// The dialect of a query embedded in code: ClickHouse when the callee that runs it mentions
/// ClickHouse (`clickhouse_client.query`, `ch.query`, `get_ch().execute`) or the query binds
/// `{name:Type}` parameters; else PostgreSQL.
pub fn embedded_dialect(callee: Option<&str>, sql: &str) -> Dialect {
    let names_clickhouse = callee.map(str::to_ascii_lowercase).is_some_and(|callee| {
        callee.contains("clickhouse") || callee.split(|c: char| !c.is_ascii_alphanumeric()).any(|part| part == "ch")
    });
    if names_clickhouse || binds_clickhouse_parameters(sql) {
        Dialect::ClickHouse
    } else {
        Dialect::Postgres
    }
}

/// Whether the text binds ClickHouse `{name:Type}` parameters, which only ClickHouse reads.
pub fn binds_clickhouse_parameters(text: &str) -> bool {
    text.contains('{') && query_parameters(text, Dialect::ClickHouse).iter().any(|p| text[..p.range.start].trim_end().ends_with('{'))
}

/// The named parameters a query binds — ClickHouse `{name:Type}` and DB-API `%(name)s` — so that
/// the code passing their values (a Python dict key, a TypeScript object key) can be renamed
/// together with them. Empty when the text does not tokenize.
pub fn query_parameters(text: &str, dialect: Dialect) -> Vec<QueryParameter> {
    let Ok(lexemes) = lexer::tokenize(text, 0, dialect) else { return Vec::new() };
    let code: Vec<&Lexeme> = lexemes.iter().filter(|l| !l.is_comment()).collect();
    let mut parameters: Vec<QueryParameter> = bound_parameters(&code)
        .map(|(name, kind)| QueryParameter {
            name: text[name.range.clone()].to_owned(),
            range: name.range.clone(),
            kind: text[kind].trim().to_owned(),
        })
        .collect();
    parameters.sort_by_key(|p| p.range.start);
    parameters
}

/// Named parameters among code tokens: each name token and the byte range of its type (between
/// the colon and the closing brace of `{name:Type}`, or the conversion letter of `%(name)s`).
fn bound_parameters<'l>(code: &'l [&'l Lexeme]) -> impl Iterator<Item = (&'l Lexeme, Range<usize>)> + 'l {
    let unquoted = |l: &Lexeme| l.word().is_some_and(|n| n.quote_style.is_none());
    let braces = code.windows(3).enumerate().filter_map(move |(at, w)| {
        let opens = w[0].token == Token::LBrace && unquoted(w[1]) && w[2].token == Token::Colon;
        if !opens {
            return None;
        }
        let close = code[at + 3..].iter().find(|l| l.token == Token::RBrace)?;
        Some((w[1], w[2].range.end..close.range.start))
    });
    let pyformat = code.windows(5).filter_map(move |w| {
        let named = w[0].token == Token::Mod && w[1].token == Token::LParen && unquoted(w[2]) && w[3].token == Token::RParen;
        let adjacent = w[0].range.end == w[1].range.start && w[3].range.end == w[4].range.start;
        (named && adjacent && unquoted(w[4])).then(|| (w[2], w[4].range.clone()))
    });
    braces.chain(pyformat)
}

fn plan_text(text: &str, dialect: Dialect, cx: &Context<'_>, origin: Option<Origin<'_>>) -> Result<FilePlan, ParseError> {
    let lexemes = lexer::tokenize(text, 0, dialect)?;
    let clashes = Clashes::find(text, &lexemes, dialect, cx.rules);
    let mut planner = Planner { text, dialect, rules: cx.rules, clashes: &clashes, origin, plan: FilePlan::default() };
    planner.walk(&lexemes);
    Ok(planner.plan)
}

/// Whether the text reads as a SQL statement: a statement keyword first (after whitespace) and
/// the word that statement needs (`select ... from`, `update ... set`, `create table`), so that
/// prose such as "Create a session for the user" stays prose.
pub fn starts_with_statement(content: &str) -> bool {
    const OBJECTS: &[&str] =
        &["table", "view", "index", "unique", "materialized", "or", "function", "trigger", "policy", "type", "schema"];
    let mut words = content.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').filter(|w| !w.is_empty());
    let (Some(first), Some(second)) = (words.next(), words.next()) else { return false };
    let is = |word: &str, keyword: &str| word.eq_ignore_ascii_case(keyword);
    let mut rest = std::iter::once(second).chain(words);
    match first.to_ascii_lowercase().as_str() {
        _ if !content.trim_start().starts_with(first) => false,
        "select" | "delete" => rest.any(|w| is(w, "from")),
        "insert" => rest.any(|w| is(w, "into")),
        "update" => rest.any(|w| is(w, "set")),
        "with" => rest.any(|w| is(w, "as")),
        "create" | "alter" | "drop" => OBJECTS.iter().any(|o| is(second, o)),
        _ => false,
    }
}
