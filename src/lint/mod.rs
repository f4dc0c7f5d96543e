//! Lint rules over a policy that c/image loads: dangerous or dead configuration.
//!
//! Each rule is its own file under `rules/` with a stable code, a severity, a one-line summary
//! and long documentation, and registers in [`RULES`]. Rules are pure: they see the parsed
//! [`Policy`](crate::policy::Policy) (with spans) and the compat target, never the filesystem.
//! (The full rule set is issue 5; the engine and the first rules live here now.)

pub mod rules;

use crate::compat::Compat;
use crate::policy::{Policy, Span};
use crate::report::human::Severity;

/// A lint rule's descriptor.
#[derive(Debug)]
pub struct Rule {
    /// Stable code (`P0xx` policy, `K0xx` keys, `R0xx` registries.d, `V0xx` version).
    pub code: &'static str,
    /// Descriptive name.
    pub name: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// One line.
    pub summary: &'static str,
    /// Long explanation with the fix (Markdown).
    pub docs: &'static str,
    /// The check.
    pub check: fn(&Context<'_>, &mut Vec<Finding>),
}

/// What a rule sees.
#[derive(Debug)]
pub struct Context<'a> {
    /// The parsed policy.
    pub policy: &'a Policy,
    /// The c/image version targeted.
    pub compat: Compat,
}

/// One finding of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule's code.
    pub code: &'static str,
    /// The message.
    pub message: String,
    /// Where.
    pub span: Span,
    /// Label under the caret.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[rules::unknown_transport::RULE];

/// Runs every rule.
pub fn run(ctx: &Context<'_>) -> Vec<(&'static Rule, Finding)> {
    let mut out = Vec::new();
    for rule in RULES {
        let mut findings = Vec::new();
        (rule.check)(ctx, &mut findings);
        out.extend(findings.into_iter().map(|f| (*rule, f)));
    }
    out.sort_by_key(|(_, f)| f.span.start);
    out
}

/// The rule with this code.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.code), "duplicate code {}", r.code);
            assert!(!r.summary.is_empty() && r.docs.len() > 80, "{} needs docs", r.code);
            assert!(r.code.len() == 4 && "PKRV".contains(&r.code[..1]), "bad code {}", r.code);
        }
    }
}
