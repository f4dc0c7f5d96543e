//! P002 scope-not-normalized: a docker scope written in a short or non-canonical form never
//! matches, because image identities are always fully expanded.

use crate::diag::Severity;
use crate::lint::{Context, Finding, Rule};
use crate::reference::docker::Named;

pub static RULE: &Rule = &Rule {
    code: "P002",
    name: "scope-not-normalized",
    severity: Severity::Warning,
    summary: "docker scope not in the fully expanded form images are looked up with: it never matches",
    docs: "### What it does\nFlags `docker` scopes such as `busybox`, `busybox:latest` or \
`index.docker.io/library/x`.\n\n### Why\ncontainers/image compares scopes as strings with the image's *normalized* \
identity (`docker.io/library/busybox:latest`, then `docker.io/library/busybox`, `docker.io/library`, `docker.io`, \
`*.io`). A short name (no registry host) or an `index.docker.io` name is never equal to any of them, so the entry \
is dead and those images fall through to a less specific scope or `default`. (`docker.io/NAME`, a Docker Hub \
namespace, is P015.)\n\n### Fix\nWrite the expanded form shown in the help line (`policyctl scope docker://NAME` \
shows the exact strings).\n",
    check,
};

/// What is wrong with the form of a docker scope (shared with `lint --fix`).
pub enum ScopeForm {
    /// No registry host (`busybox`, `library/busybox:latest`): `expanded` is what matches.
    NoHost { expanded: String },
    /// `index.docker.io/…`, rewritten by c/image: `fixed` is the docker.io form.
    IndexDockerIo { fixed: String },
    /// `docker.io/NAME`: covers `docker.io/NAME/*`, not the official `docker.io/library/NAME`.
    DockerIoSingle { name: String },
}

/// Classifies a docker scope; `None` when it is in a form image lookups produce.
pub fn classify(key: &str) -> Option<ScopeForm> {
    // (DockerIoSingle is not dead configuration; P015 reports it, P002 and --fix skip it.)
    if key.is_empty() || key.starts_with("*.") {
        return None;
    }
    let first = key.split('/').next().unwrap_or("");
    let has_domain = key.contains('/') && (first.contains(['.', ':']) || first == "localhost");
    let bare_host = !key.contains('/') && (key.contains(['.', ':']) || key == "localhost");
    if bare_host {
        None
    } else if !has_domain {
        let n = Named::parse_normalized(key).ok()?;
        let expanded = if n.is_name_only() {
            n.name()
        } else {
            n.to_string()
        };
        Some(ScopeForm::NoHost { expanded })
    } else if first == "index.docker.io" {
        Some(ScopeForm::IndexDockerIo {
            fixed: format!("docker.io{}", &key[first.len()..]),
        })
    } else if first == "docker.io" && key.matches('/').count() == 1 && key != "docker.io/library" {
        Some(ScopeForm::DockerIoSingle {
            name: key["docker.io/".len()..].to_owned(),
        })
    } else {
        None
    }
}

fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for s in super::docker_scopes(ctx.policy, true) {
        let key = &s.key.value;
        let (message, help) = match classify(key) {
            // A Docker Hub namespace is a valid scope: P015 (info) says what it covers.
            None | Some(ScopeForm::DockerIoSingle { .. }) => continue,
            // `busybox`, `library/busybox`, `busybox:latest`: identities always start with a host.
            Some(ScopeForm::NoHost { expanded }) => (
                format!(
                    "docker scope {key:?} never matches: image identities always start with a registry host"
                ),
                format!("write \"{expanded}\""),
            ),
            Some(ScopeForm::IndexDockerIo { fixed }) => (
                format!(
                    "docker scope {key:?} never matches: c/image rewrites index.docker.io to docker.io"
                ),
                format!("write \"{fixed}\""),
            ),
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
