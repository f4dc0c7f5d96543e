//! Signatures: c/image's stored signature blobs, the sigstore payload, public keys and the
//! cryptographic check. Pure: callers hand in bytes (read by `crate::image` and the key
//! loader at the edge).
//!
//! [`verify::Verified`] can only be created by the verifiers ([`verifier`]: one per trust root,
//! through [`verify::verify_sigstore`]), so "this payload is authentic" is a fact the type
//! system carries, not a boolean someone forgot to check. Why something was not accepted is a
//! [`rejection::Rejection`], whose text is c/image's.

pub mod blob;
pub mod keys;
pub mod openpgp;
pub mod payload;
pub mod pem;
pub mod private_key;
pub mod rejection;
#[cfg(any(test, feature = "test-support"))]
pub mod sign;
pub mod sigstore;
pub mod verifier;
pub mod verify;
pub mod x509;

pub use blob::Signature;

/// A signature and where it was read from (file, big-data item and offset, …).
#[derive(Debug, Clone)]
pub struct SourcedSignature {
    pub signature: Signature,
    /// Where it came from, for explanations.
    pub origin: String,
}
