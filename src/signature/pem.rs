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
    /// Whether it had `Key: value` headers (`AppendCertsFromPEM` skips such blocks).
    pub has_headers: bool,
}

/// `getLine`: the line without its `\n`, with trailing spaces, tabs and `\r` trimmed; the rest.
fn get_line<'a>(data: &'a [u8], work: &mut usize) -> (&'a [u8], &'a [u8]) {
    let (line, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[data.len()..]),
    };
    *work += line.len() + 1;
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b' ' | b'\t' | b'\r') {
        end -= 1;
    }
    (&line[..end], rest)
}

fn find(hay: &[u8], needle: &[u8], work: &mut usize) -> Option<usize> {
    let r = hay.windows(needle.len()).position(|w| w == needle);
    *work += r.map_or(hay.len(), |i| i + needle.len());
    r
}

/// Whether `b` can be in a PEM body that Go's base64 decoder accepts (after spaces and tabs
/// are removed): any other byte makes `base64.StdEncoding.Decode` fail.
fn base64_body_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\r' | b'\n' | b' ' | b'\t')
}

/// What `decode` remembers while it retries on the rest of the input, so that each byte is
/// looked at a bounded number of times (Go's `pem.Decode` rescans the rest after every
/// malformed block: quadratic on a file of `-----BEGIN` lines). Every answer is the one the
/// rescan would give.
#[derive(Default)]
struct Memo {
    /// The first `\n-----END ` at or after `.0` (absolute offsets): `None` when there is none.
    end: Option<(usize, Option<usize>)>,
    /// For the END at `.0`: the last byte before it that no base64 body may contain (`Some`),
    /// or `None` when the bytes from `.1` up to it are all allowed.
    bad_before_end: Option<(usize, usize, Option<usize>)>,
    /// Whether the rest of the line from an offset is blank (spaces, tabs, `\r`).
    blank_from: std::collections::HashMap<usize, bool>,
}

/// Decodes the first valid PEM block of `data` (and the offset where the rest starts).
pub fn decode(data: &[u8]) -> Option<(Block, usize)> {
    decode_counting(data, &mut 0)
}

/// [`decode`], adding the number of bytes examined to `work` (tests check it is linear).
fn decode_counting(data: &[u8], work: &mut usize) -> Option<(Block, usize)> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    const END: &[u8] = b"\n-----END ";
    const EOL: &[u8] = b"-----";
    let base = data.as_ptr() as usize;
    let off = |s: &[u8]| s.as_ptr() as usize - base;
    let mut memo = Memo::default();
    let mut rest = data;
    loop {
        let block_start;
        if rest.starts_with(BEGIN) {
            block_start = off(rest);
            rest = &rest[BEGIN.len()..];
        } else if let Some(i) = find(rest, b"\n-----BEGIN ", work) {
            block_start = off(rest) + i + 1;
            rest = &rest[i + 1 + BEGIN.len()..];
        } else {
            return None;
        }
        let (type_line, after) = get_line(rest, work);
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
            let (line, next) = get_line(rest, work);
            if !line.contains(&b':') {
                break;
            }
            headers += 1;
            rest = next;
        }
        let (end_index, trailer_index) = if headers == 0 && rest.starts_with(&END[1..]) {
            (0, END.len() - 1)
        } else {
            // `bytes.Index(rest, pemEnd)`, remembered: `rest` only moves forward, so the first
            // END at or after an earlier start is still the first one unless `rest` passed it.
            let from = off(rest);
            let found = match memo.end {
                Some((searched, found)) if searched <= from && found.is_none_or(|p| p >= from) => {
                    found
                }
                _ => {
                    let found = find(rest, END, work).map(|i| from + i);
                    memo.end = Some((from, found));
                    found
                }
            };
            match found {
                Some(p) => (p - from, p - from + END.len()),
                None => continue,
            }
        };
        let trailer = &rest[trailer_index..];
        let trailer_len = label.len() + EOL.len();
        if trailer.len() < trailer_len {
            continue;
        }
        let (end_line, rest_of_end_line) = trailer.split_at(trailer_len);
        *work += trailer_len;
        if !end_line.starts_with(label) || !end_line.ends_with(EOL) {
            continue;
        }
        let blank_at = off(rest_of_end_line);
        let blank = match memo.blank_from.get(&blank_at) {
            Some(&b) => b,
            None => {
                let b = get_line(rest_of_end_line, work).0.is_empty();
                memo.blank_from.insert(blank_at, b);
                b
            }
        };
        if !blank {
            continue;
        }
        // A body with a byte base64 never accepts fails to decode: find the last such byte
        // before this END once, instead of decoding every candidate body up to it.
        let (body_start, body_end) = (off(rest), off(rest) + end_index);
        let bad = match memo.bad_before_end {
            Some((e, low, bad)) if e == body_end && low <= body_start => bad,
            _ => {
                let bad = (body_start..body_end)
                    .rev()
                    .find(|&i| !base64_body_byte(data[i]));
                *work += body_end - bad.map_or(body_start, |b| b);
                memo.bad_before_end = Some((body_end, body_start, bad));
                bad
            }
        };
        if bad.is_some_and(|b| b >= body_start) {
            continue;
        }
        let body: Vec<u8> = rest[..end_index]
            .iter()
            .copied()
            .filter(|&b| b != b' ' && b != b'\t')
            .collect();
        *work += end_index;
        let Ok(der) = gobase64::decode(&body) else {
            continue;
        };
        let (_, after_end) = get_line(&rest[end_index + END.len() - 1..], work);
        let end = off(after_end);
        return Some((
            Block {
                label: String::from_utf8_lossy(label).into_owned(),
                der,
                span: block_start..end,
                has_headers: headers > 0,
            },
            end,
        ));
    }
}

/// How many valid PEM blocks `data` holds (c/image uses only the first).
pub fn count_blocks(data: &[u8]) -> usize {
    count_blocks_counting(data, &mut 0)
}

fn count_blocks_counting(data: &[u8], work: &mut usize) -> usize {
    let mut n = 0;
    let mut at = 0;
    while let Some((_, next)) = decode_counting(&data[at..], work) {
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
    /// A block with `Key: value` headers (RFC 1421 style, e.g. `Proc-Type`): the headers
    /// are skipped up to the blank line and the body decodes, as in Go's `pem.Decode`.
    /// The block's span and the offset of the rest: just after the END line (its newline
    /// included), whatever follows.
    #[test]
    fn span_and_rest_offset() {
        let data = b"junk\n-----BEGIN A-----\nYWJj\n-----END A-----  \ntrailing\n";
        let start = 5;
        let rest = data.windows(8).position(|w| w == b"trailing").unwrap();
        let (b, next) = decode(data).unwrap();
        assert_eq!((b.span.clone(), next), (start..rest, rest));
        // The rest starts right after the END line: a second block there is found.
        let two = [&data[..rest], &data[start..rest]].concat();
        let (b2, next2) = decode(&two[next..]).unwrap();
        assert_eq!((b2.span, next2), (0..rest - start, rest - start));
        assert_eq!(count_blocks(&two), 2);
    }

    #[test]
    fn blocks_with_headers() {
        let (b, _) = decode(
            b"-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: y\n\nYWJj\n-----END X-----\n",
        )
        .unwrap();
        assert_eq!((b.label.as_str(), b.der.as_slice()), ("X", &b"abc"[..]));
        let (b, _) = decode(b"-----BEGIN X-----\nYWJj\n-----END X-----\n").unwrap();
        assert_eq!(b.der, b"abc");
    }

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

    /// Go's `pem.Decode` rescans the rest after every malformed block; ours must look at each
    /// byte a bounded number of times (work is counted, not timed) and give the same answers.
    #[test]
    fn pathological_inputs_take_linear_work() {
        type Generator = Box<dyn Fn(usize) -> Vec<u8>>;
        let cases: Vec<(&str, Generator)> = vec![
            (
                "BEGIN lines",
                Box::new(|n| b"-----BEGIN X-----\n".repeat(n)),
            ),
            (
                "BEGIN lines, END far away",
                Box::new(|n| {
                    let mut v = b"-----BEGIN X-----\n".repeat(n);
                    v.extend_from_slice(b"!!!!\n-----END X-----\n");
                    v
                }),
            ),
            (
                "BEGIN lines, END line with a long tail",
                Box::new(|n| {
                    let mut v = b"-----BEGIN X-----\n".repeat(n);
                    v.extend_from_slice(b"-----END X-----");
                    v.extend_from_slice(&b" ".repeat(16 * n));
                    v.extend_from_slice(b"x\n");
                    v
                }),
            ),
            (
                "headers and BEGIN lines",
                Box::new(|n| b"-----BEGIN X-----\nA: b\n".repeat(n)),
            ),
            ("bare BEGIN", Box::new(|n| b"\n-----BEGIN ".repeat(n))),
            (
                // The last bad byte before the END is far from it: found once, not once per
                // BEGIN line (the memo is kept while the END stays the same).
                "BEGIN lines, bad byte, long clean body",
                Box::new(|n| {
                    let mut v = b"-----BEGIN X-----\n".repeat(n);
                    v.extend_from_slice(b"!!\n");
                    v.extend_from_slice(&b"YWJj\n".repeat(n));
                    v.extend_from_slice(b"-----END X-----\n");
                    v
                }),
            ),
            (
                // A first block whose clean body fails to decode leaves "no bad byte" in the
                // memo for its END; the BEGIN lines after it end at another END, where the
                // answer must be computed again (else every body is decoded: quadratic).
                "undecodable block, then BEGIN lines",
                Box::new(|n| {
                    let mut v = b"-----BEGIN X-----\nYW\n-----END X-----\n".to_vec();
                    v.extend_from_slice(&b"-----BEGIN X-----\n".repeat(n));
                    v.extend_from_slice(b"!!\n-----END X-----\n");
                    v
                }),
            ),
            (
                "valid blocks",
                Box::new(|n| b"-----BEGIN A-----\nYWJj\n-----END A-----\n".repeat(n)),
            ),
            (
                "bodies without END",
                Box::new(|n| {
                    let mut v = b"-----BEGIN A-----\nYWJj\n".repeat(n);
                    v.extend_from_slice(b"\n-----END B-----\n");
                    v
                }),
            ),
        ];
        for (name, make) in &cases {
            let (small, big) = (make(1000), make(8000));
            let (mut w_small, mut w_big) = (0, 0);
            let n_small = count_blocks_counting(&small, &mut w_small);
            let n_big = count_blocks_counting(&big, &mut w_big);
            assert!(
                w_small <= 8 * small.len() + 64,
                "{name}: {w_small} steps for {} bytes",
                small.len()
            );
            assert!(
                w_big <= 8 * big.len() + 64,
                "{name}: {w_big} steps for {} bytes",
                big.len()
            );
            // Eight times the input, at most about eight times the work (quadratic: 64 times).
            assert!(
                w_big <= 9 * w_small + 64,
                "{name}: {w_small} -> {w_big} steps"
            );
            // Same answers as the plain (quadratic) port, on inputs small enough for it.
            let tiny = make(100);
            assert_eq!(count_blocks(&tiny), count_blocks_reference(&tiny), "{name}");
            assert_eq!(decode(&tiny), decode_reference(&tiny), "{name}");
            assert_eq!(n_big, n_small * 8, "{name}");
        }
    }

    /// The straightforward (quadratic) port of Go's `pem.Decode`, to check the memoised one.
    fn decode_reference(data: &[u8]) -> Option<(Block, usize)> {
        const BEGIN: &[u8] = b"-----BEGIN ";
        const END: &[u8] = b"\n-----END ";
        const EOL: &[u8] = b"-----";
        let w = &mut 0;
        let base = data.as_ptr() as usize;
        let off = |s: &[u8]| s.as_ptr() as usize - base;
        let mut rest = data;
        loop {
            let block_start;
            if rest.starts_with(BEGIN) {
                block_start = off(rest);
                rest = &rest[BEGIN.len()..];
            } else if let Some(i) = find(rest, b"\n-----BEGIN ", w) {
                block_start = off(rest) + i + 1;
                rest = &rest[i + 1 + BEGIN.len()..];
            } else {
                return None;
            }
            let (type_line, after) = get_line(rest, w);
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
                let (line, next) = get_line(rest, w);
                if !line.contains(&b':') {
                    break;
                }
                headers += 1;
                rest = next;
            }
            let (end_index, trailer_index) = if headers == 0 && rest.starts_with(&END[1..]) {
                (0, END.len() - 1)
            } else {
                match find(rest, END, w) {
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
            if !get_line(rest_of_end_line, w).0.is_empty() {
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
            let (_, after_end) = get_line(&rest[end_index + END.len() - 1..], w);
            let end = off(after_end);
            return Some((
                Block {
                    label: String::from_utf8_lossy(label).into_owned(),
                    der,
                    span: block_start..end,
                    has_headers: headers > 0,
                },
                end,
            ));
        }
    }

    fn count_blocks_reference(data: &[u8]) -> usize {
        let mut n = 0;
        let mut at = 0;
        while let Some((_, next)) = decode_reference(&data[at..]) {
            n += 1;
            if next == 0 {
                break;
            }
            at += next;
        }
        n
    }

    /// The memoised decoder agrees with the plain port on many small mixtures of PEM pieces.
    #[test]
    fn same_answers_as_the_plain_port() {
        let pieces: [&[u8]; 14] = [
            b"-----BEGIN A-----\n",
            b"-----BEGIN B-----\n",
            b"-----END A-----\n",
            b"-----END A----- x\n",
            b"-----END B-----  \n",
            b"YWJj\n",
            b"YW\tJj\r\n",
            b"!!\n",
            b"K: v\n",
            b"\n",
            b"-----BEGIN A-----",
            b"-----END A-----",
            b"=\n",
            b"-----BEGIN A-----X-----\n",
        ];
        // A small deterministic generator (no external crates): every input of up to 5 pieces
        // drawn from a pseudo-random sequence.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut input = Vec::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 7) as usize;
            let mut y = x;
            for _ in 0..len {
                input.extend_from_slice(pieces[(y % pieces.len() as u64) as usize]);
                y /= pieces.len() as u64;
                if y == 0 {
                    y = x.rotate_left(17);
                }
            }
            assert_eq!(
                decode(&input),
                decode_reference(&input),
                "{:?}",
                String::from_utf8_lossy(&input)
            );
            assert_eq!(count_blocks(&input), count_blocks_reference(&input));
        }
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
