/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel symbols and layouts memowner needs but the kernel does not export:
 * the allocator functions to skip at the top of a stack, and the offset of
 * a slab cache's name (from BTF).
 */
#ifndef _MEMOWNER_SYMBOLS_H
#define _MEMOWNER_SYMBOLS_H

#include <linux/types.h>

int mo_symbols_init(void);
void mo_symbols_exit(void);

/* Is @ip inside a page-allocator entry function (skipped in stacks)? */
bool mo_in_allocator(unsigned long ip);
/*
 * Is @ip inside a slab allocator entry function?  A slab object with such a
 * frame below its call site was allocated by the allocator for itself.
 */
bool mo_in_slab_entry(unsigned long ip);

/*
 * What a page allocated from a frame at @ip backs: MO_BACKING_SLAB,
 * _VMALLOC, _PERCPU, or MO_BACKING_NONE (its own memory).  Any context.
 */
#define MO_BACKING_NONE		0
#define MO_BACKING_SLAB		1
#define MO_BACKING_VMALLOC	2
#define MO_BACKING_PERCPU	3
unsigned int mo_backing_of(unsigned long ip);

/* Name of slab cache @s, or NULL when the layout could not be learned. */
const char *mo_slab_cache_name(const void *s);

/* For status: how many allocator functions were found, name offset. */
unsigned int mo_symbols_nr_allocator(void);
unsigned int mo_symbols_nr_slab_entry(void);
int mo_symbols_name_offset(void);

#endif /* _MEMOWNER_SYMBOLS_H */
