//! Native profile of the planSyncJson path on a dumped batch, with a time per stage:
//! `cargo run --release --example plan_profile FILE.json [ROUNDS]` (benches/merge.bench.mjs
//! measures the wasm build; this is for finding where the time goes, e.g. under `perf`).
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: plan_profile FILE.json [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let text = std::fs::read_to_string(path).unwrap_or_default();
    for _ in 0..rounds {
        let t = Instant::now();
        let input: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let parse = t.elapsed();
        let t = Instant::now();
        let plans = outseta_ghl_sync::merge::plan::plan_sync(&input).unwrap_or_default();
        let plan = t.elapsed();
        let t = Instant::now();
        let out = serde_json::to_string(&plans).unwrap_or_default();
        let write = t.elapsed();
        let t = Instant::now();
        let whole = outseta_ghl_sync::merge::plan::plan_sync_json(&text);
        let json = t.elapsed();
        // The fast path must say exactly what the Value path says.
        assert!(
            whole.as_ref().is_ok_and(|w| *w == out),
            "plan_sync_json differs"
        );
        println!(
            "parse {parse:?}  plan {plan:?}  write {write:?}  ({} bytes out)  plan_sync_json {json:?}",
            out.len()
        );
    }
}
