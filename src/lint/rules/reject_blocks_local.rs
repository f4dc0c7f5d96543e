//! P007 reject-blocks-local: `default: reject` without entries for the local transports.

use crate::diag::Severity;
use crate::lint::{Context, Finding, Rule};
use crate::policy::Requirement;

pub static RULE: &Rule = &Rule {
    code: "P007",
    name: "reject-blocks-local",
    severity: Severity::Warning,
    summary: "default reject without entries for local transports: podman build/load/import will fail",
    docs: "### What it does\nFlags a `default` of `reject` when `containers-storage`, `docker-archive`, `oci-archive`, \
`oci` or `dir` have no scope of their own.\n\n### Why\n`podman build` copies base images out of \
`containers-storage`, `podman load` reads `docker-archive`/`oci-archive`, `podman save`/`push` from local storage: all \
of these are evaluated against the policy. With a reject default they fail with \"Source image rejected\".\n\n\
### Fix\nAdd `\"\": [{\"type\": \"insecureAcceptAnything\"}]` for the local transports you use (as `policyctl init` \
does), keeping `reject` for registries.\n",
    check,
};

const LOCAL: &[&str] = &[
    "containers-storage",
    "docker-archive",
    "oci-archive",
    "oci",
    "dir",
];

fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let rejects = ctx
        .policy
        .default
        .items
        .iter()
        .any(|r| matches!(r.value, Requirement::Reject));
    if !rejects {
        return;
    }
    let missing: Vec<&str> = LOCAL
        .iter()
        .copied()
        .filter(|t| {
            !ctx.policy
                .transports
                .iter()
                .any(|s| s.name.value == *t && !s.scopes.is_empty())
        })
        .collect();
    if !missing.is_empty() {
        out.push(Finding {
            code: RULE.code,
            message: format!("default rejects everything, including local transports: {}", missing.join(", ")),
            span: ctx.policy.default.span.clone(),
            label: "also applies to local images".into(),
            help: Some("add \"\": [{\"type\": \"insecureAcceptAnything\"}] under those transports (see `policyctl init`)".into()),
        });
    }
}
