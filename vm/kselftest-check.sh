#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kselftest-check.sh: the kernel's own kselftest flow for memowner's
# selftests, in a kernel tree (Debian's linux-source-6.1: the parts of it
# vm/deps.sh extracts to $CACHE/ksrc, copied to a private directory), as
# nested TAP cases:
#   1. copied to tools/testing/selftests/memowner, with MEMOWNER_SRC:
#      "make -C tools/testing/selftests TARGETS=memowner install" works and
#      kselftest-list.txt lists every test program of the tree;
#   2. every listed program is installed, with settings and mo_write;
#   3. copied without MEMOWNER_SRC: the build stops and says what is
#      missing (MEMOWNER_SRC);
#   4. symlinked to the checkout: the same install works without it;
#   5. run_kselftest.sh runs the installed tree here (this host has no
#      memowner.ko loaded: every program must end ok, skipped with a
#      listed reason or passed).  With the module loaded the same
#      programs run from run_tests.sh in the guests (not yet from the
#      kselftest install there).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"

ksrc=$CACHE/ksrc
[ -f "$ksrc/tools/testing/selftests/lib.mk" ] ||
	die "$ksrc has no kselftest lib.mk (run vm/deps.sh)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..5"
n=0 rc=0
res() {	# res OK DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 1 ]; then echo "ok $n $2"; else echo "not ok $n $2"; rc=1; fi
}
# A kernel tree of our own; the memowner directory copied without its
# build products.
tree() {
	rm -rf "$tmp/linux"
	cp -a "$ksrc" "$tmp/linux"
	rm -rf "$tmp/linux/tools/testing/selftests/memowner"
}
copy_in() {
	local d=$tmp/linux/tools/testing/selftests/memowner
	mkdir -p "$d"
	git -C "$top/selftests/memowner" ls-files -co --exclude-standard . | while read -r f; do
		[ -f "$top/selftests/memowner/$f" ] || continue
		mkdir -p "$d/$(dirname "$f")"
		cp "$top/selftests/memowner/$f" "$d/$f"
	done
}
expected=$(make -s --no-print-directory -C "$top/selftests/memowner" list-programs | tr ' ' '\n' | sort)
inst=$tmp/linux/tools/testing/selftests/kselftest_install

# 1, 2: copied, MEMOWNER_SRC given.
tree
copy_in
ok=1
MEMOWNER_SRC=$top make -C "$tmp/linux/tools/testing/selftests" TARGETS=memowner install \
	>"$tmp/copy.log" 2>&1 || { tail -n 20 "$tmp/copy.log" | sed 's/^/# /'; ok=0; }
listed=$(sed -n 's/^memowner://p' "$inst/kselftest-list.txt" 2>/dev/null | sort)
if [ "$listed" != "$expected" ]; then
	echo "# kselftest-list.txt differs from the tree's programs:"
	diff <(echo "$expected") <(echo "$listed") | sed 's/^/# /' || true
	ok=0
fi
res $ok "copied into a kernel tree (MEMOWNER_SRC=checkout): TARGETS=memowner install lists every program"
ok=1
for f in $listed settings mo_write skip-reasons; do
	[ -f "$inst/memowner/$f" ] || { echo "# not installed: $f"; ok=0; }
done
res $ok "every listed program installed, with settings, mo_write and skip-reasons"

# 3: copied, MEMOWNER_SRC not given: a clear error.
tree
copy_in
ok=1
if env -u MEMOWNER_SRC make -C "$tmp/linux/tools/testing/selftests" TARGETS=memowner install \
	>"$tmp/nosrc.log" 2>&1; then
	echo "# the install succeeded without memowner's sources"
	ok=0
fi
grep -q 'memowner sources not found in MEMOWNER_SRC=.*set MEMOWNER_SRC' "$tmp/nosrc.log" ||
	{ tail -n 5 "$tmp/nosrc.log" | sed 's/^/# /'; ok=0; }
res $ok "copied without MEMOWNER_SRC: stops, saying what is missing"

# 4: symlinked (the build goes to the checkout's directory, as kselftest's
# OUTPUT is the link).
tree
ln -s "$top/selftests/memowner" "$tmp/linux/tools/testing/selftests/memowner"
ok=1
env -u MEMOWNER_SRC make -C "$tmp/linux/tools/testing/selftests" TARGETS=memowner install \
	>"$tmp/link.log" 2>&1 || { tail -n 20 "$tmp/link.log" | sed 's/^/# /'; ok=0; }
listed=$(sed -n 's/^memowner://p' "$inst/kselftest-list.txt" 2>/dev/null | sort)
[ "$listed" = "$expected" ] || { echo "# listed: $listed" | tr '\n' ' '; echo; ok=0; }
res $ok "symlinked into a kernel tree: TARGETS=memowner install lists every program"

# 5: run_kselftest.sh, here, where memowner is not loaded.  A 32-bit
# program cannot run on a host without 32-bit support: not run here then.
ok=1
skip_list=()
min=17
set +e
"$inst/memowner/compat_test" >/dev/null 2>&1
[ $? -eq 126 ] && {
	echo "# this host runs no 32-bit programs: compat_test left out"
	while read -r t; do
		[ "$t" = memowner:compat_test ] || skip_list+=(-t "$t")
	done <"$inst/kselftest-list.txt"
	min=16
}
set -e
if [ -c /dev/memowner ]; then
	echo "# memowner.ko is loaded on this host: not running its tests here"
else
	(cd "$inst" && env -u MEMOWNER_KO -u MEMOWNER_TEST_KO PATH="$top/userspace:$PATH" \
		timeout 600 ./run_kselftest.sh "${skip_list[@]}") >"$tmp/run.log" 2>&1 || ok=0
	results=$(grep -cE '^(not )?ok [0-9]+ selftests: memowner:' "$tmp/run.log" || true)
	if grep -E '^not ok [0-9]+ selftests: memowner:' "$tmp/run.log" | sed 's/^/# /' | grep .; then
		ok=0
	fi
	[ "$results" -ge "$min" ] || { echo "# only $results results"; ok=0; }
	echo "# run_kselftest.sh: $results programs reported"
fi
res $ok "run_kselftest.sh runs the installed tree (memowner.ko not loaded here: skips)"
exit $rc
