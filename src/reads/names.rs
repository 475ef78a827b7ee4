//! The names of a folder's entries, as a run holds them.

use std::cmp::Ordering;
use std::ffi::{OsStr, OsString};

/// Names in a folder (of one kind of entry), sorted, held in two allocations whatever their
/// number. Listings are held by the thousand for a whole run (resolution asks for the same
/// folders again and again); a name apiece, allocated among the short-lived data of the file
/// being planned, kept the allocator from giving back the pages around each one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// Every name's bytes, one after the other, in order.
    bytes: Box<[u8]>,
    /// Where each name ends in `bytes`.
    ends: Box<[u32]>,
}

impl Names {
    pub fn contains(&self, name: &OsStr) -> bool {
        let name = name.as_encoded_bytes();
        let (mut low, mut high) = (0, self.ends.len());
        while low < high {
            let middle = low + (high - low) / 2;
            match self.bytes_of(middle).cmp(name) {
                Ordering::Less => low = middle + 1,
                Ordering::Greater => high = middle,
                Ordering::Equal => return true,
            }
        }
        false
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &OsStr> + '_ {
        (0..self.ends.len()).map(|i| {
            // SAFETY: the bytes of one name are those of the `OsStr` it was made from, whole.
            unsafe { OsStr::from_encoded_bytes_unchecked(self.bytes_of(i)) }
        })
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn bytes_of(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }
}

impl FromIterator<OsString> for Names {
    /// Each name once, whatever the order given.
    fn from_iter<I: IntoIterator<Item = OsString>>(names: I) -> Names {
        let mut names: Vec<OsString> = names.into_iter().collect();
        names.sort_unstable_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
        names.dedup();
        let mut bytes = Vec::with_capacity(names.iter().map(|n| n.len()).sum());
        let ends = names
            .iter()
            .map(|name| {
                bytes.extend_from_slice(name.as_encoded_bytes());
                u32::try_from(bytes.len()).expect("a folder's names take less than 4 GiB")
            })
            .collect();
        Names { bytes: bytes.into_boxed_slice(), ends }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Names {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn holds_each_name_once_in_order() {
        let held = names(&["b.ts", "a", "", "b.ts", "ab"]);
        assert_eq!(held.iter().collect::<Vec<_>>(), ["", "a", "ab", "b.ts"]);
        assert_eq!(held.len(), 4);
        assert!(Names::default().is_empty());
    }

    proptest::proptest! {
        #[test]
        fn contains_what_it_was_made_of_and_nothing_else(list in proptest::collection::vec("[ab.]{0,4}", 0..12), probe in "[ab.]{0,4}") {
            let held = names(&list.iter().map(String::as_str).collect::<Vec<_>>());
            for name in &list {
                proptest::prop_assert!(held.contains(OsStr::new(name)));
            }
            proptest::prop_assert_eq!(held.contains(OsStr::new(&probe)), list.contains(&probe));
        }
    }
}
