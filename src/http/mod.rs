//! The one seam through which the engine talks to the network.
//!
//! API clients build `Request`s and hand them to a `Transport`: in wasm that is
//! `wasm::FetchTransport` (the host's global `fetch`, so the same code runs in browsers,
//! Workers and Node); native tests use a scripted fake. Rate limiting, retries and
//! paging are layered on top of this trait, never inside an implementation.

use serde_json::{json, Value};
use thiserror::Error;

use crate::error::CodedError;

pub mod limit;
pub mod retry;
mod send;

pub use limit::{Decision, Limits, RateLimiter};
pub use retry::RetryPolicy;
pub use send::{DailyLimitExhausted, Policy, SendStats, Sent};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl Request {
    pub fn get(url: impl Into<String>) -> Self {
        Request {
            method: Method::Get,
            url: url.into(),
            headers: Vec::new(),
            body: None,
        }
    }
}

// Debug shows header names only: header values carry tokens, which must never reach a log.
impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &names)
            .field("body_len", &self.body.as_ref().map(String::len))
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// Header names lower-cased, as `fetch` reports them.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The request never produced an HTTP response (refused, reset, DNS, CORS, aborted).
/// An HTTP error status is not a `TransportError`: it is a `Response`.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("{method} {url} failed before a response arrived: {reason}")]
pub struct TransportError {
    pub method: &'static str,
    pub url: String,
    pub reason: String,
}

impl CodedError for TransportError {
    fn code(&self) -> &'static str {
        "HTTP_TRANSPORT"
    }

    fn details(&self) -> Value {
        json!({ "method": self.method, "url": self.url, "reason": self.reason })
    }
}

/// Sends one request. Futures are not `Send`: wasm is single-threaded.
#[allow(async_fn_in_trait)]
pub trait Transport {
    async fn send(&self, request: Request) -> Result<Response, TransportError>;
}

/// Time for the rate limiter and backoff: `setTimeout` and `Date.now()` in wasm, a
/// virtual clock in native tests (so a 10-second window takes no real time).
#[allow(async_fn_in_trait)]
pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> f64;
    async fn sleep(&self, ms: f64);
}

impl Request {
    /// A request with a JSON body.
    pub fn json(method: Method, url: impl Into<String>, body: Option<String>) -> Self {
        Request {
            method,
            url: url.into(),
            headers: Vec::new(),
            body,
        }
    }
}

/// Percent-encodes a path segment or query value (RFC 3986 unreserved kept).
pub fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Test doubles shared by every client's unit tests.
#[cfg(test)]
pub mod fake {
    use super::*;
    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;

    /// A clock that only moves when slept on.
    #[derive(Debug)]
    pub struct FakeClock {
        pub now: Cell<f64>,
        pub slept: RefCell<Vec<f64>>,
    }

    impl Default for FakeClock {
        fn default() -> Self {
            Self::new()
        }
    }

    impl FakeClock {
        pub fn new() -> Self {
            FakeClock {
                now: Cell::new(1_790_000_000_000.0),
                slept: RefCell::new(Vec::new()),
            }
        }
    }

    impl Clock for FakeClock {
        fn now_ms(&self) -> f64 {
            self.now.get()
        }
        async fn sleep(&self, ms: f64) {
            self.slept.borrow_mut().push(ms);
            self.now.set(self.now.get() + ms);
        }
    }

    /// A borrowed clock, so a test can read the time a client has slept to.
    impl Clock for &FakeClock {
        fn now_ms(&self) -> f64 {
            (*self).now_ms()
        }
        async fn sleep(&self, ms: f64) {
            (*self).sleep(ms).await
        }
    }

    /// Answers requests from a script, in order, and records what was sent.
    #[derive(Debug, Default)]
    pub struct ScriptedTransport {
        pub script: RefCell<VecDeque<Result<Response, TransportError>>>,
        pub sent: RefCell<Vec<Request>>,
    }

    impl ScriptedTransport {
        pub fn new() -> Self {
            Self::default()
        }
        pub fn reply(&self, status: u16, body: &str) -> &Self {
            self.reply_with(status, &[], body)
        }
        pub fn reply_with(&self, status: u16, headers: &[(&str, &str)], body: &str) -> &Self {
            self.script.borrow_mut().push_back(Ok(Response {
                status,
                headers: headers
                    .iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
                    .collect(),
                body: body.to_owned(),
            }));
            self
        }
        pub fn fail(&self, reason: &str) -> &Self {
            self.script.borrow_mut().push_back(Err(TransportError {
                method: "?",
                url: String::new(),
                reason: reason.to_owned(),
            }));
            self
        }
        pub fn sent(&self) -> Vec<Request> {
            self.sent.borrow().clone()
        }
    }

    /// Lets a test keep the script to inspect `sent()` after handing a client a reference.
    impl Transport for &ScriptedTransport {
        async fn send(&self, request: Request) -> Result<Response, TransportError> {
            (*self).send(request).await
        }
    }

    impl Transport for ScriptedTransport {
        async fn send(&self, request: Request) -> Result<Response, TransportError> {
            self.sent.borrow_mut().push(request.clone());
            self.script.borrow_mut().pop_front().unwrap_or_else(|| {
                Err(TransportError {
                    method: request.method.as_str(),
                    url: request.url,
                    reason: "script exhausted".into(),
                })
            })
        }
    }

    /// Drives a future to completion: the fakes never return Pending.
    pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
        use std::task::{Context, Poll, Waker};
        let mut future = std::pin::pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_debug_never_shows_header_values() {
        let mut request = Request::get("http://127.0.0.1/contacts");
        request
            .headers
            .push(("Authorization".into(), "Bearer secret-token".into()));
        let shown = format!("{request:?}");
        assert!(shown.contains("Authorization"));
        assert!(!shown.contains("secret-token"));
    }

    #[test]
    fn response_headers_match_case_insensitively() {
        let response = Response {
            status: 429,
            headers: vec![("x-ratelimit-remaining".into(), "0".into())],
            body: String::new(),
        };
        assert_eq!(response.header("X-RateLimit-Remaining"), Some("0"));
        assert_eq!(response.header("Retry-After"), None);
    }

    #[test]
    fn encode_component_escapes_everything_but_unreserved() {
        assert_eq!(
            encode_component("+1 423/x?&=é"),
            "%2B1%20423%2Fx%3F%26%3D%C3%A9"
        );
        assert_eq!(encode_component("a-b_c.d~"), "a-b_c.d~");
    }

    use fake::{block_on, FakeClock, ScriptedTransport};

    #[test]
    fn policy_retries_idempotent_5xx_and_network_errors_with_backoff() {
        let t = ScriptedTransport::new();
        t.reply(503, "").fail("reset").reply(200, "ok");
        let clock = FakeClock::new();
        let policy = Policy::new(Limits::GHL, RetryPolicy::default(), 7);
        let sent = block_on(policy.send(&t, &clock, "loc", &Request::get("u"), true)).unwrap();
        assert_eq!(sent.attempts, 3);
        assert_eq!(sent.result.unwrap().body, "ok");
        assert_eq!(clock.slept.borrow().len(), 2);
        let stats = policy.stats();
        assert_eq!((stats.requests, stats.attempts, stats.retries), (1, 3, 2));
    }

    #[test]
    fn policy_never_retries_a_non_idempotent_5xx_but_does_retry_its_429() {
        let t = ScriptedTransport::new();
        t.reply_with(429, &[("Retry-After", "2")], "")
            .reply(500, "boom");
        let clock = FakeClock::new();
        let policy = Policy::new(Limits::GHL, RetryPolicy::default(), 7);
        let sent = block_on(policy.send(&t, &clock, "loc", &Request::get("u"), false)).unwrap();
        assert_eq!(sent.attempts, 2);
        assert_eq!(sent.result.unwrap().status, 500);
        // The backoff sleep, then the limiter's wait for the rest of Retry-After.
        let slept: f64 = clock.slept.borrow().iter().sum();
        assert!(slept >= 2_000.0, "{slept}");
    }

    #[test]
    fn policy_gives_up_after_max_attempts() {
        let t = ScriptedTransport::new();
        for _ in 0..3 {
            t.reply(429, "");
        }
        let clock = FakeClock::new();
        let retry = RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        };
        let policy = Policy::new(Limits::GHL, retry, 7);
        let sent = block_on(policy.send(&t, &clock, "loc", &Request::get("u"), true)).unwrap();
        assert_eq!((sent.attempts, sent.result.unwrap().status), (3, 429));
    }

    #[test]
    fn policy_throttles_the_101st_request_without_sending_a_429() {
        let t = ScriptedTransport::new();
        for _ in 0..101 {
            t.reply(200, "");
        }
        let clock = FakeClock::new();
        let policy = Policy::new(Limits::GHL, RetryPolicy::default(), 7);
        for _ in 0..101 {
            block_on(policy.send(&t, &clock, "loc", &Request::get("u"), true)).unwrap();
        }
        assert_eq!(*clock.slept.borrow(), vec![10_000.0]);
        assert_eq!(policy.stats().throttled_ms, 10_000.0);
    }

    /// A transport that never answers.
    struct Silent;
    impl Transport for Silent {
        async fn send(&self, _request: Request) -> Result<Response, TransportError> {
            std::future::pending().await
        }
    }

    #[test]
    fn policy_times_out_an_attempt_that_never_answers() {
        let clock = FakeClock::new();
        let retry = RetryPolicy {
            max_attempts: 2,
            ..RetryPolicy::default()
        };
        let policy = Policy::new(Limits::GHL, retry, 7).with_timeout_ms(Some(250.0));
        let sent = block_on(policy.send(&Silent, &clock, "loc", &Request::get("u"), true)).unwrap();
        assert_eq!(sent.attempts, 2);
        assert_eq!(sent.result.unwrap_err().reason, "no response within 250 ms");
    }

    #[test]
    fn policy_reports_a_spent_daily_budget_without_sending() {
        let t = ScriptedTransport::new();
        t.reply(200, "");
        let clock = FakeClock::new();
        let limits = Limits {
            daily: Some(1),
            ..Limits::GHL
        };
        let policy = Policy::new(limits, RetryPolicy::default(), 7);
        block_on(policy.send(&t, &clock, "loc", &Request::get("u"), true)).unwrap();
        let err = block_on(policy.send(&t, &clock, "loc", &Request::get("u"), true)).unwrap_err();
        assert_eq!(err.key, "loc");
        assert_eq!(t.sent().len(), 1);
    }
}
