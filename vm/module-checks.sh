#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# module-checks.sh KO SRCDIR: checks of the built memowner.ko and its
# sources that no VM can make, as TAP lines ("ok N ..." / "not ok N ...").
#
#  1. IBT: the module neither resolves kallsyms_lookup_name nor casts a
#     looked-up address (a kprobe's .addr, an unsigned long) to a function
#     pointer.  An indirect call to a function without ENDBR64 -- and
#     objtool seals every function whose address the kernel never takes --
#     is a control-protection fault on CPUs that enforce IBT; TCG does not
#     emulate IBT, so this is checked by construction, here.
#  2. Static per-CPU data (.data..percpu) of at most 512 bytes: it comes out
#     of the reserved per-CPU chunk that all modules share (8 KiB on
#     x86_64); more, and memowner or the module loaded after it fails to
#     load ("alloc from reserved chunk failed").
#  3. Live values are formed only by mo_live_objects()/mo_live_bytes()
#     (module/site.h), which clamp the racy per-CPU sum at zero: a
#     difference of a site's counters anywhere else would wrap to ~2^64 when
#     a free was counted on a CPU read after its allocation's.  A race of
#     two vCPUs that single-threaded TCG never runs: checked by
#     construction, here.
set -uo pipefail

ko=$1 src=$2
n=0 rc=0
echo "1..4"
tap() {	# tap OK-FLAG DESCRIPTION [DETAIL-LINES]
	n=$((n + 1))
	if [ -n "${3:-}" ]; then
		printf '%s\n' "$3" | sed 's/^/# /'
	fi
	if [ "$1" = 1 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		rc=1
	fi
}

# 1. No kallsyms_lookup_name, in the object or the sources (comments aside).
# The name as a word: 7.x headers put the BPF helper enum
# BPF_FUNC_kallsyms_lookup_name into the module's debug information.
hits=$(strings -a "$ko" | grep -w 'kallsyms_lookup_name'
	grep -nw 'kallsyms_lookup_name' "$src"/*.c "$src"/*.h |
		grep -vE '^[^:]*:[0-9]+:\s*(\*|/\*)')
tap "$([ -z "$hits" ] && echo 1)" \
	"ibt: memowner.ko does not resolve kallsyms_lookup_name" "$hits"
# ... nor casts an address to a function (pointer) type: "(type (*)(...))",
# or to a *_fn_t / *_func_t typedef.
hits=$(grep -nE '\([a-z_ ]+\(\*\)\(|\(\s*[a-z_]+_(fn|func)_t\s*\)' \
	"$src"/*.c "$src"/*.h)
tap "$([ -z "$hits" ] && echo 1)" \
	"ibt: no cast of an address to a function pointer in module/" "$hits"

# 2. Static per-CPU data.
hex=$(readelf -SW "$ko" |
	sed -n 's/.*\] \.data\.\.percpu *PROGBITS *[0-9a-f]* [0-9a-f]* \([0-9a-f]*\) .*/\1/p')
size=$((16#${hex:-0}))
tap "$([ -n "$hex" ] && [ "$size" -le 512 ] && echo 1)" \
	"percpu: static per-CPU data is $size bytes (at most 512)"
# 3. No "allocs - frees" or "bytes - bytes_freed" outside the helpers.
hits=$(grep -nE '(allocs|bytes)\s*-\s*[A-Za-z_>.()&-]*(frees|bytes_freed)\b' \
	"$src"/*.c "$src"/*.h | grep -v '^[^:]*site\.h:' |
	grep -vE '^[^:]*:[0-9]+:\s*(\*|/\*)')
tap "$([ -z "$hits" ] && echo 1)" \
	"live values: formed only by mo_live_objects()/mo_live_bytes() (clamped)" "$hits"
exit $rc
