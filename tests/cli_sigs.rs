//! `policyctl sigs list` (issue 13) on real stores: c/image's own fixtures in `dir:`, an OCI
//! layout carrying every kind of cosign object (a `.sig` tag, a signed `.att` attestation, an
//! unsigned `.sbom`, and cosign's real Sigstore bundle as a referrer blob, as `cosign save`
//! leaves it), and a `containers-storage:` store written by Debian's skopeo — whose own view
//! (what `skopeo copy` carries over) must match the "podman reads it" column.

use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::util::{policyctl, repo, write};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn list_json(refs: &[String], env: &[(&str, &Path)]) -> (i32, serde_json::Value) {
    let mut cmd = policyctl();
    for (k, v) in env {
        cmd = cmd.env(k, v);
    }
    let out = cmd
        .args(["sigs", "list", "--json"])
        .args(refs)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "no JSON ({e}): {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        }),
    )
}

pub(crate) fn put_blob(layout: &Path, bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(layout.join("blobs/sha256").join(&hex), bytes).unwrap();
    format!("sha256:{hex}")
}

pub(crate) fn descriptor(media_type: &str, digest: &str, size: usize) -> serde_json::Value {
    serde_json::json!({"mediaType": media_type, "digest": digest, "size": size})
}

/// A cosign-style manifest with one layer; returns its digest and size.
pub(crate) fn attachment(
    layout: &Path,
    layer_type: &str,
    layer: &[u8],
    annotations: serde_json::Value,
    subject: Option<&str>,
    artifact_type: Option<&str>,
) -> (String, usize) {
    let config = put_blob(layout, b"{}");
    let layer_digest = put_blob(layout, layer);
    let mut l = descriptor(layer_type, &layer_digest, layer.len());
    l["annotations"] = annotations;
    let mut m = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": descriptor(
            artifact_type.unwrap_or("application/vnd.oci.image.config.v1+json"),
            &config,
            2
        ),
        "layers": [l],
    });
    if let Some(s) = subject {
        m["subject"] = descriptor("application/vnd.oci.image.manifest.v1+json", s, 397);
    }
    if let Some(a) = artifact_type {
        m["artifactType"] = a.into();
    }
    let bytes = serde_json::to_vec(&m).unwrap();
    (put_blob(layout, &bytes), bytes.len())
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(from).unwrap();
        let dst = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dst).unwrap();
        } else {
            std::fs::copy(e.path(), &dst).unwrap();
        }
    }
}

/// The demo layout (image `a` and its `.sig`) plus an attestation, an SBOM and a bundle.
fn layout_with_everything(t: &Path) -> (PathBuf, String) {
    let layout = t.join("layout");
    copy_dir(&repo("testdata/demo/oci"), &layout);
    let index_path = layout.join("index.json");
    let mut index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&index_path).unwrap()).unwrap();
    let image = index["manifests"][0]["digest"].as_str().unwrap().to_owned();
    let tag = image.replacen(':', "-", 1);
    // A DSSE attestation (SPDX predicate) over the image, signed with a test key.
    let statement = serde_json::json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://spdx.dev/Document",
        "subject": [{"name": "ghcr.io/armorred/app", "digest": {"sha256": image.trim_start_matches("sha256:")}}],
        "predicate": {"spdxVersion": "SPDX-2.3"},
    });
    let payload = serde_json::to_vec(&statement).unwrap();
    let key = policyctl::signature::sign::p256_key_from_seed("attester (test only)");
    let pae = policyctl::attestation::pae("application/vnd.in-toto+json", &payload);
    let sig = policyctl::signature::sign::sign_p256(&key, &pae);
    let envelope = serde_json::json!({
        "payloadType": "application/vnd.in-toto+json",
        "payload": B64.encode(&payload),
        "signatures": [{"keyid": "", "sig": sig}],
    });
    let (att, att_size) = attachment(
        &layout,
        "application/vnd.dsse.envelope.v1+json",
        &serde_json::to_vec(&envelope).unwrap(),
        serde_json::json!({"dev.cosignproject.cosign/signature": "", "predicateType": "https://spdx.dev/Document"}),
        None,
        None,
    );
    let (sbom, sbom_size) = attachment(
        &layout,
        "text/spdx+json",
        br#"{"spdxVersion":"SPDX-2.3"}"#,
        serde_json::json!({}),
        None,
        None,
    );
    let manifests = index["manifests"].as_array_mut().unwrap();
    for (d, size, suffix) in [(&att, att_size, "att"), (&sbom, sbom_size, "sbom")] {
        let mut e = descriptor("application/vnd.oci.image.manifest.v1+json", d, size);
        e["annotations"] =
            serde_json::json!({"org.opencontainers.image.ref.name": format!("{tag}.{suffix}")});
        manifests.push(e);
    }
    std::fs::write(&index_path, serde_json::to_vec(&index).unwrap()).unwrap();
    // cosign 3's bundle as a referrer, only as blobs (what `cosign save` leaves).
    attachment(
        &layout,
        "application/vnd.dev.sigstore.bundle.v0.3+json",
        &std::fs::read(repo("testdata/store/oci-attestation.sigstore.json")).unwrap(),
        serde_json::json!({}),
        Some(&image),
        Some("application/vnd.dev.sigstore.bundle.v0.3+json"),
    );
    (layout, image)
}

#[test]
fn dir_images_list_what_cimage_reads() {
    let (code, v) = list_json(
        &[
            format!(
                "dir:{}",
                repo("testdata/upstream-sigstore/dir-img-cosign-fulcio-rekor-valid").display()
            ),
            format!(
                "dir:{}",
                repo("testdata/upstream-gpg/dir-img-valid").display()
            ),
            format!(
                "dir:{}",
                repo("testdata/upstream-gpg/dir-img-unsigned").display()
            ),
            "dir:/nonexistent/image".into(),
        ],
        &[],
    );
    assert_eq!(code, 2, "an unreadable image is an error: {v}");
    let imgs = v["images"].as_array().unwrap();
    let fulcio = &imgs[0]["entries"][0];
    assert_eq!(fulcio["kind"], "cosign-signature");
    assert_eq!(fulcio["podman_reads"], true);
    assert!(
        fulcio["signer"]
            .as_str()
            .unwrap()
            .contains("mitr@redhat.com")
    );
    assert_eq!(
        fulcio["claimed_identity"],
        "192.168.64.2:5000/cosign-signed/fulcio-rekor-1"
    );
    let gpg = &imgs[1]["entries"][0];
    assert_eq!(gpg["kind"], "simple-signing");
    assert_eq!(
        gpg["signer"],
        "OpenPGP key 08CD26E446E2E95249B7A405E932F44B23E8DD43"
    );
    assert_eq!(gpg["claimed_identity"], "testing/manifest:latest");
    assert_eq!(imgs[2]["entries"].as_array().unwrap().len(), 0);
    assert_eq!(imgs[2]["podman_reads"], 0);
    assert!(imgs[3]["error"].as_str().unwrap().contains("/nonexistent"));
}

#[test]
fn oci_layouts_list_every_cosign_object_and_podman_reads_none() {
    let t = tempfile::tempdir().unwrap();
    let (layout, image) = layout_with_everything(t.path());
    let (code, v) = list_json(&[format!("oci:{}:a", layout.display())], &[]);
    assert_eq!(code, 0, "{v}");
    let img = &v["images"][0];
    assert_eq!(img["manifest_digest"], image.as_str());
    assert_eq!(img["podman_reads"], 0);
    let kinds: Vec<&str> = img["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["cosign-signature", "attestation", "sbom", "bundle"],
        "{img}"
    );
    let e = &img["entries"];
    assert_eq!(e[1]["predicate_type"], "https://spdx.dev/Document");
    assert_eq!(e[1]["subject_digests"][0], image.as_str());
    assert_eq!(e[1]["store"], "oci-layout-tag");
    assert_eq!(e[3]["store"], "oci-layout-referrer");
    assert_eq!(
        e[3]["predicate_type"],
        "https://cosign.sigstore.dev/attestation/v1"
    );
    assert!(
        e[3]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("--new-bundle-format=false"))
    );
    for entry in e.as_array().unwrap() {
        assert_eq!(entry["podman_reads"], false, "{entry}");
        assert_eq!(entry["stored_for"], image.as_str());
    }
    // The same layout as an oci-archive: the tagged attachments (not the referrer, which an
    // archive cannot be scanned for).
    let archive = t.path().join("layout.tar");
    let st = std::process::Command::new("tar")
        .arg("-C")
        .arg(&layout)
        .args(["-cf"])
        .arg(&archive)
        .arg(".")
        .status()
        .unwrap();
    assert!(st.success());
    let (code, v) = list_json(&[format!("oci-archive:{}:a", archive.display())], &[]);
    assert_eq!(code, 0, "{v}");
    let kinds: Vec<&str> = v["images"][0]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["cosign-signature", "attestation", "sbom"], "{v}");
    // The human listing says the same.
    let out = policyctl()
        .args(["sigs", "list"])
        .arg(format!("oci:{}:a", layout.display()))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("4 stored object(s), 0 read by podman"),
        "{text}"
    );
    assert!(
        text.contains("predicate: https://spdx.dev/Document (spdxjson)"),
        "{text}"
    );
    assert!(text.contains("podman, skopeo and CRI-O see no signature for this image"));
    // Debian's skopeo agrees: from this layout it copies no signature at all.
    if crate::util::require_tool("skopeo") {
        let accept = write(
            t.path(),
            "accept.json",
            r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
        );
        let dst = t.path().join("copied");
        let st = std::process::Command::new("skopeo")
            .arg("--policy")
            .arg(&accept)
            .args(["copy", "-q"])
            .arg(format!("oci:{}:a", layout.display()))
            .arg(format!("dir:{}", dst.display()))
            .status()
            .unwrap();
        assert!(st.success());
        assert!(!dst.join("signature-1").exists());
    }
}

/// A store written by skopeo: what policyctl lists as read by podman is what skopeo copies
/// out of it again, signature for signature.
#[test]
fn containers_storage_lists_what_skopeo_carries() {
    if !crate::util::require_tool("skopeo") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let t = t.path().canonicalize().unwrap();
    let accept = write(
        &t,
        "accept.json",
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    );
    let spec = format!(
        "[vfs@{}+{}]",
        t.join("store").display(),
        t.join("run").display()
    );
    let name = "example.com/sigs/fulcio:1";
    let skopeo = |from: String, to: String| {
        let out = std::process::Command::new("skopeo")
            .arg("--policy")
            .arg(&accept)
            .args(["copy", "-q"])
            .arg(from)
            .arg(to)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // The fixture carries no layer blobs: give skopeo a full image with its signature.
    let src = t.join("src");
    copy_dir(&repo("testdata/demo/images/signed"), &src);
    skopeo(
        format!("dir:{}", src.display()),
        format!("containers-storage:{spec}{name}"),
    );
    let (code, v) = list_json(
        &[format!("containers-storage:{spec}{name}")],
        &[("HOME", &t)],
    );
    assert_eq!(code, 0, "{v}");
    let img = &v["images"][0];
    assert_eq!(img["transport"], "containers-storage");
    assert_eq!(img["podman_reads"], 1, "{img}");
    let e = &img["entries"][0];
    assert_eq!(e["kind"], "cosign-signature");
    assert_eq!(e["store"], "containers-storage");
    assert_eq!(e["claimed_identity"], "ghcr.io/armorred/app");
    // skopeo carries exactly that signature out of the store again.
    let back = t.join("back");
    skopeo(
        format!("containers-storage:{spec}{name}"),
        format!("dir:{}", back.display()),
    );
    assert_eq!(
        std::fs::read(back.join("signature-1")).unwrap(),
        std::fs::read(src.join("signature-1")).unwrap()
    );
    assert!(!back.join("signature-2").exists());
}

fn attester_key(t: &Path) -> PathBuf {
    let key = policyctl::signature::sign::p256_key_from_seed("attester (test only)");
    write(
        t,
        "attester.pub",
        &policyctl::signature::sign::p256_public_pem(&key),
    )
}

/// `attest verify` and `sbom` on the layout: the signed SPDX attestation verifies with the
/// attester's key (given, or from the policy's scope); another key, another type, or only an
/// unsigned SBOM never yield a verified SBOM.
#[test]
fn attestations_verify_and_the_sbom_comes_only_from_a_verified_one() {
    let t = tempfile::tempdir().unwrap();
    let t = t.path();
    let (layout, image) = layout_with_everything(t);
    let reference = format!("oci:{}:a", layout.display());
    let key = attester_key(t);
    let other = write(
        t,
        "other.pub",
        &policyctl::signature::sign::p256_public_pem(
            &policyctl::signature::sign::p256_key_from_seed("someone else"),
        ),
    );
    let run = |args: &[&str]| {
        let out = policyctl().args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let k = key.to_str().unwrap();
    let (code, stdout, _) = run(&["attest", "verify", "--json", "--key", k, &reference]);
    assert_eq!(code, 0, "{stdout}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["verified"], 1);
    let a = v["attestations"].as_array().unwrap();
    assert_eq!(a.len(), 2, "{v}");
    assert_eq!(a[0]["verdict"], "verified");
    assert_eq!(a[0]["predicate_type"], "https://spdx.dev/Document");
    assert_eq!(a[0]["subject"], "instance");
    assert_eq!(v["manifest_digest"], image.as_str());
    // cosign's keyless bundle: not verifiable with a key; with the Fulcio CA and Rekor key
    // (sigstore's public-good ones, in c/image's fixtures) its log entry and chain verify, and
    // it is refused only because it attests another image.
    assert_eq!(a[1]["verdict"], "unsupported");
    let fx = repo("testdata/upstream-sigstore");
    let keyless = |rekor: &str| {
        let (_, out, _) = run(&[
            "attest",
            "verify",
            "--json",
            "--key",
            k,
            "--fulcio-ca",
            fx.join("fulcio-chain").to_str().unwrap(),
            "--rekor-key",
            rekor,
            "--certificate-email",
            "cody@soyland.com",
            &reference,
        ]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["attestations"][1]["reason"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    let reason = keyless(fx.join("rekor.pub").to_str().unwrap());
    assert!(
        reason.starts_with(
            "no matching subject digest found (subjects: sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"
        ),
        "{reason}"
    );
    let reason = keyless(other.to_str().unwrap());
    assert_eq!(
        reason,
        "cryptographic signature verification of Rekor SET failed"
    );
    // Without flags, the policy's fulcio requirement for the scope is the keyless trust.
    for (email, expected) in [
        ("cody@soyland.com", "no matching subject digest found"),
        ("someone@else.example", "Required email"),
    ] {
        let fulcio_policy = write(
            t,
            &format!("fulcio-{email}.json"),
            &format!(
                r#"{{"default":[{{"type":"reject"}}],"transports":{{"oci":{{"":[{{"type":"sigstoreSigned","fulcio":{{"caPath":"{}","oidcIssuer":"https://github.com/login/oauth","subjectEmail":"{email}"}},"rekorPublicKeyPath":"{}","signedIdentity":{{"type":"matchRepository"}}}}]}}}}}}"#,
                fx.join("fulcio-chain").display(),
                fx.join("rekor.pub").display()
            ),
        );
        let (_, out, e) = run(&[
            "--policy",
            fulcio_policy.to_str().unwrap(),
            "attest",
            "verify",
            "--json",
            &reference,
        ]);
        let v: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}{e}"));
        let reason = v["attestations"][1]["reason"].as_str().unwrap_or("");
        assert!(reason.starts_with(expected), "{email}: {reason}");
    }
    // Another predicate type, another key.
    let (code, stdout, _) = run(&[
        "attest",
        "verify",
        "--type",
        "cyclonedx",
        "--key",
        k,
        &reference,
    ]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("is not the one wanted (https://cyclonedx.org/bom)"),
        "{stdout}"
    );
    let (code, stdout, _) = run(&[
        "attest",
        "verify",
        "--key",
        other.to_str().unwrap(),
        &reference,
    ]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("no signature verified over the DSSE PAE"),
        "{stdout}"
    );
    // The keys of the policy's scope for the layout.
    let policy = write(
        t,
        "policy.json",
        &format!(
            r#"{{"default":[{{"type":"reject"}}],"transports":{{"oci":{{"":[{{"type":"sigstoreSigned","keyPath":"{k}","signedIdentity":{{"type":"matchRepository"}}}}]}}}}}}"#
        ),
    );
    let p = policy.to_str().unwrap();
    let (code, stdout, _) = run(&["--policy", p, "attest", "verify", &reference]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("keys: the policy's scope for the image"),
        "{stdout}"
    );
    let (code, _, stderr) = run(&[
        "--policy",
        p,
        "attest",
        "verify",
        "--policy-for",
        "docker://ghcr.io/armorred/app",
        &reference,
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no trusted key"), "{stderr}");
    // The SBOM: the attested SPDX document, to stdout or a file.
    let (code, stdout, stderr) = run(&["sbom", "--key", k, &reference]);
    assert_eq!(code, 0, "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert!(stderr.contains("re-serialisation"), "{stderr}");
    let file = t.join("out/sbom.spdx.json");
    let (code, _, _) = run(&["sbom", "--key", k, "-o", file.to_str().unwrap(), &reference]);
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), stdout);
    // Without a verified attestation only --allow-unsigned takes the .sbom attachment.
    let o = other.to_str().unwrap();
    let (code, stdout, stderr) = run(&["sbom", "--key", o, &reference]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(stderr.contains("--allow-unsigned"), "{stderr}");
    let (code, stdout, stderr) = run(&["sbom", "--key", o, "--allow-unsigned", &reference]);
    assert_eq!(code, 0);
    assert_eq!(stdout, r#"{"spdxVersion":"SPDX-2.3"}"#);
    assert!(stderr.contains("WARNING: UNSIGNED SBOM"), "{stderr}");
    // A dir: image never carries attestations.
    let (code, stdout, _) = run(&[
        "attest",
        "verify",
        "--key",
        k,
        &format!("dir:{}", repo("testdata/demo/images/signed").display()),
    ]);
    assert_eq!(code, 1);
    assert!(stdout.contains("never carry attestations"), "{stdout}");
}

/// `sigs copy`: cosign's signature in an OCI layout becomes the `dir:` signature c/image
/// itself would have stored (byte for byte), which skopeo carries into containers-storage
/// where policyctl and current c/image accept it; back into a layout it becomes cosign's .sig
/// layer; copies are idempotent, dry runs write nothing, other images are refused.
#[test]
fn sigs_copy_moves_signatures_between_stores() {
    let t = tempfile::tempdir().unwrap();
    let t = t.path().canonicalize().unwrap();
    let run = |args: &[&str]| {
        let o = policyctl().args(args).output().unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let img = t.join("img");
    copy_dir(&repo("testdata/demo/images/unsigned"), &img);
    let src = format!("oci:{}:a", repo("testdata/demo/oci").display());
    let dst = format!("dir:{}", img.display());
    let (code, out, _) = run(&["sigs", "copy", "--dry-run", &src, &dst]);
    assert_eq!(code, 0);
    assert!(out.contains("would copy 1 signature(s)"), "{out}");
    assert!(!img.join("signature-1").exists());
    let (code, out, e) = run(&["sigs", "copy", &src, &dst]);
    assert_eq!(code, 0, "{e}");
    assert!(
        out.contains("copied 1 signature(s), 0 already there"),
        "{out}"
    );
    assert_eq!(
        std::fs::read(img.join("signature-1")).unwrap(),
        std::fs::read(repo("testdata/demo/images/signed/signature-1")).unwrap()
    );
    let (_, out, _) = run(&["sigs", "copy", &src, &dst]);
    assert!(
        out.contains("copied 0 signature(s), 1 already there"),
        "{out}"
    );
    assert!(!img.join("signature-2").exists());
    // Another image is refused.
    let (code, _, e) = run(&[
        "sigs",
        "copy",
        &src,
        &format!("dir:{}", repo("testdata/check/dir/b").display()),
    ]);
    assert_eq!(code, 2);
    assert!(e.contains("holds another image"), "{e}");
    // Back into a layout without signatures: cosign's .sig manifest.
    let layout = t.join("layout");
    copy_dir(&repo("testdata/demo/oci"), &layout);
    let index_path = layout.join("index.json");
    let mut index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&index_path).unwrap()).unwrap();
    index["manifests"].as_array_mut().unwrap().retain(|m| {
        !m["annotations"]["org.opencontainers.image.ref.name"]
            .as_str()
            .unwrap()
            .ends_with(".sig")
    });
    std::fs::write(&index_path, serde_json::to_vec(&index).unwrap()).unwrap();
    let fresh = format!("oci:{}:a", layout.display());
    let (code, out, e) = run(&["sigs", "copy", &dst, &fresh]);
    assert_eq!(code, 0, "{e}");
    assert!(out.contains("copied 1 signature(s)"), "{out}");
    let (_, out, _) = run(&["sigs", "copy", &dst, &fresh]);
    assert!(
        out.contains("copied 0 signature(s), 1 already there"),
        "{out}"
    );
    let (_, v) = list_json(std::slice::from_ref(&fresh), &[]);
    assert_eq!(
        v["images"][0]["entries"][0]["store"], "oci-layout-tag",
        "{v}"
    );
    // skopeo carries the dir: signature into containers-storage, where it is accepted.
    if !crate::util::require_tool("skopeo") {
        return;
    }
    let accept = write(
        &t,
        "accept.json",
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    );
    let spec = format!(
        "[vfs@{}+{}]",
        t.join("store").display(),
        t.join("run").display()
    );
    let stored = format!("containers-storage:{spec}ghcr.io/armorred/app:1");
    let st = std::process::Command::new("skopeo")
        .arg("--policy")
        .arg(&accept)
        .args(["copy", "-q", &dst, &stored])
        .status()
        .unwrap();
    assert!(st.success());
    let policy = write(
        &t,
        "policy.json",
        &format!(
            r#"{{"default":[{{"type":"sigstoreSigned","keyPath":"{}","signedIdentity":{{"type":"matchRepository"}}}}]}}"#,
            repo("testdata/demo/armorred-test.pub").display()
        ),
    );
    let (code, out, _) = run(&["--policy", policy.to_str().unwrap(), "check", &stored]);
    assert_eq!(code, 0, "{out}");
    if let Some(bin) = crate::oracle::oracle(crate::oracle::Version::Current) {
        let v = crate::oracle::check(
            &bin,
            &policy,
            std::slice::from_ref(&stored),
            &crate::oracle::Override::default(),
        );
        assert_eq!(v[0]["verdict"], "accepted", "{}", v[0]);
    }
}

/// `sigs rm`: in dir: the later signatures move down (c/image stops at the first gap); in
/// OCI layouts the .sig manifest loses the layer, and the entry when none is left.
#[test]
fn sigs_rm_keeps_the_numbering_readable() {
    let t = tempfile::tempdir().unwrap();
    let t = t.path().canonicalize().unwrap();
    let key = repo("testdata/store/pemsigstorekey.key");
    let run = |args: &[&str]| {
        let o = policyctl()
            .env("COSIGN_PASSWORD", "hello")
            .args(args)
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let identities = |reference: &str| -> Vec<String> {
        let (_, v) = list_json(&[reference.to_owned()], &[]);
        v["images"][0]["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["claimed_identity"].as_str().unwrap().to_owned())
            .collect()
    };
    let img = t.join("img");
    copy_dir(&repo("testdata/demo/images/unsigned"), &img);
    let dir = format!("dir:{}", img.display());
    let layout = t.join("layout");
    copy_dir(&repo("testdata/demo/oci"), &layout);
    let oci = format!("oci:{}:b", layout.display());
    for reference in [&dir, &oci] {
        for n in 1..=3 {
            let id = format!("ghcr.io/armorred/app:{n}");
            let (code, _, e) = run(&[
                "sign",
                "--identity",
                &id,
                "--key",
                key.to_str().unwrap(),
                reference,
            ]);
            assert_eq!(code, 0, "{e}");
        }
        let all: Vec<String> = (1..=3)
            .map(|n| format!("ghcr.io/armorred/app:{n}"))
            .collect();
        assert_eq!(identities(reference), all);
        let (code, _, _) = run(&["sigs", "rm", "--index", "2", "--dry-run", reference]);
        assert_eq!(code, 0);
        assert_eq!(identities(reference), all);
        let (code, _, e) = run(&["sigs", "rm", "--index", "2", reference]);
        assert_eq!(code, 0, "{e}");
        assert_eq!(identities(reference), [all[0].clone(), all[2].clone()]);
        let (code, _, e) = run(&["sigs", "rm", "--index", "5", reference]);
        assert_eq!(code, 2);
        assert!(e.contains("there is no"), "{e}");
        let (code, _, _) = run(&["sigs", "rm", "--all", reference]);
        assert_eq!(code, 0);
        assert!(identities(reference).is_empty());
    }
    // dir: the removed files are kept as .bak; c/image sees no signature any more.
    assert!(!img.join("signature-1").exists());
    assert!(img.join("signature-1.bak").exists());
    // The layout's index no longer names a .sig for b.
    let index = std::fs::read_to_string(layout.join("index.json")).unwrap();
    assert!(
        !index.contains(
            "sha256-ff5c49fead6eee190ccd619b206edcd7a03d3a71aa081ee19d234915ec83b6ee.sig"
        )
    );
}

/// `sigs verify`: every stored cosign signature checked on its own, in any store.
#[test]
fn sigs_verify_checks_each_stored_signature() {
    let run = |args: &[&str]| {
        let o = policyctl().args(args).output().unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    let key = repo("testdata/demo/armorred-test.pub");
    let k = key.to_str().unwrap();
    let other = repo("testdata/upstream/cosign.pub");
    for reference in [
        format!("dir:{}", repo("testdata/demo/images/signed").display()),
        format!("oci:{}:a", repo("testdata/demo/oci").display()),
    ] {
        let (code, out) = run(&["sigs", "verify", "--key", k, &reference]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("verified with key sha256:"), "{out}");
        assert!(out.contains("1 signature(s) verified"), "{out}");
        let (code, out) = run(&[
            "sigs",
            "verify",
            "--key",
            other.to_str().unwrap(),
            &reference,
        ]);
        assert_eq!(code, 1, "{out}");
        assert!(
            out.contains("rejected: cryptographic signature verification failed"),
            "{out}"
        );
    }
    // A signature for another manifest verifies cryptographically but not for this image.
    let (code, out) = run(&[
        "sigs",
        "verify",
        "--key",
        k,
        &format!("dir:{}", repo("testdata/demo/images/tampered").display()),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("but for another manifest"), "{out}");
}

/// `sigs inspect`: decoded payloads, certificates, bundles and attestation statements.
#[test]
fn sigs_inspect_decodes_what_is_stored() {
    let t = tempfile::tempdir().unwrap();
    let (layout, image) = layout_with_everything(t.path());
    let run = |args: &[&str]| {
        let o = policyctl().args(args).output().unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let reference = format!("oci:{}:a", layout.display());
    let (code, out, _) = run(&["sigs", "inspect", &reference]);
    assert_eq!(code, 0);
    // The cosign payload, the attestation's statement, the bundle's statement.
    assert!(
        out.contains(r#""docker-reference": "ghcr.io/armorred/app""#),
        "{out}"
    );
    assert!(
        out.contains("DSSE payload (application/vnd.in-toto+json)"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            r#""sha256": "{}""#,
            image.trim_start_matches("sha256:")
        )),
        "{out}"
    );
    assert!(out.contains("bundle DSSE payload"), "{out}");
    assert!(
        out.contains("https://cosign.sigstore.dev/attestation/v1"),
        "{out}"
    );
    let (code, out, _) = run(&["sigs", "inspect", "--index", "3", &reference]);
    assert_eq!(code, 0);
    assert!(out.starts_with("3. SBOM (unsigned)"), "{out}");
    let (code, _, e) = run(&["sigs", "inspect", "--index", "9", &reference]);
    assert_eq!(code, 2);
    assert!(e.contains("there is no entry 9"), "{e}");
    // A keyless dir: signature: the certificate described, the Rekor bundle pretty-printed.
    let (_, out, _) = run(&[
        "sigs",
        "inspect",
        &format!(
            "dir:{}",
            repo("testdata/upstream-sigstore/dir-img-cosign-fulcio-rekor-valid").display()
        ),
    ]);
    assert!(
        out.contains("certificate for mitr@redhat.com, OIDC issuer https://github.com/login/oauth"),
        "{out}"
    );
    assert!(out.contains(r#""logIndex": 11605770"#), "{out}");
}

/// `sigs copy` into containers-storage: cosign's layout signature is stored as a pull would
/// store it; podman still lists the image, skopeo carries the signature out byte for byte, and
/// current c/image accepts the image; a second copy changes nothing.
#[test]
fn sigs_copy_into_containers_storage() {
    if !crate::util::require_tool("skopeo") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let t = t.path().canonicalize().unwrap();
    let spec = format!(
        "[vfs@{}+{}]",
        t.join("root").display(),
        t.join("run").display()
    );
    let stored = format!("containers-storage:{spec}ghcr.io/armorred/app:1");
    let accept = write(
        &t,
        "accept.json",
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    );
    let skopeo = |from: &str, to: &str| {
        let st = std::process::Command::new("skopeo")
            .arg("--policy")
            .arg(&accept)
            .args(["copy", "-q", from, to])
            .status()
            .unwrap();
        assert!(st.success());
    };
    skopeo(
        &format!("dir:{}", repo("testdata/demo/images/unsigned").display()),
        &stored,
    );
    let src = format!("oci:{}:a", repo("testdata/demo/oci").display());
    for expected in [
        "copied 1 signature(s)",
        "copied 0 signature(s), 1 already there",
    ] {
        let o = policyctl()
            .args(["sigs", "copy", &src, &stored])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).contains(expected));
    }
    let back = t.join("back");
    skopeo(&stored, &format!("dir:{}", back.display()));
    assert_eq!(
        std::fs::read(back.join("signature-1")).unwrap(),
        std::fs::read(repo("testdata/demo/images/signed/signature-1")).unwrap()
    );
    assert!(!back.join("signature-2").exists());
    let policy = write(
        &t,
        "policy.json",
        &format!(
            r#"{{"default":[{{"type":"sigstoreSigned","keyPath":"{}","signedIdentity":{{"type":"matchRepository"}}}}]}}"#,
            repo("testdata/demo/armorred-test.pub").display()
        ),
    );
    if let Some(bin) = crate::oracle::oracle(crate::oracle::Version::Current) {
        let v = crate::oracle::check(
            &bin,
            &policy,
            std::slice::from_ref(&stored),
            &crate::oracle::Override::default(),
        );
        assert_eq!(v[0]["verdict"], "accepted", "{}", v[0]);
    }
}

/// `sigs rm` in containers-storage: the chosen signature goes from every item that holds it,
/// and skopeo then carries exactly the rest.
#[test]
fn sigs_rm_in_containers_storage() {
    if !crate::util::require_tool("skopeo") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let t = t.path().canonicalize().unwrap();
    let spec = format!(
        "[vfs@{}+{}]",
        t.join("root").display(),
        t.join("run").display()
    );
    let stored = format!("containers-storage:{spec}ghcr.io/armorred/app:1");
    let accept = write(
        &t,
        "accept.json",
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    );
    let skopeo = |from: &str, to: &str| {
        let st = std::process::Command::new("skopeo")
            .arg("--policy")
            .arg(&accept)
            .args(["copy", "-q", from, to])
            .status()
            .unwrap();
        assert!(st.success());
    };
    skopeo(
        &format!("dir:{}", repo("testdata/demo/images/unsigned").display()),
        &stored,
    );
    let key = repo("testdata/store/pemsigstorekey.key");
    for n in 1..=3 {
        let o = policyctl()
            .env("COSIGN_PASSWORD", "hello")
            .args([
                "sign",
                "--identity",
                &format!("ghcr.io/armorred/app:{n}"),
                "--key",
            ])
            .arg(&key)
            .arg(&stored)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let identities = || -> Vec<String> {
        let (_, v) = list_json(std::slice::from_ref(&stored), &[]);
        v["images"][0]["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["claimed_identity"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(identities().len(), 3);
    let o = policyctl()
        .args(["sigs", "rm", "--index", "2", &stored])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        identities(),
        ["ghcr.io/armorred/app:1", "ghcr.io/armorred/app:3"]
    );
    let back = t.join("back");
    skopeo(&stored, &format!("dir:{}", back.display()));
    assert!(back.join("signature-2").exists() && !back.join("signature-3").exists());
    let o = policyctl()
        .args(["sigs", "rm", "--all", &stored])
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(identities().is_empty());
    let again = t.join("again");
    skopeo(&stored, &format!("dir:{}", again.display()));
    assert!(!again.join("signature-1").exists());
}

/// `sigs verify` without --key uses every trust root of the policy's scope (here Fulcio with
/// Rekor), through the verifiers `check` uses.
#[test]
fn sigs_verify_uses_the_policys_trust_roots() {
    let t = tempfile::tempdir().unwrap();
    let fx = repo("testdata/upstream-sigstore");
    let policy = write(
        t.path(),
        "policy.json",
        &format!(
            r#"{{"default":[{{"type":"reject"}}],"transports":{{"dir":{{"":[{{"type":"sigstoreSigned","fulcio":{{"caPath":"{}","oidcIssuer":"https://github.com/login/oauth","subjectEmail":"mitr@redhat.com"}},"rekorPublicKeyPath":"{}","signedIdentity":{{"type":"matchRepository"}}}}]}}}}}}"#,
            fx.join("fulcio_v1.crt.pem").display(),
            fx.join("rekor.pub").display()
        ),
    );
    let run = |image: &str| {
        let o = policyctl()
            .arg("--policy")
            .arg(&policy)
            .args(["sigs", "verify"])
            .arg(format!("dir:{}", fx.join(image).display()))
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    let (code, out) = run("dir-img-cosign-fulcio-rekor-valid");
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("verified by Fulcio certificate for mitr@redhat.com"),
        "{out}"
    );
    let (code, out) = run("dir-img-cosign-pki-valid");
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("rejected: missing dev.sigstore.cosign/bundle annotation"),
        "{out}"
    );
}
