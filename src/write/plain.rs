//! A plain xlsx writer: sheets of text and numbers in four styles (plain, bold, date, money),
//! column widths and a frozen header row, streamed row by row into a deflated zip.
//!
//! Why not rust_xlsxwriter, which writes every other workbook: the page opens its own sample
//! workbook the moment it loads (to warm the engine) and when the user tries the sample, so
//! whatever writes it is in the wasm every visitor downloads. rust_xlsxwriter and the zip writer
//! it brings are about 100 KB gzipped there; the results workbook and the templates (charts,
//! drop-downs, formats) are written by it in a second wasm the page loads on the first export.
//! This writer is the small subset the sample needs. Its output is a valid Office Open XML
//! package (shared strings, a styles part, one worksheet part per sheet), read back by kexi's
//! own reader and calamine in the tests.

use crate::table::cell_ref::column_letter;
use crate::Error;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use rustc_hash::FxHashMap;
use std::fmt::Write as _;
use std::io::Write;

/// A cell's style: its index in the styles part's `cellXfs`.
#[derive(Clone, Copy)]
pub enum Style {
    Plain = 0,
    Bold = 1,
    /// yyyy-mm-dd, for a number that is an Excel serial day.
    Date = 2,
    /// #,##0.00
    Money = 3,
}

/// A workbook being written: finished sheets' compressed parts and the shared strings so far.
#[derive(Default)]
pub struct Book {
    strings: Vec<String>,
    index: FxHashMap<String, u32>,
    sheets: Vec<(String, Part)>,
}

/// A sheet's layout, written before its cells.
pub struct Layout<'a> {
    /// Rows kept in view when scrolling (0: none).
    pub frozen_rows: u32,
    /// Zero-based column and width in characters.
    pub widths: &'a [(u16, f64)],
}

/// A sheet being written, row by row: cells must come in reading order.
pub struct Sheet<'b> {
    book: &'b mut Book,
    part: Part,
    /// The open row (1-based, as in the XML), 0 before the first cell, and its last column.
    row: u32,
    col: Option<u16>,
    buf: String,
}

/// One deflated zip entry and what the zip's directory says of it.
struct Part {
    data: DeflateEncoder<Vec<u8>>,
    crc: crc32fast::Hasher,
    size: u64,
}

impl Part {
    fn new() -> Self {
        Part {
            data: DeflateEncoder::new(Vec::new(), Compression::new(6)),
            crc: crc32fast::Hasher::new(),
            size: 0,
        }
    }

    fn of(text: &str) -> Result<Self, Error> {
        let mut p = Part::new();
        p.write(text)?;
        Ok(p)
    }

    fn write(&mut self, text: &str) -> Result<(), Error> {
        self.crc.update(text.as_bytes());
        self.size += text.len() as u64;
        self.data.write_all(text.as_bytes()).map_err(Error::write)
    }
}

const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

impl Book {
    pub fn new() -> Self {
        Book::default()
    }

    /// Starts a sheet named `name` (a valid sheet name: the caller's own constant).
    pub fn sheet(&mut self, name: &str, layout: &Layout) -> Result<Sheet<'_>, Error> {
        let mut head = format!("{XML_HEAD}<worksheet xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\">");
        if layout.frozen_rows > 0 {
            let top = layout.frozen_rows + 1;
            let _ = write!(
                head,
                "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"{}\" \
                 topLeftCell=\"A{top}\" activePane=\"bottomLeft\" state=\"frozen\"/>\
                 <selection pane=\"bottomLeft\"/></sheetView></sheetViews>",
                layout.frozen_rows
            );
        }
        head.push_str("<sheetFormatPr defaultRowHeight=\"15\"/>");
        if !layout.widths.is_empty() {
            head.push_str("<cols>");
            for (c, w) in layout.widths {
                let _ = write!(
                    head,
                    "<col min=\"{0}\" max=\"{0}\" width=\"{w}\" customWidth=\"1\"/>",
                    c + 1
                );
            }
            head.push_str("</cols>");
        }
        head.push_str("<sheetData>");
        let part = Part::of(&head)?;
        self.sheets.push((name.to_string(), Part::new()));
        Ok(Sheet {
            book: self,
            part,
            row: 0,
            col: None,
            buf: String::new(),
        })
    }

    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.strings.len() as u32;
        self.strings.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }

    /// The workbook's bytes.
    pub fn finish(self) -> Result<Vec<u8>, Error> {
        let n = self.sheets.len();
        let mut types = format!(
            "{XML_HEAD}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
             <Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>\
             <Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>"
        );
        let mut sheets = String::new();
        let mut rels = format!("{XML_HEAD}<Relationships xmlns=\"{PKG_REL_NS}\">");
        for (i, (name, _)) in self.sheets.iter().enumerate() {
            let k = i + 1;
            let _ = write!(
                types,
                "<Override PartName=\"/xl/worksheets/sheet{k}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
            );
            let _ = write!(
                sheets,
                "<sheet name=\"{}\" sheetId=\"{k}\" r:id=\"rId{k}\"/>",
                escape(name)
            );
            let _ = write!(
                rels,
                "<Relationship Id=\"rId{k}\" Type=\"{REL_NS}/worksheet\" Target=\"worksheets/sheet{k}.xml\"/>"
            );
        }
        types.push_str("</Types>");
        let _ = write!(
            rels,
            "<Relationship Id=\"rId{}\" Type=\"{REL_NS}/styles\" Target=\"styles.xml\"/>\
             <Relationship Id=\"rId{}\" Type=\"{REL_NS}/sharedStrings\" Target=\"sharedStrings.xml\"/>\
             </Relationships>",
            n + 1,
            n + 2
        );
        let workbook = format!(
            "{XML_HEAD}<workbook xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\"><sheets>{sheets}</sheets></workbook>"
        );
        let root_rels = format!(
            "{XML_HEAD}<Relationships xmlns=\"{PKG_REL_NS}\"><Relationship Id=\"rId1\" \
             Type=\"{REL_NS}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
        );

        let mut zip = Zip::default();
        zip.add("[Content_Types].xml", Part::of(&types)?)?;
        zip.add("_rels/.rels", Part::of(&root_rels)?)?;
        zip.add("xl/workbook.xml", Part::of(&workbook)?)?;
        zip.add("xl/_rels/workbook.xml.rels", Part::of(&rels)?)?;
        zip.add("xl/styles.xml", Part::of(&styles())?)?;
        zip.add("xl/sharedStrings.xml", shared_strings(&self.strings)?)?;
        for (i, (_, part)) in self.sheets.into_iter().enumerate() {
            zip.add(&format!("xl/worksheets/sheet{}.xml", i + 1), part)?;
        }
        zip.finish()
    }
}

impl Sheet<'_> {
    /// A text cell at zero-based `row` and `col`.
    pub fn text(&mut self, row: u32, col: u16, s: &str, style: Style) -> Result<(), Error> {
        let i = self.book.intern(s);
        self.cell(row, col, style, "t=\"s\"", i)
    }

    /// A number cell at zero-based `row` and `col` (a non-finite number is left out).
    pub fn number(&mut self, row: u32, col: u16, x: f64, style: Style) -> Result<(), Error> {
        if !x.is_finite() {
            return Ok(());
        }
        self.cell(row, col, style, "", x)
    }

    fn cell(
        &mut self,
        row: u32,
        col: u16,
        style: Style,
        t: &str,
        v: impl std::fmt::Display,
    ) -> Result<(), Error> {
        let r = row + 1;
        if r < self.row || (r == self.row && self.col >= Some(col)) {
            return Err(Error::write("cells out of order"));
        }
        self.col = Some(col);
        self.buf.clear();
        if r != self.row {
            if self.row > 0 {
                self.buf.push_str("</row>");
            }
            let _ = write!(self.buf, "<row r=\"{r}\">");
            self.row = r;
        }
        let _ = write!(
            self.buf,
            "<c r=\"{}{r}\" s=\"{}\" {t}><v>{v}</v></c>",
            column_letter(col.into()),
            style as u8
        );
        self.part.write(&self.buf)
    }

    /// Closes the sheet; its part joins the book.
    pub fn close(mut self) -> Result<(), Error> {
        let tail = if self.row > 0 { "</row>" } else { "" };
        self.part
            .write(&format!("{tail}</sheetData></worksheet>"))?;
        match self.book.sheets.last_mut() {
            Some(last) => last.1 = self.part,
            None => return Err(Error::write("no sheet")),
        }
        Ok(())
    }
}

fn styles() -> String {
    let font = |bold: &str| format!("<font>{bold}<sz val=\"11\"/><name val=\"Calibri\"/></font>");
    let xf = |fmt: u32, font: u32| {
        format!(
            "<xf numFmtId=\"{fmt}\" fontId=\"{font}\" fillId=\"0\" borderId=\"0\" xfId=\"0\"{}/>",
            if fmt > 0 {
                " applyNumberFormat=\"1\""
            } else if font > 0 {
                " applyFont=\"1\""
            } else {
                ""
            }
        )
    };
    format!(
        "{XML_HEAD}<styleSheet xmlns=\"{MAIN_NS}\">\
         <numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd\"/></numFmts>\
         <fonts count=\"2\">{}{}</fonts>\
         <fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>\
         <borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
         <cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
         <cellXfs count=\"4\">{}{}{}{}</cellXfs>\
         <cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
         </styleSheet>",
        font(""),
        font("<b/>"),
        xf(0, 0),
        xf(0, 1),
        xf(164, 0),
        xf(4, 0),
    )
}

fn shared_strings(strings: &[String]) -> Result<Part, Error> {
    let mut part = Part::new();
    let n = strings.len();
    part.write(&format!(
        "{XML_HEAD}<sst xmlns=\"{MAIN_NS}\" count=\"{n}\" uniqueCount=\"{n}\">"
    ))?;
    let mut buf = String::new();
    for s in strings {
        buf.clear();
        let space = s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace);
        let keep = if space { " xml:space=\"preserve\"" } else { "" };
        let _ = write!(buf, "<si><t{keep}>{}</t></si>", escape(s));
        part.write(&buf)?;
    }
    part.write("</sst>")?;
    Ok(part)
}

/// `s` as XML character data: markup characters escaped, control characters XML 1.0 cannot hold
/// dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

/// A zip archive of deflated entries: local headers and data, then the central directory. Sizes
/// and offsets must fit 32 bits (no zip64): past them the write fails rather than mislabel.
#[derive(Default)]
struct Zip {
    out: Vec<u8>,
    directory: Vec<u8>,
    entries: u16,
}

impl Zip {
    fn add(&mut self, name: &str, part: Part) -> Result<(), Error> {
        let crc = part.crc.finalize();
        let data = part.data.finish().map_err(Error::write)?;
        let too_big = || Error::write("workbook larger than 4 GB");
        let offset = u32::try_from(self.out.len()).map_err(|_| too_big())?;
        let packed = u32::try_from(data.len()).map_err(|_| too_big())?;
        let size = u32::try_from(part.size).map_err(|_| too_big())?;
        let name_len = name.len() as u16;
        // Version 2.0, UTF-8 names (bit 11), deflate, no time (1980-01-01).
        let common = |v: &mut Vec<u8>| {
            for x in [20u16, 0x0800, 8, 0, 0x21] {
                v.extend_from_slice(&x.to_le_bytes());
            }
            for x in [crc, packed, size] {
                v.extend_from_slice(&x.to_le_bytes());
            }
            v.extend_from_slice(&name_len.to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes());
        };
        self.out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common(&mut self.out);
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(&data);

        self.directory
            .extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        self.directory.extend_from_slice(&20u16.to_le_bytes());
        common(&mut self.directory);
        // Comment length, disk, internal and external attributes, the local header's offset.
        for x in [0u16, 0, 0] {
            self.directory.extend_from_slice(&x.to_le_bytes());
        }
        self.directory.extend_from_slice(&0u32.to_le_bytes());
        self.directory.extend_from_slice(&offset.to_le_bytes());
        self.directory.extend_from_slice(name.as_bytes());
        self.entries += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<u8>, Error> {
        let too_big = || Error::write("workbook larger than 4 GB");
        let at = u32::try_from(self.out.len()).map_err(|_| too_big())?;
        let len = u32::try_from(self.directory.len()).map_err(|_| too_big())?;
        self.out.extend_from_slice(&self.directory);
        self.out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        for x in [0u16, 0, self.entries, self.entries] {
            self.out.extend_from_slice(&x.to_le_bytes());
        }
        self.out.extend_from_slice(&len.to_le_bytes());
        self.out.extend_from_slice(&at.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes());
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    fn book() -> Vec<u8> {
        let mut b = Book::new();
        let widths = [(1, 20.0)];
        let mut s = b
            .sheet(
                "名单",
                &Layout {
                    frozen_rows: 1,
                    widths: &widths,
                },
            )
            .unwrap();
        s.text(0, 0, "名称", Style::Bold).unwrap();
        s.text(0, 1, "日期", Style::Bold).unwrap();
        s.text(1, 0, "<a & b> \"x\"", Style::Plain).unwrap();
        s.number(1, 1, 45_000.0, Style::Date).unwrap();
        s.text(2, 0, " 前后有空格 ", Style::Plain).unwrap();
        s.number(2, 2, 1234.5, Style::Money).unwrap();
        s.number(2, 3, f64::NAN, Style::Plain).unwrap();
        s.close().unwrap();
        let s = b
            .sheet(
                "空",
                &Layout {
                    frozen_rows: 0,
                    widths: &[],
                },
            )
            .unwrap();
        s.close().unwrap();
        b.finish().unwrap()
    }

    #[test]
    fn calamine_reads_back_what_was_written() {
        let mut wb: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(book())).unwrap();
        assert_eq!(wb.sheet_names(), vec!["名单".to_string(), "空".to_string()]);
        let r = wb.worksheet_range("名单").unwrap();
        assert_eq!(
            r.get_value((1, 0)),
            Some(&Data::String("<a & b> \"x\"".into()))
        );
        assert!(matches!(r.get_value((1, 1)), Some(Data::DateTime(d)) if d.as_f64() == 45_000.0));
        assert_eq!(
            r.get_value((2, 0)),
            Some(&Data::String(" 前后有空格 ".into()))
        );
        assert_eq!(r.get_value((2, 2)), Some(&Data::Float(1234.5)));
        assert_eq!(r.get_value((2, 3)), None);
        assert!(wb.worksheet_range("空").unwrap().is_empty());
    }

    #[test]
    fn kexis_fast_reader_reads_it_as_calamine_does() {
        let bytes = book();
        let limits = crate::Limits::default();
        let fast = crate::Book::open(&bytes, &limits).unwrap();
        let reference = crate::Book::open_reference(&bytes, &limits).unwrap();
        assert_eq!(format!("{fast:?}"), format!("{reference:?}"));
    }

    #[test]
    fn cells_out_of_order_are_refused() {
        let mut b = Book::new();
        let mut s = b
            .sheet(
                "x",
                &Layout {
                    frozen_rows: 0,
                    widths: &[],
                },
            )
            .unwrap();
        s.number(3, 0, 1.0, Style::Plain).unwrap();
        assert!(s.number(1, 0, 1.0, Style::Plain).is_err());
        assert!(s.number(3, 0, 1.0, Style::Plain).is_err());
        assert!(s.number(3, 1, 1.0, Style::Plain).is_ok());
        assert!(s.number(4, 0, 1.0, Style::Plain).is_ok());
    }
}
