//! Outseta timestamps. The API mixes forms, sometimes within one record:
//! `2023-04-11T18:23:43` (no offset; matched the response's UTC `Date` header in 2023),
//! `2021-01-24T23:03:35.2226324Z` (seven fractional digits), `2018-05-01T10:00:00-05:00`
//! (an offset) and `0001-01-01T00:00:00` (the stub on objects that were never saved).
//! `Timestamp` keeps the text it was given, so a record read and written back is
//! unchanged, and orders by the instant it names (no offset is read as UTC).

use std::cmp::Ordering;
use std::fmt;

use crate::model::date::{days_from_civil, days_in_month};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone)]
pub struct Timestamp {
    raw: String,
    unix_seconds: i64,
    nanos: u32,
    offset_minutes: Option<i16>,
}

/// Why a string is not an Outseta timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an Outseta timestamp ({reason}): {text:?}")]
pub struct TimestampError {
    pub text: String,
    pub reason: &'static str,
}

impl Timestamp {
    /// Parses `YYYY-MM-DDTHH:MM:SS`, then optionally `.` and 1 to 9 fractional digits,
    /// then optionally `Z` or `±HH:MM`.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        let fail = |reason| TimestampError {
            text: text.chars().take(64).collect(),
            reason,
        };
        let b = text.as_bytes();
        if b.len() < 19 || !text.is_ascii() {
            return Err(fail("shorter than YYYY-MM-DDTHH:MM:SS"));
        }
        let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
        if separators.iter().any(|&(i, c)| b[i] != c) || !matches!(b[10], b'T' | b't' | b' ') {
            return Err(fail("separators are not YYYY-MM-DDTHH:MM:SS"));
        }
        let num = |from: usize, to: usize| -> Result<i64, TimestampError> {
            let digits = &b[from..to];
            if !digits.iter().all(u8::is_ascii_digit) {
                return Err(fail("a date or time part is not digits"));
            }
            Ok(digits
                .iter()
                .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
        };
        let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
        let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return Err(fail("no such date"));
        }
        if hour > 23 || minute > 59 || second > 60 {
            return Err(fail("no such time of day"));
        }
        let mut rest = &b[19..];
        let mut nanos = 0u32;
        if let Some((b'.', tail)) = rest.split_first() {
            let digits = tail.iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 || digits > 9 {
                return Err(fail("fractional seconds must be 1 to 9 digits"));
            }
            let value = tail[..digits]
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
            nanos = value * 10u32.pow(9 - digits as u32);
            rest = &tail[digits..];
        }
        let offset_minutes = match rest {
            [] => None,
            [b'Z' | b'z'] => Some(0),
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let digits = [*h1, *h2, *m1, *m2];
                if !digits.iter().all(u8::is_ascii_digit) {
                    return Err(fail("the offset is not ±HH:MM"));
                }
                let hours = i16::from(h1 - b'0') * 10 + i16::from(h2 - b'0');
                let minutes = i16::from(m1 - b'0') * 10 + i16::from(m2 - b'0');
                if hours > 18 || minutes > 59 {
                    return Err(fail("the offset is out of range"));
                }
                let total = hours * 60 + minutes;
                Some(if *sign == b'-' { -total } else { total })
            }
            _ => return Err(fail("unexpected text after the time")),
        };
        let days = days_from_civil(year, month, day);
        let local = days * 86_400 + hour * 3600 + minute * 60 + second;
        let unix_seconds = local - i64::from(offset_minutes.unwrap_or(0)) * 60;
        Ok(Timestamp {
            raw: text.to_owned(),
            unix_seconds,
            nanos,
            offset_minutes,
        })
    }

    /// The text exactly as Outseta sent it.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Seconds since 1970-01-01T00:00:00Z; a timestamp with no offset is read as UTC.
    pub fn unix_seconds(&self) -> i64 {
        self.unix_seconds
    }

    /// Milliseconds since the Unix epoch (UTC), truncated.
    pub fn unix_millis(&self) -> i64 {
        self.unix_seconds * 1000 + i64::from(self.nanos / 1_000_000)
    }

    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// The offset written in the text, in minutes east of UTC; `None` when it had none.
    pub fn offset_minutes(&self) -> Option<i16> {
        self.offset_minutes
    }

    /// `0001-01-01T00:00:00`: Outseta's placeholder on objects that were never saved.
    pub fn is_stub(&self) -> bool {
        self.unix_seconds == STUB_UNIX_SECONDS && self.nanos == 0
    }
}

/// 0001-01-01T00:00:00 as Unix seconds.
const STUB_UNIX_SECONDS: i64 = -62_135_596_800;

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Timestamp {}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Orders by instant, not by text.
impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.unix_seconds, self.nanos).cmp(&(other.unix_seconds, other.nanos))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({:?})", self.raw)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_observed_form_parses_to_the_right_instant() {
        // date -u -d 2023-04-11T18:23:43Z +%s
        let plain = Timestamp::parse("2023-04-11T18:23:43").unwrap();
        assert_eq!(plain.unix_seconds(), 1_681_237_423);
        assert_eq!(plain.offset_minutes(), None);

        let fractional = Timestamp::parse("2021-01-24T23:03:35.2226324Z").unwrap();
        assert_eq!(fractional.unix_seconds(), 1_611_529_415);
        assert_eq!(fractional.subsec_nanos(), 222_632_400);
        assert_eq!(fractional.unix_millis(), 1_611_529_415_222);
        assert_eq!(fractional.offset_minutes(), Some(0));

        let eastern = Timestamp::parse("2018-05-01T10:00:00-05:00").unwrap();
        assert_eq!(eastern, Timestamp::parse("2018-05-01T15:00:00Z").unwrap());
        assert_eq!(eastern.offset_minutes(), Some(-300));
        let ahead = Timestamp::parse("2018-05-01T20:30:00+05:30").unwrap();
        assert_eq!(ahead, Timestamp::parse("2018-05-01T15:00:00").unwrap());

        let stub = Timestamp::parse("0001-01-01T00:00:00").unwrap();
        assert!(stub.is_stub());
        assert!(!plain.is_stub());
        assert!(stub < eastern && eastern < fractional.clone().max(plain.clone()));
    }

    #[test]
    fn the_text_round_trips_unchanged() {
        for text in [
            "2023-04-11T18:23:43",
            "2021-01-24T23:03:35.2226324Z",
            "2018-05-01T10:00:00-05:00",
            "0001-01-01T00:00:00",
        ] {
            let parsed: Timestamp = serde_json::from_str(&format!("\"{text}\"")).unwrap();
            assert_eq!(
                serde_json::to_string(&parsed).unwrap(),
                format!("\"{text}\"")
            );
        }
    }

    #[test]
    fn leap_days_and_centuries() {
        assert!(Timestamp::parse("2024-02-29T00:00:00").is_ok());
        assert!(Timestamp::parse("2000-02-29T00:00:00").is_ok());
        assert!(Timestamp::parse("1900-02-29T00:00:00").is_err());
        assert_eq!(
            Timestamp::parse("1970-01-01T00:00:00Z")
                .unwrap()
                .unix_seconds(),
            0
        );
    }

    #[test]
    fn bad_text_is_an_error_never_a_panic() {
        for bad in [
            "",
            "2023",
            "2023-04-11",
            "2023-13-01T00:00:00",
            "2023-04-31T00:00:00",
            "2023-04-11T24:00:00",
            "2023-04-11T18:23:43.",
            "2023-04-11T18:23:43.1234567890",
            "2023-04-11T18:23:43+5",
            "2023-04-11T18:23:43+99:00",
            "2023-04-11T18:23:43 UTC",
            "2023-04-11T18:23:4é",
            "abcd-ef-ghTij:kl:mn",
            "２０２３-04-11T18:23:43",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad:?} parsed");
        }
        assert!(serde_json::from_str::<Timestamp>("12").is_err());
    }
}
