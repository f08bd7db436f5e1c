//! The mapping spec parser on arbitrary bytes, and every spec it accepts applied to a
//! fixed person and contact in both directions: a typed problem list or a payload, never
//! a panic. JSON that does not parse is skipped (serde_json is fuzzed upstream).
#![no_main]

use libfuzzer_sys::fuzz_target;
use outseta_ghl_sync::mapping::{parse, parse_context, preview, Direction};
use serde_json::{json, Value};

fuzz_target!(|data: &[u8]| {
    let Ok(spec) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let Ok(ctx) = parse_context(None) else {
        return;
    };
    // The same bytes as a context too: its parser takes user JSON as well.
    let _ = parse_context(Some(&spec));
    let Ok(spec) = parse(&spec, &ctx) else {
        return;
    };
    let person = json!({
        "Uid": "DQ2DyknW", "Email": " Jane.Doe@Example.com ", "FirstName": "Jane",
        "PhoneMobile": "(555) 010-2030", "Account": { "AccountStage": 3 },
        "MailingAddress": { "City": "Springfield", "Country": "US" }, "Coffee": "flat white",
    });
    let contact = json!({
        "id": "c1", "email": "jane@example.com", "firstName": "Jane", "phone": "+15550102030",
        "tags": ["vip"], "customFields": [{ "id": "f1", "value": "x" }],
    });
    let _ = preview(&[person], &spec, &ctx, Direction::ToGhl);
    let _ = preview(&[contact], &spec, &ctx, Direction::ToOutseta);
});
