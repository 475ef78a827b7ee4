//! Keyword-argument shims: a first-party function whose parameter is renamed
//! (`def init(auto_start_session=True)` -> `auto_start_trace`) keeps accepting the old keyword
//! for a release. After the module's code, the function is rebound to a wrapper that maps the old
//! keyword to the new one and warns `DeprecationWarning`; code that imports the function (after
//! the module has run) gets the wrapper.
//!
//! Only plain functions qualify: module-level ones and the methods of module-level classes
//! (`__init__` included, for constructor keywords). A decorated function is left alone, since
//! rebinding its name would not reach what the decorator registered or returned.

use tree_sitter::Node;

use crate::lang::python::syntax::{named_children, text_of};
use crate::lang::symbols::NodeSymbols;
use crate::plan::{FilePlan, Verdict};

/// The wrapper every rebinding goes through, defined once per module.
const HELPER: &[&str] = &[
    "def _retrace_renamed_keywords(function, renamed):",
    "    import functools",
    "    import warnings",
    "",
    "    @functools.wraps(function)",
    "    def accepting_old_keywords(*args, **kwargs):",
    "        for old, new in renamed.items():",
    "            if old in kwargs:",
    "                if new in kwargs:",
    "                    raise TypeError(f\"{function.__qualname__}() got both {old}= and {new}=\")",
    "                warnings.warn(",
    "                    f\"{function.__qualname__}({old}=...) is deprecated; use {new}=\",",
    "                    DeprecationWarning,",
    "                    stacklevel=2,",
    "                )",
    "                kwargs[new] = kwargs.pop(old)",
    "        return function(*args, **kwargs)",
    "",
    "    return accepting_old_keywords",
];

/// A plain function with renamed parameters: where it is reached from, and old -> new names.
struct Renamed {
    /// `init`, or `Client.__init__` for a method.
    target: String,
    parameters: Vec<(String, String)>,
}

/// The lines that keep the old keywords of `plan`'s renamed parameters working, if any.
pub(super) fn lines(root: Node<'_>, text: &str, plan: &FilePlan) -> Vec<String> {
    let mut functions = Vec::new();
    for statement in named_children(root) {
        match statement.kind_name() {
            "function_definition" => functions.extend(renamed(statement, None, text, plan)),
            "class_definition" => {
                let Some(class) = statement.field("name").map(|n| spelt(n, text, plan)) else { continue };
                let body = statement.field("body").map(named_children).unwrap_or_default();
                let methods = body.into_iter().filter(|m| m.kind_name() == "function_definition");
                functions.extend(methods.filter_map(|m| renamed(m, Some(&class), text, plan)));
            }
            _ => {}
        }
    }
    if functions.is_empty() {
        return Vec::new();
    }
    let mut lines: Vec<String> = HELPER.iter().map(|l| (*l).to_owned()).collect();
    lines.push(String::new());
    lines.push(String::new());
    for f in functions {
        let map: Vec<String> = f.parameters.iter().map(|(old, new)| format!("{old:?}: {new:?}")).collect();
        lines.push(format!("{0} = _retrace_renamed_keywords({0}, {{{1}}})", f.target, map.join(", ")));
    }
    lines
}

/// `function` (a method of `class` when given) and its renamed parameters, if any and if public.
fn renamed(function: Node<'_>, class: Option<&str>, text: &str, plan: &FilePlan) -> Option<Renamed> {
    let name = spelt(function.field("name")?, text, plan);
    let public = !name.starts_with('_') || name == "__init__";
    if !public || class.is_some_and(|c| c.starts_with('_')) {
        return None;
    }
    let parameters: Vec<(String, String)> = named_children(function.field("parameters")?)
        .into_iter()
        .filter_map(parameter_name)
        .map(|node| (text_of(node, text).to_owned(), spelt(node, text, plan)))
        .filter(|(old, new)| old != new)
        .collect();
    let target = class.map_or_else(|| name.clone(), |c| format!("{c}.{name}"));
    (!parameters.is_empty()).then_some(Renamed { target, parameters })
}

/// A name as it reads after the rename: the wrapper is bound to the function's new name (the old
/// one, if shimmed, reaches the new one).
fn spelt(name: Node<'_>, text: &str, plan: &FilePlan) -> String {
    let renamed = plan.findings.iter().find(|f| f.range == name.byte_range()).and_then(|f| match &f.verdict {
        Verdict::Rename { to } => Some(to.clone()),
        _ => None,
    });
    renamed.unwrap_or_else(|| text_of(name, text).to_owned())
}

/// The name of a parameter that can be passed by keyword (`*args` and `**kwargs` cannot).
fn parameter_name(parameter: Node<'_>) -> Option<Node<'_>> {
    match parameter.kind_name() {
        "identifier" => Some(parameter),
        "default_parameter" | "typed_default_parameter" => parameter.field("name"),
        "typed_parameter" => parameter.named_child(0).filter(|n| n.kind_name() == "identifier"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::lang::python::{syntax, Python};
    use crate::lang::{Context, Rewriter};
    use crate::project::Project;
    use crate::rules::RuleSet;

    /// The rebinding lines for `text` (the helper's lines left out).
    fn rebindings(text: &str) -> Vec<String> {
        let (rules, project) = (RuleSet::builtin(), Project::default());
        let cx = Context { rules: &rules, project: &project, path: Path::new("pkg/api.py") };
        let plan = Python.plan(text, &cx).unwrap();
        let tree = syntax::parse(text).unwrap();
        lines(tree.root_node(), text, &plan).into_iter().skip(HELPER.len() + 2).collect()
    }

    #[test]
    fn plain_public_functions_and_methods_with_renamed_parameters_are_rebound() {
        let text = "\
def init(api_key=None, auto_start_session=True, *session_args, **session_kwargs):
    return auto_start_session


def end_session(session_id: str, reason: str = \"done\"):
    return session_id


def _private(session_id):
    return session_id


@decorated
def routed(session_id):
    return session_id


class Recorder:
    def __init__(self, session_id, tags=None):
        self.session_id = session_id

    def tag(self, *, session_tag: str = \"\"):
        return session_tag

    @staticmethod
    def build(session_id):
        return session_id
";
        assert_eq!(
            rebindings(text),
            [
                "init = _retrace_renamed_keywords(init, {\"auto_start_session\": \"auto_start_trace\"})",
                "end_trace = _retrace_renamed_keywords(end_trace, {\"session_id\": \"trace_id\"})",
                "Recorder.__init__ = _retrace_renamed_keywords(Recorder.__init__, {\"session_id\": \"trace_id\"})",
                "Recorder.tag = _retrace_renamed_keywords(Recorder.tag, {\"session_tag\": \"trace_tag\"})",
            ]
        );
    }

    #[test]
    fn nothing_when_no_parameter_is_renamed() {
        assert!(rebindings("def start(user_id, trace_id=None):\n    return user_id\n").is_empty());
    }
}
