# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The TAP result line of memowner's shell selftests, sourced by each:
# "result OK-FLAG DESCRIPTION" numbers the cases in order ($t) and sets
# $failed (the exit status) when one is not ok.
t=0
failed=0
result() {	# result OK-FLAG DESCRIPTION
	t=$((t + 1))
	if [ "$1" = 1 ]; then
		echo "ok $t $2"
	else
		echo "not ok $t $2"
		failed=1
	fi
}
