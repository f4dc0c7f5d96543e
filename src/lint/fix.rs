//! Machine-applicable fixes for some findings (`lint --fix`): planned on the parsed policy,
//! applied to the order-preserving tree, written transactionally by the lint command.

use crate::json::tree::Node;
use crate::lint::rules::lists;
use crate::lint::rules::scope_not_normalized::{ScopeForm, classify};
use crate::policy::{Policy, Requirement};

/// Where a requirement list is: the global default, or a transport's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPath {
    pub scope: Option<(String, String)>,
}

/// One edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// P009: add `signedIdentity: matchRepository` to the `index`-th requirement.
    SetMatchRepository { list: ListPath, index: usize },
    /// P005: remove the `index`-th requirement (an ANDed insecureAcceptAnything).
    RemoveRequirement { list: ListPath, index: usize },
    /// P002: rename a docker scope to its expanded form.
    RenameScope {
        transport: String,
        from: String,
        to: String,
    },
}

/// Fixes for the policy, with the rule code and a description.
pub fn plan(policy: &Policy) -> Vec<(&'static str, String, Fix)> {
    let mut out = Vec::new();
    for (at, list) in lists(policy) {
        let path = ListPath {
            scope: at.map(|(t, s)| (t.name.value.clone(), s.key.value.clone())),
        };
        let has_sig = list
            .items
            .iter()
            .any(|r| crate::lint::rules::is_signature(&r.value));
        for (i, r) in list.items.iter().enumerate() {
            match &r.value {
                Requirement::SigstoreSigned(s) if !s.signed_identity_explicit => out.push((
                    "P009",
                    "add signedIdentity matchRepository".to_owned(),
                    Fix::SetMatchRepository {
                        list: path.clone(),
                        index: i,
                    },
                )),
                Requirement::InsecureAcceptAnything if has_sig => out.push((
                    "P005",
                    "remove the ANDed insecureAcceptAnything".to_owned(),
                    Fix::RemoveRequirement {
                        list: path.clone(),
                        index: i,
                    },
                )),
                _ => {}
            }
        }
    }
    for t in policy
        .transports
        .iter()
        .filter(|t| t.name.value == "docker")
    {
        for s in &t.scopes {
            let key = &s.key.value;
            let Some(ScopeForm::NoHost { expanded: to }) = classify(key) else {
                continue;
            };
            if !t.scopes.iter().any(|o| o.key.value == to) {
                out.push((
                    "P002",
                    format!("rename scope {key:?} to {to:?}"),
                    Fix::RenameScope {
                        transport: "docker".into(),
                        from: key.clone(),
                        to,
                    },
                ));
            }
        }
    }
    out
}

fn list_mut<'a>(policy: &'a mut Node, path: &ListPath) -> Option<&'a mut Vec<Node>> {
    let n = match &path.scope {
        None => policy.get_mut("default")?,
        Some((t, s)) => policy.get_mut("transports")?.get_mut(t)?.get_mut(s)?,
    };
    match n {
        Node::Array(v) => Some(v),
        _ => None,
    }
}

/// Applies fixes (removals last-first, so indexes stay valid); returns how many applied.
pub fn apply(policy: &mut Node, fixes: &[Fix]) -> usize {
    let mut applied = 0;
    let mut ordered: Vec<&Fix> = fixes.iter().collect();
    ordered.sort_by_key(|f| match f {
        Fix::RemoveRequirement { index, .. } => (1, usize::MAX - index),
        Fix::RenameScope { .. } => (2, 0),
        Fix::SetMatchRepository { .. } => (0, 0),
    });
    for f in ordered {
        let ok = match f {
            Fix::SetMatchRepository { list, index } => list_mut(policy, list)
                .and_then(|v| v.get_mut(*index))
                .is_some_and(|r| {
                    r.set(
                        "signedIdentity",
                        Node::Object(vec![(
                            "type".into(),
                            Node::String("matchRepository".into()),
                        )]),
                    );
                    true
                }),
            Fix::RemoveRequirement { list, index } => list_mut(policy, list).is_some_and(|v| {
                if *index < v.len() && v.len() > 1 {
                    v.remove(*index);
                    true
                } else {
                    false
                }
            }),
            Fix::RenameScope {
                transport,
                from,
                to,
            } => {
                match policy
                    .get_mut("transports")
                    .and_then(|t| t.get_mut(transport))
                {
                    Some(Node::Object(m)) if !m.iter().any(|(k, _)| k == to) => {
                        match m.iter_mut().find(|(k, _)| k == from) {
                            Some(entry) => {
                                entry.0 = to.clone();
                                true
                            }
                            None => false,
                        }
                    }
                    _ => false,
                }
            }
        };
        applied += usize::from(ok);
    }
    applied
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compat::Compat;
    use crate::policy::parse::parse_policy;

    #[test]
    fn plans_and_applies() {
        let text = br#"{"default":[{"type":"reject"}],"transports":{"docker":{"busybox":[{"type":"insecureAcceptAnything"},{"type":"sigstoreSigned","keyPath":"/k"}]}}}"#;
        let p = parse_policy(text, Compat::Current).unwrap();
        let fixes: Vec<Fix> = plan(&p).into_iter().map(|(_, _, f)| f).collect();
        assert_eq!(fixes.len(), 3);
        let mut n = Node::parse(text).unwrap();
        assert_eq!(apply(&mut n, &fixes), 3);
        let out = n.to_pretty();
        let again = parse_policy(out.as_bytes(), Compat::Current).unwrap();
        assert!(plan(&again).is_empty(), "{out}");
        assert!(out.contains("\"docker.io/library/busybox\""));
        assert!(out.contains("matchRepository"));
        assert!(!out.contains("insecureAcceptAnything"));
    }
}
