//! Reads that many kept plans share. A memoized answer (where a module is, what an imported
//! file exports) is used by every file that asks for it, and each of their plans depends on
//! all its reads: kept with each plan, a kept check asked the same reads again for every file.
//! They are kept once per generation instead, by the hash of their encoding, and a plan names
//! them by it ([`KeptReads::groups`]); a run checks each group once, however many plans name it.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex};

use super::codec::Codec;
use super::write_atomically;
use crate::memo::Shards;
use crate::reads::{KeptReads, Read};
use crate::safety::Shared;

/// The groups of a generation: those on disk when the run began, and those it made.
#[derive(Debug, Default)]
pub(super) struct Groups {
    /// The groups file as the run found it, and where each group is in it.
    kept: Vec<u8>,
    at: HashMap<u64, Range<usize>>,
    /// The groups first made this run, encoded.
    learnt: Mutex<HashMap<u64, Arc<[u8]>>>,
    /// What each group asked for this run says.
    checked: Shards<u64, Residual, 4096>,
}

/// Whether a group's reads hold, but for the shared verdicts among them: those are asked again
/// each time, since the safety pre-pass and the run answer them differently.
#[derive(Debug, Clone)]
enum Residual {
    Fails,
    /// The questions and answers of the shared verdicts it read, none for most groups.
    HoldsIf(Arc<[(u64, u64)]>),
}

/// The file of a generation's groups: each an id (8 bytes, little-endian), a length (a varint)
/// and the encoded [`KeptReads`].
const FILE: &str = "groups";

impl Groups {
    /// The groups kept in `generation`, none when they cannot be read.
    pub(super) fn open(generation: &Path) -> Groups {
        let kept = std::fs::read(generation.join(FILE)).unwrap_or_default();
        Groups { at: index(&kept), kept, ..Groups::default() }
    }

    /// The id of a group of `reads`, kept at the latest when the run ends ([`Groups::save`]).
    pub(super) fn keep(&self, reads: &KeptReads) -> u64 {
        let mut bytes = Vec::with_capacity(64 * reads.len());
        reads.encode(&mut bytes);
        let id = super::text_hash(&bytes);
        if !self.at.contains_key(&id) {
            self.learnt.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).entry(id).or_insert_with(|| bytes.into());
        }
        id
    }

    /// Whether every read of the group `id` still holds: `holds` answers each read but the
    /// shared verdicts, which `shared` answers. A group that is not kept does not hold.
    pub(super) fn hold(&self, id: u64, shared: &Shared, holds: &dyn Fn(&Read) -> bool) -> bool {
        match self.residual(id, holds) {
            Residual::Fails => false,
            Residual::HoldsIf(asked) => asked.iter().all(|&(question, answer)| shared.answer(question) == answer),
        }
    }

    fn residual(&self, id: u64, holds: &dyn Fn(&Read) -> bool) -> Residual {
        self.checked.get_or_make(&id, || self.check(id, holds))
    }

    fn check(&self, id: u64, holds: &dyn Fn(&Read) -> bool) -> Residual {
        let learnt;
        let bytes = match self.at.get(&id) {
            Some(range) => &self.kept[range.clone()],
            None => match self.learnt.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&id) {
                Some(bytes) => {
                    learnt = bytes.clone();
                    &learnt[..]
                }
                None => return Residual::Fails,
            },
        };
        let mut input = bytes;
        let Some(reads) = KeptReads::decode(&mut input).filter(|_| input.is_empty()) else { return Residual::Fails };
        let mut asked = Vec::new();
        for read in &reads.reads {
            match *read {
                Read::Shared { question, answer } => asked.push((question, answer)),
                _ if holds(read) => {}
                _ => return Residual::Fails,
            }
        }
        for &group in &reads.groups {
            match self.residual(group, holds) {
                Residual::Fails => return Residual::Fails,
                Residual::HoldsIf(more) => asked.extend_from_slice(&more),
            }
        }
        Residual::HoldsIf(asked.into())
    }

    /// How many groups were first made this run.
    #[cfg(test)]
    pub(super) fn learnt(&self) -> usize {
        self.learnt.lock().unwrap().len()
    }

    /// Add the groups made this run to those of `generation` (another run may have added some
    /// meanwhile: they are kept too).
    pub(super) fn save(&mut self, generation: &Path) {
        let learnt = std::mem::take(self.learnt.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner()));
        if learnt.is_empty() {
            return;
        }
        let file = generation.join(FILE);
        let mut bytes = std::fs::read(&file).unwrap_or_default();
        // A torn or foreign tail is dropped, not appended to.
        let at = index(&bytes);
        bytes.truncate(at.values().map(|range| range.end).max().unwrap_or(0));
        for (id, group) in learnt.into_iter().filter(|(id, _)| !at.contains_key(id)) {
            id.encode(&mut bytes);
            group.len().encode(&mut bytes);
            bytes.extend_from_slice(&group);
        }
        // A cache that cannot be written only costs time.
        let _ = write_atomically(&file, &bytes);
    }
}

/// Where each group is in the bytes of a groups file, up to the first record that does not read.
fn index(bytes: &[u8]) -> HashMap<u64, Range<usize>> {
    let mut at = HashMap::new();
    let mut input = bytes;
    while let (Some(id), Some(len)) = (u64::decode(&mut input), usize::decode(&mut input)) {
        let start = bytes.len() - input.len();
        if len > input.len() {
            break;
        }
        at.insert(id, start..start + len);
        input = &input[len..];
    }
    at
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn group(paths: &[&str]) -> KeptReads {
        let reads = paths.iter().map(|p| Read::IsFile { path: PathBuf::from(p), is: true }).collect();
        KeptReads { reads, groups: Vec::new() }
    }

    #[test]
    fn a_group_is_kept_once_and_read_back_by_the_next_run() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (group(&["a.ts", "a/index.ts"]), group(&["b.ts"]));
        let mut first = Groups::open(dir.path());
        let ids = [first.keep(&a), first.keep(&b), first.keep(&a)];
        assert_eq!(ids[0], ids[2], "the same reads, the same group");
        assert_ne!(ids[0], ids[1]);
        first.save(dir.path());
        let size = std::fs::metadata(dir.path().join(FILE)).unwrap().len();
        // A run that makes the same groups again adds nothing.
        let mut second = Groups::open(dir.path());
        assert_eq!(second.keep(&b), ids[1]);
        assert!(second.learnt.get_mut().unwrap().is_empty());
        second.save(dir.path());
        assert_eq!(std::fs::metadata(dir.path().join(FILE)).unwrap().len(), size);
        let asked = Mutex::new(Vec::new());
        let holds = |read: &Read| {
            asked.lock().unwrap().push(read.clone());
            !matches!(read, Read::IsFile { path, .. } if path == Path::new("b.ts"))
        };
        let shared = Shared::default();
        assert!(second.hold(ids[0], &shared, &holds));
        assert!(!second.hold(ids[1], &shared, &holds));
        assert!(second.hold(ids[0], &shared, &holds) && !second.hold(ids[1], &shared, &holds));
        assert_eq!(asked.lock().unwrap().len(), 3, "each read asked once a run: {asked:?}");
        assert!(!second.hold(7, &shared, &holds), "a group not kept does not hold");
    }

    #[test]
    fn shared_verdicts_in_a_group_are_answered_by_the_run_and_nested_groups_count() {
        let groups = Groups::default();
        let holds = |_: &Read| true;
        // An empty run's answer to any shared question is 0.
        for (answer, held) in [(0, true), (2, false)] {
            let inner = groups.keep(&KeptReads { reads: vec![Read::Shared { question: 1, answer }], groups: Vec::new() });
            let outer = groups.keep(&KeptReads { reads: group(&["m.py"]).reads, groups: vec![inner] });
            assert_eq!(groups.hold(inner, &Shared::default(), &holds), held);
            assert_eq!(groups.hold(outer, &Shared::default(), &holds), held, "through the inner group");
        }
        let failing = groups.keep(&group(&["gone.py"]));
        let outer = groups.keep(&KeptReads { reads: Vec::new(), groups: vec![failing] });
        assert!(!groups.hold(outer, &Shared::default(), &|_| false));
    }

    #[test]
    fn a_torn_file_keeps_its_whole_groups() {
        let dir = tempfile::tempdir().unwrap();
        let mut groups = Groups::open(dir.path());
        let id = groups.keep(&group(&["a.ts"]));
        groups.save(dir.path());
        let file = dir.path().join(FILE);
        let mut bytes = std::fs::read(&file).unwrap();
        bytes.extend_from_slice(&[1, 2, 3]);
        std::fs::write(&file, &bytes).unwrap();
        let mut torn = Groups::open(dir.path());
        assert!(torn.hold(id, &Shared::default(), &|_| true));
        let other = torn.keep(&group(&["b.ts"]));
        torn.save(dir.path());
        let again = Groups::open(dir.path());
        assert!(again.at.contains_key(&id) && again.at.contains_key(&other));
        assert_eq!(again.at.values().map(|r| r.end).max(), Some(std::fs::metadata(&file).unwrap().len() as usize));
    }
}
