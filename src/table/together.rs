//! Sheets of one layout (one per month, shop, store or year) read together as one table, each
//! line keeping its sheet as a dimension (工作表), so a workbook split by year is analysed whole
//! and can still be compared sheet by sheet.

use crate::error::Result;
use crate::read::grid::Limits;
use crate::table::{Column, Data, Table, NO_TEXT};

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

    /// Appends `next`'s lines. A sheet whose columns do not line up with the first's is left
    /// out (its mapping differs after all) and not listed as combined.
    pub fn add(&mut self, next: Table) -> Result<()> {
        let t = &mut *self.table;
        let lines_up = next.columns.len() == t.columns.len()
            && next.columns.iter().zip(&t.columns).all(|(a, b)| {
                a.field == b.field && a.year == b.year && same_kind(&a.data, &b.data)
            });
        if !lines_up {
            return Ok(());
        }
        // Each of `next`'s text ids as one of this table's, once met.
        let mut ids: Vec<u32> = vec![NO_TEXT; next.pool.len()];
        for (mine, theirs) in t.columns.iter_mut().zip(next.columns) {
            match (&mut mine.data, theirs.data) {
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
