//! The upstream GPG fixtures (c/image's `mechanism_test.go` expectations, spec §15).

use super::message::{self, GpgFailure, Invalid, VerificationTime};
use super::{Keyring, keyring::Skipped};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/upstream-gpg/",
            $name
        ))
        .as_slice()
    };
}

const TESTING_KEY: &str = "08CD26E446E2E95249B7A405E932F44B23E8DD43";
const PASSPHRASE_KEY: &str = "F2B501009F78B0B340221A12A3CD242DA6028093";
const SUBKEY_PRIMARY: &str = "B9F4CDB9FD8C475BFA340AC38D54A947EE396F36";
const SUBKEY: &str = "57D1D95BBC53BA0EAFF0718CD75B3109B3BAAEAF";
const REVOKED_SUBKEY_PRIMARY: &str = "6D88C5A1993648A17B2BB0DC6B8499AF63388D63";
/// 2026-01-01: after the expiry of `expired.signature`, before any key expires.
const NOW: VerificationTime = VerificationTime(1_767_225_600);

#[test]
fn keyrings_import_as_gnupg() {
    let ids = |blobs: &[&[u8]]| Keyring::import(blobs).identities().to_vec();
    assert_eq!(ids(&[fixture!("public-key.gpg")]), [TESTING_KEY]);
    assert_eq!(
        ids(&[fixture!("public-key-1.gpg"), fixture!("public-key-2.gpg")]),
        [TESTING_KEY, PASSPHRASE_KEY]
    );
    assert_eq!(
        ids(&[fixture!("public-key-with-subkey.gpg")]),
        [SUBKEY_PRIMARY]
    );
    assert_eq!(
        ids(&[fixture!("public-key-with-revoked-subkey.gpg")]),
        [REVOKED_SUBKEY_PRIMARY]
    );
    let four = [
        PASSPHRASE_KEY,
        TESTING_KEY,
        SUBKEY_PRIMARY,
        REVOKED_SUBKEY_PRIMARY,
    ];
    assert_eq!(ids(&[fixture!("pubring.gpg")]), four);
    let twice = [fixture!("pubring.gpg"), fixture!("pubring.gpg")].concat();
    assert_eq!(ids(&[&twice]), [four, four].concat());
    // Trust packets do not lose the subkeys (rPGP's own keyring reader would).
    let ring = Keyring::import(&[fixture!("pubring.gpg")]);
    let with_sub = ring
        .certs()
        .iter()
        .find(|c| c.fingerprint == SUBKEY_PRIMARY)
        .unwrap();
    assert!(with_sub.subkeys.iter().any(|s| s.fingerprint == SUBKEY));
    // Garbage imports nothing, without an error.
    assert!(ids(&[b"This is invalid".as_slice()]).is_empty());
    assert!(ids(&[b"".as_slice()]).is_empty());
    // Two armored keys in one blob: both (rPGP's armor reader stops after the first).
    let two = [
        fixture!("public-key.gpg"),
        fixture!("public-key-with-subkey.gpg"),
    ]
    .concat();
    assert_eq!(ids(&[&two]), [TESTING_KEY, SUBKEY_PRIMARY]);
}

#[test]
fn user_ids_and_subkeys_are_read() {
    let ring = Keyring::import(&[fixture!("public-key-with-revoked-subkey.gpg")]);
    let cert = &ring.certs()[0];
    assert!(!cert.revoked);
    assert!(!cert.user_ids.is_empty());
    assert!(cert.subkeys.iter().any(|s| s.revoked));
    let ring = Keyring::import(&[fixture!("public-key.gpg")]);
    assert_eq!(ring.certs()[0].user_ids[0].text, "skopeo testing key");
    assert!(
        ring.skipped
            .iter()
            .all(|s| !matches!(s, Skipped::NoValidUserId(_)))
    );
}

fn verify(key: &[u8], sig: &[u8]) -> Result<message::GoodSignature, GpgFailure> {
    message::verify(&Keyring::import(&[key]), sig, NOW)
}

#[test]
fn valid_signatures_v3_and_v4() {
    for sig in [
        fixture!("image.signature"),
        fixture!("no-optional-fields.signature"),
    ] {
        let good = verify(fixture!("public-key.gpg"), sig).unwrap();
        assert_eq!(good.signing_key, TESTING_KEY);
        assert_eq!(good.primary, TESTING_KEY);
        assert!(good.plaintext.starts_with(b"{\"critical\""));
    }
    for sig in [
        fixture!("invalid-blob.signature"),
        fixture!("invalid-blob.signature-v3"),
    ] {
        let good = verify(fixture!("public-key.gpg"), sig).unwrap();
        assert_eq!(good.plaintext, b"This is not JSON\n");
        assert_eq!(good.signing_key, TESTING_KEY);
    }
}

#[test]
fn subkey_signatures_name_the_subkey_and_its_primary() {
    for sig in [
        fixture!("subkey.signature"),
        fixture!("subkey.signature-v3"),
    ] {
        let good = verify(fixture!("public-key-with-subkey.gpg"), sig).unwrap();
        assert_eq!(
            (good.signing_key.as_str(), good.primary.as_str()),
            (SUBKEY, SUBKEY_PRIMARY)
        );
    }
}

#[test]
fn invalid_signatures_are_rejected() {
    let key = fixture!("public-key.gpg");
    for sig in [
        fixture!("corrupt.signature"),
        fixture!("corrupt.signature-v3"),
    ] {
        assert_eq!(verify(key, sig), Err(GpgFailure::Invalid(Invalid::Bad)));
    }
    for sig in [
        fixture!("unknown-key.signature"),
        fixture!("unknown-key.signature-v3"),
    ] {
        assert_eq!(
            verify(key, sig),
            Err(GpgFailure::Invalid(Invalid::NoPublicKey {
                key_id: "5F9470E3BC6C3B55".into()
            }))
        );
    }
    assert!(matches!(
        verify(key, fixture!("expired.signature")),
        Err(GpgFailure::Invalid(Invalid::SignatureExpired {
            at: 1_750_759_200
        }))
    ));
    // Before its expiry it was valid.
    assert!(
        message::verify(
            &Keyring::import(&[key]),
            fixture!("expired.signature"),
            VerificationTime(1_750_759_199)
        )
        .is_ok()
    );
    for sig in [
        fixture!("subkey-revoked.signature"),
        fixture!("subkey-revoked.signature-v3"),
    ] {
        assert!(matches!(
            verify(fixture!("public-key-with-revoked-subkey.gpg"), sig),
            Err(GpgFailure::Invalid(Invalid::KeyRevoked { .. }))
        ));
    }
    assert_eq!(
        verify(key, fixture!("unsigned-literal.signature")),
        Err(GpgFailure::SignatureCount(0))
    );
    for bad in [
        fixture!("unsigned-encrypted.signature"),
        b"".as_slice(),
        b"invalid signature",
    ] {
        assert!(
            matches!(verify(key, bad), Err(GpgFailure::Unreadable(_))),
            "{bad:?}"
        );
    }
    // A subkey signature checked against a keyring without that key.
    assert!(matches!(
        verify(key, fixture!("subkey.signature")),
        Err(GpgFailure::Invalid(Invalid::NoPublicKey { .. }))
    ));
}

#[test]
fn facts_without_a_key() {
    let f = message::facts(fixture!("unknown-key.signature"));
    assert_eq!(f.issuer_key_id.as_deref(), Some("5F9470E3BC6C3B55"));
    assert!(f.created.is_some());
    assert!(f.plaintext.is_some());
    assert_eq!(message::facts(b"junk"), Default::default());
}

#[test]
fn cleartext_signed_messages_verify_as_gnupg_outputs_them() {
    let good = verify(
        fixture!("public-key.gpg"),
        fixture!("invalid-cleartext.signature"),
    )
    .unwrap();
    assert_eq!(good.plaintext, b"This is not JSON\n");
    assert_eq!(good.primary, TESTING_KEY);
    // A changed line no longer verifies; trailing whitespace is not signed.
    let text = String::from_utf8(fixture!("invalid-cleartext.signature").to_vec()).unwrap();
    let changed = text.replace("This is not JSON", "This is not JSOM");
    assert_eq!(
        verify(fixture!("public-key.gpg"), changed.as_bytes()),
        Err(GpgFailure::Invalid(Invalid::Bad))
    );
    let spaced = text.replace("This is not JSON\n", "This is not JSON \t\n");
    assert!(verify(fixture!("public-key.gpg"), spaced.as_bytes()).is_ok());
    // Text before the cleartext header is skipped, as GnuPG does.
    let prefixed = format!("leading text\n\n{text}");
    let good = verify(fixture!("public-key.gpg"), prefixed.as_bytes()).unwrap();
    assert_eq!(good.plaintext, b"This is not JSON\n");
    // No signature block.
    let cut = &text[..text.find("-----BEGIN PGP SIGNATURE").unwrap()];
    assert!(matches!(
        verify(fixture!("public-key.gpg"), cut.as_bytes()),
        Err(GpgFailure::Unreadable(_))
    ));
}

#[test]
fn detached_signatures_have_no_signed_data() {
    // The message's signature packet alone (what `gpg --detach-sign` writes).
    let ring = Keyring::import(&[fixture!("public-key.gpg")]);
    let packets = super::packets::read_message(fixture!("image.signature")).unwrap();
    let sig = packets
        .into_iter()
        .find_map(|p| match p {
            pgp::packet::Packet::Signature(s) => Some(s),
            _ => None,
        })
        .unwrap();
    let mut detached = Vec::new();
    pgp::ser::Serialize::to_writer(&pgp::packet::Packet::Signature(sig), &mut detached).unwrap();
    assert_eq!(
        message::verify(&ring, &detached, NOW),
        Err(GpgFailure::Invalid(Invalid::NoSignedData))
    );
}

#[test]
fn backend_divergences_are_named() {
    let good = verify(fixture!("public-key.gpg"), fixture!("image.signature")).unwrap();
    assert!(
        good.backend_notes.is_empty(),
        "RSA, SHA-256, binary: every backend agrees"
    );
    let clear = verify(
        fixture!("public-key.gpg"),
        fixture!("invalid-cleartext.signature"),
    )
    .unwrap();
    assert_eq!(clear.backend_notes, [message::NOTE_ARMOR]);
    assert_eq!(
        Invalid::KeyExpired {
            fingerprint: String::new(),
            at: 0
        }
        .backend_note(),
        Some(message::NOTE_KEY_EXPIRED)
    );
    assert_eq!(Invalid::Bad.backend_note(), None);
}

/// Whether a key can still sign: the lint rule K008 asks this of every keyring.
#[test]
fn keys_usable_at_a_time() {
    let expired = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/lint/keys/expired-gpg.asc"
    ));
    let ring = Keyring::import(&[expired.as_slice()]);
    let cert = &ring.certs()[0];
    // Created 2020-01-01, expired 2021-01-01.
    assert!(cert.can_sign_at(1_590_969_600));
    assert!(!cert.can_sign_at(NOW.0));
    let good = Keyring::import(&[fixture!("public-key.gpg")]);
    assert!(good.certs()[0].can_sign_at(NOW.0));
    // The subkey-only signer: the primary may only certify, the subkey signs.
    let sub = Keyring::import(&[fixture!("public-key-with-subkey.gpg")]);
    assert!(sub.certs()[0].can_sign_at(NOW.0));
}

macro_rules! own {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/gpg-own/",
            $name
        ))
        .as_slice()
    };
}

/// The packets of an armored key, changed by `edit`, as a binary keyring.
fn rewritten(armored: &[u8], edit: impl FnOnce(&mut Vec<pgp::packet::Packet>)) -> Vec<u8> {
    let block = super::armor::blocks(armored).remove(0).unwrap();
    let (mut packets, err) = super::packets::read(&block.data);
    assert!(err.is_none());
    edit(&mut packets);
    let mut out = Vec::new();
    for p in &packets {
        pgp::ser::Serialize::to_writer(p, &mut out).unwrap();
    }
    out
}

/// The latest valid self-signature decides a key's expiry, whatever the packet order: the
/// same key exported before (expires 2021-01-01T12:00Z) and after its expiry was removed, its
/// two self-signatures put in both orders.
#[test]
fn the_latest_self_signature_decides_expiry() {
    let before = own!("expiry-before-extension.asc");
    let after = own!("expiry-extended.asc");
    assert!(!Keyring::import(&[before]).certs()[0].can_sign_at(NOW.0));
    assert!(Keyring::import(&[after]).certs()[0].can_sign_at(NOW.0));
    let sig_of = |armored: &[u8]| {
        let block = super::armor::blocks(armored).remove(0).unwrap();
        let (p, _) = super::packets::read(&block.data);
        p.into_iter()
            .rfind(|x| matches!(x, pgp::packet::Packet::Signature(_)))
            .unwrap()
    };
    let (old, new) = (sig_of(before), sig_of(after));
    for order in [[old.clone(), new.clone()], [new, old]] {
        let both = rewritten(before, |p| {
            p.retain(|x| !matches!(x, pgp::packet::Packet::Signature(_)));
            p.extend(order);
        });
        let ring = Keyring::import(&[&both]);
        assert!(
            ring.certs()[0].can_sign_at(NOW.0),
            "the extension is the latest"
        );
    }
}

/// A user ID revocation is no self-certification: the key's expiry still comes from its
/// self-signature (2021-01-01T12:00:00Z).
#[test]
fn user_id_revocations_do_not_reset_expiry() {
    let ring = Keyring::import(&[own!("uid-revoked.asc")]);
    let c = &ring.certs()[0];
    assert!(c.can_sign_at(1_609_502_399));
    assert!(!c.can_sign_at(1_609_502_400));
    assert!(!c.revoked);
}

/// A key revocation counts only when the key itself made it.
#[test]
fn key_revocations_must_be_made_by_the_key() {
    assert!(!Keyring::import(&[own!("not-yet-revoked.asc")]).certs()[0].revoked);
    let revoked = Keyring::import(&[own!("revoked.asc")]);
    assert!(revoked.certs()[0].revoked);
    assert!(!revoked.certs()[0].can_sign_at(NOW.0));
    // The revocation certificate of one key spliced into another key.
    let rev_block = super::armor::blocks(own!("revocation-of-revoked.asc"))
        .remove(0)
        .unwrap();
    let (rev, _) = super::packets::read(&rev_block.data);
    let spliced = rewritten(own!("expiry-extended.asc"), |p| p.insert(1, rev[0].clone()));
    let ring = Keyring::import(&[&spliced]);
    assert!(!ring.certs()[0].revoked);
    assert!(ring.certs()[0].can_sign_at(NOW.0));
}

/// A key imported twice (e.g. `keyPaths` with an old and a new export) is merged as GnuPG
/// merges it: the newer self-signature and any revocation win, in either order.
#[test]
fn a_key_imported_twice_is_merged() {
    let (before, after) = (
        own!("expiry-before-extension.asc"),
        own!("expiry-extended.asc"),
    );
    for pair in [[before, after], [after, before]] {
        let ring = Keyring::import(&pair);
        assert_eq!(
            ring.identities().len(),
            2,
            "one identity per import, as GPGME"
        );
        assert_eq!(ring.certs().len(), 1);
        assert!(ring.certs()[0].can_sign_at(NOW.0));
    }
    let (live, revoked) = (own!("not-yet-revoked.asc"), own!("revoked.asc"));
    for pair in [[live, revoked], [revoked, live]] {
        assert!(Keyring::import(&pair).certs()[0].revoked);
    }
}

/// A certify-only primary key signs through its subkey: once the subkey is revoked, nothing
/// can sign (the primary's key flags forbid it).
#[test]
fn a_certify_only_key_needs_its_signing_subkey() {
    let later = 1_900_000_000;
    let with_sub = Keyring::import(&[own!("cert-only-signing-subkey.asc")]);
    assert!(with_sub.certs()[0].can_sign_at(later));
    let revoked = Keyring::import(&[own!("cert-only-revoked-subkey.asc")]);
    assert!(revoked.certs()[0].subkeys[0].revoked);
    assert!(!revoked.certs()[0].can_sign_at(later));
    // Both exports merged: the revocation wins.
    let both = Keyring::import(&[
        own!("cert-only-signing-subkey.asc"),
        own!("cert-only-revoked-subkey.asc"),
    ]);
    assert!(!both.certs()[0].can_sign_at(later));
}

/// Armored messages (reachable behind the simple-signing prefix) verify; other armor kinds
/// are unreadable; a signature between one-pass header and literal data is refused.
#[test]
fn armored_messages_and_packet_order() {
    use base64::Engine;
    let key = fixture!("public-key.gpg");
    let armored = |kind: &str| {
        let body = base64::engine::general_purpose::STANDARD.encode(fixture!("image.signature"));
        format!("-----BEGIN PGP {kind}-----\n\n{body}\n-----END PGP {kind}-----\n")
    };
    let good = verify(key, armored("MESSAGE").as_bytes()).unwrap();
    assert_eq!(good.backend_notes, [message::NOTE_ARMOR]);
    assert!(matches!(
        verify(key, armored("SIGNATURE").as_bytes()),
        Err(GpgFailure::Unreadable(_))
    ));
    // OPS, signature, literal: not a message GnuPG verifies.
    let packets = super::packets::read_message(fixture!("image.signature")).unwrap();
    let find = |f: fn(&pgp::packet::Packet) -> bool| packets.iter().find(|p| f(p)).unwrap().clone();
    let ops = find(|p| matches!(p, pgp::packet::Packet::OnePassSignature(_)));
    let lit = find(|p| matches!(p, pgp::packet::Packet::LiteralData(_)));
    let sig = find(|p| matches!(p, pgp::packet::Packet::Signature(_)));
    let serialize = |ps: &[pgp::packet::Packet]| {
        let mut out = Vec::new();
        for p in ps {
            pgp::ser::Serialize::to_writer(p, &mut out).unwrap();
        }
        out
    };
    assert!(matches!(
        verify(key, &serialize(&[ops.clone(), sig.clone(), lit.clone()])),
        Err(GpgFailure::Unreadable(_))
    ));
    // Uncompressed in the normal order it verifies; signature first (old style) too.
    assert!(verify(key, &serialize(&[ops, lit.clone(), sig.clone()])).is_ok());
    assert!(verify(key, &serialize(&[sig, lit])).is_ok());
}

/// The reasons name GnuPG's status and the times in UTC.
#[test]
fn invalid_reasons_read_as_gnupg_statuses() {
    assert_eq!(
        Invalid::SignatureExpired { at: 1_750_759_200 }.to_string(),
        "signature expired at 2025-06-24T10:00:00Z (EXPSIG)"
    );
    assert_eq!(
        Invalid::KeyExpired {
            fingerprint: "AB".into(),
            at: 0
        }
        .to_string(),
        "key AB expired at 1970-01-01T00:00:00Z (EXPKEYSIG)"
    );
    assert_eq!(
        Invalid::NoPublicKey {
            key_id: "5F9470E3BC6C3B55".into()
        }
        .to_string(),
        "no public key 5F9470E3BC6C3B55 among the trusted keys (NO_PUBKEY)"
    );
    assert_eq!(Invalid::Bad.to_string(), "bad signature (BADSIG)");
}
