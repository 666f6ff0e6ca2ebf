//! Styles: which cell formats are dates.

use super::xml::{decode_attr, Tags};
use super::Step;
use rustc_hash::FxHashMap;

/// A number format as far as dates go (calamine's `CellFormat`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Format {
    Other,
    Date,
}

pub(super) fn read_formats(styles: &[u8]) -> Step<Vec<Format>> {
    let mut custom: FxHashMap<Vec<u8>, String> = FxHashMap::default();
    let mut formats = Vec::new();
    let (mut in_fmts, mut in_xfs) = (false, false);
    for tag in Tags::new(styles) {
        let tag = tag?;
        match (tag.local, tag.end) {
            (b"numFmts", false) => in_fmts = !tag.empty,
            (b"numFmts", true) => in_fmts = false,
            (b"cellXfs", false) => in_xfs = !tag.empty,
            (b"cellXfs", true) => in_xfs = false,
            (b"numFmt", false) if in_fmts => {
                if let (Some(id), Some(code)) = (tag.attr(b"numFmtId"), tag.attr(b"formatCode")) {
                    custom.insert(id.to_vec(), decode_attr(code)?);
                }
            }
            (b"xf", false) if in_xfs => {
                formats.push(match tag.attr(b"numFmtId") {
                    None => Format::Other,
                    Some(id) => match custom.get(id) {
                        Some(code) => custom_format(code),
                        None => builtin_format(id),
                    },
                });
            }
            _ => {}
        }
    }
    Ok(formats)
}

/// calamine's `builtin_format_by_id`: the built-in date and time formats.
fn builtin_format(id: &[u8]) -> Format {
    match id {
        b"14" | b"15" | b"16" | b"17" | b"18" | b"19" | b"20" | b"21" | b"22" | b"45" | b"46"
        | b"47" | b"27" | b"28" | b"29" | b"30" | b"31" | b"32" | b"33" | b"34" | b"35" | b"36"
        | b"50" | b"51" | b"52" | b"53" | b"54" | b"55" | b"56" | b"57" | b"58" => Format::Date,
        _ => Format::Other,
    }
}

/// calamine's `detect_custom_number_format`: a date or duration when the first section has a
/// d, m, y, h or s (or an AM/PM marker) outside quotes, escapes and brackets, or a `[h]`-style
/// elapsed-time bracket.
fn custom_format(format: &str) -> Format {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return Format::Other,
            ('[', ..) => brackets += 1,
            (']', .., 1) if hms => return Format::Date,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return Format::Date,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return Format::Date
            }
            _ => {
                if hms && s.eq_ignore_ascii_case(&prev) {
                } else {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    Format::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_formats_like_calamine() {
        assert_eq!(custom_format("yyyy-mm-dd"), Format::Date);
        assert_eq!(custom_format("[h]:mm:ss"), Format::Date);
        assert_eq!(custom_format("#,##0.00"), Format::Other);
        assert_eq!(custom_format("\"d\"0"), Format::Other);
        assert_eq!(custom_format("[Red]0.00"), Format::Other);
        assert_eq!(custom_format("0;[Red]yyyy"), Format::Other);
        assert_eq!(builtin_format(b"14"), Format::Date);
        assert_eq!(builtin_format(b"4"), Format::Other);
    }
}
