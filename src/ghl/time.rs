//! RFC 3339 / ISO-8601 timestamps to epoch milliseconds, for webhook replay windows and
//! create recovery. Only the forms GHL sends: `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`.

/// Epoch milliseconds of an RFC 3339 timestamp, or `None` if it is not one.
pub fn parse_rfc3339_ms(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        let s = text.get(from..to)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    if second > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac_ms = 0.0;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let digits = text.get(start..i)?;
        if digits.is_empty() {
            return None;
        }
        frac_ms = format!("0.{digits}").parse::<f64>().ok()? * 1000.0;
    }
    let offset_min = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let m = num(i + 1, i + 3)? * 60 + num(i + 4, i + 6)?;
            if *sign == b'+' {
                m
            } else {
                -m
            }
        }
        _ => return None,
    };
    let days = crate::model::date::days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_min * 60;
    Some(secs as f64 * 1000.0 + frac_ms)
}

#[cfg(test)]
mod tests {
    use super::parse_rfc3339_ms;

    #[test]
    fn parses_the_forms_ghl_sends() {
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(
            parse_rfc3339_ms("2021-11-26T12:41:02.193Z"),
            Some(1_637_930_462_193.0)
        );
        assert_eq!(
            parse_rfc3339_ms("2021-11-26T13:41:02.193+01:00"),
            Some(1_637_930_462_193.0)
        );
        assert_eq!(
            parse_rfc3339_ms("2000-02-29T00:00:00Z"),
            Some(951_782_400_000.0)
        );
    }

    #[test]
    fn refuses_everything_else() {
        for bad in [
            "",
            "2021-11-26",
            "2021-13-01T00:00:00Z",
            "2021-11-26T12:41:02",
            "x021-11-26T12:41:02Z",
            "2021-11-26T12:41:02.Z",
            "2021-11-26T12:41:02Zjunk",
            "2021-11-26T12:41:02+0100",
            "２０21-11-26T12:41:02Z",
        ] {
            assert_eq!(parse_rfc3339_ms(bad), None, "{bad}");
        }
    }
}
