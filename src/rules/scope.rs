//! Scoped rules: a keep, rename or sense rule limited to path globs, languages and roles.
//!
//! ```toml
//! [[keep.scoped]]                           # keep these names only here
//! names = ["session*", "SessionState"]      # exact names or globs (`*`, `?`, `[ab]`)
//! paths = ["sdk/instrumentation/agno/**"]   # optional: where
//! languages = ["python"]                    # optional: python typescript tsx sql rust text
//! roles = ["identifier", "attribute"]       # optional: which places (see plan::Role)
//!
//! [[rename]]                                # a rename override that holds only here
//! from = "session_view"
//! to = "trace_view"
//! paths = ["webapp/**"]
//!
//! [[sense]]                                 # qualifier words that count only here
//! words = ["agent"]
//! languages = ["python"]
//! ```
//!
//! A scoped rule needs at least one of `paths`, `languages`, `roles` (`[[keep.scoped]]` always
//! does: without them it would be `[keep] names`). Rules are applied after a file is planned, in
//! file order: renames re-target occurrences that would be renamed; keeps and senses turn
//! occurrences that would change (renamed, reviewed, conflicting) into keeps. File and folder
//! names (the `path` role) are decided before any file is read and are not scoped.
//!
//! `paths` globs match a file's path as retrace prints it (relative to the current folder, a
//! leading `./` ignored) and, when the rule comes from a rule file, its path relative to that
//! file's folder, as `.gitignore` patterns do. So `sdk/instrumentation/**` in `repo/retrace.toml`
//! holds whether retrace runs on `.`, `./sdk`, an absolute path or from inside `repo/sdk`.

use std::path::{Component, Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher, GlobSet};
use serde::Deserialize;
use toml::Spanned;

use super::{build_glob, glob_matches, glob_set, RuleError, Source};
use crate::plan::Role;

/// The languages rewriters report (`typescript` also covers `tsx`).
const LANGUAGES: &[&str] = &["python", "typescript", "tsx", "sql", "rust", "text"];

/// The roles a scope can name: every role but `path` (see the module docs).
fn scope_roles() -> impl Iterator<Item = Role> {
    Role::ALL.into_iter().filter(|&role| role != Role::Path)
}

/// The scope keys of a table, as written.
#[derive(Deserialize, Default, Debug)]
pub(super) struct RawScope {
    pub paths: Option<Vec<Spanned<String>>>,
    pub languages: Option<Vec<Spanned<String>>>,
    pub roles: Option<Vec<Spanned<String>>>,
}

impl RawScope {
    pub fn is_empty(&self) -> bool {
        self.paths.is_none() && self.languages.is_none() && self.roles.is_none()
    }
}

/// `[[keep.scoped]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScopedKeep {
    pub names: Spanned<Vec<Spanned<String>>>,
    pub paths: Option<Vec<Spanned<String>>>,
    pub languages: Option<Vec<Spanned<String>>>,
    pub roles: Option<Vec<Spanned<String>>>,
}

/// Where a scoped rule holds. An absent key holds everywhere.
#[derive(Debug, Clone)]
pub struct Scope {
    paths: Option<GlobSet>,
    /// The folder `paths` are also relative to: the rule file's, when the rules come from a file.
    anchor: Option<Anchor>,
    languages: Option<Vec<&'static str>>,
    roles: Option<Vec<Role>>,
}

/// A rule file's folder and the current folder, both absolute, taken when the rules are read.
#[derive(Debug, Clone)]
struct Anchor {
    folder: PathBuf,
    cwd: PathBuf,
}

impl Anchor {
    /// The folder of the rule file named `origin`, when `origin` is a file that exists.
    fn of(origin: &str) -> Option<Anchor> {
        let file = Path::new(origin);
        if !file.is_file() {
            return None;
        }
        let cwd = std::env::current_dir().ok()?;
        let folder = lexical(&cwd.join(file.parent().unwrap_or(Path::new(""))));
        Some(Anchor { folder, cwd })
    }

    /// `path` (absolute, or relative to the current folder) relative to the rule file's folder.
    fn relative(&self, path: &Path) -> Option<PathBuf> {
        lexical(&self.cwd.join(path)).strip_prefix(&self.folder).ok().map(Path::to_path_buf)
    }
}

/// `path` without `.` components and with `..` taken lexically (symbolic links are not resolved:
/// the walk reports paths as it found them).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

impl Scope {
    pub fn contains(&self, path: &Path, language: &str, role: Role) -> bool {
        let language = if language == "tsx" { ["tsx", "typescript"].as_slice() } else { &[language] };
        self.languages.as_ref().is_none_or(|ls| ls.iter().any(|l| language.contains(l)))
            && self.roles.as_ref().is_none_or(|rs| rs.contains(&role))
            && self.paths.as_ref().is_none_or(|globs| self.matches(globs, path))
    }

    fn matches(&self, globs: &GlobSet, path: &Path) -> bool {
        glob_matches(globs, path)
            || self.anchor.as_ref().and_then(|a| a.relative(path)).is_some_and(|relative| globs.is_match(relative))
    }
}

/// What a scoped rule does inside its scope.
#[derive(Debug, Clone)]
pub enum Action {
    /// Keep names matching one of these patterns.
    Keep(Vec<(String, GlobMatcher)>),
    /// Keep names holding one of these qualifier words (lowercase).
    Sense(Vec<String>),
    /// Rename exactly `from` to `to`.
    Rename { from: String, to: String },
}

#[derive(Debug, Clone)]
pub struct ScopedRule {
    pub scope: Scope,
    pub action: Action,
}

/// Validate a table's scope keys; `table` names it in messages (`[[rename]]`).
pub(super) fn scope(src: &Source<'_>, raw: RawScope, table: &str) -> Result<Scope, RuleError> {
    let paths = match raw.paths {
        None => None,
        Some(list) => {
            let key = format!("{table} paths");
            let mut globs = Vec::new();
            for e in list {
                build_glob(e.get_ref(), &key).map_err(|m| src.error(&e.span(), m))?;
                globs.push(e.into_inner());
            }
            Some(glob_set(&globs, &key, *src)?)
        }
    };
    let languages = raw
        .languages
        .map(|list| {
            list.iter()
                .map(|e| {
                    LANGUAGES.iter().copied().find(|l| l == e.get_ref()).ok_or_else(|| {
                        let expected = LANGUAGES.join(", ");
                        src.error(&e.span(), format!("{table} languages: expected one of {expected}, found {:?}", e.get_ref()))
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let roles = raw
        .roles
        .map(|list| {
            list.iter()
                .map(|e| {
                    scope_roles().find(|r| r.as_str() == e.get_ref()).ok_or_else(|| {
                        let expected: Vec<&str> = scope_roles().map(Role::as_str).collect();
                        let hint = if e.get_ref() == "path" {
                            " (file and folder names are decided before files are read: use [keep] names)"
                        } else {
                            ""
                        };
                        src.error(
                            &e.span(),
                            format!("{table} roles: expected one of {}, found {:?}{hint}", expected.join(", "), e.get_ref()),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let anchor = paths.as_ref().and_then(|_| Anchor::of(src.origin));
    Ok(Scope { paths, anchor, languages, roles })
}

/// `[[keep.scoped]]`: name patterns and a scope that must say where.
pub(super) fn scoped_keep(src: &Source<'_>, raw: RawScopedKeep) -> Result<ScopedRule, RuleError> {
    let raw_scope = RawScope { paths: raw.paths, languages: raw.languages, roles: raw.roles };
    if raw.names.get_ref().is_empty() {
        return Err(src.error(&raw.names.span(), "[[keep.scoped]] names: expected at least one name or glob (like \"session*\")"));
    }
    if raw_scope.is_empty() {
        return Err(src.error(
            &raw.names.span(),
            "[[keep.scoped]]: expected at least one of `paths`, `languages`, `roles` (to keep a name everywhere, use [keep] names)",
        ));
    }
    let mut names = Vec::new();
    for e in raw.names.get_ref() {
        let pattern = e.get_ref();
        if pattern.is_empty() || pattern.chars().any(char::is_whitespace) {
            return Err(src.error(
                &e.span(),
                format!("[[keep.scoped]] names: expected a name or a glob like \"session*\" (non-empty, no spaces), found {pattern:?}"),
            ));
        }
        let matcher = GlobBuilder::new(pattern).build().map_err(|err| {
            src.error(&e.span(), format!("[[keep.scoped]] names: expected a valid glob like \"session*\": {}", err.kind()))
        })?;
        names.push((pattern.clone(), matcher.compile_matcher()));
    }
    Ok(ScopedRule { scope: scope(src, raw_scope, "[[keep.scoped]]")?, action: Action::Keep(names) })
}

#[cfg(test)]
mod tests {
    use crate::rules::{RuleSet, ScopedAction};
    use crate::plan::Role;
    use std::path::Path;

    const HEAD: &str = "extends = \"builtin\"\n";

    #[track_caller]
    fn assert_err(text: &str, at: &str, message: &str) {
        let e = RuleSet::parse("p.toml", &format!("{HEAD}{text}")).map(|_| ()).unwrap_err();
        assert_eq!(format!("{}:{}", e.line, e.column), at, "{e}");
        assert!(e.message.contains(message), "{e}");
    }

    #[test]
    fn scoped_tables_parse_into_rules_in_file_order() {
        let text = format!(
            "{HEAD}[[sense]]\nwords = [\"agent\", \"Team\"]\npaths = [\"sdk/**\"]\n\
             [keep]\nnames = [\"session_scope\"]\n[[keep.scoped]]\nnames = [\"session*\"]\nlanguages = [\"python\"]\n\
             [[rename]]\nfrom = \"session_view\"\nto = \"trace_panel\"\nroles = [\"identifier\"]\n"
        );
        let rules = RuleSet::parse("p.toml", &text).unwrap();
        let actions: Vec<String> = rules
            .scoped
            .iter()
            .map(|r| match &r.action {
                ScopedAction::Keep(names) => format!("keep {}", names[0].0),
                ScopedAction::Sense(words) => format!("sense {}", words[0]),
                ScopedAction::Rename { from, to } => format!("rename {from} {to}"),
            })
            .collect();
        assert_eq!(actions, ["sense agent", "sense team", "keep session*", "rename session_view trace_panel"]);
        assert!(!rules.senses.contains("agent"), "a scoped sense does not hold everywhere");
        assert!(rules.renamer.override_for("session_view").is_none(), "a scoped rename is no global override");
        let sense = &rules.scoped[0].scope;
        assert!(sense.contains(Path::new("./sdk/a.py"), "python", Role::Comment));
        assert!(!sense.contains(Path::new("api/a.py"), "python", Role::Identifier));
        let keep = &rules.scoped[2].scope;
        assert!(keep.contains(Path::new("x.py"), "python", Role::String));
        assert!(!keep.contains(Path::new("x.ts"), "typescript", Role::String));
    }

    #[test]
    fn paths_hold_relative_to_the_rule_file_too() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("retrace.toml");
        std::fs::write(&file, format!("{HEAD}[[keep.scoped]]\nnames = [\"x\"]\npaths = [\"sdk/agno/**\"]\n")).unwrap();
        let rules = RuleSet::from_file(&file).unwrap();
        let scope = &rules.scoped[0].scope;
        let holds = |path: &Path| scope.contains(path, "python", Role::Identifier);
        assert!(holds(&dir.path().join("sdk/agno/wrap.py")), "an absolute path under the rule file's folder");
        assert!(holds(&dir.path().join("sdk/./core/../agno/wrap.py")), "`.` and `..` are taken lexically");
        assert!(holds(Path::new("./sdk/agno/wrap.py")), "a path relative to the current folder");
        assert!(!holds(&dir.path().join("api/sdk/agno/wrap.py")));
        assert!(!holds(&dir.path().join("sdk/core.py")));
    }

    #[test]
    fn typescript_covers_tsx() {
        let rules = RuleSet::parse("p.toml", &format!("{HEAD}[[keep.scoped]]\nnames = [\"x\"]\nlanguages = [\"typescript\"]\n")).unwrap();
        assert!(rules.scoped[0].scope.contains(Path::new("a.tsx"), "tsx", Role::Identifier));
    }

    #[test]
    fn errors_name_the_place_and_what_was_expected() {
        assert_err("[[keep.scoped]]\nnames = [\"session*\"]\n", "3:9", "expected at least one of `paths`, `languages`, `roles`");
        assert_err("[[keep.scoped]]\nnames = []\npaths = [\"a/**\"]\n", "3:9", "expected at least one name or glob");
        assert_err("[[keep.scoped]]\nnames = [\"a\", \"b c\"]\npaths = [\"a/**\"]\n", "3:15", "expected a name or a glob");
        assert_err("[[keep.scoped]]\nnames = [\"a[\"]\npaths = [\"a/**\"]\n", "3:10", "expected a valid glob");
        assert_err("[[keep.scoped]]\nnames = [\"a\"]\npaths = [\"a/{b\"]\n", "4:10", "[[keep.scoped]] paths: expected a valid glob");
        assert_err("[[keep.scoped]]\nnames = [\"a\"]\nlanguages = [\"go\"]\n", "4:14", "[[keep.scoped]] languages: expected one of python, typescript, tsx, sql, rust, text, found \"go\"");
        assert_err("[[keep.scoped]]\nnames = [\"a\"]\nroles = [\"path\"]\n", "4:10", "use [keep] names");
        assert_err("[[keep.scoped]]\nnames = [\"a\"]\nrole = [\"string\"]\n", "4:1", "unknown field `role`");
        assert_err("[[sense]]\nwords = [\"agent\"]\nroles = [\"identifer\"]\n", "4:10", "[[sense]] roles: expected one of identifier, attribute");
        assert_err("[[rename]]\nfrom = \"a_session\"\nto = \"b_session\"\npaths = [\"x/**\"]\n", "4:6", "would itself be renamed");
        assert_err("[[rename]]\nfrom = \"a\"\nto = \"b\"\nlanguages = [\"cobol\"]\n", "5:14", "[[rename]] languages");
    }
}
