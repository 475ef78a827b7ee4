//! Token-level renaming of SQL text the database keeps as written or re-reads by name: function
//! bodies, view queries, policy expressions, trigger statements. A name changes only when it is
//! the old name of an object the migration renames; `schema.name` only when that schema's object
//! is renamed (`auth.sessions` belongs to Supabase Auth and stays). Strings change only when they
//! are a renamed relation's whole name (`'public.sessions'::regclass`); dollar-quoted bodies are
//! rewritten inside.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::lex::{self, Kind, Token};
use super::schema::{ident, QualifiedName};
use super::Dialect;
use crate::edit::{self, Edit};

/// Old names and their new spellings.
#[derive(Debug, Clone, Default)]
pub(super) struct Vocabulary {
    /// `(schema, old)` of renamed relations and functions.
    qualified: HashMap<(String, String), String>,
    /// Unqualified old names: columns, and relations and functions in `public`.
    bare: HashMap<String, String>,
    /// Old names that some objects change and others keep (or change differently): never
    /// rewritten, reported instead.
    ambiguous: BTreeSet<String>,
    /// Names that are schemas: `x.name` is then a qualified name, not `alias.column`.
    schemas: HashSet<String>,
}

/// Rewritten text and the ambiguous names it still holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Rewritten {
    pub text: String,
    pub ambiguous: Vec<String>,
}

impl Vocabulary {
    pub fn new(schemas: impl IntoIterator<Item = String>) -> Vocabulary {
        let mut schemas: HashSet<String> = schemas.into_iter().collect();
        schemas.insert("public".to_owned());
        Vocabulary { schemas, ..Vocabulary::default() }
    }

    /// A relation or function renamed within its schema.
    pub fn qualified(&mut self, old: &QualifiedName, new: &str) {
        self.qualified.insert((old.schema.clone(), old.name.clone()), new.to_owned());
        if old.schema == "public" {
            self.bare_name(&old.name, Some(new));
        }
    }

    /// A column (or other unqualified name) renamed, or kept when `new` is `None`.
    pub fn bare_name(&mut self, old: &str, new: Option<&str>) {
        let entry = self.bare.get(old).map(String::as_str);
        match (entry, new) {
            (Some(existing), Some(new)) if existing != new => {
                self.ambiguous.insert(old.to_owned());
            }
            (_, None) => {
                self.ambiguous.insert(old.to_owned());
            }
            _ => {}
        }
        if let Some(new) = new {
            self.bare.entry(old.to_owned()).or_insert_with(|| new.to_owned());
        }
    }

    /// A name kept by some object: only matters when another object renames the same name.
    pub fn kept(&mut self, old: &str) {
        self.bare_name(old, None);
    }

    pub fn is_empty(&self) -> bool {
        self.qualified.is_empty() && self.bare.is_empty()
    }

    /// `text` with every renamed name replaced; `shadowed` names (a function's own parameters)
    /// stay.
    pub fn rewrite(&self, text: &str, shadowed: &[String]) -> Rewritten {
        let mut ambiguous = BTreeSet::new();
        let text = self.rewrite_into(text, shadowed, &mut ambiguous);
        Rewritten { text, ambiguous: ambiguous.into_iter().collect() }
    }

    fn rewrite_into(&self, text: &str, shadowed: &[String], ambiguous: &mut BTreeSet<String>) -> String {
        let tokens = lex::code_tokens(text, Dialect::Postgres);
        let mut edits = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            match token.kind {
                Kind::Word | Kind::QuotedName => {
                    let Some(name) = token.name(text, Dialect::Postgres) else { continue };
                    if shadowed.contains(&name) {
                        continue;
                    }
                    if self.ambiguous.contains(&name) && self.bare.contains_key(&name) {
                        ambiguous.insert(name.clone());
                    }
                    if let Some(new) = self.lookup(text, &tokens, i, &name) {
                        let spelled = if token.kind == Kind::QuotedName { quoted(new) } else { ident(new) };
                        edits.push(Edit::new(token.range.clone(), spelled));
                    }
                }
                Kind::DollarString { body_start, body_end } => {
                    let body = &text[body_start..body_end];
                    let new = self.rewrite_into(body, shadowed, ambiguous);
                    if new != body {
                        edits.push(Edit::new(body_start..body_end, new));
                    }
                }
                Kind::String => {
                    if let Some(new) = self.relation_string(text, token) {
                        let content = token.string_content(text).unwrap_or_default();
                        let start = token.range.end - 1 - content.len();
                        edits.push(Edit::new(start..token.range.end - 1, new));
                    }
                }
                _ => {}
            }
        }
        edit::apply(text, &edits)
    }

    /// The new name of the word at `i`, judged by what qualifies it.
    fn lookup(&self, text: &str, tokens: &[Token], i: usize, name: &str) -> Option<&str> {
        let qualifier = i
            .checked_sub(2)
            .filter(|_| tokens[i - 1].is_punct(text, '.'))
            .and_then(|q| tokens[q].name(text, Dialect::Postgres));
        match qualifier {
            Some(schema) if self.schemas.contains(&schema) => {
                self.qualified.get(&(schema, name.to_owned())).map(String::as_str)
            }
            _ if self.ambiguous.contains(name) => None,
            _ => self.bare.get(name).map(String::as_str),
        }
    }

    /// A literal that is exactly a renamed relation's name, bare or qualified, with its new text.
    fn relation_string(&self, text: &str, token: &Token) -> Option<String> {
        let content = token.string_content(text)?;
        if content.contains(['\'', '\\', '"']) {
            return None;
        }
        match content.split_once('.') {
            Some((schema, name)) => {
                let new = self.qualified.get(&(schema.to_owned(), name.to_owned()))?;
                Some(format!("{schema}.{}", ident(new)))
            }
            None => {
                let new = self.qualified.get(&("public".to_owned(), content.to_owned()))?;
                Some(ident(new))
            }
        }
    }
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Vocabulary {
        let mut v = Vocabulary::new(["auth".to_owned()]);
        v.qualified(&QualifiedName::new("public", "sessions"), "traces");
        v.qualified(&QualifiedName::new("public", "touch_session"), "touch_trace");
        v.bare_name("session_id", Some("trace_id"));
        v
    }

    #[test]
    fn renames_names_of_renamed_objects_only() {
        let body = "$$ begin update public.sessions s set n = 1 where s.id = new.session_id; \
                    perform touch_session(new.session_id); select count(*) from auth.sessions; \
                    raise notice 'session_id %', v_session; end $$";
        let got = vocabulary().rewrite(body, &[]).text;
        assert_eq!(
            got,
            "$$ begin update public.traces s set n = 1 where s.id = new.trace_id; \
             perform touch_trace(new.trace_id); select count(*) from auth.sessions; \
             raise notice 'session_id %', v_session; end $$"
        );
    }

    #[test]
    fn parameters_shadow_columns() {
        let got = vocabulary().rewrite("select * from sessions where id = session_id", &["session_id".to_owned()]);
        assert_eq!(got.text, "select * from traces where id = session_id");
    }

    #[test]
    fn quoted_names_keep_their_quotes_and_regclass_strings_follow() {
        let got = vocabulary().rewrite(r#"select "session_id" from "sessions", 'public.sessions'::regclass"#, &[]);
        assert_eq!(got.text, r#"select "trace_id" from "traces", 'public.traces'::regclass"#);
    }

    #[test]
    fn ambiguous_names_stay_and_are_reported() {
        let mut v = vocabulary();
        v.kept("session_id");
        let got = v.rewrite("select session_id from sessions", &[]);
        assert_eq!(got.text, "select session_id from traces");
        assert_eq!(got.ambiguous, ["session_id"]);
    }
}
