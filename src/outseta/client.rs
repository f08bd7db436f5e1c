//! The Outseta REST API v1 client: builds requests, sends them through a `Transport`,
//! and reads responses into the types of `types.rs` or a coded `OutsetaError`.
//!
//! Paging follows Outseta, not habit: `offset` is the zero-based PAGE number
//! (`offset=1&limit=20` is items 21-40), and `limit` is at most 100.
//!
//! Every request goes through the shared `http::Policy`: a limiter at Outseta's 4
//! requests per second per key (obeying `Retry-After`), and retries with exponential
//! backoff and full jitter: a 429 always (Outseta did not process the request), a 5xx or
//! a network error only for GET, PUT and DELETE. A POST is never blindly re-sent; a person
//! create that failed ambiguously is looked up by email (unique in Outseta) first.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::{read_error_body, OutsetaError};
use super::types::{
    Account, Activity, CustomActivity, EmailList, EmailListSubscription, Page, Person,
    PersonAccount, PropertyDefinition,
};
use crate::http::retry::Jitter;
use crate::http::{
    Clock, Limits, Method, Policy, Request, Response, RetryPolicy, SendStats, Transport,
};

/// The largest page Outseta serves.
pub const MAX_LIMIT: u32 = 100;

/// Where and as whom to call. `Debug` never shows the keys.
#[derive(Clone)]
pub struct OutsetaConfig {
    base_url: String,
    api_key: String,
    secret_key: String,
}

impl std::fmt::Debug for OutsetaConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutsetaConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &"<hidden>")
            .field("secret_key", &"<hidden>")
            .finish()
    }
}

impl OutsetaConfig {
    /// `https://{subdomain}.outseta.com/api/v1`.
    pub fn for_subdomain(
        subdomain: &str,
        api_key: &str,
        secret_key: &str,
    ) -> Result<Self, OutsetaError> {
        let valid = !subdomain.is_empty()
            && subdomain.len() <= 63
            && subdomain
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid {
            return Err(input("subdomain", "letters, digits and '-' only"));
        }
        Self::with_base_url(
            &format!("https://{subdomain}.outseta.com/api/v1"),
            api_key,
            secret_key,
        )
    }

    /// Any base URL ending in `/api/v1` or not: the simulator, a proxy, a test server.
    pub fn with_base_url(
        base_url: &str,
        api_key: &str,
        secret_key: &str,
    ) -> Result<Self, OutsetaError> {
        let base = base_url.trim().trim_end_matches('/');
        if !(base.starts_with("https://") || base.starts_with("http://")) || base.len() < 9 {
            return Err(input("baseUrl", "must be an http:// or https:// URL"));
        }
        for (name, value) in [("apiKey", api_key), ("secretKey", secret_key)] {
            if value.is_empty() || value.chars().any(|c| c.is_control() || c == ':') {
                return Err(input(
                    name,
                    "must be non-empty, with no ':' or control characters",
                ));
            }
        }
        Ok(OutsetaConfig {
            base_url: base.to_owned(),
            api_key: api_key.to_owned(),
            secret_key: secret_key.to_owned(),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn authorization(&self) -> String {
        format!("Outseta {}:{}", self.api_key, self.secret_key)
    }
}

/// One page request of a "get all" endpoint.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListQuery {
    /// Zero-based page number (Outseta's `offset`).
    #[serde(default)]
    pub offset: u32,
    /// Page size, 1 to 100; Outseta's default is 25.
    #[serde(default)]
    pub limit: Option<u32>,
    /// `fields=`, e.g. `*,PersonAccount.*`.
    #[serde(default)]
    pub fields: Option<String>,
    /// `orderBy=`, e.g. `Updated DESC`.
    #[serde(default)]
    pub order_by: Option<String>,
    /// Property filters, e.g. `Email`, `Updated__gte`, `EntityUid`, `ActivityType`.
    #[serde(default)]
    pub filters: Map<String, Value>,
}

impl ListQuery {
    fn to_pairs(&self) -> Result<Vec<(String, String)>, OutsetaError> {
        let mut pairs = vec![("offset".to_owned(), self.offset.to_string())];
        if let Some(limit) = self.limit {
            if limit == 0 || limit > MAX_LIMIT {
                return Err(input("limit", "must be 1 to 100"));
            }
            pairs.push(("limit".to_owned(), limit.to_string()));
        }
        if let Some(fields) = &self.fields {
            pairs.push(("fields".to_owned(), fields.clone()));
        }
        if let Some(order_by) = &self.order_by {
            pairs.push(("orderBy".to_owned(), order_by.clone()));
        }
        for (key, value) in &self.filters {
            if key.is_empty() || matches!(key.as_str(), "offset" | "limit" | "fields" | "orderBy") {
                return Err(input(
                    &format!("filters.{key}"),
                    "not a property filter; use the query's own field",
                ));
            }
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => {
                    return Err(input(
                        &format!("filters.{key}"),
                        "must be a string, number or boolean",
                    ))
                }
            };
            pairs.push((key.clone(), text));
        }
        Ok(pairs)
    }

    fn with_offset(&self, offset: u32) -> Self {
        ListQuery {
            offset,
            ..self.clone()
        }
    }
}

/// How hard the client may push: the rate limit, retries and the per-attempt timeout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub limits: Limits,
    pub retry: RetryPolicy,
    /// An attempt with no response after this long counts as a network error.
    pub timeout_ms: Option<f64>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            limits: Limits::OUTSETA,
            retry: RetryPolicy::default(),
            timeout_ms: Some(30_000.0),
        }
    }
}

/// The limiter's key. One client holds one key pair, so its budget is that key's; the
/// key itself is not used, so it never sits in the limiter's (debuggable) state.
const RATE_KEY: &str = "outseta";

type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// The typed client. `T` sends the requests; `C` is the clock the limiter and the
/// backoff sleep on.
pub struct Client<T, C> {
    config: OutsetaConfig,
    transport: T,
    clock: C,
    policy: Policy,
    retry: RetryPolicy,
    jitter: RefCell<Jitter>,
}

impl<T: Transport, C: Clock> Client<T, C> {
    /// With the default settings: 4 requests per second, 5 attempts, 30 s per attempt.
    pub fn new(config: OutsetaConfig, transport: T, clock: C) -> Self {
        Self::with_settings(config, transport, clock, Settings::default())
    }

    pub fn with_settings(
        config: OutsetaConfig,
        transport: T,
        clock: C,
        settings: Settings,
    ) -> Self {
        let seed = clock.now_ms().to_bits();
        Client {
            config,
            transport,
            policy: Policy::new(settings.limits, settings.retry, seed)
                .with_timeout_ms(settings.timeout_ms),
            clock,
            retry: settings.retry,
            jitter: RefCell::new(Jitter::new(seed.rotate_left(17))),
        }
    }

    /// Requests, attempts, retries and time spent throttled or backing off.
    pub fn stats(&self) -> SendStats {
        self.policy.stats()
    }

    pub fn config(&self) -> &OutsetaConfig {
        &self.config
    }

    // ---- people ------------------------------------------------------------------

    pub async fn list_people(&self, query: &ListQuery) -> Result<Page<Person>, OutsetaError> {
        self.get_page("/crm/people", query).await
    }

    /// Every person matching `query`, page after page from `query.offset`.
    pub async fn list_all_people(&self, query: &ListQuery) -> Result<Vec<Person>, OutsetaError> {
        self.get_all("/crm/people", query).await
    }

    pub async fn get_person(&self, uid: &str) -> Result<Person, OutsetaError> {
        self.get_person_with(uid, None).await
    }

    /// `get_person` with a `fields` selection (e.g. `*,*.*` to expand the person's
    /// memberships' accounts).
    pub async fn get_person_with(
        &self,
        uid: &str,
        fields: Option<&str>,
    ) -> Result<Person, OutsetaError> {
        let path = format!("/crm/people/{}", segment(uid, "uid")?);
        let query: Vec<(String, String)> = fields
            .map(|f| ("fields".to_owned(), f.to_owned()))
            .into_iter()
            .collect();
        self.json(Method::Get, &path, &query, None).await
    }

    /// `Email` is required; Outseta keeps emails unique. A 429 is retried; after a 5xx
    /// or a network error (the person may have been created or not) the person is looked
    /// up by email and returned if found, and only re-sent if not. A re-send refused
    /// because the email now exists is our earlier attempt landing late: looked up too.
    pub async fn create_person(&self, person: &Value) -> Result<Person, OutsetaError> {
        let body = object(person, "person")?;
        let email = match body.get("Email") {
            Some(Value::String(email)) if !email.trim().is_empty() => email.clone(),
            _ => {
                return Err(input(
                    "person.Email",
                    "a non-empty email string is required",
                ))
            }
        };
        let path = "/crm/people";
        let request = self.request(Method::Post, path, &[], Some(person));
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self.send(&request, false).await.map(|(r, _)| r);
            let ambiguous = match &outcome {
                Ok(r) => r.status >= 500,
                Err(e) => matches!(e, OutsetaError::Transport(_)),
            };
            if !ambiguous {
                match outcome.and_then(|r| check(r, path)) {
                    Ok(r) => return decode(&r.body, path),
                    Err(OutsetaError::Validation { message, errors })
                        if attempt > 1
                            && errors
                                .iter()
                                .any(|e| e.property.as_deref() == Some("Email")) =>
                    {
                        if let Some(found) = self.find_person_by_email(&email).await? {
                            return Ok(found);
                        }
                        return Err(OutsetaError::Validation { message, errors });
                    }
                    Err(e) => return Err(e),
                }
            }
            if let Some(found) = self.find_person_by_email(&email).await? {
                return Ok(found);
            }
            if attempt >= self.retry.max_attempts {
                return Err(outcome
                    .and_then(|r| check(r, path))
                    .err()
                    .unwrap_or_else(|| OutsetaError::Http {
                        status: 500,
                        message: String::new(),
                    }));
            }
            let unit = self.jitter.borrow_mut().next_unit();
            self.clock.sleep(self.retry.delay_ms(attempt, unit)).await;
        }
    }

    /// Changes the keys in `patch` and keeps the rest: the full person is read first and
    /// the merged record is PUT, because a partial PUT can wipe `PersonAccount`.
    pub async fn update_person(&self, uid: &str, patch: &Value) -> Result<Person, OutsetaError> {
        let path = format!("/crm/people/{}", segment(uid, "uid")?);
        let merged = self.read_and_merge(&path, uid, patch).await?;
        self.json(Method::Put, &path, &[], Some(&merged)).await
    }

    pub async fn delete_person(&self, uid: &str) -> Result<(), OutsetaError> {
        let path = format!("/crm/people/{}", segment(uid, "uid")?);
        self.call(Method::Delete, &path, &[], None).await.map(drop)
    }

    /// The person with this email, compared case-insensitively on our side (whether
    /// Outseta's `Email` filter is case-sensitive is not documented, so a miss on the
    /// text as given is retried lower-cased).
    pub async fn find_person_by_email(&self, email: &str) -> Result<Option<Person>, OutsetaError> {
        let wanted = email.trim();
        if wanted.is_empty() {
            return Err(input("email", "must not be empty"));
        }
        let mut candidates = vec![wanted.to_owned()];
        let lower = wanted.to_lowercase();
        if lower != wanted {
            candidates.push(lower);
        }
        for candidate in candidates {
            let mut query = ListQuery::default();
            query
                .filters
                .insert("Email".to_owned(), Value::String(candidate));
            let page = self.list_people(&query).await?;
            let found = page.items.into_iter().find(|p| {
                p.email
                    .as_deref()
                    .is_some_and(|e| e.trim().to_lowercase() == wanted.to_lowercase())
            });
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    // ---- accounts ----------------------------------------------------------------

    pub async fn list_accounts(&self, query: &ListQuery) -> Result<Page<Account>, OutsetaError> {
        self.get_page("/crm/accounts", query).await
    }

    pub async fn list_all_accounts(&self, query: &ListQuery) -> Result<Vec<Account>, OutsetaError> {
        self.get_all("/crm/accounts", query).await
    }

    /// `get_account` with a `fields` selection (e.g. `*,*.*` to expand its people).
    pub async fn get_account_with(
        &self,
        uid: &str,
        fields: Option<&str>,
    ) -> Result<Account, OutsetaError> {
        let path = format!("/crm/accounts/{}", segment(uid, "uid")?);
        let query: Vec<(String, String)> = fields
            .map(|f| ("fields".to_owned(), f.to_owned()))
            .into_iter()
            .collect();
        self.json(Method::Get, &path, &query, None).await
    }

    pub async fn get_account(&self, uid: &str) -> Result<Account, OutsetaError> {
        let path = format!("/crm/accounts/{}", segment(uid, "uid")?);
        self.json(Method::Get, &path, &[], None).await
    }

    /// `Name` and at least one `PersonAccount` (`{Person: {Uid} | {Email, ...}, IsPrimary}`)
    /// are required.
    pub async fn create_account(&self, account: &Value) -> Result<Account, OutsetaError> {
        let body = object(account, "account")?;
        match body.get("Name") {
            Some(Value::String(name)) if !name.trim().is_empty() => {}
            _ => return Err(input("account.Name", "a non-empty name is required")),
        }
        match body.get("PersonAccount") {
            Some(Value::Array(members)) if !members.is_empty() => {}
            _ => {
                return Err(input(
                    "account.PersonAccount",
                    "at least one membership is required",
                ))
            }
        }
        self.json(Method::Post, "/crm/accounts", &[], Some(account))
            .await
    }

    /// As `update_person`: read, merge `patch`, PUT the whole record.
    pub async fn update_account(&self, uid: &str, patch: &Value) -> Result<Account, OutsetaError> {
        let path = format!("/crm/accounts/{}", segment(uid, "uid")?);
        let merged = self.read_and_merge(&path, uid, patch).await?;
        self.json(Method::Put, &path, &[], Some(&merged)).await
    }

    pub async fn delete_account(&self, uid: &str) -> Result<(), OutsetaError> {
        let path = format!("/crm/accounts/{}", segment(uid, "uid")?);
        self.call(Method::Delete, &path, &[], None).await.map(drop)
    }

    /// Adds a person (`{Person: {Uid}}` or `{Person: {Email, ...}}`, `IsPrimary`) to an account.
    pub async fn add_membership(
        &self,
        account_uid: &str,
        membership: &Value,
    ) -> Result<PersonAccount, OutsetaError> {
        let account_uid = segment(account_uid, "accountUid")?;
        let mut body = object(membership, "membership")?.clone();
        if !matches!(body.get("Person"), Some(Value::Object(_))) {
            return Err(input(
                "membership.Person",
                "an object with Uid or Email is required",
            ));
        }
        body.insert(
            "Account".to_owned(),
            serde_json::json!({ "Uid": account_uid }),
        );
        let path = format!("/crm/accounts/{account_uid}/memberships");
        self.json(Method::Post, &path, &[], Some(&Value::Object(body)))
            .await
    }

    /// Removes a person from an account (Outseta refuses to remove the primary contact).
    pub async fn remove_membership(
        &self,
        account_uid: &str,
        membership_uid: &str,
    ) -> Result<(), OutsetaError> {
        let path = format!(
            "/crm/accounts/{}/memberships/{}",
            segment(account_uid, "accountUid")?,
            segment(membership_uid, "membershipUid")?
        );
        self.call(Method::Delete, &path, &[], None).await.map(drop)
    }

    // ---- activities --------------------------------------------------------------

    /// The activity feed; filter with `EntityUid`, `EntityType`, `ActivityType`.
    pub async fn list_activities(&self, query: &ListQuery) -> Result<Page<Activity>, OutsetaError> {
        self.get_page("/activities", query).await
    }

    /// Writes to a person's or account's timeline. Outseta has no task or note write
    /// endpoint, so onboarding tasks and notes from the sync are custom activities.
    pub async fn create_custom_activity(
        &self,
        activity: &CustomActivity,
    ) -> Result<Activity, OutsetaError> {
        if activity.title.trim().is_empty() {
            return Err(input("activity.Title", "must not be empty"));
        }
        segment(&activity.entity_uid, "activity.EntityUid")?;
        if !(1..=3).contains(&activity.entity_type.0) {
            return Err(input(
                "activity.EntityType",
                "1 Account, 2 Person or 3 Deal",
            ));
        }
        let body = serde_json::to_value(activity).map_err(|e| input("activity", &e.to_string()))?;
        let response = self
            .call(Method::Post, "/activities/customactivity", &[], Some(&body))
            .await?;
        if response.body.trim().is_empty() {
            // The response body of this endpoint is not documented; an empty 200 is success.
            return Ok(Activity {
                title: Some(activity.title.clone()),
                description: Some(activity.description.clone()),
                activity_data: activity.activity_data.clone().map(Value::String),
                activity_type: Some(super::types::activity_type::CUSTOM),
                entity_type: Some(activity.entity_type),
                entity_uid: Some(activity.entity_uid.clone()),
                ..Activity::default()
            });
        }
        decode(&response.body, "/activities/customactivity")
    }

    // ---- email lists -------------------------------------------------------------

    pub async fn list_email_lists(
        &self,
        query: &ListQuery,
    ) -> Result<Page<EmailList>, OutsetaError> {
        self.get_page("/email/lists", query).await
    }

    pub async fn list_subscriptions(
        &self,
        list_uid: &str,
        query: &ListQuery,
    ) -> Result<Page<EmailListSubscription>, OutsetaError> {
        let path = format!(
            "/email/lists/{}/subscriptions",
            segment(list_uid, "listUid")?
        );
        self.get_page(&path, query).await
    }

    /// Subscribes `{Person: {Uid} | {Email, FirstName, LastName}, SendWelcomeEmail?}`.
    pub async fn subscribe(
        &self,
        list_uid: &str,
        subscription: &Value,
    ) -> Result<EmailListSubscription, OutsetaError> {
        let list_uid = segment(list_uid, "listUid")?;
        let mut body = object(subscription, "subscription")?.clone();
        if !matches!(body.get("Person"), Some(Value::Object(_))) {
            return Err(input(
                "subscription.Person",
                "an object with Uid or Email is required",
            ));
        }
        body.insert(
            "EmailList".to_owned(),
            serde_json::json!({ "Uid": list_uid }),
        );
        let path = format!("/email/lists/{list_uid}/subscriptions");
        self.json(Method::Post, &path, &[], Some(&Value::Object(body)))
            .await
    }

    pub async fn unsubscribe(
        &self,
        list_uid: &str,
        subscription_uid: &str,
    ) -> Result<(), OutsetaError> {
        let path = format!(
            "/email/lists/{}/subscriptions/{}",
            segment(list_uid, "listUid")?,
            segment(subscription_uid, "subscriptionUid")?
        );
        self.call(Method::Delete, &path, &[], None).await.map(drop)
    }

    // ---- custom property definitions (undocumented) --------------------------------

    /// The custom property definitions of `Person`, `Account` or `Deal`; `None` when the
    /// (undocumented) endpoint answers 404. Accepts a bare array or the list envelope.
    pub async fn property_definitions(
        &self,
        entity: &str,
    ) -> Result<Option<Vec<PropertyDefinition>>, OutsetaError> {
        if !matches!(entity, "Person" | "Account" | "Deal") {
            return Err(input("entity", "one of Person, Account, Deal"));
        }
        let path = format!("/attributes/{entity}/definitions");
        let response = match self.call(Method::Get, &path, &[], None).await {
            Err(OutsetaError::NotFound { .. }) => return Ok(None),
            other => other?,
        };
        // Branch on the first byte rather than an untagged enum: serde's untagged path
        // would compile a second deserializer for the definition type.
        if response.body.trim_start().starts_with('[') {
            decode(&response.body, &path).map(Some)
        } else {
            decode::<Page<PropertyDefinition>>(&response.body, &path).map(|page| Some(page.items))
        }
    }

    // ---- plumbing ----------------------------------------------------------------

    async fn get_page<R: DeserializeOwned>(
        &self,
        path: &str,
        query: &ListQuery,
    ) -> Result<Page<R>, OutsetaError> {
        let pairs = query.to_pairs()?;
        self.json(Method::Get, path, &pairs, None).await
    }

    /// Page numbers from `query.offset` on, until a short page or `total` says stop.
    async fn get_all<R: DeserializeOwned>(
        &self,
        path: &str,
        query: &ListQuery,
    ) -> Result<Vec<R>, OutsetaError> {
        let mut items = Vec::new();
        let mut offset = query.offset;
        loop {
            let page: Page<R> = self.get_page(path, &query.with_offset(offset)).await?;
            let last = page.is_last() || page.items.is_empty();
            items.extend(page.items);
            if last {
                return Ok(items);
            }
            offset = offset
                .checked_add(1)
                .ok_or_else(|| input("offset", "page number overflow"))?;
        }
    }

    async fn read_and_merge(
        &self,
        path: &str,
        uid: &str,
        patch: &Value,
    ) -> Result<Value, OutsetaError> {
        let patch = object(patch, "patch")?;
        if let Some(given) = patch.get("Uid") {
            if given.as_str() != Some(uid) {
                return Err(input(
                    "patch.Uid",
                    "must be absent or equal to the uid updated",
                ));
            }
        }
        let current: Value = self.json(Method::Get, path, &[], None).await?;
        let mut merged = match current {
            Value::Object(map) => map,
            other => {
                return Err(OutsetaError::Decode {
                    path: path.to_owned(),
                    reason: format!(
                        "expected an object, found {}",
                        crate::error::json_type_name(&other)
                    ),
                })
            }
        };
        for (key, value) in patch {
            merged.insert(key.clone(), value.clone());
        }
        Ok(Value::Object(merged))
    }

    async fn json<R: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<R, OutsetaError> {
        let response = self.call(method, path, query, body).await?;
        decode(&response.body, path)
    }

    /// Sends one request under the policy (GET, PUT and DELETE are retried on 5xx and
    /// network errors; a POST only on 429); any status outside 2xx becomes the matching
    /// `OutsetaError`.
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<Response, OutsetaError> {
        let request = self.request(method, path, query, body);
        let (response, attempts) = self.send(&request, method != Method::Post).await?;
        // A retried DELETE answered 404: an earlier attempt removed it (its answer was
        // lost). Either way the record is gone, which is what was asked.
        if method == Method::Delete && attempts > 1 && response.status == 404 {
            return Ok(Response {
                status: 204,
                headers: Vec::new(),
                body: String::new(),
            });
        }
        check(response, path)
    }

    fn request(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Request {
        let mut url = format!("{}{}", self.config.base_url, path);
        for (i, (key, value)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&percent_encode(key));
            url.push('=');
            url.push_str(&percent_encode(value));
        }
        let mut headers = vec![
            ("Authorization".to_owned(), self.config.authorization()),
            ("Accept".to_owned(), "application/json".to_owned()),
        ];
        if body.is_some() {
            headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        }
        Request {
            method,
            url,
            headers,
            body: body.map(Value::to_string),
        }
    }

    /// The limiter, the attempts and their retries. Boxed so the policy's state machine
    /// is compiled once, not into every operation's future.
    fn send<'a>(
        &'a self,
        request: &'a Request,
        idempotent: bool,
    ) -> LocalBoxFuture<'a, Result<(Response, u32), OutsetaError>> {
        Box::pin(async move {
            let sent = self
                .policy
                .send(&self.transport, &self.clock, RATE_KEY, request, idempotent)
                .await
                // Outseta has no daily budget, so this only happens if one is configured.
                .map_err(|e| OutsetaError::RateLimited {
                    retry_after_seconds: Some(e.reset_in_ms / 1000.0),
                })?;
            Ok((sent.result?, sent.attempts))
        })
    }
}

/// Any status outside 2xx becomes the matching `OutsetaError`.
fn check(response: Response, path: &str) -> Result<Response, OutsetaError> {
    match response.status {
        200..=299 => Ok(response),
        400 | 422 => {
            let (message, errors) = read_error_body(&response.body);
            Err(OutsetaError::Validation { message, errors })
        }
        401 | 403 => Err(OutsetaError::Unauthorized {
            status: response.status,
        }),
        404 => Err(OutsetaError::NotFound {
            path: path.to_owned(),
        }),
        429 => Err(OutsetaError::RateLimited {
            retry_after_seconds: response
                .header("retry-after")
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0),
        }),
        status => Err(OutsetaError::Http {
            status,
            message: read_error_body(&response.body).0,
        }),
    }
}

fn decode<R: DeserializeOwned>(body: &str, path: &str) -> Result<R, OutsetaError> {
    serde_json::from_str(body).map_err(|e| OutsetaError::Decode {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

fn input(path: &str, reason: &str) -> OutsetaError {
    OutsetaError::InputInvalid {
        path: path.to_owned(),
        reason: reason.to_owned(),
    }
}

fn object<'a>(value: &'a Value, name: &str) -> Result<&'a Map<String, Value>, OutsetaError> {
    value.as_object().ok_or_else(|| {
        input(
            name,
            &format!(
                "expected an object, found {}",
                crate::error::json_type_name(value)
            ),
        )
    })
}

/// A uid as one path segment: non-empty, at most 100 characters, percent-encoded.
fn segment(uid: &str, name: &str) -> Result<String, OutsetaError> {
    if uid.trim().is_empty() || uid.len() > 100 {
        return Err(input(
            name,
            "must be a non-empty uid of at most 100 characters",
        ));
    }
    Ok(percent_encode(uid))
}

/// RFC 3986: everything but unreserved characters is %-encoded (a space is `%20`).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
