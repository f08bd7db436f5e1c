//! Sending with a policy: the rate limiter before each attempt, the server's rate-limit
//! headers fed back after it, and retries with backoff when the outcome allows. Shared
//! by every API client; what a client does with a final failure is its own business.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::limit::{Decision, Limits, RateLimiter};
use super::retry::{classify, retry_after_ms, Jitter, Outcome, RetryPolicy};
use super::{Clock, Request, Response, Transport, TransportError};

/// The daily budget is spent: no request was sent.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyLimitExhausted {
    pub key: String,
    pub reset_in_ms: f64,
}

/// What happened to one logical request.
#[derive(Debug)]
pub struct Sent {
    /// The last attempt's result (after retries, if any were allowed).
    pub result: Result<Response, TransportError>,
    pub attempts: u32,
}

/// Counters, for tests, benchmarks and logs.
#[derive(Debug, Default, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendStats {
    pub requests: u64,
    pub attempts: u64,
    pub retries: u64,
    pub throttled_ms: f64,
    pub backoff_ms: f64,
}

/// Resolves to `Ok` with `a`'s output, or `Err(())` if `b` finishes first. Boxed halves
/// keep it `Unpin` without any unsafe pin projection.
struct Race<A: Future, B: Future> {
    a: Pin<Box<A>>,
    b: Pin<Box<B>>,
}

impl<A: Future, B: Future> Future for Race<A, B> {
    type Output = Result<A::Output, ()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(out) = self.a.as_mut().poll(cx) {
            return Poll::Ready(Ok(out));
        }
        if self.b.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(()));
        }
        Poll::Pending
    }
}

#[derive(Debug)]
pub struct Policy {
    limiter: RefCell<RateLimiter>,
    retry: RetryPolicy,
    /// An attempt with no response after this long counts as a network error (the
    /// request may still reach the server: for a write this is an ambiguous outcome).
    timeout_ms: Option<f64>,
    jitter: RefCell<Jitter>,
    stats: Cell<SendStats>,
}

impl Policy {
    pub fn new(limits: Limits, retry: RetryPolicy, seed: u64) -> Self {
        Policy {
            limiter: RefCell::new(RateLimiter::new(limits)),
            retry,
            timeout_ms: None,
            jitter: RefCell::new(Jitter::new(seed)),
            stats: Cell::new(SendStats::default()),
        }
    }

    /// Gives up on an attempt after `ms` without a response.
    pub fn with_timeout_ms(mut self, ms: Option<f64>) -> Self {
        self.timeout_ms = ms.filter(|m| m.is_finite() && *m > 0.0);
        self
    }

    pub fn stats(&self) -> SendStats {
        self.stats.get()
    }

    fn bump(&self, f: impl FnOnce(&mut SendStats)) {
        let mut s = self.stats.get();
        f(&mut s);
        self.stats.set(s);
    }

    /// Waits until the limiter lets one request for `key` go.
    /// Returns when it went, for [`RateLimiter::settle`].
    async fn admit(&self, clock: &impl Clock, key: &str) -> Result<f64, DailyLimitExhausted> {
        loop {
            let now = clock.now_ms();
            let decision = self.limiter.borrow_mut().acquire(key, now);
            match decision {
                Decision::Go => return Ok(now),
                Decision::Wait(ms) => {
                    self.bump(|s| s.throttled_ms += ms);
                    clock.sleep(ms).await;
                }
                Decision::DailyExhausted { reset_in_ms } => {
                    return Err(DailyLimitExhausted {
                        key: key.to_owned(),
                        reset_in_ms,
                    })
                }
            }
        }
    }

    fn observe(&self, clock: &impl Clock, key: &str, response: &Response) {
        let remaining = response
            .header("x-ratelimit-remaining")
            .and_then(|v| v.trim().parse().ok());
        let interval = response
            .header("x-ratelimit-interval-milliseconds")
            .and_then(|v| v.trim().parse().ok());
        let after = (response.status == 429)
            .then(|| retry_after_ms(response))
            .flatten();
        self.limiter
            .borrow_mut()
            .observe(key, clock.now_ms(), remaining, interval, after);
    }

    /// Sends `request` under `key`'s budget. 429s are always retried (the server did
    /// not process the request); 5xx and network errors only when `idempotent`.
    pub async fn send(
        &self,
        transport: &impl Transport,
        clock: &impl Clock,
        key: &str,
        request: &Request,
        idempotent: bool,
    ) -> Result<Sent, DailyLimitExhausted> {
        self.bump(|s| s.requests += 1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent_at = self.admit(clock, key).await?;
            self.bump(|s| s.attempts += 1);
            let result = match self.timeout_ms {
                None => transport.send(request.clone()).await,
                Some(ms) => {
                    let race = Race {
                        a: Box::pin(transport.send(request.clone())),
                        b: Box::pin(clock.sleep(ms)),
                    };
                    race.await.unwrap_or_else(|()| {
                        Err(TransportError {
                            method: request.method.as_str(),
                            url: request.url.clone(),
                            reason: format!("no response within {ms} ms"),
                        })
                    })
                }
            };
            self.limiter
                .borrow_mut()
                .settle(key, sent_at, clock.now_ms());
            if let Ok(response) = &result {
                self.observe(clock, key, response);
            }
            let retry = match classify(&result) {
                Outcome::Final => false,
                Outcome::RateLimited => true,
                Outcome::Ambiguous => idempotent,
            };
            if !retry || attempt >= self.retry.max_attempts {
                return Ok(Sent {
                    result,
                    attempts: attempt,
                });
            }
            let unit = self.jitter.borrow_mut().next_unit();
            let delay = self.retry.delay_ms(attempt, unit);
            self.bump(|s| {
                s.retries += 1;
                s.backoff_ms += delay;
            });
            clock.sleep(delay).await;
        }
    }
}
