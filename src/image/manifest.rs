//! Manifests: MIME sniffing, c/image's digest (with schema1 JWS stripping), and the platform
//! instance c/image chooses from a manifest list / OCI index (spec §4.2, §5.5). Pure.

use base64::Engine;
use serde_json::Value;

use crate::signature::keys::sha256_digest;

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

/// `manifest.GuessMIMEType` (empty string: unknown).
pub fn guess_mime_type(m: &[u8]) -> String {
    let Ok(v) = serde_json::from_slice::<Value>(m) else {
        return String::new();
    };
    if let Some(mt) = v.get("mediaType").and_then(Value::as_str)
        && [
            OCI_MANIFEST,
            OCI_INDEX,
            DOCKER_V2S2,
            DOCKER_LIST,
            DOCKER_V2S1,
            DOCKER_V2S1_SIGNED,
        ]
        .contains(&mt)
    {
        return mt.to_owned();
    }
    match v.get("schemaVersion").and_then(Value::as_i64) {
        Some(1) => {
            if v.get("signatures").is_some() {
                DOCKER_V2S1_SIGNED.into()
            } else {
                DOCKER_V2S1.into()
            }
        }
        Some(2) => {
            let config_mt = v
                .get("config")
                .and_then(|c| c.get("mediaType"))
                .and_then(Value::as_str);
            match config_mt {
                Some(OCI_CONFIG) => OCI_MANIFEST.into(),
                Some(DOCKER_CONFIG) => DOCKER_V2S2.into(),
                _ if v.get("manifests").is_some() && config_mt.is_none() => OCI_INDEX.into(),
                _ => OCI_MANIFEST.into(),
            }
        }
        _ => String::new(),
    }
}

/// Whether a MIME type is a manifest list / index.
pub fn is_list(mime: &str) -> bool {
    mime == OCI_INDEX || mime == DOCKER_LIST
}

/// `manifest.Digest`: SHA-256 of the bytes, or of the JWS payload for signed schema1.
pub fn digest(m: &[u8]) -> Result<String, String> {
    if guess_mime_type(m) == DOCKER_V2S1_SIGNED {
        return Ok(sha256_digest(&schema1_payload(m)?));
    }
    Ok(sha256_digest(m))
}

/// libtrust's `ParsePrettySignature(m, "signatures").Payload()`.
fn schema1_payload(m: &[u8]) -> Result<Vec<u8>, String> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let v: Value = serde_json::from_slice(m).map_err(|e| e.to_string())?;
    let sigs = v.get("signatures").and_then(Value::as_array).ok_or(
        "json: cannot unmarshal signatures into Go value of type []libtrust.jsParsedSignature",
    )?;
    if sigs.is_empty() {
        return Err("missing signatures".into());
    }
    let mut found: Option<(usize, Vec<u8>)> = None;
    for s in sigs {
        let protected = s
            .get("protected")
            .and_then(Value::as_str)
            .ok_or("missing protected header")?;
        let header = b64
            .decode(protected.trim_end_matches('='))
            .map_err(|e| e.to_string())?;
        let h: Value = serde_json::from_slice(&header).map_err(|e| e.to_string())?;
        let len = h
            .get("formatLength")
            .and_then(Value::as_u64)
            .ok_or("missing formatLength")? as usize;
        let tail = h
            .get("formatTail")
            .and_then(Value::as_str)
            .ok_or("missing formatTail")?;
        let tail = b64
            .decode(tail.trim_end_matches('='))
            .map_err(|e| e.to_string())?;
        match &found {
            None => found = Some((len, tail)),
            Some((l, t)) if *l == len && *t == tail => {}
            Some(_) => return Err("signed content mismatch".into()),
        }
    }
    let (len, tail) = found.ok_or("missing signatures")?;
    if len > m.len() {
        return Err("invalid format length".into());
    }
    let mut out = m[..len].to_vec();
    out.extend_from_slice(&tail);
    Ok(out)
}

/// The platform to choose list instances for (skopeo's `--override-os/arch/variant`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Platform {
    /// The platform this binary runs on, in Go's names.
    pub fn host() -> Platform {
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            other => other,
        };
        Platform {
            os: "linux".into(),
            architecture: arch.into(),
            variant: None,
        }
    }

    fn wanted(&self) -> Vec<(String, String, Option<String>)> {
        // c/image's platform.WantedPlatforms: for arm the variant falls back to older ones;
        // arm64 accepts v8 and no variant.
        let mut out = Vec::new();
        let (os, arch) = (self.os.clone(), self.architecture.clone());
        match (arch.as_str(), self.variant.as_deref()) {
            ("arm", v) => {
                let start = v
                    .and_then(|v| v.trim_start_matches('v').parse::<u32>().ok())
                    .unwrap_or(7);
                for n in (5..=start).rev() {
                    out.push((os.clone(), arch.clone(), Some(format!("v{n}"))));
                }
            }
            ("arm64", None) | ("arm64", Some("v8")) => {
                out.push((os.clone(), arch.clone(), Some("v8".into())));
                out.push((os.clone(), arch.clone(), None));
            }
            (_, v) => out.push((os.clone(), arch.clone(), v.map(str::to_owned))),
        }
        out
    }
}

/// `list.ChooseInstance`: the digest of the instance for `platform`.
pub fn choose_instance(list: &[u8], platform: &Platform) -> Result<String, String> {
    let v: Value =
        serde_json::from_slice(list).map_err(|e| format!("parsing manifest list: {e}"))?;
    let entries = v
        .get("manifests")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (os, arch, variant) in platform.wanted() {
        for e in &entries {
            let p = e.get("platform");
            let get = |k: &str| {
                p.and_then(|p| p.get(k))
                    .and_then(Value::as_str)
                    .unwrap_or("")
            };
            let variant_ok = match &variant {
                None => true,
                Some(w) => {
                    get("variant") == w
                        || (get("variant").is_empty() && variant.as_deref() == Some("v8"))
                }
            };
            if get("os") == os
                && get("architecture") == arch
                && variant_ok
                && let Some(d) = e.get("digest").and_then(Value::as_str)
            {
                return Ok(d.to_owned());
            }
        }
    }
    Err(format!(
        "no image found in manifest list for architecture {}, variant {:?}, OS {}",
        platform.architecture,
        platform.variant.clone().unwrap_or_default(),
        platform.os
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime_sniffing() {
        assert_eq!(guess_mime_type(br#"{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json"}}"#), OCI_MANIFEST);
        assert_eq!(guess_mime_type(br#"{"schemaVersion":2,"config":{"mediaType":"application/vnd.docker.container.image.v1+json"}}"#), DOCKER_V2S2);
        assert_eq!(
            guess_mime_type(br#"{"schemaVersion":2,"manifests":[]}"#),
            OCI_INDEX
        );
        assert_eq!(
            guess_mime_type(
                br#"{"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json"}"#
            ),
            DOCKER_LIST
        );
        assert_eq!(
            guess_mime_type(br#"{"schemaVersion":1,"signatures":[]}"#),
            DOCKER_V2S1_SIGNED
        );
        assert_eq!(guess_mime_type(b"nope"), "");
    }

    #[test]
    fn digests() {
        let m = br#"{"schemaVersion":2}"#;
        assert_eq!(digest(m).unwrap(), sha256_digest(m));
        assert!(digest(br#"{"schemaVersion":1,"signatures":1}"#).is_err());
    }

    #[test]
    fn platform_choice() {
        let list = br#"{"schemaVersion":2,"manifests":[
            {"digest":"sha256:aa","platform":{"os":"linux","architecture":"arm","variant":"v6"}},
            {"digest":"sha256:bb","platform":{"os":"linux","architecture":"amd64"}},
            {"digest":"sha256:cc","platform":{"os":"linux","architecture":"arm64"}}]}"#;
        let p = |a: &str, v: Option<&str>| Platform {
            os: "linux".into(),
            architecture: a.into(),
            variant: v.map(Into::into),
        };
        assert_eq!(
            choose_instance(list, &p("amd64", None)).unwrap(),
            "sha256:bb"
        );
        assert_eq!(
            choose_instance(list, &p("arm64", None)).unwrap(),
            "sha256:cc"
        );
        assert_eq!(
            choose_instance(list, &p("arm", Some("v7"))).unwrap(),
            "sha256:aa"
        );
        assert!(choose_instance(list, &p("s390x", None)).is_err());
    }
}
