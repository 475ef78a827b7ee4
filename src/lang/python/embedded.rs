//! SQL inside Python strings: planned by the SQL rewriter, and each ClickHouse `{name:Type}`
//! parameter decided together with the dict keys that bind it (`parameters={"session_id": ...}`),
//! so that the query and the code passing its values never disagree. A query held in a constant
//! (`QUERY = "SELECT ..."`) binds the dicts of every call in the file that passes `QUERY`; the keys
//! of a query retrace cannot see (imported, built at run time) are reviewed, never renamed alone.

use std::collections::HashMap;
use std::ops::Range;

use super::collect::{runs_sql, Collected, SqlString};
use super::syntax::{callee_name, text_of};
use crate::edit::Edit;
use crate::lang::sql::{embedded_dialect, plan_embedded, query_parameters};
use crate::lang::Context;
use crate::lang::symbols::NodeSymbols;
use crate::plan::{Finding, Verdict};

/// The SQL strings of a file, planned, with offsets in the file.
pub(super) struct EmbeddedSql {
    /// The contents that were planned as SQL: their word-by-word sites are dropped.
    covered: Vec<Range<usize>>,
    pub findings: Vec<Finding>,
    pub edits: Vec<Edit>,
    bindings: Vec<Binding>,
    /// The dicts of calls that run SQL retrace cannot see: their keys bind unseen parameters.
    unseen_dicts: Vec<usize>,
}

/// A query parameter and the dict keys that bind it.
struct Binding {
    parameter: Range<usize>,
    keys: Vec<Range<usize>>,
    /// Every call that runs the query binds it with a key retrace sees.
    complete: bool,
}

impl EmbeddedSql {
    pub(super) fn plan(file: &Collected<'_>, text: &str, cx: &Context<'_>) -> EmbeddedSql {
        let mut out = EmbeddedSql {
            covered: Vec::new(),
            findings: Vec::new(),
            edits: Vec::new(),
            bindings: Vec::new(),
            unseen_dicts: Vec::new(),
        };
        let mut seen_calls = vec![false; file.calls.len()];
        let holders = std::cell::OnceCell::new();
        for string in &file.sql {
            let content = &text[string.content.clone()];
            let callee = string.call.and_then(|call| file.calls[call].callee).map(|c| text_of(c, text));
            let dialect = embedded_dialect(callee, content);
            // Text that does not tokenize keeps the word-by-word handling.
            let Some(plan) = plan_embedded(content, dialect, cx) else { continue };
            let shift = |r: &Range<usize>| string.content.start + r.start..string.content.start + r.end;
            out.covered.push(string.content.clone());
            out.findings.extend(plan.findings.into_iter().map(|f| Finding { range: shift(&f.range), ..f }));
            out.edits.extend(plan.edits.into_iter().map(|e| Edit { range: shift(&e.range), ..e }));
            let calls = match string.call {
                Some(call) => vec![call],
                None => holders.get_or_init(|| Holders::of(file, text)).calls_passing(string),
            };
            for parameter in query_parameters(content, dialect) {
                let keys: Vec<_> = calls.iter().filter_map(|&call| binding_key(file, call, &parameter.name, text)).collect();
                let complete = !calls.is_empty() && keys.len() == calls.len();
                out.bindings.push(Binding { parameter: shift(&parameter.range), keys, complete });
            }
            for call in calls {
                seen_calls[call] = true;
            }
        }
        // In file order already; sorted all the same, as `covers` looks them up by their start.
        out.covered.sort_by_key(|c| c.start);
        out.unseen_dicts = file
            .calls
            .iter()
            .enumerate()
            .filter(|&(at, call)| !seen_calls[at] && runs_unseen_sql(call, text))
            .filter_map(|(_, call)| call.bound_dict)
            .collect();
        out
    }

    /// Whether a word site lies in a string planned as SQL.
    pub(super) fn covers(&self, range: &Range<usize>) -> bool {
        // String contents do not overlap: only the last one starting before `range` can hold it.
        let before = self.covered.partition_point(|c| c.start <= range.start);
        before > 0 && range.end <= self.covered[before - 1].end
    }

    /// Give each bound parameter and its dict key one verdict. `code` holds the file's other
    /// findings (the keys among them); a parameter whose rename the key cannot follow is demoted.
    pub(super) fn pair_keys(&mut self, file: &Collected<'_>, code: &mut [Finding]) {
        self.review_unseen_keys(file, code);
        for binding in std::mem::take(&mut self.bindings) {
            let Some(at) = self.findings.iter().position(|f| f.range == binding.parameter) else { continue };
            let within = |f: &Finding| binding.keys.iter().any(|k| k.start <= f.range.start && f.range.end <= k.end);
            let mut keys: Vec<&mut Finding> = code.iter_mut().filter(|f| within(f)).collect();
            let refused = keys.iter().find(|k| !matches!(k.verdict, Verdict::Rename { .. })).map(|k| k.verdict.clone());
            if matches!(self.findings[at].verdict, Verdict::Rename { .. }) {
                match refused {
                    _ if !binding.complete || keys.is_empty() => self.demote(at, "bound by a key retrace cannot see"),
                    // A key cannot change: neither does the parameter.
                    Some(verdict) => self.refuse(at, verdict),
                    None => continue,
                }
            }
            // The parameter stays: so does every key that binds it.
            for key in keys.iter_mut().filter(|k| matches!(k.verdict, Verdict::Rename { .. })) {
                key.verdict = self.findings[at].verdict.clone();
            }
        }
    }

    /// A key of a dict passed with a query retrace cannot see would change without its parameter.
    fn review_unseen_keys(&self, file: &Collected<'_>, code: &mut [Finding]) {
        let keys: Vec<&Range<usize>> = file
            .literals
            .iter()
            .filter(|l| l.dict.is_some_and(|dict| self.unseen_dicts.contains(&dict)))
            .map(|l| &l.content)
            .collect();
        let bound = |f: &Finding| keys.iter().any(|k| k.start <= f.range.start && f.range.end <= k.end);
        for finding in code.iter_mut().filter(|f| bound(f)) {
            if let Verdict::Rename { to } = &finding.verdict {
                let why = "binds a parameter of a query retrace cannot see".to_owned();
                finding.verdict = Verdict::Review { to: to.clone(), why };
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

/// The content of the key named `name` in the dict literal that binds `call`'s parameters.
fn binding_key(file: &Collected<'_>, call: usize, name: &str, text: &str) -> Option<Range<usize>> {
    let dict = file.calls[call].bound_dict?;
    file.literals.iter().find(|l| l.dict == Some(dict) && &text[l.content.clone()] == name).map(|l| l.content.clone())
}

/// The variables a string is assigned to and the calls that pass each, gathered once a file has
/// a SQL string passed to no call: looked through for each such string, they would cost the
/// square of a large file's size.
struct Holders<'f> {
    /// Each variable assigned a string, in file order: its value's byte range and its name.
    values: Vec<(Range<usize>, &'f str)>,
    /// The calls by the name their first argument is.
    calls: HashMap<&'f str, Vec<usize>>,
}

impl<'f> Holders<'f> {
    fn of(file: &'f Collected<'_>, text: &'f str) -> Holders<'f> {
        let values = file
            .values
            .iter()
            .filter(|v| !v.annotation && !v.on_attribute)
            .filter(|v| matches!(v.source.kind_name(), "string" | "concatenated_string" | "parenthesized_expression"))
            .map(|v| (v.source.byte_range(), v.name.as_str()))
            .collect();
        let mut calls: HashMap<&str, Vec<usize>> = HashMap::new();
        for (at, call) in file.calls.iter().enumerate() {
            if let Some(name) = call.first_argument.filter(|a| a.kind_name() == "identifier").map(|a| text_of(a, text)) {
                calls.entry(name).or_default().push(at);
            }
        }
        Holders { values, calls }
    }

    /// Every call in the file whose first argument is the name `string` is assigned to.
    fn calls_passing(&self, string: &SqlString) -> Vec<usize> {
        let within = |source: &Range<usize>| source.start < string.content.start && string.content.end < source.end;
        let holder = self.values.iter().find(|(source, _)| within(source));
        holder.and_then(|(_, name)| self.calls.get(name)).cloned().unwrap_or_default()
    }
}

/// A call that runs SQL (`execute`, `query`, ...) with a query that is not a literal of this file.
fn runs_unseen_sql(call: &super::collect::Call<'_>, text: &str) -> bool {
    call.bound_dict.is_some() && call.callee.and_then(|c| callee_name(c, text)).is_some_and(runs_sql)
}
