//! Plans the safety pre-pass made, held until the run asks for them again: in memory while they
//! fit [`MEMORY_BYTES`], past it encoded in an unnamed temporary file. What a run holds does not
//! grow with the tree, and no file that can clash is parsed twice however large the tree is.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::codec::Codec;
use super::{Entry, Variant};

/// The most memory the plans held in memory may take, as [`held_bytes`] reckons it. The plans of
/// all the files that can clash in a tree of 10,000 files take about 2 MB.
pub(super) const MEMORY_BYTES: usize = 2 << 20;

/// What one read, finding, edit or share of a held plan takes, about, besides the text of an
/// edit: each holds a path or a short string.
const ITEM_BYTES: usize = 128;

/// About how much memory a plan takes while held. Not the text it was made from, which is not
/// held: a tree after the rename has large texts with few findings left, whose plans are small.
fn held_bytes(variant: &Variant) -> usize {
    let plan = &variant.plan;
    let items = variant.reads.len() + plan.findings.len() + plan.edits.len() + plan.shares.len();
    ITEM_BYTES * items + plan.edits.iter().map(|edit| edit.replacement.len()).sum::<usize>()
}

/// Plans held for the run, by key ([`super::key_of`]).
#[derive(Debug, Default)]
pub struct Ahead(Mutex<Held>);

#[derive(Debug, Default)]
struct Held {
    plans: HashMap<u64, Place>,
    /// The memory the plans held in memory take ([`held_bytes`]).
    bytes: usize,
    /// Where plans past the bound go, made when the first one does.
    spill: Option<File>,
    /// The end of what was written to `spill`.
    end: u64,
}

/// Where a held plan is, with what its entry would be checked by on disk.
#[derive(Debug)]
enum Place {
    Memory {
        path: PathBuf,
        text_hash: u64,
        size: usize,
        variant: Variant,
    },
    /// An [`Entry`] of one variant, encoded at `at`.
    Spilled {
        at: u64,
        len: usize,
    },
}

impl Ahead {
    /// Hold `variant`, the plan of the file at `path` whose text hashes to `text_hash`. A plan
    /// that fits neither in memory nor in the file (it cannot be written) is not held: the run
    /// plans the file again.
    pub fn hold(&self, key: u64, path: &Path, text_hash: u64, variant: Variant) {
        let size = held_bytes(&variant);
        let mut held = self.lock();
        let place = if held.bytes + size <= MEMORY_BYTES {
            held.bytes += size;
            Place::Memory { path: path.to_path_buf(), text_hash, size, variant }
        } else {
            drop(held);
            let mut bytes = Vec::with_capacity(4096);
            Entry { path: path.to_path_buf(), text_hash, variants: vec![variant] }.encode(&mut bytes);
            held = self.lock();
            match held.spill(&bytes) {
                Ok(at) => Place::Spilled { at, len: bytes.len() },
                Err(_) => return,
            }
        };
        if let Some(Place::Memory { size, .. }) = held.plans.insert(key, place) {
            held.bytes -= size;
        }
    }

    /// The plan held for `key`, if it is that of the file at `path` with a text hashing to
    /// `text_hash`; it is held no more.
    pub fn take(&self, key: u64, path: &Path, text_hash: u64) -> Option<Variant> {
        let mut held = self.lock();
        let entry = match held.plans.remove(&key)? {
            Place::Memory { path, text_hash, size, variant } => {
                held.bytes -= size;
                Entry { path, text_hash, variants: vec![variant] }
            }
            Place::Spilled { at, len } => {
                let bytes = held.unspill(at, len).ok()?;
                drop(held);
                Entry::decode(&mut bytes.as_slice())?
            }
        };
        let Entry { path: held_path, text_hash: held_hash, mut variants } = entry;
        (held_path == path && held_hash == text_hash).then(|| variants.pop()).flatten()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Held> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    #[cfg(test)]
    pub fn in_memory(&self) -> Vec<Variant> {
        let held = self.lock();
        let variant = |place: &Place| match place {
            Place::Memory { variant, .. } => Some(Variant { reads: variant.reads.clone(), plan: variant.plan.clone() }),
            Place::Spilled { .. } => None,
        };
        held.plans.values().filter_map(variant).collect()
    }
}

impl Held {
    /// Append `bytes` to the spill file; where they start.
    fn spill(&mut self, bytes: &[u8]) -> io::Result<u64> {
        let at = self.end;
        let file = match &mut self.spill {
            Some(file) => file,
            None => self.spill.insert(crate::spool::unnamed_file()?),
        };
        file.seek(SeekFrom::Start(at))?;
        file.write_all(bytes)?;
        self.end += bytes.len() as u64;
        Ok(at)
    }

    fn unspill(&mut self, at: u64, len: usize) -> io::Result<Vec<u8>> {
        let file = self.spill.as_mut().ok_or(io::ErrorKind::NotFound)?;
        file.seek(SeekFrom::Start(at))?;
        let mut bytes = vec![0; len];
        file.read_exact(&mut bytes)?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::Edit;
    use crate::plan::FilePlan;
    use crate::reads::KeptReads;

    fn variant(edit: &str) -> Variant {
        Variant {
            reads: KeptReads::default(),
            plan: FilePlan { edits: vec![Edit::new(0..7, edit)], ..FilePlan::default() },
        }
    }

    #[test]
    fn plans_past_the_memory_bound_come_back_from_the_file_once() {
        let ahead = Ahead::default();
        let large = "t".repeat(MEMORY_BYTES);
        let path = Path::new("app.py");
        // The first fills memory; every later one goes to the file, each where it was written.
        let edits: Vec<String> = (0..5).map(|i| format!("{i}{}", &large[..MEMORY_BYTES / 2])).collect();
        for (key, edit) in edits.iter().enumerate() {
            ahead.hold(key as u64, path, 7, variant(edit));
        }
        assert_eq!(ahead.in_memory().len(), 1, "one fits in memory");
        assert!(ahead.lock().spill.is_some());
        for key in [3, 1, 4, 0, 2] {
            let taken = ahead.take(key, path, 7).expect("held");
            assert_eq!(taken.plan, variant(&edits[key as usize]).plan, "plan {key}");
            assert!(ahead.take(key, path, 7).is_none(), "taken once");
        }
        assert_eq!(ahead.lock().bytes, 0, "taking a plan frees its room");
    }

    #[test]
    fn a_held_plan_is_only_that_of_its_path_and_text() {
        let ahead = Ahead::default();
        let large = "t".repeat(MEMORY_BYTES);
        for (key, edit) in [(1, "trace"), (2, large.as_str())] {
            ahead.hold(key, Path::new("app.py"), 7, variant(edit));
        }
        assert!(ahead.lock().spill.is_some(), "the second is in the file");
        for key in [1, 2] {
            assert!(ahead.take(key, Path::new("other.py"), 7).is_none(), "another path");
            ahead.hold(key, Path::new("app.py"), 7, variant("trace"));
            assert!(ahead.take(key, Path::new("app.py"), 8).is_none(), "another text");
        }
    }
}
