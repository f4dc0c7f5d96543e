//! OpenPGP keyrings and signed messages are untrusted input: importing any bytes as a
//! keyring and verifying any bytes as a message against it (and against a real keyring) must
//! never panic, and a message that verifies must name a key of the keyring.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policyctl::signature::openpgp::{Keyring, VerificationTime, message};

const KEY: &[u8] = include_bytes!("../../testdata/upstream-gpg/public-key.gpg");

fuzz_target!(|data: &[u8]| {
    // The first byte splits the input into a keyring and a message.
    let Some((&split, rest)) = data.split_first() else { return };
    let at = (usize::from(split) * rest.len()) / 256;
    let (keyring, msg) = rest.split_at(at);
    let now = VerificationTime(1_767_225_600);
    let fuzzed = Keyring::import(&[keyring]);
    let _ = message::facts(msg);
    for ring in [fuzzed, Keyring::import(&[KEY])] {
        if let Ok(good) = message::verify(&ring, msg, now) {
            assert!(ring.identities().contains(&good.primary));
        }
    }
});
