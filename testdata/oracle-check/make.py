#!/usr/bin/env python3
"""Images for tests/diff_current_check.rs: `policyctl check` against current containers/image
(tools/cimage-oracle `check`, i.e. what `skopeo copy` evaluates before copying).

One `dir:` image (and a few in one `oci:` layout) per false accept of issue 8, defects 1-5:
forged schema-1 digests, a list with `manifests` + `Manifests`, ambiguous manifests, platform
choice differences; plus controls. Signatures are sigstore signatures made by c/image's own
signer (`cimage-oracle sign`) with a TEST-ONLY P-256 key generated here (test-only-key.*;
the private key is encrypted with the empty passphrase: anyone can sign with it), stored as
the dir: transport stores them (`signature-N`, `<hex>.signature-N`: 0x00 "sigstore-json" \\n
JSON). Genuine schema-1 JWS by `cimage-oracle schema1-sign` (libtrust, throw-away key).

cases.json lists every check: reference (relative to the repository root), platform
override, which policy, and what the case demonstrates.

    python3 testdata/oracle-check/make.py && cargo test diff_current_check
"""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ORACLE = os.path.join(ROOT, "target", "cimage-oracle")
IDENTITY = "example.com/oracle/app:1"  # signed identity; policy: exactRepository example.com/oracle/app
KEY = os.path.join(HERE, "test-only-key.private")
PUB = os.path.join(HERE, "test-only-key.pub")

OCI_M = "application/vnd.oci.image.manifest.v1+json"
OCI_I = "application/vnd.oci.image.index.v1+json"
OCI_CFG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
V1S = "application/vnd.docker.distribution.manifest.v1+prettyjws"
ZSTD = "io.github.containers.compression.zstd"


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def j(v):
    return json.dumps(v, separators=(",", ":"))


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def tar_of(name, content):
    """A one-file ustar archive (deterministic)."""
    data = content.encode()
    hdr = bytearray(512)
    def put(off, s):
        hdr[off:off + len(s)] = s
    put(0, name.encode())
    put(100, b"0000644\0")
    put(108, b"0000000\0")
    put(116, b"0000000\0")
    put(124, b"%011o\0" % len(data))
    put(136, b"00000000000\0")
    put(148, b"        ")
    put(156, b"0")
    put(257, b"ustar\x0000")
    put(148, b"%06o\0 " % sum(hdr))
    body = data + b"\0" * (-len(data) % 512)
    return bytes(hdr) + body + b"\0" * 1024


class Image:
    """Blobs of one single-arch OCI image: config + one layer."""

    def __init__(self, tag, arch="amd64"):
        self.layer = tar_of("hello.txt", f"oracle-check image {tag}\n")
        self.config = j({"architecture": arch, "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": [sha(self.layer)]}}).encode()

    def manifest(self, **extra):
        m = {"schemaVersion": 2, "mediaType": OCI_M,
             "config": {"mediaType": OCI_CFG, "digest": sha(self.config), "size": len(self.config)},
             "layers": [{"mediaType": OCI_LAYER, "digest": sha(self.layer), "size": len(self.layer)}]}
        m.update(extra)
        return j(m).encode()

    def blobs(self):
        return [self.config, self.layer]


def oracle(*args):
    subprocess.run([ORACLE, *args], check=True)


def sign_file(manifest_path, out):
    oracle("sign", "--key", KEY, "--identity", IDENTITY, manifest_path, out)


class Dir:
    """A dir: image being written."""

    def __init__(self, name):
        self.path = os.path.join(HERE, "dir", name)
        os.makedirs(self.path)
        with open(os.path.join(self.path, "version"), "w") as f:
            f.write("Directory Transport Version: 1.1\n")

    def blob(self, b):
        with open(os.path.join(self.path, sha(b)[7:]), "wb") as f:
            f.write(b)

    def top(self, m, sign_as=None):
        """The top-level manifest; signature-1 over `sign_as` (default: m itself)."""
        with open(os.path.join(self.path, "manifest.json"), "wb") as f:
            f.write(m)
        if sign_as is not None:
            self._sign(sign_as, "signature-1")

    def instance(self, m, signed=False):
        hexd = sha(m)[7:]
        with open(os.path.join(self.path, hexd + ".manifest.json"), "wb") as f:
            f.write(m)
        if signed:
            self._sign(m, hexd + ".signature-1")
        return sha(m)

    def _sign(self, m, name):
        with tempfile.NamedTemporaryFile() as t:
            t.write(m)
            t.flush()
            sign_file(t.name, os.path.join(self.path, name))


CASES = []


def case(ref, demonstrates, policy="sigstore", os_="linux", arch="amd64", variant=""):
    CASES.append({"reference": ref, "policy": policy, "os": os_, "arch": arch, "variant": variant,
                  "demonstrates": demonstrates})


def desc(m, arch="amd64", variant=None, annotations=None, platform=True):
    d = {"mediaType": OCI_M, "digest": sha(m), "size": len(m)}
    if platform:
        d["platform"] = {"architecture": arch, "os": "linux"}
        if variant is not None:
            d["platform"]["variant"] = variant
    if annotations:
        d["annotations"] = annotations
    return d


def make_dir_cases():
    good, evil = Image("good"), Image("evil")
    S, A = good.manifest(), evil.manifest()

    def base(name):
        d = Dir(name)
        for b in good.blobs() + evil.blobs():
            d.blob(b)
        return d

    # --- controls
    base("signed").top(S, sign_as=S)
    case("dir:testdata/oracle-check/dir/signed", "control: signed image")
    base("unsigned").top(S)
    case("dir:testdata/oracle-check/dir/unsigned", "control: no signature")
    base("tampered").top(A, sign_as=S)
    case("dir:testdata/oracle-check/dir/tampered", "control: signature of another manifest")
    d = base("list-signed-amd64")
    idx = j({"schemaVersion": 2, "mediaType": OCI_I, "manifests": [
        desc(S, "amd64"), desc(A, "arm64")]}).encode()
    d.instance(S, signed=True)
    d.instance(A)
    d.top(idx)
    case("dir:testdata/oracle-check/dir/list-signed-amd64", "control: list, signed amd64 instance")
    case("dir:testdata/oracle-check/dir/list-signed-amd64", "control: list, unsigned arm64 instance", arch="arm64")

    # --- defect 1: schema-1 sniffing lets a signature of S cover any manifest
    forged_sig = [{"header": {"alg": "ES256"}, "signature": "AAAA",
                   "protected": b64url(j({"formatLength": 1, "formatTail": b64url(S[1:])}).encode())}]
    m = json.loads(A)
    m["mediaType"] = V1S
    m["signatures"] = forged_sig
    base("d1-mediatype-prettyjws").top(j(m).encode(), sign_as=S)
    case("dir:testdata/oracle-check/dir/d1-mediatype-prettyjws",
         "defect 1: schemaVersion 2 with mediaType v1+prettyjws and a forged JWS header whose payload is the signed manifest")
    evil_fields = json.loads(A)
    del evil_fields["schemaVersion"], evil_fields["mediaType"]
    body = j(evil_fields)[1:-1]
    m1 = ('{"schemaVersion":1,' + body + ',"signatures":' + j(forged_sig) + ',"SchemaVersion":2}').encode()
    base("d1-schemaversion-1-then-2").top(m1, sign_as=S)
    case("dir:testdata/oracle-check/dir/d1-schemaversion-1-then-2",
         "defect 1: schemaVersion 1 then SchemaVersion 2 (Go: 2) with a forged JWS header")
    m1b = ('{"schemaVersion":1,' + body + ',"signatures":' + j(forged_sig) + "}").encode()
    base("d1-schema1-oci-body-forged").top(m1b, sign_as=S)
    case("dir:testdata/oracle-check/dir/d1-schema1-oci-body-forged",
         "defect 1: schemaVersion 1 with OCI config/layers and a forged JWS header (5.23.1 accepts, then fails to parse)")

    # --- defect 2: real schema-1 images with layers that are not the signed ones
    s1_layer, evil_layer = tar_of("s1.txt", "schema1 good\n"), tar_of("s1.txt", "schema1 evil\n")
    v1c = j({"id": "1" * 64, "created": "2020-01-01T00:00:00Z", "architecture": "amd64", "os": "linux", "config": {}})
    unsigned = json.dumps({"schemaVersion": 1, "name": "oracle/app", "tag": "1", "architecture": "amd64",
                           "fsLayers": [{"blobSum": sha(s1_layer)}], "history": [{"v1Compatibility": v1c}]},
                          indent=3).encode()
    with tempfile.TemporaryDirectory() as t:
        with open(os.path.join(t, "in.json"), "wb") as f:
            f.write(unsigned)
        oracle("schema1-sign", os.path.join(t, "in.json"), os.path.join(t, "out.json"))
        genuine = open(os.path.join(t, "out.json"), "rb").read()
    gobj = json.loads(genuine)
    prot = json.loads(base64.urlsafe_b64decode(gobj["signatures"][0]["protected"] + "=="))
    flen = prot["formatLength"]
    payload = genuine[:flen] + base64.urlsafe_b64decode(prot["formatTail"] + "==")

    def s1dir(name, m):
        d = Dir(name)
        d.blob(s1_layer)
        d.blob(evil_layer)
        d.top(m, sign_as=genuine)
        return d

    s1dir("d2-schema1-genuine", genuine)
    case("dir:testdata/oracle-check/dir/d2-schema1-genuine", "defect 2 control: genuine signed schema 1, sigstore-signed")
    foreign = genuine[:flen] + b',"signatures":' + j(gobj["signatures"]).encode() + \
        b',"fsLayers":[{"blobSum":"' + sha(evil_layer).encode() + b'"}]}'
    s1dir("d2-schema1-foreign-fslayers", foreign)
    case("dir:testdata/oracle-check/dir/d2-schema1-foreign-fslayers",
         "defect 2: genuine JWS prefix, a second fsLayers after signatures (Go: last wins) names other layers")
    forged = json.loads(unsigned)
    forged["fsLayers"] = [{"blobSum": sha(evil_layer)}]
    forged["signatures"] = [{"header": gobj["signatures"][0]["header"], "signature": gobj["signatures"][0]["signature"],
                             "protected": b64url(j({"formatLength": 1, "formatTail": b64url(payload[1:])}).encode())}]
    s1dir("d2-schema1-forged-header", json.dumps(forged, indent=3).encode())
    case("dir:testdata/oracle-check/dir/d2-schema1-forged-header",
         "defect 2: schema 1 with other fsLayers and a JWS header (formatLength 1) reconstructing the signed payload")
    neg = json.loads(unsigned)
    neg["signatures"] = [{"header": {"alg": "ES256"}, "signature": "AA",
                          "protected": b64url(j({"formatLength": -1, "formatTail": "e30"}).encode())}]
    s1dir("d2-schema1-negative-formatlength", json.dumps(neg, indent=3).encode())
    case("dir:testdata/oracle-check/dir/d2-schema1-negative-formatlength",
         "defect 2: formatLength -1 (c/image panics in libtrust; skopeo crashes)")

    # --- defect 3: lists read with exact-case keys
    def list_dir(name, top_bytes, signed, unsigned_):
        d = base(name)
        for m in signed:
            d.instance(m, signed=True)
        for m in unsigned_:
            d.instance(m)
        d.top(top_bytes)

    S2 = good.manifest()
    list_dir("d3-manifests-Manifests",
             ('{"schemaVersion":2,"mediaType":"' + OCI_I + '","manifests":' + j([desc(S2)]) +
              ',"Manifests":' + j([desc(A)]) + "}").encode(), [S2], [A])
    case("dir:testdata/oracle-check/dir/d3-manifests-Manifests",
         "defect 3: manifests (signed instance) then Manifests (attacker's): Go decodes the last")
    list_dir("d3-manifests-twice-merge",
             ('{"schemaVersion":2,"mediaType":"' + OCI_I + '","manifests":' + j([desc(S2)]) +
              ',"manifests":[{"digest":"' + sha(A) + '","size":' + str(len(A)) + "}]}").encode(), [S2], [A])
    case("dir:testdata/oracle-check/dir/d3-manifests-twice-merge",
         "defect 3: a second manifests array decoded into the first one's elements (platform kept, digest replaced)")
    pa = desc(A, "arm64")
    pa["platform"]["Architecture"] = "amd64"
    list_dir("d3-platform-Architecture",
             j({"schemaVersion": 2, "mediaType": OCI_I, "manifests": [pa, desc(S2)]}).encode(), [S2], [A])
    case("dir:testdata/oracle-check/dir/d3-platform-Architecture",
         "defect 3: platform with architecture arm64 and Architecture amd64 (Go: amd64) before the signed amd64 instance")
    list_dir("d3-manifeſts",
             ('{"schemaVersion":2,"mediaType":"' + OCI_I + '","manifests":' + j([desc(S2)]) +
              ',"manife\u017fts":' + j([desc(A)]) + "}").encode(), [S2], [A])
    case("dir:testdata/oracle-check/dir/d3-manifeſts",
         "defect 3: a second key spelled manifeſts (U+017F folds to s in Go)")
    top = ('{"schemaVersion":2,"mediaType":"' + OCI_M + '","MediaType":"' + OCI_I +
           '","manifests":' + j([desc(A)]) + "}").encode()
    d = base("d3-mediaType-MediaType")
    d.instance(A)
    d.top(top, sign_as=top)
    case("dir:testdata/oracle-check/dir/d3-mediaType-MediaType",
         "defect 3: signed top level with mediaType (manifest) then MediaType (index, Go's): c/image evaluates the unsigned instance")

    # --- defect 4: ambiguous manifests
    idx = json.loads(j({"schemaVersion": 2, "mediaType": OCI_I, "manifests": [desc(S2)]}))
    idx["layers"] = json.loads(S2)["layers"]
    list_dir("d4-index-with-layers", j(idx).encode(), [S2], [])
    case("dir:testdata/oracle-check/dir/d4-index-with-layers", "defect 4: an index that also has layers")
    idx = json.loads(j({"schemaVersion": 2, "mediaType": OCI_I, "manifests": [desc(S2)]}))
    idx["config"] = json.loads(S2)["config"]
    list_dir("d4-index-with-config", j(idx).encode(), [S2], [])
    case("dir:testdata/oracle-check/dir/d4-index-with-config", "defect 4: an index that also has config")
    mm = good.manifest(manifests=[desc(A)])
    base("d4-manifest-with-manifests").top(mm, sign_as=mm)
    case("dir:testdata/oracle-check/dir/d4-manifest-with-manifests",
         "defect 4: a signed manifest that also has manifests (c/image: allowed by the policy, then refused by FromUnparsedImage)")
    idx = json.loads(j({"schemaVersion": 2, "manifests": [desc(S2)]}))
    idx["config"] = {"mediaType": OCI_CFG, "digest": sha(good.config), "size": len(good.config)}
    idx["layers"] = json.loads(S2)["layers"]
    tb = j(idx).encode()
    d = base("d4-nomt-index-and-manifest")
    d.instance(S2, signed=True)
    d.top(tb, sign_as=tb)
    case("dir:testdata/oracle-check/dir/d4-nomt-index-and-manifest",
         "defect 4: no mediaType, config + layers + manifests (guessed as a manifest), signed top level")

    # --- defect 5: platform choice
    list_dir("d5-amd64-variant",
             j({"schemaVersion": 2, "mediaType": OCI_I, "manifests": [desc(S2, "amd64", "v3"), desc(A, "amd64")]}).encode(),
             [S2], [A])
    case("dir:testdata/oracle-check/dir/d5-amd64-variant",
         "defect 5: signed amd64/v3 then unsigned amd64: c/image wants variant \"\" exactly")
    list_dir("d5-arm64-order",
             j({"schemaVersion": 2, "mediaType": OCI_I, "manifests": [desc(S2, "arm64", "v8"), desc(A, "arm64")]}).encode(),
             [S2], [A])
    case("dir:testdata/oracle-check/dir/d5-arm64-order",
         "defect 5: signed arm64/v8 then unsigned arm64: c/image tries variant \"\" before v8", arch="arm64")
    list_dir("d5-zstd",
             j({"schemaVersion": 2, "mediaType": OCI_I, "manifests": [desc(S2), desc(A, annotations={ZSTD: "true"})]}).encode(),
             [S2], [A])
    case("dir:testdata/oracle-check/dir/d5-zstd",
         "defect 5: signed gzip instance then unsigned zstd-annotated one: current c/image prefers zstd")
    list_dir("d5-no-platform-fallback",
             j({"schemaVersion": 2, "mediaType": OCI_I, "manifests": [desc(S2, platform=False), desc(A, "arm64")]}).encode(),
             [S2], [A])
    case("dir:testdata/oracle-check/dir/d5-no-platform-fallback",
         "defect 5: no amd64 entry: an OCI index falls back to its first platform-less entry (signed)")
    list_dir("d5-no-platform-unsigned",
             j({"schemaVersion": 2, "mediaType": OCI_I, "manifests": [desc(A, platform=False), desc(S2, "arm64")]}).encode(),
             [S2], [A])
    case("dir:testdata/oracle-check/dir/d5-no-platform-unsigned",
         "defect 5: no amd64 entry: the platform-less fallback is unsigned")
    list_dir("d5-arm-variant",
             j({"schemaVersion": 2, "mediaType": OCI_I, "manifests": [desc(A, "arm", "v8"), desc(S2, "arm", "v6")]}).encode(),
             [S2], [A])
    case("dir:testdata/oracle-check/dir/d5-arm-variant",
         "defect 5: arm/v7 wanted: v8 is never chosen, v6 is (signed)", arch="arm", variant="v7")
    case("dir:testdata/oracle-check/dir/d5-arm-variant",
         "defect 5: arm/v8 wanted: v8 first (unsigned)", arch="arm", variant="v8")


def make_oci_cases():
    """oci: never has signatures: accept-anything policy; c/image's errors are the difference."""
    root = os.path.join(HERE, "oci")
    os.makedirs(os.path.join(root, "blobs", "sha256"))
    with open(os.path.join(root, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')

    def blob(b):
        with open(os.path.join(root, "blobs", "sha256", sha(b)[7:]), "wb") as f:
            f.write(b)
        return sha(b)

    good, evil = Image("oci-good"), Image("oci-evil")
    for b in good.blobs():
        blob(b)
    S, A = good.manifest(), evil.manifest()  # A's manifest blob is deliberately absent
    blob(S)
    refs = []

    def ref(name, top, mt):
        blob(top)
        refs.append({"mediaType": mt, "digest": sha(top), "size": len(top),
                     "annotations": {"org.opencontainers.image.ref.name": name}})

    ref("plain", S, OCI_M)
    case("oci:testdata/oracle-check/oci:plain", "control: oci image", policy="accept")
    idx = {"schemaVersion": 2, "mediaType": OCI_I, "manifests": [desc(S)], "layers": json.loads(S)["layers"]}
    ref("index-with-layers", j(idx).encode(), OCI_I)
    case("oci:testdata/oracle-check/oci:index-with-layers", "defect 4: an index with layers", policy="accept")
    mm = good.manifest(manifests=[desc(S)])
    ref("manifest-with-manifests", mm, OCI_M)
    case("oci:testdata/oracle-check/oci:manifest-with-manifests", "defect 4: a manifest with manifests", policy="accept")
    top = ('{"schemaVersion":2,"mediaType":"' + OCI_I + '","manifests":' + j([desc(S)]) +
           ',"Manifests":' + j([desc(A)]) + "}").encode()
    ref("manifests-Manifests", top, OCI_I)
    case("oci:testdata/oracle-check/oci:manifests-Manifests",
         "defect 3: Manifests names an instance that is not in the layout", policy="accept")
    ref("zstd-missing", j({"schemaVersion": 2, "mediaType": OCI_I,
                           "manifests": [desc(S), desc(A, annotations={ZSTD: "true"})]}).encode(), OCI_I)
    case("oci:testdata/oracle-check/oci:zstd-missing",
         "defect 5: current c/image chooses the zstd instance, which is not in the layout", policy="accept")
    ref("variant-missing", j({"schemaVersion": 2, "mediaType": OCI_I,
                              "manifests": [desc(S, "amd64", "v3"), desc(A, "amd64")]}).encode(), OCI_I)
    case("oci:testdata/oracle-check/oci:variant-missing",
         "defect 5: c/image chooses the variant-less amd64 instance, which is not in the layout", policy="accept")
    with open(os.path.join(root, "index.json"), "w") as f:
        f.write(j({"schemaVersion": 2, "manifests": refs}))


def main():
    if not os.path.exists(ORACLE):
        subprocess.run([os.path.join(ROOT, "tools/build-cimage-oracle.sh"), os.path.join(ROOT, "target")], check=True)
    if not (os.path.exists(KEY) and os.path.exists(PUB)):
        oracle("gen-key", KEY, PUB)
    for sub in ["dir", "oci"]:
        shutil.rmtree(os.path.join(HERE, sub), ignore_errors=True)
    make_dir_cases()
    make_oci_cases()
    with open(os.path.join(HERE, "cases.json"), "w") as f:
        json.dump({"identity": IDENTITY, "cases": CASES}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{len(CASES)} checks written to testdata/oracle-check")


if __name__ == "__main__":
    main()
