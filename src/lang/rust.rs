//! Rust rewriter on syn.

use super::{Context, ParseError, Rewriter};
use crate::plan::FilePlan;

pub struct Rust;

impl Rewriter for Rust {
    fn language(&self) -> &'static str {
        "rust"
    }

    fn plan(&self, text: &str, cx: &Context<'_>) -> Result<FilePlan, ParseError> {
        let _ = (text, cx);
        Ok(FilePlan::default())
    }
}
