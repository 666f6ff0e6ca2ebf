"""Independent expected counts for the real-file corpus (tests/real/manifest.tsv).

For each manifest row this reads the file with pandas, applies that file's rule from RULES
below (which sheet(s), customer key, amount, which rows count) and computes:

  customers     distinct non-blank customer keys with at least one counted line
                (for a register: rows with a key)
  total_amount  sum of the amount over counted lines, returns/credit notes netted
  rows          counted lines

A file whose rule says `no_customer` has no customer column at all: expected is "none".

Run:
    pip install pandas openpyxl xlrd
    KEXI_REAL_DIR=/work/realdata/files python3 tests/real/count.py   # default dir shown
Writes $KEXI_REAL_EXPECTED (default /work/realdata/expected.json) and prints a table.
It does not use kexi; it is the yardstick score.py compares kexi against.
"""
import csv
import json
import os
import sys
import warnings

import pandas as pd

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
DIR = os.environ.get("KEXI_REAL_DIR", "/work/realdata/files")
OUT = os.environ.get("KEXI_REAL_EXPECTED", "/work/realdata/expected.json")

# Rule keys:
#   sheets   None = first sheet, "all" = every non-empty sheet stacked, or a list of names
#   header   0-based header row (title rows above it are skipped)
#   encoding for CSV files
#   key      customer key column; no_customer=True when the file has none
#   amount   ("col", c) | ("mul", a, b) | ("sub", a, b) | None (register without amounts)
#   keep     {column: [values]}  only rows whose value is in the list count
#   drop     {column: [values]}  rows whose value is in the list do not count
#   header_rows_only  column that is blank on continuation lines (Shopify: Total only on
#                     an order's first line); only rows where it is filled count
#   dedupe   column: one counted row per value (first one)
#   register True for customer lists (one row per customer)
#   paid     payment-time column: a row without one is an unpaid order, never a purchase
#   casefold the key is an e-mail address: compared without case (Foo@x.com is foo@x.com), as
#            every mail provider delivers them
#   exact_duplicates_once  an order list with order ids: a line identical in every column to
#            an earlier one is counted once (an export repeating a line, as kexi reads it)
TAOBAO = {"key": "买家会员名", "amount": ("col", "买家实际支付金额"), "paid": "订单付款时间"}
OLR = {"key": "CustomerID", "amount": ("mul", "Quantity", "UnitPrice"),
       "exact_duplicates_once": True}
SHOPIFY = {"key": "Email", "casefold": True, "amount": ("sub", "Total", "Refunded Amount"),
           "header_rows_only": "Total", "drop": {"Financial Status": ["refunded", "voided"]}}
RULES = {
    "pharmacy_chaoyang": {"key": "社保卡号", "amount": ("col", "实收金额")},
    "tmall_order_report": {"no_customer": True},
    "meal_order_info": {"key": "emp_id", "amount": ("col", "accounts_payable"),
                        "keep": {"order_status": [1]}},
    "meal_order_detail": {"sheets": "all", "key": "emp_id", "amount": ("mul", "counts", "amounts")},
    "crm_order_report": {"key": "客户ID", "amount": ("col", "实收金额"),
                         "drop": {"订单状态": ["未提交", "已驳回", "已取消"], "售后状态": ["已退货"]}},
    "foreign_trade_orders": {"key": "客户名称", "amount": ("col", "总金额")},
    "store_register_export": {"header": 1, "key": "门店编号", "amount": None, "register": True},
    "mr_tb2018": TAOBAO,
    "mr_mrbooks": TAOBAO,
    "mr_mingribooks": dict(TAOBAO, drop={"订单状态": ["交易关闭"]}),
    "mr_tb2017": TAOBAO,
    "mr_2019": TAOBAO,
    "mr_client_rfm": {"key": "买家会员名", "amount": ("col", "M-消费金额"), "register": True},
    "mr_tb_data": dict(TAOBAO, drop={"订单状态": ["交易关闭"]}),
    "mr_3shops_jan": dict(TAOBAO, sheets="all"),
    "mr_tb201805": TAOBAO,
    "mr_jan_gbk": dict(TAOBAO, encoding="gb18030"),
    "mr_multishop_data11": TAOBAO,
    "olr_2010-12-01": OLR,
    "olr_2010-12-06": OLR,
    "olr_2011-01-10": OLR,
    "sales_data_sample": {"encoding": "latin1", "key": "CUSTOMERNAME", "amount": ("col", "SALES"),
                          "drop": {"STATUS": ["Cancelled"]}},
    "superstore": {"sheets": ["Orders"], "key": "Customer ID", "amount": ("col", "Sales")},
    "superstore_sales_multi": {"sheets": ["Dataset Original"], "key": "Customer ID",
                               "amount": ("col", "Sales")},
    "retail_data_transactions": {"key": "customer_id", "amount": ("col", "tran_amount")},
    "crm_sales_pipeline": {"key": "account", "amount": ("col", "close_value"),
                           "keep": {"deal_stage": ["Won"]}},
    "sap_bikes_salesorders": {"key": "PARTNERID", "amount": ("col", "GROSSAMOUNT"),
                              "drop": {"LIFECYCLESTATUS": ["X"]}},
    "northwind_pedidos": {"key": "Cliente", "amount": ("col", "Importe")},
    "northwind_en": {"key": "Client", "amount": ("col", "Amount")},
    "shopify_orders_vip": SHOPIFY,
    "shopify_customers_vip": {"key": "Email", "casefold": True, "amount": ("col", "Total Spent"), "register": True},
    "shopify_orders_mm": SHOPIFY,
    "shopify_custom_export_mm": {"key": "email", "casefold": True, "amount": ("col", "Total Cost"),
                                 "dedupe": "Order Name"},
}


def read(path, rule):
    """The table the rule describes, as strings-or-numbers straight from pandas."""
    header = rule.get("header", 0)
    if path.lower().endswith(".csv"):
        return pd.read_csv(path, header=header, encoding=rule.get("encoding", "utf-8-sig"),
                           dtype=str, keep_default_na=False, na_values=[""])
    sheets = rule.get("sheets")
    if sheets is None:
        return pd.read_excel(path, sheet_name=0, header=header)
    book = pd.read_excel(path, sheet_name=None if sheets == "all" else sheets, header=header)
    frames = [df for df in book.values() if not df.dropna(how="all").empty]
    paid = rule.get("paid")
    for df in frames:
        df.columns = [str(c).strip() for c in df.columns]
        if paid and paid not in df.columns:
            df[paid] = "(sheet without a payment time)"
    return pd.concat(frames, ignore_index=True)


def num(s):
    return pd.to_numeric(s.astype(str).str.replace(",", "").str.strip(), errors="coerce")


def text(s):
    return s.map(lambda v: "" if pd.isna(v) else str(v).strip())


def matches(series, values):
    t = text(series)
    return t.isin([str(v) for v in values])


def count(path, rule):
    if rule.get("no_customer"):
        return {"customers": None, "total_amount": None, "rows": None, "no_customer_column": True}
    df = read(path, rule)
    df.columns = [str(c).strip() for c in df.columns]
    ok = text(df[rule["key"]]) != ""
    for col, vals in rule.get("keep", {}).items():
        ok &= matches(df[col], vals)
    for col, vals in rule.get("drop", {}).items():
        ok &= ~matches(df[col], vals)
    if rule.get("paid") in df.columns:
        ok &= text(df[rule["paid"]]) != ""
    if rule.get("exact_duplicates_once"):
        ok &= ~df.duplicated(keep="first")
    if "header_rows_only" in rule:
        ok &= text(df[rule["header_rows_only"]]) != ""
    amount = pd.Series(0.0, index=df.index)
    a = rule.get("amount")
    if a:
        if a[0] == "col":
            amount = num(df[a[1]])
        elif a[0] == "mul":
            amount = num(df[a[1]]) * num(df[a[2]])
        elif a[0] == "sub":
            amount = num(df[a[1]]).fillna(0) - num(df[a[2]]).fillna(0)
        if not rule.get("register"):
            ok &= amount.notna()
    used = df[ok]
    if "dedupe" in rule:
        used = used.drop_duplicates(subset=[rule["dedupe"]])
    total = float(amount[used.index].fillna(0).sum())
    keys = text(used[rule["key"]])
    if rule.get("casefold"):
        keys = keys.str.lower()
    return {"customers": int(keys.nunique()), "total_amount": round(total, 2),
            "rows": int(len(used)), "no_customer_column": False}


def main():
    with open(os.path.join(HERE, "manifest.tsv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    expected = {}
    print(f"{'slug':28} {'customers':>10} {'total_amount':>16} {'rows':>7}")
    for r in rows:
        slug = r["slug"]
        path = os.path.join(DIR, r["file"])
        try:
            e = count(path, RULES[slug])
        except Exception as err:  # a missing or unreadable file is reported, not fatal
            e = {"error": f"{type(err).__name__}: {err}"}
        e["file"] = r["file"]
        expected[slug] = e
        if "error" in e:
            print(f"{slug:28} ERROR {e['error']}")
        elif e["no_customer_column"]:
            print(f"{slug:28} {'(none)':>10} {'-':>16} {'-':>7}  no customer column")
        else:
            print(f"{slug:28} {e['customers']:>10} {e['total_amount']:>16,.2f} {e['rows']:>7}")
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
