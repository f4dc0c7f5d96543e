//! Human-readable diagnostics: rustc-style with the offending line and a caret.

use std::io::IsTerminal;
use std::path::Path;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::position::LineIndex;

pub use crate::diag::Severity;

/// One spanned diagnostic in one file.
#[derive(Debug, Clone)]
pub struct Diagnostic<'a> {
    /// Severity.
    pub severity: Severity,
    /// A rule code, if any.
    pub code: Option<&'a str>,
    /// The main message.
    pub message: String,
    /// The file.
    pub path: &'a Path,
    /// Its contents.
    pub text: &'a [u8],
    /// The byte span the message is about.
    pub span: std::ops::Range<usize>,
    /// A label under the caret.
    pub label: String,
    /// Extra notes ("help: …").
    pub help: Vec<String>,
}

fn renderer() -> Renderer {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
}

/// Renders a diagnostic. When the file is not valid UTF-8 (or empty), only `file:line:col` is
/// shown instead of a snippet.
pub fn render(d: &Diagnostic<'_>) -> String {
    render_indexed(d, &LineIndex::new(d.text))
}

/// [`render`] with the line index of `d.text` built once by the caller: a diagnostic then
/// costs the lines it shows, not a scan of the whole file (lint renders many per file).
pub fn render_indexed(d: &Diagnostic<'_>, index: &LineIndex<'_>) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    let path = d.path.display().to_string();
    let text = std::str::from_utf8(d.text).ok().filter(|t| !t.is_empty());
    let pos = index.line_col(d.span.start);
    let mut title = level.primary_title(d.message.as_str());
    if let Some(code) = d.code {
        title = title.id(code);
    }
    let mut groups = Vec::new();
    match text {
        Some(text) => {
            let mut start = d.span.start.min(text.len());
            let mut end = d.span.end.clamp(start, text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            while !text.is_char_boundary(end) {
                end += 1;
            }
            // Only the lines the annotation touches are shown: hand annotate-snippets just
            // those (numbered from their first line), not the whole file, plus the line before
            // them, which it does not show but counts when it sizes the line-number gutter.
            let mut first = index.line_of(start);
            // The end of a file that ends with a newline belongs, for annotate-snippets, to
            // the last line (there is no empty line after it).
            if first > 0 && index.line_range(first).start == text.len() {
                first -= 1;
            }
            let first = first.saturating_sub(1);
            let window = index.line_range(first).start..index.line_range(index.line_of(end)).end;
            groups.push(
                title.element(
                    Snippet::source(&text[window.clone()])
                        .line_start(first + 1)
                        .path(path.as_str())
                        .annotation(
                            AnnotationKind::Primary
                                .span(start - window.start..end - window.start)
                                .label(d.label.as_str()),
                        ),
                ),
            );
        }
        None => {
            let loc = format!("{path}:{}:{}", pos.line, pos.column);
            groups.push(title.element(annotate_snippets::Origin::path(loc.as_str())));
            let out = renderer().render(&[groups.remove(0)]);
            return finish(out, &d.help);
        }
    }
    let mut out = renderer().render(&groups);
    for h in &d.help {
        let g = Group::with_title(Level::HELP.secondary_title(h.as_str()));
        out.push('\n');
        out.push_str(&renderer().render(&[g]));
    }
    out.push('\n');
    out
}

fn finish(mut out: String, help: &[String]) -> String {
    for h in help {
        out.push_str("\nhelp: ");
        out.push_str(h);
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The renderer before line windows: the whole file handed to annotate-snippets.
    fn render_whole(d: &Diagnostic<'_>) -> String {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Info => Level::INFO,
        };
        let path = d.path.display().to_string();
        let text = std::str::from_utf8(d.text).unwrap();
        let mut title = level.primary_title(d.message.as_str());
        if let Some(code) = d.code {
            title = title.id(code);
        }
        let mut start = d.span.start.min(text.len());
        let mut end = d.span.end.clamp(start, text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let groups = vec![
            title.element(
                Snippet::source(text).path(path.as_str()).annotation(
                    AnnotationKind::Primary
                        .span(start..end)
                        .label(d.label.as_str()),
                ),
            ),
        ];
        let mut out = Renderer::plain().render(&groups);
        for h in &d.help {
            let g = Group::with_title(Level::HELP.secondary_title(h.as_str()));
            out.push('\n');
            out.push_str(&Renderer::plain().render(&[g]));
        }
        out.push('\n');
        out
    }

    /// Windowed rendering is byte-identical to rendering with the whole file, for every span
    /// (empty, multi-line, at line ends, at the end of the file, inside multi-byte characters).
    #[test]
    fn windowed_rendering_is_identical() {
        // SAFETY of the comparison: both sides use the plain renderer (no terminal in tests).
        let texts = [
            "{\n  \"default\": [{\"type\": \"reject\"}],\n\t\"x\": \"\u{e9}\u{1F600}\"\n}\n",
            "one line, no newline",
            "a\r\nb\r\n\r\nccc",
            "\n\n\nx\n\n",
            "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12\n",
        ];
        let long: String = (1..=120).map(|i| format!("line {i}\n")).collect();
        let path = std::path::Path::new("p.json");
        for text in texts.iter().copied().chain([long.as_str()]) {
            let index = LineIndex::new(text.as_bytes());
            let n = text.len();
            for start in 0..=n + 1 {
                for end in [start, start + 1, start + 3, start + 9, n, n + 2] {
                    if end < start {
                        continue;
                    }
                    let d = Diagnostic {
                        severity: Severity::Warning,
                        code: Some("P001"),
                        message: "m".into(),
                        path,
                        text: text.as_bytes(),
                        span: start..end,
                        label: "here".into(),
                        help: vec!["h".into()],
                    };
                    if std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal() {
                        return;
                    }
                    assert_eq!(
                        render_indexed(&d, &index),
                        render_whole(&d),
                        "{text:?} {start}..{end}"
                    );
                }
            }
        }
    }
}
