//! The one conformance suite every [`Store`] implementation runs: the in-memory store in
//! `cargo test`, and each JS store through `runStoreConformance(store)`. It starts from
//! whatever the store holds under the `conformance/` prefix and leaves it empty. Besides
//! the five basic calls it checks `batch` and `list_first`, and runs the engine's links
//! and claims ([`State`]) on the store, under the same prefix: both halves of a link
//! written together, a half left by a crash read as no link and healed, claims expiring.

use serde::Serialize;

use super::{Link, State, Store, StoreError, Write};

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub passed: u32,
    /// One line per failed check: what was expected and what the store did.
    pub failures: Vec<String>,
}

impl Report {
    fn check(&mut self, name: &str, ok: bool, found: impl std::fmt::Debug) {
        if ok {
            self.passed += 1;
        } else {
            self.failures.push(format!("{name}: found {found:?}"));
        }
    }
}

const P: &str = "conformance/";

async fn clear<S: Store>(store: &S) -> Result<(), StoreError> {
    for (k, _) in store.list(P).await? {
        store.delete(&k).await?;
    }
    Ok(())
}

/// The store seen under the suite's prefix, so [`State`]'s own key layout can be run on
/// a real store without touching its real keys.
struct Under<'a, S>(&'a S);

fn under(key: &str) -> String {
    format!("{P}state/{key}")
}

impl<S: Store> Store for Under<'_, S> {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.0.get(&under(key)).await
    }
    async fn put(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.0.put(&under(key), value).await
    }
    async fn put_if_absent(&self, key: &str, value: &str) -> Result<bool, StoreError> {
        self.0.put_if_absent(&under(key), value).await
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.0.delete(&under(key)).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        let cut = under("").len();
        let all = self.0.list(&under(prefix)).await?;
        Ok(all
            .into_iter()
            .map(|(k, v)| (k[cut..].to_owned(), v))
            .collect())
    }
    async fn list_first(
        &self,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let cut = under("").len();
        let all = self.0.list_first(&under(prefix), limit).await?;
        Ok(all
            .into_iter()
            .map(|(k, v)| (k[cut..].to_owned(), v))
            .collect())
    }
    async fn batch(&self, writes: &[Write]) -> Result<(), StoreError> {
        let writes: Vec<Write> = writes
            .iter()
            .map(|w| match w {
                Write::Put(k, v) => Write::Put(under(k), v.clone()),
                Write::Delete(k) => Write::Delete(under(k)),
            })
            .collect();
        self.0.batch(&writes).await
    }
}

/// Runs every check; a store error fails the check it happened in, not the suite.
pub async fn run<S: Store>(store: &S) -> Report {
    let mut r = Report::default();
    if let Err(e) = checks(store, &mut r).await {
        r.failures.push(format!("the store failed: {e}"));
    }
    if let Err(e) = clear(store).await {
        r.failures.push(format!("clean-up failed: {e}"));
    }
    r
}

async fn checks<S: Store>(s: &S, r: &mut Report) -> Result<(), StoreError> {
    clear(s).await?;
    let k = |name: &str| format!("{P}{name}");

    let got = s.get(&k("missing")).await?;
    r.check("get of a missing key is None", got.is_none(), got);

    s.put(&k("a"), "1").await?;
    let got = s.get(&k("a")).await?;
    r.check("put then get", got.as_deref() == Some("1"), got);

    s.put(&k("a"), "2").await?;
    let got = s.get(&k("a")).await?;
    r.check("put overwrites", got.as_deref() == Some("2"), got);

    // Values are opaque text: JSON with quotes, newlines and non-ASCII round-trips.
    let tricky = "{\"name\":\"Zoë \\\"Q\\\"\",\n\"emoji\":\"🎉\"}";
    s.put(&k("tricky"), tricky).await?;
    let got = s.get(&k("tricky")).await?;
    r.check(
        "text round-trips exactly",
        got.as_deref() == Some(tricky),
        got,
    );

    let first = s.put_if_absent(&k("claim"), "x").await?;
    let second = s.put_if_absent(&k("claim"), "y").await?;
    let held = s.get(&k("claim")).await?;
    r.check(
        "put_if_absent claims once",
        first && !second,
        (first, second),
    );
    r.check(
        "put_if_absent keeps the first value",
        held.as_deref() == Some("x"),
        held,
    );

    s.delete(&k("a")).await?;
    let got = s.get(&k("a")).await?;
    r.check("delete removes", got.is_none(), got);
    s.delete(&k("never-there")).await?;
    r.check("delete of a missing key is fine", true, ());

    let again = s.put_if_absent(&k("a"), "3").await?;
    r.check("a deleted key can be claimed again", again, again);

    for name in ["list/b", "list/a", "list/c/d", "listx"] {
        s.put(&k(name), name).await?;
    }
    let listed = s.list(&k("list/")).await?;
    let keys: Vec<&str> = listed.iter().map(|(k, _)| &k[P.len()..]).collect();
    r.check(
        "list returns the prefix's entries in key order, and only them",
        keys == ["list/a", "list/b", "list/c/d"],
        &keys,
    );
    r.check(
        "list returns the values",
        listed.iter().all(|(key, v)| key.ends_with(v.as_str())),
        &listed,
    );
    let none = s.list(&k("nothing/")).await?;
    r.check("list of an unused prefix is empty", none.is_empty(), none);
    let first = s.list_first(&k("list/"), 2).await?;
    let keys: Vec<&str> = first.iter().map(|(k, _)| &k[P.len()..]).collect();
    r.check(
        "list_first returns the first entries in key order",
        keys == ["list/a", "list/b"],
        &keys,
    );

    s.batch(&[
        Write::Put(k("batch/a"), "1".into()),
        Write::Put(k("batch/b"), "2".into()),
        Write::Delete(k("batch/a")),
        Write::Delete(k("list/a")),
        Write::Put(k("batch/c"), "3".into()),
        Write::Put(k("batch/c"), "4".into()),
    ])
    .await?;
    let got = (
        s.get(&k("batch/a")).await?,
        s.get(&k("batch/b")).await?,
        s.get(&k("batch/c")).await?,
        s.get(&k("list/a")).await?,
    );
    r.check(
        "batch applies its puts and deletes in order",
        got == (None, Some("2".into()), Some("4".into()), None),
        got,
    );
    s.batch(&[]).await?;
    r.check("an empty batch is fine", true, ());

    links(s, r).await?;
    claims(s, r).await
}

async fn links<S: Store>(s: &S, r: &mut Report) -> Result<(), StoreError> {
    let state = State::new(Under(s));
    let link = |uid: &str, gid: &str| Link {
        outseta_uid: uid.into(),
        ghl_id: gid.into(),
        ..Link::default()
    };
    let a = link("u1", "g1");
    state.put_link(&a).await?;
    let both = (
        state.link_by_outseta("u1").await?,
        state.link_by_ghl("g1").await?,
    );
    r.check(
        "a link is found from both sides",
        both == (Some(a.clone()), Some(a.clone())),
        both,
    );
    let moved = link("u1", "g2");
    state.put_link(&moved).await?;
    let found = (
        state.link_by_ghl("g1").await?,
        state.link_by_ghl("g2").await?,
    );
    r.check(
        "a re-link drops the old reverse entry",
        found == (None, Some(moved.clone())),
        found,
    );
    // What a crash between the halves of a store without `batch` could leave (the
    // reverse entry is written first), and what a re-link cut short leaves: a reverse
    // entry its record does not name. Either reads as no link, never the wrong one.
    state.store.put("link/g/g3", "u3").await?;
    state.store.put("link/g/g1", "u1").await?;
    let halves = (
        state.link_by_ghl("g3").await?,
        state.link_by_outseta("u3").await?,
        state.link_by_ghl("g1").await?,
    );
    r.check(
        "a reverse entry without its record reads as no link",
        halves == (None, None, None),
        halves,
    );
    // A record without its reverse entry (written before links were one batch): the
    // next read of every link writes it, so GHL's side finds the pair again.
    let old = link("u4", "g4");
    state
        .store
        .put(
            "link/o/u4",
            &serde_json::to_string(&old).unwrap_or_default(),
        )
        .await?;
    let listed = state.links().await?.len();
    let healed = state.link_by_ghl("g4").await?;
    r.check(
        "a record without its reverse entry is healed by links()",
        listed == 2 && healed == Some(old.clone()),
        (listed, healed),
    );
    state.delete_link(&moved).await?;
    state.delete_link(&old).await?;
    let gone = (
        state.link_by_outseta("u1").await?,
        state.link_by_ghl("g2").await?,
        state.links().await?.len(),
    );
    r.check(
        "delete_link removes both halves",
        gone == (None, None, 0),
        gone,
    );
    Ok(())
}

async fn claims<S: Store>(s: &S, r: &mut Report) -> Result<(), StoreError> {
    let state = State::new(Under(s));
    let h = state.claim_horizons;
    let t0 = 1_790_000_000_000.0;
    let first = state.claim("ghl:w1", t0).await?;
    let again = state.claim("ghl:w1", t0 + 1.0).await?;
    r.check("a claim is won once", first && !again, (first, again));
    state.release("ghl:w1").await?;
    let retried = state.claim("ghl:w1", t0 + 2.0).await?;
    r.check("a released claim can be won again", retried, retried);
    state.claim("outseta:person:u1:ab", t0).await?;
    state.claim("outseta-activity/a1", t0).await?;
    // Later claims prune the expired ones as they are written.
    state.claim("ghl:w2", t0 + h.ghl_ms + 3.0).await?;
    let pruned = (
        state.claim("ghl:w1", t0 + h.ghl_ms + 4.0).await?,
        state
            .claim("outseta:person:u1:ab", t0 + h.ghl_ms + 5.0)
            .await?,
    );
    r.check(
        "an expired GHL claim is pruned by a later claim; Outseta's lasts its horizon",
        pruned == (true, false),
        pruned,
    );
    state.claim("ghl:w3", t0 + h.outseta_ms + 6.0).await?;
    let outseta = state
        .claim("outseta:person:u1:ab", t0 + h.outseta_ms + 7.0)
        .await?;
    let activity = state
        .claim("outseta-activity/a1", t0 + h.outseta_ms + 8.0)
        .await?;
    r.check(
        "an Outseta claim expires after its horizon; other claims never do",
        outseta && !activity,
        (outseta, activity),
    );
    Ok(())
}
