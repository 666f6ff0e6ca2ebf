//! The XML the reader needs and no more: tags and attributes of small parts read whole, the
//! markup to skip or fall back on, and text with its entities, line ends and `_xHHHH_` escapes.

use super::{fall, Step};
use memchr::{memchr, memchr3, memmem};

pub(super) fn utf8(b: &[u8]) -> Step<&str> {
    match std::str::from_utf8(b) {
        Ok(s) => Ok(s),
        Err(_) => fall("invalid UTF-8"),
    }
}

// ---------------------------------------------------------------------------------------------
// Tags of small parts (relationships, workbook, styles), read whole.
// ---------------------------------------------------------------------------------------------

/// One tag: its local name, whether it closes, whether it is self-closing, its attribute bytes.
pub(super) struct Tag<'a> {
    pub(super) local: &'a [u8],
    pub(super) end: bool,
    pub(super) empty: bool,
    pub(super) attrs: &'a [u8],
}

impl<'a> Tag<'a> {
    /// Parses the bytes between `<` and `>`.
    pub(super) fn parse(inner: &'a [u8]) -> Tag<'a> {
        let (end, inner) = match inner.split_first() {
            Some((b'/', rest)) => (true, rest),
            _ => (false, inner),
        };
        let (empty, inner) = match inner.split_last() {
            Some((b'/', rest)) => (true, rest),
            _ => (false, inner),
        };
        let name_end = inner
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .unwrap_or(inner.len());
        let (name, attrs) = inner.split_at(name_end);
        Tag {
            local: local_of(name),
            end,
            empty,
            attrs,
        }
    }

    /// The raw value of the attribute whose full name is `key`.
    pub(super) fn attr(&self, key: &[u8]) -> Option<&'a [u8]> {
        self.attrs()
            .find(|(k, _)| k.as_ref().is_ok_and(|k| *k == key))
            .map(|(_, v)| v)
    }

    pub(super) fn attrs(&self) -> Attrs<'a> {
        Attrs { rest: self.attrs }
    }
}

pub(super) fn local_of(name: &[u8]) -> &[u8] {
    match memchr::memrchr(b':', name) {
        Some(i) => name.get(i + 1..).unwrap_or(name),
        None => name,
    }
}

/// Attributes as (name, raw value); a malformed attribute yields an `Err` name and ends.
pub(super) struct Attrs<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Attrs<'a> {
    type Item = (std::result::Result<&'a [u8], ()>, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let s = self.rest;
        let start = s.iter().position(|b| !b.is_ascii_whitespace())?;
        let s = s.get(start..)?;
        let eq = memchr(b'=', s);
        let Some(eq) = eq else {
            self.rest = &[];
            return Some((Err(()), &[]));
        };
        let key = trim_ascii(s.get(..eq)?);
        let after = trim_start(s.get(eq + 1..)?);
        let Some((&q, body)) = after.split_first() else {
            self.rest = &[];
            return Some((Err(()), &[]));
        };
        if q != b'"' && q != b'\'' {
            self.rest = &[];
            return Some((Err(()), &[]));
        }
        let Some(close) = memchr(q, body) else {
            self.rest = &[];
            return Some((Err(()), &[]));
        };
        self.rest = body.get(close + 1..).unwrap_or(&[]);
        Some((Ok(key), body.get(..close).unwrap_or(&[])))
    }
}

fn trim_ascii(s: &[u8]) -> &[u8] {
    trim_start(s).trim_ascii_end()
}

fn trim_start(s: &[u8]) -> &[u8] {
    s.trim_ascii_start()
}

/// Iterates the tags of a whole part. Comments, processing instructions and text are skipped;
/// a DOCTYPE or CDATA section, or a tag left open, stops with a fall-back.
pub(super) struct Tags<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Tags<'a> {
    pub(super) fn new(data: &'a [u8]) -> Self {
        Tags { data, pos: 0 }
    }
}

impl<'a> Iterator for Tags<'a> {
    type Item = Step<Tag<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let rest = self.data.get(self.pos..)?;
            let lt = memchr(b'<', rest)?;
            let at = self.pos + lt;
            match special(self.data, at) {
                Special::Skip(end) => {
                    self.pos = end;
                    continue;
                }
                Special::FallBack(why) => {
                    self.pos = self.data.len();
                    return Some(fall(why));
                }
                Special::Incomplete => {
                    self.pos = self.data.len();
                    return Some(fall("unterminated markup"));
                }
                Special::Tag => {}
            }
            let Some(gt) = tag_end(self.data, at + 1) else {
                self.pos = self.data.len();
                return Some(fall("unterminated tag"));
            };
            self.pos = gt + 1;
            return Some(Ok(Tag::parse(self.data.get(at + 1..gt)?)));
        }
    }
}

pub(super) enum Special {
    /// An ordinary tag starts here.
    Tag,
    /// A comment or processing instruction ending before this index.
    Skip(usize),
    FallBack(&'static str),
    /// The markup runs past the end of the bytes given.
    Incomplete,
}

/// Classifies the markup at `at` (a `<`).
pub(super) fn special(data: &[u8], at: usize) -> Special {
    let rest = data.get(at..).unwrap_or(&[]);
    if rest.starts_with(b"<!--") {
        match memmem::find(rest, b"-->") {
            Some(e) => Special::Skip(at + e + 3),
            None => Special::Incomplete,
        }
    } else if rest.starts_with(b"<?") {
        match memmem::find(rest, b"?>") {
            Some(e) => Special::Skip(at + e + 2),
            None => Special::Incomplete,
        }
    } else if rest.starts_with(b"<!") {
        if rest.len() < 9 {
            return Special::Incomplete;
        }
        Special::FallBack("DOCTYPE or CDATA")
    } else if rest.len() < 2 {
        Special::Incomplete
    } else {
        Special::Tag
    }
}

/// Index of the `>` closing the tag whose name starts at `from`, skipping quoted values.
pub(super) fn tag_end(data: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        let rest = data.get(i..)?;
        let k = memchr3(b'>', b'"', b'\'', rest)?;
        let at = i + k;
        let b = *data.get(at)?;
        if b == b'>' {
            return Some(at);
        }
        let close = memchr(b, data.get(at + 1..)?)?;
        i = at + 1 + close + 1;
    }
}

// ---------------------------------------------------------------------------------------------
// Text: entities, line ends, Excel's _xHHHH_ escapes.
// ---------------------------------------------------------------------------------------------

/// Appends XML text with its entities resolved and line ends normalized (XML 1.0: CR LF and a
/// lone CR become LF), as quick-xml gives calamine its text.
pub(super) fn decode_into(raw: &[u8], out: &mut String) -> Step<()> {
    let mut i = 0;
    while i < raw.len() {
        let rest = raw.get(i..).unwrap_or(&[]);
        let Some(k) = memchr::memchr2(b'&', b'\r', rest) else {
            out.push_str(utf8(rest)?);
            break;
        };
        out.push_str(utf8(rest.get(..k).unwrap_or(&[]))?);
        i += k;
        if raw.get(i) == Some(&b'\r') {
            out.push('\n');
            i += if raw.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
            continue;
        }
        let Some(semi) = memchr(b';', raw.get(i..).unwrap_or(&[])) else {
            return fall("bad entity");
        };
        let name = raw.get(i + 1..i + semi).unwrap_or(&[]);
        match name {
            b"amp" => out.push('&'),
            b"lt" => out.push('<'),
            b"gt" => out.push('>'),
            b"quot" => out.push('"'),
            b"apos" => out.push('\''),
            _ => {
                let code = match name {
                    [b'#', b'x' | b'X', hex @ ..] => u32::from_str_radix(utf8(hex)?, 16).ok(),
                    [b'#', dec @ ..] => utf8(dec)?.parse::<u32>().ok(),
                    _ => None,
                };
                match code.and_then(char::from_u32) {
                    Some(c) => out.push(c),
                    None => return fall("unknown entity"),
                }
            }
        }
        i += semi + 1;
    }
    Ok(())
}

pub(super) fn decode_attr(raw: &[u8]) -> Step<String> {
    let mut s = String::new();
    decode_into(raw, &mut s)?;
    Ok(s)
}

/// Excel's `_xHHHH_` escapes (a UTF-16 code unit each), as calamine's `unescape_xml`.
pub(super) fn unescape_x(s: &str) -> std::borrow::Cow<'_, str> {
    let unit_at = |i: usize| -> Option<u16> {
        let b = s.as_bytes().get(i..i + 7)?;
        if b.first() != Some(&b'_') || b.get(1) != Some(&b'x') || b.get(6) != Some(&b'_') {
            return None;
        }
        let hex = std::str::from_utf8(b.get(2..6)?).ok()?;
        if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u16::from_str_radix(hex, 16).ok()
    };
    let find = |from: usize| -> Option<(usize, u16)> {
        let mut start = from;
        while let Some(off) = s.get(start..)?.find('_') {
            let i = start + off;
            if let Some(u) = unit_at(i) {
                return Some((i, u));
            }
            start = i + 1;
        }
        None
    };
    let Some((mut index, mut unit)) = find(0) else {
        return std::borrow::Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    loop {
        out.push_str(s.get(copied..index).unwrap_or(""));
        index += 7;
        match unit {
            0xD800..=0xDBFF => match unit_at(index) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let cp =
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER));
                    index += 7;
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = index;
        match find(index) {
            Some(next) => (index, unit) = next,
            None => break,
        }
    }
    out.push_str(s.get(copied..).unwrap_or(""));
    std::borrow::Cow::Owned(out)
}
