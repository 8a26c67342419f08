#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of "make check": the selftest suite, as nested TAP.
#
# MEMOWNER_TESTS (kernel command line, comma-separated; "make check
# TESTS=a,b") runs only those programs, after the two that load the modules.
#
# Artifacts: tests leave files for the host to check with real outside
# tools (JSON parsers, go tool pprof, Prometheus' parser) in
# $MEMOWNER_ARTIFACTS; they are sent after the suite, base64-encoded
# between marker lines, and vm/check.sh unpacks them.
export MEMOWNER_ARTIFACTS=/tmp/artifacts
mkdir -p "$MEMOWNER_ARTIFACTS"

if [ -n "$MEMOWNER_TESTS" ]; then
	# shellcheck disable=SC2046
	/selftests/memowner/run_tests.sh load_unload.sh test_module.sh \
		$(echo "$MEMOWNER_TESTS" | tr ',' ' ')
else
	/selftests/memowner/run_tests.sh
fi
rc=$?

for f in "$MEMOWNER_ARTIFACTS"/*; do
	[ -f "$f" ] || continue
	echo "MEMOWNER-ARTIFACT-BEGIN $(basename "$f")"
	base64 "$f"
	echo "MEMOWNER-ARTIFACT-END"
done
exit $rc
