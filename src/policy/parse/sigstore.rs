//! `policy_config_sigstore.go`: `sigstoreSigned` (5.23.1 and current dialects), `fulcio`, `pki`.

use super::*;

impl Parser {
    /// c/image 5.23.1 `prSigstoreSigned.UnmarshalJSON` (spec §1.7.2).
    pub(super) fn sigstore_signed_5_23(
        &self,
        cur: &mut Cursor<'_>,
        span: Span,
    ) -> Result<Requirement> {
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
    pub(super) fn sigstore_signed_current(
        &self,
        cur: &mut Cursor<'_>,
        span: Span,
    ) -> Result<Requirement> {
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
    pub(super) fn fulcio(&self, cur: &mut Cursor<'_>) -> Result<Spanned<Fulcio>> {
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
        let ca = ca_source(ca_path, ca_data, ("caPath", "caData"), &span)?.ok_or_else(|| {
            invalid(
                "At least one of caPath and caData must be specified",
                span.clone(),
            )
        })?;
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
    pub(super) fn pki(&self, cur: &mut Cursor<'_>) -> Result<Spanned<Pki>> {
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
        let ca_roots = ca_source(
            roots_path,
            roots_data,
            ("caRootsPath", "caRootsData"),
            &span,
        )?
        .ok_or_else(|| {
            invalid(
                "At least one of caRootsPath and caRootsData must be specified",
                span.clone(),
            )
        })?;
        let ca_intermediates = ca_source(
            int_path,
            int_data,
            ("caIntermediatesPath", "caIntermediatesData"),
            &span,
        )?;
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
}

/// c/image's rule for a CA given as a path or as data (`fulcio`, `pki` roots and
/// intermediates): both is an error, neither is `None` (the caller says whether it is
/// required); an empty path counts as absent.
fn ca_source(
    path: String,
    data: Option<Vec<u8>>,
    (path_key, data_key): (&str, &str),
    span: &Span,
) -> Result<Option<CaSource>> {
    match (path.is_empty(), data) {
        (false, Some(_)) => Err(invalid(
            format!("{path_key} and {data_key} cannot be used simultaneously"),
            span.clone(),
        )),
        (true, None) => Ok(None),
        (false, None) => Ok(Some(CaSource::Path(path))),
        (true, Some(d)) => Ok(Some(CaSource::Data(d))),
    }
}
