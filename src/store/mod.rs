//! What the sync engine remembers between runs, behind one small key-value trait that
//! every runtime can implement: an in-memory map here, and in JS (the `store` option of
//! `SyncEngine`) D1, SQLite, IndexedDB or a plain object. The typed layer on top,
//! [`State`], owns the key layout, so an implementation only stores text.
//!
//! Keys (all text; values are JSON text):
//! - `link/o/{outsetaUid}` -> [`Link`]; `link/g/{ghlId}` -> the Outseta Uid
//! - `cursor/{name}` -> a cursor (the polling fallback's `Updated__gte`)
//! - `seen/{idempotencyKey}` -> when it was first seen (webhook ids, body hashes)
//! - `job/{name}` -> a bulk-import checkpoint
//! - `review/{outsetaUid}/{field}` and `review/{outsetaUid}/duplicate` -> a [`ReviewItem`]
//! - `cache/{name}` -> definitions read from the APIs, with when (`sync::context`)

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::CodedError;
use crate::merge::plan::PairState;
use crate::merge::Conflict;

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
        Ok(self
            .map
            .borrow()
            .range(prefix.to_owned()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
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

/// The engine's view of a [`Store`]: typed records over the key layout above.
pub struct State<S> {
    pub store: S,
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
        State { store }
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

    pub async fn link_by_ghl(&self, ghl_id: &str) -> Result<Option<Link>, StoreError> {
        match self.store.get(&format!("link/g/{ghl_id}")).await? {
            None => Ok(None),
            Some(uid) => self.link_by_outseta(&uid).await,
        }
    }

    /// Stores a link (both directions). A pair re-linked to another GHL contact drops
    /// the old reverse entry.
    pub async fn put_link(&self, link: &Link) -> Result<(), StoreError> {
        let key = format!("link/o/{}", link.outseta_uid);
        if let Some(old) = self.link_by_outseta(&link.outseta_uid).await? {
            if old.ghl_id != link.ghl_id {
                self.store.delete(&format!("link/g/{}", old.ghl_id)).await?;
            }
        }
        self.store.put(&key, &text(&key, link)?).await?;
        self.store
            .put(&format!("link/g/{}", link.ghl_id), &link.outseta_uid)
            .await
    }

    pub async fn delete_link(&self, link: &Link) -> Result<(), StoreError> {
        self.store
            .delete(&format!("link/o/{}", link.outseta_uid))
            .await?;
        self.store.delete(&format!("link/g/{}", link.ghl_id)).await
    }

    pub async fn links(&self) -> Result<Vec<Link>, StoreError> {
        self.store
            .list("link/o/")
            .await?
            .iter()
            .map(|(k, v)| read(k, v))
            .collect()
    }

    pub async fn cursor(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.store.get(&format!("cursor/{name}")).await
    }

    pub async fn set_cursor(&self, name: &str, value: &str) -> Result<(), StoreError> {
        self.store.put(&format!("cursor/{name}"), value).await
    }

    /// Claims an idempotency key: true the first time, false for every repeat.
    pub async fn claim(&self, key: &str, now_ms: f64) -> Result<bool, StoreError> {
        self.store
            .put_if_absent(&format!("seen/{key}"), &now_ms.to_string())
            .await
    }

    /// Releases a claim whose work failed, so a retried delivery is processed again.
    pub async fn release(&self, key: &str) -> Result<(), StoreError> {
        self.store.delete(&format!("seen/{key}")).await
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
