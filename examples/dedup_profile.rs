//! Native profile of find_duplicates on a generated file (see benches/dedup.bench.mjs):
//! `cargo run --release --example dedup_profile FILE.json`
use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dedup_profile FILE.json");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    for (label, config) in [
        ("default", outseta_ghl_sync::dedup::Config::default()),
        (
            "no phone",
            serde_json::from_str(r#"{"rules":{"phone":false}}"#).unwrap_or_default(),
        ),
        (
            "no fuzzy",
            serde_json::from_str(r#"{"rules":{"fuzzy":false}}"#).unwrap_or_default(),
        ),
    ] {
        let start = Instant::now();
        let clock = move || start.elapsed().as_secs_f64() * 1000.0;
        match outseta_ghl_sync::dedup::find_duplicates(&text, &config, &clock) {
            Ok(report) => {
                let s = serde_json::to_value(&report.stats).unwrap_or_default();
                println!(
                    "{label}: pairs {} matches {} timings {}",
                    s["pairsCompared"], s["matches"], s["timingsMs"]
                );
            }
            Err(e) => println!("{label}: {e}"),
        }
    }
}
