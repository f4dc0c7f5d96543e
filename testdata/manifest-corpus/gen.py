#!/usr/bin/env python3
"""Manifest corpus for the differential test against containers/image (tests/diff_manifest.rs).

Writes cases.jsonl: one {"id", "category", "blob" (base64), "platforms"} per line. Each blob is
built as raw JSON text so that it can carry what Go's encoding/json decodes in its own way:
duplicate keys (the last wins; a duplicate array is decoded into the SAME slice, so its elements
merge with the earlier ones, as do pointer structs and maps), keys folded case-insensitively
with Unicode simple folding (U+017F "ſ" matches "s", U+212A "K" matches "k"), null for every
field, wrong types, libtrust schema-1 signatures (genuine and forged), ambiguous manifests,
platform and variant choice, zstd-annotated instances, upstream fixtures.

Then, unless --no-record, it builds the Go oracles (tools/build-cimage-oracle.sh) and records
what current c/image and c/image 5.23.1 say about each case into expected.jsonl.

    python3 testdata/manifest-corpus/gen.py && cargo test diff_manifest
"""

import base64
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GOMOD = os.environ.get("GOMODCACHE") or os.path.expanduser("~/go/pkg/mod")
UPSTREAM_CURRENT = os.path.join(GOMOD, "go.podman.io/image/v5@v5.42.1")
UPSTREAM_523 = os.path.join(GOMOD, "github.com/containers/image/v5@v5.23.1")

OCI_M = "application/vnd.oci.image.manifest.v1+json"
OCI_I = "application/vnd.oci.image.index.v1+json"
OCI_CFG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
V2S2 = "application/vnd.docker.distribution.manifest.v2+json"
LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
V1 = "application/vnd.docker.distribution.manifest.v1+json"
V1S = "application/vnd.docker.distribution.manifest.v1+prettyjws"
D_CFG = "application/vnd.docker.container.image.v1+json"
D_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
CUSTOM_CFG = "application/vnd.example.custom.config.v1+json"
ZSTD = "io.github.containers.compression.zstd"

LONG_S = "\u017f"  # ſ, folds to s
KELVIN = "\u212a"  # K, folds to k
DOTLESS_I = "\u0131"  # ı, does NOT fold to i


SHORT = {OCI_M: "oci", OCI_I: "index", V2S2: "v2s2", LIST: "list", V1: "v1", V1S: "v1s", None: "null"}


def D(c):
    return "sha256:" + c * 64


# Platforms every list case is asked about (skopeo --override-os/--override-arch/--override-variant).
PLATFORMS = [
    {"os": "linux", "architecture": "amd64", "variant": ""},
    {"os": "linux", "architecture": "amd64", "variant": "v3"},
    {"os": "linux", "architecture": "arm64", "variant": ""},
    {"os": "linux", "architecture": "arm64", "variant": "v8"},
    {"os": "linux", "architecture": "arm", "variant": ""},
    {"os": "linux", "architecture": "arm", "variant": "v7"},
    {"os": "linux", "architecture": "arm", "variant": "v6"},
    {"os": "linux", "architecture": "arm", "variant": "v5"},
    {"os": "windows", "architecture": "amd64", "variant": ""},
    {"os": "linux", "architecture": "s390x", "variant": ""},
]


class Raw(str):
    """Already-serialized JSON text."""


class Obj:
    """A JSON object as an ordered list of (key, value) pairs: duplicates allowed."""

    def __init__(self, *pairs):
        self.pairs = list(pairs)

    def with_(self, key, value):
        """Replaces every member named exactly `key` (or appends it)."""
        out, done = [], False
        for k, v in self.pairs:
            if k == key:
                if not done:
                    out.append((key, value))
                    done = True
            else:
                out.append((k, v))
        if not done:
            out.append((key, value))
        return Obj(*out)

    def without(self, key):
        return Obj(*[(k, v) for k, v in self.pairs if k != key])

    def plus(self, *pairs):
        return Obj(*(self.pairs + list(pairs)))

    def first(self, *pairs):
        return Obj(*(list(pairs) + self.pairs))

    def rename(self, key, new):
        return Obj(*[(new if k == key else k, v) for k, v in self.pairs])


def enc(v):
    if isinstance(v, Raw):
        return str(v)
    if isinstance(v, Obj):
        return "{" + ",".join(enc_key(k) + ":" + enc(x) for k, x in v.pairs) + "}"
    if isinstance(v, dict):
        return enc(Obj(*v.items()))
    if isinstance(v, list):
        return "[" + ",".join(enc(x) for x in v) + "]"
    return json.dumps(v, ensure_ascii=False)


def enc_key(k):
    return k if isinstance(k, Raw) else json.dumps(k, ensure_ascii=False)


def desc(mt, dig, size=1, platform=None, annotations=None, extra=()):
    pairs = [("mediaType", mt), ("digest", dig), ("size", size)]
    if platform is not None:
        pairs.append(("platform", platform))
    if annotations is not None:
        pairs.append(("annotations", annotations))
    return Obj(*(pairs + list(extra)))


def plat(os_="linux", arch="amd64", variant=None, **extra):
    pairs = [("architecture", arch), ("os", os_)]
    if variant is not None:
        pairs.append(("variant", variant))
    pairs += list(extra.items())
    return Obj(*pairs)


CFG_OCI = desc(OCI_CFG, D("c"), 100)
CFG_DOCKER = desc(D_CFG, D("c"), 100)
LAYERS_OCI = [desc(OCI_LAYER, D("1"), 10)]
LAYERS_DOCKER = [desc(D_LAYER, D("1"), 10)]


def oci_manifest(mt=True):
    o = Obj(("schemaVersion", 2))
    if mt:
        o = o.plus(("mediaType", OCI_M))
    return o.plus(("config", CFG_OCI), ("layers", LAYERS_OCI))


def v2s2_manifest(mt=True):
    o = Obj(("schemaVersion", 2))
    if mt:
        o = o.plus(("mediaType", V2S2))
    return o.plus(("config", CFG_DOCKER), ("layers", LAYERS_DOCKER))


def entries_std(mt=OCI_M):
    return [
        desc(mt, D("a"), 11, plat("linux", "amd64")),
        desc(mt, D("b"), 12, plat("linux", "arm64", "v8")),
        desc(mt, D("d"), 13, plat("linux", "arm", "v7")),
    ]


def oci_index(entries=None, mt=True):
    o = Obj(("schemaVersion", 2))
    if mt:
        o = o.plus(("mediaType", OCI_I))
    return o.plus(("manifests", entries_std() if entries is None else entries))


def docker_list(entries=None):
    return Obj(("schemaVersion", 2), ("mediaType", LIST),
               ("manifests", entries_std(V2S2) if entries is None else entries))


def schema1_unsigned():
    return Obj(("schemaVersion", 1), ("name", "example.com/x"), ("tag", "1"), ("architecture", "amd64"),
               ("fsLayers", [{"blobSum": D("1")}]),
               ("history", [{"v1Compatibility": json.dumps({"id": "1" * 64})}]))


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def protected(fields):
    return b64url(enc(fields).encode())


def jws_sig(prot, header=None):
    if header is None:
        header = Obj(("alg", "ES256"), ("jwk", GENUINE_JWK))
    return Obj(("header", header), ("signature", "AAAA"), ("protected", prot))


CASES = []
SEEN = set()


def add(category, name, blob):
    cid = f"{category}/{name}"
    assert cid not in SEEN, cid
    SEEN.add(cid)
    if not isinstance(blob, bytes):
        blob = (blob if isinstance(blob, str) else enc(blob)).encode("utf-8", "surrogatepass")
    CASES.append({"id": cid, "category": category,
                  "blob": base64.b64encode(blob).decode(), "platforms": PLATFORMS})


# --- genuine schema 1 (libtrust pretty JWS made by `cimage-oracle schema1-sign`)
GENUINE = open(os.path.join(HERE, "schema1-genuine.json"), "rb").read()
GENUINE_OBJ = json.loads(GENUINE)
GENUINE_JWK = GENUINE_OBJ["signatures"][0]["header"]["jwk"]
GENUINE_PROT = json.loads(base64.urlsafe_b64decode(GENUINE_OBJ["signatures"][0]["protected"] + "=="))
GENUINE_LEN = GENUINE_PROT["formatLength"]
GENUINE_PAYLOAD = GENUINE[:GENUINE_LEN] + base64.urlsafe_b64decode(GENUINE_PROT["formatTail"] + "==")


def bases():
    return {
        "oci": oci_manifest(),
        "oci-nomt": oci_manifest(False),
        "v2s2": v2s2_manifest(),
        "v2s2-nomt": v2s2_manifest(False),
        "index": oci_index(),
        "index-nomt": oci_index(mt=False),
        "list": docker_list(),
        "schema1": schema1_unsigned(),
    }


def gen_plain():
    for name, o in bases().items():
        add("plain", name, o)
    add("plain", "schema1-genuine", GENUINE)
    add("plain", "oci-pretty", json.dumps(json.loads(enc(oci_manifest())), indent=3))
    add("plain", "index-pretty", json.dumps(json.loads(enc(oci_index())), indent="\t"))


def gen_mediatype():
    values = {"oci": OCI_M, "index": OCI_I, "v2s2": V2S2, "list": LIST, "v1": V1, "v1s": V1S,
              "custom": CUSTOM_CFG, "empty": "", "null": None, "int": 1, "upper": OCI_M.upper(),
              "space": " " + OCI_M, "object": {}}
    for bname, base in bases().items():
        if bname.endswith("-nomt"):
            continue
        for vname, v in values.items():
            add("mediatype", f"{bname}-{vname}", base.with_("mediaType", v))
    for vname in ["oci", "index", "v2s2", "list", "v1", "v1s"]:
        add("mediatype", f"schema1-genuine-{vname}",
            Raw(GENUINE.decode().replace("{", '{"mediaType":' + json.dumps(values[vname]) + ",", 1)))


def gen_schemaversion():
    svs = {"1": Raw("1"), "2": Raw("2"), "3": Raw("3"), "0": Raw("0"), "neg1": Raw("-1"),
           "str2": "2", "str1": "1", "float2": Raw("2.0"), "float1": Raw("1.0"), "exp1": Raw("1e0"),
           "exp2": Raw("2e0"), "exp2b": Raw("0.2e1"), "exp2c": Raw("20e-1"), "true": True,
           "null": None, "half": Raw("1.5"), "huge": Raw("9223372036854775808"), "negzero": Raw("-0")}
    docs = {"oci": oci_manifest(False), "index": oci_index(mt=False),
            "schema1-signed": schema1_unsigned().plus(("signatures", [])),
            "schema1": schema1_unsigned(), "oci-mt": oci_manifest(True)}
    for dname, d in docs.items():
        for sname, sv in svs.items():
            add("schemaversion", f"{dname}-{sname}", d.with_("schemaVersion", sv))


def gen_dupkeys():
    s1 = schema1_unsigned().without("schemaVersion")
    add("dupkeys", "schemaversion-1-then-2", s1.first(("schemaVersion", 1), ("schemaVersion", 2)))
    add("dupkeys", "schemaversion-2-then-1", s1.first(("schemaVersion", 2), ("schemaVersion", 1)))
    add("dupkeys", "schemaversion-1-then-2-signed",
        s1.first(("schemaVersion", 1)).plus(("signatures", []), ("schemaVersion", 2)))
    add("dupkeys", "schemaversion-1-then-Schema2-signed",
        s1.first(("schemaVersion", 1)).plus(("signatures", []), ("SchemaVersion", 2)))
    add("dupkeys", "schemaversion-2-then-1-oci", oci_manifest(False).plus(("schemaVersion", 1)))
    add("dupkeys", "schemaversion-2-then-null", oci_manifest(False).plus(("schemaVersion", None)))
    for a, b in [(OCI_M, OCI_I), (OCI_I, OCI_M), (V2S2, V1S), (V1S, V2S2), (OCI_M, None), (None, OCI_M),
                 (LIST, OCI_I), (OCI_I, LIST)]:
        an, bn = SHORT[a], SHORT[b]
        add("dupkeys", f"mediatype-{an}-then-MediaType-{bn}-index",
            oci_index(mt=False).first(("mediaType", a)).plus(("MediaType", b)))
        add("dupkeys", f"mediatype-{an}-then-mediaType-{bn}-manifest",
            oci_manifest(False).first(("mediaType", a)).plus(("mediaType", b)))
    e = entries_std()
    attacker = [desc(OCI_M, D("e"), 99, plat("linux", "amd64"))]
    for key in ["manifests", "Manifests", "MANIFESTS", "manifest" + LONG_S, "Manife" + LONG_S + "ts"]:
        k = key
        add("dupkeys", f"manifests-long-then-{k}-short", oci_index().plus((key, attacker)))
        add("dupkeys", f"manifests-short-then-{k}-long",
            oci_index(attacker).plus((key, e)))
        add("dupkeys", f"list-manifests-long-then-{k}-short", docker_list().plus((key, attacker)))
    # The second array is decoded into the first one's elements: fields it lacks are kept.
    add("dupkeys", "manifests-merge-no-platform",
        oci_index().plus(("manifests", [Obj(("digest", D("e")))])))
    add("dupkeys", "manifests-merge-partial-platform",
        oci_index().plus(("manifests", [Obj(("digest", D("e")), ("platform", Obj(("os", "linux"))))])))
    add("dupkeys", "manifests-merge-platform-arch-only",
        oci_index([desc(OCI_M, D("a"), 1, plat("linux", "arm64", "v8"))])
        .plus(("manifests", [Obj(("digest", D("e")), ("platform", Obj(("architecture", "amd64"))))])))
    add("dupkeys", "manifests-merge-null-platform",
        oci_index().plus(("manifests", [Obj(("digest", D("e")), ("platform", None))])))
    add("dupkeys", "manifests-merge-empty-objects", oci_index().plus(("manifests", [{}, {}])))
    add("dupkeys", "manifests-then-null", oci_index().plus(("manifests", None)))
    add("dupkeys", "manifests-then-empty", oci_index().plus(("manifests", [])))
    add("dupkeys", "list-merge-no-platform",
        docker_list().plus(("manifests", [Obj(("digest", D("e")))])))
    add("dupkeys", "list-merge-partial-platform",
        docker_list().plus(("manifests", [Obj(("digest", D("e")), ("platform", Obj(("os", "linux"))))])))
    zstd_first = [desc(OCI_M, D("a"), 1, plat(), {ZSTD: "true"}), desc(OCI_M, D("b"), 1, plat())]
    add("dupkeys", "manifests-merge-keeps-zstd-annotation",
        oci_index(zstd_first).plus(("manifests", [Obj(("digest", D("e")), ("platform", plat())),
                                                  Obj(("digest", D("f")), ("platform", plat()))])))
    add("dupkeys", "manifests-merge-annotations-null",
        oci_index(zstd_first).plus(("manifests", [Obj(("digest", D("e")), ("annotations", None)),
                                                  Obj(("digest", D("f")))])))
    add("dupkeys", "manifests-merge-annotations-other-key",
        oci_index(zstd_first).plus(("manifests", [Obj(("digest", D("e")), ("annotations", {"x": "y"})),
                                                  Obj(("digest", D("f")))])))
    # Duplicates inside one entry / platform.
    add("dupkeys", "platform-architecture-Architecture",
        oci_index([desc(OCI_M, D("a"), 1, plat("linux", "arm64").plus(("Architecture", "amd64"))),
                   desc(OCI_M, D("b"), 1, plat("linux", "amd64"))]))
    add("dupkeys", "platform-os-OS",
        oci_index([desc(OCI_M, D("a"), 1, plat("windows", "amd64").plus(("OS", "linux"))),
                   desc(OCI_M, D("b"), 1, plat("linux", "amd64"))]))
    add("dupkeys", "platform-variant-twice",
        oci_index([desc(OCI_M, D("a"), 1, plat("linux", "arm", "v6").plus(("Variant", "v7"))),
                   desc(OCI_M, D("b"), 1, plat("linux", "arm", "v7"))]))
    add("dupkeys", "entry-digest-Digest",
        oci_index([desc(OCI_M, D("a"), 1, plat()).plus(("Digest", D("e")))]))
    add("dupkeys", "entry-platform-twice",
        oci_index([desc(OCI_M, D("a"), 1, plat("linux", "arm64")).plus(("platform", Obj(("os", "linux"))))]))
    add("dupkeys", "list-platform-architecture-Architecture",
        docker_list([desc(V2S2, D("a"), 1, plat("linux", "arm64").plus(("Architecture", "amd64"))),
                     desc(V2S2, D("b"), 1, plat("linux", "amd64"))]))
    # config twice: the second object is decoded into the first one's struct.
    add("dupkeys", "config-twice-second-without-mediatype",
        oci_manifest(False).plus(("config", Obj(("digest", D("e")), ("size", 1)))))
    add("dupkeys", "config-twice-second-docker", oci_manifest(False).plus(("config", CFG_DOCKER)))
    add("dupkeys", "config-twice-second-null", oci_manifest(False).plus(("config", None)))
    add("dupkeys", "Config-after-config", oci_manifest(False).plus(("Config", desc(D_CFG, D("c")))))
    add("dupkeys", "index-config-then-null", oci_index(mt=False).plus(("config", None)).first(
        ("config", CFG_OCI)))
    # signatures twice
    s1 = schema1_unsigned()
    add("dupkeys", "signatures-array-then-null", s1.plus(("signatures", []), ("signatures", None)))
    add("dupkeys", "signatures-null-then-array", s1.plus(("signatures", None), ("signatures", [])))
    add("dupkeys", "signatures-then-Signatures-null", s1.plus(("signatures", []), ("Signatures", None)))
    add("dupkeys", "layers-twice", oci_manifest().plus(("layers", [])))


def fold_variants(key):
    out = {"upper": key.upper(), "lower": key.lower(), "title": key[0].upper() + key[1:]}
    if "s" in key:
        out["longs"] = key.replace("s", LONG_S)
        out["longs-escaped"] = Raw(json.dumps(key.replace("s", LONG_S), ensure_ascii=True))
    if "S" in key:
        out["longs-for-S"] = key.replace("S", LONG_S)
    if "k" in key or "K" in key:
        out["kelvin"] = key.replace("k", KELVIN).replace("K", KELVIN)
    if "i" in key:
        out["dotless-i"] = key.replace("i", DOTLESS_I)
    out["trailing-space"] = key + " "
    return out


def gen_casefold():
    def keyed(obj, key, new):
        return obj.rename(key, new)

    for tag, key, doc in [("mediaType-index", "mediaType", oci_index()),
                          ("mediaType-v2s2", "mediaType", v2s2_manifest()),
                          ("schemaVersion-oci", "schemaVersion", oci_manifest(False)),
                          ("schemaVersion-schema1", "schemaVersion", schema1_unsigned()),
                          ("manifests-nomt", "manifests", oci_index(mt=False)),
                          ("manifests-mt", "manifests", oci_index()),
                          ("config", "config", oci_manifest(False))]:
        for vname, new in fold_variants(key).items():
            add("casefold", f"{tag}-{vname}", keyed(doc, key, new))
    # config.mediaType folded
    for vname, new in fold_variants("mediaType").items():
        add("casefold", f"config-mediaType-{vname}",
            oci_manifest(False).with_("config", CFG_OCI.rename("mediaType", new)))
    # signatures folded (GuessMIMEType folds; libtrust's map lookup does not)
    for vname, new in fold_variants("signatures").items():
        add("casefold", f"signatures-{vname}", schema1_unsigned().plus((new, [])))
        g = GENUINE.decode().replace('"signatures"', json.dumps(new, ensure_ascii=False) if not isinstance(new, Raw) else new)
        add("casefold", f"genuine-signatures-{vname}", g)
    # platform keys folded
    for pkey in ["architecture", "os", "variant"]:
        for vname, new in fold_variants(pkey).items():
            p = plat("linux", "arm64", "v8").rename(pkey, new)
            add("casefold", f"platform-{pkey}-{vname}",
                oci_index([desc(OCI_M, D("a"), 1, p), desc(OCI_M, D("b"), 1, plat("linux", "amd64"))]))
    for vname, new in fold_variants("platform").items():
        add("casefold", f"entry-platform-{vname}",
            oci_index([desc(OCI_M, D("a"), 1).plus((new, plat("linux", "amd64")))]))
    for vname, new in fold_variants("digest").items():
        add("casefold", f"entry-digest-{vname}",
            oci_index([desc(OCI_M, D("a"), 1, plat()).rename("digest", new)]))
    for vname, new in fold_variants("annotations").items():
        add("casefold", f"entry-annotations-{vname}",
            oci_index([desc(OCI_M, D("a"), 1, plat()), desc(OCI_M, D("b"), 1, plat()).plus((new, {ZSTD: "true"}))]))
    # libtrust header: "jwk" folded (jsHeader is a Go struct: "jwK" with a Kelvin sign is the JWK)
    for vname, new in fold_variants("jwk").items():
        sig = jws_sig(protected(Obj(("formatLength", GENUINE_LEN), ("formatTail", GENUINE_PROT["formatTail"]))),
                      Obj(("alg", "ES256"), (new, {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"})))
        add("casefold", f"jws-header-jwk-{vname}", Raw(GENUINE[:GENUINE_LEN].decode() + ',"signatures":[' + enc(sig) + "]}"))
    # protected header keys are read from a map: exact case only.
    for vname, new in fold_variants("formatLength").items():
        prot = protected(Obj((new, GENUINE_LEN), ("formatTail", GENUINE_PROT["formatTail"])))
        add("casefold", f"jws-protected-formatLength-{vname}",
            Raw(GENUINE[:GENUINE_LEN].decode() + ',"signatures":[' + enc(jws_sig(prot)) + "]}"))


def gen_nulls():
    for bname, base in bases().items():
        for k, _ in base.pairs:
            add("null", f"{bname}-{k}", base.with_(k, None))
    fields = ["mediaType", "digest", "size", "platform", "annotations"]
    for f in fields:
        e = [desc(OCI_M, D("a"), 1, plat("linux", "amd64"), {ZSTD: "true"}).with_(f, None),
             desc(OCI_M, D("b"), 1, plat("linux", "amd64"))]
        add("null", f"index-entry-{f}", oci_index(e))
        add("null", f"list-entry-{f}", docker_list(e))
    for f in ["architecture", "os", "variant"]:
        p = plat("linux", "arm64", "v8").with_(f, None)
        add("null", f"index-platform-{f}", oci_index([desc(OCI_M, D("a"), 1, p)]))
        add("null", f"list-platform-{f}", docker_list([desc(V2S2, D("a"), 1, p)]))
    add("null", "index-entry-null", oci_index([None, desc(OCI_M, D("a"), 1, plat())]))
    add("null", "list-entry-null", docker_list([None, desc(V2S2, D("a"), 1, plat())]))
    add("null", "index-annotation-value-null", oci_index([desc(OCI_M, D("a"), 1, plat(), {ZSTD: None})]))
    add("null", "config-mediaType-null", oci_manifest(False).with_("config", CFG_OCI.with_("mediaType", None)))
    add("null", "schema1-signatures-null", schema1_unsigned().plus(("signatures", None)))
    add("null", "schema1-signatures-empty", schema1_unsigned().plus(("signatures", [])))
    add("null", "top-level-null", "null")


def gen_wrongtype():
    wrong = {
        "size-string": lambda: oci_index([desc(OCI_M, D("a"), "123", plat())]),
        "size-float": lambda: oci_index([desc(OCI_M, D("a"), Raw("1.5"), plat())]),
        "size-exp": lambda: oci_index([desc(OCI_M, D("a"), Raw("1e2"), plat())]),
        "size-negative": lambda: oci_index([desc(OCI_M, D("a"), -1, plat())]),
        "digest-int": lambda: oci_index([desc(OCI_M, 1, 1, plat())]),
        "digest-invalid": lambda: oci_index([desc(OCI_M, "sha256:xyz", 1, plat())]),
        "digest-uppercase": lambda: oci_index([desc(OCI_M, "sha256:" + "A" * 64, 1, plat())]),
        "digest-sha512": lambda: oci_index([desc(OCI_M, "sha512:" + "a" * 128, 1, plat())]),
        "digest-empty": lambda: oci_index([desc(OCI_M, "", 1, plat())]),
        "platform-string": lambda: oci_index([desc(OCI_M, D("a"), 1, "linux/amd64")]),
        "platform-array": lambda: oci_index([desc(OCI_M, D("a"), 1, [])]),
        "platform-os-int": lambda: oci_index([desc(OCI_M, D("a"), 1, plat().with_("os", 1))]),
        "platform-variant-int": lambda: oci_index([desc(OCI_M, D("a"), 1, plat("linux", "arm64").plus(("variant", 8)))]),
        "manifests-object": lambda: oci_index(mt=False).with_("manifests", {}),
        "manifests-string": lambda: oci_index(mt=False).with_("manifests", "x"),
        "manifests-number": lambda: oci_index().with_("manifests", 1),
        "config-array": lambda: oci_manifest(False).with_("config", []),
        "config-string": lambda: oci_manifest(False).with_("config", "x"),
        "config-mediaType-int": lambda: oci_manifest(False).with_("config", CFG_OCI.with_("mediaType", 1)),
        "layers-object": lambda: oci_manifest().with_("layers", {}),
        "annotations-array": lambda: oci_index([desc(OCI_M, D("a"), 1, plat(), [])]),
        "annotation-int": lambda: oci_index([desc(OCI_M, D("a"), 1, plat(), {"k": 1})]),
        "zstd-annotation-bool": lambda: oci_index([desc(OCI_M, D("a"), 1, plat()),
                                                   desc(OCI_M, D("b"), 1, plat(), {ZSTD: True})]),
        "signatures-string": lambda: schema1_unsigned().plus(("signatures", "x")),
        "signatures-object": lambda: schema1_unsigned().plus(("signatures", {})),
        "signatures-number": lambda: schema1_unsigned().plus(("signatures", 0)),
        "signatures-false": lambda: schema1_unsigned().plus(("signatures", False)),
        "signatures-array-of-null": lambda: schema1_unsigned().plus(("signatures", [None])),
        "mediaType-array": lambda: oci_index().with_("mediaType", [OCI_I]),
        "list-size-string": lambda: docker_list([desc(V2S2, D("a"), "1", plat())]),
        "list-platform-string": lambda: docker_list([desc(V2S2, D("a"), 1, "x")]),
        "list-manifests-object": lambda: docker_list().with_("manifests", {}),
        "fslayers-object": lambda: schema1_unsigned().with_("fsLayers", {}),
        "history-string": lambda: schema1_unsigned().with_("history", "x"),
    }
    for name, f in wrong.items():
        add("wrongtype", name, f())
    for mt in [None, OCI_M, V2S2]:
        for sz in ['"100"', "1.5", "-1", "1e2"]:
            cfg = desc(OCI_CFG if mt != V2S2 else D_CFG, D("c"), Raw(sz))
            o = Obj(("schemaVersion", 2))
            if mt:
                o = o.plus(("mediaType", mt))
            add("wrongtype", f"config-size-{sz.strip(chr(34))}-{SHORT[mt] if mt else 'nomt'}",
                o.plus(("config", cfg), ("layers", LAYERS_OCI)))


def gen_schema1():
    g = GENUINE.decode()
    body = g[:GENUINE_LEN]
    tail_b64 = GENUINE_PROT["formatTail"]

    def with_prot(prot_fields, sigs=None, extra_after=""):
        sigs = sigs or [jws_sig(protected(prot_fields))]
        return Raw(body + ',"signatures":[' + ",".join(enc(s) for s in sigs) + "]" + extra_after + "\n}")

    add("schema1", "genuine-compact", Raw(json.dumps(json.loads(g), separators=(",", ":"))))
    # Forged protected headers: the stripped bytes are not the manifest.
    other = json.dumps(json.loads(enc(oci_manifest())), separators=(",", ":")).encode()
    add("schema1", "formatLength-1-tail-other-object",
        with_prot(Obj(("formatLength", 1), ("formatTail", b64url(other[1:])))))
    add("schema1", "formatLength-0-tail-other-object",
        with_prot(Obj(("formatLength", 0), ("formatTail", b64url(other)))))
    add("schema1", "formatLength-0-tail-empty", with_prot(Obj(("formatLength", 0), ("formatTail", ""))))
    add("schema1", "formatLength-full", with_prot(Obj(("formatLength", len(body) + 200), ("formatTail", tail_b64))))
    add("schema1", "formatLength-negative", with_prot(Obj(("formatLength", -1), ("formatTail", tail_b64))))
    add("schema1", "formatLength-negative-big", with_prot(Obj(("formatLength", -1000), ("formatTail", b64url(b"x" * 2000)))))
    add("schema1", "formatLength-float", with_prot(Obj(("formatLength", Raw(f"{GENUINE_LEN}.0")), ("formatTail", tail_b64))))
    add("schema1", "formatLength-fraction", with_prot(Obj(("formatLength", Raw(f"{GENUINE_LEN}.9")), ("formatTail", tail_b64))))
    add("schema1", "formatLength-exp", with_prot(Obj(("formatLength", Raw("1e300")), ("formatTail", tail_b64))))
    add("schema1", "formatLength-string", with_prot(Obj(("formatLength", str(GENUINE_LEN)), ("formatTail", tail_b64))))
    add("schema1", "formatLength-missing", with_prot(Obj(("formatTail", tail_b64))))
    add("schema1", "formatTail-missing", with_prot(Obj(("formatLength", GENUINE_LEN))))
    add("schema1", "formatTail-padded", with_prot(Obj(("formatLength", GENUINE_LEN), ("formatTail", tail_b64 + "="))))
    add("schema1", "formatTail-std-alphabet", with_prot(Obj(("formatLength", 1), ("formatTail", base64.b64encode(b"\xfb\xff" + other[1:]).decode()))))
    add("schema1", "formatTail-invalid", with_prot(Obj(("formatLength", GENUINE_LEN), ("formatTail", "!!"))))
    add("schema1", "formatTail-number", with_prot(Obj(("formatLength", GENUINE_LEN), ("formatTail", 1))))
    add("schema1", "formatLength-dup-last-wins",
        with_prot(Obj(("formatLength", GENUINE_LEN), ("formatTail", tail_b64), ("formatLength", 1))))
    add("schema1", "protected-padded",
        Raw(body + ',"signatures":[' + enc(jws_sig(protected(Obj(("formatLength", GENUINE_LEN), ("formatTail", tail_b64))) + "=")) + "]\n}"))
    add("schema1", "protected-not-base64", Raw(body + ',"signatures":[' + enc(jws_sig("%%%")) + "]\n}"))
    add("schema1", "protected-not-json", Raw(body + ',"signatures":[' + enc(jws_sig(b64url(b"[1]"))) + "]\n}"))
    add("schema1", "protected-missing", Raw(body + ',"signatures":[{"header":{"alg":"ES256"},"signature":"AA"}]\n}'))
    good = Obj(("formatLength", GENUINE_LEN), ("formatTail", tail_b64))
    add("schema1", "two-signatures-agree", with_prot(None, [jws_sig(protected(good)), jws_sig(protected(good))]))
    add("schema1", "two-signatures-length-conflict",
        with_prot(None, [jws_sig(protected(good)), jws_sig(protected(Obj(("formatLength", 1), ("formatTail", tail_b64))))]))
    add("schema1", "two-signatures-tail-conflict",
        with_prot(None, [jws_sig(protected(good)), jws_sig(protected(Obj(("formatLength", GENUINE_LEN), ("formatTail", b64url(b"}")))))]))
    add("schema1", "second-signature-formatLength-0",
        with_prot(None, [jws_sig(protected(good)), jws_sig(protected(Obj(("formatLength", 0), ("formatTail", tail_b64))))]))
    add("schema1", "first-signature-formatLength-0",
        with_prot(None, [jws_sig(protected(Obj(("formatLength", 0), ("formatTail", tail_b64)))), jws_sig(protected(good))]))
    add("schema1", "header-jwk-invalid",
        with_prot(None, [jws_sig(protected(good), Obj(("alg", "ES256"), ("jwk", {"kty": "EC"})))]))
    add("schema1", "header-jwk-null", with_prot(None, [jws_sig(protected(good), Obj(("alg", "ES256"), ("jwk", None)))]))
    add("schema1", "header-missing", with_prot(None, [Obj(("signature", "AA"), ("protected", protected(good)))]))
    # Members after "signatures": the genuine payload stays the same, Go decodes the last one.
    add("schema1", "foreign-fsLayers-after-signatures",
        with_prot(good, extra_after=',"fsLayers":[{"blobSum":"' + D("e") + '"}]'))
    add("schema1", "foreign-FsLayers-after-signatures",
        with_prot(good, extra_after=',"FsLayers":[{"blobSum":"' + D("e") + '"}]'))
    add("schema1", "foreign-name-after-signatures", with_prot(good, extra_after=',"name":"evil/x"'))
    add("schema1", "schemaVersion-2-after-signatures", with_prot(good, extra_after=',"schemaVersion":2'))
    add("schema1", "SchemaVersion-2-after-signatures", with_prot(good, extra_after=',"SchemaVersion":2'))
    add("schema1", "signatures-twice", with_prot(good, extra_after=',"signatures":[]'))
    add("schema1", "trailing-whitespace", Raw(g + "\n\n"))
    add("schema1", "trailing-garbage", Raw(g + "x"))
    # Defect 1 of issue 8: a schema-2 body whose mediaType claims signed schema 1, with a forged
    # header that makes its "payload" another manifest.
    forged_other = oci_manifest(False).first(("mediaType", V1S)).plus(
        ("signatures", [jws_sig(protected(Obj(("formatLength", 1), ("formatTail", b64url(other[1:])))))]))
    add("schema1", "schemaVersion2-mediaType-prettyjws-forged", forged_other)
    add("schema1", "schemaVersion2-mediaType-v1json-forged", forged_other.with_("mediaType", V1))
    add("schema1", "schemaVersion1-then-2-forged",
        oci_manifest(False).with_("schemaVersion", 1).plus(
            ("signatures", [jws_sig(protected(Obj(("formatLength", 1), ("formatTail", b64url(other[1:])))))]),
            ("SchemaVersion", 2)))
    add("schema1", "schemaVersion1-signatures-empty-array", schema1_unsigned().plus(("signatures", [])))
    add("schema1", "schemaVersion1-signatures-empty-object-in-array", schema1_unsigned().plus(("signatures", [{}])))
    add("schema1", "schemaVersion1-only", Obj(("schemaVersion", 1)))
    add("schema1", "schemaVersion1-only-signatures-empty", Obj(("schemaVersion", 1), ("signatures", [])))
    add("schema1", "unsigned-with-mediaType-v1", schema1_unsigned().first(("mediaType", V1)))
    add("schema1", "unsigned-history-mismatch",
        schema1_unsigned().with_("history", []))
    add("schema1", "unsigned-with-layers", schema1_unsigned().plus(("layers", [])))
    add("schema1", "unsigned-with-manifests", schema1_unsigned().plus(("manifests", [])))
    add("schema1", "unsigned-with-config", schema1_unsigned().plus(("config", {})))


def gen_ambiguous():
    amb = {
        "index-with-layers": oci_index().plus(("layers", LAYERS_OCI)),
        "index-with-empty-layers": oci_index().plus(("layers", [])),
        "index-with-null-layers": oci_index().plus(("layers", None)),
        "index-with-Layers": oci_index().plus(("Layers", LAYERS_OCI)),
        "index-with-layerſ": oci_index().plus(("layer" + LONG_S, LAYERS_OCI)),
        "index-with-config": oci_index().plus(("config", CFG_OCI)),
        "index-with-config-empty-object": oci_index().plus(("config", {})),
        "index-with-fsLayers": oci_index().plus(("fsLayers", [])),
        "index-with-history": oci_index().plus(("history", [])),
        "index-with-signatures": oci_index().plus(("signatures", [])),
        "index-nomt-with-layers": oci_index(mt=False).plus(("layers", LAYERS_OCI)),
        "index-nomt-with-config-oci": oci_index(mt=False).plus(("config", CFG_OCI)),
        "index-nomt-with-config-custom": oci_index(mt=False).plus(("config", desc(CUSTOM_CFG, D("c")))),
        "list-with-layers": docker_list().plus(("layers", LAYERS_DOCKER)),
        "list-with-config": docker_list().plus(("config", CFG_DOCKER)),
        "list-with-fsLayers": docker_list().plus(("fsLayers", [])),
        "oci-with-manifests": oci_manifest().plus(("manifests", entries_std())),
        "oci-with-empty-manifests": oci_manifest().plus(("manifests", [])),
        "oci-with-null-manifests": oci_manifest().plus(("manifests", None)),
        "oci-with-Manifests": oci_manifest().plus(("Manifests", entries_std())),
        "oci-with-fsLayers": oci_manifest().plus(("fsLayers", [])),
        "oci-with-signatures": oci_manifest().plus(("signatures", [])),
        "oci-with-history": oci_manifest().plus(("history", [])),
        "oci-nomt-with-manifests": oci_manifest(False).plus(("manifests", entries_std())),
        "v2s2-with-manifests": v2s2_manifest().plus(("manifests", entries_std())),
        "v2s2-with-fsLayers": v2s2_manifest().plus(("fsLayers", [])),
        "v2s2-with-signatures": v2s2_manifest().plus(("signatures", [])),
        "v2s2-nomt-with-manifests": v2s2_manifest(False).plus(("manifests", entries_std())),
    }
    for name, o in amb.items():
        add("ambiguous", name, o)


def gen_emptyindex():
    add("emptyindex", "nomt-empty", Obj(("schemaVersion", 2), ("manifests", [])))
    add("emptyindex", "mt-empty", Obj(("schemaVersion", 2), ("mediaType", OCI_I), ("manifests", [])))
    add("emptyindex", "list-empty", Obj(("schemaVersion", 2), ("mediaType", LIST), ("manifests", [])))
    add("emptyindex", "nomt-null", Obj(("schemaVersion", 2), ("manifests", None)))
    add("emptyindex", "nomt-missing", Obj(("schemaVersion", 2)))
    add("emptyindex", "nomt-empty-config-empty", Obj(("schemaVersion", 2), ("manifests", []), ("config", {})))
    add("emptyindex", "mt-missing", Obj(("schemaVersion", 2), ("mediaType", OCI_I)))
    add("emptyindex", "list-missing", Obj(("schemaVersion", 2), ("mediaType", LIST)))
    add("emptyindex", "nomt-one-empty-entry", Obj(("schemaVersion", 2), ("manifests", [{}])))
    add("emptyindex", "nomt-one-null-entry", Obj(("schemaVersion", 2), ("manifests", [None])))


def gen_customconfig():
    for name, cfg_mt in [("custom", CUSTOM_CFG), ("empty", ""), ("oci", OCI_CFG), ("docker", D_CFG),
                         ("index-type", OCI_I), ("manifest-type", OCI_M), ("list-type", LIST), ("v1s-type", V1S)]:
        cfg = desc(cfg_mt, D("c"), 1)
        add("customconfig", f"{name}-no-manifests", Obj(("schemaVersion", 2), ("config", cfg), ("layers", LAYERS_OCI)))
        add("customconfig", f"{name}-with-manifests", Obj(("schemaVersion", 2), ("config", cfg), ("manifests", entries_std())))
        add("customconfig", f"{name}-with-mediatype-oci", Obj(("schemaVersion", 2), ("mediaType", OCI_M), ("config", cfg), ("layers", LAYERS_OCI)))
    add("customconfig", "artifactType", Obj(("schemaVersion", 2), ("mediaType", OCI_M), ("artifactType", "application/x"),
                                            ("config", desc("application/vnd.oci.empty.v1+json", D("4"), 2)), ("layers", LAYERS_OCI)))


def gen_platform():
    lists = {
        "std": [("amd64", None, "linux"), ("arm64", "v8", "linux"), ("arm", "v7", "linux"), ("arm", "v6", "linux")],
        "arm64-v8-then-plain": [("arm64", "v8", "linux"), ("arm64", None, "linux")],
        "arm64-plain-then-v8": [("arm64", None, "linux"), ("arm64", "v8", "linux")],
        "arm64-empty-variant-then-v8": [("arm64", "", "linux"), ("arm64", "v8", "linux")],
        "arm-v5-to-v8": [("arm", "v5", "linux"), ("arm", "v6", "linux"), ("arm", "v7", "linux"), ("arm", "v8", "linux")],
        "arm-v8-to-v5": [("arm", "v8", "linux"), ("arm", "v7", "linux"), ("arm", "v6", "linux"), ("arm", "v5", "linux")],
        "arm-plain-and-v7": [("arm", None, "linux"), ("arm", "v7", "linux")],
        "arm-v6-only": [("arm", "v6", "linux")],
        "arm-v7-only": [("arm", "v7", "linux")],
        "arm-plain-only": [("arm", None, "linux")],
        "amd64-v3-then-plain": [("amd64", "v3", "linux"), ("amd64", None, "linux")],
        "amd64-v2-only": [("amd64", "v2", "linux")],
        "amd64-v3-only": [("amd64", "v3", "linux")],
        "amd64-plain-then-v3": [("amd64", None, "linux"), ("amd64", "v3", "linux")],
        "windows-then-linux": [("amd64", None, "windows"), ("amd64", None, "linux")],
        "os-empty": [("amd64", None, ""), ("amd64", None, "linux")],
        "arch-empty": [("", None, "linux"), ("amd64", None, "linux")],
        "arm64-uppercase-variant": [("arm64", "V8", "linux"), ("arm64", "8", "linux")],
        "uppercase-arch": [("AMD64", None, "linux"), ("amd64", None, "Linux")],
        "s390x-ppc64le": [("s390x", None, "linux"), ("ppc64le", None, "linux")],
    }
    letters = "abdef0123456789"
    for lname, ps in lists.items():
        def mk(mt):
            return [desc(mt, D(letters[i]), 1, plat(o, a, v)) for i, (a, v, o) in enumerate(ps)]
        add("platform", f"index-{lname}", oci_index(mk(OCI_M)))
        add("platform", f"list-{lname}", docker_list(mk(V2S2)))
    # Entries without a platform: an OCI index falls back to the first of them.
    add("platform", "index-no-platform-first", oci_index([desc(OCI_M, D("a"), 1), desc(OCI_M, D("b"), 1, plat("linux", "arm64"))]))
    add("platform", "index-no-platform-last", oci_index([desc(OCI_M, D("b"), 1, plat("linux", "arm64")), desc(OCI_M, D("a"), 1), desc(OCI_M, D("d"), 1)]))
    add("platform", "index-no-platform-only", oci_index([desc(OCI_M, D("a"), 1), desc(OCI_M, D("b"), 1)]))
    add("platform", "index-empty-platform-object", oci_index([desc(OCI_M, D("a"), 1, {}), desc(OCI_M, D("b"), 1)]))
    add("platform", "list-no-platform-first", docker_list([desc(V2S2, D("a"), 1), desc(V2S2, D("b"), 1, plat("linux", "arm64"))]))
    add("platform", "list-no-platform-only", docker_list([desc(V2S2, D("a"), 1)]))
    add("platform", "index-os-version-features",
        oci_index([desc(OCI_M, D("a"), 1, plat("windows", "amd64", None, **{"os.version": "10.0.1", "os.features": ["win32k"]}))]))
    add("platform", "list-features", docker_list([desc(V2S2, D("a"), 1, plat("linux", "amd64", None, features=["sse4"]))]))
    # zstd-annotated instances (current c/image prefers them at equal platform rank).
    for name, ents in {
        "gzip-then-zstd": [(None, "a", ("amd64", None)), ({ZSTD: "true"}, "b", ("amd64", None))],
        "zstd-then-gzip": [({ZSTD: "true"}, "a", ("amd64", None)), (None, "b", ("amd64", None))],
        "zstd-TRUE": [(None, "a", ("amd64", None)), ({ZSTD: "TRUE"}, "b", ("amd64", None))],
        "zstd-false": [(None, "a", ("amd64", None)), ({ZSTD: "false"}, "b", ("amd64", None))],
        "zstd-empty": [(None, "a", ("amd64", None)), ({ZSTD: ""}, "b", ("amd64", None))],
        "zstd-other-variant-rank": [({ZSTD: "true"}, "a", ("arm64", "v8")), (None, "b", ("arm64", None))],
        "zstd-better-rank-gzip": [({ZSTD: "true"}, "a", ("arm", "v6")), (None, "b", ("arm", "v7"))],
        "zstd-no-platform": [({ZSTD: "true"}, "a", None), (None, "b", None)],
        "zstd-no-platform-vs-platform": [({ZSTD: "true"}, "a", None), (None, "b", ("amd64", None))],
        "zstd-two": [({ZSTD: "true"}, "a", ("amd64", None)), ({ZSTD: "true"}, "b", ("amd64", None))],
        "zstd-key-case": [(None, "a", ("amd64", None)), ({ZSTD.upper(): "true"}, "b", ("amd64", None))],
    }.items():
        es = [desc(OCI_M, D(d), 1, plat("linux", *p) if p else None, ann) for ann, d, p in ents]
        add("platform", f"index-{name}", oci_index(es))
        es = [desc(V2S2, D(d), 1, plat("linux", *p) if p else plat(), ann) for ann, d, p in ents]
        add("platform", f"list-{name}", docker_list(es))


def gen_garbage():
    for name, b in {
        "empty": b"", "space": b" ", "null": b"null", "array": b"[]", "string": b'"x"', "number": b"2",
        "empty-object": b"{}", "trailing-garbage": enc(oci_manifest()).encode() + b"x",
        "two-objects": enc(oci_manifest()).encode() + b" {}", "bom": b"\xef\xbb\xbf" + enc(oci_manifest()).encode(),
        "invalid-utf8-in-mediatype": enc(oci_index()).encode().replace(b"vnd.oci.image.index", b"vnd.oci.image.\xffindex"),
        "invalid-utf8-in-ignored": enc(oci_manifest().plus(("x", "a"))).encode().replace(b'"a"', b'"\xff"'),
        "nul-in-key": enc(oci_manifest().plus(("media\u0000Type", OCI_I))).encode(),
        "escaped-key": Raw(enc(oci_manifest(False)).replace('"schemaVersion"', '"\\u0073chemaVersion"')).encode(),
        "escaped-mediatype-value": Raw(enc(oci_index()).replace('"application/vnd.oci.image.index.v1+json"', '"application\\/vnd.oci.image.index.v1\\u002bjson"')).encode(),
        "leading-zero": b'{"schemaVersion":02}',
        "truncated": enc(oci_index()).encode()[:-3],
        "deep-nesting-ignored": ('{"schemaVersion":2,"x":' + "[" * 5000 + "]" * 5000 + ',"manifests":[{"digest":"' + D("a") + '","platform":{"os":"linux","architecture":"amd64"}}]}').encode(),
        "big-number-ignored": ('{"schemaVersion":2,"x":1e999,"manifests":[]}').encode(),
        "comments": b'{"schemaVersion":2 /* c */}',
        "single-quotes": b"{'schemaVersion':2}",
        "whitespace-everywhere": b' \n\t{ "schemaVersion" : 2 ,\r\n "manifests" : [ ] } \n',
        "lone-surrogate-key": Raw('{"schemaVersion":2,"\\ud800manifests":[{"digest":"' + D("a") + '"}]}').encode(),
    }.items():
        add("garbage", name, b)


def gen_upstream():
    for base, label in [(UPSTREAM_CURRENT, "current"), (UPSTREAM_523, "5.23")]:
        files = sorted(glob.glob(os.path.join(base, "manifest/fixtures/*.json")) +
                       glob.glob(os.path.join(base, "internal/manifest/testdata/*.json")))
        for f in files:
            rel = os.path.relpath(f, base).replace("/", "_")
            add("upstream", f"{label}/{rel}", open(f, "rb").read())
    for f in sorted(glob.glob("/work/shared/fixtures/c-image/signature/fixtures/**/*manifest*.json", recursive=True)):
        rel = os.path.relpath(f, "/work/shared/fixtures/c-image/signature/fixtures").replace("/", "_")
        add("upstream", f"signature/{rel}", open(f, "rb").read())


def dedupe_upstream():
    """Drops upstream fixtures whose bytes equal an earlier case (the two versions share many)."""
    seen, out = set(), []
    for c in CASES:
        if c["category"] == "upstream" and c["blob"] in seen:
            continue
        seen.add(c["blob"])
        out.append(c)
    return out


def main():
    for g in [gen_plain, gen_mediatype, gen_schemaversion, gen_dupkeys, gen_casefold, gen_nulls,
              gen_wrongtype, gen_schema1, gen_ambiguous, gen_emptyindex, gen_customconfig,
              gen_platform, gen_garbage, gen_upstream]:
        g()
    cases = dedupe_upstream()
    lines = [json.dumps(c, ensure_ascii=True, separators=(",", ":")) for c in cases]
    with open(os.path.join(HERE, "cases.jsonl"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(cases)} cases written to cases.jsonl", file=sys.stderr)
    if "--no-record" in sys.argv:
        return
    subprocess.run([os.path.join(ROOT, "tools/build-cimage-oracle.sh"), os.path.join(ROOT, "target")], check=True)
    results = {}
    for key, binary in [("current", "cimage-oracle"), ("5.23", "cimage-oracle-5.23")]:
        out = subprocess.run([os.path.join(ROOT, "target", binary), "manifest", "--batch"],
                             input="\n".join(lines).encode(), capture_output=True, check=True).stdout
        results[key] = [json.loads(l) for l in out.decode().splitlines()]
        assert len(results[key]) == len(cases), key
    with open(os.path.join(HERE, "expected.jsonl"), "w") as f:
        for i, c in enumerate(cases):
            rec = {"id": c["id"]}
            for key in ["current", "5.23"]:
                r = dict(results[key][i])
                assert r.pop("id") == c["id"]
                rec[key] = r
            f.write(json.dumps(rec, ensure_ascii=True, separators=(",", ":")) + "\n")
    print("recorded expected.jsonl (current and 5.23)", file=sys.stderr)


if __name__ == "__main__":
    main()
