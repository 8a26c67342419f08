#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of "make demo": load memowner, run a workload, show the owners.
d=/sys/kernel/debug/memowner
echo "== insmod memowner.ko mode=stack"
insmod "$MEMOWNER_KO" mode=stack || exit 1
echo "== workload: a file tree in tmpfs, a process tree, pipes"
mkdir -p /tmp/w
i=0
while [ $i -lt 200 ]; do
	echo "file $i" >/tmp/w/f$i
	i=$((i + 1))
done
(sleep 30 &) ; (sleep 30 &)
echo "== memowner status"
memowner status
cat $d/status
grep -E "MemTotal|MemFree" /proc/meminfo
echo "== the 5 biggest owners by live pages (show_stacks, count_threshold=64)"
echo 64 >$d/count_threshold
head -n 60 $d/show_stacks
echo "== first page_owner records"
head -n 12 $d/page_owner
rmmod memowner
