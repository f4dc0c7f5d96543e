//! Judging one image reference (I/O edge): open the image, find the scope, evaluate the
//! requirements as c/image would, and keep everything the explanation needs. Used by `check`,
//! `check --all` and, later, signature verification.

use crate::config::host::{KeyFiles, RealHost};
use crate::config::policy_file::LoadedPolicy;
use crate::eval::requirement::{Evaluation, ImageFacts, evaluate};
use crate::image::{self, OpenOptions, Opened};
use crate::policy::scope::{ScopeMatch, requirements_for};
use crate::reference::transport::ImageRef;
use crate::signature::openpgp::VerificationTime;
use crate::signature::{Signature, SourcedSignature};

/// The result for one reference.
pub struct Checked<'p> {
    pub reference: String,
    pub result: Result<Judged<'p>, String>,
}

/// A judged image; the scope and requirements are borrowed from the loaded policy.
pub struct Judged<'p> {
    pub opened: Opened,
    pub matched: ScopeMatch<'p>,
    pub evaluation: Evaluation,
    /// c/image's own verdict where policyctl deliberately differs (a known c/image weakness,
    /// e.g. a forged schema-1 JWS header under `--compat 5.23`); `None` when they agree.
    pub cimage_allowed: Option<bool>,
}

impl Checked<'_> {
    /// The exit status this result contributes: 0 accepted, 1 rejected, 2 not judged.
    pub fn exit(&self) -> u8 {
        match &self.result {
            Err(_) => 2,
            Ok(j) if j.evaluation.allowed => 0,
            Ok(_) => 1,
        }
    }
}

/// Everything needed to check references against one loaded policy.
pub struct Checker<'a> {
    pub loaded: &'a LoadedPolicy,
    pub opts: OpenOptions,
    pub keys: KeyFiles,
    /// Evaluate local images as a pull of their Docker name (`--as-pulled`).
    pub as_pulled: bool,
    /// The `registries.d` configuration podman would use for a pull (`--as-pulled` explains
    /// missing signatures with it; `Err`: it does not load).
    pub registries_d: Option<Result<crate::registries_d::RegistriesD, String>>,
    /// The time OpenPGP key and signature validity is judged at (GnuPG: now).
    pub now: VerificationTime,
    /// `--root`: prefix for host paths (the lookaside directory of `--as-pulled`).
    pub root: Option<std::path::PathBuf>,
}

impl<'a> Checker<'a> {
    /// Checks one reference.
    pub fn check(&self, reference: &str) -> Checked<'a> {
        Checked {
            reference: reference.to_owned(),
            result: self.judge(reference),
        }
    }

    fn judge(&self, reference: &str) -> Result<Judged<'a>, String> {
        let (transport, parsed) = ImageRef::parse(reference, self.opts.compat).map_err(|e| e.0)?;
        let mut opened = image::open(transport, &parsed, &RealHost, &self.opts).map_err(|e| e.0)?;
        if self.as_pulled {
            as_pulled(&mut opened)?;
            self.pulled_signatures(&mut opened);
            self.explain_no_signatures(&mut opened);
        }
        let transport = opened.transport;
        let policy: &'a crate::policy::Policy = &self.loaded.policy;
        let m = requirements_for(policy, transport.name(), &opened.identity);
        let image_name = format!("{}:{}", transport.name(), opened.within);
        let facts = ImageFacts {
            image_name: &image_name,
            docker_reference: opened.docker_reference.as_ref(),
            manifest_digest: &opened.manifest_digest,
            signatures: opened.signatures.as_deref().map_err(String::as_str),
        };
        let evaluation = evaluate(
            m.requirements,
            &facts,
            &self.keys,
            self.opts.compat,
            self.now,
        );
        let cimage_allowed = opened.cimage_manifest_digest.clone().and_then(|d| {
            let cimage_digest = Ok(d);
            let facts = ImageFacts {
                manifest_digest: &cimage_digest,
                ..facts
            };
            let theirs = evaluate(
                m.requirements,
                &facts,
                &self.keys,
                self.opts.compat,
                self.now,
            )
            .allowed;
            (theirs != evaluation.allowed).then_some(theirs)
        });
        schema1_notes(&mut opened);
        if evaluation.allowed {
            // c/image's copy parses the manifest right after the policy allowed the image; an
            // unparsable one fails the pull there. Bad input never counts as accepted.
            image::check_manifest_parses(&opened, self.opts.compat).map_err(|e| e.0)?;
        }
        Ok(Judged {
            matched: m,
            opened,
            evaluation,
            cimage_allowed,
        })
    }
}

impl Checker<'_> {
    /// `--as-pulled` on an image stored without signatures: say so, and when `registries.d`
    /// does not enable sigstore attachments for the repository, that this is why (podman
    /// fetches cosign signatures only when it does).
    /// `--as-pulled`: a pull reads simple-signing signatures from the lookaside storage
    /// `registries.d` names for the image (c/image's built-in directory when none), and
    /// sigstore signatures from the registry. A local lookaside directory is read; the
    /// sigstore signatures are the ones podman stored (the registry is not contacted).
    fn pulled_signatures(&self, o: &mut Opened) {
        use crate::image::lookaside::{self, Lookaside};
        let Some(named) = o.docker_reference.clone() else {
            return;
        };
        let configured = match &self.registries_d {
            Some(Ok(regd)) => regd.lookaside_for(&named),
            Some(Err(e)) => {
                o.signatures = Err(format!("loading registries.d: {e}"));
                return;
            }
            None => None,
        };
        let euid = crate::fsread::effective_uid();
        let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
        let default = lookaside::default_dir(euid, home.as_deref());
        let base = match lookaside::resolve(configured.as_deref(), default, self.root.as_deref()) {
            Ok(b) => b,
            Err(e) => {
                o.signatures = Err(e);
                return;
            }
        };
        let stored_sigstore = |o: &Opened| -> Vec<SourcedSignature> {
            o.signatures
                .as_ref()
                .map(|v| {
                    v.iter()
                        .filter(|s| matches!(s.signature, Signature::Sigstore(_)))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default()
        };
        match base {
            Lookaside::Remote(url) => o.notes.push(format!(
                "--as-pulled: a pull reads simple-signing signatures from {url}, which policyctl does not contact; the ones podman stored are used"
            )),
            Lookaside::Dir(dir) => {
                let digest = match &o.manifest_digest {
                    Ok(d) => d.clone(),
                    Err(e) => {
                        o.signatures = Err(e.clone());
                        return;
                    }
                };
                match lookaside::read(&dir, &named, &digest) {
                    Ok(from_lookaside) => {
                        let how = if configured.is_some() {
                            "registries.d"
                        } else {
                            "c/image's built-in default; registries.d names none"
                        };
                        o.notes.push(format!(
                            "--as-pulled: {} simple-signing signature(s) read from the lookaside storage {} ({how}), as a pull reads them; sigstore signatures are the ones podman stored",
                            from_lookaside.len(),
                            dir.display()
                        ));
                        let mut all = from_lookaside;
                        all.extend(stored_sigstore(o));
                        o.signatures = Ok(all);
                    }
                    Err(e) => o.signatures = Err(e),
                }
            }
        }
    }

    fn explain_no_signatures(&self, o: &mut Opened) {
        if !o.signatures.as_ref().is_ok_and(Vec::is_empty) {
            return;
        }
        let Some(named) = &o.docker_reference else {
            return;
        };
        let repo = named.name();
        let mut note = "--as-pulled: podman stored no signatures with this image (a pull stores the signatures it fetched)".to_owned();
        match &self.registries_d {
            Some(Ok(regd)) if !regd.attachments_for_scope(&repo) => {
                note += &format!(
                    "; registries.d ({}) does not set use-sigstore-attachments: true for {repo}, so podman did not fetch its cosign signatures (add it, e.g. with `policyctl key install`, and pull again)",
                    regd.dir.display()
                );
            }
            Some(Err(e)) => note += &format!("; registries.d does not load ({e})"),
            _ => {}
        }
        o.notes.push(note);
    }
}

/// Explains schema-1 manifests: their digest comes from a JWS header, not from the bytes.
fn schema1_notes(o: &mut Opened) {
    use crate::image::manifest::Schema1Check;
    let note = match &o.schema1 {
        Schema1Check::NotSchema1 => return,
        Schema1Check::Unsigned => "the evaluated manifest is Docker schema 1 (deprecated; registries and podman are dropping it)".to_owned(),
        Schema1Check::Consistent => "the evaluated manifest is a signed Docker schema 1 manifest (deprecated): its digest is computed over the JWS payload, which policyctl checked is this manifest without its signatures".to_owned(),
        Schema1Check::ForgedAcceptedBy523(why) => format!(
            "the evaluated manifest is a signed Docker schema 1 manifest whose JWS header makes c/image digest ANOTHER manifest ({why}); containers/image 5.23 does not check this, current c/image refuses it"
        ),
        Schema1Check::Invalid(why) => format!(
            "the evaluated manifest claims to be a signed Docker schema 1 manifest but its JWS cannot be parsed ({why})"
        ),
    };
    o.notes.push(note);
}

/// `--as-pulled`: judge the stored image as `podman pull docker://NAME` would, with the manifest
/// and signatures kept in local storage (they are what the pull stored).
fn as_pulled(o: &mut Opened) -> Result<(), String> {
    let Some(named) = o.docker_reference.clone() else {
        return Err("--as-pulled needs a reference with a Docker name (e.g. containers-storage:ghcr.io/org/app:1)".into());
    };
    if named.tag().is_some() && named.digest().is_some() {
        return Err(
            "Docker references with both a tag and digest are currently not supported".into(),
        );
    }
    o.notes.push(format!(
        "--as-pulled: evaluated as a pull of docker://{named} (transports.docker scopes), with the manifest and signatures stored locally"
    ));
    o.transport = crate::reference::transport::Transport::Docker;
    o.identity = crate::reference::transport::docker_identity(&named);
    o.within = format!("//{named}");
    Ok(())
}
