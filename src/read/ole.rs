//! A structural check of an OLE compound file (legacy xls) before calamine reads it.
//!
//! calamine follows sector chains until they end: a FAT whose chain loops grows a buffer until
//! memory runs out, a sector id past the FAT indexes out of bounds, and a 64-bit stream size is
//! unwrapped into a 32-bit `usize` on wasm. This walks the chains calamine will walk (the
//! directory, the mini FAT, the mini stream and the workbook stream), in the same way, with every
//! id range-checked and every chain bounded by the number of sectors, and turns a problem into a
//! `corrupt` error. calamine also makes each sheet a dense grid from its first to its last cell,
//! so the cell records' positions are scanned and a span past the limit is `too_large`. It reads
//! nothing calamine would not, allocates only what is bounded by the file's size, and accepts
//! every well-formed file.

use crate::error::{Error, Result};

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
/// Ids at or above this are markers (free, end of chain, FAT or DIFAT sector), not sectors.
const RESERVED: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;
/// Streams shorter than this live in the mini stream.
const MINI_CUTOFF: u64 = 4096;

fn corrupt(what: &str) -> Error {
    Error::corrupt(format!("xls: {what}"))
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The sectors of a file, as calamine numbers them: sector `id` starts at `(id + 1) * size`.
struct Sectors<'a> {
    bytes: &'a [u8],
    size: usize,
}

impl Sectors<'_> {
    fn get(&self, id: u32) -> &[u8] {
        let start = (id as usize).saturating_add(1).saturating_mul(self.size);
        let end = start.saturating_add(self.size).min(self.bytes.len());
        self.bytes.get(start..end).unwrap_or(&[])
    }
}

/// Follows a chain from `start` through `table` until ENDOFCHAIN or until `len` bytes of
/// `unit`-byte sectors are collected; returns the sector ids. Fails on an id past the table, or a
/// chain longer than the table (a loop).
fn chain(start: u32, table: &[u32], unit: usize, len: u64, what: &str) -> Result<Vec<u32>> {
    let mut ids = Vec::new();
    let mut id = start;
    let mut collected: u64 = 0;
    while id != ENDOFCHAIN {
        if ids.len() > table.len() {
            return Err(corrupt(&format!("the {what} chain loops")));
        }
        ids.push(id);
        collected = collected.saturating_add(unit as u64);
        if collected >= len {
            break;
        }
        id = *table.get(id as usize).ok_or_else(|| {
            corrupt(&format!(
                "the {what} chain points past the allocation table"
            ))
        })?;
    }
    Ok(ids)
}

/// Checks `bytes`, an OLE compound file, for what would make calamine loop, panic or allocate
/// without bound.
pub fn check(bytes: &[u8], max_area: u64) -> Result<()> {
    let header = bytes
        .get(..512)
        .ok_or_else(|| corrupt("header truncated"))?;
    let size = match u16_at(header, 30) {
        Some(9) => 512,
        Some(12) => 4096,
        _ => return Ok(()), // calamine refuses it cleanly
    };
    let sectors = Sectors { bytes, size };
    let maxid = (bytes.len() / size) as u32;
    let dir_start = u32_at(header, 48).unwrap_or(ENDOFCHAIN);
    let mini_fat_start = u32_at(header, 60).unwrap_or(ENDOFCHAIN);
    let mini_fat_len = u32_at(header, 64).unwrap_or(0) as u64;
    let mut difat_sector = u32_at(header, 68).unwrap_or(ENDOFCHAIN);

    // The DIFAT: 109 entries in the header, then a chain of DIFAT sectors (calamine bounds it).
    let mut difat: Vec<u32> = (76..512)
        .step_by(4)
        .filter_map(|at| u32_at(header, at))
        .collect();
    let mut hops = 0u32;
    while difat_sector < RESERVED {
        hops += 1;
        if hops > maxid.saturating_add(1) {
            return Err(corrupt("the DIFAT chain loops"));
        }
        let s = sectors.get(difat_sector);
        difat.extend(s.chunks_exact(4).filter_map(|c| u32_at(c, 0)));
        difat_sector = difat.pop().unwrap_or(ENDOFCHAIN);
    }
    // The FAT, from every DIFAT entry that names a sector.
    let mut fat: Vec<u32> = Vec::new();
    for id in difat.into_iter().filter(|&id| id < DIFSECT) {
        if id > maxid {
            return Ok(()); // calamine reports the sector past the end
        }
        fat.extend(sectors.get(id).chunks_exact(4).filter_map(|c| u32_at(c, 0)));
        if fat.len() > bytes.len() {
            return Err(corrupt("the allocation table is larger than the file"));
        }
    }

    // The directory: 128-byte entries along its chain.
    let mut dir = Vec::new();
    for id in chain(dir_start, &fat, size, u64::MAX, "directory")? {
        if id > maxid {
            return Ok(());
        }
        dir.extend_from_slice(sectors.get(id));
    }
    let entries: Vec<(String, u32, u64)> = dir
        .chunks_exact(128)
        .map(|e| {
            let name_len = (u16_at(e, 64).unwrap_or(0) as usize).min(64);
            let units: Vec<u16> = e
                .get(..name_len)
                .unwrap_or(&[])
                .chunks_exact(2)
                .filter_map(|c| u16_at(c, 0))
                .take_while(|&u| u != 0)
                .collect();
            let name = String::from_utf16_lossy(&units);
            let start = u32_at(e, 116).unwrap_or(ENDOFCHAIN);
            let len = if size == 512 {
                u32_at(e, 120).unwrap_or(0) as u64
            } else {
                u64_at(e, 120).unwrap_or(0)
            };
            (name, start, len)
        })
        .collect();
    for (_, _, len) in &entries {
        if *len > u32::MAX as u64 {
            return Err(corrupt("a stream is larger than 4 GiB"));
        }
    }
    let Some((_, root_start, root_len)) = entries.first().cloned() else {
        return Ok(());
    };

    // The mini stream and the mini FAT, read whole when the header says there is a mini FAT.
    let mut mini_fat: Vec<u32> = Vec::new();
    let mut mini_stream: Vec<u8> = Vec::new();
    if mini_fat_len > 0 {
        for id in chain(root_start, &fat, size, root_len, "mini stream")? {
            mini_stream.extend_from_slice(sectors.get(id));
        }
        for id in chain(
            mini_fat_start,
            &fat,
            size,
            mini_fat_len.saturating_mul(size as u64),
            "mini FAT",
        )? {
            if id > maxid {
                return Ok(());
            }
            mini_fat.extend(sectors.get(id).chunks_exact(4).filter_map(|c| u32_at(c, 0)));
        }
    }

    // The workbook stream itself, and the cells it places.
    for (name, start, len) in &entries {
        if name.eq_ignore_ascii_case("Workbook") || name.eq_ignore_ascii_case("Book") {
            let mut stream = Vec::new();
            if *len < MINI_CUTOFF {
                for id in chain(*start, &mini_fat, 64, *len, "workbook stream")? {
                    let at = (id as usize).saturating_mul(64);
                    let end = at.saturating_add(64).min(mini_stream.len());
                    stream.extend_from_slice(mini_stream.get(at..end).unwrap_or(&[]));
                }
            } else {
                for id in chain(*start, &fat, size, *len, "workbook stream")? {
                    stream.extend_from_slice(sectors.get(id));
                }
            }
            stream.truncate(usize::try_from(*len).unwrap_or(usize::MAX));
            check_cell_area(&stream, max_area)?;
        }
    }
    Ok(())
}

/// calamine reserves room for each sheet's DIMENSIONS (rows × columns) and turns its cells into a
/// dense grid spanning its first to its last cell, so a large declared size or two cells far apart
/// (a mutated record can name column 65535) would make it allocate without bound. Refuses a sheet
/// whose declared or actual span is larger than `max_area` cells. calamine reads each sheet from
/// the offset its BOUNDSHEET record gives, which a damaged file can point into the middle of a
/// record, so the records are walked from each of those offsets too, as calamine will.
fn check_cell_area(stream: &[u8], max_area: u64) -> Result<()> {
    let mut sheets = Vec::new();
    check_records(stream, max_area, Some(&mut sheets))?;
    crate::sort::by(&mut sheets, |a, b| a.cmp(b));
    sheets.dedup();
    // Each walk may cross the rest of the stream: bounded in number, the check stays linear.
    if sheets.len() > MAX_SHEETS {
        return Err(corrupt("more than 4,096 sheets"));
    }
    for at in sheets {
        if let Some(sheet) = stream.get(at..) {
            check_records(sheet, max_area, None)?;
        }
    }
    Ok(())
}

/// Sheets of an xls checked, a bound far above any real workbook's.
const MAX_SHEETS: usize = 4096;

/// The area check over the records of `stream` from its start. With `sheets`, the whole stream
/// from the globals on, collecting the sheets' offsets (BOUNDSHEET's first four bytes, before the
/// globals' EOF, as calamine takes them); without, one sheet, up to its EOF (a nested chart's own
/// BOF and EOF skipped), where calamine stops reading it.
fn check_records(stream: &[u8], max_area: u64, mut sheets: Option<&mut Vec<usize>>) -> Result<()> {
    let mut depth = 0usize;
    let mut globals_done = false;
    // (min row, max row, min col, max col) of the current substream.
    let mut span: Option<(u32, u32, u32, u32)> = None;
    let mut at = 0usize;
    let area = |s: Option<(u32, u32, u32, u32)>| {
        s.map_or(0, |(r0, r1, c0, c1)| {
            u64::from(r1 - r0 + 1).saturating_mul(u64::from(c1 - c0 + 1))
        })
    };
    while let (Some(typ), Some(len)) = (u16_at(stream, at), u16_at(stream, at + 2)) {
        let mut body =
            std::borrow::Cow::Borrowed(stream.get(at + 4..at + 4 + len as usize).unwrap_or(&[]));
        at += 4 + len as usize;
        // CONTINUE records (0x003C) right after a record are its data, as calamine reads them: a
        // short DIMENSIONS continued to 14 bytes is the one calamine reserves for.
        while stream.len().saturating_sub(at) > 4 && u16_at(stream, at) == Some(0x003C) {
            let more = u16_at(stream, at + 2).unwrap_or(0) as usize;
            let Some(data) = stream.get(at + 4..at + 4 + more) else {
                break;
            };
            body.to_mut().extend_from_slice(data);
            at += 4 + more;
        }
        let body = body.as_ref();
        let (row, first, last) = match typ {
            // BOUNDSHEET: where a sheet's records start.
            0x0085 => {
                if let (Some(list), Some(at), false) =
                    (sheets.as_mut(), u32_at(body, 0), globals_done)
                {
                    list.push(at as usize);
                }
                continue;
            }
            // BOF: a new substream (sheet) starts.
            0x0809 => {
                span = None;
                depth += 1;
                continue;
            }
            // EOF: the globals end (no more sheets listed), or, on a sheet's walk, the sheet.
            0x000A => {
                if sheets.is_some() {
                    globals_done = true;
                } else if depth <= 1 {
                    return Ok(());
                } else {
                    depth -= 1;
                }
                continue;
            }
            // FILEPASS: the rest is encrypted; calamine reports that itself.
            0x002F => return Ok(()),
            // DIMENSIONS: calamine reserves rows × columns cells from it, as it reads them.
            0x0200 => {
                let dims = match body.len() {
                    10 => (0..4).map(|i| u16_at(body, 2 * i).map(u32::from)).collect(),
                    14 | 16 => vec![
                        u32_at(body, 0),
                        u32_at(body, 4),
                        u16_at(body, 8).map(u32::from),
                        u16_at(body, 10).map(u32::from),
                    ],
                    _ => continue,
                };
                let &[Some(rf), Some(rl), Some(cf), Some(cl)] = dims.as_slice() else {
                    continue;
                };
                let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                let (rows, cols) = if rl >= 1 && cl >= 1 {
                    (
                        i64::from(rl) - 1 - i64::from(rf) + 1,
                        i64::from(cl) - 1 - i64::from(cf) + 1,
                    )
                } else {
                    (1, 1)
                };
                if rows <= 0 {
                    return Err(corrupt("a sheet's dimensions end before they start"));
                }
                if (rows as u64).saturating_mul(cols.max(0) as u64) > max_area {
                    return Err(Error::too_large(crate::error::Limit::Cells, max_area));
                }
                continue;
            }
            // FORMULA, LABELSST, NUMBER, RK, BLANK, BOOLERR, LABEL, RSTRING: row, col.
            0x0006 | 0x00FD | 0x0203 | 0x027E | 0x0201 | 0x0205 | 0x0204 | 0x00D6 => {
                match (u16_at(body, 0), u16_at(body, 2)) {
                    (Some(r), Some(c)) => (r, c, c),
                    _ => continue,
                }
            }
            // MULRK, MULBLANK: row, first col, …, last col in the last two bytes.
            0x00BD | 0x00BE => {
                let last = body.len().checked_sub(2).and_then(|i| u16_at(body, i));
                match (u16_at(body, 0), u16_at(body, 2), last) {
                    (Some(r), Some(c0), Some(c1)) => (r, c0, c1),
                    _ => continue,
                }
            }
            _ => continue,
        };
        let (row, lo, hi) = (
            u32::from(row),
            u32::from(first.min(last)),
            u32::from(first.max(last)),
        );
        span = Some(match span {
            None => (row, row, lo, hi),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(lo), c1.max(hi)),
        });
        if area(span) > max_area {
            return Err(Error::too_large(crate::error::Limit::Cells, max_area));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sheet offsets are walked one by one, so their number is bounded: 5,000 BOUNDSHEET records
    /// are refused, 3 read on to the sheet each names.
    #[test]
    fn sheet_offsets_are_bounded_in_number() {
        let record = |typ: u16, body: &[u8]| {
            let mut r = typ.to_le_bytes().to_vec();
            r.extend_from_slice(&(body.len() as u16).to_le_bytes());
            r.extend_from_slice(body);
            r
        };
        let stream = |n: u32| -> Vec<u8> {
            (0..n)
                .flat_map(|i| record(0x0085, &[&(i * 12).to_le_bytes()[..], &[0; 4]].concat()))
                .chain(record(0x000A, &[]))
                .collect()
        };
        assert!(check_cell_area(&stream(5_000), 1 << 20).is_err());
        assert!(check_cell_area(&stream(3), 1 << 20).is_ok());
    }

    #[test]
    fn chains_that_loop_or_leave_the_table_are_refused() {
        // 0 → 1 → 2 → end.
        let table = [1, 2, ENDOFCHAIN];
        assert_eq!(
            chain(0, &table, 512, u64::MAX, "t").ok(),
            Some(vec![0, 1, 2])
        );
        // 0 → 1 → 0 …
        assert!(chain(0, &[1, 0], 512, u64::MAX, "t").is_err());
        // A loop is harmless when the wanted length ends the walk first (calamine stops there too).
        assert_eq!(chain(0, &[0], 512, 512, "t").ok(), Some(vec![0]));
        // 0 → 7, past the table.
        assert!(chain(0, &[7], 512, u64::MAX, "t").is_err());
        assert_eq!(
            chain(ENDOFCHAIN, &[], 512, u64::MAX, "t").ok(),
            Some(vec![])
        );
    }

    #[test]
    fn short_or_foreign_headers_are_left_to_calamine() {
        assert!(check(&[0xD0, 0xCF], 1000).is_err());
        assert!(check(&[0u8; 512], 1000).is_ok());
    }

    #[test]
    fn cells_far_apart_exceed_the_area() {
        let rec = |typ: u16, body: &[u8]| {
            let mut v = typ.to_le_bytes().to_vec();
            v.extend((body.len() as u16).to_le_bytes());
            v.extend(body);
            v
        };
        let number = |r: u16, c: u16| {
            let mut b = r.to_le_bytes().to_vec();
            b.extend(c.to_le_bytes());
            b.extend([0u8; 10]);
            rec(0x0203, &b)
        };
        let mut s = rec(0x0809, &[0; 16]);
        s.extend(number(0, 0));
        s.extend(number(99, 9));
        assert!(check_cell_area(&s, 1000).is_ok(), "100 × 10");
        s.extend(number(0, 65535));
        assert!(check_cell_area(&s, 1000).is_err());
        // A new sheet starts a new span.
        let mut t = s[..s.len() - 18].to_vec();
        t.extend(rec(0x0809, &[0; 16]));
        t.extend(number(5, 5));
        assert!(check_cell_area(&t, 1000).is_ok());
        // MULBLANK: row 0, cols 0..=300.
        let mut m = rec(0x0809, &[0; 16]);
        let mut b = 0u16.to_le_bytes().to_vec();
        b.extend(0u16.to_le_bytes());
        b.extend([0u8; 6]);
        b.extend(300u16.to_le_bytes());
        m.extend(rec(0x00BE, &b));
        assert!(check_cell_area(&m, 1000).is_ok());
        assert!(check_cell_area(&m, 200).is_err());
        // DIMENSIONS (BIFF8): rows 0..1,000,000 × cols 0..200 declared.
        let dims = |rf: u32, rl: u32, cf: u16, cl: u16| {
            let mut b = rf.to_le_bytes().to_vec();
            b.extend(rl.to_le_bytes());
            b.extend(cf.to_le_bytes());
            b.extend(cl.to_le_bytes());
            b.extend([0u8; 2]);
            let mut s = rec(0x0809, &[0; 16]);
            s.extend(rec(0x0200, &b));
            s
        };
        assert!(check_cell_area(&dims(0, 100, 0, 10), 1000).is_ok());
        assert!(check_cell_area(&dims(0, 1_000_000, 0, 200), 1000).is_err());
        // Last row before the first: calamine's subtraction would wrap.
        assert!(check_cell_area(&dims(50, 10, 0, 10), 1000).is_err());
    }
}
