//! Inline suppressions for `check`: `retrace: allow` on the line of an occurrence, or
//! `retrace: allow-next-line` on the line before, after any comment opener (`#`, `//`, `--`, `/*`,
//! `<!--`), optionally naming the term: `retrace: allow(session)`. And regions that no command
//! touches: from a `retrace: off` comment to the next `retrace: on` (or the end of the file).

use std::ops::Range;

const MARKER: &str = "retrace: allow";
const COMMENT_OPENERS: &[&str] = &["#", "//", "--", "/*", "<!--", ";"];

/// One suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The bytes of the marker itself (`retrace: allow(session)`): never rewritten or reported.
    pub marker: Range<usize>,
    /// 1-based line of the marker.
    pub line: usize,
    /// 1-based line it silences.
    pub target_line: usize,
    /// Lowercase term it is limited to, if any.
    pub term: Option<String>,
}

impl Suppression {
    /// Whether this suppression silences an occurrence `text` on `line`.
    pub fn covers(&self, line: usize, text: &str) -> bool {
        line == self.target_line && self.term.as_ref().is_none_or(|t| text.to_ascii_lowercase().contains(t.as_str()))
    }
}

/// Cheap test over raw bytes: could the file hold a suppression (used or not)?
pub fn may_contain(bytes: &[u8]) -> bool {
    static FINDER: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    FINDER.get_or_init(|| aho_corasick::AhoCorasick::new([MARKER]).expect("a literal pattern")).is_match(bytes)
}

/// What every marker starts with.
const PREFIX: &str = "retrace: ";
const OFF: &str = "retrace: off";
const ON: &str = "retrace: on";

/// Byte ranges from each `retrace: off` comment to the end of the matching `retrace: on` line.
pub fn off_regions(text: &str) -> Vec<Range<usize>> {
    let mut regions = Vec::new();
    // One search over the file spares a search per line in the files with no marker: most.
    if !text.contains(PREFIX) {
        return regions;
    }
    let mut open: Option<usize> = None;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let is_comment = |marker: &str| {
            line.find(marker).is_some_and(|at| COMMENT_OPENERS.iter().any(|o| line[..at].contains(o)))
        };
        match open {
            None if is_comment(OFF) => open = Some(line_start),
            Some(start) if is_comment(ON) => {
                regions.push(start..line_start + line.len());
                open = None;
            }
            _ => {}
        }
        line_start += line.len();
    }
    regions.extend(open.map(|start| start..text.len()));
    regions
}

/// Every suppression comment in `text`.
pub fn scan(text: &str) -> Vec<Suppression> {
    let mut found = Vec::new();
    if !text.contains(PREFIX) {
        return found;
    }
    let mut line_start = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        if let Some(at) = line.find(MARKER) {
            let before = &line[..at];
            if COMMENT_OPENERS.iter().any(|o| before.contains(o)) {
                found.push(parse(line, at, line_start, index + 1));
            }
        }
        line_start += line.len();
    }
    found
}

fn parse(line: &str, at: usize, line_start: usize, line_no: usize) -> Suppression {
    let mut end = at + MARKER.len();
    let next_line = line[end..].starts_with("-next-line");
    if next_line {
        end += "-next-line".len();
    }
    let mut term = None;
    if let Some(rest) = line[end..].strip_prefix('(') {
        if let Some(close) = rest.find(')') {
            term = Some(rest[..close].trim().to_ascii_lowercase());
            end += close + 2;
        }
    }
    Suppression {
        marker: line_start + at..line_start + end,
        line: line_no,
        target_line: line_no + usize::from(next_line),
        term,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_markers_behind_each_comment_syntax() {
        let text = "a = session  # retrace: allow\n// retrace: allow-next-line(session)\nb\n-- retrace: allow\nx = 'retrace: allow'\n";
        let found = scan(text);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!((found[0].line, found[0].target_line, found[0].term.as_deref()), (1, 1, None));
        assert_eq!((found[1].line, found[1].target_line, found[1].term.as_deref()), (2, 3, Some("session")));
        assert_eq!(&text[found[1].marker.clone()], "retrace: allow-next-line(session)");
        assert_eq!(found[2].target_line, 4);
    }

    #[test]
    fn off_regions_run_to_the_next_on_or_the_end() {
        let text = "a\n# retrace: off\nb\n# retrace: on\nc\n// retrace: off\nd\n";
        let regions = off_regions(text);
        assert_eq!(regions.len(), 2);
        assert_eq!(&text[regions[0].clone()], "# retrace: off\nb\n# retrace: on\n");
        assert_eq!(&text[regions[1].clone()], "// retrace: off\nd\n");
        assert!(off_regions("x = 'retrace: off'\n").is_empty());
    }

    #[test]
    fn a_named_term_limits_what_is_covered() {
        let s = &scan("# retrace: allow(session)\n")[0];
        assert!(s.covers(1, "SessionId"));
        assert!(!s.covers(1, "user_id"));
        assert!(!s.covers(2, "session"));
    }
}
