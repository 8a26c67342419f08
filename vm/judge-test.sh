#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# judge-test.sh: the harness's own checks, tested without a VM.  Each case
# feeds vm/judge.sh (or selftests/memowner/run_tests.sh) a canned run --
# a guest log, a kernel log, a qemu exit status, artifacts -- with one
# thing wrong, and checks that the run fails and says why; a good run
# must pass.  Prints TAP; exit status 1 when a check of the harness did
# not fail (or a good run did).  Run by make check as "host: judge".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
rc=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
nok() { n=$((n + 1)); rc=1; echo "not ok $n $1"; }

# An empty host-check directory unless a case asks for the real ones.
mkdir -p "$tmp/nochecks" "$tmp/checks"
for c in json pprof prometheus; do
	ln -s "$here/host-checks/$c.sh" "$tmp/checks/$c.sh"
done

# A good guest log: two programs, the second with a listed skip.
good_prog1='# selftests: memowner: a_test
# TAP version 13
# 1..2
# # Starting 2 tests
# ok 1 t.one
# ok 2 t.two
ok 1 selftests: memowner: a_test'
good_prog2='# selftests: memowner: b.sh
# TAP version 13
# 1..2
# ok 1 first
# ok 2 second
ok 2 selftests: memowner: b.sh'

# mkrun NAME GUEST-BODY [EXIT]: a run directory with that guest log (a
# suite plan of 2 programs unless the body has its own) and a clean
# kernel log.
mkrun() {
	local d=$tmp/$1 body=$2 ex=${3-0}
	mkdir -p "$d"
	{
		echo "memowner-guest: kernel 6.1.0-57-amd64, 2 cpus, run=check"
		echo "TAP version 13"
		case $body in
		1..*) ;;
		*) echo "1..2" ;;
		esac
		printf '%s\n' "$body"
		[ "$ex" = none ] || echo "MEMOWNER-GUEST-EXIT $ex"
	} >"$d/guest.log"
	echo "[    0.000000] Linux version 6.1.0-57-amd64" >"$d/console.log"
	printf 'a_test\nb.sh\n' >"$d/expect"
	echo "$d"
}

# judge DIR WANT PATTERN [judge.sh options]: judge.sh must exit 0 (WANT
# pass) or 1 (WANT fail), and for a failure print a FAIL line matching
# PATTERN.
judge() {
	local d=$1 want=$2 pat=$3 desc
	shift 3
	desc="$want: $(basename "$d")"
	MEMOWNER_HOST_CHECKS=${HC:-$tmp/nochecks} "$here/judge.sh" "$d" \
		--expect "$d/expect" "$@" >/dev/null 2>&1
	local got=$?
	if [ "$want" = pass ]; then
		if [ $got = 0 ]; then
			ok "$desc"
		else
			grep '^FAIL' "$d/summary.txt" | sed 's/^/# /'
			nok "$desc"
		fi
		return
	fi
	if [ $got = 1 ] && grep -E "^FAIL .*$pat" "$d/summary.txt" >/dev/null; then
		# No "#" in the description: it would read as a TAP directive.
		ok "$desc ($(grep -E "^FAIL .*$pat" "$d/summary.txt" | head -n1 |
			cut -c7-90 | tr '#' '='))"
	else
		sed 's/^/# /' "$d/summary.txt" 2>/dev/null | tail -n 5
		nok "$desc: expected a FAIL matching '$pat'"
	fi
}

# ---- the guest's exit, the suite -------------------------------------------
judge "$(mkrun good "$good_prog1
$good_prog2")" pass ''
judge "$(mkrun guest-exit-1 "$good_prog1
$good_prog2" 1)" fail "runner exited with status 0 # MEMOWNER-GUEST-EXIT 1"
judge "$(mkrun no-exit-marker "$good_prog1
$good_prog2" none)" fail "guest finished # no exit marker"
d=$(mkrun timeout "$good_prog1")
judge "$d" fail "guest finished # timed out" --qemu-rc 124 --timeout 5
judge "$(mkrun qemu-error "$good_prog1
$good_prog2")" fail "qemu exited cleanly" --qemu-rc 1
judge "$(mkrun suite-plan-short "$good_prog1")" fail "suite: planned 2 programs, 1 reported"
d=$(mkrun no-suite-plan "")
printf 'memowner-guest: kernel 6.1.0-57-amd64\nMEMOWNER-GUEST-EXIT 0\n' >"$d/guest.log"
judge "$d" fail "no top-level TAP plan"
d=$(mkrun program-missing "$good_prog1
$good_prog2")
echo compat_test >>"$d/expect"
judge "$d" fail "every test program of the tree ran"

# ---- TAP plans ---------------------------------------------------------------
judge "$(mkrun plan-not-met "# selftests: memowner: a_test
# 1..21
# ok 1 one
# ok 2 two
ok 1 selftests: memowner: a_test
$good_prog2")" fail "a_test: planned 21 cases, reported 2"
judge "$(mkrun no-plan "# selftests: memowner: a_test
# ok 1 one
ok 1 selftests: memowner: a_test
$good_prog2")" fail "a_test: no TAP plan"
judge "$(mkrun empty-plan-no-reason "# selftests: memowner: a_test
# 1..0
ok 1 selftests: memowner: a_test
$good_prog2")" fail "1..0 without a skip reason"
judge "$(mkrun case-misnumbered "# selftests: memowner: a_test
# 1..2
# ok 1 one
# ok 3 two
ok 1 selftests: memowner: a_test
$good_prog2")" fail "case numbered 3, expected 2"
judge "$(mkrun crash-mid-way "# selftests: memowner: a_test
# 1..3
# ok 1 one
not ok 1 selftests: memowner: a_test # exit=139
$good_prog2")" fail "a_test: planned 3 cases, reported 1"
judge "$(mkrun runner-died "$good_prog1
# selftests: memowner: b.sh
# 1..2
# ok 1 first" 137)" fail "b.sh # no result line"

# ---- skips -----------------------------------------------------------------
judge "$(mkrun skip-unlisted "# selftests: memowner: a_test
# 1..0 # SKIP it did not feel like it
ok 1 selftests: memowner: a_test # SKIP it did not feel like it
$good_prog2")" fail "reason not in the skip list"
judge "$(mkrun skip-real-only-in-vm "# selftests: memowner: a_test
# 1..0 # SKIP MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules
ok 1 selftests: memowner: a_test # SKIP MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules
$good_prog2")" fail "reason not in the skip list"
judge "$(mkrun case-skip-unlisted "# selftests: memowner: a_test
# 1..2
# ok 1 one
# ok 2 # SKIP no reason worth having
ok 1 selftests: memowner: a_test
$good_prog2")" fail "skip reason not in the skip list"
judge "$(mkrun case-skip-no-reason "# selftests: memowner: a_test
# 1..2
# ok 1 one
# ok 2 two # SKIP
ok 1 selftests: memowner: a_test
$good_prog2")" fail "skip reason not in the skip list"
judge "$(mkrun skip-subset-in-full-run "# selftests: memowner: a_test
# 1..2
# ok 1 one
# ok 2 # SKIP ux_export_test did not run (not among make check TESTS=)
ok 1 selftests: memowner: a_test
$good_prog2")" fail "skip reason not in the skip list"
judge "$(mkrun skip-subset-in-subset-run "# selftests: memowner: a_test
# 1..2
# ok 1 one
# ok 2 # SKIP ux_export_test did not run (not among make check TESTS=)
ok 1 selftests: memowner: a_test
$good_prog2")" pass '' --subset
cp "$top/selftests/memowner/skip-reasons" "$tmp/reasons-bad"
printf 'vm\tsome reason\n' >>"$tmp/reasons-bad"
MEMOWNER_SKIP_REASONS=$tmp/reasons-bad judge "$(mkrun reason-without-why "$good_prog1
$good_prog2")" fail "not CONTEXT<tab>REASON<tab>WHY"

# ---- the kernel log ----------------------------------------------------------
splat() {	# splat NAME LINE: a good run whose kernel log has LINE
	local d
	d=$(mkrun "$1" "$good_prog1
$good_prog2")
	echo "[  100.000000] $2" >>"$d/console.log"
	judge "$d" fail "kernel log free of"
}
splat hung-task "INFO: task kworker/0:1:12 blocked for more than 120 seconds."
splat soft-lockup "watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [alerts_test:1234]"
splat hard-lockup "watchdog: Watchdog detected hard LOCKUP on cpu 1"
splat rcu-stall "rcu: INFO: rcu_sched self-detected stall on CPU"
splat rcu-stall-other "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:"
splat segfault "alerts_test[1234]: segfault at 0 ip 0000000000401000 sp 00007ffc00000000 error 4 in alerts_test[401000+1000]"
splat trap "traps: track_test[99] trap invalid opcode ip:401000 sp:7ffc0000 error:0 in track_test[401000+1000]"
splat leak "memowner: unloaded with leaks: 1 of 31 allocations not freed"
splat global-oom "Out of memory: Killed process 99 (run_tests.sh) total-vm:2260kB"
splat oops "Oops: 0000 [#1] PREEMPT SMP NOPTI"
splat warning "WARNING: CPU: 1 PID: 12 at mm/slub.c:100 kfree+0x10/0x20"
d=$(mkrun memcg-oom-is-fine "$good_prog1
$good_prog2")
echo "[  100.000000] Memory cgroup out of memory: Killed process 1899 (memowner-hog) total-vm:67012kB" >>"$d/console.log"
judge "$d" pass ''

# ---- artifacts: a producer that ran must have left its files -----------------
HC=$tmp/checks judge "$(mkrun json-missing "$good_prog1
$good_prog2
# selftests: memowner: ux_cli_test
# 1..1
# ok 1 one
ok 3 selftests: memowner: ux_cli_test" 0)" fail "stacks.json exists"
HC=$tmp/checks judge "$(mkrun pprof-missing "$good_prog1
$good_prog2
# selftests: memowner: ux_export_test
# 1..1
# ok 1 one
ok 3 selftests: memowner: ux_export_test" 0)" fail "host: pprof"
HC=$tmp/checks judge "$(mkrun prometheus-missing "$good_prog1
$good_prog2
# selftests: memowner: ux_daemon.sh
# 1..1
# ok 1 one
ok 3 selftests: memowner: ux_daemon.sh" 0)" fail "metrics.prom exists"
HC=$tmp/checks judge "$(mkrun producers-not-selected "$good_prog1
$good_prog2")" pass '' --subset
HC=$tmp/checks judge "$(mkrun producers-not-run-full "$good_prog1
$good_prog2")" fail "reason not in the skip list"

# ---- run_tests.sh: skip reasons, crashes, the per-program cleanup -------------
# A fake machine: /proc/modules and memowner's debugfs status under $root.
rt=$tmp/rt
root=$tmp/root
mkdir -p "$rt" "$root/proc" "$root/sys/kernel/debug/memowner" "$root/sys/module/memowner/parameters"
cp "$top/selftests/memowner/run_tests.sh" "$rt/"
echo "timeout=20" >"$rt/settings"
echo "memowner 1 0 - Live 0x0" >"$root/proc/modules"
printf 'enabled: 1\nmode: sample\n' >"$root/sys/kernel/debug/memowner/status"
printf '#!/bin/sh\necho "1..1"\necho "ok 1 fine"\n' >"$rt/fine.sh"
printf '#!/bin/sh\necho "1..0 # SKIP no CPU can be taken offline"\nexit 4\n' >"$rt/skips.sh"
printf '#!/bin/sh\necho "1..3"\necho "ok 1 one"\nkill -SEGV $$\n' >"$rt/crashes.sh"
printf '#!/bin/sh\necho "1..1"\necho "ok 1 fine"\necho "mode: stack" >%s\n' \
	"$root/sys/kernel/debug/memowner/status" >"$rt/leaves_stack.sh"
chmod +x "$rt"/*.sh
MEMOWNER_ROOT=$root MEMOWNER_KO='' "$rt/run_tests.sh" fine.sh skips.sh crashes.sh \
	leaves_stack.sh fine.sh >"$tmp/rt.out" 2>&1
rt_rc=$?
t() {	# t DESC PATTERN: run_tests.sh's output has a line matching PATTERN
	if grep -qE "$2" "$tmp/rt.out"; then ok "run_tests.sh: $1"; else
		sed 's/^/# /' "$tmp/rt.out"; nok "run_tests.sh: $1"; fi
}
t "a program that exits 0 passes" '^ok 1 selftests: memowner: fine.sh$'
t "a skip carries its reason" '^ok 2 selftests: memowner: skips.sh # SKIP no CPU can be taken offline$'
t "a crash fails" '^not ok 3 selftests: memowner: crashes.sh # exit=139$'
t "a program that leaves memowner changed fails" '^not ok 4 selftests: memowner: leaves_stack.sh # left memowner changed'
t "and says what changed" '^# #   mode: stack$'
t "and what could not be reset" '^# # and it could not be reset$'
[ $rt_rc = 1 ] && ok "run_tests.sh: exit status 1" || nok "run_tests.sh: exit status 1 (got $rt_rc)"
# The same, judged: the program's cases passed, but it fails.
d=$tmp/rt-judged
mkdir -p "$d"
{ cat "$tmp/rt.out"; echo "MEMOWNER-GUEST-EXIT $rt_rc"; } >"$d/guest.log"
: >"$d/console.log"
printf 'fine.sh\nskips.sh\ncrashes.sh\nleaves_stack.sh\n' >"$d/expect"
judge "$d" fail "selftests: memowner: leaves_stack.sh"

# vm/failures.sh: a failed harness case's lines, not the passed ones'; a
# case cut off shows what it had; a shell program's lines but its passes.
d=$tmp/digest
mkdir -p "$d"
printf '%s\n' '# selftests: memowner: h_test' '# TAP version 13' '# 1..3' \
	'# #  RUN           f.passes ...' '# # passed-case-line' \
	'# #            OK  f.passes' '# ok 1 f.passes' \
	'# #  RUN           f.fails ...' '# # h_test.c:9:fails:failed-case-line' \
	'# #          FAIL  f.fails' '# not ok 2 f.fails' \
	'# #  RUN           f.cut ...' '# # cut-case-line' \
	'not ok 1 selftests: memowner: h_test # exit=1' \
	'# selftests: memowner: s.sh' '# ok 1 shell-pass' '# not ok 2 shell-fail' \
	'not ok 2 selftests: memowner: s.sh' \
	'# selftests: memowner: good.sh' '# not ok 1 # TODO good-line' \
	'ok 3 selftests: memowner: good.sh' | sed 's/$/\r/' >"$d/guest.log"
printf 'FAIL  memowner: h_test: f.fails\n' >"$d/summary.txt"
"$here/failures.sh" "$d" >"$d/out"
dg() {	# dg DESC y|n PATTERN: the digest has (y) or has not (n) PATTERN
	if grep -qE "$3" "$d/out"; then [ "$2" = y ]; else [ "$2" = n ]; fi &&
		ok "failures.sh: $1" || { sed 's/^/# /' "$d/out"; nok "failures.sh: $1"; }
}
dg "names what failed" y '^FAIL  memowner: h_test: f.fails$'
dg "shows a failed case's lines" y '^# # h_test.c:9:fails:failed-case-line$'
dg "and a cut-off case's" y '^# # cut-case-line$'
dg "not a passed case's" n 'passed-case-line'
dg "a shell program's failure" y '^# not ok 2 shell-fail$'
dg "not its passes" n 'shell-pass'
dg "not a program that passed" n 'good-line'

echo "1..$n"
exit $rc
