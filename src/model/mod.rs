//! The canonical contact: the one vocabulary mapping, merge and the Plan share.
//!
//! Its field names are GHL's writable contact fields (`email`, `firstName`, `address1`,
//! ...) plus `customFields.<GHL field key>`; Outseta reaches it only through a mapping
//! spec. Values are kept as JSON (a custom field may hold a string, number or array);
//! an empty value (`null`, `""`, `[]`) is never stored, so "absent" and "empty" are one
//! state everywhere.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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

    /// Reads a GHL contact as the API returns it (`GET /contacts/{id}`, webhooks).
    /// Custom fields arrive as `[{id, value}]`; `keys_by_id` (from the location's
    /// definitions) names them by field key, otherwise they keep their id. More than
    /// [`MAX_TAGS`] tags is an error.
    pub fn from_ghl(
        contact: &Map<String, Value>,
        keys_by_id: &BTreeMap<String, String>,
    ) -> Result<Contact, TooManyTags> {
        // One pass over the contact's keys: cheaper than a look-up in its map for each
        // standard field.
        let mut read = GhlRead::default();
        for (name, value) in contact {
            let key = GhlKey::of(name);
            if key != GhlKey::Other {
                read.key(key, value.clone());
            }
        }
        read.finish(keys_by_id)
    }
}

/// A key of a GHL contact, as `Contact::from_ghl` reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GhlKey {
    Id,
    LocationId,
    DateAdded,
    DateUpdated,
    Tags,
    CustomFields,
    Field(&'static FieldDef),
    /// Not read.
    Other,
}

impl GhlKey {
    pub fn of(name: &str) -> GhlKey {
        match name {
            "id" => GhlKey::Id,
            "locationId" => GhlKey::LocationId,
            "dateAdded" => GhlKey::DateAdded,
            "dateUpdated" => GhlKey::DateUpdated,
            "tags" => GhlKey::Tags,
            "customFields" => GhlKey::CustomFields,
            name => FIELDS
                .iter()
                .find(|f| f.name == name)
                .map_or(GhlKey::Other, GhlKey::Field),
        }
    }
}

/// A GHL contact read key by key (a key given twice: the last one counts, as in a
/// parsed JSON object), then made canonical by `finish`. `Contact::from_ghl` reads a
/// parsed object with it; the Plan reads contacts straight from JSON text with it,
/// with no object in between.
#[derive(Debug, Default)]
pub struct GhlRead {
    contact: Contact,
    tags: Option<Value>,
    custom: Option<Value>,
}

impl GhlRead {
    pub fn key(&mut self, key: GhlKey, value: Value) {
        let text = |v: Value| match v {
            Value::String(s) => Some(s),
            _ => None,
        };
        match key {
            GhlKey::Id => self.contact.links.ghl_id = text(value),
            GhlKey::LocationId => self.contact.links.ghl_location_id = text(value),
            GhlKey::DateAdded => self.contact.created_at = text(value),
            GhlKey::DateUpdated => self.contact.updated_at = text(value),
            GhlKey::Tags => self.tags = Some(value),
            GhlKey::CustomFields => self.custom = Some(value),
            GhlKey::Field(f) => {
                let ok = match f.ty {
                    FieldType::String => value.is_string(),
                    FieldType::Boolean => value.is_boolean(),
                    FieldType::Any => true,
                };
                if ok {
                    self.contact
                        .set_named(FieldName::from_static(f.name), value);
                } else {
                    // A later value of the wrong type replaces an earlier good one.
                    self.contact.fields.remove(f.name);
                }
            }
            GhlKey::Other => {}
        }
    }

    pub fn finish(self, keys_by_id: &BTreeMap<String, String>) -> Result<Contact, TooManyTags> {
        let mut out = self.contact;
        if let Some(Value::Array(tags)) = self.tags {
            // Counted before they are sorted: a runaway list costs nothing to refuse.
            if tags.len() > MAX_TAGS {
                return Err(TooManyTags { count: tags.len() });
            }
            out.tags = tags
                .into_iter()
                .filter_map(|t| match t {
                    Value::String(t) if t.trim().len() == t.len() => Some(t),
                    Value::String(t) => Some(t.trim().to_owned()),
                    _ => None,
                })
                .filter(|t| !t.is_empty())
                .collect();
        }
        if let Some(Value::Array(custom)) = self.custom {
            for mut entry in custom {
                let Some(id) = entry.get("id").and_then(Value::as_str) else {
                    continue;
                };
                let key = keys_by_id.get(id).map(String::as_str).unwrap_or(id);
                // (Built by hand: `format!` costs several times as much here.)
                let mut name = String::with_capacity(CUSTOM_PREFIX.len() + key.len());
                name.push_str(CUSTOM_PREFIX);
                name.push_str(key);
                let value = ["value", "field_value", "fieldValue"]
                    .into_iter()
                    .find_map(|k| entry.get_mut(k).map(Value::take))
                    .unwrap_or(Value::Null);
                out.set_named(FieldName::from(name), value);
            }
        }
        Ok(out)
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
    fn reads_a_ghl_contact_with_custom_fields_by_key() {
        let ghl = json!({
            "id": "c1", "locationId": "loc", "email": "a@b.co", "firstName": "Ann",
            "lastName": "", "dnd": false, "tags": ["vip", " ", "trial"],
            "customFields": [{ "id": "f1", "value": "Latte" }, { "id": "f2", "value": 3 }],
            "dateUpdated": "2026-11-20T16:02:11.000Z", "phone": 5
        });
        let keys = BTreeMap::from([("f1".to_owned(), "contact.coffee".to_owned())]);
        let c = Contact::from_ghl(ghl.as_object().unwrap(), &keys).unwrap();
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
