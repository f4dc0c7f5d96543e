//! `policy_config.go`: requirement lists, the lenient `type` probe, `signedBy` and
//! `signedBaseLayer`.

use super::*;

impl Parser {
    /// Go struct decoding of `prCommon` / `prmCommon`: the `type` field, read leniently.
    pub(super) fn lenient_type(
        &self,
        cur: &Cursor<'_>,
        strukt: &str,
        go_type: &str,
    ) -> Result<String> {
        let mut c = cur.clone();
        match c.peek_kind() {
            Kind::Object => {}
            Kind::Null => return Ok(String::new()),
            k => {
                let span = c.skip_value();
                return Err(type_error(
                    k.go_name(),
                    &format!("signature.{strukt}"),
                    span,
                ));
            }
        }
        c.enter();
        let mut ty = String::new();
        while let Some((key, _)) = c.next_key() {
            // encoding/json matches struct fields case-insensitively; the last value wins and
            // `null` leaves the field unchanged. ASCII case-insensitivity is exactly Go's
            // folding here: only `s` and `k` have non-ASCII fold partners (`ſ`, Kelvin `K`, see
            // `json::godecode::go_fold_eq`), and "type" has neither.
            if key.eq_ignore_ascii_case("type") {
                match c.peek_kind() {
                    Kind::String => ty = c.read_string().0,
                    Kind::Null => {
                        c.skip_value();
                    }
                    k => {
                        let span = c.skip_value();
                        return Err(struct_field_type_error(
                            k.go_name(),
                            strukt,
                            "type",
                            &format!("signature.{go_type}"),
                            span,
                        ));
                    }
                }
            } else {
                c.skip_value();
            }
        }
        Ok(ty)
    }

    /// `newPolicyRequirementFromJSON`.
    pub(super) fn requirement(&self, cur: &mut Cursor<'_>, span: Span) -> Result<Requirement> {
        let ty = self.lenient_type(cur, "prCommon", "prTypeIdentifier")?;
        match ty.as_str() {
            "insecureAcceptAnything" | "reject" => {
                let (got, _) = self.type_only(cur, "prTypeIdentifier")?;
                if got != ty {
                    return Err(self.unexpected(&got, span));
                }
                Ok(if ty == "reject" {
                    Requirement::Reject
                } else {
                    Requirement::InsecureAcceptAnything
                })
            }
            "signedBy" => self.signed_by(cur, span),
            "signedBaseLayer" => self.signed_base_layer(cur, span),
            "sigstoreSigned" => match self.compat {
                Compat::V5_23 => self.sigstore_signed_5_23(cur, span),
                Compat::Current => self.sigstore_signed_current(cur, span),
            },
            other => Err(invalid(
                format!("Unknown policy requirement type {}", self.q(other)),
                span,
            )),
        }
    }

    pub(super) fn unexpected(&self, got: &str, span: Span) -> DecodeError {
        invalid(
            format!("Unexpected policy requirement type {}", self.q(got)),
            span,
        )
    }

    /// An exact-fields object with only `type`.
    pub(super) fn type_only(&self, cur: &mut Cursor<'_>, go_type: &str) -> Result<(String, Span)> {
        let mut ty = String::new();
        let mut seen = Seen::default();
        let span = cur.strict_object(self.compat, |cur, key, _| {
            if key == "type" {
                seen.mark("type");
                ty = cur
                    .decode_string(&format!("signature.{go_type}"))?
                    .0
                    .unwrap_or_default();
                return Ok(true);
            }
            Ok(false)
        })?;
        self.require(&seen, &["type"], &span)?;
        Ok((ty, span))
    }

    pub(super) fn signed_by(&self, cur: &mut Cursor<'_>, span: Span) -> Result<Requirement> {
        let mut ty = String::new();
        let mut key_type: Option<KeyType> = None;
        let mut key_path: Option<Spanned<String>> = None;
        let mut key_paths: Option<(Option<Vec<String>>, Span)> = None;
        let mut key_data: Option<(Option<Vec<u8>>, Span)> = None;
        let mut identity: Option<Cursor<'_>> = None;
        let obj = cur.strict_object(self.compat, |cur, key, _| {
            match key {
                "type" => {
                    ty = cur
                        .decode_string("signature.prTypeIdentifier")?
                        .0
                        .unwrap_or_default()
                }
                "keyType" => {
                    // sbKeyType.UnmarshalJSON: json.Unmarshal into a string, then validate.
                    let (s, vspan) = cur.decode_string("string")?;
                    let s = s.unwrap_or_default();
                    match KeyType::from_json(&s) {
                        Some(k) => key_type = Some(k),
                        None => {
                            return Err(invalid(
                                format!("Unrecognized keyType value {}", self.q(&s)),
                                vspan,
                            ));
                        }
                    }
                }
                "keyPath" => {
                    let (s, vspan) = cur.decode_string("string")?;
                    key_path = Some(Spanned::new(s.unwrap_or_default(), vspan));
                }
                "keyPaths" => {
                    let (v, vspan) = cur.decode_string_slice()?;
                    key_paths = Some((v, vspan));
                }
                "keyData" => key_data = Some(cur.decode_bytes()?),
                "signedIdentity" => {
                    identity = Some(cur.clone());
                    cur.skip_value();
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        if ty != "signedBy" {
            return Err(self.unexpected(&ty, span));
        }
        let (signed_identity, explicit) = self.identity_or_default(identity, &obj)?;
        let keys = match (key_path, key_paths, key_data) {
            (Some(p), None, None) => KeySource::Path(p),
            (None, Some((v, s)), None) => {
                // keyPaths: null leaves a nil slice, counted as no key source below.
                self.check_key_type(key_type, &obj)?;
                let Some(v) = v else {
                    return Err(invalid(
                        "exactly one of keyPath, keyPaths and keyData must be specified",
                        s,
                    ));
                };
                KeySource::Paths(Spanned::new(v, s))
            }
            (None, None, Some((d, s))) => KeySource::Data(Spanned::new(d, s)),
            (None, None, None) => {
                return Err(invalid(
                    "Exactly one of keyPath, keyPaths and keyData must be specified, none of them present",
                    obj,
                ));
            }
            _ => {
                return Err(invalid(
                    "Exactly one of keyPath, keyPaths and keyData must be specified, more than one present",
                    obj,
                ));
            }
        };
        // newPRSignedBy: keyType validity first, then the number of non-empty key sources.
        let key_type = self.check_key_type(key_type, &obj)?;
        let empty = match &keys {
            KeySource::Path(p) => p.value.is_empty(),
            KeySource::Data(d) => d.value.is_none(),
            _ => false,
        };
        if empty {
            return Err(invalid(
                "exactly one of keyPath, keyPaths and keyData must be specified",
                obj,
            ));
        }
        Ok(Requirement::SignedBy(SignedBy {
            key_type,
            keys,
            signed_identity,
            signed_identity_explicit: explicit,
        }))
    }

    pub(super) fn check_key_type(&self, key_type: Option<KeyType>, obj: &Span) -> Result<KeyType> {
        key_type.ok_or_else(|| invalid(format!("invalid keyType {}", self.q("")), obj.clone()))
    }

    pub(super) fn identity_or_default(
        &self,
        identity: Option<Cursor<'_>>,
        obj: &Span,
    ) -> Result<(Spanned<SignedIdentity>, bool)> {
        match identity {
            None => Ok((
                Spanned::new(SignedIdentity::MatchRepoDigestOrExact, obj.clone()),
                false,
            )),
            Some(mut c) => Ok((self.prm(&mut c)?, true)),
        }
    }

    pub(super) fn signed_base_layer(
        &self,
        cur: &mut Cursor<'_>,
        span: Span,
    ) -> Result<Requirement> {
        let mut ty = String::new();
        let mut seen = Seen::default();
        let mut identity = None;
        let obj = cur.strict_object(self.compat, |cur, key, _| {
            match key {
                "type" => {
                    seen.mark("type");
                    ty = cur
                        .decode_string("signature.prTypeIdentifier")?
                        .0
                        .unwrap_or_default();
                }
                "baseLayerIdentity" => {
                    seen.mark("baseLayerIdentity");
                    identity = Some(cur.clone());
                    cur.skip_value();
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        self.require(&seen, &["type", "baseLayerIdentity"], &obj)?;
        if ty != "signedBaseLayer" {
            return Err(self.unexpected(&ty, span));
        }
        let Some(mut c) = identity else {
            return Err(invalid("baseLayerIdentity not specified", obj));
        };
        Ok(Requirement::SignedBaseLayer {
            base_layer_identity: self.prm(&mut c)?,
        })
    }
}
