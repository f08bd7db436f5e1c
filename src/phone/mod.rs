//! The one phone normaliser: any phone text to E.164 (`+15550102030`) through
//! libphonenumber's rules (rlibphonenumber `lite`), with a verified fast path for the
//! common unambiguous forms. Pure Rust, shared by `ghl/` (normalise before sending),
//! `mapping/` (the `e164` transform) and `dedup/` (phones compared as E.164); it knows
//! neither system. Each caller maps a [`PhoneError`] onto its own error code.

use rlibphonenumber::enums::NumberLengthType;
use rlibphonenumber::{PhoneNumber, PhoneNumberFormat, PHONE_NUMBER_UTIL};
use serde_json::{json, Value};

use crate::error::CodedError;

/// A region with phone metadata (`Region::US`), as [`region`] parses it.
pub use rlibphonenumber::enums::Region;

/// Why a phone could not be normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    Empty,
    TooLong,
    /// No number found (letters, too few digits, or an unknown calling code).
    NotANumber,
    /// A national number with no default region to place it in.
    NoRegion,
    /// Too short or too long for its country.
    ImpossibleLength,
    /// Only dialable locally: the area code is missing.
    LocalOnly,
}

impl PhoneError {
    /// A short, stable reason (dedup reports it when it drops the field).
    pub fn reason(self) -> &'static str {
        match self {
            PhoneError::Empty => "empty",
            PhoneError::TooLong => "too long for a phone number",
            PhoneError::NotANumber => "not a phone number",
            PhoneError::NoRegion => "a national number and no default region",
            PhoneError::ImpossibleLength => "not a possible number for its country",
            PhoneError::LocalOnly => "a local number without its area code",
        }
    }
}

impl std::fmt::Display for PhoneError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.reason())
    }
}

impl std::error::Error for PhoneError {}

impl CodedError for PhoneError {
    fn code(&self) -> &'static str {
        "INPUT_INVALID"
    }
    fn details(&self) -> Value {
        json!({ "reason": self.reason() })
    }
}

/// The phone library's region for a two-letter code (any case), or `None` when the code
/// is not a region with phone metadata. Parse it once per config value, not per number.
pub fn region(code: &str) -> Option<Region> {
    let code = code.trim().to_ascii_uppercase();
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    // Any two letters parse; only regions with phone metadata are real.
    let region = code.parse::<Region>().ok()?;
    PHONE_NUMBER_UTIL
        .get_country_code_for_region(region)
        .map(|_| region)
}

/// The phone region of a country as an address writes it: an ISO 3166-1 alpha-2 code
/// (`GB`, and `UK`, which ISO reserves for it), an alpha-3 code (`GBR`), or an English
/// name or common alias (`United Kingdom`, `Great Britain`, `The Netherlands`, `Côte
/// d'Ivoire`), read from the celes crate's table of countries. `None` for anything else
/// (names in other languages, `Deutschland`, are not read) and for a country without
/// phone metadata.
pub fn country_region(text: &str) -> Option<Region> {
    let text = text.trim();
    if text.len() == 2 {
        // ISO 3166-1 reserves `UK` for the United Kingdom (whose code is GB), and
        // addresses write it often.
        return if text.eq_ignore_ascii_case("uk") {
            region("GB")
        } else {
            region(text)
        };
    }
    if text.len() < 3 || text.len() > 64 {
        return None;
    }
    // Compared as celes keys its aliases: lower-case letters and digits only
    // (`unitedkingdom`, `stlucia`), accents folded.
    let folded = if text.is_ascii() {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(crate::matching::normalize::fold(text))
    };
    let key: String = folded
        .replace('&', "and")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if key.is_empty() {
        return None;
    }
    // One pass over celes's table of 250 countries: its keyed maps hold a whole country
    // in each of ~1,350 entries (26.5 KB of the gzipped wasm, against 10.6 KB for the
    // table and this loop), and its alias matcher is code per country.
    static COUNTRIES: [celes::Country; 250] = celes::Country::get_countries();
    let same = |name: &str| {
        let mut name = name
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| b.to_ascii_lowercase());
        let mut key_bytes = key.bytes();
        loop {
            match (name.next(), key_bytes.next()) {
                (None, None) => return true,
                (Some(a), Some(b)) if a == b => {}
                _ => return false,
            }
        }
    };
    let country = COUNTRIES.iter().find(|c| {
        (key.len() == 3 && c.alpha3.eq_ignore_ascii_case(&key))
            || same(c.long_name)
            || c.long_name
                .get(..4)
                .is_some_and(|the| the.eq_ignore_ascii_case("the "))
                && same(&c.long_name[4..])
            || celes::LookupTable::iter(&c.aliases).any(|alias| same(alias))
    })?;
    region(country.alpha2)
}

/// The main region of a country calling code (`"1"` → US, `"+44"` → GB), or `None`.
pub fn region_for_calling_code(code: &str) -> Option<Region> {
    let digits = code.trim().trim_start_matches('+');
    if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let cc: i32 = digits.parse().ok()?;
    PHONE_NUMBER_UTIL.get_region_for_country_code(cc)
}

/// E.164 (`+15550102030`) through libphonenumber's rules: national numbers take
/// `default_region`'s calling code, national prefixes, `00`/`011` international prefixes,
/// `(0)` trunk digits and extensions (dropped: E.164 has none) are handled. Numbers of
/// impossible length for their country, or local-only numbers missing an area code, are
/// refused.
pub fn to_e164(raw: &str, default_region: Option<Region>) -> Result<String, PhoneError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(PhoneError::Empty);
    }
    if text.len() > 64 {
        return Err(PhoneError::TooLong);
    }
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    if digits < 4 {
        return Err(PhoneError::NotANumber);
    }
    if let Some(e164) = phone_fast(text, default_region) {
        return Ok(e164);
    }
    let parsed = parse(text, default_region);
    match text.strip_prefix("00") {
        // `00` is the international prefix in most of the world, though not in every
        // default region's: NANP dials `011` (`0044 20 …` in a US record does not parse
        // there), Japan `010` (`0081 3 …` reads as a national number keeping the zeros)
        // and Brazil `00` and a carrier (`0055 11 …` reads as carrier 55 and +1). Written
        // in a record, `00` and a calling code means that code: when the digits after it
        // are a possible international number, that is the number.
        Some(rest) => parse(&format!("+{rest}"), None).or(parsed),
        None => parsed,
    }
}

fn parse(text: &str, default_region: Option<Region>) -> Result<String, PhoneError> {
    let number = PHONE_NUMBER_UTIL.parse(text, default_region).map_err(|_| {
        if default_region.is_none() && !text.starts_with('+') {
            PhoneError::NoRegion
        } else {
            PhoneError::NotANumber
        }
    })?;
    match PHONE_NUMBER_UTIL.is_possible_number_with_reason(&number) {
        Ok(NumberLengthType::IsPossible) => {
            Ok(number.format_as(PhoneNumberFormat::E164).into_owned())
        }
        Ok(_) => Err(PhoneError::LocalOnly),
        Err(_) => Err(PhoneError::ImpossibleLength),
    }
}

/// The common, unambiguous forms without libphonenumber's parser (about 20 times
/// faster; the parser dominated normalisation): `+` and digits, or a NANP national number
/// under a NANP default region, written with spaces, dashes, dots, parentheses or
/// slashes only. A national part starting with a trunk digit (`0`, or `1` in NANP), an
/// international prefix (`00`, `011`), letters (extensions) or a length the metadata
/// calls impossible go to the parser instead, which decides. The `fast_path_agrees_*`
/// tests check both give the same result.
fn phone_fast(text: &str, default_region: Option<Region>) -> Option<String> {
    let text = strip_extension(text)?;
    let mut digits = String::with_capacity(text.len());
    let mut plus = false;
    let mut rest = text;
    // `+44 (0)20 …`: where a written trunk `(0)` stood (digits before it).
    let mut trunk_at = None;
    while let Some(c) = rest.chars().next() {
        if plus && !digits.is_empty() && trunk_at.is_none() && rest.starts_with("(0)") {
            trunk_at = Some(digits.len());
            rest = &rest[3..];
            continue;
        }
        match c {
            '0'..='9' => digits.push(c),
            '+' if digits.is_empty() && !plus => plus = true,
            ' ' | '-' | '.' | '(' | ')' | '/' => {}
            _ => return None,
        }
        rest = &rest[c.len_utf8()..];
    }
    let nanp_default =
        !plus && PHONE_NUMBER_UTIL.get_country_code_for_region(default_region?) == Some(1);
    // NANP's international prefix: `011 44 20 …` is `+44 20 …`.
    if nanp_default && digits.len() > 6 && digits.starts_with("011") {
        digits.drain(..3);
        plus = true;
    }
    let (cc, national) = if plus {
        if digits.starts_with('0') {
            return None;
        }
        let (cc, national) = (1..=3).filter(|&n| n < digits.len()).find_map(|n| {
            let cc: i32 = digits[..n].parse().ok()?;
            FAST_CALLING_CODES.contains(&cc).then(|| (cc, &digits[n..]))
        })?;
        // The parser drops `(0)` only right after the code of a country whose trunk prefix is 0.
        if trunk_at
            .is_some_and(|at| at != digits.len() - national.len() || !TRUNK_ZERO.contains(&cc))
        {
            return None;
        }
        (cc, national)
    } else {
        if !nanp_default {
            return None;
        }
        let cc = 1;
        // NANP: `1-202-555-0173` carries the trunk digit 1.
        match digits.strip_prefix('1') {
            Some(ten) if ten.len() == 10 => (cc, ten),
            _ => (cc, digits.as_str()),
        }
    };
    if national.is_empty()
        || national.len() > 17
        || national.starts_with('0')
        || (cc == 1 && national.starts_with('1'))
    {
        return None;
    }
    let number = PhoneNumber {
        country_code: cc,
        national_number: national.parse().ok()?,
        ..PhoneNumber::default()
    };
    // Only a full-length number: for a local-only length the parser keeps a written trunk 0.
    matches!(
        PHONE_NUMBER_UTIL.is_possible_number_with_reason(&number),
        Ok(NumberLengthType::IsPossible)
    )
    .then(|| format!("+{cc}{national}"))
}

/// The number without a trailing extension (` ext. 12`, ` x204`, `#7`), or `None` for
/// any other letters (the parser decides those).
fn strip_extension(text: &str) -> Option<&str> {
    let Some(at) = text.find(|c: char| c.is_ascii_alphabetic() || c == '#') else {
        return Some(text);
    };
    let (number, tail) = text.split_at(at);
    let tail = tail.to_ascii_lowercase();
    let digits = ["extension", "ext.", "ext", "x", "#"]
        .iter()
        .find_map(|marker| tail.strip_prefix(marker))?
        .trim();
    (!digits.is_empty()
        && digits.len() <= 6
        && digits.bytes().all(|b| b.is_ascii_digit())
        && number.ends_with(' '))
    .then_some(number.trim_end())
}

/// Calling codes whose national prefix is a plain `0` (or NANP's `1`, or none), with no
/// carrier-code rewriting in libphonenumber's parsing rules, so the digits after the code
/// are the national number as written. Every other code goes to the parser. ITU calling
/// codes are prefix-free, so at most one of these can match a number's start.
const TRUNK_ZERO: &[i32] = &[27, 31, 32, 33, 41, 43, 44, 46, 49, 61, 64, 81, 91, 353, 358];
const FAST_CALLING_CODES: &[i32] = &[
    1, 27, 30, 31, 32, 33, 34, 39, 41, 43, 44, 45, 46, 47, 48, 49, 61, 64, 65, 81, 91, 351, 353,
    358,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::super::*;
        use super::parsed;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]
            /// Whenever the fast path answers, the parser gives the same E.164.
            #[test]
            fn fast_path_agrees_with_the_parser(plus in any::<bool>(), digits in "[0-9]{4,16}", seps in proptest::collection::vec(0usize..7, 0..4), r in 0usize..4) {
                let region = [region("US"), region("GB"), region("CA"), None][r];
                let mut text = String::from(if plus { "+" } else { "" });
                for (i, d) in digits.chars().enumerate() {
                    if seps.contains(&i) { text.push([' ', '-', '.', '(', ')', '/', ' '][i % 7]); }
                    text.push(d);
                }
                if let Some(fast) = phone_fast(&text, region) {
                    prop_assert_eq!(Some(fast), parsed(&text, region), "{}", text);
                }
            }

            /// The same, for numbers in the fast path's countries.
            #[test]
            fn fast_path_agrees_for_its_countries(
                cc in proptest::sample::select(FAST_CALLING_CODES),
                national in "[0-9]{3,14}",
                form in 0usize..5,
                ext in proptest::sample::select(vec!["", " ext. 12", " x204", " #7", " ext 3", "x9", " extension 55"]),
            ) {
                let text = match form {
                    0 if national.len() % 2 == 0 => format!("+{cc}{national}{ext}"),
                    0 => format!("011 {cc} {national}{ext}"),
                    1 => format!("+{cc} {} {}{ext}", &national[..2], &national[2..]),
                    2 => format!("+{cc} (0){national}{ext}"),
                    3 => format!("{national}{ext}"),
                    _ => format!("1-{national}{ext}"),
                };
                if let Some(fast) = phone_fast(&text, region("US")) {
                    prop_assert_eq!(Some(fast), parsed(&text, region("US")), "{}", text);
                }
            }

            /// No string makes the normaliser panic, and what it returns is E.164 and a
            /// fixed point.
            #[test]
            fn never_panics_and_is_idempotent(s in "\\PC{0,40}", r in 0usize..3) {
                let region = [region("US"), region("GB"), None][r];
                if let Ok(e164) = to_e164(&s, region) {
                    prop_assert!(e164.starts_with('+') && e164[1..].bytes().all(|b| b.is_ascii_digit()), "{}", e164);
                    prop_assert_eq!(to_e164(&e164, region), Ok(e164.clone()));
                }
            }
        }
    }

    /// What the parser alone makes of a phone, for checking the fast path.
    fn parsed(text: &str, region: Option<Region>) -> Option<String> {
        let number = PHONE_NUMBER_UTIL.parse(text, region).ok()?;
        PHONE_NUMBER_UTIL
            .is_possible_number(&number)
            .then(|| number.format_as(PhoneNumberFormat::E164).into_owned())
    }

    #[test]
    fn national_numbers_take_the_default_region() {
        let us = region("us");
        assert_eq!(to_e164("(202) 555-0173", us).unwrap(), "+12025550173");
        assert_eq!(to_e164("+1 202.555.0173", us).unwrap(), "+12025550173");
        assert_eq!(to_e164("1-202-555-0173", us).unwrap(), "+12025550173");
        let gb = region("GB");
        assert_eq!(to_e164("020 7183 8750", gb).unwrap(), "+442071838750");
        assert_eq!(to_e164("07911 123456", gb).unwrap(), "+447911123456");
        assert_eq!(to_e164("030 901820", region("DE")).unwrap(), "+4930901820");
        assert_eq!(
            to_e164("01 42 68 53 00", region("FR")).unwrap(),
            "+33142685300"
        );
        // Italy keeps its leading 0 in the international form.
        assert_eq!(
            to_e164("06 6982 1234", region("IT")).unwrap(),
            "+390669821234"
        );
        assert_eq!(
            to_e164("(02) 9374 4000", region("AU")).unwrap(),
            "+61293744000"
        );
        // Regions beyond the mapping's old table of 26.
        assert_eq!(
            to_e164("011 2345 6789", region("AR")).unwrap(),
            "+541123456789"
        );
        assert_eq!(
            to_e164("8 (495) 123-45-67", region("RU")).unwrap(),
            "+74951234567"
        );
    }

    #[test]
    fn international_numbers_whatever_the_default_region() {
        for region in [region("US"), region("GB"), region("JP"), None] {
            for (raw, want) in [
                ("+44 (0)20 7183 8750", "+442071838750"),
                ("+49 30 901820", "+4930901820"),
                ("+33 1 42 68 53 00", "+33142685300"),
                ("+91 98765 43210", "+919876543210"),
                ("+86 10 1234 5678", "+861012345678"),
                ("+55 11 98765-4321", "+5511987654321"),
                ("+971 4 123 4567", "+97141234567"),
                ("+1 888-888-8888", "+18888888888"),
            ] {
                assert_eq!(
                    to_e164(raw, region).as_deref(),
                    Ok(want),
                    "{raw} in {region:?}"
                );
            }
        }
        // International prefixes: 011 from NANP, 00 from most of the world.
        assert_eq!(
            to_e164("011 44 20 7183 8750", region("US")).unwrap(),
            "+442071838750"
        );
        assert_eq!(
            to_e164("0044 20 7183 8750", region("GB")).unwrap(),
            "+442071838750"
        );
        assert_eq!(
            to_e164("00 49 30 901820", region("FR")).unwrap(),
            "+4930901820"
        );
        // Where `00` is not the whole international prefix, it still means one.
        assert_eq!(
            to_e164("0081 3-1234-2624", region("JP")).unwrap(),
            "+81312342624"
        );
        assert_eq!(
            to_e164("0055 11 98765-4321", region("BR")).unwrap(),
            "+5511987654321"
        );
        assert_eq!(
            to_e164("0044 20 7183 8750", region("JP")).unwrap(),
            "+442071838750"
        );
    }

    #[test]
    fn fast_path_agrees_with_the_parser_on_tricky_forms() {
        for region in [region("US"), region("GB"), region("DE"), None] {
            for text in [
                "+12025550173",
                "+1 (202) 555-0173",
                "202 555 0173",
                "2025550173",
                "12025550173",
                "+1 1202 555 0173",
                "+7 8 495 123 45 67",
                "+7 495 123 45 67",
                "+39 06 6982 1234",
                "+39 333 123 4567",
                "+54 9 11 2345 6789",
                "+52 1 55 1234 5678",
                "+44 7911 123456",
                "+4420 7183 8750",
                "+49 (30) 901820",
                "+358 9 123 4567",
                "+1242 357 1234",
                "+1",
                "+999 123",
                "+86 10 1234 5678",
                "+81 3-1234-5678",
                "+353 1 234 5678",
                "555-0100",
                "+2",
                "+21",
                "+212 5 2212 3456",
                "+380 44 123 4567",
                "+1 800 FLOWERS",
                "+49 151 12345678",
            ] {
                let fast = phone_fast(text, region);
                if let Some(fast) = fast {
                    assert_eq!(Some(fast), parsed(text, region), "{text} in {region:?}");
                }
            }
        }
    }

    #[test]
    fn extensions_are_dropped() {
        let us = region("US");
        assert_eq!(to_e164("202-555-0173 ext. 89", us).unwrap(), "+12025550173");
        assert_eq!(to_e164("+1 202 555 0173 x12", us).unwrap(), "+12025550173");
        assert_eq!(
            to_e164("1-555-010-2030 ext. 4", us).unwrap(),
            "+15550102030"
        );
        assert_eq!(to_e164("(202) 555-0173 #7", us).unwrap(), "+12025550173");
        assert_eq!(
            to_e164("+44 20 7183 8750 extension 55", None).unwrap(),
            "+442071838750"
        );
        assert_eq!(to_e164("888-888-8888 x12", us).unwrap(), "+18888888888");
    }

    #[test]
    fn invalid_numbers_are_refused_with_a_typed_error() {
        let us = region("US");
        for (bad, want) in [
            ("", PhoneError::Empty),
            ("   ", PhoneError::Empty),
            ("abc", PhoneError::NotANumber),
            ("12", PhoneError::NotANumber),
            ("+1 23", PhoneError::NotANumber),
            ("call me", PhoneError::NotANumber),
            ("+999 123 456 789", PhoneError::NotANumber),
            ("555-0100", PhoneError::LocalOnly),
            ("+1 202 555 01", PhoneError::ImpossibleLength),
        ] {
            assert_eq!(to_e164(bad, us), Err(want), "{bad:?}");
        }
        for bad in ["555-CALL-NOW-PLEASE-NOW", "+0123456789", "0012"] {
            assert!(to_e164(bad, us).is_err(), "{bad:?}");
        }
        assert_eq!(to_e164(&"9".repeat(80), us), Err(PhoneError::TooLong));
        // Too long for a UK number.
        assert!(to_e164("020 7946 0958 1234", region("GB")).is_err());
        // No default region: a national number has no country.
        assert_eq!(to_e164("(202) 555-0173", None), Err(PhoneError::NoRegion));
        let e = PhoneError::ImpossibleLength;
        assert_eq!(e.code(), "INPUT_INVALID");
        assert_eq!(e.details(), json!({"reason": e.reason()}));
    }

    #[test]
    fn countries_as_addresses_write_them() {
        for (text, want) in [
            ("GB", "GB"),
            ("gb", "GB"),
            ("UK", "GB"),
            (" GBR ", "GB"),
            ("United Kingdom", "GB"),
            ("great britain", "GB"),
            ("England", "GB"),
            ("USA", "US"),
            ("United States", "US"),
            ("United States of America", "US"),
            ("The Netherlands", "NL"),
            ("Netherlands", "NL"),
            ("DEU", "DE"),
            ("Germany", "DE"),
            ("Côte d'Ivoire", "CI"),
            ("Bosnia & Herzegovina", "BA"),
            ("Türkiye", "TR"),
            ("Turkey", "TR"),
            ("St. Lucia", "LC"),
            ("Brazil", "BR"),
            ("Mexico", "MX"),
            ("Japan", "JP"),
        ] {
            assert_eq!(country_region(text), region(want), "{text}");
        }
        // Names in other languages, unknown names, codes without phone metadata.
        for text in [
            "Deutschland",
            "Narnia",
            "",
            "  ",
            "---",
            "ZZ",
            "XX",
            "A",
            "台灣",
            "ATA",
        ] {
            assert_eq!(country_region(text), None, "{text:?}");
        }
    }

    #[test]
    fn regions_and_calling_codes() {
        assert_eq!(region("usa"), None);
        assert_eq!(region("XX"), None);
        assert_eq!(region("ZZ"), None);
        assert!(region("gb").is_some());
        assert_eq!(region("1x"), None);
        assert_eq!(region_for_calling_code("1"), region("US"));
        assert_eq!(region_for_calling_code("+44"), region("GB"));
        assert_eq!(region_for_calling_code("49"), region("DE"));
        for bad in ["", "0", "999", "1234", "x1"] {
            assert_eq!(region_for_calling_code(bad), None, "{bad:?}");
        }
    }
}
