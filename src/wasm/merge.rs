//! The mapping, merge and Plan exports: `previewMapping`, `validateMapping`,
//! `defaultMapping`, `mergeContact`, `planSync`, and `planSyncJson` (the same Plan with
//! JSON text in and out, for callers that hold text already: it skips one
//! `JSON.stringify` and one `JSON.parse` on the JS side).

use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

use super::error::to_js_error;
use super::json::{from_js, to_js};
use crate::error::json_type_name;
use crate::mapping::{self, MappingError};
use crate::merge;
use crate::model::Contact;
use crate::plan;

fn optional(value: &JsValue) -> Result<Option<Value>, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        from_js(value).map(Some)
    }
}

/// Maps records with a spec (the built-in one when `spec` is null/undefined): one
/// `{ ok, payload, errors, error? }` per record, field errors beside the payload.
#[wasm_bindgen(js_name = previewMapping)]
pub fn preview_mapping(
    records: JsValue,
    spec: JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let records = from_js(&records)?;
    let (spec, options) = (optional(&spec)?, optional(&options)?);
    let out = mapping::preview_batch(&records, spec.as_ref(), options.as_ref())
        .map_err(|e| to_js_error(&e))?;
    to_js(&out)
}

/// Every problem of a spec, each with a JSON path: `{ valid, problems }`.
#[wasm_bindgen(js_name = validateMapping)]
pub fn validate_mapping(spec: JsValue, context: JsValue) -> Result<JsValue, JsValue> {
    let spec = match optional(&spec)? {
        Some(s) => s,
        None => Value::Null,
    };
    let problems = mapping::validate(&spec, optional(&context)?.as_ref());
    to_js(&json!({ "valid": problems.is_empty(), "problems": problems }))
}

/// The built-in mapping spec, as JSON.
#[wasm_bindgen(js_name = defaultMapping)]
pub fn default_mapping() -> Result<JsValue, JsValue> {
    let spec: Value = serde_json::from_str(mapping::DEFAULT_SPEC_JSON)
        .map_err(|e| super::error::internal(&e.to_string()))?;
    to_js(&spec)
}

fn contact(name: &str, value: &JsValue) -> Result<Contact, JsValue> {
    let value = optional(value)?.unwrap_or_else(|| json!({}));
    if !value.is_object() {
        return Err(to_js_error(&MappingError::InputInvalid {
            path: format!("${name}"),
            expected: "object",
            found: json_type_name(&value),
        }));
    }
    let contact: Contact = serde_json::from_value(value).map_err(|e| {
        to_js_error(&MappingError::InputInvalid {
            path: format!("${name}"),
            expected: "a canonical contact { links, fields, tags, updatedAt }",
            found: if e.to_string().contains("invalid type") {
                "a field of the wrong type"
            } else {
                "an unreadable value"
            },
        })
    })?;
    contact.tags.within_limit().map_err(|e| to_js_error(&e))?;
    Ok(contact)
}

/// Three-way merge of canonical contacts against their base.
#[wasm_bindgen(js_name = mergeContact)]
pub fn merge_contact(
    base: JsValue,
    outseta: JsValue,
    ghl: JsValue,
    policy: JsValue,
) -> Result<JsValue, JsValue> {
    let (base, outseta, ghl) = (
        contact("base", &base)?,
        contact("outseta", &outseta)?,
        contact("ghl", &ghl)?,
    );
    let policy = merge::parse_policy(optional(&policy)?.as_ref())
        .map_err(|p| to_js_error(&MappingError::spec_invalid(p)))?;
    to_js(&merge::merge(&base, &outseta, &ghl, &policy, None))
}

/// Plans a batch of pairs: one `{ operations, state, errors, error? }` per pair.
#[wasm_bindgen(js_name = planSync)]
pub fn plan_sync(input: JsValue) -> Result<JsValue, JsValue> {
    let input = from_js(&input)?;
    let plans = plan::plan_sync(&input).map_err(|e| to_js_error(&e))?;
    to_js(&plans)
}

/// `planSync` with JSON text in and out.
#[wasm_bindgen(js_name = planSyncJson)]
pub fn plan_sync_json(input: &str) -> Result<String, JsValue> {
    plan::plan_sync_json(input).map_err(|e| match e {
        plan::PlanJsonError::Unreadable(reason) => super::error::unreadable_input(&reason),
        plan::PlanJsonError::Batch(e) => to_js_error(&e),
        plan::PlanJsonError::Write(reason) => super::error::internal(&reason),
    })
}

/// `planSync` with records crossing through serde-wasm-bindgen (JSON-compatible
/// serializer) instead of JSON text: built only for the benchmark.
#[cfg(feature = "bench-serde-wasm-bindgen")]
#[wasm_bindgen(js_name = planSyncSwb)]
pub fn plan_sync_swb(input: JsValue) -> Result<JsValue, JsValue> {
    use serde::Serialize;
    let input: Value = serde_wasm_bindgen::from_value(input)
        .map_err(|e| super::error::unreadable_input(&e.to_string()))?;
    let plans = plan::plan_sync(&input).map_err(|e| to_js_error(&e))?;
    plans
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| super::error::internal(&e.to_string()))
}
