//! Inflating one zip entry in pieces, checked against the size and CRC-32 its central directory
//! declares. In the browser a second worker runs this on a worksheet's compressed bytes while the
//! first scans what it yields (`book::Streaming`), so inflating and reading cells take two cores;
//! read in one thread, the zip reader inflates and checks the same way.
//!
//! It never yields more than the declared size (an entry that inflates further is an error, as in
//! the zip reader), and the caller bounds each piece it takes out.

use crate::error::{Error, Result};
use crate::read::xlsx::Part;
use flate2::{Decompress, FlushDecompress, Status};

/// One entry's inflation, fed its compressed bytes in pieces.
pub struct Inflater {
    part: Part,
    /// `None` for a stored entry.
    z: Option<Decompress>,
    crc: crc32fast::Hasher,
    /// Compressed bytes given and not yet inflated.
    input: Vec<u8>,
    used: usize,
    /// Inflated bytes yielded so far.
    out: u64,
    ended: bool,
}

impl Inflater {
    pub fn new(part: Part) -> Self {
        Inflater {
            part,
            z: part.deflated.then(|| Decompress::new(false)),
            crc: crc32fast::Hasher::new(),
            input: Vec::new(),
            used: 0,
            out: 0,
            ended: false,
        }
    }

    /// Adds the next compressed bytes.
    pub fn input(&mut self, piece: &[u8]) {
        self.input.drain(..self.used.min(self.input.len()));
        self.used = 0;
        self.input.extend_from_slice(piece);
    }

    /// Up to `max` (at least 1) more inflated bytes; `None` once the input given so far is used
    /// up, or at the entry's end.
    pub fn next(&mut self, max: usize) -> Result<Option<Vec<u8>>> {
        let left = self.part.size.saturating_sub(self.out);
        // One byte past the declared size, to see an entry that inflates further.
        let room = (max.max(1) as u64).min(left.saturating_add(1)) as usize;
        let rest = self.input.get(self.used..).unwrap_or(&[]);
        let mut out: Vec<u8> = Vec::with_capacity(room);
        match &mut self.z {
            None => {
                let n = rest.len().min(room);
                out.extend_from_slice(rest.get(..n).unwrap_or(&[]));
                self.used += n;
            }
            Some(z) => {
                while !self.ended && out.len() < room {
                    let rest = self.input.get(self.used..).unwrap_or(&[]);
                    let (before_in, before_out) = (z.total_in(), out.len());
                    let status = z
                        .decompress_vec(rest, &mut out, FlushDecompress::None)
                        .map_err(|e| Error::corrupt(format!("inflate: {e}")))?;
                    self.used += (z.total_in() - before_in) as usize;
                    match status {
                        Status::StreamEnd => self.ended = true,
                        _ if out.len() == before_out && z.total_in() == before_in => break,
                        _ => {}
                    }
                }
            }
        }
        if out.is_empty() {
            return Ok(None);
        }
        self.out += out.len() as u64;
        if self.out > self.part.size {
            return Err(Error::corrupt("zip part inflates past its declared size"));
        }
        self.crc.update(&out);
        Ok(Some(out))
    }

    /// Checks, once every piece is in and inflated, that the entry ended at its declared size and
    /// CRC-32.
    pub fn finish(&self) -> Result<()> {
        let ended = self.ended || self.z.is_none();
        if !ended || self.out != self.part.size {
            return Err(Error::corrupt("zip part shorter than declared"));
        }
        if self.crc.clone().finalize() != self.part.crc {
            return Err(Error::corrupt("zip part fails its CRC-32 check"));
        }
        Ok(())
    }
}

/// Inflates `compressed`, the part's bytes, `input` bytes in at a time, handing `each` pieces of at
/// most `output` bytes, and checks the entry at its end. `Ok(false)`: `each` asked to stop.
pub fn pieces(
    part: Part,
    compressed: &[u8],
    input: usize,
    output: usize,
    mut each: impl FnMut(Vec<u8>) -> bool,
) -> Result<bool> {
    let mut inflater = Inflater::new(part);
    for chunk in compressed.chunks(input.max(1)) {
        inflater.input(chunk);
        while let Some(piece) = inflater.next(output)? {
            if !each(piece) {
                return Ok(false);
            }
        }
    }
    inflater.finish().map(|()| true)
}
