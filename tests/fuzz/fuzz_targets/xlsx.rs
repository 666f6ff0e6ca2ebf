//! The fast xlsx reader on any bytes (it must read, fall back or fail, never panic).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let limits = kexi::Limits {
        max_cells: 200_000,
        max_text_bytes: 16 << 20,
        max_decompressed_bytes: 64 << 20,
        ..Default::default()
    };
    let _ = kexi::xlsx::read(data, &limits);
});
