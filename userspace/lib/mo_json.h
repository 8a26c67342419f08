/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A streaming JSON writer: every --json output of the CLI goes through it,
 * so strings are always escaped and commas always right.  Keys are given
 * inside objects and NULL inside arrays.
 */
#ifndef MO_JSON_H
#define MO_JSON_H

#include <stdint.h>
#include <stdio.h>

#define MO_JSON_MAX_DEPTH 32

struct mo_json {
	FILE *f;
	int depth;
	int first[MO_JSON_MAX_DEPTH];
};

void mo_json_init(struct mo_json *j, FILE *f);
void mo_json_obj_begin(struct mo_json *j, const char *key);
void mo_json_obj_end(struct mo_json *j);
void mo_json_arr_begin(struct mo_json *j, const char *key);
void mo_json_arr_end(struct mo_json *j);
void mo_json_str(struct mo_json *j, const char *key, const char *val);
void mo_json_u64(struct mo_json *j, const char *key, uint64_t val);
void mo_json_s64(struct mo_json *j, const char *key, int64_t val);
void mo_json_double(struct mo_json *j, const char *key, double val);
void mo_json_bool(struct mo_json *j, const char *key, int val);
void mo_json_null(struct mo_json *j, const char *key);
/* Ends the document with a newline (after the outermost value). */
void mo_json_end(struct mo_json *j);

#endif /* MO_JSON_H */
