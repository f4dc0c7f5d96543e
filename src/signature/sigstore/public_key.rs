//! `sigstoreSigned` with public keys (`keyPath`, `keyPaths`, `keyData`, `keyDatas`):
//! c/image's `prSigstoreSigned.isSignatureAccepted` up to the authenticated payload.

use std::cell::OnceCell;

use crate::compat::Compat;
use crate::policy::model::KeySource;
use crate::signature::blob::{SIGNATURE_ANNOTATION, Sigstore};
use crate::signature::keys::{KeyError, LoadedKey, parse_pem_public_key_for};
use crate::signature::rejection::Rejection;
use crate::signature::verifier::{KeyLoader, Verifier};
use crate::signature::verify::{Verified, verify_sigstore};

/// Verifies sigstore signatures with the requirement's public keys. The keys are loaded on
/// first use and then once per requirement and image, not once per signature.
pub struct PublicKeyVerifier<'a> {
    source: &'a KeySource,
    loader: &'a dyn KeyLoader,
    compat: Compat,
    keys: OnceCell<Result<Vec<LoadedKey>, Rejection>>,
}

impl<'a> PublicKeyVerifier<'a> {
    /// A verifier for the keys of `source` (read through `loader` when first needed).
    pub fn new(source: &'a KeySource, loader: &'a dyn KeyLoader, compat: Compat) -> Self {
        PublicKeyVerifier {
            source,
            loader,
            compat,
            keys: OnceCell::new(),
        }
    }
}

impl Verifier<Sigstore> for PublicKeyVerifier<'_> {
    fn verify<'s>(&self, s: &'s Sigstore) -> Result<Verified<'s>, Rejection> {
        let keys = self
            .keys
            .get_or_init(|| load_public_keys(self.source, self.loader, self.compat))
            .as_ref()
            .map_err(Clone::clone)?;
        let Some(b64) = s.annotations.get(SIGNATURE_ANNOTATION) else {
            return Err(Rejection::MissingSignatureAnnotation {
                annotation: SIGNATURE_ANNOTATION,
            });
        };
        verify_sigstore(keys, &s.payload, b64, self.compat)
            .map_err(|e| Rejection::Cryptographic(e.0))
    }
}

/// The public keys of a `sigstoreSigned` requirement as c/image loads them for each
/// signature: every file is read (the first read error wins), then the first key that does
/// not parse rejects; no key at all is an internal inconsistency.
pub fn load_public_keys(
    src: &KeySource,
    keys: &dyn KeyLoader,
    compat: Compat,
) -> Result<Vec<LoadedKey>, Rejection> {
    let parsed: Vec<Result<LoadedKey, KeyError>> = match src {
        KeySource::Path(p) => vec![
            keys.parsed_key(&p.value, compat)
                .map_err(Rejection::KeyFile)?,
        ],
        KeySource::Paths(p) => p
            .value
            .iter()
            .map(|p| keys.parsed_key(p, compat))
            .collect::<Result<_, _>>()
            .map_err(Rejection::KeyFile)?,
        KeySource::Data(d) => match &d.value {
            Some(b) => vec![parse_pem_public_key_for(b, compat)],
            // `"keyData": null` leaves KeyData nil: c/image then reads KeyPath "".
            None => vec![keys.parsed_key("", compat).map_err(Rejection::KeyFile)?],
        },
        KeySource::Datas(d) => d
            .value
            .iter()
            .map(|b| parse_pem_public_key_for(b, compat))
            .collect(),
    };
    let mut loaded = Vec::with_capacity(parsed.len());
    for (i, k) in parsed.into_iter().enumerate() {
        match k {
            Ok(k) => loaded.push(k),
            Err(error) => {
                return Err(Rejection::KeyParse {
                    index: match compat {
                        Compat::V5_23 => None,
                        Compat::Current => Some(i + 1),
                    },
                    error,
                });
            }
        }
    }
    if loaded.is_empty() {
        return Err(Rejection::NoPublicKeys);
    }
    Ok(loaded)
}
