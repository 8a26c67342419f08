// SPDX-License-Identifier: GPL-2.0
/*
 * memowner status, memowner config.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void print_version(__u32 v, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u", v >> 16, (v >> 8) & 0xff, v & 0xff);
}

static int cmd_status(const struct cli_opts *o, int argc, char **argv)
{
	struct memowner_info info;
	struct mo_json j;
	char ver[32];
	int fd, ret;

	(void)argv;
	if (argc != 1)
		return CLI_USAGE;
	if (cli_open_dev(&fd))
		return 1;
	ret = mo_dev_get_info(fd, &info);
	close(fd);
	if (ret)
		return cli_fail("GET_INFO", ret);

	print_version(info.version, ver, sizeof(ver));
	if (o->json) {
		mo_json_init(&j, stdout);
		mo_json_obj_begin(&j, NULL);
		mo_json_str(&j, "version", ver);
		mo_json_u64(&j, "abi_version", info.abi_version);
		mo_json_u64(&j, "features", info.features);
		mo_json_u64(&j, "loaded_ns", info.loaded_ns);
		mo_json_u64(&j, "nr_opens", info.nr_opens);
		mo_json_u64(&j, "nr_ioctls", info.nr_ioctls);
		mo_json_u64(&j, "nr_requests", info.nr_requests);
		mo_json_u64(&j, "mem_bytes", info.mem_bytes);
		mo_json_u64(&j, "nr_cpus", info.nr_cpus);
		mo_json_obj_end(&j);
		mo_json_end(&j);
		return 0;
	}
	printf("version:      %s (abi %u)\n", ver, info.abi_version);
	printf("features:    %s%s%s\n",
	       info.features & MEMOWNER_FEAT_IOCTL ? " ioctl" : "",
	       info.features & MEMOWNER_FEAT_GENL ? " netlink" : "",
	       info.features & MEMOWNER_FEAT_DEBUGFS ? " debugfs" : "");
	printf("cpus:         %u\n", info.nr_cpus);
	printf("own memory:   %llu bytes\n", (unsigned long long)info.mem_bytes);
	printf("requests:     %llu opens, %llu ioctls, %llu netlink\n",
	       (unsigned long long)info.nr_opens,
	       (unsigned long long)info.nr_ioctls,
	       (unsigned long long)info.nr_requests);
	return 0;
}

const struct cli_cmd cli_cmd_status = {
	.name = "status",
	.args = "",
	.summary = "module version, mode, sources, counters, coverage, drops",
	.help = "",
	.handler = cmd_status,
};

static int cmd_config(const struct cli_opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	fprintf(stderr, "memowner: config: not built yet\n");
	return 1;
}

const struct cli_cmd cli_cmd_config = {
	.name = "config",
	.args = "[--mode M] [--sources LIST] [--depth N] [--sample-bytes B] [--enable|--disable]",
	.summary = "show or change the tracking configuration",
	.help = "",
	.handler = cmd_config,
};
