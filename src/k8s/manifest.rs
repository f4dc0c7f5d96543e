//! The Kubernetes documents policyctl writes, as typed structs (field names exactly as in the
//! CRDs of spec §19.1): sigstore policy-controller `ClusterImagePolicy` (v1beta1), its
//! `config-policy-controller` ConfigMap, Kyverno `ClusterPolicy` (`kyverno.io/v1`,
//! `verifyImages`) and `ImageValidatingPolicy` (`policies.kyverno.io/v1`), and Secrets holding
//! public keys. Serialized to YAML by [`crate::k8s::yaml::to_yaml`].

use std::collections::BTreeMap;

use serde::Serialize;

/// `metadata`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Metadata {
    /// `metadata.name` (a DNS-1123 subdomain).
    pub name: String,
    /// `metadata.namespace` (namespaced kinds only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `metadata.annotations` (where in policy.json the document comes from).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// Any of the documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Document {
    /// policy-controller `ClusterImagePolicy`.
    ClusterImagePolicy(Object<CipSpec>),
    /// Kyverno `ClusterPolicy`.
    ClusterPolicy(Object<CpolSpec>),
    /// Kyverno `ImageValidatingPolicy`.
    ImageValidatingPolicy(Object<IvpolSpec>),
    /// OpenShift `config.openshift.io/v1` `ClusterImagePolicy`.
    OpenShiftImagePolicy(Object<OpenShiftSpec>),
    /// A ConfigMap (`config-policy-controller`).
    ConfigMap(DataObject),
    /// A Secret holding a public key.
    Secret(DataObject),
}

impl Document {
    /// `kind/name`.
    pub fn label(&self) -> String {
        let (kind, name) = match self {
            Document::ClusterImagePolicy(o) => (&o.kind, &o.metadata.name),
            Document::ClusterPolicy(o) => (&o.kind, &o.metadata.name),
            Document::ImageValidatingPolicy(o) => (&o.kind, &o.metadata.name),
            Document::OpenShiftImagePolicy(o) => (&o.kind, &o.metadata.name),
            Document::ConfigMap(o) | Document::Secret(o) => (&o.kind, &o.metadata.name),
        };
        format!("{kind}/{name}")
    }
}

/// A document with a `spec`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Object<S> {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata`.
    pub metadata: Metadata,
    /// `spec`.
    pub spec: S,
}

/// A ConfigMap or Secret (`stringData` for Secrets, `data` for ConfigMaps).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataObject {
    /// `v1`.
    pub api_version: String,
    /// `ConfigMap` or `Secret`.
    pub kind: String,
    /// `metadata`.
    pub metadata: Metadata,
    /// ConfigMap `data`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<BTreeMap<String, String>>,
    /// Secret `stringData`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub string_data: Option<BTreeMap<String, String>>,
}

/// `ClusterImagePolicy.spec`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CipSpec {
    /// `images[]`.
    pub images: Vec<CipImage>,
    /// `authorities[]` (any one suffices).
    pub authorities: Vec<Authority>,
    /// `enforce`.
    pub mode: String,
}

/// `images[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CipImage {
    /// The glob.
    pub glob: String,
}

/// `authorities[]`: exactly one of `key`, `keyless`, `static`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Authority {
    /// Authority name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A public key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<KeyRef>,
    /// Fulcio identities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyless: Option<Keyless>,
    /// `pass` or `fail`.
    #[serde(rename = "static", skip_serializing_if = "Option::is_none")]
    pub static_: Option<StaticAction>,
}

/// `key`: `data` or `secretRef`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyRef {
    /// PEM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// A Secret in the controller's namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<SecretRef>,
    /// `sha256`.
    pub hash_algorithm: String,
}

/// `secretRef`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretRef {
    /// The Secret's name.
    pub name: String,
}

/// `keyless`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Keyless {
    /// The Fulcio CA PEM.
    #[serde(rename = "ca-cert", skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<CaCert>,
    /// `{issuer, subject}` pairs.
    pub identities: Vec<Identity>,
}

/// `ca-cert`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaCert {
    /// PEM.
    pub data: String,
}

/// `identities[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// OIDC issuer.
    pub issuer: String,
    /// Certificate subject (e-mail).
    pub subject: String,
}

/// `static`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaticAction {
    /// `pass` or `fail`.
    pub action: String,
    /// Why (fail only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `ClusterPolicy.spec`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CpolSpec {
    /// `false`: admission only.
    pub background: bool,
    /// `Fail`: an unreachable webhook refuses.
    pub failure_policy: String,
    /// The rules.
    pub rules: Vec<CpolRule>,
}

/// A rule: `verifyImages` or (for `reject`) `validate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CpolRule {
    /// Rule name.
    pub name: String,
    /// `{any: [{resources: {kinds: [Pod]}}]}`.
    #[serde(rename = "match")]
    pub match_: serde_json::Value,
    /// Image verification.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub verify_images: Vec<VerifyImage>,
    /// A deny rule (emulating `reject`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validate: Option<serde_json::Value>,
}

/// `verifyImages[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyImage {
    /// Patterns this entry applies to.
    pub image_references: Vec<String>,
    /// Patterns excluded (more specific scopes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skip_image_references: Vec<String>,
    /// `Enforce`.
    pub failure_action: String,
    /// `Cosign`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Rewrite to the verified digest.
    pub mutate_digest: bool,
    /// Require a digest.
    pub verify_digest: bool,
    /// Require verification.
    pub required: bool,
    /// Attestor sets (all must pass).
    pub attestors: Vec<AttestorSet>,
}

/// `attestors[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttestorSet {
    /// `1`: any entry suffices.
    pub count: usize,
    /// The entries.
    pub entries: Vec<AttestorEntry>,
}

/// `entries[]`: `keys` or `keyless`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttestorEntry {
    /// A public key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<CpolKeys>,
    /// Fulcio identity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyless: Option<CpolKeyless>,
}

/// `keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CpolKeys {
    /// PEM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_keys: Option<String>,
    /// A Secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<NamespacedRef>,
    /// `sha256`.
    pub signature_algorithm: String,
    /// Transparency log settings.
    pub rekor: Rekor,
    /// SCT settings.
    pub ctlog: CpolCtlog,
}

/// A `{name, namespace}` reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamespacedRef {
    /// Name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
}

/// `rekor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rekor {
    /// Rekor URL (Kyverno requires one even when the log is ignored).
    pub url: String,
    /// Rekor public key PEM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pubkey: Option<String>,
    /// Do not require a log entry.
    pub ignore_tlog: bool,
}

/// `ctlog` of `keys`/`keyless`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CpolCtlog {
    /// Do not require an SCT.
    #[serde(rename = "ignoreSCT")]
    pub ignore_sct: bool,
}

/// `keyless` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CpolKeyless {
    /// OIDC issuer.
    pub issuer: String,
    /// Subject (e-mail).
    pub subject: String,
    /// Fulcio CA PEM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roots: Option<String>,
    /// Transparency log settings.
    pub rekor: Rekor,
}

/// `ImageValidatingPolicy.spec`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IvpolSpec {
    /// `[Deny]`.
    pub validation_actions: Vec<String>,
    /// Pods, create and update.
    pub match_constraints: serde_json::Value,
    /// `{glob}` or `{expression}` entries (any).
    pub match_image_references: Vec<ImageMatch>,
    /// `{mutateDigest, verifyDigest, required}`.
    pub validation_configurations: serde_json::Value,
    /// The attestors.
    pub attestors: Vec<IvpolAttestor>,
    /// CEL validations.
    pub validations: Vec<Validation>,
}

/// `matchImageReferences[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageMatch {
    /// A gobwas glob over the raw image string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub glob: Option<String>,
    /// A CEL expression over `ref`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
}

/// `attestors[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IvpolAttestor {
    /// Name used in `attestors.<name>`.
    pub name: String,
    /// The cosign settings.
    pub cosign: serde_json::Value,
}

/// `validations[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Validation {
    /// CEL.
    pub expression: String,
    /// Message on failure.
    pub message: String,
}

/// OpenShift `ClusterImagePolicy.spec`: policy.json docker scopes and one `sigstoreSigned`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenShiftSpec {
    /// The scopes (policy.json syntax, most specific wins).
    pub scopes: Vec<String>,
    /// The requirement.
    pub policy: OpenShiftPolicy,
}

/// `spec.policy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenShiftPolicy {
    /// The trust root.
    pub root_of_trust: serde_json::Value,
    /// `{matchPolicy, exactRepository?, remapIdentity?}`.
    pub signed_identity: serde_json::Value,
}
