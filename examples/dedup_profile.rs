//! Native profile of find_duplicates on a generated file, one line per config variant:
//! `cargo run --release --example dedup_profile FILE.json` (benches/dedup.bench.mjs
//! measures the wasm build; this is for finding where the time goes). A second argument
//! runs only the variants whose label starts with it (`default`, for a profiler).
use std::time::Instant;

const VARIANTS: &[(&str, &str)] = &[
    ("default", "{}"),
    ("no phone", r#"{"rules":{"phone":false}}"#),
    ("no fuzzy", r#"{"rules":{"fuzzy":false}}"#),
    ("cap32/w8", r#"{"blocking":{"maxBlockSize":32,"window":8}}"#),
    ("cap16/w6", r#"{"blocking":{"maxBlockSize":16,"window":6}}"#),
    ("no explain", r#"{"explain":false}"#),
];

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dedup_profile FILE.json");
        std::process::exit(2);
    };
    let only = std::env::args().nth(2).unwrap_or_default();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    for (label, config) in VARIANTS.iter().filter(|(l, _)| l.starts_with(&only)) {
        let config = serde_json::from_str(config).unwrap_or_default();
        let start = Instant::now();
        let clock = move || start.elapsed().as_secs_f64() * 1000.0;
        match outseta_ghl_sync::matching::find_duplicates(&text, &config, &clock) {
            Ok(report) => {
                let s = serde_json::to_value(&report.stats).unwrap_or_default();
                let t = Instant::now();
                let out = serde_json::to_string(&report).unwrap_or_default();
                println!(
                    "{label}: pairs {} matches {} clustered {} timings {} output {} KB in {:?}",
                    s["pairsCompared"],
                    s["matches"],
                    s["recordsInClusters"],
                    s["timingsMs"],
                    out.len() / 1000,
                    t.elapsed()
                );
            }
            Err(e) => println!("{label}: {e}"),
        }
    }
}
