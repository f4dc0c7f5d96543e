//! Kubernetes admission policies → `policy.json` scopes, `registries.d` entries and key files
//! (spec §19.6).
//!
//! Each image pattern becomes the `docker` scope it denotes (`ghcr.io/armorred/**` →
//! `ghcr.io/armorred`), and the scope's requirements are what the cluster — every document
//! given, all engines together — decides for a probe image of that scope
//! ([`ClusterPolicies::gate_for`]): that folds "all matching policies must pass", Kyverno's
//! skips and `count` into the single list `policy.json` applies. Patterns with no exact scope
//! are reported (`I201`, `I202`) and the drift check ([`super::drift`]) then compares the
//! result on many more images.

use std::collections::BTreeMap;

use super::cluster::{ClusterPolicies, CompiledCluster, Engine, ImageMatchError, Matcher};
use super::roots::{Gate, Root};
use super::warning::{Code, Warning};
use crate::json::tree::Node;
use crate::reference::docker::Named;

/// What the imported policy's `default` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultChoice {
    /// `reject`, unless a `config-policy-controller` ConfigMap says `allow` (the cluster's
    /// own answer when it is a deny; Kyverno's "admit unmatched images" is not copied).
    Reject,
    /// Exactly what the cluster does for an image no policy matches.
    Cluster,
}

/// Offline Fulcio material for keyless identities (c/image's `fulcio` needs both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulcioFiles {
    /// `caPath`: the Fulcio CA certificates (PEM).
    pub ca_path: String,
    /// `rekorPublicKeyPath`: the Rekor public key.
    pub rekor_key_path: String,
}

/// A scope and what it requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedScope {
    /// The `docker` scope.
    pub scope: String,
    /// Its gate.
    pub gate: Gate,
}

/// The import result (pure; the command writes it).
#[derive(Debug, Clone)]
pub struct Import {
    /// The global default.
    pub default: Gate,
    /// Docker scopes, sorted.
    pub scopes: Vec<ImportedScope>,
    /// Warnings (those of reading the documents first).
    pub warnings: Vec<Warning>,
}

/// How much of a scope a pattern covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    /// Repositories below it.
    Nested,
    /// Its tags.
    Tags,
    /// Its digests.
    Digests,
    /// The untagged name (raw strings only).
    Bare,
}

/// The scope a glob denotes, or why none.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Denotes {
    /// Every image (`**`, Kyverno `*`).
    Everything,
    /// A scope and which part of it.
    Scope(String, Part),
    /// An exact scope (host, wildcard domain, tag, digest).
    Exact(String),
    /// Nothing exact.
    Approx,
}

fn normalize_repo(prefix: &str) -> Option<String> {
    let n = Named::parse_normalized(prefix).ok()?;
    if n.tag().is_some() || n.digest().is_some() {
        return None;
    }
    Some(n.name())
}

fn is_host(s: &str) -> bool {
    !s.contains('/') && (s.contains(['.', ':']) || s == "localhost")
}

fn literal(s: &str) -> bool {
    !s.contains(['*', '?', '[', '{', '\\'])
}

/// What `glob` denotes under `engine`'s matcher.
fn denotes(engine: Engine, glob: &str) -> Denotes {
    if engine == Engine::OpenShift {
        return Denotes::Exact(glob.to_owned());
    }
    let deep = if engine == Engine::PolicyController {
        "/**"
    } else {
        "/*"
    };
    if glob == "**" || (engine != Engine::PolicyController && glob == "*") {
        return Denotes::Everything;
    }
    if let Some(p) = glob.strip_suffix(deep).filter(|p| literal(p)) {
        if is_host(p) {
            let p = if p == "index.docker.io" {
                "docker.io"
            } else {
                p
            };
            return Denotes::Exact(p.to_owned());
        }
        return normalize_repo(p).map_or(Denotes::Approx, |n| Denotes::Scope(n, Part::Nested));
    }
    // `*.D/**` and `*.D:*/**` (policy-controller), `*.D/*`, `*.D:*` (Kyverno).
    if let Some(rest) = glob.strip_prefix("*.") {
        let d = rest
            .strip_suffix(":*/**")
            .or_else(|| rest.strip_suffix(":*/*"))
            .or_else(|| rest.strip_suffix(deep));
        if let Some(d) = d.filter(|d| literal(d) && !d.contains('/')) {
            return Denotes::Exact(format!("*.{d}"));
        }
        return Denotes::Approx;
    }
    if let Some(p) = glob.strip_suffix(":*").filter(|p| literal(p)) {
        return normalize_repo(p).map_or(Denotes::Approx, |n| Denotes::Scope(n, Part::Tags));
    }
    if let Some(p) = glob.strip_suffix("@*").filter(|p| literal(p)) {
        if let Some((repo, tag)) = p.rsplit_once(':').filter(|(r, _)| r.contains('/'))
            && let Some(n) = normalize_repo(repo)
        {
            return Denotes::Exact(format!("{n}:{tag}"));
        }
        return normalize_repo(p).map_or(Denotes::Approx, |n| Denotes::Scope(n, Part::Digests));
    }
    if literal(glob)
        && let Ok(n) = Named::parse_normalized(glob)
    {
        return match (n.tag(), n.digest()) {
            (_, Some(d)) => Denotes::Exact(format!("{}@{d}", n.name())),
            (Some(t), None) => Denotes::Exact(format!("{}:{t}", n.name())),
            (None, None) => Denotes::Scope(n.name(), Part::Bare),
        };
    }
    Denotes::Approx
}

/// The parts an engine needs to cover a repository scope exactly.
fn parts_needed(engine: Engine) -> &'static [Part] {
    match engine {
        Engine::KyvernoImageValidating => &[Part::Nested, Part::Tags, Part::Digests, Part::Bare],
        _ => &[Part::Nested, Part::Tags, Part::Digests],
    }
}

/// A probe image of `scope` reaching the parts `parts` cover.
fn probe(scope: &str, parts: &[Part]) -> String {
    if scope.starts_with("*.") {
        return format!("policyctl-probe{}/policyctl-probe:1", &scope[1..]);
    }
    if scope.contains('@')
        || (scope.contains('/') && scope.rsplit('/').next().is_some_and(|l| l.contains(':')))
    {
        return scope.to_owned();
    }
    if is_host(scope) || scope == "docker.io" {
        return format!("{scope}/policyctl-probe/policyctl-probe:1");
    }
    if parts.contains(&Part::Tags) || parts.is_empty() {
        format!("{scope}:policyctl-probe")
    } else if parts.contains(&Part::Nested) {
        format!("{scope}/policyctl-probe:1")
    } else if parts.contains(&Part::Digests) {
        format!("{scope}@sha256:{}", "0".repeat(64))
    } else {
        scope.to_owned()
    }
}

/// An image no scope of a sane policy covers.
pub const OUTSIDE_PROBE: &str = "policyctl-probe.invalid/policyctl-probe:1";

/// Engines with documents (policy-controller also through its ConfigMap alone).
pub fn engines(cp: &ClusterPolicies) -> Vec<Engine> {
    let mut v = Vec::new();
    for e in [
        Engine::PolicyController,
        Engine::KyvernoClusterPolicy,
        Engine::KyvernoImageValidating,
        Engine::OpenShift,
    ] {
        if cp.rules.iter().any(|r| r.engine == e)
            || (e == Engine::PolicyController && cp.no_match.is_some())
        {
            v.push(e);
        }
    }
    v
}

/// The cluster's gate for `image`: every engine with documents must admit it.
pub fn cluster_gate(cp: &ClusterPolicies, image: &str) -> Result<Gate, ImageMatchError> {
    compiled_cluster_gate(&cp.compile(), &engines(cp), image)
}

/// [`cluster_gate`] with the patterns compiled once and the engines listed once.
pub fn compiled_cluster_gate(
    cc: &CompiledCluster<'_>,
    engines: &[Engine],
    image: &str,
) -> Result<Gate, ImageMatchError> {
    let mut g = Gate::Accept;
    for e in engines {
        g = g.and(cc.gate_for(*e, image)?);
    }
    Ok(g)
}

/// The nearest `policy.json` scope enclosing every image `glob` can match (the literal text
/// before its first special character, cut at the last `/`, or at the tag of a repository),
/// and an image it matches.
fn nearest_scope(glob: &str) -> Option<(String, String)> {
    let literal: String = glob
        .chars()
        .take_while(|c| !"*?[{\\".contains(*c))
        .collect();
    let slash = literal.rfind('/')?;
    // A wildcard in the tag (`repo:v1.*`) stays inside the repository.
    let ns = match literal[slash..].find([':', '@']) {
        Some(i) => &literal[..slash + i],
        None => &literal[..slash],
    };
    let scope = if is_host(ns) {
        ns.replace("index.docker.io", "docker.io")
    } else {
        normalize_repo(ns)?
    };
    let probe = glob
        .replace("**", "policyctl-probe")
        .replace(['*', '?'], "p");
    Named::parse_normalized(&probe).ok()?;
    Some((scope, probe))
}

/// Plans the import (`fulcio`: whether keyless identities can be given offline material;
/// `approximate`: patterns with no exact scope become their nearest enclosing scope).
pub fn import(
    cp: &ClusterPolicies,
    default: DefaultChoice,
    fulcio: bool,
    approximate: bool,
) -> Import {
    let mut warnings = cp.warnings.clone();
    // scope → (engine, parts) seen.
    let mut seen: BTreeMap<String, Vec<(Engine, Part)>> = BTreeMap::new();
    let mut exact: Vec<String> = Vec::new();
    let mut approx: Vec<(String, String)> = Vec::new();
    for rule in &cp.rules {
        for m in rule.patterns.iter().chain(&rule.skips) {
            let Matcher::Glob(g) = m else { continue };
            match denotes(rule.engine, g) {
                Denotes::Everything => {}
                Denotes::Scope(s, part) => seen.entry(s).or_default().push((rule.engine, part)),
                Denotes::Exact(s) => exact.push(s),
                Denotes::Approx => match nearest_scope(g).filter(|_| approximate) {
                    Some((scope, probe)) => {
                        warnings.push(Warning::loss(
                            Code::I202,
                            &rule.place,
                            format!(
                                "{g:?} has no exact policy.json scope; approximated by {scope} (--approximate), which covers more images"
                            ),
                        ));
                        approx.push((scope, probe));
                    }
                    None => warnings.push(Warning::loss(
                        Code::I202,
                        &rule.place,
                        format!(
                            "{g:?} has no exact policy.json scope; the images it matches get the default (or an enclosing scope; --approximate uses the nearest one)"
                        ),
                    )),
                },
            }
        }
    }
    let mut scopes = Vec::new();
    let cc = cp.compile();
    let all = engines(cp);
    let mut gate_of = |scope: &str, parts: &[Part], warnings: &mut Vec<Warning>| {
        let image = probe(scope, parts);
        match compiled_cluster_gate(&cc, &all, &image) {
            Ok(gate) => scopes.push(ImportedScope {
                scope: scope.to_owned(),
                gate,
            }),
            Err(e) => warnings.push(Warning::loss(
                Code::I202,
                scope,
                format!("probe image {image}: {e}; scope not imported"),
            )),
        }
    };
    for (scope, parts) in &seen {
        for engine in engines(cp) {
            let have: Vec<Part> = parts
                .iter()
                .filter(|(e, _)| *e == engine)
                .map(|(_, p)| *p)
                .collect();
            if have.is_empty() {
                continue;
            }
            let missing: Vec<String> = parts_needed(engine)
                .iter()
                .filter(|p| !have.contains(p))
                .map(|p| format!("{p:?}").to_lowercase())
                .collect();
            if !missing.is_empty() {
                warnings.push(Warning::loss(
                    Code::I201,
                    format!("transports.docker[\"{scope}\"]"),
                    format!(
                        "the {engine:?} patterns cover only part of {scope} (missing: {}); the policy.json scope also covers the rest",
                        missing.join(", ")
                    ),
                ));
            }
        }
        let parts: Vec<Part> = parts.iter().map(|(_, p)| *p).collect();
        gate_of(scope, &parts, &mut warnings);
    }
    exact.sort();
    exact.dedup();
    for s in &exact {
        if !seen.contains_key(s) {
            gate_of(s, &[], &mut warnings);
        }
    }
    for (scope, image) in approx {
        if seen.contains_key(&scope) || exact.contains(&scope) {
            continue;
        }
        match compiled_cluster_gate(&cc, &all, &image) {
            Ok(gate) => scopes.push(ImportedScope { scope, gate }),
            Err(e) => warnings.push(Warning::loss(
                Code::I202,
                &scope,
                format!("probe image {image}: {e}; scope not imported"),
            )),
        }
    }
    let cluster_default = compiled_cluster_gate(&cc, &all, OUTSIDE_PROBE).unwrap_or(Gate::Reject);
    let default = match default {
        DefaultChoice::Cluster => cluster_default,
        DefaultChoice::Reject => {
            let allow = cp.no_match == Some(Gate::Accept);
            // Only "admit" is replaced: a cluster that requires signatures of unmatched images
            // (a `**` policy) is copied as it is.
            if cluster_default == Gate::Accept && !allow {
                warnings.push(Warning::loss(
                    Code::I215,
                    "default",
                    format!(
                        "the cluster's answer for images no policy matches is {} (Kyverno admits them); the imported default is reject (--default cluster copies the cluster)",
                        cluster_default.describe()
                    ),
                ));
                Gate::Reject
            } else {
                cluster_default
            }
        }
    };
    scopes.sort_by(|a, b| a.scope.cmp(&b.scope));
    scopes.dedup_by(|a, b| a.scope == b.scope);
    for s in &scopes {
        keyless_warnings(s, fulcio, &mut warnings);
    }
    super::warning::sort_and_dedup(&mut warnings);
    Import {
        default,
        scopes,
        warnings,
    }
}

fn keyless_warnings(s: &ImportedScope, fulcio: bool, warnings: &mut Vec<Warning>) {
    let Gate::Require { all_of } = &s.gate else {
        return;
    };
    let place = format!("transports.docker[\"{}\"]", s.scope);
    for clause in all_of {
        let keyless = clause
            .iter()
            .filter(|r| matches!(r, Root::Keyless { .. }))
            .count();
        let keys = clause
            .iter()
            .filter(|r| matches!(r, Root::Key { .. }))
            .count();
        if keyless == 0 {
            continue;
        }
        if keys > 0 {
            warnings.push(Warning::loss(
                Code::I207,
                &place,
                "key and keyless signers are alternatives here; a policy.json requirement cannot mix them: only the keys are trusted",
            ));
        } else if keyless > 1 {
            warnings.push(Warning::loss(
                Code::I206,
                &place,
                "several keyless identities are alternatives here; c/image's fulcio checks one: unadmittable",
            ));
        } else if !fulcio {
            warnings.push(Warning::loss(
                Code::I205,
                &place,
                "keyless: c/image needs the Fulcio CA and the Rekor public key offline (--fulcio-ca, --rekor-key); unadmittable without them",
            ));
        }
    }
}

/// The `policy.json` requirement list for a gate (members in the order podman writes them);
/// `key_path` names the file of a key (or `None`: inline `keyData`). Roots that are not keys
/// were reported when read and add no alternative (fail closed).
pub fn requirements(
    gate: &Gate,
    key_path: &dyn Fn(&str) -> Option<String>,
    pem: &dyn Fn(&str) -> String,
    fulcio: Option<&FulcioFiles>,
) -> Node {
    use base64::Engine as _;
    let s = |x: &str| Node::String(x.to_owned());
    let typed = |t: &str| Node::Array(vec![Node::Object(vec![("type".into(), s(t))])]);
    match gate {
        Gate::Accept => typed("insecureAcceptAnything"),
        Gate::Reject => typed("reject"),
        Gate::Require { all_of } => {
            let mut list = Vec::new();
            for clause in all_of {
                let fps: Vec<&str> = clause
                    .iter()
                    .filter_map(|r| match r {
                        Root::Key { fingerprint } => Some(fingerprint.as_str()),
                        _ => None,
                    })
                    .collect();
                if fps.is_empty() {
                    let keyless: Vec<(&str, &str)> = clause
                        .iter()
                        .filter_map(|r| match r {
                            Root::Keyless { issuer, subject } => {
                                Some((issuer.as_str(), subject.as_str()))
                            }
                            _ => None,
                        })
                        .collect();
                    match (keyless.as_slice(), fulcio) {
                        ([(issuer, subject)], Some(f)) => {
                            list.push(Node::Object(vec![
                                ("type".into(), s("sigstoreSigned")),
                                (
                                    "fulcio".into(),
                                    Node::Object(vec![
                                        ("caPath".into(), s(&f.ca_path)),
                                        ("oidcIssuer".into(), s(issuer)),
                                        ("subjectEmail".into(), s(subject)),
                                    ]),
                                ),
                                ("rekorPublicKeyPath".into(), s(&f.rekor_key_path)),
                                (
                                    "signedIdentity".into(),
                                    Node::Object(vec![("type".into(), s("matchRepository"))]),
                                ),
                            ]));
                            continue;
                        }
                        _ => return typed("reject"),
                    }
                }
                let mut req = vec![("type".to_owned(), s("sigstoreSigned"))];
                let paths: Option<Vec<String>> = fps.iter().map(|f| key_path(f)).collect();
                match paths {
                    Some(p) if p.len() == 1 => req.push(("keyPath".into(), s(&p[0]))),
                    Some(p) => req.push((
                        "keyPaths".into(),
                        Node::Array(p.iter().map(|x| s(x)).collect()),
                    )),
                    None => {
                        let datas: Vec<Node> = fps
                            .iter()
                            .map(|f| s(&base64::engine::general_purpose::STANDARD.encode(pem(f))))
                            .collect();
                        if datas.len() == 1 {
                            req.extend(datas.into_iter().map(|d| ("keyData".to_owned(), d)));
                        } else {
                            req.push(("keyDatas".into(), Node::Array(datas)));
                        }
                    }
                }
                req.push((
                    "signedIdentity".into(),
                    Node::Object(vec![("type".into(), s("matchRepository"))]),
                ));
                list.push(Node::Object(req));
            }
            Node::Array(list)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_denote_scopes() {
        use Engine::*;
        assert_eq!(
            denotes(PolicyController, "ghcr.io/armorred/**"),
            Denotes::Scope("ghcr.io/armorred".into(), Part::Nested)
        );
        assert_eq!(
            denotes(PolicyController, "index.docker.io/library/busybox:*"),
            Denotes::Scope("docker.io/library/busybox".into(), Part::Tags)
        );
        assert_eq!(
            denotes(KyvernoClusterPolicy, "docker.io/busybox@*"),
            Denotes::Scope("docker.io/library/busybox".into(), Part::Digests)
        );
        assert_eq!(
            denotes(KyvernoImageValidating, "busybox"),
            Denotes::Scope("docker.io/library/busybox".into(), Part::Bare)
        );
        assert_eq!(
            denotes(PolicyController, "ghcr.io/**"),
            Denotes::Exact("ghcr.io".into())
        );
        assert_eq!(
            denotes(PolicyController, "*.example.com:*/**"),
            Denotes::Exact("*.example.com".into())
        );
        assert_eq!(
            denotes(PolicyController, "ghcr.io/a/b:1@*"),
            Denotes::Exact("ghcr.io/a/b:1".into())
        );
        assert_eq!(denotes(PolicyController, "**"), Denotes::Everything);
        assert_eq!(denotes(KyvernoClusterPolicy, "*"), Denotes::Everything);
        assert_eq!(denotes(PolicyController, "ghcr.io/*/app"), Denotes::Approx);
        assert_eq!(denotes(KyvernoClusterPolicy, "ghcr.io/a*"), Denotes::Approx);
        assert_eq!(denotes(PolicyController, "ghcr.io/a:v1.*"), Denotes::Approx);
        assert_eq!(
            nearest_scope("ghcr.io/*/app"),
            Some(("ghcr.io".into(), "ghcr.io/p/app".into()))
        );
        assert_eq!(
            nearest_scope("ghcr.io/acme/app:v1.*"),
            Some(("ghcr.io/acme/app".into(), "ghcr.io/acme/app:v1.p".into()))
        );
        assert_eq!(nearest_scope("*/*"), None);
    }

    #[test]
    fn probes() {
        assert_eq!(
            probe("ghcr.io/a", &[Part::Nested]),
            "ghcr.io/a/policyctl-probe:1"
        );
        assert_eq!(
            probe("ghcr.io/a", &[Part::Tags]),
            "ghcr.io/a:policyctl-probe"
        );
        assert_eq!(probe("ghcr.io/a/b:1", &[]), "ghcr.io/a/b:1");
        assert_eq!(
            probe("*.example.com", &[]),
            "policyctl-probe.example.com/policyctl-probe:1"
        );
    }
}

#[cfg(test)]
mod default_tests {
    use super::*;

    fn cp(yaml: &str) -> ClusterPolicies {
        let mut cp = ClusterPolicies::default();
        cp.add_file("t.yaml", &crate::k8s::yaml::parse_documents(yaml).unwrap());
        cp
    }

    const KEY: &str = "-----BEGIN PUBLIC KEY-----\n        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE7vpEsQTwL/8XDx0KU6+jU64okQB1\n        A0sMNk5I6GNdZoNCJzJMyOj3jkuGm3TPDE6TtqWlbkScX0EcHv5U0kJqgg==\n        -----END PUBLIC KEY-----";

    #[test]
    fn the_default_is_reject_unless_the_cluster_says_more() {
        let everything = format!(
            "apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nmetadata: {{name: all}}\nspec:\n  images: [{{glob: '**'}}]\n  authorities:\n  - key:\n      data: |\n        {KEY}\n"
        );
        // A `**` policy: every image needs the key, also as the default.
        let plan = import(&cp(&everything), DefaultChoice::Reject, false, false);
        assert!(
            matches!(plan.default, Gate::Require { .. }),
            "{:?}",
            plan.default
        );
        assert!(!plan.warnings.iter().any(|w| w.code == Code::I215));
        // Kyverno alone admits unmatched images: reject, with I215; or copied on request.
        let kyverno = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/k8s/vendor/armorred-kyverno.yaml"
        ))
        .unwrap();
        let plan = import(&cp(&kyverno), DefaultChoice::Reject, false, false);
        assert_eq!(plan.default, Gate::Reject);
        assert!(plan.warnings.iter().any(|w| w.code == Code::I215));
        let plan = import(&cp(&kyverno), DefaultChoice::Cluster, false, false);
        assert_eq!(plan.default, Gate::Accept);
        // policy-controller's ConfigMap allow is copied.
        let allow = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: config-policy-controller}\ndata: {no-match-policy: allow}\n";
        let plan = import(&cp(allow), DefaultChoice::Reject, false, false);
        assert_eq!(plan.default, Gate::Accept);
    }
}
