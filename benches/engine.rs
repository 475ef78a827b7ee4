//! Micro-benchmarks of the term engine and of each language rewriter, in bytes per second.
//!
//!     cargo bench --bench engine
//!
//! Inputs are the checked-in samples in benches/data/ (regenerate with
//! `python3 benches/corpus.py benches/data --samples --seed 7`): one term-mentioning file of about
//! 32 KB per language, made from the same templates as the benchmark corpus, the identifiers of the
//! code samples, and comment-heavy prose. `parse_only` times tree-sitter alone on the same samples,
//! to show what planning costs beyond the parse.

use std::path::Path;

use divan::counter::{BytesCount, ItemsCount};
use divan::{black_box, Bencher};
use retrace::lang::{self, Context};
use retrace::project::Project;
use retrace::rules::RuleSet;

fn main() {
    divan::main();
}

const IDENTIFIERS: &str = include_str!("data/identifiers.txt");
const COMMENTS: &str = include_str!("data/comments.txt");

/// `Renamer::rename` over every identifier of the Python, TypeScript and TSX samples (about one in
/// ten holds the term, as in the term-mentioning files of a real codebase).
#[divan::bench]
fn rename_identifiers(bencher: Bencher) {
    let rules = RuleSet::builtin();
    let idents: Vec<&str> = IDENTIFIERS.lines().collect();
    bencher
        .counter(BytesCount::new(idents.iter().map(|i| i.len()).sum::<usize>()))
        .counter(ItemsCount::new(idents.len()))
        .bench_local(|| {
            for ident in &idents {
                black_box(rules.renamer.rename(black_box(ident)));
            }
        });
}

/// `Renamer::find_in_text` over comment-heavy prose.
#[divan::bench]
fn find_in_comments(bencher: Bencher) {
    let rules = RuleSet::builtin();
    bencher
        .counter(BytesCount::of_str(COMMENTS))
        .bench_local(|| black_box(rules.renamer.find_in_text(black_box(COMMENTS))));
}

/// Code with no term in any case: the Python and TypeScript samples with every "session" (any
/// case) turned into "section". A prefilter must scan it to the end.
fn term_free_code() -> String {
    let code = [sample("python"), sample("typescript"), sample("tsx")].concat();
    let mut out = String::with_capacity(code.len());
    let mut rest = code.as_str();
    while let Some(at) = rest.to_ascii_lowercase().find("session") {
        out.push_str(&rest[..at]);
        let word = &rest[at..at + 7];
        out.push_str(&word[..2]);
        out.push_str(if word.as_bytes()[2].is_ascii_uppercase() { "CT" } else { "ct" });
        out.push_str(&word[4..]);
        rest = &rest[at + 7..];
    }
    out.push_str(rest);
    assert!(!out.to_ascii_lowercase().contains("session"));
    out
}

/// The raw-bytes prefilter that decides whether a file is parsed at all (`Renamer::may_contain`),
/// on code that has no term: it must scan to the end.
#[divan::bench]
fn prefilter_miss(bencher: Bencher) {
    let rules = RuleSet::builtin();
    let text = term_free_code();
    bencher
        .counter(BytesCount::of_str(&text))
        .bench_local(|| black_box(rules.renamer.may_contain(black_box(text.as_bytes()))));
}

/// For comparison: the same miss with an exact-case automaton over the three spellings the term
/// engine renames (lower, Title, UPPER, singular and plural). Measured at the same speed as the
/// case-insensitive one (both ~0.9 GB/s): the prefilter is not where retrace loses to grep.
#[divan::bench]
fn prefilter_miss_exact_case_forms(bencher: Bencher) {
    let rules = RuleSet::builtin();
    let mut forms = Vec::new();
    for term in rules.renamer.terms() {
        for word in [&term.from, &term.from_plural] {
            let lower = word.to_ascii_lowercase();
            let mut title = lower.clone();
            title[..1].make_ascii_uppercase();
            forms.extend([lower.clone(), title, lower.to_ascii_uppercase()]);
        }
    }
    let finder = aho_corasick::AhoCorasick::new(&forms).expect("literal patterns");
    let text = term_free_code();
    bencher
        .counter(BytesCount::of_str(&text))
        .bench_local(|| black_box(finder.is_match(black_box(text.as_bytes()))));
}

const SAMPLES: &[(&str, &str)] = &[
    ("python", "x.py"),
    ("typescript", "x.ts"),
    ("tsx", "x.tsx"),
    ("postgres", "x.sql"),
    ("clickhouse", "clickhouse/x.sql"),
    ("markdown", "x.md"),
];

fn sample(name: &str) -> &'static str {
    match name {
        "python" => include_str!("data/sample.py"),
        "typescript" => include_str!("data/sample.ts"),
        "tsx" => include_str!("data/sample.tsx"),
        "postgres" => include_str!("data/sample.sql"),
        "clickhouse" => include_str!("data/clickhouse.sql"),
        "markdown" => include_str!("data/sample.md"),
        _ => unreachable!("no sample named {name}"),
    }
}

/// A rewriter's whole `plan` for one file (parse, scopes, decisions, edits), per language.
#[divan::bench(args = ["python", "typescript", "tsx", "postgres", "clickhouse", "markdown"])]
fn plan(bencher: Bencher, language: &str) {
    let rules = RuleSet::builtin();
    let project = Project::default();
    let path = Path::new(SAMPLES.iter().find(|(name, _)| *name == language).unwrap().1);
    let rewriter = lang::for_path(path).expect("a rewriter for every sample");
    let text = sample(language);
    let cx = Context { rules: &rules, project: &project, path };
    // A sample that does not plan would measure the error path: fail loudly instead.
    if let Err(e) = rewriter.plan(text, &cx) {
        panic!("benches/data sample for {language} does not parse: {e}");
    }
    bencher.counter(BytesCount::of_str(text)).bench_local(|| black_box(rewriter.plan(black_box(text), &cx)));
}

/// tree-sitter's parse alone, for scale: what `plan` costs beyond reading the syntax.
#[divan::bench(args = ["python", "typescript", "tsx"])]
fn parse_only(bencher: Bencher, language: &str) {
    let grammar: tree_sitter::Language = match language {
        "python" => tree_sitter_python::LANGUAGE.into(),
        "typescript" => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        _ => tree_sitter_typescript::LANGUAGE_TSX.into(),
    };
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&grammar).expect("grammar matches the tree-sitter ABI");
    let text = sample(language);
    bencher.counter(BytesCount::of_str(text)).bench_local(|| black_box(parser.parse(black_box(text), None)));
}
