//! The page's wasm bindings (with `wasm_writer.rs`, the writers' own, the only modules that know
//! `JsValue`). A [`Session`] holds a file read once,
//! so a new mapping or option re-runs the analysis without re-reading the bytes, and it keeps
//! the last report so the page can page, filter and sort a million customers without copying
//! them all across. Options come in and results go out as JSON (see `to_js`); errors cross as values
//! (`{code, message_zh, message_en}`), never as traps.

use crate::progress::{self, Progress};
use crate::report::filter::Index;
use crate::{Book, Error, Options, Report, Underway};
use serde::Serialize;
use std::cell::OnceCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(s: &str);
}

#[wasm_bindgen(start)]
fn start() {
    // A panic is a bug; say what it was before the trap ends the worker.
    std::panic::set_hook(Box::new(|info| {
        console_error(&format!("kexi panic: {info}"))
    }));
}

#[wasm_bindgen(typescript_custom_section)]
const TS: &'static str = r#"
export interface KexiError { code: string; message_zh: string; message_en: string; detail: unknown }
export interface Progress { phase: "reading" | "mapping" | "analysing"; sheet?: string; rows: number; fraction?: number }
export interface Options {
  sheet?: string; leave_out?: string[]; mapping?: Record<string, string>; as_of?: string; today?: string; limits?: object;
  rfm?: object; abc?: object; value?: object; lifecycle?: object; alerts?: object;
  distribution?: object; customer_flow?: object; performance?: object; bcg?: object;
  clusters?: object; csi?: object; credit?: object; cross_sell?: object; clv?: object;
}
"#;

/// A file read into memory, ready to be analysed with any mapping and options.
#[wasm_bindgen]
pub struct Session {
    book: Book,
    /// The table built while the file was read, for the first analysis.
    ahead: Option<crate::table::Ahead>,
    /// The last report, its filter index, and the current view: positions into
    /// `report.customers`, filtered and sorted.
    last: Option<Last>,
    /// An analysis waiting for its CLV models from the other worker.
    underway: Option<Underway>,
}

struct Last {
    report: Report,
    /// Built on the first query: the dashboard is shown before the customer table needs it.
    index: OnceCell<Index>,
    view: Vec<u32>,
}

impl Last {
    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::new(&self.report))
    }
}

#[wasm_bindgen]
impl Session {
    /// Reads `bytes` (any supported format). `options` may carry `limits`; `progress`, if
    /// given, is called with a `Progress` every few thousand rows.
    #[wasm_bindgen(constructor)]
    pub fn new(
        bytes: &[u8],
        options: JsValue,
        progress: Option<js_sys::Function>,
    ) -> Result<Session, JsValue> {
        let options = options_from(options)?;
        let book = observed(progress, || Book::open(bytes, &options.limits)).map_err(into_error)?;
        Ok(Session {
            book,
            ahead: None,
            last: None,
            underway: None,
        })
    }

    /// The sheets with their size, visibility and kind.
    pub fn sheets(&self) -> Result<JsValue, JsValue> {
        to_js(&self.book.sheets)
    }

    /// Analyses with `options` (docs/analyses.md) and returns the report without its customer
    /// rows (`Overview`, see docs/report.md); the rows come through `view` and `rows`. The view
    /// is reset to every customer.
    ///
    /// With `offload` (a JS function of a `Float64Array`), the CLV models' job, if CLV can run, is
    /// handed to it for the other worker's [`predict`], the other analyses run meanwhile, and
    /// `analyze` returns `undefined`: the overview then comes from [`Session::complete`].
    pub fn analyze(
        &mut self,
        options: JsValue,
        progress: Option<js_sys::Function>,
        offload: Option<js_sys::Function>,
    ) -> Result<JsValue, JsValue> {
        let options = options_from(options)?;
        self.last = None;
        self.underway = None;
        let ahead = self.ahead.take();
        let book = &self.book;
        let (underway, handed) = observed(progress, || {
            let mut u = Underway::begin(book, options, ahead)?;
            let handed = match (&offload, u.job()) {
                (Some(f), Some(job)) => {
                    let numbers = js_sys::Float64Array::from(job.to_numbers().as_slice());
                    f.call1(&JsValue::NULL, &numbers).is_ok()
                }
                _ => false,
            };
            if handed {
                u.analyses_but_clv();
            } else {
                u.analyses();
            }
            Ok::<_, Error>((u, handed))
        })
        .map_err(into_error)?;
        if handed {
            self.underway = Some(underway);
            return Ok(JsValue::UNDEFINED);
        }
        self.keep(underway.finish(None))
    }

    /// Ends an analysis whose CLV job went to the other worker, with its answer (`undefined` if
    /// that worker could not give one: the job is then scored here), and returns the overview.
    pub fn complete(&mut self, answer: Option<Vec<f64>>) -> Result<JsValue, JsValue> {
        let underway = self
            .underway
            .take()
            .ok_or_else(|| into_error(Error::bad_option("analyze the file first")))?;
        let scored = answer
            .zip(underway.job())
            .and_then(|(b, job)| crate::analyze::clv::scored_from_numbers(&b, job));
        self.keep(underway.finish(scored))
    }

    /// Sets the view to the customers matching `query`, ordered by `sort` (a filter key, `id`
    /// or `name`; none keeps the report's order), and returns how many there are.
    pub fn view(
        &mut self,
        query: JsValue,
        sort: Option<String>,
        descending: bool,
    ) -> Result<u32, JsValue> {
        let q = query_from(query)?;
        let last = self
            .last
            .as_mut()
            .ok_or_else(|| into_error(Error::bad_option("analyze the file first")))?;
        let mut ids = last
            .index()
            .filter(&q)
            .map_err(|e| into_error(Error::bad_option(e)))?;
        if let Some(key) = sort.as_deref().filter(|k| !k.is_empty()) {
            last.index()
                .sort(&mut ids, key, descending)
                .map_err(|e| into_error(Error::bad_option(e)))?;
        }
        last.view = ids;
        Ok(last.view.len() as u32)
    }

    /// Customers at view positions `start..end` (clamped), each with its `index` in the report.
    pub fn rows(&self, start: u32, end: u32) -> Result<JsValue, JsValue> {
        let last = self.last()?;
        let lo = (start as usize).min(last.view.len());
        let hi = (end as usize).clamp(lo, last.view.len());
        let ids = last.view.get(lo..hi).unwrap_or(&[]);
        to_js(&with_index(&last.report, ids))
    }

    /// Customers by their index in the report (unknown indexes are left out).
    pub fn customers(&self, indexes: Vec<u32>) -> Result<JsValue, JsValue> {
        let last = self.last()?;
        to_js(&with_index(&last.report, &indexes))
    }

    /// The last report as the JSON text of docs/report.md, for the writers' wasm (the results
    /// workbook and the customer CSV are written there, from this text).
    pub fn report_json(&self) -> Result<Vec<u8>, JsValue> {
        serde_json::to_vec(&self.last()?.report)
            .map_err(|e| into_error(Error::bad_option(e.to_string())))
    }

    /// For each label and dimension, its values in the view with counts, most frequent first.
    pub fn facets(&self, limit: u32) -> Result<JsValue, JsValue> {
        let last = self.last()?;
        to_js(&last.index().facets(&last.view, limit as usize))
    }
}

/// A file being read while a second worker inflates and scans its largest worksheet
/// (`Book::stream`): the page sends that worksheet's compressed bytes, `part()`, and `spec()` to
/// the other worker's [`Scan`], reads the rest of the file meanwhile (`load`), and feeds the cell
/// streams that come back to `feed`, which stores them and builds the table as rows complete;
/// `finish` gives the [`Session`].
#[wasm_bindgen]
pub struct Reading {
    inner: crate::read::stream::Streaming,
    ahead: crate::table::Ahead,
}

#[wasm_bindgen]
impl Reading {
    /// Finds the largest worksheet and what scanning it needs; `undefined`: open the file with
    /// `new Session` instead. The table is built ahead with `options.mapping`.
    pub fn begin(
        bytes: &[u8],
        options: JsValue,
        progress: Option<js_sys::Function>,
    ) -> Result<Option<Reading>, JsValue> {
        use crate::read::grid::RowSink;
        let options = options_from(options)?;
        let inner = observed(progress, || Book::stream(bytes, &options.limits));
        Ok(inner.map_err(into_error)?.map(|inner| {
            let mut ahead = crate::table::Ahead::new(&options.mapping);
            ahead.begin(inner.sheet());
            Reading { inner, ahead }
        }))
    }

    /// `[offset, compressed length, inflated size, CRC-32, deflated (1) or stored (0)]`.
    pub fn part(&self) -> Vec<f64> {
        let p = self.inner.part();
        vec![
            p.offset as f64,
            p.compressed as f64,
            p.size as f64,
            p.crc.into(),
            u8::from(p.deflated).into(),
        ]
    }

    /// What the other worker's [`Scan`] needs of the workbook.
    pub fn spec(&self) -> Vec<u8> {
        self.inner.spec().to_bytes()
    }

    /// Reads the rest of `bytes` (the file given to `begin`: its shared strings and other
    /// sheets) while the [`Scan`] already runs; `false`: open the file with `new Session` instead.
    pub fn load(
        &mut self,
        bytes: &[u8],
        progress: Option<js_sys::Function>,
    ) -> Result<bool, JsValue> {
        let inner = &mut self.inner;
        observed(progress, || inner.load(bytes)).map_err(into_error)
    }

    /// The next cell stream from the [`Scan`]; `false`: open the file with `new Session`
    /// instead.
    pub fn feed(
        &mut self,
        stream: &[u8],
        progress: Option<js_sys::Function>,
    ) -> Result<bool, JsValue> {
        let (inner, ahead) = (&mut self.inner, &mut self.ahead);
        observed(progress, || inner.feed(stream, ahead)).map_err(into_error)
    }

    /// The session, once every stream is fed; `undefined`: open the file with `new Session`.
    pub fn finish(mut self) -> Result<Option<Session>, JsValue> {
        let book = self.inner.finish(&mut self.ahead).map_err(into_error)?;
        let ahead = Some(self.ahead);
        Ok(book.map(|book| Session {
            book,
            ahead,
            last: None,
            underway: None,
        }))
    }
}

/// Inflates a [`Reading`]'s worksheet (its `part()`) and scans the XML into cell streams, on the
/// other worker: the scanning half of `read::stream`.
#[wasm_bindgen]
pub struct Scan(crate::read::stream::Scan);

#[wasm_bindgen]
impl Scan {
    /// `part` and `spec` as the [`Reading`] gives them.
    #[wasm_bindgen(constructor)]
    pub fn new(part: Vec<f64>, spec: &[u8]) -> Result<Scan, JsValue> {
        let &[offset, compressed, size, crc, deflated] = part.as_slice() else {
            return Err(into_error(Error::bad_option("part: five numbers")));
        };
        let part = crate::read::xlsx::Part {
            offset: offset as u64,
            compressed: compressed as u64,
            size: size as u64,
            crc: crc as u32,
            deflated: deflated != 0.0,
        };
        let spec = crate::read::xlsx::Spec::from_bytes(spec)
            .ok_or_else(|| into_error(Error::bad_option("spec: not a Reading's")))?;
        let piece = crate::read::stream::PIECE;
        Ok(Scan(crate::read::stream::Scan::new(part, spec, piece)))
    }

    /// Adds the next compressed bytes.
    pub fn input(&mut self, piece: &[u8]) {
        self.0.input(piece);
    }

    /// The cells of the next inflated piece, as a stream for [`Reading::feed`]; `undefined`
    /// once the input given is used up. Throws for a damaged entry, and where the worksheet is
    /// to be read whole.
    pub fn next(&mut self) -> Result<Option<Vec<u8>>, JsValue> {
        use crate::read::stream::Scanned;
        match self.0.next_stream().map_err(into_error)? {
            Scanned::Stream(stream) => Ok(Some(stream)),
            Scanned::Hungry => Ok(None),
            Scanned::Declined => Err(read_whole()),
        }
    }

    /// The last stream, once the entry has ended at its declared size and CRC-32; throws
    /// otherwise, and where the worksheet is to be read whole.
    pub fn finish(&mut self) -> Result<Vec<u8>, JsValue> {
        self.0.finish().map_err(into_error)?.ok_or_else(read_whole)
    }
}

/// What a [`Scan`] throws where the worksheet is to be read whole: the reading worker then reads
/// the file the usual way, which gives the usual result or message.
fn read_whole() -> JsValue {
    into_error(Error::corrupt("the worksheet is read whole"))
}

impl Session {
    /// Keeps `report` as the last one, every customer in view, and returns its overview.
    fn keep(&mut self, mut report: Report) -> Result<JsValue, JsValue> {
        let view = (0..report.customers.len() as u32).collect();
        let js = report.with_overview(|o| to_js(o));
        self.last = Some(Last {
            report,
            index: OnceCell::new(),
            view,
        });
        js
    }

    fn last(&self) -> Result<&Last, JsValue> {
        self.last
            .as_ref()
            .ok_or_else(|| into_error(Error::bad_option("analyze the file first")))
    }
}

#[derive(Serialize)]
struct Indexed<'a> {
    index: u32,
    #[serde(flatten)]
    row: &'a crate::report::CustomerRow,
}

fn with_index<'a>(report: &'a Report, ids: &[u32]) -> Vec<Indexed<'a>> {
    ids.iter()
        .filter_map(|&i| {
            report
                .customers
                .get(i as usize)
                .map(|row| Indexed { index: i, row })
        })
        .collect()
}

/// Any table the page shows as CSV, with the same formula protection as the exports.
#[wasm_bindgen]
pub fn table_csv(header: Vec<String>, rows: JsValue) -> Result<String, JsValue> {
    // Read from the parsed JSON by hand: a `Vec<Vec<String>>` deserialiser of its own was 2 KB.
    let bad = || into_error(Error::bad_option("rows must be lists of strings"));
    let rows = match from_js::<serde_json::Value>(&rows)? {
        serde_json::Value::Array(rows) => rows,
        _ => return Err(bad()),
    };
    let rows = rows
        .into_iter()
        .map(|row| match row {
            serde_json::Value::Array(cells) => cells
                .into_iter()
                .map(|cell| match cell {
                    serde_json::Value::String(s) => Ok(s),
                    _ => Err(bad()),
                })
                .collect(),
            _ => Err(bad()),
        })
        .collect::<Result<Vec<Vec<String>>, JsValue>>()?;
    Ok(crate::write::csv::csv(&header, &rows))
}

/// The sample workbook with about `rows` order lines.
#[wasm_bindgen]
pub fn sample(rows: u32) -> Result<Vec<u8>, JsValue> {
    crate::write::sample::orders(rows, 1).map_err(into_error)
}

/// On the other worker: fits and scores the CLV models of a job a [`Session::analyze`] handed
/// out, and returns the answer for [`Session::complete`].
#[wasm_bindgen]
pub fn predict(job: &[f64]) -> Result<Vec<f64>, JsValue> {
    let job = crate::analyze::clv::Job::from_numbers(job)
        .ok_or_else(|| into_error(Error::bad_option("not a CLV job")))?;
    let scored = crate::analyze::clv::score(&job);
    Ok(crate::analyze::clv::scored_to_numbers(&scored))
}

/// The names of every canonical field and label value, in Chinese and English.
#[wasm_bindgen]
pub fn vocabulary() -> Result<JsValue, JsValue> {
    to_js(&crate::report::vocabulary())
}

/// Runs `work`, passing its progress events to `f` (a JS function of one `Progress`).
fn observed<T>(f: Option<js_sys::Function>, work: impl FnOnce() -> T) -> T {
    match f {
        None => work(),
        Some(f) => progress::observe(
            move |p: &Progress| {
                if let Ok(v) = to_js(p) {
                    let _ = f.call1(&JsValue::NULL, &v);
                }
            },
            work,
        ),
    }
}

// Values cross the boundary as JSON text: serde_json writes it here and the engine's own
// `JSON.parse` builds the objects, which is several times faster than building them one
// property at a time from wasm, and the wasm holds one serialiser per type (the exports, written
// by the other wasm, read the same text). Options are read from the parsed JSON by hand (`Options::read`).

fn from_js<T: serde::de::DeserializeOwned>(v: &JsValue) -> Result<T, JsValue> {
    let text = js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| into_error(Error::bad_option("not a JSON value")))?;
    serde_json::from_str(&text).map_err(|e| into_error(Error::bad_option(e.to_string())))
}

fn query_from(query: JsValue) -> Result<serde_json::Value, JsValue> {
    if query.is_undefined() || query.is_null() {
        return Ok(serde_json::Value::Null);
    }
    from_js(&query)
}

/// The options, with today's date in the browser's time zone unless they name a day.
fn options_from(v: JsValue) -> Result<Options, JsValue> {
    let mut o: Options = if v.is_undefined() || v.is_null() {
        Options::default()
    } else {
        Options::read(&from_js::<serde_json::Value>(&v)?).map_err(into_error)?
    };
    if o.today.is_none() {
        let now = js_sys::Date::new_0();
        o.today = chrono::NaiveDate::from_ymd_opt(
            now.get_full_year() as i32,
            now.get_month() + 1,
            now.get_date(),
        );
    }
    Ok(o)
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text =
        serde_json::to_string(value).map_err(|e| into_error(Error::bad_option(e.to_string())))?;
    js_sys::JSON::parse(&text)
}

fn into_error(e: Error) -> JsValue {
    serde_json::to_string(&e)
        .ok()
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .unwrap_or_else(|| JsValue::from_str(&e.to_string()))
}
