//! The bindings of the page's second wasm (built with the `writer` feature): the results
//! workbook and the customer CSV of a report's JSON text, and the blank templates. The page
//! loads it on the first export or template, so rust_xlsxwriter (most of this module's bytes) is
//! not in the wasm every visitor downloads. Errors cross as values, as in `wasm.rs`.

use crate::report::Lang;
use crate::Error;
use wasm_bindgen::prelude::*;

/// The results workbook (xlsx) of a report's JSON text (`Session.report_json`), headers and
/// labels in `lang` (zh or en).
#[wasm_bindgen]
pub fn workbook(report: &[u8], lang: &str) -> Result<Vec<u8>, JsValue> {
    crate::write::export::workbook_of_json(report, lang_of(lang)?).map_err(into_error)
}

/// The customer table of a report's JSON text as CSV (formula-safe, UTF-8 with BOM).
#[wasm_bindgen]
pub fn customers_csv(report: &[u8], lang: &str) -> Result<String, JsValue> {
    crate::write::export::customers_csv_of_json(report, lang_of(lang)?).map_err(into_error)
}

/// A blank template: `register`, `personal` or `orders`.
#[wasm_bindgen]
pub fn template(kind: &str) -> Result<Vec<u8>, JsValue> {
    match kind {
        "register" => crate::write::template::register(),
        "personal" => crate::write::template::personal(),
        "orders" => crate::write::template::orders(),
        other => Err(Error::bad_option(format!(
            "template '{other}': register, personal or orders"
        ))),
    }
    .map_err(into_error)
}

fn lang_of(s: &str) -> Result<Lang, JsValue> {
    match s {
        "zh" | "" => Ok(Lang::Zh),
        "en" => Ok(Lang::En),
        other => Err(into_error(Error::bad_option(format!(
            "language '{other}': zh or en"
        )))),
    }
}

fn into_error(e: Error) -> JsValue {
    serde_json::to_string(&e)
        .ok()
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .unwrap_or_else(|| JsValue::from_str(&e.to_string()))
}
