//! Dedup for JavaScript: `findDuplicates` over a batch, and the `DedupIndex` class for
//! webhooks and linking. Records cross as JSON text (the host's `JSON.stringify`, a part
//! of the batch at a time), and are read by the core straight from that text without
//! building a value tree. `findDuplicates`' explanations come back as numbers that a
//! few lines of JS (`dedupReport`) build into objects.

use std::collections::HashMap;

use js_sys::{Function, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error::{internal, to_js_error, unreadable_input};
use super::json::{from_js, to_js};
use crate::matching::index::GhlDuplicateSetting;
use crate::matching::{self, Config, DedupError};

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

/// Records cross as JSON text this many at a time: the same `JSON.stringify` work as one
/// text, but no text of the whole batch (210 MB for a million generated contacts) is
/// built, copied into wasm memory and kept there while the batch is read.
const PART: u32 = 8192;

/// Wasm memory a batch uses per record at its peak, less what the parts of JSON text
/// take (measured on generated contacts: 88 MB for 100,000).
const BYTES_PER_RECORD: usize = 640;

/// Grows wasm memory once for the whole batch. Left alone, the allocator grows it 64 KB
/// at a time as records are read, blocked and scored, and V8 takes about half a
/// millisecond for each `memory.grow` once memory passes 64 MB (16,000 of them for a
/// million records). Freed at once, the block stays in the allocator for what follows.
fn reserve_memory(records: u32) {
    let bytes = (records as usize).saturating_mul(BYTES_PER_RECORD);
    drop(std::hint::black_box(Vec::<u8>::with_capacity(bytes)));
}

/// Pairs Outseta people with GHL contacts as a bulk import links them (the preview's
/// pairing): `[{ outseta: index | null, ghl: index | null, held? }]`.
#[wasm_bindgen(js_name = pairRecords)]
pub fn pair_records(outseta: JsValue, ghl: JsValue) -> Result<JsValue, JsValue> {
    let records = |v: &JsValue, path: &str| -> Result<Vec<serde_json::Value>, JsValue> {
        match from_js(v)? {
            serde_json::Value::Array(items) => Ok(items),
            serde_json::Value::Null => Ok(Vec::new()),
            other => Err(to_js_error(&DedupError::InputInvalid {
                path: path.to_owned(),
                expected: "an array of records",
                reason: format!("found {}", crate::error::json_type_name(&other)),
            })),
        }
    };
    let pairs = matching::link::pair(&records(&outseta, "$outseta")?, &records(&ghl, "$ghl")?)
        .map_err(|e| to_js_error(&e))?;
    to_js(&pairs)
}

/// Finds duplicates within one batch of Outseta People, GHL contacts or canonical
/// contacts (an array, or the JSON text of one): `{ clusters, possible, explanations, stats }`.
#[wasm_bindgen(js_name = findDuplicates)]
pub fn find_duplicates(records: JsValue, config: JsValue) -> Result<JsValue, JsValue> {
    let config = config_from(&config)?;
    let mut batch = matching::Batch::new(&config).map_err(|e| to_js_error(&e))?;
    let mut to_wasm = 0.0;
    // JSON text as it came (a file, a request body) is read as is: no parse and stringify.
    let t = now();
    if let Some(text) = records.as_string() {
        to_wasm += now() - t;
        batch.read(&text, &now).map_err(|e| to_js_error(&e))?;
    } else if js_sys::Array::is_array(&records) {
        let records: js_sys::Array = records.unchecked_into();
        reserve_memory(records.length());
        batch.reserve(records.length() as usize);
        let mut start = 0;
        while start < records.length() {
            let end = start.saturating_add(PART).min(records.length());
            let t = now();
            let text = json_text(&records.slice(start, end))?;
            to_wasm += now() - t;
            batch.read(&text, &now).map_err(|e| to_js_error(&e))?;
            start = end;
        }
    } else {
        return Err(to_js_error(&DedupError::InputInvalid {
            path: "$".to_owned(),
            expected: "an array of records, or its JSON text",
            reason: "not an array".to_owned(),
        }));
    }
    let mut report = batch.finish(&now);
    report.stats.timings_ms.to_wasm = (to_wasm * 10.0).round() / 10.0;
    report_to_js(&report)
}

#[wasm_bindgen(inline_js = r#"
// Builds findDuplicates' result from its compact form (see report_to_js in
// src/wasm/dedup.rs): object literals in a loop cost a fraction of JSON.parse over the
// same explanations (about 350 bytes of JSON each).
export function dedupReport(text, head, nums, ev) {
  const w = JSON.parse(text);
  const s = w.strings, ids = w.ids;
  const num = (x) => (Number.isFinite(x) ? x : null);
  const explanations = [];
  for (let i = 0, n = 0, e = 0; 4 * i < head.length; i++) {
    const score = num(nums[n++]);
    const evidence = [];
    for (let end = e + head[4 * i + 3]; e < end; e++) {
      const item = { field: s[ev[2 * e]], similarity: num(nums[n++]), weight: num(nums[n++]) };
      if (ev[2 * e + 1] !== 0) item.note = s[ev[2 * e + 1] - 1];
      evidence.push(item);
    }
    const x = { a: ids[2 * i], b: ids[2 * i + 1], decision: s[head[4 * i]], score, rule: s[head[4 * i + 1]], evidence };
    if (head[4 * i + 2] !== 0) x.note = s[head[4 * i + 2] - 1];
    explanations.push(x);
  }
  return { clusters: w.clusters, possible: w.possible, explanations, stats: w.stats };
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = dedupReport, catch)]
    fn dedup_report(text: &str, head: &[u32], nums: &[f64], ev: &[u32])
        -> Result<JsValue, JsValue>;
}

/// The strings of the explanations, each once; `of` gives a string's place.
#[derive(Default)]
struct Strings<'r> {
    list: Vec<&'r str>,
    /// Places past the first `SCANNED`, which are found by a linear scan (the field
    /// names, decisions and rules: almost every lookup).
    map: HashMap<&'r str, u32>,
}

const SCANNED: usize = 32;

impl<'r> Strings<'r> {
    fn of(&mut self, s: &'r str) -> u32 {
        // Field names and notes are mostly the same static strings: the same address and
        // length is the same string, without comparing bytes (millions of lookups).
        let same = |t: &&str| std::ptr::eq(t.as_ptr(), s.as_ptr()) && t.len() == s.len();
        if let Some(i) = self.list.iter().take(SCANNED).position(same) {
            return i as u32;
        }
        if let Some(i) = self.list.iter().take(SCANNED).position(|t| *t == s) {
            return i as u32;
        }
        if let Some(&i) = self.map.get(s) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(s);
        if self.list.len() > SCANNED {
            self.map.insert(s, i);
        }
        i
    }
}

#[derive(Serialize)]
struct Wire<'r> {
    clusters: &'r [Vec<String>],
    possible: &'r [matching::Possible],
    stats: &'r matching::Stats,
    strings: Vec<&'r str>,
    ids: Vec<&'r str>,
}

/// The report as the plain object `to_js` would give, but with the explanations (most of
/// it: about 350 bytes each as JSON) crossing as numbers and string places, built into
/// objects by `dedupReport`. Per explanation `head` holds (decision, rule, note + 1 or 0,
/// evidence count) and `nums` its score, then (similarity, weight) per evidence; per
/// evidence `ev` holds (field, note + 1 or 0).
fn report_to_js(report: &matching::Report) -> Result<JsValue, JsValue> {
    let explanations = &report.explanations;
    let evidence: usize = explanations.iter().map(|x| x.evidence.len()).sum();
    let mut strings = Strings::default();
    let mut ids = Vec::with_capacity(2 * explanations.len());
    let mut head = Vec::with_capacity(4 * explanations.len());
    let mut nums = Vec::with_capacity(explanations.len() + 2 * evidence);
    let mut ev = Vec::with_capacity(2 * evidence);
    for x in explanations {
        ids.push(x.a.as_str());
        ids.push(x.b.as_str());
        head.push(strings.of(x.decision.name()));
        head.push(strings.of(&x.rule));
        head.push(x.note.as_deref().map_or(0, |n| strings.of(n) + 1));
        head.push(x.evidence.len() as u32);
        nums.push(x.score);
        for e in &x.evidence {
            ev.push(strings.of(&e.field));
            ev.push(e.note.map_or(0, |n| strings.of(n) + 1));
            nums.push(e.similarity);
            nums.push(e.weight);
        }
    }
    let text = serde_json::to_string(&Wire {
        clusters: &report.clusters,
        possible: &report.possible,
        stats: &report.stats,
        strings: strings.list,
        ids,
    })
    .map_err(|e| internal(&e.to_string()))?;
    dedup_report(&text, &head, &nums, &ev)
}

/// An index of records that grows as they arrive: `add` a batch, `query` one record,
/// `link` records to the indexed ones. Call `free()` when done (or rely on the
/// FinalizationRegistry where the runtime has one).
#[wasm_bindgen(js_name = DedupIndex)]
pub struct JsDedupIndex {
    inner: matching::DedupIndex,
}

#[wasm_bindgen(js_class = DedupIndex)]
impl JsDedupIndex {
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<JsDedupIndex, JsValue> {
        let config = config_from(&config)?;
        let inner = matching::DedupIndex::new(config).map_err(|e| to_js_error(&e))?;
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
