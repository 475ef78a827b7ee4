//! The walk over syn's tree. Every identifier, comment word and string word that holds a term
//! becomes one [`Site`] (the first sighting of a byte range wins, so a shorthand `S { x }` or an
//! identifier some visitor reaches twice is reported once) with what is known about it; every name
//! declared or used becomes a [`Decl`] of its scope, for the clash checks.

use std::collections::{BTreeMap, HashMap};
use std::mem;
use std::ops::Range;

use proc_macro2::{Ident, TokenStream};
use syn::visit::Visit;

use super::facts::{Facts, InScope, Origin};
use super::source::{Parsed, Source};
use crate::lang::Context;
use crate::plan::Role;

pub(super) type ScopeId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ScopeKind {
    Module,
    Struct,
    Enum,
    Variant,
    Impl,
    Trait,
    Fn,
}

/// A namespace in which names declared in one scope must differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Namespace {
    Type,
    Value,
    Macro,
    Field,
}

#[derive(Debug)]
pub(super) struct Scope {
    pub kind: ScopeKind,
    pub name: String,
}

/// A name declared in a scope, or for a function also used in it (a rename onto a name the
/// function uses would capture it).
#[derive(Debug)]
pub(super) struct Decl {
    pub scope: ScopeId,
    pub namespace: Namespace,
    pub name: String,
    pub at: usize,
    /// First-party, so the rules may rename it.
    pub renamable: bool,
}

/// Where a first-party name stands: which clashes and refused moves reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Position {
    /// Resolved lexically: an item, a local, the last segment of a path.
    Path,
    /// `mod x;`, a `use` segment or a path segment before `::`: may name a module file.
    Module,
    /// After `.`, or a field name: a local clash does not reach it.
    Member,
    /// `S { x }`: the field `x` and the local `x` at once.
    Shorthand,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum SiteKind {
    /// A first-party name; `function` is the innermost function it appears in.
    Name { function: Option<ScopeId>, position: Position },
    Foreign(String),
    /// May belong to the glob-imported crate.
    Unsure(String),
    /// A word of a comment or doc comment.
    Comment,
    /// A word of a string literal; `review` says why it is not renamed safely (a foreign call's
    /// argument, a Cargo feature).
    Literal { review: Option<String> },
}

/// One occurrence of a term: a whole identifier, or a word of a comment or string.
#[derive(Debug)]
pub(super) struct Site {
    pub range: Range<usize>,
    pub role: Role,
    pub kind: SiteKind,
}

#[derive(Debug, Default)]
pub(super) struct Collected {
    /// Keyed by start offset.
    pub sites: BTreeMap<usize, Site>,
    pub scopes: Vec<Scope>,
    pub decls: Vec<Decl>,
    /// `mod x;` whose file does not move with it, with why: the module keeps its name.
    pub unmoved_modules: HashMap<String, String>,
    /// Start offsets of shorthand fields (`S { x }`).
    pub shorthands: Vec<usize>,
}

pub(super) fn collect(parsed: Parsed, src: &Source<'_>, facts: &Facts<'_>, cx: &Context<'_>) -> Collected {
    let mut collector = Collector {
        src,
        facts,
        cx,
        out: Collected { scopes: vec![Scope { kind: ScopeKind::Module, name: String::new() }], ..Collected::default() },
        scope: 0,
        function: None,
        in_scope: InScope::default(),
        inline_modules: Vec::new(),
        impl_scopes: HashMap::new(),
        foreign_items: None,
        binding_origin: None,
    };
    collector.comments(parsed.tokens);
    collector.visit_file(&parsed.file);
    let mut out = collector.out;
    for start in mem::take(&mut out.shorthands) {
        if let Some(Site { kind: SiteKind::Name { position, .. }, .. }) = out.sites.get_mut(&start) {
            *position = Position::Shorthand;
        }
    }
    out
}

pub(super) struct Collector<'a> {
    pub src: &'a Source<'a>,
    pub facts: &'a Facts<'a>,
    pub cx: &'a Context<'a>,
    pub out: Collected,
    /// Where declarations go: the innermost module, type, impl, trait or function.
    pub scope: ScopeId,
    /// The innermost function: its locals, and the region a clash of its locals blocks.
    pub function: Option<ScopeId>,
    pub in_scope: InScope,
    /// Inline modules around the current item (`mod a { mod b; }` puts `b`'s file in `a/`).
    pub inline_modules: Vec<String>,
    /// One scope per type for all its inherent impls.
    pub impl_scopes: HashMap<String, ScopeId>,
    /// Inside `impl ForeignTrait for T` or `extern "C" {}`: the items' names are theirs.
    pub foreign_items: Option<String>,
    /// While a `let` pattern or a typed parameter binds a value of this crate.
    pub binding_origin: Option<String>,
}

impl Collector<'_> {
    /// An identifier's name, without the `r#` of a raw identifier (the prefix stays as written).
    /// Only its start is looked up: span lookups are a good part of the walk's time.
    pub fn ident_range(&self, ident: &Ident) -> Range<usize> {
        let start = self.src.offset(ident.span().start());
        let rest = &self.src.text[start..];
        let start = start + if rest.starts_with("r#") { 2 } else { 0 };
        let rest = &self.src.text[start..];
        let len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        start..start + len
    }

    pub fn add(&mut self, range: Range<usize>, role: Role, kind: SiteKind) {
        self.out.sites.entry(range.start).or_insert(Site { range, role, kind });
    }

    /// A site for an identifier that holds a term.
    pub fn ident(&mut self, ident: &Ident, role: Role, kind: SiteKind) {
        let range = self.ident_range(ident);
        if self.cx.rules.renamer.may_contain(self.src.text[range.clone()].as_bytes()) {
            self.add(range, role, kind);
        }
    }

    pub fn name_kind(&self, position: Position) -> SiteKind {
        SiteKind::Name { function: self.function, position }
    }

    pub fn origin_kind(&self, origin: Origin, position: Position) -> SiteKind {
        match origin {
            Origin::FirstParty => self.name_kind(position),
            Origin::Foreign(krate) => SiteKind::Foreign(krate),
            Origin::Unsure(krate) => SiteKind::Unsure(krate),
        }
    }

    pub fn decl(&mut self, scope: ScopeId, namespace: Namespace, ident: &Ident, renamable: bool) {
        let at = self.ident_range(ident);
        let name = self.src.text[at.clone()].to_owned();
        self.out.decls.push(Decl { scope, namespace, name, at: at.start, renamable });
    }

    /// A name used inside a function: part of what a rename there must not land on.
    pub fn note_use(&mut self, name: &str, at: usize, origin: &Origin) {
        if let Some(function) = self.function {
            let namespace = if starts_upper(name) { Namespace::Type } else { Namespace::Value };
            let renamable = *origin == Origin::FirstParty;
            self.out.decls.push(Decl { scope: function, namespace, name: name.to_owned(), at, renamable });
        }
    }

    /// An item, field or variant declared in the current scope.
    pub fn declare(&mut self, ident: &Ident, namespace: Namespace, position: Position) {
        let kind = match &self.foreign_items {
            Some(owner) => SiteKind::Foreign(owner.clone()),
            None => self.name_kind(position),
        };
        self.declare_as(ident, namespace, kind);
    }

    pub fn declare_as(&mut self, ident: &Ident, namespace: Namespace, kind: SiteKind) {
        let renamable = matches!(kind, SiteKind::Name { .. });
        self.decl(self.scope, namespace, ident, renamable);
        self.ident(ident, Role::Identifier, kind);
    }

    pub fn open(&mut self, kind: ScopeKind, name: String) -> ScopeId {
        self.out.scopes.push(Scope { kind, name });
        self.out.scopes.len() - 1
    }

    pub fn within(&mut self, scope: ScopeId, walk: impl FnOnce(&mut Self)) {
        let outer = mem::replace(&mut self.scope, scope);
        walk(self);
        self.scope = outer;
    }

    /// Walk a function (signature and body) in its own scope, with its own locals.
    pub fn in_function(&mut self, name: &Ident, generics: &syn::Generics, walk: impl FnOnce(&mut Self)) {
        let id = self.open(ScopeKind::Fn, name.to_string());
        let outer_function = self.function.replace(id);
        let inner = self.in_scope.for_function();
        let outer_scope = mem::replace(&mut self.in_scope, inner);
        let outer_foreign = self.foreign_items.take();
        self.within(id, |this| this.with_generics(generics, walk));
        self.function = outer_function;
        self.in_scope = outer_scope;
        self.foreign_items = outer_foreign;
    }

    /// Walk with the generic parameters that a foreign trait bounds (`V: de::Visitor<'de>`, inline
    /// or in the `where` clause) in scope: their values and associated items are that crate's.
    pub fn with_generics(&mut self, generics: &syn::Generics, walk: impl FnOnce(&mut Self)) {
        let outer = self.in_scope.generics.clone();
        let params = generics.type_params().map(|p| (&p.ident, &p.bounds));
        let predicates = generics.where_clause.iter().flat_map(|w| &w.predicates).filter_map(|p| match p {
            syn::WherePredicate::Type(t) => match &t.bounded_ty {
                syn::Type::Path(ty) if ty.qself.is_none() => ty.path.get_ident().map(|ident| (ident, &t.bounds)),
                _ => None,
            },
            _ => None,
        });
        for (param, bounds) in params.chain(predicates) {
            if let Some(krate) = self.facts.bounds(bounds.iter(), &self.in_scope) {
                self.in_scope.generics.insert(param.to_string(), krate);
            }
        }
        walk(self);
        self.in_scope.generics = outer;
    }

    /// A field or method name after `.`, or a field named in a struct literal or pattern.
    pub fn member(&mut self, ident: &Ident, owner: Option<String>) {
        let kind = match owner.or_else(|| self.facts.member(&ident.to_string())) {
            Some(krate) => SiteKind::Foreign(krate),
            None => self.name_kind(Position::Member),
        };
        self.ident(ident, Role::Attribute, kind);
    }

    pub fn comments(&mut self, tokens: TokenStream) {
        for (range, doc) in self.src.comments(tokens) {
            let role = if doc { Role::Docstring } else { Role::Comment };
            self.words(range, role, &SiteKind::Comment);
        }
    }

    /// The ranges of the words of `text` that hold a term.
    pub fn term_words(&self, text: &str) -> Vec<Range<usize>> {
        self.cx.rules.renamer.find_in_text(text).into_iter().map(|(word, _)| word).collect()
    }

    /// A site for every word of `range`'s text that holds a term.
    pub fn words(&mut self, range: Range<usize>, role: Role, kind: &SiteKind) {
        for word in self.term_words(&self.src.text[range.clone()]) {
            self.add(range.start + word.start..range.start + word.end, role, kind.clone());
        }
    }
}

pub(super) fn starts_upper(name: &str) -> bool {
    name.trim_start_matches("r#").starts_with(|c: char| c.is_uppercase())
}
