//! Exact source text of the clauses the migration re-emits (a view's query, a policy's
//! expressions, what follows an index's table name), found on tokens: re-printing a parsed tree
//! could change what PostgreSQL stores, and the rollback must give back exactly what was there.

use super::lex::{self, Kind, Token};
use super::Dialect;

/// The text after the first `ON <name>` at the top level (`create index ... on t <rest>`,
/// `create policy p on t <rest>`).
pub(super) fn after_on_name(statement: &str) -> Option<&str> {
    let tokens = lex::code_tokens(statement, Dialect::Postgres);
    let on = top_level(statement, &tokens).find(|&i| tokens[i].is_keyword(statement, "on"))?;
    let mut next = on + 1;
    if tokens.get(next).is_some_and(|t| t.is_keyword(statement, "only")) {
        next += 1;
    }
    let end = skip_name(statement, &tokens, next)?;
    Some(rest_from(statement, &tokens, end))
}

/// The query of `create view ... as <query>`.
pub(super) fn view_query(statement: &str) -> Option<&str> {
    let tokens = lex::code_tokens(statement, Dialect::Postgres);
    let starts_query = |t: &Token| {
        t.is_punct(statement, '(') || ["select", "with", "values", "table"].iter().any(|k| t.is_keyword(statement, k))
    };
    let as_at = top_level(statement, &tokens)
        .find(|&i| tokens[i].is_keyword(statement, "as") && tokens.get(i + 1).is_some_and(starts_query))?;
    Some(rest_from(statement, &tokens, as_at + 1))
}

/// The expression inside `<keywords> ( ... )` at the top level: `using (...)`, `with check (...)`.
pub(super) fn parenthesized_after(statement: &str, keywords: &[&str]) -> Option<String> {
    let tokens = lex::code_tokens(statement, Dialect::Postgres);
    let found = top_level(statement, &tokens).find(|&i| {
        keywords.iter().enumerate().all(|(k, kw)| tokens.get(i + k).is_some_and(|t| t.is_keyword(statement, kw)))
            && tokens.get(i + keywords.len()).is_some_and(|t| t.is_punct(statement, '('))
    })?;
    let open = found + keywords.len();
    let close = lex::matching_paren(statement, &tokens, open);
    (close > open + 1).then(|| statement[tokens[open + 1].range.start..tokens[close - 1].range.end].to_owned())
}

/// Indexes of the tokens outside any parentheses.
fn top_level<'a>(source: &'a str, tokens: &'a [Token]) -> impl Iterator<Item = usize> + 'a {
    let mut depth = 0usize;
    tokens.iter().enumerate().filter_map(move |(i, t)| {
        let at_top = depth == 0;
        if t.is_punct(source, '(') {
            depth += 1;
        } else if t.is_punct(source, ')') {
            depth = depth.saturating_sub(1);
        }
        at_top.then_some(i)
    })
}

/// The index after a possibly qualified name starting at `at` (`a`, `a.b`, `"A"."b"`).
fn skip_name(source: &str, tokens: &[Token], mut at: usize) -> Option<usize> {
    let is_name = |t: &Token| matches!(t.kind, Kind::Word | Kind::QuotedName);
    tokens.get(at).filter(|t| is_name(t))?;
    at += 1;
    while tokens.get(at).is_some_and(|t| t.is_punct(source, '.')) && tokens.get(at + 1).is_some_and(is_name) {
        at += 2;
    }
    Some(at)
}

fn rest_from<'s>(source: &'s str, tokens: &[Token], at: usize) -> &'s str {
    tokens.get(at).map_or("", |t| source[t.range.start..].trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_definition_follows_the_table_name() {
        let sql = "create index i on only public.\"Sessions\" using btree (created_at desc) where x > 0";
        assert_eq!(after_on_name(sql), Some("using btree (created_at desc) where x > 0"));
    }

    #[test]
    fn policy_expressions_are_found_whole() {
        let sql = "create policy p on t for all using (a in (select b from c)) with check ((a))";
        assert_eq!(parenthesized_after(sql, &["using"]).as_deref(), Some("a in (select b from c)"));
        assert_eq!(parenthesized_after(sql, &["with", "check"]).as_deref(), Some("(a)"));
        assert_eq!(after_on_name(sql), Some("for all using (a in (select b from c)) with check ((a))"));
    }

    #[test]
    fn view_query_skips_options_and_column_lists() {
        let sql = "create view v (a, b) with (security_invoker = true) as\n  select 1, 2";
        assert_eq!(view_query(sql), Some("select 1, 2"));
    }
}
