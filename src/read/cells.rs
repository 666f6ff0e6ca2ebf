//! A worksheet's cells as a stream of bytes: what one half of a read (scanning the XML, on the
//! second worker or thread) hands the other (storing the cells and building the table), so the
//! two halves run on two cores (`xlsx::Scanner` writes it, `xlsx::Streamed` reads it).
//!
//! Each record is a byte (the kind in the low nibble, where the cell is in the high one) and its
//! fields, little-endian. A cell right after the previous one in its row gives no position; one
//! elsewhere in the row gives its column; one in another row gives both. A stream begins with the
//! count of XML bytes scanned so far (for progress). Reading never trusts a stream: a record cut
//! short or of an unknown kind is an error, never a panic.

use crate::read::sheet::Merge;

/// A cell's value as the scanner read it; text borrows the stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Number(f64),
    Date(f64),
    /// An index into the workbook's shared strings.
    Shared(u32),
    Text(&'a str),
    Bool(bool),
    Error(&'static str),
}

/// One record of a stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Record<'a> {
    Cell {
        row: u32,
        col: u32,
        value: Value<'a>,
    },
    Merge(Merge),
}

/// The error values a cell may hold, by their code in a stream.
const ERRORS: [&str; 7] = [
    "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!",
];

const NUMBER: u8 = 1;
const DATE: u8 = 2;
const SHARED: u8 = 3;
const TEXT: u8 = 4;
const BOOL: u8 = 5;
const ERROR: u8 = 6;
const MERGE: u8 = 7;
/// Position nibble: the next column of the same row, a column of the same row, a row and column.
const NEXT: u8 = 0x00;
const COLUMN: u8 = 0x10;
const ROW: u8 = 0x20;

/// Writes records; [`Writer::take`] hands out what was written since the last take.
#[derive(Debug, Default)]
pub struct Writer {
    out: Vec<u8>,
    /// Where the last cell written was.
    at: Option<(u32, u32)>,
}

impl Writer {
    /// Appends a cell. An error value outside [`ERRORS`] is not a cell calamine reads either,
    /// and the scanner never gives one.
    pub fn cell(&mut self, row: u32, col: u32, value: Value<'_>) {
        let (kind, position) = match self.at {
            Some((r, c)) if r == row && c.checked_add(1) == Some(col) => (NEXT, None),
            Some((r, _)) if r == row => (COLUMN, None),
            _ => (ROW, Some(row)),
        };
        self.at = Some((row, col));
        // The record is put together here and appended once: a cell is a few bytes, and a
        // million-row sheet has ten million of them.
        let mut rec = [0u8; 21];
        let mut n = 1;
        let mut put = |bytes: &[u8]| {
            if let Some(slot) = rec.get_mut(n..n + bytes.len()) {
                slot.copy_from_slice(bytes);
            }
            n += bytes.len();
        };
        if let Some(row) = position {
            put(&row.to_le_bytes());
        }
        if kind != NEXT {
            put(&col.to_le_bytes());
        }
        // Text is within the text limit, far below 4 GiB.
        let text = match value {
            Value::Text(s) => s
                .as_bytes()
                .get(..u32::MAX as usize)
                .unwrap_or(s.as_bytes()),
            _ => &[],
        };
        let tag = match value {
            Value::Number(x) | Value::Date(x) => {
                put(&x.to_le_bytes());
                if matches!(value, Value::Date(_)) {
                    DATE
                } else {
                    NUMBER
                }
            }
            Value::Shared(i) => {
                put(&i.to_le_bytes());
                SHARED
            }
            Value::Bool(b) => {
                put(&[u8::from(b)]);
                BOOL
            }
            Value::Error(e) => {
                let code = ERRORS.iter().position(|&k| k == e).unwrap_or(0);
                put(&[code as u8]);
                ERROR
            }
            Value::Text(_) => {
                put(&(text.len() as u32).to_le_bytes());
                TEXT
            }
        };
        rec[0] = tag | kind;
        // The whole record is copied, then cut to its length: a copy of a known size compiles to
        // a few loads and stores, one of a varying size to a `memory.copy`, which V8 runs as a
        // call (in a Node micro-benchmark of 11M records, the calls took about as long as the
        // rest of the function).
        let len = self.out.len();
        self.out.extend_from_slice(&rec);
        self.out.truncate(len + n);
        if !text.is_empty() {
            self.out.extend_from_slice(text);
        }
    }

    pub fn merge(&mut self, (r0, c0, r1, c1): Merge) {
        self.out.push(MERGE);
        for x in [r0, c0, r1, c1] {
            self.out.extend_from_slice(&x.to_le_bytes());
        }
    }

    /// What was written since the last take, as a stream that says `scanned` XML bytes are read.
    pub fn take(&mut self, scanned: u64) -> Vec<u8> {
        let mut chunk = Vec::with_capacity(8 + self.out.len());
        chunk.extend_from_slice(&scanned.to_le_bytes());
        chunk.append(&mut self.out);
        chunk
    }
}

/// Reads one stream's records. The position of a cell that gives none follows the cell before
/// it, in this stream or (`at`) in the stream before.
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    at: Option<(u32, u32)>,
    /// XML bytes scanned when the stream was taken.
    pub scanned: u64,
}

/// A stream cut short or holding an unknown record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

impl<'a> Reader<'a> {
    /// `at`: where the last cell of the previous stream was.
    pub fn new(data: &'a [u8], at: Option<(u32, u32)>) -> Result<Self, Malformed> {
        let head = data.get(..8).ok_or(Malformed)?;
        let mut word = [0u8; 8];
        word.copy_from_slice(head);
        Ok(Reader {
            data,
            pos: 8,
            at,
            scanned: u64::from_le_bytes(word),
        })
    }

    /// Where the last cell read was.
    pub fn at(&self) -> Option<(u32, u32)> {
        self.at
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        let end = self.pos.checked_add(n).ok_or(Malformed)?;
        let b = self.data.get(self.pos..end).ok_or(Malformed)?;
        self.pos = end;
        Ok(b)
    }

    fn u32(&mut self) -> Result<u32, Malformed> {
        let mut w = [0u8; 4];
        w.copy_from_slice(self.bytes(4)?);
        Ok(u32::from_le_bytes(w))
    }

    fn f64(&mut self) -> Result<f64, Malformed> {
        let mut w = [0u8; 8];
        w.copy_from_slice(self.bytes(8)?);
        Ok(f64::from_le_bytes(w))
    }

    /// The next record, `None` at the stream's end.
    pub fn next_record(&mut self) -> Result<Option<Record<'a>>, Malformed> {
        let Some(&byte) = self.data.get(self.pos) else {
            return Ok(None);
        };
        self.pos += 1;
        let (tag, kind) = (byte & 0x0F, byte & 0xF0);
        if tag == MERGE {
            let (r0, c0, r1, c1) = (self.u32()?, self.u32()?, self.u32()?, self.u32()?);
            return Ok(Some(Record::Merge((r0, c0, r1, c1))));
        }
        let (row, col) = match (kind, self.at) {
            (NEXT, Some((r, c))) => (r, c.checked_add(1).ok_or(Malformed)?),
            (COLUMN, Some((r, _))) => (r, self.u32()?),
            (ROW, _) => (self.u32()?, self.u32()?),
            _ => return Err(Malformed),
        };
        self.at = Some((row, col));
        let value = match tag {
            NUMBER => Value::Number(self.f64()?),
            DATE => Value::Date(self.f64()?),
            SHARED => Value::Shared(self.u32()?),
            TEXT => {
                let len = self.u32()? as usize;
                let raw = self.bytes(len)?;
                Value::Text(std::str::from_utf8(raw).map_err(|_| Malformed)?)
            }
            BOOL => Value::Bool(self.bytes(1)?.first() == Some(&1)),
            ERROR => {
                let code = self.bytes(1)?.first().copied().unwrap_or(u8::MAX);
                Value::Error(ERRORS.get(usize::from(code)).copied().ok_or(Malformed)?)
            }
            _ => return Err(Malformed),
        };
        Ok(Some(Record::Cell { row, col, value }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn value(kind: u8, k: u32) -> Value<'static> {
        match kind % 6 {
            0 => Value::Number(f64::from(k) * 0.25 - 3.0),
            1 => Value::Date(45_000.5 + f64::from(k)),
            2 => Value::Shared(k),
            3 => Value::Text(["", "甲公司", "a\u{0}b", "长文本长文本"][k as usize % 4]),
            4 => Value::Bool(k % 2 == 1),
            _ => Value::Error(ERRORS[k as usize % ERRORS.len()]),
        }
    }

    proptest! {
        /// Whatever the cells, their order and where the streams are cut between records, reading
        /// gives back what was written.
        #[test]
        fn streams_read_back_what_was_written(
            cells in proptest::collection::vec((0u32..4, 0u32..6, 0u8..6, 0u32..1000, any::<bool>()), 0..200),
        ) {
            let mut w = Writer::default();
            let mut written = Vec::new();
            let mut chunks = Vec::new();
            let mut row = 0u32;
            for (n, &(dr, col, kind, k, cut)) in cells.iter().enumerate() {
                row = row.wrapping_add(dr).wrapping_sub(u32::from(dr == 3) * 2);
                let record = if kind == 5 && k % 7 == 0 {
                    let m = (row, col, row + 1, col + k % 3);
                    w.merge(m);
                    Record::Merge(m)
                } else {
                    let v = value(kind, k);
                    w.cell(row, col, v);
                    Record::Cell { row, col, value: v }
                };
                written.push(record);
                if cut {
                    chunks.push(w.take(n as u64));
                }
            }
            chunks.push(w.take(u64::MAX));
            let mut read = Vec::new();
            let mut at = None;
            for chunk in &chunks {
                let mut r = Reader::new(chunk, at).unwrap();
                while let Some(record) = r.next_record().unwrap() {
                    read.push(record);
                }
                at = r.at();
            }
            prop_assert_eq!(format!("{read:?}"), format!("{written:?}"));
        }

        /// A damaged stream is an error or fewer records, never a panic.
        #[test]
        fn damaged_streams_do_not_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(mut r) = Reader::new(&bytes, None) {
                for _ in 0..64 {
                    match r.next_record() {
                        Ok(Some(_)) => {}
                        _ => break,
                    }
                }
            }
        }
    }

    #[test]
    fn a_cell_next_to_the_last_costs_its_kind_and_value() {
        let mut w = Writer::default();
        w.cell(7, 0, Value::Shared(1));
        w.cell(7, 1, Value::Shared(2));
        w.cell(7, 3, Value::Bool(true));
        let chunk = w.take(0);
        assert_eq!(chunk.len(), 8 + (1 + 8 + 4) + (1 + 4) + (1 + 4 + 1));
    }
}
