//! Verdicts that hold across files.
//!
//! A rewriter judges one file, but some names reach others: a class that must keep its name in
//! its module (it clashes with `Trace` there) must keep it where it is imported, and a parameter
//! that must stay must stay where callers pass it by keyword. Likewise a route string that would
//! duplicate another route, or a persisted value, stays wherever the same string is written.
//!
//! Design: before the streaming run, [`crate::engine::shares`] plans only the files where a
//! rename can land on a name already written there, or two renames on one name ([`shares_of`],
//! behind `may_clash`, a word scan): no other file can produce a clash. Their plans are held for
//! the run ([`crate::cache::Pass::Safety`]), which takes each one while it still holds; what each
//! shares is kept between runs ([`crate::cache::PlanCache::keep_result`]).
//! [`Shared::gather`] keeps each [`Share`] their plans declare, a definition winning over an
//! import, then the first in walk order. The streaming run then plans every other file, in order,
//! and [`Shared::follow`] turns a rename of a shared name (same language family) or of a shared
//! string value into the origin's verdict, pointing at the origin. One round: a name that becomes
//! blocked only because another file blocked it does not block further names. Persisted values in
//! files that cannot clash are kept consistent within their own file only.

use std::ops::Range;
use std::path::{Path, PathBuf};

use foldhash::{HashMap, HashMapExt, HashSet};

use crate::cache::codec::Codec;
use crate::cache::{hash_of, PlanCache};
use crate::engine::LineIndex;
use crate::lang::{self, Context};
use crate::plan::{FilePlan, Finding, Location, Role, Share, Verdict};
use crate::project::Project;
use crate::reads;
use crate::rules::RuleSet;

/// The shared verdicts of a run, each with the finding that decided it.
///
/// Every lookup a plan makes is recorded as the hash of its [`Question`] and of the answer
/// ([`reads::Read::Shared`]): a plan or result kept between runs is a function of its file's text
/// and of those answers, so it holds while each question, asked again ([`Shared::answer`]), gets
/// the same answer, without reading the text again.
#[derive(Debug, Clone, Default)]
pub struct Shared {
    origins: HashMap<Key, Origin>,
    /// The owners of each shared member, by language family and member name.
    owners: HashMap<(&'static str, String), Vec<String>>,
    /// The names each unplanned file writes that stay there, by its path.
    unplanned: HashMap<PathBuf, Vec<String>>,
    /// The hash of each answer (none: 0), by the hash of its question: asked for every kept
    /// read of a shared verdict (240,000 times in a warm check of 50k files), so with a fast hasher.
    answers: HashMap<u64, u64>,
}

/// What a lookup in [`Shared`] asks.
#[derive(Hash)]
enum Question<'a> {
    Origin(&'a Key),
    /// Family, member.
    Owners(&'static str, &'a str),
    /// An unplanned file's path.
    Unplanned(&'a Path),
}

/// The finding that decided a shared verdict, and where it stands.
#[derive(Debug, Clone, PartialEq)]
struct Origin {
    finding: Finding,
    at: Location,
    /// It stands in an import: a definition of the same name, when there is one, says more.
    imported: bool,
    /// It stands in a file that is not planned, so the name stays there, and wherever it is used
    /// (see [`Shared::origin_of`]), whatever else decided it.
    unplanned: bool,
}

impl Origin {
    /// Of two origins of one verdict, the greater decides.
    fn rank(&self) -> (bool, bool) {
        (self.unplanned, !self.imported)
    }
}

/// What a shared verdict is about; names belong to a language family.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Name(&'static str, String),
    /// Family, owner, member.
    Member(&'static str, String, String),
    Keyword(&'static str, String, String),
    Literal(String),
}

/// What one file's plan shares; see [`shares_of`].
#[derive(Debug, Default, PartialEq)]
pub struct FileShares(Vec<(Key, Origin)>);

/// The language families of shared names ([`family`]), by their place in the kept form.
const FAMILIES: [&str; 6] = ["python", "typescript", "sql", "rust", "text", ""];

impl Codec for Key {
    fn encode(&self, out: &mut Vec<u8>) {
        let (tag, family, first, second) = match self {
            Key::Name(family, name) => (0usize, *family, name, None),
            Key::Member(family, owner, name) => (1, *family, owner, Some(name)),
            Key::Keyword(family, callable, name) => (2, *family, callable, Some(name)),
            Key::Literal(content) => (3, "", content, None),
        };
        tag.encode(out);
        FAMILIES.iter().position(|&f| f == family).expect("every family is in FAMILIES").encode(out);
        first.encode(out);
        if let Some(second) = second {
            second.encode(out);
        }
    }

    fn decode(input: &mut &[u8]) -> Option<Key> {
        let tag = usize::decode(input)?;
        let family = *FAMILIES.get(usize::decode(input)?)?;
        let first = String::decode(input)?;
        match tag {
            0 => Some(Key::Name(family, first)),
            1 => Some(Key::Member(family, first, String::decode(input)?)),
            2 => Some(Key::Keyword(family, first, String::decode(input)?)),
            3 => Some(Key::Literal(first)),
            _ => None,
        }
    }
}

crate::cache::codec::fields!(Origin { finding, at, imported, unplanned });

impl Codec for FileShares {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }

    fn decode(input: &mut &[u8]) -> Option<FileShares> {
        Codec::decode(input).map(FileShares)
    }
}

impl Shared {
    /// The shared verdicts of the files' shares, given with each file's index in walk order: an
    /// unplanned file wins, then a definition over an import, then the first in walk order.
    pub fn gather(mut found: Vec<(usize, FileShares)>) -> Shared {
        found.sort_by_key(|(index, _)| *index);
        let mut shared = Shared::default();
        for (key, origin) in found.into_iter().flat_map(|(_, shares)| shares.0) {
            if let Key::Member(family, owner, name) = &key {
                let owners = shared.owners.entry((family, name.clone())).or_default();
                if !owners.contains(owner) {
                    owners.push(owner.clone());
                }
            }
            if let (Key::Name(_, name), true) = (&key, origin.unplanned) {
                shared.unplanned.entry(origin.at.path.clone()).or_default().push(name.clone());
            }
            match shared.origins.get(&key) {
                Some(first) if first.rank() >= origin.rank() => {}
                _ => {
                    shared.origins.insert(key, origin);
                }
            }
        }
        let origins = shared.origins.iter().map(|(key, origin)| (hash_of(&Question::Origin(key)), origin_hash(Some(origin))));
        let owners = shared.owners.iter().map(|((family, name), owners)| (hash_of(&Question::Owners(family, name)), hash_of(owners)));
        let unplanned = shared.unplanned.iter().map(|(path, names)| (hash_of(&Question::Unplanned(path)), hash_of(names)));
        shared.answers = origins.chain(owners).chain(unplanned).collect();
        shared
    }

    /// The hash of the answer a recorded question ([`reads::Read::Shared`]) gets now.
    pub fn answer(&self, question: u64) -> u64 {
        self.answers.get(&question).copied().unwrap_or(0)
    }

    /// The origin of `key`'s shared verdict; asked and answered, recorded.
    fn origin(&self, key: &Key) -> Option<&Origin> {
        let origin = self.origins.get(key);
        reads::asked(|| hash_of(&Question::Origin(key)), || origin_hash(origin));
        origin
    }

    /// The owners of the shared members `name` of `family`; recorded.
    fn owners_of(&self, family: &'static str, name: &str) -> Option<&Vec<String>> {
        let owners = self.owners.get(&(family, name.to_owned()));
        reads::asked(|| hash_of(&Question::Owners(family, name)), || owners.map_or(0, hash_of));
        owners
    }

    /// Whether `text` imports a name that stays in the unplanned file at `path`: then it uses
    /// that file, and every name written there stays in it too. Recorded.
    fn imports_unplanned(&self, path: &Path, imported: &Imported<'_>) -> bool {
        let names = self.unplanned.get(path);
        reads::asked(|| hash_of(&Question::Unplanned(path)), || names.map_or(0, hash_of));
        names.is_some_and(|names| names.iter().any(|name| imported.contains(name)))
    }
}

/// What the plan of `path` (its text given) shares, or `None` when it holds no old word next to a
/// new one: only such files can produce a clash, so only they are planned here.
pub fn shares_of(path: &Path, text: &str, rules: &RuleSet, project: &Project, cache: Option<&PlanCache>) -> Option<FileShares> {
    let rewriter = lang::for_path(path).filter(|_| !rules.is_history(path))?;
    if !can_clash(path, text, rules, cache) {
        return None;
    }
    let body = crate::engine::body_of(text);
    let cx = Context { rules, project, path };
    let plan = crate::cache::plan(cache, crate::cache::Pass::Safety, rewriter, body, &cx).ok()?;
    let lines = LineIndex::new(body);
    let family = family(path);
    let shares: Vec<(Key, Origin)> = plan
        .shares
        .iter()
        .filter_map(|share| {
            let (key, at) = match share {
                Share::Name { name, at } => (Key::Name(family, name.clone()), *at),
                Share::Member { owner, name, at } => (Key::Member(family, owner.clone(), name.clone()), *at),
                Share::Keyword { callable, name, at } => (Key::Keyword(family, callable.clone(), name.clone()), *at),
                Share::Literal { content, at } => (Key::Literal(content.clone()), *at),
            };
            let finding = plan.findings.iter().find(|f| f.range.start == at)?.clone();
            let (line, column) = lines.line_column(body, at);
            let imported = imports(lines.line(body, line), &finding.text);
            Some((key, Origin { finding, at: Location { path: path.to_path_buf(), line, column }, imported, unplanned: false }))
        })
        .collect();
    (!shares.is_empty()).then_some(FileShares(shares))
}

/// A name a file writes that a rule renames, and where it first stands.
#[derive(Debug, PartialEq, Eq)]
pub struct Written {
    pub name: String,
    /// What the rule renames it to.
    pub to: String,
    /// Its byte offset.
    pub at: usize,
    pub location: Location,
}

/// What a file that is not planned shares, given the names it writes that a rule renames
/// ([`Written`]) and `why` it is not planned: each stays as it is there, so it stays wherever
/// another file of its language imports it or reads it as an attribute, and `fix` says how to
/// plan the file. Without a parse, comments and strings count as code: some names stay that
/// need not.
pub fn unplanned_shares(path: &Path, written: Vec<Written>, why: &str, fix: &str, rules: &RuleSet) -> Option<FileShares> {
    let family = family(path);
    if matches!(family, "text" | "") || rules.is_history(path) {
        return None;
    }
    let shares: Vec<(Key, Origin)> = written
        .into_iter()
        .map(|Written { name, to, at, location }| {
            let verdict = Verdict::Conflict { to, why: why.to_owned(), other: None, suggestion: Some(fix.to_owned()) };
            let finding = Finding { range: at..at + name.len(), text: name.clone(), role: Role::Identifier, verdict };
            (Key::Name(family, name), Origin { finding, at: location, imported: false, unplanned: true })
        })
        .collect();
    (!shares.is_empty()).then_some(FileShares(shares))
}

/// [`may_clash`], through the answers `cache` keeps between runs.
pub fn can_clash(path: &Path, text: &str, rules: &RuleSet, cache: Option<&PlanCache>) -> bool {
    match cache {
        Some(cache) => cache.may_clash(path, text, || may_clash(path, text, rules)),
        None => may_clash(path, text, rules),
    }
}

/// Whether a rename in `path`'s text can land on a name the code already holds, or two renames
/// on one new name: without that, no clash, mapping or route conflict can arise in it. A word
/// scan, not a parse: names are compared with the names of the code, strings with whole strings
/// (keys, routes), and comments are left out (they mention both words all the time).
fn may_clash(path: &Path, text: &str, rules: &RuleSet) -> bool {
    if !rules.renamer.may_contain(text.as_bytes()) || !rules.renamer.may_contain_target(text.as_bytes()) {
        return false;
    }
    let (code, strings) = split_code(text, comment_syntax(path));
    // The names of the code and their renames, in one pass over its words; where only comments
    // held a term, no name is renamed and none can be landed on.
    let mut names: HashSet<&str> = HashSet::default();
    let mut renamed_names = Vec::new();
    if rules.renamer.may_contain(code.as_bytes()) {
        for range in crate::words::tokens(&code) {
            let name = &code[range];
            if names.insert(name) {
                renamed_names.extend(rules.renamer.rename(name).map(|to| (name, to)));
            }
        }
    }
    let strings: HashSet<&str> = strings.into_iter().collect();
    let renamed_strings = strings.iter().filter_map(|s| Some((*s, super::values::renamed_text(rules, s)?)));
    lands(&names, renamed_names.into_iter()) || lands(&strings, renamed_strings)
}

/// Whether one of `renames` lands on a name of `existing`, or two of them on one name.
fn lands<'t>(existing: &HashSet<&str>, mut renames: impl Iterator<Item = (&'t str, String)>) -> bool {
    let mut targets: HashMap<String, &str> = HashMap::new();
    renames.any(|(from, to)| existing.contains(to.as_str()) || targets.insert(to, from).is_some_and(|o| o != from))
}

/// How a language writes comments: the line comment, and the block comment's ends.
type CommentSyntax = (Option<&'static str>, Option<(&'static str, &'static str)>);

fn comment_syntax(path: &Path) -> CommentSyntax {
    match family(path) {
        "python" => (Some("#"), None),
        "typescript" | "rust" => (Some("//"), Some(("/*", "*/"))),
        "sql" => (Some("--"), Some(("/*", "*/"))),
        _ => (None, None),
    }
}

/// `text` with its comments and string literals blanked out, and the contents of the strings.
/// Comments and strings open with ASCII bytes, which never occur inside a multi-byte character:
/// the scan goes byte by byte and copies the code between them whole.
fn split_code(text: &str, (line, block): CommentSyntax) -> (String, Vec<&str>) {
    let bytes = text.as_bytes();
    let first = |s: &str| s.as_bytes()[0];
    let may_open = |b: u8| {
        matches!(b, b'"' | b'\'' | b'`') || line.is_some_and(|l| first(l) == b) || block.is_some_and(|(o, _)| first(o) == b)
    };
    let mut code = String::with_capacity(text.len());
    let mut strings = Vec::new();
    let (mut at, mut code_from) = (0, 0);
    while at < bytes.len() {
        if !may_open(bytes[at]) {
            at += 1;
            continue;
        }
        let rest = &text[at..];
        let comment_end = match (line, block) {
            (Some(l), _) if rest.starts_with(l) => Some("\n"),
            (_, Some((open, close))) if rest.starts_with(open) => Some(close),
            _ => None,
        };
        let quote = bytes[at];
        let after = if let Some(end) = comment_end {
            at + rest[1..].find(end).map_or(rest.len(), |i| i + 1 + end.len())
        } else if matches!(quote, b'"' | b'\'' | b'`') {
            let start = at + 1;
            let mut end = start;
            while let Some(&d) = bytes.get(end).filter(|&&d| d != quote) {
                end += if d == b'\\' { 1 + text[end + 1..].chars().next().map_or(0, char::len_utf8) } else { 1 };
            }
            strings.push(&text[start..end.min(text.len())]);
            (end + 1).min(text.len())
        } else {
            at += 1;
            continue;
        };
        code.push_str(&text[code_from..at]);
        code.push(' ');
        (at, code_from) = (after, after);
    }
    code.push_str(&text[code_from..]);
    (code, strings)
}

/// Languages whose names can reach each other (TSX imports TypeScript).
fn family(path: &Path) -> &'static str {
    match lang::for_path(path).map(|r| r.language()) {
        Some("tsx") => "typescript",
        Some(language) => language,
        None => "",
    }
}

impl Shared {
    /// Turn this file's renames of shared names and values into their origin's verdict.
    /// Each lookup is recorded, none skipped even when nothing is shared: a result kept between
    /// runs holds only while every one gets the same answer.
    pub(super) fn follow(&self, plan: &mut FilePlan, text: &str, cx: &Context<'_>) {
        let family = family(cx.path);
        let imported = Imported::new(text);
        let demoted: Vec<(Range<usize>, Verdict)> = plan
            .findings
            .iter()
            .filter(|f| super::is_name(f.role))
            .filter_map(|f| {
                let Verdict::Rename { to } = &f.verdict else { return None };
                let origin = self.origin_of(f, family, text, &imported)?;
                if origin.at.path == cx.path || super::names_moved_file(cx.project, &f.text) {
                    return None;
                }
                Some((f.range.clone(), origin.verdict(to)))
            })
            .collect();
        plan.demote(demoted);
    }

    /// The shared verdict an occurrence must follow, by where it stands: a string by its whole
    /// value (or, spelling an imported name, by that name), a keyword by the callable it is passed
    /// to, `x.name` by a member of a class the file imports or by a module-level name, and a bare
    /// name only where the file imports it. A name an unplanned file writes is followed by a bare
    /// name or keyword also where the file imports another of its names (an object key of a type
    /// it defines), and by a keyword passed to a callable the file imports. Whether the file
    /// imports a name is asked only of names that are shared.
    fn origin_of(&self, f: &Finding, family: &'static str, text: &str, imported: &Imported<'_>) -> Option<&Origin> {
        let name = || f.text.clone();
        let get = |key: Key| self.origin(&key);
        let named = || get(Key::Name(family, name()));
        // Imported, or written in an unplanned file that this one uses.
        let used = |o: &&Origin, name: &str| imported.contains(name) || (o.unplanned && self.imports_unplanned(&o.at.path, imported));
        match f.role {
            Role::String => {
                let content = literal_around(text, &f.range)?;
                // `__all__ = ["Session"]` names what the module imports.
                let exported = || named().filter(|_| content == f.text && imported.contains(&f.text));
                get(Key::Literal(content.to_owned())).or_else(exported)
            }
            Role::Keyword => {
                let callable = callee_before(text, f.range.start)?;
                let passed = || named().filter(|o| o.unplanned && used(o, callable));
                get(Key::Keyword(family, callable.to_owned(), name())).or_else(passed)
            }
            Role::Attribute => self.member(family, &f.text, imported).or_else(named),
            _ => named().filter(|o| used(o, &f.text)),
        }
    }
}

impl Shared {
    /// Why a member `name` declared or used in `path` must keep its name: it conflicts in another
    /// file of the same language. For rewriters that decide member names themselves (TypeScript
    /// keys and member declarations look like any other name in a plan).
    pub fn member_elsewhere(&self, path: &Path, text: &str, name: &str) -> Option<String> {
        let origin = self.member(family(path), name, &Imported::new(text))?;
        match origin.verdict("") {
            Verdict::Conflict { why, .. } if origin.at.path != path => Some(why),
            _ => None,
        }
    }

    /// The shared verdict of a member `name` of a class, interface or object that `text` imports:
    /// without types, importing the owner is the evidence that its members are used here.
    fn member(&self, family: &'static str, name: &str, imported: &Imported<'_>) -> Option<&Origin> {
        let owners = self.owners_of(family, name)?;
        let imported = owners.iter().filter(|owner| imported.contains(owner));
        let origins = imported.filter_map(|owner| self.origin(&Key::Member(family, owner.clone(), name.to_owned())));
        origins.min_by_key(|o| &o.at)
    }
}

/// What an origin decides by (0 for none), for [`reads::Read::Shared`].
fn origin_hash(origin: Option<&Origin>) -> u64 {
    origin.map_or(0, |o| hash_of(&(&o.finding, &o.at, o.unplanned)))
}

impl Origin {
    /// The verdict of an occurrence elsewhere that must follow this one.
    fn verdict(&self, to: &str) -> Verdict {
        let (name, at) = (&self.finding.text, &self.at);
        match &self.finding.verdict {
            Verdict::Review { why, .. } => Verdict::Review { to: to.to_owned(), why: format!("as at {at}: {why}") },
            Verdict::Conflict { why, suggestion, .. } => Verdict::Conflict {
                to: to.to_owned(),
                why: format!("`{name}` stays at {at} ({why}), and this occurrence must follow it"),
                other: Some(at.clone()),
                suggestion: suggestion.clone(),
            },
            other => other.clone(),
        }
    }
}

/// Whether an import of the file names `name`; see [`imported_names`].
fn imports(text: &str, name: &str) -> bool {
    imported_names(text).contains(name)
}

/// The names the imports of a text name (`from m import name`, `import { name } from`), on one
/// line or across the lines of its brackets.
fn imported_names(text: &str) -> HashSet<&str> {
    let mut inside = false;
    let mut names = HashSet::default();
    for line in text.lines() {
        let code = line.trim_start();
        let starts = code.starts_with("import ") || code.starts_with("from ") || code.starts_with("export ");
        let part_of_import = starts || inside;
        let (opened, closed) = (line.matches(['(', '{']).count(), line.matches([')', '}']).count());
        inside = if starts { opened > closed } else { inside && closed == 0 };
        if part_of_import {
            names.extend(crate::words::tokens(line).into_iter().map(|t| &line[t]));
        }
    }
    names
}

/// [`imported_names`] of a text, gathered on the first question: a file asks only about the
/// names it shares, and may ask about each of its occurrences.
struct Imported<'t> {
    text: &'t str,
    names: std::cell::OnceCell<HashSet<&'t str>>,
}

impl<'t> Imported<'t> {
    fn new(text: &'t str) -> Imported<'t> {
        Imported { text, names: std::cell::OnceCell::new() }
    }

    fn contains(&self, name: &str) -> bool {
        self.names.get_or_init(|| imported_names(self.text)).contains(name)
    }
}

/// The last name of the callee whose argument list holds `at`: `link` in `api.link(x, name=1)`.
fn callee_before(text: &str, at: usize) -> Option<&str> {
    let mut depth = 0usize;
    let open = text[..at].char_indices().rev().find_map(|(i, c)| match c {
        ')' | ']' | '}' => {
            depth += 1;
            None
        }
        '(' | '[' | '{' if depth > 0 => {
            depth -= 1;
            None
        }
        '(' => Some(i),
        _ => None,
    })?;
    let before = text[..open].trim_end();
    let start = before.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
    (start < before.len()).then(|| &before[start..])
}

/// The content of the one-line string literal around `range`: from the nearest quote before it
/// to the same quote after it.
fn literal_around<'t>(text: &'t str, range: &Range<usize>) -> Option<&'t str> {
    let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let open = text[line_start..range.start].rfind(['"', '\'', '`'])? + line_start;
    let quote = &text[open..=open];
    let line_end = text[range.end..].find('\n').map_or(text.len(), |i| range.end + i);
    let close = text[range.end..line_end].find(quote)? + range.end;
    Some(&text[open + 1..close])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reading `split_code` must give: every character in turn.
    fn split_code_char_by_char(text: &str, (line, block): CommentSyntax) -> (String, Vec<&str>) {
        let mut code = String::new();
        let mut strings = Vec::new();
        let mut at = 0;
        while let Some(c) = text[at..].chars().next() {
            let rest = &text[at..];
            let comment_end = match (line, block) {
                (Some(l), _) if rest.starts_with(l) => Some("\n"),
                (_, Some((open, close))) if rest.starts_with(open) => Some(close),
                _ => None,
            };
            if let Some(end) = comment_end {
                at += rest[1..].find(end).map_or(rest.len(), |i| i + 1 + end.len());
                code.push(' ');
            } else if matches!(c, '"' | '\'' | '`') {
                let start = at + 1;
                let mut end = start;
                while let Some(d) = text[end..].chars().next().filter(|&d| d != c) {
                    end += if d == '\\' { 1 + text[end + 1..].chars().next().map_or(0, char::len_utf8) } else { d.len_utf8() };
                }
                strings.push(&text[start..end.min(text.len())]);
                at = (end + 1).min(text.len());
                code.push(' ');
            } else {
                code.push(c);
                at += c.len_utf8();
            }
        }
        (code, strings)
    }

    proptest::proptest! {
        #[test]
        fn split_code_reads_as_char_by_char(
            pieces in proptest::collection::vec(proptest::sample::select(&[
                "a", "session_id", " ", "\n", "\"", "'", "`", "\\", "#", "/", "*", "-", "é", "日本", "/*", "*/", "--", "//",
            ][..]), 0..40),
        ) {
            let text = pieces.concat();
            for syntax in [(Some("#"), None), (Some("//"), Some(("/*", "*/"))), (Some("--"), Some(("/*", "*/"))), (None, None)] {
                proptest::prop_assert_eq!(split_code(&text, syntax), split_code_char_by_char(&text, syntax), "{:?}", syntax);
            }
        }
    }

    #[test]
    fn split_code_blanks_comments_and_collects_strings() {
        let (code, strings) = split_code("x = 'a\\'b' # session\ny = \"日\"", (Some("#"), None));
        assert_eq!(code, "x =    y =  ");
        assert_eq!(strings, ["a\\'b", "日"]);
    }

    #[test]
    fn what_a_file_shares_reads_back_as_written() {
        for path in ["a.py", "a.ts", "a.tsx", "a.sql", "a.rs", "README.md", "Makefile"] {
            let family = family(Path::new(path));
            assert!(FAMILIES.contains(&family), "{path}: {family}");
            let finding = Finding { range: 1..8, text: "Session".into(), role: Role::Identifier, verdict: Verdict::Rename { to: "Trace".into() } };
            let at = Location { path: path.into(), line: 2, column: 3 };
            let origin = |imported| Origin { finding: finding.clone(), at: at.clone(), imported, unplanned: !imported };
            let shares = FileShares(vec![
                (Key::Name(family, "Session".into()), origin(false)),
                (Key::Member(family, "Row".into(), "session_id".into()), origin(true)),
                (Key::Keyword(family, "start".into(), "session_id".into()), origin(false)),
                (Key::Literal("/sessions".into()), origin(true)),
            ]);
            let mut bytes = Vec::new();
            shares.encode(&mut bytes);
            let input = &mut &bytes[..];
            assert_eq!(FileShares::decode(input), Some(shares));
            assert!(input.is_empty());
        }
    }

    #[test]
    fn lookups_are_recorded_and_answered_again_without_the_text() {
        let decided = Finding {
            range: 19..26,
            text: "Session".into(),
            role: Role::Identifier,
            verdict: Verdict::Review { to: "Trace".into(), why: "public API".into() },
        };
        let at = Location { path: "m.py".into(), line: 1, column: 20 };
        let origin = Origin { finding: decided, at, imported: false, unplanned: false };
        let shared = Shared::gather(vec![(0, FileShares(vec![(Key::Name("python", "Session".into()), origin)]))]);
        let occurrence = |range: Range<usize>| Finding {
            range,
            text: "Session".into(),
            role: Role::Identifier,
            verdict: Verdict::Rename { to: "Trace".into() },
        };
        let (found, asked) = reads::capture(|| {
            let text = "from m import Session\nx = Session()\n";
            shared.origin_of(&occurrence(30..37), "python", text, &Imported::new(text)).is_some()
        });
        assert!(found);
        let [reads::Read::Shared { question, answer }] = asked.reads[..] else { panic!("one lookup: {asked:?}") };
        assert_ne!(answer, 0);
        assert_eq!(shared.answer(question), answer, "asked again, the same answer");
        assert_eq!(Shared::default().answer(question), 0, "a run without it answers none");
        // A name the file does not import follows nothing.
        let (found, _) = reads::capture(|| {
            let text = "x = Session()\n";
            shared.origin_of(&occurrence(4..11), "python", text, &Imported::new(text)).is_some()
        });
        assert!(!found);
    }

    #[test]
    fn literal_around_a_word() {
        let text = "x = f(\"/v1/sessions\", 'X-Session-Id')\n";
        let at = |word: &str| text.find(word).unwrap()..text.find(word).unwrap() + word.len();
        assert_eq!(literal_around(text, &at("sessions")), Some("/v1/sessions"));
        assert_eq!(literal_around(text, &at("Session")), Some("X-Session-Id"));
        assert_eq!(literal_around("a = session\n", &(4..11)), None);
    }

    #[test]
    fn clashes_need_the_new_name_or_two_old_ones() {
        let rules = RuleSet::builtin();
        let py = |text: &str| may_clash(Path::new("a.py"), text, &rules);
        assert!(py("def link(session_id, trace_id): pass"));
        assert!(py("x = {'/sessions': 1, '/traces': 2}"));
        assert!(py("x = '# not a comment'; session = trace"));
        assert!(!py("print('the trace of a session')"));
        assert!(!py("SELECT session_id FROM otel_traces"));
        assert!(!py("trace_session_id = 1"));
        assert!(!py("session = 1  # not a trace"));
        let ts = |text: &str| may_clash(Path::new("a.ts"), text, &rules);
        assert!(!ts("/* the traces */ const session = 1; // a trace"));
        assert!(ts("import { trace } from './t'; const session = '//';"));
    }

    #[test]
    fn callee_of_a_keyword() {
        let text = "x = api.link(f(1), [2], session_id=old)";
        assert_eq!(callee_before(text, text.find("session_id").unwrap()), Some("link"));
        assert_eq!(callee_before("session_id = 1", 0), None);
    }

    #[test]
    fn imports_of_a_name() {
        assert!(imports("from m import (a,\n)\nfrom tracekit.models import Session\n", "Session"));
        assert!(imports("import type { ISession } from './models';\n", "ISession"));
        assert!(!imports("x = Session()\n", "Session"));
        assert!(imports("from tracekit.models import (\n    Trace,\n    Session,\n)\n", "Session"));
        assert!(imports("import {\n  ITrace,\n  ISession,\n} from './models';\n", "ISession"));
        assert!(!imports("from m import (\n    a,\n)\nSession = 1\n", "Session"));
    }
}
