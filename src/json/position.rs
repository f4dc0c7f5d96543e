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

/// Line starts of a text, computed once, so that positions of many diagnostics in one file
/// cost a binary search each instead of a scan from the start of the file.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a [u8],
    /// Offset of the first byte of each line (0, and one after every `\n`).
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a [u8]) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(
            text.iter()
                .enumerate()
                .filter(|&(_, &b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { text, starts }
    }

    /// The 0-based line of `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    /// The byte range of 0-based `line`, with its `\n` if it has one.
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let start = self.starts.get(line).copied().unwrap_or(self.text.len());
        let end = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        start..end
    }

    /// [`line_col`], in time independent of the offset.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = self.line_of(offset);
        let col_bytes = &self.text[self.starts[line]..offset];
        let column = match std::str::from_utf8(col_bytes) {
            Ok(s) => s.chars().count() + 1,
            Err(_) => col_bytes.len() + 1,
        };
        LineCol {
            line: line + 1,
            column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_agrees_with_line_col() {
        for t in [
            &b"ab\ncd\xc3\xa9\nx"[..],
            b"",
            b"\n\n",
            b"no newline",
            b"\xff\xfe\n\xc3",
            b"a\r\nb\r\n",
        ] {
            let idx = LineIndex::new(t);
            for off in 0..t.len() + 3 {
                assert_eq!(idx.line_col(off), line_col(t, off), "{t:?} at {off}");
            }
        }
    }

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
