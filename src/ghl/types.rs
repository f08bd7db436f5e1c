//! HighLevel Contacts API v2 shapes (`apps/contacts.json`, with what NOTES.md says the
//! live API does beyond it). Read shapes are tolerant: every field is optional, fields
//! whose type the live API varies (dates of birth as epoch numbers, custom-field values)
//! are JSON values, and every key the spec does not list is kept in `extra`, not dropped.
//! Write shapes are strict: an unknown key is refused here, as the live API's whitelist
//! would refuse it with a 422.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Keys a response carried beyond the spec, kept verbatim.
pub type Extra = Map<String, Value>;

/// A field that may be absent, explicitly `null` (clear it), or set.
pub type Nullable<T> = Option<Option<T>>;

/// Serde glue for [`Nullable`]: absent -> `None`, `null` -> `Some(None)`.
pub mod nullable {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        value: &Option<Option<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

/// `{id, value}` as a contact carries it when read; `value` may be a string, number,
/// array or object, and `key` is not returned (GHL#177).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomFieldValue {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A custom field as written: `{id, key?, field_value}`. `fieldValue` (the v3 name,
/// accepted by 2021-07-28) and `value` are read as `field_value` too; `field_value` is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldWrite {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(alias = "fieldValue", alias = "value")]
    pub field_value: Value,
}

/// One channel of `dndSettings`: `{status*: active|inactive|permanent, message, code}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DndChannel {
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `dndSettings`: the spec's six channels; live payloads add `RCS`, kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DndSettings {
    #[serde(rename = "Call", default, skip_serializing_if = "Option::is_none")]
    pub call: Option<DndChannel>,
    #[serde(rename = "Email", default, skip_serializing_if = "Option::is_none")]
    pub email: Option<DndChannel>,
    #[serde(rename = "SMS", default, skip_serializing_if = "Option::is_none")]
    pub sms: Option<DndChannel>,
    #[serde(rename = "WhatsApp", default, skip_serializing_if = "Option::is_none")]
    pub whats_app: Option<DndChannel>,
    #[serde(rename = "GMB", default, skip_serializing_if = "Option::is_none")]
    pub gmb: Option<DndChannel>,
    #[serde(rename = "FB", default, skip_serializing_if = "Option::is_none")]
    pub fb: Option<DndChannel>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A contact as `GET /contacts/{id}` returns it (`GetContectByIdSchema`), also the
/// create and update responses' `contact` (`CreateContactSchema` adds a few keys, kept
/// in `extra`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dnd: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dnd_settings: Option<DndSettings>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub contact_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// A date string, or an epoch number in search results (GHL#314).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_added: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One item of `POST /contacts/search`: about 35 keys (GHL#314), among them its own
/// `searchAfter` cursor; everything beyond the listed ones is kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchContact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_added: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldValue>>,
    /// The cursor for the next page: `[number, string]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_after: Option<Vec<Value>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `CreateContactDto` and `UpsertContactDto` (which adds `createNewIfDuplicateAllowed`).
/// Strict: unknown keys are refused before sending. `phone` is normalised to E.164 by
/// the client.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactWrite {
    /// Filled in by the client from its configured location when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub first_name: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub last_name: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub name: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub email: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub gender: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub phone: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub address1: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub city: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub state: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub postal_code: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub website: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub timezone: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub dnd: Nullable<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dnd_settings: Option<DndSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbound_dnd_settings: Option<Value>,
    /// On update and upsert this overwrites every tag; prefer the tag endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldWrite>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub source: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub date_of_birth: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub country: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub company_name: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub assigned_to: Nullable<String>,
    /// Upsert only (default false); refused on create and update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_new_if_duplicate_allowed: Option<bool>,
}

/// `UpdateContactDto`: create's fields minus `locationId`, `gender`; plus `keyword`,
/// `ssn`, `type`, which the live API accepts on PUT (GHL#314). `companyName` is accepted
/// live as well.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub first_name: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub last_name: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub name: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub email: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub phone: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub address1: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub city: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub state: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub postal_code: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub website: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub timezone: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub dnd: Nullable<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dnd_settings: Option<DndSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbound_dnd_settings: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldWrite>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub source: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub date_of_birth: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub country: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub assigned_to: Nullable<String>,
}

/// `TaskSchema`; the live create response adds `businessId` and `traceId` (in `extra`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `CreateTaskParams` (title, dueDate and completed required) and `UpdateTaskBody`
/// (everything optional): one strict shape, checked by the client per operation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskWrite {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
}

/// `GetNoteSchema`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_added: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `NotesDTO` (create: `body` required) and its update form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NoteWrite {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<bool>,
}

/// `GetEventSchema`: an appointment on a contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Appointment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointment_status: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A custom-field definition (`apps/locations.json`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldDefinition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An error body: 400 `{statusCode, message, meta?}`, 401/403 `{statusCode, message,
/// error}`, 422 `{statusCode, message: string[], error}`; live bodies add `traceId`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    /// A string, or (422) an array of strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// On a duplicate create: `{contactId, contactName, matchingField}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl ErrorBody {
    /// The message(s) as a list, whichever form the body used.
    pub fn messages(&self) -> Vec<String> {
        match &self.message {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
            Some(other) => vec![other.to_string()],
            None => Vec::new(),
        }
    }
}

/// `POST /oauth/token` and `/oauth/locationToken` responses (snake_case on the wire).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(
        rename = "locationId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub location_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

// Tokens never reach a log.
impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_in", &self.expires_in)
            .field("location_id", &self.location_id)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_contact_keeps_keys_the_spec_does_not_list() {
        let live = json!({
            "id": "c1", "email": "a@b.co", "dateOfBirth": 946684800000u64,
            "additionalEmails": [{"email": "x@y.co"}],
            "createdBy": {"source": "INTEGRATION", "channel": "OAUTH"},
            "dndSettings": {"Email": {"status": "active"}, "RCS": {"status": "inactive"}},
            "customFields": [{"id": "f1", "value": ["a", "b"]}, {"id": "f2", "value": 3}]
        });
        let contact: Contact = serde_json::from_value(live.clone()).unwrap();
        assert_eq!(
            contact.extra["additionalEmails"],
            json!([{"email": "x@y.co"}])
        );
        let dnd = contact.dnd_settings.as_ref().unwrap();
        assert_eq!(dnd.email.as_ref().unwrap().status, "active");
        assert!(dnd.extra.contains_key("RCS"));
        assert_eq!(serde_json::to_value(&contact).unwrap(), live);
    }

    #[test]
    fn custom_field_writes_accept_field_value_fieldvalue_and_value() {
        for key in ["field_value", "fieldValue", "value"] {
            let w: CustomFieldWrite =
                serde_json::from_value(json!({"id": "f", key: ["x"]})).unwrap();
            assert_eq!(
                serde_json::to_value(&w).unwrap(),
                json!({"id": "f", "field_value": ["x"]})
            );
        }
    }

    #[test]
    fn write_shapes_refuse_unknown_keys_and_keep_explicit_nulls() {
        let err = serde_json::from_value::<ContactWrite>(json!({"foobar": 1})).unwrap_err();
        assert!(err.to_string().contains("foobar"), "{err}");
        let err = serde_json::from_value::<ContactUpdate>(json!({"locationId": "l"})).unwrap_err();
        assert!(err.to_string().contains("locationId"), "{err}");
        let w: ContactWrite =
            serde_json::from_value(json!({"email": null, "firstName": "A"})).unwrap();
        assert_eq!(w.email, Some(None));
        assert_eq!(
            serde_json::to_value(&w).unwrap(),
            json!({"email": null, "firstName": "A"})
        );
    }

    #[test]
    fn error_bodies_read_string_and_array_messages() {
        let e: ErrorBody = serde_json::from_value(json!({"statusCode": 422,
            "message": ["property foobar should not exist"], "error": "Unprocessable Entity"}))
        .unwrap();
        assert_eq!(e.messages(), vec!["property foobar should not exist"]);
        let e: ErrorBody =
            serde_json::from_value(json!({"statusCode": 400, "message": "bad"})).unwrap();
        assert_eq!(e.messages(), vec!["bad"]);
    }

    #[test]
    fn token_debug_hides_tokens() {
        let t = TokenResponse {
            access_token: "secret-a".into(),
            refresh_token: Some("secret-r".into()),
            ..TokenResponse::default()
        };
        let shown = format!("{t:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }
}
