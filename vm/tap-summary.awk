# SPDX-License-Identifier: GPL-2.0
#
# Summarise nested kselftest TAP (see selftests/memowner/run_tests.sh) plus
# any host-side TAP lines: print every test case's result and end with
# "N passed, N failed, N skipped".
#
# A test case is an "ok"/"not ok" line one level deep ("# ok 3 name"), the
# cases of a program.  A program without cases of its own (or one that
# failed without any failing case: crash, timeout) counts as one case.

function flush_prog(status, line) {
	if (status == "")
		return
	if (prog_cases == 0 || (status == "fail" && prog_failed == 0)) {
		count(status, line)
	}
}

function count(status, name) {
	if (status == "pass") { pass++; printf "PASS  %s\n", name }
	else if (status == "skip") { skip++; printf "SKIP  %s\n", name }
	else { fail++; printf "FAIL  %s\n", name }
}

function result(line,    s) {
	if (line ~ /^not ok /) s = "fail"
	else if (line ~ /# *(SKIP|skip)/) s = "skip"
	else s = "pass"
	return s
}

BEGIN { pass = fail = skip = 0; prog = "" }

/^# selftests: / { prog = $0; sub(/^# selftests: /, "", prog); prog_cases = 0; prog_failed = 0; next }

/^# (not )?ok [0-9]+/ {
	line = $0; sub(/^# /, "", line)
	s = result(line)
	name = line; sub(/^(not )?ok [0-9]+ /, "", name)
	count(s, prog ": " name)
	prog_cases++
	if (s == "fail") prog_failed++
	next
}

/^(not )?ok [0-9]+/ {
	line = $0
	name = line; sub(/^(not )?ok [0-9]+ /, "", name)
	flush_prog(result(line), name)
	prog = ""; prog_cases = 0; prog_failed = 0
	next
}

END { printf "%d passed, %d failed, %d skipped\n", pass, fail, skip }
