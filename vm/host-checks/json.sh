#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every *.json artifact of the guest tests must parse with Python's JSON
# parser (a real outside reader, not ours); *.jsonl files line by line.
dir=$1
n=0
rc=0
for f in "$dir"/*.json "$dir"/*.jsonl; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	if python3 - "$f" <<'PY'
import json, sys
p = sys.argv[1]
with open(p) as f:
    if p.endswith('.jsonl'):
        lines = [l for l in f if l.strip()]
        assert lines, "no lines"
        for l in lines:
            json.loads(l)
    else:
        json.load(f)
PY
	then
		echo "ok $n $(basename "$f") parses as JSON"
	else
		echo "not ok $n $(basename "$f") parses as JSON"
		rc=1
	fi
done
# A run of selected tests (make check TESTS=...) may leave none.
[ $n -gt 0 ] || { echo "ok 1 # SKIP no JSON artifacts"; echo "1..1"; exit 0; }
echo "1..$n"
exit $rc
