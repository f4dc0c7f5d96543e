#!/usr/bin/env bash
# GPG `signedBy` benchmark (issue 11): `policyctl check` of one GPG-signed image against
# skopeo's whole process deciding the same image under the same policy (`copy` stops at the
# rejection, so the policy rejects: both do the same work, keyring import and verification,
# and nothing is copied). Reports the ratio measured in this run (target ≤ 0.2), never an
# absolute time.
# Usage: bench/gpg.sh [RUNS]   (needs skopeo and gpg; writes into a temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
cargo build -q --release --bin policyctl
P=$PWD/target/release/policyctl
T=$(mktemp -d /tmp/gpgbench.XXXXXX)
export GNUPGHOME=$T/gnupg
trap 'gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
mkdir -m 700 "$GNUPGHOME"

now() { date +%s%N; }
avg_ms() { # avg_ms RUNS cmd... ; prints mean wall ms per run
    local n=$1; shift; local s e
    s=$(now); for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 || true; done; e=$(now)
    echo "scale=3; ($e - $s) / $n / 1000000" | bc
}

gpg --batch --passphrase '' --quick-gen-key "Bench <bench@example.com>" rsa2048 sign never 2>/dev/null
FPR=$(gpg --with-colons --list-keys bench@example.com | awk -F: '/^fpr/{print $10; exit}')
gpg --export "$FPR" > "$T/key.gpg"
echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$T/accept.json"
STORE="[vfs@$T/s+$T/r]"
skopeo --policy "$T/accept.json" copy -q --sign-by "$FPR" dir:testdata/diff/image "containers-storage:${STORE}example.com/bench:1"
REF="containers-storage:${STORE}example.com/bench:1"
# Accepts: the signature is checked; a second requirement then rejects, so skopeo stops at
# the policy decision instead of copying.
cat > "$T/policy.json" <<JSON
{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"$T/key.gpg","signedIdentity":{"type":"matchRepository"}},{"type":"reject"}]}
JSON
cat > "$T/accepting.json" <<JSON
{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"$T/key.gpg","signedIdentity":{"type":"matchRepository"}}]}
JSON
$P --policy "$T/accepting.json" check -q "$REF" && echo "policyctl: accepted (as expected)"
echo "skopeo: $(skopeo --policy "$T/policy.json" copy --remove-signatures "$REF" "dir:$T/o" 2>&1 | tail -1)"
ours=$(avg_ms "$RUNS" "$P" --policy "$T/policy.json" check -q "$REF")
theirs=$(avg_ms "$RUNS" skopeo --policy "$T/policy.json" copy --remove-signatures "$REF" "dir:$T/o")
echo "GPG signedBy, one image: policyctl check ${ours} ms, skopeo ${theirs} ms (mean of $RUNS)"
echo "ratio policyctl/skopeo = $(echo "scale=3; $ours / $theirs" | bc) (target <= 0.2)"
