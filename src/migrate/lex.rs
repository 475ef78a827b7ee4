//! A small SQL lexer with byte ranges, for what a full parse cannot give: splitting a file into
//! statements even when some of them do not parse, finding a clause's exact source text, and
//! renaming identifiers inside statement text (function bodies, view queries, policy expressions).
//! It never fails: an unterminated string or comment runs to the end of the text.

use std::ops::Range;

use super::Dialect;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// An unquoted name or keyword.
    Word,
    /// `"name"` (and `` `name` `` in ClickHouse).
    QuotedName,
    /// A single-quoted literal, prefixed or not (`'a'`, `E'a\n'`).
    String,
    /// `$tag$ ... $tag$`; `body` is the text between the fences.
    DollarString {
        body_start: usize,
        body_end: usize,
    },
    Number,
    Comment,
    /// Any other character (`(`, `,`, `.`, `;`, operators), one at a time.
    Punct,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    pub kind: Kind,
    pub range: Range<usize>,
}

impl Token {
    pub fn text<'t>(&self, source: &'t str) -> &'t str {
        &source[self.range.clone()]
    }

    pub fn is_punct(&self, source: &str, c: char) -> bool {
        self.kind == Kind::Punct && self.text(source).starts_with(c)
    }

    /// An unquoted word equal to `keyword`, ignoring case.
    pub fn is_keyword(&self, source: &str, keyword: &str) -> bool {
        self.kind == Kind::Word && self.text(source).eq_ignore_ascii_case(keyword)
    }

    /// The name a word or quoted name stands for, as the engine compares it: PostgreSQL folds
    /// unquoted names to lowercase, ClickHouse never folds.
    pub fn name(&self, source: &str, dialect: Dialect) -> Option<String> {
        let text = self.text(source);
        match self.kind {
            Kind::Word if dialect == Dialect::Postgres => Some(text.to_lowercase()),
            Kind::Word => Some(text.to_owned()),
            Kind::QuotedName => {
                let quote = &text[..1];
                let inner = text.get(1..text.len().saturating_sub(1)).unwrap_or_default();
                Some(inner.replace(&quote.repeat(2), quote))
            }
            _ => None,
        }
    }

    /// The content of a single-quoted literal without its quotes (escapes left as written).
    pub fn string_content<'t>(&self, source: &'t str) -> Option<&'t str> {
        if self.kind != Kind::String {
            return None;
        }
        let text = self.text(source);
        let open = text.find('\'')?;
        let close = text.rfind('\'')?;
        (close > open).then(|| &text[open + 1..close])
    }
}

/// Every token of `source` except whitespace; comments are kept (as [`Kind::Comment`]).
pub(super) fn tokens(source: &str, dialect: Dialect) -> Vec<Token> {
    Lexer { source, bytes: source.as_bytes(), at: 0, dialect }.collect()
}

/// Every token except whitespace and comments.
pub(super) fn code_tokens(source: &str, dialect: Dialect) -> Vec<Token> {
    tokens(source, dialect).into_iter().filter(|t| t.kind != Kind::Comment).collect()
}

struct Lexer<'s> {
    source: &'s str,
    bytes: &'s [u8],
    at: usize,
    dialect: Dialect,
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_name_char(c: u8) -> bool {
    is_name_start(c) || c.is_ascii_digit() || c == b'$'
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.at + ahead).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        self.source[self.at..].starts_with(s)
    }

    /// Advance past the first `close` at or after the cursor (or to the end).
    fn skip_past(&mut self, close: &str) {
        self.at = self.source[self.at..].find(close).map_or(self.bytes.len(), |i| self.at + i + close.len());
    }

    /// A quoted run opened at the cursor: a doubled quote is an escaped quote; with
    /// `backslash`, `\` escapes the next byte.
    fn quoted(&mut self, quote: u8, backslash: bool) {
        self.at += 1;
        while let Some(c) = self.peek(0) {
            self.at += 1;
            if c == b'\\' && backslash {
                self.at += 1;
            } else if c == quote {
                if self.peek(0) == Some(quote) {
                    self.at += 1;
                } else {
                    return;
                }
            }
        }
        self.at = self.at.min(self.bytes.len());
    }

    fn block_comment(&mut self) {
        let mut depth = 0;
        while self.at < self.bytes.len() {
            if self.starts_with("/*") {
                depth += 1;
                self.at += 2;
            } else if self.starts_with("*/") {
                depth -= 1;
                self.at += 2;
                if depth == 0 {
                    return;
                }
            } else {
                self.at += 1;
            }
        }
    }

    /// `$tag$` at the cursor, if it opens a dollar-quoted string (PostgreSQL only).
    fn dollar_tag(&self) -> Option<&str> {
        if self.dialect != Dialect::Postgres {
            return None;
        }
        let rest = &self.source[self.at + 1..];
        let end = rest.find('$')?;
        let tag = &rest[..end];
        let valid = tag.bytes().next().is_none_or(is_name_start) && tag.bytes().all(|c| is_name_char(c) && c != b'$');
        valid.then(|| &self.source[self.at..self.at + end + 2])
    }

    fn next_kind(&mut self) -> Kind {
        let c = self.bytes[self.at];
        let backslash_strings = self.dialect == Dialect::ClickHouse;
        match c {
            b'-' if self.peek(1) == Some(b'-') => {
                self.skip_past("\n");
                Kind::Comment
            }
            b'/' if self.peek(1) == Some(b'*') => {
                self.block_comment();
                Kind::Comment
            }
            b'\'' => {
                self.quoted(b'\'', backslash_strings);
                Kind::String
            }
            b'"' => {
                self.quoted(b'"', backslash_strings);
                Kind::QuotedName
            }
            b'`' if self.dialect == Dialect::ClickHouse => {
                self.quoted(b'`', true);
                Kind::QuotedName
            }
            b'$' => match self.dollar_tag().map(str::to_owned) {
                Some(fence) => {
                    let body_start = self.at + fence.len();
                    self.at = body_start;
                    let body_end = self.source[body_start..].find(&fence).map_or(self.bytes.len(), |i| body_start + i);
                    self.at = (body_end + fence.len()).min(self.bytes.len());
                    Kind::DollarString { body_start, body_end }
                }
                None => {
                    self.at += 1;
                    Kind::Punct
                }
            },
            c if c.is_ascii_digit() => {
                while self.peek(0).is_some_and(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'_') {
                    self.at += 1;
                }
                Kind::Number
            }
            c if is_name_start(c) => {
                let start = self.at;
                while self.peek(0).is_some_and(is_name_char) {
                    self.at += 1;
                }
                // E'..', B'..', X'..', N'..' and U&'..' are literals with a prefix.
                let prefix = &self.source[start..self.at];
                let escapes = prefix.eq_ignore_ascii_case("e");
                if self.peek(0) == Some(b'\'') && ["e", "b", "x", "n"].iter().any(|p| prefix.eq_ignore_ascii_case(p)) {
                    self.quoted(b'\'', escapes || backslash_strings);
                    return Kind::String;
                }
                if prefix.eq_ignore_ascii_case("u") && self.starts_with("&'") {
                    self.at += 1;
                    self.quoted(b'\'', false);
                    return Kind::String;
                }
                Kind::Word
            }
            _ => {
                // One whole character, even outside ASCII.
                self.at += self.source[self.at..].chars().next().map_or(1, char::len_utf8);
                Kind::Punct
            }
        }
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        while self.peek(0).is_some_and(|c| c.is_ascii_whitespace()) {
            self.at += 1;
        }
        if self.at >= self.bytes.len() {
            return None;
        }
        let start = self.at;
        let kind = self.next_kind();
        Some(Token { kind, range: start..self.at })
    }
}

/// Whether SQL text names any of `names` (as a name: strings and comments do not count).
pub(super) fn mentions_any(source: &str, names: &[String], dialect: Dialect) -> bool {
    code_tokens(source, dialect).iter().filter_map(|t| t.name(source, dialect)).any(|n| names.contains(&n))
}

/// The index of the token that closes the parenthesis opened at `open`, or the last token.
pub(super) fn matching_paren(source: &str, tokens: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        if t.is_punct(source, '(') {
            depth += 1;
        } else if t.is_punct(source, ')') {
            depth -= 1;
            if depth == 0 {
                return i;
            }
        }
    }
    tokens.len().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<(Kind, &str)> {
        tokens(source, Dialect::Postgres).into_iter().map(|t| (t.kind, &source[t.range])).collect()
    }

    #[test]
    fn strings_comments_and_dollar_quotes_are_single_tokens() {
        let source = "select 'it''s; here', E'a\\'b', $f$ a; $$ b $f$ -- c;\n/* d /* e */ ; */ x";
        let got = kinds(source);
        assert_eq!(got[1], (Kind::String, "'it''s; here'"));
        assert_eq!(got[3], (Kind::String, "E'a\\'b'"));
        assert!(matches!(got[5].0, Kind::DollarString { .. }));
        assert_eq!(got[5].1, "$f$ a; $$ b $f$");
        assert_eq!(got[6], (Kind::Comment, "-- c;\n"));
        assert_eq!(got[7], (Kind::Comment, "/* d /* e */ ; */"));
        assert_eq!(got[8], (Kind::Word, "x"));
    }

    #[test]
    fn positional_parameters_are_not_dollar_quotes() {
        let got = kinds("select $1, $2");
        assert_eq!(got.iter().filter(|(k, _)| *k == Kind::Punct).count(), 3);
    }

    #[test]
    fn quoted_names_fold_only_when_unquoted() {
        let source = r#"Sessions "Session""Id""#;
        let toks = tokens(source, Dialect::Postgres);
        assert_eq!(toks[0].name(source, Dialect::Postgres).unwrap(), "sessions");
        assert_eq!(toks[1].name(source, Dialect::Postgres).unwrap(), "Session\"Id");
        assert_eq!(toks[0].name(source, Dialect::ClickHouse).unwrap(), "Sessions");
    }

    #[test]
    fn unterminated_input_runs_to_the_end() {
        let got = kinds("select 'open");
        assert_eq!(got[1], (Kind::String, "'open"));
        let got = kinds("do $$ begin");
        assert_eq!(got[1].1, "$$ begin");
    }
}
