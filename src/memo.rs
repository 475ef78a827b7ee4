//! Answers a run finds once and asks for again and again (where a module is, what a folder
//! holds), held within a bound so that memory does not grow with the tree.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, RandomState};
use std::sync::Mutex;

use foldhash::fast::FixedState;

/// A map of answers that holds at most `LIMIT` of them, in two halves: once the newer half is
/// full it becomes the older one and the older is dropped. An answer asked for again moves to
/// the newer half, so what is asked often (a module every file imports) stays, and what a part
/// of the tree asked for goes once the walk has moved on. A dropped answer is found again when
/// asked, as the first time.
#[derive(Debug)]
pub struct Bounded<K, V, const LIMIT: usize, S = RandomState> {
    newer: HashMap<K, V, S>,
    older: HashMap<K, V, S>,
}

/// How many answers a half holds room for from its first: past it, it grows as it fills.
const RESERVED: usize = 1024;

impl<K, V, const LIMIT: usize, S: Default> Default for Bounded<K, V, LIMIT, S> {
    fn default() -> Self {
        Bounded { newer: HashMap::default(), older: HashMap::default() }
    }
}

impl<K: Hash + Eq, V: Clone, const LIMIT: usize, S: BuildHasher + Default> Bounded<K, V, LIMIT, S> {
    /// The answer held for `key`, if any.
    pub fn get<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get_ref(key).cloned()
    }
}

impl<K: Hash + Eq, V, const LIMIT: usize, S: BuildHasher + Default> Bounded<K, V, LIMIT, S> {
    /// The answer held for `key`, if any, where it is held.
    fn get_ref<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if !self.newer.contains_key(key) {
            let (key, value) = self.older.remove_entry(key)?;
            self.insert(key, value);
        }
        self.newer.get(key)
    }

    pub fn insert(&mut self, key: K, value: V) {
        let half = (LIMIT / 2).max(1);
        if self.newer.len() >= half && !self.newer.contains_key(&key) {
            self.older = std::mem::take(&mut self.newer);
        }
        // A half takes a good part of its size at once: growing rehashes every key held, and
        // hashing a long key (a path) again each time cost more than the lookups themselves.
        // Not all of it: a large bound would hold memory from the first answer on, in a run
        // that asks for few.
        if self.newer.capacity() == 0 {
            self.newer.reserve(half.min(RESERVED));
        }
        self.newer.insert(key, value);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.newer.len() + self.older.len()
    }
}

/// A memo shared by workers, split in shards by key so that they rarely wait for each other;
/// each shard holds at most `LIMIT` answers. Its keys are hashed with a fast hasher: they are
/// paths and names asked for many times per file, and a path is best keyed by its bytes
/// (`OsString`: hashing a `Path` walks its components). The bounds of the module and folder
/// memos are small on purpose: four times larger ones held 4 MB more at the peak of a cold run,
/// on trees of 10,000 to 100,000 files, and saved no measurable time.
#[derive(Debug)]
pub struct Shards<K, V, const LIMIT: usize, S = foldhash::fast::RandomState>([Mutex<Bounded<K, V, LIMIT, S>>; SHARDS]);

const SHARDS: usize = 8;

impl<K, V, const LIMIT: usize, S: Default> Default for Shards<K, V, LIMIT, S> {
    fn default() -> Self {
        Shards(std::array::from_fn(|_| Mutex::default()))
    }
}

impl<K: Hash + Eq, V: Clone, const LIMIT: usize, S: BuildHasher + Default> Shards<K, V, LIMIT, S> {
    /// The answer held for `key`, else the one `make` gives, then held ([`get_or_make`]).
    pub fn get_or_make<Q>(&self, key: &Q, make: impl FnOnce() -> V) -> V
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        get_or_make(self.shard(key), key, make)
    }
}

impl<K: Hash + Eq, V, const LIMIT: usize, S: BuildHasher + Default> Shards<K, V, LIMIT, S> {
    /// What `read` says of the answer held for `key`, else of the one `make` gives, then held.
    /// `read` runs under the lock: the answer is not cloned, and workers touch no shared count.
    pub fn read<Q, R>(&self, key: &Q, make: impl FnOnce() -> V, read: impl Fn(&V) -> R) -> R
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let shard = self.shard(key);
        if let Some(known) = lock(shard).get_ref(key) {
            return read(known);
        }
        let value = make();
        let said = read(&value);
        lock(shard).insert(key.to_owned(), value);
        said
    }

    fn shard<Q: Hash + ?Sized>(&self, key: &Q) -> &Mutex<Bounded<K, V, LIMIT, S>> {
        // A fixed seed of its own: the shard must not follow the bits the maps inside use.
        &self.0[FixedState::with_seed(0x5eed).hash_one(key) as usize % SHARDS]
    }
}

/// The answer the memo shared by workers holds for `key`, else the one `make` gives, then held.
/// `make` runs outside the lock: workers wait for the map, not for each other's answers.
pub fn get_or_make<K, V, const LIMIT: usize, S, Q>(memo: &Mutex<Bounded<K, V, LIMIT, S>>, key: &Q, make: impl FnOnce() -> V) -> V
where
    K: Hash + Eq + Borrow<Q>,
    V: Clone,
    S: BuildHasher + Default,
    Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
{
    if let Some(known) = lock(memo).get(key) {
        return known;
    }
    let value = make();
    lock(memo).insert(key.to_owned(), value.clone());
    value
}

/// A poisoned memo is still sound: every answer in it was whole when inserted.
fn lock<T>(memo: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    memo.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn answers_asked_again_stay_and_the_rest_go() {
        let mut memo: Bounded<u32, u32, 4> = Bounded::default();
        memo.insert(1, 10);
        memo.insert(2, 20);
        // The newer half is full: 1 and 2 become the older half.
        memo.insert(3, 30);
        assert_eq!(memo.get(&1), Some(10), "an older answer asked again moves to the newer half");
        // 3 and 1 fill the newer half; 2, never asked again, is dropped with the older half.
        memo.insert(4, 40);
        assert_eq!(memo.get(&2), None);
        assert_eq!((memo.get(&1), memo.get(&3), memo.get(&4)), (Some(10), Some(30), Some(40)));
    }

    #[test]
    fn a_large_bound_holds_room_for_part_of_a_half_at_first() {
        let mut memo: Bounded<u32, u32, { 1 << 14 }> = Bounded::default();
        memo.insert(1, 10);
        assert!((RESERVED..2 * RESERVED).contains(&memo.newer.capacity()), "room for {}", memo.newer.capacity());
        for key in 2..=4096 {
            memo.insert(key, key);
        }
        assert_eq!(memo.older.len(), 0, "the half grew past its first room instead of turning older");
        assert_eq!((memo.len(), memo.get(&1)), (4096, Some(10)));
        let mut small: Bounded<u32, u32, 64> = Bounded::default();
        small.insert(1, 10);
        assert!((32..RESERVED).contains(&small.newer.capacity()), "a small bound's half is held whole at once");
    }

    #[test]
    fn a_dropped_answer_is_made_again() {
        let mut memo: Bounded<String, usize, 2> = Bounded::default();
        let mut made = 0;
        for key in ["a", "b", "c", "a"] {
            if memo.get(key).is_none() {
                made += 1;
                memo.insert(key.to_owned(), key.len());
            }
        }
        assert_eq!(made, 4, "`a` went with the older half when `c` came");
        assert_eq!(memo.get("c"), Some(1));
    }

    #[test]
    fn sharded_memos_make_each_answer_once_while_held() {
        let memo: Shards<String, usize, 64> = Shards::default();
        let mut made = 0;
        for key in ["a", "b", "c", "a", "c", "b"] {
            let answer = memo.get_or_make(key, || {
                made += 1;
                key.len()
            });
            assert_eq!(answer, 1);
        }
        assert_eq!(made, 3);
        let mut made = 0;
        let lengths: Vec<usize> = ["a", "dd", "a"].iter().map(|key| memo.read(*key, || { made += 1; key.len() }, |n| n * 10)).collect();
        assert_eq!((lengths, made), (vec![10, 20, 10], 1), "read under the lock, made once");
    }

    #[test]
    fn a_shared_memo_makes_each_answer_once_while_held() {
        let memo: Mutex<Bounded<String, usize, 4>> = Mutex::default();
        let mut made = 0;
        for key in ["a", "b", "a"] {
            let answer = get_or_make(&memo, key, || {
                made += 1;
                key.len()
            });
            assert_eq!(answer, 1);
        }
        assert_eq!(made, 2);
    }

    proptest! {
        /// Whatever the keys, the memo holds at most `LIMIT` answers, and every answer it gives
        /// is the one last inserted for that key.
        #[test]
        fn holds_at_most_its_limit_and_only_the_latest_answers(ops in prop::collection::vec((0u8..40, any::<u16>(), any::<bool>()), 0..400)) {
            let mut memo: Bounded<u8, u16, 8> = Bounded::default();
            let mut latest = HashMap::new();
            for (key, value, ask) in ops {
                if ask {
                    if let Some(held) = memo.get(&key) {
                        prop_assert_eq!(Some(&held), latest.get(&key));
                    }
                } else {
                    memo.insert(key, value);
                    latest.insert(key, value);
                }
                prop_assert!(memo.len() <= 8);
            }
        }
    }
}
