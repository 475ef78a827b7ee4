//! `apply`: write each changed file atomically (temp file + rename), keeping its mode; move files.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::engine::FileOutcome;

#[derive(Debug, thiserror::Error)]
#[error("{path}: cannot write: {source}")]
pub struct WriteError {
    pub path: String,
    #[source]
    pub source: io::Error,
}

/// Write one file's outcome. Unchanged text is moved with a rename, never rewritten.
pub fn write(outcome: &FileOutcome) -> Result<(), WriteError> {
    let target = outcome.moved_to.as_deref().unwrap_or(&outcome.path);
    let fail = |source| WriteError { path: target.display().to_string(), source };
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(fail)?;
    }
    if outcome.original == outcome.updated {
        return fs::rename(&outcome.path, target).map_err(fail);
    }
    let permissions = fs::metadata(&outcome.path).map_err(fail)?.permissions();
    let temp = temp_path(target);
    let written = (|| {
        let mut file = fs::File::create(&temp)?;
        file.write_all(outcome.updated.as_bytes())?;
        file.sync_all()?;
        fs::set_permissions(&temp, permissions)?;
        fs::rename(&temp, target)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(fail(e));
    }
    if target != outcome.path {
        fs::remove_file(&outcome.path).map_err(|e| WriteError { path: outcome.path.display().to_string(), source: e })?;
    }
    Ok(())
}

/// A sibling of `target`, so the final rename never crosses a file system.
fn temp_path(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}.retrace-{}.tmp", std::process::id()))
}

/// Remove the folders that moves left empty, deepest first, never above `roots`.
pub fn prune_empty_dirs<'a>(moved_from: impl IntoIterator<Item = &'a Path>, roots: &[PathBuf]) {
    let mut dirs: Vec<PathBuf> = moved_from
        .into_iter()
        .flat_map(|p| p.ancestors().skip(1).map(Path::to_path_buf).collect::<Vec<_>>())
        .filter(|d| !d.as_os_str().is_empty() && !roots.iter().any(|r| crate::walk::clean(r) == *d))
        .collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    dirs.dedup();
    for dir in dirs {
        // Fails harmlessly when the folder still holds anything.
        let _ = fs::remove_dir(&dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writes_atomically_keeping_mode_and_moves() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("sessions/session.py");
        fs::create_dir_all(old.parent().unwrap()).unwrap();
        fs::write(&old, "session = 1\r\n").unwrap();
        fs::set_permissions(&old, fs::Permissions::from_mode(0o755)).unwrap();
        let new = dir.path().join("traces/trace.py");
        let outcome = FileOutcome {
            path: old.clone(),
            moved_to: Some(new.clone()),
            language: None,
            original: "session = 1\r\n".into(),
            updated: "trace = 1\r\n".into(),
            edits: vec![],
            findings: vec![],
            unused_suppressions: vec![],
            error: None,
        };
        write(&outcome).unwrap();
        prune_empty_dirs([old.as_path()], &[dir.path().to_path_buf()]);
        assert_eq!(fs::read_to_string(&new).unwrap(), "trace = 1\r\n");
        assert_eq!(fs::metadata(&new).unwrap().permissions().mode() & 0o777, 0o755);
        assert!(!old.exists());
        assert!(!dir.path().join("sessions").exists());
        assert_eq!(fs::read_dir(dir.path().join("traces")).unwrap().count(), 1, "no temp file left");
    }
}
