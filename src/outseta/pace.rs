//! Request pacing: Outseta allows 4 requests per second per API key. This is a small,
//! swappable seam (`Pacer`) kept inside `outseta/` until the shared limiter in `http/`
//! lands; the client only ever calls `wait_turn()` before each request.

use std::cell::RefCell;
use std::collections::VecDeque;

/// Waits, if needed, before a request may start.
#[allow(async_fn_in_trait)]
pub trait Pacer {
    async fn wait_turn(&self);
}

/// No pacing: every request starts at once (tests, or a limiter applied elsewhere).
#[derive(Debug, Default, Clone, Copy)]
pub struct Unpaced;

impl Pacer for Unpaced {
    async fn wait_turn(&self) {}
}

/// The host's clock and timer: `Date.now()`/`setTimeout` in wasm, a fake in tests.
#[allow(async_fn_in_trait)]
pub trait Clock {
    fn now_ms(&self) -> f64;
    async fn sleep_ms(&self, ms: f64);
}

/// At most `max` request starts in any `window_ms` (a sliding window, the way a
/// server counting "requests per second" sees them).
#[derive(Debug)]
pub struct WindowPacer<C> {
    clock: C,
    max: usize,
    window_ms: f64,
    starts: RefCell<VecDeque<f64>>,
}

impl<C: Clock> WindowPacer<C> {
    pub fn new(clock: C, max: usize, window_ms: f64) -> Self {
        WindowPacer {
            clock,
            max: max.max(1),
            window_ms,
            starts: RefCell::new(VecDeque::new()),
        }
    }

    /// Outseta's documented limit, with a few milliseconds of margin for clock skew
    /// between us and the server.
    pub fn outseta(clock: C) -> Self {
        WindowPacer::new(clock, 4, 1_050.0)
    }
}

impl<C: Clock> Pacer for WindowPacer<C> {
    async fn wait_turn(&self) {
        loop {
            let now = self.clock.now_ms();
            let wait = {
                let mut starts = self.starts.borrow_mut();
                while starts.front().is_some_and(|&t| t <= now - self.window_ms) {
                    starts.pop_front();
                }
                if starts.len() < self.max {
                    starts.push_back(now);
                    return;
                }
                starts
                    .front()
                    .map_or(0.0, |&oldest| oldest + self.window_ms - now)
            };
            self.clock.sleep_ms(wait.max(1.0)).await;
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
