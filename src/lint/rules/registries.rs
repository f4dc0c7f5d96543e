//! R001–R002: registries.d settings the policy depends on (facts gathered by the lint command).

use crate::diag::Severity;
use crate::lint::{Context, Finding, Rule};
use crate::policy::Requirement;

pub static NO_ATTACHMENTS: &Rule = &Rule {
    code: "R001",
    name: "sigstore-without-attachments",
    severity: Severity::Warning,
    summary: "sigstoreSigned scope whose registries.d configuration does not enable use-sigstore-attachments",
    docs: "### What it does\nFor every `docker` scope that requires `sigstoreSigned`, looks up registries.d as \
c/image does (the scope, its parent namespaces, `*.` wildcards, then `default-docker`) for \
`use-sigstore-attachments: true`.\n\n### Why\nWithout it podman never fetches cosign's `sha256-<digest>.sig` \
signatures from the registry, finds no signature, and rejects every image (\"A signature was required, but no \
signature exists\").\n\n### Fix\nAdd a file such as `/etc/containers/registries.d/NAME.yaml` with\n\n```yaml\ndocker:\n  \
SCOPE:\n    use-sigstore-attachments: true\n```\n\n(`policyctl key install` writes it.)\n",
    check: check_attachments,
};

pub static YML_IGNORED: &Rule = &Rule {
    code: "R002",
    name: "yml-ignored",
    severity: Severity::Warning,
    summary: "registries.d file ending in .yml: containers/image reads only *.yaml",
    docs: "### What it does\nLists `*.yml` files in the registries.d directory.\n\n### Why\nc/image reads only files \
whose name ends in `.yaml`; a `.yml` file is silently ignored, together with the `use-sigstore-attachments` or \
lookaside settings in it.\n\n### Fix\nRename it to `.yaml`.\n",
    check: check_yml,
};

pub static INVALID: &Rule = &Rule {
    code: "R003",
    name: "registries-d-invalid",
    severity: Severity::Error,
    summary: "registries.d does not load (YAML error, or a section defined in two files)",
    docs: "### What it does\nLoads the registries.d directory as containers/image does and reports why it fails: \
a YAML syntax error, `default-docker` in two files, or the same `docker` scope in two files.\n\n### Why\nc/image \
then fails every pull from a `docker://` registry with `Error parsing signature storage configuration` (or the YAML \
error), whatever the policy says.\n\n### Fix\nFix the file named in the message; keep each scope in exactly one \
file.\n",
    check: check_invalid,
};

fn check_invalid(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    if let Some(Some(Err(e))) = ctx.facts.map(|f| f.registries_d.as_ref()) {
        out.push(Finding {
            code: INVALID.code,
            message: format!("registries.d does not load: {e}"),
            span: 0..0,
            label: "registries.d".into(),
            help: Some("fix the file named above".into()),
        });
    }
}

fn check_attachments(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(Some(Ok(regd))) = ctx.facts.map(|f| f.registries_d.as_ref()) else {
        return;
    };
    for t in ctx
        .policy
        .transports
        .iter()
        .filter(|t| t.name.value == "docker")
    {
        for s in &t.scopes {
            if !s
                .requirements
                .items
                .iter()
                .any(|r| matches!(r.value, Requirement::SigstoreSigned(_)))
            {
                continue;
            }
            let enabled = regd.attachments_for_scope(&s.key.value);
            if !enabled {
                out.push(Finding {
                    code: NO_ATTACHMENTS.code,
                    message: format!(
                        "docker scope {:?} requires sigstoreSigned, but {} does not set use-sigstore-attachments: true for it",
                        s.key.value,
                        regd.dir.display()
                    ),
                    span: s.key.span.clone(),
                    label: "podman will find no signatures here".into(),
                    help: Some(format!("add docker: {{{:?}: {{use-sigstore-attachments: true}}}} to a .yaml file there", s.key.value)),
                });
            }
        }
    }
}

fn check_yml(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(f) = ctx.facts else { return };
    for y in &f.registries_d_yml {
        out.push(Finding {
            code: YML_IGNORED.code,
            message: format!("{y} is ignored by containers/image (only *.yaml files are read)"),
            span: 0..0,
            label: "registries.d".into(),
            help: Some("rename it to .yaml".into()),
        });
    }
}

pub static MIRROR_NO_ATTACHMENTS: &Rule = &Rule {
    code: "R004",
    name: "mirror-without-attachments",
    severity: Severity::Warning,
    summary: "registry mirror (registries.conf) of a sigstoreSigned scope without use-sigstore-attachments",
    docs: "### What it does\nFor every registries.conf `[[registry]]` with mirrors whose prefix covers a \
`sigstoreSigned` docker scope, checks that registries.d enables `use-sigstore-attachments` for each mirror location \
too.\n\n### Why\nWhen podman pulls through a mirror, signatures are fetched from the mirror, configured by the \
mirror's registries.d entry. Without it the pull from the mirror finds no signature and fails (or falls back to the \
next mirror).\n\n### Fix\nAdd `use-sigstore-attachments: true` for each mirror location in registries.d.\n",
    check: check_mirrors,
};

fn check_mirrors(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(f) = ctx.facts else { return };
    let Some(Ok(regd)) = f.registries_d.as_ref() else {
        return;
    };
    for t in ctx
        .policy
        .transports
        .iter()
        .filter(|t| t.name.value == "docker")
    {
        for s in &t.scopes {
            if !s
                .requirements
                .items
                .iter()
                .any(|r| matches!(r.value, Requirement::SigstoreSigned(_)))
            {
                continue;
            }
            for (prefix, mirrors) in &f.mirrors {
                let covers = s.key.value == *prefix
                    || s.key.value.starts_with(&format!("{prefix}/"))
                    || prefix.starts_with(&format!("{}/", s.key.value));
                if !covers {
                    continue;
                }
                for m in mirrors.iter().filter(|m| !regd.attachments_for_scope(m)) {
                    out.push(Finding {
                        code: MIRROR_NO_ATTACHMENTS.code,
                        message: format!("mirror {m:?} of {prefix:?} serves {:?} without use-sigstore-attachments", s.key.value),
                        span: s.key.span.clone(),
                        label: "pulls through the mirror will find no signature".into(),
                        help: Some(format!("add docker: {{{m:?}: {{use-sigstore-attachments: true}}}} to registries.d")),
                    });
                }
            }
        }
    }
}
