//! Verifiers of sigstore signatures, one per trust root: public keys, public keys with Rekor
//! SETs (Fulcio and PKI next to them).

mod public_key;

pub use public_key::PublicKeyVerifier;
pub mod rekor;
