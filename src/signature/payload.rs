//! The signed sigstore payload ("simple signing" JSON, cosign flavour) and its strict parser
//! (`UntrustedSigstorePayload.strictUnmarshalJSON`, spec §5.4). Every error is c/image's text.

use crate::compat::Compat;
use crate::json::read::q;
use crate::json::{Cursor, Kind, scan};
use crate::reference::docker::validate_digest;

/// The signature type cosign and c/image write.
pub const SIGSTORE_SIGNATURE_TYPE: &str = "cosign container image signature";

/// The claims of a payload (still untrusted: only meaningful once the signature verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    /// `critical.image.docker-manifest-digest`.
    pub manifest_digest: String,
    /// `critical.identity.docker-reference`.
    pub docker_reference: String,
    /// `optional.creator`.
    pub creator: Option<String>,
    /// `optional.timestamp`.
    pub timestamp: Option<i64>,
}

type Raw = Option<std::ops::Range<usize>>;

/// `ParanoidUnmarshalJSONObjectExactFields` over `src[span]`, returning the raw value spans in
/// the order of `fields`.
pub(crate) fn exact_fields(
    src: &[u8],
    span: std::ops::Range<usize>,
    fields: &[&str],
    compat: Compat,
) -> Result<Vec<std::ops::Range<usize>>, String> {
    let mut got: Vec<Raw> = vec![None; fields.len()];
    let mut cur = Cursor::new(&src[..span.end]);
    cur.seek(span.start);
    cur.strict_object(compat, |cur, key, _| {
        match fields.iter().position(|f| *f == key) {
            Some(i) => {
                got[i] = Some(cur.skip_value());
                Ok(true)
            }
            None => Ok(false),
        }
    })
    .map_err(|e| e.message)?;
    fields
        .iter()
        .zip(got)
        .map(|(f, g)| g.ok_or_else(|| format!("Key {} missing in a JSON object", q(compat, f))))
        .collect()
}

/// Decodes a raw value into a Go `string` (null leaves it empty).
fn go_string(src: &[u8], span: std::ops::Range<usize>) -> Result<String, String> {
    let mut cur = Cursor::new(&src[..span.end]);
    cur.seek(span.start);
    cur.decode_string("string")
        .map(|(s, _)| s.unwrap_or_default())
        .map_err(|e| e.message)
}

/// The signature type c/image's simple signing (GPG) writes.
pub const SIMPLE_SIGNING_SIGNATURE_TYPE: &str = "atomic container signature";

/// Which of c/image's two strict payload parsers (they differ in the signature type and in
/// whether `"optional": null` is allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavour {
    /// `UntrustedSigstorePayload` (cosign writes `"optional": null`).
    Sigstore,
    /// `untrustedSignature` of simple signing (`optional` must be an object).
    SimpleSigning,
}

/// Parses a sigstore payload exactly as c/image does (after its signature verified).
pub fn parse_payload(src: &[u8], compat: Compat) -> Result<Payload, PayloadError> {
    parse_payload_text(src, compat, Flavour::Sigstore).map_err(PayloadError)
}

/// Parses a simple-signing (GPG) payload exactly as c/image does
/// (`untrustedSignature.strictUnmarshalJSON`, spec §11.7).
pub fn parse_simple_signing_payload(src: &[u8], compat: Compat) -> Result<Payload, PayloadError> {
    parse_payload_text(src, compat, Flavour::SimpleSigning).map_err(PayloadError)
}

/// [`parse_payload`] with the message as a plain string (inside this module).
fn parse_payload_text(src: &[u8], compat: Compat, flavour: Flavour) -> Result<Payload, String> {
    scan::validate(src).map_err(|e| e.message)?;
    let top = exact_fields(src, 0..src.len(), &["critical", "optional"], compat)?;
    let (critical, optional) = (top[0].clone(), top[1].clone());

    let mut creator = None;
    let mut timestamp = None;
    // cosign writes `"optional": null`, which only the sigstore parser skips; simple
    // signing's `ParanoidUnmarshalJSONObject` refuses it ("JSON object expected").
    if flavour == Flavour::SimpleSigning || &src[optional.clone()] != b"null" {
        let mut cur = Cursor::new(&src[..optional.end]);
        cur.seek(optional.start);
        let mut err = None;
        cur.strict_object(compat, |cur, key, _| {
            match key {
                "creator" => match cur.decode_string("string") {
                    Ok((s, _)) => creator = Some(s.unwrap_or_default()),
                    Err(e) => {
                        err.get_or_insert(e.message);
                    }
                },
                "timestamp" => match cur.peek_kind() {
                    Kind::Number => {
                        let (text, _) = cur.read_number();
                        match text.parse::<f64>() {
                            Ok(f) if f.is_finite() => timestamp = Some(f),
                            _ => {
                                err.get_or_insert(format!("json: cannot unmarshal number {text} into Go value of type float64"));
                            }
                        }
                    }
                    Kind::Null => {
                        cur.skip_value();
                        timestamp = Some(0.0);
                    }
                    k => {
                        cur.skip_value();
                        err.get_or_insert(format!("json: cannot unmarshal {} into Go value of type float64", k.go_name()));
                    }
                },
                _ => {
                    cur.skip_value();
                }
            }
            Ok(true)
        })
        .map_err(|e| e.message)?;
        if let Some(e) = err {
            return Err(e);
        }
    }
    let timestamp = match timestamp {
        None => None,
        Some(f) => {
            // Go: int64(f) then compare; out-of-range conversions never round-trip.
            let in_range = (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f);
            if !in_range || (f as i64) as f64 != f {
                return Err(match compat {
                    Compat::V5_23 => "Field optional.timestamp is not is not an integer".to_owned(),
                    Compat::Current => "Field optional.timestamp is not an integer".to_owned(),
                });
            }
            Some(f as i64)
        }
    };

    let crit = exact_fields(src, critical, &["type", "image", "identity"], compat)?;
    let t = go_string(src, crit[0].clone())?;
    let wanted = match flavour {
        Flavour::Sigstore => SIGSTORE_SIGNATURE_TYPE,
        Flavour::SimpleSigning => SIMPLE_SIGNING_SIGNATURE_TYPE,
    };
    if t != wanted {
        return Err(format!("Unrecognized signature type {t}"));
    }
    let image = exact_fields(src, crit[1].clone(), &["docker-manifest-digest"], compat)?;
    let manifest_digest = go_string(src, image[0].clone())?;
    if compat == Compat::Current
        && let Err(e) = validate_digest(&manifest_digest)
    {
        return Err(format!(
            "invalid docker-manifest-digest value {}: {e}",
            crate::json::gofmt::quote(&manifest_digest)
        ));
    }
    let identity = exact_fields(src, crit[2].clone(), &["docker-reference"], compat)?;
    let docker_reference = go_string(src, identity[0].clone())?;
    Ok(Payload {
        manifest_digest,
        docker_reference,
        creator,
        timestamp,
    })
}

/// Builds a payload as cosign / c/image write it (for tests and the test signer).
pub fn make_payload(
    docker_reference: &str,
    manifest_digest: &str,
    optional: Option<(&str, i64)>,
) -> Vec<u8> {
    let optional = match optional {
        None => "null".to_owned(),
        Some((creator, ts)) => format!(
            "{{\"creator\":{},\"timestamp\":{ts}}}",
            serde_json::Value::from(creator)
        ),
    };
    format!(
        "{{\"critical\":{{\"identity\":{{\"docker-reference\":{}}},\"image\":{{\"docker-manifest-digest\":{}}},\"type\":\"{SIGSTORE_SIGNATURE_TYPE}\"}},\"optional\":{optional}}}",
        serde_json::Value::from(docker_reference),
        serde_json::Value::from(manifest_digest)
    )
    .into_bytes()
}

#[cfg(test)]
mod tests;

crate::message_error! {
    /// A signature payload c/image refuses (its text).
    PayloadError
}
