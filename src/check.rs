//! What remains to be done: the occurrences `check` reports, and the tallies every command prints.

use serde::Serialize;

use crate::engine::{FileOutcome, LocatedFinding};
use crate::plan::Verdict;

/// An occurrence still to be handled: anything but a kept one.
pub fn is_remaining(f: &LocatedFinding) -> bool {
    !matches!(f.finding.verdict, Verdict::Keep { .. })
}

/// Counts over a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Files whose text or path changes.
    pub files_changed: usize,
    pub files_moved: usize,
    pub renames: usize,
    pub reviews: usize,
    pub conflicts: usize,
    pub kept: usize,
    /// Files left untouched because they could not be read or parsed.
    pub errors: usize,
}

impl Summary {
    pub fn add(&mut self, outcome: &FileOutcome) {
        self.files_changed += usize::from(outcome.changes());
        self.files_moved += usize::from(outcome.moved_to.is_some());
        self.errors += usize::from(outcome.error.is_some());
        for f in &outcome.findings {
            match f.finding.verdict {
                Verdict::Rename { .. } => self.renames += 1,
                Verdict::Review { .. } => self.reviews += 1,
                Verdict::Conflict { .. } => self.conflicts += 1,
                Verdict::Keep { .. } => self.kept += 1,
            }
        }
    }

    pub fn merge(&mut self, other: &Summary) {
        self.files_changed += other.files_changed;
        self.files_moved += other.files_moved;
        self.renames += other.renames;
        self.reviews += other.reviews;
        self.conflicts += other.conflicts;
        self.kept += other.kept;
        self.errors += other.errors;
    }

    /// Occurrences `check` fails on.
    pub fn remaining(&self) -> usize {
        self.renames + self.reviews + self.conflicts
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} files changed ({} moved), {} renames, {} for review, {} conflicts, {} kept",
            self.files_changed, self.files_moved, self.renames, self.reviews, self.conflicts, self.kept
        )?;
        if self.errors > 0 {
            write!(f, ", {} files skipped with errors", self.errors)?;
        }
        Ok(())
    }
}
