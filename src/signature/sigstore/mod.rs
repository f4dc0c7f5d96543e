//! Verifiers of sigstore signatures, one per trust root (public keys now; Fulcio, Rekor and
//! PKI next to it).

mod public_key;

pub use public_key::PublicKeyVerifier;
