//! The export (`X1nn`) and import (`I2nn`) warning catalogue (spec §19.7, §19.6): every
//! difference between what `policy.json` says and what the cluster documents can say gets a
//! stable code, so that CI can allow some and fail on others.

use serde::Serialize;

/// A warning code.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
pub enum Code {
    /// A general scope whose requirements are not neutral under AND has more specific scopes
    /// (policy-controller), or a non-trivial default.
    X101,
    /// `reject` emulated with a rule (Kyverno).
    X102,
    /// `signedIdentity` is not checked by Kubernetes verifiers.
    X103,
    /// A tag-scoped identity scope.
    X104,
    /// cosign v3 bundles with key authorities (declared).
    X105,
    /// A transport other than `docker`.
    X106,
    /// Rekor public keys: the cluster's transparency-log check differs.
    X107,
    /// `fulcio`: SCT checks and identity semantics differ.
    X108,
    /// `pki`: not representable.
    X109,
    /// `signedBy` (GPG): not representable.
    X110,
    /// A key that is not ECDSA P-256 or RSA.
    X111,
    /// No `registries.d` `use-sigstore-attachments` for an exported scope.
    X112,
    /// policy-controller only enforces in labelled namespaces.
    X113,
    /// A wildcard-domain scope in Kyverno globs is approximate.
    X114,
    /// OpenShift: what its ClusterImagePolicy cannot say (reject, accept, several keys for
    /// one requirement, matchExact/exactReference identities, the default).
    X115,
    /// A glob broader than the scope it becomes.
    I201,
    /// A glob with no exact `policy.json` scope.
    I202,
    /// A key held in a Secret or KMS.
    I203,
    /// A hash algorithm other than SHA-256.
    I204,
    /// Keyless material missing (Fulcio CA, Rekor key).
    I205,
    /// Regexp, URI or several keyless identities.
    I206,
    /// Key and keyless authorities mixed.
    I207,
    /// Attestation or CUE/Rego/CEL checks.
    I208,
    /// Audit or warn mode.
    I209,
    /// Signatures from another repository or tag prefix.
    I210,
    /// Sigstore bundle signatures.
    I211,
    /// Online transparency-log checks.
    I212,
    /// Resource or namespace selectors, `no-match-policy: warn`.
    I213,
    /// Kyverno `count` between 1 and the number of entries.
    I214,
    /// The `default` of the imported policy is a choice (Kyverno admits unmatched images).
    I215,
    /// A document policyctl does not translate (other kinds, Notary attestors, ...).
    I216,
}

/// How much a warning matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; the translation is still faithful.
    Note,
    /// The translation differs from the source: exit 1 unless `--allow-partial`.
    Loss,
}

/// One warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Warning {
    /// The code.
    pub code: Code,
    /// Note or loss.
    pub severity: Severity,
    /// Where: a policy scope (`transports.docker["ghcr.io/armorred"]`) or a document place
    /// (`armorred.yaml: document 1 (ClusterImagePolicy armorred-images) spec.authorities[0]`).
    pub place: String,
    /// What differs.
    pub message: String,
}

impl Warning {
    /// A loss.
    pub fn loss(code: Code, place: impl Into<String>, message: impl Into<String>) -> Warning {
        Warning {
            code,
            severity: Severity::Loss,
            place: place.into(),
            message: message.into(),
        }
    }

    /// A note.
    pub fn note(code: Code, place: impl Into<String>, message: impl Into<String>) -> Warning {
        Warning {
            code,
            severity: Severity::Note,
            place: place.into(),
            message: message.into(),
        }
    }
}

/// Orders warnings by code, then place, and drops exact repeats (a warning raised for each
/// document or probe that shows the same difference).
pub fn sort_and_dedup(warnings: &mut Vec<Warning>) {
    warnings.sort_by(|a, b| (a.code, &a.place).cmp(&(b.code, &b.place)));
    warnings.dedup();
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Note => "note",
            Severity::Loss => "warning",
        };
        write!(
            f,
            "{sev}[{:?}]: {}: {}",
            self.code, self.place, self.message
        )
    }
}
