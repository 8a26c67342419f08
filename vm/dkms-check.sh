#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-check.sh ABI KDIR: build memowner through DKMS for kernel ABI, in
# private DKMS source and build trees (the machine's DKMS state is never
# touched), check the result, and remove everything again.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
abi=$1 kdir=$2

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
modver=$(sed -n 's/^#define MEMOWNER_VERSION\t*"\(.*\)"/\1/p' "$top/module/version.h")
if [ "$ver" != "$modver" ]; then
	echo "dkms.conf version $ver differs from module/version.h $modver" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src/memowner-$ver
mkdir -p "$src" "$tmp/tree"
make -s -C "$top" dkms-source DESTDIR="$src"

dkms=(dkms --sourcetree "$tmp/src" --dkmstree "$tmp/tree" -m memowner -v "$ver")
"${dkms[@]}" add
# Where the headers are installed (a release's chroot), as a user runs it:
# given --kernelsourcedir, bullseye's dkms 2.8 "prepares" that tree first
# (make mrproper), which wipes an installed headers package.
ksrc=(--kernelsourcedir "$kdir")
[ "$(readlink -f "/lib/modules/$abi/build")" = "$(readlink -f "$kdir")" ] && ksrc=()
if ! "${dkms[@]}" build -k "$abi" "${ksrc[@]}"; then
	# What a user sees in DKMS's make.log (removed with the private tree).
	find "$tmp/tree" -name make.log -exec tail -n 20 {} \; >&2
	exit 1
fi
ko=$(find "$tmp/tree/memowner/$ver/$abi" -name 'memowner.ko*' | head -n1)
[ -n "$ko" ] || { echo "dkms built no memowner.ko" >&2; exit 1; }
modinfo "$ko" | grep -q "^vermagic: *$abi " ||
	{ echo "$ko: wrong vermagic" >&2; modinfo "$ko" >&2; exit 1; }
echo "dkms built $(basename "$ko") for $abi"
"${dkms[@]}" remove --all >/dev/null 2>&1 || true
