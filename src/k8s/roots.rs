//! The trust decision of one image under one engine, in a form the three engines share, so
//! that export, import and drift detection compare like with like.
//!
//! A [`Gate`] is what an image needs to be admitted: nothing ([`Gate::Accept`]), impossible
//! ([`Gate::Reject`]), or an AND of clauses, each an OR of trust [`Root`]s (a `policy.json`
//! requirement list is an AND of requirements, a `sigstoreSigned` with `keyPaths` an OR of
//! keys; policy-controller ANDs matching `ClusterImagePolicy`s and ORs their authorities;
//! Kyverno ANDs rules and attestor sets, and ORs or ANDs entries by `count`). Keys are
//! compared by the SHA-256 of their SubjectPublicKeyInfo DER, whatever PEM spelling carried
//! them.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::policy::model::{
    CaSource, KeySource, Requirement, RequirementList, SigstoreSigned, SigstoreTrust,
};
use crate::signature::keys::parse_pem_public_key;

/// One thing that can vouch for an image.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Root {
    /// A public key (`sha256:` of its SubjectPublicKeyInfo DER).
    Key {
        /// The fingerprint.
        fingerprint: String,
    },
    /// A Fulcio certificate for this OIDC issuer and subject (exact strings).
    Keyless {
        /// `oidcIssuer` / `issuer`.
        issuer: String,
        /// `subjectEmail` / `subject`.
        subject: String,
    },
    /// Something the other engines cannot express (GPG keys, PKI roots, regexp identities,
    /// KMS or Secret references, ...), named.
    Opaque {
        /// What it is.
        what: String,
    },
}

impl std::fmt::Display for Root {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Root::Key { fingerprint } => {
                let short = fingerprint.get(..19).unwrap_or(fingerprint);
                write!(f, "key {short}…")
            }
            Root::Keyless { issuer, subject } => write!(f, "keyless {subject} ({issuer})"),
            Root::Opaque { what } => write!(f, "{what}"),
        }
    }
}

/// What an image needs to be admitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "decision", rename_all = "kebab-case")]
pub enum Gate {
    /// Admitted without any check.
    Accept,
    /// Never admitted.
    Reject,
    /// Admitted when every clause has at least one of its roots vouching (normalized: clauses
    /// sorted, none empty, none a superset of another).
    Require {
        /// The clauses.
        all_of: Vec<BTreeSet<Root>>,
    },
}

impl Gate {
    /// A gate from clauses (AND of ORs), normalized.
    pub fn require(clauses: Vec<BTreeSet<Root>>) -> Gate {
        Gate::Accept.and_all(clauses)
    }

    fn and_all(self, more: Vec<BTreeSet<Root>>) -> Gate {
        let mut clauses = match self {
            Gate::Reject => return Gate::Reject,
            Gate::Accept => Vec::new(),
            Gate::Require { all_of } => all_of,
        };
        clauses.extend(more);
        if clauses.iter().any(BTreeSet::is_empty) {
            return Gate::Reject;
        }
        clauses.sort();
        clauses.dedup();
        // Absorption: (A) AND (A OR B) = (A).
        let kept: Vec<BTreeSet<Root>> = clauses
            .iter()
            .filter(|c| !clauses.iter().any(|d| d != *c && d.is_subset(c)))
            .cloned()
            .collect();
        if kept.is_empty() {
            Gate::Accept
        } else {
            Gate::Require { all_of: kept }
        }
    }

    /// Both gates must pass.
    pub fn and(self, other: Gate) -> Gate {
        match other {
            Gate::Accept => self.and_all(Vec::new()),
            Gate::Reject => Gate::Reject,
            Gate::Require { all_of } => self.and_all(all_of),
        }
    }

    /// Whether passing `self` implies passing `weaker` (each clause of `weaker` is a superset
    /// of some clause of `self`).
    pub fn implies(&self, weaker: &Gate) -> bool {
        match (self, weaker) {
            (_, Gate::Accept) | (Gate::Reject, _) => true,
            (_, Gate::Reject) | (Gate::Accept, _) => false,
            (Gate::Require { all_of: a }, Gate::Require { all_of: b }) => {
                b.iter().all(|wc| a.iter().any(|sc| sc.is_subset(wc)))
            }
        }
    }

    /// A one-line description: `accept`, `reject`, `key sha256:ab12… | key sha256:cd34…`, ….
    pub fn describe(&self) -> String {
        match self {
            Gate::Accept => "accept".into(),
            Gate::Reject => "reject".into(),
            Gate::Require { all_of } => all_of
                .iter()
                .map(|c| {
                    let alts: Vec<String> = c.iter().map(Root::to_string).collect();
                    if c.len() > 1 {
                        format!("({})", alts.join(" | "))
                    } else {
                        alts.join(" | ")
                    }
                })
                .collect::<Vec<_>>()
                .join(" & "),
        }
    }
}

/// Public keys seen so far, by fingerprint, with the PEM to write them out again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keyring {
    /// Fingerprint → canonical PEM (the first block, re-encoded).
    pub pem: BTreeMap<String, String>,
    /// Fingerprint → algorithm name (`ECDSA P-256`, `RSA`, ...).
    pub algorithm: BTreeMap<String, &'static str>,
}

impl Keyring {
    /// Parses a PEM public key as c/image does (first block only) and remembers it.
    pub fn add_pem(&mut self, bytes: &[u8]) -> Result<Root, GateError> {
        let key = parse_pem_public_key(bytes)
            .map_err(|e| GateError(format!("parsing public key: {e}")))?;
        let pem = crate::trust::normalized_pem(bytes);
        self.algorithm
            .insert(key.fingerprint.clone(), key.key.algorithm());
        self.pem.insert(key.fingerprint.clone(), pem);
        Ok(Root::Key {
            fingerprint: key.fingerprint,
        })
    }
}

/// Key files a policy names (`keyPath`, `keyPaths`), for the caller to read.
pub fn key_paths(list: &RequirementList) -> Vec<String> {
    let mut out = Vec::new();
    for r in &list.items {
        if let Requirement::SigstoreSigned(s) = &r.value
            && let SigstoreTrust::PublicKeys(src) = &s.trust
        {
            match src {
                KeySource::Path(p) => out.push(p.value.clone()),
                KeySource::Paths(p) => out.extend(p.value.iter().cloned()),
                _ => {}
            }
        }
    }
    out
}

/// The contents of the key files a policy names, read by the caller (`Err`: why not).
pub type KeyFiles = BTreeMap<String, Result<Vec<u8>, String>>;

/// The contents of `path` as the caller read it (`PATH: why` when it could not, or did not).
pub fn file_bytes<'f>(files: &'f KeyFiles, path: &str) -> Result<&'f [u8], GateError> {
    match files.get(path) {
        Some(Ok(b)) => Ok(b),
        Some(Err(e)) => Err(GateError(format!("{path}: {e}"))),
        None => Err(GateError(format!("{path}: not read"))),
    }
}

/// The PEM of a CA given as `caPath` (read by the caller) or inline data.
pub fn ca_bytes(files: &KeyFiles, ca: &CaSource) -> Result<Vec<u8>, GateError> {
    match ca {
        CaSource::Path(p) => file_bytes(files, p).map(<[u8]>::to_vec),
        CaSource::Data(d) => Ok(d.clone()),
    }
}

crate::message_error!(
    /// Why a host requirement list has no gate (an unreadable or unusable key).
    GateError
);

/// The gate of a `policy.json` requirement list, as c/image evaluates it: every requirement
/// must pass; a `sigstoreSigned` passes with any of its keys. Requirements the other engines
/// cannot express become [`Root::Opaque`] clauses; `signedBaseLayer` never passes.
pub fn host_gate(
    list: &RequirementList,
    files: &KeyFiles,
    keys: &mut Keyring,
) -> Result<Gate, GateError> {
    let mut clauses = Vec::new();
    for r in &list.items {
        match &r.value {
            Requirement::InsecureAcceptAnything => {}
            Requirement::Reject | Requirement::SignedBaseLayer { .. } => return Ok(Gate::Reject),
            Requirement::SignedBy(s) => clauses.push(BTreeSet::from([Root::Opaque {
                what: format!("signedBy {}", s.key_type.as_str()),
            }])),
            Requirement::SigstoreSigned(s) => clauses.push(sigstore_clause(s, files, keys)?),
        }
    }
    Ok(Gate::require(clauses))
}

fn sigstore_clause(
    s: &SigstoreSigned,
    files: &KeyFiles,
    keys: &mut Keyring,
) -> Result<BTreeSet<Root>, GateError> {
    match &s.trust {
        SigstoreTrust::PublicKeys(src) => {
            let mut blobs: Vec<(String, Vec<u8>)> = Vec::new();
            let file = |p: &str| -> Result<(String, Vec<u8>), GateError> {
                let b = file_bytes(files, p).map_err(|e| GateError(format!("key file {e}")))?;
                Ok((p.to_owned(), b.to_vec()))
            };
            match src {
                KeySource::Path(p) => blobs.push(file(&p.value)?),
                KeySource::Paths(p) => {
                    for x in &p.value {
                        blobs.push(file(x)?);
                    }
                }
                KeySource::Data(d) => match &d.value {
                    Some(b) => blobs.push(("keyData".into(), b.clone())),
                    None => return Err(GateError("keyData is null".into())),
                },
                KeySource::Datas(d) => {
                    for (i, b) in d.value.iter().enumerate() {
                        blobs.push((format!("keyDatas[{i}]"), b.clone()));
                    }
                }
            }
            let mut clause = BTreeSet::new();
            for (what, b) in blobs {
                clause.insert(
                    keys.add_pem(&b)
                        .map_err(|e| GateError(format!("{what}: {e}")))?,
                );
            }
            Ok(clause)
        }
        SigstoreTrust::Fulcio(f) => Ok(BTreeSet::from([Root::Keyless {
            issuer: f.value.oidc_issuer.clone(),
            subject: f.value.subject_email.clone(),
        }])),
        SigstoreTrust::Pki(p) => Ok(BTreeSet::from([pki_root(
            &p.value.subject_email,
            &p.value.subject_hostname,
        )])),
    }
}

/// The root of a PKI requirement (named by its subject: the CA material is not compared).
pub fn pki_root(email: &str, hostname: &str) -> Root {
    Root::Opaque {
        what: format!("pki email={email:?} hostname={hostname:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Root {
        Root::Key {
            fingerprint: s.into(),
        }
    }

    #[test]
    fn absorption_and_reject() {
        let a = BTreeSet::from([key("a")]);
        let ab = BTreeSet::from([key("a"), key("b")]);
        assert_eq!(
            Gate::require(vec![ab.clone(), a.clone()]),
            Gate::Require {
                all_of: vec![a.clone()]
            }
        );
        assert_eq!(
            Gate::require(vec![a.clone(), BTreeSet::new()]),
            Gate::Reject
        );
        assert_eq!(Gate::require(vec![]), Gate::Accept);
        assert_eq!(Gate::Accept.and(Gate::Reject), Gate::Reject);
        let g = Gate::require(vec![a.clone()]);
        assert!(g.implies(&Gate::require(vec![ab.clone()])));
        assert!(!Gate::require(vec![ab]).implies(&g));
        assert!(Gate::Reject.implies(&g));
        assert!(!Gate::Accept.implies(&g));
        assert!(g.implies(&Gate::Accept));
    }
}
