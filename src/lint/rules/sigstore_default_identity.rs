//! P009 sigstore-default-identity: `sigstoreSigned` without `signedIdentity` rejects cosign
//! signatures on tag pulls.

use super::{lists, where_};
use crate::diag::Severity;
use crate::lint::{Context, Finding, Rule};
use crate::policy::Requirement;

pub static RULE: &Rule = &Rule {
    code: "P009",
    name: "sigstore-default-identity",
    severity: Severity::Warning,
    summary: "sigstoreSigned without signedIdentity: cosign signatures are rejected when pulling by tag",
    docs: "### What it does\nFlags `sigstoreSigned` requirements that leave `signedIdentity` at its default \
(`matchRepoDigestOrExact`).\n\n### Why\n`cosign sign` records only the repository (`ghcr.io/org/app`) as the signed \
identity. The default rule demands the exact tagged reference (`ghcr.io/org/app:1.0`) for tag pulls, so every pull \
by tag fails with `Signature for identity … is not accepted`; only pulls by digest pass.\n\n### Fix\nAdd \
`\"signedIdentity\": {\"type\": \"matchRepository\"}` (what `policyctl key install` writes).\n",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (at, list) in lists(ctx.policy) {
        for r in &list.items {
            if let Requirement::SigstoreSigned(s) = &r.value
                && !s.signed_identity_explicit
            {
                out.push(Finding {
                        code: RULE.code,
                        message: format!("{}: sigstoreSigned uses the default signedIdentity (matchRepoDigestOrExact)", where_(at)),
                        span: r.span.clone(),
                        label: "cosign signatures name only the repository".into(),
                        help: Some("add \"signedIdentity\": {\"type\": \"matchRepository\"}".into()),
                    });
            }
        }
    }
}
