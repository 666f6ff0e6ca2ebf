//! Sheets of one layout (one per month, shop, store or year) read together as one table, each
//! line keeping its sheet as a dimension (工作表), so a workbook split by year is analysed whole
//! and can still be compared sheet by sheet.

use crate::error::Result;
use crate::read::grid::Limits;
use crate::table::{Column, Data, Table, NO_DATE, NO_KEY, NO_TEXT};

/// A table growing by the lines of further sheets with its layout.
pub struct Together<'t> {
    table: &'t mut Table,
    limits: Limits,
    /// Each line's sheet, as a text id of the table's pool.
    sheet_of_line: Vec<u32>,
}

impl<'t> Together<'t> {
    /// Starts from `table`, the first sheet's.
    pub fn begin(table: &'t mut Table, limits: &Limits) -> Result<Together<'t>> {
        table.pool.index_existing();
        let id = table.pool.intern(&table.sheet, limits)?;
        table.combined = vec![table.sheet.clone()];
        Ok(Together {
            sheet_of_line: vec![id; table.n_rows()],
            table,
            limits: *limits,
        })
    }

    /// Appends `next`'s lines. A sheet of the first's layout lines up column by column; a sheet
    /// with fewer columns, each of a field the first maps, lines up by field, the columns it
    /// lacks left blank on its lines. Any other sheet is left out (its mapping differs after all)
    /// and not listed as combined.
    pub fn add(&mut self, next: Table) -> Result<()> {
        let t = &mut *self.table;
        let Some(order) = line_up(&t.columns, &next.columns) else {
            return Ok(());
        };
        let n = next.rows.len();
        let mut theirs: Vec<Option<Data>> =
            next.columns.into_iter().map(|c| Some(c.data)).collect();
        // Each of `next`'s text ids as one of this table's, once met.
        let mut ids: Vec<u32> = vec![NO_TEXT; next.pool.len()];
        for (mine, at) in t.columns.iter_mut().zip(order) {
            let Some(theirs) = at.and_then(|i| theirs.get_mut(i)).and_then(Option::take) else {
                blank(&mut mine.data, n);
                continue;
            };
            match (&mut mine.data, theirs) {
                (Data::Text(a), Data::Text(b)) => {
                    a.reserve(b.len());
                    for id in b {
                        a.push(reintern(
                            &mut ids,
                            &mut t.pool,
                            &next.pool,
                            id,
                            &self.limits,
                        )?);
                    }
                }
                (Data::Number(a), Data::Number(b)) => a.extend(b),
                (Data::Date(a), Data::Date(b)) => a.extend(b),
                (Data::Key(a), Data::Key(b)) => a.extend(b),
                _ => {}
            }
        }
        let id = t.pool.intern(&next.sheet, &self.limits)?;
        self.sheet_of_line
            .extend(std::iter::repeat_n(id, next.rows.len()));
        t.rows.extend(next.rows);
        t.quality.absorb(&next.quality);
        t.combined.push(next.sheet);
        Ok(())
    }

    /// Adds the sheet of each line as a dimension, when more than one sheet was read.
    pub fn end(self) {
        let t = self.table;
        if t.combined.len() > 1 {
            t.columns.push(Column {
                source: u32::MAX,
                field: None,
                year: None,
                header: "工作表".to_string(),
                data: Data::Text(self.sheet_of_line),
            });
        } else {
            t.combined.clear();
        }
        t.pool.freeze();
    }
}

fn same_kind(a: &Data, b: &Data) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// For each of `mine`, the index of the column of `theirs` that continues it (`None`: blank on
/// their lines), or `None` when the sheets do not line up: `theirs` has the same columns, or
/// fewer, each of a field `mine` maps once, of the same kind.
fn line_up(mine: &[Column], theirs: &[Column]) -> Option<Vec<Option<usize>>> {
    let same_column = |a: &Column, b: &Column| {
        a.field == b.field && a.year == b.year && same_kind(&a.data, &b.data)
    };
    if mine.len() == theirs.len() && mine.iter().zip(theirs).all(|(a, b)| same_column(a, b)) {
        return Some((0..mine.len()).map(Some).collect());
    }
    let mut order = vec![None; mine.len()];
    for (i, c) in theirs.iter().enumerate() {
        if c.field.is_none() {
            continue;
        }
        let mut found = mine.iter().enumerate().filter(|(_, m)| same_column(m, c));
        match (found.next(), found.next()) {
            (Some((j, _)), None) => *order.get_mut(j)? = Some(i),
            _ => return None,
        }
    }
    Some(order)
}

/// `n` empty values at the end of a column.
fn blank(data: &mut Data, n: usize) {
    match data {
        Data::Text(v) => v.extend(std::iter::repeat_n(NO_TEXT, n)),
        Data::Number(v) => v.extend(std::iter::repeat_n(f64::NAN, n)),
        Data::Date(v) => v.extend(std::iter::repeat_n(NO_DATE, n)),
        Data::Key(v) => v.extend(std::iter::repeat_n(NO_KEY, n)),
    }
}

/// `id` of `from` as an id of `into`, remembered across the sheet's lines.
fn reintern(
    ids: &mut [u32],
    into: &mut crate::read::grid::StringPool,
    from: &crate::read::grid::StringPool,
    id: u32,
    limits: &Limits,
) -> Result<u32> {
    let Some(slot) = ids.get_mut(id as usize) else {
        return Ok(NO_TEXT);
    };
    if *slot == NO_TEXT {
        *slot = into.intern(from.get(id), limits)?;
    }
    let mine = *slot;
    Ok(mine)
}
