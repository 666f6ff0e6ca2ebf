//! Progress of the long steps (reading, mapping, analysing), for a page that draws a progress
//! bar while a worker reads a million rows.
//!
//! The core has no callbacks in its signatures: a caller that wants progress wraps the work in
//! [`observe`], and the readers call [`report`] every few thousand rows. Without an observer a
//! report is one thread-local read. The sink runs on the calling thread, inside the work, so it
//! must be quick (the wasm bindings post one small message).

use serde::Serialize;
use std::cell::RefCell;

/// The step under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Cells into the grid; `rows` is the row reached in the sheet being read.
    Reading,
    /// Header, column mapping, normalization and customer resolution.
    Mapping,
    /// Per-customer facts and every analysis.
    Analysing,
}

/// One progress event.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub phase: Phase,
    /// The sheet being read, when reading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Rows done in this phase (0 where the phase does not count rows).
    pub rows: u64,
    /// Fraction of the phase done, 0 to 1, where it is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
}

type Sink = Box<dyn FnMut(&Progress)>;

thread_local! {
    static SINK: RefCell<Option<Sink>> = const { RefCell::new(None) };
}

/// Runs `work` with `sink` receiving its progress events; the previous sink (if any) is
/// restored afterwards, also when `work` panics and the panic is caught further up.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // the page's bindings call it
pub fn observe<T>(sink: impl FnMut(&Progress) + 'static, work: impl FnOnce() -> T) -> T {
    struct Restore(Option<Sink>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let old = self.0.take();
            let _ = SINK.try_with(|s| {
                if let Ok(mut s) = s.try_borrow_mut() {
                    *s = old;
                }
            });
        }
    }
    let old = SINK.with(|s| s.borrow_mut().replace(Box::new(sink)));
    let _restore = Restore(old);
    work()
}

/// Sends an event to the observer, if there is one. A sink that reports again from inside
/// itself is ignored rather than allowed to panic.
pub fn report(phase: Phase, sheet: Option<&str>, rows: u64, fraction: Option<f64>) {
    let _ = SINK.try_with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            if let Some(sink) = s.as_mut() {
                sink(&Progress {
                    phase,
                    sheet: sheet.map(str::to_string),
                    rows,
                    fraction: fraction.map(|f| f.clamp(0.0, 1.0)),
                });
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn events_reach_the_observer_only_inside_observe() {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let s = Rc::clone(&seen);
        report(Phase::Reading, None, 1, None);
        let out = observe(
            move |p| s.borrow_mut().push((p.phase, p.rows, p.fraction)),
            || {
                report(Phase::Reading, Some("订单"), 4096, Some(0.5));
                report(Phase::Analysing, None, 0, Some(2.0));
                7
            },
        );
        report(Phase::Mapping, None, 9, None);
        assert_eq!(out, 7);
        assert_eq!(
            *seen.borrow(),
            vec![
                (Phase::Reading, 4096, Some(0.5)),
                (Phase::Analysing, 0, Some(1.0))
            ]
        );
    }
}
