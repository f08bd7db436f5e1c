//! HighLevel (GHL / LeadConnector) Contacts API v2: types, the typed client, webhooks.
//! Knows nothing of Outseta or JavaScript.

pub mod client;
pub mod error;
pub mod read;
pub mod time;
pub mod types;
pub mod webhook;

pub use client::{Auth, GhlClient, GhlConfig, Secret};
pub use error::GhlError;
