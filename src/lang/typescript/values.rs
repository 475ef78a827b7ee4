//! The TypeScript side of the value checks (`crate::safety::values`): string literals, Express
//! routes (`router.get('/sessions', ...)`), object entries that map one name to another (`{
//! sessionId: 'traceId' }`, a redirect's `source` and `destination`), and persisted values (enum
//! values, header names).

use tree_sitter::Node;

use super::syntax::{named_children, string_content, text_of};
use crate::lang::symbols::NodeSymbols;
use crate::safety::values::{Literal, Route, Values};

const METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "options"];

pub(super) fn walk<'t>(nodes: &[Node<'t>], text: &'t str) -> Values<'t> {
    Values::walk(nodes, |node| literal(node, text), |node, found| match node.kind_name() {
        "pair" => {
            let key = node.field("key").and_then(|k| key(k, text));
            let value = node.field("value").and_then(|v| literal(v, text));
            if let (Some(key), Some(value)) = (key, value) {
                found.pairs.push((key, value));
            }
        }
        "object" => found.pairs.extend(redirect(node, text)),
        "enum_assignment" => {
            let value = node.field("value").and_then(|v| literal(v, text));
            found.persisted.extend(value.map(|value| (value, "an enum value")));
        }
        "call_expression" => found.routes.extend(route(node, text)),
        _ => {}
    })
}

/// A plain string literal's content (`'...'` or `"..."`).
fn literal<'t>(node: Node<'_>, text: &'t str) -> Option<Literal<'t>> {
    if node.kind_name() != "string" {
        return None;
    }
    let content = string_content(node);
    Some(Literal { at: content.start, text: &text[content], name: false })
}

/// An object key: a property name (which every occurrence in the file follows) or a string.
fn key<'t>(node: Node<'_>, text: &'t str) -> Option<Literal<'t>> {
    match node.kind_name() {
        "property_identifier" => Some(Literal { at: node.start_byte(), text: text_of(node, text), name: true }),
        _ => literal(node, text),
    }
}

/// `{ source: '/sessions', destination: '/traces' }`: the old URL and the new one.
fn redirect<'t>(object: Node<'_>, text: &'t str) -> Option<(Literal<'t>, Literal<'t>)> {
    let value = |name: &str| {
        named_children(object).into_iter().find_map(|pair| {
            let key = pair.field("key").filter(|k| text_of(*k, text) == name)?;
            literal(pair.field("value").filter(|_| key.kind_name() == "property_identifier")?, text)
        })
    };
    Some((value("source")?, value("destination")?))
}

/// `router.post('/sessions', handler)`: a route of `router`.
fn route<'t>(call: Node<'_>, text: &'t str) -> Option<Route<'t>> {
    let callee = call.field("function").filter(|f| f.kind_name() == "member_expression")?;
    let method = text_of(callee.field("property")?, text);
    if !METHODS.contains(&method) {
        return None;
    }
    let arguments = named_children(call.field("arguments")?);
    let path = literal(*arguments.first()?, text).filter(|p| p.text.starts_with('/') && arguments.len() > 1)?;
    Some(Route { router: text_of(callee.field("object")?, text), methods: vec![method.to_ascii_uppercase()], path })
}
