//! P001 unknown-transport: a `transports` key c/image does not know never matches anything.

use crate::diag::Severity;
use crate::lint::{Context, Finding, Rule};
use crate::reference::transport::Transport;

/// The rule.
pub static RULE: &Rule = &Rule {
    code: "P001",
    name: "unknown-transport",
    severity: Severity::Warning,
    summary: "transport name that containers/image does not know: its scopes never match",
    docs: "### What it does\n\
Flags keys of `transports` that are not transports of the targeted containers/image version \
(for example `dockers`, `DIR`, or `atomic` on Debian's build).\n\n\
### Why\n\
containers/image accepts unknown transport names without complaint, so a typo silently leaves \
every image of the real transport under the global `default`.\n\n\
### Fix\n\
Use one of `docker`, `containers-storage`, `dir`, `oci`, `oci-archive`, `docker-archive`, \
`docker-daemon`, `sif`, `tarball` (names are case-sensitive).\n",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for t in &ctx.policy.transports {
        if Transport::lookup(&t.name.value, ctx.compat).is_some() {
            continue;
        }
        let lower = t.name.value.to_ascii_lowercase();
        let suggestion = [
            "docker",
            "containers-storage",
            "dir",
            "oci",
            "oci-archive",
            "docker-archive",
            "docker-daemon",
            "sif",
            "tarball",
        ]
        .into_iter()
        .find(|k| lower == *k || lower.trim_end_matches('s') == *k);
        out.push(Finding {
            code: RULE.code,
            message: format!(
                "unknown transport {:?}: its scopes never match any image",
                t.name.value
            ),
            span: t.name.span.clone(),
            label: "not a transport of this containers/image version".to_owned(),
            help: suggestion.map(|s| format!("did you mean \"{s}\"?")),
        });
    }
}
