//! Delimited text on any bytes: encoding detection, delimiter sniffing and the csv reader.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let limits = kexi::Limits {
        max_cells: 200_000,
        max_text_bytes: 16 << 20,
        ..Default::default()
    };
    let mut grid = kexi::internals::grid::Grid::new(limits);
    let _ = kexi::internals::text::read(data, &mut grid);
});
