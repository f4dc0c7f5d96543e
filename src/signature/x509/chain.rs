//! Go's `(*x509.Certificate).Verify` with explicit roots (spec §12.7): the leaf's own checks,
//! chain building (roots before intermediates, candidates by subject and key ID, signature
//! then `isValid`, at most 100 signature checks), then the extended-key-usage filter over
//! whole chains. The error returned is the one Go returns, including which certificate's
//! failure becomes the "possibly because of" hint and Go's habit of returning the last
//! candidate's `isValid` error instead of "unknown authority".
//!
//! What policyctl does not evaluate — name constraints and policy constraints on a CA,
//! RSA-PSS and ECDSA P-224 certificate signatures — makes a chain [`ChainError::Unsupported`]:
//! rejected, never accepted, and explained as "cannot check yet".

use sha2::Digest;

use super::cert::{CertKey, Certificate, OID_EKU_ANY, OID_EKU_CODE_SIGNING, SignatureAlgorithm};
use crate::signature::keys::PublicKey;

/// `ecdsa.VerifyASN1` (strict DER) of `sig` over `digest`.
macro_rules! ecdsa_der {
    ($curve:ident, $key:expr, $digest:expr, $sig:expr) => {{
        use ecdsa::signature::hazmat::PrehashVerifier;
        $curve::ecdsa::Signature::from_der($sig)
            .is_ok_and(|s| $key.verify_prehash($digest, &s).is_ok())
    }};
}

/// A set of certificates (`x509.CertPool`): insertion order, duplicates (same DER) dropped.
#[derive(Debug, Clone, Default)]
pub struct CertPool {
    certs: Vec<Certificate>,
}

impl CertPool {
    /// Adds `c` unless the same certificate is already there.
    pub fn add(&mut self, c: Certificate) {
        if !self.certs.iter().any(|x| x.same(&c)) {
            self.certs.push(c);
        }
    }

    /// The number of certificates.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Whether the pool is empty.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// The certificates, in insertion order.
    pub fn certs(&self) -> &[Certificate] {
        &self.certs
    }

    fn contains(&self, c: &Certificate) -> bool {
        self.certs.iter().any(|x| x.same(c))
    }

    /// `findPotentialParents`: same subject as the child's issuer; key ID matches first,
    /// then one side without a key ID, then mismatches.
    fn potential_parents<'p>(&'p self, child: &Certificate) -> Vec<&'p Certificate> {
        let mut matching = Vec::new();
        let mut one = Vec::new();
        let mut mismatch = Vec::new();
        for c in self
            .certs
            .iter()
            .filter(|c| c.raw_subject == child.raw_issuer)
        {
            let (skid, akid) = (&c.subject_key_id, &child.authority_key_id);
            if skid == akid {
                matching.push(c);
            } else if skid.is_empty() != akid.is_empty() {
                one.push(c);
            } else {
                mismatch.push(c);
            }
        }
        matching.extend(one);
        matching.extend(mismatch);
        matching
    }
}

/// Why a certificate does not verify (Go's error texts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainError {
    UnhandledCriticalExtension,
    NameMismatch,
    /// Not valid at `now`: before `not_before` (`before`) or after `not_after`.
    Expired {
        now: i64,
        bound: i64,
        before: bool,
    },
    NotAuthorizedToSign,
    TooManyIntermediates,
    IncompatibleUsage,
    /// No chain to a root; the first candidate parent's failure, if any.
    UnknownAuthority {
        hint: Option<(Box<ChainError>, String)>,
    },
    SignatureLimit,
    /// `CheckSignatureFrom`: the parent may not sign certificates.
    ConstraintViolation,
    UnsupportedAlgorithm,
    InsecureAlgorithm(&'static str),
    KeyMismatch {
        expected: &'static str,
        got: &'static str,
    },
    BadSignature(&'static str),
    /// Something policyctl does not evaluate (fail closed).
    Unsupported(String),
}

impl std::fmt::Display for ChainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::json::gotime::format_rfc3339_utc as t;
        match self {
            ChainError::UnhandledCriticalExtension => {
                f.write_str("x509: unhandled critical extension")
            }
            ChainError::NameMismatch => {
                f.write_str("x509: issuer name does not match subject from issuing certificate")
            }
            ChainError::Expired { now, bound, before } => write!(
                f,
                "x509: certificate has expired or is not yet valid: current time {} is {} {}",
                t(*now),
                if *before { "before" } else { "after" },
                t(*bound)
            ),
            ChainError::NotAuthorizedToSign => {
                f.write_str("x509: certificate is not authorized to sign other certificates")
            }
            ChainError::TooManyIntermediates => {
                f.write_str("x509: too many intermediates for path length constraint")
            }
            ChainError::IncompatibleUsage => {
                f.write_str("x509: certificate specifies an incompatible key usage")
            }
            ChainError::UnknownAuthority { hint } => {
                f.write_str("x509: certificate signed by unknown authority")?;
                if let Some((e, name)) = hint {
                    use crate::json::gofmt::quote;
                    write!(
                        f,
                        " (possibly because of {} while trying to verify candidate authority certificate {})",
                        quote(&e.to_string()),
                        quote(name)
                    )?;
                }
                Ok(())
            }
            ChainError::SignatureLimit => f.write_str(
                "x509: signature check attempts limit reached while verifying certificate chain",
            ),
            ChainError::ConstraintViolation => f.write_str(
                "x509: invalid signature: parent certificate cannot sign this kind of certificate",
            ),
            ChainError::UnsupportedAlgorithm => {
                f.write_str("x509: cannot verify signature: algorithm unimplemented")
            }
            ChainError::InsecureAlgorithm(a) => {
                write!(f, "x509: cannot verify signature: insecure algorithm {a}")
            }
            ChainError::KeyMismatch { expected, got } => write!(
                f,
                "x509: signature algorithm specifies an {expected} public key, but have public key of type {got}"
            ),
            ChainError::BadSignature(s) => f.write_str(s),
            ChainError::Unsupported(s) => f.write_str(s),
        }
    }
}

impl ChainError {
    /// Whether policyctl rejected because it does not evaluate something (here or in the
    /// hint): containers/image might accept.
    pub fn is_unsupported(&self) -> bool {
        match self {
            ChainError::Unsupported(_) => true,
            ChainError::UnknownAuthority { hint: Some((e, _)) } => e.is_unsupported(),
            _ => false,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Leaf,
    Intermediate,
    Root,
}

/// What `Verify` is asked: roots, intermediates, the time (Unix seconds), and the
/// extended key usage `CodeSigning` (the only one c/image asks for).
pub struct VerifyOptions<'a> {
    pub roots: &'a CertPool,
    pub intermediates: &'a CertPool,
    pub now: i64,
}

/// A verified chain, leaf first.
pub type Chain<'a> = Vec<&'a Certificate>;

/// `leaf.Verify(opts)` with `KeyUsages: [CodeSigning]`: the chains found, or Go's error.
pub fn verify<'a>(
    leaf: &'a Certificate,
    opts: &VerifyOptions<'a>,
) -> Result<Vec<Chain<'a>>, ChainError> {
    is_valid(leaf, Role::Leaf, &[], opts.now)?;
    let candidates = if opts.roots.contains(leaf) {
        vec![vec![leaf]]
    } else {
        let mut checks = 0;
        build_chains(leaf, vec![leaf], &mut checks, opts, 0)?
    };
    let mut incompatible = 0;
    let mut unsupported = None;
    let chains: Vec<Chain<'a>> = candidates
        .into_iter()
        .filter(|chain| {
            if let Some(why) = unsupported_in(chain) {
                unsupported.get_or_insert(why);
                return false;
            }
            if !chain_allows_code_signing(chain) {
                incompatible += 1;
                return false;
            }
            true
        })
        .collect();
    if chains.is_empty() {
        if let Some(why) = unsupported {
            return Err(ChainError::Unsupported(why));
        }
        if incompatible > 0 {
            return Err(ChainError::IncompatibleUsage);
        }
        return Err(ChainError::UnknownAuthority { hint: None });
    }
    Ok(chains)
}

/// Constraints on a chain policyctl does not evaluate (Go's `policiesValid` and
/// `checkChainConstraints` would).
fn unsupported_in(chain: &[&Certificate]) -> Option<String> {
    if chain.iter().skip(1).any(|c| c.has_name_constraints) {
        return Some(
            "policyctl cannot check X.509 name constraints yet: rejected; containers/image might accept it"
                .into(),
        );
    }
    if chain.iter().any(|c| c.has_policy_constraints) {
        return Some(
            "policyctl cannot check X.509 certificate policy constraints yet: rejected; containers/image might accept it"
                .into(),
        );
    }
    None
}

/// `checkChainForKeyUsage` for `[CodeSigning]`: every certificate that lists extended key
/// usages must list CodeSigning or anyExtendedKeyUsage.
fn chain_allows_code_signing(chain: &[&Certificate]) -> bool {
    chain.iter().rev().all(|c| {
        c.ext_key_usage.is_empty()
            || c.ext_key_usage
                .iter()
                .any(|u| u == OID_EKU_ANY || u == OID_EKU_CODE_SIGNING)
    })
}

/// `isValid`.
fn is_valid(
    c: &Certificate,
    role: Role,
    chain: &[&Certificate],
    now: i64,
) -> Result<(), ChainError> {
    if !c.unhandled_critical.is_empty() {
        return Err(ChainError::UnhandledCriticalExtension);
    }
    if let Some(child) = chain.last()
        && child.raw_issuer != c.raw_subject
    {
        return Err(ChainError::NameMismatch);
    }
    if now < c.not_before {
        return Err(ChainError::Expired {
            now,
            bound: c.not_before,
            before: true,
        });
    }
    if now > c.not_after {
        return Err(ChainError::Expired {
            now,
            bound: c.not_after,
            before: false,
        });
    }
    if role == Role::Intermediate && (!c.basic_constraints_valid || !c.is_ca) {
        return Err(ChainError::NotAuthorizedToSign);
    }
    if c.basic_constraints_valid && c.max_path_len >= 0 {
        let intermediates = chain.len() as i64 - 1;
        if intermediates > c.max_path_len {
            return Err(ChainError::TooManyIntermediates);
        }
    }
    Ok(())
}

const MAX_SIGNATURE_CHECKS: usize = 100;

/// `buildChains`. Go assigns the outer `err` from each candidate's `isValid` and from each
/// recursive call, so the last such result wins when no chain was found.
fn build_chains<'a>(
    c: &'a Certificate,
    current: Vec<&'a Certificate>,
    checks: &mut usize,
    opts: &VerifyOptions<'a>,
    depth: usize,
) -> Result<Vec<Chain<'a>>, ChainError> {
    let mut chains: Vec<Chain<'a>> = Vec::new();
    let mut err: Option<ChainError> = None;
    let mut hint: Option<(ChainError, &Certificate)> = None;
    let roots = opts.roots.potential_parents(c);
    let intermediates = opts.intermediates.potential_parents(c);
    let candidates = roots
        .into_iter()
        .map(|p| (Role::Root, p))
        .chain(intermediates.into_iter().map(|p| (Role::Intermediate, p)));
    for (role, parent) in candidates {
        *checks += 1;
        if *checks > MAX_SIGNATURE_CHECKS || depth > MAX_SIGNATURE_CHECKS {
            err = Some(ChainError::SignatureLimit);
            break;
        }
        if matches!(parent.key, CertKey::Unknown) || already_in_chain(parent, &current) {
            continue;
        }
        if let Err(e) = check_signature_from(c, parent) {
            hint.get_or_insert((e, parent));
            continue;
        }
        if let Err(e) = is_valid(parent, role, &current, opts.now) {
            hint.get_or_insert((e.clone(), parent));
            err = Some(e);
            continue;
        }
        err = None;
        let mut next = current.clone();
        next.push(parent);
        match role {
            Role::Root => chains.push(next),
            _ => match build_chains(parent, next, checks, opts, depth + 1) {
                Ok(found) => chains.extend(found),
                Err(e) => err = Some(e),
            },
        }
    }
    if !chains.is_empty() {
        return Ok(chains);
    }
    Err(err.unwrap_or_else(|| ChainError::UnknownAuthority {
        hint: hint.map(|(e, cert)| (Box::new(e), cert.hint_name())),
    }))
}

/// `alreadyInChain`: same subject, same SPKI and same SAN (or both without).
fn already_in_chain(candidate: &Certificate, chain: &[&Certificate]) -> bool {
    chain.iter().any(|c| {
        c.raw_subject == candidate.raw_subject
            && c.raw_spki == candidate.raw_spki
            && match (candidate.san_value(), c.san_value()) {
                (None, None) => true,
                (Some(a), Some(b)) => a == b,
                _ => false,
            }
    })
}

/// `CheckSignatureFrom`.
fn check_signature_from(child: &Certificate, parent: &Certificate) -> Result<(), ChainError> {
    if (parent.version == 3 && !parent.basic_constraints_valid)
        || (parent.basic_constraints_valid && !parent.is_ca)
    {
        return Err(ChainError::ConstraintViolation);
    }
    const CERT_SIGN: u16 = 1 << 5;
    if parent.key_usage != 0 && parent.key_usage & CERT_SIGN == 0 {
        return Err(ChainError::ConstraintViolation);
    }
    check_signature(
        child.signature_algorithm,
        &child.raw_tbs,
        &child.signature,
        &parent.key,
    )
}

/// `checkSignature` (SHA-1 and MD5 refused).
fn check_signature(
    algo: SignatureAlgorithm,
    signed: &[u8],
    sig: &[u8],
    key: &CertKey,
) -> Result<(), ChainError> {
    use SignatureAlgorithm as A;
    #[derive(Clone, Copy, PartialEq)]
    enum Hash {
        None,
        S256,
        S384,
        S512,
    }
    let (hash, expected) = match algo {
        A::Unknown => return Err(ChainError::UnsupportedAlgorithm),
        A::Md5Rsa | A::Sha1Rsa | A::EcdsaSha1 | A::DsaSha1 => {
            return Err(ChainError::InsecureAlgorithm(algo.name()));
        }
        A::RsaPss => {
            return Err(ChainError::Unsupported(
                "policyctl cannot verify RSA-PSS certificate signatures yet: rejected; containers/image might accept it"
                    .into(),
            ));
        }
        A::Sha256Rsa => (Hash::S256, "RSA"),
        A::Sha384Rsa => (Hash::S384, "RSA"),
        A::Sha512Rsa => (Hash::S512, "RSA"),
        A::DsaSha256 => (Hash::S256, "DSA"),
        A::EcdsaSha256 => (Hash::S256, "ECDSA"),
        A::EcdsaSha384 => (Hash::S384, "ECDSA"),
        A::EcdsaSha512 => (Hash::S512, "ECDSA"),
        A::Ed25519 => (Hash::None, "Ed25519"),
    };
    let digest: Vec<u8> = match hash {
        Hash::None => Vec::new(),
        Hash::S256 => sha2::Sha256::digest(signed).to_vec(),
        Hash::S384 => sha2::Sha384::digest(signed).to_vec(),
        Hash::S512 => sha2::Sha512::digest(signed).to_vec(),
    };
    let key = match key {
        CertKey::Key(k) => k,
        CertKey::Unsupported("ECDSA P-224") => {
            return Err(ChainError::Unsupported(
                "policyctl cannot verify ECDSA P-224 certificate signatures: rejected; containers/image might accept it"
                    .into(),
            ));
        }
        _ => return Err(ChainError::UnsupportedAlgorithm),
    };
    let got = match key {
        PublicKey::Rsa(_) => ("RSA", "*rsa.PublicKey"),
        PublicKey::P256(_) | PublicKey::P384(_) | PublicKey::P521(_) => {
            ("ECDSA", "*ecdsa.PublicKey")
        }
        PublicKey::Ed25519(_) => ("Ed25519", "ed25519.PublicKey"),
    };
    if got.0 != expected {
        return Err(ChainError::KeyMismatch {
            expected,
            got: got.1,
        });
    }
    let ok = match key {
        PublicKey::Rsa(k) => {
            let scheme = match hash {
                Hash::S384 => rsa::pkcs1v15::Pkcs1v15Sign::new::<sha2::Sha384>(),
                Hash::S512 => rsa::pkcs1v15::Pkcs1v15Sign::new::<sha2::Sha512>(),
                _ => rsa::pkcs1v15::Pkcs1v15Sign::new::<sha2::Sha256>(),
            };
            if k.verify(scheme, &digest, sig).is_err() {
                return Err(ChainError::BadSignature("crypto/rsa: verification error"));
            }
            true
        }
        PublicKey::P256(k) => ecdsa_der!(p256, k, &digest, sig),
        PublicKey::P384(k) => ecdsa_der!(p384, k, &digest, sig),
        PublicKey::P521(k) => ecdsa_der!(p521, k, &digest, sig),
        PublicKey::Ed25519(k) => {
            let ok = ed25519_dalek::Signature::from_slice(sig).is_ok_and(|s| {
                use ed25519_dalek::Verifier;
                k.verify(signed, &s).is_ok()
            });
            if !ok {
                return Err(ChainError::BadSignature(
                    "x509: Ed25519 verification failure",
                ));
            }
            true
        }
    };
    if !ok {
        return Err(ChainError::BadSignature("x509: ECDSA verification failure"));
    }
    Ok(())
}

/// A certificate's SHA-256 fingerprint (hex), for explanations.
pub fn fingerprint(c: &Certificate) -> String {
    sha2::Sha256::digest(&c.raw)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
