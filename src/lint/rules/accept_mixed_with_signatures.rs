//! P005 accept-mixed-with-signatures: `insecureAcceptAnything` next to signature requirements.

use super::{is_signature, lists, where_};
use crate::diag::Severity;
use crate::lint::{Context, Finding, Rule};
use crate::policy::Requirement;

pub static RULE: &Rule = &Rule {
    code: "P005",
    name: "accept-mixed-with-signatures",
    severity: Severity::Warning,
    summary: "insecureAcceptAnything in the same list as signature requirements: the list is AND, not OR",
    docs: "### What it does\nFlags requirement lists that contain `insecureAcceptAnything` together with `signedBy` \
or `sigstoreSigned`.\n\n### Why\nAll requirements of a list must be satisfied. `insecureAcceptAnything` adds nothing, \
so the list still requires the signature; authors usually meant \"signed, or else accept anyway\", which a policy \
cannot express.\n\n### Fix\nRemove `insecureAcceptAnything` from the list (or remove the signature requirement if \
you really want to accept unsigned images).\n",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (at, list) in lists(ctx.policy) {
        let sig = list.items.iter().any(|r| is_signature(&r.value));
        for r in &list.items {
            if sig && matches!(r.value, Requirement::InsecureAcceptAnything) {
                out.push(Finding {
                    code: RULE.code,
                    message: format!("{}: insecureAcceptAnything is ANDed with signature requirements and changes nothing", where_(at)),
                    span: r.span.clone(),
                    label: "has no effect here".into(),
                    help: Some("remove it; unsigned images are still rejected by the other requirement".into()),
                });
            }
        }
    }
}
