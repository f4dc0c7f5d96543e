//! Upstream's own truth tables (`testdata/k8s/`), every case, plus spec §19.2's side-by-side
//! examples.

use super::kyverno::{
    GobwasGlob, RegistryConfig, cluster_policy_matches, image_info_string,
    image_validating_glob_match, wildcard_match,
};
use super::policy_controller::{Glob, GlobError, glob_match, reference_name};
use super::policy_json::scope_covers;

const POLICY_CONTROLLER: &str = include_str!("../../../testdata/k8s/policy-controller-glob.json");
const KYVERNO: &str = include_str!("../../../testdata/k8s/kyverno-wildcard.json");

fn cases(table: &str) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(table).expect("table is JSON");
    v["cases"].as_array().expect("cases").clone()
}

fn text<'a>(case: &'a serde_json::Value, key: &str) -> &'a str {
    case[key].as_str().expect("string field")
}

fn flag(case: &serde_json::Value, key: &str) -> bool {
    case[key].as_bool().expect("bool field")
}

#[test]
fn policy_controller_upstream_table_every_case() {
    let cases = cases(POLICY_CONTROLLER);
    assert_eq!(cases.len(), 43);
    let mut failures = Vec::new();
    for c in &cases {
        let (image, glob) = (text(c, "image"), text(c, "glob"));
        let got = glob_match(glob, image);
        let ok = if flag(c, "error") {
            got.is_err()
        } else {
            got.as_ref().ok() == Some(&flag(c, "match"))
        };
        if !ok {
            failures.push(format!("glob {glob:?} image {image:?}: got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn policy_controller_error_kinds() {
    // The three error cases of the table, by kind and upstream text.
    assert_eq!(
        glob_match("**", "invalid&name"),
        Err(GlobError::BadReference(
            "could not parse reference: invalid&name".into()
        ))
    );
    for bad in [".+", "[a-z]*", "[", "", "ghcr.io/a?", "ghcr.io/{a,b}"] {
        let e = glob_match(bad, "invalid-glob").unwrap_err();
        assert!(matches!(e, GlobError::InvalidGlob(_)), "{bad:?}");
    }
    assert_eq!(
        Glob::compile("[a-z]*").unwrap_err().to_string(),
        r#"invalid glob "[a-z]*""#
    );
    // The special cases are rewritten before the check: they are valid.
    assert!(Glob::compile("*").is_ok() && Glob::compile("*/*").is_ok());
}

#[test]
fn policy_controller_reference_names() {
    let digest = "sha256:5504f2a95018e3d8a52d80d9e1a128c6ea337581808ff9fe96f5628ce2336350";
    for (image, want) in [
        (
            "busybox",
            "index.docker.io/library/busybox:latest".to_owned(),
        ),
        (
            "docker.io/busybox:1",
            "index.docker.io/library/busybox:1".to_owned(),
        ),
        (
            "index.docker.io/myuser/app",
            "index.docker.io/myuser/app:latest".to_owned(),
        ),
        (
            "ghcr.io/armorred/app:1.0",
            "ghcr.io/armorred/app:1.0".to_owned(),
        ),
        // Digest references drop the tag (what the mutating webhook's `repo:tag@sha256:…`
        // becomes).
        (
            &format!("ghcr.io/a/b:1@{digest}"),
            format!("ghcr.io/a/b@{digest}"),
        ),
        (
            &format!("busybox@{digest}"),
            format!("index.docker.io/library/busybox@{digest}"),
        ),
        (
            "registry.example.com:5000/ns/app:2",
            "registry.example.com:5000/ns/app:2".to_owned(),
        ),
        ("[::1]:5000/ns/app", "[::1]:5000/ns/app:latest".to_owned()),
        // go-containerregistry v0.21.3: `localhost` alone is not a registry yet.
        (
            "localhost/app",
            "index.docker.io/localhost/app:latest".to_owned(),
        ),
    ] {
        assert_eq!(
            reference_name(image).as_deref(),
            Ok(want.as_str()),
            "{image}"
        );
    }
    for bad in [
        "",
        "a", // v0.21.3: repositories have at least 2 characters
        "Busybox",
        "busybox:",
        "ghcr.io/a@sha256:abc",
        "ghcr.io/a@sha512:5504f2a95018e3d8a52d80d9e1a128c6ea337581808ff9fe96f5628ce2336350",
        "ghcr.io:x/a",
        "[1.2.3.4]:5000/a",
        "user@ghcr.io/a",
        "gh cr.io/a",
    ] {
        assert!(reference_name(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn kyverno_wildcard_upstream_table_every_case() {
    let cases = cases(KYVERNO);
    assert_eq!(cases.len(), 52);
    let failures: Vec<String> = cases
        .iter()
        .filter(|c| wildcard_match(text(c, "pattern"), text(c, "text")) != flag(c, "match"))
        .map(|c| format!("{c}"))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn kyverno_image_info_strings() {
    let cfg = RegistryConfig::default();
    let digest = "sha256:5504f2a95018e3d8a52d80d9e1a128c6ea337581808ff9fe96f5628ce2336350";
    for (image, want) in [
        ("busybox", "docker.io/busybox:latest".to_owned()),
        (
            "library/busybox:1",
            "docker.io/library/busybox:1".to_owned(),
        ),
        ("docker.io/busybox", "docker.io/busybox:latest".to_owned()),
        (
            "index.docker.io/busybox",
            "index.docker.io/busybox:latest".to_owned(),
        ),
        (
            "ghcr.io/armorred/app:1.0",
            "ghcr.io/armorred/app:1.0".to_owned(),
        ),
        (
            &format!("ghcr.io/a/b:1@{digest}"),
            format!("ghcr.io/a/b@{digest}"),
        ),
        ("localhost/app", "localhost/app:latest".to_owned()),
        ("[::1]:5000/app", "[::1]:5000/app:latest".to_owned()),
    ] {
        assert_eq!(
            image_info_string(image, &cfg).as_deref(),
            Ok(want.as_str()),
            "{image}"
        );
    }
    let no_mutation = RegistryConfig {
        enable_default_registry_mutation: false,
        ..RegistryConfig::default()
    };
    assert_eq!(
        image_info_string("busybox", &no_mutation).as_deref(),
        Ok("busybox:latest")
    );
    assert_eq!(
        image_info_string("ghcr.io/a", &no_mutation).as_deref(),
        Ok("ghcr.io/a:latest")
    );
    assert_eq!(
        image_info_string("Busybox", &cfg).unwrap_err().as_str(),
        "bad image: docker.io/Busybox, defaultRegistry: docker.io, \
         enableDefaultRegistryMutation: true: repository name must be lowercase"
    );
    assert!(image_info_string("ghcr.io/a@sha256:abc", &cfg).is_err());
}

#[test]
fn gobwas_globs_of_image_validating_policies() {
    let m = |p: &str, s: &str| image_validating_glob_match(p, s).unwrap();
    // Raw pod-spec strings: nothing is normalized.
    assert!(m("ghcr.io/armorred/*", "ghcr.io/armorred/team/app:1.0"));
    assert!(!m("ghcr.io/armorred/*", "ghcr.io/armorred:1.0"));
    assert!(m("busybox*", "busybox"));
    assert!(!m("docker.io/*", "busybox"));
    assert!(m("ghcr.io/**", "ghcr.io/a/b"));
    assert!(m("ghcr.io/a?b", "ghcr.io/a/b"));
    assert!(m("ghcr.io/{a,b}/app", "ghcr.io/b/app"));
    assert!(!m("ghcr.io/{a,b}/app", "ghcr.io/c/app"));
    assert!(m("ghcr.io/[a-c]pp", "ghcr.io/bpp"));
    assert!(m("ghcr.io/[!a-c]pp", "ghcr.io/zpp"));
    assert!(m("ghcr.io/[xy]", "ghcr.io/y"));
    assert!(m(r"a\*b", "a*b") && !m(r"a\*b", "axb"));
    assert!(m("", "") && !m("", "a"));
    // An unclosed `{` is accepted by gobwas's parser.
    assert!(m("{a,b", "b"));
    for (bad, msg) in [
        ("[", "unexpected end of input"),
        ("[]", "could not parse range"),
        ("[b-a]", "hi character 'a' should be greater than lo 'b'"),
        ("[a-bc]", "expected close range character"),
        ("x\u{FFFD}", "could not read rune"),
    ] {
        let e = GobwasGlob::compile(bad).unwrap_err();
        assert_eq!(e.as_str(), msg, "{bad:?}");
    }
}

/// Spec §19.2, "Computed on representative images": policy.json scope `ghcr.io/armorred`,
/// CIP globs `ghcr.io/armorred/**` and `ghcr.io/armorred/*`, the Kyverno string and Kyverno's
/// `ghcr.io/armorred/*`.
#[test]
fn side_by_side_table_of_the_spec() {
    let a = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let digest_image = format!("ghcr.io/armorred/app@{a}");
    let rows: [(&str, bool, bool, bool, bool); 5] = [
        ("ghcr.io/armorred/app:1.0", true, true, true, true),
        (&digest_image, true, true, true, true),
        ("ghcr.io/armorred/team/app:1.0", true, true, false, true),
        // The bare repository: only policy.json's prefix covers it.
        ("ghcr.io/armorred:1.0", true, false, false, false),
        ("ghcr.io/armorredx/app:1.0", false, false, false, false),
    ];
    let cfg = RegistryConfig::default();
    for (image, scope, cip_deep, cip_one, kyv) in rows {
        assert_eq!(
            scope_covers("ghcr.io/armorred", image),
            Ok(scope),
            "{image}"
        );
        assert_eq!(
            glob_match("ghcr.io/armorred/**", image),
            Ok(cip_deep),
            "{image}"
        );
        assert_eq!(
            glob_match("ghcr.io/armorred/*", image),
            Ok(cip_one),
            "{image}"
        );
        // The Kyverno string is the image itself for these fully qualified references.
        assert_eq!(image_info_string(image, &cfg).as_deref(), Ok(image));
        assert_eq!(
            cluster_policy_matches(&["ghcr.io/armorred/*"], image, &cfg),
            Ok(kyv),
            "{image}"
        );
    }

    // `busybox`: each world spells Docker Hub differently.
    assert_eq!(
        scope_covers("docker.io/library/busybox", "busybox"),
        Ok(true)
    );
    assert_eq!(scope_covers("docker.io/busybox", "busybox"), Ok(false));
    assert_eq!(
        glob_match("index.docker.io/library/busybox:*", "busybox"),
        Ok(true)
    );
    assert_eq!(
        glob_match("docker.io/library/busybox:*", "busybox"),
        Ok(false)
    );
    assert_eq!(
        image_info_string("busybox", &cfg).as_deref(),
        Ok("docker.io/busybox:latest")
    );
    assert_eq!(
        cluster_policy_matches(&["docker.io/library/busybox*"], "busybox", &cfg),
        Ok(false)
    );
    assert_eq!(
        cluster_policy_matches(&["docker.io/busybox*"], "busybox", &cfg),
        Ok(true)
    );

    // A registry with a port: policy-controller's `*` crosses ':'.
    let ported = "registry.example.com:5000/ns/app:2";
    assert_eq!(scope_covers("registry.example.com:5000", ported), Ok(true));
    assert_eq!(scope_covers("*.example.com", ported), Ok(true));
    assert_eq!(glob_match("*.example.com/**", ported), Ok(false));
    assert_eq!(glob_match("*.example.com:*/**", ported), Ok(true));
}

/// Spec §19.2 "Scope → pattern translation", first row: for a repository or namespace scope
/// `H/P` the CIP globs `H/P/**`, `H/P:*`, `H/P@*` together, and the Kyverno patterns `H/P/*`,
/// `H/P:*`, `H/P@*` together, cover exactly the images policy.json's scope covers.
#[test]
fn repository_scope_translations_are_exact() {
    let d = "sha256:5504f2a95018e3d8a52d80d9e1a128c6ea337581808ff9fe96f5628ce2336350";
    let images = [
        "ghcr.io/armorred".to_owned(),
        "ghcr.io/armorred:1.0".to_owned(),
        format!("ghcr.io/armorred@{d}"),
        "ghcr.io/armorred/app".to_owned(),
        "ghcr.io/armorred/app:1.0".to_owned(),
        format!("ghcr.io/armorred/app@{d}"),
        "ghcr.io/armorred/team/app:2".to_owned(),
        "ghcr.io/armorredx/app:1.0".to_owned(),
        "ghcr.io/armorredx".to_owned(),
        "ghcr.io/other/armorred".to_owned(),
        "ghcr.io/app".to_owned(),
    ];
    let cfg = RegistryConfig::default();
    for scope in ["ghcr.io/armorred", "ghcr.io/armorred/app"] {
        let cip = [
            format!("{scope}/**"),
            format!("{scope}:*"),
            format!("{scope}@*"),
        ];
        let kyv = [
            format!("{scope}/*"),
            format!("{scope}:*"),
            format!("{scope}@*"),
        ];
        let kyv: Vec<&str> = kyv.iter().map(String::as_str).collect();
        for image in &images {
            let want = scope_covers(scope, image).unwrap();
            let by_cip = cip.iter().any(|g| glob_match(g, image).unwrap());
            assert_eq!(by_cip, want, "CIP {scope} {image}");
            assert_eq!(
                cluster_policy_matches(&kyv, image, &cfg),
                Ok(want),
                "Kyverno {scope} {image}"
            );
        }
    }
}

#[test]
fn no_input_panics() {
    // Every pair over an alphabet of the characters the grammars care about.
    let alphabet = [
        "",
        "a",
        "A",
        "/",
        ":",
        "@",
        ".",
        "*",
        "**",
        "?",
        "[",
        "]",
        "!",
        "-",
        "{",
        "}",
        ",",
        "\\",
        "%",
        "#",
        "\0",
        "\u{FFFD}",
        "é",
        "[::1]",
        "sha256:",
        "docker.io",
        "5000",
    ];
    let cfg = RegistryConfig::default();
    for x in alphabet {
        for y in alphabet {
            for z in alphabet {
                let s = format!("{x}{y}{z}");
                let _ = glob_match(&s, &s);
                let _ = reference_name(&s);
                let _ = wildcard_match(&s, &s);
                let _ = image_info_string(&s, &cfg);
                let _ = image_validating_glob_match(&s, &s);
                let _ = scope_covers(&s, &s);
            }
        }
    }
}
