//! Native profile of planSync on a dumped batch (`{ pairs, context, ... }` as text):
//! `cargo run --release --example plan_profile FILE.json [ROUNDS] [value|text|both]`.
//! `value` parses a `serde_json::Value`, plans with `plan_sync` and writes the Plans,
//! timing each stage; `text` runs `plan_sync_json` (what `planSyncJson` runs); `both`
//! also checks they give the same Plans. benches/merge.bench.mjs measures the wasm
//! build; this is for finding where the time goes (e.g. `perf stat -e instructions:u`,
//! which a loaded machine does not skew the way it skews times).
use std::time::Instant;

use outseta_ghl_sync::plan::{plan_sync, plan_sync_json};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: plan_profile FILE.json [ROUNDS] [value|text|both]");
        std::process::exit(2);
    };
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let mode = args.next().unwrap_or_else(|| "both".to_owned());
    let text = std::fs::read_to_string(path).unwrap_or_default();
    for _ in 0..rounds {
        let mut line = String::new();
        let mut value_out = None;
        if mode != "text" {
            let t = Instant::now();
            let input: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            let parse = t.elapsed();
            let t = Instant::now();
            let plans = plan_sync(&input).unwrap_or_default();
            let plan = t.elapsed();
            let t = Instant::now();
            let out = serde_json::to_string(&plans).unwrap_or_default();
            let write = t.elapsed();
            let t = Instant::now();
            drop((input, plans));
            let dropped = t.elapsed();
            line +=
                &format!("value: parse {parse:?} plan {plan:?} write {write:?} drop {dropped:?}  ");
            value_out = Some(out);
        }
        if mode != "value" {
            let t = Instant::now();
            let out = plan_sync_json(&text).unwrap_or_default();
            let elapsed = t.elapsed();
            // A fingerprint of the Plans, to check a change leaves them byte for byte.
            let mut hasher = std::hash::DefaultHasher::new();
            std::hash::Hash::hash(&out, &mut hasher);
            line += &format!(
                "text: plan_sync_json {elapsed:?} ({} bytes, hash {:016x})",
                out.len(),
                std::hash::Hasher::finish(&hasher)
            );
            // The same Plans (the text path escapes non-ASCII characters; this does not).
            if let Some(v) = value_out {
                let read = |t: &str| serde_json::from_str::<serde_json::Value>(t).ok();
                assert_eq!(
                    read(&v),
                    read(&out),
                    "plan_sync_json differs from plan_sync"
                );
            }
        }
        println!("{line}");
    }
}
