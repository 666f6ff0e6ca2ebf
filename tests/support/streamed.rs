//! A file read as the page's two workers read it, in one thread: shared by the differential test
//! (tests/xlsx_diff.rs) and the xlsx fuzz target.

use kexi::internals::grid::RowSink;
use kexi::internals::mapping::Overrides;
use kexi::internals::table::{self, Ahead};
use kexi::internals::xlsx::Scanner;
use kexi::{Book, Limits};

/// The largest worksheet's compressed bytes inflated by `Inflater`, `input` bytes in and at most
/// `output` out at a time, scanned by a `Scanner` into cell streams as they come, and the streams
/// fed to `Book::stream`'s reader (once it has loaded the rest of the file), which builds the
/// table ahead. `None` where the page reads the
/// file whole instead (the stream declined the file, or inflating or scanning gave up).
///
/// Asserts that the table built ahead, when there is one, is the table built after.
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
    let mut scanner = Scanner::new(reading.spec());
    match reading.load(bytes) {
        Ok(true) => {}
        Ok(false) => return None,
        Err(e) => return Some(Err(e)),
    }
    let mut ahead = Ahead::new(&Overrides::default());
    ahead.begin(reading.sheet());
    let mut fed = Ok(true);
    let inflated =
        kexi::internals::inflate::pieces(part, part.of(bytes)?, input, output, |piece| {
            fed = scanner.feed(&piece);
            if matches!(fed, Ok(true)) {
                fed = reading.feed(&scanner.take(), &mut ahead);
            }
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
    match scanner.finish() {
        Ok(true) => {}
        Ok(false) => return None,
        Err(e) => return Some(Err(e)),
    }
    match reading.feed(&scanner.take(), &mut ahead) {
        Ok(true) => {}
        Ok(false) => return None,
        Err(e) => return Some(Err(e)),
    }
    let book = match reading.finish(&mut ahead) {
        Ok(Some(book)) => book,
        Ok(None) => return None,
        Err(e) => return Some(Err(e)),
    };
    let name = ahead.sheet().to_string();
    if let Some(i) = book.sheet_index(&name) {
        if let (Some(Some(grid)), Some(merges)) = (book.grids.get(i), book.merges.get(i)) {
            if let Some(t) = ahead.finish(grid, merges, &Overrides::default()) {
                let after = table::build(&name, grid, merges, &Overrides::default()).ok();
                assert_eq!(
                    format!("{:?}", Some(t)),
                    format!("{after:?}"),
                    "the table built ahead of {name}"
                );
            }
        }
    }
    Some(Ok(book))
}
