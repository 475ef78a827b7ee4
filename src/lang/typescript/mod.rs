//! TypeScript, TSX and JavaScript rewriter on tree-sitter-typescript.
//!
//! A file is read in two passes. [`scope`] declares every name in the scope that holds it and
//! resolves every use; [`collect`] walks the tree again and names each occurrence of a term: a
//! symbol, a property and whose it is ([`origin`]: the project's, a package's, a global's), a
//! module path ([`specifier`]), or text ([`text`]). [`decide`] gives one verdict per symbol and
//! property name, finds clashes, and writes the plan; [`values`] finds the routes, mappings and
//! persisted values whose strings need more care. [`shims`] keeps old exported names working.

mod collect;
mod decide;
mod embedded;
mod modules;
mod origin;
mod scope;
mod shims;
mod specifier;
mod syntax;
mod text;
mod values;

#[cfg(test)]
mod tests;

use std::cell::{OnceCell, RefCell};

use foldhash::{HashMap, HashMapExt};
use tree_sitter::{Node, Tree};

use super::{Context, ParseError, Rewriter};
use crate::plan::{FilePlan, KeepReason};
use origin::Origin;
use scope::{DeclKind, Scopes, SymbolId, MODULE};
use specifier::Module;
use syntax::Grammar;

pub use modules::Modules;
pub use shims::shims;

pub struct TypeScript {
    /// The TSX grammar (for .tsx and .jsx).
    pub tsx: bool,
}

impl Rewriter for TypeScript {
    fn language(&self) -> &'static str {
        if self.tsx {
            "tsx"
        } else {
            "typescript"
        }
    }

    fn plan(&self, text: &str, cx: &Context<'_>) -> Result<FilePlan, ParseError> {
        let tree = syntax::parse(text, Grammar::for_file(self.tsx, cx.path))?;
        let analysis = Analysis::new(&tree, text, cx, 0);
        let mut plan = decide::plan(&analysis, &collect::collect(&analysis));
        values::walk(analysis.scopes.nodes().preorder(), text).settle(text, cx, &mut plan);
        Ok(plan)
    }

    fn parses(&self, text: &str, path: &std::path::Path, _: &crate::rules::RuleSet) -> Result<(), ParseError> {
        syntax::parse(text, Grammar::for_file(self.tsx, path)).map(drop)
    }

    fn shims(&self, text: &str, plan: &FilePlan, cx: &Context<'_>) -> Vec<crate::edit::Edit> {
        shims::shims(text, plan, cx)
    }
}

/// One file, parsed and resolved: what every pass after the scopes consults.
struct Analysis<'a, 't> {
    text: &'a str,
    cx: &'a Context<'a>,
    root: Node<'t>,
    scopes: Scopes<'t>,
    /// How many first-party imports away from the planned file this one is.
    depth: usize,
    origins: RefCell<HashMap<SymbolId, Option<Origin>>>,
    /// What each module specifier names (resolving one reads the file system).
    modules: RefCell<HashMap<String, Module>>,
    /// Names imported from packages, for words in comments and strings.
    foreign_words: OnceCell<HashMap<String, KeepReason>>,
}

impl<'a, 't> Analysis<'a, 't> {
    fn new(tree: &'t Tree, text: &'a str, cx: &'a Context<'a>, depth: usize) -> Analysis<'a, 't> {
        let root = tree.root_node();
        Analysis {
            text,
            cx,
            root,
            scopes: Scopes::build(root, text),
            depth,
            origins: RefCell::default(),
            foreign_words: OnceCell::new(),
            modules: RefCell::default(),
        }
    }

    /// What a module specifier names: a package, an asset, or a project file.
    fn module(&self, specifier: &str) -> Module {
        if let Some(known) = self.modules.borrow().get(specifier) {
            return known.clone();
        }
        let module = specifier::classify(specifier, self.cx);
        self.modules.borrow_mut().insert(specifier.to_owned(), module.clone());
        module
    }

    /// Why a word written in text stays: the rules keep it, or it names a package's import.
    fn kept_word(&self, word: &str) -> Option<KeepReason> {
        match self.verdict(word)? {
            decide::Decision::Keep(reason) => Some(reason),
            _ => self.foreign_words.get_or_init(|| self.package_imports()).get(word).cloned(),
        }
    }

    fn package_imports(&self) -> HashMap<String, KeepReason> {
        let mut words = HashMap::new();
        // In declaration order, not the scope's hash order: two imports may bring one word.
        let mut ids: Vec<_> = self.scopes.scope(MODULE).symbols().collect();
        ids.sort_unstable();
        for id in ids {
            let symbol = self.scopes.symbol(id);
            for decl in &symbol.decls {
                let DeclKind::Import { source, remote } = &decl.kind else { continue };
                if matches!(self.module(source), Module::FirstParty(_)) {
                    continue;
                }
                let reason = self.import_keep_reason(source, remote.as_deref().unwrap_or("default"));
                words.insert(symbol.name.clone(), reason.clone());
                words.extend(remote.clone().map(|r| (r, reason)));
            }
        }
        words
    }
}
