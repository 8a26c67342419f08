// SPDX-License-Identifier: GPL-2.0
/*
 * libmemowner: names of the ABI's enums and human units (see
 * memowner_client.h).  Sizes are powers of 1024, as free(1) and slabtop
 * print them.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "memowner_client.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const mo_source_names[] = {
	[MEMOWNER_SRC_SLAB] = "slab",
	[MEMOWNER_SRC_PAGE] = "page",
	[MEMOWNER_SRC_PERCPU] = "percpu",
	[MEMOWNER_SRC_VMALLOC] = "vmalloc",
};

static const char *const mo_mode_names[] = {
	[MEMOWNER_MODE_STACK] = "stack",
	[MEMOWNER_MODE_CALLSITE] = "callsite",
	[MEMOWNER_MODE_SAMPLE] = "sample",
};

static const char *const mo_group_names[] = {
	[MEMOWNER_GROUP_STACK] = "stack",
	[MEMOWNER_GROUP_CALLSITE] = "callsite",
	[MEMOWNER_GROUP_CACHE] = "cache",
	[MEMOWNER_GROUP_MODULE] = "module",
	[MEMOWNER_GROUP_TGID] = "tgid",
};

static const char *const mo_sort_names[] = {
	[MEMOWNER_SORT_LIVE_BYTES] = "bytes",
	[MEMOWNER_SORT_LIVE_PAGES] = "pages",
	[MEMOWNER_SORT_LIVE_OBJECTS] = "objects",
	[MEMOWNER_SORT_ALLOCS] = "allocs",
	[MEMOWNER_SORT_GROWTH] = "growth",
};

static const char *const mo_owner_kind_names[] = {
	[MEMOWNER_OWNER_STACK] = "stack",
	[MEMOWNER_OWNER_CACHE] = "cache",
	[MEMOWNER_OWNER_MODULE] = "module",
	[MEMOWNER_OWNER_TGID] = "tgid",
	[MEMOWNER_OWNER_GLOBAL] = "global",
};

static const char *const mo_metric_names[] = {
	[MEMOWNER_METRIC_LIVE_BYTES] = "bytes",
	[MEMOWNER_METRIC_LIVE_PAGES] = "pages",
	[MEMOWNER_METRIC_GROWTH_RATE] = "rate",
};

static const char *const mo_event_names[] = {
	[MEMOWNER_EVENT_OOM] = "oom",
	[MEMOWNER_EVENT_RECLAIM_STALL] = "reclaim_stall",
	[MEMOWNER_EVENT_EXTFRAG] = "extfrag",
};

/* As the kernel's migratetype_names[] (page_owner prints these). */
static const char *const mo_migratetype_names[] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate",
};

static const char *mo_name(const char *const *names, size_t n, uint32_t v)
{
	return v < n && names[v] ? names[v] : "?";
}

static int mo_lookup(const char *const *names, size_t n, const char *s,
		     uint32_t *v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcasecmp(names[i], s)) {
			*v = i;
			return 0;
		}
	return -EINVAL;
}

const char *mo_source_name(uint32_t src)
{
	if (src == MEMOWNER_SRC_MIXED)
		return "mixed";
	return mo_name(mo_source_names, ARRAY_SIZE(mo_source_names), src);
}

const char *mo_sources_str(uint32_t mask, char *buf, size_t len)
{
	size_t i, off = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(mo_source_names); i++) {
		if (!(mask & (1U << i)))
			continue;
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%s",
				off ? "," : "", mo_source_names[i]);
	}
	if (!off)
		snprintf(buf, len, "none");
	return buf;
}

int mo_parse_sources(const char *s, uint32_t *mask)
{
	char *copy, *tok, *save = NULL;
	uint32_t m = 0, bit;
	int ret = 0;

	if (!strcasecmp(s, "all")) {
		*mask = __MEMOWNER_SRC_F_ALL;
		return 0;
	}
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		ret = mo_lookup(mo_source_names, ARRAY_SIZE(mo_source_names),
				tok, &bit);
		if (ret)
			break;
		m |= 1U << bit;
	}
	free(copy);
	if (!ret && !m)
		ret = -EINVAL;
	if (!ret)
		*mask = m;
	return ret;
}

const char *mo_mode_name(uint32_t mode)
{
	return mo_name(mo_mode_names, ARRAY_SIZE(mo_mode_names), mode);
}

int mo_parse_mode(const char *s, uint32_t *mode)
{
	return mo_lookup(mo_mode_names, ARRAY_SIZE(mo_mode_names), s, mode);
}

const char *mo_group_name(uint32_t group)
{
	return mo_name(mo_group_names, ARRAY_SIZE(mo_group_names), group);
}

int mo_parse_group(const char *s, uint32_t *group)
{
	return mo_lookup(mo_group_names, ARRAY_SIZE(mo_group_names), s, group);
}

const char *mo_sort_name(uint32_t sort)
{
	return mo_name(mo_sort_names, ARRAY_SIZE(mo_sort_names), sort);
}

int mo_parse_sort(const char *s, uint32_t *sort)
{
	return mo_lookup(mo_sort_names, ARRAY_SIZE(mo_sort_names), s, sort);
}

const char *mo_owner_kind_name(uint32_t kind)
{
	return mo_name(mo_owner_kind_names, ARRAY_SIZE(mo_owner_kind_names),
		       kind);
}

const char *mo_metric_name(uint32_t metric)
{
	return mo_name(mo_metric_names, ARRAY_SIZE(mo_metric_names), metric);
}

const char *mo_event_name(uint32_t type)
{
	return mo_name(mo_event_names, ARRAY_SIZE(mo_event_names), type);
}

const char *mo_migratetype_name(uint32_t mt)
{
	return mo_name(mo_migratetype_names, ARRAY_SIZE(mo_migratetype_names),
		       mt);
}

/* A number with an optional fraction and a K/M/G/T/P suffix (x1024). */
static int mo_parse_scaled(const char *s, const char **rest, uint64_t *out)
{
	static const char units[] = "KMGTP";
	unsigned long long whole;
	double frac = 0, v;
	const char *u;
	char *end;
	int shift = 0;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	whole = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end == '.') {
		char *fend;

		frac = strtod(end, &fend);
		if (fend == end + 1)
			return -EINVAL;
		end = fend;
	}
	if (*end && (u = strchr(units, *end >= 'a' ? *end - 32 : *end))) {
		shift = 10 * (int)(u - units + 1);
		end++;
		/* Accept "512M", "512MB", "512MiB". */
		if (*end == 'i')
			end++;
		if (*end == 'B')
			end++;
	} else if (*end == 'B') {
		end++;
	}
	v = ((double)whole + frac) * ldexp(1, shift);
	if (v >= 18446744073709551616.0)
		return -ERANGE;
	if (shift && whole >> (64 - shift))
		return -ERANGE;
	*out = frac ? (uint64_t)v : (uint64_t)whole << shift;
	*rest = end;
	return 0;
}

int mo_parse_bytes(const char *s, uint64_t *bytes)
{
	const char *rest;
	uint64_t v;
	int ret = mo_parse_scaled(s, &rest, &v);

	if (ret)
		return ret;
	if (*rest)
		return -EINVAL;
	*bytes = v;
	return 0;
}

int mo_parse_rate(const char *s, uint64_t *bytes_per_s)
{
	const char *rest;
	uint64_t v;
	int ret = mo_parse_scaled(s, &rest, &v);

	if (ret)
		return ret;
	if (*rest && strcmp(rest, "/s"))
		return -EINVAL;
	*bytes_per_s = v;
	return 0;
}

int mo_parse_duration_ms(const char *s, uint64_t *ms)
{
	static const struct {
		const char *suffix;
		uint64_t ms;
	} units[] = {
		{ "", 1 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 },
	};
	unsigned long long v;
	char *end;
	size_t i;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].suffix))
			continue;
		if (v > UINT64_MAX / units[i].ms)
			return -ERANGE;
		*ms = v * units[i].ms;
		return 0;
	}
	return -EINVAL;
}

const char *mo_fmt_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	double v = (double)bytes;
	int i = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64, bytes);
		return buf;
	}
	while (v >= 1024 && i < 5) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, v < 10 ? "%.1f%c" : "%.0f%c", v, units[i]);
	return buf;
}
