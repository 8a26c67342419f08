#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# report.sh GUEST_LOG: the Markdown report of a "make bench" run.
#
# Reads the BENCH/BENCH_META/BENCH_ERROR lines that vm/guest/bench.sh
# printed and prints, per op, each config's min/median/max of per_op over
# the repeats, the spread ((max-min)/median), the ratio of its median to
# the "absent" median, the instructions it adds per pair (median - absent
# median) and the largest share of a timed loop that other tasks ran; then
# memowner's metadata bytes per tracked object per config.
# Exits non-zero when the log has no BENCH line.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 GUEST_LOG" >&2; exit 2; }
log=$1
[ -r "$log" ] || { echo "$0: cannot read $log" >&2; exit 2; }

tr -d '\r' <"$log" | awk '
function field(name,    i, k) {
	for (i = 2; i <= NF; i++) {
		k = index($i, "=")
		if (k && substr($i, 1, k - 1) == name)
			return substr($i, k + 1)
	}
	return ""
}
function addcfg(c) {
	if (!(c in cfgseen)) { cfgseen[c] = 1; cfgs[++ncfg] = c }
}
# Sort v[1..n] numerically in place (mawk has no asort).
function isort(v, n,    i, j, x) {
	for (i = 2; i <= n; i++) {
		x = v[i]
		for (j = i - 1; j >= 1 && v[j] > x; j--)
			v[j + 1] = v[j]
		v[j + 1] = x
	}
}
function median(v, n) {
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
BEGIN {
	desc["kmalloc64"] = "kmalloc(64) + kfree"
	desc["cache64"] = "kmem_cache_alloc + kmem_cache_free, own 64-byte cache"
	desc["page0"] = "alloc_page + __free_page"
	desc["page3"] = "alloc_pages(order 3) + __free_pages"
	desc["vmalloc"] = "vmalloc(16 KiB) + vfree"
	split("absent disabled sample callsite stack", known, " ")
	for (i = 1; i <= 5; i++)
		addcfg(known[i])
	kernel = "?"
}
$1 == "BENCH_KERNEL" { kernel = $2 }
$1 == "BENCH" {
	c = field("config"); op = field("op"); v = field("per_op")
	if (c == "" || op == "" || v == "")
		next
	addcfg(c)
	if (!(op in opseen)) { opseen[op] = 1; ops[++nops] = op }
	k = op SUBSEP c
	n[k]++
	val[k, n[k]] = v + 0
	it[op] = field("iters")
	w = field("ns") + 0
	w = w > 0 ? 100 * field("offcpu_ns") / w : 0
	if (!(k in off) || w > off[k])
		off[k] = w
	nbench++
}
$1 == "BENCH_META" {
	c = field("config"); b = field("bytes_per_object")
	if (c != "" && b != "") { addcfg(c); meta[c] = b }
}
$1 == "BENCH_ERROR" { errs[++nerr] = $0 }
END {
	if (!nbench) {
		print "bench/report.sh: no BENCH lines in the log" > "/dev/stderr"
		exit 1
	}
	printf "# memowner bench: kernel %s\n\n", kernel
	print "Guest instructions per allocate+free pair, from `qemu -smp 1 -icount shift=0`"
	print "(guest time counts instructions: 1 ns = 1 instruction). min/median/max over"
	print "the repeats; spread = (max - min) / median; ratio and added are the median"
	print "against the `absent` median (memowner not loaded); others = the largest"
	print "share of a timed loop, over the repeats, that other tasks ran (kworkers,"
	print "RCU; included in the figures)."
	for (o = 1; o <= nops; o++) {
		op = ops[o]
		printf "\n## %s", op
		if (op in desc)
			printf " (%s)", desc[op]
		printf ", %s pairs per run\n\n", it[op]
		print "| config | runs | min | median | max | spread | ratio | added | others |"
		print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
		base = ""
		k = op SUBSEP "absent"
		if (k in n) {
			m = n[k]
			for (i = 1; i <= m; i++) s[i] = val[k, i]
			isort(s, m)
			base = median(s, m)
		}
		for (ci = 1; ci <= ncfg; ci++) {
			c = cfgs[ci]
			k = op SUBSEP c
			if (!(k in n))
				continue
			m = n[k]
			for (i = 1; i <= m; i++) s[i] = val[k, i]
			isort(s, m)
			med = median(s, m)
			spread = med > 0 ? 100 * (s[m] - s[1]) / med : 0
			if (base != "" && base > 0)
				rel = sprintf("%.3f | %+.1f", med / base, med - base)
			else
				rel = "- | -"
			printf "| %s | %d | %.2f | %.2f | %.2f | %.2f%% | %s | %.2f%% |\n",
			    c, m, s[1], med, s[m], spread, rel, off[k]
		}
	}
	print "\n## Metadata per tracked object\n"
	print "From `metadata_bytes_per_object:` in /sys/kernel/debug/memowner/status."
	print ""
	print "| config | bytes per object |"
	print "| --- | ---: |"
	for (ci = 1; ci <= ncfg; ci++) {
		c = cfgs[ci]
		if (c == "absent")
			continue
		printf "| %s | %s |\n", c, (c in meta) ? meta[c] : "n/a"
	}
	if (nerr) {
		print "\n## Errors\n"
		for (i = 1; i <= nerr; i++)
			printf "- `%s`\n", errs[i]
	}
}
'
