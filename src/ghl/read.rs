//! A GHL contact, as the API and its webhooks give it, read into the canonical contact:
//! GHL's own record shape lives here, not in the model. `contact` reads a parsed object;
//! the Plan reads contacts straight from JSON text key by key with [`ContactRead`], with
//! no object in between.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::model::{
    Contact, FieldDef, FieldName, FieldType, TooManyTags, CUSTOM_PREFIX, FIELDS, MAX_TAGS,
};

/// Reads a GHL contact as the API returns it (`GET /contacts/{id}`, webhooks).
/// Custom fields arrive as `[{id, value}]`; `keys_by_id` (from the location's
/// definitions) names them by field key, otherwise they keep their id. More than
/// [`MAX_TAGS`] tags is an error.
pub fn contact(
    contact: &Map<String, Value>,
    keys_by_id: &BTreeMap<String, String>,
) -> Result<Contact, TooManyTags> {
    // One pass over the contact's keys: cheaper than a look-up in its map for each
    // standard field.
    let mut read = ContactRead::default();
    for (name, value) in contact {
        let key = Key::of(name);
        if key != Key::Other {
            read.key(key, value.clone());
        }
    }
    read.finish(keys_by_id)
}

/// A key of a GHL contact, as `contact` reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
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

impl Key {
    pub fn of(name: &str) -> Key {
        match name {
            "id" => Key::Id,
            "locationId" => Key::LocationId,
            "dateAdded" => Key::DateAdded,
            "dateUpdated" => Key::DateUpdated,
            "tags" => Key::Tags,
            "customFields" => Key::CustomFields,
            name => FIELDS
                .iter()
                .find(|f| f.name == name)
                .map_or(Key::Other, Key::Field),
        }
    }
}

/// A GHL contact read key by key (a key given twice: the last one counts, as in a
/// parsed JSON object), then made canonical by `finish`. `contact` reads a
/// parsed object with it; the Plan reads contacts straight from JSON text with it,
/// with no object in between.
#[derive(Debug, Default)]
pub struct ContactRead {
    contact: Contact,
    tags: Option<Value>,
    custom: Option<Value>,
}

impl ContactRead {
    pub fn key(&mut self, key: Key, value: Value) {
        let text = |v: Value| match v {
            Value::String(s) => Some(s),
            _ => None,
        };
        match key {
            Key::Id => self.contact.links.ghl_id = text(value),
            Key::LocationId => self.contact.links.ghl_location_id = text(value),
            Key::DateAdded => self.contact.created_at = text(value),
            Key::DateUpdated => self.contact.updated_at = text(value),
            Key::Tags => self.tags = Some(value),
            Key::CustomFields => self.custom = Some(value),
            Key::Field(f) => {
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
            Key::Other => {}
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tag_list;
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
        let c = contact(ghl.as_object().unwrap(), &keys).unwrap();
        assert_eq!(c.links.ghl_id.as_deref(), Some("c1"));
        assert_eq!(c.get("email"), Some(&json!("a@b.co")));
        assert_eq!(c.get("lastName"), None, "empty is absent");
        assert_eq!(c.get("phone"), None, "a wrong type is not read");
        assert_eq!(c.get("dnd"), Some(&json!(false)));
        assert_eq!(c.get("customFields.contact.coffee"), Some(&json!("Latte")));
        assert_eq!(c.get("customFields.f2"), Some(&json!(3)));
        assert_eq!(tag_list(&c.tags), json!(["trial", "vip"]));
    }
}
