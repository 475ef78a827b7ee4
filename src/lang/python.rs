//! Python rewriter on tree-sitter-python.
//!
//! One parse, two passes. `collect` walks the tree once and builds the scopes (what each scope
//! binds and uses) and the candidate occurrences with their syntactic context. `decide` then
//! gives every occurrence its verdict from the rules, the file's foreign evidence (`foreign`:
//! third-party imports and the names that hold their objects) and the clash checks (`conflicts`).
//! `values` then checks what needs the verdicts (routes, old -> new mappings, persisted values)
//! and `reach` says which conflicts other modules share and which aliases to delete.

mod collect;
mod conflicts;
mod decide;
mod embedded;
mod foreign;
mod reexports;
mod reach;
mod scopes;
mod shims;
mod syntax;
mod values;
#[cfg(test)]
mod tests;

pub use reexports::ReExports;

use super::nodes::Nodes;
use super::{Context, ParseError, Rewriter};
use crate::plan::FilePlan;

pub struct Python;

impl Rewriter for Python {
    fn language(&self) -> &'static str {
        "python"
    }

    fn plan(&self, text: &str, cx: &Context<'_>) -> Result<FilePlan, ParseError> {
        let tree = syntax::parse(text)?;
        let nodes = Nodes::new(tree.root_node());
        let file = collect::collect(&nodes, text, cx.rules);
        let mut plan = decide::decide(&file, text, cx);
        values::walk(nodes.preorder(), text).settle(text, cx, &mut plan);
        reach::check(tree.root_node(), text, cx, &mut plan);
        Ok(plan)
    }

    fn parses(&self, text: &str, _: &std::path::Path, _: &crate::rules::RuleSet) -> Result<(), ParseError> {
        syntax::parse(text).map(drop)
    }

    fn shims(&self, text: &str, plan: &FilePlan, cx: &Context<'_>) -> Vec<crate::edit::Edit> {
        shims::shims(text, plan, cx)
    }
}
