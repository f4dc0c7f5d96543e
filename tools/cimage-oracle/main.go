// cimage-oracle: a differential oracle for policyctl's tests. TEST TOOLING ONLY — never shipped,
// never ported into the Rust product.
//
// It asks a real containers/image what it thinks of manifests and local images. The same file is
// built twice (tools/cimage-oracle-5.23/main.go is a symlink to this one): against current
// go.podman.io/image/v5 (cimage_current.go) and against github.com/containers/image/v5 v5.23.1
// (cimage_523.go, Debian bookworm's version). The version-specific files provide the functions
// declared at the bottom of this file; everything here is version-independent.
//
// Subcommands (one JSON object per input on stdout):
//
//	version
//	manifest [--os OS --arch ARCH [--variant V]] FILE…   one object per file
//	manifest --batch < cases.jsonl                       one object per input line
//	check --policy P [--override-os OS] [--override-arch A] [--override-variant V] REF…
//
// A batch line is {"id": …, "blob": "<base64 std>", "platforms": [{"os","architecture","variant"}]}.
// A manifest result is {"id", "mime", "digest" | "digest_error", "is_list",
// "list_error" (lists: ListFromBlob as copy calls it), "choices": [{"platform", "digest" | "error",
// "public_digest" | "public_error"}] (copy's instance choice, and the public ChooseInstance),
// "from_blob_error" | "from_blob_ok" (single manifests: manifest.FromBlob with the guessed type)}.
//
// check evaluates each REF the way `skopeo --policy P copy [--override-*] REF …` does before it
// copies anything (copy.Image → copySingleImage): open the source, read the top-level manifest, if
// it is a list parse it and choose the instance, read the instance manifest (isMultiImage),
// PolicyContext.IsRunningImageAllowed, then image.FromUnparsedImage. It prints
// {"reference", "verdict": "accepted"|"rejected"|"error", "stage", "message", "mime", "instance"}:
// rejected = IsRunningImageAllowed said no or returned any error ("Source image rejected: …" in
// skopeo); error = any failure before evaluation, or the parse after it (spec Appendix B).
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

type platformArg struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	Variant      string `json:"variant"`
}

type choiceResult struct {
	Platform     platformArg `json:"platform"`
	Digest       *string     `json:"digest,omitempty"`
	Error        *string     `json:"error,omitempty"`
	PublicDigest *string     `json:"public_digest,omitempty"`
	PublicError  *string     `json:"public_error,omitempty"`
}

type manifestResult struct {
	ID            string         `json:"id,omitempty"`
	Mime          string         `json:"mime"`
	Digest        *string        `json:"digest,omitempty"`
	DigestError   *string        `json:"digest_error,omitempty"`
	IsList        bool           `json:"is_list"`
	ListError     *string        `json:"list_error,omitempty"`
	Choices       []choiceResult `json:"choices,omitempty"`
	FromBlobOK    *bool          `json:"from_blob_ok,omitempty"`
	FromBlobError *string        `json:"from_blob_error,omitempty"`
}

type checkResult struct {
	Reference string `json:"reference"`
	Verdict   string `json:"verdict"`
	Stage     string `json:"stage"`
	Message   string `json:"message"`
	Mime      string `json:"mime,omitempty"`
	Instance  string `json:"instance,omitempty"`
}

func strp(s string) *string { return &s }

func errp(err error) *string {
	if err == nil {
		return nil
	}
	return strp(err.Error())
}

// try runs f, turning a panic into an error "panic: …" (c/image does panic on some inputs, e.g.
// libtrust slicing with a negative formatLength; skopeo would crash there).
func try[T any](f func() (T, error)) (res T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return f()
}

func judgeManifest(id string, blob []byte, platforms []platformArg) manifestResult {
	r := manifestResult{ID: id}
	if mime, err := try(func() (string, error) { return guessMIME(blob), nil }); err != nil {
		r.Mime = err.Error()
	} else {
		r.Mime = mime
	}
	if d, err := try(func() (string, error) { return digestOf(blob) }); err != nil {
		r.DigestError = errp(err)
	} else {
		r.Digest = strp(d)
	}
	r.IsList = isMultiImage(r.Mime)
	if r.IsList {
		choose, chooseErr := try(func() (func(platformArg) (string, error), error) { return listFromBlob(blob, r.Mime) })
		public, publicErr := try(func() (func(platformArg) (string, error), error) { return publicListFromBlob(blob, r.Mime) })
		if chooseErr != nil {
			r.ListError = errp(chooseErr)
		}
		for _, p := range platforms {
			c := choiceResult{Platform: p}
			if chooseErr == nil {
				if d, err := try(func() (string, error) { return choose(p) }); err != nil {
					c.Error = errp(err)
				} else {
					c.Digest = strp(d)
				}
			} else {
				c.Error = errp(chooseErr)
			}
			if publicErr == nil {
				if d, err := try(func() (string, error) { return public(p) }); err != nil {
					c.PublicError = errp(err)
				} else {
					c.PublicDigest = strp(d)
				}
			} else {
				c.PublicError = errp(publicErr)
			}
			r.Choices = append(r.Choices, c)
		}
	} else {
		if _, err := try(func() (bool, error) { return true, singleFromBlob(blob, r.Mime) }); err != nil {
			r.FromBlobError = errp(err)
		} else {
			t := true
			r.FromBlobOK = &t
		}
	}
	return r
}

func emit(enc *json.Encoder, v any) {
	if err := enc.Encode(v); err != nil {
		fmt.Fprintln(os.Stderr, "cimage-oracle:", err)
		os.Exit(3)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: cimage-oracle version | manifest [--os OS --arch A [--variant V]] FILE… | manifest --batch | check --policy P [--override-os OS] [--override-arch A] [--override-variant V] REF…"+extraUsage)
	os.Exit(2)
}

// flagValue parses "--name value" and "--name=value" from args[i]; returns the value, the
// number of arguments consumed and whether it matched.
func flagValue(args []string, i int, name string) (string, int, bool) {
	a := args[i]
	if a == name {
		if i+1 >= len(args) {
			fmt.Fprintf(os.Stderr, "cimage-oracle: %s needs a value\n", name)
			os.Exit(2)
		}
		return args[i+1], 2, true
	}
	if v, ok := strings.CutPrefix(a, name+"="); ok {
		return v, 1, true
	}
	return "", 0, false
}

func manifestCmd(args []string) {
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	var p platformArg
	havePlatform, batch := false, false
	var files []string
	for i := 0; i < len(args); {
		if v, n, ok := flagValue(args, i, "--os"); ok {
			p.OS, havePlatform, i = v, true, i+n
		} else if v, n, ok := flagValue(args, i, "--arch"); ok {
			p.Architecture, havePlatform, i = v, true, i+n
		} else if v, n, ok := flagValue(args, i, "--variant"); ok {
			p.Variant, havePlatform, i = v, true, i+n
		} else if args[i] == "--batch" {
			batch, i = true, i+1
		} else {
			files, i = append(files, args[i]), i+1
		}
	}
	if batch {
		sc := bufio.NewScanner(os.Stdin)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			line := sc.Bytes()
			if len(strings.TrimSpace(string(line))) == 0 {
				continue
			}
			var in struct {
				ID        string        `json:"id"`
				Blob      string        `json:"blob"`
				Platforms []platformArg `json:"platforms"`
			}
			if err := json.Unmarshal(line, &in); err != nil {
				fmt.Fprintln(os.Stderr, "cimage-oracle: bad batch line:", err)
				os.Exit(2)
			}
			blob, err := base64.StdEncoding.DecodeString(in.Blob)
			if err != nil {
				fmt.Fprintln(os.Stderr, "cimage-oracle: bad blob in", in.ID, err)
				os.Exit(2)
			}
			emit(enc, judgeManifest(in.ID, blob, in.Platforms))
		}
		if err := sc.Err(); err != nil {
			fmt.Fprintln(os.Stderr, "cimage-oracle:", err)
			os.Exit(2)
		}
		return
	}
	if len(files) == 0 {
		usage()
	}
	var platforms []platformArg
	if havePlatform {
		platforms = append(platforms, p)
	}
	for _, f := range files {
		blob, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, "cimage-oracle:", err)
			os.Exit(2)
		}
		emit(enc, judgeManifest(f, blob, platforms))
	}
}

func checkCmd(args []string) {
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	var policy string
	var p platformArg
	var refs []string
	for i := 0; i < len(args); {
		if v, n, ok := flagValue(args, i, "--policy"); ok {
			policy, i = v, i+n
		} else if v, n, ok := flagValue(args, i, "--override-os"); ok {
			p.OS, i = v, i+n
		} else if v, n, ok := flagValue(args, i, "--override-arch"); ok {
			p.Architecture, i = v, i+n
		} else if v, n, ok := flagValue(args, i, "--override-variant"); ok {
			p.Variant, i = v, i+n
		} else {
			refs, i = append(refs, args[i]), i+1
		}
	}
	if policy == "" || len(refs) == 0 {
		usage()
	}
	for _, ref := range refs {
		r, err := try(func() (checkResult, error) { return checkImage(policy, ref, p), nil })
		if err != nil {
			// skopeo would crash: not a verdict c/image gives, so report it as an error.
			r = checkResult{Verdict: "error", Stage: "panic", Message: err.Error()}
		}
		r.Reference = ref
		emit(enc, r)
	}
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "version":
		fmt.Println(cimageVersion)
	case "manifest":
		manifestCmd(os.Args[2:])
	case "check":
		checkCmd(os.Args[2:])
	default:
		if f, ok := extraCommands[os.Args[1]]; ok {
			os.Exit(f(os.Args[2:]))
		}
		usage()
	}
}

// Provided by the version-specific file (cimage_current.go / cimage_523.go):
//
//	const cimageVersion string
//	var extraUsage string
//	var extraCommands map[string]func([]string) int
//	func guessMIME(blob []byte) string                                   // manifest.GuessMIMEType
//	func digestOf(blob []byte) (string, error)                           // manifest.Digest
//	func isMultiImage(mime string) bool                                  // manifest.MIMETypeIsMultiImage
//	func listFromBlob(blob []byte, mime string) (func(platformArg) (string, error), error)       // what copy calls
//	func publicListFromBlob(blob []byte, mime string) (func(platformArg) (string, error), error) // manifest.ListFromBlob + ChooseInstance
//	func singleFromBlob(blob []byte, mime string) error                  // manifest.FromBlob
//	func checkImage(policy, ref string, p platformArg) checkResult
