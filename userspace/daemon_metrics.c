// SPDX-License-Identifier: GPL-2.0
/*
 * memownerd: Prometheus metrics of memowner.ko.
 *
 * Cardinality stays bounded whatever the machine does: owners are named by
 * the function of their leaf frame (not by stack handle or address), only
 * the top N functions, modules and caches get a series of their own, and
 * the rest is summed into one "(other)" series, so that the series of a
 * family still add up to the total.
 *
 * The text follows the exposition format 0.0.4 (HELP and TYPE lines,
 * escaped label values, counters ending in _total).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "memownerd.h"
#include "mo_alerts.h"

#define DM_OTHER	"(other)"

/* Room for @need more bytes. */
static int sb_grow(struct strbuf *b, size_t need)
{
	size_t cap = b->cap ? b->cap * 2 : 8192;
	char *s;

	while (cap - b->len < need)
		cap *= 2;
	s = realloc(b->s, cap);
	if (!s)
		return -ENOMEM;
	b->s = s;
	b->cap = cap;
	return 0;
}

void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < room) {
			b->len += n;
			return;
		}
		/* On ENOMEM the text is cut short: better than no metrics. */
		if (sb_grow(b, n + 1))
			return;
	}
}

void sb_append(struct strbuf *b, const char *data, size_t len)
{
	if (b->cap - b->len <= len && sb_grow(b, len + 1))
		return;
	memcpy(b->s + b->len, data, len);
	b->len += len;
	b->s[b->len] = '\0';
}

void sb_reset(struct strbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void sb_free(struct strbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- collection ------------------------------------------------------- */

void dm_data_free(struct dm_data *d)
{
	free(d->owners);
	free(d->modules);
	free(d->caches);
	free(d->rules);
	memset(d, 0, sizeof(*d));
}

static int cmp_owner_bytes(const void *a, const void *b)
{
	const struct dm_owner *x = a, *y = b;

	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

/*
 * The top call sites, summed by the function of their leaf frame: a
 * function with several call sites is one owner.  4N call sites are read
 * so that N functions are very likely complete.
 */
static int dm_collect_owners(int fd, unsigned int top_n, struct dm_data *d)
{
	struct mo_query q = {
		.group = MEMOWNER_GROUP_CALLSITE,
		.sort = MEMOWNER_SORT_LIVE_BYTES,
	};
	struct memowner_row *rows;
	struct dm_owner *o;
	size_t nr, i, k, n = 0;
	int ret;

	ret = mo_snapshot(fd, &q, (size_t)top_n * 4, &rows, &nr, NULL);
	if (ret)
		return ret;
	o = calloc(nr + 1, sizeof(*o));
	if (!o) {
		free(rows);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		char fn[sizeof(o->name)], mod[MEMOWNER_NAME_LEN];
		struct mo_frames f;

		if (!rows[i].live_bytes)
			continue;
		if (mo_stack_get(fd, rows[i].stack, &f) || !f.nr) {
			snprintf(fn, sizeof(fn), "?");
			snprintf(mod, sizeof(mod), "?");
		} else {
			mo_frame_split(f.frame[0], fn, sizeof(fn), mod, sizeof(mod));
		}
		mo_frames_free(&f);
		for (k = 0; k < n; k++)
			if (!strcmp(o[k].name, fn) && !strcmp(o[k].module, mod))
				break;
		if (k == n) {
			snprintf(o[n].name, sizeof(o[n].name), "%s", fn);
			snprintf(o[n].module, sizeof(o[n].module), "%s", mod);
			n++;
		}
		o[k].bytes += rows[i].live_bytes;
		o[k].objects += rows[i].live_objects;
	}
	free(rows);
	qsort(o, n, sizeof(*o), cmp_owner_bytes);
	d->owners = o;
	d->nr_owners = n < top_n ? n : top_n;
	return 0;
}

/* The top N rows of a grouping that names its rows (module, cache). */
static int dm_collect_named(int fd, uint32_t group, unsigned int top_n,
			    struct dm_owner **out, size_t *nr_out)
{
	struct mo_query q = { .group = group, .sort = MEMOWNER_SORT_LIVE_BYTES };
	struct memowner_row *rows;
	struct dm_owner *o;
	size_t nr, i, n = 0;
	int ret;

	ret = mo_snapshot(fd, &q, top_n, &rows, &nr, NULL);
	if (ret)
		return ret;
	o = calloc(nr + 1, sizeof(*o));
	if (!o) {
		free(rows);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		if (!rows[i].live_bytes && !rows[i].live_objects)
			continue;
		snprintf(o[n].name, sizeof(o[n].name), "%.*s",
			 MEMOWNER_NAME_LEN, (const char *)rows[i].name);
		o[n].bytes = rows[i].live_bytes;
		o[n].objects = rows[i].live_objects;
		n++;
	}
	free(rows);
	*out = o;
	*nr_out = n;
	return 0;
}

/* Totals per source: the module grouping of each source, summed. */
static int dm_collect_totals(int fd, struct dm_data *d)
{
	struct memowner_row *rows;
	uint32_t s;
	size_t nr, i;
	int ret;

	for (s = 0; s <= MEMOWNER_SRC_MAX; s++) {
		struct mo_query q = {
			.group = MEMOWNER_GROUP_MODULE,
			.sort = MEMOWNER_SORT_LIVE_BYTES,
			.sources = 1U << s,
		};

		ret = mo_snapshot(fd, &q, 0, &rows, &nr, NULL);
		if (ret)
			return ret;
		for (i = 0; i < nr; i++) {
			d->src_bytes[s] += rows[i].live_bytes;
			d->src_pages[s] += rows[i].live_pages;
			d->src_objects[s] += rows[i].live_objects;
			/* Only pages back anything. */
			if (s == MEMOWNER_SRC_PAGE)
				d->backing_bytes += rows[i].backing_bytes;
		}
		free(rows);
	}
	return 0;
}

int dm_collect(int fd, unsigned int top_n, struct dm_data *d)
{
	struct timespec t0, t1, wall;
	int ret;

	dm_data_free(d);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_REALTIME, &wall);
	ret = mo_dev_get_info(fd, &d->info);
	if (!ret)
		ret = dm_collect_totals(fd, d);
	if (!ret)
		ret = dm_collect_owners(fd, top_n, d);
	if (!ret)
		ret = dm_collect_named(fd, MEMOWNER_GROUP_MODULE, top_n,
				       &d->modules, &d->nr_modules);
	if (!ret)
		ret = dm_collect_named(fd, MEMOWNER_GROUP_CACHE, top_n,
				       &d->caches, &d->nr_caches);
	if (!ret)
		ret = mo_threshold_list(fd, &d->rules, &d->nr_rules);
	if (ret) {
		dm_data_free(d);
		return ret;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	d->duration_s = (double)(t1.tv_sec - t0.tv_sec) +
			(double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	d->when = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9;
	d->valid = 1;
	return 0;
}

/* ---- exposition ------------------------------------------------------- */

/* A label value: backslash, double quote and newline escaped. */
static const char *esc(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s && o + 3 < len; s++) {
		if (*s == '\\' || *s == '"') {
			buf[o++] = '\\';
			buf[o++] = *s;
		} else if (*s == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else {
			buf[o++] = *s;
		}
	}
	buf[o] = '\0';
	return buf;
}

static void family(struct strbuf *b, const char *name, const char *type,
		   const char *help)
{
	/* HELP text escapes backslash and newline; ours has neither. */
	sb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void owners(struct strbuf *b, const char *name, const char *help,
		   const char *label, const char *label2,
		   const struct dm_owner *o, size_t nr, int objects,
		   uint64_t total)
{
	char e1[sizeof(o->name) * 2 + 4], e2[MEMOWNER_NAME_LEN * 2 + 4];
	uint64_t sum = 0, v;
	size_t i;

	family(b, name, "gauge", help);
	for (i = 0; i < nr; i++) {
		v = objects ? o[i].objects : o[i].bytes;
		sum += v;
		if (label2)
			sb_printf(b, "%s{%s=\"%s\",%s=\"%s\"} %" PRIu64 "\n", name,
				  label, esc(o[i].name, e1, sizeof(e1)), label2,
				  esc(o[i].module, e2, sizeof(e2)), v);
		else
			sb_printf(b, "%s{%s=\"%s\"} %" PRIu64 "\n", name, label,
				  esc(o[i].name, e1, sizeof(e1)), v);
	}
	/* The rest, so that the family sums to the total. */
	if (total > sum) {
		if (label2)
			sb_printf(b, "%s{%s=\"" DM_OTHER "\",%s=\"" DM_OTHER "\"} %"
				  PRIu64 "\n", name, label, label2, total - sum);
		else
			sb_printf(b, "%s{%s=\"" DM_OTHER "\"} %" PRIu64 "\n", name,
				  label, total - sum);
	}
}

static void rules(struct strbuf *b, const struct dm_data *d)
{
	static const struct {
		const char *name, *type, *help;
	} fam[] = {
		{ "memowner_rule_value", "gauge",
		  "Value of an alert rule's metric at the kernel's last check (bytes, pages, or bytes per second)." },
		{ "memowner_rule_high", "gauge", "High mark of an alert rule." },
		{ "memowner_rule_low", "gauge", "Re-arm (low) mark of an alert rule." },
		{ "memowner_rule_armed", "gauge",
		  "1 while an alert rule may fire, 0 after it fired until its value falls to the low mark." },
		{ "memowner_rule_alerts_total", "counter", "Alerts an alert rule sent." },
	};
	char owner[MEMOWNER_NAME_LEN + 32], eo[2 * sizeof(owner) + 4];
	size_t f, i;

	for (f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		family(b, fam[f].name, fam[f].type, fam[f].help);
		for (i = 0; i < d->nr_rules; i++) {
			const struct memowner_threshold_state *s = &d->rules[i];
			uint64_t v[] = { s->value, s->high, s->low, s->armed,
					 s->nr_alerts };

			mo_owner_id_str(s->owner_kind, s->owner_id,
					(const char *)s->name, owner, sizeof(owner));
			sb_printf(b, "%s{rule=\"%u\",owner_kind=\"%s\",owner=\"%s\",metric=\"%s\"} %"
				  PRIu64 "\n", fam[f].name, s->id,
				  mo_owner_kind_name(s->owner_kind),
				  esc(owner, eo, sizeof(eo)),
				  mo_metric_name(s->metric), v[f]);
		}
	}
}

static void kernel_metrics(struct strbuf *b, const struct dm_data *d,
			   const struct dm_counters *c)
{
	const struct memowner_info *in = &d->info;
	uint64_t bytes = 0, objects = 0;
	char srcs[64], ev[64];
	uint32_t s;

	family(b, "memowner_build_info", "gauge",
	       "Version of the loaded memowner.ko, as labels; always 1.");
	sb_printf(b, "memowner_build_info{version=\"%s\",abi_version=\"%u\"} 1\n",
		  esc(c->version, ev, sizeof(ev)), in->abi_version);
	family(b, "memowner_tracking_info", "gauge",
	       "Tracking configuration, as labels; always 1.");
	sb_printf(b, "memowner_tracking_info{mode=\"%s\",sources=\"%s\",depth=\"%u\",enabled=\"%u\"} 1\n",
		  mo_mode_name(in->mode),
		  mo_sources_str(in->sources, srcs, sizeof(srcs)), in->depth,
		  in->enabled);
	family(b, "memowner_live_bytes", "gauge",
	       "Bytes allocated and not yet freed, by allocation source; each byte once (pages holding slab objects, vmalloc areas or per-CPU chunks are memowner_backing_bytes).");
	for (s = 0; s <= MEMOWNER_SRC_MAX; s++)
		sb_printf(b, "memowner_live_bytes{source=\"%s\"} %" PRIu64 "\n",
			  mo_source_name(s), d->src_bytes[s]);
	family(b, "memowner_backing_bytes", "gauge",
	       "Bytes of pages the slab, vmalloc and per-CPU allocators hold objects in (counted in memowner_live_bytes as those objects).");
	sb_printf(b, "memowner_backing_bytes %" PRIu64 "\n", d->backing_bytes);
	family(b, "memowner_live_pages", "gauge",
	       "Base pages of the live allocations of the page allocator and vmalloc, by source.");
	for (s = 0; s <= MEMOWNER_SRC_MAX; s++)
		sb_printf(b, "memowner_live_pages{source=\"%s\"} %" PRIu64 "\n",
			  mo_source_name(s), d->src_pages[s]);
	family(b, "memowner_live_objects", "gauge",
	       "Allocations not yet freed, by allocation source.");
	for (s = 0; s <= MEMOWNER_SRC_MAX; s++)
		sb_printf(b, "memowner_live_objects{source=\"%s\"} %" PRIu64 "\n",
			  mo_source_name(s), d->src_objects[s]);
	for (s = 0; s <= MEMOWNER_SRC_MAX; s++) {
		bytes += d->src_bytes[s];
		objects += d->src_objects[s];
	}

	owners(b, "memowner_owner_live_bytes",
	       "Live bytes of the top owners, by the function of the allocation's leaf frame and its module; the rest is function=\"(other)\".",
	       "function", "module", d->owners, d->nr_owners, 0, bytes);
	owners(b, "memowner_owner_live_objects",
	       "Live allocations of the top owners (see memowner_owner_live_bytes).",
	       "function", "module", d->owners, d->nr_owners, 1, objects);
	owners(b, "memowner_module_live_bytes",
	       "Live bytes allocated by the code of the top kernel modules (vmlinux: the kernel).",
	       "module", NULL, d->modules, d->nr_modules, 0, bytes);
	owners(b, "memowner_module_live_objects",
	       "Live allocations made by the code of the top kernel modules.",
	       "module", NULL, d->modules, d->nr_modules, 1, objects);
	owners(b, "memowner_cache_live_bytes",
	       "Live bytes of the top slab caches.", "cache", NULL, d->caches,
	       d->nr_caches, 0, d->src_bytes[MEMOWNER_SRC_SLAB]);
	owners(b, "memowner_cache_live_objects",
	       "Live objects of the top slab caches.", "cache", NULL, d->caches,
	       d->nr_caches, 1, d->src_objects[MEMOWNER_SRC_SLAB]);

	family(b, "memowner_records", "gauge",
	       "Allocation records in memowner's owner table.");
	sb_printf(b, "memowner_records %" PRIu64 "\n", (uint64_t)in->live_objects);
	family(b, "memowner_stacks", "gauge",
	       "Distinct stacks in memowner's stack table.");
	sb_printf(b, "memowner_stacks %u\n", in->nr_stacks);
	family(b, "memowner_drops_total", "counter",
	       "Allocation events memowner could not record for lack of room, all tables.");
	sb_printf(b, "memowner_drops_total %" PRIu64 "\n", (uint64_t)in->nr_drops);
	family(b, "memowner_own_memory_bytes", "gauge",
	       "Memory memowner.ko itself holds.");
	sb_printf(b, "memowner_own_memory_bytes %" PRIu64 "\n",
		  (uint64_t)in->mem_bytes);
	family(b, "memowner_netlink_requests_total", "counter",
	       "Generic netlink requests memowner.ko served since it was loaded.");
	sb_printf(b, "memowner_netlink_requests_total %" PRIu64 "\n",
		  (uint64_t)in->nr_requests);
	rules(b, d);
	family(b, "memowner_daemon_refresh_duration_seconds", "gauge",
	       "How long memownerd took to read the kernel's state.");
	sb_printf(b, "memowner_daemon_refresh_duration_seconds %.6f\n",
		  d->duration_s);
	family(b, "memowner_daemon_last_refresh_timestamp_seconds", "gauge",
	       "When memownerd last read the kernel's state (Unix time).");
	sb_printf(b, "memowner_daemon_last_refresh_timestamp_seconds %.3f\n",
		  d->when);
}

void dm_render(struct strbuf *b, const struct dm_data *d,
	       const struct dm_counters *c)
{
	uint32_t e;

	sb_reset(b);
	family(b, "memowner_up", "gauge",
	       "1 when memownerd is connected to memowner.ko, 0 while the module is not loaded.");
	sb_printf(b, "memowner_up %d\n", c->up);
	if (c->up && d->valid)
		kernel_metrics(b, d, c);

	family(b, "memowner_daemon_connects_total", "counter",
	       "Times memownerd connected to memowner.ko (at start and after each reload).");
	sb_printf(b, "memowner_daemon_connects_total %" PRIu64 "\n", c->connects);
	family(b, "memowner_daemon_rules", "gauge",
	       "Alert rules of memownerd's configuration, by state in the kernel.");
	sb_printf(b, "memowner_daemon_rules{state=\"configured\"} %" PRIu64 "\n",
		  c->rules_configured);
	sb_printf(b, "memowner_daemon_rules{state=\"applied\"} %" PRIu64 "\n",
		  c->rules_applied);
	family(b, "memowner_daemon_alerts_total", "counter",
	       "Threshold alerts memownerd received.");
	sb_printf(b, "memowner_daemon_alerts_total %" PRIu64 "\n", c->alerts);
	family(b, "memowner_daemon_events_total", "counter",
	       "Memory events memownerd received, by type.");
	for (e = 0; e <= MEMOWNER_EVENT_MAX; e++)
		sb_printf(b, "memowner_daemon_events_total{event=\"%s\"} %" PRIu64 "\n",
			  mo_event_name(e), c->events[e]);
	family(b, "memowner_daemon_notifications_lost_total", "counter",
	       "Times notifications were lost because memownerd's socket overflowed.");
	sb_printf(b, "memowner_daemon_notifications_lost_total %" PRIu64 "\n",
		  c->lost);
	family(b, "memowner_daemon_hooks_total", "counter",
	       "Alert hook runs, by result (ok, failed, timeout, skipped: too many running).");
	sb_printf(b, "memowner_daemon_hooks_total{result=\"ok\"} %" PRIu64 "\n"
		  "memowner_daemon_hooks_total{result=\"failed\"} %" PRIu64 "\n"
		  "memowner_daemon_hooks_total{result=\"timeout\"} %" PRIu64 "\n"
		  "memowner_daemon_hooks_total{result=\"skipped\"} %" PRIu64 "\n",
		  c->hooks_ok, c->hooks_failed, c->hooks_timeout,
		  c->hooks_skipped);
	family(b, "memowner_daemon_refresh_errors_total", "counter",
	       "Refreshes of the metrics that failed.");
	sb_printf(b, "memowner_daemon_refresh_errors_total %" PRIu64 "\n",
		  c->refresh_errors);
}

int dm_write_textfile(const char *path, const struct strbuf *b)
{
	const char *slash = strrchr(path, '/');
	char tmp[8300], dir[4096];
	size_t off = 0;
	int fd, err = 0;
	ssize_t n;

	/*
	 * A hidden name in the same directory: node_exporter reads only
	 * *.prom, and rename() is atomic only within one filesystem.
	 */
	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path + 1), path);
	else
		snprintf(dir, sizeof(dir), "./");
	snprintf(tmp, sizeof(tmp), "%s.%s.tmp", dir, slash ? slash + 1 : path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (off < b->len) {
		n = write(fd, b->s + off, b->len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		off += n;
	}
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	/* The rename itself survives a crash once the directory is synced. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}
