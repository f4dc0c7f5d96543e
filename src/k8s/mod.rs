//! Kubernetes admission policies (spec `../shared/spec/signature-store.md` §19): the image
//! controllers that verify signatures inside a cluster — the sigstore policy-controller
//! (`ClusterImagePolicy`) and Kyverno (`ClusterPolicy` `verifyImages`, `ImageValidatingPolicy`)
//! — and how their image patterns relate to `policy.json` scopes.
//!
//! Why a module of its own: the two worlds name the same image differently. `policy.json`
//! looks an image up by its normalized docker reference (`docker.io/library/busybox:latest`) and
//! the namespaces above it, most specific scope wins. policy-controller matches its globs
//! against go-containerregistry's spelling (`index.docker.io/library/busybox:latest`, tag
//! dropped when a digest is present), Kyverno's `ClusterPolicy` against its own
//! (`docker.io/busybox:latest`, no `library/`), and `ImageValidatingPolicy` against the raw
//! string of the pod spec (`busybox`); their `*` does not mean the same thing either. A
//! translation between them (export/import) is only as right as these emulations, so they are
//! ported exactly from upstream and checked against upstream's own test tables ([`glob`]).
//!
//! Pure code: no I/O.

pub mod cluster;
pub mod drift;
pub mod export;
pub mod glob;
pub mod import;
pub mod manifest;
pub mod pattern;
pub mod roots;
pub mod warning;
pub mod webhook;
pub mod yaml;
