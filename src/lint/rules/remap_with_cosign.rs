//! P010 remap-with-cosign: `remapIdentity` never accepts cosign's repository-only identities.

use super::{lists, where_};
use crate::diag::Severity;
use crate::lint::{Context, Finding, Rule};
use crate::policy::{Requirement, SignedIdentity};

pub static RULE: &Rule = &Rule {
    code: "P010",
    name: "remap-with-cosign",
    severity: Severity::Warning,
    summary: "remapIdentity on sigstoreSigned: it requires tag/digest identities, which cosign does not sign",
    docs: "### What it does\nFlags `sigstoreSigned` requirements with `signedIdentity: remapIdentity`.\n\n### Why\n\
After rewriting the prefix, `remapIdentity` applies the `matchRepoDigestOrExact` rule: the signature must name the \
exact tag (or, for digest pulls, the repository). cosign signs the repository name only, so tag pulls are always \
rejected.\n\n### Fix\nFor mirrors of cosign-signed images use `exactRepository` with the original repository, or sign \
with a tool that records the tag.\n",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (at, list) in lists(ctx.policy) {
        for r in &list.items {
            if let Requirement::SigstoreSigned(s) = &r.value
                && matches!(
                    s.signed_identity.value,
                    SignedIdentity::RemapIdentity { .. }
                )
            {
                out.push(Finding {
                        code: RULE.code,
                        message: format!("{}: remapIdentity rejects cosign's repository-only signatures on tag pulls", where_(at)),
                        span: s.signed_identity.span.clone(),
                        label: "behaves like matchRepoDigestOrExact after remapping".into(),
                        help: Some("use exactRepository with the signed repository".into()),
                    });
            }
        }
    }
}
