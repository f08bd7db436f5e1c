//! Find-or-link for a batch of people against another system's records: which existing
//! GHL contact (if any) an Outseta person is, or why a person must decide. A bulk import
//! asks it of every person, and the www preview pairs its two data sets with it, so both
//! pair records the same way. Pure: the records were read up front.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::index::{DedupIndex, GhlDuplicateSetting, LinkAction};
use super::score::Decision;
use super::{Config, DedupError};

/// What a person is, among the records the linker knows.
#[derive(Debug, Clone, PartialEq)]
pub enum Match {
    /// This existing record (by id).
    Existing(String),
    /// No existing record is this person.
    New,
    /// A person decides: the reason, the record it most likely is (if one), and the
    /// candidates best first (`{ system, id, decision, score, rule, evidence }`).
    Hold {
        reason: String,
        target: Option<String>,
        candidates: Vec<Value>,
    },
    /// The record has nothing to match on.
    Skip(String),
}

/// The existing records of one system in a dedup index, the ones already linked, and
/// the people seen so far (the same person twice in one batch is held, not created twice).
pub struct Linker {
    existing: DedupIndex,
    seen: DedupIndex,
    taken: HashSet<String>,
    setting: GhlDuplicateSetting,
}

impl Linker {
    /// `existing`: the records' JSON text (an array); `taken`: ids already linked.
    pub fn new(
        existing: &str,
        taken: HashSet<String>,
        setting: GhlDuplicateSetting,
    ) -> Result<Linker, DedupError> {
        let mut index = DedupIndex::new(Config::default())?;
        index.add(existing)?;
        Ok(Linker {
            existing: index,
            seen: DedupIndex::new(Config::default())?,
            taken,
            setting,
        })
    }

    /// Marks an existing record as linked (a later person matching it is held).
    pub fn take(&mut self, id: &str) {
        self.taken.insert(id.to_owned());
    }

    /// What the person in `record` (its JSON text) is. A person matched to a free
    /// record takes it.
    pub fn person(&mut self, record: &str) -> Result<Match, DedupError> {
        let twin = self.seen.query(record).ok().and_then(|q| {
            q.candidates
                .into_iter()
                .find(|c| c.decision == Decision::Match)
        });
        let _ = self.seen.add(&format!("[{record}]"));
        if let Some(t) = twin {
            return Ok(Match::Hold {
                reason: format!(
                    "the same person as Outseta {} in this import ({}, score {:.2})",
                    t.id, t.rule, t.score
                ),
                target: None,
                candidates: vec![
                    json!({ "system": "outseta", "id": t.id, "decision": t.decision, "score": t.score, "rule": t.rule, "evidence": t.evidence }),
                ],
            });
        }
        let link = self
            .existing
            .link(&format!("[{record}]"), &self.setting)?
            .into_iter()
            .next();
        Ok(match link {
            Some(l) if l.action == LinkAction::Link => {
                let target = l.target.unwrap_or_default();
                if self.taken.contains(&target) {
                    Match::Hold {
                        reason: format!(
                            "matches GHL contact {target}, which is already linked to another Outseta person"
                        ),
                        candidates: self.candidates(record),
                        target: Some(target),
                    }
                } else {
                    self.taken.insert(target.clone());
                    Match::Existing(target)
                }
            }
            Some(l) if l.action == LinkAction::Review => Match::Hold {
                reason: format!("possibly an existing GHL contact: {}", l.reason),
                candidates: self.candidates(record),
                target: l.target,
            },
            Some(l) if l.action == LinkAction::Skip => Match::Skip(l.reason),
            _ => Match::New,
        })
    }

    /// The existing records a person may be, best first, with their evidence.
    fn candidates(&self, record: &str) -> Vec<Value> {
        self.existing
            .query(record)
            .map(|q| {
                q.candidates
                    .into_iter()
                    .take(5)
                    .map(|c| json!({ "system": "ghl", "id": c.id, "decision": c.decision, "score": c.score, "rule": c.rule, "evidence": c.evidence }))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// One pair of two data sets: indexes into each (`None`: that side has no record), and
/// for an Outseta person a person must decide on, why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Pair {
    pub outseta: Option<usize>,
    pub ghl: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held: Option<String>,
}

/// Pairs Outseta people with GHL contacts as a bulk import links them (the www preview's
/// pairing): each person in order takes the contact it matches, if that one is free; a
/// person to decide on stays unpaired with the reason; contacts no one took follow.
pub fn pair(outseta: &[Value], ghl: &[Value]) -> Result<Vec<Pair>, DedupError> {
    // Records are known by their index here, whatever ids they carry.
    let with_id = |records: &[Value], key: &str, prefix: &str| -> Value {
        Value::Array(
            records
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut r = r.clone();
                    if let Some(obj) = r.as_object_mut() {
                        obj.insert(key.to_owned(), Value::String(format!("{prefix}{i}")));
                    }
                    r
                })
                .collect(),
        )
    };
    let existing = with_id(ghl, "id", "");
    let people = with_id(outseta, "Uid", "o");
    let mut linker = Linker::new(
        &existing.to_string(),
        HashSet::new(),
        GhlDuplicateSetting::default(),
    )?;
    let mut out = Vec::with_capacity(outseta.len() + ghl.len());
    let mut taken = vec![false; ghl.len()];
    for (i, person) in people.as_array().into_iter().flatten().enumerate() {
        let (ghl, held) = match linker.person(&person.to_string())? {
            Match::Existing(j) => (j.parse::<usize>().ok(), None),
            Match::Hold { reason, .. } => (None, Some(reason)),
            Match::New | Match::Skip(_) => (None, None),
        };
        if let Some(j) = ghl.filter(|j| *j < taken.len()) {
            taken[j] = true;
        }
        out.push(Pair {
            outseta: Some(i),
            ghl,
            held,
        });
    }
    out.extend(
        taken
            .iter()
            .enumerate()
            .filter(|(_, t)| !**t)
            .map(|(j, _)| Pair {
                outseta: None,
                ghl: Some(j),
                held: None,
            }),
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pairs_as_an_import_links_and_leaves_the_rest() {
        let outseta = [
            json!({ "Email": "Jane.Doe+vip@Gmail.com", "FirstName": "Jane", "LastName": "Doe" }),
            json!({ "Email": "new@example.com", "FirstName": "Neo" }),
        ];
        let ghl = [
            json!({ "email": "other@example.com", "firstName": "Oz" }),
            json!({ "email": "janedoe@gmail.com", "firstName": "jane", "lastName": "DOE", "id": "real-id" }),
        ];
        let pairs = pair(&outseta, &ghl).unwrap();
        assert_eq!(
            pairs,
            vec![
                Pair {
                    outseta: Some(0),
                    ghl: Some(1),
                    held: None
                },
                Pair {
                    outseta: Some(1),
                    ghl: None,
                    held: None
                },
                Pair {
                    outseta: None,
                    ghl: Some(0),
                    held: None
                },
            ]
        );
    }
}
