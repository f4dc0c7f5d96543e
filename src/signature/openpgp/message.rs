//! A signed OpenPGP message checked as GnuPG (through GPGME, c/image's default backend)
//! checks it for `gpgme_op_verify` (spec §11.5, §11.9 steps 2–9): the message is parsed and
//! decompressed, exactly one signature is required, the signer is found among the imported
//! keys, the signature is checked cryptographically, then GnuPG's key and time rules apply
//! at the current time (injected: the core has no clock).

use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::PacketTrait;
use pgp::packet::{Packet, Signature, SignatureType};
use pgp::types::KeyDetails;

use super::armor;
use super::keyring::{Cert, Keyring, Subkey, expiry, hex_upper, key_flags_present};
use super::packets::{self, PacketError};

/// Seconds since the Unix epoch: the time key expiry, revocation and signature expiry are
/// judged at (GnuPG uses "now").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerificationTime(pub i64);

/// What a valid signature tells: the signed bytes and who signed them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoodSignature {
    /// The literal data (the simple-signing payload).
    pub plaintext: Vec<u8>,
    /// Fingerprint of the key that made the signature (a subkey's for subkey signatures):
    /// GPGME's `sig.Fingerprint`.
    pub signing_key: String,
    /// The primary key's fingerprint.
    pub primary: String,
    /// The primary key's first valid user ID.
    pub user_id: Option<String>,
    /// Signature creation time (Unix seconds).
    pub created: Option<i64>,
    /// Where c/image builds with another OpenPGP backend would decide differently
    /// (spec §11.6): Sequoia (Fedora ≥ 43) or Go's x/crypto (`containers_image_openpgp`).
    pub backend_notes: Vec<&'static str>,
}

/// Backend divergence: SHA-1 data signatures.
pub const NOTE_SHA1: &str =
    "c/image built with Sequoia (Fedora 43 and later) rejects this SHA-1 signature";
/// Backend divergence: EdDSA keys.
pub const NOTE_EDDSA: &str = "c/image built with containers_image_openpgp (Go x/crypto, e.g. static podman-remote builds) cannot verify EdDSA keys and rejects this";
/// Backend divergence: armored and cleartext messages.
pub const NOTE_ARMOR: &str = "c/image built with containers_image_openpgp (Go x/crypto) rejects armored and cleartext-signed messages";
/// Backend divergence: keys that expired after signing.
pub const NOTE_KEY_EXPIRED: &str = "c/image built with Sequoia (Fedora 43 and later) or containers_image_openpgp accepts it: they do not reject keys that expired after the signature was made";
/// Backend divergence: several signatures in one message.
pub const NOTE_SEVERAL: &str = "c/image built with Sequoia (Fedora 43 and later) accepts a message with several signatures when one of them is valid";

/// Facts about a signature that can be read without verifying it (for explanations).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignatureFacts {
    /// Issuer key ID (16 upper-case hex digits), when the signature names one.
    pub issuer_key_id: Option<String>,
    /// Issuer fingerprint, when the signature carries one.
    pub issuer_fingerprint: Option<String>,
    /// Creation time (Unix seconds).
    pub created: Option<i64>,
    /// The signed literal data, when the message could be read.
    pub plaintext: Option<Vec<u8>>,
}

/// Why GnuPG would not call the signature valid (the `Invalid GPG signature: …` cases of
/// c/image; GPGME's own text is a Go struct dump nobody can reproduce, spec §11.10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// No imported key made it (`NO_PUBKEY`).
    NoPublicKey { key_id: String },
    /// The cryptographic check failed (`BADSIG`).
    Bad,
    /// A signature without signed data, e.g. a detached signature (`BADSIG`).
    NoSignedData,
    /// The signature's expiration time has passed (`EXPSIG`).
    SignatureExpired { at: i64 },
    /// The signing key (or its primary key) has expired (`EXPKEYSIG`).
    KeyExpired { fingerprint: String, at: i64 },
    /// The signing key or its primary key is revoked (`REVKEYSIG`).
    KeyRevoked { fingerprint: String },
    /// The key may not sign (key flags without "sign").
    WrongKeyUsage { fingerprint: String },
    /// A signing subkey without a valid primary-key back-signature.
    NotCrossCertified { fingerprint: String },
    /// The key is newer than the signature (or the signature has no creation time).
    TimeConflict,
    /// A digest algorithm GnuPG refuses by default (MD5 and unknown ones).
    WeakDigest(String),
    /// A signature class other than binary or text document.
    NotADocumentSignature(u8),
    /// rPGP could not check it (unsupported version or algorithm: its message).
    Unsupported(String),
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::NoPublicKey { key_id } => {
                write!(
                    f,
                    "no public key {key_id} among the trusted keys (NO_PUBKEY)"
                )
            }
            Invalid::Bad => f.write_str("bad signature (BADSIG)"),
            Invalid::NoSignedData => f.write_str("no signed data in the message (BADSIG)"),
            Invalid::SignatureExpired { at } => {
                write!(f, "signature expired at {} (EXPSIG)", utc(*at))
            }
            Invalid::KeyExpired { fingerprint, at } => {
                write!(f, "key {fingerprint} expired at {} (EXPKEYSIG)", utc(*at))
            }
            Invalid::KeyRevoked { fingerprint } => {
                write!(f, "key {fingerprint} is revoked (REVKEYSIG)")
            }
            Invalid::WrongKeyUsage { fingerprint } => {
                write!(
                    f,
                    "key {fingerprint} is not allowed to sign (wrong key usage)"
                )
            }
            Invalid::NotCrossCertified { fingerprint } => {
                write!(f, "signing subkey {fingerprint} is not cross-certified")
            }
            Invalid::TimeConflict => f.write_str(
                "time conflict: key newer than the signature, or signature from the future",
            ),
            Invalid::WeakDigest(d) => write!(f, "digest algorithm {d} is rejected"),
            Invalid::NotADocumentSignature(t) => {
                write!(f, "signature class 0x{t:02x} is not a document signature")
            }
            Invalid::Unsupported(e) => write!(f, "cannot be checked: {e}"),
        }
    }
}

impl Invalid {
    /// Where c/image builds with another OpenPGP backend would accept (spec §11.6).
    pub fn backend_note(&self) -> Option<&'static str> {
        match self {
            Invalid::KeyExpired { .. } => Some(NOTE_KEY_EXPIRED),
            _ => None,
        }
    }
}

/// Why a message did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GpgFailure {
    /// Not a signed OpenPGP message GnuPG can process (GPGME returns an error).
    Unreadable(String),
    /// Not exactly one signature (c/image: `Unexpected GPG signature count N`).
    SignatureCount(usize),
    /// One signature, not valid.
    Invalid(Invalid),
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a Unix time.
pub(crate) fn utc(t: i64) -> String {
    crate::json::gotime::format_rfc3339_utc(t)
}

/// The literal data and the signatures of a message.
struct Parsed {
    /// What GnuPG outputs as the signed content (`None`: no literal data, e.g. a detached
    /// signature).
    plaintext: Option<Vec<u8>>,
    /// The bytes the signature covers, when they differ from `plaintext` (cleartext
    /// signatures hash the text with CRLF line ends and trailing whitespace removed).
    hashed: Option<Vec<u8>>,
    signatures: Vec<Signature>,
}

const CLEARTEXT_BEGIN: &[u8] = b"-----BEGIN PGP SIGNED MESSAGE-----";

/// Unarmors (`PGP MESSAGE` blocks; cleartext-signed messages), parses and decompresses
/// `message`.
fn parse(message: &[u8]) -> Result<Parsed, GpgFailure> {
    let binary;
    let data = if armor::is_armored(message) {
        let first_armor_line = message
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .find(|l| l.starts_with(b"-----BEGIN PGP "));
        if first_armor_line.is_some_and(|l| l.trim_ascii_end() == CLEARTEXT_BEGIN) {
            return parse_cleartext(message);
        }
        match armor::blocks(message).into_iter().next() {
            Some(Ok(b)) if b.kind == "MESSAGE" => {
                binary = b.data;
                &binary[..]
            }
            _ => return Err(GpgFailure::Unreadable("no OpenPGP data found".into())),
        }
    } else {
        message
    };
    if data.is_empty() {
        return Err(GpgFailure::Unreadable("no OpenPGP data found".into()));
    }
    let packets = packets::read_message(data)
        .map_err(|e: PacketError| GpgFailure::Unreadable(e.to_string()))?;
    let mut plaintext = None;
    let mut signatures = Vec::new();
    let mut one_pass = 0usize;
    for p in packets {
        match p {
            Packet::OnePassSignature(_) => {
                if plaintext.is_some() {
                    return Err(unexpected("one-pass signature after the literal data"));
                }
                one_pass += 1;
            }
            Packet::LiteralData(l) => {
                if plaintext.is_some() {
                    return Err(unexpected("more than one literal data packet"));
                }
                plaintext = Some(l.data().to_vec());
            }
            Packet::Signature(s) => {
                if plaintext.is_none() && one_pass > 0 {
                    return Err(unexpected("signature before the literal data"));
                }
                signatures.push(s);
            }
            Packet::Marker(_) | Packet::Padding(_) => {}
            other => {
                return Err(unexpected(&format!(
                    "unexpected {:?} packet in a signed message",
                    other.tag()
                )));
            }
        }
    }
    Ok(Parsed {
        plaintext,
        hashed: None,
        signatures,
    })
}

/// A cleartext-signed message (RFC 4880 §7): `Hash:` headers, the dash-escaped text, then
/// an armored signature block.
fn parse_cleartext(message: &[u8]) -> Result<Parsed, GpgFailure> {
    let bad = |what: &str| GpgFailure::Unreadable(format!("malformed cleartext signature: {what}"));
    let mut lines = message.split(|&b| b == b'\n');
    for l in lines.by_ref() {
        if l.trim_ascii_end() == CLEARTEXT_BEGIN {
            break;
        }
    }
    // Headers up to the blank line.
    for l in lines.by_ref() {
        let l = l.trim_ascii_end();
        if l.is_empty() {
            break;
        }
        if !l.starts_with(b"Hash: ") {
            return Err(bad("unexpected header"));
        }
    }
    let mut text: Vec<&[u8]> = Vec::new();
    let mut found_signature = false;
    for l in lines.by_ref() {
        let trimmed = l.strip_suffix(b"\r").unwrap_or(l);
        if trimmed.trim_ascii_end() == b"-----BEGIN PGP SIGNATURE-----" {
            found_signature = true;
            break;
        }
        text.push(trimmed.strip_prefix(b"- ").unwrap_or(trimmed));
    }
    if !found_signature {
        return Err(bad("no signature block"));
    }
    // Dash-escaping guarantees the first line starting with `-----BEGIN PGP SIGNATURE`
    // after the headers is the signature block.
    let Some(at) = message
        .windows(b"\n-----BEGIN PGP SIGNATURE-----".len())
        .position(|w| w == b"\n-----BEGIN PGP SIGNATURE-----")
    else {
        return Err(bad("no signature block"));
    };
    let sig_block = &message[at + 1..];
    let block = match armor::blocks(sig_block).into_iter().next() {
        Some(Ok(b)) => b,
        _ => return Err(bad("signature block does not decode")),
    };
    let (packets, err) = packets::read(&block.data);
    if let Some(e) = err {
        return Err(GpgFailure::Unreadable(e.to_string()));
    }
    let signatures = packets
        .into_iter()
        .filter_map(|p| match p {
            Packet::Signature(s) => Some(s),
            _ => None,
        })
        .collect();
    // The signature covers the lines without trailing whitespace, joined by CRLF, without
    // the line end before the signature block; GnuPG outputs the text with LF line ends.
    let strip = |l: &[u8]| -> Vec<u8> {
        let end = l
            .iter()
            .rposition(|b| !matches!(b, b' ' | b'\t' | b'\r'))
            .map_or(0, |i| i + 1);
        l[..end].to_vec()
    };
    let hashed = text
        .iter()
        .map(|l| strip(l))
        .collect::<Vec<_>>()
        .join(&b"\r\n"[..]);
    let mut plaintext = Vec::new();
    for l in &text {
        plaintext.extend_from_slice(l);
        plaintext.push(b'\n');
    }
    Ok(Parsed {
        plaintext: Some(plaintext),
        hashed: Some(hashed),
        signatures,
    })
}

fn unexpected(what: &str) -> GpgFailure {
    GpgFailure::Unreadable(format!("not a signed OpenPGP message: {what}"))
}

/// What can be read from `message` without any key (explanations of unverifiable or
/// rejected signatures).
pub fn facts(message: &[u8]) -> SignatureFacts {
    let Ok(parsed) = parse(message) else {
        return SignatureFacts::default();
    };
    let mut f = SignatureFacts {
        plaintext: parsed.plaintext,
        ..SignatureFacts::default()
    };
    if let Some(s) = parsed.signatures.first() {
        f.issuer_key_id = s.issuer_key_id().first().map(|k| hex_upper(k.as_ref()));
        f.issuer_fingerprint = s
            .issuer_fingerprint()
            .first()
            .map(|k| hex_upper(k.as_bytes()));
        f.created = s.created().map(|t| i64::from(t.as_secs()));
    }
    f
}

/// The key that made `sig`: a primary key or a subkey of an imported key.
enum SigningKey<'k> {
    Primary(&'k Cert),
    Sub(&'k Cert, &'k Subkey),
}

fn find_signer<'k>(ring: &'k Keyring, sig: &Signature) -> Option<SigningKey<'k>> {
    let fprs: Vec<String> = sig
        .issuer_fingerprint()
        .iter()
        .map(|f| hex_upper(f.as_bytes()))
        .collect();
    let ids: Vec<String> = sig
        .issuer_key_id()
        .iter()
        .map(|k| hex_upper(k.as_ref()))
        .collect();
    let matches = |k: &dyn KeyDetails, fpr: &str| {
        fprs.iter().any(|f| f == fpr)
            || ids
                .iter()
                .any(|i| *i == hex_upper(k.legacy_key_id().as_ref()))
    };
    for cert in ring.certs() {
        if matches(&cert.primary, &cert.fingerprint) {
            return Some(SigningKey::Primary(cert));
        }
        for sub in &cert.subkeys {
            if matches(&sub.key, &sub.fingerprint) {
                return Some(SigningKey::Sub(cert, sub));
            }
        }
    }
    None
}

/// Checks `message` against `ring` as `gpgme_op_verify` does.
pub fn verify(
    ring: &Keyring,
    message: &[u8],
    now: VerificationTime,
) -> Result<GoodSignature, GpgFailure> {
    let parsed = parse(message)?;
    if parsed.signatures.len() != 1 {
        return Err(GpgFailure::SignatureCount(parsed.signatures.len()));
    }
    let sig = &parsed.signatures[0];
    let invalid = |i| Err(GpgFailure::Invalid(i));
    let Some(signer) = find_signer(ring, sig) else {
        let key_id = sig
            .issuer_key_id()
            .first()
            .map(|k| hex_upper(k.as_ref()))
            .or_else(|| {
                sig.issuer_fingerprint()
                    .first()
                    .map(|f| hex_upper(f.as_bytes()))
            })
            .unwrap_or_else(|| "(none)".into());
        return invalid(Invalid::NoPublicKey { key_id });
    };
    // A signature without signed data (detached): GnuPG reports it as a bad signature.
    let Some(plaintext) = parsed.plaintext else {
        return invalid(Invalid::NoSignedData);
    };
    let hashed = parsed.hashed.as_deref().unwrap_or(&plaintext);
    let checked = match &signer {
        SigningKey::Primary(c) => sig.verify(&c.primary, hashed),
        SigningKey::Sub(_, s) => sig.verify(&s.key, hashed),
    };
    if let Err(e) = checked {
        return invalid(match e {
            pgp::errors::Error::Unsupported { .. } => Invalid::Unsupported(e.to_string()),
            _ => Invalid::Bad,
        });
    }
    match sig.typ() {
        Some(SignatureType::Binary | SignatureType::Text) => {}
        other => {
            return invalid(Invalid::NotADocumentSignature(other.map_or(0xff, u8::from)));
        }
    }
    match sig.hash_alg() {
        Some(
            HashAlgorithm::Sha1
            | HashAlgorithm::Sha224
            | HashAlgorithm::Sha256
            | HashAlgorithm::Sha384
            | HashAlgorithm::Sha512
            | HashAlgorithm::Ripemd160,
        ) => {}
        other => {
            return invalid(Invalid::WeakDigest(
                other.map_or_else(|| "unknown".into(), |h| h.to_string()),
            ));
        }
    }
    let created = sig.created().map(|t| i64::from(t.as_secs()));
    let Some(sig_time) = created else {
        return invalid(Invalid::TimeConflict);
    };
    // A signature dated in the future is accepted (GnuPG only warns; checked with gpg 2.2).
    if let Some(d) = sig.signature_expiration_time().map(|d| d.as_secs())
        && d > 0
        && sig_time + i64::from(d) <= now.0
    {
        return invalid(Invalid::SignatureExpired {
            at: sig_time + i64::from(d),
        });
    }
    let cert = match &signer {
        SigningKey::Primary(c) | SigningKey::Sub(c, _) => *c,
    };
    // The primary key's state applies to every signature of the key.
    if cert.revoked {
        return invalid(Invalid::KeyRevoked {
            fingerprint: cert.fingerprint.clone(),
        });
    }
    let primary_created = cert.primary.created_at().as_secs();
    if let Some(at) = expiry(
        primary_created,
        &cert.self_signature,
        cert.primary.legacy_v3_expiration_days(),
    ) && at <= now.0
    {
        return invalid(Invalid::KeyExpired {
            fingerprint: cert.fingerprint.clone(),
            at,
        });
    }
    let (signing_key, key_created) = match &signer {
        SigningKey::Primary(c) => {
            if key_flags_present(&c.self_signature) && !c.self_signature.key_flags().sign() {
                return invalid(Invalid::WrongKeyUsage {
                    fingerprint: c.fingerprint.clone(),
                });
            }
            (c.fingerprint.clone(), primary_created)
        }
        SigningKey::Sub(_, s) => {
            if s.revoked {
                return invalid(Invalid::KeyRevoked {
                    fingerprint: s.fingerprint.clone(),
                });
            }
            let sub_created = s.key.created_at().as_secs();
            if let Some(at) = expiry(sub_created, &s.binding, None)
                && at <= now.0
            {
                return invalid(Invalid::KeyExpired {
                    fingerprint: s.fingerprint.clone(),
                    at,
                });
            }
            if key_flags_present(&s.binding) && !s.binding.key_flags().sign() {
                return invalid(Invalid::WrongKeyUsage {
                    fingerprint: s.fingerprint.clone(),
                });
            }
            if !s.cross_certified {
                return invalid(Invalid::NotCrossCertified {
                    fingerprint: s.fingerprint.clone(),
                });
            }
            (s.fingerprint.clone(), sub_created)
        }
    };
    if i64::from(key_created) > sig_time {
        return invalid(Invalid::TimeConflict);
    }
    let mut backend_notes = Vec::new();
    if sig.hash_alg() == Some(HashAlgorithm::Sha1) {
        backend_notes.push(NOTE_SHA1);
    }
    let algorithm = match &signer {
        SigningKey::Primary(c) => c.primary.algorithm(),
        SigningKey::Sub(_, s) => s.key.algorithm(),
    };
    if matches!(
        algorithm,
        pgp::crypto::public_key::PublicKeyAlgorithm::EdDSALegacy
            | pgp::crypto::public_key::PublicKeyAlgorithm::Ed25519
    ) {
        backend_notes.push(NOTE_EDDSA);
    }
    if armor::is_armored(message) {
        backend_notes.push(NOTE_ARMOR);
    }
    Ok(GoodSignature {
        plaintext,
        signing_key,
        primary: cert.fingerprint.clone(),
        user_id: cert.user_ids.first().map(|u| u.text.clone()),
        created,
        backend_notes,
    })
}
