//! Keyrings as GnuPG imports them for c/image's ephemeral mechanism (spec §11.4): every
//! key of every blob (binary or ASCII-armored, every armor block, trust packets ignored), a
//! key imported only with a user ID that carries a valid self-signature, subkeys only with a
//! valid binding signature. The identities c/image trusts are the primary fingerprints, in
//! import order, duplicates kept. Garbage imports nothing and is not an error.

use pgp::packet::{Packet, PublicKey, PublicSubkey, Signature, SignatureType, SubpacketData};
use pgp::types::{KeyDetails, Tag};

use super::armor;
use super::packets;

/// A user ID with a valid self-certification.
#[derive(Debug, Clone)]
pub struct UserIdentity {
    /// The user ID as text (lossy UTF-8).
    pub text: String,
}

/// A subkey with a valid binding signature.
#[derive(Debug, Clone)]
pub struct Subkey {
    pub(super) key: PublicSubkey,
    /// Upper-case hex fingerprint.
    pub fingerprint: String,
    /// The latest valid binding signature.
    pub(super) binding: Signature,
    /// A valid subkey revocation exists (any reason, any date: GnuPG).
    pub revoked: bool,
    /// The binding carries a valid primary-key back-signature (needed to sign).
    pub cross_certified: bool,
}

/// One imported key (a "certificate").
#[derive(Debug, Clone)]
pub struct Cert {
    pub(super) primary: PublicKey,
    /// Upper-case hex fingerprint of the primary key.
    pub fingerprint: String,
    /// User IDs with a valid self-signature, in key order.
    pub user_ids: Vec<UserIdentity>,
    /// A valid key revocation exists (any reason, any date: GnuPG).
    pub revoked: bool,
    /// The primary key's latest valid self-signature (user ID certification or direct key
    /// signature): its key flags and expiration apply to the primary key.
    pub(super) self_signature: Signature,
    pub subkeys: Vec<Subkey>,
}

/// What could not be imported, for explanations (GnuPG prints similar lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skipped {
    /// An armor block that did not decode.
    Armor(armor::ArmorError),
    /// The rest of a blob after a packet that did not parse.
    Packets(packets::PacketError),
    /// A key without a user ID that has a valid self-signature (fingerprint).
    NoValidUserId(String),
    /// A subkey without a valid binding signature (fingerprint).
    UnboundSubkey(String),
}

/// The keys a `signedBy` requirement trusts.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    certs: Vec<Cert>,
    /// Primary fingerprints, one per imported key, in import order (c/image's
    /// `trustedIdentities`).
    identities: Vec<String>,
    /// What was not imported.
    pub skipped: Vec<Skipped>,
}

/// Upper-case hex of a fingerprint.
pub(super) fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

impl Keyring {
    /// Imports `blobs` in order, as `gpgme_op_import` of each.
    pub fn import<B: AsRef<[u8]>>(blobs: &[B]) -> Keyring {
        let mut ring = Keyring::default();
        for blob in blobs {
            let blob = blob.as_ref();
            if armor::is_armored(blob) {
                for block in armor::blocks(blob) {
                    match block {
                        Ok(b) => ring.import_binary(&b.data),
                        Err(e) => ring.skipped.push(Skipped::Armor(e)),
                    }
                }
            } else {
                ring.import_binary(blob);
            }
        }
        ring
    }

    /// c/image's trusted identities: primary fingerprints in import order.
    pub fn identities(&self) -> &[String] {
        &self.identities
    }

    /// The imported keys (merged by fingerprint).
    pub fn certs(&self) -> &[Cert] {
        &self.certs
    }

    fn import_binary(&mut self, data: &[u8]) {
        let (packets, err) = packets::read(data);
        if let Some(e) = err {
            self.skipped.push(Skipped::Packets(e));
        }
        for raw in split_certs(packets) {
            if let Some(cert) = build(raw, &mut self.skipped) {
                self.identities.push(cert.fingerprint.clone());
                match self
                    .certs
                    .iter_mut()
                    .find(|c| c.fingerprint == cert.fingerprint)
                {
                    Some(existing) => merge(existing, cert),
                    None => self.certs.push(cert),
                }
            }
        }
    }
}

/// The packets of one key, grouped.
struct RawCert {
    primary: PublicKey,
    direct: Vec<Signature>,
    user_ids: Vec<(pgp::packet::UserId, Vec<Signature>)>,
    subkeys: Vec<(PublicSubkey, Vec<Signature>)>,
}

/// Which component the next signature belongs to.
enum Component {
    Primary,
    UserId,
    Attribute,
    Subkey,
}

fn split_certs(packets: Vec<Packet>) -> Vec<RawCert> {
    let mut out: Vec<RawCert> = Vec::new();
    let mut at = Component::Primary;
    for p in packets {
        match p {
            Packet::PublicKey(k) => {
                out.push(RawCert {
                    primary: k,
                    direct: vec![],
                    user_ids: vec![],
                    subkeys: vec![],
                });
                at = Component::Primary;
            }
            Packet::SecretKey(k) => {
                out.push(RawCert {
                    primary: k.public_key().clone(),
                    direct: vec![],
                    user_ids: vec![],
                    subkeys: vec![],
                });
                at = Component::Primary;
            }
            other => {
                let Some(cert) = out.last_mut() else {
                    continue;
                };
                match other {
                    Packet::UserId(u) => {
                        cert.user_ids.push((u, vec![]));
                        at = Component::UserId;
                    }
                    Packet::UserAttribute(_) => at = Component::Attribute,
                    Packet::PublicSubkey(k) => {
                        cert.subkeys.push((k, vec![]));
                        at = Component::Subkey;
                    }
                    Packet::SecretSubkey(k) => {
                        cert.subkeys.push((k.public_key().clone(), vec![]));
                        at = Component::Subkey;
                    }
                    Packet::Signature(s) => match at {
                        Component::Primary => cert.direct.push(s),
                        Component::UserId => {
                            if let Some(u) = cert.user_ids.last_mut() {
                                u.1.push(s);
                            }
                        }
                        Component::Subkey => {
                            if let Some(k) = cert.subkeys.last_mut() {
                                k.1.push(s);
                            }
                        }
                        Component::Attribute => {}
                    },
                    _ => {}
                }
            }
        }
    }
    out
}

fn created(s: &Signature) -> u32 {
    s.created().map_or(0, |t| t.as_secs())
}

/// The latest of `sigs` (by creation time; the later one on ties).
fn latest(sigs: impl Iterator<Item = Signature>) -> Option<Signature> {
    sigs.fold(None, |best: Option<Signature>, s| match best {
        Some(b) if created(&b) > created(&s) => Some(b),
        _ => Some(s),
    })
}

fn is_self_certification(s: &Signature) -> bool {
    matches!(
        s.typ(),
        Some(
            SignatureType::CertGeneric
                | SignatureType::CertPersona
                | SignatureType::CertCasual
                | SignatureType::CertPositive
        )
    )
}

fn build(raw: RawCert, skipped: &mut Vec<Skipped>) -> Option<Cert> {
    let primary = raw.primary;
    let fingerprint = hex_upper(primary.fingerprint().as_bytes());
    let mut user_ids = Vec::new();
    let mut self_sigs = Vec::new();
    for (uid, sigs) in &raw.user_ids {
        let valid = sigs.iter().filter(|s| {
            is_self_certification(s) && s.verify_certification(&primary, Tag::UserId, uid).is_ok()
        });
        if let Some(sig) = latest(valid.cloned()) {
            self_sigs.push(sig);
            user_ids.push(UserIdentity {
                text: String::from_utf8_lossy(uid.id()).into_owned(),
            });
        }
    }
    if user_ids.is_empty() {
        skipped.push(Skipped::NoValidUserId(fingerprint));
        return None;
    }
    let mut revoked = false;
    for s in &raw.direct {
        match s.typ() {
            Some(SignatureType::Key) if s.verify_key(&primary).is_ok() => self_sigs.push(s.clone()),
            Some(SignatureType::KeyRevocation) if s.verify_key(&primary).is_ok() => revoked = true,
            _ => {}
        }
    }
    let self_signature = latest(self_sigs.into_iter())?;
    let mut subkeys = Vec::new();
    for (key, sigs) in raw.subkeys {
        let fpr = hex_upper(key.fingerprint().as_bytes());
        let verifies = |s: &&Signature| s.verify_subkey_binding(&primary, &key).is_ok();
        let binding = latest(
            sigs.iter()
                .filter(|s| s.typ() == Some(SignatureType::SubkeyBinding))
                .filter(verifies)
                .cloned(),
        );
        let Some(binding) = binding else {
            skipped.push(Skipped::UnboundSubkey(fpr));
            continue;
        };
        let sub_revoked = sigs
            .iter()
            .filter(|s| s.typ() == Some(SignatureType::SubkeyRevocation))
            .any(|s| verifies(&s));
        let cross_certified = binding
            .embedded_signature()
            .is_some_and(|back| back.verify_primary_key_binding(&key, &primary).is_ok());
        subkeys.push(Subkey {
            key,
            fingerprint: fpr,
            binding,
            revoked: sub_revoked,
            cross_certified,
        });
    }
    Some(Cert {
        primary,
        fingerprint,
        user_ids,
        revoked,
        self_signature,
        subkeys,
    })
}

/// A key imported again: GnuPG merges new user IDs, subkeys and revocations into it.
fn merge(existing: &mut Cert, new: Cert) {
    existing.revoked |= new.revoked;
    if created(&new.self_signature) > created(&existing.self_signature) {
        existing.self_signature = new.self_signature;
    }
    for u in new.user_ids {
        if !existing.user_ids.iter().any(|e| e.text == u.text) {
            existing.user_ids.push(u);
        }
    }
    for k in new.subkeys {
        match existing
            .subkeys
            .iter_mut()
            .find(|e| e.fingerprint == k.fingerprint)
        {
            Some(e) => {
                e.revoked |= k.revoked;
                e.cross_certified |= k.cross_certified;
                if created(&k.binding) > created(&e.binding) {
                    e.binding = k.binding;
                }
            }
            None => existing.subkeys.push(k),
        }
    }
}

/// Whether a self- or binding signature has a key-flags subpacket at all (without one, any
/// signing-capable algorithm may sign).
pub(super) fn key_flags_present(s: &Signature) -> bool {
    s.config().is_some_and(|c| {
        c.hashed_subpackets()
            .any(|p| matches!(p.data, SubpacketData::KeyFlags(_)))
    })
}

/// Expiry of a key created at `created` under a self-/binding signature (None: never).
pub(super) fn expiry(created: u32, sig: &Signature, v3_days: Option<u16>) -> Option<i64> {
    let from_sig = sig
        .key_expiration_time()
        .map(|d| d.as_secs())
        .filter(|&d| d > 0)
        .map(|d| i64::from(created) + i64::from(d));
    let from_v3 = v3_days
        .filter(|&d| d > 0)
        .map(|d| i64::from(created) + i64::from(d) * 86_400);
    from_sig.or(from_v3)
}

impl Cert {
    /// Whether this key could make a signature GnuPG accepts at `now`: not revoked, not
    /// expired, and its primary key or a cross-certified signing subkey may sign.
    pub fn can_sign_at(&self, now: i64) -> bool {
        let valid = |created: u32, sig: &Signature, v3: Option<u16>| {
            expiry(created, sig, v3).is_none_or(|at| at > now)
        };
        if self.revoked
            || !valid(
                self.primary.created_at().as_secs(),
                &self.self_signature,
                self.primary.legacy_v3_expiration_days(),
            )
        {
            return false;
        }
        let may_sign = |sig: &Signature| !key_flags_present(sig) || sig.key_flags().sign();
        may_sign(&self.self_signature)
            || self.subkeys.iter().any(|s| {
                !s.revoked
                    && s.cross_certified
                    && may_sign(&s.binding)
                    && valid(s.key.created_at().as_secs(), &s.binding, None)
            })
    }
}
