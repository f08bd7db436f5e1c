//! HighLevel webhooks: the 11 contact, note and task events, parsed tolerantly (the live
//! API leaves fields out, e.g. a TaskCreate without `contactId` or `body`, GHL#332), and
//! verified: Ed25519 over the raw body in `x-ghl-signature` first, the legacy RSA-SHA256
//! `x-wh-signature` only when that header is absent, then replay checks (`timestamp`
//! within 5 minutes, each `webhookId` once) and, when the verifier serves one location,
//! the delivery's `locationId`. Crypto: ed25519-compact and the RustCrypto `rsa` crate.

use std::collections::HashMap;

use base64::Engine as _;
use rsa::pkcs1v15::{Signature as RsaSignature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier as _;
use rsa::traits::PublicKeyParts;
use rsa::RsaPublicKey;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::Sha256;
use thiserror::Error;

use super::time::parse_rfc3339_ms;
use super::types::{CustomFieldValue, DndSettings, Extra};
use crate::error::{BodyTooLarge, CodedError, WEBHOOK_BODY_MAX};
/// A `timestamp` further than this from now (either way) is refused.
pub const DEFAULT_MAX_AGE_MS: f64 = 5.0 * 60.0 * 1000.0;

/// The Ed25519 key HighLevel publishes for `x-ghl-signature` (WebhookIntegrationGuide,
/// quoted in NOTES.md §8).
pub const GHL_ED25519_PUBLIC_KEY_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=\n-----END PUBLIC KEY-----";

/// The RSA key HighLevel publishes for the legacy `x-wh-signature` (WebhookAuthentication.md).
pub const GHL_RSA_PUBLIC_KEY_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAokvo/r9tVgcfZ5DysOSC
Frm602qYV0MaAiNnX9O8KxMbiyRKWeL9JpCpVpt4XHIcBOK4u3cLSqJGOLaPuXw6
dO0t6Q/ZVdAV5Phz+ZtzPL16iCGeK9po6D6JHBpbi989mmzMryUnQJezlYJ3DVfB
csedpinheNnyYeFXolrJvcsjDtfAeRx5ByHQmTnSdFUzuAnC9/GepgLT9SM4nCpv
uxmZMxrJt5Rw+VUaQ9B8JSvbMPpez4peKaJPZHBbU3OdeCVx5klVXXZQGNHOs8gF
3kvoV5rTnXV0IknLBXlcKKAQLZcY/Q9rG6Ifi9c+5vqlvHPCUJFT5XUGG5RKgOKU
J062fRtN+rLYZUV+BjafxQauvC8wSWeYja63VSUruvmNj8xkx2zE/Juc+yjLjTXp
IocmaiFeAO6fUtNjDeFVkhf5LNb59vECyrHD2SQIrhgXpO4Q3dVNA5rw576PwTzN
h/AMfHKIjE4xQA1SZuYJmNnmVZLIZBlQAF9Ntd03rfadZ+yDiOXCCs9FkHibELhC
HULgCsnuDJHcrGNd5/Ddm5hxGQ0ASitgHeMZ0kcIOwKDOzOU53lDza6/Y09T7sYJ
PQe7z0cvj7aE4B+Ax1ZoZGPzpJlZtGXCsu9aTEGEnKzmsFqwcSsnw3JB31IGKAyk
T1hhTiaCeIY/OwwwNUY2yvcCAwEAAQ==
-----END PUBLIC KEY-----";

/// The event types this module knows.
pub const EVENT_TYPES: [&str; 11] = [
    "ContactCreate",
    "ContactUpdate",
    "ContactDelete",
    "ContactDndUpdate",
    "ContactTagUpdate",
    "NoteCreate",
    "NoteUpdate",
    "NoteDelete",
    "TaskCreate",
    "TaskComplete",
    "TaskDelete",
];

#[derive(Debug, Error, PartialEq)]
pub enum WebhookError {
    #[error("webhook signature invalid ({header}): {reason}")]
    Signature {
        header: &'static str,
        reason: String,
    },
    #[error("webhook payload invalid: {reason}")]
    Payload { reason: String },
    #[error("unknown webhook event type {event_type:?}")]
    UnknownEvent { event_type: String },
    #[error("stale webhook: {reason}")]
    Stale { reason: String },
    #[error("replayed webhook {webhook_id}")]
    Replayed { webhook_id: String },
    #[error("the delivery is for location {location_id}, which this deployment does not serve")]
    WrongLocation { location_id: String },
    #[error(transparent)]
    TooLarge(#[from] BodyTooLarge),
    #[error("webhook key invalid: {reason}")]
    Key { reason: String },
}

impl CodedError for WebhookError {
    fn code(&self) -> &'static str {
        match self {
            WebhookError::Signature { .. } => "SIGNATURE_INVALID",
            WebhookError::Payload { .. } => "WEBHOOK_INVALID",
            WebhookError::UnknownEvent { .. } => "WEBHOOK_UNKNOWN_EVENT",
            WebhookError::Stale { .. } => "WEBHOOK_STALE",
            WebhookError::Replayed { .. } => "WEBHOOK_REPLAYED",
            WebhookError::WrongLocation { .. } => "WEBHOOK_WRONG_LOCATION",
            WebhookError::Key { .. } => "INPUT_INVALID",
            WebhookError::TooLarge(e) => e.code(),
        }
    }

    fn details(&self) -> Value {
        match self {
            WebhookError::Signature { header, reason } => {
                json!({ "header": header, "reason": reason })
            }
            WebhookError::Payload { reason }
            | WebhookError::Stale { reason }
            | WebhookError::Key { reason } => {
                json!({ "reason": reason })
            }
            WebhookError::UnknownEvent { event_type } => {
                json!({ "type": event_type, "known": EVENT_TYPES })
            }
            WebhookError::Replayed { webhook_id } => json!({ "webhookId": webhook_id }),
            WebhookError::WrongLocation { location_id } => json!({ "locationId": location_id }),
            WebhookError::TooLarge(e) => e.details(),
        }
    }
}

/// Fields every delivery may carry around the event (GHL#264, WebhookAuthentication.md).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_id: Option<String>,
    /// RFC 3339 text or epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
}

/// `Contact*` events: a flat contact (`ContactDndUpdate` adds `dndSettings`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactEvent {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dnd: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dnd_settings: Option<DndSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_added: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Note*` events: `{id, body, contactId, dateAdded}` (a fixed allowlist, GHL#312).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteEvent {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_added: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Task*` events; a real TaskCreate may lack `contactId` and `body` (GHL#332).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskEvent {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_added: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One parsed event. Serialises back to the wire shape (`type` plus the fields).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum WebhookEvent {
    ContactCreate(ContactEvent),
    ContactUpdate(ContactEvent),
    ContactDelete(ContactEvent),
    ContactDndUpdate(ContactEvent),
    ContactTagUpdate(ContactEvent),
    NoteCreate(NoteEvent),
    NoteUpdate(NoteEvent),
    NoteDelete(NoteEvent),
    TaskCreate(TaskEvent),
    TaskComplete(TaskEvent),
    TaskDelete(TaskEvent),
}

impl WebhookEvent {
    /// The location the event happened in (every documented event carries it).
    pub fn location_id(&self) -> Option<&str> {
        match self {
            WebhookEvent::ContactCreate(c)
            | WebhookEvent::ContactUpdate(c)
            | WebhookEvent::ContactDelete(c)
            | WebhookEvent::ContactDndUpdate(c)
            | WebhookEvent::ContactTagUpdate(c) => c.location_id.as_deref(),
            WebhookEvent::NoteCreate(n)
            | WebhookEvent::NoteUpdate(n)
            | WebhookEvent::NoteDelete(n) => n.location_id.as_deref(),
            WebhookEvent::TaskCreate(t)
            | WebhookEvent::TaskComplete(t)
            | WebhookEvent::TaskDelete(t) => t.location_id.as_deref(),
        }
    }
}

fn payload(reason: impl Into<String>) -> WebhookError {
    WebhookError::Payload {
        reason: reason.into(),
    }
}

fn fields<T: for<'de> Deserialize<'de>>(value: Value) -> Result<T, WebhookError> {
    serde_json::from_value(value).map_err(|e| payload(e.to_string()))
}

/// Parses a raw body into an event and its envelope. No signature check: see
/// [`WebhookVerifier`].
pub fn parse_event(body: &[u8]) -> Result<(WebhookEvent, Envelope), WebhookError> {
    too_large(body)?;
    let value: Value =
        serde_json::from_slice(body).map_err(|e| payload(format!("not JSON: {e}")))?;
    let Value::Object(mut map) = value else {
        return Err(payload("the body is not a JSON object"));
    };
    let event_type = match map.remove("type") {
        Some(Value::String(t)) => t,
        Some(other) => return Err(payload(format!("`type` must be a string, not {other}"))),
        None => return Err(payload("no `type`")),
    };
    let envelope = Envelope {
        webhook_id: match map.remove("webhookId") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => {
                return Err(payload(format!(
                    "`webhookId` must be a string, not {other}"
                )))
            }
        },
        timestamp: map.remove("timestamp").filter(|v| !v.is_null()),
        app_id: map
            .remove("appId")
            .and_then(|v| v.as_str().map(str::to_owned)),
        version_id: map
            .remove("versionId")
            .and_then(|v| v.as_str().map(str::to_owned)),
    };
    let rest = Value::Object(map);
    let event = match event_type.as_str() {
        "ContactCreate" => WebhookEvent::ContactCreate(fields(rest)?),
        "ContactUpdate" => WebhookEvent::ContactUpdate(fields(rest)?),
        "ContactDelete" => WebhookEvent::ContactDelete(fields(rest)?),
        "ContactDndUpdate" => WebhookEvent::ContactDndUpdate(fields(rest)?),
        "ContactTagUpdate" => WebhookEvent::ContactTagUpdate(fields(rest)?),
        "NoteCreate" => WebhookEvent::NoteCreate(fields(rest)?),
        "NoteUpdate" => WebhookEvent::NoteUpdate(fields(rest)?),
        "NoteDelete" => WebhookEvent::NoteDelete(fields(rest)?),
        "TaskCreate" => WebhookEvent::TaskCreate(fields(rest)?),
        "TaskComplete" => WebhookEvent::TaskComplete(fields(rest)?),
        "TaskDelete" => WebhookEvent::TaskDelete(fields(rest)?),
        _ => return Err(WebhookError::UnknownEvent { event_type }),
    };
    Ok((event, envelope))
}

/// Public keys to verify against; several of each may be configured (key rotation).
#[derive(Debug, Clone, Default)]
pub struct WebhookKeys {
    ed25519: Vec<ed25519_compact::PublicKey>,
    /// With each key's modulus size: a signature of another length is refused before the
    /// body is hashed or any big-number work is done.
    rsa: Vec<(VerifyingKey<Sha256>, usize)>,
}

impl WebhookKeys {
    /// HighLevel's published keys.
    pub fn published() -> Result<Self, WebhookError> {
        Self::from_pem(&[GHL_ED25519_PUBLIC_KEY_PEM], &[GHL_RSA_PUBLIC_KEY_PEM])
    }

    /// Keys from SPKI PEM text (`-----BEGIN PUBLIC KEY-----`).
    pub fn from_pem(ed25519: &[&str], rsa: &[&str]) -> Result<Self, WebhookError> {
        let ed25519 = ed25519
            .iter()
            .map(|pem| {
                ed25519_compact::PublicKey::from_pem(pem.trim()).map_err(|e| WebhookError::Key {
                    reason: format!("Ed25519 key: {e}"),
                })
            })
            .collect::<Result<_, _>>()?;
        let rsa = rsa
            .iter()
            .map(|pem| {
                let key = RsaPublicKey::from_public_key_pem(pem.trim()).map_err(|e| {
                    WebhookError::Key {
                        reason: format!("RSA key: {e}"),
                    }
                })?;
                let size = key.size();
                Ok((VerifyingKey::new(key), size))
            })
            .collect::<Result<_, WebhookError>>()?;
        Ok(WebhookKeys { ed25519, rsa })
    }
}

fn decode_signature(header: &'static str, value: &str) -> Result<Vec<u8>, WebhookError> {
    base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .map_err(|e| WebhookError::Signature {
            header,
            reason: format!("not base64: {e}"),
        })
}

/// Checks the signature headers over `body`: `x-ghl-signature` (Ed25519) when present,
/// else `x-wh-signature` (RSA PKCS#1 v1.5, SHA-256). Returns the header that verified.
///
/// RSA is tried only when the Ed25519 header is absent, not merely empty or wrong: a
/// delivery that carries `x-ghl-signature` stands or falls by it, so a stranger adding a
/// junk `x-wh-signature` buys no RSA work. Without the Ed25519 header, a signature whose
/// length is not a key's modulus size is refused before the body is hashed.
pub fn verify_signature(
    keys: &WebhookKeys,
    body: &[u8],
    ghl_signature: Option<&str>,
    wh_signature: Option<&str>,
) -> Result<&'static str, WebhookError> {
    if let Some(sig) = ghl_signature {
        const H: &str = "x-ghl-signature";
        let bytes = decode_signature(H, sig)?;
        let signature = ed25519_compact::Signature::from_slice(&bytes).map_err(|_| {
            WebhookError::Signature {
                header: H,
                reason: format!("an Ed25519 signature is 64 bytes, not {}", bytes.len()),
            }
        })?;
        return if keys
            .ed25519
            .iter()
            .any(|k| k.verify(body, &signature).is_ok())
        {
            Ok(H)
        } else {
            Err(WebhookError::Signature {
                header: H,
                reason: "does not verify under any configured Ed25519 key".into(),
            })
        };
    }
    if let Some(sig) = wh_signature.filter(|s| !s.trim().is_empty()) {
        const H: &str = "x-wh-signature";
        let bytes = decode_signature(H, sig)?;
        let signature =
            RsaSignature::try_from(bytes.as_slice()).map_err(|e| WebhookError::Signature {
                header: H,
                reason: e.to_string(),
            })?;
        let ok = keys
            .rsa
            .iter()
            .any(|(k, size)| bytes.len() == *size && k.verify(body, &signature).is_ok());
        return if ok {
            Ok(H)
        } else {
            Err(WebhookError::Signature {
                header: H,
                reason: "does not verify under any configured RSA key".into(),
            })
        };
    }
    Err(WebhookError::Signature {
        header: "x-ghl-signature",
        reason: "neither x-ghl-signature nor x-wh-signature is present".into(),
    })
}

/// A verified delivery.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verified {
    pub event: WebhookEvent,
    pub envelope: Envelope,
    /// `x-ghl-signature` or `x-wh-signature`.
    pub verified_by: &'static str,
}

/// Verifies deliveries and remembers `webhookId`s for the replay window.
#[derive(Debug)]
pub struct WebhookVerifier {
    keys: WebhookKeys,
    max_age_ms: f64,
    /// The one location this deployment serves, if it serves one.
    location_id: Option<String>,
    /// webhookId -> its `timestamp` (ms); pruned once outside the window.
    seen: HashMap<String, f64>,
}

fn too_large(body: &[u8]) -> Result<(), BodyTooLarge> {
    if body.len() > WEBHOOK_BODY_MAX {
        return Err(BodyTooLarge {
            limit: WEBHOOK_BODY_MAX,
        });
    }
    Ok(())
}

impl WebhookVerifier {
    pub fn new(keys: WebhookKeys) -> Self {
        WebhookVerifier {
            keys,
            max_age_ms: DEFAULT_MAX_AGE_MS,
            location_id: None,
            seen: HashMap::new(),
        }
    }

    pub fn with_max_age_ms(mut self, max_age_ms: f64) -> Self {
        self.max_age_ms = max_age_ms;
        self
    }

    /// Refuses deliveries whose `locationId` is another location's: a Marketplace app
    /// sends every installed location's events to one URL, and a deployment acting on
    /// another location's contact ids would mirror strangers' notes onto its own links.
    /// A delivery without `locationId` is taken (HighLevel's live payloads leave fields
    /// out, GHL#332; refusing those would drop real events).
    pub fn with_location(mut self, location_id: Option<String>) -> Self {
        self.location_id = location_id.filter(|l| !l.is_empty());
        self
    }

    /// How long a delivery can still pass the timestamp check after it was first
    /// received: its timestamp may lie up to the window ahead of that moment, and a
    /// replay is taken until the window has passed after the timestamp. A claim kept
    /// this long outlives every replay the timestamp check would let through.
    pub fn replay_horizon_ms(&self) -> f64 {
        2.0 * self.max_age_ms
    }

    /// Size, signature, then payload, then replay and location checks. A delivery is
    /// remembered only once it has passed all of them.
    pub fn verify(
        &mut self,
        body: &[u8],
        ghl_signature: Option<&str>,
        wh_signature: Option<&str>,
        now_ms: f64,
    ) -> Result<Verified, WebhookError> {
        too_large(body)?;
        let verified_by = verify_signature(&self.keys, body, ghl_signature, wh_signature)?;
        let (event, envelope) = parse_event(body)?;
        let at = match &envelope.timestamp {
            Some(Value::String(s)) => parse_rfc3339_ms(s),
            Some(Value::Number(n)) => n.as_f64(),
            _ => None,
        }
        .ok_or_else(|| WebhookError::Stale {
            reason: "no readable `timestamp` (RFC 3339 or epoch ms)".into(),
        })?;
        if (now_ms - at).abs() > self.max_age_ms {
            return Err(WebhookError::Stale {
                reason: format!(
                    "timestamp is {:.0} s from now; the window is {:.0} s",
                    (now_ms - at) / 1000.0,
                    self.max_age_ms / 1000.0
                ),
            });
        }
        let id = envelope
            .webhook_id
            .clone()
            .ok_or_else(|| WebhookError::Stale {
                reason: "no `webhookId`, so a replay could not be told apart".into(),
            })?;
        if let (Some(ours), Some(theirs)) = (&self.location_id, event.location_id()) {
            if ours != theirs {
                return Err(WebhookError::WrongLocation {
                    location_id: theirs.to_owned(),
                });
            }
        }
        // An id whose timestamp left the window can be forgotten: a replay of it is stale.
        let window = self.max_age_ms;
        self.seen.retain(|_, seen_at| now_ms - *seen_at <= window);
        if self.seen.contains_key(&id) {
            return Err(WebhookError::Replayed { webhook_id: id });
        }
        self.seen.insert(id, at);
        Ok(Verified {
            event,
            envelope,
            verified_by,
        })
    }

    /// Forgets an accepted `webhookId`, so a retry of a delivery whose processing failed
    /// is accepted again.
    pub fn forget(&mut self, webhook_id: &str) {
        self.seen.remove(webhook_id);
    }

    /// How many webhook ids are remembered.
    pub fn remembered(&self) -> usize {
        self.seen.len()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::signature::{SignatureEncoding, Signer};

    pub const TEST_RSA_PRIVATE: &str =
        include_str!("../../tests/fixtures/ghl-webhook-test-rsa.pem");
    pub const TEST_RSA_PUBLIC: &str =
        include_str!("../../tests/fixtures/ghl-webhook-test-rsa.pub.pem");
    const NOW: f64 = 1_790_000_000_000.0;
    const NOW_ISO: &str = "2026-09-21T14:13:20.000Z";

    pub fn test_ed25519(seed: u8) -> ed25519_compact::KeyPair {
        ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new([seed; 32]))
    }

    /// SPKI PEM of an Ed25519 public key (the fixed 12-byte DER prefix, then the key).
    pub fn ed25519_pem(pk: &ed25519_compact::PublicKey) -> String {
        let mut der = vec![
            0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
        ];
        der.extend_from_slice(pk.as_ref());
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            b64(&der)
        )
    }

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    fn sign_ed(body: &str, seed: u8) -> String {
        b64(test_ed25519(seed).sk.sign(body.as_bytes(), None).as_ref())
    }

    fn sign_rsa(body: &str) -> String {
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(TEST_RSA_PRIVATE).unwrap();
        let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key);
        b64(&signer.sign(body.as_bytes()).to_vec())
    }

    fn verifier() -> WebhookVerifier {
        let ed = ed25519_pem(&test_ed25519(7).pk);
        WebhookVerifier::new(WebhookKeys::from_pem(&[&ed], &[TEST_RSA_PUBLIC]).unwrap())
    }

    fn body(id: &str, ts: &str) -> String {
        json!({"type": "ContactCreate", "locationId": "loc", "id": "c1", "email": "a@b.co",
            "webhookId": id, "timestamp": ts, "appId": "app", "unknownLiveKey": [1]})
        .to_string()
    }

    /// `GHL_SPEC_DIR`, else `../shared/specs/ghl` from the repository root (or
    /// `../../shared/specs/ghl` for a git worktree one level further down).
    pub fn spec_dir() -> std::path::PathBuf {
        if let Ok(dir) = std::env::var("GHL_SPEC_DIR") {
            return dir.into();
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let near = root.join("../shared/specs/ghl");
        if near.exists() {
            near
        } else {
            root.join("../../shared/specs/ghl")
        }
    }

    #[test]
    fn every_documented_example_parses() {
        for name in EVENT_TYPES {
            let path = spec_dir().join(format!("webhook-events/{name}.example.json"));
            let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            let (event, _) = parse_event(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let back = serde_json::to_value(&event).unwrap();
            assert_eq!(back["type"], name);
            // Nothing the example carries is lost.
            let original: Value = serde_json::from_slice(&text).unwrap();
            assert_eq!(back, original, "{name}");
        }
    }

    #[test]
    fn a_task_create_without_contact_id_or_body_parses() {
        let (event, _) =
            parse_event(br#"{"type":"TaskCreate","locationId":"l","id":"t1","title":"Call"}"#)
                .unwrap();
        match event {
            WebhookEvent::TaskCreate(t) => assert_eq!((t.contact_id, t.body), (None, None)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_payloads_are_typed_errors() {
        let too_big = vec![b' '; WEBHOOK_BODY_MAX + 1];
        for (raw, code) in [
            (&b"{not json"[..], "WEBHOOK_INVALID"),
            (b"[1,2]", "WEBHOOK_INVALID"),
            (br#"{"type": 5, "id": "x"}"#, "WEBHOOK_INVALID"),
            (br#"{"type": "ContactCreate", "id": 5}"#, "WEBHOOK_INVALID"),
            (
                br#"{"type": "ContactCreate", "id": "x", "tags": "t"}"#,
                "WEBHOOK_INVALID",
            ),
            (
                br#"{"type": "OpportunityCreate", "id": "x"}"#,
                "WEBHOOK_UNKNOWN_EVENT",
            ),
            (&too_big[..], "BODY_TOO_LARGE"),
        ] {
            assert_eq!(
                parse_event(raw).unwrap_err().code(),
                code,
                "{}",
                String::from_utf8_lossy(&raw[..raw.len().min(40)])
            );
        }
    }

    #[test]
    fn ed25519_valid_tampered_and_wrong_key() {
        let mut v = verifier();
        let b = body("w1", NOW_ISO);
        let ok = v
            .verify(b.as_bytes(), Some(&sign_ed(&b, 7)), None, NOW)
            .unwrap();
        assert_eq!(ok.verified_by, "x-ghl-signature");
        assert_eq!(ok.envelope.webhook_id.as_deref(), Some("w1"));
        let tampered = b.replace("a@b.co", "evil@b.co");
        let err = v
            .verify(tampered.as_bytes(), Some(&sign_ed(&b, 7)), None, NOW)
            .unwrap_err();
        assert_eq!(err.code(), "SIGNATURE_INVALID");
        let b2 = body("w2", NOW_ISO);
        let err = v
            .verify(b2.as_bytes(), Some(&sign_ed(&b2, 8)), None, NOW)
            .unwrap_err();
        assert_eq!(err.code(), "SIGNATURE_INVALID");
        for junk in ["%%%", "AAAA"] {
            assert_eq!(
                v.verify(b2.as_bytes(), Some(junk), None, NOW)
                    .unwrap_err()
                    .code(),
                "SIGNATURE_INVALID"
            );
        }
        assert_eq!(
            v.verify(b2.as_bytes(), None, None, NOW).unwrap_err().code(),
            "SIGNATURE_INVALID"
        );
    }

    #[test]
    fn ed25519_is_checked_first_and_rsa_is_the_fallback() {
        let mut v = verifier();
        let b = body("w1", NOW_ISO);
        let ok = v
            .verify(b.as_bytes(), None, Some(&sign_rsa(&b)), NOW)
            .unwrap();
        assert_eq!(ok.verified_by, "x-wh-signature");
        // A bad Ed25519 signature is not rescued by a good RSA one.
        let b2 = body("w2", NOW_ISO);
        let err = v
            .verify(
                b2.as_bytes(),
                Some(&sign_ed(&b2, 9)),
                Some(&sign_rsa(&b2)),
                NOW,
            )
            .unwrap_err();
        assert_eq!(err.details()["header"], "x-ghl-signature");
        let tampered = b2.replace("c1", "c2");
        let err = v
            .verify(tampered.as_bytes(), None, Some(&sign_rsa(&b2)), NOW)
            .unwrap_err();
        assert_eq!(err.code(), "SIGNATURE_INVALID");
    }

    #[test]
    fn rsa_is_tried_only_when_the_ed25519_header_is_absent() {
        let mut v = verifier();
        let b = body("w1", NOW_ISO);
        // An empty or junk Ed25519 header is still the Ed25519 header: a good RSA
        // signature beside it is not looked at.
        for ed in ["", "  ", "AAAA"] {
            let err = v
                .verify(b.as_bytes(), Some(ed), Some(&sign_rsa(&b)), NOW)
                .unwrap_err();
            assert_eq!(err.details()["header"], "x-ghl-signature", "{ed:?}");
        }
        let ok = v
            .verify(b.as_bytes(), Some(&sign_ed(&b, 7)), Some("AAAA"), NOW)
            .unwrap();
        assert_eq!(ok.verified_by, "x-ghl-signature");
        // Alone, an RSA signature of the wrong length is refused without verifying.
        let b2 = body("w2", NOW_ISO);
        let short = b64(&[1u8; 16]);
        let err = v
            .verify(b2.as_bytes(), None, Some(&short), NOW)
            .unwrap_err();
        assert_eq!(err.details()["header"], "x-wh-signature");
    }

    #[test]
    fn another_locations_delivery_is_refused_and_one_without_a_location_is_taken() {
        let mut v = verifier().with_location(Some("loc".into()));
        let ours = body("w1", NOW_ISO);
        v.verify(ours.as_bytes(), Some(&sign_ed(&ours, 7)), None, NOW)
            .unwrap();
        let theirs = json!({"type": "NoteCreate", "locationId": "other", "id": "n",
            "contactId": "c1", "body": "hi", "webhookId": "w2", "timestamp": NOW_ISO})
        .to_string();
        for _ in 0..2 {
            // Never remembered: the same answer every time, not a replay.
            let err = v
                .verify(theirs.as_bytes(), Some(&sign_ed(&theirs, 7)), None, NOW)
                .unwrap_err();
            assert_eq!(err.code(), "WEBHOOK_WRONG_LOCATION");
            assert_eq!(err.details()["locationId"], "other");
        }
        let none =
            json!({"type": "TaskCreate", "id": "t", "webhookId": "w3", "timestamp": NOW_ISO})
                .to_string();
        v.verify(none.as_bytes(), Some(&sign_ed(&none, 7)), None, NOW)
            .unwrap();
        // Without a location to serve, every location's delivery is taken.
        let mut any = verifier();
        any.verify(theirs.as_bytes(), Some(&sign_ed(&theirs, 7)), None, NOW)
            .unwrap();
        assert_eq!(any.replay_horizon_ms(), 2.0 * DEFAULT_MAX_AGE_MS);
    }

    #[test]
    fn stale_timestamps_and_replayed_ids_are_refused() {
        let mut v = verifier();
        let stale = body("w1", "2026-09-21T14:08:19.000Z"); // 5 min 1 s old
        let err = v
            .verify(stale.as_bytes(), Some(&sign_ed(&stale, 7)), None, NOW)
            .unwrap_err();
        assert_eq!(err.code(), "WEBHOOK_STALE");
        let b = body("w2", NOW_ISO);
        let sig = sign_ed(&b, 7);
        v.verify(b.as_bytes(), Some(&sig), None, NOW).unwrap();
        let err = v
            .verify(b.as_bytes(), Some(&sig), None, NOW + 1_000.0)
            .unwrap_err();
        assert_eq!(err.code(), "WEBHOOK_REPLAYED");
        // A delivery whose processing failed is forgotten, so HighLevel's retry is taken.
        v.forget("w2");
        v.verify(b.as_bytes(), Some(&sig), None, NOW + 2_000.0)
            .unwrap();
        // Epoch-millisecond timestamps work too; a missing one is refused.
        let ms = json!({"type": "NoteCreate", "id": "n", "webhookId": "w3", "timestamp": NOW})
            .to_string();
        v.verify(ms.as_bytes(), Some(&sign_ed(&ms, 7)), None, NOW)
            .unwrap();
        let none = json!({"type": "NoteCreate", "id": "n", "webhookId": "w4"}).to_string();
        assert_eq!(
            v.verify(none.as_bytes(), Some(&sign_ed(&none, 7)), None, NOW)
                .unwrap_err()
                .code(),
            "WEBHOOK_STALE"
        );
        // Ids are forgotten once their timestamps leave the window.
        assert_eq!(v.remembered(), 2);
        let later = json!({"type": "NoteCreate", "id": "n", "webhookId": "w5", "timestamp": NOW + 400_000.0}).to_string();
        v.verify(
            later.as_bytes(),
            Some(&sign_ed(&later, 7)),
            None,
            NOW + 400_000.0,
        )
        .unwrap();
        assert_eq!(v.remembered(), 1);
    }

    #[test]
    fn the_published_keys_load() {
        let keys = WebhookKeys::published().unwrap();
        assert_eq!((keys.ed25519.len(), keys.rsa.len()), (1, 1));
        assert_eq!(
            WebhookKeys::from_pem(&["nope"], &[]).unwrap_err().code(),
            "INPUT_INVALID"
        );
    }
}
