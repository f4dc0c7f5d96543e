//! Differential test of `policyctl::image::manifest` against containers/image's own Go code:
//! every case of `testdata/manifest-corpus/cases.jsonl` (Go-decoding corners: duplicate and
//! folded keys, nulls, wrong types, forged schema-1 JWS, ambiguous manifests, platform and
//! zstd choice, upstream fixtures) goes through c/image current (v5.42.1) and 5.23.1
//! (`tools/cimage-oracle`, live when Go is available, else the recording
//! `testdata/manifest-corpus/expected.jsonl`) and through our functions with the matching
//! `Compat`. Compared per case: the guessed MIME type, `manifest.Digest` (value, or that it
//! fails), for lists `ListFromBlob` (fails or not) and the instance `copy` chooses for ten
//! platforms, for single manifests whether `manifest.FromBlob` accepts it. Error messages are
//! counted but do not fail the test. Prints agree/disagree counts per category and fails on
//! any disagreement, listing them.
//!
//! After changing the corpus: `python3 testdata/manifest-corpus/gen.py` (re-records).

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use base64::Engine;
use policyctl::compat::Compat;
use policyctl::image::manifest as m;
use serde_json::Value;

use crate::oracle::{self, Version};
use crate::util::repo;

/// The Rust side, in one place: the only code to touch when the library API changes.
mod ours {
    use super::*;

    pub fn compat(v: Version) -> Compat {
        match v {
            Version::Current | Version::CurrentGpgme => Compat::Current,
            Version::V5_23 => Compat::V5_23,
        }
    }

    pub fn mime(blob: &[u8], _c: Compat) -> String {
        m::guess_mime_type(blob)
    }

    pub fn digest(blob: &[u8], c: Compat) -> Result<String, String> {
        m::digest(blob, c)
    }

    pub fn list(blob: &[u8], mime: &str, c: Compat) -> Result<m::List, String> {
        m::list_from_blob(blob, mime, c)
    }

    pub fn choose(list: &m::List, p: &Value, c: Compat) -> Result<String, String> {
        let s = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
        let platform = m::Platform {
            os: s("os"),
            architecture: s("architecture"),
            variant: Some(s("variant")).filter(|v| !v.is_empty()),
            // skopeo --override-arch sets SystemContext.ArchitectureChoice.
            architecture_chosen: true,
        };
        m::choose_instance(list, &platform, c)
    }

    pub fn single(blob: &[u8], mime: &str, c: Compat) -> Result<(), String> {
        m::check_single_manifest(blob, mime, c)
    }
}

/// A comparable outcome: a value, or a failure (with its message, compared only for info).
#[derive(Debug, Clone)]
enum Outcome {
    Ok(String),
    Err(String),
}

impl Outcome {
    fn same_verdict(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Ok(a), Outcome::Ok(b)) => a == b,
            (Outcome::Err(_), Outcome::Err(_)) => true,
            _ => false,
        }
    }

    fn same_message(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Err(a), Outcome::Err(b)) => a == b,
            _ => true,
        }
    }

    fn show(&self) -> String {
        let cut = |s: &str| s.chars().take(110).collect::<String>();
        match self {
            Outcome::Ok(v) => cut(v),
            Outcome::Err(e) => format!("error: {}", cut(e)),
        }
    }
}

/// The two messages around their first difference.
fn excerpts(a: &str, b: &str) -> (String, String) {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let i = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let from = i.saturating_sub(30);
    let cut = |s: &[char]| s[from.min(s.len())..(i + 60).min(s.len())].iter().collect();
    (cut(&a), cut(&b))
}

fn outcome(r: Result<String, String>) -> Outcome {
    match r {
        Ok(v) => Outcome::Ok(v),
        Err(e) => Outcome::Err(e),
    }
}

/// Runs `f`, turning a panic into a failure outcome (a panic is always a disagreement: Go's
/// own panics are reported as errors by the oracle, and ours must not panic at all).
fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err("PANIC in policyctl (must never happen)".to_owned()))
}

fn go_outcome(r: &Value, ok_key: &str, err_key: &str) -> Outcome {
    match (r[ok_key].as_str(), r[err_key].as_str()) {
        (_, Some(e)) => Outcome::Err(e.to_owned()),
        (Some(v), None) => Outcome::Ok(v.to_owned()),
        (None, None) => Outcome::Ok(String::new()),
    }
}

#[derive(Default)]
struct Tally {
    /// (version, check, category) → (agree, disagree)
    counts: BTreeMap<(String, &'static str, String), (usize, usize)>,
    disagreements: Vec<String>,
    /// check → (count, first examples) where both fail with different messages.
    message_mismatches: BTreeMap<&'static str, (usize, Vec<String>)>,
}

impl Tally {
    #[allow(clippy::too_many_arguments)]
    fn compare(
        &mut self,
        version: Version,
        check: &'static str,
        category: &str,
        id: &str,
        detail: &str,
        go: &Outcome,
        rust: &Outcome,
    ) {
        let entry = self
            .counts
            .entry((version.key().to_owned(), check, category.to_owned()))
            .or_default();
        if go.same_verdict(rust) {
            entry.0 += 1;
            if !go.same_message(rust) {
                let e = self.message_mismatches.entry(check).or_default();
                e.0 += 1;
                if e.1.len() < 3
                    && let (Outcome::Err(a), Outcome::Err(b)) = (go, rust)
                {
                    let (a, b) = excerpts(a, b);
                    e.1.push(format!(
                        "[{}] {id}{detail}\n      c/image:   …{a}\n      policyctl: …{b}",
                        version.key(),
                    ));
                }
            }
        } else {
            entry.1 += 1;
            self.disagreements.push(format!(
                "[{}] {check} {id}{detail}\n      c/image:   {}\n      policyctl: {}",
                version.key(),
                go.show(),
                rust.show()
            ));
        }
    }
}

fn compare_case(t: &mut Tally, version: Version, case: &Value, go: &Value) {
    let id = case["id"].as_str().unwrap();
    let category = case["category"].as_str().unwrap();
    let blob = base64::engine::general_purpose::STANDARD
        .decode(case["blob"].as_str().unwrap())
        .unwrap();
    let c = ours::compat(version);

    let rust_mime = guarded(|| Ok(ours::mime(&blob, c)));
    let go_mime = go["mime"].as_str().unwrap_or_default().to_owned();
    t.compare(
        version,
        "mime",
        category,
        id,
        "",
        &Outcome::Ok(go_mime.clone()),
        &outcome(rust_mime.clone()),
    );
    let mime = rust_mime.unwrap_or_default();

    t.compare(
        version,
        "digest",
        category,
        id,
        "",
        &go_outcome(go, "digest", "digest_error"),
        &outcome(guarded(|| ours::digest(&blob, c))),
    );

    if go["is_list"].as_bool() == Some(true) {
        let list = guarded(|| ours::list(&blob, &mime, c));
        let go_list = match go["list_error"].as_str() {
            Some(e) => Outcome::Err(e.to_owned()),
            None => Outcome::Ok("list".to_owned()),
        };
        let rust_list = match &list {
            Ok(_) => Outcome::Ok("list".to_owned()),
            Err(e) => Outcome::Err(e.clone()),
        };
        t.compare(version, "list", category, id, "", &go_list, &rust_list);
        for choice in go["choices"].as_array().into_iter().flatten() {
            let p = &choice["platform"];
            let detail = format!(
                " for {}/{}{}",
                p["os"].as_str().unwrap_or_default(),
                p["architecture"].as_str().unwrap_or_default(),
                Some(p["variant"].as_str().unwrap_or_default())
                    .filter(|v| !v.is_empty())
                    .map(|v| format!("/{v}"))
                    .unwrap_or_default()
            );
            let rust = match &list {
                Ok(l) => outcome(guarded(|| ours::choose(l, p, c))),
                Err(e) => Outcome::Err(e.clone()),
            };
            t.compare(
                version,
                "choice",
                category,
                id,
                &detail,
                &go_outcome(choice, "digest", "error"),
                &rust,
            );
        }
    } else {
        let go_single = match go["from_blob_error"].as_str() {
            Some(e) => Outcome::Err(e.to_owned()),
            None => Outcome::Ok("accepted".to_owned()),
        };
        let rust_single = match guarded(|| ours::single(&blob, &mime, c)) {
            Ok(()) => Outcome::Ok("accepted".to_owned()),
            Err(e) => Outcome::Err(e),
        };
        t.compare(
            version,
            "from_blob",
            category,
            id,
            "",
            &go_single,
            &rust_single,
        );
    }
}

fn read_jsonl(rel: &str) -> Vec<Value> {
    std::fs::read_to_string(repo(rel))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn diff_manifest() {
    let cases = read_jsonl("testdata/manifest-corpus/cases.jsonl");
    let recorded = read_jsonl("testdata/manifest-corpus/expected.jsonl");
    assert_eq!(
        cases.len(),
        recorded.len(),
        "expected.jsonl is stale: run python3 testdata/manifest-corpus/gen.py"
    );

    // The live oracle, when Go is here; it must agree with the recording.
    let mut live: BTreeMap<&'static str, Vec<Value>> = BTreeMap::new();
    if oracle::oracle_dir().is_some() {
        let input = std::fs::read(repo("testdata/manifest-corpus/cases.jsonl")).unwrap();
        for v in Version::ALL {
            let bin = oracle::oracle(v).unwrap();
            live.insert(v.key(), oracle::manifest_batch(&bin, &input));
        }
    }
    let mut stale = Vec::new();
    for (key, results) in &live {
        assert_eq!(results.len(), cases.len());
        for (i, r) in results.iter().enumerate() {
            let mut r = r.clone();
            if let Some(o) = r.as_object_mut() {
                o.remove("id");
            }
            if r != recorded[i][*key] {
                stale.push(format!("[{key}] {}", cases[i]["id"]));
            }
        }
    }

    let mut t = Tally::default();
    for v in Version::ALL {
        for (i, case) in cases.iter().enumerate() {
            assert_eq!(case["id"], recorded[i]["id"]);
            let go = match live.get(v.key()) {
                Some(results) => results[i].clone(),
                None => recorded[i][v.key()].clone(),
            };
            compare_case(&mut t, v, case, &go);
        }
    }

    let source = if live.is_empty() {
        "recorded verdicts (testdata/manifest-corpus/expected.jsonl)"
    } else {
        "the live c/image oracle"
    };
    println!(
        "diff_manifest: {} cases × (current, 5.23) against {source}",
        cases.len()
    );
    println!(
        "{:<8} {:<10} {:<14} {:>6} {:>9}",
        "compat", "check", "category", "agree", "disagree"
    );
    let mut totals: BTreeMap<(String, &str), (usize, usize)> = BTreeMap::new();
    for ((v, check, cat), (a, d)) in &t.counts {
        println!("{v:<8} {check:<10} {cat:<14} {a:>6} {d:>9}");
        let e = totals.entry((v.clone(), check)).or_default();
        e.0 += a;
        e.1 += d;
    }
    for ((v, check), (a, d)) in &totals {
        println!("{v:<8} {check:<10} {:<14} {a:>6} {d:>9}", "TOTAL");
    }
    for (check, (n, examples)) in &t.message_mismatches {
        println!("{check}: {n} error message(s) differ where both fail (informational), e.g.");
        for e in examples {
            println!("    {e}");
        }
    }
    if !stale.is_empty() {
        println!(
            "the recording differs from the live oracle for {} case(s), e.g. {:?}",
            stale.len(),
            &stale[..stale.len().min(5)]
        );
    }
    let shown = t.disagreements.len().min(200);
    for d in &t.disagreements[..shown] {
        println!("  DISAGREE {d}");
    }
    if shown < t.disagreements.len() {
        println!("  … and {} more", t.disagreements.len() - shown);
    }
    assert!(
        stale.is_empty(),
        "expected.jsonl does not match the live c/image oracle ({} cases): run python3 testdata/manifest-corpus/gen.py",
        stale.len()
    );
    assert!(
        t.disagreements.is_empty(),
        "{} disagreement(s) with c/image (listed above)",
        t.disagreements.len()
    );
}
