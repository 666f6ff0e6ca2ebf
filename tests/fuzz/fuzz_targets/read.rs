//! The whole pipeline on any bytes, with small limits so that inputs stay cheap: a report or a
//! clear error, never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut options = kexi::Options::default();
    options.limits.max_cells = 200_000;
    options.limits.max_text_bytes = 16 << 20;
    options.limits.max_decompressed_bytes = 64 << 20;
    let _ = kexi::analyze(data, &options);
});
