//! Differential test against Debian's skopeo 1.9.3 (c/image 5.23.1) for policy parsing.
//!
//! Corpus: `testdata/diff/policies/*.json` (written by `testdata/diff/gen_policies.py`), run
//! through `skopeo --policy P copy dir:testdata/diff/image dir:OUT`. c/image's "Error loading
//! trust policy" must coincide with `policyctl lint --compat 5.23` exiting 2, with the same
//! message. `recorded_*` compares with skopeo's answers saved in `testdata/diff/expected.jsonl`
//! (by `record.py`); `live_*` runs skopeo itself (required when `CI=true`).

use std::path::{Path, PathBuf};

use crate::util::{policyctl, repo, require_tool};

const PREFIX: &str = "Error loading trust policy: ";

fn corpus() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(repo("testdata/diff/policies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    v
}

/// What policyctl says: `None` when the policy loads, else c/image's full message with the
/// path replaced by `$POLICY`.
fn ours(path: &Path) -> Option<String> {
    let out = policyctl()
        .args([
            "lint",
            "--no-files",
            "--compat",
            "5.23",
            "--format",
            "json",
            "--policy",
        ])
        .arg(path)
        .output()
        .unwrap();
    let code = out.status.code();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: lint --format json printed no JSON ({e})",
            path.display()
        )
    });
    match code {
        Some(0) => None,
        Some(2) => {
            let msg = j["error"]["full_message"].as_str().unwrap().to_owned();
            Some(msg.replace(&path.display().to_string(), "$POLICY"))
        }
        other => panic!("{}: unexpected exit {other:?}", path.display()),
    }
}

/// Inverse of Go's `%q` (logrus quotes `msg=` values that way).
pub(crate) fn go_unquote(s: &str) -> String {
    let mut out: Vec<u8> = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    let hex = |x: &[u8]| u32::from_str_radix(std::str::from_utf8(x).unwrap(), 16).unwrap();
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let n = b[i + 1];
        let simple = match n {
            b'a' => Some(7),
            b'b' => Some(8),
            b'f' => Some(12),
            b'n' => Some(10),
            b'r' => Some(13),
            b't' => Some(9),
            b'v' => Some(11),
            b'\\' | b'"' | b'\'' => Some(n),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            i += 2;
            continue;
        }
        let (cp, len) = match n {
            b'x' => {
                out.push(hex(&b[i + 2..i + 4]) as u8);
                i += 4;
                continue;
            }
            b'u' => (hex(&b[i + 2..i + 6]), 6),
            b'U' => (hex(&b[i + 2..i + 10]), 10),
            _ => {
                out.push(
                    u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 4]).unwrap(), 8).unwrap(),
                );
                i += 4;
                continue;
            }
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(
            char::from_u32(cp)
                .unwrap_or('\u{fffd}')
                .encode_utf8(&mut buf)
                .as_bytes(),
        );
        i += len;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `msg=` of skopeo's last fatal/error log line.
fn skopeo_message(stderr: &str) -> String {
    let Some(line) = stderr
        .lines()
        .rfind(|l| l.contains("level=fatal") || l.contains("level=error"))
    else {
        return String::new();
    };
    let Some(at) = line.find("msg=") else {
        return line.to_owned();
    };
    let v = &line[at + 4..];
    if let Some(rest) = v.strip_prefix('"') {
        // Find the closing quote, skipping escapes.
        let b = rest.as_bytes();
        let mut i = 0;
        while i < b.len() && b[i] != b'"' {
            i += if b[i] == b'\\' { 2 } else { 1 };
        }
        go_unquote(&rest[..i.min(rest.len())])
    } else {
        v.split_whitespace().next().unwrap_or("").to_owned()
    }
}

/// What skopeo says, live: `None` when the policy loads.
fn skopeo(path: &Path) -> Option<String> {
    let tmp = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("skopeo")
        .arg("--policy")
        .arg(path)
        .arg("copy")
        .arg(format!("dir:{}", repo("testdata/diff/image").display()))
        .arg(format!("dir:{}", tmp.path().join("out").display()))
        .output()
        .unwrap();
    if out.status.success() {
        return None;
    }
    let msg = skopeo_message(&String::from_utf8_lossy(&out.stderr));
    msg.strip_prefix(PREFIX)
        .map(|m| m.replace(&path.display().to_string(), "$POLICY"))
}

fn report(disagreements: &[String], total: usize) {
    assert!(
        disagreements.is_empty(),
        "{} of {total} policies disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    eprintln!("{total} policies, {total} agree");
}

#[test]
fn recorded_skopeo_verdicts_agree() {
    let text = std::fs::read_to_string(repo("testdata/diff/expected.jsonl")).unwrap();
    let recorded: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let files = corpus();
    assert_eq!(
        recorded.len(),
        files.len(),
        "expected.jsonl is stale: run testdata/diff/record.py"
    );
    assert!(files.len() >= 60);
    let loads = recorded.iter().filter(|r| r["loads"] == true).count();
    assert!(
        loads >= 20 && recorded.len() - loads >= 60,
        "the corpus needs both valid and invalid policies"
    );
    let mut bad = Vec::new();
    for (path, rec) in files.iter().zip(&recorded) {
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(
            rec["policy"], name,
            "expected.jsonl is stale: run testdata/diff/record.py"
        );
        let want = rec["error"].as_str().map(str::to_owned);
        let got = ours(path);
        if got != want {
            bad.push(format!(
                "{name}\n  skopeo:    {want:?}\n  policyctl: {got:?}"
            ));
        }
    }
    report(&bad, files.len());
}

#[test]
fn live_skopeo_agrees() {
    if !require_tool("skopeo") {
        return;
    }
    let files = corpus();
    let mut bad = Vec::new();
    for path in &files {
        let want = skopeo(path);
        let got = ours(path);
        if got != want {
            bad.push(format!(
                "{}\n  skopeo:    {want:?}\n  policyctl: {got:?}",
                path.display()
            ));
        }
    }
    report(&bad, files.len());
}

#[test]
fn go_unquote_round_trips() {
    assert_eq!(
        go_unquote(r#"a\"b\\c\n\u00e9\x41\101"#),
        "a\"b\\c\né\u{41}A"
    );
    assert_eq!(
        skopeo_message("time=\"x\" level=fatal msg=\"Error: \\\"q\\\"\"\n"),
        "Error: \"q\""
    );
}
