//! Everything JavaScript sees: the exported functions, coded JS errors, and the
//! `fetch`-backed Transport. The core modules never import from here.

mod clock;
mod error;
mod exports;
mod ghl;
mod json;
mod transport;

pub use clock::JsClock;
pub use error::to_js_error;
pub use exports::{map_contact, map_contacts, version};
pub use ghl::{parse_ghl_webhook, GhlClient, GhlSearchPager, GhlWebhookVerifier};
pub use transport::FetchTransport;
