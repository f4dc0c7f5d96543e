//! Issue 8: manifests, lists and stores an attacker shapes so that a decoder other than Go's
//! `encoding/json` sees a different image. Each case is a `dir:` image carrying a genuine
//! signature (TEST-ONLY key `fixtures-key`) for *another* manifest or instance; the expected
//! verdicts are c/image's (checked against current c/image by `diff_current_check` and reasoned
//! from the 5.23.1 sources where it differs). None may be ACCEPTED.

use std::path::{Path, PathBuf};

use base64::Engine;
use policyctl::signature::blob::sigstore_to_blob;
use policyctl::signature::keys::sha256_digest;
use policyctl::signature::payload::make_payload;
use policyctl::signature::sign::{p256_key_from_seed, sigstore_signature};

use crate::util::{policyctl, write};

const AMD64: &str = "3a6e9705da152a69a54a9b57dc065459e27ae26b4031f647ebf6e984cc834018";
const ARM64: &str = "418abaa0c577d3761aa0ffe5f968c7f40cb2d6822e5c1e376c2ba6a783641408";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

struct Case {
    _tmp: tempfile::TempDir,
    img: PathBuf,
    policy: PathBuf,
}

impl Case {
    /// A copy of `testdata/check/dir/{src}` and a policy requiring `fixtures-key` signatures
    /// for identity `example.com/fixtures/{name}` (`a-sigstore` is signed as `a`).
    fn new(src: &str) -> Case {
        let name = src.strip_suffix("-sigstore").unwrap_or(src);
        let tmp = tempfile::tempdir().unwrap();
        let img = tmp.path().join(src);
        copy_dir(&Path::new("testdata/check/dir").join(src), &img);
        let policy = write(
            tmp.path(),
            "p.json",
            &format!(
                r#"{{"default":[{{"type":"sigstoreSigned","keyPath":"testdata/check/fixtures-key.pub","signedIdentity":{{"type":"exactRepository","dockerRepository":"example.com/fixtures/{name}"}}}}]}}"#
            ),
        );
        Case {
            _tmp: tmp,
            img,
            policy,
        }
    }

    /// Writes a genuine signature of `digest` to `file`.
    fn sign(&self, identity: &str, digest: &str, file: &str) {
        let key = p256_key_from_seed("fixtures-key");
        let s = sigstore_signature(&key, make_payload(identity, digest, None));
        std::fs::write(self.img.join(file), sigstore_to_blob(&s)).unwrap();
    }

    fn set_manifest(&self, text: &str) {
        std::fs::write(self.img.join("manifest.json"), text).unwrap();
    }

    fn run(&self, compat: &str, extra: &[&str]) -> (i32, String) {
        let out = policyctl()
            .args(["check", "--compat", compat])
            .args(extra)
            .arg("--policy")
            .arg(&self.policy)
            .arg(format!("dir:{}", self.img.display()))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.code().unwrap_or(-1), text)
    }
}

/// A libtrust-style pretty JWS: `body` (a JSON object) with a `signatures` member whose
/// protected header claims `format_length` and `tail`.
fn pretty_jws(body: &str, format_length: usize, tail: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let protected = format!(
        r#"{{"formatLength":{format_length},"formatTail":"{}","time":"2020-01-01T00:00:00Z"}}"#,
        b64.encode(tail)
    );
    let close = body.rfind('}').unwrap();
    format!(
        "{},\n   \"signatures\": [{{\"header\":{{\"alg\":\"ES256\"}},\"signature\":\"c2ln\",\"protected\":\"{}\"}}]\n}}",
        body[..close].trim_end(),
        b64.encode(protected)
    )
}

/// Valid schema-1 content with the attacker's layer.
fn attacker_schema1() -> String {
    let id = "e".repeat(64);
    format!(
        r#"{{"schemaVersion":1,"name":"x","tag":"t","architecture":"amd64","fsLayers":[{{"blobSum":"sha256:{}"}}],"history":[{{"v1Compatibility":"{{\"id\":\"{id}\"}}"}}]}}"#,
        "0".repeat(64)
    )
}

#[test]
fn forged_schema1_header_is_refused_and_says_cimage_523_would_accept() {
    let c = Case::new("a-sigstore");
    // signature-1 covers the OCI manifest's digest; make the JWS header point at it.
    let signed = std::fs::read(c.img.join("manifest.json")).unwrap();
    c.set_manifest(&pretty_jws(&attacker_schema1(), 1, &signed[1..]));
    let (code, out) = c.run("5.23", &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("c/image:      would ACCEPT this image"),
        "{out}"
    );
    assert!(
        out.contains("does not match the manifest contents"),
        "{out}"
    );
    let (code, out) = c.run("current", &[]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("would ACCEPT"), "{out}");
    // JSON carries both verdicts.
    let (code, out) = c.run("5.23", &["--json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["results"][0]["verdict"], "rejected");
    assert_eq!(v["results"][0]["containers_image_verdict"], "accepted");
}

#[test]
fn schema1_sniffing_follows_go_struct_decoding() {
    let c = Case::new("a-sigstore");
    let signed = std::fs::read(c.img.join("manifest.json")).unwrap();
    // The last schemaVersion wins: an OCI manifest, digested as it is.
    let a = attacker_schema1();
    let body = format!(r#"{},"SchemaVersion":2}}"#, &a[..a.rfind('}').unwrap()]);
    let m = pretty_jws(&body, 1, &signed[1..]);
    c.set_manifest(&m);
    for compat in ["5.23", "current"] {
        let (code, out) = c.run(compat, &[]);
        assert_eq!(code, 1, "{compat}: {out}");
        assert!(!out.contains("would ACCEPT"), "{out}");
    }
    // A schema-1 mediaType is not honoured by GuessMIMEType.
    let m = pretty_jws(
        r#"{"mediaType":"application/vnd.docker.distribution.manifest.v1+prettyjws","schemaVersion":2,"layers":[]}"#,
        1,
        &signed[1..],
    );
    c.set_manifest(&m);
    for compat in ["5.23", "current"] {
        let (code, out) = c.run(compat, &[]);
        assert_eq!(code, 1, "{compat}: {out}");
    }
}

#[test]
fn genuine_schema1_gets_a_note() {
    let c = Case::new("a-sigstore");
    let payload = attacker_schema1();
    let close = payload.rfind('}').unwrap();
    let m = pretty_jws(&payload, close, &payload.as_bytes()[close..]);
    c.set_manifest(&m);
    c.sign(
        "example.com/fixtures/a",
        &sha256_digest(payload.as_bytes()),
        "signature-1",
    );
    for compat in ["5.23", "current"] {
        let (code, out) = c.run(compat, &[]);
        assert_eq!(code, 0, "{compat}: {out}");
        assert!(
            out.contains("signed Docker schema 1 manifest (deprecated)"),
            "{out}"
        );
    }
}

/// An index over the `multi` fixture with the amd64 instance signed.
fn multi_case() -> Case {
    let c = Case::new("multi");
    c.sign(
        "example.com/fixtures/multi",
        &format!("sha256:{AMD64}"),
        &format!("{AMD64}.signature-1"),
    );
    c
}

fn entry(digest: &str, platform: &str) -> String {
    format!(
        r#"{{"digest":"sha256:{digest}","mediaType":"application/vnd.oci.image.manifest.v1+json","size":397{platform}}}"#
    )
}

#[test]
fn list_keys_fold_and_the_last_duplicate_wins() {
    let c = multi_case();
    let amd = entry(
        AMD64,
        r#","platform":{"architecture":"amd64","os":"linux"}"#,
    );
    // Baseline: the signed amd64 instance is accepted.
    c.set_manifest(&format!(r#"{{"schemaVersion":2,"manifests":[{amd}]}}"#));
    assert_eq!(c.run("current", &["--arch", "amd64"]).0, 0);
    // "Manifests" decodes into the same slice, reusing element 0: its digest becomes arm64's.
    c.set_manifest(&format!(
        r#"{{"schemaVersion":2,"manifests":[{amd}],"Manifests":[{{"digest":"sha256:{ARM64}"}}]}}"#
    ));
    for compat in ["5.23", "current"] {
        let (code, out) = c.run(compat, &["--arch", "amd64"]);
        assert_eq!(code, 1, "{compat}: {out}");
        assert!(out.contains(ARM64), "{out}");
    }
    // "Architecture" overrides "architecture": the signed entry is not amd64 at all.
    let fake = entry(
        AMD64,
        r#","platform":{"architecture":"amd64","Architecture":"s390x","os":"linux"}"#,
    );
    let arm_as_amd = entry(
        ARM64,
        r#","platform":{"architecture":"amd64","os":"linux"}"#,
    );
    c.set_manifest(&format!(
        r#"{{"schemaVersion":2,"manifests":[{fake},{arm_as_amd}]}}"#
    ));
    for compat in ["5.23", "current"] {
        let (code, out) = c.run(compat, &["--arch", "amd64"]);
        assert_eq!(code, 1, "{compat}: {out}");
    }
}

#[test]
fn platform_variants_match_exactly_and_zstd_wins_in_current() {
    let c = multi_case();
    // A variant nobody asked for does not match amd64 without a variant.
    let v2 = entry(
        AMD64,
        r#","platform":{"architecture":"amd64","os":"linux","variant":"v2"}"#,
    );
    let arm_as_amd = entry(
        ARM64,
        r#","platform":{"architecture":"amd64","os":"linux"}"#,
    );
    c.set_manifest(&format!(
        r#"{{"schemaVersion":2,"manifests":[{v2},{arm_as_amd}]}}"#
    ));
    for compat in ["5.23", "current"] {
        let (code, out) = c.run(compat, &["--arch", "amd64"]);
        assert_eq!(code, 1, "{compat}: {out}");
    }
    // Current c/image prefers the zstd-annotated instance among equal platforms.
    let amd = entry(
        AMD64,
        r#","platform":{"architecture":"amd64","os":"linux"}"#,
    );
    let zstd = entry(
        ARM64,
        r#","platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.github.containers.compression.zstd":"true"}"#,
    );
    c.set_manifest(&format!(
        r#"{{"schemaVersion":2,"manifests":[{amd},{zstd}]}}"#
    ));
    assert_eq!(c.run("5.23", &["--arch", "amd64"]).0, 0);
    let (code, out) = c.run("current", &["--arch", "amd64"]);
    assert_eq!(code, 1, "{out}");
}

#[test]
fn ambiguous_manifests_are_refused() {
    let c = multi_case();
    let amd = entry(
        AMD64,
        r#","platform":{"architecture":"amd64","os":"linux"}"#,
    );
    // An index that also has layers: c/image refuses it before evaluating (exit 2).
    c.set_manifest(&format!(
        r#"{{"schemaVersion":2,"manifests":[{amd}],"Layers":[]}}"#
    ));
    for compat in ["5.23", "current"] {
        let (code, out) = c.run(compat, &["--arch", "amd64"]);
        assert_eq!(code, 2, "{compat}: {out}");
        assert!(out.contains("rejecting ambiguous manifest"), "{out}");
    }
    // A signed image manifest that also has manifests: the policy allows it, the copy fails.
    let c = Case::new("a-sigstore");
    let m = String::from_utf8(std::fs::read(c.img.join("manifest.json")).unwrap()).unwrap();
    let m = m.replacen('{', &format!(r#"{{"manifests":[{amd}],"#), 1);
    c.set_manifest(&m);
    c.sign(
        "example.com/fixtures/a",
        &sha256_digest(m.as_bytes()),
        "signature-1",
    );
    for compat in ["5.23", "current"] {
        let (code, out) = c.run(compat, &[]);
        assert_eq!(code, 2, "{compat}: {out}");
        assert!(out.contains("rejecting ambiguous manifest"), "{out}");
    }
}
