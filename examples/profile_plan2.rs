use std::time::Instant;
use outseta_ghl_sync::mapping::{self, Context};
fn main() {
    let text = std::fs::read_to_string("/tmp/batch.json").unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let ctx = mapping::parse_context(v.get("context")).unwrap();
    let spec = mapping::default_spec();
    let pairs = v["pairs"].as_array().unwrap();
    let t = Instant::now();
    for p in pairs { let _ = mapping::outseta_to_canonical(&p["outseta"], &spec, &ctx).unwrap(); }
    println!("outseta_to_canonical {:?}", t.elapsed());
    let t = Instant::now();
    for p in pairs { let _ = mapping::ghl_to_canonical(&p["ghl"], &ctx).unwrap(); }
    println!("ghl_to_canonical {:?}", t.elapsed());
    let t = Instant::now();
    for (i, p) in pairs.iter().enumerate() { let _ = outseta_ghl_sync::merge::plan::read_pair(i, p).unwrap(); }
    println!("read_pair {:?}", t.elapsed());
    let t = Instant::now();
    for _ in 0..100 { let _ = mapping::default_spec(); }
    println!("100 default_spec {:?}", t.elapsed());
    let _ = Context::default();
}
