//! Byte offsets to `line:column` (1-based; the column counts characters, as editors do).

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters (bytes when the line is not valid UTF-8).
    pub column: usize,
}

/// The line and column of `offset` in `text` (clamped to the text).
pub fn line_col(text: &[u8], offset: usize) -> LineCol {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col_bytes = &before[start..];
    let column = match std::str::from_utf8(col_bytes) {
        Ok(s) => s.chars().count() + 1,
        Err(_) => col_bytes.len() + 1,
    };
    LineCol { line, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let t = "ab\ncdé\nx".as_bytes();
        assert_eq!(line_col(t, 0), LineCol { line: 1, column: 1 });
        assert_eq!(line_col(t, 3), LineCol { line: 2, column: 1 });
        assert_eq!(line_col(t, 7), LineCol { line: 2, column: 4 });
        assert_eq!(line_col(t, 8), LineCol { line: 3, column: 1 });
        assert_eq!(line_col(t, 9), LineCol { line: 3, column: 2 });
        assert_eq!(line_col(t, 99), LineCol { line: 3, column: 2 });
    }
}
