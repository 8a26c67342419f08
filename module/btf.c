// SPDX-License-Identifier: GPL-2.0
/*
 * Offsets of private structure members, as the running kernel states them
 * in its own BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF).
 *
 * memowner never guesses a layout: a member it cannot find here -- no BTF,
 * no such struct or member, a member of another type, a bitfield, a BTF
 * kind this parser does not know -- is reported as unknown, and what needs
 * it is shown without it.  The BTF format is a stable ABI
 * (Documentation/bpf/btf.rst, include/uapi/linux/btf.h); kinds are numbered
 * here rather than by the uapi enum because older kernels' headers lack the
 * newer kinds' names.
 *
 * Runs once at load, in process context: the file (a few MB) is read into
 * a temporary vmalloc buffer and freed before returning.  It is read as any
 * file is (filp_open + kernel_read), not with kernel_read_file(): that one
 * asks LSMs about a READING_UNKNOWN read, and IPE (6.12+) WARNs on it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/* 5.10's btf.h names struct bpf_prog in a prototype without declaring it. */
struct bpf_prog;
#include <linux/btf.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/limits.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "btf.h"

#define BTF_PATH	"/sys/kernel/btf/vmlinux"
#define BTF_MAGIC_LE	0xeB9F

enum {
	BK_UNKN, BK_INT, BK_PTR, BK_ARRAY, BK_STRUCT, BK_UNION, BK_ENUM, BK_FWD,
	BK_TYPEDEF, BK_VOLATILE, BK_CONST, BK_RESTRICT, BK_FUNC, BK_FUNC_PROTO,
	BK_VAR, BK_DATASEC, BK_FLOAT, BK_DECL_TAG, BK_TYPE_TAG, BK_ENUM64,
};

struct mo_btf {
	const u8 *types, *strs;
	u32 types_len, strs_len;
};

static const char *mo_btf_str(const struct mo_btf *b, u32 off)
{
	if (off >= b->strs_len || !memchr(b->strs + off, 0, b->strs_len - off))
		return NULL;
	return (const char *)b->strs + off;
}

/* Bytes that follow a type record of @kind with @vlen entries; <0 unknown. */
static long type_extra(unsigned int kind, unsigned int vlen)
{
	switch (kind) {
	case BK_INT: case BK_VAR: case BK_DECL_TAG:
		return 4;
	case BK_PTR: case BK_FWD: case BK_TYPEDEF: case BK_VOLATILE: case BK_CONST:
	case BK_RESTRICT: case BK_FUNC: case BK_FLOAT: case BK_TYPE_TAG:
		return 0;
	case BK_ARRAY:
		return 12;
	case BK_STRUCT: case BK_UNION: case BK_DATASEC: case BK_ENUM64:
		return 12L * vlen;
	case BK_ENUM: case BK_FUNC_PROTO:
		return 8L * vlen;
	}
	return -1;
}

/*
 * Walk the type section: @fn(b, id, t, ctx) for each type until it returns
 * true (that type is returned), or NULL at the end or on a malformed or
 * unknown record.  Bounded by the section's length: every record advances.
 */
static const struct btf_type *
mo_btf_walk(const struct mo_btf *b,
	 bool (*fn)(const struct mo_btf *, u32, const struct btf_type *, void *),
	 void *ctx)
{
	u32 off = 0, id = 1;

	while (off + sizeof(struct btf_type) <= b->types_len) {
		const struct btf_type *t = (const void *)(b->types + off);
		long extra = type_extra(BTF_INFO_KIND(t->info),
					BTF_INFO_VLEN(t->info));

		if (extra < 0 ||
		    off + sizeof(*t) + extra > b->types_len)
			return NULL;
		if (fn(b, id, t, ctx))
			return t;
		off += sizeof(*t) + extra;
		id++;
	}
	return NULL;
}

static bool match_id(const struct mo_btf *b, u32 id,
		     const struct btf_type *t, void *ctx)
{
	return id == *(u32 *)ctx;
}

static const struct btf_type *type_by_id(const struct mo_btf *b, u32 id)
{
	return id ? mo_btf_walk(b, match_id, &id) : NULL;
}

struct find_struct {
	const char *name;
};

static bool match_struct(const struct mo_btf *b, u32 id,
			 const struct btf_type *t, void *ctx)
{
	const struct find_struct *f = ctx;
	const char *name;

	if (BTF_INFO_KIND(t->info) != BK_STRUCT)
		return false;
	name = mo_btf_str(b, t->name_off);
	return name && !strcmp(name, f->name);
}

/* Is type @id "char *" or "const char *" (through typedefs and qualifiers)? */
static bool is_char_ptr(const struct mo_btf *b, u32 id)
{
	const struct btf_type *t = type_by_id(b, id);
	const char *name;
	int i;

	if (!t || BTF_INFO_KIND(t->info) != BK_PTR)
		return false;
	for (i = 0, t = type_by_id(b, t->type); t && i < 8;
	     i++, t = type_by_id(b, t->type)) {
		unsigned int kind = BTF_INFO_KIND(t->info);

		if (kind == BK_CONST || kind == BK_VOLATILE || kind == BK_TYPEDEF)
			continue;
		if (kind != BK_INT)
			return false;
		name = mo_btf_str(b, t->name_off);
		return name && !strcmp(name, "char");
	}
	return false;
}

static int member_offset(const struct mo_btf *b, const char *sname,
			 const char *mname, u32 *offset)
{
	struct find_struct f = { sname };
	const struct btf_type *t = mo_btf_walk(b, match_struct, &f);
	const struct btf_member *m;
	unsigned int i;

	if (!t)
		return -ENOENT;
	m = (const struct btf_member *)(t + 1);
	for (i = 0; i < BTF_INFO_VLEN(t->info); i++, m++) {
		const char *name = mo_btf_str(b, m->name_off);
		u32 bits = BTF_INFO_KFLAG(t->info) ?
			   BTF_MEMBER_BIT_OFFSET(m->offset) : m->offset;

		if (!name || strcmp(name, mname))
			continue;
		if (BTF_INFO_KFLAG(t->info) && BTF_MEMBER_BITFIELD_SIZE(m->offset))
			return -EINVAL;
		if (bits % 8 || !is_char_ptr(b, m->type))
			return -EINVAL;
		*offset = bits / 8;
		return 0;
	}
	return -ENOENT;
}

/* The whole file at @path in a vmalloc buffer; its length or -errno. */
static ssize_t read_whole(const char *path, void **bufp)
{
	struct file *f = filp_open(path, O_RDONLY, 0);
	loff_t size, pos = 0;
	ssize_t n, len = 0;
	void *buf;

	if (IS_ERR(f))
		return PTR_ERR(f);
	size = i_size_read(file_inode(f));
	if (size <= 0 || size > SZ_256M) {
		filp_close(f, NULL);
		return -EFBIG;
	}
	buf = vmalloc(size);
	if (!buf) {
		filp_close(f, NULL);
		return -ENOMEM;
	}
	while (len < size) {
		n = kernel_read(f, buf + len, size - len, &pos);
		if (n <= 0)
			break;
		len += n;
	}
	filp_close(f, NULL);
	if (len != size) {
		vfree(buf);
		return -EIO;
	}
	*bufp = buf;
	return len;
}

int mo_btf_string_member(const char *sname, const char *mname, u32 *offset)
{
	const struct btf_header *h;
	struct mo_btf b;
	void *buf = NULL;
	ssize_t len;
	int ret;

	len = read_whole(BTF_PATH, &buf);
	if (len < 0)
		return len;
	ret = -EINVAL;
	h = buf;
	if (len < sizeof(*h) || h->magic != BTF_MAGIC_LE ||
	    h->hdr_len > len || h->type_off > len - h->hdr_len ||
	    h->type_len > len - h->hdr_len - h->type_off ||
	    h->str_off > len - h->hdr_len ||
	    h->str_len > len - h->hdr_len - h->str_off)
		goto out;
	b.types = (const u8 *)buf + h->hdr_len + h->type_off;
	b.types_len = h->type_len;
	b.strs = (const u8 *)buf + h->hdr_len + h->str_off;
	b.strs_len = h->str_len;
	ret = member_offset(&b, sname, mname, offset);
out:
	vfree(buf);
	return ret;
}
