// SPDX-License-Identifier: GPL-2.0
/*
 * memowner caches: live slab objects per cache and, under each cache, its
 * call sites as /sys/kernel/slab/CACHE/alloc_calls lines (SLUB debugging).
 * The kernel reports a call site once per stack through it; the records of
 * one call site are merged here into one line, as alloc_calls has.
 *
 * A cache SLUB merged others into is reported under the name it was
 * created with; its other names (mo_slab_names_in(): "mydrv_cache" merged
 * into "ip4-frags") are shown as its aliases, and --cache matches any of
 * them.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "list.h"

struct cache_ctx {
	struct mo_cache_rec *recs;
	size_t nr, cap;
};

static int caches_cb(const struct mo_cache_rec *r, void *arg)
{
	struct cache_ctx *cc = arg;

	if (cc->nr == cc->cap) {
		size_t cap = cc->cap ? cc->cap * 2 : 64;
		struct mo_cache_rec *n = realloc(cc->recs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		cc->recs = n;
		cc->cap = cap;
	}
	cc->recs[cc->nr++] = *r;
	return 0;
}

/* Same cache, same call site: adjacent after this sort. */
static int rec_cmp_site(const void *pa, const void *pb)
{
	const struct mo_cache_rec *a = pa, *b = pb;
	int d = strcmp(a->name, b->name);

	return d ? d : strcmp(a->callsite, b->callsite);
}

#define MAX_CPUS 4096

/* "0-1,3" into a bitmap of MAX_CPUS bits. */
static void cpus_parse(const char *s, uint64_t *bits)
{
	while (*s) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;

		if (end == s)
			break;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		for (; a <= b && a < MAX_CPUS; a++)
			bits[a / 64] |= 1ULL << (a % 64);
		s = *end == ',' ? end + 1 : end;
	}
}

static void cpus_union(struct mo_cache_rec *into, const char *other)
{
	uint64_t bits[MAX_CPUS / 64] = { 0 };
	size_t off = 0;
	int i, start = -1;

	cpus_parse(into->cpus, bits);
	cpus_parse(other, bits);
	into->nr_cpus = 0;
	into->cpus[0] = '\0';
	for (i = 0; i <= MAX_CPUS; i++) {
		int set = i < MAX_CPUS && (bits[i / 64] >> (i % 64) & 1);

		if (set) {
			into->nr_cpus++;
			if (start < 0)
				start = i;
			continue;
		}
		if (start < 0)
			continue;
		if (off < sizeof(into->cpus))
			off += snprintf(into->cpus + off, sizeof(into->cpus) - off,
					i - 1 > start ? "%s%d-%d" : "%s%d",
					off ? "," : "", start, i - 1);
		start = -1;
	}
}

/*
 * The kernel reports a cache's call site once per stack through it;
 * alloc_calls has one line per call site: merge them.
 */
static void caches_merge(struct cache_ctx *cc)
{
	size_t i, n = 0;

	qsort(cc->recs, cc->nr, sizeof(*cc->recs), rec_cmp_site);
	for (i = 0; i < cc->nr; i++) {
		struct mo_cache_rec *a = n ? &cc->recs[n - 1] : NULL;
		const struct mo_cache_rec *b = &cc->recs[i];

		if (!a || rec_cmp_site(a, b)) {
			cc->recs[n++] = *b;
			continue;
		}
		if (a->count + b->count)
			a->age_avg_ms = (a->age_avg_ms * a->count +
					 b->age_avg_ms * b->count) /
					(a->count + b->count);
		a->count += b->count;
		a->bytes += b->bytes;
		if (b->age_min_ms < a->age_min_ms)
			a->age_min_ms = b->age_min_ms;
		if (b->age_max_ms > a->age_max_ms)
			a->age_max_ms = b->age_max_ms;
		if (b->pid_min < a->pid_min)
			a->pid_min = b->pid_min;
		if (b->pid_max > a->pid_max)
			a->pid_max = b->pid_max;
		cpus_union(a, b->cpus);
	}
	cc->nr = n;
}

struct cache_sum {
	const char *name;
	uint64_t count, bytes;
	size_t first, n;	/* its records in the sorted array */
	char **names;		/* every name of the cache, itself included */
	size_t nnames;
};

/* Whether @pattern matches the cache's name or one of its aliases. */
static bool sum_matches(const struct cache_sum *s, const char *pattern)
{
	size_t i;

	if (!fnmatch(pattern, s->name, 0))
		return true;
	for (i = 0; i < s->nnames; i++)
		if (!fnmatch(pattern, s->names[i], 0))
			return true;
	return false;
}

/* ", aliases: a b" of the names other than the cache's own. */
static void print_aliases(const struct cache_sum *s)
{
	const char *sep = ", aliases: ";
	size_t i;

	for (i = 0; i < s->nnames; i++) {
		if (!strcmp(s->names[i], s->name))
			continue;
		printf("%s%s", sep, s->names[i]);
		sep = " ";
	}
}

static int cache_sort_key;	/* 0 bytes, 1 objects, 2 name */

static int rec_cmp(const void *pa, const void *pb)
{
	const struct mo_cache_rec *a = pa, *b = pb;
	int d = strcmp(a->name, b->name);

	if (d)
		return d;
	/* alloc_calls: most objects first. */
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->callsite, b->callsite);
}

static int sum_cmp(const void *pa, const void *pb)
{
	const struct cache_sum *a = pa, *b = pb;

	if (cache_sort_key == 0 && a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	if (cache_sort_key == 1 && a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* /sys/kernel/slab/CACHE/alloc_calls, mm/slub.c's list_locations(). */
static void print_alloc_call(const struct mo_cache_rec *r, int cpus_online)
{
	printf("%7" PRIu64 " %s", r->count, r->callsite[0] ? r->callsite
							    : "<not-available>");
	if (r->age_min_ms != r->age_max_ms)
		printf(" age=%" PRIu64 "/%" PRIu64 "/%" PRIu64, r->age_min_ms,
		       r->age_avg_ms, r->age_max_ms);
	else
		printf(" age=%" PRIu64, r->age_min_ms);
	if (r->pid_min != r->pid_max)
		printf(" pid=%u-%u", r->pid_min, r->pid_max);
	else
		printf(" pid=%u", r->pid_min);
	if (cpus_online > 1 && r->nr_cpus)
		printf(" cpus=%s", r->cpus);
	printf("\n");
}

static int cmd_caches(const struct cli_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cache", required_argument, NULL, 'c' },
		{ "sort", required_argument, NULL, 's' },
		{ "top", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct cache_ctx cc = { 0 };
	char extack[EXTACK_LEN] = "", buf[32];
	struct cache_sum *sums = NULL;
	const char *pattern = NULL;
	struct mo_slab_link *links;
	size_t i, k, nsums = 0, kept, nlinks;
	uint64_t top = 0;
	struct mo_json j;
	struct mo_genl g;
	int opt, ret, cpus = sysconf(_SC_NPROCESSORS_ONLN);

	cache_sort_key = 0;
	while ((opt = getopt_long(argc, argv, "c:s:n:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			pattern = optarg;
			break;
		case 's':
			if (!strcmp(optarg, "bytes"))
				cache_sort_key = 0;
			else if (!strcmp(optarg, "objects"))
				cache_sort_key = 1;
			else if (!strcmp(optarg, "name"))
				cache_sort_key = 2;
			else
				return list_bad_arg("caches", "unknown sort key", optarg);
			break;
		case 'n':
			if (list_parse_count(optarg, &top) || !top)
				return list_bad_arg("caches", "bad number of caches", optarg);
			break;
		default:
			return CLI_USAGE;
		}
	}
	if (optind != argc)
		return list_bad_arg("caches", "unexpected argument", argv[optind]);
	if (cli_open_genl(&g))
		return 1;
	ret = mo_dump_caches(&g, caches_cb, &cc, extack, sizeof(extack));
	mo_genl_close(&g);
	if (ret) {
		free(cc.recs);
		return cli_fail_extack("cache dump", ret, extack);
	}
	caches_merge(&cc);
	qsort(cc.recs, cc.nr, sizeof(*cc.recs), rec_cmp);
	sums = calloc(cc.nr + 1, sizeof(*sums));
	if (!sums) {
		free(cc.recs);
		return cli_fail("caches", -ENOMEM);
	}
	for (i = 0; i < cc.nr; i++) {
		if (!nsums || strcmp(sums[nsums - 1].name, cc.recs[i].name)) {
			sums[nsums].name = cc.recs[i].name;
			sums[nsums++].first = i;
		}
		sums[nsums - 1].n++;
		sums[nsums - 1].count += cc.recs[i].count;
		sums[nsums - 1].bytes += cc.recs[i].bytes;
	}
	/* A cache /sys/kernel/slab does not know has no aliases. */
	mo_slab_links(&links, &nlinks);
	for (k = kept = 0; k < nsums; k++) {
		struct cache_sum *s = &sums[k];

		mo_slab_names_in(links, nlinks, s->name, &s->names, &s->nnames);
		if (pattern && !sum_matches(s, pattern)) {
			mo_slab_names_free(s->names, s->nnames);
			continue;
		}
		sums[kept++] = *s;
	}
	nsums = kept;
	mo_slab_links_free(links, nlinks);
	qsort(sums, nsums, sizeof(*sums), sum_cmp);
	for (k = top; top && k < nsums; k++)
		mo_slab_names_free(sums[k].names, sums[k].nnames);
	if (top && nsums > top)
		nsums = top;
	if (o->json) {
		mo_json_init(&j, stdout);
		mo_json_obj_begin(&j, NULL);
		mo_json_arr_begin(&j, "caches");
	}
	for (k = 0; k < nsums; k++) {
		const struct cache_sum *s = &sums[k];

		if (o->json) {
			mo_json_obj_begin(&j, NULL);
			mo_json_str(&j, "name", s->name);
			mo_json_u64(&j, "live_objects", s->count);
			mo_json_u64(&j, "live_bytes", s->bytes);
			mo_json_arr_begin(&j, "aliases");
			for (i = 0; i < s->nnames; i++)
				if (strcmp(s->names[i], s->name))
					mo_json_str(&j, NULL, s->names[i]);
			mo_json_arr_end(&j);
			mo_json_arr_begin(&j, "callsites");
		} else {
			printf("%s: %" PRIu64 " objects, %" PRIu64 " bytes (%s), %zu call sites",
			       s->name, s->count, s->bytes,
			       mo_fmt_bytes(s->bytes, buf, sizeof(buf)), s->n);
			print_aliases(s);
			printf("\n");
		}
		for (i = s->first; i < s->first + s->n; i++) {
			const struct mo_cache_rec *r = &cc.recs[i];

			if (!o->json) {
				print_alloc_call(r, cpus);
				continue;
			}
			mo_json_obj_begin(&j, NULL);
			mo_json_str(&j, "callsite", r->callsite);
			mo_json_u64(&j, "stack", r->stack);
			mo_json_u64(&j, "count", r->count);
			mo_json_u64(&j, "bytes", r->bytes);
			mo_json_u64(&j, "age_min_ms", r->age_min_ms);
			mo_json_u64(&j, "age_avg_ms", r->age_avg_ms);
			mo_json_u64(&j, "age_max_ms", r->age_max_ms);
			mo_json_u64(&j, "pid_min", r->pid_min);
			mo_json_u64(&j, "pid_max", r->pid_max);
			mo_json_str(&j, "cpus", r->cpus);
			mo_json_obj_end(&j);
		}
		if (o->json) {
			mo_json_arr_end(&j);
			mo_json_obj_end(&j);
		} else {
			printf("\n");
		}
	}
	if (o->json) {
		mo_json_arr_end(&j);
		mo_json_obj_end(&j);
		mo_json_end(&j);
	}
	for (k = 0; k < nsums; k++)
		mo_slab_names_free(sums[k].names, sums[k].nnames);
	free(sums);
	free(cc.recs);
	return 0;
}

const struct cli_cmd cli_cmd_caches = {
	.name = "caches",
	.args = "[--cache PATTERN] [--sort bytes|objects|name] [-n N]",
	.summary = "live slab objects per cache and call site (alloc_calls)",
	.help =
"Lists live slab objects per cache, and under each cache its call sites\n"
"in the format of /sys/kernel/slab/CACHE/alloc_calls (SLUB debugging):\n"
"\n"
"  kmalloc-256: 2000 objects, 512000 bytes (500K), 1 call sites\n"
"     2000 func+0x1e/0x40 [mod] age=MIN/AVG/MAX pid=MIN-MAX cpus=LIST\n"
"\n"
"Ages are in milliseconds (alloc_calls counts jiffies); a single value\n"
"when all are equal, as are pid=; cpus= only on SMP.  Call sites of a\n"
"cache are by object count, most first; a call site reached from several\n"
"stacks is one line, as in alloc_calls (JSON \"stack\" names one of them).\n"
"\n"
"A cache SLUB merged other caches into (same object size and flags) is\n"
"listed under the name it was created with, its other names after it\n"
"(\", aliases: mydrv_cache ...\", from /sys/kernel/slab).\n"
"\n"
"  -c, --cache PATTERN  only caches whose name or an alias matches the\n"
"                       shell pattern (\"kmalloc-*\").\n"
"  -s, --sort KEY       order of the caches: bytes (default), objects, name.\n"
"  -n, --top N          the first N caches only.\n"
"\n"
"--json prints {\"caches\": [{name, live_objects, live_bytes, \"aliases\":\n"
"[names], \"callsites\":\n"
"[{callsite, stack, count, bytes, age_min_ms, age_avg_ms, age_max_ms,\n"
"pid_min, pid_max, cpus}]}]}.\n",
	.handler = cmd_caches,
};
