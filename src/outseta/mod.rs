//! Outseta REST API v1: typed records, a client over `http::Transport`, and webhook
//! verification. Knows nothing of GHL or JavaScript. The sourced reference for every
//! endpoint, field and quirk is ../shared/specs/outseta/NOTES.md.

pub mod client;
pub mod error;
pub mod pace;
pub mod time;
pub mod types;
pub mod webhook;

pub use client::{Client, ListQuery, OutsetaConfig, MAX_LIMIT};
pub use error::{FieldError, OutsetaError};
pub use time::Timestamp;
pub use types::*;

/// A minimal executor for the unit tests: the fakes never return `Pending` for long.
#[cfg(test)]
pub(crate) mod testing {
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    pub fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }
}
