//! Streaming: a window over an inflating reader.
//!
//! The parts read in one go (the shared strings, every worksheet but a streamed one) pull their
//! inflated bytes through a [`Window`]: it starts at [`WINDOW`] and grows while one element does
//! not fit, within the text limit, which also bounds the elements a streamed read accepts
//! ([`longest_element`]).

use super::{fall, Step, Stop};
use crate::error::{Error, Limit};
use crate::read::grid::Limits;
use std::io::Read;

/// Initial size of the streaming window.
pub(super) const WINDOW: usize = 256 << 10;

/// The longest element a whole read holds: its window starts at [`WINDOW`] and doubles while it
/// stays within the text limit and a megabyte (`Window::more`). A streamed read refuses the same.
pub(super) fn longest_element(limits: &Limits) -> usize {
    let bound = limits.max_text_bytes.saturating_add(1 << 20);
    let mut window = WINDOW as u64;
    while window.saturating_mul(2) <= bound {
        window *= 2;
    }
    usize::try_from(window).unwrap_or(usize::MAX)
}

/// An element longer than the window may grow to: too large for the text limit, whole or streamed.
pub(super) fn too_long<T>(limits: &Limits) -> Step<T> {
    Err(Stop::Err(Error::too_large(
        Limit::TextBytes,
        limits.max_text_bytes,
    )))
}

pub(super) struct Window<R: Read> {
    src: R,
    buf: Vec<u8>,
    lo: usize,
    hi: usize,
    /// Bytes read from `src` so far, for progress.
    pub(super) read: u64,
}

impl<R: Read> Window<R> {
    pub(super) fn new(src: R, size: usize) -> Self {
        Window {
            src,
            buf: vec![0; size.max(16)],
            lo: 0,
            hi: 0,
            read: 0,
        }
    }

    pub(super) fn data(&self) -> &[u8] {
        self.buf.get(self.lo..self.hi).unwrap_or(&[])
    }

    pub(super) fn consume(&mut self, n: usize) {
        self.lo = (self.lo + n).min(self.hi);
    }

    /// Reads more bytes after what is unconsumed; `false` at the end of the part.
    pub(super) fn more(&mut self, limits: &Limits) -> Step<bool> {
        if self.lo > 0 {
            self.buf.copy_within(self.lo..self.hi, 0);
            self.hi -= self.lo;
            self.lo = 0;
        }
        if self.hi == self.buf.len() {
            // One element larger than the window: grow, within the text limit.
            let grown = self.buf.len().saturating_mul(2);
            if grown as u64 > limits.max_text_bytes.saturating_add(1 << 20) {
                return too_long(limits);
            }
            self.buf.resize(grown, 0);
        }
        let Some(space) = self.buf.get_mut(self.hi..) else {
            return Ok(false);
        };
        loop {
            match self.src.read(space) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.hi += n;
                    self.read += n as u64;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return fall(format!("inflate: {e}")),
            }
        }
    }
}
