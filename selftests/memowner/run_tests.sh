#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the memowner selftests in the order of tests.list (or the programs
# given as arguments) and print kselftest-style nested TAP: each program's
# own TAP output indented with "# ", then one "ok N selftests: memowner:
# PROG" line for the program.  Exit status 1 when any program failed.
#
# Each program is bounded by the timeout in ./settings (times
# MEMOWNER_TIMEOUT_SCALE, for a debug kernel).  A skipped program (exit 4)
# is reported with the reason its "1..0 # SKIP reason" gave.
#
# On a kernel with kmemleak, each program is followed by a scan: an object
# allocated since the runner started and left unreferenced fails it, with
# kmemleak's report (see kmemleak_check).
#
# Each program must leave memowner as it found it: the module loaded with
# the same configuration and parameters, memowner_test.ko holding nothing
# (see mo_state).  A program that does not fails, and its state is reset
# (memowner.ko reloaded with its defaults, the test module reset) so that
# the programs after it do not inherit it.

cd "$(dirname "$0")" || exit 1
timeout=300
[ -f settings ] && timeout=$(sed -n 's/^timeout=//p' settings)

if [ $# -eq 0 ]; then
	# shellcheck disable=SC2046
	set -- $(cat tests.list)
fi

# MEMOWNER_ROOT prefixes /proc and /sys below (vm/judge-test.sh runs this
# on a fake machine).
r=${MEMOWNER_ROOT:-}

# Now, in jiffies, for kmemleak_check (below).
kmemleak_j0=$(sed -n 's/^jiffies: *//p' "$r/proc/timer_list" 2>/dev/null | head -n1)

# Where the module file is given, load it for the tests that need it.
if [ -n "$MEMOWNER_KO" ] && ! grep -q '^memowner ' /proc/modules; then
	insmod "$MEMOWNER_KO" || echo "# insmod $MEMOWNER_KO failed"
fi

# What a program may not change: whether memowner is loaded, its run-time
# configuration (debugfs status) and parameters, and what memowner_test.ko
# holds.  Empty when memowner was never loaded here (nothing to compare).
mo_state() {
	if ! grep -q '^memowner ' "$r/proc/modules"; then
		echo "memowner.ko: not loaded"
		return
	fi
	grep -E '^(enabled|mode|depth|sample_bytes|sources):' \
		"$r/sys/kernel/debug/memowner/status" 2>/dev/null
	for p in "$r"/sys/module/memowner/parameters/*; do
		[ -r "$p" ] && echo "parameter ${p##*/}=$(cat "$p")"
	done
	if [ -r "$r/sys/kernel/debug/memowner_test/held" ]; then
		grep -E 'count=[1-9]|^hold-exit' "$r/sys/kernel/debug/memowner_test/held" |
			sed 's/^/memowner_test.ko holds: /'
	fi
}

# Put memowner back as it was at the start: reloaded with its defaults, the
# test module reset.
mo_reset() {
	[ -w "$r/sys/kernel/debug/memowner_test/control" ] &&
		echo reset >"$r/sys/kernel/debug/memowner_test/control"
	if [ -n "$MEMOWNER_KO" ]; then
		rmmod memowner 2>/dev/null
		insmod "$MEMOWNER_KO"
	fi
}

# kmemleak_check: what kmemleak finds unreferenced now, cleared after.  An
# object is reported once it is older than kmemleak's minimum age (5 s)
# and a scan found its contents unchanged since the previous one, so the
# first scan after an allocation never reports it: scan twice.  Objects
# allocated before the runner started ($kmemleak_j0, jiffies, from
# /proc/timer_list) are the kernel's own, reported whenever a scan finds
# them unchanged (ACPI's boot-time caches): shown, not the program's
# failure.  Returns 1 when an object allocated since is unreferenced.
kmemleak=$r/sys/kernel/debug/kmemleak
kmemleak_check() {
	sleep 5
	echo scan >"$kmemleak" && echo scan >"$kmemleak" || return 0
	grep -q '^unreferenced object' "$kmemleak" || return 0
	# "comm ..., pid N, jiffies J (age ...)": new when J >= j0.
	# shellcheck disable=SC2046
	set -- $(awk -v j0="${kmemleak_j0:-0}" '
		/^unreferenced object/ { n++ }
		match($0, / jiffies [0-9]+/) {
			if (substr($0, RSTART + 9, RLENGTH - 9) + 0 >= j0 + 0) new++
		}
		END { print n + 0, new + 0 }' "$kmemleak")
	echo "# # kmemleak: $1 unreferenced objects after $prog, $2 allocated since the runner started:"
	head -n 200 "$kmemleak" | sed 's/^/# #   /'
	echo clear >"$kmemleak"
	[ "$2" -eq 0 ]
}

baseline=
grep -q '^memowner ' "$r/proc/modules" 2>/dev/null && baseline=$(mo_state)

# A test that exhausts the machine must not take the runner with it (the
# OOM killer picked run_tests.sh once, and every later result was lost):
# the runner is exempt, each program runs with the default score again.
echo -1000 >/proc/self/oom_score_adj 2>/dev/null

echo "TAP version 13"
echo "1..$#"
rc=0
# What is unreferenced before the first program is not the tests': shown,
# then cleared.
if [ -w "$kmemleak" ]; then
	prog="the start (before any program)"
	# Since the runner started: only memowner's own load (above).
	kmemleak_check || rc=1
fi
n=0
for prog in "$@"; do
	n=$((n + 1))
	echo "# selftests: memowner: $prog"
	out=$(mktemp)
	# settings: "timeout=N" for every program, "timeout_PROG=N" for one.
	t=$(sed -n "s/^timeout_$prog=//p" settings 2>/dev/null)
	t=$(( ${MEMOWNER_TIMEOUT:-${t:-$timeout}} * ${MEMOWNER_TIMEOUT_SCALE:-1} ))
	t0=$(cut -d. -f1 /proc/uptime)
	(echo 0 >/proc/self/oom_score_adj 2>/dev/null; exec timeout "$t" "./$prog") >"$out" 2>&1
	status=$?
	sed 's/^/# /' "$out"
	# The time each program took, for budgeting the matrix (not judged).
	echo "# $prog: $(( $(cut -d. -f1 /proc/uptime) - t0 )) s"
	reason=$(sed -n 's/^1\.\.0 # SKIP *//p' "$out" | head -n1)
	rm -f "$out"
	if [ -n "$baseline" ]; then
		state=$(mo_state)
		if [ "$state" != "$baseline" ]; then
			echo "# # $prog left memowner changed; before:"
			echo "$baseline" | sed 's/^/# #   /'
			echo "# # after:"
			echo "$state" | sed 's/^/# #   /'
			mo_reset
			[ "$(mo_state)" = "$baseline" ] ||
				echo "# # and it could not be reset"
			case $status in 0 | 4) status=cleanup ;; esac
		fi
	fi
	if [ -w "$kmemleak" ] && ! kmemleak_check; then
		case $status in 0 | 4) status=kmemleak ;; esac
	fi
	case $status in
	0) echo "ok $n selftests: memowner: $prog" ;;
	4) echo "ok $n selftests: memowner: $prog # SKIP ${reason:-no reason given}" ;;
	124 | 143) echo "not ok $n selftests: memowner: $prog # TIMEOUT $t seconds"; rc=1 ;;
	cleanup) echo "not ok $n selftests: memowner: $prog # left memowner changed (see above)"; rc=1 ;;
	kmemleak) echo "not ok $n selftests: memowner: $prog # kmemleak found leaks (see above)"; rc=1 ;;
	*) echo "not ok $n selftests: memowner: $prog # exit=$status"; rc=1 ;;
	esac
done
exit $rc
