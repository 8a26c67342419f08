#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# memowner.ko loads beside the machine's other modules: with memowner
# loaded, a set of the distribution's own modules that carry per-CPU data
# (kvm, loop, dummy, vxlan, nf_tables, ...) all load at once; then
# memowner is unloaded and loaded again, cycle after cycle, while another
# loop loads and unloads those modules.  Every load of either must
# succeed (memowner must not take the per-CPU reserve the modules share,
# nor need one they hold), and the machine ends as it began.
#
# Needs the module file ($MEMOWNER_KO, or a module modprobe can find) and
# the running kernel's own modules (/lib/modules/$(uname -r)): a booted
# machine, not make check's initramfs.  Leaves memowner loaded.

ksft_skip=4
cycles=${CYCLES:-8}

skip() {
	echo "1..0 # SKIP $*"
	exit $ksft_skip
}

if [ -n "$MEMOWNER_KO" ]; then
	load() { insmod "$MEMOWNER_KO"; }
elif modinfo memowner >/dev/null 2>&1; then
	load() { modprobe memowner; }
else
	skip "memowner.ko not found (set MEMOWNER_KO)"
fi
[ "$(id -u)" = 0 ] || skip "must be run as root"

loaded() { grep -q "^$1 " /proc/modules; }

# The stock modules to load beside memowner: those this kernel has and
# that nothing has loaded yet (the test unloads what it loads).
candidates="kvm loop dummy vxlan nf_tables nf_conntrack bridge veth xfs btrfs"
mods=
for m in $candidates; do
	modprobe -n -q "$m" 2>/dev/null || continue
	loaded "$m" && continue
	mods="$mods $m"
done
[ -n "$mods" ] || skip "no stock modules to load beside (no /lib/modules/$(uname -r))"
loaded memowner || load || { echo "Bail out! memowner.ko does not load"; exit 1; }

echo "TAP version 13"
echo "1..5"
echo "# beside:$mods; $(grep -c . /proc/modules) modules loaded"
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
percpu_failures() { dmesg | grep -c 'percpu: allocation failed'; }
# A freshly loaded module is held for a moment by udev while it handles
# the module's uevents (loop's loop-control and loop devices on trixie:
# "modprobe: FATAL: Module loop is in use" right after its load): that is
# the machine's, not memowner's, so an unload waits for udev to settle and
# retries a busy module for up to 5 s before it counts as failed.
settle() { command -v udevadm >/dev/null 2>&1 && udevadm settle -t 10 2>/dev/null; }
unload_other() {	# unload_other MODULE: 0, or 1 after the last try
	settle
	n_try=0
	until modprobe -r -q "$1" 2>/dev/null; do
		n_try=$((n_try + 1))
		[ "$n_try" -lt 50 ] || { modprobe -r "$1"; return 1; }
		sleep 0.1
	done
}
pcpu_before=$(percpu_failures)
modules_before=$(cut -d' ' -f1 /proc/modules | sort)

# 1: with memowner loaded, every one of them loads, all at once.
ok=1
for m in $mods; do
	modprobe "$m" || { echo "# modprobe $m failed beside memowner"; ok=0; }
done
result $ok "with memowner loaded,$mods load at once"
for m in $mods; do
	unload_other "$m" || { echo "# modprobe -r $m failed"; ok=0; }
done

# 2, 3: memowner cycles while the others load and unload.
flag=$(mktemp)
errs=$(mktemp)
(
	n=0
	while [ -e "$flag" ]; do
		for m in $mods; do
			modprobe "$m" || echo "modprobe $m failed (round $n)" >>"$errs"
			unload_other "$m" || echo "modprobe -r $m failed (round $n)" >>"$errs"
		done
		n=$((n + 1))
	done
	echo "# the other loop: $n rounds"
) &
other=$!
ok=1
i=0
while [ $i -lt "$cycles" ]; do
	i=$((i + 1))
	rmmod memowner || { echo "# cycle $i: rmmod memowner failed"; ok=0; break; }
	load || { echo "# cycle $i: memowner load failed"; ok=0; break; }
	[ -c /dev/memowner ] || { echo "# cycle $i: no /dev/memowner"; ok=0; }
done
rm -f "$flag"
wait $other
result $ok "memowner unloaded and loaded $cycles times while the others load and unload"
ok=1
[ -s "$errs" ] && { sed 's/^/# /' "$errs"; ok=0; }
rm -f "$errs"
result $ok "every load and unload of the others succeeded meanwhile"

# 4: no per-CPU allocation failed; 5: the machine as it began.
pcpu=$(( $(percpu_failures) - pcpu_before ))
if [ "$pcpu" -eq 0 ]; then
	ok=1
else
	dmesg | grep 'percpu: allocation failed' | tail -n 5 | sed 's/^/# /'
	ok=0
fi
result $ok "no per-CPU allocation failed"
loaded memowner || load || echo "# final load of memowner failed"
# What the others pulled in and modprobe -r left (llc under bridge, stp):
# unloaded, dependents first (a few passes).
for _ in 1 2 3; do
	cut -d' ' -f1 /proc/modules | while read -r m; do
		echo "$modules_before" | grep -qx "$m" || rmmod "$m" 2>/dev/null
	done
done
modules_after=$(cut -d' ' -f1 /proc/modules | sort)
if [ "$modules_after" = "$modules_before" ]; then
	ok=1
else
	echo "# modules before/after differ:"
	echo "$modules_before" >"${TMPDIR:-/tmp}/lb.before"
	echo "$modules_after" | diff "${TMPDIR:-/tmp}/lb.before" - | sed 's/^/# /'
	rm -f "${TMPDIR:-/tmp}/lb.before"
	ok=0
fi
result $ok "memowner loaded, the same modules loaded as before"
exit $failed
