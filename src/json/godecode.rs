//! Go `encoding/json` `Unmarshal` into structs, exactly as c/image and c/storage decode
//! manifests, manifest lists, OCI indexes and `images.json`.
//!
//! Why not serde: Go matches object keys to struct fields case-insensitively with its own
//! folding (`ſ` is `s`, the Kelvin sign is `k`), lets the LAST duplicate key win — and a repeated
//! key decodes *into* the value the previous one left (nested structs and map entries merge,
//! slice elements are reused, even elements beyond the current length that an earlier, longer
//! array left behind) — ignores `null` for strings and numbers but clears slices, maps and
//! pointers, allocates a pointer before finding out the value has the wrong type, and keeps
//! decoding after a type error to report the first one. An attacker who knows a difference
//! between two decoders chooses which image is evaluated, so every manifest-shaped read goes
//! through this module.
//!
//! The input is validated first with [`super::scan::validate`] (Go's syntax pass), then walked
//! with a [`Cursor`]; nothing here recurses deeper than the Rust types being decoded, except
//! [`GoValue`] (Go's `any`), which caps nesting at [`MAX_ANY_DEPTH`].

use std::collections::BTreeMap;

use super::read::Cursor;
use super::{Kind, gobase64, scan};

/// Go's `foldName`-equality of an object key with an ASCII struct field name: ASCII letters
/// compare case-insensitively, `ſ` (U+017F) equals `s` and `K` (U+212A, Kelvin) equals `k`;
/// no other non-ASCII rune folds to ASCII.
pub fn go_fold_eq(key: &str, field: &str) -> bool {
    let mut k = key.chars().map(|c| match c {
        '\u{17F}' => 's',
        '\u{212A}' => 'k',
        c => c.to_ascii_lowercase(),
    });
    let mut f = field.chars().map(|c| c.to_ascii_lowercase());
    loop {
        match (k.next(), f.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

/// Why `json.Unmarshal` failed: Go's message (a syntax error, or the first type error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UnmarshalError(pub String);

/// Decoding state: the cursor, the first saved error (Go's `d.saveError`) and where we are
/// (for Go's `Struct.field.path` in type errors).
pub struct Decoder<'a> {
    cur: Cursor<'a>,
    first_error: Option<String>,
    structs: Vec<&'static str>,
    path: Vec<&'static str>,
}

/// A Go type `json.Unmarshal` can decode into, with Go's in-place semantics: `decode` is
/// called on the value a previous duplicate key (or the caller's initialisation) left.
pub trait GoDecode {
    /// The Go type's name in error messages (`string`, `int64`, `[]v1.Descriptor`, …).
    fn go_type() -> String;
    /// Decodes the next value into `self`, consuming it.
    fn go_decode(&mut self, d: &mut Decoder<'_>);
}

/// `json.Unmarshal(src, &target)` where `target` starts as `T::default()`.
pub fn unmarshal<T: GoDecode + Default>(src: &[u8]) -> Result<T, UnmarshalError> {
    let mut t = T::default();
    unmarshal_into(src, &mut t)?;
    Ok(t)
}

/// `json.Unmarshal(src, target)` into an already initialised value.
pub fn unmarshal_into<T: GoDecode>(src: &[u8], target: &mut T) -> Result<(), UnmarshalError> {
    scan::validate(src).map_err(|e| UnmarshalError(e.message))?;
    let mut d = Decoder {
        cur: Cursor::new(src),
        first_error: None,
        structs: Vec::new(),
        path: Vec::new(),
    };
    target.go_decode(&mut d);
    match d.first_error {
        Some(e) => Err(UnmarshalError(e)),
        None => Ok(()),
    }
}

impl<'a> Decoder<'a> {
    /// The kind of the next value.
    pub fn peek(&mut self) -> Kind {
        self.cur.peek_kind()
    }

    /// Skips the next value.
    pub fn skip(&mut self) {
        self.cur.skip_value();
    }

    /// The raw bytes of the next value (Go's `json.RawMessage`), consumed.
    pub fn raw(&mut self) -> &'a [u8] {
        let span = self.cur.skip_value();
        self.cur.source().get(span).unwrap_or(&[])
    }

    /// Records a type error (only the first one is kept, as Go does) for a value of JSON
    /// kind `value` (Go's `UnmarshalTypeError.Value`, e.g. `string` or `number 2.5`).
    pub fn type_error(&mut self, value: &str, go_type: &str) {
        if self.first_error.is_some() {
            return;
        }
        let msg = match (self.structs.last(), self.path.is_empty()) {
            (Some(s), false) => format!(
                "json: cannot unmarshal {value} into Go struct field {s}.{} of type {go_type}",
                self.path.join(".")
            ),
            _ => format!("json: cannot unmarshal {value} into Go value of type {go_type}"),
        };
        self.first_error = Some(msg);
    }

    /// Records a non-type error (e.g. base64) if none was recorded yet.
    pub fn other_error(&mut self, msg: String) {
        self.first_error.get_or_insert(msg);
    }

    /// A kind mismatch for `T`: records it and skips the value.
    fn mismatch(&mut self, go_type: &str) {
        let k = self.peek();
        self.type_error(k.go_name(), go_type);
        self.skip();
    }

    /// Decodes an object into a struct named `go_name`: `field(d, key)` decodes the member
    /// if `key` names a field (returning true) and returns false otherwise (skipped, as Go
    /// ignores unknown keys). `null` leaves the struct as it is.
    pub fn decode_struct(
        &mut self,
        go_name: &'static str,
        mut field: impl FnMut(&mut Self, &str) -> bool,
    ) {
        match self.peek() {
            Kind::Object => {
                self.cur.enter();
                self.structs.push(go_name);
                while let Some((key, _)) = self.cur.next_key() {
                    if !field(self, &key) {
                        self.skip();
                    }
                }
                self.structs.pop();
            }
            Kind::Null => self.skip(),
            _ => self.mismatch(go_name),
        }
    }

    /// Decodes a struct member named `json_name` into `value`.
    pub fn field<T: GoDecode>(&mut self, json_name: &'static str, value: &mut T) {
        self.path.push(json_name);
        value.go_decode(self);
        self.path.pop();
    }
}

/// Declares a Rust struct decoded like a Go struct: each field names its JSON key (matched
/// with Go's folding). Embedded Go structs are written out flat.
#[macro_export]
macro_rules! go_struct {
    ($(#[$m:meta])* $vis:vis struct $name:ident as $go:literal {
        $($(#[$fm:meta])* $fvis:vis $field:ident : $ty:ty = $json:literal),* $(,)?
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        $vis struct $name { $($(#[$fm])* $fvis $field: $ty),* }

        impl $crate::json::godecode::GoDecode for $name {
            fn go_type() -> String { $go.to_owned() }
            fn go_decode(&mut self, d: &mut $crate::json::godecode::Decoder<'_>) {
                d.decode_struct($go, |d, key| {
                    $(
                        if $crate::json::godecode::go_fold_eq(key, $json) {
                            d.field($json, &mut self.$field);
                            return true;
                        }
                    )*
                    false
                });
            }
        }
    };
}

impl GoDecode for String {
    fn go_type() -> String {
        "string".into()
    }
    fn go_decode(&mut self, d: &mut Decoder<'_>) {
        match d.peek() {
            Kind::String => *self = d.cur.read_string().0,
            Kind::Null => d.skip(),
            _ => d.mismatch("string"),
        }
    }
}

impl GoDecode for bool {
    fn go_type() -> String {
        "bool".into()
    }
    fn go_decode(&mut self, d: &mut Decoder<'_>) {
        match d.peek() {
            Kind::Bool => *self = d.cur.read_bool().0,
            Kind::Null => d.skip(),
            _ => d.mismatch("bool"),
        }
    }
}

/// Go's `strconv.ParseInt(text, 10, 64)` on a JSON number literal (no fraction, no exponent).
fn parse_go_int(text: &str) -> Option<i64> {
    if text.contains(['.', 'e', 'E']) {
        return None;
    }
    text.parse().ok()
}

impl GoDecode for i64 {
    fn go_type() -> String {
        "int64".into()
    }
    fn go_decode(&mut self, d: &mut Decoder<'_>) {
        match d.peek() {
            Kind::Number => {
                let (text, _) = d.cur.read_number();
                match parse_go_int(text) {
                    Some(n) => *self = n,
                    None => d.type_error(&format!("number {text}"), "int64"),
                }
            }
            Kind::Null => d.skip(),
            _ => d.mismatch("int64"),
        }
    }
}

/// Go's `int` (64-bit), a distinct type name in messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GoInt(pub i64);

impl GoDecode for GoInt {
    fn go_type() -> String {
        "int".into()
    }
    fn go_decode(&mut self, d: &mut Decoder<'_>) {
        match d.peek() {
            Kind::Number => {
                let (text, _) = d.cur.read_number();
                match parse_go_int(text) {
                    Some(n) => self.0 = n,
                    None => d.type_error(&format!("number {text}"), "int"),
                }
            }
            Kind::Null => d.skip(),
            _ => d.mismatch("int"),
        }
    }
}

impl GoDecode for u8 {
    fn go_type() -> String {
        "uint8".into()
    }
    fn go_decode(&mut self, d: &mut Decoder<'_>) {
        match d.peek() {
            Kind::Number => {
                let (text, _) = d.cur.read_number();
                match (!text.contains(['.', 'e', 'E']))
                    .then(|| text.parse::<u64>().ok())
                    .flatten()
                    .and_then(|n| u8::try_from(n).ok())
                {
                    Some(n) => *self = n,
                    None => d.type_error(&format!("number {text}"), "uint8"),
                }
            }
            Kind::Null => d.skip(),
            _ => d.mismatch("uint8"),
        }
    }
}

/// A Go slice `[]T`: `len` live elements in `storage`; elements past `len` are what a longer
/// array decoded earlier into the same slice left behind, and Go's decoder reuses (decodes
/// into) them when a later duplicate key brings a longer array again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoSlice<T> {
    storage: Vec<T>,
    len: usize,
    /// `nil` (never set, or set by `null`) as opposed to empty.
    nil: bool,
}

impl<T> Default for GoSlice<T> {
    fn default() -> Self {
        GoSlice {
            storage: Vec::new(),
            len: 0,
            nil: true,
        }
    }
}

impl<T> GoSlice<T> {
    /// A non-nil empty slice (Go's `[]T{}`).
    pub fn empty() -> Self {
        GoSlice {
            storage: Vec::new(),
            len: 0,
            nil: false,
        }
    }

    /// The live elements.
    pub fn as_slice(&self) -> &[T] {
        self.storage.get(..self.len).unwrap_or(&[])
    }

    /// `len(s)`.
    pub fn len(&self) -> usize {
        self.len
    }

    /// `len(s) == 0`.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// `s == nil`.
    pub fn is_nil(&self) -> bool {
        self.nil
    }
}

impl<T: GoDecode + Default> GoDecode for GoSlice<T> {
    fn go_type() -> String {
        format!("[]{}", T::go_type())
    }
    fn go_decode(&mut self, d: &mut Decoder<'_>) {
        match d.peek() {
            Kind::Array => {}
            Kind::Null => {
                d.skip();
                *self = GoSlice::default();
                return;
            }
            _ => return d.mismatch(&Self::go_type()),
        }
        d.cur.enter();
        let mut i = 0;
        while d.cur.next_element() {
            if i >= self.storage.len() {
                self.storage.push(T::default());
            }
            if let Some(e) = self.storage.get_mut(i) {
                e.go_decode(d);
            }
            i += 1;
        }
        self.len = i;
        self.nil = false;
        if i == 0 {
            // `reflect.MakeSlice(t, 0, 0)`: the old backing array is gone.
            self.storage.clear();
        }
    }
}

/// Go's `[]byte`: a base64 string (replacing the slice), an array of numbers (decoded as a
/// slice of `uint8`, with slice reuse), or `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoBytes(pub GoSlice<u8>);

impl GoDecode for GoBytes {
    fn go_type() -> String {
        "[]uint8".into()
    }
    fn go_decode(&mut self, d: &mut Decoder<'_>) {
        if d.peek() != Kind::String {
            return self.0.go_decode(d);
        }
        let (s, _) = d.cur.read_string();
        match gobase64::decode(s.as_bytes()) {
            Ok(b) => {
                self.0 = GoSlice {
                    len: b.len(),
                    storage: b,
                    nil: false,
                }
            }
            Err(e) => d.other_error(e.to_string()),
        }
    }
}

/// Go's `map[string]V`: entries merge into an existing map; each member's value is decoded
/// into a fresh zero `V` (so `null` stores the zero value); `null` makes the map nil.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoMap<V> {
    pub entries: BTreeMap<String, V>,
    pub nil: bool,
}

impl<V> Default for GoMap<V> {
    fn default() -> Self {
        GoMap {
            entries: BTreeMap::new(),
            nil: true,
        }
    }
}

impl<V> GoMap<V> {
    /// `m[key]`, when present.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.entries.get(key)
    }
}

impl<V: GoDecode + Default> GoDecode for GoMap<V> {
    fn go_type() -> String {
        format!("map[string]{}", V::go_type())
    }
    fn go_decode(&mut self, d: &mut Decoder<'_>) {
        match d.peek() {
            Kind::Object => {}
            Kind::Null => {
                d.skip();
                *self = GoMap::default();
                return;
            }
            _ => return d.mismatch(&Self::go_type()),
        }
        self.nil = false;
        d.cur.enter();
        while let Some((key, _)) = d.cur.next_key() {
            let mut v = V::default();
            v.go_decode(d);
            self.entries.insert(key, v);
        }
    }
}

/// A Go pointer `*T`: `null` sets nil; anything else allocates (if nil) and decodes into it —
/// even a value of the wrong type, which Go reports after allocating.
impl<T: GoDecode + Default> GoDecode for Option<Box<T>> {
    fn go_type() -> String {
        format!("*{}", T::go_type())
    }
    fn go_decode(&mut self, d: &mut Decoder<'_>) {
        if d.peek() == Kind::Null {
            d.skip();
            *self = None;
            return;
        }
        self.get_or_insert_with(Box::default).go_decode(d);
    }
}

/// Whether a Go `any` field holds something: `null` stores nil, any other value non-nil
/// (its content is not kept; use [`GoValue`] when it matters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GoAnyPresence(pub bool);

impl GoDecode for GoAnyPresence {
    fn go_type() -> String {
        "interface {}".into()
    }
    fn go_decode(&mut self, d: &mut Decoder<'_>) {
        self.0 = d.peek() != Kind::Null;
        d.skip();
    }
}

/// Go's `json.RawMessage`: the raw bytes of the value (also for `null`, since RawMessage's
/// `UnmarshalJSON` is called with `null` too).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawMessage(pub Option<Vec<u8>>);

impl GoDecode for RawMessage {
    fn go_type() -> String {
        "json.RawMessage".into()
    }
    fn go_decode(&mut self, d: &mut Decoder<'_>) {
        self.0 = Some(d.raw().to_vec());
    }
}

/// Deepest nesting [`GoValue`] decodes. Go allows 10000; a manifest never needs more than a
/// handful, and refusing deeper input (an error, so a rejection) keeps recursion bounded.
pub const MAX_ANY_DEPTH: usize = 128;

/// A value decoded into Go's `any`: objects are `map[string]any` (last duplicate wins, no
/// merging), numbers `float64`.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum GoValue {
    #[default]
    Nil,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<GoValue>),
    Object(BTreeMap<String, GoValue>),
}

impl GoValue {
    fn read(d: &mut Decoder<'_>, depth: usize) -> GoValue {
        if depth > MAX_ANY_DEPTH {
            d.other_error(format!(
                "JSON nested deeper than {MAX_ANY_DEPTH} levels (refused by policyctl)"
            ));
            d.skip();
            return GoValue::Nil;
        }
        match d.peek() {
            Kind::Null => {
                d.skip();
                GoValue::Nil
            }
            Kind::Bool => GoValue::Bool(d.cur.read_bool().0),
            Kind::String => GoValue::String(d.cur.read_string().0),
            Kind::Number => {
                let (text, _) = d.cur.read_number();
                match text.parse::<f64>() {
                    Ok(f) if f.is_finite() => GoValue::Number(f),
                    _ => {
                        d.type_error(&format!("number {text}"), "float64");
                        GoValue::Nil
                    }
                }
            }
            Kind::Array => {
                d.cur.enter();
                let mut v = Vec::new();
                while d.cur.next_element() {
                    v.push(GoValue::read(d, depth + 1));
                }
                GoValue::Array(v)
            }
            Kind::Object => {
                d.cur.enter();
                let mut m = BTreeMap::new();
                while let Some((k, _)) = d.cur.next_key() {
                    let v = GoValue::read(d, depth + 1);
                    m.insert(k, v);
                }
                GoValue::Object(m)
            }
        }
    }

    /// The member `key` of an object (exact key, as Go map lookups are).
    pub fn get(&self, key: &str) -> Option<&GoValue> {
        match self {
            GoValue::Object(m) => m.get(key),
            _ => None,
        }
    }
}

impl GoDecode for GoValue {
    fn go_type() -> String {
        "interface {}".into()
    }
    fn go_decode(&mut self, d: &mut Decoder<'_>) {
        *self = GoValue::read(d, 0);
    }
}

/// Go's `map[string]any` as a decode target (`null` gives a nil map; an object replaces
/// entries key by key into the existing map).
pub type GoObject = GoMap<GoValue>;

#[cfg(test)]
mod tests {
    use super::*;

    go_struct! {
        struct Inner as "Inner" {
            a: String = "a",
            b: String = "b",
        }
    }

    go_struct! {
        struct Outer as "Outer" {
            media_type: String = "mediaType",
            version: GoInt = "schemaVersion",
            size: i64 = "size",
            inner: Inner = "inner",
            list: GoSlice<Inner> = "list",
            ptr: Option<Box<Inner>> = "ptr",
            annotations: GoMap<String> = "annotations",
            data: GoBytes = "data",
            sigs: GoAnyPresence = "signatures",
        }
    }

    fn outer(s: &str) -> Result<Outer, UnmarshalError> {
        unmarshal(s.as_bytes())
    }

    #[test]
    fn folding() {
        assert!(go_fold_eq("MediaType", "mediaType"));
        assert!(go_fold_eq("ſize", "size"));
        assert!(go_fold_eq("\u{212A}ey", "key"));
        assert!(!go_fold_eq("size ", "size"));
        assert!(!go_fold_eq("sıze", "size"));
        let o = outer(r#"{"MEDIATYPE":"x","ſize":3}"#).unwrap();
        assert_eq!((o.media_type.as_str(), o.size), ("x", 3));
    }

    #[test]
    fn last_duplicate_wins_and_structs_merge() {
        let o = outer(
            r#"{"mediaType":"a","MediaType":"b","inner":{"a":"1","b":"2"},"Inner":{"b":"3"}}"#,
        )
        .unwrap();
        assert_eq!(o.media_type, "b");
        assert_eq!((o.inner.a.as_str(), o.inner.b.as_str()), ("1", "3"));
    }

    #[test]
    fn slices_reuse_elements_even_past_len() {
        let o = outer(
            r#"{"list":[{"a":"A0","b":"B0"},{"a":"A1","b":"B1"}],"list":[{"a":"X"}],"list":[{},{"b":"Y"}]}"#,
        )
        .unwrap();
        let l = o.list.as_slice();
        assert_eq!(l.len(), 2);
        assert_eq!((l[0].a.as_str(), l[0].b.as_str()), ("X", "B0"));
        // The second element is the stale one from the first array, merged.
        assert_eq!((l[1].a.as_str(), l[1].b.as_str()), ("A1", "Y"));
        // An empty array drops the backing store.
        let o = outer(r#"{"list":[{"a":"A0"}],"list":[],"list":[{}]}"#).unwrap();
        assert_eq!(o.list.as_slice()[0].a, "");
        // null makes it nil.
        let o = outer(r#"{"list":[{"a":"A0"}],"list":null}"#).unwrap();
        assert!(o.list.is_nil() && o.list.is_empty());
    }

    #[test]
    fn nulls() {
        let o = outer(r#"{"mediaType":"a","mediaType":null,"size":5,"size":null,"ptr":{"a":"p"},"annotations":{"k":"v"},"annotations":{"k2":null}}"#)
            .unwrap();
        assert_eq!(o.media_type, "a");
        assert_eq!(o.size, 5);
        assert_eq!(o.ptr.as_ref().unwrap().a, "p");
        assert_eq!(o.annotations.get("k").unwrap(), "v");
        assert_eq!(o.annotations.get("k2").unwrap(), "");
        let o = outer(r#"{"ptr":{"a":"p"},"ptr":null,"signatures":[],"signatures":null}"#).unwrap();
        assert!(o.ptr.is_none());
        assert!(!o.sigs.0);
        assert!(outer(r#"{"signatures":0}"#).unwrap().sigs.0);
    }

    #[test]
    fn type_errors() {
        let e = outer(r#"{"schemaVersion":2.0}"#).unwrap_err();
        assert_eq!(
            e.0,
            "json: cannot unmarshal number 2.0 into Go struct field Outer.schemaVersion of type int"
        );
        assert!(outer(r#"{"schemaVersion":1e0}"#).is_err());
        assert!(outer(r#"{"size":"3"}"#).is_err());
        assert!(outer(r#"{"inner":[]}"#).is_err());
        assert!(outer(r#"[]"#).is_err());
        assert!(outer(r#"{"data":"!!"}"#).is_err());
        assert_eq!(
            outer(r#"{"data":"YWJj"}"#).unwrap().data.0.as_slice(),
            b"abc"
        );
        assert_eq!(
            outer(r#"{"data":[1,2]}"#).unwrap().data.0.as_slice(),
            [1, 2]
        );
        assert!(outer(r#"{"data":[256]}"#).is_err());
        // The first error is reported even though decoding goes on.
        let e = outer(r#"{"size":"x","schemaVersion":"y"}"#).unwrap_err();
        assert!(e.0.contains("Outer.size"), "{e}");
        // A wrong-typed pointer is still allocated.
        assert!(outer(r#"{"ptr":1}"#).is_err());
        // Syntax errors are Go's.
        assert_eq!(outer("{").unwrap_err().0, "unexpected end of JSON input");
        assert!(outer("null").is_ok());
    }

    #[test]
    fn any_values() {
        let v: GoValue = unmarshal(br#"{"a":1,"a":1.0,"b":[true,null,"x"]}"#).unwrap();
        assert_eq!(v.get("a"), Some(&GoValue::Number(1.0)));
        let deep = "[".repeat(MAX_ANY_DEPTH + 2) + &"]".repeat(MAX_ANY_DEPTH + 2);
        assert!(unmarshal::<GoValue>(deep.as_bytes()).is_err());
        assert!(unmarshal::<GoValue>(b"1e400").is_err());
    }
}
