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
    let mut b_used = [false; 64];
    let mut a_match = [0u8; 64];
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_used[j] && b[j] == ca {
                b_used[j] = true;
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
    let mut k = 0usize;
    for (j, &cb) in b.iter().enumerate() {
        if b_used[j] {
            if a_match[k] != cb {
                transpositions += 1;
            }
            k += 1;
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
/// other's first letter as 0.9.
fn first_similarity(a: &str, b: &str) -> (f64, Option<&'static str>) {
    first_similarity_known(a, nickname(a), b, nickname(b))
}

/// `first_similarity` with the nickname look-ups already done (at normalisation).
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
        shared_email = a.emails.iter().any(|e| b.emails.contains(e));
        if shared_email {
            push("email", 1.0, w.email, None);
        } else {
            push("email", 0.0, w.email_differs, None);
        }
    }
    let mut shared_phone = false;
    if config.rules.phone && !a.phones.is_empty() && !b.phones.is_empty() {
        shared_phone = a.phones.iter().any(|p| b.phones.contains(p));
        if shared_phone {
            push("phone", 1.0, w.phone, None);
        } else {
            push("phone", 0.0, w.phone_differs, None);
        }
    }
    let mut conflict = None;
    if config.rules.fuzzy {
        // Names: the orientation (as given, or first and last swapped) that agrees best.
        let pair = |x: &str, y: &str| -> Option<(f64, Option<&'static str>)> {
            (!x.is_empty() && !y.is_empty()).then(|| first_similarity(x, y))
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
        if !a.postcode.is_empty() && !b.postcode.is_empty() {
            if a.postcode == b.postcode {
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
            if a.city == b.city {
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
        fn ascii_jaro_winkler_is_strsims(a in "[a-e ]{0,12}", b in "[a-e ]{0,12}") {
            let ours = ascii_jaro_winkler(a.as_bytes(), b.as_bytes());
            let theirs = jaro_winkler(&a, &b);
            proptest::prop_assert!((ours - theirs).abs() < 1e-9, "{} {} {} {}", a, b, ours, theirs);
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
