// SPDX-License-Identifier: GPL-2.0
/*
 * libmemowner: the /dev/memowner ioctls beyond GET_INFO, and the stack
 * symbol cache (see memowner_client.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "memowner_client.h"

int mo_check_abi(const struct memowner_info *info)
{
	return info->abi_version == MEMOWNER_ABI_VERSION ? 0 : -EPROTO;
}

static int mo_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static int mo_snapshot_call(int fd, const struct mo_query *q,
			    struct memowner_row *rows, size_t max,
			    struct memowner_snapshot *s)
{
	char cache[MEMOWNER_NAME_LEN];

	/* Any name of a merged cache finds its objects. */
	if (q->cache)
		mo_slab_cache_name(q->cache, cache, sizeof(cache));
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	s->group = q->group;
	s->sort = q->sort;
	s->sources = q->sources;
	s->tgid = q->tgid;
	s->min_value = q->min_value;
	s->cache = q->cache ? (uintptr_t)cache : 0;
	s->module = (uintptr_t)q->module;
	s->rows = (uintptr_t)rows;
	s->row_size = sizeof(*rows);
	s->max_rows = max;
	return mo_ioctl(fd, MEMOWNER_IOC_SNAPSHOT, s);
}

int mo_snapshot(int fd, const struct mo_query *q, size_t max,
		struct memowner_row **rows, size_t *nr, uint64_t *total)
{
	struct memowner_snapshot s;
	struct memowner_row *buf = NULL;
	size_t want = max;
	int ret, tries;

	*rows = NULL;
	*nr = 0;
	if (max > MEMOWNER_SNAPSHOT_MAX_ROWS)
		max = want = MEMOWNER_SNAPSHOT_MAX_ROWS;
	/*
	 * Without a limit, ask for the count first, then leave room for
	 * owners that appear between the two calls; retry if still short.
	 */
	for (tries = 0; tries < 4; tries++) {
		if (!max) {
			ret = mo_snapshot_call(fd, q, NULL, 0, &s);
			if (ret)
				goto err;
			want = s.total + s.total / 8 + 16;
			if (want > MEMOWNER_SNAPSHOT_MAX_ROWS)
				want = MEMOWNER_SNAPSHOT_MAX_ROWS;
		}
		free(buf);
		buf = calloc(want ? want : 1, sizeof(*buf));
		if (!buf)
			return -ENOMEM;
		ret = mo_snapshot_call(fd, q, buf, want, &s);
		if (ret)
			goto err;
		if (max || s.nr_rows >= s.total || want >= MEMOWNER_SNAPSHOT_MAX_ROWS)
			break;
	}
	*rows = buf;
	*nr = s.nr_rows;
	if (total)
		*total = s.total;
	return 0;
err:
	free(buf);
	return ret;
}

int mo_mark(int fd, uint64_t *mark_ns)
{
	struct memowner_mark m = { .size = sizeof(m) };
	int ret = mo_ioctl(fd, MEMOWNER_IOC_MARK, &m);

	if (!ret && mark_ns)
		*mark_ns = m.mark_ns;
	return ret;
}

int mo_reset(int fd, uint64_t *reset_ns)
{
	struct memowner_reset r = { .size = sizeof(r) };
	int ret = mo_ioctl(fd, MEMOWNER_IOC_RESET, &r);

	if (!ret && reset_ns)
		*reset_ns = r.reset_ns;
	return ret;
}

int mo_set_config(int fd, struct memowner_config *c)
{
	c->size = sizeof(*c);
	return mo_ioctl(fd, MEMOWNER_IOC_SET_CONFIG, c);
}

int mo_threshold_add(int fd, struct memowner_threshold *t, const char *name,
		     uint32_t *id)
{
	int ret;

	t->size = sizeof(*t);
	t->owner_name = (uintptr_t)name;
	ret = mo_ioctl(fd, MEMOWNER_IOC_THRESHOLD_ADD, t);
	if (!ret && id)
		*id = t->id;
	return ret;
}

int mo_threshold_del(int fd, uint32_t id)
{
	struct memowner_threshold_id t = { .size = sizeof(t), .id = id };

	return mo_ioctl(fd, MEMOWNER_IOC_THRESHOLD_DEL, &t);
}

int mo_threshold_list(int fd, struct memowner_threshold_state **rules,
		      size_t *nr)
{
	struct memowner_threshold_state *buf;
	struct memowner_threshold_list l;
	int ret;

	*rules = NULL;
	*nr = 0;
	buf = calloc(MEMOWNER_MAX_THRESHOLDS, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.rules = (uintptr_t)buf;
	l.state_size = sizeof(*buf);
	l.max_rules = MEMOWNER_MAX_THRESHOLDS;
	ret = mo_ioctl(fd, MEMOWNER_IOC_THRESHOLD_LIST, &l);
	if (ret) {
		free(buf);
		return ret;
	}
	*rules = buf;
	*nr = l.nr_rules;
	return 0;
}

void mo_frames_free(struct mo_frames *f)
{
	unsigned int i;

	for (i = 0; i < f->nr; i++)
		free(f->frame[i]);
	free(f->frame);
	f->frame = NULL;
	f->nr = 0;
}

/* Split the one-frame-per-line text of GET_STACK into @f. */
static int mo_frames_from_text(char *text, struct mo_frames *f)
{
	char *line, *save = NULL;
	unsigned int n = 0;
	const char *p;

	for (p = text; *p; p++)
		n += *p == '\n';
	f->nr = 0;
	f->frame = calloc(n + 1, sizeof(*f->frame));
	if (!f->frame)
		return -ENOMEM;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		f->frame[f->nr] = strdup(line);
		if (!f->frame[f->nr]) {
			mo_frames_free(f);
			return -ENOMEM;
		}
		f->nr++;
	}
	return 0;
}

int mo_stack_get(int fd, uint32_t handle, struct mo_frames *f)
{
	struct memowner_stack s;
	size_t len = 4096;
	char *text = NULL;
	int ret, tries;

	f->nr = 0;
	f->frame = NULL;
	for (tries = 0; tries < 3; tries++) {
		free(text);
		text = calloc(1, len);
		if (!text)
			return -ENOMEM;
		memset(&s, 0, sizeof(s));
		s.size = sizeof(s);
		s.handle = handle;
		s.text = (uintptr_t)text;
		s.text_len = len;
		ret = mo_ioctl(fd, MEMOWNER_IOC_GET_STACK, &s);
		if (ret != -ENOSPC)
			break;
		len = s.text_len > len ? s.text_len : len * 2;
	}
	if (!ret)
		ret = mo_frames_from_text(text, f);
	free(text);
	return ret;
}

/*
 * Open addressing by handle; grown at half full.  The frames live in their
 * own allocation so that a pointer mo_symcache_get() returned stays valid
 * when a later call grows the table.
 */
struct mo_symcache {
	int fd;
	size_t cap, used;
	struct mo_symcache_ent {
		uint32_t handle;
		struct mo_frames *frames;	/* NULL: free slot */
	} *ents;
};

struct mo_symcache *mo_symcache_new(int fd)
{
	struct mo_symcache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = fd;
	c->cap = 256;
	c->ents = calloc(c->cap, sizeof(*c->ents));
	if (!c->ents) {
		free(c);
		return NULL;
	}
	return c;
}

static struct mo_symcache_ent *mo_symcache_slot(struct mo_symcache_ent *ents,
						size_t cap, uint32_t handle)
{
	size_t i = (handle * 2654435761u) & (cap - 1);

	while (ents[i].frames && ents[i].handle != handle)
		i = (i + 1) & (cap - 1);
	return &ents[i];
}

static int mo_symcache_grow(struct mo_symcache *c)
{
	struct mo_symcache_ent *ents, *e;
	size_t i, cap = c->cap * 2;

	ents = calloc(cap, sizeof(*ents));
	if (!ents)
		return -ENOMEM;
	for (i = 0; i < c->cap; i++) {
		if (!c->ents[i].frames)
			continue;
		e = mo_symcache_slot(ents, cap, c->ents[i].handle);
		*e = c->ents[i];
	}
	free(c->ents);
	c->ents = ents;
	c->cap = cap;
	return 0;
}

const struct mo_frames *mo_symcache_get(struct mo_symcache *c, uint32_t handle)
{
	struct mo_symcache_ent *e;
	struct mo_frames *f;
	int ret;

	e = mo_symcache_slot(c->ents, c->cap, handle);
	if (e->frames)
		return e->frames;
	f = calloc(1, sizeof(*f));
	if (!f) {
		errno = ENOMEM;
		return NULL;
	}
	if (c->fd >= 0) {
		ret = mo_stack_get(c->fd, handle, f);
	} else {
		int fd = mo_dev_open();

		ret = fd;
		if (fd >= 0) {
			ret = mo_stack_get(fd, handle, f);
			close(fd);
		}
	}
	if (ret) {
		free(f);
		errno = -ret;
		return NULL;
	}
	if (2 * (c->used + 1) > c->cap) {
		if (mo_symcache_grow(c)) {
			mo_frames_free(f);
			free(f);
			errno = ENOMEM;
			return NULL;
		}
		e = mo_symcache_slot(c->ents, c->cap, handle);
	}
	e->handle = handle;
	e->frames = f;
	c->used++;
	return f;
}

void mo_symcache_free(struct mo_symcache *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->cap; i++)
		if (c->ents[i].frames) {
			mo_frames_free(c->ents[i].frames);
			free(c->ents[i].frames);
		}
	free(c->ents);
	free(c);
}
