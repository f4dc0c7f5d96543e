//! `policyctl sign` and `policyctl generate-key` (issue 13, spec §17): offline signing with
//! cosign's encrypted keys, the payload c/image writes, into the store the image lives in.

use std::path::Path;

use crate::cli::{GenerateKeyArgs, SignArgs};
use crate::commands::Outcome;
use crate::config::host::RealHost;
use crate::config::txn::{Change, Safety, Txn};
use crate::error::Error;
use crate::image::{self, OpenOptions, Platform};
use crate::reference::docker::Named;
use crate::reference::transport::{ImageRef, Transport};
use crate::report::{err, out};
use crate::settings::Settings;
use crate::signature::blob::{SIGNATURE_ANNOTATION, SIGSTORE_SIGNATURE_MIME_TYPE, Sigstore};
use crate::signature::private_key::{
    KeyFormat, encrypt_private_key_as, load_encrypted_private_key, pem_encode, sign_payload,
};

/// The passphrase: the first line of `file`, else `$COSIGN_PASSWORD`, else a terminal prompt
/// (`confirm`: asked twice).
fn passphrase(file: Option<&Path>, confirm: bool) -> Result<String, Error> {
    if let Some(f) = file {
        let bytes = crate::fsread::read_limited(f, 64 * 1024).map_err(|e| {
            Error::Read(crate::fsread::go_read_file_error(
                &f.display().to_string(),
                &e,
            ))
        })?;
        let text = String::from_utf8_lossy(&bytes);
        return Ok(text.lines().next().unwrap_or("").to_owned());
    }
    if let Ok(p) = std::env::var("COSIGN_PASSWORD") {
        return Ok(p);
    }
    let first = rpassword::prompt_password("Enter passphrase for the private key: ").map_err(|e| {
        Error::Usage(format!(
            "no passphrase: use --passphrase-file or $COSIGN_PASSWORD, or run on a terminal ({e})"
        ))
    })?;
    if confirm {
        let again = rpassword::prompt_password("Enter the passphrase again: ")
            .map_err(|e| Error::Usage(format!("reading the passphrase: {e}")))?;
        if again != first {
            return Err(Error::Usage("the passphrases do not match".into()));
        }
    }
    Ok(first)
}

fn random<const N: usize>() -> Result<[u8; N], Error> {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b)
        .map_err(|e| Error::Internal(format!("no randomness from the OS: {e}")))?;
    Ok(b)
}

/// `policyctl generate-key`.
pub fn generate_key(a: &GenerateKeyArgs) -> Result<Outcome, Error> {
    let prefix = a.output_prefix.display().to_string();
    let private = std::path::PathBuf::from(format!("{prefix}.private"));
    let public = std::path::PathBuf::from(format!("{prefix}.pub"));
    for p in [&private, &public] {
        if std::fs::symlink_metadata(p).is_ok() {
            return Err(Error::Conflict(format!(
                "Refusing to overwrite existing {}",
                crate::json::gofmt::quote(&p.display().to_string())
            )));
        }
    }
    let pass = passphrase(a.passphrase_file.as_deref(), true)?;
    let key = loop {
        if let Ok(k) = p256::ecdsa::SigningKey::from_slice(&random::<32>()?) {
            break k;
        }
    };
    let format = if a.legacy_format {
        KeyFormat::Legacy
    } else {
        KeyFormat::Current
    };
    let encrypted = encrypt_private_key_as(&key, pass.as_bytes(), random()?, random()?, format)
        .map_err(|e| Error::Internal(e.0))?;
    let public_pem = {
        use p256::pkcs8::EncodePublicKey;
        let der = key
            .verifying_key()
            .to_public_key_der()
            .map_err(|e| Error::Internal(e.to_string()))?;
        pem_encode("PUBLIC KEY", der.as_bytes())
    };
    let tx = Txn::begin_all(
        &[
            (private.clone(), 1024 * 1024),
            (public.clone(), 1024 * 1024),
        ],
        Safety { force: false },
    )?;
    if tx.current_of(&private).is_some() || tx.current_of(&public).is_some() {
        return Err(Error::Conflict(format!(
            "Refusing to overwrite existing {}.private or .pub",
            prefix
        )));
    }
    tx.commit_all(vec![
        Change::Write {
            path: private.clone(),
            contents: encrypted.into_bytes(),
            mode: 0o600,
        },
        Change::Write {
            path: public.clone(),
            contents: public_pem.into_bytes(),
            mode: 0o644,
        },
    ])?;
    out(&format!(
        "Key written to {} and {}\n",
        crate::json::gofmt::quote(&private.display().to_string()),
        crate::json::gofmt::quote(&public.display().to_string())
    ));
    Ok(Outcome::Ok)
}

/// The instances of the list `top` whose manifests are stored (`present`).
fn list_instances(
    top: &[u8],
    what: &Path,
    global: &Settings,
    present: impl Fn(&str) -> bool,
) -> Result<Vec<String>, Error> {
    use crate::image::manifest::{self, List};
    let mime = manifest::guess_mime_type(top);
    let list = manifest::list_from_blob(top, &mime, global.compat)
        .map_err(|e| Error::Read(format!("{}: {e}", what.display())))?;
    let digests: Vec<String> = match &list {
        List::Docker(l) => l
            .manifests
            .as_slice()
            .iter()
            .map(|d| d.digest.clone())
            .collect(),
        List::Oci(l) => l
            .manifests
            .as_slice()
            .iter()
            .map(|d| d.digest.clone())
            .collect(),
    };
    Ok(digests.into_iter().filter(|d| present(d)).collect())
}

fn read_file(p: &Path) -> Result<Vec<u8>, Error> {
    crate::fsread::read_limited(p, crate::image::manifest::MAX_MANIFEST_SIZE)
        .map_err(|e| Error::Read(crate::image::path_error("open", p, &e)))
}

fn hex_of(d: &str) -> &str {
    d.strip_prefix("sha256:").unwrap_or(d)
}

/// `policyctl sign`.
pub fn sign(global: &Settings, a: &SignArgs) -> Result<Outcome, Error> {
    let opts = OpenOptions {
        compat: global.compat,
        platform: Platform::host(),
        oci_attachments: false,
        storage_env: global.storage.clone(),
    };
    let (t, parsed) =
        ImageRef::parse(&a.reference, global.compat).map_err(|e| Error::Usage(e.0))?;
    let opened = image::open(t, &parsed, &RealHost, &opts).map_err(|e| Error::Read(e.0))?;
    let digest = opened
        .manifest_digest
        .clone()
        .map_err(|e| Error::Read(format!("{}: {e}", a.reference)))?;
    // c/image's rules for the signed identity.
    let identity = match (&a.identity, &opened.docker_reference) {
        (Some(i), _) => {
            let n = Named::parse_normalized(i).map_err(|e| Error::Usage(format!("{i}: {e}")))?;
            if n.tag().is_none() && n.digest().is_none() {
                return Err(Error::Usage(format!(
                    "Sign identity must be a fully specified reference {i}"
                )));
            }
            n.to_string()
        }
        (None, Some(n)) if n.tag().is_some() || n.digest().is_some() => n.to_string(),
        (None, Some(n)) => {
            return Err(Error::Usage(format!(
                "reference {n} can’t be signed, it has neither a tag nor a digest"
            )));
        }
        (None, None) => {
            return Err(Error::Usage(format!(
                "Cannot determine canonical Docker reference for destination {}: use --identity REF",
                a.reference
            )));
        }
    };
    let pem = crate::fsread::read_limited(&a.key, 1024 * 1024).map_err(|e| {
        Error::Read(crate::fsread::go_read_file_error(
            &a.key.display().to_string(),
            &e,
        ))
    })?;
    let pass = passphrase(a.passphrase_file.as_deref(), false)?;
    let key = load_encrypted_private_key(&pem, pass.as_bytes())
        .map_err(|e| Error::Read(format!("{}: {e}", a.key.display())))?;
    let now = crate::config::host::now().0;
    let creator = format!("policyctl {}", env!("CARGO_PKG_VERSION"));
    let signed = |d: &str| -> Result<Sigstore, Error> {
        let payload = crate::signature::payload::make_payload(&identity, d, Some((&creator, now)));
        let signature = sign_payload(&key, &payload).map_err(|e| Error::Internal(e.0))?;
        let mut sig = Sigstore {
            mime_type: SIGSTORE_SIGNATURE_MIME_TYPE.to_owned(),
            payload,
            annotations: Default::default(),
        };
        sig.annotations
            .insert(SIGNATURE_ANNOTATION.to_owned(), signature);
        Ok(sig)
    };
    let mut written = image::write::Written {
        files: Vec::new(),
        unchanged: false,
    };
    let mut digests = vec![digest.clone()];
    match (&parsed, t) {
        (ImageRef::Path { path, .. }, Transport::Dir) => {
            let dir = Path::new(path);
            // (manifest digest, instance) pairs to sign.
            let targets: Vec<(String, Option<String>)> = match (&opened.list, a.all) {
                (Some(l), true) => {
                    let top_path = dir.join("manifest.json");
                    let mut v: Vec<(String, Option<String>)> =
                        list_instances(&read_file(&top_path)?, &top_path, global, |d| {
                            dir.join(format!("{}.manifest.json", hex_of(d))).exists()
                        })?
                        .into_iter()
                        .map(|d| (d.clone(), Some(d)))
                        .collect();
                    v.push((l.list_digest.clone(), None));
                    v
                }
                (Some(l), false) => vec![(digest.clone(), Some(l.instance_digest.clone()))],
                (None, _) => vec![(digest.clone(), None)],
            };
            digests = targets.iter().map(|(d, _)| d.clone()).collect();
            for (d, instance) in targets {
                let w =
                    image::write::add_to_dir(dir, instance.as_deref(), &signed(&d)?, a.dry_run)?;
                written.files.extend(w.files);
            }
        }
        (ImageRef::Storage(st), Transport::ContainersStorage) => {
            let opts = OpenOptions {
                compat: global.compat,
                platform: Platform::host(),
                oci_attachments: false,
                storage_env: global.storage.clone(),
            };
            let img = image::storage::writable_image(st, &opts).map_err(|e| Error::Read(e.0))?;
            // (manifest digest, stored as the top-level signatures too)
            let targets: Vec<(String, bool)> = match (&opened.list, a.all) {
                (Some(l), true) => {
                    let data = img.images_dir.join(&img.id);
                    let file = |key: &str| data.join(image::storage::big_data_file_name(key));
                    let top_path = file("manifest");
                    let mut v: Vec<(String, bool)> =
                        list_instances(&read_file(&top_path)?, &top_path, global, |d| {
                            file(&format!("manifest-{d}")).exists()
                        })?
                        .into_iter()
                        .map(|d| (d, false))
                        .collect();
                    v.push((l.list_digest.clone(), true));
                    v
                }
                (Some(_), false) => vec![(digest.clone(), false)],
                (None, _) => vec![(digest.clone(), true)],
            };
            digests = targets.iter().map(|(d, _)| d.clone()).collect();
            for (d, top) in targets {
                let blob = crate::signature::blob::sigstore_to_blob(&signed(&d)?);
                let added = image::storage::write::add_signature(&img, &d, top, &blob, a.dry_run)?;
                written.files.extend(added.files);
                written.unchanged = added.unchanged;
            }
        }
        (ImageRef::Oci { path, .. }, Transport::Oci) => {
            let layout = Path::new(path);
            let targets: Vec<String> = match (&opened.list, a.all) {
                (Some(l), true) => {
                    let blob = |d: &str| layout.join("blobs/sha256").join(hex_of(d));
                    let top_path = blob(&l.list_digest);
                    let mut v = list_instances(&read_file(&top_path)?, &top_path, global, |d| {
                        blob(d).exists()
                    })?;
                    v.push(l.list_digest.clone());
                    v
                }
                _ => vec![digest.clone()],
            };
            digests = targets.clone();
            for d in targets {
                let w = image::write::add_to_oci_layout(layout, &d, &signed(&d)?, a.dry_run)?;
                written.files.extend(w.files);
            }
        }
        _ => {
            return Err(Error::Usage(format!(
                "policyctl signs dir:, oci: and containers-storage: images (not {} yet)",
                t.name()
            )));
        }
    };
    let digest = digests.join(", ");
    let verb = if a.dry_run { "would write" } else { "wrote" };
    if written.unchanged {
        out(&format!(
            "{}: an identical signature is already there; nothing written\n",
            a.reference
        ));
    } else {
        out(&format!(
            "{}: signed {digest} as {identity} with key {}; {verb} {}\n",
            a.reference,
            crate::signature::keys::sha256_digest(
                &p256::pkcs8::EncodePublicKey::to_public_key_der(key.verifying_key())
                    .map(|d| d.as_bytes().to_vec())
                    .unwrap_or_default()
            ),
            written
                .files
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if t == Transport::Oci {
        err(
            "note: podman, skopeo and CRI-O do not read signatures from OCI layouts; cosign verify --local-image does\n",
        );
    }
    Ok(Outcome::Ok)
}
