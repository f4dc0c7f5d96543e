//! P008 insecure-fallback: signatures required somewhere, everything else accepted.

use super::is_signature;
use crate::diag::Severity;
use crate::lint::{Context, Finding, Rule};
use crate::policy::Requirement;

const SUMMARY: &str = "some registries require signatures but the default accepts anything: other registries are unprotected";

pub static RULE: &Rule = &Rule {
    code: "P008",
    name: "insecure-fallback",
    severity: Severity::Warning,
    summary: SUMMARY,
    docs: DOCS,
    check,
};

/// The same rule as an error (`lint --require-signed`).
pub static STRICT: &Rule = &Rule {
    code: "P008",
    name: "insecure-fallback",
    severity: Severity::Error,
    summary: SUMMARY,
    docs: DOCS,
    check,
};

const DOCS: &str = "### What it does\nFlags policies whose `default` is `insecureAcceptAnything` while some docker scope \
requires signatures.\n\n### Why\nOnly images whose reference matches a signed scope are checked. A typo in the image \
name, a mirror, or a look-alike registry falls through to the default and is accepted unsigned.\n\n### Fix\nMake the \
default `reject` and list the registries you accept unsigned explicitly (and keep local transports usable, see P007). `lint --require-signed` makes this an error.\n";

fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let all_accept = |l: &crate::policy::RequirementList| {
        l.items
            .iter()
            .all(|r| matches!(r.value, Requirement::InsecureAcceptAnything))
    };
    let docker = ctx
        .policy
        .transports
        .iter()
        .filter(|t| t.name.value == "docker");
    let signed = docker
        .clone()
        .flat_map(|t| &t.scopes)
        .find(|s| s.requirements.items.iter().any(|r| is_signature(&r.value)));
    let Some(signed) = signed else { return };
    // The fallback for other registries: docker's "" scope if present, else the default.
    let docker_default = docker
        .flat_map(|t| &t.scopes)
        .find(|s| s.key.value.is_empty());
    let (fallback, span, what) = match docker_default {
        Some(s) => (
            &s.requirements,
            s.key.span.clone(),
            "transports.docker[\"\"]",
        ),
        None => (
            &ctx.policy.default,
            ctx.policy.default.span.clone(),
            "default",
        ),
    };
    if all_accept(fallback) {
        out.push(Finding {
            code: RULE.code,
            message: format!(
                "docker scope {:?} requires signatures, but {what} accepts every other registry's images unsigned",
                signed.key.value
            ),
            span,
            label: "accepts anything not matched by a signed scope".into(),
            help: Some("reject here and allow what you need explicitly".into()),
        });
    }
}
