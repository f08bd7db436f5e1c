//! outseta-ghl-sync: keeps Outseta people and HighLevel (GHL) contacts in step.
//!
//! The core modules are plain Rust with no knowledge of JavaScript; everything that
//! crosses into JS lives in `wasm/`, which only the wasm32 build compiles.

// A panic in wasm traps the instance (and, in a Worker, every request after it), so
// code outside tests must return errors instead of unwrapping.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod error;
pub mod ghl;
pub mod http;
pub mod mapping;
pub mod matching;
pub mod merge;
pub mod model;
pub mod outseta;
pub mod phone;
pub mod plan;
pub mod store;
pub mod sync;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// The crate version, as reported by `version()` in every runtime.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
