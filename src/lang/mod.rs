//! One rewriter per language. Each turns a file's text into edits and findings; none writes files
//! or prints.

use std::path::Path;

use crate::lang::symbols::NodeSymbols;
use crate::plan::FilePlan;
use crate::project::Project;
use crate::rules::RuleSet;

pub(crate) mod nodes;
pub mod python;
#[cfg(test)]
mod rendered;
pub mod rust;
pub mod sql;
pub(crate) mod symbols;
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

/// The tree of a tree-sitter parse, or the place of its first ERROR or MISSING node: such a file
/// is left untouched rather than rewritten from a guess.
pub(crate) fn tree_or_error(tree: Option<tree_sitter::Tree>, text: &str) -> Result<tree_sitter::Tree, ParseError> {
    let tree =
        tree.ok_or_else(|| ParseError { line: 1, column: 1, message: "the parser gave up on this file".to_owned() })?;
    match first_error(tree.root_node()) {
        Some(bad) => Err(syntax_error(bad, text)),
        None => Ok(tree),
    }
}

/// The first ERROR or MISSING node in source order.
fn first_error(node: tree_sitter::Node<'_>) -> Option<tree_sitter::Node<'_>> {
    if node.is_error() || node.is_missing() {
        return Some(node);
    }
    if !node.has_error() {
        return None;
    }
    let mut cursor = node.walk();
    let found = node.children(&mut cursor).find_map(first_error);
    found
}

fn syntax_error(bad: tree_sitter::Node<'_>, text: &str) -> ParseError {
    let (line, column) = line_column(text, bad.start_byte());
    let message = if bad.is_missing() {
        format!("invalid syntax: missing `{}`", bad.kind_name())
    } else {
        let snippet: String = text[bad.byte_range()].lines().next().unwrap_or("").chars().take(40).collect();
        format!("invalid syntax near `{}`", snippet.trim())
    };
    ParseError { line, column, message }
}

/// 1-based line and column (in chars) of a byte offset; a byte order mark is not a column anyone sees.
pub(crate) fn line_column(text: &str, byte: usize) -> (usize, usize) {
    let before = &text[..byte];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let prefix = before[line_start..].strip_prefix('\u{feff}').unwrap_or(&before[line_start..]);
    (line, prefix.chars().count() + 1)
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

    /// Whether [`Rewriter::plan`] of the text of `path` gets past parsing, found without planning
    /// it (before the project a plan needs is known). Languages whose plans never fail say yes.
    fn parses(&self, text: &str, path: &Path, rules: &RuleSet) -> Result<(), ParseError> {
        let _ = (text, path, rules);
        Ok(())
    }

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
