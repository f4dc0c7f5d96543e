#!/usr/bin/env bash
# Whole-command benchmark of `policyctl check` (release build). Reports ratios measured in
# this run, never absolute targets:
#   1. one image: policyctl check vs skopeo --policy P copy (same store, same policy);
#   2. check --all on N = 1,000 and 10,000 one-signature images vs the in-process reference
#      N × (ECDSA verify + manifest hash + payload parse) ÷ cores, and peak memory.
# Usage: bench/check.sh [RUNS]   (needs skopeo; writes into a temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
cargo build -q --release --bin policyctl --example fixtures
P=target/release/policyctl
FX=target/release/examples/fixtures
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CORES=$(nproc)

now() { date +%s%N; }
avg_ms() { # avg_ms RUNS cmd... ; prints mean wall ms per run
    local n=$1; shift; local s e
    s=$(now); for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 || true; done; e=$(now)
    echo "scale=3; ($e - $s) / $n / 1000000" | bc
}

# 1. one image in a real store (copied by skopeo from the signed demo image).
echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$T/accept.json"
skopeo --policy "$T/accept.json" copy -q dir:testdata/check/dir/a-sigstore "containers-storage:[vfs@$T/s+$T/r]example.com/fixtures/a:1"
KEY=$PWD/testdata/check/fixtures-key.pub
cat > "$T/policy.json" <<JSON
{"default":[{"type":"reject"}],"transports":{"containers-storage":{"":[{"type":"sigstoreSigned","keyPath":"$KEY","signedIdentity":{"type":"matchRepository"}}]}}}
JSON
REF="containers-storage:[vfs@$T/s+$T/r]example.com/fixtures/a:1"
$P --policy "$T/policy.json" check -q "$REF" && echo "policyctl: accepted (as expected)"
ours=$(avg_ms "$RUNS" $P --policy "$T/policy.json" check -q "$REF")
theirs_reject=$(avg_ms "$RUNS" skopeo --policy "$T/policy.json" copy --remove-signatures "$REF" "dir:$T/out-rej")
rm -rf "$T"/out-*
theirs_copy=$(avg_ms "$RUNS" sh -c "rm -rf '$T/out'; skopeo --policy '$T/accept.json' copy -q --remove-signatures '$REF' 'dir:$T/out'")
echo "one image: policyctl check ${ours} ms; skopeo (same policy, verdict only) ${theirs_reject} ms; skopeo copy (accept) ${theirs_copy} ms"
echo "ratio skopeo-verdict/policyctl = $(echo "scale=2; $theirs_reject / $ours" | bc); skopeo-copy/policyctl = $(echo "scale=2; $theirs_copy / $ours" | bc)"

# 2. check --all.
unit=$($FX unitcost 2000)
echo "unit cost (verify + hash + parse, in-process): ${unit} ns; cores: $CORES"
for N in 1000 10000; do
    $FX store "$T/big$N" "$N" bench
    cat > "$T/all.json" <<JSON
{"default":[{"type":"reject"}],"transports":{"containers-storage":{"":[{"type":"sigstoreSigned","keyPath":"$T/bench.pub","signedIdentity":{"type":"matchRepository"}}]}}}
JSON
    $FX pubkey bench > "$T/bench.pub"
    printf '[storage]\ndriver = "vfs"\ngraphroot = "%s"\nrunroot = "%s"\n' "$T/big$N" "$T/run$N" > "$T/storage$N.conf"
    s=$(now)
    CONTAINERS_STORAGE_CONF="$T/storage$N.conf" /usr/bin/time -f "%M" -o "$T/rss$N" $P --policy "$T/all.json" check --all -q || echo "(exit $?)"
    e=$(now)
    ms=$(echo "scale=1; ($e - $s) / 1000000" | bc)
    ideal=$(echo "scale=1; $N * $unit / $CORES / 1000000" | bc)
    echo "check --all N=$N: ${ms} ms; reference N×unit÷cores = ${ideal} ms; ratio = $(echo "scale=2; $ms / $ideal" | bc); peak RSS $(cat "$T/rss$N") KiB"
done
