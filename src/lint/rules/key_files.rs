//! K001–K005: the key files a policy names, as found on disk (facts gathered by the lint
//! command; these rules stay silent when no facts were gathered).

use crate::diag::Severity;
use crate::lint::{Context, Finding, KeyFile, Rule};
use crate::policy::{KeySource, Requirement, SigstoreTrust, Span};

pub static RELATIVE: &Rule = &Rule {
    code: "K001",
    name: "key-path-relative",
    severity: Severity::Warning,
    summary: "relative keyPath: resolved against the working directory of whichever process pulls",
    docs: "### What it does\nFlags `keyPath`/`keyPaths` entries that are not absolute.\n\n### Why\nc/image opens \
them relative to the current directory of podman, skopeo, CRI-O or buildah at the moment of the pull, so the same \
policy finds the key in one shell and fails (`open k.pub: no such file or directory`) in another or in a service.\n\n\
### Fix\nUse an absolute path such as `/etc/pki/cosign/NAME.pub`.\n",
    check: check_relative,
};

pub static UNREADABLE: &Rule = &Rule {
    code: "K002",
    name: "key-unreadable",
    severity: Severity::Error,
    summary: "keyPath that does not exist or cannot be read: every signed image of the scope is rejected",
    docs: "### What it does\nReads every key file the policy names and reports those that are missing or \
unreadable.\n\n### Why\nc/image reads the key when it checks a signature; if that fails, every image that needs it is \
rejected with the OS error (`open …: no such file or directory`).\n\n### Fix\nInstall the key (`policyctl key \
install NAME --from FILE --scope …`) or fix the path or permissions.\n",
    check: check_unreadable,
};

pub static WRITABLE: &Rule = &Rule {
    code: "K003",
    name: "key-writable-by-others",
    severity: Severity::Warning,
    summary: "key file writable by group or others: whoever can write it decides what is trusted",
    docs: "### What it does\nFlags key files whose mode allows group or world writes.\n\n### Why\nReplacing the key \
is equivalent to signing arbitrary images.\n\n### Fix\n`chmod 644 FILE` (and check the directory's permissions too).\n",
    check: check_writable,
};

pub static NOT_A_PUBLIC_KEY: &Rule = &Rule {
    code: "K004",
    name: "not-a-public-key",
    severity: Severity::Error,
    summary: "sigstoreSigned key file that is not a usable public key (private key, certificate, garbage, wrong curve)",
    docs: "### What it does\nParses each sigstoreSigned key file as c/image does (first PEM block, `PUBLIC KEY` or \
`RSA PUBLIC KEY`).\n\n### Why\nA private key (a frequent mistake: `cosign.key` instead of `cosign.pub`), a \
certificate or an unsupported key makes every signature check fail with `parsing public key: …` — and a private key \
on disk is a leak.\n\n### Fix\nInstall the public key (`cosign public-key --key cosign.key`), and delete the private \
key from the host.\n",
    check: check_not_a_key,
};

pub static SEVERAL_BLOCKS: &Rule = &Rule {
    code: "K005",
    name: "several-pem-blocks",
    severity: Severity::Warning,
    summary: "key file with several PEM blocks: only the first key is used",
    docs: "### What it does\nFlags sigstoreSigned key files containing more than one PEM block.\n\n### Why\nc/image \
(sigstore's `UnmarshalPEMToPublicKey`) decodes only the first block; signatures by the other keys are rejected.\n\n\
### Fix\nOne key per file, listed in `keyPaths` (c/image ≥ 5.33).\n",
    check: check_blocks,
};

pub static HASH_MISMATCH: &Rule = &Rule {
    code: "K006",
    name: "sigstore-key-hash",
    severity: Severity::Warning,
    summary: "sigstoreSigned key that cosign >= 2.6 signs with a hash c/image does not verify (P-384, P-521, Ed25519)",
    docs: r#"### What it does
Flags `sigstoreSigned` keys that are ECDSA P-384, ECDSA P-521 or Ed25519.

### Why
containers/image verifies every sigstore signature with SHA-256 (ECDSA over SHA-256 for every
curve, pure Ed25519). cosign up to 2.5 signed that way; cosign 2.6 and later sign P-384 with
SHA-384, P-521 with SHA-512 and Ed25519 as Ed25519ph. Signatures made by cosign >= 2.6 with
such keys verify in cosign (and in the policy-controller with `hashAlgorithm`) but are
rejected by podman, skopeo and CRI-O.

### Fix
Sign with a P-256 key (`cosign generate-key-pair`'s default, what `skopeo
generate-sigstore-key` writes) or RSA; keep cosign <= 2.5 only if you must keep the key.
"#,
    check: check_hash,
};

pub static WRONG_KEY_KIND: &Rule = &Rule {
    code: "K007",
    name: "signedby-cosign-key",
    severity: Severity::Error,
    summary: "signedBy (GPG) given a cosign/PEM public key: containers/image imports no key and rejects everything",
    docs: r#"### What it does
Flags `signedBy` requirements whose `keyPath` file or `keyData` is a PEM public key (a cosign
key) instead of an OpenPGP keyring.

### Why
`signedBy` verifies GPG (simple signing) signatures with the keys imported from an OpenPGP
keyring. A PEM public key imports nothing, so containers/image rejects every image ("No public
keys imported"), and cosign signatures are not even looked at by `signedBy`.

### Fix
For cosign signatures use `sigstoreSigned` with `keyPath` (and `signedIdentity:
matchRepository`); for GPG signatures point `signedBy` at the signer's OpenPGP public key.
"#,
    check: check_wrong_kind,
};

pub static NO_USABLE_GPG_KEY: &Rule = &Rule {
    code: "K008",
    name: "signedby-no-usable-gpg-key",
    severity: Severity::Error,
    summary: "signedBy (GPG) keyring that imports no OpenPGP key, or whose keys are all revoked or expired: every image is rejected",
    docs: r#"### What it does
Reads the OpenPGP keyrings of `signedBy` requirements (`keyPath`, `keyPaths`, `keyData`) as
GnuPG imports them for containers/image, and flags a requirement whose keyrings import no key
at all, or whose every key is revoked or expired now (or may not sign).

### Why
containers/image (its default GPGME build) trusts exactly the keys it imports: none gives
"No public keys imported" for every image. A revoked or expired key imports, but GnuPG then
reports every signature by it as invalid (`REVKEYSIG`, `EXPKEYSIG`), so the requirement can
never be satisfied. (A PEM key is K007.)

### Fix
Point `signedBy` at the signer's current public key (e.g. the vendor's refreshed key with a
new expiry date: `gpg --export KEYID > /etc/pki/…`).
"#,
    check: check_no_usable_gpg_key,
};

fn check_no_usable_gpg_key(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    use crate::lint::OpenPgpKeys;
    use crate::policy::model::KeyType;
    // Without file facts (`--no-files`) nothing is judged.
    let Some(facts) = ctx.facts else {
        return;
    };
    for (_, list) in super::lists(ctx.policy) {
        for r in &list.items {
            let Requirement::SignedBy(sb) = &r.value else {
                continue;
            };
            if sb.key_type != KeyType::GpgKeys {
                continue;
            }
            let now = facts.now;
            let (total, span) = match &sb.keys {
                KeySource::Path(p) => match keyring_totals(ctx, std::slice::from_ref(&p.value)) {
                    Some(t) => (t, p.span.clone()),
                    None => continue,
                },
                KeySource::Paths(p) => match keyring_totals(ctx, &p.value) {
                    Some(t) => (t, p.span.clone()),
                    None => continue,
                },
                KeySource::Data(d) => {
                    let Some(bytes) = &d.value else { continue };
                    if crate::signature::keys::parse_pem_public_key(bytes).is_ok() {
                        continue; // K007
                    }
                    let Some(now) = now else { continue };
                    (OpenPgpKeys::of(bytes, now), d.span.clone())
                }
                KeySource::Datas(_) => continue,
            };
            if total.imported == 0 {
                out.push(finding(
                    NO_USABLE_GPG_KEY,
                    span,
                    "signedBy keyring imports no OpenPGP key: containers/image rejects every image (\"No public keys imported\")".into(),
                    "no key imported",
                    Some("point signedBy at the signer's OpenPGP public key (gpg --export)".into()),
                ));
            } else if total.usable == 0 && now.is_some() {
                out.push(finding(
                    NO_USABLE_GPG_KEY,
                    span,
                    format!(
                        "every key of this signedBy keyring ({}) is revoked, expired or may not sign: GnuPG rejects every signature",
                        total.imported
                    ),
                    "no usable key",
                    Some("install the signer's current key".into()),
                ));
            }
        }
    }
}

/// The OpenPGP totals of key files; `None` when one is unreadable (K002) or a PEM key (K007).
fn keyring_totals(ctx: &Context<'_>, paths: &[String]) -> Option<crate::lint::OpenPgpKeys> {
    let mut total = crate::lint::OpenPgpKeys::default();
    for p in paths {
        match facts_for(ctx, p) {
            Some(KeyFile::Read {
                vetted: Err(_),
                openpgp,
                ..
            }) => {
                total.imported += openpgp.imported;
                total.usable += openpgp.usable;
            }
            _ => return None,
        }
    }
    Some(total)
}

/// Every key path of the policy: (path, span, used by sigstoreSigned).
fn key_paths(ctx: &Context<'_>) -> Vec<(String, Span, bool)> {
    policy_key_paths(ctx.policy)
}

/// Every key path of a policy: (path, span, used by sigstoreSigned). Shared with the edge that
/// gathers the facts these rules read.
pub fn policy_key_paths(policy: &crate::policy::Policy) -> Vec<(String, Span, bool)> {
    let mut out = Vec::new();
    for (_, list) in super::lists(policy) {
        for r in &list.items {
            let (src, sigstore) = match &r.value {
                Requirement::SignedBy(s) => (&s.keys, false),
                Requirement::SigstoreSigned(s) => match &s.trust {
                    SigstoreTrust::PublicKeys(k) => (k, true),
                    _ => continue,
                },
                _ => continue,
            };
            match src {
                KeySource::Path(p) => out.push((p.value.clone(), p.span.clone(), sigstore)),
                KeySource::Paths(p) => out.extend(
                    p.value
                        .iter()
                        .map(|x| (x.clone(), p.span.clone(), sigstore)),
                ),
                _ => {}
            }
        }
    }
    out
}

fn finding(rule: &Rule, span: Span, message: String, label: &str, help: Option<String>) -> Finding {
    Finding {
        code: rule.code,
        message,
        span,
        label: label.into(),
        help,
    }
}

fn check_relative(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (p, span, _) in key_paths(ctx) {
        if !p.starts_with('/') {
            out.push(finding(
                RELATIVE,
                span,
                format!("keyPath {p:?} is relative"),
                "depends on the puller's working directory",
                Some("use an absolute path".into()),
            ));
        }
    }
}

fn facts_for<'a>(ctx: &'a Context<'_>, p: &str) -> Option<&'a KeyFile> {
    ctx.facts.and_then(|f| f.keys.get(p))
}

fn check_unreadable(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (p, span, _) in key_paths(ctx) {
        if let Some(KeyFile::Unreadable(e)) = facts_for(ctx, &p) {
            out.push(finding(
                UNREADABLE,
                span,
                format!("key file {p:?}: {e}"),
                "every image needing this key is rejected",
                Some("install the key or fix the path".into()),
            ));
        }
    }
}

fn check_writable(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (p, span, _) in key_paths(ctx) {
        if let Some(KeyFile::Read { mode, .. }) = facts_for(ctx, &p)
            && mode & 0o022 != 0
        {
            out.push(finding(
                WRITABLE,
                span,
                format!("key file {p:?} has mode {:o}", mode & 0o7777),
                "writable by others",
                Some(format!("chmod 644 {p}")),
            ));
        }
    }
}

fn check_not_a_key(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (p, span, sigstore) in key_paths(ctx) {
        if let (true, Some(KeyFile::Read { vetted: Err(e), .. })) = (sigstore, facts_for(ctx, &p)) {
            out.push(finding(
                NOT_A_PUBLIC_KEY,
                span,
                format!("key file {p:?}: {e}"),
                "not a usable cosign public key",
                None,
            ));
        }
    }
}

fn check_blocks(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (p, span, sigstore) in key_paths(ctx) {
        if let (true, Some(KeyFile::Read { pem_blocks, .. })) = (sigstore, facts_for(ctx, &p))
            && *pem_blocks > 1
        {
            out.push(finding(
                SEVERAL_BLOCKS,
                span,
                format!("key file {p:?} holds {pem_blocks} PEM blocks; only the first is used"),
                "later keys are ignored",
                Some("one key per file, listed in keyPaths".into()),
            ));
        }
    }
}

fn check_hash(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (p, span, sigstore) in key_paths(ctx) {
        if let (
            true,
            Some(KeyFile::Read {
                algorithm: Some(alg),
                ..
            }),
        ) = (sigstore, facts_for(ctx, &p))
            && matches!(*alg, "ECDSA P-384" | "ECDSA P-521" | "Ed25519")
        {
            out.push(finding(
                HASH_MISMATCH,
                span,
                format!(
                    "key file {p:?} is {alg}: cosign >= 2.6 signs it with {}, which containers/image (SHA-256 only) rejects",
                    match *alg {
                        "ECDSA P-384" => "SHA-384",
                        "ECDSA P-521" => "SHA-512",
                        _ => "Ed25519ph",
                    }
                ),
                "not verifiable for cosign >= 2.6 signatures",
                Some("sign with a P-256 (or RSA) key".into()),
            ));
        }
    }
}

fn check_wrong_kind(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let flag = |out: &mut Vec<Finding>, span: Span, what: String| {
        out.push(finding(
            WRONG_KEY_KIND,
            span,
            format!("signedBy {what} is a PEM (cosign) public key, not an OpenPGP keyring: no key is imported and every image is rejected"),
            "not a GPG key",
            Some("use sigstoreSigned for cosign signatures".into()),
        ));
    };
    for (p, span, sigstore) in key_paths(ctx) {
        if let (false, Some(KeyFile::Read { vetted: Ok(_), .. })) = (sigstore, facts_for(ctx, &p)) {
            flag(out, span, format!("key file {p:?}"));
        }
    }
    for (_, list) in super::lists(ctx.policy) {
        for r in &list.items {
            if let Requirement::SignedBy(sb) = &r.value
                && let KeySource::Data(d) = &sb.keys
                && let Some(bytes) = &d.value
                && crate::signature::keys::parse_pem_public_key(bytes).is_ok()
            {
                flag(out, d.span.clone(), "keyData".to_owned());
            }
        }
    }
}
