//! What commands made of files ([`super::PlanCache::keep_result`]), packed into one file per
//! generation: a kept check of a large tree asks for the result of every file that mentions a
//! term, and one file each cost an open, a read and a close apiece, and the kernel a path
//! lookup each. The pack is read in place (one `pread` a result) through an index at its end.
//!
//! A result kept during a run is written to a file of its own, as before. At the end of a run
//! that used [`PACK_AFTER`] or more such files, the pack is written anew: every result the run
//! used, those it holds from earlier runs (they may be another command's: a `check` and a
//! `check --format json` share a generation) unless they went unused through [`MAX_AGE`]
//! packings, and nothing else. It replaces the old one by a rename, so a run reading the old
//! one still reads it whole; the files of the results it took in are removed. Of two runs that
//! pack at once, the last one's pack stands: what only the other took in is made again by the
//! next run, which costs time, never a wrong answer (every result is checked as it is read).
//! Results no run uses any more leave the generation, which files of their own never did.
//!
//! Layout: the results' bytes, one after another; then each one's index entry (key, offset,
//! length: little-endian u64, u64, u32; age: one byte); then the index's offset and its number
//! of entries (u64 each) and [`MAGIC`]. A pack that does not end so is not read.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The pack's name in its generation's folder.
const FILE: &str = "results";

/// The last bytes of a whole pack.
const MAGIC: &[u8; 8] = b"rtpack01";

/// The bytes of one index entry, and of the tail after the index.
const ENTRY: usize = 21;
const TAIL: usize = 24;

/// How many results a run must have used from files of their own for the pack to be written
/// anew: one changed file does not copy the whole pack.
pub(super) const PACK_AFTER: usize = 32;

/// How many packings a result kept from earlier runs survives unused.
pub(super) const MAX_AGE: u8 = 3;

/// Where a result sits in the pack, and how many packings it went unused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot {
    offset: u64,
    len: u32,
    age: u8,
}

/// The pack of a generation, and the results this run used.
#[derive(Debug, Default)]
pub(super) struct Pack {
    file: Option<File>,
    index: HashMap<u64, Slot>,
    /// The keys of the results this run used, and whether each came from a file of its own.
    used: Mutex<HashMap<u64, bool>>,
}

impl Pack {
    /// The pack of `generation`; none (every result is looked for in its own file) when it is
    /// missing or damaged.
    pub(super) fn open(generation: &Path) -> Pack {
        let Ok(file) = File::open(generation.join(FILE)) else { return Pack::default() };
        match read_index(&file) {
            Some(index) => Pack { file: Some(file), index, used: Mutex::default() },
            None => Pack::default(),
        }
    }

    /// The bytes of the result kept under `key`, if the pack holds it.
    pub(super) fn read(&self, key: u64) -> Option<Vec<u8>> {
        let (file, slot) = (self.file.as_ref()?, self.index.get(&key)?);
        let mut bytes = vec![0; slot.len as usize];
        file.read_exact_at(&mut bytes, slot.offset).ok()?;
        Some(bytes)
    }

    /// Note that the run used the result kept under `key`, from the pack or from its own file.
    pub(super) fn note(&self, key: u64, own_file: bool) {
        self.used.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(key, own_file);
    }

    /// At the end of a run: write the pack anew if the run used enough results from their own
    /// files ([`PACK_AFTER`]); `own_file` gives the file of a key. Errors only cost time.
    pub(super) fn save(&mut self, generation: &Path, own_file: impl Fn(u64) -> PathBuf) {
        let used = std::mem::take(self.used.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner()));
        let loose: Vec<u64> = used.iter().filter(|(_, &own)| own).map(|(&key, _)| key).collect();
        if loose.len() < PACK_AFTER {
            return;
        }
        let target = generation.join(FILE);
        let temp = generation.join(format!(".{FILE}.{}", std::process::id()));
        match self.write(&temp, &used, &own_file) {
            Ok(()) if std::fs::rename(&temp, &target).is_ok() => {
                for key in loose {
                    let _ = std::fs::remove_file(own_file(key));
                }
            }
            _ => {
                let _ = std::fs::remove_file(&temp);
            }
        }
    }

    /// Write to `temp` the results `used` names, then those of the pack it did not use, aged.
    fn write(&self, temp: &Path, used: &HashMap<u64, bool>, own_file: &impl Fn(u64) -> PathBuf) -> io::Result<()> {
        let mut out = BufWriter::new(File::create(temp)?);
        let mut index: Vec<(u64, Slot)> = Vec::with_capacity(used.len() + self.index.len());
        let mut offset = 0u64;
        let mut put = |out: &mut BufWriter<File>, key: u64, bytes: &[u8], age: u8| -> io::Result<()> {
            out.write_all(bytes)?;
            index.push((key, Slot { offset, len: bytes.len() as u32, age }));
            offset += bytes.len() as u64;
            Ok(())
        };
        for (&key, &own) in used {
            let bytes = if own { std::fs::read(own_file(key)).ok() } else { self.read(key) };
            if let Some(bytes) = bytes.filter(|b| u32::try_from(b.len()).is_ok()) {
                put(&mut out, key, &bytes, 0)?;
            }
        }
        for (&key, slot) in self.index.iter().filter(|(key, slot)| !used.contains_key(*key) && slot.age < MAX_AGE) {
            if let Some(bytes) = self.read(key) {
                put(&mut out, key, &bytes, slot.age + 1)?;
            }
        }
        let start = offset;
        for (key, slot) in &index {
            out.write_all(&key.to_le_bytes())?;
            out.write_all(&slot.offset.to_le_bytes())?;
            out.write_all(&slot.len.to_le_bytes())?;
            out.write_all(&[slot.age])?;
        }
        out.write_all(&start.to_le_bytes())?;
        out.write_all(&(index.len() as u64).to_le_bytes())?;
        out.write_all(MAGIC)?;
        out.flush()
    }

    #[cfg(test)]
    fn keys(&self) -> Vec<u64> {
        let mut keys: Vec<u64> = self.index.keys().copied().collect();
        keys.sort_unstable();
        keys
    }
}

/// The index at the end of a pack, if the pack is whole.
fn read_index(file: &File) -> Option<HashMap<u64, Slot>> {
    let len = file.metadata().ok()?.len();
    let mut tail = [0u8; TAIL];
    file.read_exact_at(&mut tail, len.checked_sub(TAIL as u64)?).ok()?;
    let word = |bytes: &[u8]| u64::from_le_bytes(bytes.try_into().expect("8 bytes"));
    let (start, count) = (word(&tail[..8]), word(&tail[8..16]));
    if &tail[16..] != MAGIC || start.checked_add(count.checked_mul(ENTRY as u64)?)? != len - TAIL as u64 {
        return None;
    }
    let mut entries = vec![0u8; count as usize * ENTRY];
    file.read_exact_at(&mut entries, start).ok()?;
    let index: HashMap<u64, Slot> = entries
        .chunks_exact(ENTRY)
        .map(|e| {
            let slot = Slot { offset: word(&e[8..16]), len: u32::from_le_bytes(e[16..20].try_into().expect("4 bytes")), age: e[20] };
            (word(&e[..8]), slot)
        })
        .collect();
    let inside = index.values().all(|slot| slot.offset.checked_add(u64::from(slot.len)).is_some_and(|end| end <= start));
    inside.then_some(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A generation folder whose own files are named by key.
    fn own_file(dir: &Path) -> impl Fn(u64) -> PathBuf + '_ {
        move |key| dir.join(format!("{key:016x}"))
    }

    /// One run: keep `fresh` results in files of their own, use `again` from the pack, save.
    fn run(dir: &Path, fresh: std::ops::Range<u64>, again: &[u64]) -> Pack {
        let mut pack = Pack::open(dir);
        for key in fresh {
            std::fs::write(own_file(dir)(key), key.to_string()).unwrap();
            pack.note(key, true);
        }
        for &key in again {
            assert_eq!(pack.read(key), Some(key.to_string().into_bytes()), "{key} is in the pack");
            pack.note(key, false);
        }
        pack.save(dir, own_file(dir));
        Pack::open(dir)
    }

    #[test]
    fn results_kept_in_their_own_files_are_packed_and_their_files_removed() {
        let dir = tempfile::tempdir().unwrap();
        let n = PACK_AFTER as u64;
        let pack = run(dir.path(), 0..n - 1, &[]);
        assert!(pack.keys().is_empty(), "fewer than PACK_AFTER: not packed");
        assert!(own_file(dir.path())(0).exists());
        let pack = run(dir.path(), 0..n, &[]);
        assert_eq!(pack.keys(), (0..n).collect::<Vec<_>>());
        assert!((0..n).all(|key| !own_file(dir.path())(key).exists()), "the packed files are removed");
        for key in 0..n {
            assert_eq!(pack.read(key), Some(key.to_string().into_bytes()));
        }
        assert_eq!(pack.read(n), None);
    }

    #[test]
    fn results_unused_through_several_packings_go_and_used_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let n = PACK_AFTER as u64;
        run(dir.path(), 0..n, &[]);
        // Each later run keeps a new batch, uses key 0 again and none of 1..n.
        for round in 1..=u64::from(MAX_AGE) {
            let pack = run(dir.path(), round * 100..round * 100 + n, &[0]);
            assert!(pack.keys().contains(&1), "unused for {round} packings: still held");
        }
        let pack = run(dir.path(), 1000..1000 + n, &[0]);
        assert!(!pack.keys().contains(&1), "unused past MAX_AGE packings: dropped");
        assert!(pack.keys().contains(&0) && pack.keys().contains(&100), "used, or not yet too old: held");
    }

    #[test]
    fn a_damaged_pack_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let n = PACK_AFTER as u64;
        run(dir.path(), 0..n, &[]);
        let bytes = std::fs::read(dir.path().join(FILE)).unwrap();
        for cut in [bytes.len() - 1, bytes.len() - TAIL, 10, 0] {
            std::fs::write(dir.path().join(FILE), &bytes[..cut]).unwrap();
            assert!(Pack::open(dir.path()).keys().is_empty(), "cut at {cut}");
        }
        let mut flipped = bytes.clone();
        // The last entry's offset, its highest byte set: far past the results.
        flipped[bytes.len() - TAIL - ENTRY + 15] = 0xff;
        std::fs::write(dir.path().join(FILE), &flipped).unwrap();
        assert!(Pack::open(dir.path()).keys().is_empty(), "an entry pointing past the results");
        std::fs::write(dir.path().join(FILE), &bytes).unwrap();
        assert_eq!(Pack::open(dir.path()).keys().len(), n as usize);
    }
}
