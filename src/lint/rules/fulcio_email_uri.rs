//! P011 fulcio-email-uri: `fulcio.subjectEmail` holding a URI never matches.

use super::{lists, where_};
use crate::diag::Severity;
use crate::lint::{Context, Finding, Rule};
use crate::policy::{Requirement, SigstoreTrust};

pub static RULE: &Rule = &Rule {
    code: "P011",
    name: "fulcio-email-uri",
    severity: Severity::Warning,
    summary: "fulcio.subjectEmail is a URI: it is compared with e-mail SANs only and never matches",
    docs: "### What it does\nFlags `fulcio.subjectEmail` values that look like URIs (GitHub Actions workflow \
identities such as `https://github.com/org/repo/.github/workflows/x.yml@refs/heads/main`).\n\n### Why\nc/image \
compares `subjectEmail` with the certificate's e-mail SANs only. Workload identities are URI SANs, so such a policy \
rejects every keyless signature made in CI.\n\n### Fix\nc/image cannot verify URI identities; sign with a key, or with \
an e-mail identity.\n",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (at, list) in lists(ctx.policy) {
        for r in &list.items {
            if let Requirement::SigstoreSigned(s) = &r.value
                && let SigstoreTrust::Fulcio(f) = &s.trust
                && f.value.subject_email.contains("://")
            {
                out.push(Finding {
                    code: RULE.code,
                    message: format!(
                        "{}: fulcio.subjectEmail {:?} is a URI",
                        where_(at),
                        f.value.subject_email
                    ),
                    span: f.span.clone(),
                    label: "compared with e-mail SANs only".into(),
                    help: Some("use an e-mail identity or a key".into()),
                });
            }
        }
    }
}
