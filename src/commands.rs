//! The commands users run. Each walks the roots, learns the project, runs the engine and renders
//! what it decided as it streams in; output goes to the writers it is given.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::check::{self, Baseline, BaselineEntry, Summary};
use crate::diff;
use crate::engine::{self, FileError, FileOutcome, LocatedFinding, Settings};
use crate::plan::{Location, Role};
use crate::plan::Verdict;
use crate::project::Project;
use crate::reads::Probes;
use crate::report::{self, JsonError, JsonFinding, JsonReport, Style};
use crate::rules::RuleSet;
use crate::split::{self, Group, SplitBy};
use crate::spool::Spool;
use crate::walk::{self, WalkedFile};
use crate::write;
use crate::cache::codec::{Bytes, Codec};
use crate::cache::stamps::Stamps;
use crate::cache::{self, hash_of, PlanCache};

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
    /// SARIF 2.1.0 (code scanning).
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
}

pub struct Options {
    pub paths: Vec<PathBuf>,
    pub rules: RuleSet,
    pub threads: usize,
    /// Keep old exported names working for a release through deprecated aliases.
    pub shims: bool,
    pub style: Style,
    pub format: Format,
    pub check: CheckOptions,
    pub split: Option<SplitOptions>,
    /// Where plans are kept between runs (`None` with `--no-cache`).
    pub cache_dir: Option<PathBuf>,
    /// Files with more bytes than this are reported, not planned ([`engine::MAX_FILESIZE`]).
    pub max_filesize: u64,
}

/// `diff --split-by KIND --out DIR`: one patch per group instead of one diff.
#[derive(Debug, Clone)]
pub struct SplitOptions {
    pub by: SplitBy,
    pub out: PathBuf,
}

/// What only `check` uses.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Fail only on occurrences this baseline does not record.
    pub baseline: Option<PathBuf>,
    /// Record today's remaining occurrences here.
    pub write_baseline: Option<PathBuf>,
    /// List `retrace: allow` comments that silence nothing, and fail on them.
    pub report_unused_suppressions: bool,
}

/// What a command keeps of one file once the worker is done with it.
struct Digest {
    summary: Summary,
    error: Option<FileError>,
    /// The findings this command reports.
    findings: Vec<LocatedFinding>,
    /// The rendered patch (diff) or the write error (apply).
    text: String,
    moved_from: Option<PathBuf>,
    unused_suppressions: Vec<Location>,
    /// `diff --split-by`: this file's patch pieces by group.
    pieces: BTreeMap<Group, String>,
    /// `check`: the remaining findings as reported.
    remaining: Remaining,
}

impl Digest {
    fn new(outcome: FileOutcome, reported: impl Fn(&LocatedFinding) -> bool, text: String) -> Digest {
        let mut summary = Summary::default();
        summary.add(&outcome);
        Digest {
            summary,
            error: outcome.error,
            findings: outcome.findings.into_iter().filter(|f| reported(f)).collect(),
            text,
            moved_from: outcome.moved_to.map(|_| outcome.path),
            unused_suppressions: outcome.unused_suppressions,
            pieces: BTreeMap::new(),
            remaining: Remaining::default(),
        }
    }
}

/// Only `check` keeps digests between runs, and its digests have no pieces.
impl Codec for Digest {
    fn encode(&self, out: &mut Vec<u8>) {
        debug_assert!(self.pieces.is_empty(), "pieces are not kept");
        self.summary.encode(out);
        self.error.encode(out);
        self.findings.encode(out);
        self.text.encode(out);
        self.moved_from.encode(out);
        self.unused_suppressions.encode(out);
        self.remaining.encode(out);
    }

    fn decode(input: &mut &[u8]) -> Option<Digest> {
        Some(Digest {
            summary: Codec::decode(input)?,
            error: Codec::decode(input)?,
            findings: Codec::decode(input)?,
            text: Codec::decode(input)?,
            moved_from: Codec::decode(input)?,
            unused_suppressions: Codec::decode(input)?,
            pieces: BTreeMap::new(),
            remaining: Codec::decode(input)?,
        })
    }
}

/// `check`: the remaining findings of one file as reported. Only baselines and the JSON and
/// SARIF documents need each one's fingerprint and [`LocatedFinding`]; otherwise their lines are
/// kept in one piece, so a kept report is read and printed at once.
#[derive(Default)]
struct Remaining {
    /// Each one's report line, with its fingerprint, when fingerprints are needed.
    lines: Vec<ReportLine>,
    /// Otherwise, their report lines as printed, and how many of each kind they hold.
    printed: Bytes,
    kinds: Vec<(Kind, usize)>,
}

impl Remaining {
    fn print(&mut self, kind: Kind, text: &str) {
        self.printed.0.extend_from_slice(text.as_bytes());
        match self.kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => self.kinds.push((kind, 1)),
        }
    }
}

/// A remaining finding's verdict name and role: what check's breakdown counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Kind(&'static str, Role);

impl Kind {
    fn of(f: &LocatedFinding) -> Kind {
        Kind(f.finding.verdict.name(), f.finding.role)
    }
}

/// `check`: one remaining finding as printed, with its fingerprint.
struct ReportLine {
    fingerprint: String,
    kind: Kind,
    /// The report lines in the output format.
    text: String,
}

impl Codec for Kind {
    fn encode(&self, out: &mut Vec<u8>) {
        Verdict::NAMES.iter().position(|&n| n == self.0).expect("a verdict's name").encode(out);
        self.1.encode(out);
    }

    fn decode(input: &mut &[u8]) -> Option<Kind> {
        let verdict = *Verdict::NAMES.get(usize::decode(input)?)?;
        Some(Kind(verdict, Role::decode(input)?))
    }
}

impl Codec for ReportLine {
    fn encode(&self, out: &mut Vec<u8>) {
        self.fingerprint.encode(out);
        self.kind.encode(out);
        self.text.encode(out);
    }

    fn decode(input: &mut &[u8]) -> Option<ReportLine> {
        Some(ReportLine { fingerprint: Codec::decode(input)?, kind: Codec::decode(input)?, text: Codec::decode(input)? })
    }
}

impl Codec for Remaining {
    fn encode(&self, out: &mut Vec<u8>) {
        self.lines.encode(out);
        self.printed.encode(out);
        self.kinds.encode(out);
    }

    fn decode(input: &mut &[u8]) -> Option<Remaining> {
        Some(Remaining { lines: Codec::decode(input)?, printed: Codec::decode(input)?, kinds: Codec::decode(input)? })
    }
}

/// What `check` prints for one finding as it goes (nothing for the formats written at the end).
fn check_lines(f: &LocatedFinding, opts: &Options) -> String {
    match opts.format {
        Format::Human => {
            let mut text = report::finding_line(f, opts.style) + "\n";
            if let Some(source) = report::source_line(f, opts.style) {
                text += &source;
                text.push('\n');
            }
            text
        }
        Format::Github => report::github_line(f) + "\n",
        Format::Json | Format::Sarif => String::new(),
    }
}

/// Old URL -> new URL of every moved Next.js route.
type Redirects = std::collections::BTreeSet<(String, String)>;

/// Totals and the per-file messages held until the end of a run.
#[derive(Default)]
struct Tally {
    summary: Summary,
    errors: Vec<FileError>,
    /// The findings listed after the run, already rendered.
    held: Spool,
    io: Option<io::Error>,
}

impl Tally {
    /// Count a digest; with a style, hold its findings (rendered so) for the end of the run.
    fn add(&mut self, d: Digest, hold: Option<Style>) -> Digest {
        self.summary.merge(&d.summary);
        self.errors.extend(d.error.clone());
        if let Some(style) = hold {
            for f in &d.findings {
                let held = self.held.push_line(&report::finding_line(f, style));
                self.record(held);
            }
        }
        d
    }

    fn record(&mut self, written: io::Result<()>) {
        if let Err(e) = written {
            self.io.get_or_insert(e);
        }
    }
}

/// The walked files less the rule file in use: it names the terms it retires, so rewriting it
/// would change the rules and reporting it would fail every check.
fn without_rule_file(mut files: Vec<WalkedFile>, rules: &RuleSet) -> Vec<WalkedFile> {
    let rule_file = Path::new(&rules.origin);
    let Some((name, canonical)) = rule_file.file_name().zip(rule_file.canonicalize().ok()) else { return files };
    files.retain(|f| f.path.file_name() != Some(name) || f.path.canonicalize().ok().as_deref() != Some(canonical.as_path()));
    files
}

/// The walked files a run plans. A file with no term in its text, whose path neither moves nor
/// is reported, has nothing to say; only paths that hold a term can move or be reported. The
/// others were walked for discovery alone. Those kept are copied out before the walk's list is
/// dropped: its paths were allocated side by side, and a few kept in place would hold on to the
/// memory of all the others (the list takes 16 MB at 100k files).
fn worth_planning(files: Vec<WalkedFile>, rules: &RuleSet, project: &Project) -> Vec<WalkedFile> {
    let concerns = |f: &WalkedFile| rules.renamer.may_contain(f.path.as_os_str().as_encoded_bytes()) && project.concerns(&f.path);
    files.iter().filter(|f| f.mentions || concerns(f)).cloned().collect()
}

/// Walk, discover and run `per_file` on each file (given the project and settings of the run,
/// see [`engine::run`]); `emit` sees each result in walk order. Returns the redirects that moved
/// routes need, or `Err(status)` when the walk failed.
fn run<T: Send>(
    opts: &Options,
    err: &mut dyn Write,
    per_file: impl Fn(&WalkedFile, &Project, Settings<'_>) -> Option<T> + Sync,
    emit: impl FnMut(T),
) -> io::Result<Result<Redirects, Status>> {
    let stamps = match &opts.cache_dir {
        Some(dir) => Stamps::open(dir, &opts.rules, &opts.paths).unwrap_or_default(),
        None => Stamps::default(),
    };
    let walked = walk::files(&opts.paths, opts.threads, &|path| engine::mentions(path, &opts.rules, &stamps, opts.max_filesize));
    if walked.is_ok() {
        stamps.save();
    }
    let files = match walked {
        Ok(files) => without_rule_file(files, &opts.rules),
        Err(e) => {
            writeln!(err, "{}: {e}", opts.style.paint("1;31", "error"))?;
            return Ok(Err(Status::Error));
        }
    };
    let probes = Probes::walked(&files);
    let discover = || Project::discover(&opts.paths, &files, &opts.rules);
    let mut project = match &opts.cache_dir {
        Some(dir) => cache::project::discover(dir, &opts.paths, &files, &opts.rules, &probes, discover),
        None => discover(),
    };
    let files = worth_planning(files, &opts.rules, &project);
    let mut cache = match &opts.cache_dir {
        Some(dir) => match PlanCache::open(dir, &opts.rules, &project) {
            Ok(cache) => cache,
            Err(e) => {
                writeln!(err, "{}: plan cache disabled: {}: {e}", opts.style.paint("1;33", "warning"), dir.display())?;
                PlanCache::in_memory()
            }
        },
        None => PlanCache::in_memory(),
    };
    cache.answer_with(probes);
    let settings = Settings { threads: opts.threads, shims: opts.shims, cache: Some(&cache), max_filesize: opts.max_filesize };
    project.shared = engine::shares(&files, &opts.rules, &project, settings);
    let progress = Progress::new(files.len());
    engine::run(&files, opts.threads, |file| per_file(file, &project, settings), emit, |n| progress.set(n));
    progress.finish();
    Ok(Ok(project.redirects))
}

/// What `consume` makes of each file's plan, for [`run`].
fn planned<'o, T>(
    opts: &'o Options,
    consume: impl Fn(FileOutcome) -> T + Sync + 'o,
) -> impl Fn(&WalkedFile, &Project, Settings<'_>) -> Option<T> + Sync + 'o {
    move |file, project, settings| engine::plan_file(&file.path, file.mentions, &opts.rules, project, settings).map(&consume)
}

/// Print the unified diff of every change (or write it in pieces); change nothing.
pub fn diff(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    let noteworthy = |f: &LocatedFinding| matches!(f.finding.verdict, Verdict::Conflict { .. } | Verdict::Review { .. });
    let mut tally = Tally::default();
    let mut series: BTreeMap<Group, String> = BTreeMap::new();
    let ran = run(
        opts,
        err,
        planned(opts, |o| match &opts.split {
            Some(split) => {
                let pieces = split::pieces(&o, split.by);
                Digest { pieces, ..Digest::new(o, noteworthy, String::new()) }
            }
            None => {
                let patch = diff::patch(&o);
                Digest::new(o, noteworthy, patch)
            }
        }),
        |d| {
            let d = tally.add(d, Some(opts.style));
            for (group, piece) in d.pieces {
                series.entry(group).or_default().push_str(&piece);
            }
            let text = if opts.style.color { diff::colorize(&d.text) } else { d.text };
            let written = out.write_all(text.as_bytes());
            tally.record(written);
        },
    )?;
    // What follows goes to stderr: stdout, which may be block-buffered, comes first.
    out.flush()?;
    let redirects = match ran {
        Ok(redirects) => redirects,
        Err(status) => return Ok(status),
    };
    write_redirects(&redirects, err)?;
    if let Some(split) = &opts.split {
        std::fs::create_dir_all(&split.out)?;
        for (i, (group, patch)) in series.iter().enumerate() {
            let path = split.out.join(split::file_name(i, group));
            std::fs::write(&path, patch)?;
            writeln!(out, "{}", path.display())?;
        }
    }
    finish(tally, opts, err, |s| if s.errors > 0 { Status::Error } else { Status::Clean })
}

/// Write the changes: atomic per file, moves included.
pub fn apply(opts: &Options, err: &mut dyn Write) -> io::Result<Status> {
    let conflicts = |f: &LocatedFinding| matches!(f.finding.verdict, Verdict::Conflict { .. });
    let mut tally = Tally::default();
    let mut moved_from = Vec::new();
    let mut write_failures = Vec::new();
    let ran = run(
        opts,
        err,
        planned(opts, |o| {
            let failed = if o.changes() { write::write(&o).err().map(|e| e.to_string()) } else { None };
            let mut d = Digest::new(o, conflicts, failed.unwrap_or_default());
            d.summary.errors += usize::from(!d.text.is_empty());
            d
        }),
        |d| {
            let d = tally.add(d, Some(opts.style));
            if !d.text.is_empty() {
                write_failures.push(d.text);
            }
            moved_from.extend(d.moved_from);
        },
    )?;
    let redirects = match ran {
        Ok(redirects) => redirects,
        Err(status) => return Ok(status),
    };
    write_redirects(&redirects, err)?;
    for failure in &write_failures {
        writeln!(err, "{}: {failure}", opts.style.paint("1;31", "error"))?;
    }
    write::prune_empty_dirs(moved_from.iter().map(PathBuf::as_path), &opts.paths);
    finish(tally, opts, err, |s| {
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
    let baseline = match opts.check.baseline.as_deref().map(Baseline::read).transpose() {
        Ok(b) => b,
        Err(e) => {
            writeln!(err, "{}: {e}", opts.style.paint("1;31", "error"))?;
            return Ok(Status::Error);
        }
    };
    let mut tally = Tally::default();
    // Only the JSON and SARIF documents need every finding at the end; other formats stream.
    let keep_all = matches!(opts.format, Format::Json | Format::Sarif);
    let needs_fingerprints = keep_all || opts.check.baseline.is_some() || opts.check.write_baseline.is_some();
    let mut reported: Vec<(LocatedFinding, String)> = Vec::new();
    let mut remaining = 0;
    let mut breakdown = Breakdown::new();
    let mut recorded = Baseline { version: 1, entries: Vec::new() };
    let mut unused = Vec::new();
    // Everything a digest of check depends on besides the file, its plan and the shared verdicts.
    let results = hash_of(&("check", format!("{:?}", opts.format), opts.style.color, needs_fingerprints, opts.shims, opts.max_filesize));
    // Fingerprints and report lines are made on the workers: the printing thread only writes.
    let digest = |o: FileOutcome| {
        let mut d = Digest::new(o, check::is_remaining, String::new());
        if needs_fingerprints {
            let prints = check::fingerprints(&d.findings);
            let lines = d.findings.iter().zip(prints);
            d.remaining.lines =
                lines.map(|(f, fingerprint)| ReportLine { fingerprint, kind: Kind::of(f), text: check_lines(f, opts) }).collect();
        } else {
            for f in std::mem::take(&mut d.findings) {
                d.remaining.print(Kind::of(&f), &check_lines(&f, opts));
            }
        }
        d
    };
    let ran = run(
        opts,
        err,
        |file, project, settings| engine::kept(file, &opts.rules, project, settings, results, digest),
        |mut d| {
            let Remaining { lines, printed, kinds } = std::mem::take(&mut d.remaining);
            let d = tally.add(d, None);
            for (Kind(verdict, role), n) in kinds {
                remaining += n;
                *breakdown.entry((verdict, role.as_str())).or_default() += n;
            }
            let written = out.write_all(&printed.0);
            tally.record(written);
            // Findings are kept whenever fingerprints are needed: for baselines, JSON and SARIF.
            let mut findings = d.findings.into_iter();
            for ReportLine { fingerprint, kind: Kind(verdict, role), text } in lines {
                let f = findings.next();
                if let Some(f) = f.as_ref().filter(|_| opts.check.write_baseline.is_some()) {
                    recorded.entries.push(BaselineEntry {
                        fingerprint: fingerprint.clone(),
                        path: f.location.path.display().to_string(),
                        line: f.location.line,
                        text: f.finding.text.clone(),
                    });
                }
                if baseline.as_ref().is_some_and(|b| b.contains(&fingerprint)) {
                    tally.summary.baselined += 1;
                    continue;
                }
                remaining += 1;
                *breakdown.entry((verdict, role.as_str())).or_default() += 1;
                let written = out.write_all(text.as_bytes());
                tally.record(written);
                if let Some(f) = f.filter(|_| keep_all) {
                    reported.push((f, fingerprint));
                }
            }
            if opts.check.report_unused_suppressions {
                unused.extend(d.unused_suppressions);
            }
        },
    )?;
    out.flush()?;
    if let Err(status) = ran {
        return Ok(status);
    }
    if let Some(path) = &opts.check.write_baseline {
        let text = serde_json::to_string_pretty(&recorded).map_err(io::Error::other)? + "\n";
        std::fs::write(path, text)?;
    }
    match opts.format {
        Format::Human => {
            for at in &unused {
                writeln!(out, "{at}: unused suppression")?;
            }
        }
        Format::Github => {
            for at in &unused {
                writeln!(out, "::error file={},line={},col={}::unused retrace suppression", at.path.display(), at.line, at.column)?;
            }
        }
        Format::Json => {
            let doc = JsonReport {
                version: 1,
                findings: reported.iter().map(|(f, _)| JsonFinding::new(f)).collect(),
                errors: tally.errors.iter().map(JsonError::new).collect(),
                summary: tally.summary,
            };
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
        Format::Sarif => {
            serde_json::to_writer_pretty(&mut *out, &report::sarif(&reported))?;
            writeln!(out)?;
        }
    }
    let remaining = remaining + unused.len();
    if opts.format == Format::Human {
        for ((verdict, role), n) in breakdown {
            writeln!(err, "{n:>6} {verdict} {role}")?;
        }
    }
    finish(tally, opts, err, |s| {
        if s.errors > 0 {
            Status::Error
        } else if remaining > 0 {
            Status::Findings
        } else {
            Status::Clean
        }
    })
}

/// How `survey` prints its census.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyFormat {
    Human,
    Json,
    Tsv,
}

/// What only `survey` uses.
#[derive(Debug, Clone)]
pub struct SurveyOptions {
    pub format: SurveyFormat,
    /// Start a project rule file here from what the survey proposes to keep.
    pub write_rules: Option<PathBuf>,
}

/// The census before the change: every name with a term, its evidence and proposed verdict.
/// Changes nothing (except `--write-rules`) and exits 0 unless the input is bad.
pub fn survey(opts: &Options, survey: &SurveyOptions, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    let mut census = crate::survey::Survey::default();
    if let Err(status) = run(opts, err, planned(opts, crate::survey::digest), |d| census.add(d))? {
        return Ok(status);
    }
    let errors = std::mem::take(&mut census.errors);
    let rows = census.rows();
    let totals = crate::survey::Totals::of(&rows, errors.len());
    match survey.format {
        SurveyFormat::Human => out.write_all(crate::survey::human(&rows, opts.style).as_bytes())?,
        SurveyFormat::Tsv => out.write_all(crate::survey::tsv(&rows).as_bytes())?,
        SurveyFormat::Json => {
            let doc = crate::survey::JsonSurvey {
                version: 1,
                names: &rows,
                errors: errors.iter().map(JsonError::new).collect(),
                summary: totals,
            };
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    if let Some(path) = &survey.write_rules {
        let surveyed = opts.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" ");
        std::fs::write(path, crate::survey::rule_file(&rows, &surveyed))
            .map_err(|e| io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display())))?;
        writeln!(err, "wrote {}", path.display())?;
    }
    for e in &errors {
        writeln!(err, "{}", report::error_line(e, opts.style))?;
    }
    if survey.format == SurveyFormat::Human {
        writeln!(err, "{totals}")?;
    }
    Ok(if errors.is_empty() { Status::Clean } else { Status::Error })
}

/// The old URLs of moved routes: each needs a redirect to keep links working.
fn write_redirects(redirects: &Redirects, err: &mut dyn Write) -> io::Result<()> {
    for (old, new) in redirects {
        writeln!(err, "redirect needed: {old} -> {new}")?;
    }
    Ok(())
}

/// Remaining occurrences per verdict and role: where the rest of the work is.
type Breakdown = BTreeMap<(&'static str, &'static str), usize>;

/// How one identifier would be renamed, and by which rule.
pub fn explain(rules: &RuleSet, ident: &str, out: &mut dyn Write) -> io::Result<Status> {
    let words = rules.renamer.words(ident).join(" · ");
    match engine::explain(rules, ident) {
        Verdict::Rename { to } => {
            writeln!(out, "{ident} -> {to}\n  words: {words}\n  rule: {}", rename_rule(rules, ident))?;
            if let Some(word) = rules.renamer.repeated_word(ident) {
                writeln!(out, "  review: the new name repeats `{word}`; choose one with a [[rename]] override")?;
            }
            let resolution = crate::safety::override_suggestion(ident, &to, |_| true);
            writeln!(out, "  if `{to}` is taken where `{ident}` is defined: {resolution}")?
        }
        Verdict::Keep { reason } if rules.renamer.rename(ident).is_some() => {
            writeln!(out, "{ident} stays\n  words: {words}\n  reason: {reason}")?
        }
        _ => writeln!(out, "{ident} stays\n  words: {words}\n  reason: holds no retired term")?,
    }
    Ok(Status::Clean)
}

fn rename_rule(rules: &RuleSet, ident: &str) -> String {
    if rules.renamer.override_for(ident).is_some() {
        return format!("rename override ({})", rules.origin);
    }
    let words = rules.renamer.words(ident);
    rules
        .terms
        .iter()
        .find(|t| words.iter().any(|w| *w == t.from || *w == t.from_plural))
        .map(|t| format!("term `{}` -> `{}` ({})", t.from, t.to, rules.origin))
        .unwrap_or_else(|| format!("rename override ({})", rules.origin))
}

/// Held findings and errors to stderr, then the summary; the status from the totals.
fn finish(tally: Tally, opts: &Options, err: &mut dyn Write, status: impl Fn(&Summary) -> Status) -> io::Result<Status> {
    if let Some(e) = tally.io {
        return Err(e);
    }
    tally.held.drain_into(err)?;
    for e in &tally.errors {
        writeln!(err, "{}", report::error_line(e, opts.style))?;
    }
    if opts.format == Format::Human {
        writeln!(err, "{}", tally.summary)?;
    }
    Ok(status(&tally.summary))
}

/// A progress bar on stderr, shown only on a terminal and only once a run has taken a while.
struct Progress {
    bar: indicatif::ProgressBar,
    started: std::time::Instant,
    shown: std::cell::Cell<bool>,
}

impl Progress {
    const DELAY: std::time::Duration = std::time::Duration::from_millis(800);

    fn new(total: usize) -> Progress {
        let bar = indicatif::ProgressBar::with_draw_target(Some(total as u64), indicatif::ProgressDrawTarget::hidden());
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}") {
            bar.set_style(style);
        }
        Progress { bar, started: std::time::Instant::now(), shown: std::cell::Cell::new(false) }
    }

    fn set(&self, done: usize) {
        if !self.shown.get() && self.started.elapsed() > Self::DELAY && std::io::IsTerminal::is_terminal(&io::stderr()) {
            self.bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            self.shown.set(true);
        }
        self.bar.set_position(done as u64);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// `retrace migrate`: the forward migration (and its rollback) for the schema's renamed objects.
/// Without `out`, the forward SQL goes to `out_stream`; statements it could not read and
/// conflicts go to `err`.
pub fn migrate(
    schema: &std::path::Path,
    rules: &RuleSet,
    options: &crate::migrate::Options,
    out: Option<&std::path::Path>,
    out_stream: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    let migration = match crate::migrate::plan_migration(schema, rules, options) {
        Ok(m) => m,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(Status::Error);
        }
    };
    for skipped in &migration.skipped {
        writeln!(err, "{skipped}")?;
    }
    for conflict in &migration.conflicts {
        writeln!(err, "{conflict}")?;
    }
    match out {
        None => out_stream.write_all(migration.forward.as_bytes())?,
        Some(dir) => {
            let stamp = crate::migrate::utc_timestamp(std::time::SystemTime::now());
            match crate::migrate::write_migration(&migration, dir, &stamp) {
                Ok(paths) => {
                    for path in paths {
                        writeln!(out_stream, "{}", path.display())?;
                    }
                }
                Err(e) => {
                    writeln!(err, "error: {e}")?;
                    return Ok(Status::Error);
                }
            }
        }
    }
    Ok(Status::Clean)
}
