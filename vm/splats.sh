# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# $splat: the kernel-log lines that fail a run even when every test passed
# (an ERE; sourced by vm/judge.sh, and by vm/mutate.sh for each mutant's
# part of the log).
# The kernel's own reports: oopses, warnings, lockdep, sanitizers, leaks.
splat='Oops|BUG:|WARNING:|Kernel panic|general protection fault|kernel BUG at'
splat="$splat|possible circular locking|possible recursive locking"
splat="$splat|inconsistent lock state|UBSAN:|KASAN:"
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

# kmemleak is not here: its log line cannot tell the tests' objects from
# the kernel's own allocated at boot (ACPI's caches, reported whenever a
# scan finds them unchanged), so the test runner judges it after every
# program by each object's allocation time (run_tests.sh).
