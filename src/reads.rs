//! What a file's plan read besides the file itself, so a cached plan can be trusted only while
//! every one of those reads would still give the same answer.
//!
//! Rewriters reach other files in a few places (Python re-exports, TypeScript module resolution
//! and the exports of imported files), and they and cross-file safety consult the run's shared
//! verdicts ([`Read::Shared`]). Each goes through a function here that records what it saw into
//! the plan or result being computed on this thread ([`capture`]). No read needs the planned
//! file's text to be asked again: a kept answer is checked without reading its file. Run-wide
//! memos that answer from earlier work keep the reads made while filling them ([`Recorded`]) and
//! count them again on every use: a plan that takes a memoized answer depends on everything that
//! answer was made from, however many imports away.

use std::cell::RefCell;
use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::cache::{hash_of, path_hash, text_hash};
use crate::memo::Shards;
use crate::safety::Shared;
use crate::walk::WalkedFile;

mod names;
pub use names::Names;

/// One answer a plan took from outside its file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Read {
    /// A file's bytes (their hash), or `None` when it could not be read.
    File { path: PathBuf, hash: Option<u64> },
    /// Whether a path is a file (symbolic links followed).
    IsFile { path: PathBuf, is: bool },
    /// What a folder holds (see [`Listing`]).
    Folder { path: PathBuf, listing: u64 },
    /// Whether a path is a folder (symbolic links followed).
    IsFolder { path: PathBuf, is: bool },
    /// A lookup in the run's shared verdicts: the hash of the question and of the answer
    /// ([`Shared::answer`]).
    Shared { question: u64, answer: u64 },
}

impl Read {
    /// What reads are sorted and told apart by: paths by their bytes (comparing `Path`s walks
    /// their components). The same path written two ways is only checked twice.
    fn order(&self) -> (u8, &[u8], u64, u64) {
        match self {
            Read::File { path, hash } => (0, path.as_os_str().as_encoded_bytes(), hash.is_some().into(), hash.unwrap_or(0)),
            Read::IsFile { path, is } => (1, path.as_os_str().as_encoded_bytes(), (*is).into(), 0),
            Read::Folder { path, listing } => (2, path.as_os_str().as_encoded_bytes(), *listing, 0),
            Read::Shared { question, answer } => (3, &[], *question, *answer),
            Read::IsFolder { path, is } => (4, path.as_os_str().as_encoded_bytes(), (*is).into(), 0),
        }
    }
}

thread_local! {
    /// The plans being computed on this thread, innermost last: each gathers what it reads.
    static FRAMES: RefCell<Vec<Vec<Arc<Reads>>>> = const { RefCell::new(Vec::new()) };
}

/// Reads made together: some of their own, and those of the memoized answers they used, shared
/// rather than copied (an answer made from other answers holds them once, however many plans
/// or answers use it).
#[derive(Debug, Default)]
struct Reads {
    own: Vec<Read>,
    /// Groups of reads kept elsewhere (see [`KeptReads::groups`]), replayed from a kept plan.
    groups: Vec<u64>,
    used: Vec<Arc<Reads>>,
    /// Made by a memoized answer ([`Recorded`]): the plans that use it share it.
    answer: bool,
}

impl Reads {
    fn one(read: Read) -> Arc<Reads> {
        Arc::new(Reads { own: vec![read], ..Reads::default() })
    }

    /// Every read, each `Reads` visited once however often it was used.
    fn flatten(&self) -> KeptReads {
        let mut kept = KeptReads::default();
        self.visit(|reads| {
            kept.add(reads);
            true
        });
        kept.settle();
        kept
    }

    /// The reads made outside memoized answers (not yet settled), and every memoized answer
    /// used, flattened ([`capture_grouped`]).
    fn split(&self) -> (KeptReads, Vec<KeptReads>) {
        let (mut kept, mut answers) = (KeptReads::default(), Vec::new());
        self.visit(|reads| {
            if reads.answer {
                answers.push(reads.flatten());
                return false;
            }
            kept.add(reads);
            true
        });
        (kept, answers)
    }

    /// Call `visit` on this and every `Reads` it used, each once, not below those it says `false` of.
    fn visit<'r>(&'r self, mut visit: impl FnMut(&'r Reads) -> bool) {
        let mut seen = HashSet::new();
        let mut todo: Vec<&Reads> = vec![self];
        while let Some(next) = todo.pop() {
            if visit(next) {
                todo.extend(next.used.iter().filter(|used| seen.insert(Arc::as_ptr(used))).map(|used| &**used));
            }
        }
    }
}

/// What a plan read, as a cache keeps it: single reads, and groups of reads kept once for all the
/// plans that share them (a memoized answer's), by id ([`crate::cache`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeptReads {
    pub reads: Vec<Read>,
    pub groups: Vec<u64>,
}

impl KeptReads {
    fn add(&mut self, reads: &Reads) {
        self.reads.extend(reads.own.iter().cloned());
        self.groups.extend_from_slice(&reads.groups);
    }

    /// Sorted, each read and group once.
    fn settle(&mut self) {
        self.reads.sort_unstable_by(|a, b| a.order().cmp(&b.order()));
        self.reads.dedup_by(|a, b| a.order() == b.order());
        self.groups.sort_unstable();
        self.groups.dedup();
    }

    pub fn len(&self) -> usize {
        self.reads.len() + self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn recording() -> bool {
    FRAMES.with(|frames| !frames.borrow().is_empty())
}

fn record(reads: Arc<Reads>) {
    FRAMES.with(|frames| {
        if let Some(frame) = frames.borrow_mut().last_mut() {
            frame.push(reads);
        }
    });
}

/// Run `compute`, gathering every read it makes, shared (`None` when it made none); they count
/// for any enclosing capture too. `answer`: they make a memoized answer.
fn gather<T>(answer: bool, compute: impl FnOnce() -> T) -> (T, Option<Arc<Reads>>) {
    /// Pops the frame even if `compute` unwinds, so the thread's frames stay balanced.
    struct Frame;
    impl Drop for Frame {
        fn drop(&mut self) {
            FRAMES.with(|frames| frames.borrow_mut().pop());
        }
    }
    FRAMES.with(|frames| frames.borrow_mut().push(Vec::new()));
    let frame = Frame;
    let value = compute();
    let mut used = FRAMES.with(|frames| std::mem::take(frames.borrow_mut().last_mut().expect("pushed above")));
    drop(frame);
    if used.is_empty() {
        return (value, None);
    }
    // A memoized answer is asked for many times per file: it is held once.
    used.sort_unstable_by_key(Arc::as_ptr);
    used.dedup_by(|a, b| Arc::ptr_eq(a, b));
    // Reads made here and used by nothing else become this one's own: memoized answers are held
    // by the thousand, and three allocations a read (its `Arc`, list and path), scattered among
    // short-lived ones, kept the allocator from giving memory back.
    let (mut own, mut groups) = (Vec::new(), Vec::new());
    used.retain_mut(|reads| match Arc::get_mut(reads) {
        Some(single) if single.used.is_empty() && !single.answer => {
            own.append(&mut single.own);
            groups.append(&mut single.groups);
            false
        }
        _ => true,
    });
    own.shrink_to_fit();
    used.shrink_to_fit();
    let reads = Arc::new(Reads { own, groups, used, answer });
    record(reads.clone());
    (value, Some(reads))
}

/// Run `compute`, gathering every read it makes; they count for any enclosing capture too.
pub fn capture<T>(compute: impl FnOnce() -> T) -> (T, KeptReads) {
    let (value, reads) = gather(false, compute);
    (value, reads.map_or_else(KeptReads::default, |reads| reads.flatten()))
}

/// [`capture`], with the reads of each memoized answer used kept apart by `group`, which gives
/// the group's id: many plans share them, and a cache keeps them once ([`KeptReads::groups`]).
/// An answer of one read is kept as that read.
pub fn capture_grouped<T>(compute: impl FnOnce() -> T, mut group: impl FnMut(&KeptReads) -> u64) -> (T, KeptReads) {
    let (value, reads) = gather(false, compute);
    let Some(reads) = reads else { return (value, KeptReads::default()) };
    let (mut kept, answers) = reads.split();
    for answer in answers {
        if answer.len() > 1 {
            kept.groups.push(group(&answer));
        } else {
            kept.reads.extend(answer.reads);
            kept.groups.extend(answer.groups);
        }
    }
    kept.settle();
    (value, kept)
}

/// Count `reads`, made by an answer kept from earlier, for the plans being computed now.
pub fn replay(reads: KeptReads) {
    if !reads.is_empty() && recording() {
        record(Arc::new(Reads { own: reads.reads, groups: reads.groups, ..Reads::default() }));
    }
}

/// A memoized answer with the reads it was made from.
#[derive(Debug)]
pub struct Recorded<T> {
    value: T,
    reads: Option<Arc<Reads>>,
}

impl<T> Recorded<T> {
    pub fn capture(compute: impl FnOnce() -> T) -> Recorded<T> {
        let (value, reads) = gather(true, compute);
        Recorded { value, reads }
    }

    /// The answer; the plan being computed now depends on what it was made from.
    pub fn get(&self) -> &T {
        if let Some(reads) = &self.reads {
            record(reads.clone());
        }
        &self.value
    }
}

/// `std::fs::read_to_string`, recorded.
pub fn read_to_string(path: &Path) -> io::Result<String> {
    let bytes = std::fs::read(path);
    if recording() {
        let hash = bytes.as_ref().ok().map(|bytes| text_hash(bytes));
        record(Reads::one(Read::File { path: path.to_path_buf(), hash }));
    }
    String::from_utf8(bytes?).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// `Path::is_file`, recorded.
pub fn is_file(path: &Path) -> bool {
    let is = path.is_file();
    if recording() {
        record(Reads::one(Read::IsFile { path: path.to_path_buf(), is }));
    }
    is
}

/// `Path::is_dir`, recorded.
pub fn is_folder(path: &Path) -> bool {
    let is = path.is_dir();
    if recording() {
        record(Reads::one(Read::IsFolder { path: path.to_path_buf(), is }));
    }
    is
}

/// The files and subfolders of `folder` (the current folder when empty), symbolic links followed.
pub type Listing = (Names, Names);

/// What `folder` holds, recorded.
pub fn list_folder(folder: &Path) -> io::Result<Listing> {
    let listing = list(folder);
    if recording() {
        record(Reads::one(Read::Folder { path: folder.to_path_buf(), listing: listing_hash(&listing) }));
    }
    listing
}

fn list(folder: &Path) -> io::Result<Listing> {
    list_all(folder).map(|(listing, _)| listing)
}

/// [`list`], and the names of the entries that are neither files nor folders (sockets, broken
/// links).
fn list_all(folder: &Path) -> io::Result<(Listing, Names)> {
    let folder = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
    let (mut files, mut folders, mut others) = (Vec::new(), Vec::new(), Vec::new());
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let (is_file, is_folder) = match entry.file_type() {
            Ok(kind) if !kind.is_symlink() => (kind.is_file(), kind.is_dir()),
            _ => {
                let path = entry.path();
                (path.is_file(), path.is_dir())
            }
        };
        if is_file {
            files.push(entry.file_name());
        } else if is_folder {
            folders.push(entry.file_name());
        } else {
            others.push(entry.file_name());
        }
    }
    let names = |list: Vec<OsString>| list.into_iter().collect::<Names>();
    Ok(((names(files), names(folders)), names(others)))
}

/// The names a folder holds, each with its kind; a folder that is missing and one that cannot
/// be listed are told apart, as the resolver tells them apart.
fn listing_hash(listing: &io::Result<Listing>) -> u64 {
    match listing {
        Ok(listing) => names_hash(listing),
        Err(e) => unlisted_hash(e.kind() == io::ErrorKind::NotFound),
    }
}

/// In any order: the hashes of the names (a name is listed once) are added up, not sorted
/// first. Folders are hashed with another seed than files.
fn names_hash((files, folders): &Listing) -> u64 {
    let sum = |names: &Names, seed| {
        names.iter().fold(0u64, |sum, name| sum.wrapping_add(xxh3_64_with_seed(name.as_encoded_bytes(), seed)))
    };
    sum(files, 1) ^ sum(folders, 2).rotate_left(1) ^ (files.len() as u64) << 32 ^ folders.len() as u64
}

/// [`listing_hash`] of a folder that is missing, or else cannot be listed.
fn unlisted_hash(missing: bool) -> u64 {
    hash_of(if missing { "missing" } else { "unlisted" })
}

/// Record a lookup in the shared verdicts, hashed: the question and its answer are computed
/// only while a plan is being recorded.
pub fn asked(question: impl FnOnce() -> u64, answer: impl FnOnce() -> u64) {
    if recording() {
        record(Reads::one(Read::Shared { question: question(), answer: answer() }));
    }
}

/// Answers the reads again, each file and folder looked at once per run (again only past the
/// bound of what is held). A path is a file when its folder lists it: one listing answers every
/// path asked in a folder, and a folder its parent does not list is missing without a look, so
/// the many candidate paths module resolution tried cost a listing of the folders that exist.
#[derive(Debug, Default)]
pub struct Probes {
    /// The hashes of the files the walk read, by the hash of their path ([`Probes::walked`]).
    walked: foldhash::HashMap<u64, u64>,
    files: Answers<Option<u64>, 128>,
    is_file: Answers<bool, 1024>,
    folders: Answers<Folder, 128>,
}

/// Answers by path, each asked many times a run, keyed by the path's bytes. Past `LIMIT` in a
/// shard, an answer is looked up again.
type Answers<T, const LIMIT: usize> = Shards<OsString, T, LIMIT>;

/// What a folder held when a run first looked.
#[derive(Debug)]
enum Folder {
    Listed { listing: Listing, others: Names, hash: u64 },
    Missing,
    /// Not a folder, or not readable.
    Unlisted,
}

impl Folder {
    fn looked(looked: io::Result<(Listing, Names)>) -> Folder {
        match looked {
            Ok((listing, others)) => Folder::Listed { hash: names_hash(&listing), listing, others },
            Err(e) if e.kind() == io::ErrorKind::NotFound => Folder::Missing,
            Err(_) => Folder::Unlisted,
        }
    }

    /// The hash [`list_folder`] records for it.
    fn hash(&self) -> u64 {
        match self {
            Folder::Listed { hash, .. } => *hash,
            Folder::Missing => unlisted_hash(true),
            Folder::Unlisted => unlisted_hash(false),
        }
    }
}

impl Probes {
    /// The hashes of the files the walk read this run ([`crate::walk::WalkedFile::read_hash`]),
    /// whether they mention a term or not: a file read by another file's plan (a module it
    /// imports) is most often one of them, and is not read again. Keyed by the hash of the path,
    /// as kept stamps are: no path is copied.
    pub fn walked(files: &[WalkedFile]) -> Probes {
        let hashes = files.iter().filter_map(|f| Some((path_hash(&f.path), f.read_hash?)));
        Probes { walked: hashes.collect(), ..Probes::default() }
    }

    /// Whether `read` gives the same answer now.
    pub fn still_holds(&self, read: &Read, shared: &Shared) -> bool {
        match read {
            Read::File { path, hash } => match self.walked.get(&path_hash(path)) {
                Some(walked) => *hash == Some(*walked),
                None => *hash == probe(&self.files, path, |p| std::fs::read(p).ok().map(|bytes| text_hash(&bytes))),
            },
            Read::IsFile { path, is } => *is == self.is_file(path),
            Read::Folder { path, listing } => *listing == self.folder(path, Folder::hash),
            Read::IsFolder { path, is } => *is == self.is_folder(path),
            Read::Shared { question, answer } => *answer == shared.answer(*question),
        }
    }

    fn is_file(&self, path: &Path) -> bool {
        probe(&self.is_file, path, |path| self.lists(path, |(files, _)| files).unwrap_or_else(|| path.is_file()))
    }

    fn is_folder(&self, path: &Path) -> bool {
        self.lists(path, |(_, folders)| folders).unwrap_or_else(|| path.is_dir())
    }

    /// Whether `names` of the listing of `path`'s folder hold its name; `None` when the
    /// listing cannot tell (an unlisted folder, or a path that does not name an entry as written).
    fn lists(&self, path: &Path, names: impl Fn(&Listing) -> &Names) -> Option<bool> {
        let (parent, name) = entry_of(path)?;
        self.folder(parent, |folder| match folder {
            Folder::Listed { listing, .. } => Some(names(listing).contains(name)),
            Folder::Missing => Some(false),
            Folder::Unlisted => None,
        })
    }

    /// What `read` says of the folder at `path`, as a run first looked at it.
    fn folder<R>(&self, path: &Path, read: impl Fn(&Folder) -> R) -> R {
        let look = || if self.parent_lacks(path) { Folder::Missing } else { Folder::looked(list_all(path)) };
        self.folders.read(path.as_os_str(), look, read)
    }

    /// Whether the folder holding `path` is missing or does not list it.
    fn parent_lacks(&self, path: &Path) -> bool {
        entry_of(path).is_some_and(|(parent, name)| {
            self.folder(parent, |parent| match parent {
                Folder::Missing => true,
                Folder::Listed { listing: (files, folders), others, .. } => {
                    !files.contains(name) && !folders.contains(name) && !others.contains(name)
                }
                Folder::Unlisted => false,
            })
        })
    }
}

/// `path` as a folder and the name of an entry in it, when the path names it as written: not
/// through `..` (which leaves a folder reached by a symbolic link for another), nor with a
/// trailing `/` or `.` (which ask for a folder). By bytes: it is asked for every path probed.
fn entry_of(path: &Path) -> Option<(&Path, &OsStr)> {
    let bytes = path.as_os_str().as_encoded_bytes();
    let (parent, name) = match bytes.iter().rposition(|&b| b == b'/') {
        Some(0) => (&bytes[..1], &bytes[1..]),
        Some(slash) => (&bytes[..slash], &bytes[slash + 1..]),
        None => (&b""[..], bytes),
    };
    let parent_dir = |part: &[u8]| part == b"..";
    if name.is_empty() || name == b"." || parent_dir(name) || bytes.split(|&b| b == b'/').any(parent_dir) {
        return None;
    }
    // SAFETY: both halves come from a platform string split at an ASCII `/`, which std allows.
    let os = |part| unsafe { OsStr::from_encoded_bytes_unchecked(part) };
    Some((Path::new(os(parent)), os(name)))
}

fn probe<T: Clone, const LIMIT: usize>(known: &Answers<T, LIMIT>, path: &Path, look: impl FnOnce(&Path) -> T) -> T {
    known.get_or_make(path.as_os_str(), || look(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`capture`], where no kept groups are replayed.
    fn flat<T>(compute: impl FnOnce() -> T) -> (T, Vec<Read>) {
        let (value, kept) = capture(compute);
        assert!(kept.groups.is_empty());
        (value, kept.reads)
    }

    #[test]
    fn memoized_answers_of_more_than_one_read_are_kept_as_groups_and_replayed_by_id() {
        let dir = tempfile::tempdir().unwrap();
        let [a, b, c] = ["a.py", "b.py", "c.py"].map(|name| dir.path().join(name));
        let pair = Recorded::capture(|| (is_file(&a), is_file(&b)));
        let single = Recorded::capture(|| is_file(&c));
        let mut kept = Vec::new();
        let ((), plan) = capture_grouped(
            || {
                pair.get();
                single.get();
                pair.get();
                let _ = list_folder(dir.path());
            },
            |group| {
                kept.push(group.clone());
                40 + kept.len() as u64
            },
        );
        let is_not = |path: &Path| Read::IsFile { path: path.to_path_buf(), is: false };
        assert_eq!(kept, vec![KeptReads { reads: vec![is_not(&a), is_not(&b)], groups: Vec::new() }], "one group, once");
        assert_eq!(plan.groups, vec![41]);
        assert_eq!(plan.reads.len(), 2, "the folder and the answer of one read: {plan:?}");
        assert!(plan.reads.contains(&is_not(&c)));
        // A plan that takes this one from a cache depends on the same group.
        let ((), outer) = capture(|| replay(plan.clone()));
        assert_eq!(outer, plan);
    }

    #[test]
    fn reads_count_for_every_enclosing_capture() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.py");
        std::fs::write(&file, "x = 1\n").unwrap();
        let (inner, outer) = flat(|| {
            let (_, inner) = flat(|| is_file(&file));
            let _ = list_folder(dir.path());
            inner
        });
        assert_eq!(inner, vec![Read::IsFile { path: file.clone(), is: true }]);
        assert_eq!(outer.len(), 2, "{outer:?}");
        assert!(outer.contains(&inner[0]));
    }

    #[test]
    fn a_memoized_answer_brings_its_reads_to_each_plan_that_uses_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("b.ts");
        std::fs::write(&file, "export const b = 1\n").unwrap();
        let (memo, first) = flat(|| {
            let memo = Recorded::capture(|| read_to_string(&file).unwrap().len());
            memo.get();
            memo
        });
        let (len, second) = flat(|| *memo.get());
        assert_eq!(len, 19);
        assert_eq!(first, second);
        assert!(matches!(&second[..], [Read::File { hash: Some(_), .. }]));
        // Outside any plan nothing is recorded, and nothing fails.
        assert_eq!(*memo.get(), 19);
    }

    #[test]
    fn an_answer_made_from_other_answers_brings_all_their_reads_once() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.py"), dir.path().join("b.py"));
        std::fs::write(&a, "a = 1\n").unwrap();
        let inner = Recorded::capture(|| is_file(&a));
        let outer = Recorded::capture(|| {
            for _ in 0..3 {
                inner.get();
            }
            is_file(&b)
        });
        let (_, reads) = flat(|| {
            outer.get();
            inner.get();
            outer.get();
        });
        let expected = vec![Read::IsFile { path: a.clone(), is: true }, Read::IsFile { path: b.clone(), is: false }];
        assert_eq!(reads, expected, "the inner answer's read, through the outer one, and the outer's own, once each");
        // The outer answer holds the inner one's reads, not a copy, and its own read in its own list.
        let held = outer.reads.as_ref().unwrap();
        assert_eq!(held.used.len(), 1);
        assert!(Arc::ptr_eq(&held.used[0], inner.reads.as_ref().unwrap()));
        assert_eq!(held.own, vec![Read::IsFile { path: b.clone(), is: false }]);
    }

    #[test]
    fn paths_are_answered_from_the_listing_of_their_folder_as_the_system_answers_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("pkg/sub")).unwrap();
        std::fs::write(root.join("pkg/m.py"), "").unwrap();
        std::os::unix::fs::symlink(root.join("pkg"), root.join("link")).unwrap();
        std::os::unix::fs::symlink(root.join("pkg/m.py"), root.join("pkg/alias.py")).unwrap();
        std::os::unix::fs::symlink(root.join("gone"), root.join("pkg/broken")).unwrap();
        let asked = [
            "pkg/m.py",
            "pkg/alias.py",
            "link/m.py",
            "pkg/sub",
            "pkg/none.py",
            "pkg/broken",
            "pkg/broken/x.py",
            "pkg/m.py/x.py",
            "no/such/folder/x.py",
            "pkg/sub/../m.py",
            "pkg/m.py/",
            "pkg/.",
        ];
        let shared = Shared::default();
        let probes = Probes::default();
        for path in asked.map(|p| root.join(p)) {
            let (is, listing) = (path.is_file(), listing_hash(&list(&path)));
            assert!(probes.still_holds(&Read::IsFile { path: path.clone(), is }, &shared), "{path:?} is a file: {is}");
            assert!(!probes.still_holds(&Read::IsFile { path: path.clone(), is: !is }, &shared), "{path:?}");
            assert!(probes.still_holds(&Read::Folder { path: path.clone(), listing }, &shared), "{path:?} lists as {listing}");
        }
    }

    #[test]
    fn a_file_the_walk_read_is_not_read_again() {
        let shared = Shared::default();
        // Neither exists: an answer can only come from the walk. A module another file imports
        // need not mention the term.
        for mentions in [true, false] {
            let path = PathBuf::from("never/written.ts");
            let probes = Probes::walked(&[WalkedFile { path: path.clone(), root: 0, mentions, read_hash: Some(7) }]);
            assert!(probes.still_holds(&Read::File { path: path.clone(), hash: Some(7) }, &shared), "mentions: {mentions}");
            assert!(!probes.still_holds(&Read::File { path, hash: Some(8) }, &shared), "mentions: {mentions}");
        }
    }

    #[test]
    fn a_listing_changes_with_each_name_and_kind_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.py"), "").unwrap();
        let hash = || listing_hash(&list(dir.path()));
        let files_only = hash();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let with_folder = hash();
        std::fs::remove_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub"), "").unwrap();
        let with_file = hash();
        assert!(files_only != with_folder && with_folder != with_file && with_file != files_only);
        std::fs::remove_file(dir.path().join("sub")).unwrap();
        assert_eq!(hash(), files_only);
    }

    #[test]
    fn probes_see_what_changed_since_a_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.py");
        std::fs::write(&file, "Session = 1\n").unwrap();
        let (_, reads) = flat(|| {
            let _ = read_to_string(&file);
            let _ = list_folder(dir.path());
            is_file(&dir.path().join("missing.py"))
        });
        let shared = Shared::default();
        let holds = |reads: &[Read]| {
            let probes = Probes::default();
            reads.iter().all(|r| probes.still_holds(r, &shared))
        };
        assert!(holds(&reads));
        std::fs::write(&file, "Session = 2\n").unwrap();
        assert!(!holds(&reads[..1]), "file content");
        assert!(holds(&reads[1..]));
        std::fs::write(dir.path().join("missing.py"), "").unwrap();
        assert!(reads[1..].iter().all(|r| !holds(std::slice::from_ref(r))), "listing and is_file: {reads:?}");
        let asked = Read::Shared { question: 1, answer: 2 };
        assert!(!holds(&[asked]), "an empty run has no answer");
    }
}
