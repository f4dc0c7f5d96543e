//! policyctl: explain, lint and edit the containers trust policy (`policy.json`) offline.
//!
//! The crate is split into a pure core and I/O edges; arrows point one way (core modules import
//! only core modules and do no I/O; no import cycles), checked by `tests/architecture.rs`:
//!
//! * core (no I/O): [`compat`], [`json`] (Go `encoding/json`-compatible readers with byte
//!   spans), [`policy`] (the policy model, its parser and scope lookup), [`reference`] (docker
//!   references and containers-transports(5) image references, policy identities),
//!   [`signature`] (blobs, payloads, keys and the verifiers: one per trust root, typed
//!   rejections), [`eval`] (requirement evaluation: orchestration only), [`lint`] (rules over a
//!   parsed policy), [`diag`] (severities shared by lint and later export), [`registries_d`]
//!   (parsed `registries.d` and its lookups), [`trust`] (key vetting and policy edits);
//! * edges: [`fsread`] (reading untrusted files, Go's error texts), [`config`] (which files are
//!   in effect, transactional writes), [`image`] (opening images and their signatures per
//!   transport), [`verdict`] (judging one reference: open, scope, evaluate), [`settings`]
//!   (global options and environment, resolved once), [`report`] (the only module that prints), [`error`], [`cli`] (clap
//!   definitions), [`commands`] (one per subcommand) and [`app`] (dispatch and exit code).
//!
//! Ground truth is containers/image ("c/image"); every compatibility quirk cites the upstream file
//! or the spec section (`../shared/spec/containers-policy.md`) it reproduces.
#![forbid(unsafe_code)]

pub mod app;
pub mod attestation;
pub mod cli;
pub mod commands;
pub mod compat;
pub mod config;
pub mod diag;
pub mod error;
pub mod eval;
pub mod fsread;
pub mod image;
pub mod inventory;
pub mod json;
pub mod k8s;
pub mod lint;
pub mod message_error;
pub mod policy;
pub mod reference;
pub mod registries_d;
pub mod report;
pub mod settings;
pub mod signature;
pub mod trust;
pub mod verdict;
