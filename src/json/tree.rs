//! An order-preserving JSON tree for editing configuration files (`policy.json`): parsed from
//! validated input, printed the way podman writes policy.json (`json.MarshalIndent`, four
//! spaces), so edits keep every existing entry and its order.

use super::{Cursor, Kind, scan};

/// A JSON value with object members in document order. Numbers keep their text.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

/// Deepest nesting accepted (the scanner already caps at Go's 10000; editing needs far less).
const MAX_DEPTH: usize = 256;

impl Node {
    /// Parses `src` (must be one valid JSON value).
    pub fn parse(src: &[u8]) -> Result<Node, TreeError> {
        scan::validate(src).map_err(|e| e.message)?;
        let mut cur = Cursor::new(src);
        Ok(read(&mut cur, 0)?)
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The member `key` of an object, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match self {
            Node::Object(m) => m.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Sets `key` (replacing in place, or appending), returning the previous value.
    pub fn set(&mut self, key: &str, value: Node) -> Option<Node> {
        let Node::Object(m) = self else { return None };
        match m.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => Some(std::mem::replace(v, value)),
            None => {
                m.push((key.to_owned(), value));
                None
            }
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Node> {
        let Node::Object(m) = self else { return None };
        let i = m.iter().position(|(k, _)| k == key)?;
        Some(m.remove(i).1)
    }

    /// The member `key`, created as an empty object when missing.
    pub fn object_entry(&mut self, key: &str) -> Option<&mut Node> {
        if self.get(key).is_none() {
            self.set(key, Node::Object(Vec::new()));
        }
        self.get_mut(key)
    }

    /// Converts from a `serde_json` value (object members in its order).
    pub fn from_value(v: &serde_json::Value) -> Node {
        match v {
            serde_json::Value::Null => Node::Null,
            serde_json::Value::Bool(b) => Node::Bool(*b),
            serde_json::Value::Number(n) => Node::Number(n.to_string()),
            serde_json::Value::String(s) => Node::String(s.clone()),
            serde_json::Value::Array(a) => Node::Array(a.iter().map(Node::from_value).collect()),
            serde_json::Value::Object(o) => Node::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), Node::from_value(v)))
                    .collect(),
            ),
        }
    }

    /// Pretty text with four-space indentation and a final newline.
    pub fn to_pretty(&self) -> String {
        let mut s = String::new();
        write(self, 0, &mut s);
        s.push('\n');
        s
    }
}

fn read(cur: &mut Cursor<'_>, depth: usize) -> Result<Node, String> {
    if depth > MAX_DEPTH {
        return Err(format!("JSON nested deeper than {MAX_DEPTH} levels"));
    }
    Ok(match cur.peek_kind() {
        Kind::Null => {
            cur.skip_value();
            Node::Null
        }
        Kind::Bool => Node::Bool(cur.read_bool().0),
        Kind::Number => Node::Number(cur.read_number().0.to_owned()),
        Kind::String => Node::String(cur.read_string().0),
        Kind::Array => {
            cur.enter();
            let mut v = Vec::new();
            while cur.next_element() {
                v.push(read(cur, depth + 1)?);
            }
            Node::Array(v)
        }
        Kind::Object => {
            cur.enter();
            let mut m: Vec<(String, Node)> = Vec::new();
            while let Some((k, _)) = cur.next_key() {
                let v = read(cur, depth + 1)?;
                // Duplicate keys: keep the last value in the first position (Go's behaviour).
                match m.iter_mut().find(|(x, _)| *x == k) {
                    Some((_, old)) => *old = v,
                    None => m.push((k, v)),
                }
            }
            Node::Object(m)
        }
    })
}

fn indent(n: usize, out: &mut String) {
    for _ in 0..n {
        out.push_str("    ");
    }
}

fn write(n: &Node, depth: usize, out: &mut String) {
    match n {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Number(t) => out.push_str(t),
        Node::String(s) => out.push_str(&serde_json::Value::from(s.as_str()).to_string()),
        Node::Array(a) if a.is_empty() => out.push_str("[]"),
        Node::Object(o) if o.is_empty() => out.push_str("{}"),
        Node::Array(a) => {
            out.push_str("[\n");
            for (i, v) in a.iter().enumerate() {
                indent(depth + 1, out);
                write(v, depth + 1, out);
                out.push_str(if i + 1 < a.len() { ",\n" } else { "\n" });
            }
            indent(depth, out);
            out.push(']');
        }
        Node::Object(o) => {
            out.push_str("{\n");
            for (i, (k, v)) in o.iter().enumerate() {
                indent(depth + 1, out);
                out.push_str(&serde_json::Value::from(k.as_str()).to_string());
                out.push_str(": ");
                write(v, depth + 1, out);
                out.push_str(if i + 1 < o.len() { ",\n" } else { "\n" });
            }
            indent(depth, out);
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_order() {
        let src = br#"{"z": 1, "a": [true, null, "x\u00e9"], "m": {"b": 1.50, "a": {}}}"#;
        let n = Node::parse(src).unwrap();
        assert_eq!(
            n.to_pretty(),
            "{\n    \"z\": 1,\n    \"a\": [\n        true,\n        null,\n        \"xé\"\n    ],\n    \"m\": {\n        \"b\": 1.50,\n        \"a\": {}\n    }\n}\n"
        );
        assert_eq!(Node::parse(n.to_pretty().as_bytes()).unwrap(), n);
    }

    #[test]
    fn edits() {
        let mut n = Node::parse(br#"{"a": 1, "b": 2}"#).unwrap();
        assert_eq!(
            n.set("a", Node::Number("3".into())),
            Some(Node::Number("1".into()))
        );
        n.set("c", Node::Null);
        n.remove("b");
        n.object_entry("d").unwrap().set("x", Node::Bool(true));
        assert_eq!(
            n.to_pretty(),
            "{\n    \"a\": 3,\n    \"c\": null,\n    \"d\": {\n        \"x\": true\n    }\n}\n"
        );
        assert!(Node::parse(b"{").is_err());
    }
}

crate::message_error! {
    /// A document the editing tree cannot hold (not JSON, or nested too deep).
    TreeError
}
