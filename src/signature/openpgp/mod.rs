//! OpenPGP ("GPG") simple signing as c/image's default GPGME backend verifies it (spec §11):
//! keyrings imported as GnuPG imports them ([`keyring`]), signed messages checked with
//! GnuPG's key and time rules ([`message`]). rPGP parses packets and does the cryptography;
//! the rules GnuPG applies on top (which keys are imported, revocation, expiry, key usage,
//! back-signatures, time conflicts, the one-signature rule) are here, explicit, because rPGP
//! has none of them.
//!
//! Pure: bytes in, typed answers out; the current time is passed in.

pub mod armor;
pub mod keyring;
pub mod message;
pub mod packets;

pub use keyring::Keyring;
pub use message::{GoodSignature, GpgFailure, Invalid, SignatureFacts, VerificationTime};

#[cfg(test)]
mod tests;
