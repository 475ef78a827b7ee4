//! SQL inside Python strings: planned by the SQL rewriter, and each ClickHouse `{name:Type}`
//! parameter decided together with the dict key that binds it (`parameters={"session_id": ...}`),
//! so that the query and the code passing its values never disagree.

use std::ops::Range;

use super::collect::{Collected, SqlString};
use super::syntax::text_of;
use crate::edit::Edit;
use crate::lang::sql::{plan_embedded, query_parameters, Dialect};
use crate::lang::Context;
use crate::plan::{Finding, Verdict};

/// The SQL strings of a file, planned, with offsets in the file.
pub(super) struct EmbeddedSql {
    /// The contents that were planned as SQL: their word-by-word sites are dropped.
    covered: Vec<Range<usize>>,
    pub findings: Vec<Finding>,
    pub edits: Vec<Edit>,
    /// Each parameter name's range and the dict key literal content that binds it, if one is seen.
    bindings: Vec<(Range<usize>, Option<Range<usize>>)>,
}

impl EmbeddedSql {
    pub(super) fn plan(file: &Collected<'_>, text: &str, cx: &Context<'_>) -> EmbeddedSql {
        let mut out = EmbeddedSql { covered: Vec::new(), findings: Vec::new(), edits: Vec::new(), bindings: Vec::new() };
        for string in &file.sql {
            let content = &text[string.content.clone()];
            let dialect = dialect(file, string, text);
            // Text that does not tokenize keeps the word-by-word handling.
            let Some(plan) = plan_embedded(content, dialect, cx) else { continue };
            let shift = |r: &Range<usize>| string.content.start + r.start..string.content.start + r.end;
            out.covered.push(string.content.clone());
            out.findings.extend(plan.findings.into_iter().map(|f| Finding { range: shift(&f.range), ..f }));
            out.edits.extend(plan.edits.into_iter().map(|e| Edit { range: shift(&e.range), ..e }));
            for parameter in query_parameters(content, dialect) {
                let key = string.call.and_then(|call| binding_key(file, call, &parameter.name, text));
                out.bindings.push((shift(&parameter.range), key));
            }
        }
        out
    }

    /// Whether a word site lies in a string planned as SQL.
    pub(super) fn covers(&self, range: &Range<usize>) -> bool {
        self.covered.iter().any(|c| c.start <= range.start && range.end <= c.end)
    }

    /// Give each bound parameter and its dict key one verdict. `code` holds the file's other
    /// findings (the keys among them); a parameter whose rename the key cannot follow is demoted.
    pub(super) fn pair_keys(&mut self, code: &mut [Finding]) {
        for (parameter, key) in std::mem::take(&mut self.bindings) {
            let Some(at) = self.findings.iter().position(|f| f.range == parameter) else { continue };
            let renamed = matches!(self.findings[at].verdict, Verdict::Rename { .. });
            let keys: Vec<&mut Finding> = match &key {
                Some(key) => code.iter_mut().filter(|f| key.start <= f.range.start && f.range.end <= key.end).collect(),
                None => Vec::new(),
            };
            if keys.is_empty() {
                if renamed {
                    self.demote(at, "bound by a key retrace cannot see");
                }
                continue;
            }
            let refused = keys.iter().find(|k| !matches!(k.verdict, Verdict::Rename { .. })).map(|k| k.verdict.clone());
            match refused {
                // The key cannot change: neither does the parameter.
                Some(verdict) if renamed => self.refuse(at, verdict),
                // The parameter stays: so does the key.
                _ if !renamed => keys.into_iter().for_each(|k| k.verdict = self.findings[at].verdict.clone()),
                _ => {}
            }
        }
    }

    fn demote(&mut self, at: usize, why: &str) {
        let Verdict::Rename { to } = &self.findings[at].verdict else { return };
        let verdict = Verdict::Review { to: to.clone(), why: why.to_owned() };
        self.refuse(at, verdict);
    }

    fn refuse(&mut self, at: usize, verdict: Verdict) {
        let range = self.findings[at].range.clone();
        self.edits.retain(|e| !(range.start <= e.range.start && e.range.end <= range.end));
        self.findings[at].verdict = verdict;
    }
}

/// ClickHouse when the callee mentions ClickHouse (`clickhouse_client.query`, `ch.query`) or the
/// query binds `{name:Type}` parameters; else PostgreSQL.
fn dialect(file: &Collected<'_>, string: &SqlString, text: &str) -> Dialect {
    let callee = string.call.and_then(|call| file.calls[call].callee).map(|c| text_of(c, text).to_ascii_lowercase());
    let names_clickhouse = callee.is_some_and(|callee| {
        callee.contains("clickhouse")
            || callee.split(['.', '_']).any(|part| part == "ch")
    });
    let content = &text[string.content.clone()];
    if names_clickhouse || !query_parameters(content, Dialect::ClickHouse).is_empty() {
        Dialect::ClickHouse
    } else {
        Dialect::Postgres
    }
}

/// The content of the key named `name` in the dict literal that binds `call`'s parameters.
fn binding_key(file: &Collected<'_>, call: usize, name: &str, text: &str) -> Option<Range<usize>> {
    let dict = file.calls[call].bound_dict?;
    file.literals.iter().find(|l| l.dict == Some(dict) && &text[l.content.clone()] == name).map(|l| l.content.clone())
}
