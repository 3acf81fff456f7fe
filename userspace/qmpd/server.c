// SPDX-License-Identifier: GPL-2.0
/*
 * The QMP sockets and their clients.  Every client has a bounded output
 * queue: one that stops reading first stops being read (no more requests
 * are taken from it while more than QMPD_OUT_PAUSE waits), and is dropped
 * once events push its queue past QMPD_OUT_MAX, so that it can neither
 * stall the loop nor grow the daemon.  A client is only ever freed between
 * rounds of the loop (qmpd_server_sweep()): a drop can happen deep inside
 * another client's request, when an event is broadcast.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "backend.h"
#include "loop.h"
#include "qmp.h"
#include "qmpd.h"

#define QMPD_OUT_MAX		(1u << 20)
#define QMPD_OUT_PAUSE		(64u << 10)
#define QMPD_MAX_CLIENTS	1024
#define QMPD_MAX_LISTENERS	16
#define QMPD_READ_SIZE		(64u << 10)

struct client {
	struct client *next;
	struct qmpd_watch w;
	struct qmp_session qmp;
	char *out;		/* output not yet written, from out_off */
	size_t out_off, out_len, out_cap;
	uint32_t events;	/* what the loop watches for */
	bool closing;		/* write what is queued, then close */
	bool dead;		/* to be freed by the sweep */
};

struct listener {
	struct qmpd_watch w;
	char *unix_path;	/* absolute: removed at exit */
};

static struct client *clients;
static unsigned int nclients;
static struct listener listeners[QMPD_MAX_LISTENERS];
static unsigned int nlisteners;
static bool input_stopped;

/* ---- Output ------------------------------------------------------------------ */

static size_t pending(const struct client *c)
{
	return c->out_len - c->out_off;
}

static void client_drop(struct client *c, const char *why)
{
	if (c->dead)
		return;
	if (why)
		qmpd_log("client %d dropped: %s", c->w.fd, why);
	c->dead = true;
	qmpd_loop_del(&c->w);
}

/* Watch for what the client can do next: write what waits, send more. */
static void client_rearm(struct client *c)
{
	uint32_t ev = 0;

	if (c->dead)
		return;
	if (pending(c))
		ev |= EPOLLOUT;
	else if (c->closing) {
		client_drop(c, NULL);
		return;
	}
	if (!c->closing && !input_stopped && pending(c) < QMPD_OUT_PAUSE)
		ev |= EPOLLIN;
	if (ev != c->events && !qmpd_loop_mod(&c->w, ev))
		c->events = ev;
}

static void client_flush(struct client *c)
{
	while (!c->dead && pending(c)) {
		ssize_t n = send(c->w.fd, c->out + c->out_off, pending(c),
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			client_drop(c, NULL);	/* it went away */
			return;
		}
		c->out_off += n;
	}
	if (!pending(c))
		c->out_off = c->out_len = 0;
	client_rearm(c);
}

/* Make room for @len more bytes, moving what waits to the front. */
static bool client_reserve(struct client *c, size_t len)
{
	size_t cap = c->out_cap ? c->out_cap : 4096;
	char *p;

	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, pending(c));
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out_len + len <= c->out_cap)
		return true;
	while (cap < c->out_len + len)
		cap *= 2;
	p = realloc(c->out, cap);
	if (!p)
		return false;
	c->out = p;
	c->out_cap = cap;
	return true;
}

/* The session's output: queued, then written as far as the socket takes. */
static void client_send(void *arg, const char *line, size_t len)
{
	struct client *c = arg;

	if (c->dead)
		return;
	if (pending(c) + len > QMPD_OUT_MAX) {
		client_drop(c, "it does not read what it is sent");
		return;
	}
	if (!client_reserve(c, len)) {
		client_drop(c, "out of memory");
		return;
	}
	memcpy(c->out + c->out_len, line, len);
	c->out_len += len;
	client_flush(c);
}

void qmpd_broadcast(const char *name, struct json_object *data)
{
	struct client *c;
	size_t len;
	char *line = qmp_event_line(name, data, &len);

	if (!line)
		return;
	for (c = clients; c; c = c->next)
		if (!c->dead && c->qmp.negotiated)
			client_send(c, line, len);
	free(line);
}

/* ---- Input -------------------------------------------------------------------- */

static void client_read(struct client *c)
{
	static char buf[QMPD_READ_SIZE];
	ssize_t n = recv(c->w.fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		/* Half-closed: its replies still go out, then it is closed. */
		c->closing = true;
		client_rearm(c);
		return;
	}
	if (qmp_session_input(&c->qmp, buf, n))
		c->closing = true;	/* told why; cannot resynchronize */
	client_rearm(c);
}

static void client_io(void *arg, uint32_t events)
{
	struct client *c = arg;

	if (events & EPOLLOUT)
		client_flush(c);
	if (!c->dead && (events & EPOLLIN))
		client_read(c);
	if (!c->dead && (events & EPOLLERR))
		client_drop(c, NULL);
	/* EPOLLHUP with bytes still to read: EPOLLIN comes with it first. */
	if (!c->dead && (events & EPOLLHUP) && !(events & EPOLLIN))
		client_drop(c, NULL);
}

static void client_new(int fd)
{
	struct client *c;

	if (nclients >= QMPD_MAX_CLIENTS || !(c = calloc(1, sizeof(*c)))) {
		close(fd);
		return;
	}
	c->w = (struct qmpd_watch){ .fd = fd, .fn = client_io, .arg = c };
	c->events = EPOLLIN;
	if (qmpd_loop_add(&c->w, c->events)) {
		close(fd);
		free(c);
		return;
	}
	qmp_session_init(&c->qmp, client_send, c);
	c->next = clients;
	clients = c;
	nclients++;
	qmp_session_greet(&c->qmp);
}

static void client_free(struct client *c)
{
	close(c->w.fd);
	qmp_session_fini(&c->qmp);
	free(c->out);
	free(c);
	nclients--;
}

void qmpd_server_sweep(void)
{
	struct client **p = &clients;

	while (*p) {
		struct client *c = *p;

		if (c->dead) {
			*p = c->next;
			client_free(c);
		} else {
			p = &c->next;
		}
	}
}

static void on_accept(void *arg, uint32_t events)
{
	struct listener *l = arg;
	int fd;

	(void)events;
	while (!input_stopped) {
		fd = accept4(l->w.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;	/* EAGAIN, or a connection that already went */
		client_new(fd);
	}
}

void qmpd_server_stop_input(void)
{
	struct client *c;
	unsigned int i;

	input_stopped = true;
	for (i = 0; i < nlisteners; i++)
		qmpd_loop_del(&listeners[i].w);
	for (c = clients; c; c = c->next)
		client_rearm(c);
}

bool qmpd_server_pending(void)
{
	struct client *c;

	for (c = clients; c; c = c->next)
		if (!c->dead && pending(c))
			return true;
	return false;
}

void qmpd_server_close(void)
{
	struct client *c;
	unsigned int i;

	for (c = clients; c; c = c->next)
		client_drop(c, NULL);
	qmpd_server_sweep();
	for (i = 0; i < nlisteners; i++) {
		close(listeners[i].w.fd);
		if (listeners[i].unix_path)
			unlink(listeners[i].unix_path);
		free(listeners[i].unix_path);
	}
	nlisteners = 0;
}

/* ---- Listening ---------------------------------------------------------------- */

/*
 * QEMU's socket options that vl-qmpd's sockets always have (a server that
 * does not wait for a client): accepted so that QEMU's -qmp values work.
 */
static int strip_options(char *spec)
{
	char *opt = strchr(spec, ',');

	if (!opt)
		return 0;
	*opt++ = '\0';
	for (char *o = strtok(opt, ","); o; o = strtok(NULL, ",")) {
		if (strcmp(o, "server") && strcmp(o, "server=on") &&
		    strcmp(o, "nowait") && strcmp(o, "wait=off")) {
			qmpd_log("--qmp: unknown option '%s'", o);
			return -1;
		}
	}
	return 0;
}

/* A path of a live server is refused; a stale socket is replaced. */
static int unix_path_free(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, live;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		qmpd_log("%s: exists and is not a socket", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	strcpy(sa.sun_path, path);
	live = !connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (live) {
		qmpd_log("%s: another server is listening there", path);
		return -1;
	}
	return unlink(path);
}

char *qmpd_absolute(const char *path)
{
	char cwd[PATH_MAX], *abs;

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return strdup(path);
	if (asprintf(&abs, "%s/%s", cwd, path) < 0)
		return NULL;
	return abs;
}

static int add_listener(int fd, const char *unix_path)
{
	struct listener *l = &listeners[nlisteners];

	if (listen(fd, SOMAXCONN)) {
		qmpd_log("listen: %s", strerror(errno));
		return -1;
	}
	l->w = (struct qmpd_watch){ .fd = fd, .fn = on_accept, .arg = l };
	l->unix_path = unix_path ? qmpd_absolute(unix_path) : NULL;
	if (qmpd_loop_add(&l->w, EPOLLIN)) {
		free(l->unix_path);
		return -1;
	}
	nlisteners++;
	return 0;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (!*path || strlen(path) >= sizeof(sa.sun_path)) {
		qmpd_log("unix:%s: the path must have 1 to %zu bytes", path,
			 sizeof(sa.sun_path) - 1);
		return -1;
	}
	if (unix_path_free(path))
		return -1;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		qmpd_log("unix:%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (add_listener(fd, path)) {
		close(fd);
		unlink(path);
		return -1;
	}
	return 0;
}

/* HOST:PORT, HOST possibly [v6]: split in place. */
static int split_host_port(char *s, char **host, char **port)
{
	char *colon = strrchr(s, ':');

	if (!colon)
		return -1;
	*colon = '\0';
	*port = colon + 1;
	*host = s;
	if (s[0] == '[' && colon > s + 1 && colon[-1] == ']') {
		colon[-1] = '\0';
		*host = s + 1;
	}
	return **port ? 0 : -1;
}

static int listen_tcp(char *hostport)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE,
	};
	struct addrinfo *ai;
	char *host, *port;
	int fd, err;

	if (split_host_port(hostport, &host, &port)) {
		qmpd_log("tcp:%s: expected tcp:HOST:PORT", hostport);
		return -1;
	}
	err = getaddrinfo(*host ? host : NULL, port, &hints, &ai);
	if (err) {
		qmpd_log("tcp:%s:%s: %s", host, port, gai_strerror(err));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen)) {
		qmpd_log("tcp:%s:%s: %s", host, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	if (add_listener(fd, NULL)) {
		close(fd);
		return -1;
	}
	return 0;
}

int qmpd_server_listen(const char *spec)
{
	char *s = strdup(spec);
	int ret = -1;

	if (!s)
		return -1;
	if (nlisteners >= QMPD_MAX_LISTENERS)
		qmpd_log("--qmp: at most %d sockets", QMPD_MAX_LISTENERS);
	else if (strip_options(s))
		;
	else if (!strncmp(s, "unix:", 5))
		ret = listen_unix(s + 5);
	else if (!strncmp(s, "tcp:", 4))
		ret = listen_tcp(s + 4);
	else
		qmpd_log("--qmp %s: expected unix:PATH or tcp:HOST:PORT", spec);
	free(s);
	return ret;
}
