//! `x509.ParseCertificate` as Go 1.26 does it: the same acceptance rules (cryptobyte DER,
//! version, non-negative serial, matching inner and outer algorithm, string types in names,
//! UTCTime/GeneralizedTime round trips, duplicate extensions, the known extensions' syntax
//! and critical flags) and the same error texts, so a certificate Go refuses is refused here
//! with Go's words. Only what verification and explanations need is kept.

use super::der::{self, Reader};
use crate::compat::Compat;
use crate::signature::keys::{PublicKey, parse_spki};

/// Go's error text for a certificate it does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(s: &str) -> Result<T, ParseError> {
    Err(ParseError(s.to_owned()))
}

/// A signature algorithm as Go's `getSignatureAlgorithmFromAI` classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    Unknown,
    Md5Rsa,
    Sha1Rsa,
    Sha256Rsa,
    Sha384Rsa,
    Sha512Rsa,
    /// RSA-PSS (any parameters; policyctl does not verify it).
    RsaPss,
    DsaSha1,
    DsaSha256,
    EcdsaSha1,
    EcdsaSha256,
    EcdsaSha384,
    EcdsaSha512,
    Ed25519,
}

impl SignatureAlgorithm {
    /// Go's `SignatureAlgorithm.String()`.
    pub fn name(self) -> &'static str {
        use SignatureAlgorithm::*;
        match self {
            Unknown => "0",
            Md5Rsa => "MD5-RSA",
            Sha1Rsa => "SHA1-RSA",
            Sha256Rsa => "SHA256-RSA",
            Sha384Rsa => "SHA384-RSA",
            Sha512Rsa => "SHA512-RSA",
            RsaPss => "RSA-PSS",
            DsaSha1 => "DSA-SHA1",
            DsaSha256 => "DSA-SHA256",
            EcdsaSha1 => "ECDSA-SHA1",
            EcdsaSha256 => "ECDSA-SHA256",
            EcdsaSha384 => "ECDSA-SHA384",
            EcdsaSha512 => "ECDSA-SHA512",
            Ed25519 => "Ed25519",
        }
    }

    fn from_ai(oid: &[u8], params: Option<&[u8]>) -> SignatureAlgorithm {
        use SignatureAlgorithm::*;
        const PKCS1: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01];
        const X9_57: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04];
        const NIST_DSA: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03];
        const X9_62_SIG: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04];
        match oid {
            [0x2b, 0x65, 0x70] => {
                if params.is_some() {
                    Unknown
                } else {
                    Ed25519
                }
            }
            [p @ .., 0x04] if p == PKCS1 => Md5Rsa,
            [p @ .., 0x05] if p == PKCS1 => Sha1Rsa,
            [0x2b, 0x0e, 0x03, 0x02, 0x1d] => Sha1Rsa,
            [p @ .., 0x0b] if p == PKCS1 => Sha256Rsa,
            [p @ .., 0x0c] if p == PKCS1 => Sha384Rsa,
            [p @ .., 0x0d] if p == PKCS1 => Sha512Rsa,
            [p @ .., 0x0a] if p == PKCS1 => RsaPss,
            [p @ .., 0x03] if p == X9_57 => DsaSha1,
            [p @ .., 0x02] if p == NIST_DSA => DsaSha256,
            [p @ .., 0x01] if p == X9_62_SIG => EcdsaSha1,
            [p @ .., 0x03, 0x02] if p == X9_62_SIG => EcdsaSha256,
            [p @ .., 0x03, 0x03] if p == X9_62_SIG => EcdsaSha384,
            [p @ .., 0x03, 0x04] if p == X9_62_SIG => EcdsaSha512,
            _ => Unknown,
        }
    }
}

/// A certificate's public key as far as policyctl can use it.
#[derive(Debug, Clone)]
pub enum CertKey {
    /// An algorithm Go does not know (`PublicKey == nil`).
    Unknown,
    /// One Go parses but policyctl does not verify with (DSA, X25519, ECDSA P-224).
    Unsupported(&'static str),
    /// RSA, ECDSA P-256/384/521, Ed25519.
    Key(PublicKey),
}

/// A parsed name: its RDNs in order, each a list of (attribute OID, value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Name(pub Vec<Vec<(Vec<u8>, String)>>);

impl Name {
    fn values(&self, oid: &[u8]) -> impl Iterator<Item = &str> {
        let oid = oid.to_vec();
        self.0
            .iter()
            .flatten()
            .filter(move |(o, _)| *o == oid)
            .map(|(_, v)| v.as_str())
    }

    /// `pkix.Name.CommonName` (the last CN attribute).
    pub fn common_name(&self) -> Option<&str> {
        self.values(&[0x55, 0x04, 0x03]).last()
    }

    /// `pkix.Name.Organization[0]`.
    pub fn first_organization(&self) -> Option<&str> {
        self.values(&[0x55, 0x04, 0x0a]).next()
    }

    /// RFC 4514 style, most significant RDN last (as Go's `Name.String`), for explanations.
    pub fn display(&self) -> String {
        let short = |oid: &[u8]| -> Option<&'static str> {
            Some(match oid {
                [0x55, 0x04, 0x03] => "CN",
                [0x55, 0x04, 0x05] => "SERIALNUMBER",
                [0x55, 0x04, 0x06] => "C",
                [0x55, 0x04, 0x07] => "L",
                [0x55, 0x04, 0x08] => "ST",
                [0x55, 0x04, 0x09] => "STREET",
                [0x55, 0x04, 0x0a] => "O",
                [0x55, 0x04, 0x0b] => "OU",
                [0x55, 0x04, 0x11] => "POSTALCODE",
                _ => return None,
            })
        };
        self.0
            .iter()
            .rev()
            .map(|rdn| {
                rdn.iter()
                    .map(|(oid, v)| {
                        let k = short(oid).map_or_else(|| der::oid_string(oid), str::to_owned);
                        format!("{k}={}", escape_rdn_value(v))
                    })
                    .collect::<Vec<_>>()
                    .join("+")
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn escape_rdn_value(v: &str) -> String {
    let mut out = String::new();
    let n = v.chars().count();
    for (i, c) in v.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && matches!(c, ' ' | '#'))
            || (i + 1 == n && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One extension.
#[derive(Debug, Clone)]
pub struct Extension {
    /// The OID's contents bytes.
    pub oid: Vec<u8>,
    pub critical: bool,
    pub value: Vec<u8>,
}

/// A certificate, with the fields Go's verifier and c/image look at.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub raw: Vec<u8>,
    pub raw_tbs: Vec<u8>,
    pub raw_issuer: Vec<u8>,
    pub raw_subject: Vec<u8>,
    pub raw_spki: Vec<u8>,
    pub version: u8,
    /// The serial number's two's-complement bytes.
    pub serial: Vec<u8>,
    pub signature_algorithm: SignatureAlgorithm,
    pub signature: Vec<u8>,
    pub issuer: Name,
    pub subject: Name,
    /// Validity, Unix seconds.
    pub not_before: i64,
    pub not_after: i64,
    pub key: CertKey,
    pub extensions: Vec<Extension>,
    /// Key usage bits (Go's `KeyUsage`: bit i = the i-th named bit); 0 when absent.
    pub key_usage: u16,
    pub basic_constraints_valid: bool,
    pub is_ca: bool,
    /// -1 when absent.
    pub max_path_len: i64,
    pub dns_names: Vec<String>,
    pub email_addresses: Vec<String>,
    pub ip_addresses: Vec<Vec<u8>>,
    pub uris: Vec<String>,
    pub subject_key_id: Vec<u8>,
    pub authority_key_id: Vec<u8>,
    /// Extended key usage OIDs (contents bytes), known and unknown alike.
    pub ext_key_usage: Vec<Vec<u8>>,
    /// OIDs (dotted) of critical extensions Go does not handle.
    pub unhandled_critical: Vec<String>,
    /// Whether the certificate has a name constraints extension.
    pub has_name_constraints: bool,
    /// Whether it constrains policies (policy constraints, mappings, inhibitAnyPolicy).
    pub has_policy_constraints: bool,
}

/// `2.5.29.17`.
pub const OID_SAN: &[u8] = &[0x55, 0x1d, 0x11];
const OID_AIA: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01];
/// `anyExtendedKeyUsage`.
pub const OID_EKU_ANY: &[u8] = &[0x55, 0x1d, 0x25, 0x00];
/// `id-kp-codeSigning`.
pub const OID_EKU_CODE_SIGNING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03];
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const OID_X25519: &[u8] = &[0x2b, 0x65, 0x6e];
const OID_DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];
const OID_P224: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x21];

/// Certificates larger than this are refused before parsing (real ones are a few KiB).
pub const MAX_CERTIFICATE: usize = 64 * 1024;

/// `x509.ParseCertificate`.
pub fn parse_certificate(der: &[u8]) -> Result<Certificate, ParseError> {
    if der.len() > MAX_CERTIFICATE {
        return err("x509: certificate too large for policyctl (over 64 KiB)");
    }
    let mut input = Reader(der);
    let Some(cert_el) = input.read_element(der::SEQUENCE) else {
        return err("x509: malformed certificate");
    };
    let trailing = !input.is_empty();
    let mut input = Reader(cert_el.contents);
    let Some(tbs_el) = input.read_element(der::SEQUENCE) else {
        return err("x509: malformed tbs certificate");
    };
    let mut tbs = Reader(tbs_el.contents);
    let version = match tbs.read_optional(der::context_constructed(0)) {
        None => return err("x509: malformed version"),
        Some(None) => 0,
        Some(Some(v)) => {
            let mut r = Reader(v);
            match r.read_i64(der::INTEGER) {
                Some(v) if v >= 0 && r.is_empty() => v,
                _ => return err("x509: malformed version"),
            }
        }
    } + 1;
    if version > 3 {
        return err("x509: invalid version");
    }
    let Some(serial) = tbs.read_integer_bytes(der::INTEGER) else {
        return err("x509: malformed serial number");
    };
    if serial[0] & 0x80 != 0 {
        return err("x509: negative serial number");
    }
    let Some(sig_ai) = tbs.read(der::SEQUENCE) else {
        return err("x509: malformed signature algorithm identifier");
    };
    let Some(outer_ai) = input.read(der::SEQUENCE) else {
        return err("x509: malformed algorithm identifier");
    };
    if outer_ai != sig_ai {
        return err("x509: inner and outer signature algorithm identifiers don't match");
    }
    let (sig_oid, sig_params) = parse_ai(sig_ai)?;
    let signature_algorithm = SignatureAlgorithm::from_ai(sig_oid, sig_params);
    let Some(issuer_el) = tbs.read_element(der::SEQUENCE) else {
        return err("x509: malformed issuer");
    };
    let issuer = parse_name(issuer_el.full)?;
    let Some(validity) = tbs.read(der::SEQUENCE) else {
        return err("x509: malformed validity");
    };
    let mut validity = Reader(validity);
    let not_before = parse_time(&mut validity)?;
    let not_after = parse_time(&mut validity)?;
    let Some(subject_el) = tbs.read_element(der::SEQUENCE) else {
        return err("x509: malformed issuer");
    };
    let subject = parse_name(subject_el.full)?;
    let Some(spki_el) = tbs.read_element(der::SEQUENCE) else {
        return err("x509: malformed spki");
    };
    let key = parse_key(spki_el)?;
    let mut cert = Certificate {
        raw: cert_el.full.to_vec(),
        raw_tbs: tbs_el.full.to_vec(),
        raw_issuer: issuer_el.full.to_vec(),
        raw_subject: subject_el.full.to_vec(),
        raw_spki: spki_el.full.to_vec(),
        version: version as u8,
        serial: serial.to_vec(),
        signature_algorithm,
        signature: Vec::new(),
        issuer,
        subject,
        not_before,
        not_after,
        key,
        extensions: Vec::new(),
        key_usage: 0,
        basic_constraints_valid: false,
        is_ca: false,
        max_path_len: -1,
        dns_names: Vec::new(),
        email_addresses: Vec::new(),
        ip_addresses: Vec::new(),
        uris: Vec::new(),
        subject_key_id: Vec::new(),
        authority_key_id: Vec::new(),
        ext_key_usage: Vec::new(),
        unhandled_critical: Vec::new(),
        has_name_constraints: false,
        has_policy_constraints: false,
    };
    if version > 1 {
        if tbs.skip_optional(der::context(1)).is_none() {
            return err("x509: malformed issuerUniqueID");
        }
        if tbs.skip_optional(der::context(2)).is_none() {
            return err("x509: malformed subjectUniqueID");
        }
        if version == 3 {
            let Some(exts) = tbs.read_optional(der::context_constructed(3)) else {
                return err("x509: malformed extensions");
            };
            if let Some(exts) = exts {
                let Some(mut exts) = Reader(exts).read_nested(der::SEQUENCE) else {
                    return err("x509: malformed extensions");
                };
                while !exts.is_empty() {
                    let Some(e) = exts.read(der::SEQUENCE) else {
                        return err("x509: malformed extension");
                    };
                    let ext = parse_extension(e)?;
                    if cert.extensions.iter().any(|x| x.oid == ext.oid) {
                        return Err(ParseError(format!(
                            "x509: certificate contains duplicate extension with OID {}",
                            crate::json::gofmt::quote(&der::oid_string(&ext.oid))
                        )));
                    }
                    cert.extensions.push(ext);
                }
                process_extensions(&mut cert)?;
            }
        }
    }
    let Some((pad, sig)) = input.read_bit_string() else {
        return err("x509: malformed signature");
    };
    // `RightAlign`: signatures are whole bytes in practice; shift otherwise.
    cert.signature = right_align(pad, sig);
    if trailing {
        return err("x509: trailing data");
    }
    Ok(cert)
}

fn right_align(pad: u8, bytes: &[u8]) -> Vec<u8> {
    if pad == 0 {
        return bytes.to_vec();
    }
    let mut out = vec![0u8; bytes.len()];
    out[0] = bytes[0] >> pad;
    for i in 1..bytes.len() {
        out[i] = bytes[i - 1] << (8 - pad) | bytes[i] >> pad;
    }
    out
}

/// `parseAI`: the OID and the raw parameters element, if any.
fn parse_ai(der: &[u8]) -> Result<(&[u8], Option<&[u8]>), ParseError> {
    let mut r = Reader(der);
    let Some(oid) = r.read_oid() else {
        return err("x509: malformed OID");
    };
    if r.is_empty() {
        return Ok((oid, None));
    }
    let Some(params) = r.read_any() else {
        return err("x509: malformed parameters");
    };
    Ok((oid, Some(params.full)))
}

fn parse_key(spki: der::Element<'_>) -> Result<CertKey, ParseError> {
    let mut r = Reader(spki.contents);
    let Some(ai) = r.read(der::SEQUENCE) else {
        return err("x509: malformed public key algorithm identifier");
    };
    let (oid, params) = parse_ai(ai)?;
    if r.read_bit_string().is_none() {
        return err("x509: malformed subjectPublicKey");
    }
    match oid {
        OID_RSA | OID_ED25519 => {}
        OID_EC => {
            if params.is_some_and(|p| Reader(p).read_oid() == Some(OID_P224)) {
                return Ok(CertKey::Unsupported("ECDSA P-224"));
            }
        }
        OID_DSA => return Ok(CertKey::Unsupported("DSA")),
        OID_X25519 => return Ok(CertKey::Unsupported("X25519")),
        _ => return Ok(CertKey::Unknown),
    }
    parse_spki(spki.full, Compat::Current)
        .map(CertKey::Key)
        .map_err(|e| ParseError(e.0))
}

/// `parseName`: an RDNSequence whose values are strings of the types Go knows.
fn parse_name(der: &[u8]) -> Result<Name, ParseError> {
    let Some(mut seq) = Reader(der).read_nested(der::SEQUENCE) else {
        return err("x509: invalid RDNSequence");
    };
    let mut name = Name::default();
    while !seq.is_empty() {
        let Some(mut set) = seq.read_nested(der::SET) else {
            return err("x509: invalid RDNSequence");
        };
        let mut rdn = Vec::new();
        while !set.is_empty() {
            let Some(mut atv) = set.read_nested(der::SEQUENCE) else {
                return err("x509: invalid RDNSequence: invalid attribute");
            };
            let Some(oid) = atv.read_oid() else {
                return err("x509: invalid RDNSequence: invalid attribute type");
            };
            let Some(value) = atv.read_any() else {
                return err("x509: invalid RDNSequence: invalid attribute value");
            };
            let s = parse_string(value.tag, value.contents).map_err(|e| {
                ParseError(format!(
                    "x509: invalid RDNSequence: invalid attribute value: {e}"
                ))
            })?;
            rdn.push((oid.to_vec(), s));
        }
        name.0.push(rdn);
    }
    Ok(name)
}

/// `parseASN1String`.
fn parse_string(tag: u8, v: &[u8]) -> Result<String, String> {
    let printable = |b: u8| {
        b.is_ascii_alphanumeric()
            || (b'\''..=b')').contains(&b)
            || (b'+'..=b'/').contains(&b)
            || matches!(b, b' ' | b':' | b'=' | b'?' | b'*' | b'&')
    };
    match tag {
        der::T61_STRING => Ok(v.iter().map(|&b| char::from(b)).collect()),
        der::PRINTABLE_STRING => {
            if v.iter().all(|&b| printable(b)) {
                Ok(String::from_utf8_lossy(v).into_owned())
            } else {
                Err("invalid PrintableString".into())
            }
        }
        der::UTF8_STRING => std::str::from_utf8(v)
            .map(str::to_owned)
            .map_err(|_| "invalid UTF-8 string".into()),
        der::BMP_STRING => {
            if !v.len().is_multiple_of(2) {
                return Err("invalid BMPString".into());
            }
            let v = if v.len() >= 2 && v[v.len() - 2..] == [0, 0] {
                &v[..v.len() - 2]
            } else {
                v
            };
            let units: Vec<u16> = v
                .chunks_exact(2)
                .map(|c| u16::from(c[0]) << 8 | u16::from(c[1]))
                .collect();
            if units.iter().any(|&p| {
                p == 0xfffe
                    || p == 0xffff
                    || (0xfdd0..=0xfdef).contains(&p)
                    || (0xd800..=0xdfff).contains(&p)
            }) {
                return Err("invalid BMPString".into());
            }
            Ok(String::from_utf16_lossy(&units))
        }
        der::IA5_STRING => {
            if v.is_ascii() {
                Ok(String::from_utf8_lossy(v).into_owned())
            } else {
                Err("invalid IA5String".into())
            }
        }
        der::NUMERIC_STRING => {
            if v.iter().all(|&b| b.is_ascii_digit() || b == b' ') {
                Ok(String::from_utf8_lossy(v).into_owned())
            } else {
                Err("invalid NumericString".into())
            }
        }
        t => Err(format!("unsupported string type: {t}")),
    }
}

/// `parseTime`: UTCTime or GeneralizedTime, to Unix seconds.
fn parse_time(r: &mut Reader<'_>) -> Result<i64, ParseError> {
    if r.peek_is(der::UTC_TIME) {
        r.read(der::UTC_TIME)
            .and_then(parse_utc_time)
            .ok_or_else(|| ParseError("x509: malformed UTCTime".into()))
    } else if r.peek_is(der::GENERALIZED_TIME) {
        r.read(der::GENERALIZED_TIME)
            .and_then(|v| parse_time_digits(v, 4))
            .ok_or_else(|| ParseError("x509: malformed GeneralizedTime".into()))
    } else {
        err("x509: unsupported time format")
    }
}

/// `ReadASN1UTCTime`: `YYMMDDhhmmss` (or without seconds) then `Z` or a non-zero `±hhmm`;
/// years 50–99 are 1950–1999.
fn parse_utc_time(v: &[u8]) -> Option<i64> {
    let t = parse_time_digits(v, 2).or_else(|| parse_minutes_utc(v))?;
    Some(t)
}

fn parse_minutes_utc(v: &[u8]) -> Option<i64> {
    // `0601021504Z0700`: insert ":00" seconds and reuse the parser on a rebuilt string.
    if v.len() < 10 {
        return None;
    }
    let (digits, zone) = v.split_at(10);
    let mut with_seconds = digits.to_vec();
    with_seconds.extend_from_slice(b"00");
    with_seconds.extend_from_slice(zone);
    parse_time_digits(&with_seconds, 2)
}

/// Digits `Y…YMMDDhhmmss` with `year_digits` year digits, then `Z` or `±hhmm` (not zero:
/// Go's round trip prints a zero offset as `Z`).
fn parse_time_digits(v: &[u8], year_digits: usize) -> Option<i64> {
    let n = year_digits + 10;
    if v.len() < n + 1 || !v[..n].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let num = |s: &[u8]| s.iter().fold(0i64, |a, &b| a * 10 + i64::from(b - b'0'));
    let mut year = num(&v[..year_digits]);
    if year_digits == 2 {
        year += if year < 50 { 2000 } else { 1900 };
    }
    let p = year_digits;
    let (month, day, hour, min, sec) = (
        num(&v[p..p + 2]),
        num(&v[p + 2..p + 4]),
        num(&v[p + 4..p + 6]),
        num(&v[p + 6..p + 8]),
        num(&v[p + 8..p + 10]),
    );
    let offset = match &v[n..] {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), rest @ ..]
            if rest.len() == 4 && rest.iter().all(u8::is_ascii_digit) =>
        {
            let (h, m) = (num(&rest[..2]), num(&rest[2..]));
            if h > 24 || m > 60 || (h == 0 && m == 0) {
                return None;
            }
            let o = h * 3600 + m * 60;
            if *sign == b'-' { -o } else { o }
        }
        _ => return None,
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || min > 59 || sec > 59 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + min * 60 + sec - offset)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn parse_extension(der: &[u8]) -> Result<Extension, ParseError> {
    let mut r = Reader(der);
    let Some(oid) = r.read_oid() else {
        return err("x509: malformed extension OID field");
    };
    let mut critical = false;
    if r.peek_is(der::BOOLEAN) {
        match r.read_bool() {
            Some(c) => critical = c,
            None => return err("x509: malformed extension critical field"),
        }
    }
    let Some(value) = r.read(der::OCTET_STRING) else {
        return err("x509: malformed extension value field");
    };
    Ok(Extension {
        oid: oid.to_vec(),
        critical,
        value: value.to_vec(),
    })
}

/// `processExtensions`.
fn process_extensions(cert: &mut Certificate) -> Result<(), ParseError> {
    let exts = std::mem::take(&mut cert.extensions);
    for e in &exts {
        let v = e.value.as_slice();
        let unhandled = match e.oid.as_slice() {
            [0x55, 0x1d, 15] => {
                let Some((_, bits)) = Reader(v).read_bit_string() else {
                    return err("x509: invalid key usage");
                };
                let mut usage = 0u16;
                for i in 0..9 {
                    if bits.get(i / 8).is_some_and(|b| b & (0x80 >> (i % 8)) != 0) {
                        usage |= 1 << i;
                    }
                }
                cert.key_usage = usage;
                false
            }
            [0x55, 0x1d, 19] => {
                let bad = || ParseError("x509: invalid basic constraints".into());
                let mut seq = Reader(v).read_nested(der::SEQUENCE).ok_or_else(bad)?;
                if seq.peek_is(der::BOOLEAN) {
                    cert.is_ca = seq.read_bool().ok_or_else(bad)?;
                }
                cert.max_path_len = -1;
                if seq.peek_is(der::INTEGER) {
                    let n = seq.read_unsigned(der::INTEGER).ok_or_else(bad)?;
                    cert.max_path_len = i64::try_from(n).map_err(|_| bad())?;
                }
                cert.basic_constraints_valid = true;
                false
            }
            [0x55, 0x1d, 17] => {
                parse_san(cert, v)?;
                cert.dns_names.is_empty()
                    && cert.email_addresses.is_empty()
                    && cert.ip_addresses.is_empty()
                    && cert.uris.is_empty()
            }
            [0x55, 0x1d, 30] => {
                let mut outer = Reader(v);
                let ok = outer.read_nested(der::SEQUENCE).is_some_and(|mut top| {
                    outer.is_empty()
                        && top.read_optional(der::context_constructed(0)).is_some()
                        && top.read_optional(der::context_constructed(1)).is_some()
                        && top.is_empty()
                });
                if !ok {
                    return err("x509: invalid NameConstraints extension");
                }
                cert.has_name_constraints = true;
                false
            }
            [0x55, 0x1d, 31] => false,
            [0x55, 0x1d, 35] => {
                if e.critical {
                    return err("x509: authority key identifier incorrectly marked critical");
                }
                let bad = || ParseError("x509: invalid authority key identifier".into());
                let mut akid = Reader(v).read_nested(der::SEQUENCE).ok_or_else(bad)?;
                if akid.peek_is(der::context(0)) {
                    cert.authority_key_id = akid.read(der::context(0)).ok_or_else(bad)?.to_vec();
                }
                false
            }
            [0x55, 0x1d, 36] => {
                let bad = || ParseError("x509: invalid policy constraints extension".into());
                let mut seq = Reader(v).read_nested(der::SEQUENCE).ok_or_else(bad)?;
                for tag in [der::context(0), der::context(1)] {
                    if seq.peek_is(tag) {
                        seq.read_i64(tag).ok_or_else(bad)?;
                    }
                }
                cert.has_policy_constraints = true;
                false
            }
            [0x55, 0x1d, 37] => {
                let bad = || ParseError("x509: invalid extended key usages".into());
                let mut seq = Reader(v).read_nested(der::SEQUENCE).ok_or_else(bad)?;
                while !seq.is_empty() {
                    cert.ext_key_usage
                        .push(seq.read_oid().ok_or_else(bad)?.to_vec());
                }
                false
            }
            [0x55, 0x1d, 14] => {
                if e.critical {
                    return err("x509: subject key identifier incorrectly marked critical");
                }
                cert.subject_key_id = Reader(v)
                    .read(der::OCTET_STRING)
                    .ok_or_else(|| ParseError("x509: invalid subject key identifier".into()))?
                    .to_vec();
                false
            }
            [0x55, 0x1d, 32] => {
                let bad = || ParseError("x509: invalid certificate policies".into());
                let mut seq = Reader(v).read_nested(der::SEQUENCE).ok_or_else(bad)?;
                let mut seen: Vec<&[u8]> = Vec::new();
                while !seq.is_empty() {
                    let mut cp = seq.read_nested(der::SEQUENCE).ok_or_else(bad)?;
                    let oid = cp.read(der::OID).ok_or_else(bad)?;
                    if seen.contains(&oid) || der::oid_components(oid).is_none() {
                        return Err(bad());
                    }
                    seen.push(oid);
                }
                false
            }
            [0x55, 0x1d, 33] => {
                let bad = || ParseError("x509: invalid policy mappings extension".into());
                let mut seq = Reader(v).read_nested(der::SEQUENCE).ok_or_else(bad)?;
                while !seq.is_empty() {
                    let mut s = seq.read_nested(der::SEQUENCE).ok_or_else(bad)?;
                    s.read(der::OID).ok_or_else(bad)?;
                    s.read(der::OID).ok_or_else(bad)?;
                }
                cert.has_policy_constraints = true;
                false
            }
            [0x55, 0x1d, 54] => {
                Reader(v).read_integer_bytes(der::INTEGER).ok_or_else(|| {
                    ParseError("x509: invalid inhibit any policy extension".into())
                })?;
                cert.has_policy_constraints = true;
                false
            }
            [0x55, 0x1d, _] => true,
            OID_AIA => {
                if e.critical {
                    return err("x509: authority info access incorrectly marked critical");
                }
                let bad = || ParseError("x509: invalid authority info access".into());
                let mut seq = Reader(v).read_nested(der::SEQUENCE).ok_or_else(bad)?;
                while !seq.is_empty() {
                    let mut aia = seq.read_nested(der::SEQUENCE).ok_or_else(bad)?;
                    aia.read_oid().ok_or_else(bad)?;
                    if aia.peek_is(der::context(6)) {
                        aia.read(der::context(6)).ok_or_else(bad)?;
                    }
                }
                false
            }
            _ => true,
        };
        if e.critical && unhandled {
            cert.unhandled_critical.push(der::oid_string(&e.oid));
        }
    }
    cert.extensions = exts;
    Ok(())
}

/// `parseSANExtension`.
fn parse_san(cert: &mut Certificate, v: &[u8]) -> Result<(), ParseError> {
    let Some(mut seq) = Reader(v).read_nested(der::SEQUENCE) else {
        return err("x509: invalid subject alternative names");
    };
    while !seq.is_empty() {
        let Some(el) = seq.read_any() else {
            return err("x509: invalid subject alternative name");
        };
        let data = el.contents;
        match el.tag ^ 0x80 {
            1 => {
                if !data.is_ascii() {
                    return err("x509: SAN rfc822Name is malformed");
                }
                cert.email_addresses
                    .push(String::from_utf8_lossy(data).into_owned());
            }
            2 => {
                if !data.is_ascii() {
                    return err("x509: SAN dNSName is malformed");
                }
                cert.dns_names
                    .push(String::from_utf8_lossy(data).into_owned());
            }
            6 => {
                if !data.is_ascii() {
                    return err("x509: SAN uniformResourceIdentifier is malformed");
                }
                cert.uris.push(String::from_utf8_lossy(data).into_owned());
            }
            7 => match data.len() {
                4 | 16 => cert.ip_addresses.push(data.to_vec()),
                n => {
                    return Err(ParseError(format!(
                        "x509: cannot parse IP address of length {n}"
                    )));
                }
            },
            _ => {}
        }
    }
    Ok(())
}

impl Certificate {
    /// The name Go's "unknown authority" hint uses: CN, else the first O, else the serial.
    pub fn hint_name(&self) -> String {
        if let Some(cn) = self.subject.common_name().filter(|c| !c.is_empty()) {
            return cn.to_owned();
        }
        match self.subject.first_organization() {
            Some(o) => o.to_owned(),
            None => format!("serial:{}", der::integer_decimal(&self.serial)),
        }
    }

    /// The SAN extension's value, if any.
    pub fn san_value(&self) -> Option<&[u8]> {
        self.extensions
            .iter()
            .find(|e| e.oid == OID_SAN)
            .map(|e| e.value.as_slice())
    }

    /// Go's `Certificate.Equal`.
    pub fn same(&self, other: &Certificate) -> bool {
        self.raw == other.raw
    }
}

#[cfg(test)]
mod tests;
