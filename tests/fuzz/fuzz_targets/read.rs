//! The whole pipeline on any bytes, with small limits so that inputs stay cheap: a report or a
//! clear error, never a panic.
//!
//! calamine's panics are caught at kexi's boundary (`calamine::guarded`) and become `unreadable`
//! errors; libFuzzer's panic hook would abort on them before the boundary sees them, so this
//! target puts a silent hook back once. A panic in kexi's own code still escapes to libFuzzer as a crash.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let mut options = kexi::Options::default();
    options.limits.max_cells = 200_000;
    options.limits.max_text_bytes = 16 << 20;
    options.limits.max_decompressed_bytes = 64 << 20;
    let _ = kexi::analyze(data, &options);
});
