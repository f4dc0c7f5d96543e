#!/usr/bin/env python3
"""Records what Debian's skopeo 1.9.3 (c/image 5.23.1) says about every corpus policy.

For each testdata/diff/policies/*.json runs
    skopeo --policy <abs path> copy dir:testdata/diff/image dir:<tmp>
and writes one JSON line per policy to testdata/diff/expected.jsonl:
    {"policy": NAME, "loads": BOOL, "error": MESSAGE-OR-NULL, "skopeo_exit": N, "skopeo_msg": TEXT}
where MESSAGE is the text after "Error loading trust policy: " (with the absolute policy path
replaced by "$POLICY"). tests/diff_skopeo.rs compares policyctl against this file, and against a
live skopeo run when one is installed.
"""
import ast
import json
import os
import re
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = "Error loading trust policy: "


def go_unquote(s):
    """Inverse of Go's %q for the msg="..." field of logrus (bytes-preserving)."""
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        n = s[i + 1]
        simple = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, '"': 34, "'": 39}
        if n in simple:
            out.append(simple[n])
            i += 2
        elif n == "x":
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        elif n == "u":
            out += chr(int(s[i + 2:i + 6], 16)).encode("utf-8")
            i += 6
        elif n == "U":
            out += chr(int(s[i + 2:i + 10], 16)).encode("utf-8")
            i += 10
        else:
            out.append(int(s[i + 1:i + 4], 8))
            i += 4
    return out.decode("utf-8", errors="surrogateescape")


def skopeo_message(stderr):
    last = [l for l in stderr.splitlines() if "level=fatal" in l or "level=error" in l]
    if not last:
        return ""
    m = re.search(r'msg=("(?:[^"\\]|\\.)*"|\S+)', last[-1])
    if not m:
        return last[-1]
    v = m.group(1)
    return go_unquote(v[1:-1]) if v.startswith('"') else v


def main():
    image = os.path.join(HERE, "image")
    pol_dir = os.path.join(HERE, "policies")
    lines = []
    for name in sorted(os.listdir(pol_dir)):
        path = os.path.join(pol_dir, name)
        with tempfile.TemporaryDirectory() as tmp:
            p = subprocess.run(["skopeo", "--policy", path, "copy", "dir:" + image, "dir:" + os.path.join(tmp, "out")],
                               capture_output=True, text=True, errors="surrogateescape")
        msg = skopeo_message(p.stderr) if p.returncode != 0 else ""
        loads = not msg.startswith(PREFIX)
        error = None if loads else msg[len(PREFIX):].replace(path, "$POLICY")
        lines.append({"policy": name, "loads": loads, "error": error, "skopeo_exit": p.returncode,
                      "skopeo_msg": msg.replace(path, "$POLICY")})
    with open(os.path.join(HERE, "expected.jsonl"), "w", errors="surrogateescape") as f:
        for l in lines:
            f.write(json.dumps(l, sort_keys=True) + "\n")
    print("%d policies recorded, %d load, %d refused" % (len(lines), sum(l["loads"] for l in lines),
                                                          sum(not l["loads"] for l in lines)))


if __name__ == "__main__":
    main()
