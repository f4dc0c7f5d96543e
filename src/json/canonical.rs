//! JSON canonicalization as c/image's Rekor SET check does it (cyberphone
//! `jsoncanonicalizer.Transform`, RFC 8785 style, spec §13.4): whitespace removed, object keys
//! sorted by UTF-16 code units, duplicate keys refused, strings re-escaped minimally, numbers
//! re-printed as ECMAScript's `Number.prototype.toString`. The SET signature covers these
//! bytes, and the SET payload is read back from them, so what is verified is what is used.

/// Nesting deeper than this is refused (real SET payloads nest one level).
const MAX_DEPTH: usize = 64;

crate::message_error! {
    /// Why `jsoncanonicalizer.Transform` refused the input (its text).
    CanonicalError
}

/// The canonical form of `src`, or the canonicalizer's error text.
pub fn canonicalize(src: &[u8]) -> Result<Vec<u8>, CanonicalError> {
    canonicalize_text(src).map_err(CanonicalError)
}

fn canonicalize_text(src: &[u8]) -> Result<Vec<u8>, String> {
    let mut p = Parser { s: src, i: 0 };
    p.ws();
    let mut out = Vec::with_capacity(src.len());
    match p.peek() {
        Some(b'{') | Some(b'[') => p.value(&mut out, 0)?,
        Some(c) => return Err(format!("Expected '{{' but got '{}'", char::from(c))),
        None => return Err("Unexpected EOF reached".into()),
    }
    p.ws();
    if p.i != p.s.len() {
        return Err("Improperly terminated JSON object".into());
    }
    Ok(out)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        self.ws();
        match self.peek() {
            Some(x) if x == c => {
                self.i += 1;
                Ok(())
            }
            Some(x) => Err(format!(
                "Expected '{}' but got '{}'",
                char::from(c),
                char::from(x)
            )),
            None => Err("Unexpected EOF reached".into()),
        }
    }

    fn value(&mut self, out: &mut Vec<u8>, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("JSON nested too deeply".into());
        }
        self.ws();
        match self.peek() {
            Some(b'{') => self.object(out, depth),
            Some(b'[') => self.array(out, depth),
            Some(b'"') => {
                let s = self.string()?;
                write_string(out, &s);
                Ok(())
            }
            Some(c) if c >= 0x80 => Err("Unexpected non-ASCII character".into()),
            Some(_) => self.literal(out),
            None => Err("Unexpected EOF reached".into()),
        }
    }

    fn object(&mut self, out: &mut Vec<u8>, depth: usize) -> Result<(), String> {
        self.i += 1;
        let mut members: Vec<(Vec<u16>, Vec<u8>, Vec<u8>)> = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
        } else {
            loop {
                self.ws();
                if self.peek() != Some(b'"') {
                    return Err("Expected '\"' but got something else".into());
                }
                let key = self.string()?;
                let utf16: Vec<u16> = String::from_utf8_lossy(&key).encode_utf16().collect();
                if members.iter().any(|(k, _, _)| *k == utf16) {
                    return Err(format!("Duplicate key: {}", String::from_utf8_lossy(&key)));
                }
                self.expect(b':')?;
                let mut v = Vec::new();
                self.value(&mut v, depth + 1)?;
                members.push((utf16, key, v));
                self.ws();
                match self.peek() {
                    Some(b',') => self.i += 1,
                    Some(b'}') => {
                        self.i += 1;
                        break;
                    }
                    Some(c) => {
                        return Err(format!("Expected ',' or '}}' but got '{}'", char::from(c)));
                    }
                    None => return Err("Unexpected EOF reached".into()),
                }
            }
        }
        members.sort_by(|a, b| a.0.cmp(&b.0));
        out.push(b'{');
        for (n, (_, key, v)) in members.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            write_string(out, key);
            out.push(b':');
            out.extend_from_slice(v);
        }
        out.push(b'}');
        Ok(())
    }

    fn array(&mut self, out: &mut Vec<u8>, depth: usize) -> Result<(), String> {
        self.i += 1;
        out.push(b'[');
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
        } else {
            let mut first = true;
            loop {
                if !first {
                    out.push(b',');
                }
                first = false;
                self.value(out, depth + 1)?;
                self.ws();
                match self.peek() {
                    Some(b',') => self.i += 1,
                    Some(b']') => {
                        self.i += 1;
                        break;
                    }
                    Some(c) => {
                        return Err(format!("Expected ',' or ']' but got '{}'", char::from(c)));
                    }
                    None => return Err("Unexpected EOF reached".into()),
                }
            }
        }
        out.push(b']');
        Ok(())
    }

    /// A string's decoded bytes (invalid UTF-8 passes through, as in the Go original).
    fn string(&mut self) -> Result<Vec<u8>, String> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let Some(c) = self.peek() else {
                return Err("Unexpected EOF reached".into());
            };
            self.i += 1;
            match c {
                b'"' => return Ok(out),
                b'\\' => {
                    let Some(e) = self.peek() else {
                        return Err("Unexpected EOF reached".into());
                    };
                    self.i += 1;
                    match e {
                        b'"' | b'\\' | b'/' => out.push(e),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let first = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&first) {
                                if self.s.get(self.i..self.i + 2) != Some(b"\\u") {
                                    return Err("Missing surrogate".into());
                                }
                                self.i += 2;
                                let second = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&second) {
                                    return Err("Missing surrogate".into());
                                }
                                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                            } else if (0xDC00..0xE000).contains(&first) {
                                return Err("Missing surrogate".into());
                            } else {
                                first
                            };
                            let ch = char::from_u32(code).ok_or("Missing surrogate")?;
                            let mut buf = [0; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        other => {
                            return Err(format!("Unsupported escape: {}", char::from(other)));
                        }
                    }
                }
                c if c < 0x20 => return Err("Unterminated string literal".into()),
                c => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let h = self
            .s
            .get(self.i..self.i + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or("Bad \\u escape")?;
        self.i += 4;
        Ok(h)
    }

    /// `true`, `false`, `null` or a number (re-printed in ECMAScript form).
    fn literal(&mut self, out: &mut Vec<u8>) -> Result<(), String> {
        let start = self.i;
        while let Some(c) = self.peek() {
            if matches!(c, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') {
                break;
            }
            if c >= 0x80 {
                return Err("Unexpected non-ASCII character".into());
            }
            self.i += 1;
        }
        let token = std::str::from_utf8(&self.s[start..self.i]).unwrap_or_default();
        match token {
            "true" | "false" | "null" => out.extend_from_slice(token.as_bytes()),
            _ => {
                let v = parse_go_float(token).ok_or_else(|| {
                    format!("strconv.ParseFloat: parsing \"{token}\": invalid syntax")
                })?;
                out.extend_from_slice(es6_number(v)?.as_bytes());
            }
        }
        Ok(())
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for JSON-ish tokens (decimal only).
fn parse_go_float(token: &str) -> Option<f64> {
    let ok = !token.is_empty()
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    if !ok {
        return None;
    }
    token.parse::<f64>().ok()
}

/// ECMAScript `Number.prototype.toString` of a finite double.
fn es6_number(v: f64) -> Result<String, String> {
    if !v.is_finite() {
        return Err("NaN and Infinity are not permitted in JSON".into());
    }
    if v == 0.0 {
        return Ok("0".into());
    }
    let sign = if v < 0.0 { "-" } else { "" };
    // Shortest round-trip digits and the decimal exponent, from Rust's `{:e}` (also shortest).
    let sci = format!("{:e}", v.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let k = digits.len() as i64;
    let n = exp.parse::<i64>().unwrap_or(0) + 1;
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let sign_e = if e < 0 { "-" } else { "+" };
        if k == 1 {
            format!("{digits}e{sign_e}{}", e.abs())
        } else {
            format!("{}.{}e{sign_e}{}", &digits[..1], &digits[1..], e.abs())
        }
    };
    Ok(format!("{sign}{body}"))
}

fn write_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for &c in s {
        match c {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'"' => out.extend_from_slice(b"\\\""),
            8 => out.extend_from_slice(b"\\b"),
            12 => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            c if c < 0x20 => out.extend_from_slice(format!("\\u{c:04x}").as_bytes()),
            c => out.push(c),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Result<String, String> {
        canonicalize(s.as_bytes())
            .map(|b| String::from_utf8(b).unwrap())
            .map_err(|e| e.0)
    }

    #[test]
    fn sorts_keys_and_strips_whitespace() {
        assert_eq!(
            c(r#" { "b" : 1 , "a" : [ true , null , "x\/y\u00e9" ] } "#).unwrap(),
            r#"{"a":[true,null,"x/yé"],"b":1}"#
        );
        // UTF-16 order: U+10000 (surrogates D800..) sorts before U+FF00.
        assert_eq!(
            c(r#"{"\uff00":1,"\ud800\udc00":2}"#).unwrap(),
            "{\"\u{10000}\":2,\"\u{ff00}\":1}"
        );
        assert_eq!(c(r#"{"a":"\u0001\n"}"#).unwrap(), r#"{"a":"\u0001\n"}"#);
    }

    #[test]
    fn numbers_print_as_ecmascript() {
        for (input, want) in [
            ("1670870899", "1670870899"),
            ("1e3", "1000"),
            ("-0", "0"),
            ("0.5", "0.5"),
            ("1.5e-7", "1.5e-7"),
            ("0.000001", "0.000001"),
            ("1e21", "1e+21"),
            ("-1.5", "-1.5"),
            ("-2e-7", "-2e-7"),
            ("9007199254740993", "9007199254740992"),
        ] {
            assert_eq!(
                c(&format!("[{input}]")).unwrap(),
                format!("[{want}]"),
                "{input}"
            );
        }
    }

    #[test]
    fn errors() {
        assert_eq!(c(r#"{"a":1,"a":2}"#).unwrap_err(), "Duplicate key: a");
        assert_eq!(c("1").unwrap_err(), "Expected '{' but got '1'");
        assert_eq!(c(r#"{"a":"\ud800"}"#).unwrap_err(), "Missing surrogate");
        assert!(c(r#"{"a":x}"#).is_err());
        assert!(c("{\"a\":1} x").is_err());
        assert!(c(&"[".repeat(100)).is_err());
        assert_eq!(c(r#"{"a" 1}"#).unwrap_err(), "Expected ':' but got '1'");
        assert_eq!(
            c("[inf]").unwrap_err(),
            "strconv.ParseFloat: parsing \"inf\": invalid syntax"
        );
    }

    #[test]
    fn surrogates_spaces_and_raw_controls() {
        assert_eq!(c(r#"["\ud83d\ude00"]"#).unwrap(), "[\"\u{1f600}\"]");
        assert_eq!(c(r#"["\udbff\udfff"]"#).unwrap(), "[\"\u{10ffff}\"]");
        assert_eq!(c(r#"["a b"]"#).unwrap(), r#"["a b"]"#);
        assert!(c("[\"a\u{1f}b\"]").is_err());
        assert!(c("[\"a\nb\"]").is_err());
    }

    #[test]
    fn empty_containers_and_nesting_limits() {
        assert_eq!(
            c(r#"{ "b" : [ ] , "a" : { } }"#).unwrap(),
            r#"{"a":{},"b":[]}"#
        );
        assert_eq!(c("[]").unwrap(), "[]");
        assert_eq!(c("{}").unwrap(), "{}");
        // Values at depth 64 are fine, at 65 not: 65 nested arrays, or 64 objects around a
        // number.
        let arrays = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(c(&arrays(65)).is_ok());
        assert!(c(&arrays(66)).is_err());
        let objects = |n: usize| format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
        assert!(c(&objects(64)).is_ok());
        assert_eq!(c(&objects(65)).unwrap_err(), "JSON nested too deeply");
    }
}
