//! Reading records: Outseta People, GHL contacts or canonical contacts, straight from
//! JSON text into the few fields dedup compares (unknown keys are skipped unparsed, so a
//! million records never exist as a `serde_json::Value` tree). Whatever a record holds,
//! reading it never fails: a wrong type or an oversized value is dropped with a reason.

use std::borrow::Cow;
use std::fmt;

use crate::phone::{self, Region};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Serialize;

use super::config::{Config, ShapeOption};
use super::normalize;

/// The shape a record was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    Outseta,
    Ghl,
}

/// A field of one record that was not used, and why (reported in `stats.fieldIssues`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldIssue {
    pub index: usize,
    pub field: String,
    pub reason: String,
}

/// One record as compared: every value normalised, empty strings for absent fields.
#[derive(Debug, Clone, Default)]
pub struct Contact {
    pub id: String,
    pub index: usize,
    pub shape: Option<Shape>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub first: String,
    /// `first`'s full form when it is a known nickname (`bob` -> `robert`).
    pub first_nick: Option<&'static str>,
    pub last: String,
    pub dob: Option<u32>,
    pub postcode: String,
    pub address: String,
    pub city: String,
    /// (index into `Config::extra_fields`, folded value)
    pub extra: Vec<(usize, String)>,
}

impl Contact {
    /// Enough to ever be matched: an email, a phone, or a name.
    pub fn usable(&self) -> bool {
        !self.emails.is_empty()
            || !self.phones.is_empty()
            || !self.first.is_empty()
            || !self.last.is_empty()
    }
}

/// What reading one array element gave: a contact, or why the record was skipped.
pub type Read = Result<(Contact, Vec<FieldIssue>), String>;

/// The config's settings that reading needs, resolved once.
pub struct Reader<'c> {
    pub config: &'c Config,
    pub region: Option<Region>,
}

impl<'c> Reader<'c> {
    pub fn new(config: &'c Config) -> Self {
        Reader {
            config,
            region: phone::region(&config.default_region),
        }
    }

    /// Reads a JSON array of records. Only a top level that is not an array (or not JSON)
    /// is an error; every element gives a `Read`.
    pub fn read_array(&self, json: &str) -> Result<Vec<Read>, ReadError> {
        self.read_array_at(json, 0)
    }

    /// `read_array` for one part of a longer batch: the records' indexes (ids of records
    /// without one, issues) start at `first`.
    pub fn read_array_at(&self, json: &str, first: usize) -> Result<Vec<Read>, ReadError> {
        let mut out = Vec::new();
        self.read_array_each(json, first, &mut |read| out.push(read))?;
        Ok(out)
    }

    /// `read_array_at` handing each record to `sink` as it is read, so a batch moves each
    /// `Contact` once into its own list instead of through a `Vec<Read>` first. On an
    /// error some records may already have been handed over. Returns how many were.
    pub fn read_array_each(
        &self,
        json: &str,
        first: usize,
        sink: &mut dyn FnMut(Read),
    ) -> Result<usize, ReadError> {
        let mut de = serde_json::Deserializer::from_str(json);
        let out = ArraySeed(self, first, sink)
            .deserialize(&mut de)
            .map_err(|e| ReadError(e.to_string()))?;
        de.end().map_err(|e| ReadError(e.to_string()))?;
        out.ok_or_else(|| ReadError("expected an array of records".to_owned()))
    }

    /// Reads one record (an object); `index` is what its issues are reported under.
    pub fn read_one(&self, json: &str, index: usize) -> Result<Read, ReadError> {
        let mut de = serde_json::Deserializer::from_str(json);
        let out = RecordSeed {
            reader: self,
            index,
        }
        .deserialize(&mut de)
        .map_err(|e| ReadError(e.to_string()))?;
        de.end().map_err(|e| ReadError(e.to_string()))?;
        Ok(out)
    }
}

#[derive(Debug)]
pub struct ReadError(pub String);

struct ArraySeed<'r, 'c, 's>(&'r Reader<'c>, usize, &'s mut dyn FnMut(Read));

impl<'de> DeserializeSeed<'de> for ArraySeed<'_, '_, '_> {
    /// `None`: the top level was not an array; else how many records were read.
    type Value = Option<usize>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_, '_, '_> {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut count = 0;
        while let Some(read) = seq.next_element_seed(RecordSeed {
            reader: self.0,
            index: self.1 + count,
        })? {
            (self.2)(read);
            count += 1;
        }
        Ok(Some(count))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A JSON value read leniently: strings (borrowed from the text when they hold no
/// escapes) and numbers kept, anything else named.
enum Loose<'de> {
    Str(Cow<'de, str>),
    Num(f64),
    Null,
    Other(&'static str),
}

impl<'de> de::Deserialize<'de> for Loose<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Loose<'de>, E> {
        Ok(Loose::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Loose<'de>, E> {
        Ok(Loose::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Loose<'de>, E> {
        Ok(Loose::Str(Cow::Owned(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Loose<'de>, E> {
        Ok(Loose::Num(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Loose<'de>, E> {
        Ok(Loose::Num(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Loose<'de>, E> {
        Ok(Loose::Num(v))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Loose<'de>, E> {
        Ok(Loose::Other("boolean"))
    }
    fn visit_unit<E>(self) -> Result<Loose<'de>, E> {
        Ok(Loose::Null)
    }
    fn visit_none<E>(self) -> Result<Loose<'de>, E> {
        Ok(Loose::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Loose::Other("array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Loose::Other("object"))
    }
}

/// A list whose items are strings or objects holding one (`additionalEmails` items are
/// `"a@b.co"` or `{ "email": "a@b.co" }`; GHL `customFields` items are `{ id, value }`).
struct Items<'de>(Vec<(Option<String>, Loose<'de>)>);

impl<'de> de::Deserialize<'de> for Items<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ItemsVisitor)
    }
}

struct ItemsVisitor;

impl<'de> Visitor<'de> for ItemsVisitor {
    type Value = Items<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Items<'de>, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element::<Item<'de>>()? {
            if out.len() < 64 {
                out.push((item.key, item.value));
            }
        }
        Ok(Items(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Items<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Items(vec![(None, Loose::Other("object"))]))
    }
    fn visit_str<E>(self, _: &str) -> Result<Items<'de>, E> {
        Ok(Items(vec![(None, Loose::Other("string"))]))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Items<'de>, E> {
        Ok(Items(vec![(None, Loose::Other("number"))]))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Items<'de>, E> {
        Ok(Items(vec![(None, Loose::Other("number"))]))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Items<'de>, E> {
        Ok(Items(vec![(None, Loose::Other("number"))]))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Items<'de>, E> {
        Ok(Items(vec![(None, Loose::Other("boolean"))]))
    }
    fn visit_unit<E>(self) -> Result<Items<'de>, E> {
        Ok(Items(Vec::new()))
    }
}

/// One list item: a bare value, or an object with a key (`id`/`key`/`fieldKey`) and a
/// value (`value`/`email`/`phone`/`field_value`).
struct Item<'de> {
    key: Option<String>,
    value: Loose<'de>,
}

impl<'de> de::Deserialize<'de> for Item<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ItemVisitor)
    }
}

struct ItemVisitor;

impl<'de> Visitor<'de> for ItemVisitor {
    type Value = Item<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list item")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Item<'de>, A::Error> {
        let (mut key, mut value) = (None, Loose::Null);
        while let Some(k) = map.next_key::<String>()? {
            match k.as_str() {
                "id" | "key" | "fieldKey" => {
                    if let Loose::Str(s) = map.next_value::<Loose>()? {
                        key = Some(s.into_owned());
                    }
                }
                "value" | "email" | "phone" | "field_value" => value = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Item { key, value })
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Item<'de>, E> {
        Ok(Item {
            key: None,
            value: Loose::Str(Cow::Borrowed(v)),
        })
    }
    fn visit_str<E>(self, v: &str) -> Result<Item<'de>, E> {
        Ok(Item {
            key: None,
            value: Loose::Str(Cow::Owned(v.to_owned())),
        })
    }
    fn visit_i64<E>(self, v: i64) -> Result<Item<'de>, E> {
        Ok(Item {
            key: None,
            value: Loose::Num(v as f64),
        })
    }
    fn visit_u64<E>(self, v: u64) -> Result<Item<'de>, E> {
        Ok(Item {
            key: None,
            value: Loose::Num(v as f64),
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Item<'de>, E> {
        Ok(Item {
            key: None,
            value: Loose::Num(v),
        })
    }
    fn visit_bool<E>(self, _: bool) -> Result<Item<'de>, E> {
        Ok(Item {
            key: None,
            value: Loose::Other("boolean"),
        })
    }
    fn visit_unit<E>(self) -> Result<Item<'de>, E> {
        Ok(Item {
            key: None,
            value: Loose::Null,
        })
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Item<'de>, A::Error> {
        LooseVisitor
            .visit_seq(seq)
            .map(|value| Item { key: None, value })
    }
}

/// The raw values of one record, before normalisation.
#[derive(Default)]
struct Raw<'de> {
    id: Option<Cow<'de, str>>,
    outseta_keys: usize,
    ghl_keys: usize,
    emails: Vec<(&'static str, Cow<'de, str>)>,
    phones: Vec<(&'static str, Cow<'de, str>)>,
    first: Option<Cow<'de, str>>,
    last: Option<Cow<'de, str>>,
    full: Option<Cow<'de, str>>,
    address: Option<Cow<'de, str>>,
    city: Option<Cow<'de, str>>,
    postcode: Option<Cow<'de, str>>,
    /// (index into `Config::dob_fields`, value)
    dob: Option<(usize, Loose<'de>)>,
    extra: Vec<(usize, Cow<'de, str>)>,
    issues: Vec<(String, String)>,
}

/// Where a known key goes. `O`: an Outseta (PascalCase) key; `G`: GHL/canonical.
#[derive(Clone, Copy)]
enum Slot {
    Id,
    Email,
    Phone,
    First,
    Last,
    Full,
    Address,
    City,
    Postcode,
    MailingAddress,
    AdditionalEmails,
    AdditionalPhones,
    CustomFields,
}

fn slot(key: &str) -> Option<(Slot, bool, &'static str)> {
    use Slot::*;
    // (slot, is an Outseta key, the field name reported in issues)
    Some(match key {
        "Uid" => (Id, true, "Uid"),
        "Email" => (Email, true, "Email"),
        "PhoneMobile" => (Phone, true, "PhoneMobile"),
        "PhoneWork" => (Phone, true, "PhoneWork"),
        "FirstName" => (First, true, "FirstName"),
        "LastName" => (Last, true, "LastName"),
        "FullName" => (Full, true, "FullName"),
        "MailingAddress" => (MailingAddress, true, "MailingAddress"),
        "id" => (Id, false, "id"),
        "email" => (Email, false, "email"),
        "phone" => (Phone, false, "phone"),
        "firstName" => (First, false, "firstName"),
        "lastName" => (Last, false, "lastName"),
        "name" | "contactName" => (Full, false, "name"),
        "address1" | "address" => (Address, false, "address1"),
        "city" => (City, false, "city"),
        "postalCode" => (Postcode, false, "postalCode"),
        "additionalEmails" => (AdditionalEmails, false, "additionalEmails"),
        "additionalPhones" => (AdditionalPhones, false, "additionalPhones"),
        "customFields" | "customField" => (CustomFields, false, "customFields"),
        _ => return None,
    })
}

struct RecordSeed<'r, 'c> {
    reader: &'r Reader<'c>,
    index: usize,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_, '_> {
    type Value = Read;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Read, D::Error> {
        d.deserialize_any(self)
    }
}

impl RecordSeed<'_, '_> {
    fn not_object(&self, found: &str) -> Read {
        Err(format!("not an object (found {found})"))
    }

    /// A string value, or an issue saying why not (numbers are accepted for ids and phones).
    fn text<'de>(
        &self,
        raw: &mut Raw<'de>,
        field: &str,
        value: Loose<'de>,
        numbers_ok: bool,
    ) -> Option<Cow<'de, str>> {
        let max = self.reader.config.max_field_length;
        match value {
            // A string is never longer in characters than in bytes: count only long ones.
            Loose::Str(s) if s.len() > max && s.chars().count() > max => {
                raw.issues
                    .push((field.to_owned(), format!("longer than {max} characters")));
                None
            }
            Loose::Str(s) if s.trim().is_empty() => None,
            Loose::Str(s) => Some(s),
            Loose::Num(n) if numbers_ok && n.is_finite() && n.fract() == 0.0 && n.abs() < 1e17 => {
                Some(Cow::Owned(format!("{n:.0}")))
            }
            Loose::Null => None,
            Loose::Num(_) => {
                raw.issues.push((
                    field.to_owned(),
                    "expected a string, found number".to_owned(),
                ));
                None
            }
            Loose::Other(found) => {
                raw.issues.push((
                    field.to_owned(),
                    format!("expected a string, found {found}"),
                ));
                None
            }
        }
    }

    fn extra_or_dob<'de>(&self, raw: &mut Raw<'de>, key: &str, value: Loose<'de>) {
        let config = self.reader.config;
        if let Some(i) = config.dob_fields.iter().position(|f| f == key) {
            if raw.dob.is_none() && !matches!(value, Loose::Null) {
                raw.dob = Some((i, value));
            }
        } else if let Some(i) = config.extra_fields.iter().position(|f| f == key) {
            if let Some(text) = self.text(raw, key, value, true) {
                raw.extra.push((i, text));
            }
        }
    }
}

/// The config's name for a configured date-of-birth or extra field.
fn wanted<'c>(config: &'c Config, key: &str) -> Option<&'c str> {
    config
        .dob_fields
        .iter()
        .chain(&config.extra_fields)
        .find(|f| *f == key)
        .map(String::as_str)
}

impl<'de> Visitor<'de> for RecordSeed<'_, '_> {
    type Value = Read;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Read, A::Error> {
        let shape = self.reader.config.shape;
        let mut raw = Raw::default();
        while let Some(key) = map.next_key_seed(KeySeed(self.reader.config))? {
            let (slot, outseta, field) = match key {
                Key::Known(slot, outseta, field) => (slot, outseta, field),
                Key::Wanted(key) => {
                    let value = map.next_value::<Loose>()?;
                    self.extra_or_dob(&mut raw, key, value);
                    continue;
                }
                Key::Ignored => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            let skip = match shape {
                ShapeOption::Auto => false,
                ShapeOption::Outseta => !outseta,
                ShapeOption::Ghl | ShapeOption::Canonical => outseta,
            };
            if skip {
                // A configured dob/extra field may still share the name (e.g. "dateOfBirth").
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            if outseta {
                raw.outseta_keys += 1;
            } else {
                raw.ghl_keys += 1;
            }
            match slot {
                Slot::MailingAddress => {
                    let address = map.next_value::<Mailing>()?;
                    if let Some(found) = address.wrong_type {
                        raw.issues.push((
                            "MailingAddress".to_owned(),
                            format!("expected an object, found {found}"),
                        ));
                    }
                    for (field, value) in address.fields {
                        let name = match field {
                            Slot::Address => "MailingAddress.AddressLine1",
                            Slot::City => "MailingAddress.City",
                            _ => "MailingAddress.PostalCode",
                        };
                        if let Some(text) = self.text(&mut raw, name, value, true) {
                            match field {
                                Slot::Address => raw.address = Some(text),
                                Slot::City => raw.city = Some(text),
                                _ => raw.postcode = Some(text),
                            }
                        }
                    }
                }
                Slot::AdditionalEmails | Slot::AdditionalPhones | Slot::CustomFields => {
                    let Items(items) = map.next_value::<Items>()?;
                    for (item_key, value) in items {
                        match slot {
                            Slot::AdditionalEmails => {
                                if let Some(text) = self.text(&mut raw, field, value, false) {
                                    raw.emails.push((field, text));
                                }
                            }
                            Slot::AdditionalPhones => {
                                if let Some(text) = self.text(&mut raw, field, value, true) {
                                    raw.phones.push((field, text));
                                }
                            }
                            _ => match item_key {
                                Some(k) => self.extra_or_dob(&mut raw, &k, value),
                                None => raw.issues.push((
                                    field.to_owned(),
                                    "expected a list of { id, value }".to_owned(),
                                )),
                            },
                        }
                    }
                }
                _ => {
                    let value = map.next_value::<Loose>()?;
                    let numbers_ok = matches!(slot, Slot::Id | Slot::Phone | Slot::Postcode);
                    let Some(text) = self.text(&mut raw, field, value, numbers_ok) else {
                        continue;
                    };
                    match slot {
                        Slot::Id => raw.id = Some(text),
                        Slot::Email => raw.emails.push((field, text)),
                        Slot::Phone => raw.phones.push((field, text)),
                        Slot::First => raw.first = Some(text),
                        Slot::Last => raw.last = Some(text),
                        Slot::Full => raw.full = Some(text),
                        Slot::Address => raw.address = Some(text),
                        Slot::City => raw.city = Some(text),
                        _ => raw.postcode = Some(text),
                    }
                }
            }
        }
        Ok(Ok(self.reader.normalise(raw, self.index)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Read, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(self.not_object("array"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Read, E> {
        Ok(self.not_object("string"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Read, E> {
        Ok(self.not_object("number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Read, E> {
        Ok(self.not_object("number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Read, E> {
        Ok(self.not_object("number"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Read, E> {
        Ok(self.not_object("boolean"))
    }
    fn visit_unit<E>(self) -> Result<Read, E> {
        Ok(self.not_object("null"))
    }
}

/// A key: one dedup reads (borrowed, no allocation), or any other (owned only when the
/// config may want it).
enum Key<'c> {
    Known(Slot, bool, &'static str),
    /// A configured date-of-birth or extra field.
    /// The config's own copy of the name (no allocation per record).
    Wanted(&'c str),
    Ignored,
}

struct KeySeed<'c>(&'c Config);

impl<'de, 'c> DeserializeSeed<'de> for KeySeed<'c> {
    type Value = Key<'c>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Key<'c>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, 'c> Visitor<'de> for KeySeed<'c> {
    type Value = Key<'c>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E>(self, v: &str) -> Result<Key<'c>, E> {
        Ok(match slot(v) {
            Some((slot, outseta, field)) => Key::Known(slot, outseta, field),
            None => match wanted(self.0, v) {
                Some(name) => Key::Wanted(name),
                None => Key::Ignored,
            },
        })
    }
}

/// Outseta's `MailingAddress` object: the three parts dedup compares.
struct Mailing<'de> {
    fields: Vec<(Slot, Loose<'de>)>,
    wrong_type: Option<&'static str>,
}

impl<'de> de::Deserialize<'de> for Mailing<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MailingVisitor)
    }
}

struct MailingVisitor;

impl MailingVisitor {
    fn wrong<'de, E>(found: &'static str) -> Result<Mailing<'de>, E> {
        Ok(Mailing {
            fields: Vec::new(),
            wrong_type: Some(found),
        })
    }
}

/// A `MailingAddress` key: the part it names, read without allocating.
struct MailingKey;

impl<'de> DeserializeSeed<'de> for MailingKey {
    type Value = Option<Slot>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<Slot>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for MailingKey {
    type Value = Option<Slot>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E>(self, v: &str) -> Result<Option<Slot>, E> {
        Ok(match v {
            "AddressLine1" => Some(Slot::Address),
            "City" => Some(Slot::City),
            "PostalCode" => Some(Slot::Postcode),
            _ => None,
        })
    }
}

impl<'de> Visitor<'de> for MailingVisitor {
    type Value = Mailing<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an address object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Mailing<'de>, A::Error> {
        let mut fields = Vec::new();
        while let Some(slot) = map.next_key_seed(MailingKey)? {
            let Some(slot) = slot else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            fields.push((slot, map.next_value::<Loose>()?));
        }
        Ok(Mailing {
            fields,
            wrong_type: None,
        })
    }
    fn visit_unit<E>(self) -> Result<Mailing<'de>, E> {
        Ok(Mailing {
            fields: Vec::new(),
            wrong_type: None,
        })
    }
    fn visit_str<E>(self, _: &str) -> Result<Mailing<'de>, E> {
        Self::wrong("string")
    }
    fn visit_i64<E>(self, _: i64) -> Result<Mailing<'de>, E> {
        Self::wrong("number")
    }
    fn visit_u64<E>(self, _: u64) -> Result<Mailing<'de>, E> {
        Self::wrong("number")
    }
    fn visit_f64<E>(self, _: f64) -> Result<Mailing<'de>, E> {
        Self::wrong("number")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Mailing<'de>, E> {
        Self::wrong("boolean")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Mailing<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Self::wrong("array")
    }
}

impl Reader<'_> {
    fn normalise(&self, raw: Raw<'_>, index: usize) -> (Contact, Vec<FieldIssue>) {
        let config = self.config;
        let mut issues: Vec<FieldIssue> = raw
            .issues
            .into_iter()
            .map(|(field, reason)| FieldIssue {
                index,
                field,
                reason,
            })
            .collect();
        let mut issue = |field: &str, reason: &str| {
            issues.push(FieldIssue {
                index,
                field: field.to_owned(),
                reason: reason.to_owned(),
            })
        };
        let mut c = Contact {
            index,
            id: raw.id.map_or_else(|| format!("#{index}"), Cow::into_owned),
            shape: match (raw.outseta_keys, raw.ghl_keys) {
                (0, 0) => None,
                (o, g) if o >= g => Some(Shape::Outseta),
                _ => Some(Shape::Ghl),
            },
            ..Contact::default()
        };
        if config.rules.email {
            for (field, text) in &raw.emails {
                match normalize::email(text, config.gmail_rules) {
                    Ok(e) if !c.emails.contains(&e) => c.emails.push(e),
                    Ok(_) => {}
                    Err(reason) => issue(field, reason),
                }
            }
        }
        if config.rules.phone {
            for (field, text) in &raw.phones {
                match phone::to_e164(text, self.region).map_err(phone::PhoneError::reason) {
                    Ok(p) if !c.phones.contains(&p) => c.phones.push(p),
                    Ok(_) => {}
                    Err(reason) => issue(field, reason),
                }
            }
        }
        let (mut first, mut last) = (
            raw.first
                .as_deref()
                .map(normalize::name)
                .unwrap_or_default(),
            raw.last.as_deref().map(normalize::name).unwrap_or_default(),
        );
        if first.is_empty() && last.is_empty() {
            if let Some(full) = raw.full.as_deref() {
                // Outseta's FullName falls back to the email: not a name.
                if !full.contains('@') {
                    let full = normalize::name(full);
                    match full.rsplit_once(' ') {
                        Some((f, l)) => {
                            first = f.to_owned();
                            last = l.to_owned();
                        }
                        None => last = full,
                    }
                }
            }
        }
        c.first_nick = normalize::nickname(&first);
        c.first = first;
        c.last = last;
        if let Some((field, value)) = raw.dob {
            let field = config
                .dob_fields
                .get(field)
                .map_or("dateOfBirth", String::as_str);
            let parsed = match value {
                Loose::Str(s) if s.len() <= 40 => normalize::dob_text(&s),
                Loose::Num(n) => normalize::dob_epoch_ms(n),
                Loose::Str(_) => Err("not a date"),
                Loose::Null => Err("empty"),
                Loose::Other(_) => Err("expected a date string or epoch milliseconds"),
            };
            match parsed {
                Ok(d) => c.dob = Some(d),
                Err(reason) => issue(field, reason),
            }
        }
        c.postcode = raw
            .postcode
            .as_deref()
            .map(normalize::postcode)
            .unwrap_or_default();
        c.address = raw
            .address
            .as_deref()
            .map(normalize::address)
            .unwrap_or_default();
        c.city = raw.city.as_deref().map(normalize::fold).unwrap_or_default();
        c.extra = raw
            .extra
            .into_iter()
            .map(|(i, v)| (i, normalize::fold(&v)))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        (c, issues)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Vec<Read> {
        Reader::new(&Config::default()).read_array(json).unwrap()
    }

    #[test]
    fn reads_an_outseta_person() {
        let reads = read(
            r#"[{"Uid":"DQ2DyknW","Email":" Jane.Doe+vip@Gmail.com","FirstName":"Jané","LastName":"Doe",
               "PhoneMobile":"","PhoneWork":"(202) 555-0173","MailingAddress":{"AddressLine1":"12 Main Street","City":"Springfield","PostalCode":"62704-1234","Country":"US"},
               "DateOfBirth":"1985-03-07","Account":{"Name":"x"},"CoffeePreference":"Latte"}]"#,
        );
        let (c, issues) = reads[0].as_ref().unwrap();
        assert_eq!(c.id, "DQ2DyknW");
        assert_eq!(c.shape, Some(Shape::Outseta));
        assert_eq!(c.emails, vec!["janedoe@gmail.com"]);
        assert_eq!(c.phones, vec!["+12025550173"]);
        assert_eq!((c.first.as_str(), c.last.as_str()), ("jane", "doe"));
        assert_eq!(c.dob, Some(19850307));
        assert_eq!(
            (c.address.as_str(), c.city.as_str(), c.postcode.as_str()),
            ("12 main st", "springfield", "62704")
        );
        assert!(issues.is_empty(), "{issues:?}");
    }

    #[test]
    fn reads_a_ghl_contact_with_custom_fields_and_extras() {
        let config = Config {
            extra_fields: vec!["memberNo".to_owned()],
            ..Config::default()
        };
        let reads = Reader::new(&config)
            .read_array(
                r#"[{"id":"c1","email":"A@B.co","phone":"+44 20 7183 8750","name":"Ann Lee","dateOfBirth":479001600000,
                    "additionalEmails":[{"email":"ann@work.co"},"ann@home.co"],"additionalPhones":["+12025550173"],
                    "customFields":[{"id":"memberNo","value":"  M-17 "}],"address1":"1 High Road","postalCode":"sw1a 1aa","tags":["x"]}]"#,
            )
            .unwrap();
        let (c, _) = reads[0].as_ref().unwrap();
        assert_eq!(c.shape, Some(Shape::Ghl));
        assert_eq!(c.emails, vec!["a@b.co", "ann@work.co", "ann@home.co"]);
        assert_eq!(c.phones, vec!["+442071838750", "+12025550173"]);
        assert_eq!((c.first.as_str(), c.last.as_str()), ("ann", "lee"));
        assert_eq!(c.dob, Some(19850307));
        assert_eq!(c.extra, vec![(0, "m 17".to_owned())]);
        assert_eq!(c.postcode, "SW1A1AA");
    }

    #[test]
    fn bad_records_are_skipped_and_bad_fields_reported() {
        let long = "x".repeat(5000);
        let json = format!(
            r#"[1, "s", null, [1], {{"Email": 42, "FirstName": {{"a":1}}, "LastName": "{long}", "PhoneWork": "call me", "DateOfBirth": true}}, {{}}]"#
        );
        let reads = read(&json);
        assert_eq!(reads.len(), 6);
        for (i, found) in ["number", "string", "null", "array"].iter().enumerate() {
            assert_eq!(
                reads[i].as_ref().unwrap_err(),
                &format!("not an object (found {found})")
            );
        }
        let (c, issues) = reads[4].as_ref().unwrap();
        assert!(!c.usable());
        let fields: Vec<&str> = issues.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["Email", "FirstName", "LastName", "PhoneWork", "DateOfBirth"]
        );
        assert_eq!(issues[2].reason, "longer than 320 characters");
        assert_eq!(reads[5].as_ref().unwrap().0.id, "#5");
    }

    #[test]
    fn forced_shape_reads_only_that_shape() {
        let config = Config {
            shape: ShapeOption::Outseta,
            ..Config::default()
        };
        let reads = Reader::new(&config)
            .read_array(r#"[{"Email":"a@b.co","email":"c@d.co"}]"#)
            .unwrap();
        assert_eq!(reads[0].as_ref().unwrap().0.emails, vec!["a@b.co"]);
    }

    #[test]
    fn a_top_level_that_is_not_an_array_is_an_error() {
        let config = Config::default();
        let reader = Reader::new(&config);
        for bad in ["{}", "3", "\"x\"", "null", "[1,", "[] x"] {
            assert!(reader.read_array(bad).is_err(), "{bad}");
        }
    }
}
