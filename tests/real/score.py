"""Score a kexi binary against the real-file corpus.

For each row of tests/real/manifest.tsv this runs

    $KEXI_BIN analyze $KEXI_REAL_DIR/<file> --json

(no --mapping, no --sheet: what a user gets by dropping the file in) and compares
summary.customers (exact) and summary.total_amount (within 0.5 % relative) with the
expected counts written by count.py. Each file is reported as

    right                 both match
    wrong                 with kexi's and the expected numbers, and what kexi mapped
    no-customer-column    kexi found no customer column (right only for files that have none)
    error                 kexi failed, timed out or printed no JSON (recorded, not fatal)

and a final line "score: X of N read right with no mapping".

Run (after count.py):
    KEXI_BIN=/tmp/kexi-base python3 tests/real/score.py
Env: KEXI_BIN (default /work/main/target/release/kexi), KEXI_REAL_DIR (default
/work/realdata/files), KEXI_REAL_EXPECTED (default /work/realdata/expected.json),
KEXI_TIMEOUT seconds per file (default 300).
"""
import csv
import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("KEXI_BIN", "/work/main/target/release/kexi")
DIR = os.environ.get("KEXI_REAL_DIR", "/work/realdata/files")
EXPECTED = os.environ.get("KEXI_REAL_EXPECTED", "/work/realdata/expected.json")
TIMEOUT = float(os.environ.get("KEXI_TIMEOUT", "300"))
CUSTOMER_FIELDS = {"customer_id", "customer_name"}


def run(path):
    """kexi's report as a dict, or an error string."""
    try:
        p = subprocess.run([BIN, "analyze", path, "--json"], capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {TIMEOUT:.0f}s"
    except OSError as e:
        return None, f"cannot run {BIN}: {e}"
    try:
        return json.loads(p.stdout.decode("utf-8")), None
    except (ValueError, UnicodeDecodeError):
        msg = (p.stderr.decode("utf-8", "replace").strip() or p.stdout.decode("utf-8", "replace").strip())
        return None, f"exit {p.returncode}: {msg[:300]}"


def mapped(report):
    """'sheet: header→field, …' for every column kexi gave a field, per used sheet."""
    parts = []
    for m in report.get("mapping", []):
        cols = [f"{c['header']}→{c['field']}" for c in m.get("columns", []) if c.get("field")]
        parts.append(f"[{m.get('sheet')} as {m.get('role')}, header row {m.get('header_rows')}] "
                     + (", ".join(cols) or "(no column mapped)"))
    return "; ".join(parts) or "(no sheet used)"


def has_customer(report):
    return any(c.get("field") in CUSTOMER_FIELDS
               for m in report.get("mapping", []) for c in m.get("columns", []))


def close(got, want):
    if got is None or want is None:
        return got is None and want is None
    if want == 0:
        return abs(got) < 0.005
    return abs(got - want) <= 0.005 * abs(want)


def main():
    with open(os.path.join(HERE, "manifest.tsv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    with open(EXPECTED, encoding="utf-8") as f:
        expected = json.load(f)
    print(f"kexi: {BIN}\nfiles: {DIR}\n")
    right = 0
    for r in rows:
        slug, e = r["slug"], expected.get(r["slug"], {})
        report, err = run(os.path.join(DIR, r["file"]))
        if "error" in e:
            print(f"{slug}: skipped (expected count failed: {e['error']})")
            continue
        if err:
            print(f"{slug}: error — {err}")
            continue
        s = report.get("summary", {})
        got_c, got_a = s.get("customers"), s.get("total_amount")
        if e.get("no_customer_column"):
            if not has_customer(report) or not got_c:
                right += 1
                print(f"{slug}: right (file has no customer column and kexi found none)")
            else:
                print(f"{slug}: wrong — file has no customer column, kexi counted {got_c} customers"
                      f" (amount {got_a}); mapping: {mapped(report)}")
            continue
        if not has_customer(report):
            print(f"{slug}: no-customer-column — expected key {r['customer_column']!r} "
                  f"(expected {e['customers']} customers, {e['total_amount']:,.2f}); "
                  f"mapping: {mapped(report)}")
            continue
        ok_c = got_c == e["customers"]
        ok_a = close(got_a, e["total_amount"])
        if ok_c and ok_a:
            right += 1
            print(f"{slug}: right ({got_c} customers, {got_a:,.2f})")
        else:
            got_a_s = "none" if got_a is None else f"{got_a:,.2f}"
            print(f"{slug}: wrong — customers kexi {got_c} vs expected {e['customers']}"
                  f"{'' if ok_c else ' ✗'}; amount kexi {got_a_s} vs expected "
                  f"{e['total_amount']:,.2f}{'' if ok_a else ' ✗'}; order_lines kexi "
                  f"{s.get('order_lines')} vs rows {e['rows']}; expected rule: amount "
                  f"{r['amount_rule']!r}, key {r['customer_column']!r}, sheets {r['sheets']!r}; "
                  f"mapping: {mapped(report)}")
    print(f"\nscore: {right} of {len(rows)} read right with no mapping")


if __name__ == "__main__":
    main()
