//! Go's `encoding/pem.Decode`: the first well-formed block wins; malformed blocks are skipped
//! and the search continues (spec §5.3, Appendix A).

use crate::json::gobase64;

/// One PEM block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The label after `BEGIN `.
    pub label: String,
    /// The decoded body.
    pub der: Vec<u8>,
    /// Byte range of the whole block in the input.
    pub span: std::ops::Range<usize>,
}

/// `getLine`: the line without its `\n`, with trailing spaces, tabs and `\r` trimmed; the rest.
fn get_line(data: &[u8]) -> (&[u8], &[u8]) {
    let (line, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[data.len()..]),
    };
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b' ' | b'\t' | b'\r') {
        end -= 1;
    }
    (&line[..end], rest)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decodes the first valid PEM block of `data` (and the offset where the rest starts).
pub fn decode(data: &[u8]) -> Option<(Block, usize)> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    const END: &[u8] = b"\n-----END ";
    const EOL: &[u8] = b"-----";
    let base = data.as_ptr() as usize;
    let off = |s: &[u8]| s.as_ptr() as usize - base;
    let mut rest = data;
    loop {
        let block_start;
        if rest.starts_with(BEGIN) {
            block_start = off(rest);
            rest = &rest[BEGIN.len()..];
        } else if let Some(i) = find(rest, b"\n-----BEGIN ") {
            block_start = off(rest) + i + 1;
            rest = &rest[i + 1 + BEGIN.len()..];
        } else {
            return None;
        }
        let (type_line, after) = get_line(rest);
        rest = after;
        if !type_line.ends_with(EOL) {
            continue;
        }
        let label = &type_line[..type_line.len() - EOL.len()];
        let mut headers = 0;
        loop {
            if rest.is_empty() {
                return None;
            }
            let (line, next) = get_line(rest);
            if !line.contains(&b':') {
                break;
            }
            headers += 1;
            rest = next;
        }
        let (end_index, trailer_index) = if headers == 0 && rest.starts_with(&END[1..]) {
            (0, END.len() - 1)
        } else {
            match find(rest, END) {
                Some(i) => (i, i + END.len()),
                None => continue,
            }
        };
        let trailer = &rest[trailer_index..];
        let trailer_len = label.len() + EOL.len();
        if trailer.len() < trailer_len {
            continue;
        }
        let (end_line, rest_of_end_line) = trailer.split_at(trailer_len);
        if !end_line.starts_with(label) || !end_line.ends_with(EOL) {
            continue;
        }
        if !get_line(rest_of_end_line).0.is_empty() {
            continue;
        }
        let body: Vec<u8> = rest[..end_index]
            .iter()
            .copied()
            .filter(|&b| b != b' ' && b != b'\t')
            .collect();
        let Ok(der) = gobase64::decode(&body) else {
            continue;
        };
        let (_, after_end) = get_line(&rest[end_index + END.len() - 1..]);
        let end = off(after_end);
        return Some((
            Block {
                label: String::from_utf8_lossy(label).into_owned(),
                der,
                span: block_start..end,
            },
            end,
        ));
    }
}

/// How many valid PEM blocks `data` holds (c/image uses only the first).
pub fn count_blocks(data: &[u8]) -> usize {
    let mut n = 0;
    let mut at = 0;
    while let Some((_, next)) = decode(&data[at..]) {
        n += 1;
        if next == 0 {
            break;
        }
        at += next;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_good_block_wins() {
        let text = b"junk\n-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----\n-----BEGIN A-----\nYWJj\n-----END A-----\n-----BEGIN B-----\nZGVm\n-----END B-----\n";
        let (b, rest) = decode(text).unwrap();
        assert_eq!(b.label, "A");
        assert_eq!(b.der, b"abc");
        let (b2, _) = decode(&text[rest..]).unwrap();
        assert_eq!(b2.label, "B");
    }

    #[test]
    fn tolerant_body_and_headers() {
        let text = b"-----BEGIN X-----\r\nProc-Type: 4\r\n\r\nYW \tJj\r\n-----END X-----  \r\n";
        assert_eq!(decode(text).unwrap().0.der, b"abc");
        assert!(decode(b"-----BEGIN X-----\nYWJj\n-----END Y-----\n").is_none());
        assert!(decode(b"no pem here").is_none());
        assert!(decode(b"-----BEGIN X-----\nYWJj\n-----END X----- trailing\n").is_none());
    }
}
