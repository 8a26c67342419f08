// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters; see params.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "params.h"
#include "task.h"

const char *const memowner_mode_names[__MEMOWNER_MODE_LAST] = {
	[MEMOWNER_MODE_STACK] = "stack",
	[MEMOWNER_MODE_CALLSITE] = "callsite",
	[MEMOWNER_MODE_SAMPLE] = "sample",
};

const char *const memowner_source_names[__MEMOWNER_SRC_LAST] = {
	[MEMOWNER_SRC_SLAB] = "slab",
	[MEMOWNER_SRC_PAGE] = "page",
	[MEMOWNER_SRC_PERCPU] = "percpu",
	[MEMOWNER_SRC_VMALLOC] = "vmalloc",
};

struct memowner_params memowner_params = {
	.mode = MEMOWNER_MODE_SAMPLE,
	.sources = __MEMOWNER_SRC_F_ALL,
	.depth = MEMOWNER_DEPTH_DEFAULT,
	.sample_bytes = MEMOWNER_SAMPLE_DEFAULT,
	.enabled = true,
};

static int mode_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(memowner_mode_names, val);

	if (i < 0) {
		pr_err("mode=%s: expected stack, callsite or sample\n", val);
		return -EINVAL;
	}
	memowner_params.mode = i;
	return 0;
}

static int mode_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", memowner_mode_names[memowner_params.mode]);
}

static const struct kernel_param_ops mode_ops = {
	.set = mode_set,
	.get = mode_get,
};
module_param_cb(mode, &mode_ops, NULL, 0444);
MODULE_PARM_DESC(mode, "tracking mode: stack (full stack, exact), callsite (call site only, exact), sample (stacks of a byte-sampled subset; default)");

/* A comma list of source names; "all" and "none" are accepted too. */
static int sources_set(const char *val, const struct kernel_param *kp)
{
	char buf[64], *s, *tok;
	u32 mask = 0;
	int i;

	if (strscpy(buf, val, sizeof(buf)) < 0)
		return -E2BIG;
	s = strim(buf);
	while ((tok = strsep(&s, ",")) != NULL) {
		tok = strim(tok);
		if (!*tok || !strcmp(tok, "none"))
			continue;
		if (!strcmp(tok, "all")) {
			mask |= __MEMOWNER_SRC_F_ALL;
			continue;
		}
		i = match_string(memowner_source_names, __MEMOWNER_SRC_LAST, tok);
		if (i < 0) {
			pr_err("sources=%s: unknown source '%s' (slab, page, percpu, vmalloc)\n",
			       val, tok);
			return -EINVAL;
		}
		mask |= BIT(i);
	}
	memowner_params.sources = mask;
	return 0;
}

static int sources_get(char *buf, const struct kernel_param *kp)
{
	int i, n = 0;

	for (i = 0; i < __MEMOWNER_SRC_LAST; i++)
		if (memowner_params.sources & BIT(i))
			n += sysfs_emit_at(buf, n, "%s%s", n ? "," : "",
					   memowner_source_names[i]);
	return n + sysfs_emit_at(buf, n, "\n");
}

static const struct kernel_param_ops sources_ops = {
	.set = sources_set,
	.get = sources_get,
};
module_param_cb(sources, &sources_ops, NULL, 0444);
MODULE_PARM_DESC(sources, "comma list of allocation sources to track: slab,page,percpu,vmalloc (default: all)");

static int depth_set(const char *val, const struct kernel_param *kp)
{
	unsigned int depth;

	if (kstrtouint(val, 0, &depth) || depth < 1 || depth > MEMOWNER_DEPTH_MAX) {
		pr_err("depth=%s: expected 1..%d\n", val, MEMOWNER_DEPTH_MAX);
		return -EINVAL;
	}
	memowner_params.depth = depth;
	return 0;
}

static const struct kernel_param_ops depth_ops = {
	.set = depth_set,
	.get = param_get_uint,
};
module_param_cb(depth, &depth_ops, &memowner_params.depth, 0444);
MODULE_PARM_DESC(depth, "frames kept per stack, 1..64 (default 16)");

static int sample_set(const char *val, const struct kernel_param *kp)
{
	u64 bytes;

	if (kstrtou64(val, 0, &bytes) || bytes < 1 || bytes > MEMOWNER_SAMPLE_MAX) {
		pr_err("sample_bytes=%s: expected 1..2^40\n", val);
		return -EINVAL;
	}
	memowner_params.sample_bytes = bytes;
	return 0;
}

static const struct kernel_param_ops sample_ops = {
	.set = sample_set,
	.get = param_get_ullong,
};
module_param_cb(sample_bytes, &sample_ops, &memowner_params.sample_bytes, 0444);
MODULE_PARM_DESC(sample_bytes, "mode=sample: mean bytes allocated between two samples (default 524288)");

module_param_named(enabled, memowner_params.enabled, bool, 0444);
MODULE_PARM_DESC(enabled, "track from load on (default 1); 0 loads with no probe attached");

module_param_named(max_objects, memowner_params.max_objects, ulong, 0444);
MODULE_PARM_DESC(max_objects, "owner-table capacity: live objects tracked at once (default: one per 4 pages of RAM, at least 65536)");

module_param_named(max_stacks, memowner_params.max_stacks, ulong, 0444);
MODULE_PARM_DESC(max_stacks, "distinct stacks (and owner sites) kept (default 16384)");

module_param_named(max_tasks, memowner_params.max_tasks, ulong, 0444);
MODULE_PARM_DESC(max_tasks, "task identities (pid, tgid, comm) kept at once, recycled when no record names them (default 32768)");

#define MAX_OBJECTS_MIN		1024UL
#define MAX_OBJECTS_LIMIT	(1UL << 27)	/* 4 GiB of entries */
#define MAX_STACKS_MIN		64UL
#define MAX_STACKS_LIMIT	(1UL << 22)
#define MAX_TASKS_MIN		64UL
#define MAX_TASKS_LIMIT		((1UL << MO_TASK_BITS) - 1)

int memowner_params_init(void)
{
	struct memowner_params *p = &memowner_params;

	if (!p->max_objects)
		p->max_objects = max(totalram_pages() / 4, 65536UL);
	if (!p->max_stacks)
		p->max_stacks = 16384;
	if (!p->max_tasks)
		p->max_tasks = 32768;
	if (p->max_objects < MAX_OBJECTS_MIN || p->max_objects > MAX_OBJECTS_LIMIT) {
		pr_err("max_objects=%lu: expected %lu..%lu\n", p->max_objects,
		       MAX_OBJECTS_MIN, MAX_OBJECTS_LIMIT);
		return -EINVAL;
	}
	if (p->max_stacks < MAX_STACKS_MIN || p->max_stacks > MAX_STACKS_LIMIT) {
		pr_err("max_stacks=%lu: expected %lu..%lu\n", p->max_stacks,
		       MAX_STACKS_MIN, MAX_STACKS_LIMIT);
		return -EINVAL;
	}
	if (p->max_tasks < MAX_TASKS_MIN || p->max_tasks > MAX_TASKS_LIMIT) {
		pr_err("max_tasks=%lu: expected %lu..%lu\n", p->max_tasks,
		       MAX_TASKS_MIN, MAX_TASKS_LIMIT);
		return -EINVAL;
	}
	return 0;
}
