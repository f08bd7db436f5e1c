//! The contract every user-facing error follows, whatever module raised it.

use serde_json::Value;

/// An error with a stable, machine-readable `code` (e.g. `INPUT_INVALID`) and a
/// `details` object. The wasm boundary turns it into a JS `Error` carrying both, so
/// callers branch on `code`, never on the message text.
pub trait CodedError: std::error::Error {
    fn code(&self) -> &'static str;
    fn details(&self) -> Value;
}

/// The JSON form of a coded error, as Plans, runs and batch results carry it.
pub fn error_json(err: &dyn CodedError) -> Value {
    serde_json::json!({ "code": err.code(), "message": err.to_string(), "details": err.details() })
}

/// The JSON type name of a value, as used in error details ("found": "number").
pub fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
