//! Docker references (`docker.io/library/busybox:latest@sha256:…`) as c/image's fork of
//! docker/distribution `reference` parses and prints them (spec §2.1).
//!
//! The grammar is implemented by hand instead of with regular expressions: every production is
//! small, and a hand parser makes the Go regexps' leftmost-first choices explicit (a name is
//! first tried as `domain "/" path`, then as a bare path).

use std::fmt;

/// Longest `Name()` c/image accepts (`NameTotalLengthMax`).
pub const NAME_TOTAL_LENGTH_MAX: usize = 255;

/// An error from parsing a Docker reference; `Display` is c/image's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("invalid reference format")]
    InvalidFormat,
    #[error("repository name must be lowercase")]
    ContainsUppercase,
    #[error("repository name must have at least one component")]
    NameEmpty,
    #[error("repository name must not be more than 255 characters")]
    NameTooLong,
    #[error("repository name must be canonical")]
    NotCanonical,
    #[error("invalid reference format: repository name must be lowercase")]
    NormalizedUppercase,
    #[error("invalid repository name ({0}), cannot specify 64-byte hexadecimal strings")]
    HexIdentifier(String),
    #[error(transparent)]
    Digest(#[from] DigestError),
}

/// go-digest validation errors (`digest.Parse`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    #[error("invalid checksum digest format")]
    InvalidFormat,
    #[error("invalid checksum digest length")]
    InvalidLength,
    #[error("unsupported digest algorithm")]
    Unsupported,
}

/// A named Docker reference: `domain/path[:tag][@digest]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Named {
    domain: String,
    path: String,
    tag: Option<String>,
    digest: Option<String>,
}

impl Named {
    /// `reference.ParseNormalizedNamed`: the parser for user- and signature-supplied strings.
    pub fn parse_normalized(s: &str) -> Result<Named, ReferenceError> {
        if is_full_identifier(s) {
            return Err(ReferenceError::HexIdentifier(s.to_owned()));
        }
        let (domain, remainder) = split_docker_domain(s);
        let remote_name = match remainder.find(':') {
            Some(i) => &remainder[..i],
            None => &remainder[..],
        };
        if remote_name.to_lowercase() != remote_name {
            return Err(ReferenceError::NormalizedUppercase);
        }
        parse(&format!("{domain}/{remainder}"))
    }

    /// `reference.ParseNamed`: like [`Named::parse_normalized`], but the input must already be in
    /// the canonical, fully expanded form (used by `remapIdentity`).
    pub fn parse_canonical(s: &str) -> Result<Named, ReferenceError> {
        let named = Named::parse_normalized(s)?;
        if named.to_string() != s {
            return Err(ReferenceError::NotCanonical);
        }
        Ok(named)
    }

    /// `Name()`: `domain/path`, fully expanded.
    pub fn name(&self) -> String {
        if self.domain.is_empty() {
            self.path.clone()
        } else {
            format!("{}/{}", self.domain, self.path)
        }
    }

    /// The registry host[:port] (may be empty for odd inputs that only parse as a path).
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The repository path below the domain.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The tag, if any.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest (`algo:hex`), if any.
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// `reference.IsNameOnly`: neither tag nor digest.
    pub fn is_name_only(&self) -> bool {
        self.tag.is_none() && self.digest.is_none()
    }

    /// `reference.TagNameOnly`: adds `:latest` to a name-only reference.
    pub fn with_default_tag(mut self) -> Named {
        if self.is_name_only() {
            self.tag = Some("latest".to_owned());
        }
        self
    }

    /// The same repository without tag or digest.
    pub fn name_only(&self) -> Named {
        Named {
            domain: self.domain.clone(),
            path: self.path.clone(),
            tag: None,
            digest: None,
        }
    }
}

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.domain.is_empty() {
            write!(f, "{}/", self.domain)?;
        }
        f.write_str(&self.path)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// `splitDockerDomain`.
fn split_docker_domain(name: &str) -> (String, String) {
    let (mut domain, mut remainder) = match name.find('/') {
        Some(i) if name[..i].contains(['.', ':']) || &name[..i] == "localhost" => {
            (name[..i].to_owned(), name[i + 1..].to_owned())
        }
        _ => ("docker.io".to_owned(), name.to_owned()),
    };
    if domain == "index.docker.io" {
        domain = "docker.io".to_owned();
    }
    if domain == "docker.io" && !remainder.contains('/') {
        remainder = format!("library/{remainder}");
    }
    (domain, remainder)
}

/// `reference.Parse` (never returns a digest-only reference here: every caller passes a name).
fn parse(s: &str) -> Result<Named, ReferenceError> {
    let Some(parts) = match_reference(s) else {
        if s.is_empty() {
            return Err(ReferenceError::NameEmpty);
        }
        if match_reference(&s.to_lowercase()).is_some() {
            return Err(ReferenceError::ContainsUppercase);
        }
        return Err(ReferenceError::InvalidFormat);
    };
    if parts.name.len() > NAME_TOTAL_LENGTH_MAX {
        return Err(ReferenceError::NameTooLong);
    }
    let (domain, path) = split_name(parts.name).unwrap_or(("", parts.name));
    let digest = match parts.digest {
        Some(d) => {
            validate_digest(d)?;
            Some(d.to_owned())
        }
        None => None,
    };
    Ok(Named {
        domain: domain.to_owned(),
        path: path.to_owned(),
        tag: parts.tag.map(str::to_owned),
        digest,
    })
}

struct ReferenceParts<'a> {
    name: &'a str,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

/// `^(NameRegexp)(?::(TagRegexp))?(?:@(DigestRegexp))?$`.
fn match_reference(s: &str) -> Option<ReferenceParts<'_>> {
    // Neither name nor tag contains '@', and the digest grammar has none either.
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => {
            if !is_digest_grammar(d) {
                return None;
            }
            (r, Some(d))
        }
        None => (s, None),
    };
    // A ':' after the last '/' can only start a tag (a port is always followed by '/').
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].find(':') {
        Some(i) => {
            let at = last_slash + i;
            (&rest[..at], Some(&rest[at + 1..]))
        }
        None => (rest, None),
    };
    if let Some(t) = tag
        && !is_tag(t)
    {
        return None;
    }
    if !is_name(name) {
        return None;
    }
    Some(ReferenceParts { name, tag, digest })
}

/// `NameRegexp` fully matched: `[domain "/"] component ("/" component)*`.
pub fn is_name(s: &str) -> bool {
    split_name(s).is_some() || is_path(s)
}

/// The `(domain, path)` split of `anchoredNameRegexp`, preferring a domain as Go's leftmost-first
/// regexp does; `None` when `s` does not start with a valid `domain "/"` followed by a path.
fn split_name(s: &str) -> Option<(&str, &str)> {
    let (d, p) = s.split_once('/')?;
    (is_domain(d) && is_path(p)).then_some((d, p))
}

fn is_path(s: &str) -> bool {
    s.split('/').all(is_path_component)
}

/// `[a-z0-9]+((?:[._]|__|[-]*)[a-z0-9]+)*`.
fn is_path_component(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &b[start..i];
        let ok = sep == b"." || sep == b"_" || sep == b"__" || sep.iter().all(|&c| c == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// `DomainRegexp` fully matched: `component ("." component)* [":" [0-9]+]`.
pub fn is_domain(s: &str) -> bool {
    let (host, port) = match s.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    };
    if let Some(p) = port
        && (p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()))
    {
        return false;
    }
    host.split('.').all(|c| {
        let b = c.as_bytes();
        !b.is_empty()
            && b.iter().all(|&x| x.is_ascii_alphanumeric() || x == b'-')
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
    })
}

/// `TagRegexp`: `[\w][\w.-]{0,127}`.
pub fn is_tag(s: &str) -> bool {
    let b = s.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b[1..].iter().all(|&c| word(c) || c == b'.' || c == b'-')
}

/// `DigestRegexp`: `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}`.
fn is_digest_grammar(s: &str) -> bool {
    let Some((algo, hex)) = s.split_once(':') else {
        return false;
    };
    if hex.len() < 32 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return false;
    }
    algo.split(['-', '_', '+', '.']).all(|part| {
        let b = part.as_bytes();
        !b.is_empty() && b[0].is_ascii_alphabetic() && b.iter().all(u8::is_ascii_alphanumeric)
    })
}

/// go-digest `Digest.Validate` for the algorithms a Go binary links (sha256, sha384, sha512).
pub fn validate_digest(s: &str) -> Result<(), DigestError> {
    let i = match s.find(':') {
        Some(i) if i > 0 && i + 1 != s.len() => i,
        _ => return Err(DigestError::InvalidFormat),
    };
    let (algo, hex) = (&s[..i], &s[i + 1..]);
    let size = match algo {
        "sha256" => 32,
        "sha384" => 48,
        "sha512" => 64,
        _ => {
            return Err(if is_go_digest_anchored(s) {
                DigestError::Unsupported
            } else {
                DigestError::InvalidFormat
            });
        }
    };
    if hex.len() != size * 2 {
        return Err(DigestError::InvalidLength);
    }
    if !hex
        .bytes()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    {
        return Err(DigestError::InvalidFormat);
    }
    Ok(())
}

/// go-digest `DigestRegexpAnchored`: `^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`.
fn is_go_digest_anchored(s: &str) -> bool {
    let Some((algo, enc)) = s.split_once(':') else {
        return false;
    };
    let algo_ok = algo.split(['.', '+', '_', '-']).all(|p| {
        !p.is_empty()
            && p.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    });
    algo_ok
        && !enc.is_empty()
        && enc
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'=' || c == b'_' || c == b'-')
}

/// `reference.IsFullIdentifier`: exactly 64 lower-case hex digits (an image ID).
pub fn is_full_identifier(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// A valid digest string as go-digest's `digest.Parse` accepts it.
pub fn is_valid_digest(s: &str) -> bool {
    validate_digest(s).is_ok()
}

/// `validateIdentityRemappingPrefix` (signature/policy_config.go): a bare `host[:port]`, or a
/// name that starts with `host[:port]/`.
pub fn is_valid_remap_prefix(s: &str) -> bool {
    if is_domain(s) {
        return true;
    }
    is_name(s) && s.split_once('/').is_some_and(|(d, _)| is_domain(d))
}

#[cfg(test)]
mod tests;
