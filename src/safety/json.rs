//! Duplicate keys in JSON documents: a key whose rename lands on a key of the same object (one
//! already there, or another renamed one) stays, as a conflict naming the other key. Parsers keep
//! one of two equal keys and drop the other without a word.

use std::collections::HashMap;
use std::ops::Range;

use crate::lang::Context;
use crate::plan::{FilePlan, Location, Verdict};

use super::values::renamed_text;

/// Turn the renames inside clashing keys of `text` (a JSON document) into conflicts.
pub fn check_keys(text: &str, cx: &Context<'_>, plan: &mut FilePlan) {
    let lines = crate::engine::Lines::new(text);
    for object in objects(text) {
        let mut landing: HashMap<String, Vec<&Range<usize>>> = HashMap::new();
        for key in &object {
            let name = &text[key.clone()];
            let new = renamed_text(cx.rules, name).unwrap_or_else(|| name.to_owned());
            landing.entry(new).or_default().push(key);
        }
        for (new, keys) in landing.iter().filter(|(_, keys)| keys.len() > 1) {
            for key in keys.iter().filter(|k| text[(**k).clone()] != **new) {
                let other = keys.iter().find(|o| *o != key).expect("two keys or more");
                let (line, column) = lines.line_column(other.start);
                let why = format!("the JSON object would hold key `{new}` twice");
                let other = Location { path: cx.path.to_path_buf(), line, column };
                let renames = plan.spellings_within(key, |v| matches!(v, Verdict::Rename { .. }));
                plan.demote(renames.into_iter().map(|(range, to)| {
                    (range, Verdict::Conflict { to, why: why.clone(), other: Some(other.clone()), suggestion: None })
                }));
            }
        }
    }
}

/// The key ranges (between the quotes) of every object in a JSON text, object by object. Not a
/// validator: anything it does not understand is skipped.
fn objects(text: &str) -> Vec<Vec<Range<usize>>> {
    let bytes = text.as_bytes();
    let mut done = Vec::new();
    // One entry per open bracket: `Some(keys)` for an object, `None` for an array.
    let mut open: Vec<Option<Vec<Range<usize>>>> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => open.push(Some(Vec::new())),
            b'[' => open.push(None),
            b'}' | b']' => {
                if let Some(Some(keys)) = open.pop() {
                    done.push(keys);
                }
            }
            b'"' => {
                let start = i + 1;
                i = start;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                let is_key = text[(i + 1).min(text.len())..].trim_start().starts_with(':');
                if let (true, Some(Some(keys))) = (is_key && i < bytes.len(), open.last_mut()) {
                    keys.push(start..i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_each_object() {
        let text = r#"{"a": {"b\"": 1, "c": [{"d": "e"}]}, "f": "g"}"#;
        let keys: Vec<Vec<&str>> = objects(text).into_iter().map(|o| o.into_iter().map(|r| &text[r]).collect()).collect();
        assert_eq!(keys, vec![vec!["d"], vec!["b\\\"", "c"], vec!["a", "f"]]);
    }
}
