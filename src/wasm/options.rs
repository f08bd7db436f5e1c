//! Constructor options shared by the API client classes (`GhlClient`, `OutsetaClient`).

use serde::Deserialize;

use crate::http::RetryPolicy;

/// `retry: { maxAttempts, baseDelayMs, maxDelayMs }`; a key left out keeps the default.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RetryOptions {
    max_attempts: Option<u32>,
    base_delay_ms: Option<f64>,
    max_delay_ms: Option<f64>,
}

impl RetryOptions {
    /// At least one attempt; a delay that is not a finite, non-negative number keeps the default.
    pub(crate) fn into_policy(self) -> RetryPolicy {
        let d = RetryPolicy::default();
        let delay = |v: Option<f64>, default: f64| {
            v.filter(|ms| ms.is_finite() && *ms >= 0.0)
                .unwrap_or(default)
        };
        RetryPolicy {
            max_attempts: self.max_attempts.unwrap_or(d.max_attempts).max(1),
            base_delay_ms: delay(self.base_delay_ms, d.base_delay_ms),
            max_delay_ms: delay(self.max_delay_ms, d.max_delay_ms),
        }
    }
}
