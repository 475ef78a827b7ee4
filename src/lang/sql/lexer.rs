//! sqlparser's tokenizer with byte ranges. Its locations count chars (lines end at `\n` only) and
//! consecutive tokens touch, so one forward cursor turns every span into bytes.

use std::ops::Range;

use sqlparser::tokenizer::{Location, Token, Tokenizer, Whitespace, Word};

use super::Dialect;
use crate::lang::ParseError;

/// A token and its byte range in the file (nested text is shifted into file offsets).
#[derive(Debug, Clone)]
pub(super) struct Lexeme {
    pub token: Token,
    pub range: Range<usize>,
}

impl Lexeme {
    pub fn is_comment(&self) -> bool {
        matches!(
            self.token,
            Token::Whitespace(Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_))
        )
    }

    pub fn word(&self) -> Option<&Word> {
        match &self.token {
            Token::Word(w) => Some(w),
            _ => None,
        }
    }

    /// An unquoted word equal to `keyword`, ignoring case.
    pub fn is_keyword(&self, keyword: &str) -> bool {
        self.word().is_some_and(|w| w.quote_style.is_none() && w.value.eq_ignore_ascii_case(keyword))
    }

    /// An unquoted word that is one of `keywords`.
    pub fn is_any_keyword(&self, keywords: &[&str]) -> bool {
        keywords.iter().any(|k| self.is_keyword(k))
    }

    /// A word's comparable name: unquoted SQL names fold to lowercase, quoted ones keep their case.
    pub fn name(&self) -> Option<String> {
        let w = self.word()?;
        Some(if w.quote_style.is_some() { w.value.clone() } else { w.value.to_lowercase() })
    }

    /// The text between the delimiters of a quoted word, a string literal or a dollar-quoted string.
    pub fn inner(&self, text: &str) -> Option<Range<usize>> {
        let r = &self.range;
        match &self.token {
            Token::Word(w) if w.quote_style.is_some() => Some(r.start + 1..r.end - 1),
            Token::DollarQuotedString(d) => {
                let fence = d.tag.as_deref().map_or(0, str::len) + 2;
                (r.len() >= 2 * fence).then(|| r.start + fence..r.end - fence)
            }
            _ if is_string_literal(&self.token) => {
                // Prefixed literals (E'..', N'..', B'..') open at their first quote.
                let slice = &text[r.clone()];
                let open = slice.find('\'')?;
                let close = slice.rfind('\'')?;
                (close > open).then(|| r.start + open + 1..r.start + close)
            }
            _ => None,
        }
    }
}

/// Single-quoted literals, prefixed or not.
pub(super) fn is_string_literal(token: &Token) -> bool {
    matches!(
        token,
        Token::SingleQuotedString(_)
            | Token::EscapedStringLiteral(_)
            | Token::NationalStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
            | Token::SingleQuotedByteStringLiteral(_)
            | Token::SingleQuotedRawStringLiteral(_)
    )
}

/// Tokens of `text` (which starts at byte `base` of the file), without spaces and newlines;
/// comments stay. A tokenizer error is reported at its line and column within `text`.
pub(super) fn tokenize(text: &str, base: usize, dialect: Dialect) -> Result<Vec<Lexeme>, ParseError> {
    let tokens = Tokenizer::new(dialect.sqlparser(), text).tokenize_with_location().map_err(|e| ParseError {
        line: to_usize(e.location.line),
        column: to_usize(e.location.column),
        message: e.message,
    })?;
    let mut cursor = Cursor::new(text);
    // Collected in the tokens' own allocation (a lexeme is smaller than a token with its span):
    // a second list beside the first would take half again as much at once.
    let lexemes = tokens.into_iter().filter_map(|t| {
        // Line 0 marks an empty span: nothing in the text to point at.
        let blank = matches!(t.token, Token::Whitespace(Whitespace::Space | Whitespace::Newline | Whitespace::Tab));
        if t.span.start.line == 0 || blank {
            return None;
        }
        let start = cursor.seek(t.span.start);
        let end = cursor.seek(t.span.end);
        Some(Lexeme { token: t.token, range: base + start..base + end })
    });
    Ok(lexemes.collect())
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Walks the text forward from one location to the next, counting chars as the tokenizer does.
struct Cursor<'t> {
    text: &'t str,
    byte: usize,
    at: (u64, u64),
}

impl<'t> Cursor<'t> {
    fn new(text: &'t str) -> Cursor<'t> {
        Cursor { text, byte: 0, at: (1, 1) }
    }

    fn seek(&mut self, to: Location) -> usize {
        let target = (to.line, to.column);
        if target < self.at {
            // Only a tokenizer that rewinds (COPY payloads) gets here: start over.
            *self = Cursor::new(self.text);
        }
        let mut chars = self.text[self.byte..].chars();
        while self.at < target {
            let Some(c) = chars.next() else { break };
            self.byte += c.len_utf8();
            self.at = if c == '\n' { (self.at.0 + 1, 1) } else { (self.at.0, self.at.1 + 1) };
        }
        self.byte
    }
}
