//! Schema facts for conflict checks, read from tokens alone: the names a file defines (CREATE ...),
//! the columns of each table (CREATE TABLE lists, ALTER TABLE ... ADD COLUMN), the renames it states
//! (RENAME a TO b) and the names each statement mentions. Statements the scan does not recognise
//! add nothing; a full parse is never needed.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use sqlparser::tokenizer::Token;

use super::lexer::{self, Lexeme};
use super::Dialect;
use crate::rules::{NameVerdict, RuleSet};

/// Why a name must stay: its new spelling already exists beside it.
#[derive(Debug, Clone)]
pub(super) struct Clash {
    /// Where the existing name is (byte range in the file).
    pub other: Range<usize>,
    pub why: String,
}

/// Names (lowercase) whose rename would clash, each with the byte ranges of the file (a statement,
/// or all of it) where it stays.
#[derive(Debug, Default)]
pub(super) struct Clashes(HashMap<String, Vec<(Range<usize>, Clash)>>);

impl Clashes {
    /// The clash that keeps `name` at byte `at`, if any.
    pub fn get(&self, name: &str, at: usize) -> Option<&Clash> {
        let scoped = self.0.get(&name.to_lowercase())?;
        scoped.iter().find(|(scope, _)| scope.contains(&at)).map(|(_, clash)| clash)
    }

    pub fn find(text: &str, lexemes: &[Lexeme], dialect: Dialect, rules: &RuleSet) -> Clashes {
        let mut facts = Facts::default();
        facts.collect(text, lexemes, dialect);
        let file = 0..text.len();
        let mut clashes = Clashes::default();
        clashes.among(rules, &facts.objects, &file, |to| format!("`{to}` is also defined in this file"));
        for (table, columns) in &facts.columns {
            clashes.among(rules, columns, &file, |to| format!("table `{table}` already has a column `{to}`"));
        }
        for (from, to) in &facts.renames {
            if renamed(rules, &from.name).is_some_and(|new| new.eq_ignore_ascii_case(&to.name)) {
                let why = format!(
                    "this file renames `{}` to `{}`: renaming both sides would make it rename `{}` to itself",
                    from.name, to.name, to.name
                );
                clashes.add(&from.name, &file, Clash { other: to.range.clone(), why });
            }
        }
        for (scope, names) in &facts.statements {
            clashes.among(rules, names, scope, |to| format!("the statement also names `{to}`"));
        }
        clashes
    }

    /// Within one namespace: a name whose new spelling is already there stays within `scope`.
    fn among(&mut self, rules: &RuleSet, names: &[Named], scope: &Range<usize>, why: impl Fn(&str) -> String) {
        for named in names {
            let Some(to) = renamed(rules, &named.name) else { continue };
            if let Some(existing) = names.iter().find(|n| n.name.eq_ignore_ascii_case(&to)) {
                self.add(&named.name, scope, Clash { other: existing.range.clone(), why: why(&existing.name) });
            }
        }
    }

    fn add(&mut self, name: &str, scope: &Range<usize>, clash: Clash) {
        if self.get(name, scope.start).is_none() {
            self.0.entry(name.to_lowercase()).or_default().push((scope.clone(), clash));
        }
    }
}

fn renamed(rules: &RuleSet, name: &str) -> Option<String> {
    if !rules.renamer.may_contain(name.as_bytes()) {
        return None;
    }
    match rules.name_verdict(name) {
        NameVerdict::Rename(to) => Some(to),
        _ => None,
    }
}

/// A name as written at one place.
#[derive(Debug, Clone)]
struct Named {
    name: String,
    range: Range<usize>,
}

impl Named {
    fn of(lexeme: &Lexeme) -> Option<Named> {
        Some(Named { name: lexeme.name()?, range: lexeme.range.clone() })
    }
}

/// CREATE <modifiers> <kind> [IF NOT EXISTS] name: the kinds that share the file's namespace.
const DEFINED_KINDS: &[&str] =
    &["table", "view", "index", "sequence", "function", "procedure", "type", "domain", "dictionary"];
const CREATE_MODIFIERS: &[&str] =
    &["or", "replace", "temp", "temporary", "unlogged", "global", "local", "materialized", "recursive", "unique"];
/// Table elements that are not columns.
const NOT_COLUMNS: &[&str] =
    &["constraint", "primary", "foreign", "unique", "check", "exclude", "like", "index", "projection"];

#[derive(Default)]
struct Facts {
    /// Tables, views, functions, types ... defined anywhere in the file.
    objects: Vec<Named>,
    /// Columns by table (last part of its name).
    columns: BTreeMap<String, Vec<Named>>,
    /// `RENAME from TO to`.
    renames: Vec<(Named, Named)>,
    /// Every name a statement mentions (columns, tables, parameters), with the statement's bytes.
    statements: Vec<(Range<usize>, Vec<Named>)>,
}

impl Facts {
    fn collect(&mut self, text: &str, lexemes: &[Lexeme], dialect: Dialect) {
        let code: Vec<&Lexeme> = lexemes.iter().filter(|l| !l.is_comment()).collect();
        for statement in code.split(|l| l.token == Token::SemiColon) {
            self.statement(statement);
        }
        // Function bodies and DO blocks define things too.
        for lexeme in lexemes.iter().filter(|l| matches!(l.token, Token::DollarQuotedString(_))) {
            let Some(inner) = lexeme.inner(text) else { continue };
            if let Ok(body) = lexer::tokenize(&text[inner.clone()], inner.start, dialect) {
                self.collect(text, &body, dialect);
            }
        }
    }

    fn statement(&mut self, s: &[&Lexeme]) {
        if let Some((kind, name, after)) = created(s) {
            if kind == "table" {
                let columns = column_list(s, skip_on_cluster(s, after));
                self.columns.entry(name.name.to_lowercase()).or_default().extend(columns);
            }
            self.objects.push(name);
        }
        if let Some((table, after)) = altered(s, "table") {
            let added = added_columns(s, after);
            self.columns.entry(table.name.to_lowercase()).or_default().extend(added);
        }
        self.renames.extend(renames(s));
        if let (Some(first), Some(last)) = (s.first(), s.last()) {
            let names = s.iter().filter_map(|l| Named::of(l)).collect();
            self.statements.push((first.range.start..last.range.end, names));
        }
    }
}

/// `CREATE ... <kind> [IF NOT EXISTS] [CONCURRENTLY] name`: the kind, the name (last part) and the
/// index after it.
fn created(s: &[&Lexeme]) -> Option<(&'static str, Named, usize)> {
    if !s.first()?.is_keyword("create") {
        return None;
    }
    let mut i = 1;
    while s.get(i)?.is_any_keyword(CREATE_MODIFIERS) {
        i += 1;
    }
    let kind = DEFINED_KINDS.iter().find(|k| s[i].is_keyword(k))?;
    i = skip_keywords(s, i + 1, &["if", "not", "exists", "concurrently"]);
    let (name, after) = qualified_name(s, i)?;
    Some((kind, name, after))
}

/// `ALTER <kind> [IF EXISTS] [ONLY] name`: the name (last part) and the index after it.
fn altered(s: &[&Lexeme], kind: &str) -> Option<(Named, usize)> {
    if !(s.first()?.is_keyword("alter") && s.get(1)?.is_keyword(kind)) {
        return None;
    }
    qualified_name(s, skip_keywords(s, 2, &["if", "exists", "only"]))
}

/// `a.b.c` starting at `i`: the last part and the index after the chain.
fn qualified_name(s: &[&Lexeme], mut i: usize) -> Option<(Named, usize)> {
    let mut last = Named::of(s.get(i)?)?;
    while s.get(i + 1).is_some_and(|l| l.token == Token::Period) {
        let Some(part) = s.get(i + 2).and_then(|l| Named::of(l)) else { break };
        last = part;
        i += 2;
    }
    Some((last, i + 1))
}

fn skip_keywords(s: &[&Lexeme], mut i: usize, keywords: &[&str]) -> usize {
    while s.get(i).is_some_and(|l| l.is_any_keyword(keywords)) {
        i += 1;
    }
    i
}

/// ClickHouse `ON CLUSTER name` after a table name.
fn skip_on_cluster(s: &[&Lexeme], i: usize) -> usize {
    let on_cluster = s.get(i).is_some_and(|l| l.is_keyword("on")) && s.get(i + 1).is_some_and(|l| l.is_keyword("cluster"));
    if on_cluster { i + 3 } else { i }
}

/// The column names of a `( ... )` table element list opening at `open`.
fn column_list(s: &[&Lexeme], open: usize) -> Vec<Named> {
    if s.get(open).is_none_or(|l| l.token != Token::LParen) {
        return Vec::new();
    }
    let mut columns = Vec::new();
    let mut depth = 1usize;
    let mut element_start = true;
    for l in &s[open + 1..] {
        match l.token {
            Token::LParen => depth += 1,
            Token::RParen if depth == 1 => break,
            Token::RParen => depth -= 1,
            Token::Comma if depth == 1 => {
                element_start = true;
                continue;
            }
            _ if depth == 1 && element_start && !l.is_any_keyword(NOT_COLUMNS) => columns.extend(Named::of(l)),
            _ => {}
        }
        element_start = false;
    }
    columns
}

/// `ADD [COLUMN] [IF NOT EXISTS] name ...` clauses of an ALTER TABLE, from index `i`.
fn added_columns(s: &[&Lexeme], i: usize) -> Vec<Named> {
    let mut added = Vec::new();
    let mut depth = 0usize;
    for (at, l) in s.iter().enumerate().skip(i) {
        match l.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ if depth == 0 && l.is_keyword("add") => {
                let name_at = skip_keywords(s, at + 1, &["column", "if", "not", "exists"]);
                if let Some(name) = s.get(name_at).filter(|n| !n.is_any_keyword(NOT_COLUMNS)) {
                    added.extend(Named::of(name));
                }
            }
            _ => {}
        }
    }
    added
}

/// `RENAME [COLUMN|CONSTRAINT|TABLE ...] a TO b` and `ALTER <kind> a ... RENAME TO b`.
fn renames(s: &[&Lexeme]) -> Vec<(Named, Named)> {
    let subject = s.get(1).and_then(|kind| altered(s, kind.word()?.value.as_str())).map(|(name, _)| name);
    let mut found = Vec::new();
    for (at, _) in s.iter().enumerate().filter(|(_, l)| l.is_keyword("rename")) {
        let i = skip_keywords(s, at + 1, &["column", "constraint", "table", "index", "view", "dictionary"]);
        let (from, to_at) = if s.get(i).is_some_and(|l| l.is_keyword("to")) {
            match &subject {
                Some(subject) => (subject.clone(), i),
                None => continue,
            }
        } else {
            match qualified_name(s, i) {
                Some(pair) => pair,
                None => continue,
            }
        };
        if s.get(to_at).is_some_and(|l| l.is_keyword("to")) {
            if let Some((to, _)) = qualified_name(s, to_at + 1) {
                found.push((from, to));
            }
        }
    }
    found
}
