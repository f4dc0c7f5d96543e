//! policyctl: explain, lint and edit the containers trust policy (`policy.json`) offline.
//!
//! The crate is split into a pure core and I/O edges:
//!
//! * core (no I/O): [`json`] (a Go `encoding/json`-compatible strict reader with byte spans),
//!   [`policy`] (the policy model, its parser and scope lookup), [`reference`] (docker references
//!   and containers-transports(5) image references, scope validation, policy identities),
//!   [`eval`] (signedIdentity matching), [`lint`] (rules over a parsed policy);
//! * edges: [`config`] (which policy file is in effect), [`report`] (the only module that prints),
//!   [`cli`] (clap definitions) and [`app`] (runs a command and decides the exit code).
//!
//! Ground truth is containers/image ("c/image"); every compatibility quirk cites the upstream file
//! or the spec section (`../shared/spec/containers-policy.md`) it reproduces.
#![forbid(unsafe_code)]

pub mod app;
pub mod cli;
pub mod commands;
pub mod compat;
pub mod config;
pub mod error;
pub mod eval;
pub mod fsread;
pub mod image;
pub mod json;
pub mod lint;
pub mod policy;
pub mod reference;
pub mod report;
pub mod signature;
pub mod trust;
