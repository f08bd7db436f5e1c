//! A contact's tags: a sorted set of strings, kept in one `Vec`.
//!
//! A contact has one to a few tags, and a Plan builds several sets per pair (each side's
//! tags, the base's, the additions and removals). A `BTreeSet<String>` gives each of
//! those a 272-byte node even for one tag (just past dlmalloc's small bins in wasm); a
//! sorted `Vec` holds one tag in 24 bytes.

use serde::{Deserialize, Deserializer, Serialize};

/// Tags in byte order, each once: the order and uniqueness GHL payloads and echo hashes
/// rely on (`tags` write as the same JSON array a `BTreeSet` wrote).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Tags(Vec<String>);

impl Tags {
    pub fn new() -> Tags {
        Tags(Vec::new())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, String> {
        self.0.iter()
    }

    pub fn contains(&self, tag: &str) -> bool {
        // A scan by equality, not a binary search: equality checks lengths first, so
        // most misses compare no bytes, and the sets are a few tags (measured cheaper).
        self.0.iter().any(|t| t == tag)
    }

    /// Adds `tag`; false if it was there already.
    pub fn insert(&mut self, tag: String) -> bool {
        match self.find(&tag) {
            Ok(_) => false,
            Err(i) => {
                self.0.insert(i, tag);
                true
            }
        }
    }

    /// Takes `tag` out; false if it was not there.
    pub fn remove(&mut self, tag: &str) -> bool {
        match self.find(tag) {
            Ok(i) => {
                self.0.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    pub fn retain(&mut self, keep: impl FnMut(&String) -> bool) {
        self.0.retain(keep);
    }

    /// The tags of either set, in order, each once (a merge of the two sorted lists).
    pub fn union<'a>(&'a self, other: &'a Tags) -> impl Iterator<Item = &'a String> + 'a {
        let (mut a, mut b) = (self.0.iter().peekable(), other.0.iter().peekable());
        std::iter::from_fn(move || match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x < y => a.next(),
            (Some(x), Some(y)) if x > y => b.next(),
            (Some(_), Some(_)) => {
                b.next();
                a.next()
            }
            (Some(_), None) => a.next(),
            (None, _) => b.next(),
        })
    }

    /// The tags of this set that `other` lacks, in order.
    pub fn difference<'a>(&'a self, other: &'a Tags) -> impl Iterator<Item = &'a String> + 'a {
        self.0.iter().filter(|t| !other.contains(t))
    }

    #[inline]
    fn find(&self, tag: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|t| t.as_str().cmp(tag))
    }

    /// Sorts and drops repeats: the one step that makes any list a set.
    fn from_vec(mut tags: Vec<String>) -> Tags {
        // Tags mostly arrive sorted (a stored state, another set): no sort then.
        if !tags.windows(2).all(|w| w[0] < w[1]) {
            tags.sort_unstable();
            tags.dedup();
        }
        Tags(tags)
    }
}

impl FromIterator<String> for Tags {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Tags {
        Tags::from_vec(iter.into_iter().collect())
    }
}

impl<const N: usize> From<[String; N]> for Tags {
    fn from(tags: [String; N]) -> Tags {
        Tags::from_vec(tags.into())
    }
}

impl Extend<String> for Tags {
    fn extend<I: IntoIterator<Item = String>>(&mut self, iter: I) {
        let mut all = std::mem::take(&mut self.0);
        all.extend(iter);
        *self = Tags::from_vec(all);
    }
}

impl IntoIterator for Tags {
    type Item = String;
    type IntoIter = std::vec::IntoIter<String>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Tags {
    type Item = &'a String;
    type IntoIter = std::slice::Iter<'a, String>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'de> Deserialize<'de> for Tags {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tags, D::Error> {
        Vec::deserialize(d).map(Tags::from_vec)
    }
}

// Native only (proptest).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn tags(list: &[&str]) -> Tags {
        list.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn a_list_becomes_a_sorted_set() {
        let t = tags(&["vip", "a", "vip", "B"]);
        assert_eq!(t.iter().collect::<Vec<_>>(), ["B", "a", "vip"]);
        assert_eq!(serde_json::to_string(&t).unwrap(), r#"["B","a","vip"]"#);
        let read: Tags = serde_json::from_str(r#"["z","a","z"]"#).unwrap();
        assert_eq!(read, tags(&["a", "z"]));
        assert!(serde_json::from_str::<Tags>(r#"["a",1]"#).is_err());
        assert!(serde_json::from_str::<Tags>(r#"{"a":1}"#).is_err());
    }

    proptest! {
        // Every operation agrees with BTreeSet's, the set it replaces.
        #[test]
        fn behaves_as_a_btreeset(
            a in proptest::collection::vec("[a-d]{0,2}", 0..8),
            b in proptest::collection::vec("[a-d]{0,2}", 0..8),
            ops in proptest::collection::vec((any::<bool>(), "[a-d]{0,2}"), 0..8),
        ) {
            let (mut ours, theirs): (Tags, Tags) =
                (a.iter().cloned().collect(), b.iter().cloned().collect());
            let (mut set, other): (BTreeSet<String>, BTreeSet<String>) =
                (a.iter().cloned().collect(), b.iter().cloned().collect());
            let list = |t: &Tags| t.iter().cloned().collect::<Vec<_>>();
            let sorted = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>();
            prop_assert_eq!(list(&ours), sorted(&set));
            prop_assert_eq!(
                ours.union(&theirs).cloned().collect::<Vec<_>>(),
                set.union(&other).cloned().collect::<Vec<_>>()
            );
            prop_assert_eq!(
                ours.difference(&theirs).cloned().collect::<Vec<_>>(),
                set.difference(&other).cloned().collect::<Vec<_>>()
            );
            for (add, t) in ops {
                if add {
                    prop_assert_eq!(ours.insert(t.clone()), set.insert(t));
                } else {
                    prop_assert_eq!(ours.remove(&t), set.remove(&t));
                }
                prop_assert_eq!(list(&ours), sorted(&set));
            }
            for t in &b {
                prop_assert_eq!(ours.contains(t), set.contains(t));
            }
            let mut grown = ours.clone();
            grown.extend(b.iter().cloned());
            set.extend(b.iter().cloned());
            prop_assert_eq!(list(&grown), sorted(&set));
        }
    }
}
