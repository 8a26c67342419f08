// SPDX-License-Identifier: GPL-2.0
/*
 * libmemowner: alert rules, alerts and events in human terms (see
 * mo_alerts.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mo_alerts.h"

#define MO_INTERVAL_MAX_MS	3600000	/* the kernel's limit of min_interval_ms */

static int mo_rule_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int mo_parse_count(const char *s, uint64_t *v)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

/* A value in @metric's unit: a size, a page count or a rate. */
static int mo_parse_metric_value(uint32_t metric, const char *s, uint64_t *v)
{
	switch (metric) {
	case MEMOWNER_METRIC_LIVE_BYTES:
		return mo_parse_bytes(s, v);
	case MEMOWNER_METRIC_LIVE_PAGES:
		return mo_parse_count(s, v);
	default:
		return mo_parse_rate(s, v);
	}
}

static const char *const mo_metric_example[] = {
	[MEMOWNER_METRIC_LIVE_BYTES] = "e.g. 512M, 1.5G, 4096",
	[MEMOWNER_METRIC_LIVE_PAGES] = "a number of pages",
	[MEMOWNER_METRIC_GROWTH_RATE] = "e.g. 10M/s",
};

enum {
	MO_OPT_STACK, MO_OPT_CACHE, MO_OPT_MODULE, MO_OPT_TGID, MO_OPT_GLOBAL,
	MO_OPT_BYTES, MO_OPT_PAGES, MO_OPT_RATE,
	MO_OPT_WINDOW, MO_OPT_LOW, MO_OPT_INTERVAL,
	MO_OPT_NR
};

static const struct {
	const char *name;
	int has_arg;
} mo_rule_opts[MO_OPT_NR] = {
	[MO_OPT_STACK] = { "stack", 1 },
	[MO_OPT_CACHE] = { "cache", 1 },
	[MO_OPT_MODULE] = { "module", 1 },
	[MO_OPT_TGID] = { "tgid", 1 },
	[MO_OPT_GLOBAL] = { "global", 0 },
	[MO_OPT_BYTES] = { "bytes", 1 },
	[MO_OPT_PAGES] = { "pages", 1 },
	[MO_OPT_RATE] = { "rate", 1 },
	[MO_OPT_WINDOW] = { "window", 1 },
	[MO_OPT_LOW] = { "low", 1 },
	[MO_OPT_INTERVAL] = { "interval", 1 },
};

/* Option index -> owner kind / metric. */
static const uint32_t mo_opt_kind[] = {
	[MO_OPT_STACK] = MEMOWNER_OWNER_STACK,
	[MO_OPT_CACHE] = MEMOWNER_OWNER_CACHE,
	[MO_OPT_MODULE] = MEMOWNER_OWNER_MODULE,
	[MO_OPT_TGID] = MEMOWNER_OWNER_TGID,
	[MO_OPT_GLOBAL] = MEMOWNER_OWNER_GLOBAL,
	[MO_OPT_BYTES] = MEMOWNER_METRIC_LIVE_BYTES,
	[MO_OPT_PAGES] = MEMOWNER_METRIC_LIVE_PAGES,
	[MO_OPT_RATE] = MEMOWNER_METRIC_GROWTH_RATE,
};

int mo_rule_parse(int argc, char *const argv[], struct mo_rule_spec *r,
		  char *err, size_t errlen)
{
	const char *val[MO_OPT_NR] = { NULL };
	int owner = -1, metric = -1, i, k;
	struct memowner_threshold *t = &r->t;
	uint64_t v;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < argc; i++) {
		const char *arg = argv[i], *name, *eq, *value = NULL;
		size_t nlen;

		if (strncmp(arg, "--", 2) || !arg[2])
			return mo_rule_err(err, errlen, "unexpected argument '%s'",
					   arg);
		name = arg + 2;
		eq = strchr(name, '=');
		nlen = eq ? (size_t)(eq - name) : strlen(name);
		for (k = 0; k < MO_OPT_NR; k++)
			if (strlen(mo_rule_opts[k].name) == nlen &&
			    !strncmp(mo_rule_opts[k].name, name, nlen))
				break;
		if (k == MO_OPT_NR)
			return mo_rule_err(err, errlen, "unknown option '%s'", arg);
		if (mo_rule_opts[k].has_arg) {
			if (eq)
				value = eq + 1;
			else if (i + 1 < argc)
				value = argv[++i];
			else
				return mo_rule_err(err, errlen,
						   "option --%s needs a value",
						   mo_rule_opts[k].name);
		} else if (eq) {
			return mo_rule_err(err, errlen, "option --%s takes no value",
					   mo_rule_opts[k].name);
		}
		if (k <= MO_OPT_GLOBAL) {
			if (owner >= 0)
				return mo_rule_err(err, errlen,
						   "one owner per rule: --%s and --%s",
						   mo_rule_opts[owner].name,
						   mo_rule_opts[k].name);
			owner = k;
		} else if (k <= MO_OPT_RATE) {
			if (metric >= 0)
				return mo_rule_err(err, errlen,
						   "one metric per rule: --%s and --%s",
						   mo_rule_opts[metric].name,
						   mo_rule_opts[k].name);
			metric = k;
		} else if (val[k]) {
			return mo_rule_err(err, errlen, "--%s given twice",
					   mo_rule_opts[k].name);
		}
		val[k] = value ? value : "";
	}
	if (owner < 0)
		return mo_rule_err(err, errlen,
				   "no owner: give --stack, --cache, --module, --tgid or --global");
	if (metric < 0)
		return mo_rule_err(err, errlen,
				   "no metric: give --bytes, --pages or --rate");

	t->owner_kind = mo_opt_kind[owner];
	switch (owner) {
	case MO_OPT_STACK:
	case MO_OPT_TGID:
		if (mo_parse_count(val[owner], &v) || !v || v > UINT32_MAX)
			return mo_rule_err(err, errlen, "bad %s '%s' for --%s",
					   owner == MO_OPT_STACK ? "stack handle" : "pid",
					   val[owner], mo_rule_opts[owner].name);
		t->owner_id = v;
		break;
	case MO_OPT_CACHE:
	case MO_OPT_MODULE:
		if (!val[owner][0] || strlen(val[owner]) >= MEMOWNER_NAME_LEN)
			return mo_rule_err(err, errlen,
					   "bad name '%s' for --%s (1..%d characters)",
					   val[owner], mo_rule_opts[owner].name,
					   MEMOWNER_NAME_LEN - 1);
		snprintf(r->name, sizeof(r->name), "%s", val[owner]);
		/*
		 * A cache rule names the cache the kernel reports: any alias
		 * of a merged cache is the cache (mo_slab.c).
		 */
		if (owner == MO_OPT_CACHE)
			mo_slab_cache_name(val[owner], r->name, sizeof(r->name));
		break;
	}

	t->metric = mo_opt_kind[metric];
	if (mo_parse_metric_value(t->metric, val[metric], &v))
		return mo_rule_err(err, errlen, "bad value '%s' for --%s (%s)",
				   val[metric], mo_rule_opts[metric].name,
				   mo_metric_example[t->metric]);
	t->high = v;
	if (!t->high)
		return mo_rule_err(err, errlen, "--%s must be above 0",
				   mo_rule_opts[metric].name);

	if (val[MO_OPT_LOW]) {
		const char *s = val[MO_OPT_LOW];
		size_t n = strlen(s);

		/* "--low 80%": a share of the high mark. */
		if (n > 1 && s[n - 1] == '%') {
			char pct[16];

			snprintf(pct, sizeof(pct), "%.*s", (int)(n - 1), s);
			if (n - 1 >= sizeof(pct) || mo_parse_count(pct, &v) ||
			    v >= 100)
				return mo_rule_err(err, errlen,
						   "bad --low '%s' (0%%..99%% of the high mark)",
						   s);
			t->low = (uint64_t)((double)t->high * (double)v / 100);
		} else if (mo_parse_metric_value(t->metric, s, &v)) {
			return mo_rule_err(err, errlen,
					   "bad value '%s' for --low (%s, or a percentage)",
					   s, mo_metric_example[t->metric]);
		} else {
			t->low = v;
		}
		if (t->low >= t->high)
			return mo_rule_err(err, errlen,
					   "--low %s must be below the high mark %s",
					   s, val[metric]);
	} else {
		/* Re-arm once the value fell by a tenth: 90% of high. */
		t->low = t->high - (t->high / 10 + (t->high % 10 != 0));
	}

	if (val[MO_OPT_WINDOW] && t->metric != MEMOWNER_METRIC_GROWTH_RATE)
		return mo_rule_err(err, errlen, "--window is only for --rate rules");
	if (t->metric == MEMOWNER_METRIC_GROWTH_RATE) {
		v = MO_RULE_WINDOW_DEFAULT_MS;
		if (val[MO_OPT_WINDOW] &&
		    (mo_parse_duration_ms(val[MO_OPT_WINDOW], &v) ||
		     v < MEMOWNER_WINDOW_MS_MIN || v > MEMOWNER_WINDOW_MS_MAX))
			return mo_rule_err(err, errlen,
					   "bad --window '%s' (100ms..1h, e.g. 10s)",
					   val[MO_OPT_WINDOW]);
		t->window_ms = v;
	}
	if (val[MO_OPT_INTERVAL]) {
		if (mo_parse_duration_ms(val[MO_OPT_INTERVAL], &v) ||
		    v > MO_INTERVAL_MAX_MS)
			return mo_rule_err(err, errlen,
					   "bad --interval '%s' (0..1h, e.g. 30s)",
					   val[MO_OPT_INTERVAL]);
		t->min_interval_ms = v;
	}
	return 0;
}

int mo_rule_add(int fd, const struct mo_rule_spec *r, uint32_t *id)
{
	struct memowner_threshold t = r->t;

	t.id = 0;
	return mo_threshold_add(fd, &t, r->name[0] ? r->name : NULL, id);
}

void mo_rule_state(const struct mo_rule_spec *r,
		   struct memowner_threshold_state *s)
{
	memset(s, 0, sizeof(*s));
	s->owner_kind = r->t.owner_kind;
	s->owner_id = r->t.owner_id;
	s->metric = r->t.metric;
	s->window_ms = r->t.window_ms;
	s->high = r->t.high;
	s->low = r->t.low;
	s->min_interval_ms = r->t.min_interval_ms;
	s->armed = 1;
	memcpy(s->name, r->name, sizeof(s->name));
}

bool mo_rule_matches(const struct mo_rule_spec *r,
		     const struct memowner_threshold_state *s)
{
	return s->owner_kind == r->t.owner_kind &&
	       s->owner_id == r->t.owner_id &&
	       !strncmp((const char *)s->name, r->name, sizeof(r->name)) &&
	       s->metric == r->t.metric && s->window_ms == r->t.window_ms &&
	       s->high == r->t.high && s->low == r->t.low &&
	       s->min_interval_ms == r->t.min_interval_ms;
}

const char *mo_fmt_bytes_exact(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	int i = -1;

	while (bytes && !(bytes & 1023) && i < 5) {
		bytes >>= 10;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%" PRIu64, bytes);
	else
		snprintf(buf, len, "%" PRIu64 "%c", bytes, units[i]);
	return buf;
}

static const char *mo_fmt_ms(uint64_t ms, char *buf, size_t len)
{
	if (ms && !(ms % 3600000))
		snprintf(buf, len, "%" PRIu64 "h", ms / 3600000);
	else if (ms && !(ms % 60000))
		snprintf(buf, len, "%" PRIu64 "m", ms / 60000);
	else if (ms && !(ms % 1000))
		snprintf(buf, len, "%" PRIu64 "s", ms / 1000);
	else
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	return buf;
}

static const char *mo_fmt_metric_exact(uint32_t metric, uint64_t v, char *buf,
				       size_t len)
{
	char b[32];

	if (metric == MEMOWNER_METRIC_LIVE_PAGES)
		snprintf(buf, len, "%" PRIu64, v);
	else
		snprintf(buf, len, "%s%s", mo_fmt_bytes_exact(v, b, sizeof(b)),
			 metric == MEMOWNER_METRIC_GROWTH_RATE ? "/s" : "");
	return buf;
}

const char *mo_rule_str(const struct memowner_threshold_state *s, char *buf,
			size_t len)
{
	static const char *const metric_opt[] = {
		[MEMOWNER_METRIC_LIVE_BYTES] = "bytes",
		[MEMOWNER_METRIC_LIVE_PAGES] = "pages",
		[MEMOWNER_METRIC_GROWTH_RATE] = "rate",
	};
	char owner[MEMOWNER_NAME_LEN + 32], high[32], low[32], w[32], iv[32];

	switch (s->owner_kind) {
	case MEMOWNER_OWNER_GLOBAL:
		snprintf(owner, sizeof(owner), "--global");
		break;
	case MEMOWNER_OWNER_CACHE:
	case MEMOWNER_OWNER_MODULE:
		snprintf(owner, sizeof(owner), "--%s %.*s",
			 mo_owner_kind_name(s->owner_kind), MEMOWNER_NAME_LEN,
			 (const char *)s->name);
		break;
	default:
		snprintf(owner, sizeof(owner), "--%s %" PRIu64,
			 mo_owner_kind_name(s->owner_kind),
			 (uint64_t)s->owner_id);
	}
	mo_fmt_metric_exact(s->metric, s->high, high, sizeof(high));
	mo_fmt_metric_exact(s->metric, s->low, low, sizeof(low));
	w[0] = iv[0] = '\0';
	if (s->metric == MEMOWNER_METRIC_GROWTH_RATE) {
		char d[32];

		snprintf(w, sizeof(w), " --window %s",
			 mo_fmt_ms(s->window_ms, d, sizeof(d)));
	}
	if (s->min_interval_ms) {
		char d[32];

		snprintf(iv, sizeof(iv), " --interval %s",
			 mo_fmt_ms(s->min_interval_ms, d, sizeof(d)));
	}
	snprintf(buf, len, "%s --%s %s%s --low %s%s", owner,
		 s->metric <= MEMOWNER_METRIC_MAX ? metric_opt[s->metric] : "?",
		 high, w, low, iv);
	return buf;
}

const char *mo_owner_id_str(uint32_t kind, uint64_t id, const char *name,
			    char *buf, size_t len)
{
	switch (kind) {
	case MEMOWNER_OWNER_CACHE:
	case MEMOWNER_OWNER_MODULE:
		snprintf(buf, len, "%s", name);
		break;
	case MEMOWNER_OWNER_GLOBAL:
		snprintf(buf, len, "global");
		break;
	default:
		snprintf(buf, len, "%" PRIu64, id);
	}
	return buf;
}

/* The command name of a live process, or "" (it may be gone already). */
static void mo_comm(uint64_t pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	comm[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%" PRIu64 "/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(comm, (int)len, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

const char *mo_owner_str(uint32_t kind, uint64_t id, const char *name,
			 char *buf, size_t len)
{
	char comm[32];

	switch (kind) {
	case MEMOWNER_OWNER_GLOBAL:
		snprintf(buf, len, "global");
		break;
	case MEMOWNER_OWNER_CACHE:
	case MEMOWNER_OWNER_MODULE:
		snprintf(buf, len, "%s %s", mo_owner_kind_name(kind), name);
		break;
	case MEMOWNER_OWNER_TGID:
		mo_comm(id, comm, sizeof(comm));
		if (comm[0]) {
			snprintf(buf, len, "tgid %" PRIu64 " (%s)", id, comm);
			break;
		}
		/* fall through */
	default:
		snprintf(buf, len, "%s %" PRIu64, mo_owner_kind_name(kind), id);
	}
	return buf;
}

const char *mo_metric_value_str(uint32_t metric, uint64_t v, char *buf,
				size_t len)
{
	char b[32];

	switch (metric) {
	case MEMOWNER_METRIC_LIVE_PAGES:
		snprintf(buf, len, "%" PRIu64 " pages", v);
		break;
	case MEMOWNER_METRIC_GROWTH_RATE:
		snprintf(buf, len, "%s/s", mo_fmt_bytes(v, b, sizeof(b)));
		break;
	default:
		mo_fmt_bytes(v, buf, len);
	}
	return buf;
}

const char *mo_leaf(const struct mo_frames *f)
{
	return f && f->nr ? f->frame[0] : NULL;
}

void mo_frame_split(const char *frame, char *fn, size_t fnlen, char *mod,
		    size_t modlen)
{
	const char *b = strchr(frame, '['), *e;
	size_t n = strcspn(frame, "+ ");

	snprintf(fn, fnlen, "%.*s", (int)n, frame);
	if (b && (e = strchr(b, ']')))
		snprintf(mod, modlen, "%.*s", (int)(e - b - 1), b + 1);
	else
		snprintf(mod, modlen, "%s", strcmp(frame, "?") ? "vmlinux" : "?");
}

const char *mo_alert_str(const struct mo_alert *a, char *buf, size_t len)
{
	char owner[MEMOWNER_NAME_LEN + 48], val[48], thr[48];
	const char *leaf = mo_leaf(&a->frames);

	mo_owner_str(a->owner_kind, a->owner_id, a->owner_name, owner,
		     sizeof(owner));
	mo_metric_value_str(a->metric, a->value, val, sizeof(val));
	mo_metric_value_str(a->metric, a->threshold, thr, sizeof(thr));
	snprintf(buf, len, "alert rule %u: %s %s %s (%" PRIu64 ") reached %s (%"
		 PRIu64 ")%s%s", a->rule, owner, mo_metric_name(a->metric), val,
		 a->value, thr, a->threshold, leaf ? " at " : "",
		 leaf ? leaf : "");
	return buf;
}

const char *mo_event_str(const struct mo_event *e, char *buf, size_t len)
{
	const char *leaf = mo_leaf(&e->frames);
	size_t off;
	unsigned int i;
	char b[32];

	switch (e->type) {
	case MEMOWNER_EVENT_OOM:
		off = snprintf(buf, len, "oom: killed pid %u (%s) rss %" PRIu64
			       "kB; top owners:", e->pid, e->comm, e->rss_kb);
		for (i = 0; i < e->nr_top && i < 5 && off < len; i++) {
			char fn[128], mod[MEMOWNER_NAME_LEN];
			const char *f = mo_leaf(&e->top[i].frames);

			mo_frame_split(f ? f : "?", fn, sizeof(fn), mod,
				       sizeof(mod));
			off += snprintf(buf + off, len - off, "%s %s [%s] %s",
					i ? "," : "", fn, mod,
					mo_fmt_bytes(e->top[i].live_bytes, b,
						     sizeof(b)));
		}
		if (!e->nr_top && off < len)
			snprintf(buf + off, len - off, " none tracked");
		else if (e->nr_top > 5 && off < len)
			snprintf(buf + off, len - off, ", +%u more", e->nr_top - 5);
		break;
	case MEMOWNER_EVENT_RECLAIM_STALL:
		snprintf(buf, len, "reclaim_stall: pid %u (%s) stalled %.1fms in direct reclaim, order %u gfp %#x%s%s",
			 e->pid, e->comm, (double)e->latency_ns / 1e6, e->order,
			 e->gfp, leaf ? " at " : "", leaf ? leaf : "");
		break;
	case MEMOWNER_EVENT_EXTFRAG:
		snprintf(buf, len, "extfrag: %" PRIu64 " fragmenting fallbacks/s, order %u gfp %#x, pid %u (%s)%s%s",
			 e->rate, e->order, e->gfp, e->pid, e->comm,
			 leaf ? " at " : "", leaf ? leaf : "");
		break;
	default:
		snprintf(buf, len, "event %u: pid %u (%s)", e->type, e->pid,
			 e->comm);
	}
	return buf;
}

static void mo_frames_json(struct mo_json *j, const char *key,
			   const struct mo_frames *f)
{
	unsigned int i;

	mo_json_arr_begin(j, key);
	for (i = 0; i < f->nr; i++)
		mo_json_str(j, NULL, f->frame[i]);
	mo_json_arr_end(j);
}

static void mo_time_json(struct mo_json *j, uint64_t ts_ns)
{
	struct timespec ts;
	char buf[64];

	mo_boottime_to_real(ts_ns, &ts);
	mo_json_str(j, "time", mo_fmt_time_iso(&ts, buf, sizeof(buf)));
	mo_json_u64(j, "ts_ns", ts_ns);
}

void mo_alert_json(struct mo_json *j, const struct mo_alert *a)
{
	char owner[MEMOWNER_NAME_LEN + 32];
	const char *leaf = mo_leaf(&a->frames);

	mo_json_str(j, "type", "alert");
	mo_time_json(j, a->ts_ns);
	mo_json_u64(j, "rule", a->rule);
	mo_json_str(j, "owner_kind", mo_owner_kind_name(a->owner_kind));
	mo_json_str(j, "owner", mo_owner_id_str(a->owner_kind, a->owner_id,
						a->owner_name, owner,
						sizeof(owner)));
	mo_json_str(j, "metric", mo_metric_name(a->metric));
	mo_json_u64(j, "value", a->value);
	mo_json_u64(j, "threshold", a->threshold);
	mo_json_u64(j, "stack", a->stack);
	mo_json_str(j, "leaf", leaf);
	mo_frames_json(j, "frames", &a->frames);
}

void mo_event_json(struct mo_json *j, const struct mo_event *e)
{
	unsigned int i;

	mo_json_str(j, "type", "event");
	mo_time_json(j, e->ts_ns);
	mo_json_str(j, "event", mo_event_name(e->type));
	mo_json_u64(j, "pid", e->pid);
	mo_json_u64(j, "tgid", e->tgid);
	mo_json_str(j, "comm", e->comm);
	switch (e->type) {
	case MEMOWNER_EVENT_OOM:
		mo_json_u64(j, "rss_kb", e->rss_kb);
		mo_json_arr_begin(j, "top");
		for (i = 0; i < e->nr_top; i++) {
			const struct mo_stack_rec *s = &e->top[i];

			mo_json_obj_begin(j, NULL);
			mo_json_u64(j, "stack", s->id);
			mo_json_str(j, "source", mo_source_name(s->source));
			mo_json_u64(j, "live_bytes", s->live_bytes);
			mo_json_u64(j, "live_pages", s->live_pages);
			mo_json_u64(j, "live_objects", s->live_objects);
			mo_json_str(j, "leaf", mo_leaf(&s->frames));
			mo_frames_json(j, "frames", &s->frames);
			mo_json_obj_end(j);
		}
		mo_json_arr_end(j);
		break;
	case MEMOWNER_EVENT_RECLAIM_STALL:
		mo_json_u64(j, "latency_ns", e->latency_ns);
		/* fall through */
	default:
		mo_json_u64(j, "order", e->order);
		mo_json_u64(j, "gfp", e->gfp);
		mo_json_u64(j, "rate", e->rate);
		mo_json_u64(j, "stack", e->stack);
		mo_json_str(j, "leaf", mo_leaf(&e->frames));
		/* The kernel puts the allocating caller first. */
		mo_json_str(j, "caller", mo_leaf(&e->frames));
		mo_frames_json(j, "frames", &e->frames);
	}
}

void mo_boottime_to_real(uint64_t ts_ns, struct timespec *out)
{
	struct timespec boot, real;
	int64_t ago, ns;

	clock_gettime(CLOCK_REALTIME, &real);
	if (!ts_ns) {
		*out = real;
		return;
	}
	clock_gettime(CLOCK_BOOTTIME, &boot);
	ago = ((int64_t)boot.tv_sec * 1000000000 + boot.tv_nsec) - (int64_t)ts_ns;
	if (ago < 0)
		ago = 0;
	ns = (int64_t)real.tv_sec * 1000000000 + real.tv_nsec - ago;
	out->tv_sec = ns / 1000000000;
	out->tv_nsec = ns % 1000000000;
}

const char *mo_fmt_time_iso(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;
	char s[32];

	gmtime_r(&ts->tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03ldZ", s, ts->tv_nsec / 1000000);
	return buf;
}

int mo_split_words(char *line, char **words, int max)
{
	char *r = line, *w = line;
	int n = 0;

	for (;;) {
		char quote = 0;

		while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
			r++;
		if (!*r)
			return n;
		if (n == max)
			return -E2BIG;
		words[n++] = w;
		for (; *r; r++) {
			if (quote) {
				if (*r == quote)
					quote = 0;
				else if (*r == '\\' && quote == '"' && r[1])
					*w++ = *++r;
				else
					*w++ = *r;
			} else if (*r == '\'' || *r == '"') {
				quote = *r;
			} else if (*r == '\\' && r[1]) {
				*w++ = *++r;
			} else if (*r == ' ' || *r == '\t' || *r == '\n' ||
				   *r == '\r') {
				break;
			} else {
				*w++ = *r;
			}
		}
		if (quote)
			return -EINVAL;
		/* The separator is consumed before the terminator is written. */
		if (*r)
			r++;
		*w++ = '\0';
	}
}
