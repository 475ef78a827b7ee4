//! RuleSet: load and validate a TOML rule file, expand its terms, answer "what happens to this name".
//!
//! INTERFACE (bodies to be implemented; other modules depend on exactly these signatures).

use std::collections::HashSet;
use std::path::Path;

use crate::plan::KeepReason;
use crate::words::{Renamer, Term};

/// The built-in rule file, compiled into the binary.
pub const BUILTIN: &str = include_str!("../rules/session-to-trace.toml");
pub const BUILTIN_ORIGIN: &str = "rules/session-to-trace.toml (built-in)";

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
}

impl RuleSet {
    pub fn builtin() -> RuleSet {
        todo!()
    }

    /// Read and validate a rule file; `extends = "builtin"` merges it over the built-in rules.
    pub fn from_file(path: &Path) -> Result<RuleSet, RuleError> {
        let _ = path;
        todo!()
    }

    pub fn parse(origin: &str, text: &str) -> Result<RuleSet, RuleError> {
        let _ = (origin, text);
        todo!()
    }

    /// Applied migrations and other history paths: never rewritten (`[keep] paths`).
    pub fn is_history(&self, path: &Path) -> bool {
        let _ = path;
        todo!()
    }

    /// Overrides first, then the keep names, then senses, then the term engine.
    pub fn name_verdict(&self, ident: &str) -> NameVerdict {
        let _ = ident;
        todo!()
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
