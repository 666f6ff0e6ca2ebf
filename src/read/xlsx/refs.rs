//! Cell references: `B12`, a bare row number, `A1:C2`, as calamine reads them.

use crate::read::sheet::Merge;

/// `B12` → (row 11, Some(col 1)); a bare row number `12` → (11, None); as calamine reads them.
/// Every cell has one, so a reference of up to 13 bytes, which cannot overflow a `u64`, is read
/// in one pass without checking each step.
pub(super) fn parse_ref(r: &[u8]) -> Option<(u32, Option<u32>)> {
    if r.len() > 13 {
        return parse_long_ref(r);
    }
    let mut i = 0;
    let mut col = 0u64;
    while let Some(&c) = r.get(i) {
        // A letter of either case gives 0..26; anything else does not.
        let d = (c | 0x20).wrapping_sub(b'a');
        if d >= 26 {
            break;
        }
        col = col * 26 + u64::from(d) + 1;
        i += 1;
    }
    let letters = i;
    let mut row = 0u64;
    while let Some(&c) = r.get(i) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        row = row * 10 + u64::from(d);
        i += 1;
    }
    if i == letters {
        return None;
    }
    let row = u32::try_from(row).ok()?.checked_sub(1)?;
    Some((row, u32::try_from(col).ok()?.checked_sub(1)))
}

/// [`parse_ref`] for any length: letter by letter, every step checked.
fn parse_long_ref(r: &[u8]) -> Option<(u32, Option<u32>)> {
    let mut col: u32 = 0;
    let mut i = 0;
    while let Some(&c) = r.get(i) {
        let d = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a',
            b'0'..=b'9' => break,
            _ => return None,
        };
        col = col.checked_mul(26)?.checked_add(u32::from(d) + 1)?;
        i += 1;
    }
    let digits = r.get(i..)?;
    if digits.is_empty() {
        return None;
    }
    let mut row: u32 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        row = row.checked_mul(10)?.checked_add(u32::from(c - b'0'))?;
    }
    Some((row.checked_sub(1)?, col.checked_sub(1)))
}

/// `A1:C2` → (0, 0, 1, 2); a single cell merges with itself.
pub(super) fn parse_range(r: &[u8]) -> Option<Merge> {
    let mut parts = r.split(|&b| b == b':');
    let (r0, c0) = parse_ref(parts.next()?)?;
    let (r1, c1) = match parts.next() {
        Some(p) => parse_ref(p)?,
        None => (r0, c0),
    };
    if parts.next().is_some() {
        return None;
    }
    Some((r0, c0?, r1, c1?))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Short references, read without checking each step, read as every step checked does,
        /// overflow included.
        #[test]
        fn references_read_as_checked(r in "[A-Za-z]{0,8}[0-9]{0,12}|[A-Z0-9$:. @`\\[{-]{0,10}|[Zz]{5,8}[9]{8,11}|[Zz]{7}[0-9]{1,6}|[A-Za-z]{0,2}[@`\\[{][0-9]{1,3}|[A-Za-z]{0,3}[0-9:/]{1,4}|[A-Za-z]{12,16}[0-9]{0,4}") {
            proptest::prop_assert_eq!(parse_ref(r.as_bytes()), parse_long_ref(r.as_bytes()));
        }

        /// Any bytes, non-ASCII and the 13/14-byte boundary included.
        #[test]
        fn any_bytes_read_as_checked(r in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..16)) {
            proptest::prop_assert_eq!(parse_ref(&r), parse_long_ref(&r));
        }
    }

    /// The last cell of the largest sheet, and row 0, which there is none of.
    #[test]
    fn references_like_calamine() {
        assert_eq!(parse_ref(b"XFD1048576"), Some((1_048_575, Some(16_383))));
        assert_eq!(parse_ref(b"A0"), None);
    }
}
