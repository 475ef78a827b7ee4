//! Shared helpers for the tests that run the real `retrace` binary: fixture copies, running the
//! binary and the fixtures' own test suites, checking diffs with `git apply` and `patch`, and
//! byte-for-byte tree snapshots.
//!
//! External tools (a Python with pytest, requests and aiohttp; git; patch) are installed by
//! `scripts/test`. A missing tool is a loud failure naming that script, never a silent skip.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use tempfile::TempDir;

const INSTALL_HINT: &str = "run scripts/test to install the test environment";

/// Folders that tools write as a side effect and that are never part of a tree's content.
const NOISE: &[&str] = &[".git", "__pycache__", ".pytest_cache"];

/// What a finished process said.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// The command line, for failure messages.
    pub what: String,
}

impl Run {
    /// Panic with the whole exchange unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "expected exit {code}\n{self}");
        self
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "$ {}\nexit: {}\n--- stdout\n{}\n--- stderr\n{}", self.what, self.code, self.stdout, self.stderr)
    }
}

fn run(mut cmd: Command, what: String) -> Run {
    let out =
        cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("cannot start `{what}`: {e} ({INSTALL_HINT})"));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        what,
    }
}

/// The crate root (where `fixtures/` lives).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `fixtures/<name>`.
pub fn fixture_dir(name: &str) -> PathBuf {
    let dir = repo_root().join("fixtures").join(name);
    assert!(dir.is_dir(), "no fixture at {}", dir.display());
    dir
}

/// A fresh temporary copy of `fixtures/<name>` (tool caches such as `__pycache__` left out).
pub fn fixture_copy(name: &str) -> TempDir {
    let tmp = tempdir();
    copy_tree(&fixture_dir(name), tmp.path());
    tmp
}

pub fn tempdir() -> TempDir {
    tempfile::Builder::new().prefix("retrace-test-").tempdir().expect("create a temporary directory")
}

/// Copy `src` into `dst` recursively, keeping file modes; `.git` and tool caches are left out.
pub fn copy_tree(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for entry in fs::read_dir(src).unwrap_or_else(|e| panic!("read {}: {e}", src.display())) {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if NOISE.iter().any(|n| name == *n) {
            continue;
        }
        let (from, to) = (entry.path(), dst.join(&name));
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_tree(&from, &to);
        } else if kind.is_file() {
            fs::copy(&from, &to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
        } else {
            panic!("fixtures hold only files and folders: {}", from.display());
        }
    }
}

/// A temporary tree holding the given files (`path`, contents); parent folders are created.
pub fn tree_with(files: &[(&str, &[u8])]) -> TempDir {
    let tmp = tempdir();
    for (path, bytes) in files {
        write_file(tmp.path(), path, bytes);
    }
    tmp
}

pub fn write_file(root: &Path, path: &str, bytes: &[u8]) {
    let full = root.join(path);
    fs::create_dir_all(full.parent().unwrap()).unwrap();
    fs::write(&full, bytes).unwrap();
}

pub fn read(root: &Path, path: &str) -> Vec<u8> {
    fs::read(root.join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

pub fn read_string(root: &Path, path: &str) -> String {
    String::from_utf8(read(root, path)).unwrap_or_else(|_| panic!("{path} is not UTF-8"))
}

pub fn set_mode(root: &Path, path: &str, mode: u32) {
    fs::set_permissions(root.join(path), fs::Permissions::from_mode(mode)).unwrap();
}

pub fn mode(root: &Path, path: &str) -> u32 {
    fs::metadata(root.join(path)).unwrap().permissions().mode() & 0o7777
}

/// The path of the binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_retrace")
}

/// The plan cache every test run shares: runs after the first in a test reuse what it planned,
/// so the whole suite checks that a cached plan changes nothing.
pub fn test_cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("plan-cache")
}

/// Run `retrace ARGS` with `dir` as the current directory (and the tests' plan cache).
pub fn retrace(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new(bin());
    cmd.args(args).current_dir(dir).env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    cmd.env("RETRACE_CACHE_DIR", test_cache_dir());
    run(cmd, format!("retrace {}   (in {})", args.join(" "), dir.display()))
}

/// The Python that runs the fixtures' suites: `RETRACE_TEST_PYTHON` (set by scripts/test), else
/// `python3` when it can import pytest, requests and aiohttp. Anything else is a loud failure.
pub fn python() -> &'static str {
    static PYTHON: OnceLock<String> = OnceLock::new();
    PYTHON.get_or_init(|| {
        if let Some(p) = std::env::var_os("RETRACE_TEST_PYTHON").filter(|p| !p.is_empty()) {
            let p = p.to_string_lossy().into_owned();
            assert!(
                can_import_test_deps(&p),
                "RETRACE_TEST_PYTHON={p} cannot import pytest, requests and aiohttp: {INSTALL_HINT}"
            );
            return p;
        }
        if can_import_test_deps("python3") {
            return "python3".to_owned();
        }
        panic!("no Python with pytest, requests and aiohttp (RETRACE_TEST_PYTHON is unset): {INSTALL_HINT}");
    })
}

fn can_import_test_deps(python: &str) -> bool {
    Command::new(python)
        .args(["-c", "import pytest, requests, aiohttp"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Run the pytest suite found in `dir`, writing no bytecode or cache into the tree.
pub fn pytest(dir: &Path) -> Run {
    pytest_with(dir, &[])
}

/// `pytest` with more arguments (`-rfE`, a test file).
pub fn pytest_with(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new(python());
    cmd.args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .args(args)
        .current_dir(dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("PYTHONPATH");
    run(cmd, format!("python -m pytest -q {}   (in {})", args.join(" "), dir.display()))
}

/// The TypeScript compiler installed by scripts/test (`RETRACE_TEST_TSC`); missing is a failure.
pub fn tsc() -> PathBuf {
    let tsc = std::env::var_os("RETRACE_TEST_TSC")
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| panic!("RETRACE_TEST_TSC is unset: {INSTALL_HINT}"));
    let tsc = PathBuf::from(tsc);
    assert!(tsc.is_file(), "RETRACE_TEST_TSC={} does not exist: {INSTALL_HINT}", tsc.display());
    tsc
}

/// `tsc --noEmit -p .` in `dir`.
pub fn type_check(dir: &Path) -> Run {
    let mut cmd = Command::new(tsc());
    cmd.args(["--noEmit", "-p", "."]).current_dir(dir);
    run(cmd, format!("tsc --noEmit -p .   (in {})", dir.display()))
}

#[track_caller]
pub fn assert_type_checks(dir: &Path) {
    let r = type_check(dir);
    assert_eq!(r.code, 0, "the TypeScript does not type-check\n{r}");
}

#[track_caller]
pub fn assert_pytest_passes(dir: &Path) {
    let r = pytest(dir);
    assert!(r.code == 0 && r.stdout.contains(" passed"), "the fixture's own test suite fails\n{r}");
}

fn tool(name: &str, args: &[&str], dir: &Path) -> Run {
    let mut cmd = Command::new(name);
    cmd.args(args).current_dir(dir);
    if name == "git" {
        // Keep the user's and the system's git configuration out of the check.
        cmd.env("GIT_CONFIG_NOSYSTEM", "1").env("GIT_CONFIG_GLOBAL", "/dev/null");
    }
    run(cmd, format!("{name} {}   (in {})", args.join(" "), dir.display()))
}

/// A fresh `git init` copy of `tree` with `diff` run through `git apply --check` (which must
/// succeed); with `apply`, the patch is then applied too. Returns the copy.
#[track_caller]
pub fn git_apply(tree: &Path, diff: &str, apply: bool) -> TempDir {
    let copy = tempdir();
    copy_tree(tree, copy.path());
    tool("git", &["init", "-q"], copy.path()).expect_code(0);
    let patch = copy.path().join(".git").join("retrace.patch");
    fs::write(&patch, diff).unwrap();
    let patch = patch.to_str().unwrap();
    let check = tool("git", &["apply", "--check", "--verbose", patch], copy.path());
    assert_eq!(check.code, 0, "git apply --check rejects the diff\n{check}\n--- diff\n{diff}");
    if apply {
        let applied = tool("git", &["apply", patch], copy.path());
        assert_eq!(applied.code, 0, "git apply fails\n{applied}");
    }
    copy
}

/// `patch -p1 --dry-run` of `diff` on a copy of `tree` (which must succeed).
#[track_caller]
pub fn patch_dry_run(tree: &Path, diff: &str) {
    let copy = tempdir();
    copy_tree(tree, copy.path());
    let patch_file = tempfile::NamedTempFile::new().unwrap();
    fs::write(patch_file.path(), diff).unwrap();
    let r = tool("patch", &["-p1", "--dry-run", "--batch", "-i", patch_file.path().to_str().unwrap()], copy.path());
    assert_eq!(r.code, 0, "patch -p1 --dry-run rejects the diff\n{r}\n--- diff\n{diff}");
}

/// One entry of a tree snapshot.
#[derive(Clone, PartialEq, Eq)]
pub enum Entry {
    Dir,
    File { executable: bool, bytes: Vec<u8> },
}

/// Every folder and file under a root (sorted relative paths with `/`), contents byte for byte.
/// `.git` and tool caches (`__pycache__`, `.pytest_cache`) are left out.
#[derive(Clone, PartialEq, Eq)]
pub struct Tree(pub BTreeMap<String, Entry>);

impl Tree {
    pub fn of(root: &Path) -> Tree {
        let mut entries = BTreeMap::new();
        collect(root, root, &mut entries);
        Tree(entries)
    }

    pub fn paths(&self) -> Vec<&str> {
        self.0.keys().map(String::as_str).collect()
    }

    pub fn contains(&self, path: &str) -> bool {
        self.0.contains_key(path)
    }
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeMap<String, Entry>) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if NOISE.iter().any(|n| entry.file_name() == *n) {
            continue;
        }
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        let meta = fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            out.insert(rel, Entry::Dir);
            collect(root, &path, out);
        } else {
            let executable = meta.permissions().mode() & 0o111 != 0;
            out.insert(rel, Entry::File { executable, bytes: fs::read(&path).unwrap() });
        }
    }
}

impl fmt::Debug for Tree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (path, entry) in &self.0 {
            match entry {
                Entry::Dir => writeln!(f, "{path}/")?,
                Entry::File { executable, bytes } => {
                    writeln!(f, "{path} ({} bytes{})", bytes.len(), if *executable { ", executable" } else { "" })?
                }
            }
        }
        Ok(())
    }
}

/// Assert two trees are identical; on failure, say which paths differ and how.
#[track_caller]
pub fn assert_trees_equal(left: &Tree, right: &Tree, what: &str) {
    if left == right {
        return;
    }
    let mut report = String::new();
    for (path, l) in &left.0 {
        match right.0.get(path) {
            None => report.push_str(&format!("only in left:  {path}\n")),
            Some(r) if r != l => match (l, r) {
                (Entry::File { executable: le, bytes: lb }, Entry::File { executable: re, bytes: rb }) => {
                    if le != re {
                        report.push_str(&format!("{path}: executable {le} vs {re}\n"));
                    }
                    if lb != rb {
                        report.push_str(&format!("{path}: contents differ\n{}", line_diff(lb, rb)));
                    }
                }
                _ => report.push_str(&format!("{path}: folder vs file\n")),
            },
            Some(_) => {}
        }
    }
    for path in right.0.keys().filter(|p| !left.0.contains_key(*p)) {
        report.push_str(&format!("only in right: {path}\n"));
    }
    panic!("{what}: trees differ\n{report}");
}

/// The first differing lines of two byte strings, for failure messages.
fn line_diff(left: &[u8], right: &[u8]) -> String {
    let (l, r) = (String::from_utf8_lossy(left), String::from_utf8_lossy(right));
    let (l, r): (Vec<&str>, Vec<&str>) = (l.split_inclusive('\n').collect(), r.split_inclusive('\n').collect());
    let mut out = String::new();
    let mut shown = 0;
    for i in 0..l.len().max(r.len()) {
        let (a, b) = (l.get(i).copied(), r.get(i).copied());
        if a != b {
            out.push_str(&format!("  line {}:\n    left:  {:?}\n    right: {:?}\n", i + 1, a, b));
            shown += 1;
            if shown == 5 {
                out.push_str("  ...\n");
                break;
            }
        }
    }
    out
}

/// 1-based (line, column in chars) of every case-insensitive occurrence of `needle` in `text`.
pub fn occurrences(text: &str, needle: &str) -> Vec<(usize, usize)> {
    let needle = needle.to_ascii_lowercase();
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let lower = line.to_ascii_lowercase();
        let mut from = 0;
        while let Some(at) = lower[from..].find(&needle) {
            let byte = from + at;
            found.push((i + 1, lower[..byte].chars().count() + 1));
            from = byte + needle.len();
        }
    }
    found
}

/// Parse a `path:line:col: rest` report line.
pub fn parse_location(line: &str) -> Option<(String, usize, usize, String)> {
    let mut parts = line.splitn(4, ':');
    let path = parts.next()?.to_owned();
    let line_no = parts.next()?.parse().ok()?;
    let col = parts.next()?.parse().ok()?;
    let rest = parts.next()?.trim_start().to_owned();
    Some((path, line_no, col, rest))
}

/// A fixture as its end-to-end test runs it: the arguments after the command (a rule file, the
/// path) and the exit code `apply` must give (1 when the fixture holds a deliberate conflict).
pub struct FixtureRun {
    pub name: &'static str,
    pub args: &'static [&'static str],
    pub apply_exit: i32,
}

impl FixtureRun {
    /// `retrace COMMAND ARGS...` in `dir`.
    pub fn retrace(&self, dir: &Path, command: &str) -> Run {
        let args: Vec<&str> = std::iter::once(command).chain(self.args.iter().copied()).collect();
        retrace(dir, &args)
    }

    /// `retrace diff` on a fresh copy: (copy, stdout). The run must complete with exit 0.
    #[track_caller]
    pub fn diff_of_fresh_copy(&self) -> (TempDir, String) {
        let dir = fixture_copy(self.name);
        let run = self.retrace(dir.path(), "diff");
        run.expect_code(0);
        assert!(!run.stdout.is_empty(), "the diff of the fixture is empty\n{run}");
        let stdout = run.stdout.clone();
        (dir, stdout)
    }

    /// A fresh copy after `retrace apply`, which must exit with `apply_exit`.
    #[track_caller]
    pub fn applied_copy(&self) -> TempDir {
        let dir = fixture_copy(self.name);
        self.retrace(dir.path(), "apply").expect_code(self.apply_exit);
        dir
    }

    /// The diff is a real patch: `git apply --check` and `patch -p1 --dry-run` take it.
    #[track_caller]
    pub fn assert_diff_is_a_patch(&self) {
        let (dir, diff) = self.diff_of_fresh_copy();
        git_apply(dir.path(), &diff, false);
        patch_dry_run(dir.path(), &diff);
    }

    /// A second `apply` changes nothing, and `diff` after apply is empty.
    #[track_caller]
    pub fn assert_second_apply_changes_nothing(&self) {
        let dir = self.applied_copy();
        let once = Tree::of(dir.path());
        self.retrace(dir.path(), "apply").expect_code(self.apply_exit);
        assert_trees_equal(&once, &Tree::of(dir.path()), "tree after the first vs the second apply");
        let diff = self.retrace(dir.path(), "diff");
        diff.expect_code(0);
        assert_eq!(diff.stdout, "", "diff after apply should be empty\n{diff}");
    }

    /// `retrace apply` writes exactly the tree that `git apply` of `retrace diff` gives.
    #[track_caller]
    pub fn assert_apply_matches_diff(&self) {
        let (input, diff) = self.diff_of_fresh_copy();
        let patched = git_apply(input.path(), &diff, true);
        let applied = self.applied_copy();
        assert_trees_equal(&Tree::of(applied.path()), &Tree::of(patched.path()), "`retrace apply` vs `git apply` of `retrace diff`");
    }
}
