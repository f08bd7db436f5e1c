//! What a caller may tune, with the defaults the generated test set was measured on.
//! Every key is optional; an unknown key is a `CONFIG_INVALID` error, so a typo never
//! silently falls back to a default.

use serde::Deserialize;

/// How records are read: detected per record (`Auto`: PascalCase Outseta keys such as
/// `Uid`/`Email`, else GHL/canonical camelCase keys such as `id`/`email`), or forced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ShapeOption {
    #[default]
    Auto,
    Outseta,
    Ghl,
    /// The canonical contact: the GHL camelCase field names (`email`, `firstName`, …).
    Canonical,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    pub shape: ShapeOption,
    /// ISO 3166 region for phones written without a country code, e.g. "US", "GB".
    pub default_region: String,
    /// For gmail.com / googlemail.com only: drop dots and `+tags` from the local part.
    pub gmail_rules: bool,
    /// Where a date of birth is read from: top-level keys (Outseta custom properties,
    /// GHL's `dateOfBirth`) and GHL `customFields` ids.
    pub dob_fields: Vec<String>,
    /// Any other mapped field (top-level key or GHL custom field id) that counts as
    /// evidence when equal after trimming and case-folding, e.g. a customer number.
    pub extra_fields: Vec<String>,
    pub rules: Rules,
    pub weights: Weights,
    pub thresholds: Thresholds,
    pub blocking: Blocking,
    /// Clusters never grow past this; a link that would is reported as possible.
    pub max_cluster_size: usize,
    /// Longer string values are ignored (reported in stats), never compared.
    pub max_field_length: usize,
    /// Include one explanation per match and possible match (on by default).
    pub explain: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            shape: ShapeOption::Auto,
            default_region: "US".to_owned(),
            gmail_rules: true,
            dob_fields: ["dateOfBirth", "DateOfBirth", "Birthday", "birthday", "DOB"]
                .map(str::to_owned)
                .to_vec(),
            extra_fields: Vec::new(),
            rules: Rules::default(),
            weights: Weights::default(),
            thresholds: Thresholds::default(),
            blocking: Blocking::default(),
            max_cluster_size: 50,
            max_field_length: 320,
            explain: true,
        }
    }
}

/// Which kinds of evidence are used at all.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Rules {
    /// An exact normalised email is evidence (weight `weights.email`).
    pub email: bool,
    /// An exact E.164 phone is evidence (weight `weights.phone`).
    pub phone: bool,
    /// Names, date of birth, address, postcode, city and extra fields are compared.
    pub fuzzy: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            email: true,
            phone: true,
            fuzzy: true,
        }
    }
}

/// Points each piece of evidence adds (agreement) or removes (disagreement). A pair's
/// score is the sum; see `Thresholds`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Weights {
    pub email: f64,
    pub email_differs: f64,
    pub phone: f64,
    pub phone_differs: f64,
    /// First name: full agreement (Jaro-Winkler 1, or a known nickname).
    pub first_name: f64,
    pub first_name_differs: f64,
    pub last_name: f64,
    pub last_name_differs: f64,
    pub dob: f64,
    /// Dates one typo apart (a digit, or day and month swapped).
    pub dob_near: f64,
    pub dob_differs: f64,
    pub postcode: f64,
    pub postcode_differs: f64,
    pub address: f64,
    pub address_differs: f64,
    pub city: f64,
    pub city_differs: f64,
    pub extra: f64,
    pub extra_differs: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            email: 8.0,
            email_differs: -1.0,
            phone: 8.0,
            phone_differs: -1.0,
            first_name: 2.5,
            first_name_differs: -3.0,
            last_name: 3.0,
            last_name_differs: -3.0,
            dob: 5.0,
            dob_near: 2.0,
            dob_differs: -5.0,
            postcode: 2.5,
            postcode_differs: -1.0,
            address: 2.5,
            address_differs: -0.5,
            city: 0.5,
            city_differs: -0.5,
            extra: 2.5,
            extra_differs: -1.0,
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Thresholds {
    /// At or above: a match (clustered).
    pub r#match: f64,
    /// At or above (and below `match`): a possible match, for a person to review.
    pub possible: f64,
    /// The chaining guard refuses to join two clusters when any cross pair scores below
    /// this (evidence against being the same person).
    pub conflict: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            r#match: 8.0,
            possible: 6.0,
            conflict: 0.0,
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Blocking {
    /// Blocks larger than this are not compared all-pairs: their members are sorted and
    /// each is compared with its `window` neighbours. Reported in `stats.cappedBlocks`.
    pub max_block_size: usize,
    pub window: usize,
}

/// 16 / 8, measured on 100,000 generated records (before the both-names key was kept for
/// records with nothing else): 64 / 12 compared 744,139 pairs, 32 / 8 530,813 and
/// 16 / 6 404,684, all three finding the same 41,965 matches.
impl Default for Blocking {
    fn default() -> Self {
        Blocking {
            max_block_size: 16,
            window: 8,
        }
    }
}
