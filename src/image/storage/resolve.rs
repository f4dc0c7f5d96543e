//! Which image a `containers-storage:` reference names (c/image's `resolveImage`).

use super::*;

/// Whether some name of `image` is in `named`'s repository (`imageMatchesRepo`).
pub(super) fn image_matches_repo(image: &Image, named: &Named) -> bool {
    let repo = named.name();
    image
        .names
        .iter()
        .any(|n| Named::parse_normalized(n).is_ok_and(|p| p.name() == repo))
}

/// `multiArchImageMatchesSystemContext`: `manifest-D` is a list whose chosen instance is stored.
pub(super) fn multi_arch_matches(
    store: &Store,
    image: &Image,
    d: &str,
    opts: &OpenOptions,
) -> bool {
    let Ok((list, _)) = store.big_data(&image.id, &format!("manifest-{d}"), MAX_MANIFEST_SIZE)
    else {
        return false;
    };
    let mime = manifest::guess_mime_type(&list);
    if !manifest::is_list(&mime) {
        return false;
    }
    let Ok(list) = manifest::list_from_blob(&list, &mime, opts.compat) else {
        return false;
    };
    let Ok(instance) = manifest::choose_instance(&list, &opts.platform, opts.compat) else {
        return false;
    };
    store
        .big_data(
            &image.id,
            &format!("manifest-{instance}"),
            MAX_MANIFEST_SIZE,
        )
        .is_ok()
}

/// `storageReference.resolveImage`.
pub(super) fn resolve_image(
    store: &Store,
    named: Option<&Named>,
    id: Option<&str>,
    spec_prefix: &str,
    opts: &OpenOptions,
) -> Result<Image, ImageError> {
    let mut loaded: Option<&Image> = None;
    if let (None, Some(n)) = (id, named) {
        loaded = store.lookup(&n.to_string());
        if loaded.is_none()
            && let Some(d) = n.digest()
        {
            for img in store.by_digest(d) {
                if image_matches_repo(img, n)
                    && (loaded.is_none() || multi_arch_matches(store, img, d, opts))
                {
                    loaded = Some(img);
                }
            }
        }
        if loaded.is_none() {
            let within = format!("{spec_prefix}{n}");
            let suffix = match opts.compat {
                Compat::V5_23 => ": identifier is not an image",
                _ => "",
            };
            return Err(ImageError(format!(
                "reference {} does not resolve to an image ID{suffix} (looked up in {})",
                quote(&within),
                store.json_paths()
            )));
        }
    }
    let image = match (loaded, id) {
        (Some(img), _) => img,
        (None, Some(id)) => store.lookup(id).ok_or_else(|| {
            ImageError(format!(
                "reading image {}: locating image with ID {}: image not known (looked up in {})",
                quote(id),
                quote(id),
                store.json_paths()
            ))
        })?,
        (None, None) => {
            return Err(ImageError(
                "invalid reference: neither a name nor an image ID".into(),
            ));
        }
    };
    if let Some(n) = named
        && !image_matches_repo(image, n)
    {
        return Err(ImageError(format!(
            "identifier is not an image (image {} in {} has no name in repository {})",
            image.id,
            store.json_paths(),
            n.name()
        )));
    }
    Ok(image.clone())
}
