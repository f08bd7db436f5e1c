//! The sync engine: joins the two API clients, the mapping and merge (the Plan), dedup
//! and the [`Store`] into triggers. Every trigger plans first, then executes the Plan,
//! and returns both: what it meant to do, and what happened.
//!
//! API economy: a side whose record holds nothing new for its pair (our own echo, or a
//! change to fields nobody maps) is dropped before the other side is read, so it costs
//! no call; one write per changed contact (upsert when unlinked, PUT of only the
//! changed fields when linked); the clients share one limiter per API and location.
//! Ordering: work on one pair runs under that pair's lock, so two webhooks for one
//! contact never interleave inside one engine.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context as TaskContext, Poll, Waker};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::{error_json, CodedError};
use crate::ghl::client::{parse_input, GhlClient};
use crate::ghl::types::{ContactUpdate, ContactWrite, NoteWrite, TaskWrite};
use crate::ghl::webhook::WebhookVerifier;
use crate::ghl::GhlError;
use crate::http::{Clock, Transport};
use crate::mapping::{Context, FieldError, MappingError, Spec};
use crate::matching::find::Lookup;
use crate::merge::Policy;
use crate::outseta::types::{activity_type, CustomActivity, EntityType};
use crate::outseta::{Client as OutsetaClient, OutsetaError};
use crate::plan::{Operation, PairPlan, PairState, Planner, System};
use crate::store::{Link, ReviewItem, ReviewKind, State, Store, StoreError};

pub mod context;
pub mod import;
pub mod reconcile;
pub mod reviews;
pub mod timeline;
pub mod triggers;

/// Anything that stops a trigger as a whole. Failures of one pair inside a batch are
/// reported on that pair instead.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Ghl(#[from] GhlError),
    #[error(transparent)]
    Outseta(#[from] OutsetaError),
    #[error(transparent)]
    Mapping(#[from] MappingError),
    #[error(transparent)]
    Dedup(#[from] crate::matching::DedupError),
    #[error(transparent)]
    GhlWebhook(#[from] crate::ghl::webhook::WebhookError),
    #[error(transparent)]
    OutsetaWebhook(#[from] crate::outseta::webhook::WebhookError),
    #[error("invalid {what}: {reason}")]
    InputInvalid { what: &'static str, reason: String },
    #[error("{what} is not configured: {hint}")]
    NotConfigured {
        what: &'static str,
        hint: &'static str,
    },
}

impl CodedError for SyncError {
    fn code(&self) -> &'static str {
        match self {
            SyncError::Store(e) => e.code(),
            SyncError::Ghl(e) => e.code(),
            SyncError::Outseta(e) => e.code(),
            SyncError::Mapping(e) => e.code(),
            SyncError::Dedup(e) => e.code(),
            SyncError::GhlWebhook(e) => e.code(),
            SyncError::OutsetaWebhook(e) => e.code(),
            SyncError::InputInvalid { .. } => "INPUT_INVALID",
            SyncError::NotConfigured { .. } => "NOT_CONFIGURED",
        }
    }

    fn details(&self) -> Value {
        match self {
            SyncError::Store(e) => e.details(),
            SyncError::Ghl(e) => e.details(),
            SyncError::Outseta(e) => e.details(),
            SyncError::Mapping(e) => e.details(),
            SyncError::Dedup(e) => e.details(),
            SyncError::GhlWebhook(e) => e.details(),
            SyncError::OutsetaWebhook(e) => e.details(),
            SyncError::InputInvalid { what, reason } => json!({ "what": what, "reason": reason }),
            SyncError::NotConfigured { what, hint } => json!({ "what": what, "hint": hint }),
        }
    }
}

/// What happens to the other side when a contact is deleted on one side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeletePolicy {
    /// Keep the link and the other record (the default: never delete).
    #[default]
    Ignore,
    /// Forget the link; the other record stays as it is.
    Unlink,
    /// Tag (GHL) or note (Outseta) the other record as deleted, and unlink.
    Tag,
    /// Delete the other record too.
    Delete,
}

/// One onboarding item created in Outseta (as a custom activity on the person's
/// timeline: Outseta has no task API) when a new GHL contact arrives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OnboardingTask {
    pub title: String,
    #[serde(default)]
    pub description: String,
}

/// The engine's behaviour; every key has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct EngineOptions {
    pub delete_policy: DeletePolicy,
    /// The GHL tag (Tag policy) marking a contact whose Outseta person was deleted.
    pub deleted_tag: String,
    /// A new GHL contact with no Outseta person creates one (the mapping's "both" fields).
    pub ghl_creates_people: bool,
    pub onboarding: Vec<OnboardingTask>,
    /// Email lists become GHL tags `{prefix}{list name}`; `null` turns it off.
    pub list_tag_prefix: Option<String>,
    /// Outseta activities of these types become GHL notes when polled
    /// (10 Custom, 50 Note; empty turns it off).
    pub activity_note_types: Vec<i64>,
    /// Pairs written at once in a bulk import (the limiter still paces them).
    pub concurrency: usize,
    /// Link to an existing GHL contact found by duplicate search (email, canonical
    /// email, phone) before creating one.
    pub find_before_create: bool,
    /// Lower-case, strip dots and `+tags` of gmail.com addresses when searching.
    pub gmail_rules: bool,
    /// Create the definitions of custom fields the mapping names but the GHL location
    /// lacks (each appears in the Plan as `CreateCustomField`). Off: such a field is
    /// reported as not written (`CUSTOM_FIELD_UNRESOLVED`).
    pub create_missing_custom_fields: bool,
    /// Custom field definitions (GHL) and person properties (Outseta) are read once
    /// and cached in the store; they are read again after this long.
    pub definitions_max_age_ms: u64,
    /// When the mapping names a custom field the cached definitions lack, they are
    /// read again, at most this often.
    pub definitions_miss_refresh_ms: u64,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            delete_policy: DeletePolicy::Ignore,
            deleted_tag: "deleted-in-outseta".to_owned(),
            ghl_creates_people: true,
            onboarding: Vec::new(),
            list_tag_prefix: Some("list:".to_owned()),
            activity_note_types: vec![activity_type::CUSTOM, activity_type::NOTE],
            concurrency: 4,
            find_before_create: true,
            gmail_rules: true,
            create_missing_custom_fields: false,
            definitions_max_age_ms: 15 * 60_000,
            definitions_miss_refresh_ms: 60_000,
        }
    }
}

/// What one executed operation did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpResult {
    pub op: &'static str,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
}

/// One pair's Plan and its outcome.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PairRun {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outseta_uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ghl_id: Option<String>,
    /// How the pair was found: `linked`, `matched` (duplicate search or dedup), `new`.
    pub found: &'static str,
    pub plan: PairPlan,
    pub results: Vec<OpResult>,
    /// Set when the pair could not be planned or an operation failed; the pair's stored
    /// state is then left as it was, so the next run retries it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    /// Fields a write sent that GHL did not keep, with what GHL holds instead: the
    /// stored base takes that value, so they are not recorded as synced.
    #[serde(skip)]
    not_stored: Vec<(String, Value)>,
    /// Create the GHL contact (never upsert into one matching it).
    #[serde(skip)]
    create_new: bool,
}

/// The result of one trigger: the Plan per pair, what ran, and why nothing ran when
/// nothing did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub trigger: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    pub pairs: Vec<PairRun>,
    pub dry_run: bool,
    /// The delivery carried nothing new (a repeat, what the last sync left, or our own
    /// write coming back): nothing was read or written. A runtime that batches
    /// deliveries for one person (the Worker's Durable Object) uses it to know that an
    /// older delivery in the batch still needs its turn.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unchanged: bool,
}

impl Run {
    pub fn skipped(trigger: &str, reason: impl Into<String>) -> Run {
        Run {
            trigger: trigger.to_owned(),
            skipped: Some(reason.into()),
            ..Run::default()
        }
    }
}

/// A lock per key: work on one pair waits for the work before it.
#[derive(Default)]
struct KeyedLock {
    held: RefCell<HashMap<String, Vec<Waker>>>,
}

struct Acquire {
    lock: Rc<KeyedLock>,
    key: String,
}

impl Future for Acquire {
    type Output = Guard;
    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Guard> {
        let mut held = self.lock.held.borrow_mut();
        match held.get_mut(&self.key) {
            Some(waiters) => {
                waiters.push(cx.waker().clone());
                Poll::Pending
            }
            None => {
                held.insert(self.key.clone(), Vec::new());
                Poll::Ready(Guard {
                    lock: self.lock.clone(),
                    key: self.key.clone(),
                })
            }
        }
    }
}

/// Holds a key until dropped; then every waiter is woken and one of them takes it.
struct Guard {
    lock: Rc<KeyedLock>,
    key: String,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let waiters = self.lock.held.borrow_mut().remove(&self.key);
        for w in waiters.into_iter().flatten() {
            w.wake();
        }
    }
}

/// The sync engine over two API clients and a store.
pub struct Engine<T: Transport, C: Clock, S: Store> {
    pub ghl: GhlClient<T, C>,
    pub outseta: OutsetaClient<T, C>,
    pub state: State<S>,
    pub spec: Spec,
    pub policy: Policy,
    pub ctx: Context,
    pub options: EngineOptions,
    /// Outseta's webhook signing key (hex); without it Outseta webhooks are refused.
    pub outseta_signing_key: Option<String>,
    /// GHL's webhook keys; without them GHL webhooks are refused.
    pub ghl_verifier: Option<RefCell<WebhookVerifier>>,
    clock: C,
    locks: Rc<KeyedLock>,
    /// Emails (lower-cased) of GHL contacts this engine is creating, to the Outseta Uid:
    /// the create's own webhook can arrive before the link is stored, and must wait for
    /// it rather than take the contact for a new one.
    creating: RefCell<HashMap<String, String>>,
    /// The definitions read from both APIs (`context`).
    definitions: context::DefinitionsCell,
}

/// A GHL contact as the mapping reads it.
fn to_json<V: Serialize>(v: &V) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn is_not_found_ghl(e: &GhlError) -> bool {
    matches!(e, GhlError::Status { status: 404, .. })
        || matches!(e, GhlError::Status { status: 400, messages, .. }
            if messages.iter().any(|m| m.to_lowercase().contains("not found")))
}

impl<T: Transport, C: Clock + Clone, S: Store> Engine<T, C, S> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        ghl: GhlClient<T, C>,
        outseta: OutsetaClient<T, C>,
        store: S,
        spec: Spec,
        policy: Policy,
        ctx: Context,
        options: EngineOptions,
        clock: C,
    ) -> Self {
        Engine {
            ghl,
            outseta,
            state: State::new(store),
            spec,
            policy,
            ctx,
            options,
            outseta_signing_key: None,
            ghl_verifier: None,
            clock,
            locks: Rc::new(KeyedLock::default()),
            creating: RefCell::new(HashMap::new()),
            definitions: Default::default(),
        }
    }

    pub fn now_ms(&self) -> f64 {
        self.clock.now_ms()
    }

    /// A planner over `ctx` (from [`Engine::context`]).
    fn planner<'a>(&'a self, ctx: &'a Context) -> Planner<'a> {
        let mut p = Planner::new(&self.spec, &self.policy, ctx);
        self.configure(&mut p);
        p
    }

    /// What the engine's options set on any planner it makes.
    fn configure(&self, p: &mut Planner) {
        p.list_tag_prefix = self.options.list_tag_prefix.clone();
    }

    /// Finds an unlinked GHL contact for an Outseta person by GHL's duplicate search, in
    /// the order `matching::find` gives: the email as given, its canonical form, then
    /// the phone.
    async fn find_ghl_for(&self, person: &Value) -> Result<Option<Value>, SyncError> {
        if !self.options.find_before_create {
            return Ok(None);
        }
        for lookup in crate::matching::find::ghl_lookups(person, self.options.gmail_rules) {
            let found = match &lookup {
                Lookup::Email(e) => self.ghl.find_duplicate(Some(e), None).await?,
                // A phone the client cannot read as E.164 is no evidence.
                Lookup::Phone(p) => self.ghl.find_duplicate(None, Some(p)).await.ok().flatten(),
            };
            if let Some(c) = found {
                if self.unlinked_ghl(&c.id).await? {
                    return Ok(Some(to_json(&c)));
                }
            }
        }
        Ok(None)
    }

    async fn unlinked_ghl(&self, id: &Option<String>) -> Result<bool, SyncError> {
        match id {
            Some(id) => Ok(self.state.link_by_ghl(id).await?.is_none()),
            None => Ok(false),
        }
    }

    /// Runs one pair's Plan. The link and the new state are stored only once every
    /// operation succeeded (a created contact is linked at once, so a retry updates it
    /// instead of creating it again).
    async fn execute(&self, mut run: PairRun, dry_run: bool) -> PairRun {
        if run.plan.error.is_some() {
            run.error = run.plan.error.clone();
            return run;
        }
        if dry_run {
            return run;
        }
        let ops = run.plan.operations.clone();
        let mut review_task = run.plan.state.review_task_id.clone();
        let mut any_review = false;
        for op in &ops {
            let name = op.name();
            let outcome = self
                .execute_op(op, &mut run, &mut review_task, &mut any_review)
                .await;
            match outcome {
                Ok(id) => run.results.push(OpResult {
                    op: name,
                    ok: true,
                    id,
                    error: None,
                }),
                Err(e) => {
                    let err = error_json(&e);
                    run.results.push(OpResult {
                        op: name,
                        ok: false,
                        id: None,
                        error: Some(err.clone()),
                    });
                    run.error = Some(err);
                    return run;
                }
            }
        }
        let unlinked = ops.iter().any(|o| matches!(o, Operation::Unlink { .. }));
        let (Some(uid), Some(gid), false) = (run.outseta_uid.clone(), run.ghl_id.clone(), unlinked)
        else {
            return run;
        };
        let mut state = run.plan.state.clone();
        state.review_task_id = review_task;
        // A field the API did not keep is not synced: the next base holds what GHL
        // holds (the contact it answered with).
        for (field, held) in std::mem::take(&mut run.not_stored) {
            if let Some(base) = state.base.as_mut() {
                base.set(&field, held);
            }
        }
        let link = Link {
            outseta_uid: uid.clone(),
            ghl_id: gid,
            state,
        };
        let stored = async {
            self.state.put_link(&link).await?;
            if !any_review {
                self.state.clear_reviews(&uid).await?;
            }
            Ok::<_, StoreError>(())
        }
        .await;
        if let Err(e) = stored {
            run.error = Some(error_json(&e));
        }
        run
    }

    async fn execute_op(
        &self,
        op: &Operation,
        run: &mut PairRun,
        review_task: &mut Option<String>,
        any_review: &mut bool,
    ) -> Result<Option<String>, SyncError> {
        Ok(match op {
            Operation::CreateContact {
                system: System::Ghl,
                payload,
                ..
            } => return self.create_ghl(payload, run).await,
            Operation::CreateContact {
                system: System::Outseta,
                payload,
                ..
            } => return self.create_outseta(payload, run).await,
            Operation::UpdateContact {
                system: System::Ghl,
                id,
                changes,
                ..
            } => return self.update_ghl(id, changes, run).await,
            Operation::UpdateContact {
                system: System::Outseta,
                id,
                changes,
                ..
            } => {
                self.outseta
                    .update_person(id, &Value::Object(changes.clone()))
                    .await?
                    .uid
            }
            Operation::AddTags { id, tags, .. } => {
                self.ghl.add_tags(id, tags.clone()).await?;
                None
            }
            Operation::RemoveTags { id, tags, .. } => {
                self.ghl.remove_tags(id, tags.clone()).await?;
                None
            }
            Operation::CreateNote {
                system, id, body, ..
            } => return self.note(*system, id, "Note", body).await,
            Operation::CreateTask {
                system,
                id,
                title,
                body,
                ..
            } => match system {
                System::Ghl => {
                    let task_id = self.ghl_task(id, title, body).await?;
                    if task_id.is_some() {
                        review_task.clone_from(&task_id);
                    }
                    task_id
                }
                System::Outseta => return self.note(System::Outseta, id, title, body).await,
            },
            Operation::CompleteTask {
                system: System::Ghl,
                id,
                task_id,
                ..
            } => {
                self.ghl.complete_task(id, task_id, true).await?;
                None
            }
            Operation::CompleteTask { .. } | Operation::LinkRecords { .. } => None,
            Operation::Unlink {
                outseta_uid,
                ghl_id,
                ..
            } => {
                self.state
                    .delete_link(&Link {
                        outseta_uid: outseta_uid.clone(),
                        ghl_id: ghl_id.clone(),
                        state: PairState::default(),
                    })
                    .await?;
                None
            }
            Operation::DeleteContact {
                system: System::Ghl,
                id,
                ..
            } => {
                self.ghl.delete_contact(id).await?;
                None
            }
            Operation::DeleteContact {
                system: System::Outseta,
                id,
                ..
            } => {
                self.outseta.delete_person(id).await?;
                None
            }
            Operation::Review { conflict, reason } => {
                *any_review = true;
                self.state
                    .put_review(&ReviewItem {
                        id: String::new(),
                        kind: ReviewKind::Conflict,
                        outseta_uid: run.outseta_uid.clone().unwrap_or_default(),
                        ghl_id: run.ghl_id.clone().unwrap_or_default(),
                        conflict: Some(conflict.clone()),
                        reason: reason.clone(),
                        candidates: Vec::new(),
                        outseta: Value::Null,
                        ghl: Value::Null,
                        held_at: Some(rfc3339(self.now_ms())),
                    })
                    .await?;
                None
            }
            Operation::CreateCustomField {
                key,
                name,
                data_type,
                ..
            } => return self.ensure_custom_field(key, name, data_type).await,
        })
    }

    async fn create_ghl(
        &self,
        payload: &Map<String, Value>,
        run: &mut PairRun,
    ) -> Result<Option<String>, SyncError> {
        let payload = self.custom_field_ids(payload)?;
        let write: ContactWrite = parse_input("upsertContact", Value::Object(payload.clone()))?;
        let email = payload
            .get("email")
            .and_then(Value::as_str)
            .map(str::to_lowercase);
        if let (Some(e), Some(uid)) = (&email, &run.outseta_uid) {
            self.creating.borrow_mut().insert(e.clone(), uid.clone());
        }
        // Upsert merges into a contact matching the email or phone; a person someone
        // decided is new (a resolved review) is created, and GHL's refusal of a
        // duplicate (its location setting) is the answer then, not a merge.
        let written = if run.create_new {
            self.ghl.create_contact(write).await.map(|c| c.contact)
        } else {
            self.ghl.upsert_contact(write).await.map(|u| u.contact)
        };
        if let Ok(contact) = &written {
            self.check_stored(&payload, contact, run);
        }
        let written = written.inspect_err(|e| self.on_write_refused(e));
        let linked = self.link_created(written, run).await;
        if let Some(e) = &email {
            self.creating.borrow_mut().remove(e);
        }
        linked
    }

    async fn link_created(
        &self,
        written: Result<crate::ghl::types::Contact, GhlError>,
        run: &mut PairRun,
    ) -> Result<Option<String>, SyncError> {
        let id = written?.id.ok_or_else(|| SyncError::InputInvalid {
            what: "upsert response",
            reason: "the contact has no id".into(),
        })?;
        run.ghl_id = Some(id.clone());
        // Linked at once: a failure later in the Plan must not create it twice.
        if let Some(uid) = &run.outseta_uid {
            self.state
                .put_link(&Link {
                    outseta_uid: uid.clone(),
                    ghl_id: id.clone(),
                    state: PairState::default(),
                })
                .await?;
        }
        Ok(Some(id))
    }

    async fn create_outseta(
        &self,
        payload: &Map<String, Value>,
        run: &mut PairRun,
    ) -> Result<Option<String>, SyncError> {
        let person = self
            .outseta
            .create_person(&Value::Object(payload.clone()))
            .await?;
        let uid = person.uid.ok_or_else(|| SyncError::InputInvalid {
            what: "create person response",
            reason: "the person has no Uid".into(),
        })?;
        run.outseta_uid = Some(uid.clone());
        if let Some(gid) = &run.ghl_id {
            self.state
                .put_link(&Link {
                    outseta_uid: uid.clone(),
                    ghl_id: gid.clone(),
                    state: PairState::default(),
                })
                .await?;
        }
        Ok(Some(uid))
    }

    async fn update_ghl(
        &self,
        id: &str,
        changes: &Map<String, Value>,
        run: &mut PairRun,
    ) -> Result<Option<String>, SyncError> {
        let changes = self.custom_field_ids(changes)?;
        let update: ContactUpdate = parse_input("UpdateContact", Value::Object(changes.clone()))?;
        let contact = self
            .ghl
            .update_contact(id, update)
            .await
            .inspect_err(|e| self.on_write_refused(e))?;
        self.check_stored(&changes, &contact, run);
        Ok(contact.id)
    }

    /// A payload with every custom field written by key (its definition created by an
    /// earlier `CreateCustomField` of the Plan) given its id.
    fn custom_field_ids(
        &self,
        payload: &Map<String, Value>,
    ) -> Result<Map<String, Value>, SyncError> {
        let mut out = payload.clone();
        let Some(Value::Array(custom)) = out.get_mut("customFields") else {
            return Ok(out);
        };
        for entry in custom.iter_mut() {
            let Some(obj) = entry.as_object_mut() else {
                continue;
            };
            if obj.contains_key("id") {
                continue;
            }
            let key = obj
                .get("key")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let id = self
                .definition_id(&key)
                .ok_or_else(|| SyncError::InputInvalid {
                    what: "custom field",
                    reason: format!(
                        "the location has no custom field {key:?} and none was created for it"
                    ),
                })?;
            obj.insert("id".to_owned(), Value::String(id));
        }
        Ok(out)
    }

    /// After a write GHL answered with `contact`: a custom field we sent a value for
    /// that the answer does not carry was not kept (an id the location does not know is
    /// ignored, not refused: unconfirmed upstream, so both are handled). It is reported
    /// on the pair, not recorded as synced, and the definitions are read again.
    fn check_stored(
        &self,
        sent: &Map<String, Value>,
        contact: &crate::ghl::types::Contact,
        run: &mut PairRun,
    ) {
        let (Some(Value::Array(custom)), Some(held)) =
            (sent.get("customFields"), &contact.custom_fields)
        else {
            // An answer without customFields says nothing about them.
            return;
        };
        let keys = self.ctx_keys_by_id();
        for entry in custom {
            let (Some(id), Some(value)) = (
                entry.get("id").and_then(Value::as_str),
                entry.get("field_value"),
            ) else {
                continue;
            };
            if crate::model::is_empty(value) {
                continue;
            }
            let kept = held.iter().any(|f| {
                f.id == id && f.value.as_ref().is_some_and(|v| !crate::model::is_empty(v))
            });
            if kept {
                continue;
            }
            let key = keys.get(id).cloned().unwrap_or_else(|| id.to_owned());
            let field = format!("{}{key}", crate::model::CUSTOM_PREFIX);
            run.plan.errors.push(FieldError {
                field: field.clone(),
                code: "CUSTOM_FIELD_NOT_STORED",
                message: format!("GHL answered without custom field {key:?} ({id}): the location may have deleted or renamed it; its definitions are read again"),
                details: json!({ "key": key, "id": id, "value": value }),
            });
            run.not_stored.push((field, Value::Null));
            self.definitions_stale();
        }
    }

    /// A write GHL refused for a custom field (400/422 naming one) means the cached
    /// definitions are out of date: they are read again before the retry.
    fn on_write_refused(&self, e: &GhlError) {
        if let GhlError::Status { messages, .. } = e {
            if messages.iter().any(|m| m.to_lowercase().contains("custom")) {
                self.definitions_stale();
            }
        }
    }

    async fn ghl_task(
        &self,
        id: &str,
        title: &str,
        body: &str,
    ) -> Result<Option<String>, SyncError> {
        let due = rfc3339(self.now_ms() + 86_400_000.0);
        let task = self
            .ghl
            .create_task(
                id,
                TaskWrite {
                    title: Some(title.to_owned()),
                    body: Some(body.to_owned()),
                    due_date: Some(due),
                    completed: Some(false),
                    assigned_to: None,
                },
            )
            .await?;
        self.remember_own(task.id.as_deref()).await?;
        Ok(task.id)
    }

    /// Remembers a note or task we created in GHL, so its webhook is not mirrored back.
    async fn remember_own(&self, id: Option<&str>) -> Result<(), SyncError> {
        if let Some(id) = id {
            self.state.store.put(&format!("own/{id}"), "1").await?;
        }
        Ok(())
    }

    /// A note: a GHL note, or in Outseta a custom activity on the person's timeline.
    async fn note(
        &self,
        system: System,
        id: &str,
        title: &str,
        body: &str,
    ) -> Result<Option<String>, SyncError> {
        match system {
            System::Ghl => {
                let note = self
                    .ghl
                    .create_note(
                        id,
                        NoteWrite {
                            body: Some(body.to_owned()),
                            ..NoteWrite::default()
                        },
                    )
                    .await?;
                self.remember_own(note.id.as_deref()).await?;
                Ok(note.id)
            }
            System::Outseta => {
                let activity = self
                    .outseta
                    .create_custom_activity(&CustomActivity {
                        title: title.to_owned(),
                        description: body.to_owned(),
                        activity_data: Some(json!({ "source": "outseta-ghl-sync" }).to_string()),
                        entity_type: EntityType::PERSON,
                        entity_uid: id.to_owned(),
                    })
                    .await?;
                Ok(activity.uid)
            }
        }
    }

    /// The Outseta Uid of a GHL contact this engine is creating right now, by its email.
    fn being_created(&self, email: Option<&str>) -> Option<String> {
        email.and_then(|e| self.creating.borrow().get(&e.to_lowercase()).cloned())
    }

    async fn lock(&self, key: String) -> Guard {
        Acquire {
            lock: self.locks.clone(),
            key,
        }
        .await
    }
}

pub use crate::model::date::rfc3339;
