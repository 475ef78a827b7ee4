//! Property tests for the term engine (`retrace::words`).

use proptest::prelude::*;
use retrace::words::*;

const POOL: &[&str] = &[
    "session", "sessions", "Session", "SESSION", "Sessions", "SESSIONS", "id", "Id", "ID", "get", "HTTP",
    "user", "possession", "trace", "x2", "I", "and", "Stats",
];
/// Words that never contain the term as a word, however they are glued together.
const NO_TERM_POOL: &[&str] = &[
    "id", "Id", "ID", "get", "HTTP", "user", "possession", "Possession", "POSSESSION", "trace", "x2", "SeSSion",
    "sessionid", "Sessional", "obsessions", "I", "Stats",
];
const SEPS: &[&str] = &["_", "-", ".", "", "$", "__"];

fn renamer() -> Renamer {
    Renamer::new(vec![Term::new("session", "trace")], vec![])
}

fn ident_from(pool: &'static [&'static str]) -> impl Strategy<Value = String> {
    (
        prop::sample::select(&["", "_", "__", "$"][..]),
        prop::collection::vec((prop::sample::select(pool), prop::sample::select(SEPS)), 1..6),
        prop::sample::select(&["", "_", "__"][..]),
    )
        .prop_map(|(lead, parts, trail)| {
            let mut s = String::from(lead);
            let n = parts.len();
            for (i, (w, sep)) in parts.into_iter().enumerate() {
                s.push_str(w);
                if i + 1 < n {
                    s.push_str(sep);
                }
            }
            s.push_str(trail);
            s
        })
}

fn ident() -> impl Strategy<Value = String> {
    ident_from(POOL)
}

/// Free text: identifiers, prose words and non-token characters (spaces, punctuation, non-ASCII).
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        ident(),
        prop::sample::select(&[" ", "\n", ", ", "é", "—", "(", ")", "'", "\"", "/", "::", "{", "}:", "日本"][..])
            .prop_map(String::from),
        "\\PC{0,4}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

fn is_sep(c: char) -> bool {
    !c.is_alphanumeric()
}

/// Words and the gaps around them: gaps[0], words[0], gaps[1], ..., words[n-1], gaps[n].
fn words_and_gaps(s: &str) -> (Vec<String>, Vec<String>) {
    let ranges = split(s);
    let mut gaps = Vec::new();
    let mut last = 0;
    for r in &ranges {
        gaps.push(s[last..r.start].to_owned());
        last = r.end;
    }
    gaps.push(s[last..].to_owned());
    (ranges.into_iter().map(|r| s[r].to_owned()).collect(), gaps)
}

/// Reference renaming of one word (session -> trace in lower/Title/UPPER).
fn expected_word(w: &str) -> String {
    match w {
        "session" => "trace".into(),
        "Session" => "Trace".into(),
        "SESSION" => "TRACE".into(),
        "sessions" => "traces".into(),
        "Sessions" => "Traces".into(),
        "SESSIONS" => "TRACES".into(),
        other => other.into(),
    }
}

/// Reference tokenizer: maximal ASCII `[A-Za-z0-9_]+` runs, each renamed on its own.
fn rename_tokens_one_by_one(r: &Renamer, text: &str) -> String {
    let mut out = String::new();
    let mut token = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            token.push(c);
        } else {
            if !token.is_empty() {
                out.push_str(&r.rename(&token).unwrap_or_else(|| token.clone()));
                token.clear();
            }
            out.push(c);
        }
    }
    if !token.is_empty() {
        out.push_str(&r.rename(&token).unwrap_or(token));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn rename_is_idempotent(s in ident()) {
        let r = renamer();
        if let Some(once) = r.rename(&s) {
            prop_assert_ne!(&once, &s);
            let twice = r.rename(&once);
            prop_assert!(twice.is_none() || twice.as_deref() == Some(once.as_str()), "{} -> {} -> {:?}", s, once, twice);
        }
    }

    #[test]
    fn no_term_no_change(s in ident_from(NO_TERM_POOL)) {
        prop_assert_eq!(renamer().rename(&s), None);
    }

    #[test]
    fn split_join_round_trip(s in ident()) {
        let ranges = split(&s);
        let mut last = 0;
        for r in &ranges {
            prop_assert!(r.start < r.end, "empty word in {:?}", s);
            prop_assert!(r.start >= last, "unordered words in {:?}", s);
            prop_assert!(s[last..r.start].chars().all(is_sep), "gap with a letter in {:?}", s);
            prop_assert!(s[r.clone()].chars().all(|c| !is_sep(c)), "word with a separator in {:?}", s);
            last = r.end;
        }
        prop_assert!(s[last..].chars().all(is_sep));
        let (words, gaps) = words_and_gaps(&s);
        let mut joined = String::new();
        for (g, w) in gaps.iter().zip(&words) {
            joined.push_str(g);
            joined.push_str(w);
        }
        joined.push_str(gaps.last().unwrap());
        prop_assert_eq!(joined, s);
    }

    #[test]
    fn split_is_safe_on_any_text(s in "\\PC{0,40}") {
        let mut last = 0;
        for r in split(&s) {
            prop_assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
            prop_assert!(r.start >= last && r.start < r.end);
            last = r.end;
        }
        let r = renamer();
        if let Some(new) = r.rename(&s) {
            prop_assert!(r.may_contain(s.as_bytes()));
            prop_assert_eq!(r.rename(&new), None);
        }
    }

    #[test]
    fn rename_keeps_other_words_and_separators(s in ident()) {
        let r = renamer();
        let new = r.rename(&s).unwrap_or_else(|| s.clone());
        let (old_words, old_gaps) = words_and_gaps(&s);
        let (new_words, new_gaps) = words_and_gaps(&new);
        prop_assert_eq!(&old_gaps, &new_gaps, "{} -> {}", s, new);
        prop_assert_eq!(old_words.len(), new_words.len(), "{} -> {}", s, new);
        for (o, n) in old_words.iter().zip(&new_words) {
            prop_assert_eq!(&expected_word(o), n, "{} -> {}", s, new);
        }
        if r.rename(&s).is_some() {
            prop_assert!(r.may_contain(s.as_bytes()));
        }
    }

    #[test]
    fn find_in_text_equals_tokens_renamed_one_by_one(t in text()) {
        let r = renamer();
        let edits = r.find_in_text(&t);
        let mut out = String::new();
        let mut last = 0;
        for (range, new) in &edits {
            prop_assert!(range.start >= last, "overlapping or unordered edits");
            out.push_str(&t[last..range.start]);
            out.push_str(new);
            last = range.end;
        }
        out.push_str(&t[last..]);
        prop_assert_eq!(out, rename_tokens_one_by_one(&r, &t));
        if !edits.is_empty() {
            prop_assert!(r.may_contain(t.as_bytes()));
        }
    }
}
