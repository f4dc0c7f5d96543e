//! `dir:PATH` — c/image's directory layout (spec §6.2): `manifest.json`, `<hex>.manifest.json`
//! for list instances, blobs named by hex, `signature-N` / `<hex>.signature-N`.

use std::path::{Path, PathBuf};

use super::{
    ImageError, MAX_SIGNATURES, OpenOptions, Opened, SourceManifest, SourcedSignature, path_error,
    read_limited,
};
use crate::compat::Compat;
use crate::image::manifest::{self, MAX_MANIFEST_SIZE};
use crate::reference::transport::{Host, ImageRef, Transport};

/// Opens a `dir:` image.
pub fn open(
    path: &str,
    reference: &ImageRef,
    host: &dyn Host,
    opts: &OpenOptions,
) -> Result<Opened, ImageError> {
    let identity = reference
        .policy_identity(host)
        .map_err(|e| ImageError(e.0))?;
    let root = PathBuf::from(path);
    if opts.compat == Compat::Current {
        check_version(&root, &identity.identity)?;
    }
    let top_path = root.join("manifest.json");
    let top = read_limited(&top_path, MAX_MANIFEST_SIZE)
        .map_err(|e| ImageError(path_error("open", &top_path, &e)))?;
    let mut read_instance = |d: &str| -> Result<SourceManifest, ImageError> {
        let p = root.join(format!("{}.manifest.json", hex_of(d)?));
        let m = read_limited(&p, MAX_MANIFEST_SIZE)
            .map_err(|e| ImageError(path_error("open", &p, &e)))?;
        if manifest::digest(&m, opts.compat).ok().as_deref() != Some(d) {
            return Err(ImageError(format!(
                "Manifest does not match provided manifest digest {d} ({})",
                p.display()
            )));
        }
        Ok(SourceManifest::guessed(m))
    };
    let (m, mime_type, list) =
        super::resolve_manifest(SourceManifest::guessed(top), opts, &mut read_instance)?;
    let prefix = match &list {
        Some(l) => format!("{}.", hex_of(&l.instance_digest)?),
        None => String::new(),
    };
    let signatures = read_signatures(&root, &prefix);
    let (manifest_digest, schema1, cimage_manifest_digest) =
        super::evaluated_digest(&m, opts.compat);
    Ok(Opened {
        transport: Transport::Dir,
        within: path.to_owned(),
        docker_reference: None,
        identity,
        manifest_digest,
        manifest: m,
        mime_type,
        list,
        signatures,
        notes: Vec::new(),
        schema1,
        cimage_manifest_digest,
    })
}

/// The hex of a `sha256:` digest (c/image 5.23 names files by it).
fn hex_of(d: &str) -> Result<&str, ImageError> {
    // c/image validates the digest first (`digest.Validate`, its texts).
    crate::reference::docker::validate_digest(d).map_err(|e| ImageError(e.to_string()))?;
    // sha384/sha512 instances (`sha512-HEX.manifest.json` in current c/image) are not read
    // yet: an error, never an accept.
    d.strip_prefix("sha256:")
        .ok_or_else(|| ImageError(format!("unsupported digest {d}")))
}

/// The `version` file as current c/image's `newImageSource` checks it: absent is fine; other
/// read errors, content that is not exactly `Directory Transport Version: MAJOR.MINOR\n` (Go's
/// `Sscanf` then a round trip through `String()`), or a version above 1.2 are errors with
/// c/image's texts. `resolved` is the image directory's resolved path (for the message).
fn check_version(root: &Path, resolved: &str) -> Result<(), ImageError> {
    let p = root.join("version");
    let quote = crate::json::gofmt::quote;
    let text = match read_limited(&p, 4096) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(ImageError(format!(
                "reading version file {}: {}",
                quote(&p.display().to_string()),
                crate::fsread::go_read_file_error(&p.display().to_string(), &e)
            )));
        }
    };
    let Some(version) = parse_version(&text) else {
        return Err(ImageError(format!(
            "invalid version file content: {}",
            quote(&text)
        )));
    };
    if version > (1, 2) {
        return Err(ImageError(format!(
            "unsupported directory transport version {} at {resolved}",
            quote(&text)
        )));
    }
    Ok(())
}

/// `parseVersion`: `Directory Transport Version: %d.%d\n` whose numbers, printed back with
/// `%d`, give the same text (so no `+`, no leading zeros, no `-0`, no spaces).
fn parse_version(text: &str) -> Option<(i64, i64)> {
    let rest = text.strip_prefix("Directory Transport Version: ")?;
    let rest = rest.strip_suffix('\n')?;
    let (major, minor) = rest.split_once('.')?;
    let number = |s: &str| -> Option<i64> {
        let n: i64 = s.parse().ok()?;
        (n.to_string() == s).then_some(n)
    };
    Some((number(major)?, number(minor)?))
}

/// `signature-1`, `signature-2`, … until the first missing one.
fn read_signatures(root: &Path, prefix: &str) -> Result<Vec<SourcedSignature>, String> {
    super::read_numbered_signatures(
        |n| root.join(format!("{prefix}signature-{n}")),
        MAX_SIGNATURES,
        super::TooMany::IfAnotherExists,
        || format!("{}: more than {MAX_SIGNATURES} signatures", root.display()),
    )
}

#[cfg(test)]
mod version_tests {
    use super::*;

    /// `parseVersion` and the 1.2 ceiling (the same cases the differential test runs against
    /// current c/image, here without the oracle).
    #[test]
    fn version_files() {
        assert_eq!(
            parse_version("Directory Transport Version: 1.1\n"),
            Some((1, 1))
        );
        assert_eq!(
            parse_version("Directory Transport Version: -1.5\n"),
            Some((-1, 5))
        );
        for bad in [
            "Directory Transport Version: 01.1\n",
            "Directory Transport Version: +1.1\n",
            "Directory Transport Version: 1.1",
            "Directory Transport Version: 1.1\n\n",
            "Directory Transport Version: 99999999999999999999.1\n",
            "garbage",
        ] {
            assert_eq!(parse_version(bad), None, "{bad:?}");
        }
        let t = tempfile::tempdir().unwrap();
        assert!(check_version(t.path(), "/img").is_ok(), "no version file");
        let v = t.path().join("version");
        for (text, ok) in [
            ("Directory Transport Version: 1.2\n", true),
            ("Directory Transport Version: 1.0\n", true),
            ("Directory Transport Version: 1.3\n", false),
            ("garbage", false),
        ] {
            std::fs::write(&v, text).unwrap();
            assert_eq!(check_version(t.path(), "/img").is_ok(), ok, "{text:?}");
        }
        std::fs::write(&v, "Directory Transport Version: 2.0\n").unwrap();
        assert_eq!(
            check_version(t.path(), "/img").unwrap_err().0,
            "unsupported directory transport version \"Directory Transport Version: 2.0\\n\" at /img"
        );
        std::fs::remove_file(&v).unwrap();
        std::fs::create_dir(&v).unwrap();
        assert!(
            check_version(t.path(), "/img")
                .unwrap_err()
                .0
                .starts_with("reading version file")
        );
    }
}
