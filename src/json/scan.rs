//! A byte-for-byte port of the *behaviour* of Go's `encoding/json` syntax checker.
//!
//! c/image first runs `json.Unmarshal`, whose `checkValid` pass validates the whole input
//! before any decoding happens (spec §1.1 item 1). Its error strings ("invalid character 'x'
//! after top-level value", "unexpected end of JSON input", …) are part of the contract, so this
//! module reproduces Go's state machine: same states, same transitions, same messages, same
//! nesting limit (10000). It is iterative (an explicit stack), so hostile nesting cannot blow
//! our stack.

use super::gofmt::quote_char;

/// Go's `maxNestingDepth` (encoding/json/scanner.go).
pub const MAX_NESTING_DEPTH: usize = 10_000;

/// A JSON syntax error, with Go's message and the byte offset of the offending byte (the input
/// length for a premature end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Go's message.
    pub message: String,
    /// Byte offset of the offending byte.
    pub offset: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Parse {
    ObjectKey,
    ObjectValue,
    ArrayValue,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    BeginValue,
    BeginValueOrEmpty,
    BeginStringOrEmpty,
    BeginString,
    EndValue,
    EndTop,
    InString,
    InStringEsc,
    InStringEscU(u8),
    Neg,
    One,
    Zero,
    Dot,
    Dot0,
    E,
    ESign,
    E0,
    Lit(&'static [u8], usize, &'static str),
}

struct Scanner {
    step: State,
    stack: Vec<Parse>,
    end_top: bool,
    err: Option<SyntaxError>,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

impl Scanner {
    fn error(&mut self, c: u8, offset: usize, context: &str) {
        if self.err.is_none() {
            self.err = Some(SyntaxError {
                message: format!("invalid character {} {}", quote_char(c), context),
                offset,
            });
        }
    }

    /// One transition; returns false when an error is recorded.
    fn step(&mut self, c: u8, at: usize) -> bool {
        if self.err.is_some() {
            return false;
        }
        let mut state = self.step;
        // Some Go states fall through into others for the same byte; loop until consumed.
        loop {
            match state {
                State::BeginValueOrEmpty => {
                    if is_space(c) {
                        return true;
                    }
                    if c == b']' {
                        state = State::EndValue;
                        continue;
                    }
                    state = State::BeginValue;
                }
                State::BeginValue => {
                    if is_space(c) {
                        return true;
                    }
                    match c {
                        b'{' => {
                            self.step = State::BeginStringOrEmpty;
                            return self.push(Parse::ObjectKey, c, at);
                        }
                        b'[' => {
                            self.step = State::BeginValueOrEmpty;
                            return self.push(Parse::ArrayValue, c, at);
                        }
                        b'"' => self.step = State::InString,
                        b'-' => self.step = State::Neg,
                        b'0' => self.step = State::Zero,
                        b't' => self.step = State::Lit(b"rue", 0, "true"),
                        b'f' => self.step = State::Lit(b"alse", 0, "false"),
                        b'n' => self.step = State::Lit(b"ull", 0, "null"),
                        b'1'..=b'9' => self.step = State::One,
                        _ => {
                            self.error(c, at, "looking for beginning of value");
                            return false;
                        }
                    }
                    return true;
                }
                State::BeginStringOrEmpty => {
                    if is_space(c) {
                        return true;
                    }
                    if c == b'}' {
                        if let Some(top) = self.stack.last_mut() {
                            *top = Parse::ObjectValue;
                        }
                        state = State::EndValue;
                        continue;
                    }
                    state = State::BeginString;
                }
                State::BeginString => {
                    if is_space(c) {
                        return true;
                    }
                    if c == b'"' {
                        self.step = State::InString;
                        return true;
                    }
                    self.error(c, at, "looking for beginning of object key string");
                    return false;
                }
                State::EndValue => {
                    let Some(&ps) = self.stack.last() else {
                        self.step = State::EndTop;
                        self.end_top = true;
                        state = State::EndTop;
                        continue;
                    };
                    if is_space(c) {
                        self.step = State::EndValue;
                        return true;
                    }
                    let n = self.stack.len();
                    match ps {
                        Parse::ObjectKey => {
                            if c == b':' {
                                self.stack[n - 1] = Parse::ObjectValue;
                                self.step = State::BeginValue;
                                return true;
                            }
                            self.error(c, at, "after object key");
                            return false;
                        }
                        Parse::ObjectValue => {
                            if c == b',' {
                                self.stack[n - 1] = Parse::ObjectKey;
                                self.step = State::BeginString;
                                return true;
                            }
                            if c == b'}' {
                                self.pop();
                                return true;
                            }
                            self.error(c, at, "after object key:value pair");
                            return false;
                        }
                        Parse::ArrayValue => {
                            if c == b',' {
                                self.step = State::BeginValue;
                                return true;
                            }
                            if c == b']' {
                                self.pop();
                                return true;
                            }
                            self.error(c, at, "after array element");
                            return false;
                        }
                    }
                }
                State::EndTop => {
                    // Go records the error but reports it on the next byte or at EOF; the
                    // message and offending byte are the same.
                    if !is_space(c) {
                        self.error(c, at, "after top-level value");
                        return false;
                    }
                    return true;
                }
                State::InString => {
                    if c == b'"' {
                        self.step = State::EndValue;
                        return true;
                    }
                    if c == b'\\' {
                        self.step = State::InStringEsc;
                        return true;
                    }
                    if c < 0x20 {
                        self.error(c, at, "in string literal");
                        return false;
                    }
                    return true;
                }
                State::InStringEsc => {
                    match c {
                        b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => {
                            self.step = State::InString
                        }
                        b'u' => self.step = State::InStringEscU(0),
                        _ => {
                            self.error(c, at, "in string escape code");
                            return false;
                        }
                    }
                    return true;
                }
                State::InStringEscU(n) => {
                    if c.is_ascii_hexdigit() {
                        self.step = if n == 3 {
                            State::InString
                        } else {
                            State::InStringEscU(n + 1)
                        };
                        return true;
                    }
                    self.error(c, at, "in \\u hexadecimal character escape");
                    return false;
                }
                State::Neg => {
                    if c == b'0' {
                        self.step = State::Zero;
                        return true;
                    }
                    if (b'1'..=b'9').contains(&c) {
                        self.step = State::One;
                        return true;
                    }
                    self.error(c, at, "in numeric literal");
                    return false;
                }
                State::One => {
                    if c.is_ascii_digit() {
                        self.step = State::One;
                        return true;
                    }
                    state = State::Zero;
                }
                State::Zero => {
                    if c == b'.' {
                        self.step = State::Dot;
                        return true;
                    }
                    if c == b'e' || c == b'E' {
                        self.step = State::E;
                        return true;
                    }
                    state = State::EndValue;
                }
                State::Dot => {
                    if c.is_ascii_digit() {
                        self.step = State::Dot0;
                        return true;
                    }
                    self.error(c, at, "after decimal point in numeric literal");
                    return false;
                }
                State::Dot0 => {
                    if c.is_ascii_digit() {
                        return true;
                    }
                    if c == b'e' || c == b'E' {
                        self.step = State::E;
                        return true;
                    }
                    state = State::EndValue;
                }
                State::E => {
                    if c == b'+' || c == b'-' {
                        self.step = State::ESign;
                        return true;
                    }
                    state = State::ESign;
                }
                State::ESign => {
                    if c.is_ascii_digit() {
                        self.step = State::E0;
                        return true;
                    }
                    self.error(c, at, "in exponent of numeric literal");
                    return false;
                }
                State::E0 => {
                    if c.is_ascii_digit() {
                        return true;
                    }
                    state = State::EndValue;
                }
                State::Lit(rest, i, word) => {
                    let want = rest[i];
                    if c == want {
                        self.step = if i + 1 == rest.len() {
                            State::EndValue
                        } else {
                            State::Lit(rest, i + 1, word)
                        };
                        return true;
                    }
                    let context = format!("in literal {word} (expecting {})", quote_char(want));
                    self.error(c, at, &context);
                    return false;
                }
            }
        }
    }

    fn push(&mut self, p: Parse, c: u8, at: usize) -> bool {
        self.stack.push(p);
        if self.stack.len() <= MAX_NESTING_DEPTH {
            return true;
        }
        self.error(c, at, "exceeded max depth");
        false
    }

    fn pop(&mut self) {
        self.stack.pop();
        if self.stack.is_empty() {
            self.step = State::EndTop;
            self.end_top = true;
        } else {
            self.step = State::EndValue;
        }
    }
}

/// Checks that `data` is exactly one JSON value (surrounded by optional whitespace), as Go's
/// `checkValid` does.
pub fn validate(data: &[u8]) -> Result<(), SyntaxError> {
    let mut s = Scanner {
        step: State::BeginValue,
        stack: Vec::new(),
        end_top: false,
        err: None,
    };
    for (at, &c) in data.iter().enumerate() {
        if !s.step(c, at) {
            break;
        }
    }
    if let Some(err) = s.err {
        return Err(err);
    }
    // Go's eof(): feed a space to finish a pending number/literal; if the top-level value is
    // still not complete, the input ended early.
    if !s.end_top {
        s.step(b' ', data.len());
        if let Some(err) = s.err {
            return Err(err);
        }
        if !s.end_top {
            return Err(SyntaxError {
                message: "unexpected end of JSON input".to_owned(),
                offset: data.len(),
            });
        }
    }
    Ok(())
}

/// The length of the first JSON value in `data` (with leading whitespace), as Go's
/// `json.Decoder.Decode` reads it: whatever follows that value is not looked at.
pub fn first_value_len(data: &[u8]) -> Result<usize, SyntaxError> {
    let mut s = Scanner {
        step: State::BeginValue,
        stack: Vec::new(),
        end_top: false,
        err: None,
    };
    for (at, &c) in data.iter().enumerate() {
        if !s.step(c, at) {
            break;
        }
        if s.end_top {
            // A container or string ends on its closing byte; a bare literal one byte before
            // the delimiter that ended it.
            return Ok(if matches!(c, b'}' | b']' | b'"') {
                at + 1
            } else {
                at
            });
        }
    }
    if let Some(err) = s.err {
        return Err(err);
    }
    s.step(b' ', data.len());
    if let Some(err) = s.err {
        return Err(err);
    }
    if s.end_top {
        return Ok(data.len());
    }
    Err(SyntaxError {
        message: "unexpected EOF".to_owned(),
        offset: data.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(s: &[u8]) -> String {
        match validate(s) {
            Ok(()) => "ok".to_owned(),
            Err(e) => e.message,
        }
    }

    #[test]
    fn first_value() {
        assert_eq!(first_value_len(b" {} x"), Ok(3));
        assert_eq!(first_value_len(b"[1,2]]"), Ok(5));
        assert_eq!(first_value_len(b"12 3"), Ok(2));
        assert_eq!(first_value_len(b"12"), Ok(2));
        assert!(first_value_len(b"{").is_err());
        assert!(first_value_len(b"{]").is_err());
        assert!(first_value_len(b"  ").is_err());
    }

    #[test]
    fn go_messages() {
        let cases: &[(&[u8], &str)] = &[
            (b"{}", "ok"),
            (
                b" {\"a\": [1, 2.5e-3, true, false, null, \"x\\u00e9\"]} \n",
                "ok",
            ),
            (b"", "unexpected end of JSON input"),
            (b"   ", "unexpected end of JSON input"),
            (b"{", "unexpected end of JSON input"),
            (b"{}x", "invalid character 'x' after top-level value"),
            (b"{} {}", "invalid character '{' after top-level value"),
            (
                b"{\"a\":1 // c\n}",
                "invalid character '/' after object key:value pair",
            ),
            (
                b"// c\n{}",
                "invalid character '/' looking for beginning of value",
            ),
            (
                b"\xef\xbb\xbf{}",
                "invalid character '\u{ef}' looking for beginning of value",
            ),
            (b"{\"a\" 1}", "invalid character '1' after object key"),
            (
                b"{1:1}",
                "invalid character '1' looking for beginning of object key string",
            ),
            (
                b"{\"a\":1,}",
                "invalid character '}' looking for beginning of object key string",
            ),
            (
                b"[1,]",
                "invalid character ']' looking for beginning of value",
            ),
            (b"[1 2]", "invalid character '2' after array element"),
            (b"\"a\nb\"", "invalid character '\\n' in string literal"),
            (b"\"\\x\"", "invalid character 'x' in string escape code"),
            (
                b"\"\\u12g4\"",
                "invalid character 'g' in \\u hexadecimal character escape",
            ),
            (b"-x", "invalid character 'x' in numeric literal"),
            (
                b"1.",
                "invalid character ' ' after decimal point in numeric literal",
            ),
            (b"-", "invalid character ' ' in numeric literal"),
            (
                b"1e",
                "invalid character ' ' in exponent of numeric literal",
            ),
            (b"\"abc", "unexpected end of JSON input"),
            (b"[1", "unexpected end of JSON input"),
            (
                b"1.x",
                "invalid character 'x' after decimal point in numeric literal",
            ),
            (
                b"1ex",
                "invalid character 'x' in exponent of numeric literal",
            ),
            (b"01", "invalid character '1' after top-level value"),
            (
                b"tru",
                "invalid character ' ' in literal true (expecting 'e')",
            ),
            (
                b"trUe",
                "invalid character 'U' in literal true (expecting 'u')",
            ),
            (
                b"nul",
                "invalid character ' ' in literal null (expecting 'l')",
            ),
            (
                b"nulL",
                "invalid character 'L' in literal null (expecting 'l')",
            ),
            (
                b"fals",
                "invalid character ' ' in literal false (expecting 'e')",
            ),
            (
                b"'a'",
                "invalid character '\\'' looking for beginning of value",
            ),
            (b"1", "ok"),
            (b"-0.5E+10", "ok"),
        ];
        for (input, want) in cases {
            assert_eq!(
                msg(input),
                *want,
                "input {:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn depth_limit_matches_go() {
        let ok = format!(
            "{}{}",
            "[".repeat(MAX_NESTING_DEPTH),
            "]".repeat(MAX_NESTING_DEPTH)
        );
        assert_eq!(msg(ok.as_bytes()), "ok");
        let deep = "[".repeat(MAX_NESTING_DEPTH + 1);
        assert_eq!(
            msg(deep.as_bytes()),
            "invalid character '[' exceeded max depth"
        );
        let deep = "[".repeat(1_000_000);
        assert!(validate(deep.as_bytes()).is_err());
    }
}
