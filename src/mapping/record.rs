//! A record the mapping reads by path: a parsed `Value`, or a `Lean` tree read from
//! JSON text. The spec reads a dozen of a person's thirty-odd values, so the text path
//! keeps strings borrowed from the input and converts only the values it reads.

use std::borrow::Cow;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::json_type_name;

/// What the mapping needs of an Outseta person, whatever holds it.
pub trait Record {
    /// The value at a dotted path (`MailingAddress.City`, `PersonAccount.0.Account.Uid`).
    fn get_path(&self, path: &str) -> Option<Cow<'_, Value>>;
    /// The JSON type name, for errors (`object`, `array`, ...).
    fn type_name(&self) -> &'static str;
    fn is_null(&self) -> bool;
    fn is_object(&self) -> bool;
    /// Calls `f` with each top-level key `keep` accepts and its value, in key order, each
    /// key once (the last value of a key given twice), as a parsed JSON object iterates.
    /// `keep` sees only the key, so values that are not wanted are never converted.
    fn for_each_entry(&self, keep: &dyn Fn(&str) -> bool, f: &mut dyn FnMut(&str, Cow<'_, Value>));
}

impl Record for Value {
    fn get_path(&self, path: &str) -> Option<Cow<'_, Value>> {
        super::get_path(self, path).map(Cow::Borrowed)
    }
    fn type_name(&self) -> &'static str {
        json_type_name(self)
    }
    fn is_null(&self) -> bool {
        Value::is_null(self)
    }
    fn is_object(&self) -> bool {
        Value::is_object(self)
    }
    fn for_each_entry(&self, keep: &dyn Fn(&str) -> bool, f: &mut dyn FnMut(&str, Cow<'_, Value>)) {
        if let Value::Object(o) = self {
            for (k, v) in o.iter().filter(|(k, _)| keep(k)) {
                f(k, Cow::Borrowed(v));
            }
        }
    }
}

/// A JSON value read from text with its strings (and keys) borrowed from the text when
/// they hold no escapes, and objects kept as their entries in input order.
#[derive(Debug, Clone, PartialEq)]
pub enum Lean<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Lean<'a>>),
    Object(Vec<(Cow<'a, str>, Lean<'a>)>),
}

impl Lean<'_> {
    /// The value of `key`: the last one when the key is given twice, as in a parsed
    /// JSON object.
    fn field(&self, key: &str) -> Option<&Self> {
        match self {
            Lean::Object(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|e| &e.1),
            _ => None,
        }
    }

    fn step(&self, seg: &str) -> Option<&Self> {
        match self {
            Lean::Object(_) => self.field(seg),
            Lean::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        }
    }

    pub fn to_value(&self) -> Value {
        match self {
            Lean::Null => Value::Null,
            Lean::Bool(b) => Value::Bool(*b),
            Lean::Number(n) => Value::Number(n.clone()),
            Lean::String(s) => Value::String(s.as_ref().to_owned()),
            Lean::Array(a) => Value::Array(a.iter().map(Lean::to_value).collect()),
            Lean::Object(entries) => {
                // Inserting in input order leaves the last of a duplicate key, as parsing does.
                let mut map = Map::new();
                for (k, v) in entries {
                    map.insert(k.as_ref().to_owned(), v.to_value());
                }
                Value::Object(map)
            }
        }
    }
}

impl Record for Lean<'_> {
    fn get_path(&self, path: &str) -> Option<Cow<'_, Value>> {
        let node = if path.contains('.') {
            path.split('.').try_fold(self, |v, seg| v.step(seg))?
        } else {
            self.step(path)?
        };
        Some(Cow::Owned(node.to_value()))
    }
    fn type_name(&self) -> &'static str {
        match self {
            Lean::Null => "null",
            Lean::Bool(_) => "boolean",
            Lean::Number(_) => "number",
            Lean::String(_) => "string",
            Lean::Array(_) => "array",
            Lean::Object(_) => "object",
        }
    }
    fn is_null(&self) -> bool {
        matches!(self, Lean::Null)
    }
    fn is_object(&self) -> bool {
        matches!(self, Lean::Object(_))
    }
    fn for_each_entry(&self, keep: &dyn Fn(&str) -> bool, f: &mut dyn FnMut(&str, Cow<'_, Value>)) {
        let Lean::Object(entries) = self else {
            return;
        };
        // Key order, and the last of a duplicate key: a stable sort keeps duplicates in
        // input order, so the last of each run is the one a parsed object keeps.
        let mut order: Vec<&(Cow<str>, Lean)> = entries.iter().filter(|e| keep(&e.0)).collect();
        order.sort_by(|a, b| a.0.cmp(&b.0));
        for (i, (k, v)) in order.iter().map(|e| (&e.0, &e.1)).enumerate() {
            if order.get(i + 1).is_some_and(|next| next.0 == *k) {
                continue;
            }
            f(k, Cow::Owned(v.to_value()));
        }
    }
}

/// A string borrowed from the text when it can be (serde's own `Cow<str>` always copies).
struct LeanStr<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for LeanStr<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct StrVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for StrVisitor<'a> {
            type Value = LeanStr<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(LeanStr(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
                Ok(LeanStr(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
                Ok(LeanStr(Cow::Owned(s)))
            }
        }
        d.deserialize_str(StrVisitor(std::marker::PhantomData))
    }
}

/// Room for a top-level object's entries once it has more than a few: an Outseta person
/// has twenty to thirty keys, and its entries grown from empty (4, 8, 16, 32) were 3%
/// of a `planSyncJson` call. Only past a few keys, so a batch of tiny objects cannot
/// make the reader hold many times the memory its text takes.
const TOP_ENTRIES: usize = 32;
const FEW_ENTRIES: usize = 4;

impl<'de: 'a, 'a> Deserialize<'de> for Lean<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        LeanSeed(true, std::marker::PhantomData).deserialize(d)
    }
}

/// Reads a `Lean` value; `.0`: it is the top-level value, whose object makes room for
/// `TOP_ENTRIES` past `FEW_ENTRIES` (nested objects grow as a `Vec` does).
struct LeanSeed<'a>(bool, std::marker::PhantomData<&'a ()>);

impl LeanSeed<'_> {
    fn nested() -> Self {
        LeanSeed(false, std::marker::PhantomData)
    }
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for LeanSeed<'a> {
    type Value = Lean<'a>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Lean<'a>, D::Error> {
        struct LeanVisitor<'a>(bool, std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for LeanVisitor<'a> {
            type Value = Lean<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any valid JSON value")
            }
            fn visit_bool<E>(self, b: bool) -> Result<Self::Value, E> {
                Ok(Lean::Bool(b))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Self::Value, E> {
                Ok(Lean::Number(n.into()))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Self::Value, E> {
                Ok(Lean::Number(n.into()))
            }
            // As `Value` reads a float: one JSON cannot hold (never from text) is null.
            fn visit_f64<E>(self, n: f64) -> Result<Self::Value, E> {
                Ok(Number::from_f64(n).map_or(Lean::Null, Lean::Number))
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Lean::String(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Lean::String(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
                Ok(Lean::String(Cow::Owned(s)))
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Lean::Null)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Lean::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                LeanSeed(self.0, std::marker::PhantomData).deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(item) = seq.next_element_seed(LeanSeed::nested())? {
                    items.push(item);
                }
                Ok(Lean::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(LeanStr(key)) = map.next_key()? {
                    if self.0 && entries.len() == FEW_ENTRIES {
                        entries.reserve_exact(TOP_ENTRIES - FEW_ENTRIES);
                    }
                    entries.push((key, map.next_value_seed(LeanSeed::nested())?));
                }
                Ok(Lean::Object(entries))
            }
        }
        d.deserialize_any(LeanVisitor(self.0, std::marker::PhantomData))
    }
}
