//! Import statements: module path components, imported names and the local names they bind.

use tree_sitter::Node;

use super::{children_by_field, Import, SiteKind, Walker};
use crate::lang::python::scopes::ScopeId;
use crate::lang::python::syntax::{named_children, text_of};
use crate::lang::symbols::NodeSymbols;
use crate::plan::Role;

impl<'t> Walker<'t, '_> {
    /// `import a.b` binds `a`; `import a.b as c` binds `c`.
    pub(super) fn import(&mut self, node: Node<'t>, scope: ScopeId) {
        for imported in children_by_field(node, "name") {
            let (Some(dotted), alias) = name_and_alias(imported) else { continue };
            let module = text_of(dotted, self.text);
            let components = named_children(dotted);
            for (i, component) in components.iter().enumerate() {
                let binds = (i == 0 && alias.is_none()).then_some(scope);
                self.site(*component, Role::Import, SiteKind::Import { module: module.to_owned(), binds });
            }
            match (alias, components.first()) {
                (Some(alias), _) => self.import_alias(alias, module, module, scope),
                (None, Some(&top)) => {
                    let top_name = text_of(top, self.text);
                    self.record_import(top, top_name, top_name, false, scope);
                }
                (None, None) => {}
            }
        }
    }

    /// `from module import name` binds `name`; `... import name as alias` binds `alias`.
    pub(super) fn import_from(&mut self, node: Node<'t>, scope: ScopeId) {
        let Some(module_node) = node.field("module_name") else { return };
        let module = text_of(module_node, self.text);
        for component in module_components(module_node) {
            self.site(component, Role::Import, SiteKind::Import { module: module.to_owned(), binds: None });
        }
        for imported in children_by_field(node, "name") {
            let (Some(name), alias) = name_and_alias(imported) else { continue };
            let path = format!("{module}.{}", text_of(name, self.text));
            let binds = alias.is_none().then_some(scope);
            self.site(name, Role::Identifier, SiteKind::Import { module: module.to_owned(), binds });
            match alias {
                Some(alias) => self.import_alias(alias, module, &path, scope),
                None => self.record_import(name, module, &path, false, scope),
            }
        }
    }

    fn import_alias(&mut self, alias: Node<'t>, module: &str, path: &str, scope: ScopeId) {
        self.record_import(alias, module, path, true, scope);
        self.site(alias, Role::Identifier, SiteKind::Name { scope });
    }

    /// Bind the local name of an import and remember where it comes from.
    fn record_import(&mut self, local: Node<'t>, module: &str, path: &str, aliased: bool, scope: ScopeId) {
        let name = text_of(local, self.text);
        self.out.scopes.bind(scope, name, local.start_byte());
        self.out.imports.push(Import {
            local: name.to_owned(),
            module: module.to_owned(),
            path: path.to_owned(),
            aliased,
            scope,
        });
    }
}

/// The imported dotted name and its alias (`a.b as c`).
pub(in crate::lang::python) fn name_and_alias(imported: Node<'_>) -> (Option<Node<'_>>, Option<Node<'_>>) {
    match imported.kind_name() {
        "aliased_import" => (imported.field("name"), imported.field("alias")),
        _ => (Some(imported), None),
    }
}

/// The names of a module path in `from <path> import ...` (`.session` -> `session`).
fn module_components(module: Node<'_>) -> Vec<Node<'_>> {
    match module.kind_name() {
        "dotted_name" => named_children(module),
        "relative_import" => {
            named_children(module).into_iter().filter(|c| c.kind_name() == "dotted_name").flat_map(named_children).collect()
        }
        _ => Vec::new(),
    }
}
