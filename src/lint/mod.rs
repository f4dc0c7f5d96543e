//! Lint rules over a policy that c/image loads: dangerous or dead configuration.
//!
//! Each rule is its own file under `rules/` with a stable code, a severity, a one-line summary
//! and long documentation, and registers in [`RULES`]. Rules are pure: they see the parsed
//! [`Policy`](crate::policy::Policy) (with spans), the compat target and [`Facts`] gathered
//! at the edge (key files, registries.d) — never the filesystem itself.

pub mod fix;
pub mod rules;

use crate::compat::Compat;
use crate::diag::Severity;
use crate::policy::{Policy, Span};

/// A lint rule's descriptor.
#[derive(Debug)]
pub struct Rule {
    /// Stable code (`P0xx` policy, `K0xx` keys, `R0xx` registries.d, `V0xx` version).
    pub code: &'static str,
    /// Descriptive name.
    pub name: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// One line.
    pub summary: &'static str,
    /// Long explanation with the fix (Markdown).
    pub docs: &'static str,
    /// The check.
    pub check: fn(&Context<'_>, &mut Vec<Finding>),
}

/// What a rule sees.
#[derive(Debug)]
pub struct Context<'a> {
    /// The parsed policy.
    pub policy: &'a Policy,
    /// The c/image version targeted.
    pub compat: Compat,
    /// Facts about files the policy refers to (absent: not gathered, rules that need them stay
    /// silent).
    pub facts: Option<&'a Facts>,
    /// The oldest c/image 5.x minor version the policy must load on (`--target-version`).
    pub target_minor: Option<u32>,
}

/// What the edge found out about the files a policy depends on.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    /// Every key path of the policy and what is there.
    pub keys: std::collections::BTreeMap<String, KeyFile>,
    /// The registries.d configuration in effect (`Err`: it does not load).
    pub registries_d: Option<Result<crate::registries_d::RegistriesD, String>>,
    /// `.yml` files in the registries.d directory (ignored by c/image).
    pub registries_d_yml: Vec<String>,
    /// The system policy that the linted (user) policy shadows, if any.
    pub shadowed_system_policy: Option<String>,
    /// registries.conf mirrors: (registry prefix, mirror locations).
    pub mirrors: Vec<(String, Vec<String>)>,
    /// Path scopes (dir/oci/oci-archive/sif) that exist but resolve elsewhere: scope → resolved.
    pub unresolved_path_scopes: std::collections::BTreeMap<String, String>,
    /// The time OpenPGP key and PKI certificate validity is judged at (Unix seconds; `None`:
    /// not judged).
    pub now: Option<i64>,
    /// Every CA file of `fulcio`/`pki` requirements and what is there.
    pub cas: std::collections::BTreeMap<String, CaFile>,
}

/// A CA certificate file as found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaFile {
    /// Not there (or unreadable), with the OS error.
    Unreadable(String),
    /// Read.
    Read(CaCertificates),
}

/// The certificates of a CA file or inline CA data, read as c/image reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaCertificates {
    /// Certificates `AppendCertsFromPEM` loads (roots).
    pub roots: usize,
    /// The strict reading (`UnmarshalCertificatesFromPEM`, intermediates): how many, or why not.
    pub strict: Result<usize, String>,
    /// (not before, not after) of every loaded certificate (the strict reading when it
    /// succeeds, else the lenient one).
    pub validity: Vec<(i64, i64)>,
}

impl CaCertificates {
    /// Reads `bytes` both ways.
    pub fn of(bytes: &[u8]) -> CaCertificates {
        use crate::signature::x509;
        let mut pool = x509::CertPool::default();
        let roots = x509::append_certs_from_pem(&mut pool, bytes);
        let strict = x509::unmarshal_certificates_from_pem(bytes);
        let validity = match &strict {
            Ok(certs) => certs.iter().map(|c| (c.not_before, c.not_after)).collect(),
            Err(_) => pool
                .certs()
                .iter()
                .map(|c| (c.not_before, c.not_after))
                .collect(),
        };
        CaCertificates {
            roots,
            strict: strict.map(|c| c.len()).map_err(|e| e.0),
            validity,
        }
    }
}

/// One key file as found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyFile {
    /// Not there (or unreadable), with the OS error.
    Unreadable(String),
    /// Read; `mode` is the file mode, `vetted` the key check.
    Read {
        mode: u32,
        vetted: Result<String, String>,
        /// The key's algorithm (`ECDSA P-256`, `Ed25519`, …) when it parsed.
        algorithm: Option<&'static str>,
        pem_blocks: usize,
        /// As an OpenPGP keyring: the keys GnuPG imports, and how many could sign now.
        openpgp: OpenPgpKeys,
    },
}

/// What an OpenPGP keyring holds for `signedBy`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenPgpKeys {
    /// Keys GnuPG imports (c/image's trusted identities).
    pub imported: usize,
    /// Of those, keys that can make a valid signature now (not revoked or expired).
    pub usable: usize,
}

impl OpenPgpKeys {
    /// The keys of `bytes` as GnuPG imports them, judged at `now`.
    pub fn of(bytes: &[u8], now: i64) -> OpenPgpKeys {
        let ring = crate::signature::openpgp::Keyring::import(&[bytes]);
        OpenPgpKeys {
            imported: ring.identities().len(),
            usable: ring.certs().iter().filter(|c| c.can_sign_at(now)).count(),
        }
    }
}

/// One finding of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule's code.
    pub code: &'static str,
    /// The message.
    pub message: String,
    /// Where.
    pub span: Span,
    /// Label under the caret.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    rules::unknown_transport::RULE,
    rules::scope_not_normalized::RULE,
    rules::tag_or_digest_scope::RULE,
    rules::docker_hub_namespace::RULE,
    rules::never_satisfiable::SIGNATURES_NEVER_STORED,
    rules::never_satisfiable::ALWAYS_REJECTS,
    rules::wildcard_never_matches::RULE,
    rules::accept_mixed_with_signatures::RULE,
    rules::several_signature_requirements::RULE,
    rules::reject_blocks_local::RULE,
    rules::insecure_fallback::RULE,
    rules::sigstore_default_identity::RULE,
    rules::remap_with_cosign::RULE,
    rules::fulcio_email_uri::RULE,
    rules::key_files::RELATIVE,
    rules::key_files::UNREADABLE,
    rules::key_files::WRITABLE,
    rules::key_files::NOT_A_PUBLIC_KEY,
    rules::key_files::SEVERAL_BLOCKS,
    rules::key_files::HASH_MISMATCH,
    rules::key_files::WRONG_KEY_KIND,
    rules::key_files::NO_USABLE_GPG_KEY,
    rules::ca_files::NO_CA_CERTIFICATE,
    rules::ca_files::BAD_INTERMEDIATES,
    rules::ca_files::PKI_EXPIRED,
    rules::registries::NO_ATTACHMENTS,
    rules::registries::YML_IGNORED,
    rules::registries::INVALID,
    rules::versions::RULE,
    rules::user_shadows_system::RULE,
    rules::scope_never_matches::RULE,
    rules::path_scope_unresolved::RULE,
    rules::registries::MIRROR_NO_ATTACHMENTS,
];

/// Runs every rule.
pub fn run(ctx: &Context<'_>) -> Vec<(&'static Rule, Finding)> {
    let mut out = Vec::new();
    for rule in RULES {
        let mut findings = Vec::new();
        (rule.check)(ctx, &mut findings);
        out.extend(findings.into_iter().map(|f| (*rule, f)));
    }
    out.sort_by_key(|(_, f)| f.span.start);
    out
}

/// The rule with this code.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.code), "duplicate code {}", r.code);
            assert!(
                !r.summary.is_empty() && r.docs.len() > 80,
                "{} needs docs",
                r.code
            );
            assert!(
                r.code.len() == 4 && "PKRV".contains(&r.code[..1]),
                "bad code {}",
                r.code
            );
        }
    }
}
