//! Unified diffs in git's format, so `git apply` and `patch -p1` take them as they are
//! (file moves as `rename from` / `rename to`).

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::edit::Edit;
use crate::engine::FileOutcome;

/// Lines of unchanged context around each change.
const CONTEXT: usize = 3;

/// The patch for one file, or an empty string when nothing changes.
pub fn patch(outcome: &FileOutcome) -> String {
    if !outcome.changes() {
        return String::new();
    }
    let to = outcome.moved_to.as_deref().unwrap_or(&outcome.path);
    let edits: Vec<Edit> = outcome.edits.iter().map(|(e, _)| e.clone()).collect();
    render(&outcome.path, to, &outcome.original, &edits)
}

/// A git-style patch for `edits` (sorted, disjoint, offsets into `before`) of the file at `from`,
/// now at `to` (a move when the paths differ). Hunks come straight from the edits: the lines an
/// edit touches are the changed lines, so no diff algorithm runs and the cost is linear.
pub fn render(from: &Path, to: &Path, before: &str, edits: &[Edit]) -> String {
    let (old, new) = (slash(from), slash(to));
    let mut out = format!("diff --git a/{old} b/{new}\n");
    let blocks = changed_blocks(before, edits);
    if old != new {
        let similarity = if blocks.is_empty() { "similarity index 100%\n" } else { "" };
        let _ = write!(out, "{similarity}rename from {old}\nrename to {new}\n");
    }
    if !blocks.is_empty() {
        let _ = write!(out, "--- a/{old}\n+++ b/{new}\n");
        write_hunks(&mut out, before, &blocks);
    }
    out
}

/// A run of whole old lines `first..=last` (0-based) and the text that replaces them.
struct Block {
    first: usize,
    last: usize,
    new_text: String,
}

/// Group the edits by the lines they touch; edits on one line or adjacent lines share a block.
fn changed_blocks(before: &str, edits: &[Edit]) -> Vec<Block> {
    let lines = LineStarts::new(before);
    let mut blocks: Vec<(usize, usize, Vec<&Edit>)> = Vec::new();
    for e in edits {
        let first = lines.line_of(e.range.start);
        let last = lines.line_of(e.range.end.max(e.range.start + 1) - 1).max(first);
        match blocks.last_mut() {
            Some((_, prev_last, group)) if first <= *prev_last + 1 => {
                *prev_last = (*prev_last).max(last);
                group.push(e);
            }
            _ => blocks.push((first, last, vec![e])),
        }
    }
    blocks
        .into_iter()
        .filter_map(|(first, last, group)| {
            let (start, end) = (lines.start(first), lines.end(last));
            let mut new_text = String::with_capacity(end - start + 16);
            let mut at = start;
            for e in group {
                new_text.push_str(&before[at..e.range.start]);
                new_text.push_str(&e.replacement);
                at = e.range.end;
            }
            new_text.push_str(&before[at..end]);
            (new_text != before[start..end]).then_some(Block { first, last, new_text })
        })
        .collect()
}

/// Unified-diff hunks: blocks closer than twice the context share a hunk.
fn write_hunks(out: &mut String, before: &str, blocks: &[Block]) {
    if before.is_empty() {
        // A file that had no lines: one hunk of additions.
        let added: Vec<&str> = blocks.iter().flat_map(|b| b.new_text.split_inclusive('\n')).collect();
        let _ = writeln!(out, "@@ -0,0 +1,{} @@", added.len());
        added.iter().for_each(|line| push_line(out, '+', line));
        return;
    }
    let lines = LineStarts::new(before);
    let count = lines.count();
    let mut delta: isize = 0;
    let mut i = 0;
    while i < blocks.len() {
        let mut j = i;
        while j + 1 < blocks.len() && blocks[j + 1].first <= blocks[j].last + 2 * CONTEXT + 1 {
            j += 1;
        }
        let start = blocks[i].first.saturating_sub(CONTEXT);
        let end = (blocks[j].last + CONTEXT).min(count - 1);
        let mut body = String::new();
        let mut new_len = 0;
        let mut at = start;
        for block in &blocks[i..=j] {
            for line in at..block.first {
                push_line(&mut body, ' ', lines.text(before, line));
            }
            for line in block.first..=block.last {
                push_line(&mut body, '-', lines.text(before, line));
            }
            for line in block.new_text.split_inclusive('\n') {
                push_line(&mut body, '+', line);
                new_len += 1;
            }
            new_len += block.first - at;
            at = block.last + 1;
        }
        for line in at..=end {
            push_line(&mut body, ' ', lines.text(before, line));
            new_len += 1;
        }
        let old_len = end + 1 - start;
        let new_start = (start as isize + delta) as usize;
        let _ = writeln!(out, "@@ -{} +{} @@", range(start, old_len), range(new_start, new_len));
        out.push_str(&body);
        delta += new_len as isize - old_len as isize;
        i = j + 1;
    }
}

/// `start,len` of a hunk side, 1-based; an empty side names the line before it.
fn range(start: usize, len: usize) -> String {
    if len == 0 {
        format!("{start},0")
    } else {
        format!("{},{len}", start + 1)
    }
}

fn push_line(out: &mut String, sign: char, line: &str) {
    out.push(sign);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

/// Byte offsets of line starts, to find the lines an edit touches.
struct LineStarts {
    starts: Vec<usize>,
    len: usize,
}

impl LineStarts {
    fn new(text: &str) -> LineStarts {
        let mut starts = vec![0];
        starts.extend(memchr_newlines(text).map(|i| i + 1).filter(|&i| i < text.len()));
        LineStarts { starts, len: text.len() }
    }

    fn count(&self) -> usize {
        self.starts.len()
    }

    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    fn start(&self, line: usize) -> usize {
        self.starts[line]
    }

    fn end(&self, line: usize) -> usize {
        self.starts.get(line + 1).copied().unwrap_or(self.len)
    }

    fn text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        &text[self.start(line)..self.end(line)]
    }
}

fn memchr_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i)
}

/// Paths in patches always use `/`.
/// The path as a patch names it: relative, with `/` separators. An absolute path is made relative
/// to the current directory when it lies under it (so `git apply` there takes the patch), else
/// to the filesystem root (never `a//abs`, which `git apply` rejects).
fn slash(path: &Path) -> String {
    static CWD: OnceLock<Option<PathBuf>> = OnceLock::new();
    let cwd = CWD.get_or_init(|| std::env::current_dir().ok());
    let relative = match cwd.as_deref().and_then(|cwd| path.strip_prefix(cwd).ok()) {
        Some(inside) if path.is_absolute() => inside,
        _ => path.strip_prefix("/").unwrap_or(path),
    };
    relative.to_string_lossy().replace('\\', "/")
}

/// ANSI colours for a terminal: headers bold, hunk ranges cyan, removals red, additions green.
pub fn colorize(patch: &str) -> String {
    let mut out = String::with_capacity(patch.len() + patch.len() / 4);
    for line in patch.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let header = ["diff --git", "--- ", "+++ ", "rename ", "similarity "];
        let style = if header.iter().any(|h| body.starts_with(h)) {
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

    fn outcome(path: &str, moved_to: Option<&str>, original: &str, edits: &[(std::ops::Range<usize>, &str)]) -> FileOutcome {
        let edits: Vec<(Edit, crate::plan::Role)> =
            edits.iter().map(|(r, s)| (Edit::new(r.clone(), *s), crate::plan::Role::Identifier)).collect();
        let plain: Vec<Edit> = edits.iter().map(|(e, _)| e.clone()).collect();
        FileOutcome {
            path: PathBuf::from(path),
            moved_to: moved_to.map(PathBuf::from),
            language: Some("python"),
            original: original.into(),
            updated: crate::edit::apply(original, &plain),
            edits,
            findings: vec![],
            unused_suppressions: vec![],
            error: None,
        }
    }

    #[test]
    fn content_change_has_git_headers_and_hunk() {
        let p = patch(&outcome("a.py", None, "x = 1\nsession = 2\n", &[(6..13, "trace")]));
        assert_eq!(
            p,
            "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n x = 1\n-session = 2\n+trace = 2\n"
        );
    }

    #[test]
    fn near_changes_share_a_hunk_and_far_ones_do_not() {
        let text: String = (1..=20).map(|i| if i == 2 || i == 6 || i == 18 { "session\n".to_owned() } else { format!("l{i}\n") }).collect();
        let at = |line: usize| text.split_inclusive('\n').take(line - 1).map(str::len).sum::<usize>();
        let p = patch(&outcome("a.py", None, &text, &[(at(2)..at(2) + 7, "trace"), (at(6)..at(6) + 7, "trace"), (at(18)..at(18) + 7, "t")]));
        let headers: Vec<&str> = p.lines().filter(|l| l.starts_with("@@")).collect();
        assert_eq!(headers, ["@@ -1,9 +1,9 @@", "@@ -15,6 +15,6 @@"]);
        assert!(p.contains(" l1\n-session\n+trace\n l3\n l4\n l5\n-session\n+trace\n l7\n"), "{p}");
    }

    #[test]
    fn added_lines_shift_later_hunks() {
        let text: String = (1..=12).map(|i| format!("l{i}\n")).collect();
        let p = patch(&outcome("a.py", None, &text, &[(0..2, "a\nb"), (text.len() - 4..text.len() - 1, "z")]));
        let headers: Vec<&str> = p.lines().filter(|l| l.starts_with("@@")).collect();
        assert_eq!(headers, ["@@ -1,4 +1,5 @@", "@@ -9,4 +10,4 @@"]);
    }

    #[test]
    fn pure_move_is_a_rename_without_hunks() {
        let p = patch(&outcome("pkg/session.py", Some("pkg/trace.py"), "", &[]));
        assert_eq!(
            p,
            "diff --git a/pkg/session.py b/pkg/trace.py\nsimilarity index 100%\nrename from pkg/session.py\nrename to pkg/trace.py\n"
        );
    }

    #[test]
    fn missing_final_newline_is_marked() {
        let p = patch(&outcome("a.py", None, "session", &[(0..7, "trace")]));
        assert!(p.ends_with("@@ -1,1 +1,1 @@\n-session\n\\ No newline at end of file\n+trace\n\\ No newline at end of file\n"), "{p}");
    }

    #[test]
    fn an_empty_file_gains_lines() {
        let p = patch(&outcome("a.py", None, "", &[(0..0, "x\ny\n")]));
        assert!(p.ends_with("@@ -0,0 +1,2 @@\n+x\n+y\n"), "{p}");
    }

    #[test]
    fn no_op_edits_make_no_patch() {
        assert_eq!(patch(&outcome("a.py", None, "x", &[])), "");
        assert_eq!(patch(&outcome("a.py", None, "x\n", &[(0..1, "x")])), "");
    }

    #[test]
    fn colours_only_diff_lines() {
        let c = colorize("diff --git a/x b/x\n context\n-old\n+new\n");
        assert!(c.contains("\x1b[31m-old\x1b[0m\n"));
        assert!(c.contains("\x1b[32m+new\x1b[0m\n"));
        assert!(c.contains("\n context\n"));
    }
}
