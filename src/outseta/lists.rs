//! A person's email list subscriptions, as Outseta gives them on the Person
//! (`EmailListPerson`, ../shared/specs/outseta/NOTES.md §4–5).

use serde_json::Value;

/// The Person key that holds the subscriptions.
pub const PERSON_KEY: &str = "EmailListPerson";

/// `EmailListPerson` entries: (list name, subscribed). Statuses 1 Subscribed and
/// 4 Confirmed count as subscribed; 2 Unsubscribed and 3 Cleaned do not. `None` when the
/// value says nothing about the lists: not an array, or an entry whose `EmailList` is not
/// expanded (Outseta leaves deeper references `null` unless `fields` asks for them), so an
/// unread list is never taken for one the person left.
pub fn subscriptions(lists: &Value) -> Option<Vec<(String, bool)>> {
    lists
        .as_array()?
        .iter()
        .map(|entry| {
            let name = entry.pointer("/EmailList/Name")?.as_str()?.trim();
            let status = entry
                .get("EmailListSubscriberStatus")
                .and_then(Value::as_i64);
            let unsubscribed = entry.get("UnsubscribedDate").is_some_and(|d| !d.is_null());
            Some((
                name.to_owned(),
                matches!(status, Some(1 | 4)) && !unsubscribed,
            ))
        })
        .filter(|entry| entry.as_ref().is_none_or(|(name, _)| !name.is_empty()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subscribed_lists_and_unread_ones() {
        let lists = json!([
            { "EmailList": { "Name": "News" }, "EmailListSubscriberStatus": 1 },
            { "EmailList": { "Name": "Offers" }, "EmailListSubscriberStatus": 2 },
            { "EmailList": { "Name": "Beta" }, "EmailListSubscriberStatus": 4, "UnsubscribedDate": "2026-01-01" },
        ]);
        assert_eq!(
            subscriptions(&lists),
            Some(vec![
                ("News".into(), true),
                ("Offers".into(), false),
                ("Beta".into(), false)
            ])
        );
        // An entry whose EmailList was not expanded: the value says nothing.
        assert_eq!(
            subscriptions(&json!([{ "EmailList": null, "EmailListSubscriberStatus": 1 }])),
            None
        );
        assert_eq!(subscriptions(&json!(null)), None);
    }
}
