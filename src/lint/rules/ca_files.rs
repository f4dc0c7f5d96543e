//! K009–K011: the CA certificates of `fulcio` and `pki` requirements (files as gathered by the
//! lint command, inline data parsed here), read with the same PEM rules c/image uses — roots
//! leniently (`AppendCertsFromPEM`), PKI intermediates strictly.

use super::{lists, where_};
use crate::diag::Severity;
use crate::lint::{CaCertificates, CaFile, Context, Finding, Rule};
use crate::policy::{CaSource, Requirement, SigstoreTrust, Span};

pub static NO_CA_CERTIFICATE: &Rule = &Rule {
    code: "K009",
    name: "ca-no-certificate",
    severity: Severity::Error,
    summary: "fulcio or pki CA that loads no certificate (missing file, wrong file, not PEM): every signature is rejected",
    docs: r#"### What it does
Reads `fulcio.caPath`/`caData` and `pki.caRootsPath`/`caRootsData` as containers/image does
(every `CERTIFICATE` PEM block that parses is a trusted root; other blocks are skipped) and
flags a CA that cannot be read or yields no certificate.

### Why
containers/image loads the CA for every signature it checks; when that fails every signature
is rejected (`error loading Fulcio CA certificates`, `error loading PKI CA Roots
certificates`, or the OS error).

### Fix
Install the CA certificate in PEM form (for the public Fulcio instance, `fulcio_v1.crt.pem`
from sigstore's TUF repository) and point the policy at it.
"#,
    check: check_roots,
};

pub static BAD_INTERMEDIATES: &Rule = &Rule {
    code: "K010",
    name: "pki-intermediates-invalid",
    severity: Severity::Error,
    summary: "pki intermediates that do not load: every signature is rejected",
    docs: r#"### What it does
Reads `pki.caIntermediatesPath`/`caIntermediatesData` strictly, as containers/image does:
every PEM block must be a certificate that parses, and nothing but white space may follow.

### Why
Unlike the roots, one bad block (a private key, a truncated certificate, stray text after the
last certificate) makes containers/image reject every signature with `loading trusted
intermediate certificates: …`.

### Fix
Keep only the intermediate certificates in the file, in PEM form.
"#,
    check: check_intermediates,
};

pub static PKI_EXPIRED: &Rule = &Rule {
    code: "K011",
    name: "pki-ca-expired",
    severity: Severity::Error,
    summary: "pki CA certificates expired (or not yet valid) now: PKI chains are checked at the current time",
    docs: r#"### What it does
Flags `pki` roots of which none is valid now, and intermediates that are not valid now.

### Why
containers/image checks PKI certificate chains at the current time (Fulcio chains at the Rekor
time instead), every certificate of the chain included: once the root or the intermediate
expires, every signature made under it is rejected (`x509: certificate has expired or is not
yet valid`), including old ones.

### Fix
Install the renewed CA certificates; re-sign images whose chain goes through an expired one.
"#,
    check: check_expired,
};

/// The CA sources of every fulcio/pki requirement: (role, source, span, is PKI).
fn cas<'a>(ctx: &Context<'a>) -> Vec<(String, &'static str, &'a CaSource, Span)> {
    let mut out = Vec::new();
    for (at, list) in lists(ctx.policy) {
        for r in &list.items {
            let Requirement::SigstoreSigned(s) = &r.value else {
                continue;
            };
            match &s.trust {
                SigstoreTrust::Fulcio(f) => {
                    out.push((where_(at), "fulcio CA", &f.value.ca, f.span.clone()));
                }
                SigstoreTrust::Pki(p) => {
                    out.push((where_(at), "pki roots", &p.value.ca_roots, p.span.clone()));
                    if let Some(i) = &p.value.ca_intermediates {
                        out.push((where_(at), "pki intermediates", i, p.span.clone()));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// What is known about one CA source: inline data is parsed here, files come from the facts
/// (`None`: not gathered).
fn loaded(ctx: &Context<'_>, src: &CaSource) -> Option<(String, CaFile)> {
    match src {
        CaSource::Data(d) => Some(("inline data".into(), CaFile::Read(CaCertificates::of(d)))),
        CaSource::Path(p) => {
            let f = ctx.facts?.cas.get(p)?;
            Some((format!("{p:?}"), f.clone()))
        }
    }
}

fn check_roots(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (at, role, src, span) in cas(ctx) {
        if role == "pki intermediates" {
            continue;
        }
        let Some((what, file)) = loaded(ctx, src) else {
            continue;
        };
        let why = match file {
            CaFile::Unreadable(e) => e,
            CaFile::Read(c) if c.roots == 0 => "no PEM CERTIFICATE block that parses".into(),
            CaFile::Read(_) => continue,
        };
        out.push(Finding {
            code: NO_CA_CERTIFICATE.code,
            message: format!("{at}: {role} {what} loads no certificate: {why}"),
            span,
            label: "every signature is rejected".into(),
            help: Some("install the CA certificate in PEM form".into()),
        });
    }
}

fn check_intermediates(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (at, role, src, span) in cas(ctx) {
        if role != "pki intermediates" {
            continue;
        }
        let Some((what, file)) = loaded(ctx, src) else {
            continue;
        };
        let why = match file {
            CaFile::Unreadable(e) => e,
            CaFile::Read(CaCertificates { strict: Err(e), .. }) => {
                format!("loading trusted intermediate certificates: {e}")
            }
            CaFile::Read(_) => continue,
        };
        out.push(Finding {
            code: BAD_INTERMEDIATES.code,
            message: format!("{at}: {role} {what} do not load: {why}"),
            span,
            label: "every signature is rejected".into(),
            help: Some("keep only PEM certificates in it".into()),
        });
    }
}

fn check_expired(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(now) = ctx.facts.and_then(|f| f.now) else {
        return;
    };
    for (at, role, src, span) in cas(ctx) {
        if role == "fulcio CA" {
            continue;
        }
        let Some((what, CaFile::Read(c))) = loaded(ctx, src) else {
            continue;
        };
        let valid = |&(nb, na): &(i64, i64)| nb <= now && now <= na;
        let bad = if role == "pki roots" {
            !c.validity.is_empty() && !c.validity.iter().any(valid)
        } else {
            c.validity.iter().any(|v| !valid(v))
        };
        if bad {
            out.push(Finding {
                code: PKI_EXPIRED.code,
                message: format!(
                    "{at}: {role} {what}: {} valid now",
                    if role == "pki roots" {
                        "none of its certificates is"
                    } else {
                        "a certificate is not"
                    }
                ),
                span,
                label: "PKI chains are checked at the current time".into(),
                help: Some("install the renewed CA certificates".into()),
            });
        }
    }
}
