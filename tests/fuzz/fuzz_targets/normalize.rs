//! The value normalizer on any text: numbers, dates and labels never panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = kexi::internals::normalize::parse_number(s);
        let _ = kexi::internals::normalize::parse_date_text(s);
        let _ = kexi::internals::normalize::clean_label(s);
        if let Ok(x) = s.trim().parse::<f64>() {
            let _ = kexi::internals::normalize::excel_serial_to_datetime(x);
        }
    }
});
