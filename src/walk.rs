//! File discovery: a parallel, gitignore-aware walk over every root.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

/// A root that does not exist or cannot be walked.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct WalkError {
    pub path: PathBuf,
    pub message: String,
}

/// What the walk's sieve says of a file's contents: whether they matter ([`WalkedFile::mentions`])
/// and the hash of the bytes it read ([`WalkedFile::read_hash`]).
pub type Sieved = (bool, Option<u64>);

/// Every file under `roots` that git would not ignore, sorted, each with the root it came from.
/// A root that is a file is returned as is, even when ignored: the user named it. `sieve` runs on
/// the walking threads for each file, so files are read while the tree is still being walked.
pub fn files(roots: &[PathBuf], threads: usize, sieve: &(dyn Fn(&Path) -> Sieved + Sync)) -> Result<Vec<WalkedFile>, WalkError> {
    for root in roots {
        if let Err(e) = std::fs::metadata(root) {
            return Err(WalkError { path: root.clone(), message: e.to_string() });
        }
    }
    let found = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    let walked = |path: &Path, root: usize| {
        let path = clean(path);
        let (mentions, read_hash) = sieve(&path);
        WalkedFile { path, root, mentions, read_hash }
    };
    for (index, root) in roots.iter().enumerate() {
        if root.is_file() {
            found.lock().unwrap().push(walked(root, index));
            continue;
        }
        WalkBuilder::new(root)
            .require_git(false)
            .threads(threads)
            .build_parallel()
            .run(|| {
                // Each walking thread gathers its own files and hands them over once, when done.
                let (mut mine, errors, walked) = (Gathered { files: Vec::new(), into: &found }, &errors, &walked);
                Box::new(move |entry| {
                    match entry {
                        Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => mine.files.push(walked(entry.path(), index)),
                        Ok(_) => {}
                        Err(e) => errors.lock().unwrap().push(e.to_string()),
                    }
                    WalkState::Continue
                })
            });
    }
    if let Some(message) = errors.into_inner().unwrap().into_iter().next() {
        return Err(WalkError { path: roots[0].clone(), message });
    }
    let mut found = found.into_inner().unwrap();
    // Each walking thread handed over its files sorted: a stable sort finds those runs and
    // merges them, one comparison per file.
    found.sort_by(walk_order);
    // Overlapping roots walk a file twice under the same bytes, which sort together: bytes are
    // compared, not components (a tenth of a warm run's main thread went to comparing them).
    found.dedup_by(|a, b| a.path.as_os_str() == b.path.as_os_str());
    Ok(found)
}

/// The files one walking thread found, added to the shared list when the thread is done.
struct Gathered<'a> {
    files: Vec<WalkedFile>,
    into: &'a Mutex<Vec<WalkedFile>>,
}

impl Drop for Gathered<'_> {
    /// Sorted here, on the walking thread, so the serial end of the walk only merges.
    fn drop(&mut self) {
        self.files.sort_unstable_by(walk_order);
        self.into.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).append(&mut self.files);
    }
}

/// A walked file and the index of the root it was found under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkedFile {
    pub path: PathBuf,
    pub root: usize,
    /// Whether its contents may matter (the walk's sieve said so): other files are not read again.
    pub mentions: bool,
    /// The hash of the bytes the sieve read ([`crate::cache::text_hash`]), if it read them: a
    /// plan that read this file is checked by it, without reading the file again.
    pub read_hash: Option<u64>,
}

impl WalkedFile {
    /// The hash of its text when that matters: what was kept of this text in earlier runs is
    /// found by it, without reading the file again.
    pub fn text_hash(&self) -> Option<u64> {
        self.read_hash.filter(|_| self.mentions)
    }

    /// Its text may matter, but the walk could not read it whole (it is over the size limit, or
    /// unreadable): planning it fails and says why, so it can neither be rewritten nor moved.
    pub fn unplannable(&self) -> bool {
        self.mentions && self.read_hash.is_none()
    }
}

/// The order of the walk's result: by path, then by root.
fn walk_order(a: &WalkedFile, b: &WalkedFile) -> std::cmp::Ordering {
    path_order(&a.path, &b.path).then(a.root.cmp(&b.root))
}

/// The order of paths by component (`a/x` before `a-b/x`), as [`Path`]'s own `Ord`, but by one byte
/// comparison: the separator sorts below every other byte.
fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    let (a, b) = (a.as_os_str().as_encoded_bytes(), b.as_os_str().as_encoded_bytes());
    let rank = |byte: u8| if byte == b'/' { 0 } else { byte };
    match first_difference(a, b) {
        Some(i) => rank(a[i]).cmp(&rank(b[i])),
        None => a.len().cmp(&b.len()),
    }
}

/// Where `a` and `b` first differ, eight bytes at a time: paths of one tree share long
/// prefixes, and sorting them compares those prefixes again and again.
fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    let word = |bytes: &[u8]| u64::from_le_bytes(bytes.try_into().expect("8 bytes"));
    let words = a.chunks_exact(8).zip(b.chunks_exact(8));
    let mut at = 0;
    for (x, y) in words {
        let differ = word(x) ^ word(y);
        if differ != 0 {
            // Little-endian: the lowest set bit is in the first byte that differs.
            return Some(at + differ.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    a[at..].iter().zip(&b[at..]).position(|(x, y)| x != y).map(|i| at + i)
}

/// `./a/b` -> `a/b`: paths are shown and patched without the leading `./`.
pub fn clean(path: &Path) -> PathBuf {
    path.strip_prefix(".").map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_sorted_and_respects_gitignore_without_git() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pkg/deep")).unwrap();
        std::fs::write(dir.path().join(".gitignore"), "build/\n").unwrap();
        std::fs::create_dir_all(dir.path().join("build")).unwrap();
        std::fs::write(dir.path().join("build/out.py"), "x").unwrap();
        std::fs::write(dir.path().join("pkg/deep/b.py"), "x").unwrap();
        std::fs::write(dir.path().join("pkg/a.py"), "x").unwrap();
        let walked = files(&[dir.path().to_path_buf()], 2, &|_| (true, None)).unwrap();
        let names: Vec<_> =
            walked.iter().map(|f| f.path.strip_prefix(dir.path()).unwrap().to_path_buf()).collect();
        assert_eq!(names, vec![PathBuf::from("pkg/a.py"), PathBuf::from("pkg/deep/b.py")]);
    }

    #[test]
    fn overlapping_roots_walk_each_file_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pkg/deep")).unwrap();
        std::fs::write(dir.path().join("pkg/deep/b.py"), "x").unwrap();
        std::fs::write(dir.path().join("a.py"), "x").unwrap();
        let roots = [dir.path().to_path_buf(), dir.path().join("pkg"), dir.path().join("pkg/deep/b.py"), dir.path().to_path_buf()];
        let walked = files(&roots, 2, &|_| (true, None)).unwrap();
        let names: Vec<_> = walked.iter().map(|f| f.path.strip_prefix(dir.path()).unwrap().to_path_buf()).collect();
        assert_eq!(names, vec![PathBuf::from("a.py"), PathBuf::from("pkg/deep/b.py")]);
    }

    #[test]
    fn paths_sort_by_component() {
        let mut paths: Vec<PathBuf> = ["a-b/x", "a/x", "a/x/y", "a.py", "a", "b/a", "a/x-y"].map(PathBuf::from).to_vec();
        let mut expected = paths.clone();
        expected.sort();
        paths.sort_by(|a, b| path_order(a, b));
        assert_eq!(paths, expected);
    }

    proptest::proptest! {
        /// Long shared prefixes and separators at every offset within a word; paths as the walk
        /// gives them (no empty, `.` or `..` components).
        #[test]
        fn paths_sort_as_std_sorts_them(a in "[ab.-]{0,3}(/[ab-][ab.-]{0,8}){0,6}", b in "[ab.-]{0,3}(/[ab-][ab.-]{0,8}){0,6}") {
            let prefix = "corpus/apps/acme-api104/src";
            let (a, b) = (PathBuf::from(format!("{prefix}{a}")), PathBuf::from(format!("{prefix}{b}")));
            proptest::prop_assert_eq!(path_order(&a, &b), a.cmp(&b));
        }
    }

    #[test]
    fn missing_root_is_an_error_naming_it() {
        let err = files(&[PathBuf::from("no/such/dir")], 1, &|_| (true, None)).unwrap_err();
        assert_eq!(err.path, PathBuf::from("no/such/dir"));
    }
}
