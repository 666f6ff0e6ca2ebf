//! What a cell typed by a person means: numbers, money, dates, identifiers and labels.
//!
//! Sales teams type "¥1,234.00", "1.2万", "(1,000)", "12.5%" and full-width digits into money
//! columns, and "2024年3月5日", "2024/3/5" or "20240305" into date columns next to real date cells.
//! These functions turn such text into values without allocating on the common path, say when a
//! value is empty rather than wrong, and report a day/month order they cannot decide instead of
//! guessing silently.

use crate::read::grid::{StringPool, Value};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use std::borrow::Cow;

/// A number read from text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    Value(f64),
    /// Blank or a placeholder such as "-", "N/A", "无".
    Empty,
    Invalid,
}

/// A date read from text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DateParse {
    Date(NaiveDateTime),
    /// Both month/day (`a`) and day/month (`b`) readings are valid and differ.
    Ambiguous {
        a: NaiveDate,
        b: NaiveDate,
    },
    Empty,
    Invalid,
}

const PLACEHOLDERS: &[&str] = &[
    "-", "--", "—", "——", "/", "n/a", "na", "null", "none", "无", "空", "#n/a",
];
const CURRENCY_PREFIXES: &[&str] = &["us$", "rmb", "cny", "人民币", "¥", "￥", "$"];
const CURRENCY_SUFFIXES: &[&str] = &["人民币", "rmb", "cny", "元"];

/// Folds full-width ASCII forms (０-９, ．, －, ％ …) and odd spaces into plain ASCII.
fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{00A0}' | '\u{3000}' | '\u{2009}' | '\u{202F}' => ' ',
        '−' | '–' => '-',
        _ => c,
    }
}

/// Parses a number as people type it in a spreadsheet.
pub fn parse_number(s: &str) -> Num {
    let t = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{00A0}' || c == '\u{3000}');
    if t.is_empty() {
        return Num::Empty;
    }
    if t.is_ascii() {
        if let Ok(x) = t.parse::<f64>() {
            return finite(x);
        }
    }
    let mut buf = [0u8; 64];
    let mut n = 0;
    for c in t.chars().map(fold_char) {
        let mut tmp = [0u8; 4];
        for &b in c.encode_utf8(&mut tmp).as_bytes() {
            match buf.get_mut(n) {
                Some(slot) => *slot = b,
                None => return Num::Invalid,
            }
            n += 1;
        }
    }
    let Ok(folded) = std::str::from_utf8(buf.get(..n).unwrap_or(&[])) else {
        return Num::Invalid;
    };
    let lower = folded.trim().to_lowercase();
    parse_folded(&lower)
}

fn finite(x: f64) -> Num {
    if x.is_finite() {
        Num::Value(x)
    } else {
        Num::Invalid
    }
}

fn parse_folded(s: &str) -> Num {
    let mut t = s.trim();
    if PLACEHOLDERS.contains(&t) {
        return Num::Empty;
    }
    let mut negative = false;
    if let Some(inner) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        negative = true;
        t = inner.trim();
    }
    if let Some(rest) = t.strip_prefix('-') {
        negative = !negative;
        t = rest.trim();
    } else if let Some(rest) = t.strip_prefix('+') {
        t = rest.trim();
    }
    for p in CURRENCY_PREFIXES {
        if let Some(rest) = t.strip_prefix(p) {
            t = rest.trim();
            break;
        }
    }
    if let Some(rest) = t.strip_prefix('-') {
        negative = !negative;
        t = rest.trim();
    }
    for suffix in CURRENCY_SUFFIXES {
        if let Some(rest) = t.strip_suffix(suffix) {
            t = rest.trim();
            break;
        }
    }
    let mut scale = 1.0;
    if let Some(rest) = t.strip_suffix('%') {
        scale = 0.01;
        t = rest.trim();
    } else {
        for (unit, mult) in [("亿", 1e8), ("万", 1e4), ("千", 1e3)] {
            if let Some(rest) = t.strip_suffix(unit) {
                scale = mult;
                t = rest.trim();
                break;
            }
        }
    }
    if t.is_empty()
        || !t
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.')
    {
        return Num::Invalid;
    }
    let x = if t.contains(',') {
        match strip_grouping(t).or_else(|| decimal_comma(t)) {
            Some(x) => x,
            None => return Num::Invalid,
        }
    } else {
        match t.parse::<f64>() {
            Ok(x) => x,
            Err(_) => return Num::Invalid,
        }
    };
    let x = x * scale;
    finite(if negative { -x } else { x })
}

/// A decimal comma, as much of Europe writes money and some exports keep: "1052,75" → 1052.75,
/// "1.234,5" → 1234.5. One or two digits after the comma (three would be a thousands group), and
/// thousands before it grouped by dots in threes, if at all.
fn decimal_comma(t: &str) -> Option<f64> {
    let (int, frac) = t.split_once(',')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(frac) || frac.len() > 2 || !digits(&int.replace('.', "")) {
        return None;
    }
    let mut groups = int.split('.');
    let first = groups.next()?;
    if int.contains('.') && (first.len() > 3 || groups.clone().any(|g| g.len() != 3)) {
        return None;
    }
    format!("{}.{frac}", int.replace('.', "")).parse().ok()
}

/// "1,234,567.89" → 1234567.89; only groups of three after the first group of one to three.
fn strip_grouping(t: &str) -> Option<f64> {
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let mut groups = int.split(',');
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut digits = String::with_capacity(t.len());
    digits.push_str(first);
    for g in groups {
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.push_str(g);
    }
    if let Some(f) = frac {
        if !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.push('.');
        digits.push_str(f);
    }
    digits.parse().ok()
}

/// Converts an Excel serial of the 1900 date system to a date and time.
///
/// Serial 1 is 1900-01-01. Excel counts a 1900-02-29 that never was (serial 60); it is read as
/// 1900-02-28, and later serials are shifted back by that day. The fraction is the time of day,
/// rounded to the second. Serials below 1 or past 9999-12-31 are not dates.
pub fn excel_serial_to_datetime(serial: f64) -> Option<NaiveDateTime> {
    let (offset, secs) = excel_serial_parts(serial)?;
    let base = NaiveDate::from_ymd_opt(1899, 12, 31)?;
    let date = base.checked_add_signed(chrono::Duration::days(offset))?;
    let time = NaiveTime::from_num_seconds_from_midnight_opt(secs, 0)?;
    Some(date.and_time(time))
}

/// An Excel serial (1900 system) as whole days after 1899-12-31 and seconds into that day: the
/// fake 1900-02-29 (serial 60) reads as 02-28, and a time that rounds to midnight moves to the
/// next day. `None` outside serials 1 to 2958465 (9999-12-31).
pub fn excel_serial_parts(serial: f64) -> Option<(i64, u32)> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let mut days = serial.floor() as i64;
    let mut secs = ((serial - serial.floor()) * 86_400.0).round() as i64;
    if secs >= 86_400 {
        days += 1;
        secs -= 86_400;
    }
    let offset = if days >= 61 {
        days - 1
    } else if days == 60 {
        59
    } else {
        days
    };
    Some((offset, u32::try_from(secs).ok()?))
}

/// Parses a date typed as text: ISO and Chinese forms, compact yyyymmdd, and day/month forms
/// with the year last, in four digits or two (reported as ambiguous when both readings are valid
/// and differ).
pub fn parse_date_text(s: &str) -> DateParse {
    let folded: String = s.chars().map(fold_char).collect();
    let t = without_weekday(folded.trim());
    let t = ["UTC", "GMT"]
        .iter()
        .find_map(|z| t.strip_suffix(z))
        .map_or(t, str::trim_end);
    if t.is_empty() {
        return DateParse::Empty;
    }
    let (date_part, time_part) = split_time(t);
    let time = match time_part {
        None => NaiveTime::MIN,
        Some(tp) => match parse_time(tp) {
            Some(tm) => tm,
            None => return DateParse::Invalid,
        },
    };
    let at = |d: NaiveDate| DateParse::Date(d.and_time(time));

    // 2024年3月5日 / 2024年3月5号 / 2024年3月
    if let Some((y, rest)) = date_part.split_once('年') {
        let rest = rest.trim_end_matches(['日', '号']);
        let (m, d) = match rest.split_once('月') {
            Some((m, d)) => (m, if d.trim().is_empty() { "1" } else { d }),
            None => return DateParse::Invalid,
        };
        return match ymd(y, m, d) {
            Some(date) => at(date),
            None => DateParse::Invalid,
        };
    }
    if date_part.len() == 8 && date_part.bytes().all(|b| b.is_ascii_digit()) {
        let (y, rest) = date_part.split_at(4);
        let (m, d) = rest.split_at(2);
        return match ymd(y, m, d) {
            Some(date) => at(date),
            None => DateParse::Invalid,
        };
    }
    let parts: Vec<&str> = date_part.split(['-', '/', '.']).collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => match ymd(y, m, d) {
            Some(date) => at(date),
            None => DateParse::Invalid,
        },
        [d, m, y] if month_of(m).is_some() => match month_named(y, m, d) {
            Some(date) => at(date),
            None => DateParse::Invalid,
        },
        [y, m] if y.len() == 4 => match ymd(y, m, "1") {
            Some(date) => at(date),
            None => DateParse::Invalid,
        },
        [p, q, y] if (y.len() == 4 || y.len() == 2) && p.len() <= 2 && q.len() <= 2 => {
            let mut buf = [0u8; 4];
            let y = four_digit_year(y, &mut buf);
            let month_first = ymd(y, p, q);
            let day_first = ymd(y, q, p);
            match (month_first, day_first) {
                (Some(a), Some(b)) if a != b => DateParse::Ambiguous { a, b },
                (Some(a), _) => at(a),
                (None, Some(b)) => at(b),
                (None, None) => DateParse::Invalid,
            }
        }
        _ => DateParse::Invalid,
    }
}

/// A time without the UTC offset a web shop's export writes after it (`19:08:25 +0000`,
/// `12:00:00-04:00`; a trailing UTC or GMT goes before the time is split off): the time as written is the shop's local time, which is the
/// day the order belongs to.
fn without_offset(t: &str) -> &str {
    // The last + or - after the hours and minutes starts an offset of 2 to 5 digits and a colon.
    match t.rfind(['+', '-']) {
        Some(at) if at >= 4 => {
            let offset = &t[at + 1..];
            let digits = offset.bytes().filter(u8::is_ascii_digit).count();
            let shape = offset.bytes().all(|b| b.is_ascii_digit() || b == b':');
            if shape && (2..=4).contains(&digits) {
                t[..at].trim_end()
            } else {
                t
            }
        }
        _ => t,
    }
}

/// The date without a weekday written beside it ("2018-01-01 星期五", "周一 2024/3/5",
/// "Mon 2024-03-04"): point-of-sale exports add one, and it is often not the date's own, so it is
/// dropped rather than checked.
fn without_weekday(t: &str) -> &str {
    const ZH: &[&str] = &["星期", "礼拜", "周"];
    const DAYS_ZH: &[char] = &['一', '二', '三', '四', '五', '六', '日', '天'];
    const EN: &[&str] = &[
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
    ];
    let is_weekday = |w: &str| {
        let w = w.trim_matches(['(', ')', ',', '.']);
        ZH.iter().any(|p| {
            w.strip_prefix(p)
                .is_some_and(|d| d.chars().count() == 1 && d.chars().all(|c| DAYS_ZH.contains(&c)))
        }) || EN.iter().any(|e| w.eq_ignore_ascii_case(e))
    };
    let t = t.trim();
    if let Some((head, last)) = t.rsplit_once(' ') {
        if is_weekday(last) {
            return head.trim_end();
        }
    }
    if let Some((first, rest)) = t.split_once(' ') {
        if is_weekday(first) {
            return rest.trim_start();
        }
    }
    t
}

/// The month of an English month name, whole or its first three letters (and "Sept").
fn month_of(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let lower = name.trim().to_ascii_lowercase();
    let i = MONTHS.iter().position(|m| {
        *m == lower
            || m.get(..3) == Some(lower.as_str())
            || (lower == "sept" && m.starts_with("sep"))
    })?;
    Some(i as u32 + 1)
}

/// A year written last in two digits (`03/25/17`, `25-03-17`) in four, as spreadsheets read it:
/// 00–69 are 2000–2069, 70–99 are 1970–1999; written into `buf`, so a column of such dates costs
/// no allocation per cell. Anything else is returned as it is.
fn four_digit_year<'a>(y: &'a str, buf: &'a mut [u8; 4]) -> &'a str {
    let &[a, b] = y.as_bytes() else {
        return y;
    };
    if !a.is_ascii_digit() || !b.is_ascii_digit() {
        return y;
    }
    *buf = if a < b'7' {
        [b'2', b'0', a, b]
    } else {
        [b'1', b'9', a, b]
    };
    std::str::from_utf8(buf).unwrap_or(y)
}

/// `11-Feb-17`, `11-Feb-2017`: a day, a month name and a year of four digits or two (two digits
/// are 2000–2069, else 1970–1999, as spreadsheets read them).
fn month_named(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let month = month_of(m)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (y, d) = (y.trim(), d.trim());
    if !digits(y) || !digits(d) || d.len() > 2 {
        return None;
    }
    let year: i32 = match y.len() {
        4 => y.parse().ok()?,
        2 => {
            let yy: i32 = y.parse().ok()?;
            if yy < 70 {
                2000 + yy
            } else {
                1900 + yy
            }
        }
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, month, d.parse().ok()?)
}

/// For a date written day, month and year (`25/03/2024`, `3-25-2024`): whether only day first
/// reads it (`Some(true)`), only month first (`Some(false)`), or either or neither (`None`). A
/// column's unambiguous dates decide how its ambiguous ones are read.
pub fn day_first(s: &str) -> Option<bool> {
    let t = s.trim();
    // Year-first dates (2024-03-05, 2024年3月5日), the usual case, say nothing of the order: no
    // copy of the text is made for them.
    if t.bytes().take(3).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let folded: std::borrow::Cow<str> = if t.is_ascii() {
        t.into()
    } else {
        t.chars().map(fold_char).collect::<String>().into()
    };
    let (date_part, _) = split_time(without_weekday(folded.trim()));
    let mut parts = date_part.split(['-', '/', '.']);
    let (Some(p), Some(q), Some(y), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if !(y.len() == 4 || y.len() == 2) || p.len() > 2 || q.len() > 2 {
        return None;
    }
    let (p, q): (u32, u32) = (p.parse().ok()?, q.parse().ok()?);
    match (p > 12, q > 12) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

fn split_time(t: &str) -> (&str, Option<&str>) {
    if let Some((d, tm)) = t.split_once('T') {
        return (d.trim(), Some(tm.trim()));
    }
    match t.split_once(' ') {
        Some((d, tm)) if !tm.trim().is_empty() => (d.trim(), Some(tm.trim())),
        _ => (t, None),
    }
}

fn parse_time(t: &str) -> Option<NaiveTime> {
    let t = without_offset(t.trim()).trim_end_matches('Z');
    let mut it = t.split(':');
    let h: u32 = it.next()?.trim().parse().ok()?;
    let m: u32 = it.next()?.trim().parse().ok()?;
    let (s, ms) = match it.next() {
        Some(sec) => match sec.split_once('.') {
            Some((s, frac)) => (
                s.parse().ok()?,
                frac.get(..3.min(frac.len()))?.parse::<u32>().ok()?,
            ),
            None => (sec.parse().ok()?, 0),
        },
        None => (0, 0),
    };
    if it.next().is_some() {
        return None;
    }
    NaiveTime::from_hms_milli_opt(h, m, s, ms)
}

/// A date written `YYYY-MM-DD` (month and day of one or two digits), as options, filters and the
/// report's own JSON write dates. chrono's `%Y-%m-%d` parser would do the same through its general
/// format machinery, about 20 KB of the wasm.
pub fn iso_date(s: &str) -> Option<NaiveDate> {
    let mut parts = s.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if [y, m, d].iter().any(|p| p.trim() != *p) {
        return None;
    }
    ymd(y, m, d)
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let all_digits =
        |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
    let (y, m, d) = (y.trim(), m.trim(), d.trim());
    if y.len() != 4
        || !all_digits(y)
        || !all_digits(m)
        || !all_digits(d)
        || m.len() > 2
        || d.len() > 2
    {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// An identifier or phone number as text: whole numbers print without exponent or ".0"
/// (13800138000.0 → "13800138000"); text is trimmed.
pub fn id_text(value: Value, pool: &StringPool) -> Option<Cow<'_, str>> {
    match value {
        Value::Text(id) => {
            let t = pool.get(id).trim();
            (!t.is_empty()).then_some(Cow::Borrowed(t))
        }
        Value::Number(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e18 => {
            Some(Cow::Owned(format!("{}", x as i64)))
        }
        Value::Number(x) if x.is_finite() => Some(Cow::Owned(format!("{x}"))),
        Value::Bool(b) => Some(Cow::Borrowed(if b { "TRUE" } else { "FALSE" })),
        Value::Number(_) | Value::Date(_) | Value::Error(_) => None,
    }
}

/// A label as people mean it: trimmed, full-width ASCII folded, odd spaces as one space.
pub fn clean_label(s: &str) -> Cow<'_, str> {
    let trimmed = s.trim();
    // Already clean: nothing to fold, no whitespace but single spaces. (One pass: a `contains`
    // of two spaces built a substring searcher for every label.)
    let mut after_space = false;
    let clean = trimmed.chars().all(|c| {
        let ok = fold_char(c) == c && (c == ' ' && !after_space || !c.is_whitespace());
        after_space = c == ' ';
        ok
    });
    if clean {
        return Cow::Borrowed(trimmed);
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut space = false;
    for c in trimmed.chars().map(fold_char) {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn iso_dates_in_options() {
        assert_eq!(iso_date("2024-06-30"), NaiveDate::from_ymd_opt(2024, 6, 30));
        assert_eq!(iso_date("2024-6-3"), NaiveDate::from_ymd_opt(2024, 6, 3));
        for bad in [
            "2024/06/30",
            "2024-02-30",
            "24-06-30",
            " 2024-06-30",
            "2024-06-30x",
            "",
        ] {
            assert_eq!(iso_date(bad), None, "{bad}");
        }
        let o = crate::Options::from_json(
            r#"{"as_of": "2024-06-30", "clv": {"calibration_end": null}}"#,
        )
        .unwrap();
        assert_eq!(o.as_of, NaiveDate::from_ymd_opt(2024, 6, 30));
        assert_eq!(o.clv.calibration_end, None);
        let err = crate::Options::from_json(r#"{"as_of": "30/06/2024"}"#).unwrap_err();
        assert!(err.to_string().contains("YYYY-MM-DD"), "{err}");
        let d = NaiveDate::from_ymd_opt(2024, 1, 5).unwrap();
        assert_eq!(iso_date(&d.to_string()), Some(d));
    }

    #[test]
    fn numbers() {
        let cases: &[(&str, Num)] = &[
            ("1234", Num::Value(1234.0)),
            ("  12.5 ", Num::Value(12.5)),
            ("¥1,234.00", Num::Value(1234.0)),
            ("￥1,234,567.89", Num::Value(1234567.89)),
            ("RMB 3,000", Num::Value(3000.0)),
            ("3000元", Num::Value(3000.0)),
            ("1.2万", Num::Value(12000.0)),
            ("3万元", Num::Value(30000.0)),
            ("2亿", Num::Value(2e8)),
            ("(1,234)", Num::Value(-1234.0)),
            ("-500", Num::Value(-500.0)),
            ("−500", Num::Value(-500.0)),
            ("12.5%", Num::Value(0.125)),
            ("１２３．５", Num::Value(123.5)),
            ("\u{a0}99\u{a0}", Num::Value(99.0)),
            ("1.2E+3", Num::Value(1200.0)),
            ("$2,000", Num::Value(2000.0)),
            ("US$ 5", Num::Value(5.0)),
            ("", Num::Empty),
            ("-", Num::Empty),
            ("N/A", Num::Empty),
            ("无", Num::Empty),
            ("abc", Num::Invalid),
            ("12元3", Num::Invalid),
            ("1.2.3", Num::Invalid),
            // A decimal comma: one or two digits after it (three are a thousands group).
            ("12,34", Num::Value(12.34)),
            ("1052,75元", Num::Value(1052.75)),
            ("11,50万元", Num::Value(115000.0)),
            ("1.234,5", Num::Value(1234.5)),
            ("1,2345", Num::Invalid),
            ("1.23,45", Num::Invalid),
            ("12,3,4", Num::Invalid),
            ("inf", Num::Invalid),
            ("NaN", Num::Invalid),
        ];
        for (s, want) in cases {
            assert_eq!(parse_number(s), *want, "{s:?}");
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn text_dates() {
        let at = |y, m, day| DateParse::Date(d(y, m, day).and_time(NaiveTime::MIN));
        let cases: &[(&str, DateParse)] = &[
            ("2024/3/5", at(2024, 3, 5)),
            ("2024-03-05", at(2024, 3, 5)),
            ("2024.3.5", at(2024, 3, 5)),
            ("2024年3月5日", at(2024, 3, 5)),
            ("2024年3月5号", at(2024, 3, 5)),
            ("2024年3月", at(2024, 3, 1)),
            ("2024-03", at(2024, 3, 1)),
            ("20240305", at(2024, 3, 5)),
            ("２０２４年３月５日", at(2024, 3, 5)),
            ("25/03/2024", at(2024, 3, 25)),
            ("5/5/2024", at(2024, 5, 5)),
            (
                "03/05/2024",
                DateParse::Ambiguous {
                    a: d(2024, 3, 5),
                    b: d(2024, 5, 3),
                },
            ),
            // A two-digit year last, as a CRM exports its deals' dates.
            ("25-10-16", at(2016, 10, 25)),
            ("12/31/99", at(1999, 12, 31)),
            (
                "01-03-17",
                DateParse::Ambiguous {
                    a: d(2017, 1, 3),
                    b: d(2017, 3, 1),
                },
            ),
            // Point-of-sale exports write a weekday beside the date, not always the date's own.
            ("2018-01-01 星期五", at(2018, 1, 1)),
            ("2018-01-02 (星期六)", at(2018, 1, 2)),
            ("周一 2024/3/4", at(2024, 3, 4)),
            ("2024-03-04 Mon", at(2024, 3, 4)),
            ("2024-03-04 礼拜一", at(2024, 3, 4)),
            // A web shop's export writes the UTC offset after the time.
            ("2025-12-07 00:00:00 +0000", at(2025, 12, 7)),
            ("2025-12-07 00:00:00 -0400", at(2025, 12, 7)),
            ("2025-12-07T00:00:00+08:00", at(2025, 12, 7)),
            ("2025-12-07 00:00 UTC", at(2025, 12, 7)),
            ("2018-02-29 星期四", DateParse::Invalid),
            ("2024-03-04 星期八", DateParse::Invalid),
            // Month names, as English exports write them.
            ("11-Feb-17", at(2017, 2, 11)),
            ("1-Sep-2019", at(2019, 9, 1)),
            ("15-Sept-99", at(1999, 9, 15)),
            ("30-Feb-17", DateParse::Invalid),
            ("11-Foo-17", DateParse::Invalid),
            ("2024-02-30", DateParse::Invalid),
            ("24-3-5", DateParse::Invalid),
            ("2024/13/45", DateParse::Invalid),
            ("hello", DateParse::Invalid),
            ("  ", DateParse::Empty),
        ];
        for (s, want) in cases {
            assert_eq!(parse_date_text(s), *want, "{s:?}");
        }
        let with_time = parse_date_text("2024-03-05 14:30:15");
        assert_eq!(
            with_time,
            DateParse::Date(d(2024, 3, 5).and_hms_opt(14, 30, 15).unwrap())
        );
        let iso = parse_date_text("2024-03-05T14:30:00");
        assert_eq!(
            iso,
            DateParse::Date(d(2024, 3, 5).and_hms_opt(14, 30, 0).unwrap())
        );
    }

    #[test]
    fn serials() {
        let date = |x: f64| excel_serial_to_datetime(x).map(|t| t.date());
        assert_eq!(date(1.0), Some(d(1900, 1, 1)));
        assert_eq!(date(59.0), Some(d(1900, 2, 28)));
        assert_eq!(date(60.0), Some(d(1900, 2, 28)));
        assert_eq!(date(61.0), Some(d(1900, 3, 1)));
        assert_eq!(date(45356.0), Some(d(2024, 3, 5)));
        assert_eq!(
            excel_serial_to_datetime(45356.5),
            Some(d(2024, 3, 5).and_hms_opt(12, 0, 0).unwrap())
        );
        assert_eq!(date(0.0), None);
        assert_eq!(date(f64::NAN), None);
        assert_eq!(date(3e6), None);
    }

    #[test]
    fn ids_and_labels() {
        let mut pool = StringPool::new();
        let id = pool.intern("  C001 ", &Default::default()).unwrap();
        assert_eq!(
            id_text(Value::Number(13800138000.0), &pool).as_deref(),
            Some("13800138000")
        );
        assert_eq!(id_text(Value::Number(12.5), &pool).as_deref(), Some("12.5"));
        assert_eq!(id_text(Value::Text(id), &pool).as_deref(), Some("C001"));
        assert_eq!(clean_label(" 华东 "), "华东");
        assert_eq!(clean_label("ＡＢＣ\u{3000}公司"), "ABC 公司");
        assert_eq!(clean_label("a  b"), "a b");
        assert!(matches!(clean_label("华东"), Cow::Borrowed(_)));
    }

    proptest! {
        #[test]
        fn never_panics(s in ".*") {
            let _ = parse_number(&s);
            let _ = parse_date_text(&s);
            let _ = clean_label(&s);
        }

        #[test]
        // The first alphabet makes doubled spaces between words common; the second, odd spaces
        // and full-width letters.
        fn clean_labels_are_folded_with_single_spaces(
            s in "[ a]{0,8}|[ a\u{3000}\u{00A0}Ａ华\t]{0,8}"
        ) {
            let words: Vec<String> = s
                .chars()
                .map(fold_char)
                .collect::<String>()
                .split_whitespace()
                .map(str::to_string)
                .collect();
            let clean = clean_label(&s);
            prop_assert_eq!(clean.as_ref(), words.join(" "));
            prop_assert_eq!(matches!(clean, Cow::Borrowed(_)), s.trim() == words.join(" "));
        }

        #[test]
        fn printed_numbers_round_trip(x in proptest::num::f64::NORMAL) {
            prop_assert_eq!(parse_number(&format!("{x}")), Num::Value(x));
        }

        #[test]
        fn serials_are_monotonic(a in 61.0f64..2_958_000.0, b in 61.0f64..2_958_000.0) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(excel_serial_to_datetime(lo) <= excel_serial_to_datetime(hi));
        }
    }
}
