//! Compatibility shims (`--shims`): for every exported declaration the plan renames, the old name
//! stays exported for a release as a deprecated alias of the new one, appended to the file:
//!
//! ```ts
//! /** @deprecated Use ITraceAndStats. */
//! export type ISessionAndStats = ITraceAndStats;
//! /** @deprecated Use getTraces. */
//! export const getSessions = getTraces;
//! ```

use std::collections::HashSet;
use std::ops::Range;

use tree_sitter::Node;

use super::syntax::{self, named_children, text_of, Grammar};
use crate::edit::{self, Edit};
use crate::lang::Context;
use crate::lang::symbols::NodeSymbols;
use crate::plan::{FilePlan, Verdict};

/// What an exported name is, for the alias it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Interfaces and type aliases: a type alias.
    Type,
    /// Functions and variables: a constant.
    Value,
    /// Classes and enums: both.
    Both,
}

/// One exported name the plan renames.
struct Renamed {
    old: String,
    new: String,
    kind: Kind,
    /// `<T extends X>` as it reads after the rename, and `<T>` to pass them on.
    parameters: Option<(String, String)>,
}

/// The edit that appends shims for `plan`'s renamed exports to `text`, if any are renamed.
/// `text` must be the text `plan` was made from (after any BOM).
pub fn shims(text: &str, plan: &FilePlan, cx: &Context<'_>) -> Vec<Edit> {
    let Ok(tree) = syntax::parse(text, Grammar::for_file(false, cx.path)) else { return Vec::new() };
    let renamed = renamed_exports(tree.root_node(), text, plan);
    if renamed.is_empty() {
        return Vec::new();
    }
    let declaration_file = cx.path.to_string_lossy().ends_with(".d.ts");
    let typed = !is_javascript(cx.path);
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = String::new();
    if !text.is_empty() && !text.ends_with('\n') {
        out.push_str(newline);
    }
    // The aliases name the old term on purpose: later runs and `check` leave the region alone.
    let lines = std::iter::once("// retrace: off (deprecated aliases for one release)".to_owned())
        .chain(renamed.iter().flat_map(|r| r.lines(typed, declaration_file)))
        .chain(std::iter::once("// retrace: on".to_owned()));
    for line in lines {
        out.push_str(&line);
        out.push_str(newline);
    }
    vec![Edit::new(text.len()..text.len(), out)]
}

impl Renamed {
    fn lines(&self, typed: bool, declaration_file: bool) -> Vec<String> {
        let (old, new) = (&self.old, &self.new);
        let deprecated = format!("/** @deprecated Use {new}. */");
        let mut lines = Vec::new();
        if matches!(self.kind, Kind::Value | Kind::Both) {
            lines.push(deprecated.clone());
            lines.push(if declaration_file {
                format!("export declare const {old}: typeof {new};")
            } else {
                format!("export const {old} = {new};")
            });
        }
        if typed && matches!(self.kind, Kind::Type | Kind::Both) {
            let (parameters, arguments) = self.parameters.clone().unwrap_or_default();
            lines.push(deprecated);
            lines.push(format!("export type {old}{parameters} = {new}{arguments};"));
        }
        lines
    }
}

fn is_javascript(path: &std::path::Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "js" | "jsx" | "mjs" | "cjs"))
}

/// Exported top-level declarations whose name the plan renames, each once (overloads share one).
fn renamed_exports(root: Node<'_>, text: &str, plan: &FilePlan) -> Vec<Renamed> {
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    let exports = named_children(root).into_iter().filter(|s| s.kind_name() == "export_statement" && !is_default(*s));
    for declaration in exports.filter_map(|s| s.field("declaration")) {
        // `export declare function f(): T;`
        let declaration = match declaration.kind_name() {
            "ambient_declaration" => declaration.named_child(0).unwrap_or(declaration),
            _ => declaration,
        };
        for (name, kind) in declared_names(declaration) {
            let Some(new) = renamed_to(plan, name.byte_range()) else { continue };
            let old = text_of(name, text).to_owned();
            if seen.insert(old.clone()) {
                let parameters =
                    declaration.field("type_parameters").map(|p| type_parameters(p, text, plan));
                found.push(Renamed { old, new: new.to_owned(), kind, parameters });
            }
        }
    }
    found
}

/// `export default ...`: its name is not part of the module's interface.
fn is_default(statement: Node<'_>) -> bool {
    let mut cursor = statement.walk();
    let found = statement.children(&mut cursor).any(|c| c.kind_name() == "default");
    found
}

/// The names a declaration exports, and what each is.
fn declared_names(declaration: Node<'_>) -> Vec<(Node<'_>, Kind)> {
    let name = declaration.field("name");
    let kind = match declaration.kind_name() {
        "interface_declaration" | "type_alias_declaration" => Kind::Type,
        "class_declaration" | "abstract_class_declaration" | "enum_declaration" => Kind::Both,
        "function_declaration" | "generator_function_declaration" | "function_signature" => Kind::Value,
        "lexical_declaration" | "variable_declaration" => {
            let declarators = named_children(declaration).into_iter().filter(|d| d.kind_name() == "variable_declarator");
            let names = declarators.filter_map(|d| d.field("name")).filter(|n| n.kind_name() == "identifier");
            return names.map(|n| (n, Kind::Value)).collect();
        }
        _ => return Vec::new(),
    };
    name.map(|n| vec![(n, kind)]).unwrap_or_default()
}

fn renamed_to(plan: &FilePlan, range: Range<usize>) -> Option<&str> {
    plan.findings.iter().find(|f| f.range == range).and_then(|f| match &f.verdict {
        Verdict::Rename { to } => Some(to.as_str()),
        _ => None,
    })
}

/// `<TSession extends X>` as it reads after the plan's edits, and the bare `<TTrace>` to pass on.
fn type_parameters(parameters: Node<'_>, text: &str, plan: &FilePlan) -> (String, String) {
    let range = parameters.byte_range();
    let inside = plan.edits.iter().filter(|e| range.start <= e.range.start && e.range.end <= range.end);
    let shifted =
        inside.map(|e| Edit::new(e.range.start - range.start..e.range.end - range.start, e.replacement.clone()));
    let original = &text[range.clone()];
    let written = edit::normalize(original, shifted.collect())
        .map_or_else(|_| original.to_owned(), |e| edit::apply(original, &e));
    let names: Vec<String> = named_children(parameters)
        .into_iter()
        .filter_map(|p| p.field("name"))
        .map(|n| renamed_to(plan, n.byte_range()).map_or_else(|| text_of(n, text).to_owned(), str::to_owned))
        .collect();
    (written, format!("<{}>", names.join(", ")))
}
