//! Plans kept between runs, so a tree checked on every push is parsed again only where it
//! changed.
//!
//! A cached plan is the rewriter's plan of one file's text (before cross-file safety settles
//! it). It is used only when all of these still hold:
//! - the file's path and text are those it was made from (the entry's key, checked again on
//!   lookup);
//! - the generation matches: the same binary, rule set and project facts
//!   ([`Project::fingerprint`]); each generation has its own folder;
//! - every read the plan made outside its file gives the same answer now ([`crate::reads`]):
//!   the files it read, the paths and folders it looked at, the shared verdicts it consulted,
//!   including those that reached it through run-wide memos. The reads of a memoized answer
//!   are kept once per generation for all the plans that took it ([`groups`]).
//!
//! `check` also keeps what it makes of each file, settled and rendered, and the safety pre-pass
//! what each file that can clash shares ([`PlanCache::keep_result`]), under the same
//! conditions, and while every shared verdict its findings followed gets the same answer
//! ([`crate::reads::Read::Shared`]) and its output options are the same. No read needs the
//! file's text, which is known by the hash the walk took ([`text_hash`]): a warm check reads a
//! file that did not change once, as a grep does.
//!
//! The discovered project is kept as well ([`project`]), found by the walked paths, and what the
//! walk's sieve said of each file, by the file's stamp ([`stamps`]): an unchanged tree is not
//! read again.
//!
//! Entries are written to a temporary file and renamed, so concurrent runs never see half of
//! one. A generation not used for [`STALE_AFTER`] is removed when another one opens.
//!
//! Within a run, the plans the safety pre-pass makes are held in memory for the streaming run,
//! which asks for them again ([`Pass::Safety`]), with or without a folder on disk; they
//! are checked like any other kept plan, since the run's shared verdicts may differ from the
//! pre-pass's. Past a bound they are held in a temporary file ([`ahead`]).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::lang::{Context, ParseError, Rewriter};
use crate::plan::FilePlan;
use crate::project::Project;
use crate::reads::{self, KeptReads, Probes};
use crate::rules::RuleSet;

mod ahead;
pub mod codec;
mod groups;
mod pack;
pub mod project;
pub mod stamps;

use ahead::Ahead;
use codec::Codec;
use groups::Groups;
use pack::Pack;

/// Bumped when the entry format changes.
const FORMAT: &str = "v7";

/// How long an unused generation is kept.
pub const STALE_AFTER: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// The folder a run's plans are kept in, with what it has already looked at this run.
#[derive(Debug)]
pub struct PlanCache {
    /// `None` when plans are kept only within the run ([`PlanCache::in_memory`]).
    generation: Option<PathBuf>,
    probes: Probes,
    /// Plans the pre-pass made, until the run takes them.
    ahead: Ahead,
    /// Which texts may hold a clash (the safety pre-pass's word scan, a pure function of the
    /// path, the text and the rules): one small file per generation, read at once.
    clashes: HashMap<u64, bool>,
    learnt: Mutex<HashMap<u64, bool>>,
    /// The reads kept plans share, kept once.
    groups: Groups,
    /// What commands made of files, kept together.
    pack: Pack,
}

/// The plans of one file's text. A plan can depend on the run's shared verdicts, which the
/// pre-pass does not have yet: a file whose plan consults them keeps one variant for each.
struct Entry {
    path: PathBuf,
    text_hash: u64,
    variants: Vec<Variant>,
}

#[derive(Debug)]
struct Variant {
    reads: KeptReads,
    plan: FilePlan,
}

/// How many variants an entry keeps, most recent first.
const VARIANTS: usize = 2;

/// What a command made of one file, kept with what it depends on besides the file's text.
struct KeptResult<T> {
    path: PathBuf,
    text_hash: u64,
    options: u64,
    reads: KeptReads,
    value: T,
}

impl<T: Codec> Codec for KeptResult<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.path.encode(out);
        self.text_hash.encode(out);
        self.options.encode(out);
        self.reads.encode(out);
        self.value.encode(out);
    }

    fn decode(input: &mut &[u8]) -> Option<KeptResult<T>> {
        Some(KeptResult {
            path: Codec::decode(input)?,
            text_hash: Codec::decode(input)?,
            options: Codec::decode(input)?,
            reads: Codec::decode(input)?,
            value: Codec::decode(input)?,
        })
    }
}

impl Codec for Entry {
    fn encode(&self, out: &mut Vec<u8>) {
        self.path.encode(out);
        self.text_hash.encode(out);
        self.variants.encode(out);
    }

    fn decode(input: &mut &[u8]) -> Option<Entry> {
        Some(Entry { path: Codec::decode(input)?, text_hash: Codec::decode(input)?, variants: Codec::decode(input)? })
    }
}

impl Codec for Variant {
    fn encode(&self, out: &mut Vec<u8>) {
        self.reads.encode(out);
        self.plan.encode(out);
    }

    fn decode(input: &mut &[u8]) -> Option<Variant> {
        Some(Variant { reads: Codec::decode(input)?, plan: Codec::decode(input)? })
    }
}

impl PlanCache {
    /// The generation under `root` for this binary, rule set and project, created if missing.
    pub fn open(root: &Path, rules: &RuleSet, project: &Project) -> io::Result<PlanCache> {
        let base = root.join(FORMAT);
        let generation = base.join(format!("{:016x}", hash_of(&(binary_fingerprint()?, rules.fingerprint, project.fingerprint()))));
        make_folder(root, &generation)?;
        // Its mtime says when it was last used.
        std::fs::write(generation.join("used"), b"")?;
        remove_stale(&base, &generation);
        let clashes = std::fs::read(generation.join(CLASHES)).map(|bytes| read_clashes(&bytes)).unwrap_or_default();
        let (groups, pack) = (Groups::open(&generation), Pack::open(&generation));
        Ok(PlanCache::new(Some(generation), clashes, groups, pack))
    }

    /// Plans kept only from the pre-pass to the run (`--no-cache`): nothing is read or written.
    pub fn in_memory() -> PlanCache {
        PlanCache::new(None, HashMap::new(), Groups::default(), Pack::default())
    }

    fn new(generation: Option<PathBuf>, clashes: HashMap<u64, bool>, groups: Groups, pack: Pack) -> PlanCache {
        PlanCache { generation, probes: Probes::default(), ahead: Ahead::default(), clashes, learnt: Mutex::default(), groups, pack }
    }

    /// Answer the reads of kept plans with `probes` (which know the texts the walk read).
    pub fn answer_with(&mut self, probes: Probes) {
        self.probes = probes;
    }

    /// What an earlier run found of whether the file at `path`, with a text hashing to
    /// `text_hash` ([`text_hash`]), may hold a clash ([`PlanCache::may_clash`]).
    pub fn known_clash(&self, path: &Path, text_hash: u64) -> Option<bool> {
        self.clashes.get(&key_of(path, text_hash)).copied()
    }

    /// Whether the file at `path` with `text` may hold a clash, as `judge` says (kept).
    pub fn may_clash(&self, path: &Path, text: &str, judge: impl FnOnce() -> bool) -> bool {
        let key = key_of(path, text_hash(text.as_bytes()));
        if let Some(&known) = self.clashes.get(&key) {
            return known;
        }
        let clash = judge();
        if self.generation.is_some() {
            self.learnt.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(key, clash);
        }
        clash
    }

    /// The plan of `text` (the file at `cx.path`): in the run, one the pre-pass held when it
    /// still holds; else one kept on disk that still holds, else one from `compute`, then kept.
    /// The pre-pass also holds its plans for the run ([`Ahead`]). Parse errors are not kept.
    pub fn plan(
        &self,
        pass: Pass,
        text: &str,
        cx: &Context<'_>,
        compute: impl FnOnce() -> Result<FilePlan, ParseError>,
    ) -> Result<FilePlan, ParseError> {
        let text_hash = text_hash(text.as_bytes());
        let key = key_of(cx.path, text_hash);
        if pass == Pass::Run {
            let held = self.ahead.take(key, cx.path, text_hash);
            if let Some(variant) = held.filter(|v| self.hold(&v.reads, cx)) {
                reads::replay(variant.reads);
                return Ok(variant.plan);
            }
            return Ok(self.variant(text_hash, cx, compute)?.plan);
        }
        let variant = self.variant(text_hash, cx, compute)?;
        let plan = variant.plan.clone();
        self.ahead.hold(key, cx.path, text_hash, variant);
        Ok(plan)
    }

    /// What a command made of the file at `cx.path` when its text hashed to `text_hash`
    /// ([`text_hash`]), kept by [`PlanCache::keep_result`] while every read its plan made and
    /// every shared verdict it followed are unchanged. `options` stands for everything else the
    /// value depends on: the command and its output settings. The file is not read: the text
    /// is known by its hash, and no read needs it.
    pub fn kept_result<T: Codec>(&self, text_hash: u64, options: u64, cx: &Context<'_>) -> Option<T> {
        let generation = self.generation.as_ref()?;
        let key = result_key(cx.path, text_hash, options);
        let decode = |mut input: &[u8]| KeptResult::<T>::decode(&mut input).filter(|_| input.is_empty());
        let holds = |kept: &KeptResult<T>| {
            kept.path == cx.path && kept.text_hash == text_hash && kept.options == options && self.hold(&kept.reads, cx)
        };
        if let Some(kept) = self.pack.read(key).and_then(|bytes| decode(&bytes)).filter(holds) {
            self.pack.note(key, false);
            return Some(kept.value);
        }
        let kept = read_entry(&entry_file(generation, key), decode).filter(holds)?;
        self.pack.note(key, true);
        Some(kept.value)
    }

    /// `compute` what a command makes of the file at `cx.path` with a text hashing to
    /// `text_hash` (it plans and settles that text), and keep it for [`PlanCache::kept_result`]
    /// with every read made meanwhile. Nothing is kept without a folder on disk.
    pub fn keep_result<T: Codec>(&self, text_hash: u64, options: u64, cx: &Context<'_>, compute: impl FnOnce() -> T) -> T {
        let Some(generation) = &self.generation else { return compute() };
        let (value, reads) = self.capture(compute);
        let kept = KeptResult { path: cx.path.to_path_buf(), text_hash, options, reads, value };
        let mut bytes = Vec::with_capacity(4096);
        kept.encode(&mut bytes);
        // A cache that cannot be written only costs time.
        let key = result_key(cx.path, text_hash, options);
        if write_atomically(&entry_file(generation, key), &bytes).is_ok() {
            self.pack.note(key, true);
        }
        kept.value
    }

    /// Run `compute`, gathering every read it makes; with a folder on disk, each memoized
    /// answer's as a group kept there. Without one a group would only be held, by a run that
    /// never reads it again: plans held ahead keep their reads whole.
    fn capture<T>(&self, compute: impl FnOnce() -> T) -> (T, KeptReads) {
        match self.generation {
            Some(_) => reads::capture_grouped(compute, |answer| self.groups.keep(answer)),
            None => reads::capture(compute),
        }
    }

    /// Whether every one of `reads` still gives the same answer.
    fn hold(&self, reads: &KeptReads, cx: &Context<'_>) -> bool {
        let shared = &cx.project.shared;
        let holds = |read: &reads::Read| self.probes.still_holds(read, shared);
        reads.reads.iter().all(holds) && reads.groups.iter().all(|&group| self.groups.hold(group, shared, &holds))
    }

    /// A variant of the entry on disk that still holds, else one from `compute`, then kept.
    fn variant(
        &self,
        text_hash: u64,
        cx: &Context<'_>,
        compute: impl FnOnce() -> Result<FilePlan, ParseError>,
    ) -> Result<Variant, ParseError> {
        let file = self.generation.as_ref().map(|g| entry_file(g, key_of(cx.path, text_hash)));
        let kept = file.as_ref().and_then(|file| read_entry(file, |mut input| Entry::decode(&mut input).filter(|_| input.is_empty())));
        let mut variants = match kept {
            Some(entry) if entry.path == cx.path && entry.text_hash == text_hash => entry.variants,
            _ => Vec::new(),
        };
        if let Some(i) = variants.iter().position(|v| self.hold(&v.reads, cx)) {
            let variant = variants.swap_remove(i);
            reads::replay(variant.reads.clone());
            return Ok(variant);
        }
        let (plan, reads) = self.capture(compute);
        let made = Variant { reads, plan: plan? };
        let Some(file) = file else { return Ok(made) };
        variants.truncate(VARIANTS - 1);
        variants.insert(0, made);
        let mut entry = Entry { path: cx.path.to_path_buf(), text_hash, variants };
        // A cache that cannot be written only costs time.
        let _ = write_entry(&file, &entry);
        Ok(entry.variants.swap_remove(0))
    }
}

/// Who asks for a plan: the safety pre-pass, whose plans the run asks for again, or the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    Safety,
    Run,
}

/// `rewriter`'s plan of `text`, through `cache` when there is one, made once
/// [`crate::admission`] lets it be.
pub fn plan(cache: Option<&PlanCache>, pass: Pass, rewriter: &dyn Rewriter, text: &str, cx: &Context<'_>) -> Result<FilePlan, ParseError> {
    let compute = || {
        let _admitted = crate::admission::admit(text.len());
        rewriter.plan(text, cx)
    };
    match cache {
        Some(cache) => cache.plan(pass, text, cx, compute),
        None => compute(),
    }
}

/// The file of the entry with `key` in `generation`. No extension: no rewriter reads an entry,
/// even in a cache kept inside a walked tree.
fn entry_file(generation: &Path, key: u64) -> PathBuf {
    generation.join(format!("{:02x}", key >> 56)).join(format!("{key:016x}"))
}

/// What a command made of the file at `path` with `text_hash` and `options` is found by.
fn result_key(path: &Path, text_hash: u64, options: u64) -> u64 {
    hash_of(&(path_hash(path), text_hash, options))
}

/// What an entry is found by: the file's path and the hash of its text.
fn key_of(path: &Path, text_hash: u64) -> u64 {
    hash_of(&(path_hash(path), text_hash))
}

/// A walked path, by its bytes: hashing a `Path` parses its components (a kept check asks for
/// every file's entries).
pub(crate) fn path_hash(path: &Path) -> u64 {
    text_hash(path.as_os_str().as_encoded_bytes())
}

/// The hash a file's text is known by, from its bytes: the walk's sieve takes it while it holds
/// them ([`crate::walk::WalkedFile::text_hash`]), so a file whose kept answers hold is not read again.
pub fn text_hash(bytes: &[u8]) -> u64 {
    // XXH3: a hash made for file contents, and many times faster than the hashers of `std`.
    xxhash_rust::xxh3::xxh3_64(bytes)
}

impl Drop for PlanCache {
    /// Keep what this run learnt about clashes, with what the file held (another run may have
    /// added to it meanwhile: those answers are kept too), and the groups of reads it made.
    fn drop(&mut self) {
        let Some(generation) = self.generation.as_ref() else { return };
        self.groups.save(generation);
        self.pack.save(generation, |key| entry_file(generation, key));
        let learnt = std::mem::take(self.learnt.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner()));
        if learnt.is_empty() {
            return;
        }
        let file = generation.join(CLASHES);
        let mut all = std::fs::read(&file).map(|bytes| read_clashes(&bytes)).unwrap_or_default();
        all.extend(learnt);
        let bytes: Vec<u8> = all.iter().flat_map(|(key, &clash)| key.to_le_bytes().into_iter().chain([u8::from(clash)])).collect();
        let _ = write_atomically(&file, &bytes);
    }
}

/// The file of clash answers: 9 bytes each, a key (little-endian) and 0 or 1.
const CLASHES: &str = "clashes";

fn read_clashes(bytes: &[u8]) -> HashMap<u64, bool> {
    let records = bytes.chunks_exact(9);
    records.map(|r| (u64::from_le_bytes(r[..8].try_into().expect("8 bytes")), r[8] == 1)).collect()
}

/// The hash that keys and fingerprints of the cache are made of. It may differ between builds of
/// retrace, which is fine: a new binary starts a new generation.
pub(crate) fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// The running binary, by its path, size and modification time: a rebuilt binary plans anew.
fn binary_fingerprint() -> io::Result<u64> {
    let exe = std::env::current_exe()?;
    let meta = std::fs::metadata(&exe)?;
    Ok(hash_of(&(&exe, meta.len(), meta.modified().ok())))
}

/// What `decode` makes of the bytes of an entry file (`None` when it cannot be read). A warm
/// run reads thousands: into a buffer each thread keeps, without asking the file's size first
/// (as `std::fs::read` does) nor reading again past a short read. A read cut short otherwise
/// only makes an entry that does not decode, which is planned again.
fn read_entry<T>(file: &Path, decode: impl FnOnce(&[u8]) -> Option<T>) -> Option<T> {
    thread_local! {
        static BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
    }
    let mut file = std::fs::File::open(file).ok()?;
    // Taken, not borrowed: a `decode` that read an entry itself would get a buffer of its own.
    let mut bytes = BUFFER.take();
    if bytes.is_empty() {
        bytes.resize(16 << 10, 0);
    }
    let mut len = 0;
    let read = loop {
        match io::Read::read(&mut file, &mut bytes[len..]) {
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => break Err(e),
        }
        if len < bytes.len() {
            break Ok(());
        }
        bytes.resize(bytes.len() * 2, 0);
    };
    let decoded = read.ok().and_then(|()| decode(&bytes[..len]));
    // An entry far larger than most is not held on to.
    if bytes.len() <= ENTRY_BUFFER {
        BUFFER.set(bytes);
    }
    decoded
}

/// The largest buffer a thread keeps for reading entries.
const ENTRY_BUFFER: usize = 1 << 20;

fn write_entry(file: &Path, entry: &Entry) -> io::Result<()> {
    let mut bytes = Vec::with_capacity(4096);
    entry.encode(&mut bytes);
    write_atomically(file, &bytes)
}

/// Write to a temporary file beside `file`, then rename it over `file`: readers in other runs
/// see the old contents or the new, never a part.
fn write_atomically(file: &Path, bytes: &[u8]) -> io::Result<()> {
    let folder = file.parent().expect("cache files live in a folder");
    let temp = folder.join(format!(
        ".{}.{}.{:?}",
        file.file_name().and_then(|n| n.to_str()).unwrap_or("entry"),
        std::process::id(),
        std::thread::current().id()
    ));
    let written = std::fs::write(&temp, bytes).or_else(|e| match e.kind() {
        io::ErrorKind::NotFound => std::fs::create_dir_all(folder).and_then(|()| std::fs::write(&temp, bytes)),
        _ => Err(e),
    });
    let moved = written.and_then(|()| std::fs::rename(&temp, file));
    if moved.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    moved
}

/// Make `folder` inside the cache at `root`, and `root` with it if missing, marked as a cache.
/// Only a root made here is marked: `--cache-dir .` must not hide a repository from git.
fn make_folder(root: &Path, folder: &Path) -> io::Result<()> {
    let made_here = !root.exists();
    std::fs::create_dir_all(folder)?;
    if made_here {
        mark_as_cache(root)?;
    }
    Ok(())
}

/// Backup tools skip a folder tagged so, and git ignores it if it sits inside a repository.
fn mark_as_cache(root: &Path) -> io::Result<()> {
    let mut tag = std::fs::File::create(root.join("CACHEDIR.TAG"))?;
    tag.write_all(b"Signature: 8a477f597d28d172789f06886806bc55\n# retrace's plan cache; see `retrace --help`.\n")?;
    std::fs::write(root.join(".gitignore"), b"*\n")
}

/// Remove the generations under `base`, other than `current`, not used for [`STALE_AFTER`].
fn remove_stale(base: &Path, current: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else { return };
    let now = SystemTime::now();
    for entry in entries.flatten().filter(|entry| entry.file_name() != project::FOLDER && entry.file_name() != stamps::FOLDER) {
        let path = entry.path();
        // A generation another run is creating has no mark yet: its folder's time stands in.
        let used = std::fs::metadata(path.join("used")).or_else(|_| std::fs::metadata(&path)).and_then(|m| m.modified());
        let stale = used.map_or(true, |t| now.duration_since(t).is_ok_and(|age| age > STALE_AFTER));
        if path != current && stale {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// Files kept by what they were made from (projects, stamps): every change makes another one,
/// so those not written for [`STALE_AFTER`] are removed.
fn remove_stale_files(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let made = entry.metadata().and_then(|m| m.modified());
        if made.is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > STALE_AFTER)) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clash_answers_are_kept_for_the_next_run_of_the_same_text() {
        let dir = tempfile::tempdir().unwrap();
        let (rules, project) = (RuleSet::builtin(), Project::default());
        let path = Path::new("app.py");
        let cache = PlanCache::open(dir.path(), &rules, &project).unwrap();
        assert!(cache.may_clash(path, "session = trace", || true));
        assert!(!cache.may_clash(path, "session = 1", || false));
        drop(cache);
        let cache = PlanCache::open(dir.path(), &rules, &project).unwrap();
        assert!(cache.may_clash(path, "session = trace", || unreachable!("kept")));
        assert!(!cache.may_clash(path, "session = 1", || unreachable!("kept")));
        assert!(cache.may_clash(path, "session = trace2", || true), "another text is judged again");
        assert!(cache.may_clash(Path::new("other.py"), "session = 1", || true), "so is another path");
    }

    #[test]
    fn entries_of_any_size_are_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        // A small entry after a large one: the kept buffer's older bytes are not part of it.
        for len in [0, 1, 16 << 10, (16 << 10) + 1, 100_000, 3] {
            let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let file = dir.path().join(len.to_string());
            std::fs::write(&file, &bytes).unwrap();
            assert_eq!(read_entry(&file, |read| Some(read.to_vec())), Some(bytes), "{len} bytes");
        }
        assert_eq!(read_entry(&dir.path().join("missing"), |read| Some(read.len())), None);
    }

    #[test]
    fn a_large_text_is_planned_once_admitted() {
        /// Says how many bytes of large texts were admitted while it planned.
        struct Admitted(std::sync::atomic::AtomicUsize);
        impl Rewriter for Admitted {
            fn language(&self) -> &'static str {
                "admitted"
            }
            fn plan(&self, _: &str, _: &Context<'_>) -> Result<FilePlan, ParseError> {
                self.0.store(crate::admission::in_flight(), std::sync::atomic::Ordering::SeqCst);
                Ok(FilePlan::default())
            }
        }
        let (rules, project) = (RuleSet::builtin(), Project::default());
        let cx = Context { rules: &rules, project: &project, path: Path::new("big.py") };
        let text = "x = 1\n".repeat(100_000);
        for cache in [None, Some(&PlanCache::in_memory())] {
            let admitted = Admitted(0.into());
            plan(cache, Pass::Run, &admitted, &text, &cx).unwrap();
            // Other tests may plan large texts at the same time: at least this one's share.
            assert!(admitted.0.into_inner() >= text.len(), "planned without being admitted");
        }
    }

    fn plan_renaming(at: usize) -> FilePlan {
        FilePlan { edits: vec![crate::edit::Edit::new(at..at + 7, "trace")], ..FilePlan::default() }
    }

    #[test]
    fn a_plan_made_ahead_is_taken_once_by_the_run() {
        let (rules, project) = (RuleSet::builtin(), Project::default());
        let cx = Context { rules: &rules, project: &project, path: Path::new("app.py") };
        let cache = PlanCache::in_memory();
        assert_eq!(cache.plan(Pass::Safety, "session = 1", &cx, || Ok(plan_renaming(0))), Ok(plan_renaming(0)));
        assert_eq!(cache.plan(Pass::Run, "session = 1", &cx, || unreachable!("held from the pre-pass")), Ok(plan_renaming(0)));
        assert_eq!(cache.plan(Pass::Run, "session = 1", &cx, || Ok(plan_renaming(1))), Ok(plan_renaming(1)), "taken once");
        cache.plan(Pass::Safety, "session = 1", &cx, || Ok(plan_renaming(0))).unwrap();
        assert_eq!(cache.plan(Pass::Run, "session = 2", &cx, || Ok(plan_renaming(2))), Ok(plan_renaming(2)), "another text");
        let other = Context { path: Path::new("other.py"), ..cx };
        assert_eq!(cache.plan(Pass::Run, "session = 1", &other, || Ok(plan_renaming(3))), Ok(plan_renaming(3)), "another path");
    }

    #[test]
    fn plans_held_in_memory_keep_their_reads_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (rules, project) = (RuleSet::builtin(), Project::default());
        let cx = Context { rules: &rules, project: &project, path: Path::new("app.py") };
        let answer = reads::Recorded::capture(|| (reads::is_file(&dir.path().join("a.py")), reads::is_file(&dir.path().join("b.py"))));
        let cache = PlanCache::in_memory();
        let plan = || {
            answer.get();
            Ok(plan_renaming(0))
        };
        cache.plan(Pass::Safety, "session = 1", &cx, plan).unwrap();
        let held: Vec<KeptReads> = cache.ahead.in_memory().into_iter().map(|variant| variant.reads).collect();
        assert!(matches!(&held[..], [reads] if reads.reads.len() == 2 && reads.groups.is_empty()), "{held:?}");
        assert_eq!(cache.groups.learnt(), 0, "no group is held by a run without a folder");
    }

    #[test]
    fn plans_held_ahead_are_taken_whatever_their_size() {
        let (rules, project) = (RuleSet::builtin(), Project::default());
        let cx = Context { rules: &rules, project: &project, path: Path::new("app.py") };
        let cache = PlanCache::in_memory();
        let replacing = |text: &str| FilePlan { edits: vec![crate::edit::Edit::new(0..7, text)], ..FilePlan::default() };
        // Past the memory bound, plans are held in a file; the text planned is not held at all.
        let huge = "t".repeat(ahead::MEMORY_BYTES);
        let texts: Vec<String> = (0..4).map(|i| format!("session = {i}")).collect();
        for text in &texts {
            cache.plan(Pass::Safety, text, &cx, || Ok(replacing(&huge))).unwrap();
        }
        let large = "#".repeat(2 * ahead::MEMORY_BYTES);
        cache.plan(Pass::Safety, &large, &cx, || Ok(plan_renaming(0))).unwrap();
        assert!(cache.ahead.in_memory().len() < texts.len(), "some are not in memory");
        for text in texts.iter().rev() {
            assert_eq!(cache.plan(Pass::Run, text, &cx, || unreachable!("held")), Ok(replacing(&huge)));
        }
        assert_eq!(cache.plan(Pass::Run, &large, &cx, || unreachable!("held")), Ok(plan_renaming(0)));
    }
}
