#!/usr/bin/env python3
"""Writes the differential-test corpus: policy files, valid and malformed, one per case.

Run from the repository root: python3 testdata/diff/gen_policies.py
Then record c/image's verdicts with testdata/diff/record.sh (needs Debian's skopeo).
"""
import base64
import os
import shutil

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "policies")

R = '[{"type":"reject"}]'
A = '[{"type":"insecureAcceptAnything"}]'
KEY = base64.b64encode(b"-----BEGIN PUBLIC KEY-----\nnot really a key\n-----END PUBLIC KEY-----\n").decode()
D = "sha256:" + "0123456789abcdef" * 4
ID = "0123456789abcdef" * 4


def pol(default=R, transports=None, extra=""):
    s = '{"default":' + default
    if transports is not None:
        s += ',"transports":' + transports
    return s + extra + "}"


def req(r):
    """A policy whose default is the single requirement r."""
    return pol(default="[" + r + "]")


def prm(p):
    return req('{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k.gpg","signedIdentity":' + p + "}")


def sig(fields):
    return req('{"type":"sigstoreSigned",' + fields + "}")


CASES = [
    # --- whole-file JSON syntax
    ("syntax-empty", ""),
    ("syntax-whitespace", "  \n\t "),
    ("syntax-bom", "\ufeff" + pol()),
    ("syntax-line-comment", "// comment\n" + pol()),
    ("syntax-trailing-comment", pol() + " // trailing"),
    ("syntax-trailing-garbage", pol() + "x"),
    ("syntax-two-values", pol() + pol()),
    ("syntax-truncated", pol()[:-1]),
    ("syntax-truncated-string", '{"default":[{"type":"rej'),
    ("syntax-trailing-comma-object", '{"default":' + R + ",}"),
    ("syntax-trailing-comma-array", '{"default":[{"type":"reject"},]}'),
    ("syntax-single-quotes", "{'default':" + R + "}"),
    ("syntax-unquoted-key", "{default:" + R + "}"),
    ("syntax-bad-escape", '{"default":[{"type":"re\\ject"}]}'),
    ("syntax-bad-unicode-escape", '{"default":[{"type":"\\u12g4"}]}'),
    ("syntax-control-char", '{"default":[{"type":"re\tject"}]}'),
    ("syntax-leading-zero", '{"default":' + R + ',"x":01}'),
    ("syntax-bad-number", '{"default":1.}'),
    ("syntax-bad-literal", '{"default":tru}'),
    ("syntax-nan", '{"default":NaN}'),
    ("syntax-invalid-utf8", b'{"default":[{"type":"reject\xff"}]}'),
    ("syntax-deep-nesting", '{"default":' + "[" * 10001 + "]" * 10001 + "}"),
    ("syntax-nesting-9999", '{"default":' + "[" * 9998 + "]" * 9998 + "}"),
    # --- top level
    ("top-minimal-valid", pol()),
    ("top-pretty-valid", '{\n    "default": [\n        {\n            "type": "reject"\n        }\n    ]\n}\n'),
    ("top-array", "[]"),
    ("top-string", '"x"'),
    ("top-number", "1"),
    ("top-null", "null"),
    ("top-true", "true"),
    ("top-empty-object", "{}"),
    ("top-missing-default", '{"transports":{}}'),
    ("top-extra-key", pol(extra=',"unexpected":1')),
    ("top-duplicate-default", '{"default":' + R + ',"default":' + A + "}"),
    ("top-duplicate-transports", pol(transports="{}", extra=',"transports":{}')),
    ("top-default-uppercase-key", '{"Default":' + R + "}"),
    ("top-default-escaped-key", '{"\\u0064efault":' + R + "}"),
    ("top-default-null", '{"default":null}'),
    ("top-default-number", '{"default":1}'),
    ("top-default-object", '{"default":{}}'),
    ("top-default-empty", '{"default":[]}'),
    ("top-default-string", '{"default":"reject"}'),
    ("top-transports-null", pol(transports="null")),
    ("top-transports-empty", pol(transports="{}")),
    ("top-transports-array", pol(transports="[]")),
    ("top-transports-number", pol(transports="1")),
    # --- transports and scopes
    ("tr-unknown-transport", pol(transports='{"unknown":{"any scope at all":' + A + "}}")),
    ("tr-atomic-unknown-in-5.23", pol(transports='{"atomic":{"registry/ns":' + A + "}}")),
    ("tr-misspelled-DIR", pol(transports='{"DIR":{"relative":' + A + "}}")),
    ("tr-transport-null", pol(transports='{"docker":null}')),
    ("tr-transport-array", pol(transports='{"docker":[]}')),
    ("tr-duplicate-transport", pol(transports='{"docker":{},"docker":{}}')),
    ("tr-duplicate-scope", pol(transports='{"docker":{"a":' + A + ',"a":' + R + "}}")),
    ("tr-empty-requirements", pol(transports='{"docker":{"a":[]}}')),
    ("tr-null-requirements", pol(transports='{"docker":{"a":null}}')),
    ("tr-docker-scopes-valid", pol(transports='{"docker":{"":' + A + ',"docker.io/library/busybox":' + R
                                   + ',"*.example.com":' + A + ',"example*.*.com":' + A + ',"busybox:latest":' + R + "}}")),
    ("tr-dir-absolute", pol(transports='{"dir":{"/etc":' + A + ',"/this/does/not/exist":' + A + "}}")),
    ("tr-dir-relative", pol(transports='{"dir":{"relative/path":' + A + "}}")),
    ("tr-dir-double-slash", pol(transports='{"dir":{"/double//slashes":' + A + "}}")),
    ("tr-dir-dot", pol(transports='{"dir":{"/has/./dot":' + A + "}}")),
    ("tr-dir-dotdot", pol(transports='{"dir":{"/has/dot/../dot":' + A + "}}")),
    ("tr-dir-trailing-slash", pol(transports='{"dir":{"/trailing/slash/":' + A + "}}")),
    ("tr-dir-root", pol(transports='{"dir":{"/":' + A + "}}")),
    ("tr-oci-relative", pol(transports='{"oci":{"rel":' + A + "}}")),
    ("tr-oci-archive-valid", pol(transports='{"oci-archive":{"/a/b.tar":' + A + "}}")),
    ("tr-sif-trailing", pol(transports='{"sif":{"/a/":' + A + "}}")),
    ("tr-storage-valid", pol(transports='{"containers-storage":{"[/r]":' + A + ',"[vfs@/r]anything goes!!":' + A
                                     + ',"[vfs@/r]busybox@' + ID + '":' + A + ',"[vfs@/r]b:t@' + D + "@" + ID + '":' + A + "}}")),
    ("tr-storage-no-bracket", pol(transports='{"containers-storage":{"busybox":' + A + "}}")),
    ("tr-storage-relative-root", pol(transports='{"containers-storage":{"[vfs@rel]":' + A + "}}")),
    ("tr-storage-empty-spec", pol(transports='{"containers-storage":{"[]":' + A + "}}")),
    ("tr-storage-unclosed", pol(transports='{"containers-storage":{"[/r":' + A + "}}")),
    ("tr-storage-bad-id", pol(transports='{"containers-storage":{"[/r]x@notanid":' + A + "}}")),
    ("tr-docker-archive-scope", pol(transports='{"docker-archive":{"/x.tar":' + A + "}}")),
    ("tr-docker-archive-empty", pol(transports='{"docker-archive":{"":' + A + "}}")),
    ("tr-tarball-scope", pol(transports='{"tarball":{"x":' + A + "}}")),
    ("tr-daemon-digest-scope", pol(transports='{"docker-daemon":{"' + D + '":' + A + "}}")),
    ("tr-daemon-name-scope", pol(transports='{"docker-daemon":{"busybox:latest":' + A + "}}")),
    ("tr-ostree-stub", pol(transports='{"ostree":{"whatever":' + A + "}}")),
    # --- requirement lists and simple types
    ("req-not-object", pol(default='["reject"]')),
    ("req-unknown-type", req('{"type":"rejectAll"}')),
    ("req-type-case", req('{"type":"Reject"}')),
    ("req-missing-type", req("{}")),
    ("req-type-number", req('{"type":1}')),
    ("req-type-null", req('{"type":null}')),
    ("req-uppercase-type-key", req('{"TYPE":"reject"}')),
    ("req-reject-extra", req('{"type":"reject","x":1}')),
    ("req-accept-extra", req('{"type":"insecureAcceptAnything","keyPath":"/k"}')),
    ("req-duplicate-type", req('{"type":"reject","type":"reject"}')),
    ("req-mixed-list", pol(default='[{"type":"insecureAcceptAnything"},{"type":"reject"}]')),
    # --- signedBy
    ("sb-keypath-valid", req('{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k.gpg"}')),
    ("sb-keypaths-valid", req('{"type":"signedBy","keyType":"GPGKeys","keyPaths":["/a","/b"]}')),
    ("sb-keydata-valid", req('{"type":"signedBy","keyType":"GPGKeys","keyData":"' + KEY + '"}')),
    ("sb-no-key", req('{"type":"signedBy","keyType":"GPGKeys"}')),
    ("sb-two-keys", req('{"type":"signedBy","keyType":"GPGKeys","keyPath":"/a","keyData":"' + KEY + '"}')),
    ("sb-missing-keytype", req('{"type":"signedBy","keyPath":"/k"}')),
    ("sb-bad-keytype", req('{"type":"signedBy","keyType":"this is invalid","keyPath":"/k"}')),
    ("sb-keytype-number", req('{"type":"signedBy","keyType":1,"keyPath":"/k"}')),
    ("sb-x509-keytype", req('{"type":"signedBy","keyType":"X509Certificates","keyPath":"/k"}')),
    ("sb-keydata-not-base64", req('{"type":"signedBy","keyType":"GPGKeys","keyData":"not base64!"}')),
    ("sb-keydata-no-padding", req('{"type":"signedBy","keyType":"GPGKeys","keyData":"YWJj"}')),
    ("sb-keydata-bad-padding", req('{"type":"signedBy","keyType":"GPGKeys","keyData":"YWI"}')),
    ("sb-keydata-trailing-bits", req('{"type":"signedBy","keyType":"GPGKeys","keyData":"YWJ="}')),
    ("sb-keydata-newlines", req('{"type":"signedBy","keyType":"GPGKeys","keyData":"YW\\nJj\\r\\n"}')),
    ("sb-keydata-number", req('{"type":"signedBy","keyType":"GPGKeys","keyData":12}')),
    ("sb-keypath-number", req('{"type":"signedBy","keyType":"GPGKeys","keyPath":12}')),
    ("sb-keypath-null", req('{"type":"signedBy","keyType":"GPGKeys","keyPath":null}')),
    ("sb-keypaths-empty", req('{"type":"signedBy","keyType":"GPGKeys","keyPaths":[]}')),
    ("sb-keypaths-string", req('{"type":"signedBy","keyType":"GPGKeys","keyPaths":"/a"}')),
    ("sb-keypaths-number-element", req('{"type":"signedBy","keyType":"GPGKeys","keyPaths":["/a",1]}')),
    ("sb-extra-field", req('{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","x":1}')),
    ("sb-identity-null", req('{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":null}')),
    ("sb-duplicate-keypath", req('{"type":"signedBy","keyType":"GPGKeys","keyPath":"/a","keyPath":"/b"}')),
    # --- signedBaseLayer
    ("sbl-valid", req('{"type":"signedBaseLayer","baseLayerIdentity":{"type":"matchRepository"}}')),
    ("sbl-missing-identity", req('{"type":"signedBaseLayer"}')),
    ("sbl-bad-identity", req('{"type":"signedBaseLayer","baseLayerIdentity":{"type":"nope"}}')),
    # --- signedIdentity (PRMs)
    ("prm-match-exact", prm('{"type":"matchExact"}')),
    ("prm-match-repo-digest", prm('{"type":"matchRepoDigestOrExact"}')),
    ("prm-match-repository", prm('{"type":"matchRepository"}')),
    ("prm-match-exact-extra", prm('{"type":"matchExact","dockerReference":"busybox:latest"}')),
    ("prm-lowercase-type", prm('{"type":"matchexact"}')),
    ("prm-not-object", prm('"matchExact"')),
    ("prm-exact-reference-valid", prm('{"type":"exactReference","dockerReference":"busybox:latest"}')),
    ("prm-exact-reference-digest", prm('{"type":"exactReference","dockerReference":"busybox@' + D + '"}')),
    ("prm-exact-reference-name-only", prm('{"type":"exactReference","dockerReference":"busybox"}')),
    ("prm-exact-reference-invalid", prm('{"type":"exactReference","dockerReference":"UPPERCASE/x:1"}')),
    ("prm-exact-reference-hex", prm('{"type":"exactReference","dockerReference":"' + ID + '"}')),
    ("prm-exact-reference-missing", prm('{"type":"exactReference"}')),
    ("prm-exact-reference-number", prm('{"type":"exactReference","dockerReference":1}')),
    ("prm-exact-repository-valid", prm('{"type":"exactRepository","dockerRepository":"busybox"}')),
    ("prm-exact-repository-tagged", prm('{"type":"exactRepository","dockerRepository":"busybox:latest"}')),
    ("prm-exact-repository-invalid", prm('{"type":"exactRepository","dockerRepository":"a..b"}')),
    ("prm-remap-valid", prm('{"type":"remapIdentity","prefix":"mirror.example","signedPrefix":"docker.io/library"}')),
    ("prm-remap-shortname", prm('{"type":"remapIdentity","prefix":"shortname","signedPrefix":"ns/shortname"}')),
    ("prm-remap-missing-signed", prm('{"type":"remapIdentity","prefix":"mirror.example"}')),
    ("prm-remap-empty-prefix", prm('{"type":"remapIdentity","prefix":"","signedPrefix":"x.example"}')),
    ("prm-remap-tagged-prefix", prm('{"type":"remapIdentity","prefix":"example.com/repo:tag","signedPrefix":"x.example"}')),
    ("prm-remap-underscore", prm('{"type":"remapIdentity","prefix":"x.example","signedPrefix":"repo_with_underscores"}')),
    ("prm-remap-quote-in-prefix", prm('{"type":"remapIdentity","prefix":"a\\"b","signedPrefix":"x.example"}')),
    # --- sigstoreSigned under 5.23.1
    ("sig-keypath-valid", sig('"keyPath":"/etc/pki/cosign/armorred.pub"')),
    ("sig-keydata-valid", sig('"keyData":"' + KEY + '"')),
    ("sig-matchrepository", sig('"keyPath":"/k.pub","signedIdentity":{"type":"matchRepository"}')),
    ("sig-no-key", sig('"signedIdentity":{"type":"matchRepository"}')),
    ("sig-both-keys", sig('"keyPath":"/k.pub","keyData":"' + KEY + '"')),
    ("sig-keypath-empty", sig('"keyPath":""')),
    ("sig-keypath-null", sig('"keyPath":null')),
    ("sig-keydata-null", sig('"keyData":null')),
    ("sig-keydata-bad", sig('"keyData":"%%%"')),
    ("sig-keypaths-newer", sig('"keyPaths":["/a.pub","/b.pub"]')),
    ("sig-keydatas-newer", sig('"keyDatas":["' + KEY + '"]')),
    ("sig-fulcio-newer", sig('"fulcio":{"caPath":"/ca.pem","oidcIssuer":"https://issuer","subjectEmail":"a@b"},"rekorPublicKeyPath":"/r.pub"')),
    ("sig-rekor-path", sig('"keyPath":"/k.pub","rekorPublicKeyPath":"/r.pub"')),
    ("sig-rekor-data", sig('"keyPath":"/k.pub","rekorPublicKeyData":"' + KEY + '"')),
    ("sig-pki-newer", sig('"pki":{"caRootsPath":"/r.pem","subjectEmail":"a@b"}')),
    ("sig-identity-null", sig('"keyPath":"/k.pub","signedIdentity":null')),
    ("sig-identity-bad", sig('"keyPath":"/k.pub","signedIdentity":{"type":"matchExact","x":1}')),
    ("sig-extra-field", sig('"keyPath":"/k.pub","keyType":"GPGKeys"')),
    ("sig-keypath-number", sig('"keyPath":5')),
    ("sig-duplicate-keypath", sig('"keyPath":"/a","keyPath":"/b"')),
    # --- whole realistic files
    ("real-armorred-strict", open(os.path.join(os.path.dirname(OUT), "..", "..", "policies", "armorred-strict.json")).read()),
    ("real-debian-default", '{\n    "default": [\n        {\n            "type": "insecureAcceptAnything"\n        }\n    ]\n}\n'),
    ("real-upstream-default", '{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker-daemon":{"":[{"type":"insecureAcceptAnything"}]}}}'),
    ("real-rhel-signedby", '{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker":{"registry.access.redhat.com":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release"}],"registry.redhat.io":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release"}]},"docker-daemon":{"":[{"type":"insecureAcceptAnything"}]}}}'),
]


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    names = set()
    for i, (name, text) in enumerate(CASES):
        assert name not in names, name
        names.add(name)
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        with open(os.path.join(OUT, "%03d-%s.json" % (i + 1, name)), "wb") as f:
            f.write(data)
    print("%d policies in %s" % (len(CASES), OUT))


def make_image(path):
    """A tiny unsigned image in c/image's `dir:` layout (one empty layer)."""
    import gzip
    import hashlib
    import io
    import json
    import tarfile

    if os.path.isdir(path):
        shutil.rmtree(path)
    os.makedirs(path)
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w", format=tarfile.USTAR_FORMAT) as t:
        info = tarfile.TarInfo("hello.txt")
        body = b"policyctl differential test image\n"
        info.size = len(body)
        info.mtime = 0
        t.addfile(info, io.BytesIO(body))
    layer = gzip.compress(tar.getvalue(), mtime=0)
    diff_id = "sha256:" + hashlib.sha256(tar.getvalue()).hexdigest()
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {}, "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }, sort_keys=True).encode()

    def blob(data):
        h = hashlib.sha256(data).hexdigest()
        with open(os.path.join(path, h), "wb") as f:
            f.write(data)
        return "sha256:" + h

    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": blob(config), "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": blob(layer), "size": len(layer)}],
    }, sort_keys=True).encode()
    with open(os.path.join(path, "manifest.json"), "wb") as f:
        f.write(manifest)
    with open(os.path.join(path, "version"), "w") as f:
        f.write("Directory Transport Version: 1.1\n")




if __name__ == "__main__":
    main()
    make_image(os.path.join(os.path.dirname(OUT), "image"))
