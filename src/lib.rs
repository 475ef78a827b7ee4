//! retrace: retire a term across whole codebases.
//!
//! A run builds one [`plan::Plan`] (per-file edits, file moves and findings); the diff, the in-place
//! rewrite, the check report and the JSON output are renderings of that plan.

pub mod admission;
pub mod cache;
pub mod check;
pub mod commands;
pub mod diff;
pub mod edit;
pub mod engine;
pub mod lang;
pub mod memo;
pub mod migrate;
pub mod plan;
pub mod project;
pub mod reads;
pub mod report;
pub mod rules;
pub mod safety;
pub mod scoped;
pub mod split;
pub mod spool;
pub mod suppress;
pub mod survey;
pub mod walk;
pub mod words;
pub mod write;
