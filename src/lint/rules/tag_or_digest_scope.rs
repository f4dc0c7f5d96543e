//! P003 tag-or-digest-scope: a scope with a tag or digest applies to that one tag or digest.

use crate::diag::Severity;
use crate::lint::{Context, Finding, Rule};
use crate::reference::docker::Named;

pub static RULE: &Rule = &Rule {
    code: "P003",
    name: "tag-or-digest-scope",
    severity: Severity::Info,
    summary: "docker scope with a tag or digest: it applies only to that exact tag or digest",
    docs: "### What it does\nNotes `docker` scopes like `example.com/app:1.0` or `example.com/app@sha256:…`.\n\n\
### Why\nSuch a scope is the most specific possible: it matches only an image referenced with exactly that tag (or \
digest); other tags of the repository use the repository scope or the default. A scope with both tag and digest \
never matches at all, because c/image refuses such references.\n\n### Fix\nIf you meant the whole repository, drop \
the tag or digest.\n",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for s in super::docker_scopes(ctx.policy, false) {
        // A scope without '/' is a registry host (`localhost:5000`, `quay.io`), as `scope`
        // and c/image read it: image identities always contain a '/', so it can only
        // match as a host namespace, and the ':' is a port, not a tag (issue 10).
        if !s.key.value.contains('/') {
            continue;
        }
        let Ok(n) = Named::parse_normalized(&s.key.value) else {
            continue;
        };
        let (msg, help) = match (n.tag(), n.digest()) {
            (Some(_), Some(_)) => (
                "has both a tag and a digest: it never matches (such references are refused)",
                None,
            ),
            (Some(_), None) => (
                "applies only to this tag",
                Some(format!(
                    "for every tag of the repository write \"{}\"",
                    n.name()
                )),
            ),
            (None, Some(_)) => (
                "applies only to this digest",
                Some(format!("for the whole repository write \"{}\"", n.name())),
            ),
            (None, None) => continue,
        };
        out.push(Finding {
            code: RULE.code,
            message: format!("docker scope {:?} {msg}", s.key.value),
            span: s.key.span.clone(),
            label: "tag or digest in a scope".into(),
            help,
        });
    }
}
