//! c/image's lookaside signature storage (`registries.d` `lookaside` / `sigstore`, spec §7),
//! read as a pull reads it (`appendSignaturesFromLookaside`): for a `file://` base,
//! `BASE/REPO@sha256=HEX/signature-1`, `-2`, … until the first missing one, at most 128.
//! Only `--as-pulled` needs it: a pull of `docker://NAME` gets its simple-signing signatures
//! from there, not from the local store.

use std::path::{Path, PathBuf};

use super::SourcedSignature;
use crate::reference::docker::{Named, validate_digest};

/// c/image's `maxLookasideSignatures`.
pub const MAX_LOOKASIDE_SIGNATURES: usize = 128;

/// Where a pull would read simple-signing signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookaside {
    /// A local directory (`file://` URL, or c/image's built-in default).
    Dir(PathBuf),
    /// An `http(s)://` server (not read: policyctl works offline).
    Remote(String),
}

/// c/image's built-in lookaside directory (`builtinDefaultLookasideStorageDir`): the system
/// one for root, the user's otherwise.
pub fn default_dir(euid: u32, home: Option<&Path>) -> PathBuf {
    if euid == 0 {
        PathBuf::from("/var/lib/containers/sigstore")
    } else {
        home.unwrap_or(Path::new("/"))
            .join(".local/share/containers/sigstore")
    }
}

/// The lookaside of a configured URL (`None`: nothing configured, use `default`); `root`
/// prefixes local paths (`--root`).
pub fn resolve(
    url: Option<&str>,
    default: PathBuf,
    root: Option<&Path>,
) -> Result<Lookaside, String> {
    let Some(url) = url else {
        return Ok(Lookaside::Dir(crate::fsread::under_root(
            root,
            &default.display().to_string(),
        )));
    };
    if let Some(rest) = url.strip_prefix("file://") {
        // url.Parse: the part after the host is the path, percent-decoded.
        let path = match rest.find('/') {
            Some(i) => &rest[i..],
            None => "",
        };
        let path = percent_decode(path)
            .ok_or_else(|| format!("Invalid signature storage URL {url}: invalid URL escape"))?;
        return Ok(Lookaside::Dir(crate::fsread::under_root(root, &path)));
    }
    if url.starts_with("http://") || url.starts_with("https://") {
        return Ok(Lookaside::Remote(url.to_owned()));
    }
    Err(format!(
        "unsupported lookaside URL {url} (c/image reads only file://, http:// and https://)"
    ))
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The signatures stored for `named`'s repository and `manifest_digest` under `dir`.
pub fn read(
    dir: &Path,
    named: &Named,
    manifest_digest: &str,
) -> Result<Vec<SourcedSignature>, String> {
    // `lookasideStorageURL` validates the digest first (a path with `../` otherwise).
    validate_digest(manifest_digest).map_err(|e| e.to_string())?;
    let (algo, hex) = manifest_digest
        .split_once(':')
        .ok_or_else(|| format!("invalid digest {manifest_digest}"))?;
    let repo_dir = dir.join(named.path());
    let sig_dir = PathBuf::from(format!("{}@{algo}={hex}", repo_dir.display()));
    super::read_numbered_signatures(
        |n| sig_dir.join(format!("signature-{n}")),
        MAX_LOOKASIDE_SIGNATURES,
        super::TooMany::BeforeLookingFurther,
        || {
            format!(
                "server provided {MAX_LOOKASIDE_SIGNATURES} signatures, assuming that's unreasonable and a server error"
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_defaults() {
        let d = PathBuf::from("/var/lib/containers/sigstore");
        assert_eq!(
            resolve(Some("file:///srv/sigs%20x"), d.clone(), None),
            Ok(Lookaside::Dir("/srv/sigs x".into()))
        );
        assert_eq!(
            resolve(Some("file:///srv/sigs"), d.clone(), Some(Path::new("/r"))),
            Ok(Lookaside::Dir("/r/srv/sigs".into()))
        );
        assert_eq!(
            resolve(Some("https://sigs.example.com/x"), d.clone(), None),
            Ok(Lookaside::Remote("https://sigs.example.com/x".into()))
        );
        assert!(resolve(Some("ftp://x"), d.clone(), None).is_err());
        assert!(resolve(Some("file:///bad%zz"), d.clone(), None).is_err());
        assert_eq!(resolve(None, d.clone(), None), Ok(Lookaside::Dir(d)));
        assert_eq!(
            default_dir(1000, Some(Path::new("/home/u"))),
            PathBuf::from("/home/u/.local/share/containers/sigstore")
        );
        assert_eq!(
            default_dir(0, None),
            PathBuf::from("/var/lib/containers/sigstore")
        );
    }

    #[test]
    fn reads_signatures_in_order_until_the_first_gap() {
        let tmp = tempfile::tempdir().unwrap();
        let named = Named::parse_normalized("ghcr.io/armorred/app:1").unwrap();
        let digest = format!("sha256:{}", "a".repeat(64));
        let dir = tmp
            .path()
            .join(format!("armorred/app@sha256={}", "a".repeat(64)));
        std::fs::create_dir_all(&dir).unwrap();
        let blob = [b"\x00simple-signing\n".as_slice(), b"x"].concat();
        std::fs::write(dir.join("signature-1"), &blob).unwrap();
        std::fs::write(dir.join("signature-2"), &blob).unwrap();
        std::fs::write(dir.join("signature-4"), &blob).unwrap();
        let sigs = read(tmp.path(), &named, &digest).unwrap();
        assert_eq!(sigs.len(), 2);
        assert!(sigs[0].origin.ends_with("signature-1"));
        assert!(read(tmp.path(), &named, "sha256:../../x").is_err());
        std::fs::write(dir.join("signature-3"), b"-not a signature").unwrap();
        assert!(
            read(tmp.path(), &named, &digest)
                .unwrap_err()
                .starts_with("parsing signature")
        );
        // Nothing stored: no signatures.
        let other = format!("sha256:{}", "b".repeat(64));
        assert!(read(tmp.path(), &named, &other).unwrap().is_empty());
    }
}
