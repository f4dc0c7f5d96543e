use super::*;

const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn n(s: &str) -> Named {
    Named::parse_normalized(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn err(s: &str) -> String {
    match Named::parse_normalized(s) {
        Ok(v) => panic!("{s} parsed as {v}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn normalization() {
    for (input, name, string) in [
        (
            "busybox",
            "docker.io/library/busybox",
            "docker.io/library/busybox",
        ),
        (
            "busybox:latest",
            "docker.io/library/busybox",
            "docker.io/library/busybox:latest",
        ),
        (
            "library/busybox",
            "docker.io/library/busybox",
            "docker.io/library/busybox",
        ),
        ("fooo/bar", "docker.io/fooo/bar", "docker.io/fooo/bar"),
        (
            "index.docker.io/busybox",
            "docker.io/library/busybox",
            "docker.io/library/busybox",
        ),
        ("localhost/app:1", "localhost/app", "localhost/app:1"),
        (
            "localhost:5000/a/b",
            "localhost:5000/a/b",
            "localhost:5000/a/b",
        ),
        (
            "notlocalhost/repo",
            "docker.io/notlocalhost/repo",
            "docker.io/notlocalhost/repo",
        ),
        (
            "Example.COM/ns/app:TAG",
            "Example.COM/ns/app",
            "Example.COM/ns/app:TAG",
        ),
        (
            "ghcr.io/armorred/app:1.0",
            "ghcr.io/armorred/app",
            "ghcr.io/armorred/app:1.0",
        ),
        (
            "localhost:5000",
            "docker.io/library/localhost",
            "docker.io/library/localhost:5000",
        ),
        // An invalid domain falls back to a bare path, as Go's regexp does.
        ("a_b.c/foo", "a_b.c/foo", "a_b.c/foo"),
    ] {
        let r = n(input);
        assert_eq!(r.name(), name, "{input}");
        assert_eq!(r.to_string(), string, "{input}");
    }
    let r = n(&format!("busybox:tag@{D}"));
    assert_eq!(r.tag(), Some("tag"));
    assert_eq!(r.digest(), Some(D));
    assert_eq!(r.domain(), "docker.io");
    assert_eq!(r.path(), "library/busybox");
    assert!(!r.is_name_only());
    assert!(n("busybox").is_name_only());
    assert_eq!(
        n("busybox").with_default_tag().to_string(),
        "docker.io/library/busybox:latest"
    );
}

#[test]
fn errors_carry_go_text() {
    let hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    assert_eq!(
        err(hex),
        format!("invalid repository name ({hex}), cannot specify 64-byte hexadecimal strings")
    );
    assert_eq!(
        err("Busybox"),
        "invalid reference format: repository name must be lowercase"
    );
    assert_eq!(
        err("example.com/UPPER:tag"),
        "invalid reference format: repository name must be lowercase"
    );
    assert_eq!(err(""), "invalid reference format");
    assert_eq!(err("busybox:"), "invalid reference format");
    assert_eq!(err("a:b:c"), "invalid reference format");
    assert_eq!(err("foo:bar/baz"), "invalid reference format");
    assert_eq!(err("example.com/repo/"), "invalid reference format");
    assert_eq!(err("a..b"), "invalid reference format");
    assert_eq!(err("a___b"), "invalid reference format");
    assert_eq!(
        err(&format!("busybox:{}", "t".repeat(129))),
        "invalid reference format"
    );
    assert!(Named::parse_normalized(&format!("busybox:{}", "t".repeat(128))).is_ok());
    assert_eq!(
        err(&format!("example.com/{}", "a".repeat(250))),
        "repository name must not be more than 255 characters"
    );
    assert_eq!(
        err("busybox@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"),
        "invalid checksum digest format"
    );
    assert_eq!(
        err("busybox@sha256:0123456789abcdef0123456789abcdef"),
        "invalid checksum digest length"
    );
    assert_eq!(
        err("busybox@md5:0123456789abcdef0123456789abcdef"),
        "unsupported digest algorithm"
    );
    assert_eq!(err("busybox@sha256:abc"), "invalid reference format");
    // Uppercase in a part ParseNormalizedNamed does not pre-check (here the digest algorithm).
    assert_eq!(
        err("busybox:tag@SHA256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
        "invalid checksum digest format"
    );
    assert_eq!(
        err("busybox@SHA256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
        "invalid reference format: repository name must be lowercase"
    );
}

#[test]
fn path_components() {
    for ok in [
        "a",
        "a.b",
        "a_b",
        "a__b",
        "a-b",
        "a---b",
        "a1.b2_c3__d4-e5",
        "0",
    ] {
        assert!(is_path_component(ok), "{ok}");
    }
    for bad in [
        "", "A", "-a", "a-", ".a", "a.", "a..b", "a___b", "a._b", "a-.b", "a_-b", "a b",
    ] {
        assert!(!is_path_component(bad), "{bad}");
    }
}

#[test]
fn canonical_parse() {
    assert!(Named::parse_canonical("docker.io/library/busybox:latest").is_ok());
    assert_eq!(
        Named::parse_canonical("busybox:latest"),
        Err(ReferenceError::NotCanonical)
    );
    assert_eq!(
        Named::parse_canonical("notlocalhost:tag"),
        Err(ReferenceError::NotCanonical)
    );
    assert!(Named::parse_canonical("vendor.example/ns/image:tag").is_ok());
}

#[test]
fn digests() {
    assert!(is_valid_digest(D));
    assert!(is_valid_digest(&format!("sha512:{}", "a".repeat(128))));
    assert!(!is_valid_digest("sha256:"));
    assert!(!is_valid_digest(":abc"));
    assert!(!is_valid_digest("sha256"));
    assert_eq!(validate_digest("sha1:abc"), Err(DigestError::Unsupported));
    assert_eq!(validate_digest("SHA1:abc"), Err(DigestError::InvalidFormat));
}

#[test]
fn remap_prefixes() {
    for ok in [
        "localhost",
        "example.com",
        "example.com:80",
        "example.com/repo",
        "example.com/ns1/ns2/ns3/repo.with.dots-dashes_underscores",
        "example.com:80/ns1/ns2/ns3/repo.with.dots-dashes_underscores",
        "shortname",
        "ns/shortname",
    ] {
        assert!(is_valid_remap_prefix(ok), "{ok}");
    }
    for bad in [
        "",
        "repo_with_underscores",
        "example.com/",
        "example.com/UPPERCASEISINVALID",
        "example.com/repo/",
        "example.com/repo:tag",
        &format!("example.com/repo@{D}"),
        &format!("example.com/repo:tag@{D}"),
    ] {
        assert!(!is_valid_remap_prefix(bad), "{bad}");
    }
}
