//! X.509 certificates as Go's `crypto/x509` reads and verifies them, for the Fulcio and PKI
//! trust roots of `sigstoreSigned` (spec §12, §14). c/image's verdicts are Go's verdicts, so
//! this is a port of Go's rules (DER acceptance, chain building, `isValid`, host names), not
//! a general-purpose PKI library; see `chain` for what is deliberately not evaluated.
//!
//! The three PEM readers c/image uses differ in leniency, and each call site uses a specific
//! one (spec §17.4): [`append_certs_from_pem`] (trust roots from the policy),
//! [`unmarshal_certificates_from_pem`] (intermediates and the chain annotation) and
//! [`parse_leaf_cert_from_pem`] (the certificate annotation).

pub mod cert;
pub mod chain;
pub mod der;
pub mod hostname;

pub use cert::{Certificate, ParseError, parse_certificate};
pub use chain::{CertPool, ChainError, VerifyOptions, verify};

use crate::signature::pem;

/// At most this many certificates are read from one PEM text.
pub const MAX_CERTIFICATES: usize = 1000;

/// `x509.CertPool.AppendCertsFromPEM`: every `CERTIFICATE` block without headers that
/// parses; anything else is skipped. Returns how many were found (duplicates included).
pub fn append_certs_from_pem(pool: &mut CertPool, data: &[u8]) -> usize {
    let mut rest = data;
    let mut added = 0;
    while added < MAX_CERTIFICATES {
        let Some((block, next)) = pem::decode(rest) else {
            break;
        };
        rest = &rest[next..];
        if block.label != "CERTIFICATE" || block.has_headers {
            continue;
        }
        if let Ok(c) = parse_certificate(&block.der) {
            pool.add(c);
            added += 1;
        }
        if next == 0 {
            break;
        }
    }
    added
}

/// sigstore's `cryptoutils.UnmarshalCertificatesFromPEM`: after trimming white space every
/// PEM block (any label) must decode and parse; text between blocks is skipped.
pub fn unmarshal_certificates_from_pem(data: &[u8]) -> Result<Vec<Certificate>, PemError> {
    let mut rest = data.trim_ascii();
    let mut out = Vec::new();
    while !rest.is_empty() {
        if out.len() >= MAX_CERTIFICATES {
            return Err(format!("more than {MAX_CERTIFICATES} certificates").into());
        }
        let Some((block, next)) = pem::decode(rest) else {
            return Err("error during PEM decoding".into());
        };
        out.push(parse_certificate(&block.der).map_err(|e| PemError(e.0))?);
        if next == 0 {
            return Err("error during PEM decoding".into());
        }
        rest = &rest[next..];
    }
    Ok(out)
}

/// c/image's `parseLeafCertFromPEM`: exactly one certificate.
pub fn parse_leaf_cert_from_pem(data: &[u8]) -> Result<Certificate, PemError> {
    let mut certs = unmarshal_certificates_from_pem(data)
        .map_err(|e| PemError(format!("parsing leaf certificate: {e}")))?;
    match certs.len() {
        0 => Err("no certificate found in signature certificate data".into()),
        1 => Ok(certs.remove(0)),
        _ => Err("unexpected multiple certificates present in signature certificate data".into()),
    }
}

crate::message_error! {
    /// Why certificates in PEM text were refused (sigstore's and Go's texts).
    PemError
}
