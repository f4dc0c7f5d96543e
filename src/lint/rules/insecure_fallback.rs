//! P008 insecure-fallback: signatures required somewhere, everything else accepted.

use super::is_signature;
use crate::lint::{Context, Finding, Rule};
use crate::policy::Requirement;
use crate::report::human::Severity;

pub static RULE: &Rule = &Rule {
    code: "P008",
    name: "insecure-fallback",
    severity: Severity::Warning,
    summary: "some registries require signatures but the default accepts anything: other registries are unprotected",
    docs: "### What it does\nFlags policies whose `default` is `insecureAcceptAnything` while some docker scope \
requires signatures.\n\n### Why\nOnly images whose reference matches a signed scope are checked. A typo in the image \
name, a mirror, or a look-alike registry falls through to the default and is accepted unsigned.\n\n### Fix\nMake the \
default `reject` and list the registries you accept unsigned explicitly (and keep local transports usable, see P007).\n",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let accepts = ctx.policy.default.items.iter().all(|r| matches!(r.value, Requirement::InsecureAcceptAnything));
    if !accepts {
        return;
    }
    let signed = ctx
        .policy
        .transports
        .iter()
        .filter(|t| t.name.value == "docker")
        .flat_map(|t| &t.scopes)
        .find(|s| s.requirements.items.iter().any(|r| is_signature(&r.value)));
    if let Some(s) = signed {
        out.push(Finding {
            code: RULE.code,
            message: format!("docker scope {:?} requires signatures, but every other image is accepted unsigned", s.key.value),
            span: ctx.policy.default.span.clone(),
            label: "accepts anything not matched above".into(),
            help: Some("use \"default\": [{\"type\": \"reject\"}] and allow what you need explicitly".into()),
        });
    }
}
