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

    /// Go struct decoding of `prCommon` / `prmCommon`: the `type` field, read leniently.
    fn lenient_type(&self, cur: &Cursor<'_>, strukt: &str, go_type: &str) -> Result<String> {
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
    fn requirement(&self, cur: &mut Cursor<'_>, span: Span) -> Result<Requirement> {
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

    fn unexpected(&self, got: &str, span: Span) -> DecodeError {
        invalid(
            format!("Unexpected policy requirement type {}", self.q(got)),
            span,
        )
    }

    /// An exact-fields object with only `type`.
    fn type_only(&self, cur: &mut Cursor<'_>, go_type: &str) -> Result<(String, Span)> {
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

    fn signed_by(&self, cur: &mut Cursor<'_>, span: Span) -> Result<Requirement> {
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

    fn check_key_type(&self, key_type: Option<KeyType>, obj: &Span) -> Result<KeyType> {
        key_type.ok_or_else(|| invalid(format!("invalid keyType {}", self.q("")), obj.clone()))
    }

    fn identity_or_default(
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

    fn signed_base_layer(&self, cur: &mut Cursor<'_>, span: Span) -> Result<Requirement> {
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

    /// c/image 5.23.1 `prSigstoreSigned.UnmarshalJSON` (spec §1.7.2).
    fn sigstore_signed_5_23(&self, cur: &mut Cursor<'_>, span: Span) -> Result<Requirement> {
        let mut ty = String::new();
        let mut key_path: Option<Spanned<String>> = None;
        let mut key_data: Option<Spanned<Option<Vec<u8>>>> = None;
        let mut identity = None;
        let obj = cur.strict_object(self.compat, |cur, key, _| {
            match key {
                "type" => {
                    ty = cur
                        .decode_string("signature.prTypeIdentifier")?
                        .0
                        .unwrap_or_default()
                }
                "keyPath" => {
                    let (s, vspan) = cur.decode_string("string")?;
                    key_path = Some(Spanned::new(s.unwrap_or_default(), vspan));
                }
                "keyData" => {
                    let (d, vspan) = cur.decode_bytes()?;
                    key_data = Some(Spanned::new(d, vspan));
                }
                "signedIdentity" => {
                    identity = Some(cur.clone());
                    cur.skip_value();
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        if ty != "sigstoreSigned" {
            return Err(self.unexpected(&ty, span));
        }
        let (signed_identity, explicit) = self.identity_or_default(identity, &obj)?;
        let keys = match (key_path, key_data) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "keyPath and keyData cannot be used simultaneously",
                    obj,
                ));
            }
            (Some(p), None) => KeySource::Path(p),
            (None, Some(d)) => KeySource::Data(d),
            (None, None) => {
                return Err(invalid(
                    "At least one of keyPath and keyData must be specified",
                    obj,
                ));
            }
        };
        Ok(Requirement::SigstoreSigned(SigstoreSigned {
            trust: SigstoreTrust::PublicKeys(keys),
            rekor: None,
            signed_identity,
            signed_identity_explicit: explicit,
        }))
    }

    /// Current c/image `prSigstoreSigned.UnmarshalJSON` + `newPRSigstoreSigned` (spec §1.7.3).
    fn sigstore_signed_current(&self, cur: &mut Cursor<'_>, span: Span) -> Result<Requirement> {
        #[derive(Default)]
        struct Fields {
            ty: String,
            key_path: Option<Spanned<String>>,
            key_paths: Option<Spanned<Option<Vec<String>>>>,
            key_data: Option<Spanned<Option<Vec<u8>>>>,
            key_datas: Option<Spanned<Option<Vec<Vec<u8>>>>>,
            fulcio: Option<Spanned<Fulcio>>,
            rekor_path: Option<Spanned<String>>,
            rekor_paths: Option<Spanned<Option<Vec<String>>>>,
            rekor_data: Option<Spanned<Option<Vec<u8>>>>,
            rekor_datas: Option<Spanned<Option<Vec<Vec<u8>>>>>,
            pki: Option<Spanned<Pki>>,
        }
        let mut f = Fields::default();
        let mut identity = None;
        let obj = cur.strict_object(self.compat, |cur, key, _| {
            match key {
                "type" => {
                    f.ty = cur
                        .decode_string("signature.prTypeIdentifier")?
                        .0
                        .unwrap_or_default()
                }
                "keyPath" => {
                    let (s, vspan) = cur.decode_string("string")?;
                    f.key_path = Some(Spanned::new(s.unwrap_or_default(), vspan));
                }
                "keyPaths" => f.key_paths = Some(to_spanned(cur.decode_string_slice()?)),
                "keyData" => f.key_data = Some(to_spanned(cur.decode_bytes()?)),
                "keyDatas" => f.key_datas = Some(to_spanned(cur.decode_bytes_slice()?)),
                "fulcio" => f.fulcio = Some(self.fulcio(cur)?),
                "rekorPublicKeyPath" => {
                    let (s, vspan) = cur.decode_string("string")?;
                    f.rekor_path = Some(Spanned::new(s.unwrap_or_default(), vspan));
                }
                "rekorPublicKeyPaths" => {
                    f.rekor_paths = Some(to_spanned(cur.decode_string_slice()?))
                }
                "rekorPublicKeyData" => f.rekor_data = Some(to_spanned(cur.decode_bytes()?)),
                "rekorPublicKeyDatas" => {
                    f.rekor_datas = Some(to_spanned(cur.decode_bytes_slice()?))
                }
                "pki" => f.pki = Some(self.pki(cur)?),
                "signedIdentity" => {
                    identity = Some(cur.clone());
                    cur.skip_value();
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        if f.ty != "sigstoreSigned" {
            return Err(self.unexpected(&f.ty, span));
        }
        let (signed_identity, explicit) = self.identity_or_default(identity, &obj)?;

        // The option functions run in this order; the "contains no entries" checks live there.
        let no_entries =
            |name: &str, s: &Span| invalid(format!("\"{name}\" contains no entries"), s.clone());
        let nonempty = |v: &Option<Vec<String>>| v.as_ref().is_some_and(|v| !v.is_empty());
        let nonempty_b = |v: &Option<Vec<Vec<u8>>>| v.as_ref().is_some_and(|v| !v.is_empty());
        if let Some(kp) = &f.key_paths
            && !nonempty(&kp.value)
        {
            return Err(no_entries("keyPaths", &kp.span));
        }
        if let Some(kd) = &f.key_datas
            && !nonempty_b(&kd.value)
        {
            return Err(no_entries("keyDatas", &kd.span));
        }
        if let Some(rp) = &f.rekor_paths
            && !nonempty(&rp.value)
        {
            return Err(no_entries("rekorPublickeyPaths", &rp.span)); // sic: upstream spelling
        }
        if let Some(rd) = &f.rekor_datas
            && !nonempty_b(&rd.value)
        {
            return Err(no_entries("rekorPublickeyDatas", &rd.span)); // sic
        }

        let mut trust = Vec::new();
        if let Some(p) = f.key_path.filter(|p| !p.value.is_empty()) {
            trust.push(SigstoreTrust::PublicKeys(KeySource::Path(p)));
        }
        if let Some(p) = f.key_paths {
            let v = p.value.unwrap_or_default();
            trust.push(SigstoreTrust::PublicKeys(KeySource::Paths(Spanned::new(
                v, p.span,
            ))));
        }
        if let Some(d) = f.key_data.filter(|d| d.value.is_some()) {
            trust.push(SigstoreTrust::PublicKeys(KeySource::Data(d)));
        }
        if let Some(d) = f.key_datas {
            let v = d.value.unwrap_or_default();
            trust.push(SigstoreTrust::PublicKeys(KeySource::Datas(Spanned::new(
                v, d.span,
            ))));
        }
        let has_fulcio = f.fulcio.is_some();
        if let Some(fu) = f.fulcio {
            trust.push(SigstoreTrust::Fulcio(fu));
        }
        let has_pki = f.pki.is_some();
        if let Some(p) = f.pki {
            trust.push(SigstoreTrust::Pki(p));
        }
        if trust.len() != 1 {
            return Err(invalid(
                "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified",
                obj,
            ));
        }
        let mut rekor = Vec::new();
        if let Some(p) = f.rekor_path.filter(|p| !p.value.is_empty()) {
            rekor.push(KeySource::Path(p));
        }
        if let Some(p) = f.rekor_paths {
            rekor.push(KeySource::Paths(Spanned::new(
                p.value.unwrap_or_default(),
                p.span,
            )));
        }
        if let Some(d) = f.rekor_data.filter(|d| d.value.is_some()) {
            rekor.push(KeySource::Data(d));
        }
        if let Some(d) = f.rekor_datas {
            rekor.push(KeySource::Datas(Spanned::new(
                d.value.unwrap_or_default(),
                d.span,
            )));
        }
        if rekor.len() > 1 {
            return Err(invalid(
                "at most one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas can be used simultaneously",
                obj,
            ));
        }
        if has_fulcio && rekor.is_empty() {
            return Err(invalid(
                "At least one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas must be specified if fulcio is used",
                obj,
            ));
        }
        if has_pki && !rekor.is_empty() {
            return Err(invalid(
                "rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas are not supported for pki",
                obj,
            ));
        }
        let trust = trust
            .pop()
            .ok_or_else(|| invalid("internal: no trust root", span.clone()))?;
        Ok(Requirement::SigstoreSigned(SigstoreSigned {
            trust,
            rekor: rekor.pop(),
            signed_identity,
            signed_identity_explicit: explicit,
        }))
    }

    /// `prSigstoreSignedFulcio.UnmarshalJSON` + `newPRSigstoreSignedFulcio`.
    fn fulcio(&self, cur: &mut Cursor<'_>) -> Result<Spanned<Fulcio>> {
        let (mut ca_path, mut ca_data, mut issuer, mut email) =
            (String::new(), None, String::new(), String::new());
        let span = cur.strict_object(self.compat, |cur, key, _| {
            match key {
                "caPath" => ca_path = cur.decode_string("string")?.0.unwrap_or_default(),
                "caData" => ca_data = cur.decode_bytes()?.0,
                "oidcIssuer" => issuer = cur.decode_string("string")?.0.unwrap_or_default(),
                "subjectEmail" => email = cur.decode_string("string")?.0.unwrap_or_default(),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        let ca = match (ca_path.is_empty(), ca_data) {
            (false, Some(_)) => {
                return Err(invalid(
                    "caPath and caData cannot be used simultaneously",
                    span,
                ));
            }
            (true, None) => {
                return Err(invalid(
                    "At least one of caPath and caData must be specified",
                    span,
                ));
            }
            (false, None) => CaSource::Path(ca_path),
            (true, Some(d)) => CaSource::Data(d),
        };
        if issuer.is_empty() {
            return Err(invalid("oidcIssuer not specified", span));
        }
        if email.is_empty() {
            return Err(invalid("subjectEmail not specified", span));
        }
        Ok(Spanned::new(
            Fulcio {
                ca,
                oidc_issuer: issuer,
                subject_email: email,
            },
            span,
        ))
    }

    /// `prSigstoreSignedPKI.UnmarshalJSON` + `newPRSigstoreSignedPKI`.
    fn pki(&self, cur: &mut Cursor<'_>) -> Result<Spanned<Pki>> {
        let (mut roots_path, mut roots_data) = (String::new(), None);
        let (mut int_path, mut int_data) = (String::new(), None);
        let (mut email, mut host) = (String::new(), String::new());
        let span = cur.strict_object(self.compat, |cur, key, _| {
            match key {
                "caRootsPath" => roots_path = cur.decode_string("string")?.0.unwrap_or_default(),
                "caRootsData" => roots_data = cur.decode_bytes()?.0,
                "caIntermediatesPath" => {
                    int_path = cur.decode_string("string")?.0.unwrap_or_default()
                }
                "caIntermediatesData" => int_data = cur.decode_bytes()?.0,
                "subjectEmail" => email = cur.decode_string("string")?.0.unwrap_or_default(),
                "subjectHostname" => host = cur.decode_string("string")?.0.unwrap_or_default(),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        let ca_roots = match (roots_path.is_empty(), roots_data) {
            (false, Some(_)) => {
                return Err(invalid(
                    "caRootsPath and caRootsData cannot be used simultaneously",
                    span,
                ));
            }
            (true, None) => {
                return Err(invalid(
                    "At least one of caRootsPath and caRootsData must be specified",
                    span,
                ));
            }
            (false, None) => CaSource::Path(roots_path),
            (true, Some(d)) => CaSource::Data(d),
        };
        let ca_intermediates = match (int_path.is_empty(), int_data) {
            (false, Some(_)) => {
                return Err(invalid(
                    "caIntermediatesPath and caIntermediatesData cannot be used simultaneously",
                    span,
                ));
            }
            (true, None) => None,
            (false, None) => Some(CaSource::Path(int_path)),
            (true, Some(d)) => Some(CaSource::Data(d)),
        };
        if email.is_empty() && host.is_empty() {
            return Err(invalid(
                "At least one of subjectEmail, subjectHostname must be specified",
                span,
            ));
        }
        Ok(Spanned::new(
            Pki {
                ca_roots,
                ca_intermediates,
                subject_email: email,
                subject_hostname: host,
            },
            span,
        ))
    }

    /// `newPolicyReferenceMatchFromJSON` and the PRM parsers (spec §2.3).
    fn prm(&self, cur: &mut Cursor<'_>) -> Result<Spanned<SignedIdentity>> {
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

#[cfg(test)]
mod tests;
