//! What remains to be done: the occurrences `check` reports, and the tallies every command prints.

use serde::Serialize;

use crate::engine::{FileOutcome, LocatedFinding};
use crate::plan::Verdict;

/// An occurrence still to be handled: anything but a kept or suppressed one.
pub fn is_remaining(f: &LocatedFinding) -> bool {
    !f.suppressed && !matches!(f.finding.verdict, Verdict::Keep { .. })
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
    /// Occurrences silenced by `retrace: allow` comments.
    pub suppressed: usize,
    /// Remaining occurrences the `--baseline` file records (check only).
    pub baselined: usize,
    /// Files left untouched because they could not be read or parsed.
    pub errors: usize,
}

impl Summary {
    pub fn add(&mut self, outcome: &FileOutcome) {
        self.files_changed += usize::from(outcome.changes());
        self.files_moved += usize::from(outcome.moved_to.is_some());
        self.errors += usize::from(outcome.error.is_some());
        for f in &outcome.findings {
            if f.suppressed {
                self.suppressed += 1;
                continue;
            }
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
        self.suppressed += other.suppressed;
        self.baselined += other.baselined;
        self.errors += other.errors;
    }

    /// Occurrences `check` fails on.
    pub fn remaining(&self) -> usize {
        self.renames + self.reviews + self.conflicts
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
        write!(
            f,
            "{} {} changed ({} moved), {} {}, {} for review, {} {}, {} kept",
            self.files_changed,
            plural(self.files_changed, "file", "files"),
            self.files_moved,
            self.renames,
            plural(self.renames, "rename", "renames"),
            self.reviews,
            self.conflicts,
            plural(self.conflicts, "conflict", "conflicts"),
            self.kept
        )?;
        if self.suppressed > 0 {
            write!(f, ", {} suppressed", self.suppressed)?;
        }
        if self.baselined > 0 {
            write!(f, ", {} in the baseline", self.baselined)?;
        }
        if self.errors > 0 {
            write!(f, ", {} files skipped with errors", self.errors)?;
        }
        Ok(())
    }
}

/// Stable fingerprints for one file's findings, in order. A fingerprint hashes the path, role,
/// text and the trimmed source line, plus how many identical ones came before it in the file, so
/// it survives lines inserted or removed elsewhere.
pub fn fingerprints(findings: &[LocatedFinding]) -> Vec<String> {
    let mut seen: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    findings
        .iter()
        .map(|f| {
            let key = fnv1a(&[
                f.location.path.to_string_lossy().as_bytes(),
                f.finding.role.as_str().as_bytes(),
                f.finding.text.as_bytes(),
                f.line_text.trim().as_bytes(),
            ]);
            let nth = seen.entry(key).or_default();
            *nth += 1;
            format!("{:016x}", fnv1a(&[&key.to_le_bytes(), &nth.to_le_bytes()]))
        })
        .collect()
}

/// FNV-1a over the parts, each followed by a NUL: stable across runs, platforms and releases.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain(&[0u8]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// Today's remaining occurrences, recorded so that `check --baseline` fails only on new ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    /// For people reading the file; only the fingerprint is compared.
    pub path: String,
    pub line: usize,
    pub text: String,
}

/// A baseline file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct BaselineError {
    pub path: String,
    pub message: String,
}

impl Baseline {
    pub fn read(path: &std::path::Path) -> Result<Baseline, BaselineError> {
        let fail = |message: String| BaselineError { path: path.display().to_string(), message };
        let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        serde_json::from_str(&text).map_err(|e| fail(format!("{}:{}: {e}", e.line(), e.column())))
    }

    pub fn contains(&self, fingerprint: &str) -> bool {
        self.entries.iter().any(|e| e.fingerprint == fingerprint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Finding, Location, Role};
    use std::path::PathBuf;

    fn at(line: usize, line_text: &str) -> LocatedFinding {
        LocatedFinding {
            location: Location { path: PathBuf::from("a.py"), line, column: 1 },
            finding: Finding {
                range: 0..7,
                text: "session".into(),
                role: Role::Identifier,
                verdict: Verdict::Rename { to: "trace".into() },
            },
            line_text: line_text.into(),
            suppressed: false,
        }
    }

    #[test]
    fn fingerprints_survive_line_shifts_and_tell_repeats_apart() {
        let before = fingerprints(&[at(1, "session = 1"), at(2, "session = 1")]);
        let after = fingerprints(&[at(5, "  session = 1"), at(9, "session = 1")]);
        assert_eq!(before, after);
        assert_ne!(before[0], before[1]);
        let changed = fingerprints(&[at(1, "session = 2")]);
        assert_ne!(changed[0], before[0]);
    }
}
