//! RuleSet: load and validate a TOML rule file, expand its terms, answer "what happens to this name".
//!
//! # Rule-file format
//!
//! ```toml
//! extends = "builtin"          # optional: merge this file over the built-in rules
//!
//! [[term]]                     # at least one, unless the file extends the built-in rules
//! from = "session"             # one word, ASCII letters (any case; stored lowercase)
//! to = "trace"                 # one word; must not be `from` or its plural, nor another term's `from`
//! # from_plural = "sessions"   # optional, for irregular plurals (default: regular English plural)
//! # to_plural = "traces"
//!
//! [[rename]]                   # whole-identifier override, exact match, wins over everything
//! from = "ISessionAndStats"
//! to = "ITraceAndStats"        # must be final: the term engine must not rename it again
//!
//! [keep]                       # every key optional; default: empty lists, paths = ["**/migrations/**"]
//! python = ["requests.Session", "aiohttp.ClientSession", "pytest.fixture(scope)"]   # module.Name or module.Name(argument)
//! typescript = ["next-auth/react:useSession", "@supabase/supabase-js:Session"]       # package:Name (`default` = default import)
//! globals = ["sessionStorage"] # runtime / DOM globals
//! names = ["session_scope"]    # exact identifiers kept everywhere
//! paths = ["**/migrations/**"] # history: never rewritten (globset syntax; `*` stays inside one
//!                              # path segment, `**` crosses folders; matched with and without a leading ./)
//!
//! [[sense]]                    # any number; qualifier words that give the term another meaning
//! words = ["orm", "db", "http", "auth", "login", "cookie", "checkout"]   # single words, any case
//!
//! [[keep.scoped]]              # names kept only in some places (see the `scope` module)
//! names = ["session*"]         # exact names or globs
//! paths = ["sdk/instrumentation/agno/**"]   # and/or languages = [...], roles = [...]
//!
//! [where]                      # which places change; keys given override the defaults
//! identifiers = true           # default true
//! comments = true              # default true (comments and docstrings)
//! strings = true               # default true (identifier-like string literals: keys, routes, SQL)
//! prose = false                # default false (prose strings are reported for review)
//! routes = false               # default false (Next.js route folders are public URLs: review)
//! persisted = false            # default false (enum values, header names, JWT claims: review)
//!
//! [project]
//! first_party = ["mysdk"]      # default []: packages that are always first-party
//!
//! [sql]                        # SQL dialect by path; default: ClickHouse under a `clickhouse`
//! clickhouse = ["analytics/**"] # folder, else PostgreSQL. `postgres` globs win over `clickhouse`.
//! postgres = []
//! ```
//!
//! `[[rename]]` and `[[sense]]` tables also take `paths`, `languages` and `roles`: with any of
//! them they hold only there ([`RuleSet::scoped`], applied by `crate::scoped`).
//!
//! Unknown keys are errors. Every error is reported as `origin:line:column: message` (1-based, the
//! column counts characters) and points at the offending key, value or list entry.
//!
//! With `extends = "builtin"` the file is merged over [`BUILTIN`]: terms, renames, keep lists,
//! senses and `first_party` are concatenated (a term defined in both is a duplicate-term error);
//! `[where]` keys given in the file override the built-in ones; `[keep] paths` given in either
//! file are concatenated (the default applies only when neither gives `paths`).

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::memo::Shards;
use crate::plan::{KeepReason, Role};
use crate::words::{split, Renamer, Term};

mod scope;

pub use scope::{Action as ScopedAction, Scope, ScopedRule};

/// The built-in rule file, compiled into the binary.
pub const BUILTIN: &str = include_str!("../rules/session-to-trace.toml");
pub const BUILTIN_ORIGIN: &str = "rules/session-to-trace.toml (built-in)";

/// History paths used when no rule file gives `[keep] paths`.
pub const DEFAULT_HISTORY_PATHS: &[&str] = &["**/migrations/**"];

/// A rule-file error with the place it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}:{line}:{column}: {message}")]
pub struct RuleError {
    pub origin: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Which syntactic places change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Where {
    pub identifiers: bool,
    pub comments: bool,
    /// Identifier-like string literals (keys, routes, SQL names).
    pub strings: bool,
    /// Prose strings: reported for review, rewritten only when true.
    pub prose: bool,
    /// Next.js route folders and `pages/` files (public URLs): moved only when true, and then
    /// reported with the redirects they need.
    pub routes: bool,
    /// Values that are stored or sent (enum values, header names, JWT claims): data already
    /// written holds them, so they are reviewed unless this is true.
    pub persisted: bool,
}

impl Where {
    /// Whether the rule file rewrites occurrences in this role. Module paths and file names follow
    /// the files they name, whatever else changes.
    pub fn rewrites(&self, role: Role) -> bool {
        match role {
            Role::Identifier | Role::Attribute | Role::Keyword => self.identifiers,
            Role::Comment | Role::Docstring | Role::Text => self.comments,
            Role::String => self.strings,
            Role::Prose => self.prose,
            Role::Import | Role::Path => true,
        }
    }
}

impl Default for Where {
    fn default() -> Where {
        Where { identifiers: true, comments: true, strings: true, prose: false, routes: false, persisted: false }
    }
}

/// A third-party symbol by module: `requests.Session` -> module `requests`, name `Session`.
/// `pytest.fixture(scope)` also names an argument: the string passed as `scope=` is kept.
/// For TypeScript the entry is written `package:Name` (`next-auth/react:useSession`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ForeignSymbol {
    pub module: String,
    pub name: String,
    pub argument: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Keep {
    /// `[keep] python = [...]`: dotted `module.Name` entries for Python.
    pub python: Vec<ForeignSymbol>,
    /// `[keep] typescript = [...]`: `package:Name` entries for TypeScript/JavaScript.
    pub typescript: Vec<ForeignSymbol>,
    /// Runtime and DOM globals (`sessionStorage`).
    pub globals: HashSet<String>,
    /// Exact identifiers that never change anywhere.
    pub names: HashSet<String>,
    /// The keep lists' names as written out in text, found by a finder built on first use:
    /// (finder, module of each phrase).
    phrases: Memo<OnceLock<(Option<AhoCorasick>, Vec<String>)>>,
}

/// What a rule set learns while it is used. A clone starts empty: a cloned rule set may still be
/// changed or merged with another, and what it learnt would no longer hold.
#[derive(Debug, Default)]
struct Memo<T>(T);

impl<T: Default> Clone for Memo<T> {
    fn clone(&self) -> Memo<T> {
        Memo::default()
    }
}

impl Keep {
    /// Every place in `text` that spells out a kept third-party name (`requests.Session`, an npm
    /// package), with the module it belongs to.
    pub fn phrases_in(&self, text: &str) -> Vec<(Range<usize>, String)> {
        let (finder, modules) = self.phrases.0.get_or_init(|| {
            let mut phrases: Vec<(String, String)> = Vec::new();
            for s in &self.python {
                phrases.push((format!("{}.{}", s.module, s.name), s.module.clone()));
            }
            for s in &self.typescript {
                phrases.push((s.module.clone(), s.module.clone()));
            }
            let finder = AhoCorasick::new(phrases.iter().map(|(p, _)| p)).ok();
            (finder, phrases.into_iter().map(|(_, module)| module).collect())
        });
        let Some(finder) = finder else { return Vec::new() };
        finder.find_overlapping_iter(text).map(|m| (m.range(), modules[m.pattern().as_usize()].clone())).collect()
    }
}

/// What the rule set says about a bare name, before any scope information.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameVerdict {
    /// No term in it: not an occurrence at all.
    Unrelated,
    Rename(String),
    Keep(KeepReason),
}

#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Where the rules came from, for messages.
    pub origin: String,
    pub terms: Vec<Term>,
    pub renamer: Renamer,
    pub keep: Keep,
    /// Qualifier words that give the term another meaning (`orm` in `orm_session`).
    pub senses: HashSet<String>,
    pub places: Where,
    /// Python top-level packages / TS path prefixes that count as first-party besides those found.
    pub first_party: Vec<String>,
    /// `[keep] paths`, as written.
    history_globs: Vec<String>,
    history: GlobSet,
    /// `[sql] clickhouse` and `[sql] postgres`: dialect overrides by path.
    clickhouse: GlobSet,
    postgres: GlobSet,
    /// Keep, rename and sense rules limited to paths, languages or roles, in file order.
    pub scoped: Vec<ScopedRule>,
    /// Verdicts on names that hold a term, reached once per run: the same names recur everywhere.
    verdicts: Memo<Verdicts>,
    /// Tells rule sets apart for cached plans: the rule file's text and origin, and the folder
    /// its scoped paths were anchored from.
    pub fingerprint: u64,
}

/// A memo of [`RuleSet::name_verdict`]. Most names of a run fit in it.
type Verdicts = Shards<String, NameVerdict, { 1 << 14 }>;

impl RuleSet {
    pub fn builtin() -> RuleSet {
        static BUILT: OnceLock<RuleSet> = OnceLock::new();
        BUILT
            .get_or_init(|| RuleSet::parse(BUILTIN_ORIGIN, BUILTIN).unwrap_or_else(|e| panic!("invalid built-in rules: {e}")))
            .clone()
    }

    /// Read and validate a rule file; `extends = "builtin"` merges it over the built-in rules.
    pub fn from_file(path: &Path) -> Result<RuleSet, RuleError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| RuleError {
            origin: origin.clone(),
            line: 1,
            column: 1,
            message: format!("cannot read the rule file: {e}"),
        })?;
        RuleSet::parse(&origin, &text)
    }

    pub fn parse(origin: &str, text: &str) -> Result<RuleSet, RuleError> {
        let layer = Layer::parse(origin, text)?;
        let mut layers = Vec::with_capacity(2);
        if layer.extends {
            let base = Layer::parse(BUILTIN_ORIGIN, BUILTIN)
                .unwrap_or_else(|e| panic!("invalid built-in rules: {e}"));
            layers.push(base);
        }
        layers.push(layer);
        let mut rules = build(origin, layers)?;
        rules.fingerprint = crate::cache::hash_of(&(origin, text, std::env::current_dir().ok()));
        Ok(rules)
    }

    /// Applied migrations and other history paths: never rewritten (`[keep] paths`).
    pub fn is_history(&self, path: &Path) -> bool {
        glob_matches(&self.history, path)
    }

    /// The SQL dialect the rule file gives this path (`[sql] postgres` wins), if any.
    pub fn sql_dialect(&self, path: &Path) -> Option<crate::lang::sql::Dialect> {
        use crate::lang::sql::Dialect;
        if glob_matches(&self.postgres, path) {
            Some(Dialect::Postgres)
        } else if glob_matches(&self.clickhouse, path) {
            Some(Dialect::ClickHouse)
        } else {
            None
        }
    }

    /// The `[keep] paths` globs in effect (defaults included).
    pub fn history_globs(&self) -> &[String] {
        &self.history_globs
    }

    /// Overrides first, then the keep names, then senses, then the term engine. A name with no
    /// term or override key in it is unrelated, whatever the lists say: most names are.
    pub fn name_verdict(&self, ident: &str) -> NameVerdict {
        if !self.renamer.may_contain(ident.as_bytes()) {
            return NameVerdict::Unrelated;
        }
        self.verdicts.0.get_or_make(ident, || self.judge_name(ident))
    }

    fn judge_name(&self, ident: &str) -> NameVerdict {
        if let Some(to) = self.renamer.override_for(ident) {
            if to != ident {
                return NameVerdict::Rename(to.to_owned());
            }
        }
        if self.keep.names.contains(ident) {
            return NameVerdict::Keep(KeepReason::KeepList { entry: ident.to_owned() });
        }
        if self.keep.globals.contains(ident) {
            return NameVerdict::Keep(KeepReason::Global { name: ident.to_owned() });
        }
        let Some(new) = self.renamer.rename(ident) else {
            return NameVerdict::Unrelated;
        };
        if let Some(word) = self.sense_of(ident) {
            return NameVerdict::Keep(KeepReason::Sense { word });
        }
        NameVerdict::Rename(new)
    }

    /// The first word of `ident` (lowercased) that is a sense word, if any.
    pub fn sense_of(&self, ident: &str) -> Option<String> {
        self.renamer.words(ident).into_iter().find(|w| self.senses.contains(w))
    }

    /// The keep-list entry for `module.name` in Python, if any (`requests.Session`).
    pub fn python_keep(&self, module: &str, name: &str) -> Option<&ForeignSymbol> {
        self.keep.python.iter().find(|s| s.argument.is_none() && s.module == module && s.name == name)
    }

    /// Whether the string passed as keyword `argument` to Python `module.name(...)` is kept
    /// (`pytest.fixture(scope="session")`).
    pub fn python_keeps_argument(&self, module: &str, name: &str, argument: &str) -> bool {
        self.keep.python.iter().any(|s| {
            s.module == module && s.name == name && s.argument.as_deref() == Some(argument)
        })
    }
}

fn strip_dot(path: &Path) -> &Path {
    let mut p = path;
    while let Ok(rest) = p.strip_prefix(".") {
        if rest == p {
            break;
        }
        p = rest;
    }
    p
}

// ---------------------------------------------------------------------------------------------
// Raw file (serde)

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    extends: Option<Spanned<String>>,
    #[serde(default)]
    term: Vec<RawTerm>,
    #[serde(default)]
    rename: Vec<RawRename>,
    keep: Option<RawKeep>,
    #[serde(default)]
    sense: Vec<RawSense>,
    #[serde(rename = "where")]
    places: Option<RawWhere>,
    project: Option<RawProject>,
    sql: Option<RawSql>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSql {
    #[serde(default)]
    clickhouse: Vec<Spanned<String>>,
    #[serde(default)]
    postgres: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerm {
    from: Spanned<String>,
    to: Spanned<String>,
    from_plural: Option<Spanned<String>>,
    to_plural: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRename {
    from: Spanned<String>,
    to: Spanned<String>,
    paths: Option<Vec<Spanned<String>>>,
    languages: Option<Vec<Spanned<String>>>,
    roles: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeep {
    #[serde(default)]
    python: Vec<Spanned<String>>,
    #[serde(default)]
    typescript: Vec<Spanned<String>>,
    #[serde(default)]
    globals: Vec<Spanned<String>>,
    #[serde(default)]
    names: Vec<Spanned<String>>,
    paths: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    scoped: Vec<scope::RawScopedKeep>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSense {
    words: Vec<Spanned<String>>,
    paths: Option<Vec<Spanned<String>>>,
    languages: Option<Vec<Spanned<String>>>,
    roles: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct RawWhere {
    identifiers: Option<bool>,
    comments: Option<bool>,
    strings: Option<bool>,
    prose: Option<bool>,
    routes: Option<bool>,
    persisted: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProject {
    #[serde(default)]
    first_party: Vec<Spanned<String>>,
}

// ---------------------------------------------------------------------------------------------
// Positions

/// 1-based line and column (in chars) of byte offset `at` in `text`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..at].chars().count() + 1;
    (line, column)
}

/// The text a layer came from, for turning spans into positions.
#[derive(Clone, Copy)]
struct Source<'a> {
    origin: &'a str,
    text: &'a str,
}

impl Source<'_> {
    fn error(&self, span: &Range<usize>, message: impl Into<String>) -> RuleError {
        let (line, column) = line_col(self.text, span.start);
        RuleError { origin: self.origin.to_owned(), line, column, message: message.into() }
    }

    fn place(&self, span: &Range<usize>) -> String {
        let (line, column) = line_col(self.text, span.start);
        format!("{}:{line}:{column}", self.origin)
    }
}

// ---------------------------------------------------------------------------------------------
// One validated file

struct TermEntry {
    term: Term,
    from_span: Range<usize>,
    to_span: Range<usize>,
}

struct RenameEntry {
    from: String,
    to: String,
    from_span: Range<usize>,
    to_span: Range<usize>,
    /// Where a scoped override holds; `None` everywhere.
    scope: Option<Scope>,
}

struct Layer<'a> {
    source: Source<'a>,
    extends: bool,
    terms: Vec<TermEntry>,
    renames: Vec<RenameEntry>,
    python: Vec<ForeignSymbol>,
    typescript: Vec<ForeignSymbol>,
    globals: Vec<String>,
    names: Vec<String>,
    paths: Option<Vec<String>>,
    /// Sense words, each with the scope of its `[[sense]]` table (`None`: everywhere).
    senses: Vec<(Spanned<String>, Option<Scope>)>,
    /// `[[keep.scoped]]` tables.
    scoped_keeps: Vec<ScopedRule>,
    places: RawWhere,
    first_party: Vec<String>,
    /// `[sql] clickhouse` / `[sql] postgres` globs.
    clickhouse_paths: Vec<String>,
    postgres_paths: Vec<String>,
}

impl<'a> Layer<'a> {
    fn parse(origin: &'a str, text: &'a str) -> Result<Layer<'a>, RuleError> {
        let src = Source { origin, text };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            src.error(&span, explain_toml_error(e.message()))
        })?;

        let extends = match &raw.extends {
            None => false,
            Some(v) if v.get_ref() == "builtin" => true,
            Some(v) => {
                return Err(src.error(
                    &v.span(),
                    format!("expected `extends = \"builtin\"` (the only rules a file can extend), found {:?}", v.get_ref()),
                ))
            }
        };

        let mut terms = Vec::new();
        for t in raw.term {
            let from = term_word(&src, &t.from, "from")?;
            let to = term_word(&src, &t.to, "to")?;
            let from_plural = match &t.from_plural {
                Some(p) => term_word(&src, p, "from_plural")?,
                None => crate::words::plural(&from),
            };
            let to_plural = match &t.to_plural {
                Some(p) => term_word(&src, p, "to_plural")?,
                None => crate::words::plural(&to),
            };
            let term = Term { from, to, from_plural, to_plural };
            let forms = [&term.from, &term.from_plural];
            if forms.contains(&&term.to) {
                return Err(src.error(
                    &t.to.span(),
                    format!(
                        "`to` {:?} is the term itself: expected a different word (renaming must change it and be idempotent)",
                        t.to.get_ref()
                    ),
                ));
            }
            if forms.contains(&&term.to_plural) {
                let span = t.to_plural.as_ref().map_or(t.to.span(), |p| p.span());
                return Err(src.error(
                    &span,
                    format!(
                        "the plural of `to` ({:?}) is a form of `from` ({:?}): renaming would not be idempotent",
                        term.to_plural, term.from
                    ),
                ));
            }
            terms.push(TermEntry { term, from_span: t.from.span(), to_span: t.to.span() });
        }

        let mut renames = Vec::new();
        for r in raw.rename {
            for (v, key) in [(&r.from, "from"), (&r.to, "to")] {
                let s = v.get_ref();
                if s.is_empty() || s.chars().any(char::is_whitespace) {
                    return Err(src.error(
                        &v.span(),
                        format!("`{key}` of a [[rename]]: expected a whole identifier (non-empty, no spaces), found {s:?}"),
                    ));
                }
            }
            if r.from.get_ref() == r.to.get_ref() {
                return Err(src.error(
                    &r.to.span(),
                    format!(
                        "[[rename]] `to` equals `from` ({:?}): expected a different name (use [keep] names to keep an identifier)",
                        r.to.get_ref()
                    ),
                ));
            }
            let raw_scope = scope::RawScope { paths: r.paths, languages: r.languages, roles: r.roles };
            let scope = (!raw_scope.is_empty()).then(|| scope::scope(&src, raw_scope, "[[rename]]")).transpose()?;
            renames.push(RenameEntry {
                from: r.from.get_ref().clone(),
                to: r.to.get_ref().clone(),
                from_span: r.from.span(),
                to_span: r.to.span(),
                scope,
            });
        }

        let mut python = Vec::new();
        let mut typescript = Vec::new();
        let mut globals = Vec::new();
        let mut names = Vec::new();
        let mut paths = None;
        let mut scoped_keeps = Vec::new();
        if let Some(keep) = raw.keep {
            for k in keep.scoped {
                scoped_keeps.push(scope::scoped_keep(&src, k)?);
            }
            for e in &keep.python {
                python.push(parse_python_entry(e.get_ref()).map_err(|m| src.error(&e.span(), m))?);
            }
            for e in &keep.typescript {
                typescript.push(parse_typescript_entry(e.get_ref()).map_err(|m| src.error(&e.span(), m))?);
            }
            for (list, key, out) in [(&keep.globals, "globals", &mut globals), (&keep.names, "names", &mut names)] {
                for e in list {
                    let s = e.get_ref();
                    if s.is_empty() || s.chars().any(char::is_whitespace) {
                        return Err(src.error(
                            &e.span(),
                            format!("[keep] {key}: expected an exact identifier (non-empty, no spaces), found {s:?}"),
                        ));
                    }
                    out.push(s.clone());
                }
            }
            if let Some(list) = keep.paths {
                let mut globs = Vec::new();
                for e in list {
                    build_glob(e.get_ref(), "[keep] paths").map_err(|m| src.error(&e.span(), m))?;
                    globs.push(e.into_inner());
                }
                paths = Some(globs);
            }
        }

        let sql = raw.sql.unwrap_or_default();
        let mut dialect_paths = [Vec::new(), Vec::new()];
        for ((list, key), out) in [(sql.clickhouse, "[sql] clickhouse"), (sql.postgres, "[sql] postgres")].into_iter().zip(&mut dialect_paths) {
            for e in list {
                build_glob(e.get_ref(), key).map_err(|m| src.error(&e.span(), m))?;
                out.push(e.into_inner());
            }
        }
        let [clickhouse_paths, postgres_paths] = dialect_paths;

        let mut senses = Vec::new();
        for s in raw.sense {
            let raw_scope = scope::RawScope { paths: s.paths, languages: s.languages, roles: s.roles };
            let scope = (!raw_scope.is_empty()).then(|| scope::scope(&src, raw_scope, "[[sense]]")).transpose()?;
            for w in s.words {
                let word = w.get_ref();
                let whole_word = matches!(split(word).as_slice(), [r] if *r == (0..word.len()));
                if !whole_word {
                    return Err(src.error(
                        &w.span(),
                        format!("[[sense]] words: expected a single non-empty word (letters or digits, no separators), found {word:?}"),
                    ));
                }
                let span = w.span();
                senses.push((Spanned::new(span, word.to_lowercase()), scope.clone()));
            }
        }

        let mut first_party = Vec::new();
        if let Some(project) = raw.project {
            for e in project.first_party {
                if e.get_ref().trim().is_empty() {
                    return Err(src.error(&e.span(), "[project] first_party: expected a package name, found an empty string"));
                }
                first_party.push(e.into_inner());
            }
        }

        Ok(Layer {
            source: src,
            extends,
            terms,
            renames,
            python,
            typescript,
            globals,
            names,
            paths,
            senses,
            scoped_keeps,
            places: raw.places.unwrap_or_default(),
            first_party,
            clickhouse_paths,
            postgres_paths,
        })
    }
}

/// Make serde's messages say what was expected where they do not already.
fn explain_toml_error(message: &str) -> String {
    let message = message.trim().trim_end_matches('.');
    if let Some(rest) = message.strip_prefix("missing field ") {
        let example = match rest.trim_matches('`') {
            "from" => " (e.g. `from = \"session\"`)",
            "to" => " (e.g. `to = \"trace\"`)",
            "words" => " (e.g. `words = [\"orm\", \"db\"]`)",
            _ => "",
        };
        format!("missing field {rest}: expected it in this table{example}")
    } else {
        message.to_owned()
    }
}

/// A term word: one word of ASCII letters (stored lowercase).
fn term_word(src: &Source<'_>, value: &Spanned<String>, key: &str) -> Result<String, RuleError> {
    let s = value.get_ref();
    let ok = !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphabetic()) && split(s).len() == 1;
    if ok {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(src.error(
            &value.span(),
            format!("[[term]] `{key}`: expected a single word of ASCII letters (like \"session\"), found {s:?}"),
        ))
    }
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_js_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

fn parse_python_entry(entry: &str) -> Result<ForeignSymbol, String> {
    let bad = || {
        format!(
            "[keep] python: expected `dotted.module.Name` or `dotted.module.Name(argument)` with identifier parts, found {entry:?}"
        )
    };
    let (path, argument) = match entry.strip_suffix(')') {
        Some(head) => {
            let (path, arg) = head.split_once('(').ok_or_else(bad)?;
            if !is_ident(arg) {
                return Err(bad());
            }
            (path, Some(arg.to_owned()))
        }
        None => (entry, None),
    };
    let (module, name) = path.rsplit_once('.').ok_or_else(bad)?;
    if !module.split('.').all(is_ident) || !is_ident(name) {
        return Err(bad());
    }
    Ok(ForeignSymbol { module: module.to_owned(), name: name.to_owned(), argument })
}

fn parse_typescript_entry(entry: &str) -> Result<ForeignSymbol, String> {
    let bad = || format!("[keep] typescript: expected `package:Name` (like \"next-auth/react:useSession\"), found {entry:?}");
    let (package, name) = entry.rsplit_once(':').ok_or_else(bad)?;
    let package_ok = !package.is_empty()
        && !package.starts_with('/')
        && !package.ends_with('/')
        && package.chars().all(|c| c.is_ascii_alphanumeric() || "@/._-:~".contains(c));
    if !package_ok || !is_js_ident(name) {
        return Err(bad());
    }
    Ok(ForeignSymbol { module: package.to_owned(), name: name.to_owned(), argument: None })
}

fn build_glob(pattern: &str, key: &str) -> Result<globset::Glob, String> {
    if pattern.is_empty() {
        return Err(format!("{key}: expected a glob (like \"**/migrations/**\"), found an empty string"));
    }
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("{key}: expected a valid glob (like \"**/migrations/**\"): {}", e.kind()))
}

/// Compile globs that were validated while their layer was read.
fn glob_set(globs: &[String], key: &str, last: Source<'_>) -> Result<GlobSet, RuleError> {
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        builder.add(build_glob(g, key).map_err(|m| last.error(&(0..0), m))?);
    }
    builder.build().map_err(|e| last.error(&(0..0), format!("{key}: {e}")))
}

/// A glob match on the path as given, without a leading `./`, and with one.
fn glob_matches(set: &GlobSet, path: &Path) -> bool {
    if set.is_empty() {
        return false;
    }
    let bare = strip_dot(path);
    set.is_match(path) || set.is_match(bare) || set.is_match(Path::new(".").join(bare))
}

// ---------------------------------------------------------------------------------------------
// Merge and cross-entry checks

fn build(origin: &str, layers: Vec<Layer<'_>>) -> Result<RuleSet, RuleError> {
    let last = layers.last().expect("at least one layer").source;

    // Terms: no duplicates, and no term's replacement is another term (renaming must be idempotent).
    let mut seen: Vec<(&TermEntry, Source<'_>)> = Vec::new();
    for layer in &layers {
        for entry in &layer.terms {
            let src = layer.source;
            let t = &entry.term;
            for (prev, prev_src) in &seen {
                let p = &prev.term;
                let p_forms = [&p.from, &p.from_plural];
                if p_forms.contains(&&t.from) || p_forms.contains(&&t.from_plural) || [&t.from, &t.from_plural].contains(&&p.from) {
                    return Err(src.error(
                        &entry.from_span,
                        format!("duplicate term {:?}: already defined at {}", t.from, prev_src.place(&prev.from_span)),
                    ));
                }
                if p_forms.contains(&&t.to) || p_forms.contains(&&t.to_plural) {
                    return Err(src.error(
                        &entry.to_span,
                        format!(
                            "`to` {:?} is itself a retired term (defined at {}): renaming would not be idempotent",
                            t.to,
                            prev_src.place(&prev.from_span)
                        ),
                    ));
                }
                if [&t.from, &t.from_plural].contains(&&p.to) || [&t.from, &t.from_plural].contains(&&p.to_plural) {
                    return Err(src.error(
                        &entry.from_span,
                        format!(
                            "`from` {:?} is the replacement of another term (at {}): renaming would not be idempotent",
                            t.from,
                            prev_src.place(&prev.to_span)
                        ),
                    ));
                }
            }
            seen.push((entry, src));
        }
    }
    let terms: Vec<Term> = seen.iter().map(|(e, _)| e.term.clone()).collect();
    if terms.is_empty() {
        return Err(last.error(
            &(0..0),
            "expected at least one [[term]] (from = \"...\", to = \"...\") or `extends = \"builtin\"`",
        ));
    }

    // Overrides: one per identifier, and final (the engine must not rename the target again).
    let mut overrides: Vec<(String, String)> = Vec::new();
    let mut override_at: HashMap<&str, (Source<'_>, &Range<usize>)> = HashMap::new();
    for layer in &layers {
        for r in layer.renames.iter().filter(|r| r.scope.is_none()) {
            if let Some((prev_src, span)) = override_at.get(r.from.as_str()) {
                return Err(layer.source.error(
                    &r.from_span,
                    format!("duplicate [[rename]] of {:?}: already renamed at {}", r.from, prev_src.place(span)),
                ));
            }
            override_at.insert(&r.from, (layer.source, &r.from_span));
            overrides.push((r.from.clone(), r.to.clone()));
        }
    }
    let renamer = Renamer::new(terms.clone(), overrides);
    for layer in &layers {
        for r in &layer.renames {
            if let Some(again) = renamer.rename(&r.to) {
                return Err(layer.source.error(
                    &r.to_span,
                    format!(
                        "[[rename]] `to` {:?} would itself be renamed to {again:?}: expected the final name (renaming must be idempotent)",
                        r.to
                    ),
                ));
            }
        }
    }

    // Senses: a sense word that is a term form would keep every occurrence.
    let mut senses = HashSet::new();
    let mut scoped = Vec::new();
    for layer in &layers {
        for (s, scope) in &layer.senses {
            let w = s.get_ref();
            if terms.iter().any(|t| &t.from == w || &t.from_plural == w) {
                return Err(layer.source.error(
                    &s.span(),
                    format!("[[sense]] words: {w:?} is a retired term; expected a qualifier word (like \"orm\")"),
                ));
            }
            match scope {
                None => {
                    senses.insert(w.clone());
                }
                Some(scope) => {
                    scoped.push(ScopedRule { scope: scope.clone(), action: ScopedAction::Sense(vec![w.clone()]) });
                }
            }
        }
        scoped.extend(layer.scoped_keeps.iter().cloned());
        for r in &layer.renames {
            if let Some(scope) = &r.scope {
                let action = ScopedAction::Rename { from: r.from.clone(), to: r.to.clone() };
                scoped.push(ScopedRule { scope: scope.clone(), action });
            }
        }
    }

    let mut keep = Keep::default();
    let mut places = Where::default();
    let mut first_party = Vec::new();
    let mut history_globs: Option<Vec<String>> = None;
    let (mut clickhouse_paths, mut postgres_paths) = (Vec::new(), Vec::new());
    for layer in layers {
        clickhouse_paths.extend(layer.clickhouse_paths);
        postgres_paths.extend(layer.postgres_paths);
        keep.python.extend(layer.python);
        keep.typescript.extend(layer.typescript);
        keep.globals.extend(layer.globals);
        keep.names.extend(layer.names);
        if let Some(paths) = layer.paths {
            history_globs.get_or_insert_with(Vec::new).extend(paths);
        }
        let w = layer.places;
        places.identifiers = w.identifiers.unwrap_or(places.identifiers);
        places.comments = w.comments.unwrap_or(places.comments);
        places.strings = w.strings.unwrap_or(places.strings);
        places.prose = w.prose.unwrap_or(places.prose);
        places.routes = w.routes.unwrap_or(places.routes);
        places.persisted = w.persisted.unwrap_or(places.persisted);
        first_party.extend(layer.first_party);
    }
    let history_globs =
        history_globs.unwrap_or_else(|| DEFAULT_HISTORY_PATHS.iter().map(|s| (*s).to_owned()).collect());
    let history = glob_set(&history_globs, "[keep] paths", last)?;
    let clickhouse = glob_set(&clickhouse_paths, "[sql] clickhouse", last)?;
    let postgres = glob_set(&postgres_paths, "[sql] postgres", last)?;

    Ok(RuleSet {
        origin: origin.to_owned(),
        terms,
        renamer,
        keep,
        senses,
        places,
        first_party,
        history_globs,
        history,
        clickhouse,
        postgres,
        scoped,
        verdicts: Memo::default(),
        fingerprint: 0,
    })
}


#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "[[term]]\nfrom = \"session\"\nto = \"trace\"\n";

    /// Parse `text` and return the error as `line:column: message`.
    fn err(text: &str) -> String {
        match RuleSet::parse("t.toml", text) {
            Ok(_) => panic!("expected an error for:\n{text}"),
            Err(e) => {
                assert_eq!(e.origin, "t.toml");
                format!("{}:{}: {}", e.line, e.column, e.message)
            }
        }
    }

    fn assert_err(text: &str, at: &str, fragment: &str) {
        let e = err(text);
        assert!(e.starts_with(&format!("{at}: ")), "expected {at}, got {e}");
        assert!(e.contains(fragment), "expected {fragment:?} in {e}");
    }

    fn with_head(rest: &str) -> String {
        format!("{HEAD}{rest}")
    }

    #[test]
    fn builtin_loads() {
        let r = RuleSet::builtin();
        assert_eq!(r.origin, BUILTIN_ORIGIN);
        assert_eq!(r.terms, vec![Term::new("session", "trace")]);
        assert_eq!(r.places, Where::default());
        assert!(r.python_keep("requests", "Session").is_some());
        assert!(r.python_keep("sqlalchemy.orm", "sessionmaker").is_some());
        assert!(r.python_keep("pytest", "fixture").is_none());
        assert!(r.python_keeps_argument("pytest", "fixture", "scope"));
        assert!(r.keep.typescript.contains(&ForeignSymbol {
            module: "next-auth/react".into(),
            name: "useSession".into(),
            argument: None
        }));
        assert!(r.keep.typescript.iter().any(|s| s.module == "express-session" && s.name == "default"));
        assert!(r.keep.globals.contains("sessionStorage"));
        for w in ["orm", "db", "http", "client", "auth", "user", "checkout", "pytest"] {
            assert!(r.senses.contains(w), "{w}");
        }
        assert_eq!(r.history_globs(), ["**/migrations/**"]);
        // Every keep entry of the built-in file really names the term.
        for s in r.keep.python.iter().chain(&r.keep.typescript) {
            let named = r.renamer.may_contain(s.name.as_bytes())
                || r.renamer.may_contain(s.module.as_bytes())
                || s.argument.is_some();
            assert!(named, "{s:?}");
        }
    }

    #[test]
    fn name_verdicts() {
        let r = RuleSet::builtin();
        assert_eq!(r.name_verdict("orm_session"), NameVerdict::Keep(KeepReason::Sense { word: "orm".into() }));
        assert_eq!(r.name_verdict("HTTPSessionID"), NameVerdict::Keep(KeepReason::Sense { word: "http".into() }));
        assert_eq!(r.name_verdict("client_session"), NameVerdict::Keep(KeepReason::Sense { word: "client".into() }));
        assert_eq!(r.name_verdict("session_id"), NameVerdict::Rename("trace_id".into()));
        assert_eq!(r.name_verdict("ISessionAndStats"), NameVerdict::Rename("ITraceAndStats".into()));
        assert_eq!(r.name_verdict("IExtendedSession"), NameVerdict::Rename("IExtendedTrace".into()));
        assert_eq!(
            r.name_verdict("sessionStorage"),
            NameVerdict::Keep(KeepReason::Global { name: "sessionStorage".into() })
        );
        assert_eq!(r.name_verdict("user_id"), NameVerdict::Unrelated);
        assert_eq!(r.name_verdict("possession"), NameVerdict::Unrelated);
        assert_eq!(r.name_verdict("trace_id"), NameVerdict::Unrelated);

        let custom = RuleSet::parse(
            "t.toml",
            &with_head(
                "[[rename]]\nfrom = \"orm_session\"\nto = \"orm_trace\"\n\
                 [[rename]]\nfrom = \"ISessionAndStats\"\nto = \"ITraceWithStats\"\n\
                 [keep]\nnames = [\"session_scope\"]\n[[sense]]\nwords = [\"ORM\"]\n",
            ),
        )
        .unwrap();
        // Overrides win over senses and keep lists.
        assert_eq!(custom.name_verdict("orm_session"), NameVerdict::Rename("orm_trace".into()));
        assert_eq!(custom.name_verdict("ISessionAndStats"), NameVerdict::Rename("ITraceWithStats".into()));
        assert_eq!(custom.name_verdict("orm_sessions"), NameVerdict::Keep(KeepReason::Sense { word: "orm".into() }));
        assert_eq!(
            custom.name_verdict("session_scope"),
            NameVerdict::Keep(KeepReason::KeepList { entry: "session_scope".into() })
        );
        assert_eq!(custom.name_verdict("sessionStorage"), NameVerdict::Rename("traceStorage".into()));
    }

    #[test]
    fn where_defaults_and_overrides() {
        let r = RuleSet::parse("t.toml", HEAD).unwrap();
        assert_eq!(r.places, Where { prose: false, ..Where::default() });
        let r = RuleSet::parse("t.toml", &with_head("[where]\nprose = true\ncomments = false\n")).unwrap();
        assert_eq!(r.places, Where { comments: false, prose: true, ..Where::default() });
        assert!(r.senses.is_empty());
        assert!(r.keep.python.is_empty());
    }

    #[test]
    fn irregular_plural_terms() {
        let r = RuleSet::parse(
            "t.toml",
            "[[term]]\nfrom = \"Person\"\nto = \"user\"\nfrom_plural = \"people\"\nto_plural = \"users\"\n",
        )
        .unwrap();
        assert_eq!(r.terms[0], Term::with_plurals("person", "user", "people", "users"));
        assert_eq!(r.name_verdict("PEOPLE_COUNT"), NameVerdict::Rename("USERS_COUNT".into()));
    }

    #[test]
    fn extends_merges_over_builtin() {
        let text = "extends = \"builtin\"\n\
                    [[term]]\nfrom = \"run\"\nto = \"job\"\n\
                    [keep]\npython = [\"flask.sessions\"]\nnames = [\"session_scope\"]\npaths = [\"legacy/**\"]\n\
                    [[sense]]\nwords = [\"flask\"]\n\
                    [where]\nprose = true\n\
                    [project]\nfirst_party = [\"mysdk\"]\n";
        let r = RuleSet::parse("project.toml", text).unwrap();
        assert_eq!(r.origin, "project.toml");
        assert_eq!(r.terms, vec![Term::new("session", "trace"), Term::new("run", "job")]);
        assert!(r.python_keep("requests", "Session").is_some());
        assert!(r.python_keep("flask", "sessions").is_some());
        assert!(r.keep.globals.contains("sessionStorage"));
        assert!(r.keep.names.contains("session_scope"));
        assert!(r.senses.contains("orm") && r.senses.contains("flask"));
        assert_eq!(r.places, Where { prose: true, ..Where::default() });
        assert_eq!(r.first_party, ["mysdk"]);
        assert_eq!(r.history_globs(), ["**/migrations/**", "legacy/**"]);
        assert!(r.is_history(Path::new("supabase/migrations/0001_x.sql")));
        assert!(r.is_history(Path::new("legacy/old.sql")));
        assert_eq!(r.name_verdict("get_runs"), NameVerdict::Rename("get_jobs".into()));
        assert_eq!(r.name_verdict("flask_session"), NameVerdict::Keep(KeepReason::Sense { word: "flask".into() }));

        // A file that extends the built-in rules needs no term of its own.
        let r = RuleSet::parse("p.toml", "extends = \"builtin\"\n").unwrap();
        assert_eq!(r.terms.len(), 1);
    }

    #[test]
    fn sql_dialect_by_glob() {
        use crate::lang::sql::Dialect;
        let r = RuleSet::parse(
            "t.toml",
            &with_head("[sql]\nclickhouse = [\"analytics/**\"]\npostgres = [\"analytics/pg/**\"]\n"),
        )
        .unwrap();
        assert_eq!(r.sql_dialect(Path::new("analytics/q.sql")), Some(Dialect::ClickHouse));
        assert_eq!(r.sql_dialect(Path::new("./analytics/pg/q.sql")), Some(Dialect::Postgres));
        assert_eq!(r.sql_dialect(Path::new("db/q.sql")), None);
        assert_err(&with_head("[sql]\nclickhouse = [\"a/{b\"]\n"), "5:15", "[sql] clickhouse: expected a valid glob");
        assert_err(&with_head("[sql]\nmysql = []\n"), "5:1", "unknown field `mysql`");
    }

    #[test]
    fn history_paths() {
        let r = RuleSet::builtin();
        for p in [
            "supabase/migrations/0001_x.sql",
            "./supabase/migrations/x.sql",
            "migrations/x.sql",
            "/abs/app/supabase/migrations/x.sql",
            "api/db/migrations/versions/abc.py",
        ] {
            assert!(r.is_history(Path::new(p)), "{p}");
        }
        for p in ["supabase/functions/x.ts", "src/migrations.py", "migrations", "./src/session.py"] {
            assert!(!r.is_history(Path::new(p)), "{p}");
        }
        let r = RuleSet::parse("t.toml", &with_head("[keep]\npaths = [\"./legacy/*.sql\", \"db/*.sql\"]\n")).unwrap();
        assert!(r.is_history(Path::new("legacy/a.sql")));
        assert!(r.is_history(Path::new("./legacy/a.sql")));
        assert!(r.is_history(Path::new("./db/a.sql")));
        assert!(!r.is_history(Path::new("db/sub/a.sql")), "`*` stays inside one segment");
        assert!(!r.is_history(Path::new("supabase/migrations/0001_x.sql")), "paths replace the default");
        let r = RuleSet::parse("t.toml", &with_head("[keep]\npaths = []\n")).unwrap();
        assert!(!r.is_history(Path::new("supabase/migrations/0001_x.sql")));
    }

    #[test]
    fn error_toml_syntax() {
        assert_err("[[term]]\nfrom = \"session\nto = \"trace\"\n", "2:16", "invalid basic string");
        assert_err("[[term]\n", "1:8", "unclosed array table, expected `]`");
    }

    #[test]
    fn error_unknown_keys() {
        assert_err(&with_head("bogus = 1\n"), "4:1", "unknown field `bogus`, expected one of `from`, `to`");
        assert_err(&with_head("[foo]\n"), "4:2", "unknown field `foo`, expected one of `extends`, `term`");
        assert_err(&with_head("[where]\n  identifers = true\n"), "5:3", "unknown field `identifers`, expected one of `identifiers`");
        assert_err(&with_head("[keep]\npyton = []\n"), "5:1", "unknown field `pyton`");
        assert_err(&with_head("[[sense]]\nwords = [\"orm\"]\nscope = \"x\"\n"), "6:1", "unknown field `scope`");
    }

    #[test]
    fn error_missing_to() {
        assert_err("[[term]]\nfrom = \"session\"\n", "1:1", "missing field `to`");
        assert_err(&with_head("\n[[term]]\nfrom = \"run\"\n"), "5:1", "missing field `to`");
        assert_err(&with_head("[[sense]]\n"), "4:1", "missing field `words`");
    }

    #[test]
    fn error_wrong_types() {
        assert_err("[[term]]\nfrom = 3\nto = \"trace\"\n", "2:8", "invalid type: integer `3`, expected a string");
        assert_err(&with_head("[where]\nprose = \"yes\"\n"), "5:9", "expected a boolean");
        assert_err(&with_head("[keep]\nglobals = \"x\"\n"), "5:11", "expected a sequence");
        // Columns count characters, not bytes.
        assert_err(&with_head("[keep]\nnames = [\"ééé\", 3]\n"), "5:17", "expected a string");
    }

    #[test]
    fn error_term_not_one_word() {
        assert_err("[[term]]\nfrom = \"session\"\nto = \"trace_id\"\n", "3:6", "[[term]] `to`: expected a single word");
        assert_err("[[term]]\nfrom = \"SeSSion\"\nto = \"trace\"\n", "2:8", "[[term]] `from`: expected a single word");
        assert_err("[[term]]\nfrom = \"\"\nto = \"trace\"\n", "2:8", "found \"\"");
        assert_err("[[term]]\nfrom = \"session\"\nto = \"trace2\"\n", "3:6", "ASCII letters");
        assert_err("[[term]]\nfrom = \"séssion\"\nto = \"trace\"\n", "2:8", "ASCII letters");
        assert_err(&with_head("from_plural = \"session s\"\n"), "4:15", "`from_plural`");
    }

    #[test]
    fn error_duplicate_term() {
        assert_err(&with_head("[[term]]\nfrom = \"Session\"\nto = \"span\"\n"), "5:8", "duplicate term \"session\": already defined at t.toml:2:8");
        assert_err(&with_head("[[term]]\nfrom = \"sessions\"\nto = \"spans\"\n"), "5:8", "duplicate term");
        let e = RuleSet::parse("p.toml", "extends = \"builtin\"\n[[term]]\nfrom = \"session\"\nto = \"span\"\n").unwrap_err();
        assert_eq!((e.origin.as_str(), e.line, e.column), ("p.toml", 3, 8));
        assert!(e.message.contains(&format!("already defined at {BUILTIN_ORIGIN}:")), "{e}");
    }

    #[test]
    fn error_not_idempotent() {
        assert_err("[[term]]\nfrom = \"session\"\nto = \"session\"\n", "3:6", "is the term itself");
        assert_err("[[term]]\nfrom = \"session\"\nto = \"SESSIONS\"\n", "3:6", "is the term itself");
        assert_err(
            "[[term]]\nfrom = \"data\"\nto = \"datum\"\nto_plural = \"data\"\n",
            "4:13",
            "would not be idempotent",
        );
        // A chain session -> trace -> span, in either order.
        assert_err(&with_head("[[term]]\nfrom = \"trace\"\nto = \"span\"\n"), "5:8", "is the replacement of another term (at t.toml:3:6)");
        assert_err(
            "[[term]]\nfrom = \"trace\"\nto = \"span\"\n[[term]]\nfrom = \"session\"\nto = \"trace\"\n",
            "6:6",
            "is itself a retired term",
        );
    }

    #[test]
    fn error_renames() {
        assert_err(&with_head("[[rename]]\nfrom = \"Foo\"\nto = \"SessionFoo\"\n"), "6:6", "would itself be renamed to \"TraceFoo\"");
        assert_err(&with_head("[[rename]]\nfrom = \"Foo\"\nto = \"Foo\"\n"), "6:6", "`to` equals `from`");
        assert_err(&with_head("[[rename]]\nfrom = \"\"\nto = \"Foo\"\n"), "5:8", "expected a whole identifier");
        assert_err(&with_head("[[rename]]\nfrom = \"Foo\"\n"), "4:1", "missing field `to`");
        assert_err(
            &with_head("[[rename]]\nfrom = \"Foo\"\nto = \"Bar\"\n[[rename]]\nfrom = \"Foo\"\nto = \"Baz\"\n"),
            "8:8",
            "duplicate [[rename]] of \"Foo\": already renamed at t.toml:5:8",
        );
    }

    #[test]
    fn error_malformed_keep_entries() {
        let py = |entry: &str| with_head(&format!("[keep]\npython = [\"requests.Session\", \"{entry}\"]\n"));
        for bad in ["requests", "requests.Session(", "requests..Session", "pytest.fixture(scope=x)", "a.b(c)d", "1x.Session", ".Session"] {
            assert_err(&py(bad), "5:31", "[keep] python: expected `dotted.module.Name` or `dotted.module.Name(argument)`");
        }
        let ts = |entry: &str| with_head(&format!("[keep]\ntypescript = [\"{entry}\"]\n"));
        for bad in ["next-auth", "next-auth:use-session", ":Session", "next-auth:", "next auth:Session"] {
            assert_err(&ts(bad), "5:15", "[keep] typescript: expected `package:Name`");
        }
        assert_err(&with_head("[keep]\nglobals = [\"\"]\n"), "5:12", "[keep] globals: expected an exact identifier");
        assert_err(&with_head("[keep]\nnames = [\"a b\"]\n"), "5:10", "[keep] names: expected an exact identifier");

        let ok = RuleSet::parse(
            "t.toml",
            &with_head("[keep]\npython = [\"a.b.C(arg)\", \"x.y\"]\ntypescript = [\"@scope/pkg/sub:Name\", \"node:http2:Http2Session\", \"x:$y\"]\n"),
        )
        .unwrap();
        assert_eq!(
            ok.keep.python,
            [
                ForeignSymbol { module: "a.b".into(), name: "C".into(), argument: Some("arg".into()) },
                ForeignSymbol { module: "x".into(), name: "y".into(), argument: None },
            ]
        );
        assert_eq!(ok.keep.typescript[0].module, "@scope/pkg/sub");
        assert_eq!(ok.keep.typescript[1].module, "node:http2");
        assert_eq!(ok.keep.typescript[1].name, "Http2Session");
    }

    #[test]
    fn error_invalid_glob() {
        assert_err(&with_head("[keep]\npaths = [\"ok/**\", \"a/{b\"]\n"), "5:19", "[keep] paths: expected a valid glob");
        assert_err(&with_head("[keep]\npaths = [\"\"]\n"), "5:10", "[keep] paths: expected a glob");
    }

    #[test]
    fn error_sense_words() {
        assert_err(&with_head("[[sense]]\nwords = [\"orm\", \"\"]\n"), "5:17", "expected a single non-empty word");
        assert_err(&with_head("[[sense]]\nwords = [\"orm_db\"]\n"), "5:10", "expected a single non-empty word");
        assert_err(&with_head("[[sense]]\nwords = [\"Sessions\"]\n"), "5:10", "is a retired term");
    }

    #[test]
    fn error_extends() {
        assert_err(&format!("extends = \"default\"\n{HEAD}"), "1:11", "expected `extends = \"builtin\"`");
        assert_err(&format!("extends = true\n{HEAD}"), "1:11", "expected a string");
    }

    #[test]
    fn error_no_terms() {
        assert_err("", "1:1", "expected at least one [[term]]");
        assert_err("[where]\nprose = true\n", "1:1", "expected at least one [[term]]");
    }

    #[test]
    fn error_project() {
        assert_err(&with_head("[project]\nfirst_party = [\" \"]\n"), "5:16", "expected a package name");
    }

    #[test]
    fn from_file_errors_and_reads() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.toml");
        let e = RuleSet::from_file(&missing).unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        assert_eq!(e.origin, missing.display().to_string());
        assert!(e.message.starts_with("cannot read the rule file: "), "{e}");

        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, with_head("\n[[term]]\nfrom = \"a b\"\nto = \"x\"\n")).unwrap();
        let e = RuleSet::from_file(&bad).unwrap_err();
        assert_eq!(e.to_string(), format!("{}:6:8: [[term]] `from`: expected a single word of ASCII letters (like \"session\"), found \"a b\"", bad.display()));

        let good = dir.path().join("good.toml");
        std::fs::write(&good, "extends = \"builtin\"\n[where]\nstrings = false\n").unwrap();
        let r = RuleSet::from_file(&good).unwrap();
        assert_eq!(r.origin, good.display().to_string());
        assert!(!r.places.strings);
    }

    #[test]
    fn line_columns() {
        assert_eq!(line_col("abc", 0), (1, 1));
        assert_eq!(line_col("abc\ndé f", 7), (2, 3));
        assert_eq!(line_col("a\r\nb", 3), (2, 1));
        assert_eq!(line_col("ab", 99), (1, 3));
    }
}
