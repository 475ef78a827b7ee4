//! The visit of syn's tree: which identifiers declare what, in which scope, and where each one
//! stands (a path, a member, a module, a binding).

use std::mem;
use std::path::{Path, PathBuf};

use proc_macro2::{Ident, TokenStream};
use syn::visit::{self, Visit};
use syn::{Expr, ExprLit, Lit};

use super::collect::{starts_upper, Collector, Namespace, Position, ScopeId, ScopeKind, SiteKind};
use super::facts::{extern_abi, Origin, UseStep};
use crate::plan::Role;
use crate::rules::NameVerdict;

impl Collector<'_> {
    /// Declare a type, variant or trait here, then walk its body in a scope of its own.
    fn declare_scope(&mut self, ident: &Ident, namespace: Namespace, kind: ScopeKind, walk: impl FnOnce(&mut Self)) {
        self.declare(ident, namespace, Position::Path);
        let scope = self.open(kind, ident.to_string());
        self.within(scope, walk);
    }

    /// A function named like a member the file ties to another crate (it returns their value, or
    /// implements their trait's item) keeps its name.
    fn declare_function(&mut self, ident: &Ident) {
        match self.facts.member(&ident.to_string()) {
            Some(krate) if self.foreign_items.is_none() => {
                self.declare_as(ident, Namespace::Value, SiteKind::Foreign(krate));
            }
            _ => self.declare(ident, Namespace::Value, Position::Path),
        }
    }

    fn with_binding_origin(&mut self, origin: Option<String>, walk: impl FnOnce(&mut Self)) {
        let outer = mem::replace(&mut self.binding_origin, origin);
        walk(self);
        self.binding_origin = outer;
    }

    /// A pattern's identifier inside a function binds a local.
    fn bind(&mut self, ident: &Ident) {
        let Some(function) = self.function else { return };
        let name = ident.to_string();
        if starts_upper(&name) {
            // A constant or unit struct being matched, not a binding.
            return;
        }
        let foreign = self.binding_origin.clone();
        self.in_scope.bind(&name, foreign.as_deref());
        self.decl(function, Namespace::Value, ident, foreign.is_none());
        let kind = foreign.map_or_else(|| self.name_kind(Position::Path), SiteKind::Foreign);
        self.ident(ident, Role::Identifier, kind);
    }

    /// A field named in a struct literal or pattern; a shorthand one is left to the local's visit.
    fn field_member(&mut self, member: &syn::Member, shorthand: bool, owner: Option<String>) {
        let syn::Member::Named(ident) = member else { return };
        if shorthand {
            self.out.shorthands.push(self.ident_range(ident).start);
        } else {
            self.member(ident, owner);
        }
    }

    /// Call arguments: a string passed straight to a foreign function is theirs to interpret.
    fn arguments<'ast>(&mut self, callee: Option<String>, args: impl IntoIterator<Item = &'ast Expr>) {
        for arg in args {
            match (&callee, arg) {
                (Some(krate), Expr::Lit(ExprLit { lit: Lit::Str(s), .. })) => {
                    self.string(s.span(), Some(format!("passed to a function of `{krate}`")), false)
                }
                _ => self.visit_expr(arg),
            }
        }
    }

    /// `mod name;` is renamed only together with its file.
    fn check_module_file(&mut self, module: &syn::ItemMod) {
        let name = module.ident.to_string();
        let renamed = matches!(self.cx.rules.name_verdict(&name), NameVerdict::Rename(_));
        if !renamed || self.cx.project.is_blocked(&name) {
            return;
        }
        let why = if module.attrs.iter().any(|a| a.path().is_ident("path")) {
            format!("`mod {name};` names its file with `#[path]`: move the file and rename it by hand")
        } else if !self.module_files(&name).iter().any(|f| self.cx.project.moves.contains_key(f)) {
            format!("no walked file `{name}.rs` or `{name}/mod.rs` moves with `mod {name};`")
        } else {
            return;
        };
        self.out.unmoved_modules.insert(name, why);
    }

    /// Where `mod name;` may live: beside the current file (a crate root or `mod.rs`) or in the
    /// folder named after it (`a.rs` -> `a/name.rs`), below any inline modules.
    fn module_files(&self, name: &str) -> Vec<PathBuf> {
        let path = self.cx.path;
        let parent = path.parent().unwrap_or(Path::new(""));
        let mut dirs = vec![parent.to_path_buf()];
        if let Some(stem) = path.file_stem().filter(|s| *s != "mod") {
            dirs.push(parent.join(stem));
        }
        dirs.into_iter()
            .map(|dir| self.inline_modules.iter().fold(dir, |d, m| d.join(m)))
            .flat_map(|dir| [dir.join(format!("{name}.rs")), dir.join(name).join("mod.rs")])
            .collect()
    }

    /// One scope for all the inherent impls of a type, so their items clash with each other.
    fn impl_scope(&mut self, self_ty: &syn::Type) -> ScopeId {
        let name = match self_ty {
            syn::Type::Path(p) => last_segment(&p.path),
            _ => String::new(),
        };
        if let Some(&id) = self.impl_scopes.get(&name) {
            return id;
        }
        let id = self.open(ScopeKind::Impl, name.clone());
        self.impl_scopes.insert(name, id);
        id
    }

    fn use_tree(&mut self, tree: &syn::UseTree, leading_colon: bool) {
        for step in self.facts.use_steps(tree, leading_colon) {
            match step {
                UseStep::Segment(ident, origin) => self.import(ident, &origin),
                UseStep::Binds(ident, origin) => self.imported(ident, &origin),
                UseStep::Glob(_) => {}
            }
        }
    }

    fn import(&mut self, ident: &Ident, origin: &Origin) {
        let kind = self.origin_kind(origin.clone(), Position::Module);
        self.ident(ident, Role::Import, kind);
    }

    /// A name a `use` binds in the current scope, in either namespace.
    fn imported(&mut self, ident: &Ident, origin: &Origin) {
        for namespace in [Namespace::Type, Namespace::Value] {
            self.decl(self.scope, namespace, ident, *origin == Origin::FirstParty);
        }
    }
}

fn last_segment(path: &syn::Path) -> String {
    path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default()
}

impl<'ast> Visit<'ast> for Collector<'_> {
    /// Any identifier no other visit claimed first: a first-party name where it stands.
    fn visit_ident(&mut self, ident: &'ast Ident) {
        let kind = self.name_kind(Position::Path);
        self.ident(ident, Role::Identifier, kind);
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if self.src.is_doc_comment(attr.pound_token.spans[0]) {
            // `///` and `//!`: the comment scan reports them.
            return;
        }
        if let syn::Meta::NameValue(doc) = &attr.meta {
            if let (true, Expr::Lit(ExprLit { lit: Lit::Str(s), .. })) = (doc.path.is_ident("doc"), &doc.value) {
                if let Some(content) = self.string_content(s.span()) {
                    self.words(content, Role::Docstring, &SiteKind::Comment);
                }
                return;
            }
        }
        visit::visit_attribute(self, attr);
    }

    fn visit_token_stream(&mut self, tokens: &'ast TokenStream) {
        self.tokens(tokens);
    }

    fn visit_lit_str(&mut self, s: &'ast syn::LitStr) {
        self.string(s.span(), None, false);
    }

    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        self.declare(&module.ident, Namespace::Type, Position::Module);
        if module.content.is_none() {
            self.check_module_file(module);
        }
        let scope = self.open(ScopeKind::Module, module.ident.to_string());
        self.inline_modules.push(module.ident.to_string());
        self.within(scope, |v| visit::visit_item_mod(v, module));
        self.inline_modules.pop();
    }

    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        self.declare_scope(&item.ident, Namespace::Type, ScopeKind::Struct, |v| visit::visit_item_struct(v, item));
    }

    fn visit_item_union(&mut self, item: &'ast syn::ItemUnion) {
        self.declare_scope(&item.ident, Namespace::Type, ScopeKind::Struct, |v| visit::visit_item_union(v, item));
    }

    fn visit_item_enum(&mut self, item: &'ast syn::ItemEnum) {
        self.declare_scope(&item.ident, Namespace::Type, ScopeKind::Enum, |v| visit::visit_item_enum(v, item));
    }

    fn visit_variant(&mut self, variant: &'ast syn::Variant) {
        self.declare_scope(&variant.ident, Namespace::Value, ScopeKind::Variant, |v| visit::visit_variant(v, variant));
    }

    fn visit_field(&mut self, field: &'ast syn::Field) {
        if let Some(ident) = &field.ident {
            let kind = match self.facts.member(&ident.to_string()) {
                Some(krate) => SiteKind::Foreign(krate),
                None => self.name_kind(Position::Member),
            };
            self.declare_as(ident, Namespace::Field, kind);
        }
        visit::visit_field(self, field);
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        self.declare_scope(&item.ident, Namespace::Type, ScopeKind::Trait, |v| {
            v.with_generics(&item.generics, |v| visit::visit_item_trait(v, item))
        });
    }

    fn visit_item_trait_alias(&mut self, item: &'ast syn::ItemTraitAlias) {
        self.declare(&item.ident, Namespace::Type, Position::Path);
        visit::visit_item_trait_alias(self, item);
    }

    fn visit_item_type(&mut self, item: &'ast syn::ItemType) {
        self.declare(&item.ident, Namespace::Type, Position::Path);
        visit::visit_item_type(self, item);
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        self.declare(&item.ident, Namespace::Value, Position::Path);
        visit::visit_item_const(self, item);
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        self.declare(&item.ident, Namespace::Value, Position::Path);
        visit::visit_item_static(self, item);
    }

    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        if let Some(ident) = &item.ident {
            self.declare(ident, Namespace::Macro, Position::Path);
        }
        if item.mac.path.is_ident("macro_rules") {
            item.attrs.iter().for_each(|a| self.visit_attribute(a));
            self.macro_rules(&item.mac.tokens);
        } else {
            visit::visit_item_macro(self, item);
        }
    }

    fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
        let origin = self.facts.crate_root(&item.ident.to_string());
        self.import(&item.ident, &origin);
        let name = item.rename.as_ref().map_or(&item.ident, |(_, alias)| alias);
        self.import(name, &origin);
        self.imported(name, &origin);
    }

    fn visit_item_foreign_mod(&mut self, item: &'ast syn::ItemForeignMod) {
        let outer = self.foreign_items.replace(extern_abi(&item.abi));
        visit::visit_item_foreign_mod(self, item);
        self.foreign_items = outer;
    }

    fn visit_foreign_item_fn(&mut self, item: &'ast syn::ForeignItemFn) {
        self.declare(&item.sig.ident, Namespace::Value, Position::Path);
        visit::visit_foreign_item_fn(self, item);
    }

    fn visit_foreign_item_static(&mut self, item: &'ast syn::ForeignItemStatic) {
        self.declare(&item.ident, Namespace::Value, Position::Path);
        visit::visit_foreign_item_static(self, item);
    }

    fn visit_foreign_item_type(&mut self, item: &'ast syn::ForeignItemType) {
        self.declare(&item.ident, Namespace::Type, Position::Path);
        visit::visit_foreign_item_type(self, item);
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.declare_function(&item.sig.ident);
        self.in_function(&item.sig.ident, &item.sig.generics, |v| visit::visit_item_fn(v, item));
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let foreign_trait = item.trait_.as_ref().and_then(|(_, path, _)| match self.facts.path(path, &self.in_scope) {
            Origin::Foreign(krate) => Some(krate),
            _ => None,
        });
        let scope = match &item.trait_ {
            None => self.impl_scope(&item.self_ty),
            Some((_, path, _)) => self.open(ScopeKind::Impl, last_segment(path)),
        };
        let outer = mem::replace(&mut self.foreign_items, foreign_trait);
        self.within(scope, |v| v.with_generics(&item.generics, |v| visit::visit_item_impl(v, item)));
        self.foreign_items = outer;
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.declare_function(&item.sig.ident);
        self.in_function(&item.sig.ident, &item.sig.generics, |v| visit::visit_impl_item_fn(v, item));
    }

    fn visit_impl_item_const(&mut self, item: &'ast syn::ImplItemConst) {
        self.declare(&item.ident, Namespace::Value, Position::Path);
        visit::visit_impl_item_const(self, item);
    }

    fn visit_impl_item_type(&mut self, item: &'ast syn::ImplItemType) {
        self.declare(&item.ident, Namespace::Type, Position::Path);
        visit::visit_impl_item_type(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        self.declare_function(&item.sig.ident);
        self.in_function(&item.sig.ident, &item.sig.generics, |v| visit::visit_trait_item_fn(v, item));
    }

    fn visit_trait_item_const(&mut self, item: &'ast syn::TraitItemConst) {
        self.declare(&item.ident, Namespace::Value, Position::Path);
        visit::visit_trait_item_const(self, item);
    }

    fn visit_trait_item_type(&mut self, item: &'ast syn::TraitItemType) {
        self.declare(&item.ident, Namespace::Type, Position::Path);
        visit::visit_trait_item_type(self, item);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        item.attrs.iter().for_each(|a| self.visit_attribute(a));
        self.visit_visibility(&item.vis);
        self.use_tree(&item.tree, item.leading_colon.is_some());
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        local.attrs.iter().for_each(|a| self.visit_attribute(a));
        // The value first: `let session = session.clone()` reads the outer binding.
        if let Some(init) = &local.init {
            self.visit_local_init(init);
        }
        let origin = local.init.as_ref().and_then(|init| self.facts.expr(&init.expr, &self.in_scope));
        self.with_binding_origin(origin, |v| v.visit_pat(&local.pat));
    }

    fn visit_pat_type(&mut self, pat: &'ast syn::PatType) {
        pat.attrs.iter().for_each(|a| self.visit_attribute(a));
        let origin = self.facts.ty(&pat.ty, &self.in_scope).or_else(|| self.binding_origin.clone());
        self.with_binding_origin(origin, |v| v.visit_pat(&pat.pat));
        self.visit_type(&pat.ty);
    }

    fn visit_pat_ident(&mut self, pat: &'ast syn::PatIdent) {
        self.bind(&pat.ident);
        visit::visit_pat_ident(self, pat);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let origin = self.facts.path(path, &self.in_scope);
        let last = path.segments.len().saturating_sub(1);
        for (i, segment) in path.segments.iter().enumerate() {
            let position = if i < last { Position::Module } else { Position::Path };
            let kind = self.origin_kind(origin.clone(), position);
            self.ident(&segment.ident, Role::Identifier, kind);
        }
        if let (0, true, Some(segment)) = (last, path.leading_colon.is_none(), path.segments.first()) {
            let at = self.ident_range(&segment.ident).start;
            self.note_use(&segment.ident.to_string(), at, &origin);
        }
        visit::visit_path(self, path);
    }

    fn visit_expr_field(&mut self, expr: &'ast syn::ExprField) {
        if let syn::Member::Named(ident) = &expr.member {
            let owner = self.facts.expr(&expr.base, &self.in_scope);
            self.member(ident, owner);
        }
        visit::visit_expr_field(self, expr);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        call.attrs.iter().for_each(|a| self.visit_attribute(a));
        let owner = self.facts.expr(&call.receiver, &self.in_scope);
        self.member(&call.method, owner.clone());
        self.visit_expr(&call.receiver);
        if let Some(turbofish) = &call.turbofish {
            self.visit_angle_bracketed_generic_arguments(turbofish);
        }
        self.arguments(owner, &call.args);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        call.attrs.iter().for_each(|a| self.visit_attribute(a));
        self.visit_expr(&call.func);
        // A function of any other crate, the standard library's included (`env::var("X")`).
        let callee = match &*call.func {
            Expr::Path(p) => match self.facts.path(&p.path, &self.in_scope) {
                Origin::Foreign(krate) => Some(krate),
                _ => None,
            },
            func => self.facts.expr(func, &self.in_scope),
        };
        self.arguments(callee, &call.args);
    }

    fn visit_expr_struct(&mut self, expr: &'ast syn::ExprStruct) {
        expr.attrs.iter().for_each(|a| self.visit_attribute(a));
        if let Some(qself) = &expr.qself {
            self.visit_qself(qself);
        }
        self.visit_path(&expr.path);
        let owner = self.facts.type_path(&expr.path, &self.in_scope);
        for field in &expr.fields {
            field.attrs.iter().for_each(|a| self.visit_attribute(a));
            self.field_member(&field.member, field.colon_token.is_none(), owner.clone());
            self.visit_expr(&field.expr);
        }
        if let Some(rest) = &expr.rest {
            self.visit_expr(rest);
        }
    }

    fn visit_pat_struct(&mut self, pat: &'ast syn::PatStruct) {
        pat.attrs.iter().for_each(|a| self.visit_attribute(a));
        if let Some(qself) = &pat.qself {
            self.visit_qself(qself);
        }
        self.visit_path(&pat.path);
        let owner = self.facts.type_path(&pat.path, &self.in_scope);
        for field in &pat.fields {
            field.attrs.iter().for_each(|a| self.visit_attribute(a));
            self.field_member(&field.member, field.colon_token.is_none(), owner.clone());
            self.visit_pat(&field.pat);
        }
    }
}
