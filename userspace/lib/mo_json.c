// SPDX-License-Identifier: GPL-2.0
/*
 * libmemowner: see mo_json.h.
 */
#include <inttypes.h>
#include <math.h>

#include "mo_json.h"

void mo_json_init(struct mo_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = 1;
}

static void mo_json_string(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			/* Control bytes and bytes that are not UTF-8 text. */
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* The comma and key before a value at the current depth. */
static void mo_json_prefix(struct mo_json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = 0;
	if (key) {
		mo_json_string(j->f, key);
		fputc(':', j->f);
	}
}

static void mo_json_open(struct mo_json *j, const char *key, char c)
{
	mo_json_prefix(j, key);
	fputc(c, j->f);
	if (j->depth < MO_JSON_MAX_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = 1;
}

static void mo_json_close(struct mo_json *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void mo_json_obj_begin(struct mo_json *j, const char *key)
{
	mo_json_open(j, key, '{');
}

void mo_json_obj_end(struct mo_json *j)
{
	mo_json_close(j, '}');
}

void mo_json_arr_begin(struct mo_json *j, const char *key)
{
	mo_json_open(j, key, '[');
}

void mo_json_arr_end(struct mo_json *j)
{
	mo_json_close(j, ']');
}

void mo_json_str(struct mo_json *j, const char *key, const char *val)
{
	mo_json_prefix(j, key);
	if (val)
		mo_json_string(j->f, val);
	else
		fputs("null", j->f);
}

void mo_json_u64(struct mo_json *j, const char *key, uint64_t val)
{
	mo_json_prefix(j, key);
	fprintf(j->f, "%" PRIu64, val);
}

void mo_json_s64(struct mo_json *j, const char *key, int64_t val)
{
	mo_json_prefix(j, key);
	fprintf(j->f, "%" PRId64, val);
}

void mo_json_double(struct mo_json *j, const char *key, double val)
{
	mo_json_prefix(j, key);
	/* JSON has no NaN or infinity. */
	if (isfinite(val))
		fprintf(j->f, "%.6g", val);
	else
		fputs("null", j->f);
}

void mo_json_bool(struct mo_json *j, const char *key, int val)
{
	mo_json_prefix(j, key);
	fputs(val ? "true" : "false", j->f);
}

void mo_json_null(struct mo_json *j, const char *key)
{
	mo_json_prefix(j, key);
	fputs("null", j->f);
}

void mo_json_end(struct mo_json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}
