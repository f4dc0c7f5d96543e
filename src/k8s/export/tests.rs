use std::collections::BTreeSet;

use super::*;
use crate::compat::Compat;
use crate::k8s::cluster::ClusterPolicies;
use crate::k8s::drift::drift;
use crate::k8s::roots::KeyFiles;
use crate::k8s::warning::Severity;
use crate::policy::parse::parse_policy;

const GOOD: &str = include_str!("../../../testdata/lint/keys/good.pub");
const P384: &str = include_str!("../../../testdata/lint/keys/p384.pub");

fn files() -> KeyFiles {
    KeyFiles::from([
        (
            "/etc/pki/cosign/armorred.pub".to_owned(),
            Ok(crate::trust::ARMORRED_PEM.as_bytes().to_vec()),
        ),
        ("/k/good.pub".to_owned(), Ok(GOOD.as_bytes().to_vec())),
        ("/k/p384.pub".to_owned(), Ok(P384.as_bytes().to_vec())),
    ])
}

fn opts(target: Target) -> ExportOptions {
    ExportOptions {
        target,
        scopes: Vec::new(),
        allow_stricter: false,
        key_refs: KeyRefs::Inline,
        bundles: false,
        secret_namespace: "cosign-system".into(),
    }
}

const ALL: [Target; 3] = [
    Target::PolicyController,
    Target::Kyverno,
    Target::KyvernoClusterPolicy,
];

fn run(policy_json: &str, o: &ExportOptions) -> (Export, ClusterPolicies, Policy) {
    let policy = parse_policy(policy_json.as_bytes(), Compat::Current).unwrap();
    let files = files();
    let none = BTreeSet::new();
    let ex = export(
        ExportInput {
            policy: &policy,
            files: &files,
            no_attachments: &none,
            source: "policy.json",
        },
        o,
    )
    .unwrap();
    // Through YAML text and back, as a cluster (and our import) would read it.
    let text = crate::k8s::yaml::to_yaml(&ex.documents).unwrap();
    let docs = crate::k8s::yaml::parse_documents(&text).unwrap();
    let mut cp = ClusterPolicies::default();
    cp.add_file("out.yaml", &docs);
    (ex, cp, policy)
}

fn losses(ex: &Export) -> Vec<Code> {
    ex.warnings
        .iter()
        .filter(|w| w.severity == Severity::Loss)
        .map(|w| w.code)
        .collect()
}

/// Exports, reads back and compares on probes; `explained` says which images a warning
/// announced as differing.
fn assert_no_drift(policy_json: &str, target: Target, explained: &dyn Fn(&str) -> bool) -> Export {
    let (ex, cp, policy) = run(policy_json, &opts(target));
    let report = drift(&policy, &files(), &cp).unwrap();
    let bad: Vec<_> = report
        .rows
        .iter()
        .filter(|r| !r.agree && !explained(&r.image))
        .collect();
    assert!(
        bad.is_empty(),
        "{target:?}: {} of {} probes drift, e.g. {:#?}\n{}",
        bad.len(),
        report.rows.len(),
        bad.iter().take(4).collect::<Vec<_>>(),
        crate::k8s::yaml::to_yaml(&ex.documents).unwrap()
    );
    assert!(
        report.rows.len() > 20,
        "too few probes: {}",
        report.rows.len()
    );
    ex
}

const VENDOR_FIXED: &str = r#"{"default":[{"type":"reject"}],
 "transports":{"docker":{"ghcr.io/armorred":[{"type":"sigstoreSigned",
   "keyPath":"/etc/pki/cosign/armorred.pub","signedIdentity":{"type":"matchRepository"}}]},
 "containers-storage":{"":[{"type":"insecureAcceptAnything"}]}}}"#;

#[test]
fn vendor_policy_exports_faithfully_to_every_target() {
    for t in ALL {
        let ex = assert_no_drift(VENDOR_FIXED, t, &|_| false);
        assert_eq!(losses(&ex), Vec::<Code>::new(), "{t:?}: {:#?}", ex.warnings);
        let notes: Vec<Code> = ex.warnings.iter().map(|w| w.code).collect();
        assert!(notes.contains(&Code::X103), "{t:?}");
        assert!(notes.contains(&Code::X106), "{t:?}");
        assert_eq!(notes.contains(&Code::X113), t == Target::PolicyController);
        assert_eq!(notes.contains(&Code::X102), t != Target::PolicyController);
    }
    let (ex, _, _) = run(VENDOR_FIXED, &opts(Target::PolicyController));
    let text = crate::k8s::yaml::to_yaml(&ex.documents).unwrap();
    for needle in [
        "glob: ghcr.io/armorred/**",
        "glob: ghcr.io/armorred:*",
        "glob: ghcr.io/armorred@*",
        "hashAlgorithm: sha256",
        "no-match-policy: deny",
        "mode: enforce",
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
    ] {
        assert!(text.contains(needle), "{needle} missing in\n{text}");
    }
}

const NESTED: &str = r#"{"default":[{"type":"reject"}],
 "transports":{"docker":{
   "ghcr.io/armorred":[{"type":"sigstoreSigned","keyPath":"/etc/pki/cosign/armorred.pub","signedIdentity":{"type":"matchRepository"}}],
   "ghcr.io/armorred/team":[{"type":"sigstoreSigned","keyPaths":["/k/good.pub"],"signedIdentity":{"type":"matchRepository"}}],
   "ghcr.io/armorred/legacy":[{"type":"insecureAcceptAnything"}],
   "docker.io/library/busybox":[{"type":"sigstoreSigned","keyData":"__GOOD__","signedIdentity":{"type":"matchRepository"}}],
   "quay.io":[{"type":"reject"}],
   "*.example.com":[{"type":"sigstoreSigned","keyPath":"/k/good.pub","signedIdentity":{"type":"matchRepository"}}],
   "registry.example.com:5000/ns/app@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa":[{"type":"insecureAcceptAnything"}]
 }}}"#;

fn nested_policy() -> String {
    use base64::Engine;
    NESTED.replace(
        "__GOOD__",
        &base64::engine::general_purpose::STANDARD.encode(GOOD),
    )
}

#[test]
fn kyverno_exports_most_specific_wins_exactly() {
    for t in [Target::Kyverno, Target::KyvernoClusterPolicy] {
        // X114: Kyverno's `*` crosses '/', so `*.example.com/*` also matches images whose
        // path (not host) contains `.example.com/`.
        let x114 = |image: &str| {
            image.split_once('/').is_some_and(|(host, rest)| {
                !host.ends_with("example.com") && rest.contains(".example.com")
            })
        };
        let ex = assert_no_drift(&nested_policy(), t, &x114);
        // Only the wildcard domain is approximate in Kyverno.
        assert_eq!(losses(&ex), vec![Code::X114], "{t:?}: {:#?}", ex.warnings);
    }
}

#[test]
fn policy_controller_refuses_what_its_and_cannot_express() {
    let (ex, cp, policy) = run(&nested_policy(), &opts(Target::PolicyController));
    let x101: Vec<&Warning> = ex
        .warnings
        .iter()
        .filter(|w| w.code == Code::X101)
        .collect();
    // ghcr.io/armorred (team and legacy need other things) and *.example.com (its digest
    // scope is accept) cannot be exported.
    assert_eq!(x101.len(), 2, "{x101:#?}");
    assert!(x101.iter().any(|w| w.place.contains("ghcr.io/armorred\"")));
    let report = drift(&policy, &files(), &cp).unwrap();
    for r in report.rows.iter().filter(|r| !r.agree) {
        // Every disagreement is under a refused scope, and fails closed (the cluster is
        // stricter: no-match deny or reject).
        assert!(
            r.image.contains("armorred") || r.image.contains("example.com"),
            "{r:#?}"
        );
        assert!(r.cluster.as_ref().unwrap().implies(&r.host), "{r:#?}");
    }
    // With --allow-stricter the general scopes are emitted and nested images need both.
    let mut o = opts(Target::PolicyController);
    o.allow_stricter = true;
    let (ex2, cp2, _) = run(&nested_policy(), &o);
    assert!(ex2.documents.len() > ex.documents.len());
    let g = crate::k8s::import::cluster_gate(&cp2, "ghcr.io/armorred/team/app:1").unwrap();
    match g {
        Gate::Require { all_of } => assert_eq!(all_of.len(), 2),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unrepresentable_requirements_fail_closed_and_warn() {
    let policy = r#"{"default":[{"type":"insecureAcceptAnything"}],
     "transports":{"docker":{
       "gpg.example.com":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k/gpg"}],
       "p384.example.com":[{"type":"sigstoreSigned","keyPath":"/k/p384.pub"}],
       "app.example.com/x:1":[{"type":"sigstoreSigned","keyPath":"/k/good.pub","signedIdentity":{"type":"matchRepository"}}]
     }}}"#;
    for t in ALL {
        let (ex, cp, parsed) = run(policy, &opts(t));
        let codes = losses(&ex);
        for c in [Code::X110, Code::X111, Code::X103, Code::X104] {
            assert!(codes.contains(&c), "{t:?} lacks {c:?}: {codes:?}");
        }
        let g = crate::k8s::import::cluster_gate(&cp, "gpg.example.com/app:1").unwrap();
        assert_eq!(g, Gate::Reject, "{t:?}: GPG scope must be unadmittable");
        let report = drift(&parsed, &files(), &cp).unwrap();
        assert!(report.drift > 0, "{t:?}: GPG scope differs and must show");
    }
}

#[test]
fn scope_filter_and_secret_references() {
    let mut o = opts(Target::PolicyController);
    o.scopes = vec!["ghcr.io/armorred".into()];
    o.key_refs = KeyRefs::Secret;
    let (ex, _, _) = run(VENDOR_FIXED, &o);
    let kinds: Vec<String> = ex.documents.iter().map(Document::label).collect();
    assert_eq!(
        kinds,
        [
            "Secret/policyctl-key-d8bace5c57478ad7",
            "ClusterImagePolicy/policyctl.docker.ghcr.io-armorred"
        ]
    );
    o.scopes = vec!["nope.io".into()];
    let policy = parse_policy(VENDOR_FIXED.as_bytes(), Compat::Current).unwrap();
    let e = export(
        ExportInput {
            policy: &policy,
            files: &files(),
            no_attachments: &BTreeSet::new(),
            source: "p.json",
        },
        &o,
    )
    .unwrap_err();
    assert!(e.0.contains("nope.io"), "{e}");
}

#[test]
fn missing_key_file_is_an_error_naming_the_scope() {
    let policy = parse_policy(VENDOR_FIXED.as_bytes(), Compat::Current).unwrap();
    let e = export(
        ExportInput {
            policy: &policy,
            files: &KeyFiles::new(),
            no_attachments: &BTreeSet::new(),
            source: "p.json",
        },
        &opts(Target::Kyverno),
    )
    .unwrap_err();
    assert!(
        e.0.contains("ghcr.io/armorred") && e.0.contains("armorred.pub"),
        "{e}"
    );
}

#[test]
fn dns_names() {
    assert_eq!(
        dns_name("policyctl.docker.", Some("ghcr.io/armorred")),
        "policyctl.docker.ghcr.io-armorred"
    );
    assert_eq!(
        dns_name("policyctl.docker.", Some("*.Example.com:5000/A_b")),
        "policyctl.docker.-.example.com-5000-a-b"
    );
    assert_eq!(dns_name("x.", None), "x.default");
}
