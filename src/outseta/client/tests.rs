//! The client against a scripted fake Transport: what goes on the wire, and how every
//! kind of answer is read.

use std::cell::RefCell;

use serde_json::{json, Value};

use super::*;
use crate::error::CodedError;
use crate::http::fake::{block_on, FakeClock, ScriptedTransport};
use crate::http::TransportError;
use crate::http::{Limits, RetryPolicy};
use crate::outseta::types::EntityType;

/// Answers each request with the given function and records it.
struct Fake<F: Fn(&Request) -> Response> {
    answer: F,
    sent: RefCell<Vec<Request>>,
}

impl<F: Fn(&Request) -> Response> Transport for &Fake<F> {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let response = (self.answer)(&request);
        self.sent.borrow_mut().push(request);
        if response.status == 0 {
            return Err(TransportError {
                method: "GET",
                url: "http://127.0.0.1:9/".into(),
                reason: "connection refused".into(),
            });
        }
        Ok(response)
    }
}

fn fake<F: Fn(&Request) -> Response>(answer: F) -> Fake<F> {
    Fake {
        answer,
        sent: RefCell::new(Vec::new()),
    }
}

fn reply(status: u16, body: Value) -> Response {
    Response {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string(),
    }
}

fn config() -> OutsetaConfig {
    OutsetaConfig::with_base_url("http://127.0.0.1:9/api/v1/", "key-1", "s3cret").unwrap()
}

fn query_of(url: &str) -> Vec<(String, String)> {
    url.split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap();
                    (k.to_owned(), v.to_owned())
                })
                .collect()
        })
        .unwrap_or_default()
}

fn param(url: &str, key: &str) -> Option<String> {
    query_of(url)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

#[test]
fn requests_carry_the_outseta_authorization_and_json_headers() {
    let server = fake(|_| reply(200, json!({"Uid": "p1", "Email": "a@b.co"})));
    let client = Client::new(config(), &server, FakeClock::new());
    block_on(client.get_person("p1")).unwrap();
    block_on(client.create_person(&json!({"Email": "a@b.co"}))).unwrap();
    let sent = server.sent.borrow();
    assert_eq!(sent[0].url, "http://127.0.0.1:9/api/v1/crm/people/p1");
    assert_eq!(sent[0].method, Method::Get);
    let auth = sent[0]
        .headers
        .iter()
        .find(|(k, _)| k == "Authorization")
        .unwrap();
    assert_eq!(auth.1, "Outseta key-1:s3cret");
    assert!(sent[0].body.is_none());
    assert_eq!(sent[1].method, Method::Post);
    assert_eq!(sent[1].url, "http://127.0.0.1:9/api/v1/crm/people");
    assert!(sent[1]
        .headers
        .contains(&("Content-Type".into(), "application/json".into())));
    assert_eq!(sent[1].body.as_deref(), Some(r#"{"Email":"a@b.co"}"#));
}

#[test]
fn keys_never_show_in_debug_or_errors() {
    let shown = format!("{:?}", config());
    assert!(
        !shown.contains("s3cret") && !shown.contains("key-1"),
        "{shown}"
    );
    let server = fake(|_| reply(401, json!({"Message": "Authorization has been denied"})));
    let client = Client::new(config(), &server, FakeClock::new());
    let err = block_on(client.get_person("p1")).unwrap_err();
    assert_eq!(err.code(), "OUTSETA_UNAUTHORIZED");
    let text = format!("{err} {err:?} {}", err.details());
    assert!(
        !text.contains("s3cret") && !text.contains("key-1"),
        "{text}"
    );
    let sent = format!("{:?}", server.sent.borrow());
    assert!(!sent.contains("s3cret"), "{sent}");
}

#[test]
fn the_config_refuses_bad_urls_keys_and_subdomains() {
    assert!(OutsetaConfig::with_base_url("ftp://x", "k", "s").is_err());
    assert!(OutsetaConfig::with_base_url("http://x", "", "s").is_err());
    assert!(OutsetaConfig::with_base_url("http://x", "k:1", "s").is_err());
    assert!(OutsetaConfig::for_subdomain("acme/../evil", "k", "s").is_err());
    let real = OutsetaConfig::for_subdomain("acme", "k", "s").unwrap();
    assert_eq!(real.base_url(), "https://acme.outseta.com/api/v1");
}

/// A server with `total` people that pages the way Outseta does: `offset` is a PAGE.
fn paging_server(total: usize) -> impl Fn(&Request) -> Response {
    move |request| {
        let limit: usize = param(&request.url, "limit").map_or(25, |v| v.parse().unwrap());
        let page: usize = param(&request.url, "offset").map_or(0, |v| v.parse().unwrap());
        let items: Vec<Value> = (page * limit..((page + 1) * limit).min(total))
            .map(|i| json!({"Uid": format!("p{i}"), "Email": format!("p{i}@example.com")}))
            .collect();
        reply(
            200,
            json!({"metadata": {"limit": limit, "offset": page, "total": total}, "items": items}),
        )
    }
}

#[test]
fn paging_asks_for_page_numbers_and_gets_everyone_once() {
    let server = fake(paging_server(182));
    let client = Client::new(config(), &server, FakeClock::new());
    let query = ListQuery {
        limit: Some(100),
        ..ListQuery::default()
    };
    let people = block_on(client.list_all_people(&query)).unwrap();
    assert_eq!(people.len(), 182);
    let mut uids: Vec<_> = people.iter().map(|p| p.uid.clone().unwrap()).collect();
    uids.dedup();
    assert_eq!(uids.len(), 182);
    let offsets: Vec<_> = server
        .sent
        .borrow()
        .iter()
        .map(|r| param(&r.url, "offset").unwrap())
        .collect();
    // Page numbers 0 and 1: an item-offset client would send 0 and 100, get page 100
    // (empty) back, and stop with 100 of 182 people.
    assert_eq!(offsets, ["0", "1"]);

    let item_offset_page: Page<Person> = block_on(client.list_people(&ListQuery {
        offset: 100,
        limit: Some(100),
        ..ListQuery::default()
    }))
    .unwrap();
    assert!(item_offset_page.items.is_empty());
}

#[test]
fn paging_stops_on_total_when_the_last_page_is_full() {
    let server = fake(paging_server(50));
    let client = Client::new(config(), &server, FakeClock::new());
    let people = block_on(client.list_all_people(&ListQuery::default())).unwrap();
    assert_eq!(people.len(), 50);
    assert_eq!(server.sent.borrow().len(), 2);
}

#[test]
fn list_queries_encode_filters_order_and_fields() {
    let server = fake(|_| {
        reply(
            200,
            json!({"metadata": {"limit": 25, "offset": 0, "total": 0}, "items": []}),
        )
    });
    let client = Client::new(config(), &server, FakeClock::new());
    let query: ListQuery = serde_json::from_value(json!({
        "offset": 2, "limit": 50, "fields": "*,PersonAccount.*", "orderBy": "Updated DESC",
        "filters": {"Updated__gte": "2024-01-01T00:00:00", "AccountStage": 3, "Email": "a+b@c.co"}
    }))
    .unwrap();
    block_on(client.list_people(&query)).unwrap();
    let url = server.sent.borrow()[0].url.clone();
    assert_eq!(
        url,
        "http://127.0.0.1:9/api/v1/crm/people?offset=2&limit=50&fields=%2A%2CPersonAccount.%2A\
         &orderBy=Updated%20DESC&AccountStage=3&Email=a%2Bb%40c.co&Updated__gte=2024-01-01T00%3A00%3A00"
    );
    for bad in [
        json!({"limit": 101}),
        json!({"limit": 0}),
        json!({"filters": {"offset": 3}}),
        json!({"filters": {"Email": ["a"]}}),
    ] {
        let query: ListQuery = serde_json::from_value(bad.clone()).unwrap();
        let err = block_on(client.list_people(&query)).unwrap_err();
        assert_eq!(err.code(), "INPUT_INVALID", "{bad}");
    }
    assert!(serde_json::from_value::<ListQuery>(json!({"page": 1})).is_err());
    assert_eq!(
        server.sent.borrow().len(),
        1,
        "refused queries were never sent"
    );
}

#[test]
fn find_by_email_compares_case_insensitively_and_retries_lowercased() {
    // A server whose Email filter is case-sensitive, holding "jane@example.com".
    let server = fake(|request| {
        let items = if param(&request.url, "Email").as_deref() == Some("jane%40example.com") {
            vec![json!({"Uid": "p1", "Email": "jane@example.com"})]
        } else {
            vec![]
        };
        reply(
            200,
            json!({"metadata": {"limit": 25, "offset": 0, "total": items.len()}, "items": items}),
        )
    });
    let client = Client::new(config(), &server, FakeClock::new());
    let found = block_on(client.find_person_by_email(" Jane@Example.COM ")).unwrap();
    assert_eq!(found.unwrap().uid.as_deref(), Some("p1"));
    assert_eq!(server.sent.borrow().len(), 2);
    assert!(block_on(client.find_person_by_email("nobody@example.com"))
        .unwrap()
        .is_none());
    assert_eq!(
        block_on(client.find_person_by_email("  "))
            .unwrap_err()
            .code(),
        "INPUT_INVALID"
    );
}

#[test]
fn find_by_email_ignores_a_near_match_the_server_returns() {
    let server = fake(|_| {
        reply(
            200,
            json!({"metadata": {"limit": 25, "offset": 0, "total": 1},
            "items": [{"Uid": "p2", "Email": "jane@example.com.evil"}]}),
        )
    });
    let client = Client::new(config(), &server, FakeClock::new());
    assert!(block_on(client.find_person_by_email("jane@example.com"))
        .unwrap()
        .is_none());
}

#[test]
fn update_reads_the_whole_record_first_and_keeps_person_account() {
    let stored = json!({
        "Uid": "p1", "Email": "a@b.co", "FirstName": "Ann",
        "PersonAccount": [{"Uid": "pa1", "IsPrimary": true, "Account": null, "Person": null}],
        "CoffeePreference": "Latte"
    });
    let server = fake(move |request| match request.method {
        Method::Get => reply(200, stored.clone()),
        _ => reply(
            200,
            serde_json::from_str(request.body.as_deref().unwrap()).unwrap(),
        ),
    });
    let client = Client::new(config(), &server, FakeClock::new());
    let updated = block_on(client.update_person("p1", &json!({"FirstName": "Anne"}))).unwrap();
    assert_eq!(updated.first_name.as_deref(), Some("Anne"));
    let sent = server.sent.borrow();
    assert_eq!(
        sent.iter().map(|r| r.method).collect::<Vec<_>>(),
        [Method::Get, Method::Put]
    );
    let put: Value = serde_json::from_str(sent[1].body.as_deref().unwrap()).unwrap();
    assert_eq!(put["PersonAccount"][0]["Uid"], "pa1");
    assert_eq!(put["CoffeePreference"], "Latte");
    assert_eq!(put["FirstName"], "Anne");
    drop(sent);
    let err = block_on(client.update_person("p1", &json!({"Uid": "p2"}))).unwrap_err();
    assert_eq!(err.code(), "INPUT_INVALID");
    assert_eq!(
        block_on(client.update_person("p1", &json!([1])))
            .unwrap_err()
            .code(),
        "INPUT_INVALID"
    );
}

#[test]
fn status_codes_become_coded_errors() {
    let cases: Vec<(Response, &str)> = vec![
        (
            reply(
                400,
                json!({"ErrorMessage": "Validation failed for one or more entities.",
                "EntityValidationErrors": [{"TypeName": "Person", "ValidationErrors": [
                    {"ErrorCode": "outsetaError", "ErrorMessage": "The Email field is not a valid e-mail address.", "PropertyName": "Email"}]}]}),
            ),
            "OUTSETA_VALIDATION",
        ),
        (reply(404, json!(null)), "OUTSETA_NOT_FOUND"),
        (reply(403, json!({})), "OUTSETA_UNAUTHORIZED"),
        (
            Response {
                status: 429,
                headers: vec![("retry-after".into(), "1".into())],
                body: String::new(),
            },
            "OUTSETA_RATE_LIMITED",
        ),
        (
            reply(500, json!({"Message": "An error has occurred."})),
            "OUTSETA_HTTP",
        ),
        (
            Response {
                status: 200,
                headers: vec![],
                body: "<html>".into(),
            },
            "OUTSETA_DECODE",
        ),
        (reply(200, json!({"Uid": 7})), "OUTSETA_DECODE"),
        (
            Response {
                status: 0,
                headers: vec![],
                body: String::new(),
            },
            "HTTP_TRANSPORT",
        ),
    ];
    for (response, code) in cases {
        let server = fake(move |_| response.clone());
        let client = Client::new(config(), &server, FakeClock::new());
        let err = block_on(client.get_person("p1")).unwrap_err();
        assert_eq!(err.code(), code, "{err}");
        if code == "OUTSETA_VALIDATION" {
            assert_eq!(err.details()["errors"][0]["property"], "Email");
        }
        if code == "OUTSETA_RATE_LIMITED" {
            assert_eq!(err.details()["retryAfterSeconds"], 1.0);
        }
    }
}

#[test]
fn creates_check_required_fields_before_sending() {
    let server = fake(|_| reply(200, json!({})));
    let client = Client::new(config(), &server, FakeClock::new());
    for bad in [
        json!({}),
        json!({"Email": ""}),
        json!({"Email": 3}),
        json!("a@b.co"),
    ] {
        assert_eq!(
            block_on(client.create_person(&bad)).unwrap_err().code(),
            "INPUT_INVALID"
        );
    }
    for bad in [
        json!({"Name": "Acme"}),
        json!({"PersonAccount": [{}]}),
        json!({"Name": "A", "PersonAccount": []}),
    ] {
        assert_eq!(
            block_on(client.create_account(&bad)).unwrap_err().code(),
            "INPUT_INVALID"
        );
    }
    assert_eq!(
        block_on(client.get_person("")).unwrap_err().code(),
        "INPUT_INVALID"
    );
    assert!(server.sent.borrow().is_empty());
}

#[test]
fn uids_are_one_encoded_path_segment() {
    let server = fake(|_| reply(200, json!({})));
    let client = Client::new(config(), &server, FakeClock::new());
    block_on(client.delete_person("../accounts/x?y")).unwrap();
    assert_eq!(
        server.sent.borrow()[0].url,
        "http://127.0.0.1:9/api/v1/crm/people/..%2Faccounts%2Fx%3Fy"
    );
}

#[test]
fn accounts_memberships_and_deletes_use_the_documented_paths() {
    let server = fake(|request| {
        let body = match (request.method, request.url.as_str()) {
            (Method::Post, url) if url.ends_with("/memberships") => {
                json!({"Uid": "m1", "IsPrimary": false, "Person": {"Uid": "p9"}, "Account": {"Uid": "acc1"}})
            }
            _ => json!({"Uid": "acc1", "Name": "Acme", "AccountStage": 2}),
        };
        reply(200, body)
    });
    let client = Client::new(config(), &server, FakeClock::new());
    let account = block_on(client.create_account(&json!({
        "Name": "Acme", "PersonAccount": [{"Person": {"Email": "a@b.co"}, "IsPrimary": true}]
    })))
    .unwrap();
    assert_eq!(account.account_stage.unwrap().label(), Some("Trialing"));
    let membership =
        block_on(client.add_membership("acc1", &json!({"Person": {"Uid": "p9"}}))).unwrap();
    assert_eq!(membership.uid.as_deref(), Some("m1"));
    block_on(client.remove_membership("acc1", "m1")).unwrap();
    block_on(client.delete_account("acc1")).unwrap();
    let sent = server.sent.borrow();
    let lines: Vec<String> = sent
        .iter()
        .map(|r| format!("{} {}", r.method.as_str(), r.url))
        .collect();
    assert_eq!(
        lines,
        [
            "POST http://127.0.0.1:9/api/v1/crm/accounts",
            "POST http://127.0.0.1:9/api/v1/crm/accounts/acc1/memberships",
            "DELETE http://127.0.0.1:9/api/v1/crm/accounts/acc1/memberships/m1",
            "DELETE http://127.0.0.1:9/api/v1/crm/accounts/acc1",
        ]
    );
    let body: Value = serde_json::from_str(sent[1].body.as_deref().unwrap()).unwrap();
    assert_eq!(body["Account"]["Uid"], "acc1");
}

#[test]
fn custom_activities_post_the_documented_body() {
    let server = fake(|request| {
        let mut body: Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
        body["Uid"] = json!("act1");
        body["ActivityType"] = json!(10);
        reply(200, body)
    });
    let client = Client::new(config(), &server, FakeClock::new());
    let activity = CustomActivity {
        title: "Onboarding: book a kickoff call".into(),
        description: "From the sync".into(),
        activity_data: Some(r#"{"task":"kickoff"}"#.into()),
        entity_type: EntityType::PERSON,
        entity_uid: "p1".into(),
    };
    let created = block_on(client.create_custom_activity(&activity)).unwrap();
    assert_eq!(created.uid.as_deref(), Some("act1"));
    let sent = server.sent.borrow();
    assert!(sent[0].url.ends_with("/api/v1/activities/customactivity"));
    assert_eq!(
        serde_json::from_str::<Value>(sent[0].body.as_deref().unwrap()).unwrap(),
        json!({"Title": "Onboarding: book a kickoff call", "Description": "From the sync",
               "ActivityData": "{\"task\":\"kickoff\"}", "EntityType": 2, "EntityUid": "p1"})
    );
    drop(sent);
    let bad = CustomActivity {
        entity_type: EntityType(7),
        ..activity.clone()
    };
    assert_eq!(
        block_on(client.create_custom_activity(&bad))
            .unwrap_err()
            .code(),
        "INPUT_INVALID"
    );
    let empty = fake(|_| Response {
        status: 200,
        headers: vec![],
        body: String::new(),
    });
    let client = Client::new(config(), &empty, FakeClock::new());
    let echoed = block_on(client.create_custom_activity(&activity)).unwrap();
    assert_eq!(echoed.activity_type, Some(10));
}

#[test]
fn property_definitions_tolerate_404_and_both_shapes() {
    let missing = fake(|_| reply(404, json!({"Message": "No HTTP resource"})));
    assert_eq!(
        block_on(Client::new(config(), &missing, FakeClock::new()).property_definitions("Person"))
            .unwrap(),
        None
    );
    let bare = fake(|_| {
        reply(
            200,
            json!([{"SystemName": "CoffeePreference", "ControlType": "Text"}]),
        )
    });
    let defs =
        block_on(Client::new(config(), &bare, FakeClock::new()).property_definitions("Person"))
            .unwrap()
            .unwrap();
    assert_eq!(defs[0].system_name.as_deref(), Some("CoffeePreference"));
    let paged = fake(|_| {
        reply(
            200,
            json!({"metadata": {"limit": 25, "offset": 0, "total": 1},
            "items": [{"SystemName": "Mascot", "ControlType": "Select"}]}),
        )
    });
    let defs =
        block_on(Client::new(config(), &paged, FakeClock::new()).property_definitions("Account"))
            .unwrap()
            .unwrap();
    assert_eq!(defs[0].system_name.as_deref(), Some("Mascot"));
    assert!(paged.sent.borrow()[0]
        .url
        .ends_with("/api/v1/attributes/Account/definitions"));
    assert_eq!(
        block_on(Client::new(config(), &paged, FakeClock::new()).property_definitions("Widget"))
            .unwrap_err()
            .code(),
        "INPUT_INVALID"
    );
}

#[test]
fn email_list_subscriptions_use_the_documented_paths() {
    let server = fake(|request| match request.method {
        Method::Get => reply(
            200,
            json!({"metadata": {"limit": 25, "offset": 0, "total": 1},
            "items": [{"Uid": "l1", "Name": "Newsletter"}]}),
        ),
        _ => reply(200, json!({"Uid": "s1", "EmailListSubscriberStatus": 1})),
    });
    let client = Client::new(config(), &server, FakeClock::new());
    let lists = block_on(client.list_email_lists(&ListQuery::default())).unwrap();
    assert_eq!(lists.items[0].name.as_deref(), Some("Newsletter"));
    block_on(client.list_subscriptions("l1", &ListQuery::default())).unwrap();
    let sub = block_on(client.subscribe("l1", &json!({"Person": {"Email": "a@b.co"}}))).unwrap();
    assert_eq!(sub.email_list_subscriber_status, Some(1));
    block_on(client.unsubscribe("l1", "s1")).unwrap();
    let sent = server.sent.borrow();
    assert!(sent[1]
        .url
        .starts_with("http://127.0.0.1:9/api/v1/email/lists/l1/subscriptions?"));
    let body: Value = serde_json::from_str(sent[2].body.as_deref().unwrap()).unwrap();
    assert_eq!(body["EmailList"]["Uid"], "l1");
    assert!(sent[3].url.ends_with("/email/lists/l1/subscriptions/s1"));
}

// ---- the shared http::Policy: limiter and retries ------------------------------------

fn page_of(people: &[Value]) -> String {
    json!({"metadata": {"limit": 25, "offset": 0, "total": people.len()}, "items": people})
        .to_string()
}

fn methods(t: &ScriptedTransport) -> Vec<Method> {
    t.sent().iter().map(|r| r.method).collect()
}

#[test]
fn a_429_is_retried_after_its_retry_after_and_then_succeeds() {
    let t = ScriptedTransport::new();
    t.reply_with(429, &[("Retry-After", "3")], "")
        .reply(200, r#"{"Uid": "p1", "Email": "a@b.co"}"#);
    let clock = FakeClock::new();
    let start = clock.now.get();
    let client = Client::new(config(), &t, &clock);
    let person = block_on(client.get_person("p1")).unwrap();
    assert_eq!(person.uid.as_deref(), Some("p1"));
    assert_eq!(t.sent().len(), 2);
    // Retry-After: 3 was obeyed: the second attempt went no sooner than 3 s later.
    assert!(
        clock.now.get() - start >= 3_000.0,
        "{}",
        clock.now.get() - start
    );
    let stats = client.stats();
    assert_eq!((stats.requests, stats.attempts, stats.retries), (1, 2, 1));
}

#[test]
fn a_429_on_a_create_is_retried_too_the_server_did_not_process_it() {
    let t = ScriptedTransport::new();
    t.reply_with(429, &[("Retry-After", "1")], "")
        .reply(200, r#"{"Uid": "p1", "Email": "a@b.co"}"#);
    let client = Client::new(config(), &t, FakeClock::new());
    let person = block_on(client.create_person(&json!({"Email": "a@b.co"}))).unwrap();
    assert_eq!(person.uid.as_deref(), Some("p1"));
    assert_eq!(methods(&t), vec![Method::Post, Method::Post]);
}

#[test]
fn a_500_or_a_network_error_on_a_get_put_or_delete_is_retried() {
    let t = ScriptedTransport::new();
    t.reply(500, r#"{"Message": "An error has occurred."}"#)
        .fail("connection reset")
        .reply(200, r#"{"Uid": "p1"}"#);
    t.reply(503, "").reply(200, "");
    let client = Client::new(config(), &t, FakeClock::new());
    assert_eq!(
        block_on(client.get_person("p1")).unwrap().uid.as_deref(),
        Some("p1")
    );
    block_on(client.delete_person("p1")).unwrap();
    assert_eq!(t.sent().len(), 5);
    assert_eq!(client.stats().retries, 3);
}

#[test]
fn a_retried_delete_answered_404_was_our_earlier_attempt() {
    let t = ScriptedTransport::new();
    t.fail("no response within 30000 ms").reply(404, "");
    let client = Client::new(config(), &t, FakeClock::new());
    block_on(client.delete_person("p1")).unwrap();
    // Without a retry, a 404 is still OUTSETA_NOT_FOUND.
    t.reply(404, "");
    let err = block_on(client.delete_person("p1")).unwrap_err();
    assert_eq!(err.code(), "OUTSETA_NOT_FOUND");
    assert_eq!(t.sent().len(), 3);
}

#[test]
fn retries_stop_after_max_attempts_with_the_last_error() {
    let t = ScriptedTransport::new();
    for _ in 0..2 {
        t.reply_with(429, &[("Retry-After", "1")], "");
    }
    let settings = Settings {
        retry: RetryPolicy {
            max_attempts: 2,
            ..RetryPolicy::default()
        },
        ..Settings::default()
    };
    let client = Client::with_settings(config(), &t, FakeClock::new(), settings);
    let err = block_on(client.get_person("p1")).unwrap_err();
    assert_eq!(err.code(), "OUTSETA_RATE_LIMITED");
    assert_eq!(err.details()["retryAfterSeconds"], 1.0);
    assert_eq!(t.sent().len(), 2);
}

#[test]
fn a_500_on_a_person_create_is_recovered_by_lookup_not_sent_twice() {
    let t = ScriptedTransport::new();
    // The create landed, but its answer was a 500.
    t.reply(500, r#"{"Message": "An error has occurred."}"#)
        .reply(
            200,
            &page_of(&[json!({"Uid": "p7", "Email": "jane@example.com"})]),
        );
    let client = Client::new(config(), &t, FakeClock::new());
    let person = block_on(client.create_person(&json!({"Email": "jane@example.com"}))).unwrap();
    assert_eq!(person.uid.as_deref(), Some("p7"));
    assert_eq!(methods(&t), vec![Method::Post, Method::Get]);
    assert_eq!(
        param(&t.sent()[1].url, "Email").as_deref(),
        Some("jane%40example.com")
    );
}

#[test]
fn a_person_create_that_did_not_land_is_sent_again_after_the_lookup() {
    let t = ScriptedTransport::new();
    t.fail("connection reset")
        .reply(200, &page_of(&[]))
        .reply(200, r#"{"Uid": "p8", "Email": "jane@example.com"}"#);
    let client = Client::new(config(), &t, FakeClock::new());
    let person = block_on(client.create_person(&json!({"Email": "jane@example.com"}))).unwrap();
    assert_eq!(person.uid.as_deref(), Some("p8"));
    assert_eq!(methods(&t), vec![Method::Post, Method::Get, Method::Post]);
}

#[test]
fn a_resent_create_refused_as_a_duplicate_email_is_our_late_first_attempt() {
    let t = ScriptedTransport::new();
    let duplicate = json!({"ErrorMessage": "Validation failed for one or more entities.",
        "EntityValidationErrors": [{"TypeName": "Person", "ValidationErrors": [{"ErrorCode": "outsetaError",
        "ErrorMessage": "A person with the email address jane@example.com already exists.", "PropertyName": "Email"}]}]});
    t.reply(502, "")
        .reply(200, &page_of(&[]))
        .reply(400, &duplicate.to_string())
        .reply(
            200,
            &page_of(&[json!({"Uid": "p9", "Email": "jane@example.com"})]),
        );
    let client = Client::new(config(), &t, FakeClock::new());
    let person = block_on(client.create_person(&json!({"Email": "jane@example.com"}))).unwrap();
    assert_eq!(person.uid.as_deref(), Some("p9"));
    assert_eq!(
        methods(&t),
        vec![Method::Post, Method::Get, Method::Post, Method::Get]
    );
    // On a first attempt the same refusal is the caller's: a real duplicate.
    let t = ScriptedTransport::new();
    t.reply(400, &duplicate.to_string());
    let client = Client::new(config(), &t, FakeClock::new());
    let err = block_on(client.create_person(&json!({"Email": "jane@example.com"}))).unwrap_err();
    assert_eq!(err.code(), "OUTSETA_VALIDATION");
    assert_eq!(t.sent().len(), 1);
}

#[test]
fn other_posts_are_never_blindly_retried_after_a_500_or_a_network_error() {
    let t = ScriptedTransport::new();
    t.reply(500, "").fail("reset");
    let client = Client::new(config(), &t, FakeClock::new());
    let account =
        json!({"Name": "Acme", "PersonAccount": [{"Person": {"Uid": "p1"}, "IsPrimary": true}]});
    let err = block_on(client.create_account(&account)).unwrap_err();
    assert_eq!(err.code(), "OUTSETA_HTTP");
    let err = block_on(client.subscribe("l1", &json!({"Person": {"Uid": "p1"}}))).unwrap_err();
    assert_eq!(err.code(), "HTTP_TRANSPORT");
    assert_eq!(methods(&t), vec![Method::Post, Method::Post]);
}

#[test]
fn the_limiter_lets_4_requests_a_second_through() {
    let server = fake(paging_server(0));
    let clock = FakeClock::new();
    let start = clock.now.get();
    let client = Client::new(config(), &server, &clock);
    for _ in 0..9 {
        block_on(client.list_people(&ListQuery::default())).unwrap();
    }
    // 4 at once, 4 a window later, the ninth two windows later.
    assert_eq!(clock.now.get() - start, 2.0 * Limits::OUTSETA.window_ms);
    assert_eq!(server.sent.borrow().len(), 9);
    assert_eq!(client.stats().retries, 0);
}
