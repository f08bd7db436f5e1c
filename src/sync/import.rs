//! Bulk import of every Outseta person into GHL.
//!
//! GHL's contacts are read once up front (search pages of 500) into the matcher
//! (`matching::link`) and a map by id, and the Store's links once; so a linked person
//! costs no read, an unchanged one no call at all, and a new one one upsert. People are
//! read page by page in `Created ASC` order; after each page a checkpoint stores the next
//! page and the running summary. A crash or a cancel resumes from the page it was on: people done
//! before are linked by then (a create is linked the moment GHL answers), and a create
//! whose answer was lost is found again by the dedup index, so no one is created twice.

use std::collections::{HashMap, HashSet};

use futures_util::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{to_json, Engine, PairRun, SyncError};
use crate::ghl::client::SearchCursor;
use crate::http::{Clock, Transport};
use crate::matching::index::GhlDuplicateSetting;
use crate::matching::link::{Linker, Match};
use crate::outseta::client::ListQuery;
use crate::plan::{Planner, System};
use crate::store::{Link, ReviewItem, ReviewKind, Store};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ImportOptions {
    /// Plan only: nothing is written, the whole Plan is returned.
    pub dry_run: bool,
    /// Continue an interrupted import from its checkpoint.
    pub resume: bool,
    /// People per Outseta page (1 to 100).
    pub page_size: u32,
    /// The checkpoint's name; two imports with different names do not share one.
    pub job: String,
    /// GHL's "Allow Duplicate Contact" setting of the location and its match fields.
    pub ghl_duplicates: Option<Value>,
    /// Also write to Outseta where GHL holds a newer value (a two-way first sync).
    /// Off (the default), an import writes to GHL only and leaves such a field as
    /// Outseta holds it, for the next two-way sync to carry over.
    pub two_way: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            dry_run: false,
            resume: false,
            page_size: 100,
            job: "bulk-import".to_owned(),
            ghl_duplicates: None,
            two_way: false,
        }
    }
}

/// A person that was not written, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    pub outseta_uid: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Summary {
    pub total: u64,
    pub done: u64,
    pub created: u64,
    pub updated: u64,
    /// Matched to an existing GHL contact and linked.
    pub linked: u64,
    pub unchanged: u64,
    pub skipped: Vec<Skipped>,
    /// People held for review (possible duplicates): see `reviews`.
    pub held_for_review: u64,
    /// People whose data cannot make a contact (no email and no readable phone), each
    /// `{ outsetaUid, error }`: fix the person in Outseta and import again.
    pub refused: Vec<Value>,
    /// Pairs whose writes failed (API or store errors), each `{ outsetaUid, error }`:
    /// importing again retries them.
    pub failed: Vec<Value>,
    /// Operations carried out, by the system written.
    pub writes: Writes,
    /// Fields not written, counted by field and code (`phone` `TRANSFORM_FAILED` 168).
    pub field_problems: Vec<ProblemCount>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Writes {
    pub ghl: u64,
    pub outseta: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemCount {
    pub field: String,
    pub code: String,
    pub count: u64,
}

/// One field of one person that was not written, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldProblem {
    pub outseta_uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ghl_id: Option<String>,
    pub field: String,
    pub code: &'static str,
    pub message: String,
    /// The value as the record held it.
    pub value: Value,
    pub details: Value,
}

impl FieldProblem {
    pub fn of(run: &PairRun) -> impl Iterator<Item = FieldProblem> + '_ {
        run.plan.errors.iter().map(|e| FieldProblem {
            outseta_uid: run.outseta_uid.clone(),
            ghl_id: run.ghl_id.clone(),
            field: e.field.clone(),
            code: e.code,
            message: e.message.clone(),
            value: e.details.get("value").cloned().unwrap_or(Value::Null),
            details: e.details.clone(),
        })
    }
}

impl Summary {
    fn count_problems(&mut self, run: &PairRun) {
        for e in &run.plan.errors {
            match self
                .field_problems
                .iter_mut()
                .find(|p| p.field == e.field && p.code == e.code)
            {
                Some(p) => p.count += 1,
                None => self.field_problems.push(ProblemCount {
                    field: e.field.clone(),
                    code: e.code.to_owned(),
                    count: 1,
                }),
            }
        }
        self.field_problems
            .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.field.cmp(&b.field)));
    }

    fn count_writes(&mut self, run: &PairRun) {
        for (op, result) in run.plan.operations.iter().zip(&run.results) {
            if !result.ok {
                continue;
            }
            match op.system() {
                Some(System::Ghl) => self.writes.ghl += 1,
                Some(System::Outseta) => self.writes.outseta += 1,
                None => {}
            }
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Checkpoint {
    next_page: u32,
    /// The page size the pages were counted in (a resume keeps it).
    #[serde(default)]
    page_size: u32,
    summary: Summary,
}

/// Sent after every page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub done: u64,
    pub total: u64,
    /// People per second since this run started.
    pub rate: f64,
    /// Seconds left at that rate; `null` before the rate is known.
    pub eta_seconds: Option<f64>,
    pub created: u64,
    pub updated: u64,
    pub linked: u64,
    pub unchanged: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub summary: Summary,
    pub dry_run: bool,
    /// True when the progress callback asked to stop; run again with `resume`.
    pub cancelled: bool,
    /// The page the run started from when it resumed a checkpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resumed_from_page: Option<u32>,
    pub elapsed_ms: f64,
    /// Every pair's Plan in a dry run; otherwise only pairs that failed or were refused.
    pub pairs: Vec<PairRun>,
    /// Every field this run did not write, person by person (the summary counts them).
    pub problems: Vec<FieldProblem>,
}

/// What to do with one person.
enum Step {
    Run(Box<PairRun>),
    Skip(Skipped),
    /// Held for review as a possible duplicate; the item to store (None: already held).
    Review(Skipped, Option<Box<ReviewItem>>),
}

impl<T: Transport, C: Clock + Clone, S: Store> Engine<T, C, S> {
    /// Imports every Outseta person. `on_progress` is called after each page; returning
    /// false stops the import after that page (the checkpoint stays for `resume`).
    pub async fn bulk_import(
        &self,
        options: ImportOptions,
        on_progress: &mut dyn FnMut(&Progress) -> bool,
    ) -> Result<ImportReport, SyncError> {
        if !(1..=100).contains(&options.page_size) {
            return Err(SyncError::InputInvalid {
                what: "import options",
                reason: "pageSize must be 1 to 100".into(),
            });
        }
        let started = self.now_ms();
        let setting: GhlDuplicateSetting = match &options.ghl_duplicates {
            None => GhlDuplicateSetting::default(),
            Some(v) => serde_json::from_value(v.clone()).map_err(|e| SyncError::InputInvalid {
                what: "import options",
                reason: format!("ghlDuplicates: {e}"),
            })?,
        };
        let ctx = self.context().await?;
        let saved: Option<Checkpoint> = self.state.checkpoint(&options.job).await?;
        let (mut checkpoint, resumed_from_page) = match (saved, options.resume) {
            (Some(c), true) => {
                let page = c.next_page;
                (c, Some(page))
            }
            (Some(c), false) if !options.dry_run => {
                return Err(SyncError::InputInvalid {
                    what: "import options",
                    reason: format!(
                        "an import named `{}` stopped at page {} ({} of {} people done): pass resume: true to continue it, or another job name",
                        options.job, c.next_page, c.summary.done, c.summary.total
                    ),
                })
            }
            _ => (Checkpoint::default(), None),
        };
        // Pages are counted in the size the run started with; Outseta serves at most 25
        // a page when the person's account is expanded.
        let page_size = match checkpoint.page_size {
            0 => self
                .people_query(ListQuery {
                    limit: Some(options.page_size),
                    ..ListQuery::default()
                })
                .limit
                .unwrap_or(options.page_size),
            saved => saved,
        };
        checkpoint.page_size = page_size;

        // Everything already in GHL, and every link, read once.
        let mut ghl_by_id: HashMap<String, Value> = HashMap::new();
        let mut cursor = SearchCursor::new(json!({ "pageLimit": 500 }))?;
        while let Some(page) = cursor.next(&self.ghl).await? {
            for c in page.contacts {
                if let Some(id) = c.id.clone() {
                    ghl_by_id.insert(id, to_json(&c));
                }
            }
        }
        let ghl_records: Vec<&Value> = ghl_by_id.values().collect();
        let ghl_text = records_text(&ghl_records)?;
        let links: HashMap<String, Link> = self
            .state
            .links()
            .await?
            .into_iter()
            .map(|l| (l.outseta_uid.clone(), l))
            .collect();
        let mut planner = self.planner(&ctx);
        planner.write_outseta = options.two_way;
        let reviews: HashSet<String> = self
            .state
            .reviews()
            .await?
            .into_iter()
            .filter(|r| r.kind == ReviewKind::Duplicate)
            .map(|r| r.outseta_uid)
            .collect();
        let linker = Linker::new(
            &ghl_text,
            links.values().map(|l| l.ghl_id.clone()).collect(),
            setting,
        )?;
        let mut known = Known {
            planner,
            held: reviews,
            now: super::rfc3339(self.now_ms()),
            links,
            ghl_by_id,
            linker,
        };

        let mut pairs_out = Vec::new();
        let mut problems = Vec::new();
        let mut cancelled = false;
        let mut done_this_run = 0u64;
        loop {
            let mut query = self.people_query(ListQuery {
                offset: checkpoint.next_page,
                order_by: Some("Created ASC".into()),
                ..ListQuery::default()
            });
            query.limit = Some(page_size);
            let page = self.outseta.list_people(&query).await?;
            checkpoint.summary.total = page.metadata.total;
            let last = page.is_last();
            let mut steps = Vec::with_capacity(page.items.len());
            for person in &page.items {
                let mut person = to_json(person);
                super::context::fill_account(&mut person);
                steps.push(known.step(person)?);
            }
            let runs: Vec<PairRun> = {
                let mut to_run = Vec::new();
                for step in steps {
                    match step {
                        Step::Run(r) => to_run.push(*r),
                        Step::Skip(s) => checkpoint.summary.skipped.push(s),
                        Step::Review(s, item) => {
                            checkpoint.summary.held_for_review += 1;
                            checkpoint.summary.skipped.push(s);
                            if let (Some(item), false) = (item, options.dry_run) {
                                self.state.put_review(&item).await?;
                            }
                        }
                    }
                }
                let dry = options.dry_run;
                // Each pair under its lock, so the webhook of our own create (which can
                // arrive before the pair's state is stored) waits and then finds it.
                stream::iter(to_run.into_iter().map(|r| async move {
                    let _guard = match &r.outseta_uid {
                        Some(uid) => Some(self.lock(format!("o:{uid}")).await),
                        None => None,
                    };
                    self.execute(r, dry).await
                }))
                .buffer_unordered(self.options.concurrency.max(1))
                .collect()
                .await
            };
            for run in runs {
                let s = &mut checkpoint.summary;
                let has = |op: &str| run.plan.operations.iter().any(|o| o.name() == op);
                s.count_problems(&run);
                s.count_writes(&run);
                problems.extend(FieldProblem::of(&run));
                if let Some(err) = &run.plan.error {
                    s.refused
                        .push(json!({ "outsetaUid": run.outseta_uid, "error": err }));
                } else if let Some(err) = &run.error {
                    s.failed
                        .push(json!({ "outsetaUid": run.outseta_uid, "error": err }));
                } else if has("CreateContact") {
                    s.created += 1;
                } else if run.found == "matched" {
                    s.linked += 1;
                } else if run.plan.operations.is_empty() {
                    s.unchanged += 1;
                } else {
                    s.updated += 1;
                }
                if has("Review") {
                    s.held_for_review += 1;
                }
                if options.dry_run || run.error.is_some() {
                    pairs_out.push(run);
                }
            }
            let n = page.items.len() as u64;
            checkpoint.summary.done += n;
            done_this_run += n;
            checkpoint.next_page += 1;
            if !options.dry_run {
                self.state.set_checkpoint(&options.job, &checkpoint).await?;
            }
            let elapsed_s = ((self.now_ms() - started) / 1000.0).max(1e-3);
            let rate = done_this_run as f64 / elapsed_s;
            let s = &checkpoint.summary;
            let progress = Progress {
                done: s.done,
                total: s.total,
                rate,
                eta_seconds: (rate > 0.0).then(|| s.total.saturating_sub(s.done) as f64 / rate),
                created: s.created,
                updated: s.updated,
                linked: s.linked,
                unchanged: s.unchanged,
            };
            let go_on = on_progress(&progress);
            if last || page.items.is_empty() {
                break;
            }
            if !go_on {
                cancelled = true;
                break;
            }
        }
        if !cancelled && !options.dry_run {
            self.state.clear_checkpoint(&options.job).await?;
        }
        Ok(ImportReport {
            summary: checkpoint.summary,
            dry_run: options.dry_run,
            cancelled,
            resumed_from_page,
            elapsed_ms: self.now_ms() - started,
            pairs: pairs_out,
            problems,
        })
    }
}

/// What an import knows before it reads a single person: GHL's contacts (by id, and in
/// the matcher with the people seen so far in this run) and the stored links.
struct Known<'a> {
    planner: Planner<'a>,
    /// People with a pending duplicate review: never created until it is resolved.
    held: HashSet<String>,
    now: String,
    links: HashMap<String, Link>,
    ghl_by_id: HashMap<String, Value>,
    linker: Linker,
}

impl Known<'_> {
    /// Plans one person of an import (no I/O: everything it needs was read up front).
    fn step(&mut self, person: Value) -> Result<Step, SyncError> {
        let uid = person
            .get("Uid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let skip = |reason: String| {
            Ok(Step::Skip(Skipped {
                outseta_uid: uid.clone(),
                reason,
            }))
        };
        if uid.is_empty() {
            return skip("the person has no Uid".into());
        }
        if let Some(link) = self.links.get(&uid) {
            let Some(contact) = self.ghl_by_id.get(&link.ghl_id) else {
                return skip(format!(
                    "linked to GHL contact {}, which no longer exists (see reconcile)",
                    link.ghl_id
                ));
            };
            let plan = self.planner.plan_pair(&person, contact, link.state.clone());
            return Ok(Step::Run(Box::new(PairRun {
                outseta_uid: Some(uid),
                ghl_id: Some(link.ghl_id.clone()),
                found: "linked",
                plan,
                ..PairRun::default()
            })));
        }
        if self.held.contains(&uid) {
            return Ok(Step::Review(
                Skipped {
                    outseta_uid: uid.clone(),
                    reason: format!(
                        "held for review as a possible duplicate: resolve review {uid}/duplicate"
                    ),
                },
                None,
            ));
        }
        let (contact, found, ghl_id) = match self.linker.person(&records_text(&person)?)? {
            Match::Existing(target) => match self.ghl_by_id.get(&target) {
                Some(c) => (c.clone(), "matched", Some(target)),
                None => (Value::Null, "new", None),
            },
            Match::Hold {
                reason,
                target,
                candidates,
            } => {
                let contact = target
                    .and_then(|t| self.ghl_by_id.get(&t).cloned())
                    .unwrap_or(Value::Null);
                return Ok(self.hold(uid, person, contact, reason, candidates));
            }
            Match::Skip(reason) => return skip(reason),
            Match::New => (Value::Null, "new", None),
        };
        let plan = self
            .planner
            .plan_pair(&person, &contact, Default::default());
        Ok(Step::Run(Box::new(PairRun {
            outseta_uid: Some(uid),
            ghl_id,
            found,
            plan,
            ..PairRun::default()
        })))
    }
}

impl Known<'_> {
    /// A person held as a possible duplicate: reported now, and queued for review with
    /// both records and the candidates.
    fn hold(
        &mut self,
        uid: String,
        person: Value,
        ghl: Value,
        reason: String,
        candidates: Vec<Value>,
    ) -> Step {
        self.held.insert(uid.clone());
        let item = ReviewItem {
            id: String::new(),
            kind: ReviewKind::Duplicate,
            outseta_uid: uid.clone(),
            ghl_id: String::new(),
            conflict: None,
            reason: reason.clone(),
            candidates,
            outseta: person,
            ghl,
            held_at: Some(self.now.clone()),
        };
        Step::Review(
            Skipped {
                outseta_uid: uid.clone(),
                reason: format!("{reason}: held for review {uid}/duplicate"),
            },
            Some(Box::new(item)),
        )
    }
}

/// Records as the JSON text the dedup index reads. Serialising JSON values cannot fail in
/// practice, but an empty text would silently index nothing, so a failure is an error.
pub(crate) fn records_text(records: &impl serde::Serialize) -> Result<String, SyncError> {
    serde_json::to_string(records).map_err(|e| SyncError::InputInvalid {
        what: "records for the duplicate index",
        reason: e.to_string(),
    })
}
