//! `policyctl where`: which configuration files containers/image would read, in lookup
//! order, marking the one in effect and the ones it shadows.

use std::path::{Path, PathBuf};

use crate::cli::WhereArgs;
use crate::commands::{Outcome, locate_policy};
use crate::error::Error;
use crate::image::storage::conf::store_config;
use crate::report::json::{WhereCandidate, WhereFile, WhereReport, WhereStore, to_pretty};
use crate::report::out;
use crate::settings::Settings;

struct Candidate {
    what: String,
    path: Option<PathBuf>,
    state: &'static str,
}

fn exists(p: &Path, dir: bool) -> &'static str {
    match (p.exists(), dir, p.is_dir()) {
        (false, _, _) => "missing",
        (true, true, true) | (true, false, false) => "present",
        _ => "wrong type",
    }
}

fn sys(global: &Settings, p: &str) -> PathBuf {
    crate::commands::key::under_root(global, p)
}

/// `policyctl where`.
pub fn run(global: &Settings, a: &WhereArgs) -> Result<Outcome, Error> {
    let home = global.home.clone();
    let effective_policy = locate_policy(global).ok().map(|l| l.path);
    let mut sections: Vec<(&str, Vec<Candidate>, Option<PathBuf>)> = Vec::new();

    // Exactly the candidates the policy lookup of every command consults, in its order.
    let policy: Vec<Candidate> = global
        .policy_candidates()
        .into_iter()
        .map(|c| {
            use crate::config::policy_path::Definition;
            let (what, state) = match (&c.definition, &c.path) {
                (Definition::CommandLine, Some(_)) => ("--policy", "given"),
                (Definition::CommandLine, None) => ("--policy", "not given"),
                (Definition::Environment, Some(_)) => ("$CONTAINERS_POLICY_JSON", "set"),
                (Definition::Environment, None) => ("$CONTAINERS_POLICY_JSON", "unset"),
                (Definition::User, p) => {
                    ("user", p.as_deref().map_or("missing", |p| exists(p, false)))
                }
                (_, p) => (
                    "system",
                    p.as_deref().map_or("missing", |p| exists(p, false)),
                ),
            };
            Candidate {
                what: what.into(),
                path: c.path,
                state,
            }
        })
        .collect();
    sections.push(("policy.json", policy, effective_policy));

    let mut regd = Vec::new();
    if let Some(p) = global.user_registries_d() {
        regd.push(Candidate {
            what: "user".into(),
            state: exists(&p, true),
            path: Some(p),
        });
    }
    let p = sys(global, "/etc/containers/registries.d");
    regd.push(Candidate {
        what: "system".into(),
        state: exists(&p, true),
        path: Some(p),
    });
    let regd_effective = global.registries_d_dir();
    sections.push(("registries.d", regd, Some(regd_effective)));

    let env = global.storage.clone();
    let mut storage = Vec::new();
    storage.push(Candidate {
        what: "$CONTAINERS_STORAGE_CONF".into(),
        state: if env.conf_override.is_some() {
            "set"
        } else {
            "unset"
        },
        path: env.conf_override.clone(),
    });
    if let Some(x) = env
        .xdg_config_home
        .clone()
        .or_else(|| home.as_ref().map(|h| h.join(".config")))
    {
        let p = x.join("containers/storage.conf");
        storage.push(Candidate {
            what: "user".into(),
            state: exists(&p, false),
            path: Some(p),
        });
    }
    for s in [
        "/etc/containers/storage.conf",
        "/usr/share/containers/storage.conf",
    ] {
        let p = sys(global, s);
        storage.push(Candidate {
            what: "system".into(),
            state: exists(&p, false),
            path: Some(p),
        });
    }
    let conf = store_config(&env).ok();
    sections.push((
        "storage.conf",
        storage,
        conf.as_ref().and_then(|c| c.file.clone()),
    ));

    if a.json {
        let files = sections
            .iter()
            .map(|(name, cands, eff)| WhereFile {
                candidates: cands
                    .iter()
                    .map(|c| WhereCandidate {
                        path: c.path.as_ref().map(|p| p.display().to_string()),
                        source: c.what.clone(),
                        state: c.state.to_owned(),
                    })
                    .collect(),
                file: (*name).to_owned(),
                in_effect: eff.as_ref().map(|p| p.display().to_string()),
            })
            .collect();
        out(&to_pretty(&WhereReport {
            files,
            store: conf.map(|c| WhereStore {
                driver: c.driver.clone(),
                graph_root: c.graph_root.clone(),
                run_root: c.run_root.clone(),
            }),
            uid: env.uid,
        }));
        return Ok(Outcome::Ok);
    }
    out(&format!(
        "as uid {} ({}):\n",
        env.uid,
        if env.uid == 0 { "root" } else { "rootless" }
    ));
    for (name, cands, eff) in &sections {
        out(&format!("{name}:\n"));
        let mut seen_effective = false;
        for c in cands {
            let path = c
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "-".into());
            let mark = match (&c.path, eff) {
                (Some(p), Some(e)) if p == e && !seen_effective => {
                    seen_effective = true;
                    "  <- in effect"
                }
                (Some(_), Some(_)) if seen_effective && c.state == "present" => "  (shadowed)",
                _ => "",
            };
            out(&format!("  {:<26} {:<11} {path}{mark}\n", c.what, c.state));
        }
        if !seen_effective {
            match eff {
                Some(e) => out(&format!("  in effect: {}\n", e.display())),
                None => out("  in effect: none (built-in defaults)\n"),
            }
        }
    }
    if let Some(c) = conf {
        out(&format!(
            "store: driver {}, graphroot {}, runroot {}\n",
            c.driver.as_deref().unwrap_or("(auto-detected)"),
            c.graph_root,
            c.run_root
        ));
    }
    Ok(Outcome::Ok)
}
