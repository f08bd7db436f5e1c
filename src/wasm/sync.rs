//! `SyncEngine`: the engine of `crate::sync` behind one JS class, over `fetch`, the JS
//! clock and a store (a JS object, or memory when none is given). Also
//! `runStoreConformance(store)`, the suite every JS store must pass.

use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::clock::JsClock;
use super::error::to_js_error;
use super::json::{from_js, promise, to_js};
use super::transport::FetchTransport;
use crate::error::without_quoted_strings;
use crate::ghl::webhook::{WebhookKeys, WebhookVerifier};
use crate::mapping::{self, MappingError};
use crate::store::{conformance, ClaimHorizons, MemoryStore, Store, StoreError, Write};
use crate::sync::import::{ImportOptions, Progress};
use crate::sync::reconcile::{to_html, ReconcileReport};

#[derive(Serialize)]
struct WithHtml {
    #[serde(flatten)]
    report: ReconcileReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    html: Option<String>,
}
use crate::sync::triggers::Read;
use crate::sync::{Engine, EngineOptions, SyncError};

/// A store implemented in JS: an object with `get(key)`, `put(key, value)`,
/// `putIfAbsent(key, value)`, `delete(key)`, `list(prefix, limit?)` and, optionally,
/// `batch(writes)`, each returning its result or a Promise of it (`get`: a string or
/// null; `putIfAbsent`: a boolean; `list`: an array of `[key, value]` pairs in key
/// order, at most `limit` of them when it is given; `batch`: applies every
/// `{ op: "put", key, value }` or `{ op: "delete", key }` in order, all or none).
///
/// Stores written before `batch` and `limit` existed keep working: a `list` that ignores
/// the limit is cut to it here, and without `batch` the writes go one by one in order,
/// which `State` arranges so that a crash between them leaves nothing that reads wrong
/// (a link's reverse entry is written before its record and read only through it).
pub(crate) struct JsStore {
    object: JsValue,
}

fn js_reason(e: &JsValue) -> String {
    match e.dyn_ref::<js_sys::Error>() {
        Some(err) => String::from(err.message()),
        None => e
            .as_string()
            .unwrap_or_else(|| "a non-Error value was thrown".into()),
    }
}

impl JsStore {
    fn function(&self, op: &str) -> Option<Function> {
        Reflect::get(&self.object, &op.into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
    }

    async fn call(
        &self,
        op: &'static str,
        key: &str,
        args: &[&str],
    ) -> Result<JsValue, StoreError> {
        let argv: Array = args.iter().map(|a| JsValue::from_str(a)).collect();
        self.apply(op, key, argv).await
    }

    async fn apply(&self, op: &'static str, key: &str, argv: Array) -> Result<JsValue, StoreError> {
        let fail = |reason: String| StoreError::Backend {
            op,
            key: key.to_owned(),
            reason,
        };
        let f = self
            .function(op)
            .ok_or_else(|| fail(format!("the store has no `{op}` function")))?;
        let out = f
            .apply(&self.object, &argv)
            .map_err(|e| fail(js_reason(&e)))?;
        match out.dyn_into::<Promise>() {
            Ok(p) => JsFuture::from(p).await.map_err(|e| fail(js_reason(&e))),
            Err(v) => Ok(v),
        }
    }
}

impl Store for JsStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let v = self.call("get", key, &[key]).await?;
        if v.is_null() || v.is_undefined() {
            return Ok(None);
        }
        v.as_string().map(Some).ok_or_else(|| StoreError::Backend {
            op: "get",
            key: key.to_owned(),
            reason: "get must return a string, null or undefined".into(),
        })
    }

    async fn put(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.call("put", key, &[key, value]).await.map(drop)
    }

    async fn put_if_absent(&self, key: &str, value: &str) -> Result<bool, StoreError> {
        let v = self.call("putIfAbsent", key, &[key, value]).await?;
        v.as_bool().ok_or_else(|| StoreError::Backend {
            op: "putIfAbsent",
            key: key.to_owned(),
            reason: "putIfAbsent must return a boolean".into(),
        })
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.call("delete", key, &[key]).await.map(drop)
    }

    async fn list(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        let v = self.call("list", prefix, &[prefix]).await?;
        pairs(prefix, v)
    }

    async fn list_first(
        &self,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let argv = Array::of2(&prefix.into(), &(limit as f64).into());
        let mut all = pairs(prefix, self.apply("list", prefix, argv).await?)?;
        all.truncate(limit);
        Ok(all)
    }

    async fn batch(&self, writes: &[Write]) -> Result<(), StoreError> {
        let first = match writes.first() {
            None => return Ok(()),
            Some(Write::Put(k, _) | Write::Delete(k)) => k.as_str(),
        };
        if self.function("batch").is_none() {
            for w in writes {
                match w {
                    Write::Put(k, v) => self.put(k, v).await?,
                    Write::Delete(k) => self.delete(k).await?,
                }
            }
            return Ok(());
        }
        let list: Array = writes
            .iter()
            .map(|w| {
                let o = js_sys::Object::new();
                let (op, key, value) = match w {
                    Write::Put(k, v) => ("put", k, Some(v)),
                    Write::Delete(k) => ("delete", k, None),
                };
                // Setting a property on a fresh object cannot fail.
                let _ = Reflect::set(&o, &"op".into(), &op.into());
                let _ = Reflect::set(&o, &"key".into(), &key.into());
                if let Some(v) = value {
                    let _ = Reflect::set(&o, &"value".into(), &v.into());
                }
                JsValue::from(o)
            })
            .collect();
        self.apply("batch", first, Array::of1(&list))
            .await
            .map(drop)
    }
}

/// A `list` result: an array of `[key, value]` string pairs.
fn pairs(prefix: &str, v: JsValue) -> Result<Vec<(String, String)>, StoreError> {
    let bad = || StoreError::Backend {
        op: "list",
        key: prefix.to_owned(),
        reason: "list must return an array of [key, value] string pairs".into(),
    };
    let array = v.dyn_into::<Array>().map_err(|_| bad())?;
    array
        .iter()
        .map(|pair| {
            let pair = pair.dyn_into::<Array>().map_err(|_| bad())?;
            match (pair.get(0).as_string(), pair.get(1).as_string()) {
                (Some(k), Some(v)) => Ok((k, v)),
                _ => Err(bad()),
            }
        })
        .collect()
}

/// The store an engine runs on: JS's, or memory.
pub(crate) enum AnyStore {
    Memory(MemoryStore),
    Js(JsStore),
}

impl Store for AnyStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self {
            AnyStore::Memory(s) => s.get(key).await,
            AnyStore::Js(s) => s.get(key).await,
        }
    }
    async fn put(&self, key: &str, value: &str) -> Result<(), StoreError> {
        match self {
            AnyStore::Memory(s) => s.put(key, value).await,
            AnyStore::Js(s) => s.put(key, value).await,
        }
    }
    async fn put_if_absent(&self, key: &str, value: &str) -> Result<bool, StoreError> {
        match self {
            AnyStore::Memory(s) => s.put_if_absent(key, value).await,
            AnyStore::Js(s) => s.put_if_absent(key, value).await,
        }
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self {
            AnyStore::Memory(s) => s.delete(key).await,
            AnyStore::Js(s) => s.delete(key).await,
        }
    }
    async fn list(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        match self {
            AnyStore::Memory(s) => s.list(prefix).await,
            AnyStore::Js(s) => s.list(prefix).await,
        }
    }
    async fn list_first(
        &self,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<(String, String)>, StoreError> {
        match self {
            AnyStore::Memory(s) => s.list_first(prefix, limit).await,
            AnyStore::Js(s) => s.list_first(prefix, limit).await,
        }
    }
    async fn batch(&self, writes: &[Write]) -> Result<(), StoreError> {
        match self {
            AnyStore::Memory(s) => s.batch(writes).await,
            AnyStore::Js(s) => s.batch(writes).await,
        }
    }
}

type Core = Engine<FetchTransport, JsClock, AnyStore>;

/// The options other than the clients and the store.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct EngineConfig {
    mapping: Option<Value>,
    policy: Option<Value>,
    context: Option<Value>,
    options: Option<EngineOptions>,
    webhooks: Option<WebhookConfig>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct WebhookConfig {
    /// Outseta's signing key (64 hex digits); without it Outseta webhooks are refused.
    outseta_signing_key: Option<String>,
    /// `{ ed25519Keys?, rsaKeys?, maxAgeMs? }`; absent: HighLevel's published keys.
    ghl: Option<Value>,
    /// How long an Outseta delivery is remembered, so a repeat gets `WEBHOOK_REPLAYED`
    /// (ms; default 8 hours, past Outseta's 20 retries 20 minutes apart).
    outseta_replay_window_ms: Option<f64>,
}

fn invalid(reason: impl Into<String>) -> JsValue {
    to_js_error(&SyncError::InputInvalid {
        what: "SyncEngine options",
        reason: reason.into(),
    })
}

fn field(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Two-way sync between Outseta and one HighLevel location.
#[wasm_bindgen]
pub struct SyncEngine {
    core: Rc<Core>,
}

#[wasm_bindgen]
impl SyncEngine {
    /// `new SyncEngine({ ghl, outseta, store?, mapping?, policy?, context?, options?,
    /// webhooks? })`: `ghl` and `outseta` take the options of `GhlClient` and
    /// `OutsetaClient`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<SyncEngine, JsValue> {
        if !options.is_object() {
            return Err(invalid("pass an options object"));
        }
        let ghl_options = field(&options, "ghl");
        let outseta_options = field(&options, "outseta");
        if !ghl_options.is_object() || !outseta_options.is_object() {
            return Err(invalid(
                "ghl and outseta (the two clients' options) are required",
            ));
        }
        let ghl = super::ghl::build_client(&ghl_options, "new SyncEngine (ghl)")?;
        let outseta = super::outseta::build_client(&outseta_options)?;
        let store_object = field(&options, "store");
        let store = if store_object.is_undefined() || store_object.is_null() {
            AnyStore::Memory(MemoryStore::new())
        } else if store_object.is_object() {
            AnyStore::Js(JsStore {
                object: store_object,
            })
        } else {
            return Err(invalid(
                "store must be an object with get, put, putIfAbsent, delete and list",
            ));
        };
        let mut rest = from_js(&options)?;
        if let Value::Object(map) = &mut rest {
            for k in ["ghl", "outseta", "store"] {
                map.remove(k);
            }
        }
        let config: EngineConfig = serde_json::from_value(rest)
            .map_err(|e| invalid(without_quoted_strings(&e.to_string())))?;
        let ctx = mapping::parse_context(config.context.as_ref())
            .map_err(|p| to_js_error(&MappingError::spec_invalid(p)))?;
        let spec = match config.mapping.as_ref().filter(|m| !m.is_null()) {
            None => mapping::default_spec(),
            Some(m) => {
                mapping::parse(m, &ctx).map_err(|p| to_js_error(&MappingError::spec_invalid(p)))?
            }
        };
        let policy = crate::merge::parse_policy(config.policy.as_ref())
            .map_err(|p| to_js_error(&MappingError::spec_invalid(p)))?;
        let webhooks = config.webhooks.unwrap_or_default();
        let verifier = match &webhooks.ghl {
            None => WebhookVerifier::new(WebhookKeys::published().map_err(|e| to_js_error(&e))?),
            Some(v) => super::ghl::build_verifier(&to_js(v)?)?,
        }
        // The engine serves the location of its GHL client: another location's deliveries
        // are refused (WEBHOOK_WRONG_LOCATION) before anything is claimed or read.
        .with_location(field(&ghl_options, "locationId").as_string());
        let mut horizons = ClaimHorizons {
            ghl_ms: verifier.replay_horizon_ms(),
            ..ClaimHorizons::default()
        };
        match webhooks.outseta_replay_window_ms {
            Some(ms) if ms.is_finite() && ms > 0.0 => horizons.outseta_ms = ms,
            Some(_) => {
                return Err(invalid(
                    "webhooks.outsetaReplayWindowMs must be a positive number of milliseconds",
                ))
            }
            None => {}
        }
        let mut engine = Engine::new(
            ghl,
            outseta,
            store,
            spec,
            policy,
            ctx,
            config.options.unwrap_or_default(),
            JsClock,
        );
        engine.state.claim_horizons = horizons;
        engine.outseta_signing_key = webhooks.outseta_signing_key;
        engine.ghl_verifier = Some(std::cell::RefCell::new(verifier));
        Ok(SyncEngine {
            core: Rc::new(engine),
        })
    }

    /// An Outseta webhook: the event from the route (`person-updated`, `PersonUpdated`
    /// or `201`), the raw body (string or Uint8Array) and the request headers.
    #[wasm_bindgen(js_name = handleOutsetaWebhook)]
    pub fn handle_outseta_webhook(
        &self,
        event: String,
        raw_body: JsValue,
        headers: JsValue,
    ) -> Result<Promise, JsValue> {
        let body = super::json::webhook_body(&raw_body)?;
        let signature = super::ghl::header(&headers, "x-hub-signature-256");
        let core = self.core.clone();
        Ok(promise(async move {
            core.handle_outseta_webhook(&event, &body, signature.as_deref())
                .await
        }))
    }

    /// A HighLevel webhook: the raw body and the request headers.
    #[wasm_bindgen(js_name = handleGhlWebhook)]
    pub fn handle_ghl_webhook(
        &self,
        raw_body: JsValue,
        headers: JsValue,
        received_at: Option<f64>,
    ) -> Result<Promise, JsValue> {
        let body = super::json::webhook_body(&raw_body)?;
        let ghl_sig = super::ghl::header(&headers, "x-ghl-signature");
        let wh_sig = super::ghl::header(&headers, "x-wh-signature");
        let core = self.core.clone();
        Ok(promise(async move {
            core.handle_ghl_webhook(&body, ghl_sig.as_deref(), wh_sig.as_deref(), received_at)
                .await
        }))
    }

    /// Syncs one Outseta person (a Person object) now.
    #[wasm_bindgen(js_name = syncPerson)]
    pub fn sync_person(&self, person: JsValue) -> Result<Promise, JsValue> {
        let person = from_js(&person)?;
        let core = self.core.clone();
        Ok(promise(async move {
            core.sync_outseta_person(person, "outseta:manual", Read::Body)
                .await
        }))
    }

    /// The polling fallback (for a cron): people updated since the last poll.
    pub fn poll(&self) -> Promise {
        let core = self.core.clone();
        promise(async move { core.poll().await })
    }

    /// Imports every Outseta person into GHL. `options`: `{ dryRun?, resume?,
    /// pageSize?, job?, ghlDuplicates? }`; `onProgress(progress)` is called after each
    /// page, and returning `false` from it stops the import (resume later).
    #[wasm_bindgen(js_name = bulkImport)]
    pub fn bulk_import(
        &self,
        options: JsValue,
        on_progress: Option<Function>,
    ) -> Result<Promise, JsValue> {
        let options = import_options(&options)?;
        let core = self.core.clone();
        Ok(promise(async move {
            let mut report = |p: &Progress| match (&on_progress, to_js(p)) {
                (Some(f), Ok(v)) => {
                    !matches!(f.call1(&JsValue::NULL, &v), Ok(r) if r == JsValue::FALSE)
                }
                _ => true,
            };
            core.bulk_import(options, &mut report).await
        }))
    }

    /// Reads both systems and reports what disagrees. `{ repair?, dryRun?, html? }`:
    /// with `repair`, the drift becomes a Plan, executed unless `dryRun`; with `html`,
    /// the result also carries the report as a self-contained HTML page.
    pub fn reconcile(&self, options: JsValue) -> Result<Promise, JsValue> {
        #[derive(Deserialize, Default)]
        #[serde(rename_all = "camelCase", deny_unknown_fields, default)]
        struct Opts {
            repair: bool,
            dry_run: bool,
            html: bool,
        }
        let o: Opts = if options.is_undefined() || options.is_null() {
            Opts::default()
        } else {
            serde_json::from_value(from_js(&options)?).map_err(|e| {
                to_js_error(&SyncError::InputInvalid {
                    what: "reconcile options",
                    reason: e.to_string(),
                })
            })?
        };
        let core = self.core.clone();
        Ok(promise(async move {
            let report = core.reconcile(o.repair, o.dry_run).await?;
            let html = o.html.then(|| to_html(&report));
            Ok::<_, SyncError>(WithHtml { report, html })
        }))
    }

    /// Every pending review: possible duplicates held by an import, and fields held by
    /// the policy, each with its id, reason, records and candidates.
    pub fn reviews(&self) -> Promise {
        let core = self.core.clone();
        promise(async move { core.reviews().await })
    }

    /// Resolves review `id` (or every review of the person `id` names):
    /// `{ link: ghlId } | { create: true } | { keep: "outseta" | "ghl" } |
    /// { fields: { field: "outseta" | "ghl" } }`. Runs the sync it decides; the review
    /// is dropped once that succeeded.
    #[wasm_bindgen(js_name = resolveReview)]
    pub fn resolve_review(&self, id: String, resolution: JsValue) -> Result<Promise, JsValue> {
        let resolution: crate::sync::reviews::Resolution =
            serde_json::from_value(from_js(&resolution)?).map_err(|e| {
                to_js_error(&SyncError::InputInvalid {
                    what: "review resolution",
                    reason: format!(
                        "{}; expected {{ link: ghlId }}, {{ create: true }}, {{ keep: \"outseta\" | \"ghl\" }} or {{ fields: {{ <field>: \"outseta\" | \"ghl\" }} }}",
                        without_quoted_strings(&e.to_string())
                    ),
                })
            })?;
        let core = self.core.clone();
        Ok(promise(async move {
            core.resolve_review(&id, resolution).await
        }))
    }

    /// `{ outsetaUid? , ghlId? }` -> the pair's timeline, newest first.
    pub fn timeline(&self, which: JsValue) -> Result<Promise, JsValue> {
        let v = from_js(&which)?;
        let get = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let (uid, gid) = (get("outsetaUid"), get("ghlId"));
        let core = self.core.clone();
        Ok(promise(async move {
            core.timeline(uid.as_deref(), gid.as_deref()).await
        }))
    }

    /// Request counters of both clients: `{ ghl, outseta }`.
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        #[derive(Serialize)]
        struct Stats {
            ghl: crate::http::SendStats,
            outseta: crate::http::SendStats,
        }
        to_js(&Stats {
            ghl: self.core.ghl.stats(),
            outseta: self.core.outseta.stats(),
        })
    }
}

fn import_options(options: &JsValue) -> Result<ImportOptions, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(ImportOptions::default());
    }
    serde_json::from_value(from_js(options)?).map_err(|e| {
        to_js_error(&SyncError::InputInvalid {
            what: "import options",
            reason: e.to_string(),
        })
    })
}

/// Throws `INPUT_INVALID` unless `options` are `bulkImport` options: a host that runs
/// the import later (the Worker's alarm) refuses them when they are given.
#[wasm_bindgen(js_name = checkImportOptions)]
pub fn check_import_options(options: JsValue) -> Result<(), JsValue> {
    import_options(&options).map(drop)
}

/// Runs the store conformance suite against a JS store: `{ passed, failures }`.
#[wasm_bindgen(js_name = runStoreConformance)]
pub fn run_store_conformance(store: JsValue) -> Promise {
    let store = JsStore { object: store };
    future_to_promise(async move { to_js(&conformance::run(&store).await) })
}
