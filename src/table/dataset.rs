//! Which sheets hold the data: a customer register, an order list, or both.
//!
//! Every visible worksheet's header is located and mapped (cheap: only the top rows are read);
//! a sheet that maps a customer column and an order date or order id is an order list, one that
//! maps a customer column without them is a register. The best of each kind (most mapped fields,
//! then most rows) is turned into a [`Table`]. Hidden sheets (instructions, lookups) are listed but
//! never chosen unless named.

use crate::error::{Error, ErrorKind, Result};
use crate::read::book::Book;
use crate::read::sheet::{SheetKind, Visibility};
use crate::table::header;
use crate::table::mapping::{self, Field, Overrides, Status};
use crate::table::{self, Ahead, Table};
use serde::Serialize;

/// What a sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// One row per customer.
    Register,
    /// One row per order line, many per customer.
    Orders,
}

/// The tables chosen from a book.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub register: Option<Table>,
    pub orders: Option<Table>,
}

impl Dataset {
    pub fn tables(&self) -> impl Iterator<Item = (Role, &Table)> {
        self.register
            .iter()
            .map(|t| (Role::Register, t))
            .chain(self.orders.iter().map(|t| (Role::Orders, t)))
    }
}

/// The role a table's mapped fields suggest.
pub fn role_of(fields: &[Field]) -> Role {
    if fields
        .iter()
        .any(|f| matches!(f, Field::OrderDate | Field::OrderId))
    {
        Role::Orders
    } else {
        Role::Register
    }
}

struct Candidate {
    index: usize,
    role: Role,
    score: (usize, u64),
    /// The mapped fields and their years in column order: sheets with the same layout.
    layout: Vec<(Option<Field>, Option<i32>)>,
}

/// Chooses and builds the tables of `book`: the named sheet, or the best register and order list.
pub fn choose(book: &Book, sheet: Option<&str>, overrides: &Overrides) -> Result<Dataset> {
    choose_with(book, sheet, overrides, &[], None)
}

/// [`choose`], leaving the sheets named in `leave_out` out of the combined lists, with a table
/// built while one of the sheets was read, used if it is that sheet's table for `overrides`.
///
/// Sheets with the best sheet's layout (one per month, shop, store or year) are read together as
/// one list, in workbook order, each line keeping its sheet as a dimension.
pub fn choose_with(
    book: &Book,
    sheet: Option<&str>,
    overrides: &Overrides,
    leave_out: &[String],
    mut ahead: Option<Ahead>,
) -> Result<Dataset> {
    let ahead = &mut ahead;
    let mut ds = Dataset::default();
    if let Some(name) = sheet {
        let index = book.sheet_index(name).ok_or_else(|| {
            Error::new(ErrorKind::NoSuchSheet {
                sheet: name.to_string(),
            })
        })?;
        let t = build(book, index, overrides, ahead)?;
        match role_of(&mapped_fields(&t.mapping)) {
            Role::Register => ds.register = Some(t),
            Role::Orders => ds.orders = Some(t),
        }
        return Ok(ds);
    }

    let mut candidates = Vec::new();
    let mut first_error: Option<Error> = None;
    for (index, info) in book.sheets.iter().enumerate() {
        if info.visibility != Visibility::Visible || info.kind != SheetKind::Worksheet {
            continue;
        }
        let Some(Some(grid)) = book.grids.get(index) else {
            continue;
        };
        if grid.n_cells() == 0 {
            continue;
        }
        let merges = book.merges.get(index).map_or(&[][..], |m| m.as_slice());
        let header = match header::locate(grid, merges, &info.name) {
            Ok(h) => h,
            Err(e) => {
                first_error.get_or_insert(e);
                continue;
            }
        };
        let m = mapping::map_columns(&header.labels, overrides);
        let fields = mapped_fields(&m);
        if !fields
            .iter()
            .any(|f| matches!(f, Field::CustomerId | Field::CustomerName))
        {
            continue;
        }
        if leave_out.contains(&info.name) {
            continue;
        }
        let role = match role_of(&fields) {
            Role::Register if customers_repeat(grid, &header, &m) => Role::Orders,
            role => role,
        };
        candidates.push(Candidate {
            index,
            role,
            score: (fields.len(), info.cells),
            layout: layout(&m),
        });
    }
    let partial = partial_order_sheets(&candidates);
    for role in [Role::Register, Role::Orders] {
        let best = candidates
            .iter()
            .filter(|c| c.role == role && !partial.contains(&c.index))
            .max_by_key(|c| c.score);
        if let Some(best) = best {
            let mut same: Vec<usize> = candidates
                .iter()
                .filter(|c| c.role == role && c.layout == best.layout)
                .map(|c| c.index)
                .collect();
            if role == Role::Orders {
                same.extend(&partial);
            }
            let t = build_together(book, &same, overrides, ahead)?;
            match role {
                Role::Register => ds.register = Some(t),
                Role::Orders => ds.orders = Some(t),
            }
        }
    }
    if ds.register.is_none() && ds.orders.is_none() {
        // No sheet names its customers: fall back to the largest visible sheet with a header, so
        // the user sees its mapping and can correct it, or report why nothing could be used.
        let largest = book
            .sheets
            .iter()
            .enumerate()
            .filter(|(_, s)| s.visibility == Visibility::Visible && s.kind == SheetKind::Worksheet)
            .max_by_key(|(_, s)| s.cells)
            .map(|(i, _)| i);
        match largest.map(|i| build(book, i, overrides, ahead)) {
            Some(Ok(t)) => match role_of(&mapped_fields(&t.mapping)) {
                Role::Register => ds.register = Some(t),
                Role::Orders => ds.orders = Some(t),
            },
            Some(Err(e)) => return Err(first_error.unwrap_or(e)),
            None => return Err(first_error.unwrap_or_else(|| Error::new(ErrorKind::EmptyWorkbook))),
        }
    }
    Ok(ds)
}

/// Sheets of order lines with fewer columns than the best order list (a shop's sheet without
/// its order dates beside the other shops' full exports): every field they map is one the order
/// list maps, they carry an amount, and a field says a row is a product bought (product,
/// quantity), which a register's row is not. They are read with the order list, their missing
/// columns blank.
fn partial_order_sheets(candidates: &[Candidate]) -> Vec<usize> {
    let Some(best) = candidates
        .iter()
        .filter(|c| c.role == Role::Orders)
        .max_by_key(|c| c.score)
    else {
        return Vec::new();
    };
    let mapped = |c: &Candidate| -> Vec<(Field, Option<i32>)> {
        c.layout
            .iter()
            .filter_map(|&(f, y)| f.map(|f| (f, y)))
            .collect()
    };
    let full = mapped(best);
    candidates
        .iter()
        .filter(|c| c.role == Role::Register)
        .filter(|c| {
            let fields = mapped(c);
            let has = |f: Field| fields.iter().any(|&(g, _)| g == f);
            let line = has(Field::Product) || has(Field::Quantity);
            line && has(Field::Amount) && fields.iter().all(|f| full.contains(f))
        })
        .map(|c| c.index)
        .collect()
}

/// Whether the sheet's customers repeat down its rows, as on order lines (a register has one
/// row per customer): among the first rows' customer keys, fewer than four in five distinct.
/// Such a sheet without order dates or order ids is an order list all the same (its lines sum;
/// a register's duplicate rows would be counted once).
fn customers_repeat(
    grid: &crate::read::grid::Grid,
    header: &header::Header,
    m: &mapping::Mapping,
) -> bool {
    const SAMPLE: usize = 5000;
    let key = [Field::CustomerId, Field::CustomerName]
        .into_iter()
        .find_map(|f| {
            m.columns.iter().find(|c| {
                c.field == Some(f) && matches!(c.status, Status::Auto | Status::Overridden)
            })
        });
    let Some(key) = key else {
        return false;
    };
    let mut seen: Vec<String> = Vec::new();
    for (_, value) in grid
        .column(key.index)
        .filter(|&(row, _)| row > header.rows.1)
        .take(SAMPLE)
    {
        let text = match value {
            crate::read::grid::Value::Text(id) => grid.pool.get(id).trim().to_string(),
            crate::read::grid::Value::Number(x) => x.to_string(),
            _ => continue,
        };
        if !text.is_empty() {
            seen.push(text);
        }
    }
    let keys = seen.len();
    crate::sort::by(&mut seen, |a, b| a.cmp(b));
    seen.dedup();
    keys >= 10 && seen.len() * 5 < keys * 4
}

/// The mapped fields of a mapping in column order, with their years.
fn layout(m: &mapping::Mapping) -> Vec<(Option<Field>, Option<i32>)> {
    m.columns
        .iter()
        .map(|c| match c.status {
            Status::Auto | Status::Overridden => (c.field, c.year),
            _ => (None, None),
        })
        .collect()
}

/// The sheets at `indexes` (one layout, workbook order) as one table.
fn build_together(
    book: &Book,
    indexes: &[usize],
    overrides: &Overrides,
    ahead: &mut Option<Ahead>,
) -> Result<Table> {
    let (first, rest) = indexes
        .split_first()
        .ok_or_else(|| Error::new(ErrorKind::EmptyWorkbook))?;
    let mut t = build(book, *first, overrides, ahead)?;
    if rest.is_empty() {
        return Ok(t);
    }
    let limits = match book.grids.get(*first) {
        Some(Some(g)) => *g.limits(),
        _ => Default::default(),
    };
    let mut together = table::Together::begin(&mut t, &limits)?;
    for &i in rest {
        let next = build(book, i, overrides, ahead)?;
        together.add(next)?;
    }
    together.end();
    Ok(t)
}

fn build(
    book: &Book,
    index: usize,
    overrides: &Overrides,
    ahead: &mut Option<Ahead>,
) -> Result<Table> {
    let info = book
        .sheets
        .get(index)
        .ok_or_else(|| Error::new(ErrorKind::EmptyWorkbook))?;
    let grid = match book.grids.get(index) {
        Some(Some(g)) if g.n_cells() > 0 => g,
        _ => {
            return Err(Error::new(ErrorKind::NoHeader {
                sheet: info.name.clone(),
            }))
        }
    };
    let merges = book.merges.get(index).map_or(&[][..], |m| m.as_slice());
    let mut t = None;
    if ahead.as_ref().is_some_and(|a| a.sheet() == info.name) {
        t = ahead.take().and_then(|a| a.finish(grid, merges, overrides));
    }
    let t = match t {
        Some(t) => t,
        None => table::build(&info.name, grid, merges, overrides)?,
    };
    Ok(keyed_by_email(t, overrides, |o| {
        table::build(&info.name, grid, merges, o)
    }))
}

/// A sheet whose customer column is mostly empty while nearly every row has an e-mail address (a
/// web shop's customer export: "Company" filled for a few) is keyed by the address: built again
/// with the e-mail column as the customer id, and the mapping says why. Not where the user chose
/// the customer column.
fn keyed_by_email(
    t: Table,
    overrides: &Overrides,
    rebuild: impl FnOnce(&Overrides) -> Result<Table>,
) -> Table {
    let chosen = overrides.columns.values().any(|&target| {
        matches!(
            target,
            mapping::Target::Field(Field::CustomerId | Field::CustomerName)
        )
    });
    let no_customer = t
        .quality
        .rows_skipped
        .get(&crate::table::quality::SkipReason::NoCustomer)
        .map_or(0, |s| s.count);
    let email = t
        .mapping
        .columns
        .iter()
        .find(|c| c.field == Some(Field::Email) && c.status == Status::Auto);
    let Some(email) = email.filter(|_| !chosen && no_customer > t.quality.rows_used) else {
        return t;
    };
    let (letter, header) = (email.letter.clone(), email.header.clone());
    let mut keyed = overrides.clone();
    keyed.set(letter.clone(), mapping::Target::Field(Field::CustomerId));
    let Ok(mut again) = rebuild(&keyed) else {
        return t;
    };
    if again.quality.rows_used <= t.quality.rows_used {
        return t;
    }
    if let Some(c) = again
        .mapping
        .columns
        .iter_mut()
        .find(|c| c.letter == letter)
    {
        c.status = Status::Auto;
    }
    again.reread.push(crate::table::orders::Reread {
        header,
        field: Some(Field::CustomerId),
        because_zh: "客户列大多为空，按邮箱识别客户",
        because_en:
            "the customer column is mostly empty: customers are known by their e-mail address",
    });
    again
}

/// Fields a mapping assigns (auto or by the user).
pub fn mapped_fields(m: &mapping::Mapping) -> Vec<Field> {
    m.columns
        .iter()
        .filter(|c| matches!(c.status, Status::Auto | Status::Overridden))
        .filter_map(|c| c.field)
        .collect()
}
