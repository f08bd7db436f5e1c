//! The fields of a canonical contact: a small map from field name to value.
//!
//! A contact holds a dozen or two fields and is built, read in key order, compared and
//! dropped several times per pair in a Plan. A `BTreeMap<String, Value>` paid for that
//! with an allocated `String` per key (even for the 16 standard names, which are
//! `&'static str` in `FIELDS`), B-tree nodes allocated and freed, and `memcmp`s on every
//! look-up. `Fields` is one `Vec` kept sorted by name, in the same (byte-wise) order the
//! `BTreeMap` had, so everything that walks or writes it sees the same sequence and the
//! Plans stay byte for byte the same; standard names borrow the static name and only
//! custom-field names (`customFields.<key>`) are owned.

use std::borrow::{Borrow, Cow};
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// A canonical field name: a standard field's static name, or an owned custom-field
/// name. Compares, orders and hashes as the text it holds.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldName(Cow<'static, str>);

impl FieldName {
    /// The standard field called `name`, if there is one: no allocation. A `match`
    /// on literals compiles to a few integer compares, where a search of `FIELDS`
    /// called `memcmp` for each name of the same length (a test keeps the two equal).
    fn standard(name: &str) -> Option<FieldName> {
        let name = match name {
            "email" => "email",
            "firstName" => "firstName",
            "lastName" => "lastName",
            "name" => "name",
            "phone" => "phone",
            "address1" => "address1",
            "city" => "city",
            "state" => "state",
            "postalCode" => "postalCode",
            "country" => "country",
            "website" => "website",
            "timezone" => "timezone",
            "companyName" => "companyName",
            "source" => "source",
            "dateOfBirth" => "dateOfBirth",
            "dnd" => "dnd",
            _ => return None,
        };
        Some(FieldName(Cow::Borrowed(name)))
    }

    /// A name known at compile time (a `FieldDef`'s): no look-up, no allocation.
    pub const fn from_static(name: &'static str) -> FieldName {
        FieldName(Cow::Borrowed(name))
    }

    #[inline]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for FieldName {
    fn from(name: &str) -> FieldName {
        FieldName::standard(name).unwrap_or_else(|| FieldName(Cow::Owned(name.to_owned())))
    }
}

impl From<String> for FieldName {
    fn from(name: String) -> FieldName {
        FieldName::standard(&name).unwrap_or(FieldName(Cow::Owned(name)))
    }
}

impl std::ops::Deref for FieldName {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for FieldName {
    #[inline]
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for FieldName {
    #[inline]
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for FieldName {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl fmt::Debug for FieldName {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl Serialize for FieldName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for FieldName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FieldName, D::Error> {
        struct NameVisitor;
        impl Visitor<'_> for NameVisitor {
            type Value = FieldName;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E>(self, name: &str) -> Result<FieldName, E> {
                Ok(FieldName::from(name))
            }
            fn visit_string<E>(self, name: String) -> Result<FieldName, E> {
                Ok(FieldName::from(name))
            }
        }
        d.deserialize_str(NameVisitor)
    }
}

/// Field name -> value, sorted by name, each name once. The map API the code uses, with
/// look-ups by `&str`.
#[derive(Clone, Default, PartialEq)]
pub struct Fields(Vec<(FieldName, Value)>);

type Entry = (FieldName, Value);

impl Fields {
    pub fn new() -> Fields {
        Fields(Vec::new())
    }

    /// Where `name` is, or where it would go.
    #[inline]
    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }

    #[inline]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.find(name).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// Sets `name` to `value`, giving back the value it replaces. The name is made only
    /// when the field is new (a standard name never allocates).
    pub fn insert(
        &mut self,
        name: impl AsRef<str> + Into<FieldName>,
        value: Value,
    ) -> Option<Value> {
        // Fields mostly arrive in order (parsed from a sorted state, copied from a
        // sorted map): appending needs no search.
        if self
            .0
            .last()
            .is_none_or(|(last, _)| last.as_str() < name.as_ref())
        {
            if self.0.capacity() == 0 {
                // A contact has a handful of fields to a dozen: skip the regrowths
                // from Vec's first 4. (12 x 56 bytes: 8 left a regrowth for one
                // contact in four; 20 made glibc consolidate larger chunks.)
                self.0.reserve_exact(12);
            }
            self.0.push((name.into(), value));
            return None;
        }
        match self.find(name.as_ref()) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (name.into(), value));
                None
            }
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.find(name).ok().map(|i| self.0.remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields in name order.
    pub fn iter(&self) -> Iter<'_> {
        self.0
            .iter()
            .map(entry_ref as fn(&Entry) -> (&FieldName, &Value))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &FieldName> + ExactSizeIterator {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&FieldName, &mut Value) -> bool) {
        self.0.retain_mut(|(k, v)| keep(k, v));
    }
}

fn entry_ref(entry: &Entry) -> (&FieldName, &Value) {
    (&entry.0, &entry.1)
}

/// `Fields::iter`: (name, value) in name order.
pub type Iter<'a> =
    std::iter::Map<std::slice::Iter<'a, Entry>, fn(&'a Entry) -> (&'a FieldName, &'a Value)>;

impl<'a> IntoIterator for &'a Fields {
    type Item = (&'a FieldName, &'a Value);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl IntoIterator for Fields {
    type Item = (FieldName, Value);
    type IntoIter = std::vec::IntoIter<Entry>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<K: Into<FieldName>> FromIterator<(K, Value)> for Fields {
    /// As a `BTreeMap` collects: sorted by name, and of a name given twice the last
    /// value counts.
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Fields {
        let mut entries: Vec<Entry> = iter.into_iter().map(|(k, v)| (k.into(), v)).collect();
        let ordered = entries
            .windows(2)
            .all(|w| w[0].0.as_str() < w[1].0.as_str());
        if !ordered {
            // Reversed, a stable sort puts the last of equal names first, and `dedup`
            // keeps the first of each run.
            entries.reverse();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            entries.dedup_by(|later, first| later.0 == first.0);
        }
        Fields(entries)
    }
}

impl<K: Into<FieldName> + AsRef<str>> Extend<(K, Value)> for Fields {
    fn extend<I: IntoIterator<Item = (K, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<K: Into<FieldName>, const N: usize> From<[(K, Value); N]> for Fields {
    fn from(entries: [(K, Value); N]) -> Fields {
        entries.into_iter().collect()
    }
}

impl fmt::Debug for Fields {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Fields {
    /// A JSON object, in name order.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Fields {
    /// From a JSON object; of a name given twice the last value counts (as a
    /// `BTreeMap` read it).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Fields, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = Fields;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of fields")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
                let mut fields = Fields(Vec::with_capacity(map.size_hint().unwrap_or(0)));
                while let Some((name, value)) = map.next_entry::<FieldName, Value>()? {
                    fields.insert(name, value);
                }
                Ok(fields)
            }
        }
        d.deserialize_map(FieldsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{CUSTOM_PREFIX, FIELDS};
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[test]
    fn the_standard_names_are_exactly_fields() {
        for f in FIELDS {
            let name = FieldName::standard(f.name).map(|n| n.0);
            assert!(
                matches!(name, Some(Cow::Borrowed(n)) if n == f.name),
                "{}",
                f.name
            );
        }
        let standard = |n: &str| FieldName::standard(n).is_some();
        assert!(!standard("Email") && !standard("customFields.email") && !standard(""));
    }

    #[test]
    fn standard_names_are_static_and_custom_names_owned() {
        assert!(matches!(FieldName::from("email").0, Cow::Borrowed(_)));
        assert!(matches!(
            FieldName::from("dnd".to_owned()).0,
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            FieldName::from("customFields.contact.x").0,
            Cow::Owned(_)
        ));
        assert!(matches!(FieldName::from("emial").0, Cow::Owned(_)));
    }

    #[test]
    fn behaves_as_the_btreemap_it_replaces() {
        // Names out of order, a name twice, standard and custom names.
        let entries = [
            ("phone", json!("+1")),
            ("customFields.b", json!(2)),
            ("email", json!("a@b.co")),
            ("customFields.a", json!([1])),
            ("phone", json!("+2")),
            ("address1", json!("1 Main")),
        ];
        let map: BTreeMap<String, Value> = entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        let fields: Fields = entries.iter().map(|(k, v)| (*k, v.clone())).collect();
        let mut inserted = Fields::new();
        for (k, v) in entries.iter().cloned() {
            inserted.insert(k, v);
        }
        assert_eq!(fields, inserted);
        assert_eq!(
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<Vec<_>>(),
            map.iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            serde_json::to_string(&fields).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
        assert_eq!(fields.get("phone"), Some(&json!("+2")));
        assert_eq!(fields.len(), 5);
        assert!(fields.contains_key("customFields.a") && !fields.contains_key("city"));

        let mut less = fields.clone();
        assert_eq!(less.remove("email"), Some(json!("a@b.co")));
        assert_eq!(less.remove("email"), None);
        assert_eq!(less.insert("phone", json!("+3")), Some(json!("+2")));
        less.retain(|k, _| !k.starts_with(CUSTOM_PREFIX));
        assert_eq!(
            less.keys().map(|k| k.as_str()).collect::<Vec<_>>(),
            ["address1", "phone"]
        );
    }

    #[test]
    fn reads_a_json_object_with_the_last_duplicate_winning() {
        let text = r#"{"phone":"+1","email":"a@b.co","customFields.x":1,"phone":"+2"}"#;
        let fields: Fields = serde_json::from_str(text).unwrap();
        let map: BTreeMap<String, Value> = serde_json::from_str(text).unwrap();
        assert_eq!(
            serde_json::to_string(&fields).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
        // Names read from text are interned as any other: standard ones borrowed.
        assert!(fields
            .keys()
            .all(|k| matches!(k.0, Cow::Borrowed(_)) != k.starts_with(CUSTOM_PREFIX)));
        assert!(serde_json::from_str::<Fields>("[1]").is_err());
        assert!(serde_json::from_str::<Fields>(r#"{"email":1,}"#).is_err());
    }
}
