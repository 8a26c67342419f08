# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# $splat: the kernel-log lines that fail a run even when every test passed
# (an ERE; sourced by vm/judge.sh, and by vm/mutate.sh for each mutant's
# part of the log).
# The kernel's own reports: oopses, warnings, lockdep, sanitizers, leaks.
splat='Oops|BUG:|WARNING:|Kernel panic|general protection fault|kernel BUG at'
splat="$splat|possible circular locking|possible recursive locking"
splat="$splat|inconsistent lock state|UBSAN:|KASAN:|kmemleak: .*new suspected"
splat="$splat|unloaded with leaks"
splat="$splat|scheduling while atomic|sleeping function called from invalid context"
# Hung tasks, lockups, RCU stalls.
splat="$splat|blocked for more than [0-9]+ seconds|soft lockup|hard LOCKUP"
splat="$splat|rcu.*stall|rcu: INFO|self-detected stall|detected stalls on CPUs"
# A global OOM kill (the tests make OOM kills inside small memory cgroups
# only, "Memory cgroup out of memory"): a test exhausted the machine.
splat="$splat|\] Out of memory: Killed process"
# Userspace crashes the kernel reports (show_unhandled_signals).
splat="$splat|segfault at [0-9a-f]+|traps: .*\[[0-9]+\]"

# kernel_splats [FILE]: the splat lines of a kernel log, as "N:line" (N its
# line number).  What kmemleak reports of the test runner's initial scan
# (run_tests.sh, between its "memowner-selftests: kmemleak: initial scan"
# and "... initial scan done" lines) was unreferenced before any test
# program ran -- the kernel's own, shown and cleared by the runner -- and
# is not a splat; every later scan's is.
kernel_splats() {
	re=$splat awk 'BEGIN { re = ENVIRON["re"] }
		/memowner-selftests: kmemleak: initial scan done/ { init = 0; next }
		/memowner-selftests: kmemleak: initial scan/ { init = 1; next }
		$0 ~ re && !(init && /kmemleak: /) { print NR ":" $0 }' "$@"
}
