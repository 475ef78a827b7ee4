//! What the walk's sieve said of each file, kept with the file's stamp (size, inode, change
//! times), so that a run over files that did not change asks the file system for their stamps
//! instead of reading them: `git status` and ruff's cache trust the same facts.
//!
//! The stamp holds the status-change time (`ctime`), which every write sets to the time of the
//! write and which, unlike the modification time, no tool can set back. A stamp is kept only for
//! a file whose last change is [`SETTLE`] older than the run: a change within the same tick of
//! the clock as the one seen would leave the stamp as it was. A file changed after the run
//! began has a later `ctime` than the one kept, so its stamp differs and it is read again.
//!
//! One file of records per binary, rule set and roots (the sieve's answer depends on all three),
//! rewritten only when a stamp changed; on a system without these facts nothing is kept.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use foldhash::fast::FixedState;

use super::{binary_fingerprint, hash_of, make_folder, path_hash, remove_stale_files, write_atomically, FORMAT};
use crate::rules::RuleSet;
use crate::walk::Sieved;

/// How much older than the run a file's last change must be for its stamp to be kept.
const SETTLE: Duration = Duration::from_secs(2);

/// Where the files of stamps live, beside the generations of plans.
pub const FOLDER: &str = "stamps";

/// The facts of a file that change whenever its bytes do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    device: u64,
    inode: u64,
    /// Nanoseconds since the epoch.
    modified: i64,
    changed: i64,
}

impl Stamp {
    #[cfg(unix)]
    fn of(path: &Path) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        let nanos = |secs: i64, nsec: i64| secs.checked_mul(1_000_000_000)?.checked_add(nsec);
        Some(Stamp {
            len: meta.size(),
            device: meta.dev(),
            inode: meta.ino(),
            modified: nanos(meta.mtime(), meta.mtime_nsec())?,
            changed: nanos(meta.ctime(), meta.ctime_nsec())?,
        })
    }

    #[cfg(not(unix))]
    fn of(_: &Path) -> Option<Stamp> {
        None
    }

    /// Whether the file's last change is [`SETTLE`] older than `since`.
    fn settled(&self, since: SystemTime) -> bool {
        let Ok(since) = since.checked_sub(SETTLE).unwrap_or(UNIX_EPOCH).duration_since(UNIX_EPOCH) else {
            return false;
        };
        i128::from(self.changed) < since.as_nanos() as i128
    }
}

/// A file's stamp and what the sieve said of it ([`Sieved`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Record {
    stamp: Stamp,
    mentions: bool,
    /// The hash of the bytes the sieve read.
    read_hash: Option<u64>,
}

/// The size of a record on disk: the path's hash, five stamp fields, a flag and the text's hash.
const RECORD: usize = 8 * 6 + 1 + 8;

impl Record {
    fn encode(&self, key: u64, out: &mut Vec<u8>) {
        let s = &self.stamp;
        for n in [key, s.len, s.device, s.inode, s.modified as u64, s.changed as u64] {
            out.extend(n.to_le_bytes());
        }
        out.push(u8::from(self.mentions) | (u8::from(self.read_hash.is_some()) << 1));
        out.extend(self.read_hash.unwrap_or(0).to_le_bytes());
    }

    fn decode(bytes: &[u8]) -> (u64, Record) {
        let n = |i: usize| u64::from_le_bytes(bytes[i * 8..i * 8 + 8].try_into().expect("8 bytes"));
        let flags = bytes[48];
        let stamp = Stamp { len: n(1), device: n(2), inode: n(3), modified: n(4) as i64, changed: n(5) as i64 };
        let read_hash = u64::from_le_bytes(bytes[49..57].try_into().expect("8 bytes"));
        (n(0), Record { stamp, mentions: flags & 1 == 1, read_hash: (flags & 2 == 2).then_some(read_hash) })
    }
}

/// The stamps kept for one walk, and those it finds.
#[derive(Debug, Default)]
pub struct Stamps {
    /// Where they are kept, and when the run began (see [`SETTLE`]); `None` keeps nothing and
    /// looks at no stamp.
    kept_in: Option<(PathBuf, SystemTime)>,
    kept: HashMap<u64, Record, FixedState>,
    found: Mutex<Found>,
}

#[derive(Debug, Default)]
struct Found {
    records: Vec<(u64, Record)>,
    /// Whether a record differs from the kept one, or a file was not recorded.
    changed: bool,
}

impl Stamps {
    /// The stamps kept under `root` (a cache folder) for a walk of `roots` with `rules`.
    pub fn open(root: &Path, rules: &RuleSet, roots: &[PathBuf]) -> io::Result<Stamps> {
        let roots: Vec<PathBuf> = roots.iter().map(|r| r.canonicalize().unwrap_or_else(|_| r.clone())).collect();
        let folder = root.join(FORMAT).join(FOLDER);
        make_folder(root, &folder)?;
        let file = folder.join(format!("{:016x}", hash_of(&(binary_fingerprint()?, rules.fingerprint, roots))));
        Ok(Stamps::read(file, SystemTime::now()))
    }

    /// The stamps kept in `file`, for a run that began at `since`.
    fn read(file: PathBuf, since: SystemTime) -> Stamps {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let kept = bytes.chunks_exact(RECORD).map(Record::decode).collect();
        Stamps { kept_in: Some((file, since)), kept, found: Mutex::default() }
    }

    /// What the sieve says of the file at `path`: what was kept for its stamp when the stamp is
    /// the same, else what `read` says (reading it), recorded with the stamp taken before. A file
    /// over `limit` bytes is read again: what was kept of it came from a run with a higher limit,
    /// which planned it, and this run does not.
    pub fn sieve(&self, path: &Path, limit: u64, read: impl FnOnce() -> Sieved) -> Sieved {
        let Some((_, since)) = self.kept_in else { return read() };
        let key = path_hash(path);
        let stamp = Stamp::of(path);
        if let Some(kept) = self.kept.get(&key).filter(|kept| Some(kept.stamp) == stamp && kept.stamp.len <= limit) {
            self.found().records.push((key, *kept));
            return (kept.mentions, kept.read_hash);
        }
        let (mentions, read_hash) = read();
        // A file that could not be read is read again next time, to say why.
        let record = stamp
            .filter(|stamp| stamp.settled(since) && read_hash.is_some())
            .map(|stamp| Record { stamp, mentions, read_hash });
        let mut found = self.found();
        found.changed = true;
        found.records.extend(record.map(|record| (key, record)));
        (mentions, read_hash)
    }

    fn found(&self) -> std::sync::MutexGuard<'_, Found> {
        self.found.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Keep the stamps of this walk, in place of those kept, when one changed or a file is gone.
    pub fn save(self) {
        let Some((file, _)) = self.kept_in else { return };
        let mut found = self.found.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Overlapping roots sieve a file once for each before the walk drops the copies: more
        // records than were kept may be the same ones again.
        if found.records.len() > self.kept.len() {
            found.records.sort_unstable_by_key(|&(key, _)| key);
            found.records.dedup_by_key(|&mut (key, _)| key);
        }
        if !found.changed && found.records.len() == self.kept.len() {
            return;
        }
        let mut bytes = Vec::with_capacity(found.records.len() * RECORD);
        for (key, record) in &found.records {
            record.encode(*key, &mut bytes);
        }
        if write_atomically(&file, &bytes).is_ok() {
            remove_stale_files(file.parent().expect("stamps live in a folder"));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    /// The sieve of `stamps` on `path`, and whether it read the file.
    fn sieve(stamps: &Stamps, path: &Path) -> (Sieved, bool) {
        let read = Cell::new(false);
        let sieved = stamps.sieve(path, u64::MAX, || {
            read.set(true);
            match std::fs::read(path) {
                Ok(text) => (text.windows(7).any(|w| w == b"session"), Some(crate::cache::text_hash(&text))),
                Err(_) => (true, None),
            }
        });
        (sieved, read.get())
    }

    /// A run that begins `after` from now, keeping its stamps in `file`.
    fn run(file: &Path, after: Duration) -> Stamps {
        Stamps::read(file.to_path_buf(), SystemTime::now() + after)
    }

    /// Two files written now, and where their stamps are kept.
    fn tree() -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let (kept, quiet, loud) = (dir.path().join("kept"), dir.path().join("quiet.py"), dir.path().join("loud.py"));
        std::fs::write(&quiet, "x = 12\n").unwrap();
        std::fs::write(&loud, "session = 1\n").unwrap();
        (dir, kept, quiet, loud)
    }

    #[test]
    fn an_unchanged_file_is_not_read_again_and_a_rewritten_one_is() {
        let (_dir, kept, quiet, loud) = tree();
        let first = run(&kept, SETTLE * 2);
        let (said_quiet, said_loud) = (sieve(&first, &quiet), sieve(&first, &loud));
        assert!(said_quiet.1 && said_loud.1, "a first run reads every file");
        assert!(!said_quiet.0 .0 && said_loud.0 .0);
        first.save();

        let second = run(&kept, SETTLE * 2);
        assert_eq!(sieve(&second, &quiet), (said_quiet.0, false));
        assert_eq!(sieve(&second, &loud), (said_loud.0, false));
        second.save();

        // The same size, and the modification time set back: the change time still moves. The
        // clock ticks coarser than a nanosecond: the write waits for the next tick.
        let modified = std::fs::metadata(&quiet).unwrap().modified().unwrap();
        std::thread::sleep(Duration::from_millis(50));
        std::fs::write(&quiet, "session").unwrap();
        std::fs::File::options().write(true).open(&quiet).unwrap().set_modified(modified).unwrap();
        assert_eq!(std::fs::metadata(&quiet).unwrap().modified().unwrap(), modified);
        let third = run(&kept, SETTLE * 2);
        let (sieved, read) = sieve(&third, &quiet);
        assert!(read, "a rewritten file is read again");
        assert!(sieved.0, "and what it says now is taken");
        assert!(!sieve(&third, &loud).1);
    }

    #[test]
    fn a_file_changed_just_before_the_run_is_read_again() {
        let (_dir, kept, quiet, _) = tree();
        let first = run(&kept, SETTLE / 2);
        assert!(sieve(&first, &quiet).1);
        first.save();
        assert!(sieve(&run(&kept, SETTLE * 2), &quiet).1, "its stamp was not kept");
    }

    #[test]
    fn a_file_over_the_size_limit_is_read_again() {
        let (_dir, kept, quiet, _) = tree();
        let first = run(&kept, SETTLE * 2);
        assert!(sieve(&first, &quiet).1);
        first.save();
        let second = run(&kept, SETTLE * 2);
        let size = std::fs::metadata(&quiet).unwrap().len();
        assert_eq!(second.sieve(&quiet, size, || panic!("a file within the limit is not read again")), (false, Some(crate::cache::text_hash(b"x = 12\n"))));
        assert_eq!(second.sieve(&quiet, size - 1, || (false, None)), (false, None), "kept by a run with a higher limit: read again");
    }

    #[test]
    fn a_file_that_cannot_be_read_is_read_again() {
        let (_dir, kept, quiet, _) = tree();
        let first = run(&kept, SETTLE * 2);
        assert_eq!(first.sieve(&quiet, u64::MAX, || (true, None)), (true, None));
        first.save();
        assert!(sieve(&run(&kept, SETTLE * 2), &quiet).1);
    }

    /// A run that sieves `files` in turn and keeps their stamps; what it wrote.
    fn keep(kept: &Path, files: &[&Path]) -> Vec<u8> {
        let stamps = run(kept, SETTLE * 2);
        for file in files {
            sieve(&stamps, file);
        }
        stamps.save();
        std::fs::read(kept).unwrap()
    }

    /// A run that finds every one of `files` by its stamp, in turn, and so writes nothing.
    fn assert_nothing_written(kept: &Path, files: &[&Path]) {
        let stamps = run(kept, SETTLE * 2);
        for file in files {
            assert!(!sieve(&stamps, file).1, "{file:?} is read again");
        }
        std::fs::remove_file(kept).unwrap();
        stamps.save();
        assert!(!kept.exists(), "nothing changed: nothing is written");
    }

    #[test]
    fn stamps_are_written_again_only_when_one_changed_or_a_file_is_gone() {
        let (_dir, kept, quiet, loud) = tree();
        let written = keep(&kept, &[&quiet, &loud]);
        assert_eq!(written.len(), 2 * RECORD);
        assert_nothing_written(&kept, &[&quiet, &loud]);

        std::fs::write(&kept, &written).unwrap();
        assert_eq!(keep(&kept, &[&quiet]).len(), RECORD, "the file not walked is forgotten");
    }

    #[test]
    fn a_file_sieved_twice_is_kept_once() {
        let (_dir, kept, quiet, _) = tree();
        assert_eq!(keep(&kept, &[&quiet, &quiet]).len(), RECORD);
        assert_nothing_written(&kept, &[&quiet, &quiet]);
    }

    #[test]
    fn a_torn_file_keeps_its_whole_records() {
        let (_dir, kept, quiet, loud) = tree();
        let mut written = keep(&kept, &[&quiet, &loud]);
        written.truncate(2 * RECORD - 3);
        std::fs::write(&kept, &written).unwrap();
        let torn = run(&kept, SETTLE * 2);
        let sieved = [sieve(&torn, &quiet).1, sieve(&torn, &loud).1];
        assert_eq!(sieved.iter().filter(|&&read| read).count(), 1, "only the torn record's file is read");
        torn.save();
        assert_eq!(std::fs::read(&kept).unwrap().len(), 2 * RECORD, "and both are kept again");
    }

    #[test]
    fn without_a_file_every_file_is_read() {
        let (_dir, _, quiet, _) = tree();
        let none = Stamps::default();
        assert!(sieve(&none, &quiet).1);
        none.save();
        assert!(sieve(&Stamps::default(), &quiet).1);
    }
}
