//! Requirements that can never accept an image:
//! * P016 signatures-never-stored: a signature requirement in a scope of a transport whose
//!   images never carry signatures in c/image (`impl.NoSignatures`, spec §6.3);
//! * P017 requirement-always-rejects: `signedBaseLayer` (never implemented by c/image) and
//!   `signedBy` with a `keyType` other than `GPGKeys` (parses, then rejects every signature).

use super::{is_signature, lists, where_};
use crate::diag::Severity;
use crate::lint::{Context, Finding, Rule};
use crate::policy::{KeyType, Requirement};

/// Transports whose image sources return no signatures in c/image 5.23.1 and current.
pub const NO_SIGNATURES: &[&str] = &[
    "oci",
    "oci-archive",
    "docker-archive",
    "sif",
    "tarball",
    "docker-daemon",
];

pub static SIGNATURES_NEVER_STORED: &Rule = &Rule {
    code: "P016",
    name: "signatures-never-stored",
    severity: Severity::Warning,
    summary: "signature requirement for a transport whose images never carry signatures: it never accepts",
    docs: r#"### What it does
Flags `signedBy` and `sigstoreSigned` in scopes of the `oci`, `oci-archive`, `docker-archive`,
`sif`, `tarball` and `docker-daemon` transports.

### Why
containers/image reads no signatures from these image sources (5.23.1 and current alike;
`oci:` ignores cosign signature manifests in the layout). A signature requirement there is
evaluated against zero signatures and always rejects with "A signature was required, but no
signature exists": the scope accepts nothing.

### Fix
If that is intended, write `{"type": "reject"}`, which says so. To trust signed images, move
them to `containers-storage:` or `dir:` together with their signatures (e.g. `skopeo copy`
from the registry) and require the signature there.
"#,
    check: check_never_stored,
};

pub static ALWAYS_REJECTS: &Rule = &Rule {
    code: "P017",
    name: "requirement-always-rejects",
    severity: Severity::Warning,
    summary: "signedBaseLayer or a signedBy keyType other than GPGKeys: containers/image rejects every image",
    docs: r#"### What it does
Flags `signedBaseLayer` requirements and `signedBy` with `keyType` `signedByGPGKeys`,
`X509Certificates` or `signedByX509CAs`.

### Why
containers/image accepts these in `policy.json` but never implemented them: `signedBaseLayer`
rejects with "signedBaseLayer not implemented yet!", and such a `signedBy` rejects every
signature with `Unimplemented "keyType" value`. The scope can never accept an image.

### Fix
Use `signedBy` with `"keyType": "GPGKeys"` for simple signing, `sigstoreSigned` for cosign
signatures, or `reject` if nothing should be accepted.
"#,
    check: check_always_rejects,
};

fn check_never_stored(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (at, list) in lists(ctx.policy) {
        let Some((t, s)) = at else { continue };
        if !NO_SIGNATURES.contains(&t.name.value.as_str()) {
            continue;
        }
        for item in list.items.iter().filter(|i| is_signature(&i.value)) {
            out.push(Finding {
                code: SIGNATURES_NEVER_STORED.code,
                message: format!(
                    "{} requires {}, but {} images never carry signatures in containers/image: this scope accepts nothing",
                    where_(Some((t, s))),
                    item.value.type_name(),
                    t.name.value
                ),
                span: item.span.clone(),
                label: "never satisfied".into(),
                help: Some("write {\"type\": \"reject\"} if that is intended".into()),
            });
        }
    }
}

fn check_always_rejects(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (at, list) in lists(ctx.policy) {
        for item in &list.items {
            let why = match &item.value {
                Requirement::SignedBaseLayer { .. } => {
                    "signedBaseLayer is not implemented by containers/image: it rejects every image"
                        .to_owned()
                }
                Requirement::SignedBy(sb) if sb.key_type != KeyType::GpgKeys => format!(
                    "signedBy with keyType {:?} is not implemented by containers/image: it rejects every signature",
                    sb.key_type.as_str()
                ),
                _ => continue,
            };
            out.push(Finding {
                code: ALWAYS_REJECTS.code,
                message: format!("{}: {why}", where_(at)),
                span: item.span.clone(),
                label: "always rejects".into(),
                help: Some("use signedBy with keyType GPGKeys, sigstoreSigned, or reject".into()),
            });
        }
    }
}
