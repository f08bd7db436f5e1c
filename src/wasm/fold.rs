//! Accent folding for dedup through the host's Unicode tables (`String.prototype.normalize`
//! and `\p{M}`, in every engine the package runs on), installed when the module starts:
//! the unicode-normalization crate's decomposition and mark tables were about 100 KB of
//! the wasm. The host's Unicode version can differ from the crate's by a release; names
//! in scripts added since would fold differently natively and in wasm.

use wasm_bindgen::prelude::*;

fn host_nfkd_without_marks(raw: &str) -> String {
    thread_local! {
        static MARKS: js_sys::RegExp = js_sys::RegExp::new("\\p{M}", "gu");
    }
    let text = js_sys::JsString::from(raw).normalize("NFKD");
    MARKS.with(|marks| String::from(text.replace_by_pattern(marks, "")))
}

/// Puts the host's folding in; the module's start function does it when the package
/// initialises (a test that links the crate directly calls it itself).
pub fn install_host_folding() {
    crate::matching::normalize::set_nfkd_without_marks(host_nfkd_without_marks);
}

/// Runs once when the module is instantiated (`initSync`/`init` call it).
#[wasm_bindgen(start)]
fn start() {
    install_host_folding();
}
