//! `policyctl attest verify` and `policyctl sbom` (issue 13, spec §18.7): the attestations
//! stored with a local image (cosign `.att` layers and Sigstore bundles in OCI layouts),
//! verified offline with trusted keys (given, or the policy's for the image's scope), and the
//! SBOM taken only from a verified one.

use crate::attestation::bundle::{self, Content, Material};
use crate::attestation::verify::{
    AttestationRejection, VerifiedAttestation, predicate_type_uri, sbom_document,
    verify_attestation,
};
use crate::attestation::{self, Envelope};
use crate::cli::{AttestArgs, AttestCommand, SbomArgs, TrustedKeys};
use crate::commands::{Outcome, load_policy};
use crate::config::host::{KeyFiles, RealHost};
use crate::error::Error;
use crate::image::{self, OpenOptions, Platform};
use crate::inventory::DSSE_MEDIA_TYPE;
use crate::policy::{Requirement, SigstoreTrust};
use crate::reference::transport::{ImageRef, Transport};
use crate::report::json::{self as rj, AttestVerifyReport, AttestationResult};
use crate::report::{err, out};
use crate::settings::Settings;
use crate::signature::keys::LoadedKey;

/// One attestation found with the image.
struct Candidate {
    location: String,
    envelope: Result<Envelope, String>,
    /// A keyless bundle: verified with the Fulcio/Rekor trust, not with keys.
    keyless: Option<Box<crate::attestation::bundle::Bundle>>,
}

/// An unsigned `.sbom` attachment.
struct UnsignedSbom {
    location: String,
    media_type: String,
    bytes: Vec<u8>,
}

struct Found {
    instance: String,
    list: Option<String>,
    candidates: Vec<Candidate>,
    unsigned_sboms: Vec<UnsignedSbom>,
    notes: Vec<String>,
}

fn open(global: &Settings, reference: &str) -> Result<(Transport, ImageRef, Found), Error> {
    let opts = OpenOptions {
        compat: global.compat,
        platform: Platform::host(),
        oci_attachments: false,
        storage_env: global.storage.clone(),
    };
    let (t, parsed) = ImageRef::parse(reference, global.compat).map_err(|e| Error::Usage(e.0))?;
    let opened = image::open(t, &parsed, &RealHost, &opts).map_err(|e| Error::Read(e.0))?;
    let instance = opened
        .manifest_digest
        .clone()
        .map_err(|e| Error::Read(format!("{reference}: {e}")))?;
    let list = opened.list.as_ref().map(|l| l.list_digest.clone());
    let mut digests = vec![instance.clone()];
    digests.extend(list.iter().cloned());
    let mut found = Found {
        instance,
        list,
        candidates: Vec::new(),
        unsigned_sboms: Vec::new(),
        notes: Vec::new(),
    };
    let objects = image::oci::layout_objects(&parsed, &digests).map_err(|e| Error::Read(e.0))?;
    if !matches!(parsed, ImageRef::Oci { .. }) {
        found.notes.push(format!(
            "{} images never carry attestations (podman and skopeo do not copy them); keep them in an OCI layout (`cosign save`)",
            opened.transport.name()
        ));
    }
    for o in objects {
        for (i, (media_type, _, bytes)) in o.layers.iter().enumerate() {
            let location = format!("{} {} layer {}", o.label, o.manifest_digest, i + 1);
            let bytes = match bytes {
                Ok(b) => b,
                Err(e) if media_type == DSSE_MEDIA_TYPE => {
                    found.candidates.push(Candidate {
                        location,
                        envelope: Err(e.clone()),
                        keyless: None,
                    });
                    continue;
                }
                Err(_) => continue,
            };
            if media_type == DSSE_MEDIA_TYPE {
                found.candidates.push(Candidate {
                    location,
                    envelope: attestation::parse_envelope(bytes).map_err(|e| e.0),
                    keyless: None,
                });
            } else if media_type.starts_with("application/vnd.dev.sigstore.bundle") {
                match bundle::parse_bundle(bytes) {
                    Ok(b) => {
                        if let Content::Dsse(env) = &b.content {
                            let keyless = matches!(b.material, Material::Certificate(_));
                            found.candidates.push(Candidate {
                                location,
                                envelope: Ok(env.clone()),
                                keyless: keyless.then(|| Box::new(b.clone())),
                            });
                        }
                    }
                    Err(e) => found.candidates.push(Candidate {
                        location,
                        envelope: Err(e.0),
                        keyless: None,
                    }),
                }
            } else if media_type.starts_with("text/spdx")
                || media_type.starts_with("application/vnd.cyclonedx")
                || media_type.starts_with("application/vnd.syft")
            {
                found.unsigned_sboms.push(UnsignedSbom {
                    location,
                    media_type: media_type.clone(),
                    bytes: bytes.clone(),
                });
            }
        }
    }
    Ok((t, parsed, found))
}

/// The `--key` files, parsed.
pub(crate) fn key_files(paths: &[std::path::PathBuf]) -> Result<Vec<LoadedKey>, Error> {
    paths
        .iter()
        .map(|p| {
            let bytes = crate::fsread::read_limited(p, 1024 * 1024).map_err(|e| {
                Error::Read(crate::fsread::go_read_file_error(
                    &p.display().to_string(),
                    &e,
                ))
            })?;
            crate::signature::keys::parse_pem_public_key(&bytes)
                .map_err(|e| Error::Read(format!("{}: {e}", p.display())))
        })
        .collect()
}

/// The policy and the identity whose scope supplies the trust: `--policy-for REF`, else the
/// image's own; the last element says which, for messages.
pub(crate) fn policy_scope(
    global: &Settings,
    policy_for: Option<&str>,
    image_transport: Transport,
    image: &ImageRef,
) -> Result<
    (
        crate::config::policy_file::LoadedPolicy,
        Transport,
        crate::reference::transport::PolicyIdentity,
        String,
    ),
    Error,
> {
    let loaded = load_policy(global)?;
    let (transport, parsed, what) = match policy_for {
        Some(r) => {
            let (t, parsed) = ImageRef::parse(r, global.compat).map_err(|e| Error::Usage(e.0))?;
            (t, std::borrow::Cow::Owned(parsed), r.to_owned())
        }
        None => (
            image_transport,
            std::borrow::Cow::Borrowed(image),
            "the image".to_owned(),
        ),
    };
    let identity = parsed
        .policy_identity(&RealHost)
        .map_err(|e| Error::Usage(e.0))?;
    Ok((loaded, transport, identity, what))
}

/// What attestations are checked with: keys, and keyless (Fulcio/Rekor) trust — from the
/// command line, else from the policy's sigstoreSigned requirements for the scope.
fn attest_trust(
    global: &Settings,
    trusted: &TrustedKeys,
    image_transport: Transport,
    image: &ImageRef,
) -> Result<(Vec<LoadedKey>, String, Option<Keyless>), Error> {
    let from_flags = keyless_trust(trusted)?;
    if !trusted.keys.is_empty() || from_flags.is_some() && trusted.policy_for.is_none() {
        let source = if trusted.keys.is_empty() {
            "--fulcio-ca/--rekor-key"
        } else {
            "--key"
        };
        return Ok((key_files(&trusted.keys)?, source.to_owned(), from_flags));
    }
    // The policy's scope: public keys, and the first fulcio requirement as keyless trust.
    let (loaded, transport, identity, what) = policy_scope(
        global,
        trusted.policy_for.as_deref(),
        image_transport,
        image,
    )?;
    let m = crate::policy::scope::requirements_for(&loaded.policy, transport.name(), &identity);
    let files = KeyFiles::new(global.root.clone());
    let mut keys = Vec::new();
    let mut keyless = from_flags;
    for r in &m.requirements.items {
        let Requirement::SigstoreSigned(s) = &r.value else {
            continue;
        };
        match &s.trust {
            SigstoreTrust::PublicKeys(src) => {
                keys.extend(
                    crate::signature::sigstore::load_public_keys(src, &files, global.compat)
                        .map_err(|e| Error::Read(format!("the policy's keys: {e}")))?,
                );
            }
            SigstoreTrust::Fulcio(f) if keyless.is_none() => {
                use crate::signature::verifier::KeyLoader;
                let ca = match &f.value.ca {
                    crate::policy::CaSource::Path(p) => files
                        .read_key(p)
                        .map_err(|e| Error::Read(format!("the policy's Fulcio CA: {e}")))?,
                    crate::policy::CaSource::Data(d) => d.clone(),
                };
                let mut roots = crate::signature::x509::CertPool::default();
                crate::signature::x509::append_certs_from_pem(&mut roots, &ca);
                let rekor = match &s.rekor {
                    Some(src) => crate::signature::sigstore::rekor::load_rekor_keys(
                        src,
                        &files,
                        global.compat,
                    )
                    .map_err(|e| Error::Read(format!("the policy's Rekor keys: {e}")))?,
                    None => Vec::new(),
                };
                keyless = Some(Keyless {
                    roots,
                    rekor,
                    issuer: Some(f.value.oidc_issuer.clone()),
                    email: Some(f.value.subject_email.clone()),
                });
            }
            _ => {}
        }
    }
    if keys.is_empty() && keyless.is_none() {
        return Err(Error::Usage(format!(
            "no trusted key: the policy's scope for {what} ({}) has no sigstoreSigned keys or Fulcio trust; pass --key FILE, --fulcio-ca/--rekor-key, or --policy-for docker://NAME",
            loaded.location.path.display()
        )));
    }
    Ok((keys, format!("the policy's scope for {what}"), keyless))
}

/// The Fulcio/Rekor trust for keyless bundles.
struct Keyless {
    roots: crate::signature::x509::CertPool,
    rekor: Vec<LoadedKey>,
    issuer: Option<String>,
    email: Option<String>,
}

fn keyless_trust(t: &TrustedKeys) -> Result<Option<Keyless>, Error> {
    let Some(ca) = &t.fulcio_ca else {
        return Ok(None);
    };
    let read = |p: &std::path::Path| {
        crate::fsread::read_limited(p, 1024 * 1024).map_err(|e| {
            Error::Read(crate::fsread::go_read_file_error(
                &p.display().to_string(),
                &e,
            ))
        })
    };
    let mut roots = crate::signature::x509::CertPool::default();
    if crate::signature::x509::append_certs_from_pem(&mut roots, &read(ca)?) == 0 {
        return Err(Error::Read(format!(
            "{}: no certificate (error loading Fulcio CA certificates)",
            ca.display()
        )));
    }
    let mut rekor = Vec::new();
    for p in &t.rekor_keys {
        rekor.push(
            crate::signature::keys::parse_pem_public_key(&read(p)?)
                .map_err(|e| Error::Read(format!("{}: {e}", p.display())))?,
        );
    }
    Ok(Some(Keyless {
        roots,
        rekor,
        issuer: t.certificate_oidc_issuer.clone(),
        email: t.certificate_email.clone(),
    }))
}

fn judge(
    found: &Found,
    keys: &[LoadedKey],
    keyless: Option<&Keyless>,
    wanted: Option<&str>,
) -> Vec<(AttestationResult, Option<VerifiedAttestation>)> {
    found
        .candidates
        .iter()
        .map(|c| {
            let mut r = AttestationResult {
                location: c.location.clone(),
                verdict: rj::AttestationVerdict::Rejected,
                reason: None,
                predicate_type: None,
                key_fingerprint: None,
                subject: None,
                statement_sha256: None,
            };
            let env = match &c.envelope {
                Ok(e) => e,
                Err(e) => {
                    r.reason = Some(e.clone());
                    return (r, None);
                }
            };
            let verdict = match (&c.keyless, keyless) {
                (Some(_), None) => {
                    r.verdict = rj::AttestationVerdict::Unsupported;
                    r.reason = Some(
                        "a keyless (certificate) bundle: pass --fulcio-ca and --rekor-key to verify it; not accepted"
                            .into(),
                    );
                    return (r, None);
                }
                (Some(b), Some(k)) => {
                    let empty = crate::signature::x509::CertPool::default();
                    let trust = crate::attestation::keyless::KeylessTrust {
                        fulcio_roots: &k.roots,
                        intermediates: &empty,
                        rekor_keys: &k.rekor,
                        oidc_issuer: k.issuer.as_deref(),
                        subject_email: k.email.as_deref(),
                    };
                    match crate::attestation::keyless::verify_keyless_bundle(
                        b,
                        &trust,
                        &found.instance,
                        found.list.as_deref(),
                        wanted,
                    ) {
                        Ok(v) => v.map(|v| v.attestation),
                        Err(e) => {
                            r.reason = Some(e.0);
                            return (r, None);
                        }
                    }
                }
                (None, _) => verify_attestation(env, keys, &found.instance, found.list.as_deref(), wanted),
            };
            match verdict {
                Ok(v) => {
                    r.verdict = rj::AttestationVerdict::Verified;
                    r.predicate_type = Some(v.statement.predicate_type.clone());
                    r.key_fingerprint = Some(v.key_fingerprint.clone());
                    r.subject = Some(v.subject);
                    r.statement_sha256 = Some(v.statement_sha256.clone());
                    (r, Some(v))
                }
                Err(e) => {
                    if let AttestationRejection::PredicateType { found, .. } = &e {
                        r.predicate_type = Some(found.clone());
                    }
                    r.reason = Some(e.to_string());
                    (r, None)
                }
            }
        })
        .collect()
}

/// `policyctl attest`.
pub fn verify(global: &Settings, args: &AttestArgs) -> Result<Outcome, Error> {
    let AttestCommand::Verify(a) = &args.command;
    let (t, parsed, found) = open(global, &a.reference)?;
    let (keys, key_source, keyless) = attest_trust(global, &a.trusted, t, &parsed)?;
    let wanted = a.predicate_type.as_deref().map(predicate_type_uri);
    let judged = judge(&found, &keys, keyless.as_ref(), wanted);
    let verified = judged.iter().filter(|(_, v)| v.is_some()).count();
    let report = AttestVerifyReport {
        reference: a.reference.clone(),
        manifest_digest: found.instance.clone(),
        list_digest: found.list.clone(),
        predicate_type: wanted.map(str::to_owned),
        keys: key_source,
        verified,
        attestations: judged.into_iter().map(|(r, _)| r).collect(),
        notes: found.notes.clone(),
    };
    if a.json {
        out(&rj::to_pretty(&report));
    } else {
        out(&human(&report));
    }
    Ok(if verified > 0 {
        Outcome::Ok
    } else {
        Outcome::Rejected
    })
}

fn human(r: &AttestVerifyReport) -> String {
    let mut s = format!(
        "{}: {} of {} attestation(s) verified (keys: {}; manifest {}",
        r.reference,
        r.verified,
        r.attestations.len(),
        r.keys,
        r.manifest_digest
    );
    if let Some(l) = &r.list_digest {
        s += &format!(", list {l}");
    }
    s += ")\n";
    for a in &r.attestations {
        let v = match a.verdict {
            rj::AttestationVerdict::Verified => "verified",
            rj::AttestationVerdict::Rejected => "rejected",
            rj::AttestationVerdict::Unsupported => "cannot verify yet",
        };
        s += &format!("  - {}: {v}", a.location);
        if let Some(p) = &a.predicate_type {
            s += &format!(", predicate {p}");
        }
        if let Some(k) = &a.key_fingerprint {
            s += &format!(", key {k}");
        }
        if let Some(reason) = &a.reason {
            s += &format!(": {reason}");
        }
        s += "\n";
    }
    if r.attestations.is_empty() {
        s += "  no attestation is stored with this image\n";
    }
    for n in &r.notes {
        s += &format!("  note: {n}\n");
    }
    s
}

/// `policyctl sbom`.
pub fn sbom(global: &Settings, a: &SbomArgs) -> Result<Outcome, Error> {
    let (t, parsed, found) = open(global, &a.reference)?;
    let (keys, key_source, keyless) = attest_trust(global, &a.trusted, t, &parsed)?;
    let wanted: Vec<&str> = match &a.predicate_type {
        Some(t) => vec![predicate_type_uri(t)],
        None => vec!["https://spdx.dev/Document", "https://cyclonedx.org/bom"],
    };
    let judged = judge(&found, &keys, keyless.as_ref(), None);
    let chosen = wanted.iter().find_map(|w| {
        judged
            .iter()
            .filter_map(|(r, v)| v.as_ref().map(|v| (r, v)))
            .find(|(_, v)| v.statement.predicate_type == *w)
    });
    let (document, what) = match chosen {
        Some((r, v)) => {
            let doc = sbom_document(v).map_err(|e| Error::Read(format!("{}: {e}", r.location)))?;
            (
                doc,
                format!(
                    "SBOM ({}) from the attestation {}, verified with key {} ({key_source}); statement sha256:{} — the file is a re-serialisation of the attested predicate",
                    v.statement.predicate_type, r.location, v.key_fingerprint, v.statement_sha256
                ),
            )
        }
        None => {
            let unsigned = found.unsigned_sboms.first();
            match unsigned {
                Some(u) if a.allow_unsigned => (
                    u.bytes.clone(),
                    format!(
                        "WARNING: UNSIGNED SBOM ({}) from {}: nothing vouches for its content (--allow-unsigned)",
                        u.media_type, u.location
                    ),
                ),
                _ => {
                    let mut why = format!(
                        "{}: no verified SBOM attestation ({} candidate(s); `policyctl attest verify` explains each)",
                        a.reference,
                        judged.len()
                    );
                    if let Some(u) = unsigned {
                        why += &format!(
                            "; an unsigned SBOM attachment exists at {} (use --allow-unsigned to take it anyway)",
                            u.location
                        );
                    }
                    err(&format!("{why}\n"));
                    return Ok(Outcome::Rejected);
                }
            }
        }
    };
    match &a.output {
        Some(path) => {
            let tx = crate::config::txn::Txn::begin(
                path,
                crate::config::txn::Safety { force: false },
                64 * 1024 * 1024,
            )?;
            tx.commit(&document, 0o644)?;
            err(&format!("{what}; written to {}\n", path.display()));
        }
        None => {
            out(&String::from_utf8_lossy(&document));
            err(&format!("{what}\n"));
        }
    }
    Ok(Outcome::Ok)
}
