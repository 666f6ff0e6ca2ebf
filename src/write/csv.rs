//! CSV as the exports write it: a UTF-8 BOM (so Excel reads Chinese correctly), CRLF line ends
//! and formula injection neutralized. A text starting with `=`, `+`, `-`, `@`, tab or CR gets a
//! leading apostrophe (the OWASP rule), except a plain number such as `-12.5`, which no
//! spreadsheet runs and which a user expects to stay a number.

/// CSV with a UTF-8 BOM (so Excel reads Chinese correctly), CRLF line ends and formula
/// injection neutralized (see the module doc).
pub fn csv(header: &[String], rows: &[Vec<String>]) -> String {
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut write = |fields: &[String]| {
        let safe: Vec<String> = fields.iter().map(|s| neutralize(s)).collect();
        let _ = w.write_record(&safe);
    };
    write(header);
    for r in rows {
        write(r);
    }
    let bytes = w.into_inner().unwrap_or_default();
    format!("\u{feff}{}", String::from_utf8_lossy(&bytes))
}

/// Prefixes `'` to a field a spreadsheet would run as a formula.
pub fn neutralize(s: &str) -> String {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(s) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// `-12.5`, `+3`, `-1e5`: a number and nothing else.
fn is_plain_number(s: &str) -> bool {
    s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
        && s.parse::<f64>().is_ok_and(f64::is_finite)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_neutralizes_formulas_but_not_numbers() {
        for (input, out) in [
            ("=1+2", "'=1+2"),
            ("+cmd", "'+cmd"),
            ("-1+2", "'-1+2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-12.5", "-12.5"),
            ("+3", "+3"),
            ("华东", "华东"),
            ("a=b", "a=b"),
        ] {
            assert_eq!(neutralize(input), out, "{input:?}");
        }
        let text = csv(
            &["名称".into(), "金额".into()],
            &[vec!["=HYPERLINK(\"x\")".into(), "-5".into()]],
        );
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("\r\n"));
        let mut r = ::csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let rec = r
            .records()
            .next()
            .and_then(|x| x.ok())
            .map(|x| x.iter().map(str::to_string).collect::<Vec<_>>());
        assert_eq!(
            rec,
            Some(vec!["'=HYPERLINK(\"x\")".to_string(), "-5".to_string()])
        );
    }
}
