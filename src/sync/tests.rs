use super::rfc3339;

#[test]
fn rfc3339_formats_epoch_milliseconds() {
    assert_eq!(rfc3339(0.0), "1970-01-01T00:00:00.000Z");
    assert_eq!(rfc3339(1_795_737_600_123.0), "2026-11-27T00:00:00.123Z");
    assert_eq!(rfc3339(f64::NAN), "1970-01-01T00:00:00.000Z");
}
