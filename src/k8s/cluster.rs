//! Cluster admission documents read back into rules: which images each rule applies to (its
//! patterns, in its engine's own matcher) and what it requires ([`Gate`]). Import turns rules
//! into `policy.json` scopes; drift detection evaluates them on probe images. Everything the
//! rules cannot carry is a warning (`I2nn`, spec §19.6) naming the file, the document and the
//! field.

use std::collections::BTreeSet;

use serde_json::Value;

use super::glob::{kyverno, policy_controller};
use super::roots::{Gate, Keyring, Root};
use super::warning::{Code, Warning};

/// Most image patterns (and skips) read from all documents.
pub const MAX_PATTERNS: usize = 5000;

/// Which matcher a rule's patterns use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    /// policy-controller globs over go-containerregistry's `Name()`.
    PolicyController,
    /// Kyverno `ClusterPolicy` wildcards over `ImageInfo.String()`.
    KyvernoClusterPolicy,
    /// Kyverno `ImageValidatingPolicy` gobwas globs (and CEL) over the raw image.
    KyvernoImageValidating,
    /// OpenShift `ClusterImagePolicy` scopes: policy.json's own lookup (most specific wins,
    /// policies of one scope ANDed, unmatched images left to the nodes' default: accept here).
    OpenShift,
}

/// An `ImageValidatingPolicy` match entry or exclusion policyctl understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// A glob in the engine's syntax.
    Glob(String),
    /// An RE2 regular expression over the raw image (from `image.matches('…')`).
    Regex(String),
    /// A go-wildcard pattern over the raw image (Kyverno's `AnyIn` with wildcards).
    RawWildcard(String),
    /// Docker Hub images written without a registry ([`super::pattern::docker_hub_expression`]).
    DockerHubShort,
}

/// One rule of one document.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The engine.
    pub engine: Engine,
    /// `file: document N (Kind name) path`.
    pub place: String,
    /// Images it applies to (any).
    pub patterns: Vec<Matcher>,
    /// Images it skips (any).
    pub skips: Vec<Matcher>,
    /// What a matched image needs.
    pub gate: Gate,
}

/// All rules read, and the policy-controller default.
#[derive(Debug, Clone, Default)]
pub struct ClusterPolicies {
    /// The rules, in document order.
    pub rules: Vec<Rule>,
    /// `no-match-policy` of a `config-policy-controller` ConfigMap (`None`: not given).
    pub no_match: Option<Gate>,
    /// What OpenShift nodes do with images no scope covers (their own policy.json default;
    /// `None`: unknown, taken as accept).
    pub node_default: Option<Gate>,
    /// Keys seen.
    pub keys: Keyring,
    /// What was lost or approximated.
    pub warnings: Vec<Warning>,
    /// Local public keys (PEM) standing for keys the documents hold elsewhere, by Secret name
    /// or KMS URI (`import --key NAME=PATH`).
    pub supplied_keys: std::collections::BTreeMap<String, Vec<u8>>,
}

/// Offline material for keyless authorities: not supported yet; keyless authorities become
/// [`Root::Opaque`] with `I205`.
impl ClusterPolicies {
    /// Reads documents of one file (`docs` as parsed by [`super::yaml::parse_documents`]).
    /// Past [`MAX_PATTERNS`] patterns in all, documents are refused (`I216`): drift probing is
    /// quadratic in them.
    pub fn add_file(&mut self, file: &str, docs: &[Value]) {
        // Secrets first: a key referenced by name may be defined further down the file.
        for doc in docs {
            if doc.get("apiVersion").and_then(Value::as_str) == Some("v1")
                && doc.get("kind").and_then(Value::as_str) == Some("Secret")
                && let Some(name) = doc.pointer("/metadata/name").and_then(Value::as_str)
            {
                let pem = doc
                    .pointer("/stringData/cosign.pub")
                    .and_then(Value::as_str)
                    .map(|s| s.as_bytes().to_vec())
                    .or_else(|| {
                        use base64::Engine;
                        let b = doc.pointer("/data/cosign.pub")?.as_str()?;
                        base64::engine::general_purpose::STANDARD.decode(b).ok()
                    });
                if let Some(pem) = pem {
                    self.supplied_keys.entry(name.to_owned()).or_insert(pem);
                }
            }
        }
        for (i, doc) in docs.iter().enumerate() {
            let patterns: usize = self
                .rules
                .iter()
                .map(|r| r.patterns.len() + r.skips.len())
                .sum();
            if patterns > MAX_PATTERNS {
                self.warnings.push(Warning::loss(
                    Code::I216,
                    format!("{file}: document {}", i + 1),
                    format!("more than {MAX_PATTERNS} image patterns in all; this and later documents are not read"),
                ));
                return;
            }
            let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
            let api = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
            let name = doc
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let place = format!("{file}: document {} ({kind} {name})", i + 1);
            let group = api.split('/').next().unwrap_or("");
            match (group, kind) {
                ("policy.sigstore.dev", "ClusterImagePolicy") => self.cip(&place, doc),
                ("kyverno.io", "ClusterPolicy" | "Policy") => self.cpol(&place, doc),
                ("policies.kyverno.io", "ImageValidatingPolicy") => self.ivpol(&place, doc),
                ("config.openshift.io", "ClusterImagePolicy") => self.openshift(&place, doc),
                ("v1", "Secret") => {}
                ("v1", "ConfigMap") if name == "config-policy-controller" => {
                    match doc.pointer("/data/no-match-policy").and_then(Value::as_str) {
                        Some("allow") => self.no_match = Some(Gate::Accept),
                        Some("warn") => {
                            self.no_match = Some(Gate::Accept);
                            self.warnings.push(Warning::loss(
                                Code::I213,
                                format!("{place} data.no-match-policy"),
                                "warn admits unmatched images with a warning; imported as accept",
                            ));
                        }
                        // Unknown values and absence mean deny (pkg/config/store.go).
                        _ => self.no_match = Some(Gate::Reject),
                    }
                }
                _ => self.warnings.push(Warning::loss(
                    Code::I216,
                    place,
                    format!("{api} {kind} is not an image policy policyctl translates; ignored"),
                )),
            }
        }
    }

    /// A loss when `v` has the field `field` (something policy.json cannot say).
    fn lost_if_present(&mut self, v: &Value, field: &str, code: Code, place: String, msg: &str) {
        if v.get(field).is_some() {
            self.warnings.push(Warning::loss(code, place, msg));
        }
    }

    /// A key held in a Secret (`secretRef.name`, `secret.name`) or KMS (`kms`): the local
    /// key supplied for that name, else `I203` (not trusted).
    fn referenced_key(&mut self, place: &str, k: &Value) -> Option<Root> {
        let name = k
            .pointer("/secretRef/name")
            .or_else(|| k.pointer("/secret/name"))
            .or_else(|| k.get("kms"))
            .and_then(Value::as_str);
        if let Some(bytes) = name.and_then(|n| self.supplied_keys.get(n)).cloned() {
            return self.key_root(place, &String::from_utf8_lossy(&bytes));
        }
        self.warnings.push(Warning::loss(
            Code::I203,
            place,
            format!(
                "a key held in a Secret or KMS ({}): no local key file (import --key NAME=PATH); not trusted",
                name.unwrap_or("no name")
            ),
        ));
        None
    }

    fn key_root(&mut self, place: &str, pem: &str) -> Option<Root> {
        match self.keys.add_pem(pem.as_bytes()) {
            Ok(r) => Some(r),
            Err(e) => {
                self.warnings.push(Warning::loss(
                    Code::I216,
                    place,
                    format!("{e}; this key is not trusted"),
                ));
                None
            }
        }
    }

    fn hash_ok(&mut self, place: &str, alg: Option<&str>) -> bool {
        match alg {
            None | Some("sha256") | Some("") => true,
            Some(other) => {
                self.warnings.push(Warning::loss(
                    Code::I204,
                    place,
                    format!("{other}: containers/image verifies SHA-256 signatures only; this key is not trusted"),
                ));
                false
            }
        }
    }

    /// A keyless authority: one identity with an exact issuer and an e-mail subject is what
    /// c/image's `fulcio` can check ([`Root::Keyless`]; whether its Fulcio CA and Rekor key are
    /// at hand is the importer's question, `I205`); anything else is `I206`.
    fn keyless(&mut self, place: &str, identities: &[Value]) -> Root {
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        if let [one] = identities
            && let (Some(issuer), Some(subject)) = (s(one, "issuer"), s(one, "subject"))
            && s(one, "issuerRegExp").is_none()
            && s(one, "subjectRegExp").is_none()
            && subject.contains('@')
            && !subject.contains("://")
        {
            return Root::Keyless { issuer, subject };
        }
        self.warnings.push(Warning::loss(
            Code::I206,
            place,
            "keyless identities other than exactly one exact issuer with an e-mail subject (regexps, URI subjects, several identities) cannot be checked by containers/image (fulcio matches one e-mail SAN); unadmittable",
        ));
        Root::Opaque {
            what: "keyless identity containers/image cannot express".into(),
        }
    }

    // ---- ClusterImagePolicy ----

    fn cip(&mut self, place: &str, doc: &Value) {
        let spec = doc.get("spec").unwrap_or(&Value::Null);
        let patterns: Vec<Matcher> = arr(spec, "images")
            .iter()
            .filter_map(|i| i.get("glob").and_then(Value::as_str))
            .map(|g| Matcher::Glob(g.to_owned()))
            .collect();
        if spec.get("mode").and_then(Value::as_str) == Some("warn") {
            self.warnings.push(Warning::loss(
                Code::I209,
                format!("{place} spec.mode"),
                "warn mode only warns; imported as enforcing",
            ));
        }
        self.lost_if_present(
            spec,
            "match",
            Code::I213,
            format!("{place} spec.match"),
            "resource selectors have no policy.json equivalent; the policy applies to every image",
        );
        self.lost_if_present(
            spec,
            "policy",
            Code::I208,
            format!("{place} spec.policy"),
            "CUE/Rego policies are not checked by containers/image",
        );
        let mut roots = BTreeSet::new();
        let mut pass = false;
        let (mut has_key, mut has_keyless) = (false, false);
        for (i, a) in arr(spec, "authorities").iter().enumerate() {
            let ap = format!("{place} spec.authorities[{i}]");
            if a.get("attestations").is_some() {
                self.warnings.push(Warning::loss(
                    Code::I208,
                    &ap,
                    "an authority with attestations checks only those attestations, which containers/image cannot; not imported",
                ));
                continue;
            }
            if a.get("source").is_some() {
                self.warnings.push(Warning::loss(
                    Code::I210,
                    &ap,
                    "signatures from another repository: containers/image reads only sha256-HEX.sig in the image's own repository",
                ));
            }
            if a.get("signatureFormat").and_then(Value::as_str) == Some("bundle") {
                self.warnings.push(Warning::loss(
                    Code::I211,
                    &ap,
                    "Sigstore bundle signatures cannot be read by containers/image",
                ));
            }
            if a.get("ctlog").is_some() || a.get("rfc3161timestamp").is_some() {
                self.warnings.push(Warning::loss(
                    Code::I212,
                    &ap,
                    "the online transparency-log / timestamp check is not imported",
                ));
            }
            if let Some(s) = a.get("static") {
                // `fail` (or anything else, refused by the webhook) adds no alternative.
                if s.get("action").and_then(Value::as_str) == Some("pass") {
                    pass = true;
                }
            } else if let Some(k) = a.get("key") {
                has_key = true;
                if !self.hash_ok(&ap, k.get("hashAlgorithm").and_then(Value::as_str)) {
                    continue;
                }
                match k.get("data").and_then(Value::as_str) {
                    Some(pem) => {
                        if let Some(r) = self.key_root(&ap, pem) {
                            roots.insert(r);
                        }
                    }
                    None => {
                        if let Some(r) = self.referenced_key(&ap, k) {
                            roots.insert(r);
                        }
                    }
                }
            } else if let Some(k) = a.get("keyless") {
                has_keyless = true;
                roots.insert(self.keyless(&ap, arr(k, "identities")));
            }
        }
        if has_key && has_keyless {
            self.warnings.push(Warning::loss(
                Code::I207,
                format!("{place} spec.authorities"),
                "key and keyless authorities are alternatives; a policy.json requirement cannot mix them",
            ));
        }
        let gate = if pass {
            Gate::Accept
        } else if roots.is_empty() {
            Gate::Reject
        } else {
            Gate::require(vec![roots])
        };
        self.rules.push(Rule {
            engine: Engine::PolicyController,
            place: place.to_owned(),
            patterns,
            skips: Vec::new(),
            gate,
        });
    }

    // ---- OpenShift ----

    fn openshift(&mut self, place: &str, doc: &Value) {
        use base64::Engine as _;
        let spec = doc.get("spec").unwrap_or(&Value::Null);
        let patterns: Vec<Matcher> = arr(spec, "scopes")
            .iter()
            .filter_map(Value::as_str)
            .map(|s| Matcher::Glob(s.to_owned()))
            .collect();
        let root = spec.pointer("/policy/rootOfTrust").unwrap_or(&Value::Null);
        let rp = format!("{place} spec.policy.rootOfTrust");
        let decoded = |v: Option<&Value>| -> Option<String> {
            let b = base64::engine::general_purpose::STANDARD
                .decode(v?.as_str()?)
                .ok()?;
            String::from_utf8(b).ok()
        };
        let s = |v: &Value, p: &str| {
            v.pointer(p)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let root = match root.get("policyType").and_then(Value::as_str) {
            Some("PublicKey") => match decoded(root.pointer("/publicKey/keyData")) {
                Some(pem) => self.key_root(&rp, &pem),
                None => None,
            },
            Some("FulcioCAWithRekor") => Some(Root::Keyless {
                issuer: s(root, "/fulcioCAWithRekor/fulcioSubject/oidcIssuer"),
                subject: s(root, "/fulcioCAWithRekor/fulcioSubject/signedEmail"),
            }),
            Some("PKI") => {
                self.warnings.push(Warning::loss(
                    Code::I216,
                    &rp,
                    "PKI roots are compared by subject only and not imported; unadmittable",
                ));
                Some(super::roots::pki_root(
                    &s(root, "/pki/pkiCertificateSubject/email"),
                    &s(root, "/pki/pkiCertificateSubject/hostname"),
                ))
            }
            _ => None,
        };
        let gate = match root {
            Some(r) => Gate::require(vec![BTreeSet::from([r])]),
            None => {
                self.warnings.push(Warning::loss(
                    Code::I216,
                    &rp,
                    "no usable root of trust; unadmittable",
                ));
                Gate::Reject
            }
        };
        self.rules.push(Rule {
            engine: Engine::OpenShift,
            place: place.to_owned(),
            patterns,
            skips: Vec::new(),
            gate,
        });
    }

    // ---- Kyverno ClusterPolicy ----

    fn cpol(&mut self, place: &str, doc: &Value) {
        let spec = doc.get("spec").unwrap_or(&Value::Null);
        let spec_audit = spec
            .get("validationFailureAction")
            .and_then(Value::as_str)
            .is_none_or(|a| a.eq_ignore_ascii_case("audit"));
        for (ri, rule) in arr(spec, "rules").iter().enumerate() {
            let rp = format!("{place} spec.rules[{ri}]");
            if let Some(v) = rule.get("validate") {
                match deny_images(v) {
                    Some((patterns, skips)) => self.rules.push(Rule {
                        engine: Engine::KyvernoClusterPolicy,
                        place: format!("{rp}.validate"),
                        patterns,
                        skips,
                        gate: Gate::Reject,
                    }),
                    None => self.warnings.push(Warning::loss(
                        Code::I208,
                        format!("{rp}.validate"),
                        "validate rules other than an image deny list are not translated",
                    )),
                }
            }
            if rule.get("exclude").is_some() || has_selectors(rule.get("match")) {
                self.warnings.push(Warning::loss(
                    Code::I213,
                    format!("{rp}.match"),
                    "resource/namespace selectors have no policy.json equivalent",
                ));
            }
            for (vi, v) in arr(rule, "verifyImages").iter().enumerate() {
                let vp = format!("{rp}.verifyImages[{vi}]");
                self.verify_image(&vp, v, spec_audit);
            }
        }
    }

    fn verify_image(&mut self, vp: &str, v: &Value, spec_audit: bool) {
        // Rule-level failureAction, else the deprecated spec-level one (default Audit).
        let audit = match v.get("failureAction").and_then(Value::as_str) {
            Some(a) => a.eq_ignore_ascii_case("audit"),
            None => spec_audit,
        };
        if audit {
            self.warnings.push(Warning::loss(
                Code::I209,
                vp,
                "Audit only reports; imported as enforcing",
            ));
        }
        let typ = v.get("type").and_then(Value::as_str).unwrap_or("Cosign");
        let strs = |k: &str| -> Vec<Matcher> {
            arr(v, k)
                .iter()
                .filter_map(Value::as_str)
                .map(|s| Matcher::Glob(s.to_owned()))
                .collect()
        };
        let mut patterns = strs("imageReferences");
        if let Some(img) = v.get("image").and_then(Value::as_str) {
            patterns.push(Matcher::Glob(img.to_owned()));
        }
        let skips = strs("skipImageReferences");
        self.lost_if_present(
            v,
            "attestations",
            Code::I208,
            format!("{vp}.attestations"),
            "attestation conditions are not checked by containers/image",
        );
        self.lost_if_present(v, "repository", Code::I210, format!("{vp}.repository"), "signatures from another repository: containers/image reads only the image's own repository");
        let gate = match typ {
            "Notary" => {
                self.warnings.push(Warning::loss(
                    Code::I216,
                    vp,
                    "Notary signatures cannot be verified by containers/image; unadmittable",
                ));
                Gate::Reject
            }
            _ => {
                if typ == "SigstoreBundle" {
                    self.warnings.push(Warning::loss(
                        Code::I211,
                        vp,
                        "Sigstore bundle signatures cannot be read by containers/image",
                    ));
                }
                let mut clauses = Vec::new();
                for (si, set) in arr(v, "attestors").iter().enumerate() {
                    clauses.extend(self.attestor_set(&format!("{vp}.attestors[{si}]"), set));
                }
                if let Some(k) = v.get("key").and_then(Value::as_str) {
                    for pem in split_pem(k) {
                        if let Some(r) = self.key_root(vp, &pem) {
                            clauses.push(BTreeSet::from([r]));
                        }
                    }
                }
                if clauses.is_empty() {
                    Gate::Reject
                } else {
                    Gate::require(clauses)
                }
            }
        };
        self.rules.push(Rule {
            engine: Engine::KyvernoClusterPolicy,
            place: vp.to_owned(),
            patterns,
            skips,
            gate,
        });
    }

    /// One `attestors[]` set as clauses: `count` unset ⇒ every entry (one clause each),
    /// `count: 1` ⇒ any (one clause).
    fn attestor_set(&mut self, sp: &str, set: &Value) -> Vec<BTreeSet<Root>> {
        let mut alts: Vec<Option<Root>> = Vec::new();
        for (ei, e) in arr(set, "entries").iter().enumerate() {
            let ep = format!("{sp}.entries[{ei}]");
            if let Some(k) = e.get("keys") {
                let rekor_on = !k
                    .pointer("/rekor/ignoreTlog")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                if rekor_on {
                    self.warnings.push(Warning::loss(
                        Code::I212,
                        format!("{ep}.keys.rekor"),
                        "Kyverno requires a transparency-log entry (checked online) unless rekor.ignoreTlog is true; policy.json does not",
                    ));
                }
                if !self.hash_ok(&ep, k.get("signatureAlgorithm").and_then(Value::as_str)) {
                    alts.push(None);
                    continue;
                }
                match k.get("publicKeys").and_then(Value::as_str) {
                    Some(pks) => {
                        let pems = split_pem(pks);
                        if pems.is_empty() {
                            alts.push(None);
                        }
                        for pem in pems {
                            alts.push(self.key_root(&ep, &pem));
                        }
                    }
                    None => {
                        let r = self.referenced_key(&ep, k);
                        alts.push(r);
                    }
                }
            } else if let Some(k) = e.get("keyless") {
                // A ClusterPolicy keyless entry is one identity, written inline.
                alts.push(Some(self.keyless(&ep, std::slice::from_ref(k))));
            } else {
                self.warnings.push(Warning::loss(
                    Code::I216,
                    &ep,
                    "certificates / nested attestors are not translated; unadmittable",
                ));
                alts.push(None);
            }
        }
        let n = alts.len();
        let count = set.get("count").and_then(Value::as_u64);
        match count {
            Some(1) => vec![alts.into_iter().flatten().collect()],
            Some(c) if (c as usize) < n => {
                self.warnings.push(Warning::loss(
                    Code::I214,
                    format!("{sp}.count"),
                    format!("{c} of {n} entries: policy.json can say any or all; imported as all"),
                ));
                alts.into_iter().map(|a| a.into_iter().collect()).collect()
            }
            _ => alts.into_iter().map(|a| a.into_iter().collect()).collect(),
        }
    }

    // ---- ImageValidatingPolicy ----

    fn ivpol(&mut self, place: &str, doc: &Value) {
        let spec = doc.get("spec").unwrap_or(&Value::Null);
        let actions: Vec<&str> = arr(spec, "validationActions")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if !actions.contains(&"Deny") {
            self.warnings.push(Warning::loss(
                Code::I209,
                format!("{place} spec.validationActions"),
                "without Deny the policy only audits or warns; imported as enforcing",
            ));
        }
        self.lost_if_present(
            spec,
            "matchConditions",
            Code::I213,
            format!("{place} spec.matchConditions"),
            "match conditions have no policy.json equivalent",
        );
        self.lost_if_present(
            spec,
            "attestations",
            Code::I208,
            format!("{place} spec.attestations"),
            "attestation checks are not performed by containers/image",
        );
        let mut patterns = Vec::new();
        for (i, m) in arr(spec, "matchImageReferences").iter().enumerate() {
            if let Some(g) = m.get("glob").and_then(Value::as_str) {
                patterns.push(Matcher::Glob(g.to_owned()));
            } else if let Some(e) = m.get("expression").and_then(Value::as_str) {
                if e == super::pattern::docker_hub_expression() {
                    patterns.push(Matcher::DockerHubShort);
                } else {
                    self.warnings.push(Warning::loss(
                        Code::I202,
                        format!("{place} spec.matchImageReferences[{i}]"),
                        "a CEL expression policyctl does not recognize; ignored",
                    ));
                }
            }
        }
        // Attestors by name.
        let mut by_name: Vec<(String, Option<Root>)> = Vec::new();
        for (i, a) in arr(spec, "attestors").iter().enumerate() {
            let ap = format!("{place} spec.attestors[{i}]");
            let name = a
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let root = if let Some(c) = a.get("cosign") {
                let tlog_ignored = c
                    .pointer("/ctlog/insecureIgnoreTlog")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                if !tlog_ignored {
                    self.warnings.push(Warning::loss(
                        Code::I212,
                        format!("{ap}.cosign.ctlog"),
                        "Kyverno requires a transparency-log entry unless insecureIgnoreTlog is true; policy.json does not",
                    ));
                }
                if let Some(k) = c.get("key") {
                    if !self.hash_ok(&ap, k.get("hashAlgorithm").and_then(Value::as_str)) {
                        None
                    } else if let Some(pem) = k.get("data").and_then(Value::as_str) {
                        self.key_root(&ap, pem)
                    } else {
                        self.referenced_key(&ap, k)
                    }
                } else if let Some(k) = c.get("keyless") {
                    Some(self.keyless(&ap, arr(k, "identities")))
                } else {
                    self.warnings.push(Warning::loss(
                        Code::I216,
                        &ap,
                        "certificate attestors are not translated; unadmittable",
                    ));
                    None
                }
            } else {
                self.warnings.push(Warning::loss(
                    Code::I216,
                    &ap,
                    "Notary attestors cannot be verified by containers/image; unadmittable",
                ));
                None
            };
            by_name.push((name, root));
        }
        let mut clauses = Vec::new();
        let mut skips = Vec::new();
        let mut recognized = false;
        for (i, v) in arr(spec, "validations").iter().enumerate() {
            let vp = format!("{place} spec.validations[{i}]");
            let expr = v.get("expression").and_then(Value::as_str).unwrap_or("");
            match parse_validation(expr) {
                Some(parsed) => {
                    recognized = true;
                    for s in parsed.skips {
                        if !skips.contains(&s) {
                            skips.push(s);
                        }
                    }
                    match parsed.attestors {
                        None => clauses.push(BTreeSet::new()),
                        Some(names) => {
                            let clause: BTreeSet<Root> = names
                                .iter()
                                .filter_map(|n| {
                                    by_name
                                        .iter()
                                        .find(|(m, _)| m == n)
                                        .and_then(|(_, r)| r.clone())
                                })
                                .collect();
                            if parsed.all {
                                for r in clause {
                                    clauses.push(BTreeSet::from([r]));
                                }
                                if names
                                    .iter()
                                    .any(|n| !by_name.iter().any(|(m, r)| m == n && r.is_some()))
                                {
                                    clauses.push(BTreeSet::new());
                                }
                            } else {
                                clauses.push(clause);
                            }
                        }
                    }
                }
                None => self.warnings.push(Warning::loss(
                    Code::I208,
                    vp,
                    "a CEL validation policyctl does not recognize; ignored",
                )),
            }
        }
        let gate = if !recognized {
            // Nothing understood: fail closed.
            Gate::Reject
        } else {
            Gate::require(clauses)
        };
        self.rules.push(Rule {
            engine: Engine::KyvernoImageValidating,
            place: place.to_owned(),
            patterns,
            skips,
            gate,
        });
    }

    /// The gate the cluster applies to `image` (as written in a pod spec), under the rules of
    /// `engine` (see [`CompiledCluster::gate_for`]; compile once to ask for many images).
    pub fn gate_for(&self, engine: Engine, image: &str) -> Result<Gate, ImageMatchError> {
        self.compile().gate_for(engine, image)
    }

    /// The rules with their patterns compiled.
    pub fn compile(&self) -> CompiledCluster<'_> {
        let c = |engine: Engine, ms: &[Matcher]| -> Vec<Compiled> {
            // The regexps of a rule are tried together (one automaton); any-match order does
            // not matter for them, and one that does not compile keeps them separate.
            let res: Vec<&str> = ms
                .iter()
                .filter_map(|m| match m {
                    Matcher::Regex(r) => Some(r.as_str()),
                    _ => None,
                })
                .collect();
            let set = (res.len() > 1)
                .then(|| regex::RegexSet::new(&res).ok())
                .flatten();
            let mut out: Vec<Compiled> = ms
                .iter()
                .filter(|m| set.is_none() || !matches!(m, Matcher::Regex(_)))
                .map(|m| Compiled::new(engine, m))
                .collect();
            if let Some(set) = set {
                out.push(Compiled::RegexSet(set));
            }
            out
        };
        CompiledCluster {
            cluster: self,
            rules: self
                .rules
                .iter()
                .map(|r| (c(r.engine, &r.patterns), c(r.engine, &r.skips)))
                .collect(),
        }
    }
}

crate::message_error!(
    /// An image (or pattern) one engine's matcher cannot handle.
    ImageMatchError
);

/// One pattern, compiled for its engine (a compile error is kept and reported when the
/// pattern is reached, as the engine would).
enum Compiled {
    Pc(Result<policy_controller::Glob, String>),
    Wildcard(String),
    /// The glob and the literal text before its first special character (a fast reject).
    Gobwas(Result<kyverno::GobwasGlob, String>, String),
    RawWildcard(String),
    Regex(Result<regex::Regex, String>),
    RegexSet(regex::RegexSet),
    DockerHubShort,
    /// A policy.json docker scope (OpenShift).
    Scope(String),
}

impl Compiled {
    fn new(engine: Engine, m: &Matcher) -> Compiled {
        match (engine, m) {
            (Engine::PolicyController, Matcher::Glob(g)) => {
                Compiled::Pc(policy_controller::Glob::compile(g).map_err(|e| e.to_string()))
            }
            (Engine::KyvernoClusterPolicy, Matcher::Glob(g)) => Compiled::Wildcard(g.clone()),
            (Engine::KyvernoImageValidating, Matcher::Glob(g)) => {
                let literal: String = g
                    .chars()
                    // Conservatively: characters gobwas treats literally everywhere.
                    .take_while(|c| c.is_ascii_alphanumeric() || "./:@-_".contains(*c))
                    .collect();
                Compiled::Gobwas(
                    kyverno::GobwasGlob::compile(g).map_err(|e| e.to_string()),
                    literal,
                )
            }
            (Engine::OpenShift, Matcher::Glob(scope)) => Compiled::Scope(scope.clone()),
            (_, Matcher::RawWildcard(p)) => Compiled::RawWildcard(p.clone()),
            (_, Matcher::Regex(re)) => {
                Compiled::Regex(regex::Regex::new(re).map_err(|e| e.to_string()))
            }
            (_, Matcher::DockerHubShort) => Compiled::DockerHubShort,
        }
    }
}

/// An image and the spellings the engines match against, computed once.
struct Subject<'i> {
    raw: &'i str,
    /// go-containerregistry `Name()` (policy-controller).
    name: std::cell::OnceCell<Result<String, String>>,
    /// Kyverno `ImageInfo.String()`.
    info: std::cell::OnceCell<Result<String, String>>,
}

impl Subject<'_> {
    fn name(&self) -> Result<&str, ImageMatchError> {
        self.name
            .get_or_init(|| policy_controller::reference_name(self.raw).map_err(|e| e.to_string()))
            .as_deref()
            .map_err(|e| ImageMatchError(e.clone()))
    }

    fn info(&self) -> Result<&str, ImageMatchError> {
        self.info
            .get_or_init(|| {
                kyverno::image_info_string(self.raw, &kyverno::RegistryConfig::default())
                    .map_err(|e| e.to_string())
            })
            .as_deref()
            .map_err(|e| ImageMatchError(e.clone()))
    }
}

/// [`ClusterPolicies`] with compiled patterns.
pub struct CompiledCluster<'c> {
    cluster: &'c ClusterPolicies,
    /// Per rule: compiled patterns and skips.
    rules: Vec<(Vec<Compiled>, Vec<Compiled>)>,
}

impl CompiledCluster<'_> {
    /// The gate the cluster applies to `image` (as written in a pod spec), under the rules of
    /// `engine`: AND of every matching rule; with none, policy-controller's `no-match-policy`
    /// (default deny) or Kyverno's pass. `Err`: the image does not parse for that engine.
    pub fn gate_for(&self, engine: Engine, image: &str) -> Result<Gate, ImageMatchError> {
        let subject = Subject {
            raw: image,
            name: std::cell::OnceCell::new(),
            info: std::cell::OnceCell::new(),
        };
        if engine == Engine::OpenShift {
            return self.openshift_gate(image);
        }
        let mut gate = Gate::Accept;
        let mut matched = false;
        for (r, (patterns, skips)) in self.cluster.rules.iter().zip(&self.rules) {
            if r.engine != engine {
                continue;
            }
            if any_match(patterns, &subject)? && !any_match(skips, &subject)? {
                matched = true;
                gate = gate.and(r.gate.clone());
            }
        }
        if !matched && engine == Engine::PolicyController {
            return Ok(self.cluster.no_match.clone().unwrap_or(Gate::Reject));
        }
        Ok(gate)
    }
}

impl CompiledCluster<'_> {
    /// policy.json's lookup over the OpenShift scopes: the image's identity, then its
    /// namespaces; the first present wins and every policy of that scope applies.
    fn openshift_gate(&self, image: &str) -> Result<Gate, ImageMatchError> {
        use crate::reference::transport::{ImageRef, docker_identity};
        let (_, r) = ImageRef::parse(&format!("docker://{image}"), crate::compat::Compat::Current)
            .map_err(|e| ImageMatchError(e.to_string()))?;
        let Some(named) = r.docker_reference() else {
            return Err(ImageMatchError(format!("{image}: not a docker reference")));
        };
        let id = docker_identity(named);
        for key in std::iter::once(&id.identity).chain(&id.namespaces) {
            let mut gate = None::<Gate>;
            for (rule, (patterns, _)) in self.cluster.rules.iter().zip(&self.rules) {
                if rule.engine == Engine::OpenShift
                    && patterns
                        .iter()
                        .any(|p| matches!(p, Compiled::Scope(s) if s == key))
                {
                    gate = Some(gate.unwrap_or(Gate::Accept).and(rule.gate.clone()));
                }
            }
            if let Some(g) = gate {
                return Ok(g);
            }
        }
        Ok(self.cluster.node_default.clone().unwrap_or(Gate::Accept))
    }
}

fn any_match(ms: &[Compiled], s: &Subject<'_>) -> Result<bool, ImageMatchError> {
    let err = |e: &String| ImageMatchError(e.clone());
    for m in ms {
        let hit = match m {
            // glob.Match: Name() first, then (deprecated fallback) the raw string.
            Compiled::Pc(g) => {
                let g = g.as_ref().map_err(err)?;
                let name = s.name()?;
                g.is_match(name) || (name != s.raw && g.is_match(s.raw))
            }
            Compiled::Wildcard(p) => kyverno::wildcard_match(p, s.info()?),
            Compiled::Gobwas(g, literal) => {
                let g = g.as_ref().map_err(err)?;
                s.raw.starts_with(literal.as_str()) && g.is_match(s.raw)
            }
            Compiled::RawWildcard(p) => kyverno::wildcard_match(p, s.raw),
            Compiled::Regex(re) => re.as_ref().map_err(err)?.is_match(s.raw),
            Compiled::RegexSet(set) => set.is_match(s.raw),
            Compiled::Scope(_) => false,
            Compiled::DockerHubShort => {
                !s.raw.contains('/')
                    || s.raw
                        .split('/')
                        .next()
                        .is_some_and(|first| !first.contains(['.', ':']) && first != "localhost")
            }
        };
        if hit {
            return Ok(true);
        }
    }
    Ok(false)
}

fn arr<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Whether a Kyverno `match` narrows the rule with resource/namespace selectors (any of these
/// keys, at any depth; the document's nesting is already bounded by the YAML reader).
fn has_selectors(m: Option<&Value>) -> bool {
    const SELECTORS: [&str; 7] = [
        "namespaceSelector",
        "selector",
        "namespaces",
        "names",
        "subjects",
        "roles",
        "clusterRoles",
    ];
    let mut stack: Vec<&Value> = m.into_iter().collect();
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(o) => {
                if o.keys().any(|k| SELECTORS.contains(&k.as_str())) {
                    return true;
                }
                stack.extend(o.values());
            }
            Value::Array(a) => stack.extend(a),
            _ => {}
        }
    }
    false
}

/// The image deny rule policyctl writes for `reject` (`foreach` over the pod's container
/// lists, `deny` when `{{ element.image }}` is `AnyIn` the scope's raw patterns and `AnyNotIn`
/// the nested scopes'): its patterns and skips.
fn deny_images(validate: &Value) -> Option<(Vec<Matcher>, Vec<Matcher>)> {
    let foreach = validate.get("foreach")?.as_array()?;
    let mut patterns = Vec::new();
    let mut skips = Vec::new();
    for f in foreach {
        let all = f.pointer("/deny/conditions/all")?.as_array()?;
        for c in all {
            if c.get("key")?.as_str()? != "{{ element.image }}" {
                return None;
            }
            let values: Vec<Matcher> = c
                .get("value")?
                .as_array()?
                .iter()
                .map(|v| v.as_str().map(|s| Matcher::RawWildcard(s.to_owned())))
                .collect::<Option<_>>()?;
            let target = match c.get("operator")?.as_str()? {
                "AnyIn" => &mut patterns,
                "AnyNotIn" => &mut skips,
                _ => return None,
            };
            for v in values {
                if !target.contains(&v) {
                    target.push(v);
                }
            }
        }
    }
    (!patterns.is_empty()).then_some((patterns, skips))
}

/// The PEM blocks of a string (several in Kyverno `publicKeys` are several entries).
pub fn split_pem(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in s.lines() {
        let t = line.trim();
        if t.starts_with("-----BEGIN ") {
            cur.clear();
        }
        cur.push_str(t);
        cur.push('\n');
        if t.starts_with("-----END ") {
            out.push(std::mem::take(&mut cur));
        }
    }
    out
}

/// A validation expression of the shapes policyctl writes or upstream documents.
#[derive(Debug, Default, PartialEq)]
struct ParsedValidation {
    /// Exclusions of the `.filter(image, !(...))`.
    skips: Vec<Matcher>,
    /// Attestor names of `verifyImageSignatures(image, [attestors.a, ...])` (`None`: the
    /// rejecting shape `.size() == 0`).
    attestors: Option<Vec<String>>,
    /// `e == N` (all) rather than `e > 0` (any).
    all: bool,
}

fn parse_validation(expr: &str) -> Option<ParsedValidation> {
    let mut p = ParsedValidation::default();
    let mut s = expr;
    // Exclusions: every image.matches('…') and the Docker Hub short form inside a filter.
    if let Some(f) = expr.find(".filter(image, !(") {
        let rest = &expr[f..];
        let end = rest.find(")).")?;
        let inner = &rest[..end];
        let mut t = inner;
        while let Some(i) = t.find("image.matches('") {
            let after = &t[i + "image.matches('".len()..];
            let close = after.find("')")?;
            let re = after[..close].replace("\\\\", "\\").replace("\\'", "'");
            p.skips.push(Matcher::Regex(re));
            t = &after[close..];
        }
        if inner.contains("image.matches('^[^/]+$')") {
            p.skips.retain(|m| *m != Matcher::Regex("^[^/]+$".into()));
            p.skips.retain(|m| *m != Matcher::Regex("^[^/.:]+/".into()));
            p.skips.push(Matcher::DockerHubShort);
        }
        s = &expr[f..];
    }
    if let Some(i) = s.find("verifyImageSignatures(image, [") {
        let after = &s[i + "verifyImageSignatures(image, [".len()..];
        let close = after.find(']')?;
        let names: Vec<String> = after[..close]
            .split(',')
            .map(|n| n.trim().strip_prefix("attestors.").unwrap_or("").to_owned())
            .collect();
        if names.iter().any(String::is_empty) {
            return None;
        }
        let tail = &after[close..];
        if tail.contains("e > 0") {
            p.all = false;
        } else if tail.contains(&format!("e == {}", names.len())) {
            p.all = true;
        } else {
            return None;
        }
        p.attestors = Some(names);
        Some(p)
    } else if s.contains(".size() == 0") {
        Some(p)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_shapes() {
        let v = parse_validation(
            "images.containers.map(image, verifyImageSignatures(image, [attestors.a, attestors.b])).all(e, e > 0)",
        )
        .unwrap();
        assert_eq!(v.attestors, Some(vec!["a".into(), "b".into()]));
        assert!(!v.all);
        let v = parse_validation(
            "images.containers.map(image, verifyImageSignatures(image, [attestors.a, attestors.b])).all(e, e == 2)",
        )
        .unwrap();
        assert!(v.all);
        assert!(parse_validation("images.containers.all(i, i.startsWith('x'))").is_none());
        let v = parse_validation(
            "(!has(images.containers) || images.containers.filter(image, !(image.matches('^ghcr\\\\.io/a/b$'))).size() == 0)",
        )
        .unwrap();
        assert_eq!(v.skips, vec![Matcher::Regex("^ghcr\\.io/a/b$".into())]);
        assert_eq!(v.attestors, None);
    }

    #[test]
    fn pem_split() {
        let two = "-----BEGIN PUBLIC KEY-----\nAA\n-----END PUBLIC KEY-----\n  -----BEGIN PUBLIC KEY-----\n  BB\n  -----END PUBLIC KEY-----";
        assert_eq!(split_pem(two).len(), 2);
    }
}

/// The deterministic part of the `k8s_manifest` fuzz target: every upstream example and the
/// vendor manifests, byte-mutated, through reader, webhook rules, import and cluster lookup.
#[cfg(test)]
mod mutation_smoke {
    use super::*;

    fn inputs() -> Vec<String> {
        let mut out = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/k8s"
        ))];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() && !p.ends_with("crds") {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "yaml") {
                    out.push(std::fs::read_to_string(&p).unwrap());
                }
            }
        }
        assert!(out.len() > 20, "{}", out.len());
        out
    }

    #[test]
    fn mutated_manifests_never_panic() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for text in inputs() {
            for _ in 0..40 {
                let mut b = text.clone().into_bytes();
                for _ in 0..(1 + next() % 4) {
                    let i = (next() as usize) % b.len().max(1);
                    match next() % 4 {
                        0 => b[i] = b"*?[{:/@ -\n\"'&!|>"[(next() % 16) as usize],
                        1 => {
                            b.remove(i);
                        }
                        2 => b.insert(i, b' '),
                        _ => b.truncate(i),
                    }
                    if b.is_empty() {
                        break;
                    }
                }
                let Ok(t) = std::str::from_utf8(&b) else {
                    continue;
                };
                let Ok(docs) = crate::k8s::yaml::parse_documents(t) else {
                    continue;
                };
                for d in &docs {
                    let _ = crate::k8s::webhook::validate(d);
                }
                let mut cp = ClusterPolicies::default();
                cp.add_file("m.yaml", &docs);
                let plan = crate::k8s::import::import(
                    &cp,
                    crate::k8s::import::DefaultChoice::Reject,
                    true,
                    true,
                );
                for s in &plan.scopes {
                    let _ = crate::k8s::import::cluster_gate(&cp, &s.scope);
                }
            }
        }
    }
}

#[cfg(test)]
mod compiled_tests {
    use super::*;

    /// The compiled matchers (fast paths, regexp sets) answer as the plain matchers do.
    #[test]
    fn compiled_matchers_equal_the_plain_ones() {
        let patterns = [
            "ghcr.io/armorred/*",
            "ghcr.io/armorred",
            "ghcr.io/*/app",
            "*.example.com/*",
            "gh?r.io/*",
            "ghcr.io/[ab]*",
            "{ghcr,quay}.io/*",
            "docker.io/library/busybox:*",
            "index.docker.io/**",
            "**",
            "*",
            "ghcr.io/a\\*",
            "[",
        ];
        let images = [
            "ghcr.io/armorred/app:1",
            "ghcr.io/armorred",
            "ghcr.io/x/app",
            "quay.io/a",
            "registry.example.com/x",
            "busybox",
            "docker.io/library/busybox:1",
            "ghcr.io/a*",
            "ghcr.io/bob",
            "ghcr.io/a:1",
        ];
        for (engine, plain) in [
            (
                Engine::PolicyController,
                (|p: &str, i: &str| policy_controller::glob_match(p, i).map_err(|_| ()))
                    as fn(&str, &str) -> Result<bool, ()>,
            ),
            (Engine::KyvernoImageValidating, |p, i| {
                kyverno::image_validating_glob_match(p, i).map_err(|_| ())
            }),
            (Engine::KyvernoClusterPolicy, |p, i| {
                kyverno::cluster_policy_matches(&[p], i, &kyverno::RegistryConfig::default())
                    .map_err(|_| ())
            }),
        ] {
            for p in patterns {
                let cp = ClusterPolicies {
                    rules: vec![Rule {
                        engine,
                        place: String::new(),
                        patterns: vec![Matcher::Glob(p.into())],
                        skips: vec![
                            Matcher::Regex("^quay\\.io/".into()),
                            Matcher::Regex("^ghcr\\.io/bob$".into()),
                        ],
                        gate: Gate::Reject,
                    }],
                    no_match: Some(Gate::Accept),
                    ..ClusterPolicies::default()
                };
                let cc = cp.compile();
                for i in images {
                    let skipped = i.starts_with("quay.io/") || i == "ghcr.io/bob";
                    let want = plain(p, i).map(|m| {
                        if m && !skipped {
                            Gate::Reject
                        } else {
                            // no-match-policy allow / Kyverno's pass
                            Gate::Accept
                        }
                    });
                    let got = cc.gate_for(engine, i).map_err(|_| ());
                    assert_eq!(got, want, "{engine:?} {p:?} {i:?}");
                }
            }
        }
    }
}

#[cfg(test)]
mod selector_tests {
    use super::*;

    #[test]
    fn selectors_are_keys_not_values() {
        let with =
            serde_json::json!({"any": [{"resources": {"kinds": ["Pod"], "namespaces": ["prod"]}}]});
        assert!(has_selectors(Some(&with)));
        let value_only =
            serde_json::json!({"any": [{"resources": {"kinds": ["names", "selector"]}}]});
        assert!(!has_selectors(Some(&value_only)));
        assert!(!has_selectors(None));
    }
}
