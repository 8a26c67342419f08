/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, force-included into every memowner source.
 *
 * Core files test feature macros named after what changed; the macros are
 * set by probes of the target tree in Kbuild (MEMOWNER_HAVE_*), never by
 * comparing LINUX_VERSION_CODE in core code.
 */
#ifndef _MEMOWNER_COMPAT_H
#define _MEMOWNER_COMPAT_H

/*
 * 6.2 split genl_ops into struct genl_split_ops for pre_doit/post_doit; the
 * callbacks memowner uses still take struct genl_ops-compatible arguments.
 */
#ifdef MEMOWNER_HAVE_GENL_SPLIT_OPS
#define memowner_genl_ops_t const struct genl_split_ops
#else
#define memowner_genl_ops_t const struct genl_ops
#endif

#endif /* _MEMOWNER_COMPAT_H */
