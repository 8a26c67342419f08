// SPDX-License-Identifier: GPL-2.0
/*
 * memowner leaks: leak candidates, the objects allocated long ago and still
 * not freed, summed by stack from the module's leak dump: one block per
 * stack, a counters line then the frames, as stacks prints them.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"

struct leaks_ctx {
	struct mo_leak_rec *recs;
	size_t nr, cap;
};

static int leaks_cb(const struct mo_leak_rec *r, void *arg)
{
	struct leaks_ctx *lc = arg;

	if (lc->nr == lc->cap) {
		size_t cap = lc->cap ? lc->cap * 2 : 64;
		struct mo_leak_rec *n = realloc(lc->recs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		lc->recs = n;
		lc->cap = cap;
	}
	lc->recs[lc->nr++] = *r;
	return 0;
}

static int leak_sort;	/* 0 bytes, 1 objects, 2 age */

static int leak_cmp(const void *pa, const void *pb)
{
	const struct mo_leak_rec *a = pa, *b = pb;
	uint64_t x = leak_sort == 1 ? a->count : leak_sort == 2 ? a->oldest_ms : a->bytes;
	uint64_t y = leak_sort == 1 ? b->count : leak_sort == 2 ? b->oldest_ms : b->bytes;

	if (x != y)
		return x > y ? -1 : 1;
	return a->stack < b->stack ? -1 : a->stack > b->stack;
}

static void fmt_age(uint64_t ms, char *buf, size_t len)
{
	if (ms < 1000)
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	else if (ms < 120000)
		snprintf(buf, len, "%.1fs", ms / 1000.0);
	else if (ms < 7200000)
		snprintf(buf, len, "%.1fm", ms / 60000.0);
	else
		snprintf(buf, len, "%.1fh", ms / 3600000.0);
}

static int cmd_leaks(const struct cli_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "older-than", required_argument, NULL, 'o' },
		{ "min-bytes", required_argument, NULL, 'b' },
		{ "source", required_argument, NULL, 'S' },
		{ "sort", required_argument, NULL, 's' },
		{ "top", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t older = 30000, min_bytes = 0, top = 0;
	char extack[EXTACK_LEN] = "", b1[32], b2[32];
	struct leaks_ctx lc = { 0 };
	struct mo_symcache *sc;
	uint32_t sources = 0;
	struct mo_json j;
	struct mo_genl g;
	int fd, opt, ret;
	size_t i;

	leak_sort = 0;
	while ((opt = getopt_long(argc, argv, "o:b:s:n:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			if (mo_parse_duration_ms(optarg, &older))
				return list_bad_arg("leaks", "bad duration", optarg);
			break;
		case 'b':
			if (mo_parse_bytes(optarg, &min_bytes))
				return list_bad_arg("leaks", "bad size", optarg);
			break;
		case 'S':
			if (mo_parse_sources(optarg, &sources))
				return list_bad_arg("leaks", "unknown source in", optarg);
			break;
		case 's':
			if (!strcmp(optarg, "bytes"))
				leak_sort = 0;
			else if (!strcmp(optarg, "objects"))
				leak_sort = 1;
			else if (!strcmp(optarg, "age"))
				leak_sort = 2;
			else
				return list_bad_arg("leaks", "unknown sort key", optarg);
			break;
		case 'n':
			if (list_parse_count(optarg, &top) || !top)
				return list_bad_arg("leaks", "bad number of stacks", optarg);
			break;
		default:
			return CLI_USAGE;
		}
	}
	if (optind != argc)
		return list_bad_arg("leaks", "unexpected argument", argv[optind]);
	if (list_open_both(&fd, &g, &sc))
		return 1;
	ret = mo_dump_leaks(&g, older, sources, min_bytes, leaks_cb, &lc,
			    extack, sizeof(extack));
	if (ret) {
		ret = cli_fail_extack("leak dump", ret, extack);
		goto out;
	}
	qsort(lc.recs, lc.nr, sizeof(*lc.recs), leak_cmp);
	if (o->json) {
		mo_json_init(&j, stdout);
		mo_json_obj_begin(&j, NULL);
		mo_json_u64(&j, "older_than_ms", older);
		mo_json_u64(&j, "min_bytes", min_bytes);
		mo_json_u64(&j, "total_stacks", lc.nr);
		mo_json_arr_begin(&j, "leaks");
	} else {
		fmt_age(older, b1, sizeof(b1));
		printf("# live objects older than %s, by stack%s\n\n", b1,
		       lc.nr ? "" : ": none");
	}
	for (i = 0; i < lc.nr && (!top || i < top); i++) {
		const struct mo_leak_rec *r = &lc.recs[i];
		const struct mo_frames *f = mo_symcache_get(sc, r->stack);

		if (o->json) {
			mo_json_obj_begin(&j, NULL);
			mo_json_u64(&j, "stack", r->stack);
			mo_json_str(&j, "source", mo_source_name(r->source));
			mo_json_u64(&j, "objects", r->count);
			mo_json_u64(&j, "bytes", r->bytes);
			mo_json_u64(&j, "oldest_ms", r->oldest_ms);
			list_json_frames(&j, f);
			mo_json_obj_end(&j);
			continue;
		}
		fmt_age(r->oldest_ms, b2, sizeof(b2));
		printf("%" PRIu64 " objects, %" PRIu64 " bytes (%s), oldest %s, source %s, stack %u:\n",
		       r->count, r->bytes, mo_fmt_bytes(r->bytes, b1, sizeof(b1)),
		       b2, mo_source_name(r->source), r->stack);
		list_print_frames(f, r->stack);
		printf("\n");
	}
	if (o->json) {
		mo_json_arr_end(&j);
		mo_json_obj_end(&j);
		mo_json_end(&j);
	}
out:
	free(lc.recs);
	list_close_both(fd, &g, sc);
	return ret;
}

const struct cli_cmd cli_cmd_leaks = {
	.name = "leaks",
	.args = "[--older-than DURATION] [--min-bytes B] [--source S] [--sort bytes|objects|age] [-n N]",
	.summary = "long-lived objects by stack (leak candidates)",
	.help =
"Objects allocated long ago and still not freed, summed by stack: leak\n"
"candidates.  Each block is a counters line (objects, bytes, age of the\n"
"oldest, source, stack handle), then the frames, then a blank line.\n"
"\n"
"  -o, --older-than D  only objects at least D old: 30s (default), 500ms,\n"
"                      5m, 1h; a bare number is milliseconds.\n"
"  -b, --min-bytes B   only stacks holding at least B bytes of such objects\n"
"                      (K, M, G suffixes).\n"
"      --source S      only these sources: slab,page,percpu,vmalloc or all.\n"
"  -s, --sort KEY      bytes (default), objects, age (of the oldest).\n"
"  -n, --top N         the first N stacks only.\n"
"\n"
"Ages count from the allocation.  Pages in use before memowner was loaded\n"
"have no record (nor age) and are never listed.  In sample mode counts\n"
"are estimates.\n"
"--json prints {\"older_than_ms\", \"min_bytes\", \"total_stacks\", \"leaks\":\n"
"[{stack, source, objects, bytes, oldest_ms, frames}]}.\n",
	.handler = cmd_leaks,
};
