//! Delimited text files (CSV, TSV, TXT): the encoding, the delimiter, and the fields.
//!
//! Sales systems export CSV in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or
//! GBK. Bytes with a BOM are decoded by it; valid UTF-8 is UTF-8; anything else is GB18030, the
//! superset of GBK. The delimiter is the one of `,` `\t` `;` `|` that splits the first lines into
//! the most consistent, widest rows. Every non-empty field is stored as text: `normalize` decides
//! later what it means, so "00123" and "13800138000" survive as typed.

use crate::error::{Error, Result};
use crate::progress::{self, Phase};
use crate::read::grid::{Cell, Grid};
use serde::Serialize;
use std::borrow::Cow;

/// What reading found out about a text file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextMeta {
    pub encoding: &'static str,
    pub delimiter: char,
    pub rows: u32,
}

const DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];
const SNIFF_LINES: usize = 50;

/// Decodes `bytes`, sniffs the delimiter and stores every non-empty field in `grid` as text.
pub fn read(bytes: &[u8], grid: &mut Grid) -> Result<TextMeta> {
    let (text, encoding) = decode(bytes);
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut row: u32 = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(Error::corrupt(format!("text line {}: {e}", row + 1))),
        }
        for (col, field) in record.iter().enumerate() {
            let field = field.trim_end_matches('\r');
            if !field.trim().is_empty() {
                grid.push(row, col as u32, Cell::Text(field))?;
            }
        }
        row = row.saturating_add(1);
        if row.is_multiple_of(4096) {
            let done = reader.position().byte() as f64 / text.len().max(1) as f64;
            progress::report(Phase::Reading, None, row.into(), Some(done));
        }
    }
    Ok(TextMeta {
        encoding,
        delimiter: delimiter as char,
        rows: row,
    })
}

/// Whether `bytes` look like delimited text: no NUL bytes outside UTF-16, mostly printable.
pub fn looks_like_text(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let head = bytes.get(..8192).unwrap_or(bytes);
    if head.is_empty() || head.contains(&0) {
        return false;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t'))
        .count();
    control * 100 <= head.len()
}

fn decode(bytes: &[u8]) -> (Cow<'_, str>, &'static str) {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = bytes.get(bom..).unwrap_or(&[]);
        let (text, _) = enc.decode_without_bom_handling(body);
        let name = match enc.name() {
            "UTF-8" => "UTF-8 BOM",
            "UTF-16LE" => "UTF-16LE",
            _ => "UTF-16BE",
        };
        return (text, name);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), "UTF-8"),
        Err(_) => {
            let (text, _) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            (text, "GB18030")
        }
    }
}

/// The delimiter whose split of the first lines is most consistent (same field count on most
/// lines) and, among equals, widest. Quotes are respected by counting outside them only.
fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(SNIFF_LINES)
        .collect();
    let mut best = (b',', 0usize, 0usize);
    for d in DELIMITERS {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let mut freq: rustc_hash::FxHashMap<usize, usize> = Default::default();
        for &c in counts.iter().filter(|&&c| c > 0) {
            *freq.entry(c).or_default() += 1;
        }
        let Some((&fields, &lines_agreeing)) = freq.iter().max_by_key(|(c, n)| (**n, **c)) else {
            continue;
        };
        if (lines_agreeing, fields) > (best.1, best.2) {
            best = (d, lines_agreeing, fields);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, d: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == d && !quoted {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::grid::Limits;

    fn read_str(bytes: &[u8]) -> (TextMeta, Grid) {
        let mut g = Grid::new(Limits::default());
        let meta = read(bytes, &mut g).unwrap();
        (meta, g)
    }

    #[test]
    fn encodings_and_delimiters() {
        let text = "客户名称;金额\n\"张三;李四\";\"1,200\"\n";
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend(text.as_bytes());
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (text.as_bytes().to_vec(), "UTF-8"),
            (bom, "UTF-8 BOM"),
            (utf16, "UTF-16LE"),
            (gbk.into_owned(), "GB18030"),
        ];
        for (bytes, enc) in cases {
            let (meta, g) = read_str(&bytes);
            assert_eq!(meta.encoding, enc);
            assert_eq!(meta.delimiter, ';');
            assert_eq!(meta.rows, 2);
            assert_eq!(g.text(0, 0), Some("客户名称"));
            assert_eq!(g.text(1, 0), Some("张三;李四"));
            assert_eq!(g.text(1, 1), Some("1,200"));
        }
    }

    #[test]
    fn sniffs_tab_and_keeps_ids_as_text() {
        let (meta, g) = read_str(b"id\tphone\n00123\t13800138000\n\t\n");
        assert_eq!(meta.delimiter, '\t');
        assert_eq!(g.text(1, 0), Some("00123"));
        assert_eq!(g.text(1, 1), Some("13800138000"));
        assert_eq!(g.n_cells(), 4);
    }

    #[test]
    fn quoted_newlines() {
        let (_, g) = read_str("名称,备注\n甲,\"第一行\n第二行\"\n乙,x\n".as_bytes());
        assert_eq!(g.text(1, 1), Some("第一行\n第二行"));
        assert_eq!(g.text(2, 0), Some("乙"));
    }

    #[test]
    fn text_or_not() {
        assert!(looks_like_text("a,b\n1,2\n".as_bytes()));
        assert!(!looks_like_text(b"\x00\x01\x02"));
        assert!(!looks_like_text(b""));
    }
}
