//! The commands users run. Each prepares a run (walk, project, engine), renders what it decided and
//! returns the exit status; output goes to the writers it is given.

use std::io::{self, Write};
use std::path::PathBuf;

use crate::check::{self, Summary};
use crate::diff;
use crate::engine::{self, FileOutcome, LocatedFinding};
use crate::plan::Verdict;
use crate::project::Project;
use crate::report::{self, JsonError, JsonFinding, JsonReport, Style};
use crate::rules::RuleSet;
use crate::walk::{self, WalkError};
use crate::write;

/// Exit status: 0 clean, 1 findings (check) or conflicts (apply), 2 usage or input error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Clean = 0,
    Findings = 1,
    Error = 2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

pub struct Options {
    pub paths: Vec<PathBuf>,
    pub rules: RuleSet,
    pub threads: usize,
    pub style: Style,
    pub format: Format,
}

/// The files, project and outcome consumer shared by every command.
fn run<T: Send>(opts: &Options, consume: impl Fn(FileOutcome) -> T + Sync) -> Result<(Vec<T>, Project), WalkError> {
    let files = walk::files(&opts.paths, opts.threads)?;
    let project = Project::discover(&opts.paths, &files, &opts.rules);
    let results = engine::run(&files, &opts.rules, &project, opts.threads, consume);
    Ok((results, project))
}

/// Per-file results every command keeps: its summary, errors and the findings it reports.
struct Digest {
    summary: Summary,
    error: Option<engine::FileError>,
    findings: Vec<LocatedFinding>,
    text: String,
}

fn digest(outcome: &FileOutcome, keep_finding: impl Fn(&LocatedFinding) -> bool, text: String) -> Digest {
    let mut summary = Summary::default();
    summary.add(outcome);
    Digest {
        summary,
        error: outcome.error.clone(),
        findings: outcome.findings.iter().filter(|f| keep_finding(f)).cloned().collect(),
        text,
    }
}

/// Print the unified diff of every change; change nothing.
pub fn diff(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    let is_noteworthy = |f: &LocatedFinding| matches!(f.finding.verdict, Verdict::Conflict { .. } | Verdict::Review { .. });
    let (digests, _) = match run(opts, |o| digest(&o, is_noteworthy, diff::patch(&o))) {
        Ok(r) => r,
        Err(e) => return walk_failed(&e, opts.style, err),
    };
    for d in &digests {
        let text = if opts.style.color { diff::colorize(&d.text) } else { d.text.clone() };
        out.write_all(text.as_bytes())?;
    }
    finish(&digests, opts, true, err, |s| if s.errors > 0 { Status::Error } else { Status::Clean })
}

/// Write the changes: atomic per file, moves included.
pub fn apply(opts: &Options, err: &mut dyn Write) -> io::Result<Status> {
    let is_noteworthy = |f: &LocatedFinding| matches!(f.finding.verdict, Verdict::Conflict { .. });
    let applied = run(opts, |o| {
        let written = if o.changes() { write::write(&o).err().map(|e| e.to_string()) } else { None };
        let mut d = digest(&o, is_noteworthy, written.unwrap_or_default());
        d.summary.errors += usize::from(!d.text.is_empty());
        (d, o.moved_to.is_some().then_some(o.path))
    });
    let (results, _) = match applied {
        Ok(r) => r,
        Err(e) => return walk_failed(&e, opts.style, err),
    };
    write::prune_empty_dirs(results.iter().filter_map(|(_, moved)| moved.as_deref()), &opts.paths);
    let digests: Vec<Digest> = results.into_iter().map(|(d, _)| d).collect();
    for d in digests.iter().filter(|d| !d.text.is_empty()) {
        writeln!(err, "{}", d.text)?;
    }
    finish(&digests, opts, true, err, |s| {
        if s.errors > 0 {
            Status::Error
        } else if s.conflicts > 0 {
            Status::Findings
        } else {
            Status::Clean
        }
    })
}

/// List every occurrence still to be handled; fail when any remains.
pub fn check(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    let (digests, _) = match run(opts, |o| digest(&o, check::is_remaining, String::new())) {
        Ok(r) => r,
        Err(e) => return walk_failed(&e, opts.style, err),
    };
    let mut summary = Summary::default();
    digests.iter().for_each(|d| summary.merge(&d.summary));
    match opts.format {
        Format::Human => {
            for f in digests.iter().flat_map(|d| &d.findings) {
                writeln!(out, "{}", report::finding_line(f, opts.style))?;
            }
        }
        Format::Json => {
            let doc = JsonReport {
                version: 1,
                findings: digests.iter().flat_map(|d| &d.findings).map(JsonFinding::new).collect(),
                errors: digests.iter().filter_map(|d| d.error.as_ref()).map(JsonError::new).collect(),
                summary,
            };
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
    }
    finish(&digests, opts, false, err, |s| {
        if s.errors > 0 {
            Status::Error
        } else if s.remaining() > 0 {
            Status::Findings
        } else {
            Status::Clean
        }
    })
}

/// How one identifier would be renamed, and by which rule.
pub fn explain(rules: &RuleSet, ident: &str, out: &mut dyn Write) -> io::Result<Status> {
    let words = rules.renamer.words(ident).join(" · ");
    match engine::explain(rules, ident) {
        Verdict::Rename { to } => writeln!(out, "{ident} -> {to}\n  words: {words}\n  rule: {}", rename_rule(rules, ident))?,
        Verdict::Keep { reason } if rules.renamer.rename(ident).is_some() => {
            writeln!(out, "{ident} stays\n  words: {words}\n  reason: {reason}")?
        }
        _ => writeln!(out, "{ident} stays\n  words: {words}\n  reason: holds no retired term")?,
    }
    Ok(Status::Clean)
}

fn rename_rule(rules: &RuleSet, ident: &str) -> String {
    let words = rules.renamer.words(ident);
    rules
        .terms
        .iter()
        .find(|t| words.iter().any(|w| *w == t.from || *w == t.from_plural))
        .map(|t| format!("term `{}` -> `{}` ({})", t.from, t.to, rules.origin))
        .unwrap_or_else(|| format!("rename override ({})", rules.origin))
}

/// Errors (and, for diff and apply, the findings kept in the digests) to stderr, then the summary;
/// the status from the totals.
fn finish(
    digests: &[Digest],
    opts: &Options,
    findings_to_stderr: bool,
    err: &mut dyn Write,
    status: impl Fn(&Summary) -> Status,
) -> io::Result<Status> {
    let mut summary = Summary::default();
    for d in digests {
        summary.merge(&d.summary);
        if let Some(e) = &d.error {
            writeln!(err, "{}", report::error_line(e, opts.style))?;
        }
        if findings_to_stderr {
            for f in &d.findings {
                writeln!(err, "{}", report::finding_line(f, opts.style))?;
            }
        }
    }
    if opts.format == Format::Human {
        writeln!(err, "{summary}")?;
    }
    Ok(status(&summary))
}

fn walk_failed(e: &WalkError, style: Style, err: &mut dyn Write) -> io::Result<Status> {
    writeln!(err, "{}: {}", style_error(style), e)?;
    Ok(Status::Error)
}

fn style_error(style: Style) -> String {
    if style.color { "\x1b[1;31merror\x1b[0m".into() } else { "error".into() }
}
