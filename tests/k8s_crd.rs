//! Offline structural validation of Kubernetes manifests against the real CRD OpenAPI schemas
//! (spec §19.8 point 1), in `testdata/k8s/crds/`: each served version's
//! `schema.openAPIV3Schema` converted to JSON Schema the way the API server with
//! `kubectl --validate=strict` reads it (unknown fields are errors, `metadata` is not
//! described by CRDs), then checked with `boon`.
//!
//! The webhooks' semantic rules are `policyctl::k8s::webhook`; the upstream `invalid/`
//! examples pass here and are refused only there.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Map, Value, json};

use crate::util::repo;

/// The CRD files and the kinds they define.
const CRD_FILES: &[&str] = &[
    "testdata/k8s/crds/policy-controller/300-clusterimagepolicy.yaml",
    "testdata/k8s/crds/kyverno/kyverno.io_clusterpolicies.yaml",
    "testdata/k8s/crds/kyverno/policies.kyverno.io_imagevalidatingpolicies.yaml",
    "testdata/k8s/crds/openshift/0000_10_config-operator_01_clusterimagepolicies.crd.yaml",
];

/// Kinds the exporter emits that need no CRD (core `v1`).
const CORE_KINDS: &[&str] = &["ConfigMap", "Secret"];

struct Compiled {
    schemas: boon::Schemas,
    /// (group, version, kind) → schema.
    index: HashMap<(String, String, String), boon::SchemaIndex>,
}

fn compiled() -> &'static Result<Compiled, String> {
    static COMPILED: OnceLock<Result<Compiled, String>> = OnceLock::new();
    COMPILED.get_or_init(compile_all)
}

fn compile_all() -> Result<Compiled, String> {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let mut pending = Vec::new();
    for file in CRD_FILES {
        let text = std::fs::read_to_string(repo(file)).map_err(|e| format!("{file}: {e}"))?;
        let crd: Value = serde_norway::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
        let group = crd["spec"]["group"]
            .as_str()
            .ok_or(format!("{file}: no group"))?;
        let kind = crd["spec"]["names"]["kind"]
            .as_str()
            .ok_or(format!("{file}: no kind"))?;
        let versions = crd["spec"]["versions"]
            .as_array()
            .ok_or(format!("{file}: no versions"))?;
        for v in versions {
            let name = v["name"].as_str().ok_or(format!("{file}: version name"))?;
            let schema = &v["schema"]["openAPIV3Schema"];
            if !schema.is_object() {
                return Err(format!("{file}: {name}: no openAPIV3Schema"));
            }
            let url = format!("file:///crds/{group}/{name}/{kind}.json");
            compiler
                .add_resource(&url, root_schema(schema))
                .map_err(|e| format!("{url}: {e}"))?;
            pending.push((url, group.to_owned(), name.to_owned(), kind.to_owned()));
        }
    }
    let mut index = HashMap::new();
    for (url, group, version, kind) in pending {
        let id = compiler
            .compile(&url, &mut schemas)
            .map_err(|e| format!("{url}: {e:#}"))?;
        index.insert((group, version, kind), id);
    }
    Ok(Compiled { schemas, index })
}

/// The root of a CRD version's schema: [`to_json_schema`], with `apiVersion`, `kind` (strings)
/// and `metadata` (unconstrained object) always allowed, as the API server does even when the
/// CRD describes only `spec`/`status` (policy-controller's).
fn root_schema(schema: &Value) -> Value {
    let mut root = schema.clone();
    if let Some(obj) = root.as_object_mut() {
        let props = obj
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(props) = props.as_object_mut() {
            props.insert("apiVersion".into(), json!({"type": "string"}));
            props.insert("kind".into(), json!({"type": "string"}));
            props.insert("metadata".into(), json!({"type": "object"}));
        }
    }
    to_json_schema(&root, &[])
}

/// An OpenAPI v3 (Kubernetes structural) schema as JSON Schema: `x-kubernetes-*` dropped,
/// `nullable: true` allows null, `x-kubernetes-int-or-string` is integer|string,
/// `x-kubernetes-preserve-unknown-fields` keeps unknown fields, every other object schema with
/// `properties` and no `additionalProperties` refuses unknown fields; `format` is dropped
/// (Kubernetes formats such as `int-or-string` or `byte` are not JSON Schema's). `path` is
/// the property path, to leave the top-level `metadata` unconstrained.
fn to_json_schema(s: &Value, path: &[&str]) -> Value {
    let Some(obj) = s.as_object() else {
        return s.clone();
    };
    if path == ["metadata"] {
        return json!({"type": "object"});
    }
    let mut out = Map::new();
    for (k, v) in obj {
        match k.as_str() {
            k if k.starts_with("x-kubernetes-") => {}
            "nullable" | "format" => {}
            "properties" => {
                let props = v
                    .as_object()
                    .map(|props| {
                        props
                            .iter()
                            .map(|(name, sub)| {
                                let mut p = path.to_vec();
                                p.push(name);
                                (name.clone(), to_json_schema(sub, &p))
                            })
                            .collect::<Map<_, _>>()
                    })
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Object(props));
            }
            "items" | "additionalProperties" | "not" => {
                let mut p = path.to_vec();
                p.push("*");
                out.insert(k.clone(), to_json_schema(v, &p));
            }
            "allOf" | "anyOf" | "oneOf" => {
                let list = v
                    .as_array()
                    .map(|l| l.iter().map(|x| to_json_schema(x, &["*"])).collect())
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Array(list));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    if obj.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
        out.insert("type".into(), json!(["integer", "string"]));
        // The CRD's own `anyOf: [{type: integer}, {type: string}]` says the same.
        out.remove("anyOf");
    }
    let preserve = obj.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    if out.contains_key("properties") && !out.contains_key("additionalProperties") && !preserve {
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    if obj.get("nullable") == Some(&Value::Bool(true)) {
        if let Some(t) = out.get("type").cloned() {
            let mut types = match t {
                Value::Array(a) => a,
                other => vec![other],
            };
            types.push(json!("null"));
            out.insert("type".into(), Value::Array(types));
        }
        if let Some(Value::Array(e)) = out.get_mut("enum") {
            e.push(Value::Null);
        }
    }
    Value::Object(out)
}

fn group_version_kind(doc: &Value) -> (&str, &str, &str) {
    let api_version = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    (group, version, kind)
}

/// Whether `doc` is a kind [`structural_errors`] can check (a copied CRD version, or a core
/// `v1` ConfigMap/Secret).
pub fn known_kind(doc: &Value) -> bool {
    let (group, version, kind) = group_version_kind(doc);
    if group.is_empty() && version == "v1" && CORE_KINDS.contains(&kind) {
        return true;
    }
    compiled().as_ref().is_ok_and(|c| {
        c.index
            .contains_key(&(group.to_owned(), version.to_owned(), kind.to_owned()))
    })
}

/// Validates `doc` against its CRD version's schema; `Err` with boon's error text when it does
/// not validate, when the kind is unknown, or when the CRDs cannot be compiled. Core `v1`
/// `ConfigMap`/`Secret` documents are accepted without a schema.
pub fn structural_errors(doc: &Value) -> Result<(), String> {
    let (group, version, kind) = group_version_kind(doc);
    if group.is_empty() && version == "v1" && CORE_KINDS.contains(&kind) {
        return Ok(());
    }
    let c = compiled().as_ref().map_err(Clone::clone)?;
    let key = (group.to_owned(), version.to_owned(), kind.to_owned());
    let Some(&id) = c.index.get(&key) else {
        return Err(format!("no CRD schema for {group}/{version} {kind}"));
    };
    c.schemas.validate(doc, id).map_err(|e| format!("{e:#}"))
}

// ---- tests ---------------------------------------------------------------------------------

fn documents(text: &str) -> Vec<Value> {
    use serde::Deserialize;
    serde_norway::Deserializer::from_str(text)
        .map(|de| Value::deserialize(de).unwrap())
        .filter(|v| !v.is_null())
        .collect()
}

fn example_files(sub: &str) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = walkdir::WalkDir::new(repo("testdata/k8s/examples").join(sub))
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
}

#[test]
fn the_crds_compile_for_every_version() {
    let c = compiled().as_ref().unwrap();
    let mut keys: Vec<String> = c
        .index
        .keys()
        .map(|(g, v, k)| format!("{g}/{v} {k}"))
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "config.openshift.io/v1 ClusterImagePolicy",
            "kyverno.io/v1 ClusterPolicy",
            "kyverno.io/v2beta1 ClusterPolicy",
            "policies.kyverno.io/v1 ImageValidatingPolicy",
            "policies.kyverno.io/v1alpha1 ImageValidatingPolicy",
            "policies.kyverno.io/v1beta1 ImageValidatingPolicy",
            "policy.sigstore.dev/v1alpha1 ClusterImagePolicy",
            "policy.sigstore.dev/v1beta1 ClusterImagePolicy",
        ]
    );
}

#[test]
fn every_copied_upstream_example_validates() {
    let files = example_files("");
    assert_eq!(files.len(), 27);
    let mut checked = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for doc in documents(&text) {
            // `cpol-skip-image-reference.yaml` also holds a Namespace (no schema here).
            if !known_kind(&doc) {
                assert_eq!(doc["kind"], "Namespace", "{}", file.display());
                continue;
            }
            if let Err(e) = structural_errors(&doc) {
                panic!("{}: {e}", file.display());
            }
            checked += 1;
        }
    }
    // 27 policies + one ConfigMap.
    assert_eq!(checked, 28);
}

#[test]
fn the_invalid_examples_are_structurally_valid_and_refused_only_by_the_webhook() {
    let files = example_files("policy-controller/invalid");
    assert_eq!(files.len(), 8);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let docs = documents(&text);
        assert_eq!(docs.len(), 1);
        structural_errors(&docs[0]).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let findings = policyctl::k8s::webhook::validate(&docs[0]).unwrap();
        assert!(!findings.is_empty(), "{}", file.display());
    }
}

#[test]
fn typos_inside_a_cip_authority_are_refused() {
    let doc = json!({
        "apiVersion": "policy.sigstore.dev/v1beta1",
        "kind": "ClusterImagePolicy",
        "metadata": {"name": "typo", "labels": {"anything": "goes"}},
        "spec": {
            "images": [{"glob": "ghcr.io/armorred/**"}],
            "authorities": [{"keys": {"data": "x"}, "mode": "enforce"}]
        }
    });
    let err = structural_errors(&doc).unwrap_err();
    assert!(err.contains("/spec/authorities/0"), "{err}");
    assert!(err.contains("'keys'") && err.contains("'mode'"), "{err}");
    // The same CIP spelled right validates.
    let mut good = doc.clone();
    good["spec"]["authorities"] = json!([{"key": {"data": "x"}}]);
    good["spec"]["mode"] = json!("enforce");
    structural_errors(&good).unwrap();
    // v1alpha1 has the same fields.
    good["apiVersion"] = json!("policy.sigstore.dev/v1alpha1");
    structural_errors(&good).unwrap();
}

#[test]
fn unknown_field_inside_verify_images_is_refused() {
    let doc = json!({
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {"name": "p"},
        "spec": {"rules": [{
            "name": "r",
            "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
            "verifyImages": [{
                "imageReferences": ["ghcr.io/armorred/*"],
                "failureAction": "Enforce",
                "mutateDigests": false,
                "attestors": [{"entries": [{"keys": {"publicKeys": "k", "rekor": {"ignoreTlog": true}}}]}]
            }]
        }]}
    });
    let err = structural_errors(&doc).unwrap_err();
    assert!(err.contains("/spec/rules/0/verifyImages/0"), "{err}");
    assert!(err.contains("'mutateDigests'"), "{err}");
    // kyverno.io/v2beta1 has no deprecated top-level `key`.
    let mut v2 = doc.clone();
    v2["apiVersion"] = json!("kyverno.io/v2beta1");
    v2["spec"]["rules"][0]["verifyImages"][0] =
        json!({"imageReferences": ["x"], "key": "k", "failureAction": "Enforce"});
    let err = structural_errors(&v2).unwrap_err();
    assert!(err.contains("'key'"), "{err}");
    v2["apiVersion"] = json!("kyverno.io/v1");
    structural_errors(&v2).unwrap();
}

#[test]
fn enums_and_types_are_checked() {
    let doc = json!({
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {"name": "p"},
        "spec": {"validationFailureAction": "Block", "rules": []}
    });
    let err = structural_errors(&doc).unwrap_err();
    assert!(err.contains("validationFailureAction"), "{err}");
    let ivpol = json!({
        "apiVersion": "policies.kyverno.io/v1",
        "kind": "ImageValidatingPolicy",
        "metadata": {"name": "p"},
        "spec": {"validations": [{"expression": "true"}]}
    });
    let err = structural_errors(&ivpol).unwrap_err();
    assert!(err.contains("attestors"), "{err}");
}

#[test]
fn core_kinds_pass_and_unknown_kinds_fail() {
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "config-policy-controller"},
                    "data": {"no-match-policy": "deny"}});
    assert!(known_kind(&cm));
    structural_errors(&cm).unwrap();
    assert!(known_kind(&json!({"apiVersion": "v1", "kind": "Secret"})));
    let other = json!({"apiVersion": "config.openshift.io/v1", "kind": "ImagePolicy"});
    assert!(!known_kind(&other));
    assert!(
        structural_errors(&other)
            .unwrap_err()
            .contains("no CRD schema")
    );
}
