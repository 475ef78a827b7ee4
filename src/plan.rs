//! What a run decided: per-file edits and findings, plus file moves.
//! Diff, apply, check and JSON output are all renderings of a [`Plan`].

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use serde::Serialize;

use crate::edit::Edit;

/// The syntactic place an occurrence stands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A name that is defined or used: class, function, parameter, variable.
    Identifier,
    /// `obj.name`
    Attribute,
    /// `f(name=...)`
    Keyword,
    /// A module path in an import.
    Import,
    Comment,
    Docstring,
    /// An identifier-like string literal: a key, a route, a column name.
    String,
    /// A string literal of prose meant for people ("Session started").
    Prose,
    /// A file or folder name.
    Path,
    /// A word in a docs or config file (Markdown, YAML, JSON, ...).
    Text,
}

impl Role {
    /// Every role, in declaration order (a new role goes here too).
    pub const ALL: [Role; 10] = [
        Role::Identifier,
        Role::Attribute,
        Role::Keyword,
        Role::Import,
        Role::Comment,
        Role::Docstring,
        Role::String,
        Role::Prose,
        Role::Path,
        Role::Text,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Identifier => "identifier",
            Role::Attribute => "attribute",
            Role::Keyword => "keyword",
            Role::Import => "import",
            Role::Comment => "comment",
            Role::Docstring => "docstring",
            Role::String => "string",
            Role::Prose => "prose",
            Role::Path => "path",
            Role::Text => "text",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an occurrence is left as it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum KeepReason {
    /// Bound to a third-party module: `requests.Session`, a keyword of a foreign call.
    Foreign { module: String },
    /// Named in the rule file's keep list.
    KeepList { entry: String },
    /// A runtime or DOM global such as `sessionStorage`.
    Global { name: String },
    /// A qualifier word gives the term another meaning (`orm_session`).
    Sense { word: String },
    /// The file is history (an applied migration) and is never rewritten.
    History,
    /// The rule file does not rewrite this role (e.g. prose).
    NotRewritten,
    /// Between `retrace: off` and `retrace: on` comments (hand-kept code, compatibility shims).
    Off,
}

impl KeepReason {
    /// The reason's kind as JSON spells it (`foreign`, `keep-list`, `sense`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            KeepReason::Foreign { .. } => "foreign",
            KeepReason::KeepList { .. } => "keep-list",
            KeepReason::Global { .. } => "global",
            KeepReason::Sense { .. } => "sense",
            KeepReason::History => "history",
            KeepReason::NotRewritten => "not-rewritten",
            KeepReason::Off => "off",
        }
    }
}

impl fmt::Display for KeepReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeepReason::Foreign { module } => write!(f, "foreign: belongs to `{module}`"),
            KeepReason::KeepList { entry } => write!(f, "keep list: `{entry}`"),
            KeepReason::Global { name } => write!(f, "global `{name}`"),
            KeepReason::Sense { word } => write!(f, "sense: `{word}` gives it another meaning"),
            KeepReason::History => f.write_str("history: applied migrations are never rewritten"),
            KeepReason::NotRewritten => f.write_str("not rewritten by the rule file's [where] settings"),
            KeepReason::Off => f.write_str("inside a `retrace: off` region"),
        }
    }
}

/// What happens to one occurrence of a retired term.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    /// Safe: an edit carries the new spelling.
    Rename { to: String },
    /// Shown for a person to decide; not applied unless the rule file asks.
    Review { to: String, why: String },
    /// Stays, for the reason given.
    Keep { reason: KeepReason },
    /// The rename would clash with another name; left unchanged. `suggestion` says how to
    /// resolve it (another name, a deleted alias, a rule-file override).
    Conflict {
        to: String,
        why: String,
        other: Option<Location>,
        #[serde(skip_serializing_if = "Option::is_none")]
        suggestion: Option<String>,
    },
}

impl Verdict {
    /// The new spelling it proposes, kept or not.
    pub fn to(&self) -> Option<&str> {
        match self {
            Verdict::Rename { to } | Verdict::Review { to, .. } | Verdict::Conflict { to, .. } => Some(to),
            Verdict::Keep { .. } => None,
        }
    }

    pub fn name(&self) -> &'static str {
        Verdict::NAMES[match self {
            Verdict::Rename { .. } => 0,
            Verdict::Review { .. } => 1,
            Verdict::Keep { .. } => 2,
            Verdict::Conflict { .. } => 3,
        }]
    }

    /// Every verdict's [`Verdict::name`].
    pub const NAMES: [&'static str; 4] = ["rename", "review", "keep", "conflict"];
}

/// A place in a file, 1-based line and column (columns count chars).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// One occurrence of a retired term, as a rewriter sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Finding {
    /// Byte range of the occurrence (the whole identifier, or the word in text).
    pub range: Range<usize>,
    /// The occurrence's text.
    pub text: String,
    pub role: Role,
    pub verdict: Verdict,
}

/// Everything a rewriter says about one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilePlan {
    pub edits: Vec<Edit>,
    pub findings: Vec<Finding>,
    /// Verdicts that hold beyond this file (see [`Share`]).
    pub shares: Vec<Share>,
}

/// A verdict other files must follow, named by the start of the finding that carries it: a
/// conflicting name other modules reach, or a string value that stays (a route, a persisted value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Share {
    /// A module-level definition: its imports and `module.name` elsewhere follow.
    Name { name: String, at: usize },
    /// A member of the class, interface or object named `owner`: in files that import `owner`,
    /// member accesses and keys follow.
    Member { owner: String, name: String, at: usize },
    /// A parameter of `callable`: keyword arguments passed to it elsewhere follow.
    Keyword { callable: String, name: String, at: usize },
    /// The whole content of a string literal.
    Literal { content: String, at: usize },
}

impl FilePlan {
    /// Record a safe rename: the finding and its edit together.
    pub fn rename(&mut self, range: Range<usize>, text: &str, role: Role, to: String) {
        self.edits.push(Edit::new(range.clone(), to.clone()));
        self.findings.push(Finding { range, text: text.to_owned(), role, verdict: Verdict::Rename { to } });
    }

    pub fn keep(&mut self, range: Range<usize>, text: &str, role: Role, reason: KeepReason) {
        self.findings.push(Finding { range, text: text.to_owned(), role, verdict: Verdict::Keep { reason } });
    }

    pub fn review(&mut self, range: Range<usize>, text: &str, role: Role, to: String, why: impl Into<String>) {
        self.findings.push(Finding {
            range,
            text: text.to_owned(),
            role,
            verdict: Verdict::Review { to, why: why.into() },
        });
    }

    pub fn conflict(
        &mut self,
        range: Range<usize>,
        text: &str,
        role: Role,
        to: String,
        why: impl Into<String>,
        other: Option<Location>,
    ) {
        self.findings.push(Finding {
            range,
            text: text.to_owned(),
            role,
            verdict: Verdict::Conflict { to, why: why.into(), other, suggestion: None },
        });
    }
}

impl FilePlan {
    /// The plan of a history file (an applied migration): nothing changes, every occurrence is kept.
    pub fn into_history(self) -> FilePlan {
        let findings = self
            .findings
            .into_iter()
            .map(|f| Finding { verdict: Verdict::Keep { reason: KeepReason::History }, ..f })
            .collect();
        FilePlan { edits: Vec::new(), findings, shares: Vec::new() }
    }

    /// The findings inside `range` whose verdict `accept` takes, with their new spelling.
    pub fn spellings_within(&self, range: &Range<usize>, accept: impl Fn(&Verdict) -> bool) -> Vec<(Range<usize>, String)> {
        let inside = |r: &Range<usize>| range.start <= r.start && r.end <= range.end;
        self.findings
            .iter()
            .filter(|f| inside(&f.range) && accept(&f.verdict))
            .filter_map(|f| Some((f.range.clone(), f.verdict.to()?.to_owned())))
            .collect()
    }

    /// Give the finding at each range a verdict other than a rename (the last given for a range
    /// wins), and drop its edit. Once over the plan for them all: a large file demotes hundreds.
    pub fn demote(&mut self, demoted: impl IntoIterator<Item = (Range<usize>, Verdict)>) {
        let verdicts: foldhash::HashMap<Range<usize>, Verdict> = demoted.into_iter().collect();
        if verdicts.is_empty() {
            return;
        }
        self.edits.retain(|e| !verdicts.contains_key(&e.range));
        for f in &mut self.findings {
            if let Some(verdict) = verdicts.get(&f.range) {
                f.verdict = verdict.clone();
            }
        }
    }

    /// Keep everything inside `range` (a `retrace: off` region): no edits, findings kept.
    pub fn keep_within(mut self, range: &Range<usize>) -> FilePlan {
        let inside = |r: &Range<usize>| range.start <= r.start && r.end <= range.end;
        self.edits.retain(|e| !inside(&e.range));
        for f in self.findings.iter_mut().filter(|f| inside(&f.range)) {
            f.verdict = Verdict::Keep { reason: KeepReason::Off };
        }
        self
    }

    /// Drop the edits and findings inside `range` (a suppression comment's own words).
    pub fn without(mut self, range: &Range<usize>) -> FilePlan {
        let inside = |r: &Range<usize>| range.start <= r.start && r.end <= range.end;
        self.edits.retain(|e| !inside(&e.range));
        self.findings.retain(|f| !inside(&f.range));
        self
    }
}

/// A file or folder rename. Paths are as walked (relative to the current directory when given so).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FileMove {
    pub from: PathBuf,
    pub to: PathBuf,
}
