//! Matching: which records are the same person. Duplicate detection and record linkage
//! over Outseta People, GHL contacts and canonical contacts (`find_duplicates`,
//! `DedupIndex`), find-or-link for a batch (`link`: a bulk import and the preview), and
//! the duplicate searches that find one person's GHL contact (`find`).
//!
//! `find_duplicates` reads a batch (JSON text), normalises each record (`normalize`),
//! puts records sharing a blocking key together (`block`), scores each candidate pair
//! once with explainable evidence (`score`), and clusters the matches (`cluster`). The
//! incremental `DedupIndex` answers one record at a time (webhooks) and links records
//! to another system's contacts. Bad records are skipped with a reason; nothing panics.

pub mod block;
pub mod cluster;
pub mod config;
pub mod find;
pub mod index;
pub mod link;
pub mod normalize;
pub mod record;
pub mod score;

use serde::Serialize;
use serde_json::{json, Value};
use thiserror::Error;

use crate::error::{json_type_name, CodedError};
use block::{BlockStats, Blocks};
use cluster::Link;
pub use config::Config;
pub use index::DedupIndex;
use record::{Contact, FieldIssue, Reader, Shape};
use score::{cannot_be_possible, compare, compare_digested, rule_name, Decision, Digest, Evidence};

#[derive(Debug, Error, PartialEq)]
pub enum DedupError {
    #[error("expected {expected} at {path}: {reason}")]
    InputInvalid {
        path: String,
        expected: &'static str,
        reason: String,
    },
    #[error("invalid dedup config at {path}: {reason}")]
    ConfigInvalid { path: String, reason: String },
}

impl CodedError for DedupError {
    fn code(&self) -> &'static str {
        match self {
            DedupError::InputInvalid { .. } => "INPUT_INVALID",
            DedupError::ConfigInvalid { .. } => "CONFIG_INVALID",
        }
    }

    fn details(&self) -> Value {
        match self {
            DedupError::InputInvalid {
                path,
                expected,
                reason,
            } => {
                json!({ "path": path, "expected": expected, "reason": reason })
            }
            DedupError::ConfigInvalid { path, reason } => json!({ "path": path, "reason": reason }),
        }
    }
}

impl Config {
    /// Reads a config object (`null` or absent keys take the defaults) and checks it.
    pub fn from_value(value: Value) -> Result<Config, DedupError> {
        let config: Config = match value {
            Value::Null => Config::default(),
            Value::Object(_) => {
                serde_json::from_value(value).map_err(|e| DedupError::ConfigInvalid {
                    path: "$".to_owned(),
                    reason: e.to_string(),
                })?
            }
            other => {
                return Err(DedupError::ConfigInvalid {
                    path: "$".to_owned(),
                    reason: format!("expected an object, found {}", json_type_name(&other)),
                })
            }
        };
        config.check()?;
        Ok(config)
    }

    pub fn check(&self) -> Result<(), DedupError> {
        let bad = |path: &str, reason: &str| {
            Err(DedupError::ConfigInvalid {
                path: path.to_owned(),
                reason: reason.to_owned(),
            })
        };
        if crate::phone::region(&self.default_region).is_none() {
            return bad(
                "$.defaultRegion",
                "expected a two-letter region code known to libphonenumber, e.g. \"US\"",
            );
        }
        if !(self.thresholds.r#match.is_finite() && self.thresholds.possible.is_finite())
            || self.thresholds.possible > self.thresholds.r#match
        {
            return bad(
                "$.thresholds",
                "expected finite numbers with possible <= match",
            );
        }
        if self.blocking.max_block_size < 2 || self.blocking.window < 1 {
            return bad("$.blocking", "expected maxBlockSize >= 2 and window >= 1");
        }
        if self.max_cluster_size < 2 {
            return bad("$.maxClusterSize", "expected at least 2");
        }
        Ok(())
    }
}

/// A possible match: two records a person should look at.
#[derive(Debug, Clone, Serialize)]
pub struct Possible {
    pub a: String,
    pub b: String,
    pub score: f64,
}

/// Why two records were matched (or possibly matched).
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub a: String,
    pub b: String,
    pub decision: Decision,
    pub score: f64,
    pub rule: String,
    pub evidence: Vec<Evidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Shapes {
    pub outseta: usize,
    pub ghl: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Timings {
    /// Turning the JS records into JSON text (set by the wasm boundary; 0 natively).
    pub to_wasm: f64,
    /// Reading the JSON and normalising every field.
    pub normalise: f64,
    pub blocking: f64,
    pub scoring: f64,
    pub clustering: f64,
    /// Re-scoring matched and possible pairs with their evidence.
    pub explaining: f64,
}

/// The most skipped records / field issues listed by value (all are counted).
const LISTED: usize = 100;

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub records: usize,
    pub used: usize,
    pub skipped: usize,
    /// The first 100 skipped records, with the reason.
    pub skipped_records: Vec<Skipped>,
    pub field_issues: usize,
    /// The first 100 ignored fields, with the reason.
    pub field_issue_examples: Vec<FieldIssue>,
    pub shapes: Shapes,
    #[serde(flatten)]
    pub blocking: BlockStats,
    pub matches: usize,
    pub possible_matches: usize,
    /// Match links refused by the chaining guard or the cluster size cap.
    pub chain_guard_refused: usize,
    pub clusters: usize,
    pub records_in_clusters: usize,
    /// Milliseconds per phase, by the caller's clock.
    pub timings_ms: Timings,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub clusters: Vec<Vec<String>>,
    pub possible: Vec<Possible>,
    pub explanations: Vec<Explanation>,
    pub stats: Stats,
}

/// Finds duplicates within one batch: `records` is a JSON array of Outseta People, GHL
/// contacts or canonical contacts (mixed is fine). `clock` returns milliseconds (any
/// origin) and only feeds `stats.timingsMs`.
pub fn find_duplicates(
    records: &str,
    config: &Config,
    clock: &dyn Fn() -> f64,
) -> Result<Report, DedupError> {
    let mut batch = Batch::new(config)?;
    batch.read(records, clock)?;
    Ok(batch.finish(clock))
}

/// A batch read in parts: each `read` takes one JSON array, and its records follow the
/// ones already read (their indexes continue), so a caller holding the records as
/// objects can hand them over a slice at a time instead of as one huge text.
pub struct Batch<'c> {
    config: &'c Config,
    reader: Reader<'c>,
    contacts: Vec<Contact>,
    stats: Stats,
    /// Milliseconds spent reading and normalising so far.
    read_ms: f64,
}

impl<'c> Batch<'c> {
    pub fn new(config: &'c Config) -> Result<Batch<'c>, DedupError> {
        config.check()?;
        Ok(Batch {
            config,
            reader: Reader::new(config),
            contacts: Vec::new(),
            stats: Stats::default(),
            read_ms: 0.0,
        })
    }

    /// Makes room for `records` more records, when the caller knows how many are coming:
    /// grown by doubling instead, a million contacts were copied about twice over.
    pub fn reserve(&mut self, records: usize) {
        self.contacts.reserve(records);
    }

    /// Reads one JSON array of records (the whole batch, or its next part).
    pub fn read(&mut self, records: &str, clock: &dyn Fn() -> f64) -> Result<(), DedupError> {
        let t0 = clock();
        let first = self.stats.records;
        // Records go straight into `contacts` as they are read; a part that turns out
        // not to be a JSON array (or to break off) leaves the batch as it was.
        let kept = self.contacts.len();
        let stats_before = self.stats.clone();
        let contacts = &mut self.contacts;
        let stats = &mut self.stats;
        let mut index = first;
        let read = self.reader.read_array_each(records, first, &mut |read| {
            stats.records += 1;
            match read {
                Ok((contact, issues)) => {
                    stats.field_issues += issues.len();
                    let room = LISTED.saturating_sub(stats.field_issue_examples.len());
                    stats
                        .field_issue_examples
                        .extend(issues.into_iter().take(room));
                    if contact.usable() {
                        match contact.shape {
                            Some(Shape::Outseta) => stats.shapes.outseta += 1,
                            Some(Shape::Ghl) => stats.shapes.ghl += 1,
                            None => {}
                        }
                        contacts.push(contact);
                    } else {
                        skip(
                            stats,
                            contact.index,
                            Some(contact.id),
                            "no usable field: no email, phone or name",
                        );
                    }
                }
                Err(reason) => skip(stats, index, None, &reason),
            }
            index += 1;
        });
        if let Err(e) = read {
            self.contacts.truncate(kept);
            self.stats = stats_before;
            return Err(DedupError::InputInvalid {
                path: "$".to_owned(),
                expected: "a JSON array of records",
                reason: e.0,
            });
        }
        self.read_ms += clock() - t0;
        Ok(())
    }

    /// Blocks, scores, clusters and explains the records read.
    pub fn finish(self, clock: &dyn Fn() -> f64) -> Report {
        let Batch {
            config,
            contacts,
            stats,
            read_ms,
            ..
        } = self;
        find_in(contacts, stats, read_ms, config, clock)
    }
}

fn find_in(
    contacts: Vec<Contact>,
    mut stats: Stats,
    read_ms: f64,
    config: &Config,
    clock: &dyn Fn() -> f64,
) -> Report {
    stats.used = contacts.len();
    let t1 = clock();

    let mut blocks = Blocks::build(&contacts, &config.blocking);
    let t2 = clock();

    let digests: Vec<Digest> = contacts.iter().map(Digest::of).collect();
    let mut links = Vec::new();
    let mut possible_pairs: Vec<(u32, u32, f64, Option<String>)> = Vec::new();
    blocks.for_each_pair(
        config.blocking.window,
        |x, y| sort_key(&contacts[x as usize]).cmp(&sort_key(&contacts[y as usize])),
        |a, b| {
            if cannot_be_possible(&digests[a as usize], &digests[b as usize], config) {
                return;
            }
            let (x, y) = (a as usize, b as usize);
            let out = compare_digested(
                &contacts[x],
                &contacts[y],
                (&digests[x], &digests[y]),
                config,
            );
            match out.decision {
                Decision::Match => links.push(Link {
                    a,
                    b,
                    score: out.score,
                }),
                Decision::Possible => {
                    possible_pairs.push((a, b, out.score, out.capped.map(str::to_owned)))
                }
                Decision::NonMatch => {}
            }
        },
    );
    stats.blocking = blocks.stats.clone();
    drop(blocks);
    drop(digests);
    let t3 = clock();

    stats.matches = links.len();
    let clustering = cluster::cluster(&contacts, links.clone(), config);
    stats.chain_guard_refused = clustering.refused.len();
    let mut cluster_of = vec![u32::MAX; contacts.len()];
    for (n, members) in clustering.clusters.iter().enumerate() {
        for &m in members {
            cluster_of[m as usize] = n as u32;
        }
    }
    let together = |a: u32, b: u32| {
        cluster_of[a as usize] != u32::MAX && cluster_of[a as usize] == cluster_of[b as usize]
    };
    for (link, reason) in &clustering.refused {
        possible_pairs.push((link.a, link.b, link.score, Some(reason.clone())));
    }
    possible_pairs.retain(|p| !together(p.0, p.1));
    possible_pairs.sort_by_key(|p| (p.0, p.1));
    stats.possible_matches = possible_pairs.len();
    stats.clusters = clustering.clusters.len();
    stats.records_in_clusters = clustering.clusters.iter().map(Vec::len).sum();
    let t4 = clock();

    let id = |i: u32| contacts[i as usize].id.clone();
    let mut explanations = Vec::new();
    if config.explain {
        let refused: std::collections::HashSet<(u32, u32)> =
            clustering.refused.iter().map(|(l, _)| (l.a, l.b)).collect();
        let mut explain = |a: u32, b: u32, note: Option<String>| {
            let mut evidence = Vec::new();
            let out = compare(
                &contacts[a as usize],
                &contacts[b as usize],
                config,
                Some(&mut evidence),
            );
            let decision = if refused.contains(&(a, b)) {
                Decision::Possible
            } else {
                out.decision
            };
            explanations.push(Explanation {
                a: id(a),
                b: id(b),
                decision,
                score: out.score,
                rule: rule_name(&out, &evidence),
                evidence,
                note,
            });
        };
        let mut linked: Vec<&Link> = links
            .iter()
            .filter(|l| !refused.contains(&(l.a, l.b)))
            .collect();
        linked.sort_by_key(|l| (l.a, l.b));
        for l in linked {
            explain(l.a, l.b, None);
        }
        for (a, b, _, note) in &possible_pairs {
            explain(*a, *b, note.clone());
        }
    }
    let t5 = clock();
    stats.timings_ms = Timings {
        to_wasm: 0.0,
        normalise: round_ms(read_ms),
        blocking: round_ms(t2 - t1),
        scoring: round_ms(t3 - t2),
        clustering: round_ms(t4 - t3),
        explaining: round_ms(t5 - t4),
    };
    Report {
        clusters: clustering
            .clusters
            .iter()
            .map(|c| c.iter().map(|&i| id(i)).collect())
            .collect(),
        possible: possible_pairs
            .iter()
            .map(|(a, b, score, _)| Possible {
                a: id(*a),
                b: id(*b),
                score: *score,
            })
            .collect(),
        explanations,
        stats,
    }
}

fn skip(stats: &mut Stats, index: usize, id: Option<String>, reason: &str) {
    stats.skipped += 1;
    if stats.skipped_records.len() < LISTED {
        stats.skipped_records.push(Skipped {
            index,
            id,
            reason: reason.to_owned(),
        });
    }
}

/// How members of a capped block are ordered before the window slides over them.
fn sort_key(c: &Contact) -> (&str, &str, u32, &str) {
    (&c.last, &c.first, c.dob.unwrap_or(0), &c.postcode)
}

fn round_ms(ms: f64) -> f64 {
    (ms * 10.0).round() / 10.0
}
