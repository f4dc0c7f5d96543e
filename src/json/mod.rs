//! A Go `encoding/json`-compatible strict JSON reader with byte spans.
//!
//! Why hand-written: c/image's policy parser (signature/internal/json.go, "paranoid" object
//! reader) rejects duplicate keys, reports keys in document order and leaks Go's decoder
//! messages into its errors. `serde_json` can do none of that and gives no value spans.
//!
//! The reading happens in two passes, exactly like Go's `json.Unmarshal`: [`scan::validate`]
//! checks the whole input first (Go's syntax messages), then a [`read::Cursor`] walks the
//! already-validated bytes, guided by the schema, so nesting is bounded by the schema and
//! anything we do not descend into is skipped iteratively.

pub mod canonical;
pub mod gobase64;
pub mod godecode;
pub mod gofmt;
pub mod gotime;
pub mod position;
pub mod read;
pub mod scan;
pub mod tree;

pub use read::{Cursor, DecodeError, ErrorKind, Kind};
