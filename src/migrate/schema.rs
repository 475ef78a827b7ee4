//! The PostgreSQL schema a migration history leaves behind: what the replay learns (see
//! `replay.rs`) and, per object, the new name the rename plan gives it (see `names.rs`).
//! Names are stored as PostgreSQL compares them: unquoted names folded to lowercase.

use std::fmt;

use crate::plan::Location;

/// `schema.name`; the schema is `public` when the history does not say.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct QualifiedName {
    pub schema: String,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: &str, name: &str) -> QualifiedName {
        QualifiedName { schema: schema.to_owned(), name: name.to_owned() }
    }

    /// The same schema, another name.
    pub fn with_name(&self, name: &str) -> QualifiedName {
        QualifiedName::new(&self.schema, name)
    }
}

/// Renders as SQL, quoting each part only when PostgreSQL needs it.
impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", ident(&self.schema), ident(&self.name))
    }
}

/// A name as SQL: bare when it is a lowercase identifier and no reserved word, else quoted.
pub(super) fn ident(name: &str) -> String {
    let bare = name.bytes().next().is_some_and(|c| c.is_ascii_lowercase() || c == b'_')
        && name.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        && !RESERVED.contains(&name);
    if bare {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// PostgreSQL's reserved key words (those that cannot name a column or table unquoted).
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];

/// The new name of an object, once the rename plan has decided it.
pub(super) trait Renamable {
    fn name(&self) -> &str;
    fn rename(&self) -> Option<&str>;
    /// The name after the migration.
    fn target(&self) -> &str {
        self.rename().unwrap_or(self.name())
    }
}

macro_rules! renamable {
    ($($ty:ty => |$it:ident| $name:expr),* $(,)?) => {$(
        impl Renamable for $ty {
            fn name(&self) -> &str {
                let $it = self;
                $name
            }
            fn rename(&self) -> Option<&str> {
                self.rename.as_deref()
            }
        }
    )*};
}

renamable! {
    Table => |t| &t.name.name,
    Column => |c| &c.name,
    Constraint => |c| &c.name,
    Index => |i| &i.name.name,
    Sequence => |s| &s.name.name,
    View => |v| &v.name.name,
    ViewColumn => |c| &c.name,
    Function => |f| &f.name.name,
    Trigger => |t| &t.name,
    Policy => |p| &p.name,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Schema {
    pub tables: Vec<Table>,
    pub views: Vec<View>,
    /// Explicit sequences and those behind serial and identity columns.
    pub sequences: Vec<Sequence>,
    /// `CREATE INDEX` indexes; those behind primary keys and unique constraints belong to them.
    pub indexes: Vec<Index>,
    pub functions: Vec<Function>,
    pub triggers: Vec<Trigger>,
    pub policies: Vec<Policy>,
    pub grants: Vec<Grant>,
}

impl Schema {
    pub fn table(&self, name: &QualifiedName) -> Option<&Table> {
        self.tables.iter().find(|t| &t.name == name)
    }

    pub fn table_mut(&mut self, name: &QualifiedName) -> Option<&mut Table> {
        self.tables.iter_mut().find(|t| &t.name == name)
    }

    /// Every relation name in `schema` (tables, views, indexes, sequences and the indexes behind
    /// constraints share one namespace in PostgreSQL).
    pub fn relation_names(&self, schema: &str) -> Vec<&str> {
        let tables = self.tables.iter().filter(|t| t.name.schema == schema);
        let constraint_indexes =
            tables.clone().flat_map(|t| t.constraints.iter().filter(|c| c.kind.has_index()).map(|c| c.name.as_str()));
        tables
            .map(|t| t.name.name.as_str())
            .chain(constraint_indexes)
            .chain(self.views.iter().filter(|v| v.name.schema == schema).map(|v| v.name.name.as_str()))
            .chain(self.indexes.iter().filter(|i| i.name.schema == schema).map(|i| i.name.name.as_str()))
            .chain(self.sequences.iter().filter(|s| s.name.schema == schema).map(|s| s.name.name.as_str()))
            .collect()
    }

    /// Grants on a table, view or sequence.
    pub fn grants_on<'s>(&'s self, object: &'s QualifiedName) -> impl Iterator<Item = &'s Grant> + 's {
        self.grants.iter().filter(move |g| &g.object == object)
    }
}

#[derive(Debug, Clone)]
pub(super) struct Table {
    pub name: QualifiedName,
    pub columns: Vec<Column>,
    pub constraints: Vec<Constraint>,
    pub row_level_security: bool,
    pub defined_at: Location,
    pub rename: Option<String>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The new name of a column (its own name when it keeps it).
    pub fn column_target<'a>(&'a self, name: &'a str) -> &'a str {
        self.column(name).map_or(name, Renamable::target)
    }

    pub fn primary_key(&self) -> Option<&[String]> {
        self.constraints.iter().find_map(|c| match &c.kind {
            ConstraintKind::PrimaryKey { columns } => Some(columns.as_slice()),
            _ => None,
        })
    }
}

#[derive(Debug, Clone)]
pub(super) struct Column {
    pub name: String,
    /// The type as written, serial types resolved (`bigserial` -> `bigint`).
    pub data_type: String,
    pub default: Option<String>,
    pub not_null: bool,
    /// `generated by default as identity` / `generated always as identity`.
    pub identity: Option<String>,
    pub defined_at: Location,
    pub rename: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Constraint {
    /// As written, or as PostgreSQL derives it (`sessions_pkey`, `llm_calls_session_id_fkey`).
    pub name: String,
    pub kind: ConstraintKind,
    pub defined_at: Location,
    pub rename: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ConstraintKind {
    PrimaryKey {
        columns: Vec<String>,
    },
    Unique {
        columns: Vec<String>,
    },
    ForeignKey(ForeignKey),
    /// The expression as SQL text.
    Check {
        expression: String,
    },
}

impl ConstraintKind {
    /// Primary keys and unique constraints own an index of the same name.
    pub fn has_index(&self) -> bool {
        matches!(self, ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. })
    }

    pub fn columns(&self) -> &[String] {
        match self {
            ConstraintKind::PrimaryKey { columns } | ConstraintKind::Unique { columns } => columns,
            ConstraintKind::ForeignKey(fk) => &fk.columns,
            ConstraintKind::Check { .. } => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ForeignKey {
    pub columns: Vec<String>,
    pub target: QualifiedName,
    pub target_columns: Vec<String>,
    /// `cascade`, `set null`, ... as written (lowercase); none means `no action`.
    pub on_delete: Option<String>,
    pub on_update: Option<String>,
}

impl ForeignKey {
    /// `foreign key (columns) references target (target_columns) on delete ...`, with this key's
    /// actions and the names given (a key moved to a mirror, or onto new columns).
    pub fn sql(&self, columns: &[String], target: &QualifiedName, target_columns: &[String]) -> String {
        let list = |names: &[String]| names.iter().map(|n| ident(n)).collect::<Vec<_>>().join(", ");
        let mut sql = format!("foreign key ({}) references {target} ({})", list(columns), list(target_columns));
        for (clause, action) in [("on delete", &self.on_delete), ("on update", &self.on_update)] {
            if let Some(action) = action {
                sql.push_str(&format!(" {clause} {action}"));
            }
        }
        sql
    }
}

#[derive(Debug, Clone)]
pub(super) struct Index {
    pub name: QualifiedName,
    pub table: QualifiedName,
    pub unique: bool,
    /// Everything after the table name: `using btree (created_at desc) where ...`.
    pub definition: String,
    pub defined_at: Location,
    pub rename: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Sequence {
    pub name: QualifiedName,
    /// The column that owns it (serial and identity columns own theirs).
    pub owned_by: Option<(QualifiedName, String)>,
    pub defined_at: Location,
    pub rename: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct View {
    pub name: QualifiedName,
    /// Output columns, in order; empty when the replay cannot tell them (`select *` over a join).
    pub columns: Vec<ViewColumn>,
    /// The query as written (after `as`), history renames applied.
    pub query: String,
    pub defined_at: Location,
    pub rename: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct ViewColumn {
    pub name: String,
    pub rename: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Function {
    pub name: QualifiedName,
    /// The argument types that identify it (`uuid, integer`), for `alter function f(...)`.
    pub signature: String,
    /// Parameter and output column names: the body means them, never a renamed column.
    pub parameters: Vec<String>,
    /// The whole `create function` statement as written.
    pub statement: String,
    pub defined_at: Location,
    pub rename: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Trigger {
    pub name: String,
    pub table: QualifiedName,
    /// The whole `create trigger` statement, history renames applied.
    pub statement: String,
    pub defined_at: Location,
    pub rename: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Policy {
    pub name: String,
    pub table: QualifiedName,
    /// Everything after the table name (`for select to authenticated using (...)`), history
    /// renames applied.
    pub definition: String,
    /// The `using (...)` and `with check (...)` expressions, when given.
    pub using: Option<String>,
    pub with_check: Option<String>,
    pub defined_at: Location,
    pub rename: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Grant {
    /// `select, insert` or `all`, as SQL.
    pub privileges: String,
    /// `table` or `sequence`: what the grant names.
    pub object_kind: &'static str,
    pub object: QualifiedName,
    pub grantee: String,
}
