//go:build tools

// Package tools only pins the cosign module for `go build github.com/sigstore/cosign/v2/cmd/cosign`.
package tools

import _ "github.com/sigstore/cosign/v2/pkg/cosign"
