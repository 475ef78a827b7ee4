//! Review in pieces: one patch per group (languages, roles or top folders), each applying on top
//! of the ones before it, with file moves last. Together they equal the single diff.

use std::collections::BTreeMap;

use crate::diff;
use crate::edit::{self, Edit};
use crate::engine::FileOutcome;
use crate::plan::Role;

/// How `diff --split-by` groups changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitBy {
    Language,
    Role,
    Dir,
}

/// A group's place in the series, then its name: `(0, "code")`. Moves always come last.
pub type Group = (u8, String);

const MOVES: Group = (u8::MAX, String::new());

/// The patch pieces of one file, keyed by group, in series order.
pub fn pieces(outcome: &FileOutcome, by: SplitBy) -> BTreeMap<Group, String> {
    let mut groups: BTreeMap<Group, Vec<Edit>> = BTreeMap::new();
    for (e, role) in &outcome.edits {
        let group = match by {
            SplitBy::Role => role_group(*role),
            SplitBy::Language => (0, outcome.language.unwrap_or("other").to_owned()),
            SplitBy::Dir => (0, top_dir(outcome)),
        };
        groups.entry(group).or_default().push(e.clone());
    }
    let mut out = BTreeMap::new();
    let mut text = outcome.original.clone();
    // (original start, size change) of every edit already applied, sorted by start.
    let mut applied: Vec<(usize, isize)> = Vec::new();
    for (group, edits) in groups {
        let running: Vec<isize> = applied.iter().scan(0, |total, (_, d)| Some(*total + d).inspect(|t| *total = *t)).collect();
        let rebased: Vec<Edit> = edits.iter().map(|e| rebase(e, &applied, &running)).collect();
        out.insert(group, diff::render(&outcome.path, &outcome.path, &text, &rebased));
        text = edit::apply(&text, &rebased);
        applied.extend(edits.iter().map(|e| (e.range.start, e.replacement.len() as isize - e.range.len() as isize)));
        applied.sort_by_key(|(start, _)| *start);
    }
    if let Some(to) = &outcome.moved_to {
        out.insert(MOVES, diff::render(&outcome.path, to, &text, &[]));
    }
    out
}

/// An edit in original offsets moved into the text where the `applied` edits are already made
/// (`running[i]`: their total size change up to and including the i-th). Edits are disjoint, so
/// each applied one lies wholly before or after `e`.
fn rebase(e: &Edit, applied: &[(usize, isize)], running: &[isize]) -> Edit {
    let before = applied.partition_point(|(start, _)| *start < e.range.start);
    let shift = if before == 0 { 0 } else { running[before - 1] };
    let at = |offset: usize| (offset as isize + shift) as usize;
    Edit::new(at(e.range.start)..at(e.range.end), e.replacement.clone())
}

/// The file name of a group's patch: `01-code.patch`, ..., `04-moves.patch`.
pub fn file_name(index: usize, group: &Group) -> String {
    let name = if *group == MOVES { "moves" } else { group.1.as_str() };
    let name: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    format!("{:02}-{name}.patch", index + 1)
}

/// Code first (it must compile together), then strings, then comments and docs.
fn role_group(role: Role) -> Group {
    match role {
        Role::Identifier | Role::Attribute | Role::Keyword | Role::Import | Role::Path => (0, "code".into()),
        Role::String | Role::Prose => (1, "strings".into()),
        Role::Comment | Role::Docstring | Role::Text => (2, "comments-and-docs".into()),
    }
}

fn top_dir(outcome: &FileOutcome) -> String {
    let mut parts = outcome.path.iter();
    match (parts.next(), parts.next()) {
        (Some(first), Some(_)) => first.to_string_lossy().into_owned(),
        _ => "top".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn pieces_chain_and_moves_come_last() {
        let original = "# session notes\nsession = 'session_id'\n".to_owned();
        let edits = vec![
            (Edit::new(2..9, "trace"), Role::Comment),
            (Edit::new(16..23, "trace"), Role::Identifier),
            (Edit::new(27..37, "trace_id"), Role::String),
        ];
        let outcome = FileOutcome {
            path: PathBuf::from("pkg/session.py"),
            moved_to: Some(PathBuf::from("pkg/trace.py")),
            language: Some("python"),
            updated: edit::apply(&original, &edits.iter().map(|(e, _)| e.clone()).collect::<Vec<_>>()),
            original,
            edits,
            findings: vec![],
            unused_suppressions: vec![],
            error: None,
        };
        let pieces = pieces(&outcome, SplitBy::Role);
        let names: Vec<_> = pieces.keys().enumerate().map(|(i, g)| file_name(i, g)).collect();
        assert_eq!(names, ["01-code.patch", "02-strings.patch", "03-comments-and-docs.patch", "04-moves.patch"]);
        let code = &pieces[&(0, "code".to_owned())];
        assert!(code.contains("-session = 'session_id'\n+trace = 'session_id'\n"), "{code}");
        let strings = &pieces[&(1, "strings".to_owned())];
        assert!(strings.contains("-trace = 'session_id'\n+trace = 'trace_id'\n"), "{strings}");
        assert!(pieces[&MOVES].contains("rename from pkg/session.py\nrename to pkg/trace.py\n"));
    }
}
