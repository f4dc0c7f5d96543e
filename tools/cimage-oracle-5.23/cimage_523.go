// containers/image v5.23.1 (github.com/containers/image/v5; Debian bookworm's skopeo 1.9.3 and
// podman 4.3). A copy of ../cimage-oracle/cimage_current.go adapted to the old API: copy.Image
// calls the public manifest.ListFromBlob and List.ChooseInstance there (copy/copy.go).

package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/containers/image/v5/image"
	"github.com/containers/image/v5/manifest"
	"github.com/containers/image/v5/signature"
	"github.com/containers/image/v5/transports"
	"github.com/containers/image/v5/types"

	_ "github.com/containers/image/v5/directory"
	_ "github.com/containers/image/v5/oci/layout"
)

const cimageVersion = "github.com/containers/image/v5 v5.23.1"

var extraUsage = ""

var extraCommands = map[string]func([]string) int{}

func guessMIME(blob []byte) string { return manifest.GuessMIMEType(blob) }

func digestOf(blob []byte) (string, error) {
	d, err := manifest.Digest(blob)
	return d.String(), err
}

func isMultiImage(mime string) bool { return manifest.MIMETypeIsMultiImage(mime) }

func sysCtx(p platformArg) *types.SystemContext {
	return &types.SystemContext{OSChoice: p.OS, ArchitectureChoice: p.Architecture, VariantChoice: p.Variant}
}

// listFromBlob: copy.Image's choice (copy/copy.go: manifest.ListFromBlob, ChooseInstance).
func listFromBlob(blob []byte, mime string) (func(platformArg) (string, error), error) {
	return publicListFromBlob(blob, mime)
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
		list, err := manifest.ListFromBlob(mfest, mime)
		if err != nil {
			r := fail("list", fmt.Errorf("parsing primary manifest as list for %s: %w", transports.ImageName(srcRef), err))
			r.Mime = mime
			return r
		}
		instance, err := list.ChooseInstance(sys)
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
