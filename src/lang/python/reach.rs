//! What this module's conflicts mean for other modules, and the aliases whose conflict is best
//! resolved by deleting them.
//!
//! Other modules reach a module-level definition or import (they import it), a class member or
//! an instance attribute (they read it), and a parameter of a module-level function or method
//! (they pass it by keyword); a conflict on one of those is shared with them (`crate::safety`).

use std::collections::HashSet;

use tree_sitter::Node;

use super::syntax::{named_children, text_of};
use crate::lang::Context;
use crate::lang::symbols::NodeSymbols;
use crate::plan::{FilePlan, Role, Share, Verdict};
use crate::safety::values::renamed_text;

pub(super) fn check(root: Node<'_>, text: &str, cx: &Context<'_>, plan: &mut FilePlan) {
    aliases(root, text, cx, plan);
    shares(root, text, plan);
}

fn shares(root: Node<'_>, text: &str, plan: &mut FilePlan) {
    // One share per kind and name: a name can be a parameter here and a class member there.
    let mut seen = HashSet::new();
    let mut shares = Vec::new();
    for f in &plan.findings {
        let conflict = matches!(f.verdict, Verdict::Conflict { .. });
        if !conflict || !matches!(f.role, Role::Identifier | Role::Attribute) {
            continue;
        }
        let Some(node) = root.descendant_for_byte_range(f.range.start, f.range.end) else { continue };
        let Some(share) = reach(node, text, f.text.clone(), f.range.start) else { continue };
        if seen.insert((std::mem::discriminant(&share), f.text.clone())) {
            shares.push(share);
        }
    }
    plan.shares.extend(shares);
}

/// The share of a conflicting name, by where it is defined; `None` for what stays in the module.
fn reach(name: Node<'_>, text: &str, text_of_name: String, at: usize) -> Option<Share> {
    let parent = name.parent()?;
    let is = |field: &str| parent.field(field) == Some(name);
    match parent.kind_name() {
        "class_definition" | "function_definition" if is("name") => member_or_name(parent, text, text_of_name, at),
        "assignment" if is("left") => member_or_name(parent.parent()?, text, text_of_name, at),
        "attribute" if is("attribute") => {
            let object = parent.field("object")?;
            let class = std::iter::successors(Some(parent), |n| n.parent()).find(|n| n.kind_name() == "class_definition")?;
            let owner = text_of(class.field("name")?, text).to_owned();
            matches!(text_of(object, text), "self" | "cls").then_some(Share::Member { owner, name: text_of_name, at })
        }
        "dotted_name" | "aliased_import" => {
            let statement = std::iter::successors(Some(parent), |n| n.parent()).find(|n| n.kind_name() == "import_from_statement")?;
            is_outer(statement).then_some(Share::Name { name: text_of_name, at })
        }
        _ => parameter(name, parent, text, text_of_name, at),
    }
}

/// A definition in the module is a name others import; one in a class body, a member.
fn member_or_name(statement: Node<'_>, text: &str, name: String, at: usize) -> Option<Share> {
    let statement = statement.parent().filter(|p| p.kind_name() == "decorated_definition").unwrap_or(statement);
    let parent = statement.parent()?;
    match parent.kind_name() {
        "module" => Some(Share::Name { name, at }),
        "block" if is_outer(statement) => {
            let class = parent.parent()?.field("name")?;
            Some(Share::Member { owner: text_of(class, text).to_owned(), name, at })
        }
        _ => None,
    }
}

/// A parameter of a function defined in the module or a class body; a class's `__init__` takes
/// the keywords passed to the class.
fn parameter(name: Node<'_>, parent: Node<'_>, text: &str, parameter: String, at: usize) -> Option<Share> {
    let list = if parent.kind_name() == "parameters" { parent } else { parent.parent().filter(|p| p.kind_name() == "parameters")? };
    if parent.kind_name() != "parameters" && parent.named_child(0) != Some(name) {
        return None; // a default value or an annotation, not the parameter's name
    }
    let function = list.parent().filter(|f| f.kind_name() == "function_definition" && is_outer(*f))?;
    let mut callable = text_of(function.field("name")?, text);
    if callable == "__init__" {
        let class = std::iter::successors(function.parent(), |n| n.parent()).find(|n| n.kind_name() == "class_definition")?;
        callable = text_of(class.field("name")?, text);
    }
    Some(Share::Keyword { callable: callable.to_owned(), name: parameter, at })
}

/// Whether a statement stands in the module or directly in the body of such a class.
fn is_outer(statement: Node<'_>) -> bool {
    let statement = statement.parent().filter(|p| p.kind_name() == "decorated_definition").unwrap_or(statement);
    match statement.parent() {
        Some(p) if p.kind_name() == "module" => true,
        Some(p) if p.kind_name() == "block" => p.parent().is_some_and(|c| c.kind_name() == "class_definition" && is_outer(c)),
        _ => false,
    }
}

/// `Session = Trace` and `def session(*a): return trace(*a)` alias an old name to its new one:
/// renamed, the first reads `Trace = Trace` and the second calls itself. Their conflicts say so
/// and suggest deleting the alias.
fn aliases(root: Node<'_>, text: &str, cx: &Context<'_>, plan: &mut FilePlan) {
    let lines = crate::engine::Lines::new(text);
    for statement in named_children(root) {
        let Some((old, new, forwards)) = alias(statement, text) else { continue };
        if renamed_text(cx.rules, old).as_deref() != Some(new) {
            continue;
        }
        let (line, _) = lines.line_column(statement.start_byte());
        let why = if forwards {
            format!("`{old}` forwards to `{new}`: renamed, it would call itself")
        } else {
            format!("`{old}` is an alias of `{new}`: renamed, it would read `{new} = {new}`")
        };
        let suggestion = format!(
            "delete the alias at line {line} and run again: its users then name `{new}` (with --shims, a deprecated `{old}` stays for callers)"
        );
        for f in plan.findings.iter_mut().filter(|f| f.text == old) {
            if let Verdict::Conflict { why: w, suggestion: s, .. } = &mut f.verdict {
                *w = why.clone();
                *s = Some(suggestion.clone());
            }
        }
    }
}

/// `(old, new, forwards)` of `old = new` or of a function whose body only returns `new(...)`.
fn alias<'t>(statement: Node<'_>, text: &'t str) -> Option<(&'t str, &'t str, bool)> {
    let statement = match statement.kind_name() {
        "decorated_definition" => statement.field("definition")?,
        _ => statement,
    };
    match statement.kind_name() {
        "expression_statement" => {
            let assignment = statement.named_child(0).filter(|a| a.kind_name() == "assignment")?;
            let (left, right) = (assignment.field("left")?, assignment.field("right")?);
            (left.kind_name() == "identifier" && right.kind_name() == "identifier")
                .then(|| (text_of(left, text), text_of(right, text), false))
        }
        "function_definition" => {
            let body = named_children(statement.field("body")?);
            let code: Vec<Node<'_>> = body.into_iter().filter(|s| !is_docstring(*s) && s.kind_name() != "comment").collect();
            let [returned] = code.as_slice() else { return None };
            let call = returned.named_child(0).filter(|c| returned.kind_name() == "return_statement" && c.kind_name() == "call")?;
            let callee = call.field("function").filter(|f| f.kind_name() == "identifier")?;
            Some((text_of(statement.field("name")?, text), text_of(callee, text), true))
        }
        _ => None,
    }
}

fn is_docstring(statement: Node<'_>) -> bool {
    statement.kind_name() == "expression_statement" && statement.named_child(0).is_some_and(|s| s.kind_name() == "string")
}
