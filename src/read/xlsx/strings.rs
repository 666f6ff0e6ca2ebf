//! Strings: the text of a string item (`<si>` in the shared strings, `<is>` in a cell), and the
//! shared-string table read into a pool, the common plain item without parsing its tags.

use super::window::Window;
use super::xml::{decode_into, special, tag_end, unescape_x, Special, Tag};
use super::{fall, Step};
use crate::read::grid::{Limits, StringPool};
use memchr::{memchr, memmem};
use std::io::Read;

/// The text of a string item (`<si>`, `<is>`): the `<t>` runs outside phonetic `<rPh>` runs,
/// each trimmed of ASCII whitespace unless `xml:space="preserve"`, joined.
pub(super) fn rich_text(inner: &[u8], out: &mut String) -> Step<()> {
    let mut phonetic = false;
    let mut pos = 0;
    let mut piece = String::new();
    while let Some(lt) = memchr(b'<', inner.get(pos..).unwrap_or(&[])) {
        let at = pos + lt;
        match special(inner, at) {
            Special::Skip(end) => {
                pos = end;
                continue;
            }
            Special::FallBack(why) => return fall(why),
            Special::Incomplete => return fall("unterminated markup in text"),
            Special::Tag => {}
        }
        let Some(gt) = tag_end(inner, at + 1) else {
            return fall("unterminated tag in text");
        };
        let tag = Tag::parse(inner.get(at + 1..gt).unwrap_or(&[]));
        pos = gt + 1;
        match (tag.local, tag.end) {
            (b"rPh", false) if !tag.empty => phonetic = true,
            (b"rPh", true) => phonetic = false,
            (b"t", false) => {
                if tag.empty {
                    continue;
                }
                let Some(close) = memchr(b'<', inner.get(pos..).unwrap_or(&[])) else {
                    return fall("unterminated <t>");
                };
                let raw = inner.get(pos..pos + close).unwrap_or(&[]);
                // The text must end at this element's own end tag.
                let next = inner.get(pos + close..).unwrap_or(&[]);
                if next.starts_with(b"<!") {
                    return fall("CDATA or comment in text");
                }
                pos += close;
                if phonetic {
                    continue;
                }
                piece.clear();
                decode_into(raw, &mut piece)?;
                let preserve = tag.attr(b"xml:space") == Some(b"preserve");
                let text = if preserve {
                    piece.as_str()
                } else {
                    piece.trim_matches([' ', '\t', '\r', '\n'])
                };
                out.push_str(&unescape_x(text));
            }
            _ => {}
        }
    }
    Ok(())
}

pub(super) fn read_shared_strings<R: Read>(
    mut w: Window<R>,
    pool: &mut StringPool,
    limits: &Limits,
) -> Step<()> {
    let mut text = String::new();
    let mut close = Vec::new();
    loop {
        let data = w.data();
        let Some(lt) = memchr(b'<', data) else {
            let n = data.len();
            w.consume(n);
            if !w.more(limits)? {
                return Ok(());
            }
            continue;
        };
        // The common item, `<si>` and one plain `<t>`, without parsing its tags.
        let rest = data.get(lt..).unwrap_or(&[]);
        if let Some((plain, used)) = rest.strip_prefix(b"<si>").and_then(plain_item) {
            pool.push(plain, limits)?;
            w.consume(lt + 4 + used);
            continue;
        }
        match special(data, lt) {
            Special::Skip(end) => {
                w.consume(end);
                continue;
            }
            Special::FallBack(why) => return fall(why),
            Special::Incomplete => {
                w.consume(lt);
                if !w.more(limits)? {
                    return fall("truncated shared strings");
                }
                continue;
            }
            Special::Tag => {}
        }
        let Some(gt) = tag_end(data, lt + 1) else {
            w.consume(lt);
            if !w.more(limits)? {
                return fall("truncated shared strings");
            }
            continue;
        };
        let inner = data.get(lt + 1..gt).unwrap_or(&[]);
        let tag = Tag::parse(inner);
        if tag.local != b"si" || tag.end {
            w.consume(gt + 1);
            continue;
        }
        text.clear();
        if tag.empty {
            pool.push("", limits)?;
            w.consume(gt + 1);
            continue;
        }
        if let Some((plain, used)) = plain_item(data.get(gt + 1..).unwrap_or(&[])) {
            pool.push(plain, limits)?;
            w.consume(gt + 1 + used);
            continue;
        }
        // The whole item up to its end tag.
        close.clear();
        close.extend_from_slice(b"</");
        close.extend_from_slice(inner.get(..inner.len() - tag.attrs.len()).unwrap_or(b"si"));
        close.push(b'>');
        let Some(end) = memmem::find(data.get(gt + 1..).unwrap_or(&[]), &close) else {
            w.consume(lt);
            if !w.more(limits)? {
                return fall("truncated shared string");
            }
            continue;
        };
        rich_text(data.get(gt + 1..gt + 1 + end).unwrap_or(&[]), &mut text)?;
        pool.push(&text, limits)?;
        w.consume(gt + 1 + end + close.len());
    }
}

/// The text of a shared-string item that is one plain `<t>` (`<t>text</t></si>`: no entity, no
/// CR, no `_` (which may begin an `_xHHHH_` escape), not a rich or phonetic run), trimmed of edge
/// spaces, tabs and line feeds unless `xml:space="preserve"`, with the bytes it spans: most items
/// are, and they need none of [`rich_text`]'s work. Anything else is `None`, and is read the
/// general way.
fn plain_item(rest: &[u8]) -> Option<(&str, usize)> {
    const PRESERVE: &[u8] = b"<t xml:space=\"preserve\">";
    let (open, preserve) = if rest.starts_with(b"<t>") {
        (3, false)
    } else if rest.starts_with(PRESERVE) {
        (PRESERVE.len(), true)
    } else {
        return None;
    };
    let body = rest.get(open..)?;
    let close = memchr(b'<', body)?;
    if !body.get(close..)?.starts_with(b"</t></si>") {
        return None;
    }
    let raw = body.get(..close)?;
    if memchr::memchr3(b'&', b'\r', b'_', raw).is_some() {
        return None;
    }
    let text = std::str::from_utf8(raw).ok()?;
    let edge = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t' | b'\n'));
    let text = if preserve || !(edge(raw.first()) || edge(raw.last())) {
        text
    } else {
        text.trim_matches([' ', '\t', '\r', '\n'])
    };
    Some((text, open + close + b"</t></si>".len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The plain-item path reads what the general one does, wherever it applies.
        #[test]
        fn plain_items_read_as_rich_text(text in "[ a-z_&<\r\n\t中x0-9]{0,12}", preserve: bool) {
            let escaped = text.replace('&', "&amp;").replace('<', "&lt;");
            let open = if preserve { r#"<t xml:space="preserve">"# } else { "<t>" };
            let item = format!("{open}{escaped}</t></si>");
            let mut general = String::new();
            rich_text(item.strip_suffix("</si>").unwrap_or(&item).as_bytes(), &mut general)
                .unwrap_or_else(|_| panic!());
            if let Some((plain, used)) = plain_item(item.as_bytes()) {
                proptest::prop_assert_eq!(plain, general.as_str());
                proptest::prop_assert_eq!(used, item.len());
            } else {
                proptest::prop_assert!(text.contains(['&', '<', '\r', '_']), "{:?}", text);
            }
        }
    }

    #[test]
    fn shared_strings_like_calamine() {
        let xml = r#"<sst count="4"><si><t>  plain  </t></si><si><r><t>a</t></r><r><t xml:space="preserve"> b</t></r><rPh sb="0" eb="1"><t>phon</t></rPh></si><si/><si><t>x_x0041_y &lt;&#20013;&gt;</t></si></sst>"#;
        let mut pool = StringPool::without_dedupe();
        read_shared_strings(
            Window::new(xml.as_bytes(), 5),
            &mut pool,
            &Limits::default(),
        )
        .unwrap_or_else(|_| panic!());
        let got: Vec<&str> = (0..pool.len() as u32).map(|i| pool.get(i)).collect();
        assert_eq!(got, vec!["plain", "a b", "", "xAy <中>"]);
    }
}
