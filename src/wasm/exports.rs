//! The functions the npm package exports. Each takes and returns plain JS values
//! (records cross as whole objects or arrays) and throws coded errors, never panics.

use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

use super::error::to_js_error;
use super::json::{from_js, to_js};
use crate::error::json_type_name;
use crate::mapping::{self, MappingError};

/// The package version, e.g. "0.1.0".
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_owned()
}

/// The most bytes a webhook body may hold (1 MiB); hosts read no more than this from the
/// network (413 `BODY_TOO_LARGE` past it), so one number decides both.
#[wasm_bindgen(js_name = webhookBodyLimit)]
pub fn webhook_body_limit() -> u32 {
    crate::error::WEBHOOK_BODY_MAX as u32
}

/// Maps one Outseta Person to a GHL contact payload; throws on bad input.
#[wasm_bindgen(js_name = mapContact)]
pub fn map_contact(person: JsValue) -> Result<JsValue, JsValue> {
    let person = from_js(&person)?;
    let contact = mapping::map_person_to_ghl(&person).map_err(|e| to_js_error(&e))?;
    to_js(&contact)
}

/// Maps a batch of Outseta People. One bad record does not fail the batch: each result
/// is `{ ok: true, contact }` or `{ ok: false, error: { code, message, details } }`, in
/// input order.
#[wasm_bindgen(js_name = mapContacts)]
pub fn map_contacts(people: JsValue) -> Result<JsValue, JsValue> {
    let people = match from_js(&people)? {
        Value::Array(people) => people,
        other => {
            return Err(to_js_error(&MappingError::InputInvalid {
                path: "$".to_owned(),
                expected: "array",
                found: json_type_name(&other),
            }))
        }
    };
    let results: Vec<Value> = people
        .iter()
        .map(|person| match mapping::map_person_to_ghl(person) {
            Ok(contact) => json!({ "ok": true, "contact": contact }),
            Err(e) => json!({ "ok": false, "error": crate::error::error_json(&e) }),
        })
        .collect();
    to_js(&results)
}
