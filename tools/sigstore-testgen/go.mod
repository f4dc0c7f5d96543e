// Test tooling for policyctl (never shipped): generates certificates, Rekor SETs, sigstore-signed
// dir: images and policies for the Fulcio/PKI differential test (tests/diff_keyless.rs).
module policyctl.test/sigstore-testgen

go 1.22
