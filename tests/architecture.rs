//! The layering rule of `src/lib.rs`, checked (issue 9): the pure core imports no edge module
//! and does no I/O, and the top-level modules have no import cycles.
//!
//! The module graph it checks is printed by
//! `cargo test --test integration architecture -- --nocapture`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::util::repo;

/// Core modules: pure (no I/O), importing only other core modules.
const CORE: &[&str] = &[
    "attestation",
    "compat",
    "diag",
    "eval",
    "inventory",
    "json",
    "k8s",
    "lint",
    "message_error",
    "policy",
    "reference",
    "registries_d",
    "signature",
    "trust",
];

/// What the core must not use.
const IO: &[&str] = &["std::fs", "std::env", "std::process"];

/// The source of a file without comments and without its inline `#[cfg(test)] mod tests`.
fn production_code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests {") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Top-level module → the top-level modules it names as `crate::NAME`, with the files
/// (production code only: `tests.rs` files and test modules are left out).
fn module_graph() -> (BTreeMap<String, BTreeSet<String>>, Vec<String>) {
    let src = repo("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    // `#[macro_export]` macros live at the crate root: `crate::go_struct` is not a module.
    let macros: BTreeSet<String> = files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            text.match_indices("macro_rules! ")
                .map(|(i, _)| {
                    text[i + 13..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut io_uses = Vec::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap().to_str().unwrap().to_owned();
        let top = rel
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_owned();
        if top == "main" || top == "lib" || rel.ends_with("/tests.rs") {
            continue;
        }
        let code = production_code(&std::fs::read_to_string(&f).unwrap());
        let deps = graph.entry(top.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != top && !macros.contains(&name) {
                deps.insert(name);
            }
        }
        if CORE.contains(&top.as_str()) {
            for io in IO {
                if code.contains(io) {
                    io_uses.push(format!("{rel} uses {io}"));
                }
            }
            // Errors crossing a module boundary are typed: no public function of the core
            // returns `Result<_, String>`.
            for (i, _) in code.match_indices("pub fn ") {
                let sig = &code[i..code[i..].find('{').map_or(code.len(), |e| i + e)];
                if sig.replace(char::is_whitespace, "").ends_with(",String>") {
                    io_uses.push(format!(
                        "{rel}: `{}` returns a String error",
                        sig.lines().next().unwrap_or(sig)
                    ));
                }
            }
        }
    }
    (graph, io_uses)
}

/// The cycles of `graph` (each as the modules of one strongly connected component).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Reachability by repeated search (the graph has ~20 nodes).
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(n) = stack.pop() {
            for d in graph.get(&n).into_iter().flatten() {
                if seen.insert(d.clone()) {
                    stack.push(d.clone());
                }
            }
        }
        seen
    };
    let mut out: Vec<Vec<String>> = Vec::new();
    for n in graph.keys() {
        let r = reach(n);
        if !r.contains(n) {
            continue;
        }
        let scc: Vec<String> = r.iter().filter(|m| reach(m).contains(n)).cloned().collect();
        if !out.contains(&scc) {
            out.push(scc);
        }
    }
    out
}

#[test]
fn architecture_core_is_pure_and_modules_have_no_cycles() {
    let (graph, io_uses) = module_graph();
    println!("module graph (top-level modules of src/, production code):");
    for (m, deps) in &graph {
        let kind = if CORE.contains(&m.as_str()) {
            "core"
        } else {
            "edge"
        };
        println!(
            "  {m} ({kind}) -> {}",
            deps.iter().cloned().collect::<Vec<_>>().join(" ")
        );
    }
    let mut violations = io_uses;
    for (m, deps) in &graph {
        if CORE.contains(&m.as_str()) {
            for d in deps {
                if !CORE.contains(&d.as_str()) {
                    violations.push(format!("core module {m} imports edge module {d}"));
                }
            }
        }
    }
    for c in cycles(&graph) {
        violations.push(format!("import cycle between {}", c.join(", ")));
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

/// The checker itself can fail: a planted edge and a planted cycle are found.
#[test]
fn architecture_checker_finds_cycles_and_ignores_comments() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    g.entry("c".into()).or_default().insert("a".into());
    g.entry("d".into()).or_default().insert("a".into());
    assert_eq!(cycles(&g), vec![vec!["a", "b", "c"]]);
    let code = production_code(
        "use crate::x; // crate::commented\n#[cfg(test)]\nmod tests {\n use crate::y;\n}",
    );
    assert!(code.contains("crate::x") && !code.contains("crate::y") && !code.contains("commented"));
}
