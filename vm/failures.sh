#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# failures.sh OUT [LINES]: why a judged run (vm/judge.sh OUT) failed, in a
# few lines a CI log keeps.  A CI log holds only what vm/check.sh printed,
# not the serial logs, and a CI viewer may show only its first and last
# lines: so this digest is short, names what failed first, and
# vm/check-all.sh repeats it at the end of the matrix's output.
#
# For each failed program of OUT/guest.log:
# - a kselftest-harness program: each failed case's own lines, from its
#   "RUN" to its "FAIL" (the last LINES of them: its asserts and TH_LOGs
#   come last), not the output of the cases that passed;
# - any other program: what it printed but its "ok" lines.
# Then the kernel's first report (OUT/splats.txt, the console.log lines of
# vm/splats.sh's kinds that the judge found), 30 lines from there.
set -uo pipefail

out=$1
max=${2:-40}

grep -E '^FAIL' "$out/summary.txt" 2>/dev/null
awk '{ sub(/\r$/, "") }
     /^not ok [0-9]+ selftests: memowner: / { sub(/.* selftests: memowner: /, ""); bad[$1] = 1 }
     END { for (p in bad) print p }' "$out/guest.log" 2>/dev/null | sort |
while read -r prog; do
	echo "--- $prog: what its failed cases printed (guest.log) ---"
	awk -v p="$prog" -v max="$max" '
	function flush(   i, from) {
		from = n > max ? n - max + 1 : 1
		if (from > 1)
			print "[" from - 1 " lines of " c " left out]"
		for (i = from; i <= n; i++)
			print buf[i]
	}
	{ sub(/\r$/, "") }
	$0 == "# selftests: memowner: " p { f = 1; next }
	!f { next }
	$0 ~ "^(not )?ok [0-9]+ selftests: memowner: " { exit }
	# kselftest harness: "# #  RUN           fix.case ..."
	# A case cut off (the program killed in it) shows what it had.
	/^# #  RUN  / { harness = 1; c = $NF == "..." ? $(NF - 1) : $NF; n = 0; in_case = 1 }
	harness {
		if (in_case)
			buf[++n] = $0
		if ($0 ~ /^# # +FAIL  /) { flush(); in_case = 0 }
		if ($0 ~ /^# # +OK  /) in_case = 0
		next
	}
	/^# (TAP version|1\.\.[0-9]+|# Starting )/ { next }
	!/^# ok / && !/, 0 failures, / && shown++ < max
	END { if (in_case) flush() }' "$out/guest.log"
done
first=$(head -n1 "$out/splats.txt" 2>/dev/null | cut -d: -f1)
if [ -n "$first" ]; then
	echo "--- the kernel's first report (console.log line $first) ---"
	sed -n "$first,$((first + 30))p" "$out/console.log"
fi
exit 0
