#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything a fresh Debian 12 machine needs to build memowner and
# test it in a VM.  Idempotent: does nothing when all is present.
#
#   vm/deps.sh            host packages + Debian 12 stock kernel (6.1)
#   vm/deps.sh 6.12       also the bookworm-backports 6.12 kernel + headers
#   vm/deps.sh debug      also what building the debug kernel from
#                         linux-source-6.1 needs (vm/debug-kernel.sh)
#
# Kernel ABIs (6.1.0-NN-amd64) are never pinned: they are derived from what
# the archive's metapackages depend on today, because the archive drops
# superseded ABIs.  Package hosts are never named here either: the backports
# suite is added on top of the URIs the machine's own apt sources use.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

want=${1:-6.1}

PKGS="qemu-system-x86 busybox-static build-essential pkg-config libnl-3-dev
libnl-genl-3-dev cpio kmod dkms dwarves linux-source-6.1 linux-headers-amd64
xz-utils libprotobuf-c-dev protobuf-c-compiler libncurses-dev zlib1g-dev
libjson-c-dev python3 gcc-multilib python3-yaml python3-prometheus-client golang-go
help2man groff-base debootstrap rsync"
[ "$want" != debug ] || PKGS="$PKGS bc bison flex libelf-dev libssl-dev"

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return
	apt-get update -qq
	apt_updated=1
}

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	log "installing:$missing"
	apt_update
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $missing >/dev/null
fi

# Headers matching the newest linux-image-amd64 must be installed: the
# metapackage may lag behind when an old headers package is present.
# Extract the stock image of the ABI the installed headers are for.
abi61=$(newest_installed_headers_abi)
[ -n "$abi61" ] || die "no linux-headers-*-amd64 installed"
extract_image "$abi61" "" "linux-image-$abi61" "linux-image-$abi61-unsigned"

# kselftest harness headers and page_owner_sort.c, from linux-source-6.1,
# and what kselftest's own flow needs (its Makefile, lib.mk, runner): a
# kernel tree enough for "make -C tools/testing/selftests TARGETS=memowner
# install" (vm/kselftest-check.sh).
ksrc=$CACHE/ksrc
if [ ! -f "$ksrc/tools/testing/selftests/lib.mk" ]; then
	tarball=$(ls /usr/src/linux-source-6.1*.tar.xz 2>/dev/null | sort -V | tail -n1)
	[ -n "$tarball" ] || die "linux-source-6.1 tarball not found"
	log "extracting kselftest headers from $tarball"
	mkdir -p "$ksrc.tmp"
	tar -xJf "$tarball" -C "$ksrc.tmp" --strip-components=1 --wildcards \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/kselftest.h' \
		'*/tools/testing/selftests/Makefile' \
		'*/tools/testing/selftests/lib.mk' \
		'*/tools/testing/selftests/run_kselftest.sh' \
		'*/tools/testing/selftests/kselftest/*' \
		'*/scripts/subarch.include' \
		'*/tools/vm/page_owner_sort.c'
	rm -rf "$ksrc" && mv "$ksrc.tmp" "$ksrc"
fi

if [ "$want" = "6.12" ]; then
	"$here/backports.sh"
fi
