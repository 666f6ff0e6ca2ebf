//! The `kexi` command as a shell user meets it.

use std::io::Read;
use std::process::{Command, Stdio};

fn kexi() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kexi"))
}

/// `kexi analyze FILE --json | head` closes the pipe before the report is all printed: the
/// command stops printing quietly (no panic, success) and still writes the files asked for.
#[test]
fn output_cut_short_by_its_reader_is_not_a_panic() {
    let dir = std::env::temp_dir().join(format!("kexi-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("sample.xlsx");
    let csv = dir.join("customers.csv");
    let made = kexi()
        .args(["sample", "--rows", "3000", "-o"])
        .arg(&file)
        .status()
        .unwrap();
    assert!(made.success());
    let mut child = kexi()
        .arg("analyze")
        .arg(&file)
        .arg("--json")
        .arg("--csv")
        .arg(&csv)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The report is far larger than a pipe's buffer: read its start, then close the pipe.
    let mut head = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(&head[..1], b"{");
    assert!(std::fs::metadata(&csv).unwrap().len() > 0);
    std::fs::remove_dir_all(&dir).ok();
}

/// An error message whose reader has gone (`kexi bogus 2>&1 | true`, the pipe closed before it
/// is written) is not a panic either: the exit code still says what went wrong.
#[test]
fn error_message_with_no_reader_is_not_a_panic() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = kexi()
        .arg("bogus")
        .stdout(Stdio::null())
        .stderr(Stdio::from(writer))
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2), "{status}");
}

/// A file on which calamine's reader panics (an xlsb naming a sheet relationship its workbook
/// does not have, as Apache POI's Simple.xlsb does) gets kexi's one-line message and nothing
/// else: the caught panic prints no message or backtrace of its own, backtraces asked for or not.
#[test]
fn a_reader_that_stops_is_one_line() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fuzz/regressions/xlsb_missing_sheet_relationship.xlsb"
    );
    for backtrace in ["0", "1"] {
        let out = kexi()
            .args(["analyze", file])
            .env("RUST_BACKTRACE", backtrace)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("kexi: "), "{stderr}");
        assert!(stderr.contains("cannot be read by kexi"), "{stderr}");
        assert!(out.stdout.is_empty());
    }
}

/// The command passes today (the latest date anywhere, UTC+14) to the core: an order dated in
/// 2099 is left out and counted, and the as-of date is the day after the last real order.
#[test]
fn the_command_knows_today() {
    let dir = std::env::temp_dir().join(format!("kexi-today-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("orders.csv");
    std::fs::write(
        &file,
        "客户编号,订单日期,销售额\nA,2024-05-01,100\nB,2024-06-01,200\nB,2099-01-01,300\n",
    )
    .unwrap();
    let out = kexi()
        .arg("analyze")
        .arg(&file)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["summary"]["as_of"], "2024-06-02");
    assert_eq!(r["quality"]["rows_skipped"]["after_as_of"]["count"], 1);
    std::fs::remove_dir_all(&dir).ok();
}
