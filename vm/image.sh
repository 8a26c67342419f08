#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# image.sh ABI [SUITE]: the full-root Debian guest of "make check-booted"
# for kernel ABI, built on first use and cached.  Prints "ROOTFS VMLINUZ
# INITRD".
#
#   $CACHE/booted/SUITE-base/         debootstrap of SUITE (default: the
#                                     host's release) with systemd, udev,
#                                     kmod: a normally booted Debian
#   $CACHE/booted/ABI/rootfs.img      ext4 image of that root with
#                                     linux-image-ABI installed by apt (its
#                                     modules, the distribution's initrd)
#   $CACHE/booted/ABI/{vmlinuz,initrd.img}
#
# The guest boots it with root=/dev/vda; the tests come on a second disk
# (vm/check.sh --booted), so the image is never rewritten for a run and
# qemu runs it with -snapshot.  The memowner-guest unit below runs the
# suite once the machine is up (multi-user.target) and powers it off.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

abi=$1
suite=${2:-$(. /etc/os-release && echo "$VERSION_CODENAME")}
# A backports kernel (the newest, trixie-backports' 7.x) goes into an
# image of its release, with the backports suite among its apt sources
# (make_kernel): "trixie-backports" is no release debootstrap can make.
# Its packages come from there with their dependencies (apt -t: linux-base
# of backports, which the default pin would not take).
from=()
case $suite in
*-backports) from=(-t "$suite") suite=${suite%-backports} ;;
esac
dir=$CACHE/booted
base=$dir/$suite-base
kdir=$dir/$abi

# Packages of a normally booted Debian server, besides debootstrap's
# minbase: systemd as PID 1, udev loading the hardware's modules,
# journald's syslog socket, the tools a user loads a module with.
IMAGE_PKGS="systemd,systemd-sysv,udev,kmod,procps,iproute2,util-linux,
e2fsprogs,initramfs-tools,zstd,xz-utils"

# Every release comes from the archive the host's own release comes from
# (vm/chroot.sh: apt_uri, archive_uri, security_uri).
# shellcheck source=vm/chroot.sh
. "$here/chroot.sh"

# in_root ROOT CMD...: run CMD in ROOT with /proc, /sys and /dev mounted in
# a private mount namespace (gone when CMD ends).
in_root() {
	local root=$1
	shift
	# shellcheck disable=SC2016
	unshare -m --propagation private -- /bin/sh -c '
		root=$1; shift
		mount -t proc proc "$root/proc" &&
		mount -t sysfs sysfs "$root/sys" &&
		mount --rbind /dev "$root/dev" || exit 1
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	' sh "$root" "$@"
}

make_base() {
	local uri tmp
	[ -f "$base/.complete" ] && return 0
	uri=$(archive_uri)
	[ -n "$uri" ] || die "no apt source of the host's release found"
	tmp=$base.tmp
	rm -rf "$tmp"
	log "debootstrap $suite (full-root guest image; cached in $dir)"
	debootstrap --variant=minbase --include="$(echo "$IMAGE_PKGS" | tr -d '\n ')" \
		"$suite" "$tmp" "$uri" >"$dir/$suite.debootstrap.log" 2>&1 ||
		{ tail -n 20 "$dir/$suite.debootstrap.log"; die "debootstrap $suite failed"; }
	echo memowner-guest >"$tmp/etc/hostname"
	printf '/dev/vda\t/\text4\tdefaults\t0\t1\n' >"$tmp/etc/fstab"
	# Root without a password on the consoles (a throw-away test guest).
	in_root "$tmp" passwd -d root >/dev/null
	# No getty on the test port: the suite writes its results there.
	ln -sf /dev/null "$tmp/etc/systemd/system/serial-getty@ttyS1.service"
	touch "$tmp/.complete"
	mv "$tmp" "$base"
}

# guest_units ROOT: the memowner-guest unit that runs the suite, and
# systemd's timeouts for an emulated machine.  Written into each kernel's
# image (not the cached base), so that a change here reaches every image
# through IMAGE_RECIPE.
#
# Under TCG on a loaded host udev took more than systemd's default 90 s
# to announce /dev/vdb: a Requires=dev-vdb.device unit then failed its
# dependency and the guest idled at the login prompt until the harness's
# timeout.  The unit waits for its disk itself (bounded), and device jobs
# get 10 minutes, as any of them may be that slow here.
guest_units() {
	local root=$1
	mkdir -p "$root/etc/systemd/system.conf.d"
	printf '[Manager]\nDefaultDeviceTimeoutSec=600\n' \
		>"$root/etc/systemd/system.conf.d/memowner-guest.conf"
	cat >"$root/etc/systemd/system/memowner-guest.service" <<'EOF'
[Unit]
Description=memowner test suite (make check-booted)
After=multi-user.target

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'i=0; while [ ! -b /dev/vdb ] && [ $i -lt 1200 ]; do sleep 1; i=$((i + 1)); done; mkdir -p /opt/memowner && tar -xf /dev/vdb -C /opt/memowner && exec /opt/memowner/guest/booted-init.sh'
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS1
TimeoutStartSec=infinity

[Install]
WantedBy=multi-user.target
EOF
	mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
	ln -sf /etc/systemd/system/memowner-guest.service \
		"$root/etc/systemd/system/multi-user.target.wants/memowner-guest.service"
}

# What a kernel image is made of: an image cached by another recipe is
# made again (the debootstrap base is kept).
IMAGE_RECIPE="4: guest unit waits for /dev/vdb; DefaultDeviceTimeoutSec=600; wget; stress-ng"

make_kernel() {
	local root uri sec
	[ "$(cat "$kdir/.complete" 2>/dev/null)" = "$IMAGE_RECIPE" ] && return 0
	make_base
	root=$kdir/root
	rm -rf "$kdir"
	mkdir -p "$kdir"
	log "installing linux-image-$abi in a copy of the $suite image"
	cp -a "$base" "$root"
	rm -f "$root/.complete"
	# The suites a user of the release has: updates, security, backports
	# (the kernel ABI may be only in one of them).
	uri=$(archive_uri)
	sec=$(security_uri)
	{
		echo "deb $uri $suite main"
		# sid has no updates, security or backports suites.
		if [ "$suite" != sid ] && [ "$suite" != unstable ]; then
			echo "deb $uri $suite-updates main"
			[ -z "$sec" ] || echo "deb $sec $suite-security main"
			echo "deb $uri $suite-backports main"
		fi
	} >"$root/etc/apt/sources.list"
	# wget: ux_daemon.sh scrapes memownerd as a user would; stress-ng:
	# accuracy_test's workloads, kernel memory churned by code nobody here
	# wrote.
	{
		in_root "$root" apt-get update -qq &&
		in_root "$root" apt-get install -y -qq --no-install-recommends \
			"${from[@]}" "linux-image-$abi" wget stress-ng
	} >"$kdir/apt.log" 2>&1 ||
		{ tail -n 20 "$kdir/apt.log"; die "cannot install linux-image-$abi in the image"; }
	in_root "$root" apt-get clean
	guest_units "$root"
	cp "$root/boot/vmlinuz-$abi" "$kdir/vmlinuz"
	cp "$root/boot/initrd.img-$abi" "$kdir/initrd.img"
	# Room for the tests' files and logs (the image is only read: qemu
	# -snapshot keeps the guest's writes in a temporary overlay).
	mkfs.ext4 -q -F -L memowner-root -d "$root" "$kdir/rootfs.img" 3G >/dev/null
	rm -rf "$root"
	echo "$IMAGE_RECIPE" >"$kdir/.complete"
}

mkdir -p "$dir"
make_kernel
echo "$kdir/rootfs.img $kdir/vmlinuz $kdir/initrd.img"
