//! P004 wildcard-never-matches: only `*.domain` wildcards work, and only for subdomains.

use crate::diag::Severity;
use crate::lint::{Context, Finding, Rule};

pub static RULE: &Rule = &Rule {
    code: "P004",
    name: "wildcard-never-matches",
    severity: Severity::Warning,
    summary: "docker scope with a `*` that is not a leading `*.` label: it never matches",
    docs: "### What it does\nFlags scopes such as `example*.com`, `*example.com`, `*.example.com/ns` or `registry/*`.\n\n\
### Why\nThe only wildcard c/image generates is `*.` followed by a domain suffix (from `a.b.example.com` it tries \
`*.b.example.com`, `*.example.com`, `*.com`), with no path and no port. Anything else containing `*` is compared as a \
plain string and never equals an image identity.\n\n### Fix\nUse `*.example.com` (subdomains only; add \
`example.com` separately for the domain itself).\n",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for s in super::docker_scopes(ctx.policy, false) {
        let k = &s.key.value;
        if !k.contains('*') {
            continue;
        }
        let ok = k
            .strip_prefix("*.")
            .is_some_and(|rest| !rest.is_empty() && !rest.contains(['*', '/', ':']));
        if !ok {
            out.push(Finding {
                code: RULE.code,
                message: format!("wildcard scope {k:?} never matches any image"),
                span: s.key.span.clone(),
                label: "only a leading `*.` label is a wildcard".into(),
                help: Some("write `*.example.com` (subdomains) and/or `example.com`".into()),
            });
        }
    }
}
