//! `policyctl init`: a safe starting policy — reject by default, the local transports that
//! podman build/load/import use left usable — optionally with ARMORRED trust.

use crate::cli::{InitArgs, KeyInstallArgs};
use crate::commands::Outcome;
use crate::commands::key::{install, policy_target, validated};
use crate::config::txn::{Safety, Txn};
use crate::error::Error;
use crate::json::tree::Node;
use crate::policy::parse::MAX_POLICY_SIZE;
use crate::report::out;
use crate::settings::Settings;

/// Transports podman needs for local images (build, load, import, save).
pub const LOCAL_TRANSPORTS: &[&str] = &[
    "containers-storage",
    "dir",
    "oci",
    "oci-archive",
    "docker-archive",
    "docker-daemon",
    "tarball",
];

/// The starting policy.
pub fn starting_policy() -> Node {
    let req = |t: &str| {
        Node::Array(vec![Node::Object(vec![(
            "type".into(),
            Node::String(t.into()),
        )])])
    };
    let transports = LOCAL_TRANSPORTS
        .iter()
        .map(|t| {
            (
                (*t).to_owned(),
                Node::Object(vec![(String::new(), req("insecureAcceptAnything"))]),
            )
        })
        .collect();
    Node::Object(vec![
        ("default".into(), req("reject")),
        ("transports".into(), Node::Object(transports)),
    ])
}

/// `policyctl init`.
pub fn run(global: &Settings, a: &InitArgs) -> Result<Outcome, Error> {
    let path = policy_target(global);
    let tx = Txn::begin(&path, Safety { force: a.force }, MAX_POLICY_SIZE as u64)?;
    if tx.current().is_some() && !a.force && !a.dry_run {
        return Err(Error::Conflict(format!(
            "{} already exists; use --force to replace it (a .bak is kept) or edit it with `policyctl trust set`",
            path.display()
        )));
    }
    let text = validated(global, &path, &starting_policy())?;
    if a.dry_run {
        out(&crate::commands::key::dry_run_diff(
            tx.path(),
            tx.current(),
            &text,
        ));
        return Ok(Outcome::Ok);
    }
    tx.commit(text.as_bytes(), 0o644)?;
    out(&format!(
        "{}: default reject; {} accepted\n",
        path.display(),
        LOCAL_TRANSPORTS.join(", ")
    ));
    if a.armorred {
        let args = KeyInstallArgs {
            name: "armorred".into(),
            from: None,
            scope: None,
            no_policy: false,
            no_registries_d: false,
            force: a.force,
            dry_run: false,
        };
        return install(global, &args);
    }
    Ok(Outcome::Ok)
}
