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
