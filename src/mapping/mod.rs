//! Field mapping between Outseta people and GHL contacts.
//!
//! Today this holds the built-in Outseta Person -> GHL contact rules for email, names and
//! phone. The user-editable, declarative mapping spec grows out of `FieldRule`; `apply`
//! keeps its contract: one record in, one payload or one typed error out, never a panic.

use serde_json::{json, Map, Value};
use thiserror::Error;

use crate::error::{json_type_name, CodedError};

/// A value transform applied to a mapped string, in the order listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    Trim,
    Lowercase,
}

/// One target field filled from the first of `sources` that holds a non-empty string.
#[derive(Debug)]
pub struct FieldRule {
    pub sources: &'static [&'static str],
    pub target: &'static str,
    pub transforms: &'static [Transform],
}

/// The built-in Outseta Person -> GHL contact mapping.
pub const DEFAULT_PERSON_TO_GHL: &[FieldRule] = &[
    // GHL and Outseta both treat email as case-insensitive; lower-casing makes the
    // payload stable, so the same person always produces the same bytes.
    FieldRule {
        sources: &["Email"],
        target: "email",
        transforms: &[Transform::Trim, Transform::Lowercase],
    },
    FieldRule {
        sources: &["FirstName"],
        target: "firstName",
        transforms: &[Transform::Trim],
    },
    FieldRule {
        sources: &["LastName"],
        target: "lastName",
        transforms: &[Transform::Trim],
    },
    // Outseta sends "" for an empty phone, so an empty mobile falls through to work.
    FieldRule {
        sources: &["PhoneMobile", "PhoneWork"],
        target: "phone",
        transforms: &[Transform::Trim],
    },
];

/// GHL matches and de-duplicates contacts on email, then phone: a payload with neither
/// could only ever create a new, unmatchable contact.
const GHL_IDENTITY_FIELDS: &[&str] = &["email", "phone"];

#[derive(Debug, Error, PartialEq, Eq)]
pub enum MappingError {
    #[error("expected {expected} at {path}, found {found}")]
    InputInvalid {
        path: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("the person has neither an email nor a phone, so no GHL contact can be matched to it")]
    NoIdentity { uid: Option<String> },
}

impl CodedError for MappingError {
    fn code(&self) -> &'static str {
        match self {
            MappingError::InputInvalid { .. } => "INPUT_INVALID",
            MappingError::NoIdentity { .. } => "MAPPING_NO_IDENTITY",
        }
    }

    fn details(&self) -> Value {
        match self {
            MappingError::InputInvalid {
                path,
                expected,
                found,
            } => json!({ "path": path, "expected": expected, "found": found }),
            MappingError::NoIdentity { uid } => {
                json!({ "uid": uid, "requiredOneOf": GHL_IDENTITY_FIELDS })
            }
        }
    }
}

/// Maps one Outseta Person (its JSON object, PascalCase keys) to a GHL contact payload
/// (camelCase keys) with the built-in rules.
pub fn map_person_to_ghl(person: &Value) -> Result<Map<String, Value>, MappingError> {
    let contact = apply(DEFAULT_PERSON_TO_GHL, person)?;
    if GHL_IDENTITY_FIELDS.iter().any(|f| contact.contains_key(*f)) {
        Ok(contact)
    } else {
        let uid = person.get("Uid").and_then(Value::as_str).map(str::to_owned);
        Err(MappingError::NoIdentity { uid })
    }
}

/// Applies `rules` to one record. Absent, `null` and empty (after transforms) values
/// leave the target out; any other non-string value is an `InputInvalid` error.
pub fn apply(rules: &[FieldRule], record: &Value) -> Result<Map<String, Value>, MappingError> {
    let fields = record
        .as_object()
        .ok_or_else(|| MappingError::InputInvalid {
            path: "$".to_owned(),
            expected: "object",
            found: json_type_name(record),
        })?;
    let mut out = Map::new();
    for rule in rules {
        for key in rule.sources {
            let text = match fields.get(*key) {
                None | Some(Value::Null) => continue,
                Some(Value::String(text)) => text,
                Some(other) => {
                    return Err(MappingError::InputInvalid {
                        path: format!("$.{key}"),
                        expected: "string",
                        found: json_type_name(other),
                    })
                }
            };
            let value = transform(text, rule.transforms);
            if !value.is_empty() {
                out.insert(rule.target.to_owned(), Value::String(value));
                break;
            }
        }
    }
    Ok(out)
}

fn transform(text: &str, transforms: &[Transform]) -> String {
    transforms.iter().fold(text.to_owned(), |value, t| match t {
        Transform::Trim => value.trim().to_owned(),
        Transform::Lowercase => value.to_lowercase(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(person: Value) -> Result<Value, MappingError> {
        map_person_to_ghl(&person).map(Value::Object)
    }

    #[test]
    fn maps_email_names_and_phone() {
        let got = map(json!({
            "Uid": "DQ2DyknW",
            "Email": "  Jane.Doe@Example.COM ",
            "FirstName": " Jane",
            "LastName": "Doe ",
            "PhoneMobile": "+1 555 010 2030",
            "PhoneWork": "+1 555 999 0000",
            "CoffeePreference": "Latte"
        }));
        assert_eq!(
            got,
            Ok(json!({
                "email": "jane.doe@example.com",
                "firstName": "Jane",
                "lastName": "Doe",
                "phone": "+1 555 010 2030"
            }))
        );
    }

    #[test]
    fn empty_mobile_falls_back_to_work_phone() {
        let got = map(json!({ "PhoneMobile": "", "PhoneWork": " 555-0100 " }));
        assert_eq!(got, Ok(json!({ "phone": "555-0100" })));
    }

    #[test]
    fn null_and_blank_fields_are_left_out() {
        let got = map(json!({ "Email": "a@b.co", "FirstName": null, "LastName": "   " }));
        assert_eq!(got, Ok(json!({ "email": "a@b.co" })));
    }

    #[test]
    fn wrong_field_type_names_the_path() {
        let err = map(json!({ "Email": "a@b.co", "FirstName": 42 })).unwrap_err();
        assert_eq!(err.code(), "INPUT_INVALID");
        assert_eq!(
            err.details(),
            json!({ "path": "$.FirstName", "expected": "string", "found": "number" })
        );
    }

    #[test]
    fn non_object_record_is_input_invalid() {
        let err = map(json!(["Email"])).unwrap_err();
        assert_eq!(
            err.details(),
            json!({ "path": "$", "expected": "object", "found": "array" })
        );
    }

    #[test]
    fn person_without_email_or_phone_has_no_identity() {
        let err = map(json!({ "Uid": "x1", "FirstName": "Ann", "PhoneWork": "" })).unwrap_err();
        assert_eq!(err.code(), "MAPPING_NO_IDENTITY");
        assert_eq!(err.details()["uid"], json!("x1"));
        assert_eq!(
            err.to_string(),
            "the person has neither an email nor a phone, so no GHL contact can be matched to it"
        );
    }
}
