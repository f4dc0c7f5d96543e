//! `policyctl check`: open local images, evaluate the policy as c/image would, explain.
//!
//! Exit status: 0 every image accepted, 1 some rejected, 2 some could not be judged (bad
//! reference, missing image, corrupt store). The policy is loaded once; `--all` evaluates
//! every name of every image of a containers-storage store on all cores.

use crate::cli::CheckArgs;
use crate::commands::{Outcome, load_policy};
use crate::config::host::KeyFiles;
use crate::error::Error;
use crate::image::{OpenOptions, Platform};
use crate::report::check::{human, to_json};
use crate::report::json as rj;
use crate::report::{err, out};
use crate::settings::Settings;
pub use crate::verdict::{Checked, Checker, Judged};

/// `policyctl check`.
pub fn run(global: &Settings, args: &CheckArgs) -> Result<Outcome, Error> {
    let loaded = load_policy(global)?;
    let host = Platform::host();
    let platform = Platform {
        os: args.os.clone().unwrap_or(host.os),
        architecture: args.arch.clone().unwrap_or(host.architecture),
        // c/image's WantedPlatforms: the host's CPU variant only when the architecture is not
        // chosen.
        variant: args.variant.clone().or(if args.arch.is_none() {
            host.variant
        } else {
            None
        }),
        architecture_chosen: args.arch.is_some(),
    };
    let checker = Checker {
        loaded: &loaded,
        opts: OpenOptions {
            compat: global.compat,
            platform,
            oci_attachments: args.oci_attachments,
            storage_env: global.storage.clone(),
        },
        keys: KeyFiles::new(global.root.clone()),
        now: crate::config::host::now(),
        root: global.root.clone(),
        as_pulled: args.as_pulled,
        registries_d: args
            .as_pulled
            .then(|| crate::config::registries_d::load(&global.registries_d_dir())),
    };
    if args.all {
        return crate::commands::check_all::run(args, &checker);
    }
    let results: Vec<Checked<'_>> = args.references.iter().map(|r| checker.check(r)).collect();
    let worst = results.iter().map(Checked::exit).max().unwrap_or(0);
    if args.json {
        out(&rj::to_pretty(&to_json(global, &loaded, &results)));
    } else if !args.quiet {
        for r in &results {
            match &r.result {
                Ok(j) => out(&human(&loaded, &r.reference, j)),
                Err(e) => err(&format!("error: {}: {e}\n", r.reference)),
            }
        }
    }
    Ok(match worst {
        0 => Outcome::Ok,
        1 => Outcome::Rejected,
        _ => Outcome::ErrorReported,
    })
}
