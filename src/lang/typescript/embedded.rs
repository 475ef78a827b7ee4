//! SQL inside TypeScript: strings and templates handed to `.query(` / `.execute(`, `sql` tagged
//! templates, ClickHouse's `.query({ query, query_params })`, and strings led by a statement
//! keyword are planned by the SQL rewriter. Each `{name:Type}` parameter is decided together with
//! the `query_params` key that binds it, so the query and its values never disagree. A query held
//! in a constant (`const COUNT = \`SELECT ...\``) and passed by name (`query: COUNT`) is planned
//! with the keys of every object that passes it; keys passed with a query retrace cannot see
//! (imported, built at run time) are reviewed, never renamed alone.

use std::ops::Range;

use foldhash::{HashMap, HashMapExt};
use tree_sitter::Node;

use super::collect::Occurrence;
use super::decide::Decision;
use super::syntax::{named_children, string_content, text_of};
use super::Analysis;
use crate::lang::sql::{embedded_dialect, plan_embedded, query_parameters};
use crate::lang::symbols::NodeSymbols;
use crate::plan::{Finding, Verdict};
use crate::rules::NameVerdict;

/// The keys of one `query_params` object, with the ranges of their names.
type BoundKeys = Vec<(String, Range<usize>)>;

/// A literal planned as SQL, and the verdicts its `query_params` keys must take.
pub(super) struct EmbeddedQuery {
    /// The string or template node that holds the query (none when the query is not in the file).
    pub literal: Option<Range<usize>>,
    pub occurrences: Vec<Occurrence>,
    /// Start of each binding key's name, with the verdict of the parameter it binds.
    pub keys: HashMap<usize, Decision>,
}

/// A string or template handed to a query call, a `sql` tag, or led by a statement keyword.
pub(super) fn literal_query(an: &Analysis<'_, '_>, node: Node<'_>) -> Option<EmbeddedQuery> {
    let content = plain_content(node)?;
    let parent = an.scopes.parent(node)?;
    let call = match parent.kind_name() {
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
    plan(an, node, content, call, &[])
}

/// `.query({ query: '...', query_params: { session_id: ... } })`, given the object.
pub(super) fn object_query(an: &Analysis<'_, '_>, object: Node<'_>) -> Option<EmbeddedQuery> {
    let arguments = an.scopes.parent(object).filter(|a| a.kind_name() == "arguments")?;
    let call = an.scopes.parent(arguments)?;
    if callee_name(an, call) != Some("query") {
        return None;
    }
    let query = pair_value(an, object, "query")?;
    let content = plain_content(query)?;
    plan(an, query, content, Some(call), &[bound_keys(an, object)])
}

/// Queries passed by name (`.query({ query: COUNT, query_params: {...} })`): each constant that
/// holds one is planned once, with the keys of every object that passes it, before the walk
/// reaches either. Keys passed with a name that is not such a constant are reviewed.
pub(super) fn named_queries(an: &Analysis<'_, '_>) -> Vec<EmbeddedQuery> {
    if !an.text.contains("query_params") {
        return Vec::new();
    }
    let mut constants: HashMap<&str, Node<'_>> = HashMap::new();
    let mut uses: HashMap<&str, (Node<'_>, Vec<BoundKeys>)> = HashMap::new();
    for &node in an.scopes.nodes().preorder() {
        match node.kind_name() {
            "variable_declarator" => {
                let name = node.field("name").filter(|n| n.kind_name() == "identifier");
                let value = node.field("value").filter(|v| plain_content(*v).is_some());
                if let (Some(name), Some(value)) = (name, value) {
                    constants.insert(text_of(name, an.text), value);
                }
            }
            "object" => {
                // The call first: most objects are passed to no `.query`, and their pairs need no look.
                let call = an.scopes.parent(node).filter(|a| a.kind_name() == "arguments").and_then(|a| an.scopes.parent(a));
                let Some(call) = call.filter(|c| callee_name(an, *c) == Some("query")) else { continue };
                if let Some(query) = pair_value(an, node, "query").filter(|q| q.kind_name() == "identifier") {
                    uses.entry(text_of(query, an.text)).or_insert((call, Vec::new())).1.push(bound_keys(an, node));
                }
            }
            _ => {}
        }
    }
    let mut queries: Vec<_> = uses.into_iter().collect();
    queries.sort_by_key(|(_, (call, _))| call.start_byte());
    queries
        .into_iter()
        .filter_map(|(name, (call, bound))| match constants.get(name) {
            Some(&literal) => plan(an, literal, plain_content(literal)?, Some(call), &bound),
            None => Some(unseen_query(an, &bound)),
        })
        .collect()
}

/// The keys of the `query_params` object passed beside `query` (none when it is not a literal).
fn bound_keys(an: &Analysis<'_, '_>, object: Node<'_>) -> BoundKeys {
    pair_value(an, object, "query_params").filter(|p| p.kind_name() == "object").map_or_else(Vec::new, |p| keys(an, p))
}

/// Keys that bind the parameters of a query retrace cannot see: a rename would split them.
fn unseen_query(an: &Analysis<'_, '_>, bound: &[BoundKeys]) -> EmbeddedQuery {
    let keys = bound
        .iter()
        .flatten()
        .filter_map(|(name, range)| match an.cx.rules.name_verdict(name) {
            NameVerdict::Rename(to) => {
                let why = "binds a parameter of a query retrace cannot see".to_owned();
                Some((range.start, Decision::Review { to, why }))
            }
            NameVerdict::Keep(_) | NameVerdict::Unrelated => None,
        })
        .collect();
    EmbeddedQuery { literal: None, occurrences: Vec::new(), keys }
}

/// Plan `content` (the text of `node`) as SQL and settle its parameters against `uses` (the keys
/// of each object that passes the query; none for a query no object binds). A parameter renames
/// only when every use binds it with a key, and then all those keys rename with it.
fn plan(
    an: &Analysis<'_, '_>,
    node: Node<'_>,
    content: Range<usize>,
    call: Option<Node<'_>>,
    uses: &[BoundKeys],
) -> Option<EmbeddedQuery> {
    let sql = &an.text[content.clone()];
    let dialect = embedded_dialect(call.and_then(|c| c.field("function")).map(|f| text_of(f, an.text)), sql);
    let plan = plan_embedded(sql, dialect, an.cx)?;
    let shift = |r: &Range<usize>| content.start + r.start..content.start + r.end;
    let mut findings: Vec<Finding> = plan.findings.into_iter().map(|f| Finding { range: shift(&f.range), ..f }).collect();
    let mut keys = HashMap::new();
    for parameter in query_parameters(sql, dialect) {
        let range = shift(&parameter.range);
        let Some(finding) = findings.iter_mut().find(|f| f.range == range) else { continue };
        let bound: Vec<_> = uses.iter().filter_map(|keys| keys.iter().find(|(name, _)| *name == parameter.name)).collect();
        if let Verdict::Rename { to } = &finding.verdict {
            if uses.is_empty() || bound.len() < uses.len() {
                let why = "bound by a key retrace cannot see".to_owned();
                finding.verdict = Verdict::Review { to: to.clone(), why };
            } else if uses.iter().flatten().any(|(name, _)| name == to) {
                let why = format!("`{to}` is already a key of query_params");
                finding.verdict = Verdict::Conflict { to: to.clone(), why, other: None, suggestion: None };
            }
        }
        for (_, key) in bound {
            keys.insert(key.start, decision(&finding.verdict));
        }
    }
    let occurrences = findings.into_iter().map(|f| Occurrence::fixed(f.range, f.role, decision(&f.verdict))).collect();
    Some(EmbeddedQuery { literal: Some(node.byte_range()), occurrences, keys })
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
    let plain = matches!(node.kind_name(), "string" | "template_string")
        && named_children(node).iter().all(|part| part.kind_name() == "string_fragment");
    plain.then(|| string_content(node)).filter(|c| !c.is_empty())
}

/// The last name of a call's callee: `query` in `client.query(...)`, `sql` in a `sql` tag.
fn callee_name<'a>(an: &Analysis<'a, '_>, call: Node<'_>) -> Option<&'a str> {
    let callee = call.field("function")?;
    let name = match callee.kind_name() {
        "member_expression" => callee.field("property")?,
        "identifier" => callee,
        _ => return None,
    };
    Some(text_of(name, an.text))
}

/// The value of `object`'s `key: value` pair.
fn pair_value<'t>(an: &Analysis<'_, '_>, object: Node<'t>, key: &str) -> Option<Node<'t>> {
    named_children(object).into_iter().filter(|p| p.kind_name() == "pair").find_map(|pair| {
        let name = pair.field("key")?;
        (key_name(an, name)?.0 == key).then(|| pair.field("value")).flatten()
    })
}

/// The keys of an object literal written as `key: value` (a shorthand `{ session_id }` also names
/// a variable, so it is not a key retrace can rename alone).
fn keys(an: &Analysis<'_, '_>, object: Node<'_>) -> BoundKeys {
    named_children(object)
        .into_iter()
        .filter(|p| p.kind_name() == "pair")
        .filter_map(|pair| key_name(an, pair.field("key")?))
        .collect()
}

fn key_name(an: &Analysis<'_, '_>, key: Node<'_>) -> Option<(String, Range<usize>)> {
    let range = match key.kind_name() {
        "property_identifier" => key.byte_range(),
        "string" => string_content(key),
        _ => return None,
    };
    Some((an.text[range.clone()].to_owned(), range))
}

