//! Rust rewriter on syn.
//!
//! One lex, one parse, two passes. [`source`] lexes the file with proc-macro2 (spans with line and
//! char column, mapped to byte ranges here) and finds the comments between its tokens; syn parses
//! the tokens. [`facts`] reads where names come from (`use` trees, declared items, foreign-typed
//! fields, foreign trait impls). [`visit`] walks syn's tree and [`tokens`] the macro token streams
//! (a `macro_rules!` transcriber that parses once its `$`s are dropped is walked as code) into the
//! sites and declarations of [`collect`]; [`decide`] gives each site its verdict from the rules,
//! the project's file moves and the clashes between names of one scope.

mod collect;
mod decide;
mod facts;
mod source;
#[cfg(test)]
mod tests;
mod tokens;
mod visit;

use super::{Context, ParseError, Rewriter};
use crate::plan::FilePlan;

pub struct Rust;

impl Rewriter for Rust {
    fn language(&self) -> &'static str {
        "rust"
    }

    fn plan(&self, text: &str, cx: &Context<'_>) -> Result<FilePlan, ParseError> {
        // Declared first, so dropped last: no span of this file outlives it.
        let _spans = ThreadSpans;
        let src = source::Source::new(text);
        let parsed = src.parse()?;
        let facts = facts::Facts::collect(&parsed.file, cx);
        let collected = collect::collect(parsed, &src, &facts, cx);
        Ok(decide::decide(&collected, &src, cx))
    }

    fn parses(&self, text: &str, _: &std::path::Path, _: &crate::rules::RuleSet) -> Result<(), ParseError> {
        let _spans = ThreadSpans;
        source::Source::new(text).parse().map(drop)
    }
}

/// proc-macro2 keeps every lexed file in a thread-local source map for span locations; clearing
/// it after each file keeps a long run's memory flat.
struct ThreadSpans;

impl Drop for ThreadSpans {
    fn drop(&mut self) {
        proc_macro2::extra::invalidate_current_thread_spans();
    }
}
