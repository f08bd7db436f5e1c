//! The exported API and the fetch Transport, run inside real JS engines: Node by
//! default, headless Chromium with WASM_BINDGEN_USE_BROWSER=1 (scripts/test.sh runs both).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Reflect, JSON};
use outseta_ghl_sync::http::{Request, Transport};
use outseta_ghl_sync::wasm::{
    default_mapping, map_contact, map_contacts, merge_contact, parse_ghl_webhook,
    parse_outseta_webhook, plan_sync, plan_sync_json, preview_mapping, validate_mapping,
    verify_outseta_signature, version, webhook_body_limit, FetchTransport,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// The static server scripts/test.sh starts for this suite on tests/fixtures
/// (tests/support/serve.mjs).
const TEST_SERVER: &str = match option_env!("OGS_TEST_SERVER") {
    Some(url) => url,
    None => "http://127.0.0.1:8766",
};

fn js(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap()
}

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(version(), env!("CARGO_PKG_VERSION"));
}

#[wasm_bindgen_test]
fn map_contact_returns_a_plain_object() {
    let contact = map_contact(js(
        r#"{"Uid":"DQ2DyknW","Email":" Jane@Example.com","FirstName":"Jane","PhoneMobile":"","PhoneWork":"+15550102030"}"#,
    ))
    .unwrap();
    assert_eq!(
        JSON::stringify(&contact).unwrap(),
        r#"{"email":"jane@example.com","firstName":"Jane","phone":"+15550102030"}"#
    );
    assert!(contact.is_object() && !contact.is_instance_of::<js_sys::Map>());
}

#[wasm_bindgen_test]
fn bad_input_throws_a_coded_error_object() {
    let err = map_contact(js(r#"{"Email":"a@b.co","LastName":7}"#)).unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(get(&err, "code"), "INPUT_INVALID");
    assert_eq!(get(&err, "name"), "OutsetaGhlSyncError");
    assert_eq!(get(&get(&err, "details"), "path"), "$.LastName");
}

#[wasm_bindgen_test]
fn unreadable_js_values_are_input_errors_not_panics() {
    let err = map_contact(js_sys::Function::new_no_args("").into()).unwrap_err();
    assert_eq!(get(&err, "code"), "INPUT_INVALID");
}

#[wasm_bindgen_test]
fn batch_reports_each_record_in_order() {
    let results: Array = map_contacts(js(r#"[{"Email":"a@b.co"},{"FirstName":"No identity"},3]"#))
        .unwrap()
        .unchecked_into();
    assert_eq!(results.length(), 3);
    assert_eq!(get(&results.get(0), "ok"), true);
    let codes: Vec<JsValue> = (1..3)
        .map(|i| get(&get(&results.get(i), "error"), "code"))
        .collect();
    assert_eq!(codes, vec!["MAPPING_NO_IDENTITY", "INPUT_INVALID"]);
}

/// The wasm instance's linear memory, in bytes: it grows and never shrinks.
fn memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    memory
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}

#[wasm_bindgen_test]
fn an_oversized_webhook_body_is_refused_before_it_is_copied_in() {
    let limit = webhook_body_limit();
    assert_eq!(limit, 1 << 20);
    let big = js_sys::Uint8Array::new_with_length(90 << 20);
    let text = JsValue::from_str(&" ".repeat(limit as usize + 1));
    let before = memory_bytes();
    let key = JsValue::from_str(&"00".repeat(32));
    for body in [JsValue::from(big.clone()), text.clone()] {
        let refused = [
            parse_ghl_webhook(body.clone()).unwrap_err(),
            verify_outseta_signature(key.clone(), body.clone(), JsValue::NULL).unwrap_err(),
            parse_outseta_webhook(
                "PersonUpdated".into(),
                body.clone(),
                JsValue::NULL,
                key.clone(),
            )
            .unwrap_err(),
        ];
        for err in refused {
            assert_eq!(get(&err, "code"), "BODY_TOO_LARGE");
            assert_eq!(get(&get(&err, "details"), "limit"), f64::from(limit));
        }
    }
    // 90 MiB were offered three times: not a page of them was copied into wasm memory.
    assert_eq!(memory_bytes(), before);
    // At the limit, a body is read (and then refused for what it is, not its size).
    let at_limit = js_sys::Uint8Array::new_with_length(limit);
    let err = parse_ghl_webhook(at_limit.into()).unwrap_err();
    assert_eq!(get(&err, "code"), "WEBHOOK_INVALID");
}

#[wasm_bindgen_test]
async fn fetch_transport_reads_a_local_server() {
    let url = format!("{TEST_SERVER}/outseta-person.json");
    let response = FetchTransport.send(Request::get(url)).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.header("Content-Type"), Some("application/json"));
    let person: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    assert!(person["Email"].is_string());

    let missing = FetchTransport
        .send(Request::get(format!("{TEST_SERVER}/no-such-file")))
        .await
        .unwrap();
    assert_eq!(
        missing.status, 404,
        "an HTTP error is a response, not a transport error"
    );
}

#[wasm_bindgen_test]
async fn fetch_transport_reports_a_refused_connection() {
    let err = FetchTransport
        .send(Request::get("http://127.0.0.1:9/refused"))
        .await
        .unwrap_err();
    assert_eq!(err.method, "GET");
    assert_eq!(err.url, "http://127.0.0.1:9/refused");
}

#[wasm_bindgen_test]
fn preview_mapping_puts_field_errors_beside_payloads() {
    let results: Array = preview_mapping(
        js(r#"[{"Email":" A@B.co ","PhoneMobile":"not a phone"}]"#),
        JsValue::NULL,
        JsValue::UNDEFINED,
    )
    .unwrap()
    .unchecked_into();
    let first = results.get(0);
    assert_eq!(
        JSON::stringify(&get(&first, "payload")).unwrap(),
        r#"{"email":"a@b.co"}"#
    );
    assert_eq!(
        get(&get(&get(&first, "errors"), "0"), "code"),
        "TRANSFORM_FAILED"
    );
    let err = preview_mapping(
        js("[]"),
        js(r#"{"version":1,"fields":[{"ghl":"nope","outseta":"Email"}]}"#),
        JsValue::NULL,
    )
    .unwrap_err();
    assert_eq!(get(&err, "code"), "MAPPING_INVALID");
    let problem = get(&get(&get(&err, "details"), "problems"), "0");
    assert_eq!(get(&problem, "path"), "$.fields[0].ghl");
}

#[wasm_bindgen_test]
fn validate_mapping_returns_problems_and_the_default_is_valid() {
    let ok = validate_mapping(default_mapping().unwrap(), JsValue::UNDEFINED).unwrap();
    assert_eq!(get(&ok, "valid"), true);
    let bad = validate_mapping(
        js(r#"{"version":1,"fields":[{"ghl":"email","transforms":["shout"]}]}"#),
        JsValue::NULL,
    )
    .unwrap();
    assert_eq!(get(&bad, "valid"), false);
    assert_eq!(
        get(&get(&get(&bad, "problems"), "0"), "code"),
        "UNKNOWN_TRANSFORM"
    );
}

#[wasm_bindgen_test]
fn merge_and_plan_cross_the_boundary() {
    let m = merge_contact(
        js(r#"{"fields":{"city":"Paris"},"tags":["a"]}"#),
        js(r#"{"fields":{"city":"Lyon"},"tags":["a","b"]}"#),
        js(r#"{"fields":{"city":"Paris"},"tags":[]}"#),
        JsValue::UNDEFINED,
    )
    .unwrap();
    assert_eq!(
        JSON::stringify(&get(&m, "toGhl")).unwrap(),
        r#"{"city":"Lyon"}"#
    );
    assert_eq!(
        JSON::stringify(&get(&get(&m, "merged"), "tags")).unwrap(),
        r#"["b"]"#
    );
    let err = merge_contact(js("3"), JsValue::NULL, JsValue::NULL, JsValue::NULL).unwrap_err();
    assert_eq!(get(&err, "code"), "INPUT_INVALID");

    let input = r#"{"pairs":[{"outseta":{"Uid":"u1","Email":"a@b.co"}},{"ghl":{"id":"g1"}}]}"#;
    let plans: Array = plan_sync(js(input)).unwrap().unchecked_into();
    assert_eq!(
        get(&get(&get(&plans.get(0), "operations"), "0"), "op"),
        "CreateContact"
    );
    assert_eq!(
        get(&get(&plans.get(1), "error"), "code"),
        "MAPPING_NO_IDENTITY"
    );
    let text = plan_sync_json(input).unwrap();
    assert_eq!(text, JSON::stringify(&plans).unwrap().as_string().unwrap());
    assert_eq!(
        get(&plan_sync_json("{oops").unwrap_err(), "code"),
        "INPUT_INVALID"
    );
}

#[wasm_bindgen_test]
fn find_duplicates_returns_plain_clusters_and_explanations() {
    use outseta_ghl_sync::wasm::find_duplicates;
    let records = js(
        r#"[{"Uid":"o1","Email":"Jane.Doe+x@Gmail.com","FirstName":"Jane","LastName":"Doe"},
        {"id":"g1","email":"janedoe@gmail.com","firstName":"Jane","lastName":"Doe","phone":"+1 202 555 0173"},
        {"id":"g2","firstName":"Zed"}, 7]"#,
    );
    let report = find_duplicates(records, JsValue::UNDEFINED).unwrap();
    assert!(report.is_object() && !report.is_instance_of::<js_sys::Map>());
    assert_eq!(
        JSON::stringify(&get(&report, "clusters")).unwrap(),
        r#"[["o1","g1"]]"#
    );
    let explanation = Array::from(&get(&report, "explanations")).get(0);
    assert_eq!(get(&explanation, "rule"), "email");
    let stats = get(&report, "stats");
    assert_eq!(get(&stats, "skipped").as_f64(), Some(1.0));
    assert!(get(&get(&stats, "timingsMs"), "normalise")
        .as_f64()
        .is_some());
    // The JSON text of the same array gives the same clusters.
    let text = JSON::stringify(&js(
        r#"[{"Uid":"a","Email":"x@y.co"},{"id":"b","email":"X@y.co"}]"#,
    ))
    .unwrap();
    let report = find_duplicates(text.into(), JsValue::NULL).unwrap();
    assert_eq!(
        JSON::stringify(&get(&report, "clusters")).unwrap(),
        r#"[["a","b"]]"#
    );
}

/// Records as objects cross in parts and the explanations come back through the JS
/// builder: the result must be the core's report, exactly as its JSON.
#[wasm_bindgen_test]
fn find_duplicates_over_several_parts_is_the_cores_report() {
    use outseta_ghl_sync::wasm::find_duplicates;
    let (firsts, lasts) = (
        ["Ann", "Bob", "Cleo", "Dev", "Eli"],
        ["Lee", "Moss", "Nash"],
    );
    let mut records = Vec::new();
    for k in 0..3100 {
        let (f, l) = (firsts[k % 5], lasts[k % 3]);
        let other = firsts[(k + 1) % 5];
        records.push(format!(
            r#"{{"Uid":"o{k}","Email":"p{k}@x.co","FirstName":"{f}","LastName":"{l}","PhoneWork":"+1 202 555 {:04}","DateOfBirth":"1980-01-{:02}"}}"#,
            k % 10_000,
            k % 28 + 1
        ));
        records.push(format!(
            r#"{{"id":"g{k}","email":"P{k}@X.co","firstName":"{l}","lastName":"{f}","dateOfBirth":"1980-01-{:02}"}}"#,
            k % 28 + 1
        ));
        records.push(format!(
            r#"{{"id":"h{k}","phone":"(202) 555-{:04}","firstName":"{other}","lastName":"{l}"}}"#,
            k % 10_000
        ));
    }
    let text = format!("[{}]", records.join(","));
    let core = outseta_ghl_sync::matching::find_duplicates(
        &text,
        &outseta_ghl_sync::matching::Config::default(),
        &|| 0.0,
    )
    .unwrap();
    // Both through JS's JSON, so 8.0 and 8 are written alike.
    let as_js_json = |value: &JsValue| -> serde_json::Value {
        let text: String = JSON::stringify(value).unwrap().into();
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        value["stats"]["timingsMs"] = serde_json::Value::Null;
        value
    };
    let want = as_js_json(&js(&serde_json::to_string(&core).unwrap()));
    let got = as_js_json(&find_duplicates(js(&text), JsValue::UNDEFINED).unwrap());
    assert!(got == want, "the wasm report differs from the core's");
    let notes = got.to_string();
    assert!(notes.contains("first and last names swapped") && notes.contains("first names differ"));
    assert_eq!(got["stats"]["records"], 9300);
}

#[wasm_bindgen_test]
fn find_duplicates_refuses_bad_input_and_config_with_codes() {
    use outseta_ghl_sync::wasm::find_duplicates;
    let err = find_duplicates(js(r#"{"not":"an array"}"#), JsValue::UNDEFINED).unwrap_err();
    assert_eq!(get(&err, "code"), "INPUT_INVALID");
    let err = find_duplicates(js("[]"), js(r#"{"defaultRegion":"XX"}"#)).unwrap_err();
    assert_eq!(get(&err, "code"), "CONFIG_INVALID");
    assert_eq!(get(&get(&err, "details"), "path"), "$.defaultRegion");
    let err = find_duplicates(js("[]"), js(r#"{"thresholdz":{}}"#)).unwrap_err();
    assert_eq!(get(&err, "code"), "CONFIG_INVALID");
}

#[wasm_bindgen_test]
fn dedup_index_adds_queries_and_links() {
    use outseta_ghl_sync::wasm::JsDedupIndex;
    let mut index = JsDedupIndex::new(JsValue::UNDEFINED).unwrap();
    let added = index
        .add(js(
            r#"[{"id":"g1","email":"ann@x.co","firstName":"Ann","lastName":"Lee"}]"#,
        ))
        .unwrap();
    assert_eq!(get(&added, "added").as_f64(), Some(1.0));
    assert_eq!(index.size(), 1);
    let result = index
        .query(js(r#"{"Email":" ANN@x.co","FirstName":"Ann"}"#))
        .unwrap();
    assert_eq!(get(&result, "decision"), "match");
    let links: Array = index
        .link(
            js(r#"[{"Uid":"o1","Email":"ann@x.co","FirstName":"Ann","LastName":"Lee"}]"#),
            JsValue::UNDEFINED,
        )
        .unwrap()
        .unchecked_into();
    assert_eq!(get(&links.get(0), "action"), "link");
    assert_eq!(get(&links.get(0), "target"), "g1");
    assert_eq!(
        get(&index.query(js("3")).unwrap_err(), "code"),
        "INPUT_INVALID"
    );
}

/// The wasm build folds names through the host's `String.prototype.normalize` (NFKD) and
/// `\p{M}` instead of the unicode-normalization crate (issue 8's size goal): the same
/// answers as the native unit tests in src/dedup/normalize.rs, plus scripts with
/// spacing marks and Hangul, whose NFKD is conjoining jamo.
#[wasm_bindgen_test]
fn names_fold_through_the_host_normalize_as_natively() {
    use outseta_ghl_sync::matching::normalize::{fold, name};
    // What the package's start function does when it initialises.
    outseta_ghl_sync::wasm::install_host_folding();
    assert_eq!(name("  José  María "), "jose maria");
    assert_eq!(name("O'Brien-Smith"), "obrien smith");
    assert_eq!(name("Dr. Zoë Ångström Jr."), "zoe angstrom");
    assert_eq!(name("STRAẞE Łukasz Øster"), "strasse lukasz oster");
    assert_eq!(name("Ｊｏｈｎ"), "john");
    assert_eq!(name("Иван Петров"), "иван петров");
    assert_eq!(name("山田 太郎"), "山田 太郎");
    assert_eq!(fold("Nguyễn Văn Ánh"), "nguyen van anh");
    assert_eq!(fold("ﬁona Ⅻ"), "fiona xii");
    assert_eq!(fold("हिन्दी"), "हनद");
    assert_eq!(
        fold("한국"),
        "\u{1112}\u{1161}\u{11ab}\u{1100}\u{116e}\u{11a8}"
    );
    assert_eq!(fold("é"), "e");
    assert_eq!(fold("\u{301}"), "");
}

extern "C" {
    /// The crate's own `memcmp` (src/wasm/memcmp.rs), which every byte compare calls.
    fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32;
}

/// The word-at-a-time `memcmp` orders bytes exactly as a byte loop does: every length
/// from 0 to 40, unaligned starts, the difference at every position, bytes above 0x7f.
#[wasm_bindgen_test]
fn memcmp_orders_bytes_as_a_byte_loop_does() {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let reference = |a: &[u8], b: &[u8]| {
        for i in 0..a.len() {
            if a[i] != b[i] {
                return i32::from(a[i]) - i32::from(b[i]);
            }
        }
        0
    };
    let buf_a: Vec<u8> = (0..64).map(|_| next() as u8).collect();
    for len in 0..=40 {
        for offset in 0..4 {
            let a = &buf_a[offset..offset + len];
            let same: Vec<u8> = std::iter::once(0).chain(a.iter().copied()).collect();
            let b = &same[1..];
            assert_eq!(unsafe { memcmp(a.as_ptr(), b.as_ptr(), len) }, 0);
            assert_eq!(a.cmp(b), std::cmp::Ordering::Equal);
            for at in 0..len {
                let mut other = same.clone();
                other[1 + at] = next() as u8;
                let b = &other[1..];
                let got = unsafe { memcmp(a.as_ptr(), b.as_ptr(), len) };
                assert_eq!(got.signum(), reference(a, b).signum(), "len {len} at {at}");
                assert_eq!(a.cmp(b), reference(a, b).cmp(&0), "len {len} at {at}");
            }
        }
    }
}
