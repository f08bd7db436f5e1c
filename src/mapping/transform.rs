//! Value transforms of the mapping spec. Each one is pure and total: it returns a value
//! or a plain-language reason, never panics, whatever the input.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::json_type_name;
use crate::model::date::{civil_from_days, parse_iso, parse_slashed};
use crate::phone;

/// The key the `e164` transform asks `lookup` for: the record's own country, as its
/// address writes it (a code or a name, read by `phone::country_region`). The mapping
/// decides where that is (an Outseta person's `MailingAddress.Country`).
pub const COUNTRY: &str = "$country";

/// The JSON type a value has, or a transform yields, as far as validation can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    String,
    Number,
    Boolean,
    Array,
    Object,
    Any,
}

impl Ty {
    pub fn of(value: &Value) -> Ty {
        match value {
            Value::String(_) => Ty::String,
            Value::Number(_) => Ty::Number,
            Value::Bool(_) => Ty::Boolean,
            Value::Array(_) => Ty::Array,
            Value::Object(_) => Ty::Object,
            Value::Null => Ty::Any,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Ty::String => "string",
            Ty::Number => "number",
            Ty::Boolean => "boolean",
            Ty::Array => "array",
            Ty::Object => "object",
            Ty::Any => "any",
        }
    }
    /// Whether a value of type `self` may go where `want` is expected.
    pub fn fits(self, want: Ty) -> bool {
        self == want || self == Ty::Any || want == Ty::Any
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamePart {
    First,
    Last,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFormat {
    /// Input only: ISO-8601 date or date-time, `MM/DD/YYYY`, or epoch milliseconds.
    Auto,
    /// `2026-11-20T16:02:11Z` (UTC; input accepts offsets, fractions, no zone = UTC).
    Iso,
    /// `YYYY-MM-DD`
    Ymd,
    /// `MM/DD/YYYY`
    Mdy,
    /// `DD/MM/YYYY`
    Dmy,
    /// Milliseconds since 1970-01-01 UTC, as a number.
    EpochMs,
}

impl DateFormat {
    pub const NAMES: &'static [&'static str] = &[
        "auto",
        "iso",
        "YYYY-MM-DD",
        "MM/DD/YYYY",
        "DD/MM/YYYY",
        "epochMs",
    ];

    pub fn parse(name: &str) -> Option<DateFormat> {
        Some(match name {
            "auto" => DateFormat::Auto,
            "iso" => DateFormat::Iso,
            "YYYY-MM-DD" => DateFormat::Ymd,
            "MM/DD/YYYY" => DateFormat::Mdy,
            "DD/MM/YYYY" => DateFormat::Dmy,
            "epochMs" => DateFormat::EpochMs,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            DateFormat::Auto => "auto",
            DateFormat::Iso => "iso",
            DateFormat::Ymd => "YYYY-MM-DD",
            DateFormat::Mdy => "MM/DD/YYYY",
            DateFormat::Dmy => "DD/MM/YYYY",
            DateFormat::EpochMs => "epochMs",
        }
    }
}

/// One step of a field rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Transform {
    Trim,
    Lowercase,
    Uppercase,
    TitleCase,
    /// E.164 phone; national numbers take the region's calling code.
    E164 {
        region: String,
    },
    SplitName(NamePart),
    /// Joins every source value of the rule with one space (e.g. first + last name).
    JoinName,
    Date {
        from: DateFormat,
        to: DateFormat,
    },
    /// Looks the value up (numbers by their decimal text); unknown values take
    /// `default`, or fail.
    Map {
        values: BTreeMap<String, Value>,
        default: Option<Value>,
    },
    Const(Value),
    /// `{Path}` placeholders filled from the record being mapped.
    Template(String),
    DefaultIfEmpty(Value),
}

impl Transform {
    pub fn name(&self) -> &'static str {
        match self {
            Transform::Trim => "trim",
            Transform::Lowercase => "lowercase",
            Transform::Uppercase => "uppercase",
            Transform::TitleCase => "titlecase",
            Transform::E164 { .. } => "e164",
            Transform::SplitName(_) => "splitName",
            Transform::JoinName => "joinName",
            Transform::Date { .. } => "date",
            Transform::Map { .. } => "map",
            Transform::Const(_) => "const",
            Transform::Template(_) => "template",
            Transform::DefaultIfEmpty(_) => "defaultIfEmpty",
        }
    }

    /// The input type the transform needs (`Any`: it takes anything).
    pub fn input(&self) -> Ty {
        match self {
            Transform::Trim
            | Transform::Lowercase
            | Transform::Uppercase
            | Transform::TitleCase
            | Transform::E164 { .. }
            | Transform::SplitName(_)
            | Transform::JoinName => Ty::String,
            Transform::Date { from, .. } => match from {
                DateFormat::Auto => Ty::Any,
                DateFormat::EpochMs => Ty::Number,
                _ => Ty::String,
            },
            Transform::Map { .. }
            | Transform::Const(_)
            | Transform::Template(_)
            | Transform::DefaultIfEmpty(_) => Ty::Any,
        }
    }

    /// The type the transform yields, given its input type.
    pub fn output(&self, input: Ty) -> Ty {
        match self {
            Transform::Date { to, .. } => {
                if *to == DateFormat::EpochMs {
                    Ty::Number
                } else {
                    Ty::String
                }
            }
            Transform::Map { values, default } => {
                let mut types = values.values().chain(default.iter()).map(Ty::of);
                match types.next() {
                    Some(first) if types.all(|t| t == first) => first,
                    _ => Ty::Any,
                }
            }
            Transform::Const(v) => Ty::of(v),
            Transform::DefaultIfEmpty(v) => {
                if Ty::of(v) == input {
                    input
                } else {
                    Ty::Any
                }
            }
            Transform::Template(_) => Ty::String,
            _ => Ty::String,
        }
    }

    /// The transform that undoes this one toward Outseta, when one exists. Case and
    /// trim need none (the value is already normal); names, templates and constants
    /// have none.
    pub fn reverse(&self) -> Option<Option<Transform>> {
        match self {
            Transform::Trim
            | Transform::Lowercase
            | Transform::Uppercase
            | Transform::TitleCase
            | Transform::E164 { .. }
            | Transform::DefaultIfEmpty(_) => Some(None),
            Transform::Date { from, to } => Some(Some(Transform::Date {
                from: *to,
                to: if *from == DateFormat::Auto {
                    DateFormat::Iso
                } else {
                    *from
                },
            })),
            Transform::Map { values, .. } => {
                let mut inverse = BTreeMap::new();
                for (k, v) in values {
                    let key = value_key(v)?;
                    if inverse.insert(key, Value::String(k.clone())).is_some() {
                        return None;
                    }
                }
                Some(Some(Transform::Map {
                    values: inverse,
                    default: None,
                }))
            }
            Transform::SplitName(_)
            | Transform::JoinName
            | Transform::Const(_)
            | Transform::Template(_) => None,
        }
    }

    /// What a field error says when this transform refused `raw` (the source value it
    /// was read from) with `reason`, `apply`'s error.
    pub fn failure(&self, raw: &Value, reason: &str) -> String {
        match (self, raw) {
            (Transform::E164 { .. }, Value::String(s)) => {
                format!("{:?} is not a phone number in E.164: {reason}", s.trim())
            }
            _ => reason.to_owned(),
        }
    }

    /// Whether `apply` reads `sources` (the others transform `value` alone).
    pub fn reads_sources(&self) -> bool {
        matches!(self, Transform::JoinName)
    }

    /// Applies the transform. `sources` are all the rule's source values (for
    /// `joinName`); `lookup` reads a path of the record (for templates), or `COUNTRY`
    /// (for `e164`).
    pub fn apply(
        &self,
        value: Value,
        sources: &[&Value],
        lookup: &dyn Fn(&str) -> Option<Value>,
    ) -> Result<Value, String> {
        let want_string = |v: Value| -> Result<String, String> {
            match v {
                Value::String(s) => Ok(s),
                other => Err(format!(
                    "{} needs a string, found {}",
                    self.name(),
                    json_type_name(&other)
                )),
            }
        };
        let empty = crate::model::is_empty(&value);
        Ok(match self {
            Transform::Const(v) => v.clone(),
            Transform::DefaultIfEmpty(v) => {
                if empty {
                    v.clone()
                } else {
                    value
                }
            }
            Transform::Template(template) => Value::String(fill_template(template, lookup)),
            Transform::JoinName => {
                let parts: Vec<&str> = sources
                    .iter()
                    .filter_map(|v| v.as_str())
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect();
                Value::String(parts.join(" "))
            }
            // Every other transform leaves an empty value empty.
            _ if empty => Value::Null,
            Transform::Trim => {
                let text = want_string(value)?;
                let trimmed = text.trim();
                if trimmed.len() == text.len() {
                    Value::String(text)
                } else {
                    Value::String(trimmed.to_owned())
                }
            }
            Transform::Lowercase => {
                let text = want_string(value)?;
                if text
                    .bytes()
                    .any(|b| !b.is_ascii() || b.is_ascii_uppercase())
                {
                    Value::String(text.to_lowercase())
                } else {
                    Value::String(text)
                }
            }
            Transform::Uppercase => Value::String(want_string(value)?.to_uppercase()),
            Transform::TitleCase => Value::String(title_case(&want_string(value)?)),
            Transform::E164 { region } => {
                let text = want_string(value)?;
                // A national number is placed by the record's own country when it has
                // one; an international one (`+44 …`) carries its own.
                let country = if text.trim_start().starts_with('+') {
                    None
                } else {
                    lookup(COUNTRY)
                };
                match country
                    .as_ref()
                    .and_then(Value::as_str)
                    .and_then(phone::country_region)
                {
                    Some(r) => phone::to_e164(&text, Some(r)).map_err(|e| e.reason().to_owned()),
                    None => e164(&text, region),
                }
                .map(Value::String)?
            }
            Transform::SplitName(part) => {
                let text = want_string(value)?;
                let mut words = text.split_whitespace();
                let first = words.next().unwrap_or_default().to_owned();
                match part {
                    NamePart::First => Value::String(first),
                    NamePart::Last => Value::String(words.collect::<Vec<_>>().join(" ")),
                }
            }
            Transform::Date { from, to } => {
                let ms = parse_date(&value, *from)?;
                format_date(ms, *to)
            }
            Transform::Map { values, default } => {
                let key = value_key(&value).ok_or_else(|| {
                    format!(
                        "map looks up strings and numbers, found {}",
                        json_type_name(&value)
                    )
                })?;
                match values.get(&key).or(default.as_ref()) {
                    Some(v) => v.clone(),
                    None => return Err(format!("map has no entry for {key:?} and no default")),
                }
            }
        })
    }
}

/// The lookup key of a value in a `map` transform: strings as they are, numbers and
/// booleans by their JSON text.
fn value_key(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub fn fill_template(template: &str, lookup: &dyn Fn(&str) -> Option<Value>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let path = after[..close].trim();
                match lookup(path) {
                    Some(Value::String(s)) => out.push_str(&s),
                    Some(Value::Null) | None => {}
                    Some(other) => out.push_str(&other.to_string()),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.trim().to_owned()
}

/// The placeholders of a template, for validation.
pub fn template_paths(template: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        paths.push(after[..close].trim().to_owned());
        rest = &after[close + 1..];
    }
    paths
}

fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for c in text.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = c.is_whitespace() || c == '-' || c == '\'';
    }
    out
}

/// A phone in E.164 through the crate's one normaliser (`crate::phone`, libphonenumber's
/// rules and metadata): national numbers take `region`'s calling code, extensions are
/// dropped (GHL stores one plain number), impossible and local-only numbers are refused
/// with the normaliser's short reason (`not a possible number for its country`).
pub fn e164(text: &str, region: &str) -> Result<String, String> {
    let default =
        phone::region(region).ok_or_else(|| format!("unknown default region {region:?}"))?;
    phone::to_e164(text, Some(default)).map_err(|e| e.reason().to_owned())
}

// ---- dates (the arithmetic and ISO text are `model::date`'s) ------------------------

pub fn parse_date(value: &Value, from: DateFormat) -> Result<i64, String> {
    let fail = || format!("{value} is not a date in the {} format", from.name());
    match (value, from) {
        (Value::Number(n), DateFormat::Auto | DateFormat::EpochMs) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .ok_or_else(fail),
        (Value::String(s), DateFormat::Auto) => parse_iso(s)
            .or_else(|| parse_slashed(s, true))
            .ok_or_else(fail),
        (Value::String(s), DateFormat::Iso | DateFormat::Ymd) => parse_iso(s).ok_or_else(fail),
        (Value::String(s), DateFormat::Mdy) => parse_slashed(s, true).ok_or_else(fail),
        (Value::String(s), DateFormat::Dmy) => parse_slashed(s, false).ok_or_else(fail),
        _ => Err(fail()),
    }
}

pub fn format_date(ms: i64, to: DateFormat) -> Value {
    let days = ms.div_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let rem = ms.rem_euclid(86_400_000) / 1000;
    match to {
        DateFormat::EpochMs => Value::from(ms),
        DateFormat::Ymd => Value::String(format!("{y:04}-{m:02}-{d:02}")),
        DateFormat::Mdy => Value::String(format!("{m:02}/{d:02}/{y:04}")),
        DateFormat::Dmy => Value::String(format!("{d:02}/{m:02}/{y:04}")),
        DateFormat::Iso | DateFormat::Auto => Value::String(format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            rem / 60 % 60,
            rem % 60
        )),
    }
}

// Native only (proptest); the wasm tests live in tests/wasm.rs.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn run(t: &Transform, v: Value) -> Result<Value, String> {
        t.apply(v, &[], &|_| None)
    }

    #[test]
    fn case_and_trim() {
        assert_eq!(run(&Transform::Trim, json!("  a b ")), Ok(json!("a b")));
        assert_eq!(run(&Transform::Lowercase, json!("ÄB")), Ok(json!("äb")));
        assert_eq!(run(&Transform::Uppercase, json!("ab")), Ok(json!("AB")));
        assert_eq!(
            run(&Transform::TitleCase, json!("mary-jane o'NEIL")),
            Ok(json!("Mary-Jane O'Neil"))
        );
        assert!(run(&Transform::Trim, json!(5))
            .unwrap_err()
            .contains("needs a string"));
    }

    #[test]
    fn e164_forms() {
        let us = |s| e164(s, "US");
        assert_eq!(us("+1 555 010 2030"), Ok("+15550102030".into()));
        assert_eq!(us("(555) 010-2030"), Ok("+15550102030".into()));
        assert_eq!(us("1-555-010-2030 ext. 4"), Ok("+15550102030".into()));
        assert_eq!(us("0044 20 7946 0958"), Ok("+442079460958".into()));
        assert_eq!(e164("020 7946 0958", "GB"), Ok("+442079460958".into()));
        assert_eq!(e164("020 7946 0958", "gb"), Ok("+442079460958".into()));
        assert_eq!(e164("06 6982 1234", "IT"), Ok("+390669821234".into()));
        assert_eq!(e164("+81 3-1234-5678", "US"), Ok("+81312345678".into()));
        assert_eq!(e164("0412 345 678", "AU"), Ok("+61412345678".into()));
        assert!(us("+1 202 555 01").is_err());
        assert!(us("555-0100")
            .unwrap_err()
            .contains("a local number without its area code"));
        assert!(us("555-0100").is_err());
        assert!(us("call me").is_err());
        assert!(e164("020 7946 0958", "ZZ")
            .unwrap_err()
            .contains("unknown default region"));
    }

    #[test]
    fn names() {
        let first = Transform::SplitName(NamePart::First);
        let last = Transform::SplitName(NamePart::Last);
        assert_eq!(run(&first, json!(" Mary Ann  Lee ")), Ok(json!("Mary")));
        assert_eq!(run(&last, json!(" Mary Ann  Lee ")), Ok(json!("Ann Lee")));
        assert_eq!(
            Transform::JoinName.apply(
                Value::Null,
                &[&json!(" Ann "), &json!(null), &json!("Lee")],
                &|_| None
            ),
            Ok(json!("Ann Lee"))
        );
    }

    #[test]
    fn dates_in_every_form_outseta_and_ghl_send() {
        let to_ymd = Transform::Date {
            from: DateFormat::Auto,
            to: DateFormat::Ymd,
        };
        for input in [
            json!("2023-04-11T18:23:43"),
            json!("2023-04-11T18:23:43.2226324Z"),
            json!("2023-04-11T13:23:43-05:00"),
            json!("2023-04-11"),
            json!("04/11/2023"),
            json!(1_681_237_423_000_i64),
        ] {
            assert_eq!(
                run(&to_ymd, input.clone()),
                Ok(json!("2023-04-11")),
                "{input}"
            );
        }
        assert_eq!(
            parse_iso("2023-04-11T13:23:43-05:00"),
            parse_iso("2023-04-11T18:23:43Z")
        );
        assert_eq!(
            run(
                &Transform::Date {
                    from: DateFormat::Dmy,
                    to: DateFormat::Iso
                },
                json!("11/04/2023")
            ),
            Ok(json!("2023-04-11T00:00:00Z"))
        );
        assert!(run(&to_ymd, json!("2023-02-30")).is_err());
        assert!(run(&to_ymd, json!("yesterday")).is_err());
        assert_eq!(
            parse_iso("0001-01-01T00:00:00").map(|ms| ms < 0),
            Some(true)
        );
    }

    #[test]
    fn maps_constants_templates_defaults() {
        let map = Transform::Map {
            values: BTreeMap::from([
                ("2".into(), json!("trialing")),
                ("3".into(), json!("subscribing")),
            ]),
            default: None,
        };
        assert_eq!(run(&map, json!(2)), Ok(json!("trialing")));
        assert!(run(&map, json!(9)).unwrap_err().contains("no entry"));
        assert_eq!(
            map.reverse(),
            Some(Some(Transform::Map {
                values: BTreeMap::from([
                    ("subscribing".into(), json!("3")),
                    ("trialing".into(), json!("2"))
                ]),
                default: None
            }))
        );
        assert_eq!(
            run(&Transform::Const(json!("outseta")), json!(null)),
            Ok(json!("outseta"))
        );
        assert_eq!(
            run(&Transform::DefaultIfEmpty(json!("n/a")), json!("  ")),
            Ok(json!("n/a"))
        );
        let lookup = |p: &str| (p == "FirstName").then(|| json!("Ann"));
        assert_eq!(
            Transform::Template("Hi {FirstName} {Missing}!".into()).apply(
                json!(null),
                &[],
                &lookup
            ),
            Ok(json!("Hi Ann !"))
        );
        assert_eq!(template_paths("{a} and {b.c}"), vec!["a", "b.c"]);
    }

    proptest! {
        #[test]
        fn dates_round_trip(days in -700_000_i64..2_900_000, secs in 0_i64..86_400) {
            let ms = days * 86_400_000 + secs * 1000;
            let iso = format_date(ms, DateFormat::Iso);
            prop_assert_eq!(parse_date(&iso, DateFormat::Auto), Ok(ms));
        }

        #[test]
        fn transforms_never_panic(s in ".{0,40}", n in any::<i64>()) {
            for t in [Transform::Trim, Transform::TitleCase, Transform::E164 { region: "US".into() },
                      Transform::SplitName(NamePart::Last),
                      Transform::Date { from: DateFormat::Auto, to: DateFormat::Mdy }] {
                let _ = run(&t, Value::String(s.clone()));
                let _ = run(&t, Value::from(n));
            }
            let _ = fill_template(&s, &|_| Some(Value::from(n)));
        }

        #[test]
        fn parse_iso_never_panics(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]{0,10}[-+Zz€é0-9:a]{0,5}") {
            let _ = parse_iso(&s);
        }

        #[test]
        fn e164_is_idempotent(d in "[2-9][0-9]{9}") {
            let once = e164(&d, "US").unwrap();
            prop_assert_eq!(e164(&once, "US"), Ok(once.clone()));
        }
    }
}
