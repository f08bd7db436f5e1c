//! Errors cross into JS as real `Error` objects with a stable `code` and a `details`
//! object, so callers can branch on `err.code` and get a stack trace.

use js_sys::{Error, Reflect};
use serde_json::{json, Value};
use wasm_bindgen::JsValue;

use crate::error::CodedError;

/// The `name` every error from this package carries.
const ERROR_NAME: &str = "OutsetaGhlSyncError";

pub fn to_js_error(err: &dyn CodedError) -> JsValue {
    coded_error(&err.to_string(), err.code(), &err.details())
}

/// A value that came from JS has no JSON form: reported like any other bad input.
pub(crate) fn unreadable_input(reason: &str) -> JsValue {
    coded_error(
        &format!("expected a JSON value at $: {reason}"),
        "INPUT_INVALID",
        &json!({ "path": "$", "expected": "JSON value", "reason": reason }),
    )
}

/// Something that cannot happen did: a bug in this package, reported instead of a panic.
pub(crate) fn internal(reason: &str) -> JsValue {
    coded_error(
        &format!("internal error: {reason}"),
        "INTERNAL",
        &json!({ "reason": reason }),
    )
}

pub(crate) fn coded_error(message: &str, code: &str, details: &Value) -> JsValue {
    let error = Error::new(message);
    error.set_name(ERROR_NAME);
    // `Value`'s Display is its JSON text, which JSON.parse always accepts.
    let details =
        js_sys::JSON::parse(&details.to_string()).unwrap_or_else(|_| js_sys::Object::new().into());
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&error, &"code".into(), &code.into());
    let _ = Reflect::set(&error, &"details".into(), &details);
    error.into()
}
