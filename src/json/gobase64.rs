//! Go's `encoding/base64` `StdEncoding.Decode`, as `encoding/json` uses it for `[]byte` fields
//! (`keyData`, `caData`, …; spec §1.1 item 6, Appendix A): `=` padding required, `\r`/`\n`
//! skipped anywhere, non-zero trailing bits accepted, and Go's exact error offsets
//! (`illegal base64 data at input byte N`).

/// Go's `base64.CorruptInputError`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("illegal base64 data at input byte {0}")]
pub struct CorruptInput(pub usize);

fn decode_char(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes `src` like Go's `base64.StdEncoding.Decode`.
pub fn decode(src: &[u8]) -> Result<Vec<u8>, CorruptInput> {
    let mut out = Vec::with_capacity(src.len() / 4 * 3 + 3);
    let mut si = 0;
    while si < src.len() {
        let (nsi, err) = decode_quantum(&mut out, src, si);
        si = nsi;
        if let Some(e) = err {
            return Err(e);
        }
        if nsi == src.len() {
            break;
        }
    }
    Ok(out)
}

/// One 4-character quantum (Go `decodeQuantum`); returns the new index and an error.
fn decode_quantum(out: &mut Vec<u8>, src: &[u8], mut si: usize) -> (usize, Option<CorruptInput>) {
    let mut dbuf = [0u8; 4];
    let mut dlen = 4;
    let mut err = None;
    let mut j = 0usize;
    while j < 4 {
        if si == src.len() {
            if j == 0 {
                return (si, None);
            }
            // With padding required, any partial quantum is corrupt.
            return (si, Some(CorruptInput(si - j)));
        }
        let c = src[si];
        si += 1;
        if let Some(v) = decode_char(c) {
            dbuf[j] = v;
            j += 1;
            continue;
        }
        if c == b'\n' || c == b'\r' {
            continue;
        }
        if c != b'=' {
            return (si, Some(CorruptInput(si - 1)));
        }
        // Padding: the end of the data.
        match j {
            0 | 1 => return (si, Some(CorruptInput(si - 1))),
            2 => {
                while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                    si += 1;
                }
                if si == src.len() {
                    return (si, Some(CorruptInput(src.len())));
                }
                if src[si] != b'=' {
                    return (si, Some(CorruptInput(si - 1)));
                }
                si += 1;
            }
            _ => {}
        }
        while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
            si += 1;
        }
        if si < src.len() {
            err = Some(CorruptInput(si));
        }
        dlen = j;
        break;
    }
    let val = (u32::from(dbuf[0]) << 18)
        | (u32::from(dbuf[1]) << 12)
        | (u32::from(dbuf[2]) << 6)
        | u32::from(dbuf[3]);
    let bytes = [(val >> 16) as u8, (val >> 8) as u8, val as u8];
    // dlen 4 → 3 bytes, 3 → 2, 2 → 1 (trailing bits ignored, Go's non-strict mode).
    out.extend_from_slice(&bytes[..dlen - 1]);
    (si, err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Result<Vec<u8>, String> {
        decode(s.as_bytes()).map_err(|e| e.to_string())
    }

    /// Newlines inside and after the padding, as Go 1.26's `StdEncoding.DecodeString` treats
    /// them (outputs recorded from Go).
    #[test]
    fn newlines_around_padding() {
        let err = |n: usize| Err(format!("illegal base64 data at input byte {n}"));
        assert_eq!(d("YQ=\n="), Ok(b"a".to_vec()));
        assert_eq!(d("YQ=\r\n="), Ok(b"a".to_vec()));
        assert_eq!(d("YQ==\n\n"), Ok(b"a".to_vec()));
        assert_eq!(d("YWI=\n\r"), Ok(b"ab".to_vec()));
        assert_eq!(d("\nYQ\n==\n"), Ok(b"a".to_vec()));
        assert_eq!(d("YQ=\n"), err(4));
        assert_eq!(d("YQ==\nQQ"), err(5));
        assert_eq!(d("YWI=\nx"), err(5));
        assert_eq!(d("YQ=\nx"), err(3));
    }

    #[test]
    fn go_semantics() {
        assert_eq!(d(""), Ok(vec![]));
        assert_eq!(d("YWJj"), Ok(b"abc".to_vec()));
        assert_eq!(d("YWI="), Ok(b"ab".to_vec()));
        assert_eq!(d("YQ=="), Ok(b"a".to_vec()));
        assert_eq!(
            d("YWJ="),
            Ok(b"ab".to_vec()),
            "non-zero trailing bits are accepted"
        );
        assert_eq!(d("YW\nJj\r\n"), Ok(b"abc".to_vec()));
        assert_eq!(d("YWI"), Err("illegal base64 data at input byte 0".into()));
        assert_eq!(
            d("YWJjZA"),
            Err("illegal base64 data at input byte 4".into())
        );
        assert_eq!(
            d("YW Jj"),
            Err("illegal base64 data at input byte 2".into())
        );
        assert_eq!(d("YQ="), Err("illegal base64 data at input byte 3".into()));
        assert_eq!(
            d("YQ==YQ=="),
            Err("illegal base64 data at input byte 4".into())
        );
        assert_eq!(d("Y==="), Err("illegal base64 data at input byte 1".into()));
        assert_eq!(
            d("YWJj!"),
            Err("illegal base64 data at input byte 4".into())
        );
        assert_eq!(d("YQ=x"), Err("illegal base64 data at input byte 2".into()));
        assert_eq!(d("-_=="), Err("illegal base64 data at input byte 0".into()));
    }
}
