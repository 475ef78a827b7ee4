//! TypeScript, TSX and JavaScript rewriter on tree-sitter-typescript.

use super::{Context, ParseError, Rewriter};
use crate::plan::FilePlan;

pub struct TypeScript {
    /// The TSX grammar (for .tsx and .jsx).
    pub tsx: bool,
}

impl Rewriter for TypeScript {
    fn language(&self) -> &'static str {
        if self.tsx { "tsx" } else { "typescript" }
    }

    fn plan(&self, text: &str, cx: &Context<'_>) -> Result<FilePlan, ParseError> {
        let _ = (text, cx);
        Ok(FilePlan::default())
    }
}
