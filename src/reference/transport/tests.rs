use super::*;

struct FakeHost;
impl Host for FakeHost {
    fn resolve_path(&self, path: &str) -> Result<String, String> {
        if path.starts_with('/') {
            Ok(go_clean(path))
        } else {
            Ok(go_clean(&format!("/cwd/{path}")))
        }
    }
}

fn parse(s: &str) -> ImageRef {
    ImageRef::parse(s, Compat::Current)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .1
}

fn parse_err(s: &str, compat: Compat) -> String {
    match ImageRef::parse(s, compat) {
        Ok(r) => panic!("{s} parsed: {r:?}"),
        Err(e) => e.0,
    }
}

#[test]
fn lookup_per_version() {
    assert_eq!(
        Transport::lookup("docker", Compat::V5_23),
        Some(Transport::Docker)
    );
    assert_eq!(Transport::lookup("atomic", Compat::V5_23), None);
    assert_eq!(
        Transport::lookup("atomic", Compat::Current),
        Some(Transport::Atomic)
    );
    assert_eq!(
        Transport::lookup("ostree", Compat::V5_23),
        Some(Transport::Ostree)
    );
    assert_eq!(Transport::lookup("Docker", Compat::Current), None);
    assert_eq!(Transport::lookup("dockers", Compat::Current), None);
    for t in ALL {
        assert_eq!(Transport::lookup(t.name(), Compat::Current), Some(*t));
    }
}

#[test]
fn docker_scopes_are_anything() {
    for s in [
        "docker.io/library/busybox",
        "registry.access.redhat.com",
        "*.example.com",
        "example*.*.com",
        "x:y",
    ] {
        assert!(Transport::Docker.validate_scope(s).is_ok(), "{s}");
    }
}

#[test]
fn path_scopes() {
    for t in [
        Transport::Dir,
        Transport::Oci,
        Transport::OciArchive,
        Transport::Sif,
    ] {
        for ok in ["/etc", "/this/does/not/exist", "/with:colon"] {
            assert!(t.validate_scope(ok).is_ok(), "{t:?} {ok}");
        }
        for bad in [
            "relative/path",
            "/double//slashes",
            "/has/./dot",
            "/has/dot/../dot",
            "/trailing/slash/",
            "/",
        ] {
            assert!(t.validate_scope(bad).is_err(), "{t:?} {bad}");
        }
    }
    assert_eq!(
        Transport::Dir.validate_scope("/a//b").unwrap_err().0,
        "Invalid scope /a//b: Uses non-canonical format, perhaps try /a/b"
    );
    assert_eq!(
        Transport::Oci.validate_scope("/a/").unwrap_err().0,
        "Invalid scope /a/: Uses non-canonical path format, perhaps try with path /a"
    );
    assert_eq!(
        Transport::Dir.validate_scope("rel").unwrap_err().0,
        "Invalid scope rel: Must be an absolute path"
    );
}

#[test]
fn storage_scopes() {
    let id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let dg = format!("sha256:{id}");
    for ok in [
        "[/r]".to_owned(),
        "[vfs@/r]".into(),
        "[vfs@/r]busybox".into(),
        "[vfs@/r]anything goes!!".into(),
        format!("[vfs@/r]busybox@{id}"),
        format!("[vfs@/r]busybox@{dg}"),
        format!("[vfs@/r]busybox:tag@{dg}@{id}"),
        format!("[/r]@{id}"),
    ] {
        assert!(
            Transport::ContainersStorage.validate_scope(&ok).is_ok(),
            "{ok}"
        );
    }
    for bad in [
        "[]",
        "[rel]",
        "[vfs@rel]",
        "[@/r]",
        "[vfs@]",
        "[/r",
        "/r",
        "busybox",
        "[/r]busybox@notanid",
        "[/r]a@sha256:12@x",
    ] {
        assert!(
            Transport::ContainersStorage.validate_scope(bad).is_err(),
            "{bad}"
        );
    }
    assert_eq!(
        Transport::ContainersStorage
            .validate_scope("[/r]x@abc")
            .unwrap_err()
            .0,
        "abc is neither a valid digest(invalid checksum digest format) nor a valid ID(invalid checksum digest length)"
    );
}

#[test]
fn other_scopes() {
    assert!(Transport::DockerArchive.validate_scope("/x").is_err());
    assert!(Transport::Tarball.validate_scope("x").is_err());
    assert!(
        Transport::DockerDaemon
            .validate_scope("busybox:latest")
            .is_ok()
    );
    assert!(
        Transport::DockerDaemon
            .validate_scope(
                "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
            )
            .is_err()
    );
    assert!(Transport::Ostree.validate_scope("whatever").is_ok());
    for ok in [
        "",
        "host",
        "host/ns",
        "host/ns/stream",
        "host/ns/stream:tag",
    ] {
        assert!(is_atomic_scope(ok), "{ok}");
    }
    for bad in [
        "host/ns:x",
        "host/ns/stream/more",
        "host/ns/stream:tag:x",
        "host/ns/s:t/x",
    ] {
        assert!(!is_atomic_scope(bad), "{bad}");
    }
}

#[test]
fn go_clean_matches_go() {
    for (i, o) in [
        ("/", "/"),
        ("", "."),
        ("/a/b/", "/a/b"),
        ("/a//b", "/a/b"),
        ("/a/./b", "/a/b"),
        ("/a/../b", "/b"),
        ("/../a", "/a"),
        ("a/../..", ".."),
        ("a/b/../../..", ".."),
        ("./a", "a"),
    ] {
        assert_eq!(go_clean(i), o, "{i}");
    }
}

#[test]
fn docker_identities() {
    let id = |s: &str| match parse(s) {
        ImageRef::Docker { named, .. } => docker_identity(&named),
        _ => unreachable!(),
    };
    let p = id("docker://yet.another.example.com:8443/ns/repo:tag");
    assert_eq!(p.identity, "yet.another.example.com:8443/ns/repo:tag");
    assert_eq!(
        p.namespaces,
        [
            "yet.another.example.com:8443/ns/repo",
            "yet.another.example.com:8443/ns",
            "yet.another.example.com:8443",
            "*.another.example.com",
            "*.example.com",
            "*.com"
        ]
    );
    let p = id("docker://busybox");
    assert_eq!(p.identity, "docker.io/library/busybox:latest");
    assert_eq!(
        p.namespaces,
        [
            "docker.io/library/busybox",
            "docker.io/library",
            "docker.io",
            "*.io"
        ]
    );
    assert_eq!(
        id("docker://localhost/ns/repo").namespaces,
        ["localhost/ns/repo", "localhost/ns", "localhost"]
    );
    assert_eq!(
        id("docker://notlocalhost/repo").identity,
        "docker.io/notlocalhost/repo:latest"
    );
    assert_eq!(
        id("docker://10.0.0.1/r:1").namespaces,
        ["10.0.0.1/r", "10.0.0.1", "*.0.0.1", "*.0.1", "*.1"]
    );
    let d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    assert_eq!(
        id(&format!("docker://busybox@{d}")).identity,
        format!("docker.io/library/busybox@{d}")
    );
}

#[test]
fn reference_errors() {
    assert_eq!(
        parse_err("busybox", Compat::Current),
        r#"Invalid image name "busybox", expected colon-separated transport:reference"#
    );
    assert_eq!(
        parse_err("dockers://x", Compat::Current),
        r#"Invalid image name "dockers://x", unknown transport "dockers""#
    );
    assert_eq!(
        parse_err("atomic:x/y/z", Compat::V5_23),
        r#"Invalid image name "atomic:x/y/z", unknown transport "atomic""#
    );
    assert_eq!(
        parse_err("docker:busybox", Compat::Current),
        "docker: image reference busybox does not start with //"
    );
    let d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    assert_eq!(
        parse_err(&format!("docker://busybox:1@{d}"), Compat::Current),
        "Docker references with both a tag and digest are currently not supported"
    );
    assert_eq!(
        parse_err("ostree:x", Compat::V5_23),
        r#"The transport "ostree:" is not supported in this build"#
    );
    assert_eq!(
        parse_err("containers-storage:", Compat::Current),
        r#""" is an empty reference: invalid reference"#
    );
    assert_eq!(
        parse_err("containers-storage:[vfs@rel]x", Compat::Current),
        "path name is not absolute"
    );
    assert_eq!(
        parse_err("containers-storage:[@/r]x", Compat::Current),
        "invalid reference"
    );
    assert_eq!(
        parse_err(
            "docker-archive:/a.tar:x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            Compat::Current
        ),
        "reference does not include a tag: docker.io/library/x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    );
}

#[test]
fn path_identities() {
    let p = parse("dir:/a/b/c").policy_identity(&FakeHost).unwrap();
    assert_eq!(p.identity, "/a/b/c");
    assert_eq!(p.namespaces, ["/a/b", "/a"]);
    let p = parse("oci:/a/b:img").policy_identity(&FakeHost).unwrap();
    assert_eq!(p.identity, "/a/b");
    assert_eq!(p.namespaces, ["/a/b", "/a"]);
    let p = parse("oci-archive:rel.tar")
        .policy_identity(&FakeHost)
        .unwrap();
    assert_eq!(p.identity, "/cwd/rel.tar");
    assert_eq!(p.namespaces, ["/cwd/rel.tar", "/cwd"]);
    let p = parse("docker-archive:/x.tar:busybox")
        .policy_identity(&FakeHost)
        .unwrap();
    assert_eq!(p.identity, "");
    assert!(p.namespaces.is_empty());
    assert!(parse("dir:/x").docker_reference().is_none());
    assert_eq!(
        parse("docker-archive:/x.tar:busybox")
            .docker_reference()
            .unwrap()
            .to_string(),
        "docker.io/library/busybox:latest"
    );
}

#[test]
fn storage_references() {
    let id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let ImageRef::Storage(s) = parse("containers-storage:[vfs@/s+/run:a,b]example/app:1") else {
        unreachable!()
    };
    assert_eq!(
        s.store,
        Some(StoreSpec {
            driver: Some("vfs".into()),
            graph_root: Some("/s".into()),
            run_root: Some("/run".into()),
            options: vec!["a".into(), "b".into()]
        })
    );
    assert_eq!(
        s.named.as_ref().unwrap().to_string(),
        "docker.io/example/app:1"
    );
    let store = ResolvedStore {
        driver: "vfs".into(),
        graph_root: "/s".into(),
    };
    let p = storage_identity(&store, s.named.as_ref(), Some(id));
    assert_eq!(p.identity, format!("[vfs@/s]docker.io/example/app:1@{id}"));
    assert_eq!(
        p.namespaces,
        [
            "[vfs@/s]docker.io/example/app:1",
            "[vfs@/s]docker.io/example/app",
            "[vfs@/s]docker.io/example",
            "[vfs@/s]docker.io",
            "[vfs@/s]",
            "[/s]"
        ]
    );
    let ImageRef::Storage(s) = parse(&format!("containers-storage:{id}")) else {
        unreachable!()
    };
    assert!(s.named.is_none());
    let p = storage_identity(&store, None, Some(id));
    assert_eq!(p.identity, format!("[vfs@/s]@{id}"));
    assert_eq!(p.namespaces, ["[vfs@/s]", "[/s]"]);
    let ImageRef::Storage(s) = parse(&format!("containers-storage:busybox@{id}")) else {
        unreachable!()
    };
    assert_eq!(s.id.as_deref(), Some(id));
    assert_eq!(
        s.named.unwrap().to_string(),
        "docker.io/library/busybox:latest"
    );
    let ImageRef::Storage(s) = parse("containers-storage:abc123") else {
        unreachable!()
    };
    assert_eq!(s.id_prefix.as_deref(), Some("abc123"));
    let d = "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
    let ImageRef::Storage(s) = parse(&format!("containers-storage:app:1@{d}")) else {
        unreachable!()
    };
    let p = storage_identity(&store, s.named.as_ref(), Some(id));
    assert_eq!(
        p.namespaces[0],
        format!("[vfs@/s]docker.io/library/app:1@{d}")
    );
    assert_eq!(p.namespaces[1], "[vfs@/s]docker.io/library/app:1");
}
