//! P014 path-scope-unresolved: a `dir`/`oci` scope through a symlink never matches.

use crate::diag::Severity;
use crate::lint::{Context, Finding, Rule};

pub static RULE: &Rule = &Rule {
    code: "P014",
    name: "path-scope-unresolved",
    severity: Severity::Warning,
    summary: "path scope that goes through a symlink: images are looked up by their resolved path",
    docs: "### What it does\nResolves `dir`, `oci`, `oci-archive` and `sif` scopes that exist on this machine and \
flags those whose symlink-free path differs.\n\n### Why\nc/image identifies such images by the absolute path with \
every symlink resolved (`/var/lib/images` → `/srv/images`). A scope written with the symlinked path is never equal \
to it, so the entry is dead.\n\n### Fix\nWrite the resolved path shown in the help.\n",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(f) = ctx.facts else { return };
    for t in &ctx.policy.transports {
        for s in &t.scopes {
            if let Some(resolved) = f
                .unresolved_path_scopes
                .get(&format!("{}:{}", t.name.value, s.key.value))
            {
                out.push(Finding {
                    code: RULE.code,
                    message: format!(
                        "{} scope {:?} resolves to {resolved:?}: it never matches",
                        t.name.value, s.key.value
                    ),
                    span: s.key.span.clone(),
                    label: "contains a symlink".into(),
                    help: Some(format!("write \"{resolved}\"")),
                });
            }
        }
    }
}
