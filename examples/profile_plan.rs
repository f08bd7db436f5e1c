use std::time::Instant;
fn main() {
    let text = std::fs::read_to_string("/tmp/batch.json").unwrap();
    for _ in 0..3 {
        let t = Instant::now();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let parse = t.elapsed();
        let t = Instant::now();
        let plans = outseta_ghl_sync::merge::plan::plan_sync(&v).unwrap();
        let work = t.elapsed();
        let t = Instant::now();
        let out = serde_json::to_string(&plans).unwrap();
        let ser = t.elapsed();
        println!("parse {parse:?} work {work:?} serialize {ser:?} ({} bytes)", out.len());
    }
}
