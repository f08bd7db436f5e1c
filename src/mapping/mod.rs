//! Field mapping between Outseta people and GHL contacts, from a declarative spec.
//!
//! `spec` parses and validates the JSON spec; `transform` holds the value transforms;
//! this module applies a spec to records in both directions. Applying never fails a
//! batch: a record of the wrong shape is a record error, a field whose value or
//! transform fails is a field error beside that record's payload.

pub mod record;
pub mod spec;
pub mod transform;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{json, Map, Value};
use thiserror::Error;

use crate::error::{json_type_name, CodedError};
use crate::model::{field_ref, is_empty, tag_list, Contact, FieldRef, Fields, Tags, CUSTOM_PREFIX};
pub use record::{Lean, Record};
use spec::{auto_custom_key, outseta_field, Condition};
pub use spec::{parse, parse_context, Context, Direction, Problem, Spec};
use transform::{parse_date, DateFormat, Transform, Ty};

/// The built-in mapping, also shipped as pkg/default-mapping.json.
pub const DEFAULT_SPEC_JSON: &str = include_str!("default.json");

/// The built-in spec, parsed once. It is checked by a test, so parsing it cannot fail
/// at run time; should it ever, an empty spec stands in rather than a panic.
pub fn default_spec() -> Spec {
    builtin().clone()
}

fn builtin() -> &'static Spec {
    static SPEC: std::sync::OnceLock<Spec> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        serde_json::from_str::<Value>(DEFAULT_SPEC_JSON)
            .ok()
            .and_then(|v| parse(&v, &Context::default()).ok())
            .unwrap_or(Spec {
                version: spec::SPEC_VERSION,
                default_region: "US".to_owned(),
                fields: Vec::new(),
                tags: Vec::new(),
                auto_custom_fields: false,
            })
    })
}

/// Where an Outseta person's own country is (`transform::COUNTRY`): ISO code or name,
/// as the account's address form wrote it (NOTES.md §5 does not say which).
const OUTSETA_COUNTRY: &str = "MailingAddress.Country";

/// GHL matches and de-duplicates contacts on email, then phone: a payload with neither
/// could only ever create a new, unmatchable contact.
const GHL_IDENTITY_FIELDS: &[&str] = &["email", "phone"];

/// A record-level failure: nothing can be mapped from this record.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum MappingError {
    #[error("expected {expected} at {path}, found {found}")]
    InputInvalid {
        path: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("{}", no_identity_message(unreadable))]
    NoIdentity {
        uid: Option<String>,
        /// Each email or phone value the person has that could not be read.
        unreadable: Vec<Unreadable>,
    },
    #[error("the GHL contact has no email, and Outseta requires one for every person")]
    NoEmail { id: Option<String> },
    #[error("the mapping spec is invalid: {count} problem(s), the first at {first}")]
    SpecInvalid {
        count: usize,
        first: String,
        problems: Vec<Problem>,
    },
    #[error(transparent)]
    TooManyTags(#[from] crate::model::TooManyTags),
}

impl CodedError for MappingError {
    fn code(&self) -> &'static str {
        match self {
            MappingError::InputInvalid { .. } => "INPUT_INVALID",
            MappingError::NoIdentity { .. } => "MAPPING_NO_IDENTITY",
            MappingError::NoEmail { .. } => "MAPPING_NO_IDENTITY",
            MappingError::SpecInvalid { .. } => "MAPPING_INVALID",
            MappingError::TooManyTags(e) => e.code(),
        }
    }

    fn details(&self) -> Value {
        match self {
            MappingError::InputInvalid {
                path,
                expected,
                found,
            } => {
                json!({ "path": path, "expected": expected, "found": found })
            }
            MappingError::NoIdentity { uid, unreadable } => {
                json!({ "uid": uid, "requiredOneOf": GHL_IDENTITY_FIELDS, "unreadable": unreadable })
            }
            MappingError::NoEmail { id } => json!({ "id": id, "requiredOneOf": ["Email"] }),
            MappingError::SpecInvalid { problems, .. } => json!({ "problems": problems }),
            MappingError::TooManyTags(e) => e.details(),
        }
    }
}

/// A value of an identity field (email, phone) that the mapping could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    /// `email` or `phone`.
    pub field: String,
    /// Where the value was read, `$.PhoneMobile`.
    pub path: String,
    pub value: Value,
    pub reason: String,
}

fn no_identity_message(unreadable: &[Unreadable]) -> String {
    if unreadable.is_empty() {
        return "the person has neither an email nor a phone, so no GHL contact can be matched to it"
            .to_owned();
    }
    let list = |field: &str| {
        let items: Vec<String> = unreadable
            .iter()
            .filter(|u| u.field == field)
            .map(|u| {
                let path = u.path.strip_prefix("$.").unwrap_or(&u.path);
                format!("{path} {} ({})", shown(&u.value), u.reason)
            })
            .collect();
        items.join(", ")
    };
    let (email, phone) = (list("email"), list("phone"));
    let email = if email.is_empty() {
        "the person has no email".to_owned()
    } else {
        format!("the person's email could not be read: {email}")
    };
    let phone = if phone.is_empty() {
        "and no phone".to_owned()
    } else {
        format!("and no phone could be read: {phone}")
    };
    format!("{email}, {phone}")
}

/// A value as a message shows it: its JSON text, cut short past 60 characters.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// Whether a GHL payload carries a field GHL can match a contact on.
pub fn has_identity(payload: &Map<String, Value>) -> bool {
    GHL_IDENTITY_FIELDS.iter().any(|f| payload.contains_key(*f))
}

impl MappingError {
    /// The refusal of a person whose payload has no identity field, naming each email
    /// and phone value of `errors` (the person's field errors) that could not be read.
    pub fn no_identity(uid: Option<String>, errors: &[FieldError]) -> MappingError {
        let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
        let mut unreadable = Vec::new();
        for e in errors
            .iter()
            .filter(|e| GHL_IDENTITY_FIELDS.contains(&e.field.as_str()))
        {
            let tried = e.details.get("tried").and_then(Value::as_array);
            for t in tried.map_or_else(|| std::slice::from_ref(&e.details), Vec::as_slice) {
                unreadable.push(Unreadable {
                    field: e.field.clone(),
                    path: text(t, "path").unwrap_or_else(|| "$".to_owned()),
                    value: t.get("value").cloned().unwrap_or(Value::Null),
                    reason: text(t, "reason").unwrap_or_else(|| e.message.clone()),
                });
            }
        }
        MappingError::NoIdentity { uid, unreadable }
    }

    pub fn spec_invalid(problems: Vec<Problem>) -> MappingError {
        MappingError::SpecInvalid {
            count: problems.len(),
            first: problems
                .first()
                .map_or_else(|| "$".to_owned(), |p| p.path.clone()),
            problems,
        }
    }

    /// `{ code, message, details }`, as batch results report it.
    pub fn to_json(&self) -> Value {
        crate::error::error_json(self)
    }
}

/// One field of one record that could not be mapped; the rest of the record still is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    /// The canonical (GHL) field, e.g. `phone` or `customFields.contact.plan`.
    pub field: String,
    pub code: &'static str,
    pub message: String,
    pub details: Value,
}

impl FieldError {
    fn new(field: &str, code: &'static str, message: String, details: Value) -> FieldError {
        FieldError {
            field: field.to_owned(),
            code,
            message,
            details,
        }
    }
}

/// An Outseta Person (or a GHL contact) in canonical form, plus what the tag rules
/// decided and the fields that failed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapped {
    pub contact: Contact,
    pub tags_add: Tags,
    pub tags_remove: Tags,
    pub errors: Vec<FieldError>,
}

/// Reads a dotted path (`MailingAddress.City`, `PersonAccount.0.Account.Uid`).
pub fn get_path<'v>(record: &'v Value, path: &str) -> Option<&'v Value> {
    // Most paths are one key: read it without splitting.
    if !path.contains('.') {
        return match record {
            Value::Object(o) => o.get(path),
            Value::Array(a) => path.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
    }
    path.split('.').try_fold(record, |v, seg| match v {
        Value::Object(o) => o.get(seg),
        Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// Writes a dotted path into an object, creating the objects on the way.
fn set_path(record: &mut Map<String, Value>, path: &str, value: Value) {
    let mut segments = path.split('.').peekable();
    let mut node = record;
    while let Some(seg) = segments.next() {
        if segments.peek().is_none() {
            node.insert(seg.to_owned(), value);
            return;
        }
        let next = node
            .entry(seg.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !next.is_object() {
            *next = Value::Object(Map::new());
        }
        match next {
            Value::Object(o) => node = o,
            _ => return,
        }
    }
}

fn target_type(field: &str, ctx: &Context) -> Ty {
    match field_ref(field) {
        Some(FieldRef::Standard(def)) => match def.ty {
            crate::model::FieldType::String => Ty::String,
            crate::model::FieldType::Boolean => Ty::Boolean,
            crate::model::FieldType::Any => Ty::Any,
        },
        Some(FieldRef::Custom(key)) => ctx.custom_field(key).map_or(Ty::Any, |d| d.ty()),
        None => Ty::Any,
    }
}

fn type_error(field: &str, path: &str, expected: Ty, found: &Value) -> FieldError {
    FieldError::new(
        field,
        "INPUT_INVALID",
        format!(
            "expected {} at {path}, found {}",
            expected.name(),
            json_type_name(found)
        ),
        json!({
            "path": path, "expected": expected.name(), "found": json_type_name(found),
            "value": found, "reason": format!("expected {}, found {}", expected.name(), json_type_name(found)),
        }),
    )
}

/// Runs a rule's transforms over one value; on a refusal, which transform and why.
fn apply_chain(
    transforms: &[Transform],
    mut value: Value,
    sources: &[&Value],
    lookup: &dyn Fn(&str) -> Option<Value>,
) -> Result<Value, (usize, String)> {
    for (i, t) in transforms.iter().enumerate() {
        value = t
            .apply(value, sources, lookup)
            .map_err(|reason| (i, reason))?;
    }
    Ok(value)
}

/// A rule's transforms refused the value read from source `first` (the first non-empty
/// one; `None`: every source was empty) with `refused`. With `retry` (several sources and
/// no transform that reads them all), the later non-empty sources are tried in order and
/// the first value the transforms accept is the rule's value. Otherwise the field error
/// names the raw value of each source tried and why. Runs only after a refusal, so it
/// reads the sources again rather than keeping a copy of each on the way.
#[cold]
fn retry_sources(
    raw: &dyn Fn(usize) -> Value,
    rule: &spec::FieldRule,
    first: Option<usize>,
    refused: (usize, String),
    retry: bool,
    lookup: &dyn Fn(&str) -> Option<Value>,
) -> Result<Value, FieldError> {
    let at = first.unwrap_or(0);
    let (failed, reason) = refused;
    let mut tried = vec![(at, first.map_or(Value::Null, raw), failed, reason)];
    if retry {
        for i in at + 1..rule.outseta.len() {
            let value = raw(i);
            if is_empty(&value) {
                continue;
            }
            match apply_chain(&rule.to_ghl, value.clone(), &[], lookup) {
                Ok(v) => return Ok(v),
                Err((t, reason)) => tried.push((i, value, t, reason)),
            }
        }
    }
    let path = |i: usize| rule.outseta.get(i).map(|p| format!("$.{p}"));
    let name = |t: usize| rule.to_ghl.get(t).map_or("transform", Transform::name);
    let why = |t: usize, value: &Value, reason: &str| {
        rule.to_ghl
            .get(t)
            .map_or_else(|| reason.to_owned(), |tr| tr.failure(value, reason))
    };
    let (_, value, failed, reason) = &tried[0];
    let mut details = json!({
        "path": path(at), "transform": name(*failed), "value": value, "reason": reason,
    });
    let message = if tried.len() == 1 {
        format!("{}: {}", name(*failed), why(*failed, value, reason))
    } else {
        let list: Vec<String> = tried
            .iter()
            .map(|(i, value, _, reason)| {
                let source = rule.outseta.get(*i).map_or("?", String::as_str);
                format!("{source} {} ({reason})", shown(value))
            })
            .collect();
        format!(
            "{}: no source could be read: {}",
            name(*failed),
            list.join(", ")
        )
    };
    if retry {
        details["tried"] = tried
            .iter()
            .map(|(i, value, _, reason)| json!({ "path": path(*i), "value": value, "reason": reason }))
            .collect();
    }
    Err(FieldError::new(
        &rule.ghl,
        "TRANSFORM_FAILED",
        message,
        details,
    ))
}

/// Values read by path from one record, each path read once: tag rules test the same
/// field again and again (`Account.AccountStage` in one rule for each stage).
struct PathCache<'s, 'v, R: Record + ?Sized> {
    record: &'v R,
    read: Vec<(&'s str, Option<Cow<'v, Value>>)>,
}

impl<'s, 'v, R: Record + ?Sized> PathCache<'s, 'v, R> {
    /// The value at `path`, `None` when it is missing or null.
    fn get(&mut self, path: &'s str) -> Option<&Value> {
        let at = match self.read.iter().position(|(p, _)| *p == path) {
            Some(at) => at,
            None => {
                self.read.push((path, self.record.get_path(path)));
                self.read.len() - 1
            }
        };
        self.read[at].1.as_deref().filter(|v| !v.is_null())
    }
}

fn evaluate<'s, R: Record + ?Sized>(
    cond: &'s Condition,
    record: &mut PathCache<'s, '_, R>,
    now: Option<i64>,
) -> Result<bool, String> {
    let same = |a: &Value, b: &Value| {
        a == b
            || matches!((a, b), (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64())
            || matches!((a, b), (Value::String(s), Value::Number(n)) | (Value::Number(n), Value::String(s)) if s.trim() == n.to_string())
    };
    Ok(match cond {
        Condition::Equals(p, v) => record.get(p).is_some_and(|x| same(x, v)),
        Condition::In(p, vs) => record.get(p).is_some_and(|x| vs.iter().any(|v| same(x, v))),
        Condition::Exists(p, want) => record.get(p).is_some_and(|v| !is_empty(v)) == *want,
        Condition::OlderThanDays(p, days) | Condition::WithinDays(p, days) => {
            let now = now.ok_or("activity conditions need context.now")?;
            match record
                .get(p)
                .and_then(|v| parse_date(v, DateFormat::Auto).ok())
            {
                None => false,
                Some(ms) => {
                    let older = now - ms > days * 86_400_000;
                    matches!(cond, Condition::OlderThanDays(..)) == older
                }
            }
        }
        Condition::All(cs) => {
            for c in cs {
                if !evaluate(c, record, now)? {
                    return Ok(false);
                }
            }
            true
        }
        Condition::Any(cs) => {
            for c in cs {
                if evaluate(c, record, now)? {
                    return Ok(true);
                }
            }
            false
        }
        Condition::Not(c) => !evaluate(c, record, now)?,
    })
}

/// Maps one Outseta Person to canonical form (the GHL side of each rule).
pub fn outseta_to_canonical<R: Record + ?Sized>(
    person: &R,
    spec: &Spec,
    ctx: &Context,
) -> Result<Mapped, MappingError> {
    if !person.is_object() {
        return Err(MappingError::InputInvalid {
            path: "$".to_owned(),
            expected: "object",
            found: person.type_name(),
        });
    }
    // Moved out of an owned (Lean) value, copied from a borrowed one: one String each.
    let text = |k: &str| match person.get_path(k)? {
        Cow::Owned(Value::String(s)) => Some(s),
        v => v.as_str().map(str::to_owned),
    };
    let mut out = Mapped::default();
    out.contact.links.outseta_uid = text("Uid");
    out.contact.created_at = text("Created");
    out.contact.updated_at = text("Updated");
    // The `e164` transform places national numbers by the person's own country.
    let lookup = |p: &str| {
        let p = if p == transform::COUNTRY {
            OUTSETA_COUNTRY
        } else {
            p
        };
        person.get_path(p).map(Cow::into_owned)
    };
    let lookup: &dyn Fn(&str) -> Option<Value> = &lookup;
    'rules: for rule in spec.fields.iter().filter(|r| r.direction.to_ghl()) {
        const NULL: &Value = &Value::Null;
        // Rules have one source or a few: those are read into a buffer on the stack
        // rather than a new Vec for every rule of every record.
        let mut few: [Option<Cow<Value>>; 4] = [None, None, None, None];
        let mut few_refs = [NULL; 4];
        let many: Vec<Option<Cow<Value>>>;
        let many_refs: Vec<&Value>;
        let sources: &[&Value] = if rule.outseta.len() <= few.len() {
            for (slot, p) in few.iter_mut().zip(&rule.outseta) {
                *slot = person.get_path(p);
            }
            for (r, v) in few_refs.iter_mut().zip(&few) {
                *r = v.as_deref().unwrap_or(NULL);
            }
            &few_refs[..rule.outseta.len()]
        } else {
            many = rule.outseta.iter().map(|p| person.get_path(p)).collect();
            many_refs = many.iter().map(|v| v.as_deref().unwrap_or(NULL)).collect();
            &many_refs
        };
        // Wrong types are errors even in a fallback source: the data is not what the
        // spec says it is.
        let want = rule
            .to_ghl
            .first()
            .map_or_else(|| target_type(&rule.ghl, ctx), |t| t.input());
        for (p, v) in rule.outseta.iter().zip(sources) {
            if !v.is_null() && !Ty::of(v).fits(want) {
                out.errors
                    .push(type_error(&rule.ghl, &format!("$.{p}"), want, v));
                continue 'rules;
            }
        }
        let first = sources.iter().position(|v| !is_empty(v));
        // Only `joinName` reads the sources again: without it, the value read is
        // moved into place rather than copied.
        let reads_sources = rule.to_ghl.iter().any(Transform::reads_sources);
        let (value, sources) = if reads_sources || rule.outseta.len() > few.len() {
            (first.map_or(Value::Null, |i| sources[i].clone()), sources)
        } else {
            let value = first
                .and_then(|i| few[i].take())
                .map_or(Value::Null, Cow::into_owned);
            (value, &[][..])
        };
        let value = match apply_chain(&rule.to_ghl, value, sources, lookup) {
            Ok(v) => v,
            // A refused value: a rule with several sources tries the next one.
            Err(refused) => {
                let retry = rule.outseta.len() > 1 && !reads_sources;
                let raw = |i: usize| {
                    rule.outseta
                        .get(i)
                        .and_then(|p| person.get_path(p))
                        .map_or(Value::Null, Cow::into_owned)
                };
                match retry_sources(&raw, rule, first, refused, retry, lookup) {
                    Ok(v) => v,
                    Err(e) => {
                        out.errors.push(e);
                        continue 'rules;
                    }
                }
            }
        };
        if is_empty(&value) {
            continue;
        }
        let target = target_type(&rule.ghl, ctx);
        if !Ty::of(&value).fits(target) {
            out.errors.push(FieldError::new(
                &rule.ghl,
                "TYPE_MISMATCH",
                format!(
                    "{} holds a {}, the rule produced a {}",
                    rule.ghl,
                    target.name(),
                    json_type_name(&value)
                ),
                json!({ "expected": target.name(), "found": json_type_name(&value), "value": value }),
            ));
            continue;
        }
        out.contact.set(&rule.ghl, value);
    }
    if spec.auto_custom_fields && ctx.ghl_custom_fields.is_some() {
        // Keys are judged before their values are read: a Lean person converts only the
        // values of keys that name a GHL custom field.
        let keep = |key: &str| {
            !key.starts_with('_')
                && outseta_field(key).is_none()
                && ctx
                    .custom_field(&auto_custom_key(key)[CUSTOM_PREFIX.len()..])
                    .is_some()
        };
        person.for_each_entry(&keep, &mut |key, value| {
            let canonical = auto_custom_key(key);
            if !is_empty(&value) && !out.contact.fields.contains_key(&canonical) {
                out.contact.set(&canonical, value.into_owned());
            }
        });
    }
    let mut paths = PathCache {
        record: person,
        read: Vec::new(),
    };
    for (i, rule) in spec.tags.iter().enumerate() {
        match evaluate(&rule.when, &mut paths, ctx.now_ms) {
            Ok(true) => {
                for t in &rule.add {
                    out.tags_remove.remove(t);
                    out.tags_add.insert(t.clone());
                }
                for t in &rule.remove {
                    out.tags_add.remove(t);
                    out.tags_remove.insert(t.clone());
                }
            }
            Ok(false) => {}
            Err(reason) => out.errors.push(FieldError::new(
                "tags",
                "CONTEXT_MISSING",
                format!("tag rule {i}: {reason}"),
                json!({ "rule": format!("$.tags[{i}]") }),
            )),
        }
    }
    out.contact.tags = out.tags_add.clone();
    Ok(out)
}

/// Reads a GHL contact into canonical form.
pub fn ghl_to_canonical(contact: &Value, ctx: &Context) -> Result<Contact, MappingError> {
    ghl_to_canonical_keyed(contact, &ctx.keys_by_id())
}

/// `ghl_to_canonical` with the context's custom field keys by id already read (a batch
/// reads them once).
pub fn ghl_to_canonical_keyed(
    contact: &Value,
    keys_by_id: &BTreeMap<String, String>,
) -> Result<Contact, MappingError> {
    let obj = contact
        .as_object()
        .ok_or_else(|| MappingError::InputInvalid {
            path: "$".to_owned(),
            expected: "object",
            found: json_type_name(contact),
        })?;
    Ok(crate::ghl::read::contact(obj, keys_by_id)?)
}

/// Whether a GHL payload is for a new contact (every field) or an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadKind {
    Create,
    Update,
}

/// Builds a GHL payload from canonical fields: `fields` is what to write (`Null` clears
/// a field, on updates). Custom fields need the location's definitions to find ids;
/// `tags` are included only when given (creates; updates change tags through the tag
/// endpoints, since a PUT's `tags` would overwrite them all).
pub fn ghl_payload<'a, K: AsRef<str> + ?Sized + 'a>(
    fields: impl IntoIterator<Item = (&'a K, &'a Value)>,
    tags: Option<&Tags>,
    kind: PayloadKind,
    ctx: &Context,
    errors: &mut Vec<FieldError>,
) -> Map<String, Value> {
    let mut out = Map::new();
    let mut custom = Vec::new();
    for (field, value) in fields {
        let field = field.as_ref();
        match field_ref(field) {
            Some(FieldRef::Standard(def)) => {
                if kind == PayloadKind::Update && !def.updatable {
                    errors.push(FieldError::new(
                        field,
                        "FIELD_NOT_UPDATABLE",
                        format!(
                            "GHL takes {field} on create only (UpdateContactDto has no {field})"
                        ),
                        json!({ "value": value }),
                    ));
                    continue;
                }
                let value = match value {
                    Value::Null if !def.nullable => Value::String(String::new()),
                    v => v.clone(),
                };
                out.insert(field.to_owned(), value);
            }
            Some(FieldRef::Custom(key)) => {
                // The official DTOs type numeric field values oddly ("object"); GHL
                // takes numbers as text, which every DTO variant accepts.
                let v = match value {
                    Value::Null => Value::String(String::new()),
                    Value::Number(n) => Value::String(n.to_string()),
                    Value::Bool(b) => Value::String(b.to_string()),
                    v => v.clone(),
                };
                match ctx.custom_field(key) {
                    Some(def) => custom.push(json!({ "id": def.id, "field_value": v })),
                    // Written by key: the Plan creates the definition first, and the
                    // executor puts its id in.
                    None if ctx.create_missing_custom_fields && !is_empty(value) => {
                        custom.push(json!({ "key": key, "field_value": v }))
                    }
                    None => errors.push(FieldError::new(
                        field,
                        "CUSTOM_FIELD_UNRESOLVED",
                        match &ctx.ghl_custom_fields {
                            Some(_) => format!("the location has no custom field {key:?}: create it in HighLevel (Settings › Custom Fields) or set createMissingCustomFields"),
                            None => format!("no id for custom field key {key:?}: the location's custom field definitions are not known (context.ghlCustomFields)"),
                        },
                        json!({ "key": key, "value": value }),
                    )),
                }
            }
            None => errors.push(FieldError::new(
                field,
                "UNKNOWN_FIELD",
                format!("{field} is not a GHL contact field"),
                json!({ "value": value }),
            )),
        }
    }
    if !custom.is_empty() {
        out.insert("customFields".to_owned(), Value::Array(custom));
    }
    if let Some(tags) = tags.filter(|t| !t.is_empty()) {
        out.insert("tags".to_owned(), tag_list(tags));
    }
    if kind == PayloadKind::Create {
        if let Some(location) = &ctx.location_id {
            out.insert("locationId".to_owned(), Value::String(location.clone()));
        }
    }
    out
}

/// Builds an Outseta Person payload (PascalCase, nested where the path says) from
/// canonical fields. `fields` limits it to those fields (`None`: every mapped field);
/// a field absent from the contact is written as `null` (cleared) only when listed.
pub fn outseta_payload(
    contact: &Contact,
    only: Option<&BTreeSet<String>>,
    spec: &Spec,
    ctx: &Context,
    errors: &mut Vec<FieldError>,
) -> Map<String, Value> {
    let mut out = Map::new();
    let lookup = |p: &str| contact.fields.get(p).cloned();
    let mut written: BTreeSet<&str> = BTreeSet::new();
    // A nested object (MailingAddress) is sent whole when any of its fields changes:
    // Outseta's PUT replaces what it is given, so a lone City would blank the street.
    let nested = |rule: &spec::FieldRule| {
        rule.outseta
            .first()
            .and_then(|p| p.split_once('.'))
            .map(|(head, _)| head.to_owned())
    };
    let touched: BTreeSet<String> = match only {
        Some(o) => spec
            .fields
            .iter()
            .filter(|r| r.direction.to_outseta() && o.contains(&r.ghl))
            .filter_map(nested)
            .collect(),
        None => BTreeSet::new(),
    };
    'rules: for rule in spec.fields.iter().filter(|r| r.direction.to_outseta()) {
        let sibling = nested(rule).is_some_and(|h| touched.contains(&h));
        if only.is_some_and(|o| !o.contains(&rule.ghl)) && !sibling {
            continue;
        }
        let Some(path) = rule.outseta.first() else {
            continue;
        };
        written.insert(&rule.ghl);
        if !outseta_holds(path, ctx) {
            if let Some(value) = contact.fields.get(&rule.ghl) {
                errors.push(FieldError::new(
                    &rule.ghl,
                    "OUTSETA_PROPERTY_UNKNOWN",
                    format!("Outseta has no custom person property {path:?}: add it in Outseta (Settings › Custom Properties) or change the mapping"),
                    json!({ "path": format!("$.{path}"), "value": value }),
                ));
            }
            continue;
        }
        let mut value = contact
            .fields
            .get(&rule.ghl)
            .cloned()
            .unwrap_or(Value::Null);
        // Empty: written (as a clear) only when this very field changed.
        if value.is_null() && !only.is_some_and(|o| o.contains(&rule.ghl)) {
            continue;
        }
        for t in &rule.to_outseta {
            match t.apply(value, &[], &lookup) {
                Ok(v) => value = v,
                Err(reason) => {
                    let raw = contact
                        .fields
                        .get(&rule.ghl)
                        .cloned()
                        .unwrap_or(Value::Null);
                    errors.push(FieldError::new(
                        &rule.ghl,
                        "TRANSFORM_FAILED",
                        format!("{} toward Outseta: {}", t.name(), t.failure(&raw, &reason)),
                        json!({ "path": format!("$.{path}"), "transform": t.name(), "value": raw, "reason": reason }),
                    ));
                    continue 'rules;
                }
            }
        }
        let value = if is_empty(&value) { Value::Null } else { value };
        set_path(&mut out, path, value);
    }
    if spec.auto_custom_fields && ctx.ghl_custom_fields.is_some() {
        let candidates: Vec<&str> = match only {
            Some(o) => o.iter().map(String::as_str).collect(),
            None => contact.fields.keys().map(|k| k.as_str()).collect(),
        };
        for field in candidates {
            let Some(snake) = field
                .strip_prefix(CUSTOM_PREFIX)
                .and_then(|k| k.strip_prefix("contact."))
            else {
                continue;
            };
            if written.contains(field) || ctx.custom_field(&field[CUSTOM_PREFIX.len()..]).is_none()
            {
                continue;
            }
            let pascal: String = snake
                .split('_')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect();
            if pascal.is_empty()
                || auto_custom_key(&pascal) != field
                || !outseta_holds(&pascal, ctx)
            {
                continue;
            }
            out.insert(
                pascal,
                contact.fields.get(field).cloned().unwrap_or(Value::Null),
            );
        }
    }
    out
}

/// Whether Outseta can hold a person path: a standard field always; a custom property
/// only if Outseta's definitions (when known) list it.
pub fn outseta_holds(path: &str, ctx: &Context) -> bool {
    let head = path.split('.').next().unwrap_or(path);
    outseta_field(head).is_some()
        || ctx
            .outseta_properties
            .as_ref()
            .is_none_or(|props| props.iter().any(|p| p == head))
}

/// The result of previewing one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<Map<String, Value>>,
    pub errors: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
}

/// Maps one Outseta Person to a GHL create payload, with its field errors.
pub fn preview_to_ghl(
    person: &Value,
    spec: &Spec,
    ctx: &Context,
) -> Result<(Map<String, Value>, Vec<FieldError>), MappingError> {
    let mut mapped = outseta_to_canonical(person, spec, ctx)?;
    let payload = ghl_payload(
        &mapped.contact.fields,
        Some(&mapped.tags_add),
        PayloadKind::Create,
        ctx,
        &mut mapped.errors,
    );
    if !has_identity(&payload) {
        let uid = person.get("Uid").and_then(Value::as_str).map(str::to_owned);
        return Err(MappingError::no_identity(uid, &mapped.errors));
    }
    Ok((payload, mapped.errors))
}

/// Maps one GHL contact to an Outseta Person payload, with its field errors.
pub fn preview_to_outseta(
    contact: &Value,
    spec: &Spec,
    ctx: &Context,
) -> Result<(Map<String, Value>, Vec<FieldError>), MappingError> {
    let canonical = ghl_to_canonical(contact, ctx)?;
    let mut errors = Vec::new();
    let payload = outseta_payload(&canonical, None, spec, ctx, &mut errors);
    if payload.get("Email").is_none_or(Value::is_null) {
        return Err(MappingError::NoEmail {
            id: canonical.links.ghl_id,
        });
    }
    Ok((payload, errors))
}

/// Previews a batch in one direction; one bad record never fails the batch.
pub fn preview(
    records: &[Value],
    spec: &Spec,
    ctx: &Context,
    direction: Direction,
) -> Vec<Preview> {
    records
        .iter()
        .map(|record| {
            let result = if direction == Direction::ToOutseta {
                preview_to_outseta(record, spec, ctx)
            } else {
                preview_to_ghl(record, spec, ctx)
            };
            match result {
                Ok((payload, errors)) => Preview {
                    ok: true,
                    payload: Some(payload),
                    errors,
                    error: None,
                },
                Err(e) => Preview {
                    ok: false,
                    payload: None,
                    errors: Vec::new(),
                    error: Some(e.to_json()),
                },
            }
        })
        .collect()
}

/// Maps one Outseta Person to a GHL contact payload with the built-in spec, strictly:
/// the first field error fails the record (what `mapContact` promises).
pub fn map_person_to_ghl(person: &Value) -> Result<Map<String, Value>, MappingError> {
    let ctx = Context::default();
    let mut mapped = outseta_to_canonical(person, builtin(), &ctx)?;
    let payload = ghl_payload(
        &mapped.contact.fields,
        Some(&mapped.tags_add),
        PayloadKind::Create,
        &ctx,
        &mut mapped.errors,
    );
    // A field of the wrong shape fails the record before anything else is judged; then
    // a person GHL cannot match is refused, naming the values that could not be read.
    let wrong_shape = |e: &FieldError| e.code == "INPUT_INVALID";
    if !mapped.errors.iter().any(wrong_shape) && !has_identity(&payload) {
        let uid = person.get("Uid").and_then(Value::as_str).map(str::to_owned);
        return Err(MappingError::no_identity(uid, &mapped.errors));
    }
    let first = mapped.errors.iter().position(wrong_shape).unwrap_or(0);
    if let Some(e) = mapped.errors.into_iter().nth(first) {
        let path = e
            .details
            .get("path")
            .and_then(Value::as_str)
            .unwrap_or("$")
            .to_owned();
        let name = |key: &str, fallback: &'static str| -> &'static str {
            match e.details.get(key).and_then(Value::as_str) {
                Some("string") => "string",
                Some("number") => "number",
                Some("boolean") => "boolean",
                Some("array") => "array",
                Some("object") => "object",
                _ => fallback,
            }
        };
        return Err(MappingError::InputInvalid {
            expected: name("expected", "a value its transforms accept"),
            found: name("found", "a value its transforms refuse"),
            path,
        });
    }
    if !has_identity(&payload) {
        let uid = person.get("Uid").and_then(Value::as_str).map(str::to_owned);
        return Err(MappingError::no_identity(uid, &[]));
    }
    Ok(payload)
}

/// Maps a GHL-side record for the merge: every mapped field, keyed canonically.
pub fn mapped_fields(contact: &Contact, routes: &BTreeMap<String, Direction>) -> Fields {
    contact
        .fields
        .iter()
        .filter(|(k, _)| routes.contains_key(k.as_str()) || k.starts_with(CUSTOM_PREFIX))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

// Native only (proptest); the wasm tests live in tests/wasm.rs.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

/// `previewMapping`'s options: `{ direction?: "toGhl" | "toOutseta", context? }`.
pub fn preview_batch(
    records: &Value,
    spec: Option<&Value>,
    options: Option<&Value>,
) -> Result<Vec<Preview>, MappingError> {
    let records = records
        .as_array()
        .ok_or_else(|| MappingError::InputInvalid {
            path: "$".to_owned(),
            expected: "array",
            found: json_type_name(records),
        })?;
    let options = options.filter(|o| !o.is_null());
    if let Some(o) = options.filter(|o| !o.is_object()) {
        return Err(MappingError::InputInvalid {
            path: "$options".to_owned(),
            expected: "object",
            found: json_type_name(o),
        });
    }
    let direction = match options.and_then(|o| o.get("direction")) {
        None | Some(Value::Null) => Direction::ToGhl,
        Some(Value::String(d)) if d == "toGhl" => Direction::ToGhl,
        Some(Value::String(d)) if d == "toOutseta" => Direction::ToOutseta,
        Some(other) => {
            return Err(MappingError::spec_invalid(vec![Problem {
                path: "$options.direction".to_owned(),
                code: "INVALID_VALUE",
                message: format!("direction must be \"toGhl\" or \"toOutseta\", found {other}"),
            }]))
        }
    };
    let ctx = parse_context(options.and_then(|o| o.get("context")))
        .map_err(MappingError::spec_invalid)?;
    let spec = match spec.filter(|s| !s.is_null()) {
        None => default_spec(),
        Some(s) => parse(s, &ctx).map_err(MappingError::spec_invalid)?,
    };
    Ok(preview(records, &spec, &ctx, direction))
}

/// `validateMapping`: every problem of a spec (and of its context), never an error.
pub fn validate(spec: &Value, context: Option<&Value>) -> Vec<Problem> {
    match parse_context(context) {
        Err(problems) => problems,
        Ok(ctx) => parse(spec, &ctx).err().unwrap_or_default(),
    }
}
