//! The validated policy model: what a `policy.json` means once c/image would accept it.
//!
//! Every value a user wrote keeps its byte span in the source file so that `lint`, `scope` and
//! `check` can point at it. Values are already validated by [`crate::policy::parse`]: evaluation
//! never re-checks strings.

use std::ops::Range;

/// A byte range in the policy file.
pub type Span = Range<usize>;

/// A value with the byte span it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where in the source it was written (the whole JSON value, quotes included for strings).
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps `value` with `span`.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// A whole policy: the global default and the per-transport scopes, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The global `default` requirement list (never empty).
    pub default: RequirementList,
    /// The `transports` object in document order (empty when absent or `{}`).
    pub transports: Vec<TransportScopes>,
    /// Span of the `transports` value, if the key was present.
    pub transports_span: Option<Span>,
}

/// One entry of `transports`: a transport name and its scopes in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportScopes {
    /// The transport name as written (may be a transport c/image does not know).
    pub name: Spanned<String>,
    /// The scopes, in document order.
    pub scopes: Vec<Scope>,
    /// Span of the whole transport object.
    pub span: Span,
}

/// One scope of a transport and its requirement list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The scope key (`""` for the transport-wide default).
    pub key: Spanned<String>,
    /// Its requirements (never empty).
    pub requirements: RequirementList,
}

/// A non-empty list of requirements; all must allow the image (short-circuit AND).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementList {
    /// The requirements in array order, each with the span of its JSON object.
    pub items: Vec<Spanned<Requirement>>,
    /// Span of the whole array.
    pub span: Span,
}

/// One policy requirement (`{"type": …}`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Requirement {
    /// `insecureAcceptAnything`: accepts every image without reading anything.
    InsecureAcceptAnything,
    /// `reject`: rejects every image.
    Reject,
    /// `signedBy`: simple-signing (GPG or X.509) signatures.
    SignedBy(SignedBy),
    /// `signedBaseLayer`: parseable, but c/image never implemented it (always rejects).
    SignedBaseLayer {
        /// `baseLayerIdentity`.
        base_layer_identity: Spanned<SignedIdentity>,
    },
    /// `sigstoreSigned`: cosign / sigstore signatures.
    SigstoreSigned(SigstoreSigned),
}

impl Requirement {
    /// The `type` string of this requirement.
    pub fn type_name(&self) -> &'static str {
        match self {
            Requirement::InsecureAcceptAnything => "insecureAcceptAnything",
            Requirement::Reject => "reject",
            Requirement::SignedBy(_) => "signedBy",
            Requirement::SignedBaseLayer { .. } => "signedBaseLayer",
            Requirement::SigstoreSigned(_) => "sigstoreSigned",
        }
    }
}

/// `signedBy.keyType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyType {
    /// `GPGKeys` (the only one c/image implements).
    GpgKeys,
    /// `signedByGPGKeys` (parses; every signature is rejected as unimplemented).
    SignedByGpgKeys,
    /// `X509Certificates` (parses; unimplemented).
    X509Certificates,
    /// `signedByX509CAs` (parses; unimplemented).
    SignedByX509Cas,
}

impl KeyType {
    /// Parses the exact (case-sensitive) JSON spelling.
    pub fn from_json(s: &str) -> Option<KeyType> {
        match s {
            "GPGKeys" => Some(KeyType::GpgKeys),
            "signedByGPGKeys" => Some(KeyType::SignedByGpgKeys),
            "X509Certificates" => Some(KeyType::X509Certificates),
            "signedByX509CAs" => Some(KeyType::SignedByX509Cas),
            _ => None,
        }
    }

    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::GpgKeys => "GPGKeys",
            KeyType::SignedByGpgKeys => "signedByGPGKeys",
            KeyType::X509Certificates => "X509Certificates",
            KeyType::SignedByX509Cas => "signedByX509CAs",
        }
    }
}

/// Where the keys of a requirement come from. Empty values are kept as written: c/image
/// accepts some of them at parse time and fails only at evaluation (spec §1.5, §1.7).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeySource {
    /// `keyPath` (a file; relative paths resolve against the evaluating process's CWD).
    Path(Spanned<String>),
    /// `keyPaths` (any of them may sign).
    Paths(Spanned<Vec<String>>),
    /// `keyData` (decoded bytes; `None` when the JSON value was `null`).
    Data(Spanned<Option<Vec<u8>>>),
    /// `keyDatas` (decoded bytes of each entry).
    Datas(Spanned<Vec<Vec<u8>>>),
}

/// A `signedBy` requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedBy {
    /// `keyType`.
    pub key_type: KeyType,
    /// The single key source.
    pub keys: KeySource,
    /// `signedIdentity` (defaults to `matchRepoDigestOrExact`).
    pub signed_identity: Spanned<SignedIdentity>,
    /// Whether `signedIdentity` was written (false: defaulted).
    pub signed_identity_explicit: bool,
}

/// A `sigstoreSigned` requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigstoreSigned {
    /// How signatures are verified: public keys, Fulcio or PKI.
    pub trust: SigstoreTrust,
    /// Rekor public keys (current c/image only), if any.
    pub rekor: Option<KeySource>,
    /// `signedIdentity` (defaults to `matchRepoDigestOrExact`).
    pub signed_identity: Spanned<SignedIdentity>,
    /// Whether `signedIdentity` was written (false: defaulted).
    pub signed_identity_explicit: bool,
}

/// The trust root of a `sigstoreSigned` requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SigstoreTrust {
    /// `keyPath` / `keyPaths` / `keyData` / `keyDatas`.
    PublicKeys(KeySource),
    /// `fulcio` (keyless; current c/image only).
    Fulcio(Spanned<Fulcio>),
    /// `pki` (X.509 without Fulcio; c/image ≥ 5.35).
    Pki(Spanned<Pki>),
}

/// A CA given either as a file path or inline data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CaSource {
    /// A PEM file.
    Path(String),
    /// Inline PEM bytes (base64 in JSON).
    Data(Vec<u8>),
}

/// `sigstoreSigned.fulcio`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fulcio {
    /// `caPath` or `caData`.
    pub ca: CaSource,
    /// `oidcIssuer`.
    pub oidc_issuer: String,
    /// `subjectEmail`.
    pub subject_email: String,
}

/// `sigstoreSigned.pki`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pki {
    /// `caRootsPath` or `caRootsData`.
    pub ca_roots: CaSource,
    /// `caIntermediatesPath` or `caIntermediatesData`, if any.
    pub ca_intermediates: Option<CaSource>,
    /// `subjectEmail` (may be empty when `subjectHostname` is set).
    pub subject_email: String,
    /// `subjectHostname` (may be empty when `subjectEmail` is set).
    pub subject_hostname: String,
}

/// A `signedIdentity` policy reference match (PRM): how the identity claimed by a signature
/// must relate to the image reference (spec §2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignedIdentity {
    /// `matchExact`.
    MatchExact,
    /// `matchRepoDigestOrExact` (the default).
    MatchRepoDigestOrExact,
    /// `matchRepository`.
    MatchRepository,
    /// `exactReference` with `dockerReference` (validated: parses, has a tag or digest).
    ExactReference {
        /// `dockerReference` as written.
        docker_reference: String,
    },
    /// `exactRepository` with `dockerRepository` (validated: parses).
    ExactRepository {
        /// `dockerRepository` as written.
        docker_repository: String,
    },
    /// `remapIdentity` (validated prefixes).
    RemapIdentity {
        /// `prefix`.
        prefix: String,
        /// `signedPrefix`.
        signed_prefix: String,
    },
}

impl SignedIdentity {
    /// The `type` string of this PRM.
    pub fn type_name(&self) -> &'static str {
        match self {
            SignedIdentity::MatchExact => "matchExact",
            SignedIdentity::MatchRepoDigestOrExact => "matchRepoDigestOrExact",
            SignedIdentity::MatchRepository => "matchRepository",
            SignedIdentity::ExactReference { .. } => "exactReference",
            SignedIdentity::ExactRepository { .. } => "exactRepository",
            SignedIdentity::RemapIdentity { .. } => "remapIdentity",
        }
    }
}
