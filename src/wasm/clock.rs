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
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Clears its timer when dropped. A sleep raced against a request (the per-attempt
/// timeout) is dropped when the response wins; without this its timer stayed pending, and
/// a Node process waited out the whole 30 s before it could exit.
struct ClearOnDrop(JsValue);

impl Drop for ClearOnDrop {
    fn drop(&mut self) {
        clear_timeout(&self.0);
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct JsClock;

impl Clock for JsClock {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    async fn sleep(&self, ms: f64) {
        let mut timer = JsValue::UNDEFINED;
        let promise = Promise::new(&mut |resolve, _reject| {
            timer = set_timeout(&resolve, ms.max(0.0));
        });
        let _clear = ClearOnDrop(timer);
        // setTimeout's promise never rejects.
        let _ = JsFuture::from(promise).await;
    }
}
