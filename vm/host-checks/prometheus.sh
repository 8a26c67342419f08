#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every *.prom artifact (memownerd's /metrics and textfile) must parse with
# the Prometheus client library's own parser (python3-prometheus-client),
# hold the families memownerd documents, with HELP and TYPE, and name the
# test module's owner by its leaf function.
dir=$1
ran() { [ -z "${MEMOWNER_RAN_TESTS+set}" ] || case " $MEMOWNER_RAN_TESTS " in *" $1 "*) ;; *) return 1 ;; esac; }
# Debian's python3 has python3-prometheus-client (vm/deps.sh), whatever
# python3 comes first in PATH.
py=/usr/bin/python3
[ -x "$py" ] || py=python3
n=0
rc=0
for f in "$dir"/*.prom; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	if out=$("$py" - "$f" 2>&1 <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families

text = open(sys.argv[1]).read()
fams = {f.name: f for f in text_string_to_metric_families(text)}
# The parser names counter families without their _total suffix.
want = {
    "memowner_up": "gauge",
    "memowner_build_info": "gauge",
    "memowner_tracking_info": "gauge",
    "memowner_live_bytes": "gauge",
    "memowner_live_pages": "gauge",
    "memowner_live_objects": "gauge",
    "memowner_owner_live_bytes": "gauge",
    "memowner_owner_live_objects": "gauge",
    "memowner_module_live_bytes": "gauge",
    "memowner_cache_live_bytes": "gauge",
    "memowner_records": "gauge",
    "memowner_stacks": "gauge",
    "memowner_drops": "counter",
    "memowner_own_memory_bytes": "gauge",
    "memowner_rule_value": "gauge",
    "memowner_rule_alerts": "counter",
    "memowner_daemon_alerts": "counter",
    "memowner_daemon_events": "counter",
    "memowner_daemon_notifications_lost": "counter",
    "memowner_daemon_hooks": "counter",
    "memowner_daemon_connects": "counter",
}
for name, typ in want.items():
    assert name in fams, "family %s missing" % name
    assert fams[name].type == typ, "%s is %s, not %s" % (name, fams[name].type, typ)
    assert fams[name].documentation, "%s has no HELP" % name
up = [s.value for s in fams["memowner_up"].samples]
assert up == [1.0], "memowner_up %s" % up
owners = fams["memowner_owner_live_bytes"].samples
fn = [s for s in owners if s.labels.get("function") == "memowner_test_kmalloc"
      and s.labels.get("module") == "memowner_test"]
assert fn and fn[0].value > 0, "no series for memowner_test_kmalloc"
# Bounded cardinality: top-N series and at most one "(other)".
assert len(owners) <= 1000 + 1, "%d owner series" % len(owners)
srcs = sorted(s.labels["source"] for s in fams["memowner_live_bytes"].samples)
assert srcs == ["page", "percpu", "slab", "vmalloc"], srcs
print("%d families, %d owner series" % (len(fams), len(owners)))
PY
	); then
		echo "ok $n $(basename "$f") parses as Prometheus text: $out"
	else
		echo "not ok $n $(basename "$f") parses as Prometheus text"
		echo "$out" | sed 's/^/# /'
		rc=1
	fi
done
if ran ux_daemon.sh; then
	for f in metrics.prom metrics-textfile.prom; do
		[ -f "$dir/$f" ] && continue
		n=$((n + 1))
		echo "not ok $n $f exists (left by ux_daemon.sh, which ran)"
		rc=1
	done
fi
if [ $n -eq 0 ]; then
	if ran ux_daemon.sh; then
		echo "not ok 1 .prom artifacts exist (left by ux_daemon.sh, which ran)"
		echo "1..1"
		exit 1
	fi
	echo "1..0 # SKIP ux_daemon.sh did not run (not among make check TESTS=)"
	exit 0
fi
echo "1..$n"
exit $rc
