//! The term engine: split identifiers into words, rename the words that are a retired term while
//! keeping each word's case, derive plurals.
//!
//! INTERFACE (bodies to be implemented; other modules depend on exactly these signatures).

use std::ops::Range;

/// One retired word and its replacement, with both plural forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub from: String,
    pub to: String,
    pub from_plural: String,
    pub to_plural: String,
}

impl Term {
    /// A term with regular English plurals derived (`session -> sessions`, `policy -> policies`,
    /// `address -> addresses`). Both words are stored lowercase.
    pub fn new(from: &str, to: &str) -> Term {
        let _ = (from, to);
        todo!()
    }
}

/// Byte ranges of the words of an identifier, separators excluded. Splits on `_`, `-`, `.`, `$`,
/// lower->upper (`sessionId`), acronym ends (`HTTPSessionID` -> HTTP, Session, ID) and digit runs.
pub fn split(ident: &str) -> Vec<Range<usize>> {
    let _ = ident;
    todo!()
}

/// Compiled terms and whole-identifier overrides.
#[derive(Debug, Clone)]
pub struct Renamer {
    _private: (),
}

impl Renamer {
    pub fn new(terms: Vec<Term>, overrides: Vec<(String, String)>) -> Renamer {
        let _ = (terms, overrides);
        todo!()
    }

    /// The new spelling of an identifier-like token, or `None` when no word of it is a term
    /// (singular or plural, lower/Title/UPPER case) and no override names it.
    /// `session_id -> trace_id`, `ISessionAndStats -> ITraceAndStats`, `SESSIONS -> TRACES`,
    /// `possession -> None`.
    pub fn rename(&self, ident: &str) -> Option<String> {
        let _ = ident;
        todo!()
    }

    /// Lowercase words of `ident` (for sense checks).
    pub fn words(&self, ident: &str) -> Vec<String> {
        let _ = ident;
        todo!()
    }

    /// Every maximal `[A-Za-z0-9_]+` token of free text (comments, strings, paths) that `rename`
    /// changes, with its byte range and new spelling.
    pub fn find_in_text(&self, text: &str) -> Vec<(Range<usize>, String)> {
        let _ = text;
        todo!()
    }

    /// Cheap test over raw bytes: could `bytes` contain any term in any case? No false negatives.
    pub fn may_contain(&self, bytes: &[u8]) -> bool {
        let _ = bytes;
        todo!()
    }
}
