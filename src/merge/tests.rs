use super::*;
use proptest::prelude::{
    any, prop_assert, prop_assert_eq, prop_oneof, proptest, Just, ProptestConfig,
};
use proptest::strategy::Strategy as Gen;
use serde_json::json;
use std::collections::BTreeSet;

fn contact(fields: &[(&str, &str)], tags: &[&str], updated: Option<&str>) -> Contact {
    let mut c = Contact::default();
    for (k, v) in fields {
        c.set(k, json!(v));
    }
    c.tags = tags.iter().map(|t| t.to_string()).collect();
    c.updated_at = updated.map(str::to_owned);
    c
}

fn policy(strategy: Strategy, never_erase: bool) -> Policy {
    Policy {
        default: FieldPolicy {
            strategy,
            never_erase,
        },
        ..Policy::default()
    }
}

/// Applies the merge's writes to each side, as the executor would.
fn apply(m: &Merge, o: &Contact, g: &Contact) -> (Contact, Contact) {
    let (mut o2, mut g2) = (o.clone(), g.clone());
    for (k, v) in &m.to_outseta {
        o2.set(k, v.clone());
    }
    for (k, v) in &m.to_ghl {
        g2.set(k, v.clone());
    }
    o2.tags = m.merged.tags.clone();
    g2.tags = g
        .tags
        .union(&m.tags_add)
        .filter(|t| !m.tags_remove.contains(t))
        .cloned()
        .collect();
    (o2, g2)
}

#[test]
fn one_sided_changes_are_taken() {
    let base = contact(&[("email", "a@b.co"), ("firstName", "Ann")], &[], None);
    let o = contact(&[("email", "a@b.co"), ("firstName", "Anne")], &[], None);
    let g = contact(&[("email", "new@b.co"), ("firstName", "Ann")], &[], None);
    let m = merge(&base, &o, &g, &Policy::default(), None);
    assert_eq!(
        m.to_ghl,
        BTreeMap::from([("firstName".to_owned(), json!("Anne"))])
    );
    assert_eq!(
        m.to_outseta,
        BTreeMap::from([("email".to_owned(), json!("new@b.co"))])
    );
    assert!(m.conflicts.is_empty());
    assert_eq!(m.merged.get("email"), Some(&json!("new@b.co")));
    assert!(m
        .decisions
        .iter()
        .any(|d| d.reason.contains("changed in GHL only")));
}

#[test]
fn same_change_on_both_sides_is_nothing_to_do() {
    let base = contact(&[("city", "Paris")], &[], None);
    let both = contact(&[("city", "Lyon")], &[], None);
    let m = merge(&base, &both, &both, &Policy::default(), None);
    assert!(m.to_ghl.is_empty() && m.to_outseta.is_empty() && m.conflicts.is_empty());
    assert_eq!(m.merged.get("city"), Some(&json!("Lyon")));
}

#[test]
fn policies_behave_as_documented() {
    let base = contact(&[("city", "Paris")], &[], None);
    let o = contact(&[("city", "Lyon")], &[], Some("2026-11-20T10:00:00Z"));
    let g = contact(&[("city", "Nice")], &[], Some("2026-11-20T10:10:00Z"));
    let win = |p: Policy| merge(&base, &o, &g, &p, None).merged.get("city").cloned();
    assert_eq!(
        win(policy(Strategy::OutsetaWins, true)),
        Some(json!("Lyon"))
    );
    assert_eq!(win(policy(Strategy::GhlWins, true)), Some(json!("Nice")));
    assert_eq!(
        win(policy(Strategy::NewestWins, true)),
        Some(json!("Nice")),
        "GHL is 10 min newer"
    );
    // Within the clock-skew tolerance newest-wins cannot tell: held for review.
    let mut skew = policy(Strategy::NewestWins, true);
    skew.clock_skew_ms = 15 * 60_000;
    let m = merge(&base, &o, &g, &skew, None);
    assert_eq!(m.conflicts.len(), 1);
    assert!(m.conflicts[0].reason.contains("clock-skew"));
    assert!(m.to_ghl.is_empty() && m.to_outseta.is_empty());
    assert_eq!(
        m.merged.get("city"),
        Some(&json!("Paris")),
        "a held field keeps its base value"
    );
    // Review: both values come back, nothing is written.
    let m = merge(&base, &o, &g, &policy(Strategy::Review, true), None);
    assert_eq!(
        (
            m.conflicts[0].outseta.clone(),
            m.conflicts[0].ghl.clone(),
            m.conflicts[0].base.clone()
        ),
        (json!("Lyon"), json!("Nice"), json!("Paris"))
    );
    // A missing update time cannot be newest.
    let undated = contact(&[("city", "Nice")], &[], None);
    assert_eq!(
        merge(&base, &o, &undated, &Policy::default(), None)
            .conflicts
            .len(),
        1
    );
}

#[test]
fn never_erase_keeps_a_value_over_an_empty_one() {
    let base = contact(&[("city", "Paris")], &[], None);
    let o = contact(&[], &[], Some("2026-11-20T12:00:00Z"));
    let g = contact(&[("city", "Nice")], &[], Some("2026-11-20T10:00:00Z"));
    let m = merge(&base, &o, &g, &policy(Strategy::OutsetaWins, true), None);
    assert_eq!(m.merged.get("city"), Some(&json!("Nice")));
    assert_eq!(m.to_outseta.get("city"), Some(&json!("Nice")));
    let m = merge(&base, &o, &g, &policy(Strategy::OutsetaWins, false), None);
    assert_eq!(m.merged.get("city"), None);
    assert_eq!(m.to_ghl.get("city"), Some(&Value::Null));
}

#[test]
fn tags_merge_as_a_set() {
    let base = contact(&[], &["a", "b", "c"], None);
    let o = contact(&[], &["a", "b", "x"], None); // removed c, added x
    let g = contact(&[], &["b", "c", "y"], None); // removed a, added y
    let m = merge(&base, &o, &g, &Policy::default(), None);
    assert_eq!(
        m.merged.tags,
        ["b", "x", "y"].iter().map(|t| t.to_string()).collect()
    );
    assert_eq!(m.tags_add, Tags::from(["x".to_owned()]));
    assert_eq!(m.tags_remove, Tags::from(["c".to_owned()]));
}

#[test]
fn one_way_fields_follow_their_source() {
    let routes = BTreeMap::from([
        ("source".to_owned(), Direction::ToGhl),
        ("timezone".to_owned(), Direction::ToOutseta),
    ]);
    let base = contact(&[], &[], None);
    let o = contact(&[("source", "outseta"), ("timezone", "UTC")], &[], None);
    let g = contact(
        &[("source", "manual"), ("timezone", "Europe/Paris")],
        &[],
        None,
    );
    let m = merge(&base, &o, &g, &Policy::default(), Some(&routes));
    assert_eq!(
        m.to_ghl,
        BTreeMap::from([("source".to_owned(), json!("outseta"))])
    );
    assert_eq!(
        m.to_outseta,
        BTreeMap::from([("timezone".to_owned(), json!("Europe/Paris"))])
    );
}

#[test]
fn policy_parsing() {
    let p = parse_policy(Some(&json!({ "default": "ghlWins", "fields": { "email": { "strategy": "review", "neverErase": false } }, "clockSkewMs": 0, "taskOnReview": true }))).unwrap();
    assert_eq!(
        p.default,
        FieldPolicy {
            strategy: Strategy::GhlWins,
            never_erase: true
        }
    );
    assert_eq!(
        p.for_field("email"),
        FieldPolicy {
            strategy: Strategy::Review,
            never_erase: false
        }
    );
    assert!(p.task_on_review);
    let errs = parse_policy(Some(
        &json!({ "default": "loudestWins", "fields": { "x": 1 }, "clockSkewMs": -1, "y": 0 }),
    ))
    .unwrap_err();
    let paths: Vec<&str> = errs.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "$policy.clockSkewMs",
            "$policy.default",
            "$policy.fields.x",
            "$policy.y"
        ]
    );
    assert!(parse_policy(Some(&json!([]))).is_err());
}

#[test]
fn echo_hash_is_stable_and_sensitive() {
    let a = BTreeMap::from([("email".to_owned(), json!("a@b.co"))]);
    let tags = Tags::from(["x".to_owned()]);
    assert_eq!(
        echo_hash(&a, Some(&tags)),
        echo_hash(&a.clone(), Some(&tags.clone()))
    );
    assert_ne!(echo_hash(&a, Some(&tags)), echo_hash(&a, None));
    assert!(echo_hash(&a, None).starts_with("fnv1a64:"));
}

#[test]
fn an_echo_check_agrees_with_the_hash_text_exactly() {
    let fields = [("email", json!("a@b.co")), ("phone", json!("+1"))];
    let tags = Tags::from(["x".to_owned()]);
    let entries = || fields.iter().map(|(k, v)| (*k, v));
    let hash = echo_hash_sorted(entries(), Some(&tags));
    assert!(echo_hash_is(&hash, entries(), Some(&tags)));
    assert!(!echo_hash_is(&hash, entries(), None::<&Tags>));
    assert!(!echo_hash_is(&hash, entries().take(1), Some(&tags)));
    // Only the exact text counts, as when the strings were compared.
    let hex = &hash["fnv1a64:".len()..];
    for other in [
        format!("fnv1a64:{}", hex.to_uppercase()),
        format!("fnv1a64:+{}", &hex[1..]),
        format!("fnv1a64:{hex}0"),
        format!("fnv1a32:{hex}"),
        hex.to_owned(),
        String::new(),
    ] {
        if other != hash {
            assert!(!echo_hash_is(&other, entries(), Some(&tags)), "{other}");
        }
    }
}

#[test]
fn the_echo_hash_is_fnv_of_the_json_serde_json_writes() {
    // The hash writes its JSON by hand for plain strings; stored hashes were made from
    // serde_json's text, so the two must hash the same bytes for every kind of value.
    let fnv = |bytes: &[u8]| {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let strings = [
        "",
        "plain",
        "García",
        "a\"quote",
        "back\\slash",
        "tab\there",
        "nl\n",
        "\u{1}",
        "\u{7f}del",
        "é\u{1f}",
        "emoji 🙂",
        "/slash",
    ];
    for s in strings {
        let name = format!("customFields.{s}");
        let fields = [
            ("email", json!(s)),
            ("n", json!(1.5)),
            (name.as_str(), json!([s, 2, null, { "k": s }])),
            ("z", json!(true)),
        ];
        let mut sorted = fields.to_vec();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        let entries = || sorted.iter().map(|(k, v)| (*k, v));
        let map: serde_json::Map<String, Value> = sorted
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let tags = Tags::from([s.to_owned(), "x".to_owned()]);
        let with_tags = serde_json::to_vec(&json!({ "f": map, "t": tags })).unwrap();
        let without = serde_json::to_vec(&json!({ "f": map, "t": null })).unwrap();
        assert_eq!(echo_fnv(entries(), Some(&tags)), fnv(&with_tags), "{s:?}");
        assert_eq!(echo_fnv(entries(), None::<&Tags>), fnv(&without), "{s:?}");
    }
    assert_eq!(
        echo_fnv(std::iter::empty(), None::<&Tags>),
        fnv(br#"{"f":{},"t":null}"#)
    );
}

// ---- properties ---------------------------------------------------------------------

const FIELDS: &[&str] = &["email", "firstName", "city", "phone"];
const TAGS: &[&str] = &["a", "b", "c", "d", "e"];

fn arb_contact() -> impl Gen<Value = Contact> {
    (
        proptest::collection::vec(
            proptest::option::of(prop_oneof![Just("x"), Just("y"), Just("z"), Just("")]),
            FIELDS.len(),
        ),
        proptest::sample::subsequence(TAGS, 0..=TAGS.len()),
        proptest::option::of(0_i64..3_600_000),
    )
        .prop_map(|(values, tags, t)| {
            let mut c = Contact::default();
            for (f, v) in FIELDS.iter().zip(values) {
                if let Some(v) = v {
                    c.set(f, json!(v));
                }
            }
            c.tags = tags.into_iter().map(str::to_owned).collect();
            c.updated_at = t.map(|ms| {
                crate::mapping::transform::format_date(
                    1_700_000_000_000 + ms * 1000,
                    crate::mapping::transform::DateFormat::Iso,
                )
                .as_str()
                .unwrap_or_default()
                .to_owned()
            });
            c
        })
}

fn arb_policy() -> impl Gen<Value = Policy> {
    (
        prop_oneof![
            Just(Strategy::OutsetaWins),
            Just(Strategy::GhlWins),
            Just(Strategy::NewestWins),
            Just(Strategy::Review)
        ],
        any::<bool>(),
        0_i64..1_000_000,
    )
        .prop_map(|(s, ne, skew)| Policy {
            clock_skew_ms: skew,
            ..policy(s, ne)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn merging_twice_changes_nothing(base in arb_contact(), o in arb_contact(), g in arb_contact(), p in arb_policy()) {
        let m = merge(&base, &o, &g, &p, None);
        let (o2, g2) = apply(&m, &o, &g);
        let again = merge(&m.merged, &o2, &g2, &p, None);
        prop_assert!(again.to_ghl.is_empty(), "{:?}", again.to_ghl);
        prop_assert!(again.to_outseta.is_empty(), "{:?}", again.to_outseta);
        prop_assert!(again.tags_add.is_empty() && again.tags_remove.is_empty());
        prop_assert_eq!(again.merged.fields, m.merged.fields);
        prop_assert_eq!(again.conflicts.len(), m.conflicts.len());
    }

    #[test]
    fn a_change_on_one_side_only_is_never_lost(base in arb_contact(), o in arb_contact(), g in arb_contact(), p in arb_policy()) {
        let m = merge(&base, &o, &g, &p, None);
        for f in FIELDS {
            let (b, ov, gv) = (base.get(f), o.get(f), g.get(f));
            if ov != b && gv == b { prop_assert_eq!(m.merged.get(f), ov, "{}", f); }
            if gv != b && ov == b { prop_assert_eq!(m.merged.get(f), gv, "{}", f); }
        }
    }

    #[test]
    fn tag_additions_and_removals_from_both_sides_survive(base in arb_contact(), o in arb_contact(), g in arb_contact()) {
        let m = merge(&base, &o, &g, &Policy::default(), None);
        for t in o.tags.iter().chain(&g.tags).filter(|t| !base.tags.contains(t)) {
            prop_assert!(m.merged.tags.contains(t), "addition {} lost", t);
        }
        for t in base.tags.iter().filter(|t| !o.tags.contains(t) || !g.tags.contains(t)) {
            prop_assert!(!m.merged.tags.contains(t), "removal {} lost", t);
        }
    }

    #[test]
    fn after_a_round_trip_both_sides_agree(base in arb_contact(), o in arb_contact(), g in arb_contact(), p in arb_policy()) {
        let m = merge(&base, &o, &g, &p, None);
        let (o2, g2) = apply(&m, &o, &g);
        let held: BTreeSet<&str> = m.conflicts.iter().map(|c| c.field.as_str()).collect();
        for f in FIELDS.iter().filter(|f| !held.contains(**f)) {
            prop_assert_eq!(o2.get(f), g2.get(f), "{}", f);
            prop_assert_eq!(o2.get(f), m.merged.get(f), "{}", f);
        }
        prop_assert_eq!(&g2.tags, &m.merged.tags);
    }

    #[test]
    fn same_inputs_same_result(base in arb_contact(), o in arb_contact(), g in arb_contact(), p in arb_policy()) {
        prop_assert_eq!(merge(&base, &o, &g, &p, None), merge(&base, &o, &g, &p, None));
    }
}

#[test]
fn a_map_read_in_order_finds_what_a_look_up_finds() {
    let map: BTreeMap<String, i32> = [("b", 1), ("d", 2), ("f", 3)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    let mut walk = InOrder::new(&map);
    for key in ["a", "b", "c", "d", "e", "f", "g"] {
        assert_eq!(walk.at(key), map.get(key), "{key}");
    }
    let mut sparse = InOrder::new(&map);
    assert_eq!((sparse.at("c"), sparse.at("f")), (None, Some(&3)));
}
