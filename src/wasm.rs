//! The wasm bindings: the only module that knows `JsValue`. A [`Session`] holds a file read once,
//! so a new mapping or option re-runs the analysis without re-reading the bytes. Options come in
//! and reports go out through serde; errors cross as values (`{code, message_zh, message_en}`),
//! never as traps.

use crate::{Book, Error, Options};
use serde::Serialize;
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
export interface Options {
  sheet?: string; mapping?: Record<string, string>; as_of?: string; limits?: object;
  rfm?: object; abc?: object; value?: object; lifecycle?: object; alerts?: object;
  distribution?: object; customer_flow?: object; performance?: object; bcg?: object;
  clusters?: object; csi?: object; credit?: object; cross_sell?: object;
}
"#;

/// A file read into memory, ready to be analysed with any mapping and options.
#[wasm_bindgen]
pub struct Session {
    book: Book,
    /// The last report's customers, for `filter`.
    index: Option<crate::filter::Index>,
}

#[wasm_bindgen]
impl Session {
    /// Reads `bytes` (any supported format). `options` may carry `limits`.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8], options: JsValue) -> Result<Session, JsValue> {
        let options = options_from(options)?;
        let book = Book::open(bytes, &options.limits).map_err(into_error)?;
        Ok(Session { book, index: None })
    }

    /// The sheets with their size, visibility and kind.
    pub fn sheets(&self) -> Result<JsValue, JsValue> {
        to_js(&self.book.sheets)
    }

    /// The full report for `options` (docs/analyses.md); see docs/report.md.
    pub fn analyze(&mut self, options: JsValue) -> Result<JsValue, JsValue> {
        let options = options_from(options)?;
        let report = crate::analyze_book(&self.book, &options).map_err(into_error)?;
        let js = to_js(&report);
        self.index = Some(crate::filter::Index::new(&report));
        js
    }

    /// Indexes into the last report's `customers` that match `query` (see `filter`).
    pub fn filter(&self, query: JsValue) -> Result<Vec<u32>, JsValue> {
        let index = self
            .index
            .as_ref()
            .ok_or_else(|| into_error(Error::bad_option("filter: analyze the file first")))?;
        let q: serde_json::Value = if query.is_undefined() || query.is_null() {
            serde_json::Value::Null
        } else {
            serde_wasm_bindgen::from_value(query)
                .map_err(|e| into_error(Error::bad_option(e.to_string())))?
        };
        index
            .filter(&q)
            .map_err(|e| into_error(Error::bad_option(e)))
    }
}

/// Reads and analyses in one call.
#[wasm_bindgen]
pub fn analyze(bytes: &[u8], options: JsValue) -> Result<JsValue, JsValue> {
    let options = options_from(options)?;
    let report = crate::analyze(bytes, &options).map_err(into_error)?;
    to_js(&report)
}

fn options_from(v: JsValue) -> Result<Options, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(Options::default());
    }
    // Through serde_json so that unknown keys are refused (serde-wasm-bindgen reads only the
    // fields a struct names, which would let a misspelt option pass silently).
    let json: serde_json::Value = serde_wasm_bindgen::from_value(v)
        .map_err(|e| into_error(Error::bad_option(e.to_string())))?;
    serde_json::from_value(json).map_err(|e| into_error(Error::bad_option(e.to_string())))
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| into_error(Error::bad_option(e.to_string())))
}

fn into_error(e: Error) -> JsValue {
    e.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or_else(|_| JsValue::from_str(&e.to_string()))
}
