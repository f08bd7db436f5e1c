//! Dedup for JavaScript: `findDuplicates` over a batch, and the `DedupIndex` class for
//! webhooks and linking. Records cross as JSON text (the host's `JSON.stringify`), and
//! are read by the core straight from that text without building a value tree.

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error::{to_js_error, unreadable_input};
use super::json::{from_js, to_js};
use crate::dedup::index::GhlDuplicateSetting;
use crate::dedup::{self, Config, DedupError};

/// The records as JSON text; what JSON cannot hold is `INPUT_INVALID`.
fn json_text(value: &JsValue) -> Result<String, JsValue> {
    js_sys::JSON::stringify(value)
        .map_err(|_| unreadable_input("the value could not be converted to JSON"))?
        .as_string()
        .ok_or_else(|| unreadable_input("the value has no JSON form"))
}

fn config_from(value: &JsValue) -> Result<Config, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Config::default());
    }
    Config::from_value(from_js(value)?).map_err(|e| to_js_error(&e))
}

/// `performance.now()` where the host has it (every runtime we ship to), else `Date.now()`.
fn now() -> f64 {
    Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .filter(|p| p.is_object())
        .and_then(|p| {
            let f = Reflect::get(&p, &"now".into())
                .ok()?
                .dyn_into::<Function>()
                .ok()?;
            f.call0(&p).ok()?.as_f64()
        })
        .unwrap_or_else(js_sys::Date::now)
}

/// Finds duplicates within one batch of Outseta People, GHL contacts or canonical
/// contacts (an array, or the JSON text of one): `{ clusters, possible, explanations, stats }`.
#[wasm_bindgen(js_name = findDuplicates)]
pub fn find_duplicates(records: JsValue, config: JsValue) -> Result<JsValue, JsValue> {
    let config = config_from(&config)?;
    let start = now();
    // JSON text as it came (a file, a request body) is read as is: no parse and stringify.
    let text = if let Some(text) = records.as_string() {
        text
    } else if js_sys::Array::is_array(&records) {
        json_text(&records)?
    } else {
        return Err(to_js_error(&DedupError::InputInvalid {
            path: "$".to_owned(),
            expected: "an array of records, or its JSON text",
            reason: "not an array".to_owned(),
        }));
    };
    let to_wasm = now() - start;
    let mut report = dedup::find_duplicates(&text, &config, &now).map_err(|e| to_js_error(&e))?;
    drop(text);
    report.stats.timings_ms.to_wasm = (to_wasm * 10.0).round() / 10.0;
    to_js(&report)
}

/// An index of records that grows as they arrive: `add` a batch, `query` one record,
/// `link` records to the indexed ones. Call `free()` when done (or rely on the
/// FinalizationRegistry where the runtime has one).
#[wasm_bindgen(js_name = DedupIndex)]
pub struct JsDedupIndex {
    inner: dedup::DedupIndex,
}

#[wasm_bindgen(js_class = DedupIndex)]
impl JsDedupIndex {
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<JsDedupIndex, JsValue> {
        let config = config_from(&config)?;
        let inner = dedup::DedupIndex::new(config).map_err(|e| to_js_error(&e))?;
        Ok(JsDedupIndex { inner })
    }

    /// Adds an array of records; a record whose id is already indexed replaces it.
    pub fn add(&mut self, records: JsValue) -> Result<JsValue, JsValue> {
        let out = self
            .inner
            .add(&json_text(&records)?)
            .map_err(|e| to_js_error(&e))?;
        to_js(&out)
    }

    /// The indexed records that match or possibly match one record, best first.
    pub fn query(&self, record: JsValue) -> Result<JsValue, JsValue> {
        let out = self
            .inner
            .query(&json_text(&record)?)
            .map_err(|e| to_js_error(&e))?;
        to_js(&out)
    }

    /// For each record, `link` (to `target`), `review`, `create` or `skip`, honouring the
    /// GHL location's duplicate setting (`ghl`, optional).
    pub fn link(&self, records: JsValue, ghl: JsValue) -> Result<JsValue, JsValue> {
        let ghl: GhlDuplicateSetting = if ghl.is_undefined() || ghl.is_null() {
            GhlDuplicateSetting::default()
        } else {
            serde_json::from_value(from_js(&ghl)?).map_err(|e| {
                to_js_error(&DedupError::ConfigInvalid {
                    path: "$".to_owned(),
                    reason: e.to_string(),
                })
            })?
        };
        let out = self
            .inner
            .link(&json_text(&records)?, &ghl)
            .map_err(|e| to_js_error(&e))?;
        to_js(&out)
    }

    /// How many records the index holds.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.len()
    }
}
