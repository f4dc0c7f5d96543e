#!/usr/bin/env bash
# Builds the real cosign (v2.5.0, test tooling only, never shipped) for policyctl's
# interoperability tests: OUT/cosign, cosign v3.1.3 (OUT/cosign3), and go-containerregistry's
# crane (OUT/crane, whose `registry serve` is the local registry cosign signs and saves against). Modules come from the Go module proxy and are verified
# against the committed tools/cosign/go.sum (-mod=readonly).
# Usage: tools/build-cosign.sh [OUT-DIR]   (default: target)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-target}")
mkdir -p "$out"
export CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" GOEXPERIMENT=
(cd tools/cosign && go build -trimpath -o "$out/cosign.tmp.$$" github.com/sigstore/cosign/v2/cmd/cosign)
mv -f "$out/cosign.tmp.$$" "$out/cosign"
(cd tools/cosign && go build -trimpath -o "$out/crane.tmp.$$" github.com/google/go-containerregistry/cmd/crane)
mv -f "$out/crane.tmp.$$" "$out/crane"
# cosign v3: Sigstore bundles as OCI referrers by default (what podman cannot read).
(cd tools/cosign3 && go build -trimpath -o "$out/cosign3.tmp.$$" github.com/sigstore/cosign/v3/cmd/cosign)
mv -f "$out/cosign3.tmp.$$" "$out/cosign3"
