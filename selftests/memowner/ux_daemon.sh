#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# memownerd end to end: a rule of its configuration file is added when it
# starts; crossing it with the test module gives the alert in its log
# (stderr and syslog) with the test module's function, runs the hook with
# the MEMOWNER_* environment, and counts in the metrics, served on
# http://127.0.0.1:PORT/metrics and written as a textfile (both left as
# artifacts for the host's Prometheus parser).  Unloading memowner.ko is
# noticed, loading it again makes the daemon re-apply its rule and alert
# again.  SIGTERM stops it promptly with status 0 and deletes its rule.
# Configuration errors are reported as FILE:LINE with status 2.
#
# busybox sh, dash; needs both modules ($MEMOWNER_KO, $MEMOWNER_TEST_KO).
# The syslog it reads is the machine's: journald's journal on a systemd
# machine, /var/log/syslog where a syslog daemon writes it, else (make
# check's initramfs: nobody listens on /dev/log) a busybox syslogd of its
# own.
# shellcheck disable=SC3043

ksft_skip=4
art=${MEMOWNER_ARTIFACTS:-/tmp}
ctl=/sys/kernel/debug/memowner_test/control
held=/sys/kernel/debug/memowner_test/held
port=9477
w=/tmp/ux_daemon
url=http://127.0.0.1:$port/metrics

[ -n "$MEMOWNER_KO" ] && [ -f "$MEMOWNER_KO" ] && [ -n "$MEMOWNER_TEST_KO" ] ||
	{ echo "1..0 # SKIP MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules"; exit $ksft_skip; }

echo "TAP version 13"
echo "1..22"
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
nok() { n=$((n + 1)); fail=1; echo "not ok $n $1"; }
check() {	# check DESCRIPTION COMMAND...: ok when the command succeeds
	local d=$1
	shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}
# Wait up to $1 tenths of a second for a command to succeed.
wait_until() {
	local i=0 t=$1
	shift
	while [ $i -lt "$t" ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
in_log() { grep -q -- "$1" $w/d.log; }
count_log() { grep -c -- "$1" $w/d.log; }
metric() {	# metric NAME_AND_LABELS FILE: its value
	grep "^$1 " "$2" | awk '{ print $2 }' | head -n1
}

rm -rf $w
mkdir -p $w/prom
ip link set lo up

[ -w $ctl ] || insmod "$MEMOWNER_TEST_KO" || echo "# insmod $MEMOWNER_TEST_KO failed"
echo reset >$ctl
# Exact accounting (the default samples), and no rule or record from before.
rmmod memowner
insmod "$MEMOWNER_KO" mode=stack || echo "# insmod $MEMOWNER_KO mode=stack failed"

# syslog_read: the syslog's messages so far in $w/messages.
syslog_pid=
if [ -S /run/systemd/journal/dev-log ] && command -v journalctl >/dev/null; then
	syslog_read() { journalctl --no-pager -q -o short -t memownerd >$w/messages 2>&1; }
elif [ -e /dev/log ] && [ -r /var/log/syslog ]; then
	syslog_read() { cp /var/log/syslog $w/messages; }
elif [ ! -e /dev/log ] && busybox syslogd --help >/dev/null 2>&1; then
	busybox syslogd -n -O $w/messages &
	syslog_pid=$!
	syslog_read() { :; }
else
	syslog_read() { echo "no syslog to read: no journald, /var/log/syslog or busybox syslogd" >$w/messages; }
fi
in_syslog() { syslog_read; grep -q -- "$1" $w/messages; }

cat >$w/hook.sh <<'EOF'
#!/bin/sh
# The alert, as the hook sees it; written whole, then renamed.
env | grep '^MEMOWNER_' | sort >/tmp/ux_daemon/hook.tmp
echo "ARGS=$*" >>/tmp/ux_daemon/hook.tmp
mv /tmp/ux_daemon/hook.tmp /tmp/ux_daemon/hook.$MEMOWNER_RULE
EOF
chmod +x $w/hook.sh

cat >$w/bad.conf <<'EOF'
interval = 1s
# a comment
colour = blue
EOF
memownerd -c $w/bad.conf --check-config >$w/out 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "$w/bad.conf:3: unknown key 'colour'" $w/out; then
	ok "config errors: FILE:LINE and exit 2"
else
	nok "config errors: FILE:LINE and exit 2 (rc=$rc)"; cat $w/out
fi
cat >$w/bad2.conf <<'EOF'
rule --module memowner_test --bytes 1M --low 2M
EOF
memownerd -c $w/bad2.conf --check-config >$w/out 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "bad2.conf:1: --low 2M must be below the high mark 1M" $w/out; then
	ok "bad rule in config: FILE:LINE and exit 2"
else
	nok "bad rule in config: FILE:LINE and exit 2 (rc=$rc)"; cat $w/out
fi

cat >$w/memownerd.conf <<EOF
# ux_daemon.sh
interval = 1s
top = 10
listen = 127.0.0.1:$port
textfile = $w/prom/memowner.prom
hook = $w/hook.sh "an arg"   # quoted words stay one argument
rule --module memowner_test --bytes 1M --low 512K
EOF
memownerd -f -s -c $w/memownerd.conf 2>$w/d.log &
pid=$!

if wait_until 50 in_log "rule [0-9]* ($w/memownerd.conf:7) added: --module memowner_test --bytes 1M --low 512K"; then
	ok "the config's rule is added at start"
else
	nok "the config's rule is added at start"; cat $w/d.log
fi
id=$(sed -n 's/.*rule \([0-9]*\) (.*memownerd.conf:7) added.*/\1/p' $w/d.log | head -n1)
if memowner alerts list | grep -q "^ *$id  module memowner_test .* 1.0M"; then
	ok "alerts list shows rule $id"
else
	nok "alerts list shows rule $id"; memowner alerts list
fi

echo "alloc kmalloc 300 4096" >$ctl
bytes=$(sed -n 's/^kmalloc count=300 .*bytes_alloc=\([0-9]*\).*/\1/p' $held)
echo "# the test module holds $bytes bytes from memowner_test_kmalloc"
# A module rule names one of the module's live stacks: a memowner_test frame.
alert="alert rule $id: module memowner_test bytes .* reached 1.0M (1048576) at [a-z_.0-9]*+0x[0-9a-f]*/0x[0-9a-f]* \[memowner_test\].* \[$w/memownerd.conf:7\]"
if wait_until 50 in_log "$alert"; then
	ok "the alert is logged with its owner's frames"
else
	nok "the alert is logged with its owner's frames"; cat $w/d.log
fi
grep -- "alert rule" $w/d.log | sed 's/^/# /'
if wait_until 30 in_syslog "memownerd\[$pid\]: alert rule $id: module memowner_test"; then
	ok "the alert reaches syslog"
else
	nok "the alert reaches syslog"; cat $w/messages
fi

if wait_until 50 test -f $w/hook.$id &&
	grep -qx "MEMOWNER_RULE=$id" $w/hook.$id &&
	grep -qx "MEMOWNER_OWNER_KIND=module" $w/hook.$id &&
	grep -qx "MEMOWNER_OWNER=memowner_test" $w/hook.$id &&
	grep -qx "MEMOWNER_METRIC=bytes" $w/hook.$id &&
	grep -qx "MEMOWNER_THRESHOLD=1048576" $w/hook.$id &&
	grep -q "^MEMOWNER_VALUE=[0-9]" $w/hook.$id &&
	[ "$(sed -n 's/^MEMOWNER_VALUE=//p' $w/hook.$id)" -ge 1048576 ] &&
	grep -q "^MEMOWNER_LEAF=[a-z_.0-9]*+0x.* \[memowner_test\]$" $w/hook.$id &&
	[ "$(sed -n 's/^MEMOWNER_STACK_0=//p' $w/hook.$id)" = "$(sed -n 's/^MEMOWNER_LEAF=//p' $w/hook.$id)" ] &&
	grep -q "^MEMOWNER_STACK_DEPTH=[1-9]" $w/hook.$id &&
	grep -qx "ARGS=an arg" $w/hook.$id; then
	ok "the hook ran with the alert in its environment"
else
	nok "the hook ran with the alert in its environment"; cat $w/hook.* 2>/dev/null
fi

# GET URL OUT [HEADERS]: the body into OUT, the response headers into
# HEADERS: busybox's or GNU wget, else curl (a machine may have either).
http_get() {
	if command -v wget >/dev/null 2>&1; then
		wget -q -S -O "$2" "$1" 2>"${3:-/dev/null}"
	else
		curl -s -D "${3:-/dev/null}" -o "$2" "$1"
	fi
}

# The next refresh (1 s) has the allocation and the alert.
sleep 2
http_get $url $w/metrics.prom $w/headers
cp $w/metrics.prom "$art/metrics.prom"
cp $w/prom/memowner.prom "$art/metrics-textfile.prom"
fn=$(metric 'memowner_owner_live_bytes{function="memowner_test_kmalloc",module="memowner_test"}' $w/metrics.prom)
mod=$(metric 'memowner_module_live_bytes{module="memowner_test"}' $w/metrics.prom)
echo "# memowner_test_kmalloc: $fn bytes, module memowner_test: $mod bytes"
if grep -qi '^ *Content-Type: text/plain; version=0.0.4' $w/headers &&
	[ "$(metric memowner_up $w/metrics.prom)" = 1 ] &&
	[ "$fn" = "$bytes" ] && [ "$mod" -ge "$bytes" ] &&
	[ "$(metric 'memowner_owner_live_objects{function="memowner_test_kmalloc",module="memowner_test"}' $w/metrics.prom)" = 300 ]; then
	ok "GET /metrics: the test module's bytes and objects by leaf function"
else
	nok "GET /metrics: the test module's bytes and objects by leaf function"; cat $w/headers; cat $w/metrics.prom
fi
if [ "$(metric memowner_daemon_alerts_total $w/metrics.prom)" = 1 ] &&
	[ "$(metric "memowner_rule_alerts_total{rule=\"$id\",owner_kind=\"module\",owner=\"memowner_test\",metric=\"bytes\"}" $w/metrics.prom)" = 1 ] &&
	[ "$(metric 'memowner_daemon_hooks_total{result="ok"}' $w/metrics.prom)" = 1 ] &&
	grep -q '^# TYPE memowner_drops_total counter$' $w/metrics.prom &&
	grep -q '^memowner_cache_live_bytes{cache="kmalloc-4k"} [0-9]' $w/metrics.prom; then
	ok "GET /metrics: alerts, rule, hook counters, drops, caches"
else
	nok "GET /metrics: alerts, rule, hook counters, drops, caches"; cat $w/metrics.prom
fi
# While the daemon runs, a refresh may be writing: the only other name in
# the directory is then its hidden temporary, which node_exporter's *.prom
# never reads.  After the daemon stops, none is left (checked below).
if [ "$(metric 'memowner_owner_live_bytes{function="memowner_test_kmalloc",module="memowner_test"}' $w/prom/memowner.prom)" = "$bytes" ] &&
	! ls -A $w/prom | grep -v -e '^memowner.prom$' -e '^\.memowner\.prom\.tmp$'; then
	ok "the textfile has the same metrics, and only a hidden temporary beside it"
else
	nok "the textfile has the same metrics, and only a hidden temporary beside it"; ls -la $w/prom
fi

# Bounded cardinality: with --top 1, one owner series and "(other)", which
# add up to the total of the live bytes.
memownerd --once --top 1 -t $w/once.prom -c /dev/null
rc=$?
series=$(grep -c '^memowner_owner_live_bytes{' $w/once.prom)
sum=$(grep '^memowner_owner_live_bytes{' $w/once.prom | awk '{ s += $2 } END { printf "%d", s }')
total=$(grep '^memowner_live_bytes{' $w/once.prom | awk '{ s += $2 } END { printf "%d", s }')
if [ $rc -eq 0 ] && [ "$series" = 2 ] &&
	grep -q '^memowner_owner_live_bytes{function="(other)",module="(other)"} [0-9]' $w/once.prom &&
	[ "$sum" = "$total" ]; then
	ok "--once --top 1: 2 owner series adding up to the total ($total)"
else
	nok "--once --top 1 (rc=$rc, $series series, $sum of $total)"; cat $w/once.prom
fi

# Reload memowner.ko under the daemon.  rmmod may race with a refresh,
# which holds the device open for a moment: retry.
unloaded=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	if rmmod memowner 2>/dev/null; then unloaded=1; break; fi
	sleep 0.2
done
if [ $unloaded = 1 ] && wait_until 30 in_log "went away (" &&
	wait_until 30 grep -q '^memowner_up 0$' $w/prom/memowner.prom; then
	ok "the daemon notices the unload (log, memowner_up 0)"
else
	nok "the daemon notices the unload (unloaded=$unloaded)"; cat $w/d.log
fi
# Every direct reclaim reported from now on: a stall is an event; so is
# one fragmenting fallback in a second.
insmod "$MEMOWNER_KO" mode=stack reclaim_stall_ms=0 extfrag_rate=1
# The list read once the daemon says it added the rule (it logs after the
# kernel accepted it); on failure that very list and its status are shown.
list='(the daemon never logged the rule added again)' lrc=-
if wait_until 100 test "$(count_log "rule [0-9]* ($w/memownerd.conf:7) added")" -ge 2; then
	list=$(memowner alerts list 2>&1)
	lrc=$?
fi
if [ "$lrc" = 0 ] && printf '%s\n' "$list" | grep -q " module memowner_test .* 1.0M"; then
	ok "after the reload the daemon re-applies its rule"
else
	nok "after the reload the daemon re-applies its rule"
	echo "# memowner alerts list (exit $lrc) right after the daemon's log line:"
	printf '%s\n' "$list" | sed 's/^/# /'
	cat $w/d.log
	echo "# memowner alerts list now:"
	memowner alerts list
fi
id2=$(sed -n 's/.*rule \([0-9]*\) (.*memownerd.conf:7) added.*/\1/p' $w/d.log | tail -n1)
echo "free kmalloc" >$ctl
echo "alloc kmalloc 300 4096" >$ctl
if wait_until 50 in_log "alert rule $id2: module memowner_test bytes .* reached 1.0M (1048576) at .*\[memowner_test\]"; then
	ok "and still alerts (rule $id2)"
else
	nok "and still alerts (rule $id2)"; cat $w/d.log
fi
# The next two steps take nearly all of the guest's memory inside one
# write (and give it back before the write returns).  Meanwhile any other
# allocation may wake the OOM killer: memownerd's next snapshot did, and
# the global OOM kill took this script.  The daemon waits stopped during
# the write; the event waits in its socket and is logged when it goes on.
hog() {		# hog COMMAND: one write to the test module, memownerd stopped
	kill -STOP $pid
	echo "$1" >$ctl 2>/dev/null
	kill -CONT $pid
}
# 4 MiB blocks beyond MemAvailable (plus 64 MiB), whatever the machine's
# size: fails, after direct reclaim.
hog "alloc pages $(awk '/^MemAvailable:/ { print int($2 / 4096) + 16 }' /proc/meminfo) 10"
if wait_until 100 in_log "warning: reclaim_stall: pid $$ ([^)]*) stalled [0-9.]*ms in direct reclaim, order 10 gfp 0x[0-9a-f]* at memowner_test_pages+0x[0-9a-f]*/0x[0-9a-f]* \[memowner_test\] <- "; then
	ok "a reclaim stall event is logged with its task and stack"
else
	nok "a reclaim stall event is logged with its task and stack"; cat $w/d.log
fi
grep -m1 -- "reclaim_stall: pid $$ " $w/d.log | sed 's/^/# /'
# Every free pageblock taken, then unmovable pages: fragmenting fallbacks
# (memowner_test.ko's "fragment"; at most one event a second, so retried).
frag_line="extfrag: [0-9]* fragmenting fallbacks/s, order 0 gfp [0-9a-fx]*, pid $$ ([^)]*) at memowner_test_fragment+0x"
i=0
while [ $i -lt 3 ] && ! in_log "$frag_line"; do
	hog "fragment 65536"
	wait_until 30 in_log "$frag_line"
	i=$((i + 1))
done
if in_log "$frag_line"; then
	ok "an extfrag event is logged with its task and the fragmenting caller"
else
	nok "an extfrag event is logged with its task and the fragmenting caller"; cat $w/d.log
fi
grep -m1 -- "extfrag: .* pid $$ " $w/d.log | sed 's/^/# /'
# An OOM kill: dd's 64 MiB buffer in a 16 MiB memory cgroup.
cg=/sys/fs/cgroup
[ -f $cg/cgroup.controllers ] || { mkdir -p $cg; mount -t cgroup2 none $cg; }
echo +memory >$cg/cgroup.subtree_control 2>/dev/null
mkdir -p $cg/memowner-daemon-oom
echo 16M >$cg/memowner-daemon-oom/memory.max
echo 0 >$cg/memowner-daemon-oom/memory.swap.max 2>/dev/null
sh -c "echo \$\$ >$cg/memowner-daemon-oom/cgroup.procs &&
	exec dd if=/dev/zero of=/dev/null bs=64M count=1" 2>/dev/null
if wait_until 100 in_log "oom: killed pid [0-9]* (dd) rss [0-9]*kB; top owners: "; then
	ok "an OOM kill is logged with the victim and the top owners"
else
	nok "an OOM kill is logged with the victim and the top owners"; cat $w/d.log
fi
grep -m1 -- "oom: killed" $w/d.log | sed 's/^/# /'
rmdir $cg/memowner-daemon-oom 2>/dev/null
sleep 1.5
http_get $url $w/metrics2.prom
if [ "$(metric memowner_daemon_connects_total $w/metrics2.prom)" = 2 ] &&
	[ "$(metric memowner_up $w/metrics2.prom)" = 1 ] &&
	[ "$(metric memowner_daemon_alerts_total $w/metrics2.prom)" = 2 ] &&
	[ "$(metric 'memowner_daemon_events_total{event="reclaim_stall"}' $w/metrics2.prom)" -ge 1 ]; then
	ok "metrics after the reload: up, 2 connects, 2 alerts, stall events"
else
	nok "metrics after the reload"; cat $w/metrics2.prom
fi

# SIGHUP: the file is read again; the old rule goes, the new ones come.
sed -i 's/^rule .*/rule --module memowner_test --bytes 8M\nrule --global --pages 1000000/' $w/memownerd.conf
kill -HUP $pid
if wait_until 50 in_log "configuration reloaded: 2 rules" &&
	memowner alerts list >$w/list && grep -q " module memowner_test .* 8.0M" $w/list &&
	grep -q " global .* 1000000 pages" $w/list && ! grep -q " 1.0M " $w/list; then
	ok "SIGHUP reloads the configuration and replaces the rules"
else
	nok "SIGHUP reloads the configuration and replaces the rules"; tail -n 5 $w/d.log; cat $w/list
fi

start=$(date +%s)
kill -TERM $pid
wait $pid
rc=$?
took=$(( $(date +%s) - start ))
if [ $rc -eq 0 ] && [ $took -le 2 ] && in_log "stopping"; then
	ok "SIGTERM: exit 0 in ${took}s"
else
	nok "SIGTERM: exit $rc in ${took}s"; tail -n 5 $w/d.log
fi
if [ "$(ls -A $w/prom)" = memowner.prom ]; then
	ok "after the daemon stops, the textfile and no temporary file are left"
else
	nok "after the daemon stops, the textfile and no temporary file are left"; ls -la $w/prom
fi
if ! memowner alerts list | grep -q "module memowner_test"; then
	ok "the daemon's rule is deleted when it stops"
else
	nok "the daemon's rule is deleted when it stops"; memowner alerts list
fi

sed 's/^/# /' $w/d.log
[ -z "$syslog_pid" ] || kill $syslog_pid 2>/dev/null
echo reset >$ctl
# Leave memowner loaded with its defaults for what runs next.
rmmod memowner && insmod "$MEMOWNER_KO"
exit $fail
