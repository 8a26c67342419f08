#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload memowner.ko 20 times; each time the device must appear,
# answer an open, and vanish again, and no unload may report a leak.
#
# Needs the module file: $MEMOWNER_KO, or a module modprobe can find.

ksft_skip=4
cycles=${CYCLES:-20}

if [ -n "$MEMOWNER_KO" ]; then
	load() { insmod "$MEMOWNER_KO"; }
elif modinfo memowner >/dev/null 2>&1; then
	load() { modprobe memowner; }
else
	echo "1..0 # SKIP memowner.ko not found (set MEMOWNER_KO)"
	exit $ksft_skip
fi

echo "TAP version 13"
echo "1..5"
failed=0
t=0
result() {	# result OK-FLAG DESCRIPTION
	t=$((t + 1))
	if [ "$1" = 1 ]; then
		echo "ok $t $2"
	else
		echo "not ok $t $2"
		failed=1
	fi
}

loaded() { grep -q '^memowner ' /proc/modules; }

# Start unloaded; an in-use module (an open fd) cannot be cycled.
if loaded && ! rmmod memowner; then
	echo "Bail out! memowner.ko is in use and cannot be unloaded"
	exit 1
fi

dmesg_before=$(dmesg | grep -c 'memowner: version .* unloaded')
acct_before=$(dmesg | grep -c 'memowner: own allocations: ')
ok_cycle=1
ok_gone=1
i=0
while [ $i -lt "$cycles" ]; do
	i=$((i + 1))
	if ! load; then
		echo "# cycle $i: load failed"
		ok_cycle=0
		break
	fi
	if [ ! -c /dev/memowner ]; then
		echo "# cycle $i: /dev/memowner missing after load"
		ok_cycle=0
	fi
	# Open and close the device: allocates and frees per-open state.
	if ! (exec 3<>/dev/memowner); then
		echo "# cycle $i: cannot open /dev/memowner"
		ok_cycle=0
	fi
	if ! rmmod memowner; then
		echo "# cycle $i: rmmod failed"
		ok_cycle=0
		break
	fi
	if loaded || [ -e /dev/memowner ] || [ -d /sys/module/memowner ]; then
		echo "# cycle $i: module, device node or sysfs left after unload"
		ok_gone=0
	fi
done
result $ok_cycle "load, open, unload $cycles times"
result $ok_gone "device node and sysfs entries removed at each unload"

unloads=$(( $(dmesg | grep -c 'memowner: version .* unloaded') - dmesg_before ))
echo "# unload lines logged: $unloads"
[ "$unloads" -eq "$i" ] && ok=1 || ok=0
result $ok "each unload logged its summary line"

dmesg | grep 'memowner: unloaded with leaks' && ok=0 || ok=1
result $ok "no unload reported leaked memory"

# memowner counts every allocation it makes (module/memacct.h) and says so
# at each unload: at least its tables (depot, sites, tasks, owners,
# preload, query, events, alerts: more than 10) and the open's state.
acct=$(( $(dmesg | grep -c 'memowner: own allocations: [0-9]* made, all freed') - acct_before ))
least=$(dmesg | sed -n 's/.*memowner: own allocations: \([0-9]*\) made, all freed.*/\1/p' |
	tail -n "$i" | sort -n | head -n1)
echo "# unloads that accounted every allocation: $acct, fewest allocations: ${least:-none}"
[ "$acct" -eq "$i" ] && [ "${least:-0}" -gt 10 ] && ok=1 || ok=0
result $ok "each unload freed every allocation memowner made (more than 10 each)"

# Leave the module loaded for the tests that follow.
load || echo "# final load failed"
exit $failed
