//! Blocking: only records that share a key are compared. Keys are exact (email, E.164
//! phone) or loose (Soundex of either name with the date of birth, the postcode or the
//! house number; date of birth with postcode; the unordered Soundex pair of both names for
//! records with nothing else), so typos, swapped names and missing fields still meet in
//! some block. A block larger than `maxBlockSize` is not
//! compared all-pairs: its members are sorted and each meets only its `window`
//! neighbours, so no block goes quadratic. Each pair is scored once, in the first block
//! it is compared in.

use serde::Serialize;

use super::config::Blocking as BlockingConfig;
use super::normalize::{soundex_code, SoundexCode};
use super::record::Contact;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyKind {
    Email = 1,
    Phone = 2,
    Name = 3,
    NameDob = 4,
    DobPostcode = 5,
    NamePostcode = 6,
    Extra = 7,
    NameHouse = 8,
}

impl KeyKind {
    pub fn label(self) -> &'static str {
        match self {
            KeyKind::Email => "email",
            KeyKind::Phone => "phone",
            KeyKind::Name => "name",
            KeyKind::NameDob => "name+dateOfBirth",
            KeyKind::DobPostcode => "dateOfBirth+postcode",
            KeyKind::NamePostcode => "name+postcode",
            KeyKind::Extra => "extra field",
            KeyKind::NameHouse => "name+house number",
        }
    }

    fn of(key: u64) -> Option<KeyKind> {
        Some(match key >> 60 {
            1 => KeyKind::Email,
            2 => KeyKind::Phone,
            3 => KeyKind::Name,
            4 => KeyKind::NameDob,
            5 => KeyKind::DobPostcode,
            6 => KeyKind::NamePostcode,
            7 => KeyKind::Extra,
            8 => KeyKind::NameHouse,
            _ => return None,
        })
    }
}

/// A key: its kind in the top 4 bits, a 60-bit FNV-1a hash of its parts below. A hash
/// collision only adds comparisons; scoring looks at the real values.
fn key(kind: KeyKind, parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    ((kind as u64) << 60) | (h & ((1 << 60) - 1))
}

/// Every blocking key of one contact (duplicates removed).
pub fn keys(c: &Contact, out: &mut Vec<u64>) {
    out.clear();
    for e in &c.emails {
        out.push(key(KeyKind::Email, &[e.as_bytes()]));
    }
    for p in &c.phones {
        out.push(key(KeyKind::Phone, &[p.as_bytes()]));
    }
    // Soundex codes on the stack, and the nickname looked up once at normalisation
    // (`first_nick`): this runs for every record, and two `String`s plus a `Vec` per
    // record were a good part of the blocking phase.
    let first = if c.first.is_empty() {
        SoundexCode::default()
    } else {
        soundex_code(
            c.first_nick
                .unwrap_or_else(|| c.first.split(' ').next().unwrap_or(&c.first)),
        )
    };
    let last = if c.last.is_empty() {
        SoundexCode::default()
    } else {
        soundex_code(&c.last)
    };
    let dob = c.dob.map(|d| d.to_le_bytes());
    let mut both = [first.as_str(), last.as_str()];
    let count = if first.is_empty() {
        both[0] = both[1];
        usize::from(!last.is_empty())
    } else {
        1 + usize::from(!last.is_empty())
    };
    let names = &both[..count];
    // Both names alone make big blocks (every John Smith); they are only needed by records
    // with nothing else to meet on. On 100,000 generated records this key was 88% of the
    // comparisons and found no match the others missed.
    if let ([x, y], None, true) = (names, c.dob, c.postcode.is_empty()) {
        let (lo, hi) = if x <= y { (x, y) } else { (y, x) };
        out.push(key(KeyKind::Name, &[lo.as_bytes(), hi.as_bytes()]));
    }
    // The house number: an address without a postcode still meets its twin.
    let house = c
        .address
        .split(' ')
        .next()
        .filter(|t| t.bytes().any(|b| b.is_ascii_digit()));
    for name in names {
        if let Some(house) = house {
            out.push(key(
                KeyKind::NameHouse,
                &[name.as_bytes(), house.as_bytes()],
            ));
        }
        if let Some(d) = &dob {
            out.push(key(KeyKind::NameDob, &[name.as_bytes(), d]));
        }
        if !c.postcode.is_empty() {
            out.push(key(
                KeyKind::NamePostcode,
                &[name.as_bytes(), c.postcode.as_bytes()],
            ));
        }
    }
    if let (Some(d), false) = (&dob, c.postcode.is_empty()) {
        out.push(key(KeyKind::DobPostcode, &[d, c.postcode.as_bytes()]));
    }
    for (field, value) in &c.extra {
        out.push(key(
            KeyKind::Extra,
            &[&field.to_le_bytes(), value.as_bytes()],
        ));
    }
    out.sort_unstable();
    out.dedup();
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CappedBlock {
    pub kind: &'static str,
    pub size: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockStats {
    /// Blocks holding two records or more.
    pub blocks: usize,
    pub largest_block: usize,
    /// Blocks over `maxBlockSize`, compared by sorted window only.
    pub capped_blocks: usize,
    pub capped_block_records: usize,
    /// Pairs inside capped blocks that were not compared because of the cap.
    pub pairs_skipped_by_cap: u64,
    /// The largest capped blocks, biggest first (at most 10).
    pub largest_capped: Vec<CappedBlock>,
    /// Pairs scored, each once.
    pub pairs_compared: u64,
}

/// The blocks of a batch, in a compact form: `members[starts[b]..starts[b+1]]`.
pub struct Blocks {
    starts: Vec<usize>,
    members: Vec<u32>,
    kinds: Vec<KeyKind>,
    capped: Vec<bool>,
    pub stats: BlockStats,
}

impl Blocks {
    pub fn build(contacts: &[Contact], config: &BlockingConfig) -> Blocks {
        // At most as many keys as `keys` can give each contact: sized once, where a guess
        // of six a record doubled (and copied) the list at a million records.
        let most: usize = contacts
            .iter()
            .map(|c| c.emails.len() + c.phones.len() + c.extra.len() + 8)
            .sum();
        let mut entries: Vec<(u64, u32)> = Vec::with_capacity(most);
        let mut buf = Vec::new();
        for (i, c) in contacts.iter().enumerate() {
            keys(c, &mut buf);
            entries.extend(buf.iter().map(|&k| (k, i as u32)));
        }
        entries.sort_unstable();
        let mut blocks = Blocks {
            starts: vec![0],
            members: Vec::with_capacity(entries.len()),
            kinds: Vec::new(),
            capped: Vec::new(),
            stats: BlockStats::default(),
        };
        let mut start = 0;
        while start < entries.len() {
            let k = entries[start].0;
            // A linear scan: blocks hold a record or two, and a binary search over the
            // rest of the entries (millions) missed the cache at every step.
            let end = start + entries[start..].iter().take_while(|e| e.0 == k).count();
            let size = end - start;
            if size >= 2 {
                let capped = size > config.max_block_size.max(2);
                blocks
                    .members
                    .extend(entries[start..end].iter().map(|e| e.1));
                blocks.starts.push(blocks.members.len());
                blocks.kinds.push(KeyKind::of(k).unwrap_or(KeyKind::Extra));
                blocks.capped.push(capped);
                blocks.stats.blocks += 1;
                blocks.stats.largest_block = blocks.stats.largest_block.max(size);
                if capped {
                    blocks.stats.capped_blocks += 1;
                    blocks.stats.capped_block_records += size;
                }
            }
            start = end;
        }
        blocks
    }

    /// Calls `visit(a, b)` once for every candidate pair (`a < b`, record indexes), in
    /// ascending order of `(a, b)`: every pair of a block within `maxBlockSize`, and in a
    /// larger block, sorted with `order`, every pair within `window` of each other.
    /// Pairs are collected from every block, sorted and de-duplicated before any is
    /// visited. Two records usually share several blocks, and finding the pair's one
    /// block to score it in, per pair, read both records' block lists from all over
    /// memory; blocks also come in hash order, so visiting pairs as found read records
    /// all over memory too. A million records: scoring took 5.1 s that way.
    pub fn for_each_pair(
        &mut self,
        window: usize,
        mut order: impl FnMut(u32, u32) -> std::cmp::Ordering,
        mut visit: impl FnMut(u32, u32),
    ) {
        let pair = |i: u32, j: u32| {
            let (lo, hi) = if i < j { (i, j) } else { (j, i) };
            (u64::from(lo) << 32) | u64::from(hi)
        };
        // Sized up front: on a million records the pair list grew by doubling through
        // a few hundred MB of copies.
        let w = window.max(1);
        let expected: usize = (0..self.kinds.len())
            .map(|b| {
                let n = self.starts[b + 1] - self.starts[b];
                if self.capped[b] {
                    (0..n).map(|x| w.min(n - 1 - x)).sum()
                } else {
                    n * (n - 1) / 2
                }
            })
            .sum();
        let mut pairs: Vec<u64> = Vec::with_capacity(expected);
        let mut largest_capped = Vec::new();
        for b in 0..self.kinds.len() {
            let members = &self.members[self.starts[b]..self.starts[b + 1]];
            if !self.capped[b] {
                for (x, &i) in members.iter().enumerate() {
                    pairs.extend(members[x + 1..].iter().map(|&j| pair(i, j)));
                }
                continue;
            }
            let n = members.len();
            largest_capped.push(CappedBlock {
                kind: self.kinds[b].label(),
                size: n,
            });
            let mut sorted = members.to_vec();
            sorted.sort_by(|&x, &y| order(x, y));
            let mut in_window = 0u64;
            for x in 0..n {
                for y in x + 1..n.min(x + 1 + w) {
                    in_window += 1;
                    pairs.push(pair(sorted[x], sorted[y]));
                }
            }
            self.stats.pairs_skipped_by_cap +=
                (n as u64 * (n as u64 - 1) / 2).saturating_sub(in_window);
        }
        let mut pairs = sort_pairs(pairs);
        pairs.dedup();
        for &p in &pairs {
            visit((p >> 32) as u32, p as u32);
        }
        largest_capped.sort_by_key(|b| std::cmp::Reverse(b.size));
        largest_capped.truncate(10);
        self.stats.largest_capped = largest_capped;
        self.stats.pairs_compared = pairs.len() as u64;
    }
}

/// `pairs` (`lo << 32 | hi`) in ascending order, as `sort_unstable` gives them: counted
/// into place by `lo` (a record index, so the counts are one per record), then each
/// record's few partners sorted. A comparison sort of a few million pairs was a tenth
/// of the scoring phase at a million records.
fn sort_pairs(pairs: Vec<u64>) -> Vec<u64> {
    let Some(records) = pairs.iter().map(|p| (p >> 32) as usize + 1).max() else {
        return pairs;
    };
    let mut starts = vec![0usize; records + 1];
    for p in &pairs {
        starts[(p >> 32) as usize + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut sorted = vec![0u64; pairs.len()];
    let mut next = starts.clone();
    for &p in &pairs {
        let slot = &mut next[(p >> 32) as usize];
        sorted[*slot] = p;
        *slot += 1;
    }
    for run in starts.windows(2) {
        sorted[run[0]..run[1]].sort_unstable();
    }
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(first: &str, last: &str, dob: Option<u32>, postcode: &str) -> Contact {
        Contact {
            first: first.into(),
            first_nick: super::super::normalize::nickname(first),
            last: last.into(),
            dob,
            postcode: postcode.into(),
            ..Contact::default()
        }
    }

    fn pairs(contacts: &[Contact], config: &BlockingConfig) -> (Vec<(u32, u32)>, BlockStats) {
        let mut blocks = Blocks::build(contacts, config);
        let mut out = Vec::new();
        blocks.for_each_pair(config.window, |a, b| a.cmp(&b), |a, b| out.push((a, b)));
        (out, blocks.stats)
    }

    #[test]
    fn swapped_names_and_typos_share_a_block() {
        let k = |c: &Contact| {
            let mut v = Vec::new();
            keys(c, &mut v);
            v
        };
        let a = k(&contact("jane", "doe", None, ""));
        let b = k(&contact("doe", "jane", None, ""));
        assert_eq!(a, b);
        assert_eq!(a.len(), 1, "records with only names meet on both names");
        let mut with_address = contact("jane", "doe", Some(19800101), "");
        with_address.address = "12 main st".into();
        let mut moved_postcode = contact("doe", "jayne", None, "");
        moved_postcode.address = "12 main street".into();
        assert!(
            k(&with_address)
                .iter()
                .any(|x| k(&moved_postcode).contains(x)),
            "name + house number"
        );
        let c = k(&contact("jayne", "doe", Some(19800101), ""));
        let d = k(&contact("xane", "doe", Some(19800101), ""));
        assert!(c.iter().any(|x| d.contains(x)), "last name + dob");
        // Neither name survives, but the date of birth and postcode do.
        let e = k(&contact("jayne", "dough", Some(19800101), "10001"));
        let f = k(&contact("xane", "doe", Some(19800101), "10001"));
        assert!(e.iter().any(|x| f.contains(x)), "dob + postcode");
    }

    #[test]
    fn every_pair_is_visited_once_even_when_in_many_blocks() {
        let mut a = contact("jane", "doe", Some(19800101), "10001");
        a.emails.push("j@x.co".into());
        let b = a.clone();
        let (p, stats) = pairs(&[a, b], &BlockingConfig::default());
        assert_eq!(p, vec![(0, 1)]);
        assert_eq!(stats.pairs_compared, 1);
        assert!(stats.blocks >= 5);
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// The counting sort orders pairs exactly as a comparison sort does.
        #[test]
        fn sort_pairs_is_sort_unstable(pairs in proptest::collection::vec((0u64..50, 0u64..u64::from(u32::MAX)), 0..300)) {
            let pairs: Vec<u64> = pairs.into_iter().map(|(lo, hi)| (lo << 32) | hi).collect();
            let mut expected = pairs.clone();
            expected.sort_unstable();
            proptest::prop_assert_eq!(sort_pairs(pairs), expected);
        }
    }

    #[test]
    fn oversized_blocks_are_capped_and_reported() {
        let people: Vec<Contact> = (0..500)
            .map(|_| contact("john", "smith", None, ""))
            .collect();
        let config = BlockingConfig {
            max_block_size: 50,
            window: 5,
        };
        let (p, stats) = pairs(&people, &config);
        // 500 * 499 / 2 = 124,750 pairs all-pairs; the window keeps it linear.
        assert_eq!(p.len(), 495 * 5 + 4 + 3 + 2 + 1);
        assert_eq!(stats.capped_blocks, 1);
        assert_eq!(stats.largest_capped[0].kind, "name");
        assert_eq!(stats.largest_capped[0].size, 500);
        assert_eq!(stats.pairs_skipped_by_cap, 124_750 - p.len() as u64);
    }
}
