//! Reconciliation: reads both systems and the Store and reports what does not agree:
//! people with no GHL contact, links whose record is gone, per-field drift on mapped
//! fields, duplicates inside either system, and pending reviews. `repair` turns the
//! drift into a Plan (the same planner a sync uses) and, unless it is a dry run, runs it.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{json, Value};

use super::import::FieldProblem;
use super::{to_json, Engine, PairRun, SyncError};
use crate::ghl::client::SearchCursor;
use crate::http::{Clock, Transport};
use crate::mapping::{ghl_to_canonical, outseta_to_canonical, Context};
use crate::matching::{find_duplicates, Config as DedupConfig};
use crate::model::is_empty;
use crate::outseta::client::ListQuery;
use crate::plan::Planner;
use crate::store::{ReviewItem, ReviewKind, Store};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unlinked {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StaleLink {
    pub outseta_uid: String,
    pub ghl_id: String,
    /// `outseta`, `ghl` or `both`: where the record is gone.
    pub missing: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDrift {
    pub field: String,
    pub outseta: Value,
    pub ghl: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PairDrift {
    pub outseta_uid: String,
    pub ghl_id: String,
    pub fields: Vec<FieldDrift>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Duplicates {
    pub outseta: Vec<Vec<String>>,
    pub ghl: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub outseta_people: usize,
    pub ghl_contacts: usize,
    pub links: usize,
    pub missing_in_ghl: usize,
    pub unlinked_ghl: usize,
    pub drifted_pairs: usize,
    pub drifted_fields: usize,
    pub stale_links: usize,
    pub duplicate_clusters: usize,
    pub pending_reviews: usize,
    /// Fields the sync cannot write (unreadable values, missing definitions).
    pub unwritable_fields: usize,
    /// People no contact can be made for (no email and no readable phone).
    pub refused: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileReport {
    pub generated_at: String,
    /// True when nothing is missing, drifted, stale or duplicated.
    pub in_sync: bool,
    pub counts: Counts,
    /// Outseta people with no linked GHL contact.
    pub missing_in_ghl: Vec<Unlinked>,
    /// GHL contacts linked to no Outseta person (often leads: informational).
    pub unlinked_ghl: Vec<Unlinked>,
    pub drift: Vec<PairDrift>,
    pub stale_links: Vec<StaleLink>,
    pub duplicates: Duplicates,
    pub pending_reviews: Vec<ReviewItem>,
    /// Drift of its own kind: fields the sync cannot write, person by person, with
    /// the value and why (they stay different until the data or the setup is fixed).
    pub unwritable: Vec<FieldProblem>,
    /// People with no GHL contact that none can be made for, with why.
    pub refused: Vec<Value>,
    /// `repair` only: the Plan that removes the drift and creates the missing contacts
    /// (never for a person held for review as a possible duplicate).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repair: Vec<PairRun>,
}

fn email_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

impl<T: Transport, C: Clock + Clone, S: Store> Engine<T, C, S> {
    /// Reads both systems in full and reports every disagreement. With `repair`, the
    /// drift and the missing contacts become a Plan, executed unless `dry_run`.
    pub async fn reconcile(
        &self,
        repair: bool,
        dry_run: bool,
    ) -> Result<ReconcileReport, SyncError> {
        let ctx = self.context().await?;
        let people: Vec<Value> = self
            .outseta
            .list_all_people(&self.people_query(ListQuery {
                limit: Some(100),
                ..ListQuery::default()
            }))
            .await?
            .iter()
            .map(|p| {
                let mut p = to_json(p);
                super::context::fill_account(&mut p);
                p
            })
            .collect();
        let mut contacts: Vec<Value> = Vec::new();
        let mut cursor = SearchCursor::new(json!({ "pageLimit": 500 }))?;
        while let Some(page) = cursor.next(&self.ghl).await? {
            contacts.extend(page.contacts.iter().map(to_json));
        }
        let links = self.state.links().await?;
        let reviews = self.state.reviews().await?;
        let by_uid: HashMap<&str, &Value> = people
            .iter()
            .filter_map(|p| Some((p.get("Uid")?.as_str()?, p)))
            .collect();
        let by_gid: HashMap<&str, &Value> = contacts
            .iter()
            .filter_map(|c| Some((c.get("id")?.as_str()?, c)))
            .collect();
        let mut report = ReconcileReport {
            generated_at: super::rfc3339(self.now_ms()),
            pending_reviews: reviews,
            ..ReconcileReport::default()
        };
        let linked_uids: std::collections::HashSet<&str> =
            links.iter().map(|l| l.outseta_uid.as_str()).collect();
        let linked_gids: std::collections::HashSet<&str> =
            links.iter().map(|l| l.ghl_id.as_str()).collect();
        for (uid, p) in &by_uid {
            if !linked_uids.contains(uid) {
                report.missing_in_ghl.push(Unlinked {
                    id: (*uid).to_owned(),
                    email: email_of(p, "Email"),
                });
            }
        }
        for (gid, c) in &by_gid {
            if !linked_gids.contains(gid) {
                report.unlinked_ghl.push(Unlinked {
                    id: (*gid).to_owned(),
                    email: email_of(c, "email"),
                });
            }
        }
        report.missing_in_ghl.sort_by(|a, b| a.id.cmp(&b.id));
        report.unlinked_ghl.sort_by(|a, b| a.id.cmp(&b.id));
        let planner = self.planner(&ctx);
        for link in &links {
            let (p, c) = (
                by_uid.get(link.outseta_uid.as_str()),
                by_gid.get(link.ghl_id.as_str()),
            );
            let (p, c) = match (p, c) {
                (Some(p), Some(c)) => (*p, *c),
                (p, c) => {
                    report.stale_links.push(StaleLink {
                        outseta_uid: link.outseta_uid.clone(),
                        ghl_id: link.ghl_id.clone(),
                        missing: match (p, c) {
                            (None, None) => "both",
                            (None, _) => "outseta",
                            _ => "ghl",
                        },
                    });
                    continue;
                }
            };
            let run = PairRun {
                outseta_uid: Some(link.outseta_uid.clone()),
                ghl_id: Some(link.ghl_id.clone()),
                found: "linked",
                plan: planner.plan_pair(p, c, link.state.clone()),
                ..PairRun::default()
            };
            report.unwritable.extend(FieldProblem::of(&run));
            let unwritable: Vec<&str> = run.plan.errors.iter().map(|e| e.field.as_str()).collect();
            // A field the sync cannot write is its own kind of drift, not this one.
            let fields: Vec<FieldDrift> = self
                .field_drift(&ctx, &planner, p, c)
                .into_iter()
                .filter(|d| !unwritable.contains(&d.field.as_str()))
                .collect();
            if !fields.is_empty() {
                report.drift.push(PairDrift {
                    outseta_uid: link.outseta_uid.clone(),
                    ghl_id: link.ghl_id.clone(),
                    fields,
                });
                if repair {
                    report.repair.push(run);
                }
            }
        }
        let held: std::collections::HashSet<&str> = report
            .pending_reviews
            .iter()
            .filter(|r| r.kind == ReviewKind::Duplicate)
            .map(|r| r.outseta_uid.as_str())
            .collect();
        for m in &report.missing_in_ghl {
            let Some(p) = by_uid.get(m.id.as_str()) else {
                continue;
            };
            let run = PairRun {
                outseta_uid: Some(m.id.clone()),
                found: "new",
                plan: planner.plan_pair(p, &Value::Null, Default::default()),
                ..PairRun::default()
            };
            report.unwritable.extend(FieldProblem::of(&run));
            if let Some(error) = &run.plan.error {
                report
                    .refused
                    .push(json!({ "outsetaUid": m.id, "error": error }));
            } else if repair && !held.contains(m.id.as_str()) {
                report.repair.push(run);
            }
        }
        let config = DedupConfig::default();
        let clock = || 0.0;
        let text = super::import::records_text;
        report.duplicates.outseta = find_duplicates(&text(&people)?, &config, &clock)?.clusters;
        report.duplicates.ghl = find_duplicates(&text(&contacts)?, &config, &clock)?.clusters;
        report.counts = Counts {
            outseta_people: people.len(),
            ghl_contacts: contacts.len(),
            links: links.len(),
            missing_in_ghl: report.missing_in_ghl.len(),
            unlinked_ghl: report.unlinked_ghl.len(),
            drifted_pairs: report.drift.len(),
            drifted_fields: report.drift.iter().map(|d| d.fields.len()).sum(),
            stale_links: report.stale_links.len(),
            duplicate_clusters: report.duplicates.outseta.len() + report.duplicates.ghl.len(),
            pending_reviews: report.pending_reviews.len(),
            unwritable_fields: report.unwritable.len(),
            refused: report.refused.len(),
        };
        let c = &report.counts;
        report.in_sync = c.missing_in_ghl == 0
            && c.drifted_pairs == 0
            && c.stale_links == 0
            && c.duplicate_clusters == 0
            && c.pending_reviews == 0
            && c.unwritable_fields == 0;
        if repair && !dry_run {
            let runs = std::mem::take(&mut report.repair);
            let mut done = Vec::with_capacity(runs.len());
            for run in runs {
                done.push(self.execute(run, false).await);
            }
            report.repair = done;
        }
        Ok(report)
    }

    /// Mapped fields on which the two records disagree. A field counts when the side
    /// that feeds it has a value the other does not hold (an empty value on the feeding
    /// side counts only where the policy allows erasing).
    fn field_drift(
        &self,
        ctx: &Context,
        planner: &Planner,
        person: &Value,
        contact: &Value,
    ) -> Vec<FieldDrift> {
        let (Ok(o), Ok(g)) = (
            outseta_to_canonical(person, &self.spec, ctx),
            ghl_to_canonical(contact, ctx),
        ) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (field, direction) in &planner.routes {
            let ov = o.contact.fields.get(field).cloned().unwrap_or(Value::Null);
            let gv = g.fields.get(field).cloned().unwrap_or(Value::Null);
            if ov == gv || (is_empty(&ov) && is_empty(&gv)) {
                continue;
            }
            let erasable = !self.policy.for_field(field).never_erase;
            let fed_by_outseta = direction.to_ghl() && (!is_empty(&ov) || erasable);
            let fed_by_ghl = direction.to_outseta() && (!is_empty(&gv) || erasable);
            if fed_by_outseta || fed_by_ghl {
                out.push(FieldDrift {
                    field: field.clone(),
                    outseta: ov,
                    ghl: gv,
                });
            }
        }
        out
    }
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => "<em>empty</em>".to_owned(),
        Value::String(s) => esc(s),
        other => esc(&other.to_string()),
    }
}

/// The report as one self-contained, readable HTML page.
pub fn to_html(r: &ReconcileReport) -> String {
    let c = &r.counts;
    let mut h = String::new();
    h.push_str("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\"><meta name=\"viewport\" content=\"width=device-width\"><title>Outseta / HighLevel reconciliation</title><style>body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1c1c1c}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f3f3f3}.ok{color:#116611}.bad{color:#aa1111}</style></head><body>");
    h.push_str("<h1>Outseta / HighLevel reconciliation</h1>");
    h.push_str(&format!("<p>Generated {}. ", esc(&r.generated_at)));
    if r.in_sync {
        h.push_str("<strong class=\"ok\">Both systems agree.</strong></p>");
    } else {
        h.push_str("<strong class=\"bad\">The systems disagree; details below.</strong></p>");
    }
    h.push_str("<table><tr><th>Measure</th><th>Count</th></tr>");
    for (name, n) in [
        ("Outseta people", c.outseta_people),
        ("GHL contacts", c.ghl_contacts),
        ("Links", c.links),
        ("Outseta people with no GHL contact", c.missing_in_ghl),
        ("GHL contacts linked to no person", c.unlinked_ghl),
        ("Pairs with drift", c.drifted_pairs),
        ("Drifted fields", c.drifted_fields),
        ("Stale links", c.stale_links),
        ("Duplicate clusters", c.duplicate_clusters),
        ("Pending reviews", c.pending_reviews),
        ("Fields the sync cannot write", c.unwritable_fields),
        ("People no contact can be made for", c.refused),
    ] {
        h.push_str(&format!("<tr><td>{name}</td><td>{n}</td></tr>"));
    }
    h.push_str("</table>");
    if !r.drift.is_empty() {
        h.push_str("<h2>Drift</h2><table><tr><th>Outseta</th><th>GHL</th><th>Field</th><th>Outseta value</th><th>GHL value</th></tr>");
        for d in &r.drift {
            for f in &d.fields {
                h.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&d.outseta_uid),
                    esc(&d.ghl_id),
                    esc(&f.field),
                    cell(&f.outseta),
                    cell(&f.ghl)
                ));
            }
        }
        h.push_str("</table>");
    }
    let list = |h: &mut String, title: &str, items: &[Unlinked]| {
        if items.is_empty() {
            return;
        }
        h.push_str(&format!(
            "<h2>{title}</h2><table><tr><th>Id</th><th>Email</th></tr>"
        ));
        for u in items {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td></tr>",
                esc(&u.id),
                esc(u.email.as_deref().unwrap_or(""))
            ));
        }
        h.push_str("</table>");
    };
    list(
        &mut h,
        "Outseta people with no GHL contact",
        &r.missing_in_ghl,
    );
    list(&mut h, "GHL contacts linked to no person", &r.unlinked_ghl);
    if !r.stale_links.is_empty() {
        h.push_str(
            "<h2>Stale links</h2><table><tr><th>Outseta</th><th>GHL</th><th>Gone from</th></tr>",
        );
        for s in &r.stale_links {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&s.outseta_uid),
                esc(&s.ghl_id),
                s.missing
            ));
        }
        h.push_str("</table>");
    }
    for (title, clusters) in [
        ("Duplicates in Outseta", &r.duplicates.outseta),
        ("Duplicates in GHL", &r.duplicates.ghl),
    ] {
        if clusters.is_empty() {
            continue;
        }
        h.push_str(&format!("<h2>{title}</h2><ul>"));
        for cl in clusters {
            h.push_str(&format!("<li>{}</li>", esc(&cl.join(", "))));
        }
        h.push_str("</ul>");
    }
    if !r.unwritable.is_empty() {
        h.push_str("<h2>Fields the sync cannot write</h2><table><tr><th>Outseta</th><th>GHL</th><th>Field</th><th>Value</th><th>Why</th></tr>");
        for p in &r.unwritable {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(p.outseta_uid.as_deref().unwrap_or("")),
                esc(p.ghl_id.as_deref().unwrap_or("")),
                esc(&p.field),
                cell(&p.value),
                esc(&p.message)
            ));
        }
        h.push_str("</table>");
    }
    if !r.refused.is_empty() {
        h.push_str("<h2>People no contact can be made for</h2><table><tr><th>Outseta</th><th>Why</th></tr>");
        for p in &r.refused {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td></tr>",
                cell(p.get("outsetaUid").unwrap_or(&Value::Null)),
                cell(p.pointer("/error/message").unwrap_or(&Value::Null))
            ));
        }
        h.push_str("</table>");
    }
    if !r.pending_reviews.is_empty() {
        h.push_str("<h2>Pending reviews</h2><table><tr><th>Review</th><th>Why</th><th>Outseta value</th><th>GHL value</th></tr>");
        for item in &r.pending_reviews {
            let (outseta, ghl) = match &item.conflict {
                Some(c) => (c.outseta.clone(), c.ghl.clone()),
                None => (
                    item.outseta.get("Email").cloned().unwrap_or(Value::Null),
                    item.ghl.get("email").cloned().unwrap_or(Value::Null),
                ),
            };
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&item.id),
                esc(&item.reason),
                cell(&outseta),
                cell(&ghl)
            ));
        }
        h.push_str("</table>");
    }
    h.push_str("</body></html>");
    h
}
