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
#include <sys/stat.h>
#include <unistd.h>

#include "memowner_client.h"

static const char *slab_dir(void)
{
	const char *d = getenv("MEMOWNER_SYSFS_SLAB");	/* tests */

	return d && *d ? d : "/sys/kernel/slab";
}

/*
 * Where the name @name leads in /sys/kernel/slab, into @buf: its link's
 * target (the unique id of a mergeable cache), or @name itself for a
 * directory (a cache that is never merged).  0, or -errno (-ENOENT: no
 * such name).  One readlink() or lstat(): reading sysfs makes the kernel
 * keep a dentry and an inode for each name it looks up, so that a query
 * which does not need them must not walk the whole directory.
 */
static int slab_target(const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s", slab_dir(), name);
	n = readlink(path, buf, len - 1);
	if (n >= 0) {
		buf[n] = '\0';
		return 0;
	}
	if (errno != EINVAL)
		return -errno;
	if (lstat(path, &st))
		return -errno;
	snprintf(buf, len, "%s", name);
	return 0;
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

void mo_slab_links_free(struct mo_slab_link *links, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(links[i].name);
		free(links[i].target);
	}
	free(links);
}

int mo_slab_links(struct mo_slab_link **links, size_t *n)
{
	struct mo_slab_link *v = NULL;
	char got[PATH_MAX];
	size_t nr = 0, cap = 0;
	struct dirent *e;
	DIR *d;

	*links = NULL;
	*n = 0;
	d = opendir(slab_dir());
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		/* Names are links; the unique ids (":0000200") are not names. */
		if ((e->d_type != DT_LNK && e->d_type != DT_UNKNOWN) ||
		    e->d_name[0] == '.' || e->d_name[0] == ':' ||
		    slab_target(e->d_name, got, sizeof(got)) ||
		    !strcmp(got, e->d_name))
			continue;
		if (nr == cap) {
			struct mo_slab_link *nv;

			cap = cap ? 2 * cap : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto nomem;
			v = nv;
		}
		v[nr].name = strdup(e->d_name);
		v[nr].target = strdup(got);
		nr++;
		if (!v[nr - 1].name || !v[nr - 1].target)
			goto nomem;
	}
	closedir(d);
	*links = v;
	*n = nr;
	return 0;
nomem:
	closedir(d);
	mo_slab_links_free(v, nr);
	return -ENOMEM;
}

int mo_slab_names_in(const struct mo_slab_link *links, size_t nlinks,
		     const char *name, char ***names, size_t *n)
{
	char want[PATH_MAX], **v;
	size_t i, nr = 0;
	int ret;

	*names = NULL;
	*n = 0;
	ret = slab_target(name, want, sizeof(want));
	if (ret)
		return ret == -ENOENT ? 0 : ret;
	v = calloc(nlinks + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	/* A directory: a cache never merged, known by this name alone. */
	if (!strcmp(want, name)) {
		v[nr] = strdup(name);
		if (!v[nr++])
			goto nomem;
	}
	for (i = 0; i < nlinks && strcmp(want, name); i++) {
		if (strcmp(links[i].target, want))
			continue;
		v[nr] = strdup(links[i].name);
		if (!v[nr++])
			goto nomem;
	}
	qsort(v, nr, sizeof(*v), cmp_str);
	*names = v;
	*n = nr;
	return 0;
nomem:
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
	char target[PATH_MAX];
	struct mo_slab_link *links;
	size_t nlinks, i;
	int ret;

	snprintf(buf, len, "%s", name);
	/* The name of a cache, or of no cache sysfs knows: as given. */
	ret = slabinfo_has(name);
	if (ret == 1 || slab_target(name, target, sizeof(target)) ||
	    !strcmp(target, name))
		return 0;
	if (ret < 0)
		return ret;	/* /proc/slabinfo is root's */
	/* An alias: the name of its cache is the one slabinfo lists. */
	ret = mo_slab_links(&links, &nlinks);
	if (ret)
		return ret;
	for (i = 0; i < nlinks; i++) {
		if (!strcmp(links[i].target, target) &&
		    slabinfo_has(links[i].name) == 1) {
			snprintf(buf, len, "%s", links[i].name);
			break;
		}
	}
	mo_slab_links_free(links, nlinks);
	return 0;
}
