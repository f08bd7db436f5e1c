//! The Outseta client and webhook handling as JS sees them: an `OutsetaClient` class
//! whose methods return Promises of plain JSON records, and `verifyOutsetaSignature` /
//! `parseOutsetaWebhook`. Every failure is a coded `OutsetaGhlSyncError`; a bad
//! argument rejects the Promise, it never throws synchronously or traps.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::Promise;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::clock::JsClock;
use super::error::to_js_error;
use super::json::{from_js, to_js, webhook_body};
use super::options::{RateLimitOptions, RetryOptions};
use super::transport::FetchTransport;
use crate::error::without_quoted_strings;
use crate::http::Limits;
use crate::outseta::webhook;
use crate::outseta::{Client, CustomActivity, ListQuery, OutsetaConfig, OutsetaError, Settings};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Options {
    #[serde(default)]
    subdomain: Option<String>,
    #[serde(default)]
    base_url: Option<String>,
    api_key: String,
    secret_key: String,
    /// Limit requests to 4 per second (default true), or to a budget of one's own. Off,
    /// a 429 is still retried.
    #[serde(default)]
    rate_limit: Option<RateLimit>,
    /// Attempts and backoff (default 5 attempts, 500 ms base, 30 s cap).
    #[serde(default)]
    retry: Option<RetryOptions>,
    /// Per-attempt timeout in ms (default 30,000); `null` for none.
    #[serde(default, deserialize_with = "some_or_null")]
    timeout_ms: Option<Option<f64>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RateLimit {
    On(bool),
    Budget(RateLimitOptions),
}

/// Tells an explicit `null` (no timeout) from an absent field (the default).
fn some_or_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<f64>>, D::Error> {
    Option::<f64>::deserialize(d).map(Some)
}

fn input_error(path: &str, reason: impl Into<String>) -> JsValue {
    to_js_error(&OutsetaError::InputInvalid {
        path: path.to_owned(),
        reason: reason.into(),
    })
}

/// An Outseta REST API v1 client over the host's `fetch`.
/// Builds the client from `new OutsetaClient(options)`'s options (also the `outseta` key
/// of `new SyncEngine(options)`).
pub(crate) fn build_client(options: &JsValue) -> Result<Client<FetchTransport, JsClock>, JsValue> {
    // Not `typed`: its messages quote refused values, and these options hold the keys.
    let text = from_js(options)?.to_string();
    let options: Options = serde_json::from_str(&text)
        .map_err(|e| input_error("options", without_quoted_strings(&e.to_string())))?;
    let config = match (&options.subdomain, &options.base_url) {
        (Some(sub), None) => {
            OutsetaConfig::for_subdomain(sub, &options.api_key, &options.secret_key)
        }
        (None, Some(url)) => {
            OutsetaConfig::with_base_url(url, &options.api_key, &options.secret_key)
        }
        _ => {
            return Err(input_error(
                "options",
                "give exactly one of subdomain and baseUrl",
            ))
        }
    }
    .map_err(|e| to_js_error(&e))?;
    let mut settings = Settings::default();
    match options.rate_limit {
        None | Some(RateLimit::On(true)) => {}
        // No client-side budget; the server's Retry-After is still obeyed.
        Some(RateLimit::On(false)) => {
            settings.limits = Limits {
                burst: u32::MAX,
                window_ms: 1.0,
                daily: None,
            }
        }
        Some(RateLimit::Budget(l)) => {
            let limits = l.into_limits(Limits::OUTSETA);
            if !(limits.window_ms.is_finite() && limits.window_ms > 0.0) {
                return Err(input_error("rateLimit.windowMs", "a positive number of ms"));
            }
            settings.limits = limits;
        }
    }
    if let Some(r) = options.retry {
        settings.retry = r.into_policy();
    }
    if let Some(timeout) = options.timeout_ms {
        if timeout.is_some_and(|ms| !(ms.is_finite() && ms > 0.0)) {
            return Err(input_error("timeoutMs", "a positive number of ms, or null"));
        }
        settings.timeout_ms = timeout;
    }
    Ok(Client::with_settings(
        config,
        FetchTransport,
        JsClock,
        settings,
    ))
}

#[wasm_bindgen]
pub struct OutsetaClient {
    inner: Rc<Client<FetchTransport, JsClock>>,
}

#[wasm_bindgen]
impl OutsetaClient {
    /// `new OutsetaClient({ subdomain | baseUrl, apiKey, secretKey, rateLimit?, retry?,
    /// timeoutMs? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<OutsetaClient, JsValue> {
        Ok(OutsetaClient {
            inner: Rc::new(build_client(&options)?),
        })
    }

    /// Request counters: requests, attempts, retries, throttledMs, backoffMs.
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.stats())
    }

    /// The base URL requests go to (never the keys).
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.inner.config().base_url().to_owned()
    }

    #[wasm_bindgen(js_name = listPeople)]
    pub fn list_people(&self, query: JsValue) -> Promise {
        let c = self.inner.clone();
        run(query_arg(&query).map(|q| async move { c.list_people(&q).await }))
    }

    #[wasm_bindgen(js_name = listAllPeople)]
    pub fn list_all_people(&self, query: JsValue) -> Promise {
        let c = self.inner.clone();
        run(query_arg(&query).map(|q| async move { c.list_all_people(&q).await }))
    }

    #[wasm_bindgen(js_name = getPerson)]
    pub fn get_person(&self, uid: JsValue) -> Promise {
        let c = self.inner.clone();
        run(string_arg(&uid, "uid").map(|uid| async move { c.get_person(&uid).await }))
    }

    #[wasm_bindgen(js_name = createPerson)]
    pub fn create_person(&self, person: JsValue) -> Promise {
        let c = self.inner.clone();
        run(from_js(&person).map(|p| async move { c.create_person(&p).await }))
    }

    #[wasm_bindgen(js_name = updatePerson)]
    pub fn update_person(&self, uid: JsValue, patch: JsValue) -> Promise {
        let c = self.inner.clone();
        let args = string_arg(&uid, "uid").and_then(|uid| Ok((uid, from_js(&patch)?)));
        run(args.map(|(uid, patch)| async move { c.update_person(&uid, &patch).await }))
    }

    #[wasm_bindgen(js_name = deletePerson)]
    pub fn delete_person(&self, uid: JsValue) -> Promise {
        let c = self.inner.clone();
        run_void(string_arg(&uid, "uid").map(|uid| async move { c.delete_person(&uid).await }))
    }

    #[wasm_bindgen(js_name = findPersonByEmail)]
    pub fn find_person_by_email(&self, email: JsValue) -> Promise {
        let c = self.inner.clone();
        run(string_arg(&email, "email").map(|e| async move { c.find_person_by_email(&e).await }))
    }

    #[wasm_bindgen(js_name = listAccounts)]
    pub fn list_accounts(&self, query: JsValue) -> Promise {
        let c = self.inner.clone();
        run(query_arg(&query).map(|q| async move { c.list_accounts(&q).await }))
    }

    #[wasm_bindgen(js_name = listAllAccounts)]
    pub fn list_all_accounts(&self, query: JsValue) -> Promise {
        let c = self.inner.clone();
        run(query_arg(&query).map(|q| async move { c.list_all_accounts(&q).await }))
    }

    #[wasm_bindgen(js_name = getAccount)]
    pub fn get_account(&self, uid: JsValue) -> Promise {
        let c = self.inner.clone();
        run(string_arg(&uid, "uid").map(|uid| async move { c.get_account(&uid).await }))
    }

    #[wasm_bindgen(js_name = createAccount)]
    pub fn create_account(&self, account: JsValue) -> Promise {
        let c = self.inner.clone();
        run(from_js(&account).map(|a| async move { c.create_account(&a).await }))
    }

    #[wasm_bindgen(js_name = updateAccount)]
    pub fn update_account(&self, uid: JsValue, patch: JsValue) -> Promise {
        let c = self.inner.clone();
        let args = string_arg(&uid, "uid").and_then(|uid| Ok((uid, from_js(&patch)?)));
        run(args.map(|(uid, patch)| async move { c.update_account(&uid, &patch).await }))
    }

    #[wasm_bindgen(js_name = deleteAccount)]
    pub fn delete_account(&self, uid: JsValue) -> Promise {
        let c = self.inner.clone();
        run_void(string_arg(&uid, "uid").map(|uid| async move { c.delete_account(&uid).await }))
    }

    #[wasm_bindgen(js_name = addMembership)]
    pub fn add_membership(&self, account_uid: JsValue, membership: JsValue) -> Promise {
        let c = self.inner.clone();
        let args =
            string_arg(&account_uid, "accountUid").and_then(|a| Ok((a, from_js(&membership)?)));
        run(args.map(|(a, m)| async move { c.add_membership(&a, &m).await }))
    }

    #[wasm_bindgen(js_name = removeMembership)]
    pub fn remove_membership(&self, account_uid: JsValue, membership_uid: JsValue) -> Promise {
        let c = self.inner.clone();
        let args = string_arg(&account_uid, "accountUid")
            .and_then(|a| Ok((a, string_arg(&membership_uid, "membershipUid")?)));
        run_void(args.map(|(a, m)| async move { c.remove_membership(&a, &m).await }))
    }

    #[wasm_bindgen(js_name = listActivities)]
    pub fn list_activities(&self, query: JsValue) -> Promise {
        let c = self.inner.clone();
        run(query_arg(&query).map(|q| async move { c.list_activities(&q).await }))
    }

    #[wasm_bindgen(js_name = createCustomActivity)]
    pub fn create_custom_activity(&self, activity: JsValue) -> Promise {
        let c = self.inner.clone();
        let activity = typed::<CustomActivity>(&activity, "activity");
        run(activity.map(|a| async move { c.create_custom_activity(&a).await }))
    }

    #[wasm_bindgen(js_name = listEmailLists)]
    pub fn list_email_lists(&self, query: JsValue) -> Promise {
        let c = self.inner.clone();
        run(query_arg(&query).map(|q| async move { c.list_email_lists(&q).await }))
    }

    #[wasm_bindgen(js_name = listSubscriptions)]
    pub fn list_subscriptions(&self, list_uid: JsValue, query: JsValue) -> Promise {
        let c = self.inner.clone();
        let args = string_arg(&list_uid, "listUid").and_then(|l| Ok((l, query_arg(&query)?)));
        run(args.map(|(l, q)| async move { c.list_subscriptions(&l, &q).await }))
    }

    pub fn subscribe(&self, list_uid: JsValue, subscription: JsValue) -> Promise {
        let c = self.inner.clone();
        let args = string_arg(&list_uid, "listUid").and_then(|l| Ok((l, from_js(&subscription)?)));
        run(args.map(|(l, s)| async move { c.subscribe(&l, &s).await }))
    }

    pub fn unsubscribe(&self, list_uid: JsValue, subscription_uid: JsValue) -> Promise {
        let c = self.inner.clone();
        let args = string_arg(&list_uid, "listUid")
            .and_then(|l| Ok((l, string_arg(&subscription_uid, "subscriptionUid")?)));
        run_void(args.map(|(l, s)| async move { c.unsubscribe(&l, &s).await }))
    }

    #[wasm_bindgen(js_name = propertyDefinitions)]
    pub fn property_definitions(&self, entity: JsValue) -> Promise {
        let c = self.inner.clone();
        run(string_arg(&entity, "entity").map(|e| async move { c.property_definitions(&e).await }))
    }
}

/// Runs a prepared call: a bad argument rejects at once; otherwise the result as plain
/// JSON (`null` for "not found" answers such as `findPersonByEmail`), or a coded error.
fn run<F, R>(prepared: Result<F, JsValue>) -> Promise
where
    F: Future<Output = Result<R, OutsetaError>> + 'static,
    R: Serialize + 'static,
{
    match prepared {
        Err(err) => Promise::reject(&err),
        Ok(call) => spawn(Box::pin(async move {
            let value = call.await.map_err(|e| to_js_error(&e))?;
            to_js(&value)
        })),
    }
}

/// One `future_to_promise` instantiation for every method: boxing the futures cut about
/// 50 KB of wasm that one copy per method cost.
fn spawn(future: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>) -> Promise {
    future_to_promise(future)
}

/// As `run`, for operations with no result: resolves to `undefined`.
fn run_void<F>(prepared: Result<F, JsValue>) -> Promise
where
    F: Future<Output = Result<(), OutsetaError>> + 'static,
{
    match prepared {
        Err(err) => Promise::reject(&err),
        Ok(call) => spawn(Box::pin(async move {
            call.await.map_err(|e| to_js_error(&e))?;
            Ok(JsValue::UNDEFINED)
        })),
    }
}

fn string_arg(value: &JsValue, name: &str) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| input_error(name, "expected a string"))
}

fn query_arg(value: &JsValue) -> Result<ListQuery, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(ListQuery::default());
    }
    typed(value, "query")
}

/// A JS value read straight into `T` through its JSON text: the same `from_str`
/// deserializer the client uses, so no second (Value-based) copy is compiled in.
fn typed<T: serde::de::DeserializeOwned>(value: &JsValue, name: &str) -> Result<T, JsValue> {
    let text = from_js(value)?.to_string();
    serde_json::from_str(&text).map_err(|e| input_error(name, e.to_string()))
}

fn optional_string(value: &JsValue, name: &str) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    string_arg(value, name).map(Some)
}

/// Checks `x-hub-signature-256` against the raw body; throws `SIGNATURE_INVALID`
/// (details.reason: missing, malformed, mismatch) or `INPUT_INVALID` for a bad key.
#[wasm_bindgen(js_name = verifyOutsetaSignature)]
pub fn verify_outseta_signature(
    key: JsValue,
    body: JsValue,
    signature: JsValue,
) -> Result<(), JsValue> {
    let key = string_arg(&key, "key")?;
    let body = webhook_body(&body)?;
    let signature = optional_string(&signature, "signature")?;
    webhook::verify_signature(&key, &body, signature.as_deref()).map_err(|e| to_js_error(&e))
}

/// Verifies, then parses one delivery: `{ event, activityType, entity, uid,
/// idempotencyKey, record }`. `event` comes from the route the notification was
/// configured with (`person-updated`, `PersonUpdated`, `201`, ...).
#[wasm_bindgen(js_name = parseOutsetaWebhook)]
pub fn parse_outseta_webhook(
    event: JsValue,
    body: JsValue,
    signature: JsValue,
    key: JsValue,
) -> Result<JsValue, JsValue> {
    let event = string_arg(&event, "event")?;
    let body = webhook_body(&body)?;
    let signature = optional_string(&signature, "signature")?;
    let key = string_arg(&key, "key")?;
    let parsed =
        webhook::handle(&event, &body, signature.as_deref(), &key).map_err(|e| to_js_error(&e))?;
    to_js(&parsed)
}
