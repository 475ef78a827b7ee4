//! Where names come from, gathered in a first pass over the file (a `use` or an item may come after
//! its uses): what each `use` binds and from which crate, the names the file declares, and which
//! fields and functions hold values of a foreign crate.
//!
//! A path's first segment decides its origin: `crate`, `self`, `super`, a name the file declares or
//! imports from first-party code, a crate named in the rules' `first_party` or a Rust module the
//! project moves are first-party; any other lowercase first segment is a crate from outside the
//! workspace (the rewriter reads nothing else from disk).

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::path::Component;

use syn::visit::{self, Visit};
use syn::{Expr, GenericArgument, Ident, Path, PathArguments, ReturnType, Type, TypeParamBound, UseTree};

use crate::lang::Context;

/// Where a name or path comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Origin {
    FirstParty,
    /// Another crate's: kept.
    Foreign(String),
    /// Declared nowhere in the file while the file glob-imports this crate: it may be theirs.
    Unsure(String),
}

/// One step of a `use` tree.
pub(super) enum UseStep<'t> {
    /// A segment, leaf or alias as written (`a`, `b`, `c` in `use a::b as c;`).
    Segment(&'t Ident, Origin),
    /// A name the tree binds (`b`, an alias, or `b` for `a::b::{self}`).
    Binds(&'t Ident, Origin),
    Glob(Origin),
}

/// What is bound around the code being walked: generic parameters bounded by a foreign trait
/// (`V: serde::de::Visitor`), and the locals of the current function.
#[derive(Debug, Default, Clone)]
pub(super) struct InScope {
    /// Generic parameters with a foreign trait bound, with the trait's crate.
    pub generics: HashMap<String, String>,
    locals: HashSet<String>,
    /// Locals holding a value of another crate, with the crate.
    foreign_locals: HashMap<String, String>,
}

impl InScope {
    /// A `let`, parameter or pattern binding; a later binding of the same name shadows the earlier.
    pub fn bind(&mut self, name: &str, foreign: Option<&str>) {
        self.locals.insert(name.to_owned());
        match foreign {
            Some(krate) => self.foreign_locals.insert(name.to_owned(), krate.to_owned()),
            None => self.foreign_locals.remove(name),
        };
    }

    /// The scope a nested function starts with: the generics around it, no locals.
    pub fn for_function(&self) -> InScope {
        InScope { generics: self.generics.clone(), ..InScope::default() }
    }
}

/// The standard library: a local holding a `HashMap` is not someone else's object.
const STANDARD: &[&str] = &["std", "core", "alloc"];

/// Containers and smart pointers: a value of `Arc<reqwest::Client>` is used as the client.
const WRAPPERS: &[&str] =
    &["Box", "Rc", "Arc", "Option", "Vec", "Cell", "RefCell", "Mutex", "RwLock", "HashMap", "BTreeMap"];

pub(super) struct Facts<'a> {
    cx: &'a Context<'a>,
    /// Names bound by `use` (the leaf or its alias) and `extern crate`.
    imports: HashMap<String, Origin>,
    /// Names of the items declared anywhere in the file.
    items: HashSet<String>,
    /// Crates glob-imported from outside (`use reqwest::*`).
    foreign_globs: Vec<String>,
    /// Named fields whose type belongs to another crate, with the crate.
    foreign_fields: HashMap<String, String>,
    /// Functions and methods that return a value of another crate, with the crate.
    foreign_fns: HashMap<String, String>,
    /// Items of impls of foreign traits (`type Value`, `fn visit_str`): the trait names them.
    foreign_trait_items: HashMap<String, String>,
    /// Module names of the Rust files the project moves (and of refused moves).
    project_modules: OnceCell<HashSet<String>>,
}

impl<'a> Facts<'a> {
    pub fn collect(file: &syn::File, cx: &'a Context<'a>) -> Facts<'a> {
        let mut seen = Declared::default();
        seen.visit_file(file);
        let mut facts = Facts {
            cx,
            imports: HashMap::new(),
            items: seen.items,
            foreign_globs: Vec::new(),
            foreign_fields: HashMap::new(),
            foreign_fns: HashMap::new(),
            foreign_trait_items: HashMap::new(),
            project_modules: OnceCell::new(),
        };
        for (tree, leading_colon) in seen.uses {
            for step in facts.use_steps(tree, leading_colon) {
                match step {
                    UseStep::Binds(name, origin) => {
                        facts.imports.insert(name.to_string(), origin);
                    }
                    UseStep::Glob(Origin::Foreign(krate) | Origin::Unsure(krate)) => facts.foreign_globs.push(krate),
                    UseStep::Segment(..) | UseStep::Glob(Origin::FirstParty) => {}
                }
            }
        }
        for (name, krate) in seen.extern_crates {
            let origin = facts.crate_root(&krate);
            facts.imports.insert(name, origin);
        }
        for (name, abi) in seen.extern_items {
            facts.imports.insert(name, Origin::Foreign(abi));
        }
        let outside = InScope::default();
        for (name, ty) in seen.fields {
            if let Some(krate) = facts.ty(ty, &outside) {
                facts.foreign_fields.insert(name, krate);
            }
        }
        for (name, ty) in seen.returns {
            if let Some(krate) = facts.ty(ty, &outside) {
                facts.foreign_fns.insert(name, krate);
            }
        }
        for (path, items) in seen.trait_impls {
            if let Origin::Foreign(krate) = facts.path(path, &outside) {
                facts.foreign_trait_items.extend(items.into_iter().map(|item| (item, krate.clone())));
            }
        }
        facts
    }

    /// What a `use` tree says, in order: its segments as written and the names it binds, each
    /// with its origin (that of the tree's first segment).
    pub fn use_steps<'t>(&self, tree: &'t UseTree, leading_colon: bool) -> Vec<UseStep<'t>> {
        let mut steps = Vec::new();
        self.use_steps_into(tree, None, None, leading_colon, &mut steps);
        steps
    }

    /// `parent` is the segment before a group (`b` in `a::b::{self}`, which binds `b`).
    fn use_steps_into<'t>(
        &self,
        tree: &'t UseTree,
        origin: Option<&Origin>,
        parent: Option<&'t Ident>,
        leading_colon: bool,
        steps: &mut Vec<UseStep<'t>>,
    ) {
        let origin_of =
            |ident: &Ident| origin.cloned().unwrap_or_else(|| self.use_root(&ident.to_string(), leading_colon));
        match tree {
            UseTree::Path(p) => {
                let origin = origin_of(&p.ident);
                steps.push(UseStep::Segment(&p.ident, origin.clone()));
                self.use_steps_into(&p.tree, Some(&origin), Some(&p.ident), false, steps);
            }
            UseTree::Name(n) if n.ident == "self" => {
                if let Some(parent) = parent {
                    steps.push(UseStep::Binds(parent, origin_of(parent)));
                }
            }
            UseTree::Name(n) => {
                let origin = origin_of(&n.ident);
                steps.push(UseStep::Segment(&n.ident, origin.clone()));
                steps.push(UseStep::Binds(&n.ident, origin));
            }
            UseTree::Rename(r) => {
                let origin = origin_of(&r.ident);
                steps.push(UseStep::Segment(&r.ident, origin.clone()));
                steps.push(UseStep::Segment(&r.rename, origin.clone()));
                steps.push(UseStep::Binds(&r.rename, origin));
            }
            UseTree::Glob(_) => steps.push(UseStep::Glob(origin.cloned().unwrap_or(Origin::FirstParty))),
            UseTree::Group(g) => {
                g.items.iter().for_each(|t| self.use_steps_into(t, origin, parent, leading_colon, steps));
            }
        }
    }

    /// The origin of a `use` tree's first segment.
    fn use_root(&self, name: &str, leading_colon: bool) -> Origin {
        if leading_colon {
            self.crate_root(name)
        } else {
            self.root(name)
        }
    }

    /// After a leading `::` (or in `extern crate`) a name is a crate.
    pub fn crate_root(&self, name: &str) -> Origin {
        if self.cx.rules.first_party.iter().any(|c| c == name) {
            Origin::FirstParty
        } else {
            Origin::Foreign(name.to_owned())
        }
    }

    /// The origin of the first segment of a path with more than one segment.
    pub fn root(&self, name: &str) -> Origin {
        if matches!(name, "crate" | "self" | "super" | "Self") {
            return Origin::FirstParty;
        }
        if let Some(origin) = self.imports.get(name) {
            return origin.clone();
        }
        if self.items.contains(name) || self.is_first_party_crate(name) {
            return Origin::FirstParty;
        }
        if name.starts_with(|c: char| c.is_ascii_uppercase()) {
            // A type or enum: foreign ones are imported by name (or by a glob).
            return self.undeclared();
        }
        Origin::Foreign(name.to_owned())
    }

    /// The origin of a one-segment path (a local, a generic parameter, an import, an item). An
    /// import wins over an item of the same name: both cannot be in one module, so the item is in
    /// some inner block.
    pub fn single(&self, name: &str, scope: &InScope) -> Origin {
        let foreign = scope.foreign_locals.get(name).or_else(|| scope.generics.get(name));
        if let Some(krate) = foreign.or_else(|| self.foreign_fns.get(name)) {
            return Origin::Foreign(krate.clone());
        }
        if scope.locals.contains(name) {
            return Origin::FirstParty;
        }
        match self.imports.get(name) {
            Some(origin) => origin.clone(),
            None if self.items.contains(name) => Origin::FirstParty,
            None => self.undeclared(),
        }
    }

    fn undeclared(&self) -> Origin {
        match self.foreign_globs.first() {
            Some(krate) => Origin::Unsure(krate.clone()),
            None => Origin::FirstParty,
        }
    }

    fn is_first_party_crate(&self, name: &str) -> bool {
        self.cx.rules.first_party.iter().any(|c| c == name)
            || self.cx.project.rust_crates.contains(name)
            || self.project_modules().contains(name)
    }

    /// The old names of the Rust files and folders the project moves (`session` for
    /// `src/session.rs` -> `src/trace.rs`), and of those whose move was refused.
    fn project_modules(&self) -> &HashSet<String> {
        self.project_modules.get_or_init(|| {
            let project = self.cx.project;
            let mut names = project.blocked_names.clone();
            for (from, to) in project.moves.iter().filter(|(from, _)| from.extension().is_some_and(|e| e == "rs")) {
                let renamed = from.components().zip(to.components()).filter(|(old, new)| old != new);
                names.extend(renamed.filter_map(|(old, _)| match old {
                    Component::Normal(name) => Some(name.to_string_lossy().trim_end_matches(".rs").to_owned()),
                    _ => None,
                }));
            }
            names
        })
    }

    /// The origin of a whole path, from its first segment.
    pub fn path(&self, path: &Path, scope: &InScope) -> Origin {
        let Some(first) = path.segments.first() else { return Origin::FirstParty };
        let name = first.ident.to_string();
        if path.leading_colon.is_some() {
            self.crate_root(&name)
        } else if path.segments.len() == 1 {
            self.single(&name, scope)
        } else if let Some(krate) = scope.generics.get(&name) {
            // `V::Value` with `V: serde::de::Visitor`.
            Origin::Foreign(krate.clone())
        } else if let Some(krate) = self.foreign_self_item(path) {
            Origin::Foreign(krate)
        } else {
            self.root(&name)
        }
    }

    /// The crate a field's, parameter's or binding's type belongs to, if not this one.
    pub fn ty(&self, ty: &Type, scope: &InScope) -> Option<String> {
        match ty {
            Type::Reference(r) => self.ty(&r.elem, scope),
            Type::Paren(p) => self.ty(&p.elem, scope),
            Type::Group(g) => self.ty(&g.elem, scope),
            Type::Path(p) if p.qself.is_none() => self.type_path(&p.path, scope),
            Type::TraitObject(t) => self.bounds(t.bounds.iter(), scope),
            Type::ImplTrait(t) => self.bounds(t.bounds.iter(), scope),
            _ => None,
        }
    }

    /// The crate of a type named by a path (or of what a container of it holds).
    pub fn type_path(&self, path: &Path, scope: &InScope) -> Option<String> {
        let last = path.segments.last()?;
        if !WRAPPERS.iter().any(|w| last.ident == w) {
            return holder(self.path(path, scope));
        }
        let PathArguments::AngleBracketed(args) = &last.arguments else { return None };
        args.args.iter().find_map(|arg| match arg {
            GenericArgument::Type(t) => self.ty(t, scope),
            _ => None,
        })
    }

    /// The crate of the first foreign trait among `bounds`.
    pub fn bounds<'b>(&self, mut bounds: impl Iterator<Item = &'b TypeParamBound>, scope: &InScope) -> Option<String> {
        bounds.find_map(|b| match b {
            TypeParamBound::Trait(t) => holder(self.path(&t.path, scope)),
            _ => None,
        })
    }

    /// The crate whose value an expression yields, when it can be told from the file alone:
    /// a foreign path or constructor, a foreign local, a method or field of a foreign value.
    pub fn expr(&self, expr: &Expr, scope: &InScope) -> Option<String> {
        match expr {
            Expr::Path(p) if p.qself.is_none() => holder(self.path(&p.path, scope)),
            Expr::Call(c) => self.expr(&c.func, scope),
            Expr::MethodCall(m) => self.expr(&m.receiver, scope).or_else(|| self.member(&m.method.to_string())),
            Expr::Field(f) => match &f.member {
                syn::Member::Named(name) => self.expr(&f.base, scope).or_else(|| self.member(&name.to_string())),
                syn::Member::Unnamed(_) => self.expr(&f.base, scope),
            },
            Expr::Struct(s) => self.type_path(&s.path, scope),
            Expr::Reference(r) => self.expr(&r.expr, scope),
            Expr::Paren(p) => self.expr(&p.expr, scope),
            Expr::Group(g) => self.expr(&g.expr, scope),
            Expr::Try(t) => self.expr(&t.expr, scope),
            Expr::Await(a) => self.expr(&a.base, scope),
            Expr::Unary(u) => self.expr(&u.expr, scope),
            _ => None,
        }
    }

    /// `Self::Value` in (or beside) `impl Visitor for T { type Value = ..; }`: the trait's crate.
    fn foreign_self_item(&self, path: &Path) -> Option<String> {
        match (path.segments.first(), path.segments.get(1)) {
            (Some(first), Some(item)) if first.ident == "Self" => {
                self.foreign_trait_items.get(&item.ident.to_string()).cloned()
            }
            _ => None,
        }
    }

    /// The crate a member of this name belongs to: a field or method the file declares with a
    /// foreign type, or an item the file implements for a foreign trait.
    pub fn member(&self, name: &str) -> Option<String> {
        let holding = self.foreign_fields.get(name).or_else(|| self.foreign_fns.get(name));
        holding.or_else(|| self.foreign_trait_items.get(name)).cloned()
    }
}

/// How an `extern` block's items are named as a foreign owner: `extern "C"`.
pub(super) fn extern_abi(abi: &syn::Abi) -> String {
    format!("extern \"{}\"", abi.name.as_ref().map_or_else(|| "C".to_owned(), |n| n.value()))
}

/// The crate whose object a value of this origin is: a foreign crate outside the standard library.
pub(super) fn holder(origin: Origin) -> Option<String> {
    match origin {
        Origin::Foreign(krate) if !STANDARD.contains(&krate.as_str()) => Some(krate),
        _ => None,
    }
}

/// The first pass: declared names, `use` trees, field types and return types.
#[derive(Default)]
struct Declared<'ast> {
    items: HashSet<String>,
    uses: Vec<(&'ast UseTree, bool)>,
    extern_crates: Vec<(String, String)>,
    /// Functions, statics and types of `extern` blocks, with their ABI.
    extern_items: Vec<(String, String)>,
    fields: Vec<(String, &'ast Type)>,
    returns: Vec<(String, &'ast Type)>,
    /// `impl Trait for T`: the trait and the names of the items implemented.
    trait_impls: Vec<(&'ast Path, Vec<String>)>,
}

impl<'ast> Declared<'ast> {
    fn item(&mut self, ident: &syn::Ident) {
        self.items.insert(ident.to_string());
    }
}

impl<'ast> Visit<'ast> for Declared<'ast> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        use syn::Item;
        match item {
            Item::Const(i) => self.item(&i.ident),
            Item::Enum(i) => self.item(&i.ident),
            Item::Fn(i) => self.item(&i.sig.ident),
            Item::Macro(i) => i.ident.iter().for_each(|ident| self.item(ident)),
            Item::Mod(i) => self.item(&i.ident),
            Item::Static(i) => self.item(&i.ident),
            Item::Struct(i) => self.item(&i.ident),
            Item::Trait(i) => self.item(&i.ident),
            Item::TraitAlias(i) => self.item(&i.ident),
            Item::Type(i) => self.item(&i.ident),
            Item::Union(i) => self.item(&i.ident),
            Item::Use(i) => self.uses.push((&i.tree, i.leading_colon.is_some())),
            Item::ForeignMod(i) => {
                let abi = extern_abi(&i.abi);
                for foreign in &i.items {
                    let ident = match foreign {
                        syn::ForeignItem::Fn(f) => &f.sig.ident,
                        syn::ForeignItem::Static(s) => &s.ident,
                        syn::ForeignItem::Type(t) => &t.ident,
                        _ => continue,
                    };
                    self.extern_items.push((ident.to_string(), abi.clone()));
                }
            }
            Item::Impl(i) => {
                if let Some((_, path, _)) = &i.trait_ {
                    let names = i.items.iter().filter_map(|item| match item {
                        syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                        syn::ImplItem::Const(c) => Some(c.ident.to_string()),
                        syn::ImplItem::Type(t) => Some(t.ident.to_string()),
                        _ => None,
                    });
                    self.trait_impls.push((path, names.collect()));
                }
            }
            Item::ExternCrate(i) => {
                let name = i.rename.as_ref().map_or(&i.ident, |(_, alias)| alias);
                self.extern_crates.push((name.to_string(), i.ident.to_string()));
            }
            _ => {}
        }
        visit::visit_item(self, item);
    }

    fn visit_field(&mut self, field: &'ast syn::Field) {
        if let Some(ident) = &field.ident {
            self.fields.push((ident.to_string(), &field.ty));
        }
        visit::visit_field(self, field);
    }

    fn visit_signature(&mut self, sig: &'ast syn::Signature) {
        if let ReturnType::Type(_, ty) = &sig.output {
            self.returns.push((sig.ident.to_string(), ty));
        }
        visit::visit_signature(self, sig);
    }
}
