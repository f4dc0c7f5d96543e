//! The machine-readable outputs (`--json`, `--format json`) as types: commands fill them, the
//! JSON is their `Serialize`, and the JSON Schemas in `schemas/` are generated from them
//! (`tests/json_schemas.rs` checks both: schema = types, and every output validates).
//!
//! Fields are declared in alphabetical order, the order in which the outputs always printed
//! them; `null` is written for absent values (never omitted), so every key is always there.

use schemars::JsonSchema;
use serde::Serialize;

/// Where a position in the policy file is (1-based; columns count characters).
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
pub struct Position {
    pub column: usize,
    pub line: usize,
}

/// The policy file used and why it was chosen.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PolicySource {
    pub path: String,
    /// `command-line`, `environment`, `user`, `root` or `system`.
    pub source: String,
}

impl From<&crate::config::policy_path::PolicyLocation> for PolicySource {
    fn from(l: &crate::config::policy_path::PolicyLocation) -> PolicySource {
        PolicySource {
            path: l.path.display().to_string(),
            source: l.definition.as_str().to_owned(),
        }
    }
}

/// A verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Accepted,
    Rejected,
    Error,
}

// ---- check ----

/// `policyctl check --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CheckReport {
    /// The containers/image version emulated (`current` or `5.23`).
    pub compat: String,
    pub policy: PolicySource,
    /// One per reference, in command-line order.
    pub results: Vec<CheckResult>,
}

/// One reference's result.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum CheckResult {
    /// The image was opened and judged.
    Judged(Box<JudgedImage>),
    /// The reference could not be parsed or the image not opened (exit code 2).
    Error(CheckError),
}

/// An image that could not be judged.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CheckError {
    pub error: String,
    pub exit_code: u8,
    pub reference: String,
    /// Always `error`.
    pub verdict: Verdict,
}

/// A judged image: the verdict and its explanation.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct JudgedImage {
    /// What containers/image itself would decide (differs from `verdict` only where policyctl
    /// refuses on purpose, e.g. a forged schema-1 signature; see `notes`).
    pub containers_image_verdict: Verdict,
    pub docker_reference: Option<String>,
    /// Always `null` here (present so that every result has the key).
    pub error: Option<String>,
    /// 0 accepted, 1 rejected.
    pub exit_code: u8,
    /// The policy identity of the image (`transport` + identity are what scopes match).
    pub identity: String,
    pub image: ImageFacts,
    /// The scopes tried, most specific first.
    pub namespaces: Vec<String>,
    pub notes: Vec<String>,
    /// c/image's error text when rejected.
    pub reason: Option<String>,
    pub reference: String,
    pub requirements: Vec<RequirementReport>,
    pub scope: CheckScope,
    pub transport: String,
    pub verdict: Verdict,
}

/// The scope that applied.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CheckScope {
    /// The scope key (`null` for a transport default or the global default).
    pub key: Option<String>,
    /// How it matched (`scope`, `transport-default`, `global-default`, …).
    pub kind: String,
    pub position: Position,
}

/// What was read from the image.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ImageFacts {
    pub list: Option<ListInstance>,
    pub manifest_digest: Option<String>,
    pub manifest_digest_error: Option<String>,
    pub mime_type: String,
    /// How many signatures are stored with the image.
    pub signatures: Option<usize>,
    pub signatures_error: Option<String>,
}

/// The instance chosen from a manifest list.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ListInstance {
    pub architecture: String,
    pub instance_digest: String,
    pub list_digest: String,
    pub os: String,
    pub variant: Option<String>,
}

/// A requirement's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RequirementOutcome {
    Accepted,
    Rejected,
    /// Rejected because policyctl cannot verify this yet (containers/image might accept).
    Unsupported,
    /// An earlier requirement rejected (requirements are ANDed in order).
    NotEvaluated,
}

/// One requirement of the applied list.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RequirementReport {
    pub description: String,
    pub index: usize,
    pub outcome: RequirementOutcome,
    pub position: Position,
    pub reason: Option<String>,
    /// The kind of rejection (`identity-not-accepted`, `no-signature`, `unsupported`, …).
    pub reason_kind: Option<String>,
    pub signatures: Vec<SignatureReport>,
    /// The requirement type (`sigstoreSigned`, …).
    #[serde(rename = "type")]
    pub kind: String,
    pub unsupported: bool,
}

/// A signature's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureOutcome {
    Accepted,
    Rejected,
    Unsupported,
    Skipped,
}

/// How one stored signature fared against the requirement.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SignatureReport {
    /// OpenPGP: where c/image built with another backend (Sequoia, Go x/crypto) would decide
    /// differently than its default GPGME build (absent when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backend_notes: Vec<String>,
    /// Fulcio/PKI only: the verified certificate, its chain and the Rekor entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<crate::signature::verify::CertificateSigner>,
    /// Read without verifying, for diagnosis only.
    pub claimed_digest: Option<String>,
    pub claimed_identity: Option<String>,
    /// Simple signing: the issuer key ID or fingerprint the signature names (unverified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed_signer: Option<String>,
    /// Fulcio/PKI: what the signature's certificate names (SANs, OIDC issuer, issuer,
    /// validity), read without verifying.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed_certificate: Option<String>,
    /// `simple-signing` or `sigstore-json`.
    pub format: String,
    /// The accepting key: a public key's fingerprint, or an OpenPGP primary key's.
    pub key_fingerprint: Option<String>,
    pub key_index: Option<usize>,
    /// Where it is stored.
    pub origin: String,
    pub outcome: SignatureOutcome,
    pub reason: Option<String>,
    /// The kind of rejection, when rejected.
    pub reason_kind: Option<String>,
    /// OpenPGP: the signature's creation time (Unix seconds; only when accepted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_created: Option<i64>,
    /// Authenticated values (only when accepted).
    pub signed_digest: Option<String>,
    pub signed_identity: Option<String>,
    /// OpenPGP: the key that made the signature (a subkey's fingerprint for subkey
    /// signatures; only when accepted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_key: Option<String>,
    /// OpenPGP: the primary key's first user ID (only when accepted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

// ---- check --all ----

/// `policyctl check --all --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CheckAllReport {
    pub accepted: usize,
    pub errors: usize,
    pub rejected: usize,
    pub results: Vec<CheckAllRow>,
    pub store: StoreRef,
}

/// One image name of the store.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CheckAllRow {
    /// Empty when accepted.
    pub reason: String,
    pub reference: String,
    pub verdict: Verdict,
}

/// A containers-storage store.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StoreRef {
    pub driver: String,
    pub graph_root: String,
}

// ---- scope ----

/// `policyctl scope --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScopeReport {
    pub compat: String,
    pub policy: PolicySource,
    pub references: Vec<ScopeResult>,
}

/// One reference's answer.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ScopeResult {
    Answer(Box<ScopeAnswer>),
    Error(ScopeError),
}

/// A reference that did not parse.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScopeError {
    pub error: String,
    pub reference: String,
}

/// Which scope applies to a reference, and what it requires.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScopeAnswer {
    /// Always `null` here.
    pub error: Option<String>,
    pub identity: String,
    pub namespaces: Vec<String>,
    pub note: Option<String>,
    pub reference: String,
    pub requirements: Vec<ScopeRequirement>,
    pub scope: ScopeMatch,
    pub transport: String,
}

/// The scope that applies.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScopeMatch {
    pub key: Option<String>,
    pub kind: String,
    pub position: Option<Position>,
    /// Why this scope and not another, in words.
    pub why: String,
}

/// A requirement of the applied list.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScopeRequirement {
    pub description: String,
    pub position: Position,
    #[serde(rename = "type")]
    pub kind: String,
}

// ---- lint ----

/// `policyctl lint --format json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LintReport {
    pub compat: String,
    pub diagnostics: Vec<LintDiagnostic>,
    /// Why containers/image cannot load the policy (`null` when it loads).
    pub error: Option<LintError>,
    pub policy: PolicySource,
    /// Whether containers/image loads the policy.
    pub valid: bool,
}

/// A lint finding.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LintDiagnostic {
    /// The rule code (`P001`, …; `policyctl lint --explain CODE`).
    pub code: String,
    pub column: usize,
    /// How to fix it, when there is a known fix.
    pub help: Option<String>,
    pub line: usize,
    pub message: String,
    pub rule: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
}

/// Why the policy does not load.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LintError {
    pub column: Option<usize>,
    /// The whole message as printed (with the file name).
    pub full_message: String,
    /// `syntax`, `object-expected`, `duplicate-key`, `unknown-key`, `missing-key`, `type`,
    /// `base64`, `invalid` (c/image refuses the content) or `read` (the file could not be
    /// read).
    pub kind: String,
    pub length: Option<usize>,
    pub line: Option<usize>,
    /// c/image's message.
    pub message: String,
    /// Byte offset in the file.
    pub offset: Option<usize>,
}

// ---- key list ----

/// `policyctl key list --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct KeyListReport {
    pub keys: Vec<KeyRow>,
    /// The policy file consulted for the scopes.
    pub policy: String,
}

/// An installed key.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct KeyRow {
    /// The key is the ARMORRED project's (it matches the built-in pin).
    pub builtin_armorred: bool,
    pub fingerprint: Option<String>,
    pub name: String,
    /// The path the policy names (without `--root`).
    pub path: String,
    /// Why the key is unusable (`null` when it is fine).
    pub problem: Option<String>,
    /// Policy scopes (`transport:scope`) that use the key.
    pub scopes: Vec<String>,
}

// ---- where ----

/// `policyctl where --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WhereReport {
    pub files: Vec<WhereFile>,
    pub store: Option<WhereStore>,
    pub uid: u32,
}

/// One configuration file and the places it is looked up.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WhereFile {
    pub candidates: Vec<WhereCandidate>,
    pub file: String,
    pub in_effect: Option<String>,
}

/// One place a file is looked up.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WhereCandidate {
    pub path: Option<String>,
    pub source: String,
    /// `present`, `missing`, `wrong type`, `set`, `unset`, …
    pub state: String,
}

/// The containers-storage store in effect.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WhereStore {
    /// The configured driver (`null`: auto-detected).
    pub driver: Option<String>,
    pub graph_root: String,
    pub run_root: String,
}

/// Pretty JSON of a report, with a final newline.
/// `policyctl sigs list --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SigsListReport {
    pub images: Vec<SigsListImage>,
}

/// The stored signature-like objects of one image reference.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SigsListImage {
    pub reference: String,
    /// Why the image could not be opened (then nothing else is set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport: Option<String>,
    /// The manifest podman evaluates (the chosen instance of a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    /// The list's digest, when the reference names a list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_digest: Option<String>,
    /// Why c/image's own signature store could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signatures_error: Option<String>,
    /// How many entries podman reads for this image.
    pub podman_reads: usize,
    pub entries: Vec<crate::inventory::Entry>,
    /// Facts about the whole image.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// `policyctl attest verify --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AttestVerifyReport {
    pub reference: String,
    /// The manifest the attestations must name (the evaluated platform instance).
    pub manifest_digest: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_digest: Option<String>,
    /// The predicate type asked for (a URI), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
    /// Where the trusted keys came from.
    pub keys: String,
    /// How many verified.
    pub verified: usize,
    pub attestations: Vec<AttestationResult>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One attestation's verdict.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AttestationResult {
    pub location: String,
    pub verdict: AttestationVerdict,
    /// Why it was not verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
    /// The trusted key that verified it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_fingerprint: Option<String>,
    /// Which digest its subject named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<crate::attestation::verify::SubjectMatch>,
    /// SHA-256 of the authenticated statement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement_sha256: Option<String>,
}

/// An attestation's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AttestationVerdict {
    Verified,
    Rejected,
    /// policyctl cannot verify it yet (never accepted).
    Unsupported,
}

pub fn to_pretty<T: Serialize>(report: &T) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        // Serializing these plain structs cannot fail; say so loudly if it ever does.
        format!("{{\"error\": \"internal error: {e}\"}}")
    });
    s.push('\n');
    s
}

/// `policyctl export --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ExportReport {
    /// `policycontroller`, `kyverno` or `kyvernoclusterpolicy`.
    pub target: String,
    /// No warning of severity `loss`.
    pub faithful: bool,
    /// The Kubernetes documents (ClusterImagePolicy, ConfigMap, Secret, ClusterPolicy,
    /// ImageValidatingPolicy), as they are written in YAML.
    pub documents: Vec<serde_json::Value>,
    /// What differs (`loss`) or is worth knowing (`note`), codes X101-X114.
    pub warnings: Vec<crate::k8s::warning::Warning>,
}
