//! Where values come from: a package (imported from it, or computed from something imported from
//! it), a runtime global, or the project itself. The properties of a foreign value are someone
//! else's names and stay; a variable holding a foreign value keeps its name too when the foreign
//! path to it names the term (`useSession()`, `supabase.auth.getSession()`): it *is* that
//! package's session, not the project's.

use std::collections::HashMap;
use std::path::Path;

use tree_sitter::Node;

use super::scope::{Decl, DeclKind, SymbolId, MODULE};
use super::specifier::Module;
use super::syntax::{is_field, named_children, parse, text_of, Grammar};
use super::Analysis;
use crate::lang::Context;
use crate::lang::symbols::NodeSymbols;
use crate::plan::KeepReason;

/// A foreign source of a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Origin {
    pub reason: KeepReason,
    /// The foreign path to the value names the term (`getSession`, `Session`).
    pub via_term: bool,
}

impl Origin {
    fn through(self, term: bool) -> Origin {
        Origin { via_term: self.via_term || term, ..self }
    }

    /// The package or global, for messages.
    pub(super) fn source(&self) -> &str {
        match &self.reason {
            KeepReason::Global { name } => name,
            _ => self.module().unwrap_or("a foreign API"),
        }
    }

    /// The package the value comes from (`next-auth/react` for the entry `next-auth/react:useSession`).
    fn module(&self) -> Option<&str> {
        match &self.reason {
            KeepReason::Foreign { module } => Some(module),
            KeepReason::KeepList { entry } => entry.rsplit_once(':').map(|(module, _)| module),
            _ => None,
        }
    }
}

/// Whose a property name (or a literal value) is, by the value it belongs to or flows into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Owner {
    /// The project's own data or declarations.
    FirstParty,
    /// A member of a foreign value or type: someone else's name.
    Foreign(Origin),
    /// Handed to a foreign API: its option names, or data it stores or sends. Undecidable.
    ForeignArgument(Origin),
    /// A member of a class or interface that extends a foreign one: it may override theirs.
    ForeignHeritage(Origin),
}

/// Values that belong to the runtime or the browser: their members are never the project's.
const RUNTIME_GLOBALS: &[&str] = &[
    "window",
    "document",
    "navigator",
    "location",
    "history",
    "globalThis",
    "self",
    "process",
    "localStorage",
    "sessionStorage",
    "indexedDB",
    "caches",
    "crypto",
    "performance",
    "screen",
];

/// Query-builder methods (Supabase / PostgREST): their results are rows of the project's own
/// tables, and their string arguments name its tables and columns.
const DATABASE_METHODS: &[&str] = &[
    "from",
    "rpc",
    "select",
    "insert",
    "update",
    "upsert",
    "delete",
    "eq",
    "neq",
    "gt",
    "gte",
    "lt",
    "lte",
    "like",
    "ilike",
    "is",
    "in",
    "contains",
    "containedBy",
    "overlaps",
    "match",
    "not",
    "or",
    "filter",
    "order",
    "textSearch",
];

/// React hooks that hand back what they are given: the state they hold is the project's.
const PASS_THROUGH_HOOKS: &[&str] =
    &["useState", "useReducer", "useMemo", "useCallback", "useRef", "useDeferredValue", "useOptimistic", "useContext"];

/// Nodes between a name in a binding pattern and the declaration that gives the pattern its value.
const PATTERNS: &[&str] = &[
    "object_pattern",
    "array_pattern",
    "pair_pattern",
    "assignment_pattern",
    "object_assignment_pattern",
    "rest_pattern",
];

/// How many first-party imports deep a value is followed to find a foreign origin.
const MAX_IMPORT_DEPTH: usize = 3;

impl<'t> Analysis<'_, 't> {
    pub(super) fn symbol_origin(&self, id: SymbolId) -> Option<Origin> {
        if let Some(known) = self.origins.borrow().get(&id) {
            return known.clone();
        }
        // A cycle (`let a = b, b = a`) ends as first-party.
        self.origins.borrow_mut().insert(id, None);
        let symbol = self.scopes.symbol(id);
        let origin = symbol.decls.iter().find_map(|d| self.decl_origin(&symbol.name, d));
        self.origins.borrow_mut().insert(id, origin.clone());
        origin
    }

    fn decl_origin(&self, name: &str, decl: &Decl<'t>) -> Option<Origin> {
        match &decl.kind {
            DeclKind::Import { source, remote } => self.import_origin(source, remote.as_deref(), name),
            DeclKind::Local => self.pattern_origin(decl.site),
            DeclKind::Global => RUNTIME_GLOBALS.contains(&name).then(|| Origin {
                reason: KeepReason::Global { name: name.to_owned() },
                via_term: self.has_term(name),
            }),
            DeclKind::Declaration => None,
        }
    }

    fn import_origin(&self, source: &str, remote: Option<&str>, local: &str) -> Option<Origin> {
        match self.module(source) {
            Module::Package | Module::Asset => {
                let reason = self.import_keep_reason(source, remote.unwrap_or("default"));
                Some(Origin { reason, via_term: self.has_term(remote.unwrap_or(local)) })
            }
            Module::FirstParty(Some(file)) => self.exported_origin(&file, remote?),
            Module::FirstParty(None) => None,
        }
    }

    /// The origin of a top-level variable of another project file, read once per run.
    fn exported_origin(&self, file: &Path, name: &str) -> Option<Origin> {
        if self.depth >= MAX_IMPORT_DEPTH {
            return None;
        }
        let depth = self.depth + 1;
        self.cx.project.typescript_modules.exported(file, depth, name, || variable_origins(file, self.cx, depth))
    }

    /// The keep-list entry naming `source:name`, or plain foreign-ness.
    pub(super) fn import_keep_reason(&self, source: &str, name: &str) -> KeepReason {
        let listed = self.cx.rules.keep.typescript.iter().find(|s| s.module == source && s.name == name);
        match listed {
            Some(s) => KeepReason::KeepList { entry: format!("{}:{}", s.module, s.name) },
            None => KeepReason::Foreign { module: source.to_owned() },
        }
    }

    /// The value a name in a binding pattern takes apart: the declaration's type, else its value.
    pub(super) fn pattern_origin(&self, node: Node<'t>) -> Option<Origin> {
        let holder = self.scopes.ancestors(node).skip(1).find(|n| !PATTERNS.contains(&n.kind_name()))?;
        match holder.kind_name() {
            "variable_declarator" => match holder.field("type") {
                Some(annotation) => self.annotated_origin(annotation, holder.field("value")),
                None => self.expr_origin(holder.field("value")?),
            },
            "required_parameter" | "optional_parameter" => self.type_origin(holder.field("type")?),
            "for_in_statement" | "assignment_expression" => self.expr_origin(holder.field("right")?),
            _ => None,
        }
    }

    /// A declared type decides, unless it says nothing (`any`, `unknown`).
    fn annotated_origin(&self, annotation: Node<'t>, value: Option<Node<'t>>) -> Option<Origin> {
        let says_nothing = named_children(annotation).first().is_some_and(|t| t.kind_name() == "predefined_type");
        match value {
            Some(value) if says_nothing => self.expr_origin(value),
            _ => self.type_origin(annotation),
        }
    }

    pub(super) fn expr_origin(&self, node: Node<'t>) -> Option<Origin> {
        match node.kind_name() {
            "identifier" | "type_identifier" | "shorthand_property_identifier" => {
                self.symbol_origin(self.scopes.symbol_at(node)?)
            }
            "member_expression" | "nested_identifier" => {
                let object = self.expr_origin(node.field("object")?)?;
                let property = node.field("property")?;
                Some(object.through(self.has_term(text_of(property, self.text))))
            }
            "subscript_expression" => self.expr_origin(node.field("object")?),
            "call_expression" => self.call_origin(node),
            "new_expression" => self.expr_origin(node.field("constructor")?),
            "await_expression" | "parenthesized_expression" | "non_null_expression" => {
                self.expr_origin(node.named_child(0)?)
            }
            "as_expression" | "satisfies_expression" => {
                let (value, annotation) = (node.named_child(0)?, node.named_child(1)?);
                if annotation.kind_name() == "predefined_type" {
                    self.expr_origin(value)
                } else {
                    self.type_origin(annotation)
                }
            }
            _ => None,
        }
    }

    fn call_origin(&self, call: Node<'t>) -> Option<Origin> {
        if let Some(source) = self.module_argument(call) {
            let foreign = !matches!(self.module(source), Module::FirstParty(_));
            return foreign
                .then(|| Origin { reason: KeepReason::Foreign { module: source.to_owned() }, via_term: false });
        }
        let callee = callee(call)?;
        if self.is_database_call(call) || self.is_pass_through_hook(callee) {
            return None;
        }
        self.expr_origin(callee)
    }

    /// `import("m")` and `require("m")`: the module named.
    pub(super) fn module_argument(&self, call: Node<'t>) -> Option<&str> {
        let callee = callee(call)?;
        let loads =
            callee.kind_name() == "import" || (callee.kind_name() == "identifier" && text_of(callee, self.text) == "require");
        let first = call.field("arguments").and_then(|a| a.named_child(0))?;
        (loads && first.kind_name() == "string").then(|| &self.text[super::syntax::string_content(first)])
    }

    /// A query-builder call (`.from("sessions")`, `.eq("session_id", id)`).
    pub(super) fn is_database_call(&self, call: Node<'t>) -> bool {
        let method =
            callee(call).filter(|f| f.kind_name() == "member_expression").and_then(|f| f.field("property"));
        method.is_some_and(|m| DATABASE_METHODS.contains(&text_of(m, self.text)))
    }

    fn is_pass_through_hook(&self, callee: Node<'t>) -> bool {
        let name = match callee.kind_name() {
            "member_expression" => callee.field("property"),
            _ => Some(callee),
        };
        let is_hook = name.is_some_and(|n| PASS_THROUGH_HOOKS.contains(&text_of(n, self.text)));
        is_hook && self.expr_origin(callee).is_some_and(|o| o.module() == Some("react"))
    }

    /// The origin a type gives the values it describes: a package's type, or none.
    pub(super) fn type_origin(&self, node: Node<'t>) -> Option<Origin> {
        match node.kind_name() {
            "type_annotation" | "parenthesized_type" | "array_type" | "readonly_type" => {
                self.type_origin(node.named_child(0)?)
            }
            "type_identifier" | "identifier" => self.symbol_origin(self.scopes.symbol_at(node)?),
            "generic_type" => {
                let name = node.field("name")?;
                let declared = self.scopes.symbol_at(name).is_some_and(|s| !self.scopes.symbol(s).is_global());
                if declared {
                    self.type_origin(name)
                } else {
                    // `Promise<Session>`, `Partial<Session>`: the global wrapper says nothing.
                    let arguments = node.field("type_arguments")?;
                    self.type_origin(arguments.named_child(0)?)
                }
            }
            "nested_type_identifier" => {
                let module = self.expr_origin(node.field("module")?)?;
                let name = node.field("name")?;
                Some(module.through(self.has_term(text_of(name, self.text))))
            }
            "union_type" | "intersection_type" => named_children(node).into_iter().find_map(|t| self.type_origin(t)),
            _ => None,
        }
    }

    /// Who owns the properties read from `object` (`object.name`).
    pub(super) fn value_owner(&self, object: Node<'t>) -> Owner {
        match object.kind_name() {
            "this" | "super" => {
                let class = self.scopes.ancestors(object).find(|n| CLASSES.contains(&n.kind_name()));
                class.map_or(Owner::FirstParty, |c| self.members_owner(c))
            }
            _ => self.expr_origin(object).map_or(Owner::FirstParty, Owner::Foreign),
        }
    }

    /// Who owns the members a class or interface declares: theirs may override a foreign type's.
    pub(super) fn members_owner(&self, declaration: Node<'t>) -> Owner {
        self.heritage_origin(declaration).map_or(Owner::FirstParty, Owner::ForeignHeritage)
    }

    fn heritage_origin(&self, declaration: Node<'t>) -> Option<Origin> {
        let mut parents = Vec::new();
        for clause in named_children(declaration) {
            match clause.kind_name() {
                // class_heritage > extends_clause / implements_clause > the parents
                "class_heritage" => parents.extend(named_children(clause).into_iter().flat_map(named_children)),
                "extends_type_clause" => parents.extend(named_children(clause)),
                _ => {}
            }
        }
        parents.into_iter().find_map(|p| self.type_origin(p).or_else(|| self.expr_origin(p)))
    }

    /// Who a literal value (an object literal, a string) is handed to.
    pub(super) fn value_context(&self, node: Node<'t>) -> Owner {
        let Some(parent) = self.scopes.parent(node) else { return Owner::FirstParty };
        match parent.kind_name() {
            "pair" if is_field(parent, node, "value") => {
                self.scopes.parent(parent).map_or(Owner::FirstParty, |o| self.value_context(o))
            }
            "array" | "parenthesized_expression" => self.value_context(parent),
            "arguments" => self.scopes.parent(parent).map_or(Owner::FirstParty, |call| self.argument_owner(call)),
            "variable_declarator" if is_field(parent, node, "value") => match parent.field("type") {
                Some(annotation) => self.type_origin(annotation).map_or(Owner::FirstParty, Owner::Foreign),
                None => Owner::FirstParty,
            },
            "as_expression" | "satisfies_expression" => match parent.named_child(1).and_then(|t| self.type_origin(t)) {
                Some(origin) => Owner::Foreign(origin),
                None => self.value_context(parent),
            },
            "jsx_expression" => self.value_context(parent),
            "jsx_attribute" => match self.component_owner(parent) {
                Owner::Foreign(origin) => Owner::ForeignArgument(origin),
                owner => owner,
            },
            _ => Owner::FirstParty,
        }
    }

    /// The arguments of a foreign call are handed to it; a query builder's and a React state
    /// hook's are the project's.
    fn argument_owner(&self, call: Node<'t>) -> Owner {
        let callee = match call.kind_name() {
            "call_expression" => callee(call),
            "new_expression" => call.field("constructor"),
            _ => None,
        };
        let Some(callee) = callee else { return Owner::FirstParty };
        if self.is_database_call(call) || self.is_pass_through_hook(callee) {
            return Owner::FirstParty;
        }
        self.expr_origin(callee).map_or(Owner::FirstParty, Owner::ForeignArgument)
    }

    /// Who owns a JSX attribute's name: the component it is passed to.
    pub(super) fn component_owner(&self, attribute: Node<'t>) -> Owner {
        let element = self.scopes.parent(attribute).and_then(|e| e.field("name"));
        element.and_then(|e| self.expr_origin(e)).map_or(Owner::FirstParty, Owner::Foreign)
    }

    pub(super) fn has_term(&self, name: &str) -> bool {
        self.cx.rules.renamer.rename(name).is_some()
    }
}

/// The function a call calls. `await a.b<T>()` parses as `(await a.b)<T>()`: the await is looked through.
fn callee(call: Node<'_>) -> Option<Node<'_>> {
    let function = call.field("function")?;
    match function.kind_name() {
        "await_expression" => function.named_child(0),
        _ => Some(function),
    }
}

const CLASSES: &[&str] = &["class_declaration", "abstract_class_declaration", "class"];

/// The foreign origins of a project file's top-level variables (`export const supabase =
/// createClient(...)`): what an import of them brings along.
fn variable_origins(file: &Path, cx: &Context<'_>, depth: usize) -> HashMap<String, Origin> {
    let Ok(source) = crate::reads::read_to_string(file) else { return HashMap::new() };
    let text = source.strip_prefix('\u{feff}').unwrap_or(&source);
    let Ok(tree) = parse(text, Grammar::for_file(false, file)) else { return HashMap::new() };
    let cx = Context { rules: cx.rules, project: cx.project, path: file };
    let analysis = Analysis::new(&tree, text, &cx, depth);
    let scopes = &analysis.scopes;
    let variables =
        scopes.scope(MODULE).symbols().filter(|&id| scopes.symbol(id).decls.iter().any(|d| d.kind == DeclKind::Local));
    variables.filter_map(|id| Some((scopes.symbol(id).name.clone(), analysis.symbol_origin(id)?))).collect()
}
