//! Format detection from a file's first bytes and container directory, never from its name.
//!
//! A zip is told apart by the parts it names (xl/workbook.xml, xl/workbook.bin, an OpenDocument
//! mimetype), or, where its workbook part lies elsewhere, by its main part's content type; an OLE
//! compound file is a legacy xls unless it carries an `EncryptedPackage`, which is how Office
//! stores every password-protected xlsx/xlsb. Anything else is tried as delimited text.

use crate::error::{Error, ErrorKind, Result};
use memchr::memmem;
use serde::Serialize;

/// A file format kexi reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Xlsx,
    Xlsm,
    Xlsb,
    Xls,
    Ods,
    /// Delimited text (CSV, TSV, TXT); the delimiter is sniffed when reading.
    Csv,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY: &[u8] = b"PK\x05\x06";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Detects the format of `bytes`.
pub fn sniff(bytes: &[u8]) -> Result<Format> {
    if bytes.is_empty() {
        return Err(Error::new(ErrorKind::NotSpreadsheet));
    }
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(ZIP_EMPTY) {
        return sniff_zip(bytes);
    }
    if bytes.starts_with(CFB_MAGIC) {
        return if contains_utf16(bytes, "EncryptedPackage")
            || contains_utf16(bytes, "EncryptionInfo")
        {
            Err(Error::new(ErrorKind::Encrypted))
        } else {
            Ok(Format::Xls)
        };
    }
    if looks_like_markup(bytes) {
        // SpreadsheetML 2003 and HTML tables saved with an .xls name: not a format we read.
        return Err(Error::new(ErrorKind::NotSpreadsheet));
    }
    if crate::read::text::looks_like_text(bytes) {
        return Ok(Format::Csv);
    }
    Err(Error::new(ErrorKind::NotSpreadsheet))
}

fn sniff_zip(bytes: &[u8]) -> Result<Format> {
    // Entry names are all in the central directory at the end of the file: searching it alone
    // spares scanning a large workbook's tens of MB for names it does not have. (An xlsm is then
    // known by its vbaProject.bin alone; its content type is in a deflated part anyway.)
    if let Some(names) = central_directory(bytes) {
        let has = |name: &[u8]| memmem::find(names, name).is_some();
        if has(b"xl/workbook.bin") {
            return Ok(Format::Xlsb);
        }
        if has(b"xl/workbook.xml") {
            return Ok(if has(b"xl/vbaProject.bin") {
                Format::Xlsm
            } else {
                Format::Xlsx
            });
        }
    }
    let has = |name: &[u8]| memmem::find(bytes, name).is_some();
    if has(b"xl/workbook.bin") {
        Ok(Format::Xlsb)
    } else if has(b"xl/workbook.xml") {
        if has(b"xl/vbaProject.bin") || has(b"macroEnabled") {
            Ok(Format::Xlsm)
        } else {
            Ok(Format::Xlsx)
        }
    } else if has(b"application/vnd.oasis.opendocument.spreadsheet") {
        Ok(Format::Ods)
    } else if let Some(format) = main_content_type(bytes) {
        // The workbook part is elsewhere (at the package root, or under names written with
        // backslashes): the reader finds it through the package relationships, or falls back.
        Ok(format)
    } else if has(b"[Content_Types].xml") || has(b"mimetype") {
        // A zip that names no workbook part: another Office or ODF document, or a truncated file
        // whose directory is gone.
        Err(Error::corrupt("zip without a workbook part"))
    } else {
        Err(Error::new(ErrorKind::NotSpreadsheet))
    }
}

/// Largest `[Content_Types].xml` read when the workbook part is not at its usual path.
const CONTENT_TYPES_MAX: u64 = 1 << 20;

/// The spreadsheet format a package's `[Content_Types].xml` declares for its main part, for a
/// package whose workbook is not at `xl/workbook.xml` or `xl/workbook.bin`: Office finds it
/// through the package relationships, wherever it is. `None` for another kind of document or a
/// zip that cannot be opened.
fn main_content_type(bytes: &[u8]) -> Option<Format> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut types = Vec::new();
    zip.by_name("[Content_Types].xml")
        .ok()?
        .take(CONTENT_TYPES_MAX)
        .read_to_end(&mut types)
        .ok()?;
    types.make_ascii_lowercase();
    let has = |t: &[u8]| memmem::find(&types, t).is_some();
    const MAIN: &[(&[u8], Format)] = &[
        (
            b"application/vnd.ms-excel.sheet.binary.macroenabled.main",
            Format::Xlsb,
        ),
        (
            b"application/vnd.ms-excel.sheet.macroenabled.main+xml",
            Format::Xlsm,
        ),
        (
            b"application/vnd.ms-excel.template.macroenabled.main+xml",
            Format::Xlsm,
        ),
        (
            b"application/vnd.ms-excel.addin.macroenabled.main+xml",
            Format::Xlsm,
        ),
        (
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            Format::Xlsx,
        ),
        (
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
            Format::Xlsx,
        ),
    ];
    MAIN.iter().find(|(t, _)| has(t)).map(|&(_, f)| f)
}

/// The zip's central directory, found through its end record (in the last 64 KiB), when that
/// record points at one; `None` for zip64, prefixed or damaged archives.
fn central_directory(bytes: &[u8]) -> Option<&[u8]> {
    let tail_start = bytes.len().saturating_sub(22 + 0xFFFF);
    let tail = bytes.get(tail_start..)?;
    let end = tail.get(memmem::rfind(tail, ZIP_EMPTY)?..)?;
    let word = |at: usize| -> Option<usize> {
        let b: [u8; 4] = end.get(at..at + 4)?.try_into().ok()?;
        Some(u32::from_le_bytes(b) as usize)
    };
    let (size, offset) = (word(12)?, word(16)?);
    bytes
        .get(offset..offset.checked_add(size)?)
        .filter(|cd| cd.starts_with(b"PK\x01\x02"))
}

fn contains_utf16(bytes: &[u8], name: &str) -> bool {
    let needle: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    memmem::find(bytes, &needle).is_some()
}

fn looks_like_markup(bytes: &[u8]) -> bool {
    let head = bytes.get(..512).unwrap_or(bytes);
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF)
        .unwrap_or(0);
    let head = head.get(start..).unwrap_or(&[]);
    let lower: Vec<u8> = head.iter().take(64).map(u8::to_ascii_lowercase).collect();
    lower.starts_with(b"<?xml") || lower.starts_with(b"<html") || lower.starts_with(b"<!doctype")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workbook as a writer makes it: its names are found in the central directory alone.
    #[test]
    fn names_come_from_the_central_directory() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet().write_string(0, 0, "客户名称").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let cd = central_directory(&bytes).expect("central directory");
        assert!(cd.len() < bytes.len() / 2);
        assert!(memmem::find(cd, b"xl/workbook.xml").is_some());
        assert_eq!(sniff(&bytes).unwrap(), Format::Xlsx);
        // Data before the archive moves its directory: the whole file is searched instead.
        let mut prefixed = b"PK\x03\x04 self-extractor stub ".to_vec();
        prefixed.extend_from_slice(&bytes);
        assert!(central_directory(&prefixed).is_none());
        assert_eq!(sniff(&prefixed).unwrap(), Format::Xlsx);
    }

    #[test]
    fn formats_from_bytes() {
        let cases: &[(&[u8], Option<Format>)] = &[
            (b"PK\x03\x04....xl/workbook.xml....", Some(Format::Xlsx)),
            (
                b"PK\x03\x04..xl/workbook.xml..xl/vbaProject.bin",
                Some(Format::Xlsm),
            ),
            (b"PK\x03\x04....xl/workbook.bin....", Some(Format::Xlsb)),
            (
                b"PK\x03\x04mimetypeapplication/vnd.oasis.opendocument.spreadsheet",
                Some(Format::Ods),
            ),
            (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", Some(Format::Xls)),
            ("客户名称,销售额\n张三,100\n".as_bytes(), Some(Format::Csv)),
            (b"<?xml version=\"1.0\"?><Workbook>", None),
            (b"", None),
            (b"\x00\x01\x02\x03\xff\xfe\x00\x00", None),
        ];
        for (bytes, want) in cases {
            assert_eq!(
                sniff(bytes).ok(),
                *want,
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    /// A package whose workbook part is not at xl/: its main content type says what it is.
    #[test]
    fn formats_from_content_types() {
        use std::io::Write;
        let package = |names: &[&str], main: &str| {
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let options = zip::write::SimpleFileOptions::default();
            zip.start_file("[Content_Types].xml", options).unwrap();
            write!(
                zip,
                r#"<Types><Override PartName="/workbook.xml" ContentType="{main}"/></Types>"#
            )
            .unwrap();
            for name in names {
                zip.start_file(*name, options).unwrap();
            }
            zip.finish().unwrap().into_inner()
        };
        let types = "application/vnd.openxmlformats-officedocument";
        let cases = [
            (
                &["workbook.xml"][..],
                format!("{types}.spreadsheetml.sheet.main+xml"),
                Some(Format::Xlsx),
            ),
            (
                &["xl\\workbook.xml"],
                format!("{types}.spreadsheetml.sheet.main+xml"),
                Some(Format::Xlsx),
            ),
            (
                &["workbook.xml"],
                "application/vnd.ms-excel.sheet.macroEnabled.main+xml".into(),
                Some(Format::Xlsm),
            ),
            (
                &["workbook.bin"],
                "application/vnd.ms-excel.sheet.binary.macroEnabled.main".into(),
                Some(Format::Xlsb),
            ),
            (
                &["word/document.xml"],
                format!("{types}.wordprocessingml.document.main+xml"),
                None,
            ),
        ];
        for (names, main, want) in cases {
            let bytes = package(names, &main);
            assert_eq!(sniff(&bytes).ok(), want, "{names:?} {main}");
            if want.is_none() {
                assert_eq!(sniff(&bytes).unwrap_err().code(), "corrupt");
            }
        }
    }

    #[test]
    fn encrypted_office_file() {
        let mut bytes = CFB_MAGIC.to_vec();
        bytes.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(sniff(&bytes).unwrap_err().code(), "encrypted");
    }
}
