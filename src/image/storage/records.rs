//! `images.json` records decoded as c/storage does (Go `json.Unmarshal` into `[]*Image`, then
//! `recomputeDigests`).

use super::*;

crate::go_struct! {
    /// c/storage's `Image` as `images.json` stores it, decoded as Go's `json.Unmarshal` does
    /// (same struct in c/storage 1.43 and 1.65): keys folded (`Names`, `ID`, `nameſ`), the last
    /// duplicate wins, `names` slices reuse earlier elements, `null` clears slices and maps.
    /// Fields policy does not need are type-checked and dropped, since a type error anywhere
    /// fails the whole store; `json:"-"` fields (`Digests`, `ReadOnly`) match no key at all.
    struct ImageRecord as "Image" {
        id: String = "id",
        digest: String = "digest",
        names: GoSlice<String> = "names",
        names_history: Checked<GoSlice<String>> = "names-history",
        top_layer: String = "layer",
        mapped_top_layers: Checked<GoSlice<String>> = "mapped-layers",
        metadata: String = "metadata",
        big_data_names: Checked<GoSlice<String>> = "big-data-names",
        big_data_sizes: Checked<GoMap<i64>> = "big-data-sizes",
        big_data_digests: GoMap<String> = "big-data-digests",
        created: Checked<GoTime> = "created",
        flags: Checked<GoObject> = "flags",
    }
}

/// A field decoded only for Go's type errors: the value is dropped. (Decoding into a fresh
/// zero value instead of the previous duplicate's gives the same errors.)
pub(super) struct Checked<T>(std::marker::PhantomData<T>);

impl<T> Default for Checked<T> {
    fn default() -> Self {
        Checked(std::marker::PhantomData)
    }
}
impl<T> Clone for Checked<T> {
    fn clone(&self) -> Self {
        Checked::default()
    }
}
impl<T> std::fmt::Debug for Checked<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Checked")
    }
}
impl<T> PartialEq for Checked<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl<T> Eq for Checked<T> {}

impl<T: GoDecode + Default> GoDecode for Checked<T> {
    fn go_type() -> String {
        T::go_type()
    }
    fn go_decode(&mut self, d: &mut Decoder<'_>) {
        T::default().go_decode(d);
    }
}

/// `images.json` as c/storage's `imageStore.load` reads it: `json.Unmarshal` into
/// `[]*Image`, then `recomputeDigests` for each record. `Err` carries the message and whether
/// it is an unmarshal error (which c/storage 1.43 swallows, leaving no image to find).
pub(super) fn parse_images_json(data: &[u8]) -> Result<Vec<Image>, (String, bool)> {
    scan::validate(data).map_err(|e| (e.message, true))?;
    match Cursor::new(data).peek_kind() {
        Kind::Array | Kind::Null => {}
        k => {
            return Err((
                format!(
                    "json: cannot unmarshal {} into Go value of type []*storage.Image",
                    k.go_name()
                ),
                true,
            ));
        }
    }
    let records: GoSlice<Option<Box<ImageRecord>>> =
        godecode::unmarshal(data).map_err(|e| (e.0, true))?;
    let mut out = Vec::with_capacity(records.len());
    for (i, r) in records.as_slice().iter().enumerate() {
        let Some(r) = r else {
            return Err((
                format!("record {i} is null (c/storage dereferences it: podman would crash)"),
                false,
            ));
        };
        out.push(Image::from_record(r).map_err(|e| (e, false))?);
    }
    Ok(out)
}

impl Image {
    /// The record's fields policy uses, with c/storage's `recomputeDigests`: `digest` and the
    /// digests of `manifest*` big-data items, validated and deduplicated.
    fn from_record(r: &ImageRecord) -> Result<Image, String> {
        let names = r.names.as_slice().to_vec();
        let fail = |what: String, e: crate::reference::docker::DigestError| {
            format!(
                "computing digests for image with ID {} ([{}]): {what}: {e}",
                quote(&r.id),
                names.join(" ")
            )
        };
        let mut digests: Vec<String> = Vec::new();
        if !r.digest.is_empty() {
            validate_digest(&r.digest)
                .map_err(|e| fail(format!("validating image digest {}", quote(&r.digest)), e))?;
            digests.push(r.digest.clone());
        }
        for (k, d) in &r.big_data_digests.entries {
            if !k.starts_with("manifest") {
                continue;
            }
            validate_digest(d).map_err(|e| {
                fail(
                    format!(
                        "validating digest {} for big data item {}",
                        quote(d),
                        quote(k)
                    ),
                    e,
                )
            })?;
            if !digests.contains(d) {
                digests.push(d.clone());
            }
        }
        Ok(Image {
            id: r.id.clone(),
            names,
            digests,
            metadata: r.metadata.clone(),
        })
    }
}

/// An image as c/storage's in-memory store sees it.
#[derive(Debug, Clone)]
pub(super) struct Image {
    pub(super) id: String,
    pub(super) names: Vec<String>,
    /// `digest` ∪ the digests of `manifest*` big-data items.
    pub(super) digests: Vec<String>,
    pub(super) metadata: String,
}
