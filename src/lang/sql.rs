//! SQL rewriter (PostgreSQL/Supabase and ClickHouse) at token level on sqlparser's tokenizer.

use super::{Context, ParseError, Rewriter};
use crate::plan::FilePlan;

pub struct Sql;

/// Which SQL the text is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    ClickHouse,
}

impl Rewriter for Sql {
    fn language(&self) -> &'static str {
        "sql"
    }

    fn plan(&self, text: &str, cx: &Context<'_>) -> Result<FilePlan, ParseError> {
        let _ = (text, cx);
        Ok(FilePlan::default())
    }
}

/// Plan SQL embedded in another language's string (`text` is the string's content; ranges in the
/// result are relative to it). `None` when the text does not tokenize as SQL.
pub fn plan_embedded(text: &str, dialect: Dialect, cx: &Context<'_>) -> Option<FilePlan> {
    let _ = (text, dialect, cx);
    None
}
