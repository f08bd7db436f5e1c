//! The review queue: what a sync would not decide alone waits here, with both records,
//! the reason and the candidates, until someone resolves it. Two kinds:
//! - `duplicate`: an unlinked Outseta person that looks like an existing contact (or
//!   like another person of the same import). Nothing creates a GHL contact for it
//!   (import, repair, webhooks, polling) until it is resolved with `link` (to a GHL
//!   contact) or `create` (a contact of its own).
//! - `conflict`: a field of a linked pair both sides changed differently, which the
//!   policy holds for review. Resolved with `keep` (one side for every held field of
//!   the pair) or `fields` (a side per field).
//!
//! Ids are the store key without its prefix: `{outsetaUid}/duplicate` and
//! `{outsetaUid}/{field}`; a pair's id (`{outsetaUid}`) names all of its items.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::{to_json, Engine, PairRun, Run, SyncError};
use crate::http::{Clock, Transport};
use crate::merge::{FieldPolicy, Strategy};
use crate::outseta::OutsetaError;
use crate::plan::Planner;
use crate::store::{ReviewItem, ReviewKind, Store, DUPLICATE_SLOT};

/// How to resolve a review: `{ link: ghlId } | { create: true } | { keep: "outseta" |
/// "ghl" } | { fields: { <field>: "outseta" | "ghl" } }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Resolution {
    Link(String),
    Create(bool),
    Keep(Side),
    Fields(BTreeMap<String, Side>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Side {
    Outseta,
    Ghl,
}

fn invalid(reason: impl Into<String>) -> SyncError {
    SyncError::InputInvalid {
        what: "review resolution",
        reason: reason.into(),
    }
}

impl<T: Transport, C: Clock + Clone, S: Store> Engine<T, C, S> {
    /// Every pending review, oldest pair first (by Outseta Uid, then field).
    pub async fn reviews(&self) -> Result<Vec<ReviewItem>, SyncError> {
        Ok(self.state.reviews().await?)
    }

    /// The person's pending duplicate review, if any: such a person is not created.
    pub(crate) async fn held_duplicate(&self, uid: &str) -> Result<Option<ReviewItem>, SyncError> {
        Ok(self
            .state
            .review(&format!("{uid}/{DUPLICATE_SLOT}"))
            .await?)
    }

    /// Resolves the review `id` (an item's id, or a pair's Outseta Uid for all of its
    /// items) and runs the sync it decides. The items are dropped once it succeeded.
    pub async fn resolve_review(&self, id: &str, resolution: Resolution) -> Result<Run, SyncError> {
        let items: Vec<ReviewItem> = match self.state.review(id).await? {
            Some(item) => vec![item],
            None => self.state.reviews_of(id).await?.into_iter().collect(),
        };
        let Some(first) = items.first() else {
            return Err(invalid(format!(
                "no pending review {id:?} (see `reviews list`)"
            )));
        };
        let uid = first.outseta_uid.clone();
        let trigger = format!("review:{id}");
        let duplicates: Vec<&ReviewItem> = items
            .iter()
            .filter(|i| i.kind == ReviewKind::Duplicate)
            .collect();
        let conflicts: Vec<&ReviewItem> = items
            .iter()
            .filter(|i| i.kind == ReviewKind::Conflict)
            .collect();
        let _guard = self.lock(format!("o:{uid}")).await;
        let run = match resolution {
            Resolution::Link(gid) => {
                if duplicates.is_empty() {
                    return Err(invalid("link and create resolve a duplicate review; a held field is resolved with keep or fields"));
                }
                self.resolve_link(&uid, &gid, &trigger).await?
            }
            Resolution::Create(true) => {
                if duplicates.is_empty() {
                    return Err(invalid("link and create resolve a duplicate review; a held field is resolved with keep or fields"));
                }
                self.resolve_create(&uid, &trigger).await?
            }
            Resolution::Create(false) => return Err(invalid("create must be true")),
            Resolution::Keep(side) => {
                let fields = conflicts
                    .iter()
                    .filter_map(|c| c.conflict.as_ref().map(|c| (c.field.clone(), side)))
                    .collect::<BTreeMap<_, _>>();
                if fields.is_empty() {
                    return Err(invalid("keep and fields resolve a held field; a duplicate review is resolved with link or create"));
                }
                self.resolve_fields(&uid, fields, &trigger).await?
            }
            Resolution::Fields(fields) => {
                let held: Vec<&str> = conflicts
                    .iter()
                    .filter_map(|c| c.conflict.as_ref().map(|c| c.field.as_str()))
                    .collect();
                if let Some(f) = fields.keys().find(|f| !held.contains(&f.as_str())) {
                    return Err(invalid(format!(
                        "{f} is not held for review in {id:?} (held: {})",
                        held.join(", ")
                    )));
                }
                if fields.is_empty() {
                    return Err(invalid("fields names no field"));
                }
                self.resolve_fields(&uid, fields, &trigger).await?
            }
        };
        if run.pairs.iter().all(|p| p.error.is_none()) {
            for item in &items {
                let resolved = match item.kind {
                    ReviewKind::Duplicate => true,
                    // A field the run held again (another field's choice did not
                    // settle it) stays in the queue: the executor wrote it back.
                    ReviewKind::Conflict => !run.pairs.iter().any(|p| {
                        p.plan.operations.iter().any(|o| {
                            matches!(o, crate::plan::Operation::Review { conflict, .. }
                                if Some(&conflict.field) == item.conflict.as_ref().map(|c| &c.field))
                        })
                    }),
                };
                if resolved {
                    self.state.delete_review(&item.id).await?;
                }
            }
        }
        Ok(run)
    }

    async fn person_for_review(&self, uid: &str) -> Result<Value, SyncError> {
        match self.read_person(uid).await {
            Ok(p) => Ok(p),
            Err(OutsetaError::NotFound { .. }) => Err(invalid(format!(
                "the Outseta person {uid} no longer exists"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    async fn resolve_link(&self, uid: &str, gid: &str, trigger: &str) -> Result<Run, SyncError> {
        if let Some(l) = self.state.link_by_outseta(uid).await? {
            return Err(invalid(format!(
                "Outseta {uid} is already linked to GHL {}",
                l.ghl_id
            )));
        }
        if let Some(l) = self.state.link_by_ghl(gid).await? {
            return Err(invalid(format!(
                "GHL contact {gid} is already linked to Outseta {}",
                l.outseta_uid
            )));
        }
        let person = self.person_for_review(uid).await?;
        let contact = match self.ghl.get_contact(gid).await {
            Ok(c) => to_json(&c),
            Err(e) if super::is_not_found_ghl(&e) => {
                return Err(invalid(format!("no GHL contact {gid}")))
            }
            Err(e) => return Err(e.into()),
        };
        let ctx = self.context().await?;
        let plan = self
            .planner(&ctx)
            .plan_pair(&person, &contact, Default::default());
        let pair = PairRun {
            outseta_uid: Some(uid.to_owned()),
            ghl_id: Some(gid.to_owned()),
            found: "matched",
            plan,
            ..PairRun::default()
        };
        Ok(self.single_run(trigger, self.execute(pair, false).await))
    }

    async fn resolve_create(&self, uid: &str, trigger: &str) -> Result<Run, SyncError> {
        if let Some(l) = self.state.link_by_outseta(uid).await? {
            return Err(invalid(format!(
                "Outseta {uid} is already linked to GHL {}",
                l.ghl_id
            )));
        }
        let person = self.person_for_review(uid).await?;
        let ctx = self.context().await?;
        let plan = self
            .planner(&ctx)
            .plan_pair(&person, &Value::Null, Default::default());
        let pair = PairRun {
            outseta_uid: Some(uid.to_owned()),
            found: "new",
            plan,
            create_new: true,
            ..PairRun::default()
        };
        Ok(self.single_run(trigger, self.execute(pair, false).await))
    }

    /// Re-syncs a linked pair with the chosen side winning each named field.
    async fn resolve_fields(
        &self,
        uid: &str,
        fields: BTreeMap<String, Side>,
        trigger: &str,
    ) -> Result<Run, SyncError> {
        let Some(link) = self.state.link_by_outseta(uid).await? else {
            return Err(invalid(format!("Outseta {uid} is not linked any more")));
        };
        let person = self.person_for_review(uid).await?;
        let contact = match self.ghl.get_contact(&link.ghl_id).await {
            Ok(c) => to_json(&c),
            Err(e) if super::is_not_found_ghl(&e) => {
                return Err(invalid(format!(
                    "the linked GHL contact {} no longer exists",
                    link.ghl_id
                )))
            }
            Err(e) => return Err(e.into()),
        };
        let mut policy = self.policy.clone();
        for (field, side) in fields {
            // The person chose: an emptied value is what they chose too.
            policy.fields.insert(
                field,
                FieldPolicy {
                    strategy: match side {
                        Side::Outseta => Strategy::OutsetaWins,
                        Side::Ghl => Strategy::GhlWins,
                    },
                    never_erase: false,
                },
            );
        }
        let ctx = self.context().await?;
        let mut planner = Planner::new(&self.spec, &policy, &ctx);
        self.configure(&mut planner);
        let plan = planner.plan_pair(&person, &contact, link.state.clone());
        let pair = PairRun {
            outseta_uid: Some(uid.to_owned()),
            ghl_id: Some(link.ghl_id.clone()),
            found: "linked",
            plan,
            ..PairRun::default()
        };
        Ok(self.single_run(trigger, self.execute(pair, false).await))
    }

    fn single_run(&self, trigger: &str, pair: PairRun) -> Run {
        Run {
            trigger: trigger.to_owned(),
            pairs: vec![pair],
            ..Run::default()
        }
    }
}
