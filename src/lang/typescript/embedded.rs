//! SQL inside TypeScript: strings and templates handed to `.query(` / `.execute(`, `sql` tagged
//! templates, ClickHouse's `.query({ query, query_params })`, and strings led by a statement
//! keyword are planned by the SQL rewriter. Each `{name:Type}` parameter is decided together with
//! the `query_params` key that binds it, so the query and its values never disagree.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::Node;

use super::collect::Occurrence;
use super::decide::Decision;
use super::syntax::{named_children, string_content, text_of};
use super::Analysis;
use crate::lang::sql::{plan_embedded, query_parameters, Dialect};
use crate::plan::{Finding, Verdict};

/// A literal planned as SQL, and the verdicts its `query_params` keys must take.
pub(super) struct EmbeddedQuery {
    /// The string or template node that holds the query.
    pub literal: Range<usize>,
    pub occurrences: Vec<Occurrence>,
    /// Start of each binding key's name, with the verdict of the parameter it binds.
    pub keys: HashMap<usize, Decision>,
}

/// A string or template handed to a query call, a `sql` tag, or led by a statement keyword.
pub(super) fn literal_query(an: &Analysis<'_, '_>, node: Node<'_>) -> Option<EmbeddedQuery> {
    let content = plain_content(node)?;
    let parent = an.scopes.parent(node)?;
    let call = match parent.kind() {
        // A tagged template: the template is the call's `arguments`.
        "call_expression" => Some(parent).filter(|c| callee_name(an, *c).is_some_and(|n| n.ends_with("sql"))),
        "arguments" => an.scopes.parent(parent).filter(|c| {
            parent.named_child(0) == Some(node) && callee_name(an, *c).is_some_and(|n| matches!(n, "query" | "execute"))
        }),
        _ => None,
    };
    if call.is_none() && !crate::lang::sql::starts_with_statement(&an.text[content.clone()]) {
        return None;
    }
    plan(an, node, content, call, None)
}

/// `.query({ query: '...', query_params: { session_id: ... } })`, given the object.
pub(super) fn object_query(an: &Analysis<'_, '_>, object: Node<'_>) -> Option<EmbeddedQuery> {
    let arguments = an.scopes.parent(object).filter(|a| a.kind() == "arguments")?;
    let call = an.scopes.parent(arguments)?;
    if callee_name(an, call) != Some("query") {
        return None;
    }
    let query = pair_value(an, object, "query")?;
    let content = plain_content(query)?;
    let params = pair_value(an, object, "query_params").filter(|p| p.kind() == "object");
    plan(an, query, content, Some(call), Some(params.map_or_else(Vec::new, |p| keys(an, p))))
}

/// Plan `content` (the text of `node`) as SQL and settle its parameters against `bound` (the
/// keys of the object that binds them; `None` when the call passes none).
fn plan(
    an: &Analysis<'_, '_>,
    node: Node<'_>,
    content: Range<usize>,
    call: Option<Node<'_>>,
    bound: Option<Vec<(String, Range<usize>)>>,
) -> Option<EmbeddedQuery> {
    let sql = &an.text[content.clone()];
    let dialect = dialect(an, call, sql);
    let plan = plan_embedded(sql, dialect, an.cx)?;
    let shift = |r: &Range<usize>| content.start + r.start..content.start + r.end;
    let mut findings: Vec<Finding> = plan.findings.into_iter().map(|f| Finding { range: shift(&f.range), ..f }).collect();
    let bound = bound.unwrap_or_default();
    let mut keys = HashMap::new();
    for parameter in query_parameters(sql, dialect) {
        let range = shift(&parameter.range);
        let Some(finding) = findings.iter_mut().find(|f| f.range == range) else { continue };
        let key = bound.iter().find(|(name, _)| *name == parameter.name);
        match (&finding.verdict, key) {
            (Verdict::Rename { to }, None) => {
                let why = "bound by a key retrace cannot see".to_owned();
                finding.verdict = Verdict::Review { to: to.clone(), why };
            }
            (Verdict::Rename { to }, Some(_)) if bound.iter().any(|(name, _)| name == to) => {
                let why = format!("`{to}` is already a key of query_params");
                finding.verdict = Verdict::Conflict { to: to.clone(), why, other: None };
            }
            _ => {}
        }
        if let Some((_, key)) = key {
            keys.insert(key.start, decision(&finding.verdict));
        }
    }
    let occurrences = findings.into_iter().map(|f| Occurrence::fixed(f.range, f.role, decision(&f.verdict))).collect();
    Some(EmbeddedQuery { literal: node.byte_range(), occurrences, keys })
}

fn decision(verdict: &Verdict) -> Decision {
    match verdict.clone() {
        Verdict::Rename { to } => Decision::Rename(to),
        Verdict::Keep { reason } => Decision::Keep(reason),
        Verdict::Review { to, why } => Decision::Review { to, why },
        // An embedded query's clash is inside the string; the plan points at the query.
        Verdict::Conflict { to, why, .. } => Decision::Conflict { to, why, other: None },
    }
}

/// The content of a string, or of a template without substitutions, when it holds no escape (so
/// offsets in it are offsets in the file).
fn plain_content(node: Node<'_>) -> Option<Range<usize>> {
    let plain = matches!(node.kind(), "string" | "template_string")
        && named_children(node).iter().all(|part| part.kind() == "string_fragment");
    plain.then(|| string_content(node)).filter(|c| !c.is_empty())
}

/// The last name of a call's callee: `query` in `client.query(...)`, `sql` in a `sql` tag.
fn callee_name<'a>(an: &Analysis<'a, '_>, call: Node<'_>) -> Option<&'a str> {
    let callee = call.child_by_field_name("function")?;
    let name = match callee.kind() {
        "member_expression" => callee.child_by_field_name("property")?,
        "identifier" => callee,
        _ => return None,
    };
    Some(text_of(name, an.text))
}

/// ClickHouse when the callee's receiver mentions it (`clickhouse.query`, `ch.query`) or the query
/// binds `{name:Type}` parameters; else PostgreSQL.
fn dialect(an: &Analysis<'_, '_>, call: Option<Node<'_>>, sql: &str) -> Dialect {
    let callee = call.and_then(|c| c.child_by_field_name("function")).map(|f| text_of(f, an.text).to_ascii_lowercase());
    let names_clickhouse = callee.is_some_and(|c| {
        c.contains("clickhouse") || c.split(|ch: char| !ch.is_ascii_alphanumeric()).any(|part| part == "ch")
    });
    if names_clickhouse || !query_parameters(sql, Dialect::ClickHouse).is_empty() {
        Dialect::ClickHouse
    } else {
        Dialect::Postgres
    }
}

/// The value of `object`'s `key: value` pair.
fn pair_value<'t>(an: &Analysis<'_, '_>, object: Node<'t>, key: &str) -> Option<Node<'t>> {
    named_children(object).into_iter().filter(|p| p.kind() == "pair").find_map(|pair| {
        let name = pair.child_by_field_name("key")?;
        (key_name(an, name)?.0 == key).then(|| pair.child_by_field_name("value")).flatten()
    })
}

/// The keys of an object literal written as `key: value` (a shorthand `{ session_id }` also names
/// a variable, so it is not a key retrace can rename alone).
fn keys(an: &Analysis<'_, '_>, object: Node<'_>) -> Vec<(String, Range<usize>)> {
    named_children(object)
        .into_iter()
        .filter(|p| p.kind() == "pair")
        .filter_map(|pair| key_name(an, pair.child_by_field_name("key")?))
        .collect()
}

fn key_name(an: &Analysis<'_, '_>, key: Node<'_>) -> Option<(String, Range<usize>)> {
    let range = match key.kind() {
        "property_identifier" => key.byte_range(),
        "string" => string_content(key),
        _ => return None,
    };
    Some((an.text[range.clone()].to_owned(), range))
}

