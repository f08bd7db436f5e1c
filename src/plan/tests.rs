use super::*;
use crate::mapping::{default_spec, parse_context};
use crate::merge::parse_policy;

fn ctx() -> Context {
    parse_context(Some(&json!({
        "ghlCustomFields": [{ "id": "cf1", "fieldKey": "contact.coffee_preference", "dataType": "TEXT" }],
        "locationId": "loc1"
    })))
    .unwrap()
}

fn person() -> Value {
    json!({ "Uid": "u1", "Email": "ann@b.co", "FirstName": "Ann", "LastName": "Lee", "PhoneMobile": "+1 555 010 0100",
            "CoffeePreference": "Latte", "Account": { "AccountStage": 2 }, "Updated": "2026-11-20T10:00:00Z" })
}

fn ghl() -> Value {
    json!({ "id": "g1", "locationId": "loc1", "email": "ann@b.co", "firstName": "Ann", "lastName": "Lee", "phone": "+15550100100",
            "customFields": [{ "id": "cf1", "value": "Latte" }], "tags": ["outseta:trialing", "vip"], "dateUpdated": "2026-11-20T10:00:00.000Z" })
}

fn ops(plan: &PairPlan) -> Vec<&'static str> {
    plan.operations
        .iter()
        .map(|op| match op {
            Operation::CreateContact { .. } => "CreateContact",
            Operation::UpdateContact {
                system: System::Ghl,
                ..
            } => "UpdateContact(ghl)",
            Operation::UpdateContact {
                system: System::Outseta,
                ..
            } => "UpdateContact(outseta)",
            Operation::AddTags { .. } => "AddTags",
            Operation::RemoveTags { .. } => "RemoveTags",
            Operation::CreateNote { .. } => "CreateNote",
            Operation::CreateTask { .. } => "CreateTask",
            Operation::CompleteTask { .. } => "CompleteTask",
            Operation::LinkRecords { .. } => "LinkRecords",
            Operation::CreateCustomField { .. } => "CreateCustomField",
            Operation::Unlink { .. } => "Unlink",
            Operation::DeleteContact { .. } => "DeleteContact",
            Operation::Review { .. } => "Review",
        })
        .collect()
}

#[test]
fn a_new_person_becomes_a_create_and_a_base() {
    let (spec, policy, ctx) = (default_spec(), Policy::default(), ctx());
    let planner = Planner::new(&spec, &policy, &ctx);
    let plan = planner.plan_pair(&person(), &Value::Null, PairState::default());
    assert_eq!(ops(&plan), vec!["CreateContact"]);
    let Operation::CreateContact {
        system,
        payload,
        reason,
        ..
    } = &plan.operations[0]
    else {
        unreachable!()
    };
    assert_eq!(*system, System::Ghl);
    assert_eq!(
        payload["customFields"],
        json!([{ "id": "cf1", "field_value": "Latte" }])
    );
    assert_eq!(payload["tags"], json!(["outseta:trialing"]));
    assert!(reason.contains("u1"));
    assert!(plan.state.base.is_some() && plan.state.echo.ghl.is_some());
    let back = planner.plan_pair(&Value::Null, &ghl(), PairState::default());
    assert_eq!(ops(&back), vec!["CreateContact"]);
}

#[test]
fn first_sync_links_then_an_echo_yields_nothing() {
    let (spec, policy, ctx) = (default_spec(), Policy::default(), ctx());
    let planner = Planner::new(&spec, &policy, &ctx);
    let first = planner.plan_pair(&person(), &ghl(), PairState::default());
    assert_eq!(ops(&first), vec!["LinkRecords"], "{:#?}", first.operations);
    // Outseta moves to "subscribing": GHL gets the stage tags swapped.
    let mut p = person();
    p["Account"]["AccountStage"] = json!(3);
    let second = planner.plan_pair(&p, &ghl(), first.state.clone());
    assert_eq!(
        ops(&second),
        vec!["AddTags", "RemoveTags"],
        "{:#?}",
        second.operations
    );
    // GHL now holds exactly what we wrote: its webhook is our own echo.
    let mut g = ghl();
    g["tags"] = json!(["outseta:subscribing", "vip"]);
    g["dateUpdated"] = json!("2026-11-20T10:05:00.000Z");
    let echo = planner.plan_pair(&p, &g, second.state.clone());
    assert_eq!(ops(&echo), Vec::<&str>::new(), "{:#?}", echo.operations);
}

#[test]
fn changes_flow_both_ways_with_reasons() {
    let (spec, policy, ctx) = (default_spec(), Policy::default(), ctx());
    let planner = Planner::new(&spec, &policy, &ctx);
    let state = planner
        .plan_pair(&person(), &ghl(), PairState::default())
        .state;
    let mut p = person();
    p["FirstName"] = json!("Anne");
    let mut g = ghl();
    g["phone"] = json!("+15550100199");
    g["tags"] = json!(["outseta:trialing", "vip", "webinar"]);
    let plan = planner.plan_pair(&p, &g, state);
    assert_eq!(
        ops(&plan),
        vec!["UpdateContact(ghl)", "UpdateContact(outseta)"],
        "{:#?}",
        plan.operations
    );
    let Operation::UpdateContact {
        changes, reason, ..
    } = &plan.operations[0]
    else {
        unreachable!()
    };
    assert_eq!(
        Value::Object(changes.clone()),
        json!({ "firstName": "Anne" })
    );
    assert!(reason.contains("changed in Outseta only"), "{reason}");
    let Operation::UpdateContact { changes, id, .. } = &plan.operations[1] else {
        unreachable!()
    };
    assert_eq!(
        (id.as_str(), Value::Object(changes.clone())),
        ("u1", json!({ "PhoneMobile": "+15550100199" }))
    );
    assert!(plan.state.base.as_ref().unwrap().tags.contains("webinar"));
}

#[test]
fn an_address_change_sends_the_whole_address_to_outseta() {
    let (spec, policy, ctx) = (default_spec(), Policy::default(), ctx());
    let planner = Planner::new(&spec, &policy, &ctx);
    let mut p = person();
    p["MailingAddress"] =
        json!({ "AddressLine1": "1 Main St", "City": "Paris", "PostalCode": "75001" });
    let mut g = ghl();
    g["address1"] = json!("1 Main St");
    g["city"] = json!("Paris");
    g["postalCode"] = json!("75001");
    let state = planner.plan_pair(&p, &g, PairState::default()).state;
    g["city"] = json!("Lyon");
    let plan = planner.plan_pair(&p, &g, state);
    let Some(Operation::UpdateContact { changes, .. }) = plan.operations.iter().find(|op| {
        matches!(
            op,
            Operation::UpdateContact {
                system: System::Outseta,
                ..
            }
        )
    }) else {
        panic!("no Outseta update: {:#?}", plan.operations)
    };
    assert_eq!(
        Value::Object(changes.clone()),
        json!({ "MailingAddress": { "AddressLine1": "1 Main St", "City": "Lyon", "PostalCode": "75001" } })
    );
}

#[test]
fn conflicts_are_held_for_review_with_note_and_task() {
    let spec = default_spec();
    let policy = parse_policy(Some(
        &json!({ "fields": { "lastName": "review" }, "noteOnReview": true, "taskOnReview": true }),
    ))
    .unwrap();
    let ctx = ctx();
    let planner = Planner::new(&spec, &policy, &ctx);
    let state = planner
        .plan_pair(&person(), &ghl(), PairState::default())
        .state;
    let mut p = person();
    p["LastName"] = json!("Lee-Smith");
    let mut g = ghl();
    g["lastName"] = json!("Smith");
    let plan = planner.plan_pair(&p, &g, state);
    assert_eq!(
        ops(&plan),
        vec!["Review", "CreateNote", "CreateTask"],
        "{:#?}",
        plan.operations
    );
    let Operation::Review { conflict, .. } = &plan.operations[0] else {
        unreachable!()
    };
    assert_eq!(
        (conflict.outseta.clone(), conflict.ghl.clone()),
        (json!("Lee-Smith"), json!("Smith"))
    );
    // Resolved by hand on GHL: the task is completed.
    let mut state = plan.state;
    state.review_task_id = Some("t1".into());
    let mut g = ghl();
    g["lastName"] = json!("Lee-Smith");
    let done = planner.plan_pair(&p, &g, state);
    assert_eq!(ops(&done), vec!["CompleteTask"], "{:#?}", done.operations);
    assert_eq!(done.state.review_task_id, None);
}

#[test]
fn bad_pairs_are_record_errors() {
    let (spec, policy, ctx) = (default_spec(), Policy::default(), ctx());
    let planner = Planner::new(&spec, &policy, &ctx);
    for (o, g) in [
        (Value::Null, Value::Null),
        (json!(5), Value::Null),
        (json!({ "FirstName": "x" }), Value::Null),
        (Value::Null, json!({ "id": "g" })),
    ] {
        let plan = planner.plan_pair(&o, &g, PairState::default());
        assert!(
            plan.error.is_some() && plan.operations.is_empty(),
            "{o} {g}"
        );
    }
    assert!(read_pair(0, &json!({ "state": 3 })).is_err());
    assert!(read_pair(0, &json!([])).is_err());
    let ser =
        serde_json::to_value(planner.plan_pair(&person(), &Value::Null, PairState::default()))
            .unwrap();
    assert_eq!(ser["operations"][0]["op"], json!("CreateContact"));
    assert_eq!(ser["operations"][0]["system"], json!("ghl"));
}

// ---- round trip through the mapping, as a property ----------------------------------

use proptest::prelude::{prop_assert, prop_assert_eq, proptest, ProptestConfig};

/// Runs a plan's writes on the two records, as the executor would.
fn execute(plan: &PairPlan, person: &mut Value, ghl: &mut Value) {
    fn merge_into(target: &mut Value, changes: &Map<String, Value>) {
        for (k, v) in changes {
            match (target.get_mut(k), v) {
                (Some(t @ Value::Object(_)), Value::Object(inner)) => merge_into(t, inner),
                _ => {
                    target[k] = v.clone();
                }
            }
        }
    }
    for op in &plan.operations {
        match op {
            Operation::UpdateContact {
                system: System::Outseta,
                changes,
                ..
            } => merge_into(person, changes),
            Operation::UpdateContact {
                system: System::Ghl,
                changes,
                ..
            } => {
                for (k, v) in changes {
                    if k == "customFields" {
                        let mut current =
                            ghl["customFields"].as_array().cloned().unwrap_or_default();
                        for f in v.as_array().unwrap() {
                            current.retain(|c| c["id"] != f["id"]);
                            current.push(json!({ "id": f["id"], "value": f["field_value"] }));
                        }
                        ghl["customFields"] = Value::Array(current);
                    } else {
                        ghl[k] = v.clone();
                    }
                }
            }
            Operation::AddTags { tags, .. } => {
                let mut t: BTreeSet<String> =
                    serde_json::from_value(ghl["tags"].clone()).unwrap_or_default();
                t.extend(tags.iter().cloned());
                ghl["tags"] = json!(t);
            }
            Operation::RemoveTags { tags, .. } => {
                let mut t: BTreeSet<String> =
                    serde_json::from_value(ghl["tags"].clone()).unwrap_or_default();
                t.retain(|x| !tags.contains(x));
                ghl["tags"] = json!(t);
            }
            _ => {}
        }
    }
}

const NAMES: &[&str] = &["Ann", "Bo", "", "Cy"];
const CITIES: &[&str] = &["Paris", "Lyon", ""];
const PHONES: &[&str] = &["+1 555 010 0100", "(555) 010-0199", ""];
const COFFEE: &[&str] = &["Latte", "Mocha", ""];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Linked once, then edited on both sides in any way: after the Plan's writes land,
    /// both sides map to the same values (held fields aside), and planning again finds
    /// nothing to do.
    #[test]
    fn after_a_sync_round_trip_both_sides_hold_the_same_mapped_values(
        o_edit in proptest::collection::vec(0_usize..4, 5),
        g_edit in proptest::collection::vec(0_usize..4, 5),
        stage in 2_i64..10,
        ghl_newer in proptest::bool::ANY,
    ) {
        let (spec, policy, ctx) = (default_spec(), Policy::default(), ctx());
        let planner = Planner::new(&spec, &policy, &ctx);
        let mut p = person();
        let mut g = ghl();
        let first = planner.plan_pair(&p, &g, PairState::default());
        execute(&first, &mut p, &mut g);
        let mut state = first.state;
        // Edits: index 3 leaves the field alone.
        if o_edit[0] < 3 { p["FirstName"] = json!(NAMES[o_edit[0]]); }
        if o_edit[1] < 3 { p["MailingAddress"] = json!({ "City": CITIES[o_edit[1]] }); }
        if o_edit[2] < 3 { p["PhoneMobile"] = json!(PHONES[o_edit[2]]); }
        if o_edit[3] < 3 { p["CoffeePreference"] = json!(COFFEE[o_edit[3]]); }
        p["Account"] = json!({ "AccountStage": stage });
        if g_edit[0] < 3 { g["firstName"] = json!(NAMES[g_edit[0]]); }
        if g_edit[1] < 3 { g["city"] = json!(CITIES[g_edit[1]]); }
        if g_edit[2] < 3 { g["phone"] = json!(["+15550100100", "+15550100177", ""][g_edit[2]]); }
        if g_edit[3] < 3 { g["customFields"] = json!([{ "id": "cf1", "value": COFFEE[g_edit[3]] }]); }
        if g_edit[4] < 3 { g["tags"] = [json!(["vip"]), json!(["vip", "new"]), json!([])][g_edit[4]].clone(); }
        p["Updated"] = json!(if ghl_newer { "2026-11-21T10:00:00Z" } else { "2026-11-21T12:00:00Z" });
        g["dateUpdated"] = json!("2026-11-21T11:00:00.000Z");

        let plan = planner.plan_pair(&p, &g, state.clone());
        prop_assert!(plan.error.is_none(), "{:?}", plan.error);
        execute(&plan, &mut p, &mut g);
        state = plan.state.clone();
        let held: BTreeSet<String> = plan.operations.iter().filter_map(|op| match op {
            Operation::Review { conflict, .. } => Some(conflict.field.clone()),
            _ => None,
        }).collect();
        let o_now = outseta_to_canonical(&p, &spec, &ctx).unwrap().contact;
        let g_now = mapping::ghl_to_canonical(&g, &ctx).unwrap();
        for (field, direction) in mapping::spec::routes(&spec) {
            if held.contains(&field) || direction != Direction::Both { continue; }
            prop_assert_eq!(o_now.get(&field), g_now.get(&field), "{} after {:#?}", field, plan.operations);
        }
        let coffee = "customFields.contact.coffee_preference";
        prop_assert_eq!(o_now.get(coffee), g_now.get(coffee), "{}", coffee);
        // The writes come back as webhooks: our own echo, nothing more to do.
        let again = planner.plan_pair(&p, &g, state);
        let writes: Vec<&Operation> = again.operations.iter().filter(|op| !matches!(op, Operation::Review { .. })).collect();
        prop_assert!(writes.is_empty(), "{:#?}", writes);
    }
}

/// Any JSON at all, biased toward the keys the mapping and the Plan read.
fn arb_json() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let key = prop_oneof![
        Just("Email".to_owned()),
        Just("PhoneMobile".to_owned()),
        Just("MailingAddress".to_owned()),
        Just("Account".to_owned()),
        Just("AccountStage".to_owned()),
        Just("City".to_owned()),
        Just("email".to_owned()),
        Just("phone".to_owned()),
        Just("tags".to_owned()),
        Just("customFields".to_owned()),
        Just("id".to_owned()),
        Just("value".to_owned()),
        Just("fields".to_owned()),
        Just("base".to_owned()),
        Just("echo".to_owned()),
        Just("Updated".to_owned()),
        Just("dateUpdated".to_owned()),
        "[a-zA-Z]{1,6}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::from),
        Just(json!("+1 555 010 0100")),
        Just(json!("2026-11-20T10:00:00Z")),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Records, GHL contacts and states of any shape: errors, never a panic.
    #[test]
    fn any_input_is_planned_or_refused_never_a_panic(o in arb_json(), g in arb_json(), s in arb_json()) {
        let (spec, policy, ctx) = (default_spec(), Policy::default(), ctx());
        let planner = Planner::new(&spec, &policy, &ctx);
        let input = json!({ "pairs": [{ "outseta": o, "ghl": g, "state": s }, { "outseta": person(), "ghl": ghl(), "state": s }] });
        let plans = plan_sync(&input).unwrap();
        prop_assert_eq!(plans.len(), 2);
        // The text path reads pairs its own way; it must plan (and refuse) the same.
        let text = plan_sync_json(&input.to_string()).unwrap();
        prop_assert_eq!(text, to_ascii_json(&plans).unwrap());
        let _ = planner.plan_pair(&o, &Value::Null, PairState::default());
        let _ = mapping::preview(std::slice::from_ref(&g), &spec, &ctx, Direction::ToOutseta);
        let _ = mapping::validate(&o, Some(&g));
        let _ = crate::merge::parse_policy(Some(&s));
    }
}

/// `plan_sync_json` against `plan_sync` on the same text: same Plans, same refusals,
/// whether the fast path reads the batch or hands it over.
#[test]
fn the_text_path_plans_exactly_as_the_value_path() {
    let linked = plan_sync(&json!({ "pairs": [{ "outseta": person(), "ghl": ghl() }] })).unwrap();
    let state = serde_json::to_value(&linked[0].state).unwrap();
    let mut edited = person();
    edited["FirstName"] = json!("Anna");
    let texts = [
        json!({ "context": { "locationId": "loc1" }, "pairs": [
            { "outseta": person(), "ghl": ghl() },
            { "outseta": edited, "ghl": ghl(), "state": state },
            { "outseta": person(), "state": null },
            { "ghl": ghl(), "outseta": null },
            {},
            "not a pair",
            { "outseta": person(), "ghl": ghl(), "state": { "base": 3 } },
            { "outseta": person(), "ghl": ghl(), "state": [] },
        ], "policy": null, "spec": null })
        .to_string(),
        // A key given twice: the last one counts, as in a parsed value.
        r#"{"pairs":[{"outseta":null,"outseta":{"Uid":"u9","Email":"z@b.co"}}],"pairs":[{"ghl":{"id":"g9","email":"y@b.co"}}]}"#.to_owned(),
        r#"{"pairs":[{"ghl":{"id":"g9","email":"y@b.co"},"state":{"echo":{},"echo":{"ghl":"x"}}}]}"#.to_owned(),
        // A GHL contact read key by key: the last of a key given twice counts, whatever
        // its type; a key it does not read is still checked as JSON.
        r#"{"context":{"ghlCustomFields":[{"id":"cf1","fieldKey":"contact.coffee_preference","dataType":"TEXT"}]},"pairs":[{"outseta":{"Uid":"u9","Email":"y@b.co","CoffeePreference":"Tea"},"ghl":{"id":"g9","id":7,"email":"y@b.co","firstName":"Ann","firstName":5,"tags":["a"," b "],"tags":3,"customFields":[{"id":"cf1","value":"Latte"}],"customFields":[{"id":"cf1","field_value":"Mocha"},{"id":"cf2","value":null},"x"]},"state":{"base":{"fields":{"firstName":"Ann"},"tags":["a"]}}},{"ghl":{"id":"g8","email":"z@b.co","tags":[" c ",""],"customFields":[{"id":"cf1","value":"Latte"}]}}]}"#.to_owned(),
        r#"{"pairs":[{"ghl":{"id":"g9","email":"y@b.co","notRead":1e400}}]}"#.to_owned(),
        r#"{"pairs":[{"ghl":["not","a","contact"]},{"ghl":"g1"}]}"#.to_owned(),
        r#"{"pairs":{}}"#.to_owned(),
        r#"{"pairs":[],"policy":{"default":"nope"}}"#.to_owned(),
        r#"[]"#.to_owned(),
    ];
    for text in &texts {
        let Ok(input) = serde_json::from_str::<Value>(text) else {
            assert!(
                matches!(plan_sync_json(text), Err(PlanJsonError::Unreadable(_))),
                "{text}"
            );
            continue;
        };
        let fast = plan_sync_json(text);
        match plan_sync(&input) {
            Ok(plans) => assert_eq!(fast.unwrap(), to_ascii_json(&plans).unwrap(), "{text}"),
            Err(e) => match fast {
                Err(PlanJsonError::Batch(f)) => assert_eq!(f.to_json(), e.to_json(), "{text}"),
                other => panic!("{text}: {other:?}"),
            },
        }
    }
    assert!(matches!(
        plan_sync_json("{\"pairs\": ["),
        Err(PlanJsonError::Unreadable(_))
    ));
}

/// A float reads as the double nearest its text, as `JSON.parse` reads it: the text path
/// holds the same number as the objects path (the case a proptest found: a state's field
/// one bit off), and a number written out reads back as itself.
#[test]
fn the_text_path_reads_floats_exactly() {
    for f in [
        -1.5641775100564835e-111,
        0.1,
        1.0 / 3.0,
        2.2250738585072014e-308,
        5e-324,
        1.7976931348623157e308,
    ] {
        let read: Value = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        assert_eq!(read.as_f64(), Some(f), "{f:e}");
    }
    let state = json!([{ "fields": { "Email": -1.5641775100564835e-111 } }]);
    let input = json!({ "pairs": [{ "outseta": person(), "ghl": ghl(), "state": state }] });
    let text = plan_sync_json(&input.to_string()).unwrap();
    assert_eq!(text, to_ascii_json(&plan_sync(&input).unwrap()).unwrap());
}

/// `planSyncJson` writes non-ASCII characters as `\u` escapes (surrogate pairs beyond
/// the BMP): all-ASCII text that reads back as exactly the Plans `plan_sync` makes.
#[test]
fn the_text_path_writes_ascii_that_reads_back_the_same() {
    let mut p = person();
    p["FirstName"] = json!("Zoë \u{1F600} \u{0} \u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}");
    p["LastName"] = json!("García-Ñúñez \\ \" \n");
    let input = json!({ "pairs": [{ "outseta": p, "ghl": ghl() }, { "outseta": p }] });
    let text = plan_sync_json(&input.to_string()).unwrap();
    assert!(text.is_ascii(), "{text}");
    // U+007F is ASCII: JSON leaves it as it is.
    let escaped = "Zo\\u00eb \\ud83d\\ude00 \\u0000 \x7f\\u0080\\u07ff\\u0800\\uffff\\ud800\\udc00";
    assert!(text.contains(escaped), "{text}");
    let plans = plan_sync(&input).unwrap();
    let read: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(read, serde_json::to_value(&plans).unwrap());
}

/// The text path reads the person as a `Lean` tree, the objects path as a `Value`:
/// persons that stress the reading (escapes, duplicate keys, numbers of each kind,
/// nested paths, lists, wrong shapes) must plan the same, errors included.
#[test]
fn a_lean_person_plans_exactly_as_a_value_person() {
    let spec = r#"{"version":1,"autoCustomFields":true,"fields":[
        {"outseta":"Email","ghl":"email","transforms":["trim","lowercase"]},
        {"outseta":["FirstName","Nickname"],"ghl":"firstName"},
        {"outseta":"LastName","ghl":"lastName","direction":"toGhl","transforms":[{"template":"{LastName} {MailingAddress.City}"}]},
        {"outseta":"PersonAccount.0.Account.Uid","ghl":"companyName"},
        {"outseta":"MailingAddress.City","ghl":"city"},
        {"outseta":"Score","ghl":"website"}],
      "tags":[
        {"when":{"field":"Account.AccountStage","equals":2},"add":["Trial"]},
        {"when":{"field":"Account.AccountStage","in":[3,4.0]},"add":["Paying"]},
        {"when":{"field":"Big","equals":18446744073709551615},"add":["big"]},
        {"when":{"field":"Neg","equals":-5},"add":["neg"]},
        {"when":{"field":"Zero","equals":0},"add":["zero"]},
        {"when":{"field":"PersonAccount.0.Account.Uid","exists":true},"add":["acct"]},
        {"when":{"not":{"field":"HasUnsubscribed","equals":true}},"add":["subscribed"]}]}"#;
    let context = r#"{"locationId":"loc1","ghlCustomFields":[
        {"id":"cf1","fieldKey":"contact.coffee_preference","dataType":"TEXT"},
        {"id":"cf2","fieldKey":"contact.big","dataType":"NUMERICAL"}]}"#;
    let persons = [
        // Escapes in keys and strings, so some strings are copied and some borrowed.
        r#"{"Uid":"u\"1","Email":" Ann\u0040B.co ","Nick\u006eame":"An\tn","LastName":"L\u00e9e","MailingAddress":{"City":"Z\u00fcrich"},"Coffee\u0050reference":"Latte"}"#,
        // Duplicate keys at the top and nested: the last counts, whatever its type.
        r#"{"Uid":"u2","Uid":"u2b","Email":"a@b.co","Email":" c@d.co","FirstName":5,"FirstName":"Al","Account":{"AccountStage":9},"Account":{"AccountStage":2,"AccountStage":3},"CoffeePreference":"Tea","CoffeePreference":""}"#,
        // Numbers: u64 beyond i64, negative, -0, floats; -0 equals 0.
        r#"{"Uid":"u3","Email":"n@b.co","Big":18446744073709551615,"Neg":-5,"Zero":-0,"Score":1.5e3,"Account":{"AccountStage":4.0},"HasUnsubscribed":true}"#,
        r#"{"Uid":"u4","Email":"n@b.co","Zero":-0.0,"Score":-0,"Big":1e300}"#,
        // Nested arrays and lists.
        r#"{"Uid":"u5","Email":"p@b.co","PersonAccount":[{"Account":{"Uid":"acc1","Name":"Co"}},{"Account":{"Uid":"acc2"}}],"EmailListPerson":[{"EmailList":{"Name":"News"},"EmailListSubscriberStatus":1},{"EmailList":{"Name":"Old"},"EmailListSubscriberStatus":2}]}"#,
        r#"{"Uid":"u6","Email":"p@b.co","PersonAccount":{"0":{"Account":{"Uid":"keyed"}}},"MailingAddress":"not an object"}"#,
        r#"{"Uid":"u7","Email":"p@b.co","PersonAccount":[],"MailingAddress":{"City":7}}"#,
        // Wrong types where the spec wants strings: field errors.
        r#"{"Uid":7,"Email":["x"],"LastName":{"a":1},"PersonAccount":[{"Account":{"Uid":true}}]}"#,
        // No identity, non-objects, null.
        r#"{"Uid":"u8"}"#,
        r#"[{"Email":"a@b.co"}]"#,
        r#""a string""#,
        "12",
        "true",
        "null",
        "{}",
        // Out of range and bad numbers: the whole batch is refused the same way.
        r#"{"Uid":"u9","Email":"a@b.co","Score":1e400}"#,
        r#"{"Uid":"u9","Email":"a@b.co","Score":-}"#,
    ];
    for person in persons {
        for with_ghl in [false, true] {
            let ghl = if with_ghl {
                r#","ghl":{"id":"g1","email":"a@b.co","firstName":"Zed","tags":["trial","news-old"]}"#
            } else {
                ""
            };
            let text = format!(
                r#"{{"spec":{spec},"context":{context},"pairs":[{{"outseta":{person}{ghl}}}]}}"#
            );
            let Ok(input) = serde_json::from_str::<Value>(&text) else {
                assert!(
                    matches!(plan_sync_json(&text), Err(PlanJsonError::Unreadable(_))),
                    "{text}"
                );
                continue;
            };
            let fast = plan_sync_json(&text);
            // The spec and context are good: only pairs can fail here.
            match plan_sync(&input) {
                Ok(plans) => {
                    assert_eq!(fast.unwrap(), to_ascii_json(&plans).unwrap(), "{text}")
                }
                Err(e) => panic!("{text}: {e:?}"),
            }
        }
        // Email lists are read only with a list tag prefix, which a batch cannot set.
        let (Ok(value), Ok(lean)) = (
            serde_json::from_str::<Value>(person),
            serde_json::from_str::<Lean>(person),
        ) else {
            continue;
        };
        let ctx = parse_context(Some(&serde_json::from_str(context).unwrap())).unwrap();
        let spec = mapping::parse(&serde_json::from_str(spec).unwrap(), &ctx).unwrap();
        let policy = parse_policy(None).unwrap();
        let mut planner = Planner::new(&spec, &policy, &ctx);
        planner.list_tag_prefix = Some("News-".to_owned());
        let contact = json!({ "id": "g1", "email": "a@b.co", "tags": ["news-old", "news-gone"] });
        for ghl in [Value::Null, contact] {
            let read = || match &ghl {
                Value::Null => Ok(None),
                c => mapping::ghl_to_canonical_keyed(c, &planner.keys_by_id).map(Some),
            };
            let plan = |r: Result<PairPlan, MappingError>| {
                serde_json::to_string(&r.map_err(|e| e.to_json()).unwrap_or_else(|e| PairPlan {
                    error: Some(e),
                    ..PairPlan::default()
                }))
                .unwrap()
            };
            assert_eq!(
                plan(planner.try_plan(&lean, read, PairState::default())),
                plan(planner.try_plan(&value, read, PairState::default())),
                "{person}"
            );
        }
    }
}

/// The two systems for the no-loss property: an Outseta person and a GHL contact that
/// hold only what each can (GHL keeps custom fields the location defines; Outseta keeps
/// properties it has), written only through the Plan's operations.
struct TwoSides {
    person: Value,
    contact: Value,
    ghl_defined: BTreeSet<&'static str>,
    outseta_props: BTreeSet<&'static str>,
}

/// Canonical field -> (Outseta key, GHL custom field id / standard key).
const NO_LOSS_FIELDS: [(&str, &str, &str); 3] = [
    ("firstName", "FirstName", "firstName"),
    ("customFields.contact.plan", "Plan", "cf_plan"),
    ("customFields.contact.tier", "Tier", "cf_tier"),
];

impl TwoSides {
    fn outseta(&self, key: &str) -> Value {
        self.person.get(key).cloned().unwrap_or(Value::Null)
    }
    fn ghl(&self, key: &str) -> Value {
        if key.starts_with("cf_") {
            self.contact["customFields"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|f| f["id"] == key)
                .map_or(Value::Null, |f| f["value"].clone())
        } else {
            self.contact.get(key).cloned().unwrap_or(Value::Null)
        }
    }
    fn set_ghl(&mut self, key: &str, value: Value) {
        if key.starts_with("cf_") {
            if !self.ghl_defined.contains(key) {
                return; // GHL does not keep a field the location has no definition for.
            }
            let mut fields = self.contact["customFields"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            fields.retain(|f| f["id"] != key);
            fields.push(json!({ "id": key, "value": value }));
            self.contact["customFields"] = Value::Array(fields);
        } else {
            self.contact[key] = value;
        }
    }
    fn context(&self) -> Context {
        let defs: Vec<Value> = [("cf_plan", "contact.plan"), ("cf_tier", "contact.tier")]
            .iter()
            .filter(|(id, _)| self.ghl_defined.contains(id))
            .map(|(id, key)| json!({ "id": id, "fieldKey": key, "dataType": "TEXT" }))
            .collect();
        let props: Vec<&str> = self.outseta_props.iter().copied().collect();
        parse_context(Some(
            &json!({ "ghlCustomFields": defs, "outsetaProperties": props, "locationId": "loc1" }),
        ))
        .unwrap()
    }
    fn apply(&mut self, plan: &PairPlan) {
        for op in &plan.operations {
            match op {
                Operation::UpdateContact {
                    system: System::Outseta,
                    changes,
                    ..
                } => {
                    for (k, v) in changes {
                        let known = crate::mapping::spec::outseta_field(k).is_some()
                            || self.outseta_props.contains(k.as_str());
                        if known {
                            self.person[k] = v.clone();
                        }
                    }
                }
                Operation::UpdateContact {
                    system: System::Ghl,
                    changes,
                    ..
                } => {
                    for (k, v) in changes {
                        if k == "customFields" {
                            for f in v.as_array().unwrap() {
                                let id = f["id"].as_str().unwrap().to_owned();
                                let id: &'static str = if id == "cf_plan" {
                                    "cf_plan"
                                } else {
                                    "cf_tier"
                                };
                                self.set_ghl(id, f["field_value"].clone());
                            }
                        } else {
                            self.set_ghl(k, v.clone());
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// For random mappings with custom fields (each way or both), definitions that
    /// appear on either side between syncs, and random edits on both sides, no sync
    /// ever clears a field a side holds unless a user cleared that field (on the other
    /// side) since the last sync: a value one side never held, could not hold, or could
    /// not read is never taken for a deletion.
    #[test]
    fn no_field_a_side_holds_is_cleared_unless_a_user_cleared_it(
        directions in proptest::collection::vec(0_usize..3, 3),
        strategy in 0_usize..4,
        never_erase in proptest::bool::ANY,
        rounds in proptest::collection::vec(
            (proptest::collection::vec(0_usize..5, 3), proptest::collection::vec(0_usize..5, 3), 0_usize..5),
            1..6,
        ),
    ) {
        const VALUES: [&str; 3] = ["Pro", "Basic", "Team"];
        let dirs = ["both", "toGhl", "toOutseta"];
        let mut fields = vec![json!({ "outseta": "Email", "ghl": "email" })];
        for (i, (canonical, outseta, _)) in NO_LOSS_FIELDS.iter().enumerate() {
            fields.push(json!({ "outseta": outseta, "ghl": canonical, "direction": dirs[directions[i]] }));
        }
        let spec_json = json!({ "version": 1, "fields": fields });
        let strategy = ["outsetaWins", "ghlWins", "newestWins", "review"][strategy];
        let policy_json = json!({ "default": { "strategy": strategy, "neverErase": never_erase } });
        let policy = parse_policy(Some(&policy_json)).unwrap();
        let mut sides = TwoSides {
            person: json!({ "Uid": "u1", "Email": "ann@b.co", "FirstName": "Ann", "Plan": "Pro", "Tier": "Gold", "Updated": "2026-11-20T10:00:00Z" }),
            contact: json!({ "id": "g1", "email": "ann@b.co", "firstName": "Ann", "customFields": [], "dateUpdated": "2026-11-20T10:00:00.000Z" }),
            ghl_defined: BTreeSet::new(),
            outseta_props: BTreeSet::from(["Plan"]),
        };
        let mut state = PairState::default();
        // A user's clear stands until that side holds a value again: a clear held for
        // review (both sides changed) still counts when a later sync carries it over.
        let mut cleared: BTreeSet<(&str, &str)> = BTreeSet::new();
        for (round, (o_edits, g_edits, appear)) in rounds.iter().enumerate() {
            // Definitions appear between syncs (never disappear: a deleted definition
            // takes its values with it, which is not a sync's doing).
            match appear {
                0 => { sides.ghl_defined.insert("cf_plan"); }
                1 => { sides.ghl_defined.insert("cf_tier"); }
                2 => { sides.outseta_props.insert("Tier"); }
                _ => {}
            }
            // Users edit: 0..3 set a value, 3 clears, 4 leaves the field alone.
            let minute = format!("2026-11-21T10:{:02}:00", round * 2 + 1);
            for (i, (canonical, outseta, ghl)) in NO_LOSS_FIELDS.iter().enumerate() {
                match o_edits[i] {
                    3 => {
                        sides.person[*outseta] = json!("");
                        cleared.insert(("outseta", canonical));
                    }
                    v @ 0..=2 => sides.person[*outseta] = json!(VALUES[v]),
                    _ => {}
                }
                match g_edits[i] {
                    3 => {
                        sides.set_ghl(ghl, json!(""));
                        cleared.insert(("ghl", canonical));
                    }
                    v @ 0..=2 => sides.set_ghl(ghl, json!(VALUES[v])),
                    _ => {}
                }
            }
            sides.person["Updated"] = json!(format!("{minute}Z"));
            sides.contact["dateUpdated"] = json!(format!("{minute}.500Z"));
            let held_before: Vec<(usize, Value, Value)> = NO_LOSS_FIELDS
                .iter()
                .enumerate()
                .map(|(i, (_, o, g))| (i, sides.outseta(o), sides.ghl(g)))
                .collect();
            let ctx = sides.context();
            // Parsed as the engine parses it: before (and whatever) the definitions it reads.
            let spec = crate::mapping::parse(&spec_json, &Context::default()).unwrap();
            let planner = Planner::new(&spec, &policy, &ctx);
            let plan = planner.plan_pair(&sides.person, &sides.contact, state.clone());
            prop_assert!(plan.error.is_none(), "{:?}", plan.error);
            sides.apply(&plan);
            for (i, o_before, g_before) in held_before {
                let (canonical, outseta, ghl) = NO_LOSS_FIELDS[i];
                let (o_after, g_after) = (sides.outseta(outseta), sides.ghl(ghl));
                if !is_empty(&o_before) && is_empty(&o_after) {
                    prop_assert!(cleared.contains(&("ghl", canonical)),
                        "round {round}: Outseta's {canonical} {o_before} was cleared though no user cleared it; plan {:?}", plan.operations);
                }
                if !is_empty(&g_before) && is_empty(&g_after) {
                    prop_assert!(cleared.contains(&("outseta", canonical)),
                        "round {round}: GHL's {canonical} {g_before} was cleared though no user cleared it; plan {:?}", plan.operations);
                }
            }
            for (canonical, outseta, ghl) in NO_LOSS_FIELDS {
                if !is_empty(&sides.outseta(outseta)) {
                    cleared.remove(&("outseta", canonical));
                }
                if !is_empty(&sides.ghl(ghl)) {
                    cleared.remove(&("ghl", canonical));
                }
            }
            state = plan.state;
        }
    }
}

#[test]
fn a_person_whose_only_phones_are_unreadable_is_refused_by_name() {
    let (spec, policy, ctx) = (default_spec(), Policy::default(), ctx());
    let planner = Planner::new(&spec, &policy, &ctx);
    let person = json!({ "Uid": "u7", "FirstName": "Ann", "PhoneMobile": "+1 555 0100 12345", "PhoneWork": "call me" });
    let plan = planner.plan_pair(&person, &Value::Null, PairState::default());
    assert!(plan.operations.is_empty());
    let error = plan.error.unwrap();
    assert_eq!(error["code"], json!("MAPPING_NO_IDENTITY"));
    assert_eq!(
        error["message"],
        json!("the person has no email, and no phone could be read: PhoneMobile \"+1 555 0100 12345\" (not a possible number for its country), PhoneWork \"call me\" (not a phone number)")
    );
    assert_eq!(
        error["details"]["unreadable"],
        json!([
            { "field": "phone", "path": "$.PhoneMobile", "value": "+1 555 0100 12345", "reason": "not a possible number for its country" },
            { "field": "phone", "path": "$.PhoneWork", "value": "call me", "reason": "not a phone number" }
        ])
    );
    // A valid work phone behind the unreadable mobile is enough to create the contact.
    let person =
        json!({ "Uid": "u8", "PhoneMobile": "+1 555 0100 12345", "PhoneWork": "555.010.2030" });
    let plan = planner.plan_pair(&person, &Value::Null, PairState::default());
    assert_eq!(plan.error, None);
    assert!(plan.errors.is_empty());
    let Operation::CreateContact { payload, .. } = &plan.operations[0] else {
        unreachable!()
    };
    assert_eq!(payload["phone"], json!("+15550102030"));
}

#[test]
fn explain_says_what_happens_to_each_field_the_records_hold_differently() {
    let input = |explain: bool| {
        json!({ "explain": explain, "policy": { "default": "outsetaWins", "fields": { "lastName": "review" } }, "pairs": [{
            "outseta": { "Uid": "u1", "Email": "ann@b.co", "FirstName": "Ann", "LastName": "Lee" },
            "ghl": { "id": "g1", "email": "ann@b.co", "firstName": "Anne", "lastName": "Leigh" },
        }] })
    };
    let plans = plan_sync(&input(true)).unwrap();
    let outcomes: Vec<(&str, &str)> = plans[0]
        .fields
        .iter()
        .map(|f| (f.field.as_str(), f.outcome))
        .collect();
    assert_eq!(outcomes, vec![("firstName", "toGhl"), ("lastName", "held")]);
    assert_eq!(plans[0].fields[0].outseta, json!("Ann"));
    assert_eq!(plans[0].fields[0].ghl, json!("Anne"));
    assert!(!plans[0].fields[1].reason.is_empty());
    // The text path plans the same; without `explain` there is no `fields` at all.
    let text = plan_sync_json(&input(true).to_string()).unwrap();
    assert_eq!(text, to_ascii_json(&plans).unwrap());
    assert!(plan_sync(&input(false)).unwrap()[0].fields.is_empty());
}
