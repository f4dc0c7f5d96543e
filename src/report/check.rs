//! The explanation of `policyctl check`: the human text and the JSON report of judged
//! images.

use crate::config::policy_file::LoadedPolicy;
use crate::eval::requirement::{Acceptance, Rejection, SignatureOutcome, identity_hint};
use crate::policy::Requirement;
use crate::policy::scope::MatchedBy;
use crate::report::describe;
use crate::report::json as rj;
use crate::report::position::line_col;
use crate::settings::Settings;
use crate::signature::verify::Signer;
use crate::verdict::{Checked, Judged};

fn scope_line(loaded: &LoadedPolicy, j: &Judged<'_>) -> String {
    let p = line_col(&loaded.text, scope_offset(j));
    let key = j.matched.label();
    let how = match j.matched.matched_by {
        MatchedBy::Identity => "exact identity".to_owned(),
        MatchedBy::Namespace(i) => format!(
            "namespace {}",
            j.opened
                .identity
                .namespaces
                .get(i)
                .cloned()
                .unwrap_or_default()
        ),
        MatchedBy::TransportDefault => "the transport's \"\" scope".to_owned(),
        MatchedBy::GlobalDefault if j.matched.transport_section => {
            format!(
                "global default (transports.{} has no matching scope)",
                j.opened.transport.name()
            )
        }
        MatchedBy::GlobalDefault => format!(
            "global default (no transports.{} section)",
            j.opened.transport.name()
        ),
    };
    format!(
        "{key} ({}:{}:{}; {how})",
        loaded.location.path.display(),
        p.line,
        p.column
    )
}

/// Where the matched scope key (or, for the global default, its list) is written.
fn scope_offset(j: &Judged<'_>) -> usize {
    j.matched
        .scope
        .map_or(j.matched.requirements.span.start, |s| s.key.span.start)
}

/// A one-line reason for rejections, used by the verdict line and `--all`.
pub fn short_reason(j: &Judged<'_>) -> String {
    match j.evaluation.reason() {
        None => "accepted".to_owned(),
        Some(r) => r.to_owned(),
    }
}

pub fn human(loaded: &LoadedPolicy, reference: &str, j: &Judged<'_>) -> String {
    let via_attachments = j
        .opened
        .notes
        .iter()
        .any(|n| n.starts_with("--oci-attachments"));
    let verdict = match (j.evaluation.allowed, via_attachments) {
        (true, false) => "ACCEPTED".to_owned(),
        (true, true) => {
            "ACCEPTED (using --oci-attachments: podman would not see these signatures)".to_owned()
        }
        (false, _)
            if j.evaluation
                .rejection()
                .is_some_and(Rejection::is_unsupported) =>
        {
            format!(
                "REJECTED (policyctl cannot verify this yet; containers/image might accept): {}",
                short_reason(j)
            )
        }
        (false, _) => format!("REJECTED: {}", short_reason(j)),
    };
    let mut s = format!("{reference}: {verdict}\n");
    if let Some(theirs) = j.cimage_allowed {
        s += &format!(
            "  c/image:      would {} this image; policyctl differs on purpose (see the notes)\n",
            if theirs { "ACCEPT" } else { "REJECT" }
        );
    }
    s += &format!(
        "  policy:       {} ({})\n",
        loaded.location.path.display(),
        loaded.location.definition.describe()
    );
    s += &format!("  transport:    {}\n", j.opened.transport.name());
    s += &format!(
        "  identity:     {}\n",
        if j.opened.identity.identity.is_empty() {
            "\"\""
        } else {
            &j.opened.identity.identity
        }
    );
    s += &format!("  scope:        {}\n", scope_line(loaded, j));
    let digest = j
        .opened
        .manifest_digest
        .clone()
        .unwrap_or_else(|e| format!("(error: {e})"));
    s += &format!(
        "  manifest:     {digest} ({})\n",
        if j.opened.mime_type.is_empty() {
            "unknown type"
        } else {
            &j.opened.mime_type
        }
    );
    if let Some(l) = &j.opened.list {
        s += &format!(
            "  instance:     {} of list {} (for {}/{}{})\n",
            l.instance_digest,
            l.list_digest,
            l.platform.os,
            l.platform.architecture,
            l.platform
                .variant
                .as_ref()
                .map(|v| format!("/{v}"))
                .unwrap_or_default()
        );
    }
    match &j.opened.docker_reference {
        Some(n) => s += &format!("  docker ref:   {n}\n"),
        None => {
            s += "  docker ref:   none (only exactReference/exactRepository identities can match)\n"
        }
    }
    match &j.opened.signatures {
        Ok(v) => s += &format!("  signatures:   {}\n", v.len()),
        Err(e) => s += &format!("  signatures:   unreadable: {e}\n"),
    }
    s += "  requirements:\n";
    for (i, item) in j.matched.requirements.items.iter().enumerate() {
        let (req, p) = (&item.value, line_col(&loaded.text, item.span.start));
        let outcome = match j.evaluation.requirements.get(i) {
            None => "not evaluated (an earlier requirement rejected)".to_owned(),
            Some(r) => match &r.rejection {
                None => "accepted".to_owned(),
                Some(e) if e.is_unsupported() => format!("cannot verify yet: {e}"),
                Some(e) => format!("rejected: {e}"),
            },
        };
        s += &format!(
            "    {}. {} (line {})\n       => {outcome}\n",
            i + 1,
            describe::requirement(req),
            p.line
        );
        if let Some(r) = j.evaluation.requirements.get(i) {
            for sig in &r.signatures {
                let o = match &sig.outcome {
                    SignatureOutcome::Accepted(a) => {
                        format!(
                            "verified by {}; signed identity {}, digest {}",
                            a.signer, a.signed_identity, a.signed_digest
                        )
                    }
                    SignatureOutcome::Rejected(e) => {
                        let mut t = if e.is_unsupported() {
                            format!("cannot verify yet: {e}")
                        } else {
                            format!("rejected: {e}")
                        };
                        let mut claims = Vec::new();
                        if let Some(k) = &sig.claimed_signer {
                            claims.push(format!("names signer key {k}"));
                        }
                        if let Some(c) = &sig.claimed_certificate {
                            claims.push(format!("presents a certificate {c}"));
                        }
                        if let Some(id) = &sig.claimed_identity {
                            claims.push(format!("claims identity {id}"));
                            if let Some(d) = &sig.claimed_digest {
                                claims.push(format!("digest {d}"));
                            }
                        }
                        if !claims.is_empty() {
                            t += &format!(" ({})", claims.join(", "));
                        }
                        if let (Requirement::SigstoreSigned(ss), Some(id)) =
                            (req, &sig.claimed_identity)
                            && matches!(e, Rejection::IdentityNotAccepted { .. })
                            && let Some(h) = identity_hint(
                                &ss.signed_identity.value,
                                j.opened.docker_reference.as_ref(),
                                id,
                            )
                        {
                            t += &format!("; hint: {h}");
                        }
                        t
                    }
                    SignatureOutcome::Skipped(why) => format!("skipped: {why}"),
                };
                s += &format!("       - {} [{}]: {o}\n", sig.origin, sig.format);
                for n in backend_notes(&sig.outcome) {
                    s += &format!("         note: {n}\n");
                }
            }
        }
    }
    for n in &j.opened.notes {
        s += &format!("  note: {n}\n");
    }
    s
}

fn judged_json(
    loaded: &LoadedPolicy,
    j: &Judged<'_>,
    reference: &str,
    exit_code: u8,
) -> rj::JudgedImage {
    let pos = |off: usize| {
        let p = line_col(&loaded.text, off);
        rj::Position {
            column: p.column,
            line: p.line,
        }
    };
    let verdict = |allowed: bool| {
        if allowed {
            rj::Verdict::Accepted
        } else {
            rj::Verdict::Rejected
        }
    };
    let requirements = j
        .matched
        .requirements
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let req = &item.value;
            let r = j.evaluation.requirements.get(i);
            let outcome = match r {
                None => rj::RequirementOutcome::NotEvaluated,
                Some(r) if r.rejection.is_none() => rj::RequirementOutcome::Accepted,
                Some(r) if r.unsupported() => rj::RequirementOutcome::Unsupported,
                Some(_) => rj::RequirementOutcome::Rejected,
            };
            let signatures = r
                .map(|r| r.signatures.iter().map(signature_json).collect())
                .unwrap_or_default();
            rj::RequirementReport {
                description: describe::requirement(req),
                index: i,
                outcome,
                position: pos(item.span.start),
                reason: r.and_then(|r| r.rejection.as_ref().map(ToString::to_string)),
                reason_kind: r.and_then(|r| r.rejection.as_ref().map(|x| x.kind().to_owned())),
                signatures,
                kind: req.type_name().to_owned(),
                unsupported: r.is_some_and(|r| r.unsupported()),
            }
        })
        .collect();
    rj::JudgedImage {
        containers_image_verdict: verdict(j.cimage_allowed.unwrap_or(j.evaluation.allowed)),
        docker_reference: j.opened.docker_reference.as_ref().map(ToString::to_string),
        error: None,
        exit_code,
        identity: j.opened.identity.identity.clone(),
        image: rj::ImageFacts {
            list: j.opened.list.as_ref().map(|l| rj::ListInstance {
                architecture: l.platform.architecture.clone(),
                instance_digest: l.instance_digest.clone(),
                list_digest: l.list_digest.clone(),
                os: l.platform.os.clone(),
                variant: l.platform.variant.clone(),
            }),
            manifest_digest: j.opened.manifest_digest.as_ref().ok().cloned(),
            manifest_digest_error: j.opened.manifest_digest.as_ref().err().cloned(),
            mime_type: j.opened.mime_type.clone(),
            signatures: j.opened.signatures.as_ref().map(Vec::len).ok(),
            signatures_error: j.opened.signatures.as_ref().err().cloned(),
        },
        namespaces: j.opened.identity.namespaces.clone(),
        notes: j.opened.notes.clone(),
        reason: j.evaluation.reason(),
        reference: reference.to_owned(),
        requirements,
        scope: rj::CheckScope {
            key: j.matched.scope.map(|s| s.key.value.clone()),
            kind: j.matched.matched_by.as_str().to_owned(),
            position: pos(scope_offset(j)),
        },
        transport: j.opened.transport.name().to_owned(),
        verdict: verdict(j.evaluation.allowed),
    }
}

/// Where c/image builds with another OpenPGP backend would decide differently.
fn backend_notes(outcome: &SignatureOutcome) -> Vec<String> {
    match outcome {
        SignatureOutcome::Accepted(Acceptance {
            signer: Signer::Gpg { backend_notes, .. },
            ..
        }) => backend_notes.clone(),
        SignatureOutcome::Rejected(r) => r.backend_note().map(str::to_owned).into_iter().collect(),
        _ => vec![],
    }
}

fn signature_json(s: &crate::eval::requirement::SignatureReport) -> rj::SignatureReport {
    let mut out = rj::SignatureReport {
        backend_notes: backend_notes(&s.outcome),
        certificate: None,
        claimed_digest: s.claimed_digest.clone(),
        claimed_identity: s.claimed_identity.clone(),
        claimed_signer: s.claimed_signer.clone(),
        claimed_certificate: s.claimed_certificate.clone(),
        format: s.format.clone(),
        key_fingerprint: None,
        key_index: None,
        origin: s.origin.clone(),
        outcome: rj::SignatureOutcome::Skipped,
        reason: None,
        reason_kind: None,
        signature_created: None,
        signed_digest: None,
        signed_identity: None,
        signing_key: None,
        user_id: None,
    };
    match &s.outcome {
        SignatureOutcome::Accepted(a) => {
            match &a.signer {
                Signer::Key { index, fingerprint } => {
                    out.key_fingerprint = Some(fingerprint.clone());
                    out.key_index = Some(*index);
                }
                Signer::Gpg {
                    signing_key,
                    primary,
                    user_id,
                    created,
                    ..
                } => {
                    out.key_fingerprint = Some(primary.clone());
                    out.signing_key = Some(signing_key.clone());
                    out.user_id = user_id.clone();
                    out.signature_created = *created;
                }
                Signer::Certificate(c) => {
                    out.certificate = Some((**c).clone());
                }
            }
            out.outcome = rj::SignatureOutcome::Accepted;
            out.signed_identity = Some(a.signed_identity.clone());
            out.signed_digest = Some(a.signed_digest.clone());
        }
        SignatureOutcome::Rejected(e) => {
            out.outcome = if e.is_unsupported() {
                rj::SignatureOutcome::Unsupported
            } else {
                rj::SignatureOutcome::Rejected
            };
            out.reason = Some(e.to_string());
            out.reason_kind = Some(e.kind().to_owned());
        }
        SignatureOutcome::Skipped(why) => out.reason = Some(why.to_string()),
    }
    out
}

pub fn to_json(
    global: &Settings,
    loaded: &LoadedPolicy,
    results: &[Checked<'_>],
) -> rj::CheckReport {
    rj::CheckReport {
        compat: global.compat.as_str().to_owned(),
        policy: (&loaded.location).into(),
        results: results
            .iter()
            .map(|r| match &r.result {
                Ok(j) => rj::CheckResult::Judged(Box::new(judged_json(
                    loaded,
                    j,
                    &r.reference,
                    r.exit(),
                ))),
                Err(e) => rj::CheckResult::Error(rj::CheckError {
                    error: e.to_string(),
                    exit_code: r.exit(),
                    reference: r.reference.clone(),
                    verdict: rj::Verdict::Error,
                }),
            })
            .collect(),
    }
}
