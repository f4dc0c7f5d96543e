//! The verification layer: one verifier per trust root, each the only way from an untrusted
//! signature to a [`Verified`] payload (or a typed [`Rejection`]).
//!
//! Evaluation (`crate::eval`) picks the verifier a requirement names and keeps only the
//! orchestration (AND over requirements, any one signature may satisfy) and the policy-level
//! checks on the authenticated payload (digest, `signedIdentity`). What policyctl cannot check
//! yet is a rejection that says so ([`Rejection::is_unsupported`]), never an accept.

use std::cell::OnceCell;

use super::blob::Sigstore;
use super::keys::{KeyError, LoadedKey};
use super::openpgp::{self, GpgFailure, Keyring, VerificationTime};
use super::rejection::Rejection;
use super::verify::{Signer, Verified};
use crate::compat::Compat;
use crate::policy::model::{KeySource, KeyType, SigstoreSigned, SigstoreTrust};

/// Reads key files (relative paths against the current directory, like c/image). The port
/// through which the pure core gets key bytes from the edge.
pub trait KeyLoader {
    /// The file's bytes, or Go's error text (`open P: no such file or directory`).
    fn read_key(&self, path: &str) -> Result<Vec<u8>, KeyFileError>;

    /// The key file parsed as sigstore's `UnmarshalPEMToPublicKey` does: `Err` is the read
    /// error, `Ok(Err(e))` the parse error. Implementations may cache it per path and
    /// `compat`, so that a key file is parsed once per run instead of once per signature.
    fn parsed_key(
        &self,
        path: &str,
        compat: Compat,
    ) -> Result<Result<LoadedKey, KeyError>, KeyFileError> {
        self.read_key(path)
            .map(|pem| super::keys::parse_pem_public_key_for(&pem, compat))
    }
}

/// A trust root's check of one signature of format `S`.
pub trait Verifier<S: ?Sized> {
    /// Verifies `sig`: the payload it authenticates and who signed it, or why not.
    fn verify<'s>(&self, sig: &'s S) -> Result<Verified<'s>, Rejection>;
}

/// The verifier of a `sigstoreSigned` requirement's trust root (PKI chains are judged at
/// `now`; Fulcio chains at the Rekor time).
pub fn sigstore_verifier<'a>(
    req: &'a SigstoreSigned,
    loader: &'a dyn KeyLoader,
    compat: Compat,
    now: VerificationTime,
) -> Box<dyn Verifier<Sigstore> + 'a> {
    match (&req.trust, &req.rekor) {
        (SigstoreTrust::PublicKeys(src), None) => {
            Box::new(super::sigstore::PublicKeyVerifier::new(src, loader, compat))
        }
        (SigstoreTrust::PublicKeys(src), Some(rekor)) => Box::new(
            super::sigstore::rekor::RekorKeyVerifier::new(src, rekor, loader, compat),
        ),
        (SigstoreTrust::Fulcio(f), rekor) => Box::new(
            super::sigstore::certificate::FulcioVerifier::new(&f.value, rekor.as_ref(), loader),
        ),
        (SigstoreTrust::Pki(p), _) => Box::new(super::sigstore::certificate::PkiVerifier::new(
            &p.value, loader, now.0,
        )),
    }
}

/// The verifier of a `signedBy` requirement (simple signing), judging key and signature
/// validity at `now`.
pub fn simple_signing_verifier<'a>(
    key_type: KeyType,
    source: &'a KeySource,
    loader: &'a dyn KeyLoader,
    compat: Compat,
    now: VerificationTime,
) -> Box<dyn Verifier<[u8]> + 'a> {
    match key_type {
        KeyType::GpgKeys => Box::new(GpgVerifier {
            source,
            loader,
            compat,
            now,
            keyring: OnceCell::new(),
        }),
        other => Box::new(UnimplementedKeyType(other.as_str())),
    }
}

/// `signedBy` with a `keyType` c/image does not implement: every signature is rejected with
/// c/image's text.
struct UnimplementedKeyType(&'static str);

impl Verifier<[u8]> for UnimplementedKeyType {
    fn verify<'s>(&self, _: &'s [u8]) -> Result<Verified<'s>, Rejection> {
        Err(Rejection::UnimplementedKeyType(self.0.to_owned()))
    }
}

/// `signedBy` with `GPGKeys` (`prSignedBy.isSignatureAuthorAccepted` up to the payload): the
/// keyrings are read and imported once (c/image redoes both per signature, with the same
/// result), then each message is checked as GPGME checks it and its signer matched against
/// the trusted identities.
struct GpgVerifier<'a> {
    source: &'a KeySource,
    loader: &'a dyn KeyLoader,
    compat: Compat,
    now: VerificationTime,
    keyring: OnceCell<Result<Keyring, Rejection>>,
}

impl Verifier<[u8]> for GpgVerifier<'_> {
    fn verify<'s>(&self, sig: &'s [u8]) -> Result<Verified<'s>, Rejection> {
        let ring = self
            .keyring
            .get_or_init(|| {
                read_source(self.source, self.loader)
                    .map(|blobs| Keyring::import(&blobs))
                    .map_err(Rejection::KeyFile)
            })
            .as_ref()
            .map_err(Clone::clone)?;
        let identities = ring.identities();
        if identities.is_empty() {
            return Err(Rejection::NoPublicKeysImported);
        }
        let good = openpgp::message::verify(ring, sig, self.now).map_err(|e| match e {
            GpgFailure::Unreadable(e) => Rejection::GpgUnreadable(e),
            GpgFailure::SignatureCount(n) => Rejection::GpgSignatureCount(n),
            GpgFailure::Invalid(i) => Rejection::GpgInvalid(i),
        })?;
        // `verifyAndExtractSignature`: GPGME names the key that signed (a subkey's
        // fingerprint for subkey signatures); the trusted identities are primary keys.
        if !identities.contains(&good.signing_key) {
            match self.compat {
                Compat::V5_23 => {
                    return Err(Rejection::GpgKeyNotAccepted {
                        key: good.signing_key,
                        primary: None,
                    });
                }
                // Current c/image maps the subkey to its primary key (always imported).
                Compat::Current if identities.contains(&good.primary) => {}
                Compat::Current => {
                    return Err(Rejection::GpgKeyNotAccepted {
                        key: good.signing_key,
                        primary: Some(good.primary),
                    });
                }
            }
        }
        Ok(Verified::simple_signing(
            good.plaintext,
            Signer::Gpg {
                signing_key: good.signing_key,
                primary: good.primary,
                user_id: good.user_id,
                created: good.created,
                backend_notes: good.backend_notes.iter().map(|n| (*n).to_owned()).collect(),
            },
        ))
    }
}

/// The bytes of every key of `src` (files read through `loader`).
fn read_source(src: &KeySource, loader: &dyn KeyLoader) -> Result<Vec<Vec<u8>>, KeyFileError> {
    match src {
        KeySource::Path(p) => loader.read_key(&p.value).map(|d| vec![d]),
        KeySource::Paths(p) => p.value.iter().map(|p| loader.read_key(p)).collect(),
        KeySource::Data(d) => match &d.value {
            Some(b) => Ok(vec![b.clone()]),
            // `"keyData": null` leaves KeyData nil: c/image then reads KeyPath "".
            None => loader.read_key("").map(|d| vec![d]),
        },
        KeySource::Datas(d) => Ok(d.value.clone()),
    }
}

crate::message_error! {
    /// A key file could not be read (Go's error text, e.g. `open P: no such file or
    /// directory`).
    KeyFileError
}
