// SPDX-License-Identifier: GPL-2.0
/*
 * memowner export --format folded|pprof|json: every tracked stack with its
 * counters, for the tools people already use on profiles -- flamegraph.pl,
 * inferno and speedscope (folded stacks), go tool pprof, Pyroscope and
 * Parca (pprof's profile.proto), and scripts (JSON).
 *
 * The data is one MEMOWNER_CMD_GET_STACKS dump (mo_dump_stacks()): per
 * stack its live bytes/pages/objects and its totals since load or RESET,
 * and its frames symbolized by the kernel as "%pS" prints them:
 * "func+0x1e/0x40 [mod]" ("[mod]" only for a module, "?" when nothing
 * names the address).  The frames come leaf first: the module's unwinder
 * (mo_unwind() in module/track.h) walks from the allocation outwards,
 * skips memowner's and the page allocator's own frames, and stores the
 * owner's frame -- the allocation site -- first, then its callers;
 * netlink.c's put_frames() sends them in that stored order.
 *
 * folded wants the root first, pprof the leaf first (location_id[0] is the
 * leaf), JSON keeps the kernel's order and says so.
 *
 * In mode=sample the kernel already weighs each sampled allocation by the
 * inverse of its sampling probability: the counters of the dump are
 * estimates of the true values, to be used as they are.  Nothing is scaled
 * again here; the pprof profile records the sampling period and a comment.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "cli.h"
#include "profile.pb-c.h"

enum exp_format { FMT_FOLDED, FMT_PPROF, FMT_JSON };

/* What a folded line counts; for pprof, the default sample type. */
enum exp_value {
	VAL_BYTES,		/* live bytes: pprof inuse_space */
	VAL_OBJECTS,		/* live objects: inuse_objects */
	VAL_PAGES,		/* live pages (no pprof sample type) */
	VAL_ALLOCS,		/* allocations since load/RESET: alloc_objects */
	VAL_ALLOC_BYTES,	/* bytes allocated since load/RESET: alloc_space */
	VAL_EXTFRAG,		/* fragmenting page-allocator fallbacks (no pprof type) */
};

static const struct {
	const char *name;	/* --value name */
	const char *pprof;	/* pprof sample type, also accepted */
	int index;		/* in the pprof sample types, -1: none */
} exp_values[] = {
	[VAL_BYTES]	  = { "bytes", "inuse_space", 0 },
	[VAL_OBJECTS]	  = { "objects", "inuse_objects", 1 },
	[VAL_PAGES]	  = { "pages", NULL, -1 },
	[VAL_ALLOCS]	  = { "allocs", "alloc_objects", 3 },
	[VAL_ALLOC_BYTES] = { "alloc-bytes", "alloc_space", 2 },
	[VAL_EXTFRAG]	  = { "extfrag", NULL, -1 },
};

#define NR_VALUES (sizeof(exp_values) / sizeof(exp_values[0]))

/* The pprof sample types, in this order (index above). */
static const char *const pprof_types[][2] = {
	{ "inuse_space", "bytes" },
	{ "inuse_objects", "count" },
	{ "alloc_space", "bytes" },
	{ "alloc_objects", "count" },
};

#define NR_PPROF_TYPES 4

static uint64_t rec_value(const struct mo_stack_rec *r, enum exp_value v)
{
	switch (v) {
	case VAL_BYTES:
		return r->live_bytes;
	case VAL_OBJECTS:
		return r->live_objects;
	case VAL_PAGES:
		return r->live_pages;
	case VAL_ALLOCS:
		return r->allocs;
	case VAL_ALLOC_BYTES:
		return r->bytes_allocated;
	case VAL_EXTFRAG:
		return r->extfrag;
	}
	return 0;
}

/* ---- frames ------------------------------------------------------------ */

/* KSYM_NAME_LEN is 512 since 6.1 (Rust symbols). */
struct exp_sym {
	char func[512];
	char off[64];		/* "0x1e/0x40", or "" */
	char mod[64];		/* module name, "" for the kernel image */
};

/*
 * Split a frame as the kernel prints it with %pS: "func+0x1e/0x40 [mod]".
 * With CONFIG_STACKTRACE_BUILD_ID the module part is "[mod buildid]": only
 * the module's name is kept.  Symbol names hold no space, so the first
 * space starts the module part.
 */
static void parse_frame(const char *s, struct exp_sym *y)
{
	const char *sp = strchr(s, ' '), *plus;
	size_t symlen = sp ? (size_t)(sp - s) : strlen(s);

	y->mod[0] = '\0';
	y->off[0] = '\0';
	if (sp && sp[1] == '[') {
		const char *m = sp + 2;

		snprintf(y->mod, sizeof(y->mod), "%.*s",
			 (int)strcspn(m, " ]"), m);
	}
	plus = memrchr(s, '+', symlen);
	if (plus) {
		snprintf(y->off, sizeof(y->off), "%.*s",
			 (int)(s + symlen - plus - 1), plus + 1);
		symlen = plus - s;
	}
	snprintf(y->func, sizeof(y->func), "%.*s", (int)symlen, s);
	if (!y->func[0])
		snprintf(y->func, sizeof(y->func), "?");
}

/* ---- a growing string, a string map ------------------------------------- */

struct sbuf {
	char *s;
	size_t len, cap;
};

static int sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (b->len + n + 1 > cap)
			cap *= 2;
		p = realloc(b->s, cap);
		if (!p)
			return -ENOMEM;
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

static int sbuf_str(struct sbuf *b, const char *s)
{
	return sbuf_add(b, s, strlen(s));
}

/*
 * Strings to small integers (open addressing, FNV-1a): folded lines to
 * their slot, pprof strings, functions, locations and mappings to their
 * index or id.  Thousands of stacks of 16 frames make a linear search too
 * slow.
 */
struct smap {
	struct smap_ent {
		char *key;
		size_t val;
	} *e;
	size_t cap, n;
};

static uint64_t smap_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static int smap_grow(struct smap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 256, i, j;
	struct smap_ent *e = calloc(cap, sizeof(*e));

	if (!e)
		return -ENOMEM;
	for (i = 0; i < m->cap; i++) {
		if (!m->e[i].key)
			continue;
		for (j = smap_hash(m->e[i].key) & (cap - 1); e[j].key;
		     j = (j + 1) & (cap - 1))
			;
		e[j] = m->e[i];
	}
	free(m->e);
	m->e = e;
	m->cap = cap;
	return 0;
}

/*
 * The value of @key, or @val stored under a copy of @key when it is new
 * (*@added says which).  Returns a pointer to the stored value, NULL on
 * ENOMEM.
 */
static size_t *smap_get(struct smap *m, const char *key, size_t val,
			int *added)
{
	size_t i;

	*added = 0;
	if ((m->n + 1) * 2 > m->cap && smap_grow(m))
		return NULL;
	for (i = smap_hash(key) & (m->cap - 1); m->e[i].key;
	     i = (i + 1) & (m->cap - 1))
		if (!strcmp(m->e[i].key, key))
			return &m->e[i].val;
	m->e[i].key = strdup(key);
	if (!m->e[i].key)
		return NULL;
	m->e[i].val = val;
	m->n++;
	*added = 1;
	return &m->e[i].val;
}

static void smap_free(struct smap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->e[i].key);
	free(m->e);
	m->e = NULL;
	m->cap = m->n = 0;
}

/* Append @p to a growing array of pointers. */
static int ptr_push(void *arrp, size_t *n, size_t *cap, void *p)
{
	void ***arr = arrp;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		void **a = realloc(*arr, c * sizeof(*a));

		if (!a)
			return -ENOMEM;
		*arr = a;
		*cap = c;
	}
	(*arr)[(*n)++] = p;
	return 0;
}

/* ---- folded ------------------------------------------------------------- */

/*
 * Brendan Gregg's collapsed stacks: "root;caller;...;leaf VALUE", one line
 * per distinct stack, as stackcollapse-*.pl write them and flamegraph.pl,
 * inferno and speedscope read them (the value is what follows the last
 * space).
 *
 * A frame is the function name, without the +0x1e/0x40 offset (unless
 * --offsets) so that a flame graph has one box per function; a module's
 * function carries its module as "func_[mod]", after perf's
 * stackcollapse annotations ("func_[k]"): no frame holds a space, so even
 * a reader that splits on the first blank reads it right.  Stacks that
 * differ only by offsets fold into one line and add up.  ';' and blanks
 * cannot occur in kernel symbol names; should one ever come, it becomes
 * '_' rather than split a frame or a line.
 */
struct folded {
	enum exp_value value;
	int offsets;
	struct smap lines;	/* folded stack -> index in vals */
	uint64_t *vals;
	const char **keys;
	size_t n, cap;
	struct sbuf line;
};

static int folded_frame(struct sbuf *b, const char *raw, int offsets)
{
	struct exp_sym y;
	size_t start = b->len, i;
	int ret;

	parse_frame(raw, &y);
	ret = sbuf_str(b, y.func);
	if (!ret && offsets && y.off[0])
		ret = sbuf_str(b, "+") ?: sbuf_str(b, y.off);
	if (!ret && y.mod[0])
		ret = sbuf_str(b, "_[") ?: sbuf_str(b, y.mod) ?:
		      sbuf_str(b, "]");
	if (ret)
		return ret;
	for (i = start; i < b->len; i++)
		if (b->s[i] == ';' || (unsigned char)b->s[i] <= ' ' ||
		    b->s[i] == 0x7f)
			b->s[i] = '_';
	return 0;
}

static int folded_add(const struct mo_stack_rec *r, void *arg)
{
	struct folded *f = arg;
	uint64_t v = rec_value(r, f->value);
	size_t *slot;
	int i, added, ret = 0;

	/* A flame graph has nothing to draw for zero. */
	if (!v)
		return 0;
	f->line.len = 0;
	/* Root first: the kernel's order reversed. */
	for (i = (int)r->frames.nr - 1; i >= 0 && !ret; i--) {
		ret = folded_frame(&f->line, r->frames.frame[i], f->offsets);
		if (!ret && i)
			ret = sbuf_str(&f->line, ";");
	}
	if (!ret && !r->frames.nr)
		ret = sbuf_str(&f->line, "?");
	if (ret)
		return ret;
	slot = smap_get(&f->lines, f->line.s, f->n, &added);
	if (!slot)
		return -ENOMEM;
	if (!added) {
		f->vals[*slot] += v;
		return 0;
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 256;
		uint64_t *vals = realloc(f->vals, cap * sizeof(*vals));
		const char **keys;

		if (!vals)
			return -ENOMEM;
		f->vals = vals;
		keys = realloc(f->keys, cap * sizeof(*keys));
		if (!keys)
			return -ENOMEM;
		f->keys = keys;
		f->cap = cap;
	}
	f->vals[f->n] = v;
	f->keys[f->n] = NULL;	/* the map's copy, found when writing */
	f->n++;
	return 0;
}

static const struct folded *folded_sort_ctx;

/* Largest first, then by name: stable output that reads well in a pager. */
static int folded_cmp(const void *a, const void *b)
{
	const struct folded *f = folded_sort_ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (f->vals[x] != f->vals[y])
		return f->vals[x] > f->vals[y] ? -1 : 1;
	return strcmp(f->keys[x], f->keys[y]);
}

static int folded_write(struct folded *f, FILE *out)
{
	size_t i, *order;

	for (i = 0; i < f->lines.cap; i++)
		if (f->lines.e[i].key)
			f->keys[f->lines.e[i].val] = f->lines.e[i].key;
	order = malloc((f->n ? f->n : 1) * sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (i = 0; i < f->n; i++)
		order[i] = i;
	folded_sort_ctx = f;
	qsort(order, f->n, sizeof(*order), folded_cmp);
	for (i = 0; i < f->n; i++)
		fprintf(out, "%s %" PRIu64 "\n", f->keys[order[i]],
			f->vals[order[i]]);
	free(order);
	return 0;
}

static void folded_free(struct folded *f)
{
	smap_free(&f->lines);
	free(f->vals);
	free(f->keys);
	free(f->line.s);
}

/* ---- pprof -------------------------------------------------------------- */

/*
 * profile.proto (github.com/google/pprof, proto/profile.proto), gzipped.
 *
 * One Sample per stack, values in the order of pprof_types, its
 * location_id leaf first as pprof wants.  A Function per distinct (name,
 * module); modules are Mappings named as perf names them:
 * "[kernel.kallsyms]" for the kernel image (mapping 1, the "main binary"),
 * "[mod]" for a module.  pprof never tries to symbolize a mapping whose
 * name starts with '[', and has_functions says the names are already
 * there.  Each sample has a "source" label (slab, page, percpu, vmalloc,
 * mixed) for -tagfocus/-tagshow.
 *
 * Locations: by default one per Function, at address 0 -- a Location
 * without an address or line number could not tell two call sites of a
 * function apart anyway (pprof itself merges such Locations).  With
 * --addresses, one per raw address, and each Mapping's range spans its
 * addresses: for -addresses views, at the price of the kernel's layout
 * (KASLR) being written in the file, which is why it is not the default.
 * The kernel gives raw addresses only to CAP_SYSLOG readers with
 * kptr_restrict < 2.
 */
typedef Perftools__Profiles__Profile PProfile;
typedef Perftools__Profiles__Sample PSample;
typedef Perftools__Profiles__Location PLocation;
typedef Perftools__Profiles__Line PLine;
typedef Perftools__Profiles__Function PFunction;
typedef Perftools__Profiles__Mapping PMapping;
typedef Perftools__Profiles__ValueType PValueType;
typedef Perftools__Profiles__Label PLabel;

struct pprof {
	PProfile p;
	size_t cap_str, cap_sample, cap_loc, cap_func, cap_map;
	struct smap strs, locs, funcs, maps;
	PValueType types[NR_PPROF_TYPES], period_type;
	PValueType *type_ptrs[NR_PPROF_TYPES];
	int64_t source_key;
	int addresses;		/* --addresses */
	size_t no_addrs;	/* stacks the kernel gave no addresses for */
};

/* Index of @s in the string table, added when new; -1 on ENOMEM. */
static int64_t pp_str(struct pprof *pp, const char *s)
{
	size_t *idx;
	int added;

	idx = smap_get(&pp->strs, s, pp->p.n_string_table, &added);
	if (!idx)
		return -1;
	if (added) {
		char *copy = strdup(s);

		if (!copy || ptr_push(&pp->p.string_table, &pp->p.n_string_table,
				      &pp->cap_str, copy)) {
			free(copy);
			return -1;
		}
	}
	return *idx;
}

static uint64_t pp_mapping(struct pprof *pp, const char *mod);

static int pp_init(struct pprof *pp, int64_t time_ns, uint64_t period,
		   const char *const *comments, enum exp_value dflt)
{
	int64_t c, *cs;
	size_t i;

	memset(pp, 0, sizeof(*pp));
	pp->p = (PProfile)PERFTOOLS__PROFILES__PROFILE__INIT;
	if (pp_str(pp, "") != 0)	/* string_table[0] must be "" */
		return -ENOMEM;
	for (i = 0; i < NR_PPROF_TYPES; i++) {
		pp->types[i] = (PValueType)PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
		pp->types[i].type = pp_str(pp, pprof_types[i][0]);
		pp->types[i].unit = pp_str(pp, pprof_types[i][1]);
		if (pp->types[i].type < 0 || pp->types[i].unit < 0)
			return -ENOMEM;
		pp->type_ptrs[i] = &pp->types[i];
	}
	pp->p.sample_type = pp->type_ptrs;
	pp->p.n_sample_type = NR_PPROF_TYPES;
	pp->p.default_sample_type = pp->types[exp_values[dflt].index].type;
	pp->period_type = (PValueType)PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
	pp->period_type.type = pp_str(pp, "space");
	pp->period_type.unit = pp_str(pp, "bytes");
	pp->p.period_type = &pp->period_type;
	pp->p.period = period;
	pp->p.time_nanos = time_ns;
	pp->source_key = pp_str(pp, "source");
	if (pp->period_type.type < 0 || pp->period_type.unit < 0 ||
	    pp->source_key < 0)
		return -ENOMEM;
	/* The kernel image is the main "binary": mapping 1, pprof's File:. */
	if (!pp_mapping(pp, ""))
		return -ENOMEM;
	for (; *comments; comments++) {
		c = pp_str(pp, *comments);
		if (c < 0)
			return -ENOMEM;
		cs = realloc(pp->p.comment,
			     (pp->p.n_comment + 1) * sizeof(*cs));
		if (!cs)
			return -ENOMEM;
		pp->p.comment = cs;
		pp->p.comment[pp->p.n_comment++] = c;
	}
	return 0;
}

/* The Mapping id of module @mod ("" for the kernel image); 0 on ENOMEM. */
static uint64_t pp_mapping(struct pprof *pp, const char *mod)
{
	char name[80];
	size_t *id;
	PMapping *m;
	int added;

	if (mod[0])
		snprintf(name, sizeof(name), "[%s]", mod);
	else
		snprintf(name, sizeof(name), "[kernel.kallsyms]");
	id = smap_get(&pp->maps, name, pp->p.n_mapping + 1, &added);
	if (!id)
		return 0;
	if (!added)
		return *id;
	m = calloc(1, sizeof(*m));
	if (!m)
		return 0;
	*m = (PMapping)PERFTOOLS__PROFILES__MAPPING__INIT;
	m->id = *id;
	m->filename = pp_str(pp, name);
	m->has_functions = 1;
	if (m->filename < 0 ||
	    ptr_push(&pp->p.mapping, &pp->p.n_mapping, &pp->cap_map, m)) {
		free(m);
		return 0;
	}
	return m->id;
}

/* The Function id of @y; 0 on ENOMEM. */
static uint64_t pp_function(struct pprof *pp, const struct exp_sym *y)
{
	char key[sizeof(y->func) + sizeof(y->mod) + 4];
	PFunction *fn;
	size_t *id;
	int added;

	snprintf(key, sizeof(key), "%s [%s]", y->func, y->mod);
	id = smap_get(&pp->funcs, key, pp->p.n_function + 1, &added);
	if (!id)
		return 0;
	if (!added)
		return *id;
	fn = calloc(1, sizeof(*fn));
	if (!fn)
		return 0;
	*fn = (PFunction)PERFTOOLS__PROFILES__FUNCTION__INIT;
	fn->id = *id;
	fn->name = pp_str(pp, y->func);
	fn->system_name = fn->name;
	if (fn->name < 0 ||
	    ptr_push(&pp->p.function, &pp->p.n_function, &pp->cap_func, fn)) {
		free(fn);
		return 0;
	}
	return fn->id;
}

/*
 * The Location id of frame @raw, at address @addr when it is known (not
 * 0); 0 on ENOMEM.
 */
static uint64_t pp_location(struct pprof *pp, const char *raw, uint64_t addr)
{
	char key[sizeof(((struct exp_sym *)0)->func) + 80];
	struct exp_sym y;
	PLocation *loc;
	PLine *line;
	size_t *id;
	int added;

	parse_frame(raw, &y);
	if (addr)
		snprintf(key, sizeof(key), "0x%" PRIx64, addr);
	else
		snprintf(key, sizeof(key), "%s [%s]", y.func, y.mod);
	id = smap_get(&pp->locs, key, pp->p.n_location + 1, &added);
	if (!id)
		return 0;
	if (!added)
		return *id;
	loc = calloc(1, sizeof(*loc) + sizeof(*line) + sizeof(line));
	if (!loc)
		return 0;
	/* One allocation: the Location, its Line, the Line pointer array. */
	line = (PLine *)(loc + 1);
	*loc = (PLocation)PERFTOOLS__PROFILES__LOCATION__INIT;
	*line = (PLine)PERFTOOLS__PROFILES__LINE__INIT;
	loc->id = *id;
	loc->address = addr;
	/* A frame nothing names ("?") belongs to no known mapping. */
	if (strcmp(y.func, "?")) {
		PMapping *m;

		loc->mapping_id = pp_mapping(pp, y.mod);
		if (!loc->mapping_id)
			goto fail;
		/* Mapping ids are their index + 1. */
		m = pp->p.mapping[loc->mapping_id - 1];
		if (addr && (!m->memory_start || addr < m->memory_start))
			m->memory_start = addr;
		if (addr && addr >= m->memory_limit)
			m->memory_limit = addr + 1;
	}
	line->function_id = pp_function(pp, &y);
	if (!line->function_id)
		goto fail;
	loc->line = (PLine **)(line + 1);
	loc->line[0] = line;
	loc->n_line = 1;
	if (ptr_push(&pp->p.location, &pp->p.n_location, &pp->cap_loc, loc))
		goto fail;
	return loc->id;
fail:
	free(loc);
	return 0;
}

static int pprof_add(const struct mo_stack_rec *r, void *arg)
{
	struct pprof *pp = arg;
	PSample *s;
	PLabel *label;
	unsigned int i;
	size_t sz;

	/* Nothing live and nothing allocated since RESET: no sample. */
	if (!r->live_bytes && !r->live_objects && !r->allocs &&
	    !r->bytes_allocated)
		return 0;
	/* One allocation: the Sample, its label, values, locations. */
	sz = sizeof(*s) + sizeof(*label) + sizeof(label) +
	     NR_PPROF_TYPES * sizeof(int64_t) +
	     (r->frames.nr ? r->frames.nr : 1) * sizeof(uint64_t);
	s = calloc(1, sz);
	if (!s)
		return -ENOMEM;
	label = (PLabel *)(s + 1);
	*s = (PSample)PERFTOOLS__PROFILES__SAMPLE__INIT;
	*label = (PLabel)PERFTOOLS__PROFILES__LABEL__INIT;
	s->label = (PLabel **)(label + 1);
	s->value = (int64_t *)(s->label + 1);
	s->location_id = (uint64_t *)(s->value + NR_PPROF_TYPES);

	label->key = pp->source_key;
	label->str = pp_str(pp, mo_source_name(r->source));
	if (label->str < 0)
		goto nomem;
	s->label[0] = label;
	s->n_label = 1;
	/* In the order of pprof_types. */
	s->value[0] = r->live_bytes;
	s->value[1] = r->live_objects;
	s->value[2] = r->bytes_allocated;
	s->value[3] = r->allocs;
	s->n_value = NR_PPROF_TYPES;
	if (pp->addresses && r->frames.nr && r->nr_addrs != r->frames.nr)
		pp->no_addrs++;
	/* Leaf first, as the kernel lists them and pprof wants them. */
	for (i = 0; i < r->frames.nr; i++) {
		uint64_t addr = pp->addresses && r->nr_addrs == r->frames.nr ?
				r->addrs[i] : 0;

		s->location_id[i] = pp_location(pp, r->frames.frame[i], addr);
		if (!s->location_id[i])
			goto nomem;
	}
	s->n_location_id = r->frames.nr;
	if (ptr_push(&pp->p.sample, &pp->p.n_sample, &pp->cap_sample, s))
		goto nomem;
	return 0;
nomem:
	free(s);
	return -ENOMEM;
}

/* A ProtobufCBuffer that deflates what is packed into it as gzip. */
struct gz_buffer {
	ProtobufCBuffer base;
	z_stream z;
	FILE *out;
	int err;
};

static void gz_write(struct gz_buffer *g, int flush)
{
	unsigned char chunk[65536];
	int zr;

	do {
		g->z.next_out = chunk;
		g->z.avail_out = sizeof(chunk);
		zr = deflate(&g->z, flush);
		if (zr == Z_STREAM_ERROR) {
			g->err = -EIO;
			return;
		}
		if (fwrite(chunk, 1, sizeof(chunk) - g->z.avail_out, g->out) !=
		    sizeof(chunk) - g->z.avail_out) {
			g->err = -errno ?: -EIO;
			return;
		}
	} while (g->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
}

static void gz_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
	struct gz_buffer *g = (struct gz_buffer *)b;

	if (g->err)
		return;
	g->z.next_in = (uint8_t *)data;
	g->z.avail_in = len;
	gz_write(g, Z_NO_FLUSH);
}

static int pprof_write(struct pprof *pp, FILE *out)
{
	struct gz_buffer g = { .base.append = gz_append, .out = out };

	/* windowBits 15 + 16: a gzip header and trailer, as pprof expects. */
	if (deflateInit2(&g.z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	perftools__profiles__profile__pack_to_buffer(&pp->p, &g.base);
	if (!g.err) {
		g.z.next_in = NULL;
		g.z.avail_in = 0;
		gz_write(&g, Z_FINISH);
	}
	deflateEnd(&g.z);
	return g.err;
}

static void pprof_free(struct pprof *pp)
{
	size_t i;

	/* Samples and locations carry their parts in the same allocation. */
	for (i = 0; i < pp->p.n_sample; i++)
		free(pp->p.sample[i]);
	for (i = 0; i < pp->p.n_location; i++)
		free(pp->p.location[i]);
	for (i = 0; i < pp->p.n_function; i++)
		free(pp->p.function[i]);
	for (i = 0; i < pp->p.n_mapping; i++)
		free(pp->p.mapping[i]);
	for (i = 0; i < pp->p.n_string_table; i++)
		free(pp->p.string_table[i]);
	free(pp->p.sample);
	free(pp->p.location);
	free(pp->p.function);
	free(pp->p.mapping);
	free(pp->p.string_table);
	free(pp->p.comment);
	smap_free(&pp->strs);
	smap_free(&pp->locs);
	smap_free(&pp->funcs);
	smap_free(&pp->maps);
}

/* ---- output ------------------------------------------------------------- */

/*
 * -o FILE is written to a temporary file in the same directory and renamed
 * over FILE once complete: a reader (a Pyroscope agent, a cron'd
 * flamegraph) never sees half a profile, and a failed export leaves the
 * old file in place.
 */
struct exp_out {
	const char *path;	/* NULL: stdout */
	char *tmp;
	FILE *f;
};

static int out_open(struct exp_out *o)
{
	mode_t mask;
	int fd;

	if (!o->path) {
		o->f = stdout;
		return 0;
	}
	if (asprintf(&o->tmp, "%s.XXXXXX", o->path) < 0) {
		o->tmp = NULL;
		return -ENOMEM;
	}
	fd = mkstemp(o->tmp);
	if (fd < 0)
		return -errno;
	/* mkstemp makes 0600; give what a plain create would. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) || !(o->f = fdopen(fd, "w"))) {
		int err = -errno;

		close(fd);
		unlink(o->tmp);
		return err;
	}
	return 0;
}

/* Finish (@ok) or abandon the output; 0 or -errno. */
static int out_close(struct exp_out *o, int ok)
{
	int err = 0;

	if (!o->f)
		goto out;
	if (fflush(o->f) || ferror(o->f))
		err = -(errno ?: EIO);
	if (o->f != stdout && fclose(o->f) && !err)
		err = -errno;
	if (o->tmp) {
		if (ok && !err && rename(o->tmp, o->path))
			err = -errno;
		if (!ok || err)
			unlink(o->tmp);
	}
out:
	free(o->tmp);
	o->tmp = NULL;
	o->f = NULL;
	return err;
}

/* ---- json --------------------------------------------------------------- */

/*
 * The document is begun by the first stack, or after a dump that had none:
 * mo_dump_stacks() calls back only once the whole dump arrived, so a
 * failed dump writes nothing rather than a valid-looking empty document.
 */
struct json_out {
	struct mo_json j;
	struct exp_out *out;
	const struct memowner_info *info;
	const char *version, *sources;
	uint64_t min_bytes, time_ns;
	int addresses;		/* --addresses */
	size_t no_addrs;
	int begun;
};

static int json_begin(struct json_out *jo)
{
	struct mo_json *j = &jo->j;
	int ret = out_open(jo->out);

	if (ret)
		return ret;
	jo->begun = 1;
	mo_json_init(j, jo->out->f);
	mo_json_obj_begin(j, NULL);
	mo_json_str(j, "version", jo->version);
	mo_json_str(j, "mode", mo_mode_name(jo->info->mode));
	mo_json_u64(j, "sample_bytes", jo->info->sample_bytes);
	mo_json_str(j, "sources", jo->sources);
	mo_json_u64(j, "min_bytes", jo->min_bytes);
	mo_json_u64(j, "time_ns", jo->time_ns);
	mo_json_str(j, "frame_order", "leaf_first");
	mo_json_arr_begin(j, "stacks");
	return 0;
}

static void json_finish(struct json_out *jo)
{
	mo_json_arr_end(&jo->j);
	mo_json_obj_end(&jo->j);
	mo_json_end(&jo->j);
}

static int json_add(const struct mo_stack_rec *r, void *arg)
{
	struct json_out *jo = arg;
	struct mo_json *j = &jo->j;
	int addrs = jo->addresses && r->nr_addrs == r->frames.nr;
	struct exp_sym y;
	unsigned int i;
	char hex[24];
	int ret;

	if (!jo->begun && (ret = json_begin(jo)))
		return ret;
	if (jo->addresses && r->frames.nr && !addrs)
		jo->no_addrs++;
	mo_json_obj_begin(j, NULL);
	mo_json_u64(j, "id", r->id);
	mo_json_str(j, "source", mo_source_name(r->source));
	mo_json_u64(j, "live_bytes", r->live_bytes);
	mo_json_u64(j, "live_pages", r->live_pages);
	mo_json_u64(j, "live_objects", r->live_objects);
	mo_json_u64(j, "allocs", r->allocs);
	mo_json_u64(j, "frees", r->frees);
	mo_json_u64(j, "bytes_allocated", r->bytes_allocated);
	mo_json_u64(j, "extfrag", r->extfrag);
	mo_json_u64(j, "backing_bytes", r->backing_bytes);
	mo_json_arr_begin(j, "frames");
	for (i = 0; i < r->frames.nr; i++) {
		char *slash;

		parse_frame(r->frames.frame[i], &y);
		mo_json_obj_begin(j, NULL);
		mo_json_str(j, "symbol", r->frames.frame[i]);
		mo_json_str(j, "function", y.func);
		/* "0x1e/0x40": offset in the function, its size. */
		slash = strchr(y.off, '/');
		if (y.off[0] && slash) {
			mo_json_u64(j, "offset", strtoull(y.off, NULL, 16));
			mo_json_u64(j, "size", strtoull(slash + 1, NULL, 16));
		}
		if (strcmp(y.func, "?"))
			mo_json_str(j, "module", y.mod[0] ? y.mod : "vmlinux");
		/* A string: JSON numbers above 2^53 lose bits in many readers. */
		if (addrs) {
			snprintf(hex, sizeof(hex), "0x%" PRIx64, r->addrs[i]);
			mo_json_str(j, "address", hex);
		}
		mo_json_obj_end(j);
	}
	mo_json_arr_end(j);
	mo_json_obj_end(j);
	return 0;
}

/* ---- the command -------------------------------------------------------- */

static int parse_value(const char *s, enum exp_value *v)
{
	size_t i;

	for (i = 0; i < NR_VALUES; i++)
		if (!strcmp(s, exp_values[i].name) ||
		    (exp_values[i].pprof && !strcmp(s, exp_values[i].pprof))) {
			*v = i;
			return 0;
		}
	return -EINVAL;
}

static void fmt_version(uint32_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u", v >> 16, (v >> 8) & 0xff, v & 0xff);
}

static int cmd_export(const struct cli_opts *o, int argc, char **argv)
{
	enum { OPT_OFFSETS = 256, OPT_ADDRESSES };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "source", required_argument, NULL, 's' },
		{ "min-bytes", required_argument, NULL, 'm' },
		{ "value", required_argument, NULL, 'v' },
		{ "sample-type", required_argument, NULL, 'v' },
		{ "offsets", no_argument, NULL, OPT_OFFSETS },
		{ "addresses", no_argument, NULL, OPT_ADDRESSES },
		{ NULL, 0, NULL, 0 },
	};
	enum exp_format fmt = o->json ? FMT_JSON : FMT_FOLDED;
	enum exp_value value = VAL_BYTES;
	struct exp_out out = { 0 };
	struct memowner_info info;
	uint32_t sources = 0;
	uint64_t min_bytes = 0;
	struct timespec now;
	int opt, ret, offsets = 0, addresses = 0, have_fmt = 0;
	size_t no_addrs = 0;
	uint64_t time_ns;
	char extack[256] = "", ver[32], srcs[64], buf[256];
	struct mo_genl g;

	while ((opt = getopt_long(argc, argv, "f:o:s:m:v:", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (!strcmp(optarg, "folded")) {
				fmt = FMT_FOLDED;
			} else if (!strcmp(optarg, "pprof")) {
				fmt = FMT_PPROF;
			} else if (!strcmp(optarg, "json")) {
				fmt = FMT_JSON;
			} else {
				fprintf(stderr, "memowner: export: unknown format '%s' (folded, pprof, json)\n",
					optarg);
				return CLI_USAGE;
			}
			have_fmt = 1;
			break;
		case 'o':
			out.path = strcmp(optarg, "-") ? optarg : NULL;
			break;
		case 's':
			if (mo_parse_sources(optarg, &sources)) {
				fprintf(stderr, "memowner: export: bad source list '%s' (slab,page,percpu,vmalloc or all)\n",
					optarg);
				return CLI_USAGE;
			}
			break;
		case 'm':
			if (mo_parse_bytes(optarg, &min_bytes)) {
				fprintf(stderr, "memowner: export: bad byte count '%s' (e.g. 4096, 512K, 1.5M)\n",
					optarg);
				return CLI_USAGE;
			}
			break;
		case 'v':
			if (parse_value(optarg, &value)) {
				fprintf(stderr, "memowner: export: unknown value '%s' (bytes, objects, pages, allocs, alloc-bytes, extfrag)\n",
					optarg);
				return CLI_USAGE;
			}
			break;
		case OPT_OFFSETS:
			offsets = 1;
			break;
		case OPT_ADDRESSES:
			addresses = 1;
			break;
		default:
			return CLI_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "memowner: export: unexpected argument '%s'\n",
			argv[optind]);
		return CLI_USAGE;
	}
	if (o->json && have_fmt && fmt != FMT_JSON) {
		fprintf(stderr, "memowner: export: --json conflicts with --format %s\n",
			fmt == FMT_PPROF ? "pprof" : "folded");
		return CLI_USAGE;
	}
	if (fmt == FMT_PPROF && exp_values[value].index < 0) {
		fprintf(stderr, "memowner: export: pprof has no sample type for '%s' (inuse_space, inuse_objects, alloc_space, alloc_objects)\n",
			exp_values[value].name);
		return CLI_USAGE;
	}
	if (fmt == FMT_PPROF && !out.path && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "memowner: export: pprof output is gzip data: use -o FILE or redirect stdout\n");
		return CLI_USAGE;
	}

	/* GET_INFO: the mode and sampling period to record with the data. */
	if (cli_get_info(&info))
		return 1;
	if (cli_open_genl(&g))
		return 1;
	clock_gettime(CLOCK_REALTIME, &now);
	time_ns = (uint64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	fmt_version(info.version, ver, sizeof(ver));
	mo_sources_str(sources ? sources : info.sources, srcs, sizeof(srcs));

	/*
	 * Each format takes the whole dump first and opens the output only
	 * then: a failed dump leaves no file and prints nothing.
	 */
	if (fmt == FMT_FOLDED) {
		struct folded f = { .value = value, .offsets = offsets };

		ret = mo_dump_stacks(&g, sources, min_bytes, folded_add, &f,
				     extack, sizeof(extack));
		if (!ret)
			ret = out_open(&out);
		if (!ret)
			ret = folded_write(&f, out.f);
		folded_free(&f);
	} else if (fmt == FMT_PPROF) {
		int sampled = info.mode == MEMOWNER_MODE_SAMPLE;
		char head[160], mode[200];
		const char *comments[] = { head, mode, NULL };
		struct pprof pp;

		snprintf(head, sizeof(head),
			 "memowner %s: kernel memory by allocation stack, sources %s",
			 ver, srcs);
		if (sampled)
			snprintf(mode, sizeof(mode),
				 "mode=sample, one sample per %llu bytes on average: values are estimates, already weighted by the kernel",
				 (unsigned long long)info.sample_bytes);
		else
			snprintf(mode, sizeof(mode), "mode=%s: exact values",
				 mo_mode_name(info.mode));
		ret = pp_init(&pp, time_ns, sampled ? info.sample_bytes : 0,
			      comments, value);
		pp.addresses = addresses;
		if (!ret)
			ret = mo_dump_stacks(&g, sources, min_bytes, pprof_add,
					     &pp, extack, sizeof(extack));
		if (!ret)
			ret = out_open(&out);
		if (!ret)
			ret = pprof_write(&pp, out.f);
		no_addrs = pp.no_addrs;
		pprof_free(&pp);
	} else {
		struct json_out jo = {
			.out = &out, .info = &info, .version = ver,
			.sources = srcs, .min_bytes = min_bytes,
			.time_ns = time_ns, .addresses = addresses,
		};

		ret = mo_dump_stacks(&g, sources, min_bytes, json_add, &jo,
				     extack, sizeof(extack));
		if (!ret && !jo.begun)
			ret = json_begin(&jo);
		if (jo.begun)
			json_finish(&jo);
		no_addrs = jo.no_addrs;
	}
	mo_genl_close(&g);
	ret = out_close(&out, !ret) ?: ret;
	if (ret) {
		snprintf(buf, sizeof(buf), "export%s%s", out.path ? " to " : "",
			 out.path ? out.path : "");
		return cli_fail_extack(buf, ret, extack);
	}
	if (no_addrs)
		fprintf(stderr, "memowner: export: --addresses: the kernel gave no raw addresses for %zu stacks (they need CAP_SYSLOG and kernel.kptr_restrict < 2)\n",
			no_addrs);
	return 0;
}

const struct cli_cmd cli_cmd_export = {
	.name = "export",
	.args = "[--format folded|pprof|json] [-o FILE] [--source LIST] [--min-bytes N] [--value KEY] [--offsets] [--addresses]",
	.summary = "export stacks for flame graphs (folded), pprof, or as JSON",
	.help =
"DESCRIPTION\n"
"  Write every stack memowner tracks, with its counters, in a format that\n"
"  profile tools read: folded stacks for flamegraph.pl, inferno and\n"
"  speedscope; a gzipped pprof profile for go tool pprof, Pyroscope and\n"
"  Parca; or JSON for scripts.  The data is one consistent dump of the\n"
"  stack table (netlink GET_STACKS).\n"
"\n"
"OPTIONS\n"
"  -f, --format FMT\n"
"         folded (default), pprof or json.  'memowner --json export' is\n"
"         --format json.\n"
"  -o, --output FILE\n"
"         Write to FILE instead of standard output ('-': standard\n"
"         output).  FILE is replaced atomically once complete: written to\n"
"         FILE.XXXXXX, then renamed.  pprof data is not written to a\n"
"         terminal.\n"
"  -s, --source LIST\n"
"         Only stacks of these sources: a comma list of slab, page, percpu,\n"
"         vmalloc, or all (default).\n"
"  -m, --min-bytes N\n"
"         Only stacks holding at least N live bytes (4096, 512K, 1.5M, 2G).\n"
"  -v, --value KEY, --sample-type KEY\n"
"         folded: what a line counts; pprof: the default sample type\n"
"         (the profile holds all four).  KEY is one of\n"
"           bytes        live bytes (default)     pprof inuse_space\n"
"           objects      live objects             pprof inuse_objects\n"
"           pages        live pages               (folded only)\n"
"           allocs       allocations              pprof alloc_objects\n"
"           alloc-bytes  bytes allocated          pprof alloc_space\n"
"           extfrag      fragmenting page-allocator fallbacks the stack\n"
"                        caused (folded only): who fragments memory\n"
"         The pprof names are accepted too.  allocs, alloc-bytes and\n"
"         extfrag count since the module was loaded or reset.\n"
"      --offsets\n"
"         folded: keep each frame's +0x1e/0x40 offset, so that a flame\n"
"         graph has one box per call site instead of one per function.\n"
"      --addresses\n"
"         pprof: a location per raw return address (for pprof\n"
"         -addresses), mappings spanning them; json: an \"address\" per\n"
"         frame.  The kernel gives them only to CAP_SYSLOG with\n"
"         kernel.kptr_restrict < 2, and they reveal its layout (KASLR):\n"
"         think twice before sharing such a file.  Without it, a pprof\n"
"         location is a function, at address 0.\n"
"\n"
"FORMATS\n"
"  folded   One line per stack: 'root;caller;...;leaf VALUE', root first,\n"
"           the leaf being the allocation site.  Frames are function names;\n"
"           a module's function is 'func_[module]' (after perf's 'func_[k]'),\n"
"           so that no frame holds a blank; ';' or blanks, which kernel\n"
"           symbols never hold, would become '_'.  Stacks that differ only\n"
"           by offsets are merged; lines with value 0 are left out; lines\n"
"           come largest first.\n"
"  pprof    profile.proto of github.com/google/pprof, gzipped.  Sample\n"
"           types inuse_space/bytes, inuse_objects/count, alloc_space/bytes,\n"
"           alloc_objects/count; one sample per stack (location 0 is the\n"
"           leaf) with a 'source' label; functions by name, each module a\n"
"           mapping ('[kernel.kallsyms]', '[module]'); period_type\n"
"           space/bytes.\n"
"  json     {\"version\", \"mode\", \"sample_bytes\", \"sources\", \"min_bytes\",\n"
"           \"time_ns\", \"frame_order\": \"leaf_first\", \"stacks\": [{\"id\",\n"
"           \"source\", \"live_bytes\", \"live_pages\", \"live_objects\", \"allocs\",\n"
"           \"frees\", \"bytes_allocated\", \"extfrag\", \"frames\": [{\"symbol\",\n"
"           \"function\", \"offset\", \"size\", \"module\" (\"vmlinux\" for the\n"
"           kernel image), \"address\" (--addresses)}]}]}, stacks by live\n"
"           bytes, largest first, frames leaf first.  --value and --offsets\n"
"           do not apply: every counter is there.\n"
"\n"
"NOTES\n"
"  In mode=sample the kernel weighs each sampled allocation by the inverse\n"
"  of its probability: the values are unbiased estimates and are exported\n"
"  as they are (pprof: period = sample_bytes, and a comment says so).\n"
"  The pages of slab caches are page allocations too: with the default\n"
"  sources, slab memory shows both as objects (under the stacks that\n"
"  allocated them) and as pages (under the stacks that grew the cache).\n"
"  Use --source slab,percpu,vmalloc or --source page to see one side.\n"
"\n"
"EXAMPLES\n"
"  memowner export > kmem.folded; flamegraph.pl --countname=bytes kmem.folded > kmem.svg\n"
"  memowner export --format pprof -o kmem.pb.gz; go tool pprof -top kmem.pb.gz\n"
"  memowner export --source slab --value objects | sort -k2 -n | tail\n"
"  memowner --json export --min-bytes 1M\n",
	.handler = cmd_export,
};
