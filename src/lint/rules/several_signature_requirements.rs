//! P006 several-signature-requirements: two signature requirements in one list are AND.

use super::{is_signature, lists, where_};
use crate::diag::Severity;
use crate::lint::{Context, Finding, Rule};
use crate::policy::Requirement;

pub static RULE: &Rule = &Rule {
    code: "P006",
    name: "several-signature-requirements",
    severity: Severity::Warning,
    summary: "several signature requirements in one list: every one must be satisfied (AND)",
    docs: "### What it does\nFlags lists with more than one `signedBy`/`sigstoreSigned` requirement.\n\n### Why\nThe \
image must then carry a valid signature for *each* requirement. When the intent is \"signed by key A or key B\" (key \
rotation, several maintainers), this rejects images signed by only one of them. `podman image trust set -f A -f B` \
produces exactly this shape.\n\n### Fix\nUse one `sigstoreSigned` requirement with `keyPaths: [A, B]` (c/image ≥ 5.33; \
any key may sign) or one `signedBy` with `keyPaths`.\n",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (at, list) in lists(ctx.policy) {
        let sigs: Vec<_> = list
            .items
            .iter()
            .filter(|r| is_signature(&r.value))
            .collect();
        if sigs.len() > 1 {
            let kind = if sigs
                .iter()
                .all(|r| matches!(r.value, Requirement::SigstoreSigned(_)))
            {
                "sigstoreSigned"
            } else {
                "signature"
            };
            out.push(Finding {
                code: RULE.code,
                message: format!(
                    "{}: {} {kind} requirements must all be satisfied",
                    where_(at),
                    sigs.len()
                ),
                span: sigs[1].span.clone(),
                label: "also required (AND)".into(),
                help: Some(
                    "for \"any of these keys\", use a single requirement with keyPaths".into(),
                ),
            });
        }
    }
}
