//! Unified diffs in git's format, so `git apply` and `patch -p1` take them as they are
//! (file moves as `rename from` / `rename to`).

use std::fmt::Write;
use std::path::Path;

use similar::TextDiff;

use crate::engine::FileOutcome;

/// The patch for one file, or an empty string when nothing changes.
pub fn patch(outcome: &FileOutcome) -> String {
    if !outcome.changes() {
        return String::new();
    }
    let to = outcome.moved_to.as_deref().unwrap_or(&outcome.path);
    render(&outcome.path, to, &outcome.original, &outcome.updated)
}

/// A git-style patch from `before` at `from` to `after` at `to` (a move when the paths differ).
pub fn render(from: &Path, to: &Path, before: &str, after: &str) -> String {
    let (old, new) = (slash(from), slash(to));
    let mut out = format!("diff --git a/{old} b/{new}\n");
    if old != new {
        let similarity = if before == after { "similarity index 100%\n" } else { "" };
        let _ = write!(out, "{similarity}rename from {old}\nrename to {new}\n");
    }
    if before != after {
        let _ = write!(out, "--- a/{old}\n+++ b/{new}\n");
        let diff = TextDiff::from_lines(before, after);
        for hunk in diff.unified_diff().context_radius(3).missing_newline_hint(true).iter_hunks() {
            let _ = write!(out, "{hunk}");
        }
    }
    out
}

/// Paths in patches always use `/`.
fn slash(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// ANSI colours for a terminal: headers bold, hunk ranges cyan, removals red, additions green.
pub fn colorize(patch: &str) -> String {
    let mut out = String::with_capacity(patch.len() + patch.len() / 4);
    for line in patch.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let style = if body.starts_with("diff --git") || body.starts_with("--- ") || body.starts_with("+++ ") {
            "1"
        } else if body.starts_with("rename ") || body.starts_with("similarity ") {
            "1"
        } else if body.starts_with("@@") {
            "36"
        } else if body.starts_with('+') {
            "32"
        } else if body.starts_with('-') {
            "31"
        } else {
            ""
        };
        if style.is_empty() {
            out.push_str(line);
        } else {
            let _ = write!(out, "\x1b[{style}m{body}\x1b[0m{end}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn outcome(path: &str, moved_to: Option<&str>, original: &str, updated: &str) -> FileOutcome {
        FileOutcome {
            path: PathBuf::from(path),
            moved_to: moved_to.map(PathBuf::from),
            language: Some("python"),
            original: original.into(),
            updated: updated.into(),
            edits: vec![],
            findings: vec![],
            unused_suppressions: vec![],
            error: None,
        }
    }

    #[test]
    fn content_change_has_git_headers_and_hunk() {
        let p = patch(&outcome("a.py", None, "x = 1\nsession = 2\n", "x = 1\ntrace = 2\n"));
        assert_eq!(
            p,
            "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n x = 1\n-session = 2\n+trace = 2\n"
        );
    }

    #[test]
    fn pure_move_is_a_rename_without_hunks() {
        let p = patch(&outcome("pkg/session.py", Some("pkg/trace.py"), "", ""));
        assert_eq!(
            p,
            "diff --git a/pkg/session.py b/pkg/trace.py\nsimilarity index 100%\nrename from pkg/session.py\nrename to pkg/trace.py\n"
        );
    }

    #[test]
    fn missing_final_newline_is_marked() {
        let p = patch(&outcome("a.py", None, "session", "trace"));
        assert!(p.ends_with("-session\n\\ No newline at end of file\n+trace\n\\ No newline at end of file\n"), "{p}");
    }

    #[test]
    fn unchanged_file_has_no_patch() {
        assert_eq!(patch(&outcome("a.py", None, "x", "x")), "");
    }

    #[test]
    fn colours_only_diff_lines() {
        let c = colorize("diff --git a/x b/x\n context\n-old\n+new\n");
        assert!(c.contains("\x1b[31m-old\x1b[0m\n"));
        assert!(c.contains("\x1b[32m+new\x1b[0m\n"));
        assert!(c.contains("\n context\n"));
    }
}
