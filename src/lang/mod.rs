//! One rewriter per language. Each turns a file's text into edits and findings; none writes files
//! or prints.

use std::path::Path;

use crate::plan::FilePlan;
use crate::project::Project;
use crate::rules::RuleSet;

pub mod python;
pub mod rust;
pub mod sql;
pub mod text;
pub mod typescript;

/// A file that cannot be parsed: left untouched, reported at its place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// What a rewriter may consult besides the file itself.
pub struct Context<'a> {
    pub rules: &'a RuleSet,
    pub project: &'a Project,
    /// The file's path as walked (for messages and path-dependent rules).
    pub path: &'a Path,
}

pub trait Rewriter: Sync {
    /// Language name used in reports (`python`).
    fn language(&self) -> &'static str;
    /// Edits and findings for one file's text.
    fn plan(&self, text: &str, cx: &Context<'_>) -> Result<FilePlan, ParseError>;

    /// With `--shims`: edits that keep the old exported names working for a release (deprecated
    /// aliases), given the file's `plan`. Languages without shims add nothing.
    fn shims(&self, text: &str, plan: &FilePlan, cx: &Context<'_>) -> Vec<crate::edit::Edit> {
        let _ = (text, plan, cx);
        Vec::new()
    }
}

static PYTHON: python::Python = python::Python;
static TYPESCRIPT: typescript::TypeScript = typescript::TypeScript { tsx: false };
static TSX: typescript::TypeScript = typescript::TypeScript { tsx: true };
static SQL: sql::Sql = sql::Sql;
static RUST: rust::Rust = rust::Rust;
static TEXT: text::Text = text::Text;

/// The rewriter for a path, by extension.
pub fn for_path(path: &Path) -> Option<&'static dyn Rewriter> {
    if text::is_text_path(path) {
        return Some(&TEXT);
    }
    match path.extension()?.to_str()? {
        "py" | "pyi" => Some(&PYTHON),
        "ts" | "mts" | "cts" | "js" | "mjs" | "cjs" => Some(&TYPESCRIPT),
        "tsx" | "jsx" => Some(&TSX),
        "sql" => Some(&SQL),
        "rs" => Some(&RUST),
        _ => None,
    }
}
