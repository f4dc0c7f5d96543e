//! An image's `metadata` string, decoded leniently as c/image's `storageImageSource`.

use super::*;

/// The image's `metadata` as c/image decodes it into `storageImageSource`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Metadata {
    pub(super) signature_sizes: Vec<i64>,
    pub(super) signatures_sizes: BTreeMap<String, Vec<i64>>,
}

/// Runs the decoders of untrusted store metadata (`images.json`, and `data` as an image's
/// `metadata` string) and returns how many records and signature sizes they yielded. For the
/// fuzz target: neither may panic or recurse without bound, whatever the bytes.
#[doc(hidden)]
pub fn decode_store_metadata(data: &[u8]) -> (Option<usize>, Option<usize>) {
    let images = parse_images_json(data).ok().map(|v| v.len());
    let metadata = std::str::from_utf8(data)
        .ok()
        .and_then(|t| parse_metadata(t).ok())
        .map(|m| m.signature_sizes.len());
    (images, metadata)
}

/// Lenient Go `json.Unmarshal` of the metadata string (unknown keys ignored, keys folded,
/// last one wins); the first type error is returned, as Go does.
pub(super) fn parse_metadata(text: &str) -> Result<Metadata, String> {
    let b = text.as_bytes();
    scan::validate(b).map_err(|e| e.message)?;
    let mut cur = Cursor::new(b);
    let mut out = Metadata::default();
    match cur.peek_kind() {
        Kind::Object => {}
        Kind::Null => return Ok(out),
        k => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type storage.storageImageSource",
                k.go_name()
            ));
        }
    }
    let mut first_err: Option<String> = None;
    cur.enter();
    while let Some((key, _)) = cur.next_key() {
        if go_fold_eq(&key, "signature-sizes") {
            if let Some(v) = read_sizes(&mut cur, "signature-sizes", &mut first_err) {
                out.signature_sizes = v;
            }
        } else if go_fold_eq(&key, "signatures-sizes") {
            match cur.peek_kind() {
                Kind::Null => {
                    cur.skip_value();
                    out.signatures_sizes.clear();
                }
                Kind::Object => {
                    cur.enter();
                    while let Some((k, _)) = cur.next_key() {
                        if let Some(v) = read_sizes(&mut cur, "signatures-sizes", &mut first_err) {
                            out.signatures_sizes.insert(k, v);
                        }
                    }
                }
                k => {
                    cur.skip_value();
                    first_err.get_or_insert(field_type_error(
                        k.go_name(),
                        "signatures-sizes",
                        "map[digest.Digest][]int",
                    ));
                }
            }
        } else {
            cur.skip_value();
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

pub(super) fn field_type_error(value: &str, field: &str, go_type: &str) -> String {
    format!(
        "json: cannot unmarshal {value} into Go struct field storageImageSource.{field} of type {go_type}"
    )
}

/// A `[]int` value (`null` → empty); `None` after a type error.
pub(super) fn read_sizes(
    cur: &mut Cursor<'_>,
    field: &str,
    first_err: &mut Option<String>,
) -> Option<Vec<i64>> {
    match cur.peek_kind() {
        Kind::Null => {
            cur.skip_value();
            Some(Vec::new())
        }
        Kind::Array => {
            cur.enter();
            let mut v = Vec::new();
            let mut ok = true;
            while cur.next_element() {
                match cur.peek_kind() {
                    Kind::Number => {
                        let (t, _) = cur.read_number();
                        match t.parse::<i64>() {
                            Ok(n) => v.push(n),
                            Err(_) => {
                                ok = false;
                                first_err.get_or_insert(field_type_error(
                                    &format!("number {t}"),
                                    field,
                                    "int",
                                ));
                            }
                        }
                    }
                    Kind::Null => {
                        cur.skip_value();
                        v.push(0);
                    }
                    k => {
                        cur.skip_value();
                        ok = false;
                        first_err.get_or_insert(field_type_error(k.go_name(), field, "int"));
                    }
                }
            }
            ok.then_some(v)
        }
        k => {
            cur.skip_value();
            first_err.get_or_insert(field_type_error(k.go_name(), field, "[]int"));
            None
        }
    }
}
