//! Fixture generator for tests and the demo (run by `testdata/make-fixtures.sh`).
//!
//! ```text
//! cargo run --example fixtures -- layout OUT                 # OCI layout: refs a, b, multi
//! cargo run --example fixtures -- pubkey SEED                # PEM public key of a test key
//! cargo run --example fixtures -- sign DIR IDENTITY SEED [INSTANCE-DIGEST] [SIGNED-DIGEST]
//! cargo run --example fixtures -- attach LAYOUT REF IDENTITY SEED   # cosign-style .sig manifest
//! cargo run --example fixtures -- store GRAPHROOT N SEED     # synthetic vfs store, N signed images
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
fn sign(
    dir: &Path,
    identity: &str,
    seed: &str,
    instance: Option<&str>,
    signed_digest: Option<&str>,
) -> Res<()> {
    let (manifest_file, prefix) = match instance {
        Some(d) => (
            format!("{}.manifest.json", &d[7..]),
            format!("{}.", &d[7..]),
        ),
        None => ("manifest.json".to_owned(), String::new()),
    };
    let m = fs::read(dir.join(manifest_file))?;
    let digest = signed_digest.map_or_else(|| sha256_digest(&m), str::to_owned);
    let sig = sigstore_signature(
        &p256_key_from_seed(seed),
        make_payload(identity, &digest, None),
    );
    let mut n = 1;
    while dir.join(format!("{prefix}signature-{n}")).exists() {
        n += 1;
    }
    fs::write(
        dir.join(format!("{prefix}signature-{n}")),
        sigstore_to_blob(&sig),
    )?;
    Ok(())
}

/// Adds a cosign-style signature manifest (`sha256-<hex>.sig`) for REF to an OCI layout.
fn attach(root: &Path, reference: &str, identity: &str, seed: &str) -> Res<()> {
    let mut index: Value = serde_json::from_slice(&fs::read(root.join("index.json"))?)?;
    let target = index["manifests"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|d| d["annotations"]["org.opencontainers.image.ref.name"] == reference)
        })
        .and_then(|d| d["digest"].as_str())
        .ok_or("reference not in index.json")?
        .to_owned();
    let sig = sigstore_signature(
        &p256_key_from_seed(seed),
        make_payload(identity, &target, None),
    );
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

/// c/storage `makeBigDataBaseName`.
fn big_data_name(key: &str) -> String {
    use base64::Engine;
    let chars: Vec<char> = key.chars().collect();
    match chars
        .iter()
        .position(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.'))
    {
        None => key.to_owned(),
        Some(i) if i == chars.len() - 1 => key.to_owned(),
        Some(_) => format!("={}", base64::engine::general_purpose::STANDARD.encode(key)),
    }
}

/// Writes a synthetic vfs store of N images, each with one sigstore signature (benchmarks).
/// No layers: policy evaluation never reads them.
fn store(root: &Path, n: usize, seed: &str) -> Res<()> {
    let images_dir = root.join("vfs-images");
    fs::create_dir_all(&images_dir)?;
    let key = p256_key_from_seed(seed);
    let mut records = Vec::with_capacity(n);
    for i in 0..n {
        let config = serde_json::to_vec(
            &json!({"architecture": "amd64", "os": "linux", "config": {"Labels": {"n": i.to_string()}},
            "rootfs": {"type": "layers", "diff_ids": []}}),
        )?;
        let id = sha256_digest(&config)[7..].to_owned();
        let manifest = serde_json::to_vec(
            &json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": format!("sha256:{id}"), "size": config.len()},
            "layers": []}),
        )?;
        let md = sha256_digest(&manifest);
        let name = format!("example.com/bench/app-{i}:1");
        let sig = sigstore_to_blob(&sigstore_signature(
            &key,
            make_payload(&format!("example.com/bench/app-{i}"), &md, None),
        ));
        let dir = images_dir.join(&id);
        fs::create_dir_all(&dir)?;
        let items: Vec<(String, Vec<u8>)> = vec![
            (format!("sha256:{id}"), config.clone()),
            (format!("manifest-{md}"), manifest.clone()),
            ("manifest".to_owned(), manifest.clone()),
            ("signatures".to_owned(), sig.clone()),
            (format!("signature-{}", &md[7..]), sig.clone()),
        ];
        let mut sizes = serde_json::Map::new();
        let mut digests = serde_json::Map::new();
        for (k, v) in &items {
            fs::write(dir.join(big_data_name(k)), v)?;
            sizes.insert(k.clone(), json!(v.len()));
            digests.insert(
                k.clone(),
                json!(if k.starts_with("manifest") {
                    md.clone()
                } else {
                    sha256_digest(v)
                }),
            );
        }
        let metadata =
            json!({"signature-sizes": [sig.len()], "signatures-sizes": {md.clone(): [sig.len()]}})
                .to_string();
        records.push(json!({"id": id, "digest": md, "names": [name], "metadata": metadata,
            "big-data-names": items.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
            "big-data-sizes": sizes, "big-data-digests": digests, "created": "2026-01-01T00:00:00Z"}));
    }
    fs::write(
        images_dir.join("images.json"),
        serde_json::to_vec(&records)?,
    )?;
    Ok(())
}

/// Prints the cost in ns of one unit of `check --all` work done in-process: manifest hash +
/// payload JSON parse + ECDSA P-256 verification (the reference for the --all benchmark).
fn unitcost(iterations: usize) -> Res<()> {
    use policyctl::compat::Compat;
    use policyctl::signature::keys::parse_pem_public_key;
    use policyctl::signature::payload::parse_payload;
    use policyctl::signature::sign::sign_p256;
    use policyctl::signature::verify::verify_sigstore;
    let sk = p256_key_from_seed("unit");
    let key = parse_pem_public_key(p256_public_pem(&sk).as_bytes())?;
    let manifest = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":1},"layers":[]}"#;
    let payload = make_payload("example.com/bench/app", &sha256_digest(manifest), None);
    let sig = sign_p256(&sk, &payload);
    let start = std::time::Instant::now();
    for _ in 0..iterations {
        let d = sha256_digest(std::hint::black_box(manifest));
        let v = verify_sigstore(std::slice::from_ref(&key), &payload, &sig, Compat::Current)
            .map_err(|e| e.0)?;
        let p = parse_payload(v.payload(), Compat::Current)?;
        std::hint::black_box((d, p));
    }
    println!("{}", start.elapsed().as_nanos() / iterations as u128);
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
        "sign" => sign(
            Path::new(a(1)?),
            a(2)?,
            a(3)?,
            args.get(4).map(String::as_str).filter(|s| !s.is_empty()),
            args.get(5).map(String::as_str),
        ),
        "attach" => attach(Path::new(a(1)?), a(2)?, a(3)?, a(4)?),
        "unitcost" => unitcost(a(1)?.parse()?),
        "store" => store(Path::new(a(1)?), a(2)?.parse()?, a(3)?),
        other => Err(format!("unknown command {other}").into()),
    }
}
