//! The Plan: for a batch of pairs (an Outseta person, a GHL contact, or both, with the
//! pair's stored state), the operations to run, each with a plain-language reason, and
//! the state to store once they have run. Pure data: the executor does the I/O.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::{json_type_name, CodedError};
use crate::ghl::read::{ContactRead, Key as GhlKey};
use crate::mapping::{
    self, ghl_payload, outseta_payload, outseta_to_canonical, Context, Direction, FieldError, Lean,
    MappingError, PayloadKind, Record, Spec,
};
use crate::merge::{echo_hash_is, echo_hash_sorted, merge_owned, Conflict, InOrder, Merge, Policy};
use crate::model::{is_empty, Contact, Tags};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum System {
    Outseta,
    Ghl,
}

/// One operation of a Plan. `reason` says, in plain language, why it is there.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all_fields = "camelCase")]
pub enum Operation {
    CreateContact {
        system: System,
        payload: Map<String, Value>,
        /// The record in the other system the new one is linked to.
        link: Value,
        reason: String,
    },
    UpdateContact {
        system: System,
        id: String,
        /// Only the fields that change (`null`/`""` clears one).
        changes: Map<String, Value>,
        reason: String,
    },
    AddTags {
        id: String,
        tags: Vec<String>,
        reason: String,
    },
    RemoveTags {
        id: String,
        tags: Vec<String>,
        reason: String,
    },
    CreateNote {
        system: System,
        id: String,
        body: String,
        reason: String,
    },
    CreateTask {
        system: System,
        id: String,
        title: String,
        body: String,
        reason: String,
    },
    CompleteTask {
        system: System,
        id: String,
        task_id: String,
        reason: String,
    },
    LinkRecords {
        outseta_uid: String,
        ghl_id: String,
        reason: String,
    },
    /// Create the location's definition of a custom field the mapping names (the
    /// engine's `createMissingCustomFields`); the contact writes after it carry the
    /// field by its key until then.
    CreateCustomField {
        key: String,
        name: String,
        data_type: String,
        reason: String,
    },
    /// Forget a link (the delete policy `unlink`, `tag` or `delete`).
    Unlink {
        outseta_uid: String,
        ghl_id: String,
        reason: String,
    },
    DeleteContact {
        system: System,
        id: String,
        reason: String,
    },
    Review {
        conflict: Conflict,
        reason: String,
    },
}

impl Operation {
    /// The system the operation writes to, if any (links and reviews are the store's).
    pub fn system(&self) -> Option<System> {
        match self {
            Operation::CreateContact { system, .. }
            | Operation::UpdateContact { system, .. }
            | Operation::CreateNote { system, .. }
            | Operation::CreateTask { system, .. }
            | Operation::CompleteTask { system, .. }
            | Operation::DeleteContact { system, .. } => Some(*system),
            Operation::AddTags { .. }
            | Operation::RemoveTags { .. }
            | Operation::CreateCustomField { .. } => Some(System::Ghl),
            Operation::LinkRecords { .. } | Operation::Unlink { .. } | Operation::Review { .. } => {
                None
            }
        }
    }

    /// The operation's `op` tag, as the Plan's JSON spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Operation::CreateContact { .. } => "CreateContact",
            Operation::UpdateContact { .. } => "UpdateContact",
            Operation::AddTags { .. } => "AddTags",
            Operation::RemoveTags { .. } => "RemoveTags",
            Operation::CreateNote { .. } => "CreateNote",
            Operation::CreateTask { .. } => "CreateTask",
            Operation::CompleteTask { .. } => "CompleteTask",
            Operation::LinkRecords { .. } => "LinkRecords",
            Operation::CreateCustomField { .. } => "CreateCustomField",
            Operation::Unlink { .. } => "Unlink",
            Operation::DeleteContact { .. } => "DeleteContact",
            Operation::Review { .. } => "Review",
        }
    }
}

/// What we last wrote to each side, as echo hashes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Echo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outseta: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ghl: Option<String>,
}

/// What the Store keeps per linked pair.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PairState {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<Contact>,
    pub echo: Echo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_task_id: Option<String>,
}

/// The Plan for one pair.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PairPlan {
    pub operations: Vec<Operation>,
    /// The state to store once every operation has run.
    pub state: PairState,
    /// Fields not written, each with its code, value and why: they could not be read
    /// or mapped, the other side cannot hold them, or (once run) the API did not keep
    /// them. The rest of the pair is still planned; none of them is recorded as synced.
    pub errors: Vec<FieldError>,
    /// Set when nothing could be planned for the pair.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    /// With `explain`: every mapped field the two records hold differently and what the
    /// Plan does about it (the preview's conflicts table, as data).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldOutcome>,
}

/// What the Plan does with a field the two sides hold differently.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldOutcome {
    pub field: String,
    pub outseta: Value,
    pub ghl: Value,
    /// `toGhl` (Outseta's value is written to GHL), `toOutseta`, `held` (for review),
    /// or `kept` (neither is written: a one-way field, a value a side cannot hold).
    pub outcome: &'static str,
    pub reason: String,
}

/// A batch to plan: the spec, policy and context are shared by every pair.
pub struct Planner<'a> {
    pub spec: &'a Spec,
    pub policy: &'a Policy,
    pub ctx: &'a Context,
    pub routes: BTreeMap<String, Direction>,
    /// When set, each Outseta email list a person is subscribed to becomes the GHL tag
    /// `{prefix}{list name}`, removed again on unsubscribe.
    pub list_tag_prefix: Option<String>,
    /// GHL custom field keys by id, from the context: read once per batch, not per contact.
    keys_by_id: BTreeMap<String, String>,
    /// Every tag the spec's rules add or remove is already trimmed and lower-case, so
    /// lower-casing the tags a person maps to would change nothing (and cost a copy of
    /// each): checked once per batch.
    spec_tags_lower: bool,
    /// Whether the Plan may write to Outseta (a bulk import into GHL may not). Fields
    /// it would have written are left as Outseta holds them, for a later two-way sync.
    pub write_outseta: bool,
    /// Also say, per pair, what happens to each field the two sides hold differently
    /// (`PairPlan::fields`).
    pub explain: bool,
    /// Routed fields GHL cannot hold (custom fields the location has no definition for)
    /// and Outseta cannot hold (custom properties Outseta does not have): that side has
    /// no say on them. Read once per batch from the context.
    ghl_unheld: Vec<String>,
    outseta_unheld: Vec<String>,
}

/// The person's list subscriptions (`outseta::lists`), `None` when its record says
/// nothing about them.
fn email_lists<R: Record + ?Sized>(person: &R) -> Option<Vec<(String, bool)>> {
    let lists = person.get_path(crate::outseta::lists::PERSON_KEY)?;
    crate::outseta::lists::subscriptions(&lists)
}

fn names(fields: &BTreeMap<String, Value>) -> String {
    fields.keys().cloned().collect::<Vec<_>>().join(", ")
}

impl<'a> Planner<'a> {
    pub fn new(spec: &'a Spec, policy: &'a Policy, ctx: &'a Context) -> Planner<'a> {
        Planner {
            spec,
            policy,
            ctx,
            routes: mapping::spec::routes(spec),
            list_tag_prefix: None,
            keys_by_id: ctx.keys_by_id(),
            spec_tags_lower: spec
                .tags
                .iter()
                .flat_map(|rule| rule.add.iter().chain(&rule.remove))
                .all(|t| t.trim().to_lowercase() == *t),
            write_outseta: true,
            explain: false,
            ghl_unheld: match &ctx.ghl_custom_fields {
                None => Vec::new(),
                Some(_) => spec
                    .fields
                    .iter()
                    .filter_map(|r| match crate::model::field_ref(&r.ghl) {
                        Some(crate::model::FieldRef::Custom(key))
                            if ctx.custom_field(key).is_none() =>
                        {
                            Some(r.ghl.clone())
                        }
                        _ => None,
                    })
                    .collect(),
            },
            outseta_unheld: spec
                .fields
                .iter()
                .filter(|r| {
                    r.outseta
                        .first()
                        .is_some_and(|p| !mapping::outseta_holds(p, ctx))
                })
                .map(|r| r.ghl.clone())
                .collect(),
        }
    }

    /// Each mapped field both records hold with different values, and what the merge
    /// made of it.
    fn field_outcomes(&self, outseta: &Contact, ghl: &Contact, m: &Merge) -> Vec<FieldOutcome> {
        self.routes
            .keys()
            .filter_map(|field| {
                let (o, g) = (
                    outseta.fields.get(field.as_str())?,
                    ghl.fields.get(field.as_str())?,
                );
                if o == g {
                    return None;
                }
                let held = m.conflicts.iter().find(|c| &c.field == field);
                let outcome = if held.is_some() {
                    "held"
                } else if m.to_ghl.contains_key(field) {
                    "toGhl"
                } else if m.to_outseta.contains_key(field) {
                    "toOutseta"
                } else {
                    "kept"
                };
                let reason = held.map(|c| c.reason.clone()).or_else(|| {
                    m.decisions
                        .iter()
                        .find(|d| &d.field == field)
                        .map(|d| d.reason.clone())
                });
                Some(FieldOutcome {
                    field: field.clone(),
                    outseta: o.clone(),
                    ghl: g.clone(),
                    outcome,
                    reason: reason.unwrap_or_default(),
                })
            })
            .collect()
    }

    /// What Outseta holds for `field`: nothing for a property it does not have, whatever
    /// the record carries under that name.
    fn outseta_holds_value(&self, outseta: &Contact, field: &str) -> Value {
        if self.outseta_unheld.iter().any(|f| f == field) {
            return Value::Null;
        }
        outseta.fields.get(field).cloned().unwrap_or(Value::Null)
    }

    /// `contact` as the merge should see it: each of `fields` as the base has it. A side
    /// stands as the base for a field it has no say on, so it neither changes nor clears
    /// it (a value it never held is no deletion). Borrowed when there is none.
    fn without_say<'c>(
        contact: &'c Contact,
        base: &Contact,
        fields: impl Iterator<Item = &'c str>,
    ) -> std::borrow::Cow<'c, Contact> {
        let mut fields = fields.peekable();
        if fields.peek().is_none() {
            return std::borrow::Cow::Borrowed(contact);
        }
        let mut view = contact.clone();
        for f in fields {
            match base.fields.get(f) {
                Some(v) => view.set(f, v.clone()),
                None => view.set(f, Value::Null),
            }
        }
        std::borrow::Cow::Owned(view)
    }

    fn outseta_mapped<R: Record + ?Sized>(
        &self,
        person: &R,
    ) -> Result<mapping::Mapped, MappingError> {
        let mut o = outseta_to_canonical(person, self.spec, self.ctx)?;
        // GHL stores every tag lower-cased: a rule's `VIP` must compare equal to the
        // `vip` that comes back, or each echo would add it again.
        // The three sets hold only the rules' tags (`contact.tags` is `tags_add`).
        if !self.spec_tags_lower {
            let lower = |tags: &Tags| tags.iter().map(|t| t.trim().to_lowercase()).collect();
            o.tags_add = lower(&o.tags_add);
            o.tags_remove = lower(&o.tags_remove);
            o.contact.tags = lower(&o.contact.tags);
        }
        if let Some(prefix) = &self.list_tag_prefix {
            for (list, subscribed) in email_lists(person).into_iter().flatten() {
                let tag = format!("{prefix}{list}").to_lowercase();
                if subscribed {
                    o.tags_remove.remove(&tag);
                    o.tags_add.insert(tag);
                } else if !o.tags_add.contains(&tag) {
                    o.tags_remove.insert(tag);
                }
            }
        }
        Ok(o)
    }

    /// List tags (`{prefix}...`) among `tags` for lists the person is no longer on. Only
    /// when the record lists its subscriptions: a record without `EmailListPerson` says
    /// nothing about them.
    fn lists_left<'t, R: Record + ?Sized>(
        &self,
        person: &R,
        o: &mapping::Mapped,
        tags: impl Iterator<Item = &'t String>,
    ) -> Tags {
        let Some(prefix) = &self.list_tag_prefix else {
            return Tags::new();
        };
        if email_lists(person).is_none() {
            return Tags::new();
        }
        let prefix = prefix.to_lowercase();
        tags.filter(|t| t.starts_with(&prefix) && !o.tags_add.contains(t))
            .cloned()
            .collect()
    }

    /// Whether a side's record holds nothing new for the pair: exactly what we last
    /// wrote to it (our own echo) or what the last sync left there. The engine asks this
    /// before reading the other side, so an echo or a no-op change costs no API call.
    pub fn unchanged(&self, side: System, record: &Value, state: &PairState) -> bool {
        let Some(base) = &state.base else {
            return false;
        };
        let (hash, echo) = match side {
            System::Outseta => match self.outseta_mapped(record) {
                // Tags the rules (or email lists) would change are news, whatever the fields.
                Ok(o)
                    if o.tags_add.iter().any(|t| !base.tags.contains(t))
                        || o.tags_remove.iter().any(|t| base.tags.contains(t))
                        || !self.lists_left(record, &o, base.tags.iter()).is_empty() =>
                {
                    return false
                }
                Ok(o) => (self.hash(&o.contact, side), &state.echo.outseta),
                Err(_) => return false,
            },
            System::Ghl => match mapping::ghl_to_canonical_keyed(record, &self.keys_by_id) {
                Ok(g) => (self.hash(&g, side), &state.echo.ghl),
                Err(_) => return false,
            },
        };
        echo.as_ref() == Some(&hash) || self.hash(base, side) == hash
    }

    /// Whether a side holds a canonical field through the mapping.
    fn holds(&self, field: &str, to: System) -> bool {
        self.holds_routed(self.routes.get(field), field, to)
    }

    /// `holds` with the field's route already found (`None`: it has none).
    fn holds_routed(&self, route: Option<&Direction>, field: &str, to: System) -> bool {
        match route {
            Some(d) => match to {
                System::Ghl => d.to_ghl(),
                System::Outseta => d.to_outseta(),
            },
            None => field.starts_with(crate::model::CUSTOM_PREFIX) && self.spec.auto_custom_fields,
        }
    }

    /// The fields of `fields` a side holds, in order: the routes are walked beside them
    /// rather than searched for each field.
    fn held<'c, K: AsRef<str> + ?Sized + 'c>(
        &'c self,
        fields: impl IntoIterator<Item = (&'c K, &'c Value)>,
        side: System,
    ) -> impl Iterator<Item = (&'c str, &'c Value)> {
        let mut routes = InOrder::new(&self.routes);
        fields
            .into_iter()
            .map(|(k, v)| (k.as_ref(), v))
            .filter(move |(k, _)| self.holds_routed(routes.at(k), k, side))
    }

    fn hash(&self, contact: &Contact, side: System) -> String {
        let fields = self.held(&contact.fields, side);
        echo_hash_sorted(fields, (side == System::Ghl).then_some(&contact.tags))
    }

    /// Whether `hash` is `self.hash(contact, side)`, without writing that out.
    fn hash_is(&self, hash: &str, contact: &Contact, side: System) -> bool {
        let fields = self.held(&contact.fields, side);
        echo_hash_is(hash, fields, (side == System::Ghl).then_some(&contact.tags))
    }

    /// The hash of a side once `writes` have landed on it.
    fn hash_after(
        &self,
        current: &Contact,
        writes: &BTreeMap<String, Value>,
        side: System,
        tags: Option<&[&String]>,
    ) -> String {
        // Both are in key order: walked side by side, a write replacing (or, empty,
        // clearing) the current value, with no map built to sort them.
        let mut now = self.held(&current.fields, side).peekable();
        let mut wrote = self.held(writes, side).peekable();
        let after = std::iter::from_fn(move || loop {
            let (current, written) = match (now.peek(), wrote.peek()) {
                (None, None) => return None,
                (Some(_), None) => (now.next(), None),
                (None, Some(_)) => (None, wrote.next()),
                (Some((a, _)), Some((b, _))) => match a.cmp(b) {
                    std::cmp::Ordering::Less => (now.next(), None),
                    std::cmp::Ordering::Greater => (None, wrote.next()),
                    std::cmp::Ordering::Equal => (now.next(), wrote.next()),
                },
            };
            match written {
                Some((_, v)) if is_empty(v) => continue,
                Some(entry) => return Some(entry),
                None => return current,
            }
        });
        echo_hash_sorted(after, tags)
    }

    /// Plans one pair. `outseta` is an Outseta Person, `ghl` a GHL contact (either may
    /// be `null`), `state` what the Store kept for the pair.
    pub fn plan_pair(&self, outseta: &Value, ghl: &Value, state: PairState) -> PairPlan {
        let ghl = || match ghl {
            Value::Null => Ok(None),
            contact => mapping::ghl_to_canonical_keyed(contact, &self.keys_by_id).map(Some),
        };
        match self.try_plan(outseta, ghl, state) {
            Ok(plan) => plan,
            Err(e) => PairPlan {
                error: Some(e.to_json()),
                ..PairPlan::default()
            },
        }
    }

    /// `ghl` reads the GHL contact; it runs after the person is mapped, so a pair with
    /// two bad records reports the person's error.
    fn try_plan<R: Record + ?Sized>(
        &self,
        outseta: &R,
        ghl: impl FnOnce() -> Result<Option<Contact>, MappingError>,
        state: PairState,
    ) -> Result<PairPlan, MappingError> {
        let mut plan = PairPlan::default();
        let o = if outseta.is_null() {
            None
        } else {
            Some(self.outseta_mapped(outseta)?)
        };
        let g = ghl()?;
        match (o, g) {
            (None, None) => Err(MappingError::InputInvalid {
                path: "$".to_owned(),
                expected: "a pair with an outseta person, a ghl contact, or both",
                found: "null",
            }),
            (Some(mut o), None) => {
                let uid = o.contact.links.outseta_uid.clone();
                let before = o.errors.len();
                let payload = ghl_payload(
                    &o.contact.fields,
                    Some(&o.tags_add),
                    PayloadKind::Create,
                    self.ctx,
                    &mut o.errors,
                );
                if !mapping::has_identity(&payload) {
                    return Err(MappingError::no_identity(uid, &o.errors));
                }
                // GHL will not hold what the payload could not carry: not synced.
                for e in &o.errors[before..] {
                    o.contact.fields.remove(e.field.as_str());
                }
                plan.operations
                    .extend(definitions_to_create(&payload, &o.contact.fields));
                plan.operations.push(Operation::CreateContact {
                    system: System::Ghl,
                    payload,
                    link: json!({ "outsetaUid": uid }),
                    reason: format!(
                        "Outseta person {} has no linked GHL contact yet",
                        uid.as_deref().unwrap_or("(no Uid)")
                    ),
                });
                plan.state.echo.ghl = Some(self.hash(&o.contact, System::Ghl));
                plan.state.base = Some(o.contact);
                plan.errors = o.errors;
                Ok(plan)
            }
            (None, Some(g)) => {
                let mut errors = Vec::new();
                let payload = outseta_payload(&g, None, self.spec, self.ctx, &mut errors);
                let unwritten: BTreeSet<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                if payload.get("Email").is_none_or(Value::is_null) {
                    return Err(MappingError::NoEmail {
                        id: g.links.ghl_id.clone(),
                    });
                }
                plan.operations.push(Operation::CreateContact {
                    system: System::Outseta,
                    payload,
                    link: json!({ "ghlId": g.links.ghl_id }),
                    reason: format!(
                        "GHL contact {} has no linked Outseta person yet",
                        g.links.ghl_id.as_deref().unwrap_or("(no id)")
                    ),
                });
                // The base is the GHL contact as Outseta holds it: its projected
                // fields (the rest of it is not copied only to be replaced).
                let mut base = Contact {
                    links: g.links.clone(),
                    fields: g
                        .fields
                        .iter()
                        .filter(|(k, _)| {
                            self.holds(k, System::Outseta) && !unwritten.contains(k.as_str())
                        })
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                    tags: Tags::new(),
                    created_at: g.created_at.clone(),
                    updated_at: g.updated_at.clone(),
                };
                plan.state.echo.outseta = Some(self.hash(&base, System::Outseta));
                base.tags = g.tags;
                plan.state.base = Some(base);
                plan.errors = errors;
                Ok(plan)
            }
            (Some(mut o), Some(g)) => {
                let base_tags = state.base.as_ref().map(|b| &b.tags);
                let gone =
                    self.lists_left(outseta, &o, base_tags.into_iter().flatten().chain(&g.tags));
                o.tags_remove.extend(gone);
                Ok(self.plan_both(o, g, state, plan))
            }
        }
    }

    fn plan_both(
        &self,
        o: mapping::Mapped,
        g: Contact,
        state: PairState,
        mut plan: PairPlan,
    ) -> PairPlan {
        let uid = o.contact.links.outseta_uid.clone().unwrap_or_default();
        let gid = g.links.ghl_id.clone().unwrap_or_default();
        let PairState {
            base,
            echo,
            review_task_id,
        } = state;
        let first_sync = base.is_none();
        let base = base.unwrap_or_default();
        if first_sync {
            plan.operations.push(Operation::LinkRecords {
                outseta_uid: uid.clone(),
                ghl_id: gid.clone(),
                reason:
                    "first sync of this pair: the two records are linked and merged field by field"
                        .to_owned(),
            });
        }
        plan.errors = o.errors;
        // The Outseta side's tags: what the base had, with the tag rules applied.
        let mut outseta = o.contact;
        outseta.tags = base
            .tags
            .iter()
            .chain(&o.tags_add)
            .filter(|t| !o.tags_remove.contains(t))
            .cloned()
            .collect();
        // Echo suppression: a side that holds exactly what we last wrote to it has not
        // changed since; it contributes nothing (the base stands in for it).
        // A side we never wrote to has no echo to compare: its hash is not computed.
        let is_echo = |wrote: &Option<String>, contact: &Contact, side: System| {
            !first_sync
                && wrote
                    .as_ref()
                    .is_some_and(|h| self.hash_is(h, contact, side))
        };
        let o_echo = is_echo(&echo.outseta, &outseta, System::Outseta);
        let g_echo = is_echo(&echo.ghl, &g, System::Ghl);
        plan.state.echo = echo;
        plan.state.review_task_id = review_task_id;
        if o_echo && g_echo {
            plan.state.base = Some(base);
            return plan;
        }
        // A side has no say on a field it could not read (an unreadable phone) or
        // cannot hold (a custom field GHL has no definition for, a property Outseta
        // lacks): the merge sees the base there, so nothing is cleared for it.
        // Whether a side may end this sync holding something other than the base (a
        // field it has no say on, one not written, one held): its echo is then checked.
        let mut inexact = plan.errors.iter().any(|e| e.field != "tags")
            || !self.outseta_unheld.is_empty()
            || !self.ghl_unheld.is_empty();
        let o_blind = plan
            .errors
            .iter()
            .map(|e| e.field.as_str())
            .filter(|f| *f != "tags")
            .chain(self.outseta_unheld.iter().map(String::as_str));
        let o_view = Self::without_say(&outseta, &base, o_blind);
        let g_view = Self::without_say(&g, &base, self.ghl_unheld.iter().map(String::as_str));
        // (An echo side is the base: `None`.)
        let mut m: Merge = merge_owned(
            base,
            (!o_echo).then_some(o_view.as_ref()),
            (!g_echo).then_some(g_view.as_ref()),
            self.policy,
            Some(&self.routes),
        );
        drop((o_view, g_view));
        // A side with no say on a field is never the source of a write of it.
        for f in plan
            .errors
            .iter()
            .map(|e| e.field.as_str())
            .chain(self.outseta_unheld.iter().map(String::as_str))
        {
            if m.to_ghl.remove(f).is_some() {
                m.merged
                    .set(f, g.fields.get(f).cloned().unwrap_or(Value::Null));
            }
        }
        for f in &self.ghl_unheld {
            if m.to_outseta.remove(f).is_some() {
                m.merged.set(f, self.outseta_holds_value(&outseta, f));
            }
        }
        // Tag rules own their tags: their current verdict stands over older edits.
        if !o_echo {
            for t in &o.tags_add {
                if !g.tags.contains(t) {
                    m.tags_add.insert(t.clone());
                }
                m.tags_remove.remove(t);
                m.merged.tags.insert(t.clone());
            }
            for t in &o.tags_remove {
                if g.tags.contains(t) {
                    m.tags_remove.insert(t.clone());
                }
                m.tags_add.remove(t);
                m.merged.tags.remove(t);
            }
        }
        // The echo fields are compared against the real GHL record, not the stand-in.
        m.to_ghl
            .retain(|k, v| g.fields.get(k).map_or(!is_empty(v), |cur| cur != v));
        // A field a write cannot carry keeps, in the next base, what its side holds
        // now: it is not synced, so the next run tries again and nothing reads the
        // side's old value as a deletion.
        let mut ghl_changes = Map::new();
        if !m.to_ghl.is_empty() {
            let before = plan.errors.len();
            ghl_changes = ghl_payload(
                &m.to_ghl,
                None,
                PayloadKind::Update,
                self.ctx,
                &mut plan.errors,
            );
            inexact |= plan.errors.len() > before;
            for e in &plan.errors[before..] {
                if m.to_ghl.remove(&e.field).is_some() {
                    let held = g
                        .fields
                        .get(e.field.as_str())
                        .cloned()
                        .unwrap_or(Value::Null);
                    m.merged.set(&e.field, held);
                }
            }
        }
        let mut outseta_changes = Map::new();
        if !m.to_outseta.is_empty() {
            let before = plan.errors.len();
            if self.write_outseta {
                let only: BTreeSet<String> = m.to_outseta.keys().cloned().collect();
                // Every field written to Outseta holds its merged value.
                outseta_changes = outseta_payload(
                    &m.merged,
                    Some(&only),
                    self.spec,
                    self.ctx,
                    &mut plan.errors,
                );
            }
            let unwritten: Vec<String> = if self.write_outseta {
                plan.errors[before..]
                    .iter()
                    .map(|e| e.field.clone())
                    .collect()
            } else {
                m.to_outseta.keys().cloned().collect()
            };
            inexact |= !unwritten.is_empty();
            for f in unwritten {
                if m.to_outseta.remove(&f).is_some() {
                    let held = self.outseta_holds_value(&outseta, &f);
                    m.merged.set(&f, held);
                }
            }
        }
        let reasons = |side: &str| {
            m.decisions
                .iter()
                .filter(|d| {
                    (side == "ghl" && m.to_ghl.contains_key(&d.field))
                        || (side == "outseta" && m.to_outseta.contains_key(&d.field))
                })
                .map(|d| d.reason.clone())
                .collect::<Vec<_>>()
                .join("; ")
        };
        if !ghl_changes.is_empty() {
            plan.operations
                .extend(definitions_to_create(&ghl_changes, &m.to_ghl));
            plan.operations.push(Operation::UpdateContact {
                system: System::Ghl,
                id: gid.clone(),
                reason: format!("update GHL {}: {}", names(&m.to_ghl), reasons("ghl")),
                changes: ghl_changes,
            });
        }
        if !m.tags_add.is_empty() {
            plan.operations.push(Operation::AddTags {
                id: gid.clone(),
                tags: m.tags_add.iter().cloned().collect(),
                reason: "tags added in Outseta (tag rules) or kept from either side's additions"
                    .to_owned(),
            });
        }
        if !m.tags_remove.is_empty() {
            plan.operations.push(Operation::RemoveTags {
                id: gid.clone(),
                tags: m.tags_remove.iter().cloned().collect(),
                reason: "tags removed on one side since the last sync (or by a tag rule)"
                    .to_owned(),
            });
        }
        if !outseta_changes.is_empty() && !m.to_outseta.is_empty() {
            plan.operations.push(Operation::UpdateContact {
                system: System::Outseta,
                id: uid.clone(),
                reason: format!(
                    "update Outseta {}: {}",
                    names(&m.to_outseta),
                    reasons("outseta")
                ),
                changes: outseta_changes,
            });
        }
        if self.explain {
            plan.fields = self.field_outcomes(&outseta, &g, &m);
        }
        for c in &m.conflicts {
            plan.operations.push(Operation::Review {
                reason: format!(
                    "held for review, nothing written for {}: {}",
                    c.field, c.reason
                ),
                conflict: c.clone(),
            });
        }
        if !m.conflicts.is_empty() {
            let fields: Vec<&str> = m.conflicts.iter().map(|c| c.field.as_str()).collect();
            let body = m
                .conflicts
                .iter()
                .map(|c| format!("{}: Outseta has {}, GHL has {}", c.field, c.outseta, c.ghl))
                .collect::<Vec<_>>()
                .join("\n");
            if self.policy.note_on_review {
                plan.operations.push(Operation::CreateNote {
                    system: System::Ghl,
                    id: gid.clone(),
                    body: format!(
                        "Outseta sync held {} for review:\n{body}",
                        fields.join(", ")
                    ),
                    reason:
                        "the policy leaves a note on the contact when a field is held for review"
                            .to_owned(),
                });
            }
            if self.policy.task_on_review && plan.state.review_task_id.is_none() {
                plan.operations.push(Operation::CreateTask {
                    system: System::Ghl,
                    id: gid.clone(),
                    title: format!("Review Outseta sync conflict: {}", fields.join(", ")),
                    body,
                    reason: "the policy opens a task when a field is held for review".to_owned(),
                });
            }
        } else if let Some(task_id) = plan.state.review_task_id.clone() {
            plan.operations.push(Operation::CompleteTask {
                system: System::Ghl,
                id: gid.clone(),
                task_id,
                reason: "no field of this pair is held for review any more".to_owned(),
            });
            plan.state.review_task_id = None;
        }
        // What each side holds once the writes land: the echo we expect back.
        let wrote_ghl = plan.operations.iter().any(|op| {
            matches!(
                op,
                Operation::UpdateContact {
                    system: System::Ghl,
                    ..
                } | Operation::AddTags { .. }
                    | Operation::RemoveTags { .. }
            )
        });
        if wrote_ghl {
            // Borrowed: the hash writes the same array as of owned tags.
            let tags: Vec<&String> = g
                .tags
                .union(&m.tags_add)
                .filter(|t| !m.tags_remove.contains(t))
                .collect();
            plan.state.echo.ghl = Some(self.hash_after(&g, &m.to_ghl, System::Ghl, Some(&tags)));
        }
        let wrote_outseta = plan.operations.iter().any(|op| {
            matches!(
                op,
                Operation::UpdateContact {
                    system: System::Outseta,
                    ..
                }
            )
        });
        if wrote_outseta {
            plan.state.echo.outseta =
                Some(self.hash_after(&outseta, &m.to_outseta, System::Outseta, None));
        }
        m.merged.updated_at = None;
        // An echo stands in for the base (the side "has not changed since"), so it is
        // kept only where the side will hold the base: a held, unwritten or unreadable
        // field leaves the two apart, and standing in then would hide the side's value
        // (a held edit lost to the other side's, a value never sent when it could be).
        if inexact || !m.conflicts.is_empty() {
            let ghl_after = match &plan.state.echo.ghl {
                Some(h) if wrote_ghl => h.clone(),
                _ => self.hash(&g, System::Ghl),
            };
            if ghl_after != self.hash(&m.merged, System::Ghl) {
                plan.state.echo.ghl = None;
            }
            let outseta_after = match &plan.state.echo.outseta {
                Some(h) if wrote_outseta => h.clone(),
                _ => self.hash(&outseta, System::Outseta),
            };
            if outseta_after != self.hash(&m.merged, System::Outseta) {
                plan.state.echo.outseta = None;
            }
        }
        plan.state.base = Some(m.merged);
        plan
    }
}

/// `CreateCustomField` for each custom field a GHL payload carries by key only (the
/// location has no definition for it yet). The data type follows the value the field
/// is to hold (`fields`, canonical): a number makes a NUMERICAL field, anything else TEXT.
fn definitions_to_create<'f, K: AsRef<str> + ?Sized + 'f>(
    payload: &Map<String, Value>,
    fields: impl IntoIterator<Item = (&'f K, &'f Value)> + Copy,
) -> Vec<Operation> {
    let Some(Value::Array(custom)) = payload.get("customFields") else {
        return Vec::new();
    };
    custom
        .iter()
        .filter(|entry| entry.get("id").is_none())
        .filter_map(|entry| entry.get("key")?.as_str())
        .map(|key| {
            let canonical = format!("{}{key}", crate::model::CUSTOM_PREFIX);
            let number = fields
                .into_iter()
                .find(|(k, _)| k.as_ref() == canonical)
                .is_some_and(|(_, v)| v.is_number());
            let words = key.rsplit('.').next().unwrap_or(key);
            let name = words
                .split('_')
                .filter(|w| !w.is_empty())
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join(" ");
            Operation::CreateCustomField {
                key: key.to_owned(),
                name,
                data_type: if number { "NUMERICAL" } else { "TEXT" }.to_owned(),
                reason: format!("the mapping writes custom field {key:?}, which the location does not have yet (createMissingCustomFields)"),
            }
        })
        .collect()
}

/// Reads one pair of a `planSync` batch: `{ outseta?, ghl?, state? }`.
pub fn read_pair(index: usize, pair: &Value) -> Result<(&Value, &Value, PairState), MappingError> {
    let obj = pair.as_object().ok_or_else(|| MappingError::InputInvalid {
        path: format!("$.pairs[{index}]"),
        expected: "object",
        found: json_type_name(pair),
    })?;
    let state = match obj.get("state") {
        None | Some(Value::Null) => PairState::default(),
        Some(s) => PairState::deserialize(s).map_err(|_| MappingError::InputInvalid {
            path: format!("$.pairs[{index}].state"),
            expected: "a pair state { base?, echo?, reviewTaskId? }",
            found: json_type_name(s),
        })?,
    };
    const NULL: &Value = &Value::Null;
    let get = |k: &str| obj.get(k).unwrap_or(NULL);
    Ok((get("outseta"), get("ghl"), state))
}

impl MappingError {
    /// Whether this error is about one record (as opposed to the whole batch).
    pub fn is_record_level(&self) -> bool {
        self.code() != "MAPPING_INVALID"
    }
}

// Native only (proptest); the wasm tests live in tests/wasm.rs.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

/// The shared part of a `planSync` batch, read and checked: the spec, policy and
/// context every pair is planned with.
struct Batch {
    spec: Spec,
    policy: Policy,
    ctx: Context,
}

fn read_batch(
    context: Option<&Value>,
    spec: Option<&Value>,
    policy: Option<&Value>,
) -> Result<Batch, MappingError> {
    let ctx = mapping::parse_context(context).map_err(MappingError::spec_invalid)?;
    let spec = match spec.filter(|s| !s.is_null()) {
        None => mapping::default_spec(),
        Some(s) => mapping::parse(s, &ctx).map_err(MappingError::spec_invalid)?,
    };
    let policy = crate::merge::parse_policy(policy).map_err(MappingError::spec_invalid)?;
    Ok(Batch { spec, policy, ctx })
}

fn pair_error(e: &MappingError) -> PairPlan {
    PairPlan {
        error: Some(e.to_json()),
        ..PairPlan::default()
    }
}

/// Plans a `planSync` batch: `{ pairs: [{ outseta?, ghl?, state? }], spec?, policy?,
/// context? }` (the built-in spec when `spec` is absent). A bad spec, policy or
/// context fails the batch with every problem; a bad pair is that pair's `error`.
pub fn plan_sync(input: &Value) -> Result<Vec<PairPlan>, MappingError> {
    let obj = input
        .as_object()
        .ok_or_else(|| MappingError::InputInvalid {
            path: "$".to_owned(),
            expected: "object",
            found: json_type_name(input),
        })?;
    let pairs = match obj.get("pairs") {
        Some(Value::Array(pairs)) => pairs,
        other => {
            return Err(MappingError::InputInvalid {
                path: "$.pairs".to_owned(),
                expected: "array",
                found: other.map_or("undefined", json_type_name),
            })
        }
    };
    let batch = read_batch(obj.get("context"), obj.get("spec"), obj.get("policy"))?;
    let mut planner = Planner::new(&batch.spec, &batch.policy, &batch.ctx);
    planner.explain = obj.get("explain") == Some(&Value::Bool(true));
    Ok(pairs
        .iter()
        .enumerate()
        .map(|(i, pair)| match read_pair(i, pair) {
            Ok((o, g, state)) => planner.plan_pair(o, g, state),
            Err(e) => pair_error(&e),
        })
        .collect())
}

/// Why `plan_sync_json` gave no Plan: the text is not JSON, the batch is wrong, or
/// (never expected) the Plan could not be written.
#[derive(Debug)]
pub enum PlanJsonError {
    Unreadable(String),
    Batch(MappingError),
    Write(String),
}

/// A `planSync` batch read straight from text, for the common case: every pair an
/// object with each key at most once and a well-formed state (read into `PairState`
/// with no `Value` tree on the way). Anything else fails this read as a whole.
#[derive(Deserialize)]
struct TypedBatch<'a> {
    #[serde(borrow)]
    pairs: Vec<TypedPair<'a>>,
    #[serde(default)]
    context: Option<Value>,
    #[serde(default)]
    spec: Option<Value>,
    #[serde(default)]
    policy: Option<Value>,
    #[serde(default)]
    explain: bool,
}

/// One pair: `{ outseta?, ghl?, state? }` (`null` is the same as left out).
#[derive(Deserialize)]
struct TypedPair<'a> {
    #[serde(default, borrow)]
    outseta: Option<Lean<'a>>,
    #[serde(default)]
    ghl: Option<GhlText>,
    #[serde(default)]
    state: Option<PairState>,
}

/// A GHL contact read from text straight into its canonical parts: no object of
/// every key on the way, and the values it keeps are moved, not copied. Only a JSON
/// object reads (anything else fails the fast read, and `plan_sync` plans the batch).
/// Keys it does not read are still parsed as values, so text `plan_sync` would refuse
/// is refused the same.
struct GhlText(ContactRead);

impl<'de> Deserialize<'de> for GhlText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<GhlText, D::Error> {
        struct Key(GhlKey);
        impl<'de> Deserialize<'de> for Key {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
                struct KeyVisitor;
                impl serde::de::Visitor<'_> for KeyVisitor {
                    type Value = Key;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("a GHL contact key")
                    }
                    fn visit_str<E>(self, name: &str) -> Result<Key, E> {
                        Ok(Key(GhlKey::of(name)))
                    }
                }
                d.deserialize_str(KeyVisitor)
            }
        }
        struct ContactVisitor;
        impl<'de> serde::de::Visitor<'de> for ContactVisitor {
            type Value = GhlText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a GHL contact object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<GhlText, A::Error> {
                let mut read = ContactRead::default();
                while let Some(Key(key)) = map.next_key()? {
                    let value: Value = map.next_value()?;
                    read.key(key, value);
                }
                Ok(GhlText(read))
            }
        }
        d.deserialize_map(ContactVisitor)
    }
}

/// `plan_sync` with JSON text in and out, for `planSyncJson`. Pairs are read straight
/// into their types (no `Value` tree for each state, then a second pass to read it)
/// and each Plan is written into the one output buffer as soon as it is made. A batch
/// this read refuses (not an object, `pairs` not an array, a bad pair or state, a key
/// given twice) is parsed as a `Value` and given to `plan_sync`, so every result and
/// every error is the same either way; only bad input pays for the second parse.
pub fn plan_sync_json(text: &str) -> Result<String, PlanJsonError> {
    let Ok(batch) = serde_json::from_str::<TypedBatch>(text) else {
        let input: Value =
            serde_json::from_str(text).map_err(|e| PlanJsonError::Unreadable(e.to_string()))?;
        let plans = plan_sync(&input).map_err(PlanJsonError::Batch)?;
        return to_ascii_json(&plans);
    };
    let shared = read_batch(
        batch.context.as_ref(),
        batch.spec.as_ref(),
        batch.policy.as_ref(),
    )
    .map_err(PlanJsonError::Batch)?;
    let mut planner = Planner::new(&shared.spec, &shared.policy, &shared.ctx);
    planner.explain = batch.explain;
    // Plans come out at about 40% of the input's size: one buffer, rarely regrown.
    let mut out: Vec<u8> = Vec::with_capacity(text.len() / 2);
    out.push(b'[');
    for (i, pair) in batch.pairs.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let ghl = || {
            Ok(pair
                .ghl
                .map(|g| g.0.finish(&planner.keys_by_id))
                .transpose()?)
        };
        let plan = match planner.try_plan(
            &pair.outseta.unwrap_or(Lean::Null),
            ghl,
            pair.state.unwrap_or_default(),
        ) {
            Ok(plan) => plan,
            Err(e) => pair_error(&e),
        };
        write_ascii_json(&mut out, &plan)?;
    }
    out.push(b']');
    String::from_utf8(out).map_err(|e| PlanJsonError::Write(e.to_string()))
}

/// `value` as JSON text with every non-ASCII character escaped (`\u00ed`), as
/// `planSyncJson` writes its Plans.
pub(crate) fn to_ascii_json<T: Serialize + ?Sized>(value: &T) -> Result<String, PlanJsonError> {
    let mut out = Vec::new();
    write_ascii_json(&mut out, value)?;
    String::from_utf8(out).map_err(|e| PlanJsonError::Write(e.to_string()))
}

/// Appends `value` to `out` as `to_ascii_json` writes it.
fn write_ascii_json<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
) -> Result<(), PlanJsonError> {
    value
        .serialize(&mut serde_json::Serializer::with_formatter(out, AsciiJson))
        .map_err(|e| PlanJsonError::Write(e.to_string()))
}

/// serde_json's compact output with non-ASCII characters written as `\uXXXX` escapes
/// (UTF-16, as JSON defines them). The text is the same JSON, a little longer for
/// non-Latin names, and all ASCII: JavaScript turns ASCII bytes into a string about
/// three times faster than UTF-8 with accents in it (`TextDecoder`, measured on a
/// 2.9 MB batch of Plans), and that decode was 7% of a `planSyncJson` call.
struct AsciiJson;

impl serde_json::ser::Formatter for AsciiJson {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        if fragment.is_ascii() {
            return writer.write_all(fragment.as_bytes());
        }
        let mut rest = fragment;
        while let Some(at) = rest.bytes().position(|b| !b.is_ascii()) {
            writer.write_all(&rest.as_bytes()[..at])?;
            let ch = rest[at..].chars().next().unwrap_or_default();
            for unit in ch.encode_utf16(&mut [0; 2]) {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let nibble = |shift: u16| HEX[usize::from((*unit >> shift) & 0xf)];
                writer.write_all(&[b'\\', b'u', nibble(12), nibble(8), nibble(4), nibble(0)])?;
            }
            rest = &rest[at + ch.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }
}
