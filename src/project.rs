//! What the walked tree is: first-party Python packages and the planned file moves.

use std::collections::HashSet;

use crate::plan::FileMove;

/// Facts about the whole tree that single-file rewriters consult.
#[derive(Debug, Clone, Default)]
pub struct Project {
    /// Top-level first-party Python modules and packages (found under the roots or named by rules).
    pub python_packages: HashSet<String>,
    /// Per-file moves (a folder rename moves every file in it).
    pub moves: Vec<FileMove>,
    /// Names of files/folders (stem or folder name) whose move is a conflict: imports of them stay.
    pub blocked_names: HashSet<String>,
}

/// Where a Python module comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleOrigin {
    FirstParty,
    /// Third-party or standard library; carries the top-level module name.
    Foreign(String),
}

impl Project {
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

    /// Whether a module path component names a file or folder whose move was refused.
    pub fn is_blocked(&self, component: &str) -> bool {
        self.blocked_names.contains(component)
    }
}
