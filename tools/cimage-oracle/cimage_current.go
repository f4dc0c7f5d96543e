// Current containers/image (go.podman.io/image/v5). This module's path lies under
// go.podman.io/image/v5 so that it may import the internal packages copy itself uses
// (internal/manifest for ChooseInstanceByCompression, internal/signature for the blob format).

package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/containers/libtrust"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/image"
	internalManifest "go.podman.io/image/v5/internal/manifest"
	internalSig "go.podman.io/image/v5/internal/signature"
	internalSigner "go.podman.io/image/v5/internal/signer"
	"go.podman.io/image/v5/manifest"
	"go.podman.io/image/v5/signature"
	"go.podman.io/image/v5/signature/sigstore"
	"go.podman.io/image/v5/transports"
	"go.podman.io/image/v5/types"

	_ "go.podman.io/image/v5/directory"
	_ "go.podman.io/image/v5/oci/layout"
)

const cimageVersion = "go.podman.io/image/v5 v5.42.1"

var extraUsage = " | gen-key PRIVATE-OUT PUBLIC-OUT | sign --key PRIVATE --identity NAME MANIFEST-FILE OUT | schema1-sign IN OUT"

var extraCommands = map[string]func([]string) int{
	"gen-key":      genKeyCmd,
	"sign":         signCmd,
	"schema1-sign": schema1SignCmd,
}

func guessMIME(blob []byte) string { return manifest.GuessMIMEType(blob) }

func digestOf(blob []byte) (string, error) {
	d, err := manifest.Digest(blob)
	return d.String(), err
}

func isMultiImage(mime string) bool { return manifest.MIMETypeIsMultiImage(mime) }

func sysCtx(p platformArg) *types.SystemContext {
	return &types.SystemContext{OSChoice: p.OS, ArchitectureChoice: p.Architecture, VariantChoice: p.Variant}
}

// listFromBlob: copy.Image's choice (copy/copy.go: internal ListFromBlob, then
// ChooseInstanceByCompression with Options.PreferGzipInstances, unset by skopeo).
func listFromBlob(blob []byte, mime string) (func(platformArg) (string, error), error) {
	list, err := internalManifest.ListFromBlob(blob, mime)
	if err != nil {
		return nil, err
	}
	return func(p platformArg) (string, error) {
		d, err := list.ChooseInstanceByCompression(sysCtx(p), types.OptionalBoolUndefined)
		return d.String(), err
	}, nil
}

func publicListFromBlob(blob []byte, mime string) (func(platformArg) (string, error), error) {
	list, err := manifest.ListFromBlob(blob, mime)
	if err != nil {
		return nil, err
	}
	return func(p platformArg) (string, error) {
		d, err := list.ChooseInstance(sysCtx(p))
		return d.String(), err
	}, nil
}

func singleFromBlob(blob []byte, mime string) error {
	_, err := manifest.FromBlob(blob, mime)
	return err
}

// checkImage follows copy.Image → copySingleImage up to and including FromUnparsedImage.
func checkImage(policyPath, ref string, p platformArg) checkResult {
	ctx := context.Background()
	fail := func(stage string, err error) checkResult {
		return checkResult{Verdict: "error", Stage: stage, Message: err.Error()}
	}
	policy, err := signature.NewPolicyFromFile(policyPath)
	if err != nil {
		return fail("policy", err)
	}
	pc, err := signature.NewPolicyContext(policy)
	if err != nil {
		return fail("policy", err)
	}
	defer pc.Destroy()

	// alltransports.ParseImageName, restricted to the transports linked in.
	transportName, within, ok := strings.Cut(ref, ":")
	if !ok {
		return fail("reference", fmt.Errorf("Invalid image name %q, expected colon-separated transport:reference", ref))
	}
	transport := transports.Get(transportName)
	if transport == nil {
		return fail("reference", fmt.Errorf("Invalid image name %q, unknown transport %q", ref, transportName))
	}
	srcRef, err := transport.ParseReference(within)
	if err != nil {
		return fail("reference", err)
	}
	sys := sysCtx(p)
	rawSource, err := srcRef.NewImageSource(ctx, sys)
	if err != nil {
		return fail("open", fmt.Errorf("initializing source %s: %w", transports.ImageName(srcRef), err))
	}
	defer rawSource.Close()

	unparsedToplevel := image.UnparsedInstance(rawSource, nil)
	mfest, mime, err := unparsedToplevel.Manifest(ctx)
	if err != nil {
		return fail("manifest", fmt.Errorf("determining manifest MIME type for %s: %w", transports.ImageName(srcRef), err))
	}
	res := checkResult{Mime: mime}
	single := unparsedToplevel
	if manifest.MIMETypeIsMultiImage(mime) {
		list, err := internalManifest.ListFromBlob(mfest, mime)
		if err != nil {
			r := fail("list", fmt.Errorf("parsing primary manifest as list for %s: %w", transports.ImageName(srcRef), err))
			r.Mime = mime
			return r
		}
		instance, err := list.ChooseInstanceByCompression(sys, types.OptionalBoolUndefined)
		if err != nil {
			r := fail("choose", fmt.Errorf("choosing an image from manifest list %s: %w", transports.ImageName(srcRef), err))
			r.Mime = mime
			return r
		}
		res.Instance = instance.String()
		single = image.UnparsedInstance(rawSource, &instance)
	}
	// copySingleImage
	_, instanceMime, err := single.Manifest(ctx)
	if err != nil {
		res.Verdict, res.Stage, res.Message = "error", "instance-manifest", fmt.Sprintf("determining manifest MIME type for %s: %v", transports.ImageName(single.Reference()), err)
		return res
	}
	if manifest.MIMETypeIsMultiImage(instanceMime) {
		res.Verdict, res.Stage, res.Message = "error", "instance-manifest", "Unexpectedly received a manifest list instead of a manifest for a single image"
		return res
	}
	if allowed, err := pc.IsRunningImageAllowed(ctx, single); !allowed || err != nil {
		res.Verdict, res.Stage = "rejected", "policy"
		if err != nil {
			res.Message = err.Error()
		}
		return res
	}
	if _, err := image.FromUnparsedImage(ctx, sys, single); err != nil {
		res.Verdict, res.Stage, res.Message = "error", "parse", fmt.Sprintf("initializing image from source %s: %v", transports.ImageName(rawSource.Reference()), err)
		return res
	}
	res.Verdict, res.Stage = "accepted", "done"
	return res
}

// gen-key PRIVATE-OUT PUBLIC-OUT: a TEST-ONLY sigstore key pair (private key encrypted with the
// empty passphrase), as `skopeo generate-sigstore-key` writes it.
func genKeyCmd(args []string) int {
	if len(args) != 2 {
		usage()
	}
	kp, err := sigstore.GenerateKeyPair([]byte{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "cimage-oracle:", err)
		return 2
	}
	if err := os.WriteFile(args[0], kp.PrivateKey, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, "cimage-oracle:", err)
		return 2
	}
	if err := os.WriteFile(args[1], kp.PublicKey, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "cimage-oracle:", err)
		return 2
	}
	return 0
}

// sign --key PRIVATE --identity NAME MANIFEST-FILE OUT: c/image's own sigstore signer over the
// manifest (its manifest.Digest), written in the blob format the dir: transport stores
// (internal/signature.Blob: 0x00 "sigstore-json" \n JSON).
func signCmd(args []string) int {
	var key, identity string
	var rest []string
	for i := 0; i < len(args); {
		if v, n, ok := flagValue(args, i, "--key"); ok {
			key, i = v, i+n
		} else if v, n, ok := flagValue(args, i, "--identity"); ok {
			identity, i = v, i+n
		} else {
			rest, i = append(rest, args[i]), i+1
		}
	}
	if key == "" || identity == "" || len(rest) != 2 {
		usage()
	}
	die := func(err error) int {
		fmt.Fprintln(os.Stderr, "cimage-oracle:", err)
		return 2
	}
	m, err := os.ReadFile(rest[0])
	if err != nil {
		return die(err)
	}
	named, err := reference.ParseNormalizedNamed(identity)
	if err != nil {
		return die(err)
	}
	s, err := sigstore.NewSigner(sigstore.WithPrivateKeyFile(key, []byte{}))
	if err != nil {
		return die(err)
	}
	defer s.Close()
	sig, err := internalSigner.SignImageManifest(context.Background(), s, m, named)
	if err != nil {
		return die(err)
	}
	blob, err := internalSig.Blob(sig)
	if err != nil {
		return die(err)
	}
	if err := os.WriteFile(rest[1], blob, 0o644); err != nil {
		return die(err)
	}
	return 0
}

// schema1-sign IN OUT: a genuine libtrust pretty-JWS signature (what `docker push` made for
// schema 1) over the JSON object in IN, with a fresh throw-away P-256 key.
func schema1SignCmd(args []string) int {
	if len(args) != 2 {
		usage()
	}
	die := func(err error) int {
		fmt.Fprintln(os.Stderr, "cimage-oracle:", err)
		return 2
	}
	content, err := os.ReadFile(args[0])
	if err != nil {
		return die(err)
	}
	key, err := libtrust.GenerateECP256PrivateKey()
	if err != nil {
		return die(err)
	}
	js, err := libtrust.NewJSONSignature(content)
	if err != nil {
		return die(err)
	}
	if err := js.Sign(key); err != nil {
		return die(err)
	}
	out, err := js.PrettySignature("signatures")
	if err != nil {
		return die(err)
	}
	if err := os.WriteFile(args[1], out, 0o644); err != nil {
		return die(err)
	}
	return 0
}
