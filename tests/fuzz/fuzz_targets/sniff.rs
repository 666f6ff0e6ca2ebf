//! The format sniffer on any bytes: a format or an error, never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = kexi::internals::sniff::sniff(data);
});
