//! `sigstoreSigned` with `fulcio` (keyless) and `pki` (spec §12, §14): the certificate in the
//! signature's annotations must chain, by Go's rules, to the policy's CA certificates — at the
//! Rekor SET's integrated time for Fulcio, at now for PKI —, name the required identity, and
//! its key must have made the signature. c/image's order of checks and texts throughout.
//! Pure: CA files come through the [`KeyLoader`]; nothing is fetched.

use std::cell::OnceCell;

use super::rekor::{load_rekor_keys, verify_rekor_set};
use crate::compat::Compat;
use crate::json::gofmt;
use crate::json::gotime::format_rfc3339_utc;
use crate::policy::model::{CaSource, Fulcio, KeySource, Pki};
use crate::signature::blob::{
    BUNDLE_ANNOTATION, CERTIFICATE_ANNOTATION, CHAIN_ANNOTATION, SIGNATURE_ANNOTATION, Sigstore,
};
use crate::signature::keys::{LoadedKey, sha256_digest};
use crate::signature::rejection::{CertificateStep, Rejection};
use crate::signature::verifier::{KeyLoader, Verifier};
use crate::signature::verify::{CertificateSigner, RekorEntry, Signer, Verified, verify_sigstore};
use crate::signature::x509::cert::{CertKey, Certificate, OID_SAN};
use crate::signature::x509::chain::{self, CertPool, ChainError, VerifyOptions};
use crate::signature::x509::{self, der, hostname};

fn fail(step: CertificateStep, message: impl Into<String>) -> Rejection {
    Rejection::Certificate {
        step,
        message: message.into(),
        unsupported: false,
    }
}

/// The bytes of a CA source (`caPath` read through the loader, or `caData`).
fn ca_bytes(src: &CaSource, loader: &dyn KeyLoader) -> Result<Vec<u8>, Rejection> {
    match src {
        CaSource::Path(p) => loader.read_key(p).map_err(Rejection::KeyFile),
        CaSource::Data(d) => Ok(d.clone()),
    }
}

/// A pool of the certificates `AppendCertsFromPEM` accepts; none is `error`.
fn lenient_pool(data: &[u8], error: &str) -> Result<CertPool, Rejection> {
    let mut pool = CertPool::default();
    if x509::append_certs_from_pem(&mut pool, data) == 0 {
        return Err(fail(CertificateStep::TrustRoot, error));
    }
    Ok(pool)
}

/// The chain annotation's certificates except the last (the root, never trusted from the
/// signature), added to `pool`.
fn add_chain_annotation(s: &Sigstore, pool: &mut CertPool) -> Result<(), Rejection> {
    let Some(chain) = s.annotations.get(CHAIN_ANNOTATION) else {
        return Ok(());
    };
    if chain.is_empty() {
        return Ok(());
    }
    let mut certs = x509::unmarshal_certificates_from_pem(chain.as_bytes()).map_err(|e| {
        fail(
            CertificateStep::ChainAnnotation,
            format!("loading certificate chain: {e}"),
        )
    })?;
    certs.pop();
    for c in certs {
        pool.add(c);
    }
    Ok(())
}

fn leaf(s: &Sigstore) -> Result<Certificate, Rejection> {
    let pem = s
        .annotations
        .get(CERTIFICATE_ANNOTATION)
        .map_or(&[][..], |c| c.as_bytes());
    x509::parse_leaf_cert_from_pem(pem).map_err(|e| fail(CertificateStep::LeafCertificate, e.0))
}

fn chain_failure(e: ChainError) -> Rejection {
    Rejection::Certificate {
        step: CertificateStep::Chain,
        unsupported: e.is_unsupported(),
        message: format!("veryfing leaf certificate failed: {e}"),
    }
}

/// `Required email "x" not found (got ["a" "b"])` unless `want` is one of the SAN e-mails.
fn check_email(leaf: &Certificate, want: &str) -> Result<(), Rejection> {
    if leaf.email_addresses.iter().any(|e| e == want) {
        return Ok(());
    }
    let got: Vec<String> = leaf
        .email_addresses
        .iter()
        .map(|e| gofmt::quote(e))
        .collect();
    Err(fail(
        CertificateStep::SubjectEmail,
        format!(
            "Required email {} not found (got [{}])",
            gofmt::quote(want),
            got.join(" ")
        ),
    ))
}

/// `fulcioIssuerInCertificate`: the OIDC issuer from the v1 (raw) and v2 (DER string)
/// extensions, which must agree when both are present.
pub fn fulcio_issuer(leaf: &Certificate) -> Result<String, IssuerError> {
    const V1: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x01];
    const V2: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x08];
    let mut v1 = None;
    let mut v2 = None;
    for e in &leaf.extensions {
        if e.oid == V1 {
            v1 = Some(String::from_utf8_lossy(&e.value).into_owned());
        } else if e.oid == V2 {
            v2 = Some(asn1_string(&e.value).map_err(IssuerError)?);
        }
    }
    match (v1, v2) {
        (Some(a), Some(b)) if a != b => Err(IssuerError(format!(
            "inconsistent OIDC issuer extension values: v1 {}, v2 {}",
            gofmt::quote(&a),
            gofmt::quote(&b)
        ))),
        (Some(a), _) => Ok(a),
        (None, Some(b)) => Ok(b),
        (None, None) => Err("Fulcio certificate is missing the issuer extension".into()),
    }
}

crate::message_error! {
    /// Why the OIDC issuer could not be read from a Fulcio certificate (c/image's text).
    IssuerError
}

/// Go's `asn1.Unmarshal(value, &string)`: one string element (UTF8String, PrintableString,
/// IA5String, T61String, NumericString, BMPString, GeneralString) and nothing after it.
fn asn1_string(value: &[u8]) -> Result<String, String> {
    let mut r = der::Reader(value);
    let Some(el) = r.read_any() else {
        return Err(
            "invalid ASN.1 in OIDC issuer v2 extension: asn1: syntax error: data truncated".into(),
        );
    };
    let bad = |what: &str| format!("invalid ASN.1 in OIDC issuer v2 extension: asn1: {what}");
    let s = match el.tag {
        der::UTF8_STRING => std::str::from_utf8(el.contents)
            .map(str::to_owned)
            .map_err(|_| bad("syntax error: invalid UTF-8 string"))?,
        der::PRINTABLE_STRING => {
            let ok = el.contents.iter().all(|&b| {
                b.is_ascii_alphanumeric()
                    || (b'\''..=b')').contains(&b)
                    || (b'+'..=b'/').contains(&b)
                    || matches!(b, b' ' | b':' | b'=' | b'?' | b'*' | b'&')
            });
            if !ok {
                return Err(bad(
                    "syntax error: PrintableString contains invalid character",
                ));
            }
            String::from_utf8_lossy(el.contents).into_owned()
        }
        der::IA5_STRING => {
            if !el.contents.is_ascii() {
                return Err(bad("syntax error: IA5String contains invalid character"));
            }
            String::from_utf8_lossy(el.contents).into_owned()
        }
        der::NUMERIC_STRING => {
            if !el.contents.iter().all(|&b| b.is_ascii_digit() || b == b' ') {
                return Err(bad(
                    "syntax error: NumericString contains invalid character",
                ));
            }
            String::from_utf8_lossy(el.contents).into_owned()
        }
        // T61String and GeneralString: Go keeps the bytes as they are.
        der::T61_STRING | 0x1b => String::from_utf8_lossy(el.contents).into_owned(),
        der::BMP_STRING => {
            if !el.contents.len().is_multiple_of(2) {
                return Err(bad("structure error: invalid BMPString"));
            }
            let units: Vec<u16> = el
                .contents
                .chunks_exact(2)
                .map(|c| u16::from(c[0]) << 8 | u16::from(c[1]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        t => {
            return Err(bad(&format!(
                "structure error: tags don't match (19 vs {{class:{} tag:{} length:{} isCompound:{}}}) {{optional:false explicit:false application:false private:false defaultValue:<nil> tag:<nil> stringType:0 timeType:0 set:false omitEmpty:false}} string @2",
                t >> 6,
                t & 0x1f,
                el.contents.len(),
                t & 0x20 != 0
            )));
        }
    };
    if !r.is_empty() {
        return Err("invalid ASN.1 in OIDC issuer v2 extension, trailing data".into());
    }
    Ok(s)
}

/// What a certificate annotation names, read without verifying anything (for explanations of
/// rejected signatures): SANs, OIDC issuer, subject, issuer and validity.
pub fn describe_unverified(pem: &[u8]) -> Option<String> {
    let leaf = x509::parse_leaf_cert_from_pem(pem).ok()?;
    let mut names: Vec<&str> = leaf
        .email_addresses
        .iter()
        .chain(&leaf.dns_names)
        .chain(&leaf.uris)
        .map(String::as_str)
        .collect();
    let subject = leaf.subject.display();
    if !subject.is_empty() {
        names.push(&subject);
    }
    let mut out = format!("for {}", if names.is_empty() { "no name" } else { "" });
    out.push_str(&names.join(", "));
    if let Ok(i) = fulcio_issuer(&leaf) {
        out.push_str(&format!(", OIDC issuer {i}"));
    }
    out.push_str(&format!(
        ", issued by {}, valid {} to {}",
        leaf.issuer.display(),
        format_rfc3339_utc(leaf.not_before),
        format_rfc3339_utc(leaf.not_after)
    ));
    Some(out)
}

/// The leaf's key as a verification key (its SPKI fingerprint names it).
fn leaf_key(leaf: &Certificate) -> Result<LoadedKey, Rejection> {
    match &leaf.key {
        CertKey::Key(k) => Ok(LoadedKey {
            key: k.clone(),
            fingerprint: sha256_digest(&leaf.raw_spki),
            ignored_blocks: 0,
        }),
        CertKey::Unsupported(what) => Err(Rejection::Certificate {
            step: CertificateStep::PublicKey,
            message: format!(
                "policyctl cannot verify signatures made with {what} certificate keys: rejected; containers/image might accept it"
            ),
            unsupported: true,
        }),
        CertKey::Unknown => Err(fail(
            CertificateStep::PublicKey,
            "unsupported public key type",
        )),
    }
}

fn signer(
    trust_root: &'static str,
    leaf: &Certificate,
    chain: &[&Certificate],
    oidc_issuer: Option<String>,
    at: i64,
    rekor: Option<RekorEntry>,
) -> Signer {
    let ips = leaf
        .ip_addresses
        .iter()
        .map(|b| match b.len() {
            4 => std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string(),
            _ => <[u8; 16]>::try_from(b.as_slice())
                .map(|o| std::net::Ipv6Addr::from(o).to_string())
                .unwrap_or_default(),
        })
        .collect();
    Signer::Certificate(Box::new(CertificateSigner {
        trust_root,
        subject: leaf.subject.display(),
        issuer: leaf.issuer.display(),
        serial: der::integer_decimal(&leaf.serial),
        sha256: chain::fingerprint(leaf),
        emails: leaf.email_addresses.clone(),
        dns_names: leaf.dns_names.clone(),
        uris: leaf.uris.clone(),
        ip_addresses: ips,
        oidc_issuer,
        not_before: format_rfc3339_utc(leaf.not_before),
        not_after: format_rfc3339_utc(leaf.not_after),
        chain: chain.iter().skip(1).map(|c| c.subject.display()).collect(),
        verified_at: format_rfc3339_utc(at),
        rekor,
    }))
}

/// Verifies the payload signature with the leaf's key (§12.4 step 5).
fn verify_payload<'s>(
    s: &'s Sigstore,
    b64: &str,
    key: LoadedKey,
    who: Signer,
) -> Result<Verified<'s>, Rejection> {
    verify_sigstore(std::slice::from_ref(&key), &s.payload, b64, Compat::Current)
        .map(|v| v.with_signer(who))
        .map_err(|e| Rejection::Cryptographic(e.0))
}

fn annotation<'s>(s: &'s Sigstore, name: &'static str) -> Result<&'s str, Rejection> {
    s.annotations
        .get(name)
        .map(String::as_str)
        .ok_or(Rejection::MissingSignatureAnnotation { annotation: name })
}

/// `sigstoreSigned` with `fulcio` and Rekor keys.
pub struct FulcioVerifier<'a> {
    fulcio: &'a Fulcio,
    rekor: Option<&'a KeySource>,
    loader: &'a dyn KeyLoader,
    loaded: OnceCell<Result<(CertPool, Vec<LoadedKey>), Rejection>>,
}

impl<'a> FulcioVerifier<'a> {
    pub fn new(
        fulcio: &'a Fulcio,
        rekor: Option<&'a KeySource>,
        loader: &'a dyn KeyLoader,
    ) -> Self {
        FulcioVerifier {
            fulcio,
            rekor,
            loader,
            loaded: OnceCell::new(),
        }
    }

    /// `prepareTrustRoot`: the CA certificates, then the Rekor keys.
    fn trust_root(&self) -> Result<(CertPool, Vec<LoadedKey>), Rejection> {
        let bytes = ca_bytes(&self.fulcio.ca, self.loader)?;
        let pool = lenient_pool(&bytes, "error loading Fulcio CA certificates")?;
        let rekor = match self.rekor {
            Some(src) => load_rekor_keys(src, self.loader, Compat::Current)?,
            None => Vec::new(),
        };
        Ok((pool, rekor))
    }
}

impl Verifier<Sigstore> for FulcioVerifier<'_> {
    fn verify<'s>(&self, s: &'s Sigstore) -> Result<Verified<'s>, Rejection> {
        let (roots, rekor_keys) = self
            .loaded
            .get_or_init(|| self.trust_root())
            .as_ref()
            .map_err(Clone::clone)?;
        let b64 = annotation(s, SIGNATURE_ANNOTATION)?;
        if rekor_keys.is_empty() {
            return Err(fail(
                CertificateStep::TrustRoot,
                "Internal inconsistency: Fulcio CA specified without a Rekor public key",
            ));
        }
        let set = annotation(s, BUNDLE_ANNOTATION)?;
        let cert_pem = annotation(s, CERTIFICATE_ANNOTATION)?;
        // `verifyRekorFulcio`: the SET binds this certificate, signature and payload.
        let entry = verify_rekor_set(
            rekor_keys,
            set.as_bytes(),
            cert_pem.as_bytes(),
            b64,
            &s.payload,
            Compat::Current,
        )
        .map_err(|e| fail(CertificateStep::RekorSet, e.0))?;
        // `verifyFulcioCertificateAtTime`.
        let mut intermediates = CertPool::default();
        add_chain_annotation(s, &mut intermediates)?;
        let mut leaf = leaf(s)?;
        // A critical SAN without DNS/e-mail/IP/URI names (Fulcio's otherName) is c/image's
        // business, not Go's.
        let san = der::oid_string(OID_SAN);
        leaf.unhandled_critical.retain(|o| *o != san);
        let at = entry.integrated_time;
        let chains = chain::verify(
            &leaf,
            &VerifyOptions {
                roots,
                intermediates: &intermediates,
                now: at,
            },
        )
        .map_err(chain_failure)?;
        let issuer = fulcio_issuer(&leaf).map_err(|e| fail(CertificateStep::OidcIssuer, e.0))?;
        if issuer != self.fulcio.oidc_issuer {
            return Err(fail(
                CertificateStep::OidcIssuer,
                format!("Unexpected Fulcio OIDC issuer {}", gofmt::quote(&issuer)),
            ));
        }
        check_email(&leaf, &self.fulcio.subject_email)?;
        let key = leaf_key(&leaf)?;
        let who = signer("fulcio", &leaf, &chains[0], Some(issuer), at, Some(entry));
        verify_payload(s, b64, key, who)
    }
}

/// `sigstoreSigned` with `pki`, judged at `now`.
pub struct PkiVerifier<'a> {
    pki: &'a Pki,
    loader: &'a dyn KeyLoader,
    now: i64,
    loaded: OnceCell<Result<(CertPool, CertPool), Rejection>>,
}

impl<'a> PkiVerifier<'a> {
    pub fn new(pki: &'a Pki, loader: &'a dyn KeyLoader, now: i64) -> Self {
        PkiVerifier {
            pki,
            loader,
            now,
            loaded: OnceCell::new(),
        }
    }

    /// `prepareTrustRoot`: roots (lenient), then intermediates (strict).
    fn trust_root(&self) -> Result<(CertPool, CertPool), Rejection> {
        let bytes = ca_bytes(&self.pki.ca_roots, self.loader)?;
        let roots = lenient_pool(&bytes, "error loading PKI CA Roots certificates")?;
        let mut intermediates = CertPool::default();
        if let Some(src) = &self.pki.ca_intermediates {
            let bytes = ca_bytes(src, self.loader)?;
            let certs = x509::unmarshal_certificates_from_pem(&bytes).map_err(|e| {
                fail(
                    CertificateStep::TrustRoot,
                    format!("loading trusted intermediate certificates: {e}"),
                )
            })?;
            for c in certs {
                intermediates.add(c);
            }
        }
        Ok((roots, intermediates))
    }
}

impl Verifier<Sigstore> for PkiVerifier<'_> {
    fn verify<'s>(&self, s: &'s Sigstore) -> Result<Verified<'s>, Rejection> {
        let (roots, trusted_intermediates) = self
            .loaded
            .get_or_init(|| self.trust_root())
            .as_ref()
            .map_err(Clone::clone)?;
        let b64 = annotation(s, SIGNATURE_ANNOTATION)?;
        annotation(s, CERTIFICATE_ANNOTATION)?;
        // `verifyPKI`.
        let mut intermediates = trusted_intermediates.clone();
        add_chain_annotation(s, &mut intermediates)?;
        let leaf = leaf(s)?;
        let chains = chain::verify(
            &leaf,
            &VerifyOptions {
                roots,
                intermediates: &intermediates,
                now: self.now,
            },
        )
        .map_err(chain_failure)?;
        if !self.pki.subject_email.is_empty() {
            check_email(&leaf, &self.pki.subject_email)?;
        }
        if !self.pki.subject_hostname.is_empty() {
            hostname::verify_hostname(&leaf, &self.pki.subject_hostname).map_err(|e| {
                fail(
                    CertificateStep::SubjectHostname,
                    format!("Unexpected subject hostname: {e}"),
                )
            })?;
        }
        let key = leaf_key(&leaf)?;
        let who = signer("pki", &leaf, &chains[0], None, self.now, None);
        verify_payload(s, b64, key, who)
    }
}

#[cfg(test)]
mod tests;
