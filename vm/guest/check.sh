#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of "make check": the whole selftest suite, as nested TAP.
/selftests/memowner/run_tests.sh
