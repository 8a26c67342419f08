#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A kprobe handler reads registers by the prototype it was written for, so
# a hook whose function changed prototype must be refused, never attached.
# $MEMOWNER_WRONGPROTO_KO is a copy of memowner.ko built with one entry of
# its prototype table deliberately wrong (-DMEMOWNER_TEST_WRONG_PROTO: vfree
# expected as "void (void *)" instead of "void (const void *)", and
# out_of_memory as taking a const oom_control).  Loaded, it
# must refuse that hook, track no vmalloc allocation (the source's frees
# could not be seen), track the other sources, and say so in dmesg, debugfs
# and "memowner status".  The real module is loaded again at the end.

ksft_skip=4
status=/sys/kernel/debug/memowner/status

if [ -z "$MEMOWNER_WRONGPROTO_KO" ] || [ ! -f "$MEMOWNER_WRONGPROTO_KO" ]; then
	echo "1..0 # SKIP wrong-prototype module not built (MEMOWNER_WRONGPROTO_KO)"
	exit $ksft_skip
fi
if [ -z "$MEMOWNER_KO" ]; then
	echo "1..0 # SKIP the real module is needed to reload it (MEMOWNER_KO)"
	exit $ksft_skip
fi

echo "TAP version 13"
echo "1..11"
t=0
failed=0
result() {	# result OK-FLAG DESCRIPTION
	t=$((t + 1))
	if [ "$1" = 1 ]; then
		echo "ok $t $2"
	else
		echo "not ok $t $2"
		failed=1
	fi
}
has() {	# has TEXT ERE
	printf '%s\n' "$1" | grep -qE "$2"
}
check() {	# check DESCRIPTION COMMAND...
	d=$1
	shift
	if "$@" >/dev/null 2>&1; then result 1 "$d"; else result 0 "$d"; fi
}

grep -q '^memowner ' /proc/modules && rmmod memowner
dmesg -c >/dev/null 2>&1 || true
check "the wrong-prototype module loads (other sources can be tracked)" \
	insmod "$MEMOWNER_WRONGPROTO_KO" sources=slab,page,vmalloc,percpu
echo "# $(grep -E '^hook: vmalloc|out_of_memory|^source_masks' "$status" 2>&1 | tr '\n' ';')"
check "vfree is refused: not attached: prototype changed" \
	grep -qx 'hook: vmalloc kprobe vfree not attached: prototype changed' "$status"
check "out_of_memory is refused: not attached: prototype changed" \
	grep -qx 'hook: event kretprobe out_of_memory not attached: prototype changed' "$status"
check "the vmalloc allocation hook is not attached either (source off)" \
	grep -qE '^hook: vmalloc kretprobe __vmalloc_node_range(_noprof)? not attached: source off$' "$status"
check "slab, page and percpu hooks are attached" sh -c "
	grep -q '^hook: slab tracepoint kmalloc attached' $status &&
	grep -q '^hook: page tracepoint mm_page_alloc attached' $status &&
	grep -q '^hook: percpu tracepoint percpu_alloc_percpu attached' $status"
# BIT(slab)|BIT(page)|BIT(percpu) = 7 tracked, BIT(vmalloc) = 8 degraded.
check "debugfs source masks: tracked 7, degraded 8" \
	grep -qx 'source_masks: asked=15 tracked=7 degraded=8' "$status"
json=$(memowner --json status 2>/dev/null)
check "GET_INFO: sources_degraded is vmalloc alone" \
	has "$json" '"sources_degraded": *\[ *"vmalloc" *\]'
check "GET_INFO: sources_tracked lacks vmalloc" \
	has "$json" '"sources_tracked": *\[ *"slab", *"page", *"percpu" *\]'
out=$(memowner status 2>&1 >/dev/null)
echo "# memowner status (stderr): $out"
check "memowner status warns that vmalloc is not tracked" \
	has "$out" 'warning: source vmalloc is not tracked'
check "dmesg names the refused hook" sh -c \
	"dmesg | grep -q 'kprobe vfree: not attached: prototype changed'"
rmmod memowner
# Nothing degraded: every hook attached or not needed (module/vmalloc_nest.c
# hooks the vmalloc wrappers where the kernel's build inlines the rest).
check "the real module loads again with vfree and out_of_memory attached" sh -c "
	insmod $MEMOWNER_KO &&
	grep -q '^hook: vmalloc kprobe vfree attached' $status &&
	grep -q '^hook: event kretprobe out_of_memory attached' $status &&
	grep -qx 'source_masks: asked=15 tracked=15 degraded=0' $status"
exit $failed
