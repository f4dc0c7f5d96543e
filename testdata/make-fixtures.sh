#!/usr/bin/env bash
# Regenerates the committed check fixtures (testdata/check) and the demo (testdata/demo/images)
# from scratch. Needs Debian's skopeo (apt-get install skopeo). All keys are TEST-ONLY,
# derived from public seeds by examples/fixtures.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --features test-support --example fixtures
FX=target/debug/examples/fixtures
POL=$(mktemp)
trap 'rm -f "$POL"' EXIT
echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$POL"
sk() { skopeo --policy "$POL" copy -q "$@"; }

# --- testdata/check: images for the skopeo differential test and CLI tests
C=testdata/check
rm -rf "$C"
mkdir -p "$C/dir"
$FX layout "$C/oci"
sk oci:$C/oci:a dir:$C/dir/a
sk oci:$C/oci:b dir:$C/dir/b
sk --all oci:$C/oci:multi dir:$C/dir/multi
sk oci:$C/oci:a dir:$C/dir/a-sigstore
$FX sign $C/dir/a-sigstore example.com/fixtures/a fixtures-key
cp -r $C/dir/a "$C/dir/a-corrupt-signature"
printf 'not a signature' > "$C/dir/a-corrupt-signature/signature-1"
cp -r $C/dir/a "$C/dir/a-truncated-manifest"
head -c 100 $C/dir/a/manifest.json > "$C/dir/a-truncated-manifest/manifest.json"
mkdir -p "$C/dir/no-manifest"
echo "Directory Transport Version: 1.1" > "$C/dir/no-manifest/version"
sk oci:$C/oci:a oci-archive:$C/a.oci.tar:a
sk oci:$C/oci:a docker-archive:$C/a.docker.tar:example.com/fixtures/a:1
$FX pubkey fixtures-key > $C/fixtures-key.pub

# --- testdata/demo: what the README's first command checks
D=testdata/demo
rm -rf "$D/images" "$D/oci"
mkdir -p "$D/images"
$FX pubkey armorred-demo > "$D/armorred-test.pub"
$FX layout "$D/oci"
sk oci:$D/oci:a dir:$D/images/signed
$FX sign $D/images/signed ghcr.io/armorred/app armorred-demo
sk oci:$D/oci:a dir:$D/images/unsigned
sk oci:$D/oci:a dir:$D/images/wrong-key
$FX sign $D/images/wrong-key ghcr.io/armorred/app someone-else
sk oci:$D/oci:b dir:$D/images/other-repo
$FX sign $D/images/other-repo ghcr.io/evil/app armorred-demo
cp -r $D/images/signed $D/images/tampered
# Change one byte of the manifest (a space after the first '{'): the signature no longer matches.
sed -i '1s/^{/{ /' $D/images/tampered/manifest.json
$FX attach $D/oci a ghcr.io/armorred/app armorred-demo
echo "fixtures written to $C and $D"
