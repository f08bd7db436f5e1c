//! Everything JavaScript sees: the exported functions, coded JS errors, and the
//! `fetch`-backed Transport. The core modules never import from here.

mod clock;
mod dedup;
mod error;
mod exports;
mod fold;
mod ghl;
mod json;
mod memcmp;
mod merge;
mod options;
mod outseta;
mod sync;
mod transport;

pub use clock::JsClock;
pub use dedup::{find_duplicates, pair_records, JsDedupIndex};
pub use error::to_js_error;
pub use exports::{map_contact, map_contacts, version, webhook_body_limit};
pub use fold::install_host_folding;
pub use ghl::{parse_ghl_webhook, GhlClient, GhlSearchPager, GhlWebhookVerifier};
pub use merge::{
    default_mapping, merge_contact, plan_sync, plan_sync_json, preview_mapping, validate_mapping,
};
pub use outseta::{parse_outseta_webhook, verify_outseta_signature, OutsetaClient};
pub use sync::{check_import_options, run_store_conformance, SyncEngine};
pub use transport::FetchTransport;
