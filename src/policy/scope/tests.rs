//! Spec §9.2 (`TestPolicyContextRequirementsForImageRef`) as our own scenarios.

use super::*;
use crate::compat::Compat;
use crate::policy::model::Requirement;
use crate::policy::parse::parse_policy;
use crate::reference::docker::Named;
use crate::reference::transport::docker_identity;

/// Every scope gets a distinct requirement list: `signedBy` with keyPath = the scope name.
fn policy() -> Policy {
    let scopes = [
        "",
        "unmatched",
        "deep.com",
        "*.very.deep.com",
        "*.deep.com",
        "deep.com/n1",
        "deep.com/n1/n2",
        "deep.com/n1/n2/n3",
        "deep.com/n1/n2/n3/repo",
        "deep.com/n1/n2/n3/repo:tag2",
    ];
    let req =
        |name: &str| format!(r#"[{{"type":"signedBy","keyType":"GPGKeys","keyPath":"/{name}"}}]"#);
    let docker: Vec<String> = scopes
        .iter()
        .map(|s| format!("{s:?}: {}", req(&format!("docker:{s}"))))
        .collect();
    let text = format!(
        r#"{{"default": {}, "transports": {{"docker": {{{}}}, "atomic": {{"unmatched": {}}}}}}}"#,
        req("default"),
        docker.join(","),
        req("atomic:unmatched")
    );
    parse_policy(text.as_bytes(), Compat::Current).unwrap_or_else(|e| panic!("{}", e.message))
}

fn key_path(m: &ScopeMatch<'_>) -> String {
    match &m.requirements.items[0].value {
        Requirement::SignedBy(s) => format!("{:?}", s.keys),
        other => panic!("{other:?}"),
    }
}

fn docker(policy: &Policy, r: &str) -> String {
    let n = Named::parse_normalized(r).unwrap().with_default_tag();
    key_path(&requirements_for(policy, "docker", &docker_identity(&n)))
}

#[test]
fn most_specific_docker_scope_wins() {
    let p = policy();
    for (image, scope) in [
        ("deep.com/n1/n2/n3/repo:tag2", "deep.com/n1/n2/n3/repo:tag2"),
        ("deep.com/n1/n2/n3/repo:nottag2", "deep.com/n1/n2/n3/repo"),
        ("deep.com/n1/n2/n3/notrepo:tag2", "deep.com/n1/n2/n3"),
        ("deep.com/n1/n2/notn3/repo:tag2", "deep.com/n1/n2"),
        ("deep.com/n1/notn2/n3/repo:tag2", "deep.com/n1"),
        ("deep.com/notn1/n2/n3/repo:tag2", "deep.com"),
        ("very.deep.com/n1/n2/n3/repo:tag2", "*.deep.com"),
        ("not.very.deep.com/n1/n2/n3/repo:tag2", "*.very.deep.com"),
        ("this.does-not/match:anything", ""),
    ] {
        let got = docker(&p, image);
        assert!(
            got.contains(&format!("\"/docker:{scope}\"")),
            "{image}: {got}"
        );
    }
}

#[test]
fn section_without_match_falls_back_to_global_default() {
    let p = policy();
    let n = Named::parse_normalized("this.does-not/match:anything").unwrap();
    let m = requirements_for(&p, "atomic", &docker_identity(&n));
    assert_eq!(m.matched_by, MatchedBy::GlobalDefault);
    assert!(m.transport_section);
    assert!(key_path(&m).contains("/default"));
    assert_eq!(m.label(), "default");
}

#[test]
fn transport_without_section_uses_global_default() {
    let p = policy();
    let id = PolicyIdentity {
        identity: "/some/dir".into(),
        namespaces: vec!["/some".into()],
    };
    let m = requirements_for(&p, "dir", &id);
    assert_eq!(m.matched_by, MatchedBy::GlobalDefault);
    assert!(!m.transport_section);
}

#[test]
fn unregistered_transport_names_still_apply() {
    let text = r#"{"default":[{"type":"reject"}],"transports":{"notregistered":{"x":[{"type":"insecureAcceptAnything"}]}}}"#;
    let p = parse_policy(text.as_bytes(), Compat::Current).unwrap();
    let m = requirements_for(
        &p,
        "notregistered",
        &PolicyIdentity {
            identity: "x".into(),
            namespaces: vec![],
        },
    );
    assert_eq!(m.matched_by, MatchedBy::Identity);
    assert_eq!(
        m.requirements.items[0].value,
        Requirement::InsecureAcceptAnything
    );
}

#[test]
fn labels_and_namespace_index() {
    let p = policy();
    let n = Named::parse_normalized("deep.com/n1/n2/x:1").unwrap();
    let m = requirements_for(&p, "docker", &docker_identity(&n));
    assert_eq!(m.matched_by, MatchedBy::Namespace(1));
    assert_eq!(m.label(), "deep.com/n1/n2");
    let n = Named::parse_normalized("other.org/x:1").unwrap();
    let m = requirements_for(&p, "docker", &docker_identity(&n));
    assert_eq!(m.matched_by, MatchedBy::TransportDefault);
    assert_eq!(m.label(), "\"\"");
}
