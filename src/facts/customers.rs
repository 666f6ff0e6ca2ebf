//! Who the customers are: one identity per customer across the register and the order list.
//!
//! A customer is keyed by its id when the table has an id column, else by its name. Keys are
//! compared in a canonical spelling (full-width folded, spaces and dashes dropped, upper case,
//! leading zeros of all-digit ids dropped), so "C-001", "c001 " and "Ｃ００１" are one customer; each
//! such merge is reported. A register row repeating a customer is counted once and reported.
//! Orders join the register by id when both have ids, else by name.

use crate::table::dataset::Dataset;
use crate::table::mapping::Field;
use crate::table::quality::{Issue, Quality};
use crate::table::{Data, Table, NO_TEXT};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::hash_map::{Entry, VacantEntry};

/// One customer as the input names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Customer {
    /// The customer id as first written, if the input has ids.
    pub id: Option<String>,
    pub name: Option<String>,
    /// Order lines in the order list (0 for a register-only customer).
    pub order_lines: u64,
    /// Sum of the amount column(s): of its order lines when there is an order list, else of
    /// the register's (year) amount columns.
    pub amount: Option<f64>,
    /// Row in the register (1-based), if the customer is in one.
    pub register_row: Option<u32>,
}

/// How the order list met the register.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Join {
    /// `customer_id` or `customer_name`.
    pub key: &'static str,
    pub order_lines_matched: u64,
    pub order_lines_unmatched: u64,
    pub register_customers_without_orders: u64,
}

/// Every customer, in first-seen order, and what resolving them found.
#[derive(Debug, Clone, Default)]
pub struct Customers {
    pub list: Vec<Customer>,
    /// For each used row of the order list, the index of its customer in `list`.
    pub order_customer: Vec<u32>,
    /// For each used row of the register, the index of its customer in `list`.
    pub register_customer: Vec<u32>,
    pub join: Option<Join>,
    pub quality: Quality,
}

/// The canonical spelling of an id used to compare keys.
pub fn canonical_id(s: &str) -> String {
    let mut out = String::new();
    push_canonical_id(s, &mut out);
    out
}

/// Appends [`canonical_id`] of `s` to `out`.
fn push_canonical_id(s: &str, out: &mut String) {
    let start = out.len();
    for c in crate::table::normalize::clean_label(s).chars() {
        if c.is_whitespace() || matches!(c, '-' | '_' | '—' | '－') {
            continue;
        }
        if c.is_ascii() {
            out.push(c.to_ascii_uppercase());
        } else {
            out.extend(c.to_uppercase());
        }
    }
    let digits = out.get(start..).unwrap_or("");
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // Leading zeros go, but "000" is "0".
        let zeros = digits.len() - digits.trim_start_matches('0').len();
        out.replace_range(start..start + zeros.min(digits.len() - 1), "");
    }
}

/// Appends the canonical spelling of a name (folded, spaces dropped, lower case) to `out`.
fn push_canonical_name(s: &str, out: &mut String) {
    for c in crate::table::normalize::clean_label(s).chars() {
        if c.is_whitespace() {
            continue;
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// Which field keys a table's customers.
fn key_field(t: &Table, prefer_id: bool) -> Option<Field> {
    if prefer_id && t.has(Field::CustomerId) {
        Some(Field::CustomerId)
    } else if t.has(Field::CustomerName) {
        Some(Field::CustomerName)
    } else if t.has(Field::CustomerId) {
        Some(Field::CustomerId)
    } else {
        None
    }
}

fn text_col(t: &Table, f: Field) -> Option<(u32, &[u32])> {
    match &t.column(f)?.data {
        Data::Text(v) => Some((t.column(f)?.source, v.as_slice())),
        _ => None,
    }
}

/// A customer by its key, with the first spelling of its id (see [`Known`]).
type Index<'t> = FxHashMap<String, Known<'t>>;

/// Resolves the customers of a dataset.
pub fn resolve(ds: &Dataset) -> Customers {
    let mut out = Customers::default();
    let both_ids = ds
        .register
        .as_ref()
        .is_none_or(|t| t.has(Field::CustomerId))
        && ds.orders.as_ref().is_none_or(|t| t.has(Field::CustomerId));
    let mut index: Index<'_> = FxHashMap::default();
    if let Some(t) = &ds.register {
        add_register(t, key_field(t, both_ids), &mut index, &mut out);
    }
    if let Some(t) = &ds.orders {
        let key = key_field(t, both_ids);
        add_orders(t, key, ds.register.is_some(), &mut index, &mut out);
    }
    out
}

/// Adds the register's customers, each once; a row repeating a customer is reported.
fn add_register<'t>(t: &'t Table, key: Option<Field>, index: &mut Index<'t>, out: &mut Customers) {
    let amount_cols = super::numbers(t, Field::Amount);
    for r in 0..t.n_rows() {
        let Some(mut c) = customer_at(t, r, key) else {
            out.register_customer.push(u32::MAX);
            continue;
        };
        let amount = sum_at(&amount_cols, r);
        let row = t.rows.get(r).copied().unwrap_or(0);
        match index.entry(std::mem::take(&mut c.key)) {
            Entry::Occupied(mut e) => {
                let i = e.get().customer;
                e.get_mut().spelled(c.spelled, t, r, &mut out.quality);
                out.register_customer.push(i);
                let first = out
                    .list
                    .get(i as usize)
                    .and_then(|x| x.register_row)
                    .unwrap_or(0);
                let col = key_source(t, key);
                out.quality.issue(
                    Issue::DuplicateCustomer,
                    &t.sheet,
                    col,
                    row,
                    c.shown,
                    Some(crate::table::cell_ref(
                        &t.sheet,
                        col,
                        first.saturating_sub(1),
                    )),
                );
            }
            Entry::Vacant(e) => {
                let i = add_new(e, &c, amount, Some(row + 1), &mut out.list);
                out.register_customer.push(i);
            }
        }
    }
}

/// Adds the order lines: each to its key's customer, a new customer for a key not seen before.
fn add_orders<'t>(
    t: &'t Table,
    key: Option<Field>,
    with_register: bool,
    index: &mut Index<'t>,
    out: &mut Customers,
) {
    let amount_cols = super::numbers(t, Field::Amount);
    let mut tally = Tally::new(key, with_register, out.list.len());
    // With an order list, a customer's amount is what its orders add up to; the register's
    // own (year) amount columns stay in the register table.
    for c in &mut out.list {
        c.amount = None;
    }
    let amount_source = t.column(Field::Amount).map(|c| c.source);
    // Order lines repeat their customer's text: resolve each distinct key text once.
    let key_ids: Option<&[u32]> = key.and_then(|f| text_col(t, f)).map(|(_, v)| v);
    // Customer by key text id (`u32::MAX`: not yet seen).
    let mut seen = vec![u32::MAX; if key_ids.is_some() { t.pool.len() } else { 0 }];
    let mut fetched = 0u64;
    for r in 0..t.n_rows() {
        if let (0, Some(keys)) = (r % FETCH, key_ids) {
            let block = keys.get(r..t.n_rows().min(r + FETCH)).unwrap_or(&[]);
            fetched ^= fetch(block, &seen, &out.list);
        }
        let amount = sum_at(&amount_cols, r);
        if let (None, Some(col)) = (amount, amount_source) {
            let row = t.rows.get(r).copied().unwrap_or(0);
            let what = Some("amount / 金额".into());
            out.quality
                .issue(Issue::MissingValue, &t.sheet, col, row, "", what);
        }
        let key_text = key_ids
            .and_then(|v| v.get(r).copied())
            .filter(|&k| k != NO_TEXT);
        let known = key_text
            .and_then(|k| seen.get(k as usize).copied())
            .filter(|&i| i != u32::MAX);
        let (i, name) = match known {
            Some(i) => (i, None),
            None => {
                let joined = tally.join.is_some();
                let Some((i, name)) = line_customer(t, r, key, joined, index, out) else {
                    out.order_customer.push(u32::MAX);
                    continue;
                };
                if let Some(slot) = key_text.and_then(|k| seen.get_mut(k as usize)) {
                    *slot = i;
                }
                (i, name)
            }
        };
        tally.line(i);
        out.order_customer.push(i);
        add_line(&mut out.list, i, amount, name);
    }
    std::hint::black_box(fetched);
    out.join = tally.into_join();
}

/// Row `r`'s customer, looked up by its key or added (and reported as not in the register when
/// there is one), with its name as written; `None` for a row without a customer.
fn line_customer<'t>(
    t: &'t Table,
    r: usize,
    key: Option<Field>,
    joined: bool,
    index: &mut Index<'t>,
    out: &mut Customers,
) -> Option<(u32, Option<&'t str>)> {
    let mut c = customer_at(t, r, key)?;
    let i = match index.entry(std::mem::take(&mut c.key)) {
        Entry::Occupied(mut e) => {
            e.get_mut().spelled(c.spelled, t, r, &mut out.quality);
            e.get().customer
        }
        Entry::Vacant(e) => {
            if joined {
                let row = t.rows.get(r).copied().unwrap_or(0);
                let col = key_source(t, key);
                out.quality
                    .issue(Issue::UnmatchedCustomer, &t.sheet, col, row, c.shown, None);
            }
            add_new(e, &c, None, None, &mut out.list)
        }
    };
    Some((i, c.name))
}

/// Adds customer `c`, new under its key, to `list`; returns its index.
fn add_new<'t>(
    e: VacantEntry<'_, String, Known<'t>>,
    c: &Found<'t>,
    amount: Option<f64>,
    register_row: Option<u32>,
    list: &mut Vec<Customer>,
) -> u32 {
    let i = list.len() as u32;
    e.insert(Known::new(i, c.spelled));
    list.push(Customer {
        id: c.id.map(str::to_string),
        name: c.name.map(str::to_string),
        order_lines: 0,
        amount,
        register_row,
    });
    i
}

/// Counts an order line of `amount` for customer `i`, and takes its `name` if it has none.
#[inline]
fn add_line(list: &mut [Customer], i: u32, amount: Option<f64>, name: Option<&str>) {
    if let Some(cust) = list.get_mut(i as usize) {
        cust.order_lines += 1;
        if let Some(a) = amount {
            cust.amount = Some(cust.amount.unwrap_or(0.0) + a);
        }
        if cust.name.is_none() {
            cust.name = name.map(str::to_string);
        }
    }
}

/// The source column of a table's customer key (0 without one), for messages.
fn key_source(t: &Table, key: Option<Field>) -> u32 {
    key.and_then(|f| t.column(f)).map_or(0, |c| c.source)
}

/// How the order lines met the register, counted line by line.
struct Tally {
    /// `None` without a register.
    join: Option<Join>,
    /// Per register customer, whether any line is its.
    has_orders: Vec<bool>,
    n_register: usize,
}

impl Tally {
    /// Nothing counted yet; a join only `with_register`, named for the `key` field.
    fn new(key: Option<Field>, with_register: bool, n_register: usize) -> Tally {
        let join = with_register.then(|| Join {
            key: if key == Some(Field::CustomerId) {
                "customer_id"
            } else {
                "customer_name"
            },
            ..Join::default()
        });
        Tally {
            join,
            has_orders: vec![false; n_register],
            n_register,
        }
    }

    /// Counts a line of customer `i`.
    #[inline]
    fn line(&mut self, i: u32) {
        if let Some(j) = self.join.as_mut() {
            if (i as usize) < self.n_register {
                j.order_lines_matched += 1;
            } else {
                j.order_lines_unmatched += 1;
            }
        }
        if let Some(flag) = self.has_orders.get_mut(i as usize) {
            *flag = true;
        }
    }

    /// The join, with the register's customers no line is of.
    fn into_join(self) -> Option<Join> {
        let mut join = self.join;
        if let Some(j) = join.as_mut() {
            j.register_customers_without_orders =
                self.has_orders.iter().filter(|h| !**h).count() as u64;
        }
        join
    }
}

/// Order lines whose customers are looked up ahead together (see [`fetch`]).
const FETCH: usize = 32;

/// Reads the customer of each of a block's key texts, one after the other, so that the waits on
/// memory overlap: the lookup by text and the customers are far larger than the caches at a
/// million lines, and lines come in any customer order. Returns what it read, for the reads to be
/// kept.
fn fetch(keys: &[u32], seen: &[u32], list: &[Customer]) -> u64 {
    let mut read = 0u64;
    for &k in keys {
        if let Some(c) = seen.get(k as usize).and_then(|&i| list.get(i as usize)) {
            read ^= c.order_lines;
        }
    }
    read
}

/// A row's customer: its key (`id:` or `name:` and the canonical spelling), the text a
/// message shows, and the id and name as written.
struct Found<'t> {
    key: String,
    shown: &'t str,
    id: Option<&'t str>,
    name: Option<&'t str>,
    /// When the key is the table's id column: that column and the id as written, to compare
    /// with the key's first spelling.
    spelled: Option<(u32, &'t str)>,
}

/// A key's customer, and the first spelling of its id seen in an id-keyed table (so that each
/// other spelling is reported once). One map holds both, so a new customer's key is hashed and
/// stored once.
struct Known<'t> {
    customer: u32,
    first: Option<&'t str>,
}

impl<'t> Known<'t> {
    fn new(customer: u32, spelled: Option<(u32, &'t str)>) -> Known<'t> {
        Known {
            customer,
            first: spelled.map(|(_, raw)| raw),
        }
    }

    /// Notes `spelled` (row `r` of `t`) as the first spelling if there is none yet, else
    /// reports it if it differs.
    fn spelled(&mut self, spelled: Option<(u32, &'t str)>, t: &Table, r: usize, q: &mut Quality) {
        let Some((src, raw)) = spelled else { return };
        match self.first {
            Some(first) if first != raw => {
                let row = t.rows.get(r).copied().unwrap_or(0);
                q.issue(
                    Issue::IdVariant,
                    &t.sheet,
                    src,
                    row,
                    raw,
                    Some(first.to_string()),
                );
            }
            Some(_) => {}
            None => self.first = Some(raw),
        }
    }
}

fn customer_at(t: &Table, r: usize, key: Option<Field>) -> Option<Found<'_>> {
    let get = |f: Field| {
        text_col(t, f).and_then(|(src, v)| {
            let id = *v.get(r)?;
            (id != NO_TEXT).then(|| (src, t.pool.get(id)))
        })
    };
    let id = get(Field::CustomerId);
    let name = get(Field::CustomerName).map(|(_, n)| n);
    let mut k = String::new();
    let mut spelled = None;
    let shown = match (key, id, name) {
        (Some(Field::CustomerId), Some((src, raw)), _) => {
            k.push_str("id:");
            push_canonical_id(raw, &mut k);
            spelled = Some((src, raw));
            raw
        }
        (_, _, Some(n)) => {
            k.push_str("name:");
            push_canonical_name(n, &mut k);
            n
        }
        (_, Some((_, raw)), None) => {
            k.push_str("id:");
            push_canonical_id(raw, &mut k);
            raw
        }
        _ => return None,
    };
    Some(Found {
        key: k,
        shown,
        id: id.map(|(_, s)| s),
        name,
        spelled,
    })
}

fn sum_at(cols: &[&[f64]], r: usize) -> Option<f64> {
    let mut sum = None;
    for c in cols {
        if let Some(&x) = c.get(r) {
            if !x.is_nan() {
                sum = Some(sum.unwrap_or(0.0) + x);
            }
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_ids() {
        let cases = [
            ("C-001", "C001"),
            ("c001 ", "C001"),
            ("Ｃ００１", "C001"),
            ("00123", "123"),
            ("123", "123"),
            ("000", "0"),
        ];
        for (raw, want) in cases {
            assert_eq!(canonical_id(raw), want, "{raw}");
            // After a prefix, only the id's own zeros go.
            let mut key = String::from("id:0");
            push_canonical_id(raw, &mut key);
            assert_eq!(key, format!("id:0{want}"), "{raw}");
        }
        let mut key = String::from("name:");
        push_canonical_name(" Ａcme  Trading ", &mut key);
        assert_eq!(key, "name:acmetrading");
    }
}
