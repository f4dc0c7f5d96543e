//! `policyctl scope`: which entry of the policy applies to an image reference, and why.
//!
//! Computes the reference's policy identity and namespaces exactly as c/image's transports do,
//! then runs the scope lookup. No image is opened: for `containers-storage:` the image ID that
//! c/image adds to the identity is only known to `check`, which reads the store.

use crate::report::json as rj;

use crate::cli::ScopeArgs;
use crate::commands::{Outcome, load_policy};
use crate::config::host::RealHost;
use crate::config::policy_file::LoadedPolicy;
use crate::error::Error;
use crate::image::storage::conf::{resolve_store, store_config};
use crate::policy::scope::{MatchedBy, ScopeMatch, requirements_for};
use crate::reference::transport::{ImageRef, PolicyIdentity, Transport, storage_identity};
use crate::report::describe;
use crate::report::position::line_col;
use crate::report::{err, out};
use crate::settings::Settings;

/// One reference's answer.
struct Answer<'p> {
    reference: String,
    transport: Transport,
    identity: PolicyIdentity,
    /// A note about what could not be resolved without the image.
    note: Option<String>,
    matched: ScopeMatch<'p>,
}

/// `policyctl scope`.
pub fn run(global: &Settings, args: &ScopeArgs) -> Result<Outcome, Error> {
    let loaded = load_policy(global)?;
    let mut results: Vec<Result<Answer<'_>, (String, String)>> = Vec::new();
    for r in &args.references {
        results.push(answer(global, &loaded, r).map_err(|e| (r.clone(), e)));
    }
    let failed = results.iter().any(Result::is_err);
    if args.json {
        out(&rj::to_pretty(&to_json(global, &loaded, &results)));
    } else {
        out(&format!(
            "policy: {} ({})\n",
            loaded.location.path.display(),
            loaded.location.definition.describe()
        ));
        for r in &results {
            match r {
                Ok(a) => out(&human(&loaded, a)),
                Err((reference, e)) => err(&format!("error: {reference}: {e}\n")),
            }
        }
    }
    Ok(if failed {
        Outcome::ErrorReported
    } else {
        Outcome::Ok
    })
}

fn answer<'p>(
    global: &Settings,
    loaded: &'p LoadedPolicy,
    reference: &str,
) -> Result<Answer<'p>, String> {
    let (transport, image) = ImageRef::parse(reference, global.compat).map_err(|e| e.0)?;
    let (identity, note) = match &image {
        ImageRef::Storage(s) => {
            let env = global.storage.clone();
            let conf = store_config(&env).map_err(|e| e.to_string())?;
            let store = resolve_store(s.store.as_ref(), &conf).map_err(|e| e.to_string())?;
            let mut id = storage_identity(&store, s.named.as_ref(), s.id.as_deref());
            let note = if s.id.is_none() {
                // c/image evaluates the opened image, whose reference carries the image ID:
                // the identity gains "@<id>" and the reference itself becomes a namespace.
                if s.named.is_some() {
                    id.namespaces.insert(0, id.identity.clone());
                    id.identity.push_str("@<image-id>");
                }
                Some(match &s.id_prefix {
                    Some(p) if s.named.is_none() => {
                        format!("{p:?} can only be an image ID prefix: the store decides (use `policyctl check`)")
                    }
                    _ => "the image ID comes from the store when the image is opened (use `policyctl check`)".to_owned(),
                })
            } else {
                None
            };
            (id, note)
        }
        other => (other.policy_identity(&RealHost).map_err(|e| e.0)?, None),
    };
    let matched = requirements_for(&loaded.policy, transport.name(), &identity);
    Ok(Answer {
        reference: reference.to_owned(),
        transport,
        identity,
        note,
        matched,
    })
}

fn why(a: &Answer<'_>) -> String {
    let t = a.transport.name();
    match a.matched.matched_by {
        MatchedBy::Identity => format!("transports.{t}: exact identity"),
        MatchedBy::Namespace(i) => format!(
            "transports.{t}: namespace #{} of {}",
            i + 1,
            a.identity.namespaces.len()
        ),
        MatchedBy::TransportDefault => {
            format!("transports.{t}: the transport's \"\" scope (no more specific scope matched)")
        }
        MatchedBy::GlobalDefault if a.matched.transport_section => {
            format!("global default: transports.{t} has no matching scope and no \"\" scope")
        }
        MatchedBy::GlobalDefault => {
            format!("global default: the policy has no transports.{t} section")
        }
    }
}

fn human(loaded: &LoadedPolicy, a: &Answer<'_>) -> String {
    let path = loaded.location.path.display();
    let mut s = format!("{}\n", a.reference);
    s += &format!("  transport:    {}\n", a.transport.name());
    let identity = if a.identity.identity.is_empty() {
        "\"\" (this transport has no identity)"
    } else {
        &a.identity.identity
    };
    s += &format!("  identity:     {identity}\n");
    if !a.identity.namespaces.is_empty() {
        s += &format!("  namespaces:   {}\n", a.identity.namespaces.join(", "));
    }
    if let Some(n) = &a.note {
        s += &format!("  note:         {n}\n");
    }
    let at = match a.matched.scope {
        Some(sc) => {
            let p = line_col(&loaded.text, sc.key.span.start);
            format!(" ({path}:{}:{})", p.line, p.column)
        }
        None => {
            let p = line_col(&loaded.text, a.matched.requirements.span.start);
            format!(" ({path}:{}:{})", p.line, p.column)
        }
    };
    s += &format!("  scope:        {}{at}\n", a.matched.label());
    s += &format!("  why:          {}\n", why(a));
    s += "  requirements:\n";
    for (i, r) in a.matched.requirements.items.iter().enumerate() {
        s += &format!("    {}. {}\n", i + 1, describe::requirement(&r.value));
    }
    s
}

fn to_json(
    global: &Settings,
    loaded: &LoadedPolicy,
    results: &[Result<Answer<'_>, (String, String)>],
) -> rj::ScopeReport {
    let pos = |off: usize| {
        let p = line_col(&loaded.text, off);
        rj::Position {
            column: p.column,
            line: p.line,
        }
    };
    let references = results
        .iter()
        .map(|r| match r {
            Err((reference, e)) => rj::ScopeResult::Error(rj::ScopeError {
                error: e.clone(),
                reference: reference.clone(),
            }),
            Ok(a) => rj::ScopeResult::Answer(Box::new(rj::ScopeAnswer {
                error: None,
                identity: a.identity.identity.clone(),
                namespaces: a.identity.namespaces.clone(),
                note: a.note.clone(),
                reference: a.reference.clone(),
                requirements: a
                    .matched
                    .requirements
                    .items
                    .iter()
                    .map(|r| rj::ScopeRequirement {
                        description: describe::requirement(&r.value),
                        position: pos(r.span.start),
                        kind: r.value.type_name().to_owned(),
                    })
                    .collect(),
                scope: rj::ScopeMatch {
                    key: a.matched.scope.map(|s| s.key.value.clone()),
                    kind: a.matched.matched_by.as_str().to_owned(),
                    position: a.matched.scope.map(|s| pos(s.key.span.start)),
                    why: why(a),
                },
                transport: a.transport.name().to_owned(),
            })),
        })
        .collect();
    rj::ScopeReport {
        compat: global.compat.as_str().to_owned(),
        policy: (&loaded.location).into(),
        references,
    }
}
