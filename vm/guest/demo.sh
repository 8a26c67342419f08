#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of "make demo": load memowner, run a workload, show the owners
# with the memowner CLI.
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
grep -E "MemTotal|MemFree" /proc/meminfo
echo "== memowner status"
memowner status
echo "== memowner top -b -n 1 -N 10 -w 150"
memowner top -b -n 1 -N 10 -w 150
echo "== memowner modules -n 5"
memowner modules -n 5
echo "== memowner caches -n 5"
memowner caches -n 5
echo "== memowner stacks --cull stacktrace -n 3"
memowner stacks --cull stacktrace -n 3
echo "== memowner export --format folded (5 biggest)"
memowner export --format folded | head -n 5
echo "== memowner pages (first records, page_owner format)"
memowner pages | head -n 12
echo "== memowner alerts add --global --bytes 1G; alerts list"
memowner alerts add --global --bytes 1G
memowner alerts list
rmmod memowner
