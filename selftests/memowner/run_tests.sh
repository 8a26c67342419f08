#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the memowner selftests in the order of tests.list (or the programs
# given as arguments) and print kselftest-style nested TAP: each program's
# own TAP output indented with "# ", then one "ok N selftests: memowner:
# PROG" line for the program.  Exit status 1 when any program failed.
#
# Each program is bounded by the timeout in ./settings.

cd "$(dirname "$0")" || exit 1
timeout=300
[ -f settings ] && timeout=$(sed -n 's/^timeout=//p' settings)

if [ $# -eq 0 ]; then
	set -- $(cat tests.list)
fi

# Where the module file is given, load it for the tests that need it.
if [ -n "$MEMOWNER_KO" ] && ! grep -q '^memowner ' /proc/modules; then
	insmod "$MEMOWNER_KO" || echo "# insmod $MEMOWNER_KO failed"
fi

echo "TAP version 13"
echo "1..$#"
n=0
rc=0
for prog in "$@"; do
	n=$((n + 1))
	echo "# selftests: memowner: $prog"
	out=$(mktemp)
	timeout "$timeout" "./$prog" >"$out" 2>&1
	status=$?
	sed 's/^/# /' "$out"
	rm -f "$out"
	case $status in
	0) echo "ok $n selftests: memowner: $prog" ;;
	4) echo "ok $n selftests: memowner: $prog # SKIP" ;;
	124 | 143) echo "not ok $n selftests: memowner: $prog # TIMEOUT $timeout seconds"; rc=1 ;;
	*) echo "not ok $n selftests: memowner: $prog # exit=$status"; rc=1 ;;
	esac
done
exit $rc
