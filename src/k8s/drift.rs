//! Do the host and the cluster agree? For probe images derived from every `policy.json` scope
//! and every cluster pattern (plus the spellings of spec §19.2's table), the gate
//! `policy.json` applies (most specific scope) is compared with the gate the cluster
//! documents apply (every matching policy, each engine in its own pattern language).

use std::collections::BTreeSet;

use serde::Serialize;

use super::cluster::{ClusterPolicies, Matcher};
use super::import::{OUTSIDE_PROBE, compiled_cluster_gate, engines};
use super::pattern::{ScopeShape, shape};
use super::roots::{Gate, GateError, KeyFiles, Keyring, host_gate};
use crate::compat::Compat;
use crate::policy::model::Policy;
use crate::policy::scope::requirements_for;
use crate::reference::transport::{ImageRef, docker_identity};

/// One probe image and both answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DriftRow {
    /// The image as written in a pod spec.
    pub image: String,
    /// The `policy.json` scope that applies (`default`, `""` or the scope key).
    pub host_scope: String,
    /// What the host requires.
    pub host: Gate,
    /// What the cluster requires (`None`: the cluster cannot parse the image).
    pub cluster: Option<Gate>,
    /// Whether they agree.
    pub agree: bool,
}

/// The comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DriftReport {
    /// Every probe, sorted by image.
    pub rows: Vec<DriftRow>,
    /// How many disagree.
    pub drift: usize,
}

/// Fixed probes: spec §19.2's representative images.
const TABLE_IMAGES: &[&str] = &[
    "busybox",
    "busybox:1.36",
    "library/busybox",
    "docker.io/library/busybox:latest",
    "index.docker.io/library/busybox:latest",
    "user/app:1",
    "localhost/app:1",
    "localhost:5000/app:1",
    "registry.example.com:5000/ns/app:2",
    OUTSIDE_PROBE,
];

const DIGEST: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/// Pod-spec spellings of a normalized repository name.
fn spellings(name: &str) -> Vec<String> {
    let mut v = vec![name.to_owned()];
    if let Some(path) = name.strip_prefix("docker.io/") {
        v.push(format!("index.docker.io/{path}"));
        v.push(path.to_owned());
        if let Some(short) = path.strip_prefix("library/") {
            v.push(short.to_owned());
            v.push(format!("docker.io/{short}"));
        }
    }
    v
}

fn repo_probes(name: &str, out: &mut BTreeSet<String>) {
    for s in spellings(name) {
        out.insert(s.clone());
        out.insert(format!("{s}:1.0"));
        out.insert(format!("{s}@{DIGEST}"));
        out.insert(format!("{s}:1.0@{DIGEST}"));
        out.insert(format!("{s}/app:1.0"));
        out.insert(format!("{s}/team/app@{DIGEST}"));
        out.insert(format!("{s}x/app:1.0"));
        out.insert(format!("{s}x:1.0"));
    }
}

/// Probe images for a policy and cluster documents.
pub fn probes(policy: &Policy, cluster: &ClusterPolicies) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = TABLE_IMAGES.iter().map(|s| (*s).to_owned()).collect();
    let mut scopes: Vec<String> = policy
        .transports
        .iter()
        .filter(|t| t.name.value == "docker")
        .flat_map(|t| t.scopes.iter().map(|s| s.key.value.clone()))
        .filter(|s| !s.is_empty())
        .collect();
    for r in &cluster.rules {
        for m in r.patterns.iter().chain(&r.skips) {
            if let Matcher::Glob(g) = m {
                let concrete = g.replace("**", "policyctl/probe").replace('*', "probe");
                if !concrete.contains(['?', '[', '{']) {
                    out.insert(concrete.clone());
                    let base = concrete
                        .split_once('@')
                        .map_or(concrete.as_str(), |(b, _)| b);
                    if let Ok(n) = crate::reference::docker::Named::parse_normalized(base) {
                        scopes.push(n.name());
                    }
                }
            }
        }
    }
    for s in scopes {
        match shape(&s) {
            ScopeShape::Wildcard { domain } => {
                out.insert(format!("registry.{domain}/app:1"));
                out.insert(format!("registry.{domain}:5000/app:1"));
                out.insert(format!("registry.{domain}x/app:1"));
                out.insert(format!("ghcr.io/x.{domain}/app:1"));
            }
            ScopeShape::Host { host } => {
                out.insert(format!("{host}/app:1"));
                out.insert(format!("{host}/ns/app@{DIGEST}"));
                out.insert(format!("{host}x/app:1"));
            }
            ScopeShape::Repo { name } => repo_probes(&name, &mut out),
            ScopeShape::Tagged { name, tag } => {
                for sp in spellings(&name) {
                    out.insert(format!("{sp}:{tag}"));
                    out.insert(format!("{sp}:{tag}@{DIGEST}"));
                    out.insert(format!("{sp}:{tag}x"));
                }
            }
            ScopeShape::Digest { name, digest } => {
                for sp in spellings(&name) {
                    out.insert(format!("{sp}@{digest}"));
                    out.insert(format!("{sp}:1@{digest}"));
                }
            }
        }
    }
    out
}

/// The host's gate and scope label for an image as written in a pod spec (`None`: c/image
/// cannot parse it as a docker reference).
pub fn host_gate_for(
    policy: &Policy,
    image: &str,
    files: &KeyFiles,
    keys: &mut Keyring,
) -> Result<Option<(String, Gate)>, GateError> {
    let Ok((_, r)) = ImageRef::parse(&format!("docker://{image}"), Compat::Current) else {
        return Ok(None);
    };
    let Some(named) = r.docker_reference() else {
        return Ok(None);
    };
    let id = docker_identity(named);
    let m = requirements_for(policy, "docker", &id);
    Ok(Some((m.label(), host_gate(m.requirements, files, keys)?)))
}

/// Compares the host policy with the cluster documents on every probe.
pub fn drift(
    policy: &Policy,
    files: &KeyFiles,
    cluster: &ClusterPolicies,
) -> Result<DriftReport, GateError> {
    let mut keys = Keyring::default();
    let mut rows = Vec::new();
    // OpenShift nodes keep their own default for what no scope covers: assume this host's.
    let mut cluster = cluster.clone();
    if let Some((_, g)) = host_gate_for(policy, OUTSIDE_PROBE, files, &mut keys)? {
        cluster.node_default = Some(g);
    }
    let cluster = &cluster;
    let cc = cluster.compile();
    let all = engines(cluster);
    for image in probes(policy, cluster) {
        let Some((host_scope, host)) = host_gate_for(policy, &image, files, &mut keys)? else {
            continue;
        };
        let cluster = compiled_cluster_gate(&cc, &all, &image).ok();
        let agree = cluster.as_ref() == Some(&host);
        rows.push(DriftRow {
            image,
            host_scope,
            host,
            cluster,
            agree,
        });
    }
    let drift = rows.iter().filter(|r| !r.agree).count();
    Ok(DriftReport { rows, drift })
}
