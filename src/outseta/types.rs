//! Outseta records as the REST API v1 sends them (PascalCase keys). Every field is
//! optional, since `fields=` can trim any of them and most are nullable. Custom
//! properties are top-level keys named by their system name (`"CoffeePreference":
//! "Latte"`); they, and any standard field this crate does not model, are kept in
//! `custom` (sorted by key), so nothing is dropped on the way through.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::time::Timestamp;

/// A postal address (`MailingAddress`, `BillingAddress`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line3: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo_location: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Timestamp>,
    #[serde(flatten)]
    pub custom: Map<String, Value>,
}

/// A Person in the CRM.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Person {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_mobile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_work: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(rename = "IPAddress", default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent_platform_browser: Option<String>,
    #[serde(
        rename = "ProfileImageS3Url",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub profile_image_s3_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailing_address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_must_change: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_last_updated: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login_date_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_logged_in: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_unsubscribed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_in_to_email_list: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_bounce_date_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_spam_date_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_unsubscribe_date_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_last_delivered_date_time: Option<Timestamp>,
    #[serde(
        rename = "OAuthGoogleProfileId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub oauth_google_profile_id: Option<String>,
    #[serde(
        rename = "OAuthIntegrationStatus",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub oauth_integration_status: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discord_user: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_connected_to_discord: Option<bool>,
    /// The person's memberships; `Person` and `Account` inside are `null` unless
    /// expanded with `fields`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_account: Option<Vec<PersonAccount>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Box<Account>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_uids: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal_people: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_form_submissions: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_list_person: Option<Value>,
    #[serde(
        rename = "_objectType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub object_type: Option<String>,
    /// Event-specific detail on webhook payloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_event_data: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_less_data_loaded: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Timestamp>,
    /// Custom properties (by system name) and any field not modelled above.
    #[serde(flatten)]
    pub custom: Map<String, Value>,
}

/// A membership: one person in one account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PersonAccount {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<Box<Person>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Box<Account>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_primary: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receive_invoices: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Timestamp>,
    #[serde(flatten)]
    pub custom: Map<String, Value>,
}

/// An account's billing stage. Kept as the number Outseta sends, since values outside
/// the documented set occur (a 2018 example shows 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountStage(pub i64);

impl AccountStage {
    /// The documented label, or `None` for an undocumented value.
    pub fn label(self) -> Option<&'static str> {
        Some(match self.0 {
            2 => "Trialing",
            3 => "Subscribing",
            4 => "Cancelling",
            5 => "Expired",
            6 => "Trial Expired",
            7 => "Past Due",
            8 => "Cancelling Trial",
            9 => "Paused",
            _ => return None,
        })
    }
}

/// A subscription (`CurrentSubscription`, `LatestSubscription`, `Subscriptions[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Subscription {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// 1 Monthly, 2 Yearly, 3 Quarterly, 4 One Time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_renewal_term: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Timestamp>,
    #[serde(flatten)]
    pub custom: Map<String, Value>,
}

/// An Account in the CRM.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Account {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_demo: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailing_address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_stage: Option<AccountStage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_stage_label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_information: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_account: Option<Vec<PersonAccount>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscriptions: Option<Vec<Subscription>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deals: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_subscription: Option<Subscription>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_subscription: Option<Subscription>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_subscription: Option<Subscription>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_contact: Option<Box<Person>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login_date_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_logged_in: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifetime_revenue: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_ids: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_status: Option<Value>,
    #[serde(
        rename = "_objectType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub object_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_event_data: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Timestamp>,
    /// Custom properties, `AccountSpecificPageUrl1..10`, `Stripe*` and any other field
    /// not modelled above.
    #[serde(flatten)]
    pub custom: Map<String, Value>,
}

/// What an activity is about: 1 Account, 2 Person, 3 Deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EntityType(pub i64);

impl EntityType {
    pub const ACCOUNT: EntityType = EntityType(1);
    pub const PERSON: EntityType = EntityType(2);
    pub const DEAL: EntityType = EntityType(3);
}

/// An entry of the activity feed (`GET /activities`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Activity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Free text; custom activities usually carry JSON text here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_data: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_date_time: Option<Timestamp>,
    /// 10 Custom, 50 Note, 200 PersonCreated, ... (see `activity_type` constants).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_type: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<EntityType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Timestamp>,
    #[serde(flatten)]
    pub custom: Map<String, Value>,
}

/// The body of `POST /activities/customactivity`, the only documented activity write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomActivity {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Sent as a string; structured data goes in as JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_data: Option<String>,
    pub entity_type: EntityType,
    pub entity_uid: String,
}

/// An email list (Outseta's tag-like lists).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EmailList {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Timestamp>,
    #[serde(flatten)]
    pub custom: Map<String, Value>,
}

/// One person's subscription to an email list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EmailListSubscription {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_list: Option<EmailList>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<Box<Person>>,
    /// 1 Subscribed, 2 Unsubscribed, 3 Cleaned, 4 Confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_list_subscriber_status: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribed_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Timestamp>,
    #[serde(flatten)]
    pub custom: Map<String, Value>,
}

/// A custom property definition (`GET /attributes/{Entity}/definitions`, undocumented).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PropertyDefinition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// `Text`, `Date`, `Select`, `CheckboxList`, ...: kept as text, so a control type
    /// this crate has never seen is not an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_type: Option<String>,
    /// JSON text (Options, HintText).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_params: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<Value>,
    #[serde(flatten)]
    pub custom: Map<String, Value>,
}

/// `metadata` of a list response. `offset` is the zero-based PAGE number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageMetadata {
    pub limit: u32,
    pub offset: u32,
    pub total: u64,
}

/// Every "get all" endpoint: `{"metadata": {limit, offset, total}, "items": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub metadata: PageMetadata,
    pub items: Vec<T>,
}

impl<T> Page<T> {
    /// True when no page follows this one.
    pub fn is_last(&self) -> bool {
        let limit = u64::from(self.metadata.limit.max(1));
        self.items.len() < self.metadata.limit as usize
            || (u64::from(self.metadata.offset) + 1) * limit >= self.metadata.total
    }
}

/// Activity types the sync uses (`ActivityType` in Outseta's spec).
pub mod activity_type {
    pub const CUSTOM: i64 = 10;
    pub const NOTE: i64 = 50;
    pub const ACCOUNT_CREATED: i64 = 100;
    pub const ACCOUNT_UPDATED: i64 = 101;
    pub const ACCOUNT_ADD_PERSON: i64 = 102;
    pub const ACCOUNT_STAGE_UPDATED: i64 = 103;
    pub const ACCOUNT_DELETED: i64 = 104;
    pub const ACCOUNT_SUBSCRIPTION_PLAN_UPDATED: i64 = 106;
    pub const PERSON_CREATED: i64 = 200;
    pub const PERSON_UPDATED: i64 = 201;
    pub const PERSON_DELETED: i64 = 202;
    pub const PERSON_LIST_SUBSCRIBED: i64 = 204;
    pub const PERSON_LIST_UNSUBSCRIBED: i64 = 205;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A Person as the live API returns it (shape from Outseta's docs and demos), with
    /// every timestamp form and two custom properties.
    pub(crate) fn live_person() -> Value {
        json!({
            "Uid": "DQ2DyknW",
            "Email": "jane.doe@example.com",
            "FirstName": "Jane",
            "LastName": "Doe",
            "FullName": "Jane Doe",
            "PhoneMobile": "",
            "PhoneWork": "+1 555 010 2030",
            "Title": null,
            "IPAddress": "203.0.113.9",
            "ProfileImageS3Url": null,
            "MailingAddress": {
                "AddressLine1": "1 Main St", "City": "Boston", "State": "MA",
                "PostalCode": "02110", "Country": "US", "Uid": "a1", "GeoLocation": null,
                "Created": "0001-01-01T00:00:00", "Updated": "0001-01-01T00:00:00"
            },
            "PasswordMustChange": false,
            "LastLoginDateTime": "2018-05-01T10:00:00-05:00",
            "OAuthIntegrationStatus": 0,
            "PersonAccount": [{
                "Person": null, "Account": null, "IsPrimary": true, "ReceiveInvoices": false,
                "Uid": "pa1", "Created": "2023-04-11T18:23:43", "Updated": "2023-04-11T18:23:43"
            }],
            "_objectType": "Person",
            "SchemaLessDataLoaded": true,
            "Created": "2023-04-11T18:23:43",
            "Updated": "2021-01-24T23:03:35.2226324Z",
            "CoffeePreference": "Latte",
            "Interests": "[\"golf\",\"chess\"]"
        })
    }

    #[test]
    fn a_live_person_parses_and_keeps_custom_properties() {
        let person: Person = serde_json::from_value(live_person()).unwrap();
        assert_eq!(person.uid.as_deref(), Some("DQ2DyknW"));
        assert_eq!(person.ip_address.as_deref(), Some("203.0.113.9"));
        assert_eq!(person.object_type.as_deref(), Some("Person"));
        assert_eq!(
            person.mailing_address.as_ref().unwrap().city.as_deref(),
            Some("Boston")
        );
        assert!(person
            .mailing_address
            .as_ref()
            .unwrap()
            .created
            .as_ref()
            .unwrap()
            .is_stub());
        assert_eq!(
            person.person_account.as_ref().unwrap()[0].is_primary,
            Some(true)
        );
        assert_eq!(person.custom.get("CoffeePreference"), Some(&json!("Latte")));
        assert_eq!(person.custom.len(), 2, "{:?}", person.custom.keys());
        assert!(person.updated.unwrap() < person.created.unwrap());
    }

    #[test]
    fn a_person_round_trips_without_losing_a_key() {
        let input = live_person();
        let person: Person = serde_json::from_value(input.clone()).unwrap();
        let output = serde_json::to_value(&person).unwrap();
        // Nulls are left out on the way back; every other key and value survives.
        let mut expected = input.as_object().unwrap().clone();
        expected.retain(|_, v| !v.is_null());
        if let Some(Value::Object(address)) = expected.get_mut("MailingAddress") {
            address.retain(|_, v| !v.is_null());
        }
        if let Some(Value::Array(memberships)) = expected.get_mut("PersonAccount") {
            for m in memberships {
                m.as_object_mut().unwrap().retain(|_, v| !v.is_null());
            }
        }
        assert_eq!(output, Value::Object(expected));
    }

    #[test]
    fn an_account_with_stage_subscription_and_members_parses() {
        let account: Account = serde_json::from_value(json!({
            "Uid": "acc1", "Name": "Acme", "AccountStage": 3, "AccountStageLabel": "Subscribing",
            "CurrentSubscription": {
                "Uid": "s1", "BillingRenewalTerm": 1, "Plan": {"Uid": "p1", "Name": "Pro"},
                "StartDate": "2024-01-01T00:00:00", "EndDate": null, "Rate": 49.0,
                "Created": "2024-01-01T00:00:00Z", "Updated": "2024-01-02T00:00:00.1234567Z"
            },
            "PersonAccount": [{"Person": {"Uid": "DQ2DyknW", "Email": "a@b.co"}, "IsPrimary": true}],
            "LifetimeRevenue": 490.5,
            "Mascot": "Roadrunner",
            "AccountSpecificPageUrl1": "https://example.com"
        }))
        .unwrap();
        assert_eq!(account.account_stage.unwrap().label(), Some("Subscribing"));
        assert_eq!(AccountStage(1).label(), None);
        let subscription = account.current_subscription.as_ref().unwrap();
        assert_eq!(subscription.billing_renewal_term, Some(1));
        assert_eq!(
            account.person_account.as_ref().unwrap()[0]
                .person
                .as_ref()
                .unwrap()
                .email
                .as_deref(),
            Some("a@b.co")
        );
        assert_eq!(account.custom.get("Mascot"), Some(&json!("Roadrunner")));
        assert!(account.custom.contains_key("AccountSpecificPageUrl1"));
    }

    #[test]
    fn activities_lists_and_definitions_parse() {
        let page: Page<Activity> = serde_json::from_value(json!({
            "metadata": {"limit": 25, "offset": 0, "total": 1},
            "items": [{
                "Uid": "act1", "Title": "Onboarding: book a call", "Description": "",
                "ActivityData": "{\"task\":true}", "ActivityDateTime": "2024-03-01T09:00:00",
                "ActivityType": 10, "EntityType": 2, "EntityUid": "DQ2DyknW",
                "Created": "2024-03-01T09:00:00", "Updated": "2024-03-01T09:00:00"
            }]
        }))
        .unwrap();
        assert!(page.is_last());
        assert_eq!(page.items[0].entity_type, Some(EntityType::PERSON));
        let definition: PropertyDefinition = serde_json::from_value(json!({
            "SystemName": "CoffeePreference", "Label": "Coffee", "ControlType": "HologramPicker",
            "ControlParams": "{\"Options\":[]}", "Hidden": false, "Position": 3
        }))
        .unwrap();
        assert_eq!(definition.control_type.as_deref(), Some("HologramPicker"));
        let subscription: EmailListSubscription = serde_json::from_value(json!({
            "Uid": "sub1", "EmailList": {"Uid": "l1", "Name": "Newsletter"},
            "Person": {"Uid": "DQ2DyknW"}, "EmailListSubscriberStatus": 1
        }))
        .unwrap();
        assert_eq!(
            subscription.email_list.unwrap().name.as_deref(),
            Some("Newsletter")
        );
    }

    #[test]
    fn page_end_is_detected_by_short_page_or_total() {
        let page = |offset, n, total| Page {
            metadata: PageMetadata {
                limit: 25,
                offset,
                total,
            },
            items: vec![(); n],
        };
        assert!(!page(0, 25, 60).is_last());
        assert!(!page(1, 25, 60).is_last());
        assert!(page(2, 10, 60).is_last());
        assert!(page(1, 25, 50).is_last());
        assert!(page(0, 0, 0).is_last());
    }

    #[test]
    fn wrong_types_are_errors_not_panics() {
        for bad in [
            json!({"Email": 5}),
            json!({"Created": "yesterday"}),
            json!({"PersonAccount": {"Uid": "x"}}),
            json!({"MailingAddress": "1 Main St"}),
            json!({"HasLoggedIn": "yes"}),
            json!([]),
            json!("Person"),
        ] {
            assert!(
                serde_json::from_value::<Person>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }
}
