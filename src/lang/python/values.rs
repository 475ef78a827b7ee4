//! The Python side of the value checks (`crate::safety::values`): the string literals of a
//! module, its route decorators, its dict entries of two strings, and its persisted values
//! (enum values, header names, JWT claims).

use tree_sitter::Node;

use super::syntax::{named_children, text_of};
use crate::lang::symbols::NodeSymbols;
use crate::safety::values::{Literal, Route, Values};

pub(super) fn walk<'t>(nodes: &[Node<'t>], text: &'t str) -> Values<'t> {
    Values::walk(nodes, |node| literal(node, text), |node, found| match node.kind_name() {
        "decorator" => found.routes.extend(route(node, text)),
        "pair" => {
            let side = |field| node.field(field).and_then(|n| literal(n, text));
            if let (Some(key), Some(value)) = (side("key"), side("value")) {
                found.pairs.push((key, value));
            }
        }
        "class_definition" if is_enum(node, text) => {
            found.persisted.extend(enum_values(node, text).into_iter().map(|value| (value, "an enum value")))
        }
        "call" => found.persisted.extend(claims(node, text).into_iter().map(|key| (key, "a JWT claim"))),
        _ => {}
    })
}

/// The content of a string literal without interpolation.
fn literal<'t>(node: Node<'_>, text: &'t str) -> Option<Literal<'t>> {
    if node.kind_name() != "string" {
        return None;
    }
    let parts = named_children(node);
    if parts.iter().any(|p| p.kind_name() == "interpolation") {
        return None;
    }
    let start = parts.iter().find(|p| p.kind_name() == "string_start")?.end_byte();
    let end = parts.iter().rfind(|p| p.kind_name() == "string_end")?.start_byte();
    (start <= end).then(|| Literal { at: start, text: &text[start..end], name: false })
}

/// The route a decorator registers: `@r.get(path)` (and the other methods), `@r.route(path,
/// methods=[...])` (GET by default), `@r.api_route(...)`.
fn route<'t>(decorator: Node<'_>, text: &'t str) -> Option<Route<'t>> {
    let call = decorator.named_child(0).filter(|c| c.kind_name() == "call")?;
    let callee = call.field("function").filter(|f| f.kind_name() == "attribute")?;
    let router = text_of(callee.field("object")?, text);
    let verb = text_of(callee.field("attribute")?, text);
    let arguments = named_children(call.field("arguments")?);
    let path = arguments.first().and_then(|a| literal(*a, text))?;
    let methods = match verb {
        "get" | "post" | "put" | "patch" | "delete" | "head" | "options" => vec![verb.to_ascii_uppercase()],
        "route" | "api_route" => {
            let listed = arguments.iter().find(|a| {
                a.kind_name() == "keyword_argument"
                    && a.field("name").is_some_and(|n| text_of(n, text) == "methods")
            });
            match listed.and_then(|a| a.field("value")) {
                Some(list) => named_children(list).into_iter().filter_map(|m| literal(m, text)).map(|m| m.text.to_ascii_uppercase()).collect(),
                None => vec!["GET".to_owned()],
            }
        }
        _ => return None,
    };
    Some(Route { router, methods, path })
}

/// A class that extends `Enum`, `StrEnum`, `IntEnum` or `Flag` (by its last name).
fn is_enum(class: Node<'_>, text: &str) -> bool {
    let Some(bases) = class.field("superclasses") else { return false };
    named_children(bases).into_iter().any(|base| {
        let name = text_of(base, text).rsplit('.').next().unwrap_or("");
        name.ends_with("Enum") || name.ends_with("Flag")
    })
}

/// The string values assigned in an enum class's body.
fn enum_values<'t>(class: Node<'_>, text: &'t str) -> Vec<Literal<'t>> {
    let Some(body) = class.field("body") else { return Vec::new() };
    named_children(body)
        .into_iter()
        .filter(|s| s.kind_name() == "expression_statement")
        .filter_map(|s| s.named_child(0).filter(|a| a.kind_name() == "assignment"))
        .filter_map(|a| literal(a.field("right")?, text))
        .collect()
}

/// The string keys of a dict passed to `jwt.encode(...)`.
fn claims<'t>(call: Node<'_>, text: &'t str) -> Vec<Literal<'t>> {
    let callee = call.field("function").map(|f| text_of(f, text));
    let Some(arguments) = call.field("arguments").filter(|_| callee == Some("jwt.encode")) else {
        return Vec::new();
    };
    let Some(claims) = named_children(arguments).into_iter().next().filter(|a| a.kind_name() == "dictionary") else {
        return Vec::new();
    };
    named_children(claims).into_iter().filter_map(|pair| literal(pair.field("key")?, text)).collect()
}
