// sigstore-testgen: generates a differential corpus for sigstore Fulcio (keyless) and PKI
// signature verification. TEST TOOLING ONLY — never shipped, never ported into the Rust product;
// standard library only.
//
// Usage: sigstore-testgen OUTDIR
//
// It writes certificates (CA, intermediate and leaf), Rekor keys, `dir:` images carrying one
// sigstore signature each (`signature-1` = "\x00sigstore-json\n" + the JSON c/image stores) and
// policies (absolute paths, so OUTDIR should be absolute or is made so), plus OUTDIR/cases.json:
//
//	[{"name", "category": "fulcio"|"pki", "policy": "<relative path>", "image": "<relative dir>",
//	  "expect": "accepted"|"rejected", "expect_message": "<substring of c/image's message>"}]
//
// The structure (names, expectations) is deterministic; keys, serial numbers and signatures are
// random on every run. Fulcio certificates are placed around a fixed Rekor integratedTime (c/image
// verifies them at that time); PKI certificates around the generator's clock (c/image verifies
// them now), so a corpus is meant to be judged right after it is generated.
package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// integratedTime is the Rekor time of every generated Fulcio signature (2023-11-14T22:13:20Z).
const integratedTime = 1700000000

var (
	oidIssuerV1 = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}
	oidIssuerV2 = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}
	oidSAN      = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidUnknown  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 42}
	// Fulcio's "username" otherName type.
	oidOtherNameUsername = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 7}
)

const (
	issuer        = "https://oauth2.example.com/auth"
	email         = "signer@example.com"
	identity      = "registry.example.com/keyless/app:v1"
	repository    = "registry.example.com/keyless/app"
	pkiEmail      = "dev@example.com"
	pkiEmail2     = "ops@example.com"
	pkiHost       = "build.internal.test"
	pkiWildcard   = "*.example.com"
	manifestBytes = `{
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {
      "mediaType": "application/vnd.docker.container.image.v1+json",
      "size": 1508,
      "digest": "sha256:3b0f78b718417dfa432fd8da26d0e3ac4ca3566d0825b0d2b056ccc4dd29e644"
   },
   "layers": [
      {
         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
         "size": 2815957,
         "digest": "sha256:a0d0a0d46f8b52473982a3c466318f479767577551a53ffc9074c9fa7035982e"
      }
   ]
}`
)

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "sigstore-testgen:", err)
		os.Exit(1)
	}
}

func must[T any](v T, err error) T {
	check(err)
	return v
}

// ---- keys and certificates ----

func p256() crypto.Signer { return must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)) }
func p384() crypto.Signer { return must(ecdsa.GenerateKey(elliptic.P384(), rand.Reader)) }

func serial() *big.Int {
	n := must(rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120)))
	return n.Add(n, big.NewInt(1))
}

type cert struct {
	cert *x509.Certificate
	key  crypto.Signer
	pem  []byte
}

func certPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// issue creates a certificate for key from tmpl, signed by parent (nil: self-signed).
func issue(tmpl *x509.Certificate, parent *cert, key crypto.Signer) *cert {
	tmpl.SerialNumber = serial()
	parentCert, signer := tmpl, key
	if parent != nil {
		parentCert, signer = parent.cert, parent.key
	}
	der := must(x509.CreateCertificate(rand.Reader, tmpl, parentCert, key.Public(), signer))
	return &cert{cert: must(x509.ParseCertificate(der)), key: key, pem: certPEM(der)}
}

func caTemplate(cn string, notBefore, notAfter time.Time) *x509.Certificate {
	return &x509.Certificate{
		Subject:               pkix.Name{Organization: []string{"policyctl test"}, CommonName: cn},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
}

// intermediateTemplate is like Fulcio's intermediate: pathlen 0, EKU codeSigning.
func intermediateTemplate(cn string, notBefore, notAfter time.Time) *x509.Certificate {
	t := caTemplate(cn, notBefore, notAfter)
	t.MaxPathLen = 0
	t.MaxPathLenZero = true
	t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}
	return t
}

func pubPEM(k crypto.PublicKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(k))})
}

func issuerV1(s string) pkix.Extension { return pkix.Extension{Id: oidIssuerV1, Value: []byte(s)} }
func issuerV2(s string) pkix.Extension {
	return pkix.Extension{Id: oidIssuerV2, Value: must(asn1.MarshalWithParams(s, "utf8"))}
}

// otherNameSAN is a critical SAN extension holding only an otherName (Fulcio's username type).
func otherNameSAN() pkix.Extension {
	type otherName struct {
		TypeID asn1.ObjectIdentifier
		Value  string `asn1:"tag:0,explicit,utf8"`
	}
	on := must(asn1.MarshalWithParams(otherName{oidOtherNameUsername, "someone!example.com"}, "tag:0"))
	return pkix.Extension{Id: oidSAN, Critical: true, Value: must(asn1.Marshal([]asn1.RawValue{{FullBytes: on}}))}
}

func unknownCritical() pkix.Extension {
	return pkix.Extension{Id: oidUnknown, Critical: true, Value: must(asn1.Marshal(true))}
}

type leafOpts struct {
	key                 crypto.Signer // default P-256
	subject             pkix.Name     // default empty (Fulcio), which makes the SAN critical
	emails              []string
	dns                 []string
	ips                 []net.IP
	uris                []*url.URL
	extra               []pkix.Extension
	notBefore, notAfter time.Time
	eku                 []x509.ExtKeyUsage // default codeSigning
	noEKU               bool
	noDefaultSAN        bool // fleaf/pleaf: do not add the default e-mail (and DNS) names
}

func leaf(parent *cert, o leafOpts) *cert {
	if o.key == nil {
		o.key = p256()
	}
	eku := []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}
	if o.eku != nil {
		eku = o.eku
	}
	if o.noEKU {
		eku = nil
	}
	return issue(&x509.Certificate{
		Subject:         o.subject,
		NotBefore:       o.notBefore,
		NotAfter:        o.notAfter,
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtKeyUsage:     eku,
		EmailAddresses:  o.emails,
		DNSNames:        o.dns,
		IPAddresses:     o.ips,
		URIs:            o.uris,
		ExtraExtensions: o.extra,
	}, parent, o.key)
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// ---- signatures ----

func sign(k crypto.Signer, msg []byte) []byte {
	h := sha256.Sum256(msg)
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		return must(ecdsa.SignASN1(rand.Reader, k, h[:]))
	case *rsa.PrivateKey:
		return must(rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, h[:]))
	case ed25519.PrivateKey:
		return ed25519.Sign(k, msg)
	}
	panic("unsupported key")
}

func cosignPayload(ref, digest string) []byte {
	return []byte(fmt.Sprintf(`{"critical":{"identity":{"docker-reference":%q},"image":{"docker-manifest-digest":%q},"type":"cosign container image signature"},"optional":null}`, ref, digest))
}

func sha256Hex(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

type sigOpts struct {
	identity    string // default identity
	digestOf    []byte // the payload's digest is sha256 of this (default: the manifest)
	leaf        *cert
	certAnn     []byte // default leaf.pem
	noCert      bool
	chain       []byte // chain annotation; nil: none
	signKey     crypto.Signer
	signOver    []byte // default: the payload
	noSignature bool
	// Rekor SET (only when rekor != nil)
	rekor       *ecdsa.PrivateKey
	noBundle    bool
	setHashOf   []byte            // default: the payload
	setCert     []byte            // default: certAnn
	setSig      []byte            // default: the signature
	kind        string            // default hashedrekord
	apiVersion  string            // default 0.0.1
	setSignedBy *ecdsa.PrivateKey // default rekor
}

func setBundle(o sigOpts, sig, payload, certAnn []byte) string {
	hashOf, setCert, setSig, kind, api := payload, certAnn, sig, "hashedrekord", "0.0.1"
	if o.setHashOf != nil {
		hashOf = o.setHashOf
	}
	if o.setCert != nil {
		setCert = o.setCert
	}
	if o.setSig != nil {
		setSig = o.setSig
	}
	if o.kind != "" {
		kind = o.kind
	}
	if o.apiVersion != "" {
		api = o.apiVersion
	}
	body := map[string]any{
		"apiVersion": api,
		"kind":       kind,
		"spec": map[string]any{
			"data": map[string]any{"hash": map[string]any{"algorithm": "sha256", "value": sha256Hex(hashOf)}},
			"signature": map[string]any{
				"content":   base64.StdEncoding.EncodeToString(setSig),
				"publicKey": map[string]any{"content": base64.StdEncoding.EncodeToString(setCert)},
			},
		},
	}
	signer := o.rekor
	if o.setSignedBy != nil {
		signer = o.setSignedBy
	}
	logID := sha256.Sum256(must(x509.MarshalPKIXPublicKey(o.rekor.Public())))
	p := map[string]any{
		"body":           must(json.Marshal(body)), // []byte: base64 std
		"integratedTime": integratedTime,
		"logIndex":       12345678,
		"logID":          hex.EncodeToString(logID[:]),
	}
	// A map marshals with sorted keys and no whitespace: the RFC 8785 form for these values.
	canonical := must(json.Marshal(p))
	set := struct {
		SignedEntryTimestamp []byte
		Payload              json.RawMessage
	}{sign(signer, canonical), canonical}
	return string(must(json.Marshal(set)))
}

// signature returns the signature-1 blob.
func signature(o sigOpts) []byte {
	ref := identity
	if o.identity != "" {
		ref = o.identity
	}
	digestOf := []byte(manifestBytes)
	if o.digestOf != nil {
		digestOf = o.digestOf
	}
	payload := cosignPayload(ref, "sha256:"+sha256Hex(digestOf))
	signKey, signOver := o.signKey, payload
	if signKey == nil {
		signKey = o.leaf.key
	}
	if o.signOver != nil {
		signOver = o.signOver
	}
	sig := sign(signKey, signOver)
	certAnn := o.leaf.pem
	if o.certAnn != nil {
		certAnn = o.certAnn
	}
	ann := map[string]string{}
	if !o.noSignature {
		ann["dev.cosignproject.cosign/signature"] = base64.StdEncoding.EncodeToString(sig)
	}
	if !o.noCert {
		ann["dev.sigstore.cosign/certificate"] = string(certAnn)
	}
	if o.chain != nil {
		ann["dev.sigstore.cosign/chain"] = string(o.chain)
	}
	if o.rekor != nil && !o.noBundle {
		ann["dev.sigstore.cosign/bundle"] = setBundle(o, sig, payload, certAnn)
	}
	blob := struct {
		MimeType    string            `json:"mimeType"`
		Payload     []byte            `json:"payload"`
		Annotations map[string]string `json:"annotations"`
	}{"application/vnd.dev.cosign.simplesigning.v1+json", payload, ann}
	return append([]byte("\x00sigstore-json\n"), must(json.Marshal(blob))...)
}

// ---- corpus ----

type testCase struct {
	Name          string `json:"name"`
	Category      string `json:"category"`
	Policy        string `json:"policy"`
	Image         string `json:"image"`
	Expect        string `json:"expect"`
	ExpectMessage string `json:"expect_message,omitempty"`
}

type gen struct {
	out   string
	cases []testCase
}

func (g *gen) write(rel string, data []byte) string {
	p := filepath.Join(g.out, rel)
	check(os.MkdirAll(filepath.Dir(p), 0o755))
	check(os.WriteFile(p, data, 0o644))
	return p
}

func (g *gen) image(rel string, sig []byte) string {
	g.write(filepath.Join(rel, "manifest.json"), []byte(manifestBytes))
	g.write(filepath.Join(rel, "signature-1"), sig)
	return rel
}

func (g *gen) policy(rel string, req map[string]any) string {
	doc := map[string]any{
		"default":    []any{map[string]any{"type": "reject"}},
		"transports": map[string]any{"dir": map[string]any{"": []any{req}}},
	}
	g.write(rel, must(json.MarshalIndent(doc, "", "  ")))
	return rel
}

// add records a case; msg is a substring of c/image's message (for rejections).
func (g *gen) add(category, name, policy, image, msg string) {
	expect := "accepted"
	if msg != "" {
		expect = "rejected"
	}
	g.cases = append(g.cases, testCase{category + "/" + name, category, policy, image, expect, msg})
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

var exactRepository = map[string]any{"type": "exactRepository", "dockerRepository": repository}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: sigstore-testgen OUTDIR")
		os.Exit(2)
	}
	out := must(filepath.Abs(os.Args[1]))
	g := &gen{out: out}
	g.fulcio()
	g.pki(time.Now().Truncate(time.Second))
	g.write("cases.json", must(json.MarshalIndent(g.cases, "", "  ")))
}

const (
	unknownAuthority = "veryfing leaf certificate failed: x509: certificate signed by unknown authority"
	day              = 24 * time.Hour
)

func (g *gen) fulcio() {
	T := time.Unix(integratedTime, 0)
	root := issue(caTemplate("fulcio test root", T.Add(-365*day), T.Add(3650*day)), nil, p384())
	inter := issue(intermediateTemplate("fulcio test intermediate", T.Add(-180*day), T.Add(1800*day)), root, p384())
	otherRoot := issue(caTemplate("fulcio other root", T.Add(-365*day), T.Add(3650*day)), nil, p384())
	otherInter := issue(intermediateTemplate("fulcio other intermediate", T.Add(-180*day), T.Add(1800*day)), otherRoot, p384())
	chain := cat(inter.pem, root.pem)
	rekor := p256().(*ecdsa.PrivateKey)
	rekorOther := p256().(*ecdsa.PrivateKey)
	rekorPath := g.write("fulcio/rekor.pub", pubPEM(rekor.Public()))
	rekorOtherPath := g.write("fulcio/rekor-other.pub", pubPEM(rekorOther.Public()))
	rootPath := g.write("fulcio/root.pem", root.pem)
	otherRootPath := g.write("fulcio/other-root.pem", otherRoot.pem)

	fleaf := func(o leafOpts) *cert {
		if !o.noDefaultSAN && o.emails == nil && o.uris == nil {
			o.emails = []string{email}
		}
		if o.extra == nil {
			o.extra = []pkix.Extension{issuerV2(issuer)}
		}
		if o.notBefore.IsZero() {
			o.notBefore, o.notAfter = T.Add(-5*time.Minute), T.Add(5*time.Minute)
		}
		return leaf(inter, o)
	}
	img := func(name string, o sigOpts) string {
		if o.leaf == nil {
			o.leaf = fleaf(leafOpts{})
		}
		if o.rekor == nil {
			o.rekor = rekor
		}
		if o.chain == nil {
			o.chain = chain
		}
		return g.image("fulcio/images/"+name, signature(o))
	}

	// Policies.
	base := map[string]any{
		"type":               "sigstoreSigned",
		"fulcio":             map[string]any{"caPath": rootPath, "oidcIssuer": issuer, "subjectEmail": email},
		"rekorPublicKeyPath": rekorPath,
		"signedIdentity":     exactRepository,
	}
	fulcioWith := func(kv ...any) map[string]any {
		return with(base, "fulcio", with(base["fulcio"].(map[string]any), kv...))
	}
	pol := func(name string, req map[string]any) string { return g.policy("fulcio/policies/"+name+".json", req) }
	pPath := pol("path", base)
	pData := pol("data", with(base,
		"fulcio", map[string]any{"caData": b64(root.pem), "oidcIssuer": issuer, "subjectEmail": email},
		"rekorPublicKeyPath", nil, "rekorPublicKeyData", b64(pubPEM(rekor.Public()))))
	pRekorPaths := pol("rekor-paths-second", with(base, "rekorPublicKeyPath", nil, "rekorPublicKeyPaths", []string{rekorOtherPath, rekorPath}))
	pRekorDatas := pol("rekor-datas-second", with(base, "rekorPublicKeyPath", nil,
		"rekorPublicKeyDatas", []string{b64(pubPEM(rekorOther.Public())), b64(pubPEM(rekor.Public()))}))
	pRekorOther := pol("rekor-other", with(base, "rekorPublicKeyPath", rekorOtherPath))

	// Images that c/image accepts under pPath.
	good := map[string]string{}
	goodImg := func(name string, o sigOpts) {
		good[name] = img(name, o)
		g.add("fulcio", name, pPath, good[name], "")
		g.add("fulcio", name+"+data", pData, good[name], "")
	}
	bad := func(name string, o sigOpts, msg string) string {
		i := img(name, o)
		g.add("fulcio", name, pPath, i, msg)
		return i
	}

	goodImg("valid", sigOpts{})
	goodImg("issuer-v1", sigOpts{leaf: fleaf(leafOpts{extra: []pkix.Extension{issuerV1(issuer)}})})
	goodImg("issuer-v1-and-v2", sigOpts{leaf: fleaf(leafOpts{extra: []pkix.Extension{issuerV1(issuer), issuerV2(issuer)}})})
	goodImg("issuer-v2-printable-string", sigOpts{leaf: fleaf(leafOpts{extra: []pkix.Extension{
		{Id: oidIssuerV2, Value: must(asn1.MarshalWithParams(issuer, "printable"))}}})})
	goodImg("several-emails", sigOpts{leaf: fleaf(leafOpts{emails: []string{"a@example.com", email, "c@example.org"}})})
	goodImg("leaf-not-before-at-T", sigOpts{leaf: fleaf(leafOpts{notBefore: T, notAfter: T.Add(10 * time.Minute)})})
	goodImg("leaf-not-after-at-T", sigOpts{leaf: fleaf(leafOpts{notBefore: T.Add(-10 * time.Minute), notAfter: T})})
	goodImg("chain-with-unrelated-certificate", sigOpts{chain: cat(inter.pem, otherInter.pem, root.pem)})
	goodImg("leaf-without-eku", sigOpts{leaf: fleaf(leafOpts{noEKU: true})})
	goodImg("leaf-eku-any", sigOpts{leaf: fleaf(leafOpts{eku: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})})
	goodImg("leaf-eku-codesigning-and-serverauth", sigOpts{leaf: fleaf(leafOpts{eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageCodeSigning}})})
	goodImg("leaf-rsa", sigOpts{leaf: fleaf(leafOpts{key: must(rsa.GenerateKey(rand.Reader, 2048))})})
	goodImg("leaf-p384", sigOpts{leaf: fleaf(leafOpts{key: p384()})})
	_, edKey := must2(ed25519.GenerateKey(rand.Reader))
	goodImg("leaf-ed25519", sigOpts{leaf: fleaf(leafOpts{key: edKey})})
	goodImg("leaf-with-subject", sigOpts{leaf: fleaf(leafOpts{subject: pkix.Name{CommonName: "signer"}})})

	// The valid image under other policies.
	valid := good["valid"]
	g.add("fulcio", "valid+rekor-paths-second", pRekorPaths, valid, "")
	g.add("fulcio", "valid+rekor-datas-second", pRekorDatas, valid, "")
	g.add("fulcio", "valid+rekor-other", pRekorOther, valid, "cryptographic signature verification of Rekor SET failed")
	g.add("fulcio", "valid+issuer-other", pol("issuer-other", fulcioWith("oidcIssuer", "https://other.example.com")), valid,
		`Unexpected Fulcio OIDC issuer "`+issuer+`"`)
	g.add("fulcio", "valid+issuer-trailing-slash", pol("issuer-trailing-slash", fulcioWith("oidcIssuer", issuer+"/")), valid,
		"Unexpected Fulcio OIDC issuer")
	g.add("fulcio", "valid+email-other", pol("email-other", fulcioWith("subjectEmail", "other@example.com")), valid,
		`Required email "other@example.com" not found (got ["`+email+`"])`)
	g.add("fulcio", "valid+email-case", pol("email-case", fulcioWith("subjectEmail", "Signer@example.com")), valid,
		`Required email "Signer@example.com" not found`)
	g.add("fulcio", "valid+ca-other-root", pol("ca-other-root", fulcioWith("caPath", otherRootPath)), valid, unknownAuthority)
	pRootAndInter := pol("ca-root-and-intermediate", fulcioWith("caPath", nil, "caData", b64(cat(root.pem, inter.pem))))
	g.add("fulcio", "valid+ca-root-and-intermediate", pRootAndInter, valid, "")
	junk := cat([]byte("some text before\n"), pubPEM(rekor.Public()),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not DER")}), root.pem)
	g.add("fulcio", "valid+ca-with-junk", pol("ca-with-junk", fulcioWith("caPath", nil, "caData", b64(junk))), valid, "")
	g.add("fulcio", "valid+ca-not-a-certificate", pol("ca-not-a-certificate", fulcioWith("caPath", rekorPath)), valid,
		"error loading Fulcio CA certificates")
	g.add("fulcio", "valid+ca-missing-file", pol("ca-missing-file", fulcioWith("caPath", filepath.Join(g.out, "fulcio/missing.pem"))), valid,
		"no such file or directory")
	// A dir: image has no Docker reference: the default matchRepoDigestOrExact and matchRepository
	// match nothing.
	g.add("fulcio", "valid+identity-default", pol("identity-default", with(base, "signedIdentity", nil)), valid,
		`Signature for identity "`+identity+`" is not accepted`)
	g.add("fulcio", "valid+identity-match-repository", pol("identity-match-repository", with(base, "signedIdentity", map[string]any{"type": "matchRepository"})), valid,
		`Signature for identity "`+identity+`" is not accepted`)
	g.add("fulcio", "valid+identity-other-repository", pol("identity-other-repository", with(base, "signedIdentity",
		map[string]any{"type": "exactRepository", "dockerRepository": "registry.example.com/other"})), valid,
		`Signature for identity "`+identity+`" is not accepted`)
	g.add("fulcio", "valid+identity-exact-reference", pol("identity-exact-reference", with(base, "signedIdentity",
		map[string]any{"type": "exactReference", "dockerReference": identity})), valid, "")
	g.add("fulcio", "valid+identity-exact-reference-other-tag", pol("identity-exact-reference-other-tag", with(base, "signedIdentity",
		map[string]any{"type": "exactReference", "dockerReference": repository + ":v2"})), valid, "is not accepted")

	// OIDC issuer extensions.
	bad("issuer-v1-and-v2-different", sigOpts{leaf: fleaf(leafOpts{extra: []pkix.Extension{issuerV1(issuer), issuerV2("https://other.example.com")}})},
		`inconsistent OIDC issuer extension values: v1 "`+issuer+`", v2 "https://other.example.com"`)
	bad("issuer-v2-integer", sigOpts{leaf: fleaf(leafOpts{extra: []pkix.Extension{{Id: oidIssuerV2, Value: must(asn1.Marshal(42))}}})},
		"invalid ASN.1 in OIDC issuer v2 extension: asn1: structure error")
	bad("issuer-v2-trailing-data", sigOpts{leaf: fleaf(leafOpts{extra: []pkix.Extension{{Id: oidIssuerV2,
		Value: cat(must(asn1.MarshalWithParams(issuer, "utf8")), must(asn1.Marshal(1)))}}})},
		"invalid ASN.1 in OIDC issuer v2 extension, trailing data")
	bad("issuer-missing", sigOpts{leaf: fleaf(leafOpts{extra: []pkix.Extension{}})}, "Fulcio certificate is missing the issuer extension")
	bad("issuer-v1-other", sigOpts{leaf: fleaf(leafOpts{extra: []pkix.Extension{issuerV1("https://other.example.com")}})},
		`Unexpected Fulcio OIDC issuer "https://other.example.com"`)

	// Subject alternative names.
	bad("san-uri-only", sigOpts{leaf: fleaf(leafOpts{uris: []*url.URL{must(url.Parse("https://github.com/example/app/.github/workflows/release.yml@refs/heads/main"))}})},
		`Required email "`+email+`" not found (got [])`)
	bad("san-othername-only", sigOpts{leaf: fleaf(leafOpts{noDefaultSAN: true, extra: []pkix.Extension{issuerV2(issuer), otherNameSAN()}})},
		`Required email "`+email+`" not found (got [])`)
	bad("san-other-email", sigOpts{leaf: fleaf(leafOpts{emails: []string{"someone@example.org"}})},
		`Required email "`+email+`" not found (got ["someone@example.org"])`)
	several := good["several-emails"]
	g.add("fulcio", "several-emails+email-other", pol("email-third", fulcioWith("subjectEmail", "c@example.org")), several, "")

	// Validity at integratedTime.
	bad("leaf-expired", sigOpts{leaf: fleaf(leafOpts{notBefore: T.Add(-10 * time.Minute), notAfter: T.Add(-time.Second)})},
		"x509: certificate has expired or is not yet valid: current time 2023-11-14T22:13:20Z is after")
	bad("leaf-not-yet-valid", sigOpts{leaf: fleaf(leafOpts{notBefore: T.Add(time.Second), notAfter: T.Add(10 * time.Minute)})},
		"x509: certificate has expired or is not yet valid: current time 2023-11-14T22:13:20Z is before")
	expiredInter := issue(intermediateTemplate("fulcio expired intermediate", T.Add(-180*day), T.Add(-time.Second)), root, p384())
	bad("intermediate-expired", sigOpts{leaf: leaf(expiredInter, leafOpts{emails: []string{email}, extra: []pkix.Extension{issuerV2(issuer)},
		notBefore: T.Add(-5 * time.Minute), notAfter: T.Add(5 * time.Minute)}), chain: cat(expiredInter.pem, root.pem)},
		"current time 2023-11-14T22:13:20Z is after")
	futureInter := issue(intermediateTemplate("fulcio future intermediate", T.Add(time.Second), T.Add(1800*day)), root, p384())
	bad("intermediate-not-yet-valid", sigOpts{leaf: leaf(futureInter, leafOpts{emails: []string{email}, extra: []pkix.Extension{issuerV2(issuer)},
		notBefore: T.Add(-5 * time.Minute), notAfter: T.Add(5 * time.Minute)}), chain: cat(futureInter.pem, root.pem)},
		"current time 2023-11-14T22:13:20Z is before")
	futureRoot := issue(caTemplate("fulcio future root", T.Add(time.Second), T.Add(3650*day)), nil, p384())
	futureRootInter := issue(intermediateTemplate("fulcio future root's intermediate", T.Add(-180*day), T.Add(1800*day)), futureRoot, p384())
	i := img("root-not-yet-valid", sigOpts{leaf: leaf(futureRootInter, leafOpts{emails: []string{email}, extra: []pkix.Extension{issuerV2(issuer)},
		notBefore: T.Add(-5 * time.Minute), notAfter: T.Add(5 * time.Minute)}), chain: cat(futureRootInter.pem, futureRoot.pem)})
	g.add("fulcio", "root-not-yet-valid", pol("ca-future-root", fulcioWith("caPath", g.write("fulcio/future-root.pem", futureRoot.pem))), i,
		"current time 2023-11-14T22:13:20Z is before")

	// The chain annotation.
	noChain := bad("chain-missing", sigOpts{chain: []byte{}}, unknownAuthority)
	g.add("fulcio", "chain-missing+ca-root-and-intermediate", pRootAndInter, noChain, "")
	bad("chain-root-only", sigOpts{chain: root.pem}, unknownAuthority)
	bad("chain-intermediate-only", sigOpts{chain: inter.pem}, unknownAuthority)
	bad("chain-not-pem", sigOpts{chain: []byte("not a PEM chain")}, "loading certificate chain: ")

	// Chain building and extensions.
	bad("untrusted-root", sigOpts{leaf: leaf(otherInter, leafOpts{emails: []string{email}, extra: []pkix.Extension{issuerV2(issuer)},
		notBefore: T.Add(-5 * time.Minute), notAfter: T.Add(5 * time.Minute)}), chain: cat(otherInter.pem, otherRoot.pem)},
		unknownAuthority)
	bad("leaf-eku-serverauth", sigOpts{leaf: fleaf(leafOpts{eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})},
		"x509: certificate specifies an incompatible key usage")
	notCA := caTemplate("fulcio intermediate without CA", T.Add(-180*day), T.Add(1800*day))
	notCA.IsCA = false
	notCAInter := issue(notCA, root, p384())
	bad("intermediate-not-ca", sigOpts{leaf: leaf(notCAInter, leafOpts{emails: []string{email}, extra: []pkix.Extension{issuerV2(issuer)},
		notBefore: T.Add(-5 * time.Minute), notAfter: T.Add(5 * time.Minute)}), chain: cat(notCAInter.pem, root.pem)},
		"x509: invalid signature: parent certificate cannot sign this kind of certificate")
	inter2 := issue(caTemplate("fulcio second intermediate", T.Add(-180*day), T.Add(1800*day)), inter, p384())
	bad("path-length-exceeded", sigOpts{leaf: leaf(inter2, leafOpts{emails: []string{email}, extra: []pkix.Extension{issuerV2(issuer)},
		notBefore: T.Add(-5 * time.Minute), notAfter: T.Add(5 * time.Minute)}), chain: cat(inter2.pem, inter.pem, root.pem)},
		"veryfing leaf certificate failed: x509: too many intermediates for path length constraint")
	bad("leaf-unknown-critical-extension", sigOpts{leaf: fleaf(leafOpts{extra: []pkix.Extension{issuerV2(issuer), unknownCritical()}})},
		"veryfing leaf certificate failed: x509: unhandled critical extension")

	// The Rekor SET.
	otherLeaf := fleaf(leafOpts{})
	bad("set-other-payload", sigOpts{setHashOf: []byte("another payload")}, "payload in Rekor SET does not match")
	otherKeyImg := bad("set-signed-by-other-key", sigOpts{setSignedBy: rekorOther}, "cryptographic signature verification of Rekor SET failed")
	g.add("fulcio", "set-signed-by-other-key+rekor-paths-second", pRekorPaths, otherKeyImg, "")
	g.add("fulcio", "set-signed-by-other-key+rekor-datas-second", pRekorDatas, otherKeyImg, "")
	g.add("fulcio", "set-signed-by-other-key+rekor-other", pRekorOther, otherKeyImg, "")
	bad("set-kind-intoto", sigOpts{kind: "intoto"}, `invalid kind value: "intoto"`)
	bad("set-api-version-0.0.2", sigOpts{apiVersion: "0.0.2"}, "unsupported Rekor SET Payload hashedrekord version (*string)(0x")
	bad("set-other-certificate", sigOpts{setCert: otherLeaf.pem}, "publicKey in Rekor SET does not match")
	bad("set-other-signature", sigOpts{setSig: sign(otherLeaf.key, []byte("x"))}, "signature in Rekor SET does not match")
	bad("certificate-and-another", sigOpts{certAnn: cat(otherLeaf.pem, inter.pem)}, "has trailing data")

	// Missing annotations.
	bad("certificate-missing", sigOpts{noCert: true}, "missing dev.sigstore.cosign/certificate annotation")
	bad("bundle-missing", sigOpts{noBundle: true}, "missing dev.sigstore.cosign/bundle annotation")
	bad("signature-missing", sigOpts{noSignature: true}, "missing dev.cosignproject.cosign/signature annotation")

	// The payload.
	bad("signature-over-other-payload", sigOpts{signOver: []byte("another payload")}, "cryptographic signature verification failed: ")
	bad("identity-mismatch", sigOpts{identity: "registry.example.com/other/app:v1"},
		`Signature for identity "registry.example.com/other/app:v1" is not accepted`)
	bad("manifest-digest-mismatch", sigOpts{digestOf: []byte("another manifest")}, "Signature for digest sha256:")
}

func must2[A, B any](a A, b B, err error) (A, B) {
	check(err)
	return a, b
}

func (g *gen) pki(now time.Time) {
	validFrom, validTo := now.Add(-time.Hour), now.Add(10*365*day)
	root := issue(caTemplate("pki test root", validFrom, validTo), nil, p256())
	inter := issue(caTemplate("pki test intermediate", validFrom, validTo), root, p256())
	otherRoot := issue(caTemplate("pki other root", validFrom, validTo), nil, p256())
	rootsPath := g.write("pki/roots.pem", root.pem)
	intersPath := g.write("pki/intermediates.pem", inter.pem)
	chain := cat(inter.pem, root.pem)
	subject := pkix.Name{Organization: []string{"policyctl test"}, CommonName: "pki test leaf"}

	pleaf := func(parent *cert, o leafOpts) *cert {
		if !o.noDefaultSAN && o.emails == nil && o.dns == nil && o.ips == nil {
			o.emails = []string{pkiEmail, pkiEmail2}
			o.dns = []string{pkiHost, pkiWildcard}
		}
		if o.subject.CommonName == "" {
			o.subject = subject
		}
		if o.notBefore.IsZero() {
			o.notBefore, o.notAfter = validFrom, validTo
		}
		return leaf(parent, o)
	}
	img := func(name string, o sigOpts) string {
		if o.leaf == nil {
			o.leaf = pleaf(inter, leafOpts{})
		}
		if o.chain == nil {
			o.chain = chain
		}
		return g.image("pki/images/"+name, signature(o))
	}
	base := map[string]any{
		"type":           "sigstoreSigned",
		"pki":            map[string]any{"caRootsPath": rootsPath, "subjectEmail": pkiEmail},
		"signedIdentity": exactRepository,
	}
	pkiWith := func(kv ...any) map[string]any {
		return with(base, "pki", with(base["pki"].(map[string]any), kv...))
	}
	pol := func(name string, req map[string]any) string { return g.policy("pki/policies/"+name+".json", req) }
	pEmail := pol("email", base)
	host := func(h string) map[string]any { return pkiWith("subjectEmail", nil, "subjectHostname", h) }

	valid := img("valid", sigOpts{})
	for _, c := range []struct {
		name string
		req  map[string]any
		msg  string
	}{
		{"email", base, ""},
		{"email-second", pkiWith("subjectEmail", pkiEmail2), ""},
		{"email-case", pkiWith("subjectEmail", "DEV@example.com"), `Required email "DEV@example.com" not found (got ["` + pkiEmail + `" "` + pkiEmail2 + `"])`},
		{"email-other", pkiWith("subjectEmail", "nobody@example.com"), `Required email "nobody@example.com" not found`},
		{"hostname", host(pkiHost), ""},
		{"hostname-case", host("BUILD.Internal.Test"), ""},
		{"hostname-trailing-dot", host(pkiHost + "."), ""},
		{"hostname-wildcard", host("foo.example.com"), ""},
		{"hostname-wildcard-uppercase", host("FOO.EXAMPLE.COM"), ""},
		{"hostname-wildcard-two-labels", host("a.b.example.com"), "Unexpected subject hostname: x509: certificate is valid for " + pkiHost + ", " + pkiWildcard + ", not a.b.example.com"},
		{"hostname-wildcard-apex", host("example.com"), "Unexpected subject hostname: x509: certificate is valid for"},
		{"hostname-literal-wildcard", host(pkiWildcard), ""},
		{"hostname-other", host("other.test"), "Unexpected subject hostname: x509: certificate is valid for " + pkiHost + ", " + pkiWildcard + ", not other.test"},
		{"hostname-ip", host("192.0.2.1"), "Unexpected subject hostname: x509: cannot validate certificate for 192.0.2.1 because it doesn't contain any IP SANs"},
		{"email-and-hostname", pkiWith("subjectHostname", pkiHost), ""},
		{"email-and-hostname-email-miss", pkiWith("subjectEmail", "nobody@example.com", "subjectHostname", pkiHost), "Required email"},
		{"email-and-hostname-host-miss", pkiWith("subjectHostname", "other.test"), "Unexpected subject hostname"},
		{"roots-data", pkiWith("caRootsPath", nil, "caRootsData", b64(root.pem)), ""},
		{"intermediates-path", pkiWith("caIntermediatesPath", intersPath), ""},
		{"intermediates-data", pkiWith("caIntermediatesData", b64(inter.pem)), ""},
		{"intermediates-junk", pkiWith("caIntermediatesData", b64(cat(inter.pem, []byte("junk after the certificate\n")))),
			"loading trusted intermediate certificates: error during PEM decoding"},
		{"roots-other", pkiWith("caRootsPath", g.write("pki/other-root.pem", otherRoot.pem)), unknownAuthority},
		{"roots-not-a-certificate", pkiWith("caRootsPath", nil, "caRootsData", b64(pubPEM(root.key.Public()))), "error loading PKI CA Roots certificates"},
		{"identity-default", with(base, "signedIdentity", nil), `Signature for identity "` + identity + `" is not accepted`},
		{"identity-other-repository", with(base, "signedIdentity", map[string]any{"type": "exactRepository", "dockerRepository": "registry.example.com/other"}),
			"is not accepted"},
	} {
		p := pEmail
		if c.name != "email" {
			p = pol(c.name, c.req)
		}
		g.add("pki", "valid+"+c.name, p, valid, c.msg)
	}

	// Where the intermediates come from.
	noChain := img("chain-missing", sigOpts{chain: []byte{}})
	g.add("pki", "chain-missing", pEmail, noChain, unknownAuthority)
	g.add("pki", "chain-missing+intermediates-path", "pki/policies/intermediates-path.json", noChain, "")
	g.add("pki", "chain-missing+intermediates-data", "pki/policies/intermediates-data.json", noChain, "")
	g.add("pki", "chain-root-only", pEmail, img("chain-root-only", sigOpts{chain: root.pem}), unknownAuthority)
	interOnly := img("chain-intermediate-only", sigOpts{chain: inter.pem})
	g.add("pki", "chain-intermediate-only", pEmail, interOnly, unknownAuthority)
	g.add("pki", "chain-intermediate-only+intermediates-path", "pki/policies/intermediates-path.json", interOnly, "")

	// Leaf variants (under the email policy unless noted).
	add := func(name string, o sigOpts, msg string) string {
		i := img(name, o)
		g.add("pki", name, pEmail, i, msg)
		return i
	}
	add("leaf-without-eku", sigOpts{leaf: pleaf(inter, leafOpts{noEKU: true})}, "")
	add("leaf-eku-serverauth", sigOpts{leaf: pleaf(inter, leafOpts{eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})},
		"x509: certificate specifies an incompatible key usage")
	add("leaf-rsa", sigOpts{leaf: pleaf(inter, leafOpts{key: must(rsa.GenerateKey(rand.Reader, 2048))})}, "")
	_, edKey := must2(ed25519.GenerateKey(rand.Reader))
	add("leaf-ed25519", sigOpts{leaf: pleaf(inter, leafOpts{key: edKey})}, "")
	add("leaf-p384", sigOpts{leaf: pleaf(inter, leafOpts{key: p384()})}, "")
	add("leaf-empty-subject-critical-san", sigOpts{leaf: pleaf(inter, leafOpts{subject: pkix.Name{}, emails: []string{pkiEmail}})}, "")
	// Go marks the critical otherName-only SAN unhandled; PKI (unlike Fulcio) does not tolerate it.
	add("leaf-othername-only", sigOpts{leaf: pleaf(inter, leafOpts{subject: pkix.Name{}, noDefaultSAN: true, extra: []pkix.Extension{otherNameSAN()}})},
		"veryfing leaf certificate failed: x509: unhandled critical extension")
	add("leaf-unknown-critical-extension", sigOpts{leaf: pleaf(inter, leafOpts{extra: []pkix.Extension{unknownCritical()}, emails: []string{pkiEmail}})},
		"veryfing leaf certificate failed: x509: unhandled critical extension")
	add("leaf-expired", sigOpts{leaf: pleaf(inter, leafOpts{notBefore: now.Add(-48 * time.Hour), notAfter: now.Add(-time.Hour)})},
		"x509: certificate has expired or is not yet valid: current time ")
	add("leaf-not-yet-valid", sigOpts{leaf: pleaf(inter, leafOpts{notBefore: now.Add(time.Hour), notAfter: validTo})},
		"x509: certificate has expired or is not yet valid: current time ")
	expiredInter := issue(caTemplate("pki expired intermediate", now.Add(-48*time.Hour), now.Add(-time.Hour)), root, p256())
	add("intermediate-expired", sigOpts{leaf: pleaf(expiredInter, leafOpts{}), chain: cat(expiredInter.pem, root.pem)},
		"x509: certificate has expired or is not yet valid: current time ")
	expiredRoot := issue(caTemplate("pki expired root", now.Add(-48*time.Hour), now.Add(-time.Hour)), nil, p256())
	expiredRootInter := issue(caTemplate("pki expired root's intermediate", validFrom, validTo), expiredRoot, p256())
	i := img("root-expired", sigOpts{leaf: pleaf(expiredRootInter, leafOpts{}), chain: cat(expiredRootInter.pem, expiredRoot.pem)})
	g.add("pki", "root-expired", pol("roots-expired", pkiWith("caRootsPath", g.write("pki/expired-root.pem", expiredRoot.pem))), i,
		"x509: certificate has expired or is not yet valid: current time ")
	add("signature-over-other-payload", sigOpts{signOver: []byte("another payload")}, "cryptographic signature verification failed: ")
	add("identity-mismatch", sigOpts{identity: "registry.example.com/other/app:v1"}, "is not accepted")
	add("manifest-digest-mismatch", sigOpts{digestOf: []byte("another manifest")}, "Signature for digest sha256:")
	add("certificate-missing", sigOpts{noCert: true}, "missing dev.sigstore.cosign/certificate annotation")
	add("signature-missing", sigOpts{noSignature: true}, "missing dev.cosignproject.cosign/signature annotation")
	add("certificate-twice", sigOpts{certAnn: cat(root.pem, root.pem)},
		"unexpected multiple certificates present in signature certificate data")

	// Legacy Common Name: no SAN at all.
	cn := img("common-name-only", sigOpts{leaf: pleaf(inter, leafOpts{subject: pkix.Name{CommonName: pkiHost}, noDefaultSAN: true})})
	g.add("pki", "common-name-only+hostname", pol("hostname", host(pkiHost)), cn,
		"Unexpected subject hostname: x509: certificate relies on legacy Common Name field, use SANs instead")
	g.add("pki", "common-name-only+hostname-other", pol("hostname-other", host("other.test")), cn,
		"Unexpected subject hostname: x509: certificate is not valid for any names, but wanted to match other.test")
	g.add("pki", "common-name-only", pEmail, cn, `Required email "`+pkiEmail+`" not found (got [])`)

	// IP SANs.
	ip := img("ip-san", sigOpts{leaf: pleaf(inter, leafOpts{ips: []net.IP{net.ParseIP("192.0.2.1")}})})
	g.add("pki", "ip-san+hostname-ip", pol("hostname-ip", host("192.0.2.1")), ip, "")
	g.add("pki", "ip-san+hostname-ip-brackets", pol("hostname-ip-brackets", host("[192.0.2.1]")), ip, "")
	g.add("pki", "ip-san+hostname-other-ip", pol("hostname-other-ip", host("192.0.2.2")), ip,
		"Unexpected subject hostname: x509: certificate is valid for 192.0.2.1, not 192.0.2.2")
	g.add("pki", "ip-san+hostname", pol("hostname", host(pkiHost)), ip,
		"Unexpected subject hostname: x509: certificate is not valid for any names, but wanted to match "+pkiHost)
}
