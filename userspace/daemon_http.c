// SPDX-License-Identifier: GPL-2.0
/*
 * memownerd: a minimal HTTP/1.0 and 1.1 server for GET /metrics, served
 * from the daemon's one poll() loop.
 *
 * Every socket is non-blocking; a client sends one request (headers only,
 * at most 4 KiB), gets one response with Content-Length and
 * "Connection: close", and is closed.  A client that has not finished
 * within 10 s is dropped, and at most HTTP_MAX_CLIENTS are served at once
 * (the listen backlog holds the others), so a slow or hostile client can
 * neither block the daemon nor make it grow.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>

#include "memownerd.h"

#define HTTP_TIMEOUT_MS		10000
#define METRICS_TYPE		"text/plain; version=0.0.4; charset=utf-8"

static const char index_page[] =
	"<html><head><title>memownerd</title></head><body>\n"
	"<h1>memownerd</h1>\n"
	"<p>Who owns kernel memory: <a href=\"/metrics\">metrics</a></p>\n"
	"</body></html>\n";

int http_open(struct http_server *h, const char *spec, http_body_fn body,
	      void *arg, char *err, size_t errlen)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
	};
	char host[128], port[16];
	const char *colon = strrchr(spec, ':');
	struct addrinfo *ai;
	int one = 1, fd, ret;

	memset(h, 0, sizeof(*h));
	h->lfd = -1;
	h->body = body;
	h->arg = arg;
	snprintf(h->addr, sizeof(h->addr), "%s", spec);
	if (!colon) {			/* "9477": loopback only */
		snprintf(host, sizeof(host), "127.0.0.1");
		snprintf(port, sizeof(port), "%s", spec);
	} else if (spec[0] == '[' && colon > spec && colon[-1] == ']') {
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec - 2),
			 spec + 1);
		snprintf(port, sizeof(port), "%s", colon + 1);
	} else {
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
		snprintf(port, sizeof(port), "%s", colon + 1);
	}
	if (!port[0] || strspn(port, "0123456789") != strlen(port) ||
	    atoi(port) < 1 || atoi(port) > 65535) {
		snprintf(err, errlen, "bad listen address '%s' (HOST:PORT, [V6]:PORT or PORT)",
			 spec);
		return -EINVAL;
	}
	ret = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (ret) {
		snprintf(err, errlen, "bad listen address '%s': %s", spec,
			 gai_strerror(ret));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		goto fail;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64)) {
		ret = -errno;
		close(fd);
		goto fail;
	}
	freeaddrinfo(ai);
	h->lfd = fd;
	return 0;
fail:
	snprintf(err, errlen, "listen on %s: %s", spec, strerror(-ret));
	freeaddrinfo(ai);
	return ret;
}

static void client_close(struct http_server *h, int i)
{
	close(h->c[i].fd);
	free(h->c[i].out);
	h->c[i] = h->c[--h->nr];
	h->c[h->nr].out = NULL;
}

void http_close(struct http_server *h)
{
	while (h->nr)
		client_close(h, 0);
	if (h->lfd >= 0)
		close(h->lfd);
	h->lfd = -1;
}

int http_fill(struct http_server *h, struct pollfd *pfds)
{
	int i, n = 0;

	if (h->lfd < 0)
		return 0;
	/* When full, leave new connections in the backlog. */
	if (h->nr < HTTP_MAX_CLIENTS) {
		pfds[n].fd = h->lfd;
		pfds[n++].events = POLLIN;
	}
	for (i = 0; i < h->nr; i++) {
		pfds[n].fd = h->c[i].fd;
		pfds[n++].events = h->c[i].out ? POLLOUT : POLLIN;
	}
	return n;
}

static void respond(struct http_client *c, int code, const char *reason,
		    const char *type, const char *body, size_t len, int head,
		    const char *extra)
{
	struct strbuf b = { 0 };

	sb_printf(&b, "HTTP/1.1 %d %s\r\n"
		  "Content-Type: %s\r\n"
		  "Content-Length: %zu\r\n"
		  "Connection: close\r\n%s\r\n",
		  code, reason, type, len, extra ? extra : "");
	if (!head)
		sb_append(&b, body, len);
	c->out = b.s;
	c->out_len = b.len;
	c->out_off = 0;
	if (!c->out) {
		c->out = strdup("");
		c->out_len = 0;
	}
}

/* A complete request head is in c->req: answer it. */
static void handle_request(struct http_server *h, struct http_client *c)
{
	char method[16], target[1024], *q;
	int major, minor, head;
	struct strbuf body = { 0 };

	h->requests++;
	if (sscanf(c->req, "%15s %1023s HTTP/%d.%d", method, target, &major,
		   &minor) != 4 || major != 1) {
		respond(c, 400, "Bad Request", "text/plain", "bad request\n", 12,
			0, NULL);
		return;
	}
	head = !strcmp(method, "HEAD");
	if (!head && strcmp(method, "GET")) {
		respond(c, 405, "Method Not Allowed", "text/plain",
			"only GET and HEAD\n", 18, 0, "Allow: GET, HEAD\r\n");
		return;
	}
	q = strchr(target, '?');
	if (q)
		*q = '\0';
	if (!strcmp(target, "/metrics")) {
		h->body(&body, h->arg);
		respond(c, 200, "OK", METRICS_TYPE, body.s ? body.s : "",
			body.len, head, NULL);
		sb_free(&body);
	} else if (!strcmp(target, "/")) {
		respond(c, 200, "OK", "text/html; charset=utf-8", index_page,
			sizeof(index_page) - 1, head, NULL);
	} else {
		respond(c, 404, "Not Found", "text/plain", "not found\n", 10,
			head, NULL);
	}
}

static void client_read(struct http_server *h, int i)
{
	struct http_client *c = &h->c[i];
	size_t room = sizeof(c->req) - 1 - c->req_len;
	ssize_t n;

	if (!room) {
		respond(c, 431, "Request Header Fields Too Large", "text/plain",
			"request too large\n", 18, 0, NULL);
		return;
	}
	n = recv(c->fd, c->req + c->req_len, room, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(h, i);
		return;
	}
	c->req_len += n;
	c->req[c->req_len] = '\0';
	if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
		handle_request(h, c);
}

static void client_write(struct http_server *h, int i)
{
	struct http_client *c = &h->c[i];
	ssize_t n;

	n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
		 MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		client_close(h, i);
		return;
	}
	c->out_off += n;
	if (c->out_off == c->out_len) {
		shutdown(c->fd, SHUT_WR);
		client_close(h, i);
	}
}

static void accept_clients(struct http_server *h)
{
	int fd;

	while (h->nr < HTTP_MAX_CLIENTS) {
		fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;	/* EAGAIN, or an aborted connection */
		memset(&h->c[h->nr], 0, sizeof(h->c[0]));
		h->c[h->nr].fd = fd;
		h->c[h->nr].deadline = now_ms() + HTTP_TIMEOUT_MS;
		h->nr++;
	}
}

void http_dispatch(struct http_server *h, const struct pollfd *pfds, int n)
{
	int k, i, accept_ready = 0;

	/* Clients first: accepting reorders nothing, closing does. */
	for (k = 0; k < n; k++) {
		if (!pfds[k].revents)
			continue;
		if (pfds[k].fd == h->lfd) {
			accept_ready = 1;
			continue;
		}
		for (i = 0; i < h->nr && h->c[i].fd != pfds[k].fd; i++)
			;
		if (i == h->nr)
			continue;
		if (h->c[i].out)
			client_write(h, i);
		else
			client_read(h, i);
	}
	if (accept_ready)
		accept_clients(h);
}

uint64_t http_expire(struct http_server *h, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	int i;

	for (i = 0; i < h->nr;) {
		if (h->c[i].deadline <= now) {
			client_close(h, i);
			continue;
		}
		if (h->c[i].deadline < next)
			next = h->c[i].deadline;
		i++;
	}
	return next;
}
