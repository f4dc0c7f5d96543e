//! Go formatting helpers whose output leaks into c/image's error messages: `strconv.Quote`
//! (`%q`), the scanner's `quoteChar`, and `%v` of a `float64`.

/// Go `strconv.Quote` for a (valid UTF-8) string: what `%q` prints.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// Go `strconv.Quote` of a Go string holding arbitrary bytes: invalid UTF-8 bytes print as
/// `\xNN` (what `%q` and `%#v` print for `string(bytes)`).
pub fn quote_bytes(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len() + 2);
    out.push('"');
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            push_escaped(&mut out, c, '"');
        }
        for x in chunk.invalid() {
            out.push_str(&format!("\\x{x:02x}"));
        }
    }
    out.push('"');
    out
}

fn push_escaped(out: &mut String, c: char, quote: char) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if is_go_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c == '\u{7f}' => {
            out.push_str(&format!("\\x{:02x}", c as u32));
        }
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation and symbols (general
/// categories L, M, N, P, S of Unicode 15.0, Go 1.26's tables) and U+0020. Unassigned code
/// points, controls, formats, separators, private use and surrogates are escaped.
fn is_go_print(c: char) -> bool {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    c == ' '
        || matches!(
            get_general_category(c),
            G::UppercaseLetter
                | G::LowercaseLetter
                | G::TitlecaseLetter
                | G::ModifierLetter
                | G::OtherLetter
                | G::NonspacingMark
                | G::SpacingMark
                | G::EnclosingMark
                | G::DecimalNumber
                | G::LetterNumber
                | G::OtherNumber
                | G::ConnectorPunctuation
                | G::DashPunctuation
                | G::OpenPunctuation
                | G::ClosePunctuation
                | G::InitialPunctuation
                | G::FinalPunctuation
                | G::OtherPunctuation
                | G::MathSymbol
                | G::CurrencySymbol
                | G::ModifierSymbol
                | G::OtherSymbol
        )
}

/// Go `encoding/json`'s `quoteChar`: how the scanner names an offending byte.
pub fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_owned(),
        b'"' => "'\"'".to_owned(),
        _ => {
            // Go converts the byte to a rune (Latin-1 style), so 0xEF prints as 'ï'.
            let q = quote(&char::from(c).to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

/// Go `%v` of a `float64`: `strconv.FormatFloat(f, 'g', -1, 64)` (shortest digits, `%e` form
/// when the exponent is < -4 or >= 6).
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    // Shortest round-trip digits and decimal exponent.
    let sci = format!("{:e}", f.abs());
    let (mant, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if f < 0.0 { "-" } else { "" };
    // strconv/ftoa.go: with the shortest precision, %g uses %e when exp < -4 || exp >= 6.
    if !(-4..6).contains(&exp) {
        let mut m = digits[..1].to_owned();
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let es = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{m}e{es}{:02}", exp.abs());
    }
    let nd = digits.len() as i32;
    let dp = exp + 1; // position of the decimal point relative to the digits
    let body = if dp <= 0 {
        format!("0.{}{}", "0".repeat((-dp) as usize), digits)
    } else if dp >= nd {
        format!("{}{}", digits, "0".repeat((dp - nd) as usize))
    } else {
        format!("{}.{}", &digits[..dp as usize], &digits[dp as usize..])
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {

    #[test]
    fn quote_bytes_escapes_invalid_utf8() {
        assert_eq!(
            quote_bytes(b"a\xff\"\x00\xc3\xa9"),
            "\"a\\xff\\\"\\x00\u{e9}\""
        );
        assert_eq!(quote_bytes(b""), "\"\"");
    }

    use super::*;

    #[test]
    fn unassigned_code_points_are_escaped_like_go() {
        // U+0530 is unassigned in Unicode 15.0 (Go prints `\u0530`); U+06E2 is a mark.
        assert_eq!(quote("\u{530}\u{6e2}\u{34b}"), "\"\\u0530\u{6e2}\u{34b}\"");
        assert_eq!(quote("\u{e000}\u{ad}\u{2028}"), "\"\\ue000\\u00ad\\u2028\"");
        assert_eq!(unicode_general_category::UNICODE_VERSION, (15, 0, 0));
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("abc"), "\"abc\"");
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote("a\nb\u{1}"), "\"a\\nb\\x01\"");
        assert_eq!(quote("é\u{feff}"), "\"é\\ufeff\"");
        assert_eq!(quote_char(b'x'), "'x'");
        assert_eq!(quote_char(b'\''), "'\\''");
        assert_eq!(quote_char(b'"'), "'\"'");
        assert_eq!(quote_char(b'\n'), "'\\n'");
        assert_eq!(quote_char(0xef), "'ï'");
    }

    #[test]
    fn floats_like_go_v() {
        assert_eq!(format_float(1.0), "1");
        assert_eq!(format_float(-2.5), "-2.5");
        assert_eq!(format_float(1e6), "1e+06");
        assert_eq!(format_float(123456.0), "123456");
        assert_eq!(format_float(1234567.0), "1.234567e+06");
        assert_eq!(format_float(1e21), "1e+21");
        assert_eq!(format_float(0.0001), "0.0001");
        assert_eq!(format_float(0.00001), "1e-05");
    }
}
