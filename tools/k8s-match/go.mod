module policyctl.test/k8s-match

go 1.26

require (
	github.com/IGLOU-EU/go-wildcard v1.0.3
	github.com/gobwas/glob v0.2.3
	github.com/google/go-containerregistry v0.21.3
	github.com/sigstore/policy-controller v0.13.1
)

require github.com/opencontainers/go-digest v1.0.0 // indirect
