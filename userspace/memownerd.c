// SPDX-License-Identifier: GPL-2.0
/*
 * memownerd: the memowner daemon.
 *
 * - Subscribes to memowner.ko's multicast groups "alerts" and "events" and
 *   logs each notification to syslog (LOG_DAEMON, ident "memownerd") with
 *   its owner and symbolized frames; runs a hook command per alert.
 * - Adds the alert rules of its configuration file when it connects, and
 *   again each time the module comes back after an unload: it follows the
 *   generic-netlink controller's notifications (family added / removed),
 *   retries with a backoff, and also notices a reload it missed by the
 *   module's load time changing.  Its rules are deleted when it stops.
 * - Keeps Prometheus metrics: a node_exporter textfile replaced atomically
 *   and/or GET /metrics on a loopback HTTP port (daemon_metrics.c,
 *   daemon_http.c).
 *
 * One thread, one poll() loop: a signalfd (SIGTERM, SIGINT, SIGHUP,
 * SIGCHLD), the controller socket, the notification socket, the HTTP
 * sockets, and a timeout computed from the next deadline (refresh,
 * reconnect, hook timeout, HTTP client timeout).  Nothing polls in a loop.
 *
 * The device is opened only for the moment of a refresh or a rule change:
 * an open /dev/memowner pins the module and would make "rmmod memowner"
 * fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>

#include "../module/version.h"
#include "memownerd.h"
#include "mo_alerts.h"

#define DEFAULT_CONFIG		"/etc/memowner/memownerd.conf"
#define DEFAULT_LISTEN		"127.0.0.1:9477"
#define DEFAULT_INTERVAL_MS	10000
#define DEFAULT_TOP		20
#define DEFAULT_HOOK_TIMEOUT_MS	30000
#define MAX_HOOKS		8	/* running at once */
#define MAX_HOOK_ARGS		32
#define RETRY_MIN_MS		250
#define RETRY_MAX_MS		30000

/* ---- configuration ----------------------------------------------------- */

struct cfg_rule {
	struct mo_rule_spec spec;
	int line;			/* in the config file; 0: none */
};

struct config {
	char textfile[4096];		/* "" = none */
	char listen[128];		/* "" = off */
	uint64_t interval_ms;
	unsigned int top;
	char hook[4096];		/* "" = none */
	uint64_t hook_timeout_ms;
	unsigned int nr_rules;
	struct cfg_rule rules[MEMOWNER_MAX_THRESHOLDS];
};

/* Command-line settings, which override the file's. */
struct cli_settings {
	const char *config;
	int config_given;
	const char *textfile, *listen, *hook;
	uint64_t interval_ms;
	unsigned int top;
};

static void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "%s", DEFAULT_LISTEN);
	c->interval_ms = DEFAULT_INTERVAL_MS;
	c->top = DEFAULT_TOP;
	c->hook_timeout_ms = DEFAULT_HOOK_TIMEOUT_MS;
}

static int parse_interval(const char *s, uint64_t *ms)
{
	return mo_parse_duration_ms(s, ms) || *ms < 100 || *ms > 86400000 ?
		-EINVAL : 0;
}

static int parse_top(const char *s, unsigned int *top)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 1 || v > 1000)
		return -EINVAL;
	*top = v;
	return 0;
}

static bool is_off(const char *v)
{
	return !v[0] || !strcmp(v, "off") || !strcmp(v, "none") ||
	       !strcmp(v, "no");
}

/*
 * One "key = value" or "rule OPTIONS" line; 0 or -EINVAL with the reason
 * in @err.
 */
static int config_line(struct config *c, char *line, int lineno, char *err,
		       size_t errlen)
{
	char *key = line, *val, *end, *words[64];
	int n;

	key += strspn(key, " \t");
	if (!strncmp(key, "rule", 4) && (key[4] == ' ' || key[4] == '\t')) {
		struct cfg_rule *r;

		n = mo_split_words(key + 4, words, 64);
		if (n < 0) {
			snprintf(err, errlen, n == -E2BIG ? "rule: too many words" :
				 "rule: unterminated quote");
			return -EINVAL;
		}
		if (c->nr_rules == MEMOWNER_MAX_THRESHOLDS) {
			snprintf(err, errlen, "more than %d rules",
				 MEMOWNER_MAX_THRESHOLDS);
			return -EINVAL;
		}
		r = &c->rules[c->nr_rules];
		if (mo_rule_parse(n, words, &r->spec, err, errlen))
			return -EINVAL;
		r->line = lineno;
		c->nr_rules++;
		return 0;
	}
	val = strchr(key, '=');
	if (!val) {
		snprintf(err, errlen, "expected 'key = value' or 'rule OPTIONS'");
		return -EINVAL;
	}
	end = val;
	*val++ = '\0';
	while (end > key && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	val += strspn(val, " \t");
	end = val + strlen(val);
	while (end > val && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';

	if (!strcmp(key, "interval")) {
		if (parse_interval(val, &c->interval_ms))
			goto bad;
	} else if (!strcmp(key, "top")) {
		if (parse_top(val, &c->top))
			goto bad;
	} else if (!strcmp(key, "textfile")) {
		snprintf(c->textfile, sizeof(c->textfile), "%s",
			 is_off(val) ? "" : val);
	} else if (!strcmp(key, "listen")) {
		snprintf(c->listen, sizeof(c->listen), "%s",
			 is_off(val) ? "" : val);
	} else if (!strcmp(key, "hook")) {
		char copy[sizeof(c->hook)], *argv[MAX_HOOK_ARGS];

		snprintf(copy, sizeof(copy), "%s", val);
		n = mo_split_words(copy, argv, MAX_HOOK_ARGS);
		if (n < 0 || (n > 0 && argv[0][0] != '/')) {
			snprintf(err, errlen,
				 "bad hook '%s' (an absolute path, then arguments)",
				 val);
			return -EINVAL;
		}
		snprintf(c->hook, sizeof(c->hook), "%s", n ? val : "");
	} else if (!strcmp(key, "hook_timeout")) {
		if (mo_parse_duration_ms(val, &c->hook_timeout_ms) ||
		    !c->hook_timeout_ms || c->hook_timeout_ms > 3600000)
			goto bad;
	} else {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -EINVAL;
	}
	return 0;
bad:
	snprintf(err, errlen, "bad value '%s' for %s", val, key);
	return -EINVAL;
}

/*
 * Read @path into @c.  A missing file is fine unless @must_exist; errors go
 * to @err as "FILE:LINE: what".
 */
static int config_read(struct config *c, const char *path, int must_exist,
		       char *err, size_t errlen)
{
	char line[8192], msg[512];
	int lineno = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *hash;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%d: line too long", path, lineno);
			fclose(f);
			return -EINVAL;
		}
		line[strcspn(line, "\r\n")] = '\0';
		/* Comments: '#' at the start of a line or after a blank. */
		for (hash = p; (hash = strchr(hash, '#')); hash++)
			if (hash == p || hash[-1] == ' ' || hash[-1] == '\t') {
				*hash = '\0';
				break;
			}
		p += strspn(p, " \t");
		if (!*p)
			continue;
		if (config_line(c, p, lineno, msg, sizeof(msg))) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
			fclose(f);
			return -EINVAL;
		}
	}
	fclose(f);
	return 0;
}

/* Defaults, then the file, then the command line. */
static int config_build(struct config *c, const struct cli_settings *s,
			char *err, size_t errlen)
{
	config_defaults(c);
	if (s->config && config_read(c, s->config, s->config_given, err, errlen))
		return -EINVAL;
	if (s->textfile)
		snprintf(c->textfile, sizeof(c->textfile), "%s",
			 is_off(s->textfile) ? "" : s->textfile);
	if (s->listen)
		snprintf(c->listen, sizeof(c->listen), "%s",
			 is_off(s->listen) ? "" : s->listen);
	if (s->hook)
		snprintf(c->hook, sizeof(c->hook), "%s", s->hook);
	if (s->interval_ms)
		c->interval_ms = s->interval_ms;
	if (s->top)
		c->top = s->top;
	return 0;
}

/* ---- state ------------------------------------------------------------- */

struct hook_proc {
	pid_t pid;
	uint32_t rule;
	int killed;
	uint64_t deadline;
};

struct daemon {
	struct cli_settings cli;
	struct config cfg;
	int log_stderr;

	int sfd;			/* signalfd */
	struct nl_sock *ctrl;		/* nlctrl notifications */
	struct nl_cb *ctrl_cb, *ntf_cb;
	struct mo_genl req, ntf;	/* requests; alerts and events */
	int up;
	uint64_t loaded_ns;		/* the module instance we are bound to */
	uint32_t kid[MEMOWNER_MAX_THRESHOLDS];	/* kernel id of each rule */
	int family_new, family_gone;
	uint64_t retry_at, retry_delay, refresh_at;
	char last_err[4400];		/* to log a failure once, not per retry */

	struct hook_proc hooks[MAX_HOOKS];
	struct http_server http;
	int http_on;
	struct dm_data data;
	struct dm_counters cnt;
	struct strbuf text;
	int stop;
};

static int log_to_stderr;

static void dlog(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void dlog(int prio, const char *fmt, ...)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "err", "warning", "notice", "info",
		"debug",
	};
	char msg[4096], t[64];
	struct timespec ts;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	syslog(prio, "%s", msg);
	if (log_to_stderr) {
		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(stderr, "%s memownerd[%d]: %s: %s\n",
			mo_fmt_time_iso(&ts, t, sizeof(t)), (int)getpid(),
			names[LOG_PRI(prio)], msg);
	}
}

/* Log a failure once until a different one happens (retries repeat them). */
static void dlog_once(struct daemon *d, int prio, const char *msg)
{
	if (!strcmp(d->last_err, msg))
		return;
	snprintf(d->last_err, sizeof(d->last_err), "%s", msg);
	dlog(prio, "%s", msg);
}

static const char *cfg_where(const struct daemon *d, const struct cfg_rule *r,
			     char *buf, size_t len)
{
	if (r->line)
		snprintf(buf, len, "%s:%d", d->cli.config, r->line);
	else
		snprintf(buf, len, "command line");
	return buf;
}

/* ---- rules --------------------------------------------------------------- */

/*
 * Put the configured rules in the kernel: a rule already there (the same
 * owner, metric and marks, e.g. after a restart of the daemon) is adopted
 * rather than added twice.
 */
static void rules_apply(struct daemon *d, int fd)
{
	struct memowner_threshold_state *ks = NULL;
	bool used[MEMOWNER_MAX_THRESHOLDS] = { false };
	size_t nk = 0, k;
	unsigned int i;
	char desc[256], where[4200];
	int ret;

	d->cnt.rules_applied = 0;
	d->cnt.rules_configured = d->cfg.nr_rules;
	if (!d->cfg.nr_rules)
		return;
	ret = mo_threshold_list(fd, &ks, &nk);
	if (ret)
		nk = 0;
	for (i = 0; i < d->cfg.nr_rules; i++) {
		struct cfg_rule *r = &d->cfg.rules[i];
		struct memowner_threshold_state st;

		mo_rule_state(&r->spec, &st);
		mo_rule_str(&st, desc, sizeof(desc));
		cfg_where(d, r, where, sizeof(where));
		d->kid[i] = 0;
		for (k = 0; k < nk; k++)
			if (!used[k] && mo_rule_matches(&r->spec, &ks[k]))
				break;
		if (k < nk) {
			used[k] = true;
			d->kid[i] = ks[k].id;
			dlog(LOG_INFO, "rule %u (%s) already in the kernel: %s",
			     ks[k].id, where, desc);
		} else {
			ret = mo_rule_add(fd, &r->spec, &d->kid[i]);
			if (ret) {
				dlog(LOG_ERR, "rule of %s rejected by memowner.ko: %s: %s",
				     where, desc, ret == -ENOSPC ?
				     "too many rules" : mo_hint(ret));
				continue;
			}
			dlog(LOG_INFO, "rule %u (%s) added: %s", d->kid[i], where,
			     desc);
		}
		d->cnt.rules_applied++;
	}
	free(ks);
}

/* Delete the rules this daemon put in the kernel. */
static void rules_remove(struct daemon *d)
{
	unsigned int i;
	int fd, ret;

	if (!d->up)
		return;
	fd = mo_dev_open();
	if (fd < 0)
		return;
	for (i = 0; i < d->cfg.nr_rules; i++) {
		if (!d->kid[i])
			continue;
		ret = mo_threshold_del(fd, d->kid[i]);
		if (ret && ret != -ENOENT)
			dlog(LOG_WARNING, "deleting rule %u: %s", d->kid[i],
			     mo_hint(ret));
		d->kid[i] = 0;
	}
	d->cnt.rules_applied = 0;
	close(fd);
}

static const struct cfg_rule *rule_of(const struct daemon *d, uint32_t kid)
{
	unsigned int i;

	for (i = 0; i < d->cfg.nr_rules; i++)
		if (d->kid[i] == kid)
			return &d->cfg.rules[i];
	return NULL;
}

/* ---- hooks ------------------------------------------------------------- */

static void hook_env(const struct mo_alert *a, const char *summary)
{
	char v[MEMOWNER_NAME_LEN + 64], name[32];
	struct timespec ts;
	unsigned int i;

	snprintf(v, sizeof(v), "%u", a->rule);
	setenv("MEMOWNER_RULE", v, 1);
	setenv("MEMOWNER_OWNER_KIND", mo_owner_kind_name(a->owner_kind), 1);
	setenv("MEMOWNER_OWNER", mo_owner_id_str(a->owner_kind, a->owner_id,
						 a->owner_name, v, sizeof(v)), 1);
	setenv("MEMOWNER_METRIC", mo_metric_name(a->metric), 1);
	snprintf(v, sizeof(v), "%" PRIu64, a->value);
	setenv("MEMOWNER_VALUE", v, 1);
	snprintf(v, sizeof(v), "%" PRIu64, a->threshold);
	setenv("MEMOWNER_THRESHOLD", v, 1);
	snprintf(v, sizeof(v), "%" PRIu64, a->ts_ns);
	setenv("MEMOWNER_TS_NS", v, 1);
	mo_boottime_to_real(a->ts_ns, &ts);
	setenv("MEMOWNER_TIME", mo_fmt_time_iso(&ts, v, sizeof(v)), 1);
	snprintf(v, sizeof(v), "%u", a->stack);
	setenv("MEMOWNER_STACK", v, 1);
	snprintf(v, sizeof(v), "%u", a->frames.nr);
	setenv("MEMOWNER_STACK_DEPTH", v, 1);
	for (i = 0; i < a->frames.nr; i++) {
		snprintf(name, sizeof(name), "MEMOWNER_STACK_%u", i);
		setenv(name, a->frames.frame[i], 1);
	}
	setenv("MEMOWNER_LEAF", a->frames.nr ? a->frames.frame[0] : "", 1);
	setenv("MEMOWNER_SUMMARY", summary, 1);
}

/* fork + exec the hook for alert @a; never waits for it. */
static void hook_run(struct daemon *d, const struct mo_alert *a,
		     const char *summary)
{
	char copy[sizeof(d->cfg.hook)], *argv[MAX_HOOK_ARGS + 1];
	struct hook_proc *h = NULL;
	sigset_t none;
	int i, n, fd;
	pid_t pid;

	if (!d->cfg.hook[0])
		return;
	for (i = 0; i < MAX_HOOKS; i++)
		if (!d->hooks[i].pid) {
			h = &d->hooks[i];
			break;
		}
	if (!h) {
		d->cnt.hooks_skipped++;
		dlog(LOG_WARNING, "hook not run for rule %u: %d hooks still running",
		     a->rule, MAX_HOOKS);
		return;
	}
	snprintf(copy, sizeof(copy), "%s", d->cfg.hook);
	n = mo_split_words(copy, argv, MAX_HOOK_ARGS);
	if (n <= 0)
		return;
	argv[n] = NULL;
	pid = fork();
	if (pid < 0) {
		d->cnt.hooks_failed++;
		dlog(LOG_ERR, "hook for rule %u: fork: %s", a->rule,
		     strerror(errno));
		return;
	}
	if (!pid) {
		/* The child: the signals the daemon blocked, back to normal. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 0);
			if (fd > 0)
				close(fd);
		}
		hook_env(a, summary);
		execv(argv[0], argv);
		fprintf(stderr, "memownerd: hook %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	h->pid = pid;
	h->rule = a->rule;
	h->killed = 0;
	h->deadline = now_ms() + d->cfg.hook_timeout_ms;
}

static void hooks_reap(struct daemon *d)
{
	int status, i;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct hook_proc *h = NULL;

		for (i = 0; i < MAX_HOOKS; i++)
			if (d->hooks[i].pid == pid)
				h = &d->hooks[i];
		if (!h)
			continue;
		if (h->killed) {
			d->cnt.hooks_timeout++;
			dlog(LOG_WARNING, "hook for rule %u killed after %" PRIu64 " ms",
			     h->rule, d->cfg.hook_timeout_ms);
		} else if (WIFEXITED(status) && !WEXITSTATUS(status)) {
			d->cnt.hooks_ok++;
		} else {
			d->cnt.hooks_failed++;
			if (WIFEXITED(status))
				dlog(LOG_WARNING, "hook for rule %u exited with status %d",
				     h->rule, WEXITSTATUS(status));
			else
				dlog(LOG_WARNING, "hook for rule %u killed by signal %d",
				     h->rule, WTERMSIG(status));
		}
		h->pid = 0;
	}
}

/* Kill hooks past their time; the next hook deadline. */
static uint64_t hooks_expire(struct daemon *d, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	int i;

	for (i = 0; i < MAX_HOOKS; i++) {
		struct hook_proc *h = &d->hooks[i];

		if (!h->pid || h->killed)
			continue;
		if (h->deadline <= now) {
			kill(h->pid, SIGKILL);
			h->killed = 1;
		} else if (h->deadline < next) {
			next = h->deadline;
		}
	}
	return next;
}

/* ---- notifications --------------------------------------------------- */

static void on_alert(struct daemon *d, const struct mo_alert *a)
{
	const struct cfg_rule *r = rule_of(d, a->rule);
	char line[2048], frames[2048], where[4200] = "";
	size_t off = 0;
	unsigned int i;

	d->cnt.alerts++;
	mo_alert_str(a, line, sizeof(line));
	frames[0] = '\0';
	for (i = 1; i < a->frames.nr && off < sizeof(frames); i++)
		off += snprintf(frames + off, sizeof(frames) - off, " <- %s",
				a->frames.frame[i]);
	if (r) {
		char w[4120];

		snprintf(where, sizeof(where), " [%s]",
			 cfg_where(d, r, w, sizeof(w)));
	}
	dlog(LOG_WARNING, "%s%s%s", line, frames, where);
	hook_run(d, a, line);
}

static void on_event(struct daemon *d, const struct mo_event *e)
{
	static const int prio[] = {
		[MEMOWNER_EVENT_OOM] = LOG_ERR,
		[MEMOWNER_EVENT_RECLAIM_STALL] = LOG_WARNING,
		[MEMOWNER_EVENT_EXTFRAG] = LOG_NOTICE,
	};
	char line[4096], frames[1024] = "";
	size_t off = 0;
	unsigned int i;

	if (e->type <= MEMOWNER_EVENT_MAX)
		d->cnt.events[e->type]++;
	mo_event_str(e, line, sizeof(line));
	/* The callers of the frame the line names, as alerts show them. */
	for (i = 1; i < e->frames.nr && i < 4 && off < sizeof(frames); i++)
		off += snprintf(frames + off, sizeof(frames) - off, " <- %s",
				e->frames.frame[i]);
	dlog(e->type <= MEMOWNER_EVENT_MAX ? prio[e->type] : LOG_NOTICE, "%s%s",
	     line, frames);
}

static int ntf_cb(struct nl_msg *msg, void *arg)
{
	struct daemon *d = arg;
	struct mo_alert a;
	struct mo_event e;
	int ret;

	ret = mo_parse_alert(msg, &a);
	if (ret > 0) {
		on_alert(d, &a);
		mo_alert_free(&a);
		return NL_OK;
	}
	if (!ret && mo_parse_event(msg, &e) > 0) {
		on_event(d, &e);
		mo_event_free(&e);
	}
	return NL_OK;
}

static int ctrl_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct daemon *d = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRL_ATTR_MAX, NULL) ||
	    !tb[CTRL_ATTR_FAMILY_NAME] ||
	    strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]), MEMOWNER_GENL_NAME))
		return NL_OK;
	if (gh->cmd == CTRL_CMD_DELFAMILY)
		d->family_gone = 1;
	else if (gh->cmd == CTRL_CMD_NEWFAMILY)
		d->family_new = 1;
	return NL_OK;
}

static int nop_cb(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static struct nl_cb *notify_cb(int (*fn)(struct nl_msg *, void *), void *arg)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, fn, arg);
	/* Notifications carry no sequence number of ours. */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, nop_cb, NULL);
	return cb;
}

/* Read every queued message of non-blocking @sk. */
static void drain(struct daemon *d, struct nl_sock *sk, struct nl_cb *cb,
		  const char *what)
{
	int ret, rounds = 0;

	/* Bounded, so that a flood cannot starve the rest of the loop. */
	while (rounds++ < 256) {
		ret = nl_recvmsgs_report(sk, cb);
		if (ret > 0)
			continue;
		if (!ret || ret == -NLE_AGAIN)
			return;
		if (ret == -NLE_NOMEM) {
			/* ENOBUFS: the kernel dropped messages for us. */
			d->cnt.lost++;
			dlog(LOG_WARNING, "%s: notifications lost (socket receive buffer overflowed)",
			     what);
			continue;
		}
		dlog(LOG_ERR, "%s: receive: %s", what, nl_geterror(ret));
		return;
	}
}

static int ctrl_open(struct daemon *d)
{
	int grp;

	d->ctrl = nl_socket_alloc();
	if (!d->ctrl)
		return -ENOMEM;
	if (genl_connect(d->ctrl))
		goto fail;
	grp = genl_ctrl_resolve_grp(d->ctrl, "nlctrl", "notify");
	if (grp < 0 || nl_socket_add_membership(d->ctrl, grp))
		goto fail;
	nl_socket_disable_seq_check(d->ctrl);
	nl_socket_set_nonblocking(d->ctrl);
	d->ctrl_cb = notify_cb(ctrl_cb, d);
	if (!d->ctrl_cb)
		goto fail;
	return 0;
fail:
	nl_socket_free(d->ctrl);
	d->ctrl = NULL;
	return -EIO;
}

/* ---- connection ---------------------------------------------------------- */

struct info_reply {
	char version[32];
};

static int info_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MEMOWNER_A_MAX + 1];
	struct info_reply *r = arg;

	if (!mo_genl_parse(msg, tb) && tb[MEMOWNER_A_INFO_VERSION])
		snprintf(r->version, sizeof(r->version), "%s",
			 nla_get_string(tb[MEMOWNER_A_INFO_VERSION]));
	return NL_OK;
}

static void write_metrics(struct daemon *d)
{
	int ret;

	dm_render(&d->text, &d->data, &d->cnt);
	if (!d->cfg.textfile[0])
		return;
	ret = dm_write_textfile(d->cfg.textfile, &d->text);
	if (ret) {
		char msg[4200];

		snprintf(msg, sizeof(msg), "textfile %s: %s", d->cfg.textfile,
			 strerror(-ret));
		dlog_once(d, LOG_ERR, msg);
	}
}

static void disconnect(struct daemon *d, const char *why)
{
	unsigned int i;

	if (d->up)
		dlog(LOG_WARNING, "memowner.ko %s went away (%s); waiting for it to come back",
		     d->cnt.version, why);
	mo_genl_close(&d->ntf);
	mo_genl_close(&d->req);
	d->up = d->cnt.up = 0;
	d->cnt.rules_applied = 0;
	for (i = 0; i < MEMOWNER_MAX_THRESHOLDS; i++)
		d->kid[i] = 0;
	dm_data_free(&d->data);
	d->retry_delay = RETRY_MIN_MS;
	d->retry_at = now_ms() + d->retry_delay;
	write_metrics(d);
}

static void connect_failed(struct daemon *d, const char *what, int err)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "memowner.ko unavailable: %s: %s", what,
		 mo_hint(err));
	dlog_once(d, err == -ENOENT || err == -ENODEV ? LOG_NOTICE : LOG_ERR, msg);
	mo_genl_close(&d->ntf);
	mo_genl_close(&d->req);
	d->retry_at = now_ms() + d->retry_delay;
	d->retry_delay = d->retry_delay * 2 > RETRY_MAX_MS ? RETRY_MAX_MS :
			 d->retry_delay * 2;
}

static int try_connect(struct daemon *d)
{
	struct memowner_info info;
	struct info_reply r = { "" };
	struct nl_msg *msg;
	int fd, ret;

	ret = mo_genl_open(&d->req);
	if (ret) {
		connect_failed(d, "netlink family " MEMOWNER_GENL_NAME, ret);
		return ret;
	}
	msg = mo_genl_msg(&d->req, MEMOWNER_CMD_GET_INFO, 0);
	ret = msg ? mo_genl_transact(&d->req, msg, info_cb, &r, NULL, 0) : -ENOMEM;
	if (ret) {
		connect_failed(d, "GET_INFO", ret);
		return ret;
	}
	fd = mo_dev_open();
	if (fd < 0) {
		connect_failed(d, "open " MEMOWNER_DEVICE, fd);
		return fd;
	}
	ret = mo_dev_get_info(fd, &info);
	if (!ret)
		ret = mo_check_abi(&info);
	if (ret) {
		close(fd);
		connect_failed(d, "GET_INFO ioctl", ret);
		return ret;
	}
	ret = mo_genl_open(&d->ntf);
	if (!ret)
		ret = mo_genl_subscribe(&d->ntf, MEMOWNER_MCGRP_ALERTS);
	if (!ret)
		ret = mo_genl_subscribe(&d->ntf, MEMOWNER_MCGRP_EVENTS);
	if (ret) {
		close(fd);
		connect_failed(d, "subscribe to alerts and events", ret);
		return ret;
	}
	nl_socket_set_nonblocking(d->ntf.sk);
	nl_socket_set_buffer_size(d->ntf.sk, 1 << 20, 0);

	d->up = d->cnt.up = 1;
	d->loaded_ns = info.loaded_ns;
	d->cnt.connects++;
	snprintf(d->cnt.version, sizeof(d->cnt.version), "%s", r.version);
	d->last_err[0] = '\0';
	d->retry_delay = RETRY_MIN_MS;
	dlog(LOG_INFO, "memowner.ko %s is up (abi %u, mode %s)", r.version,
	     info.abi_version, mo_mode_name(info.mode));
	rules_apply(d, fd);
	close(fd);
	d->refresh_at = now_ms();	/* metrics right away */
	return 0;
}

/* Read the kernel's state into the metrics; notice a missed reload. */
static void refresh(struct daemon *d)
{
	char msg[512];
	int fd, ret;

	d->refresh_at = now_ms() + d->cfg.interval_ms;
	if (d->up) {
		fd = mo_dev_open();
		ret = fd < 0 ? fd : dm_collect(fd, d->cfg.top, &d->data);
		if (fd >= 0)
			close(fd);
		if (!ret && d->data.info.loaded_ns != d->loaded_ns) {
			/* Unloaded and loaded again between two looks. */
			disconnect(d, "reloaded");
			d->retry_at = now_ms();
			return;
		}
		if (ret == -ENOENT || ret == -ENODEV || ret == -ENXIO) {
			disconnect(d, "device gone");
			return;
		}
		if (ret) {
			d->cnt.refresh_errors++;
			snprintf(msg, sizeof(msg), "refreshing metrics: %s",
				 mo_hint(ret));
			dlog_once(d, LOG_ERR, msg);
		}
	}
	write_metrics(d);
}

/* ---- signals, main loop ---------------------------------------------- */

static void http_body(struct strbuf *b, void *arg);

static void reload_config(struct daemon *d)
{
	struct config *nc = malloc(sizeof(*nc));
	char err[512];
	int fd, listen_changed;

	if (!nc)
		return;
	if (config_build(nc, &d->cli, err, sizeof(err))) {
		dlog(LOG_ERR, "SIGHUP: configuration not reloaded: %s", err);
		free(nc);
		return;
	}
	rules_remove(d);
	listen_changed = strcmp(nc->listen, d->cfg.listen);
	d->cfg = *nc;
	free(nc);
	if (listen_changed) {
		if (d->http_on)
			http_close(&d->http);
		d->http_on = 0;
		if (d->cfg.listen[0]) {
			if (http_open(&d->http, d->cfg.listen, http_body, d,
				      err, sizeof(err)))
				dlog(LOG_ERR, "SIGHUP: %s", err);
			else
				d->http_on = 1;
		}
	}
	d->cnt.rules_configured = d->cfg.nr_rules;
	if (d->up) {
		fd = mo_dev_open();
		if (fd >= 0) {
			rules_apply(d, fd);
			close(fd);
		}
	}
	dlog(LOG_INFO, "configuration reloaded: %u rules", d->cfg.nr_rules);
	d->refresh_at = now_ms();
}

static void on_signals(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			d->stop = 1;
			break;
		case SIGHUP:
			reload_config(d);
			break;
		case SIGCHLD:
			hooks_reap(d);
			break;
		}
	}
}

static void http_body(struct strbuf *b, void *arg)
{
	struct daemon *d = arg;

	/* The kernel's data of the last refresh, the daemon's counters now. */
	dm_render(b, &d->data, &d->cnt);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static int run(struct daemon *d)
{
	struct pollfd pfds[4 + HTTP_MAX_CLIENTS + 1];

	d->retry_delay = RETRY_MIN_MS;
	d->retry_at = now_ms();
	d->refresh_at = now_ms();
	while (!d->stop) {
		uint64_t now = now_ms(), next;
		int n = 0, i_ctrl = -1, i_ntf = -1, i_http, nh = 0, ret;
		int timeout;

		if (!d->up && now >= d->retry_at)
			try_connect(d);
		now = now_ms();
		if (now >= d->refresh_at)
			refresh(d);
		now = now_ms();
		next = d->refresh_at;
		if (!d->up)
			next = min_u64(next, d->retry_at);
		next = min_u64(next, hooks_expire(d, now));
		if (d->http_on)
			next = min_u64(next, http_expire(&d->http, now));
		timeout = next <= now ? 0 : next - now > 3600000 ? 3600000 :
			  (int)(next - now);

		pfds[n].fd = d->sfd;
		pfds[n++].events = POLLIN;
		if (d->ctrl) {
			i_ctrl = n;
			pfds[n].fd = nl_socket_get_fd(d->ctrl);
			pfds[n++].events = POLLIN;
		}
		if (d->up) {
			i_ntf = n;
			pfds[n].fd = nl_socket_get_fd(d->ntf.sk);
			pfds[n++].events = POLLIN;
		}
		i_http = n;
		if (d->http_on) {
			nh = http_fill(&d->http, pfds + n);
			n += nh;
		}
		ret = poll(pfds, n, timeout);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			dlog(LOG_ERR, "poll: %s", strerror(errno));
			return 1;
		}
		if (!ret)
			continue;
		if (pfds[0].revents)
			on_signals(d);
		if (i_ntf >= 0 && pfds[i_ntf].revents && d->up)
			drain(d, d->ntf.sk, d->ntf_cb, "alerts/events");
		if (i_ctrl >= 0 && pfds[i_ctrl].revents) {
			drain(d, d->ctrl, d->ctrl_cb, "nlctrl");
			if (d->family_gone && d->up)
				disconnect(d, "unloaded");
			if (d->family_new && !d->up) {
				/* Back: connect now, whatever the backoff said. */
				d->retry_delay = RETRY_MIN_MS;
				d->retry_at = now_ms();
			}
			d->family_gone = d->family_new = 0;
		}
		if (nh)
			http_dispatch(&d->http, pfds + i_http, nh);
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: memownerd [OPTION]...\n"
"\n"
"memownerd follows memowner.ko (who owns kernel memory): it logs each\n"
"threshold alert and memory event to syslog (facility daemon, ident\n"
"memownerd) with its owner and stack, runs a hook per alert, keeps the\n"
"alert rules of its configuration in the kernel (again after each reload\n"
"of the module), and exports Prometheus metrics.\n"
"\n"
"Options (they override the configuration file):\n"
"  -c, --config FILE     configuration (default " DEFAULT_CONFIG ";\n"
"                        that one may be missing)\n"
"  -f, --foreground      do not detach (for systemd, Type=simple)\n"
"  -s, --log-stderr      also log to stderr, with a timestamp\n"
"  -t, --textfile FILE   write the metrics to FILE for node_exporter's\n"
"                        textfile collector (name it *.prom), replaced\n"
"                        atomically each interval; 'off': none (default)\n"
"  -l, --listen ADDR     serve GET /metrics on ADDR: HOST:PORT, [V6]:PORT\n"
"                        or PORT (on 127.0.0.1); 'off': no HTTP\n"
"                        (default " DEFAULT_LISTEN ")\n"
"  -i, --interval DUR    metrics refresh interval (default 10s; 100ms..1d)\n"
"  -n, --top N           owners (leaf functions), modules and caches that\n"
"                        get a series of their own (default 20; 1..1000);\n"
"                        the rest is summed as \"(other)\"\n"
"      --hook COMMAND    run COMMAND (absolute path, arguments) per alert\n"
"  -1, --once            read the metrics once, write the textfile (or\n"
"                        stdout without one) and exit: 0 if memowner.ko\n"
"                        answered, 1 if not\n"
"      --check-config    read the configuration, report errors, and exit\n"
"  -h, --help            this help\n"
"  -V, --version         the version of the daemon\n"
"\n"
"Configuration file (one setting per line; '#' starts a comment):\n"
"  interval = DURATION   as --interval\n"
"  top = N               as --top\n"
"  textfile = FILE|off   as --textfile\n"
"  listen = ADDR|off     as --listen\n"
"  hook = /PATH [ARGS]   as --hook: no shell, quotes group words\n"
"  hook_timeout = DUR    the hook is killed after DUR (default 30s)\n"
"  rule OPTIONS          an alert rule, with the options of 'memowner\n"
"                        alerts add': an owner (--stack, --cache, --module,\n"
"                        --tgid, --global), a metric (--bytes, --pages,\n"
"                        --rate [--window]), --low, --interval; e.g.\n"
"                        rule --module mydrv --bytes 512M --low 400M\n"
"Stack handles and pids do not survive a reload of the module or a\n"
"reboot: prefer --module, --cache and --global in rules.  Errors are\n"
"reported as FILE:LINE and memownerd exits with 2.\n"
"\n"
"Hook environment: MEMOWNER_RULE, MEMOWNER_OWNER_KIND (stack, cache,\n"
"module, tgid, global), MEMOWNER_OWNER (its name, handle or pid),\n"
"MEMOWNER_METRIC (bytes, pages, rate), MEMOWNER_VALUE, MEMOWNER_THRESHOLD,\n"
"MEMOWNER_TIME (UTC, ISO 8601), MEMOWNER_TS_NS (CLOCK_BOOTTIME),\n"
"MEMOWNER_STACK (handle), MEMOWNER_STACK_DEPTH, MEMOWNER_STACK_0.. (frames,\n"
"leaf first), MEMOWNER_LEAF, MEMOWNER_SUMMARY (the log line).  At most %d\n"
"hooks run at once; more alerts meanwhile are logged without a hook.\n"
"\n"
"Signals: SIGTERM, SIGINT stop (the daemon's rules are deleted from the\n"
"kernel); SIGHUP reloads the configuration and re-applies the rules.\n"
"\n"
"Metrics (Prometheus text format 0.0.4): memowner_up, memowner_build_info,\n"
"memowner_tracking_info, memowner_live_{bytes,pages,objects}{source},\n"
"memowner_backing_bytes,\n"
"memowner_owner_live_{bytes,objects}{function,module},\n"
"memowner_module_live_{bytes,objects}{module},\n"
"memowner_cache_live_{bytes,objects}{cache}, memowner_records,\n"
"memowner_stacks, memowner_drops_total, memowner_own_memory_bytes,\n"
"memowner_rule_{value,high,low,armed,alerts_total}{rule,owner_kind,owner,\n"
"metric}, memowner_daemon_{connects,alerts,events,notifications_lost,\n"
"hooks,refresh_errors}_total, memowner_daemon_rules{state}.\n"
"\n"
"Needs CAP_SYS_ADMIN (rules, subscriptions).  Exit status: 0 after\n"
"SIGTERM/SIGINT, 1 on a runtime error, 2 on bad options or configuration.\n",
		MAX_HOOKS);
}

/* --once: a snapshot of the metrics, for cron jobs and quick looks. */
static int run_once(struct daemon *d)
{
	int fd, ret;

	fd = mo_dev_open();
	ret = fd < 0 ? fd : dm_collect(fd, d->cfg.top, &d->data);
	if (fd >= 0)
		close(fd);
	if (!ret) {
		struct mo_genl g = { 0 };
		struct info_reply r = { "" };
		struct nl_msg *msg;

		if (!mo_genl_open(&g)) {
			msg = mo_genl_msg(&g, MEMOWNER_CMD_GET_INFO, 0);
			if (msg)
				mo_genl_transact(&g, msg, info_cb, &r, NULL, 0);
			mo_genl_close(&g);
		}
		snprintf(d->cnt.version, sizeof(d->cnt.version), "%s", r.version);
		d->cnt.up = 1;
	} else {
		fprintf(stderr, "memownerd: %s\n", mo_hint(ret));
	}
	dm_render(&d->text, &d->data, &d->cnt);
	if (d->cfg.textfile[0]) {
		int err = dm_write_textfile(d->cfg.textfile, &d->text);

		if (err) {
			fprintf(stderr, "memownerd: %s: %s\n", d->cfg.textfile,
				strerror(-err));
			return 1;
		}
	} else {
		fwrite(d->text.s, 1, d->text.len, stdout);
	}
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	enum { OPT_HOOK = 256, OPT_CHECK };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "log-stderr", no_argument, NULL, 's' },
		{ "textfile", required_argument, NULL, 't' },
		{ "listen", required_argument, NULL, 'l' },
		{ "interval", required_argument, NULL, 'i' },
		{ "top", required_argument, NULL, 'n' },
		{ "hook", required_argument, NULL, OPT_HOOK },
		{ "once", no_argument, NULL, '1' },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct daemon dd;
	struct daemon *d = &dd;
	int opt, fg = 0, once = 0, check = 0, ret;
	char err[4400];
	sigset_t mask;

	d->cli.config = DEFAULT_CONFIG;
	d->sfd = -1;
	while ((opt = getopt_long(argc, argv, "c:fst:l:i:n:1hV", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'c':
			d->cli.config = optarg;
			d->cli.config_given = 1;
			break;
		case 'f':
			fg = 1;
			break;
		case 's':
			d->log_stderr = 1;
			break;
		case 't':
			d->cli.textfile = optarg;
			break;
		case 'l':
			d->cli.listen = optarg;
			break;
		case 'i':
			if (parse_interval(optarg, &d->cli.interval_ms)) {
				fprintf(stderr, "memownerd: bad interval '%s' (100ms..1d, e.g. 10s)\n",
					optarg);
				return 2;
			}
			break;
		case 'n':
			if (parse_top(optarg, &d->cli.top)) {
				fprintf(stderr, "memownerd: bad --top '%s' (1..1000)\n",
					optarg);
				return 2;
			}
			break;
		case OPT_HOOK:
			if (optarg[0] != '/') {
				fprintf(stderr, "memownerd: bad hook '%s' (an absolute path)\n",
					optarg);
				return 2;
			}
			d->cli.hook = optarg;
			break;
		case '1':
			once = 1;
			break;
		case OPT_CHECK:
			check = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("memownerd %s\n", MEMOWNER_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "memownerd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (config_build(&d->cfg, &d->cli, err, sizeof(err))) {
		fprintf(stderr, "memownerd: %s\n", err);
		return 2;
	}
	if (check) {
		printf("%s: %u rules, interval %" PRIu64 " ms, listen %s, textfile %s, hook %s\n",
		       d->cli.config, d->cfg.nr_rules, d->cfg.interval_ms,
		       d->cfg.listen[0] ? d->cfg.listen : "off",
		       d->cfg.textfile[0] ? d->cfg.textfile : "none",
		       d->cfg.hook[0] ? d->cfg.hook : "none");
		return 0;
	}
	if (once)
		return run_once(d);

	/* Bind the port before detaching, so that a conflict fails the start. */
	if (d->cfg.listen[0]) {
		ret = http_open(&d->http, d->cfg.listen, http_body, d, err,
				sizeof(err));
		if (ret) {
			fprintf(stderr, "memownerd: %s\n", err);
			return ret == -EINVAL ? 2 : 1;	/* malformed, or in use */
		}
		d->http_on = 1;
	}
	if (!fg && daemon(0, d->log_stderr)) {
		fprintf(stderr, "memownerd: daemon: %s\n", strerror(errno));
		return 1;
	}
	log_to_stderr = d->log_stderr;
	openlog("memownerd", LOG_PID | LOG_NDELAY, LOG_DAEMON);

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sfd < 0) {
		dlog(LOG_ERR, "signalfd: %s", strerror(errno));
		return 1;
	}
	if (ctrl_open(d))
		dlog(LOG_WARNING, "no generic-netlink controller notifications: a module reload is noticed at the next refresh only");
	d->ntf_cb = notify_cb(ntf_cb, d);
	if (!d->ntf_cb) {
		dlog(LOG_ERR, "out of memory");
		return 1;
	}
	d->cnt.rules_configured = d->cfg.nr_rules;
	dlog(LOG_INFO, "starting: %u rules, metrics every %" PRIu64 " ms%s%s%s%s",
	     d->cfg.nr_rules, d->cfg.interval_ms,
	     d->cfg.listen[0] ? " on http://" : "", d->cfg.listen,
	     d->cfg.textfile[0] ? " and in " : "", d->cfg.textfile);

	ret = run(d);

	rules_remove(d);
	dlog(LOG_INFO, "stopping");
	if (d->http_on)
		http_close(&d->http);
	mo_genl_close(&d->ntf);
	mo_genl_close(&d->req);
	if (d->ctrl)
		nl_socket_free(d->ctrl);
	if (d->ctrl_cb)
		nl_cb_put(d->ctrl_cb);
	nl_cb_put(d->ntf_cb);
	dm_data_free(&d->data);
	sb_free(&d->text);
	close(d->sfd);
	closelog();
	return ret;
}
