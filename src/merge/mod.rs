//! Field-level three-way merge of a linked pair against its base snapshot (the last
//! synced canonical state), the per-field conflict policies, and echo hashes.
//!
//! For each field: changed on one side only -> take it; both changed to the same value
//! -> nothing to do; both changed differently -> the field's policy decides (or holds the
//! field for review, writing nothing for it). Tags are a set: additions and removals
//! from both sides all survive. Same inputs, same result: no clocks, no randomness.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::json_type_name;
use crate::mapping::{Direction, Problem};
use crate::model::date::parse_iso;
use crate::model::{is_empty, Contact, Fields, Tags};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Strategy {
    OutsetaWins,
    GhlWins,
    /// The side whose record changed last wins, unless the two times are within the
    /// clock-skew tolerance (or one is missing): then the field is held for review.
    NewestWins,
    Review,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldPolicy {
    pub strategy: Strategy,
    /// In a conflict, a side that emptied the field loses to a side that set it.
    pub never_erase: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub default: FieldPolicy,
    pub fields: BTreeMap<String, FieldPolicy>,
    pub clock_skew_ms: i64,
    /// Also leave a note on the GHL contact when a field is held for review.
    pub note_on_review: bool,
    /// Also open a GHL task for the review (completed once no conflict is left).
    pub task_on_review: bool,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            default: FieldPolicy {
                strategy: Strategy::NewestWins,
                never_erase: true,
            },
            fields: BTreeMap::new(),
            clock_skew_ms: 300_000,
            note_on_review: false,
            task_on_review: false,
        }
    }
}

impl Policy {
    pub fn for_field(&self, field: &str) -> FieldPolicy {
        self.fields.get(field).copied().unwrap_or(self.default)
    }
}

fn parse_field_policy(
    path: &str,
    value: &Value,
    problems: &mut Vec<Problem>,
) -> Option<FieldPolicy> {
    let strategy = |name: &str| match name {
        "outsetaWins" => Some(Strategy::OutsetaWins),
        "ghlWins" => Some(Strategy::GhlWins),
        "newestWins" => Some(Strategy::NewestWins),
        "review" => Some(Strategy::Review),
        _ => None,
    };
    let bad = |problems: &mut Vec<Problem>, p: String, found: &Value| {
        problems.push(Problem {
            path: p,
            code: "INVALID_VALUE",
            message: format!(
                "a policy is \"outsetaWins\", \"ghlWins\", \"newestWins\" or \"review\" (or {{\"strategy\", \"neverErase\"}}), found {found}"
            ),
        })
    };
    match value {
        Value::String(s) => match strategy(s) {
            Some(strategy) => Some(FieldPolicy {
                strategy,
                never_erase: true,
            }),
            None => {
                bad(problems, path.to_owned(), value);
                None
            }
        },
        Value::Object(o) => {
            let s = o.get("strategy").and_then(Value::as_str).and_then(strategy);
            let never_erase = match o.get("neverErase") {
                None => Some(true),
                Some(Value::Bool(b)) => Some(*b),
                Some(_) => None,
            };
            for k in o.keys().filter(|k| *k != "strategy" && *k != "neverErase") {
                problems.push(Problem {
                    path: format!("{path}.{k}"),
                    code: "UNKNOWN_PROPERTY",
                    message: format!("unknown property {k:?}; expected strategy, neverErase"),
                });
            }
            match (s, never_erase) {
                (Some(strategy), Some(never_erase)) => Some(FieldPolicy {
                    strategy,
                    never_erase,
                }),
                _ => {
                    bad(problems, path.to_owned(), value);
                    None
                }
            }
        }
        other => {
            bad(problems, path.to_owned(), other);
            None
        }
    }
}

/// Reads a policy: `{ default?, fields?: {field: policy}, clockSkewMs?, noteOnReview?,
/// taskOnReview? }`, where a policy is a strategy name or `{strategy, neverErase}`.
pub fn parse_policy(value: Option<&Value>) -> Result<Policy, Vec<Problem>> {
    let mut policy = Policy::default();
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(policy);
    };
    let mut problems = Vec::new();
    let Some(obj) = value.as_object() else {
        return Err(vec![Problem {
            path: "$policy".to_owned(),
            code: "TYPE_MISMATCH",
            message: format!("expected a policy object, found {}", json_type_name(value)),
        }]);
    };
    for (key, v) in obj {
        let path = format!("$policy.{key}");
        match (key.as_str(), v) {
            ("default", v) => {
                if let Some(p) = parse_field_policy(&path, v, &mut problems) {
                    policy.default = p;
                }
            }
            ("fields", Value::Object(fields)) => {
                for (field, v) in fields {
                    if let Some(p) = parse_field_policy(&format!("{path}.{field}"), v, &mut problems) {
                        policy.fields.insert(field.clone(), p);
                    }
                }
            }
            ("clockSkewMs", Value::Number(n)) if n.as_i64().is_some_and(|n| n >= 0) => {
                policy.clock_skew_ms = n.as_i64().unwrap_or(policy.clock_skew_ms);
            }
            ("noteOnReview", Value::Bool(b)) => policy.note_on_review = *b,
            ("taskOnReview", Value::Bool(b)) => policy.task_on_review = *b,
            ("fields" | "clockSkewMs" | "noteOnReview" | "taskOnReview", other) => problems.push(Problem {
                path,
                code: "TYPE_MISMATCH",
                message: format!(
                    "unexpected {} ({})",
                    json_type_name(other),
                    match key.as_str() {
                        "fields" => "expected an object of field policies",
                        "clockSkewMs" => "expected milliseconds, 0 or more",
                        _ => "expected a boolean",
                    }
                ),
            }),
            (_, _) => problems.push(Problem {
                path,
                code: "UNKNOWN_PROPERTY",
                message: format!(
                    "unknown property {key:?}; expected default, fields, clockSkewMs, noteOnReview, taskOnReview"
                ),
            }),
        }
    }
    if problems.is_empty() {
        Ok(policy)
    } else {
        Err(problems)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Source {
    Outseta,
    Ghl,
    Both,
    Base,
}

/// A field both sides changed differently, held for review: nothing is written for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    pub field: String,
    pub base: Value,
    pub outseta: Value,
    pub ghl: Value,
    pub reason: String,
}

/// How one field was decided, in plain language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub field: String,
    pub taken: Source,
    pub reason: String,
}

/// The outcome of merging one pair.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Merge {
    /// The next base snapshot (held fields keep their base value).
    pub merged: Contact,
    /// Fields to write to each side (`null` clears the field).
    pub to_outseta: BTreeMap<String, Value>,
    pub to_ghl: BTreeMap<String, Value>,
    /// Tag changes for GHL (Outseta has no person tags).
    pub tags_add: Tags,
    pub tags_remove: Tags,
    pub conflicts: Vec<Conflict>,
    pub decisions: Vec<Decision>,
}

impl Merge {
    pub fn is_noop(&self) -> bool {
        self.to_outseta.is_empty()
            && self.to_ghl.is_empty()
            && self.tags_add.is_empty()
            && self.tags_remove.is_empty()
            && self.conflicts.is_empty()
    }
}

/// A field's value as a reason shows it: `empty`, a quoted string, or its JSON.
fn show(v: Option<&Value>) -> Show<'_> {
    Show(v)
}

/// Written straight into the reason being formatted (no `String` of its own).
struct Show<'a>(Option<&'a Value>);

impl std::fmt::Display for Show<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self.0 {
            None => f.write_str("empty"),
            Some(Value::String(s)) => write!(f, "{s:?}"),
            Some(v) => write!(f, "{v}"),
        }
    }
}

/// A map read at keys asked in ascending order, walking its entries once: cheaper than
/// a look-up (a search with string compares) for every key. Any map whose iterator
/// gives its entries in key order: `Fields`, a `BTreeMap<String, _>`.
pub(crate) struct InOrder<I: Iterator> {
    entries: std::iter::Peekable<I>,
}

impl<'m, K, V, I> InOrder<I>
where
    K: AsRef<str> + ?Sized + 'm,
    V: 'm,
    I: Iterator<Item = (&'m K, &'m V)>,
{
    pub(crate) fn new(map: impl IntoIterator<IntoIter = I>) -> InOrder<I> {
        InOrder {
            entries: map.into_iter().peekable(),
        }
    }

    /// The value at `key`, which must come after every key asked before.
    pub(crate) fn at(&mut self, key: &str) -> Option<&'m V> {
        while let Some(&(k, v)) = self.entries.peek() {
            match k.as_ref().cmp(key) {
                std::cmp::Ordering::Less => {
                    self.entries.next();
                }
                std::cmp::Ordering::Equal => {
                    self.entries.next();
                    return Some(v);
                }
                std::cmp::Ordering::Greater => return None,
            }
        }
        None
    }
}

/// The three-way merge. `routes` names the fields the mapping carries and the way each
/// flows (`None`: every field present, both ways); a one-way field always takes its
/// source side's value.
pub fn merge(
    base: &Contact,
    outseta: &Contact,
    ghl: &Contact,
    policy: &Policy,
    routes: Option<&BTreeMap<String, Direction>>,
) -> Merge {
    settle(
        decide(base, outseta, ghl, policy, routes),
        base.fields.clone(),
    )
}

/// `merge` for a base the caller owns and has no further use for (the Plan's): its
/// fields become the merged ones, with no copy of each value made and the base's
/// dropped. A side given as `None` is the base itself (an echo: nothing changed).
pub(crate) fn merge_owned(
    base: Contact,
    outseta: Option<&Contact>,
    ghl: Option<&Contact>,
    policy: &Policy,
    routes: Option<&BTreeMap<String, Direction>>,
) -> Merge {
    let out = decide(
        &base,
        outseta.unwrap_or(&base),
        ghl.unwrap_or(&base),
        policy,
        routes,
    );
    settle(out, base.fields)
}

/// Lays the field values `decide` staged in `out.merged.fields` (each field once, an
/// empty value meaning "cleared") over the base's fields: the next base's fields.
fn settle(mut out: Merge, base_fields: Fields) -> Merge {
    let staged = std::mem::replace(&mut out.merged.fields, base_fields);
    for (field, value) in staged {
        out.merged.set_named(field, value);
    }
    out
}

/// The merge's decisions. `out.merged.fields` holds only the values decided for the
/// next base, as staged by `settle` (never read here, so staging changes nothing).
fn decide<'a>(
    base: &'a Contact,
    outseta: &'a Contact,
    ghl: &'a Contact,
    policy: &Policy,
    routes: Option<&BTreeMap<String, Direction>>,
) -> Merge {
    // The next base's links, times and tags are set here and below (so cloning the
    // base's own would be wasted); its fields are staged, then laid over the base's.
    let mut out = Merge::default();
    out.merged.links = crate::model::Links {
        outseta_uid: outseta
            .links
            .outseta_uid
            .clone()
            .or_else(|| base.links.outseta_uid.clone()),
        ghl_id: ghl
            .links
            .ghl_id
            .clone()
            .or_else(|| base.links.ghl_id.clone()),
        ghl_location_id: ghl
            .links
            .ghl_location_id
            .clone()
            .or_else(|| base.links.ghl_location_id.clone()),
    };
    out.merged.updated_at = None;
    out.merged.created_at = base.created_at.clone();
    // Every field to merge, in order, each once (a sorted Vec: cheaper to build than a
    // set, and with routes alone already in order).
    let custom = |c: &'a Contact| {
        c.fields
            .keys()
            .map(|k| k.as_str())
            .filter(|k| k.starts_with(crate::model::CUSTOM_PREFIX))
    };
    let fields: Vec<&str> = match routes {
        // Custom fields outside the routes are merged when Outseta holds them
        // (autoCustomFields); GHL-only custom fields stay GHL's.
        Some(r) => {
            let mut fields = Vec::with_capacity(r.len() + 4);
            fields.extend(r.keys().map(String::as_str));
            // The routes come sorted; the few custom fields (mostly routed already)
            // are put in place rather than the whole list sorted again.
            for key in custom(outseta).chain(custom(base)) {
                if let Err(at) = fields.binary_search(&key) {
                    fields.insert(at, key);
                }
            }
            fields
        }
        None => {
            let mut fields: Vec<&str> = base
                .fields
                .keys()
                .chain(outseta.fields.keys())
                .chain(ghl.fields.keys())
                .map(|k| k.as_str())
                .collect();
            fields.sort_unstable();
            fields.dedup();
            fields
        }
    };
    // `fields` ascend, as every map's keys do: each map is walked once beside them.
    let (mut b_at, mut o_at, mut g_at) = (
        InOrder::new(&base.fields),
        InOrder::new(&outseta.fields),
        InOrder::new(&ghl.fields),
    );
    let mut route_at = routes.map(InOrder::new);
    for field in fields {
        let (b, o, g) = (b_at.at(field), o_at.at(field), g_at.at(field));
        let direction = route_at
            .as_mut()
            .and_then(|r| r.at(field))
            .copied()
            .unwrap_or(Direction::Both);
        let take = |out: &mut Merge, value: Option<&Value>, taken: Source, reason: String| {
            let v = value.cloned().unwrap_or(Value::Null);
            if o != value {
                out.to_outseta.insert(field.to_owned(), v.clone());
            }
            if g != value {
                out.to_ghl.insert(field.to_owned(), v.clone());
            }
            out.merged.fields.insert(field, v);
            out.decisions.push(Decision {
                field: field.to_owned(),
                taken,
                reason,
            });
        };
        // A one-way field takes its source side's value, except the source's absence
        // when the base never held a value either: a side that never had the field has
        // not deleted it, so the other side keeps what its own users put there.
        let never_held = |source: Option<&Value>| source.is_none() && b.is_none();
        match direction {
            Direction::ToGhl => {
                if o != g && !never_held(o) {
                    take(
                        &mut out,
                        o,
                        Source::Outseta,
                        format!("{field} flows Outseta -> GHL only: Outseta has {}", show(o)),
                    );
                    out.to_outseta.remove(field);
                } else if o != b || b.is_some_and(is_empty) {
                    // `merged` holds the base's fields already: setting the same value
                    // again would change nothing (unless a hand-written state stored
                    // an empty value, which setting removes).
                    out.merged
                        .fields
                        .insert(field, o.cloned().unwrap_or(Value::Null));
                }
                continue;
            }
            Direction::ToOutseta => {
                if o != g && !never_held(g) {
                    take(
                        &mut out,
                        g,
                        Source::Ghl,
                        format!("{field} flows GHL -> Outseta only: GHL has {}", show(g)),
                    );
                    out.to_ghl.remove(field);
                } else if g != b || b.is_some_and(is_empty) {
                    // `merged` holds the base's fields already: setting the same value
                    // again would change nothing (unless a hand-written state stored
                    // an empty value, which setting removes).
                    out.merged
                        .fields
                        .insert(field, g.cloned().unwrap_or(Value::Null));
                }
                continue;
            }
            Direction::Both => {}
        }
        let (o_changed, g_changed) = (o != b, g != b);
        match (o_changed, g_changed) {
            (false, false) => {}
            (true, false) => take(
                &mut out,
                o,
                Source::Outseta,
                format!(
                    "{field} changed in Outseta only ({} -> {})",
                    show(b),
                    show(o)
                ),
            ),
            (false, true) => take(
                &mut out,
                g,
                Source::Ghl,
                format!("{field} changed in GHL only ({} -> {})", show(b), show(g)),
            ),
            (true, true) if o == g => {
                out.merged
                    .fields
                    .insert(field, o.cloned().unwrap_or(Value::Null));
            }
            (true, true) => {
                let fp = policy.for_field(field);
                if fp.never_erase && (o.is_none() || g.is_none()) {
                    let (value, taken, side) = if o.is_none() {
                        (g, Source::Ghl, "Outseta")
                    } else {
                        (o, Source::Outseta, "GHL")
                    };
                    take(&mut out, value, taken, format!("{field}: {side} emptied it while the other side changed it; never erase a value with an empty one"));
                    continue;
                }
                let verdict = match fp.strategy {
                    Strategy::OutsetaWins => {
                        Ok((o, Source::Outseta, "Outseta wins by policy".to_owned()))
                    }
                    Strategy::GhlWins => Ok((g, Source::Ghl, "GHL wins by policy".to_owned())),
                    Strategy::Review => {
                        Err("the policy holds conflicts on this field for review".to_owned())
                    }
                    Strategy::NewestWins => {
                        let ot = outseta.updated_at.as_deref().and_then(parse_iso);
                        let gt = ghl.updated_at.as_deref().and_then(parse_iso);
                        match (ot, gt) {
                            (Some(ot), Some(gt)) if (ot - gt).abs() > policy.clock_skew_ms => {
                                if ot > gt {
                                    Ok((o, Source::Outseta, format!("newest wins: Outseta changed {} ms after GHL", ot - gt)))
                                } else {
                                    Ok((g, Source::Ghl, format!("newest wins: GHL changed {} ms after Outseta", gt - ot)))
                                }
                            }
                            (Some(ot), Some(gt)) => Err(format!(
                                "newest wins cannot tell: the two changes are {} ms apart, within the {} ms clock-skew tolerance",
                                (ot - gt).abs(),
                                policy.clock_skew_ms
                            )),
                            _ => Err("newest wins cannot tell: a side has no readable update time".to_owned()),
                        }
                    }
                };
                match verdict {
                    Ok((value, taken, why)) => take(
                        &mut out,
                        value,
                        taken,
                        format!(
                            "{field} changed on both sides (Outseta {}, GHL {}); {why}",
                            show(o),
                            show(g)
                        ),
                    ),
                    Err(why) => out.conflicts.push(Conflict {
                        field: field.to_owned(),
                        base: b.cloned().unwrap_or(Value::Null),
                        outseta: o.cloned().unwrap_or(Value::Null),
                        ghl: g.cloned().unwrap_or(Value::Null),
                        reason: format!(
                            "{field} changed on both sides (Outseta {}, GHL {}); {why}",
                            show(o),
                            show(g)
                        ),
                    }),
                }
            }
        }
    }
    // Tags: a set merge against the base. A base tag both sides still hold stays; one
    // either side removed goes; a tag either side added comes. Every tag of the merge
    // is on one side or the other, so it is their union less the removals.
    let mut merged_tags: Tags = outseta.tags.union(&ghl.tags).cloned().collect();
    merged_tags
        .retain(|t| !base.tags.contains(t) || (outseta.tags.contains(t) && ghl.tags.contains(t)));
    out.tags_add = merged_tags.difference(&ghl.tags).cloned().collect();
    out.tags_remove = ghl.tags.difference(&merged_tags).cloned().collect();
    if !out.tags_add.is_empty() || !out.tags_remove.is_empty() {
        out.decisions.push(Decision {
            field: "tags".to_owned(),
            taken: Source::Both,
            reason: "tags are merged as a set: additions and removals from both sides are kept"
                .to_owned(),
        });
    }
    out.merged.tags = merged_tags;
    out
}

/// FNV-1a, 64 bits: small, fast and the same on every platform. It hashes the JSON
/// text as serde_json writes it, without building the text.
struct Fnv(u64);

impl Fnv {
    /// One byte into the hash state `h`.
    #[inline]
    fn step(h: u64, b: u8) -> u64 {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.0 = bytes.iter().fold(self.0, |h, &b| Fnv::step(h, b));
    }

    /// A JSON string as serde_json writes it: quoted, with `"`, `\\` and control
    /// characters escaped (the rare string that has one is handed to serde_json).
    fn str(&mut self, s: &str) {
        let mut h = Fnv::step(self.0, b'"');
        for &b in s.as_bytes() {
            if b < 0x20 || b == b'"' || b == b'\\' {
                drop(serde_json::to_writer(&mut *self, s));
                return;
            }
            h = Fnv::step(h, b);
        }
        self.0 = Fnv::step(h, b'"');
    }
}

impl std::io::Write for Fnv {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.bytes(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A hash of what one side holds of a contact: its mapped fields, and its tags when the
/// side keeps tags. Equal hashes mean the side holds exactly what we wrote.
pub fn echo_hash<'a>(
    fields: impl IntoIterator<Item = (&'a String, &'a Value)>,
    tags: Option<&Tags>,
) -> String {
    let fields: BTreeMap<&str, &Value> = fields.into_iter().map(|(k, v)| (k.as_str(), v)).collect();
    echo_hash_sorted(fields, tags)
}

/// `echo_hash` of fields that come already in key order with no key twice (a
/// `BTreeMap`'s iterator, filtered): the same hash, without building a map to sort them.
/// `tags` is a set of tags (owned or borrowed): what counts is that it writes as the
/// same JSON array.
pub(crate) fn echo_hash_sorted<'a, T: Serialize + ?Sized>(
    fields: impl IntoIterator<Item = (&'a str, &'a Value)>,
    tags: Option<&T>,
) -> String {
    format!("fnv1a64:{:016x}", echo_fnv(fields, tags))
}

/// Whether `hash` (as stored) is `echo_hash_sorted` of these fields and tags: compared
/// as numbers, so a check for an echo does not write out a hash string.
pub(crate) fn echo_hash_is<'a, T: Serialize + ?Sized>(
    hash: &str,
    fields: impl IntoIterator<Item = (&'a str, &'a Value)>,
    tags: Option<&T>,
) -> bool {
    // Exactly 16 lower-case hex digits, as `format!("{:016x}")` writes them (from_str_radix
    // alone would also take upper case and a `+`).
    let Some(hex) = hash
        .strip_prefix("fnv1a64:")
        .filter(|h| h.len() == 16 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
    else {
        return false;
    };
    u64::from_str_radix(hex, 16) == Ok(echo_fnv(fields, tags))
}

fn echo_fnv<'a, T: Serialize + ?Sized>(
    fields: impl IntoIterator<Item = (&'a str, &'a Value)>,
    tags: Option<&T>,
) -> u64 {
    // The JSON text serde_json writes for `{"f": {fields...}, "t": tags}`, hashed as it
    // is written: names and string values that need no escape go through one loop
    // (the hash's), where serde_json scans each string for escapes and then hands it
    // over; anything else is written by serde_json itself.
    let mut fnv = Fnv(0xcbf2_9ce4_8422_2325);
    fnv.bytes(b"{\"f\":{");
    for (i, (name, value)) in fields.into_iter().enumerate() {
        if i > 0 {
            fnv.bytes(b",");
        }
        fnv.str(name);
        fnv.bytes(b":");
        match value {
            Value::String(s) => fnv.str(s),
            // Writing JSON into a hasher cannot fail: neither side has an I/O error.
            other => drop(serde_json::to_writer(&mut fnv, other)),
        }
    }
    fnv.bytes(b"},\"t\":");
    drop(serde_json::to_writer(&mut fnv, &tags));
    fnv.bytes(b"}");
    fnv.0
}

// Native only (proptest); the wasm tests live in tests/wasm.rs.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
