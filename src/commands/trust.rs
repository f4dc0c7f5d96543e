//! `policyctl trust show|set`: podman's `image trust show|set`, plus `--signed-identity`, with
//! policyctl's write rules (strict validation first, transactional, order preserved).

use crate::cli::{TrustArgs, TrustCommand, TrustSetArgs, TrustShowArgs, TrustType};
use crate::commands::key::{current_policy, validated};
use crate::commands::{Outcome, locate_policy};
use crate::config::txn::{Safety, Txn};
use crate::error::Error;
use crate::json::tree::Node;
use crate::policy::parse::MAX_POLICY_SIZE;
use crate::report::out;
use crate::settings::Settings;

/// `policyctl trust`.
pub fn run(global: &Settings, args: &TrustArgs) -> Result<Outcome, Error> {
    match &args.command {
        TrustCommand::Show(a) => show(global, a),
        TrustCommand::Set(a) => set(global, a),
    }
}

/// One row of `trust show` (podman's `trust.Policy` JSON fields, `omitempty` as in Go). The
/// JSON is written by [`entries_json`] exactly as Go's `json.MarshalIndent` does (HTML
/// escaping included); this type describes it (its schema is `schemas/trust-show.json`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Entry {
    pub transport: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub repo_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sigstore: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub gpg_id: String,
}

fn type_name(req: &Node) -> (String, Option<String>) {
    match req.get("type") {
        Some(Node::String(t)) => match t.as_str() {
            "insecureAcceptAnything" => ("accept".into(), None),
            "signedBy" => ("signed".into(), None),
            "sigstoreSigned" => ("sigstoreSigned".into(), None),
            "reject" => ("reject".into(), None),
            other => (String::new(), Some(format!("Invalid trust type {other}"))),
        },
        _ => (String::new(), Some("Invalid trust type".into())),
    }
}

/// User IDs of the GPG keys of a `signedBy` requirement, as podman's `trust show` lists them
/// (`gpg2 --with-colons FILE` for `keyPath` and for `keyData` written to a file; the e-mail
/// between `<` and `>`, else the whole user ID). The keyrings are read with policyctl's own
/// OpenPGP reader: no gpg binary is needed (podman shows nothing without `gpg2`).
fn gpg_ids(req: &Node) -> String {
    let mut blobs: Vec<Vec<u8>> = Vec::new();
    let mut files: Vec<String> = Vec::new();
    if let Some(Node::String(p)) = req.get("keyPath") {
        files.push(p.clone());
    }
    if let Some(Node::Array(ps)) = req.get("keyPaths") {
        files.extend(ps.iter().filter_map(|p| {
            if let Node::String(s) = p {
                Some(s.clone())
            } else {
                None
            }
        }));
    }
    for f in files {
        if let Ok(b) = crate::fsread::read_limited(std::path::Path::new(&f), MAX_KEYRING_SIZE) {
            blobs.push(b);
        }
    }
    if let Some(Node::String(d)) = req.get("keyData") {
        use base64::Engine;
        if let Ok(b) = base64::engine::general_purpose::STANDARD.decode(d) {
            blobs.push(b);
        }
    }
    let mut ids = Vec::new();
    for blob in blobs {
        let ring = crate::signature::openpgp::Keyring::import(&[blob]);
        // gpg fails on a file with an unreadable part (e.g. binary keys followed by armor);
        // podman then shows no ID for the whole file.
        if ring.skipped.iter().any(|s| {
            matches!(
                s,
                crate::signature::openpgp::keyring::Skipped::Packets(_)
                    | crate::signature::openpgp::keyring::Skipped::Armor(_)
            )
        }) {
            continue;
        }
        for cert in ring.certs() {
            for uid in &cert.user_ids {
                let field = uid.text.as_str();
                let id = match field
                    .split_once('<')
                    .and_then(|(_, rest)| rest.split_once('>'))
                {
                    Some((email, _)) => email.to_owned(),
                    None => field.to_owned(),
                };
                ids.push(id);
            }
        }
    }
    ids.join(", ")
}

/// Keyrings larger than this are not read for `trust show` (real ones are a few KiB).
const MAX_KEYRING_SIZE: u64 = 16 << 20;

/// Builds podman's entries from a (leniently read) policy.
pub fn entries(policy: &Node, warnings: &mut Vec<String>) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut push = |transport: &str, name: &str, repo: &str, req: &Node, out: &mut Vec<Entry>| {
        let (kind, warn) = type_name(req);
        if let Some(w) = warn {
            warnings.push(w);
        }
        let gpg_id = match kind.as_str() {
            "signed" => gpg_ids(req),
            "sigstoreSigned" => "N/A".into(),
            _ => String::new(),
        };
        out.push(Entry {
            transport: transport.into(),
            name: name.into(),
            repo_name: repo.into(),
            sigstore: String::new(),
            kind,
            gpg_id,
        });
    };
    if let Some(Node::Array(reqs)) = policy.get("default") {
        for r in reqs {
            push("all", "* (default)", "default", r, &mut out);
        }
    }
    if let Some(Node::Object(transports)) = policy.get("transports") {
        let mut ts: Vec<&(String, Node)> = transports.iter().collect();
        ts.sort_by(|a, b| a.0.cmp(&b.0));
        for (t, scopes) in ts {
            let shown = if t == "docker" {
                "repository"
            } else {
                t.as_str()
            };
            if let Node::Object(scopes) = scopes {
                let mut ss: Vec<&(String, Node)> = scopes.iter().collect();
                ss.sort_by(|a, b| a.0.cmp(&b.0));
                for (scope, reqs) in ss {
                    if let Node::Array(reqs) = reqs {
                        for r in reqs {
                            push(shown, scope, scope, r, &mut out);
                        }
                    }
                }
            }
        }
    }
    out
}

/// Go's `json.Marshal` of a string (HTML-escaped).
fn go_json_string(s: &str) -> String {
    serde_json::Value::from(s)
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// `json.MarshalIndent(entries, "", "  ")`.
pub fn entries_json(entries: &[Entry]) -> String {
    if entries.is_empty() {
        return "[]".into();
    }
    let mut s = String::from("[\n");
    for (i, e) in entries.iter().enumerate() {
        let mut fields = vec![format!("\"transport\": {}", go_json_string(&e.transport))];
        if !e.name.is_empty() {
            fields.push(format!("\"name\": {}", go_json_string(&e.name)));
        }
        if !e.repo_name.is_empty() {
            fields.push(format!("\"repo_name\": {}", go_json_string(&e.repo_name)));
        }
        if !e.sigstore.is_empty() {
            fields.push(format!("\"sigstore\": {}", go_json_string(&e.sigstore)));
        }
        fields.push(format!("\"type\": {}", go_json_string(&e.kind)));
        if !e.gpg_id.is_empty() {
            fields.push(format!("\"gpg_id\": {}", go_json_string(&e.gpg_id)));
        }
        s += "  {\n    ";
        s += &fields.join(",\n    ");
        s += "\n  }";
        s += if i + 1 < entries.len() { ",\n" } else { "\n" };
    }
    s += "]";
    s
}

/// Go `text/tabwriter` (minwidth 12, tabwidth 2, padding 2, spaces): every cell but the last
/// of a line is padded to its column's width.
pub fn tabwrite(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate().take(r.len().saturating_sub(1)) {
            widths[i] = widths[i].max((c.chars().count() + 2).max(12));
        }
    }
    let mut out = String::new();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            out.push_str(c);
            if i + 1 < r.len() {
                out.push_str(&" ".repeat(widths[i] - c.chars().count()));
            }
        }
        out.push('\n');
    }
    out
}

fn show(global: &Settings, a: &TrustShowArgs) -> Result<Outcome, Error> {
    let path = match &a.policypath {
        Some(p) => p.clone(),
        None => locate_policy(global)?.path,
    };
    let bytes = crate::image::read_limited(&path, MAX_POLICY_SIZE as u64).map_err(|e| {
        Error::PolicyRead {
            path: path.clone(),
            source: e,
        }
    })?;
    if a.raw {
        out(&format!("{}\n", String::from_utf8_lossy(&bytes)));
        return Ok(Outcome::Ok);
    }
    let policy = Node::parse(&bytes).map_err(|e| {
        Error::Conflict(format!(
            "could not show trust policies: could not read trust policies: could not parse trust policies from {}: {e}",
            path.display()
        ))
    })?;
    let mut warnings = Vec::new();
    let mut list = entries(&policy, &mut warnings);
    let regd_dir = a
        .registrypath
        .clone()
        .unwrap_or_else(|| global.registries_d_dir());
    let regd = crate::config::registries_d::load(&regd_dir).map_err(Error::Read)?;
    for e in &mut list {
        e.sigstore = regd.podman_store(&e.name, e.transport == "all");
    }
    for w in &warnings {
        crate::report::err(&format!("warning: {w}\n"));
    }
    if a.json {
        out(&format!("{}\n", entries_json(&list)));
        return Ok(Outcome::Ok);
    }
    let mut rows = Vec::new();
    if !a.noheading {
        rows.push(
            ["TRANSPORT", "NAME", "TYPE", "ID", "STORE"]
                .map(str::to_owned)
                .to_vec(),
        );
    }
    for e in &list {
        rows.push(vec![
            e.transport.clone(),
            e.repo_name.clone(),
            e.kind.clone(),
            e.gpg_id.clone(),
            e.sigstore.clone(),
        ]);
    }
    out(&tabwrite(&rows));
    crate::report::err(&format!("(policy: {})\n", path.display()));
    Ok(Outcome::Ok)
}

/// podman's `isValidImageURI` host check.
fn valid_scope(scope: &str) -> bool {
    let host = scope.split(['/', '?', '#']).next().unwrap_or("");
    let b = host.as_bytes();
    let i = b
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || b"-_.".contains(c)))
        .unwrap_or(b.len());
    i > 0
        && b[i..]
            .iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"-/:".contains(c))
}

fn identity_node(spec: &str) -> Result<Node, Error> {
    let s = |x: &str| Node::String(x.to_owned());
    let obj = |fields: Vec<(&str, Node)>| {
        Node::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    };
    Ok(match spec.split_once(':') {
        None if ["matchRepository", "matchExact", "matchRepoDigestOrExact"].contains(&spec) => {
            obj(vec![("type", s(spec))])
        }
        Some(("exactRepository", r)) => obj(vec![
            ("type", s("exactRepository")),
            ("dockerRepository", s(r)),
        ]),
        Some(("exactReference", r)) => obj(vec![
            ("type", s("exactReference")),
            ("dockerReference", s(r)),
        ]),
        _ => {
            return Err(Error::Usage(format!(
                "--signed-identity {spec}: use matchRepository, matchExact, matchRepoDigestOrExact, exactRepository:REPO or exactReference:REF"
            )));
        }
    })
}

/// podman's `AddPolicyEntries` requirement list for a type and key files.
pub fn requirements(t: TrustType, keys: &[String], identity: Option<&Node>) -> Result<Node, Error> {
    let s = |x: &str| Node::String(x.to_owned());
    let simple = |t: &str| Node::Array(vec![Node::Object(vec![("type".into(), s(t))])]);
    let (name, for_type) = match t {
        TrustType::Accept | TrustType::InsecureAcceptAnything | TrustType::Reject => {
            if !keys.is_empty() {
                let tn = match t {
                    TrustType::Reject => "reject",
                    _ => "accept",
                };
                return Err(Error::Usage(format!(
                    "{} public keys unexpectedly provided for trust type {tn}",
                    keys.len()
                )));
            }
            if identity.is_some() {
                return Err(Error::Usage(
                    "--signed-identity only applies to signedBy and sigstoreSigned".into(),
                ));
            }
            return Ok(if t == TrustType::Reject {
                simple("reject")
            } else {
                simple("insecureAcceptAnything")
            });
        }
        TrustType::SignedBy => ("signedBy", "signedBy"),
        TrustType::SigstoreSigned => ("sigstoreSigned", "sigstoreSigned"),
    };
    if keys.is_empty() {
        return Err(Error::Usage(format!(
            "at least one public key must be defined for type '{for_type}'"
        )));
    }
    let reqs = keys
        .iter()
        .map(|k| {
            let mut fields = vec![("type".to_owned(), s(name))];
            if t == TrustType::SignedBy {
                fields.push(("keyType".into(), s("GPGKeys")));
            }
            fields.push(("keyPath".into(), s(k)));
            if let Some(id) = identity {
                fields.push(("signedIdentity".into(), id.clone()));
            }
            Node::Object(fields)
        })
        .collect();
    Ok(Node::Array(reqs))
}

fn set(global: &Settings, a: &TrustSetArgs) -> Result<Outcome, Error> {
    if a.scope != "default" && !valid_scope(&a.scope) {
        return Err(Error::Usage(format!("invalid image scope {:?}", a.scope)));
    }
    let identity = a
        .signed_identity
        .as_deref()
        .map(identity_node)
        .transpose()?;
    let reqs = requirements(a.r#type, &a.pubkeysfile, identity.as_ref())?;
    let path = a
        .policypath
        .clone()
        .unwrap_or_else(|| global.policy_target());
    let tx = Txn::begin(&path, Safety { force: a.force }, MAX_POLICY_SIZE as u64)?;
    let mut policy = if tx.current().is_some() {
        current_policy(global, &tx)?
    } else {
        Node::Object(Vec::new())
    };
    if a.scope == "default" {
        policy.set("default", reqs);
    } else {
        if !matches!(policy.get("default"), Some(Node::Array(d)) if !d.is_empty()) {
            return Err(Error::Conflict("default trust policy must be set".into()));
        }
        let transports = policy
            .object_entry("transports")
            .ok_or_else(|| Error::Conflict("transports is not an object".into()))?;
        let Node::Object(ts) = transports else {
            return Err(Error::Conflict("transports is not an object".into()));
        };
        let existing = ts
            .iter_mut()
            .find(|(_, scopes)| scopes.get(&a.scope).is_some());
        match existing {
            Some((_, scopes)) => {
                scopes.set(&a.scope, reqs);
            }
            None => {
                transports
                    .object_entry("docker")
                    .ok_or_else(|| Error::Conflict("transports.docker is not an object".into()))?
                    .set(&a.scope, reqs);
            }
        }
    }
    let text = validated(global, &path, &policy)?;
    if a.dry_run {
        out(&crate::commands::key::dry_run_diff(
            tx.path(),
            tx.current(),
            &text,
        ));
        return Ok(Outcome::Ok);
    }
    tx.commit(text.as_bytes(), 0o644)?;
    Ok(Outcome::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_writer_and_the_type_agree() {
        let e = |name: &str, kind: &str, gpg: &str| Entry {
            transport: "repository".into(),
            name: name.into(),
            repo_name: name.into(),
            sigstore: String::new(),
            kind: kind.into(),
            gpg_id: gpg.into(),
        };
        for entries in [
            vec![],
            vec![e("a<b>&c", "signed", "x@example.com")],
            vec![e("", "accept", ""), e("quay.io/x", "reject", "")],
        ] {
            let written: serde_json::Value = serde_json::from_str(&entries_json(&entries)).unwrap();
            assert_eq!(written, serde_json::to_value(&entries).unwrap());
        }
    }

    #[test]
    fn podman_table_and_json() {
        let p = Node::parse(
            br#"{"default":[{"type":"reject"}],"transports":{"docker":{"registry.access.redhat.com":[{"type":"sigstoreSigned","keyPath":"/k"}],"docker.io/library":[{"type":"insecureAcceptAnything"}]},"docker-daemon":{"":[{"type":"insecureAcceptAnything"}]}}}"#,
        )
        .unwrap();
        let mut w = Vec::new();
        let e = entries(&p, &mut w);
        let mut rows = vec![
            ["TRANSPORT", "NAME", "TYPE", "ID", "STORE"]
                .map(str::to_owned)
                .to_vec(),
        ];
        rows.extend(e.iter().map(|e| {
            vec![
                e.transport.clone(),
                e.repo_name.clone(),
                e.kind.clone(),
                e.gpg_id.clone(),
                e.sigstore.clone(),
            ]
        }));
        assert_eq!(
            tabwrite(&rows),
            "TRANSPORT      NAME                        TYPE            ID          STORE\n\
             all            default                     reject                      \n\
             repository     docker.io/library           accept                      \n\
             repository     registry.access.redhat.com  sigstoreSigned  N/A         \n\
             docker-daemon                              accept                      \n"
        );
        assert!(entries_json(&e).starts_with("[\n  {\n    \"transport\": \"all\",\n    \"name\": \"* (default)\",\n    \"repo_name\": \"default\",\n    \"type\": \"reject\"\n  },"));
        assert!(w.is_empty());
    }

    #[test]
    fn scopes_and_requirements() {
        assert!(valid_scope("docker.io/library"));
        assert!(valid_scope("example.com:5000/ns"));
        assert!(!valid_scope("bad host"));
        assert!(!valid_scope(""));
        assert!(requirements(TrustType::SignedBy, &[], None).is_err());
        assert!(requirements(TrustType::Reject, &["k".into()], None).is_err());
        let r = requirements(TrustType::SigstoreSigned, &["/a".into(), "/b".into()], None).unwrap();
        assert!(matches!(r, Node::Array(ref v) if v.len() == 2));
    }
}
