# SPDX-License-Identifier: GPL-2.0
#
# Summarise nested kselftest TAP (see selftests/memowner/run_tests.sh) plus
# the host-side TAP programs: print every test case's result and end with
# "N passed, N failed, N skipped".
#
#   awk -f tap-summary.awk -v reasons=SKIP-REASONS -v ctx="vm subset" \
#       -v need_plan=1 TAP...
#
# A test case is an "ok"/"not ok" line one level deep ("# ok 3 name"), the
# cases of a program ("# selftests: NAME" ... "ok N NAME").  A program
# without cases of its own (or one that failed without any failing case:
# crash, timeout) counts as one case.  Besides the results, this enforces:
#
# - every program states a plan ("# 1..N", first or last) and reports
#   exactly N cases, numbered 1..N in order;
# - "1..0" (nothing to run) needs a skip reason;
# - every skip, of a case or of a whole program, gives a reason listed in
#   REASONS for one of the contexts in CTX (see selftests/memowner/
#   skip-reasons); any other skip is a failure;
# - a program whose header appears without its result line (the runner
#   died) fails;
# - the suite's own plan ("1..N" at top level, from run_tests.sh) matches
#   the programs reported ("selftests: ..." result lines); need_plan=1
#   makes a missing suite plan a failure.
#
# Each violation is printed as a FAIL line naming the program.

function count(status, name) {
	if (status == "pass") { pass++; printf "PASS  %s\n", name }
	else if (status == "skip") { skip++; printf "SKIP  %s\n", name }
	else { fail++; printf "FAIL  %s\n", name }
}

# The reason of a "# SKIP reason" directive in @line, or "" (no directive:
# returns "-" in *none*).
function skip_reason(line,    r) {
	if (!match(line, /# *(SKIP|skip)([ \t]|$)/))
		return "-"
	r = substr(line, RSTART + RLENGTH)
	sub(/^[ \t]+/, "", r)
	sub(/[ \t]+$/, "", r)
	return r
}

function reason_ok(r,    i) {
	if (r == "")
		return 0
	for (i = 1; i <= nreasons; i++)
		if ((" " ctx " ") ~ (" " rctx[i] " ") && r ~ ("^(" rre[i] ")$"))
			return 1
	return 0
}

function load_reasons(file,    line, n, f, ln) {
	nreasons = 0
	if (file == "")
		return
	ln = 0
	while ((getline line < file) > 0) {
		ln++
		if (line ~ /^[ \t]*(#|$)/)
			continue
		n = split(line, f, "\t")
		if (n < 3 || f[1] !~ /^(real|subset|vm|initramfs|booted)$/ || f[2] == "" || f[3] !~ /[a-z]/) {
			count("fail", file ":" ln ": not CONTEXT<tab>REASON<tab>WHY: " line)
			continue
		}
		nreasons++
		rctx[nreasons] = f[1]
		rre[nreasons] = f[2]
	}
	if (ln == 0)
		count("fail", file ": no skip reasons (file missing or empty)")
	close(file)
}

function start_prog(name) {
	if (prog != "")
		end_prog("fail", prog " # no result line (the runner stopped)", "-")
	prog = name
	prog_cases = prog_failed = 0
	plan = -1
	plan_reason = "-"
	in_prog = 1
}

# The program's own result line: @status, @name, its skip reason @r.
function end_prog(status, name, r,    label) {
	label = prog != "" ? prog : name
	if (prog == "" && !in_prog) {
		# A bare top-level result (no nested output at all).
		if (status == "skip" && !reason_ok(r))
			status = "badskip"
	} else {
		if (plan < 0 && (prog_cases > 0 || status != "fail"))
			count("fail", label ": no TAP plan")
		else if (plan > 0 && prog_cases != plan)
			count("fail", label ": planned " plan " cases, reported " prog_cases)
		else if (plan == 0) {
			if (prog_cases > 0)
				count("fail", label ": planned 1..0, reported " prog_cases " cases")
			if (plan_reason == "-" || plan_reason == "")
				count("fail", label ": 1..0 without a skip reason")
			else if (r == "-" || r == "")
				r = plan_reason
		}
		if (status == "skip" && plan != 0 && prog_cases > 0) {
			# A program that ran cases may not call itself skipped.
			count("fail", label ": reported SKIP after running " prog_cases " cases")
			status = "pass"
		}
		if (status == "skip" && !reason_ok(r))
			status = "badskip"
		else if (status == "pass" && plan == 0) {
			status = "skip"
			if (!reason_ok(r))
				status = "badskip"
		}
	}
	if (status == "badskip")
		count("fail", name " # SKIP " r " (reason not in the skip list)")
	else if (prog_cases == 0 || (status == "fail" && prog_failed == 0))
		count(status, name (status == "skip" ? " # SKIP " r : ""))
	prog = ""
	in_prog = 0
	prog_cases = prog_failed = 0
	plan = -1
}

BEGIN {
	pass = fail = skip = 0
	prog = ""
	suite_plan = -1
	suite_progs = 0
	load_reasons(reasons)
}

{ sub(/\r$/, "") }

/^# selftests: / {
	name = $0; sub(/^# selftests: /, "", name)
	start_prog(name)
	next
}

/^# 1\.\.[0-9]+/ && in_prog {
	line = $0; sub(/^# /, "", line)
	if (plan >= 0)
		count("fail", prog ": a second plan (" line ")")
	plan = substr(line, 4) + 0
	plan_reason = skip_reason(line)
	next
}

/^# (not )?ok [0-9]+/ && in_prog {
	line = $0; sub(/^# /, "", line)
	num = line; sub(/^(not )?ok /, "", num); num = num + 0
	name = line; sub(/^(not )?ok [0-9]+ ?/, "", name)
	r = skip_reason(line)
	if (line ~ /^not ok /) s = "fail"
	else if (r != "-") s = "skip"
	else s = "pass"
	prog_cases++
	if (num != prog_cases)
		count("fail", prog ": case numbered " num ", expected " prog_cases)
	if (s == "skip" && !reason_ok(r)) {
		count("fail", prog ": " name " (skip reason not in the skip list)")
		prog_failed++
	} else {
		count(s, prog ": " name)
		if (s == "fail") prog_failed++
	}
	next
}

/^1\.\.[0-9]+/ {
	if (suite_plan >= 0)
		count("fail", "suite: a second top-level plan (" $0 ")")
	suite_plan = substr($0, 4) + 0
	next
}

/^(not )?ok [0-9]+/ {
	line = $0
	name = line; sub(/^(not )?ok [0-9]+ /, "", name)
	r = skip_reason(line)
	bare = name; sub(/ *#.*$/, "", bare)
	if (line ~ /^not ok /) s = "fail"
	else if (r != "-") s = "skip"
	else s = "pass"
	if (bare ~ /^selftests: /)
		suite_progs++
	end_prog(s, bare, r)
	next
}

END {
	if (prog != "")
		end_prog("fail", prog " # no result line (the runner stopped)", "-")
	if (suite_plan >= 0 && suite_plan != suite_progs)
		count("fail", "suite: planned " suite_plan " programs, " suite_progs " reported")
	else if (suite_plan < 0 && need_plan)
		count("fail", "suite: no top-level TAP plan (the guest's runner did not start?)")
	printf "%d passed, %d failed, %d skipped\n", pass, fail, skip
}
