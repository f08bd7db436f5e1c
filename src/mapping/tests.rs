use super::*;
use serde_json::json;

fn spec(v: Value) -> Spec {
    parse(&v, &Context::default()).unwrap()
}

fn ctx() -> Context {
    parse_context(Some(&json!({
        "ghlCustomFields": [
            { "id": "cf1", "fieldKey": "contact.coffee_preference", "dataType": "TEXT" },
            { "id": "cf2", "fieldKey": "contact.plan", "dataType": "SINGLE_OPTIONS" },
            { "id": "cf3", "fieldKey": "contact.seats", "dataType": "NUMERICAL" }
        ],
        "locationId": "loc1",
        "now": "2026-11-27T00:00:00Z"
    })))
    .unwrap()
}

fn problems(v: Value, ctx: &Context) -> Vec<(String, &'static str)> {
    match parse(&v, ctx) {
        Ok(_) => Vec::new(),
        Err(ps) => ps.into_iter().map(|p| (p.path, p.code)).collect(),
    }
}

#[test]
fn the_default_spec_is_valid_against_a_full_context() {
    let v: Value = serde_json::from_str(DEFAULT_SPEC_JSON).unwrap();
    assert_eq!(problems(v.clone(), &Context::default()), vec![]);
    assert_eq!(problems(v, &ctx()), vec![]);
    assert!(!default_spec().fields.is_empty());
}

#[test]
fn maps_email_names_and_phone_with_the_default_spec() {
    let got = map_person_to_ghl(&json!({
        "Uid": "DQ2DyknW", "Email": "  Jane.Doe@Example.COM ", "FirstName": " Jane",
        "LastName": "Doe ", "PhoneMobile": "+1 555 010 2030", "PhoneWork": "+1 555 999 0000",
        "CoffeePreference": "Latte"
    }));
    assert_eq!(
        got.map(Value::Object),
        Ok(
            json!({ "email": "jane.doe@example.com", "firstName": "Jane", "lastName": "Doe", "phone": "+15550102030" })
        )
    );
}

#[test]
fn empty_mobile_falls_back_to_work_phone_and_blanks_are_left_out() {
    let got = map_person_to_ghl(
        &json!({ "PhoneMobile": "", "PhoneWork": " (555) 010-0100 ", "FirstName": null, "LastName": "  " }),
    );
    assert_eq!(
        got.map(Value::Object),
        Ok(json!({ "phone": "+15550100100" }))
    );
}

#[test]
fn wrong_type_names_the_path_and_no_identity_is_refused() {
    let err = map_person_to_ghl(&json!({ "Email": "a@b.co", "FirstName": 42 })).unwrap_err();
    assert_eq!(err.code(), "INPUT_INVALID");
    assert_eq!(
        err.details(),
        json!({ "path": "$.FirstName", "expected": "string", "found": "number" })
    );
    let err = map_person_to_ghl(&json!(["Email"])).unwrap_err();
    assert_eq!(
        err.details(),
        json!({ "path": "$", "expected": "object", "found": "array" })
    );
    let err = map_person_to_ghl(&json!({ "Uid": "x1", "FirstName": "Ann" })).unwrap_err();
    assert_eq!(err.code(), "MAPPING_NO_IDENTITY");
    assert_eq!(err.details()["uid"], json!("x1"));
}

#[test]
fn one_failing_transform_is_a_field_error_not_a_failed_record() {
    let (payload, errors) = preview_to_ghl(
        &json!({ "Email": "a@b.co", "PhoneMobile": "call me maybe", "FirstName": "Ann" }),
        &default_spec(),
        &Context::default(),
    )
    .unwrap();
    assert_eq!(
        Value::Object(payload),
        json!({ "email": "a@b.co", "firstName": "Ann" })
    );
    assert_eq!(errors.len(), 1);
    assert_eq!(
        (errors[0].field.as_str(), errors[0].code),
        ("phone", "TRANSFORM_FAILED")
    );
}

#[test]
fn custom_fields_tags_and_status_with_definitions() {
    let person = json!({
        "Uid": "u1", "Email": "a@b.co", "CoffeePreference": "Latte", "Unmapped": "x",
        "Account": { "AccountStage": 3 }, "HasUnsubscribed": true,
        "MailingAddress": { "City": " Paris ", "PostalCode": "75001" }
    });
    let (payload, errors) = preview_to_ghl(&person, &default_spec(), &ctx()).unwrap();
    assert_eq!(errors, vec![]);
    assert_eq!(
        Value::Object(payload),
        json!({
            "email": "a@b.co", "city": "Paris", "postalCode": "75001",
            "customFields": [{ "id": "cf1", "field_value": "Latte" }],
            "tags": ["outseta:subscribing", "outseta:unsubscribed"],
            "locationId": "loc1"
        })
    );
    // Without definitions a custom field cannot be resolved to an id: it is left out.
    let (payload, _) = preview_to_ghl(&person, &default_spec(), &Context::default()).unwrap();
    assert!(payload.get("customFields").is_none());
}

#[test]
fn every_transform_kind_through_a_spec() {
    let s = spec(json!({
        "version": 1,
        "fields": [
            { "outseta": "FullName", "ghl": "firstName", "direction": "toGhl", "transforms": [{ "splitName": "first" }, "titlecase"] },
            { "outseta": "FullName", "ghl": "lastName", "direction": "toGhl", "transforms": [{ "splitName": "last" }, "uppercase"] },
            { "outseta": ["FirstName", "LastName"], "ghl": "name", "direction": "toGhl", "transforms": ["joinName"] },
            { "outseta": "Created", "ghl": "dateOfBirth", "transforms": [{ "date": { "to": "YYYY-MM-DD" } }] },
            { "outseta": "Account.AccountStage", "ghl": "customFields.contact.plan", "direction": "toGhl",
              "transforms": [{ "map": { "values": { "2": "Trial", "3": "Paid" }, "default": "Other" } }] },
            { "ghl": "source", "direction": "toGhl", "transforms": [{ "const": "outseta" }] },
            { "ghl": "companyName", "direction": "toGhl", "transforms": [{ "template": "{FirstName}'s company" }] },
            { "outseta": "Timezone", "ghl": "timezone", "transforms": [{ "defaultIfEmpty": "UTC" }] },
            { "outseta": "Email", "ghl": "email", "transforms": ["trim", "lowercase"] }
        ]
    }));
    let person = json!({ "FullName": "mary ann lee", "FirstName": "Mary", "LastName": "Lee", "Email": "M@X.CO",
        "Created": "2021-01-24T23:03:35.2226324Z", "Account": { "AccountStage": 9 } });
    let (payload, errors) = preview_to_ghl(&person, &s, &ctx()).unwrap();
    assert_eq!(errors, vec![]);
    assert_eq!(
        Value::Object(payload),
        json!({
            "companyName": "Mary's company", "customFields": [{ "id": "cf2", "field_value": "Other" }],
            "dateOfBirth": "2021-01-24", "email": "m@x.co", "firstName": "Mary", "lastName": "ANN LEE",
            "locationId": "loc1", "name": "Mary Lee", "source": "outseta", "timezone": "UTC"
        })
    );
}

#[test]
fn validation_reports_every_problem_with_a_path() {
    let got = problems(
        json!({
            "version": 2,
            "bogus": 1,
            "fields": [
                { "outseta": "Email", "ghl": "emial" },
                { "outseta": "email", "ghl": "firstName" },
                { "outseta": "Email", "ghl": "email", "transforms": ["reverse"] },
                { "outseta": "HasUnsubscribed", "ghl": "lastName", "transforms": ["trim"] },
                { "outseta": "Email", "ghl": "customFields.contact.nope" },
                { "outseta": "FirstName", "ghl": "phone" },
                { "outseta": "LastName", "ghl": "phone" },
                { "outseta": "FullName", "ghl": "name", "transforms": [{ "splitName": "first" }] },
                { "outseta": "Email", "ghl": "dnd" },
                "not a rule"
            ],
            "tags": [{ "when": { "field": "Nope.Deep", "equals": 1 }, "add": ["x"] }, { "when": {}, "add": [] }]
        }),
        &ctx(),
    );
    let expect: Vec<(&str, &str)> = vec![
        ("$.bogus", "UNKNOWN_PROPERTY"),
        ("$.version", "UNSUPPORTED_VERSION"),
        ("$.fields[2].transforms[0]", "UNKNOWN_TRANSFORM"),
        ("$.fields[7].transforms[0]", "TRANSFORM_NOT_REVERSIBLE"),
        ("$.fields[9]", "TYPE_MISMATCH"),
        ("$.tags[0].when.field", "UNKNOWN_FIELD"),
        ("$.tags[1].when.field", "MISSING"),
        ("$.tags[1]", "MISSING"),
        ("$.fields[0].ghl", "UNKNOWN_FIELD"),
        ("$.fields[1].outseta", "UNKNOWN_FIELD"),
        ("$.fields[3].transforms[0]", "TRANSFORM_NOT_APPLICABLE"),
        ("$.fields[4].ghl", "CUSTOM_FIELD_UNKNOWN"),
        ("$.fields[4].outseta", "MAPPED_TWICE"),
        ("$.fields[6].ghl", "MAPPED_TWICE"),
        ("$.fields[7].ghl", "TYPE_MISMATCH"),
        ("$.fields[8].ghl", "TYPE_MISMATCH"),
    ];
    let got: Vec<(&str, &str)> = got.iter().map(|(p, c)| (p.as_str(), *c)).collect();
    for e in &expect[..8] {
        assert!(got.contains(e), "missing {e:?} in {got:#?}");
    }
    // The parse-level problems stop rules 7 and 9 from reaching the checks; the others
    // are found together with them.
    let checks = problems(
        json!({ "version": 1, "fields": [
            { "outseta": "Email", "ghl": "emial" },
            { "outseta": "email", "ghl": "firstName" },
            { "outseta": "Email", "ghl": "email" },
            { "outseta": "HasUnsubscribed", "ghl": "lastName", "transforms": ["trim"] },
            { "outseta": "Email", "ghl": "customFields.contact.nope" },
            { "outseta": "FirstName", "ghl": "phone" },
            { "outseta": "LastName", "ghl": "phone" },
            { "outseta": "Email", "ghl": "name", "direction": "toGhl" },
            { "outseta": "Email", "ghl": "dnd", "direction": "toGhl" }
        ]}),
        &ctx(),
    );
    let checks: Vec<(&str, &str)> = checks.iter().map(|(p, c)| (p.as_str(), *c)).collect();
    for e in [
        &expect[8],
        &expect[9],
        &expect[10],
        &expect[11],
        &expect[13],
        &expect[15],
    ] {
        assert!(checks.contains(e), "missing {e:?} in {checks:#?}");
    }
    assert!(checks
        .iter()
        .any(|(p, c)| p.starts_with("$.fields[") && *c == "MAPPED_TWICE"));
    for p in parse(
        &json!({"version": 1, "fields": [{ "outseta": "Email", "ghl": "emial" }]}),
        &ctx(),
    )
    .unwrap_err()
    {
        assert!(!p.message.is_empty());
    }
}

#[test]
fn checks_name_the_input_rule_after_a_rule_the_parser_refused() {
    // Rule 0 is refused by the parser (unknown transform); rule 1's problem is found by
    // the later checks and must still be reported at $.fields[1] (the preview shows it
    // next to that rule's control).
    let got = problems(
        json!({ "version": 1, "fields": [
            { "outseta": "Email", "ghl": "email", "transforms": ["trim", "shout"] },
            { "outseta": "FirstName", "ghl": "nope" }
        ]}),
        &ctx(),
    );
    assert!(got.contains(&("$.fields[0].transforms[1]".to_owned(), "UNKNOWN_TRANSFORM")));
    assert!(
        got.contains(&("$.fields[1].ghl".to_owned(), "UNKNOWN_FIELD")),
        "{got:?}"
    );
}

#[test]
fn malformed_specs_and_contexts_are_problems_not_panics() {
    for bad in [
        json!(null),
        json!([]),
        json!("spec"),
        json!({ "version": "1" }),
        json!({ "version": 1, "fields": {} }),
        json!({ "version": 1, "fields": [{ "outseta": 3, "ghl": [] }] }),
        json!({ "version": 1, "fields": [{ "ghl": "email", "transforms": [{ "map": 1 }, { "date": { "to": "auto" } }, { "e164": { "defaultRegion": "XX" } }, {}, 7] }] }),
        json!({ "version": 1, "tags": [{ "when": { "any": [] }, "add": ["x"] }, { "when": { "field": "Email", "equals": 1, "in": [] }, "add": ["y"] }] }),
    ] {
        let ps = parse(&bad, &Context::default()).unwrap_err();
        assert!(!ps.is_empty(), "{bad}");
        assert!(ps.iter().all(|p| p.path.starts_with('$')), "{ps:?}");
    }
    assert!(
        parse_context(Some(
            &json!({ "ghlCustomFields": [{ "id": 1 }], "now": "never", "x": 1 })
        ))
        .unwrap_err()
        .len()
            == 3
    );
}

#[test]
fn big_and_odd_records_never_panic() {
    let big = "x".repeat(1 << 20);
    let s = default_spec();
    for record in [
        json!({ "Email": big.clone(), "FirstName": big.clone(), "PhoneMobile": big.clone() }),
        json!({ "Email": null, "PhoneWork": [1, 2], "MailingAddress": "street", "Account": 7 }),
        json!({ "Email": "a@b.co", "MailingAddress": { "City": 5 } }),
        json!(null),
        json!(3),
        json!("x"),
    ] {
        let _ = preview(std::slice::from_ref(&record), &s, &ctx(), Direction::ToGhl);
        let _ = preview(&[record], &s, &ctx(), Direction::ToOutseta);
    }
    let out = preview(
        &[json!({ "Email": big.clone() })],
        &s,
        &Context::default(),
        Direction::ToGhl,
    );
    assert_eq!(
        out[0].payload.as_ref().unwrap()["email"]
            .as_str()
            .map(str::len),
        Some(1 << 20)
    );
}

#[test]
fn ghl_to_outseta_payload_nests_paths_and_needs_an_email() {
    let ghl = json!({ "id": "g1", "email": "a@b.co", "firstName": "Ann", "phone": "+15550100100", "city": "Paris",
        "customFields": [{ "id": "cf1", "value": "Mocha" }], "tags": ["vip"] });
    let (payload, errors) = preview_to_outseta(&ghl, &default_spec(), &ctx()).unwrap();
    assert_eq!(errors, vec![]);
    assert_eq!(
        Value::Object(payload),
        json!({ "Email": "a@b.co", "FirstName": "Ann", "PhoneMobile": "+15550100100",
                "MailingAddress": { "City": "Paris" }, "CoffeePreference": "Mocha" })
    );
    let err = preview_to_outseta(
        &json!({ "id": "g2", "phone": "+15550100100" }),
        &default_spec(),
        &ctx(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "MAPPING_NO_IDENTITY");
}

#[test]
fn activity_conditions_use_context_now() {
    let s = spec(json!({ "version": 1, "tags": [
        { "when": { "field": "LastLoginDateTime", "olderThanDays": 30 }, "add": ["inactive"], "remove": ["active"] },
        { "when": { "all": [{ "field": "LastLoginDateTime", "withinDays": 30 }, { "not": { "field": "Email", "exists": false } }] }, "add": ["active"], "remove": ["inactive"] }
    ]}));
    let old = json!({ "Email": "a@b.co", "LastLoginDateTime": "2026-01-01T00:00:00" });
    let recent = json!({ "Email": "a@b.co", "LastLoginDateTime": "2026-11-20T00:00:00" });
    let m = outseta_to_canonical(&old, &s, &ctx()).unwrap();
    assert_eq!(
        (
            m.tags_add.iter().map(String::as_str).collect::<Vec<_>>(),
            m.tags_remove.iter().map(String::as_str).collect::<Vec<_>>()
        ),
        (vec!["inactive"], vec!["active"])
    );
    let m = outseta_to_canonical(&recent, &s, &ctx()).unwrap();
    assert_eq!(
        m.tags_add.iter().map(String::as_str).collect::<Vec<_>>(),
        vec!["active"]
    );
    let m = outseta_to_canonical(&recent, &s, &Context::default()).unwrap();
    assert_eq!(m.errors[0].code, "CONTEXT_MISSING");
}

#[test]
fn the_e164_transform_uses_the_shared_phone_normaliser() {
    let gb = spec(json!({ "version": 1, "defaultRegion": "GB", "fields": [
        { "outseta": "Email", "ghl": "email" },
        { "outseta": ["PhoneMobile", "PhoneWork"], "ghl": "phone", "transforms": ["e164"] }
    ] }));
    for (raw, want) in [
        ("07911 123456", "+447911123456"),
        ("020 7946 0958 ext. 12", "+442079460958"),
        ("+1 (202) 555-0173", "+12025550173"),
        ("+49 30 901820", "+4930901820"),
        ("0033 1 42 68 53 00", "+33142685300"),
    ] {
        let (payload, errors) = preview_to_ghl(
            &json!({ "Email": "a@b.co", "PhoneMobile": raw }),
            &gb,
            &Context::default(),
        )
        .unwrap();
        assert_eq!(errors, vec![], "{raw}");
        assert_eq!(payload.get("phone"), Some(&json!(want)), "{raw}");
    }
    // A region beyond the old hand-written table of 26, set on the transform itself.
    let ar = spec(json!({ "version": 1, "fields": [
        { "outseta": "Email", "ghl": "email" },
        { "outseta": "PhoneMobile", "ghl": "phone", "transforms": [{ "e164": { "defaultRegion": "AR" } }] }
    ] }));
    let (payload, errors) = preview_to_ghl(
        &json!({ "Email": "a@b.co", "PhoneMobile": "011 2345 6789" }),
        &ar,
        &Context::default(),
    )
    .unwrap();
    assert_eq!(errors, vec![]);
    assert_eq!(payload.get("phone"), Some(&json!("+541123456789")));
    // Numbers that cannot be normalised are a per-field TRANSFORM_FAILED.
    for raw in ["555-0100", "020 7946", "+999 123 456 789", "call me maybe"] {
        let (payload, errors) = preview_to_ghl(
            &json!({ "Email": "a@b.co", "PhoneMobile": raw }),
            &default_spec(),
            &Context::default(),
        )
        .unwrap();
        assert_eq!(
            Value::Object(payload),
            json!({ "email": "a@b.co" }),
            "{raw}"
        );
        assert_eq!(
            errors
                .iter()
                .map(|e| (e.field.as_str(), e.code))
                .collect::<Vec<_>>(),
            vec![("phone", "TRANSFORM_FAILED")],
            "{raw}"
        );
    }
    // Regions are those with phone metadata.
    let with_region = |r: &str| json!({ "version": 1, "fields": [{ "outseta": "PhoneMobile", "ghl": "phone", "transforms": [{ "e164": { "defaultRegion": r } }] }] });
    assert_eq!(problems(with_region("KE"), &Context::default()), vec![]);
    assert_eq!(
        problems(with_region("ZZ"), &Context::default()),
        vec![(
            "$.fields[0].transforms[0].e164".to_owned(),
            "TRANSFORM_INVALID"
        )]
    );
    assert_eq!(
        problems(
            json!({ "version": 1, "defaultRegion": "XX" }),
            &Context::default()
        ),
        vec![("$.defaultRegion".to_owned(), "UNKNOWN_REGION")]
    );
}

#[test]
fn standard_person_fields_are_known_by_name_and_custom_properties_are_not() {
    assert_eq!(spec::outseta_field("Email"), Some(Ty::String));
    assert_eq!(spec::outseta_field("MailingAddress"), Some(Ty::Object));
    assert_eq!(spec::outseta_field("PersonAccount"), Some(Ty::Array));
    assert_eq!(spec::outseta_field("HasUnsubscribed"), Some(Ty::Boolean));
    assert_eq!(spec::outseta_field("CoffeePreference"), None);
    assert_eq!(spec::outseta_field("email"), None);
    assert_eq!(spec::outseta_field(""), None);
}

fn phone_of(person: Value) -> (Option<Value>, Vec<FieldError>) {
    let (payload, errors) = preview_to_ghl(&person, &default_spec(), &Context::default()).unwrap();
    (payload.get("phone").cloned(), errors)
}

#[test]
fn each_phone_source_is_tried_in_order_and_the_first_valid_number_wins() {
    // An unreadable mobile (eleven digits after +1) falls through to a valid work phone.
    let (phone, errors) = phone_of(
        json!({ "Email": "a@b.co", "PhoneMobile": "+1 555 0100 1234", "PhoneWork": "(555) 010-2030" }),
    );
    assert_eq!((phone, errors), (Some(json!("+15550102030")), vec![]));
    // Both valid: the first source wins.
    let (phone, _) = phone_of(
        json!({ "Email": "a@b.co", "PhoneMobile": "555.010.9999", "PhoneWork": "(555) 010-2030" }),
    );
    assert_eq!(phone, Some(json!("+15550109999")));
    // Every rule with several sources, not only phones: empty sources are skipped, a
    // refused one falls through, and a date rule does the same.
    let s = spec(json!({ "version": 1, "fields": [
        { "outseta": "Email", "ghl": "email" },
        { "outseta": ["A", "B", "C"], "ghl": "phone", "transforms": ["trim", "e164"] },
        { "outseta": ["Born", "Created"], "ghl": "dateOfBirth",
          "transforms": [{ "date": { "from": "auto", "to": "YYYY-MM-DD" } }] }
    ] }));
    let (payload, errors) = preview_to_ghl(
        &json!({ "Email": "a@b.co", "A": "call me", "B": "  ", "C": "+44 20 7946 0958",
                 "Born": "yesterday", "Created": "2023-04-11T18:23:43Z" }),
        &s,
        &Context::default(),
    )
    .unwrap();
    assert_eq!(errors, vec![]);
    assert_eq!(payload["phone"], json!("+442079460958"));
    assert_eq!(payload["dateOfBirth"], json!("2023-04-11"));
    // A transform that reads every source (joinName) is not retried source by source.
    let s = spec(json!({ "version": 1, "fields": [
        { "outseta": "Email", "ghl": "email" },
        { "outseta": ["FirstName", "LastName"], "ghl": "firstName", "direction": "toGhl",
          "transforms": ["joinName", { "map": { "values": { "Ann Lee": "Ann" } } }] }
    ] }));
    let (_, errors) = preview_to_ghl(
        &json!({ "Email": "a@b.co", "FirstName": "Bo", "LastName": "Lee" }),
        &s,
        &Context::default(),
    )
    .unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].details.get("tried"), None);
    assert_eq!(errors[0].details["value"], json!("Bo"));
}

#[test]
fn a_refused_phone_names_every_value_tried_and_why() {
    let (phone, errors) = phone_of(
        json!({ "Email": "a@b.co", "PhoneMobile": "+1 555 0100 1234", "PhoneWork": "n/a" }),
    );
    assert_eq!(phone, None);
    assert_eq!(errors.len(), 1);
    let e = &errors[0];
    assert_eq!((e.field.as_str(), e.code), ("phone", "TRANSFORM_FAILED"));
    assert_eq!(
        e.details,
        json!({
            "path": "$.PhoneMobile", "transform": "e164", "value": "+1 555 0100 1234",
            "reason": "not a possible number for its country",
            "tried": [
                { "path": "$.PhoneMobile", "value": "+1 555 0100 1234", "reason": "not a possible number for its country" },
                { "path": "$.PhoneWork", "value": "n/a", "reason": "not a phone number" }
            ]
        })
    );
    assert_eq!(
        e.message,
        "e164: no source could be read: PhoneMobile \"+1 555 0100 1234\" (not a possible number for its country), PhoneWork \"n/a\" (not a phone number)"
    );
    // One value tried: the path is where it was read (the mobile was empty), and the
    // message is the normaliser's sentence.
    let (_, errors) =
        phone_of(json!({ "Email": "a@b.co", "PhoneMobile": "", "PhoneWork": " call me " }));
    assert_eq!(errors[0].details["path"], json!("$.PhoneWork"));
    assert_eq!(errors[0].details["value"], json!(" call me "));
    assert_eq!(
        errors[0].details["tried"],
        json!([{ "path": "$.PhoneWork", "value": " call me ", "reason": "not a phone number" }])
    );
    assert_eq!(
        errors[0].message,
        "e164: \"call me\" is not a phone number in E.164: not a phone number"
    );
    // Type errors carry the raw value too.
    let (_, errors) = phone_of(json!({ "Email": "a@b.co", "PhoneMobile": 5550102030_i64 }));
    assert_eq!(errors[0].code, "INPUT_INVALID");
    assert_eq!(errors[0].details["value"], json!(5550102030_i64));
    assert_eq!(errors[0].details["path"], json!("$.PhoneMobile"));
}

#[test]
fn national_numbers_take_the_region_of_the_persons_own_country() {
    let with = |country: Value, phone: &str| {
        phone_of(
            json!({ "Email": "a@b.co", "PhoneMobile": phone, "MailingAddress": { "City": "X", "Country": country } }),
        )
    };
    for country in [
        "GB",
        "gb",
        "GBR",
        "United Kingdom",
        "united kingdom",
        "UK",
        "England",
        "Great Britain",
    ] {
        let (phone, errors) = with(json!(country), "020 7946 0958");
        assert_eq!(
            (phone, errors),
            (Some(json!("+442079460958")), vec![]),
            "{country}"
        );
    }
    for (country, national, want) in [
        ("DE", "030 901820", "+4930901820"),
        ("Germany", "030 901820", "+4930901820"),
        ("FRA", "01 42 68 53 00", "+33142685300"),
        ("India", "098765 43210", "+919876543210"),
        ("Australia", "(02) 9374 4000", "+61293744000"),
        ("Côte d'Ivoire", "27 22 44 12 34", "+2252722441234"),
        ("USA", "(555) 010-2030", "+15550102030"),
        ("United States", "555-010-2030", "+15550102030"),
    ] {
        let (phone, errors) = with(json!(country), national);
        assert_eq!((phone, errors), (Some(json!(want)), vec![]), "{country}");
    }
    // International numbers keep their own country whatever the address says.
    let (phone, _) = with(json!("GB"), "+1 555 010 2030");
    assert_eq!(phone, Some(json!("+15550102030")));
    // A country it cannot read (a name in another language, a typo, not text) leaves the
    // configured default region (US here).
    for country in [
        json!("Deutschland"),
        json!("Narnia"),
        json!(""),
        json!(49),
        json!(null),
    ] {
        let (phone, _) = with(country.clone(), "(555) 010-2030");
        assert_eq!(phone, Some(json!("+15550102030")), "{country}");
    }
    // The country beats the transform's own defaultRegion, which beats the spec's.
    let s = spec(json!({ "version": 1, "defaultRegion": "FR", "fields": [
        { "outseta": "Email", "ghl": "email" },
        { "outseta": "PhoneMobile", "ghl": "phone", "transforms": [{ "e164": { "defaultRegion": "GB" } }] },
        { "outseta": "PhoneWork", "ghl": "customFields.contact.work", "transforms": ["e164"] }
    ] }));
    let map = |person: Value| {
        let m = outseta_to_canonical(&person, &s, &Context::default()).unwrap();
        (
            m.contact.fields.get("phone").cloned(),
            m.contact.fields.get("customFields.contact.work").cloned(),
        )
    };
    assert_eq!(
        map(json!({ "PhoneMobile": "020 7946 0958", "PhoneWork": "01 42 68 53 00" })),
        (Some(json!("+442079460958")), Some(json!("+33142685300")))
    );
    assert_eq!(
        map(
            json!({ "PhoneMobile": "030 901820", "PhoneWork": "030 901820", "MailingAddress": { "Country": "DE" } })
        ),
        (Some(json!("+4930901820")), Some(json!("+4930901820")))
    );
    // The same through a person read from JSON text (what planSyncJson maps).
    let text = r#"{ "Email": "a@b.co", "PhoneMobile": "030 901820", "MailingAddress": { "Country": "Germany" } }"#;
    let lean: Lean = serde_json::from_str(text).unwrap();
    let m = outseta_to_canonical(&lean, &default_spec(), &Context::default()).unwrap();
    assert_eq!(m.contact.fields.get("phone"), Some(&json!("+4930901820")));
}

#[test]
fn a_person_with_no_email_and_only_unreadable_phones_is_refused_by_name() {
    let person = json!({ "Uid": "u9", "FirstName": "Ann", "PhoneMobile": "+1 555 0100 12345", "PhoneWork": "" });
    let want_message = "the person has no email, and no phone could be read: PhoneMobile \"+1 555 0100 12345\" (not a possible number for its country)";
    let want_details = json!({
        "uid": "u9", "requiredOneOf": ["email", "phone"],
        "unreadable": [{ "field": "phone", "path": "$.PhoneMobile", "value": "+1 555 0100 12345",
                         "reason": "not a possible number for its country" }]
    });
    let err = preview_to_ghl(&person, &default_spec(), &Context::default()).unwrap_err();
    assert_eq!(err.code(), "MAPPING_NO_IDENTITY");
    assert_eq!(err.to_string(), want_message);
    assert_eq!(err.details(), want_details);
    // mapContact (strict) refuses it the same way rather than as a bad field.
    let err = map_person_to_ghl(&person).unwrap_err();
    assert_eq!(
        (err.code(), err.to_string(), err.details()),
        ("MAPPING_NO_IDENTITY", want_message.to_owned(), want_details)
    );
    // Two unreadable phones: both named, in order.
    let err = preview_to_ghl(
        &json!({ "PhoneMobile": "call me", "PhoneWork": "123" }),
        &default_spec(),
        &Context::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the person has no email, and no phone could be read: PhoneMobile \"call me\" (not a phone number), PhoneWork \"123\" (not a phone number)"
    );
    assert_eq!(
        err.details()["unreadable"].as_array().map(Vec::len),
        Some(2)
    );
    // Nothing unreadable: the plain sentence, and an empty list.
    let err = preview_to_ghl(
        &json!({ "Uid": "u1", "FirstName": "Ann" }),
        &default_spec(),
        &Context::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the person has neither an email nor a phone, so no GHL contact can be matched to it"
    );
    assert_eq!(err.details()["unreadable"], json!([]));
    // An email of the wrong type is named too.
    let err = preview_to_ghl(
        &json!({ "Email": 7, "PhoneMobile": "n/a" }),
        &default_spec(),
        &Context::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the person's email could not be read: Email 7 (expected string, found number), and no phone could be read: PhoneMobile \"n/a\" (not a phone number)"
    );
}
