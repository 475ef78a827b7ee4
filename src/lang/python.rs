//! Python rewriter on tree-sitter-python.

use super::{Context, ParseError, Rewriter};
use crate::plan::FilePlan;

pub struct Python;

impl Rewriter for Python {
    fn language(&self) -> &'static str {
        "python"
    }

    fn plan(&self, text: &str, cx: &Context<'_>) -> Result<FilePlan, ParseError> {
        let _ = (text, cx);
        todo!()
    }
}
