//! Retry policy: which outcomes are worth another attempt, and how long to wait first
//! (exponential backoff with full jitter). System-neutral; the client decides whether a
//! call is idempotent, and what to do instead when it is not (e.g. look a create up).

use super::{Response, TransportError};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included (1 = never retry).
    pub max_attempts: u32,
    pub base_delay_ms: f64,
    pub max_delay_ms: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay_ms: 500.0,
            max_delay_ms: 30_000.0,
        }
    }
}

/// How an attempt ended, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A final answer, success or not: return it.
    Final,
    /// 429: the server did not process the request, so even a create may be retried.
    RateLimited,
    /// 5xx or a network error: the request may or may not have been applied.
    Ambiguous,
}

pub fn classify(result: &Result<Response, TransportError>) -> Outcome {
    match result {
        Err(_) => Outcome::Ambiguous,
        Ok(r) if r.status == 429 => Outcome::RateLimited,
        Ok(r) if (500..=599).contains(&r.status) => Outcome::Ambiguous,
        Ok(_) => Outcome::Final,
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` (attempt counts from 1), given a uniform
    /// random number in [0, 1): full jitter, `rand * min(max, base * 2^(attempt-1))`.
    pub fn delay_ms(&self, attempt: u32, unit_random: f64) -> f64 {
        let exp = self.base_delay_ms * 2f64.powi(attempt.saturating_sub(1).min(30) as i32);
        let cap = exp.min(self.max_delay_ms);
        cap * unit_random.clamp(0.0, 1.0)
    }
}

/// `Retry-After` in milliseconds: delta-seconds only (HTTP dates are not sent by the
/// APIs we talk to; anything unparsable is ignored).
pub fn retry_after_ms(response: &Response) -> Option<f64> {
    let seconds: f64 = response.header("retry-after")?.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then_some(seconds * 1000.0)
}

/// A small non-cryptographic generator for jitter (xorshift64*), seeded by the caller
/// (e.g. from the clock): jitter only has to de-synchronise clients, not be secret.
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    pub fn new(seed: u64) -> Self {
        Jitter(seed | 1)
    }

    /// Uniform in [0, 1).
    pub fn next_unit(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)]) -> Result<Response, TransportError> {
        Ok(Response {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: String::new(),
        })
    }

    #[test]
    fn classifies_429_5xx_and_network_errors() {
        assert_eq!(classify(&response(200, &[])), Outcome::Final);
        assert_eq!(classify(&response(422, &[])), Outcome::Final);
        assert_eq!(classify(&response(429, &[])), Outcome::RateLimited);
        assert_eq!(classify(&response(503, &[])), Outcome::Ambiguous);
        let err = Err(TransportError {
            method: "GET",
            url: "u".into(),
            reason: "reset".into(),
        });
        assert_eq!(classify(&err), Outcome::Ambiguous);
    }

    #[test]
    fn backoff_doubles_is_capped_and_jittered() {
        let p = RetryPolicy {
            max_attempts: 10,
            base_delay_ms: 100.0,
            max_delay_ms: 1_000.0,
        };
        assert_eq!(p.delay_ms(1, 0.5), 50.0);
        assert_eq!(p.delay_ms(2, 0.5), 100.0);
        assert_eq!(p.delay_ms(3, 1.0), 400.0);
        assert_eq!(p.delay_ms(9, 1.0), 1_000.0);
        assert_eq!(p.delay_ms(u32::MAX, 0.25), 250.0);
        assert_eq!(p.delay_ms(3, 0.0), 0.0);
    }

    #[test]
    fn jitter_stays_in_the_unit_interval_and_varies() {
        let mut j = Jitter::new(42);
        let draws: Vec<f64> = (0..1000).map(|_| j.next_unit()).collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        let mean = draws.iter().sum::<f64>() / 1000.0;
        assert!((0.4..0.6).contains(&mean), "{mean}");
    }

    #[test]
    fn retry_after_reads_delta_seconds_only() {
        let r = response(429, &[("retry-after", "2")]).unwrap();
        assert_eq!(retry_after_ms(&r), Some(2_000.0));
        let r = response(429, &[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]).unwrap();
        assert_eq!(retry_after_ms(&r), None);
        let r = response(429, &[("retry-after", "-1")]).unwrap();
        assert_eq!(retry_after_ms(&r), None);
    }
}
