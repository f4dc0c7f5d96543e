//! Trust configuration edits (pure): the built-in ARMORRED key, vetting cosign public keys,
//! the `policy.json` entry and the `registries.d` file that make podman verify a registry
//! scope with a key. The commands in `crate::commands::key` do the I/O.

pub mod diff;
pub mod plan;

use crate::json::tree::Node;
use crate::signature::keys::{LoadedKey, parse_pem_public_key, refused_ec_point_form};
use crate::signature::pem;

/// The ARMORRED project's cosign public key, as published on its image-verification page.
pub const ARMORRED_PEM: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE7vpEsQTwL/8XDx0KU6+jU64okQB1
A0sMNk5I6GNdZoNCJzJMyOj3jkuGm3TPDE6TtqWlbkScX0EcHv5U0kJqgg==
-----END PUBLIC KEY-----
";
/// SHA-256 of the key's DER SubjectPublicKeyInfo: the pin checked before every install.
pub const ARMORRED_FINGERPRINT: &str =
    "sha256:d8bace5c57478ad74365ffca61608def78975da0026c2c1d9bef217bb032b486";
/// The registry scope ARMORRED signs.
pub const ARMORRED_SCOPE: &str = "ghcr.io/armorred";

/// Where installed keys live.
pub const KEY_DIR: &str = "/etc/pki/cosign";

/// Checks that `name` is safe as a file name (`[a-z0-9][a-z0-9._-]*`, ≤ 64 chars).
pub fn valid_key_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"._-".contains(&c))
}

/// Vets bytes offered as a cosign public key: refuses private keys, certificates, other PEM
/// and keys c/image cannot use, with a message that says what to do instead.
pub fn vet_public_key(bytes: &[u8]) -> Result<LoadedKey, KeyProblem> {
    vet(bytes).map_err(KeyProblem)
}

/// [`vet_public_key`] with the problem as a plain string.
fn vet(bytes: &[u8]) -> Result<LoadedKey, String> {
    if is_openpgp_key(bytes) {
        return Err(
            "this is an OpenPGP (GPG) key; sigstoreSigned needs a cosign public key \
                    (-----BEGIN PUBLIC KEY-----). GPG keys belong to signedBy with keyType GPGKeys"
                .into(),
        );
    }
    let Some((block, _)) = pem::decode(bytes) else {
        return Err(
            "not a PEM file: expected a cosign public key (-----BEGIN PUBLIC KEY-----)".into(),
        );
    };
    let label = block.label.as_str();
    if label.contains("PRIVATE KEY") {
        return Err(format!(
            "this is a private key ({label}); never install or share it. Install the public key instead \
             (cosign public-key --key cosign.key > cosign.pub)"
        ));
    }
    if label == "CERTIFICATE" {
        return Err("this is an X.509 certificate, not a public key; for keyless (Fulcio) or PKI signatures \
                    configure sigstoreSigned with fulcio/pki instead"
            .into());
    }
    if label == "PUBLIC KEY"
        && let Some(form) = refused_ec_point_form(&block.der)
    {
        // RustCrypto would read such a key, Go's x509.ParsePKIXPublicKey does not: podman
        // would then reject every image of the scope.
        return Err(format!(
            "this ECDSA key's point is {form}; containers/image (Go's x509.ParsePKIXPublicKey) \
             only reads uncompressed points, so podman would reject every image of the scope. Convert it \
             first: openssl ec -pubin -in KEY -pubout -conv_form uncompressed"
        ));
    }
    let key = parse_pem_public_key(bytes).map_err(|e| format!("not a usable public key: {e}"))?;
    if key.ignored_blocks > 0 {
        return Err(format!(
            "the file holds {} PEM blocks; containers/image only uses the first, so the others would be ignored. \
             Install one key per file",
            key.ignored_blocks + 1
        ));
    }
    Ok(key)
}

/// The canonical PEM we write for a vetted key (the first block, re-encoded).
pub fn normalized_pem(bytes: &[u8]) -> String {
    use base64::Engine;
    let Some((block, _)) = pem::decode(bytes) else {
        return String::new();
    };
    let b64 = base64::engine::general_purpose::STANDARD.encode(&block.der);
    let mut out = format!("-----BEGIN {}-----\n", block.label);
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {}-----\n", block.label));
    out
}

/// The requirement list `key install` writes for a scope.
pub fn sigstore_requirements(key_path: &str) -> Node {
    let s = |x: &str| Node::String(x.to_owned());
    Node::Array(vec![Node::Object(vec![
        ("type".into(), s("sigstoreSigned")),
        ("keyPath".into(), s(key_path)),
        (
            "signedIdentity".into(),
            Node::Object(vec![("type".into(), s("matchRepository"))]),
        ),
    ])])
}

/// What an edit did.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// The change was made.
    Changed,
    /// Already exactly so.
    Unchanged,
    /// Something different is there (its JSON); not changed.
    Conflict(String),
}

/// A starting policy when none exists: the distribution default (accept everything).
pub fn default_policy() -> Node {
    let accept = Node::Object(vec![(
        "type".into(),
        Node::String("insecureAcceptAnything".into()),
    )]);
    Node::Object(vec![("default".into(), Node::Array(vec![accept]))])
}

/// Sets `transports.docker[scope]` to `requirements` unless something else is there (`force`
/// replaces it). Other entries keep their order.
pub fn set_docker_scope(policy: &mut Node, scope: &str, requirements: Node, force: bool) -> Edit {
    let Some(transports) = policy.object_entry("transports") else {
        return Edit::Conflict("transports is not an object".into());
    };
    let Some(docker) = transports.object_entry("docker") else {
        return Edit::Conflict("transports.docker is not an object".into());
    };
    match docker.get(scope) {
        Some(existing) if *existing == requirements => Edit::Unchanged,
        Some(existing) if !force => Edit::Conflict(existing.to_pretty()),
        _ => {
            docker.set(scope, requirements);
            Edit::Changed
        }
    }
}

/// Removes `transports.docker[scope]` if it requires exactly `key_path`.
pub fn remove_docker_scope(policy: &mut Node, scope: &str, key_path: &str) -> Edit {
    let Some(docker) = policy
        .get_mut("transports")
        .and_then(|t| t.get_mut("docker"))
    else {
        return Edit::Unchanged;
    };
    match docker.get(scope) {
        Some(existing) if *existing == sigstore_requirements(key_path) => {
            docker.remove(scope);
            Edit::Changed
        }
        Some(existing) => Edit::Conflict(existing.to_pretty()),
        None => Edit::Unchanged,
    }
}

/// Scopes of `transports.docker` whose requirements use `key_path`.
pub fn scopes_using_key(policy: &Node, key_path: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Node::Object(transports)) = policy.get("transports") {
        for (t, scopes) in transports {
            if let Node::Object(scopes) = scopes {
                for (scope, reqs) in scopes {
                    if node_mentions(reqs, key_path) {
                        out.push(format!(
                            "{t}:{}",
                            if scope.is_empty() { "\"\"" } else { scope }
                        ));
                    }
                }
            }
        }
    }
    if policy
        .get("default")
        .is_some_and(|d| node_mentions(d, key_path))
    {
        out.push("default".into());
    }
    out
}

fn node_mentions(n: &Node, key_path: &str) -> bool {
    match n {
        Node::String(s) => s == key_path,
        Node::Array(a) => a.iter().any(|x| node_mentions(x, key_path)),
        Node::Object(o) => o.iter().any(|(_, v)| node_mentions(v, key_path)),
        _ => false,
    }
}

/// The `registries.d` file enabling sigstore attachments for `scope`.
pub fn registries_d_yaml(scope: &str) -> String {
    format!(
        "# Written by policyctl: podman/skopeo/CRI-O fetch cosign signatures (sha256-<digest>.sig)\n\
         # for {scope} only when use-sigstore-attachments is true.\n\
         docker:\n  {scope}:\n    use-sigstore-attachments: true\n"
    )
}

/// Whether `bytes` look like an OpenPGP key: an ASCII-armored `PGP PUBLIC KEY BLOCK`, or a
/// binary keyring starting with a public-key packet (old or new packet format, tag 6).
pub fn is_openpgp_key(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    if text.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----") {
        return true;
    }
    match bytes.first() {
        // Old format: 10tttt ll with tag 6 (0x98..=0x9b); new format: 11tttttt, tag 6 (0xc6).
        Some(&b) => (0x98..=0x9b).contains(&b) || b == 0xc6,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armorred_key_matches_its_pin() {
        let k = vet_public_key(ARMORRED_PEM.as_bytes()).unwrap();
        assert_eq!(k.fingerprint, ARMORRED_FINGERPRINT);
        assert_eq!(k.key.algorithm(), "ECDSA P-256");
        assert_eq!(normalized_pem(ARMORRED_PEM.as_bytes()), ARMORRED_PEM);
    }

    #[test]
    fn openpgp_keys_are_named_as_such() {
        let armored = b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBF...\n-----END PGP PUBLIC KEY BLOCK-----\n";
        for k in [&armored[..], b"\x99\x01\x0d\x04", b"\xc6\x33\x04"] {
            assert!(is_openpgp_key(k));
            assert!(
                vet_public_key(k).unwrap_err().contains("OpenPGP (GPG) key"),
                "{k:?}"
            );
        }
        assert!(!is_openpgp_key(ARMORRED_PEM.as_bytes()));
        assert!(!is_openpgp_key(b""));
    }

    #[test]
    fn vetting_refuses_what_users_get_wrong() {
        assert!(vet_public_key(b"-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nYWJj\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n").unwrap_err().contains("private key"));
        assert!(
            vet_public_key(b"-----BEGIN EC PRIVATE KEY-----\nYWJj\n-----END EC PRIVATE KEY-----\n")
                .unwrap_err()
                .contains("private key")
        );
        assert!(
            vet_public_key(b"-----BEGIN CERTIFICATE-----\nYWJj\n-----END CERTIFICATE-----\n")
                .unwrap_err()
                .contains("certificate")
        );
        assert!(
            vet_public_key(b"hello")
                .unwrap_err()
                .contains("not a PEM file")
        );
        assert!(
            vet_public_key(b"-----BEGIN X-----\nYWJj\n-----END X-----\n")
                .unwrap_err()
                .contains("not a usable public key")
        );
        // A compressed (or hybrid) EC point: Go's x509 refuses it, podman would reject all.
        let sk = crate::signature::sign::p256_key_from_seed("compressed");
        use p256::elliptic_curve::sec1::ToSec1Point;
        let point = sk.verifying_key().as_affine().to_sec1_point(true);
        let oid = spki::ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
        let e =
            vet_public_key(crate::signature::keys::tests::ec_pem(oid, point.as_bytes()).as_bytes())
                .unwrap_err();
        assert!(e.contains("point is in compressed form (02/03)"), "{e}");
        assert!(e.contains("-conv_form uncompressed"), "{e}");
        let two = format!("{ARMORRED_PEM}{ARMORRED_PEM}");
        assert!(
            vet_public_key(two.as_bytes())
                .unwrap_err()
                .contains("2 PEM blocks")
        );
    }

    #[test]
    fn policy_edits() {
        let mut p = Node::parse(br#"{"default":[{"type":"reject"}],"transports":{"docker":{"a.example":[{"type":"reject"}]}}}"#).unwrap();
        let reqs = sigstore_requirements("/etc/pki/cosign/x.pub");
        assert_eq!(
            set_docker_scope(&mut p, "ghcr.io/x", reqs.clone(), false),
            Edit::Changed
        );
        assert_eq!(
            set_docker_scope(&mut p, "ghcr.io/x", reqs.clone(), false),
            Edit::Unchanged
        );
        assert!(matches!(
            set_docker_scope(&mut p, "a.example", reqs.clone(), false),
            Edit::Conflict(_)
        ));
        let text = p.to_pretty();
        assert!(
            text.find("a.example").unwrap() < text.find("ghcr.io/x").unwrap(),
            "order kept"
        );
        assert_eq!(
            scopes_using_key(&p, "/etc/pki/cosign/x.pub"),
            ["docker:ghcr.io/x"]
        );
        assert_eq!(
            remove_docker_scope(&mut p, "ghcr.io/x", "/etc/pki/cosign/x.pub"),
            Edit::Changed
        );
        assert!(scopes_using_key(&p, "/etc/pki/cosign/x.pub").is_empty());
        assert!(valid_key_name("armorred") && !valid_key_name("../x") && !valid_key_name("A"));
    }
}

crate::message_error! {
    /// Why bytes offered as a cosign public key are refused, and what to do instead.
    KeyProblem
}
