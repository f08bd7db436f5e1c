//! The one conformance suite every [`Store`] implementation runs: the in-memory store in
//! `cargo test`, and each JS store through `runStoreConformance(store)`. It starts from
//! whatever the store holds under the `conformance/` prefix and leaves it empty.

use serde::Serialize;

use super::{Store, StoreError};

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
    Ok(())
}
