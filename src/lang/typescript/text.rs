//! Terms in text: comments and JSDoc, string and template literals, JSX text, regular expressions.
//! Each term found is one occurrence; a word that names something kept (`sessionStorage`, a
//! package's `useSession`) stays wherever it is written.

use std::ops::Range;

use tree_sitter::Node;

use super::collect::Occurrence;
use super::decide::Decision;
use super::syntax::text_of;
use super::Analysis;
use crate::plan::{KeepReason, Role};

/// How a literal's text is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Literal {
    /// Names of tables and columns (a query builder's arguments): every term is renamed.
    Identifiers,
    /// Handed to something retrace cannot see into: every term is for review, for this reason.
    Review(String),
    /// Read by its look: a URL path is for review, prose follows the rule file, the rest is renamed.
    Plain,
}

const URL_PATH: &str = "a URL path: Next.js routes are folders, renamed only when the rule file opts in";

pub(super) fn comment(an: &Analysis<'_, '_>, node: Node<'_>, out: &mut Vec<Occurrence>) {
    let role = if text_of(node, an.text).starts_with("/**") { Role::Docstring } else { Role::Comment };
    terms(an, node.byte_range(), role, None, out);
}

/// A string or template literal, given the ranges of its text parts (escapes and `${...}` left out).
pub(super) fn literal(an: &Analysis<'_, '_>, parts: &[Range<usize>], literal: Literal, out: &mut Vec<Occurrence>) {
    let (role, review) = match literal {
        Literal::Identifiers => (Role::String, None),
        Literal::Review(why) => (Role::String, Some(why)),
        Literal::Plain => by_look(an, parts),
    };
    for part in parts {
        terms(an, part.clone(), role, review.as_deref(), out);
    }
}

/// A URL path (`/sessions/...`), prose (words and spaces) or an identifier-like string.
fn by_look(an: &Analysis<'_, '_>, parts: &[Range<usize>]) -> (Role, Option<String>) {
    let mut text = parts.iter().map(|r| &an.text[r.clone()]);
    if parts.first().is_some_and(|r| an.text[r.clone()].starts_with('/')) {
        (Role::String, Some(URL_PATH.to_owned()))
    } else if text.any(|t| t.contains(char::is_whitespace)) {
        (Role::Prose, None)
    } else {
        (Role::String, None)
    }
}

/// Text between JSX tags is shown to people: prose.
pub(super) fn jsx_text(an: &Analysis<'_, '_>, node: Node<'_>, out: &mut Vec<Occurrence>) {
    terms(an, node.byte_range(), Role::Prose, None, out);
}

pub(super) fn regex(an: &Analysis<'_, '_>, node: Node<'_>, out: &mut Vec<Occurrence>) {
    let why = Some("a regular expression: what it must match is not known");
    terms(an, node.byte_range(), Role::String, why, out);
}

/// One occurrence per term in `range`: kept when the word names something kept or a sense word
/// stands right before it ("login session"), for review when `review` says why, renamed otherwise.
fn terms(an: &Analysis<'_, '_>, range: Range<usize>, role: Role, review: Option<&str>, out: &mut Vec<Occurrence>) {
    let text = &an.text[range.clone()];
    for (found, to) in an.cx.rules.renamer.find_in_text(text) {
        let word = &text[found.clone()];
        let kept = an.kept_word(word).or_else(|| sense_before(an, &text[..found.start]));
        let decision = match (kept, review) {
            (Some(reason), _) => Decision::Keep(reason),
            (None, Some(why)) => Decision::Review { to, why: why.to_owned() },
            (None, None) => Decision::Rename(to),
        };
        out.push(Occurrence::fixed(range.start + found.start..range.start + found.end, role, decision));
    }
}

/// The sense word that ends `before`, across spaces and hyphens (`login session`, `auth-session`).
fn sense_before(an: &Analysis<'_, '_>, before: &str) -> Option<KeepReason> {
    let before = before.trim_end_matches([' ', '\t', '-']);
    let length: usize = before.chars().rev().take_while(|c| c.is_alphanumeric()).map(char::len_utf8).sum();
    let word = before[before.len() - length..].to_lowercase();
    an.cx.rules.senses.contains(&word).then_some(KeepReason::Sense { word })
}
