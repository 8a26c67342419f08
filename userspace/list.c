// SPDX-License-Identifier: GPL-2.0
/*
 * What the listing commands share (memowner stacks, pages, caches, modules
 * and leaks; one file each, cmd_stacks.c to cmd_leaks.c): parsing counts
 * and comma-separated lists, printing stack frames as text and JSON,
 * opening the device and netlink with a symbol cache, and the rows of the
 * sentinel stacks when grouping by module.
 *
 * The listings follow the kernel's own tools where there is one:
 *   stacks   show_stacks blocks with page_owner_sort's --sort/--cull and
 *            --pid/--tgid/--name options;
 *   pages    the /sys/kernel/debug/page_owner text, byte for byte the
 *            format page_owner_sort parses;
 *   caches   /sys/kernel/slab/CACHE/alloc_calls lines under each cache.
 * Every listing has --json: one document, the same data.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "list.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

int list_bad_arg(const char *cmd, const char *what, const char *val)
{
	fprintf(stderr, "memowner: %s: %s '%s'\n", cmd, what, val);
	return CLI_USAGE;
}

int list_parse_count(const char *s, uint64_t *v)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

/* "1,2,3" into a malloc'd array. */
int list_parse_u32_list(const char *s, uint32_t **out, size_t *n)
{
	char *copy = strdup(s), *tok, *save = NULL;
	uint32_t *v = NULL, *nv;
	uint64_t x;
	size_t k = 0;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (list_parse_count(tok, &x) || x > UINT32_MAX) {
			ret = -EINVAL;
			break;
		}
		nv = realloc(v, (k + 1) * sizeof(*v));
		if (!nv) {
			ret = -ENOMEM;
			break;
		}
		v = nv;
		v[k++] = x;
	}
	free(copy);
	if (!ret && !k)
		ret = -EINVAL;
	if (ret) {
		free(v);
		return ret;
	}
	*out = v;
	*n = k;
	return 0;
}

/* "a,b" into a malloc'd, NULL-terminated array of strings. */
int list_parse_str_list(const char *s, char ***out, size_t *n)
{
	char *copy = strdup(s), *tok, *save = NULL;
	char **v = NULL, **nv;
	size_t k = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		nv = realloc(v, (k + 2) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[k] = strdup(tok);
		if (!v[k])
			break;
		v[++k] = NULL;
	}
	free(copy);
	if (!k) {
		free(v);
		return -EINVAL;
	}
	*out = v;
	*n = k;
	return 0;
}

void list_free_str_list(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int list_u32_in(uint32_t x, const uint32_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

int list_str_in(const char *s, char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

void list_json_frames(struct mo_json *j, const struct mo_frames *f)
{
	unsigned int i;

	mo_json_arr_begin(j, "frames");
	for (i = 0; f && i < f->nr; i++)
		mo_json_str(j, NULL, f->frame[i]);
	mo_json_arr_end(j);
}

void list_print_frames(const struct mo_frames *f, uint32_t handle)
{
	unsigned int i;

	if (!f) {
		printf(" (stack %u: %s)\n", handle, strerror(errno));
		return;
	}
	for (i = 0; i < f->nr; i++)
		printf(" %s\n", f->frame[i]);
}

/* Open the device (for GET_STACK and SNAPSHOT) and, if asked, netlink. */
int list_open_both(int *fd, struct mo_genl *g, struct mo_symcache **sc)
{
	if (cli_open_dev(fd))
		return 1;
	if (g && cli_open_genl(g)) {
		close(*fd);
		return 1;
	}
	*sc = mo_symcache_new(*fd);
	if (!*sc) {
		if (g)
			mo_genl_close(g);
		close(*fd);
		return cli_fail("symbol cache", -ENOMEM);
	}
	return 0;
}

void list_close_both(int fd, struct mo_genl *g, struct mo_symcache *sc)
{
	mo_symcache_free(sc);
	if (g)
		mo_genl_close(g);
	close(fd);
}

/*
 * memowner files the pages in use before it was loaded, and allocations
 * whose stack it could not keep, under sentinel stacks whose one frame is
 * a function of memowner.ko -- so by module they would count as memowner's
 * own memory.  Grouped by module, they get rows of their own instead.
 */
static const struct {
	const char *frame, *name;
} sentinels[] = {
	{ "memowner_allocated_before_load+", "(before load)" },
	{ "memowner_stack_table_full+", "(stack table full)" },
	{ "memowner_stack_unavailable+", "(no stack)" },
};

static int row_name_is(const struct memowner_row *r, const char *name)
{
	return !strncmp((const char *)r->name, name, sizeof(r->name));
}

static void row_sub(struct memowner_row *a, const struct memowner_row *b, int sign)
{
	a->live_bytes += sign * b->live_bytes;
	a->live_pages += sign * b->live_pages;
	a->live_objects += sign * b->live_objects;
	a->allocs += sign * b->allocs;
	a->frees += sign * b->frees;
	a->bytes_allocated += sign * b->bytes_allocated;
	a->growth_bytes += sign * b->growth_bytes;
}

int list_split_sentinels(int fd, struct mo_symcache *sc,
			 const struct mo_query *q,
			 struct memowner_row **rows, size_t *nr)
{
	struct mo_query sq = *q;
	struct memowner_row *st, *own = NULL, *r;
	size_t nst, i, k;
	int ret;

	if (q->module && strcmp(q->module, "memowner"))
		return 0;
	for (i = 0; i < *nr; i++)
		if (row_name_is(&(*rows)[i], "memowner"))
			own = &(*rows)[i];
	if (!own)
		return 0;
	sq.group = MEMOWNER_GROUP_STACK;
	sq.module = "memowner";
	sq.min_value = 0;
	ret = mo_snapshot(fd, &sq, 0, &st, &nst, NULL);
	if (ret)
		return ret;
	for (i = 0; i < nst; i++) {
		const struct mo_frames *f = mo_symcache_get(sc, st[i].stack);

		if (!f || f->nr != 1)
			continue;
		for (k = 0; k < ARRAY_SIZE(sentinels); k++)
			if (!strncmp(f->frame[0], sentinels[k].frame,
				     strlen(sentinels[k].frame)))
				break;
		if (k == ARRAY_SIZE(sentinels))
			continue;
		r = realloc(*rows, (*nr + 1) * sizeof(*r));
		if (!r) {
			free(st);
			return -ENOMEM;
		}
		own = r + (own - *rows);
		*rows = r;
		r = &r[(*nr)++];
		*r = st[i];
		r->id = 0;
		r->stack = 0;
		snprintf((char *)r->name, sizeof(r->name), "%s", sentinels[k].name);
		row_sub(own, &st[i], -1);
	}
	free(st);
	/* Nothing left of memowner's own: no row. */
	if (!own->live_bytes && !own->live_objects && !own->allocs && !own->frees)
		*own = (*rows)[--*nr];
	return 0;
}
