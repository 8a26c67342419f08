#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of "make check-booted": run by the memowner-guest unit of the
# full-root Debian guest (vm/image.sh) once systemd reached
# multi-user.target, from the tests' disk unpacked to /opt/memowner.  Its
# output goes to ttyS1, as in the initramfs guest; then it powers off.
#
# First the "booted: machine" program: systemd is PID 1 and the boot
# finished, the distribution's usual modules are loaded (before
# memowner), and memowner -- installed as a user does, under
# /lib/modules/$(uname -r)/updates with depmod -- loads after them with
# modprobe.  Then the selftest suite, as in the initramfs (and
# load_beside.sh after test_module.sh).
set -u
top=/opt/memowner
kver=$(uname -r)
upd=/lib/modules/$kver/updates
export MEMOWNER_ARTIFACTS=/tmp/artifacts
mkdir -p "$MEMOWNER_ARTIFACTS"
tests=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^MEMOWNER_TESTS=//p')

echo "memowner-guest: kernel $kver, $(nproc) cpus, run=booted"
# This unit is itself part of the boot (is-system-running --wait would
# wait for it): wait for multi-user.target, which it is ordered after.
i=0
while [ $i -lt 300 ] && ! systemctl -q is-active multi-user.target; do
	sleep 1
	i=$((i + 1))
done
state=$(systemctl is-active multi-user.target)
failed_units=$(systemctl --failed --no-legend --plain | grep -v '^$')
nmods=$(grep -c . /proc/modules)

{
	echo "# selftests: booted: machine"
	echo "# 1..4"
	n=0 bad=0
	res() {	# res OK DESCRIPTION
		n=$((n + 1))
		if [ "$1" = 1 ]; then echo "# ok $n $2"; else echo "# not ok $n $2"; bad=1; fi
	}
	[ "$(cat /proc/1/comm)" = systemd ] && ok=1 || ok=0
	res "$ok" "systemd is PID 1"
	ok=1
	[ "$state" = active ] || ok=0
	[ -z "$failed_units" ] || { echo "$failed_units" | sed 's/^/# # failed: /'; ok=0; }
	res "$ok" "the boot reached multi-user.target ($state), no unit failed"
	# The issue measured 49 on a Debian 12 VM; this guest has fewer
	# devices (no graphics, sound, input), so at least 15.
	ok=1
	[ "$nmods" -ge 15 ] || ok=0
	for m in ext4 jbd2 virtio_blk virtio_net; do
		grep -q "^$m " /proc/modules || { echo "# # $m not loaded"; ok=0; }
	done
	grep -q '^memowner ' /proc/modules && { echo "# # memowner already loaded"; ok=0; }
	echo "# # $nmods modules loaded before memowner: $(cut -d' ' -f1 /proc/modules | sort | tr '\n' ' ')"
	res "$ok" "the distribution's usual modules loaded first ($nmods)"
	mkdir -p "$upd"
	cp "$top"/memowner/*.ko "$upd/"
	depmod -a
	pcpu=$(dmesg | grep -c 'percpu: allocation failed')
	ok=1
	modprobe memowner || ok=0
	[ "$(dmesg | grep -c 'percpu: allocation failed')" = "$pcpu" ] ||
		{ dmesg | grep 'percpu: allocation failed' | sed 's/^/# # /'; ok=0; }
	res "$ok" "modprobe memowner after them"
	[ $bad = 0 ] && echo "ok 1 booted: machine" || echo "not ok 1 booted: machine"
}

# The suite, with the installed module files; the tools where a user's
# make install puts them.
export MEMOWNER_KO="$upd/memowner.ko" MEMOWNER_TEST_KO="$upd/memowner_test.ko"
export MEMOWNER_WRONGPROTO_KO="$top/memowner/wrongproto/memowner.ko"
install -m 0755 "$top/usr/bin/memowner" "$top/usr/bin/memownerd" /usr/local/sbin/
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
cd "$top/selftests/memowner" || exit 1
if [ -n "$tests" ]; then
	# shellcheck disable=SC2046
	./run_tests.sh load_unload.sh test_module.sh load_beside.sh \
		$(echo "$tests" | tr ',' ' ')
else
	./run_tests.sh
fi
rc=$?

for f in "$MEMOWNER_ARTIFACTS"/*; do
	[ -f "$f" ] || continue
	echo "MEMOWNER-ARTIFACT-BEGIN $(basename "$f")"
	base64 "$f"
	echo "MEMOWNER-ARTIFACT-END"
done
echo "MEMOWNER-GUEST-EXIT $rc"
sync
systemctl poweroff
