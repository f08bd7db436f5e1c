//! Every way a HighLevel call can fail, each with a stable code. Details carry the
//! operation, status, messages and `traceId`, never a token.

use serde_json::{json, Value};
use thiserror::Error;

use crate::error::CodedError;
use crate::http::TransportError;

#[derive(Debug, Error)]
pub enum GhlError {
    /// Input refused before anything was sent (unknown key, missing field, bad phone).
    #[error("invalid input for {op}: {reason}")]
    InputInvalid { op: &'static str, reason: String },
    /// 400 "This location does not allow duplicated contacts." with `meta`.
    #[error("{op}: duplicate of contact {contact_id} (matching {})", .matching_field.as_deref().unwrap_or("?"))]
    Duplicate {
        op: &'static str,
        contact_id: String,
        matching_field: Option<String>,
        body: Value,
    },
    /// Any other error status, with its parsed body.
    #[error("{op}: HTTP {status}: {}", .messages.join("; "))]
    Status {
        op: &'static str,
        status: u16,
        messages: Vec<String>,
        trace_id: Option<String>,
        body: Value,
    },
    /// 429 after every retry, or the daily budget spent locally.
    #[error("{op}: rate limited ({reason})")]
    RateLimited {
        op: &'static str,
        reason: String,
        retry_in_ms: Option<f64>,
    },
    #[error("{op}: {source}")]
    Transport {
        op: &'static str,
        source: TransportError,
        /// True when a write may have been applied (no response arrived).
        ambiguous: bool,
    },
    /// A 2xx whose body is not what the spec says.
    #[error("{op}: unexpected response body: {reason}")]
    ResponseInvalid { op: &'static str, reason: String },
    /// 401 with no way to refresh (a Private Integration Token, or no refresh token).
    #[error("{op}: unauthorized: {message}")]
    Unauthorized {
        op: &'static str,
        message: String,
        trace_id: Option<String>,
    },
}

impl CodedError for GhlError {
    fn code(&self) -> &'static str {
        match self {
            GhlError::InputInvalid { .. } => "INPUT_INVALID",
            GhlError::Duplicate { .. } => "GHL_DUPLICATE",
            GhlError::Status { status, .. } => match status {
                400 => "GHL_BAD_REQUEST",
                403 => "GHL_FORBIDDEN",
                404 => "GHL_NOT_FOUND",
                422 => "GHL_VALIDATION",
                500..=599 => "GHL_SERVER_ERROR",
                _ => "GHL_HTTP_ERROR",
            },
            GhlError::RateLimited { .. } => "GHL_RATE_LIMITED",
            GhlError::Transport { .. } => "HTTP_TRANSPORT",
            GhlError::ResponseInvalid { .. } => "GHL_RESPONSE_INVALID",
            GhlError::Unauthorized { .. } => "GHL_UNAUTHORIZED",
        }
    }

    fn details(&self) -> Value {
        match self {
            GhlError::InputInvalid { op, reason } => json!({ "op": op, "reason": reason }),
            GhlError::Duplicate {
                op,
                contact_id,
                matching_field,
                body,
            } => json!({
                "op": op, "status": 400, "contactId": contact_id,
                "matchingField": matching_field, "body": body
            }),
            GhlError::Status {
                op,
                status,
                messages,
                trace_id,
                body,
            } => json!({
                "op": op, "status": status, "messages": messages,
                "traceId": trace_id, "body": body
            }),
            GhlError::RateLimited {
                op,
                reason,
                retry_in_ms,
            } => json!({ "op": op, "reason": reason, "retryInMs": retry_in_ms }),
            GhlError::Transport {
                op,
                source,
                ambiguous,
            } => {
                let mut d = source.details();
                d["op"] = json!(op);
                d["ambiguous"] = json!(ambiguous);
                d
            }
            GhlError::ResponseInvalid { op, reason } => json!({ "op": op, "reason": reason }),
            GhlError::Unauthorized {
                op,
                message,
                trace_id,
            } => json!({ "op": op, "status": 401, "message": message, "traceId": trace_id }),
        }
    }
}
