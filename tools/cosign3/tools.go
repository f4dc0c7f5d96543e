//go:build tools

// Package tools only pins the cosign v3 module for `go build github.com/sigstore/cosign/v3/cmd/cosign`.
package tools

import _ "github.com/sigstore/cosign/v3/pkg/cosign"
