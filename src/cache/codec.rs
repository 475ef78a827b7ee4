//! The binary form of cache entries: varints, hashes as eight bytes, length-prefixed bytes and
//! one tag byte per enum variant. Entries are read on every warm run, so they are decoded without
//! a self-describing format (JSON spent most of a warm run rebuilding tagged enums).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::hash::{BuildHasher, Hash};
use std::ops::Range;
use std::path::PathBuf;

use crate::check::Summary;
use crate::edit::Edit;
use crate::engine::{FileError, LocatedFinding};
use crate::plan::{FilePlan, Finding, KeepReason, Location, Role, Share, Verdict};
use crate::project::{PathFinding, TsAlias};
use crate::reads::{KeptReads, Read};

/// A value that can be written to and read back from an entry.
pub trait Codec: Sized {
    fn encode(&self, out: &mut Vec<u8>);
    /// `None` when the bytes are not a value of this type (a damaged or foreign entry).
    fn decode(input: &mut &[u8]) -> Option<Self>;
}

fn byte(input: &mut &[u8]) -> Option<u8> {
    let (&first, rest) = input.split_first()?;
    *input = rest;
    Some(first)
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    (n <= input.len()).then(|| {
        let (head, rest) = input.split_at(n);
        *input = rest;
        head
    })
}

/// Hashes, which fill their 64 bits: eight bytes as they are (a varint would take ten, one by one).
impl Codec for u64 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }

    fn decode(input: &mut &[u8]) -> Option<u64> {
        Some(u64::from_le_bytes(take(input, 8)?.try_into().ok()?))
    }
}

/// Lengths, counts and offsets, mostly small: a varint.
impl Codec for usize {
    fn encode(&self, out: &mut Vec<u8>) {
        let mut v = *self as u64;
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    fn decode(input: &mut &[u8]) -> Option<usize> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = byte(input)?;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return usize::try_from(v).ok();
            }
        }
        None
    }
}

impl Codec for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }

    fn decode(input: &mut &[u8]) -> Option<bool> {
        match byte(input)? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

impl Codec for String {
    fn encode(&self, out: &mut Vec<u8>) {
        self.len().encode(out);
        out.extend_from_slice(self.as_bytes());
    }

    fn decode(input: &mut &[u8]) -> Option<String> {
        let n = usize::decode(input)?;
        String::from_utf8(take(input, n)?.to_vec()).ok()
    }
}

/// Text that is only ever written out again, such as a printed report: read back without the
/// UTF-8 check a `String` takes, since nothing looks at it as text.
#[derive(Debug, Default, PartialEq)]
pub struct Bytes(pub Vec<u8>);

impl Codec for Bytes {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.len().encode(out);
        out.extend_from_slice(&self.0);
    }

    fn decode(input: &mut &[u8]) -> Option<Bytes> {
        let n = usize::decode(input)?;
        Some(Bytes(take(input, n)?.to_vec()))
    }
}

impl Codec for PathBuf {
    fn encode(&self, out: &mut Vec<u8>) {
        let bytes = self.as_os_str().as_encoded_bytes();
        bytes.len().encode(out);
        out.extend_from_slice(bytes);
    }

    fn decode(input: &mut &[u8]) -> Option<PathBuf> {
        use std::os::unix::ffi::OsStrExt;
        let n = usize::decode(input)?;
        Some(PathBuf::from(std::ffi::OsStr::from_bytes(take(input, n)?)))
    }
}

impl<T: Codec> Codec for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.is_some().encode(out);
        if let Some(value) = self {
            value.encode(out);
        }
    }

    fn decode(input: &mut &[u8]) -> Option<Option<T>> {
        Some(if bool::decode(input)? { Some(T::decode(input)?) } else { None })
    }
}

impl<T: Codec> Codec for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.len().encode(out);
        for item in self {
            item.encode(out);
        }
    }

    fn decode(input: &mut &[u8]) -> Option<Vec<T>> {
        let n = usize::decode(input)?;
        // Each item takes a byte at least: a damaged length cannot make a huge allocation.
        let mut items = Vec::with_capacity(n.min(input.len()));
        for _ in 0..n {
            items.push(T::decode(input)?);
        }
        Some(items)
    }
}

/// Sets and maps: as a `Vec` of their items.
fn encode_items<'a, T: Codec + 'a>(len: usize, items: impl Iterator<Item = &'a T>, out: &mut Vec<u8>) {
    len.encode(out);
    items.for_each(|item| item.encode(out));
}

fn decode_items<T: Codec, C: FromIterator<T>>(input: &mut &[u8]) -> Option<C> {
    Some(Vec::<T>::decode(input)?.into_iter().collect())
}

impl<T: Codec + Hash + Eq, S: BuildHasher + Default> Codec for HashSet<T, S> {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_items(self.len(), self.iter(), out);
    }

    fn decode(input: &mut &[u8]) -> Option<HashSet<T, S>> {
        decode_items(input)
    }
}

impl<T: Codec + Ord> Codec for BTreeSet<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_items(self.len(), self.iter(), out);
    }

    fn decode(input: &mut &[u8]) -> Option<BTreeSet<T>> {
        decode_items(input)
    }
}

impl<K: Codec + Ord, V: Codec> Codec for BTreeMap<K, V> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.len().encode(out);
        for (key, value) in self {
            key.encode(out);
            value.encode(out);
        }
    }

    fn decode(input: &mut &[u8]) -> Option<BTreeMap<K, V>> {
        decode_items::<(K, V), _>(input)
    }
}

impl<A: Codec, B: Codec> Codec for (A, B) {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
        self.1.encode(out);
    }

    fn decode(input: &mut &[u8]) -> Option<(A, B)> {
        Some((A::decode(input)?, B::decode(input)?))
    }
}

impl Codec for Range<usize> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.start.encode(out);
        self.end.encode(out);
    }

    fn decode(input: &mut &[u8]) -> Option<Range<usize>> {
        Some(usize::decode(input)?..usize::decode(input)?)
    }
}

/// Structs: each field in order.
macro_rules! fields {
    ($type:ident { $($field:ident),* }) => {
        impl $crate::cache::codec::Codec for $type {
            fn encode(&self, out: &mut Vec<u8>) {
                $($crate::cache::codec::Codec::encode(&self.$field, out);)*
            }

            fn decode(input: &mut &[u8]) -> Option<$type> {
                Some($type { $($field: $crate::cache::codec::Codec::decode(input)?),* })
            }
        }
    };
}

/// For types kept elsewhere whose fields are all kept, in order.
pub(crate) use fields;

/// Enums: a tag byte (the variant's place in the list), then its fields in order.
macro_rules! variants {
    ($type:ident { $($tag:literal => $variant:ident { $($field:ident),* }),* $(,)? }) => {
        impl Codec for $type {
            fn encode(&self, out: &mut Vec<u8>) {
                match self {
                    $($type::$variant { $($field),* } => {
                        out.push($tag);
                        $($field.encode(out);)*
                    })*
                }
            }

            fn decode(input: &mut &[u8]) -> Option<$type> {
                match byte(input)? {
                    $($tag => Some($type::$variant { $($field: Codec::decode(input)?),* }),)*
                    _ => None,
                }
            }
        }
    };
}

fields!(Edit { range, replacement });
fields!(Location { path, line, column });
fields!(Finding { range, text, role, verdict });
fields!(FilePlan { edits, findings, shares });
fields!(LocatedFinding { location, finding, line_text, suppressed });
fields!(FileError { location, message });
fields!(Summary { files_changed, files_moved, renames, reviews, conflicts, kept, suppressed, baselined, errors });
fields!(PathFinding { path, name, verdict, file });
fields!(TsAlias { prefix, target });
fields!(KeptReads { reads, groups });

/// A role by its place in [`Role::ALL`].
impl Codec for Role {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(Role::ALL.iter().position(|r| r == self).expect("every role is in Role::ALL") as u8);
    }

    fn decode(input: &mut &[u8]) -> Option<Role> {
        Role::ALL.get(usize::from(byte(input)?)).copied()
    }
}

variants!(KeepReason {
    0 => Foreign { module },
    1 => KeepList { entry },
    2 => Global { name },
    3 => Sense { word },
    4 => History {},
    5 => NotRewritten {},
    6 => Off {},
});

variants!(Verdict {
    0 => Rename { to },
    1 => Review { to, why },
    2 => Keep { reason },
    3 => Conflict { to, why, other, suggestion },
});

variants!(Share {
    0 => Name { name, at },
    1 => Member { owner, name, at },
    2 => Keyword { callable, name, at },
    3 => Literal { content, at },
});

variants!(Read {
    0 => File { path, hash },
    1 => IsFile { path, is },
    2 => Folder { path, listing },
    3 => Shared { question, answer },
    4 => IsFolder { path, is },
});

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip<T: Codec + PartialEq + std::fmt::Debug>(value: &T) {
        let mut bytes = Vec::new();
        value.encode(&mut bytes);
        let mut input = &bytes[..];
        assert_eq!(T::decode(&mut input).as_ref(), Some(value));
        assert!(input.is_empty(), "{value:?} left {} bytes", input.len());
        // Every shorter prefix is refused, never misread.
        for cut in 0..bytes.len() {
            let mut input = &bytes[..cut];
            assert_ne!(T::decode(&mut input).as_ref(), Some(value), "a {cut}-byte prefix of {value:?}");
        }
    }

    fn verdict(tag: u8, a: String, b: String, n: usize) -> Verdict {
        let reasons = [
            KeepReason::Foreign { module: a.clone() },
            KeepReason::KeepList { entry: a.clone() },
            KeepReason::Global { name: a.clone() },
            KeepReason::Sense { word: a.clone() },
            KeepReason::History,
            KeepReason::NotRewritten,
            KeepReason::Off,
        ];
        match tag % 4 {
            0 => Verdict::Rename { to: a },
            1 => Verdict::Review { to: a, why: b },
            2 => Verdict::Keep { reason: reasons[n % reasons.len()].clone() },
            _ => Verdict::Conflict {
                to: a,
                why: b.clone(),
                other: n.is_multiple_of(2).then(|| Location { path: PathBuf::from(&b), line: n, column: n / 3 }),
                suggestion: n.is_multiple_of(3).then_some(b),
            },
        }
    }

    proptest! {
        #[test]
        fn plans_and_reads_read_back_as_written(
            words in proptest::collection::vec(".{0,12}", 1..6),
            numbers in proptest::collection::vec(any::<usize>(), 1..6),
            hash in any::<Option<u64>>(),
        ) {
            let word = |i: usize| words[i % words.len()].clone();
            let number = |i: usize| numbers[i % numbers.len()];
            let findings = (0..words.len())
                .map(|i| Finding {
                    range: number(i)..number(i + 1),
                    text: word(i),
                    role: Role::ALL[number(i) % Role::ALL.len()],
                    verdict: verdict(i as u8, word(i + 1), word(i + 2), number(i + 2)),
                })
                .collect();
            let shares = vec![
                Share::Name { name: word(0), at: number(0) },
                Share::Member { owner: word(1), name: word(2), at: number(1) },
                Share::Keyword { callable: word(2), name: word(3), at: number(2) },
                Share::Literal { content: word(4), at: number(3) },
            ];
            let edits = vec![Edit::new(number(0)..number(1), word(0))];
            let plan = FilePlan { edits, findings, shares };
            round_trip(&plan);
            round_trip(&vec![
                Read::File { path: PathBuf::from(word(0)), hash },
                Read::IsFile { path: PathBuf::from(word(1)), is: number(0) % 2 == 0 },
                Read::Folder { path: PathBuf::from(word(2)), listing: number(1) as u64 },
                Read::Shared { question: number(2) as u64, answer: hash.unwrap_or(0) },
                Read::IsFolder { path: PathBuf::from(word(3)), is: number(3) % 2 == 1 },
            ]);
            // What check keeps of a file: its findings where they stand.
            let located: Vec<LocatedFinding> = plan
                .findings
                .into_iter()
                .enumerate()
                .map(|(i, finding)| LocatedFinding {
                    location: Location { path: PathBuf::from(word(i)), line: number(i), column: number(i + 1) },
                    finding,
                    line_text: word(i + 1),
                    suppressed: number(i) % 2 == 1,
                })
                .collect();
            round_trip(&located);
            let error = hash.map(|_| FileError { location: Location { path: PathBuf::from(word(0)), line: 1, column: 2 }, message: word(1) });
            round_trip(&error);
            round_trip(&Bytes(word(0).into_bytes()));
            round_trip(&Summary { files_changed: number(0), renames: number(1), errors: number(2), ..Summary::default() });
        }
    }
}
