//! The HighLevel webhook parser and verifier on arbitrary bytes: any input must give an
//! event or a typed error, never a panic. The first byte picks which header carries a
//! signature made of the next 88 bytes (the length of a base64 Ed25519 signature).
#![no_main]

use libfuzzer_sys::fuzz_target;
use outseta_ghl_sync::ghl::webhook::{parse_event, WebhookKeys, WebhookVerifier};

fuzz_target!(|data: &[u8]| {
    let _ = parse_event(data);
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let split = rest.len().min(88);
    let (signature, body) = rest.split_at(split);
    let signature = String::from_utf8_lossy(signature);
    let Ok(keys) = WebhookKeys::published() else {
        return;
    };
    // Half the time the verifier serves one location, so its check is fuzzed too.
    let mut verifier =
        WebhookVerifier::new(keys).with_location((selector & 4 != 0).then(|| "loc".to_owned()));
    let (ghl, wh) = match selector % 3 {
        0 => (Some(signature.as_ref()), None),
        1 => (None, Some(signature.as_ref())),
        _ => (None, None),
    };
    let _ = verifier.verify(body, ghl, wh, 1_790_000_000_000.0);
});
