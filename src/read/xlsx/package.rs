//! The zip package: its entries by name, the package and workbook relationships, the workbook
//! part (sheet names, states, kinds and part paths; the date system), the styles part, and where
//! each worksheet part lies ([`Part`]). Everything is gathered in [`Prepared`], which then reads
//! the shared strings and the worksheets.

use super::scan::{Position, SheetReader, Strings};
use super::strings::read_shared_strings;
use super::styles::{read_formats, Format};
use super::window::Window;
use super::xml::{decode_attr, local_of, utf8, Tags};
use super::{fall, remaining, Part, Sheet, Step};
use crate::progress::{self, Phase};
use crate::read::grid::{Grid, Limits, StringPool};
use crate::read::sheet::{SheetKind, Visibility};
use rustc_hash::FxHashMap;
use std::io::{Cursor, Read};
use std::rc::Rc;

struct Zip<'a> {
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
    /// Lower-cased entry name → index.
    names: FxHashMap<String, usize>,
}

impl<'a> Zip<'a> {
    fn open(bytes: &'a [u8]) -> Step<Zip<'a>> {
        let archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
            Ok(a) => a,
            Err(e) => return fall(format!("zip: {e}")),
        };
        let names = archive
            .file_names()
            .enumerate()
            .filter_map(|(i, n)| n.ok().map(|n| (n.to_lowercase(), i)))
            .collect::<Vec<_>>();
        let mut map = FxHashMap::default();
        for (n, i) in names {
            map.entry(n).or_insert(i);
        }
        Ok(Zip {
            archive,
            names: map,
        })
    }

    fn index(&self, path: &str) -> Option<usize> {
        self.names.get(&path.to_lowercase()).copied()
    }

    /// A whole (small) part, or `None` when absent.
    fn part(&mut self, path: &str) -> Step<Option<Vec<u8>>> {
        let Some(i) = self.index(path) else {
            return Ok(None);
        };
        let mut f = match self.archive.by_index(i) {
            Ok(f) => f,
            Err(e) => return fall(format!("zip {path}: {e}")),
        };
        let mut out = Vec::new();
        if let Err(e) = f.read_to_end(&mut out) {
            return fall(format!("zip {path}: {e}"));
        }
        Ok(Some(out))
    }
}

/// A workbook's structure, date styles and shared strings: everything but its worksheets' cells.
pub(super) struct Prepared<'a> {
    zip: Zip<'a>,
    /// The workbook part's folder (`xl/`).
    xl: String,
    /// (name, visibility, kind, part path) in workbook order.
    pub(super) sheets: Vec<(String, Visibility, SheetKind, String)>,
    worksheets: usize,
    pub(super) formats: Rc<[Format]>,
    pub(super) is_1904: bool,
    shared: Rc<StringPool>,
}

pub(super) fn prepare<'a>(bytes: &'a [u8], limits: &Limits, window: usize) -> Step<Prepared<'a>> {
    let mut p = structure(bytes)?;
    p.load_shared(limits, window)?;
    Ok(p)
}

/// The package, the workbook's sheets and date system, and the styles: all but the shared strings.
pub(super) fn structure(bytes: &[u8]) -> Step<Prepared<'_>> {
    let mut zip = Zip::open(bytes)?;

    // The workbook part, from the package relationships.
    let Some(rels) = zip.part("_rels/.rels")? else {
        return fall("no _rels/.rels");
    };
    let mut target = None;
    for tag in Tags::new(&rels) {
        let tag = tag?;
        if tag.local == b"Relationship" && !tag.end {
            let ty = tag.attr(b"Type").unwrap_or(b"");
            if ty.ends_with(b"/relationships/officeDocument") {
                target = tag.attr(b"Target").map(decode_attr).transpose()?;
            }
        }
    }
    let Some(target) = target else {
        return fall("no officeDocument relationship");
    };
    let (dir, name) = match target.rfind('/') {
        Some(i) => target.split_at(i + 1),
        None => ("", target.as_str()),
    };
    let xl = dir.strip_prefix('/').unwrap_or(dir).to_string();
    let workbook_name = if name.is_empty() {
        "workbook.xml"
    } else {
        name
    };

    // Relationship id → (target, type) of the workbook.
    let mut wb_rels: FxHashMap<String, (String, String)> = FxHashMap::default();
    if let Some(part) = zip.part(&format!("{xl}_rels/{workbook_name}.rels"))? {
        for tag in Tags::new(&part) {
            let tag = tag?;
            if tag.local == b"Relationship" && !tag.end {
                if let (Some(id), Some(t), Some(ty)) =
                    (tag.attr(b"Id"), tag.attr(b"Target"), tag.attr(b"Type"))
                {
                    wb_rels.insert(
                        utf8(id)?.to_string(),
                        (decode_attr(t)?, utf8(ty)?.to_string()),
                    );
                }
            }
        }
    }

    let Some(workbook) = zip.part(&format!("{xl}{workbook_name}"))? else {
        return fall("no workbook part");
    };
    let mut is_1904 = false;
    let mut sheets: Vec<(String, Visibility, SheetKind, String)> = Vec::new();
    for tag in Tags::new(&workbook) {
        let tag = tag?;
        if tag.end {
            continue;
        }
        if tag.local == b"sheet" {
            let mut name = String::new();
            let mut rel_id: &[u8] = b"";
            let mut visibility = Visibility::Visible;
            for (k, v) in tag.attrs() {
                let Ok(k) = k else {
                    return fall("malformed attribute");
                };
                match k {
                    b"name" => name = decode_attr(v)?,
                    b"state" => {
                        visibility = match v {
                            b"visible" => Visibility::Visible,
                            b"hidden" => Visibility::Hidden,
                            b"veryHidden" => Visibility::VeryHidden,
                            _ => return fall("unknown sheet state"),
                        }
                    }
                    k if local_of(k) == b"id" => rel_id = v,
                    _ => {}
                }
            }
            let Some((target, ty)) = wb_rels.get(utf8(rel_id)?) else {
                return fall("sheet relationship not found");
            };
            let path = match target.strip_prefix('/') {
                Some(abs) => abs.to_string(),
                None => format!("{xl}{target}"),
            };
            let kind = match ty.rsplit('/').next() {
                Some("worksheet") => SheetKind::Worksheet,
                Some("chartsheet") => SheetKind::Chartsheet,
                Some("dialogsheet") => SheetKind::Dialog,
                _ => return fall("unknown sheet type"),
            };
            sheets.push((name, visibility, kind, path));
        } else if tag.local == b"workbookPr" {
            if let Some(v) = tag.attr(b"date1904") {
                is_1904 = v == b"1" || v == b"true";
            }
        }
    }

    let formats = match zip.part(&format!("{xl}styles.xml"))? {
        Some(styles) => read_formats(&styles)?,
        None => Vec::new(),
    };

    Ok(Prepared {
        zip,
        worksheets: sheets
            .iter()
            .filter(|s| s.2 == SheetKind::Worksheet)
            .count(),
        sheets,
        formats: formats.into(),
        is_1904,
        shared: Rc::new(StringPool::without_dedupe()),
        xl,
    })
}

impl Prepared<'_> {
    /// The shared strings: one pool, indexed by position.
    fn load_shared(&mut self, limits: &Limits, window: usize) -> Step<()> {
        let mut shared = StringPool::without_dedupe();
        if let Some(i) = self.zip.index(&format!("{}sharedStrings.xml", self.xl)) {
            let f = match self.zip.archive.by_index(i) {
                Ok(f) => f,
                Err(e) => return fall(format!("zip sharedStrings: {e}")),
            };
            read_shared_strings(Window::new(f, window), &mut shared, limits)?;
        }
        self.shared = Rc::new(shared);
        Ok(())
    }

    /// A reader for a worksheet's cells, within `limits`. One worksheet takes the shared strings
    /// as its pool; with several, each sheet's pool holds the strings it uses. Inline strings
    /// (and formula results) are stored once per distinct text.
    pub(super) fn reader(&mut self, name: &str, size: u64, limits: Limits) -> Step<SheetReader> {
        progress::report(Phase::Reading, Some(name), 0, Some(0.0));
        let n_shared = self.shared.len();
        let (mut pool, strings, shared) = if self.worksheets == 1 {
            let Ok(pool) = Rc::try_unwrap(std::mem::take(&mut self.shared)) else {
                return fall("shared strings taken twice");
            };
            (pool, Strings::Own, None)
        } else {
            (
                StringPool::without_dedupe(),
                Strings::Map(vec![u32::MAX; self.shared.len()]),
                Some(Rc::clone(&self.shared)),
            )
        };
        pool.dedupe_from_now();
        Ok(SheetReader {
            grid: Grid::with_pool(pool, limits),
            cells: None,
            n_shared,
            strings,
            shared,
            formats: Rc::clone(&self.formats),
            is_1904: self.is_1904,
            merges: Vec::new(),
            row: 0,
            col: 0,
            text: String::new(),
            progress: (name.to_string(), size),
            read: 0,
            at: Position::default(),
        })
    }

    /// Every sheet, each worksheet read whole but `streamed` (left without its grid), in
    /// workbook order; and the cells read.
    pub(super) fn read_sheets(
        &mut self,
        limits: &Limits,
        window: usize,
        streamed: Option<usize>,
    ) -> Step<(Vec<Sheet>, u64)> {
        let sheets = std::mem::take(&mut self.sheets);
        let mut out = Vec::with_capacity(sheets.len());
        let mut used_cells = 0u64;
        for (k, (name, visibility, kind, path)) in sheets.into_iter().enumerate() {
            let (grid, merges) = if kind == SheetKind::Worksheet && streamed != Some(k) {
                let r = self.read_sheet(&name, &path, remaining(limits, used_cells), window)?;
                used_cells = used_cells.saturating_add(r.grid.n_cells());
                (Some(r.grid), r.merges)
            } else {
                (None, Vec::new())
            };
            out.push(Sheet {
                name,
                visibility,
                kind,
                grid,
                merges,
            });
        }
        Ok((out, used_cells))
    }

    /// Reads the worksheet at `path` whole, through its zip entry's reader.
    fn read_sheet(
        &mut self,
        name: &str,
        path: &str,
        limits: Limits,
        window: usize,
    ) -> Step<SheetReader> {
        let Some(i) = self.zip.index(path) else {
            return fall(format!("worksheet part {path} missing"));
        };
        let mut reader = self.reader(name, 0, limits)?;
        let f = match self.zip.archive.by_index(i) {
            Ok(f) => f,
            Err(e) => return fall(format!("zip {path}: {e}")),
        };
        reader.progress.1 = f.size();
        reader.scan(Window::new(f, window))?;
        Ok(reader)
    }

    /// Where the part at `path` is, for [`Streamed`](super::Streamed).
    pub(super) fn part(&mut self, path: &str) -> Step<Part> {
        let Some(i) = self.zip.index(path) else {
            return fall(format!("worksheet part {path} missing"));
        };
        let f = match self.zip.archive.by_index_raw(i) {
            Ok(f) => f,
            Err(e) => return fall(format!("zip {path}: {e}")),
        };
        let deflated = match f.compression() {
            zip::CompressionMethod::Deflated => true,
            zip::CompressionMethod::Stored => false,
            _ => return fall("compression method"),
        };
        if f.encrypted() {
            return fall("encrypted part");
        }
        let Some(offset) = f.data_start() else {
            return fall("part offset");
        };
        Ok(Part {
            offset,
            compressed: f.compressed_size(),
            size: f.size(),
            crc: f.crc32(),
            deflated,
        })
    }
}
