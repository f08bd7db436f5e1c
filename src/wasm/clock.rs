//! `http::Clock` over the host: `Date.now()` and the global `setTimeout` (present in
//! browsers, Workers and Node). System-neutral: every API client's rate limiter and
//! backoff sleep on it.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::http::Clock;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct JsClock;

impl Clock for JsClock {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    async fn sleep(&self, ms: f64) {
        let promise = Promise::new(&mut |resolve, _reject| {
            set_timeout(&resolve, ms.max(0.0));
        });
        // setTimeout's promise never rejects.
        let _ = JsFuture::from(promise).await;
    }
}
