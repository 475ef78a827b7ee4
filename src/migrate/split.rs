//! A migration file as statements: split at `;` outside strings, quoted names, dollar quotes,
//! comments and parentheses, so that one statement no parser reads never hides the others.

use std::ops::Range;

use super::lex::{self, Kind};
use super::Dialect;

/// One statement of a file: its byte range (first token to the last before `;`, comments
/// before it excluded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Statement {
    pub range: Range<usize>,
}

impl Statement {
    pub fn text<'t>(&self, file: &'t str) -> &'t str {
        &file[self.range.clone()]
    }

    /// The statement's first line, for messages: `create policy "x" on public.sessions`.
    pub fn head(&self, file: &str) -> String {
        let line = self.text(file).lines().next().unwrap_or_default();
        let words: Vec<&str> = line.split_whitespace().collect();
        let head = words.join(" ");
        if head.chars().count() > 80 {
            head.chars().take(77).collect::<String>() + "..."
        } else {
            head
        }
    }
}

pub(super) fn statements(file: &str, dialect: Dialect) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut depth = 0usize;
    for token in lex::tokens(file, dialect) {
        if token.kind == Kind::Comment {
            continue;
        }
        if depth == 0 && token.is_punct(file, ';') {
            if let Some(s) = start.take() {
                out.push(Statement { range: s..end });
            }
            continue;
        }
        if token.is_punct(file, '(') {
            depth += 1;
        } else if token.is_punct(file, ')') {
            depth = depth.saturating_sub(1);
        }
        start.get_or_insert(token.range.start);
        end = token.range.end;
    }
    if let Some(s) = start {
        out.push(Statement { range: s..end });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(file: &str) -> Vec<&str> {
        statements(file, Dialect::Postgres).iter().map(|s| s.text(file)).collect()
    }

    #[test]
    fn splits_at_top_level_semicolons_only() {
        let file = "create table a (x int default 1); -- one; two\n\
                    insert into a values (';');\n\
                    create function f() returns int language sql as $$ select 1; select 2 $$;\n\
                    /* a; b */ select \"odd;name\" from a\n";
        assert_eq!(
            texts(file),
            [
                "create table a (x int default 1)",
                "insert into a values (';')",
                "create function f() returns int language sql as $$ select 1; select 2 $$",
                "select \"odd;name\" from a",
            ]
        );
    }

    #[test]
    fn tagged_dollar_quotes_hold_plain_dollar_quotes() {
        let file = "do $body$ begin execute $q$ select 1; $q$; end $body$; select 2;";
        assert_eq!(texts(file), ["do $body$ begin execute $q$ select 1; $q$; end $body$", "select 2"]);
    }

    #[test]
    fn empty_statements_and_trailing_comments_vanish() {
        assert_eq!(texts(";;\n-- nothing here;\n"), Vec::<&str>::new());
    }

    #[test]
    fn an_unterminated_statement_ends_the_file() {
        let file = "select 1; create function f() as $$ select 2;";
        assert_eq!(texts(file), ["select 1", "create function f() as $$ select 2;"]);
    }

    #[test]
    fn head_is_the_first_line_squeezed_and_short() {
        let file = "create   policy \"owners\" on public.sessions\n  for select using (true)";
        let s = &statements(file, Dialect::Postgres)[0];
        assert_eq!(s.head(file), "create policy \"owners\" on public.sessions");
        let long = format!("select {}", "x, ".repeat(40));
        assert_eq!(statements(&long, Dialect::Postgres)[0].head(&long).chars().count(), 80);
    }
}
