//! `policyctl export`, `import`, `k8s diff`, `k8s validate`: the I/O around [`crate::k8s`]
//! (reading the policy, key files, registries.d and YAML files; printing; the transactional
//! writes of `import`, shared with `key install`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::cli::{
    ExportArgs, ExportTarget, ImportArgs, ImportDefault, K8sArgs, K8sCommand, K8sDiffArgs,
    K8sValidateArgs, KeyRefsArg,
};
use crate::commands::key::{dry_run_diff, validated};
use crate::commands::{Outcome, load_policy};
use crate::config::txn::{Change, Safety, Txn};
use crate::error::Error;
use crate::k8s::cluster::ClusterPolicies;
use crate::k8s::export::{self as kexport, ExportInput, ExportOptions, KeyRefs, Target};
use crate::k8s::import::{self as kimport, DefaultChoice};
use crate::k8s::roots::{Gate, KeyFiles, Root};
use crate::k8s::warning::{Severity, Warning};
use crate::policy::model::Policy;
use crate::policy::parse::MAX_POLICY_SIZE;
use crate::report::json::{ExportReport, to_pretty};
use crate::report::{err, out};
use crate::settings::Settings;
use crate::trust;

const MAX_KEY_FILE: u64 = 1024 * 1024;

/// `policyctl k8s`.
pub fn run(global: &Settings, args: &K8sArgs) -> Result<Outcome, Error> {
    match &args.command {
        K8sCommand::Diff(a) => diff(global, a),
        K8sCommand::Validate(a) => validate(a),
    }
}

/// Reads the key and CA files a policy names (absolute paths under `--root`).
fn read_files(global: &Settings, paths: &[String]) -> KeyFiles {
    paths
        .iter()
        .map(|p| {
            let real = if p.starts_with('/') {
                global.under_root(p)
            } else {
                PathBuf::from(p)
            };
            let r = crate::fsread::read_limited(&real, MAX_KEY_FILE)
                .map_err(|e| crate::config::host::go_errno_text(&e));
            (p.clone(), r)
        })
        .collect()
}

fn policy_files(global: &Settings, policy: &Policy) -> KeyFiles {
    read_files(global, &kexport::files_to_read(policy))
}

fn print_warnings(warnings: &[Warning]) {
    for w in warnings {
        err(&format!("{w}\n"));
    }
}

fn losses(warnings: &[Warning]) -> usize {
    warnings
        .iter()
        .filter(|w| w.severity == Severity::Loss)
        .count()
}

/// `policyctl export`.
pub fn export(global: &Settings, a: &ExportArgs) -> Result<Outcome, Error> {
    let loaded = load_policy(global)?;
    // The file name only: documents must not depend on where the policy was read.
    let source = loaded.location.path.file_name().map_or_else(
        || "policy.json".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let files = policy_files(global, &loaded.policy);
    let regd =
        crate::config::registries_d::load(&global.registries_d_dir()).map_err(Error::Read)?;
    let no_attachments: BTreeSet<String> = loaded
        .policy
        .transports
        .iter()
        .filter(|t| t.name.value == "docker")
        .flat_map(|t| t.scopes.iter())
        .map(|s| s.key.value.clone())
        .filter(|s| !s.is_empty() && !regd.attachments_for_scope(s))
        .collect();
    let target = match a.to {
        ExportTarget::PolicyController => Target::PolicyController,
        ExportTarget::Kyverno => Target::Kyverno,
        ExportTarget::KyvernoClusterpolicy => Target::KyvernoClusterPolicy,
        ExportTarget::Openshift => Target::OpenShift,
    };
    let opts = ExportOptions {
        target,
        scopes: a.scope.clone(),
        allow_stricter: a.allow_stricter,
        key_refs: match a.keys {
            KeyRefsArg::Inline => KeyRefs::Inline,
            KeyRefsArg::Secret => KeyRefs::Secret,
        },
        bundles: a.bundles,
        secret_namespace: a.secret_namespace.clone(),
    };
    let ex = kexport::export(
        ExportInput {
            policy: &loaded.policy,
            files: &files,
            no_attachments: &no_attachments,
            source: &source,
        },
        &opts,
    )
    .map_err(|e| Error::Conflict(e.0))?;
    let lost = losses(&ex.warnings);
    if a.json {
        let report = ExportReport {
            target: format!("{:?}", a.to).to_lowercase(),
            faithful: lost == 0,
            documents: ex
                .documents
                .iter()
                .map(|d| serde_json::to_value(d).unwrap_or_default())
                .collect(),
            warnings: ex.warnings.clone(),
        };
        out(&to_pretty(&report));
    } else {
        print_warnings(&ex.warnings);
        let yaml = crate::k8s::yaml::to_yaml(&ex.documents).map_err(|e| Error::Internal(e.0))?;
        match &a.output {
            Some(path) => write_output(path, &yaml)?,
            None => out(&yaml),
        }
    }
    Ok(if lost > 0 && !a.allow_partial {
        Outcome::Rejected
    } else {
        Outcome::Ok
    })
}

fn write_output(path: &Path, text: &str) -> Result<(), Error> {
    let tx = Txn::begin(
        path,
        Safety { force: false },
        crate::k8s::yaml::MAX_YAML_SIZE as u64,
    )?;
    tx.commit(text.as_bytes(), 0o644)?;
    Ok(())
}

/// Reads YAML files into cluster rules.
fn read_cluster(files: &[PathBuf]) -> Result<ClusterPolicies, Error> {
    read_cluster_with(files, ClusterPolicies::default())
}

fn read_cluster_with(files: &[PathBuf], mut cp: ClusterPolicies) -> Result<ClusterPolicies, Error> {
    for f in files {
        let docs = read_yaml(f)?;
        cp.add_file(&f.display().to_string(), &docs);
    }
    Ok(cp)
}

fn read_yaml(f: &Path) -> Result<Vec<serde_json::Value>, Error> {
    let bytes =
        crate::fsread::read_limited(f, crate::k8s::yaml::MAX_YAML_SIZE as u64).map_err(|e| {
            Error::Read(format!(
                "reading {}: {}",
                f.display(),
                crate::config::host::go_errno_text(&e)
            ))
        })?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Error::Read(format!("{}: not UTF-8 text", f.display())))?;
    crate::k8s::yaml::parse_documents(text)
        .map_err(|e| Error::Read(format!("{}: {e}", f.display())))
}

/// `policyctl k8s validate`.
fn validate(a: &K8sValidateArgs) -> Result<Outcome, Error> {
    let mut findings = 0;
    for f in &a.files {
        for (i, doc) in read_yaml(f)?.iter().enumerate() {
            let kind = doc.get("kind").and_then(|k| k.as_str()).unwrap_or("?");
            let name = doc
                .pointer("/metadata/name")
                .and_then(|k| k.as_str())
                .unwrap_or("?");
            let place = format!("{}: document {} ({kind} {name})", f.display(), i + 1);
            match crate::k8s::webhook::validate(doc) {
                None => out(&format!("{place}: not an image policy; not checked\n")),
                Some(list) if list.is_empty() => out(&format!("{place}: valid\n")),
                Some(list) => {
                    for finding in list {
                        findings += 1;
                        out(&format!("{place}: {}: {}\n", finding.path, finding.message));
                    }
                }
            }
        }
    }
    Ok(if findings > 0 {
        Outcome::Rejected
    } else {
        Outcome::Ok
    })
}

/// `policyctl k8s diff`.
fn diff(global: &Settings, a: &K8sDiffArgs) -> Result<Outcome, Error> {
    let loaded = load_policy(global)?;
    let files = policy_files(global, &loaded.policy);
    let cp = read_cluster(&a.files)?;
    let report = crate::k8s::drift::drift(&loaded.policy, &files, &cp)
        .map_err(|e| Error::Conflict(format!("{}: {e}", loaded.location.path.display())))?;
    if a.json {
        out(&to_pretty(&report));
    } else {
        print_warnings(&cp.warnings);
        let rows: Vec<_> = report.rows.iter().filter(|r| a.all || !r.agree).collect();
        if !rows.is_empty() {
            let w = rows.iter().map(|r| r.image.len()).max().unwrap_or(5).max(5);
            let s = rows
                .iter()
                .map(|r| r.host_scope.len())
                .max()
                .unwrap_or(5)
                .max(5);
            out(&format!(
                "{:<w$}  {:<s$}  {:<40}  CLUSTER\n",
                "IMAGE", "SCOPE", "HOST"
            ));
            for r in rows {
                let cluster = r
                    .cluster
                    .as_ref()
                    .map_or("(cannot parse the image)".to_owned(), Gate::describe);
                let mark = if r.agree { " " } else { "≠" };
                out(&format!(
                    "{:<w$}  {:<s$}  {:<40}{mark} {cluster}\n",
                    r.image,
                    r.host_scope,
                    r.host.describe()
                ));
            }
        }
        out(&format!(
            "{} of {} probe images differ\n",
            report.drift,
            report.rows.len()
        ));
    }
    Ok(if report.drift > 0 {
        Outcome::Rejected
    } else {
        Outcome::Ok
    })
}

/// A key-file / registries.d name for a scope: its last component (`ghcr.io/armorred` →
/// `armorred`, `*.example.com` → `example.com`).
fn scope_name(scope: &str) -> String {
    let base = scope.trim_start_matches("*.");
    let base = base.split(['@']).next().unwrap_or(base);
    let last = base.rsplit('/').next().unwrap_or(base);
    let last = last.split(':').next().unwrap_or(last);
    let mut n: String = last
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    n = n.trim_matches(['.', '-', '_']).to_owned();
    if !trust::valid_key_name(&n) {
        n = "imported".into();
    }
    n
}

fn unique(name: String, taken: &BTreeSet<String>) -> String {
    if !taken.contains(&name) {
        return name;
    }
    (2..)
        .map(|i| format!("{name}-{i}"))
        .find(|n| !taken.contains(n))
        .unwrap_or(name)
}

/// An absolute path for policy.json (c/image resolves relative paths against the CWD of the
/// evaluating process); the file must exist.
fn absolute(p: &Path) -> Result<String, Error> {
    let abs = std::path::absolute(p).map_err(|e| Error::Usage(format!("{}: {e}", p.display())))?;
    if !abs.is_file() {
        return Err(Error::Usage(format!("{}: not a file", p.display())));
    }
    Ok(abs.display().to_string())
}

/// `policyctl import`.
pub fn import(global: &Settings, a: &ImportArgs) -> Result<Outcome, Error> {
    let mut supplied = ClusterPolicies::default();
    for k in &a.keys {
        let Some((name, path)) = k.split_once('=') else {
            return Err(Error::Usage(format!("--key {k:?}: expected NAME=PATH")));
        };
        let bytes = crate::fsread::read_limited(Path::new(path), MAX_KEY_FILE).map_err(|e| {
            Error::Read(format!(
                "{path}: {}",
                crate::config::host::go_errno_text(&e)
            ))
        })?;
        supplied.supplied_keys.insert(name.to_owned(), bytes);
    }
    let cp = read_cluster_with(&a.files, supplied)?;
    let fulcio = match (&a.fulcio_ca, &a.rekor_key) {
        (Some(ca), Some(rekor)) => Some(kimport::FulcioFiles {
            ca_path: absolute(ca)?,
            rekor_key_path: absolute(rekor)?,
        }),
        (None, None) => None,
        _ => {
            return Err(Error::Usage(
                "--fulcio-ca and --rekor-key go together (c/image's fulcio needs both)".into(),
            ));
        }
    };
    let plan = kimport::import(
        &cp,
        match a.default {
            ImportDefault::Reject => DefaultChoice::Reject,
            ImportDefault::Cluster => DefaultChoice::Cluster,
        },
        fulcio.is_some(),
        a.approximate,
    );
    print_warnings(&plan.warnings);
    let lost = losses(&plan.warnings);
    if lost > 0 && !a.allow_partial && !a.dry_run {
        err(&format!(
            "error: {lost} loss(es) in the translation; nothing written (review them, then use --allow-partial)\n"
        ));
        return Ok(Outcome::Rejected);
    }
    let key_sys = |name: &str| format!("{}/{name}.pub", trust::KEY_DIR);
    // Key names: one file per key, named after the first scope using it.
    let mut key_name: BTreeMap<String, String> = BTreeMap::new();
    let mut taken = BTreeSet::new();
    let mut regd_names: Vec<(String, String)> = Vec::new();
    let mut regd_taken = BTreeSet::new();
    let regd =
        crate::config::registries_d::load(&global.registries_d_dir()).map_err(Error::Read)?;
    for s in &plan.scopes {
        let Gate::Require { all_of } = &s.gate else {
            continue;
        };
        for root in all_of.iter().flatten() {
            if let Root::Key { fingerprint } = root
                && !key_name.contains_key(fingerprint)
            {
                // A name whose file holds another key is taken too (keys are added, never
                // silently replaced); the same key reuses its file.
                let pem = cp.keys.pem.get(fingerprint).cloned().unwrap_or_default();
                let mut n = scope_name(&s.scope);
                loop {
                    n = unique(n, &taken);
                    let existing =
                        crate::fsread::read_limited(&global.under_root(&key_sys(&n)), MAX_KEY_FILE);
                    match existing {
                        Ok(b) if trust::normalized_pem(&b) != pem => {
                            taken.insert(n.clone());
                        }
                        _ => break,
                    }
                }
                taken.insert(n.clone());
                key_name.insert(fingerprint.clone(), n);
            }
        }
        if !regd.attachments_for_scope(&s.scope) {
            if let Some((_, file)) = regd.docker.get(&s.scope) {
                return Err(Error::Conflict(format!(
                    "{} configures {} without use-sigstore-attachments: true; add it there (podman would fetch no signatures)",
                    file.display(),
                    s.scope
                )));
            }
            let n = unique(scope_name(&s.scope), &regd_taken);
            regd_taken.insert(n.clone());
            regd_names.push((s.scope.clone(), n));
        }
    }
    let policy_path = global.policy_target();
    let mut targets: Vec<(PathBuf, u64)> = Vec::new();
    if !a.inline_keys {
        for n in key_name.values() {
            targets.push((global.under_root(&key_sys(n)), MAX_KEY_FILE));
        }
    }
    for (_, n) in &regd_names {
        targets.push((
            global.under_root(&format!("/etc/containers/registries.d/{n}.yaml")),
            MAX_KEY_FILE,
        ));
    }
    targets.push((policy_path.clone(), MAX_POLICY_SIZE as u64));
    let tx = Txn::begin_all(&targets, Safety { force: a.force })?;
    let mut writes: Vec<(PathBuf, String)> = Vec::new();
    if !a.inline_keys {
        for (fp, n) in &key_name {
            let path = global.under_root(&key_sys(n));
            let pem = cp.keys.pem.get(fp).cloned().unwrap_or_default();
            match tx.current_of(&path) {
                Some(cur) if trust::normalized_pem(cur) == pem => {}
                Some(_) if !a.force => {
                    return Err(Error::Conflict(format!(
                        "{} exists with a different key; use --force to replace it (a .bak is kept)",
                        path.display()
                    )));
                }
                _ => writes.push((path, pem)),
            }
        }
    }
    for (scope, n) in &regd_names {
        let path = global.under_root(&format!("/etc/containers/registries.d/{n}.yaml"));
        let text = trust::registries_d_yaml(scope);
        match tx.current_of(&path) {
            Some(cur) if cur == text.as_bytes() => {}
            Some(_) if !a.force => {
                return Err(Error::Conflict(format!(
                    "{} exists with other contents; use --force to replace it",
                    path.display()
                )));
            }
            _ => writes.push((path, text)),
        }
    }
    // The policy: the current one (strictly parsed) or init's starting policy.
    let mut node = match tx.current_of(&policy_path) {
        Some(_) => crate::trust::plan::current_policy(
            crate::trust::plan::Current {
                path: &policy_path,
                contents: tx.current_of(&policy_path),
            },
            global.compat,
        )?,
        None => crate::commands::init::starting_policy(),
    };
    let key_path = |fp: &str| -> Option<String> {
        (!a.inline_keys)
            .then(|| key_name.get(fp).map(|n| key_sys(n)))
            .flatten()
    };
    let pem = |fp: &str| cp.keys.pem.get(fp).cloned().unwrap_or_default();
    node.set(
        "default",
        kimport::requirements(&plan.default, &key_path, &pem, fulcio.as_ref()),
    );
    for s in &plan.scopes {
        let reqs = kimport::requirements(&s.gate, &key_path, &pem, fulcio.as_ref());
        if let trust::Edit::Conflict(existing) =
            trust::set_docker_scope(&mut node, &s.scope, reqs, a.force)
        {
            return Err(Error::Conflict(format!(
                "{}: transports.docker[{:?}] already has different requirements:\n{existing}\nuse --force to replace them",
                policy_path.display(),
                s.scope
            )));
        }
    }
    let text = validated(global, &policy_path, &node)?;
    if tx.current_of(&policy_path) != Some(text.as_bytes()) {
        writes.push((policy_path.clone(), text));
    }
    if a.dry_run {
        for (path, new) in &writes {
            out(&dry_run_diff(path, tx.current_of(path), new));
        }
        out(&format!("dry run: {} file(s) would change\n", writes.len()));
        return Ok(if lost > 0 && !a.allow_partial {
            Outcome::Rejected
        } else {
            Outcome::Ok
        });
    }
    let n = writes.len();
    let changes: Vec<Change> = writes
        .into_iter()
        .map(|(path, new)| Change::Write {
            path,
            contents: new.into_bytes(),
            mode: 0o644,
        })
        .collect();
    if !changes.is_empty() {
        tx.commit_all(changes)?;
    }
    out(&format!(
        "imported {} scope(s) from {} file(s); {n} file(s) changed\n",
        plan.scopes.len(),
        a.files.len()
    ));
    Ok(Outcome::Ok)
}
