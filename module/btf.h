/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Member offsets of private kernel structures, from the running kernel's
 * own BTF -- never guessed.
 */
#ifndef _MEMOWNER_BTF_H
#define _MEMOWNER_BTF_H

#include <linux/types.h>

/*
 * Byte offset of member @mname, a "char *" or "const char *", in struct
 * @sname of vmlinux BTF.  Process context (reads /sys/kernel/btf/vmlinux).
 * -ENOENT no such struct/member or no BTF, -EINVAL another type or a
 * format this parser does not know.
 */
int mo_btf_string_member(const char *sname, const char *mname, u32 *offset);

#endif /* _MEMOWNER_BTF_H */
