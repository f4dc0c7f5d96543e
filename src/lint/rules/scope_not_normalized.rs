//! P002 scope-not-normalized: a docker scope written in a short or non-canonical form never
//! matches, because image identities are always fully expanded.

use crate::lint::{Context, Finding, Rule};
use crate::reference::docker::Named;
use crate::report::human::Severity;

pub static RULE: &Rule = &Rule {
    code: "P002",
    name: "scope-not-normalized",
    severity: Severity::Warning,
    summary: "docker scope not in the fully expanded form images are looked up with: it never matches",
    docs: "### What it does\nFlags `docker` scopes such as `busybox`, `busybox:latest`, `docker.io/fedora` or \
`index.docker.io/library/x`.\n\n### Why\ncontainers/image compares scopes as strings with the image's *normalized* \
identity (`docker.io/library/busybox:latest`, then `docker.io/library/busybox`, `docker.io/library`, `docker.io`, \
`*.io`). A short name or `docker.io/fedora` (whose images are `docker.io/library/fedora`) is never equal to any of \
them, so the entry is dead and those images fall through to a less specific scope or `default`.\n\n### Fix\nWrite the \
expanded form shown in the help line (`policyctl scope docker://NAME` shows the exact strings).\n",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for t in ctx
        .policy
        .transports
        .iter()
        .filter(|t| t.name.value == "docker" || t.name.value == "atomic")
    {
        for s in &t.scopes {
            let key = &s.key.value;
            if key.is_empty() || key.starts_with("*.") {
                continue;
            }
            let first = key.split('/').next().unwrap_or("");
            let has_domain =
                key.contains('/') && (first.contains(['.', ':']) || first == "localhost");
            let bare_host = !key.contains('/') && (key.contains(['.', ':']) || key == "localhost");
            let (message, help) = if bare_host {
                continue;
            } else if !has_domain {
                // `busybox`, `library/busybox`, `busybox:latest`: identities always start with a host.
                let expanded = match Named::parse_normalized(key) {
                    Ok(n) if n.is_name_only() => n.name(),
                    Ok(n) => n.to_string(),
                    Err(_) => continue,
                };
                (
                    format!(
                        "docker scope {key:?} never matches: image identities always start with a registry host"
                    ),
                    format!("write \"{expanded}\""),
                )
            } else if first == "index.docker.io" {
                let rest = &key[first.len()..];
                (
                    format!(
                        "docker scope {key:?} never matches: c/image rewrites index.docker.io to docker.io"
                    ),
                    format!("write \"docker.io{rest}\""),
                )
            } else if first == "docker.io"
                && key.matches('/').count() == 1
                && key != "docker.io/library"
            {
                let name = &key["docker.io/".len()..];
                (
                    format!(
                        "docker scope {key:?} covers docker.io/{name}/* repositories only, not the official image {name:?}"
                    ),
                    format!("the official image is \"docker.io/library/{name}\""),
                )
            } else {
                continue;
            };
            out.push(Finding {
                code: RULE.code,
                message,
                span: s.key.span.clone(),
                label: "not the normalized form".into(),
                help: Some(help),
            });
        }
    }
}
