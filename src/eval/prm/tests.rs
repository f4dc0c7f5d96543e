//! The tables of spec §2.4, written as our own scenarios.

use super::*;

const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const D2: &str = "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

fn img(s: &str) -> Option<Named> {
    Named::parse_normalized(s).ok()
}

fn ok(id: &SignedIdentity, image: &str, sig: &str) -> bool {
    match img(image) {
        Some(i) => matches_docker_reference(id, Some(&i), sig).is_ok(),
        // An unparsable image reference: exercise the image-independent rules only.
        None => matches_docker_reference(id, None, sig).is_ok(),
    }
}

/// (a, b, expected) pairs for exact matching; symmetric.
fn exact_table() -> Vec<(String, String, bool)> {
    let t = |a: &str, b: &str, r: bool| (a.to_owned(), b.to_owned(), r);
    vec![
        t("busybox:latest", "busybox:latest", true),
        t("library/busybox:latest", "busybox:latest", true),
        t("docker.io/library/busybox:latest", "busybox:latest", true),
        t(&format!("busybox@{D}"), &format!("busybox@{D}"), true),
        t(
            &format!("busybox:latest@{D}"),
            &format!("busybox:latest@{D}"),
            true,
        ),
        t("busybox:latest", "busybox:notlatest", false),
        t("busybox:latest", "notbusybox:latest", false),
        t(
            "busybox:latest",
            "hostname/library/busybox:notlatest",
            false,
        ),
        t("busybox:latest", "hostname/library/busybox:latest", false),
        t("busybox:latest", &format!("busybox@{D}"), false),
        t(&format!("busybox@{D}"), &format!("busybox@{D2}"), false),
        t("busybox", "busybox:latest", false),
        t("busybox", "busybox", false),
        t(&format!("busybox:latest@{D}"), "busybox:latest", false),
        t(
            &format!("busybox:latest@{D}"),
            &format!("busybox@{D}"),
            false,
        ),
        t(
            &format!("busybox:latest@{D}"),
            &format!("busybox:latest@{D2}"),
            false,
        ),
        t(
            &format!("busybox:latest@{D}"),
            &format!("busybox:notlatest@{D}"),
            false,
        ),
        t(
            "UPPERCASE_IS_INVALID_IN_DOCKER_REFERENCES",
            "UPPERCASE_IS_INVALID_IN_DOCKER_REFERENCES",
            false,
        ),
        t("", "", false),
    ]
}

fn repo_table() -> Vec<(String, String, bool)> {
    let t = |a: &str, b: &str, r: bool| (a.to_owned(), b.to_owned(), r);
    vec![
        t("busybox", "busybox", true),
        t("busybox:latest", "busybox", true),
        t("busybox", "busybox:notlatest", true),
        t("busybox:latest", &format!("busybox@{D}"), true),
        t(&format!("busybox@{D}"), &format!("busybox@{D2}"), true),
        t(&format!("busybox:latest@{D}"), "busybox", true),
        t(
            "registry.access.redhat.com/rhel7/rhel:7.2.3",
            "registry.access.redhat.com/rhel7/rhel",
            true,
        ),
        t("busybox", "notbusybox", false),
        t("busybox", "hostname/library/busybox", false),
        t("busybox:latest", "example.com/busybox:latest", false),
        t("UPPERCASE_IS_INVALID", "UPPERCASE_IS_INVALID", false),
        t("", "", false),
    ]
}

#[test]
fn match_exact_and_exact_reference() {
    for (a, b, want) in exact_table() {
        for (x, y) in [(&a, &b), (&b, &a)] {
            assert_eq!(
                ok(&SignedIdentity::MatchExact, x, y),
                want,
                "matchExact {x} {y}"
            );
            let er = SignedIdentity::ExactReference {
                docker_reference: x.clone(),
            };
            assert_eq!(
                ok(&er, "does-not-matter:1", y),
                want,
                "exactReference {x} {y}"
            );
        }
    }
}

#[test]
fn match_repository_and_exact_repository() {
    for (a, b, want) in repo_table() {
        for (x, y) in [(&a, &b), (&b, &a)] {
            assert_eq!(
                ok(&SignedIdentity::MatchRepository, x, y),
                want,
                "matchRepository {x} {y}"
            );
            let er = SignedIdentity::ExactRepository {
                docker_repository: x.clone(),
            };
            assert_eq!(
                ok(&er, "does-not-matter:1", y),
                want,
                "exactRepository {x} {y}"
            );
        }
    }
}

#[test]
fn match_repo_digest_or_exact() {
    let id = SignedIdentity::MatchRepoDigestOrExact;
    for (image, sig, want) in [
        (
            "busybox:latest".to_owned(),
            "busybox:latest".to_owned(),
            true,
        ),
        ("busybox:latest".into(), "busybox:notlatest".into(), false),
        ("busybox".into(), "busybox:latest".into(), false),
        ("busybox:latest".into(), "busybox".into(), false),
        ("busybox".into(), "busybox".into(), false),
        ("busybox:latest".into(), format!("busybox@{D}"), false),
        (format!("busybox@{D}"), "busybox:latest".into(), true),
        (format!("busybox@{D}"), format!("busybox@{D2}"), true),
        (format!("busybox@{D}"), format!("notbusybox@{D}"), false),
        (
            format!("busybox:latest@{D}"),
            "busybox:latest".into(),
            false,
        ),
        (
            format!("busybox:latest@{D}"),
            format!("busybox:latest@{D}"),
            true,
        ),
        (
            "busybox:latest".into(),
            format!("busybox:latest@{D}"),
            false,
        ),
    ] {
        assert_eq!(ok(&id, &image, &sig), want, "{image} {sig}");
    }
}

#[test]
fn image_relative_rules_need_an_image_identity() {
    for id in [
        SignedIdentity::MatchExact,
        SignedIdentity::MatchRepoDigestOrExact,
        SignedIdentity::MatchRepository,
    ] {
        assert_eq!(
            matches_docker_reference(&id, None, "busybox:latest"),
            Err(Mismatch::NoImageIdentity)
        );
    }
    let er = SignedIdentity::ExactReference {
        docker_reference: "busybox:latest".into(),
    };
    assert_eq!(
        matches_docker_reference(&er, None, "docker.io/library/busybox:latest"),
        Ok(())
    );
    let garbled = matches_docker_reference(&er, None, "Not A Reference");
    assert!(matches!(garbled, Err(Mismatch::InvalidSignedIdentity(_))));
}

#[test]
fn cosign_repository_only_identities() {
    // cosign signs `repo` without a tag: only the repository rules accept it.
    let image = img("192.168.64.2:5000/cosign-signed-single-sample:latest").unwrap();
    let sig = "192.168.64.2:5000/cosign-signed-single-sample";
    assert!(matches_docker_reference(&SignedIdentity::MatchRepository, Some(&image), sig).is_ok());
    assert!(
        matches_docker_reference(&SignedIdentity::MatchRepoDigestOrExact, Some(&image), sig)
            .is_err()
    );
    assert!(matches_docker_reference(&SignedIdentity::MatchExact, Some(&image), sig).is_err());
}

#[test]
fn remap_prefix_matching() {
    for (r, prefix, want) in [
        ("docker.io/image", "docker.io", true),
        ("example.com:5000/image", "example.com:5000", true),
        ("example.com:50000/image", "example.com:5000", false),
        ("example.com:5000/image", "example.com", false),
        ("docker.io/libraryy/image", "docker.io/library", false),
        (
            &format!("example.com/ns/image:tag@{D}"),
            "example.com/ns/image",
            true,
        ),
    ] {
        assert_eq!(
            ref_matches_prefix(&img(r).unwrap(), prefix),
            want,
            "{r} {prefix}"
        );
    }
}

#[test]
fn remap_rewrites() {
    let rw = |r: &str, p: &str, sp: &str| remap(&img(r).unwrap(), p, sp).map(|n| n.to_string());
    assert_eq!(
        rw(
            "mirror.example/ns/image:tag",
            "mirror.example",
            "vendor.example"
        )
        .unwrap(),
        "vendor.example/ns/image:tag"
    );
    assert_eq!(
        rw("busybox", "docker.io", "not-docker-signed.example").unwrap(),
        "not-docker-signed.example/library/busybox"
    );
    assert_eq!(
        rw(
            "busybox",
            "docker.io/library/busybox",
            "not-docker-signed.example/ns/notbusybox"
        )
        .unwrap(),
        "not-docker-signed.example/ns/notbusybox"
    );
    assert_eq!(
        rw(
            &format!("mirror.example/ns/image:tag@{D}"),
            "mirror.example",
            "vendor.example"
        )
        .unwrap(),
        format!("vendor.example/ns/image:tag@{D}")
    );
    // Not matching the prefix: unchanged.
    assert_eq!(
        rw(
            "other.example/ns/image:tag",
            "mirror.example",
            "vendor.example"
        )
        .unwrap(),
        "other.example/ns/image:tag"
    );
    // Rewrites into invalid or non-canonical references fail (⇒ no match).
    assert!(
        rw(
            "mirror.example/ns/image:tag",
            "mirror.example/ns/image",
            "vendor.example:5000"
        )
        .is_err()
    );
    assert!(
        rw(
            "mirror.example/ns/image:tag",
            "mirror.example/ns/image",
            "notlocalhost"
        )
        .is_err()
    );
}

#[test]
fn remap_end_to_end() {
    let id = SignedIdentity::RemapIdentity {
        prefix: "mirror.example".into(),
        signed_prefix: "docker.io/library".into(),
    };
    assert!(ok(&id, "mirror.example/busybox:latest", "busybox:latest"));
    assert!(!ok(&id, "mirror.example/busybox:latest", "busybox:other"));
    let id = SignedIdentity::RemapIdentity {
        prefix: "docker.io/library".into(),
        signed_prefix: "original.com".into(),
    };
    assert!(ok(&id, "copied:latest", "original.com/copied:latest"));
    assert!(!ok(&id, "copied:latest", "original.com/ns/copied:latest"));
    // Non-matching prefix: behaves as matchRepoDigestOrExact on the original reference.
    assert!(ok(&id, "example.com/x:1", "example.com/x:1"));
}
