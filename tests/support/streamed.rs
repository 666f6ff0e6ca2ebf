//! A file read as the page's two workers read it, in one thread: shared by the differential test
//! (tests/xlsx_diff.rs) and the xlsx fuzz target.

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
    let mut fed = Ok(true);
    let inflated = kexi::inflate::pieces(part, part.of(bytes)?, input, output, |piece| {
        fed = reading.feed(&piece);
        matches!(fed, Ok(true))
    });
    match fed {
        Ok(true) => {}
        Ok(false) => return None,
        Err(e) => return Some(Err(e)),
    }
    if !inflated.ok()? {
        return None;
    }
    reading.finish().transpose()
}
