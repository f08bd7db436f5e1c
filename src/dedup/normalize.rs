//! Normalisers: each turns one raw field into the form records are compared on, or
//! says why it cannot (`Err(reason)`), never panicking on any input.

use std::sync::OnceLock;

use rlibphonenumber::enums::{NumberLengthType, Region};
use rlibphonenumber::{PhoneNumber, PhoneNumberFormat, PHONE_NUMBER_UTIL};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Local parts that stand for "no email" in CRM exports; never evidence.
const PLACEHOLDER_LOCAL_PARTS: &[&str] = &[
    "noemail", "no-email", "no_email", "none", "na", "n/a", "noreply", "no-reply", "unknown",
    "null", "nomail",
];

/// Trims and lower-cases an email; IDN domains written in punycode (`xn--`) are decoded so
/// both spellings of one mailbox compare equal. With `gmail_rules`, gmail.com and
/// googlemail.com addresses lose dots and `+tags` in the local part (Gmail ignores both).
pub fn email(raw: &str, gmail_rules: bool) -> Result<String, &'static str> {
    let text = raw.trim().to_lowercase();
    if text.is_empty() {
        return Err("empty");
    }
    let (local, domain) = text.rsplit_once('@').ok_or("not an email: no @")?;
    if local.is_empty() || domain.is_empty() || local.contains('@') {
        return Err("not an email");
    }
    if text.chars().any(char::is_whitespace) {
        return Err("not an email: contains spaces");
    }
    if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
        return Err("not an email: no domain");
    }
    if PLACEHOLDER_LOCAL_PARTS.contains(&local) {
        return Err("placeholder email");
    }
    let domain = if domain.contains("xn--") {
        domain
            .split('.')
            .map(|label| match label.strip_prefix("xn--") {
                Some(encoded) => punycode_decode(encoded).ok_or("not an email: bad punycode"),
                None => Ok(label.to_owned()),
            })
            .collect::<Result<Vec<_>, _>>()?
            .join(".")
    } else if local.len() + 1 + domain.len() == text.len() && !(gmail_rules && is_gmail(domain)) {
        // Already canonical: keep the lower-cased text as it is.
        return Ok(text);
    } else {
        domain.to_owned()
    };
    if gmail_rules && is_gmail(&domain) {
        let base = local.split('+').next().unwrap_or(local).replace('.', "");
        if base.is_empty() {
            return Err("not an email");
        }
        return Ok(format!("{base}@gmail.com"));
    }
    Ok(format!("{local}@{domain}"))
}

fn is_gmail(domain: &str) -> bool {
    domain == "gmail.com" || domain == "googlemail.com"
}

/// RFC 3492 decoding of one punycode label (the part after `xn--`).
fn punycode_decode(input: &str) -> Option<String> {
    const BASE: u32 = 36;
    const T_MIN: u32 = 1;
    const T_MAX: u32 = 26;
    let (basic, rest) = match input.rfind('-') {
        Some(i) => (&input[..i], &input[i + 1..]),
        None => ("", input),
    };
    if !basic.is_ascii() {
        return None;
    }
    let mut output: Vec<char> = basic.chars().collect();
    let (mut n, mut i, mut bias) = (128u32, 0u32, 72u32);
    let mut digits = rest.bytes().peekable();
    while digits.peek().is_some() {
        let old_i = i;
        let mut w = 1u32;
        let mut k = BASE;
        loop {
            let byte = digits.next()?;
            let digit = match byte {
                b'a'..=b'z' => byte - b'a',
                b'0'..=b'9' => byte - b'0' + 26,
                _ => return None,
            } as u32;
            i = i.checked_add(digit.checked_mul(w)?)?;
            let t = if k <= bias {
                T_MIN
            } else if k >= bias + T_MAX {
                T_MAX
            } else {
                k - bias
            };
            if digit < t {
                break;
            }
            w = w.checked_mul(BASE - t)?;
            k += BASE;
        }
        let len = output.len() as u32 + 1;
        // adapt
        let mut delta = if old_i == 0 {
            (i - old_i) / 700
        } else {
            (i - old_i) / 2
        };
        delta += delta / len;
        let mut k = 0;
        while delta > ((BASE - T_MIN) * T_MAX) / 2 {
            delta /= BASE - T_MIN;
            k += BASE;
        }
        bias = k + (BASE * delta) / (delta + 38);
        n = n.checked_add(i / len)?;
        i %= len;
        output.insert(i as usize, char::from_u32(n)?);
        i += 1;
    }
    Some(output.into_iter().collect())
}

/// The phone library's region, parsed once per distinct config value by the caller.
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

/// E.164 (`+15550102030`) through libphonenumber's rules: national prefixes, `00`/`011`
/// international prefixes, `(0)` trunk digits and extensions (dropped) are handled.
/// Numbers of impossible length for their country are refused.
pub fn phone(raw: &str, default_region: Option<Region>) -> Result<String, &'static str> {
    let text = raw.trim();
    if text.is_empty() {
        return Err("empty");
    }
    if text.len() > 64 {
        return Err("too long for a phone number");
    }
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    if digits < 4 {
        return Err("not a phone number");
    }
    if let Some(e164) = phone_fast(text, default_region) {
        return Ok(e164);
    }
    let number = PHONE_NUMBER_UTIL
        .parse(text, default_region)
        .map_err(|_| "not a phone number")?;
    if PHONE_NUMBER_UTIL.is_possible_number(&number) {
        Ok(number.format_as(PhoneNumberFormat::E164).into_owned())
    } else {
        Err("not a possible number for its country")
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

/// A name as compared: Unicode-decomposed with accents stripped, case-folded, titles
/// and suffixes dropped, apostrophes removed and other punctuation turned into spaces.
/// Non-Latin scripts keep their letters (case-folded).
pub fn name(raw: &str) -> String {
    let folded = fold(raw);
    let tokens: Vec<&str> = folded.split(' ').filter(|t| !t.is_empty()).collect();
    let start = tokens
        .iter()
        .position(|t| !TITLES.contains(t))
        .unwrap_or(tokens.len());
    let mut end = tokens.len();
    while end > start + 1 && SUFFIXES.contains(&tokens[end - 1]) {
        end -= 1;
    }
    if start == 0 && end == tokens.len() {
        // No title or suffix: `fold` already joined the words with single spaces.
        return folded;
    }
    tokens[start..end].join(" ")
}

const TITLES: &[&str] = &["mr", "mrs", "ms", "miss", "dr", "prof", "sir", "mx"];
const SUFFIXES: &[&str] = &["jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"];

/// Decompose, strip combining marks, lower-case, map the letters that do not decompose
/// (ß, æ, ø, ł, …), drop apostrophes, turn other non-alphanumerics into single spaces.
pub fn fold(raw: &str) -> String {
    if raw.is_ascii() {
        return fold_ascii(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut space = true;
    for c in raw.nfkd() {
        if is_combining_mark(c) || matches!(c, '\'' | '’' | '`' | 'ʼ') {
            continue;
        }
        if c.is_alphanumeric() {
            for lower in c.to_lowercase() {
                match lower {
                    'ß' => out.push_str("ss"),
                    'æ' => out.push_str("ae"),
                    'œ' => out.push_str("oe"),
                    'ø' => out.push('o'),
                    'ł' => out.push('l'),
                    'đ' | 'ð' => out.push('d'),
                    'þ' => out.push_str("th"),
                    'ı' => out.push('i'),
                    other => out.push(other),
                }
            }
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// `fold` for ASCII text (most of it), which NFKD leaves as it is.
fn fold_ascii(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut space = true;
    for b in raw.bytes() {
        if b == b'\'' || b == b'`' {
            continue;
        }
        if b.is_ascii_alphanumeric() {
            out.push(b.to_ascii_lowercase() as char);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// A street address: folded, common street words abbreviated, unit words (`Apt.`, `#`,
/// `Suite`) dropped so `12 Main Street, Apt. 4` and `12 MAIN ST #4` agree.
pub fn address(raw: &str) -> String {
    fold(raw)
        .split(' ')
        .filter(|t| {
            !t.is_empty()
                && !matches!(
                    *t,
                    "no" | "number" | "apartment" | "apt" | "unit" | "flat" | "suite" | "ste"
                )
        })
        .map(|t| match t {
            "street" => "st",
            "road" => "rd",
            "avenue" | "av" => "ave",
            "boulevard" => "blvd",
            "drive" => "dr",
            "lane" => "ln",
            "court" => "ct",
            "place" => "pl",
            "square" => "sq",
            "terrace" => "ter",
            "highway" => "hwy",
            "north" => "n",
            "south" => "s",
            "east" => "e",
            "west" => "w",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A postcode: upper-case letters and digits only; a US ZIP+4 keeps its 5-digit ZIP.
pub fn postcode(raw: &str) -> String {
    let code: String = raw
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if code.len() == 9 && code.bytes().all(|b| b.is_ascii_digit()) && raw.contains('-') {
        code[..5].to_owned()
    } else {
        code
    }
}

/// A date of birth as `yyyymmdd`, from `YYYY-MM-DD` (a time part is ignored),
/// `YYYY/MM/DD`, `MM/DD/YYYY` (US order unless the first part is over 12), or epoch
/// milliseconds (GHL returns numbers). Impossible dates are refused.
pub fn dob_text(raw: &str) -> Result<u32, &'static str> {
    let text = raw.trim();
    let date = text.split(['T', ' ']).next().unwrap_or(text);
    let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
    let nums: Vec<u32> = parts
        .iter()
        .map(|p| p.parse::<u32>().map_err(|_| "not a date"))
        .collect::<Result<_, _>>()?;
    let (y, m, d) = match (parts.as_slice(), nums.as_slice()) {
        ([y, _, _], [yy, mm, dd]) if y.len() == 4 => (*yy, *mm, *dd),
        ([_, _, y], [a, b, yy]) if y.len() == 4 => {
            if *a > 12 {
                (*yy, *b, *a)
            } else {
                (*yy, *a, *b)
            }
        }
        _ => return Err("not a date"),
    };
    ymd(y, m, d)
}

pub fn dob_epoch_ms(ms: f64) -> Result<u32, &'static str> {
    if !ms.is_finite() || ms.abs() > 8.64e15 {
        return Err("not a date");
    }
    let days = (ms / 86_400_000.0).floor() as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    ymd(u32::try_from(y).map_err(|_| "not a date")?, m, d)
}

fn ymd(y: u32, m: u32, d: u32) -> Result<u32, &'static str> {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err("not a date: month out of range"),
    };
    if !(1800..=2200).contains(&y) || d == 0 || d > days {
        return Err("not a date: out of range");
    }
    Ok(y * 10_000 + m * 100 + d)
}

/// Two dates one typo apart: one digit differs, or day and month are swapped.
pub fn dob_near(a: u32, b: u32) -> bool {
    let (sa, sb) = (a.to_string(), b.to_string());
    let differing = sa.bytes().zip(sb.bytes()).filter(|(x, y)| x != y).count();
    let swapped =
        (a / 10_000 == b / 10_000) && (a % 100 == (b / 100) % 100) && (b % 100 == (a / 100) % 100);
    differing == 1 || swapped
}

/// The canonical form of a first name for comparison and blocking: a known nickname
/// maps to its full name (`bob` -> `robert`), anything else is itself.
pub fn canonical_first(name: &str) -> &str {
    nickname(name).unwrap_or_else(|| name.split(' ').next().unwrap_or(name))
}

/// The full name a first name's first word is a nickname of, if it is one.
pub fn nickname(name: &str) -> Option<&'static str> {
    let first = name.split(' ').next().unwrap_or(name);
    let table = nicknames();
    table
        .binary_search_by(|(nick, _)| (*nick).cmp(first))
        .ok()
        .map(|i| table[i].1)
}

fn nicknames() -> &'static [(&'static str, &'static str)] {
    static TABLE: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: Vec<(&str, &str)> = NICKNAMES
            .iter()
            .flat_map(|(full, nicks)| nicks.iter().map(move |n| (*n, *full)))
            .collect();
        table.sort_unstable();
        table.dedup_by(|a, b| a.0 == b.0);
        table
    })
}

/// Common English given-name diminutives. Ambiguous ones (pat, sam, alex, chris) map
/// to one full form: both sides map the same way, so they still compare equal.
const NICKNAMES: &[(&str, &[&str])] = &[
    ("robert", &["bob", "bobby", "rob", "robbie", "bert"]),
    ("william", &["bill", "billy", "will", "willy", "liam"]),
    ("james", &["jim", "jimmy", "jamie"]),
    ("john", &["jack", "johnny", "jon"]),
    ("michael", &["mike", "mikey", "mick", "mickey"]),
    ("richard", &["rick", "ricky", "dick", "rich"]),
    ("thomas", &["tom", "tommy"]),
    ("joseph", &["joe", "joey"]),
    ("david", &["dave", "davey"]),
    ("daniel", &["dan", "danny"]),
    ("christopher", &["chris", "kit"]),
    ("matthew", &["matt"]),
    ("anthony", &["tony"]),
    ("steven", &["steve", "stephen"]),
    ("samuel", &["sam", "sammy"]),
    ("alexander", &["alex", "al", "sasha"]),
    ("andrew", &["andy", "drew"]),
    ("benjamin", &["ben", "benny"]),
    ("nicholas", &["nick", "nicky"]),
    ("edward", &["ed", "eddie", "ted", "teddy", "ned"]),
    ("charles", &["charlie", "chuck"]),
    ("henry", &["hank", "harry"]),
    ("gregory", &["greg"]),
    ("jeffrey", &["jeff"]),
    ("jonathan", &["jonny"]),
    ("lawrence", &["larry"]),
    ("ronald", &["ron", "ronnie"]),
    ("donald", &["don", "donnie"]),
    ("timothy", &["tim", "timmy"]),
    ("kenneth", &["ken", "kenny"]),
    ("frederick", &["fred", "freddie"]),
    ("peter", &["pete"]),
    ("philip", &["phil"]),
    ("raymond", &["ray"]),
    ("walter", &["walt"]),
    ("patrick", &["pat", "paddy"]),
    (
        "elizabeth",
        &["liz", "lizzie", "beth", "betty", "eliza", "libby"],
    ),
    (
        "katherine",
        &[
            "kate",
            "katie",
            "kathy",
            "cathy",
            "catherine",
            "kathryn",
            "kat",
        ],
    ),
    ("margaret", &["maggie", "meg", "peggy", "marge"]),
    ("jennifer", &["jen", "jenny"]),
    ("susan", &["sue", "susie"]),
    ("rebecca", &["becky", "becca"]),
    ("victoria", &["vicky", "tori"]),
    ("abigail", &["abby"]),
    ("deborah", &["deb", "debbie"]),
    ("sandra", &["sandy"]),
    ("patricia", &["patty", "trish"]),
    ("jessica", &["jess", "jessie"]),
    ("barbara", &["barb"]),
    ("christine", &["chrissy", "christina", "tina"]),
    ("dorothy", &["dot", "dottie"]),
    ("pamela", &["pam"]),
    ("kimberly", &["kim"]),
    ("samantha", &["sammie"]),
    ("amanda", &["mandy"]),
];

/// American Soundex of the first word (letters a-z only); for a name in another script,
/// its first three characters.
pub fn soundex(name: &str) -> String {
    let word = name.split(' ').next().unwrap_or(name);
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    if !first.is_ascii_lowercase() {
        return word.chars().take(3).collect();
    }
    let code = |c: char| match c {
        'b' | 'f' | 'p' | 'v' => b'1',
        'c' | 'g' | 'j' | 'k' | 'q' | 's' | 'x' | 'z' => b'2',
        'd' | 't' => b'3',
        'l' => b'4',
        'm' | 'n' => b'5',
        'r' => b'6',
        'h' | 'w' => b'h',
        _ => b'0',
    };
    let mut out = vec![first as u8];
    let mut last = code(first);
    for c in chars {
        let k = code(c);
        if k == b'h' {
            continue;
        }
        if k != b'0' && k != last {
            out.push(k);
            if out.len() == 4 {
                break;
            }
        }
        last = k;
    }
    while out.len() < 4 {
        out.push(b'0');
    }
    String::from_utf8(out).unwrap_or_default()
}

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

            /// No string makes a normaliser panic.
            #[test]
            fn normalisers_never_panic(s in "\\PC{0,40}") {
                let _ = email(&s, true);
                let _ = phone(&s, region("US"));
                let _ = name(&s);
                let _ = address(&s);
                let _ = postcode(&s);
                let _ = dob_text(&s);
                let _ = soundex(&name(&s));
            }
        }
    }

    #[test]
    fn emails_are_trimmed_lowercased_and_gmail_canonical() {
        assert_eq!(
            email("  Jane.Doe@Example.COM ", true).unwrap(),
            "jane.doe@example.com"
        );
        assert_eq!(
            email("Jane.Doe+vip@Gmail.com", true).unwrap(),
            "janedoe@gmail.com"
        );
        assert_eq!(
            email("j.a.n.e.doe@googlemail.com", true).unwrap(),
            "janedoe@gmail.com"
        );
        // The option off keeps dots and tags; other providers never lose them.
        assert_eq!(
            email("Jane.Doe+vip@Gmail.com", false).unwrap(),
            "jane.doe+vip@gmail.com"
        );
        assert_eq!(
            email("jane.doe+x@outlook.com", true).unwrap(),
            "jane.doe+x@outlook.com"
        );
    }

    #[test]
    fn idn_emails_compare_equal_in_both_spellings() {
        assert_eq!(email("Jörg@Bücher.de", true).unwrap(), "jörg@bücher.de");
        assert_eq!(
            email("jörg@xn--bcher-kva.de", true).unwrap(),
            "jörg@bücher.de"
        );
        assert_eq!(email("x@xn--mnchen-3ya.de", true).unwrap(), "x@münchen.de");
        assert!(email("x@xn--!!.de", true).is_err());
    }

    #[test]
    fn bad_and_placeholder_emails_are_refused() {
        for bad in [
            "",
            "   ",
            "jane",
            "@x.com",
            "jane@",
            "a b@c.com",
            "a@b",
            "a@b.",
            "noemail@x.com",
            "+@gmail.com",
        ] {
            assert!(email(bad, true).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn phones_become_e164_with_a_default_region() {
        let us = region("us");
        assert_eq!(phone("(202) 555-0173", us).unwrap(), "+12025550173");
        assert_eq!(phone("+1 202.555.0173", us).unwrap(), "+12025550173");
        assert_eq!(phone("1-202-555-0173", us).unwrap(), "+12025550173");
        assert_eq!(phone("011 44 20 7183 8750", us).unwrap(), "+442071838750");
        let gb = region("GB");
        assert_eq!(phone("020 7183 8750", gb).unwrap(), "+442071838750");
        assert_eq!(phone("+44 (0)20 7183 8750", us).unwrap(), "+442071838750");
        assert_eq!(phone("0044 20 7183 8750", gb).unwrap(), "+442071838750");
        assert_eq!(phone("+49 30 901820", us).unwrap(), "+4930901820");
        assert_eq!(phone("+33 1 42 68 53 00", us).unwrap(), "+33142685300");
        assert_eq!(phone("+91 98765 43210", us).unwrap(), "+919876543210");
    }

    /// What the parser alone makes of a phone, for checking the fast path.
    fn parsed(text: &str, region: Option<Region>) -> Option<String> {
        let number = PHONE_NUMBER_UTIL.parse(text, region).ok()?;
        PHONE_NUMBER_UTIL
            .is_possible_number(&number)
            .then(|| number.format_as(PhoneNumberFormat::E164).into_owned())
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
    fn phone_extensions_are_dropped() {
        let us = region("US");
        assert_eq!(phone("202-555-0173 ext. 89", us).unwrap(), "+12025550173");
        assert_eq!(phone("+1 202 555 0173 x12", us).unwrap(), "+12025550173");
    }

    #[test]
    fn invalid_phones_are_refused_with_a_reason() {
        let us = region("US");
        for bad in [
            "",
            "abc",
            "12",
            "+1 23",
            "555-CALL-NOW-PLEASE-NOW",
            "+999 123 456 789",
            &"9".repeat(80),
        ] {
            assert!(phone(bad, us).is_err(), "{bad:?}");
        }
        // No default region: a national number has no country.
        assert!(phone("(202) 555-0173", None).is_err());
        assert_eq!(region("usa"), None);
        assert_eq!(region("XX"), None);
        assert!(region("gb").is_some());
        assert_eq!(region("1x"), None);
    }

    #[test]
    fn names_fold_accents_case_punctuation_titles() {
        assert_eq!(name("  José  María "), "jose maria");
        assert_eq!(name("O'Brien-Smith"), "obrien smith");
        assert_eq!(name("Dr. Zoë Ångström Jr."), "zoe angstrom");
        assert_eq!(name("STRAẞE Łukasz Øster"), "strasse lukasz oster");
        assert_eq!(name("Ｊｏｈｎ"), "john"); // full-width, NFKD
        assert_eq!(name("Иван Петров"), "иван петров");
        assert_eq!(name("山田 太郎"), "山田 太郎");
        assert_eq!(name("Mr"), "");
        assert_eq!(name("!!!"), "");
    }

    #[test]
    fn ascii_fold_is_the_general_fold() {
        for text in [
            "  O'Brien--Smith  ",
            "a`b",
            "X Æ",
            "ABC 12 #4",
            "",
            "...",
            "Mary-Jane  WATSON",
        ] {
            let general: String = {
                // The general path, forced.
                let mut s = String::from("é");
                s.push_str(text);
                fold(&s).trim_start_matches('e').trim_start().to_owned()
            };
            assert_eq!(fold(text), general, "{text:?}");
        }
    }

    #[test]
    fn addresses_and_postcodes_are_lightly_normalised() {
        assert_eq!(address("12 Main Street, Apt. 4"), "12 main st 4");
        assert_eq!(address("12 MAIN ST #4"), "12 main st 4");
        assert_eq!(postcode(" sw1a 1aa "), "SW1A1AA");
        assert_eq!(postcode("94105-1234"), "94105");
        assert_eq!(postcode("94105"), "94105");
    }

    #[test]
    fn dates_of_birth_in_several_forms() {
        assert_eq!(dob_text("1985-03-07").unwrap(), 19850307);
        assert_eq!(dob_text("1985-03-07T00:00:00.000Z").unwrap(), 19850307);
        assert_eq!(dob_text("03/07/1985").unwrap(), 19850307);
        assert_eq!(dob_text("25/12/1990").unwrap(), 19901225);
        assert_eq!(dob_epoch_ms(479_001_600_000.0).unwrap(), 19850307);
        assert_eq!(dob_epoch_ms(-86_400_000.0).unwrap(), 19691231);
        for bad in [
            "",
            "yesterday",
            "1985-02-30",
            "1985-13-01",
            "0001-01-01",
            "12/12/85",
        ] {
            assert!(dob_text(bad).is_err(), "{bad}");
        }
        assert!(dob_epoch_ms(f64::NAN).is_err());
        assert!(dob_near(19850307, 19850308));
        assert!(dob_near(19850307, 19850703));
        assert!(!dob_near(19850307, 19900101));
    }

    #[test]
    fn nicknames_and_soundex() {
        assert_eq!(canonical_first("bob"), "robert");
        assert_eq!(canonical_first("liz"), "elizabeth");
        assert_eq!(canonical_first("zelda"), "zelda");
        assert_eq!(soundex("robert"), "r163");
        assert_eq!(soundex("rupert"), "r163");
        assert_eq!(soundex("ashcraft"), "a261");
        assert_eq!(soundex("tymczak"), "t522");
        assert_eq!(soundex("иван"), "ива");
        assert_eq!(soundex(""), "");
    }
}
