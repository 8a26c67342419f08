// SPDX-License-Identifier: GPL-2.0
/*
 * mo_write FILE STRING: one write(2) of STRING and a newline to FILE; on
 * failure the reason (strerror) on stderr and exit status 1.
 *
 * The shell scripts drive memowner_test.ko's control file with it: a
 * shell's own "echo >file" does not say why a write failed on every
 * system (Debian's dash prints "I/O error" for any errno), and busybox's
 * printf ignores write errors altogether.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t len;
	ssize_t n;
	char *buf;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: mo_write FILE STRING\n");
		return 2;
	}
	len = strlen(argv[2]);
	buf = malloc(len + 2);
	if (!buf) {
		perror("mo_write");
		return 1;
	}
	memcpy(buf, argv[2], len);
	buf[len++] = '\n';
	fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "mo_write: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	n = write(fd, buf, len);
	if (n < 0) {
		fprintf(stderr, "mo_write: %s: write error: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	if ((size_t)n != len) {
		fprintf(stderr, "mo_write: %s: short write (%zd of %zu)\n",
			argv[1], n, len);
		return 1;
	}
	if (close(fd)) {
		fprintf(stderr, "mo_write: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	return 0;
}
