//! Hand-built stores in a tempdir (c/storage's on-disk layout, spec §6.4).

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::*;
use crate::image::Platform;
use crate::image::storage::conf::StorageEnv;
use crate::reference::transport::ImageRef;
use crate::signature::blob::{Signature, Sigstore, sigstore_to_blob};

const ID1: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const ID2: &str = "2222222222222222222222222222222222222222222222222222222222222222";

struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    opts: OpenOptions,
    records: Vec<serde_json::Value>,
}

fn sha(b: &[u8]) -> String {
    crate::signature::keys::sha256_digest(b)
}

fn manifest_bytes(n: u8) -> Vec<u8> {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{}","size":{n}}},"layers":[]}}"#,
        "a".repeat(64)
    )
    .into_bytes()
}

fn sigstore_blob(payload: &str) -> Vec<u8> {
    sigstore_to_blob(&Sigstore {
        mime_type: "application/vnd.dev.cosign.simplesigning.v1+json".into(),
        payload: payload.as_bytes().to_vec(),
        annotations: BTreeMap::from([(
            "dev.cosignproject.cosign/signature".to_owned(),
            "c2ln".to_owned(),
        )]),
    })
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(tmp.path()).unwrap();
        let root = base.join("root");
        std::fs::create_dir_all(root.join("vfs-images")).unwrap();
        let conf = base.join("storage.conf");
        std::fs::write(
            &conf,
            format!(
                "[storage]\ndriver = \"vfs\"\ngraphroot = \"{}\"\nrunroot = \"{}/run\"\n",
                root.display(),
                base.display()
            ),
        )
        .unwrap();
        let storage_env = StorageEnv {
            conf_override: Some(conf),
            uid: 0,
            ..StorageEnv::default()
        };
        let opts = OpenOptions {
            compat: Compat::V5_23,
            platform: Platform {
                os: "linux".into(),
                architecture: "amd64".into(),
                variant: None,
                architecture_chosen: true,
            },
            oci_attachments: false,
            storage_env,
        };
        Fixture {
            _tmp: tmp,
            root,
            opts,
            records: Vec::new(),
        }
    }

    fn images_dir(&self) -> PathBuf {
        self.root.join("vfs-images")
    }

    fn put(&self, id: &str, key: &str, data: &[u8]) {
        let dir = self.images_dir().join(id);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(big_data_file_name(key)), data).unwrap();
    }

    /// Adds an image with a single manifest (stored as `manifest` and `manifest-<digest>`).
    fn add_image(&mut self, id: &str, names: &[&str], m: &[u8], metadata: serde_json::Value) {
        let d = sha(m);
        self.put(id, "manifest", m);
        self.put(id, &format!("manifest-{d}"), m);
        self.records.push(serde_json::json!({
            "id": id,
            "digest": d,
            "names": names,
            "metadata": metadata.to_string(),
            "big-data-names": ["manifest", format!("manifest-{d}")],
            "big-data-digests": {"manifest": d, format!("manifest-{d}"): d},
            "created": "2024-01-01T00:00:00Z",
        }));
        self.save();
    }

    fn save(&self) {
        std::fs::write(
            self.images_dir().join("images.json"),
            serde_json::to_vec(&self.records).unwrap(),
        )
        .unwrap();
    }

    fn open(&self, reference: &str) -> Result<Opened, ImageError> {
        let r = ImageRef::parse(&format!("containers-storage:{reference}"), Compat::V5_23);
        let Ok((_, ImageRef::Storage(s))) = r else {
            panic!("{reference}: {r:?}")
        };
        open(&s, &self.opts)
    }
}

#[test]
fn big_data_names() {
    assert_eq!(big_data_file_name("manifest"), "manifest");
    assert_eq!(big_data_file_name("signatures"), "signatures");
    assert_eq!(big_data_file_name("manifest-"), "manifest-");
    assert_eq!(big_data_file_name("a.b9"), "a.b9");
    assert_eq!(
        big_data_file_name("manifest-sha256:ab"),
        "=bWFuaWZlc3Qtc2hhMjU2OmFi"
    );
    assert_eq!(big_data_file_name("sha256:ab"), "=c2hhMjU2OmFi");
    assert_eq!(big_data_file_name("signature-ab"), "=c2lnbmF0dXJlLWFi");
    assert_eq!(big_data_file_name("Manifest"), "=TWFuaWZlc3Q=");
    assert_eq!(big_data_file_name("abcé"), "abcé");
}

#[test]
fn lookup_by_name() {
    let mut f = Fixture::new();
    let m = manifest_bytes(1);
    f.add_image(ID1, &["docker.io/example/app:1"], &m, serde_json::json!({}));
    let o = f.open("example/app:1").unwrap();
    assert_eq!(o.manifest, m);
    assert_eq!(o.manifest_digest.as_deref(), Ok(sha(&m).as_str()));
    let root = f.root.display().to_string();
    assert_eq!(
        o.identity.identity,
        format!("[vfs@{root}]docker.io/example/app:1@{ID1}")
    );
    assert!(o.within.starts_with(&format!("[vfs@{root}+")));
    assert!(
        o.within
            .ends_with(&format!("]docker.io/example/app:1@{ID1}"))
    );
    assert_eq!(
        o.docker_reference.unwrap().to_string(),
        "docker.io/example/app:1"
    );
    assert!(o.signatures.unwrap().is_empty());
}

const ID3: &str = "abcdef0000000000000000000000000000000000000000000000000000000000";

fn err(r: Result<Opened, ImageError>) -> String {
    match r {
        Ok(o) => panic!("unexpectedly opened {}", o.within),
        Err(e) => e.0,
    }
}

fn payloads(o: &Opened) -> Vec<String> {
    let sigs = o.signatures.as_ref().unwrap();
    sigs.iter()
        .map(|s| match &s.signature {
            Signature::Sigstore(s) => String::from_utf8(s.payload.clone()).unwrap(),
            Signature::SimpleSigning(b) => format!("gpg:{}", b.len()),
        })
        .collect()
}

#[test]
fn lookup_by_id_and_prefix() {
    let mut f = Fixture::new();
    let m1 = manifest_bytes(1);
    let m3 = manifest_bytes(3);
    f.add_image(
        ID1,
        &["docker.io/example/app:1"],
        &m1,
        serde_json::json!({}),
    );
    f.add_image(
        ID2,
        &["docker.io/example/other:1"],
        &manifest_bytes(2),
        serde_json::json!({}),
    );
    f.add_image(
        ID3,
        &["docker.io/library/abc:latest"],
        &m3,
        serde_json::json!({}),
    );
    let root = f.root.display().to_string();

    // Full ID, bare and after `@`.
    let o = f.open(ID1).unwrap();
    assert_eq!(o.manifest, m1);
    assert_eq!(o.identity.identity, format!("[vfs@{root}]@{ID1}"));
    assert!(o.docker_reference.is_none());
    let o = f.open(&format!("@{ID1}")).unwrap();
    assert_eq!(o.identity.identity, format!("[vfs@{root}]@{ID1}"));
    // Name + full ID: the name must be in the image's repository.
    let o = f.open(&format!("example/app:2@{ID1}")).unwrap();
    assert_eq!(
        o.identity.identity,
        format!("[vfs@{root}]docker.io/example/app:2@{ID1}")
    );
    assert!(err(f.open(&format!("example/other:1@{ID1}"))).contains("identifier is not an image"));
    // Unknown full ID.
    let e = err(f.open(&format!("@{}", "9".repeat(64))));
    assert!(
        e.starts_with(&format!("reading image \"{}\"", "9".repeat(64))),
        "{e}"
    );
    assert!(e.contains("images.json"), "{e}");

    // A bare prefix that the store resolves wins over the name it also is.
    let o = f.open("abc").unwrap();
    assert_eq!(o.manifest, m3);
    assert!(o.docker_reference.is_none());
    assert_eq!(o.identity.identity, format!("[vfs@{root}]@{ID3}"));
    // A short prefix after `@`.
    let o = f.open("example/other:1@222").unwrap();
    assert_eq!(
        o.identity.identity,
        format!("[vfs@{root}]docker.io/example/other:1@{ID2}")
    );
    let o = f.open("@2222").unwrap();
    assert_eq!(o.identity.identity, format!("[vfs@{root}]@{ID2}"));
    // Prefixes that resolve to nothing.
    assert!(
        err(f.open("@999"))
            .starts_with("\"999\" does not look like an image ID or digest: invalid reference")
    );
    assert!(err(f.open("@22")).starts_with("\"22\" does not look like an image ID or digest"));
    // A bare prefix that resolves to nothing and is no valid name.
    assert!(err(f.open(&"9".repeat(64))).starts_with("parsing named reference"));
    // A name that is not an ID prefix: looked up by name.
    let e = err(f.open("busybox"));
    assert!(
        e.starts_with(&format!(
            "reference \"[vfs@{root}+{}/run]docker.io/library/busybox:latest\" does not resolve to an image ID: identifier is not an image (looked up in {root}/vfs-images/images.json)",
            f.root.parent().unwrap().display()
        )),
        "{e}"
    );
}

#[test]
fn missing_image_message_depends_on_compat() {
    let mut f = Fixture::new();
    f.add_image(
        ID1,
        &["docker.io/example/app:1"],
        &manifest_bytes(1),
        serde_json::json!({}),
    );
    let e = err(f.open("example/app:2"));
    assert!(
        e.contains("docker.io/example/app:2\" does not resolve to an image ID: identifier is not an image ("),
        "{e}"
    );
    f.opts.compat = Compat::Current;
    let e = err(f.open("example/app:2"));
    assert!(
        e.contains("docker.io/example/app:2\" does not resolve to an image ID ("),
        "{e}"
    );
    // No store at all: also "not found", not an I/O error.
    std::fs::remove_dir_all(f.images_dir()).unwrap();
    assert!(err(f.open("example/app:1")).contains("does not resolve to an image ID"));
}

#[test]
fn lookup_by_digest() {
    let mut f = Fixture::new();
    let m = manifest_bytes(1);
    let d = sha(&m);
    f.add_image(ID1, &["docker.io/example/app:1"], &m, serde_json::json!({}));
    // Not in `names`: found through the digest set, same repository.
    let o = f.open(&format!("example/app@{d}")).unwrap();
    assert_eq!(o.manifest, m);
    assert_eq!(
        o.identity.identity,
        format!("[vfs@{}]docker.io/example/app@{d}@{ID1}", f.root.display())
    );
    assert_eq!(
        o.docker_reference.unwrap().to_string(),
        format!("docker.io/example/app@{d}")
    );
    // Another repository does not match.
    assert!(err(f.open(&format!("example/nope@{d}"))).contains("does not resolve to an image ID"));
    // A digest in `names` is looked up by name; without its `manifest-D` item that is an error
    // (c/image does not fall back to `manifest`; checked against Debian's skopeo).
    let other = format!("sha256:{}", "c".repeat(64));
    f.records[0]["names"] = serde_json::json!([
        "docker.io/example/app:1",
        format!("docker.io/example/app@{other}")
    ]);
    f.save();
    let e = err(f.open(&format!("example/app@{other}")));
    assert!(
        e.starts_with("determining manifest MIME type: locating item named \"manifest-sha256:cccc"),
        "{e}"
    );
}

#[test]
fn corrupt_images_json() {
    let f = Fixture::new();
    std::fs::write(f.images_dir().join("images.json"), "[{\"id\": ").unwrap();
    let e = err(f.open("example/app:1"));
    assert!(e.contains("vfs-images/images.json"), "{e}");
    assert!(e.contains("empty store"), "{e}");
    // An empty file and `null` are an empty store.
    std::fs::write(f.images_dir().join("images.json"), "").unwrap();
    assert!(err(f.open("example/app:1")).contains("does not resolve"));
    std::fs::write(f.images_dir().join("images.json"), "null").unwrap();
    assert!(err(f.open("example/app:1")).contains("does not resolve"));
}

#[test]
fn signatures_sliced_by_sizes() {
    let mut f = Fixture::new();
    let (a, b) = (sigstore_blob("first"), sigstore_blob("second"));
    let mut data = a.clone();
    data.extend_from_slice(&b);
    f.add_image(
        ID1,
        &["docker.io/example/app:1"],
        &manifest_bytes(1),
        serde_json::json!({"signature-sizes": [a.len(), b.len()]}),
    );
    f.put(ID1, "signatures", &data);
    let o = f.open("example/app:1").unwrap();
    assert_eq!(payloads(&o), ["first", "second"]);
    let sigs = o.signatures.as_ref().unwrap();
    assert!(
        sigs[1]
            .origin
            .ends_with(&format!("/signatures (bytes {}..{})", a.len(), data.len())),
        "{}",
        sigs[1].origin
    );

    // Sizes overrun the data (c/image's numbers are swapped, sic).
    let meta = serde_json::json!({"signature-sizes": [a.len(), b.len() + 1]}).to_string();
    f.records[0]["metadata"] = meta.into();
    f.save();
    let e = f.open("example/app:1").unwrap().signatures.unwrap_err();
    assert_eq!(
        e,
        format!(
            "looking up signatures data for image \"{ID1}\" (default instance): expected at least {} bytes, only found {}",
            data.len(),
            data.len() + 1
        )
    );

    // Leftover bytes.
    f.records[0]["metadata"] = serde_json::json!({"signature-sizes": [a.len()]})
        .to_string()
        .into();
    f.save();
    let e = f.open("example/app:1").unwrap().signatures.unwrap_err();
    assert_eq!(
        e,
        format!(
            "signatures data (default instance) contained {} extra bytes",
            b.len()
        )
    );

    // A bad blob.
    f.records[0]["metadata"] = serde_json::json!({"signature-sizes": [a.len(), 1, b.len() - 1]})
        .to_string()
        .into();
    f.save();
    let e = f.open("example/app:1").unwrap().signatures.unwrap_err();
    assert_eq!(
        e,
        format!(
            "parsing signature at ({}, 1): invalid signature format, missing newline",
            a.len()
        )
    );

    // Empty size list: no signatures even though the blob exists.
    f.records[0]["metadata"] = serde_json::json!({"signature-sizes": []})
        .to_string()
        .into();
    f.save();
    assert!(
        f.open("example/app:1")
            .unwrap()
            .signatures
            .unwrap()
            .is_empty()
    );
    f.records[0]["metadata"] = "".into();
    f.save();
    assert!(
        f.open("example/app:1")
            .unwrap()
            .signatures
            .unwrap()
            .is_empty()
    );

    // Sizes but no data.
    f.records[0]["metadata"] = serde_json::json!({"signature-sizes": [3]})
        .to_string()
        .into();
    f.save();
    std::fs::remove_file(f.images_dir().join(ID1).join("signatures")).unwrap();
    let e = f.open("example/app:1").unwrap().signatures.unwrap_err();
    assert!(
        e.starts_with(&format!(
            "looking up signatures data for image \"{ID1}\" (default instance): locating item named \"signatures\" for image with ID \"{ID1}\""
        )),
        "{e}"
    );
}

#[test]
fn metadata_decoding() {
    assert_eq!(parse_metadata("{}").unwrap(), Metadata::default());
    assert_eq!(parse_metadata("null").unwrap(), Metadata::default());
    let m =
        parse_metadata(r#"{"SIGNATURE-SIZES":[1,2],"x":{"y":[]},"signatures-sizes":{"sha256:a":[3],"sha256:b":null}}"#)
            .unwrap();
    assert_eq!(m.signature_sizes, [1, 2]);
    assert_eq!(m.signatures_sizes["sha256:a"], [3]);
    assert!(m.signatures_sizes["sha256:b"].is_empty());
    assert_eq!(
        parse_metadata(r#"{"ſignature-sizes":[4]}"#)
            .unwrap()
            .signature_sizes,
        [4]
    );
    assert_eq!(
        parse_metadata(r#"{"signature-sizes":[1.5]}"#).unwrap_err(),
        "json: cannot unmarshal number 1.5 into Go struct field storageImageSource.signature-sizes of type int"
    );
    assert_eq!(
        parse_metadata(r#"{"signature-sizes":"x"}"#).unwrap_err(),
        "json: cannot unmarshal string into Go struct field storageImageSource.signature-sizes of type []int"
    );
    assert_eq!(
        parse_metadata("[]").unwrap_err(),
        "json: cannot unmarshal array into Go value of type storage.storageImageSource"
    );
    assert!(parse_metadata("{").is_err());

    let mut f = Fixture::new();
    f.add_image(
        ID1,
        &["docker.io/example/app:1"],
        &manifest_bytes(1),
        serde_json::json!({}),
    );
    f.records[0]["metadata"] = "{\"signature-sizes\": 1}".into();
    f.save();
    let e = err(f.open("example/app:1"));
    assert!(
        e.starts_with("decoding metadata for source image: json: cannot unmarshal number"),
        "{e}"
    );
    assert!(e.contains("images.json"), "{e}");
}

#[test]
fn negative_signature_size_does_not_panic() {
    let mut f = Fixture::new();
    f.add_image(
        ID1,
        &["docker.io/example/app:1"],
        &manifest_bytes(1),
        serde_json::json!({"signature-sizes": [-1]}),
    );
    f.put(ID1, "signatures", b"xyz");
    assert!(
        f.open("example/app:1")
            .unwrap()
            .signatures
            .unwrap_err()
            .contains("invalid signature size -1")
    );
}

fn index_bytes(amd64: &str, arm64: &str) -> Vec<u8> {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{arm64}","size":1,"platform":{{"architecture":"arm64","os":"linux"}}}},{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{amd64}","size":1,"platform":{{"architecture":"amd64","os":"linux"}}}}]}}"#
    )
    .into_bytes()
}

#[test]
fn list_chooses_instance_and_its_signatures() {
    let mut f = Fixture::new();
    let inst = manifest_bytes(7);
    let inst_d = sha(&inst);
    let list = index_bytes(&inst_d, &format!("sha256:{}", "e".repeat(64)));
    let list_d = sha(&list);
    let (top_sig, inst_sig) = (sigstore_blob("top"), sigstore_blob("instance"));
    f.add_image(
        ID1,
        &["docker.io/example/multi:latest"],
        &inst,
        serde_json::json!({"signature-sizes": [top_sig.len()], "signatures-sizes": {inst_d.clone(): [inst_sig.len()]}}),
    );
    f.put(ID1, &format!("manifest-{list_d}"), &list);
    f.records[0]["big-data-digests"][format!("manifest-{list_d}")] = list_d.clone().into();
    f.save();
    f.put(ID1, "signatures", &top_sig);
    let hex = inst_d.trim_start_matches("sha256:");
    f.put(ID1, &format!("signature-{hex}"), &inst_sig);

    let o = f.open(&format!("example/multi@{list_d}")).unwrap();
    let l = o.list.clone().unwrap();
    assert_eq!(l.list_digest, list_d);
    assert_eq!(l.instance_digest, inst_d);
    assert_eq!(o.manifest, inst);
    assert_eq!(o.manifest_digest.as_deref(), Ok(inst_d.as_str()));
    assert_eq!(payloads(&o), ["instance"]);
    // By tag: the single-image manifest and the top-level signatures.
    let o = f.open("example/multi").unwrap();
    assert!(o.list.is_none());
    assert_eq!(payloads(&o), ["top"]);

    // Instance signature errors name the instance by hex.
    let sizes = serde_json::json!({"signatures-sizes": {inst_d.clone(): [inst_sig.len(), 1]}});
    f.records[0]["metadata"] = sizes.to_string().into();
    f.save();
    let e = f
        .open(&format!("example/multi@{list_d}"))
        .unwrap()
        .signatures
        .unwrap_err();
    assert!(
        e.starts_with(&format!(
            "looking up signatures data for image \"{ID1}\" ({hex}): expected at least"
        )),
        "{e}"
    );

    // A corrupted instance manifest is refused.
    f.put(ID1, &format!("manifest-{inst_d}"), &manifest_bytes(8));
    let e = err(f.open(&format!("example/multi@{list_d}")));
    assert!(
        e.starts_with(&format!(
            "Manifest does not match provided manifest digest {inst_d}"
        )),
        "{e}"
    );
    // A missing one too.
    std::fs::remove_file(
        f.images_dir()
            .join(ID1)
            .join(big_data_file_name(&format!("manifest-{inst_d}"))),
    )
    .unwrap();
    let e = err(f.open(&format!("example/multi@{list_d}")));
    assert!(
        e.starts_with(&format!(
            "reading manifest for image instance \"{inst_d}\": locating item named"
        )),
        "{e}"
    );
}

#[test]
fn digest_lookup_prefers_the_image_of_this_platform() {
    let mut f = Fixture::new();
    let amd = manifest_bytes(1);
    let arm = manifest_bytes(2);
    let list = index_bytes(&sha(&amd), &sha(&arm));
    let list_d = sha(&list);
    // The arm64 image comes first in the store; both hold the list.
    for (id, m) in [(ID2, &arm), (ID1, &amd)] {
        f.add_image(
            id,
            &["docker.io/example/multi:latest"],
            m,
            serde_json::json!({}),
        );
        f.put(id, &format!("manifest-{list_d}"), &list);
        let last = f.records.len() - 1;
        f.records[last]["big-data-digests"][format!("manifest-{list_d}")] = list_d.clone().into();
    }
    f.save();
    let o = f.open(&format!("example/multi@{list_d}")).unwrap();
    assert!(
        o.identity.identity.ends_with(&format!("@{ID1}")),
        "{}",
        o.identity.identity
    );
    assert_eq!(o.manifest, amd);
}

#[test]
fn top_manifest_digest_mismatch() {
    let mut f = Fixture::new();
    let m = manifest_bytes(1);
    let d = sha(&m);
    f.add_image(ID1, &["docker.io/example/app:1"], &m, serde_json::json!({}));
    f.put(ID1, &format!("manifest-{d}"), &manifest_bytes(2));
    let e = err(f.open(&format!("example/app@{d}")));
    assert!(
        e.starts_with(&format!(
            "Manifest does not match provided manifest digest {d} ("
        )),
        "{e}"
    );
    assert!(
        e.contains(&big_data_file_name(&format!("manifest-{d}"))),
        "{e}"
    );
}

#[test]
fn symlink_escaping_the_store_is_refused() {
    let mut f = Fixture::new();
    let m = manifest_bytes(1);
    f.add_image(ID1, &["docker.io/example/app:1"], &m, serde_json::json!({}));
    let outside = f.root.parent().unwrap().join("outside");
    std::fs::write(&outside, &m).unwrap();
    let p = f.images_dir().join(ID1).join("manifest");
    std::fs::remove_file(&p).unwrap();
    std::os::unix::fs::symlink(&outside, &p).unwrap();
    let e = err(f.open("example/app:1"));
    assert!(e.contains("outside the image store"), "{e}");
    assert!(e.contains(&p.display().to_string()), "{e}");
    // A symlink inside the store is fine.
    std::fs::remove_file(&p).unwrap();
    std::fs::write(f.images_dir().join(ID1).join("real"), &m).unwrap();
    std::os::unix::fs::symlink("real", &p).unwrap();
    assert_eq!(f.open("example/app:1").unwrap().manifest, m);
    // An image ID that climbs out of the store.
    f.records[0]["id"] = "../..".into();
    f.save();
    std::fs::write(f.root.parent().unwrap().join("manifest"), &m).unwrap();
    assert!(err(f.open("example/app:1")).contains("outside the image store"));
}

#[test]
fn list_all_images() {
    let mut f = Fixture::new();
    f.add_image(
        ID1,
        &["docker.io/example/app:1"],
        &manifest_bytes(1),
        serde_json::json!({}),
    );
    f.add_image(ID2, &[], &manifest_bytes(2), serde_json::json!({}));
    let (store, images) = list_images(&f.opts, None).unwrap();
    assert_eq!(
        store,
        ResolvedStore {
            driver: "vfs".into(),
            graph_root: f.root.display().to_string()
        }
    );
    assert_eq!(
        images,
        [
            StoredImage {
                id: ID1.into(),
                names: vec!["docker.io/example/app:1".into()]
            },
            StoredImage {
                id: ID2.into(),
                names: vec![]
            }
        ]
    );
}

#[test]
fn additional_image_stores_are_consulted_after_the_main_one() {
    let mut f = Fixture::new();
    let base = f.root.parent().unwrap().to_owned();
    let conf = f.opts.storage_env.conf_override.clone().unwrap();
    let mut text = std::fs::read_to_string(&conf).unwrap();
    text.push_str(&format!(
        "[storage.options]\nadditionalimagestores = [\"{}/ro\"]\n",
        base.display()
    ));
    std::fs::write(&conf, text).unwrap();
    let m_main = manifest_bytes(1);
    f.add_image(
        ID1,
        &["docker.io/example/app:1"],
        &m_main,
        serde_json::json!({}),
    );

    // A read-only store with the same name (hidden by the main store) and another image.
    let ro = base.join("ro/vfs-images");
    let m_ro = manifest_bytes(2);
    let sig = sigstore_blob("ro");
    for (id, m) in [(ID2, &m_ro), (ID3, &manifest_bytes(3))] {
        std::fs::create_dir_all(ro.join(id)).unwrap();
        std::fs::write(ro.join(id).join("manifest"), m).unwrap();
    }
    std::fs::write(ro.join(ID2).join("signatures"), &sig).unwrap();
    let meta = serde_json::json!({"signature-sizes": [sig.len()]}).to_string();
    let records = serde_json::json!([
        {"id": ID2, "names": ["docker.io/example/ro:1"], "metadata": meta},
        {"id": ID3, "names": ["docker.io/example/app:1"]},
    ]);
    std::fs::write(ro.join("images.json"), records.to_string()).unwrap();

    let o = f.open("example/ro:1").unwrap();
    assert_eq!(o.manifest, m_ro);
    assert_eq!(payloads(&o), ["ro"]);
    assert!(
        o.within.contains(&format!(
            "/run:vfs.imagestore={}/ro]docker.io/example/ro:1@{ID2}",
            base.display()
        )),
        "{}",
        o.within
    );
    // The identity ignores options and read-only stores.
    assert_eq!(
        o.identity.identity,
        format!("[vfs@{}]docker.io/example/ro:1@{ID2}", f.root.display())
    );
    assert_eq!(f.open("example/app:1").unwrap().manifest, m_main);
    let (_, images) = list_images(&f.opts, None).unwrap();
    assert_eq!(
        images.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        [ID1, ID2, ID3]
    );

    // A store specifier brings its own options only: no configured additional stores.
    let r = format!("[vfs@{}]example/ro:1", f.root.display());
    assert!(err(f.open(&r)).contains("does not resolve to an image ID"));
    let r = format!(
        "[vfs@{}:vfs.imagestore={}/ro]example/ro:1",
        f.root.display(),
        base.display()
    );
    assert_eq!(f.open(&r).unwrap().manifest, m_ro);
    let r = format!("[vfs@{}]example/app:1", f.root.display());
    assert_eq!(f.open(&r).unwrap().manifest, m_main);
}

/// Issue 8 defect 6: `images.json` keys fold as in Go's `encoding/json` (`Names`, `nameſ`,
/// `ID`), the last duplicate wins and `null` clears. The attacker's record B claims the name
/// of A under a folded key: c/storage (checked with Debian's skopeo 1.9.3, c/storage 1.43, on a
/// store made by skopeo) resolves the name to B.
#[test]
fn images_json_keys_fold_as_in_go() {
    let (m1, m2) = (manifest_bytes(1), manifest_bytes(2));
    // Record B's text edited in place (key order matters: the last duplicate wins).
    let setup = |from: &str, to: &str| {
        let mut f = Fixture::new();
        f.add_image(
            ID1,
            &["docker.io/example/app:1"],
            &m1,
            serde_json::json!({}),
        );
        f.add_image(
            ID2,
            &["docker.io/example/other:1"],
            &m2,
            serde_json::json!({}),
        );
        let text = serde_json::to_string(&f.records).unwrap();
        let b = text.rfind(from).unwrap();
        let text = format!("{}{to}{}", &text[..b], &text[b + from.len()..]);
        std::fs::write(f.images_dir().join("images.json"), text).unwrap();
        f
    };
    let b_names = r#""names":["docker.io/example/other:1"]"#;
    for key in ["Names", "NAMES", "nameſ", "name\\u017f"] {
        let f = setup(
            b_names,
            &format!(r#"{b_names},"{key}":["docker.io/example/app:1"]"#),
        );
        let o = f.open("example/app:1").unwrap();
        assert_eq!(o.manifest_digest.as_deref(), Ok(sha(&m2).as_str()), "{key}");
        assert!(o.identity.identity.ends_with(ID2), "{key}");
        // The later key replaced B's own name.
        assert!(
            err(f.open("example/other:1")).contains("does not resolve"),
            "{key}"
        );
    }
    // A non-ASCII rune that does not fold to `s` makes an unknown key.
    let f = setup(
        b_names,
        &format!(r#"{b_names},"name\u03c2":["docker.io/example/app:1"]"#),
    );
    assert!(
        f.open("example/app:1")
            .unwrap()
            .identity
            .identity
            .ends_with(ID1)
    );
    // `null` clears the names.
    let f = setup(b_names, &format!(r#"{b_names},"Names":null"#));
    assert!(err(f.open("example/other:1")).contains("does not resolve"));
    // The ID under a folded key: the image is found by it, and its big data read from it.
    let b_id = format!(r#""id":"{ID2}""#);
    let f = setup(&b_id, &format!(r#""ID":"{ID2}""#));
    let o = f.open("example/other:1").unwrap();
    assert!(o.identity.identity.ends_with(ID2));
    assert_eq!(o.manifest_digest.as_deref(), Ok(sha(&m2).as_str()));
    assert_eq!(
        f.open(ID2).unwrap().manifest_digest.as_deref(),
        Ok(sha(&m2).as_str())
    );
    // `Id` after `id`: the last wins, so ID1 now names record B (whose big data c/storage
    // then reads from ID1's directory), and ID2 is unknown.
    let f = setup(&b_id, &format!(r#"{b_id},"Id":"{ID1}""#));
    let o = f.open(ID1).unwrap();
    assert!(o.identity.identity.ends_with(ID1));
    assert_eq!(o.manifest_digest.as_deref(), Ok(sha(&m1).as_str()));
    let o = f.open("example/other:1").unwrap();
    assert!(o.identity.identity.ends_with(ID1));
    assert!(err(f.open(&format!("@{ID2}"))).contains(ID2));
}

/// Exact duplicate keys (which serde refuses) and Go's slice reuse inside a record.
#[test]
fn images_json_duplicates_and_slice_reuse() {
    let (m1, m2) = (manifest_bytes(1), manifest_bytes(2));
    let mut f = Fixture::new();
    f.add_image(
        ID1,
        &["docker.io/example/app:1"],
        &m1,
        serde_json::json!({}),
    );
    f.add_image(
        ID2,
        &["docker.io/example/other:1"],
        &m2,
        serde_json::json!({}),
    );
    let text = serde_json::to_string(&f.records).unwrap();
    let b_names = r#""names":["docker.io/example/other:1"]"#;
    assert!(text.contains(b_names));
    let write = |t: String| std::fs::write(f.images_dir().join("images.json"), t).unwrap();
    // A second `names` with a null element keeps the element the first one left there.
    write(text.replace(
        b_names,
        r#""names":["docker.io/example/app:1","docker.io/example/x:1"],"names":[null]"#,
    ));
    let o = f.open("example/app:1").unwrap();
    assert!(o.identity.identity.ends_with(ID2));
    assert!(err(f.open("example/x:1")).contains("does not resolve"));
    // ... and a longer one brings back elements past the length.
    write(text.replace(
        b_names,
        r#""names":["docker.io/example/app:1","docker.io/example/x:1"],"names":[null],"Names":[null,null]"#,
    ));
    assert!(
        f.open("example/x:1")
            .unwrap()
            .identity
            .identity
            .ends_with(ID2)
    );
}

/// Whatever `json.Unmarshal` or `recomputeDigests` refuses leaves c/storage without the
/// image (1.43) or without the store (current): never an image to accept.
#[test]
fn images_json_type_and_digest_errors_fail_the_store() {
    let m1 = manifest_bytes(1);
    for (key, value, want) in [
        (
            "names-history",
            serde_json::json!([1]),
            "Image.names-history of type string",
        ),
        (
            "big-data-sizes",
            serde_json::json!({"manifest": "1"}),
            "Image.big-data-sizes of type int64",
        ),
        (
            "Flags",
            serde_json::json!([]),
            "Image.flags of type map[string]interface {}",
        ),
        (
            "created",
            serde_json::json!(0),
            "Time.UnmarshalJSON: input is not a JSON string",
        ),
        (
            "Created",
            serde_json::json!("2024-02-30T00:00:00Z"),
            "day out of range",
        ),
        (
            "digest",
            serde_json::json!("sha256:abc"),
            "validating image digest \"sha256:abc\": invalid checksum digest length",
        ),
        (
            "big-data-digests",
            serde_json::json!({"manifest-x": "SHA256:00"}),
            "validating digest \"SHA256:00\" for big data item \"manifest-x\": invalid checksum digest format",
        ),
    ] {
        let mut f = Fixture::new();
        f.add_image(
            ID1,
            &["docker.io/example/app:1"],
            &m1,
            serde_json::json!({}),
        );
        f.records[0]
            .as_object_mut()
            .unwrap()
            .insert(key.into(), value);
        f.save();
        let e = err(f.open("example/app:1"));
        assert!(
            e.contains("vfs-images/images.json") && e.contains(want),
            "{key}: {e}"
        );
    }
    // Unknown keys and `null` times are fine; non-manifest big data digests are not checked.
    let mut f = Fixture::new();
    f.add_image(
        ID1,
        &["docker.io/example/app:1"],
        &m1,
        serde_json::json!({}),
    );
    let r = f.records[0].as_object_mut().unwrap();
    r.insert("created".into(), serde_json::Value::Null);
    r.insert("unknown".into(), serde_json::json!({"x": [1]}));
    r.insert("Digests".into(), serde_json::json!(1));
    r.insert(
        "big-data-digests".into(),
        serde_json::json!({"other": "x", "manifest": sha(&m1)}),
    );
    f.save();
    f.open("example/app:1").unwrap();
    // A null record: c/storage would dereference it.
    std::fs::write(f.images_dir().join("images.json"), "[null]").unwrap();
    assert!(err(f.open("example/app:1")).contains("record 0 is null"));
    std::fs::write(f.images_dir().join("images.json"), "{}").unwrap();
    assert!(
        err(f.open("example/app:1"))
            .contains("json: cannot unmarshal object into Go value of type []*storage.Image")
    );
}
