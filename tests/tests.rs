//! The single integration-test binary: runs the real `policyctl` on real files.

mod cli_lint;
mod diff_skopeo;
mod docs;
mod util;
