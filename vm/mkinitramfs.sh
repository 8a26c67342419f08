#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh OUT.cpio: pack the test guest's initramfs from the built
# tree: static busybox, memowner.ko (+ test modules), the statically linked
# userspace tools and selftests, and the guest scripts.
#
# mkinitramfs.sh --payload OUT.tar: the same files without busybox, init
# and /etc, as a tar: the tests of the full-root guest (make
# check-booted), which unpacks it from its second disk to /opt/memowner.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"

payload=
if [ "$1" = --payload ]; then
	payload=1
	shift
fi
out=$1
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# A static binary has no program interpreter.
is_static() { ! readelf -l "$1" 2>/dev/null | grep -q 'program interpreter'; }

mkdir -p "$stage"/{usr/bin,memowner,guest,selftests}
if [ -z "$payload" ]; then
	is_static /bin/busybox || die "/bin/busybox is not static (install busybox-static)"
	mkdir -p "$stage"/{bin,sbin,usr/sbin,etc,root}
	cp /bin/busybox "$stage/bin/busybox"
	install -m 0755 "$here/guest/init" "$stage/init"
fi
install -m 0755 "$here"/guest/*.sh "$stage/guest/"
cp "$top/module/memowner.ko" "$stage/memowner/"
for ko in ${EXTRA_KOS:-}; do
	cp "$ko" "$stage/memowner/"
done
if [ -n "${WRONGPROTO_KO:-}" ]; then
	mkdir -p "$stage/memowner/wrongproto"
	cp "$WRONGPROTO_KO" "$stage/memowner/wrongproto/memowner.ko"
fi
# make mutate: the mutant modules and their list (vm/mutate.sh).
if [ -n "${MUTANTS_DIR:-}" ]; then
	cp -r "$MUTANTS_DIR" "$stage/memowner/mutants"
fi
for prog in memowner memownerd; do
	is_static "$top/userspace/$prog" ||
		die "userspace/$prog is not static (make userspace STATIC=1)"
	install -m 0755 "$top/userspace/$prog" "$stage/usr/bin/$prog"
done
# Terminal descriptions for "memowner top" (static ncurses reads them from
# /usr/share/terminfo): the guest has none of its own.  cp -L resolves
# the host's symlinks (/lib/terminfo -> /usr/lib/terminfo...).
for term in xterm xterm-256color vt100 vt220 linux screen screen-256color \
	tmux tmux-256color; do
	for dir in /etc/terminfo /lib/terminfo /usr/share/terminfo; do
		f=$dir/${term:0:1}/$term
		[ -e "$f" ] || continue
		mkdir -p "$stage/usr/share/terminfo/${term:0:1}"
		cp -L "$f" "$stage/usr/share/terminfo/${term:0:1}/$term"
		break
	done
done
[ -e "$stage/usr/share/terminfo/x/xterm" ] ||
	die "no terminfo entry for xterm on this host (install ncurses-base)"
make -s -C "$top/selftests/memowner" STATIC=1 install \
	INSTALL_PATH="$stage/selftests/memowner" >/dev/null

if [ -n "$payload" ]; then
	tar -C "$stage" -cf "$out.tmp" .
	mv "$out.tmp" "$out"
	exit 0
fi

printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
	>"$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"

(cd "$stage" && find . | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
