#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every *.json artifact of the guest tests must parse with Python's JSON
# parser (a real outside reader, not ours); *.jsonl files line by line.
# Each guest test that ran must have left its files: a missing one fails
# (MEMOWNER_RAN_TESTS, set by vm/judge.sh, names the tests that ran; unset:
# all of them).
dir=$1
n=0
rc=0
ran() { [ -z "${MEMOWNER_RAN_TESTS+set}" ] || case " $MEMOWNER_RAN_TESTS " in *" $1 "*) ;; *) return 1 ;; esac; }
expect="ux_cli_test:stacks.json ux_cli_test:pages.json ux_cli_test:caches.json
ux_cli_test:modules.json ux_cli_test:leaks.json ux_cli_test:status_full.json
ux_cli_test:config.json ux_alerts_test:watch.jsonl
ux_alerts_test:watch-events.jsonl ux_export_test:export.json
ux_top_test:top.json ux_top_test:top.jsonl ux_cli_basics.sh:status.json"
nran=0
for e in $expect; do
	prog=${e%%:*} f=${e#*:}
	ran "$prog" || continue
	nran=$((nran + 1))
	[ -f "$dir/$f" ] && continue
	n=$((n + 1))
	echo "not ok $n $f exists (left by $prog, which ran)"
	rc=1
done
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
# A run of selected tests (make check TESTS=...) may select no producer.
if [ $n -eq 0 ] && [ $nran -eq 0 ]; then
	echo "1..0 # SKIP no JSON producer ran (not among make check TESTS=)"
	exit 0
fi
[ $n -gt 0 ] || { echo "not ok 1 JSON artifacts"; echo "1..1"; exit 1; }
echo "1..$n"
exit $rc
