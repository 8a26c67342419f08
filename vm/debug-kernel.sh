#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh: build (once, cached) the debug kernel of "make
# check-debug" and print "RELEASE KDIR BZIMAGE": Debian 12's linux-source-6.1
# (the source of the stock 6.1 kernel the suite runs on) configured by
# "make allnoconfig" with vm/debug.config -- KASAN, lockdep, UBSAN, KFENCE,
# kmemleak, debug objects, atomic-sleep checks and SLUB debugging on a
# minimal x86_64 guest kernel, with BTF.
#
# The build lives in $CACHE/debug/<source version>-<hash of the fragment
# and of $recipe>: a new source package or a changed configuration is a
# new build, an unchanged one is reused (bump recipe when the way the tree
# is built changes).  An interrupted build is resumed
# (make is incremental), never restarted from scratch.  Its tree is KDIR:
# memowner.ko and the test modules are built against it as against a
# headers package, and /lib/modules/RELEASE/build points to it as after a
# "make modules_install" (DKMS finds it there).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

frag=$here/debug.config
pkg=linux-source-6.1
"$here/deps.sh" debug >&2
ver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) ||
	die "$pkg is not installed (vm/deps.sh installs it)"
tarball=$(ls /usr/src/linux-source-6.1*.tar.xz 2>/dev/null | sort -V | tail -n1)
[ -n "$tarball" ] || die "no /usr/src/linux-source-6.1*.tar.xz"
recipe="allnoconfig+fragment, make all, 1"
id=$ver-$( (cat "$frag"; echo "$recipe") | sha256sum | cut -c1-12)
dir=$CACHE/debug/$id
src=$dir/linux

mkdir -p "$CACHE/debug"
exec 9>"$CACHE/debug/.lock"
flock 9

if [ ! -f "$dir/built" ]; then
	t0=$(date +%s)
	mkdir -p "$dir"
	# A tree built before from the same source with another fragment
	# is the start, when there is one: Kbuild records which CONFIG_
	# symbols each object depends on, so only what the change touches
	# is rebuilt.
	# (None on a fresh machine: ls fails, which is not an error.)
	prev=$(ls -td "$CACHE/debug/$ver"-*/built 2>/dev/null | head -n1) || true
	if [ ! -f "$dir/extracted" ] && [ -n "$prev" ]; then
		log "debug kernel $id: starting from the tree of ${prev%/built}"
		rm -rf "$src"
		cp -a "${prev%/built}/linux" "$src"
		touch "$dir/extracted"
	fi
	if [ ! -f "$dir/extracted" ]; then
		log "debug kernel $id: extracting $tarball"
		rm -rf "$src"
		mkdir -p "$src"
		tar -xJf "$tarball" -C "$src" --strip-components=1
		touch "$dir/extracted"
	fi
	if [ ! -f "$dir/configured" ]; then
		make -s -C "$src" KCONFIG_ALLCONFIG="$frag" allnoconfig >"$dir/config.log" 2>&1 ||
			{ cat "$dir/config.log" >&2; die "allnoconfig failed"; }
		# Every symbol of the fragment as asked: Kconfig silently drops a
		# symbol whose dependencies are not met.
		missing=$(grep -E '^(CONFIG_[A-Z0-9_]+=|# CONFIG_[A-Z0-9_]+ is not set)' "$frag" |
			while read -r line; do
				case $line in
				"# "*)
					sym=${line#\# }
					sym=${sym%% *}
					! grep -q "^$sym=" "$src/.config" || echo "$sym (should be off)"
					;;
				*)
					grep -qxF "$line" "$src/.config" || echo "$line"
					;;
				esac
			done)
		[ -z "$missing" ] || die "vm/debug.config: not in the resulting .config: ${missing//$'\n'/, }"
		touch "$dir/configured"
	fi
	log "debug kernel $id: building in $src (about 35 CPU-minutes cold; resumed if interrupted)"
	if ! make -C "$src" -j"$(nproc)" all >"$dir/build.log" 2>&1; then
		grep -E 'error|Error' "$dir/build.log" | head -n 20 >&2
		die "debug kernel build failed (log: $dir/build.log)"
	fi
	[ -f "$src/Module.symvers" ] || die "debug kernel: no Module.symvers"
	touch "$dir/built"
	log "debug kernel $id built in $(( $(date +%s) - t0 )) s"
fi

rel=$(make -s -C "$src" kernelrelease)
mkdir -p "/lib/modules/$rel"
ln -sfn "$src" "/lib/modules/$rel/build"
echo "$rel $src $src/arch/x86/boot/bzImage"
