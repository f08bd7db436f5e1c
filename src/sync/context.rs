//! What planning needs beyond the two records, gathered by the engine itself so no
//! caller has to hand it in: the GHL location's custom-field definitions and Outseta's
//! custom person properties (cached in the Store, re-read when stale or when the
//! mapping names a field the cache lacks), the location id, and the clock's "now" for
//! time-based tag rules. Also how a person is read so that it carries what the mapping
//! reads (its account's stage, its list subscriptions).
//!
//! A caller that passes `context.ghlCustomFields` (or `outsetaProperties`, or `now`)
//! keeps full control: what it gives is used as it is and never re-read.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{to_json, Engine, SyncError};
use crate::http::{Clock, Transport};
use crate::mapping::spec::CustomFieldDef;
use crate::mapping::Context;
use crate::model::{field_ref, FieldRef};
use crate::outseta::client::ListQuery;
use crate::outseta::OutsetaError;
use crate::store::Store;

/// Outseta's `fields` selection that expands a person's child objects one level more:
/// `PersonAccount[].Account` (the account's stage), `EmailListPerson[].EmailList` (list
/// names) and `Account`. By default Outseta returns the root object and its immediate
/// children with deeper references `null` (../shared/specs/outseta/NOTES.md §2); `*,*.*`
/// is what Outseta's own n8n node and other clients send.
pub const EXPANDED_FIELDS: &str = "*,*.*";

/// Outseta caps a page at 25 when child-object fields are requested (NOTES.md §2).
pub const EXPANDED_PAGE_LIMIT: u32 = 25;

/// Definitions as cached in the Store, with when they were read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cached<T> {
    fetched_ms: f64,
    items: T,
}

/// One GHL custom field definition as the cache keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CachedField {
    id: String,
    field_key: String,
    data_type: String,
    #[serde(default)]
    name: String,
}

/// What this engine has read of both systems' definitions, in memory. `stale` forces a
/// re-read at the next planning (an answer said a field was unknown).
#[derive(Debug, Default)]
pub(crate) struct Definitions {
    ghl: Option<Cached<Vec<CachedField>>>,
    /// `items: None`: Outseta's (undocumented) definitions endpoint is not there.
    outseta: Option<Cached<Option<Vec<String>>>>,
    stale: bool,
}

pub(crate) type DefinitionsCell = RefCell<Definitions>;

impl<T: Transport, C: Clock + Clone, S: Store> Engine<T, C, S> {
    fn ghl_defs_key(&self) -> String {
        format!("ghl-custom-fields/{}", self.ghl.config().location_id)
    }

    /// The explicit custom field keys the mapping names (`customFields.<key>` rules).
    fn spec_custom_keys(&self) -> impl Iterator<Item = &str> {
        self.spec
            .fields
            .iter()
            .filter_map(|r| match field_ref(&r.ghl) {
                Some(FieldRef::Custom(key)) => Some(key),
                _ => None,
            })
    }

    /// Whether planning needs the GHL definitions at all.
    fn wants_ghl_defs(&self) -> bool {
        self.spec.auto_custom_fields || self.spec_custom_keys().next().is_some()
    }

    /// Whether planning writes Outseta custom properties (names it must check).
    fn wants_outseta_props(&self) -> bool {
        self.spec.auto_custom_fields
            || self.spec.fields.iter().any(|r| {
                r.direction.to_outseta()
                    && r.outseta.first().is_some_and(|p| {
                        !p.contains('.') && crate::mapping::spec::outseta_field(p).is_none()
                    })
            })
    }

    /// The context one planning run uses: the caller's, completed with what the engine
    /// reads itself. Reads the definitions only when the cache is missing, older than
    /// `definitionsMaxAgeMs`, marked stale, or lacks a field the mapping names (then at
    /// most once per `definitionsMissRefreshMs`).
    pub(crate) async fn context(&self) -> Result<Context, SyncError> {
        let mut ctx = self.ctx.clone();
        let now = self.now_ms();
        if ctx.now_ms.is_none() {
            ctx.now_ms = Some(now as i64);
        }
        if ctx.location_id.is_none() {
            ctx.location_id = Some(self.ghl.config().location_id.clone());
        }
        ctx.create_missing_custom_fields = self.options.create_missing_custom_fields;
        if ctx.ghl_custom_fields.is_none() && self.wants_ghl_defs() {
            ctx.ghl_custom_fields = Some(self.ghl_definitions(now).await?);
        }
        if ctx.outseta_properties.is_none() && self.wants_outseta_props() {
            ctx.outseta_properties = self.outseta_properties(now).await?;
        }
        self.definitions.borrow_mut().stale = false;
        Ok(ctx)
    }

    /// Forgets the cached definitions' freshness: the next planning re-reads them.
    pub(crate) fn definitions_stale(&self) {
        self.definitions.borrow_mut().stale = true;
    }

    async fn ghl_definitions(&self, now: f64) -> Result<Vec<CustomFieldDef>, SyncError> {
        let key = self.ghl_defs_key();
        if self.definitions.borrow().ghl.is_none() {
            let stored: Option<Cached<Vec<CachedField>>> = self.state.cache(&key).await?;
            self.definitions.borrow_mut().ghl = stored;
        }
        let refresh = {
            let defs = self.definitions.borrow();
            match &defs.ghl {
                None => true,
                Some(c) => {
                    let age = now - c.fetched_ms;
                    let missing = self
                        .spec_custom_keys()
                        .any(|k| !c.items.iter().any(|d| d.field_key == k || d.id == k));
                    defs.stale
                        || age >= self.options.definitions_max_age_ms as f64
                        || age < 0.0
                        || (missing && age >= self.options.definitions_miss_refresh_ms as f64)
                }
            }
        };
        if refresh {
            let read = self.ghl.list_custom_fields(Some("contact")).await?;
            let items = read
                .into_iter()
                .filter_map(|d| {
                    Some(CachedField {
                        id: d.id?,
                        field_key: d.field_key?,
                        data_type: d.data_type.unwrap_or_else(|| "TEXT".to_owned()),
                        name: d.name.unwrap_or_default(),
                    })
                })
                .collect();
            let cached = Cached {
                fetched_ms: now,
                items,
            };
            self.state.set_cache(&key, &cached).await?;
            self.definitions.borrow_mut().ghl = Some(cached);
        }
        let defs = self.definitions.borrow();
        Ok(defs
            .ghl
            .iter()
            .flat_map(|c| &c.items)
            .map(|d| CustomFieldDef {
                id: d.id.clone(),
                key: d.field_key.clone(),
                data_type: d.data_type.clone(),
            })
            .collect())
    }

    /// The id of the GHL custom field `key` among the definitions read so far.
    pub(crate) fn definition_id(&self, key: &str) -> Option<String> {
        let defs = self.definitions.borrow();
        let found = defs
            .ghl
            .iter()
            .flat_map(|c| &c.items)
            .find(|d| d.field_key == key)
            .map(|d| d.id.clone());
        found.or_else(|| {
            self.ctx
                .ghl_custom_fields
                .iter()
                .flatten()
                .find(|d| d.key == key)
                .map(|d| d.id.clone())
        })
    }

    /// Custom field keys by id, from what the engine has read and what it was given.
    pub(crate) fn ctx_keys_by_id(&self) -> std::collections::BTreeMap<String, String> {
        let mut keys = self.ctx.keys_by_id();
        for d in self.definitions.borrow().ghl.iter().flat_map(|c| &c.items) {
            keys.insert(d.id.clone(), d.field_key.clone());
        }
        keys
    }

    /// A Plan's `CreateCustomField`: the definition of `key`, created unless it exists
    /// by now (another pair of the same run created it, or someone did in GHL).
    /// GHL makes a field's key from its name (`Favorite Color` -> `contact.favorite_color`)
    /// and takes no key of its own (`CreateCustomFieldsDTO` has none), so a created
    /// field whose key is not the one asked for is an error, never created twice.
    pub(crate) async fn ensure_custom_field(
        &self,
        key: &str,
        name: &str,
        data_type: &str,
    ) -> Result<Option<String>, SyncError> {
        let _guard = self.lock(format!("definition:{key}")).await;
        if let Some(id) = self.definition_id(key) {
            return Ok(Some(id));
        }
        self.definitions_stale();
        self.ghl_definitions(self.now_ms()).await?;
        if let Some(id) = self.definition_id(key) {
            return Ok(Some(id));
        }
        let clash = self
            .definitions
            .borrow()
            .ghl
            .iter()
            .flat_map(|c| &c.items)
            .find(|d| d.name.eq_ignore_ascii_case(name))
            .map(|d| d.field_key.clone());
        if let Some(other) = clash {
            return Err(SyncError::InputInvalid {
                what: "custom field",
                reason: format!("the location has a field named {name:?} whose key is {other:?}, not {key:?}: point the mapping at {other:?}, or rename that field in HighLevel"),
            });
        }
        let created = self
            .ghl
            .create_custom_field(
                serde_json::json!({ "name": name, "dataType": data_type, "model": "contact" }),
            )
            .await?;
        self.definitions_stale();
        self.ghl_definitions(self.now_ms()).await?;
        match (created.field_key.as_deref(), self.definition_id(key)) {
            (_, Some(id)) => Ok(Some(id)),
            (got, None) => Err(SyncError::InputInvalid {
                what: "custom field",
                reason: format!(
                    "HighLevel created the field {name:?} with key {:?}, not {key:?}: point the mapping at that key",
                    got.unwrap_or("(none)")
                ),
            }),
        }
    }

    /// Outseta's custom person property names, or `None` when Outseta does not say
    /// (the definitions endpoint is undocumented: a 404 means every name is written as
    /// given, as before).
    async fn outseta_properties(&self, now: f64) -> Result<Option<Vec<String>>, SyncError> {
        let key = "outseta-person-properties";
        if self.definitions.borrow().outseta.is_none() {
            let stored: Option<Cached<Option<Vec<String>>>> = self.state.cache(key).await?;
            self.definitions.borrow_mut().outseta = stored;
        }
        let refresh = {
            let defs = self.definitions.borrow();
            defs.outseta.as_ref().is_none_or(|c| {
                let age = now - c.fetched_ms;
                defs.stale || age >= self.options.definitions_max_age_ms as f64 || age < 0.0
            })
        };
        if refresh {
            let items = self
                .outseta
                .property_definitions("Person")
                .await?
                .map(|defs| defs.into_iter().filter_map(|d| d.system_name).collect());
            let cached = Cached {
                fetched_ms: now,
                items,
            };
            self.state.set_cache(key, &cached).await?;
            self.definitions.borrow_mut().outseta = Some(cached);
        }
        Ok(self
            .definitions
            .borrow()
            .outseta
            .as_ref()
            .and_then(|c| c.items.clone()))
    }

    /// The `fields` selection a person read needs for this mapping, or `None` when the
    /// default (root and immediate children) already carries everything it reads.
    pub(crate) fn person_fields(&self) -> Option<&'static str> {
        let deep = |p: &str| {
            p.starts_with("Account.") || p.starts_with("PersonAccount.") || p == "Account"
        };
        let rules_read_deep = self
            .spec
            .fields
            .iter()
            .any(|r| r.outseta.iter().any(|p| deep(p)))
            || self
                .spec
                .tags
                .iter()
                .any(|t| t.when.paths().into_iter().any(deep));
        (rules_read_deep || self.options.list_tag_prefix.is_some()).then_some(EXPANDED_FIELDS)
    }

    /// One person as the mapping reads it (`fields` as needed, the account filled in).
    pub(crate) async fn read_person(&self, uid: &str) -> Result<Value, OutsetaError> {
        let person = self
            .outseta
            .get_person_with(uid, self.person_fields())
            .await?;
        let mut person = to_json(&person);
        fill_account(&mut person);
        Ok(person)
    }

    /// A people query with the selection the mapping needs (and the page size Outseta
    /// allows with it).
    pub(crate) fn people_query(&self, mut query: ListQuery) -> ListQuery {
        if let Some(fields) = self.person_fields() {
            query.fields = Some(fields.to_owned());
            query.limit = Some(
                query
                    .limit
                    .unwrap_or(EXPANDED_PAGE_LIMIT)
                    .min(EXPANDED_PAGE_LIMIT),
            );
        }
        query
    }
}

/// A person as rules read it: `Account` is the person's (primary) account. Outseta's
/// Person has both `Account` and `PersonAccount[].Account`; which of them a read fills
/// is not documented, so when `Account` is missing or empty it is taken from the
/// primary membership (else the first one that carries its account).
pub fn fill_account(person: &mut Value) {
    let has_account = person
        .get("Account")
        .and_then(Value::as_object)
        .is_some_and(|a| !a.is_empty());
    if has_account {
        return;
    }
    let account = person
        .get("PersonAccount")
        .and_then(Value::as_array)
        .and_then(|memberships| {
            let with_account = |m: &&Value| m.get("Account").is_some_and(Value::is_object);
            memberships
                .iter()
                .filter(with_account)
                .find(|m| m.get("IsPrimary") == Some(&Value::Bool(true)))
                .or_else(|| memberships.iter().find(with_account))
                .and_then(|m| m.get("Account").cloned())
        });
    if let (Some(account), Some(obj)) = (account, person.as_object_mut()) {
        obj.insert("Account".to_owned(), account);
    }
}
