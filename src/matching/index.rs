//! The incremental index: add records as they arrive, ask about one record at a time
//! (a webhook has milliseconds, not a batch), and link records to another system's
//! contacts honouring GHL's own duplicate setting.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::block::{keys, CappedBlock, KeyKind};
use super::record::{Contact, Reader};
use super::score::{compare, rule_name, Decision, Evidence};
use super::{Config, DedupError, Skipped};

pub struct DedupIndex {
    config: Config,
    contacts: Vec<Contact>,
    live: Vec<bool>,
    by_id: HashMap<String, u32>,
    blocks: HashMap<u64, Vec<u32>>,
    size: usize,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddOutcome {
    pub added: usize,
    /// Records whose id was already indexed: the new version replaced the old.
    pub replaced: usize,
    pub skipped: Vec<Skipped>,
    pub field_issues: usize,
    pub size: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub id: String,
    pub decision: Decision,
    pub score: f64,
    pub rule: String,
    pub evidence: Vec<Evidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryResult {
    /// The best candidate's decision, or "nonmatch" when nothing came close.
    pub decision: Decision,
    /// Matches and possible matches, best first.
    pub candidates: Vec<Candidate>,
    pub compared: usize,
    /// Blocks over `maxBlockSize`: only their first `maxBlockSize` members were compared.
    pub capped: Vec<CappedBlock>,
}

/// GHL's location setting "Allow Duplicate Contact" and its match fields. With it off,
/// GHL itself merges an incoming contact into the existing one sharing the primary
/// field (else the secondary), whatever we decide.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct GhlDuplicateSetting {
    pub allow_duplicate_contact: bool,
    pub primary_field: MatchField,
    pub secondary_field: Option<MatchField>,
}

impl Default for GhlDuplicateSetting {
    fn default() -> Self {
        GhlDuplicateSetting {
            allow_duplicate_contact: false,
            primary_field: MatchField::Email,
            secondary_field: Some(MatchField::Phone),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchField {
    Email,
    Phone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkAction {
    /// Update the existing contact `target` instead of creating one.
    Link,
    /// A possible match (or our match disagrees with GHL's own): a person decides.
    Review,
    /// No existing contact is this person.
    Create,
    /// The record had no usable field.
    Skip,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkResult {
    pub id: String,
    pub action: LinkAction,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The contact GHL would merge into by itself (allowDuplicateContact off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ghl_would_merge_into: Option<String>,
    pub reason: String,
}

impl DedupIndex {
    pub fn new(config: Config) -> Result<DedupIndex, DedupError> {
        config.check()?;
        Ok(DedupIndex {
            config,
            contacts: Vec::new(),
            live: Vec::new(),
            by_id: HashMap::new(),
            blocks: HashMap::new(),
            size: 0,
        })
    }

    /// How many records the index holds (a replaced record counts once).
    pub fn len(&self) -> usize {
        self.size
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds a JSON array of records; a record whose id is already indexed replaces it.
    pub fn add(&mut self, records: &str) -> Result<AddOutcome, DedupError> {
        let reads = Reader::new(&self.config).read_array(records).map_err(|e| {
            DedupError::InputInvalid {
                path: "$".to_owned(),
                expected: "a JSON array of records",
                reason: e.0,
            }
        })?;
        let mut out = AddOutcome {
            added: 0,
            replaced: 0,
            skipped: Vec::new(),
            field_issues: 0,
            size: 0,
        };
        let mut buf = Vec::new();
        for (index, read) in reads.into_iter().enumerate() {
            let (mut contact, issues) = match read {
                Ok(read) => read,
                Err(reason) => {
                    out.skipped.push(Skipped {
                        index,
                        id: None,
                        reason,
                    });
                    continue;
                }
            };
            out.field_issues += issues.len();
            if !contact.usable() {
                out.skipped.push(Skipped {
                    index,
                    id: Some(contact.id),
                    reason: "no usable field: no email, phone or name".to_owned(),
                });
                continue;
            }
            let slot = self.contacts.len() as u32;
            contact.index = slot as usize;
            let has_id = !contact.id.starts_with('#');
            if has_id {
                if let Some(old) = self.by_id.insert(contact.id.clone(), slot) {
                    self.live[old as usize] = false;
                    self.size -= 1;
                    out.replaced += 1;
                }
            }
            keys(&contact, &mut buf);
            for &k in &buf {
                self.blocks.entry(k).or_default().push(slot);
            }
            self.contacts.push(contact);
            self.live.push(true);
            self.size += 1;
            out.added += 1;
        }
        out.size = self.len();
        Ok(out)
    }

    /// Every indexed record that matches or possibly matches one record (a JSON object).
    pub fn query(&self, record: &str) -> Result<QueryResult, DedupError> {
        let contact = self.read_one(record)?;
        Ok(self.query_contact(&contact))
    }

    fn read_one(&self, record: &str) -> Result<Contact, DedupError> {
        let read = Reader::new(&self.config).read_one(record, 0).map_err(|e| {
            DedupError::InputInvalid {
                path: "$".to_owned(),
                expected: "a JSON record",
                reason: e.0,
            }
        })?;
        match read {
            Ok((contact, _)) => Ok(contact),
            Err(reason) => Err(DedupError::InputInvalid {
                path: "$".to_owned(),
                expected: "an object",
                reason,
            }),
        }
    }

    fn query_contact(&self, contact: &Contact) -> QueryResult {
        let mut buf = Vec::new();
        keys(contact, &mut buf);
        let cap = self.config.blocking.max_block_size;
        let mut seen: Vec<u32> = Vec::new();
        let mut capped = Vec::new();
        for k in &buf {
            let Some(members) = self.blocks.get(k) else {
                continue;
            };
            if members.len() > cap {
                capped.push(CappedBlock {
                    kind: kind_label(*k),
                    size: members.len(),
                });
            }
            // The most recent members of an oversized block.
            seen.extend(members.iter().rev().take(cap));
        }
        seen.sort_unstable();
        seen.dedup();
        let mut candidates = Vec::new();
        let mut compared = 0;
        for &i in &seen {
            let other = &self.contacts[i as usize];
            if !self.live[i as usize] || (other.id == contact.id && !contact.id.starts_with('#')) {
                continue;
            }
            compared += 1;
            let mut evidence = Vec::new();
            let out = compare(contact, other, &self.config, Some(&mut evidence));
            if out.decision != Decision::NonMatch {
                candidates.push(Candidate {
                    id: other.id.clone(),
                    decision: out.decision,
                    score: out.score,
                    rule: rule_name(&out, &evidence),
                    evidence,
                    note: out.capped,
                });
            }
        }
        candidates.sort_by(|a, b| {
            b.decision
                .cmp(&a.decision)
                .then(b.score.total_cmp(&a.score))
        });
        QueryResult {
            decision: candidates
                .first()
                .map_or(Decision::NonMatch, |c| c.decision),
            candidates,
            compared,
            capped,
        }
    }

    /// Links each incoming record (a JSON array) to the indexed contacts: `link` when one
    /// matches, `review` when only possibly (or when GHL would merge it elsewhere by
    /// itself), `create` otherwise.
    pub fn link(
        &self,
        records: &str,
        ghl: &GhlDuplicateSetting,
    ) -> Result<Vec<LinkResult>, DedupError> {
        let reads = Reader::new(&self.config).read_array(records).map_err(|e| {
            DedupError::InputInvalid {
                path: "$".to_owned(),
                expected: "a JSON array of records",
                reason: e.0,
            }
        })?;
        Ok(reads
            .into_iter()
            .enumerate()
            .map(|(index, read)| match read {
                Ok((contact, _)) if contact.usable() => self.link_one(&contact, ghl),
                Ok((contact, _)) => skipped(
                    contact.id,
                    "no usable field: no email, phone or name".to_owned(),
                ),
                Err(reason) => skipped(format!("#{index}"), reason),
            })
            .collect())
    }

    fn link_one(&self, contact: &Contact, ghl: &GhlDuplicateSetting) -> LinkResult {
        let result = self.query_contact(contact);
        let best = result.candidates.first();
        let ghl_target = if ghl.allow_duplicate_contact {
            None
        } else {
            self.ghl_lookup(contact, ghl.primary_field).or_else(|| {
                ghl.secondary_field
                    .and_then(|f| self.ghl_lookup(contact, f))
            })
        };
        let ghl_id = ghl_target.map(|i| self.contacts[i as usize].id.clone());
        let mut out = LinkResult {
            id: contact.id.clone(),
            action: LinkAction::Create,
            target: None,
            score: best.map(|b| b.score),
            rule: best.map(|b| b.rule.clone()),
            ghl_would_merge_into: ghl_id.clone(),
            reason: "no existing contact matches".to_owned(),
        };
        match (best, &ghl_id) {
            (Some(b), Some(g)) if &b.id != g => {
                out.action = LinkAction::Review;
                out.target = Some(b.id.clone());
                out.reason = format!(
                    "best match is {} but GHL (allowDuplicateContact off) would merge into {g}",
                    b.id
                );
            }
            (Some(b), _) if b.decision == Decision::Match => {
                out.action = LinkAction::Link;
                out.target = Some(b.id.clone());
                out.reason = format!("matched by rule {}", b.rule);
            }
            (Some(b), _) => {
                out.action = LinkAction::Review;
                out.target = Some(b.id.clone());
                out.reason = format!(
                    "possible match by rule {}{}",
                    b.rule,
                    b.note.map(|n| format!(" ({n})")).unwrap_or_default()
                );
            }
            (None, Some(g)) => {
                out.action = LinkAction::Review;
                out.target = Some(g.clone());
                out.reason = format!(
                    "GHL (allowDuplicateContact off) would merge into {g} on its match field, but the other fields say a different person"
                );
            }
            (None, None) => {}
        }
        out
    }

    /// The contact GHL would find by exact email or phone (normalised as dedup does).
    fn ghl_lookup(&self, contact: &Contact, field: MatchField) -> Option<u32> {
        let values = match field {
            MatchField::Email => &contact.emails,
            MatchField::Phone => &contact.phones,
        };
        let value = values.first()?;
        let mut single = contact.clone();
        single.emails.clear();
        single.phones.clear();
        single.first.clear();
        single.last.clear();
        single.dob = None;
        single.postcode.clear();
        single.extra.clear();
        match field {
            MatchField::Email => single.emails.push(value.clone()),
            MatchField::Phone => single.phones.push(value.clone()),
        }
        let mut buf = Vec::new();
        keys(&single, &mut buf);
        let members = self.blocks.get(buf.first()?)?;
        members.iter().rev().copied().find(|&i| {
            let c = &self.contacts[i as usize];
            self.live[i as usize]
                && match field {
                    MatchField::Email => c.emails.first() == Some(value),
                    MatchField::Phone => c.phones.first() == Some(value),
                }
        })
    }
}

fn skipped(id: String, reason: String) -> LinkResult {
    LinkResult {
        id,
        action: LinkAction::Skip,
        target: None,
        score: None,
        rule: None,
        ghl_would_merge_into: None,
        reason,
    }
}

fn kind_label(key: u64) -> &'static str {
    [
        KeyKind::Email,
        KeyKind::Phone,
        KeyKind::Name,
        KeyKind::NameDob,
        KeyKind::DobPostcode,
        KeyKind::NamePostcode,
        KeyKind::Extra,
        KeyKind::NameHouse,
    ]
    .into_iter()
    .find(|k| *k as u64 == key >> 60)
    .map_or("extra field", KeyKind::label)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> DedupIndex {
        let mut index = DedupIndex::new(Config::default()).unwrap();
        let out = index
            .add(
                r#"[{"id":"g1","email":"jane.doe@gmail.com","firstName":"Jane","lastName":"Doe","phone":"+1 202 555 0173"},
                    {"id":"g2","email":"sam@x.co","firstName":"Sam","lastName":"Lee","phone":"+1 202 555 0199"},
                    {"id":"g3","firstName":"Olga","lastName":"Petrova","dateOfBirth":"1990-05-01","postalCode":"10001"},
                    {"id":"g4"}, 7]"#,
            )
            .unwrap();
        assert_eq!((out.added, out.skipped.len()), (3, 2));
        index
    }

    #[test]
    fn query_finds_a_match_with_its_explanation() {
        let index = index();
        let r = index.query(r#"{"Uid":"o1","Email":"Jane.Doe+crm@GMail.com","FirstName":"Jane","LastName":"Doe"}"#).unwrap();
        assert_eq!(r.decision, Decision::Match);
        assert_eq!(r.candidates[0].id, "g1");
        assert_eq!(r.candidates[0].rule, "email");
        let r = index
            .query(r#"{"FirstName":"Petrova","LastName":"Olga","DateOfBirth":"05/01/1990"}"#)
            .unwrap();
        assert_eq!(r.candidates[0].id, "g3");
        assert!(index.query("[]").is_err());
        assert!(index.query("{").is_err());
    }

    #[test]
    fn re_adding_an_id_replaces_the_record() {
        let mut index = index();
        assert_eq!(index.len(), 3);
        let out = index
            .add(r#"[{"id":"g2","email":"sam.new@x.co","firstName":"Sam","lastName":"Lee"}]"#)
            .unwrap();
        assert_eq!((out.replaced, out.size), (1, 3));
        let r = index
            .query(r#"{"email":"sam@x.co","firstName":"Sam","lastName":"Lee"}"#)
            .unwrap();
        assert!(r.candidates.is_empty(), "{r:?}");
    }

    #[test]
    fn link_honours_ghl_duplicate_setting() {
        let index = index();
        let people = r#"[{"Uid":"o1","Email":"jane.doe@gmail.com","FirstName":"Jane","LastName":"Doe"},
                         {"Uid":"o2","Email":"new@x.co","FirstName":"Neo","LastName":"Nu"},
                         {"Uid":"o3","Email":"other@x.co","FirstName":"Tom","LastName":"Ray","PhoneMobile":"202-555-0199"},
                         {"Uid":"o4"}]"#;
        let allow = GhlDuplicateSetting {
            allow_duplicate_contact: true,
            ..GhlDuplicateSetting::default()
        };
        let actions = |ghl: &GhlDuplicateSetting| -> Vec<LinkAction> {
            index
                .link(people, ghl)
                .unwrap()
                .iter()
                .map(|r| r.action)
                .collect()
        };
        // o3 shares Sam's phone but not his name: a different person for us.
        assert_eq!(
            actions(&allow),
            [
                LinkAction::Link,
                LinkAction::Create,
                LinkAction::Create,
                LinkAction::Skip
            ]
        );
        let strict = GhlDuplicateSetting::default();
        let results = index.link(people, &strict).unwrap();
        assert_eq!(results[0].target.as_deref(), Some("g1"));
        // GHL would merge o3 into g2 by phone (secondary field).
        assert_eq!(results[2].ghl_would_merge_into.as_deref(), Some("g2"));
        assert_eq!(results[2].action, LinkAction::Review);
    }
}
