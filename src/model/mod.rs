//! The canonical contact: the one vocabulary mapping, merge and the Plan share.
//!
//! Its field names are GHL's writable contact fields (`email`, `firstName`, `address1`,
//! ...) plus `customFields.<GHL field key>`; Outseta reaches it only through a mapping
//! spec. Values are kept as JSON (a custom field may hold a string, number or array);
//! an empty value (`null`, `""`, `[]`) is never stored, so "absent" and "empty" are one
//! state everywhere.

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub mod date;
mod fields;
mod tags;
pub use fields::{FieldName, Fields};
pub use tags::{Tags, TooManyTags, MAX_TAGS};

/// The JSON type a canonical field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    String,
    Boolean,
    /// Custom fields: whatever the GHL definition takes.
    Any,
}

impl FieldType {
    pub fn name(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Boolean => "boolean",
            FieldType::Any => "any",
        }
    }
}

/// One standard canonical field and what GHL accepts for it.
#[derive(Debug, PartialEq, Eq)]
pub struct FieldDef {
    pub name: &'static str,
    pub ty: FieldType,
    /// `UpdateContactDto` has it (otherwise only create and upsert take it).
    pub updatable: bool,
    /// The DTO allows `null`; otherwise a cleared value is written as `""`.
    pub nullable: bool,
}

const fn def(name: &'static str, ty: FieldType, updatable: bool, nullable: bool) -> FieldDef {
    FieldDef {
        name,
        ty,
        updatable,
        nullable,
    }
}

/// The standard fields, as GHL's `CreateContactDto` / `UpdateContactDto` name them
/// (../shared/specs/ghl/apps/contacts.json). `tags` and `customFields` are separate.
pub const FIELDS: &[FieldDef] = &[
    def("email", FieldType::String, true, true),
    def("firstName", FieldType::String, true, true),
    def("lastName", FieldType::String, true, true),
    def("name", FieldType::String, true, true),
    def("phone", FieldType::String, true, true),
    def("address1", FieldType::String, true, true),
    def("city", FieldType::String, true, true),
    def("state", FieldType::String, true, true),
    def("postalCode", FieldType::String, true, false),
    def("country", FieldType::String, true, false),
    def("website", FieldType::String, true, true),
    def("timezone", FieldType::String, true, true),
    def("companyName", FieldType::String, false, true),
    def("source", FieldType::String, true, true),
    def("dateOfBirth", FieldType::String, true, true),
    def("dnd", FieldType::Boolean, true, false),
];

/// The prefix of a custom field's canonical name: `customFields.contact.coffee`.
pub const CUSTOM_PREFIX: &str = "customFields.";

/// What a canonical field name refers to.
#[derive(Debug, PartialEq, Eq)]
pub enum FieldRef<'a> {
    Standard(&'static FieldDef),
    /// A GHL custom field by its field key (e.g. `contact.coffee_preference`).
    Custom(&'a str),
}

pub fn field_ref(name: &str) -> Option<FieldRef<'_>> {
    if let Some(key) = name.strip_prefix(CUSTOM_PREFIX) {
        return (!key.is_empty()).then_some(FieldRef::Custom(key));
    }
    FIELDS
        .iter()
        .find(|f| f.name == name)
        .map(FieldRef::Standard)
}

/// Which record a contact is in each system.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Links {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outseta_uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ghl_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ghl_location_id: Option<String>,
}

/// A contact in canonical form. `updatedAt` is the record's own last-change time in
/// its system (neither API keeps per-field times); it drives the newest-wins policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Contact {
    pub links: Links,
    pub fields: Fields,
    pub tags: Tags,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// `null`, `""` (also after trimming), `[]` and `{}` are all "no value".
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        // `s.trim().is_empty()`, without trimming both ends: a value is checked at
        // every set, and it mostly stops at its first character.
        Value::String(s) => s.chars().all(char::is_whitespace),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

impl Contact {
    /// Sets a field, or removes it when the value is empty. A standard name is found
    /// and borrowed, any other copied, and only if the field is new.
    pub fn set(&mut self, field: &str, value: Value) {
        if is_empty(&value) {
            self.fields.remove(field);
        } else {
            self.fields.insert(field, value);
        }
    }

    /// `set` with the name already made (no look-up of a standard name).
    pub fn set_named(&mut self, field: FieldName, value: Value) {
        if is_empty(&value) {
            self.fields.remove(&field);
        } else {
            self.fields.insert(field, value);
        }
    }

    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field)
    }
}

/// The tags of a contact as GHL payloads want them: sorted, de-duplicated.
pub fn tag_list(tags: &Tags) -> Value {
    Value::Array(tags.iter().cloned().map(Value::String).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_empty_string_is_one_that_trims_to_nothing() {
        for s in [
            "",
            " ",
            "\t\n",
            "\u{3000}\u{a0} ",
            "a",
            " a ",
            "\u{200b}",
            "x\u{3000}",
        ] {
            assert_eq!(is_empty(&json!(s)), s.trim().is_empty(), "{s:?}");
        }
    }

    #[test]
    fn field_refs() {
        assert!(matches!(field_ref("email"), Some(FieldRef::Standard(_))));
        assert_eq!(
            field_ref("customFields.contact.x"),
            Some(FieldRef::Custom("contact.x"))
        );
        assert_eq!(field_ref("customFields."), None);
        assert_eq!(field_ref("emial"), None);
    }
}
