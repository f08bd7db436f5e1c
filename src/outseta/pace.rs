//! Request pacing: Outseta allows 4 requests per second per API key. This is a small,
//! swappable seam (`Pacer`) kept inside `outseta/` until the shared limiter in `http/`
//! lands; the client only ever calls `wait_turn()` before each request.

use std::cell::RefCell;
use std::collections::VecDeque;

/// Waits, if needed, before a request may start; told when its response arrived.
#[allow(async_fn_in_trait)]
pub trait Pacer {
    async fn wait_turn(&self);
    /// The request let through by the earliest unfinished `wait_turn` got its answer
    /// (or failed). Required: a pacer that never hears back would wait forever.
    fn finished(&self);
}

/// No pacing: every request starts at once (tests, or a limiter applied elsewhere).
#[derive(Debug, Default, Clone, Copy)]
pub struct Unpaced;

impl Pacer for Unpaced {
    async fn wait_turn(&self) {}
    fn finished(&self) {}
}

/// The host's clock and timer: `Date.now()`/`setTimeout` in wasm, a fake in tests.
#[allow(async_fn_in_trait)]
pub trait Clock {
    fn now_ms(&self) -> f64;
    async fn sleep_ms(&self, ms: f64);
}

/// At most `max` requests in any `window_ms`, the way a server counting "requests per
/// second" sees them. A request's slot is dated when its response arrives, not when it
/// was sent: the server saw it somewhere in between, and only the later time is safe
/// (a first request can spend 100 ms connecting, and then arrive late in the window).
#[derive(Debug)]
pub struct WindowPacer<C> {
    clock: C,
    max: usize,
    window_ms: f64,
    /// One entry per request: `None` while in flight, then the time its answer came.
    slots: RefCell<VecDeque<Option<f64>>>,
}

impl<C: Clock> WindowPacer<C> {
    pub fn new(clock: C, max: usize, window_ms: f64) -> Self {
        WindowPacer {
            clock,
            max: max.max(1),
            window_ms,
            slots: RefCell::new(VecDeque::new()),
        }
    }

    /// Outseta's documented limit, with a little margin for timer granularity.
    pub fn outseta(clock: C) -> Self {
        WindowPacer::new(clock, 4, 1_020.0)
    }
}

impl<C: Clock> Pacer for WindowPacer<C> {
    async fn wait_turn(&self) {
        loop {
            let now = self.clock.now_ms();
            let wait = {
                let mut slots = self.slots.borrow_mut();
                slots.retain(|slot| slot.is_none_or(|t| t > now - self.window_ms));
                if slots.len() < self.max {
                    slots.push_back(None);
                    return;
                }
                // The earliest finished slot frees up first; if all are in flight, poll.
                let earliest = slots.iter().flatten().fold(f64::INFINITY, |a, &t| a.min(t));
                if earliest.is_finite() {
                    earliest + self.window_ms - now
                } else {
                    10.0
                }
            };
            self.clock.sleep_ms(wait.max(1.0)).await;
        }
    }

    fn finished(&self) {
        let now = self.clock.now_ms();
        if let Some(slot) = self.slots.borrow_mut().iter_mut().find(|s| s.is_none()) {
            *slot = Some(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outseta::testing::block_on;
    use std::cell::Cell;

    struct FakeClock(Cell<f64>);

    impl Clock for &FakeClock {
        fn now_ms(&self) -> f64 {
            self.0.get()
        }
        async fn sleep_ms(&self, ms: f64) {
            self.0.set(self.0.get() + ms);
        }
    }

    #[test]
    fn no_more_than_four_starts_in_any_window() {
        let clock = FakeClock(Cell::new(0.0));
        let pacer = WindowPacer::new(&clock, 4, 1000.0);
        let mut starts = Vec::new();
        for _ in 0..10 {
            block_on(pacer.wait_turn());
            starts.push(clock.0.get());
            pacer.finished();
        }
        assert_eq!(&starts[..4], &[0.0; 4]);
        assert_eq!(&starts[4..8], &[1000.0; 4]);
        for (i, &t) in starts.iter().enumerate() {
            let in_window = starts.iter().filter(|&&s| s >= t && s < t + 1000.0).count();
            assert!(
                in_window <= 4,
                "start {i} at {t}: {in_window} in its window"
            );
        }
    }
}

#[cfg(test)]
mod slot_tests {
    use super::*;
    use crate::outseta::testing::block_on;
    use std::cell::Cell;

    struct SlowClock(Cell<f64>);

    impl Clock for &SlowClock {
        fn now_ms(&self) -> f64 {
            self.0.get()
        }
        async fn sleep_ms(&self, ms: f64) {
            self.0.set(self.0.get() + ms);
        }
    }

    #[test]
    fn a_slot_is_dated_when_the_answer_arrives() {
        let clock = SlowClock(Cell::new(0.0));
        let pacer = WindowPacer::new(&clock, 1, 1000.0);
        block_on(pacer.wait_turn());
        clock.0.set(300.0); // the answer took 300 ms
        pacer.finished();
        block_on(pacer.wait_turn());
        assert_eq!(clock.0.get(), 1300.0);
    }
}
