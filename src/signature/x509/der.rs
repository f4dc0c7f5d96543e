//! A DER reader with the acceptance rules of Go's `golang.org/x/crypto/cryptobyte` (which
//! `crypto/x509` parses certificates with): definite minimal lengths of at most four bytes,
//! minimal INTEGERs, DER BOOLEANs, well-formed OIDs and BIT STRINGs. Every read either
//! consumes a whole element or leaves the reader untouched and answers `None`; nothing panics
//! and nothing recurses.

/// Universal tags used by certificates.
pub const BOOLEAN: u8 = 0x01;
pub const INTEGER: u8 = 0x02;
pub const BIT_STRING: u8 = 0x03;
pub const OCTET_STRING: u8 = 0x04;
pub const NULL: u8 = 0x05;
pub const OID: u8 = 0x06;
pub const UTF8_STRING: u8 = 0x0c;
pub const SEQUENCE: u8 = 0x30;
pub const SET: u8 = 0x31;
pub const PRINTABLE_STRING: u8 = 0x13;
pub const T61_STRING: u8 = 0x14;
pub const IA5_STRING: u8 = 0x16;
pub const UTC_TIME: u8 = 0x17;
pub const GENERALIZED_TIME: u8 = 0x18;
pub const NUMERIC_STRING: u8 = 0x12;
pub const BMP_STRING: u8 = 0x1e;

/// A context-specific tag `[n]`, primitive.
pub const fn context(n: u8) -> u8 {
    0x80 | n
}

/// A context-specific tag `[n]`, constructed.
pub const fn context_constructed(n: u8) -> u8 {
    0xa0 | n
}

/// The unread rest of some DER bytes.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a>(pub &'a [u8]);

/// One element: its tag, its whole encoding and its contents.
#[derive(Debug, Clone, Copy)]
pub struct Element<'a> {
    pub tag: u8,
    pub full: &'a [u8],
    pub contents: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Whether everything was read.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The next element's header, without consuming it (cryptobyte's `readASN1`).
    fn peek_element(&self) -> Option<Element<'a>> {
        let d = self.0;
        let (&tag, rest) = d.split_first()?;
        if tag & 0x1f == 0x1f {
            // High tag numbers: no certificate field uses them.
            return None;
        }
        let (&first, rest) = rest.split_first()?;
        let (len, header) = if first & 0x80 == 0 {
            (usize::from(first), 2)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 || rest.len() < n {
                return None;
            }
            let mut len = 0usize;
            for &b in &rest[..n] {
                len = len << 8 | usize::from(b);
            }
            // Non-minimal: a leading zero byte, or a long form for a short length.
            if rest[0] == 0 || len < 128 {
                return None;
            }
            (len, 2 + n)
        };
        let end = header.checked_add(len)?;
        if d.len() < end {
            return None;
        }
        Some(Element {
            tag,
            full: &d[..end],
            contents: &d[header..end],
        })
    }

    /// The next element's tag.
    pub fn peek_tag(&self) -> Option<u8> {
        self.0.first().copied()
    }

    /// Whether the next element has `tag`.
    pub fn peek_is(&self, tag: u8) -> bool {
        self.peek_tag() == Some(tag)
    }

    /// Reads any element.
    pub fn read_any(&mut self) -> Option<Element<'a>> {
        let e = self.peek_element()?;
        self.0 = &self.0[e.full.len()..];
        Some(e)
    }

    /// Reads an element with `tag`.
    pub fn read_element(&mut self, tag: u8) -> Option<Element<'a>> {
        let e = self.peek_element()?;
        if e.tag != tag {
            return None;
        }
        self.0 = &self.0[e.full.len()..];
        Some(e)
    }

    /// The contents of an element with `tag`.
    pub fn read(&mut self, tag: u8) -> Option<&'a [u8]> {
        self.read_element(tag).map(|e| e.contents)
    }

    /// The contents of an element with `tag` as a new reader.
    pub fn read_nested(&mut self, tag: u8) -> Option<Reader<'a>> {
        self.read(tag).map(Reader)
    }

    /// Skips an optional element with `tag` (`SkipOptionalASN1`); `None` when it is malformed.
    pub fn skip_optional(&mut self, tag: u8) -> Option<()> {
        if self.peek_is(tag) {
            self.read_element(tag)?;
        }
        Some(())
    }

    /// An optional element with `tag`: `Some(None)` when absent.
    pub fn read_optional(&mut self, tag: u8) -> Option<Option<&'a [u8]>> {
        if self.peek_is(tag) {
            self.read(tag).map(Some)
        } else {
            Some(None)
        }
    }

    /// An INTEGER's minimal two's-complement bytes.
    pub fn read_integer_bytes(&mut self, tag: u8) -> Option<&'a [u8]> {
        let save = *self;
        let c = self.read(tag)?;
        if !minimal_integer(c) {
            *self = save;
            return None;
        }
        Some(c)
    }

    /// A non-negative INTEGER that fits in `u64` (`ReadASN1Integer` into an unsigned type).
    pub fn read_unsigned(&mut self, tag: u8) -> Option<u64> {
        let save = *self;
        let c = self.read_integer_bytes(tag)?;
        let value = if c[0] & 0x80 != 0 {
            None
        } else {
            let c = if c[0] == 0 { &c[1..] } else { c };
            (c.len() <= 8).then(|| c.iter().fold(0u64, |v, &b| v << 8 | u64::from(b)))
        };
        if value.is_none() {
            *self = save;
        }
        value
    }

    /// An INTEGER that fits in `i64`.
    pub fn read_i64(&mut self, tag: u8) -> Option<i64> {
        let save = *self;
        let c = self.read_integer_bytes(tag)?;
        if c.len() > 8 {
            *self = save;
            return None;
        }
        let negative = c[0] & 0x80 != 0;
        let mut v: i64 = if negative { -1 } else { 0 };
        for &b in c {
            v = v << 8 | i64::from(b);
        }
        Some(v)
    }

    /// A DER BOOLEAN.
    pub fn read_bool(&mut self) -> Option<bool> {
        let save = *self;
        match self.read(BOOLEAN)? {
            [0] => Some(false),
            [0xff] => Some(true),
            _ => {
                *self = save;
                None
            }
        }
    }

    /// An OBJECT IDENTIFIER's contents (validated).
    pub fn read_oid(&mut self) -> Option<&'a [u8]> {
        let save = *self;
        let c = self.read(OID)?;
        if oid_components(c).is_none() {
            *self = save;
            return None;
        }
        Some(c)
    }

    /// A BIT STRING: (unused bits, bytes).
    pub fn read_bit_string(&mut self) -> Option<(u8, &'a [u8])> {
        let save = *self;
        let c = self.read(BIT_STRING)?;
        let ok = match c {
            [] => false,
            [pad, rest @ ..] => {
                *pad <= 7
                    && !(rest.is_empty() && *pad > 0)
                    && rest.last().is_none_or(|l| l & ((1u8 << pad) - 1) == 0)
            }
        };
        if !ok {
            *self = save;
            return None;
        }
        Some((c[0], &c[1..]))
    }
}

/// cryptobyte's `checkASN1Integer`.
fn minimal_integer(c: &[u8]) -> bool {
    match c {
        [] => false,
        [_] => true,
        [0, b, ..] => b & 0x80 != 0,
        [0xff, b, ..] => b & 0x80 == 0,
        _ => true,
    }
}

/// The components of an OID's contents (`None` when malformed as cryptobyte sees it: empty,
/// a non-minimal or unterminated base-128 number, or one over 31 bits).
pub fn oid_components(c: &[u8]) -> Option<Vec<u64>> {
    if c.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let mut v: u64 = 0;
        let start = i;
        loop {
            let b = *c.get(i)?;
            if i == start && b == 0x80 {
                return None;
            }
            if i - start >= 5 {
                return None;
            }
            v = v << 7 | u64::from(b & 0x7f);
            i += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
        if v > i32::MAX as u64 {
            return None;
        }
        if out.is_empty() {
            if v < 80 {
                out.push(v / 40);
                out.push(v % 40);
            } else {
                out.push(2);
                out.push(v - 80);
            }
        } else {
            out.push(v);
        }
    }
    Some(out)
}

/// An OID's contents in dotted form (`2.5.29.17`).
pub fn oid_string(c: &[u8]) -> String {
    oid_components(c)
        .map(|v| v.iter().map(u64::to_string).collect::<Vec<_>>().join("."))
        .unwrap_or_default()
}

/// A two's-complement INTEGER's value in decimal (`big.Int.String()`).
pub fn integer_decimal(c: &[u8]) -> String {
    let negative = c.first().is_some_and(|b| b & 0x80 != 0);
    // Magnitude, big-endian.
    let mut mag: Vec<u8> = if negative {
        // Two's complement: invert and add one.
        let mut m: Vec<u8> = c.iter().map(|b| !b).collect();
        for b in m.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
        m
    } else {
        c.to_vec()
    };
    let mut digits = Vec::new();
    while mag.iter().any(|&b| b != 0) {
        let mut rem = 0u32;
        for b in mag.iter_mut() {
            let cur = rem << 8 | u32::from(*b);
            *b = (cur / 10) as u8;
            rem = cur % 10;
        }
        digits.push(b'0' + rem as u8);
    }
    if digits.is_empty() {
        digits.push(b'0');
    }
    if negative {
        digits.push(b'-');
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_must_be_minimal_and_definite() {
        assert!(Reader(&[0x04, 0x01, 0xaa]).read(OCTET_STRING).is_some());
        // Long form for a short length, leading zero, indefinite, too long, truncated.
        assert!(
            Reader(&[0x04, 0x81, 0x01, 0xaa])
                .read(OCTET_STRING)
                .is_none()
        );
        let mut long = vec![0x04, 0x82, 0x00, 0x80];
        long.extend([0; 128]);
        assert!(Reader(&long).read(OCTET_STRING).is_none());
        assert!(Reader(&[0x30, 0x80, 0, 0]).read(SEQUENCE).is_none());
        assert!(
            Reader(&[0x04, 0x85, 1, 0, 0, 0, 0])
                .read(OCTET_STRING)
                .is_none()
        );
        assert!(Reader(&[0x04, 0x02, 0xaa]).read(OCTET_STRING).is_none());
        let mut ok = vec![0x04, 0x81, 0x80];
        ok.extend([7; 128]);
        assert_eq!(Reader(&ok).read(OCTET_STRING).map(<[u8]>::len), Some(128));
        // High tag numbers and wrong tags.
        assert!(Reader(&[0x1f, 0x01, 0x00]).read_any().is_none());
        assert!(Reader(&[0x04, 0x00]).read(SEQUENCE).is_none());
    }

    #[test]
    fn integers_booleans_oids_bit_strings() {
        assert!(
            Reader(&[0x02, 0x02, 0x00, 0x7f])
                .read_integer_bytes(INTEGER)
                .is_none()
        );
        assert!(
            Reader(&[0x02, 0x02, 0xff, 0x80])
                .read_integer_bytes(INTEGER)
                .is_none()
        );
        assert!(Reader(&[0x02, 0x00]).read_integer_bytes(INTEGER).is_none());
        assert_eq!(
            Reader(&[0x02, 0x02, 0x00, 0x80]).read_unsigned(INTEGER),
            Some(128)
        );
        assert_eq!(Reader(&[0x02, 0x01, 0xff]).read_unsigned(INTEGER), None);
        assert_eq!(Reader(&[0x02, 0x01, 0xff]).read_i64(INTEGER), Some(-1));
        assert_eq!(Reader(&[0x01, 0x01, 0xff]).read_bool(), Some(true));
        assert_eq!(Reader(&[0x01, 0x01, 0x01]).read_bool(), None);
        assert_eq!(oid_string(&[0x55, 0x1d, 0x11]), "2.5.29.17");
        assert_eq!(
            oid_string(&[0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x01]),
            "1.3.6.1.4.1.57264.1.1"
        );
        assert!(Reader(&[0x06, 0x02, 0x80, 0x01]).read_oid().is_none());
        assert!(Reader(&[0x06, 0x01, 0x81]).read_oid().is_none());
        assert!(Reader(&[0x06, 0x00]).read_oid().is_none());
        assert_eq!(
            Reader(&[0x03, 0x02, 0x01, 0x02]).read_bit_string(),
            Some((1, &[2u8][..]))
        );
        assert!(
            Reader(&[0x03, 0x02, 0x01, 0x01])
                .read_bit_string()
                .is_none()
        );
        assert!(Reader(&[0x03, 0x01, 0x01]).read_bit_string().is_none());
        assert!(
            Reader(&[0x03, 0x02, 0x08, 0x00])
                .read_bit_string()
                .is_none()
        );
    }

    #[test]
    fn decimal_serials() {
        assert_eq!(integer_decimal(&[0x00]), "0");
        assert_eq!(integer_decimal(&[0x01, 0x00]), "256");
        assert_eq!(integer_decimal(&[0xff]), "-1");
        assert_eq!(integer_decimal(&[0xff, 0x00]), "-256");
        assert_eq!(
            integer_decimal(&[0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            "4722366482869645213695"
        );
    }
}
