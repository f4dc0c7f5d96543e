//! Fixture generator for tests and the demo (run by `testdata/make-fixtures.sh`).
//!
//! ```text
//! cargo run --example fixtures -- layout OUT                 # OCI layout: refs a, b, multi
//! cargo run --example fixtures -- pubkey SEED                # PEM public key of a test key
//! cargo run --example fixtures -- sign DIR IDENTITY SEED [INSTANCE-DIGEST] [SIGNED-DIGEST]
//! cargo run --example fixtures -- attach LAYOUT REF IDENTITY SEED   # cosign-style .sig manifest
//! ```
//!
//! Keys are derived from SEED and are TEST-ONLY (anyone can recompute the private key).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use policyctl::signature::blob::sigstore_to_blob;
use policyctl::signature::keys::sha256_digest;
use policyctl::signature::payload::make_payload;
use policyctl::signature::sign::{p256_key_from_seed, p256_public_pem, sigstore_signature};
use serde_json::{Value, json};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn blob(root: &Path, data: &[u8]) -> Res<String> {
    let d = sha256_digest(data);
    let dir = root.join("blobs/sha256");
    fs::create_dir_all(&dir)?;
    fs::write(dir.join(&d[7..]), data)?;
    Ok(d)
}

/// A one-file uncompressed layer tar.
fn layer(content: &str) -> Res<Vec<u8>> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_size(content.len() as u64);
    h.set_mode(0o644);
    h.set_mtime(0);
    h.set_cksum();
    b.append_data(&mut h, "hello.txt", content.as_bytes())?;
    Ok(b.into_inner()?)
}

fn image(root: &Path, content: &str, arch: &str) -> Res<(String, usize)> {
    let l = layer(content)?;
    let diff_id = sha256_digest(&l);
    let ld = blob(root, &l)?;
    let config = serde_json::to_vec(&json!({
        "architecture": arch, "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]}
    }))?;
    let cd = blob(root, &config)?;
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": l.len()}]
    }))?;
    let md = blob(root, &manifest)?;
    Ok((md, manifest.len()))
}

fn layout(out: &Path) -> Res<()> {
    fs::create_dir_all(out)?;
    fs::write(out.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#)?;
    let (a, asz) = image(out, "policyctl fixture image a\n", "amd64")?;
    let (b, bsz) = image(out, "policyctl fixture image b\n", "amd64")?;
    let (x, xsz) = image(out, "policyctl fixture multi amd64\n", "amd64")?;
    let (y, ysz) = image(out, "policyctl fixture multi arm64\n", "arm64")?;
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": x, "size": xsz,
             "platform": {"os": "linux", "architecture": "amd64"}},
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": y, "size": ysz,
             "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}}
        ]
    }))?;
    let idx = blob(out, &index)?;
    let top = json!({
        "schemaVersion": 2,
        "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": a, "size": asz,
             "annotations": {"org.opencontainers.image.ref.name": "a"}},
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": b, "size": bsz,
             "annotations": {"org.opencontainers.image.ref.name": "b"}},
            {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": idx, "size": index.len(),
             "annotations": {"org.opencontainers.image.ref.name": "multi"}}
        ]
    });
    fs::write(out.join("index.json"), serde_json::to_vec(&top)?)?;
    Ok(())
}

/// Appends a sigstore signature to a `dir:` image (top level, or an instance).
fn sign(dir: &Path, identity: &str, seed: &str, instance: Option<&str>, signed_digest: Option<&str>) -> Res<()> {
    let (manifest_file, prefix) = match instance {
        Some(d) => (format!("{}.manifest.json", &d[7..]), format!("{}.", &d[7..])),
        None => ("manifest.json".to_owned(), String::new()),
    };
    let m = fs::read(dir.join(manifest_file))?;
    let digest = signed_digest.map_or_else(|| sha256_digest(&m), str::to_owned);
    let sig = sigstore_signature(&p256_key_from_seed(seed), make_payload(identity, &digest, None));
    let mut n = 1;
    while dir.join(format!("{prefix}signature-{n}")).exists() {
        n += 1;
    }
    fs::write(dir.join(format!("{prefix}signature-{n}")), sigstore_to_blob(&sig))?;
    Ok(())
}

/// Adds a cosign-style signature manifest (`sha256-<hex>.sig`) for REF to an OCI layout.
fn attach(root: &Path, reference: &str, identity: &str, seed: &str) -> Res<()> {
    let mut index: Value = serde_json::from_slice(&fs::read(root.join("index.json"))?)?;
    let target = index["manifests"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["annotations"]["org.opencontainers.image.ref.name"] == reference))
        .and_then(|d| d["digest"].as_str())
        .ok_or("reference not in index.json")?
        .to_owned();
    let sig = sigstore_signature(&p256_key_from_seed(seed), make_payload(identity, &target, None));
    let pd = blob(root, &sig.payload)?;
    let config = b"{}".to_vec();
    let cd = blob(root, &config)?;
    let ann: BTreeMap<_, _> = sig.annotations.clone();
    let m = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": config.len()},
        "layers": [{"mediaType": sig.mime_type, "digest": pd, "size": sig.payload.len(), "annotations": ann}]
    }))?;
    let md = blob(root, &m)?;
    let tag = target.replacen(':', "-", 1) + ".sig";
    if let Some(a) = index["manifests"].as_array_mut() {
        a.push(json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": m.len(),
                      "annotations": {"org.opencontainers.image.ref.name": tag}}));
    }
    fs::write(root.join("index.json"), serde_json::to_vec(&index)?)?;
    Ok(())
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let a = |i: usize| args.get(i).map(String::as_str).ok_or("missing argument");
    match a(0)? {
        "layout" => layout(Path::new(a(1)?)),
        "pubkey" => {
            print!("{}", p256_public_pem(&p256_key_from_seed(a(1)?)));
            Ok(())
        }
        "sign" => sign(Path::new(a(1)?), a(2)?, a(3)?, args.get(4).map(String::as_str).filter(|s| !s.is_empty()), args.get(5).map(String::as_str)),
        "attach" => attach(Path::new(a(1)?), a(2)?, a(3)?, a(4)?),
        other => Err(format!("unknown command {other}").into()),
    }
}
