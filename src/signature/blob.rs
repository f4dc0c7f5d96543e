//! c/image's signature blob encoding (`internal/signature/signature.go` `FromBlob`, spec §6.1):
//! a raw OpenPGP message (simple signing), or `0x00 <format name> \n <chunk>`.

use std::collections::BTreeMap;

use crate::json::godecode::{self, GoBytes, GoMap};
use crate::json::{Cursor, Kind, scan};

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
pub fn from_blob(blob: &[u8]) -> Result<Signature, BlobError> {
    from_blob_text(blob).map_err(BlobError)
}

/// [`from_blob`] with the message as a plain string (inside this module).
fn from_blob_text(blob: &[u8]) -> Result<Signature, String> {
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

crate::go_struct! {
    /// c/image's `internal/signature.sigstoreJSONRepresentation` (identical in 5.23.1 and
    /// current).
    struct SigstoreJson as "sigstoreJSONRepresentation" {
        mime_type: String = "mimeType",
        payload: GoBytes = "payload",
        annotations: GoMap<String> = "annotations",
    }
}

/// `sigstoreFromBlobChunk`: Go's `json.Unmarshal` into `sigstoreJSONRepresentation`, through
/// [`godecode`]: keys folded as Go does (`annotationſ` is `annotations`), the last duplicate
/// wins (maps merge, `payload` arrays reuse earlier bytes), `null` leaves `mimeType` alone and
/// clears `payload`/`annotations`, a `payload` may also be an array of numbers, unknown keys
/// are ignored and the first type or base64 error fails the blob.
fn sigstore_from_json(chunk: &[u8]) -> Result<Sigstore, String> {
    let v = sigstore_json(chunk)?;
    Ok(Sigstore {
        mime_type: v.mime_type,
        payload: v.payload.0.as_slice().to_vec(),
        annotations: v.annotations.entries,
    })
}

/// `json.Unmarshal(chunk, &v)` with `v` a zero `sigstoreJSONRepresentation`.
fn sigstore_json(chunk: &[u8]) -> Result<SigstoreJson, String> {
    scan::validate(chunk).map_err(|e| e.message)?;
    // At the top level Go names the type with its package.
    match Cursor::new(chunk).peek_kind() {
        Kind::Object | Kind::Null => {}
        k => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type signature.sigstoreJSONRepresentation",
                k.go_name()
            ));
        }
    }
    godecode::unmarshal(chunk).map_err(|e| e.0)
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
    // Go's encoder escapes <, > and & (and U+2028/U+2029); they only occur inside strings.
    let body = body
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029");
    let mut out = b"\x00sigstore-json\n".to_vec();
    out.extend_from_slice(body.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_are_named_as_c_image_names_them() {
        assert_eq!(Signature::SimpleSigning(vec![]).format(), "simple-signing");
        assert_eq!(
            Signature::Sigstore(Sigstore::default()).format(),
            "sigstore-json"
        );
    }

    use super::*;

    #[test]
    fn blobs_escape_like_go() {
        let mut s = Sigstore::default();
        s.annotations.insert("a".into(), "<&>\u{2028}".into());
        let b = sigstore_to_blob(&s);
        assert!(
            String::from_utf8(b)
                .unwrap()
                .ends_with(r#"{"a":"\u003c\u0026\u003e\u2028"}}"#)
        );
    }

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

    /// `json.Unmarshal` into c/image's struct, as printed by a Go program (nil and non-nil
    /// told apart) built with Go 1.26.8 and with Go 1.19.8, which agree on every line.
    const GO_TABLE: &str = r##"{"annotationſ":{"a":"b"}}	OK mime="" payload=nil ann={"a":"b"}
{"annotation\u017f":{"a":"b"}}	OK mime="" payload=nil ann={"a":"b"}
{"ANNOTATIONS":{"a":"b"},"annotationſ":{"c":"d"}}	OK mime="" payload=nil ann={"a":"b","c":"d"}
{"annotations":{"a":"b"},"annotations":null}	OK mime="" payload=nil ann=nil
{"annotations":{"a":"b"},"annotations":{"c":null}}	OK mime="" payload=nil ann={"a":"b","c":""}
{"annotations":{"a":1}}	ERR json: cannot unmarshal number into Go struct field sigstoreJSONRepresentation.annotations of type string
{"annotations":{"a":1,"b":"x"},"mimeType":2}	ERR json: cannot unmarshal number into Go struct field sigstoreJSONRepresentation.annotations of type string
{"annotations":[]}	ERR json: cannot unmarshal array into Go struct field sigstoreJSONRepresentation.annotations of type map[string]string
{"annotations":"x"}	ERR json: cannot unmarshal string into Go struct field sigstoreJSONRepresentation.annotations of type map[string]string
{"payload":"YWJj","payload":null}	OK mime="" payload=nil ann=nil
{"payload":"YWJj","PAYLOAD":"ZGVm"}	OK mime="" payload="def" ann=nil
{"payload":[123,125]}	OK mime="" payload="{}" ann=nil
{"payload":"YWJj","payload":[null,98]}	OK mime="" payload="ab" ann=nil
{"payload":[1,2,3],"payload":[null],"payload":[null,null,null]}	OK mime="" payload="\u0001\u0002\u0003" ann=nil
{"payload":[256]}	ERR json: cannot unmarshal number 256 into Go struct field sigstoreJSONRepresentation.payload of type uint8
{"payload":[1.5]}	ERR json: cannot unmarshal number 1.5 into Go struct field sigstoreJSONRepresentation.payload of type uint8
{"payload":"%%"}	ERR illegal base64 data at input byte 0
{"mimeType":1,"payload":"%%"}	ERR json: cannot unmarshal number into Go struct field sigstoreJSONRepresentation.mimeType of type string
{"payload":"%%","mimeType":1}	ERR illegal base64 data at input byte 0
{"payload":{}}	ERR json: cannot unmarshal object into Go struct field sigstoreJSONRepresentation.payload of type []uint8
{"payload":true}	ERR json: cannot unmarshal bool into Go struct field sigstoreJSONRepresentation.payload of type []uint8
{"Payload":"YWJj"}	OK mime="" payload="abc" ann=nil
{"payloaD":"YWJj"}	OK mime="" payload="abc" ann=nil
{"pay\u006coad":"YWJj"}	OK mime="" payload="abc" ann=nil
{"mimeType":"a","mimeType":null}	OK mime="a" payload=nil ann=nil
{"mimeType":"a","MimeType":"b"}	OK mime="b" payload=nil ann=nil
{"mimetype":"a","mimeType\u0000":"b"}	OK mime="a" payload=nil ann=nil
{"mımeType":"a"}	OK mime="" payload=nil ann=nil
{"MİMETYPE":"a"}	OK mime="" payload=nil ann=nil
null	OK mime="" payload=nil ann=nil
[]	ERR json: cannot unmarshal array into Go value of type signature.sigstoreJSONRepresentation
"x"	ERR json: cannot unmarshal string into Go value of type signature.sigstoreJSONRepresentation
1	ERR json: cannot unmarshal number into Go value of type signature.sigstoreJSONRepresentation
{"x":{"y":[1,2,{"z":null}]}}	OK mime="" payload=nil ann=nil
{}	OK mime="" payload=nil ann=nil
{"payload":""}	OK mime="" payload="" ann=nil
{"payload":[]}	OK mime="" payload="" ann=nil
{"annotations":{}}	OK mime="" payload=nil ann={}
{"annotations":{"a":"b","a":"c"}}	OK mime="" payload=nil ann={"a":"c"}
{"annotations":{"a":"b"},"Annotations":{"c":"d"}}	OK mime="" payload=nil ann={"a":"b","c":"d"}
{"payload":"YW Jj"}	ERR illegal base64 data at input byte 2
{"payload":"YWJ\nj"}	OK mime="" payload="abc" ann=nil
{"payload":"YWJ\rj"}	OK mime="" payload="abc" ann=nil
{"payload":"YWI="}	OK mime="" payload="ab" ann=nil
{"payload":"YWI"}	ERR illegal base64 data at input byte 0
{"payload":"YWJ="}	OK mime="" payload="ab" ann=nil
{"payloadſ":"YWJj"}	OK mime="" payload=nil ann=nil
{"annotationſ":{"a":"b"},"annotations":null}	OK mime="" payload=nil ann=nil
{"annotations":null,"annotationſ":{"a":"b"}}	OK mime="" payload=nil ann={"a":"b"}
{"AnnotationS":{"a":"b"}}	OK mime="" payload=nil ann={"a":"b"}
{"annotation\u017F":{"dev.cosignproject.cosign/signature":"c2ln"},"mimeType":"application/vnd.dev.cosign.simplesigning.v1+json"}	OK mime="application/vnd.dev.cosign.simplesigning.v1+json" payload=nil ann={"dev.cosignproject.cosign/signature":"c2ln"}
{"annotationſ":{"a":"b"},"annotationſ":{"a":null}}	OK mime="" payload=nil ann={"a":""}
{"payload":[1,2,3,4,5],"payload":[9],"payload":[null,null,null,null,null,null]}	OK mime="" payload="\t\u0002\u0003\u0004\u0005\u0000" ann=nil
{"payload":"YWJjZA==","payload":[null,null,null,null,null]}	OK mime="" payload="abcd\u0000" ann=nil"##;

    fn show(chunk: &[u8]) -> String {
        let v = match sigstore_json(chunk) {
            Ok(v) => v,
            Err(e) => return format!("ERR {e}"),
        };
        let q = |s: &str| serde_json::to_string(s).unwrap();
        let payload = if v.payload.0.is_nil() {
            "nil".to_owned()
        } else {
            q(&String::from_utf8_lossy(v.payload.0.as_slice()))
        };
        let ann = if v.annotations.nil {
            "nil".to_owned()
        } else {
            serde_json::to_string(&v.annotations.entries).unwrap()
        };
        format!("OK mime={} payload={payload} ann={ann}", q(&v.mime_type))
    }

    #[test]
    fn sigstore_json_decodes_as_go() {
        for line in GO_TABLE.lines() {
            let (input, want) = line.split_once('\t').unwrap();
            assert_eq!(show(input.as_bytes()), want, "{input}");
        }
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

crate::message_error! {
    /// A stored signature blob is not a signature c/image reads (its text).
    BlobError
}
