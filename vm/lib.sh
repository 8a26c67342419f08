# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the VM harness scripts (sourced, not run).

# Downloaded kernels and extracted kernel sources live outside the work tree
# so that a fresh clone on the same machine reuses them; a fresh machine
# simply downloads them again.
CACHE=${MEMOWNER_CACHE:-/var/cache/memowner}
mkdir -p "$CACHE"

log() { echo "memowner-vm: $*" >&2; }
die() { log "error: $*"; exit 1; }

# ABI (e.g. 6.1.0-56-amd64) of the newest installed Debian headers package.
newest_installed_headers_abi() {
	dpkg-query -W -f='${Package} ${Status}\n' 'linux-headers-*-amd64' 2>/dev/null |
		awk '/ok installed/ { sub("^linux-headers-", "", $1); print $1 }' |
		sort -V | tail -n1
}

# extract_image ABI APT_OPTS PKG...: fetch the first downloadable kernel image
# package among PKG and unpack its vmlinuz to $CACHE/kernels/ABI/vmlinuz.
# APT_OPTS selects a private apt configuration (may be empty).
extract_image() {
	local abi=$1 opts=$2 dir tmp p
	shift 2
	dir=$CACHE/kernels/$abi
	[ -f "$dir/vmlinuz" ] && return 0
	tmp=$(mktemp -d)
	for p in "$@"; do
		[ -n "$p" ] || continue
		# shellcheck disable=SC2086
		if (cd "$tmp" && apt-get $opts download -qq "$p" >/dev/null 2>&1); then
			break
		fi
	done
	ls "$tmp"/*.deb >/dev/null 2>&1 || { rm -rf "$tmp"; die "cannot download kernel image for $abi"; }
	log "unpacking $(basename "$tmp"/*.deb)"
	dpkg -x "$tmp"/*.deb "$tmp/root"
	mkdir -p "$dir"
	cp "$tmp/root/boot/vmlinuz-$abi" "$dir/vmlinuz.tmp"
	mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
	rm -rf "$tmp"
}

# resolve_kver KVER: print "ABI KDIR VMLINUZ" for a KVER that is empty (the
# Debian 12 stock kernel), a series ("6.1", "6.12") or a full ABI.
resolve_kver() {
	local kver=$1 abi kdir
	case "$kver" in
	"" | 6.1)
		abi=$(newest_installed_headers_abi)
		;;
	6.12)
		abi=$(cat "$CACHE/backports-abi" 2>/dev/null || true)
		;;
	*)
		abi=$kver
		;;
	esac
	[ -n "$abi" ] || return 1
	if [ -d "/usr/src/linux-headers-$abi" ]; then
		kdir=/usr/src/linux-headers-$abi
	elif [ -d "$CACHE/kernels/$abi/root/usr/src/linux-headers-$abi" ]; then
		kdir=$CACHE/kernels/$abi/root/usr/src/linux-headers-$abi
	else
		return 1
	fi
	[ -f "$CACHE/kernels/$abi/vmlinuz" ] || return 1
	echo "$abi $kdir $CACHE/kernels/$abi/vmlinuz"
}
