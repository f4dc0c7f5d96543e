// k8s-match: the image-pattern matchers of the Kubernetes admission controllers, from their
// own code, for policyctl's differential tests (test tooling, never shipped).
//
// Reads JSON lines {"engine": E, "pattern": P, "image": I} and writes one JSON line each:
// {"match": bool} or {"error": "..."}. Engines:
//
//	policy-controller  glob.Match(P, I) of sigstore/policy-controller pkg/apis/glob
//	                   (identical in v0.13.1 and f925c0c1, the commit the spec read)
//	wildcard           github.com/IGLOU-EU/go-wildcard v1.0.3 Match(P, I) (Kyverno ext/wildcard)
//	gobwas             github.com/gobwas/glob v0.2.3 Compile(P) (no separators), Match(I)
//	                   (Kyverno ImageValidatingPolicy matchImageReferences[].glob)
//	ggcr-name          name.ParseReference(I, name.WeakValidation).Name() (P unused):
//	                   {"name": ...}
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	wildcard "github.com/IGLOU-EU/go-wildcard"
	"github.com/gobwas/glob"
	"github.com/google/go-containerregistry/pkg/name"
	pcglob "github.com/sigstore/policy-controller/pkg/apis/glob"
)

type query struct {
	Engine  string `json:"engine"`
	Pattern string `json:"pattern"`
	Image   string `json:"image"`
}

type answer struct {
	Match *bool  `json:"match,omitempty"`
	Name  string `json:"name,omitempty"`
	Error string `json:"error,omitempty"`
}

func run(q query) answer {
	b := func(v bool) answer { return answer{Match: &v} }
	switch q.Engine {
	case "policy-controller":
		m, err := pcglob.Match(q.Pattern, q.Image)
		if err != nil {
			return answer{Error: err.Error()}
		}
		return b(m)
	case "wildcard":
		return b(wildcard.Match(q.Pattern, q.Image))
	case "gobwas":
		g, err := glob.Compile(q.Pattern)
		if err != nil {
			return answer{Error: err.Error()}
		}
		return b(g.Match(q.Image))
	case "ggcr-name":
		r, err := name.ParseReference(q.Image, name.WeakValidation)
		if err != nil {
			return answer{Error: err.Error()}
		}
		return answer{Name: r.Name()}
	}
	return answer{Error: "unknown engine " + q.Engine}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for in.Scan() {
		var q query
		if err := json.Unmarshal(in.Bytes(), &q); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := enc.Encode(run(q)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
}
