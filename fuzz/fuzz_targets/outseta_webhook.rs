//! The Outseta webhook parser and verifier on arbitrary bytes: any input must give an
//! event or a typed error, never a panic. The first byte picks the event name; the body
//! is checked both with a correct signature (so the parser is reached) and with the
//! next 71 bytes as a signature header (so the header parser is fuzzed too).
#![no_main]

use libfuzzer_sys::fuzz_target;
use outseta_ghl_sync::outseta::webhook::{handle, parse_event, sign, verify_signature};

const KEY: &str = "5f1e4c2b9a7d3e8f0b6a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5";
// Hosts pass the route's raw path segment, escapes and all.
const EVENTS: [&str; 8] = [
    "person-created",
    "PersonUpdated",
    "202",
    "account-updated",
    "Account Deleted",
    "no-such-event",
    "Person%20Deleted",
    "%E0%A4%A",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let event = EVENTS[usize::from(selector) % EVENTS.len()];
    let _ = parse_event(event, rest);
    if let Ok(header) = sign(KEY, rest) {
        let _ = handle(event, rest, Some(&header), KEY);
    }
    let split = rest.len().min(71);
    let (header, body) = rest.split_at(split);
    let header = String::from_utf8_lossy(header);
    let _ = verify_signature(KEY, body, Some(&header));
    let _ = handle(event, body, Some(&header), &header);
});
