//! Reading and writing the YAML of Kubernetes manifests: multi-document streams, bounded
//! (size, documents, nesting, alias expansion), each document as a JSON value, and errors
//! that name the document and the line.

use serde::Deserialize;

/// Largest manifest file read.
pub const MAX_YAML_SIZE: usize = 4 * 1024 * 1024;
/// Most documents in one file.
pub const MAX_DOCUMENTS: usize = 1000;
/// Deepest nesting of a document (CRD objects are far shallower).
pub const MAX_DEPTH: usize = 64;

crate::message_error!(
    /// Why a YAML stream could not be read (with the document number and line).
    YamlError
);

/// The documents of a YAML stream, as JSON values (empty documents are skipped).
pub fn parse_documents(text: &str) -> Result<Vec<serde_json::Value>, YamlError> {
    if text.len() > MAX_YAML_SIZE {
        return Err(format!("larger than {MAX_YAML_SIZE} bytes").into());
    }
    let mut out = Vec::new();
    for (i, de) in serde_norway::Deserializer::from_str(text).enumerate() {
        if i >= MAX_DOCUMENTS {
            return Err(format!("more than {MAX_DOCUMENTS} documents").into());
        }
        let v = serde_json::Value::deserialize(de)
            .map_err(|e| YamlError(format!("document {}: {e}", i + 1)))?;
        if depth(&v) > MAX_DEPTH {
            return Err(format!("document {}: nested deeper than {MAX_DEPTH}", i + 1).into());
        }
        if !v.is_null() {
            out.push(v);
        }
    }
    Ok(out)
}

fn depth(v: &serde_json::Value) -> usize {
    // Iterative: the parser already bounds recursion, this bounds what we accept.
    let mut max = 0;
    let mut stack = vec![(v, 1usize)];
    while let Some((v, d)) = stack.pop() {
        max = max.max(d);
        match v {
            serde_json::Value::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
            serde_json::Value::Object(o) => stack.extend(o.values().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    max
}

/// A YAML stream of `docs`, each starting with `---`.
pub fn to_yaml<T: serde::Serialize>(docs: &[T]) -> Result<String, YamlError> {
    let mut out = String::new();
    for d in docs {
        out.push_str("---\n");
        out.push_str(
            &serde_norway::to_string(d).map_err(|e| YamlError(format!("writing YAML: {e}")))?,
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_documents_and_limits() {
        let docs = parse_documents("a: 1\n---\n---\nb: [x]\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1]["b"][0], "x");
        let e = parse_documents("a: 1\n---\nb: [\n").unwrap_err();
        assert!(e.0.starts_with("document 2:"), "{e}");
        let deep = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        assert!(parse_documents(&deep).is_err());
        // Alias expansion is bounded (billion laughs).
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(parse_documents(&bomb).is_err());
    }

    #[test]
    fn pem_is_a_literal_block() {
        let v = serde_json::json!({"data": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"});
        let y = to_yaml(std::slice::from_ref(&v)).unwrap();
        assert!(y.contains("data: |"), "{y}");
        assert_eq!(parse_documents(&y).unwrap(), vec![v]);
    }
}
