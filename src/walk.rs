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

/// Every file under `roots` that git would not ignore, sorted, each with the root it came from.
/// A root that is a file is returned as is, even when ignored: the user named it.
pub fn files(roots: &[PathBuf], threads: usize) -> Result<Vec<WalkedFile>, WalkError> {
    for root in roots {
        if let Err(e) = std::fs::metadata(root) {
            return Err(WalkError { path: root.clone(), message: e.to_string() });
        }
    }
    let found = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    for (index, root) in roots.iter().enumerate() {
        if root.is_file() {
            found.lock().unwrap().push(WalkedFile { path: clean(root), root: index });
            continue;
        }
        WalkBuilder::new(root)
            .require_git(false)
            .threads(threads)
            .build_parallel()
            .run(|| {
                Box::new(|entry| {
                    match entry {
                        Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                            found.lock().unwrap().push(WalkedFile { path: clean(entry.path()), root: index });
                        }
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
    found.sort();
    found.dedup_by(|a, b| a.path == b.path);
    Ok(found)
}

/// A walked file and the index of the root it was found under.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalkedFile {
    pub path: PathBuf,
    pub root: usize,
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
        let walked = files(&[dir.path().to_path_buf()], 2).unwrap();
        let names: Vec<_> =
            walked.iter().map(|f| f.path.strip_prefix(dir.path()).unwrap().to_path_buf()).collect();
        assert_eq!(names, vec![PathBuf::from("pkg/a.py"), PathBuf::from("pkg/deep/b.py")]);
    }

    #[test]
    fn missing_root_is_an_error_naming_it() {
        let err = files(&[PathBuf::from("no/such/dir")], 1).unwrap_err();
        assert_eq!(err.path, PathBuf::from("no/such/dir"));
    }
}
