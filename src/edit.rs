//! Byte-range edits: the only way any rewriter expresses a change.

use std::ops::Range;

/// Replace `range` (byte offsets into the original text) with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
}

impl Edit {
    pub fn new(range: Range<usize>, replacement: impl Into<String>) -> Self {
        Edit { range, replacement: replacement.into() }
    }
}

/// Two edits that touch the same bytes: a bug in a rewriter, never merged silently.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("overlapping edits at bytes {}..{} ({:?}) and {}..{} ({:?})",
        first.range.start, first.range.end, first.replacement,
        second.range.start, second.range.end, second.replacement)]
pub struct Overlap {
    pub first: Edit,
    pub second: Edit,
}

/// Sort, drop exact duplicates, and reject overlaps or ranges outside `len` / off char boundaries.
pub fn normalize(text: &str, mut edits: Vec<Edit>) -> Result<Vec<Edit>, Overlap> {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits.dedup();
    for e in &edits {
        let valid = e.range.start <= e.range.end
            && e.range.end <= text.len()
            && text.is_char_boundary(e.range.start)
            && text.is_char_boundary(e.range.end);
        if !valid {
            return Err(Overlap { first: e.clone(), second: e.clone() });
        }
    }
    for pair in edits.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        // Two insertions at one point are ambiguous too.
        if b.range.start < a.range.end || (a.range == b.range && a.range.is_empty()) {
            return Err(Overlap { first: a.clone(), second: b.clone() });
        }
    }
    Ok(edits)
}

/// Apply edits in one pass. Edits must come from [`normalize`] (sorted, disjoint).
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len() + edits.len() * 4);
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.range.start]);
        out.push_str(&e.replacement);
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_sorted_disjoint_edits() {
        let text = "a session and sessions";
        let edits = normalize(text, vec![Edit::new(14..22, "traces"), Edit::new(2..9, "trace")]).unwrap();
        assert_eq!(apply(text, &edits), "a trace and traces");
    }

    #[test]
    fn rejects_overlap() {
        let err = normalize("session_id", vec![Edit::new(0..7, "trace"), Edit::new(5..10, "x")]).unwrap_err();
        assert_eq!(err.first.range, 0..7);
        assert_eq!(err.second.range, 5..10);
    }

    #[test]
    fn rejects_range_outside_text_or_inside_a_char() {
        assert!(normalize("abc", vec![Edit::new(2..9, "x")]).is_err());
        assert!(normalize("é", vec![Edit::new(1..2, "x")]).is_err());
    }

    #[test]
    fn identical_duplicates_collapse() {
        let edits = normalize("session", vec![Edit::new(0..7, "trace"), Edit::new(0..7, "trace")]).unwrap();
        assert_eq!(edits.len(), 1);
    }
}
