//! What the sync engine remembers between runs, behind one small key-value trait that
//! every runtime can implement: an in-memory map here, and in JS (the `store` option of
//! `SyncEngine`) D1, SQLite, IndexedDB or a plain object. The typed layer on top,
//! [`State`], owns the key layout, so an implementation only stores text.
//!
//! Keys (all text; values are JSON text):
//! - `link/o/{outsetaUid}` -> [`Link`]; `link/g/{ghlId}` -> the Outseta Uid (the reverse
//!   index: `link/o` is the record, and a `link/g` it does not point back to is no link)
//! - `cursor/{name}` -> a cursor (the polling fallback's `Updated__gte`)
//! - `seen/{idempotencyKey}` -> `{at, until?}`: when it was claimed and, for webhook
//!   deliveries, when the claim expires (ms); `seen-until/{until}/{idempotencyKey}` -> ""
//!   orders the expiring claims so each new claim prunes the oldest expired few
//! - `job/{name}` -> a bulk-import checkpoint
//! - `review/{outsetaUid}/{field}` and `review/{outsetaUid}/duplicate` -> a [`ReviewItem`]
//! - `cache/{name}` -> definitions read from the APIs, with when (`sync::context`)

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::CodedError;
use crate::merge::Conflict;
use crate::plan::PairState;

pub mod conformance;

/// A store failed, or held something that does not parse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    #[error("the store failed to {op} `{key}`: {reason}")]
    Backend {
        op: &'static str,
        key: String,
        reason: String,
    },
    #[error("the store holds an unreadable value at `{key}`: {reason}")]
    Corrupt { key: String, reason: String },
}

impl CodedError for StoreError {
    fn code(&self) -> &'static str {
        match self {
            StoreError::Backend { .. } => "STORE_FAILED",
            StoreError::Corrupt { .. } => "STORE_CORRUPT",
        }
    }

    fn details(&self) -> Value {
        match self {
            StoreError::Backend { op, key, reason } => {
                json!({ "op": op, "key": key, "reason": reason })
            }
            StoreError::Corrupt { key, reason } => json!({ "key": key, "reason": reason }),
        }
    }
}

/// One write of a [`Store::batch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    Put(String, String),
    Delete(String),
}

/// The storage an engine runs on. Single-threaded (wasm has one thread), so the futures
/// need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait Store {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError>;
    async fn put(&self, key: &str, value: &str) -> Result<(), StoreError>;
    /// Stores `value` only if `key` is absent; true when it did (an atomic claim).
    async fn put_if_absent(&self, key: &str, value: &str) -> Result<bool, StoreError>;
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
    /// Every entry whose key starts with `prefix`, in key order.
    async fn list(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError>;
    /// The first `limit` entries of `list(prefix)`. The default reads them all; a store
    /// that can stop early (a `LIMIT`, a counted cursor) should, since claims are pruned
    /// through this on every webhook.
    async fn list_first(
        &self,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut all = self.list(prefix).await?;
        all.truncate(limit);
        Ok(all)
    }
    /// Applies the writes in order, all of them or none: one batch or transaction. A
    /// link's two halves go through here, so a crash cannot leave one without the other.
    async fn batch(&self, writes: &[Write]) -> Result<(), StoreError>;
}

/// A store in memory: for tests, the browser preview and one-shot CLI runs.
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: RefCell<BTreeMap<String, String>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Store for MemoryStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.map.borrow().get(key).cloned())
    }

    async fn put(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.map
            .borrow_mut()
            .insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    async fn put_if_absent(&self, key: &str, value: &str) -> Result<bool, StoreError> {
        let mut map = self.map.borrow_mut();
        if map.contains_key(key) {
            return Ok(false);
        }
        map.insert(key.to_owned(), value.to_owned());
        Ok(true)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.map.borrow_mut().remove(key);
        Ok(())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        self.list_first(prefix, usize::MAX).await
    }

    async fn list_first(
        &self,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(self
            .map
            .borrow()
            .range(prefix.to_owned()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    async fn batch(&self, writes: &[Write]) -> Result<(), StoreError> {
        // One borrow, no await: nothing runs between the writes.
        let mut map = self.map.borrow_mut();
        for w in writes {
            match w {
                Write::Put(k, v) => map.insert(k.clone(), v.clone()),
                Write::Delete(k) => map.remove(k),
            };
        }
        Ok(())
    }
}

/// One linked pair and what was last synced for it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    pub outseta_uid: String,
    pub ghl_id: String,
    #[serde(default)]
    pub state: PairState,
}

/// What a review is about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReviewKind {
    /// A field of a linked pair both sides changed differently (the policy held it).
    #[default]
    Conflict,
    /// An unlinked person that may be an existing contact: nothing creates one for it.
    Duplicate,
}

/// The slot of a person's duplicate review: `review/{uid}/duplicate` (no canonical field
/// is named `duplicate`, so it never meets a field's review).
pub const DUPLICATE_SLOT: &str = "duplicate";

/// Something held for review: nothing is written for it until someone decides
/// (`sync::reviews`). Items stored before reviews had kinds read as conflicts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewItem {
    /// Its key without `review/`: `{outsetaUid}/{field}` or `{outsetaUid}/duplicate`.
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub kind: ReviewKind,
    pub outseta_uid: String,
    /// The linked contact (conflicts); empty for a duplicate.
    #[serde(default)]
    pub ghl_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<Conflict>,
    /// Why it is held, in plain language.
    #[serde(default)]
    pub reason: String,
    /// Duplicates: the records it may be, best first, with their scores and evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<Value>,
    /// The records as they were when it was held: the Outseta person, and the GHL
    /// contact (the best candidate's, for a duplicate).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub outseta: Value,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub ghl: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_at: Option<String>,
}

impl ReviewItem {
    /// The item's slot under its person: the field, or `duplicate`.
    pub fn slot(&self) -> &str {
        match (&self.kind, &self.conflict) {
            (ReviewKind::Conflict, Some(c)) => &c.field,
            _ => DUPLICATE_SLOT,
        }
    }
}

/// How long webhook claims are kept (ms). Past it a repeat is taken again, which is
/// harmless: a delivery is only a trigger, and the record is re-read before any write.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClaimHorizons {
    /// HighLevel's (`ghl:{webhookId}`): the verifier's replay horizon, past which its
    /// timestamp check refuses the delivery anyway.
    pub ghl_ms: f64,
    /// Outseta's (`outseta:…`), which sign no timestamp: 8 hours by default, past the
    /// 6 h 40 min over which Outseta retries a delivery (20 times, 20 minutes apart).
    pub outseta_ms: f64,
}

impl Default for ClaimHorizons {
    fn default() -> Self {
        ClaimHorizons {
            ghl_ms: 2.0 * crate::ghl::webhook::DEFAULT_MAX_AGE_MS,
            outseta_ms: 8.0 * 3_600_000.0,
        }
    }
}

/// Expiring claims in the order they expire: `{CLAIMS_BY_EXPIRY}{until:016}/{key}`.
const CLAIMS_BY_EXPIRY: &str = "seen-until/";
/// Expired claims pruned by each new claim: more than the one it adds, so a backlog
/// drains, and few, so a webhook costs a bounded amount of store work.
const PRUNE_PER_CLAIM: usize = 4;

fn expiry_key(until: f64, key: &str) -> String {
    format!("{CLAIMS_BY_EXPIRY}{:016}/{key}", until.max(0.0) as u64)
}

/// The engine's view of a [`Store`]: typed records over the key layout above.
pub struct State<S> {
    pub store: S,
    pub claim_horizons: ClaimHorizons,
}

fn read<T: for<'de> Deserialize<'de>>(key: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        key: key.to_owned(),
        reason: e.to_string(),
    })
}

fn text<T: Serialize>(key: &str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt {
        key: key.to_owned(),
        reason: e.to_string(),
    })
}

impl<S: Store> State<S> {
    pub fn new(store: S) -> Self {
        State {
            store,
            claim_horizons: ClaimHorizons::default(),
        }
    }

    async fn get_json<T: for<'de> Deserialize<'de>>(
        &self,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        match self.store.get(key).await? {
            None => Ok(None),
            Some(t) => read(key, &t).map(Some),
        }
    }

    pub async fn link_by_outseta(&self, uid: &str) -> Result<Option<Link>, StoreError> {
        self.get_json(&format!("link/o/{uid}")).await
    }

    /// The link whose reverse entry names `ghl_id`, if that link names it back. A
    /// reverse entry left behind by a write that never finished (a store without
    /// `batch`) reads as no link rather than as the wrong one; it is not deleted here,
    /// since a write still under way may be about to complete it.
    pub async fn link_by_ghl(&self, ghl_id: &str) -> Result<Option<Link>, StoreError> {
        match self.store.get(&format!("link/g/{ghl_id}")).await? {
            None => Ok(None),
            Some(uid) => Ok(self
                .link_by_outseta(&uid)
                .await?
                .filter(|l| l.ghl_id == ghl_id)),
        }
    }

    /// Stores a link (both directions) in one batch. A pair re-linked to another GHL
    /// contact drops the old reverse entry. The writes are ordered for stores that lack
    /// `batch` and apply them one by one: the reverse entry first and the record
    /// (`link/o`) after it, so a crash between them leaves only a reverse entry, which
    /// `link_by_ghl` reads as no link, never a record GHL's side cannot find.
    pub async fn put_link(&self, link: &Link) -> Result<(), StoreError> {
        let key = format!("link/o/{}", link.outseta_uid);
        let mut writes = vec![
            Write::Put(format!("link/g/{}", link.ghl_id), link.outseta_uid.clone()),
            Write::Put(key.clone(), text(&key, link)?),
        ];
        if let Some(old) = self.link_by_outseta(&link.outseta_uid).await? {
            if old.ghl_id != link.ghl_id {
                writes.push(Write::Delete(format!("link/g/{}", old.ghl_id)));
            }
        }
        self.store.batch(&writes).await
    }

    /// Forgets a link in one batch: the record first, so a crash between the two
    /// deletes leaves a reverse entry that reads as no link.
    pub async fn delete_link(&self, link: &Link) -> Result<(), StoreError> {
        self.store
            .batch(&[
                Write::Delete(format!("link/o/{}", link.outseta_uid)),
                Write::Delete(format!("link/g/{}", link.ghl_id)),
            ])
            .await
    }

    /// Every link. A link whose reverse entry is missing (written by a version before
    /// links were written in one batch, and cut short) has it written again here, so a
    /// reconcile or a bulk import heals it and GHL's side finds the pair again.
    pub async fn links(&self) -> Result<Vec<Link>, StoreError> {
        let links = self
            .store
            .list("link/o/")
            .await?
            .iter()
            .map(|(k, v)| read(k, v))
            .collect::<Result<Vec<Link>, _>>()?;
        let reverse: std::collections::HashMap<String, String> = self
            .store
            .list("link/g/")
            .await?
            .into_iter()
            .map(|(k, uid)| (k["link/g/".len()..].to_owned(), uid))
            .collect();
        // Only missing entries: one naming another person belongs to that person's link.
        let heal: Vec<Write> = links
            .iter()
            .filter(|l| !reverse.contains_key(&l.ghl_id))
            .map(|l| Write::Put(format!("link/g/{}", l.ghl_id), l.outseta_uid.clone()))
            .collect();
        if !heal.is_empty() {
            self.store.batch(&heal).await?;
        }
        Ok(links)
    }

    pub async fn cursor(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.store.get(&format!("cursor/{name}")).await
    }

    pub async fn set_cursor(&self, name: &str, value: &str) -> Result<(), StoreError> {
        self.store.put(&format!("cursor/{name}"), value).await
    }

    /// When a claim of `key` expires: webhook deliveries (`ghl:…`, `outseta:…`) after
    /// their horizon; every other claim (an Outseta activity mirrored as a note) never.
    fn claim_until(&self, key: &str, now_ms: f64) -> Option<f64> {
        let h = &self.claim_horizons;
        if key.starts_with("ghl:") {
            Some(now_ms + h.ghl_ms)
        } else if key.starts_with("outseta:") {
            Some(now_ms + h.outseta_ms)
        } else {
            None
        }
    }

    /// Claims an idempotency key: true the first time, false for every repeat until the
    /// claim expires. Each new expiring claim prunes up to [`PRUNE_PER_CLAIM`] expired
    /// ones, so the store holds about a horizon's worth of webhook traffic, not all of it.
    pub async fn claim(&self, key: &str, now_ms: f64) -> Result<bool, StoreError> {
        let seen = format!("seen/{key}");
        let until = self.claim_until(key, now_ms);
        let value = match until {
            Some(until) => json!({ "at": now_ms, "until": until }),
            None => json!({ "at": now_ms }),
        };
        if !self.store.put_if_absent(&seen, &value.to_string()).await? {
            return Ok(false);
        }
        let Some(until) = until else {
            return Ok(true);
        };
        if let Err(e) = self.store.put(&expiry_key(until, key), "").await {
            // A claim nobody processes would refuse the sender's retries: undo it.
            let _ = self.store.delete(&seen).await;
            return Err(e);
        }
        // Housekeeping: a failure here must not fail the delivery; the next claim
        // prunes again.
        let _ = self.prune_claims(now_ms).await;
        Ok(true)
    }

    /// Deletes the first few expired claims (each claim before its expiry entry: a crash
    /// between them leaves an entry whose claim is gone, which is pruned again, never a
    /// claim without an entry, which would be kept forever).
    async fn prune_claims(&self, now_ms: f64) -> Result<(), StoreError> {
        let mut writes = Vec::new();
        for (entry, _) in self
            .store
            .list_first(CLAIMS_BY_EXPIRY, PRUNE_PER_CLAIM)
            .await?
        {
            let rest = &entry[CLAIMS_BY_EXPIRY.len()..];
            if let Some((until, key)) = rest.split_once('/') {
                match until.parse::<f64>() {
                    // In expiry order: the rest expire later.
                    Ok(until) if until > now_ms => break,
                    Ok(_) => writes.push(Write::Delete(format!("seen/{key}"))),
                    Err(_) => {}
                }
            }
            writes.push(Write::Delete(entry));
        }
        if writes.is_empty() {
            return Ok(());
        }
        self.store.batch(&writes).await
    }

    /// Releases a claim whose work failed, so a retried delivery is processed again.
    pub async fn release(&self, key: &str) -> Result<(), StoreError> {
        let seen = format!("seen/{key}");
        let until = self
            .store
            .get(&seen)
            .await?
            .and_then(|v| serde_json::from_str::<Value>(&v).ok())
            .and_then(|v| v.get("until").and_then(Value::as_f64));
        let mut writes = vec![Write::Delete(seen)];
        if let Some(until) = until {
            writes.push(Write::Delete(expiry_key(until, key)));
        }
        self.store.batch(&writes).await
    }

    pub async fn checkpoint<T: for<'de> Deserialize<'de>>(
        &self,
        job: &str,
    ) -> Result<Option<T>, StoreError> {
        self.get_json(&format!("job/{job}")).await
    }

    pub async fn set_checkpoint<T: Serialize>(
        &self,
        job: &str,
        value: &T,
    ) -> Result<(), StoreError> {
        let key = format!("job/{job}");
        self.store.put(&key, &text(&key, value)?).await
    }

    pub async fn clear_checkpoint(&self, job: &str) -> Result<(), StoreError> {
        self.store.delete(&format!("job/{job}")).await
    }

    pub async fn put_review(&self, item: &ReviewItem) -> Result<(), StoreError> {
        let id = format!("{}/{}", item.outseta_uid, item.slot());
        let key = format!("review/{id}");
        let item = ReviewItem { id, ..item.clone() };
        self.store.put(&key, &text(&key, &item)?).await
    }

    /// Drops every review of a pair (its fields merged cleanly since, or it was linked).
    pub async fn clear_reviews(&self, outseta_uid: &str) -> Result<(), StoreError> {
        for (k, _) in self.store.list(&format!("review/{outseta_uid}/")).await? {
            self.store.delete(&k).await?;
        }
        Ok(())
    }

    pub async fn delete_review(&self, id: &str) -> Result<(), StoreError> {
        self.store.delete(&format!("review/{id}")).await
    }

    /// One review by its id.
    pub async fn review(&self, id: &str) -> Result<Option<ReviewItem>, StoreError> {
        let key = format!("review/{id}");
        Ok(self
            .get_json::<ReviewItem>(&key)
            .await?
            .map(|item| ReviewItem {
                id: id.to_owned(),
                ..item
            }))
    }

    /// Every review, in key order (by person, then slot).
    pub async fn reviews(&self) -> Result<Vec<ReviewItem>, StoreError> {
        self.reviews_under("review/").await
    }

    /// The reviews of one person.
    pub async fn reviews_of(&self, outseta_uid: &str) -> Result<Vec<ReviewItem>, StoreError> {
        self.reviews_under(&format!("review/{outseta_uid}/")).await
    }

    async fn reviews_under(&self, prefix: &str) -> Result<Vec<ReviewItem>, StoreError> {
        self.store
            .list(prefix)
            .await?
            .iter()
            .map(|(k, v)| {
                read::<ReviewItem>(k, v).map(|item| ReviewItem {
                    id: k["review/".len()..].to_owned(),
                    ..item
                })
            })
            .collect()
    }

    /// A value the engine keeps to save reads (custom field definitions).
    pub async fn cache<T: for<'de> Deserialize<'de>>(
        &self,
        name: &str,
    ) -> Result<Option<T>, StoreError> {
        self.get_json(&format!("cache/{name}")).await
    }

    pub async fn set_cache<T: Serialize>(&self, name: &str, value: &T) -> Result<(), StoreError> {
        let key = format!("cache/{name}");
        self.store.put(&key, &text(&key, value)?).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::fake::block_on;

    #[test]
    fn memory_store_passes_the_conformance_suite() {
        let report = block_on(conformance::run(&MemoryStore::new()));
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        assert!(report.passed >= 10, "{report:?}");
    }

    #[test]
    fn links_are_found_from_either_side_and_relinking_drops_the_old_reverse_entry() {
        block_on(async {
            let state = State::new(MemoryStore::new());
            let mut link = Link {
                outseta_uid: "u1".into(),
                ghl_id: "g1".into(),
                ..Link::default()
            };
            state.put_link(&link).await.unwrap();
            assert_eq!(state.link_by_ghl("g1").await.unwrap().unwrap(), link);
            link.ghl_id = "g2".into();
            state.put_link(&link).await.unwrap();
            assert!(state.link_by_ghl("g1").await.unwrap().is_none());
            assert_eq!(state.link_by_ghl("g2").await.unwrap().unwrap(), link);
            assert_eq!(state.links().await.unwrap(), vec![link]);
        });
    }

    /// A store without a real batch, as a JS store without `batch` is: its writes go one
    /// by one, and this one stops for good (a crash) after `left` of them.
    struct Crashing {
        inner: MemoryStore,
        left: std::cell::Cell<usize>,
    }

    impl Crashing {
        fn write(&self) -> Result<(), StoreError> {
            match self.left.get() {
                0 => Err(StoreError::Backend {
                    op: "put",
                    key: String::new(),
                    reason: "crashed".into(),
                }),
                n => {
                    self.left.set(n - 1);
                    Ok(())
                }
            }
        }
    }

    impl Store for Crashing {
        async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
            self.inner.get(key).await
        }
        async fn put(&self, key: &str, value: &str) -> Result<(), StoreError> {
            self.write()?;
            self.inner.put(key, value).await
        }
        async fn put_if_absent(&self, key: &str, value: &str) -> Result<bool, StoreError> {
            self.write()?;
            self.inner.put_if_absent(key, value).await
        }
        async fn delete(&self, key: &str) -> Result<(), StoreError> {
            self.write()?;
            self.inner.delete(key).await
        }
        async fn list(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
            self.inner.list(prefix).await
        }
        async fn batch(&self, writes: &[Write]) -> Result<(), StoreError> {
            for w in writes {
                match w {
                    Write::Put(k, v) => self.put(k, v).await?,
                    Write::Delete(k) => self.delete(k).await?,
                }
            }
            Ok(())
        }
    }

    #[test]
    fn a_crash_between_a_links_writes_never_reads_as_the_wrong_link() {
        block_on(async {
            let old = Link {
                outseta_uid: "u1".into(),
                ghl_id: "g1".into(),
                ..Link::default()
            };
            let new = Link {
                ghl_id: "g2".into(),
                ..old.clone()
            };
            // A first link, and a re-link, cut short after each of their writes.
            for (before, link) in [(None, &old), (Some(&old), &new)] {
                for writes in 0..4 {
                    let state = State::new(Crashing {
                        inner: MemoryStore::new(),
                        left: std::cell::Cell::new(usize::MAX),
                    });
                    if let Some(b) = before {
                        state.put_link(b).await.unwrap();
                    }
                    state.store.left.set(writes);
                    let done = state.put_link(link).await.is_ok();
                    let by_o = state.link_by_outseta("u1").await.unwrap();
                    let by_g = |id: &'static str| state.link_by_ghl(id);
                    let (g1, g2) = (by_g("g1").await.unwrap(), by_g("g2").await.unwrap());
                    // Whatever was reached, each side finds the same link or none.
                    for found in [&g1, &g2].into_iter().flatten() {
                        assert_eq!(Some(found), by_o.as_ref(), "{writes} writes");
                    }
                    if let Some(o) = &by_o {
                        let reverse = if o.ghl_id == "g1" { &g1 } else { &g2 };
                        assert_eq!(
                            reverse.as_ref(),
                            Some(o),
                            "{writes}: the record's reverse entry"
                        );
                    }
                    if done {
                        assert_eq!(by_o.as_ref(), Some(link));
                    }
                }
            }
        });
    }

    #[test]
    fn a_corrupt_value_is_a_typed_error_not_a_panic() {
        block_on(async {
            let state = State::new(MemoryStore::new());
            state.store.put("link/o/u1", "{not json").await.unwrap();
            let err = state.link_by_outseta("u1").await.unwrap_err();
            assert_eq!(err.code(), "STORE_CORRUPT");
        });
    }
}
