//! Tables from parsed `create table` and `alter table ... add` statements: columns (serial and
//! identity columns with the sequences they own), and constraints with the names PostgreSQL
//! gives them when the history does not (`sessions_pkey`, `llm_calls_session_id_fkey`).

use sqlparser::ast::{
    ColumnDef, ColumnOption, Expr, ForeignKeyConstraint, GeneratedAs, Ident, IndexColumn, ObjectName, ObjectNamePart,
    TableConstraint,
};

use super::schema::{Column, Constraint, ConstraintKind, ForeignKey, QualifiedName, Schema, Sequence, Table};
use crate::plan::Location;

/// PostgreSQL's longest identifier, in bytes (NAMEDATALEN - 1).
const MAX_NAME: usize = 63;

/// A name as PostgreSQL compares it: unquoted names fold to lowercase.
pub(super) fn folded(ident: &Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_lowercase()
    }
}

/// `a`, `s.a` or `db.s.a`; `None` for names built by functions.
pub(super) fn qualified(name: &ObjectName) -> Option<QualifiedName> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(ident) => Some(folded(ident)),
            _ => None,
        })
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [name] => Some(QualifiedName::new("public", name)),
        [.., schema, name] => Some(QualifiedName::new(schema, name)),
        [] => None,
    }
}

/// The name PostgreSQL derives from a table, its columns and a label (`makeObjectName`): parts
/// joined by `_`, the longer part shortened first until the whole fits in 63 bytes.
pub(super) fn derived_name(table: &str, columns: &[String], label: &str) -> String {
    let joined = columns.join("_");
    let available = MAX_NAME - label.len() - 1 - if joined.is_empty() { 0 } else { 1 };
    let (mut keep_table, mut keep_columns) = (table.len(), joined.len());
    while keep_table + keep_columns > available {
        if keep_table > keep_columns {
            keep_table -= 1
        } else {
            keep_columns -= 1
        }
    }
    let table = clip(table, keep_table);
    if joined.is_empty() {
        format!("{table}_{label}")
    } else {
        format!("{table}_{}_{label}", clip(&joined, keep_columns))
    }
}

/// The longest prefix of `s` within `bytes` that ends on a character boundary.
fn clip(s: &str, bytes: usize) -> &str {
    let mut end = bytes.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Builds one table's columns and constraints as the history states them.
pub(super) struct TableBuilder<'s> {
    pub schema: &'s Schema,
    pub table: Table,
    /// Sequences that serial and identity columns create.
    pub sequences: Vec<Sequence>,
    pub at: Location,
}

impl TableBuilder<'_> {
    pub fn column(&mut self, def: &ColumnDef) {
        let name = folded(&def.name);
        let written = def.data_type.to_string();
        let lower = written.to_lowercase();
        let serial = serial_type(&lower);
        let mut column = Column {
            name: name.clone(),
            data_type: serial.map_or_else(|| if written.contains('"') { written } else { lower }, str::to_owned),
            default: None,
            not_null: serial.is_some(),
            identity: None,
            defined_at: self.at.clone(),
            rename: None,
        };
        if serial.is_some() {
            let sequence = self.owned_sequence(&name);
            column.default = Some(format!("nextval('{}'::regclass)", sequence.name));
            self.sequences.push(sequence);
        }
        for option in &def.options {
            let constraint_name = option.name.as_ref().map(folded);
            match &option.option {
                ColumnOption::NotNull => column.not_null = true,
                ColumnOption::Null => column.not_null = false,
                ColumnOption::Default(expr) => column.default = Some(expr.to_string()),
                ColumnOption::Generated { generated_as, generation_expr: None, .. } => {
                    let how = if matches!(generated_as, GeneratedAs::Always) { "always" } else { "by default" };
                    column.identity = Some(format!("generated {how} as identity"));
                    column.not_null = true;
                    let sequence = self.owned_sequence(&name);
                    self.sequences.push(sequence);
                }
                ColumnOption::PrimaryKey(_) => {
                    column.not_null = true;
                    self.constraint(constraint_name, ConstraintKind::PrimaryKey { columns: vec![name.clone()] });
                }
                ColumnOption::Unique(_) => {
                    self.constraint(constraint_name, ConstraintKind::Unique { columns: vec![name.clone()] });
                }
                ColumnOption::ForeignKey(fk) => {
                    if let Some(kind) = self.foreign_key(std::slice::from_ref(&name), fk) {
                        self.constraint(constraint_name, kind);
                    }
                }
                ColumnOption::Check(check) => {
                    let expression = check.expr.to_string();
                    self.constraint_for(
                        constraint_name,
                        ConstraintKind::Check { expression },
                        std::slice::from_ref(&name),
                    );
                }
                _ => {}
            }
        }
        self.table.columns.push(column);
    }

    /// A table-level constraint; `false` when it is of a kind the model does not keep.
    pub fn table_constraint(&mut self, constraint: &TableConstraint) -> bool {
        let (name, kind) = match constraint {
            TableConstraint::PrimaryKey(pk) => {
                let columns = index_columns(&pk.columns);
                for column in &mut self.table.columns {
                    column.not_null |= columns.contains(&column.name);
                }
                (pk.name.as_ref(), ConstraintKind::PrimaryKey { columns })
            }
            TableConstraint::Unique(u) => {
                (u.name.as_ref(), ConstraintKind::Unique { columns: index_columns(&u.columns) })
            }
            TableConstraint::ForeignKey(fk) => {
                let columns: Vec<String> = fk.columns.iter().map(folded).collect();
                let Some(kind) = self.foreign_key(&columns, fk) else {
                    return false;
                };
                (fk.name.as_ref(), kind)
            }
            TableConstraint::Check(check) => {
                let expression = check.expr.to_string();
                let first = first_column(&check.expr, &self.table);
                self.constraint_for(check.name.as_ref().map(folded), ConstraintKind::Check { expression }, &first);
                return true;
            }
            _ => return false,
        };
        self.constraint(name.map(folded), kind);
        true
    }

    fn constraint(&mut self, name: Option<String>, kind: ConstraintKind) {
        let columns = kind.columns().to_vec();
        self.constraint_for(name, kind, &columns);
    }

    /// Adds a constraint, naming it as PostgreSQL would when the history does not.
    fn constraint_for(&mut self, name: Option<String>, kind: ConstraintKind, columns: &[String]) {
        let name = name.unwrap_or_else(|| {
            let (parts, label): (&[String], &str) = match &kind {
                ConstraintKind::PrimaryKey { .. } => (&[], "pkey"),
                ConstraintKind::Unique { .. } => (columns, "key"),
                ConstraintKind::ForeignKey(_) => (columns, "fkey"),
                ConstraintKind::Check { .. } => (columns, "check"),
            };
            self.unused_name(&derived_name(&self.table.name.name, parts, label))
        });
        self.table.constraints.push(Constraint { name, kind, defined_at: self.at.clone(), rename: None });
    }

    /// PostgreSQL appends a number when a derived name is taken (`t_a_key1`).
    fn unused_name(&self, base: &str) -> String {
        let relations = self.schema.relation_names(&self.table.name.schema);
        let taken = |n: &str| relations.contains(&n) || self.table.constraints.iter().any(|c| c.name == n);
        (0..)
            .map(|i| if i == 0 { base.to_owned() } else { format!("{base}{i}") })
            .find(|n| !taken(n))
            .unwrap_or_else(|| base.to_owned())
    }

    fn foreign_key(&self, columns: &[String], fk: &ForeignKeyConstraint) -> Option<ConstraintKind> {
        let target = qualified(&fk.foreign_table)?;
        let mut target_columns: Vec<String> = fk.referred_columns.iter().map(folded).collect();
        if target_columns.is_empty() {
            // `references t` means t's primary key.
            let referenced = if target == self.table.name { Some(&self.table) } else { self.schema.table(&target) };
            target_columns = referenced.and_then(Table::primary_key).map(<[String]>::to_vec).unwrap_or_default();
        }
        Some(ConstraintKind::ForeignKey(ForeignKey {
            columns: columns.to_vec(),
            target,
            target_columns,
            on_delete: fk.on_delete.map(|a| a.to_string().to_lowercase()),
            on_update: fk.on_update.map(|a| a.to_string().to_lowercase()),
        }))
    }

    fn owned_sequence(&self, column: &str) -> Sequence {
        let name = derived_name(&self.table.name.name, &[column.to_owned()], "seq");
        Sequence {
            name: self.table.name.with_name(&name),
            owned_by: Some((self.table.name.clone(), column.to_owned())),
            defined_at: self.at.clone(),
            rename: None,
        }
    }
}

/// `serial` and friends: the integer type behind them.
fn serial_type(lower: &str) -> Option<&'static str> {
    match lower {
        "serial" | "serial4" => Some("integer"),
        "bigserial" | "serial8" => Some("bigint"),
        "smallserial" | "serial2" => Some("smallint"),
        _ => None,
    }
}

fn index_columns(columns: &[IndexColumn]) -> Vec<String> {
    columns
        .iter()
        .filter_map(|c| match &c.column.expr {
            Expr::Identifier(ident) => Some(folded(ident)),
            _ => None,
        })
        .collect()
}

/// The first of the table's columns an expression names (PostgreSQL names a table-level check
/// constraint after it).
fn first_column(expr: &Expr, table: &Table) -> Vec<String> {
    let text = expr.to_string();
    super::lex::code_tokens(&text, super::Dialect::Postgres)
        .iter()
        .filter_map(|t| t.name(&text, super::Dialect::Postgres))
        .find(|n| table.column(n).is_some())
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_names_follow_postgres() {
        assert_eq!(derived_name("sessions", &[], "pkey"), "sessions_pkey");
        assert_eq!(derived_name("llm_calls", &["session_id".to_owned()], "fkey"), "llm_calls_session_id_fkey");
        // Checked against PostgreSQL 15: the longer part shortens first, the column on ties.
        let long = derived_name(&"t".repeat(40), &["c".repeat(40)], "fkey");
        assert_eq!(long, format!("{}_{}_fkey", "t".repeat(29), "c".repeat(28)));
    }
}
