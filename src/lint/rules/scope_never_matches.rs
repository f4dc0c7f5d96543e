//! P013 scope-never-matches: docker scopes that no image identity or namespace can equal.

use crate::diag::Severity;
use crate::lint::{Context, Finding, Rule};
use crate::reference::docker::Named;

pub static RULE: &Rule = &Rule {
    code: "P013",
    name: "scope-never-matches",
    severity: Severity::Warning,
    summary: "docker scope that is not a reference, namespace or wildcard: it is never reached",
    docs: "### What it does\nFlags `docker` scopes that cannot be produced by c/image's lookup: a URL scheme \
(`https://quay.io`), a trailing slash (`quay.io/org/`), upper case in the repository path, spaces, or anything else \
that is not a valid reference.\n\n### Why\nc/image accepts any string as a docker scope and compares it literally with \
the image's identity and namespaces; such a scope is dead configuration and its images fall through to a more \
general scope or the default.\n\n### Fix\nWrite `host[:port][/namespace…][/repo[:tag|@digest]]`, e.g. `quay.io/org`.\n",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for s in super::docker_scopes(ctx.policy, false) {
        let k = &s.key.value;
        if k.is_empty() || k.contains('*') {
            continue; // P004 covers wildcards.
        }
        let why = if k.contains("://") {
            Some("contains a URL scheme")
        } else if k.ends_with('/') {
            Some("ends with '/'")
        } else if k.chars().any(char::is_whitespace) {
            Some("contains whitespace")
        } else if Named::parse_normalized(k).is_err() && !crate::reference::docker::is_domain(k) {
            Some("is not a valid reference or namespace")
        } else {
            None
        };
        if let Some(why) = why {
            out.push(Finding {
                code: RULE.code,
                message: format!("docker scope {k:?} {why}: it never matches"),
                span: s.key.span.clone(),
                label: "never reached".into(),
                help: Some("write host[:port][/namespace…][/repo[:tag|@digest]]".into()),
            });
        }
    }
}
