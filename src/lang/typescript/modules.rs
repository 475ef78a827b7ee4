//! What TypeScript files learn about other files of the project, once per run: what each folder
//! holds (module paths resolve against it, not a `stat` per candidate name), where an aliased
//! specifier resolves under each tsconfig alias, and the foreign values each file's top-level
//! variables hold. Without it every importing file would stat the same candidates and parse the
//! same imports again.
//!
//! The cache lives in the [`Project`](crate::project::Project) that every worker shares, so
//! the project's moves and aliases must not change once planning starts. Every answer keeps the
//! [reads](crate::reads) it was made from: a plan that uses it depends on them.

use std::collections::{BTreeMap, HashMap};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::origin::Origin;
use crate::memo::Shards;
use crate::reads::{self, Names, Recorded};

/// The run-wide cache.
#[derive(Debug, Clone, Default)]
pub struct Modules {
    cache: Arc<Cache>,
}

/// Paths are keyed by their bytes: the same folder written two ways is only listed twice.
#[derive(Debug, Default)]
struct Cache {
    /// Folder -> what is in it, `None` when it is missing. Resolving a specifier tries a dozen
    /// names, in the folders of every alias: one listing per folder answers them all without a
    /// `stat` each.
    folders: Shards<OsString, Recorded<Option<Folder>>, 128>,
    /// Folder -> the names of the files in it that the run moves (built on first use).
    moved: OnceLock<HashMap<PathBuf, Vec<OsString>>>,
    /// (alias, index into the project's aliases; specifier) -> the file it resolves to there.
    aliased: Shards<(usize, String), Arc<Recorded<Option<PathBuf>>>, 128>,
    /// (file, import depth) -> the foreign origins of its top-level variables, computed once.
    exports: Shards<(OsString, usize), Arc<OnceLock<Recorded<Exports>>>, 32>,
}

/// What one folder holds.
#[derive(Debug)]
enum Folder {
    Listed {
        /// Its files (a symbolic link counts when it leads to a file), with those moved away by
        /// this run: a file that `apply` has already moved still resolves.
        files: Names,
    },
    /// It exists but cannot be listed: each file is looked up on disk.
    Unlisted,
}

/// A file's top-level variables that hold foreign values.
pub(super) type Exports = HashMap<String, Origin>;

impl Modules {
    /// Whether `path` names a file, on disk or moved away by this run (`moves`).
    pub(super) fn is_file(&self, path: &Path, moves: &BTreeMap<PathBuf, PathBuf>) -> bool {
        let Some(name) = path.file_name() else { return false };
        let folder = path.parent().unwrap_or(Path::new(""));
        let listed = self.folder(folder, moves, |held| match held {
            None => Some(false),
            Some(Folder::Listed { files, .. }) => Some(files.contains(name)),
            Some(Folder::Unlisted) => None,
        });
        listed.unwrap_or_else(|| moves.contains_key(path) || reads::is_file(path))
    }

    /// What `read` says of what `folder` holds (`None` when there is no such folder). A missing
    /// folder is held too (resolution asks for the same ones again and again), with the reads
    /// that found it missing: a plan that is told so depends on them.
    fn folder<R>(&self, folder: &Path, moves: &BTreeMap<PathBuf, PathBuf>, read: impl Fn(Option<&Folder>) -> R) -> R {
        let look = || Recorded::capture(|| self.look(folder, moves));
        self.cache.folders.read(folder.as_os_str(), look, |held| read(held.get().as_ref()))
    }

    fn look(&self, folder: &Path, moves: &BTreeMap<PathBuf, PathBuf>) -> Option<Folder> {
        let moved_here = self.moved(moves).get(folder);
        // A folder that does not exist is looked up no further: the folders a specifier would
        // name under every other alias are never listed. Whether it exists is all the answer
        // depends on, not what its parent holds: a file added beside the tree, or at its top,
        // leaves every resolution below as it was.
        if let (Some(_), None) = (folder.parent(), moved_here) {
            if !reads::is_folder(folder) {
                return None;
            }
        }
        match reads::list_folder(folder) {
            Ok((files, _)) => Some(Folder::Listed {
                files: match moved_here {
                    None => files,
                    Some(moved) => files.iter().map(OsStr::to_owned).chain(moved.iter().cloned()).collect(),
                },
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => moved_here
                .map(|names| Folder::Listed { files: names.iter().cloned().collect() }),
            Err(_) => Some(Folder::Unlisted),
        }
    }

    fn moved(&self, moves: &BTreeMap<PathBuf, PathBuf>) -> &HashMap<PathBuf, Vec<OsString>> {
        self.cache.moved.get_or_init(|| {
            let mut by_folder: HashMap<PathBuf, Vec<OsString>> = HashMap::new();
            for old in moves.keys() {
                if let (Some(folder), Some(name)) = (old.parent(), old.file_name()) {
                    by_folder.entry(folder.to_path_buf()).or_default().push(name.to_owned());
                }
            }
            by_folder
        })
    }

    /// The file `spec` resolves to under alias `alias` (index into the project's aliases), found
    /// by `resolve` the first time it is asked.
    pub(super) fn aliased(&self, alias: usize, spec: &str, resolve: impl FnOnce() -> Option<PathBuf>) -> Option<PathBuf> {
        let key = (alias, spec.to_owned());
        self.cache.aliased.get_or_make(&key, || Arc::new(Recorded::capture(resolve))).get().clone()
    }

    /// The origin of `file`'s top-level variable `name` as seen `depth` imports away; the
    /// file's variables are found by `compute` once: a worker asking while another computes
    /// them waits for that result.
    pub(super) fn exported(&self, file: &Path, depth: usize, name: &str, compute: impl FnOnce() -> Exports) -> Option<Origin> {
        let slot = self.cache.exports.get_or_make(&(file.as_os_str().to_owned(), depth), Arc::default);
        slot.get_or_init(|| Recorded::capture(compute)).get().get(name).cloned()
    }
}
