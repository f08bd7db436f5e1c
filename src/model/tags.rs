//! A contact's tags: a sorted set of strings, kept in one `Vec`.
//!
//! A contact has one to a few tags, and a Plan builds several sets per pair (each side's
//! tags, the base's, the additions and removals). A `BTreeSet<String>` gives each of
//! those a 272-byte node even for one tag (just past dlmalloc's small bins in wasm); a
//! sorted `Vec` holds one tag in 24 bytes. Membership is a binary search and the set
//! operations walk both sorted lists, so a merge or a Plan is O(n log n) in the tags.
//!
//! A contact read from either system holds at most [`MAX_TAGS`]; past it the record is
//! refused with `TAGS_TOO_MANY` rather than planned.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};

use crate::error::CodedError;

/// The most tags a contact may hold. Real contacts hold a handful; the way one reaches
/// thousands is an automation adding a tag per event, and 20,000 is ten times that. A
/// merge and a Plan of 20,000 tags take milliseconds (the scaling test below), and the
/// cap keeps a runaway record from costing more than that.
pub const MAX_TAGS: usize = 20_000;

/// A record with more than [`MAX_TAGS`] tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the record holds {count} tags, over the limit of {MAX_TAGS}")]
pub struct TooManyTags {
    pub count: usize,
}

impl CodedError for TooManyTags {
    fn code(&self) -> &'static str {
        "TAGS_TOO_MANY"
    }

    fn details(&self) -> Value {
        json!({ "count": self.count, "limit": MAX_TAGS })
    }
}

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

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `Err` past [`MAX_TAGS`].
    pub fn within_limit(&self) -> Result<(), TooManyTags> {
        match self.0.len() {
            count if count > MAX_TAGS => Err(TooManyTags { count }),
            _ => Ok(()),
        }
    }

    pub fn iter(&self) -> std::slice::Iter<'_, String> {
        self.0.iter()
    }

    pub fn contains(&self, tag: &str) -> bool {
        // A few tags (the usual case) are scanned by equality, which checks lengths
        // first, so most misses compare no bytes; more are searched.
        if self.0.len() <= 8 {
            self.0.iter().any(|t| t == tag)
        } else {
            self.find(tag).is_ok()
        }
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

    /// The tags of this set that `other` lacks, in order (a walk of the two sorted lists).
    pub fn difference<'a>(&'a self, other: &'a Tags) -> impl Iterator<Item = &'a String> + 'a {
        let mut rest = other.0.iter().peekable();
        self.0.iter().filter(move |t| {
            while rest.next_if(|o| o < t).is_some() {}
            rest.peek() != Some(t)
        })
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

    fn numbered(n: usize, salt: &str) -> Vec<String> {
        (0..n).map(|i| format!("t{salt}{i}")).collect()
    }

    /// A merge and a Plan of a pair whose base holds `n` tags: Outseta dropped half of
    /// them, and each side added `n / 2` of its own. Every tag is looked up.
    fn merge_and_plan(n: usize) -> (crate::merge::Merge, serde_json::Value) {
        use crate::model::Contact;
        use serde_json::json;
        let contact = |tags: Vec<String>| Contact {
            tags: tags.into_iter().collect(),
            ..Contact::default()
        };
        let base = numbered(n, "b");
        let side = |kept: &[String], salt| {
            contact(kept.iter().cloned().chain(numbered(n / 2, salt)).collect())
        };
        let merged = crate::merge::merge(
            &contact(base.clone()),
            &side(&base[..n / 2], "o"),
            &side(&base, "g"),
            &crate::merge::Policy::default(),
            None,
        );
        let input = json!({ "pairs": [{
            "outseta": { "Uid": "u1", "Email": "a@b.co" },
            "ghl": { "id": "g1", "email": "a@b.co", "tags": numbered(n, "g") },
            "state": { "base": { "fields": { "email": "a@b.co" }, "tags": base } },
        }] });
        let plans = crate::plan::plan_sync(&input).unwrap();
        (merged, serde_json::to_value(plans).unwrap())
    }

    /// The least time of a few runs of `f`, in seconds: load on the machine only ever
    /// adds time, so the least is the closest to the work itself.
    fn least(f: impl Fn()) -> f64 {
        (0..5)
            .map(|_| {
                let start = std::time::Instant::now();
                f();
                start.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    }

    #[test]
    fn merge_and_plan_grow_no_faster_than_n_log_n_in_the_tags() {
        // Both sizes work as they should, so the times below time real work.
        let (m, plan) = merge_and_plan(2_000);
        assert_eq!((m.tags_add.len(), m.tags_remove.len()), (1_000, 1_000));
        assert_eq!(m.merged.tags.len(), 3_000);
        assert!(plan[0]["error"].is_null(), "{}", plan[0]["error"]);
        let (small, large) = (2_000, 20_000);
        let (t_small, t_large) = (
            least(|| drop(merge_and_plan(small))),
            least(|| drop(merge_and_plan(large))),
        );
        let ratio = t_large / t_small;
        // n log n predicts 13.0 (10 x ln 20000 / ln 2000); quadratic work predicts up to
        // 100. The bound leaves room for noise and for the allocator, not for n squared.
        let n_log_n = (large as f64 * (large as f64).ln()) / (small as f64 * (small as f64).ln());
        eprintln!(
            "2k tags {t_small:.4} s, 20k tags {t_large:.4} s: x{ratio:.1} (n log n: x{n_log_n:.1})"
        );
        assert!(
            ratio < 3.0 * n_log_n,
            "20k tags took {ratio:.1} times as long as 2k"
        );
    }

    #[test]
    fn more_tags_than_the_limit_is_a_coded_error() {
        use serde_json::json;
        let plan = |n: usize| {
            let input = json!({ "pairs": [{
                "outseta": { "Uid": "u1", "Email": "a@b.co" },
                "ghl": { "id": "g1", "email": "a@b.co", "tags": numbered(n, "g") },
            }] });
            crate::plan::plan_sync(&input).unwrap().remove(0)
        };
        assert!(plan(MAX_TAGS).error.is_none());
        let refused = plan(MAX_TAGS + 1).error.unwrap();
        assert_eq!(refused["code"], "TAGS_TOO_MANY");
        assert_eq!(
            refused["details"],
            json!({ "count": MAX_TAGS + 1, "limit": MAX_TAGS })
        );
        let text =
            json!({ "pairs": [{ "ghl": { "id": "g1", "tags": numbered(MAX_TAGS + 1, "g") } }] });
        let out = crate::plan::plan_sync_json(&text.to_string()).unwrap();
        assert!(
            out.contains("TAGS_TOO_MANY"),
            "{}",
            &out[..out.len().min(300)]
        );
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
