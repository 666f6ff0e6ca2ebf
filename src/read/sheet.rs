//! What the reader knows of a sheet besides its cells: its name, kind, visibility, extent and
//! merged regions. Every reader fills these in; `table` reads them.

use serde::Serialize;

/// Whether a sheet is shown in the workbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Visible,
    Hidden,
    VeryHidden,
}

/// What a sheet holds; only worksheets have cells to analyse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetKind {
    Worksheet,
    Chartsheet,
    Dialog,
    Macro,
}

/// A merged region, zero-based and inclusive: (first_row, first_col, last_row, last_col).
pub type Merge = (u32, u32, u32, u32);

/// What the reader knows of one sheet.
#[derive(Debug, Clone, Serialize)]
pub struct SheetInfo {
    pub name: String,
    pub visibility: Visibility,
    pub kind: SheetKind,
    /// One past the last row holding a cell (0 for an empty sheet), from the cells actually read.
    pub rows: u32,
    /// One past the last column holding a cell.
    pub cols: u32,
    pub cells: u64,
}
