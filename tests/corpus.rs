use kexi::{analyze, Options};
use std::path::Path;
use std::time::{Duration, Instant};

/// The codes a real file may end in besides a table.
const CLEAR: &[&str] = &[
    "not_spreadsheet",
    "encrypted",
    "corrupt",
    "unreadable",
    "too_large",
    "empty_workbook",
    "no_header",
];

#[test]
fn every_corpus_workbook_reads_or_fails_clearly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/sheetjs");
    if !dir.is_dir() {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    }
    let mut paths = Vec::new();
    walk(&dir, &mut paths);
    paths.sort();
    let mut outcomes: std::collections::BTreeMap<String, u32> = Default::default();
    let mut slowest = (Duration::ZERO, String::new());
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        let started = Instant::now();
        let outcome = match analyze(&bytes, &Options::default()) {
            Ok(_) => "table".to_string(),
            Err(e) => {
                assert!(
                    CLEAR.contains(&e.code()),
                    "{}: unexpected error {e}",
                    path.display()
                );
                e.code().to_string()
            }
        };
        let took = started.elapsed();
        if took > slowest.0 {
            slowest = (took, path.display().to_string());
        }
        *outcomes.entry(outcome).or_default() += 1;
    }
    eprintln!(
        "corpus outcomes: {outcomes:?}; slowest {:?} {}",
        slowest.0, slowest.1
    );
    assert!(
        slowest.0 < Duration::from_secs(20),
        "no file may take long: {slowest:?}"
    );
    assert!(
        outcomes.get("table").copied().unwrap_or(0) > 100,
        "{outcomes:?}"
    );
}

/// Every file below `dir`: the format is read from the bytes, whatever the name says.
fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}
