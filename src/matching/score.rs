//! Scoring one pair: every piece of evidence adds or removes points (`config::Weights`),
//! and the sum is compared with the thresholds. Two facts cap a pair at "possible"
//! whatever its score: different first names (a household sharing a phone, a couple
//! sharing an email) and different dates of birth.

use std::borrow::Cow;

use serde::Serialize;
use strsim::jaro_winkler;

use super::config::Config;
use super::normalize::{dob_near, nickname};
use super::record::Contact;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    NonMatch,
    Possible,
    Match,
}

impl Decision {
    /// The name it is serialised as.
    pub fn name(self) -> &'static str {
        match self {
            Decision::NonMatch => "nonmatch",
            Decision::Possible => "possible",
            Decision::Match => "match",
        }
    }
}

/// One compared field: how alike the two values are (0..1) and the points it gave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The field's name: one of ours, or a configured extra field's.
    pub field: Cow<'static, str>,
    pub similarity: f64,
    pub weight: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub score: f64,
    pub decision: Decision,
    pub shared_email: bool,
    pub shared_phone: bool,
    /// Evidence that they are different people (first names or dates of birth differ),
    /// whatever the score; the chaining guard refuses links across such pairs.
    pub conflict: Option<&'static str>,
    /// Why a score at or above the match threshold was held at "possible".
    pub capped: Option<&'static str>,
}

const SAME: f64 = 0.97;
/// Below this Jaro-Winkler similarity two names disagree.
const NAME_FLOOR: f64 = 0.75;

/// Full weight from `SAME` up, falling linearly to 0 at `NAME_FLOOR` (one typo in a
/// short name, `smith`/`smyth` = 0.89, still earns two thirds).
fn name_weight(sim: f64, full: f64) -> f64 {
    let t = ((sim - NAME_FLOOR) / (SAME - NAME_FLOOR)).clamp(0.0, 1.0);
    (full * t * 100.0).round() / 100.0
}

fn similarity(a: &str, b: &str) -> f64 {
    if a == b {
        1.0
    } else if a.is_ascii() && b.is_ascii() && a.len() <= 64 && b.len() <= 64 {
        ascii_jaro_winkler(a.as_bytes(), b.as_bytes())
    } else {
        jaro_winkler(a, b)
    }
}

/// strsim's Jaro-Winkler (prefix capped at 4, boost above 0.7) for short ASCII strings,
/// without its per-call allocation: scoring calls this a few million times.
fn ascii_jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return if a.is_empty() && b.is_empty() {
            1.0
        } else {
            0.0
        };
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    // Which characters of `b` are matched, as bits (both strings are at most 64 bytes).
    let mut b_used = 0u64;
    let mut a_match = [0u8; 64];
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for (j, &cb) in b.iter().enumerate().take(hi).skip(lo) {
            if b_used & (1 << j) == 0 && cb == ca {
                b_used |= 1 << j;
                a_match[matches] = ca;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut used = b_used;
    for &ca in &a_match[..matches] {
        let j = used.trailing_zeros() as usize;
        used &= used - 1;
        if ca != b[j] {
            transpositions += 1;
        }
    }
    let m = matches as f64;
    let jaro =
        (m / a.len() as f64 + m / b.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0;
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as f64;
    jaro + 0.1 * prefix * (1.0 - jaro)
}

/// First names: equal after nickname mapping counts as 1; an initial matching the
/// other's first letter as 0.9. `a_nick` and `b_nick` are `nickname(a)` and `nickname(b)`
/// (looked up once at normalisation where possible).
fn first_similarity_known(
    a: &str,
    a_nick: Option<&'static str>,
    b: &str,
    b_nick: Option<&'static str>,
) -> (f64, Option<&'static str>) {
    if a == b {
        return (1.0, None);
    }
    let ca = a_nick.unwrap_or_else(|| a.split(' ').next().unwrap_or(a));
    let cb = b_nick.unwrap_or_else(|| b.split(' ').next().unwrap_or(b));
    if ca == cb {
        return (1.0, Some("nickname"));
    }
    let initial = |x: &str, y: &str| x.chars().count() == 1 && y.starts_with(x);
    if initial(a, b) || initial(b, a) {
        return (0.9, Some("initial"));
    }
    // Mostly both names are their own canonical form: one Jaro-Winkler, not the same twice.
    if ca == a && cb == b {
        return (similarity(a, b), None);
    }
    (similarity(ca, cb).max(similarity(a, b)), None)
}

/// A field's name for its evidence: ours are static, so only an extra field's is copied.
fn field_name(field: &str) -> Cow<'static, str> {
    const OURS: [&str; 8] = [
        "email",
        "phone",
        "firstName",
        "lastName",
        "dateOfBirth",
        "postcode",
        "address",
        "city",
    ];
    match OURS.iter().find(|f| **f == field) {
        Some(f) => Cow::Borrowed(f),
        None => Cow::Owned(field.to_owned()),
    }
}

/// Compares two contacts. With `evidence`, every compared field is pushed to it.
pub fn compare(
    a: &Contact,
    b: &Contact,
    config: &Config,
    evidence: Option<&mut Vec<Evidence>>,
) -> Outcome {
    compare_hinted(a, b, None, config, evidence)
}

/// `compare` with both contacts' digests at hand: values whose hashes differ are known to
/// differ without reading their strings (a cache miss each, for the second contact).
/// Equal hashes still compare the strings, so the outcome is `compare`'s.
pub fn compare_digested(
    a: &Contact,
    b: &Contact,
    digests: (&Digest, &Digest),
    config: &Config,
) -> Outcome {
    compare_hinted(a, b, Some(digests), config, None)
}

fn compare_hinted(
    a: &Contact,
    b: &Contact,
    hint: Option<(&Digest, &Digest)>,
    config: &Config,
    mut evidence: Option<&mut Vec<Evidence>>,
) -> Outcome {
    let w = &config.weights;
    let mut score = 0.0;
    let mut push = |field: &str, similarity: f64, weight: f64, note: Option<&'static str>| {
        score += weight;
        if let Some(list) = evidence.as_deref_mut() {
            list.push(Evidence {
                field: field_name(field),
                similarity: (similarity * 1000.0).round() / 1000.0,
                weight,
                note,
            });
        }
    };
    let mut shared_email = false;
    if config.rules.email && !a.emails.is_empty() && !b.emails.is_empty() {
        shared_email = match hint {
            Some((x, y)) if !x.many_emails && !y.many_emails && !shares(&x.emails, &y.emails) => {
                false
            }
            _ => a.emails.iter().any(|e| b.emails.contains(e)),
        };
        if shared_email {
            push("email", 1.0, w.email, None);
        } else {
            push("email", 0.0, w.email_differs, None);
        }
    }
    let mut shared_phone = false;
    if config.rules.phone && !a.phones.is_empty() && !b.phones.is_empty() {
        shared_phone = match hint {
            Some((x, y)) if !x.many_phones && !y.many_phones && !shares(&x.phones, &y.phones) => {
                false
            }
            _ => a.phones.iter().any(|p| b.phones.contains(p)),
        };
        if shared_phone {
            push("phone", 1.0, w.phone, None);
        } else {
            push("phone", 0.0, w.phone_differs, None);
        }
    }
    let mut conflict = None;
    if config.rules.fuzzy {
        // Names: the orientation (as given, or first and last swapped) that agrees best.
        // `a`'s first name, looked up as a nickname once at normalisation, against `b`'s last.
        let pair = |x: &str, y: &str| -> Option<(f64, Option<&'static str>)> {
            (!x.is_empty() && !y.is_empty())
                .then(|| first_similarity_known(x, a.first_nick, y, nickname(y)))
        };
        let last = |x: &str, y: &str| (!x.is_empty() && !y.is_empty()).then(|| similarity(x, y));
        let first_pair = (!a.first.is_empty() && !b.first.is_empty())
            .then(|| first_similarity_known(&a.first, a.first_nick, &b.first, b.first_nick));
        let direct = (first_pair, last(&a.last, &b.last));
        let total = |(f, l): &(Option<(f64, Option<&'static str>)>, Option<f64>)| {
            f.map_or(0.0, |f| f.0) + l.unwrap_or(0.0)
        };
        // Swapped names only need a look when the names as given do not already agree.
        let swapped = (total(&direct) < 1.9 && a.first != a.last)
            .then(|| (pair(&a.first, &b.last), last(&a.last, &b.first)))
            .filter(|swapped| total(swapped) > total(&direct) + 0.05);
        let ((first, last), swap_note) = match swapped {
            Some(swapped) => (swapped, Some("first and last names swapped")),
            None => (direct, None),
        };
        if let Some((sim, note)) = first {
            let weight = if sim < NAME_FLOOR {
                conflict = Some("first names differ");
                w.first_name_differs
            } else {
                name_weight(sim, w.first_name)
            };
            push("firstName", sim, weight, note.or(swap_note));
        }
        if let Some(sim) = last {
            let weight = if sim < NAME_FLOOR {
                w.last_name_differs
            } else {
                name_weight(sim, w.last_name)
            };
            push("lastName", sim, weight, swap_note);
        }
        if let (Some(x), Some(y)) = (a.dob, b.dob) {
            if x == y {
                push("dateOfBirth", 1.0, w.dob, None);
            } else if dob_near(x, y) {
                push("dateOfBirth", 0.8, w.dob_near, Some("one typo apart"));
            } else {
                conflict = conflict.or(Some("dates of birth differ"));
                push("dateOfBirth", 0.0, w.dob_differs, None);
            }
        }
        // Different hashes are different values (see `compare_digested`).
        let differs =
            |hashes: fn(&Digest) -> u32| hint.is_some_and(|(x, y)| hashes(x) != hashes(y));
        if !a.postcode.is_empty() && !b.postcode.is_empty() {
            if !differs(|d| d.postcode) && a.postcode == b.postcode {
                push("postcode", 1.0, w.postcode, None);
            } else {
                push("postcode", 0.0, w.postcode_differs, None);
            }
        }
        if !a.address.is_empty() && !b.address.is_empty() {
            let sim = similarity(&a.address, &b.address);
            let weight = if sim >= 0.92 {
                w.address
            } else if sim >= 0.85 {
                0.4 * w.address
            } else {
                w.address_differs
            };
            push("address", sim, weight, None);
        }
        if !a.city.is_empty() && !b.city.is_empty() {
            if !differs(|d| d.city) && a.city == b.city {
                push("city", 1.0, w.city, None);
            } else {
                push("city", 0.0, w.city_differs, None);
            }
        }
        for (field, value) in &a.extra {
            if let Some((_, other)) = b.extra.iter().find(|(f, _)| f == field) {
                let name = config
                    .extra_fields
                    .get(*field)
                    .map_or("extra", String::as_str);
                if value == other {
                    push(name, 1.0, w.extra, None);
                } else {
                    push(name, 0.0, w.extra_differs, None);
                }
            }
        }
    }
    let t = &config.thresholds;
    let mut decision = if score >= t.r#match {
        Decision::Match
    } else if score >= t.possible {
        Decision::Possible
    } else {
        Decision::NonMatch
    };
    let mut capped = None;
    if decision == Decision::Match && conflict.is_some() {
        decision = Decision::Possible;
        capped = conflict;
    }
    Outcome {
        score: (score * 100.0).round() / 100.0,
        decision,
        shared_email,
        shared_phone,
        conflict,
        capped,
    }
}

/// What a batch's first look at a candidate pair needs of one contact, in 32 bytes: the
/// fields compared by equality as 32-bit hashes, the date of birth, and which fuzzy
/// fields are there. Most candidate pairs at a million records are not duplicates, and
/// reading both `Contact`s (a dozen heap strings each, the second one anywhere in
/// memory) to find that out was most of the scoring phase.
#[derive(Debug, Clone, Copy, Default)]
// Aligned, so reading one never straddles two cache lines.
#[repr(align(32))]
pub struct Digest {
    /// Hashes of the first `DIGESTED` emails (and phones); 0 is "none".
    emails: [u32; DIGESTED],
    phones: [u32; DIGESTED],
    /// More than `DIGESTED` emails (or phones): treated as possibly shared.
    many_emails: bool,
    many_phones: bool,
    has_address: bool,
    /// How many extra values (255: that many or more).
    extras: u8,
    postcode: u32,
    city: u32,
    /// `yyyymmdd`, 0 for none.
    dob: u32,
}

const DIGESTED: usize = 2;

/// Whether two lists of hashes have one in common.
fn shares(x: &[u32; DIGESTED], y: &[u32; DIGESTED]) -> bool {
    x.iter().any(|h| *h != 0 && y.contains(h))
}

/// FNV-1a of a string, never 0 (which stands for the empty string).
fn digest_hash(s: &str) -> u32 {
    if s.is_empty() {
        return 0;
    }
    let mut h: u32 = 0x811c_9dc5;
    for &b in s.as_bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h.max(1)
}

impl Digest {
    pub fn of(c: &Contact) -> Digest {
        let list = |values: &[String]| {
            let mut out = [0u32; DIGESTED];
            for (slot, v) in out.iter_mut().zip(values) {
                // Never 0, even for an empty string: 0 means the list is shorter.
                *slot = digest_hash(v).max(1);
            }
            (out, values.len() > DIGESTED)
        };
        let (emails, many_emails) = list(&c.emails);
        let (phones, many_phones) = list(&c.phones);
        Digest {
            emails,
            phones,
            many_emails,
            many_phones,
            has_address: !c.address.is_empty(),
            extras: c.extra.len().min(255) as u8,
            postcode: digest_hash(&c.postcode),
            city: digest_hash(&c.city),
            dob: c.dob.unwrap_or(0),
        }
    }
}

/// True when `compare(a, b)` is certainly a non-match: the most the pair could score
/// (the fields compared by equality as their digests allow, every fuzzy field at its
/// best) is below the "possible" threshold. Equal hashes count as possibly equal, so a
/// collision only costs a full comparison. The margin is far above the rounding error
/// of a sum of a dozen weights.
pub fn cannot_be_possible(a: &Digest, b: &Digest, config: &Config) -> bool {
    let w = &config.weights;
    let present = |x: &[u32; DIGESTED]| x[0] != 0;
    // The best of "same" and "differs" when the values may be the same, else "differs".
    let field = |maybe_same: bool, same: f64, differs: f64| {
        if maybe_same {
            same.max(differs)
        } else {
            differs
        }
    };
    let mut most = 0.0;
    if config.rules.email && present(&a.emails) && present(&b.emails) {
        let maybe = a.many_emails || b.many_emails || shares(&a.emails, &b.emails);
        most += field(maybe, w.email, w.email_differs);
    }
    if config.rules.phone && present(&a.phones) && present(&b.phones) {
        let maybe = a.many_phones || b.many_phones || shares(&a.phones, &b.phones);
        most += field(maybe, w.phone, w.phone_differs);
    }
    if config.rules.fuzzy {
        // `name_weight` gives between 0 and the full weight, rounded to cents.
        let name = |full: f64, differs: f64| (full.max(0.0) + 0.005).max(differs);
        most += name(w.first_name, w.first_name_differs) + name(w.last_name, w.last_name_differs);
        if a.dob != 0 && b.dob != 0 {
            most += if a.dob == b.dob {
                w.dob
            } else if dob_near(a.dob, b.dob) {
                w.dob_near
            } else {
                w.dob_differs
            };
        }
        if a.postcode != 0 && b.postcode != 0 {
            most += field(a.postcode == b.postcode, w.postcode, w.postcode_differs);
        }
        if a.has_address && b.has_address {
            most += w.address.max(0.4 * w.address).max(w.address_differs);
        }
        if a.city != 0 && b.city != 0 {
            most += field(a.city == b.city, w.city, w.city_differs);
        }
        // Each of `a`'s extra values is compared at most once (a record may hold one
        // field twice, so `b`'s count is no limit); 255 stands for "too many to count".
        let extra = w.extra.max(w.extra_differs).max(0.0);
        if a.extras == u8::MAX && extra > 0.0 {
            return false;
        }
        most += f64::from(a.extras) * extra;
    }
    most < config.thresholds.possible - 1e-6
}

/// The rule that decided a pair, for its explanation: "email", "phone", or "name+" the
/// other fields that agreed (e.g. "name+dateOfBirth+postcode").
pub fn rule_name(outcome: &Outcome, evidence: &[Evidence]) -> String {
    if outcome.shared_email {
        return "email".to_owned();
    }
    if outcome.shared_phone {
        return "phone".to_owned();
    }
    let mut rule = "name".to_owned();
    for e in evidence {
        if e.weight > 0.0 && !matches!(e.field.as_ref(), "firstName" | "lastName") {
            rule.push('+');
            rule.push_str(&e.field);
        }
    }
    rule
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_names_are_the_serialised_ones() {
        for d in [Decision::NonMatch, Decision::Possible, Decision::Match] {
            assert_eq!(serde_json::to_value(d).unwrap(), d.name());
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// The allocation-free Jaro-Winkler gives strsim's answer.
        #[test]
        fn ascii_jaro_winkler_is_strsims(a in "[a-e ]{0,12}|[a-c]{0,64}", b in "[a-e ]{0,12}|[a-c]{0,64}") {
            let ours = ascii_jaro_winkler(a.as_bytes(), b.as_bytes());
            let theirs = jaro_winkler(&a, &b);
            proptest::prop_assert!((ours - theirs).abs() < 1e-9, "{} {} {} {}", a, b, ours, theirs);
        }
    }

    /// A contact from a small alphabet of values, so pairs agree and disagree often.
    #[cfg(not(target_arch = "wasm32"))]
    fn arbitrary_contact() -> impl proptest::strategy::Strategy<Value = Contact> {
        use proptest::prelude::*;
        let text = |values: &'static [&'static str]| {
            proptest::sample::select(values).prop_map(str::to_owned)
        };
        let list = |values: &'static [&'static str]| proptest::collection::vec(text(values), 0..5);
        (
            (
                list(&["a@x.co", "b@x.co", "c@x.co", ""]),
                list(&["+12025550173", "+12025550174", "+447183875011", ""]),
            ),
            (
                text(&["", "jon", "john", "bob", "robert", "smith", "j"]),
                text(&["", "smith", "smyth", "jon", "doe"]),
            ),
            proptest::option::of(proptest::sample::select(vec![
                19800101u32,
                19800102,
                19800201,
                19900101,
            ])),
            (
                text(&["", "10001", "10002"]),
                text(&["", "1 main st", "1 main street", "9 oak ave"]),
                text(&["", "austin", "boston"]),
            ),
            proptest::collection::vec((0usize..2, text(&["m1", "m2"])), 0..3),
        )
            .prop_map(
                |((emails, phones), (first, last), dob, (postcode, address, city), extra)| {
                    Contact {
                        emails,
                        phones,
                        first_nick: nickname(&first),
                        first,
                        last,
                        dob,
                        postcode,
                        address,
                        city,
                        extra,
                        ..Contact::default()
                    }
                },
            )
    }

    #[test]
    fn a_digest_fills_one_half_cache_line() {
        assert_eq!(std::mem::size_of::<Digest>(), 32);
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        /// Comparing with the digests at hand gives `compare`'s outcome.
        #[test]
        fn compare_digested_is_compare(a in arbitrary_contact(), b in arbitrary_contact()) {
            let config = Config { extra_fields: vec!["memberNo".into(), "plan".into()], ..Config::default() };
            let digested = compare_digested(&a, &b, (&Digest::of(&a), &Digest::of(&b)), &config);
            proptest::prop_assert_eq!(digested, compare(&a, &b, &config, None));
        }

        /// The first look never turns away a pair that `compare` would call a match or
        /// a possible match, whatever the weights' signs.
        #[test]
        fn cannot_be_possible_only_for_non_matches(
            a in arbitrary_contact(),
            b in arbitrary_contact(),
            weights in proptest::collection::vec(-6.0f64..9.0, 19),
            possible in -3.0f64..12.0,
        ) {
            let mut config = Config { extra_fields: vec!["memberNo".into(), "plan".into()], ..Config::default() };
            for config in [config.clone(), {
                let w = &mut config.weights;
                for (slot, value) in [
                    &mut w.email, &mut w.email_differs, &mut w.phone, &mut w.phone_differs,
                    &mut w.first_name, &mut w.first_name_differs, &mut w.last_name, &mut w.last_name_differs,
                    &mut w.dob, &mut w.dob_near, &mut w.dob_differs, &mut w.postcode, &mut w.postcode_differs,
                    &mut w.address, &mut w.address_differs, &mut w.city, &mut w.city_differs,
                    &mut w.extra, &mut w.extra_differs,
                ].into_iter().zip(&weights) {
                    *slot = *value;
                }
                config.thresholds.possible = possible;
                config.thresholds.r#match = possible + 2.0;
                config
            }] {
                if cannot_be_possible(&Digest::of(&a), &Digest::of(&b), &config) {
                    let out = compare(&a, &b, &config, None);
                    proptest::prop_assert_eq!(out.decision, Decision::NonMatch, "{:?}", out);
                }
            }
        }
    }

    fn contact(first: &str, last: &str) -> Contact {
        Contact {
            first: first.to_owned(),
            first_nick: nickname(first),
            last: last.to_owned(),
            ..Contact::default()
        }
    }

    fn run(a: &Contact, b: &Contact) -> (Outcome, Vec<Evidence>, String) {
        let mut ev = Vec::new();
        let out = compare(a, b, &Config::default(), Some(&mut ev));
        let rule = rule_name(&out, &ev);
        (out, ev, rule)
    }

    #[test]
    fn shared_email_with_agreeing_names_is_a_match() {
        let mut a = contact("jane", "doe");
        a.emails.push("janedoe@gmail.com".into());
        let mut b = contact("jane", "doe");
        b.emails.push("janedoe@gmail.com".into());
        let (out, ev, rule) = run(&a, &b);
        assert_eq!(out.decision, Decision::Match);
        assert_eq!(rule, "email");
        assert_eq!(
            ev.iter().map(|e| e.field.as_ref()).collect::<Vec<_>>(),
            ["email", "firstName", "lastName"]
        );
    }

    #[test]
    fn no_email_no_phone_names_with_typos_swapped_and_dob_match() {
        let mut a = contact("jonathan", "smith");
        a.dob = Some(19800101);
        a.postcode = "94105".into();
        let mut b = contact("smyth", "jonathon");
        b.dob = Some(19800101);
        let (out, ev, rule) = run(&a, &b);
        assert_eq!(out.decision, Decision::Match, "{ev:?}");
        assert_eq!(rule, "name+dateOfBirth");
        assert_eq!(ev[0].note, Some("first and last names swapped"));
    }

    #[test]
    fn nicknames_count_as_the_same_first_name() {
        let mut a = contact("bob", "jones");
        a.address = "1 main st".into();
        a.postcode = "10001".into();
        let mut b = contact("robert", "jones");
        b.address = "1 main st".into();
        b.postcode = "10001".into();
        let (out, ev, _) = run(&a, &b);
        assert_eq!(out.decision, Decision::Match);
        assert_eq!(ev[0].note, Some("nickname"));
    }

    #[test]
    fn a_household_sharing_phone_and_address_is_only_possible() {
        let mut a = contact("anna", "kowalski");
        a.phones.push("+12025550173".into());
        a.address = "5 oak ave".into();
        let mut b = contact("peter", "kowalski");
        b.phones.push("+12025550173".into());
        b.address = "5 oak ave".into();
        let (out, _, rule) = run(&a, &b);
        assert_eq!(out.decision, Decision::Possible);
        assert_eq!(out.capped, Some("first names differ"));
        assert_eq!(rule, "phone");
    }

    #[test]
    fn same_common_name_and_different_dob_is_not_a_match() {
        let mut a = contact("john", "smith");
        a.dob = Some(19700101);
        let mut b = contact("john", "smith");
        b.dob = Some(19920612);
        assert_eq!(run(&a, &b).0.decision, Decision::NonMatch);
        // A name alone is never enough.
        assert_eq!(
            run(&contact("john", "smith"), &contact("john", "smith"))
                .0
                .decision,
            Decision::NonMatch
        );
    }

    #[test]
    fn a_dob_typo_still_counts() {
        let mut a = contact("maria", "garcia");
        a.dob = Some(19850307);
        a.city = "austin".into();
        let mut b = a.clone();
        b.dob = Some(19850703);
        b.postcode = "78701".into();
        a.postcode = "78701".into();
        let (out, ev, _) = run(&a, &b);
        assert_eq!(out.decision, Decision::Match, "{ev:?}");
    }
}
