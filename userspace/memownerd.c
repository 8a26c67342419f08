// SPDX-License-Identifier: GPL-2.0
/*
 * memownerd: the memowner daemon.
 *
 * Follows memowner.ko over generic netlink: notices when the module goes away
 * and comes back (reconnecting by itself), logs those transitions to syslog,
 * and keeps a node_exporter textfile of the module's counters up to date,
 * replaced atomically (write to a temporary file, then rename) so that a
 * scraper never reads half a file.
 *
 * Waits with a plain sleep between rounds; SIGTERM/SIGINT end it cleanly.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "memowner_client.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct info_reply {
	char version[32];
	__u64 v[MEMOWNER_A_MAX + 1];
};

static int info_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MEMOWNER_A_MAX + 1];
	struct info_reply *r = arg;
	int i;

	if (mo_genl_parse(msg, tb))
		return NL_SKIP;
	if (tb[MEMOWNER_A_INFO_VERSION])
		snprintf(r->version, sizeof(r->version), "%s",
			 nla_get_string(tb[MEMOWNER_A_INFO_VERSION]));
	for (i = MEMOWNER_A_INFO_FEATURES; i <= MEMOWNER_A_INFO_MEM_BYTES; i++)
		if (tb[i])
			r->v[i] = nla_get_u64(tb[i]);
	if (tb[MEMOWNER_A_INFO_ABI_VERSION])
		r->v[MEMOWNER_A_INFO_ABI_VERSION] =
			nla_get_u32(tb[MEMOWNER_A_INFO_ABI_VERSION]);
	return NL_OK;
}

static int write_textfile(const char *path, int up, const struct info_reply *r)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "# HELP memowner_up Whether memowner.ko answers.\n"
		   "# TYPE memowner_up gauge\nmemowner_up %d\n", up);
	if (up) {
		fprintf(f, "# HELP memowner_build_info memowner.ko version.\n"
			   "# TYPE memowner_build_info gauge\n"
			   "memowner_build_info{version=\"%s\",abi=\"%llu\"} 1\n",
			r->version,
			(unsigned long long)r->v[MEMOWNER_A_INFO_ABI_VERSION]);
		fprintf(f, "# HELP memowner_own_memory_bytes Memory memowner.ko holds.\n"
			   "# TYPE memowner_own_memory_bytes gauge\n"
			   "memowner_own_memory_bytes %llu\n",
			(unsigned long long)r->v[MEMOWNER_A_INFO_MEM_BYTES]);
		fprintf(f, "# HELP memowner_netlink_requests_total Netlink requests served.\n"
			   "# TYPE memowner_netlink_requests_total counter\n"
			   "memowner_netlink_requests_total %llu\n",
			(unsigned long long)r->v[MEMOWNER_A_INFO_NR_REQUESTS]);
	}
	if (fclose(f) || rename(tmp, path)) {
		int err = -errno;

		unlink(tmp);
		return err;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: memownerd [-f] [-t FILE] [-i SECONDS] [-1]\n"
		"\n"
		"Follow memowner.ko: log its arrival and departure to syslog and\n"
		"export its counters as a Prometheus node_exporter textfile.\n"
		"\n"
		"  -f, --foreground      log to stderr as well as syslog\n"
		"  -t, --textfile FILE   metrics file, replaced atomically\n"
		"  -i, --interval SEC    seconds between rounds (default 10)\n"
		"  -1, --once            one round, then exit (status: module up?)\n"
		"  -h, --help            this help\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "textfile", required_argument, NULL, 't' },
		{ "interval", required_argument, NULL, 'i' },
		{ "once", no_argument, NULL, '1' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *textfile = NULL;
	struct mo_genl g = { 0 };
	int opt, once = 0, fg = 0, up = -1;
	long interval = 10;
	char *end;

	while ((opt = getopt_long(argc, argv, "ft:i:1h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			fg = 1;
			break;
		case 't':
			textfile = optarg;
			break;
		case 'i':
			interval = strtol(optarg, &end, 10);
			if (*end || interval < 1 || interval > 86400) {
				fprintf(stderr, "memownerd: bad interval '%s' (1..86400 seconds)\n",
					optarg);
				return 2;
			}
			break;
		case '1':
			once = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	openlog("memownerd", LOG_PID | (fg ? LOG_PERROR : 0), LOG_DAEMON);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	while (!stop) {
		struct info_reply r = { 0 };
		struct nl_msg *msg;
		int ret = 0, now_up;

		if (!g.sk)
			ret = mo_genl_open(&g);
		if (!ret) {
			msg = mo_genl_msg(&g, MEMOWNER_CMD_GET_INFO, 0);
			ret = msg ? mo_genl_transact(&g, msg, info_cb, &r, NULL, 0)
				  : -ENOMEM;
			if (ret)	/* module gone: resolve the family again */
				mo_genl_close(&g);
		}
		now_up = !ret;
		if (now_up != up) {
			if (now_up)
				syslog(LOG_INFO, "memowner.ko %s is up", r.version);
			else
				syslog(LOG_WARNING, "memowner.ko unavailable: %s",
				       mo_hint(ret));
			up = now_up;
		}
		if (textfile) {
			ret = write_textfile(textfile, now_up, &r);
			if (ret)
				syslog(LOG_ERR, "%s: %s", textfile, strerror(-ret));
		}
		if (once)
			break;
		sleep(interval);	/* a signal cuts it short */
	}
	mo_genl_close(&g);
	closelog();
	return once ? !up : 0;
}
