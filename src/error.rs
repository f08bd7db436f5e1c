//! The contract every user-facing error follows, whatever module raised it.

use serde_json::Value;

/// An error with a stable, machine-readable `code` (e.g. `INPUT_INVALID`) and a
/// `details` object. The wasm boundary turns it into a JS `Error` carrying both, so
/// callers branch on `code`, never on the message text.
pub trait CodedError: std::error::Error {
    fn code(&self) -> &'static str;
    fn details(&self) -> Value;
}

/// The largest webhook body either system's parser reads (HighLevel's and Outseta's are a
/// few KB). The hosts cap what they read from the network at the same number
/// (`webhookBodyLimit()`), so nothing larger ever reaches the parsers.
pub const WEBHOOK_BODY_MAX: usize = 1 << 20;

/// A body over its route's limit, refused by its length alone (HTTP 413).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the body is over the {limit}-byte limit")]
pub struct BodyTooLarge {
    pub limit: usize,
}

impl CodedError for BodyTooLarge {
    fn code(&self) -> &'static str {
        "BODY_TOO_LARGE"
    }

    fn details(&self) -> Value {
        serde_json::json!({ "limit": self.limit })
    }
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

/// serde quotes the value it refused (`invalid type: string "…", expected …`). Client
/// and engine options carry credentials, so errors raised while reading them keep only
/// the kind of value: `invalid type: string, expected …`.
pub fn without_quoted_strings(message: &str) -> String {
    const OPEN: &str = "string \"";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at + OPEN.len() - 2]);
        let value = &rest[at + OPEN.len()..];
        // The value is written with Rust's escaping: the first unescaped quote ends it.
        let mut escaped = false;
        let end = value.char_indices().find_map(|(i, c)| {
            let close = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            close.then_some(i)
        });
        rest = end.map_or("", |i| &value[i + 1..]);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::without_quoted_strings;

    #[test]
    fn quoted_values_are_dropped_from_serde_messages() {
        let err = serde_json::from_str::<u32>(r#""tok-\"secret\"-1""#).unwrap_err();
        let message = without_quoted_strings(&err.to_string());
        assert!(!message.contains("secret"), "{message}");
        assert!(
            message.starts_with("invalid type: string, expected u32"),
            "{message}"
        );
        assert_eq!(without_quoted_strings("no values here"), "no values here");
        assert_eq!(
            without_quoted_strings(r#"a string "x" and string "y"#),
            "a string and string"
        );
    }
}
