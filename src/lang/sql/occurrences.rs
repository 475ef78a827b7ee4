//! Walks a file's tokens and decides every occurrence of a retired term: names (quoted or not,
//! qualified or not), string literals, comments and function bodies, which are read recursively.

use std::ops::Range;
use std::path::Path;

use sqlparser::tokenizer::Token;

use super::lexer::{self, is_string_literal, Lexeme};
use super::schema::Clashes;
use super::Dialect;
use crate::engine::LineIndex;
use crate::plan::{FilePlan, KeepReason, Location, Role};
use crate::rules::{NameVerdict, RuleSet};

/// The place an occurrence stands in: it decides the role and whether the occurrence changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A table, column, function ... name, quoted or not; also a `{name:Type}` parameter.
    Name,
    Comment,
    /// An identifier-like string literal: `'public.sessions'::regclass`, `'session_id'`.
    Literal,
    /// A string used as a key into stored data: `attrs['session.id']`, `payload ->> 'session_id'`.
    DataKey,
    /// Text for people: `'session not found'`, a policy named `"read own sessions"`.
    Prose,
    /// Inside a function body written in another language (plpython3u, plv8).
    ForeignCode,
}

impl Place {
    fn role(self) -> Role {
        match self {
            Place::Name => Role::Identifier,
            Place::Comment => Role::Comment,
            Place::Literal | Place::DataKey | Place::ForeignCode => Role::String,
            Place::Prose => Role::Prose,
        }
    }
}

/// What the rule file's `[where]` makes of a renamable occurrence at a place.
enum Settle {
    Rewrite,
    Review(&'static str),
    NotRewritten,
}

/// The file a planned text is, so that conflicts can point at the other name.
pub(super) struct Origin<'a> {
    pub path: &'a Path,
    pub lines: LineIndex,
}

pub(super) struct Planner<'a> {
    /// The whole text every range indexes.
    pub text: &'a str,
    pub dialect: Dialect,
    pub rules: &'a RuleSet,
    pub clashes: &'a Clashes,
    /// `None` for SQL embedded in another language's string: its lines are not the file's.
    pub origin: Option<Origin<'a>>,
    pub plan: FilePlan,
}

/// Operators whose string operand is a key into stored JSON, map or array data.
const DATA_KEY_OPERATORS: &[Token] = &[
    Token::LBracket,
    Token::Arrow,
    Token::LongArrow,
    Token::HashArrow,
    Token::HashLongArrow,
    Token::HashMinus,
    Token::Question,
    Token::QuestionAnd,
    Token::QuestionPipe,
];
/// Functions whose string arguments are keys into stored data (`JSONExtractString`, `mapContains`,
/// `jsonb_build_object`), by name prefix.
const DATA_KEY_FUNCTION_PREFIXES: &[&str] = &["json", "map", "simplejson", "visitparam"];
/// A string literal or `$$` string that starts with one of these is SQL (`EXECUTE 'UPDATE ...'`).
const STATEMENT_KEYWORDS: &[&str] =
    &["select", "insert", "update", "delete", "with", "create", "alter", "drop", "truncate"];
/// Function body languages that are read as SQL.
const SQL_LANGUAGES: &[&str] = &["sql", "plpgsql"];

impl Planner<'_> {
    pub fn walk(&mut self, lexemes: &[Lexeme]) {
        for (i, lexeme) in lexemes.iter().enumerate() {
            match &lexeme.token {
                Token::Word(_) => self.word(lexemes, i),
                Token::DollarQuotedString(_) => self.dollar_quoted(lexemes, i),
                token if is_string_literal(token) => self.string_literal(lexemes, i),
                _ if lexeme.is_comment() => self.free_text(lexeme.range.clone(), Place::Comment),
                _ => {}
            }
        }
    }

    fn word(&mut self, lexemes: &[Lexeme], i: usize) {
        let lexeme = &lexemes[i];
        // Quoted names keep their quotes: only the text between them changes.
        let range = lexeme.inner(self.text).unwrap_or_else(|| lexeme.range.clone());
        let name = &self.text[range.clone()];
        if !self.rules.renamer.may_contain(name.as_bytes()) {
            return;
        }
        if name.contains(char::is_whitespace) {
            // Only a quoted name holds spaces: `create policy "read own sessions"`.
            return self.free_text(range, Place::Prose);
        }
        match self.foreign_owner(lexemes, i) {
            Some(owner) => self.keep_foreign(range, Place::Name, owner),
            None => self.occurrence(range, Place::Name),
        }
    }

    fn string_literal(&mut self, lexemes: &[Lexeme], i: usize) {
        let Some(inner) = lexemes[i].inner(self.text) else { return };
        // A nested tokenizer would misread `''` escapes: only plain literals without them are read as SQL.
        let plain = matches!(lexemes[i].token, Token::SingleQuotedString(_));
        let may_hold_sql = plain && !self.text[inner.clone()].contains('\'');
        self.literal(lexemes, i, inner, may_hold_sql);
    }

    fn dollar_quoted(&mut self, lexemes: &[Lexeme], i: usize) {
        let Some(inner) = lexemes[i].inner(self.text) else { return };
        if self.dialect == Dialect::ClickHouse {
            // ClickHouse `$$...$$` is an ordinary string literal.
            return self.literal(lexemes, i, inner, true);
        }
        if !self.rules.renamer.may_contain(self.text[inner.clone()].as_bytes()) {
            return;
        }
        match body_language(self.text, lexemes, i) {
            Some(language) if SQL_LANGUAGES.contains(&language.as_str()) => self.nested(inner, Place::ForeignCode),
            Some(_) => self.free_text(inner, Place::ForeignCode),
            // DO blocks are PL/pgSQL unless they say otherwise.
            None if statement_start(lexemes, i).is_keyword("do") => self.nested(inner, Place::ForeignCode),
            None => self.literal(lexemes, i, inner, true),
        }
    }

    /// The content of a string: SQL, a key into data, prose or a (dotted) name.
    fn literal(&mut self, lexemes: &[Lexeme], i: usize, inner: Range<usize>, may_hold_sql: bool) {
        let content = &self.text[inner.clone()];
        if !self.rules.renamer.may_contain(content.as_bytes()) {
            return;
        }
        if may_hold_sql && starts_statement(content) {
            self.nested(inner, Place::Prose);
        } else if is_data_key(lexemes, i) {
            self.dotted(inner, Place::DataKey);
        } else if content.contains(char::is_whitespace) {
            self.free_text(inner, Place::Prose);
        } else {
            self.dotted(inner, Place::Literal);
        }
    }

    /// SQL inside SQL (a function body, a dynamic statement); text that does not tokenize is read
    /// as `fallback` text instead.
    fn nested(&mut self, inner: Range<usize>, fallback: Place) {
        match lexer::tokenize(&self.text[inner.clone()], inner.start, self.dialect) {
            Ok(lexemes) => self.walk(&lexemes),
            Err(_) => self.free_text(inner, fallback),
        }
    }

    /// A name written in a string (`public.sessions`, `session.id`): each dotted part like a part
    /// of a qualified name.
    fn dotted(&mut self, inner: Range<usize>, place: Place) {
        let text = self.text;
        let content = &text[inner.clone()];
        let mut parts = Vec::new();
        let mut start = inner.start;
        for piece in content.split('.') {
            parts.push(start..start + piece.len());
            start += piece.len() + 1;
        }
        let owner = match parts.as_slice() {
            [only] if self.dialect.owns(&text[only.clone()]) => Some(self.dialect.engine().to_owned()),
            [first, _, ..] => Some(text[first.clone()].to_lowercase()).filter(|s| self.dialect.is_foreign_schema(s)),
            _ => None,
        };
        for part in parts {
            match &owner {
                Some(owner) => self.keep_foreign(part, place, owner.clone()),
                None => self.occurrence(part, place),
            }
        }
    }

    /// Comments and prose: every word of the text that holds a term. Names of the engine or a
    /// platform schema written out (`session_timezone`, `auth.sessions`) stay here too.
    fn free_text(&mut self, range: Range<usize>, place: Place) {
        let text = self.text;
        for (found, _) in self.rules.renamer.find_in_text(&text[range.clone()]) {
            let word = range.start + found.start..range.start + found.end;
            let owner = if self.dialect.owns(&text[word.clone()]) {
                Some(self.dialect.engine().to_owned())
            } else {
                qualifier_before(text, word.start).map(str::to_lowercase).filter(|s| self.dialect.is_foreign_schema(s))
            };
            match owner {
                Some(owner) => self.keep_foreign(word, place, owner),
                None => self.occurrence(word, place),
            }
        }
    }

    /// Who owns a name that is not the project's: a platform schema (`auth.sessions`), or the
    /// engine itself (`session_user`, `SET SESSION ...`).
    fn foreign_owner(&self, lexemes: &[Lexeme], i: usize) -> Option<String> {
        if let Some(schema) = self.foreign_qualifier(lexemes, i) {
            return Some(schema);
        }
        let word = lexemes[i].word()?;
        let own = word.quote_style.is_none() && (self.dialect.owns(&word.value) || is_session_keyword(lexemes, i));
        own.then(|| self.dialect.engine().to_owned())
    }

    /// The first part of the qualified name that ends at `i`, when it is a platform schema.
    fn foreign_qualifier(&self, lexemes: &[Lexeme], i: usize) -> Option<String> {
        let mut first = i;
        while let Some(dot) = prev_code(lexemes, first).filter(|&d| lexemes[d].token == Token::Period) {
            match prev_code(lexemes, dot).filter(|&w| lexemes[w].word().is_some()) {
                Some(word) => first = word,
                None => break,
            }
        }
        let schema = lexemes[first].name().filter(|_| first != i)?;
        self.dialect.is_foreign_schema(&schema).then_some(schema)
    }

    fn keep_foreign(&mut self, range: Range<usize>, place: Place, owner: String) {
        let text = self.text;
        let name = &text[range.clone()];
        if self.rules.name_verdict(name) != NameVerdict::Unrelated {
            self.plan.keep(range, name, place.role(), KeepReason::Foreign { module: owner });
        }
    }

    /// One occurrence of a possible term: renamed, reviewed, kept or a conflict.
    fn occurrence(&mut self, range: Range<usize>, place: Place) {
        let text = self.text;
        let name = &text[range.clone()];
        let role = place.role();
        let to = match self.rules.name_verdict(name) {
            NameVerdict::Unrelated => return,
            NameVerdict::Keep(reason) => return self.plan.keep(range, name, role, reason),
            NameVerdict::Rename(to) => to,
        };
        if let Some(clash) = self.clashes.get(name, range.start) {
            let other = self.location(clash.other.start);
            return self.plan.conflict(range, name, role, to, clash.why.clone(), other);
        }
        match self.settle(place) {
            Settle::Rewrite => self.plan.rename(range, name, role, to),
            Settle::Review(why) => self.plan.review(range, name, role, to, why),
            Settle::NotRewritten => self.plan.keep(range, name, role, KeepReason::NotRewritten),
        }
    }

    /// The rule file's `[where]` for the place's role; keys into data and foreign code bodies are
    /// only ever reviewed.
    fn settle(&self, place: Place) -> Settle {
        let rewrites = self.rules.places.rewrites(place.role());
        match place {
            Place::Prose if !rewrites => Settle::Review("prose meant for people: rewritten only when [where] prose = true"),
            _ if !rewrites => Settle::NotRewritten,
            Place::DataKey => Settle::Review("a key into stored data: rows already written keep the old key"),
            Place::ForeignCode => Settle::Review("in a function body that is not SQL or PL/pgSQL"),
            _ => Settle::Rewrite,
        }
    }

    fn location(&self, offset: usize) -> Option<Location> {
        let origin = self.origin.as_ref()?;
        let (line, column) = origin.lines.line_column(self.text, offset);
        Some(Location { path: origin.path.to_path_buf(), line, column })
    }
}

/// `SESSION` as SQL's own keyword: `SET SESSION ...`, `SESSION AUTHORIZATION`,
/// `SET SESSION CHARACTERISTICS`; as a table or column name it is the project's.
fn is_session_keyword(lexemes: &[Lexeme], i: usize) -> bool {
    if !lexemes[i].is_keyword("session") {
        return false;
    }
    let prev = prev_code(lexemes, i).map(|p| &lexemes[p]);
    let next = next_code(lexemes, i).map(|n| &lexemes[n]);
    let sets = prev.is_some_and(|p| p.is_any_keyword(&["set", "reset", "show"]))
        && next.is_some_and(|n| n.word().is_some() && !n.is_keyword("to"));
    sets || next.is_some_and(|n| n.is_any_keyword(&["authorization", "characteristics"]))
}

fn is_data_key(lexemes: &[Lexeme], i: usize) -> bool {
    let after_operator = prev_code(lexemes, i).is_some_and(|p| DATA_KEY_OPERATORS.contains(&lexemes[p].token));
    // A map literal's key: ClickHouse `{'session.id': 's-1'}`.
    let before_colon = next_code(lexemes, i).is_some_and(|n| lexemes[n].token == Token::Colon);
    after_operator
        || before_colon
        || enclosing_call(lexemes, i).is_some_and(|f| {
            let f = f.to_lowercase();
            DATA_KEY_FUNCTION_PREFIXES.iter().any(|p| f.starts_with(p))
        })
}

/// The name of the function call whose argument list holds token `i`.
fn enclosing_call(lexemes: &[Lexeme], i: usize) -> Option<&str> {
    let mut depth = 0usize;
    for j in (0..i).rev() {
        match lexemes[j].token {
            Token::RParen => depth += 1,
            Token::LParen if depth == 0 => {
                return prev_code(lexemes, j).and_then(|f| lexemes[f].word()).map(|w| w.value.as_str());
            }
            Token::LParen => depth -= 1,
            Token::SemiColon => return None,
            _ => {}
        }
    }
    None
}

/// Whether a string's content reads as a SQL statement (`UPDATE sessions SET ...`).
fn starts_statement(content: &str) -> bool {
    let trimmed = content.trim_start();
    let word_end = trimmed.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(trimmed.len());
    let rest_starts_with_space = trimmed[word_end..].starts_with(char::is_whitespace);
    rest_starts_with_space && STATEMENT_KEYWORDS.iter().any(|k| trimmed[..word_end].eq_ignore_ascii_case(k))
}

/// `LANGUAGE x` (or `LANGUAGE 'x'`) in the statement around token `i`, lowercased.
fn body_language(text: &str, lexemes: &[Lexeme], i: usize) -> Option<String> {
    let statement = statement_bounds(lexemes, i);
    let at = statement.clone().find(|&j| lexemes[j].is_keyword("language"))?;
    let language = &lexemes[next_code(lexemes, at).filter(|&n| n < statement.end)?];
    let name = match language.inner(text) {
        Some(inner) if is_string_literal(&language.token) => text[inner].to_owned(),
        _ => language.word()?.value.clone(),
    };
    Some(name.to_lowercase())
}

fn statement_start(lexemes: &[Lexeme], i: usize) -> &Lexeme {
    let bounds = statement_bounds(lexemes, i);
    bounds.clone().find(|&j| !lexemes[j].is_comment()).map_or(&lexemes[i], |j| &lexemes[j])
}

/// Index range of the statement (between semicolons) that holds token `i`.
fn statement_bounds(lexemes: &[Lexeme], i: usize) -> Range<usize> {
    let is_end = |l: &Lexeme| l.token == Token::SemiColon;
    let start = lexemes[..i].iter().rposition(is_end).map_or(0, |p| p + 1);
    let end = lexemes[i..].iter().position(is_end).map_or(lexemes.len(), |p| i + p);
    start..end
}

/// The word written right before `.` at byte `at` in free text (`auth` in `auth.sessions`).
fn qualifier_before(text: &str, at: usize) -> Option<&str> {
    let before = text[..at].strip_suffix('.')?;
    let start = before.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |p| p + 1);
    Some(&before[start..]).filter(|w| !w.is_empty())
}

fn prev_code(lexemes: &[Lexeme], i: usize) -> Option<usize> {
    lexemes[..i].iter().rposition(|l| !l.is_comment())
}

fn next_code(lexemes: &[Lexeme], i: usize) -> Option<usize> {
    lexemes[i + 1..].iter().position(|l| !l.is_comment()).map(|p| i + 1 + p)
}
