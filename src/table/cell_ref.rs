//! Spreadsheet cell references as users read them: column letters and `Sheet!F57`. Quality
//! warnings, mapping columns and customers' first rows all name their cells this way.

/// The spreadsheet letter of a 0-based column index: 0 → "A", 25 → "Z", 26 → "AA".
pub fn column_letter(index: u32) -> String {
    let mut n = index as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push((b'A' + rem) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// `Sheet!F57` for zero-based `col` and `row`.
pub fn cell_ref(sheet: &str, col: u32, row: u32) -> String {
    format!("{sheet}!{}{}", column_letter(col), row + 1)
}
