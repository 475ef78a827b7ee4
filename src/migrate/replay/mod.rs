//! Learn a PostgreSQL schema by replaying its migration files in order. Each statement is parsed
//! on its own; one the replay cannot read, or reads but does not model, is listed as skipped with
//! its place, never fatal. Statements that cannot change a name (inserts, comments, settings)
//! are read and ignored.

mod alter;

use sqlparser::ast::{
    AlterIndexOperation, AlterPolicyOperation, CreateFunction, CreateIndex, CreatePolicy, CreateTable, CreateView,
    DataType, Expr, FunctionReturnType, GrantObjects, GranteeName, ObjectName, ObjectType, SelectItem, SetExpr,
    Statement, TableFactor,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::clauses;
use super::schema::{
    Function, Grant, Index, Policy, QualifiedName, Schema, Sequence, Table, Trigger, View, ViewColumn,
};
use super::split;
use super::tables::{derived_name, folded, qualified, TableBuilder};
use super::{Dialect, Skipped, SqlFile};
use crate::engine::LineIndex;
use crate::plan::Location;

pub(super) struct Replayed {
    pub schema: Schema,
    pub skipped: Vec<Skipped>,
}

pub(super) fn replay(files: &[SqlFile]) -> Replayed {
    let mut replay = Replay { schema: Schema::default(), skipped: Vec::new() };
    for file in files {
        let lines = LineIndex::new(&file.text);
        for span in split::statements(&file.text, Dialect::Postgres) {
            let (line, column) = lines.line_column(&file.text, span.range.start);
            let at = Location { path: file.path.clone(), line, column };
            let text = span.text(&file.text);
            if let Err(reason) = replay.statement(text, &at) {
                replay.skipped.push(Skipped { location: at, statement_head: span.head(&file.text), reason });
            }
        }
    }
    Replayed { schema: replay.schema, skipped: replay.skipped }
}

/// Why a statement was not (fully) read.
type Outcome = Result<(), String>;

struct Replay {
    schema: Schema,
    skipped: Vec<Skipped>,
}

impl Replay {
    fn statement(&mut self, text: &str, at: &Location) -> Outcome {
        if starts_with_keyword(text, "do") {
            return Err("a DO block runs code the replay does not follow".to_owned());
        }
        let parsed = Parser::parse_sql(&PostgreSqlDialect {}, text).map_err(|e| format!("cannot parse: {e}"))?;
        let [statement] = parsed.as_slice() else {
            return Err("cannot parse: not a single statement".to_owned());
        };
        match statement {
            Statement::CreateTable(create) => self.create_table(create, at),
            Statement::AlterTable(alter) => self.alter_table(alter, at),
            Statement::CreateIndex(create) => self.create_index(create, text, at),
            Statement::CreateSequence { name, if_not_exists, .. } => {
                let name = qualified(name).ok_or("unsupported sequence name")?;
                if !(*if_not_exists && self.schema.sequences.iter().any(|s| s.name == name)) {
                    let sequence = Sequence { name, owned_by: None, defined_at: at.clone(), rename: None };
                    self.schema.sequences.push(sequence);
                }
                Ok(())
            }
            Statement::CreateView(create) => self.create_view(create, text, at),
            Statement::CreateFunction(create) => self.create_function(create, text, at),
            Statement::CreateTrigger(create) => {
                let table = qualified(&create.table_name).ok_or("unsupported table name")?;
                let name = last_name(&create.name).ok_or("unsupported name")?;
                self.schema.triggers.retain(|t| !(t.name == name && t.table == table));
                let trigger = Trigger { name, table, statement: text.to_owned(), defined_at: at.clone(), rename: None };
                self.schema.triggers.push(trigger);
                Ok(())
            }
            Statement::CreatePolicy(create) => self.create_policy(create, text, at),
            Statement::Grant(grant) => {
                let (kind, names) = match &grant.objects {
                    Some(GrantObjects::Tables(names) | GrantObjects::Views(names)) => ("table", names),
                    Some(GrantObjects::Sequences(names)) => ("sequence", names),
                    _ => return Ok(()),
                };
                for name in names.iter().filter_map(qualified) {
                    for grantee in &grant.grantees {
                        let grantee = match &grantee.name {
                            Some(GranteeName::ObjectName(role)) => role.to_string(),
                            _ => "public".to_owned(),
                        };
                        let privileges = grant.privileges.to_string().to_lowercase();
                        let grant = Grant { privileges, object_kind: kind, object: name.clone(), grantee };
                        if !self.schema.grants.contains(&grant) {
                            self.schema.grants.push(grant);
                        }
                    }
                }
                Ok(())
            }
            Statement::Drop { object_type, names, .. } => {
                for name in names.iter().filter_map(qualified) {
                    self.drop(*object_type, &name);
                }
                Ok(())
            }
            Statement::DropFunction(drop) => {
                for desc in &drop.func_desc {
                    if let Some(name) = qualified(&desc.name) {
                        self.schema.functions.retain(|f| f.name != name);
                    }
                }
                Ok(())
            }
            Statement::DropTrigger(drop) => {
                let name = last_name(&drop.trigger_name);
                let table = drop.table_name.as_ref().and_then(qualified);
                self.schema.triggers.retain(|t| Some(&t.name) != name.as_ref() || Some(&t.table) != table.as_ref());
                Ok(())
            }
            Statement::DropPolicy(drop) => {
                let (name, table) = (folded(&drop.name), qualified(&drop.table_name));
                self.schema.policies.retain(|p| p.name != name || Some(&p.table) != table.as_ref());
                Ok(())
            }
            Statement::AlterIndex { name, operation: AlterIndexOperation::RenameIndex { index_name } } => {
                let (Some(old), Some(new)) = (qualified(name), qualified(index_name)) else { return Ok(()) };
                if let Some(index) = self.schema.indexes.iter_mut().find(|i| i.name == old) {
                    index.name = old.with_name(&new.name);
                }
                Ok(())
            }
            Statement::AlterPolicy(alter) => {
                if let AlterPolicyOperation::Rename { new_name } = &alter.operation {
                    let (name, table) = (folded(&alter.name), qualified(&alter.table_name));
                    if let Some(p) =
                        self.schema.policies.iter_mut().find(|p| p.name == name && Some(&p.table) == table.as_ref())
                    {
                        p.name = folded(new_name);
                    }
                    Ok(())
                } else {
                    Err("alter policy ... using/with check is not modelled".to_owned())
                }
            }
            Statement::Insert(_)
            | Statement::Update(_)
            | Statement::Delete(_)
            | Statement::Query(_)
            | Statement::Comment { .. }
            | Statement::Set(_)
            | Statement::StartTransaction { .. }
            | Statement::Commit { .. }
            | Statement::Rollback { .. }
            | Statement::CreateExtension(_)
            | Statement::CreateSchema { .. }
            | Statement::CreateRole(_)
            | Statement::Revoke(_)
            | Statement::Analyze(_)
            | Statement::Truncate(_) => Ok(()),
            _ => Err("the replay does not model this statement".to_owned()),
        }
    }

    fn create_table(&mut self, create: &CreateTable, at: &Location) -> Outcome {
        let name = qualified(&create.name).ok_or("unsupported table name")?;
        if self.schema.table(&name).is_some() {
            return if create.if_not_exists { Ok(()) } else { Err(format!("table {name} already exists")) };
        }
        let table = Table {
            name,
            columns: Vec::new(),
            constraints: Vec::new(),
            row_level_security: false,
            defined_at: at.clone(),
            rename: None,
        };
        let mut builder = TableBuilder { schema: &self.schema, table, sequences: Vec::new(), at: at.clone() };
        for column in &create.columns {
            builder.column(column);
        }
        let unread = create.constraints.iter().filter(|c| !builder.table_constraint(c)).count();
        let TableBuilder { table, sequences, .. } = builder;
        self.schema.tables.push(table);
        self.schema.sequences.extend(sequences);
        if unread > 0 {
            return Err(format!("{unread} table constraint(s) of a kind the replay does not model"));
        }
        Ok(())
    }

    fn create_index(&mut self, create: &CreateIndex, text: &str, at: &Location) -> Outcome {
        let table = qualified(&create.table_name).ok_or("unsupported table name")?;
        let definition = clauses::after_on_name(text).ok_or("cannot find the indexed columns")?.to_owned();
        let name = match &create.name {
            Some(name) => qualified(name).ok_or("unsupported index name")?.name,
            None => {
                let columns: Vec<String> = create
                    .columns
                    .iter()
                    .map(|c| match &c.column.expr {
                        Expr::Identifier(ident) => folded(ident),
                        _ => "expr".to_owned(),
                    })
                    .collect();
                derived_name(&table.name, &columns, "idx")
            }
        };
        let name = table.with_name(&name);
        if self.schema.indexes.iter().any(|i| i.name == name) {
            return if create.if_not_exists { Ok(()) } else { Err(format!("index {name} already exists")) };
        }
        let index = Index { name, table, unique: create.unique, definition, defined_at: at.clone(), rename: None };
        self.schema.indexes.push(index);
        Ok(())
    }

    fn create_view(&mut self, create: &CreateView, text: &str, at: &Location) -> Outcome {
        if create.materialized {
            return Err("materialized views are not modelled".to_owned());
        }
        let name = qualified(&create.name).ok_or("unsupported view name")?;
        let query = clauses::view_query(text).ok_or("cannot find the view's query")?.to_owned();
        let columns = if create.columns.is_empty() {
            self.output_columns(&create.query.body)
        } else {
            create.columns.iter().map(|c| folded(&c.name)).collect()
        };
        let columns = columns.into_iter().map(|name| ViewColumn { name, rename: None }).collect();
        self.schema.views.retain(|v| v.name != name);
        self.schema.views.push(View { name, columns, query, defined_at: at.clone(), rename: None });
        Ok(())
    }

    /// The names of a query's output columns, as PostgreSQL derives them; empty when a `*`
    /// cannot be expanded.
    fn output_columns(&self, body: &SetExpr) -> Vec<String> {
        let SetExpr::Select(select) = body else { return Vec::new() };
        let from: Vec<(Option<String>, Option<&Table>)> = select
            .from
            .iter()
            .flat_map(|f| std::iter::once(&f.relation).chain(f.joins.iter().map(|j| &j.relation)))
            .filter_map(|relation| match relation {
                TableFactor::Table { name, alias, .. } => {
                    let table = qualified(name).and_then(|n| self.schema.table(&n));
                    let alias = alias.as_ref().map(|a| folded(&a.name)).or_else(|| table.map(|t| t.name.name.clone()));
                    Some((alias, table))
                }
                _ => None,
            })
            .collect();
        let mut names = Vec::new();
        for item in &select.projection {
            match item {
                SelectItem::ExprWithAlias { alias, .. } => names.push(folded(alias)),
                SelectItem::UnnamedExpr(expr) => names.push(expression_name(expr)),
                SelectItem::Wildcard(_) => {
                    let [(_, Some(table))] = from.as_slice() else { return Vec::new() };
                    names.extend(table.columns.iter().map(|c| c.name.clone()));
                }
                SelectItem::ExprWithAliases { .. } => return Vec::new(),
                SelectItem::QualifiedWildcard(kind, _) => {
                    let qualifier = kind.to_string().trim_end_matches(".*").to_lowercase();
                    let Some((_, Some(table))) = from.iter().find(|(alias, _)| alias.as_deref() == Some(&qualifier))
                    else {
                        return Vec::new();
                    };
                    names.extend(table.columns.iter().map(|c| c.name.clone()));
                }
            }
        }
        names
    }

    fn create_function(&mut self, create: &CreateFunction, text: &str, at: &Location) -> Outcome {
        let name = qualified(&create.name).ok_or("unsupported function name")?;
        let args = create.args.as_deref().unwrap_or_default();
        let signature = args
            .iter()
            .filter(|a| !matches!(a.mode, Some(sqlparser::ast::ArgMode::Out)))
            .map(|a| a.data_type.to_string().to_lowercase())
            .collect::<Vec<_>>()
            .join(", ");
        let mut parameters: Vec<String> = args.iter().filter_map(|a| a.name.as_ref().map(folded)).collect();
        if let Some(
            FunctionReturnType::DataType(DataType::Table(Some(columns)))
            | FunctionReturnType::SetOf(DataType::Table(Some(columns))),
        ) = &create.return_type
        {
            parameters.extend(columns.iter().map(|c| folded(&c.name)));
        }
        self.schema.functions.retain(|f| !(f.name == name && f.signature == signature));
        self.schema.functions.push(Function {
            name,
            signature,
            parameters,
            statement: text.to_owned(),
            defined_at: at.clone(),
            rename: None,
        });
        Ok(())
    }

    fn create_policy(&mut self, create: &CreatePolicy, text: &str, at: &Location) -> Outcome {
        let table = qualified(&create.table_name).ok_or("unsupported table name")?;
        let definition = clauses::after_on_name(text).unwrap_or_default().to_owned();
        let policy = Policy {
            name: folded(&create.name),
            table,
            definition,
            using: clauses::parenthesized_after(text, &["using"]),
            with_check: clauses::parenthesized_after(text, &["with", "check"]),
            defined_at: at.clone(),
            rename: None,
        };
        self.schema.policies.push(policy);
        Ok(())
    }

    fn drop(&mut self, object_type: ObjectType, name: &QualifiedName) {
        let schema = &mut self.schema;
        match object_type {
            ObjectType::Table => {
                schema.tables.retain(|t| &t.name != name);
                schema.indexes.retain(|i| &i.table != name);
                schema.triggers.retain(|t| &t.table != name);
                schema.policies.retain(|p| &p.table != name);
                schema.grants.retain(|g| &g.object != name);
                schema.sequences.retain(|s| s.owned_by.as_ref().is_none_or(|(t, _)| t != name));
            }
            ObjectType::View => schema.views.retain(|v| &v.name != name),
            ObjectType::Index => {
                schema.indexes.retain(|i| &i.name != name);
            }
            ObjectType::Sequence => schema.sequences.retain(|s| &s.name != name),
            _ => {}
        }
    }
}

/// The name PostgreSQL gives an unaliased output column: a column's own name, a function's
/// name, else `?column?`.
fn expression_name(expr: &Expr) -> String {
    match expr {
        Expr::Identifier(ident) => folded(ident),
        Expr::CompoundIdentifier(parts) => parts.last().map(folded).unwrap_or_default(),
        Expr::Function(f) => last_name(&f.name).unwrap_or_default(),
        Expr::Cast { expr, .. } | Expr::Nested(expr) => expression_name(expr),
        _ => "?column?".to_owned(),
    }
}

fn starts_with_keyword(text: &str, keyword: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').next().is_some_and(|w| w.eq_ignore_ascii_case(keyword))
}

/// The last part of a name that may be qualified (`schema.trigger` -> `trigger`).
fn last_name(name: &ObjectName) -> Option<String> {
    name.0.last().and_then(|p| p.as_ident()).map(folded)
}
