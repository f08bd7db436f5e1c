//! The real-time triggers: Outseta webhooks and polling, GHL webhooks, and deletes.
//!
//! A delivery is verified before anything else is read, then claimed by its idempotency
//! key in the Store (a repeat is answered with no work); a failed run releases the claim
//! so the sender's retry is processed again.

use serde_json::{json, Value};

use super::{error_json, is_not_found_ghl, to_json, DeletePolicy, Engine, PairRun, Run, SyncError};
use crate::ghl::webhook::{ContactEvent, WebhookEvent as GhlEvent};
use crate::http::{Clock, Transport};
use crate::outseta::client::ListQuery;
use crate::outseta::webhook::{self as outseta_webhook, EntityKind, WebhookRecord};
use crate::outseta::OutsetaError;
use crate::plan::{Operation, PairPlan, System};
use crate::store::{Link, Store};

/// Our own GHL notes and tasks are remembered under this prefix when we create them,
/// so their webhooks are recognised and not mirrored back.
const OWN: &str = "own/";

/// How the notes and tasks we write to GHL begin: the webhook of one can arrive before
/// its id is remembered, so the text is checked too.
const OWN_TEXT: [&str; 3] = [
    "From Outseta: ",
    "Outseta sync held ",
    "Review Outseta sync conflict",
];

/// Marks activities we write to Outseta, so polling never sends them back to GHL.
const MARKER: &str = "outseta-ghl-sync";

fn unchanged_run(
    trigger: &str,
    outseta_uid: Option<String>,
    ghl_id: Option<String>,
    link: &Link,
) -> Run {
    let mut run = Run::skipped(
        trigger,
        "nothing new for this pair: the record holds what the last sync left (or our own write coming back)",
    );
    run.unchanged = true;
    run.pairs.push(PairRun {
        outseta_uid,
        ghl_id,
        found: "linked",
        plan: PairPlan {
            state: link.state.clone(),
            ..PairPlan::default()
        },
        ..PairRun::default()
    });
    run
}

/// How far the engine may trust a person record it is handed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// Just read from Outseta with what the mapping needs (polling, import, an
    /// account's people).
    Current,
    /// A webhook body or a caller's record: read again unless it plainly holds nothing
    /// new for the pair.
    Body,
    /// A body that may not carry what changed: always read again.
    Always,
}

/// Whether a trigger failed as a whole or for any pair: its delivery may be retried.
fn failed(result: &Result<Run, SyncError>) -> bool {
    match result {
        Err(_) => true,
        Ok(run) => run.pairs.iter().any(|p| p.error.is_some()),
    }
}

/// A pair whose linked record is gone on one side: reported, nothing planned.
fn stale_link(outseta_uid: String, ghl_id: String, message: String) -> PairRun {
    PairRun {
        outseta_uid: Some(outseta_uid),
        ghl_id: Some(ghl_id),
        found: "linked",
        error: Some(json!({ "code": "LINK_STALE", "message": message })),
        ..PairRun::default()
    }
}

impl<T: Transport, C: Clock + Clone, S: Store> Engine<T, C, S> {
    // ---- Outseta --------------------------------------------------------------

    /// `POST /webhooks/outseta/:event`: the event name from the route, the raw body and
    /// the `x-hub-signature-256` header.
    pub async fn handle_outseta_webhook(
        &self,
        event: &str,
        body: &[u8],
        signature: Option<&str>,
    ) -> Result<Run, SyncError> {
        let key = self
            .outseta_signing_key
            .as_deref()
            .ok_or(SyncError::NotConfigured {
                what: "the Outseta webhook signing key",
                hint: "set outseta.signingKey (the key shown in Outseta's webhook settings)",
            })?;
        let delivery = outseta_webhook::handle(event, body, signature, key)?;
        let trigger = format!("outseta:{}", delivery.event);
        if !self
            .state
            .claim(&delivery.idempotency_key, self.now_ms())
            .await?
        {
            return Ok(Run {
                unchanged: true,
                ..Run::skipped(&trigger, "a repeated delivery: already processed")
            });
        }
        let result = match (&delivery.record, delivery.entity) {
            (_, EntityKind::Person) if delivery.event == "PersonDeleted" => {
                self.outseta_deleted(&delivery.uid, &trigger).await
            }
            (WebhookRecord::Person(person), _) => {
                // A list or segment event is about what a body may not carry (its
                // EmailList references are not expanded): always read the person.
                let read = match delivery.activity_type {
                    204..=207 | 215 | 216 => Read::Always,
                    _ => Read::Body,
                };
                self.sync_outseta_person(to_json(person), &trigger, read)
                    .await
            }
            (WebhookRecord::Account(account), _) => {
                self.sync_account_people(account, &trigger).await
            }
        };
        self.settle(&delivery.idempotency_key, result).await
    }

    /// An account event (a stage change moves the lifecycle tags) re-syncs the
    /// account's people, each read afresh with its account. The body names them in
    /// `PersonAccount[].Person` when Outseta expanded it; otherwise the account is read
    /// with its people. One person's failure is that pair's error; the rest still run.
    async fn sync_account_people(
        &self,
        account: &crate::outseta::types::Account,
        trigger: &str,
    ) -> Result<Run, SyncError> {
        let uids = |a: &crate::outseta::types::Account| -> Vec<String> {
            a.person_account
                .iter()
                .flatten()
                .filter_map(|pa| pa.person.as_ref().and_then(|p| p.uid.clone()))
                .collect()
        };
        let mut people = uids(account);
        if people.is_empty() {
            if let Some(uid) = account.uid.as_deref() {
                match self
                    .outseta
                    .get_account_with(uid, Some(super::context::EXPANDED_FIELDS))
                    .await
                {
                    Ok(a) => people = uids(&a),
                    Err(OutsetaError::NotFound { .. }) => {
                        return Ok(Run::skipped(
                            trigger,
                            "the account no longer exists in Outseta",
                        ))
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        let mut run = Run {
            trigger: trigger.to_owned(),
            ..Run::default()
        };
        if people.is_empty() {
            run.skipped = Some("the account has no people".to_owned());
        }
        for uid in people {
            let one = match self.read_person(&uid).await {
                Ok(person) => {
                    self.sync_outseta_person(person, trigger, Read::Current)
                        .await
                }
                Err(OutsetaError::NotFound { .. }) => continue,
                Err(e) => Err(e.into()),
            };
            match one {
                Ok(one) => run.pairs.extend(one.pairs),
                Err(e) => run.pairs.push(PairRun {
                    outseta_uid: Some(uid),
                    error: Some(error_json(&e)),
                    ..PairRun::default()
                }),
            }
        }
        Ok(run)
    }

    /// Releases the claim of a delivery whose work failed, so its retry runs.
    async fn settle(&self, key: &str, result: Result<Run, SyncError>) -> Result<Run, SyncError> {
        if failed(&result) {
            self.state.release(key).await?;
        }
        result
    }

    /// Syncs one Outseta person to GHL. A record that came in a webhook body (or from a
    /// caller) may be stale, deliveries arriving out of order, and may lack what the
    /// mapping reads (its account): unless it plainly holds nothing new, the current
    /// record is read before planning (`read`).
    pub async fn sync_outseta_person(
        &self,
        person: Value,
        trigger: &str,
        read: Read,
    ) -> Result<Run, SyncError> {
        let uid = person
            .get("Uid")
            .and_then(Value::as_str)
            .filter(|u| !u.is_empty())
            .ok_or_else(|| SyncError::InputInvalid {
                what: "Outseta person",
                reason: "the person has no Uid".into(),
            })?
            .to_owned();
        let _guard = self.lock(format!("o:{uid}")).await;
        let ctx = self.context().await?;
        let planner = self.planner(&ctx);
        let link = self.state.link_by_outseta(&uid).await?;
        if let (Some(l), false) = (&link, read == Read::Always) {
            if planner.unchanged(System::Outseta, &person, &l.state) {
                return Ok(unchanged_run(trigger, Some(uid), Some(l.ghl_id.clone()), l));
            }
        } else if link.is_none() {
            if let Some(held) = self.held_duplicate(&uid).await? {
                return Ok(Run::skipped(
                    trigger,
                    format!(
                        "held for review as a possible duplicate ({}): resolve review {} to link or create it",
                        held.reason, held.id
                    ),
                ));
            }
        }
        let person = if read != Read::Current {
            match self.read_person(&uid).await {
                Ok(p) => p,
                Err(OutsetaError::NotFound { .. }) => {
                    return Ok(Run::skipped(
                        trigger,
                        "the person no longer exists in Outseta",
                    ))
                }
                Err(e) => return Err(e.into()),
            }
        } else {
            person
        };
        let mut run = Run {
            trigger: trigger.to_owned(),
            ..Run::default()
        };
        let (ghl, state, found, ghl_id) = match link {
            Some(l) => match self.ghl.get_contact(&l.ghl_id).await {
                Ok(c) => (to_json(&c), l.state, "linked", Some(l.ghl_id)),
                Err(e) if is_not_found_ghl(&e) => {
                    let message = format!("the linked GHL contact {} no longer exists; reconcile reports it and the delete policy decides", l.ghl_id);
                    run.pairs.push(stale_link(uid, l.ghl_id, message));
                    return Ok(run);
                }
                Err(e) => return Err(e.into()),
            },
            None => match self.find_ghl_for(&person).await? {
                Some(c) => {
                    let id = c.get("id").and_then(Value::as_str).map(str::to_owned);
                    (c, Default::default(), "matched", id)
                }
                None => (Value::Null, Default::default(), "new", None),
            },
        };
        let plan = planner.plan_pair(&person, &ghl, state);
        let pair = PairRun {
            outseta_uid: Some(uid),
            ghl_id,
            found,
            plan,
            ..PairRun::default()
        };
        run.pairs.push(self.execute(pair, false).await);
        Ok(run)
    }

    async fn outseta_deleted(&self, uid: &str, trigger: &str) -> Result<Run, SyncError> {
        let _guard = self.lock(format!("o:{uid}")).await;
        let Some(link) = self.state.link_by_outseta(uid).await? else {
            return Ok(Run::skipped(trigger, "the deleted person was not linked"));
        };
        // The event name comes from the URL, which the signature does not cover: a signed
        // PersonUpdated body re-sent to the PersonDeleted route would pass every check.
        // So the delete is only acted on once Outseta confirms the person is gone.
        match self.outseta.get_person(uid).await {
            Err(OutsetaError::NotFound { .. }) => {}
            Ok(_) => {
                return Ok(Run::skipped(
                    trigger,
                    "the person still exists in Outseta: a delete event for a live person is ignored (a replayed or misrouted delivery)",
                ))
            }
            Err(e) => return Err(e.into()),
        }
        self.apply_delete(link, System::Outseta, trigger).await
    }

    /// The delete policy, as a Plan: `ignore` plans nothing; `unlink` forgets the link;
    /// `tag` marks the surviving record (a GHL tag, an Outseta timeline note) and
    /// unlinks; `delete` deletes it and unlinks.
    async fn apply_delete(
        &self,
        link: Link,
        deleted_in: System,
        trigger: &str,
    ) -> Result<Run, SyncError> {
        let policy = self.options.delete_policy;
        if policy == DeletePolicy::Ignore {
            return Ok(Run::skipped(
                trigger,
                "the delete policy is `ignore`: the other record and the link are kept",
            ));
        }
        let (other, other_id, side) = match deleted_in {
            System::Outseta => (System::Ghl, link.ghl_id.clone(), "Outseta"),
            System::Ghl => (System::Outseta, link.outseta_uid.clone(), "GHL"),
        };
        let mut operations = Vec::new();
        match (policy, other) {
            (DeletePolicy::Tag, System::Ghl) => operations.push(Operation::AddTags {
                id: other_id.clone(),
                tags: vec![self.options.deleted_tag.clone()],
                reason: format!("deleted in {side}; the delete policy tags the survivor"),
            }),
            (DeletePolicy::Tag, System::Outseta) => operations.push(Operation::CreateNote {
                system: System::Outseta,
                id: other_id.clone(),
                body: format!("The linked HighLevel contact {} was deleted.", link.ghl_id),
                reason: format!("deleted in {side}; the delete policy notes it on the survivor"),
            }),
            (DeletePolicy::Delete, _) => operations.push(Operation::DeleteContact {
                system: other,
                id: other_id.clone(),
                reason: format!("deleted in {side}; the delete policy deletes the other record"),
            }),
            _ => {}
        }
        operations.push(Operation::Unlink {
            outseta_uid: link.outseta_uid.clone(),
            ghl_id: link.ghl_id.clone(),
            reason: format!("deleted in {side}"),
        });
        let pair = PairRun {
            outseta_uid: Some(link.outseta_uid),
            ghl_id: Some(link.ghl_id),
            found: "linked",
            plan: PairPlan {
                operations,
                ..PairPlan::default()
            },
            ..PairRun::default()
        };
        Ok(Run {
            trigger: trigger.to_owned(),
            pairs: vec![self.execute(pair, false).await],
            ..Run::default()
        })
    }

    /// The polling fallback: every person updated since the stored cursor
    /// (`Updated__gte`), then new activities as GHL notes. The first poll only sets the
    /// cursors (a bulk import is how existing people are brought over).
    ///
    /// Later cursors are Outseta's own `Updated` stamps, but the first one can only come
    /// from our clock. It starts the policy's clock-skew allowance back: with Outseta's
    /// clock behind ours, a cursor at our "now" would sit ahead of the stamps of the next
    /// edits and the next poll would miss them (found by the fault matrix, issue 10).
    /// The cost is one unchanged re-read of people updated in that window.
    pub async fn poll(&self) -> Result<Run, SyncError> {
        let trigger = "outseta:poll";
        let now = super::rfc3339(self.now_ms() - self.policy.clock_skew_ms.max(0) as f64);
        let mut run = Run {
            trigger: trigger.to_owned(),
            ..Run::default()
        };
        let Some(since) = self.state.cursor("outseta-people").await? else {
            self.state.set_cursor("outseta-people", &now).await?;
            self.state.set_cursor("outseta-activities", &now).await?;
            run.skipped = Some(format!(
                "first poll: cursors set to {now} (now less the clock-skew allowance); later polls sync what changes after it"
            ));
            return Ok(run);
        };
        let mut query = self.people_query(ListQuery {
            limit: Some(100),
            order_by: Some("Updated ASC".into()),
            ..ListQuery::default()
        });
        query.filters.insert("Updated__gte".into(), json!(since));
        let people = self.outseta.list_all_people(&query).await?;
        let mut newest = since.clone();
        for person in people {
            if let Some(u) = &person.updated {
                if u.as_str() > newest.as_str() {
                    newest = u.as_str().to_owned();
                }
            }
            let mut person = to_json(&person);
            super::context::fill_account(&mut person);
            let one = self
                .sync_outseta_person(person, trigger, Read::Current)
                .await?;
            run.pairs.extend(one.pairs);
        }
        // Only move past what every pair synced: a failed pair is polled again.
        if run.pairs.iter().all(|p| p.error.is_none()) {
            self.state.set_cursor("outseta-people", &newest).await?;
        }
        run.pairs.extend(self.poll_activities().await?);
        Ok(run)
    }

    /// New Outseta activities of the configured types on linked people -> GHL notes.
    async fn poll_activities(&self) -> Result<Vec<PairRun>, SyncError> {
        if self.options.activity_note_types.is_empty() {
            return Ok(Vec::new());
        }
        let since = self
            .state
            .cursor("outseta-activities")
            .await?
            .unwrap_or_else(|| super::rfc3339(self.now_ms()));
        let mut query = ListQuery {
            limit: Some(100),
            order_by: Some("Created ASC".into()),
            ..ListQuery::default()
        };
        query.filters.insert("Created__gte".into(), json!(since));
        query.filters.insert("EntityType".into(), json!(2));
        let mut newest = since.clone();
        let mut out = Vec::new();
        let mut offset = 0;
        loop {
            query.offset = offset;
            let page = self.outseta.list_activities(&query).await?;
            for a in &page.items {
                if let Some(c) = &a.created {
                    if c.as_str() > newest.as_str() {
                        newest = c.as_str().to_owned();
                    }
                }
                let wanted = a
                    .activity_type
                    .is_some_and(|t| self.options.activity_note_types.contains(&t));
                let ours = a
                    .activity_data
                    .as_ref()
                    .is_some_and(|d| d.to_string().contains(MARKER));
                let (Some(uid), Some(aid), true, false) = (&a.entity_uid, &a.uid, wanted, ours)
                else {
                    continue;
                };
                if !self
                    .state
                    .claim(&format!("outseta-activity/{aid}"), self.now_ms())
                    .await?
                {
                    continue;
                }
                let Some(link) = self.state.link_by_outseta(uid).await? else {
                    continue;
                };
                let title = a.title.clone().unwrap_or_default();
                let body = match a.description.as_deref().filter(|d| !d.is_empty()) {
                    Some(d) => format!("{title}\n{d}"),
                    None => title,
                };
                let pair = PairRun {
                    outseta_uid: Some(link.outseta_uid.clone()),
                    ghl_id: Some(link.ghl_id.clone()),
                    found: "linked",
                    plan: PairPlan {
                        operations: vec![Operation::CreateNote {
                            system: System::Ghl,
                            id: link.ghl_id.clone(),
                            body: format!("From Outseta: {body}"),
                            reason: format!("new Outseta activity {aid}"),
                        }],
                        state: link.state.clone(),
                        ..PairPlan::default()
                    },
                    ..PairRun::default()
                };
                out.push(self.execute(pair, false).await);
            }
            if page.is_last() {
                break;
            }
            offset += 1;
        }
        self.state.set_cursor("outseta-activities", &newest).await?;
        Ok(out)
    }

    // ---- GHL ------------------------------------------------------------------

    /// `POST /webhooks/ghl`: the raw body and the `x-ghl-signature` / `x-wh-signature`
    /// headers. The signature and the timestamp are checked before the body is used.
    /// `received_ms`: when the delivery reached the caller's front door, if it waited in
    /// a queue since (the timestamp window is HighLevel's delay to the front door, not the
    /// queue's); now when `None`.
    pub async fn handle_ghl_webhook(
        &self,
        body: &[u8],
        ghl_signature: Option<&str>,
        wh_signature: Option<&str>,
        received_ms: Option<f64>,
    ) -> Result<Run, SyncError> {
        let verifier = self.ghl_verifier.as_ref().ok_or(SyncError::NotConfigured {
            what: "GHL webhook verification",
            hint: "set ghl.webhookKeys (or use the published keys)",
        })?;
        let now = self.now_ms();
        let received = received_ms.filter(|ms| ms.is_finite()).unwrap_or(now);
        let verified = verifier
            .borrow_mut()
            .verify(body, ghl_signature, wh_signature, received)?;
        let id = verified.envelope.webhook_id.clone().unwrap_or_default();
        let key = format!("ghl:{id}");
        if !self.state.claim(&key, now).await? {
            return Ok(Run {
                unchanged: true,
                ..Run::skipped("ghl", "a repeated delivery: already processed")
            });
        }
        let result = self.dispatch_ghl(verified.event).await;
        let result = self.settle(&key, result).await;
        if failed(&result) {
            // HighLevel retries a failed delivery with the same webhookId.
            verifier.borrow_mut().forget(&id);
        }
        result
    }

    async fn dispatch_ghl(&self, event: GhlEvent) -> Result<Run, SyncError> {
        match event {
            GhlEvent::ContactCreate(c) => self.sync_ghl_contact(c, "ghl:ContactCreate", true).await,
            GhlEvent::ContactUpdate(c) => {
                self.sync_ghl_contact(c, "ghl:ContactUpdate", false).await
            }
            GhlEvent::ContactTagUpdate(c) => {
                self.sync_ghl_contact(c, "ghl:ContactTagUpdate", false)
                    .await
            }
            GhlEvent::ContactDndUpdate(c) => {
                self.sync_ghl_contact(c, "ghl:ContactDndUpdate", false)
                    .await
            }
            GhlEvent::ContactDelete(c) => {
                let trigger = "ghl:ContactDelete";
                match self.state.link_by_ghl(&c.id).await? {
                    None => Ok(Run::skipped(trigger, "the deleted contact was not linked")),
                    Some(link) => {
                        let _guard = self.lock(format!("o:{}", link.outseta_uid)).await;
                        self.apply_delete(link, System::Ghl, trigger).await
                    }
                }
            }
            GhlEvent::NoteCreate(n) => {
                let body = n.body.unwrap_or_default();
                self.mirror_to_outseta(
                    "ghl:NoteCreate",
                    &n.id,
                    n.contact_id,
                    "Note from HighLevel",
                    body,
                )
                .await
            }
            GhlEvent::TaskCreate(t) => {
                let title = format!("Task in HighLevel: {}", t.title.unwrap_or_default());
                self.mirror_to_outseta(
                    "ghl:TaskCreate",
                    &t.id,
                    t.contact_id,
                    &title,
                    t.body.unwrap_or_default(),
                )
                .await
            }
            GhlEvent::TaskComplete(t) => {
                let title = format!(
                    "Task completed in HighLevel: {}",
                    t.title.unwrap_or_default()
                );
                let key = format!("{}:done", t.id);
                self.mirror_to_outseta(
                    "ghl:TaskComplete",
                    &key,
                    t.contact_id,
                    &title,
                    t.body.unwrap_or_default(),
                )
                .await
            }
            other => Ok(Run::skipped(
                "ghl",
                format!(
                    "{} is not mirrored",
                    to_json(&other)
                        .get("type")
                        .and_then(Value::as_str)
                        .unwrap_or("this event")
                ),
            )),
        }
    }

    /// A GHL note or task on a linked contact -> a custom activity on the Outseta
    /// person's timeline (Outseta has no note or task API). Our own notes are skipped.
    async fn mirror_to_outseta(
        &self,
        trigger: &str,
        id: &str,
        contact_id: Option<String>,
        title: &str,
        body: String,
    ) -> Result<Run, SyncError> {
        let own_text = OWN_TEXT
            .iter()
            .any(|t| body.starts_with(t) || title.contains(t.trim()));
        if own_text || self.state.store.get(&format!("{OWN}{id}")).await?.is_some() {
            return Ok(Run::skipped(trigger, "our own note or task coming back"));
        }
        let Some(contact_id) = contact_id else {
            return Ok(Run::skipped(
                trigger,
                "the event names no contact (HighLevel's TaskCreate omits contactId, GHL#332)",
            ));
        };
        let Some(link) = self.state.link_by_ghl(&contact_id).await? else {
            return Ok(Run::skipped(
                trigger,
                "the contact is not linked to an Outseta person",
            ));
        };
        let pair = PairRun {
            outseta_uid: Some(link.outseta_uid.clone()),
            ghl_id: Some(link.ghl_id.clone()),
            found: "linked",
            plan: PairPlan {
                operations: vec![Operation::CreateTask {
                    system: System::Outseta,
                    id: link.outseta_uid.clone(),
                    title: title.to_owned(),
                    body,
                    reason: format!("{trigger} {id} on a linked contact"),
                }],
                state: link.state.clone(),
                ..PairPlan::default()
            },
            ..PairRun::default()
        };
        Ok(Run {
            trigger: trigger.to_owned(),
            pairs: vec![self.execute(pair, false).await],
            ..Run::default()
        })
    }

    /// Syncs one GHL contact to Outseta (where the mapping says "both"). A new contact
    /// with no Outseta person creates one, plus the configured onboarding items.
    pub async fn sync_ghl_contact(
        &self,
        event: ContactEvent,
        trigger: &str,
        created: bool,
    ) -> Result<Run, SyncError> {
        let gid = event.id.clone();
        let link = self.state.link_by_ghl(&gid).await?;
        let lock_key = match (&link, self.being_created(event.email.as_deref())) {
            (Some(l), _) => format!("o:{}", l.outseta_uid),
            (None, Some(uid)) => format!("o:{uid}"),
            (None, None) => format!("g:{gid}"),
        };
        let _guard = self.lock(lock_key).await;
        // Read again under the lock: the work we waited for may have linked the pair.
        let link = self.state.link_by_ghl(&gid).await?;
        let ctx = self.context().await?;
        let planner = self.planner(&ctx);
        if let Some(l) = &link {
            if planner.unchanged(System::Ghl, &to_json(&event), &l.state) {
                return Ok(unchanged_run(
                    trigger,
                    Some(l.outseta_uid.clone()),
                    Some(gid),
                    l,
                ));
            }
        }
        let contact = match self.ghl.get_contact(&gid).await {
            Ok(c) => to_json(&c),
            Err(e) if is_not_found_ghl(&e) => {
                return Ok(Run::skipped(trigger, "the contact no longer exists in GHL"))
            }
            Err(e) => return Err(e.into()),
        };
        let mut run = Run {
            trigger: trigger.to_owned(),
            ..Run::default()
        };
        let (person, state, found, uid) =
            match link {
                Some(l) => match self.read_person(&l.outseta_uid).await {
                    Ok(p) => (p, l.state, "linked", Some(l.outseta_uid)),
                    Err(OutsetaError::NotFound { .. }) => {
                        let message = format!(
                            "the linked Outseta person {} no longer exists",
                            l.outseta_uid
                        );
                        run.pairs.push(stale_link(l.outseta_uid, gid, message));
                        return Ok(run);
                    }
                    Err(e) => return Err(e.into()),
                },
                None => {
                    let email = contact.get("email").and_then(Value::as_str).unwrap_or("");
                    let existing = if email.trim().is_empty() {
                        None
                    } else {
                        self.outseta.find_person_by_email(email).await?
                    };
                    let linked = match &existing {
                        Some(p) => {
                            self.state
                                .link_by_outseta(p.uid.as_deref().unwrap_or(""))
                                .await?
                        }
                        None => None,
                    };
                    match (existing, linked) {
                        (Some(p), None) => {
                            let uid = p.uid.clone().unwrap_or_default();
                            // Read again with what the mapping reads (the account).
                            let person = self.read_person(&uid).await?;
                            (person, Default::default(), "matched", Some(uid))
                        }
                        // This very pair, missing its reverse entry (a link written
                        // before both halves went in one batch, cut short): healed, and
                        // the edit synced as the pair's, not skipped.
                        (Some(_), Some(l)) if l.ghl_id == gid => {
                            self.state.put_link(&l).await?;
                            let person = self.read_person(&l.outseta_uid).await?;
                            (person, l.state, "linked", Some(l.outseta_uid))
                        }
                        (Some(_), Some(_)) => return Ok(Run::skipped(
                            trigger,
                            "an Outseta person with this email is linked to another GHL contact",
                        )),
                        (None, _) if !self.options.ghl_creates_people => {
                            return Ok(Run::skipped(trigger, "ghlCreatesPeople is off"))
                        }
                        (None, _) => (Value::Null, Default::default(), "new", None),
                    }
                }
            };
        let plan = planner.plan_pair(&person, &contact, state);
        let pair = PairRun {
            outseta_uid: uid,
            ghl_id: Some(gid),
            found,
            plan,
            ..PairRun::default()
        };
        let mut pair = self.execute(pair, false).await;
        if created && found == "new" && pair.error.is_none() {
            if let Some(uid) = pair.outseta_uid.clone() {
                for task in &self.options.onboarding {
                    let out = self
                        .note(System::Outseta, &uid, &task.title, &task.description)
                        .await;
                    pair.results.push(super::OpResult {
                        op: "CreateTask",
                        ok: out.is_ok(),
                        id: out.as_ref().ok().cloned().flatten(),
                        error: out.as_ref().err().map(|e| error_json(e)),
                    });
                    if let Err(e) = out {
                        pair.error = Some(error_json(&e));
                        break;
                    }
                }
            }
        }
        run.pairs.push(pair);
        Ok(run)
    }
}
