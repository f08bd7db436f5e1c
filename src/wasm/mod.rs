//! Everything JavaScript sees: the exported functions, coded JS errors, and the
//! `fetch`-backed Transport. The core modules never import from here.

mod error;
mod exports;
mod json;
mod outseta;
mod transport;

pub use error::to_js_error;
pub use exports::{map_contact, map_contacts, version};
pub use outseta::{parse_outseta_webhook, verify_outseta_signature, OutsetaClient};
pub use transport::FetchTransport;
