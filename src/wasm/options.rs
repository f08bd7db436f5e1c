//! Constructor options shared by the API client classes (`GhlClient`, `OutsetaClient`).

use serde::Deserialize;

use crate::http::{Limits, RetryPolicy};

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

/// `rateLimit: { burst?, windowMs?, daily? }`: the client-side budget; a key left out
/// keeps the API's own limit.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RateLimitOptions {
    burst: Option<u32>,
    window_ms: Option<f64>,
    daily: Option<u32>,
}

impl RateLimitOptions {
    /// At least one request per window; the rest as given, else `defaults`.
    pub(crate) fn into_limits(self, defaults: Limits) -> Limits {
        Limits {
            burst: self.burst.unwrap_or(defaults.burst).max(1),
            window_ms: self.window_ms.unwrap_or(defaults.window_ms),
            daily: self.daily.or(defaults.daily),
        }
    }
}
