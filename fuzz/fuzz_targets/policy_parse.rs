//! The strict policy parser must never panic, and must agree with itself across compat modes
//! on JSON syntax.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policyctl::compat::Compat;
use policyctl::policy::parse::parse_policy;

fuzz_target!(|data: &[u8]| {
    let old = parse_policy(data, Compat::V5_23);
    let new = parse_policy(data, Compat::Current);
    let syntax = |r: &Result<_, policyctl::json::DecodeError>| {
        matches!(r, Err(e) if e.kind == policyctl::json::ErrorKind::Syntax)
    };
    assert_eq!(syntax(&old), syntax(&new));
});
