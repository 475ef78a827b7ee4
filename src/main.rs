//! The `retrace` command line: parse arguments, call the library, map results to exit codes.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use retrace::commands::{self, CheckOptions, Format, Options, SplitOptions, Status, SurveyFormat, SurveyOptions};
use retrace::split::SplitBy;
use retrace::report::Style;
use retrace::rules::RuleSet;

/// Planning allocates many small, short-lived values on every worker; glibc's allocator spends a
/// fifth of a run on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Retire a term across whole codebases: language-aware renames as a reviewable diff.
///
/// With no --rules, the built-in session -> trace rules apply. Exit codes: 0 clean, 1 findings
/// (check) or conflicts (apply), 2 usage or input error.
#[derive(Parser)]
#[command(name = "retrace", version, about, long_about = None, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXAMPLES: &str = "Examples:
  retrace diff .                 review every change as a unified diff
  retrace diff . | git apply     the diff is a real patch
  retrace apply sdk/ webapp/     rewrite two repositories in place
  retrace check . --format json  what remains, for CI
  retrace explain ISessionAndStats";

#[derive(Subcommand)]
enum Command {
    /// Print the unified diff of every change; change nothing.
    Diff(RunArgs),
    /// Write the same changes in place (file and folder moves included).
    Apply(RunArgs),
    /// List every retired term that remains; exit 1 if any.
    Check(RunArgs),
    /// The census before the change: every name holding a term, with its count, languages,
    /// roles, places, evidence and proposed verdict; can start a project rule file.
    Survey(SurveyArgs),
    /// Write the forward database migration (and its rollback) for the renamed tables and columns,
    /// learnt by replaying the schema's migration files in order.
    Migrate {
        /// Folder of migration files (e.g. supabase/migrations, or a clickhouse schema folder).
        #[arg(long, value_name = "DIR")]
        schema: PathBuf,
        /// rename: one transaction of ALTER ... RENAME plus compatibility views; copy: a parallel
        /// run with dual writes, a resumable batched backfill, verification and a cut-over.
        #[arg(long, default_value = "rename", value_parser = ["rename", "copy"])]
        strategy: String,
        /// Write <timestamp>_sessions_to_traces.sql and its .rollback.sql here (default: print
        /// the forward migration).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// ClickHouse: add `new ALIAS old` columns instead of renaming, so old writers keep working.
        #[arg(long)]
        clickhouse_alias_columns: bool,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Show how one identifier would be renamed, and by which rule.
    Explain {
        /// The identifier, e.g. `session_id` or `ISessionAndStats`.
        ident: String,
        #[command(flatten)]
        rules: RulesArg,
    },
}

#[derive(Args, Default)]
struct RulesArg {
    /// Rule file (TOML); default: the built-in rules/session-to-trace.toml.
    #[arg(long, value_name = "FILE", global = true)]
    rules: Option<PathBuf>,
}

#[derive(Args)]
struct SizeArg {
    /// Files larger than SIZE that mention a term are reported as errors, not planned (planning
    /// holds about 60 bytes of memory per byte of text). A number of bytes, or with K, M or G.
    #[arg(long, value_name = "SIZE", default_value = "2M", value_parser = parse_size)]
    max_filesize: u64,
}

impl Default for SizeArg {
    fn default() -> SizeArg {
        SizeArg { max_filesize: retrace::engine::MAX_FILESIZE }
    }
}

#[derive(Args, Default)]
struct CacheArgs {
    /// Keep no plans between runs: plan every file afresh, and write nothing.
    #[arg(long, global = true)]
    no_cache: bool,
    /// Where plans (and check's results) are kept between runs, so unchanged files are not
    /// parsed again (default: $XDG_CACHE_HOME/retrace, else ~/.cache/retrace). A plan is reused
    /// only while the file, the rules, the binary and everything it read in other files are
    /// unchanged; a result, while the verdicts it followed from other files are too; the tree's
    /// facts (packages, aliases, moves), while the walked paths and the files they came from are.
    /// A file whose size, inode and change time are those an earlier run saw is not read again.
    #[arg(long, value_name = "DIR", env = "RETRACE_CACHE_DIR", global = true)]
    cache_dir: Option<PathBuf>,
}

impl CacheArgs {
    fn dir(self) -> Option<PathBuf> {
        if self.no_cache {
            return None;
        }
        let home = || std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".cache"));
        let base = || std::env::var_os("XDG_CACHE_HOME").filter(|x| !x.is_empty()).map(PathBuf::from).or_else(home);
        self.cache_dir.filter(|d| !d.as_os_str().is_empty()).or_else(|| Some(base()?.join("retrace")))
    }
}

#[derive(Args, Default)]
struct RunArgs {
    /// Files or folders to process (several repositories at once are fine).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    rules: RulesArg,
    /// diff/apply: keep old exported names working for a release (deprecated aliases: TypeScript
    /// `export type Old = New`, Python `Old` through a warning module `__getattr__`).
    #[arg(long)]
    shims: bool,
    /// Worker threads (default: the number of CPUs).
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,
    #[command(flatten)]
    size: SizeArg,
    /// When to colour output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Output format of findings (sarif and github: check only).
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,
    /// check: fail only on occurrences that this baseline file does not record.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// check: record today's remaining occurrences in FILE (then use it with --baseline).
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// check: list `retrace: allow` comments that silence nothing, and fail on them.
    #[arg(long)]
    report_unused_suppressions: bool,
    /// diff: write one patch per group into --out, each applying on top of the previous ones.
    #[arg(long, value_enum, value_name = "KIND", requires = "out")]
    split_by: Option<SplitArg>,
    /// diff: folder for the --split-by patches (01-code.patch, 02-strings.patch, ...).
    #[arg(long, value_name = "DIR", requires = "split_by")]
    out: Option<PathBuf>,
    #[command(flatten)]
    cache: CacheArgs,
}

#[derive(Args)]
struct SurveyArgs {
    /// Files or folders to survey (several repositories at once are fine).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    rules: RulesArg,
    /// Worker threads (default: the number of CPUs).
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,
    #[command(flatten)]
    size: SizeArg,
    /// When to colour output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// human: a table sorted by count; json: one document (schema in the README); tsv: one line
    /// per name.
    #[arg(long, value_enum, default_value_t = SurveyFormatArg::Human)]
    format: SurveyFormatArg,
    /// Start a project rule file (extends the built-in rules) keeping the names the survey
    /// proposes to keep; names to decide are written commented out.
    #[arg(long, value_name = "FILE")]
    write_rules: Option<PathBuf>,
    #[command(flatten)]
    cache: CacheArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum SurveyFormatArg {
    Human,
    Json,
    Tsv,
}

#[derive(Clone, Copy, ValueEnum)]
enum SplitArg {
    Language,
    Role,
    Dir,
}

#[derive(Clone, Copy, Default, ValueEnum)]
enum Color {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Default, ValueEnum)]
enum FormatArg {
    #[default]
    Human,
    Json,
    Sarif,
    Github,
}

fn main() -> ExitCode {
    // The parsers allocate through C: they use the same allocator. Set before any parser exists.
    // Freed memory goes back to the system at once (`mi_option_purge_delay`, 15 in mimalloc.h,
    // which the bindings do not name): by default mimalloc keeps it for a while, and peak RSS
    // grew with the tree (a cold check at 100k files: 230 MB, 166 MB with this).
    unsafe {
        use libmimalloc_sys::{mi_calloc, mi_free, mi_malloc, mi_option_set, mi_realloc};
        const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
        mi_option_set(PURGE_DELAY, 0);
        tree_sitter::set_allocator(Some(tree_sitter::Allocator { malloc: mi_malloc, calloc: mi_calloc, realloc: mi_realloc, free: mi_free }));
    }
    let cli = Cli::parse();
    let status = match run(cli) {
        Ok(status) => status,
        Err(Failure::Message(message)) => {
            let _ = writeln!(io::stderr(), "error: {message}");
            Status::Error
        }
        // `retrace check | head`: whoever reads has what they wanted. The run did not finish, so
        // its status is not that of a complete run.
        Err(Failure::ReaderGone) => Status::Error,
    };
    ExitCode::from(status as u8)
}

/// When stdout is a pipe, give it a 1 MiB buffer instead of 64 KiB: a report of a large tree
/// (over 100 MB of findings at 50,000 files) then waits for its reader 16 times less often.
/// Anything else, or a system that refuses, keeps its buffer.
fn widen_pipe() {
    #[cfg(target_os = "linux")]
    // SAFETY: fcntl on descriptor 1 with an integer argument; it touches no memory of ours.
    unsafe {
        libc::fcntl(1, libc::F_SETPIPE_SZ, 1 << 20);
    }
}

/// Why a run stopped short.
enum Failure {
    Message(String),
    /// The reader of the output went away (a broken pipe): nothing to say to anyone.
    ReaderGone,
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Message(message)
    }
}

fn run(cli: Cli) -> Result<Status, Failure> {
    // stderr is locked per write, not for the whole run: a line another thread writes there
    // must never wait for the run to end.
    // A terminal sees each line as it is written; a pipe or file gets large writes, not a
    // system call per line.
    let stdout = io::stdout();
    let terminal = stdout.is_terminal();
    if !terminal {
        widen_pipe();
    }
    let mut out: Box<dyn Write> =
        if terminal { Box::new(stdout.lock()) } else { Box::new(io::BufWriter::with_capacity(1 << 16, stdout.lock())) };
    let mut err = io::stderr();
    let io_error = |e: io::Error| match e.kind() {
        io::ErrorKind::BrokenPipe => Failure::ReaderGone,
        _ => Failure::Message(e.to_string()),
    };
    let status = match cli.command {
        Command::Migrate { schema, strategy, out: out_dir, clickhouse_alias_columns, rules } => {
            let options = retrace::migrate::Options {
                strategy: strategy.parse()?,
                clickhouse_alias_columns,
            };
            commands::migrate(&schema, &load_rules(&rules)?, &options, out_dir.as_deref(), &mut out, &mut err)
                .map_err(io_error)
        }
        Command::Explain { ident, rules } => {
            commands::explain(&load_rules(&rules)?, &ident, &mut out).map_err(io_error)
        }
        Command::Diff(args) => commands::diff(&options(args, terminal)?, &mut out, &mut err).map_err(io_error),
        Command::Apply(args) => commands::apply(&options(args, io::stderr().is_terminal())?, &mut err).map_err(io_error),
        Command::Check(args) => commands::check(&options(args, terminal)?, &mut out, &mut err).map_err(io_error),
        Command::Survey(args) => {
            let survey = SurveyOptions {
                format: match args.format {
                    SurveyFormatArg::Human => SurveyFormat::Human,
                    SurveyFormatArg::Json => SurveyFormat::Json,
                    SurveyFormatArg::Tsv => SurveyFormat::Tsv,
                },
                write_rules: args.write_rules,
            };
            let run = RunArgs {
                paths: args.paths,
                rules: args.rules,
                threads: args.threads,
                size: args.size,
                color: args.color,
                cache: args.cache,
                ..RunArgs::default()
            };
            commands::survey(&options(run, terminal)?, &survey, &mut out, &mut err).map_err(io_error)
        }
    }?;
    out.flush().map_err(io_error)?;
    Ok(status)
}

/// `--max-filesize`: `1500`, `512K`, `2M`, `1G` (K, M and G count 1024s, as ripgrep's).
fn parse_size(text: &str) -> Result<u64, String> {
    let (digits, scale) = match text.char_indices().last() {
        Some((at, 'K' | 'k')) => (&text[..at], 1 << 10),
        Some((at, 'M' | 'm')) => (&text[..at], 1 << 20),
        Some((at, 'G' | 'g')) => (&text[..at], 1 << 30),
        _ => (text, 1),
    };
    let number: u64 = digits.parse().map_err(|_| format!("`{text}` is not a size: expected a number of bytes, or one followed by K, M or G"))?;
    number.checked_mul(scale).ok_or_else(|| format!("`{text}` is too large a size"))
}

fn options(args: RunArgs, terminal: bool) -> Result<Options, String> {
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    Ok(Options {
        shims: args.shims,
        paths: args.paths,
        rules: load_rules(&args.rules)?,
        threads,
        style: Style { color },
        format: match args.format {
            FormatArg::Human => Format::Human,
            FormatArg::Json => Format::Json,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Github => Format::Github,
        },
        split: args.split_by.zip(args.out).map(|(by, out)| SplitOptions {
            by: match by {
                SplitArg::Language => SplitBy::Language,
                SplitArg::Role => SplitBy::Role,
                SplitArg::Dir => SplitBy::Dir,
            },
            out,
        }),
        cache_dir: args.cache.dir(),
        max_filesize: args.size.max_filesize,
        check: CheckOptions {
            baseline: args.baseline,
            write_baseline: args.write_baseline,
            report_unused_suppressions: args.report_unused_suppressions,
        },
    })
}

fn load_rules(arg: &RulesArg) -> Result<RuleSet, String> {
    match &arg.rules {
        Some(path) => RuleSet::from_file(path).map_err(|e| e.to_string()),
        None => Ok(RuleSet::builtin()),
    }
}
