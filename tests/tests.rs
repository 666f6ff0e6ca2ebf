//! The integration tests: whole files in, reports out. Every fixture is generated here
//! (rust_xlsxwriter for xlsx, byte strings for text), except the real workbooks of
//! ../shared/corpus, which are read when that folder exists and skipped when it does not.

/// Bad input gets one clear error: encrypted, not a spreadsheet, truncated, too large, empty.
mod bad_input;
/// The churn model: its sample and label by hand, generated histories with and without a signal.
mod churn_model;
/// Classifications on hand-checked workbooks, options, and invariants over random order lists.
mod classify;
/// The `kexi` command: output and error messages cut short by their reader.
mod cli;
/// Predictive CLV through the reader: the CDNOW sample reproduces the published figures.
mod clv_cdnow;
/// Every workbook of the shared corpus gives a table or a clear error, and none panics.
mod corpus;
/// Results workbook and CSV exports, blank templates, and the sample workbook.
mod exports;
/// Customer feedback: complaint texts per line, counts in a register, beside churn risk.
mod feedback;
/// xls and ods through calamine, from small committed fixtures.
mod formats;
/// Dates after the as-of date or today: left out or blanked, counted, never a negative recency.
mod future_dates;
/// Performance, BCG, pipeline, NPS/CSI, credit, cross-selling, clusters and the filter.
mod insights;
/// Messy real-world workbooks: titles, merged two-row headers, totals, notes, hidden sheets.
mod messy;
/// The people analysis: age and income bands by hand, the as-of date, the filter, the workbook.
mod people;
/// Exports as people download them (real layouts, made-up rows), with no mapping given.
mod real_layouts;
/// Templates and sample as a user meets them: default sheet, mapping, formats, churn.
mod sample;
/// Seasons: month × year, the seasonal index, the forecast and its held-out error.
mod seasons;
/// Delimited text: encodings and delimiters.
mod text_files;
/// The fast xlsx reader against calamine, cell for cell.
mod xlsx_diff;

#[path = "support/streamed.rs"]
mod streamed;

pub mod fixtures {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    /// One cell to write.
    pub enum C<'a> {
        S(&'a str),
        N(f64),
        D(u16, u8, u8),
    }

    /// Writes rows of cells to a sheet, starting at row 0.
    pub fn write_rows(ws: &mut rust_xlsxwriter::Worksheet, first_row: u32, rows: &[Vec<C<'_>>]) {
        let date = Format::new().set_num_format("yyyy-mm-dd");
        for (r, cells) in rows.iter().enumerate() {
            let r = first_row + r as u32;
            for (c, cell) in cells.iter().enumerate() {
                let c = c as u16;
                match cell {
                    C::S("") => {}
                    C::S(s) => {
                        ws.write_string(r, c, *s).unwrap();
                    }
                    C::N(x) => {
                        ws.write_number(r, c, *x).unwrap();
                    }
                    C::D(y, m, d) => {
                        let dt = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                        ws.write_datetime_with_format(r, c, &dt, &date).unwrap();
                    }
                }
            }
        }
    }

    pub fn new_workbook() -> Workbook {
        Workbook::new()
    }
}
