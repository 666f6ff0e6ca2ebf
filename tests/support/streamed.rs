//! A file read as the page's two workers read it, in one thread: shared by the differential test
//! (tests/xlsx_diff.rs) and the xlsx fuzz target.

use kexi::inflate::Inflater;
use kexi::{Book, Limits};

/// The largest worksheet's compressed bytes inflated by `Inflater`, `input` bytes in and at most
/// `output` out at a time, and fed to `Book::stream`'s reader as they come. `None` where the page
/// reads the file whole instead (the stream declined the file, or inflating failed).
pub fn streamed(
    bytes: &[u8],
    limits: &Limits,
    input: usize,
    output: usize,
) -> Option<kexi::Result<Book>> {
    let mut reading = match Book::stream(bytes, limits) {
        Ok(Some(r)) => r,
        Ok(None) => return None,
        Err(e) => return Some(Err(e)),
    };
    let part = reading.part();
    let end = part.offset.checked_add(part.compressed)?;
    let raw = bytes.get(usize::try_from(part.offset).ok()?..usize::try_from(end).ok()?)?;
    let mut inflater = Inflater::new(part);
    for piece in raw.chunks(input.max(1)) {
        inflater.input(piece);
        while let Some(out) = inflater.next(output).ok()? {
            match reading.feed(&out) {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => return Some(Err(e)),
            }
        }
    }
    inflater.finish().ok()?;
    reading.finish().transpose()
}
