//! Errors of the Outseta client and webhook handling, each with a stable code.

use serde_json::{json, Value};
use thiserror::Error;

use crate::error::CodedError;
use crate::http::TransportError;

/// One entry of a 400 body's `ValidationErrors`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub property: Option<String>,
    pub message: String,
    pub code: Option<String>,
}

#[derive(Debug, Error, PartialEq)]
pub enum OutsetaError {
    /// The request never got a response.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// 400: Outseta refused the record (`EntityValidationErrors`, or the flat
    /// `{ErrorMessage, PropertyName}` form).
    #[error("Outseta refused the request: {message}")]
    Validation {
        message: String,
        errors: Vec<FieldError>,
    },
    /// 401 or 403: the key pair is wrong or lacks access.
    #[error("Outseta refused the API key (HTTP {status})")]
    Unauthorized { status: u16 },
    /// 404: no such record (or endpoint).
    #[error("not found in Outseta: {path}")]
    NotFound { path: String },
    /// 429: over Outseta's 4 requests per second per key.
    #[error("Outseta rate limit exceeded (4 requests/second per key)")]
    RateLimited { retry_after_seconds: Option<f64> },
    /// Any other status.
    #[error("Outseta answered HTTP {status}: {message}")]
    Http { status: u16, message: String },
    /// A 2xx response whose body is not what the API documents.
    #[error("unexpected Outseta response for {path}: {reason}")]
    Decode { path: String, reason: String },
    /// The caller's input was refused before anything was sent.
    #[error("invalid input at {path}: {reason}")]
    InputInvalid { path: String, reason: String },
}

impl CodedError for OutsetaError {
    fn code(&self) -> &'static str {
        match self {
            OutsetaError::Transport(e) => e.code(),
            OutsetaError::Validation { .. } => "OUTSETA_VALIDATION",
            OutsetaError::Unauthorized { .. } => "OUTSETA_UNAUTHORIZED",
            OutsetaError::NotFound { .. } => "OUTSETA_NOT_FOUND",
            OutsetaError::RateLimited { .. } => "OUTSETA_RATE_LIMITED",
            OutsetaError::Http { .. } => "OUTSETA_HTTP",
            OutsetaError::Decode { .. } => "OUTSETA_DECODE",
            OutsetaError::InputInvalid { .. } => "INPUT_INVALID",
        }
    }

    fn details(&self) -> Value {
        match self {
            OutsetaError::Transport(e) => e.details(),
            OutsetaError::Validation { message, errors } => {
                json!({ "message": message, "errors": errors })
            }
            OutsetaError::Unauthorized { status } => json!({ "status": status }),
            OutsetaError::NotFound { path } => json!({ "status": 404, "path": path }),
            OutsetaError::RateLimited {
                retry_after_seconds,
            } => json!({ "status": 429, "retryAfterSeconds": retry_after_seconds }),
            OutsetaError::Http { status, message } => {
                json!({ "status": status, "message": message })
            }
            OutsetaError::Decode { path, reason } => json!({ "path": path, "reason": reason }),
            OutsetaError::InputInvalid { path, reason } => {
                json!({ "path": path, "reason": reason })
            }
        }
    }
}

/// Reads Outseta's error body: `{ErrorMessage, EntityValidationErrors: [{ValidationErrors:
/// [{ErrorCode, ErrorMessage, PropertyName}]}]}`, the flat `{ErrorMessage, PropertyName}`,
/// or ASP.NET's `{Message}`. Anything else becomes the first 200 characters of the body.
pub(crate) fn read_error_body(body: &str) -> (String, Vec<FieldError>) {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    let parsed: Value = match serde_json::from_str(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return (body.chars().take(200).collect(), Vec::new()),
    };
    let mut errors = Vec::new();
    for entity in parsed
        .get("EntityValidationErrors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for e in entity
            .get("ValidationErrors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            errors.push(FieldError {
                property: text(e, "PropertyName"),
                message: text(e, "ErrorMessage").unwrap_or_default(),
                code: text(e, "ErrorCode"),
            });
        }
    }
    if errors.is_empty() {
        if let (Some(property), Some(message)) =
            (text(&parsed, "PropertyName"), text(&parsed, "ErrorMessage"))
        {
            errors.push(FieldError {
                property: Some(property),
                message,
                code: None,
            });
        }
    }
    let message = text(&parsed, "ErrorMessage")
        .or_else(|| text(&parsed, "Message"))
        .or_else(|| errors.first().map(|e| e.message.clone()))
        .unwrap_or_else(|| body.chars().take(200).collect());
    (message, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entity_validation_body_is_read_field_by_field() {
        let (message, errors) = read_error_body(
            r#"{"ErrorMessage":"Validation failed for one or more entities. See 'EntityValidationErrors' property for more details.","EntityValidationErrors":[{"Entity":{},"TypeName":"Person","ValidationErrors":[{"ErrorCode":"outsetaError","ErrorMessage":"The Email field is not a valid e-mail address.","PropertyName":"Email"}]}]}"#,
        );
        assert!(message.starts_with("Validation failed"));
        assert_eq!(
            errors,
            vec![FieldError {
                property: Some("Email".into()),
                message: "The Email field is not a valid e-mail address.".into(),
                code: Some("outsetaError".into()),
            }]
        );
    }

    #[test]
    fn flat_aspnet_and_garbage_bodies_are_read_too() {
        let (m, e) =
            read_error_body(r#"{"ErrorMessage":"Invalid company email","PropertyName":"Email"}"#);
        assert_eq!((m.as_str(), e.len()), ("Invalid company email", 1));
        let (m, e) = read_error_body(r#"{"Message":"An error has occurred."}"#);
        assert_eq!((m.as_str(), e.len()), ("An error has occurred.", 0));
        let (m, _) = read_error_body(&"<html>".repeat(100));
        assert_eq!(m.len(), 200);
        let (m, _) = read_error_body("[1,2]");
        assert_eq!(m, "[1,2]");
    }

    #[test]
    fn codes_are_stable() {
        assert_eq!(
            OutsetaError::NotFound { path: "/x".into() }.code(),
            "OUTSETA_NOT_FOUND"
        );
        assert_eq!(
            OutsetaError::RateLimited {
                retry_after_seconds: Some(1.0)
            }
            .details(),
            json!({"status": 429, "retryAfterSeconds": 1.0})
        );
    }
}
