//! ASCII armor (RFC 4880 §6) as GnuPG reads it on import and verify: every
//! `-----BEGIN PGP …-----` block of the input, not only the first (rPGP's armor reader stops
//! after one block; GnuPG imports all of them, spec §11.6).

use base64::Engine;

/// One decoded armor block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The text after `BEGIN PGP ` (`PUBLIC KEY BLOCK`, `MESSAGE`, `SIGNATURE`, …).
    pub kind: String,
    /// The decoded bytes.
    pub data: Vec<u8>,
}

/// Why a block did not decode (the block is then skipped, as GnuPG skips bad armor).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArmorError {
    /// The body is not base64.
    Base64,
    /// The CRC-24 line does not match the body.
    Crc,
    /// No END line.
    Unterminated,
}

/// Whether `data` is armored rather than binary OpenPGP: binary packets start with a byte
/// whose high bit is set (GnuPG's own test).
pub fn is_armored(data: &[u8]) -> bool {
    data.first().is_some_and(|b| b & 0x80 == 0)
}

/// Every armor block of `text`, decoded; blocks that do not decode are returned as errors in
/// place, so callers can say what was skipped.
pub fn blocks(text: &[u8]) -> Vec<Result<Block, ArmorError>> {
    let mut out = Vec::new();
    let mut lines = text.split(|&b| b == b'\n').map(trim_line).peekable();
    while let Some(line) = lines.next() {
        let Some(kind) = begin_kind(line) else {
            continue;
        };
        // Headers (`Key: value`) up to the first blank line; a body line before any blank
        // line ends the headers too (GnuPG accepts armor without the blank line).
        let mut body = Vec::new();
        let mut crc: Option<&[u8]> = None;
        let mut ended = false;
        let mut in_headers = true;
        for line in lines.by_ref() {
            if line.starts_with(b"-----END PGP ") {
                ended = true;
                break;
            }
            if in_headers {
                if line.is_empty() {
                    in_headers = false;
                    continue;
                }
                if line.windows(2).any(|w| w == b": ") {
                    continue;
                }
                in_headers = false;
            }
            if let Some(c) = line.strip_prefix(b"=")
                && c.len() == 4
            {
                crc = Some(c);
                continue;
            }
            body.extend(line.iter().filter(|b| !b.is_ascii_whitespace()));
        }
        if !ended {
            out.push(Err(ArmorError::Unterminated));
            break;
        }
        out.push(decode_block(kind, &body, crc));
    }
    out
}

fn decode_block(kind: String, body: &[u8], crc: Option<&[u8]>) -> Result<Block, ArmorError> {
    let engine = base64::engine::general_purpose::STANDARD;
    let data = engine.decode(body).map_err(|_| ArmorError::Base64)?;
    if let Some(c) = crc {
        let want = engine.decode(c).map_err(|_| ArmorError::Crc)?;
        let got = crc24(&data).to_be_bytes();
        if want.as_slice() != &got[1..] {
            return Err(ArmorError::Crc);
        }
    }
    Ok(Block { kind, data })
}

fn trim_line(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t' | b'\r'))
        .map_or(0, |i| i + 1);
    &line[..end]
}

fn begin_kind(line: &[u8]) -> Option<String> {
    let rest = line.strip_prefix(b"-----BEGIN PGP ")?;
    let kind = rest.strip_suffix(b"-----")?;
    Some(String::from_utf8_lossy(kind).into_owned())
}

/// RFC 4880 §6.1 CRC-24.
fn crc24(data: &[u8]) -> u32 {
    let mut crc: u32 = 0x00B7_04CE;
    for &b in data {
        crc ^= u32::from(b) << 16;
        for _ in 0..8 {
            crc <<= 1;
            if crc & 0x0100_0000 != 0 {
                crc ^= 0x0186_4CFB;
            }
        }
    }
    crc & 0x00FF_FFFF
}

#[cfg(test)]
mod tests {
    use super::*;

    fn armor(kind: &str, data: &[u8], with_crc: bool) -> String {
        let engine = base64::engine::general_purpose::STANDARD;
        let mut s = format!("-----BEGIN PGP {kind}-----\nComment: test\n\n");
        for chunk in engine.encode(data).as_bytes().chunks(64) {
            s.push_str(std::str::from_utf8(chunk).unwrap());
            s.push('\n');
        }
        if with_crc {
            s.push('=');
            s.push_str(&engine.encode(&crc24(data).to_be_bytes()[1..]));
            s.push('\n');
        }
        s.push_str(&format!("-----END PGP {kind}-----\n"));
        s
    }

    #[test]
    fn every_block_is_read() {
        let text = format!(
            "junk\n{}between\r\n{}",
            armor("PUBLIC KEY BLOCK", b"\x99one", true),
            armor("PUBLIC KEY BLOCK", &[0x99; 100], false)
        );
        let got = blocks(text.as_bytes());
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].as_ref().unwrap().data, b"\x99one");
        assert_eq!(got[0].as_ref().unwrap().kind, "PUBLIC KEY BLOCK");
        assert_eq!(got[1].as_ref().unwrap().data, vec![0x99; 100]);
    }

    #[test]
    fn bad_blocks_are_reported_and_skipped() {
        let good = armor("MESSAGE", b"abc", true);
        let bad_crc = good.replace(&good[good.find("\n=").unwrap() + 1..][..5], "=AAAA");
        assert_eq!(blocks(bad_crc.as_bytes()), vec![Err(ArmorError::Crc)]);
        let bad_b64 = "-----BEGIN PGP MESSAGE-----\n\n!!!!\n-----END PGP MESSAGE-----\n";
        assert_eq!(blocks(bad_b64.as_bytes()), vec![Err(ArmorError::Base64)]);
        let open = "-----BEGIN PGP MESSAGE-----\n\nYWJj\n";
        assert_eq!(blocks(open.as_bytes()), vec![Err(ArmorError::Unterminated)]);
        assert!(blocks(b"no armor here").is_empty());
        // Without the blank line after the headers, the body still decodes.
        let no_blank = "-----BEGIN PGP MESSAGE-----\nYWJj\n-----END PGP MESSAGE-----\n";
        assert_eq!(
            blocks(no_blank.as_bytes())[0].as_ref().unwrap().data,
            b"abc"
        );
    }

    #[test]
    fn crc24_of_rfc_example() {
        assert_eq!(crc24(b""), 0x00B7_04CE);
        // Known value: CRC-24/OPENPGP("123456789") = 0x21CF02.
        assert_eq!(crc24(b"123456789"), 0x0021_CF02);
    }

    #[test]
    fn binary_or_armored() {
        assert!(is_armored(b"-----BEGIN"));
        assert!(!is_armored(&[0x99, 1]));
        assert!(!is_armored(b""));
    }
}
