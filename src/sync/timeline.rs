//! One customer timeline: Outseta activities next to GHL notes, tasks and appointments,
//! newest first, each labelled with where it came from.

use serde::Serialize;
use serde_json::{json, Value};

use super::{Engine, SyncError};
use crate::ghl::time::parse_rfc3339_ms;
use crate::http::{Clock, Transport};
use crate::outseta::client::ListQuery;
use crate::store::Store;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// RFC 3339 text as the source gave it (`null` when it gave none).
    pub at: Option<String>,
    /// `outseta` or `ghl`.
    pub source: &'static str,
    /// `activity`, `note`, `task` or `appointment`.
    pub kind: &'static str,
    pub id: Option<String>,
    pub title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub body: String,
    #[serde(skip)]
    sort_ms: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Timeline {
    pub outseta_uid: Option<String>,
    pub ghl_id: Option<String>,
    pub entries: Vec<Entry>,
}

fn entry(
    source: &'static str,
    kind: &'static str,
    id: Option<String>,
    at: Option<String>,
    title: String,
    body: String,
) -> Entry {
    let sort_ms = at.as_deref().and_then(parse_time).unwrap_or(f64::MIN);
    Entry {
        at,
        source,
        kind,
        id,
        title,
        body,
        sort_ms,
    }
}

/// RFC 3339, or Outseta's offset-less and GHL's space-separated forms read as UTC.
fn parse_time(text: &str) -> Option<f64> {
    parse_rfc3339_ms(text).or_else(|| {
        let t = text.trim().replace(' ', "T");
        let t = if t.ends_with('Z') || t.contains('+') {
            t
        } else {
            format!("{t}Z")
        };
        parse_rfc3339_ms(&t)
    })
}

impl<T: Transport, C: Clock + Clone, S: Store> Engine<T, C, S> {
    /// The timeline of a pair, found by either id (the other comes from the link).
    pub async fn timeline(
        &self,
        outseta_uid: Option<&str>,
        ghl_id: Option<&str>,
    ) -> Result<Timeline, SyncError> {
        let link = match (outseta_uid, ghl_id) {
            (Some(u), _) => self.state.link_by_outseta(u).await?,
            (None, Some(g)) => self.state.link_by_ghl(g).await?,
            (None, None) => {
                return Err(SyncError::InputInvalid {
                    what: "timeline",
                    reason: "pass an outsetaUid or a ghlId".into(),
                })
            }
        };
        let uid = outseta_uid
            .map(str::to_owned)
            .or_else(|| link.as_ref().map(|l| l.outseta_uid.clone()));
        let gid = ghl_id
            .map(str::to_owned)
            .or_else(|| link.as_ref().map(|l| l.ghl_id.clone()));
        let mut entries = Vec::new();
        if let Some(uid) = &uid {
            let mut query = ListQuery {
                limit: Some(100),
                ..ListQuery::default()
            };
            query.filters.insert("EntityUid".into(), json!(uid));
            loop {
                let page = self.outseta.list_activities(&query).await?;
                for a in &page.items {
                    entries.push(entry(
                        "outseta",
                        "activity",
                        a.uid.clone(),
                        a.activity_date_time
                            .as_ref()
                            .or(a.created.as_ref())
                            .map(|t| t.as_str().to_owned()),
                        a.title.clone().unwrap_or_default(),
                        a.description.clone().unwrap_or_default(),
                    ));
                }
                if page.is_last() {
                    break;
                }
                query.offset += 1;
            }
        }
        if let Some(gid) = &gid {
            for n in self.ghl.list_notes(gid).await? {
                entries.push(entry(
                    "ghl",
                    "note",
                    n.id,
                    n.date_added,
                    "Note".to_owned(),
                    n.body.unwrap_or_default(),
                ));
            }
            for t in self.ghl.list_tasks(gid).await? {
                let at = t
                    .extra
                    .get("dateAdded")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or(t.due_date.clone());
                let done = if t.completed == Some(true) {
                    " (completed)"
                } else {
                    ""
                };
                entries.push(entry(
                    "ghl",
                    "task",
                    t.id,
                    at,
                    format!("{}{done}", t.title.unwrap_or_default()),
                    t.body.unwrap_or_default(),
                ));
            }
            for a in self.ghl.list_appointments(gid).await? {
                entries.push(entry(
                    "ghl",
                    "appointment",
                    a.id,
                    a.start_time,
                    a.title.unwrap_or_else(|| "Appointment".to_owned()),
                    a.appointment_status.or(a.status).unwrap_or_default(),
                ));
            }
        }
        entries.sort_by(|a, b| b.sort_ms.total_cmp(&a.sort_ms));
        Ok(Timeline {
            outseta_uid: uid,
            ghl_id: gid,
            entries,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn reads_the_time_forms_both_apis_use() {
        let z = parse_time("2026-11-27T10:00:00Z").unwrap();
        assert_eq!(parse_time("2026-11-27T10:00:00").unwrap(), z);
        assert_eq!(parse_time("2026-11-27 10:00:00").unwrap(), z);
        assert_eq!(parse_time("2026-11-27T10:00:00.0000000Z").unwrap(), z);
        assert!(parse_time("yesterday").is_none());
    }
}
