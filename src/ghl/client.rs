//! The typed client for every operation in `apps/contacts.json`, the custom-field
//! definitions of `apps/locations.json`, and OAuth (`apps/oauth.json`).
//!
//! Every request carries `Authorization: Bearer …`, `Version: 2021-07-28` and JSON, goes
//! through the per-location rate limiter, and is retried on 429 (always) and on 5xx and
//! network errors (idempotent calls only). A create that failed ambiguously is looked up
//! by duplicate search before it is ever sent again. With OAuth, a 401 refreshes the
//! token once (the rotated refresh token is handed to `on_tokens` to be persisted);
//! concurrent calls that saw the same token die share that one refresh.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::error::GhlError;
use super::time::parse_rfc3339_ms;
use super::types::*;
use crate::http::{
    encode_component, Clock, Limits, Method, Policy, Request, Response, RetryPolicy, SendStats,
    Transport,
};
use crate::phone::{self, to_e164, PhoneError, Region};

type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

pub const DEFAULT_BASE_URL: &str = "https://services.leadconnectorhq.com";
/// The `Version` every Contacts v2 operation requires (`enum ["2021-07-28"]`).
pub const API_VERSION: &str = "2021-07-28";
/// `page`-based search stops at this many records; use `searchAfter` beyond.
pub const SEARCH_PAGE_CAP: u64 = 10_000;

/// A token: shown as `<redacted>` by `Debug`, never put in an error.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// A Private Integration Token (or any access token you refresh yourself).
    Token(Secret),
    /// An OAuth Sub-Account token that the client refreshes on 401.
    OAuth {
        access_token: Secret,
        refresh_token: Option<Secret>,
        client_id: String,
        client_secret: Secret,
    },
}

#[derive(Debug, Clone)]
pub struct GhlConfig {
    pub base_url: String,
    pub location_id: String,
    pub auth: Auth,
    /// Region of national phone numbers (default US); `None` accepts only international
    /// numbers (`+…`).
    pub default_region: Option<Region>,
    pub limits: Limits,
    pub retry: RetryPolicy,
    /// A contact found after an ambiguous create counts as ours when its `dateAdded` is
    /// no earlier than the create's start minus this much (clock skew).
    pub recovery_skew_ms: f64,
    /// An attempt with no response after this long is a network error (default 30 s).
    pub timeout_ms: Option<f64>,
}

impl GhlConfig {
    pub fn new(location_id: impl Into<String>, auth: Auth) -> Self {
        GhlConfig {
            base_url: DEFAULT_BASE_URL.to_owned(),
            location_id: location_id.into(),
            auth,
            default_region: phone::region("US"),
            limits: Limits::GHL,
            retry: RetryPolicy::default(),
            recovery_skew_ms: 300_000.0,
            timeout_ms: Some(30_000.0),
        }
    }
}

/// `{succeded: true}` and similar acknowledgements (the API's spelling).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub succeded: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GET /contacts/` and `GET /contacts/business/{id}`: `{contacts, count}`, plus the live
/// `meta` cursor (`startAfterId`, `startAfter`, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactPage {
    pub contacts: Vec<Contact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /contacts/search`: `{contacts, total, traceId}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchPage {
    pub contacts: Vec<SearchContact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /contacts/upsert`: `{new, contact, traceId}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Upserted {
    pub new: bool,
    pub contact: Contact,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A created contact; `recovered` is true when the create failed ambiguously (network
/// error, 5xx, or the known "422 but created") and the contact was found by duplicate
/// search instead of being created twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Created {
    pub contact: Contact,
    pub recovered: bool,
}

/// Query of the deprecated `GET /contacts/`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListContactsQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_after_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_after: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

struct Call {
    op: &'static str,
    method: Method,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Value>,
    idempotent: bool,
}

impl Call {
    fn new(op: &'static str, method: Method, path: String) -> Self {
        Call {
            op,
            method,
            path,
            query: Vec::new(),
            body: None,
            // GET, PUT and DELETE are idempotent; POST is decided per operation.
            idempotent: method != Method::Post,
        }
    }
    fn query(mut self, key: &'static str, value: Option<String>) -> Self {
        if let Some(v) = value {
            self.query.push((key, v));
        }
        self
    }
    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
    fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = yes;
        self
    }
}

fn seg(value: &str) -> String {
    encode_component(value)
}

/// Parses JSON input into a strict write shape; an unknown key is `INPUT_INVALID`.
pub fn parse_input<T: DeserializeOwned>(op: &'static str, value: Value) -> Result<T, GhlError> {
    serde_json::from_value(value).map_err(|e| GhlError::InputInvalid {
        op,
        reason: e.to_string(),
    })
}

fn take<T: DeserializeOwned>(op: &'static str, mut body: Value, key: &str) -> Result<T, GhlError> {
    let field = body
        .get_mut(key)
        .map(Value::take)
        .ok_or_else(|| GhlError::ResponseInvalid {
            op,
            reason: format!("no `{key}` in the response"),
        })?;
    serde_json::from_value(field).map_err(|e| GhlError::ResponseInvalid {
        op,
        reason: format!("`{key}`: {e}"),
    })
}

fn whole<T: DeserializeOwned>(op: &'static str, body: Value) -> Result<T, GhlError> {
    serde_json::from_value(body).map_err(|e| GhlError::ResponseInvalid {
        op,
        reason: e.to_string(),
    })
}

fn to_value(op: &'static str, value: &impl Serialize) -> Result<Value, GhlError> {
    serde_json::to_value(value).map_err(|e| GhlError::InputInvalid {
        op,
        reason: e.to_string(),
    })
}

/// Turns an error response into a `GhlError`.
fn status_error(op: &'static str, response: &Response) -> GhlError {
    let body: Value = serde_json::from_str(&response.body)
        .unwrap_or_else(|_| Value::String(response.body.chars().take(500).collect()));
    let parsed: ErrorBody = serde_json::from_value(body.clone()).unwrap_or_default();
    if response.status == 400 {
        if let Some(contact_id) = parsed
            .meta
            .as_ref()
            .and_then(|m| m.get("contactId"))
            .and_then(Value::as_str)
        {
            return GhlError::Duplicate {
                op,
                contact_id: contact_id.to_owned(),
                matching_field: parsed
                    .meta
                    .as_ref()
                    .and_then(|m| m.get("matchingField"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                body,
            };
        }
    }
    if response.status == 401 {
        return GhlError::Unauthorized {
            op,
            message: parsed.messages().join("; "),
            trace_id: parsed.trace_id,
        };
    }
    if response.status == 429 {
        return GhlError::RateLimited {
            op,
            reason: "429 Too Many Requests after every retry".into(),
            retry_in_ms: crate::http::retry::retry_after_ms(response),
        };
    }
    GhlError::Status {
        op,
        status: response.status,
        messages: parsed.messages(),
        trace_id: parsed.trace_id,
        body,
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub type TokenCallback = Box<dyn Fn(&TokenResponse)>;

pub struct GhlClient<T: Transport, C: Clock> {
    transport: T,
    clock: C,
    config: GhlConfig,
    auth: RefCell<Auth>,
    policy: Policy,
    on_tokens: Option<TokenCallback>,
    /// Held while a token refresh is in flight. A refresh token is single-use, so calls
    /// that got a 401 at the same time must not each refresh with it: the first
    /// refreshes, the rest wait here and then retry with its new access token.
    refreshing: futures_util::lock::Mutex<()>,
}

impl<T: Transport, C: Clock> GhlClient<T, C> {
    pub fn new(config: GhlConfig, transport: T, clock: C) -> Self {
        let seed = clock.now_ms().to_bits();
        GhlClient {
            policy: Policy::new(config.limits, config.retry, seed)
                .with_timeout_ms(config.timeout_ms),
            auth: RefCell::new(config.auth.clone()),
            transport,
            clock,
            config,
            on_tokens: None,
            refreshing: futures_util::lock::Mutex::new(()),
        }
    }

    /// Called with every token set OAuth hands out (refresh rotates the refresh token:
    /// the new one must be persisted, the old one no longer works).
    pub fn on_tokens(mut self, callback: TokenCallback) -> Self {
        self.on_tokens = Some(callback);
        self
    }

    pub fn config(&self) -> &GhlConfig {
        &self.config
    }

    pub fn stats(&self) -> SendStats {
        self.policy.stats()
    }

    fn location(&self) -> &str {
        &self.config.location_id
    }

    fn bearer(&self) -> String {
        match &*self.auth.borrow() {
            Auth::Token(t) => format!("Bearer {}", t.0),
            Auth::OAuth { access_token, .. } => format!("Bearer {}", access_token.0),
        }
    }

    fn url(&self, path: &str, query: &[(&'static str, String)]) -> String {
        let mut url = format!("{}{}", self.config.base_url.trim_end_matches('/'), path);
        for (i, (k, v)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(k);
            url.push('=');
            url.push_str(&encode_component(v));
        }
        url
    }

    fn build(&self, call: &Call) -> Request {
        let mut request = Request::json(
            call.method,
            self.url(&call.path, &call.query),
            call.body.as_ref().map(Value::to_string),
        );
        request
            .headers
            .push(("Authorization".into(), self.bearer()));
        request.headers.push(("Version".into(), API_VERSION.into()));
        request
            .headers
            .push(("Accept".into(), "application/json".into()));
        if call.body.is_some() {
            request
                .headers
                .push(("Content-Type".into(), "application/json".into()));
        }
        request
    }

    /// One logical call: limiter, retries, refresh-on-401. Returns the final response
    /// (any status) or a transport / rate-limit error.
    /// Boxed so its state machine is compiled once, not inlined into every operation's
    /// future (that inlining cost hundreds of KB of wasm).
    fn send<'a>(&'a self, call: &'a Call) -> LocalBoxFuture<'a, Result<Response, GhlError>> {
        Box::pin(self.send_inner(call))
    }

    async fn send_inner(&self, call: &Call) -> Result<Response, GhlError> {
        let mut refreshed = false;
        loop {
            let request = self.build(call);
            let sent_bearer = self.bearer();
            let sent = self
                .policy
                .send(
                    &self.transport,
                    &self.clock,
                    self.location(),
                    &request,
                    call.idempotent,
                )
                .await
                .map_err(|e| GhlError::RateLimited {
                    op: call.op,
                    reason: format!("the daily budget of location {} is spent", e.key),
                    retry_in_ms: Some(e.reset_in_ms),
                })?;
            let response = sent.result.map_err(|source| GhlError::Transport {
                op: call.op,
                source,
                ambiguous: !call.idempotent,
            })?;
            if response.status == 401 && !refreshed && self.can_refresh() {
                refreshed = true;
                self.refresh_after_401(&sent_bearer).await?;
                continue;
            }
            return Ok(response);
        }
    }

    fn call(&self, call: Call) -> LocalBoxFuture<'_, Result<Value, GhlError>> {
        Box::pin(async move {
            let response = self.send(&call).await?;
            Self::read(call.op, &response)
        })
    }

    fn read(op: &'static str, response: &Response) -> Result<Value, GhlError> {
        if !(200..300).contains(&response.status) {
            return Err(status_error(op, response));
        }
        if response.body.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&response.body).map_err(|e| GhlError::ResponseInvalid {
            op,
            reason: format!("not JSON: {e}"),
        })
    }

    // ---- OAuth ------------------------------------------------------------------

    fn can_refresh(&self) -> bool {
        matches!(
            &*self.auth.borrow(),
            Auth::OAuth {
                refresh_token: Some(_),
                ..
            }
        )
    }

    async fn token_request(
        &self,
        op: &'static str,
        pairs: &[(&str, &str)],
    ) -> Result<TokenResponse, GhlError> {
        let mut request = Request::json(
            Method::Post,
            self.url("/oauth/token", &[]),
            Some(form(pairs)),
        );
        request.headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        request
            .headers
            .push(("Accept".into(), "application/json".into()));
        // A refresh token is single-use: never resend a token request blindly.
        let sent = self
            .policy
            .send(
                &self.transport,
                &self.clock,
                self.location(),
                &request,
                false,
            )
            .await
            .map_err(|e| GhlError::RateLimited {
                op,
                reason: format!("the daily budget of location {} is spent", e.key),
                retry_in_ms: Some(e.reset_in_ms),
            })?;
        let response = sent.result.map_err(|source| GhlError::Transport {
            op,
            source,
            ambiguous: true,
        })?;
        let body = Self::read(op, &response)?;
        let tokens: TokenResponse = whole(op, body)?;
        if let Some(callback) = &self.on_tokens {
            callback(&tokens);
        }
        Ok(tokens)
    }

    /// After a 401 to a request sent with `sent_bearer`: refreshes, unless another call
    /// already replaced that token while this one waited for the refresh lock.
    async fn refresh_after_401(&self, sent_bearer: &str) -> Result<(), GhlError> {
        let _held = self.refreshing.lock().await;
        if self.bearer() != sent_bearer {
            return Ok(());
        }
        self.refresh_locked().await.map(|_| ())
    }

    /// Refreshes the OAuth access token; the rotated refresh token replaces the old one
    /// and is handed to `on_tokens`.
    pub async fn refresh(&self) -> Result<TokenResponse, GhlError> {
        let _held = self.refreshing.lock().await;
        self.refresh_locked().await
    }

    /// `refresh` for a caller that holds `refreshing`.
    async fn refresh_locked(&self) -> Result<TokenResponse, GhlError> {
        const OP: &str = "refreshToken";
        let (refresh, client_id, client_secret) = match &*self.auth.borrow() {
            Auth::OAuth {
                refresh_token: Some(r),
                client_id,
                client_secret,
                ..
            } => (r.0.clone(), client_id.clone(), client_secret.0.clone()),
            _ => {
                return Err(GhlError::Unauthorized {
                    op: OP,
                    message: "no OAuth refresh token configured".into(),
                    trace_id: None,
                })
            }
        };
        let tokens = self
            .token_request(
                OP,
                &[
                    ("client_id", &client_id),
                    ("client_secret", &client_secret),
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &refresh),
                    ("user_type", "Location"),
                ],
            )
            .await?;
        if let Auth::OAuth {
            access_token,
            refresh_token,
            ..
        } = &mut *self.auth.borrow_mut()
        {
            *access_token = Secret(tokens.access_token.clone());
            if let Some(r) = &tokens.refresh_token {
                *refresh_token = Some(Secret(r.clone()));
            }
        }
        Ok(tokens)
    }

    /// Exchanges an authorization code (`grant_type=authorization_code`).
    pub async fn exchange_code(
        &self,
        client_id: &str,
        client_secret: &str,
        code: &str,
        redirect_uri: Option<&str>,
    ) -> Result<TokenResponse, GhlError> {
        let mut pairs = vec![
            ("client_id", client_id),
            ("client_secret", client_secret),
            ("grant_type", "authorization_code"),
            ("code", code),
            ("user_type", "Location"),
        ];
        if let Some(uri) = redirect_uri {
            pairs.push(("redirect_uri", uri));
        }
        self.token_request("exchangeCode", &pairs).await
    }

    /// `POST /oauth/locationToken`: a Sub-Account token from this client's (agency) token.
    pub async fn location_token(
        &self,
        company_id: &str,
        location_id: &str,
    ) -> Result<TokenResponse, GhlError> {
        const OP: &str = "locationToken";
        let mut request = Request::json(
            Method::Post,
            self.url("/oauth/locationToken", &[]),
            Some(form(&[
                ("companyId", company_id),
                ("locationId", location_id),
            ])),
        );
        request
            .headers
            .push(("Authorization".into(), self.bearer()));
        request.headers.push(("Version".into(), API_VERSION.into()));
        request.headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        let sent = self
            .policy
            .send(
                &self.transport,
                &self.clock,
                self.location(),
                &request,
                false,
            )
            .await
            .map_err(|e| GhlError::RateLimited {
                op: OP,
                reason: format!("the daily budget of location {} is spent", e.key),
                retry_in_ms: Some(e.reset_in_ms),
            })?;
        let response = sent.result.map_err(|source| GhlError::Transport {
            op: OP,
            source,
            ambiguous: true,
        })?;
        whole(OP, Self::read(OP, &response)?)
    }

    // ---- contacts -----------------------------------------------------------------

    /// A phone in E.164, or `INPUT_INVALID` before anything is sent.
    fn e164(&self, op: &'static str, raw: &str) -> Result<String, GhlError> {
        to_e164(raw, self.config.default_region).map_err(|e: PhoneError| GhlError::InputInvalid {
            op,
            reason: format!("phone {raw:?}: {e}"),
        })
    }

    fn phone(&self, op: &'static str, phone: &mut Nullable<String>) -> Result<(), GhlError> {
        if let Some(Some(raw)) = phone {
            *raw = self.e164(op, raw)?;
        }
        Ok(())
    }

    /// `GET /contacts/{contactId}`.
    pub async fn get_contact(&self, contact_id: &str) -> Result<Contact, GhlError> {
        let op = "getContact";
        let body = self
            .call(Call::new(
                op,
                Method::Get,
                format!("/contacts/{}", seg(contact_id)),
            ))
            .await?;
        take(op, body, "contact")
    }

    /// `GET /contacts/` (deprecated upstream: prefer `search_contacts`). `locationId` is
    /// sent on every page.
    pub async fn list_contacts(&self, query: &ListContactsQuery) -> Result<ContactPage, GhlError> {
        let op = "listContacts";
        let call = Call::new(op, Method::Get, "/contacts/".into())
            .query("locationId", Some(self.location().to_owned()))
            .query("startAfterId", query.start_after_id.clone())
            .query("startAfter", query.start_after.map(|n| format!("{n}")))
            .query("query", query.query.clone())
            .query("limit", query.limit.map(|n| n.to_string()));
        whole(op, self.call(call).await?)
    }

    /// `GET /contacts/business/{businessId}`.
    pub async fn list_business_contacts(
        &self,
        business_id: &str,
        limit: Option<u32>,
        skip: Option<u32>,
        query: Option<&str>,
    ) -> Result<ContactPage, GhlError> {
        let op = "listBusinessContacts";
        let call = Call::new(
            op,
            Method::Get,
            format!("/contacts/business/{}", seg(business_id)),
        )
        .query("locationId", Some(self.location().to_owned()))
        .query("limit", limit.map(|n| n.to_string()))
        .query("skip", skip.map(|n| n.to_string()))
        .query("query", query.map(str::to_owned));
        whole(op, self.call(call).await?)
    }

    fn prepare_write(
        &self,
        op: &'static str,
        mut contact: ContactWrite,
        upsert: bool,
    ) -> Result<Value, GhlError> {
        if !upsert && contact.create_new_if_duplicate_allowed.is_some() {
            return Err(GhlError::InputInvalid {
                op,
                reason: "createNewIfDuplicateAllowed is an upsert option".into(),
            });
        }
        match &contact.location_id {
            None => contact.location_id = Some(self.location().to_owned()),
            Some(l) if l != self.location() => {
                return Err(GhlError::InputInvalid {
                    op,
                    reason: format!("locationId {l} is not this client's location"),
                })
            }
            Some(_) => {}
        }
        self.phone(op, &mut contact.phone)?;
        to_value(op, &contact)
    }

    /// `POST /contacts/upsert`: 200 `{new, contact}`. Follows the location's duplicate
    /// setting; a phone that matches another contact than the email is dropped by GHL.
    pub async fn upsert_contact(&self, contact: ContactWrite) -> Result<Upserted, GhlError> {
        let op = "upsertContact";
        // Retrying an upsert is safe unless it may create a second contact on purpose.
        let idempotent = contact.create_new_if_duplicate_allowed != Some(true);
        let body = self.prepare_write(op, contact, true)?;
        let call = Call::new(op, Method::Post, "/contacts/upsert".into())
            .body(body)
            .idempotent(idempotent);
        whole(op, self.call(call).await?)
    }

    /// `POST /contacts/`: 201 `{contact}`. Never blindly retried: after a network error,
    /// a 5xx or a 422, the contact is looked up by duplicate search (email, then phone)
    /// and returned with `recovered: true` if it was created after all.
    pub async fn create_contact(&self, contact: ContactWrite) -> Result<Created, GhlError> {
        let op = "createContact";
        let email = contact.email.clone().flatten();
        let body = self.prepare_write(op, contact, false)?;
        let phone = body.get("phone").and_then(Value::as_str).map(str::to_owned);
        let started = self.clock.now_ms();
        let call = Call::new(op, Method::Post, "/contacts/".into()).body(body);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self.send(&call).await;
            let ambiguous = match &outcome {
                Ok(r) if (200..300).contains(&r.status) => {
                    let body = Self::read(op, r)?;
                    return Ok(Created {
                        contact: take(op, body, "contact")?,
                        recovered: false,
                    });
                }
                Ok(r) => r.status >= 500 || r.status == 422,
                Err(GhlError::Transport { .. }) => true,
                Err(_) => false,
            };
            if !ambiguous || (email.is_none() && phone.is_none()) {
                let err = match outcome {
                    Ok(r) => status_error(op, &r),
                    Err(e) => e,
                };
                // A retry refused as a duplicate of a contact created since we started is
                // our own earlier attempt that landed late (e.g. after a timeout).
                if let (true, GhlError::Duplicate { contact_id, .. }) = (attempt > 1, &err) {
                    if let Ok(mine) = self.get_contact(contact_id).await {
                        if self.created_since(&mine, started) {
                            return Ok(Created {
                                contact: mine,
                                recovered: true,
                            });
                        }
                    }
                }
                return Err(err);
            }
            if let Some(found) = self
                .find_duplicate(email.as_deref(), phone.as_deref())
                .await?
            {
                if self.created_since(&found, started) {
                    return Ok(Created {
                        contact: found,
                        recovered: true,
                    });
                }
            }
            // Not created: a 422 is a real validation error; a 5xx or network error
            // may be tried again now that we know there is no copy.
            let is_422 = matches!(&outcome, Ok(r) if r.status == 422);
            if is_422 || attempt >= self.config.retry.max_attempts {
                return match outcome {
                    Ok(r) => Err(status_error(op, &r)),
                    Err(e) => Err(e),
                };
            }
        }
    }

    fn created_since(&self, contact: &Contact, started_ms: f64) -> bool {
        let added = contact.date_added.as_deref().and_then(parse_rfc3339_ms);
        added.is_some_and(|t| t >= started_ms - self.config.recovery_skew_ms)
    }

    /// `PUT /contacts/{contactId}`: returns the updated contact.
    pub async fn update_contact(
        &self,
        contact_id: &str,
        mut update: ContactUpdate,
    ) -> Result<Contact, GhlError> {
        let op = "updateContact";
        self.phone(op, &mut update.phone)?;
        let call = Call::new(op, Method::Put, format!("/contacts/{}", seg(contact_id)))
            .body(to_value(op, &update)?);
        take(op, self.call(call).await?, "contact")
    }

    /// `DELETE /contacts/{contactId}`.
    pub async fn delete_contact(&self, contact_id: &str) -> Result<Ack, GhlError> {
        let op = "deleteContact";
        whole(
            op,
            self.call(Call::new(
                op,
                Method::Delete,
                format!("/contacts/{}", seg(contact_id)),
            ))
            .await?,
        )
    }

    /// `GET /contacts/search/duplicate?locationId&email&number`: the contact the location's
    /// duplicate rules match (email first, then phone), or `None`.
    pub async fn find_duplicate(
        &self,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<Option<Contact>, GhlError> {
        let op = "findDuplicate";
        if email.is_none() && phone.is_none() {
            return Err(GhlError::InputInvalid {
                op,
                reason: "pass at least one of email, phone".into(),
            });
        }
        let number = match phone {
            Some(p) => Some(self.e164(op, p)?),
            None => None,
        };
        let call = Call::new(op, Method::Get, "/contacts/search/duplicate".into())
            .query("locationId", Some(self.location().to_owned()))
            .query("number", number)
            .query("email", email.map(str::to_owned));
        let body = self.call(call).await?;
        match body.get("contact") {
            None | Some(Value::Null) => Ok(None),
            Some(_) => take(op, body, "contact").map(Some),
        }
    }

    /// `POST /contacts/search`. `locationId` is filled in; `pageLimit` defaults to 100.
    pub async fn search_contacts(&self, body: Value) -> Result<SearchPage, GhlError> {
        let op = "searchContacts";
        let mut body = match body {
            Value::Object(m) => m,
            Value::Null => Map::new(),
            other => {
                return Err(GhlError::InputInvalid {
                    op,
                    reason: format!("the search body must be an object, not {other}"),
                })
            }
        };
        body.entry("locationId")
            .or_insert_with(|| json!(self.location()));
        body.entry("pageLimit").or_insert_with(|| json!(100));
        let limit = body.get("pageLimit").and_then(Value::as_u64).unwrap_or(0);
        if !(1..=500).contains(&limit) {
            return Err(GhlError::InputInvalid {
                op,
                reason: "pageLimit must be an integer from 1 to 500".into(),
            });
        }
        if let Some(page) = body.get("page").and_then(Value::as_u64) {
            if page * limit > SEARCH_PAGE_CAP {
                return Err(GhlError::InputInvalid {
                    op,
                    reason: format!(
                        "page-based search stops at {SEARCH_PAGE_CAP} records: use searchAfter"
                    ),
                });
            }
        }
        let call = Call::new(op, Method::Post, "/contacts/search".into())
            .body(Value::Object(body))
            .idempotent(true);
        whole(op, self.call(call).await?)
    }

    // ---- tags, tasks, notes, appointments -------------------------------------------

    /// `POST /contacts/{contactId}/tags` (adding is idempotent): the contact's tags.
    pub async fn add_tags(
        &self,
        contact_id: &str,
        tags: Vec<String>,
    ) -> Result<Vec<String>, GhlError> {
        let op = "addTags";
        let call = Call::new(
            op,
            Method::Post,
            format!("/contacts/{}/tags", seg(contact_id)),
        )
        .body(json!({ "tags": tags }))
        .idempotent(true);
        take(op, self.call(call).await?, "tags")
    }

    /// `DELETE /contacts/{contactId}/tags`: the contact's remaining tags.
    pub async fn remove_tags(
        &self,
        contact_id: &str,
        tags: Vec<String>,
    ) -> Result<Vec<String>, GhlError> {
        let op = "removeTags";
        let call = Call::new(
            op,
            Method::Delete,
            format!("/contacts/{}/tags", seg(contact_id)),
        )
        .body(json!({ "tags": tags }));
        take(op, self.call(call).await?, "tags")
    }

    pub async fn list_tasks(&self, contact_id: &str) -> Result<Vec<Task>, GhlError> {
        let op = "listTasks";
        take(
            op,
            self.call(Call::new(
                op,
                Method::Get,
                format!("/contacts/{}/tasks", seg(contact_id)),
            ))
            .await?,
            "tasks",
        )
    }

    pub async fn get_task(&self, contact_id: &str, task_id: &str) -> Result<Task, GhlError> {
        let op = "getTask";
        let path = format!("/contacts/{}/tasks/{}", seg(contact_id), seg(task_id));
        take(
            op,
            self.call(Call::new(op, Method::Get, path)).await?,
            "task",
        )
    }

    /// `POST /contacts/{contactId}/tasks`: `title`, `dueDate` and `completed` required.
    /// Milliseconds in `dueDate` are dropped (they break later updates; n8n does the same).
    pub async fn create_task(
        &self,
        contact_id: &str,
        mut task: TaskWrite,
    ) -> Result<Task, GhlError> {
        let op = "createTask";
        if task.title.is_none() || task.due_date.is_none() || task.completed.is_none() {
            return Err(GhlError::InputInvalid {
                op,
                reason: "title, dueDate and completed are required".into(),
            });
        }
        task.due_date = task.due_date.map(|d| strip_millis(&d));
        let call = Call::new(
            op,
            Method::Post,
            format!("/contacts/{}/tasks", seg(contact_id)),
        )
        .body(to_value(op, &task)?);
        take(op, self.call(call).await?, "task")
    }

    pub async fn update_task(
        &self,
        contact_id: &str,
        task_id: &str,
        mut task: TaskWrite,
    ) -> Result<Task, GhlError> {
        let op = "updateTask";
        task.due_date = task.due_date.map(|d| strip_millis(&d));
        let path = format!("/contacts/{}/tasks/{}", seg(contact_id), seg(task_id));
        let call = Call::new(op, Method::Put, path).body(to_value(op, &task)?);
        take(op, self.call(call).await?, "task")
    }

    /// `PUT /contacts/{contactId}/tasks/{taskId}/completed`.
    pub async fn complete_task(
        &self,
        contact_id: &str,
        task_id: &str,
        completed: bool,
    ) -> Result<Task, GhlError> {
        let op = "completeTask";
        let path = format!(
            "/contacts/{}/tasks/{}/completed",
            seg(contact_id),
            seg(task_id)
        );
        let call = Call::new(op, Method::Put, path).body(json!({ "completed": completed }));
        take(op, self.call(call).await?, "task")
    }

    pub async fn delete_task(&self, contact_id: &str, task_id: &str) -> Result<Ack, GhlError> {
        let op = "deleteTask";
        let path = format!("/contacts/{}/tasks/{}", seg(contact_id), seg(task_id));
        whole(op, self.call(Call::new(op, Method::Delete, path)).await?)
    }

    pub async fn list_notes(&self, contact_id: &str) -> Result<Vec<Note>, GhlError> {
        let op = "listNotes";
        let path = format!("/contacts/{}/notes", seg(contact_id));
        take(
            op,
            self.call(Call::new(op, Method::Get, path)).await?,
            "notes",
        )
    }

    pub async fn get_note(&self, contact_id: &str, note_id: &str) -> Result<Note, GhlError> {
        let op = "getNote";
        let path = format!("/contacts/{}/notes/{}", seg(contact_id), seg(note_id));
        take(
            op,
            self.call(Call::new(op, Method::Get, path)).await?,
            "note",
        )
    }

    /// `POST /contacts/{contactId}/notes`: `body` required.
    pub async fn create_note(&self, contact_id: &str, note: NoteWrite) -> Result<Note, GhlError> {
        let op = "createNote";
        if note.body.is_none() {
            return Err(GhlError::InputInvalid {
                op,
                reason: "body is required".into(),
            });
        }
        let call = Call::new(
            op,
            Method::Post,
            format!("/contacts/{}/notes", seg(contact_id)),
        )
        .body(to_value(op, &note)?);
        take(op, self.call(call).await?, "note")
    }

    pub async fn update_note(
        &self,
        contact_id: &str,
        note_id: &str,
        note: NoteWrite,
    ) -> Result<Note, GhlError> {
        let op = "updateNote";
        let path = format!("/contacts/{}/notes/{}", seg(contact_id), seg(note_id));
        let call = Call::new(op, Method::Put, path).body(to_value(op, &note)?);
        take(op, self.call(call).await?, "note")
    }

    pub async fn delete_note(&self, contact_id: &str, note_id: &str) -> Result<Ack, GhlError> {
        let op = "deleteNote";
        let path = format!("/contacts/{}/notes/{}", seg(contact_id), seg(note_id));
        whole(op, self.call(Call::new(op, Method::Delete, path)).await?)
    }

    /// `GET /contacts/{contactId}/appointments`: `{events: GetEventSchema[]}`.
    pub async fn list_appointments(&self, contact_id: &str) -> Result<Vec<Appointment>, GhlError> {
        let op = "listAppointments";
        let path = format!("/contacts/{}/appointments", seg(contact_id));
        take(
            op,
            self.call(Call::new(op, Method::Get, path)).await?,
            "events",
        )
    }

    // ---- followers, campaigns, workflows, bulk ----------------------------------------

    pub async fn add_followers(
        &self,
        contact_id: &str,
        followers: Vec<String>,
    ) -> Result<Value, GhlError> {
        let op = "addFollowers";
        let call = Call::new(
            op,
            Method::Post,
            format!("/contacts/{}/followers", seg(contact_id)),
        )
        .body(json!({ "followers": followers }))
        .idempotent(true);
        self.call(call).await
    }

    pub async fn remove_followers(
        &self,
        contact_id: &str,
        followers: Vec<String>,
    ) -> Result<Value, GhlError> {
        let op = "removeFollowers";
        let call = Call::new(
            op,
            Method::Delete,
            format!("/contacts/{}/followers", seg(contact_id)),
        )
        .body(json!({ "followers": followers }));
        self.call(call).await
    }

    pub async fn add_to_campaign(
        &self,
        contact_id: &str,
        campaign_id: &str,
    ) -> Result<Value, GhlError> {
        let op = "addToCampaign";
        let path = format!(
            "/contacts/{}/campaigns/{}",
            seg(contact_id),
            seg(campaign_id)
        );
        self.call(
            Call::new(op, Method::Post, path)
                .body(json!({}))
                .idempotent(true),
        )
        .await
    }

    pub async fn remove_from_campaign(
        &self,
        contact_id: &str,
        campaign_id: &str,
    ) -> Result<Value, GhlError> {
        let op = "removeFromCampaign";
        let path = format!(
            "/contacts/{}/campaigns/{}",
            seg(contact_id),
            seg(campaign_id)
        );
        self.call(Call::new(op, Method::Delete, path)).await
    }

    pub async fn remove_from_all_campaigns(&self, contact_id: &str) -> Result<Value, GhlError> {
        let op = "removeFromAllCampaigns";
        let path = format!("/contacts/{}/campaigns/removeAll", seg(contact_id));
        self.call(Call::new(op, Method::Delete, path)).await
    }

    /// `POST /contacts/{contactId}/workflow/{workflowId}`; not retried on 5xx (it would
    /// enrol the contact twice).
    pub async fn add_to_workflow(
        &self,
        contact_id: &str,
        workflow_id: &str,
        event_start_time: Option<String>,
    ) -> Result<Value, GhlError> {
        let op = "addToWorkflow";
        let path = format!(
            "/contacts/{}/workflow/{}",
            seg(contact_id),
            seg(workflow_id)
        );
        let body = match event_start_time {
            Some(t) => json!({ "eventStartTime": t }),
            None => json!({}),
        };
        self.call(Call::new(op, Method::Post, path).body(body))
            .await
    }

    pub async fn remove_from_workflow(
        &self,
        contact_id: &str,
        workflow_id: &str,
        event_start_time: Option<String>,
    ) -> Result<Value, GhlError> {
        let op = "removeFromWorkflow";
        let path = format!(
            "/contacts/{}/workflow/{}",
            seg(contact_id),
            seg(workflow_id)
        );
        let body = match event_start_time {
            Some(t) => json!({ "eventStartTime": t }),
            None => json!({}),
        };
        self.call(Call::new(op, Method::Delete, path).body(body))
            .await
    }

    /// `POST /contacts/bulk/tags/update/{add|remove}`.
    pub async fn bulk_update_tags(
        &self,
        kind: &str,
        contacts: Vec<String>,
        tags: Vec<String>,
        remove_all_tags: Option<bool>,
    ) -> Result<Value, GhlError> {
        let op = "bulkUpdateTags";
        if kind != "add" && kind != "remove" {
            return Err(GhlError::InputInvalid {
                op,
                reason: format!("type must be add or remove, not {kind}"),
            });
        }
        if remove_all_tags.is_some() && kind != "remove" {
            return Err(GhlError::InputInvalid {
                op,
                reason: "removeAllTags only goes with the remove type".into(),
            });
        }
        let mut body = json!({ "contacts": contacts, "tags": tags, "locationId": self.location() });
        if let Some(all) = remove_all_tags {
            body["removeAllTags"] = json!(all);
        }
        let path = format!("/contacts/bulk/tags/update/{kind}");
        self.call(
            Call::new(op, Method::Post, path)
                .body(body)
                .idempotent(true),
        )
        .await
    }

    /// `POST /contacts/bulk/business`: `business_id: None` removes them from their business.
    pub async fn bulk_business(
        &self,
        ids: Vec<String>,
        business_id: Option<String>,
    ) -> Result<Value, GhlError> {
        let op = "bulkBusiness";
        let body = json!({ "locationId": self.location(), "ids": ids, "businessId": business_id });
        self.call(
            Call::new(op, Method::Post, "/contacts/bulk/business".into())
                .body(body)
                .idempotent(true),
        )
        .await
    }

    // ---- custom-field definitions (apps/locations.json) --------------------------------

    pub async fn list_custom_fields(
        &self,
        model: Option<&str>,
    ) -> Result<Vec<CustomFieldDefinition>, GhlError> {
        let op = "listCustomFields";
        let path = format!("/locations/{}/customFields", seg(self.location()));
        let call = Call::new(op, Method::Get, path).query("model", model.map(str::to_owned));
        take(op, self.call(call).await?, "customFields")
    }

    /// `GET /locations/{locationId}/customFields/{id}`: `id` may also be a field key.
    pub async fn get_custom_field(&self, id: &str) -> Result<CustomFieldDefinition, GhlError> {
        let op = "getCustomField";
        let path = format!(
            "/locations/{}/customFields/{}",
            seg(self.location()),
            seg(id)
        );
        take(
            op,
            self.call(Call::new(op, Method::Get, path)).await?,
            "customField",
        )
    }

    /// `POST /locations/{locationId}/customFields`: `{name*, dataType*, …}`.
    pub async fn create_custom_field(
        &self,
        definition: Value,
    ) -> Result<CustomFieldDefinition, GhlError> {
        let op = "createCustomField";
        let ok = definition.get("name").is_some_and(Value::is_string)
            && definition.get("dataType").is_some_and(Value::is_string);
        if !ok {
            return Err(GhlError::InputInvalid {
                op,
                reason: "name and dataType (strings) are required".into(),
            });
        }
        let path = format!("/locations/{}/customFields", seg(self.location()));
        take(
            op,
            self.call(Call::new(op, Method::Post, path).body(definition))
                .await?,
            "customField",
        )
    }
}

fn strip_millis(date: &str) -> String {
    match (date.find('.'), date.get(19..20)) {
        (Some(19), Some(".")) => {
            let rest = &date[20..];
            let tail = rest.trim_start_matches(|c: char| c.is_ascii_digit());
            format!("{}{}", &date[..19], tail)
        }
        _ => date.to_owned(),
    }
}

/// Pages through `POST /contacts/search` with each page's last `searchAfter` cursor, so
/// it is not bound by the 10,000-record cap of `page` paging.
#[derive(Debug, Clone)]
pub struct SearchCursor {
    body: Map<String, Value>,
    done: bool,
}

impl SearchCursor {
    pub fn new(body: Value) -> Result<Self, GhlError> {
        let mut body = match body {
            Value::Object(m) => m,
            Value::Null => Map::new(),
            _ => {
                return Err(GhlError::InputInvalid {
                    op: "searchContacts",
                    reason: "the search body must be an object".into(),
                })
            }
        };
        if body.remove("page").is_some() {
            return Err(GhlError::InputInvalid {
                op: "searchContacts",
                reason: "a cursor pages with searchAfter: leave page out".into(),
            });
        }
        Ok(SearchCursor { body, done: false })
    }

    /// The next page, or `None` when the last one has been read.
    pub async fn next<T: Transport, C: Clock>(
        &mut self,
        client: &GhlClient<T, C>,
    ) -> Result<Option<SearchPage>, GhlError> {
        if self.done {
            return Ok(None);
        }
        let page = client
            .search_contacts(Value::Object(self.body.clone()))
            .await?;
        let limit = self
            .body
            .get("pageLimit")
            .and_then(Value::as_u64)
            .unwrap_or(100);
        match page.contacts.last().and_then(|c| c.search_after.clone()) {
            Some(cursor) if page.contacts.len() as u64 >= limit => {
                self.body.insert("searchAfter".into(), Value::Array(cursor));
            }
            _ => self.done = true,
        }
        if page.contacts.is_empty() {
            return Ok(None);
        }
        Ok(Some(page))
    }
}

/// Pages through the deprecated `GET /contacts/` with `meta.startAfterId`/`startAfter`.
#[derive(Debug, Clone, Default)]
pub struct ListCursor {
    query: ListContactsQuery,
    done: bool,
}

impl ListCursor {
    pub fn new(query: ListContactsQuery) -> Self {
        ListCursor { query, done: false }
    }

    pub async fn next<T: Transport, C: Clock>(
        &mut self,
        client: &GhlClient<T, C>,
    ) -> Result<Option<ContactPage>, GhlError> {
        if self.done {
            return Ok(None);
        }
        let page = client.list_contacts(&self.query).await?;
        let meta = page.meta.as_ref();
        let next_id = meta
            .and_then(|m| m.get("startAfterId"))
            .and_then(Value::as_str);
        let next_after = meta
            .and_then(|m| m.get("startAfter"))
            .and_then(Value::as_f64);
        let limit = self.query.limit.unwrap_or(20) as usize;
        match (next_id, next_after) {
            (Some(id), Some(after)) if page.contacts.len() >= limit => {
                self.query.start_after_id = Some(id.to_owned());
                self.query.start_after = Some(after);
            }
            _ => self.done = true,
        }
        if page.contacts.is_empty() {
            return Ok(None);
        }
        Ok(Some(page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CodedError;
    use crate::http::fake::{block_on, FakeClock, ScriptedTransport};
    use std::rc::Rc;

    const TOKEN: &str = "pit-secret-token";

    fn client(t: &ScriptedTransport) -> GhlClient<&ScriptedTransport, FakeClock> {
        let mut config = GhlConfig::new("loc 1", Auth::Token(Secret(TOKEN.into())));
        config.base_url = "http://127.0.0.1:9/".into();
        GhlClient::new(config, t, FakeClock::new())
    }

    fn header<'a>(r: &'a Request, name: &str) -> Option<&'a str> {
        r.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn body_of(r: &Request) -> Value {
        serde_json::from_str(r.body.as_deref().unwrap_or("null")).unwrap()
    }

    fn contact_json(id: &str, date_added: &str) -> String {
        json!({"contact": {"id": id, "email": "a@b.co", "dateAdded": date_added, "liveOnly": 1}})
            .to_string()
    }

    #[test]
    fn every_request_carries_bearer_version_json_and_the_location() {
        let t = ScriptedTransport::new();
        t.reply(200, r#"{"contacts": [], "count": 0}"#);
        t.reply(200, &contact_json("c/1", "2026-01-01T00:00:00.000Z"));
        let c = client(&t);
        block_on(c.list_contacts(&ListContactsQuery {
            query: Some("a b".into()),
            ..Default::default()
        }))
        .unwrap();
        let contact = block_on(c.get_contact("c/1")).unwrap();
        assert_eq!(contact.extra["liveOnly"], 1);
        let sent = t.sent();
        assert_eq!(
            sent[0].url,
            "http://127.0.0.1:9/contacts/?locationId=loc%201&query=a%20b"
        );
        assert_eq!(sent[1].url, "http://127.0.0.1:9/contacts/c%2F1");
        for r in &sent {
            assert_eq!(header(r, "Authorization"), Some("Bearer pit-secret-token"));
            assert_eq!(header(r, "Version"), Some("2021-07-28"));
            assert_eq!(header(r, "Accept"), Some("application/json"));
        }
    }

    #[test]
    fn create_fills_the_location_normalises_the_phone_and_reads_201() {
        let t = ScriptedTransport::new();
        t.reply(201, &contact_json("c1", "2026-09-21T14:13:20.000Z"));
        let c = client(&t);
        let input = parse_input(
            "createContact",
            json!({"email": "a@b.co", "phone": "(888) 888-8888"}),
        )
        .unwrap();
        let created = block_on(c.create_contact(input)).unwrap();
        assert!(!created.recovered);
        let sent = &t.sent()[0];
        assert_eq!(header(sent, "Content-Type"), Some("application/json"));
        assert_eq!(
            body_of(sent),
            json!({"locationId": "loc 1", "email": "a@b.co", "phone": "+18888888888"})
        );
    }

    #[test]
    fn national_and_international_phones_go_out_as_e164() {
        for (region, raw, want) in [
            ("GB", "020 7946 0958", "+442079460958"),
            ("GB", "07911 123456 ext. 4", "+447911123456"),
            ("DE", "030 901820", "+4930901820"),
            ("US", "+33 1 42 68 53 00", "+33142685300"),
            ("US", "0044 20 7946 0958", "+442079460958"),
            ("US", "011 49 30 901820", "+4930901820"),
        ] {
            let t = ScriptedTransport::new();
            t.reply(201, &contact_json("c1", "2026-09-21T14:13:20.000Z"));
            let mut config = GhlConfig::new("loc 1", Auth::Token(Secret(TOKEN.into())));
            config.base_url = "http://127.0.0.1:9/".into();
            config.default_region = phone::region(region);
            let c = GhlClient::new(config, &t, FakeClock::new());
            let input = parse_input("createContact", json!({"phone": raw})).unwrap();
            block_on(c.create_contact(input)).unwrap();
            assert_eq!(
                body_of(&t.sent()[0]),
                json!({"locationId": "loc 1", "phone": want}),
                "{raw} in {region}"
            );
        }
    }

    #[test]
    fn invalid_phones_are_refused_before_any_request() {
        let t = ScriptedTransport::new();
        let c = client(&t);
        for raw in [
            "555-0100",
            "+1 202 555 01",
            "+999 123 456 789",
            "12",
            "call me",
        ] {
            let input =
                parse_input("createContact", json!({"email": "a@b.co", "phone": raw})).unwrap();
            let err = block_on(c.create_contact(input)).unwrap_err();
            assert_eq!(err.code(), "INPUT_INVALID", "{raw}");
            assert!(err.to_string().contains("phone"), "{err}");
            let update = parse_input("updateContact", json!({"phone": raw})).unwrap();
            let err = block_on(c.update_contact("c1", update)).unwrap_err();
            assert_eq!(err.code(), "INPUT_INVALID", "{raw}");
            let err = block_on(c.find_duplicate(None, Some(raw))).unwrap_err();
            assert_eq!(err.code(), "INPUT_INVALID", "{raw}");
        }
        // With no default region only international numbers are accepted.
        let mut config = GhlConfig::new("loc 1", Auth::Token(Secret(TOKEN.into())));
        config.default_region = None;
        let c = GhlClient::new(config, &t, FakeClock::new());
        let input = parse_input("createContact", json!({"phone": "(888) 888-8888"})).unwrap();
        assert_eq!(
            block_on(c.create_contact(input)).unwrap_err().code(),
            "INPUT_INVALID"
        );
        assert!(t.sent().is_empty(), "nothing was sent");
    }

    #[test]
    fn a_422_but_created_is_recovered_by_duplicate_search_not_resent() {
        let t = ScriptedTransport::new();
        t.reply(422, r#"{"statusCode":422,"message":["internal"]}"#);
        t.reply(200, &contact_json("c9", "2026-09-21T14:13:21.000Z"));
        let c = client(&t);
        let input = parse_input("createContact", json!({"email": "a@b.co"})).unwrap();
        let created = block_on(c.create_contact(input)).unwrap();
        assert!(created.recovered);
        assert_eq!(created.contact.id.as_deref(), Some("c9"));
        let sent = t.sent();
        assert_eq!(sent.len(), 2);
        assert_eq!(
            sent[1].url,
            "http://127.0.0.1:9/contacts/search/duplicate?locationId=loc%201&email=a%40b.co"
        );
    }

    #[test]
    fn a_5xx_create_with_no_copy_is_sent_again_but_a_real_422_is_returned() {
        let t = ScriptedTransport::new();
        t.reply(502, "bad gateway")
            .reply(200, r#"{"contact": null}"#);
        t.reply(201, &contact_json("c2", "2026-09-21T14:13:20.000Z"));
        let c = client(&t);
        let input: ContactWrite = parse_input("createContact", json!({"email": "a@b.co"})).unwrap();
        let created = block_on(c.create_contact(input.clone())).unwrap();
        assert_eq!(
            (created.contact.id.as_deref(), created.recovered),
            (Some("c2"), false)
        );
        assert_eq!(t.sent().len(), 3);

        let t = ScriptedTransport::new();
        t.reply(422, r#"{"statusCode":422,"message":["email must be an email"],"error":"Unprocessable Entity"}"#);
        t.reply(200, r#"{"contact": null}"#);
        let err = block_on(client(&t).create_contact(input.clone())).unwrap_err();
        assert_eq!(err.code(), "GHL_VALIDATION");
        assert_eq!(err.details()["messages"], json!(["email must be an email"]));

        // An old contact with the same email is not taken for ours.
        let t = ScriptedTransport::new();
        t.fail("reset")
            .reply(200, &contact_json("old", "2020-01-01T00:00:00.000Z"));
        t.reply(400, r#"{"statusCode":400,"message":"This location does not allow duplicated contacts.","meta":{"contactId":"old","contactName":"A","matchingField":"email"}}"#);
        t.reply(200, &contact_json("old", "2020-01-01T00:00:00.000Z"));
        let err = block_on(client(&t).create_contact(input)).unwrap_err();
        assert_eq!(err.code(), "GHL_DUPLICATE");
        assert_eq!(err.details()["contactId"], "old");
        assert_eq!(err.details()["matchingField"], "email");
    }

    #[test]
    fn a_retried_create_refused_as_a_duplicate_of_its_own_late_first_attempt_is_recovered() {
        let t = ScriptedTransport::new();
        t.fail("no response within 30000 ms")
            .reply(200, r#"{"contact": null}"#);
        t.reply(400, r#"{"statusCode":400,"message":"This location does not allow duplicated contacts.","meta":{"contactId":"late","matchingField":"email"}}"#);
        t.reply(200, &contact_json("late", "2026-09-21T14:13:20.500Z"));
        let input = parse_input("createContact", json!({"email": "a@b.co"})).unwrap();
        let created = block_on(client(&t).create_contact(input)).unwrap();
        assert_eq!(
            (created.contact.id.as_deref(), created.recovered),
            (Some("late"), true)
        );
        assert_eq!(t.sent()[3].url, "http://127.0.0.1:9/contacts/late");
    }

    #[test]
    fn oauth_refreshes_once_on_401_and_hands_out_the_rotated_refresh_token() {
        let t = ScriptedTransport::new();
        t.reply(401, r#"{"statusCode":401,"message":"Invalid JWT"}"#);
        t.reply(
            200,
            r#"{"access_token":"new-access","refresh_token":"new-refresh","expires_in":86399}"#,
        );
        t.reply(200, &contact_json("c1", "2026-01-01T00:00:00.000Z"));
        let mut config = GhlConfig::new(
            "loc",
            Auth::OAuth {
                access_token: Secret("old-access".into()),
                refresh_token: Some(Secret("old-refresh".into())),
                client_id: "cid".into(),
                client_secret: Secret("csecret".into()),
            },
        );
        config.base_url = "http://h".into();
        let persisted = Rc::new(RefCell::new(Vec::new()));
        let sink = persisted.clone();
        let c = GhlClient::new(config, &t, FakeClock::new()).on_tokens(Box::new(move |tokens| {
            sink.borrow_mut().push(tokens.refresh_token.clone())
        }));
        block_on(c.get_contact("c1")).unwrap();
        let sent = t.sent();
        assert_eq!(sent[1].url, "http://h/oauth/token");
        assert_eq!(
            sent[1].body.as_deref(),
            Some("client_id=cid&client_secret=csecret&grant_type=refresh_token&refresh_token=old-refresh&user_type=Location")
        );
        assert_eq!(header(&sent[1], "Version"), None);
        assert_eq!(header(&sent[2], "Authorization"), Some("Bearer new-access"));
        assert_eq!(*persisted.borrow(), vec![Some("new-refresh".to_owned())]);
        assert!(!format!("{:?}", c.auth.borrow()).contains("new-"));
    }

    /// Answers like its script, but only after yielding once, so concurrent calls
    /// interleave the way they do over a real network.
    struct Yielding<'a>(&'a ScriptedTransport);

    impl Transport for Yielding<'_> {
        async fn send(&self, request: Request) -> Result<Response, crate::http::TransportError> {
            let mut yielded = false;
            std::future::poll_fn(|cx| {
                if yielded {
                    std::task::Poll::Ready(())
                } else {
                    yielded = true;
                    cx.waker().wake_by_ref();
                    std::task::Poll::Pending
                }
            })
            .await;
            self.0.send(request).await
        }
    }

    #[test]
    fn concurrent_401s_share_one_refresh_so_the_single_use_refresh_token_is_sent_once() {
        let t = ScriptedTransport::new();
        t.reply(401, r#"{"statusCode":401,"message":"Invalid JWT"}"#)
            .reply(401, r#"{"statusCode":401,"message":"Invalid JWT"}"#)
            .reply(
                200,
                r#"{"access_token":"new-access","refresh_token":"new-refresh","expires_in":86399}"#,
            )
            .reply(200, &contact_json("c1", "2026-01-01T00:00:00.000Z"))
            .reply(200, &contact_json("c2", "2026-01-01T00:00:00.000Z"));
        let mut config = GhlConfig::new(
            "loc",
            Auth::OAuth {
                access_token: Secret("old-access".into()),
                refresh_token: Some(Secret("old-refresh".into())),
                client_id: "cid".into(),
                client_secret: Secret("csecret".into()),
            },
        );
        config.base_url = "http://h".into();
        // The fake clock's sleeps end at once, so a timeout would beat every yield.
        config.timeout_ms = None;
        let c = GhlClient::new(config, Yielding(&t), FakeClock::new());
        let (a, b) = block_on(futures_util::future::join(
            c.get_contact("c1"),
            c.get_contact("c2"),
        ));
        assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
        let sent = t.sent();
        let refreshes = sent
            .iter()
            .filter(|r| r.url.ends_with("/oauth/token"))
            .count();
        assert_eq!(refreshes, 1, "the refresh token is single-use: sent once");
        assert_eq!(header(&sent[3], "Authorization"), Some("Bearer new-access"));
        assert_eq!(header(&sent[4], "Authorization"), Some("Bearer new-access"));
    }

    #[test]
    fn a_private_token_401_is_unauthorized_and_never_shows_the_token() {
        let t = ScriptedTransport::new();
        t.reply(401, r#"{"statusCode":401,"message":"Invalid token: access token is invalid","error":"Unauthorized"}"#);
        let err = block_on(client(&t).get_contact("c1")).unwrap_err();
        assert_eq!(err.code(), "GHL_UNAUTHORIZED");
        assert!(!format!("{err} {:?} {}", err, err.details()).contains(TOKEN));
    }

    #[test]
    fn status_codes_map_to_stable_codes() {
        for (status, body, code) in [
            (
                400,
                r#"{"statusCode":400,"message":"Contact with id x not found"}"#,
                "GHL_BAD_REQUEST",
            ),
            (
                403,
                r#"{"statusCode":403,"message":"The token does not have access to this location."}"#,
                "GHL_FORBIDDEN",
            ),
            (404, "not json", "GHL_NOT_FOUND"),
            (200, "not json", "GHL_RESPONSE_INVALID"),
            (200, r#"{"nocontact": 1}"#, "GHL_RESPONSE_INVALID"),
        ] {
            let t = ScriptedTransport::new();
            t.reply(status, body);
            let err = block_on(client(&t).get_contact("x")).unwrap_err();
            assert_eq!(err.code(), code, "{status} {body}");
        }
        let t = ScriptedTransport::new();
        for _ in 0..5 {
            t.reply(429, "");
        }
        let err = block_on(client(&t).get_contact("x")).unwrap_err();
        assert_eq!(err.code(), "GHL_RATE_LIMITED");
    }

    #[test]
    fn unknown_input_keys_and_bad_phones_are_refused_before_sending() {
        let err = parse_input::<ContactWrite>("createContact", json!({"foobar": 1})).unwrap_err();
        assert_eq!(err.code(), "INPUT_INVALID");
        let t = ScriptedTransport::new();
        let c = client(&t);
        let bad = parse_input("createContact", json!({"phone": "call me"})).unwrap();
        assert_eq!(
            block_on(c.create_contact(bad)).unwrap_err().code(),
            "INPUT_INVALID"
        );
        let other_loc = parse_input("createContact", json!({"locationId": "elsewhere"})).unwrap();
        assert_eq!(
            block_on(c.create_contact(other_loc)).unwrap_err().code(),
            "INPUT_INVALID"
        );
        let task = TaskWrite {
            title: Some("t".into()),
            ..Default::default()
        };
        assert_eq!(
            block_on(c.create_task("c", task)).unwrap_err().code(),
            "INPUT_INVALID"
        );
        assert_eq!(
            block_on(c.search_contacts(json!({"page": 101, "pageLimit": 100})))
                .unwrap_err()
                .code(),
            "INPUT_INVALID"
        );
        assert!(t.sent().is_empty());
    }

    #[test]
    fn the_search_cursor_follows_search_after_until_a_short_page() {
        let t = ScriptedTransport::new();
        t.reply(200, r#"{"contacts":[{"id":"a","searchAfter":[1,"a"]},{"id":"b","searchAfter":[2,"b"]}],"total":3}"#);
        t.reply(
            200,
            r#"{"contacts":[{"id":"c","searchAfter":[3,"c"]}],"total":3}"#,
        );
        let c = client(&t);
        let mut cursor = SearchCursor::new(json!({"pageLimit": 2, "filters": []})).unwrap();
        let mut ids = Vec::new();
        while let Some(page) = block_on(cursor.next(&c)).unwrap() {
            ids.extend(page.contacts.into_iter().filter_map(|x| x.id));
        }
        assert_eq!(ids, ["a", "b", "c"]);
        let sent = t.sent();
        assert_eq!(sent.len(), 2);
        assert_eq!(
            body_of(&sent[0]),
            json!({"pageLimit": 2, "filters": [], "locationId": "loc 1"})
        );
        assert_eq!(body_of(&sent[1])["searchAfter"], json!([2, "b"]));
        assert!(SearchCursor::new(json!({"page": 2})).is_err());
    }

    #[test]
    fn the_list_cursor_sends_location_id_on_every_page() {
        let t = ScriptedTransport::new();
        t.reply(
            200,
            r#"{"contacts":[{"id":"a"}],"count":2,"meta":{"startAfterId":"a","startAfter":17}}"#,
        );
        t.reply(200, r#"{"contacts":[],"count":2,"meta":{}}"#);
        let c = client(&t);
        let mut cursor = ListCursor::new(ListContactsQuery {
            limit: Some(1),
            ..Default::default()
        });
        let mut n = 0;
        while let Some(page) = block_on(cursor.next(&c)).unwrap() {
            n += page.contacts.len();
        }
        assert_eq!(n, 1);
        let sent = t.sent();
        assert_eq!(
            sent[1].url,
            "http://127.0.0.1:9/contacts/?locationId=loc%201&startAfterId=a&startAfter=17&limit=1"
        );
    }

    #[test]
    fn task_due_dates_lose_their_milliseconds() {
        assert_eq!(
            strip_millis("2026-01-02T03:04:05.678Z"),
            "2026-01-02T03:04:05Z"
        );
        assert_eq!(strip_millis("2026-01-02T03:04:05Z"), "2026-01-02T03:04:05Z");
        assert_eq!(strip_millis("soon"), "soon");
    }
}
