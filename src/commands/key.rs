//! `policyctl key install|list|remove`: put a cosign public key in place and wire it into
//! `policy.json` and `registries.d`, transactionally (all files are locked and validated
//! first; the policy, which references the key, is written last).

use std::path::{Path, PathBuf};

use crate::cli::{KeyArgs, KeyCommand, KeyInstallArgs, KeyListArgs, KeyRemoveArgs};
use crate::commands::Outcome;
use crate::config::txn::{Change, Safety, Txn};
use crate::error::Error;
use crate::json::tree::Node;
use crate::policy::parse::{MAX_POLICY_SIZE, parse_policy};
use crate::report::json::{KeyListReport, KeyRow, to_pretty};
use crate::report::out;
use crate::settings::Settings;
use crate::trust;
use crate::trust::plan::{self, Current, Plan};

const MAX_KEY_FILE: u64 = 1024 * 1024;

/// `policyctl key`.
pub fn run(global: &Settings, args: &KeyArgs) -> Result<Outcome, Error> {
    match &args.command {
        KeyCommand::Install(a) => install(global, a),
        KeyCommand::List(a) => list(global, a),
        KeyCommand::Remove(a) => remove(global, a),
    }
}

/// A system path under `--root`.
pub fn under_root(global: &Settings, sys: &str) -> PathBuf {
    global.under_root(sys)
}

/// The policy file written by configuration commands: `--policy`, else the system one.
pub fn policy_target(global: &Settings) -> PathBuf {
    global.policy_target()
}

fn key_sys_path(name: &str) -> String {
    format!("{}/{name}.pub", trust::KEY_DIR)
}

/// Parses the current policy strictly (a broken file is reported, never overwritten).
pub fn current_policy(global: &Settings, tx: &Txn) -> Result<Node, Error> {
    Ok(plan::current_policy(
        Current {
            path: tx.path(),
            contents: tx.current(),
        },
        global.compat,
    )?)
}

/// Validates the edited policy with the strict parser before it is written.
pub fn validated(global: &Settings, path: &Path, node: &Node) -> Result<String, Error> {
    Ok(plan::validated(path, node, global.compat)?)
}

fn read_key_source(from: &str) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let mut buf = Vec::new();
    if from == "-" {
        std::io::stdin()
            .take(MAX_KEY_FILE + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Error::Read(format!("reading standard input: {e}")))?;
    } else {
        buf = crate::image::read_limited(Path::new(from), MAX_KEY_FILE).map_err(|e| {
            Error::Read(format!(
                "reading {from}: {}",
                crate::config::host::go_errno_text(&e)
            ))
        })?;
    }
    if buf.len() as u64 > MAX_KEY_FILE {
        return Err(Error::Read(format!(
            "{from}: larger than {MAX_KEY_FILE} bytes, not a public key"
        )));
    }
    Ok(buf)
}

/// A locked file and its contents, for the planner.
fn current<'a>(tx: &'a Txn, path: &'a Path) -> Current<'a> {
    Current {
        path,
        contents: tx.current_of(path),
    }
}

fn print_plan(tx: &Txn, plan: &Plan) {
    for (path, new) in &plan.writes {
        out(&dry_run_diff(path, tx.current_of(path), new));
    }
}

fn changes(plan: Plan) -> Vec<Change> {
    let writes = plan.writes.into_iter().map(|(path, new)| Change::Write {
        path,
        contents: new.into_bytes(),
        mode: 0o644,
    });
    let removes = plan.removes.into_iter().map(|path| Change::Remove { path });
    writes.chain(removes).collect()
}

/// The diff `--dry-run` prints for replacing `path` (now holding `current`) with `new`.
pub fn dry_run_diff(path: &Path, current: Option<&[u8]>, new: &str) -> String {
    let old = current.map(String::from_utf8_lossy).unwrap_or_default();
    trust::diff::line_diff(&path.display().to_string(), &old, new)
}

pub fn install(global: &Settings, a: &KeyInstallArgs) -> Result<Outcome, Error> {
    if !trust::valid_key_name(&a.name) {
        return Err(Error::Usage(format!(
            "invalid key name {:?}: use lower-case letters, digits, '.', '_' and '-'",
            a.name
        )));
    }
    let (bytes, builtin) = match (&a.from, a.name.as_str()) {
        (Some(f), _) => (read_key_source(f)?, false),
        (None, "armorred") => (trust::ARMORRED_PEM.as_bytes().to_vec(), true),
        (None, _) => {
            return Err(Error::Usage(
                "--from FILE is required (only `armorred` is built in)".into(),
            ));
        }
    };
    let key = trust::vet_public_key(&bytes).map_err(|e| {
        Error::Conflict(format!(
            "{}: {e}",
            a.from.as_deref().unwrap_or("built-in key")
        ))
    })?;
    if builtin && key.fingerprint != trust::ARMORRED_FINGERPRINT {
        return Err(Error::Internal(
            "the built-in ARMORRED key does not match its pin".into(),
        ));
    }
    let scope = match (&a.scope, builtin) {
        (Some(s), _) => s.clone(),
        (None, true) => trust::ARMORRED_SCOPE.to_owned(),
        (None, false) => {
            return Err(Error::Usage(
                "--scope SCOPE is required with --from (e.g. --scope ghcr.io/example)".into(),
            ));
        }
    };
    let safety = Safety { force: a.force };
    let key_sys = key_sys_path(&a.name);
    let key_real = under_root(global, &key_sys);
    let regd_path = under_root(
        global,
        &format!("/etc/containers/registries.d/{}.yaml", a.name),
    );
    let policy_path = policy_target(global);
    // One transaction: every file is locked (and stays locked) until the last one is written.
    let mut targets = vec![(key_real.clone(), MAX_KEY_FILE)];
    if !a.no_registries_d {
        targets.push((regd_path.clone(), MAX_KEY_FILE));
    }
    if !a.no_policy {
        targets.push((policy_path.clone(), MAX_POLICY_SIZE as u64));
    }
    let tx = Txn::begin_all(&targets, safety)?;
    let plan = plan::install(
        &plan::Install {
            key: &key,
            pem: trust::normalized_pem(&bytes),
            scope: &scope,
            key_sys: &key_sys,
            force: a.force,
            key_file: current(&tx, &key_real),
            registries_d: (!a.no_registries_d).then(|| current(&tx, &regd_path)),
            policy: (!a.no_policy).then(|| current(&tx, &policy_path)),
        },
        global.compat,
    )?;
    if a.dry_run {
        print_plan(&tx, &plan);
        out(&format!(
            "dry run: {} file(s) would change\n",
            plan.writes.len()
        ));
        return Ok(Outcome::Ok);
    }
    let report = plan.report.clone();
    if !plan.writes.is_empty() {
        tx.commit_all(changes(plan))?;
    }
    for line in report {
        out(&format!("{line}\n"));
    }
    Ok(Outcome::Ok)
}

fn list(global: &Settings, a: &KeyListArgs) -> Result<Outcome, Error> {
    let dir = under_root(global, trust::KEY_DIR);
    let policy_path = policy_target(global);
    let policy = crate::fsread::read_limited(&policy_path, MAX_POLICY_SIZE as u64)
        .ok()
        .filter(|t| parse_policy(t, global.compat).is_ok())
        .and_then(|t| Node::parse(&t).ok());
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "pub"))
            .collect(),
        Err(_) => Vec::new(),
    };
    entries.sort();
    let mut rows = Vec::new();
    for p in &entries {
        let name = p
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_owned();
        let sys = key_sys_path(&name);
        let (fingerprint, problem) = match crate::fsread::read_limited(p, MAX_KEY_FILE) {
            Ok(b) => match trust::vet_public_key(&b) {
                Ok(k) => (Some(k.fingerprint), None),
                Err(e) => (None, Some(e.0)),
            },
            Err(e) => (None, Some(e.to_string())),
        };
        rows.push(KeyRow {
            builtin_armorred: fingerprint.as_deref() == Some(trust::ARMORRED_FINGERPRINT),
            fingerprint,
            name,
            scopes: policy
                .as_ref()
                .map(|n| trust::scopes_using_key(n, &sys))
                .unwrap_or_default(),
            path: sys,
            problem,
        });
    }
    if a.json {
        out(&to_pretty(&KeyListReport {
            keys: rows,
            policy: policy_path.display().to_string(),
        }));
    } else {
        if rows.is_empty() {
            out(&format!("no keys in {}\n", dir.display()));
        }
        for r in &rows {
            out(&format!(
                "{}\t{}\t{}{}\n",
                r.path,
                r.fingerprint.as_deref().map_or_else(
                    || format!("INVALID: {}", r.problem.as_deref().unwrap_or("")),
                    str::to_owned
                ),
                if r.scopes.is_empty() {
                    "not used by the policy".to_owned()
                } else {
                    format!("used by {}", r.scopes.join(", "))
                },
                if r.builtin_armorred {
                    "\t(ARMORRED, matches the built-in pin)"
                } else {
                    ""
                }
            ));
        }
    }
    Ok(Outcome::Ok)
}

fn remove(global: &Settings, a: &KeyRemoveArgs) -> Result<Outcome, Error> {
    if !trust::valid_key_name(&a.name) {
        return Err(Error::Usage(format!("invalid key name {:?}", a.name)));
    }
    let key_sys = key_sys_path(&a.name);
    let key_real = under_root(global, &key_sys);
    let regd = under_root(
        global,
        &format!("/etc/containers/registries.d/{}.yaml", a.name),
    );
    let path = policy_target(global);
    // One transaction for the three files: locked together, changed all or nothing.
    let tx = Txn::begin_all(
        &[
            (path.clone(), MAX_POLICY_SIZE as u64),
            (regd.clone(), MAX_KEY_FILE),
            (key_real.clone(), MAX_KEY_FILE),
        ],
        Safety::default(),
    )?;
    let plan = plan::remove(
        &plan::Remove {
            key_sys: &key_sys,
            scope: a.scope.as_deref(),
            policy: current(&tx, &path),
            registries_d: current(&tx, &regd),
            key_file: current(&tx, &key_real),
        },
        global.compat,
    )?;
    if a.dry_run {
        print_plan(&tx, &plan);
        out(&format!(
            "dry run: would also remove {} and registries.d/{}.yaml\n",
            key_real.display(),
            a.name
        ));
        return Ok(Outcome::Ok);
    }
    let report = plan.report.clone();
    tx.commit_all(changes(plan))?;
    for line in report {
        out(&format!("{line}\n"));
    }
    Ok(Outcome::Ok)
}
