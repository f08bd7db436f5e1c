//! The API response types on arbitrary bytes, decoded as the clients decode them: a GHL
//! contact, a GHL search page, an Outseta person and a page of people. Any input must
//! decode or give an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use outseta_ghl_sync::ghl::client::SearchPage;
use outseta_ghl_sync::ghl::types::Contact;
use outseta_ghl_sync::outseta::types::{Page, Person};

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<Contact>(data);
    let _ = serde_json::from_slice::<SearchPage>(data);
    let _ = serde_json::from_slice::<Person>(data);
    let _ = serde_json::from_slice::<Page<Person>>(data);
});
