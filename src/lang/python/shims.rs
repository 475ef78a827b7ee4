//! Compatibility shims (`--shims`) for Python: old module-level names keep working for a release
//! through a module `__getattr__` (PEP 562) that warns `DeprecationWarning` and returns the new
//! object, and old keyword arguments of renamed parameters through a wrapper (`keywords`). The
//! block sits in a `retrace: off` region so later runs and `check` leave it alone.

mod keywords;

use tree_sitter::Node;

use super::syntax::{self, text_of};
use crate::edit::Edit;
use crate::lang::Context;
use crate::lang::symbols::NodeSymbols;
use crate::plan::{FilePlan, Verdict};

/// The edit that appends the shim block for `plan`'s renames, if any: old public module-level
/// names (through a module `__getattr__`) and old keywords of renamed parameters (`keywords`).
pub fn shims(text: &str, plan: &FilePlan, _cx: &Context<'_>) -> Vec<Edit> {
    let Ok(tree) = syntax::parse(text) else { return Vec::new() };
    let sections: Vec<Vec<String>> = [name_lines(tree.root_node(), text, plan), keywords::lines(tree.root_node(), text, plan)]
        .into_iter()
        .filter(|lines| !lines.is_empty())
        .collect();
    if sections.is_empty() {
        return Vec::new();
    }
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut block = String::new();
    if !text.is_empty() && !text.ends_with('\n') {
        block.push_str(newline);
    }
    let mut lines = vec![String::new(), String::new(), "# retrace: off (deprecated aliases for one release)".to_owned()];
    for (i, section) in sections.into_iter().enumerate() {
        if i > 0 {
            lines.extend([String::new(), String::new()]);
        }
        lines.extend(section);
    }
    lines.push("# retrace: on".to_owned());
    for line in lines {
        block.push_str(&line);
        block.push_str(newline);
    }
    vec![Edit::new(text.len()..text.len(), block)]
}

/// The `__getattr__` that keeps old public module-level names working. A module that defines
/// `__getattr__` already gets none: merging two is a person's call.
fn name_lines(root: Node<'_>, text: &str, plan: &FilePlan) -> Vec<String> {
    let defined = module_level_names(root, text);
    if defined.iter().any(|(name, _)| *name == "__getattr__") {
        return Vec::new();
    }
    let renamed: Vec<(&str, &str)> = defined
        .iter()
        .filter(|(name, _)| !name.starts_with('_'))
        .filter_map(|(name, node)| {
            let range = node.byte_range();
            plan.findings.iter().find(|f| f.range == range).and_then(|f| match &f.verdict {
                Verdict::Rename { to } => Some((*name, to.as_str())),
                _ => None,
            })
        })
        .collect();
    if renamed.is_empty() {
        return Vec::new();
    }
    let entries = renamed.iter().map(|(old, new)| format!("    {old:?}: {new:?},"));
    std::iter::once("_RENAMED = {".to_owned())
        .chain(entries)
        .chain(
            [
                "}",
                "",
                "",
                "def __getattr__(name):",
                "    if name in _RENAMED:",
                "        import warnings",
                "",
                "        new = _RENAMED[name]",
                "        warnings.warn(f\"{name} is deprecated; use {new}\", DeprecationWarning, stacklevel=2)",
                "        return globals()[new]",
                "    raise AttributeError(f\"module {__name__!r} has no attribute {name!r}\")",
            ]
            .map(str::to_owned),
        )
        .collect()
}

/// Names bound at module level by `class`, `def` and plain `NAME = ...` assignments, with the
/// node of the name.
fn module_level_names<'t, 'n>(root: Node<'n>, text: &'t str) -> Vec<(&'t str, Node<'n>)> {
    let name_of = |statement: Node<'n>| match statement.kind_name() {
        "decorated_definition" => {
            statement.field("definition").and_then(|d| d.field("name"))
        }
        "class_definition" | "function_definition" => statement.field("name"),
        "expression_statement" => statement
            .named_child(0)
            .filter(|n| n.kind_name() == "assignment")
            .and_then(|a| a.field("left"))
            .filter(|left| left.kind_name() == "identifier"),
        _ => None,
    };
    syntax::named_children(root).into_iter().filter_map(name_of).map(|n| (text_of(n, text), n)).collect()
}
