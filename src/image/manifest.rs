//! Manifests as c/image reads them: MIME sniffing (`GuessMIMEType`), the manifest digest
//! (with libtrust's schema-1 JWS stripping), manifest lists and OCI indexes (`ListFromBlob`,
//! `ValidateUnambiguousManifestFormat`) and the platform instance c/image chooses
//! (`WantedPlatforms`, `MatchesPlatform`, `ChooseInstance`), per `--compat`. Pure.
//!
//! Every read decodes with [`crate::json::godecode`], Go's `encoding/json` semantics (folded
//! keys, last duplicate wins, merging, slice reuse): whoever decodes a manifest differently
//! from c/image evaluates a different image than the one podman runs.

use crate::compat::Compat;
use crate::go_struct;
use crate::json::godecode::{
    GoAnyPresence, GoBytes, GoInt, GoMap, GoSlice, GoValue, UnmarshalError, unmarshal,
    unmarshal_into,
};
use crate::signature::keys::sha256_digest;

mod schema1;

pub use schema1::{Schema1Check, check_schema1_payload};

/// Largest manifest c/image reads (`iolimits.MaxManifestBodySize`).
pub const MAX_MANIFEST_SIZE: u64 = 4 * 1024 * 1024;

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_V2S2: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_V2S1: &str = "application/vnd.docker.distribution.manifest.v1+json";
pub const DOCKER_V2S1_SIGNED: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
/// c/image's annotation marking zstd instances in an OCI index.
pub const ZSTD_ANNOTATION: &str = "io.github.containers.compression.zstd";

go_struct! {
    /// `GuessMIMEType`'s first probe.
    struct MimeMeta as "struct { MediaType string; SchemaVersion int; Signatures interface {} }" {
        media_type: String = "mediaType",
        schema_version: GoInt = "schemaVersion",
        signatures: GoAnyPresence = "signatures",
    }
}

go_struct! {
    struct ConfigMediaType as "struct { MediaType string }" {
        media_type: String = "mediaType",
    }
}

go_struct! {
    /// `GuessMIMEType`'s second probe.
    struct OciManProbe as "struct { Config struct { MediaType string } }" {
        config: ConfigMediaType = "config",
    }
}

go_struct! {
    /// `GuessMIMEType`'s third probe.
    struct OciIndexProbe as "struct { Manifests []v1.Descriptor }" {
        manifests: GoSlice<Descriptor> = "manifests",
    }
}

go_struct! {
    /// image-spec `v1.Platform`.
    pub struct OciPlatform as "v1.Platform" {
        pub architecture: String = "architecture",
        pub os: String = "os",
        pub os_version: String = "os.version",
        pub os_features: GoSlice<String> = "os.features",
        pub variant: String = "variant",
    }
}

go_struct! {
    /// image-spec `v1.Descriptor` (1.1: `data`, `artifactType`).
    pub struct Descriptor as "v1.Descriptor" {
        pub media_type: String = "mediaType",
        pub digest: String = "digest",
        pub size: i64 = "size",
        pub urls: GoSlice<String> = "urls",
        pub annotations: GoMap<String> = "annotations",
        pub data: GoBytes = "data",
        pub platform: Option<Box<OciPlatform>> = "platform",
        pub artifact_type: String = "artifactType",
    }
}

go_struct! {
    /// image-spec `v1.Index` (current: with `artifactType` and `subject`).
    pub struct OciIndex as "v1.Index" {
        pub schema_version: GoInt = "schemaVersion",
        pub media_type: String = "mediaType",
        pub artifact_type: String = "artifactType",
        pub manifests: GoSlice<Descriptor> = "manifests",
        pub subject: Option<Box<Descriptor>> = "subject",
        pub annotations: GoMap<String> = "annotations",
    }
}

go_struct! {
    /// image-spec 1.1.0-rc1 `v1.Index` (what c/image 5.23.1 builds with).
    pub struct OciIndexRc1 as "v1.Index" {
        pub schema_version: GoInt = "schemaVersion",
        pub media_type: String = "mediaType",
        pub manifests: GoSlice<Descriptor> = "manifests",
        pub annotations: GoMap<String> = "annotations",
    }
}

go_struct! {
    /// c/image `Schema2PlatformSpec`.
    pub struct Schema2Platform as "manifest.Schema2PlatformSpec" {
        pub architecture: String = "architecture",
        pub os: String = "os",
        pub os_version: String = "os.version",
        pub os_features: GoSlice<String> = "os.features",
        pub variant: String = "variant",
        pub features: GoSlice<String> = "features",
    }
}

go_struct! {
    /// c/image `Schema2ManifestDescriptor` (embedded `Schema2Descriptor` flattened).
    pub struct Schema2ManifestDescriptor as "manifest.Schema2ManifestDescriptor" {
        pub media_type: String = "mediaType",
        pub size: i64 = "size",
        pub digest: String = "digest",
        pub urls: GoSlice<String> = "urls",
        pub platform: Schema2Platform = "platform",
    }
}

go_struct! {
    /// c/image `Schema2List`.
    pub struct Schema2List as "manifest.Schema2ListPublic" {
        pub schema_version: GoInt = "schemaVersion",
        pub media_type: String = "mediaType",
        pub manifests: GoSlice<Schema2ManifestDescriptor> = "manifests",
    }
}

go_struct! {
    /// c/image `Schema2Descriptor`.
    pub struct Schema2Descriptor as "manifest.Schema2Descriptor" {
        pub media_type: String = "mediaType",
        pub size: i64 = "size",
        pub digest: String = "digest",
        pub urls: GoSlice<String> = "urls",
    }
}

go_struct! {
    /// c/image `Schema2` (a Docker v2s2 image manifest).
    pub struct Schema2 as "manifest.Schema2" {
        pub schema_version: GoInt = "schemaVersion",
        pub media_type: String = "mediaType",
        pub config: Schema2Descriptor = "config",
        pub layers: GoSlice<Schema2Descriptor> = "layers",
    }
}

go_struct! {
    /// image-spec `v1.Manifest` (current; 1.1.0-rc1 had `refers` where 1.1 has `subject`).
    pub struct OciManifest as "manifest.OCI1" {
        pub schema_version: GoInt = "schemaVersion",
        pub media_type: String = "mediaType",
        pub artifact_type: String = "artifactType",
        pub config: Descriptor = "config",
        pub layers: GoSlice<Descriptor> = "layers",
        pub subject: Option<Box<Descriptor>> = "subject",
        pub annotations: GoMap<String> = "annotations",
    }
}

go_struct! {
    /// image-spec 1.1.0-rc1 `v1.Manifest`.
    pub struct OciManifestRc1 as "manifest.OCI1" {
        pub schema_version: GoInt = "schemaVersion",
        pub media_type: String = "mediaType",
        pub config: Descriptor = "config",
        pub layers: GoSlice<Descriptor> = "layers",
        pub refers: Option<Box<Descriptor>> = "refers",
        pub annotations: GoMap<String> = "annotations",
    }
}

/// `manifest.GuessMIMEType` (empty string: unknown), identical in 5.23.1 and current.
pub fn guess_mime_type(m: &[u8]) -> String {
    let Ok(meta) = unmarshal::<MimeMeta>(m) else {
        return String::new();
    };
    if [DOCKER_V2S2, DOCKER_LIST, OCI_MANIFEST, OCI_INDEX].contains(&meta.media_type.as_str()) {
        return meta.media_type;
    }
    match meta.schema_version.0 {
        1 if meta.signatures.0 => DOCKER_V2S1_SIGNED.into(),
        1 => DOCKER_V2S1.into(),
        2 => {
            let Ok(probe) = unmarshal::<OciManProbe>(m) else {
                return String::new();
            };
            match probe.config.media_type.as_str() {
                OCI_CONFIG => return OCI_MANIFEST.into(),
                DOCKER_CONFIG => return DOCKER_V2S2.into(),
                _ => {}
            }
            let Ok(index) = unmarshal::<OciIndexProbe>(m) else {
                return String::new();
            };
            if !index.manifests.is_empty() {
                if probe.config.media_type.is_empty() {
                    return OCI_INDEX.into();
                }
                // c/image's FIXME: a config media type returned as a manifest type.
                return probe.config.media_type;
            }
            OCI_MANIFEST.into()
        }
        _ => String::new(),
    }
}

/// `manifest.MIMETypeIsMultiImage`.
pub fn is_list(mime: &str) -> bool {
    mime == OCI_INDEX || mime == DOCKER_LIST
}

/// `manifest.NormalizedMIMEType`: unknown types (also "") are tried as signed schema 1.
pub fn normalized_mime_type(mime: &str) -> &str {
    match mime {
        "application/json" => DOCKER_V2S1_SIGNED,
        DOCKER_V2S1 | DOCKER_V2S1_SIGNED | OCI_MANIFEST | OCI_INDEX | DOCKER_V2S2 | DOCKER_LIST => {
            mime
        }
        _ => DOCKER_V2S1_SIGNED,
    }
}

/// The manifest fields `ValidateUnambiguousManifestFormat` may allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowed {
    pub config: bool,
    pub fs_layers: bool,
    pub history: bool,
    pub layers: bool,
    pub manifests: bool,
    pub signatures: bool,
}

impl Allowed {
    const NONE: Allowed = Allowed {
        config: false,
        fs_layers: false,
        history: false,
        layers: false,
        manifests: false,
        signatures: false,
    };
    /// Lists: `manifests`.
    pub const LIST: Allowed = Allowed {
        manifests: true,
        ..Allowed::NONE
    };
    /// Image manifests: `config` and `layers`.
    pub const IMAGE: Allowed = Allowed {
        config: true,
        layers: true,
        ..Allowed::NONE
    };
    /// Schema 1: `fsLayers` and `history`.
    pub const SCHEMA1: Allowed = Allowed {
        fs_layers: true,
        history: true,
        ..Allowed::NONE
    };
    /// Signed schema 1 while digesting (current): also `signatures`.
    pub const SCHEMA1_SIGNED: Allowed = Allowed {
        fs_layers: true,
        history: true,
        signatures: true,
        ..Allowed::NONE
    };
}

go_struct! {
    struct DetectedFields as "struct { Config interface {}; FSLayers interface {}; History interface {}; Layers interface {}; Manifests interface {}; Signatures interface {} }" {
        config: GoAnyPresence = "config",
        fs_layers: GoAnyPresence = "fsLayers",
        history: GoAnyPresence = "history",
        layers: GoAnyPresence = "layers",
        manifests: GoAnyPresence = "manifests",
        signatures: GoAnyPresence = "signatures",
    }
}

/// `ValidateUnambiguousManifestFormat`: a manifest must not carry fields of another format
/// (matched with Go's folding, so `Layers` counts). 5.23.1 does not look at `signatures`.
pub fn validate_unambiguous(
    m: &[u8],
    expected_mime: &str,
    allowed: Allowed,
    compat: Compat,
) -> Result<(), String> {
    let f: DetectedFields = unmarshal(m).map_err(|e| e.0)?;
    let mut unexpected = Vec::new();
    let checks = [
        (f.config.0, allowed.config, "config"),
        (f.fs_layers.0, allowed.fs_layers, "fsLayers"),
        (f.history.0, allowed.history, "history"),
        (f.layers.0, allowed.layers, "layers"),
        (f.manifests.0, allowed.manifests, "manifests"),
        (
            f.signatures.0 && compat == Compat::Current,
            allowed.signatures,
            "signatures",
        ),
    ];
    for (present, ok, name) in checks {
        if present && !ok {
            unexpected.push(format!("\"{name}\""));
        }
    }
    if unexpected.is_empty() {
        return Ok(());
    }
    Err(format!(
        "rejecting ambiguous manifest, unexpected fields []string{{{}}} in supposedly {expected_mime}",
        unexpected.join(", ")
    ))
}

/// `manifest.Digest` per `--compat`: SHA-256 of the bytes, or for signed schema 1 of the
/// JWS payload libtrust reconstructs. Current c/image also requires the payload to describe
/// the same manifest ([`check_schema1_payload`]); 5.23.1 does not (see
/// [`Schema1Check::ForgedAcceptedBy523`]).
pub fn digest(m: &[u8], compat: Compat) -> Result<String, String> {
    if guess_mime_type(m) != DOCKER_V2S1_SIGNED {
        return Ok(sha256_digest(m));
    }
    if compat == Compat::Current {
        validate_unambiguous(m, DOCKER_V2S1_SIGNED, Allowed::SCHEMA1_SIGNED, compat)?;
    }
    let payload = schema1::pretty_signature_payload(m)?;
    if compat == Compat::Current {
        schema1::ensure_blob_matches_payload(m, &payload)?;
    }
    Ok(sha256_digest(&payload))
}

/// A manifest list or index as c/image decodes it (`ListFromBlob`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum List {
    Docker(Schema2List),
    Oci(OciIndex),
}

/// `manifest.ListFromBlob(m, mime)`.
pub fn list_from_blob(m: &[u8], mime: &str, compat: Compat) -> Result<List, String> {
    let unmarshal_err = |what: &str, e: UnmarshalError| {
        format!(
            "unmarshaling {what} {}: {e}",
            crate::json::gofmt::quote(&String::from_utf8_lossy(m))
        )
    };
    match normalized_mime_type(mime) {
        DOCKER_LIST => {
            let mut list = Schema2List {
                manifests: GoSlice::empty(),
                ..Schema2List::default()
            };
            unmarshal_into(m, &mut list).map_err(|e| unmarshal_err("Schema2List", e))?;
            validate_unambiguous(m, DOCKER_LIST, Allowed::LIST, compat)?;
            Ok(List::Docker(list))
        }
        OCI_INDEX => {
            let index = match compat {
                Compat::Current => {
                    let mut index = oci_index_defaults();
                    unmarshal_into(m, &mut index).map_err(|e| unmarshal_err("OCI1Index", e))?;
                    index
                }
                _ => {
                    let mut rc1 = OciIndexRc1 {
                        schema_version: GoInt(2),
                        media_type: OCI_INDEX.into(),
                        manifests: GoSlice::empty(),
                        annotations: GoMap {
                            nil: false,
                            ..GoMap::default()
                        },
                    };
                    unmarshal_into(m, &mut rc1).map_err(|e| unmarshal_err("OCI1Index", e))?;
                    OciIndex {
                        schema_version: rc1.schema_version,
                        media_type: rc1.media_type,
                        manifests: rc1.manifests,
                        annotations: rc1.annotations,
                        ..OciIndex::default()
                    }
                }
            };
            validate_unambiguous(m, OCI_INDEX, Allowed::LIST, compat)?;
            Ok(List::Oci(index))
        }
        DOCKER_V2S1 | DOCKER_V2S1_SIGNED | OCI_MANIFEST | DOCKER_V2S2 => {
            Err("Treating single images as manifest lists is not implemented".into())
        }
        other => Err(format!(
            "Unimplemented manifest list MIME type {} (normalized as {})",
            crate::json::gofmt::quote(mime),
            crate::json::gofmt::quote(other)
        )),
    }
}

/// `OCI1IndexPublicFromManifest`'s starting value.
fn oci_index_defaults() -> OciIndex {
    OciIndex {
        schema_version: GoInt(2),
        media_type: OCI_INDEX.into(),
        manifests: GoSlice::empty(),
        annotations: GoMap {
            nil: false,
            ..GoMap::default()
        },
        ..OciIndex::default()
    }
}

/// Decodes an OCI layout's `index.json` as c/image's `oci:` transport does
/// (`json.NewDecoder(f).Decode(&index)`: only the first JSON value is read).
pub fn decode_layout_index(bytes: &[u8]) -> Result<OciIndex, String> {
    let n = crate::json::scan::first_value_len(bytes).map_err(|e| e.message)?;
    unmarshal::<OciIndex>(bytes.get(..n).unwrap_or(bytes)).map_err(|e| e.0)
}

/// What an image manifest has to be for c/image to use it after the policy allowed it
/// (`image.FromUnparsedImage` → `manifestInstanceFromBlob`); the error text is c/image's.
pub fn check_single_manifest(m: &[u8], mime: &str, compat: Compat) -> Result<(), String> {
    match normalized_mime_type(mime) {
        OCI_MANIFEST => {
            match compat {
                Compat::Current => {
                    unmarshal::<OciManifest>(m).map_err(|e| e.0)?;
                }
                _ => {
                    unmarshal::<OciManifestRc1>(m).map_err(|e| e.0)?;
                }
            }
            // 5.23.1 names the index type in this message (a copy-and-paste slip upstream).
            let expected = if compat == Compat::Current {
                OCI_MANIFEST
            } else {
                OCI_INDEX
            };
            validate_unambiguous(m, expected, Allowed::IMAGE, compat)
        }
        DOCKER_V2S2 => {
            let s2: Schema2 = unmarshal(m).map_err(|e| e.0)?;
            validate_unambiguous(m, DOCKER_V2S2, Allowed::IMAGE, compat)?;
            supported_schema2_media_type(&s2.media_type)?;
            for l in s2.layers.as_slice() {
                supported_schema2_media_type(&l.media_type)?;
            }
            Ok(())
        }
        DOCKER_V2S1 | DOCKER_V2S1_SIGNED => schema1::schema1_from_manifest(m, compat),
        _ => Err("a manifest list instance is itself a list".into()),
    }
}

/// `manifest.SupportedSchema2MediaType`.
fn supported_schema2_media_type(m: &str) -> Result<(), String> {
    const OK: [&str; 10] = [
        DOCKER_LIST,
        DOCKER_V2S1,
        DOCKER_V2S1_SIGNED,
        DOCKER_CONFIG,
        "application/vnd.docker.image.rootfs.foreign.diff.tar",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
        "application/vnd.docker.image.rootfs.diff.tar.gzip",
        DOCKER_V2S2,
        "application/vnd.docker.image.rootfs.diff.tar",
        "application/vnd.docker.image.rootfs.diff.tar.zstd",
    ];
    if OK.contains(&m) {
        Ok(())
    } else {
        Err(format!(
            "unsupported docker v2s2 media type: {}",
            crate::json::gofmt::quote(m)
        ))
    }
}

/// The platform to choose list instances for (skopeo's `--override-os/arch/variant`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
    /// Whether `architecture` was chosen by the user (`ArchitectureChoice`); if not, the
    /// host's CPU variant applies, as in c/image.
    pub architecture_chosen: bool,
}

impl Platform {
    /// The platform this binary runs on, in Go's names, with the CPU variant c/image would
    /// detect (`getCPUVariant`; read from `/proc/cpuinfo` on ARM only).
    pub fn host() -> Platform {
        Platform::for_host(std::env::consts::ARCH, || {
            std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default()
        })
    }

    /// [`Platform::host`] for Rust's architecture name `rust_arch`; `cpuinfo` is read only
    /// on ARM (as c/image's `getCPUVariant` does).
    fn for_host(rust_arch: &str, cpuinfo: impl FnOnce() -> String) -> Platform {
        let arch = match rust_arch {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            other => other,
        };
        let variant = if arch == "arm" || arch == "arm64" {
            cpu_variant_arm(&cpuinfo())
        } else {
            None
        };
        Platform {
            os: "linux".into(),
            architecture: arch.into(),
            variant,
            architecture_chosen: false,
        }
    }

    /// `platform.WantedPlatforms`: (os, architecture, variant) in preference order.
    pub fn wanted(&self, compat: Compat) -> Vec<(String, String, String)> {
        let _ = compat; // identical in 5.23.1 and current once the variant is known
        let wanted_variant = self.variant.clone().unwrap_or_default();
        let compatibility: &[&str] = match self.architecture.as_str() {
            "arm" => &["v8", "v7", "v6", "v5"],
            "arm64" => &["v8"],
            _ => &[],
        };
        let mut variants: Vec<String> = Vec::new();
        if !wanted_variant.is_empty() {
            if let Some(i) = compatibility.iter().position(|v| *v == wanted_variant) {
                variants.extend(compatibility[i..].iter().map(|v| (*v).to_owned()));
            } else {
                variants.push(wanted_variant);
            }
            variants.push(String::new());
        } else {
            variants.push(String::new());
            variants.extend(compatibility.iter().map(|v| (*v).to_owned()));
        }
        variants
            .into_iter()
            .map(|v| (self.os.clone(), self.architecture.clone(), v))
            .collect()
    }
}

/// `getCPUVariantArm` on `/proc/cpuinfo` text (current c/image's rules).
fn cpu_variant_arm(cpuinfo: &str) -> Option<String> {
    let field = |name: &str| {
        cpuinfo.lines().find_map(|l| {
            let mut parts = l.split(':');
            let k = parts.next()?;
            let v = parts.next()?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    };
    let v = field("Cpu architecture")?.to_lowercase();
    let out = match v.as_str() {
        "8" | "aarch64" => "v8",
        "7m" | "?(12)" | "?(13)" | "?(14)" | "?(15)" | "?(16)" | "?(17)" => "v7",
        "7" => {
            let model = field("model name")?;
            if model.to_lowercase().starts_with("armv6-compatible") {
                "v6"
            } else {
                "v7"
            }
        }
        "6" | "6tej" => "v6",
        "5" | "5t" | "5te" | "5tej" => "v5",
        "4" | "4t" => "v4",
        "3" => "v3",
        _ => return None,
    };
    Some(out.to_owned())
}

/// `platform.MatchesPlatform`: exact os, architecture and variant.
fn matches(os: &str, arch: &str, variant: &str, wanted: &(String, String, String)) -> bool {
    arch == wanted.1 && os == wanted.0 && variant == wanted.2
}

/// The instance c/image's `copy` picks from a list: `ChooseInstance` (5.23.1) or
/// `ChooseInstanceByCompression` without `--prefer-gzip` (current: zstd instances win ties).
pub fn choose_instance(list: &List, platform: &Platform, compat: Compat) -> Result<String, String> {
    let wanted = platform.wanted(compat);
    let first = wanted.first().cloned().unwrap_or_default();
    match list {
        List::Docker(l) => {
            for w in &wanted {
                for d in l.manifests.as_slice() {
                    let p = &d.platform;
                    if matches(&p.os, &p.architecture, &p.variant, w) {
                        return Ok(d.digest.clone());
                    }
                }
            }
            Err(format!(
                "no image found in manifest list for architecture {}, variant {}, OS {}",
                quote(&first.1),
                quote(&first.2),
                quote(&first.0)
            ))
        }
        List::Oci(index) => match compat {
            Compat::Current => choose_oci_current(index, &wanted).ok_or_else(|| {
                format!(
                    "no image found in image index for architecture {}, variant {}, OS {}",
                    quote(&first.1),
                    quote(&first.2),
                    quote(&first.0)
                )
            }),
            _ => {
                for w in &wanted {
                    for d in index.manifests.as_slice() {
                        if let Some(p) = &d.platform
                            && matches(&p.os, &p.architecture, &p.variant, w)
                        {
                            return Ok(d.digest.clone());
                        }
                    }
                }
                if let Some(d) = index
                    .manifests
                    .as_slice()
                    .iter()
                    .find(|d| d.platform.is_none())
                {
                    return Ok(d.digest.clone());
                }
                Err(format!(
                    "no image found in image index for architecture {}, variant {}, OS {}",
                    first.1,
                    quote(&first.2),
                    first.0
                ))
            }
        },
    }
}

fn quote(s: &str) -> String {
    crate::json::gofmt::quote(s)
}

/// Current `OCI1IndexPublic.chooseInstance(ctx, OptionalBoolUndefined)`: the best platform
/// match (platform-less entries last), zstd-annotated instances preferred among equals,
/// then the earliest.
fn choose_oci_current(index: &OciIndex, wanted: &[(String, String, String)]) -> Option<String> {
    // (platform index, not zstd, position): the smallest wins.
    let mut best: Option<((usize, bool, usize), &str)> = None;
    for (pos, d) in index.manifests.as_slice().iter().enumerate() {
        let platform_index = match &d.platform {
            Some(p) => {
                match wanted
                    .iter()
                    .position(|w| matches(&p.os, &p.architecture, &p.variant, w))
                {
                    Some(i) => i,
                    None => continue,
                }
            }
            None => usize::MAX,
        };
        let zstd = d.annotations.get(ZSTD_ANNOTATION).map(String::as_str) == Some("true");
        let key = (platform_index, !zstd, pos);
        if best.as_ref().is_none_or(|(b, _)| key < *b) {
            best = Some((key, &d.digest));
        }
    }
    best.map(|(_, d)| d.to_owned())
}

/// Go's `any`, for schema-1 code.
pub(crate) type Value = GoValue;

#[cfg(test)]
mod tests;
