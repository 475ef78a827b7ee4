//! What the walked tree is: first-party Python packages and the planned file and folder moves.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::lang;
use crate::plan::{KeepReason, Verdict};
use crate::reads;
use crate::rules::{NameVerdict, RuleSet};
use crate::walk::WalkedFile;

/// Python's standard modules: a first-party top-level module renamed onto one of these would shadow it.
const PYTHON_STDLIB: &str = include_str!("python_stdlib.txt");

/// Facts about the whole tree that single-file rewriters consult.
#[derive(Debug, Clone, Default)]
pub struct Project {
    /// Top-level first-party Python modules and packages (found under the roots or named by rules).
    pub python_packages: HashSet<String>,
    /// Per-file moves (a folder rename moves every file in it), keyed by the old path.
    pub moves: BTreeMap<PathBuf, PathBuf>,
    /// Names of files/folders (stem or folder name) whose move is a conflict: imports of them stay.
    pub blocked_names: HashSet<String>,
    /// Why each blocked name was blocked (its first refusal), and what to do about it.
    pub refusals: BTreeMap<String, (String, Option<String>)>,
    /// One finding per path component that holds a term: moved, kept or refused.
    pub path_findings: Vec<PathFinding>,
    /// Where each walked file's path findings sit in `path_findings` (they are contiguous).
    pub findings_by_file: HashMap<PathBuf, std::ops::Range<usize>>,
    /// tsconfig `paths` aliases: import specifiers that are first-party although not relative.
    pub ts_aliases: Vec<TsAlias>,
    /// Crates of the walked tree (`[package]` / `[lib]` names of its Cargo.toml files, `-` as
    /// `_`), except those under history paths: paths rooted in them are first-party.
    pub rust_crates: HashSet<String>,
    /// Public URLs that moving Next.js route folders changes (`/sessions` -> `/traces`): each
    /// needs a redirect. Only with `[where] routes = true`.
    pub redirects: BTreeSet<(String, String)>,
    /// What first-party Python modules re-export from foreign ones, read once per run.
    pub python_reexports: crate::lang::python::ReExports,
    /// Verdicts that hold across files (a conflicting name, a route that stays), gathered
    /// before the run by [`crate::engine::shares`].
    pub shared: crate::safety::Shared,
    /// What TypeScript files learn about the files they import, found once per run.
    pub typescript_modules: crate::lang::typescript::Modules,
    /// The stem of every component of every moved path, gathered from `moves` on first use.
    pub moved_stems: std::sync::OnceLock<HashSet<String>>,
}

/// `"@/*": ["./src/*"]` in a tsconfig: specifiers starting with `prefix` resolve below `target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsAlias {
    /// `@/` (the pattern without its `*`).
    pub prefix: String,
    /// The folder, as walked (e.g. `webapp/src`), that the rest of the specifier is relative to.
    pub target: PathBuf,
}

/// A term in a file's path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PathFinding {
    pub path: PathBuf,
    /// The file or folder name that holds the term.
    pub name: String,
    pub verdict: Verdict,
    /// The walked file whose report carries it (a folder's first file).
    pub file: PathBuf,
}

/// Where a Python module comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleOrigin {
    FirstParty,
    /// Third-party or standard library; carries the top-level module name.
    Foreign(String),
}

impl Project {
    /// Learn the tree: which Python modules are first-party, which paths move, which moves clash.
    pub fn discover(roots: &[PathBuf], files: &[WalkedFile], rules: &RuleSet) -> Project {
        let all: Paths = files.iter().map(|f| f.path.as_path()).collect();
        let mut project = Project::default();
        // What modules and crates are first-party is learnt on another thread: the moves do not
        // depend on it.
        let ((packages, ts_aliases, rust_crates), reads) = std::thread::scope(|scope| {
            // What that thread reads counts for a capture on this one ([`crate::cache::project`]).
            let first_party = scope.spawn(|| {
                reads::capture(|| {
                    let aliases = files.iter().filter(|f| f.path.ends_with("tsconfig.json")).flat_map(|f| ts_aliases(&f.path));
                    let manifests = files.iter().filter(|f| f.path.ends_with("Cargo.toml") && !rules.is_history(&f.path));
                    (python_packages(roots, files, &all), aliases.collect(), manifests.flat_map(|f| crate_names(&f.path)).collect())
                })
            });
            project.learn_moves(roots, files, &all, rules);
            first_party.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        reads::replay(reads);
        project.python_packages = packages;
        project.python_packages.extend(rules.first_party.iter().cloned());
        project.ts_aliases = ts_aliases;
        project.rust_crates = rust_crates;
        project
    }

    /// The moves of files and folders that hold a term.
    fn learn_moves(&mut self, roots: &[PathBuf], files: &[WalkedFile], all: &Paths, rules: &RuleSet) {
        let unplannable = unplannable_files(files, rules);
        // A refused move blocks that name everywhere, which can refuse others: repeat until stable.
        loop {
            let before = self.blocked_names.len();
            self.plan_moves(roots, files, all, rules, &unplannable);
            if self.blocked_names.len() == before {
                break;
            }
        }
        self.index_path_findings();
    }

    /// Origin of a dotted module as written in an import; relative imports (`.x`, `..x`) are first-party.
    pub fn python_origin(&self, module: &str) -> ModuleOrigin {
        if module.starts_with('.') {
            return ModuleOrigin::FirstParty;
        }
        let top = module.split('.').next().unwrap_or(module);
        if self.python_packages.contains(top) {
            ModuleOrigin::FirstParty
        } else {
            ModuleOrigin::Foreign(top.to_owned())
        }
    }

    /// Tells trees apart for cached plans: every fact rewriters consult, and nothing else (the
    /// run-wide caches and the shared verdicts are recorded per plan, see [`crate::reads`]).
    pub fn fingerprint(&self) -> u64 {
        fn sorted(set: &HashSet<String>) -> Vec<&String> {
            let mut items: Vec<&String> = set.iter().collect();
            items.sort_unstable();
            items
        }
        let aliases: Vec<(&String, &PathBuf)> = self.ts_aliases.iter().map(|a| (&a.prefix, &a.target)).collect();
        crate::cache::hash_of(&(
            sorted(&self.python_packages),
            &self.moves,
            sorted(&self.blocked_names),
            // What they say of refused moves depends on why each was refused.
            &self.path_findings,
            aliases,
            sorted(&self.rust_crates),
            &self.redirects,
        ))
    }

    /// Whether this run moves `file` or reports something about its path.
    pub fn concerns(&self, file: &Path) -> bool {
        self.moves.contains_key(file) || !self.path_findings_of(file).is_empty()
    }

    /// The path findings a walked file's report carries.
    pub fn path_findings_of(&self, file: &Path) -> &[PathFinding] {
        self.findings_by_file.get(file).map_or(&[], |r| &self.path_findings[r.clone()])
    }

    pub(crate) fn index_path_findings(&mut self) {
        self.findings_by_file.clear();
        for (i, f) in self.path_findings.iter().enumerate() {
            self.findings_by_file.entry(f.file.clone()).and_modify(|r| r.end = i + 1).or_insert(i..i + 1);
        }
    }

    /// Whether `name` is the stem (the part before the first dot) of a component of a moved
    /// path. Asked per name of every file: one set, not a scan of every move each time.
    pub fn names_moved_path(&self, name: &str) -> bool {
        let stems = self.moved_stems.get_or_init(|| {
            let components = self.moves.keys().flat_map(|from| from.iter());
            components.filter_map(|part| Some(part.to_str()?.split('.').next()?.to_owned())).collect()
        });
        stems.contains(name)
    }

    /// Whether a module path component names a file or folder whose move was refused.
    pub fn is_blocked(&self, component: &str) -> bool {
        self.blocked_names.contains(component)
    }

    /// `what` (the move of a blocked name) `was refused`, and why when it is known.
    pub fn refused(&self, name: &str, what: &str) -> String {
        match self.refusals.get(name) {
            Some((why, _)) => format!("{what} was refused: {why}"),
            None => format!("{what} was refused"),
        }
    }

    /// Judge the path of every walked file that holds a term, then refuse the moves that clash.
    /// The files are judged in two halves, on two threads.
    fn plan_moves(&mut self, roots: &[PathBuf], files: &[WalkedFile], all: &Paths, rules: &RuleSet, unplannable: &Paths) {
        let source_dirs = source_dirs(files);
        let (mut judged, rest) = in_halves(files, |half| self.judge_paths(roots, half, &source_dirs, unplannable, rules));
        judged.append(rest);
        self.path_findings = judged.findings;
        self.redirects.extend(judged.redirects);
        self.moves.clear();
        self.refuse_clashing_moves(judged.proposals, all);
        if !rules.places.routes {
            self.redirects.clear();
        }
    }

    /// The verdicts on the names in the paths of `files` (a run of the walk, in its order), and
    /// the moves they propose.
    fn judge_paths<'f>(&self, roots: &[PathBuf], files: &'f [WalkedFile], source_dirs: &Paths, unplannable: &Paths, rules: &RuleSet) -> JudgedPaths<'f> {
        let mut judged = JudgedPaths::default();
        for file in files {
            // Only a name holding a term or an override gets a verdict; most paths hold none.
            if !rules.renamer.may_contain(file.path.as_os_str().as_encoded_bytes()) {
                continue;
            }
            // The root itself is never renamed: only what lies below it.
            let base = walk_root(&roots[file.root]);
            let relative = file.path.strip_prefix(&base).unwrap_or(&file.path);
            let names: Vec<String> = relative.iter().map(|n| n.to_string_lossy().into_owned()).collect();
            let mut old = base.clone();
            let mut new = base;
            for (i, name) in names.iter().enumerate() {
                old.push(name);
                let is_file = i + 1 == names.len();
                let movable = if is_file { lang::for_path(&old).is_some() } else { source_dirs.contains(old.as_path()) };
                let (stem, ext) = split_name(name, is_file);
                let verdict = match rules.name_verdict(stem) {
                    NameVerdict::Unrelated => None,
                    NameVerdict::Keep(reason) => Some(Verdict::Keep { reason }),
                    NameVerdict::Rename(_) if rules.is_history(&file.path) => {
                        Some(Verdict::Keep { reason: KeepReason::History })
                    }
                    NameVerdict::Rename(to) if self.blocked_names.contains(stem) => {
                        let refused = || ("its move was refused".to_owned(), Some(clear_the_way(stem, &to)));
                        let (why, suggestion) = self.refusals.get(stem).cloned().unwrap_or_else(refused);
                        Some(Verdict::Conflict { suggestion, to: format!("{to}{ext}"), why, other: None })
                    }
                    NameVerdict::Rename(to) if movable => match route_url(&names[..=i], is_file) {
                        Some(url) if !rules.places.routes => Some(Verdict::Review {
                            to: format!("{to}{ext}"),
                            why: format!("Next.js route: moving it changes the public URL `{url}`; set [where] routes = true to move it"),
                        }),
                        Some(url) => {
                            let new_url = match url.rfind('/') {
                                Some(slash) => format!("{}/{to}", &url[..slash]),
                                None => format!("/{to}"),
                            };
                            judged.redirects.push((url, new_url));
                            Some(Verdict::Rename { to: format!("{to}{ext}") })
                        }
                        None => Some(Verdict::Rename { to: format!("{to}{ext}") }),
                    },
                    NameVerdict::Rename(to) => Some(Verdict::Review {
                        to: format!("{to}{ext}"),
                        why: "no file retrace rewrites lives here".into(),
                    }),
                };
                match &verdict {
                    Some(Verdict::Rename { to }) => new.push(to),
                    _ => new.push(name),
                }
                // A folder's finding is recorded once, with its first file: the files of a folder
                // come together in the walk's order.
                let first_sighting = is_file || !judged.last.is_some_and(|last| last.starts_with(&old));
                if let Some(verdict) = verdict.filter(|_| first_sighting) {
                    judged.findings.push(PathFinding {
                        path: old.clone(),
                        name: name.clone(),
                        verdict,
                        file: file.path.clone(),
                    });
                }
            }
            judged.last = Some(&file.path);
            if new != file.path {
                judged.proposals.push(Proposal { from: file.path.clone(), to: new, unplannable: unplannable.contains(file.path.as_path()) });
            }
        }
        judged
    }

    /// A move of a file that cannot be planned, onto an existing path, two moves onto one path, or
    /// a top-level Python module renamed onto a standard-library name are refused: the names
    /// involved become blocked.
    fn refuse_clashing_moves(&mut self, proposed: Vec<Proposal>, all: &Paths) {
        let moving: Paths = proposed.iter().map(|p| p.from.as_path()).collect();
        let mut targets: HashMap<&Path, usize> = HashMap::new();
        for p in &proposed {
            *targets.entry(p.to.as_path()).or_default() += 1;
        }
        let stdlib: HashSet<&str> = PYTHON_STDLIB.lines().collect();
        // Files of a renamed folder move into a folder that most often does not exist yet: one
        // look at it answers for all of them, instead of a look at each. Recorded, so a kept
        // project sees a path taken since, even one the walk does not see.
        let mut folders: HashMap<&Path, Option<reads::Listing>> = HashMap::new();
        let mut accepted = Vec::new();
        for p in &proposed {
            let folder = p.to.parent().unwrap_or(Path::new(""));
            let listing = folders.entry(folder).or_insert_with(|| reads::list_folder(folder).ok());
            let listed = |(files, folders): &reads::Listing| p.to.file_name().is_some_and(|name| files.contains(name) || folders.contains(name));
            let taken = all.contains(p.to.as_path()) || listing.as_ref().is_some_and(listed);
            let why = if p.unplannable {
                Some(format!("`{}` cannot be planned (its error says why), so it cannot move", p.from.display()))
            } else if taken && !moving.contains(p.to.as_path()) {
                Some(format!("`{}` already exists", p.to.display()))
            } else if targets[p.to.as_path()] > 1 {
                Some(format!("another file also moves to `{}`", p.to.display()))
            } else {
                shadowed_stdlib_module(p, all, &stdlib)
                    .map(|m| format!("`{}` would shadow Python's standard module `{m}`", p.to.display()))
            };
            match why {
                None => accepted.push((p.from.clone(), p.to.clone())),
                Some(why) => self.refuse(p, &why),
            }
        }
        // Built at once from the walk's order, which is the map's: a path compares by component.
        self.moves = accepted.into_iter().collect();
    }

    /// Block every name the refused move would have changed, so imports of it stay too, and turn
    /// its path findings into conflicts.
    fn refuse(&mut self, p: &Proposal, why: &str) {
        let depth = p.from.components().count();
        for (i, (old, new)) in p.from.iter().zip(p.to.iter()).enumerate() {
            if old == new {
                continue;
            }
            let old = old.to_string_lossy();
            let (stem, _) = split_name(&old, i + 1 == depth);
            self.blocked_names.insert(stem.to_owned());
            let old_path: PathBuf = p.from.iter().take(i + 1).collect();
            for f in self.path_findings.iter_mut().filter(|f| f.path == old_path) {
                if let Verdict::Rename { to } = &f.verdict {
                    // A file that cannot be planned says what to do in its own error.
                    let suggestion = (!p.unplannable).then(|| clear_the_way(stem, split_name(to, i + 1 == depth).0));
                    self.refusals.entry(stem.to_owned()).or_insert_with(|| (why.to_owned(), suggestion.clone()));
                    f.verdict = Verdict::Conflict { to: to.clone(), why: why.to_owned(), other: None, suggestion };
                }
            }
        }
    }
}

struct Proposal {
    from: PathBuf,
    to: PathBuf,
    /// See [`WalkedFile::unplannable`].
    unplannable: bool,
}

/// What [`Project::judge_paths`] makes of a run of walked files.
#[derive(Default)]
struct JudgedPaths<'f> {
    proposals: Vec<Proposal>,
    findings: Vec<PathFinding>,
    redirects: Vec<(String, String)>,
    /// The last file whose path holds a term.
    last: Option<&'f Path>,
}

impl<'f> JudgedPaths<'f> {
    /// The judgements of the run of files that follows. A folder across both runs was found by
    /// each, with its first file in each: only the first finding stays.
    fn append(&mut self, mut next: JudgedPaths<'f>) {
        if let (Some(last), Some(first)) = (self.last, next.findings.first().map(|f| f.file.clone())) {
            next.findings.retain(|f| f.file != first || f.path == f.file || !last.starts_with(&f.path));
        }
        self.proposals.append(&mut next.proposals);
        self.findings.append(&mut next.findings);
        self.redirects.append(&mut next.redirects);
        self.last = next.last.or(self.last);
    }
}

/// The URL a Next.js route segment serves: `app/sessions` -> `/sessions` (route groups `(x)` and
/// private `_x` folders are not URL parts), `pages/sessions.tsx` -> `/sessions`. `None` for
/// anything that is not below an `app` or `pages` folder at the top of a root or its `src`.
fn route_url(components: &[String], is_file: bool) -> Option<String> {
    let start = match components {
        [first, ..] if first == "app" || first == "pages" => 1,
        [src, second, ..] if src == "src" && (second == "app" || second == "pages") => 2,
        _ => return None,
    };
    let router = &components[start - 1];
    if is_file && router == "app" {
        return None; // page.tsx, layout.tsx: the folder is the segment
    }
    let mut url = String::new();
    for (i, part) in components[start..].iter().enumerate() {
        let last = start + i + 1 == components.len();
        let part = if last && is_file { split_name(part, true).0 } else { part.as_str() };
        if part.starts_with('(') || part.starts_with('_') {
            continue;
        }
        url.push('/');
        url.push_str(part);
    }
    (!url.is_empty()).then_some(url)
}

/// How a refused move of `stem` (to `to`) is resolved.
fn clear_the_way(stem: &str, to: &str) -> String {
    let other_name = crate::safety::override_suggestion(stem, to, |_| true);
    format!("merge or remove what stands at the new path first, or {other_name}")
}

/// `work` on each half of `items`, the second on another thread, whose reads count for a capture
/// on this one ([`crate::cache::project`]).
fn in_halves<'i, T: Sync, R: Send>(items: &'i [T], work: impl Fn(&'i [T]) -> R + Sync) -> (R, R) {
    let (first, second) = items.split_at(items.len() / 2);
    let (first, (second, reads)) = std::thread::scope(|scope| {
        let second = scope.spawn(|| reads::capture(|| work(second)));
        (work(first), second.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    reads::replay(reads);
    (first, second)
}

/// The files whose path holds a term (so may move) that cannot be planned ([`cannot_plan`]),
/// found once for every round of [`Project::learn_moves`].
fn unplannable_files<'f>(files: &'f [WalkedFile], rules: &RuleSet) -> Paths<'f> {
    let may_move = |f: &&WalkedFile| f.mentions && rules.renamer.may_contain(f.path.as_os_str().as_encoded_bytes());
    let candidates: Vec<&WalkedFile> = files.iter().filter(may_move).collect();
    let check = |half: &'_ [&'f WalkedFile]| half.iter().filter(|f| cannot_plan(f, rules)).map(|f| f.path.as_path()).collect::<Vec<_>>();
    let (first, second) = in_halves(&candidates, check);
    first.into_iter().chain(second).collect()
}

/// Whether `file` cannot be planned, so cannot move: [`WalkedFile::unplannable`], or a text that
/// is not UTF-8, holds NUL bytes or does not parse (read again, recorded).
fn cannot_plan(file: &WalkedFile, rules: &RuleSet) -> bool {
    let fails = || match reads::read_to_string(&file.path) {
        Ok(text) => {
            let parses = || lang::for_path(&file.path).is_none_or(|r| r.parses(crate::engine::body_of(&text), &file.path, rules).is_ok());
            text.contains('\0') || !parses()
        }
        Err(e) => e.kind() == std::io::ErrorKind::InvalidData,
    };
    file.unplannable() || (file.mentions && fails())
}

/// `session.py` -> (`session`, `.py`) for files; folders keep their whole name.
fn split_name(name: &str, is_file: bool) -> (&str, &str) {
    match name.rfind('.') {
        Some(dot) if is_file && dot > 0 => name.split_at(dot),
        _ => (name, ""),
    }
}

/// A set of the walked paths, asked for every file: hashed with a fast hasher.
type Paths<'a> = foldhash::HashSet<&'a Path>;

/// The walk's root as it appears at the start of walked paths (`.` is stripped by the walker).
fn walk_root(root: &Path) -> PathBuf {
    crate::walk::clean(root)
}

/// Every folder that holds, at any depth, a file some rewriter handles: only those are renamed.
/// Files of one folder mostly come together in the walk: a folder just seen is not hashed again.
fn source_dirs(files: &[WalkedFile]) -> Paths<'_> {
    let mut dirs = Paths::default();
    let mut last: Option<&Path> = None;
    for f in files {
        let parent = f.path.parent();
        if parent.is_some() && parent == last || lang::for_path(&f.path).is_none() {
            continue;
        }
        last = parent;
        for dir in f.path.ancestors().skip(1) {
            if !dirs.insert(dir) {
                break;
            }
        }
    }
    dirs
}

/// Top-level importable names: the outermost folder of each `__init__.py` chain, and plain modules
/// in folders that are not packages (scripts, tests, conftest). Package folders are judged on disk,
/// so a run over a few files (a pre-commit hook) still knows the packages they live in; so are the
/// packages beside the current folder and in its `src/` when a root is a single file.
fn python_packages(roots: &[PathBuf], files: &[WalkedFile], all: &Paths) -> HashSet<String> {
    // Judged once per folder: files share folders, and a look on disk costs a system call.
    let judged = std::cell::RefCell::new(HashMap::<PathBuf, bool>::new());
    let is_package = |dir: &Path| {
        if let Some(&known) = judged.borrow().get(dir) {
            return known;
        }
        let init = dir.join("__init__.py");
        let package = all.contains(init.as_path()) || reads::is_file(&init);
        judged.borrow_mut().insert(dir.to_path_buf(), package);
        package
    };
    let mut names = HashSet::new();
    for f in files.iter().filter(|f| f.path.extension().is_some_and(|e| e == "py" || e == "pyi")) {
        let mut top = f.path.clone();
        while let Some(parent) = top.parent().filter(|p| !p.as_os_str().is_empty() && is_package(p)) {
            top = parent.to_path_buf();
        }
        let name = if top == f.path { top.file_stem() } else { top.file_name() };
        if let Some(name) = name {
            names.insert(name.to_string_lossy().into_owned());
        }
    }
    if roots.iter().any(|r| reads::is_file(r)) {
        for dir in [Path::new("."), Path::new("src")] {
            let Ok((_, folders)) = reads::list_folder(dir) else { continue };
            for name in folders.iter() {
                if is_package(&dir.join(name)) {
                    names.insert(name.to_string_lossy().into_owned());
                }
            }
        }
    }
    names
}

/// The standard module a moved Python file would shadow: the new name of its top-level module
/// (the file itself, or the outermost folder of its `__init__.py` chain, judged in the old tree).
fn shadowed_stdlib_module(p: &Proposal, all: &Paths, stdlib: &HashSet<&str>) -> Option<String> {
    if p.to.extension().is_none_or(|e| e != "py") {
        return None;
    }
    let mut top = p.from.as_path();
    while let Some(parent) = top.parent().filter(|d| all.contains(d.join("__init__.py").as_path())) {
        top = parent;
    }
    let depth = top.components().count();
    let new_top = p.to.iter().nth(depth - 1)?.to_string_lossy();
    let name = if top == p.from { split_name(&new_top, true).0 } else { &new_top };
    stdlib.contains(name).then(|| name.to_owned())
}

/// The `[package]` and `[lib]` names of one Cargo.toml, as paths spell them (`-` becomes `_`).
fn crate_names(manifest: &Path) -> Vec<String> {
    let Ok(text) = reads::read_to_string(manifest) else { return Vec::new() };
    let Ok(doc) = toml::from_str::<toml::Table>(&text) else { return Vec::new() };
    ["package", "lib"]
        .iter()
        .filter_map(|section| doc.get(*section)?.get("name")?.as_str())
        .map(|name| name.replace('-', "_"))
        .collect()
}

/// The `compilerOptions.paths` aliases of one tsconfig.json (comments and trailing commas allowed).
fn ts_aliases(tsconfig: &Path) -> Vec<TsAlias> {
    let Ok(text) = reads::read_to_string(tsconfig) else { return Vec::new() };
    let Ok(config) = serde_json::from_str::<serde_json::Value>(&strip_jsonc(&text)) else { return Vec::new() };
    let dir = tsconfig.parent().unwrap_or(Path::new(""));
    let options = &config["compilerOptions"];
    let base = dir.join(options["baseUrl"].as_str().unwrap_or("."));
    let Some(paths) = options["paths"].as_object() else { return Vec::new() };
    paths
        .iter()
        .filter_map(|(pattern, targets)| {
            let prefix = pattern.strip_suffix('*')?;
            let target = targets.as_array()?.first()?.as_str()?.strip_suffix('*')?;
            Some(TsAlias { prefix: prefix.to_owned(), target: normalize(&base.join(target)) })
        })
        .collect()
}

/// `a/./b/../c` -> `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// JSON with comments (tsconfig's dialect) -> JSON: drop `//` and `/* */` comments outside strings,
/// and commas before a closing bracket.
fn strip_jsonc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => out.extend(chars.next()),
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                while chars.next_if(|&n| n != '\n').is_some() {}
            }
            ('/', Some('*')) => {
                chars.next();
                while let Some(n) = chars.next() {
                    if n == '*' && chars.next_if_eq(&'/').is_some() {
                        break;
                    }
                }
            }
            (']' | '}', _) => {
                let trimmed = out.trim_end().len();
                if out[..trimmed].ends_with(',') {
                    out.truncate(trimmed - 1);
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(path: &str) -> Vec<String> {
        path.split('/').map(str::to_owned).collect()
    }

    #[test]
    fn route_urls_of_next_app_and_pages_routers() {
        assert_eq!(route_url(&names("app/sessions"), false).as_deref(), Some("/sessions"));
        assert_eq!(route_url(&names("src/app/(dash)/sessions"), false).as_deref(), Some("/sessions"));
        assert_eq!(route_url(&names("pages/sessions.tsx"), true).as_deref(), Some("/sessions"));
        assert_eq!(route_url(&names("app/sessions/page.tsx"), true), None);
        assert_eq!(route_url(&names("src/components/sessions"), false), None);
    }

    #[test]
    fn a_refused_move_says_why_in_its_path_finding() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let file = |name: &str, read_hash| {
            std::fs::write(root.join(name), "x = 1\n").unwrap();
            WalkedFile { path: root.join(name), root: 0, mentions: true, read_hash }
        };
        // `session.py` would land on `trace.py`; `session_big.py` was not read whole by the walk.
        let files = vec![file("session.py", Some(0)), file("session_big.py", None), file("trace.py", Some(0))];
        let project = Project::discover(std::slice::from_ref(&root), &files, &RuleSet::builtin());
        assert!(project.moves.is_empty(), "{:?}", project.moves);
        let conflict = |name: &str| {
            let finding = project.path_findings.iter().find(|f| f.path == root.join(name)).expect(name);
            match &finding.verdict {
                Verdict::Conflict { why, suggestion, .. } => (why.clone(), suggestion.clone()),
                other => panic!("{name}: {other:?}"),
            }
        };
        let (why, suggestion) = conflict("session.py");
        assert_eq!(why, format!("`{}` already exists", root.join("trace.py").display()));
        assert!(suggestion.is_some_and(|s| s.starts_with("merge or remove what stands at the new path first")));
        let (why, suggestion) = conflict("session_big.py");
        assert_eq!(why, format!("`{}` cannot be planned (its error says why), so it cannot move", root.join("session_big.py").display()));
        assert_eq!(suggestion, None, "its own error says what to do");
    }

    #[test]
    fn route_folders_are_reviewed_unless_the_rules_opt_in() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let page = root.join("app/sessions/[id]/page.tsx");
        std::fs::create_dir_all(page.parent().unwrap()).unwrap();
        std::fs::write(&page, "export default function Page() { return null }\n").unwrap();
        let files = vec![WalkedFile { path: page.clone(), root: 0, mentions: true, read_hash: Some(0) }];
        let rules = RuleSet::builtin();
        let project = Project::discover(std::slice::from_ref(&root), &files, &rules);
        assert!(project.moves.is_empty());
        assert!(matches!(project.path_findings[0].verdict, Verdict::Review { .. }), "{:?}", project.path_findings);
        let mut rules = rules;
        rules.places.routes = true;
        let project = Project::discover(std::slice::from_ref(&root), &files, &rules);
        assert_eq!(project.moves[&page], root.join("app/traces/[id]/page.tsx"));
        assert_eq!(project.redirects.iter().collect::<Vec<_>>(), [&("/sessions".to_owned(), "/traces".to_owned())]);
    }

    #[test]
    fn a_folder_is_reported_once_wherever_the_walk_is_split() {
        let root = PathBuf::from("tree");
        for before in 0..4 {
            let mut paths: Vec<String> = (0..before).map(|i| format!("tree/a{i}_session.py")).collect();
            paths.extend(["x", "y", "z"].map(|name| format!("tree/pkg/session_tools/{name}.py")));
            paths.push("tree/zz_session.py".into());
            let files: Vec<WalkedFile> =
                paths.iter().map(|p| WalkedFile { path: PathBuf::from(p), root: 0, mentions: true, read_hash: Some(0) }).collect();
            let project = Project::discover(std::slice::from_ref(&root), &files, &RuleSet::builtin());
            let folder: Vec<&PathFinding> =
                project.path_findings.iter().filter(|f| f.path == Path::new("tree/pkg/session_tools")).collect();
            assert_eq!(folder.len(), 1, "{before} files before: {:?}", project.path_findings);
            assert_eq!(folder[0].file, Path::new("tree/pkg/session_tools/x.py"));
            assert_eq!(project.path_findings.len(), paths.len() + 1 - 3, "{:?}", project.path_findings);
            assert_eq!(project.moves.len(), paths.len(), "{:?}", project.moves);
        }
    }

    #[test]
    fn crate_names_of_a_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("Cargo.toml");
        std::fs::write(&manifest, "[package]\nname = \"obs-sdk\"\n\n[lib]\nname = \"obs\"\n").unwrap();
        assert_eq!(crate_names(&manifest), ["obs_sdk", "obs"]);
    }

    #[test]
    fn tsconfig_paths_with_comments_and_trailing_commas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tsconfig.json");
        std::fs::write(
            &path,
            "{\n  // aliases\n  \"compilerOptions\": { /* base */ \"baseUrl\": \".\",\n    \"paths\": { \"@/*\": [\"./src/*\"], },\n  },\n}\n",
        )
        .unwrap();
        assert_eq!(ts_aliases(&path), vec![TsAlias { prefix: "@/".into(), target: dir.path().join("src") }]);
    }
}
