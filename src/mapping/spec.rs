//! The mapping spec: its JSON form (pkg/mapping-spec.schema.json), parsing, and
//! `validate`, which reports every problem with the JSON path where it is.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value};

use super::transform::{template_paths, DateFormat, NamePart, Transform, Ty};
use crate::error::json_type_name;
use crate::model::{field_ref, FieldRef, FieldType, CUSTOM_PREFIX};

pub const SPEC_VERSION: u64 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Direction {
    Both,
    ToGhl,
    ToOutseta,
}

impl Direction {
    pub fn to_ghl(self) -> bool {
        self != Direction::ToOutseta
    }
    pub fn to_outseta(self) -> bool {
        self != Direction::ToGhl
    }
}

/// One field between an Outseta Person path and a canonical (GHL) field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRule {
    /// Outseta Person paths (`Email`, `MailingAddress.City`, `Account.AccountStage`);
    /// toward GHL the first non-empty one is read, toward Outseta the first is written.
    pub outseta: Vec<String>,
    /// The canonical field: a GHL contact field or `customFields.<field key>`.
    pub ghl: String,
    pub direction: Direction,
    pub to_ghl: Vec<Transform>,
    pub to_outseta: Vec<Transform>,
}

/// A condition on the Outseta record, for tag rules.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Equals(String, Value),
    In(String, Vec<Value>),
    Exists(String, bool),
    /// The date at the path is older than N days before `context.now` (activity).
    OlderThanDays(String, i64),
    WithinDays(String, i64),
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
}

impl Condition {
    /// Every record path the condition reads.
    pub fn paths(&self) -> Vec<&str> {
        match self {
            Condition::Equals(p, _)
            | Condition::In(p, _)
            | Condition::Exists(p, _)
            | Condition::OlderThanDays(p, _)
            | Condition::WithinDays(p, _) => vec![p.as_str()],
            Condition::All(cs) | Condition::Any(cs) => {
                cs.iter().flat_map(Condition::paths).collect()
            }
            Condition::Not(c) => c.paths(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TagRule {
    pub when: Condition,
    pub add: Vec<String>,
    pub remove: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub version: u64,
    pub default_region: String,
    pub fields: Vec<FieldRule>,
    pub tags: Vec<TagRule>,
    /// Outseta custom properties whose snake_case name matches a GHL custom field key
    /// `contact.<name>` among the location's definitions map both ways, untransformed.
    pub auto_custom_fields: bool,
}

/// A location's GHL custom field definition (`GET /locations/{id}/customFields`).
#[derive(Debug, Clone, PartialEq)]
pub struct CustomFieldDef {
    pub id: String,
    pub key: String,
    pub data_type: String,
}

impl CustomFieldDef {
    /// The JSON type a value of this GHL data type takes.
    pub fn ty(&self) -> Ty {
        match self.data_type.as_str() {
            "NUMERICAL" | "MONETORY" => Ty::Number,
            "CHECKBOX" | "MULTIPLE_OPTIONS" => Ty::Array,
            "FILE_UPLOAD" => Ty::Any,
            _ => Ty::String,
        }
    }
}

/// What a spec is checked against, and what applying it needs beyond the records.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    pub ghl_custom_fields: Option<Vec<CustomFieldDef>>,
    pub outseta_properties: Option<Vec<String>>,
    pub location_id: Option<String>,
    /// Epoch ms of "now", for activity conditions (passed in, so results repeat).
    pub now_ms: Option<i64>,
    /// A custom field the mapping names but the location lacks is written by its key,
    /// and the Plan creates its definition first (the engine's
    /// `createMissingCustomFields`; never set from a caller's context).
    pub create_missing_custom_fields: bool,
}

impl Context {
    pub fn custom_field(&self, key: &str) -> Option<&CustomFieldDef> {
        self.ghl_custom_fields
            .as_ref()?
            .iter()
            .find(|d| d.key == key || d.id == key)
    }
    pub fn keys_by_id(&self) -> BTreeMap<String, String> {
        self.ghl_custom_fields
            .iter()
            .flatten()
            .map(|d| (d.id.clone(), d.key.clone()))
            .collect()
    }
}

/// One problem in a spec or context: where, what kind, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub path: String,
    pub code: &'static str,
    pub message: String,
}

/// The JSON type of the standard Outseta Person field `name` (../shared/specs/outseta/
/// NOTES.md section 5), or `None`: custom properties are any other PascalCase top-level
/// key. A `match` on literals compiles to length checks and integer compares; a search
/// of a list called `memcmp` for each candidate, and `autoCustomFields` asks this of
/// every key of every person mapped.
pub fn outseta_field(name: &str) -> Option<Ty> {
    Some(match name {
        "Account" => Ty::Object,
        "Created" => Ty::String,
        "Email" => Ty::String,
        "FirstName" => Ty::String,
        "FullName" => Ty::String,
        "HasLoggedIn" => Ty::Boolean,
        "HasUnsubscribed" => Ty::Boolean,
        "IPAddress" => Ty::String,
        "Language" => Ty::String,
        "LastLoginDateTime" => Ty::String,
        "LastName" => Ty::String,
        "MailingAddress" => Ty::Object,
        "OptInToEmailList" => Ty::Boolean,
        "PasswordMustChange" => Ty::Boolean,
        "PersonAccount" => Ty::Array,
        "PhoneMobile" => Ty::String,
        "PhoneWork" => Ty::String,
        "ProfileImageS3Url" => Ty::String,
        "Referer" => Ty::String,
        "Timezone" => Ty::String,
        "Title" => Ty::String,
        "Uid" => Ty::String,
        "Updated" => Ty::String,
        "UserAgent" => Ty::String,
        _ => return None,
    })
}

const ADDRESS_FIELDS: &[&str] = &[
    "AddressLine1",
    "AddressLine2",
    "AddressLine3",
    "City",
    "State",
    "PostalCode",
    "Country",
];

const ACCOUNT_FIELDS: &[(&str, Ty)] = &[
    ("Uid", Ty::String),
    ("Name", Ty::String),
    ("AccountStage", Ty::Number),
    ("AccountStageLabel", Ty::String),
    ("ClientIdentifier", Ty::String),
    ("LifetimeRevenue", Ty::Number),
    ("LastLoginDateTime", Ty::String),
    ("Created", Ty::String),
    ("Updated", Ty::String),
];

fn pascal(segment: &str) -> bool {
    segment
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase())
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The type at an Outseta path, or why the path is not one.
pub fn outseta_path_type(path: &str, ctx: &Context) -> Result<Ty, String> {
    let segments: Vec<&str> = path.split('.').collect();
    let head = segments.first().copied().unwrap_or_default();
    if !pascal(head) {
        return Err(format!(
            "{path:?} is not an Outseta field: Person fields are PascalCase (e.g. \"Email\")"
        ));
    }
    let Some(ty) = outseta_field(head) else {
        if segments.len() > 1 {
            return Err(format!("{head:?} is not an Outseta field with sub-fields"));
        }
        return match &ctx.outseta_properties {
            Some(props) if !props.iter().any(|p| p == head) => Err(format!(
                "{head:?} is neither a standard Outseta Person field nor one of the custom properties given"
            )),
            _ => Ok(Ty::Any),
        };
    };
    match (head, &segments[1..]) {
        (_, []) => Ok(ty),
        ("MailingAddress", [field]) if ADDRESS_FIELDS.contains(field) => Ok(Ty::String),
        ("Account", [field]) => ACCOUNT_FIELDS
            .iter()
            .find(|(n, _)| n == field)
            .map(|(_, t)| *t)
            .or_else(|| pascal(field).then_some(Ty::Any))
            .ok_or_else(|| format!("{field:?} is not an Outseta Account field")),
        ("PersonAccount", [index, ..]) if index.parse::<usize>().is_ok() => Ok(Ty::Any),
        _ => Err(format!("{path:?} is not an Outseta Person path")),
    }
}

/// The type a canonical field holds, or why it is not one.
fn ghl_field_type(field: &str, ctx: &Context) -> Result<Ty, (&'static str, String)> {
    match field_ref(field) {
        Some(FieldRef::Standard(def)) => Ok(match def.ty {
            FieldType::String => Ty::String,
            FieldType::Boolean => Ty::Boolean,
            FieldType::Any => Ty::Any,
        }),
        Some(FieldRef::Custom(key)) => match &ctx.ghl_custom_fields {
            None => Ok(Ty::Any),
            Some(_) => ctx.custom_field(key).map(CustomFieldDef::ty).ok_or_else(|| {
                (
                    "CUSTOM_FIELD_UNKNOWN",
                    format!("custom field key {key:?} is not among the location's custom field definitions"),
                )
            }),
        },
        None => Err((
            "UNKNOWN_FIELD",
            format!(
                "{field:?} is not a GHL contact field; use one of {} or \"customFields.<field key>\"",
                crate::model::FIELDS.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

// ---- parsing ----------------------------------------------------------------------

struct Parser<'a> {
    problems: Vec<Problem>,
    ctx: &'a Context,
    /// The index in the input of each parsed field rule: a rule refused by the parser
    /// is left out of the spec, and the later checks must still name the right one.
    field_index: Vec<usize>,
}

impl Parser<'_> {
    fn problem(&mut self, path: &str, code: &'static str, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_owned(),
            code,
            message: message.into(),
        });
    }

    fn wrong_type(&mut self, path: &str, expected: &str, found: &Value) {
        self.problem(
            path,
            "TYPE_MISMATCH",
            format!("expected {expected}, found {}", json_type_name(found)),
        );
    }

    fn unknown_keys(&mut self, path: &str, obj: &Map<String, Value>, known: &[&str]) {
        for key in obj.keys() {
            if !known.contains(&key.as_str()) {
                self.problem(
                    &format!("{path}.{key}"),
                    "UNKNOWN_PROPERTY",
                    format!(
                        "unknown property {key:?}; expected one of {}",
                        known.join(", ")
                    ),
                );
            }
        }
    }

    fn strings(&mut self, path: &str, value: &Value) -> Vec<String> {
        match value {
            Value::String(s) => vec![s.clone()],
            Value::Array(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) => out.push(s.clone()),
                        other => self.wrong_type(&format!("{path}[{i}]"), "string", other),
                    }
                }
                out
            }
            other => {
                self.wrong_type(path, "a string or an array of strings", other);
                Vec::new()
            }
        }
    }

    fn spec(&mut self, value: &Value) -> Option<Spec> {
        let Some(obj) = value.as_object() else {
            self.wrong_type("$", "a mapping spec object", value);
            return None;
        };
        self.unknown_keys(
            "$",
            obj,
            &[
                "$schema",
                "version",
                "defaultRegion",
                "fields",
                "tags",
                "autoCustomFields",
                "description",
            ],
        );
        let version = match obj.get("version") {
            Some(Value::Number(n)) if n.as_u64() == Some(SPEC_VERSION) => SPEC_VERSION,
            Some(Value::Number(n)) => {
                self.problem(
                    "$.version",
                    "UNSUPPORTED_VERSION",
                    format!("spec version {n} is not supported; this release reads version {SPEC_VERSION}"),
                );
                SPEC_VERSION
            }
            Some(other) => {
                self.wrong_type("$.version", "the number 1", other);
                SPEC_VERSION
            }
            None => {
                self.problem("$.version", "MISSING", "a spec needs \"version\": 1");
                SPEC_VERSION
            }
        };
        let default_region = match obj.get("defaultRegion") {
            None => "US".to_owned(),
            Some(Value::String(r)) => {
                if crate::phone::region(r).is_none() {
                    self.problem(
                        "$.defaultRegion",
                        "UNKNOWN_REGION",
                        format!(
                            "unknown region {r:?}; use a two-letter code such as \"US\" or \"GB\""
                        ),
                    );
                }
                r.to_ascii_uppercase()
            }
            Some(other) => {
                self.wrong_type("$.defaultRegion", "string", other);
                "US".to_owned()
            }
        };
        let auto_custom_fields = match obj.get("autoCustomFields") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                self.wrong_type("$.autoCustomFields", "boolean", other);
                false
            }
        };
        let mut fields = Vec::new();
        match obj.get("fields") {
            None => {}
            Some(Value::Array(rules)) => {
                for (i, rule) in rules.iter().enumerate() {
                    if let Some(rule) =
                        self.field_rule(&format!("$.fields[{i}]"), rule, &default_region)
                    {
                        fields.push(rule);
                        self.field_index.push(i);
                    }
                }
            }
            Some(other) => self.wrong_type("$.fields", "array", other),
        }
        let mut tags = Vec::new();
        match obj.get("tags") {
            None => {}
            Some(Value::Array(rules)) => {
                for (i, rule) in rules.iter().enumerate() {
                    if let Some(rule) = self.tag_rule(&format!("$.tags[{i}]"), rule) {
                        tags.push(rule);
                    }
                }
            }
            Some(other) => self.wrong_type("$.tags", "array", other),
        }
        Some(Spec {
            version,
            default_region,
            fields,
            tags,
            auto_custom_fields,
        })
    }

    fn field_rule(&mut self, path: &str, value: &Value, region: &str) -> Option<FieldRule> {
        let Some(obj) = value.as_object() else {
            self.wrong_type(path, "a field rule object", value);
            return None;
        };
        self.unknown_keys(
            path,
            obj,
            &[
                "outseta",
                "ghl",
                "direction",
                "transforms",
                "toOutseta",
                "description",
            ],
        );
        let before = self.problems.len();
        let outseta = match obj.get("outseta") {
            Some(v) => self.strings(&format!("{path}.outseta"), v),
            None => Vec::new(),
        };
        let ghl = match obj.get("ghl") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                self.wrong_type(&format!("{path}.ghl"), "string", other);
                String::new()
            }
            None => {
                self.problem(
                    &format!("{path}.ghl"),
                    "MISSING",
                    "a field rule needs a \"ghl\" field",
                );
                String::new()
            }
        };
        let direction = match obj.get("direction").map(|d| (d, d.as_str())) {
            None => Direction::Both,
            Some((_, Some("both"))) => Direction::Both,
            Some((_, Some("toGhl"))) => Direction::ToGhl,
            Some((_, Some("toOutseta"))) => Direction::ToOutseta,
            Some((d, _)) => {
                self.problem(
                    &format!("{path}.direction"),
                    "INVALID_VALUE",
                    format!("direction must be \"both\", \"toGhl\" or \"toOutseta\", found {d}"),
                );
                Direction::Both
            }
        };
        let to_ghl = self.transforms(&format!("{path}.transforms"), obj.get("transforms"), region);
        let explicit_reverse = obj.get("toOutseta").is_some();
        let mut to_outseta =
            self.transforms(&format!("{path}.toOutseta"), obj.get("toOutseta"), region);
        if self.problems.len() > before {
            return None;
        }
        if outseta.is_empty()
            && !to_ghl
                .iter()
                .any(|t| matches!(t, Transform::Const(_) | Transform::Template(_)))
        {
            self.problem(
                &format!("{path}.outseta"),
                "MISSING",
                "a field rule needs an \"outseta\" path (or a const or template transform)",
            );
            return None;
        }
        if direction.to_outseta() && !explicit_reverse {
            // Undo what can be undone, in reverse order; refuse what cannot.
            for (i, t) in to_ghl.iter().enumerate().rev() {
                match t.reverse() {
                    Some(Some(r)) => to_outseta.push(r),
                    Some(None) => {}
                    None => self.problem(
                        &format!("{path}.transforms[{i}]"),
                        "TRANSFORM_NOT_REVERSIBLE",
                        format!(
                            "{} cannot be undone toward Outseta; set \"direction\": \"toGhl\" or give \"toOutseta\" transforms",
                            t.name()
                        ),
                    ),
                }
            }
        }
        if direction.to_outseta() && outseta.is_empty() {
            self.problem(
                &format!("{path}.direction"),
                "INVALID_VALUE",
                "a rule with no \"outseta\" path can only run toward GHL; set \"direction\": \"toGhl\"",
            );
        }
        Some(FieldRule {
            outseta,
            ghl,
            direction,
            to_ghl,
            to_outseta,
        })
    }

    fn transforms(&mut self, path: &str, value: Option<&Value>, region: &str) -> Vec<Transform> {
        match value {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, t)| self.transform(&format!("{path}[{i}]"), t, region))
                .collect(),
            Some(other) => {
                self.wrong_type(path, "an array of transforms", other);
                Vec::new()
            }
        }
    }

    fn transform(&mut self, path: &str, value: &Value, region: &str) -> Option<Transform> {
        const NAMES: &[&str] = &[
            "trim",
            "lowercase",
            "uppercase",
            "titlecase",
            "e164",
            "splitName",
            "joinName",
            "date",
            "map",
            "const",
            "template",
            "defaultIfEmpty",
        ];
        let (name, arg) = match value {
            Value::String(name) => (name.as_str(), None),
            Value::Object(obj) if obj.len() == 1 => match obj.iter().next() {
                Some((name, arg)) => (name.as_str(), Some(arg)),
                None => return None,
            },
            other => {
                self.problem(
                    path,
                    "TYPE_MISMATCH",
                    format!(
                        "a transform is a name (\"trim\") or an object with one key ({{\"map\": {{...}}}}), found {}",
                        json_type_name(other)
                    ),
                );
                return None;
            }
        };
        let arg_path = format!("{path}.{name}");
        let t = match (name, arg) {
            ("trim", None) => Transform::Trim,
            ("lowercase", None) => Transform::Lowercase,
            ("uppercase", None) => Transform::Uppercase,
            ("titlecase", None) => Transform::TitleCase,
            ("joinName", None) => Transform::JoinName,
            ("e164", None) => Transform::E164 {
                region: region.to_owned(),
            },
            ("e164", Some(arg)) => {
                let r = arg
                    .get("defaultRegion")
                    .and_then(Value::as_str)
                    .unwrap_or(region);
                if crate::phone::region(r).is_none() {
                    self.problem(&arg_path, "TRANSFORM_INVALID", format!("e164 needs {{\"defaultRegion\": \"US\"}} or another known region, found {arg}"));
                    return None;
                }
                Transform::E164 {
                    region: r.to_ascii_uppercase(),
                }
            }
            ("splitName", Some(Value::String(part))) if part == "first" => {
                Transform::SplitName(NamePart::First)
            }
            ("splitName", Some(Value::String(part))) if part == "last" => {
                Transform::SplitName(NamePart::Last)
            }
            ("date", Some(Value::Object(arg))) => {
                let fmt = |key: &str, default: &str| {
                    arg.get(key)
                        .map_or(Some(default), Value::as_str)
                        .and_then(DateFormat::parse)
                };
                match (fmt("from", "auto"), fmt("to", "YYYY-MM-DD")) {
                    (Some(from), Some(to)) if to != DateFormat::Auto => {
                        Transform::Date { from, to }
                    }
                    _ => {
                        self.problem(
                            &arg_path,
                            "TRANSFORM_INVALID",
                            format!(
                                "date takes {{\"from\", \"to\"}} among {} (\"auto\" only as from)",
                                DateFormat::NAMES.join(", ")
                            ),
                        );
                        return None;
                    }
                }
            }
            ("map", Some(Value::Object(arg))) => {
                let values = arg.get("values").and_then(Value::as_object);
                match values {
                    Some(values) if !values.is_empty() => Transform::Map {
                        values: values.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                        default: arg.get("default").cloned(),
                    },
                    _ => {
                        self.problem(
                            &arg_path,
                            "TRANSFORM_INVALID",
                            "map takes {\"values\": {\"from\": to, ...}, \"default\"?: value}",
                        );
                        return None;
                    }
                }
            }
            ("const", Some(v)) => Transform::Const(v.clone()),
            ("defaultIfEmpty", Some(v)) => Transform::DefaultIfEmpty(v.clone()),
            ("template", Some(Value::String(t))) => Transform::Template(t.clone()),
            (name, _) if NAMES.contains(&name) => {
                self.problem(
                    path,
                    "TRANSFORM_INVALID",
                    format!(
                        "{name} is written {}",
                        match name {
                            "splitName" => "{\"splitName\": \"first\" | \"last\"}",
                            "date" => "{\"date\": {\"from\": \"auto\", \"to\": \"YYYY-MM-DD\"}}",
                            "map" => "{\"map\": {\"values\": {...}}}",
                            "const" => "{\"const\": value}",
                            "defaultIfEmpty" => "{\"defaultIfEmpty\": value}",
                            "template" => "{\"template\": \"{FirstName} {LastName}\"}",
                            _ => "as a plain name, e.g. \"trim\"",
                        }
                    ),
                );
                return None;
            }
            (name, _) => {
                self.problem(
                    path,
                    "UNKNOWN_TRANSFORM",
                    format!("unknown transform {name:?}; known: {}", NAMES.join(", ")),
                );
                return None;
            }
        };
        Some(t)
    }

    fn tag_rule(&mut self, path: &str, value: &Value) -> Option<TagRule> {
        let Some(obj) = value.as_object() else {
            self.wrong_type(path, "a tag rule object", value);
            return None;
        };
        self.unknown_keys(path, obj, &["when", "add", "remove", "description"]);
        let before = self.problems.len();
        let when = match obj.get("when") {
            Some(c) => self.condition(&format!("{path}.when"), c),
            None => {
                self.problem(
                    &format!("{path}.when"),
                    "MISSING",
                    "a tag rule needs a \"when\" condition",
                );
                None
            }
        };
        let mut list = |key: &str| match obj.get(key) {
            Some(v) => self
                .strings(&format!("{path}.{key}"), v)
                .into_iter()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
            None => Vec::new(),
        };
        let add: Vec<String> = list("add");
        let remove: Vec<String> = list("remove");
        if add.is_empty() && remove.is_empty() {
            self.problem(
                path,
                "MISSING",
                "a tag rule needs tags to \"add\" or \"remove\"",
            );
        }
        if let Some(t) = add.iter().find(|t| remove.contains(t)) {
            self.problem(
                path,
                "INVALID_VALUE",
                format!("tag {t:?} is both added and removed by one rule"),
            );
        }
        if self.problems.len() > before {
            return None;
        }
        Some(TagRule {
            when: when?,
            add,
            remove,
        })
    }

    fn condition(&mut self, path: &str, value: &Value) -> Option<Condition> {
        let Some(obj) = value.as_object() else {
            self.wrong_type(path, "a condition object", value);
            return None;
        };
        let list = |this: &mut Self, key: &str, v: &Value| -> Option<Vec<Condition>> {
            match v {
                Value::Array(items) if !items.is_empty() => items
                    .iter()
                    .enumerate()
                    .map(|(i, c)| this.condition(&format!("{path}.{key}[{i}]"), c))
                    .collect(),
                other => {
                    this.wrong_type(
                        &format!("{path}.{key}"),
                        "a non-empty array of conditions",
                        other,
                    );
                    None
                }
            }
        };
        if let Some(v) = obj.get("all") {
            self.unknown_keys(path, obj, &["all"]);
            return list(self, "all", v).map(Condition::All);
        }
        if let Some(v) = obj.get("any") {
            self.unknown_keys(path, obj, &["any"]);
            return list(self, "any", v).map(Condition::Any);
        }
        if let Some(v) = obj.get("not") {
            self.unknown_keys(path, obj, &["not"]);
            return self
                .condition(&format!("{path}.not"), v)
                .map(|c| Condition::Not(Box::new(c)));
        }
        const TESTS: &[&str] = &["equals", "in", "exists", "olderThanDays", "withinDays"];
        let mut known = vec!["field"];
        known.extend_from_slice(TESTS);
        self.unknown_keys(path, obj, &known);
        let field = match obj.get("field") {
            Some(Value::String(f)) => {
                if let Err(message) = outseta_path_type(f, self.ctx) {
                    self.problem(&format!("{path}.field"), "UNKNOWN_FIELD", message);
                }
                f.clone()
            }
            Some(other) => {
                self.wrong_type(&format!("{path}.field"), "string", other);
                return None;
            }
            None => {
                self.problem(
                    &format!("{path}.field"),
                    "MISSING",
                    "a condition needs a \"field\" (an Outseta path), or all / any / not",
                );
                return None;
            }
        };
        let tests: Vec<&str> = TESTS
            .iter()
            .copied()
            .filter(|t| obj.contains_key(*t))
            .collect();
        if tests.len() != 1 {
            self.problem(
                path,
                "INVALID_VALUE",
                format!("a condition takes exactly one of {}", TESTS.join(", ")),
            );
            return None;
        }
        let test = tests[0];
        let arg = obj.get(test)?;
        let tpath = format!("{path}.{test}");
        Some(match (test, arg) {
            ("equals", v) => Condition::Equals(field, v.clone()),
            ("in", Value::Array(vs)) => Condition::In(field, vs.clone()),
            ("exists", Value::Bool(b)) => Condition::Exists(field, *b),
            ("olderThanDays" | "withinDays", Value::Number(n))
                if n.as_i64().is_some_and(|d| d >= 0) =>
            {
                let days = n.as_i64()?;
                if test == "olderThanDays" {
                    Condition::OlderThanDays(field, days)
                } else {
                    Condition::WithinDays(field, days)
                }
            }
            (_, other) => {
                self.wrong_type(
                    &tpath,
                    match test {
                        "in" => "array",
                        "exists" => "boolean",
                        _ => "a whole number of days, 0 or more",
                    },
                    other,
                );
                return None;
            }
        })
    }
}

/// Parses a spec. `Err` holds every problem found (shape, names, transforms).
pub fn parse(value: &Value, ctx: &Context) -> Result<Spec, Vec<Problem>> {
    let mut parser = Parser {
        problems: Vec::new(),
        ctx,
        field_index: Vec::new(),
    };
    let spec = parser.spec(value);
    let problems = match spec {
        Some(ref spec) => {
            let mut more = check(spec, ctx, &parser.field_index);
            parser.problems.append(&mut more);
            parser.problems
        }
        None => parser.problems,
    };
    match spec {
        Some(spec) if problems.is_empty() => Ok(spec),
        _ => Err(problems),
    }
}

/// Checks a parsed spec against the field catalogues and the context: unknown fields,
/// type mismatches, custom field keys, fields mapped twice.
/// `field_index[i]` is where `spec.fields[i]` sits in the input.
fn check(spec: &Spec, ctx: &Context, field_index: &[usize]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut push = |path: String, code: &'static str, message: String| {
        problems.push(Problem {
            path,
            code,
            message,
        })
    };
    let mut ghl_targets: BTreeMap<&str, usize> = BTreeMap::new();
    let mut outseta_targets: BTreeMap<&str, usize> = BTreeMap::new();
    for (k, rule) in spec.fields.iter().enumerate() {
        let i = field_index.get(k).copied().unwrap_or(k);
        let path = format!("$.fields[{i}]");
        let target = match ghl_field_type(&rule.ghl, ctx) {
            Ok(t) => Some(t),
            Err((code, message)) => {
                push(format!("{path}.ghl"), code, message);
                None
            }
        };
        let mut source = Ty::Any;
        for (j, p) in rule.outseta.iter().enumerate() {
            match outseta_path_type(p, ctx) {
                Ok(t) => source = if j == 0 || t == source { t } else { Ty::Any },
                Err(message) => push(
                    if rule.outseta.len() == 1 {
                        format!("{path}.outseta")
                    } else {
                        format!("{path}.outseta[{j}]")
                    },
                    "UNKNOWN_FIELD",
                    message,
                ),
            }
        }
        // Type flow toward GHL.
        let mut ty = source;
        for (j, t) in rule.to_ghl.iter().enumerate() {
            if let Transform::Template(tpl) = t {
                for p in template_paths(tpl) {
                    if let Err(message) = outseta_path_type(&p, ctx) {
                        push(
                            format!("{path}.transforms[{j}]"),
                            "UNKNOWN_FIELD",
                            format!("template placeholder: {message}"),
                        );
                    }
                }
            }
            if !ty.fits(t.input()) {
                push(
                    format!("{path}.transforms[{j}]"),
                    "TRANSFORM_NOT_APPLICABLE",
                    format!(
                        "{} takes a {}, but the value here is a {}",
                        t.name(),
                        t.input().name(),
                        ty.name()
                    ),
                );
            }
            ty = t.output(ty);
        }
        if let Some(target) = target {
            if rule.direction.to_ghl() && !ty.fits(target) {
                push(
                    format!("{path}.ghl"),
                    "TYPE_MISMATCH",
                    format!(
                        "{} holds a {}, but this rule produces a {}",
                        rule.ghl,
                        target.name(),
                        ty.name()
                    ),
                );
            }
            // Type flow toward Outseta.
            let mut back = target;
            for (j, t) in rule.to_outseta.iter().enumerate() {
                if !back.fits(t.input()) {
                    push(
                        format!("{path}.toOutseta[{j}]"),
                        "TRANSFORM_NOT_APPLICABLE",
                        format!(
                            "{} takes a {}, but the value here is a {}",
                            t.name(),
                            t.input().name(),
                            back.name()
                        ),
                    );
                }
                back = t.output(back);
            }
            if rule.direction.to_outseta() && !back.fits(source) && source != Ty::Object {
                push(
                    format!("{path}.outseta"),
                    "TYPE_MISMATCH",
                    format!(
                        "{} holds a {}, but this rule writes a {} to it",
                        rule.outseta.first().map_or("", String::as_str),
                        source.name(),
                        back.name()
                    ),
                );
            }
        }
        if rule.direction.to_ghl() {
            if let Some(first) = ghl_targets.insert(&rule.ghl, i) {
                push(
                    format!("{path}.ghl"),
                    "MAPPED_TWICE",
                    format!(
                        "{} is already written toward GHL by $.fields[{first}]",
                        rule.ghl
                    ),
                );
            }
        }
        if rule.direction.to_outseta() {
            if let Some(target) = rule.outseta.first() {
                if let Some(first) = outseta_targets.insert(target, i) {
                    push(
                        format!("{path}.outseta"),
                        "MAPPED_TWICE",
                        format!("{target} is already written toward Outseta by $.fields[{first}]"),
                    );
                }
            }
        }
    }
    if spec.auto_custom_fields && ctx.ghl_custom_fields.is_none() && ctx != &Context::default() {
        push(
            "$.autoCustomFields".to_owned(),
            "CONTEXT_MISSING",
            "autoCustomFields needs the location's custom field definitions (context.ghlCustomFields)".to_owned(),
        );
    }
    problems
}

/// Reads a validation / apply context: `{ ghlCustomFields?, outsetaProperties?,
/// locationId?, now? }`. Problems have paths under `$context`.
pub fn parse_context(value: Option<&Value>) -> Result<Context, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut ctx = Context::default();
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(ctx);
    };
    let bad = |problems: &mut Vec<Problem>, path: &str, message: String| {
        problems.push(Problem {
            path: path.to_owned(),
            code: "TYPE_MISMATCH",
            message,
        })
    };
    let Some(obj) = value.as_object() else {
        bad(
            &mut problems,
            "$context",
            format!("expected an object, found {}", json_type_name(value)),
        );
        return Err(problems);
    };
    for (key, v) in obj {
        match (key.as_str(), v) {
            ("ghlCustomFields", Value::Array(defs)) => {
                let mut out = Vec::new();
                for (i, d) in defs.iter().enumerate() {
                    let id = d.get("id").and_then(Value::as_str);
                    let key = d
                        .get("fieldKey")
                        .or_else(|| d.get("key"))
                        .and_then(Value::as_str);
                    match (id, key) {
                        (Some(id), Some(key)) => out.push(CustomFieldDef {
                            id: id.to_owned(),
                            key: key.to_owned(),
                            data_type: d
                                .get("dataType")
                                .and_then(Value::as_str)
                                .unwrap_or("TEXT")
                                .to_owned(),
                        }),
                        _ => bad(
                            &mut problems,
                            &format!("$context.ghlCustomFields[{i}]"),
                            "a custom field definition needs \"id\" and \"fieldKey\" strings"
                                .to_owned(),
                        ),
                    }
                }
                ctx.ghl_custom_fields = Some(out);
            }
            ("outsetaProperties", Value::Array(names)) => {
                ctx.outseta_properties = Some(
                    names
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect(),
                );
            }
            ("locationId", Value::String(id)) => ctx.location_id = Some(id.clone()),
            ("now", now) => match super::transform::parse_date(now, DateFormat::Auto) {
                Ok(ms) => ctx.now_ms = Some(ms),
                Err(message) => bad(&mut problems, "$context.now", message),
            },
            (key, other) => {
                let known = ["ghlCustomFields", "outsetaProperties", "locationId", "now"];
                if known.contains(&key) {
                    bad(
                        &mut problems,
                        &format!("$context.{key}"),
                        format!("unexpected {}", json_type_name(other)),
                    );
                } else {
                    problems.push(Problem {
                        path: format!("$context.{key}"),
                        code: "UNKNOWN_PROPERTY",
                        message: format!(
                            "unknown property {key:?}; expected one of {}",
                            known.join(", ")
                        ),
                    });
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(ctx)
    } else {
        Err(problems)
    }
}

/// The canonical fields a spec maps, with the direction each one flows.
pub fn routes(spec: &Spec) -> BTreeMap<String, Direction> {
    let mut out: BTreeMap<String, Direction> = BTreeMap::new();
    for rule in &spec.fields {
        out.entry(rule.ghl.clone())
            .and_modify(|d| {
                if *d != rule.direction {
                    *d = Direction::Both
                }
            })
            .or_insert(rule.direction);
    }
    out
}

/// The canonical custom field name of an Outseta custom property under
/// `autoCustomFields`: `CoffeePreference` -> `customFields.contact.coffee_preference`.
pub fn auto_custom_key(property: &str) -> String {
    // Written straight into the one String (it runs for each custom property of each
    // person mapped).
    let mut key = String::with_capacity(CUSTOM_PREFIX.len() + 8 + property.len() + 4);
    key.push_str(CUSTOM_PREFIX);
    key.push_str("contact.");
    for (i, c) in property.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                key.push('_');
            }
            key.push(c.to_ascii_lowercase());
        } else {
            key.push(c);
        }
    }
    key
}

/// Every tag a spec's rules may add or remove.
pub fn managed_tags(spec: &Spec) -> BTreeSet<&str> {
    spec.tags
        .iter()
        .flat_map(|r| r.add.iter().chain(&r.remove))
        .map(String::as_str)
        .collect()
}
