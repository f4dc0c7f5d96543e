#!/usr/bin/env bash
# Fulcio/PKI benchmark (issue 12): `policyctl check` of c/image's keyless (Fulcio + Rekor) and
# PKI fixture images against current containers/image deciding the same images under the same
# policies (the Go oracle `target/cimage-oracle check`, which runs exactly the evaluation
# `skopeo copy` runs before copying: Debian's skopeo has no Fulcio). Both are whole processes:
# policy load, image open, SET, chain building and signature verification. Reports the ratio
# measured in this run, never an absolute time.
# Usage: bench/keyless.sh [RUNS]   (needs Go for the oracle: tools/build-cimage-oracle.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
cargo build -q --release --bin policyctl
P=$PWD/target/release/policyctl
O=$PWD/target/cimage-oracle
[ -x "$O" ] || tools/build-cimage-oracle.sh target
F=$PWD/testdata/upstream-sigstore
T=$(mktemp -d /tmp/keylessbench.XXXXXX)
trap 'rm -rf "$T"' EXIT

now() { date +%s%N; }
avg_ms() { # avg_ms RUNS cmd... ; prints mean wall ms per run
    local n=$1; shift; local s e
    s=$(now); for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 || true; done; e=$(now)
    echo "scale=3; ($e - $s) / $n / 1000000" | bc
}

cat > "$T/fulcio.json" <<JSON
{"default":[{"type":"reject"}],"transports":{"dir":{"":[{"type":"sigstoreSigned","fulcio":{"caPath":"$F/fulcio_v1.crt.pem","oidcIssuer":"https://github.com/login/oauth","subjectEmail":"mitr@redhat.com"},"rekorPublicKeyPath":"$F/rekor.pub","signedIdentity":{"type":"exactRepository","dockerRepository":"192.168.64.2:5000/cosign-signed/fulcio-rekor-1"}}]}}}
JSON
cat > "$T/pki.json" <<JSON
{"default":[{"type":"reject"}],"transports":{"dir":{"":[{"type":"sigstoreSigned","pki":{"caRootsPath":"$F/pki_root_crts.pem","caIntermediatesPath":"$F/pki_intermediate_crts.pem","subjectEmail":"qiwan@redhat.com","subjectHostname":"myhost.example.com"},"signedIdentity":{"type":"exactRepository","dockerRepository":"localhost:5000/test"}}]}}}
JSON
for kind in fulcio pki; do
    case $kind in
        fulcio) REF="dir:$F/dir-img-cosign-fulcio-rekor-valid" ;;
        pki) REF="dir:$F/dir-img-cosign-pki-valid" ;;
    esac
    $P --policy "$T/$kind.json" check -q "$REF" && echo "policyctl: $kind accepted (as expected)"
    echo "c/image: $("$O" check --policy "$T/$kind.json" "$REF")"
    ours=$(avg_ms "$RUNS" "$P" --policy "$T/$kind.json" check -q "$REF")
    theirs=$(avg_ms "$RUNS" "$O" check --policy "$T/$kind.json" "$REF")
    echo "$kind, one image: policyctl check ${ours} ms, current c/image ${theirs} ms (mean of $RUNS)"
    echo "$kind: ratio policyctl/c-image = $(echo "scale=3; $ours / $theirs" | bc) (target <= 1)"
done
