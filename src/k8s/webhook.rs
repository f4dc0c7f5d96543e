//! The semantic checks the admission webhooks run on the policies themselves (spec §19.8
//! points 2 and 3), reimplemented over a YAML document already converted to JSON, so that
//! generated manifests can be checked offline before `kubectl apply` would refuse them.
//!
//! * [`validate_cluster_image_policy`]: sigstore policy-controller's `ClusterImagePolicy`
//!   webhook (`pkg/apis/policy/v1beta1/clusterimagepolicy_validation.go` and its `v1alpha1`
//!   twin @ `f925c0c1`, after the webhook's defaulting), with knative's messages
//!   (`missing field(s)`, `expected exactly one, got neither|both`, `invalid value`);
//! * [`validate_kyverno_cluster_policy`]: Kyverno's `ClusterPolicy`/`Policy` `verifyImages`
//!   checks (`api/kyverno/v1/image_verification_types.go` `Validate`, called from
//!   `pkg/validation/policy/validate.go` @ `111e07bb`, after the CRD's defaults
//!   `validationFailureAction: Audit`, `mutateDigest: true`, `signatureAlgorithm: sha256`);
//! * [`validate_image_validating_policy`]: `ImageValidatingPolicy` (`policies.kyverno.io`):
//!   the CRD's required fields, the parts of `pkg/image/verification/evaluator/validate.go`
//!   that need no CEL (`matchConstraints`, `matchImageReferences` globs) and the attestor
//!   shape its verifiers rely on.
//!
//! The CRDs themselves (structure, unknown fields) are checked elsewhere; a field of the wrong
//! JSON type is reported here too (`cannot unmarshal …`) and otherwise treated as absent. CEL
//! expressions, CUE/Rego policies and anything that needs the cluster are not checked. Pure
//! code: no I/O; nothing here panics, and the only recursion (Kyverno's nested `attestor`
//! sets) is depth-limited.

use serde_json::Value;

/// One violated rule: where (a field path like `spec.authorities[0].key`) and what.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub path: String,
    pub message: String,
}

/// The policy-controller settings its webhook reads from the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CipOptions {
    /// The namespace policy-controller runs in (`SYSTEM_NAMESPACE`); a key's
    /// `secretRef.namespace`, if set, must be this one.
    pub controller_namespace: String,
    /// `fail-on-empty-authorities` of the ConfigMap `config-policy-controller` (default true).
    pub fail_on_empty_authorities: bool,
}

impl Default for CipOptions {
    fn default() -> Self {
        CipOptions {
            controller_namespace: "cosign-system".to_owned(),
            fail_on_empty_authorities: true,
        }
    }
}

/// Dispatch on apiVersion/kind; `None` for kinds it does not know.
pub fn validate(doc: &Value) -> Option<Vec<Finding>> {
    let api_version = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
    match (api_version, kind) {
        ("policy.sigstore.dev/v1alpha1" | "policy.sigstore.dev/v1beta1", "ClusterImagePolicy") => {
            Some(validate_cluster_image_policy(doc))
        }
        ("kyverno.io/v1" | "kyverno.io/v2beta1", "ClusterPolicy" | "Policy") => {
            Some(validate_kyverno_cluster_policy(doc))
        }
        (
            "policies.kyverno.io/v1"
            | "policies.kyverno.io/v1beta1"
            | "policies.kyverno.io/v1alpha1",
            "ImageValidatingPolicy" | "NamespacedImageValidatingPolicy",
        ) => Some(validate_image_validating_policy(doc)),
        _ => None,
    }
}

/// Collects findings and reads typed fields, reporting fields of the wrong JSON type.
#[derive(Default)]
struct Ctx {
    findings: Vec<Finding>,
}

fn child(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl Ctx {
    fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.findings.push(Finding {
            path: path.into(),
            message: message.into(),
        });
    }

    fn wrong_type(&mut self, path: &str, got: &Value, want: &str) {
        self.push(
            path,
            format!(
                "cannot unmarshal {} into a field of type {want}",
                json_type(got)
            ),
        );
    }

    /// A string field; `""` when absent, null or of another type (reported).
    fn string<'a>(&mut self, v: &'a Value, path: &str, key: &str) -> &'a str {
        match v.get(key) {
            None | Some(Value::Null) => "",
            Some(Value::String(s)) => s,
            Some(other) => {
                self.wrong_type(&child(path, key), other, "string");
                ""
            }
        }
    }

    /// An array field; empty when absent, null or of another type (reported).
    fn array<'a>(&mut self, v: &'a Value, path: &str, key: &str) -> &'a [Value] {
        match v.get(key) {
            None | Some(Value::Null) => &[],
            Some(Value::Array(a)) => a,
            Some(other) => {
                self.wrong_type(&child(path, key), other, "array");
                &[]
            }
        }
    }

    /// An object field (a Go pointer to a struct): `None` when absent, null or of another
    /// type (reported).
    fn object<'a>(&mut self, v: &'a Value, path: &str, key: &str) -> Option<&'a Value> {
        match v.get(key) {
            None | Some(Value::Null) => None,
            Some(o @ Value::Object(_)) => Some(o),
            Some(other) => {
                self.wrong_type(&child(path, key), other, "object");
                None
            }
        }
    }

    /// A boolean field; `default` when absent or null.
    fn boolean(&mut self, v: &Value, path: &str, key: &str, default: bool) -> bool {
        match v.get(key) {
            None | Some(Value::Null) => default,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                self.wrong_type(&child(path, key), other, "bool");
                default
            }
        }
    }

    /// An integer field; `None` when absent or null.
    fn integer(&mut self, v: &Value, path: &str, key: &str) -> Option<i64> {
        match v.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
            Some(other) => {
                self.wrong_type(&child(path, key), other, "int");
                None
            }
        }
    }
}

/// Whether a field is set at all (a Go pointer that is not nil).
fn present(v: &Value, key: &str) -> bool {
    !matches!(v.get(key), None | Some(Value::Null))
}

/// knative `ErrInvalidValue(value, field, details)`, without the path (the finding has it):
/// `invalid value: <value>: <details>`; long or multi-line values are left out.
fn invalid_value(value: &str, details: &str) -> String {
    let shown = if value.is_empty() {
        Some("\"\"")
    } else if value.contains('\n') || value.chars().count() > 100 {
        None
    } else {
        Some(value)
    };
    match (shown, details.is_empty()) {
        (Some(v), true) => format!("invalid value: {v}"),
        (Some(v), false) => format!("invalid value: {v}: {details}"),
        (None, true) => "invalid value".to_owned(),
        (None, false) => format!("invalid value: {details}"),
    }
}

fn missing(fields: &[&str]) -> String {
    format!("missing field(s): {}", fields.join(", "))
}

fn neither(fields: &[&str]) -> String {
    format!("expected exactly one, got neither: {}", fields.join(", "))
}

fn both(fields: &[&str]) -> String {
    format!("expected exactly one, got both: {}", fields.join(", "))
}

// ---------------------------------------------------------------------------------------------
// sigstore policy-controller: ClusterImagePolicy
// ---------------------------------------------------------------------------------------------

/// The policy-controller webhook's validation of a `ClusterImagePolicy` (`v1alpha1` or
/// `v1beta1`) with the default settings ([`CipOptions::default`]).
pub fn validate_cluster_image_policy(doc: &Value) -> Vec<Finding> {
    validate_cluster_image_policy_with(doc, &CipOptions::default())
}

/// [`validate_cluster_image_policy`] with explicit controller settings.
pub fn validate_cluster_image_policy_with(doc: &Value, options: &CipOptions) -> Vec<Finding> {
    let mut cx = Ctx::default();
    let v1alpha1 =
        doc.get("apiVersion").and_then(Value::as_str) == Some("policy.sigstore.dev/v1alpha1");
    let empty = Value::Object(serde_json::Map::new());
    let spec = cx.object(doc, "", "spec").unwrap_or(&empty);
    let cip = Cip { options, v1alpha1 };
    cip.spec(&mut cx, spec, "spec");
    cx.findings
}

struct Cip<'o> {
    options: &'o CipOptions,
    v1alpha1: bool,
}

impl Cip<'_> {
    fn spec(&self, cx: &mut Ctx, spec: &Value, path: &str) {
        let images = cx.array(spec, path, "images");
        if images.is_empty() {
            cx.push(path, missing(&["images"]));
        }
        for (i, image) in images.iter().enumerate() {
            let p = index(&child(path, "images"), i);
            let glob = cx.string(image, &p, "glob");
            if glob.is_empty() {
                cx.push(&p, missing(&["glob"]));
            } else if let Err(e) = validate_glob(glob) {
                cx.push(
                    child(&p, "glob"),
                    invalid_value(glob, &format!("glob is invalid: {e}")),
                );
            }
        }
        let authorities = cx.array(spec, path, "authorities");
        if authorities.is_empty() && self.options.fail_on_empty_authorities {
            cx.push(path, missing(&["authorities"]));
        }
        for (i, authority) in authorities.iter().enumerate() {
            self.authority(cx, authority, &index(&child(path, "authorities"), i));
        }
        // Defaulting sets `enforce` when empty.
        let mode = cx.string(spec, path, "mode");
        if !mode.is_empty() && mode != "enforce" && mode != "warn" {
            cx.push(child(path, "mode"), invalid_value(mode, "unsupported mode"));
        }
        for (i, m) in cx.array(spec, path, "match").iter().enumerate() {
            let p = index(&child(path, "match"), i);
            let resource = cx.string(m, &p, "resource");
            let version = cx.string(m, &p, "version");
            let group = cx.string(m, &p, "group");
            if present(m, "selector")
                && resource.is_empty()
                && version.is_empty()
                && group.is_empty()
            {
                cx.push(
                    child(&p, "selector"),
                    invalid_value(
                        resource,
                        "selector requires a resource type to match the labels",
                    ),
                );
            }
        }
        // Upstream validates the spec-level policy without `ViaField("policy")` (its paths read
        // `spec.type`); reported here where the field is.
        if let Some(policy) = cx.object(spec, path, "policy") {
            policy_ref(cx, policy, &child(path, "policy"), true);
        }
    }

    fn authority(&self, cx: &mut Ctx, a: &Value, path: &str) {
        let key = cx.object(a, path, "key");
        let keyless = cx.object(a, path, "keyless");
        let stat = cx.object(a, path, "static");
        let kinds = [key.is_some(), keyless.is_some(), stat.is_some()];
        match kinds.iter().filter(|k| **k).count() {
            0 => {
                cx.push(path, neither(&["key", "keyless", "static"]));
                return;
            }
            1 => {}
            _ => {
                cx.push(path, both(&["key", "keyless", "static"]));
                return;
            }
        }
        if let Some(key) = key {
            self.key_ref(cx, key, &child(path, "key"));
        }
        if let Some(keyless) = keyless {
            self.keyless_ref(cx, keyless, &child(path, "keyless"));
        }
        let attestations = cx.array(a, path, "attestations");
        let sources = cx.array(a, path, "source");
        if let Some(stat) = stat {
            let p = child(path, "static");
            let action = cx.string(stat, &p, "action");
            if action.is_empty() {
                cx.push(&p, missing(&["action"]));
            } else if action != "pass" && action != "fail" {
                cx.push(
                    child(&p, "action"),
                    invalid_value(action, "unsupported action"),
                );
            }
            // knative merges the ErrMultipleOneOf("static", x) errors into one line.
            let mut with = vec!["static"];
            if !attestations.is_empty() {
                with.push("attestations");
            }
            if !sources.is_empty() {
                with.push("source");
            }
            if present(a, "ctlog") {
                with.push("ctlog");
            }
            if !self.v1alpha1 && present(a, "rfc3161timestamp") {
                with.push("rfc3161timestamp");
            }
            if with.len() > 1 {
                with.sort_unstable();
                cx.push(path, both(&with));
            }
        }
        if sources.len() > 1 {
            cx.push(
                child(path, "source"),
                invalid_value("source", "only single source is supported"),
            );
        } else {
            for (i, source) in sources.iter().enumerate() {
                let p = index(&child(path, "source"), i);
                let oci = cx.string(source, &p, "oci");
                if !oci.is_empty()
                    && let Err(e) = validate_oci(oci)
                {
                    cx.push(child(&p, "oci"), invalid_value(oci, &e));
                }
                let secrets = cx.array(source, &p, "signaturePullSecrets");
                for (j, secret) in secrets.iter().enumerate() {
                    let sp = index(&child(&p, "signaturePullSecrets"), j);
                    if cx.string(secret, &sp, "name").is_empty() {
                        cx.push(&sp, missing(&["name"]));
                    }
                }
            }
        }
        for (i, att) in attestations.iter().enumerate() {
            // Upstream's path has no index (`…attestations.policy`); it is added here.
            let p = index(&child(path, "attestations"), i);
            if cx.string(att, &p, "name").is_empty() {
                cx.push(&p, missing(&["name"]));
            }
            // Short names (`custom`, `spdx`, …) and non-URIs are accepted with a warning.
            if cx.string(att, &p, "predicateType").is_empty() {
                cx.push(&p, missing(&["predicateType"]));
            }
            if let Some(policy) = cx.object(att, &p, "policy") {
                policy_ref(cx, policy, &child(&p, "policy"), false);
            }
        }
    }

    fn key_ref(&self, cx: &mut Ctx, key: &Value, path: &str) {
        let data = cx.string(key, path, "data");
        let kms = cx.string(key, path, "kms");
        let secret_ref = cx.object(key, path, "secretRef");
        if data.is_empty() && kms.is_empty() && secret_ref.is_none() {
            cx.push(path, neither(&["data", "kms", "secretref"]));
        }
        let hash = cx.string(key, path, "hashAlgorithm");
        if !hash.is_empty()
            && !matches!(
                hash.trim().to_ascii_lowercase().as_str(),
                "sha224" | "sha256" | "sha384" | "sha512"
            )
        {
            cx.push(child(path, "hashAlgorithm"), invalid_value(hash, ""));
        }
        if !data.is_empty() {
            if !kms.is_empty() || secret_ref.is_some() {
                cx.push(path, both(&["data", "kms", "secretref"]));
            }
            if let Err(e) = crate::signature::keys::parse_pem_public_key(data.as_bytes()) {
                cx.push(child(path, "data"), invalid_value(data, &e.to_string()));
            }
        } else if !kms.is_empty() && secret_ref.is_some() {
            cx.push(path, both(&["data", "kms", "secretref"]));
        }
        if !kms.is_empty()
            && let Err(e) = validate_kms(kms)
        {
            cx.push(child(path, "kms"), invalid_value(kms, &e));
        }
        if let Some(secret_ref) = secret_ref {
            let p = child(path, "secretRef");
            let namespace = cx.string(secret_ref, &p, "namespace");
            if !namespace.is_empty() && namespace != self.options.controller_namespace {
                cx.push(
                    child(&p, "namespace"),
                    invalid_value(
                        namespace,
                        "secretref.namespace is invalid. If set, it should use the same namespace where the policy-controller was deployed",
                    ),
                );
            }
        }
    }

    fn keyless_ref(&self, cx: &mut Ctx, keyless: &Value, path: &str) {
        // Defaulting sets `url: https://fulcio.sigstore.dev` when neither is given, so
        // "got neither" cannot happen after it.
        let ca_cert = cx.object(keyless, path, "ca-cert");
        if present(keyless, "url") && ca_cert.is_some() {
            cx.push(path, both(&["ca-cert", "url"]));
        }
        if let Some(ca_cert) = ca_cert {
            self.key_ref(cx, ca_cert, &child(path, "ca-cert"));
        }
        let identities = cx.array(keyless, path, "identities");
        if identities.is_empty() {
            cx.push(path, missing(&["identities"]));
        }
        for (i, identity) in identities.iter().enumerate() {
            let p = index(&child(path, "identities"), i);
            let issuer = cx.string(identity, &p, "issuer");
            let issuer_re = cx.string(identity, &p, "issuerRegExp");
            let subject = cx.string(identity, &p, "subject");
            let subject_re = cx.string(identity, &p, "subjectRegExp");
            if !issuer.is_empty() && !issuer_re.is_empty() {
                cx.push(&p, both(&["issuer", "issuerRegExp"]));
            }
            if !subject.is_empty() && !subject_re.is_empty() {
                cx.push(&p, both(&["subject", "subjectRegExp"]));
            }
            for (field, re) in [("issuerRegExp", issuer_re), ("subjectRegExp", subject_re)] {
                if !re.is_empty()
                    && let Err(e) = compile_regex(re)
                {
                    cx.push(
                        child(&p, field),
                        invalid_value(re, &format!("regex is invalid: {e}")),
                    );
                }
            }
            if subject.is_empty() && subject_re.is_empty() {
                cx.push(&p, missing(&["subject", "subjectRegExp"]));
            }
            if issuer.is_empty() && issuer_re.is_empty() {
                cx.push(&p, missing(&["issuer", "issuerRegExp"]));
            }
        }
    }
}

/// `Policy.Validate` (CUE/Rego policy of the spec or of an attestation).
fn policy_ref(cx: &mut Ctx, p: &Value, path: &str, within_spec: bool) {
    let ty = cx.string(p, path, "type");
    if ty != "cue" && ty != "rego" {
        cx.push(
            child(path, "type"),
            invalid_value(ty, "only [cue,rego] are supported at the moment"),
        );
    }
    let data = !cx.string(p, path, "data").is_empty();
    let config_map_ref = cx.object(p, path, "configMapRef");
    let remote = cx.object(p, path, "remote");
    let set = [data, config_map_ref.is_some(), remote.is_some()];
    match set.iter().filter(|s| **s).count() {
        0 => cx.push(path, missing(&["configMapRef", "data", "remote"])),
        1 => {}
        _ => cx.push(path, both(&["configMapRef", "data", "remote"])),
    }
    if let Some(remote) = remote {
        let rp = child(path, "remote");
        let url = cx.string(remote, &rp, "url");
        if !is_https_url_with_host(url) {
            cx.push(
                child(&rp, "url"),
                invalid_value(
                    url,
                    "url valid is invalid. host and https scheme are expected",
                ),
            );
        }
        if cx.string(remote, &rp, "sha256sum").is_empty() {
            cx.push(&rp, missing(&["sha256sum"]));
        }
    }
    if let Some(cmr) = config_map_ref {
        let cp = child(path, "configMapRef");
        if cx.string(cmr, &cp, "name").is_empty() {
            cx.push(&cp, missing(&["name"]));
        }
        if cx.string(cmr, &cp, "key").is_empty() {
            cx.push(&cp, missing(&["key"]));
        }
    }
    if !within_spec {
        for field in [
            "fetchConfigFile",
            "includeSpec",
            "includeObjectMeta",
            "includeTypeMeta",
        ] {
            if present(p, field) {
                cx.push(path, format!("must not set the field(s): {field}"));
            }
        }
    }
}

/// Go `url.Parse(u)` succeeds with scheme `https` and a non-empty host (approximation: the
/// scheme is compared case-insensitively as Go lowercases it; the host is what follows `//`
/// up to `/`, `?` or `#`, minus any userinfo).
fn is_https_url_with_host(u: &str) -> bool {
    let Some((scheme, rest)) = u.split_once(':') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("https") || u.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return false;
    }
    let Some(rest) = rest.strip_prefix("//") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    !host.is_empty()
}

/// `ValidateGlob`: `filepath.Match(g, "")` for its syntax errors, then `glob.Compile`.
fn validate_glob(glob: &str) -> Result<(), String> {
    go_filepath_match_syntax(glob).map_err(str::to_owned)?;
    crate::k8s::glob::policy_controller::Glob::compile(glob)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The errors Go's `filepath.Match(pattern, "")` returns (Unix): `ErrBadPattern` for an
/// unclosed or empty `[…]` class, a range with a missing end, or a trailing `\`. With an
/// empty name Go checks every chunk of the pattern, so this is a pure syntax check.
fn go_filepath_match_syntax(pattern: &str) -> Result<(), &'static str> {
    const BAD: &str = "syntax error in pattern";
    let p: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < p.len() {
        // scanChunk: leading stars, then up to the next star outside a class.
        while p.get(i) == Some(&'*') {
            i += 1;
        }
        let start = i;
        let mut in_range = false;
        while let Some(&c) = p.get(i) {
            match c {
                '\\' if i + 1 < p.len() => i += 1,
                '[' => in_range = true,
                ']' => in_range = false,
                '*' if !in_range => break,
                _ => {}
            }
            i += 1;
        }
        let chunk = p.get(start..i).unwrap_or(&[]);
        check_chunk(chunk).map_err(|()| BAD)?;
    }
    Ok(())
}

/// `matchChunk(chunk, "")` once the match has failed: only the pattern is parsed.
fn check_chunk(c: &[char]) -> Result<(), ()> {
    let mut j = 0;
    while let Some(&ch) = c.get(j) {
        match ch {
            '[' => {
                j += 1;
                if c.get(j) == Some(&'^') {
                    j += 1;
                }
                let mut nrange = 0;
                loop {
                    if c.get(j) == Some(&']') && nrange > 0 {
                        j += 1;
                        break;
                    }
                    j = get_esc(c, j)?;
                    if c.get(j) == Some(&'-') {
                        j = get_esc(c, j + 1)?;
                    }
                    nrange += 1;
                }
            }
            '\\' => {
                j += 1;
                if j >= c.len() {
                    return Err(());
                }
                j += 1;
            }
            _ => j += 1,
        }
    }
    Ok(())
}

/// `getEsc`: one possibly escaped class character; something must follow it.
fn get_esc(c: &[char], mut j: usize) -> Result<usize, ()> {
    match c.get(j) {
        None | Some('-') | Some(']') => return Err(()),
        Some('\\') => {
            j += 1;
            if j >= c.len() {
                return Err(());
            }
        }
        Some(_) => {}
    }
    j += 1;
    if j >= c.len() { Err(()) } else { Ok(j) }
}

/// Go `regexp.Compile`, approximated by the `regex` crate (same RE2 family; the error text
/// is the crate's).
fn compile_regex(re: &str) -> Result<(), String> {
    regex::Regex::new(re).map(|_| ()).map_err(|e| match e {
        regex::Error::Syntax(s) => {
            let last = s.lines().rev().find(|l| l.starts_with("error: "));
            let detail = last.map_or(s.as_str(), |l| l.trim_start_matches("error: "));
            format!("error parsing regexp: {detail}")
        }
        other => format!("error parsing regexp: {other}"),
    })
}

const KMS_PROVIDERS: [&str; 4] = ["awskms://", "azurekms://", "hashivault://", "gcpkms://"];

/// `common.ValidateKMS`: a supported provider prefix; AWS references checked in detail.
fn validate_kms(kms: &str) -> Result<(), String> {
    if !KMS_PROVIDERS.iter().any(|p| kms.starts_with(p)) {
        return Err(format!(
            "malformed KMS format, should be prefixed by any of the supported providers: [{}]",
            KMS_PROVIDERS.join(" ")
        ));
    }
    if kms.starts_with("awskms://") {
        validate_aws_kms(kms)?;
    }
    Ok(())
}

const KMS_REFERENCE_ERROR: &str =
    "kms key should be in the format awskms://[ENDPOINT]/[ID/ALIAS/ARN] (endpoint optional)";

fn aws_kms_regexes() -> &'static [regex::Regex] {
    static RES: std::sync::OnceLock<Vec<regex::Regex>> = std::sync::OnceLock::new();
    RES.get_or_init(|| {
        let uuid = "m?r?k?-?[A-Fa-f0-9]{8}-?[A-Fa-f0-9]{4}-?[A-Fa-f0-9]{4}-?[A-Fa-f0-9]{4}-?[A-Fa-f0-9]{12}";
        let arn = "arn:(?:aws|aws-us-gov|aws-cn):kms:[a-z0-9-]+:[0-9]{12}:";
        let host = "([^/]*)/";
        [
            format!("^awskms://{host}({uuid})$"),
            format!("^awskms://{host}({arn}key/{uuid})$"),
            format!("^awskms://{host}((alias/.*))$"),
            format!("^awskms://{host}({arn}(alias/.*))$"),
        ]
        .iter()
        // Constant patterns: they compile; a failure would only make references invalid.
        .filter_map(|p| regex::Regex::new(p).ok())
        .collect()
    })
}

/// `validateAWSKMS`.
fn validate_aws_kms(kms: &str) -> Result<(), String> {
    let parts: Vec<&str> = kms.split('/').collect();
    let (Some(endpoint), Some(key_id)) = (parts.get(2), parts.get(3)) else {
        return Err("malformed AWS KMS format 'awskms://$ENDPOINT/$KEYID', should be conformant with KMS standard documented here: https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id".to_owned());
    };
    if !aws_kms_regexes().iter().any(|re| re.is_match(kms)) {
        return Err(KMS_REFERENCE_ERROR.to_owned());
    }
    if !endpoint.is_empty() && (endpoint.starts_with("arn") || endpoint.starts_with("alias")) {
        return Err(KMS_REFERENCE_ERROR.to_owned());
    }
    if !endpoint.is_empty() {
        go_split_host_port(endpoint).map_err(|e| format!("malformed endpoint: {e}"))?;
    }
    // aws-sdk-go-v2 `arn.Parse`.
    let Some(_) = key_id.strip_prefix("arn:") else {
        return Err("failed to parse either key or alias arn: arn: invalid prefix".to_owned());
    };
    let sections: Vec<&str> = key_id.splitn(6, ':').collect();
    let [_, partition, service, region, account, resource] = sections.as_slice() else {
        return Err("failed to parse either key or alias arn: arn: not enough sections".to_owned());
    };
    if *resource != "key" && *resource != "alias" {
        return Err(format!(
            "Got ARN: {{Partition:{partition} Service:{service} Region:{region} AccountID:{account} Resource:{resource}}} Resource: {resource}"
        ));
    }
    Ok(())
}

/// Go `net.SplitHostPort`, errors only.
fn go_split_host_port(hostport: &str) -> Result<(), String> {
    let err = |why: &str| Err(format!("address {hostport}: {why}"));
    let Some(i) = hostport.rfind(':') else {
        return err("missing port in address");
    };
    let (j, k);
    if hostport.starts_with('[') {
        let Some(end) = hostport.find(']') else {
            return err("missing ']' in address");
        };
        if end + 1 == hostport.len() {
            return err("missing port in address");
        } else if end + 1 != i {
            if hostport.as_bytes().get(end + 1) == Some(&b':') {
                return err("too many colons in address");
            }
            return err("missing port in address");
        }
        (j, k) = (1, end + 1);
    } else {
        if hostport.get(..i).is_some_and(|h| h.contains(':')) {
            return err("too many colons in address");
        }
        (j, k) = (0, 0);
    }
    if hostport.get(j..).is_some_and(|s| s.contains('[')) {
        return err("unexpected '[' in address");
    }
    if hostport.get(k..).is_some_and(|s| s.contains(']')) {
        return err("unexpected ']' in address");
    }
    Ok(())
}

/// `common.ValidateOCI`: go-containerregistry `NewRepository` / `NewRegistry` with strict
/// validation.
fn validate_oci(oci: &str) -> Result<(), String> {
    match oci.split_once('/') {
        Some((registry, repo)) if registry.contains(['.', ':']) => {
            const CHARS: &str = "abcdefghijklmnopqrstuvwxyz0123456789_-./";
            if repo.len() < 2 || repo.len() > 255 {
                return Err(format!(
                    "repository must be between 2 and 255 characters in length: {repo}"
                ));
            }
            if repo.chars().any(|c| !CHARS.contains(c)) {
                return Err(format!(
                    "repository can only contain the characters `{CHARS}`: {repo}"
                ));
            }
            check_registry(registry)?;
            let registry = if registry == "docker.io" {
                "index.docker.io"
            } else {
                registry
            };
            if registry == "index.docker.io" && !repo.contains('/') {
                return Err(
                    "strict validation requires the full repository path (missing 'library')"
                        .to_owned(),
                );
            }
            Ok(())
        }
        _ => {
            if oci.is_empty() {
                return Err(
                    "strict validation requires the registry to be explicitly defined".to_owned(),
                );
            }
            check_registry(oci)
        }
    }
}

/// ggcr `checkRegistry`: `url.Parse("//" + name).Host == name` (Go's host syntax: ASCII
/// letters, digits and `-._~!$&'()*+,;=:[]<>"`, any non-ASCII, a numeric optional port).
fn check_registry(name: &str) -> Result<(), String> {
    let bad = || {
        Err(format!(
            "registries must be valid RFC 3986 URI authorities: {name}"
        ))
    };
    let host_char = |c: char| {
        !c.is_ascii() || c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:[]<>\"".contains(c)
    };
    if !name.chars().all(host_char) {
        return bad();
    }
    let port = if name.starts_with('[') {
        match name.rfind(']') {
            Some(i) => name.get(i + 1..).unwrap_or(""),
            None => return bad(),
        }
    } else {
        match name.rfind(':') {
            Some(i) => name.get(i..).unwrap_or(""),
            None => "",
        }
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !port_ok {
        return bad();
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Kyverno: ClusterPolicy / Policy verifyImages
// ---------------------------------------------------------------------------------------------

/// How deep Kyverno's nested `attestor` sets are followed.
const MAX_ATTESTOR_DEPTH: usize = 16;

/// Kyverno's admission checks of the `verifyImages` rules of a `ClusterPolicy` or `Policy`
/// (`kyverno.io/v1` or `v2beta1`).
pub fn validate_kyverno_cluster_policy(doc: &Value) -> Vec<Finding> {
    let mut cx = Ctx::default();
    let empty = Value::Object(serde_json::Map::new());
    let spec = cx.object(doc, "", "spec").unwrap_or(&empty);
    // CRD default `Audit`; `Audit()` is "not Enforce".
    let spec_action = match spec.get("validationFailureAction") {
        None | Some(Value::Null) => "Audit",
        _ => cx.string(spec, "spec", "validationFailureAction"),
    };
    let spec_audit = !is_enforce(spec_action);
    let rules = cx.array(spec, "spec", "rules");
    for (i, rule) in rules.iter().enumerate() {
        let rp = index("spec.rules", i);
        let verify_images = cx.array(rule, &rp, "verifyImages");
        // As upstream: the flag carries over from one entry to the next once an entry sets
        // its own `failureAction`.
        let mut audit = spec_audit;
        for (j, iv) in verify_images.iter().enumerate() {
            let p = index(&child(&rp, "verifyImages"), j);
            if present(iv, "failureAction") {
                audit = !is_enforce(cx.string(iv, &p, "failureAction"));
            }
            image_verification(&mut cx, iv, audit, &p);
        }
    }
    cx.findings
}

fn is_enforce(action: &str) -> bool {
    action == "Enforce" || action == "enforce"
}

/// `ImageVerification.Validate` (after `Convert`, which turns the deprecated `image`, `key`,
/// `issuer`, `subject`, `roots`, `annotations` into `imageReferences` and an attestor set).
fn image_verification(cx: &mut Ctx, iv: &Value, audit: bool, path: &str) {
    if audit && cx.boolean(iv, path, "mutateDigest", true) {
        cx.push(
            child(path, "mutateDigest"),
            "mutateDigest must be set to false for \u{2018}Audit\u{2019} failure action",
        );
    }
    let image = cx.string(iv, path, "image");
    let key = cx.string(iv, path, "key");
    let issuer = cx.string(iv, path, "issuer");
    let mut image_references = cx.array(iv, path, "imageReferences").len();
    let mut attestors: Vec<Value> = cx.array(iv, path, "attestors").to_vec();
    let attestations = cx.array(iv, path, "attestations");
    if !image.is_empty() || !key.is_empty() || !issuer.is_empty() {
        if !image.is_empty() {
            image_references += 1;
        }
        let has_annotations = iv
            .get("annotations")
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty());
        if has_annotations || !key.is_empty() || !issuer.is_empty() {
            let mut entry = serde_json::Map::new();
            if !key.is_empty() {
                entry.insert("keys".into(), serde_json::json!({ "publicKeys": key }));
            } else if !issuer.is_empty() {
                let subject = cx.string(iv, path, "subject");
                let roots = cx.string(iv, path, "roots");
                entry.insert(
                    "keyless".into(),
                    serde_json::json!({ "issuer": issuer, "subject": subject, "roots": roots }),
                );
            }
            // With attestations upstream adds the set to a copy it then throws away.
            if attestations.is_empty() {
                attestors.push(serde_json::json!({ "entries": [Value::Object(entry)] }));
            }
        }
    }
    if image_references == 0 {
        cx.push(path, "An image reference is required");
    }
    for (i, attestation) in attestations.iter().enumerate() {
        let ap = index(&child(path, "attestations"), i);
        for (k, set) in cx.array(attestation, &ap, "attestors").iter().enumerate() {
            attestor_set(cx, set, &index(&child(&ap, "attestors"), k), 0);
        }
    }
    let attestors_path = child(path, "attestors");
    for (i, set) in attestors.iter().enumerate() {
        attestor_set(cx, set, &index(&attestors_path, i), 0);
    }
    if iv.get("type").and_then(Value::as_str) == Some("Notary") {
        // Upstream loops over the entries as written (not converted).
        for set in iv
            .get("attestors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for entry in set
                .get("entries")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if present(entry, "keyless") {
                    cx.push(
                        &attestors_path,
                        "Keyless field is not allowed for type notary",
                    );
                }
                if present(entry, "keys") {
                    cx.push(&attestors_path, "Keys field is not allowed for type notary");
                }
            }
        }
    }
}

/// `validateAttestorSet`.
fn attestor_set(cx: &mut Ctx, set: &Value, path: &str, depth: usize) {
    if !set.is_object() {
        cx.wrong_type(path, set, "object");
        return;
    }
    let entries = cx.array(set, path, "entries");
    if let Some(count) = cx.integer(set, path, "count")
        && usize::try_from(count).is_ok_and(|c| c > entries.len())
    {
        cx.push(path, "Count cannot exceed length of entries");
    }
    if entries.is_empty() {
        cx.push(path, "An entry is required");
    }
    for (i, entry) in entries.iter().enumerate() {
        attestor(cx, entry, &index(&child(path, "entries"), i), depth);
    }
}

/// `Attestor.Validate`.
fn attestor(cx: &mut Ctx, a: &Value, path: &str, depth: usize) {
    if !a.is_object() {
        cx.wrong_type(path, a, "object");
        return;
    }
    let keys = cx.object(a, path, "keys");
    let certificates = cx.object(a, path, "certificates");
    let keyless = cx.object(a, path, "keyless");
    let nested = match a.get("attestor") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v),
    };
    let kinds = [
        keys.is_some(),
        certificates.is_some(),
        keyless.is_some(),
        nested.is_some(),
    ];
    if kinds.iter().filter(|k| **k).count() != 1 {
        cx.push(
            path,
            "keys, certificates, keyless, or a nested attestor is required",
        );
    }
    if let Some(keys) = keys {
        let p = child(path, "keys");
        let public_keys = cx.string(keys, &p, "publicKeys");
        let kms = cx.string(keys, &p, "kms");
        let secret = cx.object(keys, &p, "secret");
        if public_keys.is_empty() && kms.is_empty() && secret.is_none() {
            cx.push(&p, "A public key, kms key or secret is required");
        }
        if !public_keys.is_empty() {
            // CRD default `sha256`.
            let algorithm = cx.string(keys, &p, "signatureAlgorithm");
            if !matches!(algorithm, "" | "sha224" | "sha256" | "sha384" | "sha512") {
                cx.push(&p, "Invalid signature algorithm provided");
            }
        }
    }
    if let Some(certificates) = certificates {
        let p = child(path, "certificates");
        if cx.string(certificates, &p, "cert").is_empty()
            && cx.string(certificates, &p, "certChain").is_empty()
        {
            cx.push(&p, "cert or certChain required");
        }
    }
    if let Some(keyless) = keyless {
        let p = child(path, "keyless");
        let rekor = cx.object(keyless, &p, "rekor");
        let roots = cx.string(keyless, &p, "roots");
        if rekor.is_none() && roots.is_empty() {
            cx.push(&p, "Either Rekor URL or roots are required");
        }
        if let Some(rekor) = rekor
            && cx.string(rekor, &child(&p, "rekor"), "url").is_empty()
        {
            cx.push(&p, "An URL is required");
        }
    }
    if let Some(nested) = nested {
        let p = child(path, "attestor");
        if !nested.is_object() {
            cx.push(
                &p,
                format!(
                    "failed to unmarshal attestor set: cannot unmarshal {} into an attestor set",
                    json_type(nested)
                ),
            );
        } else if depth >= MAX_ATTESTOR_DEPTH {
            cx.push(&p, "nested attestors too deep");
        } else {
            attestor_set(cx, nested, &p, depth + 1);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Kyverno: ImageValidatingPolicy
// ---------------------------------------------------------------------------------------------

/// Checks of an `ImageValidatingPolicy` / `NamespacedImageValidatingPolicy`
/// (`policies.kyverno.io` `v1`, `v1beta1`, `v1alpha1`) that need no CEL: the CRD's required
/// `attestors` and `validations`, Kyverno's `matchConstraints` and `matchImageReferences`
/// checks, and the attestor shape (a `name`, exactly one of `cosign`/`notary`; a cosign `key`
/// with exactly one of `data`/`kms`/`expression`, `data` a PEM public key).
pub fn validate_image_validating_policy(doc: &Value) -> Vec<Finding> {
    let mut cx = Ctx::default();
    let empty = Value::Object(serde_json::Map::new());
    let spec = cx.object(doc, "", "spec").unwrap_or(&empty);
    let path = "spec";
    for field in ["attestors", "validations"] {
        if !present(spec, field) {
            cx.push(child(path, field), "Required value");
        }
    }
    let resource_rules = match cx.object(spec, path, "matchConstraints") {
        Some(mc) => cx
            .array(mc, &child(path, "matchConstraints"), "resourceRules")
            .len(),
        None => 0,
    };
    if resource_rules == 0 {
        cx.push(
            child(path, "matchConstraints"),
            "Required value: a matchConstraints with at least one resource rule is required",
        );
    }
    for (i, m) in cx
        .array(spec, path, "matchImageReferences")
        .iter()
        .enumerate()
    {
        let p = index(&child(path, "matchImageReferences"), i);
        let glob = cx.string(m, &p, "glob");
        let expression = cx.string(m, &p, "expression");
        if !glob.is_empty() {
            if let Err(e) = crate::k8s::glob::kyverno::GobwasGlob::compile(glob) {
                cx.push(child(&p, "glob"), invalid_value(glob, e.as_str()));
            }
        } else if expression.is_empty() {
            cx.push(&p, "either glob or expression must be set");
        }
    }
    for (i, validation) in cx.array(spec, path, "validations").iter().enumerate() {
        let p = index(&child(path, "validations"), i);
        if cx.string(validation, &p, "expression").is_empty() {
            cx.push(child(&p, "expression"), "Required value");
        }
    }
    for (i, a) in cx.array(spec, path, "attestors").iter().enumerate() {
        let p = index(&child(path, "attestors"), i);
        if cx.string(a, &p, "name").is_empty() {
            cx.push(child(&p, "name"), "Required value");
        }
        let cosign = cx.object(a, &p, "cosign");
        let notary = cx.object(a, &p, "notary");
        match (cosign, notary) {
            (None, None) => cx.push(&p, neither(&["cosign", "notary"])),
            (Some(_), Some(_)) => cx.push(&p, both(&["cosign", "notary"])),
            _ => {}
        }
        if let Some(cosign) = cosign {
            let cp = child(&p, "cosign");
            if let Some(key) = cx.object(cosign, &cp, "key") {
                let kp = child(&cp, "key");
                let data = cx.string(key, &kp, "data");
                let kms = cx.string(key, &kp, "kms");
                let expression = cx.string(key, &kp, "expression");
                let set = [data, kms, expression]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .count();
                match set {
                    0 => cx.push(&kp, neither(&["data", "expression", "kms"])),
                    1 => {}
                    _ => cx.push(&kp, both(&["data", "expression", "kms"])),
                }
                if !data.is_empty()
                    && let Err(e) = crate::signature::keys::parse_pem_public_key(data.as_bytes())
                {
                    cx.push(child(&kp, "data"), invalid_value(data, &e.to_string()));
                }
            }
        }
    }
    cx.findings
}

#[cfg(test)]
mod tests;
