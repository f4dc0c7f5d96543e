//! The strict `policy.json` parser: c/image's `NewPolicyFromBytes`, message for message.
//!
//! Structure follows upstream `signature/policy_config.go` (+ `policy_config_sigstore.go` in
//! current c/image): each object is read with the paranoid reader in document order, the first
//! problem wins, and the messages are c/image's exact text for the selected [`Compat`]. Every
//! error carries the byte span it refers to, so the CLI can show `file:line:col`.
//!
//! Quirks reproduced on purpose (spec §1):
//! * requirement and PRM `type`s are first read *leniently* (Go struct decoding: keys are
//!   case-insensitive, unknown keys ignored, last value wins), then the type's strict parser
//!   re-reads the whole object;
//! * an invalid scope of a known transport is reported as `Unknown key "<scope>"`;
//! * `null` is "present" for key-source bookkeeping but leaves the value empty.

use super::model::*;
use crate::compat::Compat;
use crate::json::read::{q, struct_field_type_error, type_error};
use crate::json::{Cursor, DecodeError, ErrorKind, Kind, scan};
use crate::reference::docker::{Named, is_valid_remap_prefix};
use crate::reference::transport::Transport;

/// Largest policy file we read (c/image has no limit; real policies are a few KiB).
pub const MAX_POLICY_SIZE: usize = 16 * 1024 * 1024;

type Result<T> = std::result::Result<T, DecodeError>;

/// Parses a whole `policy.json` the way c/image's `NewPolicyFromBytes` does.
pub fn parse_policy(src: &[u8], compat: Compat) -> Result<Policy> {
    if src.len() > MAX_POLICY_SIZE {
        return Err(DecodeError::new(
            ErrorKind::Syntax,
            format!(
                "policy file too large: {} bytes (limit {MAX_POLICY_SIZE})",
                src.len()
            ),
            MAX_POLICY_SIZE..src.len(),
        ));
    }
    if let Err(e) = scan::validate(src) {
        let end = (e.offset + 1).min(src.len());
        return Err(DecodeError::new(
            ErrorKind::Syntax,
            e.message,
            e.offset.min(src.len())..end,
        ));
    }
    let p = Parser { compat };
    let mut cur = Cursor::new(src);
    let mut default = None;
    let mut transports = Vec::new();
    let mut transports_span = None;
    let span = cur.strict_object(compat, |cur, key, _| match key {
        "default" => {
            default = Some(p.requirement_list(cur)?);
            Ok(true)
        }
        "transports" => {
            let (t, span) = p.transports(cur)?;
            transports = t;
            transports_span = Some(span);
            Ok(true)
        }
        _ => Ok(false),
    })?;
    let Some(default) = default else {
        return Err(invalid("Default policy is missing", span));
    };
    Ok(Policy {
        default,
        transports,
        transports_span,
    })
}

fn invalid(message: impl Into<String>, span: Span) -> DecodeError {
    DecodeError::new(ErrorKind::Invalid, message, span)
}

/// Which fields a strict object had, for "exact fields" objects and key-source bookkeeping.
#[derive(Default)]
struct Seen(Vec<&'static str>);

impl Seen {
    fn mark(&mut self, k: &'static str) {
        self.0.push(k);
    }
    fn has(&self, k: &str) -> bool {
        self.0.contains(&k)
    }
}

struct Parser {
    compat: Compat,
}

impl Parser {
    fn q(&self, s: &str) -> String {
        q(self.compat, s)
    }

    /// `ParanoidUnmarshalJSONObjectExactFields`'s trailing check. Go reports the first
    /// missing key in map order (random); we report in declaration order.
    fn require(&self, seen: &Seen, keys: &[&'static str], span: &Span) -> Result<()> {
        for k in keys {
            if !seen.has(k) {
                return Err(DecodeError::new(
                    ErrorKind::MissingKey,
                    format!("Key {} missing in a JSON object", self.q(k)),
                    span.clone(),
                ));
            }
        }
        Ok(())
    }

    /// `policyTransportsMap.UnmarshalJSON`.
    fn transports(&self, cur: &mut Cursor<'_>) -> Result<(Vec<TransportScopes>, Span)> {
        let mut out = Vec::new();
        let span = cur.strict_object(self.compat, |cur, name, name_span| {
            let transport = Transport::lookup(name, self.compat);
            let mut scopes = Vec::new();
            let span = cur.strict_object(self.compat, |cur, scope, scope_span| {
                // c/image signature/policy_config.go (policyTransportScopesWithTransport):
                // an invalid scope makes the resolver return nil → "Unknown key" (spec §1.2).
                if !scope.is_empty()
                    && let Some(t) = transport
                    && t.validate_scope(scope).is_err()
                {
                    return Ok(false);
                }
                let requirements = self.requirement_list(cur)?;
                scopes.push(Scope {
                    key: Spanned::new(scope.to_owned(), scope_span),
                    requirements,
                });
                Ok(true)
            })?;
            out.push(TransportScopes {
                name: Spanned::new(name.to_owned(), name_span),
                scopes,
                span,
            });
            Ok(true)
        })?;
        Ok((out, span))
    }

    /// `PolicyRequirements.UnmarshalJSON`.
    fn requirement_list(&self, cur: &mut Cursor<'_>) -> Result<RequirementList> {
        match cur.peek_kind() {
            Kind::Array => {}
            Kind::Null => {
                let span = cur.skip_value();
                return Err(invalid(
                    "List of verification policy requirements must not be empty",
                    span,
                ));
            }
            k => {
                let span = cur.skip_value();
                return Err(type_error(k.go_name(), "[]json.RawMessage", span));
            }
        }
        let mut probe = cur.clone();
        let span = probe.skip_value();
        cur.enter();
        let mut items = Vec::new();
        while cur.next_element() {
            let element = cur.clone();
            let espan = cur.skip_value();
            items.push((element, espan));
        }
        if items.is_empty() {
            return Err(invalid(
                "List of verification policy requirements must not be empty",
                span,
            ));
        }
        let mut out = Vec::with_capacity(items.len());
        for (mut element, espan) in items {
            let req = self.requirement(&mut element, espan.clone())?;
            out.push(Spanned::new(req, espan));
        }
        Ok(RequirementList { items: out, span })
    }

    /// 5.23.1 prints `dockerReference %s` unquoted; current uses `%q`.
    fn q_raw(&self, s: &str) -> String {
        match self.compat {
            Compat::V5_23 => s.to_owned(),
            Compat::Current => crate::json::gofmt::quote(s),
        }
    }
}

fn to_spanned<T>((v, s): (T, Span)) -> Spanned<T> {
    Spanned::new(v, s)
}

mod identity;
mod requirements;
mod sigstore;
#[cfg(test)]
mod tests;
