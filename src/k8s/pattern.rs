//! From a `policy.json` `docker` scope to the image patterns of each engine (spec §19.2 "Scope →
//! pattern translation"), and back.
//!
//! Every spelling under which an image of the scope can reach each engine's matcher must be
//! listed: policy-controller sees go-containerregistry's `index.docker.io/library/x:tag`,
//! Kyverno's `ClusterPolicy` `docker.io/x:tag` or `docker.io/library/x:tag` (as written),
//! `ImageValidatingPolicy` the raw pod-spec string (`x`, `library/x:1`, ...). Patterns are
//! checked by evaluating probe images through the ported matchers ([`crate::k8s::glob`]) and
//! the `policy.json` lookup in the drift tests.

/// The shape of a `docker` scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeShape {
    /// `*.example.com`: every host under the domain (`domain` = `example.com`).
    Wildcard {
        /// The domain after `*.`.
        domain: String,
    },
    /// `ghcr.io`, `localhost:5000`: every image of the registry.
    Host {
        /// The host (and port).
        host: String,
    },
    /// `ghcr.io/armorred`, `docker.io/library/busybox`: the repository or namespace and
    /// everything below it.
    Repo {
        /// host/path.
        name: String,
    },
    /// `ghcr.io/a/b:1`: images with this tag.
    Tagged {
        /// host/path.
        name: String,
        /// The tag.
        tag: String,
    },
    /// `ghcr.io/a/b@sha256:…`: this digest.
    Digest {
        /// host/path.
        name: String,
        /// `sha256:…`.
        digest: String,
    },
}

/// Classifies a scope key as c/image's lookup would use it.
pub fn shape(scope: &str) -> ScopeShape {
    if let Some(domain) = scope.strip_prefix("*.") {
        return ScopeShape::Wildcard {
            domain: domain.to_owned(),
        };
    }
    if let Some((name, digest)) = scope.split_once('@') {
        return ScopeShape::Digest {
            name: name.to_owned(),
            digest: digest.to_owned(),
        };
    }
    match scope.rfind('/') {
        None => ScopeShape::Host {
            host: scope.to_owned(),
        },
        Some(slash) => match scope[slash..].find(':') {
            Some(colon) => ScopeShape::Tagged {
                name: scope[..slash + colon].to_owned(),
                tag: scope[slash + colon + 1..].to_owned(),
            },
            None => ScopeShape::Repo {
                name: scope.to_owned(),
            },
        },
    }
}

/// The scopes strictly above `scope` in c/image's lookup order (`ghcr.io/a/b:1` →
/// `ghcr.io/a/b`, `ghcr.io/a`, `ghcr.io`, `*.io`), as `docker_identity` lists namespaces.
pub fn parents(scope: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut name = match shape(scope) {
        ScopeShape::Wildcard { domain } => {
            let mut d = domain;
            while let Some(i) = d.find('.') {
                d = d[i + 1..].to_owned();
                out.push(format!("*.{d}"));
            }
            return out;
        }
        ScopeShape::Tagged { name, .. } | ScopeShape::Digest { name, .. } => {
            out.push(name.clone());
            name
        }
        ScopeShape::Host { host } => host,
        ScopeShape::Repo { name } => name,
    };
    while let Some(i) = name.rfind('/') {
        name.truncate(i);
        out.push(name.clone());
    }
    if let Some(i) = name.find(':') {
        name.truncate(i);
    }
    while let Some(i) = name.find('.') {
        name = name[i + 1..].to_owned();
        out.push(format!("*.{name}"));
    }
    out
}

/// The engines whose patterns differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// policy-controller `images[].glob`.
    PolicyController,
    /// Kyverno `ClusterPolicy` `imageReferences`.
    KyvernoClusterPolicy,
    /// Kyverno `ImageValidatingPolicy` `matchImageReferences[].glob`.
    KyvernoImageValidating,
}

/// One image pattern: a glob, or (IVPOL only) a CEL expression over `ref`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// A glob in the engine's syntax.
    Glob(String),
    /// An `ImageValidatingPolicy` `expression` (one fixed shape: [`docker_hub_expression`]).
    Expression(String),
}

/// Docker Hub's spellings of repository `path` (below `docker.io/`) as they reach an engine:
/// `(prefix, nested)`: the prefix itself with a tag or digest, and with `nested` also the
/// repositories below it.
fn hub_spellings(engine: Engine, path: &str) -> Vec<(String, bool)> {
    let single = !path.contains('/');
    let short = path.strip_prefix("library/").filter(|s| !s.contains('/'));
    let mut out = Vec::new();
    match engine {
        Engine::PolicyController => out.push((format!("index.docker.io/{path}"), true)),
        Engine::KyvernoClusterPolicy => {
            // `ImageInfo.String()` keeps the registry as written (`index.docker.io` too).
            for host in ["docker.io/", "index.docker.io/"] {
                out.push((format!("{host}{path}"), true));
                if let Some(s) = short {
                    out.push((format!("{host}{s}"), false));
                }
            }
        }
        Engine::KyvernoImageValidating => {
            for host in ["docker.io/", "index.docker.io/", ""] {
                out.push((format!("{host}{path}"), true));
                if let Some(s) = short {
                    out.push((format!("{host}{s}"), false));
                }
            }
        }
    }
    if single {
        // `docker.io/u` written alone means `docker.io/library/u`: only what is below it
        // belongs to the namespace.
        out.retain(|(_, nested)| *nested);
    }
    out
}

/// Patterns matching, in `engine`'s syntax, the images the scope covers. Where they are
/// approximate (tags, wildcard domains in Kyverno), the exporter warns (X104, X114).
pub fn patterns(engine: Engine, scope: &str) -> Vec<Pattern> {
    let g = |s: String| Pattern::Glob(s);
    // `*` stops at '/' only in policy-controller, where `**` crosses it.
    let deep = match engine {
        Engine::PolicyController => "**",
        _ => "*",
    };
    match shape(scope) {
        ScopeShape::Wildcard { domain } => match engine {
            Engine::PolicyController => {
                vec![g(format!("*.{domain}/**")), g(format!("*.{domain}:*/**"))]
            }
            Engine::KyvernoClusterPolicy | Engine::KyvernoImageValidating => {
                vec![g(format!("*.{domain}/*")), g(format!("*.{domain}:*/*"))]
            }
        },
        ScopeShape::Host { host } if host == "docker.io" => match engine {
            Engine::PolicyController => vec![g("index.docker.io/**".into())],
            Engine::KyvernoClusterPolicy => {
                vec![g("docker.io/*".into()), g("index.docker.io/*".into())]
            }
            Engine::KyvernoImageValidating => vec![
                g("docker.io/*".into()),
                g("index.docker.io/*".into()),
                Pattern::Expression(docker_hub_expression()),
            ],
        },
        ScopeShape::Host { host } => vec![g(format!("{host}/{deep}"))],
        ScopeShape::Repo { name } => {
            let spellings = match name.strip_prefix("docker.io/") {
                Some(path) => hub_spellings(engine, path),
                None => vec![(name.clone(), true)],
            };
            // `docker.io/u` alone is `docker.io/library/u`: no tags or digests of its own.
            let single_hub = name
                .strip_prefix("docker.io/")
                .is_some_and(|path| !path.contains('/'));
            let mut out = Vec::new();
            for (prefix, nested) in spellings {
                if engine == Engine::KyvernoImageValidating && nested {
                    // The raw string of an untagged image is the bare name.
                    out.push(g(prefix.clone()));
                }
                if nested {
                    out.push(g(format!("{prefix}/{deep}")));
                }
                if !single_hub {
                    out.push(g(format!("{prefix}:*")));
                    out.push(g(format!("{prefix}@*")));
                }
                if engine == Engine::KyvernoImageValidating && !nested {
                    out.push(g(prefix.clone()));
                }
            }
            out
        }
        ScopeShape::Tagged { name, tag } => {
            let mut out = Vec::new();
            for p in spelled(engine, &name) {
                out.push(g(format!("{p}:{tag}")));
                if engine != Engine::KyvernoClusterPolicy {
                    out.push(g(format!("{p}:{tag}@*")));
                }
            }
            out
        }
        ScopeShape::Digest { name, digest } => {
            let mut out = Vec::new();
            for p in spelled(engine, &name) {
                out.push(g(format!("{p}@{digest}")));
                if engine == Engine::KyvernoImageValidating {
                    out.push(g(format!("{p}:*@{digest}")));
                }
            }
            out
        }
    }
}

/// The spellings of an exact repository name (no nesting) for `engine`.
fn spelled(engine: Engine, name: &str) -> Vec<String> {
    match name.strip_prefix("docker.io/") {
        Some(path) => hub_spellings(engine, path)
            .into_iter()
            .map(|(p, _)| p)
            .collect(),
        None => vec![name.to_owned()],
    }
}

/// The `ImageValidatingPolicy` expression for Docker Hub images written without a registry
/// (`busybox`, `library/busybox:1`, `user/app`): no `/`, or a first component without `.`/`:`
/// that is not `localhost` (distribution's rule).
pub fn docker_hub_expression() -> String {
    "ref.matches('^[^/]+$') || (ref.matches('^[^/.:]+/') && !ref.startsWith('localhost/'))"
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_parents() {
        assert_eq!(
            shape("ghcr.io/a/b:1"),
            ScopeShape::Tagged {
                name: "ghcr.io/a/b".into(),
                tag: "1".into()
            }
        );
        assert_eq!(
            shape("localhost:5000"),
            ScopeShape::Host {
                host: "localhost:5000".into()
            }
        );
        assert_eq!(
            shape("localhost:5000/a"),
            ScopeShape::Repo {
                name: "localhost:5000/a".into()
            }
        );
        assert_eq!(
            parents("ghcr.io/a/b:1"),
            ["ghcr.io/a/b", "ghcr.io/a", "ghcr.io", "*.io"]
        );
        assert_eq!(
            parents("registry.example.com:5000/x"),
            ["registry.example.com:5000", "*.example.com", "*.com"]
        );
        assert_eq!(parents("*.a.example.com"), ["*.example.com", "*.com"]);
        assert!(parents("localhost").is_empty());
    }
}
