//! Go's `time.Time` as a [`json.Unmarshal`](super::godecode) target (c/storage's
//! `Image.Created`): only whether Go accepts the value matters, since a refused time fails
//! the whole `images.json`.
//!
//! `(*time.Time).UnmarshalJSON` gets the raw JSON bytes: `null` leaves the time alone; anything
//! else must be a JSON string whose raw bytes (escapes are not decoded) `time.Parse(RFC3339, …)`
//! accepts. Go 1.26 (`parseStrictRFC3339`, its strict checks disabled) and Go 1.19
//! (`Parse("\"" + RFC3339 + "\"", …)`) accept the same strings except for time-zone offsets
//! whose hour exceeds 24 or minute 60, which only Go ≥ 1.20 refuses; this follows Go 1.26.

use super::godecode::{Decoder, GoDecode};

/// A decoded `time.Time`: the raw string last accepted, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoTime(pub Option<String>);

impl GoDecode for GoTime {
    fn go_type() -> String {
        "time.Time".into()
    }
    fn go_decode(&mut self, d: &mut Decoder<'_>) {
        let raw = d.raw();
        if raw == b"null" {
            return;
        }
        let inner = match raw {
            [b'"', inner @ .., b'"'] => inner,
            _ => {
                return d.other_error("Time.UnmarshalJSON: input is not a JSON string".to_owned());
            }
        };
        match parse_rfc3339(inner) {
            Ok(()) => self.0 = Some(String::from_utf8_lossy(inner).into_owned()),
            Err(why) => d.other_error(format!(
                "parsing time {} as \"2006-01-02T15:04:05Z07:00\": {why}",
                super::gofmt::quote(&String::from_utf8_lossy(inner))
            )),
        }
    }
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
fn getnum(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    let digit = |i: usize| {
        s.get(i)
            .filter(|c| c.is_ascii_digit())
            .map(|c| i64::from(c - b'0'))
    };
    let a = digit(0)?;
    match digit(1) {
        Some(b) => Some((a * 10 + b, &s[2..])),
        None if fixed => None,
        None => Some((a, &s[1..])),
    }
}

fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `time.Parse(time.RFC3339, s)` of Go 1.26 (layout `2006-01-02T15:04:05Z07:00`): whether it
/// succeeds, and a short reason when not.
pub fn parse_rfc3339(s: &[u8]) -> Result<(), &'static str> {
    const BAD: &str = "cannot parse";
    fn lit(s: &[u8], c: u8) -> Result<&[u8], &'static str> {
        match s.split_first() {
            Some((&x, r)) if x == c => Ok(r),
            _ => Err(BAD),
        }
    }
    // 2006: four digits (`isDigit(value, 0)` then `atoi`, which takes no sign after it).
    let y = s.get(..4).ok_or(BAD)?;
    if !y.iter().all(u8::is_ascii_digit) {
        return Err(BAD);
    }
    let year = y.iter().fold(0i64, |n, c| n * 10 + i64::from(c - b'0'));
    let s = lit(&s[4..], b'-')?;
    // 01
    let (month, s) = getnum(s, true).ok_or(BAD)?;
    if !(1..=12).contains(&month) {
        return Err("month out of range");
    }
    let s = lit(s, b'-')?;
    // 02: any two digits here; checked against the month at the end.
    let (day, s) = getnum(s, true).ok_or(BAD)?;
    let s = lit(s, b'T')?;
    // 15: one or two digits.
    let (hour, s) = getnum(s, false).ok_or(BAD)?;
    if hour >= 24 {
        return Err("hour out of range");
    }
    let s = lit(s, b':')?;
    let (min, s) = getnum(s, true).ok_or(BAD)?;
    if min >= 60 {
        return Err("minute out of range");
    }
    let s = lit(s, b':')?;
    let (sec, mut s) = getnum(s, true).ok_or(BAD)?;
    if sec >= 60 {
        return Err("second out of range");
    }
    // A fractional second the layout does not mention: `.` or `,`, then digits.
    if s.len() >= 2 && matches!(s[0], b'.' | b',') && s[1].is_ascii_digit() {
        let n = 2 + s[2..].iter().take_while(|c| c.is_ascii_digit()).count();
        s = &s[n..];
    }
    // Z07:00
    if let Some(rest) = s.strip_prefix(b"Z") {
        s = rest;
    } else {
        if s.len() < 6 || s[3] != b':' {
            return Err(BAD);
        }
        let (hr, _) = getnum(&s[1..3], true).ok_or(BAD)?;
        let (mm, _) = getnum(&s[4..6], true).ok_or(BAD)?;
        if hr > 24 {
            return Err("time zone offset hour out of range");
        }
        if mm > 60 {
            return Err("time zone offset minute out of range");
        }
        if !matches!(s[0], b'+' | b'-') {
            return Err(BAD);
        }
        s = &s[6..];
    }
    if !s.is_empty() {
        return Err("extra text");
    }
    if day < 1 || day > days_in(month, year) {
        return Err("day out of range");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each input with `time.Parse(time.RFC3339, …)`'s verdict under Go 1.26.8 and Go 1.19.8.
    const GO_TABLE: &[(&str, bool, bool)] = &[
        ("2024-01-01T00:00:00Z", true, true),
        ("2024-01-01T00:00:00.123456789Z", true, true),
        ("2024-01-01T00:00:00,5Z", true, true),
        ("2024-01-01T00:00:00.Z", false, false),
        ("2024-01-01T00:00:00.1234567890123Z", true, true),
        ("2024-01-01T0:00:00Z", true, true),
        ("2024-01-01T24:00:00Z", false, false),
        ("2024-01-01T23:60:00Z", false, false),
        ("2024-01-01T23:59:60Z", false, false),
        ("2024-1-01T00:00:00Z", false, false),
        ("2024-01-1T00:00:00Z", false, false),
        ("2024-13-01T00:00:00Z", false, false),
        ("2024-00-01T00:00:00Z", false, false),
        ("2024-02-29T00:00:00Z", true, true),
        ("2023-02-29T00:00:00Z", false, false),
        ("1900-02-29T00:00:00Z", false, false),
        ("2000-02-29T00:00:00Z", true, true),
        ("2024-04-31T00:00:00Z", false, false),
        ("2024-01-00T00:00:00Z", false, false),
        ("+024-01-01T00:00:00Z", false, false),
        ("-024-01-01T00:00:00Z", false, false),
        ("2+24-01-01T00:00:00Z", false, false),
        ("0004-02-29T00:00:00Z", true, true),
        ("0000-01-01T00:00:00Z", true, true),
        ("2024-01-01t00:00:00Z", false, false),
        ("2024-01-01T00:00:00z", false, false),
        ("2024-01-01T00:00:00+01:00", true, true),
        ("2024-01-01T00:00:00-23:59", true, true),
        ("2024-01-01T00:00:00+24:00", true, true),
        ("2024-01-01T00:00:00+25:00", false, true),
        ("2024-01-01T00:00:00+99:00", false, true),
        ("2024-01-01T00:00:00+01:60", true, true),
        ("2024-01-01T00:00:00+01:61", false, true),
        ("2024-01-01T00:00:00 01:00", false, false),
        ("2024-01-01T00:00:00+0100", false, false),
        ("2024-01-01T00:00:00+01:00Z", false, false),
        ("2024-01-01T00:00:00ZZ", false, false),
        ("2024-01-01T00:00:00", false, false),
        ("2024-01-01 00:00:00Z", false, false),
        ("", false, false),
        ("2024", false, false),
        ("\\u0032024-01-01T00:00:00Z", false, false),
        ("2024-01-01T00:00:00.5+01:00", true, true),
        ("2024-01-01T00:00:00Z ", false, false),
        (" 2024-01-01T00:00:00Z", false, false),
    ];

    #[test]
    fn parse_matches_go() {
        for &(s, go126, _go119) in GO_TABLE {
            assert_eq!(parse_rfc3339(s.as_bytes()).is_ok(), go126, "{s:?}");
        }
    }

    crate::go_struct! {
        struct T as "T" {
            created: GoTime = "created",
        }
    }

    #[test]
    fn unmarshal_json() {
        use crate::json::godecode::unmarshal;
        let t: T = unmarshal(br#"{"created":"2024-01-01T00:00:00Z","Created":null}"#).unwrap();
        assert_eq!(t.created.0.as_deref(), Some("2024-01-01T00:00:00Z"));
        for bad in [
            r#"{"created":1}"#,
            r#"{"created":{}}"#,
            r#"{"created":[]}"#,
            r#"{"created":true}"#,
            r#"{"created":"2024-01-01T00:00:00\u005a"}"#,
            r#"{"created":"x"}"#,
        ] {
            assert!(unmarshal::<T>(bad.as_bytes()).is_err(), "{bad}");
        }
        assert_eq!(
            unmarshal::<T>(br#"{"created":1}"#).unwrap_err().0,
            "Time.UnmarshalJSON: input is not a JSON string"
        );
    }
}

/// A Unix time as Go's `t.UTC().Format(time.RFC3339)` prints it (`2006-01-02T15:04:05Z`).
pub fn format_rfc3339_utc(t: i64) -> String {
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod format_tests {
    #[test]
    fn utc_dates() {
        use super::format_rfc3339_utc as f;
        assert_eq!(f(0), "1970-01-01T00:00:00Z");
        assert_eq!(f(1_458_239_713), "2016-03-17T18:35:13Z");
        assert_eq!(f(1_750_759_200), "2025-06-24T10:00:00Z");
        assert_eq!(f(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(f(-1), "1969-12-31T23:59:59Z");
    }
}
