//! Verifiers of sigstore signatures, one per trust root: public keys, public keys with Rekor
//! SETs, Fulcio certificates with Rekor SETs, PKI certificates.

pub mod certificate;
mod public_key;

pub use public_key::{PublicKeyVerifier, load_public_keys};
pub mod rekor;
