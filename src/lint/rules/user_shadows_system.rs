//! P012 user-shadows-system: a user policy replaces the system policy entirely.

use crate::diag::Severity;
use crate::lint::{Context, Finding, Rule};

pub static RULE: &Rule = &Rule {
    code: "P012",
    name: "user-shadows-system",
    severity: Severity::Warning,
    summary: "user policy file in effect: the system policy (and its signature requirements) is ignored for this user",
    docs: "### What it does\nWhen the linted policy was found at `$HOME/.config/containers/policy.json` while \
`/etc/containers/policy.json` also exists, says so.\n\n### Why\ncontainers/image reads exactly one file; there is no \
merging. A leftover or copied user file silently disables every requirement an administrator put in the system \
policy for that user (rootless podman, toolbox, CI users).\n\n### Fix\nDelete the user file, or keep it identical in \
intent to the system one (`policyctl where` shows which files exist).\n",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(system) = ctx.facts.and_then(|f| f.shadowed_system_policy.as_ref()) else {
        return;
    };
    out.push(Finding {
        code: RULE.code,
        message: format!("this user policy shadows {system}: the system policy is not read at all"),
        span: ctx.policy.default.span.clone(),
        label: "only this file applies".into(),
        help: Some(
            "remove the user file unless you mean to override every system requirement".into(),
        ),
    });
}
