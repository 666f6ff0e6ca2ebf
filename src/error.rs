//! The one error type of the core: what went wrong, where, and how to say it in Chinese and English.
//!
//! A fatal problem (the file cannot be read at all) is an [`Error`]; a row that cannot be used is not
//! an error but a warning in the quality report (see `quality`). Every variant carries what the user
//! needs to fix the file: the sheet, the cell, the limit that was hit.

use serde::Serialize;

/// A fatal problem reading or analysing a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Error(Box<ErrorKind>);

/// What kind of fatal problem. New kinds may be added; match with a wildcard arm.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The bytes are not a spreadsheet format we read (nor text that looks like a table).
    NotSpreadsheet,
    /// The workbook is password-protected or encrypted.
    Encrypted,
    /// The file looks like a spreadsheet but is damaged (truncated zip, bad XML, broken records).
    Corrupt { detail: String },
    /// A reader gave up on the file partway (it stopped on records it could not follow): the
    /// file may be sound, but kexi cannot read it as it is.
    Unreadable { detail: String },
    /// A safety limit was reached while reading; `limit` is the configured maximum.
    TooLarge { what: Limit, limit: u64 },
    /// The workbook has no sheet with any cells.
    EmptyWorkbook,
    /// The requested sheet does not exist.
    NoSuchSheet { sheet: String },
    /// No row of the sheet looks like a header (too few labelled columns).
    NoHeader { sheet: String },
    /// A caller-supplied mapping or option is invalid.
    BadOption { detail: String },
    /// Writing a workbook (export, template, sample) failed.
    Write { detail: String },
}

/// Which safety limit was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    FileBytes,
    DecompressedBytes,
    Cells,
    TextBytes,
    Columns,
}

impl Error {
    pub fn new(kind: ErrorKind) -> Self {
        Error(Box::new(kind))
    }

    pub fn corrupt(detail: impl Into<String>) -> Self {
        Error::new(ErrorKind::Corrupt {
            detail: detail.into(),
        })
    }

    pub fn unreadable(detail: impl Into<String>) -> Self {
        Error::new(ErrorKind::Unreadable {
            detail: detail.into(),
        })
    }

    pub fn too_large(what: Limit, limit: u64) -> Self {
        Error::new(ErrorKind::TooLarge { what, limit })
    }

    pub fn write(detail: impl std::fmt::Display) -> Self {
        Error::new(ErrorKind::Write {
            detail: detail.to_string(),
        })
    }

    pub fn bad_option(detail: impl Into<String>) -> Self {
        Error::new(ErrorKind::BadOption {
            detail: detail.into(),
        })
    }

    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// A short stable code for programs (`encrypted`, `too_large`, …).
    pub fn code(&self) -> &'static str {
        match *self.0 {
            ErrorKind::NotSpreadsheet => "not_spreadsheet",
            ErrorKind::Encrypted => "encrypted",
            ErrorKind::Corrupt { .. } => "corrupt",
            ErrorKind::Unreadable { .. } => "unreadable",
            ErrorKind::TooLarge { .. } => "too_large",
            ErrorKind::EmptyWorkbook => "empty_workbook",
            ErrorKind::NoSuchSheet { .. } => "no_such_sheet",
            ErrorKind::NoHeader { .. } => "no_header",
            ErrorKind::BadOption { .. } => "bad_option",
            ErrorKind::Write { .. } => "write",
        }
    }

    /// The message in Chinese.
    pub fn message_zh(&self) -> String {
        match &*self.0 {
            ErrorKind::NotSpreadsheet => {
                "无法识别的文件：不是 Excel（xlsx/xlsm/xlsb/xls）、ODS 或 CSV/TSV 表格。".into()
            }
            ErrorKind::Encrypted => {
                "文件已加密或设有打开密码：请在 Excel 中另存一份无密码的副本后再导入。".into()
            }
            ErrorKind::Corrupt { detail } => format!("文件已损坏或不完整，无法读取（{detail}）。"),
            ErrorKind::Unreadable { detail } => format!(
                "客析无法读取此文件（{detail}）：请在 Excel 中打开并另存为 .xlsx 后再导入。"
            ),
            ErrorKind::TooLarge { what, limit } => {
                format!("文件超出安全上限：{}超过 {limit}。", limit_zh(*what))
            }
            ErrorKind::EmptyWorkbook => "工作簿中没有任何数据。".into(),
            ErrorKind::NoSuchSheet { sheet } => format!("找不到工作表“{sheet}”。"),
            ErrorKind::NoHeader { sheet } => format!(
                "工作表“{sheet}”中找不到表头行：请确认第一行数据上方有列名（如 客户名称、销售额、订单日期）。"
            ),
            ErrorKind::BadOption { detail } => format!("参数无效：{detail}"),
            ErrorKind::Write { detail } => format!("无法生成工作簿：{detail}"),
        }
    }

    /// The message in English.
    pub fn message_en(&self) -> String {
        match &*self.0 {
            ErrorKind::NotSpreadsheet => {
                "Unrecognised file: not an Excel (xlsx/xlsm/xlsb/xls), ODS or CSV/TSV table.".into()
            }
            ErrorKind::Encrypted => {
                "The file is encrypted or password-protected: save an unprotected copy in Excel and import that.".into()
            }
            ErrorKind::Corrupt { detail } => {
                format!("The file is damaged or incomplete and cannot be read ({detail}).")
            }
            ErrorKind::Unreadable { detail } => format!(
                "The file cannot be read by kexi ({detail}): open it in Excel, save it as .xlsx and import that."
            ),
            ErrorKind::TooLarge { what, limit } => {
                format!("The file exceeds a safety limit: {} over {limit}.", limit_en(*what))
            }
            ErrorKind::EmptyWorkbook => "The workbook contains no data.".into(),
            ErrorKind::NoSuchSheet { sheet } => format!("No sheet named \"{sheet}\"."),
            ErrorKind::NoHeader { sheet } => format!(
                "No header row found in sheet \"{sheet}\": the data needs column names (e.g. customer name, amount, order date) above it."
            ),
            ErrorKind::BadOption { detail } => format!("Invalid option: {detail}"),
            ErrorKind::Write { detail } => format!("Could not write the workbook: {detail}"),
        }
    }
}

fn limit_zh(what: Limit) -> &'static str {
    match what {
        Limit::FileBytes => "文件大小（字节）",
        Limit::DecompressedBytes => "解压后大小（字节）",
        Limit::Cells => "单元格数量",
        Limit::TextBytes => "文本总量（字节）",
        Limit::Columns => "列数",
    }
}

fn limit_en(what: Limit) -> &'static str {
    match what {
        Limit::FileBytes => "file size (bytes)",
        Limit::DecompressedBytes => "decompressed size (bytes)",
        Limit::Cells => "cell count",
        Limit::TextBytes => "total text (bytes)",
        Limit::Columns => "column count",
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} / {}", self.message_zh(), self.message_en())
    }
}

impl std::error::Error for Error {}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Error", 4)?;
        st.serialize_field("code", self.code())?;
        st.serialize_field("detail", &*self.0)?;
        st.serialize_field("message_zh", &self.message_zh())?;
        st.serialize_field("message_en", &self.message_en())?;
        st.end()
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
