//! A client-side rate limiter, one budget per key (for GHL: per location), that also
//! obeys what the server says in its rate-limit headers. System-neutral: a client picks
//! the limits (GHL: 100 per 10 s and 200,000 per day; Outseta: 4 per second).
//!
//! Time is passed in (milliseconds since an arbitrary epoch), so the limiter is pure and
//! tested without sleeping; the caller sleeps for the wait it is told.

use std::collections::{HashMap, VecDeque};

/// The budgets of one key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// At most `burst` requests in any `window_ms` (a sliding window).
    pub burst: u32,
    pub window_ms: f64,
    /// At most `daily` requests per UTC day; `None` for no daily budget.
    pub daily: Option<u32>,
}

impl Limits {
    /// HighLevel API 2.0: 100 requests per 10 seconds and 200,000 per day, per location.
    pub const GHL: Limits = Limits {
        burst: 100,
        window_ms: 10_000.0,
        daily: Some(200_000),
    };

    /// Outseta: 4 requests per second per API key, no daily budget. The window has a
    /// 50 ms margin: a send is dated when it leaves, the server counts it on arrival.
    pub const OUTSETA: Limits = Limits {
        burst: 4,
        window_ms: 1_050.0,
        daily: None,
    };
}

/// What the limiter decided for one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    /// Go now; the request has been counted.
    Go,
    /// Wait this many milliseconds, then ask again.
    Wait(f64),
    /// The daily budget is spent until `reset_in_ms` from now.
    DailyExhausted { reset_in_ms: f64 },
}

const DAY_MS: f64 = 86_400_000.0;

#[derive(Debug, Default)]
struct Budget {
    /// Send times inside the current window, oldest first.
    sent: VecDeque<f64>,
    day: i64,
    day_count: u32,
    /// The server said the window is spent: nothing goes before this time.
    blocked_until: f64,
}

#[derive(Debug)]
pub struct RateLimiter {
    limits: Limits,
    budgets: HashMap<String, Budget>,
}

impl RateLimiter {
    pub fn new(limits: Limits) -> Self {
        RateLimiter {
            limits,
            budgets: HashMap::new(),
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Asks to send one request for `key` at `now_ms` (epoch milliseconds, so the daily
    /// budget resets at UTC midnight).
    pub fn acquire(&mut self, key: &str, now_ms: f64) -> Decision {
        let limits = self.limits;
        let budget = self.budgets.entry(key.to_owned()).or_default();
        let day = (now_ms / DAY_MS).floor() as i64;
        if day != budget.day {
            budget.day = day;
            budget.day_count = 0;
        }
        if let Some(daily) = limits.daily {
            if budget.day_count >= daily {
                return Decision::DailyExhausted {
                    reset_in_ms: (day + 1) as f64 * DAY_MS - now_ms,
                };
            }
        }
        if budget.blocked_until > now_ms {
            return Decision::Wait(budget.blocked_until - now_ms);
        }
        let window = limits.window_ms;
        while budget.sent.front().is_some_and(|&t| t + window <= now_ms) {
            budget.sent.pop_front();
        }
        if budget.sent.len() >= limits.burst as usize {
            let oldest = budget.sent.front().copied().unwrap_or(now_ms);
            return Decision::Wait((oldest + window - now_ms).max(1.0));
        }
        budget.sent.push_back(now_ms);
        budget.day_count += 1;
        Decision::Go
    }

    /// Feeds back what the server said after a response: `remaining` requests in the
    /// current window (`X-RateLimit-Remaining`) and the window's length
    /// (`X-RateLimit-Interval-Milliseconds`). When nothing remains, the key is blocked
    /// for one interval; `retry_after_ms` (a 429's `Retry-After`) blocks at least that long.
    pub fn observe(
        &mut self,
        key: &str,
        now_ms: f64,
        remaining: Option<u32>,
        interval_ms: Option<f64>,
        retry_after_ms: Option<f64>,
    ) {
        let limits = self.limits;
        let budget = self.budgets.entry(key.to_owned()).or_default();
        let interval = interval_ms
            .filter(|i| i.is_finite() && *i > 0.0)
            .unwrap_or(limits.window_ms);
        // Nothing left while our own window is not full: someone else shares the
        // budget, and we cannot know when their requests leave it, so wait a whole
        // interval. When the window is full of our own requests, the sliding window
        // already waits exactly as long as needed (blocking a whole interval each time
        // the budget is reached measured 0.61 of the ceiling in a bulk import).
        if remaining == Some(0) && budget.sent.len() < limits.burst as usize {
            budget.blocked_until = budget.blocked_until.max(now_ms + interval);
        }
        if let Some(after) = retry_after_ms.filter(|a| a.is_finite() && *a > 0.0) {
            budget.blocked_until = budget.blocked_until.max(now_ms + after);
        }
    }

    /// Re-dates a request that went at `sent_ms` to `done_ms`, when its response (or
    /// its failure) came back. The server counted it somewhere in between, so a slot
    /// dated by the response is never reused before the server has freed it; dated by
    /// the send, a slow request (or a server pause) could make the next one a 429.
    pub fn settle(&mut self, key: &str, sent_ms: f64, done_ms: f64) {
        let Some(budget) = self.budgets.get_mut(key) else {
            return;
        };
        if let Some(i) = budget.sent.iter().position(|&t| t == sent_ms) {
            budget.sent.remove(i);
            let at = budget.sent.partition_point(|&t| t <= done_ms);
            budget.sent.insert(at, done_ms.max(sent_ms));
        }
    }

    /// Requests counted today for `key`.
    pub fn used_today(&self, key: &str) -> u32 {
        self.budgets.get(key).map_or(0, |b| b.day_count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: f64 = 1_790_000_000_000.0;

    #[test]
    fn the_101st_request_in_10_seconds_waits_for_the_oldest_to_leave_the_window() {
        let mut limiter = RateLimiter::new(Limits::GHL);
        for i in 0..100 {
            assert_eq!(limiter.acquire("loc", T0 + i as f64), Decision::Go);
        }
        assert_eq!(limiter.acquire("loc", T0 + 500.0), Decision::Wait(9_500.0));
        // Another location has its own budget.
        assert_eq!(limiter.acquire("other", T0 + 500.0), Decision::Go);
        assert_eq!(limiter.acquire("loc", T0 + 10_000.0), Decision::Go);
        // Waits are at least 1 ms, so a caller never spins.
        assert_eq!(limiter.acquire("loc", T0 + 10_000.5), Decision::Wait(1.0));
    }

    #[test]
    fn a_slot_is_dated_by_its_response_so_a_slow_request_holds_it_longer() {
        let mut limiter = RateLimiter::new(Limits {
            burst: 2,
            window_ms: 1_000.0,
            daily: None,
        });
        assert_eq!(limiter.acquire("loc", T0), Decision::Go);
        assert_eq!(limiter.acquire("loc", T0 + 10.0), Decision::Go);
        // The first took 300 ms: the server may have counted it as late as T0 + 300.
        limiter.settle("loc", T0, T0 + 300.0);
        limiter.settle("loc", T0 + 10.0, T0 + 15.0);
        assert_eq!(limiter.acquire("loc", T0 + 1_015.0), Decision::Go);
        assert_eq!(limiter.acquire("loc", T0 + 1_016.0), Decision::Wait(284.0));
    }

    #[test]
    fn the_daily_budget_resets_at_utc_midnight() {
        let mut limiter = RateLimiter::new(Limits {
            burst: 1000,
            window_ms: 1.0,
            daily: Some(3),
        });
        let midnight = (T0 / DAY_MS).ceil() * DAY_MS;
        for i in 0..3 {
            assert_eq!(
                limiter.acquire("loc", midnight - 100.0 + i as f64 * 2.0),
                Decision::Go
            );
        }
        assert_eq!(
            limiter.acquire("loc", midnight - 50.0),
            Decision::DailyExhausted { reset_in_ms: 50.0 }
        );
        assert_eq!(limiter.used_today("loc"), 3);
        assert_eq!(limiter.acquire("loc", midnight), Decision::Go);
        assert_eq!(limiter.used_today("loc"), 1);
    }

    #[test]
    fn a_zero_remaining_header_on_our_own_full_window_waits_only_for_the_oldest() {
        let mut limiter = RateLimiter::new(Limits::GHL);
        for i in 0..100 {
            assert_eq!(limiter.acquire("loc", T0 + i as f64), Decision::Go);
        }
        limiter.observe("loc", T0 + 120.0, Some(0), Some(10_000.0), None);
        assert_eq!(limiter.acquire("loc", T0 + 10_000.0), Decision::Go);
    }

    #[test]
    fn a_zero_remaining_header_blocks_for_the_servers_interval() {
        let mut limiter = RateLimiter::new(Limits::GHL);
        assert_eq!(limiter.acquire("loc", T0), Decision::Go);
        limiter.observe("loc", T0, Some(0), Some(2_000.0), None);
        assert_eq!(limiter.acquire("loc", T0 + 500.0), Decision::Wait(1_500.0));
        assert_eq!(limiter.acquire("loc", T0 + 2_000.0), Decision::Go);
        // Remaining > 0 does not block; a Retry-After does.
        limiter.observe("loc", T0 + 2_000.0, Some(7), None, None);
        assert_eq!(limiter.acquire("loc", T0 + 2_001.0), Decision::Go);
        limiter.observe("loc", T0 + 2_001.0, None, None, Some(3_000.0));
        assert_eq!(
            limiter.acquire("loc", T0 + 3_001.0),
            Decision::Wait(2_000.0)
        );
        // Nonsense header values fall back to the configured window.
        limiter.observe("x", T0, Some(0), Some(f64::NAN), Some(-5.0));
        assert_eq!(limiter.acquire("x", T0 + 1.0), Decision::Wait(9_999.0));
    }
}
