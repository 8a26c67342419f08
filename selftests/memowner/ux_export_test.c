// SPDX-License-Identifier: GPL-2.0
/*
 * memowner export: the test module's allocations, found in each format
 * with their exact values (memowner in mode=stack) and the allocating
 * function as the leaf of their stack.
 *
 *   folded  every line matches "frame(;frame)* N" (no blank in a frame,
 *           N > 0), root first, no stack twice; --value, --source,
 *           --min-bytes, --offsets;
 *   pprof   gzip magic, then decoded with protobuf-c's code generated from
 *           pprof's profile.proto: sample types and their order, default
 *           type, period type, string table, every id reference, the
 *           samples of the test module's functions (leaf first);
 *           in mode=sample, values as the kernel weighed them (no second
 *           scaling) and the period;
 *   json    parsed with json-c.
 *
 * The files go to $MEMOWNER_ARTIFACTS (export.folded, export.pb.gz,
 * export.json, and export.expect: the test module's truth for them) where
 * the host reads them with real outside tools (vm/host-checks/pprof.sh: go
 * tool pprof; json.sh: Python's json).
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <json-c/json.h>

#include "memowner_selftest.h"
#include "testlib.h"
#include "profile.pb-c.h"
#include "kselftest_harness.h"

#define KMALLOC_FN	"memowner_test_kmalloc"
#define PAGES_FN	"memowner_test_pages"
#define LEAF_FN		"memowner_test_paths_leaf"
/* How folded names a function of the test module. */
#define MOD_SUFFIX	"_[memowner_test]"

static const char *artifacts(void)
{
	const char *d = getenv("MEMOWNER_ARTIFACTS");

	return d && d[0] ? d : "/tmp";
}

static const char *memowner_bin(void)
{
	const char *b = getenv("MEMOWNER_BIN");

	return b && b[0] ? b : "memowner";
}

/* Create (or truncate) @path with @text; 0 or -1. */
static int create_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -1;
	ret = fputs(text, f) < 0 ? -1 : 0;
	return fclose(f) ? -1 : ret;
}

/*
 * Run "memowner ARGS" with stdout and stderr into files; its exit status
 * (-1 when it did not exit).  *@out and *@err (may be NULL) get what it
 * printed, to free.
 */
static int __attribute__((format(printf, 3, 4)))
run(char **out, char **err, const char *fmt, ...)
{
	char args[1024], cmd[1400];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s >/tmp/ux_export.out 2>/tmp/ux_export.err",
		 memowner_bin(), args);
	st = system(cmd);
	if (out)
		*out = read_file("/tmp/ux_export.out");
	if (err)
		*err = read_file("/tmp/ux_export.err");
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- folded --------------------------------------------------------------- */

struct fline {
	char *stack;		/* "a;b;c" */
	unsigned long long value;
};

struct folded {
	struct fline *l;
	int n;
	int bad;		/* lines not in the collapsed format */
	int dups;		/* stacks listed twice */
	char first_bad[256];
};

/*
 * Strict collapsed-stack syntax: frames of printable non-blank characters
 * but ';', joined by ';', one space, a positive decimal integer.
 */
#define FOLDED_RE "^[!-:<-~]+(;[!-:<-~]+)* [1-9][0-9]*$"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int parse_folded(const char *text, struct folded *f)
{
	char *copy = strdup(text), *line, *save = NULL, *sp, **sorted;
	regex_t re;
	int i;

	memset(f, 0, sizeof(*f));
	if (!copy || regcomp(&re, FOLDED_RE, REG_EXTENDED | REG_NOSUB))
		return -1;
	/* Every line ends with '\n', the last one too. */
	if (text[0] && text[strlen(text) - 1] != '\n')
		f->bad++;
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (regexec(&re, line, 0, NULL, 0)) {
			if (!f->bad++)
				snprintf(f->first_bad, sizeof(f->first_bad),
					 "%s", line);
			continue;
		}
		sp = strrchr(line, ' ');
		*sp = '\0';
		f->l = realloc(f->l, (f->n + 1) * sizeof(*f->l));
		f->l[f->n].stack = strdup(line);
		f->l[f->n].value = strtoull(sp + 1, NULL, 10);
		f->n++;
	}
	regfree(&re);
	free(copy);
	/* Stacks listed twice: neighbours once sorted. */
	sorted = calloc(f->n + 1, sizeof(*sorted));
	for (i = 0; i < f->n; i++)
		sorted[i] = f->l[i].stack;
	qsort(sorted, f->n, sizeof(*sorted), cmp_str);
	for (i = 1; i < f->n; i++)
		f->dups += !strcmp(sorted[i - 1], sorted[i]);
	free(sorted);
	return 0;
}

static void folded_free(struct folded *f)
{
	int i;

	for (i = 0; i < f->n; i++)
		free(f->l[i].stack);
	free(f->l);
}

static const char *leaf_of(const char *stack)
{
	const char *s = strrchr(stack, ';');

	return s ? s + 1 : stack;
}

/* Lines whose leaf is exactly @leaf: how many, their sum, the last one. */
static int leaf_lines(const struct folded *f, const char *leaf,
		      unsigned long long *sum, const char **line)
{
	int i, n = 0;

	*sum = 0;
	for (i = 0; i < f->n; i++)
		if (!strcmp(leaf_of(f->l[i].stack), leaf)) {
			n++;
			*sum += f->l[i].value;
			if (line)
				*line = f->l[i].stack;
		}
	return n;
}

static int count_frames(const char *stack)
{
	int n = 1;

	for (; *stack; stack++)
		n += *stack == ';';
	return n;
}

/* Export folded with options @fmt... and parse it; the exit status. */
static int __attribute__((format(printf, 2, 3)))
export_folded(struct folded *f, const char *fmt, ...)
{
	char *out = NULL, *err = NULL, opts[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(opts, sizeof(opts), fmt, ap);
	va_end(ap);
	rc = run(&out, &err, "export %s", opts);

	memset(f, 0, sizeof(*f));
	if (rc == 0 && out)
		parse_folded(out, f);
	else
		fprintf(stderr, "# export %s: exit %d: %s\n", opts, rc,
			err ? err : "");
	free(out);
	free(err);
	return rc;
}

/* ---- pprof ---------------------------------------------------------------- */

typedef Perftools__Profiles__Profile PProfile;

static unsigned char *read_bin(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
		}
		n = fread(buf + *len, 1, cap - *len, f);
		if (!n)
			break;
		*len += n;
	}
	fclose(f);
	return buf;
}

/* gunzip @in (a gzip member, as pprof writes and reads them). */
static unsigned char *gunzip(const unsigned char *in, size_t len, size_t *olen)
{
	z_stream z = { 0 };
	unsigned char *out = NULL;
	size_t cap = 0;
	int zr = Z_OK;

	*olen = 0;
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return NULL;
	z.next_in = (unsigned char *)in;
	z.avail_in = len;
	while (zr == Z_OK) {
		if (*olen == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			out = realloc(out, cap);
		}
		z.next_out = out + *olen;
		z.avail_out = cap - *olen;
		zr = inflate(&z, Z_NO_FLUSH);
		*olen = cap - z.avail_out;
	}
	inflateEnd(&z);
	if (zr != Z_STREAM_END) {
		free(out);
		return NULL;
	}
	return out;
}

/* Export pprof with @opts into @path and decode it; NULL on any failure. */
static PProfile *export_pprof(const char *path, const char *opts)
{
	unsigned char *gz, *raw;
	size_t len, rlen;
	PProfile *p;
	char *err = NULL;
	int rc;

	unlink(path);
	rc = run(NULL, &err, "export --format pprof -o %s %s", path, opts);
	if (rc) {
		fprintf(stderr, "# export pprof: exit %d: %s\n", rc, err ? err : "");
		free(err);
		return NULL;
	}
	free(err);
	gz = read_bin(path, &len);
	if (!gz || len < 18 || gz[0] != 0x1f || gz[1] != 0x8b || gz[2] != 8) {
		fprintf(stderr, "# %s: not gzip data (%zu bytes)\n", path, len);
		free(gz);
		return NULL;
	}
	raw = gunzip(gz, len, &rlen);
	free(gz);
	if (!raw) {
		fprintf(stderr, "# %s: gunzip failed\n", path);
		return NULL;
	}
	p = perftools__profiles__profile__unpack(NULL, rlen, raw);
	free(raw);
	if (!p)
		fprintf(stderr, "# %s: not a profile.proto Profile\n", path);
	return p;
}

static const char *pstr(const PProfile *p, int64_t i)
{
	return i >= 0 && (size_t)i < p->n_string_table ? p->string_table[i] : NULL;
}

/* The same, never NULL: for comparisons. */
static const char *ps(const PProfile *p, int64_t i)
{
	return pstr(p, i) ?: "(index out of the string table)";
}

static Perftools__Profiles__Location *ploc(const PProfile *p, uint64_t id)
{
	size_t i;

	for (i = 0; i < p->n_location; i++)
		if (p->location[i]->id == id)
			return p->location[i];
	return NULL;
}

static Perftools__Profiles__Function *pfunc(const PProfile *p, uint64_t id)
{
	size_t i;

	for (i = 0; i < p->n_function; i++)
		if (p->function[i]->id == id)
			return p->function[i];
	return NULL;
}

static Perftools__Profiles__Mapping *pmap(const PProfile *p, uint64_t id)
{
	size_t i;

	for (i = 0; i < p->n_mapping; i++)
		if (p->mapping[i]->id == id)
			return p->mapping[i];
	return NULL;
}

/* The function name of location @id (its first line), NULL if none. */
static const char *loc_fn(const PProfile *p, uint64_t id)
{
	Perftools__Profiles__Location *l = ploc(p, id);
	Perftools__Profiles__Function *f;

	if (!l || !l->n_line)
		return NULL;
	f = pfunc(p, l->line[0]->function_id);
	return f ? pstr(p, f->name) : NULL;
}

/*
 * pprof's own validity rules (profile.CheckValid and the proto's
 * comments): non-zero unique ids, every reference resolving, every string
 * index in the table, as many values per sample as sample types.  Returns
 * a description of the first violation, or NULL.
 */
static const char *pprof_invalid(const PProfile *p)
{
	static char why[128];
	size_t i, j;

	if (!p->n_string_table || p->string_table[0][0])
		return "string_table[0] is not \"\"";
	for (i = 0; i < p->n_sample; i++) {
		const Perftools__Profiles__Sample *s = p->sample[i];

		if (s->n_value != p->n_sample_type)
			return "a sample's values do not match the sample types";
		for (j = 0; j < s->n_location_id; j++)
			if (!ploc(p, s->location_id[j]))
				return "a sample names a missing location";
		for (j = 0; j < s->n_label; j++)
			if (!pstr(p, s->label[j]->key) || !pstr(p, s->label[j]->str))
				return "a label's string is out of the table";
	}
	for (i = 0; i < p->n_location; i++) {
		const Perftools__Profiles__Location *l = p->location[i];

		if (!l->id || ploc(p, l->id) != l)
			return "a location id is 0 or not unique";
		if (l->mapping_id && !pmap(p, l->mapping_id))
			return "a location names a missing mapping";
		for (j = 0; j < l->n_line; j++)
			if (!pfunc(p, l->line[j]->function_id))
				return "a line names a missing function";
	}
	for (i = 0; i < p->n_function; i++) {
		const Perftools__Profiles__Function *f = p->function[i];

		if (!f->id || pfunc(p, f->id) != f)
			return "a function id is 0 or not unique";
		if (!pstr(p, f->name) || !pstr(p, f->system_name) ||
		    !pstr(p, f->filename))
			return "a function's string is out of the table";
	}
	for (i = 0; i < p->n_mapping; i++) {
		const Perftools__Profiles__Mapping *m = p->mapping[i];

		if (!m->id || pmap(p, m->id) != m)
			return "a mapping id is 0 or not unique";
		if (!pstr(p, m->filename) || !pstr(p, m->build_id))
			return "a mapping's string is out of the table";
	}
	for (i = 0; i < p->n_comment; i++)
		if (!pstr(p, p->comment[i]))
			return "a comment is out of the table";
	for (i = 0; i < p->n_sample_type; i++)
		if (!pstr(p, p->sample_type[i]->type) ||
		    !pstr(p, p->sample_type[i]->unit)) {
			snprintf(why, sizeof(why), "sample type %zu out of the table", i);
			return why;
		}
	return NULL;
}

/* Samples whose leaf (location_id[0]) is function @fn: how many, the last. */
static int leaf_samples(const PProfile *p, const char *fn,
			const Perftools__Profiles__Sample **last)
{
	const char *name;
	size_t i;
	int n = 0;

	for (i = 0; i < p->n_sample; i++) {
		if (!p->sample[i]->n_location_id)
			continue;
		name = loc_fn(p, p->sample[i]->location_id[0]);
		if (name && !strcmp(name, fn)) {
			n++;
			*last = p->sample[i];
		}
	}
	return n;
}

static const char *label_str(const PProfile *p,
			     const Perftools__Profiles__Sample *s,
			     const char *key)
{
	size_t i;

	for (i = 0; i < s->n_label; i++)
		if (!strcmp(pstr(p, s->label[i]->key) ?: "", key))
			return ps(p, s->label[i]->str);
	return "(no such label)";
}

static int has_comment(const PProfile *p, const char *needle)
{
	size_t i;

	for (i = 0; i < p->n_comment; i++)
		if (strstr(pstr(p, p->comment[i]) ?: "", needle))
			return 1;
	return 0;
}

/* ---- fixture -------------------------------------------------------------- */

FIXTURE(ex) {
	struct held km, pg;	/* the truth, from memowner_test's "held" */
};

#define REQUIRE() do {							\
	if (!have_modules())						\
		SKIP(return, "MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules"); \
} while (0)

/*
 * memowner freshly loaded in mode=stack (exact, totals from zero), then
 * 128 kmalloc(1000) (kmalloc-1024: 128 KiB) and 16 blocks of order 2
 * (256 KiB with 4 KiB pages) from the test module.
 */
FIXTURE_SETUP(ex)
{
	if (!have_modules())
		return;
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("reset"));
	ASSERT_EQ(0, memowner_reload("mode=stack"));
	ASSERT_EQ(0, tm("alloc kmalloc 128 1000"));
	ASSERT_EQ(0, tm("alloc pages 16 2"));
	ASSERT_EQ(0, tm_held("kmalloc", &self->km));
	ASSERT_EQ(0, tm_held("pages", &self->pg));
	ASSERT_EQ(128, self->km.count);
	ASSERT_EQ(16, self->pg.count);
	ASSERT_EQ(64, self->pg.pages);
}

FIXTURE_TEARDOWN(ex)
{
	if (!have_modules())
		return;
	tm("reset");
}

/* ---- tests ---------------------------------------------------------------- */

TEST_F(ex, folded)
{
	const char *km_leaf = KMALLOC_FN MOD_SUFFIX, *pg_leaf = PAGES_FN MOD_SUFFIX;
	unsigned long long sum;
	const char *line = NULL;
	char path[256], *text;
	struct folded f;

	REQUIRE();
	/* The default: live bytes, to a file (the host's artifact). */
	snprintf(path, sizeof(path), "%s/export.folded", artifacts());
	ASSERT_EQ(0, run(NULL, NULL, "export --format folded -o %s", path));
	text = read_file(path);
	ASSERT_NE(NULL, text);
	ASSERT_EQ(0, parse_folded(text, &f));
	free(text);
	EXPECT_EQ(0, f.bad) TH_LOG("not collapsed format: '%s'", f.first_bad);
	EXPECT_EQ(0, f.dups);
	EXPECT_LT(2, f.n);
	ASSERT_EQ(1, leaf_lines(&f, km_leaf, &sum, &line));
	EXPECT_EQ(self->km.bytes_alloc, sum);
	/* Root first: the leaf is last, its callers before it. */
	EXPECT_LT(2, count_frames(line)) TH_LOG("%s", line);
	EXPECT_EQ(NULL, strstr(line, KMALLOC_FN MOD_SUFFIX ";")) TH_LOG("%s", line);
	TH_LOG("%s %llu", line, sum);
	ASSERT_EQ(1, leaf_lines(&f, pg_leaf, &sum, NULL));
	EXPECT_EQ(self->pg.bytes_alloc, sum);
	folded_free(&f);

	/* The same on stdout, the option's default format. */
	ASSERT_EQ(0, export_folded(&f, "%s", ""));
	EXPECT_EQ(0, f.bad);
	ASSERT_EQ(1, leaf_lines(&f, km_leaf, &sum, NULL));
	EXPECT_EQ(self->km.bytes_alloc, sum);
	folded_free(&f);

	/* --value: each counter. */
	ASSERT_EQ(0, export_folded(&f, "--value objects"));
	EXPECT_EQ(0, f.bad);
	ASSERT_EQ(1, leaf_lines(&f, km_leaf, &sum, NULL));
	EXPECT_EQ(self->km.count, sum);
	ASSERT_EQ(1, leaf_lines(&f, pg_leaf, &sum, NULL));
	EXPECT_EQ(self->pg.count, sum);
	folded_free(&f);

	ASSERT_EQ(0, export_folded(&f, "--value pages"));
	EXPECT_EQ(0, f.bad);
	/* Slab objects hold no pages of their own: no line. */
	EXPECT_EQ(0, leaf_lines(&f, km_leaf, &sum, NULL));
	ASSERT_EQ(1, leaf_lines(&f, pg_leaf, &sum, NULL));
	EXPECT_EQ(self->pg.pages, sum);
	folded_free(&f);

	ASSERT_EQ(0, export_folded(&f, "--value allocs"));
	ASSERT_EQ(1, leaf_lines(&f, km_leaf, &sum, NULL));
	EXPECT_EQ(128, sum);
	folded_free(&f);

	/* Fragmenting fallbacks: whatever there are, in the format. */
	ASSERT_EQ(0, export_folded(&f, "--value extfrag"));
	EXPECT_EQ(0, f.bad) TH_LOG("not collapsed format: '%s'", f.first_bad);
	folded_free(&f);

	ASSERT_EQ(0, export_folded(&f, "--sample-type alloc_space"));
	ASSERT_EQ(1, leaf_lines(&f, km_leaf, &sum, NULL));
	EXPECT_EQ(self->km.bytes_alloc, sum);
	folded_free(&f);

	/* After a free: nothing live, the totals stay. */
	ASSERT_EQ(0, tm("free kmalloc"));
	ASSERT_EQ(0, export_folded(&f, "%s", ""));
	EXPECT_EQ(0, leaf_lines(&f, km_leaf, &sum, NULL));
	folded_free(&f);
	ASSERT_EQ(0, export_folded(&f, "--value alloc-bytes"));
	ASSERT_EQ(1, leaf_lines(&f, km_leaf, &sum, NULL));
	EXPECT_EQ(self->km.bytes_alloc, sum);
	folded_free(&f);
}

TEST_F(ex, folded_filters)
{
	const char *km_leaf = KMALLOC_FN MOD_SUFFIX, *pg_leaf = PAGES_FN MOD_SUFFIX;
	unsigned long long sum;
	const char *line = NULL;
	struct folded f;
	regex_t re;
	int i;

	REQUIRE();
	ASSERT_EQ(0, export_folded(&f, "--source page"));
	EXPECT_EQ(0, leaf_lines(&f, km_leaf, &sum, NULL));
	EXPECT_EQ(1, leaf_lines(&f, pg_leaf, &sum, NULL));
	folded_free(&f);

	ASSERT_EQ(0, export_folded(&f, "--source slab,vmalloc"));
	EXPECT_EQ(1, leaf_lines(&f, km_leaf, &sum, NULL));
	EXPECT_EQ(0, leaf_lines(&f, pg_leaf, &sum, NULL));
	folded_free(&f);

	/* Per stack: 128 KiB of kmalloc, 256 KiB of pages. */
	ASSERT_LT(self->km.bytes_alloc, self->pg.bytes_alloc);
	ASSERT_EQ(0, export_folded(&f, "--min-bytes %ld", self->km.bytes_alloc + 1));
	EXPECT_EQ(0, leaf_lines(&f, km_leaf, &sum, NULL));
	EXPECT_EQ(1, leaf_lines(&f, pg_leaf, &sum, NULL));
	for (i = 0; i < f.n; i++)
		EXPECT_LT(self->km.bytes_alloc, f.l[i].value);
	folded_free(&f);
	ASSERT_EQ(0, export_folded(&f, "--min-bytes 128K"));
	EXPECT_EQ(1, leaf_lines(&f, km_leaf, &sum, NULL));
	folded_free(&f);

	/* --offsets: each frame as func+0xOFF/0xSIZE. */
	ASSERT_EQ(0, regcomp(&re, "^" KMALLOC_FN "\\+0x[0-9a-f]+/0x[0-9a-f]+_\\[memowner_test\\]$",
			     REG_EXTENDED | REG_NOSUB));
	ASSERT_EQ(0, export_folded(&f, "--offsets --source slab"));
	EXPECT_EQ(0, f.bad);
	for (i = 0; i < f.n; i++)
		if (!regexec(&re, leaf_of(f.l[i].stack), 0, NULL, 0)) {
			line = f.l[i].stack;
			EXPECT_EQ(self->km.bytes_alloc, f.l[i].value);
		}
	EXPECT_NE(NULL, line);
	regfree(&re);
	folded_free(&f);
}

/*
 * paths 8 100: eight kmalloc(100) from eight distinct call chains of
 * memowner_test_paths() -> 3 levels of memowner_test_path_a/b() ->
 * memowner_test_paths_leaf(): eight lines, root to leaf in that order.
 */
TEST_F(ex, folded_paths)
{
	const char *leaf = LEAF_FN MOD_SUFFIX;
	unsigned long long sum;
	struct held h;
	struct folded f;
	int i, n = 0;

	REQUIRE();
	ASSERT_EQ(0, tm("paths 8 100"));
	ASSERT_EQ(0, tm_held("paths", &h));
	ASSERT_EQ(0, export_folded(&f, "--source slab"));
	EXPECT_EQ(0, f.bad);
	EXPECT_EQ(0, f.dups);
	ASSERT_EQ(8, leaf_lines(&f, leaf, &sum, NULL));
	EXPECT_EQ(h.bytes_alloc, sum);
	for (i = 0; i < f.n; i++) {
		const char *s = f.l[i].stack, *root, *a, *b, *lf;

		if (strcmp(leaf_of(s), leaf))
			continue;
		root = strstr(s, ";memowner_test_paths" MOD_SUFFIX ";");
		a = strstr(s, ";memowner_test_path_a" MOD_SUFFIX);
		b = strstr(s, ";memowner_test_path_b" MOD_SUFFIX);
		lf = strstr(s, ";" LEAF_FN);
		EXPECT_NE(NULL, root) TH_LOG("%s", s);
		if (root && lf && (a || b)) {
			n++;
			EXPECT_LT(root, lf);
			if (a)
				EXPECT_LT(root, a);
			if (b)
				EXPECT_LT(root, b);
		}
		EXPECT_EQ(h.bytes_alloc / 8, f.l[i].value);
	}
	EXPECT_EQ(8, n);
	folded_free(&f);
}

/*
 * 8192 distinct stacks (paths 8192 64: 13 levels of path_a/path_b): every
 * one in folded and in pprof, their sum exact, in reasonable time.  The
 * harness's 30 s default is too short under TCG on a loaded host (two
 * exports and their parsing of 8192 stacks took longer there).
 */
TEST_F_TIMEOUT(ex, many_stacks, 180)
{
	const Perftools__Profiles__Sample *s = NULL;
	unsigned long long sum;
	struct timespec t0, t1, t2, t3;
	struct held h;
	struct folded f;
	PProfile *p;
	size_t i;
	long long total = 0;
	char *text;

	REQUIRE();
	ASSERT_EQ(0, tm("paths 8192 64"));
	ASSERT_EQ(0, tm_held("paths", &h));
	ASSERT_EQ(8192, h.count);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, run(NULL, NULL, "export --source slab -o /tmp/ux_export.folded"));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	text = read_file("/tmp/ux_export.folded");
	ASSERT_NE(NULL, text);
	ASSERT_EQ(0, parse_folded(text, &f));
	free(text);
	EXPECT_EQ(0, f.bad);
	EXPECT_EQ(0, f.dups);
	EXPECT_EQ(8192, leaf_lines(&f, LEAF_FN MOD_SUFFIX, &sum, NULL));
	EXPECT_EQ(h.bytes_alloc, sum);
	folded_free(&f);

	clock_gettime(CLOCK_MONOTONIC, &t2);
	p = export_pprof("/tmp/ux_export.pb.gz", "--source slab");
	clock_gettime(CLOCK_MONOTONIC, &t3);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(NULL, pprof_invalid(p));
	EXPECT_EQ(8192, leaf_samples(p, LEAF_FN, &s));
	for (i = 0; i < p->n_sample; i++)
		if (p->sample[i]->n_location_id &&
		    !strcmp(loc_fn(p, p->sample[i]->location_id[0]) ?: "", LEAF_FN))
			total += p->sample[i]->value[0];
	EXPECT_EQ(h.bytes_alloc, total);
	/*
	 * Functions are shared: paths_leaf, path_a, path_b... once each, not
	 * once per frame (8192 stacks of 16 frames); a location per function.
	 */
	EXPECT_GT(1000, p->n_function);
	EXPECT_EQ(p->n_function, p->n_location);
	TH_LOG("%zu samples, %zu locations, %zu functions; export folded %ld ms, pprof (with decoding) %ld ms, under TCG",
	       p->n_sample, p->n_location, p->n_function,
	       (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000,
	       (t3.tv_sec - t2.tv_sec) * 1000 + (t3.tv_nsec - t2.tv_nsec) / 1000000);
	perftools__profiles__profile__free_unpacked(p, NULL);
}

TEST_F(ex, pprof)
{
	static const char *const types[][2] = {
		{ "inuse_space", "bytes" }, { "inuse_objects", "count" },
		{ "alloc_space", "bytes" }, { "alloc_objects", "count" },
	};
	const Perftools__Profiles__Sample *s = NULL;
	Perftools__Profiles__Location *l;
	Perftools__Profiles__Mapping *m;
	char path[256], expect[256];
	const char *why;
	PProfile *p;
	size_t i;
	int64_t now_ns = (int64_t)time(NULL) * 1000000000;

	REQUIRE();
	/* The truth for the host's go tool pprof (vm/host-checks/pprof.sh). */
	snprintf(path, sizeof(path), "%s/export.expect", artifacts());
	snprintf(expect, sizeof(expect),
		 "kmalloc_bytes=%ld\nkmalloc_objects=%ld\npages_bytes=%ld\npages_objects=%ld\n",
		 self->km.bytes_alloc, self->km.count, self->pg.bytes_alloc,
		 self->pg.count);
	ASSERT_EQ(0, create_file(path, expect));
	snprintf(path, sizeof(path), "%s/export.pb.gz", artifacts());
	p = export_pprof(path, "");
	ASSERT_NE(NULL, p);
	why = pprof_invalid(p);
	EXPECT_EQ(NULL, why) TH_LOG("%s", why);

	ASSERT_EQ(4, p->n_sample_type);
	for (i = 0; i < 4; i++) {
		EXPECT_STREQ(types[i][0], ps(p, p->sample_type[i]->type));
		EXPECT_STREQ(types[i][1], ps(p, p->sample_type[i]->unit));
	}
	EXPECT_STREQ("inuse_space", ps(p, p->default_sample_type));
	ASSERT_NE(NULL, p->period_type);
	EXPECT_STREQ("space", ps(p, p->period_type->type));
	EXPECT_STREQ("bytes", ps(p, p->period_type->unit));
	EXPECT_EQ(0, p->period);	/* mode=stack: not sampled */
	EXPECT_TRUE(has_comment(p, "mode=stack"));
	EXPECT_GT(p->time_nanos, now_ns - 300 * 1000000000LL);
	EXPECT_LT(p->time_nanos, now_ns + 300 * 1000000000LL);
	/* The kernel image is the main mapping; nothing to symbolize. */
	ASSERT_LT(0, p->n_mapping);
	EXPECT_STREQ("[kernel.kallsyms]", ps(p, p->mapping[0]->filename));
	for (i = 0; i < p->n_mapping; i++)
		EXPECT_TRUE(p->mapping[i]->has_functions);

	/* The kmalloc stack: exact values, leaf first, module mapping. */
	ASSERT_EQ(1, leaf_samples(p, KMALLOC_FN, &s));
	EXPECT_EQ(self->km.bytes_alloc, s->value[0]);
	EXPECT_EQ(128, s->value[1]);
	EXPECT_EQ(self->km.bytes_alloc, s->value[2]);
	EXPECT_EQ(128, s->value[3]);
	EXPECT_STREQ("slab", label_str(p, s, "source"));
	EXPECT_LT(2, s->n_location_id);
	l = ploc(p, s->location_id[0]);
	ASSERT_NE(NULL, l);
	m = pmap(p, l->mapping_id);
	ASSERT_NE(NULL, m);
	EXPECT_STREQ("[memowner_test]", ps(p, m->filename));
	/* Leaf first: the last location is the root, another function. */
	EXPECT_STRNE(KMALLOC_FN, loc_fn(p, s->location_id[s->n_location_id - 1]) ?: "");

	ASSERT_EQ(1, leaf_samples(p, PAGES_FN, &s));
	EXPECT_EQ(self->pg.bytes_alloc, s->value[0]);
	EXPECT_EQ(self->pg.count, s->value[1]);
	EXPECT_EQ(self->pg.bytes_alloc, s->value[2]);
	EXPECT_EQ(self->pg.count, s->value[3]);
	EXPECT_STREQ("page", label_str(p, s, "source"));
	/* Without --addresses: no address anywhere, a location per function. */
	for (i = 0; i < p->n_location; i++)
		EXPECT_EQ(0, p->location[i]->address);
	EXPECT_EQ(p->n_function, p->n_location);
	perftools__profiles__profile__free_unpacked(p, NULL);

	/* --sample-type: the default type; all four are always there. */
	p = export_pprof("/tmp/ux_export.pb.gz", "--sample-type alloc_objects --source slab");
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("alloc_objects", ps(p, p->default_sample_type));
	EXPECT_EQ(4, p->n_sample_type);
	EXPECT_EQ(0, leaf_samples(p, PAGES_FN, &s));
	EXPECT_EQ(1, leaf_samples(p, KMALLOC_FN, &s));
	perftools__profiles__profile__free_unpacked(p, NULL);

	/* Freed: the sample stays for its totals, with nothing live. */
	ASSERT_EQ(0, tm("free kmalloc"));
	p = export_pprof("/tmp/ux_export.pb.gz", "--value objects");
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("inuse_objects", ps(p, p->default_sample_type));
	ASSERT_EQ(1, leaf_samples(p, KMALLOC_FN, &s));
	EXPECT_EQ(0, s->value[0]);
	EXPECT_EQ(0, s->value[1]);
	EXPECT_EQ(self->km.bytes_alloc, s->value[2]);
	EXPECT_EQ(128, s->value[3]);
	perftools__profiles__profile__free_unpacked(p, NULL);
}

/*
 * mode=sample: the kernel's weighed estimates go out as they are -- the
 * kmalloc sample carries the very numbers of the netlink dump -- and the
 * profile records the sampling period.
 */
struct dump_find {
	const char *fn;
	int n;
	uint64_t live_bytes, live_objects, allocs, bytes_allocated;
	unsigned int nr_addrs;
	uint64_t leaf_addr;
};

static int dump_find_cb(const struct mo_stack_rec *r, void *arg)
{
	struct dump_find *d = arg;

	if (r->frames.nr && !strncmp(r->frames.frame[0], d->fn, strlen(d->fn)) &&
	    r->frames.frame[0][strlen(d->fn)] == '+') {
		d->n++;
		d->live_bytes = r->live_bytes;
		d->live_objects = r->live_objects;
		d->allocs = r->allocs;
		d->bytes_allocated = r->bytes_allocated;
		d->nr_addrs = r->nr_addrs;
		d->leaf_addr = r->nr_addrs ? r->addrs[0] : 0;
	}
	return 0;
}

TEST_F(ex, pprof_sample_mode)
{
	struct dump_find d = { .fn = KMALLOC_FN };
	const Perftools__Profiles__Sample *s = NULL;
	struct memowner_info info;
	struct mo_genl g;
	PProfile *p;
	int fd;

	REQUIRE();
	ASSERT_EQ(0, tm("reset"));
	ASSERT_EQ(0, memowner_reload("mode=sample sample_bytes=65536"));
	/* 8 MiB: ~128 samples, so the stack is surely sampled. */
	ASSERT_EQ(0, tm("alloc kmalloc 8192 1024"));
	fd = mo_dev_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mo_dev_get_info(fd, &info));
	close(fd);
	ASSERT_EQ(MEMOWNER_MODE_SAMPLE, info.mode);
	ASSERT_EQ(65536, info.sample_bytes);

	p = export_pprof("/tmp/ux_export.pb.gz", "--source slab");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, mo_genl_open(&g));
	ASSERT_EQ(0, mo_dump_stacks(&g, 1U << MEMOWNER_SRC_SLAB, 0, dump_find_cb,
				    &d, NULL, 0));
	mo_genl_close(&g);
	EXPECT_EQ(65536, p->period);
	EXPECT_TRUE(has_comment(p, "mode=sample"));
	ASSERT_EQ(1, d.n);
	ASSERT_EQ(1, leaf_samples(p, KMALLOC_FN, &s));
	EXPECT_EQ(d.live_bytes, s->value[0]);
	EXPECT_EQ(d.live_objects, s->value[1]);
	EXPECT_EQ(d.bytes_allocated, s->value[2]);
	EXPECT_EQ(d.allocs, s->value[3]);
	/* An estimate of 8 MiB: within a factor of two. */
	EXPECT_LT(4 << 20, s->value[0]);
	EXPECT_GT(16 << 20, s->value[0]);
	TH_LOG("sampled estimate %lld bytes of 8 MiB, %lld objects of 8192",
	       (long long)s->value[0], (long long)s->value[1]);
	perftools__profiles__profile__free_unpacked(p, NULL);
}

static json_object *jget(json_object *o, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* The stack of @doc whose first (leaf) frame is function @fn, and how many. */
static json_object *json_leaf(json_object *doc, const char *fn, int *n)
{
	json_object *stacks = jget(doc, "stacks"), *hit = NULL, *st, *fr;
	size_t i;

	*n = 0;
	for (i = 0; stacks && i < json_object_array_length(stacks); i++) {
		st = json_object_array_get_idx(stacks, i);
		fr = jget(st, "frames");
		if (!fr || !json_object_array_length(fr))
			continue;
		fr = json_object_array_get_idx(fr, 0);
		if (!strcmp(json_object_get_string(jget(fr, "function")) ?: "", fn)) {
			(*n)++;
			hit = st;
		}
	}
	return hit;
}

static uint64_t jnum(json_object *o, const char *key)
{
	return json_object_get_uint64(jget(o, key));
}

TEST_F(ex, json)
{
	json_object *doc, *st, *frames, *leaf;
	char path[256], *text, *out = NULL;
	int n;

	REQUIRE();
	snprintf(path, sizeof(path), "%s/export.json", artifacts());
	ASSERT_EQ(0, run(NULL, NULL, "export --format json -o %s", path));
	text = read_file(path);
	ASSERT_NE(NULL, text);
	doc = json_tokener_parse(text);
	free(text);
	ASSERT_NE(NULL, doc);
	EXPECT_STREQ("stack", json_object_get_string(jget(doc, "mode")));
	EXPECT_STREQ("leaf_first", json_object_get_string(jget(doc, "frame_order")));
	EXPECT_NE(NULL, jget(doc, "version"));
	EXPECT_NE(NULL, jget(doc, "time_ns"));

	st = json_leaf(doc, KMALLOC_FN, &n);
	ASSERT_EQ(1, n);
	EXPECT_STREQ("slab", json_object_get_string(jget(st, "source")));
	EXPECT_EQ(self->km.bytes_alloc, jnum(st, "live_bytes"));
	EXPECT_EQ(128, jnum(st, "live_objects"));
	EXPECT_EQ(0, jnum(st, "live_pages"));
	EXPECT_EQ(128, jnum(st, "allocs"));
	EXPECT_EQ(0, jnum(st, "frees"));
	EXPECT_EQ(self->km.bytes_alloc, jnum(st, "bytes_allocated"));
	EXPECT_NE(NULL, jget(st, "extfrag"));
	EXPECT_LT(0, jnum(st, "id"));
	frames = jget(st, "frames");
	EXPECT_LT(2, json_object_array_length(frames));
	leaf = json_object_array_get_idx(frames, 0);
	EXPECT_STREQ("memowner_test", json_object_get_string(jget(leaf, "module")));
	EXPECT_EQ(0, strncmp(json_object_get_string(jget(leaf, "symbol")) ?: "",
			     KMALLOC_FN "+0x", strlen(KMALLOC_FN "+0x")));
	EXPECT_LT(jnum(leaf, "offset"), jnum(leaf, "size"));

	st = json_leaf(doc, PAGES_FN, &n);
	ASSERT_EQ(1, n);
	EXPECT_STREQ("page", json_object_get_string(jget(st, "source")));
	EXPECT_EQ(self->pg.bytes_alloc, jnum(st, "live_bytes"));
	EXPECT_EQ(self->pg.pages, jnum(st, "live_pages"));
	EXPECT_EQ(self->pg.count, jnum(st, "live_objects"));
	json_object_put(doc);

	/* memowner --json export is --format json, filters included. */
	ASSERT_EQ(0, run(&out, NULL, "--json export --source page"));
	doc = json_tokener_parse(out);
	free(out);
	ASSERT_NE(NULL, doc);
	json_leaf(doc, KMALLOC_FN, &n);
	EXPECT_EQ(0, n);
	st = json_leaf(doc, PAGES_FN, &n);
	EXPECT_EQ(1, n);
	EXPECT_STREQ("page", json_object_get_string(jget(doc, "sources")));
	json_object_put(doc);
}

/*
 * --addresses: the raw return addresses, where the kernel gives them
 * (CAP_SYSLOG, kptr_restrict < 2), as pprof Location addresses within
 * their Mapping's range and as JSON "address" strings; a warning where it
 * does not.
 */
TEST_F(ex, addresses)
{
	struct dump_find d = { .fn = KMALLOC_FN };
	const Perftools__Profiles__Sample *s = NULL;
	Perftools__Profiles__Location *l;
	Perftools__Profiles__Mapping *m;
	json_object *doc, *st, *leaf;
	char *out = NULL, *err = NULL, hex[32];
	struct mo_genl g;
	PProfile *p;
	int n;

	REQUIRE();
	ASSERT_EQ(0, mo_genl_open(&g));
	ASSERT_EQ(0, mo_dump_stacks(&g, 1U << MEMOWNER_SRC_SLAB, 0, dump_find_cb,
				    &d, NULL, 0));
	mo_genl_close(&g);
	ASSERT_EQ(1, d.n);

	p = export_pprof("/tmp/ux_export.pb.gz", "--addresses --source slab");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(1, leaf_samples(p, KMALLOC_FN, &s));
	l = ploc(p, s->location_id[0]);
	ASSERT_NE(NULL, l);
	m = pmap(p, l->mapping_id);
	ASSERT_NE(NULL, m);
	if (d.nr_addrs) {
		EXPECT_EQ(d.leaf_addr, l->address);
		EXPECT_LE(m->memory_start, l->address);
		EXPECT_GT(m->memory_limit, l->address);
	} else {
		EXPECT_EQ(0, l->address);
		TH_LOG("no raw addresses from the kernel (kptr_restrict?)");
	}
	perftools__profiles__profile__free_unpacked(p, NULL);

	ASSERT_EQ(0, run(&out, &err, "--json export --addresses --source slab"));
	doc = json_tokener_parse(out);
	ASSERT_NE(NULL, doc);
	st = json_leaf(doc, KMALLOC_FN, &n);
	ASSERT_EQ(1, n);
	leaf = json_object_array_get_idx(jget(st, "frames"), 0);
	if (d.nr_addrs) {
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)d.leaf_addr);
		EXPECT_STREQ(hex, json_object_get_string(jget(leaf, "address")) ?: "");
		EXPECT_EQ(NULL, strstr(err, "--addresses")) TH_LOG("%s", err);
	} else {
		EXPECT_EQ(NULL, jget(leaf, "address"));
		EXPECT_NE(NULL, strstr(err, "no raw addresses")) TH_LOG("%s", err);
	}
	json_object_put(doc);
	free(out);
	free(err);

	/* Not asked for: none. */
	ASSERT_EQ(0, run(&out, NULL, "--json export --source slab"));
	doc = json_tokener_parse(out);
	ASSERT_NE(NULL, doc);
	st = json_leaf(doc, KMALLOC_FN, &n);
	ASSERT_EQ(1, n);
	leaf = json_object_array_get_idx(jget(st, "frames"), 0);
	EXPECT_EQ(NULL, jget(leaf, "address"));
	json_object_put(doc);
	free(out);
}

TEST_F(ex, bad_arguments)
{
	static const char *const bad[] = {
		"export --format svg",
		"export --value nothing",
		"export --format pprof --value pages -o /tmp/x.pb.gz",
		"export --format pprof --value extfrag -o /tmp/x.pb.gz",
		"export --source slab,nothing",
		"export --min-bytes lots",
		"export extra-argument",
		"export --no-such-option",
		"--json export --format pprof -o /tmp/x.pb.gz",
	};
	static const char opts[][16] = {
		"--format", "--output", "--source", "--min-bytes", "--value",
		"--sample-type", "--offsets", "--addresses",
	};
	char *err = NULL, *help = NULL;
	size_t i;

	REQUIRE();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(2, run(NULL, &err, "%s", bad[i])) TH_LOG("%s", bad[i]);
		EXPECT_NE(NULL, strstr(err ?: "", "usage: memowner")) TH_LOG("%s: %s", bad[i], err);
		free(err);
	}
	/* The help names every option. */
	ASSERT_EQ(0, run(&help, NULL, "help export"));
	ASSERT_NE(NULL, help);
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		EXPECT_NE(NULL, strstr(help, opts[i])) TH_LOG("%s", opts[i]);
	free(help);
}

/* -o replaces the file whole, or leaves it as it was. */
TEST_F(ex, output_file)
{
	const char *dir = "/tmp/ux_export_dir";
	char *err = NULL, *text;
	struct folded f;
	struct stat st;
	mode_t mask;

	REQUIRE();
	mask = umask(0);
	umask(mask);
	system("rm -rf /tmp/ux_export_dir");
	ASSERT_EQ(0, mkdir(dir, 0755));
	ASSERT_EQ(0, create_file("/tmp/ux_export_dir/out", "old\n"));
	ASSERT_EQ(0, run(NULL, NULL, "export -o %s/out --source slab", dir));
	text = read_file("/tmp/ux_export_dir/out");
	ASSERT_NE(NULL, text);
	ASSERT_EQ(0, parse_folded(text, &f));
	free(text);
	EXPECT_EQ(0, f.bad);
	EXPECT_LT(0, f.n);
	folded_free(&f);
	ASSERT_EQ(0, stat("/tmp/ux_export_dir/out", &st));
	EXPECT_EQ(0666 & ~mask, st.st_mode & 0777);	/* as a plain create */
	/* Only the file: no temporary left behind. */
	EXPECT_EQ(0, system("test $(ls /tmp/ux_export_dir | wc -l) -eq 1"));

	/* A directory that does not exist: exit 1, a message naming it. */
	EXPECT_EQ(1, run(NULL, &err, "export -o /nonexistent/dir/x.folded"));
	EXPECT_NE(NULL, strstr(err ?: "", "/nonexistent/dir/x.folded")) TH_LOG("%s", err);
	free(err);
	system("rm -rf /tmp/ux_export_dir");
}

MO_TEST_MAIN
