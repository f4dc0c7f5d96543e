//! `policy.json` → Kubernetes admission policies (spec §19.3–§19.5, §19.7).
//!
//! The hard part is not the syntax but the combination rule: `policy.json` applies exactly one
//! requirement list, the most specific scope's, while policy-controller ANDs every matching
//! `ClusterImagePolicy` and Kyverno every matching rule. Kyverno can exclude the more specific
//! scopes (`skipImageReferences`, or a CEL filter for `ImageValidatingPolicy`), so its export is
//! exact; policy-controller cannot, so a general scope is exported only when ANDing it with its
//! nested scopes changes nothing ([`Gate::implies`]), else refused with `X101`. Whatever cannot
//! be expressed fails closed (a `static: fail` authority, a deny rule) and is reported.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::manifest::*;
use super::pattern::{self, Engine, Pattern, ScopeShape};
use super::roots::{Gate, GateError, KeyFiles, Keyring, Root, ca_bytes, file_bytes, host_gate};
use super::warning::{Code, Warning};
use crate::policy::model::{
    CaSource, KeySource, Policy, Requirement, RequirementList, SignedIdentity, SigstoreTrust,
};

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// sigstore policy-controller `ClusterImagePolicy` v1beta1 (+ its ConfigMap).
    PolicyController,
    /// Kyverno `ImageValidatingPolicy` (`policies.kyverno.io/v1`).
    Kyverno,
    /// Kyverno `ClusterPolicy` (`kyverno.io/v1`, `verifyImages`; deprecated in Kyverno 1.17).
    KyvernoClusterPolicy,
    /// OpenShift `config.openshift.io/v1` `ClusterImagePolicy` (rendered into the nodes'
    /// policy.json for CRI-O: the same scopes, one `sigstoreSigned` each).
    OpenShift,
}

/// How keys appear in the documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRefs {
    /// The PEM inline.
    Inline,
    /// A reference to a Secret (emitted as a document too).
    Secret,
}

/// Export options.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The target.
    pub target: Target,
    /// Only these docker scopes (empty: the whole policy, with its default).
    pub scopes: Vec<String>,
    /// policy-controller: emit general scopes even when their AND with nested ones is
    /// stricter than policy.json.
    pub allow_stricter: bool,
    /// Inline keys or Secret references.
    pub key_refs: KeyRefs,
    /// The images are signed with cosign v3 bundles (declared; it cannot be seen offline).
    pub bundles: bool,
    /// Namespace of the Secrets (policy-controller reads them only from its own).
    pub secret_namespace: String,
}

/// What the policy names and the caller read.
#[derive(Debug, Clone, Copy)]
pub struct ExportInput<'a> {
    /// The policy.
    pub policy: &'a Policy,
    /// Key and CA files the policy names ([`files_to_read`]), read.
    pub files: &'a KeyFiles,
    /// Docker scopes whose images podman would fetch no sigstore signatures for (no
    /// `use-sigstore-attachments` in registries.d).
    pub no_attachments: &'a BTreeSet<String>,
    /// The policy file, for annotations and messages.
    pub source: &'a str,
}

/// The documents and warnings.
#[derive(Debug, Clone, Default)]
pub struct Export {
    /// The documents, in order.
    pub documents: Vec<Document>,
    /// Everything that differs or is worth knowing.
    pub warnings: Vec<Warning>,
}

crate::message_error!(
    /// Why nothing can be exported (a scope that does not exist, an unreadable key).
    ExportError
);

impl From<GateError> for ExportError {
    fn from(e: GateError) -> Self {
        ExportError(e.0)
    }
}

/// Files the export reads: `keyPath(s)` and Fulcio `caPath` of every list.
pub fn files_to_read(policy: &Policy) -> Vec<String> {
    let mut out = Vec::new();
    for list in lists(policy) {
        out.extend(super::roots::key_paths(list));
        for r in &list.items {
            if let Requirement::SigstoreSigned(s) = &r.value {
                match &s.trust {
                    SigstoreTrust::Fulcio(f) => {
                        if let CaSource::Path(p) = &f.value.ca {
                            out.push(p.clone());
                        }
                    }
                    SigstoreTrust::Pki(p) => {
                        for ca in std::iter::once(&p.value.ca_roots)
                            .chain(p.value.ca_intermediates.as_ref())
                        {
                            if let CaSource::Path(path) = ca {
                                out.push(path.clone());
                            }
                        }
                    }
                    SigstoreTrust::PublicKeys(_) => {}
                }
                match &s.rekor {
                    Some(KeySource::Path(p)) => out.push(p.value.clone()),
                    Some(KeySource::Paths(p)) => out.extend(p.value.iter().cloned()),
                    _ => {}
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn lists(policy: &Policy) -> impl Iterator<Item = &RequirementList> {
    std::iter::once(&policy.default).chain(
        policy
            .transports
            .iter()
            .flat_map(|t| t.scopes.iter().map(|s| &s.requirements)),
    )
}

/// One docker scope (or the fallback) to export.
struct Item<'a> {
    /// The scope (`None`: the fallback, docker `""` or `default`).
    scope: Option<String>,
    place: String,
    list: &'a RequirementList,
    gate: Gate,
}

/// Exports the policy.
pub fn export(input: ExportInput<'_>, opts: &ExportOptions) -> Result<Export, ExportError> {
    let mut out = Export::default();
    let mut keys = Keyring::default();
    let docker = input
        .policy
        .transports
        .iter()
        .find(|t| t.name.value == "docker");
    for t in &input.policy.transports {
        if t.name.value == "docker" {
            continue;
        }
        let restricts = t.scopes.iter().any(|s| {
            s.requirements
                .items
                .iter()
                .any(|r| r.value != Requirement::InsecureAcceptAnything)
        });
        let msg = format!(
            "transport {} has no Kubernetes equivalent (admission sees registry images only); its {} scope(s) are not exported",
            t.name.value,
            t.scopes.len()
        );
        out.warnings.push(if restricts {
            Warning::loss(Code::X106, format!("transports.{}", t.name.value), msg)
        } else {
            Warning::note(Code::X106, format!("transports.{}", t.name.value), msg)
        });
    }
    let mut items = Vec::new();
    if let Some(d) = docker {
        for s in &d.scopes {
            if s.key.value.is_empty() {
                continue;
            }
            if !opts.scopes.is_empty() && !opts.scopes.contains(&s.key.value) {
                continue;
            }
            let place = format!("transports.docker[\"{}\"]", s.key.value);
            let gate = host_gate(&s.requirements, input.files, &mut keys)
                .map_err(|e| ExportError(format!("{}: {place}: {e}", input.source)))?;
            items.push(Item {
                scope: Some(s.key.value.clone()),
                place,
                list: &s.requirements,
                gate,
            });
        }
    }
    for wanted in &opts.scopes {
        if !items.iter().any(|i| i.scope.as_deref() == Some(wanted)) {
            return Err(ExportError(format!(
                "{}: no transports.docker scope {wanted:?}",
                input.source
            )));
        }
    }
    let fallback = if opts.scopes.is_empty() {
        let (place, list) =
            match docker.and_then(|d| d.scopes.iter().find(|s| s.key.value.is_empty())) {
                Some(s) => ("transports.docker[\"\"]".to_owned(), &s.requirements),
                None => ("default".to_owned(), &input.policy.default),
            };
        let gate = host_gate(list, input.files, &mut keys)
            .map_err(|e| ExportError(format!("{}: {place}: {e}", input.source)))?;
        Some(Item {
            scope: None,
            place,
            list,
            gate,
        })
    } else {
        None
    };
    for item in items.iter().chain(fallback.iter()) {
        requirement_warnings(item, opts, input, &keys, &mut out.warnings);
    }
    let ctx = Ctx {
        opts,
        input,
        keys: &keys,
    };
    match opts.target {
        Target::PolicyController => ctx.policy_controller(&items, fallback.as_ref(), &mut out),
        Target::KyvernoClusterPolicy => ctx.cluster_policy(&items, fallback.as_ref(), &mut out),
        Target::Kyverno => ctx.image_validating(&items, fallback.as_ref(), &mut out),
        Target::OpenShift => ctx.openshift(&items, fallback.as_ref(), &mut out),
    }
    super::warning::sort_and_dedup(&mut out.warnings);
    Ok(out)
}

fn requirement_warnings(
    item: &Item<'_>,
    opts: &ExportOptions,
    input: ExportInput<'_>,
    keys: &Keyring,
    w: &mut Vec<Warning>,
) {
    let place = &item.place;
    for r in &item.list.items {
        match &r.value {
            Requirement::SignedBy(_) => w.push(Warning::loss(
                Code::X110,
                place,
                "signedBy (GPG) cannot be verified by Kubernetes verifiers; exported as an unadmittable policy",
            )),
            Requirement::SigstoreSigned(s) => {
                match &s.signed_identity.value {
                    _ if opts.target == Target::OpenShift => {}
                    SignedIdentity::MatchRepository => w.push(Warning::note(
                        Code::X103,
                        place,
                        "Kubernetes verifiers do not check the signed identity (critical.identity.docker-reference); policy.json's matchRepository does",
                    )),
                    other => w.push(Warning::loss(
                        Code::X103,
                        place,
                        format!(
                            "signedIdentity {} is not checked by Kubernetes verifiers: a signature made for another image with the same key is accepted there",
                            other.type_name()
                        ),
                    )),
                }
                if s.rekor.is_some() && opts.target != Target::OpenShift {
                    w.push(Warning::loss(
                        Code::X107,
                        place,
                        "rekorPublicKey*: c/image checks the SET offline; the exported documents do not require a transparency-log entry",
                    ));
                }
                match &s.trust {
                    _ if opts.target == Target::OpenShift => {}
                    SigstoreTrust::Fulcio(_) => w.push(Warning::loss(
                        Code::X108,
                        place,
                        "fulcio: the cluster checks SCTs and identities its own way (c/image matches the e-mail SAN exactly); policy-controller trusts the public Fulcio root, a private CA needs a TrustRoot (trustRootRef), not exported",
                    )),
                    SigstoreTrust::Pki(_) => w.push(Warning::loss(
                        Code::X109,
                        place,
                        "pki roots have no Kubernetes equivalent; exported as an unadmittable policy",
                    )),
                    SigstoreTrust::PublicKeys(_) => {
                        if opts.bundles && opts.target != Target::OpenShift {
                            w.push(Warning::loss(
                                Code::X105,
                                place,
                                "cosign v3 bundle signatures: policy-controller verifies key-signed bundles only for keyless authorities, and podman cannot read bundles",
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    // OpenShift nodes run containers/image too (and the machine-config operator writes their
    // registries.d): key algorithms and attachments behave as on this host.
    if let Gate::Require { all_of } = &item.gate
        && opts.target != Target::OpenShift
    {
        for root in all_of.iter().flatten() {
            if let Root::Key { fingerprint } = root {
                let alg = keys.algorithm.get(fingerprint).copied().unwrap_or("");
                if alg != "ECDSA P-256" && alg != "RSA" {
                    w.push(Warning::loss(
                        Code::X111,
                        place,
                        format!(
                            "{alg} key {fingerprint}: c/image verifies with SHA-256 only; the cluster may accept what podman refuses"
                        ),
                    ));
                }
            }
        }
        if let Some(scope) = &item.scope
            && input.no_attachments.contains(scope)
        {
            w.push(Warning::loss(
                Code::X112,
                place,
                format!(
                    "registries.d has no use-sigstore-attachments: true for {scope}: the cluster verifies, podman does not even fetch the signatures"
                ),
            ));
        }
    }
    if let Some(scope) = &item.scope {
        match pattern::shape(scope) {
            ScopeShape::Tagged { .. } if opts.target != Target::OpenShift => w.push(Warning::loss(
                Code::X104,
                place,
                "a tag scope: admission sees digests; the match relies on policy-controller's raw-string fallback and never matches digest-only pods in Kyverno ClusterPolicy",
            )),
            ScopeShape::Wildcard { domain }
                if matches!(opts.target, Target::Kyverno | Target::KyvernoClusterPolicy) =>
            {
                w.push(Warning::loss(
                    Code::X114,
                    place,
                    format!(
                        "Kyverno's * crosses '/': *.{domain}/* also matches images whose path contains .{domain}/"
                    ),
                ))
            }
            _ => {}
        }
    }
}

struct Ctx<'a> {
    opts: &'a ExportOptions,
    input: ExportInput<'a>,
    keys: &'a Keyring,
}

/// A DNS-1123 subdomain from a scope: lower case, `[a-z0-9.-]`, at most 253 characters.
pub fn dns_name(prefix: &str, scope: Option<&str>) -> String {
    let raw = match scope {
        Some(s) => format!("{prefix}{s}"),
        None => format!("{prefix}default"),
    };
    let mut s = String::new();
    for c in raw.chars() {
        let c = c.to_ascii_lowercase();
        let c = if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
            c
        } else {
            '-'
        };
        if !(c == '-' && s.ends_with('-')) {
            s.push(c);
        }
    }
    let mut s: String = s.chars().take(253).collect();
    while s.ends_with(['-', '.']) {
        s.pop();
    }
    s
}

fn annotations(source: &str, place: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("policyctl/source".to_owned(), format!("{source}: {place}"))])
}

/// Scopes strictly more specific than `item` (all scopes for the fallback).
fn nested<'i, 'a>(items: &'i [Item<'a>], item: &Item<'_>) -> Vec<&'i Item<'a>> {
    items
        .iter()
        .filter(|i| match (&item.scope, &i.scope) {
            (None, Some(_)) => true,
            (Some(s), Some(t)) => pattern::parents(t).contains(s),
            _ => false,
        })
        .collect()
}

fn globs(engine: Engine, scope: Option<&str>) -> Vec<Pattern> {
    match scope {
        Some(s) => pattern::patterns(engine, s),
        None => vec![Pattern::Glob(
            if engine == Engine::PolicyController {
                "**"
            } else {
                "*"
            }
            .into(),
        )],
    }
}

fn glob_strings(p: Vec<Pattern>) -> Vec<String> {
    p.into_iter()
        .filter_map(|p| match p {
            Pattern::Glob(g) => Some(g),
            Pattern::Expression(_) => None,
        })
        .collect()
}

const REKOR_URL: &str = "https://rekor.sigstore.dev";

impl Ctx<'_> {
    fn secret_name(fingerprint: &str) -> String {
        let hex = fingerprint.strip_prefix("sha256:").unwrap_or(fingerprint);
        format!("policyctl-key-{}", hex.get(..16).unwrap_or(hex))
    }

    fn pem(&self, fingerprint: &str) -> String {
        self.keys.pem.get(fingerprint).cloned().unwrap_or_default()
    }

    /// The Fulcio CA PEM of the requirement behind a keyless root.
    fn fulcio_ca(&self, list: &RequirementList, issuer: &str, subject: &str) -> Option<String> {
        list.items.iter().find_map(|r| match &r.value {
            Requirement::SigstoreSigned(s) => match &s.trust {
                SigstoreTrust::Fulcio(f)
                    if f.value.oidc_issuer == issuer && f.value.subject_email == subject =>
                {
                    ca_bytes(self.input.files, &f.value.ca)
                        .ok()
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                }
                _ => None,
            },
            _ => None,
        })
    }

    fn secrets(&self, out: &mut Export) {
        // ImageValidatingPolicy keys are inline (`key.data`) whatever --keys says.
        if self.opts.key_refs != KeyRefs::Secret || self.opts.target == Target::Kyverno {
            return;
        }
        for (fp, pem) in &self.keys.pem {
            out.documents.push(Document::Secret(DataObject {
                api_version: "v1".into(),
                kind: "Secret".into(),
                metadata: Metadata {
                    name: Self::secret_name(fp),
                    namespace: Some(self.opts.secret_namespace.clone()),
                    annotations: BTreeMap::from([("policyctl/fingerprint".to_owned(), fp.clone())]),
                },
                data: None,
                string_data: Some(BTreeMap::from([("cosign.pub".to_owned(), pem.clone())])),
            }));
        }
    }

    // ---- policy-controller ----

    fn policy_controller(&self, items: &[Item<'_>], fallback: Option<&Item<'_>>, out: &mut Export) {
        out.warnings.push(Warning::note(
            Code::X113,
            "policy-controller",
            "only namespaces labelled policy.sigstore.dev/include=true are enforced",
        ));
        let mut docs = Vec::new();
        for item in items.iter().chain(fallback) {
            let inner = nested(items, item);
            let conflicts: Vec<&str> = inner
                .iter()
                .filter(|i| !i.gate.implies(&item.gate))
                .filter_map(|i| i.scope.as_deref())
                .collect();
            if item.scope.is_none() {
                match &item.gate {
                    Gate::Reject | Gate::Accept => {
                        let v = if item.gate == Gate::Reject {
                            "deny"
                        } else {
                            "allow"
                        };
                        out.documents.push(Document::ConfigMap(DataObject {
                            api_version: "v1".into(),
                            kind: "ConfigMap".into(),
                            metadata: Metadata {
                                name: "config-policy-controller".into(),
                                namespace: Some("cosign-system".into()),
                                annotations: annotations(self.input.source, &item.place),
                            },
                            data: Some(BTreeMap::from([(
                                "no-match-policy".to_owned(),
                                v.to_owned(),
                            )])),
                            string_data: None,
                        }));
                        continue;
                    }
                    Gate::Require { .. } => {}
                }
            }
            if !conflicts.is_empty() {
                let what = if self.opts.allow_stricter {
                    "exported anyway (--allow-stricter): those images become unadmittable unless they satisfy both"
                } else {
                    "not exported (use --allow-stricter to emit it): images it alone covers fall to no-match-policy"
                };
                out.warnings.push(Warning::loss(
                    Code::X101,
                    &item.place,
                    format!(
                        "policy-controller ANDs matching policies: images under {} would also need {}; {what}",
                        conflicts.join(", "),
                        item.gate.describe()
                    ),
                ));
                if !self.opts.allow_stricter {
                    continue;
                }
            }
            docs.extend(self.cips(item));
        }
        self.secrets(out);
        out.documents.extend(docs);
    }

    fn cips(&self, item: &Item<'_>) -> Vec<Document> {
        let images: Vec<CipImage> =
            glob_strings(globs(Engine::PolicyController, item.scope.as_deref()))
                .into_iter()
                .map(|glob| CipImage { glob })
                .collect();
        let name = dns_name("policyctl.docker.", item.scope.as_deref());
        let clauses: Vec<Vec<Authority>> = match &item.gate {
            Gate::Accept => vec![vec![static_auth("pass", None)]],
            Gate::Reject => vec![vec![static_auth(
                "fail",
                Some(format!(
                    "rejected by {} of {}",
                    item.place, self.input.source
                )),
            )]],
            Gate::Require { all_of } => all_of.iter().map(|c| self.authorities(item, c)).collect(),
        };
        let n = clauses.len();
        clauses
            .into_iter()
            .enumerate()
            .map(|(i, authorities)| {
                let name = if n == 1 {
                    name.clone()
                } else {
                    dns_name(&format!("{name}.{}", i + 1), Some(""))
                };
                Document::ClusterImagePolicy(Object {
                    api_version: "policy.sigstore.dev/v1beta1".into(),
                    kind: "ClusterImagePolicy".into(),
                    metadata: Metadata {
                        name,
                        namespace: None,
                        annotations: annotations(self.input.source, &item.place),
                    },
                    spec: CipSpec {
                        images: images.clone(),
                        authorities,
                        mode: "enforce".into(),
                    },
                })
            })
            .collect()
    }

    fn authorities(&self, item: &Item<'_>, clause: &BTreeSet<Root>) -> Vec<Authority> {
        let mut v = Vec::new();
        for (i, root) in clause.iter().enumerate() {
            let name = Some(format!("{}-{}", root_kind(root), i + 1));
            match root {
                Root::Key { fingerprint } => v.push(Authority {
                    name,
                    key: Some(KeyRef {
                        data: (self.opts.key_refs == KeyRefs::Inline)
                            .then(|| self.pem(fingerprint)),
                        secret_ref: (self.opts.key_refs == KeyRefs::Secret).then(|| SecretRef {
                            name: Self::secret_name(fingerprint),
                        }),
                        hash_algorithm: "sha256".into(),
                    }),
                    keyless: None,
                    static_: None,
                }),
                Root::Keyless { issuer, subject } => v.push(Authority {
                    name,
                    key: None,
                    // `ca-cert.data` must be a public key for the webhook, not a CA
                    // certificate: the public Fulcio root (the `url` default) is used; a
                    // private CA needs a TrustRoot resource (X108).
                    keyless: Some(Keyless {
                        ca_cert: None,
                        identities: vec![Identity {
                            issuer: issuer.clone(),
                            subject: subject.clone(),
                        }],
                    }),
                    static_: None,
                }),
                Root::Opaque { what } => {
                    return vec![static_auth(
                        "fail",
                        Some(format!(
                            "{} of {} requires {what}, which cannot be verified here",
                            item.place, self.input.source
                        )),
                    )];
                }
            }
        }
        v
    }

    // ---- OpenShift ----

    fn openshift(&self, items: &[Item<'_>], fallback: Option<&Item<'_>>, out: &mut Export) {
        if let Some(f) = fallback {
            out.warnings.push(Warning::note(
                Code::X115,
                &f.place,
                "OpenShift has no default: images no ClusterImagePolicy scope covers get the nodes' own policy.json default",
            ));
        }
        for item in items {
            let Some(scope) = &item.scope else { continue };
            let mut policies = Vec::new();
            let mut lost = None;
            for r in &item.list.items {
                match self.openshift_policy(&r.value) {
                    Ok(p) => policies.extend(p),
                    Err(why) => {
                        lost = Some(why);
                        break;
                    }
                }
            }
            if let Some(why) = lost {
                out.warnings.push(Warning::loss(
                    Code::X115,
                    &item.place,
                    format!("{why}: not exported; the nodes' default applies to these images"),
                ));
                continue;
            }
            let n = policies.len();
            for (i, policy) in policies.into_iter().enumerate() {
                let base = dns_name("policyctl.docker.", Some(scope));
                let name = if n == 1 {
                    base
                } else {
                    dns_name(&format!("{base}.{}", i + 1), Some(""))
                };
                out.documents.push(Document::OpenShiftImagePolicy(Object {
                    api_version: "config.openshift.io/v1".into(),
                    kind: "ClusterImagePolicy".into(),
                    metadata: Metadata {
                        name,
                        namespace: None,
                        annotations: annotations(self.input.source, &item.place),
                    },
                    spec: OpenShiftSpec {
                        scopes: vec![scope.clone()],
                        policy,
                    },
                }));
            }
        }
    }

    /// The OpenShift policy of one requirement (`Ok(None)`: insecureAcceptAnything adds
    /// nothing to an AND; `Err`: why it cannot be said).
    fn openshift_policy(&self, r: &Requirement) -> Result<Option<OpenShiftPolicy>, String> {
        use base64::Engine as _;
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let file = |p: &str| -> Result<Vec<u8>, String> {
            Ok(file_bytes(self.input.files, p).map_err(|e| e.0)?.to_vec())
        };
        // The CRD's CEL rules want PEM that ends with "-----END CERTIFICATE-----\n".
        let ca = |c: &CaSource| -> Result<Vec<u8>, String> {
            let mut b = ca_bytes(self.input.files, c).map_err(|e| e.0)?;
            while b.last().is_some_and(|c| c.is_ascii_whitespace()) {
                b.pop();
            }
            b.push(b'\n');
            Ok(b)
        };
        let one_key = |k: &KeySource| -> Result<Vec<u8>, String> {
            match k {
                KeySource::Path(p) => file(&p.value),
                KeySource::Data(d) => d.value.clone().ok_or_else(|| "keyData is null".to_owned()),
                KeySource::Paths(p) if p.value.len() == 1 => file(&p.value[0]),
                KeySource::Datas(d) if d.value.len() == 1 => Ok(d.value[0].clone()),
                _ => Err("several keys for one requirement (OpenShift takes one per policy, and policies for a scope are ANDed)".into()),
            }
        };
        let s = match r {
            Requirement::InsecureAcceptAnything => return Ok(None),
            Requirement::Reject => return Err("reject".into()),
            Requirement::SignedBy(_) => return Err("signedBy (GPG)".into()),
            Requirement::SignedBaseLayer { .. } => return Err("signedBaseLayer".into()),
            Requirement::SigstoreSigned(s) => s,
        };
        let rekor = s.rekor.as_ref().map(one_key).transpose()?;
        let pem = |b: Vec<u8>| crate::trust::normalized_pem(&b).into_bytes();
        let root = match &s.trust {
            SigstoreTrust::PublicKeys(k) => {
                let mut pk = serde_json::Map::new();
                pk.insert("keyData".into(), json!(b64(&pem(one_key(k)?))));
                if let Some(r) = &rekor {
                    pk.insert("rekorKeyData".into(), json!(b64(&pem(r.clone()))));
                }
                json!({"policyType": "PublicKey", "publicKey": pk})
            }
            SigstoreTrust::Fulcio(f) => {
                let Some(r) = &rekor else {
                    return Err("fulcio without a Rekor key".into());
                };
                json!({"policyType": "FulcioCAWithRekor", "fulcioCAWithRekor": {
                    "fulcioCAData": b64(&ca(&f.value.ca)?),
                    "rekorKeyData": b64(&pem(r.clone())),
                    "fulcioSubject": {"oidcIssuer": f.value.oidc_issuer, "signedEmail": f.value.subject_email},
                }})
            }
            SigstoreTrust::Pki(p) => {
                let mut pki = serde_json::Map::new();
                pki.insert("caRootsData".into(), json!(b64(&ca(&p.value.ca_roots)?)));
                if let Some(i) = &p.value.ca_intermediates {
                    pki.insert("caIntermediatesData".into(), json!(b64(&ca(i)?)));
                }
                let mut subject = serde_json::Map::new();
                if !p.value.subject_email.is_empty() {
                    subject.insert("email".into(), json!(p.value.subject_email));
                }
                if !p.value.subject_hostname.is_empty() {
                    subject.insert("hostname".into(), json!(p.value.subject_hostname));
                }
                pki.insert(
                    "pkiCertificateSubject".into(),
                    serde_json::Value::Object(subject),
                );
                json!({"policyType": "PKI", "pki": pki})
            }
        };
        let identity = match &s.signed_identity.value {
            SignedIdentity::MatchRepoDigestOrExact => {
                json!({"matchPolicy": "MatchRepoDigestOrExact"})
            }
            SignedIdentity::MatchRepository => json!({"matchPolicy": "MatchRepository"}),
            SignedIdentity::ExactRepository { docker_repository } => json!({
                "matchPolicy": "ExactRepository",
                "exactRepository": {"repository": docker_repository},
            }),
            SignedIdentity::RemapIdentity {
                prefix,
                signed_prefix,
            } => json!({
                "matchPolicy": "RemapIdentity",
                "remapIdentity": {"prefix": prefix, "signedPrefix": signed_prefix},
            }),
            other => return Err(format!("signedIdentity {}", other.type_name())),
        };
        Ok(Some(OpenShiftPolicy {
            root_of_trust: root,
            signed_identity: identity,
        }))
    }

    // ---- Kyverno ClusterPolicy ----

    fn cluster_policy(&self, items: &[Item<'_>], fallback: Option<&Item<'_>>, out: &mut Export) {
        let mut rules = Vec::new();
        for item in items.iter().chain(fallback) {
            let skip: Vec<String> = nested(items, item)
                .iter()
                .flat_map(|i| glob_strings(globs(Engine::KyvernoClusterPolicy, i.scope.as_deref())))
                .collect();
            let refs = glob_strings(globs(Engine::KyvernoClusterPolicy, item.scope.as_deref()));
            let name = rule_name(item.scope.as_deref());
            let attestors = match &item.gate {
                Gate::Accept => continue,
                Gate::Reject => None,
                Gate::Require { all_of } => all_of
                    .iter()
                    .map(|c| self.attestor_set(item, c))
                    .collect::<Option<Vec<_>>>(),
            };
            match attestors {
                Some(attestors) => rules.push(CpolRule {
                    name,
                    match_: pod_match(),
                    verify_images: vec![VerifyImage {
                        image_references: refs,
                        skip_image_references: skip,
                        failure_action: "Enforce".into(),
                        type_: "Cosign".into(),
                        mutate_digest: true,
                        verify_digest: true,
                        required: true,
                        attestors,
                    }],
                    validate: None,
                }),
                None => {
                    out.warnings.push(Warning::note(
                        Code::X102,
                        &item.place,
                        "reject is emulated with a foreach/deny rule over the raw image strings (wildcards in AnyIn/AnyNotIn); review it",
                    ));
                    let raw = |i: &Item<'_>| {
                        glob_strings(globs(Engine::KyvernoImageValidating, i.scope.as_deref()))
                    };
                    let inner: Vec<String> =
                        nested(items, item).iter().flat_map(|i| raw(i)).collect();
                    rules.push(CpolRule {
                        name,
                        match_: pod_match(),
                        verify_images: Vec::new(),
                        validate: Some(deny_rule(
                            &raw(item),
                            &inner,
                            &format!("rejected by {} of {}", item.place, self.input.source),
                        )),
                    });
                }
            }
        }
        self.secrets(out);
        if !rules.is_empty() {
            out.documents.push(Document::ClusterPolicy(Object {
                api_version: "kyverno.io/v1".into(),
                kind: "ClusterPolicy".into(),
                metadata: Metadata {
                    name: "policyctl-docker".into(),
                    namespace: None,
                    annotations: annotations(self.input.source, "transports.docker"),
                },
                spec: CpolSpec {
                    background: false,
                    failure_policy: "Fail".into(),
                    rules,
                },
            }));
        }
    }

    /// One attestor set (`count: 1`: any entry), `None` when a root is not expressible.
    fn attestor_set(&self, item: &Item<'_>, clause: &BTreeSet<Root>) -> Option<AttestorSet> {
        let rekor = || Rekor {
            url: REKOR_URL.into(),
            pubkey: None,
            ignore_tlog: true,
        };
        let mut entries = Vec::new();
        for root in clause {
            entries.push(match root {
                Root::Key { fingerprint } => AttestorEntry {
                    keys: Some(CpolKeys {
                        public_keys: (self.opts.key_refs == KeyRefs::Inline)
                            .then(|| self.pem(fingerprint)),
                        secret: (self.opts.key_refs == KeyRefs::Secret).then(|| NamespacedRef {
                            name: Self::secret_name(fingerprint),
                            namespace: self.opts.secret_namespace.clone(),
                        }),
                        signature_algorithm: "sha256".into(),
                        rekor: rekor(),
                        ctlog: CpolCtlog { ignore_sct: true },
                    }),
                    keyless: None,
                },
                Root::Keyless { issuer, subject } => AttestorEntry {
                    keys: None,
                    keyless: Some(CpolKeyless {
                        issuer: issuer.clone(),
                        subject: subject.clone(),
                        roots: self.fulcio_ca(item.list, issuer, subject),
                        rekor: rekor(),
                    }),
                },
                Root::Opaque { .. } => return None,
            });
        }
        Some(AttestorSet { count: 1, entries })
    }

    // ---- Kyverno ImageValidatingPolicy ----

    fn image_validating(&self, items: &[Item<'_>], fallback: Option<&Item<'_>>, out: &mut Export) {
        let mut docs = Vec::new();
        for item in items.iter().chain(fallback) {
            let inner = nested(items, item);
            let excluded: Vec<String> = inner
                .iter()
                .map(|i| covered_cel(i.scope.as_deref()))
                .collect();
            let filter = if excluded.is_empty() {
                String::new()
            } else {
                format!(".filter(image, !({}))", excluded.join(" || "))
            };
            let matches: Vec<ImageMatch> =
                globs(Engine::KyvernoImageValidating, item.scope.as_deref())
                    .into_iter()
                    .map(|p| match p {
                        Pattern::Glob(g) => ImageMatch {
                            glob: Some(g),
                            expression: None,
                        },
                        Pattern::Expression(e) => ImageMatch {
                            glob: None,
                            expression: Some(e),
                        },
                    })
                    .collect();
            let message = format!("{} of {}", item.place, self.input.source);
            let (attestors, validations) = match &item.gate {
                Gate::Accept => continue,
                Gate::Reject => {
                    out.warnings.push(Warning::note(
                        Code::X102,
                        &item.place,
                        "reject is emulated with a validation that fails for every matched image; review it",
                    ));
                    (
                        Vec::new(),
                        vec![Validation {
                            expression: each_container(&format!("{filter}.size() == 0")),
                            message: format!("rejected by {message}"),
                        }],
                    )
                }
                Gate::Require { all_of } => match self.ivpol_attestors(item, all_of) {
                    Some((attestors, sets)) => {
                        let validations = sets
                                .iter()
                                .map(|names| Validation {
                                    expression: each_container(
                                        &format!(
                                            "{filter}.map(image, verifyImageSignatures(image, [{}])).all(e, e > 0)",
                                            names
                                                .iter()
                                                .map(|n| format!("attestors.{n}"))
                                                .collect::<Vec<_>>()
                                                .join(", ")
                                        ),
                                    ),
                                    message: format!("no valid signature required by {message}"),
                                })
                                .collect();
                        (attestors, validations)
                    }
                    None => (
                        Vec::new(),
                        vec![Validation {
                            expression: each_container(&format!("{filter}.size() == 0")),
                            message: format!(
                                "{message} requires a signature kind Kyverno cannot verify"
                            ),
                        }],
                    ),
                },
            };
            docs.push(Document::ImageValidatingPolicy(Object {
                api_version: "policies.kyverno.io/v1".into(),
                kind: "ImageValidatingPolicy".into(),
                metadata: Metadata {
                    name: dns_name("policyctl.docker.", item.scope.as_deref()),
                    namespace: None,
                    annotations: annotations(self.input.source, &item.place),
                },
                spec: IvpolSpec {
                    validation_actions: vec!["Deny".into()],
                    match_constraints: json!({"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": ["pods"]}]}),
                    match_image_references: matches,
                    validation_configurations: json!({"mutateDigest": true, "verifyDigest": true, "required": true}),
                    attestors,
                    validations,
                },
            }));
        }
        self.secrets(out);
        out.documents.extend(docs);
    }

    /// Attestors and, per clause, the attestor names any of which suffices.
    #[allow(clippy::type_complexity)]
    fn ivpol_attestors(
        &self,
        item: &Item<'_>,
        all_of: &[BTreeSet<Root>],
    ) -> Option<(Vec<IvpolAttestor>, Vec<Vec<String>>)> {
        let mut attestors: Vec<(Root, String)> = Vec::new();
        let mut sets = Vec::new();
        let offline = json!({"insecureIgnoreTlog": true, "insecureIgnoreSCT": true});
        let mut docs = Vec::new();
        for clause in all_of {
            let mut names = Vec::new();
            for root in clause {
                if let Some((_, n)) = attestors.iter().find(|(r, _)| r == root) {
                    names.push(n.clone());
                    continue;
                }
                let name = format!("{}{}", root_kind(root), attestors.len() + 1);
                let cosign = match root {
                    Root::Key { fingerprint } => json!({
                        "key": {"data": self.pem(fingerprint), "hashAlgorithm": "sha256"},
                        "ctlog": offline,
                    }),
                    Root::Keyless { issuer, subject } => {
                        let mut k = json!({"identities": [{"issuer": issuer, "subject": subject}]});
                        if let Some(ca) = self.fulcio_ca(item.list, issuer, subject) {
                            k["roots"] = json!(ca);
                        }
                        json!({"keyless": k, "ctlog": offline})
                    }
                    Root::Opaque { .. } => return None,
                };
                docs.push(IvpolAttestor {
                    name: name.clone(),
                    cosign,
                });
                attestors.push((root.clone(), name.clone()));
                names.push(name);
            }
            sets.push(names);
        }
        Some((docs, sets))
    }
}

fn root_kind(root: &Root) -> &'static str {
    match root {
        Root::Key { .. } => "key",
        Root::Keyless { .. } => "keyless",
        Root::Opaque { .. } => "opaque",
    }
}

fn static_auth(action: &str, message: Option<String>) -> Authority {
    Authority {
        name: None,
        key: None,
        keyless: None,
        static_: Some(StaticAction {
            action: action.into(),
            message,
        }),
    }
}

fn rule_name(scope: Option<&str>) -> String {
    let mut s = dns_name("docker-", scope).replace('.', "-");
    s.truncate(63);
    while s.ends_with('-') {
        s.pop();
    }
    s
}

fn pod_match() -> serde_json::Value {
    json!({"any": [{"resources": {"kinds": ["Pod"]}}]})
}

/// A Kyverno `validate` rule denying pods with an image matching `refs` but none of `skip`.
fn deny_rule(refs: &[String], skip: &[String], message: &str) -> serde_json::Value {
    let foreach: Vec<serde_json::Value> = ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .map(|list| {
            let mut all =
                vec![json!({"key": "{{ element.image }}", "operator": "AnyIn", "value": refs})];
            if !skip.is_empty() {
                all.push(
                    json!({"key": "{{ element.image }}", "operator": "AnyNotIn", "value": skip}),
                );
            }
            json!({
                "list": format!("request.object.spec.{list} || `[]`"),
                "deny": {"conditions": {"all": all}},
            })
        })
        .collect();
    json!({"message": message, "foreach": foreach})
}

/// A CEL test that `image` (a raw pod-spec string) falls under `scope`'s patterns.
fn covered_cel(scope: Option<&str>) -> String {
    let parts: Vec<String> = globs(Engine::KyvernoImageValidating, scope)
        .into_iter()
        .map(|p| match p {
            Pattern::Glob(g) => format!("image.matches('{}')", cel_quote(&glob_regex(&g))),
            Pattern::Expression(e) => format!("({})", e.replace("ref.", "image.")),
        })
        .collect();
    parts.join(" || ")
}

/// `^…$` RE2 for one of our globs (only `*` is special in them).
pub fn glob_regex(glob: &str) -> String {
    let mut re = String::from("^");
    for c in glob.chars() {
        match c {
            '*' => re.push_str(".*"),
            c if "\\.+?()[]{}|^$".contains(c) => {
                re.push('\\');
                re.push(c);
            }
            c => re.push(c),
        }
    }
    re.push('$');
    re
}

fn cel_quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\'', "\\'")
}

/// The same check over containers, init containers and ephemeral containers.
fn each_container(tail: &str) -> String {
    ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .map(|k| format!("(!has(images.{k}) || images.{k}{tail})"))
        .collect::<Vec<_>>()
        .join(" && ")
}

#[cfg(test)]
mod tests;
