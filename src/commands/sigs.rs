//! `policyctl sigs`: the signature store of local images (issue 13). `list` opens each image
//! as `check` does (same instance choice), takes the signatures containers/image reads, adds
//! the lookaside signatures a pull of the image's Docker name would read and the cosign
//! objects in OCI layouts, and describes every one of them (`crate::inventory`).

use crate::cli::{
    SigsArgs, SigsCommand, SigsCopyArgs, SigsInspectArgs, SigsListArgs, SigsRmArgs, SigsVerifyArgs,
};
use crate::commands::Outcome;
use crate::error::Error;

use crate::image::{self, OpenOptions, Platform};
use crate::inventory::{self, Entry, Store};
use crate::reference::transport::{ImageRef, Transport};
use crate::report::json::{self as rj, SigsListImage, SigsListReport};
use crate::report::out;
use crate::settings::Settings;

/// `policyctl sigs`.
pub fn run(global: &Settings, args: &SigsArgs) -> Result<Outcome, Error> {
    match &args.command {
        SigsCommand::List(a) => list(global, a),
        SigsCommand::Copy(a) => copy(global, a),
        SigsCommand::Rm(a) => rm(global, a),
        SigsCommand::Verify(a) => verify(global, a),
        SigsCommand::Inspect(a) => inspect(global, a),
    }
}

/// `policyctl sigs verify`.
fn verify(global: &Settings, a: &SigsVerifyArgs) -> Result<Outcome, Error> {
    use crate::signature::Signature;
    use crate::signature::blob::SIGNATURE_ANNOTATION;
    let (t, parsed, opened) = open_for_copy(global, &a.reference, true)?;
    let digest = opened.manifest_digest.clone().map_err(Error::Read)?;
    if a.trusted.keys.is_empty() {
        return verify_with_policy(global, a, t, &parsed, &opened, &digest);
    }
    let keys = crate::commands::attest::key_files(&a.trusted.keys)?;
    let source = "--key";
    let sigs = opened
        .signatures
        .as_ref()
        .map_err(|e| Error::Read(format!("{}: {e}", a.reference)))?;
    let mut text = format!("{}: manifest {digest}; keys: {source}\n", a.reference);
    let mut good = 0;
    for s in sigs {
        let Signature::Sigstore(g) = &s.signature else {
            text += &format!(
                "  - {}: simple signing (GPG): not checked here (use `check` with a signedBy policy)\n",
                s.origin
            );
            continue;
        };
        if g.mime_type != crate::inventory::COSIGN_SIGNATURE_MEDIA_TYPE {
            continue;
        }
        let Some(b64) = g.annotations.get(SIGNATURE_ANNOTATION) else {
            text += &format!(
                "  - {}: rejected: missing {SIGNATURE_ANNOTATION} annotation\n",
                s.origin
            );
            continue;
        };
        let verdict =
            crate::signature::verify::verify_sigstore(&keys, &g.payload, b64, global.compat)
                .map_err(|e| e.0)
                .and_then(|v| {
                    let fpr = match v.signer() {
                        crate::signature::verify::Signer::Key { fingerprint, .. } => {
                            fingerprint.clone()
                        }
                        other => other.to_string(),
                    };
                    crate::signature::payload::parse_payload(v.payload(), global.compat)
                        .map(|p| (fpr, p))
                        .map_err(|e| e.0)
                });
        match verdict {
            Ok((fpr, p)) if p.manifest_digest == digest => {
                good += 1;
                text += &format!(
                    "  - {}: verified with key {fpr}; signed identity {}\n",
                    s.origin, p.docker_reference
                );
            }
            Ok((fpr, p)) => {
                text += &format!(
                    "  - {}: signed with key {fpr}, but for another manifest ({})\n",
                    s.origin, p.manifest_digest
                );
            }
            Err(e) => text += &format!("  - {}: rejected: {e}\n", s.origin),
        }
    }
    text += &format!("  {good} signature(s) verified for this image\n");
    if matches!(t, Transport::Oci) && good > 0 {
        text += "  note: podman does not read signatures from OCI layouts (see `sigs list`)\n";
    }
    out(&text);
    Ok(if good > 0 {
        Outcome::Ok
    } else {
        Outcome::Rejected
    })
}

/// `sigs verify` without `--key`: every trust root of the policy's sigstoreSigned
/// requirements for the image's scope (or `--policy-for`) — keys, keys with Rekor, Fulcio,
/// PKI — through the same verifiers `check` uses.
fn verify_with_policy(
    global: &Settings,
    a: &SigsVerifyArgs,
    t: Transport,
    parsed: &ImageRef,
    opened: &image::Opened,
    digest: &str,
) -> Result<Outcome, Error> {
    use crate::policy::Requirement;
    use crate::signature::Signature;
    let (loaded, transport, identity, what) =
        crate::commands::attest::policy_scope(global, a.trusted.policy_for.as_deref(), t, parsed)?;
    let m = crate::policy::scope::requirements_for(&loaded.policy, transport.name(), &identity);
    let files = crate::config::host::KeyFiles::new(global.root.clone());
    let now = crate::config::host::now();
    let verifiers: Vec<_> =
        m.requirements
            .items
            .iter()
            .filter_map(|r| match &r.value {
                Requirement::SigstoreSigned(s) => Some(
                    crate::signature::verifier::sigstore_verifier(s, &files, global.compat, now),
                ),
                _ => None,
            })
            .collect();
    if verifiers.is_empty() {
        return Err(Error::Usage(format!(
            "no trust root: the policy's scope for {what} ({}) has no sigstoreSigned requirement; pass --key FILE or --policy-for docker://NAME",
            loaded.location.path.display()
        )));
    }
    let sigs = opened
        .signatures
        .as_ref()
        .map_err(|e| Error::Read(format!("{}: {e}", a.reference)))?;
    let mut text = format!(
        "{}: manifest {digest}; trust: the policy's {} sigstoreSigned requirement(s) for {what}\n",
        a.reference,
        verifiers.len()
    );
    let mut good = 0;
    for s in sigs {
        let Signature::Sigstore(g) = &s.signature else {
            text += &format!(
                "  - {}: simple signing (GPG): not checked here (use `check` with a signedBy policy)\n",
                s.origin
            );
            continue;
        };
        if g.mime_type != crate::inventory::COSIGN_SIGNATURE_MEDIA_TYPE {
            continue;
        }
        let mut reasons = Vec::new();
        let mut line = None;
        for v in &verifiers {
            match v.verify(g) {
                Ok(verified) => {
                    match crate::signature::payload::parse_payload(
                        verified.payload(),
                        global.compat,
                    ) {
                        Ok(p) if p.manifest_digest == digest => {
                            line = Some(format!(
                                "verified by {}; signed identity {}",
                                verified.signer(),
                                p.docker_reference
                            ));
                            break;
                        }
                        Ok(p) => reasons.push(format!(
                            "signed by {}, but for another manifest ({})",
                            verified.signer(),
                            p.manifest_digest
                        )),
                        Err(e) => reasons.push(e.0),
                    }
                }
                Err(r) => reasons.push(r.to_string()),
            }
        }
        match line {
            Some(l) => {
                good += 1;
                text += &format!("  - {}: {l}\n", s.origin);
            }
            None => text += &format!("  - {}: rejected: {}\n", s.origin, reasons.join("; ")),
        }
    }
    text += &format!("  {good} signature(s) verified for this image\n");
    out(&text);
    Ok(if good > 0 {
        Outcome::Ok
    } else {
        Outcome::Rejected
    })
}

/// `policyctl sigs rm`.
fn rm(global: &Settings, a: &SigsRmArgs) -> Result<Outcome, Error> {
    use crate::image::write::{Which, remove_from_dir, remove_from_oci_layout};
    let (t, parsed, opened) = open_for_copy(global, &a.reference, false)?;
    let which = match a.index {
        Some(n) => Which::One(n),
        None => Which::All,
    };
    let digest = opened.manifest_digest.clone().map_err(Error::Read)?;
    let w = match (&parsed, t) {
        (ImageRef::Path { path, .. }, Transport::Dir) => {
            let instance = opened.list.as_ref().map(|l| l.instance_digest.as_str());
            remove_from_dir(std::path::Path::new(path), instance, which, a.dry_run)?
        }
        (ImageRef::Oci { path, .. }, Transport::Oci) => {
            remove_from_oci_layout(std::path::Path::new(path), &digest, which, a.dry_run)?
        }
        (ImageRef::Storage(st), Transport::ContainersStorage) => {
            let img = image::storage::writable_image(st, &list_opts(global))
                .map_err(|e| Error::Read(e.0))?;
            let n = match which {
                Which::One(n) => Some(n),
                Which::All => None,
            };
            let r = image::storage::write::remove_signatures(
                &img,
                &digest,
                opened.list.is_none(),
                n,
                a.dry_run,
            )?;
            image::write::Written {
                files: r.files,
                unchanged: r.unchanged,
            }
        }
        _ => {
            return Err(Error::Usage(format!(
                "policyctl removes signatures from dir:, oci: and containers-storage: images (not {} yet)",
                t.name()
            )));
        }
    };
    let verb = if a.dry_run { "would change" } else { "changed" };
    let mut text = if w.unchanged {
        format!("{}: no signature stored; nothing changed\n", a.reference)
    } else {
        format!("{}: {verb}:\n", a.reference)
    };
    for f in &w.files {
        text += &format!("  {}\n", f.display());
    }
    out(&text);
    Ok(Outcome::Ok)
}

fn open_for_copy(
    global: &Settings,
    reference: &str,
    oci_attachments: bool,
) -> Result<(Transport, ImageRef, image::Opened), Error> {
    let opts = OpenOptions {
        compat: global.compat,
        platform: Platform::host(),
        oci_attachments,
        storage_env: global.storage.clone(),
    };
    let (t, parsed) = ImageRef::parse(reference, global.compat).map_err(|e| Error::Usage(e.0))?;
    let opened = image::open(t, &parsed, &crate::config::host::RealHost, &opts)
        .map_err(|e| Error::Read(e.0))?;
    Ok((t, parsed, opened))
}

/// `policyctl sigs copy`.
fn copy(global: &Settings, a: &SigsCopyArgs) -> Result<Outcome, Error> {
    use crate::signature::Signature;
    use crate::signature::blob::sigstore_to_blob;
    let (_, _, src) = open_for_copy(global, &a.source, true)?;
    let sigs = src
        .signatures
        .map_err(|e| Error::Read(format!("{}: {e}", a.source)))?;
    let (dt, dparsed, dst) = open_for_copy(global, &a.destination, false)?;
    let (sd, dd) = (
        src.manifest_digest.map_err(Error::Read)?,
        dst.manifest_digest.clone().map_err(Error::Read)?,
    );
    if sd != dd {
        return Err(Error::Conflict(format!(
            "{} holds another image ({dd}) than {} ({sd}); copy the image first (skopeo copy), then its signatures",
            a.destination, a.source
        )));
    }
    let (mut copied, mut present, mut skipped) = (0, 0, Vec::new());
    let mut files = Vec::new();
    for s in &sigs {
        let w = match (&dparsed, dt, &s.signature) {
            (ImageRef::Path { path, .. }, Transport::Dir, sig) => {
                let blob = match sig {
                    Signature::SimpleSigning(b) => b.clone(),
                    Signature::Sigstore(g) => sigstore_to_blob(g),
                };
                let instance = dst.list.as_ref().map(|l| l.instance_digest.as_str());
                image::write::add_blob_to_dir(
                    std::path::Path::new(path),
                    instance,
                    &blob,
                    a.dry_run,
                )?
            }
            (ImageRef::Oci { path, .. }, Transport::Oci, Signature::Sigstore(g)) => {
                image::write::add_to_oci_layout(std::path::Path::new(path), &dd, g, a.dry_run)?
            }
            (ImageRef::Storage(st), Transport::ContainersStorage, sig) => {
                let blob = match sig {
                    Signature::SimpleSigning(b) => b.clone(),
                    Signature::Sigstore(g) => sigstore_to_blob(g),
                };
                let opts = list_opts(global);
                let img =
                    image::storage::writable_image(st, &opts).map_err(|e| Error::Read(e.0))?;
                let added = image::storage::write::add_signature(
                    &img,
                    &dd,
                    dst.list.is_none(),
                    &blob,
                    a.dry_run,
                )?;
                image::write::Written {
                    files: added.files,
                    unchanged: added.unchanged,
                }
            }
            (_, Transport::Oci, Signature::SimpleSigning(_)) => {
                skipped.push(format!(
                    "{}: a simple-signing (GPG) signature has no place in an OCI layout",
                    s.origin
                ));
                continue;
            }
            _ => {
                return Err(Error::Usage(format!(
                    "policyctl copies signatures into dir:, oci: and containers-storage: images (not {} yet)",
                    dt.name()
                )));
            }
        };
        if w.unchanged {
            present += 1;
        } else {
            copied += 1;
            files.extend(w.files);
        }
    }
    let verb = if a.dry_run { "would copy" } else { "copied" };
    let mut text = format!(
        "{} -> {}: {verb} {copied} signature(s), {present} already there ({} found)\n",
        a.source,
        a.destination,
        sigs.len()
    );
    for f in files {
        text += &format!("  {}\n", f.display());
    }
    for s in skipped {
        text += &format!("  skipped: {s}\n");
    }
    if dt == Transport::Dir && copied + present > 0 {
        text += "  podman reads them once the image is copied into containers-storage: with skopeo copy (signatures are carried)\n";
    }
    out(&text);
    Ok(Outcome::Ok)
}

fn list(global: &Settings, args: &SigsListArgs) -> Result<Outcome, Error> {
    let host = Platform::host();
    let opts = OpenOptions {
        compat: global.compat,
        platform: Platform {
            os: args.os.clone().unwrap_or(host.os),
            architecture: args.arch.clone().unwrap_or(host.architecture),
            variant: args.variant.clone().or(if args.arch.is_none() {
                host.variant
            } else {
                None
            }),
            architecture_chosen: args.arch.is_some(),
        },
        oci_attachments: false,
        storage_env: global.storage.clone(),
    };
    let images: Vec<SigsListImage> = args
        .references
        .iter()
        .map(|r| list_one(global, &opts, r, &mut Vec::new()))
        .collect();
    let failed = images.iter().any(|i| i.error.is_some());
    let report = SigsListReport { images };
    if args.json {
        out(&rj::to_pretty(&report));
    } else {
        out(&human(&report));
    }
    Ok(if failed {
        Outcome::ErrorReported
    } else {
        Outcome::Ok
    })
}

/// The stored object behind a listed entry (for `sigs inspect`).
enum Raw {
    Signature(crate::signature::Signature),
    Layer {
        media_type: String,
        annotations: std::collections::BTreeMap<String, String>,
        bytes: Result<Vec<u8>, String>,
    },
}

fn list_opts(global: &Settings) -> OpenOptions {
    OpenOptions {
        compat: global.compat,
        platform: Platform::host(),
        oci_attachments: false,
        storage_env: global.storage.clone(),
    }
}

fn pretty_json(bytes: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_default(),
        Err(_) => {
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned();
            format!("(not JSON; {} bytes) {text}", bytes.len())
        }
    }
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("    {l}\n")).collect()
}

/// `policyctl sigs inspect`.
fn inspect(global: &Settings, a: &SigsInspectArgs) -> Result<Outcome, Error> {
    use crate::signature::Signature;
    let mut raws = Vec::new();
    let img = list_one(global, &list_opts(global), &a.reference, &mut raws);
    if let Some(e) = &img.error {
        return Err(Error::Read(format!("{}: {e}", a.reference)));
    }
    let chosen: Vec<usize> = match a.index {
        Some(n) if n >= 1 && n <= img.entries.len() => vec![n - 1],
        Some(n) => {
            return Err(Error::Usage(format!(
                "{}: there is no entry {n} ({} listed)",
                a.reference,
                img.entries.len()
            )));
        }
        None => (0..img.entries.len()).collect(),
    };
    let mut text = String::new();
    for i in chosen {
        let e = &img.entries[i];
        text += &format!("{}. {} [{}]\n", i + 1, kind_name(e), e.location);
        match &raws[i] {
            Raw::Signature(Signature::SimpleSigning(blob)) => {
                let f = crate::signature::openpgp::message::facts(blob);
                if let Some(k) = f.issuer_fingerprint.or(f.issuer_key_id) {
                    text += &format!("  OpenPGP signer: {k} (unverified)\n");
                }
                if let Some(c) = f.created {
                    text += &format!(
                        "  created: {}\n",
                        crate::json::gotime::format_rfc3339_utc(c)
                    );
                }
                if let Some(p) = f.plaintext {
                    text += &format!("  payload:\n{}", indent(&pretty_json(&p)));
                }
            }
            Raw::Signature(Signature::Sigstore(g)) => {
                text += &format!("  media type: {}\n", g.mime_type);
                for (k, v) in &g.annotations {
                    text += &format!("  annotation {k}:\n{}", indent(&annotation_text(k, v)));
                }
                text += &format!("  payload:\n{}", indent(&pretty_json(&g.payload)));
            }
            Raw::Layer {
                media_type,
                annotations,
                bytes,
            } => {
                text += &format!("  media type: {media_type}\n");
                for (k, v) in annotations {
                    text += &format!("  annotation {k}:\n{}", indent(&annotation_text(k, v)));
                }
                match bytes {
                    Err(e) => text += &format!("  unreadable: {e}\n"),
                    Ok(b) => {
                        text += &format!("  content:\n{}", indent(&pretty_json(b)));
                        if let Ok(env) = crate::attestation::parse_envelope(b) {
                            text += &format!(
                                "  DSSE payload ({}):\n{}",
                                env.payload_type,
                                indent(&pretty_json(&env.payload))
                            );
                        } else if let Ok(bundle) = crate::attestation::bundle::parse_bundle(b)
                            && let crate::attestation::bundle::Content::Dsse(env) = bundle.content
                        {
                            text += &format!(
                                "  bundle DSSE payload ({}):\n{}",
                                env.payload_type,
                                indent(&pretty_json(&env.payload))
                            );
                        }
                    }
                }
            }
        }
        for n in &e.notes {
            text += &format!("  note: {n}\n");
        }
    }
    if img.entries.is_empty() {
        text += &format!(
            "{}: no stored signature, attestation or bundle\n",
            a.reference
        );
    }
    out(&text);
    Ok(Outcome::Ok)
}

/// An annotation for humans: certificates described, bundles pretty-printed.
fn annotation_text(key: &str, value: &str) -> String {
    match key {
        crate::signature::blob::CERTIFICATE_ANNOTATION => {
            match crate::signature::sigstore::certificate::describe_unverified(value.as_bytes()) {
                Some(d) => format!("certificate {d} (unverified)\n{value}"),
                None => value.to_owned(),
            }
        }
        crate::signature::blob::BUNDLE_ANNOTATION => pretty_json(value.as_bytes()),
        _ => value.to_owned(),
    }
}

fn empty(reference: &str) -> SigsListImage {
    SigsListImage {
        reference: reference.to_owned(),
        error: None,
        transport: None,
        manifest_digest: None,
        list_digest: None,
        signatures_error: None,
        podman_reads: 0,
        entries: Vec::new(),
        notes: Vec::new(),
    }
}

fn list_one(
    global: &Settings,
    opts: &OpenOptions,
    reference: &str,
    raws: &mut Vec<Raw>,
) -> SigsListImage {
    let mut img = empty(reference);
    let opened = ImageRef::parse(reference, opts.compat)
        .map_err(|e| e.0)
        .and_then(|(t, parsed)| {
            image::open(t, &parsed, &crate::config::host::RealHost, opts)
                .map(|o| (parsed, o))
                .map_err(|e| e.0)
        });
    let (parsed, opened) = match opened {
        Ok(x) => x,
        Err(e) => {
            img.error = Some(e);
            return img;
        }
    };
    img.transport = Some(opened.transport.name().to_owned());
    img.manifest_digest = opened.manifest_digest.as_ref().ok().cloned();
    img.list_digest = opened.list.as_ref().map(|l| l.list_digest.clone());
    let store = match opened.transport {
        Transport::Dir => Some(Store::Dir),
        Transport::ContainersStorage => Some(Store::ContainersStorage),
        _ => None,
    };
    match (&opened.signatures, store) {
        (Ok(sigs), Some(store)) => {
            for s in sigs {
                let mut e = inventory::from_signature(
                    &s.signature,
                    store,
                    s.origin.clone(),
                    true,
                    opts.compat,
                );
                e.stored_for = img.manifest_digest.clone();
                img.entries.push(e);
                raws.push(Raw::Signature(s.signature.clone()));
            }
        }
        (Err(e), _) => img.signatures_error = Some(e.clone()),
        (Ok(_), None) => img.notes.push(format!(
            "containers/image never reads signatures from {} images: for podman this image is unsigned",
            opened.transport.name()
        )),
    }
    // A pull of the image's Docker name reads simple-signing signatures from the lookaside.
    if let (Some(named), Some(digest)) = (&opened.docker_reference, img.manifest_digest.clone()) {
        lookaside(global, named, &digest, &mut img, opts, raws);
    }
    // cosign's objects in OCI layouts, for the evaluated manifest and the list.
    let mut digests: Vec<String> = img.manifest_digest.iter().cloned().collect();
    digests.extend(img.list_digest.iter().cloned());
    match image::oci::layout_objects(&parsed, &digests) {
        Ok(objects) => {
            for o in objects {
                let store = if o.referrer {
                    Store::OciLayoutReferrer
                } else {
                    Store::OciLayoutTag
                };
                for (i, (media_type, annotations, bytes)) in o.layers.iter().enumerate() {
                    let location = format!("{} {} layer {}", o.label, o.manifest_digest, i + 1);
                    let mut e = match bytes {
                        Ok(b) => inventory::from_layer(
                            media_type,
                            b,
                            annotations,
                            store,
                            location,
                            opts.compat,
                        ),
                        Err(err) => unreadable(store, location, err),
                    };
                    e.stored_for = Some(o.subject.clone());
                    if Some(&o.subject) == img.list_digest.as_ref() {
                        e.notes.push(format!(
                            "stored for the manifest list; podman evaluates the instance {}",
                            img.manifest_digest.as_deref().unwrap_or("?")
                        ));
                    }
                    img.entries.push(e);
                    raws.push(Raw::Layer {
                        media_type: media_type.clone(),
                        annotations: annotations.clone(),
                        bytes: bytes.clone(),
                    });
                }
            }
        }
        Err(e) => img
            .notes
            .push(format!("reading cosign objects in the layout: {e}")),
    }
    img.podman_reads = img.entries.iter().filter(|e| e.podman_reads).count();
    img
}

fn unreadable(store: Store, location: String, why: &str) -> Entry {
    let mut e = inventory::from_bundle(b"", store, location);
    e.notes = vec![why.to_owned()];
    e
}

fn lookaside(
    global: &Settings,
    named: &crate::reference::docker::Named,
    digest: &str,
    img: &mut SigsListImage,
    opts: &OpenOptions,
    raws: &mut Vec<Raw>,
) {
    use crate::image::lookaside::{self, Lookaside};
    let regd = crate::config::registries_d::load(&global.registries_d_dir());
    let configured = match &regd {
        Ok(r) => r.lookaside_for(named),
        Err(_) => None,
    };
    let euid = crate::fsread::effective_uid();
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let default = lookaside::default_dir(euid, home.as_deref());
    match lookaside::resolve(configured.as_deref(), default, global.root.as_deref()) {
        Ok(Lookaside::Dir(dir)) => match lookaside::read(&dir, named, digest) {
            Ok(sigs) => {
                for s in sigs {
                    raws.push(Raw::Signature(s.signature.clone()));
                    let mut e = inventory::from_signature(
                        &s.signature,
                        Store::Lookaside,
                        s.origin,
                        true,
                        opts.compat,
                    );
                    e.stored_for = Some(digest.to_owned());
                    e.notes.push(format!(
                        "read by a pull of docker://{} (lookaside {})",
                        named.name(),
                        dir.display()
                    ));
                    img.entries.push(e);
                }
            }
            Err(e) => img.notes.push(format!("lookaside {}: {e}", dir.display())),
        },
        Ok(Lookaside::Remote(url)) => img.notes.push(format!(
            "a pull of docker://{} reads simple-signing signatures from {url}, which policyctl does not contact",
            named.name()
        )),
        Err(e) => img.notes.push(format!("lookaside: {e}")),
    }
}

/// The human listing.
fn human(r: &SigsListReport) -> String {
    let mut s = String::new();
    for img in &r.images {
        if let Some(e) = &img.error {
            s += &format!("{}: error: {e}\n", img.reference);
            continue;
        }
        s += &format!(
            "{}: {} stored object(s), {} read by podman",
            img.reference,
            img.entries.len(),
            img.podman_reads
        );
        if let Some(d) = &img.manifest_digest {
            s += &format!(" (manifest {d}");
            if let Some(l) = &img.list_digest {
                s += &format!(", instance of list {l}");
            }
            s += ")";
        }
        s += "\n";
        if let Some(e) = &img.signatures_error {
            s += &format!("  signatures unreadable: {e}\n");
        }
        for (i, e) in img.entries.iter().enumerate() {
            s += &format!(
                "  {}. {} [{}] {}\n",
                i + 1,
                kind_name(e),
                if e.podman_reads {
                    "podman reads it"
                } else {
                    "podman does not read it"
                },
                e.location
            );
            if let Some(x) = &e.signer {
                s += &format!("     signer: {x}\n");
            }
            if let Some(x) = &e.claimed_identity {
                s += &format!(
                    "     claims: {x}, {}\n",
                    e.claimed_digest.as_deref().unwrap_or("")
                );
            }
            if let Some(p) = &e.predicate_type {
                let short = crate::attestation::predicate_short_name(p)
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                s += &format!("     predicate: {p}{short}");
                if !e.subject_digests.is_empty() {
                    s += &format!(", subject {}", e.subject_digests.join(", "));
                }
                s += "\n";
            }
            for n in &e.notes {
                s += &format!("     note: {n}\n");
            }
        }
        if img.podman_reads == 0 {
            s += "  podman, skopeo and CRI-O see no signature for this image\n";
        }
        for n in &img.notes {
            s += &format!("  note: {n}\n");
        }
    }
    s
}

fn kind_name(e: &Entry) -> &'static str {
    use crate::inventory::EntryKind::*;
    match e.kind {
        SimpleSigning => "simple signing (OpenPGP)",
        CosignSignature => "cosign signature",
        SigstoreAttachment => "sigstore attachment",
        Attestation => "attestation (DSSE)",
        Sbom => "SBOM (unsigned)",
        Bundle => "Sigstore bundle",
        Unreadable => "unreadable object",
    }
}
