#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read vm/mutations.list (see its header); list or apply one mutation.

mutate-apply.py --list FILE [--only a,b]     name<TAB>file<TAB>tests<TAB>desc
mutate-apply.py --list FILE --apply NAME --root DIR
"""
import argparse
import re
import sys

FIELDS = ("name", "file", "tests", "desc", "from", "to")


def unescape(s):
    return s.replace("\\n", "\n").replace("\\t", "\t")


def parse(path):
    muts, cur = [], {}
    for lineno, line in enumerate(open(path), 1):
        line = line.rstrip("\n")
        if line.startswith("#"):
            continue
        if not line.strip():
            if cur:
                muts.append(cur)
            cur = {}
            continue
        key, sep, val = line.partition(": ")
        if not sep or key not in FIELDS or key in cur:
            sys.exit(f"{path}:{lineno}: bad line: {line}")
        cur[key] = val
    if cur:
        muts.append(cur)
    seen = set()
    for m in muts:
        missing = [f for f in FIELDS if f not in m]
        if missing:
            sys.exit(f"{path}: {m.get('name', '?')}: missing {missing}")
        if not re.fullmatch(r"[a-z0-9-]+", m["name"]) or m["name"] in seen:
            sys.exit(f"{path}: bad or duplicate name {m['name']}")
        seen.add(m["name"])
    return muts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", required=True)
    ap.add_argument("--only")
    ap.add_argument("--apply")
    ap.add_argument("--root")
    a = ap.parse_args()
    muts = parse(a.list)
    if a.apply:
        m = next((m for m in muts if m["name"] == a.apply), None)
        if not m:
            sys.exit(f"no mutation {a.apply}")
        path = f"{a.root}/{m['file']}"
        text = open(path).read()
        old, new = unescape(m["from"]), unescape(m["to"])
        n = text.count(old)
        if n != 1:
            sys.exit(f"{m['name']}: snippet found {n} times in {m['file']}")
        open(path, "w").write(text.replace(old, new))
        print(f"applied {m['name']} to {m['file']}:\n- {old!r}\n+ {new!r}")
        return
    want = set(a.only.split(",")) if a.only else None
    if want:
        unknown = want - {m["name"] for m in muts}
        if unknown:
            sys.exit(f"unknown mutations: {','.join(sorted(unknown))}")
    for m in muts:
        if want is None or m["name"] in want:
            print("\t".join(m[f] for f in ("name", "file", "tests", "desc")))


if __name__ == "__main__":
    main()
