#!/usr/bin/env bash
# Builds the c/image differential oracles (test tooling, never shipped):
#   OUT/cimage-oracle       against current go.podman.io/image/v5 (tools/cimage-oracle)
#   OUT/cimage-oracle-5.23  against github.com/containers/image/v5 v5.23.1 (tools/cimage-oracle-5.23)
#   OUT/cimage-oracle-gpgme the current one with c/image's default GPGME backend (cgo, needs
#                           Debian's libgpgme-dev): the reference for GPG `signedBy`
#   OUT/sigstore-testgen    the Fulcio/PKI corpus generator (tools/sigstore-testgen, standard
#                           library only) for tests/diff_keyless.rs
#   OUT/k8s-match           policy-controller's glob.Match, Kyverno's go-wildcard and gobwas
#                           globs, go-containerregistry's name (tools/k8s-match) for
#                           tests/diff_k8s_match.rs
# Usage: tools/build-cimage-oracle.sh [OUT-DIR]   (default: target)
# Needs Go >= 1.26 (or the module proxy for GOTOOLCHAIN=auto) and the Go module proxy; go.sum is
# committed, so modules are verified and go.mod is never rewritten (-mod=readonly).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-target}")
mkdir -p "$out"
# Pure Go: OpenPGP instead of GPGME, no btrfs/devicemapper graph drivers (C libraries).
tags="containers_image_openpgp exclude_graphdriver_btrfs exclude_graphdriver_devicemapper"
export CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" GOEXPERIMENT=
for v in "" -5.23; do
    (cd "tools/cimage-oracle$v" && go build -trimpath -tags "$tags" -o "$out/cimage-oracle$v.tmp.$$" .)
    mv -f "$out/cimage-oracle$v.tmp.$$" "$out/cimage-oracle$v"
done
# The default build of c/image verifies GPG through GPGME (what distributions ship).
(cd tools/cimage-oracle && CGO_ENABLED=1 go build -trimpath \
    -tags "exclude_graphdriver_btrfs exclude_graphdriver_devicemapper" \
    -o "$out/cimage-oracle-gpgme.tmp.$$" .)
mv -f "$out/cimage-oracle-gpgme.tmp.$$" "$out/cimage-oracle-gpgme"
(cd tools/sigstore-testgen && go build -trimpath -o "$out/sigstore-testgen.tmp.$$" .)
mv -f "$out/sigstore-testgen.tmp.$$" "$out/sigstore-testgen"
(cd tools/k8s-match && go build -trimpath -o "$out/k8s-match.tmp.$$" .)
mv -f "$out/k8s-match.tmp.$$" "$out/k8s-match"
