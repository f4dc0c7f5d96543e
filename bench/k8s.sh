#!/usr/bin/env bash
# Whole-command benchmark of `policyctl k8s diff` (release build). Reports a ratio measured in
# this run, never an absolute target: policyctl's drift check of a generated N-scope policy
# (default 100) against its own export, for each target, vs the engines' own Go matchers
# (tools/k8s-match: policy-controller glob.Match, go-wildcard, gobwas) answering the
# pattern × probe-image pairs of the same run once each — the matching work alone, without
# policyctl's host-side lookup and gate algebra.
# Usage: bench/k8s.sh [N]   (needs go; writes into a temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100}
cargo build -q --release --bin policyctl
P=target/release/policyctl
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
(cd tools/k8s-match && GOFLAGS=-mod=readonly go build -o "$T/k8s-match" .)
python3 - "$N" > "$T/policy.json" <<'PY'
import json, sys
n = int(sys.argv[1])
scopes = {}
for i in range(n):
    req = "insecureAcceptAnything" if i % 3 == 0 else "reject"
    scopes[f"registry{i % 7}.example.com/team{i}"] = [{"type": req}]
print(json.dumps({"default": [{"type": "reject"}], "transports": {"docker": scopes}}))
PY
now() { date +%s%N; }
for target in policy-controller kyverno kyverno-clusterpolicy; do
    $P --policy "$T/policy.json" export --to "$target" --allow-partial > "$T/$target.yaml" 2>/dev/null
    $P --policy "$T/policy.json" export --to "$target" --allow-partial --json > "$T/$target.export.json" 2>/dev/null || true
    s=$(now); $P --policy "$T/policy.json" k8s diff --json "$T/$target.yaml" > "$T/$target.json"; e=$(now)
    ours=$(( (e - s) / 1000000 ))
    engine=$(case $target in policy-controller) echo policy-controller;; kyverno) echo gobwas;; *) echo wildcard;; esac)
    # Every pattern × every probe; the Go side answers a random sample of at most 50,000
    # pairs and its time is scaled to all pairs.
    python3 - "$T/$target.export.json" "$T/$target.json" "$engine" "$T/$target.queries" <<'PY'
import json, random, sys
docs = json.load(open(sys.argv[1]))["documents"]
rows = json.load(open(sys.argv[2]))["rows"]
engine, out = sys.argv[3], sys.argv[4]
pats = []
for d in docs:
    spec = d.get("spec", {})
    pats += [i["glob"] for i in spec.get("images", [])]
    pats += [m["glob"] for m in spec.get("matchImageReferences", []) if "glob" in m]
    for r in spec.get("rules", []):
        for v in r.get("verifyImages", []):
            pats += v.get("imageReferences", []) + v.get("skipImageReferences", [])
        for f in r.get("validate", {}).get("foreach", [])[:1]:
            for c in f["deny"]["conditions"]["all"]:
                pats += c["value"]
pairs = [(p, r["image"]) for p in pats for r in rows]
random.seed(1)
sample = pairs if len(pairs) <= 50000 else random.sample(pairs, 50000)
with open(out, "w") as f:
    for p, i in sample:
        f.write(json.dumps({"engine": engine, "pattern": p, "image": i}) + "\n")
with open(out + ".scale", "w") as f:
    f.write(f"{len(pairs)} {len(sample)}\n")
PY
    read -r total sampled < "$T/$target.queries.scale"
    s=$(now); "$T/k8s-match" < "$T/$target.queries" > /dev/null; e=$(now)
    go=$(( (e - s) * total / sampled / 1000000 ))
    rows=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(len(r['rows']), 'probes,', r['drift'], 'drift')" "$T/$target.json")
    echo "$target: policyctl k8s diff ${ours} ms ($rows); Go matchers on all $total pattern×probe pairs ~${go} ms (from $sampled); ratio go/policyctl = $(echo "scale=1; $go / ($ours + 0.001)" | bc)"
done
