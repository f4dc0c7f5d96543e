//! The Kubernetes pattern matchers against the engines' own Go code (`tools/k8s-match`):
//! policy-controller's `glob.Match`, Kyverno's go-wildcard (over our `ImageInfo.String()`) and
//! gobwas globs, and go-containerregistry's `Name()`, on every pattern the exporter writes for a
//! spread of scopes and every probe image `k8s diff` uses (plus the upstream tables' images).
//! A disagreement is a bug in `src/k8s/glob.rs` or in what the exporter relies on.

use std::io::Write;
use std::process::{Command, Stdio};

use policyctl::k8s::glob::{kyverno, policy_controller};
use policyctl::k8s::pattern::{Engine, Pattern, patterns};
use serde_json::{Value, json};

const SCOPES: &[&str] = &[
    "ghcr.io/armorred",
    "ghcr.io/armorred/team",
    "ghcr.io",
    "docker.io",
    "docker.io/library",
    "docker.io/library/busybox",
    "docker.io/user",
    "docker.io/user/app",
    "quay.io/a/b:1",
    "ghcr.io/a/b@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "*.example.com",
    "localhost:5000",
    "localhost:5000/ns/app",
    "registry.example.com:5000/ns",
];

fn images() -> Vec<String> {
    let mut scopes = serde_json::Map::new();
    for s in SCOPES {
        scopes.insert((*s).to_owned(), json!([{"type": "insecureAcceptAnything"}]));
    }
    let policy = json!({"default": [{"type": "reject"}], "transports": {"docker": scopes}});
    let policy = policyctl::policy::parse::parse_policy(
        policy.to_string().as_bytes(),
        policyctl::compat::Compat::Current,
    )
    .unwrap();
    let cluster = policyctl::k8s::cluster::ClusterPolicies::default();
    let mut v: Vec<String> = policyctl::k8s::drift::probes(&policy, &cluster)
        .into_iter()
        .collect();
    v.extend(
        [
            "a",
            "ab",
            "ghcr.io/a:1",
            "UPPER/case:1",
            "ghcr.io/armorred/app:1.0@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "not a reference",
            "",
        ]
        .map(str::to_owned),
    );
    v
}

fn ask(bin: &std::path::Path, queries: &[Value]) -> Vec<Value> {
    let mut child = Command::new(bin)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = Vec::new();
    for q in queries {
        input.extend(q.to_string().bytes());
        input.push(b'\n');
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success());
    let answers: Vec<Value> = out
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(answers.len(), queries.len());
    answers
}

#[test]
fn matchers_agree_with_the_engines_go_code() {
    let Some(bin) = crate::oracle::k8s_match() else {
        return;
    };
    let images = images();
    let mut queries = Vec::new();
    let mut ours: Vec<Value> = Vec::new();
    let config = kyverno::RegistryConfig::default();
    for image in &images {
        queries.push(json!({"engine": "ggcr-name", "pattern": "", "image": image}));
        ours.push(match policy_controller::reference_name(image) {
            Ok(n) => json!({"name": n}),
            Err(_) => json!({"error": true}),
        });
    }
    for scope in SCOPES {
        for (engine, go) in [
            (Engine::PolicyController, "policy-controller"),
            (Engine::KyvernoClusterPolicy, "wildcard"),
            (Engine::KyvernoImageValidating, "gobwas"),
        ] {
            for p in patterns(engine, scope) {
                let Pattern::Glob(p) = p else { continue };
                for image in &images {
                    let (subject, mine) = match engine {
                        Engine::PolicyController => (
                            image.clone(),
                            policy_controller::glob_match(&p, image).map_err(|_| ()),
                        ),
                        Engine::KyvernoClusterPolicy => {
                            // The wildcard sees Kyverno's ImageInfo.String() (our port).
                            let Ok(s) = kyverno::image_info_string(image, &config) else {
                                continue;
                            };
                            let m = kyverno::wildcard_match(&p, &s);
                            (s, Ok(m))
                        }
                        Engine::KyvernoImageValidating => (
                            image.clone(),
                            kyverno::image_validating_glob_match(&p, image).map_err(|_| ()),
                        ),
                    };
                    queries.push(json!({"engine": go, "pattern": p, "image": subject}));
                    ours.push(match mine {
                        Ok(m) => json!({"match": m}),
                        Err(()) => json!({"error": true}),
                    });
                }
            }
        }
    }
    let answers = ask(&bin, &queries);
    let mut bad = Vec::new();
    for ((q, a), o) in queries.iter().zip(&answers).zip(&ours) {
        let go = if a.get("error").is_some() {
            json!({"error": true})
        } else {
            a.clone()
        };
        if go != *o {
            bad.push(format!("{q} → Go {a}, policyctl {o}"));
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {} disagree:\n{}",
        bad.len(),
        queries.len(),
        bad.iter().take(15).cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(queries.len() > 5000, "{}", queries.len());
}
