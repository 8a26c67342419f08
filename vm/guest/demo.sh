#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of "make demo": load memowner, run a workload, show the owners.
set -x
insmod "$MEMOWNER_KO"
memowner status
memowner --json status
rmmod memowner
