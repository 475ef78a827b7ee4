//! Re-exports across files: `from app.database import Session`, where the first-party module
//! `app/database.py` itself does `from sqlalchemy.orm import Session`, binds SQLAlchemy's
//! `Session` just as a direct import would. Chains of first-party modules are followed.
//!
//! Each module file is read at most once per run, and parsed only when a name asked about is
//! written after one of its `import` keywords: most imported names are defined, not imported,
//! there. The cache lives in the [`Project`](crate::project::Project) that every worker shares;
//! its answers keep the [reads](crate::reads) they were made from.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use tree_sitter::Node;

use super::collect::name_and_alias;
use super::syntax::{self, named_children, text_of};
use crate::cache::text_hash;
use crate::lang::symbols::NodeSymbols;
use crate::project::{ModuleOrigin, Project};
use crate::memo::Shards;
use crate::reads::{self, Recorded};

/// How many first-party modules a chain of re-exports may pass through (cycles end here too).
const MAX_HOPS: usize = 8;

/// A foreign object a first-party module re-exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reexported {
    /// The foreign module as imported there (`sqlalchemy.orm`).
    pub module: String,
    /// The dotted path of the object (`sqlalchemy.orm.Session`).
    pub path: String,
}

/// The run-wide cache: where modules are found, and their imports.
#[derive(Debug, Clone, Default)]
pub struct ReExports {
    cache: Arc<Cache>,
}

/// Paths are keyed by their bytes.
#[derive(Debug, Default)]
struct Cache {
    /// (folder, module) -> the module's file found from there; a relative module is keyed by the
    /// folder it is relative to and written with one dot.
    files: Shards<(OsString, String), Arc<Recorded<Option<PathBuf>>>, 128>,
    /// Module file -> what is known of its imports, read on first use.
    modules: Shards<OsString, Arc<OnceLock<Recorded<Module>>>, 64>,
}

#[derive(Debug, Default)]
struct Module {
    /// Every word written after an `import` keyword, to the end of its statement: a superset of
    /// the names its imports bind, found without a parse.
    imported_words: ImportedWords,
    /// Its module-level imports, parsed on first need.
    imports: OnceLock<Imports>,
}

/// A module's module-level imports: local name -> what it is bound to.
type Imports = HashMap<String, Bound>;

#[derive(Debug, Clone)]
struct Bound {
    /// The module as written (`sqlalchemy.orm`, `.database`).
    module: String,
    /// The imported name (`Session`); `None` for `import a.b [as c]`, which binds the module.
    name: Option<String>,
}

impl ReExports {
    /// The foreign object that `from <module> import <name>`, written in `importer`, binds when
    /// `module` is first-party and re-exports it; `None` when it does not or cannot be found.
    pub fn foreign(&self, project: &Project, importer: &Path, module: &str, name: &str) -> Option<Reexported> {
        let (mut importer, mut module, mut name) = (importer.to_path_buf(), module.to_owned(), name.to_owned());
        for _ in 0..MAX_HOPS {
            let file = self.module_file(&importer, &module)?;
            let bound = self.bound(&file, &name)?;
            let path = match &bound.name {
                Some(n) => format!("{}.{n}", bound.module),
                None => bound.module.clone(),
            };
            match project.python_origin(&bound.module) {
                ModuleOrigin::Foreign(_) => return Some(Reexported { module: bound.module, path }),
                ModuleOrigin::FirstParty => {
                    (importer, module, name) = (file, bound.module, bound.name?);
                }
            }
        }
        None
    }

    /// The file of `module` as imported from `importer`: relative imports from its folder,
    /// absolute ones from the nearest enclosing folder that holds the module.
    fn module_file(&self, importer: &Path, module: &str) -> Option<PathBuf> {
        let folder = importer.parent().unwrap_or(Path::new(""));
        let rest = module.trim_start_matches('.');
        match module.len() - rest.len() {
            0 => self.found_from(folder, rest),
            dots => {
                let base = folder.ancestors().nth(dots - 1)?;
                self.file_from(base, format!(".{rest}"), || module_at(base, rest))
            }
        }
    }

    /// The file of absolute `module` in `folder` or the nearest folder above that holds it. Each
    /// folder's answer is held once and uses its parent's: the files of a package share the
    /// probes of the folders above them instead of each repeating them.
    fn found_from(&self, folder: &Path, module: &str) -> Option<PathBuf> {
        self.file_from(folder, module.to_owned(), || module_at(folder, module).or_else(|| self.found_from(folder.parent()?, module)))
    }

    /// The memoized answer for (`folder`, `key`), else the one `find` gives, with the reads it made.
    fn file_from(&self, folder: &Path, key: String, find: impl FnOnce() -> Option<PathBuf>) -> Option<PathBuf> {
        let key = (folder.as_os_str().to_owned(), key);
        self.cache.files.get_or_make(&key, || Arc::new(Recorded::capture(find))).get().clone()
    }

    /// What `name` is bound to by an import of the module at `file` (read on first use, parsed
    /// only when `name` may be imported there).
    fn bound(&self, file: &Path, name: &str) -> Option<Bound> {
        let once = self.cache.modules.get_or_make(file.as_os_str(), Arc::default);
        // Read outside the lock: other workers wait only for this module, not for the map.
        let module = once
            .get_or_init(|| {
                Recorded::capture(|| Module {
                    imported_words: reads::read_to_string(file).map(|text| ImportedWords::of(&text)).unwrap_or_default(),
                    imports: OnceLock::new(),
                })
            })
            .get();
        if !module.imported_words.may_hold(name) {
            return None;
        }
        module.imports.get_or_init(|| read_imports(file)).get(name).cloned()
    }
}

/// The file of `module` (dots left out) in `base`: its package, else its module file.
fn module_at(base: &Path, module: &str) -> Option<PathBuf> {
    let mut stem = base.to_path_buf();
    stem.extend(module.split('.').filter(|p| !p.is_empty()));
    let package = stem.join("__init__.py");
    if reads::is_file(&package) {
        return Some(package);
    }
    let file = stem.with_extension("py");
    (!module.is_empty() && reads::is_file(&file)).then_some(file)
}

/// The words a module writes after its `import` keywords, as their sorted hashes in one
/// allocation: a module is held for the whole run, and a set of strings (one allocation a word,
/// thousands of modules) kept the allocator from giving pages back. A hash that two words share
/// only costs a parse.
#[derive(Debug, Default)]
struct ImportedWords(Box<[u64]>);

impl ImportedWords {
    fn of(text: &str) -> ImportedWords {
        let mut hashes: Vec<u64> = imported_words(text).map(|word| text_hash(word.as_bytes())).collect();
        hashes.sort_unstable();
        hashes.dedup();
        ImportedWords(hashes.into_boxed_slice())
    }

    /// Whether `name` may be one of the words: `false` only when it is not.
    fn may_hold(&self, name: &str) -> bool {
        self.0.binary_search(&text_hash(name.as_bytes())).is_ok()
    }
}

/// Every identifier-like word from each `import` keyword to the end of its statement: the line
/// (with `\` continuations), or the parentheses that open right after it. Words in strings and
/// comments that happen to follow `import` only make the set larger.
fn imported_words(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    crate::words::tokens(text).into_iter().filter(|r| &text[r.clone()] == "import").flat_map(move |keyword| {
        let mut end = keyword.end;
        while bytes.get(end).is_some_and(|&b| b == b' ' || b == b'\t') {
            end += 1;
        }
        end = if bytes.get(end) == Some(&b'(') {
            closing_parenthesis(text, end)
        } else {
            let mut line_end = end;
            loop {
                line_end = text[line_end..].find('\n').map_or(text.len(), |n| line_end + n);
                if line_end < text.len() && text[..line_end].trim_end_matches('\r').ends_with('\\') {
                    line_end += 1;
                    continue;
                }
                break line_end;
            }
        };
        let span = &text[keyword.end..end];
        crate::words::tokens(span).into_iter().map(move |r| &span[r])
    })
}

/// Where the parenthesis that opens at `open` closes (or the end of `text`): a `)` in a comment
/// (`Session,  # see (docs)`) does not close it.
fn closing_parenthesis(text: &str, open: usize) -> usize {
    let mut at = open;
    while let Some(found) = text[at..].find([')', '#']).map(|i| at + i) {
        if text.as_bytes()[found] == b')' {
            return found;
        }
        at = text[found..].find('\n').map_or(text.len(), |n| found + n);
    }
    text.len()
}

/// The module-level imports of a Python file (none when it cannot be read or parsed).
fn read_imports(file: &Path) -> Imports {
    let Ok(text) = reads::read_to_string(file) else { return Imports::new() };
    let Ok(tree) = syntax::parse(&text) else { return Imports::new() };
    let mut imports = Imports::new();
    for statement in named_children(tree.root_node()) {
        collect_statement(statement, &text, &mut imports);
    }
    imports
}

fn collect_statement(statement: Node<'_>, text: &str, imports: &mut Imports) {
    let mut cursor = statement.walk();
    match statement.kind_name() {
        "import_from_statement" => {
            let Some(module) = statement.field("module_name") else { return };
            let module = text_of(module, text);
            for item in statement.fields("name", &mut cursor) {
                let (Some(name), alias) = name_and_alias(item) else { continue };
                let name = text_of(name, text);
                let local = alias.map_or(name, |a| text_of(a, text));
                imports.insert(local.to_owned(), Bound { module: module.to_owned(), name: Some(name.to_owned()) });
            }
        }
        // `import a.b as c` binds module `a.b` as `c`; plain `import a.b` binds `a`.
        "import_statement" => {
            for item in statement.fields("name", &mut cursor) {
                let (Some(dotted), alias) = name_and_alias(item) else { continue };
                let module = text_of(dotted, text);
                let local = alias.map_or_else(|| module.split('.').next().unwrap_or(module), |a| text_of(a, text));
                let bound = if alias.is_some() { module } else { local };
                imports.insert(local.to_owned(), Bound { module: bound.to_owned(), name: None });
            }
        }
        // Module-level imports under `if TYPE_CHECKING:` or `try: ... except ImportError:` bind
        // the name too; a later import of the same name wins, as it does at run time.
        "if_statement" | "elif_clause" | "else_clause" | "try_statement" | "except_clause" | "finally_clause" | "block" => {
            for child in named_children(statement) {
                collect_statement(child, text, imports);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    fn project() -> Project {
        Project { python_packages: ["app".to_owned()].into(), ..Project::default() }
    }

    fn found(module: &str, path: &str) -> Option<Reexported> {
        Some(Reexported { module: module.into(), path: path.into() })
    }

    #[test]
    fn imported_words_cover_every_import_form_and_leave_definitions_out() {
        let text = "import os, sqlalchemy.orm as orm\nfrom .db import (\n    Session,  # the ORM's (see docs)\n    sessionmaker as maker,\n)\n\
                    from x import a, \\\n    b\nclass SessionRecord:\n    def get(self):\n        import json\n";
        let words: HashSet<&str> = imported_words(text).collect();
        let hashed = ImportedWords::of(text);
        for word in ["os", "sqlalchemy", "orm", "Session", "sessionmaker", "maker", "a", "b", "json"] {
            assert!(words.contains(word) && hashed.may_hold(word), "{word} missing from {words:?}");
        }
        for word in ["SessionRecord", "db", "get"] {
            assert!(!words.contains(word) && !hashed.may_hold(word), "{word} in {words:?}");
        }
    }

    #[test]
    fn a_first_party_module_that_imports_a_foreign_name_re_exports_it() {
        let dir = tree(&[
            ("api/app/__init__.py", "from app.database import Session as DbSession\n"),
            ("api/app/database.py", "import sqlalchemy.orm as orm\nfrom sqlalchemy.orm import Session, sessionmaker as maker\n"),
            (
                "api/app/typing.py",
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from aiohttp import ClientSession\n\
                 try:\n    from requests import Session\nexcept ImportError:\n    pass\n",
            ),
            ("api/app/core/__init__.py", ""),
            ("api/app/core/deps.py", "from ..database import Session\n"),
            ("api/app/routes/users.py", ""),
        ]);
        let root = dir.path().join("api");
        let routes = root.join("app/routes/users.py");
        let (reexports, project) = (ReExports::default(), project());
        let foreign = |importer: &Path, module: &str, name: &str| reexports.foreign(&project, importer, module, name);
        assert_eq!(foreign(&routes, "app.database", "Session"), found("sqlalchemy.orm", "sqlalchemy.orm.Session"));
        assert_eq!(foreign(&routes, "app.database", "maker"), found("sqlalchemy.orm", "sqlalchemy.orm.sessionmaker"));
        assert_eq!(foreign(&routes, "app.database", "orm"), found("sqlalchemy.orm", "sqlalchemy.orm"));
        assert_eq!(foreign(&routes, "..database", "Session"), found("sqlalchemy.orm", "sqlalchemy.orm.Session"));
        // Through a chain: app/__init__.py -> app/database.py -> sqlalchemy; app/core/deps.py -> ..database.
        assert_eq!(foreign(&routes, "app", "DbSession"), found("sqlalchemy.orm", "sqlalchemy.orm.Session"));
        assert_eq!(foreign(&routes, "app.core.deps", "Session"), found("sqlalchemy.orm", "sqlalchemy.orm.Session"));
        assert_eq!(foreign(&routes, "app.typing", "ClientSession"), found("aiohttp", "aiohttp.ClientSession"));
        assert_eq!(foreign(&routes, "app.typing", "Session"), found("requests", "requests.Session"));
        assert_eq!(foreign(&routes, "app.database", "create_engine"), None, "not imported there");
        assert_eq!(foreign(&routes, "app.missing", "Session"), None, "no such module");

        // Each module is found and read once: later answers come from the cache.
        std::fs::remove_file(root.join("app/database.py")).unwrap();
        assert_eq!(foreign(&routes, "app.database", "Session"), found("sqlalchemy.orm", "sqlalchemy.orm.Session"));
    }

    #[test]
    fn cycles_and_first_party_objects_end_without_an_answer() {
        let dir = tree(&[
            ("app/__init__.py", ""),
            ("app/a.py", "from app.b import Session\n"),
            ("app/b.py", "from app.a import Session\n"),
            ("app/c.py", "from app.model import Trace\nimport app.model\n"),
            ("app/model.py", "class Trace:\n    pass\n"),
            ("app/broken.py", "from sqlalchemy.orm import (Session\n"),
        ]);
        let importer = dir.path().join("main.py");
        let (reexports, project) = (ReExports::default(), project());
        for (module, name) in [("app.a", "Session"), ("app.c", "Trace"), ("app.c", "app"), ("app.broken", "Session")] {
            assert_eq!(reexports.foreign(&project, &importer, module, name), None, "{module}.{name}");
        }
    }
}
