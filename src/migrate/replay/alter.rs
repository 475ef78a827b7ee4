//! `alter table`: columns and constraints added, dropped and renamed, tables renamed, and what
//! follows each rename in PostgreSQL (foreign keys, indexes, grants, view and policy text).

use sqlparser::ast::{AlterTable, AlterTableOperation, RenameTableNameKind};

use super::{Outcome, Replay};
use crate::migrate::lex;
use crate::migrate::rewrite::Vocabulary;
use crate::migrate::schema::{ConstraintKind, QualifiedName, Table};
use crate::migrate::tables::{folded, qualified, TableBuilder};
use crate::migrate::Dialect;
use crate::plan::Location;

impl Replay {
    pub(super) fn alter_table(&mut self, alter: &AlterTable, at: &Location) -> Outcome {
        let name = qualified(&alter.name).ok_or("unsupported table name")?;
        let Some(mut table) = self.schema.table(&name).cloned() else {
            // A table the history never created belongs to the platform (auth.users).
            return Ok(());
        };
        let mut unread = Vec::new();
        let mut dropped_columns = Vec::new();
        let mut renames = Vocabulary::new(self.schemas());
        for operation in &alter.operations {
            let mut builder = TableBuilder { schema: &self.schema, table, sequences: Vec::new(), at: at.clone() };
            match operation {
                AlterTableOperation::AddColumn { column_def, if_not_exists, .. } => {
                    if !(*if_not_exists && builder.table.column(&folded(&column_def.name)).is_some()) {
                        builder.column(column_def);
                    }
                }
                AlterTableOperation::AddConstraint { constraint, .. } => {
                    if !builder.table_constraint(constraint) {
                        unread.push(operation.to_string());
                    }
                }
                AlterTableOperation::DropColumn { column_names, .. } => {
                    let columns: Vec<String> = column_names.iter().map(folded).collect();
                    builder.table.columns.retain(|c| !columns.contains(&c.name));
                    builder.table.constraints.retain(|c| !c.kind.columns().iter().any(|k| columns.contains(k)));
                    dropped_columns.extend(columns);
                }
                AlterTableOperation::DropConstraint { name, .. } => {
                    builder.table.constraints.retain(|c| c.name != folded(name));
                }
                AlterTableOperation::RenameConstraint { old_name, new_name } => {
                    if let Some(c) = builder.table.constraints.iter_mut().find(|c| c.name == folded(old_name)) {
                        c.name = folded(new_name);
                    }
                }
                AlterTableOperation::RenameColumn { old_column_name, new_column_name } => {
                    let (old, new) = (folded(old_column_name), folded(new_column_name));
                    rename_column(&mut builder.table, &old, &new);
                    renames.bare_name(&old, Some(&new));
                }
                AlterTableOperation::RenameTable {
                    table_name: RenameTableNameKind::To(new) | RenameTableNameKind::As(new),
                } => {
                    let new = qualified(new).ok_or("unsupported table name")?;
                    renames.qualified(&builder.table.name, &new.name);
                    builder.table.name = builder.table.name.with_name(&new.name);
                }
                AlterTableOperation::AlterColumn { column_name, op } => {
                    use sqlparser::ast::AlterColumnOperation as Op;
                    let column = folded(column_name);
                    if let Some(c) = builder.table.columns.iter_mut().find(|c| c.name == column) {
                        match op {
                            Op::SetNotNull => c.not_null = true,
                            Op::DropNotNull => c.not_null = false,
                            Op::SetDefault { value } => c.default = Some(value.to_string()),
                            Op::DropDefault => c.default = None,
                            Op::SetDataType { data_type, .. } => c.data_type = data_type.to_string().to_lowercase(),
                            _ => unread.push(operation.to_string()),
                        }
                    }
                }
                AlterTableOperation::EnableRowLevelSecurity => builder.table.row_level_security = true,
                AlterTableOperation::DisableRowLevelSecurity => builder.table.row_level_security = false,
                AlterTableOperation::ForceRowLevelSecurity
                | AlterTableOperation::NoForceRowLevelSecurity
                | AlterTableOperation::OwnerTo { .. }
                | AlterTableOperation::EnableTrigger { .. }
                | AlterTableOperation::DisableTrigger { .. } => {}
                _ => unread.push(operation.to_string()),
            }
            let sequences = std::mem::take(&mut builder.sequences);
            table = builder.table;
            self.schema.sequences.extend(sequences);
        }
        // PostgreSQL drops the indexes that use a dropped column.
        self.schema
            .indexes
            .retain(|i| i.table != name || !lex::mentions_any(&i.definition, &dropped_columns, Dialect::Postgres));
        let renamed_table = (table.name != name).then(|| table.name.clone());
        *self.schema.table_mut(&name).expect("the table was found above") = table;
        if let Some(new) = renamed_table {
            self.table_renamed(&name, &new);
        }
        self.follow_history_renames(&renames, &name);
        if unread.is_empty() {
            Ok(())
        } else {
            Err(format!("not modelled: {}", unread.join(", ")))
        }
    }

    /// What refers to a table by identity follows its rename (foreign keys, indexes, grants...).
    fn table_renamed(&mut self, old: &QualifiedName, new: &QualifiedName) {
        let schema = &mut self.schema;
        for fk in schema.tables.iter_mut().flat_map(|t| t.constraints.iter_mut()).filter_map(|c| match &mut c.kind {
            ConstraintKind::ForeignKey(fk) => Some(fk),
            _ => None,
        }) {
            if &fk.target == old {
                fk.target = new.clone();
            }
        }
        let follow = |table: &mut QualifiedName| {
            if table == old {
                *table = new.clone();
            }
        };
        schema.indexes.iter_mut().for_each(|i| follow(&mut i.table));
        schema.triggers.iter_mut().for_each(|t| follow(&mut t.table));
        schema.policies.iter_mut().for_each(|p| follow(&mut p.table));
        schema.grants.iter_mut().for_each(|g| follow(&mut g.object));
        for sequence in &mut schema.sequences {
            if let Some((table, _)) = &mut sequence.owned_by {
                follow(table);
            }
        }
    }

    /// Views, policies and triggers are stored parsed: a rename in the history reaches them, so
    /// their text follows it (function bodies are text and do not). Only the objects that name
    /// the table (or stand on it) can mean its columns.
    fn follow_history_renames(&mut self, renames: &Vocabulary, table: &QualifiedName) {
        if renames.is_empty() {
            return;
        }
        let names_table = |text: &str| lex::mentions_any(text, std::slice::from_ref(&table.name), Dialect::Postgres);
        for view in self.schema.views.iter_mut().filter(|v| names_table(&v.query)) {
            view.query = renames.rewrite(&view.query, &[]).text;
        }
        for policy in self.schema.policies.iter_mut().filter(|p| &p.table == table || names_table(&p.definition)) {
            policy.definition = renames.rewrite(&policy.definition, &[]).text;
            policy.using = policy.using.as_ref().map(|u| renames.rewrite(u, &[]).text);
            policy.with_check = policy.with_check.as_ref().map(|w| renames.rewrite(w, &[]).text);
        }
        for trigger in self.schema.triggers.iter_mut().filter(|t| names_table(&t.statement)) {
            trigger.statement = renames.rewrite(&trigger.statement, &[]).text;
        }
    }

    fn schemas(&self) -> Vec<String> {
        self.schema.tables.iter().map(|t| t.name.schema.clone()).collect()
    }
}

/// A column renamed in the history: its constraints and the foreign keys that point at it follow.
fn rename_column(table: &mut Table, old: &str, new: &str) {
    for column in table.columns.iter_mut().filter(|c| c.name == old) {
        column.name = new.to_owned();
    }
    for constraint in &mut table.constraints {
        let columns = match &mut constraint.kind {
            ConstraintKind::PrimaryKey { columns } | ConstraintKind::Unique { columns } => columns,
            ConstraintKind::ForeignKey(fk) => &mut fk.columns,
            ConstraintKind::Check { .. } => continue,
        };
        for column in columns.iter_mut().filter(|c| *c == old) {
            *column = new.to_owned();
        }
    }
}
