// SPDX-License-Identifier: GPL-2.0
/*
 * memowner modules: live memory per kernel module (the module of each
 * allocation's first frame), one SNAPSHOT grouped by module, sorted here.
 * The sentinel stacks (pages in use before load, stacks that could not be
 * kept) get rows of their own rather than counting as memowner's memory.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "list.h"

static uint64_t row_value(const struct memowner_row *r, uint32_t sort)
{
	switch (sort) {
	case MEMOWNER_SORT_LIVE_PAGES:
		return r->live_pages;
	case MEMOWNER_SORT_LIVE_OBJECTS:
		return r->live_objects;
	case MEMOWNER_SORT_ALLOCS:
		return r->allocs;
	case MEMOWNER_SORT_GROWTH:
		return (int64_t)r->growth_bytes > 0 ? r->growth_bytes : 0;
	}
	return r->live_bytes;
}

static uint32_t row_sort_key;

static int row_cmp(const void *pa, const void *pb)
{
	const struct memowner_row *a = pa, *b = pb;
	uint64_t x = row_value(a, row_sort_key), y = row_value(b, row_sort_key);

	if (x != y)
		return x > y ? -1 : 1;
	return strncmp((const char *)a->name, (const char *)b->name,
		       sizeof(a->name));
}

static int cmd_modules(const struct cli_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sort", required_argument, NULL, 's' },
		{ "source", required_argument, NULL, 'S' },
		{ "module", required_argument, NULL, 'M' },
		{ "top", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct mo_query q = { .group = MEMOWNER_GROUP_MODULE };
	struct mo_symcache *sc;
	struct memowner_row *rows;
	size_t nr, i;
	uint64_t top = 0, total;
	char b1[32];
	struct mo_json j;
	int fd, opt, ret;

	while ((opt = getopt_long(argc, argv, "s:n:", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (mo_parse_sort(optarg, &q.sort))
				return list_bad_arg("modules", "unknown sort key", optarg);
			break;
		case 'S':
			if (mo_parse_sources(optarg, &q.sources))
				return list_bad_arg("modules", "unknown source in", optarg);
			break;
		case 'M':
			q.module = optarg;
			break;
		case 'n':
			if (list_parse_count(optarg, &top) || !top)
				return list_bad_arg("modules", "bad number of modules", optarg);
			break;
		default:
			return CLI_USAGE;
		}
	}
	if (optind != argc)
		return list_bad_arg("modules", "unexpected argument", argv[optind]);
	if (cli_open_dev(&fd))
		return 1;
	sc = mo_symcache_new(fd);
	ret = sc ? mo_snapshot(fd, &q, 0, &rows, &nr, &total) : -ENOMEM;
	if (!ret) {
		ret = list_split_sentinels(fd, sc, &q, &rows, &nr);
		if (ret)
			free(rows);
	}
	mo_symcache_free(sc);
	close(fd);
	if (ret)
		return cli_fail("SNAPSHOT", ret);
	row_sort_key = q.sort;
	qsort(rows, nr, sizeof(*rows), row_cmp);
	total = nr;
	if (top && nr > top)
		nr = top;
	if (o->json) {
		mo_json_init(&j, stdout);
		mo_json_obj_begin(&j, NULL);
		mo_json_str(&j, "sort", mo_sort_name(q.sort));
		mo_json_u64(&j, "total_modules", total);
		mo_json_arr_begin(&j, "modules");
		for (i = 0; i < nr; i++) {
			mo_json_obj_begin(&j, NULL);
			mo_json_str(&j, "module", (char *)rows[i].name);
			mo_json_u64(&j, "live_bytes", rows[i].live_bytes);
			mo_json_u64(&j, "live_pages", rows[i].live_pages);
			mo_json_u64(&j, "live_objects", rows[i].live_objects);
			mo_json_u64(&j, "backing_bytes", rows[i].backing_bytes);
			mo_json_u64(&j, "allocs", rows[i].allocs);
			mo_json_u64(&j, "frees", rows[i].frees);
			mo_json_u64(&j, "bytes_allocated", rows[i].bytes_allocated);
			mo_json_s64(&j, "growth_bytes", (int64_t)rows[i].growth_bytes);
			mo_json_str(&j, "source", mo_source_name(rows[i].source));
			mo_json_obj_end(&j);
		}
		mo_json_arr_end(&j);
		mo_json_obj_end(&j);
		mo_json_end(&j);
	} else {
		printf("%-24s %14s %8s %10s %10s %12s %12s %12s  %s\n", "MODULE",
		       "BYTES", "SIZE", "PAGES", "OBJECTS", "ALLOCS", "FREES",
		       "GROWTH", "SOURCE");
		for (i = 0; i < nr; i++)
			printf("%-24s %14" PRIu64 " %8s %10" PRIu64 " %10" PRIu64 " %12" PRIu64 " %12" PRIu64 " %+12" PRId64 "  %s\n",
			       (char *)rows[i].name, (uint64_t)rows[i].live_bytes,
			       mo_fmt_bytes(rows[i].live_bytes, b1, sizeof(b1)),
			       (uint64_t)rows[i].live_pages,
			       (uint64_t)rows[i].live_objects,
			       (uint64_t)rows[i].allocs, (uint64_t)rows[i].frees,
			       (int64_t)rows[i].growth_bytes,
			       mo_source_name(rows[i].source));
	}
	free(rows);
	return 0;
}

const struct cli_cmd cli_cmd_modules = {
	.name = "modules",
	.args = "[--sort KEY] [--source S] [--module M] [-n N]",
	.summary = "live memory per kernel module",
	.help =
"Live memory per kernel module: the module of each allocation's first\n"
"frame, the code that called the allocator (\"vmlinux\" for the kernel\n"
"itself), with its bytes, base pages, objects, and totals since load (or\n"
"the last reset): allocs, frees, and growth since the last mark.\n"
"\n"
"  -s, --sort KEY  bytes (default), pages, objects, allocs, growth;\n"
"                  biggest first.\n"
"      --source S  only these sources: slab,page,percpu,vmalloc or all.\n"
"      --module M  only module M.\n"
"  -n, --top N     the first N modules only.\n"
"\n"
"SOURCE is mixed when a module allocates from several sources.  Pages in\n"
"use before memowner was loaded, and allocations whose stack could not be\n"
"kept, have rows of their own: \"(before load)\", \"(stack table full)\",\n"
"\"(no stack)\" (they are not memowner's memory).\n"
"--json prints {\"sort\", \"total_modules\", \"modules\": [{module,\n"
"live_bytes, live_pages, live_objects, backing_bytes, allocs, frees,\n"
"bytes_allocated, growth_bytes, source}]} (backing_bytes: pages the slab,\n"
"vmalloc and per-CPU allocators took to hold the module's objects, not in\n"
"live_bytes).\n",
	.handler = cmd_modules,
};
