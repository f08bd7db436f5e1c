//! The one date module: civil-date arithmetic (Howard Hinnant's algorithms), ISO-8601
//! and slashed dates to epoch milliseconds, and epoch milliseconds to RFC 3339. The
//! mapping's date transforms, the merge's newest-wins, dedup's dates of birth, both
//! vendors' timestamp readers and the engine's clock text all use it.

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 9 {
        return None;
    }
    s.parse().ok()
}

/// Epoch milliseconds of a valid civil date (years 1 to 9999), else `None`.
pub fn ymd_ms(y: i64, m: i64, d: i64) -> Option<i64> {
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) || !(1..=9999).contains(&y) {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400_000)
}

/// Parses an ISO-8601 date or date-time into epoch milliseconds. Accepts every form
/// Outseta and GHL send: fractions of any length, `Z`, `±HH:MM`, or no zone (UTC).
pub fn parse_iso(text: &str) -> Option<i64> {
    let t = text.trim();
    let (date, time) = match t.find(['T', ' ']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let mut parts = date.split('-');
    let (y, m, d) = (
        num(parts.next()?)?,
        num(parts.next()?)?,
        num(parts.next()?)?,
    );
    if parts.next().is_some() || date.len() != 10 {
        return None;
    }
    let mut ms = ymd_ms(y, m, d)?;
    if let Some(time) = time {
        let (clock, offset_ms) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
            (c, 0)
        } else if let Some(i) = time.rfind(['+', '-']) {
            let (clock, zone) = time.split_at(i);
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let zone = &zone[1..];
            let (zh, zm) = match zone.split_once(':') {
                Some((h, m)) => (num(h)?, num(m)?),
                None if zone.len() == 4 && zone.is_ascii() => (num(&zone[..2])?, num(&zone[2..])?),
                None => (num(zone)?, 0),
            };
            if zh > 23 || zm > 59 {
                return None;
            }
            (clock, sign * (zh * 60 + zm) * 60_000)
        } else {
            (time, 0)
        };
        let (hms, frac) = match clock.split_once('.') {
            Some((hms, frac)) => (hms, Some(frac)),
            None => (clock, None),
        };
        let mut fields = hms.split(':');
        let h = num(fields.next()?)?;
        let mi = num(fields.next()?)?;
        let s = match fields.next() {
            Some(s) => num(s)?,
            None => 0,
        };
        if fields.next().is_some() || h > 23 || mi > 59 || s > 60 {
            return None;
        }
        let frac_ms = match frac {
            Some(f) => {
                let digits: String = f.chars().take(3).collect();
                let n = num(&digits)?;
                if !f.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                n * 10_i64.pow(3 - digits.len() as u32)
            }
            None => 0,
        };
        ms += (h * 3600 + mi * 60 + s) * 1000 + frac_ms - offset_ms;
    }
    Some(ms)
}

/// `MM/DD/YYYY` (or `DD/MM/YYYY`; `-` and `.` also separate) as epoch milliseconds.
pub fn parse_slashed(text: &str, month_first: bool) -> Option<i64> {
    let mut parts = text.trim().split(['/', '-', '.']);
    let (a, b, y) = (
        num(parts.next()?)?,
        num(parts.next()?)?,
        num(parts.next()?)?,
    );
    if parts.next().is_some() || y < 1000 {
        return None;
    }
    if month_first {
        ymd_ms(y, a, b)
    } else {
        ymd_ms(y, b, a)
    }
}

/// Epoch milliseconds as RFC 3339 UTC text (`2026-11-27T21:58:02.000Z`).
pub fn rfc3339(ms: f64) -> String {
    let ms = if ms.is_finite() { ms as i64 } else { 0 };
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_epoch_milliseconds() {
        assert_eq!(rfc3339(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_737_600_123.0), "2026-11-27T00:00:00.123Z");
        assert_eq!(rfc3339(f64::NAN), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in [-719_468, -1, 0, 1, 10_957, 19_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
    }
}
