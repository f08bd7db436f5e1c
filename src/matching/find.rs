//! Which duplicate searches find an Outseta person's GHL contact, in order: the email as
//! given, its canonical form (gmail dots and `+tags`), then the phone. The engine runs
//! them against GHL's own duplicate search and links the first unlinked answer.

use serde_json::Value;

/// One duplicate search of GHL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Email(String),
    Phone(String),
}

/// The searches for `person` (an Outseta Person), in the order to try them.
pub fn ghl_lookups(person: &Value, gmail_rules: bool) -> Vec<Lookup> {
    let mut out = Vec::new();
    let email = person.get("Email").and_then(Value::as_str).map(str::trim);
    if let Some(e) = email.filter(|e| !e.is_empty()) {
        out.push(Lookup::Email(e.to_owned()));
        if let Ok(canonical) = super::normalize::email(e, gmail_rules) {
            if !e.eq_ignore_ascii_case(&canonical) {
                out.push(Lookup::Email(canonical));
            }
        }
    }
    // The first phone that is there: Outseta sends "" for an empty one, so an empty
    // mobile falls through to the work phone.
    let phone = ["PhoneMobile", "PhoneWork"]
        .iter()
        .filter_map(|k| person.get(*k).and_then(Value::as_str))
        .find(|p| !p.trim().is_empty());
    if let Some(p) = phone {
        out.push(Lookup::Phone(p.to_owned()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn email_then_its_canonical_form_then_the_phone() {
        let person = json!({ "Email": " Jane.Doe+vip@Gmail.com ", "PhoneMobile": "", "PhoneWork": "(555) 010-2030" });
        assert_eq!(
            ghl_lookups(&person, true),
            vec![
                Lookup::Email("Jane.Doe+vip@Gmail.com".into()),
                Lookup::Email("janedoe@gmail.com".into()),
                Lookup::Phone("(555) 010-2030".into()),
            ]
        );
        assert_eq!(
            ghl_lookups(&json!({ "Email": "a@b.co" }), true),
            vec![Lookup::Email("a@b.co".into())]
        );
        assert_eq!(ghl_lookups(&json!({}), true), vec![]);
    }
}
