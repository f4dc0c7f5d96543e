//! `signedIdentity`: `newPolicyReferenceMatchFromJSON` and the PRM parsers (spec §2.3).

use super::*;

impl Parser {
    /// `newPolicyReferenceMatchFromJSON` and the PRM parsers (spec §2.3).
    pub(super) fn prm(&self, cur: &mut Cursor<'_>) -> Result<Spanned<SignedIdentity>> {
        let mut probe = cur.clone();
        let whole = probe.skip_value();
        let ty = self.lenient_type(cur, "prmCommon", "prmTypeIdentifier")?;
        let fields: &[&'static str] = match ty.as_str() {
            "matchExact" | "matchRepoDigestOrExact" | "matchRepository" => &["type"],
            "exactReference" => &["type", "dockerReference"],
            "exactRepository" => &["type", "dockerRepository"],
            "remapIdentity" => &["type", "prefix", "signedPrefix"],
            other => {
                return Err(invalid(
                    format!("Unknown policy reference match type {}", self.q(other)),
                    whole,
                ));
            }
        };
        let mut seen = Seen::default();
        let mut values: Vec<(&'static str, String)> = Vec::new();
        let span = cur.strict_object(self.compat, |cur, key, _| {
            let Some(&k) = fields.iter().find(|f| **f == key) else {
                return Ok(false);
            };
            seen.mark(k);
            let go_type = if k == "type" {
                "signature.prmTypeIdentifier"
            } else {
                "string"
            };
            let v = cur.decode_string(go_type)?.0.unwrap_or_default();
            values.push((k, v));
            Ok(true)
        })?;
        self.require(&seen, fields, &span)?;
        let get = |k: &str| {
            values
                .iter()
                .rev()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let got = get("type");
        if got != ty {
            return Err(self.unexpected(&got, span));
        }
        let prm = match ty.as_str() {
            "matchExact" => SignedIdentity::MatchExact,
            "matchRepoDigestOrExact" => SignedIdentity::MatchRepoDigestOrExact,
            "matchRepository" => SignedIdentity::MatchRepository,
            "exactReference" => {
                let r = get("dockerReference");
                match Named::parse_normalized(&r) {
                    Err(e) => {
                        return Err(invalid(
                            format!("Invalid format of dockerReference {}: {e}", self.q_raw(&r)),
                            span,
                        ));
                    }
                    Ok(n) if n.is_name_only() => {
                        return Err(invalid(
                            format!(
                                "dockerReference {} contains neither a tag nor digest",
                                self.q_raw(&r)
                            ),
                            span,
                        ));
                    }
                    Ok(_) => SignedIdentity::ExactReference {
                        docker_reference: r,
                    },
                }
            }
            "exactRepository" => {
                let r = get("dockerRepository");
                if let Err(e) = Named::parse_normalized(&r) {
                    return Err(invalid(
                        format!("Invalid format of dockerRepository {}: {e}", self.q_raw(&r)),
                        span,
                    ));
                }
                SignedIdentity::ExactRepository {
                    docker_repository: r,
                }
            }
            _ => {
                let (prefix, signed_prefix) = (get("prefix"), get("signedPrefix"));
                for p in [&prefix, &signed_prefix] {
                    if !is_valid_remap_prefix(p) {
                        // Both versions use %q here.
                        return Err(invalid(
                            format!("prefix {} is not valid", crate::json::gofmt::quote(p)),
                            span,
                        ));
                    }
                }
                SignedIdentity::RemapIdentity {
                    prefix,
                    signed_prefix,
                }
            }
        };
        Ok(Spanned::new(prm, span))
    }
}
