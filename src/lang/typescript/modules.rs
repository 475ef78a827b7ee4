//! What TypeScript files learn about other files of the project, once per run: what each folder
//! holds (module paths resolve against it, not a `stat` per candidate name), under which
//! tsconfig aliases each aliased specifier resolves, and the foreign values each file's
//! top-level variables hold. Without it every importing file would stat the same candidates
//! (for an aliased specifier, under every tsconfig of the tree) and parse the same imports again.
//!
//! The cache lives in the [`Project`](crate::project::Project) that every worker shares, so
//! the project's moves and aliases must not change once planning starts. Every answer keeps the
//! [reads](crate::reads) it was made from: a plan that uses it depends on them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use super::origin::Origin;
use crate::memo::Bounded;
use crate::reads::{self, Recorded};

/// The run-wide cache.
#[derive(Debug, Clone, Default)]
pub struct Modules {
    cache: Arc<Mutex<Cache>>,
}

#[derive(Debug, Default)]
struct Cache {
    /// Folder -> what is in it. Resolving a specifier tries a dozen names, in the folders of
    /// every alias: one listing per folder answers them all without a `stat` each. Only
    /// folders that exist are kept, so memory follows the tree, not the lookups.
    folders: Bounded<PathBuf, Arc<Recorded<Folder>>, 2048>,
    /// Folder -> the names of the files in it that the run moves (built on first use).
    moved: Option<Arc<HashMap<PathBuf, Vec<OsString>>>>,
    /// An aliased specifier -> each alias (index into the project's aliases) it resolves under,
    /// with the file found there.
    aliased: Bounded<String, Arc<Recorded<Resolutions>>, 1024>,
    /// (file, import depth) -> the foreign origins of its top-level variables, computed once.
    exports: Bounded<(PathBuf, usize), Arc<OnceLock<Recorded<Exports>>>, 1024>,
}

/// What one folder holds.
#[derive(Debug)]
enum Folder {
    Listed {
        /// Its files (a symbolic link counts when it leads to a file), with those moved away by
        /// this run: a file that `apply` has already moved still resolves.
        files: HashSet<OsString>,
        /// Its subfolders (symbolic links followed).
        folders: HashSet<OsString>,
    },
    /// It exists but cannot be listed: each file is looked up on disk.
    Unlisted,
}

/// Each alias (index into the project's aliases) a specifier resolves under, with the file found.
type Resolutions = Arc<[(usize, PathBuf)]>;

/// A file's top-level variables that hold foreign values.
pub(super) type Exports = HashMap<String, Origin>;

impl Modules {
    fn cache(&self) -> MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether `path` names a file, on disk or moved away by this run (`moves`).
    pub(super) fn is_file(&self, path: &Path, moves: &BTreeMap<PathBuf, PathBuf>) -> bool {
        let Some(name) = path.file_name() else { return false };
        let folder = path.parent().unwrap_or(Path::new(""));
        match self.folder(folder, moves).as_deref().map(Recorded::get) {
            None => false,
            Some(Folder::Listed { files, .. }) => files.contains(name),
            Some(Folder::Unlisted) => moves.contains_key(path) || reads::is_file(path),
        }
    }

    /// What `folder` holds, or `None` when there is no such folder.
    fn folder(&self, folder: &Path, moves: &BTreeMap<PathBuf, PathBuf>) -> Option<Arc<Recorded<Folder>>> {
        let known = self.cache().folders.get(folder);
        if let Some(known) = known {
            return Some(known);
        }
        let moved = self.moved(moves);
        let moved_here = moved.get(folder);
        // A folder its parent does not list does not exist, and is looked up no further: the
        // folders a specifier would name under every other alias are never listed or kept.
        if let (Some(parent), Some(name), None) = (folder.parent(), folder.file_name(), moved_here) {
            match self.folder(parent, moves).as_deref().map(Recorded::get) {
                None => return None,
                Some(Folder::Listed { folders, .. }) if !folders.contains(name) => return None,
                Some(_) => {}
            }
        }
        let listing = Recorded::capture(|| match reads::list_folder(folder) {
            Ok((mut files, folders)) => {
                files.extend(moved_here.into_iter().flatten().cloned());
                Some(Folder::Listed { files, folders })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => moved_here
                .map(|names| Folder::Listed { files: names.iter().cloned().collect(), folders: HashSet::new() }),
            Err(_) => Some(Folder::Unlisted),
        });
        // A folder that does not exist is not kept (the read that found it missing still counts).
        let listing = Arc::new(Recorded::transpose(listing)?);
        self.cache().folders.insert(folder.to_path_buf(), listing.clone());
        Some(listing)
    }

    fn moved(&self, moves: &BTreeMap<PathBuf, PathBuf>) -> Arc<HashMap<PathBuf, Vec<OsString>>> {
        let mut cache = self.cache();
        let moved = cache.moved.get_or_insert_with(|| {
            let mut by_folder: HashMap<PathBuf, Vec<OsString>> = HashMap::new();
            for old in moves.keys() {
                if let (Some(folder), Some(name)) = (old.parent(), old.file_name()) {
                    by_folder.entry(folder.to_path_buf()).or_default().push(name.to_owned());
                }
            }
            Arc::new(by_folder)
        });
        moved.clone()
    }

    /// The aliases `spec` resolves under, found by `resolve` the first time it is asked.
    pub(super) fn aliased(
        &self,
        spec: &str,
        resolve: impl FnOnce() -> Vec<(usize, PathBuf)>,
    ) -> Resolutions {
        let known = self.cache().aliased.get(spec);
        if let Some(known) = known {
            return known.get().clone();
        }
        let found = Arc::new(Recorded::capture(|| Arc::from(resolve())));
        self.cache().aliased.insert(spec.to_owned(), found.clone());
        found.get().clone()
    }

    /// The origin of `file`'s top-level variable `name` as seen `depth` imports away; the
    /// file's variables are found by `compute` once: a worker asking while another computes
    /// them waits for that result.
    pub(super) fn exported(&self, file: &Path, depth: usize, name: &str, compute: impl FnOnce() -> Exports) -> Option<Origin> {
        let slot = self.cache().exports.get_or_insert_with((file.to_path_buf(), depth), Arc::default);
        slot.get_or_init(|| Recorded::capture(compute)).get().get(name).cloned()
    }
}
