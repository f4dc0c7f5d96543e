//! Walking validated JSON: tokens with spans, Go-style string unquoting, strict objects
//! (`Duplicate key`, `Unknown key`, `Key "K" missing`) and Go-typed value decoding.

use std::collections::HashSet;
use std::ops::Range;

use super::{gobase64, gofmt};
use crate::compat::Compat;

/// A byte span in the input.
pub type Span = Range<usize>;

/// The JSON kind of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `{…}`
    Object,
    /// `[…]`
    Array,
    /// `"…"`
    String,
    /// A number.
    Number,
    /// `true` / `false`.
    Bool,
    /// `null`.
    Null,
}

impl Kind {
    /// The name Go's `UnmarshalTypeError` uses for this kind.
    pub fn go_name(self) -> &'static str {
        match self {
            Kind::Object => "object",
            Kind::Array => "array",
            Kind::String => "string",
            Kind::Number => "number",
            Kind::Bool => "bool",
            Kind::Null => "null",
        }
    }
}

/// What kind of problem a [`DecodeError`] is (the message is the c/image text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Not JSON at all (Go's syntax checker).
    Syntax,
    /// A value where an object was required.
    ObjectExpected,
    /// A key seen twice in one object.
    DuplicateKey,
    /// A key the object does not define (or an invalid scope).
    UnknownKey,
    /// A mandatory key is absent.
    MissingKey,
    /// A value of the wrong JSON type for its field.
    Type,
    /// Invalid base64 in a byte field.
    Base64,
    /// A semantic rule of the policy format.
    Invalid,
}

impl ErrorKind {
    /// A stable machine-readable name (JSON output).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax",
            ErrorKind::ObjectExpected => "object-expected",
            ErrorKind::DuplicateKey => "duplicate-key",
            ErrorKind::UnknownKey => "unknown-key",
            ErrorKind::MissingKey => "missing-key",
            ErrorKind::Type => "type",
            ErrorKind::Base64 => "base64",
            ErrorKind::Invalid => "invalid",
        }
    }
}

/// An error while reading a document, with c/image's message and where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The category.
    pub kind: ErrorKind,
    /// c/image's exact message (without the `invalid policy in "…":` wrapping).
    pub message: String,
    /// Where in the input.
    pub span: Span,
}

impl DecodeError {
    /// Creates an error.
    pub fn new(kind: ErrorKind, message: impl Into<String>, span: Span) -> Self {
        DecodeError {
            kind,
            message: message.into(),
            span,
        }
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DecodeError {}

/// Formats a string for a message the way the given c/image version does: 5.23.1 uses
/// `"%s"` (raw), current uses `%q` (Go-quoted).
pub fn q(compat: Compat, s: &str) -> String {
    match compat {
        Compat::V5_23 => format!("\"{s}\""),
        Compat::Current => gofmt::quote(s),
    }
}

/// A position in validated JSON. Every method tolerates malformed input without panicking
/// (it is only ever given validated input, but defence in depth costs nothing).
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    src: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `src` (which must have passed [`super::scan::validate`]).
    pub fn new(src: &'a [u8]) -> Self {
        Cursor { src, pos: 0 }
    }

    /// Moves to byte offset `pos` (the start of a value within validated input).
    pub fn seek(&mut self, pos: usize) {
        self.pos = pos.min(self.src.len());
    }

    /// The whole input.
    pub fn source(&self) -> &'a [u8] {
        self.src
    }

    fn skip_ws(&mut self) {
        while let Some(&c) = self.src.get(self.pos) {
            if matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn peek_byte(&mut self) -> Option<u8> {
        self.skip_ws();
        self.src.get(self.pos).copied()
    }

    /// The kind of the next value (`Null` at end of input).
    pub fn peek_kind(&mut self) -> Kind {
        match self.peek_byte() {
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::Array,
            Some(b'"') => Kind::String,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'-' | b'0'..=b'9') => Kind::Number,
            _ => Kind::Null,
        }
    }

    /// Skips the next value, returning its span. Iterative: no recursion on nesting.
    pub fn skip_value(&mut self) -> Span {
        self.skip_ws();
        let start = self.pos;
        let mut depth = 0usize;
        while let Some(&c) = self.src.get(self.pos) {
            match c {
                b'"' => {
                    self.skip_string();
                    if depth == 0 {
                        break;
                    }
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                    if depth == 0 {
                        self.pos += 1;
                        break;
                    }
                }
                b',' | b':' if depth == 0 => break,
                b' ' | b'\t' | b'\r' | b'\n' if depth == 0 => break,
                _ => {}
            }
            self.pos += 1;
        }
        start..self.pos
    }

    fn skip_string(&mut self) {
        // at the opening quote
        self.pos += 1;
        while let Some(&c) = self.src.get(self.pos) {
            self.pos += 1;
            match c {
                b'\\' => self.pos += 1,
                b'"' => return,
                _ => {}
            }
        }
    }

    /// Reads a string value (the next value must be a string), unquoted as Go does: escapes
    /// decoded, invalid UTF-8 bytes and lone surrogates replaced by U+FFFD one at a time.
    pub fn read_string(&mut self) -> (String, Span) {
        self.skip_ws();
        let start = self.pos;
        self.skip_string();
        let end = self.pos;
        let inner = self
            .src
            .get(start + 1..end.saturating_sub(1))
            .unwrap_or(&[]);
        (unquote(inner), start..end)
    }

    /// Reads a number literal's text.
    pub fn read_number(&mut self) -> (&'a str, Span) {
        let span = self.skip_value();
        let text = self
            .src
            .get(span.clone())
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("0");
        (text, span)
    }

    /// Reads `true`/`false`.
    pub fn read_bool(&mut self) -> (bool, Span) {
        let span = self.skip_value();
        (self.src.get(span.start) == Some(&b't'), span)
    }

    /// Consumes `{` or `[`, returning its offset.
    pub fn enter(&mut self) -> usize {
        self.skip_ws();
        let at = self.pos;
        self.pos += 1;
        at
    }

    /// In an object just entered (or after a member's value): the next key and its span,
    /// consuming the `:`; `None` (consuming the `}`) at the end of the object.
    pub fn next_key(&mut self) -> Option<(String, Span)> {
        match self.peek_byte() {
            Some(b',') => {
                self.pos += 1;
            }
            Some(b'"') => {}
            _ => {
                self.pos += 1;
                return None;
            }
        }
        if self.peek_byte() != Some(b'"') {
            self.pos += 1;
            return None;
        }
        let key = self.read_string();
        if self.peek_byte() == Some(b':') {
            self.pos += 1;
        }
        Some(key)
    }

    /// In an array just entered (or after an element): whether another element follows
    /// (consuming the `,`); consumes the `]` at the end.
    pub fn next_element(&mut self) -> bool {
        match self.peek_byte() {
            Some(b',') => {
                self.pos += 1;
                true
            }
            Some(b']') | None => {
                self.pos += 1;
                false
            }
            Some(_) => true,
        }
    }

    /// The current offset (after whitespace).
    pub fn offset(&mut self) -> usize {
        self.skip_ws();
        self.pos
    }

    /// Go `Decoder.Token()` for the first token of the next value, formatted as c/image's
    /// `JSON object expected, got …` message; `None` when the value is an object.
    fn object_expected_message(&mut self, compat: Compat) -> Option<(String, Span)> {
        let kind = self.peek_kind();
        let mut probe = self.clone();
        let span = probe.skip_value();
        let got = match (kind, compat) {
            (Kind::Object, _) => return None,
            (Kind::Array, Compat::V5_23) => "\"[\"".to_owned(),
            (Kind::Array, Compat::Current) => "91".to_owned(),
            (Kind::String, _) => {
                let (s, _) = self.clone().read_string();
                q(compat, &s)
            }
            (Kind::Number, _) => {
                let (text, _) = self.clone().read_number();
                let f: f64 = text.parse().unwrap_or(f64::INFINITY);
                if f.is_infinite() {
                    // Token() decodes numbers as float64; out-of-range is a decode error.
                    let msg = format!(
                        "json: cannot unmarshal number {text} into Go value of type float64"
                    );
                    return Some((msg, span));
                }
                match compat {
                    Compat::V5_23 => format!("\"%!s(float64={})\"", gofmt::format_float(f)),
                    Compat::Current => gofmt::format_float(f),
                }
            }
            (Kind::Bool, _) => {
                let (b, _) = self.clone().read_bool();
                match compat {
                    Compat::V5_23 => format!("\"%!s(bool={b})\""),
                    Compat::Current => b.to_string(),
                }
            }
            (Kind::Null, Compat::V5_23) => "\"%!s(<nil>)\"".to_owned(),
            (Kind::Null, Compat::Current) => "<nil>".to_owned(),
        };
        Some((format!("JSON object expected, got {got}"), span))
    }

    /// Reads the next value as a strict object (c/image `ParanoidUnmarshalJSONObject`).
    ///
    /// `field` is called for each key in document order after the duplicate check; it must
    /// consume the value and return `Ok(true)`, or return `Ok(false)` without consuming
    /// anything for a key the object does not define (reported as `Unknown key`).
    /// Returns the object's span.
    pub fn strict_object(
        &mut self,
        compat: Compat,
        mut field: impl FnMut(&mut Cursor<'a>, &str, Span) -> Result<bool, DecodeError>,
    ) -> Result<Span, DecodeError> {
        if let Some((message, span)) = self.object_expected_message(compat) {
            let kind = if message.starts_with("JSON object expected") {
                ErrorKind::ObjectExpected
            } else {
                ErrorKind::Type
            };
            return Err(DecodeError::new(kind, message, span));
        }
        let start = self.enter();
        let mut seen: HashSet<String> = HashSet::new();
        while let Some((key, key_span)) = self.next_key() {
            if !seen.insert(key.clone()) {
                return Err(DecodeError::new(
                    ErrorKind::DuplicateKey,
                    format!("Duplicate key {}", q(compat, &key)),
                    key_span,
                ));
            }
            if !field(self, &key, key_span.clone())? {
                return Err(DecodeError::new(
                    ErrorKind::UnknownKey,
                    format!("Unknown key {}", q(compat, &key)),
                    key_span,
                ));
            }
        }
        Ok(start..self.pos)
    }

    /// A Go type mismatch error for the next value (which is skipped).
    fn mismatch(&mut self, go_type: &str) -> DecodeError {
        let kind = self.peek_kind();
        let span = self.skip_value();
        type_error(kind.go_name(), go_type, span)
    }

    /// Decodes the next value into a Go `string`-kinded field: `Some` for a string, `None` for
    /// `null` (Go leaves the field unchanged), an error naming `go_type` otherwise.
    pub fn decode_string(&mut self, go_type: &str) -> Result<Spanned<Option<String>>, DecodeError> {
        match self.peek_kind() {
            Kind::String => {
                let (s, span) = self.read_string();
                Ok((Some(s), span))
            }
            Kind::Null => Ok((None, self.skip_value())),
            _ => Err(self.mismatch(go_type)),
        }
    }

    /// Decodes into `[]string`: `None` for `null`; `null` elements become `""`.
    pub fn decode_string_slice(&mut self) -> Result<Spanned<Option<Vec<String>>>, DecodeError> {
        match self.peek_kind() {
            Kind::Array => {}
            Kind::Null => return Ok((None, self.skip_value())),
            _ => return Err(self.mismatch("[]string")),
        }
        let start = self.enter();
        let mut out = Vec::new();
        let mut first_err = None;
        while self.next_element() {
            match self.decode_string("string") {
                Ok((s, _)) => out.push(s.unwrap_or_default()),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok((Some(out), start..self.pos)),
        }
    }

    /// Decodes into `[]byte`: a base64 string (Go rules), an array of 0–255 integers, or
    /// `null` (`None`).
    pub fn decode_bytes(&mut self) -> Result<Spanned<Option<Vec<u8>>>, DecodeError> {
        match self.peek_kind() {
            Kind::String => {
                let (s, span) = self.read_string();
                match gobase64::decode(s.as_bytes()) {
                    Ok(b) => Ok((Some(b), span)),
                    Err(e) => Err(DecodeError::new(ErrorKind::Base64, e.to_string(), span)),
                }
            }
            Kind::Null => Ok((None, self.skip_value())),
            Kind::Array => {
                let start = self.enter();
                let mut out = Vec::new();
                let mut first_err = None;
                while self.next_element() {
                    match self.peek_kind() {
                        Kind::Number => {
                            let (text, span) = self.read_number();
                            match text.parse::<u8>() {
                                Ok(b) if text.bytes().all(|c| c.is_ascii_digit()) => out.push(b),
                                _ => {
                                    first_err.get_or_insert(type_error(
                                        &format!("number {text}"),
                                        "uint8",
                                        span,
                                    ));
                                }
                            }
                        }
                        Kind::Null => {
                            self.skip_value();
                            out.push(0);
                        }
                        _ => {
                            let e = self.mismatch("uint8");
                            first_err.get_or_insert(e);
                        }
                    }
                }
                match first_err {
                    Some(e) => Err(e),
                    None => Ok((Some(out), start..self.pos)),
                }
            }
            _ => Err(self.mismatch("[]uint8")),
        }
    }

    /// Decodes into `[][]byte`: `None` for `null`; `null` elements become empty.
    pub fn decode_bytes_slice(&mut self) -> Result<Spanned<Option<Vec<Vec<u8>>>>, DecodeError> {
        match self.peek_kind() {
            Kind::Array => {}
            Kind::Null => return Ok((None, self.skip_value())),
            _ => return Err(self.mismatch("[][]uint8")),
        }
        let start = self.enter();
        let mut out = Vec::new();
        let mut first_err = None;
        while self.next_element() {
            match self.decode_bytes() {
                Ok((b, _)) => out.push(b.unwrap_or_default()),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok((Some(out), start..self.pos)),
        }
    }
}

/// A value and its span.
pub type Spanned<T> = (T, Span);

/// Go's `UnmarshalTypeError` text for a plain (non-struct) destination.
pub fn type_error(value: &str, go_type: &str, span: Span) -> DecodeError {
    DecodeError::new(
        ErrorKind::Type,
        format!("json: cannot unmarshal {value} into Go value of type {go_type}"),
        span,
    )
}

/// Go's `UnmarshalTypeError` text for a struct field destination.
pub fn struct_field_type_error(
    value: &str,
    strukt: &str,
    field: &str,
    go_type: &str,
    span: Span,
) -> DecodeError {
    DecodeError::new(
        ErrorKind::Type,
        format!(
            "json: cannot unmarshal {value} into Go struct field {strukt}.{field} of type {go_type}"
        ),
        span,
    )
}

/// Go's `unquote` of a JSON string body (without quotes), which is known to be well-formed.
fn unquote(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' {
            let Some(&e) = b.get(i + 1) else { break };
            i += 2;
            match e {
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let Some(r) = hex4(b, i) else { break };
                    i += 4;
                    if (0xD800..0xDC00).contains(&r) {
                        // A surrogate pair needs a following \uDC00–\uDFFF escape.
                        if b.get(i) == Some(&b'\\')
                            && b.get(i + 1) == Some(&b'u')
                            && let Some(r2) = hex4(b, i + 2)
                            && (0xDC00..0xE000).contains(&r2)
                        {
                            let cp = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
                            out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                            i += 6;
                            continue;
                        }
                        out.push('\u{FFFD}');
                    } else {
                        out.push(char::from_u32(r).unwrap_or('\u{FFFD}'));
                    }
                }
                other => out.push(char::from(other)),
            }
            continue;
        }
        if c < 0x80 {
            out.push(char::from(c));
            i += 1;
            continue;
        }
        // One UTF-8 sequence, or U+FFFD for a single invalid byte (Go utf8.DecodeRune).
        let len = match c {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => 0,
        };
        match b.get(i..i + len).and_then(|s| std::str::from_utf8(s).ok()) {
            Some(s) if len > 0 => {
                out.push_str(s);
                i += len;
            }
            _ => {
                out.push('\u{FFFD}');
                i += 1;
            }
        }
    }
    out
}

fn hex4(b: &[u8], i: usize) -> Option<u32> {
    let s = std::str::from_utf8(b.get(i..i + 4)?).ok()?;
    u32::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquote_like_go() {
        assert_eq!(unquote(br"a\u00e9\n\/"), "aé\n/");
        assert_eq!(unquote(br"\ud83d\ude00"), "😀");
        assert_eq!(unquote(br"\ud83dx"), "\u{FFFD}x");
        assert_eq!(unquote(b"\xe2\x82x"), "\u{FFFD}\u{FFFD}x");
        assert_eq!(unquote(b"\xff"), "\u{FFFD}");
    }

    #[test]
    fn skip_nested_iteratively() {
        let deep = format!("{}{} 1", "[".repeat(10_000), "]".repeat(10_000));
        let mut c = Cursor::new(deep.as_bytes());
        assert_eq!(c.skip_value(), 0..20_000);
    }

    #[test]
    fn strict_object_reports_in_order() {
        let src = br#"{"a": 1, "b": 2, "a": 3}"#;
        let mut c = Cursor::new(src);
        let err = c
            .strict_object(Compat::V5_23, |c, _, _| {
                c.skip_value();
                Ok(true)
            })
            .unwrap_err();
        assert_eq!(err.message, "Duplicate key \"a\"");
        assert_eq!(&src[err.span.clone()], b"\"a\"");
        assert_eq!(err.span.start, 17);
    }

    #[test]
    fn object_expected_formats() {
        let cases: &[(&str, &str, &str)] = &[
            ("[]", "\"[\"", "91"),
            ("\"x\"", "\"x\"", "\"x\""),
            ("null", "\"%!s(<nil>)\"", "<nil>"),
            ("1", "\"%!s(float64=1)\"", "1"),
            ("true", "\"%!s(bool=true)\"", "true"),
        ];
        for (src, old, new) in cases {
            for (compat, want) in [(Compat::V5_23, old), (Compat::Current, new)] {
                let mut c = Cursor::new(src.as_bytes());
                let err = c.strict_object(compat, |_, _, _| Ok(true)).unwrap_err();
                assert_eq!(err.message, format!("JSON object expected, got {want}"));
            }
        }
    }
}
