//! Image-pattern matchers of the Kubernetes admission controllers, ported exactly (spec §19.2;
//! for gobwas globs only the syntax is exact, see [`kyverno::GobwasGlob`]), next to the
//! `policy.json` scope rule they are compared with:
//!
//! * [`policy_controller`]: `ClusterImagePolicy.spec.images[].glob` (`pkg/apis/glob/glob.go` of
//!   sigstore/policy-controller @ `f925c0c1`, with go-containerregistry v0.21.3 `pkg/name`, the
//!   version that commit builds with);
//! * [`kyverno`]: `ClusterPolicy` `imageReferences` (Kyverno's `ext/wildcard`, i.e.
//!   IGLOU-EU/go-wildcard v1.0.3, over `ImageInfo.String()` of `pkg/utils/image/infos.go`, which
//!   parses with distribution/reference v0.6.0) and `ImageValidatingPolicy`
//!   `matchImageReferences[].glob` (gobwas/glob v0.2.3 over the raw pod-spec string), kyverno @
//!   `111e07bb`;
//! * [`policy_json`]: whether a `docker` transport scope of `policy.json` covers an image (the
//!   existing c/image identity code).
//!
//! Upstream's test tables (`testdata/k8s/`) are run case by case in the unit tests. Nothing here
//! panics, whatever the input, and matching is polynomial (no exponential backtracking).

/// sigstore policy-controller: `glob.Match(glob, image)`.
///
/// The image is parsed with go-containerregistry `name.ParseReference(image, WeakValidation)`
/// and the glob is matched against `ref.Name()` (`index.docker.io/library/foo:latest`;
/// `repo@sha256:…` with any tag dropped); only if that fails and `Name()` differs from the image,
/// against the raw image string (upstream's deprecated fallback, which is why `foo` matches
/// the image `foo`). The glob is anchored; `*` is `[^/]*` (it crosses `:`, `@` and `.`), `**` is
/// `.*`; the bare globs `*` and `*/*` stand for `index.docker.io/library/*` and
/// `index.docker.io/*/*`. A glob with a character outside `[a-zA-Z0-9-_:/*.@]` (or an empty
/// one) is invalid: the admission webhook (`ValidateGlob`) refuses the same globs as `glob is
/// invalid: …` (its detail is `syntax error in pattern` instead of `invalid glob "…"` when the
/// glob is also a malformed `filepath.Match` pattern, e.g. `[`).
pub mod policy_controller {
    use crate::json::gofmt;

    crate::message_error!(
        /// go-containerregistry refused the image reference (`could not parse reference: …`,
        /// the only text `name.ParseReference` returns).
        BadName
    );

    /// Why [`glob_match`] could not answer; upstream returns an error (never a match) for both.
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum GlobError {
        /// `glob.Compile`: the glob is empty or has a character outside `[a-zA-Z0-9-_:/*.@]`.
        #[error("invalid glob {}", gofmt::quote(.0))]
        InvalidGlob(String),
        /// The image is not a reference go-containerregistry parses.
        #[error(transparent)]
        BadReference(#[from] BadName),
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Token {
        Char(char),
        /// `*` → `[^/]*`.
        Star,
        /// `**` → `.*` (Go's `.`: any character but `\n`).
        DoubleStar,
    }

    /// A compiled policy-controller glob (`glob.Compile`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Glob {
        tokens: Vec<Token>,
    }

    impl Glob {
        /// `glob.Compile`: the special cases `*` and `*/*`, the character check, then the
        /// translation (`**` pairs are taken left to right: `***` is `**` then `*`).
        pub fn compile(glob: &str) -> Result<Glob, GlobError> {
            let expanded = match glob {
                "*/*" => "index.docker.io/*/*",
                "*" => "index.docker.io/library/*",
                g => g,
            };
            let valid = |c: char| c.is_ascii_alphanumeric() || "-_:/*.@".contains(c);
            if expanded.is_empty() || !expanded.chars().all(valid) {
                return Err(GlobError::InvalidGlob(expanded.to_owned()));
            }
            let mut tokens = Vec::with_capacity(expanded.len());
            let mut chars = expanded.chars().peekable();
            while let Some(c) = chars.next() {
                tokens.push(match c {
                    '*' if chars.peek() == Some(&'*') => {
                        chars.next();
                        Token::DoubleStar
                    }
                    '*' => Token::Star,
                    c => Token::Char(c),
                });
            }
            Ok(Glob { tokens })
        }

        /// Whether the whole of `s` matches (the compiled `^…$` regexp's `MatchString`).
        pub fn is_match(&self, s: &str) -> bool {
            // Fast path: the literal characters before the first star must start the text.
            let mut rest = s.chars();
            for t in &self.tokens {
                match *t {
                    Token::Char(x) => {
                        if rest.next() != Some(x) {
                            return false;
                        }
                    }
                    _ => break,
                }
            }
            let n = self.tokens.len();
            // NFA simulation: `live[i]` = the first `i` tokens can have consumed the text so far.
            let mut live = vec![false; n + 1];
            let mut next = vec![false; n + 1];
            live[0] = true;
            self.close(&mut live);
            for c in s.chars() {
                next.iter_mut().for_each(|x| *x = false);
                for (i, t) in self.tokens.iter().enumerate() {
                    if !live[i] {
                        continue;
                    }
                    match *t {
                        Token::Char(x) if x == c => next[i + 1] = true,
                        Token::Star if c != '/' => next[i] = true,
                        Token::DoubleStar if c != '\n' => next[i] = true,
                        _ => {}
                    }
                }
                self.close(&mut next);
                if !next.contains(&true) {
                    return false;
                }
                std::mem::swap(&mut live, &mut next);
            }
            live[n]
        }

        /// Adds the states reachable by letting stars match nothing.
        fn close(&self, live: &mut [bool]) {
            for (i, t) in self.tokens.iter().enumerate() {
                if live[i] && matches!(t, Token::Star | Token::DoubleStar) {
                    live[i + 1] = true;
                }
            }
        }
    }

    /// `glob.Match(glob, image)`: the glob against `Name()`, then (deprecated fallback) against
    /// the raw image if that differs.
    pub fn glob_match(pattern: &str, image: &str) -> Result<bool, GlobError> {
        let glob = Glob::compile(pattern)?;
        let name = reference_name(image)?;
        Ok(glob.is_match(&name) || (name != image && glob.is_match(image)))
    }

    /// `name.ParseReference(image, name.WeakValidation).Name()` (go-containerregistry
    /// v0.21.3): `index.docker.io/library/foo:latest` for `foo`, `ghcr.io/a/b@sha256:…` for
    /// `ghcr.io/a/b:1@sha256:…`.
    pub fn reference_name(image: &str) -> Result<String, BadName> {
        new_tag(image)
            .map(|(repo, tag)| format!("{repo}:{tag}"))
            .or_else(|| new_digest(image))
            .ok_or_else(|| BadName(format!("could not parse reference: {image}")))
    }

    const DEFAULT_REGISTRY: &str = "index.docker.io";

    /// `name.NewTag` (weak validation): the repository's `Name()` and the tag.
    fn new_tag(name: &str) -> Option<(String, String)> {
        // The last ':'-separated part is a tag unless it contains '/' (then the ':' was a port).
        let (base, tag) = match name.rsplit_once(':') {
            Some((base, tag)) if !tag.contains('/') => {
                if tag.is_empty() {
                    return None;
                }
                (base, tag)
            }
            _ => (name, ""),
        };
        if !tag.is_empty()
            && !check_element(tag, 1, 128, |c| {
                c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'
            })
        {
            return None;
        }
        let tag = if tag.is_empty() { "latest" } else { tag };
        Some((new_repository(base)?, tag.to_owned()))
    }

    /// `name.NewDigest`: exactly one '@', a valid `sha256:` digest; the repository part may
    /// carry a tag, which is dropped.
    fn new_digest(name: &str) -> Option<String> {
        let mut parts = name.split('@');
        let (Some(base), Some(dig), None) = (parts.next(), parts.next(), parts.next()) else {
            return None;
        };
        let hex = dig.strip_prefix("sha256:")?;
        // go-digest `Algorithm.Validate`: length first, then `^[a-f0-9]{64}$`.
        if hex.len() != 64
            || !hex
                .bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        {
            return None;
        }
        let repo = match new_tag(base) {
            Some((repo_name, _)) => new_repository(&repo_name)?,
            None => new_repository(base)?,
        };
        Some(format!("{repo}@{dig}"))
    }

    /// `name.NewRepository` (weak validation), returning `Repository.Name()`.
    fn new_repository(name: &str) -> Option<String> {
        if name.is_empty() {
            return None;
        }
        // v0.21.3: the first component is a registry iff it contains '.' or ':' (later
        // versions also take `localhost`).
        let (registry, repo) = match name.split_once('/') {
            Some((reg, repo)) if reg.contains(['.', ':']) => (reg, repo),
            _ => ("", name),
        };
        // v0.21.3 requires at least 2 characters (later versions 1).
        if !check_element(repo, 2, 255, |c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || "_-./".contains(c)
        }) {
            return None;
        }
        if !url_authority_round_trips(registry) {
            return None;
        }
        let registry = match registry {
            "" | "docker.io" => DEFAULT_REGISTRY,
            r => r,
        };
        // `RepositoryStr`: Docker Hub repositories without a '/' live under `library/`.
        if !repo.contains('/') && registry == DEFAULT_REGISTRY {
            Some(format!("{registry}/library/{repo}"))
        } else {
            Some(format!("{registry}/{repo}"))
        }
    }

    /// `checkElement`: length in runes within bounds, every rune allowed.
    fn check_element(s: &str, min: usize, max: usize, allowed: impl Fn(char) -> bool) -> bool {
        let n = s.chars().count();
        (min..=max).contains(&n) && s.chars().all(allowed)
    }

    /// `checkRegistry`: Go's `url.Parse("//" + name)` succeeds and its `Host` is `name` again
    /// (Go 1.25/1.26 `net/url`, no scheme).
    fn url_authority_round_trips(name: &str) -> bool {
        // Control characters fail the parse; '#', '?', '@' cut the authority short; '%' is
        // either a bad escape or unescaped into something else.
        if name
            .bytes()
            .any(|b| b < 0x20 || b == 0x7f || b"#?@%".contains(&b))
        {
            return false;
        }
        match name.rfind('[') {
            Some(0) => {
                // An IP-literal: `[` IPv6 `]` and an optional `:port`.
                let Some(close) = name.rfind(']') else {
                    return false;
                };
                valid_optional_port(&name[close + 1..])
                    && name[1..close].bytes().all(host_byte_ok)
                    && name[1..close].parse::<std::net::Ipv6Addr>().is_ok()
            }
            Some(_) => false,
            None => {
                let port_ok = match name.rfind(':') {
                    Some(i) => valid_optional_port(&name[i..]),
                    None => true,
                };
                port_ok && name.bytes().all(|b| b >= 0x80 || host_byte_ok(b))
            }
        }
    }

    /// ASCII bytes `net/url` leaves unescaped in a host: unreserved, sub-delims, `:[]<>"`.
    fn host_byte_ok(b: u8) -> bool {
        b.is_ascii_alphanumeric() || b"-_.~!$&'()*+,;=:[]<>\"".contains(&b)
    }

    /// `validOptionalPort`: empty, or ':' followed by digits (possibly none).
    fn valid_optional_port(port: &str) -> bool {
        port.is_empty()
            || port
                .strip_prefix(':')
                .is_some_and(|p| p.bytes().all(|c| c.is_ascii_digit()))
    }
}

/// Kyverno: the legacy `ClusterPolicy` engine (`verifyImages[].imageReferences`,
/// `skipImageReferences`) and the CEL `ImageValidatingPolicy` (`matchImageReferences[].glob`).
pub mod kyverno {
    use crate::reference::docker::{ReferenceError, is_domain, is_name, is_tag, validate_digest};

    /// `wildcard.Match(pattern, name)` (IGLOU-EU/go-wildcard v1.0.3, MinIO's matcher, which
    /// Kyverno's `ext/wildcard` calls): `*` any run of characters (`/` included), `?` exactly
    /// one character, everything else literal, the whole name; an empty pattern matches only
    /// the empty name. Characters are Unicode scalar values (Go runes).
    pub fn wildcard_match(pattern: &str, name: &str) -> bool {
        if pattern.is_empty() {
            return name.is_empty();
        }
        let p: Vec<char> = pattern.chars().collect();
        let s: Vec<char> = name.chars().collect();
        // Greedy with one backtrack point (the last '*'): exact for '*' and '?' alone.
        let (mut i, mut j) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while i < s.len() {
            if p.get(j) == Some(&'*') {
                star = Some((j, i));
                j += 1;
            } else if p.get(j).is_some_and(|&c| c == '?' || c == s[i]) {
                i += 1;
                j += 1;
            } else if let Some((sj, si)) = star {
                star = Some((sj, si + 1));
                j = sj + 1;
                i = si + 1;
            } else {
                return false;
            }
        }
        p[j..].iter().all(|&c| c == '*')
    }

    /// The registry settings of Kyverno's `kyverno` ConfigMap that change the matched string.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RegistryConfig {
        /// `defaultRegistry` (default `docker.io`).
        pub default_registry: String,
        /// `enableDefaultRegistryMutation` (default `true`): when false, an image that had no
        /// registry is matched without one (`busybox:latest`).
        pub enable_default_registry_mutation: bool,
    }

    impl Default for RegistryConfig {
        fn default() -> Self {
            RegistryConfig {
                default_registry: "docker.io".to_owned(),
                enable_default_registry_mutation: true,
            }
        }
    }

    crate::message_error!(
        /// Kyverno could not parse the image (`GetImageInfo`'s `bad image: …` text).
        BadImage
    );

    /// The string a `ClusterPolicy` matches `imageReferences` against: `ImageInfo.String()` of
    /// `GetImageInfo(image)` — `<registry>/<path>@<digest>` when there is a digest (a tag is
    /// dropped), else `<registry>/<path>:<tag>` with tag `latest` by default. A first component
    /// that does not look like a registry gets the default registry, and Docker Hub paths are
    /// **not** given `library/`: `busybox` → `docker.io/busybox:latest`.
    pub fn image_info_string(image: &str, config: &RegistryConfig) -> Result<String, BadImage> {
        let full = add_default_registry(image, &config.default_registry);
        let r = parse(&full).map_err(|e| {
            BadImage(format!(
                "bad image: {full}, defaultRegistry: {}, enableDefaultRegistryMutation: {}: {e}",
                config.default_registry, config.enable_default_registry_mutation
            ))
        })?;
        let registry = if full != image && !config.enable_default_registry_mutation {
            ""
        } else {
            r.domain
        };
        // (`GetImageInfo` then moves a first path component containing '_' into `Registry`
        // when there is none; `String()` joins them with '/' again, so the text is unchanged.)
        let base = if registry.is_empty() {
            r.path.to_owned()
        } else {
            format!("{registry}/{}", r.path)
        };
        Ok(match (r.digest, r.tag) {
            (Some(d), _) => format!("{base}@{d}"),
            (None, Some(t)) => format!("{base}:{t}"),
            (None, None) => format!("{base}:latest"),
        })
    }

    /// Whether a `ClusterPolicy` `verifyImages` entry with these `imageReferences` applies to
    /// the image (any pattern matching [`image_info_string`]; `skipImageReferences` use the
    /// same test).
    pub fn cluster_policy_matches(
        image_references: &[&str],
        image: &str,
        config: &RegistryConfig,
    ) -> Result<bool, BadImage> {
        let s = image_info_string(image, config)?;
        Ok(image_references.iter().any(|p| wildcard_match(p, &s)))
    }

    /// `addDefaultRegistry`: prefix the default registry unless the first component contains
    /// '.' or ':', is `localhost`, or has upper-case letters.
    fn add_default_registry(name: &str, default_registry: &str) -> String {
        match name.find('/') {
            Some(i)
                if name[..i].contains(['.', ':'])
                    || &name[..i] == "localhost"
                    || name[..i].to_lowercase() != name[..i] =>
            {
                name.to_owned()
            }
            _ => format!("{default_registry}/{name}"),
        }
    }

    /// A reference as distribution/reference v0.6.0 `Parse` splits it.
    struct Parsed<'a> {
        domain: &'a str,
        path: &'a str,
        tag: Option<&'a str>,
        digest: Option<&'a str>,
    }

    /// distribution/reference v0.6.0 `Parse` (no normalization; IPv6 literal hosts allowed;
    /// the length limit applies to the path).
    fn parse(s: &str) -> Result<Parsed<'_>, ReferenceError> {
        let Some(r) = match_reference(s) else {
            if s.is_empty() {
                return Err(ReferenceError::NameEmpty);
            }
            if match_reference(&s.to_lowercase()).is_some() {
                return Err(ReferenceError::ContainsUppercase);
            }
            return Err(ReferenceError::InvalidFormat);
        };
        if r.path.len() > 255 {
            return Err(ReferenceError::NameTooLong);
        }
        if let Some(d) = r.digest {
            validate_digest(d)?;
        }
        Ok(r)
    }

    /// `ReferenceRegexp` with the name split by `anchoredNameRegexp` (a domain is preferred).
    fn match_reference(s: &str) -> Option<Parsed<'_>> {
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => {
                if !is_digest_grammar(d) {
                    return None;
                }
                (r, Some(d))
            }
            None => (s, None),
        };
        // Neither a path component nor a tag contains ':', and a port is followed by '/'.
        let last = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last..].find(':') {
            Some(i) => (&rest[..last + i], Some(&rest[last + i + 1..])),
            None => (rest, None),
        };
        if tag.is_some_and(|t| !is_tag(t)) {
            return None;
        }
        let (domain, path) = match name.split_once('/') {
            Some((d, p)) if is_host_and_port(d) && is_path(p) => (d, p),
            _ if is_path(name) => ("", name),
            _ => return None,
        };
        Some(Parsed {
            domain,
            path,
            tag,
            digest,
        })
    }

    /// `remoteName`: path components separated by '/'.
    fn is_path(s: &str) -> bool {
        // For a string without '/', `is_name` is exactly the path-component grammar.
        s.split('/').all(is_name)
    }

    /// `domainAndPort` of v0.6.0: a domain name or `[` IPv6 characters `]`, optional `:port`.
    fn is_host_and_port(s: &str) -> bool {
        let Some(rest) = s.strip_prefix('[') else {
            return is_domain(s);
        };
        let Some((v6, port)) = rest.split_once(']') else {
            return false;
        };
        !v6.is_empty()
            && v6.bytes().all(|c| c.is_ascii_hexdigit() || c == b':')
            && (port.is_empty()
                || port
                    .strip_prefix(':')
                    .is_some_and(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit())))
    }

    /// `DigestRegexp`: `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}`.
    fn is_digest_grammar(s: &str) -> bool {
        let Some((algo, hex)) = s.split_once(':') else {
            return false;
        };
        hex.len() >= 32
            && hex.bytes().all(|c| c.is_ascii_hexdigit())
            && algo.split(['-', '_', '+', '.']).all(|part| {
                part.as_bytes()
                    .first()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                    && part.bytes().all(|c| c.is_ascii_alphanumeric())
            })
    }

    pub use gobwas::{GobwasError, GobwasGlob, image_validating_glob_match};

    /// `ImageValidatingPolicy.spec.matchImageReferences[].glob`: gobwas/glob v0.2.3
    /// `glob.Compile(pattern)` (no separators) matched against the raw pod-spec image string.
    mod gobwas {
        crate::message_error!(
            /// `glob.Compile` refused the pattern (gobwas's text); Kyverno reports it as an
            /// invalid `glob` field.
            GobwasError
        );

        /// A compiled gobwas glob without separators: `*` and `**` any run of characters, `?`
        /// one character, `[abc]` `[a-z]` `[!…]` one character of (not of) a set, `{a,b}`
        /// alternatives (nesting allowed), `\` escapes the next character.
        ///
        /// The syntax (lexer, parser, compile errors) is ported exactly; matching follows what the
        /// syntax means, **not** gobwas's optimizing compiler bug for bug. Differential runs
        /// against the real library found it departs from its own syntax in corner cases: a pattern
        /// that is a lone `?` or negated set (`[!a]`) also matches the empty string;
        /// `prefix*suffix` lets prefix and suffix overlap (`ghcr.io*ghcr.io` matches `ghcr.io`);
        /// alternatives holding `?` or stars (`{?,*a}`, `{*,**}`), empty alternatives (`{}`,
        /// `{a,}`, an unclosed `{`) next to `*`, and non-ASCII text (byte/rune mix-ups, even
        /// panics) give other results. The pattern shapes of spec §19.2's translation table
        /// (`H/P/*`, `H/P:*`, `H/P@*`, `H/P:T`, `H/P@sha256:D`, `H/P:*@sha256:D`, `*.D/*`, bare
        /// `x`, `x:*`, `x@*`) agreed on every one of 40,000 generated cases.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct GobwasGlob {
            root: Vec<Node>,
        }

        #[derive(Debug, Clone, PartialEq, Eq)]
        enum Node {
            Text(Vec<char>),
            /// `*` and `**`: without separators both match any run.
            Any,
            Single,
            Range {
                lo: char,
                hi: char,
                not: bool,
            },
            List {
                chars: Vec<char>,
                not: bool,
            },
            AnyOf(Vec<Vec<Node>>),
        }

        /// `glob.Compile(pattern).Match(image)`.
        pub fn image_validating_glob_match(
            pattern: &str,
            image: &str,
        ) -> Result<bool, GobwasError> {
            Ok(GobwasGlob::compile(pattern)?.is_match(image))
        }

        impl GobwasGlob {
            /// `glob.Compile(pattern)`: the lexer and parser of `syntax/lexer` and
            /// `syntax/ast`, with their quirks (a NUL character ends the pattern where a token
            /// starts, U+FFFD is refused as unreadable, an unclosed `{` is accepted).
            pub fn compile(pattern: &str) -> Result<GobwasGlob, GobwasError> {
                let tokens = lex(pattern);
                parse(&tokens).map(|root| GobwasGlob { root })
            }

            /// Whether the whole string matches.
            pub fn is_match(&self, s: &str) -> bool {
                let text: Vec<char> = s.chars().collect();
                let mut start = vec![false; text.len() + 1];
                start[0] = true;
                ends(&self.root, start, &text)[text.len()]
            }
        }

        /// The positions where `seq` can end when started at any position set in `from`.
        fn ends(seq: &[Node], mut from: Vec<bool>, text: &[char]) -> Vec<bool> {
            for node in seq {
                let mut to = vec![false; text.len() + 1];
                match node {
                    Node::Any => {
                        if let Some(first) = from.iter().position(|&b| b) {
                            to[first..].fill(true);
                        }
                    }
                    Node::AnyOf(alternatives) => {
                        for alt in alternatives {
                            for (t, e) in to.iter_mut().zip(ends(alt, from.clone(), text)) {
                                *t |= e;
                            }
                        }
                    }
                    Node::Text(lit) => {
                        for (i, _) in from.iter().enumerate().filter(|(_, b)| **b) {
                            if text.get(i..i + lit.len()) == Some(lit.as_slice()) {
                                to[i + lit.len()] = true;
                            }
                        }
                    }
                    one => {
                        for (i, &c) in text.iter().enumerate() {
                            let ok = match one {
                                Node::Range { lo, hi, not } => (*lo <= c && c <= *hi) != *not,
                                Node::List { chars, not } => chars.contains(&c) != *not,
                                _ => true,
                            };
                            if from[i] && ok {
                                to[i + 1] = true;
                            }
                        }
                    }
                }
                if !to.contains(&true) {
                    return to;
                }
                from = to;
            }
            from
        }

        #[derive(Debug, Clone, PartialEq, Eq)]
        enum Tok {
            Eof,
            Error(String),
            Text(Vec<char>),
            Any,
            Super,
            Single,
            Not,
            Separator,
            RangeOpen,
            RangeClose,
            RangeLo(char),
            RangeBetween,
            RangeHi(char),
            TermsOpen,
            TermsClose,
        }

        /// Go's lexer reads rune 0 as end of input.
        const EOF: char = '\0';

        /// `syntax/lexer`: the token stream up to the first `EOF` or `Error` (included).
        fn lex(pattern: &str) -> Vec<Tok> {
            let mut l = Lexer {
                data: pattern.chars().collect(),
                pos: 0,
                err: None,
                queue: std::collections::VecDeque::new(),
                terms_level: 0,
                last: EOF,
                last_size: 0,
                has_rune: false,
            };
            let mut out = Vec::new();
            loop {
                let t = l.next();
                let end = matches!(t, Tok::Eof | Tok::Error(_));
                out.push(t);
                if end {
                    return out;
                }
            }
        }

        struct Lexer {
            data: Vec<char>,
            pos: usize,
            err: Option<String>,
            queue: std::collections::VecDeque<Tok>,
            terms_level: usize,
            last: char,
            last_size: usize,
            has_rune: bool,
        }

        impl Lexer {
            fn next(&mut self) -> Tok {
                loop {
                    if let Some(e) = &self.err {
                        return Tok::Error(e.clone());
                    }
                    if let Some(t) = self.queue.pop_front() {
                        return t;
                    }
                    self.fetch_item();
                }
            }

            fn peek(&mut self) -> (char, usize) {
                match self.data.get(self.pos) {
                    None => (EOF, 0),
                    // `utf8.DecodeRuneInString` gives RuneError, which the lexer refuses.
                    Some('\u{FFFD}') => {
                        self.err = Some("could not read rune".to_owned());
                        (EOF, 0)
                    }
                    Some(&c) => (c, 1),
                }
            }

            fn read(&mut self) -> char {
                if self.has_rune {
                    self.has_rune = false;
                    self.pos += self.last_size;
                    return self.last;
                }
                let (r, s) = self.peek();
                self.pos += s;
                self.last = r;
                self.last_size = s;
                r
            }

            fn unread(&mut self) {
                if self.has_rune {
                    self.err = Some("could not unread rune".to_owned());
                    return;
                }
                self.pos -= self.last_size;
                self.has_rune = true;
            }

            fn fetch_item(&mut self) {
                let r = self.read();
                match r {
                    EOF => self.queue.push_back(Tok::Eof),
                    '{' => {
                        self.terms_level += 1;
                        self.queue.push_back(Tok::TermsOpen);
                    }
                    ',' if self.terms_level > 0 => self.queue.push_back(Tok::Separator),
                    '}' if self.terms_level > 0 => {
                        self.queue.push_back(Tok::TermsClose);
                        self.terms_level -= 1;
                    }
                    '[' => {
                        self.queue.push_back(Tok::RangeOpen);
                        self.fetch_range();
                    }
                    '?' => self.queue.push_back(Tok::Single),
                    '*' => {
                        if self.read() == '*' {
                            self.queue.push_back(Tok::Super);
                        } else {
                            self.unread();
                            self.queue.push_back(Tok::Any);
                        }
                    }
                    _ => {
                        self.unread();
                        let breakers: &[char] = if self.terms_level > 0 {
                            &['?', '*', '[', '{', '}', ',']
                        } else {
                            &['?', '*', '[', '{']
                        };
                        self.fetch_text(breakers);
                    }
                }
            }

            fn fetch_range(&mut self) {
                let (mut want_hi, mut want_close, mut seen_not) = (false, false, false);
                loop {
                    let r = self.read();
                    if r == EOF {
                        self.err = Some("unexpected end of input".to_owned());
                        return;
                    }
                    if want_close {
                        if r != ']' {
                            self.err = Some("expected close range character".to_owned());
                        } else {
                            self.queue.push_back(Tok::RangeClose);
                        }
                        return;
                    }
                    if want_hi {
                        self.queue.push_back(Tok::RangeHi(r));
                        want_close = true;
                        continue;
                    }
                    if !seen_not && r == '!' {
                        self.queue.push_back(Tok::Not);
                        seen_not = true;
                        continue;
                    }
                    let (n, w) = self.peek();
                    if n == '-' {
                        self.pos += w;
                        self.queue.push_back(Tok::RangeLo(r));
                        self.queue.push_back(Tok::RangeBetween);
                        want_hi = true;
                        continue;
                    }
                    self.unread();
                    self.fetch_text(&[']']);
                    want_close = true;
                }
            }

            fn fetch_text(&mut self, breakers: &[char]) {
                let mut data = Vec::new();
                let mut escaped = false;
                loop {
                    let r = self.read();
                    if r == EOF {
                        break;
                    }
                    if !escaped {
                        if r == '\\' {
                            escaped = true;
                            continue;
                        }
                        if breakers.contains(&r) {
                            self.unread();
                            break;
                        }
                    }
                    escaped = false;
                    data.push(r);
                }
                if !data.is_empty() {
                    self.queue.push_back(Tok::Text(data));
                }
            }
        }

        /// `syntax/ast.Parse`: builds the tree; `{` opens alternatives, `,` starts the next
        /// one, `}` closes them.
        fn parse(tokens: &[Tok]) -> Result<Vec<Node>, GobwasError> {
            // The open patterns, innermost last: `stack[0]` is the root; each deeper entry is
            // an `AnyOf`'s alternatives being built (the last one is the current pattern).
            let mut root: Vec<Node> = Vec::new();
            let mut stack: Vec<Vec<Vec<Node>>> = Vec::new();
            let mut it = tokens.iter();
            fn current<'a>(
                root: &'a mut Vec<Node>,
                stack: &'a mut [Vec<Vec<Node>>],
            ) -> &'a mut Vec<Node> {
                match stack.last_mut().and_then(|alts| alts.last_mut()) {
                    Some(p) => p,
                    None => root,
                }
            }
            loop {
                let Some(t) = it.next() else {
                    return Err(GobwasError::from("unexpected end"));
                };
                match t {
                    Tok::Eof => break,
                    Tok::Error(e) => return Err(GobwasError(e.clone())),
                    Tok::Text(s) => current(&mut root, &mut stack).push(Node::Text(s.clone())),
                    Tok::Any | Tok::Super => current(&mut root, &mut stack).push(Node::Any),
                    Tok::Single => current(&mut root, &mut stack).push(Node::Single),
                    Tok::RangeOpen => {
                        let node = parse_range(&mut it)?;
                        current(&mut root, &mut stack).push(node);
                    }
                    Tok::TermsOpen => stack.push(vec![Vec::new()]),
                    Tok::Separator => match stack.last_mut() {
                        Some(alts) => alts.push(Vec::new()),
                        None => return Err(GobwasError::from("unexpected token: separator")),
                    },
                    Tok::TermsClose => match stack.pop() {
                        Some(alts) => current(&mut root, &mut stack).push(Node::AnyOf(alts)),
                        None => return Err(GobwasError::from("unexpected token: terms close")),
                    },
                    other => {
                        return Err(GobwasError(format!("unexpected token: {other:?}")));
                    }
                }
            }
            // Unclosed `{`: the parser just stops; the alternatives are in the tree already.
            while let Some(alts) = stack.pop() {
                current(&mut root, &mut stack).push(Node::AnyOf(alts));
            }
            Ok(root)
        }

        /// `parserRange`, after `RangeOpen`.
        fn parse_range<'a>(it: &mut impl Iterator<Item = &'a Tok>) -> Result<Node, GobwasError> {
            let (mut not, mut lo, mut hi, mut chars) = (false, EOF, EOF, Vec::new());
            loop {
                match it.next() {
                    None | Some(Tok::Eof) => return Err(GobwasError::from("unexpected end")),
                    Some(Tok::Error(e)) => return Err(GobwasError(e.clone())),
                    Some(Tok::Not) => not = true,
                    Some(Tok::RangeLo(c)) => lo = *c,
                    Some(Tok::RangeHi(c)) => {
                        hi = *c;
                        if hi < lo {
                            return Err(GobwasError(format!(
                                "hi character '{hi}' should be greater than lo '{lo}'"
                            )));
                        }
                    }
                    Some(Tok::Text(s)) => chars = s.clone(),
                    Some(Tok::RangeClose) => {
                        let is_range = lo != EOF && hi != EOF;
                        if is_range != chars.is_empty() {
                            return Err(GobwasError::from("could not parse range"));
                        }
                        return Ok(if is_range {
                            Node::Range { lo, hi, not }
                        } else {
                            Node::List { chars, not }
                        });
                    }
                    Some(_) => {}
                }
            }
        }
    }
}

/// `policy.json`: does a `docker` transport scope apply to an image?
pub mod policy_json {
    use crate::compat::Compat;
    use crate::reference::transport::{ImageRef, ImageRefError, docker_identity};

    /// Whether the `docker` transport scope `scope` (`ghcr.io/armorred`,
    /// `docker.io/library/busybox`, `*.example.com`, `ghcr.io/a/b:1`, …) covers the image
    /// reference `image` as written in a pod spec: the scope equals the image's policy identity
    /// (`docker.io/library/busybox:latest`) or one of its namespaces
    /// (`docker.io/library/busybox`, `docker.io/library`, `docker.io`, `*.io`), exactly as
    /// c/image looks it up (`docker://IMAGE`, spec §3). This says whether the scope *can* apply;
    /// which scope does apply is the most specific one present in the policy
    /// ([`crate::policy::scope::requirements_for`]). The `""` scope (transport default) is not
    /// a namespace and never covers here.
    pub fn scope_covers(scope: &str, image: &str) -> Result<bool, ImageRefError> {
        let (_, r) = ImageRef::parse(&format!("docker://{image}"), Compat::Current)?;
        let Some(named) = r.docker_reference() else {
            return Ok(false);
        };
        let id = docker_identity(named);
        Ok(id.identity == scope || id.namespaces.iter().any(|n| n == scope))
    }
}

#[cfg(test)]
mod tests;
