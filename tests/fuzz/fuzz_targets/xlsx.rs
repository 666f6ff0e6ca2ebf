//! The fast xlsx reader on any bytes (it must read, fall back or fail, never panic), read whole
//! and, where the file takes it, streamed: the largest worksheet inflated in pieces of a size the
//! input picks, scanned into cell streams and stored with its table built ahead, which must give
//! the same book (and table) as reading it whole.
#![no_main]
use kexi::{Book, Limits};

#[path = "../../support/streamed.rs"]
mod streamed;
use streamed::streamed;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_cells: 200_000,
        max_text_bytes: 16 << 20,
        max_decompressed_bytes: 64 << 20,
        ..Default::default()
    };
    let _ = kexi::internals::xlsx::read(data, &limits);
    let input = 1 + usize::from(data.first().copied().unwrap_or(0)) * 97;
    let output = 1 + usize::from(data.last().copied().unwrap_or(0)) * 131;
    // A streamed read that succeeds read every sheet through the fast path, as the whole read
    // then does too. (One that fails on a limit may meet it where the whole read has already
    // fallen back to calamine, so errors are not compared.)
    if let Some(Ok(streamed)) = streamed(data, &limits, input, output) {
        match Book::open(data, &limits) {
            Ok(whole) => assert_eq!(digest(&streamed), digest(&whole), "streamed and whole reads differ"),
            Err(e) => panic!("streamed read succeeded, whole read failed: {e}"),
        }
    }
});

/// Every sheet, cell and merge of a book, as text.
fn digest(book: &Book) -> String {
    let mut out = format!("{:?}{:?}", book.sheets, book.merges);
    for grid in book.grids.iter().flatten() {
        for c in 0..grid.n_cols() {
            for (r, v) in grid.column(c) {
                let text = match v {
                    kexi::internals::grid::Value::Text(i) | kexi::internals::grid::Value::Error(i) => grid.pool.get(i),
                    _ => "",
                };
                out.push_str(&format!("{r},{c}:{v:?}{text};"));
            }
        }
    }
    out
}
