//! Outseta REST API v1: typed records, a client over `http::Transport`, and webhook
//! verification. Knows nothing of GHL or JavaScript. The sourced reference for every
//! endpoint, field and quirk is ../shared/specs/outseta/NOTES.md.

pub mod client;
pub mod error;
pub mod lists;
pub mod time;
pub mod types;
pub mod webhook;

pub use client::{Client, ListQuery, OutsetaConfig, Settings, MAX_LIMIT};
pub use error::{FieldError, OutsetaError};
pub use time::Timestamp;
pub use types::*;
