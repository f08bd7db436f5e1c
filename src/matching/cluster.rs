//! Clustering: the transitive closure of match links (union-find), strongest links
//! first, with a guard against chaining: a link that would join two clusters is refused
//! when any record on one side conflicts with any on the other (different first names
//! or dates of birth, or a score below `thresholds.conflict`), or when the cluster would
//! outgrow `maxClusterSize`. A refused link is reported as a possible match.

use super::config::Config;
use super::record::Contact;
use super::score::compare;

/// A match link between two records (indexes into the contact list).
#[derive(Debug, Clone, Copy)]
pub struct Link {
    pub a: u32,
    pub b: u32,
    pub score: f64,
}

/// How many members of each side the guard compares (so a check costs at most 64 pairs).
const GUARD_SAMPLE: usize = 8;

pub struct Clustering {
    /// Clusters of two records or more, members ascending, clusters by first member.
    pub clusters: Vec<Vec<u32>>,
    /// Links the guard refused, with the reason.
    pub refused: Vec<(Link, String)>,
}

struct UnionFind {
    parent: Vec<u32>,
    members: Vec<Vec<u32>>,
}

impl UnionFind {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }
}

pub fn cluster(contacts: &[Contact], mut links: Vec<Link>, config: &Config) -> Clustering {
    links.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    let mut uf = UnionFind {
        parent: (0..contacts.len() as u32).collect(),
        members: Vec::new(),
    };
    // Member lists exist only for records that are linked at all.
    let mut slot: Vec<u32> = vec![u32::MAX; contacts.len()];
    let mut refused = Vec::new();
    for link in links {
        let (ra, rb) = (uf.find(link.a), uf.find(link.b));
        if ra == rb {
            continue;
        }
        for r in [ra, rb] {
            if slot[r as usize] == u32::MAX {
                slot[r as usize] = uf.members.len() as u32;
                uf.members.push(vec![r]);
            }
        }
        let (sa, sb) = (slot[ra as usize] as usize, slot[rb as usize] as usize);
        let (na, nb) = (uf.members[sa].len(), uf.members[sb].len());
        if na + nb > config.max_cluster_size.max(2) {
            refused.push((
                link,
                format!(
                    "not joined: the cluster would exceed maxClusterSize ({})",
                    config.max_cluster_size
                ),
            ));
            continue;
        }
        if na > 1 || nb > 1 {
            if let Some(reason) = guard(contacts, &uf.members[sa], &uf.members[sb], config) {
                refused.push((link, reason));
                continue;
            }
        }
        // Merge the smaller member list into the larger.
        let (keep, gone, keep_slot, gone_slot) = if na >= nb {
            (ra, rb, sa, sb)
        } else {
            (rb, ra, sb, sa)
        };
        uf.parent[gone as usize] = keep;
        let moved = std::mem::take(&mut uf.members[gone_slot]);
        uf.members[keep_slot].extend(moved);
    }
    let mut clusters: Vec<Vec<u32>> = uf.members.into_iter().filter(|m| m.len() > 1).collect();
    for c in &mut clusters {
        c.sort_unstable();
    }
    clusters.sort_unstable_by_key(|c| c[0]);
    Clustering { clusters, refused }
}

/// Why two clusters must not be joined, if any cross pair conflicts.
fn guard(contacts: &[Contact], x: &[u32], y: &[u32], config: &Config) -> Option<String> {
    for &i in x.iter().take(GUARD_SAMPLE) {
        for &j in y.iter().take(GUARD_SAMPLE) {
            let (a, b) = (&contacts[i as usize], &contacts[j as usize]);
            let out = compare(a, b, config, None);
            if let Some(reason) = out.conflict {
                return Some(format!(
                    "not joined (chaining guard): {} and {} conflict: {reason}",
                    a.id, b.id
                ));
            }
            if out.score < config.thresholds.conflict {
                return Some(format!(
                    "not joined (chaining guard): {} and {} score {} against each other",
                    a.id, b.id, out.score
                ));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, first: &str, email: &str, phone: &str) -> Contact {
        Contact {
            id: id.into(),
            first: first.into(),
            last: "kowalski".into(),
            emails: if email.is_empty() {
                vec![]
            } else {
                vec![email.into()]
            },
            phones: if phone.is_empty() {
                vec![]
            } else {
                vec![phone.into()]
            },
            ..Contact::default()
        }
    }

    #[test]
    fn transitive_links_form_one_cluster() {
        let c = vec![
            person("a", "anna", "a@x.co", ""),
            person("b", "anna", "a@x.co", "+12025550100"),
            person("c", "anna", "", "+12025550100"),
            person("d", "zed", "", ""),
        ];
        let links = vec![
            Link {
                a: 0,
                b: 1,
                score: 13.0,
            },
            Link {
                a: 1,
                b: 2,
                score: 13.0,
            },
        ];
        let out = cluster(&c, links, &Config::default());
        assert_eq!(out.clusters, vec![vec![0, 1, 2]]);
        assert!(out.refused.is_empty());
    }

    #[test]
    fn one_weak_link_cannot_chain_two_different_people() {
        // Anna and Peter share a family phone with a record that has no first name:
        // both links are matches on their own, but Anna and Peter conflict.
        let c = vec![
            person("anna", "anna", "anna@x.co", "+12025550100"),
            person("anon", "", "", "+12025550100"),
            person("peter", "peter", "peter@x.co", "+12025550100"),
        ];
        let links = vec![
            Link {
                a: 0,
                b: 1,
                score: 11.0,
            },
            Link {
                a: 1,
                b: 2,
                score: 10.0,
            },
        ];
        let out = cluster(&c, links, &Config::default());
        assert_eq!(out.clusters, vec![vec![0, 1]]);
        assert_eq!(out.refused.len(), 1);
        assert!(
            out.refused[0].1.contains("chaining guard"),
            "{}",
            out.refused[0].1
        );
    }

    #[test]
    fn clusters_stop_at_max_cluster_size() {
        let c: Vec<Contact> = (0..10)
            .map(|i| person(&i.to_string(), "anna", "a@x.co", ""))
            .collect();
        let links = (1..10)
            .map(|i| Link {
                a: 0,
                b: i,
                score: 13.0,
            })
            .collect();
        let config = Config {
            max_cluster_size: 4,
            ..Config::default()
        };
        let out = cluster(&c, links, &config);
        assert_eq!(out.clusters, vec![vec![0, 1, 2, 3]]);
        assert_eq!(out.refused.len(), 6);
    }
}
