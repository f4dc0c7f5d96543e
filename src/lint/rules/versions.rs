//! V001 newer-than-target: constructs an older containers/image refuses, so one field can stop
//! every pull on an older node (`lint --target-version`).

use super::lists;
use crate::diag::Severity;
use crate::lint::{Context, Finding, Rule};
use crate::policy::{KeySource, Requirement, SigstoreTrust, Span};

pub static RULE: &Rule = &Rule {
    code: "V001",
    name: "newer-than-target",
    severity: Severity::Error,
    summary: "field that the targeted containers/image version does not know: that version refuses the whole policy",
    docs: "### What it does\nWith `--target-version 5.23|5.29|5.33|current` (or a version detected from the \
installed skopeo/podman), flags fields newer than that version: `fulcio` and `rekorPublicKeyPath/Data` (5.24), \
`keyPaths`, `keyDatas`, `rekorPublicKeyPaths/Datas` (5.33), `pki` (5.35).\n\n### Why\ncontainers/image parses the \
policy strictly: an unknown field is `Unknown key`, the policy does not load, and *every* pull, build and run that \
evaluates it fails — not just the images of that scope. Fleets with mixed versions (Debian 12 ships 5.23) break \
when a newer policy is rolled out.\n\n### Fix\nUse only fields every targeted node knows (`keyPath` instead of \
`keyPaths`: one key per requirement), or upgrade the old nodes first.\n",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(target) = ctx.target_minor else {
        return;
    };
    let mut flag = |field: &str, since: u32, span: Span| {
        if target < since {
            out.push(Finding {
                code: RULE.code,
                message: format!("{field} needs containers/image 5.{since}; 5.{target} refuses this policy (Unknown key)"),
                span,
                label: format!("unknown before 5.{since}"),
                help: Some("remove it or raise --target-version".into()),
            });
        }
    };
    for (_, list) in lists(ctx.policy) {
        for r in &list.items {
            let Requirement::SigstoreSigned(s) = &r.value else {
                continue;
            };
            match &s.trust {
                SigstoreTrust::Fulcio(f) => flag("fulcio", 24, f.span.clone()),
                SigstoreTrust::Pki(p) => flag("pki", 35, p.span.clone()),
                SigstoreTrust::PublicKeys(KeySource::Paths(p)) => {
                    flag("keyPaths", 33, p.span.clone())
                }
                SigstoreTrust::PublicKeys(KeySource::Datas(d)) => {
                    flag("keyDatas", 33, d.span.clone())
                }
                SigstoreTrust::PublicKeys(_) => {}
            }
            match &s.rekor {
                Some(KeySource::Paths(p)) => flag("rekorPublicKeyPaths", 33, p.span.clone()),
                Some(KeySource::Datas(d)) => flag("rekorPublicKeyDatas", 33, d.span.clone()),
                Some(_) => flag("rekorPublicKeyPath/Data", 24, r.span.clone()),
                None => {}
            }
        }
    }
}

/// The c/image minor version of an installed tool's `--version` line (podman/skopeo), from the
/// releases' vendored c/image versions.
pub fn cimage_minor_of(tool_version: &str) -> Option<u32> {
    let mut words = tool_version.split_whitespace();
    let tool = words.next()?;
    let v = words.find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))?;
    let mut parts = v.split('.').map(|x| x.parse::<u32>().ok());
    let (major, minor) = (parts.next()??, parts.next()??);
    let table: &[((u32, u32), u32)] = match tool {
        "podman" => &[
            ((4, 3), 23),
            ((4, 4), 24),
            ((4, 5), 25),
            ((4, 6), 26),
            ((4, 7), 28),
            ((4, 8), 29),
            ((4, 9), 29),
            ((5, 0), 30),
            ((5, 1), 31),
            ((5, 2), 32),
            ((5, 3), 33),
            ((5, 4), 34),
            ((5, 5), 35),
            ((5, 6), 36),
        ],
        "skopeo" => &[
            ((1, 9), 23),
            ((1, 10), 24),
            ((1, 11), 25),
            ((1, 12), 26),
            ((1, 13), 28),
            ((1, 14), 29),
            ((1, 15), 30),
            ((1, 16), 32),
            ((1, 17), 33),
            ((1, 18), 34),
            ((1, 19), 35),
            ((1, 20), 36),
        ],
        _ => return None,
    };
    // The newest entry not newer than this version (older versions map to the oldest known).
    let mut best = None;
    for ((ma, mi), c) in table {
        if (*ma, *mi) <= (major, minor) {
            best = Some(*c);
        }
    }
    best.or_else(|| table.first().map(|t| t.1))
}

#[cfg(test)]
mod tests {
    use super::cimage_minor_of;

    #[test]
    fn versions_of_tools() {
        assert_eq!(cimage_minor_of("skopeo version 1.9.3"), Some(23));
        assert_eq!(cimage_minor_of("podman version 4.3.1"), Some(23));
        assert_eq!(cimage_minor_of("podman version 5.3.0"), Some(33));
        assert_eq!(cimage_minor_of("podman version 9.0.0"), Some(36));
        assert_eq!(cimage_minor_of("buildah version 1.0"), None);
    }
}
