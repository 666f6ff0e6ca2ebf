//! Little-endian numbers in the byte messages the page's two workers send each other (the CLV
//! models' job and its answer, see `predict`). A message is never trusted: reading past its end
//! is `None`, and nothing is allocated from a count read here without the caller bounding it by
//! the bytes left.

/// Appends numbers to a message.
#[derive(Debug, Default)]
pub struct Writer(Vec<u8>);

impl Writer {
    pub fn with_capacity(n: usize) -> Writer {
        Writer(Vec::with_capacity(n))
    }

    pub fn u8(&mut self, x: u8) {
        self.0.push(x);
    }

    pub fn u32(&mut self, x: u32) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }

    pub fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }

    pub fn f64(&mut self, x: f64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

/// Reads numbers from a message in the order they were written.
#[derive(Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data, pos: 0 }
    }

    /// Bytes not yet read.
    pub fn left(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let end = self.pos.checked_add(N)?;
        let mut w = [0u8; N];
        w.copy_from_slice(self.data.get(self.pos..end)?);
        self.pos = end;
        Some(w)
    }

    pub fn u8(&mut self) -> Option<u8> {
        self.take::<1>().map(|[b]| b)
    }

    pub fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }

    pub fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }

    pub fn f64(&mut self) -> Option<f64> {
        self.take().map(f64::from_le_bytes)
    }

    /// A flag written as 0 or 1.
    pub fn bool(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_and_a_short_message_is_none() {
        let mut w = Writer::default();
        w.u8(1);
        w.u32(7);
        w.u64(u64::MAX);
        w.f64(-0.5);
        let b = w.into_bytes();
        let mut r = Reader::new(&b);
        assert_eq!(r.bool(), Some(true));
        assert_eq!(r.u32(), Some(7));
        assert_eq!(r.u64(), Some(u64::MAX));
        assert_eq!(r.f64(), Some(-0.5));
        assert_eq!((r.left(), r.u8()), (0, None));
        let mut short = Reader::new(b.get(..b.len() - 1).unwrap_or(&[]));
        short.u8();
        short.u32();
        short.u64();
        assert_eq!(short.f64(), None);
        assert_eq!(Reader::new(&[2]).bool(), None);
    }
}
