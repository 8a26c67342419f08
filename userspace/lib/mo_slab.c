// SPDX-License-Identifier: GPL-2.0
/*
 * libmemowner: the names of a slab cache (see memowner_client.h).
 *
 * SLUB merges a new cache into an existing one of the same object size and
 * compatible flags: kmem_cache_create("mydrv_cache", 200, ...) returns that
 * cache, and the cache keeps the name it was created with first -- the
 * name memowner (and /proc/slabinfo) reports for every object of it.  The
 * merge shows in sysfs only: each name of a mergeable cache is a symlink
 * in /sys/kernel/slab to the cache's directory (":0000200", a unique id),
 * so "mydrv_cache" and "ip4-frags" both lead there.  Its aliases are the
 * names that lead to the same directory; which of them the cache itself
 * is called is what /proc/slabinfo lists (one line per cache).  Both are
 * stable kernel ABI; nothing here looks at kernel memory.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memowner_client.h"

static const char *slab_dir(void)
{
	const char *d = getenv("MEMOWNER_SYSFS_SLAB");	/* tests */

	return d && *d ? d : "/sys/kernel/slab";
}

/* The directory @name leads to, into @buf; 0, or -errno (-ENOENT: none). */
static int slab_target(const char *name, char *buf)
{
	char path[PATH_MAX];

	if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s", slab_dir(), name);
	return realpath(path, buf) ? 0 : -errno;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void mo_slab_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int mo_slab_names(const char *name, char ***names, size_t *n)
{
	char want[PATH_MAX], got[PATH_MAX], **v = NULL;
	size_t nr = 0, cap = 0;
	struct dirent *e;
	DIR *d;
	int ret;

	*names = NULL;
	*n = 0;
	ret = slab_target(name, want);
	if (ret)
		return ret == -ENOENT ? 0 : ret;
	d = opendir(slab_dir());
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		/* Names only: the unique ids (":0000200") are not names. */
		if (e->d_name[0] == '.' || e->d_name[0] == ':' ||
		    slab_target(e->d_name, got) || strcmp(got, want))
			continue;
		if (nr == cap) {
			char **nv = realloc(v, (cap = cap ? 2 * cap : 8) * sizeof(*v));

			if (!nv)
				goto nomem;
			v = nv;
		}
		v[nr] = strdup(e->d_name);
		if (!v[nr])
			goto nomem;
		nr++;
	}
	closedir(d);
	qsort(v, nr, sizeof(*v), cmp_str);
	*names = v;
	*n = nr;
	return 0;
nomem:
	closedir(d);
	mo_slab_names_free(v, nr);
	return -ENOMEM;
}

/* Whether /proc/slabinfo lists a cache called @name: 1, 0, or -errno. */
static int slabinfo_has(const char *name)
{
	const char *path = getenv("MEMOWNER_SLABINFO");	/* tests */
	char line[512], first[256];
	int found = 0;
	FILE *f;

	f = fopen(path && *path ? path : "/proc/slabinfo", "re");
	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%255s", first) == 1 && !strcmp(first, name);
	fclose(f);
	return found;
}

int mo_slab_cache_name(const char *name, char *buf, size_t len)
{
	char **v;
	size_t n, i;
	int ret;

	snprintf(buf, len, "%s", name);
	ret = mo_slab_names(name, &v, &n);
	if (ret || n < 2) {
		/* Unknown to sysfs, or a cache with one name: as given. */
		mo_slab_names_free(v, n);
		return 0;
	}
	ret = -ENOENT;
	for (i = 0; i < n && ret; i++) {
		int has = slabinfo_has(v[i]);

		if (has < 0) {
			/* /proc/slabinfo is root's: the name as given. */
			ret = has;
			break;
		}
		if (has) {
			snprintf(buf, len, "%s", v[i]);
			ret = 0;
		}
	}
	mo_slab_names_free(v, n);
	return ret == -ENOENT ? 0 : ret;
}
