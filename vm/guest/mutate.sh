#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of "make mutate" (vm/mutate.sh): every mutant memowner.ko of
# /memowner/mutants/list ("NAME<TAB>PROG,PROG" a line) in turn, on this one
# boot: the real module and the test module out, the mutant in (it is
# MEMOWNER_KO for the tests, which reload it), its test programs run, the
# mutant unloaded (a leak it has is reported then), each between marker
# lines on the test port and in the kernel log so that the host can judge
# each mutant by its own part of both.  The mutant "none" is the real
# module: the control, which must pass.  A mutant that oopses ends the
# boot (oops=panic); the host boots again for the ones after it.
list=/memowner/mutants/list
real=$MEMOWNER_KO

unload() {
	rmmod memowner_test 2>/dev/null
	rmmod memowner 2>/dev/null
	grep -q '^memowner ' /proc/modules && echo "# memowner did not unload"
}

while IFS='	' read -r name progs; do
	[ -n "$name" ] || continue
	ko=/memowner/mutants/$name/memowner.ko
	[ "$name" = none ] && ko=$real
	unload
	echo "MEMOWNER-MUTANT-BEGIN $name"
	echo "memowner-mutant: begin $name" >/dev/kmsg
	export MEMOWNER_KO=$ko
	if insmod "$ko" && insmod "$MEMOWNER_TEST_KO"; then
		# shellcheck disable=SC2046
		/selftests/memowner/run_tests.sh $(echo "$progs" | tr ',' ' ')
		rc=$?
	else
		echo "# the module or the test module did not load"
		rc=load
	fi
	unload
	echo "memowner-mutant: end $name" >/dev/kmsg
	echo "MEMOWNER-MUTANT-END $name $rc"
done <"$list"
export MEMOWNER_KO=$real
exit 0
