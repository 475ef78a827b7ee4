//! Runs the rewriters over walked files in parallel and hands each file's outcome to a consumer.
//! Sources are read, planned and dropped one file at a time: nothing whole-tree is buffered
//! except what the consumer chooses to return.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};

use crate::cache::codec::Codec;
use crate::cache::stamps::Stamps;
use crate::cache::PlanCache;
use crate::edit::{self, Edit};
use crate::lang::{self, Context};
use crate::plan::{Finding, Location, Role, Verdict};
use crate::project::Project;
use crate::rules::{NameVerdict, RuleSet};
use crate::safety::{self, Shared};
use crate::scoped;
use crate::suppress;
use crate::walk::WalkedFile;

/// The text rewriters see: a file's text without its byte order mark.
pub fn body_of(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// A file that could not be rewritten; it is left untouched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct FileError {
    pub location: Location,
    pub message: String,
}

/// A finding with its place in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatedFinding {
    pub location: Location,
    pub finding: Finding,
    /// The source line it stands on, without its line break (empty for paths).
    pub line_text: String,
    /// Silenced for `check` by a `retrace: allow` comment.
    pub suppressed: bool,
}

/// Everything decided about one file.
#[derive(Debug, Clone)]
pub struct FileOutcome {
    pub path: PathBuf,
    pub moved_to: Option<PathBuf>,
    pub language: Option<&'static str>,
    /// The file's text as read (BOM included); empty when unread.
    pub original: String,
    /// The text after the edits; equal to `original` when nothing changes.
    pub updated: String,
    /// The edits that turn `original` into `updated` (offsets into `original`), each with the
    /// role of the occurrence it renames, so a change can be reviewed in pieces.
    pub edits: Vec<(Edit, Role)>,
    pub findings: Vec<LocatedFinding>,
    /// `retrace: allow` comments that silence nothing.
    pub unused_suppressions: Vec<Location>,
    pub error: Option<FileError>,
}

impl FileOutcome {
    pub fn changes(&self) -> bool {
        self.moved_to.is_some() || self.original != self.updated
    }
}

/// The walk's sieve: whether `path` is a file some rewriter reads whose bytes may hold a term or a
/// suppression marker, and the hash of the bytes it read. Files that cannot be read count as
/// mentioning: planning reports why. A file whose stamp an earlier run kept is not read. A file
/// larger than `limit` is not planned, so it is neither held whole nor hashed: only whether a term
/// shows in it matters, for the report that it was not planned.
pub fn mentions(path: &Path, rules: &RuleSet, stamps: &Stamps, limit: u64) -> crate::walk::Sieved {
    if lang::for_path(path).is_none() {
        return (false, None);
    }
    stamps.sieve(path, limit, || read_and_sieve(path, rules, limit))
}

fn read_and_sieve(path: &Path, rules: &RuleSet, limit: u64) -> crate::walk::Sieved {
    thread_local! {
        /// One buffer per walking thread: most files are read only to be sieved, so allocating
        /// for each would cost more than reading it.
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|bytes| {
        bytes.clear();
        // Through `take`, which gives no size hint: reading a `File` whole would ask its size and
        // position first, two system calls per file, when the reused buffer is already large enough.
        let read = std::fs::File::open(path).and_then(|mut file| {
            std::io::Read::read_to_end(&mut std::io::Read::take(&mut file, limit.saturating_add(1)), bytes)?;
            match bytes.len() as u64 > limit {
                true => Ok(Some(rules.renamer.may_contain(bytes) || mentions_in_rest(file, bytes, BLOCK, rules)?)),
                false => Ok(None),
            }
        });
        match read {
            // Hashed whether or not it matters: another file's plan may have read it.
            Ok(None) => (worth_planning(bytes, rules), Some(crate::cache::text_hash(bytes))),
            Ok(Some(mentions)) => (mentions, None),
            Err(_) => (true, None),
        }
    })
}

/// How much of a file over the size limit the sieve reads at once.
const BLOCK: usize = 1 << 20;

/// Whether a term shows in what is left of `rest`, read `block_size` bytes at a time into `block`,
/// which holds what was read before it: a term may start in the bytes carried over.
fn mentions_in_rest(mut rest: impl std::io::Read, block: &mut Vec<u8>, block_size: usize, rules: &RuleSet) -> std::io::Result<bool> {
    let carried = rules.renamer.longest_literal().saturating_sub(1);
    loop {
        block.drain(..block.len().saturating_sub(carried));
        let held = block.len();
        std::io::Read::read_to_end(&mut std::io::Read::take(&mut rest, block_size as u64), block)?;
        if block.len() == held {
            return Ok(false);
        }
        if rules.renamer.may_contain(block) {
            return Ok(true);
        }
    }
}

/// A file larger than the size limit: planning it would hold about 60 bytes of memory for each
/// of its bytes (most of them its syntax tree), so it is reported instead.
#[derive(Debug)]
pub struct TooLarge {
    pub size: u64,
    pub limit: u64,
}

impl std::error::Error for TooLarge {}

impl std::fmt::Display for TooLarge {
    /// Both sizes as people read them, in bytes too when rounding would make them one.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (size, limit) = (size_text(self.size), size_text(self.limit));
        let (size, limit) = match size == limit {
            true => (format!("{size} ({} bytes)", self.size), format!("{limit} ({} bytes)", self.limit)),
            false => (size, limit),
        };
        write!(f, "too large to plan: {size}, over the limit of {limit} (plan it with --max-filesize {})", size_argument(self.size))
    }
}

/// The smallest `--max-filesize` in whole units that `bytes` is within: `3K` for 2.4 KiB.
fn size_argument(bytes: u64) -> String {
    let whole = |unit: u64| bytes.div_ceil(unit);
    match bytes {
        b if b >= 1 << 20 => format!("{}M", whole(1 << 20)),
        b if b >= 1 << 10 => format!("{}K", whole(1 << 10)),
        b => b.to_string(),
    }
}

/// `2.5 MiB`, `512.0 KiB`, `100 B`.
fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

/// The bytes of the file at `path`, to plan, unless there are more than `limit` of them.
fn read_to_plan(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    let too_large = |size| std::io::Error::new(std::io::ErrorKind::FileTooLarge, TooLarge { size, limit });
    if size > limit {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0) + 1);
    // It may have grown since its size was asked.
    std::io::Read::read_to_end(&mut std::io::Read::take(&mut file, limit.saturating_add(1)), &mut bytes)?;
    match bytes.len() as u64 > limit {
        true => Err(too_large(file.metadata().map_or(bytes.len() as u64, |m| m.len()))),
        false => Ok(bytes),
    }
}

/// Whether a file's bytes may hold a term or a suppression marker: without either, planning it
/// finds nothing.
fn worth_planning(bytes: &[u8], rules: &RuleSet) -> bool {
    rules.renamer.may_contain(bytes) || suppress::may_contain(bytes)
}

/// Before the streaming run, on `threads` workers: plan the files where a rename could clash and
/// gather what they share with other files. Only files that mention a term are read.
pub fn shares(files: &[WalkedFile], rules: &RuleSet, project: &Project, settings: Settings<'_>) -> Shared {
    let next = AtomicUsize::new(0);
    let found = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..settings.threads.max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(file) = files.get(i) else { break };
                // A text an earlier run found holds no clash is not read again.
                let known = settings.cache.zip(file.text_hash()).and_then(|(cache, hash)| cache.known_clash(&file.path, hash));
                if !file.mentions || known == Some(false) {
                    continue;
                }
                if let Some(shares) = file_shares(file, rules, project, settings) {
                    found.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push((i, shares));
                }
            });
        }
    });
    Shared::gather(found.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()))
}

/// What `file` shares ([`safety::shares_of`]), kept between runs like a check's report: found by
/// the hash of the text the walk read, it is used while every read its plan made holds, and the
/// file is not read again.
fn file_shares(file: &WalkedFile, rules: &RuleSet, project: &Project, settings: Settings<'_>) -> Option<safety::FileShares> {
    /// What else kept shares depend on: nothing but the generation, whatever the command.
    const SHARES: u64 = u64::from_le_bytes(*b"shares\0\0");
    let cache = settings.cache;
    let shares_of = |text: &str| safety::shares_of(&file.path, text, rules, project, cache);
    let (Some(cache), Some(walked)) = (cache, file.text_hash()) else {
        return text_to_plan(&file.path, rules, settings.max_filesize).map_or_else(|unplanned| unplanned, |text| shares_of(&text));
    };
    let cx = Context { rules, project, path: &file.path };
    if let Some(kept) = cache.kept_result(walked, SHARES, &cx) {
        return kept;
    }
    // Kept by the text planned, which may have changed since the walk; only for a text that can
    // clash: of any other, the next run knows that much without reading it.
    let text = match text_to_plan(&file.path, rules, settings.max_filesize) {
        Ok(text) => text,
        Err(unplanned) => return unplanned,
    };
    if !safety::can_clash(&file.path, &text, rules, Some(cache)) {
        return None;
    }
    cache.keep_result(crate::cache::text_hash(text.as_bytes()), SHARES, &cx, || shares_of(&text))
}

/// The text of the file at `path` to plan or, when it cannot be planned, what it shares all the
/// same: the names it writes stay, so the files that import them must not rename them either
/// ([`safety::unplanned_shares`]). A file that cannot be read shares nothing: the run reports why.
fn text_to_plan(path: &Path, rules: &RuleSet, limit: u64) -> Result<String, Option<safety::FileShares>> {
    let unplanned = |written: std::io::Result<Vec<safety::Written>>, why: &str, fix: String| {
        written.ok().and_then(|written| safety::unplanned_shares(path, written, why, &fix, rules))
    };
    let bytes = match read_to_plan(path, limit) {
        Ok(bytes) => bytes,
        Err(e) => {
            let Some(too_large) = e.get_ref().and_then(|e| e.downcast_ref::<TooLarge>()) else { return Err(None) };
            let written = std::fs::File::open(path).and_then(|file| renamed_names(file, path, BLOCK, rules));
            let fix = format!("plan {} with --max-filesize {}", path.display(), size_argument(too_large.size));
            return Err(unplanned(written, "its file is too large to plan", fix));
        }
    };
    String::from_utf8(bytes).map_err(|e| {
        let written = renamed_names(e.as_bytes(), path, BLOCK, rules);
        unplanned(written, "its file is not valid UTF-8", format!("convert {} to UTF-8", path.display()))
    })
}

/// The first occurrence of each name in `text` (the file at `path`) that a rule renames, read
/// `block_size` bytes at a time, so a file of any size is never held whole. Names are maximal
/// runs of ASCII letters, digits and `_`; a block is cut after its last byte outside a name.
fn renamed_names(mut text: impl std::io::Read, path: &Path, block_size: usize, rules: &RuleSet) -> std::io::Result<Vec<safety::Written>> {
    let in_name = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let (mut block, mut found) = (Vec::new(), Vec::new());
    let mut seen = std::collections::HashSet::new();
    // The offset of the block's first byte, and its line and column (columns count chars).
    let (mut offset, mut line, mut column) = (0, 1, 1);
    loop {
        let held = block.len();
        std::io::Read::read_to_end(&mut std::io::Read::take(&mut text, block_size as u64), &mut block)?;
        let last = block.len() == held;
        if block.is_empty() {
            return Ok(found);
        }
        // A block that is all one name grows until the name ends (a name of 16 blocks is cut).
        let end = match block.iter().rposition(|&b| !in_name(b)) {
            _ if last => block.len(),
            Some(i) => i + 1,
            None if block.len() < 16 * block_size => 0,
            None => block.len(),
        };
        let mut i = 0;
        while i < end {
            if !in_name(block[i]) {
                match block[i] {
                    b'\n' => (line, column) = (line + 1, 1),
                    // A char is counted at its first byte.
                    b if b & 0xC0 != 0x80 => column += 1,
                    _ => {}
                }
                i += 1;
                continue;
            }
            let start = i;
            while i < end && in_name(block[i]) {
                i += 1;
            }
            // Names are ASCII.
            let name = std::str::from_utf8(&block[start..i]).expect("ASCII");
            let new = rules.renamer.may_contain(name.as_bytes()) && !seen.contains(name);
            if let Some(to) = new.then(|| rules.renamer.rename(name)).flatten() {
                seen.insert(name.to_owned());
                let location = Location { path: path.to_path_buf(), line, column };
                found.push(safety::Written { name: name.to_owned(), to, at: offset + start, location });
            }
            column += i - start;
        }
        block.drain(..end);
        offset += end;
    }
}

/// How many files past the first one not yet emitted a worker may start. Results finished out of
/// order wait for that file, so this bounds what is held, however long one file takes or however
/// slowly the output drains.
const WINDOW: usize = 256;

/// How many files a worker claims at once: results cross to the printing thread a batch at a
/// time, so threads meet (and wake each other) once per batch rather than once per file.
const BATCH: usize = 16;

/// Run `per_file` (a plan and what a command makes of it, see [`plan_file`] and [`kept`]) on
/// every file on `threads` workers; it says `None` for a file with nothing to say. `emit` runs on
/// the calling thread with each result in walk order, as soon as every earlier file is done, so
/// output streams and only the results of files finished out of order (fewer than [`WINDOW`])
/// are held. `done` hears, on the calling thread, how many files are finished so far.
pub fn run<T, P, E>(files: &[WalkedFile], threads: usize, per_file: P, mut emit: E, mut done: impl FnMut(usize))
where
    T: Send,
    P: Fn(&WalkedFile) -> Option<T> + Sync,
    E: FnMut(T),
{
    let next = AtomicUsize::new(0);
    // The index of the first file not yet emitted, and how many workers wait for it to advance.
    let emitted = (Mutex::new((0usize, 0usize)), Condvar::new());
    let (sender, receiver) = mpsc::channel::<(usize, Vec<Option<T>>)>();
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            let sender = sender.clone();
            let (next, per_file, emitted) = (&next, &per_file, &emitted);
            scope.spawn(move || loop {
                let start = next.fetch_add(BATCH, Ordering::Relaxed);
                let Some(batch) = files.get(start..files.len().min(start + BATCH)).filter(|b| !b.is_empty()) else { break };
                // The batch at the emitted index is already claimed by a worker that is not waiting
                // (it ends within the window), so this wait always ends.
                let (state, advanced) = emitted;
                let mut state = state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                while start + batch.len() > state.0 + WINDOW {
                    state.1 += 1;
                    state = advanced.wait(state).unwrap_or_else(|poisoned| poisoned.into_inner());
                    state.1 -= 1;
                }
                drop(state);
                let values = batch.iter().map(per_file).collect();
                if sender.send((start, values)).is_err() {
                    break;
                }
            });
        }
        drop(sender);
        let mut pending = BTreeMap::new();
        let (mut due, mut finished) = (0, 0);
        for (start, values) in receiver {
            finished += values.len();
            done(finished);
            pending.insert(start, values);
            while let Some(values) = pending.remove(&due) {
                due += values.len();
                values.into_iter().flatten().for_each(&mut emit);
            }
            let mut state = emitted.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            state.0 = due;
            if state.1 > 0 {
                emitted.1.notify_all();
            }
        }
    });
}

/// What `consume` makes of the plan of `file` ([`plan_file`]), kept between runs in the cache
/// ([`PlanCache::kept_result`]) by the hash of the text the walk read; `options` stands for
/// everything else it depends on. `consume` must have no side effects: a kept result is used
/// without it.
pub fn kept<T: Codec>(
    file: &WalkedFile,
    rules: &RuleSet,
    project: &Project,
    settings: Settings<'_>,
    options: u64,
    consume: impl FnOnce(FileOutcome) -> T,
) -> Option<T> {
    // Only texts key a kept result; a file that could not be read is reported afresh.
    let (Some(cache), Some(walked)) = (settings.cache, file.text_hash()) else {
        return plan_file(&file.path, file.mentions, rules, project, settings).map(consume);
    };
    let cx = Context { rules, project, path: &file.path };
    if let Some(kept) = cache.kept_result(walked, options, &cx) {
        return kept;
    }
    // Read again: what is kept is keyed by the text planned, which may have changed since the walk.
    let bytes = match read_to_plan(&file.path, settings.max_filesize) {
        Ok(bytes) if std::str::from_utf8(&bytes).is_ok() => bytes,
        read => return planned(&file.path, Some(read), rules, project, settings).map(consume),
    };
    let text_hash = crate::cache::text_hash(&bytes);
    cache.keep_result(text_hash, options, &cx, || planned(&file.path, Some(Ok(bytes)), rules, project, settings).map(consume))
}

/// How a run is carried out.
#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    pub threads: usize,
    /// Add deprecated aliases for renamed exports (`--shims`).
    pub shims: bool,
    /// Plans kept from earlier runs (none with `--no-cache`).
    pub cache: Option<&'a PlanCache>,
    /// Files with more bytes than this are reported, not planned (`--max-filesize`).
    pub max_filesize: u64,
}

/// The default of [`Settings::max_filesize`]. With no more than this much text planned at once
/// (see [`crate::admission`]), peak memory stays under 200 MB.
pub const MAX_FILESIZE: u64 = 2 << 20;

/// Plan one file, or `None` when neither its text nor its path holds a term. `mentions: false`
/// (from the walk's sieve, [`mentions`]) says its bytes hold no term, so it is not read.
pub fn plan_file(path: &Path, mentions: bool, rules: &RuleSet, project: &Project, settings: Settings<'_>) -> Option<FileOutcome> {
    planned(path, mentions.then(|| read_to_plan(path, settings.max_filesize)), rules, project, settings)
}

/// [`plan_file`] given what reading the file gave (`None`: not read, its bytes hold no term).
fn planned(
    path: &Path,
    read: Option<std::io::Result<Vec<u8>>>,
    rules: &RuleSet,
    project: &Project,
    settings: Settings<'_>,
) -> Option<FileOutcome> {
    let moved_to = project.moves.get(path).cloned();
    let mut outcome = FileOutcome {
        path: path.to_path_buf(),
        moved_to,
        language: None,
        original: String::new(),
        updated: String::new(),
        edits: Vec::new(),
        findings: path_findings(path, project),
        unused_suppressions: Vec::new(),
        error: None,
    };
    let Some(rewriter) = lang::for_path(path) else {
        return (!outcome.findings.is_empty()).then_some(outcome);
    };
    outcome.language = Some(rewriter.language());
    let bytes = match read {
        None => return (!outcome.findings.is_empty() || outcome.moved_to.is_some()).then_some(outcome),
        Some(Ok(bytes)) => bytes,
        Some(Err(e)) if e.get_ref().is_some_and(|e| e.is::<TooLarge>()) => return Some(outcome.failed(1, 1, e.to_string())),
        Some(Err(e)) => return Some(outcome.failed(1, 1, format!("cannot read: {e}"))),
    };
    // Checked again: a caller may not have sieved, or the file changed since.
    if !worth_planning(&bytes, rules) {
        // Nothing to edit; a pure move needs no text.
        return (!outcome.findings.is_empty() || outcome.moved_to.is_some()).then_some(outcome);
    }
    if bytes.contains(&0) {
        return Some(outcome.failed(1, 1, "binary file (contains NUL bytes), skipped".into()));
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let (line, column) = line_column(&String::from_utf8_lossy(valid), valid.len());
            return Some(outcome.failed(line, column, "not valid UTF-8, skipped".into()));
        }
    };
    let body = body_of(&text);
    let shift = text.len() - body.len();
    let cx = Context { rules, project, path };
    let planned = crate::cache::plan(settings.cache, crate::cache::Pass::Run, rewriter, body, &cx)
        .map(|plan| scoped::apply(plan, rules, path, rewriter.language()))
        .map(|plan| crate::safety::settle(plan, body, &cx));
    let plan = match planned {
        Ok(plan) if rules.is_history(path) => plan.into_history(),
        Ok(mut plan) if settings.shims => {
            let shims = rewriter.shims(body, &plan, &cx);
            plan.edits.extend(shims);
            plan
        }
        Ok(plan) => plan,
        Err(e) => {
            outcome.original = text;
            outcome.updated = outcome.original.clone();
            return Some(outcome.failed(e.line, e.column, format!("cannot parse: {}", e.message)));
        }
    };
    let plan = suppress::off_regions(body).iter().fold(plan, |plan, region| plan.keep_within(region));
    let suppressions = suppress::scan(body);
    let plan = suppressions.iter().fold(plan, |plan, s| plan.without(&s.marker));
    let edits = match edit::normalize(body, plan.edits) {
        Ok(edits) => edits,
        Err(overlap) => {
            return Some(outcome.failed(1, 1, format!("internal error, file left unchanged: {overlap}")));
        }
    };
    let updated = format!("{}{}", &text[..shift], edit::apply(body, &edits));
    let roles: HashMap<(usize, usize), Role> =
        plan.findings.iter().map(|f| ((f.range.start, f.range.end), f.role)).collect();
    outcome.edits = edits
        .into_iter()
        .map(|e| {
            let role = roles.get(&(e.range.start, e.range.end)).copied().unwrap_or_else(|| role_touched(&e, &plan.findings));
            (Edit::new(e.range.start + shift..e.range.end + shift, e.replacement), role)
        })
        .collect();
    let lines = LineIndex::new(body);
    let mut used = vec![false; suppressions.len()];
    // Reported in the order they stand in the file: rewriters find some in later passes
    // (embedded SQL, string values).
    let mut findings = plan.findings;
    findings.sort_by_key(|f| f.range.start);
    outcome.findings.extend(findings.into_iter().map(|finding| {
        let (line, column) = lines.line_column(body, finding.range.start);
        let silencing = suppressions.iter().position(|s| s.covers(line, &finding.text));
        let suppressed = silencing.is_some() && !matches!(finding.verdict, Verdict::Keep { .. });
        if let Some(i) = silencing.filter(|_| suppressed) {
            used[i] = true;
        }
        let line_text = lines.line(body, line).to_owned();
        LocatedFinding { location: Location { path: path.to_path_buf(), line, column }, finding, line_text, suppressed }
    }));
    outcome.unused_suppressions = suppressions
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(s, _)| {
            let (line, column) = lines.line_column(body, s.marker.start);
            Location { path: path.to_path_buf(), line, column }
        })
        .collect();
    outcome.original = text;
    outcome.updated = updated;
    Some(outcome)
}

/// The role of an edit that renames no occurrence (a rewriter's own insertion, such as an
/// expanded shorthand property): that of the occurrence it touches, else code.
fn role_touched(edit: &Edit, findings: &[Finding]) -> Role {
    let touching = |f: &&Finding| f.range.start <= edit.range.end && edit.range.start <= f.range.end;
    findings.iter().find(touching).map_or(Role::Identifier, |f| f.role)
}

impl FileOutcome {
    fn failed(mut self, line: usize, column: usize, message: String) -> FileOutcome {
        // A file that cannot be rewritten is not moved either: its imports would not follow.
        self.moved_to = None;
        self.error = Some(FileError { location: Location { path: self.path.clone(), line, column }, message });
        self
    }
}

fn path_findings(path: &Path, project: &Project) -> Vec<LocatedFinding> {
    project
        .path_findings_of(path)
        .iter()
        .map(|f| LocatedFinding {
            location: Location { path: f.path.clone(), line: 1, column: 1 },
            finding: Finding { range: 0..0, text: f.name.clone(), role: Role::Path, verdict: f.verdict.clone() },
            line_text: String::new(),
            suppressed: false,
        })
        .collect()
}

/// What `explain` says about one identifier.
pub fn explain(rules: &RuleSet, ident: &str) -> Verdict {
    match rules.name_verdict(ident) {
        NameVerdict::Unrelated => Verdict::Keep { reason: crate::plan::KeepReason::NotRewritten },
        NameVerdict::Rename(to) => Verdict::Rename { to },
        NameVerdict::Keep(reason) => Verdict::Keep { reason },
    }
}

/// Byte offset -> 1-based line and column (columns count chars).
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineIndex { starts }
    }

    /// The text of 1-based `line`, without its line break.
    pub fn line<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let start = self.starts[line - 1];
        let end = self.starts.get(line).map_or(text.len(), |&next| next);
        text[start..end].trim_end_matches(['\n', '\r'])
    }

    pub fn line_column(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        (line, text[start..offset].chars().count() + 1)
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(text).line_column(text, offset)
}

/// The lines of a text, indexed on the first place asked for: a pass may name hundreds of
/// places in a large file, and most files none.
pub struct Lines<'t> {
    text: &'t str,
    index: std::cell::OnceCell<LineIndex>,
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str) -> Lines<'t> {
        Lines { text, index: std::cell::OnceCell::new() }
    }

    /// [`LineIndex::line_column`] in this text.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        self.index.get_or_init(|| LineIndex::new(self.text)).line_column(self.text, offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sieve_hashes_every_file_it_reads() {
        let dir = tempfile::tempdir().unwrap();
        let (rules, stamps) = (RuleSet::builtin(), Stamps::default());
        let texts = [("app.py", "session_id = 1\n", true), ("helpers.py", "def helper():\n    pass\n", false)];
        for (name, text, mentioned) in texts {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            // A module that does not mention the term may still be read by another file's plan.
            assert_eq!(mentions(&path, &rules, &stamps, MAX_FILESIZE), (mentioned, Some(crate::cache::text_hash(text.as_bytes()))), "{name}");
        }
        assert_eq!(mentions(&dir.path().join("missing.py"), &rules, &stamps, MAX_FILESIZE), (true, None), "unreadable: planning says why");
        assert_eq!(mentions(&dir.path().join("image.png"), &rules, &stamps, MAX_FILESIZE), (false, None), "no rewriter reads it");
    }

    #[test]
    fn a_file_over_the_limit_is_sieved_whole_but_not_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let (rules, stamps) = (RuleSet::builtin(), Stamps::default());
        let path = dir.path().join("big.py");
        std::fs::write(&path, format!("{}SESSION = 1\n", "x = 1\n".repeat(100))).unwrap();
        assert_eq!(mentions(&path, &rules, &stamps, 100), (true, None), "the term stands after the first 100 bytes");
        std::fs::write(&path, "x = 1\n".repeat(100)).unwrap();
        assert_eq!(mentions(&path, &rules, &stamps, 100), (false, None));
        let error = read_to_plan(&path, 100).unwrap_err();
        assert_eq!(error.to_string(), "too large to plan: 600 B, over the limit of 100 B (plan it with --max-filesize 600)");
        assert_eq!(read_to_plan(&path, 600).unwrap().len(), 600, "a file of exactly the limit is planned");
    }

    #[test]
    fn the_size_to_plan_a_file_is_a_size_the_flag_takes() {
        let cases = [(600, "600"), (1024, "1K"), (2458, "3K"), (2 << 20, "2M"), ((2 << 20) + 1, "3M")];
        for (bytes, argument) in cases {
            assert_eq!(size_argument(bytes), argument, "{bytes} bytes");
        }
    }

    #[test]
    fn a_term_across_two_blocks_is_found() {
        let rules = RuleSet::builtin();
        let text = b"..........Session..........";
        for block_size in 1..=text.len() {
            for head in 0..=text.len() {
                let mut block = text[..head].to_vec();
                let found = rules.renamer.may_contain(&block) || mentions_in_rest(&text[head..], &mut block, block_size, &rules).unwrap();
                assert!(found, "blocks of {block_size} after a head of {head} bytes");
            }
        }
        let mut block = b"sess".to_vec();
        assert!(!mentions_in_rest(&b"-ion"[..], &mut block, 2, &rules).unwrap(), "`sess-ion` holds no term");
    }

    #[test]
    fn names_are_found_once_with_their_place_whatever_the_blocks() {
        let rules = RuleSet::builtin();
        let text = "x = 'é'; Session = 1\nfoo.session_id()\nsession_id + sessions_x\n";
        let path = Path::new("big.py");
        let written = |name: &str, to: &str, line, column| safety::Written {
            name: name.to_owned(),
            to: to.to_owned(),
            at: text.find(name).unwrap(),
            location: Location { path: path.to_path_buf(), line, column },
        };
        let expected = vec![
            written("Session", "Trace", 1, 10),
            written("session_id", "trace_id", 2, 5),
            written("sessions_x", "traces_x", 3, 14),
        ];
        for block_size in 1..=text.len() {
            let found = renamed_names(text.as_bytes(), path, block_size, &rules).unwrap();
            assert_eq!(found, expected, "blocks of {block_size} bytes");
        }
    }

    #[test]
    fn line_columns_count_chars() {
        let text = "ab\né session\n";
        let lines = LineIndex::new(text);
        assert_eq!(lines.line_column(text, 0), (1, 1));
        assert_eq!(lines.line_column(text, 3), (2, 1));
        assert_eq!(lines.line_column(text, text.find("session").unwrap()), (2, 3));
    }

    #[test]
    fn workers_stay_within_the_window_of_a_slow_printer() {
        // Unreadable files: each one's outcome is an error, so every file is consumed and emitted.
        let files: Vec<WalkedFile> =
            (0..WINDOW * 3).map(|i| WalkedFile { path: PathBuf::from(format!("missing/{i}.py")), root: 0, mentions: true, read_hash: None }).collect();
        let emitted = AtomicUsize::new(0);
        let settings = Settings { threads: 2, shims: false, cache: None, max_filesize: MAX_FILESIZE };
        let mut order = Vec::new();
        let consume = |o: FileOutcome| {
            let i: usize = o.path.file_stem().unwrap().to_str().unwrap().parse().unwrap();
            assert!(i < emitted.load(Ordering::SeqCst) + WINDOW, "file {i} started too far ahead");
            i
        };
        let emit = |i: usize| {
            std::thread::sleep(std::time::Duration::from_micros(200));
            order.push(i);
            emitted.fetch_add(1, Ordering::SeqCst);
        };
        let (rules, project) = (RuleSet::builtin(), Project::default());
        let per_file = |file: &WalkedFile| plan_file(&file.path, file.mentions, &rules, &project, settings).map(consume);
        run(&files, settings.threads, per_file, emit, |_| {});
        assert_eq!(order, (0..files.len()).collect::<Vec<_>>());
    }
}
