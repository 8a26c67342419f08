#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of "make bench" (boot with -smp 1 -icount shift=0, so guest
# nanoseconds are executed instructions).  For each repeat, every config in
# turn (the order rotates between repeats to spread drift): load memowner
# with that config's parameters, time the allocator pairs of
# memowner_bench.ko, read memowner's metadata size, unload.  One line per
# measurement; bench/report.sh turns them into tables:
#
#   BENCH config=C rep=R op=OP iters=N ns=T per_op=X.XX switches=S offcpu_ns=O
#   BENCH_META config=C rep=R bytes_per_object=N
#   BENCH_ERROR config=C rep=R reason...
#
# BENCH_REPS (default 3) and BENCH_ITERS (default: the module's per-op
# counts) may be set on the kernel command line (vm/run.sh --append).

reps=${BENCH_REPS:-3}
iters=${BENCH_ITERS:-0}
ko=${MEMOWNER_KO:-/memowner/memowner.ko}
dir=/sys/kernel/debug/memowner_bench
status=/sys/kernel/debug/memowner/status
configs="absent disabled sample callsite stack"

params() {
	case $1 in
	absent) ;;
	disabled) echo "enabled=0" ;;
	sample) echo "mode=sample" ;;
	callsite) echo "mode=callsite" ;;
	stack) echo "mode=stack depth=16" ;;
	esac
}

echo "BENCH_KERNEL $(uname -r)"
echo "BENCH_INFO cpus=$(nproc) cmdline=$(cat /proc/cmdline)"
# With ERMS, clear_page is one "rep stosb" that icount counts per byte: a
# zeroed page (init_on_alloc=1) is ~4,100 of the counted instructions.
grep -qw erms /proc/cpuinfo && erms=yes || erms=no
echo "BENCH_INFO erms=$erms init_on_alloc=$(grep -o 'init_on_alloc=[01]' /proc/cmdline || echo default)"

if ! err=$(insmod /memowner/memowner_bench.ko 2>&1); then
	echo "BENCH_ERROR config=all rep=0 insmod memowner_bench.ko failed: $err"
	exit 1
fi
# The cache64 op must time an own cache, not an alias of kmalloc-64.
if [ -L /sys/kernel/slab/memowner_bench64 ]; then
	echo "BENCH_INFO cache64 merged into $(readlink /sys/kernel/slab/memowner_bench64)"
else
	echo "BENCH_INFO cache64 unmerged"
fi
echo "BENCH_INFO default iterations: $(tr '\n' ' ' <$dir/run)"

# settle ITERS TRIES CLEAN: kmalloc64 runs of ITERS pairs until CLEAN in a
# row had other tasks on the CPU for under 0.5% of the time (offcpu_ns), at
# most TRIES runs.  Boot-time work still runs when the guest script starts
# (on 6.12 the crypto self-tests, cryptomgr_test, take half the CPU for ~1 s
# of guest time) and would double every number measured meanwhile; so
# might a module's load-time work.
settle() {
	tries=0 clean=0
	while [ "$tries" -lt "$2" ] && [ "$clean" -lt "$3" ]; do
		echo "kmalloc64 $1" >$dir/run || return 1
		if awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
			END { exit !(v["offcpu_ns"] * 200 < v["ns"]) }' $dir/results; then
			clean=$((clean + 1))
		else
			clean=0
		fi
		tries=$((tries + 1))
	done
	[ "$clean" -ge "$3" ]
}

if settle 100000 100 3; then
	echo "BENCH_INFO boot work settled after $tries runs"
else
	echo "BENCH_INFO boot work still running after $tries runs"
fi
# One untimed full pass: the first run after boot fills slab and per-cpu
# page caches that later runs find warm.  Then 20,000 more vmalloc pairs:
# the vmap area state (on 6.9+ also the per-node pools of freed areas,
# decayed by a quarter at each lazy purge) takes ~10 purges of ~1,600
# areas each to settle; until then the vmalloc figure drifts by ~0.5%.
{ echo "$iters" >$dir/run && echo "vmalloc 20000" >$dir/run; } ||
	echo "BENCH_ERROR config=warmup rep=0 bench run failed"

run_config() {
	c=$1 r=$2
	if [ "$c" != absent ]; then
		# shellcheck disable=SC2046
		if ! err=$(insmod "$ko" $(params "$c") 2>&1); then
			echo "BENCH_ERROR config=$c rep=$r insmod $(params "$c") failed: $err"
			return
		fi
		settle 20000 5 1 ||
			echo "BENCH_INFO config=$c rep=$r other tasks still running after load"
	fi
	if echo "$iters" >$dir/run; then
		while read -r line; do
			echo "BENCH config=$c rep=$r $line"
		done <$dir/results
	else
		echo "BENCH_ERROR config=$c rep=$r bench run failed"
	fi
	if [ "$c" != absent ]; then
		meta=$(sed -n 's/^metadata_bytes_per_object:[[:space:]]*\([0-9][0-9]*\).*/\1/p' \
			"$status" 2>/dev/null | head -n1)
		[ -n "$meta" ] && echo "BENCH_META config=$c rep=$r bytes_per_object=$meta"
		err=$(rmmod memowner 2>&1) ||
			echo "BENCH_ERROR config=$c rep=$r rmmod failed: $err"
	fi
}

r=1
order=$configs
while [ "$r" -le "$reps" ]; do
	for c in $order; do
		run_config "$c" "$r"
	done
	# Rotate: the first config of this repeat goes last in the next.
	# shellcheck disable=SC2086
	set -- $order
	first=$1
	shift
	order="$* $first"
	r=$((r + 1))
done

rmmod memowner_bench
echo "BENCH_DONE reps=$reps"
