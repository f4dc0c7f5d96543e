//! `policyctl lint`: load the policy exactly as c/image would, then run the lint rules.

use serde_json::json;

use crate::cli::{Format, LintArgs};
use crate::commands::{Outcome, locate_policy};
use crate::config::policy_file::{LoadedPolicy, load};
use crate::config::policy_path::PolicyLocation;
use crate::error::Error;
use crate::lint;
use crate::report::human::{Diagnostic, render_indexed};
use crate::report::json::{LintDiagnostic, LintError, LintReport, to_pretty};
use crate::report::position::{LineIndex, line_col};
use crate::report::{err, out};
use crate::settings::Settings;

/// Most diagnostics rendered as snippets in human output (the rest are counted).
pub const MAX_RENDERED: usize = 200;

/// `policyctl lint`.
pub fn run(global: &Settings, args: &LintArgs) -> Result<Outcome, Error> {
    if let Some(code) = &args.explain {
        let Some(rule) = lint::rule(code) else {
            return Err(Error::Usage(format!(
                "no lint rule {code:?}; codes: {}",
                lint::RULES
                    .iter()
                    .map(|r| r.code)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        out(&format!(
            "{} {} ({:?})\n\n{}\n\n{}",
            rule.code, rule.name, rule.severity, rule.summary, rule.docs
        ));
        return Ok(Outcome::Ok);
    }
    let location = locate_policy(global)?;
    if args.fix
        && let Ok(l) = load(location.clone(), global.compat)
    {
        apply_fixes(global, &l)?;
    }
    let loaded = match load(location.clone(), global.compat) {
        Ok(l) => l,
        Err(e) if args.format == Format::Sarif => {
            out(&format!("{:#}\n", sarif(&location, None, Some(&e))));
            drop(e);
            return Ok(Outcome::ErrorReported);
        }
        Err(e) if args.format == Format::Json => {
            out(&lint_json(&location, global, None, Some(&e)));
            drop(e);
            return Ok(Outcome::ErrorReported);
        }
        Err(e) => return Err(e),
    };
    let facts = (!args.no_files).then(|| {
        let dir = args
            .registries_d
            .clone()
            .unwrap_or_else(|| global.registries_d_dir());
        let mut f = crate::config::lint_facts::gather(&loaded.policy, global.root.as_deref(), &dir);
        let conf = args.registries_conf.clone().unwrap_or_else(|| {
            let user = global
                .home()
                .map(|h| h.join(".config/containers/registries.conf"));
            user.filter(|u| u.exists())
                .unwrap_or_else(|| global.under_root("/etc/containers/registries.conf"))
        });
        f.mirrors = crate::config::lint_facts::mirrors(&conf);
        if loaded.location.definition == crate::config::policy_path::Definition::User {
            let system = global.under_root(crate::config::policy_path::SYSTEM_POLICY_PATH);
            if system.exists() {
                f.shadowed_system_policy = Some(system.display().to_string());
            }
        }
        f
    });
    let target_minor = match args.target_version.as_deref() {
        None | Some("current") => None,
        Some("auto") => detect_target(),
        Some(v) => v.strip_prefix("5.").and_then(|m| m.parse().ok()),
    };
    let ctx = lint::Context {
        policy: &loaded.policy,
        compat: global.compat,
        facts: facts.as_ref(),
        target_minor,
    };
    let mut findings = lint::run(&ctx);
    if args.require_signed {
        for (rule, _) in &mut findings {
            if rule.code == "P008" {
                *rule = lint::rules::insecure_fallback::STRICT;
            }
        }
    }
    let deny_warnings = args.deny.iter().any(|d| d == "warnings");
    let failing = findings.iter().any(|(r, _)| {
        r.severity == crate::report::human::Severity::Error
            || (deny_warnings && r.severity == crate::report::human::Severity::Warning)
    });
    match args.format {
        Format::Json => out(&lint_json(
            &location,
            global,
            Some((&loaded, &findings)),
            None,
        )),
        Format::Sarif => out(&format!(
            "{:#}\n",
            sarif(&location, Some((&loaded, &findings)), None)
        )),
        Format::Human => {
            // One line index for the file (each diagnostic then costs its own lines), and at
            // most MAX_RENDERED snippets: beyond that, a count and a pointer to JSON.
            let index = LineIndex::new(&loaded.text);
            for (rule, f) in findings.iter().take(MAX_RENDERED) {
                err(&render_indexed(
                    &Diagnostic {
                        severity: rule.severity,
                        code: Some(rule.code),
                        message: f.message.clone(),
                        path: &loaded.location.path,
                        text: &loaded.text,
                        span: f.span.clone(),
                        label: f.label.clone(),
                        help: f.help.iter().cloned().collect(),
                    },
                    &index,
                ));
            }
            if findings.len() > MAX_RENDERED {
                err(&format!(
                    "... and {} more findings not shown; use --format json for all\n",
                    findings.len() - MAX_RENDERED
                ));
            }
            out(&format!(
                "{}: ok: containers/image {} loads this policy ({}); {} finding(s)\n",
                loaded.location.path.display(),
                global.compat.as_str(),
                loaded.location.definition.describe(),
                findings.len()
            ));
        }
    }
    Ok(if failing {
        Outcome::Rejected
    } else {
        Outcome::Ok
    })
}

fn lint_json(
    location: &PolicyLocation,
    global: &Settings,
    loaded: Option<(&LoadedPolicy, &Vec<(&'static lint::Rule, lint::Finding)>)>,
    error: Option<&Error>,
) -> String {
    let error = error.map(|e| match e {
        Error::PolicyInvalid { text, error, .. } => {
            let pos = line_col(text, error.span.start);
            LintError {
                column: Some(pos.column),
                full_message: e.to_string(),
                kind: error.kind.as_str().to_owned(),
                length: Some(error.span.len()),
                line: Some(pos.line),
                message: error.message.clone(),
                offset: Some(error.span.start),
            }
        }
        other => LintError {
            column: None,
            full_message: other.to_string(),
            kind: "read".to_owned(),
            length: None,
            line: None,
            message: other.to_string(),
            offset: None,
        },
    });
    let diagnostics = loaded
        .map(|(l, findings)| {
            let index = LineIndex::new(&l.text);
            findings
                .iter()
                .map(|(rule, f)| {
                    let pos = index.line_col(f.span.start);
                    LintDiagnostic {
                        code: rule.code.to_owned(),
                        column: pos.column,
                        help: f.help.clone(),
                        line: pos.line,
                        message: f.message.clone(),
                        rule: rule.name.to_owned(),
                        severity: rule.severity.as_str().to_owned(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    to_pretty(&LintReport {
        compat: global.compat.as_str().to_owned(),
        diagnostics,
        valid: error.is_none(),
        error,
        policy: location.into(),
    })
}

/// The oldest c/image among the installed podman and skopeo (`--target-version auto`).
fn detect_target() -> Option<u32> {
    ["podman", "skopeo"]
        .iter()
        .filter_map(|tool| {
            std::process::Command::new(tool)
                .arg("--version")
                .output()
                .ok()
        })
        .filter_map(|o| {
            crate::lint::rules::versions::cimage_minor_of(String::from_utf8_lossy(&o.stdout).trim())
        })
        .min()
}

/// SARIF 2.1.0: one run, every rule described, one result per finding (or the load error).
fn sarif(
    location: &PolicyLocation,
    loaded: Option<(&LoadedPolicy, &Vec<(&'static lint::Rule, lint::Finding)>)>,
    error: Option<&Error>,
) -> serde_json::Value {
    use crate::report::human::Severity;
    let level = |s: Severity| match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    let uri = location.path.display().to_string();
    let rules: Vec<_> = lint::RULES
        .iter()
        .map(|r| {
            json!({"id": r.code, "name": r.name, "shortDescription": {"text": r.summary},
                   "fullDescription": {"text": r.summary}, "help": {"text": r.docs, "markdown": r.docs},
                   "defaultConfiguration": {"level": level(r.severity)}})
        })
        .collect();
    let region_in = |index: &LineIndex<'_>, span: &std::ops::Range<usize>| {
        let a = index.line_col(span.start);
        let b = index.line_col(span.end.max(span.start));
        json!({"startLine": a.line, "startColumn": a.column, "endLine": b.line, "endColumn": b.column.max(a.column)})
    };
    let mut results = Vec::new();
    if let Some((l, findings)) = loaded {
        let lines = LineIndex::new(&l.text);
        for (rule, f) in findings.iter() {
            let index = lint::RULES
                .iter()
                .position(|r| r.code == rule.code)
                .unwrap_or(0);
            let mut text = f.message.clone();
            if let Some(h) = &f.help {
                text = format!("{text} (help: {h})");
            }
            results.push(json!({"ruleId": rule.code, "ruleIndex": index, "level": level(rule.severity),
                "message": {"text": text},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region_in(&lines, &f.span)}}]}));
        }
    }
    let invocation_ok = error.is_none();
    let mut notifications = Vec::new();
    if let Some(e) = error {
        let mut n = json!({"level": "error", "message": {"text": e.to_string()}, "descriptor": {"id": "load"}});
        if let Error::PolicyInvalid { text, error, .. } = e {
            n["locations"] = json!([{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region_in(&LineIndex::new(text), &error.span)}}]);
        }
        notifications.push(n);
    }
    json!({
        "$schema": "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "policyctl", "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/containers/image", "rules": rules}},
            "invocations": [{"executionSuccessful": invocation_ok, "toolExecutionNotifications": notifications}],
            "artifacts": [{"location": {"uri": uri}}],
            "results": results,
        }]
    })
}

/// `lint --fix`: applies the planned fixes to the policy file in one transaction.
fn apply_fixes(global: &Settings, loaded: &LoadedPolicy) -> Result<(), Error> {
    let plan = lint::fix::plan(&loaded.policy);
    if plan.is_empty() {
        return Ok(());
    }
    let path = &loaded.location.path;
    let tx = crate::config::txn::Txn::begin(
        path,
        crate::config::txn::Safety::default(),
        crate::policy::parse::MAX_POLICY_SIZE as u64,
    )?;
    let mut node = crate::commands::key::current_policy(global, &tx)?;
    let fixes: Vec<_> = plan.iter().map(|(_, _, f)| f.clone()).collect();
    let n = lint::fix::apply(&mut node, &fixes);
    let text = crate::commands::key::validated(global, path, &node)?;
    tx.commit(text.as_bytes(), 0o644)?;
    for (code, what, _) in &plan {
        err(&format!("fixed[{code}]: {what}\n"));
    }
    err(&format!(
        "{}: applied {n} fix(es) (previous version in {}.bak)\n",
        path.display(),
        path.display()
    ));
    Ok(())
}
