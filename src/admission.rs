//! How much text is planned at once. Planning a file holds about 60 bytes of memory for each byte
//! of its text while it runs (most of it the syntax tree), so a few large files planned side by
//! side would set the run's peak memory; small files, nearly all of them, pass freely.

use std::sync::{Condvar, Mutex};

/// Texts up to this size are planned without asking: the largest of them costs a few MB.
const SMALL: usize = 256 << 10;

/// How many bytes of large texts may be planned at once: [`crate::engine::MAX_FILESIZE`], so a
/// run at the default limit stays under 200 MB however many threads it has.
const BUDGET: usize = crate::engine::MAX_FILESIZE as usize;

/// Bytes of large texts being planned, the line of those waiting, and a signal when either moves.
pub struct Admission {
    budget: usize,
    state: Mutex<State>,
    moved: Condvar,
}

/// Large texts are admitted in the order they asked: were the first to fit let in, a text as
/// large as the budget could wait behind a stream of smaller ones for as long as they came.
struct State {
    in_flight: usize,
    /// The place in line the next text to ask takes, and the place admitted next.
    next: u64,
    serving: u64,
}

/// The process's admission: memory is the process's, whoever plans.
static ADMISSION: Admission = Admission::new(BUDGET);

/// Wait until a text of `len` bytes may be planned; it may until the ticket is dropped.
pub fn admit(len: usize) -> Ticket<'static> {
    ADMISSION.admit(len)
}

/// Bytes of large texts being planned now, in this process.
#[cfg(test)]
pub fn in_flight() -> usize {
    ADMISSION.state().in_flight
}

/// Leave to plan a text: its share of the budget, given back when dropped.
pub struct Ticket<'a> {
    from: &'a Admission,
    share: usize,
}

impl Admission {
    pub const fn new(budget: usize) -> Admission {
        Admission { budget, state: Mutex::new(State { in_flight: 0, next: 0, serving: 0 }), moved: Condvar::new() }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A large text waits for its turn, then while others are planned and it would go over the
    /// budget; one larger than the whole budget is planned alone. Nothing is asked while a ticket
    /// is held, so no wait holds what another waits for.
    pub fn admit(&self, len: usize) -> Ticket<'_> {
        if len <= SMALL {
            return Ticket { from: self, share: 0 };
        }
        let share = len.min(self.budget);
        let mut state = self.state();
        let place = state.next;
        state.next += 1;
        while state.serving != place || (state.in_flight > 0 && state.in_flight + share > self.budget) {
            state = self.moved.wait(state).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        state.in_flight += share;
        state.serving += 1;
        // The next in line may fit beside this one.
        self.moved.notify_all();
        Ticket { from: self, share }
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        if self.share == 0 {
            return;
        }
        self.from.state().in_flight -= self.share;
        self.from.moved.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Runs `texts` (sizes) on one thread each through `admission`; returns the most bytes of
    /// large texts that were ever planned at once.
    fn most_at_once(admission: &Admission, texts: &[usize]) -> usize {
        let (now, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        std::thread::scope(|scope| {
            for &len in texts {
                let (now, most) = (&now, &most);
                scope.spawn(move || {
                    let _ticket = admission.admit(len);
                    let large = if len > SMALL { len } else { 0 };
                    most.fetch_max(now.fetch_add(large, Ordering::SeqCst) + large, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    now.fetch_sub(large, Ordering::SeqCst);
                });
            }
        });
        most.into_inner()
    }

    #[test]
    fn large_texts_stay_within_the_budget_together() {
        let admission = Admission::new(4 * SMALL);
        // Any two of these go over the budget: they are planned one at a time.
        let most = most_at_once(&admission, &[3 * SMALL; 6]);
        assert_eq!(most, 3 * SMALL);
        // A text larger than the budget is still planned, alone.
        assert_eq!(most_at_once(&admission, &[10 * SMALL, 2 * SMALL, 2 * SMALL]), 10 * SMALL);
        assert_eq!(admission.state().in_flight, 0, "every share was given back");
    }

    #[test]
    fn texts_that_fit_together_are_planned_together() {
        static ADMISSION: Admission = Admission::new(4 * SMALL);
        let _first = ADMISSION.admit(2 * SMALL);
        // Asked on another thread, so that a wrong wait fails the test instead of hanging it.
        let (sent, admitted) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let second = ADMISSION.admit(2 * SMALL);
            let small = ADMISSION.admit(SMALL);
            sent.send((second.share, small.share)).unwrap();
        });
        let shares = admitted.recv_timeout(std::time::Duration::from_secs(10));
        assert_eq!(shares, Ok((2 * SMALL, 0)), "a second half of the budget is planned beside the first; small texts ask nothing");
    }

    #[test]
    fn large_texts_are_admitted_in_the_order_they_asked() {
        static ADMISSION: Admission = Admission::new(4 * SMALL);
        let held = ADMISSION.admit(2 * SMALL);
        let (sent, admitted) = std::sync::mpsc::channel();
        let ask = |len: usize, name: &'static str| {
            let sent = sent.clone();
            std::thread::spawn(move || {
                let _ticket = ADMISSION.admit(len);
                sent.send(name).unwrap();
            })
        };
        let asked = |n: u64| {
            while ADMISSION.state().next < n {
                std::thread::yield_now();
            }
        };
        // The whole budget waits for the held half; then a half that would fit beside the held
        // one asks, and waits behind it.
        let whole = ask(4 * SMALL, "whole");
        asked(2);
        let half = ask(2 * SMALL, "half");
        asked(3);
        let early = admitted.recv_timeout(std::time::Duration::from_millis(200));
        assert_eq!(early, Err(std::sync::mpsc::RecvTimeoutError::Timeout), "admitted ahead of its turn");
        drop(held);
        let order: Vec<_> = (0..2).map(|_| admitted.recv_timeout(std::time::Duration::from_secs(10)).unwrap()).collect();
        assert_eq!(order, ["whole", "half"]);
        whole.join().unwrap();
        half.join().unwrap();
    }
}
