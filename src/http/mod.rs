//! The one seam through which the engine talks to the network.
//!
//! API clients build `Request`s and hand them to a `Transport`: in wasm that is
//! `wasm::FetchTransport` (the host's global `fetch`, so the same code runs in browsers,
//! Workers and Node); native tests use a scripted fake. Rate limiting, retries and
//! paging are layered on top of this trait, never inside an implementation.

use serde_json::{json, Value};
use thiserror::Error;

use crate::error::CodedError;

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
}
