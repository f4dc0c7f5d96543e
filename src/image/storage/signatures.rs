//! The signatures stored with an image (per instance), as `GetSignaturesWithFormat` reads them.

use super::*;

/// `GetSignaturesWithFormat`: the outer error is a refused file (exit 2), the inner one
/// c/image's signature error.
pub(super) fn read_signatures(
    store: &Store,
    id: &str,
    meta: &Metadata,
    instance: Option<&str>,
) -> Result<Result<Vec<SourcedSignature>, String>, ImageError> {
    let empty = Vec::new();
    let (sizes, key, label) = match instance {
        None => (
            &meta.signature_sizes,
            "signatures".to_owned(),
            "default instance".to_owned(),
        ),
        Some(d) => {
            let hex = d.split_once(':').map_or(d, |(_, h)| h);
            (
                meta.signatures_sizes.get(d).unwrap_or(&empty),
                format!("signature-{hex}"),
                hex.to_owned(),
            )
        }
    };
    if sizes.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    let prefix = format!(
        "looking up signatures data for image {} ({label})",
        quote(id)
    );
    if sizes.len() > MAX_SIGNATURES {
        return Ok(Err(format!(
            "{prefix}: more than {MAX_SIGNATURES} signatures (policyctl's limit)"
        )));
    }
    let (data, path) = match store.big_data(id, &key, MAX_SIGNATURES_DATA_SIZE) {
        Ok(r) => r,
        Err(BigDataErr::Missing(m)) => return Ok(Err(format!("{prefix}: {m}"))),
        Err(BigDataErr::Refused(e)) => return Err(e),
    };
    let total = data.len() as i64;
    let mut offset: i64 = 0;
    let mut out = Vec::with_capacity(sizes.len());
    for &length in sizes {
        if length < 0 {
            return Ok(Err(format!(
                "{prefix}: invalid signature size {length} in metadata (c/image would crash) ({})",
                path.display()
            )));
        }
        let end = offset.saturating_add(length);
        if end > total {
            return Ok(Err(format!(
                "{prefix}: expected at least {total} bytes, only found {end}"
            )));
        }
        let slice = data.get(offset as usize..end as usize).unwrap_or_default();
        let signature = match from_blob(slice) {
            Ok(s) => s,
            Err(e) => {
                return Ok(Err(format!(
                    "parsing signature at ({offset}, {length}): {e}"
                )));
            }
        };
        out.push(SourcedSignature {
            signature,
            origin: format!("{} (bytes {offset}..{end})", path.display()),
        });
        offset = end;
    }
    if offset != total {
        return Ok(Err(format!(
            "signatures data ({label}) contained {} extra bytes",
            total - offset
        )));
    }
    Ok(Ok(out))
}
