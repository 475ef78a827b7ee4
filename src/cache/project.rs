//! The discovered [`Project`] kept between runs. Discovery judges the path of every file that
//! holds a term and looks at the folders its moves go to, on every run; a check of an unchanged
//! tree needs none of it again.
//!
//! A kept project is used while the walk found the same paths under the same roots, with the
//! same binary and rules (the file's key), and every read discovery made beyond the walked paths
//! gives the same answer ([`crate::reads`]): the tsconfig and Cargo.toml texts, the
//! `__init__.py` files the walk does not see, the folders moves go to (a path taken there since
//! refuses a move, even where the walk does not look).

use std::io;
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::Xxh3Default;

use super::codec::Codec;
use super::{binary_fingerprint, hash_of, make_folder, remove_stale_files, write_atomically, FORMAT};
use crate::project::Project;
use crate::reads::{self, KeptReads, Probes};
use crate::rules::RuleSet;
use crate::safety::Shared;
use crate::walk::WalkedFile;

/// The project of the walked `files`, kept under `root`: the one kept there while it holds, else
/// the one `discover` finds, then kept. A project that cannot be kept only costs time.
pub fn discover(
    root: &Path,
    roots: &[PathBuf],
    files: &[WalkedFile],
    rules: &RuleSet,
    probes: &Probes,
    discover: impl FnOnce() -> Project,
) -> Project {
    let Ok(key) = key_of(roots, files, rules) else { return discover() };
    let folder = root.join(FORMAT).join(FOLDER);
    let file = folder.join(format!("{key:016x}"));
    if let Some(project) = std::fs::read(&file).ok().and_then(|bytes| kept(&bytes, key, probes)) {
        return project;
    }
    let (project, reads) = reads::capture(discover);
    let mut bytes = Vec::with_capacity(64 << 10);
    key.encode(&mut bytes);
    reads.encode(&mut bytes);
    project.encode(&mut bytes);
    if make_folder(root, &folder).and_then(|()| write_atomically(&file, &bytes)).is_ok() {
        remove_stale_files(&folder);
    }
    project
}

/// Where kept projects live, beside the generations of plans.
pub const FOLDER: &str = "projects";

/// The project kept in `bytes` when it is the one of `key` and every read it was made from holds.
fn kept(bytes: &[u8], key: u64, probes: &Probes) -> Option<Project> {
    let mut input = bytes;
    let kept_key = u64::decode(&mut input)?;
    let reads = KeptReads::decode(&mut input)?;
    let project = Project::decode(&mut input).filter(|_| input.is_empty())?;
    // Discovery consults no shared verdicts (none are gathered before it) and no kept plan,
    // whose groups of reads only a generation holds.
    let shared = Shared::default();
    let holds = reads.groups.is_empty() && reads.reads.iter().all(|read| probes.still_holds(read, &shared));
    (kept_key == key && holds).then_some(project)
}

/// What a kept project is found by: the binary, the rules, the roots as given and every walked
/// path with its root, in the walk's order (a path's bytes, not its components: hashing a
/// `Path` walks them).
fn key_of(roots: &[PathBuf], files: &[WalkedFile], rules: &RuleSet) -> io::Result<u64> {
    let mut walked = Xxh3Default::new();
    for f in files {
        walked.update(f.path.as_os_str().as_encoded_bytes());
        // No path holds a NUL byte: it ends each one.
        walked.update(&[0]);
        walked.update(&(f.root as u64).to_le_bytes());
        // Such a file's move is refused.
        walked.update(&[u8::from(f.unplannable())]);
    }
    Ok(hash_of(&(binary_fingerprint()?, rules.fingerprint, roots, walked.digest())))
}

/// What discovery finds; the run-wide memos and the shared verdicts start empty.
impl Codec for Project {
    fn encode(&self, out: &mut Vec<u8>) {
        self.python_packages.encode(out);
        self.moves.encode(out);
        self.blocked_names.encode(out);
        self.refusals.encode(out);
        self.path_findings.encode(out);
        self.ts_aliases.encode(out);
        self.rust_crates.encode(out);
        self.redirects.encode(out);
    }

    fn decode(input: &mut &[u8]) -> Option<Project> {
        let mut project = Project {
            python_packages: Codec::decode(input)?,
            moves: Codec::decode(input)?,
            blocked_names: Codec::decode(input)?,
            refusals: Codec::decode(input)?,
            path_findings: Codec::decode(input)?,
            ts_aliases: Codec::decode(input)?,
            rust_crates: Codec::decode(input)?,
            redirects: Codec::decode(input)?,
            ..Project::default()
        };
        project.index_path_findings();
        Some(project)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::plan::{KeepReason, Verdict};
    use crate::project::{PathFinding, TsAlias};

    fn walked(paths: &[&str]) -> Vec<WalkedFile> {
        paths.iter().map(|p| WalkedFile { path: PathBuf::from(p), root: 0, mentions: true, read_hash: Some(1) }).collect()
    }

    /// A project with something in every field discovery fills.
    fn discovered() -> Project {
        let finding = |path: &str, verdict| PathFinding {
            path: PathBuf::from(path),
            name: "session".into(),
            verdict,
            file: PathBuf::from("repo/app/session.py"),
        };
        let mut project = Project {
            python_packages: ["app".to_owned(), "tests".to_owned()].into(),
            moves: BTreeMap::from([(PathBuf::from("repo/app/session.py"), PathBuf::from("repo/app/trace.py"))]),
            blocked_names: ["session_store".to_owned()].into(),
            refusals: BTreeMap::from([("session_store".to_owned(), ("`trace_store.py` already exists".to_owned(), None))]),
            path_findings: vec![
                finding("repo/app/session.py", Verdict::Rename { to: "trace.py".into() }),
                finding("repo/web/sessions", Verdict::Keep { reason: KeepReason::History }),
            ],
            ts_aliases: vec![TsAlias { prefix: "@/".into(), target: PathBuf::from("repo/web/src") }],
            rust_crates: ["obs".to_owned()].into(),
            redirects: [("/sessions".to_owned(), "/traces".to_owned())].into(),
            ..Project::default()
        };
        project.index_path_findings();
        project
    }

    #[test]
    fn what_discovery_finds_reads_back_as_written() {
        let project = discovered();
        let mut bytes = Vec::new();
        project.encode(&mut bytes);
        let read = Project::decode(&mut &bytes[..]).expect("decodes");
        assert_eq!(read.fingerprint(), project.fingerprint());
        assert_eq!((&read.path_findings, &read.findings_by_file), (&project.path_findings, &project.findings_by_file));
        assert_eq!(read.refusals, project.refusals);
    }

    #[test]
    fn a_project_is_kept_for_the_same_walked_paths_under_the_same_roots() {
        let cache = tempfile::tempdir().unwrap();
        let rules = RuleSet::builtin();
        let (roots, files) = (vec![PathBuf::from("repo")], walked(&["repo/app/session.py", "repo/web/page.ts"]));
        let kept = |roots: &[PathBuf], files: &[WalkedFile], discover: &mut dyn FnMut() -> Project| {
            super::discover(cache.path(), roots, files, &rules, &Probes::walked(files), discover)
        };
        let first = kept(&roots, &files, &mut discovered);
        let again = kept(&roots, &files, &mut || unreachable!("kept"));
        assert_eq!(again.fingerprint(), first.fingerprint());
        // A damaged or cut short file: the project is discovered again, and kept anew.
        let file = std::fs::read_dir(cache.path().join(FORMAT).join(FOLDER)).unwrap().next().unwrap().unwrap().path();
        let whole = std::fs::read(&file).unwrap();
        for damaged in [&whole[..whole.len() / 2], b"not a project"] {
            std::fs::write(&file, damaged).unwrap();
            let mut discovered_again = false;
            let rediscovered = kept(&roots, &files, &mut || {
                discovered_again = true;
                discovered()
            });
            assert!(discovered_again);
            assert_eq!(rediscovered.fingerprint(), first.fingerprint());
            assert_eq!(kept(&roots, &files, &mut || unreachable!("kept anew")).fingerprint(), first.fingerprint());
        }
        let mut other_root = files.clone();
        other_root[1].root = 1;
        let other_files = [walked(&["repo/app/session.py"]), walked(&["repo/app/session.py", "repo/web/page.tsx"]), other_root];
        for (roots, files) in [(vec![PathBuf::from("repo"), PathBuf::from("lib")], files.clone())].into_iter().chain(other_files.map(|f| (roots.clone(), f))) {
            let mut discovered_again = false;
            kept(&roots, &files, &mut || {
                discovered_again = true;
                Project::default()
            });
            assert!(discovered_again, "{roots:?} {files:?}");
        }
    }
}
