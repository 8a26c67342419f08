#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Selftest of memowner_test.ko, the helper module that the other tests use to
# make allocations they know everything about.  Checks every alloc KIND in
# every context (the writer, cpu=N, softirq, hardirq), the "held" and "pfns"
# reports, free, reset and stress, that rejected commands fail with EINVAL
# and change nothing, that a failed allocation holds nothing, and that the
# module unloads cleanly with memory still held.
#
# Needs the module file: $MEMOWNER_TEST_KO, or a module modprobe can find.
# Leaves the module unloaded.  Runs in busybox sh; uses "local", which
# busybox ash, dash and bash all have.
# shellcheck disable=SC3043

ksft_skip=4
here=$(cd "$(dirname "$0")" && pwd)
dir=/sys/kernel/debug/memowner_test
cpudir=/sys/devices/system/cpu

skip() {
	echo "1..0 # SKIP $*"
	exit $ksft_skip
}

if [ -n "$MEMOWNER_TEST_KO" ]; then
	[ -f "$MEMOWNER_TEST_KO" ] || skip "$MEMOWNER_TEST_KO not found"
	load() { insmod "$MEMOWNER_TEST_KO"; }
elif modinfo memowner_test >/dev/null 2>&1; then
	load() { modprobe memowner_test; }
else
	skip "memowner_test.ko not found (set MEMOWNER_TEST_KO)"
fi
[ "$(id -u)" = 0 ] || skip "must be run as root"
grep -q ' /sys/kernel/debug debugfs ' /proc/mounts ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null ||
	skip "debugfs is not available"
[ -x "$here/mo_write" ] || {
	echo "1..1"
	echo "not ok 1 mo_write (the control file's writer) not built"
	exit 1
}

echo "TAP version 13"
echo "1..20"
failed=0
t=0
ok=1
started=$(date +%s)

# Every case starts with ok=1; bad() reports a failed check and clears it.
bad() {
	echo "# $*"
	ok=0
}

result() {	# result DESCRIPTION: report the case that just ran
	t=$((t + 1))
	now=$(date +%s)
	echo "# case $((t)) took $((now - started)) s"
	started=$now
	if [ "$ok" = 1 ]; then
		echo "ok $t $1"
	else
		echo "not ok $t $1"
		failed=1
	fi
	ok=1
}

skipped() {	# skipped DESCRIPTION REASON
	t=$((t + 1))
	echo "ok $t $1 # SKIP $2"
	ok=1
}

loaded() { grep -q '^memowner_test ' /proc/modules; }

# ctl COMMAND...: one write() of the command line to control.  The status is
# the write's; $ctl_err holds its strerror on failure.  mo_write, not the
# shell's echo: Debian's dash says "I/O error" for any failed write.
ctl() {
	ctl_err=$("$here/mo_write" "$dir/control" "$*" 2>&1)
}

run() {		# run COMMAND...: must succeed
	ctl "$@" || bad "'$*' failed: $ctl_err"
}

held() { cat "$dir/held"; }
held_line() { grep "^$1 " "$dir/held"; }
held_empty() { [ -z "$(held)" ] && [ -z "$(cat "$dir/pfns")" ]; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# The CPUs of a sysfs cpu list ("0-3,5"), one per line.
cpulist() {
	tr ',' '\n' <"$1" | while IFS=- read -r a b; do
		[ -n "$a" ] || continue
		[ -n "$b" ] || b=$a
		while [ "$a" -le "$b" ]; do
			echo "$a"
			a=$((a + 1))
		done
	done
}

# IRQ work interrupts taken so far, all CPUs (x86: the IWI row); empty
# where the architecture has no such row.
irq_work_count() {
	awk '$1 == "IWI:" { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; f = 1 }
	     END { if (f) print s + 0 }' /proc/interrupts
}

# check_kind KIND COUNT SIZE: the held line of KIND is that of COUNT objects
# of SIZE (the only ones of KIND held).  Slab kinds report the sum of
# ksize(), each of which is only known to lie within SIZE and 2*SIZE (16
# for tiny objects: the smallest kmalloc size, or a cache object with its
# free pointer): an object KFENCE serves has a ksize() of exactly SIZE, the
# others their cache's object size.
check_kind() {
	local kind=$1 count=$2 size=$3 line n req alloc pages per a max
	line=$(held_line "$kind")
	n=$count
	alloc=
	pages=0
	case $kind in
	kmalloc | cache | cache_bulk)
		req=$((count * size))
		a=$(field "$line" bytes_alloc)
		max=$((2 * size))
		[ $max -ge 16 ] || max=16
		alloc="[$size..$max per object, summed]"
		if [ -n "$a" ] && [ "$a" -ge $((count * size)) ] &&
		   [ "$a" -le $((count * max)) ]; then
			alloc=$a
		fi ;;
	pages)
		per=$((page_size << size))
		req=$((count * per)); alloc=$req; pages=$((count << size)) ;;
	split)
		n=$((count << size))
		req=$((n * page_size)); alloc=$req; pages=$n ;;
	pages_bulk)
		req=$((count * page_size)); alloc=$req; pages=$count ;;
	vmalloc)
		per=$(((size + page_size - 1) / page_size))
		req=$((count * size)); alloc=$((count * per * page_size))
		pages=$((count * per)) ;;
	percpu)
		req=$((count * size)); alloc=$((req * possible)) ;;
	esac
	want="$kind count=$n bytes_req=$req bytes_alloc=$alloc pages=$pages"
	[ "$line" = "$want" ] && return 0
	echo "# held '$line', expected '$want'"
	return 1
}

# cycle KIND COUNT SIZE [OPTION...]: alloc, check held, free, check empty.
cycle() {
	local kind=$1 count=$2 size=$3
	shift 3
	if ! ctl alloc "$kind" "$count" "$size" "$@"; then
		bad "alloc $kind $count $size $*: $ctl_err"
		return
	fi
	check_kind "$kind" "$count" "$size" || bad "after alloc $kind $count $size $*"
	run free "$kind"
	held_empty || bad "free $kind left: $(held)"
}

# A SIZE that suits every kind, for the context tests.
size_of() {
	case $1 in
	kmalloc) echo 100 ;;
	cache | cache_bulk) echo 200 ;;
	pages | split) echo 2 ;;
	vmalloc) echo 10000 ;;
	percpu) echo 24 ;;
	pages_bulk) echo 0 ;;
	esac
}

kinds="kmalloc cache pages split vmalloc percpu cache_bulk pages_bulk"

# PREEMPT_RT: the allocators take sleeping locks, so no allocation may be
# made in hard interrupt context; the module refuses ctx=hardirq (EINVAL).
# There, the hardirq commands of the cases below must be refused and change
# nothing (hrun, hcycle, hn), and the hardirq case itself is a skip.
rt=0
if [ "$(cat /sys/kernel/realtime 2>/dev/null)" = 1 ] || uname -v | grep -q PREEMPT_RT; then
	rt=1
	echo "# PREEMPT_RT kernel: ctx=hardirq commands must be refused"
fi
rt_reason="PREEMPT_RT: no allocation may be made in hard interrupt context"

# refused COMMAND...: must fail with EINVAL and leave held as it was.
refused() {
	local before
	before=$(held; cat "$dir/pfns")
	if ctl "$@"; then
		bad "'$*' succeeded on PREEMPT_RT"
	else
		case $ctl_err in
		*"Invalid argument"*) ;;
		*) bad "'$*': $ctl_err" ;;
		esac
	fi
	[ "$(held; cat "$dir/pfns")" = "$before" ] || bad "refused '$*' changed held"
}

hrun() {	# hrun COMMAND... (ctx=hardirq): run, or refused on PREEMPT_RT
	if [ "$rt" = 1 ]; then refused "$@"; else run "$@"; fi
}

hcycle() {	# hcycle KIND COUNT SIZE OPTION... (ctx=hardirq): cycle, or refused
	if [ "$rt" = 1 ]; then refused alloc "$@"; else cycle "$@"; fi
}

hn() {		# hn N: what a hardirq command of N objects adds (0 on PREEMPT_RT)
	if [ "$rt" = 1 ]; then echo 0; else echo "$1"; fi
}
online=$(cpulist $cpudir/online)
possible=$(cpulist $cpudir/possible | wc -l)
ncpus=$(echo "$online" | wc -l)
first=$(echo "$online" | head -n1)
echo "# online cpus:" $online", possible: $possible"

# 1: start from a fresh load.
if loaded && ! rmmod memowner_test; then
	echo "Bail out! memowner_test.ko is in use and cannot be unloaded"
	exit 1
fi
if ! load; then
	echo "Bail out! cannot load memowner_test.ko"
	exit 1
fi
for f in control:200 held:400 pfns:400; do
	mode=$(stat -c %a "$dir/${f%:*}" 2>/dev/null)
	[ "$mode" = "${f#*:}" ] || bad "$dir/${f%:*}: mode '$mode', expected ${f#*:}"
done
held_empty || bad "held or pfns not empty after load: $(held)"
result "load: control (0200), held, pfns (0400) in $dir, nothing held"

# 2: the page size, as the module reports one order-0 page.
page_size=4096
if ctl alloc pages 1 0; then
	page_size=$(field "$(held_line pages)" bytes_req)
	run free pages
else
	bad "alloc pages 1 0: $ctl_err"
fi
case $page_size in
4096 | 16384 | 65536) ;;
*) bad "implausible page size '$page_size'"; page_size=4096 ;;
esac
echo "# page size $page_size"
for kind in kmalloc cache pages split vmalloc percpu cache_bulk pages_bulk; do
	cycle $kind 1 "$(size_of $kind)"
done
result "every kind: alloc 1, held line, free"

# 3: process context, the writer's own, over the range of sizes.
for s in 1 8 100 4096 5000 20000 4194304; do cycle kmalloc 3 $s; done
for s in 8 200 4096 8192; do cycle cache 3 $s; done
for s in 0 1 3 10; do cycle pages 2 $s; done
for s in 1 4 10; do cycle split 2 $s; done
for s in 1 4096 10000 4194304; do cycle vmalloc 2 $s; done
for s in 1 24 4096; do cycle percpu 5 $s; done
for s in 8 200 8192; do cycle cache_bulk 100 $s; done
for c in 1 2 300; do cycle pages_bulk $c 0; done
cycle kmalloc 100000 16 ctx=process
result "process context: every kind over its SIZE range"

# 4: held adds up over several commands of one kind.
run alloc kmalloc 2 64
run alloc kmalloc 3 64 ctx=softirq
hrun alloc kmalloc 4 64 ctx=hardirq
check_kind kmalloc $((5 + $(hn 4))) 64 || bad "kmalloc after 2+3+$(hn 4)"
run alloc pages 1 1
hrun alloc pages 2 1 ctx=hardirq
check_kind pages $((1 + $(hn 2))) 1 || bad "pages after 1+$(hn 2)"
run alloc split 1 3
run alloc split 2 3 ctx=softirq
check_kind split 3 3 || bad "split after 1+2"
run alloc percpu 3 16
run alloc percpu 4 16 ctx=softirq
check_kind percpu 7 16 || bad "percpu after 3+4"
run free pages
[ -z "$(held_line pages)" ] || bad "free pages left $(held_line pages)"
[ -n "$(held_line kmalloc)" ] && [ -n "$(held_line split)" ] &&
	[ -n "$(held_line percpu)" ] || bad "free pages freed other kinds: $(held)"
run free vmalloc		# nothing held: a no-op
check_kind kmalloc $((5 + $(hn 4))) 64 || bad "free vmalloc changed kmalloc"
run reset
held_empty || bad "reset left: $(held)"
result "held sums several commands; free KIND frees that kind only"

# 5: pfns: one line per held page block, in kind order.
run alloc pages 3 2
run alloc split 2 3
run alloc pages_bulk 5 0
pfns=$(cat "$dir/pfns")
n=$(echo "$pfns" | grep -c ' 2 pages$')
[ "$n" = 3 ] || bad "$n 'PFN 2 pages' lines, expected 3"
n=$(echo "$pfns" | grep -c ' 0 split$')
[ "$n" = 16 ] || bad "$n 'PFN 0 split' lines, expected 16"
n=$(echo "$pfns" | grep -c ' 0 pages_bulk$')
[ "$n" = 5 ] || bad "$n 'PFN 0 pages_bulk' lines, expected 5"
n=$(echo "$pfns" | grep -cvE '^[0-9]+ [0-9]+ (pages|split|pages_bulk)$')
[ "$n" = 0 ] || bad "$n malformed pfns lines"
n=$(echo "$pfns" | awk '{ print $1 }' | sort -u | wc -l)
[ "$n" = 24 ] || bad "$n distinct PFNs, expected 24"
# An order-2 block starts at a multiple of 4; a split order-3 block gives
# 8 pages in a row starting at a multiple of 8.
n=$(echo "$pfns" | awk '$3 == "pages" && $1 % 4 != 0' | wc -l)
[ "$n" = 0 ] || bad "$n order-2 blocks not aligned"
n=$(echo "$pfns" | awk '$3 == "split" { b[int($1 / 8)]++ }
	END { for (k in b) if (b[k] == 8) n++; print n + 0 }')
[ "$n" = 2 ] || bad "split pages do not form 2 aligned runs of 8"
echo "$pfns" | awk '{ print $3 }' | uniq | tr '\n' ' ' | grep -qx 'pages split pages_bulk ' ||
	bad "pfns not in kind order"
run reset
held_empty || bad "reset left: $(held)"
result "pfns: PFN ORDER KIND per held page block"

# 6: a pfns file larger than seq_file's buffer, over several batches.
run alloc pages_bulk 10000 0
run alloc pages 50 0
run alloc split 30 4
run alloc pages_bulk 7 0 ctx=softirq
n=$(wc -l <"$dir/pfns")
[ "$n" = 10537 ] || bad "pfns has $n lines, expected 10537"
n=$(awk '{ print $1 }' "$dir/pfns" | sort -u | wc -l)
[ "$n" = 10537 ] || bad "pfns has $n distinct PFNs, expected 10537"
run reset
held_empty || bad "reset left: $(held)"
result "pfns: 10537 lines over 5 batches"

# 7: process context on each CPU (a work item bound to it).
for cpu in $online; do
	for kind in $kinds; do
		cycle $kind 3 "$(size_of $kind)" cpu=$cpu
	done
	cycle vmalloc 2 4096 ctx=process cpu=$cpu
done
result "process context with cpu=N on each online CPU, every kind"

# 8: softirq (a timer on the CPU), here and on each CPU.
for cpu in "" $online; do
	for kind in kmalloc cache pages split percpu cache_bulk pages_bulk; do
		cycle $kind 3 "$(size_of $kind)" ctx=softirq ${cpu:+cpu=$cpu}
	done
done
result "softirq context, current CPU and cpu=N, every kind but vmalloc"

# 9: hardirq (irq_work), here and on each CPU.
iwi0=$(irq_work_count)
cmds=0
for cpu in "" $online; do
	for kind in kmalloc cache pages split percpu pages_bulk; do
		hcycle $kind 3 "$(size_of $kind)" ctx=hardirq ${cpu:+cpu=$cpu}
		cmds=$((cmds + 1))
	done
done
iwi1=$(irq_work_count)
if [ "$rt" = 1 ]; then
	if [ "$ok" = 1 ]; then
		skipped "hardirq context, current CPU and cpu=N" "$rt_reason"
	else
		result "hardirq context: $cmds commands refused on PREEMPT_RT"
	fi
else
	if [ -n "$iwi0" ]; then
		echo "# IRQ work interrupts: $((iwi1 - iwi0)) for $cmds hardirq commands"
		[ $((iwi1 - iwi0)) -ge $cmds ] || bad "fewer IRQ work interrupts than commands"
	fi
	result "hardirq context, current CPU and cpu=N, every kind but vmalloc and cache_bulk"
fi

# 10: the largest COUNT in atomic context.
hcycle kmalloc 4096 32 ctx=hardirq
cycle pages_bulk 4096 0 ctx=softirq
cycle cache_bulk 4096 64 ctx=softirq
result "atomic contexts: COUNT 4096"

# 11: rejected commands: EINVAL, nothing changes.
run alloc kmalloc 2 64
run alloc pages 1 1
run stress 10 64
before=$(held; cat "$dir/pfns")
long=$(printf '%0130d' 1)
two=$(printf 'free kmalloc\nfree pages')
while read -r cmd; do
	[ "$cmd" = EMPTY ] && cmd=
	[ "$cmd" = LONG ] && cmd="alloc kmalloc 1 $long"
	[ "$cmd" = TWO ] && cmd=$two
	if ctl "$cmd"; then
		bad "'$cmd' succeeded"
	else
		case $ctl_err in
		*"Invalid argument"*) ;;
		*) bad "'$cmd': $ctl_err" ;;
		esac
	fi
done <<EOF
EMPTY
LONG
TWO
bogus
alloc
alloc kmalloc
alloc kmalloc 1
alloc nosuch 1 64
alloc KMALLOC 1 64
alloc kmalloc 0 64
alloc kmalloc 1048577 64
alloc kmalloc -1 64
alloc kmalloc +-1 64
alloc kmalloc 99999999999999999999999 64
alloc kmalloc 1x 64
alloc kmalloc 0x10 64
alloc kmalloc 4097 64 ctx=softirq
alloc kmalloc 4097 64 ctx=hardirq
alloc pages_bulk 4097 0 ctx=hardirq
alloc kmalloc 1 0
alloc kmalloc 1 4194305
alloc cache 1 7
alloc cache 1 8193
alloc cache_bulk 1 7
alloc cache_bulk 2 64 ctx=hardirq
alloc pages 1 11
alloc split 1 0
alloc split 1 11
alloc vmalloc 1 0
alloc vmalloc 1 4194305
alloc vmalloc 1 4096 ctx=softirq
alloc vmalloc 1 4096 ctx=hardirq
alloc vmalloc 1 4096 cpu=0 ctx=softirq
alloc percpu 1 0
alloc percpu 1 4097
alloc pages_bulk 1 1
alloc kmalloc 1 64 cpu=100000
alloc kmalloc 1 64 cpu=-1
alloc kmalloc 1 64 cpu=
alloc kmalloc 1 64 cpu=x
alloc kmalloc 1 64 cpu=0 cpu=0
alloc kmalloc 1 64 ctx=nmi
alloc kmalloc 1 64 ctx=
alloc kmalloc 1 64 ctx=process ctx=process
alloc kmalloc 1 64 bogus=1
alloc kmalloc 1 64 extra
alloc kmalloc 1 64 cpu=0 ctx=process a b c
free
free nosuch
free kmalloc kmalloc
reset now
stress
stress 10
stress 0 64
stress 16777217 64
stress 10 7
stress 10 4194305
stress 10 64 extra
hold-exit
hold-exit 0
hold-exit 1001
hold-exit 10 extra
release-exit now
EOF
after=$(held; cat "$dir/pfns")
[ "$after" = "$before" ] || bad "held/pfns changed: '$before' -> '$after'"
run reset
held_empty || bad "reset left: $(held)"
result "malformed and out-of-range commands fail with EINVAL, change nothing"

# 12: a failed allocation holds nothing.  Atomic percpu allocations come
# only from already populated chunks, so 16 MiB per CPU fails with ENOMEM
# after some objects were allocated (and without a warning splat).
run alloc kmalloc 1 64
before=$(held)
if ctl alloc percpu 4096 4096 ctx=softirq; then
	bad "alloc percpu 4096 4096 ctx=softirq succeeded"
else
	case $ctl_err in
	*"Cannot allocate memory"*) ;;
	*) bad "alloc percpu 4096 4096 ctx=softirq: $ctl_err" ;;
	esac
fi
[ "$(held)" = "$before" ] || bad "held changed: '$before' -> '$(held)'"
run reset
result "ENOMEM: a failed command frees what it got"

# 13: stress counts every allocation and free, cumulatively.
run stress 20000 64
[ "$(held)" = "stress allocs=20000 frees=20000" ] || bad "after stress 20000 64: '$(held)'"
run stress 3 8
run stress 1 4194304
[ "$(held)" = "stress allocs=20004 frees=20004" ] || bad "after 3 more: '$(held)'"
run alloc kmalloc 1 8
run stress $((ncpus * 1000 + 1)) 200
n=$((20005 + ncpus * 1000))
[ "$(held_line stress)" = "stress allocs=$n frees=$n" ] || bad "after more stress: '$(held)'"
check_kind kmalloc 1 8 || bad "stress changed kmalloc"
[ "$(held | wc -l)" = 2 ] || bad "unexpected held lines: $(held)"
result "stress: allocs and frees counted on $ncpus CPUs"

# 14: reset frees every kind and zeroes the stress counters.
for kind in $kinds; do run alloc $kind 2 "$(size_of $kind)"; done
n=$(held | wc -l)
[ "$n" = 9 ] || bad "$n held lines, expected 8 kinds + stress"
run reset
held_empty || bad "reset left: $(held)"
run reset			# nothing held: a no-op
result "reset frees every kind and zeroes the stress counters"

# 15: offline CPUs are rejected.
victim=
for cpu in $online; do
	[ -w $cpudir/cpu$cpu/online ] && victim=$cpu
done
if [ -n "$victim" ] && [ "$ncpus" -gt 1 ] && echo 0 >$cpudir/cpu$victim/online 2>/dev/null; then
	for ctx in process softirq hardirq; do
		if ctl alloc kmalloc 1 64 ctx=$ctx cpu=$victim; then
			bad "alloc on offline cpu $victim in $ctx context succeeded"
		else
			case $ctl_err in *"Invalid argument"*) ;; *) bad "offline cpu, $ctx: $ctl_err" ;; esac
		fi
	done
	run stress 100 64		# on the CPUs left
	[ "$(held)" = "stress allocs=100 frees=100" ] || bad "stress with cpu $victim offline: $(held)"
	run reset
	echo 1 >$cpudir/cpu$victim/online || bad "cannot online cpu $victim again"
	hcycle kmalloc 1 64 ctx=hardirq cpu=$victim
	result "offline CPU rejected (cpu $victim)"
else
	skipped "offline CPU rejected" "no CPU can be taken offline"
fi

# 16: concurrent writers and readers (writer 2 in hard interrupt context,
# or in a softirq on PREEMPT_RT, where no allocation is made in hardirq).
hctx=hardirq
[ "$rt" = 1 ] && hctx=softirq
( for i in 1 2 3 4 5 6 7 8 9 10; do
	ctl alloc kmalloc 1 32 || echo "# writer 1: $ctl_err"
	ctl alloc pages 1 0 ctx=softirq || echo "# writer 1: $ctl_err"
done ) &
w1=$!
( for i in 1 2 3 4 5 6 7 8 9 10; do
	ctl alloc kmalloc 1 32 ctx=$hctx || echo "# writer 2: $ctl_err"
	ctl alloc pages 1 0 cpu=$first || echo "# writer 2: $ctl_err"
	cat "$dir/pfns" >/dev/null
done ) &
w2=$!
( for i in 1 2 3 4 5; do ctl stress 500 16 || echo "# writer 3: $ctl_err"; held >/dev/null; done ) &
w3=$!
wait $w1 $w2 $w3
check_kind kmalloc 20 32 || bad "concurrent kmalloc"
check_kind pages 20 0 || bad "concurrent pages"
[ "$(held_line stress)" = "stress allocs=2500 frees=2500" ] || bad "concurrent stress: $(held_line stress)"
run reset
held_empty || bad "reset left: $(held)"
result "concurrent writers and readers"

# 17: unload with every kind held.
dmesg_before=$(dmesg | grep -cE 'BUG|WARNING|Objects remaining|still has objects')
for kind in $kinds; do run alloc $kind 3 "$(size_of $kind)"; done
hrun alloc kmalloc 2 64 ctx=hardirq
run alloc split 1 1 ctx=softirq
run stress 10 64
rmmod memowner_test || bad "rmmod with memory held failed"
! loaded && [ ! -e $dir ] || bad "module or $dir left after rmmod"
for c in /sys/kernel/slab/memowner_test_*; do
	[ -e "$c" ] && bad "slab cache left: $c"
done
dmesg_after=$(dmesg | grep -cE 'BUG|WARNING|Objects remaining|still has objects')
[ "$dmesg_after" = "$dmesg_before" ] || { bad "kernel log:"; dmesg | grep -E 'BUG|WARNING|Objects remaining|still has objects' | tail -n 10 | sed 's/^/# /'; }
result "unload frees everything held and destroys the caches"

# 18: load again: caches are created afresh, at most 8 sizes per load,
# each a cache of its own (a constructor keeps SLUB from merging it into
# kmalloc-N, which would leave only an alias by that name).
if load; then
	held_empty || bad "held not empty after reload: $(held)"
	cycle cache 2 200
	cycle cache_bulk 2 200
	sizes="16 24 40 48 56 72 80"
	for s in $sizes; do run alloc cache 1 $s; done
	if ctl alloc cache 1 96; then
		bad "a 9th cache size was accepted"
	else
		case $ctl_err in *"Invalid argument"*) ;; *) bad "9th cache size: $ctl_err" ;; esac
	fi
	run alloc cache_bulk 4 16	# an existing size still works
	n=$(field "$(held_line cache)" count)
	[ "$n" = 7 ] || bad "cache count=$n, expected 7"
	if [ -d /sys/kernel/slab ]; then
		for s in 200 $sizes; do
			c=/sys/kernel/slab/memowner_test_$s
			[ -d $c ] && [ ! -L $c ] || bad "$c is not a cache of its own"
		done
	fi
	run alloc pages 1 0
else
	bad "reload failed"
fi
result "reload: starts empty; own unmerged caches, at most 8 sizes"

# 19: unload again.
rmmod memowner_test || bad "second rmmod failed"
! loaded && [ ! -e $dir ] || bad "module or $dir left after rmmod"
result "second unload"

# 20: repeated load/unload cycles with allocations.
i=0
while [ $i -lt 5 ]; do
	i=$((i + 1))
	load || { bad "load $i failed"; break; }
	ctl alloc kmalloc 3 64 ctx=softirq || bad "cycle $i: $ctl_err"
	ctl alloc cache 3 64 || bad "cycle $i: $ctl_err"
	rmmod memowner_test || { bad "rmmod $i failed"; break; }
done
result "5 load/alloc/unload cycles"

exit $failed
