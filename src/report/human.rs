//! Human-readable diagnostics: rustc-style with the offending line and a caret.

use std::io::IsTerminal;
use std::path::Path;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::position::line_col;

/// Severity of a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Would stop c/image / a rule error.
    Error,
    /// Dangerous or dead configuration.
    Warning,
    /// Worth knowing.
    Info,
}

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
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    let path = d.path.display().to_string();
    let text = std::str::from_utf8(d.text).ok().filter(|t| !t.is_empty());
    let pos = line_col(d.text, d.span.start);
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
            groups.push(
                title.element(
                    Snippet::source(text).path(path.as_str()).annotation(
                        AnnotationKind::Primary
                            .span(start..end)
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
