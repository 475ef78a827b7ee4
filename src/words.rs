//! The term engine: split identifiers into words, rename the words that are a retired term while
//! keeping each word's case, derive plurals.
//!
//! An identifier is split into words at separators (`_ - . $` and any other non-alphanumeric
//! character), at lower->Upper changes (`sessionId`), at the end of an acronym run
//! (`HTTPSessionID` -> `HTTP`, `Session`, `ID`) and around digit runs (`v2sessions` -> `v`, `2`,
//! `sessions`). A word is renamed only when it *is* a term (singular or plural) written in one of
//! three case styles: `session`, `Session`, `SESSION`. The replacement takes the same style; every
//! other byte of the identifier is kept. Words that merely contain the term (`possession`,
//! `sessionid`) or mix cases (`SeSSion`) are not matches.

use std::collections::HashMap;
use std::ops::Range;

use regex::bytes::{Regex, RegexBuilder};

/// One retired word and its replacement, with both plural forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub from: String,
    pub to: String,
    pub from_plural: String,
    pub to_plural: String,
}

impl Term {
    /// A term with regular English plurals derived (`session -> sessions`, `policy -> policies`,
    /// `address -> addresses`). Both words are stored lowercase.
    pub fn new(from: &str, to: &str) -> Term {
        let from = from.to_lowercase();
        let to = to.to_lowercase();
        Term { from_plural: plural(&from), to_plural: plural(&to), from, to }
    }

    /// A term with explicit (irregular) plurals; all four words are stored lowercase.
    pub fn with_plurals(from: &str, to: &str, from_plural: &str, to_plural: &str) -> Term {
        Term {
            from: from.to_lowercase(),
            to: to.to_lowercase(),
            from_plural: from_plural.to_lowercase(),
            to_plural: to_plural.to_lowercase(),
        }
    }
}

/// The regular English plural of a lowercase word: `s/x/z/ch/sh -> +es`, consonant + `y -> ies`,
/// otherwise `+s`.
pub fn plural(word: &str) -> String {
    let b = word.as_bytes();
    if word.ends_with('s')
        || word.ends_with('x')
        || word.ends_with('z')
        || word.ends_with("ch")
        || word.ends_with("sh")
    {
        format!("{word}es")
    } else if b.len() >= 2
        && b[b.len() - 1] == b'y'
        && b[b.len() - 2].is_ascii_alphabetic()
        && !matches!(b[b.len() - 2], b'a' | b'e' | b'i' | b'o' | b'u')
    {
        format!("{}ies", &word[..word.len() - 1])
    } else {
        format!("{word}s")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Upper,
    /// ASCII lowercase and every non-ASCII alphanumeric character.
    Lower,
    Digit,
    Sep,
}

fn class(c: char) -> Class {
    if c.is_ascii_uppercase() {
        Class::Upper
    } else if c.is_ascii_lowercase() {
        Class::Lower
    } else if c.is_ascii_digit() {
        Class::Digit
    } else if !c.is_ascii() && c.is_alphanumeric() {
        Class::Lower
    } else {
        Class::Sep
    }
}

/// Byte ranges of the words of an identifier, separators excluded. Splits on `_`, `-`, `.`, `$`,
/// lower->upper (`sessionId`), acronym ends (`HTTPSessionID` -> HTTP, Session, ID) and digit runs.
pub fn split(ident: &str) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    // Start of the current word, if inside one.
    let mut start: Option<usize> = None;
    // Previous char: its byte index and class (only meaningful inside a word).
    let mut prev: Option<(usize, Class)> = None;
    // The char before `prev`, inside the current word.
    let mut prev2: Option<Class> = None;
    for (i, c) in ident.char_indices() {
        let cl = class(c);
        if cl == Class::Sep {
            if let Some(s) = start.take() {
                words.push(s..i);
            }
            prev = None;
            prev2 = None;
            continue;
        }
        match (start, prev) {
            (Some(s), Some((pi, pc))) => {
                let boundary_here = match (pc, cl) {
                    (Class::Digit, Class::Digit) => false,
                    (Class::Digit, _) | (_, Class::Digit) => true,
                    (Class::Lower, Class::Upper) => true,
                    _ => false,
                };
                if boundary_here {
                    words.push(s..i);
                    start = Some(i);
                    prev2 = None;
                } else if pc == Class::Upper && cl == Class::Lower && prev2 == Some(Class::Upper) {
                    // End of an acronym run: the last capital starts the next word.
                    words.push(s..pi);
                    start = Some(pi);
                    prev2 = Some(Class::Upper);
                } else {
                    prev2 = Some(pc);
                }
            }
            _ => {
                start = Some(i);
                prev2 = None;
            }
        }
        prev = Some((i, cl));
    }
    if let Some(s) = start {
        words.push(s..ident.len());
    }
    words
}

/// The case style of a word that may be renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Lower,
    Title,
    Upper,
}

fn case_of(word: &str) -> Option<Case> {
    let mut chars = word.chars();
    let first = chars.next()?;
    let rest = chars.as_str();
    let has_upper = rest.bytes().any(|b| b.is_ascii_uppercase());
    let has_lower = rest.chars().any(|c| c.is_ascii_lowercase() || (!c.is_ascii() && c.is_alphabetic()));
    if !first.is_ascii_uppercase() {
        (!has_upper).then_some(Case::Lower)
    } else if !has_upper {
        // `Session`, and a single capital.
        Some(Case::Title)
    } else if !has_lower {
        Some(Case::Upper)
    } else {
        None
    }
}

fn in_case(word: &str, case: Case) -> String {
    match case {
        Case::Lower => word.to_owned(),
        Case::Upper => word.to_uppercase(),
        Case::Title => {
            let mut chars = word.chars();
            match chars.next() {
                Some(f) => f.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        }
    }
}

/// Compiled terms and whole-identifier overrides.
#[derive(Debug, Clone)]
pub struct Renamer {
    terms: Vec<Term>,
    overrides: HashMap<String, String>,
    /// Every term's forms and override key.
    prefilter: Literals,
    /// The same for the new words and override targets.
    targets: Literals,
}

impl Renamer {
    pub fn new(terms: Vec<Term>, overrides: Vec<(String, String)>) -> Renamer {
        let mut patterns: Vec<String> = Vec::new();
        for t in &terms {
            patterns.push(t.from.clone());
            // Regular plurals contain the singular; irregular ones (people) do not.
            if !t.from_plural.to_ascii_lowercase().contains(&t.from.to_ascii_lowercase()) {
                patterns.push(t.from_plural.clone());
            }
        }
        let mut targets: Vec<String> = terms.iter().flat_map(|t| [t.to.clone(), t.to_plural.clone()]).collect();
        let mut map = HashMap::new();
        for (from, to) in overrides {
            patterns.push(from.clone());
            targets.push(to.clone());
            map.entry(from).or_insert(to);
        }
        Renamer { terms, overrides: map, prefilter: Literals::new(patterns), targets: Literals::new(targets) }
    }

    /// The terms this renamer applies, in rule-file order.
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// The whole-identifier override for `ident`, if one names it exactly.
    pub fn override_for(&self, ident: &str) -> Option<&str> {
        self.overrides.get(ident).map(String::as_str)
    }

    /// The replacement of one word, if it is a term form in lower, Title or UPPER case.
    fn rename_word(&self, word: &str) -> Option<String> {
        let matches = |form: &str| !form.is_empty() && word.eq_ignore_ascii_case(form);
        let replacement = self.terms.iter().find_map(|t| {
            if matches(&t.from) {
                Some(t.to.as_str())
            } else if matches(&t.from_plural) {
                Some(t.to_plural.as_str())
            } else {
                None
            }
        })?;
        let case = case_of(word)?;
        Some(in_case(replacement, case))
    }

    /// The new spelling of an identifier-like token, or `None` when no word of it is a term
    /// (singular or plural, lower/Title/UPPER case) and no override names it.
    /// `session_id -> trace_id`, `ISessionAndStats -> ITraceAndStats`, `SESSIONS -> TRACES`,
    /// `possession -> None`.
    pub fn rename(&self, ident: &str) -> Option<String> {
        if let Some(to) = self.overrides.get(ident) {
            return (to != ident).then(|| to.clone());
        }
        // Most identifiers hold no term: no word of them can change.
        if !self.may_contain(ident.as_bytes()) {
            return None;
        }
        let mut out = String::with_capacity(ident.len() + 8);
        let mut last = 0;
        let mut changed = false;
        for range in split(ident) {
            if let Some(new) = self.rename_word(&ident[range.clone()]) {
                out.push_str(&ident[last..range.start]);
                out.push_str(&new);
                last = range.end;
                changed = true;
            }
        }
        if !changed {
            return None;
        }
        out.push_str(&ident[last..]);
        (out != ident).then_some(out)
    }

    /// The new word that renaming `ident` writes next to the same word already there
    /// (`get_sessions_as_traces` -> `get_traces_as_traces` repeats `trace`): such a name reads as
    /// a slip, so a person chooses it. A term's singular and plural count as one word; a word
    /// the rename merely carries over (`end_session_or_session`) is not a new repeat.
    pub fn repeated_word(&self, ident: &str) -> Option<String> {
        // A repeat needs a new word already written in the name; most names hold none.
        if !self.may_contain_target(ident.as_bytes()) {
            return None;
        }
        let mut renamed = Vec::new();
        let mut kept = Vec::new();
        for word in split(ident).into_iter().map(|r| &ident[r]) {
            match self.rename_word(word) {
                Some(new) => renamed.push(self.singular(new.to_lowercase())),
                None => kept.push(self.singular(word.to_lowercase())),
            }
        }
        let mut repeated: Vec<String> = renamed.into_iter().filter(|w| kept.contains(w)).collect();
        repeated.sort();
        repeated.into_iter().next()
    }

    /// A term's plural as its singular; any other word as it is.
    fn singular(&self, word: String) -> String {
        // Compared char by char: this runs for every word of every renamed name.
        let is = |spelling: &str| spelling.chars().flat_map(char::to_lowercase).eq(word.chars());
        let term = self.terms.iter().find_map(|t| {
            if is(&t.to_plural) {
                Some(t.to.to_lowercase())
            } else if is(&t.from_plural) {
                Some(t.from.to_lowercase())
            } else {
                None
            }
        });
        term.unwrap_or(word)
    }

    /// Lowercase words of `ident` (for sense checks).
    pub fn words(&self, ident: &str) -> Vec<String> {
        split(ident).into_iter().map(|r| ident[r].to_lowercase()).collect()
    }

    /// Every maximal `[A-Za-z0-9_]+` token of free text (comments, strings, paths) that `rename`
    /// changes, with its byte range and new spelling.
    pub fn find_in_text(&self, text: &str) -> Vec<(Range<usize>, String)> {
        let mut found = Vec::new();
        if !self.may_contain(text.as_bytes()) {
            return found;
        }
        for range in tokens(text) {
            if let Some(new) = self.rename(&text[range.clone()]) {
                found.push((range, new));
            }
        }
        found
    }

    /// Cheap test over raw bytes: could `bytes` contain any term in any case? No false negatives.
    pub fn may_contain(&self, bytes: &[u8]) -> bool {
        self.prefilter.any_in(bytes)
    }

    /// The length of the longest literal [`Renamer::may_contain`] looks for: text read a block
    /// at a time is tested with this many bytes less one carried over from the block before.
    pub fn longest_literal(&self) -> usize {
        self.prefilter.lowered.iter().map(Vec::len).max().unwrap_or(0)
    }

    /// The same test for the new words: where none is written, no rename can clash.
    pub fn may_contain_target(&self, bytes: &[u8]) -> bool {
        self.targets.any_in(bytes)
    }
}

/// Literals searched ASCII case-insensitively over raw bytes.
#[derive(Debug, Clone)]
struct Literals {
    /// A regex of the literals, not an Aho-Corasick automaton: its SIMD search over case variants
    /// scans clean files about three times faster.
    regex: Regex,
    /// The literals lowercased, for short inputs: a regex search costs several hundred
    /// instructions to start, more than comparing a name byte by byte.
    lowered: Vec<Vec<u8>>,
}

impl Literals {
    /// Inputs up to this many bytes (names, keys, words) are compared directly.
    const SHORT: usize = 64;

    fn new(mut literals: Vec<String>) -> Literals {
        literals.retain(|p| !p.is_empty());
        let alternatives: Vec<String> = literals.iter().map(|p| regex::escape(p)).collect();
        let pattern = match alternatives.is_empty() {
            true => r"[^\x00-\xFF]".to_owned(), // matches nothing
            false => format!("(?i-u:{})", alternatives.join("|")),
        };
        let regex = RegexBuilder::new(&pattern).unicode(false).build().expect("term patterns are escaped literals");
        let lowered = literals.iter().map(|p| p.as_bytes().to_ascii_lowercase()).collect();
        Literals { regex, lowered }
    }

    /// Whether any literal occurs in `bytes`, in any ASCII case.
    fn any_in(&self, bytes: &[u8]) -> bool {
        if bytes.len() > Self::SHORT {
            return self.regex.is_match(bytes);
        }
        self.lowered.iter().any(|literal| {
            let Some((&first, _)) = literal.split_first() else { return false };
            bytes.len() >= literal.len()
                && bytes
                    .windows(literal.len())
                    .any(|window| window[0].to_ascii_lowercase() == first && window.eq_ignore_ascii_case(literal))
        })
    }
}

/// Byte ranges of the maximal ASCII `[A-Za-z0-9_]+` tokens of `text`.
pub fn tokens(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let is_tok = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if is_tok(bytes[i]) {
            let s = i;
            while i < bytes.len() && is_tok(bytes[i]) {
                i += 1;
            }
            out.push(s..i);
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renamer() -> Renamer {
        Renamer::new(vec![Term::new("session", "trace")], vec![])
    }

    fn words_of(s: &str) -> Vec<&str> {
        split(s).into_iter().map(|r| &s[r]).collect()
    }

    #[test]
    fn renames_that_repeat_a_word() {
        let r = renamer();
        assert_eq!(r.repeated_word("get_sessions_as_traces").as_deref(), Some("trace"));
        assert_eq!(r.repeated_word("sessionToTrace").as_deref(), Some("trace"));
        assert_eq!(r.repeated_word("SESSION_TRACE").as_deref(), Some("trace"));
        // Repeats the rename only carries over, or none at all.
        assert_eq!(r.repeated_word("end_session_without_current_session"), None);
        assert_eq!(r.repeated_word("get_session_by_id_or_id"), None);
        assert_eq!(r.repeated_word("session_id"), None);
    }

    #[test]
    fn plurals() {
        let t = Term::new("Session", "TRACE");
        assert_eq!(t.from, "session");
        assert_eq!(t.to, "trace");
        assert_eq!(t.from_plural, "sessions");
        assert_eq!(t.to_plural, "traces");
        assert_eq!(plural("policy"), "policies");
        assert_eq!(plural("day"), "days");
        assert_eq!(plural("address"), "addresses");
        assert_eq!(plural("box"), "boxes");
        assert_eq!(plural("quiz"), "quizes");
        assert_eq!(plural("batch"), "batches");
        assert_eq!(plural("wish"), "wishes");
        assert_eq!(plural("span"), "spans");
    }

    #[test]
    fn splits() {
        assert_eq!(words_of("session_id"), ["session", "id"]);
        assert_eq!(words_of("sessionId"), ["session", "Id"]);
        assert_eq!(words_of("HTTPSessionID"), ["HTTP", "Session", "ID"]);
        assert_eq!(words_of("ISessionAndStats"), ["I", "Session", "And", "Stats"]);
        assert_eq!(words_of("v2sessions"), ["v", "2", "sessions"]);
        assert_eq!(words_of("__session__"), ["session"]);
        assert_eq!(words_of("pkg.session.store"), ["pkg", "session", "store"]);
        assert_eq!(words_of("a$b-c d"), ["a", "b", "c", "d"]);
        assert_eq!(words_of("SeSSion"), ["Se", "S", "Sion"]);
        assert_eq!(words_of("MY_SESSIONS"), ["MY", "SESSIONS"]);
        assert_eq!(words_of("HTTP2Session"), ["HTTP", "2", "Session"]);
        assert_eq!(words_of(""), Vec::<&str>::new());
        assert_eq!(words_of("___"), Vec::<&str>::new());
    }

    #[test]
    fn splits_unicode_safely() {
        assert_eq!(words_of("séssion_Ünïcode"), ["séssion", "Ünïcode"]);
        assert_eq!(words_of("naïveSession"), ["naïve", "Session"]);
        assert_eq!(words_of("日本session"), ["日本session"]);
        assert_eq!(words_of("a→b"), ["a", "b"]);
        assert_eq!(words_of("ÀB"), ["À", "B"]);
        let r = renamer();
        assert_eq!(r.rename("naïveSession").as_deref(), Some("naïveTrace"));
        assert_eq!(r.rename("séssion"), None);
        assert_eq!(r.rename("sessionñ"), None);
        assert_eq!(r.rename("session→id").as_deref(), Some("trace→id"));
    }

    #[test]
    fn renames_documented_examples() {
        let r = renamer();
        let cases = [
            ("session_id", "trace_id"),
            ("sessionId", "traceId"),
            ("SessionId", "TraceId"),
            ("SESSION_ID", "TRACE_ID"),
            ("get_sessions", "get_traces"),
            ("ISessionAndStats", "ITraceAndStats"),
            ("IExtendedSession", "IExtendedTrace"),
            ("session-drawer", "trace-drawer"),
            ("HTTPSessionID", "HTTPTraceID"),
            ("__session__", "__trace__"),
            ("sessions", "traces"),
            ("Sessions", "Traces"),
            ("SESSIONS", "TRACES"),
            ("MY_SESSIONS", "MY_TRACES"),
            ("pkg.session.store", "pkg.trace.store"),
            ("session", "trace"),
            ("Session", "Trace"),
            ("SESSION", "TRACE"),
            ("v2sessions", "v2traces"),
            ("session2", "trace2"),
            ("$session", "$trace"),
            ("SESSIONId", "TRACEId"),
        ];
        for (from, to) in cases {
            assert_eq!(r.rename(from).as_deref(), Some(to), "{from}");
        }
    }

    #[test]
    fn leaves_non_matches() {
        let r = renamer();
        for s in [
            "trace_id", "possession", "sessional", "sessionid", "SeSSion", "Sessionid", "SESSIONs", "",
            "__", "x2", "obsessions", "SESSIONSTATE",
        ] {
            assert_eq!(r.rename(s), None, "{s}");
        }
    }

    #[test]
    fn irregular_plurals() {
        let t = Term::with_plurals("person", "user", "people", "users");
        let r = Renamer::new(vec![t], vec![]);
        assert_eq!(r.rename("people_count").as_deref(), Some("users_count"));
        assert_eq!(r.rename("PEOPLE").as_deref(), Some("USERS"));
        assert_eq!(r.rename("listPeople").as_deref(), Some("listUsers"));
        assert_eq!(r.rename("Person").as_deref(), Some("User"));
        assert_eq!(r.rename("persons"), None);
        assert!(r.may_contain(b"all PEOPLE here"));
        assert!(r.may_contain(b"a person"));
        assert!(!r.may_contain(b"nobody"));
        let literal = Renamer::new(
            vec![Term { from: "person".into(), to: "user".into(), from_plural: "people".into(), to_plural: "users".into() }],
            vec![],
        );
        assert_eq!(literal.rename("people").as_deref(), Some("users"));
    }

    #[test]
    fn overrides_win() {
        let r = Renamer::new(
            vec![Term::new("session", "trace")],
            vec![
                ("ISessionAndStats".into(), "ITraceWithStats".into()),
                ("Sess".into(), "Trc".into()),
            ],
        );
        assert_eq!(r.rename("ISessionAndStats").as_deref(), Some("ITraceWithStats"));
        assert_eq!(r.rename("isessionandstats"), None);
        assert_eq!(r.rename("Sess").as_deref(), Some("Trc"));
        assert_eq!(r.rename("ISessionAndStatsX").as_deref(), Some("ITraceAndStatsX"));
        assert_eq!(r.override_for("Sess"), Some("Trc"));
        assert_eq!(r.override_for("sess"), None);
        assert!(r.may_contain(b"x = Sess"));
        assert!(r.may_contain(b"x = SESS"));
    }

    #[test]
    fn words_are_lowercase() {
        let r = renamer();
        assert_eq!(r.words("HTTPSessionID"), ["http", "session", "id"]);
        assert_eq!(r.words("orm_session"), ["orm", "session"]);
    }

    #[test]
    fn finds_in_text() {
        let r = renamer();
        let text = "Each Session has a session_id; see session-drawer and pkg.sessions, not possession. é session";
        let found = r.find_in_text(text);
        let got: Vec<(&str, &str)> = found.iter().map(|(rg, new)| (&text[rg.clone()], new.as_str())).collect();
        assert_eq!(
            got,
            [
                ("Session", "Trace"),
                ("session_id", "trace_id"),
                ("session", "trace"),
                ("sessions", "traces"),
                ("session", "trace"),
            ]
        );
        assert!(r.find_in_text("nothing here").is_empty());
        assert!(r.find_in_text("").is_empty());
        assert_eq!(r.find_in_text("ünsession session").len(), 1);
    }

    #[test]
    fn prefilter() {
        let r = renamer();
        assert!(r.may_contain(b"SeSsIoN"));
        assert!(r.may_contain(b"xx\xffsession\xfe"));
        assert!(!r.may_contain(b"trace only"));
        assert!(!r.may_contain(b""));
        let empty = Renamer::new(vec![], vec![]);
        assert!(!empty.may_contain(b"session"));
        assert_eq!(empty.rename("session"), None);
    }

    proptest::proptest! {
        /// Short inputs are compared byte by byte, long ones searched by the regex: both give the
        /// same answer on either side of the cut, whatever the bytes and their case.
        #[test]
        fn short_and_long_inputs_get_the_regex_answer(
            bytes in proptest::collection::vec(proptest::sample::select(b"sSeEiIoOnNpPlL_ -\xff\xc3".to_vec()), 0..2 * Literals::SHORT),
        ) {
            let literals = Literals::new(vec!["Session".into(), "people".into(), "".into(), "n".into()]);
            proptest::prop_assert_eq!(literals.any_in(&bytes), literals.regex.is_match(&bytes));
            let rare = Literals::new(vec!["sessions".into(), "ion_s".into()]);
            proptest::prop_assert_eq!(rare.any_in(&bytes), rare.regex.is_match(&bytes));
            let none = Literals::new(vec![]);
            proptest::prop_assert!(!none.any_in(&bytes));
        }
    }
}
