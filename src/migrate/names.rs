//! The rename plan: which objects get which new names. Every name the rules rename gets its new
//! spelling unless that spelling is already taken in the same namespace (a table that already
//! has `trace_id`, a schema that already has `traces`): then it is a conflict, reported with
//! both places and left alone.

use std::collections::HashMap;

use super::rewrite::Vocabulary;
use super::schema::{QualifiedName, Renamable, Schema};
use super::Conflict;
use crate::lang::sql::POSTGRES_PLATFORM_SCHEMAS as PLATFORM_SCHEMAS;
use crate::plan::Location;
use crate::rules::{NameVerdict, RuleSet};

/// What the plan decided besides the renames themselves.
#[derive(Debug, Default)]
pub(super) struct Decisions {
    pub conflicts: Vec<Conflict>,
    /// Names the rules keep, with why (`column public.t.auth_session_id: sense: ...`).
    pub kept: Vec<String>,
}

/// Names already used in one namespace (a schema's relations, a table's columns, ...), with
/// where each is defined.
struct Namespace(HashMap<String, Location>);

impl Namespace {
    fn of<'a>(names: impl IntoIterator<Item = (&'a str, &'a Location)>) -> Namespace {
        Namespace(names.into_iter().map(|(n, at)| (n.to_owned(), at.clone())).collect())
    }

    /// The new name of `name`, if the rules rename it and the new name is free (it is then taken).
    fn claim(
        &mut self,
        rules: &RuleSet,
        what: String,
        name: &str,
        at: &Location,
        out: &mut Decisions,
    ) -> Option<String> {
        match rules.name_verdict(name) {
            NameVerdict::Unrelated => None,
            NameVerdict::Keep(reason) => {
                out.kept.push(format!("{what}: {reason}"));
                None
            }
            NameVerdict::Rename(new) => {
                if let Some(other) = self.0.get(&new) {
                    out.conflicts.push(Conflict {
                        location: at.clone(),
                        object: what,
                        wanted: new.clone(),
                        other: other.clone(),
                    });
                    return None;
                }
                self.0.insert(new.clone(), at.clone());
                Some(new)
            }
        }
    }
}

pub(super) fn is_platform_schema(schema: &str) -> bool {
    PLATFORM_SCHEMAS.contains(&schema)
}

/// Give every object of the schema its new name, where the rules and the namespaces allow.
pub(super) fn decide(schema: &mut Schema, rules: &RuleSet) -> Decisions {
    let mut out = Decisions::default();
    let mut schemas: Vec<String> = schema.tables.iter().map(|t| t.name.schema.clone()).collect();
    schemas.sort();
    schemas.dedup();
    schemas.retain(|s| !is_platform_schema(s));
    for name in &schemas {
        decide_relations(schema, name, rules, &mut out);
        let mut functions = Namespace::of(
            schema.functions.iter().filter(|f| &f.name.schema == name).map(|f| (f.name.name.as_str(), &f.defined_at)),
        );
        for f in schema.functions.iter_mut().filter(|f| &f.name.schema == name) {
            f.rename = functions.claim(rules, format!("function {}", f.name), &f.name.name, &f.defined_at, &mut out);
        }
    }
    for table in schema.tables.iter_mut().filter(|t| !is_platform_schema(&t.name.schema)) {
        let mut columns = Namespace::of(table.columns.iter().map(|c| (c.name.as_str(), &c.defined_at)));
        for column in &mut table.columns {
            let what = format!("column {}.{}", table.name, column.name);
            column.rename = columns.claim(rules, what, &column.name, &column.defined_at, &mut out);
        }
        // Constraints without an index have per-table names; the others were decided with the
        // schema's relations.
        let mut constraints = Namespace::of(table.constraints.iter().map(|c| (c.name.as_str(), &c.defined_at)));
        for c in table.constraints.iter_mut().filter(|c| !c.kind.has_index()) {
            let what = format!("constraint {} on {}", c.name, table.name);
            c.rename = constraints.claim(rules, what, &c.name, &c.defined_at, &mut out);
        }
    }
    decide_per_table(schema, rules, &mut out);
    for view in schema.views.iter_mut().filter(|v| !is_platform_schema(&v.name.schema)) {
        let mut columns = Namespace::of(view.columns.iter().map(|c| (c.name.as_str(), &view.defined_at)));
        for column in &mut view.columns {
            let what = format!("column {}.{}", view.name, column.name);
            column.rename = columns.claim(rules, what, &column.name, &view.defined_at, &mut out);
        }
    }
    out
}

/// Tables, views, indexes, sequences and constraint indexes share one namespace per schema.
fn decide_relations(schema: &mut Schema, name: &str, rules: &RuleSet, out: &mut Decisions) {
    let mut relations = Namespace(HashMap::new());
    for table in schema.tables.iter().filter(|t| t.name.schema == name) {
        relations.0.insert(table.name.name.clone(), table.defined_at.clone());
        for c in table.constraints.iter().filter(|c| c.kind.has_index()) {
            relations.0.insert(c.name.clone(), c.defined_at.clone());
        }
    }
    for v in schema.views.iter().filter(|v| v.name.schema == name) {
        relations.0.insert(v.name.name.clone(), v.defined_at.clone());
    }
    for i in schema.indexes.iter().filter(|i| i.name.schema == name) {
        relations.0.insert(i.name.name.clone(), i.defined_at.clone());
    }
    for s in schema.sequences.iter().filter(|s| s.name.schema == name) {
        relations.0.insert(s.name.name.clone(), s.defined_at.clone());
    }
    for t in schema.tables.iter_mut().filter(|t| t.name.schema == name) {
        t.rename = relations.claim(rules, format!("table {}", t.name), &t.name.name, &t.defined_at, out);
        for c in t.constraints.iter_mut().filter(|c| c.kind.has_index()) {
            let what = format!("constraint {} on {}", c.name, t.name);
            c.rename = relations.claim(rules, what, &c.name, &c.defined_at, out);
        }
    }
    for v in schema.views.iter_mut().filter(|v| v.name.schema == name) {
        v.rename = relations.claim(rules, format!("view {}", v.name), &v.name.name, &v.defined_at, out);
    }
    for i in schema.indexes.iter_mut().filter(|i| i.name.schema == name) {
        i.rename = relations.claim(rules, format!("index {}", i.name), &i.name.name, &i.defined_at, out);
    }
    for s in schema.sequences.iter_mut().filter(|s| s.name.schema == name) {
        s.rename = relations.claim(rules, format!("sequence {}", s.name), &s.name.name, &s.defined_at, out);
    }
}

/// Triggers and policies have per-table names.
fn decide_per_table(schema: &mut Schema, rules: &RuleSet, out: &mut Decisions) {
    let tables: Vec<QualifiedName> = schema.tables.iter().map(|t| t.name.clone()).collect();
    for table in tables.iter().filter(|t| !is_platform_schema(&t.schema)) {
        let on = |t: &QualifiedName| t == table;
        let mut triggers =
            Namespace::of(schema.triggers.iter().filter(|t| on(&t.table)).map(|t| (t.name.as_str(), &t.defined_at)));
        for t in schema.triggers.iter_mut().filter(|t| on(&t.table)) {
            t.rename = triggers.claim(rules, format!("trigger {} on {table}", t.name), &t.name, &t.defined_at, out);
        }
        let mut policies =
            Namespace::of(schema.policies.iter().filter(|p| on(&p.table)).map(|p| (p.name.as_str(), &p.defined_at)));
        for p in schema.policies.iter_mut().filter(|p| on(&p.table)) {
            p.rename = policies.claim(rules, format!("policy {} on {table}", p.name), &p.name, &p.defined_at, out);
        }
    }
}

/// Every rename the plan made, for rewriting text that names objects (function bodies, view
/// queries, policy expressions). Names some objects keep while others change are ambiguous.
pub(super) fn vocabulary(schema: &Schema, rules: &RuleSet) -> Vocabulary {
    let schemas =
        schema.tables.iter().map(|t| t.name.schema.clone()).chain(PLATFORM_SCHEMAS.iter().map(|s| (*s).to_owned()));
    let mut vocabulary = Vocabulary::new(schemas);
    let relations = schema
        .tables
        .iter()
        .map(|t| (&t.name, t.rename()))
        .chain(schema.views.iter().map(|v| (&v.name, v.rename())))
        .chain(schema.sequences.iter().map(|s| (&s.name, s.rename())))
        .chain(schema.indexes.iter().map(|i| (&i.name, i.rename())))
        .chain(schema.functions.iter().map(|f| (&f.name, f.rename())));
    for (name, rename) in relations {
        if let Some(new) = rename {
            vocabulary.qualified(name, new);
        }
    }
    let columns = schema
        .tables
        .iter()
        .flat_map(|t| t.columns.iter().map(|c| (c.name(), c.rename())))
        .chain(schema.views.iter().flat_map(|v| v.columns.iter().map(|c| (c.name(), c.rename()))));
    for (name, rename) in columns {
        match rename {
            Some(new) => vocabulary.bare_name(name, Some(new)),
            None if rules.renamer.rename(name).is_some() => vocabulary.kept(name),
            None => {}
        }
    }
    vocabulary
}
