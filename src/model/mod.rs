//! The canonical contact: the one vocabulary mapping, merge and the Plan share.
//!
//! Its field names are GHL's writable contact fields (`email`, `firstName`, `address1`,
//! ...) plus `customFields.<GHL field key>`; Outseta reaches it only through a mapping
//! spec. Values are kept as JSON (a custom field may hold a string, number or array);
//! an empty value (`null`, `""`, `[]`) is never stored, so "absent" and "empty" are one
//! state everywhere.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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
    pub fields: BTreeMap<String, Value>,
    pub tags: BTreeSet<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// `null`, `""` (also after trimming), `[]` and `{}` are all "no value".
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

impl Contact {
    /// Sets a field, or removes it when the value is empty.
    pub fn set(&mut self, field: &str, value: Value) {
        if is_empty(&value) {
            self.fields.remove(field);
        } else {
            self.fields.insert(field.to_owned(), value);
        }
    }

    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field)
    }

    /// Reads a GHL contact as the API returns it (`GET /contacts/{id}`, webhooks).
    /// Custom fields arrive as `[{id, value}]`; `keys_by_id` (from the location's
    /// definitions) names them by field key, otherwise they keep their id.
    pub fn from_ghl(
        contact: &Map<String, Value>,
        keys_by_id: &BTreeMap<String, String>,
    ) -> Contact {
        let text = |k: &str| contact.get(k).and_then(Value::as_str).map(str::to_owned);
        let mut out = Contact {
            links: Links {
                outseta_uid: None,
                ghl_id: text("id"),
                ghl_location_id: text("locationId"),
            },
            created_at: text("dateAdded"),
            updated_at: text("dateUpdated"),
            ..Contact::default()
        };
        for f in FIELDS {
            if let Some(v) = contact.get(f.name) {
                let ok = match f.ty {
                    FieldType::String => v.is_string(),
                    FieldType::Boolean => v.is_boolean(),
                    FieldType::Any => true,
                };
                if ok {
                    out.set(f.name, v.clone());
                }
            }
        }
        if let Some(Value::Array(tags)) = contact.get("tags") {
            out.tags = tags
                .iter()
                .filter_map(Value::as_str)
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect();
        }
        if let Some(Value::Array(custom)) = contact.get("customFields") {
            for entry in custom {
                let Some(id) = entry.get("id").and_then(Value::as_str) else {
                    continue;
                };
                let value = entry
                    .get("value")
                    .or_else(|| entry.get("field_value"))
                    .or_else(|| entry.get("fieldValue"))
                    .cloned()
                    .unwrap_or(Value::Null);
                let key = keys_by_id.get(id).map(String::as_str).unwrap_or(id);
                out.set(&format!("{CUSTOM_PREFIX}{key}"), value);
            }
        }
        out
    }
}

/// The tags of a contact as GHL payloads want them: sorted, de-duplicated.
pub fn tag_list(tags: &BTreeSet<String>) -> Value {
    Value::Array(tags.iter().cloned().map(Value::String).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_ghl_contact_with_custom_fields_by_key() {
        let ghl = json!({
            "id": "c1", "locationId": "loc", "email": "a@b.co", "firstName": "Ann",
            "lastName": "", "dnd": false, "tags": ["vip", " ", "trial"],
            "customFields": [{ "id": "f1", "value": "Latte" }, { "id": "f2", "value": 3 }],
            "dateUpdated": "2026-11-20T16:02:11.000Z", "phone": 5
        });
        let keys = BTreeMap::from([("f1".to_owned(), "contact.coffee".to_owned())]);
        let c = Contact::from_ghl(ghl.as_object().unwrap(), &keys);
        assert_eq!(c.links.ghl_id.as_deref(), Some("c1"));
        assert_eq!(c.get("email"), Some(&json!("a@b.co")));
        assert_eq!(c.get("lastName"), None, "empty is absent");
        assert_eq!(c.get("phone"), None, "a wrong type is not read");
        assert_eq!(c.get("dnd"), Some(&json!(false)));
        assert_eq!(c.get("customFields.contact.coffee"), Some(&json!("Latte")));
        assert_eq!(c.get("customFields.f2"), Some(&json!(3)));
        assert_eq!(tag_list(&c.tags), json!(["trial", "vip"]));
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
