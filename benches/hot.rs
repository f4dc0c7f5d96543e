//! Criterion benchmarks of the per-image hot path of `policyctl check`: policy parse,
//! manifest digest, payload parse, ECDSA verification and identity matching.
//! Run: `cargo bench --bench hot`. Compare functions with each other (ratios), not with
//! absolute times.

use criterion::{Criterion, criterion_group, criterion_main};
use policyctl::compat::Compat;
use policyctl::eval::prm::matches_docker_reference;
use policyctl::image::manifest;
use policyctl::policy::SignedIdentity;
use policyctl::policy::parse::parse_policy;
use policyctl::reference::docker::Named;
use policyctl::signature::keys::parse_pem_public_key;
use policyctl::signature::payload::{make_payload, parse_payload};
use policyctl::signature::sign::{p256_key_from_seed, p256_public_pem, sign_p256};
use policyctl::signature::verify::verify_sigstore;

fn hot(c: &mut Criterion) {
    let policy = std::fs::read("testdata/demo/policy.json").unwrap_or_default();
    let m = std::fs::read("testdata/check/dir/a/manifest.json").unwrap_or_default();
    let digest = manifest::digest(&m, Compat::Current).unwrap_or_default();
    let sk = p256_key_from_seed("bench");
    let key = parse_pem_public_key(p256_public_pem(&sk).as_bytes()).ok();
    let payload = make_payload("ghcr.io/armorred/app", &digest, None);
    let sig = sign_p256(&sk, &payload);
    let image = Named::parse_normalized("ghcr.io/armorred/app:1.0").ok();

    c.bench_function("parse_policy (demo)", |b| {
        b.iter(|| parse_policy(&policy, Compat::Current))
    });
    c.bench_function("manifest digest", |b| {
        b.iter(|| manifest::digest(&m, Compat::Current))
    });
    c.bench_function("payload parse", |b| {
        b.iter(|| parse_payload(&payload, Compat::Current))
    });
    if let Some(k) = &key {
        let keys = std::slice::from_ref(k);
        c.bench_function("ECDSA P-256 verify", |b| {
            b.iter(|| verify_sigstore(keys, &payload, &sig, Compat::Current))
        });
    }
    c.bench_function("key PEM parse", |b| {
        b.iter(|| parse_pem_public_key(p256_public_pem(&sk).as_bytes()))
    });
    c.bench_function("identity matchRepository", |b| {
        b.iter(|| {
            matches_docker_reference(
                &SignedIdentity::MatchRepository,
                image.as_ref(),
                "ghcr.io/armorred/app",
            )
        })
    });
}

criterion_group!(benches, hot);
criterion_main!(benches);
