// SPDX-License-Identifier: GPL-2.0
/*
 * memowner alerts add|del|list, memowner watch.
 *
 * Rules go through the device ioctls (THRESHOLD_ADD/DEL/LIST); alerts and
 * memory events arrive on the generic-netlink multicast groups "alerts"
 * and "events", already symbolized, so watch needs no device at all.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>

#include "cli.h"
#include "mo_alerts.h"

/* ---- alerts ------------------------------------------------------------ */

static int alerts_add(const struct cli_opts *o, int argc, char **argv)
{
	struct memowner_threshold_state st;
	struct mo_rule_spec r;
	struct mo_frames f;
	char err[256], desc[256];
	struct mo_json j;
	uint32_t id;
	int fd, ret;

	/* argv[0] is "add". */
	if (mo_rule_parse(argc - 1, argv + 1, &r, err, sizeof(err))) {
		fprintf(stderr, "memowner: alerts add: %s\n", err);
		return CLI_USAGE;
	}
	if (cli_open_dev(&fd))
		return 1;
	/* The kernel takes any handle; a typo would make a rule never firing. */
	if (r.t.owner_kind == MEMOWNER_OWNER_STACK) {
		ret = mo_stack_get(fd, (uint32_t)r.t.owner_id, &f);
		if (ret == -ENOENT) {
			fprintf(stderr, "memowner: alerts add: no stack with handle %" PRIu64
				" (see 'memowner stacks')\n", (uint64_t)r.t.owner_id);
			close(fd);
			return 1;
		}
		if (!ret)
			mo_frames_free(&f);
	}
	ret = mo_rule_add(fd, &r, &id);
	close(fd);
	mo_rule_state(&r, &st);
	mo_rule_str(&st, desc, sizeof(desc));
	if (ret == -ENOSPC) {
		fprintf(stderr, "memowner: alerts add: the kernel holds %d rules already, its maximum (see 'memowner alerts del')\n",
			MEMOWNER_MAX_THRESHOLDS);
		return 1;
	}
	if (ret == -EINVAL) {
		fprintf(stderr, "memowner: alerts add: the kernel rejected the rule '%s': %s\n",
			desc, strerror(-ret));
		return 1;
	}
	if (ret)
		return cli_fail("alerts add", ret);
	if (o->json) {
		mo_json_init(&j, stdout);
		mo_json_obj_begin(&j, NULL);
		mo_json_u64(&j, "id", id);
		mo_json_str(&j, "rule", desc);
		mo_json_obj_end(&j);
		mo_json_end(&j);
	} else {
		printf("%u\n", id);
	}
	return 0;
}

static int alerts_del(int argc, char **argv)
{
	unsigned long long id;
	int i, fd, ret, rc = 0;
	char *end;

	if (argc < 2) {
		fprintf(stderr, "memowner: alerts del: which rule? give its ID (see 'memowner alerts list')\n");
		return CLI_USAGE;
	}
	for (i = 1; i < argc; i++) {
		errno = 0;
		id = strtoull(argv[i], &end, 10);
		if (errno || *end || argv[i][0] < '1' || argv[i][0] > '9' ||
		    id > UINT32_MAX) {
			fprintf(stderr, "memowner: alerts del: bad rule id '%s'\n",
				argv[i]);
			return CLI_USAGE;
		}
	}
	if (cli_open_dev(&fd))
		return 1;
	for (i = 1; i < argc; i++) {
		id = strtoull(argv[i], NULL, 10);
		ret = mo_threshold_del(fd, (uint32_t)id);
		if (ret == -ENOENT) {
			fprintf(stderr, "memowner: alerts del: no rule %llu\n", id);
			rc = 1;
		} else if (ret) {
			rc = cli_fail("alerts del", ret);
			break;
		}
	}
	close(fd);
	return rc;
}

static void ms_str(uint64_t ms, char *buf, size_t len)
{
	if (!ms)
		snprintf(buf, len, "-");
	else if (!(ms % 1000))
		snprintf(buf, len, "%" PRIu64 "s", ms / 1000);
	else
		snprintf(buf, len, "%" PRIu64 "ms", ms);
}

static int alerts_list(const struct cli_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct memowner_threshold_state *rules;
	int fd, ret, opt, json = o->json;
	struct mo_json j;
	size_t nr, i;

	while ((opt = getopt_long(argc, argv, "j", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = 1;
			break;
		default:
			return CLI_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "memowner: alerts list: unexpected argument '%s'\n",
			argv[optind]);
		return CLI_USAGE;
	}
	if (cli_open_dev(&fd))
		return 1;
	ret = mo_threshold_list(fd, &rules, &nr);
	close(fd);
	if (ret)
		return cli_fail("alerts list", ret);

	if (json) {
		char owner[MEMOWNER_NAME_LEN + 32], desc[256];

		mo_json_init(&j, stdout);
		mo_json_obj_begin(&j, NULL);
		mo_json_arr_begin(&j, "rules");
		for (i = 0; i < nr; i++) {
			const struct memowner_threshold_state *s = &rules[i];

			mo_json_obj_begin(&j, NULL);
			mo_json_u64(&j, "id", s->id);
			mo_json_str(&j, "owner_kind",
				    mo_owner_kind_name(s->owner_kind));
			mo_json_str(&j, "owner",
				    mo_owner_id_str(s->owner_kind, s->owner_id,
						    (const char *)s->name, owner,
						    sizeof(owner)));
			mo_json_u64(&j, "owner_id", s->owner_id);
			mo_json_str(&j, "metric", mo_metric_name(s->metric));
			mo_json_u64(&j, "high", s->high);
			mo_json_u64(&j, "low", s->low);
			mo_json_u64(&j, "window_ms", s->window_ms);
			mo_json_u64(&j, "min_interval_ms", s->min_interval_ms);
			mo_json_bool(&j, "armed", s->armed);
			mo_json_u64(&j, "nr_alerts", s->nr_alerts);
			mo_json_u64(&j, "value", s->value);
			mo_json_str(&j, "rule", mo_rule_str(s, desc, sizeof(desc)));
			mo_json_obj_end(&j);
		}
		mo_json_arr_end(&j);
		mo_json_obj_end(&j);
		mo_json_end(&j);
		free(rules);
		return 0;
	}

	printf("%4s  %-28s %-6s %9s %9s %7s %8s %-6s %6s %9s\n", "ID", "OWNER",
	       "METRIC", "HIGH", "LOW", "WINDOW", "INTERVAL", "STATE", "ALERTS",
	       "VALUE");
	for (i = 0; i < nr; i++) {
		const struct memowner_threshold_state *s = &rules[i];
		char owner[MEMOWNER_NAME_LEN + 48], high[48], low[48], val[48];
		char win[32], iv[32];

		mo_owner_str(s->owner_kind, s->owner_id, (const char *)s->name,
			     owner, sizeof(owner));
		mo_metric_value_str(s->metric, s->high, high, sizeof(high));
		mo_metric_value_str(s->metric, s->low, low, sizeof(low));
		mo_metric_value_str(s->metric, s->value, val, sizeof(val));
		ms_str(s->window_ms, win, sizeof(win));
		ms_str(s->min_interval_ms, iv, sizeof(iv));
		printf("%4u  %-28s %-6s %9s %9s %7s %8s %-6s %6" PRIu64 " %9s\n",
		       s->id, owner, mo_metric_name(s->metric), high, low, win,
		       iv, s->armed ? "armed" : "fired", (uint64_t)s->nr_alerts,
		       val);
	}
	if (!nr)
		printf("(no rules: add one with 'memowner alerts add')\n");
	free(rules);
	return 0;
}

static int cmd_alerts(const struct cli_opts *o, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "list";

	if (!strcmp(sub, "add"))
		return alerts_add(o, argc - 1, argv + 1);
	if (!strcmp(sub, "del") || !strcmp(sub, "delete"))
		return alerts_del(argc - 1, argv + 1);
	if (!strcmp(sub, "list") || !strcmp(sub, "ls"))
		return alerts_list(o, argc > 1 ? argc - 1 : 1,
				   argc > 1 ? argv + 1 : argv);
	if (sub[0] == '-')	/* "alerts --json": list */
		return alerts_list(o, argc, argv);
	fprintf(stderr, "memowner: alerts: unknown subcommand '%s' (add, del, list)\n",
		sub);
	return CLI_USAGE;
}

const struct cli_cmd cli_cmd_alerts = {
	.name = "alerts",
	.args = "[list [--json]] | add OWNER METRIC [--low X] [--interval DURATION] | del ID...",
	.summary = "add, delete and list threshold alert rules",
	.help =
	"Alert rules live in memowner.ko: it checks them every alert_period_ms\n"
	"(module parameter, default 100 ms) and sends an alert to the netlink\n"
	"group \"alerts\" when a value reaches the high mark.  A rule that fired\n"
	"stays quiet until the value falls to the low mark (hysteresis) and at\n"
	"least --interval passed (rate limit).  See the alerts with\n"
	"'memowner watch' or memownerd(8).  Adding and deleting needs\n"
	"CAP_SYS_ADMIN; listing CAP_PERFMON.\n"
	"\n"
	"alerts [list] [--json]\n"
	"    The rules: id, owner, metric, marks, window, rate limit, state\n"
	"    (armed: may fire; fired: waiting for the low mark), alerts sent and\n"
	"    the value at the last check.  --json: {\"rules\": [...]}, each with\n"
	"    \"rule\", the options that re-create it.\n"
	"\n"
	"alerts add OWNER METRIC [--low X] [--interval DURATION]\n"
	"    Add a rule; prints its id (--json: {\"id\": N, \"rule\": \"...\"}).\n"
	"    OWNER, one of:\n"
	"      --stack HANDLE   one allocation stack (handles: 'memowner stacks');\n"
	"                       handles last as long as the module is loaded\n"
	"      --cache NAME     a slab cache, e.g. kmalloc-4k, dentry\n"
	"      --module NAME    the allocations made by a kernel module's code\n"
	"                       (\"vmlinux\" for the kernel itself)\n"
	"      --tgid PID       the allocations made by a process\n"
	"      --global         everything tracked\n"
	"    METRIC, one of:\n"
	"      --bytes SIZE     live bytes reach SIZE (512M, 1.5G, 4k, 4096;\n"
	"                       suffixes are powers of 1024)\n"
	"      --pages N        live pages (page allocator and vmalloc) reach N\n"
	"      --rate SIZE/s    live bytes grow by SIZE per second (e.g. 10M/s),\n"
	"                       measured over --window DURATION (100ms..1h,\n"
	"                       default 10s)\n"
	"    --low X            re-arm when the value falls to X (same unit as\n"
	"                       the metric, or a percentage of the high mark such\n"
	"                       as 80%); default 90% of the high mark\n"
	"    --interval DURATION  at most one alert of the rule per DURATION\n"
	"                       (0..1h: 30s, 500ms, 5m; a bare number is ms);\n"
	"                       default 0\n"
	"\n"
	"alerts del ID...\n"
	"    Delete rules.\n"
	"\n"
	"Examples:\n"
	"    memowner alerts add --module mydrv --bytes 512M --low 400M\n"
	"    memowner alerts add --cache dentry --rate 10M/s --window 30s --interval 1m\n"
	"    memowner alerts add --global --pages 262144\n"
	"\n"
	"Exit status: 0 success, 1 error (no such rule, rejected by the kernel,\n"
	"permission), 2 bad arguments.\n",
	.handler = cmd_alerts,
};

/* ---- watch ------------------------------------------------------------- */

static volatile sig_atomic_t watch_stop;

static void watch_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

struct watch {
	int json;
	int alerts, events;	/* what to print */
	long count;		/* stop after this many; 0: never */
	long seen;
	int gone;		/* the family was unregistered */
	int bad;		/* malformed notifications */
};

static void watch_time(uint64_t ts_ns, char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char s[32];

	mo_boottime_to_real(ts_ns, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03ld", s, ts.tv_nsec / 1000000);
}

/* A notification of the generic-netlink controller: is it memowner leaving? */
static void watch_ctrl(struct nl_msg *msg, struct watch *w)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));

	if (gh->cmd != CTRL_CMD_DELFAMILY ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRL_ATTR_MAX, NULL) ||
	    !tb[CTRL_ATTR_FAMILY_NAME])
		return;
	if (!strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]), MEMOWNER_GENL_NAME))
		w->gone = 1;
}

static int watch_cb(struct nl_msg *msg, void *arg)
{
	struct watch *w = arg;
	struct mo_alert a;
	struct mo_event e;
	struct mo_json j;
	char line[2048], t[64];
	int ret;

	if (nlmsg_hdr(msg)->nlmsg_type == GENL_ID_CTRL) {
		watch_ctrl(msg, w);
		return w->gone ? NL_STOP : NL_OK;
	}
	if (w->count && w->seen >= w->count)
		return NL_STOP;
	ret = mo_parse_alert(msg, &a);
	if (ret > 0) {
		if (w->alerts) {
			if (w->json) {
				mo_json_init(&j, stdout);
				mo_json_obj_begin(&j, NULL);
				mo_alert_json(&j, &a);
				mo_json_obj_end(&j);
				mo_json_end(&j);
			} else {
				watch_time(a.ts_ns, t, sizeof(t));
				printf("%s %s\n", t, mo_alert_str(&a, line, sizeof(line)));
				fflush(stdout);
			}
			w->seen++;
		}
		mo_alert_free(&a);
		return NL_OK;
	}
	if (ret == 0)
		ret = mo_parse_event(msg, &e);
	if (ret > 0) {
		if (w->events) {
			if (w->json) {
				mo_json_init(&j, stdout);
				mo_json_obj_begin(&j, NULL);
				mo_event_json(&j, &e);
				mo_json_obj_end(&j);
				mo_json_end(&j);
			} else {
				watch_time(e.ts_ns, t, sizeof(t));
				printf("%s %s\n", t, mo_event_str(&e, line, sizeof(line)));
				fflush(stdout);
			}
			w->seen++;
		}
		mo_event_free(&e);
	} else if (ret < 0) {
		w->bad++;
	}
	return NL_OK;
}

static int watch_nop(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/* Seconds ("10", "2.5") or a duration with a unit ("500ms", "1m"). */
static int parse_timeout_ms(const char *s, long *ms)
{
	uint64_t v;
	double d;
	char *end;

	if (!mo_parse_duration_ms(s, &v) && strpbrk(s, "smhd")) {
		if (v > 86400000ULL * 365)
			return -ERANGE;
		*ms = (long)v;
		return 0;
	}
	errno = 0;
	d = strtod(s, &end);
	if (errno || *end || end == s || d < 0 || d > 86400.0 * 365)
		return -EINVAL;
	*ms = (long)(d * 1000);
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static int cmd_watch(const struct cli_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "alerts-only", no_argument, NULL, 'a' },
		{ "events-only", no_argument, NULL, 'e' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct watch w = { .json = o->json, .alerts = 1, .events = 1 };
	struct sigaction sa = { .sa_handler = watch_signal };
	long timeout_ms = -1, deadline = 0;
	struct mo_genl g = { 0 };
	sigset_t block, orig;
	struct pollfd pfd;
	struct nl_cb *cb;
	int opt, ret, ctrl_grp, rc = 0;
	char *end;

	while ((opt = getopt_long(argc, argv, "aec:t:j", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			w.events = 0;
			break;
		case 'e':
			w.alerts = 0;
			break;
		case 'c':
			errno = 0;
			w.count = strtol(optarg, &end, 10);
			if (errno || *end || w.count < 1) {
				fprintf(stderr, "memowner: watch: bad count '%s' (1 or more)\n",
					optarg);
				return CLI_USAGE;
			}
			break;
		case 't':
			if (parse_timeout_ms(optarg, &timeout_ms)) {
				fprintf(stderr, "memowner: watch: bad timeout '%s' (seconds, or e.g. 500ms, 2m)\n",
					optarg);
				return CLI_USAGE;
			}
			break;
		case 'j':
			w.json = 1;
			break;
		default:
			return CLI_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "memowner: watch: unexpected argument '%s'\n",
			argv[optind]);
		return CLI_USAGE;
	}
	if (!w.alerts && !w.events) {
		fprintf(stderr, "memowner: watch: --alerts-only and --events-only exclude each other\n");
		return CLI_USAGE;
	}

	if (cli_open_genl(&g))
		return 1;
	if (w.alerts) {
		ret = mo_genl_subscribe(&g, MEMOWNER_MCGRP_ALERTS);
		if (ret) {
			mo_genl_close(&g);
			return cli_fail("watch: join group " MEMOWNER_MCGRP_ALERTS, ret);
		}
	}
	if (w.events) {
		ret = mo_genl_subscribe(&g, MEMOWNER_MCGRP_EVENTS);
		if (ret) {
			mo_genl_close(&g);
			return cli_fail("watch: join group " MEMOWNER_MCGRP_EVENTS, ret);
		}
	}
	/* The controller tells when the family goes away (module unloaded). */
	ctrl_grp = genl_ctrl_resolve_grp(g.sk, "nlctrl", "notify");
	if (ctrl_grp >= 0)
		nl_socket_add_membership(g.sk, ctrl_grp);
	/* Room for bursts; beyond it the kernel drops and recv says ENOBUFS. */
	nl_socket_set_buffer_size(g.sk, 1 << 20, 0);
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		mo_genl_close(&g);
		return cli_fail("watch", -ENOMEM);
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, watch_cb, &w);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, watch_nop, NULL);

	/*
	 * SIGINT/SIGTERM are blocked except inside ppoll(), so that a signal
	 * can never slip in between the check of watch_stop and the wait.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigdelset(&orig, SIGINT);
	sigdelset(&orig, SIGTERM);

	fprintf(stderr, "memowner: watch: listening to %s (Ctrl-C to stop)\n",
		w.alerts && w.events ? "alerts and events" :
		w.alerts ? "alerts" : "events");
	if (timeout_ms >= 0)
		deadline = now_ms() + timeout_ms;
	pfd.fd = nl_socket_get_fd(g.sk);
	pfd.events = POLLIN;
	while (!watch_stop && !w.gone && (!w.count || w.seen < w.count)) {
		struct timespec ts, *tsp = NULL;

		if (timeout_ms >= 0) {
			long left = deadline - now_ms();

			if (left <= 0)
				break;
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000L;
			tsp = &ts;
		}
		ret = ppoll(&pfd, 1, tsp, &orig);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			rc = cli_fail("watch: poll", -errno);
			break;
		}
		if (!ret)
			continue;
		ret = nl_recvmsgs(g.sk, cb);
		if (ret == -NLE_NOMEM) {
			/* ENOBUFS: the socket overflowed, notifications were lost. */
			fprintf(stderr, "memowner: watch: notifications lost (receive buffer overflow)\n");
		} else if (ret < 0 && !w.gone && !(w.count && w.seen >= w.count)) {
			fprintf(stderr, "memowner: watch: receive: %s\n",
				nl_geterror(ret));
			rc = 1;
			break;
		}
	}
	if (w.gone) {
		fprintf(stderr, "memowner: watch: memowner.ko was unloaded\n");
		rc = 1;
	} else if (!watch_stop && !rc && w.count && w.seen < w.count) {
		fprintf(stderr, "memowner: watch: timed out after %ld of %ld notifications\n",
			w.seen, w.count);
		rc = 1;
	}
	if (w.bad)
		fprintf(stderr, "memowner: watch: %d malformed notifications skipped\n",
			w.bad);
	nl_cb_put(cb);
	mo_genl_close(&g);
	return rc;
}

const struct cli_cmd cli_cmd_watch = {
	.name = "watch",
	.args = "[--alerts-only|--events-only] [-c COUNT] [-t SEC] [--json]",
	.summary = "print alerts and memory events as they arrive",
	.help =
	"Joins the netlink multicast groups \"alerts\" and \"events\" of\n"
	"memowner.ko and prints one line per notification as it arrives:\n"
	"\n"
	"  TIME alert rule ID: OWNER METRIC VALUE (N) reached THRESHOLD (N) at LEAF-FRAME\n"
	"  TIME oom: killed pid P (COMM) rss NkB; top owners: FUNC [MODULE] SIZE, ...\n"
	"  TIME reclaim_stall: pid P (COMM) stalled Nms in direct reclaim, order N gfp X at FRAME\n"
	"  TIME extfrag: N fragmenting fallbacks/s, order N gfp X, pid P (COMM) at FRAME\n"
	"\n"
	"TIME is the local time of the kernel's timestamp.  A line on stderr\n"
	"tells when the subscription is in place.  Needs CAP_SYS_ADMIN.\n"
	"\n"
	"Options:\n"
	"  -a, --alerts-only  threshold alerts only (rules: 'memowner alerts')\n"
	"  -e, --events-only  memory events only (OOM kills with the top owners,\n"
	"                     direct-reclaim stalls above the module parameter\n"
	"                     reclaim_stall_ms, fragmenting fallbacks above\n"
	"                     extfrag_rate per second)\n"
	"  -c, --count COUNT  exit after COUNT notifications\n"
	"  -t, --timeout SEC  exit after SEC seconds (or a duration: 500ms, 2m)\n"
	"  -j, --json         one JSON object per line, flushed as it is written:\n"
	"                     {\"type\": \"alert\", \"time\", \"ts_ns\", \"rule\",\n"
	"                     \"owner_kind\", \"owner\", \"metric\", \"value\",\n"
	"                     \"threshold\", \"stack\", \"leaf\", \"frames\"} or\n"
	"                     {\"type\": \"event\", \"event\": \"oom\"|\"reclaim_stall\"|\n"
	"                     \"extfrag\", \"pid\", \"tgid\", \"comm\", ...; oom: \"rss_kb\",\n"
	"                     \"top\": [{\"stack\", \"live_bytes\", \"leaf\", \"frames\"...}];\n"
	"                     others: \"latency_ns\" (stalls), \"order\", \"gfp\",\n"
	"                     \"rate\", \"stack\", \"leaf\", \"caller\" (the\n"
	"                     allocating caller, which the text line names: the\n"
	"                     kernel starts the stack below the page allocator\n"
	"                     and reclaim; the same frame as \"leaf\"), \"frames\"}\n"
	"\n"
	"Exit status: 0 on SIGINT/SIGTERM, after COUNT notifications or when the\n"
	"timeout expires without -c; 1 when the timeout expires before COUNT\n"
	"notifications, when memowner.ko is unloaded, or on an error; 2 bad\n"
	"arguments.\n",
	.handler = cmd_watch,
};
