//! c/image's signature blob encoding (`internal/signature/signature.go` `FromBlob`, spec §6.1):
//! a raw OpenPGP message (simple signing), or `0x00 <format name> \n <chunk>`.

use std::collections::BTreeMap;

use crate::json::{Cursor, Kind, gobase64, scan};

/// The sigstore signature MIME type; other sigstore "signatures" are attachments.
pub const SIGSTORE_SIGNATURE_MIME_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// The annotation holding the base64 signature.
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// Annotations used by the Fulcio / Rekor / PKI modes.
pub const CERTIFICATE_ANNOTATION: &str = "dev.sigstore.cosign/certificate";
pub const CHAIN_ANNOTATION: &str = "dev.sigstore.cosign/chain";
pub const BUNDLE_ANNOTATION: &str = "dev.sigstore.cosign/bundle";

/// One stored signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    /// A simple-signing (GPG / OpenPGP) signature: the whole message.
    SimpleSigning(Vec<u8>),
    /// A sigstore signature or attachment.
    Sigstore(Sigstore),
}

/// The sigstore triple of one cosign signature-manifest layer (spec §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sigstore {
    /// The layer media type.
    pub mime_type: String,
    /// The signed payload bytes (untrusted until verified).
    pub payload: Vec<u8>,
    /// The layer annotations.
    pub annotations: BTreeMap<String, String>,
}

impl Signature {
    /// A short name of the format, as c/image calls it.
    pub fn format(&self) -> &'static str {
        match self {
            Signature::SimpleSigning(_) => "simple-signing",
            Signature::Sigstore(_) => "sigstore-json",
        }
    }
}

/// `signature.FromBlob`.
pub fn from_blob(blob: &[u8]) -> Result<Signature, String> {
    let Some(&first) = blob.first() else {
        return Err("empty signature blob".to_owned());
    };
    match first {
        0xA0..=0xA3 | 0xC8 | 0x90 | 0x91 | 0x92 | 0x3D | 0xC4 | 0x88..=0x8B | 0xC2 => {
            Ok(Signature::SimpleSigning(blob.to_vec()))
        }
        0x00 => {
            let rest = &blob[1..];
            let Some(nl) = rest.iter().position(|&b| b == b'\n') else {
                return Err("invalid signature format, missing newline".to_owned());
            };
            let name = &rest[..nl];
            if let Some(&b) = name.iter().find(|&&b| !(0x20..=0x7E).contains(&b)) {
                return Err(format!("invalid signature format, non-ASCII byte {b:#04x}"));
            }
            let name = String::from_utf8_lossy(name);
            let chunk = &rest[nl + 1..];
            match &*name {
                "simple-signing" => Ok(Signature::SimpleSigning(chunk.to_vec())),
                "sigstore-json" => sigstore_from_json(chunk).map(Signature::Sigstore),
                other => Err(format!(
                    "unrecognized signature format {}",
                    crate::json::gofmt::quote(other)
                )),
            }
        }
        b => Err(format!(
            "unrecognized signature format, starting with binary {b:#04x}"
        )),
    }
}

/// Lenient Go `json.Unmarshal` into `sigstoreJSONRepresentation{MIMEType, Payload []byte,
/// Annotations map[string]string}`: keys matched exactly or case-insensitively, last one wins,
/// unknown keys ignored.
fn sigstore_from_json(chunk: &[u8]) -> Result<Sigstore, String> {
    scan::validate(chunk).map_err(|e| e.message)?;
    let mut cur = Cursor::new(chunk);
    let type_err = |v: &str, field: &str, t: &str| {
        format!(
            "json: cannot unmarshal {v} into Go struct field sigstoreJSONRepresentation.{field} of type {t}"
        )
    };
    match cur.peek_kind() {
        Kind::Object => {}
        Kind::Null => return Ok(Sigstore::default()),
        k => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type signature.sigstoreJSONRepresentation",
                k.go_name()
            ));
        }
    }
    let mut out = Sigstore::default();
    let mut first_err: Option<String> = None;
    cur.enter();
    while let Some((key, _)) = cur.next_key() {
        let field = if key.eq_ignore_ascii_case("mimeType") {
            "mimeType"
        } else if key.eq_ignore_ascii_case("payload") {
            "payload"
        } else if key.eq_ignore_ascii_case("annotations") {
            "annotations"
        } else {
            cur.skip_value();
            continue;
        };
        match (field, cur.peek_kind()) {
            (_, Kind::Null) => {
                cur.skip_value();
            }
            ("mimeType", Kind::String) => out.mime_type = cur.read_string().0,
            ("payload", Kind::String) => {
                let (s, _) = cur.read_string();
                match gobase64::decode(s.as_bytes()) {
                    Ok(b) => out.payload = b,
                    Err(e) => return Err(e.to_string()),
                }
            }
            ("annotations", Kind::Object) => {
                cur.enter();
                while let Some((k, _)) = cur.next_key() {
                    match cur.peek_kind() {
                        Kind::String => {
                            let (v, _) = cur.read_string();
                            out.annotations.insert(k, v);
                        }
                        Kind::Null => {
                            cur.skip_value();
                            out.annotations.insert(k, String::new());
                        }
                        kind => {
                            cur.skip_value();
                            first_err.get_or_insert(type_err(
                                kind.go_name(),
                                "annotations",
                                "string",
                            ));
                        }
                    }
                }
            }
            (f, kind) => {
                cur.skip_value();
                let t = match f {
                    "mimeType" => "string",
                    "payload" => "[]uint8",
                    _ => "map[string]string",
                };
                first_err.get_or_insert(type_err(kind.go_name(), f, t));
            }
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// `Blob()` for a sigstore signature: what c/image writes into `dir:` and `containers-storage:`.
pub fn sigstore_to_blob(s: &Sigstore) -> Vec<u8> {
    use base64::Engine;
    let payload = base64::engine::general_purpose::STANDARD.encode(&s.payload);
    // Go's json.Marshal of the struct: fields in declaration order, map keys sorted.
    let json = serde_json::json!({"mimeType": s.mime_type, "payload": payload, "annotations": s.annotations});
    let body = format!(
        "{{\"mimeType\":{},\"payload\":{},\"annotations\":{}}}",
        json["mimeType"], json["payload"], json["annotations"]
    );
    let mut out = b"\x00sigstore-json\n".to_vec();
    out.extend_from_slice(body.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(from_blob(b"").unwrap_err(), "empty signature blob");
        assert!(matches!(
            from_blob(b"\xa3rest"),
            Ok(Signature::SimpleSigning(_))
        ));
        assert!(matches!(from_blob(b"=x"), Ok(Signature::SimpleSigning(_))));
        assert_eq!(
            from_blob(b"\x93x").unwrap_err(),
            "unrecognized signature format, starting with binary 0x93"
        );
        assert_eq!(
            from_blob(b"\x00sigstore-json").unwrap_err(),
            "invalid signature format, missing newline"
        );
        assert_eq!(
            from_blob(b"\x00sig\x01\n").unwrap_err(),
            "invalid signature format, non-ASCII byte 0x01"
        );
        assert_eq!(
            from_blob(b"\x00other\n{}").unwrap_err(),
            "unrecognized signature format \"other\""
        );
        assert!(
            matches!(from_blob(b"\x00simple-signing\n\xa3"), Ok(Signature::SimpleSigning(b)) if b == b"\xa3")
        );
        assert_eq!(
            from_blob(b"\x00sigstore-json\n{no}").unwrap_err(),
            "invalid character 'n' looking for beginning of object key string"
        );
    }

    #[test]
    fn sigstore_json_is_lenient_like_go() {
        let s = from_blob(b"\x00sigstore-json\n{\"MIMETYPE\":\"a\",\"mimeType\":\"b\",\"payload\":\"YWJj\",\"x\":1,\"annotations\":{\"k\":\"v\"}}")
            .unwrap();
        let Signature::Sigstore(s) = s else { panic!() };
        assert_eq!(s.mime_type, "b");
        assert_eq!(s.payload, b"abc");
        assert_eq!(s.annotations["k"], "v");
        assert_eq!(
            from_blob(b"\x00sigstore-json\n{\"payload\":\"%%\"}").unwrap_err(),
            "illegal base64 data at input byte 0"
        );
        assert!(
            from_blob(b"\x00sigstore-json\n{\"mimeType\":1}")
                .unwrap_err()
                .contains("sigstoreJSONRepresentation.mimeType")
        );
    }

    #[test]
    fn round_trip() {
        let mut s = Sigstore {
            mime_type: SIGSTORE_SIGNATURE_MIME_TYPE.into(),
            payload: b"{}".to_vec(),
            ..Default::default()
        };
        s.annotations
            .insert(SIGNATURE_ANNOTATION.into(), "c2ln".into());
        let blob = sigstore_to_blob(&s);
        assert!(blob.starts_with(b"\x00sigstore-json\n{\"mimeType\":"));
        assert_eq!(from_blob(&blob).unwrap(), Signature::Sigstore(s));
    }
}
