//! A small line diff for `--dry-run` (LCS; configuration files are small).

/// A unified-style listing of the changes from `old` to `new` (`-`/`+`/` ` prefixes).
pub fn line_diff(label: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len() * b.len() > 4_000_000 {
        return format!(
            "--- {label}\n+++ {label} (new)\n(file too large to diff: {} → {} lines)\n",
            a.len(),
            b.len()
        );
    }
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = format!("--- {label}\n+++ {label} (new)\n");
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out += &format!(" {}\n", a[i]);
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out += &format!("-{}\n", a[i]);
            i += 1;
        } else {
            out += &format!("+{}\n", b[j]);
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn diff() {
        assert_eq!(
            super::line_diff("f", "a\nb\nc\n", "a\nx\nc\n"),
            "--- f\n+++ f (new)\n a\n-b\n+x\n c\n"
        );
        assert_eq!(super::line_diff("f", "", "a\n"), "--- f\n+++ f (new)\n+a\n");
    }
}
