//! Phones are normalised to E.164 before sending: GHL stores E.164 and search by phone
//! misses free-form numbers (GHL#289). This is a small, dependency-free normaliser for
//! numbers written with a `+`/`00` international prefix or in the national form of one
//! default country calling code (default `1`, NANP). A full libphonenumber costs 128 KB
//! gzipped even in its lite form (ANCHORS.md §6), so it is not bundled here.

/// Why a phone could not be normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneError(pub String);

/// Normalises `raw` to `+<digits>` (8 to 15 digits). Accepts spaces, dashes, dots,
/// slashes and parentheses as separators; `00` as the international prefix; a national
/// number in the `default_cc` country (a leading trunk `0` dropped, and for NANP an
/// optional leading `1`). Letters, extensions and wrong lengths are refused.
pub fn to_e164(raw: &str, default_cc: &str) -> Result<String, PhoneError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(PhoneError("the phone is empty".into()));
    }
    let (international, rest) = if let Some(rest) = trimmed.strip_prefix('+') {
        (true, rest)
    } else if let Some(rest) = trimmed.strip_prefix("00") {
        (true, rest)
    } else {
        (false, trimmed)
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '/' | '(' | ')' | '\u{a0}' => {}
            other => return Err(PhoneError(format!("unexpected character {other:?}"))),
        }
    }
    let full = if international {
        digits
    } else if default_cc == "1" {
        match digits.len() {
            10 => format!("1{digits}"),
            11 if digits.starts_with('1') => digits,
            n => return Err(PhoneError(format!("{n} digits is not a NANP number"))),
        }
    } else {
        if default_cc.is_empty() || !default_cc.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PhoneError(
                "no international prefix and no default country".into(),
            ));
        }
        format!("{default_cc}{}", digits.trim_start_matches('0'))
    };
    if !(8..=15).contains(&full.len()) || full.starts_with('0') {
        return Err(PhoneError(format!(
            "+{full} is not an E.164 number (8 to 15 digits, no leading 0)"
        )));
    }
    Ok(format!("+{full}"))
}

#[cfg(test)]
mod tests {
    use super::to_e164;

    #[test]
    fn normalises_common_forms() {
        for (raw, want) in [
            ("+1 888-888-8888", "+18888888888"),
            ("(888) 888-8888", "+18888888888"),
            ("1.888.888.8888", "+18888888888"),
            ("0044 20 7946 0958", "+442079460958"),
            ("+91 95095 97501", "+919509597501"),
            ("+18832327657", "+18832327657"),
        ] {
            assert_eq!(to_e164(raw, "1").unwrap(), want, "{raw}");
        }
        assert_eq!(to_e164("020 7946 0958", "44").unwrap(), "+442079460958");
    }

    #[test]
    fn refuses_what_it_cannot_place() {
        for raw in [
            "",
            "555-0100",
            "+1 888 CALL NOW",
            "888-888-8888 x12",
            "+12",
            "+0123456789",
        ] {
            assert!(to_e164(raw, "1").is_err(), "{raw}");
        }
        assert!(to_e164("020 7946 0958", "").is_err());
    }
}
