//! Image stores (I/O edge): open an image reference read-only and offline, and hand the
//! evaluator what c/image's `UnparsedImage` would give it — the evaluated manifest (the
//! platform instance for lists), the reference's identity, and the signatures.
//!
//! One module per transport; each returns an [`Opened`]. Anything that goes wrong *before*
//! evaluation (missing image, corrupt manifest, digest mismatch) is an [`ImageError`] (exit 2);
//! problems reading signatures are kept in [`Opened::signatures`], because c/image only
//! reads signatures when a requirement needs them (and then rejects).

pub mod archive;
pub mod dir;
pub mod lookaside;
pub mod manifest;
pub mod oci;
pub mod storage;
pub mod write;

use std::path::Path;

use crate::compat::Compat;
use crate::image::storage::conf::StorageEnv;
use crate::reference::docker::Named;
use crate::reference::transport::{Host, ImageRef, PolicyIdentity, Transport};
pub use crate::signature::SourcedSignature;
pub use manifest::Platform;

/// Largest signature c/image reads (`iolimits.MaxSignatureBodySize`).
pub const MAX_SIGNATURE_SIZE: u64 = 4 * 1024 * 1024;
/// Most signatures per image we read (a guard against hostile stores).
pub const MAX_SIGNATURES: usize = 1024;

/// When a numbered signature list is too long.
pub enum TooMany {
    /// Only when signature `max + 1` exists (`dir:`; policyctl's own limit).
    IfAnotherExists,
    /// As soon as signature `max + 1` would be looked for (c/image's lookaside limit).
    BeforeLookingFurther,
}

/// `signature-1`, `signature-2`, … (`path_of(n)`) until the first missing one, each parsed
/// with `FromBlob` (c/image's texts); more than `max` is the error `too_many()`.
pub fn read_numbered_signatures(
    path_of: impl Fn(usize) -> std::path::PathBuf,
    max: usize,
    rule: TooMany,
    too_many: impl Fn() -> String,
) -> Result<Vec<SourcedSignature>, String> {
    let mut out = Vec::new();
    for n in 1..=max + 1 {
        if n > max && matches!(rule, TooMany::BeforeLookingFurther) {
            return Err(too_many());
        }
        let p = path_of(n);
        let blob = match read_limited(&p, MAX_SIGNATURE_SIZE) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
            Err(e) => return Err(path_error("open", &p, &e)),
        };
        if n > max {
            return Err(too_many());
        }
        let signature = crate::signature::blob::from_blob(&blob).map_err(|e| {
            format!(
                "parsing signature {}: {e}",
                crate::json::gofmt::quote(&p.display().to_string())
            )
        })?;
        out.push(SourcedSignature {
            signature,
            origin: p.display().to_string(),
        });
    }
    Ok(out)
}

/// Why an image could not be opened (exit 2). The message names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ImageError(pub String);

/// What opening an image yields.
#[derive(Debug, Clone)]
pub struct Opened {
    pub transport: Transport,
    /// `StringWithinTransport()` (used in c/image's `reject` message).
    pub within: String,
    /// The identity signatures are matched against (`None`: no Docker identity).
    pub docker_reference: Option<Named>,
    /// Policy identity and namespaces (for `containers-storage:`, with the image ID).
    pub identity: PolicyIdentity,
    /// The evaluated manifest (the chosen instance for lists).
    pub manifest: Vec<u8>,
    /// Its MIME type as c/image sniffs it.
    pub mime_type: String,
    /// `manifest.Digest` of it (an error is reported when a signature needs it).
    pub manifest_digest: Result<String, String>,
    /// The list/index digest and the chosen instance, when the reference named a list.
    pub list: Option<ListChoice>,
    /// The signatures of the evaluated manifest, or why they could not be read.
    pub signatures: Result<Vec<SourcedSignature>, String>,
    /// Facts worth telling the user (e.g. attachments podman would not see).
    pub notes: Vec<String>,
    /// What the evaluated manifest is as schema 1 (signed manifests get special care).
    pub schema1: manifest::Schema1Check,
    /// The digest c/image would use where policyctl refuses one (a forged schema-1 JWS that
    /// c/image 5.23.1 digests anyway): lets `check` report c/image's own verdict too.
    pub cimage_manifest_digest: Option<String>,
}

/// Which instance of a list was evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListChoice {
    pub list_digest: String,
    pub instance_digest: String,
    pub platform: Platform,
}

/// How to open images.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    pub compat: Compat,
    pub platform: Platform,
    /// Read cosign's `sha256-<hex>.sig` attachments in OCI layouts (c/image does not).
    pub oci_attachments: bool,
    /// Where `containers-storage` looks for its configuration.
    pub storage_env: StorageEnv,
}

/// Opens `reference` (already parsed) on this machine.
pub fn open(
    transport: Transport,
    reference: &ImageRef,
    host: &dyn Host,
    opts: &OpenOptions,
) -> Result<Opened, ImageError> {
    match reference {
        ImageRef::Path {
            transport: Transport::Dir,
            path,
        } => dir::open(path, reference, host, opts),
        ImageRef::Oci {
            transport: Transport::Oci,
            ..
        } => oci::open_layout(reference, host, opts),
        ImageRef::Oci {
            transport: Transport::OciArchive,
            ..
        } => archive::open_oci_archive(reference, host, opts),
        ImageRef::DockerArchive { .. } => archive::open_docker_archive(reference, host, opts),
        ImageRef::Storage(s) => storage::open(s, opts),
        _ => Err(ImageError(format!(
            "{}: transport not supported offline by policyctl (images must be in local storage: containers-storage:, dir:, oci:, oci-archive:, docker-archive:)",
            transport.name()
        ))),
    }
}

/// Reads a whole file of at most `limit` bytes (one reader for every untrusted file).
pub use crate::fsread::read_limited;

/// Go's `*PathError` text for `op path: err`.
pub fn path_error(op: &str, path: &Path, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::Other {
        return e.to_string();
    }
    format!(
        "{op} {}: {}",
        path.display(),
        crate::fsread::go_errno_text(e)
    )
}

/// The manifest an image source returned: bytes and, when the source knows it (an OCI
/// descriptor's `mediaType`), its MIME type; otherwise c/image guesses it from the bytes.
pub struct SourceManifest {
    pub bytes: Vec<u8>,
    pub mime_type: Option<String>,
}

impl SourceManifest {
    /// A manifest whose type is guessed from the bytes.
    pub fn guessed(bytes: Vec<u8>) -> SourceManifest {
        SourceManifest {
            bytes,
            mime_type: None,
        }
    }

    fn mime(&self) -> String {
        match &self.mime_type {
            Some(m) if !m.is_empty() => m.clone(),
            _ => manifest::guess_mime_type(&self.bytes),
        }
    }
}

/// What `copy` does before evaluating the policy: if the top manifest is a list
/// (`ListFromBlob`, with its ambiguity check), choose the platform instance as c/image does and
/// read it with `read_instance`, which must verify it against the instance digest. Returns the
/// evaluated manifest, its MIME type and the list choice.
pub fn resolve_manifest(
    top: SourceManifest,
    opts: &OpenOptions,
    read_instance: &mut dyn FnMut(&str) -> Result<SourceManifest, ImageError>,
) -> Result<(Vec<u8>, String, Option<ListChoice>), ImageError> {
    let mime = top.mime();
    if !manifest::is_list(&mime) {
        return Ok((top.bytes, mime, None));
    }
    let list = manifest::list_from_blob(&top.bytes, &mime, opts.compat)
        .map_err(|e| ImageError(format!("parsing primary manifest as list: {e}")))?;
    // Shown to the user only; c/image does not digest the list on this path.
    let list_digest = manifest::digest(&top.bytes, opts.compat)
        .unwrap_or_else(|_| crate::signature::keys::sha256_digest(&top.bytes));
    let instance = manifest::choose_instance(&list, &opts.platform, opts.compat).map_err(|e| {
        ImageError(format!(
            "choosing an image from manifest list {list_digest}: {e}"
        ))
    })?;
    let m = read_instance(&instance)?;
    let mime = m.mime();
    let choice = ListChoice {
        list_digest,
        instance_digest: instance,
        platform: opts.platform.clone(),
    };
    Ok((m.bytes, mime, Some(choice)))
}

/// The evaluated manifest's digest as policyctl uses it, its schema-1 classification, and the
/// digest c/image would use when that differs (see [`Opened::cimage_manifest_digest`]).
pub fn evaluated_digest(
    m: &[u8],
    compat: Compat,
) -> (
    Result<String, String>,
    manifest::Schema1Check,
    Option<String>,
) {
    let digest = manifest::digest(m, compat);
    let check = manifest::check_schema1_payload(m);
    if let manifest::Schema1Check::ForgedAcceptedBy523(why) = &check
        && let Ok(d) = &digest
    {
        let refused = Err(format!(
            "{why}: the schema 1 JWS header makes this manifest digest as {d}, another manifest; containers/image {} trusts that digest, but the layers it would pull are not the signed ones, so policyctl refuses it",
            compat.as_str()
        ));
        return (refused, check, Some(d.clone()));
    }
    (digest, check, None)
}

/// Checks that `bytes` have digest `want` (`sha256:` only; other algorithms are refused).
pub fn verify_digest(bytes: &[u8], want: &str, what: &str) -> Result<(), ImageError> {
    if !want.starts_with("sha256:") {
        return Err(ImageError(format!(
            "{what}: unsupported digest algorithm in {want}"
        )));
    }
    let got = crate::signature::keys::sha256_digest(bytes);
    if got != want {
        return Err(ImageError(format!(
            "{what}: digest mismatch: expected {want}, got {got}"
        )));
    }
    Ok(())
}

/// What c/image's `image.FromUnparsedImage` needs after the policy allowed an image: a
/// manifest of a known single-image type that parses. Errors name the image.
pub fn check_manifest_parses(o: &Opened, compat: Compat) -> Result<(), ImageError> {
    if o.transport == Transport::DockerArchive {
        return Ok(()); // c/image synthesizes this manifest itself.
    }
    let what = format!("{}:{}", o.transport.name(), o.within);
    if manifest::is_list(&o.mime_type) {
        return Err(ImageError(format!(
            "{what}: a manifest list instance is itself a list"
        )));
    }
    manifest::check_single_manifest(&o.manifest, &o.mime_type, compat).map_err(|e| {
        ImageError(format!(
            "{what}: parsing manifest: {e} (the image would fail to pull or run)"
        ))
    })
}

#[cfg(test)]
mod source_manifest_tests {
    use super::*;

    /// A MIME type the source reports is used as is; an empty or absent one is guessed from
    /// the bytes (as c/image does for sources that do not know it).
    #[test]
    fn empty_mime_types_are_guessed() {
        let index = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{}]}"#;
        let m = |mime: Option<&str>| SourceManifest {
            bytes: index.to_vec(),
            mime_type: mime.map(str::to_owned),
        };
        assert_eq!(m(Some("")).mime(), manifest::OCI_INDEX);
        assert_eq!(m(None).mime(), manifest::OCI_INDEX);
        assert_eq!(m(Some(manifest::DOCKER_V2S2)).mime(), manifest::DOCKER_V2S2);
    }
}
