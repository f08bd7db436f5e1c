//! Outseta activity notifications ("webhooks").
//!
//! The body is the bare Person or Account JSON with no event type in it: the event is
//! known from the URL the notification was configured with, so it is a parameter here.
//! When a signing key is set in Outseta, each delivery carries
//! `x-hub-signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw body under the
//! hex-decoded 32-byte key; it is checked in constant time (`hmac`'s `verify_slice`).
//! Outseta retries a failed delivery 20 times, 20 minutes apart, so every event carries
//! an `idempotency_key` that is the same for every retry of one delivery.
//!
//! The signature covers the body, not the URL, so the event name is the sender's word
//! only. The key is therefore the body's hash and the *effect* the route has, never the
//! route itself: one captured body re-sent to every other route is one delivery per
//! effect (an upsert of the person, a delete, an account's people), not one per route.
//! The effect stays in the key because a delete can carry the same bytes as the update
//! before it (deleting a person does not change the record Outseta sends), and a key of
//! the body alone would refuse that delete as a replay through all 20 retries.

use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::types::{Account, Person};
use crate::error::{BodyTooLarge, CodedError, WEBHOOK_BODY_MAX};

/// The header Outseta signs with.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("the x-hub-signature-256 header is missing")]
    Missing,
    #[error("the x-hub-signature-256 header is not sha256=<64 hex digits>")]
    Malformed,
    #[error("the webhook signature does not match the body")]
    Mismatch,
    #[error("the webhook signing key must be 64 hex digits (32 bytes), as Outseta requires")]
    KeyInvalid,
}

impl CodedError for SignatureError {
    fn code(&self) -> &'static str {
        match self {
            SignatureError::KeyInvalid => "INPUT_INVALID",
            _ => "SIGNATURE_INVALID",
        }
    }

    fn details(&self) -> Value {
        let reason = match self {
            SignatureError::Missing => "missing",
            SignatureError::Malformed => "malformed",
            SignatureError::Mismatch => "mismatch",
            SignatureError::KeyInvalid => "key",
        };
        match self {
            SignatureError::KeyInvalid => json!({ "path": "key", "reason": reason }),
            _ => json!({ "header": SIGNATURE_HEADER, "reason": reason }),
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum WebhookError {
    #[error(transparent)]
    Signature(#[from] SignatureError),
    #[error("unknown Outseta webhook event {event:?}")]
    UnknownEvent { event: String },
    #[error(transparent)]
    TooLarge(#[from] BodyTooLarge),
    #[error("the webhook body is not a {entity} record: {reason}")]
    Payload {
        entity: &'static str,
        reason: String,
    },
}

impl CodedError for WebhookError {
    fn code(&self) -> &'static str {
        match self {
            WebhookError::Signature(e) => e.code(),
            WebhookError::TooLarge(e) => e.code(),
            _ => "OUTSETA_WEBHOOK_INVALID",
        }
    }

    fn details(&self) -> Value {
        match self {
            WebhookError::Signature(e) => e.details(),
            WebhookError::UnknownEvent { event } => json!({ "reason": "event", "event": event }),
            WebhookError::TooLarge(e) => e.details(),
            WebhookError::Payload { entity, reason } => {
                json!({ "reason": "payload", "entity": entity, "detail": reason })
            }
        }
    }
}

/// Decodes Outseta's signing key: 64 hex digits, i.e. 32 bytes.
pub fn decode_key(key_hex: &str) -> Result<Vec<u8>, SignatureError> {
    let key = hex_decode(key_hex.trim()).ok_or(SignatureError::KeyInvalid)?;
    if key.len() != 32 {
        return Err(SignatureError::KeyInvalid);
    }
    Ok(key)
}

/// `sha256=<lowercase hex>` for `body` under the key: what Outseta sends (used by tests
/// and by anyone replaying a delivery).
pub fn sign(key_hex: &str, body: &[u8]) -> Result<String, SignatureError> {
    let mut mac = mac(&decode_key(key_hex)?)?;
    mac.update(body);
    Ok(format!(
        "sha256={}",
        hex_encode(&mac.finalize().into_bytes())
    ))
}

/// Checks `header` (the value of `x-hub-signature-256`) against the raw `body`.
pub fn verify_signature(
    key_hex: &str,
    body: &[u8],
    header: Option<&str>,
) -> Result<(), SignatureError> {
    let key = decode_key(key_hex)?;
    let header = header
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .ok_or(SignatureError::Missing)?;
    let hex = header
        .get(..7)
        .filter(|prefix| prefix.eq_ignore_ascii_case("sha256="))
        .and_then(|_| header.get(7..))
        .ok_or(SignatureError::Malformed)?;
    let expected = hex_decode(hex)
        .filter(|bytes| bytes.len() == 32)
        .ok_or(SignatureError::Malformed)?;
    let mut mac = mac(&key)?;
    mac.update(body);
    mac.verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

fn mac(key: &[u8]) -> Result<Hmac<Sha256>, SignatureError> {
    Hmac::<Sha256>::new_from_slice(key).map_err(|_| SignatureError::KeyInvalid)
}

/// Which record an event carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EntityKind {
    Person,
    Account,
}

/// The record a delivery carried.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum WebhookRecord {
    Person(Box<Person>),
    Account(Box<Account>),
}

/// One verified, parsed delivery.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent {
    /// Outseta's name for the activity type, e.g. `PersonUpdated`.
    pub event: &'static str,
    pub activity_type: i64,
    pub entity: EntityKind,
    pub uid: String,
    /// `outseta:{effect}:{uid}:{first 16 bytes of SHA-256(body), hex}` (`effect`:
    /// `person`, `person-deleted` or `account`, see the module's notes): identical for
    /// every retry of one delivery, different for a new change.
    pub idempotency_key: String,
    pub record: WebhookRecord,
}

/// Activity types whose notification carries a Person or an Account, by Outseta's name.
const EVENTS: &[(&str, i64, EntityKind)] = &[
    ("AccountCreated", 100, EntityKind::Account),
    ("AccountUpdated", 101, EntityKind::Account),
    ("AccountAddPerson", 102, EntityKind::Account),
    ("AccountStageUpdated", 103, EntityKind::Account),
    ("AccountDeleted", 104, EntityKind::Account),
    ("AccountBillingInformationUpdated", 105, EntityKind::Account),
    ("AccountSubscriptionPlanUpdated", 106, EntityKind::Account),
    (
        "AccountSubscriptionPaymentCollected",
        107,
        EntityKind::Account,
    ),
    (
        "AccountSubscriptionPaymentDeclined",
        108,
        EntityKind::Account,
    ),
    ("AccountRemovePerson", 111, EntityKind::Account),
    ("AccountPaidSubscriptionCreated", 112, EntityKind::Account),
    ("AccountPrimaryPersonUpdated", 114, EntityKind::Account),
    ("AccountSubscriptionStarted", 116, EntityKind::Account),
    ("AccountSubscriptionAddOnsChanged", 118, EntityKind::Account),
    (
        "AccountSubscriptionCancellationRequested",
        119,
        EntityKind::Account,
    ),
    ("PersonCreated", 200, EntityKind::Person),
    ("PersonUpdated", 201, EntityKind::Person),
    ("PersonDeleted", 202, EntityKind::Person),
    ("PersonLogin", 203, EntityKind::Person),
    ("PersonListSubscribed", 204, EntityKind::Person),
    ("PersonListUnsubscribed", 205, EntityKind::Person),
    ("PersonSegmentAdded", 206, EntityKind::Person),
    ("PersonSegmentRemoved", 207, EntityKind::Person),
    ("PersonEmailBounce", 210, EntityKind::Person),
    ("PersonEmailSpam", 211, EntityKind::Person),
    ("PersonListConfirmed", 215, EntityKind::Person),
    ("PersonEmailSubscribed", 216, EntityKind::Person),
    ("PersonEmailUnsubscribed", 217, EntityKind::Person),
];

/// Looks an event up by name in any of the spellings integrators use in their URLs
/// (`PersonUpdated`, `person-updated`, `person_updated`, `Person Updated`) or by its
/// activity type number (`201`). A name may come straight from a URL's path, still
/// percent-encoded: hosts pass the raw segment, read only after the signature is
/// checked, and `%20` is the one escape an event name can hold (any other `%` names no
/// event, so a malformed escape is an unknown event, never an error before that).
pub fn lookup_event(name: &str) -> Option<(&'static str, i64, EntityKind)> {
    let wanted: String = name
        .replace("%20", " ")
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    EVENTS
        .iter()
        .copied()
        .find(|(event, number, _)| event.to_lowercase() == wanted || number.to_string() == wanted)
}

/// Parses a delivery without checking its signature (use `handle` for untrusted input).
pub fn parse_event(event: &str, body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let (name, activity_type, entity) =
        lookup_event(event).ok_or_else(|| WebhookError::UnknownEvent {
            event: event.chars().take(100).collect(),
        })?;
    too_large(body)?;
    let entity_name = match entity {
        EntityKind::Person => "Person",
        EntityKind::Account => "Account",
    };
    let payload = |reason: String| WebhookError::Payload {
        entity: entity_name,
        reason,
    };
    // Straight from the bytes into the record type: one deserializer per type keeps the
    // wasm small (the client's `from_str` instantiation is reused).
    let text = std::str::from_utf8(body).map_err(|e| payload(e.to_string()))?;
    if !text.trim_start().starts_with('{') {
        return Err(payload("expected a JSON object".to_owned()));
    }
    let (uid, record) = match entity {
        EntityKind::Person => {
            let person: Person = serde_json::from_str(text).map_err(|e| payload(e.to_string()))?;
            (person.uid.clone(), WebhookRecord::Person(Box::new(person)))
        }
        EntityKind::Account => {
            let account: Account =
                serde_json::from_str(text).map_err(|e| payload(e.to_string()))?;
            (
                account.uid.clone(),
                WebhookRecord::Account(Box::new(account)),
            )
        }
    };
    let uid = uid
        .filter(|u| !u.is_empty())
        .ok_or_else(|| payload("the record has no Uid".to_owned()))?;
    let effect = match (entity, name) {
        (EntityKind::Person, "PersonDeleted") => "person-deleted",
        (EntityKind::Person, _) => "person",
        (EntityKind::Account, _) => "account",
    };
    let digest = Sha256::digest(body);
    let idempotency_key = format!("outseta:{effect}:{uid}:{}", hex_encode(&digest[..16]));
    Ok(WebhookEvent {
        event: name,
        activity_type,
        entity,
        uid,
        idempotency_key,
        record,
    })
}

/// Verifies the signature, then parses: what an HTTP handler calls with the event
/// name from its route, the raw body, the `x-hub-signature-256` header and the key.
pub fn handle(
    event: &str,
    body: &[u8],
    signature: Option<&str>,
    key_hex: &str,
) -> Result<WebhookEvent, WebhookError> {
    too_large(body)?;
    verify_signature(key_hex, body, signature)?;
    parse_event(event, body)
}

fn too_large(body: &[u8]) -> Result<(), BodyTooLarge> {
    if body.len() > WEBHOOK_BODY_MAX {
        return Err(BodyTooLarge {
            limit: WEBHOOK_BODY_MAX,
        });
    }
    Ok(())
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if text.is_empty() || !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    };
    text.as_bytes()
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "5f1e4c2b9a7d3e8f0b6a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5";
    const BODY: &[u8] = br#"{"Uid":"DQ2DyknW","Email":"jane@example.com","Updated":"2021-01-24T23:03:35.2226324Z","CoffeePreference":"Latte"}"#;

    #[test]
    fn hmac_matches_an_independent_vector() {
        // RFC 4231 test case 2 ("Jefe" is not 32 bytes, so check the MAC itself).
        let mut mac = mac(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex_encode(&mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // The same key and body through `printf '{}' | openssl dgst -sha256 -mac HMAC
        // -macopt hexkey:KEY`.
        assert_eq!(
            sign(KEY, b"{}").unwrap(),
            "sha256=ac9b359fede096a511c75331c9990e35dab5afc96c8da1d9aa71054b90964680"
        );
    }

    #[test]
    fn a_valid_signature_verifies_in_either_case() {
        let header = sign(KEY, BODY).unwrap();
        assert_eq!(verify_signature(KEY, BODY, Some(&header)), Ok(()));
        assert_eq!(
            verify_signature(
                KEY,
                BODY,
                Some(&header.to_uppercase().replacen("SHA256=", "sha256=", 1))
            ),
            Ok(())
        );
        assert_eq!(
            verify_signature(&KEY.to_uppercase(), BODY, Some(&header)),
            Ok(())
        );
    }

    #[test]
    fn tampered_wrong_key_missing_and_malformed_are_refused() {
        let header = sign(KEY, BODY).unwrap();
        let mut tampered = BODY.to_vec();
        tampered[10] ^= 1;
        assert_eq!(
            verify_signature(KEY, &tampered, Some(&header)),
            Err(SignatureError::Mismatch)
        );
        let other_key = "00".repeat(32);
        assert_eq!(
            verify_signature(&other_key, BODY, Some(&header)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(KEY, BODY, None),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_signature(KEY, BODY, Some("  ")),
            Err(SignatureError::Missing)
        );
        for bad in [
            "sha256=",
            "sha1=abcd",
            "sha256=zz",
            &header[7..],
            &format!("{header}00"),
        ] {
            assert_eq!(
                verify_signature(KEY, BODY, Some(bad)),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
        for bad_key in [
            "",
            "abc",
            &"0".repeat(62),
            &"g".repeat(64),
            &"00".repeat(33),
        ] {
            assert_eq!(
                verify_signature(bad_key, BODY, Some(&header)),
                Err(SignatureError::KeyInvalid)
            );
        }
        assert_eq!(SignatureError::Mismatch.code(), "SIGNATURE_INVALID");
    }

    #[test]
    fn a_signed_person_update_is_parsed_with_a_stable_idempotency_key() {
        let header = sign(KEY, BODY).unwrap();
        let event = handle("person-updated", BODY, Some(&header), KEY).unwrap();
        assert_eq!(
            (event.event, event.activity_type, event.entity),
            ("PersonUpdated", 201, EntityKind::Person)
        );
        assert_eq!(event.uid, "DQ2DyknW");
        match &event.record {
            WebhookRecord::Person(p) => {
                assert_eq!(p.custom.get("CoffeePreference"), Some(&json!("Latte")))
            }
            other => panic!("{other:?}"),
        }
        let again = handle("PersonUpdated", BODY, Some(&header), KEY).unwrap();
        assert_eq!(event.idempotency_key, again.idempotency_key);
        let changed =
            br#"{"Uid":"DQ2DyknW","Email":"jane@example.com","Updated":"2021-01-25T00:00:00Z"}"#;
        let other = parse_event("201", changed).unwrap();
        assert_ne!(event.idempotency_key, other.idempotency_key);
        assert!(event
            .idempotency_key
            .starts_with("outseta:person:DQ2DyknW:"));
    }

    #[test]
    fn the_key_is_the_body_and_the_routes_effect_not_the_route() {
        // The event name comes from the unsigned URL: every upsert route gives one key,
        // so a captured body re-sent to them is one delivery.
        let key = |event: &str| parse_event(event, BODY).unwrap().idempotency_key;
        let upsert = key("PersonUpdated");
        for event in [
            "PersonCreated",
            "person-list-subscribed",
            "203",
            "PersonEmailBounce",
        ] {
            assert_eq!(key(event), upsert, "{event}");
        }
        // A delete may carry the very bytes of the update before it, and must not be
        // refused as that update's replay.
        assert_eq!(
            key("PersonDeleted"),
            upsert.replacen("outseta:person:", "outseta:person-deleted:", 1)
        );
        assert_eq!(key("AccountUpdated"), key("AccountDeleted"));
        // Hosts pass the route's raw segment: `%20` reads as a space, a malformed escape
        // is an unknown event.
        assert_eq!(key("Person%20Updated"), upsert);
        assert!(matches!(
            parse_event("%E0%A4%A", BODY),
            Err(WebhookError::UnknownEvent { .. })
        ));
        assert!(key("AccountUpdated").starts_with("outseta:account:DQ2DyknW:"));
    }

    #[test]
    fn account_events_carry_an_account() {
        let event = parse_event(
            "Account Created",
            br#"{"Uid":"acc1","Name":"Acme","AccountStage":2}"#,
        )
        .unwrap();
        assert_eq!(event.entity, EntityKind::Account);
        assert!(matches!(event.record, WebhookRecord::Account(_)));
    }

    #[test]
    fn bad_deliveries_are_typed_errors() {
        assert!(matches!(
            parse_event("person-exploded", BODY),
            Err(WebhookError::UnknownEvent { .. })
        ));
        for body in [
            &b"not json"[..],
            b"[]",
            b"null",
            b"{\"Email\":1}",
            b"{\"Email\":\"a@b.co\"}",
            b"\xff\xfe",
            b"",
        ] {
            let err = parse_event("person-created", body).unwrap_err();
            assert_eq!(err.code(), "OUTSETA_WEBHOOK_INVALID", "{body:?}");
        }
        let huge = vec![b' '; WEBHOOK_BODY_MAX + 1];
        assert!(matches!(
            parse_event("person-created", &huge),
            Err(WebhookError::TooLarge(_))
        ));
        // Refused by its length alone, before the signature is looked at.
        let err = handle("person-created", &huge, None, KEY).unwrap_err();
        assert_eq!(err.code(), "BODY_TOO_LARGE");
        let deep = "[".repeat(10_000);
        assert!(parse_event("person-created", deep.as_bytes()).is_err());
        assert_eq!(
            handle("person-created", BODY, None, KEY)
                .unwrap_err()
                .code(),
            "SIGNATURE_INVALID"
        );
    }

    /// The in-`cargo test` companion of `fuzz/fuzz_targets/outseta_webhook.rs`: 10,000
    /// seeded mutations of real deliveries
    /// (bit flips, truncations, splices of JSON fragments) through `handle` and
    /// `parse_event`. Any panic fails the test; every outcome must be Ok or a coded error.
    #[test]
    fn mutated_deliveries_never_panic() {
        let seeds: [&[u8]; 3] = [
            BODY,
            br#"{"Uid":"acc1","Name":"Acme","AccountStage":3,"PersonAccount":[{"Person":{"Uid":"p"},"IsPrimary":true}],"CurrentSubscription":{"StartDate":"2024-01-01T00:00:00","Plan":{"Uid":"x"}}}"#,
            br#"{"Uid":"p","MailingAddress":{"City":"X","Created":"0001-01-01T00:00:00"},"LastLoginDateTime":"2018-05-01T10:00:00-05:00"}"#,
        ];
        let fragments: [&[u8]; 10] = [
            b"{",
            b"}",
            b"[",
            b"]",
            b"\"",
            b":",
            b",",
            b"null",
            b"\"2023-13-45T99:99:99.123456789+25:61\"",
            b"1e999",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for i in 0..10_000 {
            let mut body = seeds[i % seeds.len()].to_vec();
            for _ in 0..(next() % 4 + 1) {
                let at = (next() as usize) % (body.len() + 1);
                match next() % 4 {
                    0 if at < body.len() => body[at] ^= 1 << (next() % 8),
                    1 => body.truncate(at),
                    2 => {
                        let f = fragments[(next() as usize) % fragments.len()];
                        body.splice(at..at, f.iter().copied());
                    }
                    _ if at < body.len() => {
                        body.remove(at);
                    }
                    _ => {}
                }
            }
            let event = ["person-updated", "AccountUpdated", "202"][i % 3];
            match parse_event(event, &body) {
                Ok(parsed) => assert!(!parsed.uid.is_empty()),
                Err(e) => assert!(!e.code().is_empty()),
            }
            let header = sign(KEY, &body).unwrap();
            let _ = handle(event, &body, Some(&header), KEY);
        }
    }
}
