//! A file read as the page's two workers read it, in one thread: shared by the differential test
//! (tests/xlsx_diff.rs) and the xlsx fuzz target.

use kexi::internals::mapping::Overrides;
use kexi::internals::table::{self, Ahead};
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
    let mut ahead = Ahead::new(&Overrides::default());
    let book = match kexi::internals::stream::interleaved(bytes, limits, input, output, &mut ahead)?
    {
        Ok(book) => book,
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
