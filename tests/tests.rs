#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The single integration-test binary: runs the real `policyctl` on real files.

mod architecture;
mod cli_check;
mod cli_check_all;
mod cli_false_accepts;
mod cli_fifo;
mod cli_key;
mod cli_lint;
mod cli_scope;
mod cli_trust;
mod cli_where;
mod diff_check;
mod diff_current_check;
mod diff_gpg;
mod diff_manifest;
mod diff_podman;
mod diff_skopeo;
mod diff_skopeo_lists;
mod docs;
mod json_schemas;
mod lint_rules;
mod lint_sarif;
mod manifest_gen;
mod oracle;
mod upstream_fixtures;
mod util;
