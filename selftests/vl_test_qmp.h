/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A QMP client for the selftests, written as a user's would be: a unix
 * socket, one JSON object per CRLF-terminated line from the server,
 * parsed with json-c.  Replies are matched to requests by their id;
 * events that come meanwhile are kept, in order, for the test to wait
 * for.  And vl-qmpd itself: started with its stderr in a file (and, for
 * a full disk, a limit on the size of the files it writes), waited for,
 * stopped.
 */
#ifndef VL_TEST_QMP_H
#define VL_TEST_QMP_H

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "vl_test_util.h"

#ifndef VL_QMPD
#define VL_QMPD			"/usr/bin/vl-qmpd"
#endif
/* Longer than any line vl-qmpd writes here (query-commands is the longest). */
#define QMP_LINE_MAX		(64 << 10)
#define QMP_MAX_EVENTS		64
/* A reply that takes longer is a hang: the VM is slow, but not this slow. */
#define QMP_TIMEOUT_MS		20000

struct qmp_client {
	int fd;
	char *buf;		/* input not yet split into lines */
	size_t len;
	struct json_object *events[QMP_MAX_EVENTS];	/* oldest first */
	int nevents;
	int next_id;
	char error[256];	/* the desc of the last error reply, or why none came */
};

static inline long qmp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An event kept; the oldest one goes if the test never looked at them. */
static inline void qmp_keep_event(struct qmp_client *c, struct json_object *ev)
{
	if (c->nevents == QMP_MAX_EVENTS) {
		json_object_put(c->events[0]);
		memmove(c->events, c->events + 1,
			(QMP_MAX_EVENTS - 1) * sizeof(c->events[0]));
		c->nevents--;
	}
	c->events[c->nevents++] = ev;
}

static inline void qmp_clear_events(struct qmp_client *c)
{
	while (c->nevents)
		json_object_put(c->events[--c->nevents]);
}

/*
 * The line ending at @nl, parsed.  QMP ends every server line with CRLF
 * and puts exactly one object on it: anything else is reported and
 * returns NULL.
 */
static inline struct json_object *qmp_take_line(struct qmp_client *c, char *nl)
{
	size_t n = nl - c->buf + 1;
	struct json_object *o = NULL;

	if (nl > c->buf && nl[-1] == '\r') {
		nl[-1] = '\0';
		o = json_tokener_parse(c->buf);
		if (o && !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			o = NULL;
		}
	}
	if (!o) {
		*nl = '\0';
		fprintf(stderr, "# qmp: not one object ending in CRLF: %.200s\n",
			c->buf);
	}
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
	return o;
}

/* The next message from the server, or NULL (EOF, timeout, bad line). */
static inline struct json_object *qmp_read(struct qmp_client *c, int timeout_ms)
{
	long deadline = qmp_now_ms() + timeout_ms;

	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		long left = deadline - qmp_now_ms();
		ssize_t n;

		if (nl)
			return qmp_take_line(c, nl);
		if (c->len == QMP_LINE_MAX || left < 0 ||
		    poll(&pfd, 1, left) != 1)
			return NULL;
		n = read(c->fd, c->buf + c->len, QMP_LINE_MAX - c->len);
		if (n <= 0)
			return NULL;
		c->len += n;
	}
}

static inline bool qmp_is_event(struct json_object *o)
{
	return json_object_object_get_ex(o, "event", NULL);
}

static inline bool qmp_send_raw(struct qmp_client *c, const char *text,
				size_t len)
{
	while (len) {
		ssize_t n = write(c->fd, text, len);

		if (n <= 0)
			return false;
		text += n;
		len -= n;
	}
	return true;
}

static inline bool qmp_send_str(struct qmp_client *c, const char *text)
{
	return qmp_send_raw(c, text, strlen(text));
}

/* Connect to @path; 0, or -1 when nobody listens there. */
static inline int qmp_connect_once(struct qmp_client *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(c, 0, sizeof(*c));
	c->next_id = 1;
	c->buf = malloc(QMP_LINE_MAX);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (c->buf && c->fd >= 0 &&
	    !connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return 0;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	c->buf = NULL;
	c->fd = -1;
	return -1;
}

static inline void qmp_close(struct qmp_client *c)
{
	qmp_clear_events(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}

/* The greeting: {"QMP": {"version": ..., "capabilities": []}}. */
static inline bool qmp_read_greeting(struct qmp_client *c)
{
	struct json_object *g = qmp_read(c, QMP_TIMEOUT_MS), *qmp, *caps;
	bool ok = g && json_object_object_get_ex(g, "QMP", &qmp) &&
		  json_object_object_get_ex(qmp, "version", NULL) &&
		  json_object_object_get_ex(qmp, "capabilities", &caps) &&
		  json_object_is_type(caps, json_type_array);

	json_object_put(g);
	return ok;
}

/*
 * Send @execute with @args (taken; may be NULL) and an id of its own;
 * the reply that has that id (the caller puts it), events coming first
 * kept.  NULL when none came.
 */
static inline struct json_object *qmp_execute(struct qmp_client *c,
					      const char *execute,
					      struct json_object *args)
{
	struct json_object *req = json_object_new_object(), *o, *id;
	int want = c->next_id++;
	const char *text;

	json_object_object_add(req, "execute", json_object_new_string(execute));
	if (args)
		json_object_object_add(req, "arguments", args);
	json_object_object_add(req, "id", json_object_new_int(want));
	text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	snprintf(c->error, sizeof(c->error), "no reply to %s", execute);
	if (!qmp_send_str(c, text)) {
		json_object_put(req);
		return NULL;
	}
	json_object_put(req);
	while ((o = qmp_read(c, QMP_TIMEOUT_MS))) {
		if (qmp_is_event(o))
			qmp_keep_event(c, o);
		else if (json_object_object_get_ex(o, "id", &id) &&
			 json_object_get_int(id) == want)
			return o;
		else
			json_object_put(o);	/* an error of earlier input */
	}
	return NULL;
}

/* The next message that is not an event (events kept), or NULL. */
static inline struct json_object *qmp_read_reply(struct qmp_client *c,
						 int timeout_ms)
{
	long deadline = qmp_now_ms() + timeout_ms;
	struct json_object *o;

	while (deadline > qmp_now_ms() &&
	       (o = qmp_read(c, deadline - qmp_now_ms()))) {
		if (!qmp_is_event(o))
			return o;
		qmp_keep_event(c, o);
	}
	return NULL;
}

/* "desc" of an error reply, NULL for a success. */
static inline const char *qmp_error_desc(struct json_object *reply)
{
	struct json_object *err, *desc;

	if (!json_object_object_get_ex(reply, "error", &err))
		return NULL;
	return json_object_object_get_ex(err, "desc", &desc) ?
	       json_object_get_string(desc) : "";
}

/*
 * Run a command whose return value does not matter: 0 when it returned,
 * -1 when it failed or got no reply (c->error says which).
 */
static inline int qmp_cmd(struct qmp_client *c, const char *execute,
			  struct json_object *args)
{
	struct json_object *reply = qmp_execute(c, execute, args);
	int ret = -1;

	if (reply && json_object_object_get_ex(reply, "return", NULL))
		ret = 0;
	else if (reply)
		snprintf(c->error, sizeof(c->error), "%s", qmp_error_desc(reply));
	json_object_put(reply);
	return ret;
}

/* {"icount": @icount}, the arguments of replay-break and replay-seek. */
static inline struct json_object *qmp_icount_arg(uint64_t icount)
{
	struct json_object *args = json_object_new_object();

	json_object_object_add(args, "icount", json_object_new_int64(icount));
	return args;
}

static inline int qmp_cmd_icount(struct qmp_client *c, const char *execute,
				 uint64_t icount)
{
	return qmp_cmd(c, execute, qmp_icount_arg(icount));
}

/* The greeting read and capabilities negotiated: 0, or -1. */
static inline int qmp_negotiate(struct qmp_client *c)
{
	return qmp_read_greeting(c) && !qmp_cmd(c, "qmp_capabilities", NULL) ?
	       0 : -1;
}

/* What query-replay and query-status answer. */
struct qmp_replay {
	char mode[16];
	char filename[256];
	uint64_t icount;
};

static inline int qmp_query_replay(struct qmp_client *c, struct qmp_replay *r)
{
	struct json_object *reply = qmp_execute(c, "query-replay", NULL), *ret, *v;
	int err = -1;

	memset(r, 0, sizeof(*r));
	if (reply && json_object_object_get_ex(reply, "return", &ret) &&
	    json_object_object_get_ex(ret, "mode", &v)) {
		snprintf(r->mode, sizeof(r->mode), "%s", json_object_get_string(v));
		if (json_object_object_get_ex(ret, "filename", &v))
			snprintf(r->filename, sizeof(r->filename), "%s",
				 json_object_get_string(v));
		if (json_object_object_get_ex(ret, "icount", &v)) {
			r->icount = json_object_get_uint64(v);
			err = 0;
		}
	}
	json_object_put(reply);
	return err;
}

/*
 * query-status: 1 paused, 0 running, -1 no answer or one where "status"
 * and "running" disagree.
 */
static inline int qmp_paused(struct qmp_client *c)
{
	struct json_object *reply = qmp_execute(c, "query-status", NULL), *ret;
	struct json_object *status, *running;
	int paused = -1;

	if (reply && json_object_object_get_ex(reply, "return", &ret) &&
	    json_object_object_get_ex(ret, "status", &status) &&
	    json_object_object_get_ex(ret, "running", &running)) {
		bool p = !strcmp(json_object_get_string(status), "paused");
		bool r = !strcmp(json_object_get_string(status), "running");

		if ((p || r) && json_object_get_boolean(running) == r)
			paused = p;
	}
	json_object_put(reply);
	return paused;
}

/* The first kept event @name, removed from the kept ones; NULL if none. */
static inline struct json_object *qmp_take_event(struct qmp_client *c,
						 const char *name)
{
	for (int i = 0; i < c->nevents; i++) {
		struct json_object *ev = c->events[i], *n;

		if (!json_object_object_get_ex(ev, "event", &n) ||
		    strcmp(json_object_get_string(n), name))
			continue;
		memmove(c->events + i, c->events + i + 1,
			(c->nevents - i - 1) * sizeof(c->events[0]));
		c->nevents--;
		return ev;
	}
	return NULL;
}

/* Event @name, kept or within @timeout_ms (the caller puts it); or NULL. */
static inline struct json_object *qmp_wait_event(struct qmp_client *c,
						 const char *name,
						 int timeout_ms)
{
	long deadline = qmp_now_ms() + timeout_ms;
	struct json_object *ev = qmp_take_event(c, name), *o;

	while (!ev && deadline > qmp_now_ms() &&
	       (o = qmp_read(c, deadline - qmp_now_ms()))) {
		if (qmp_is_event(o))
			qmp_keep_event(c, o);
		else
			json_object_put(o);
		ev = qmp_take_event(c, name);
	}
	return ev;
}

/* An event's "data" member @key as an integer, or -1. */
static inline int64_t qmp_event_int(struct json_object *ev, const char *key)
{
	struct json_object *data, *v;

	if (!json_object_object_get_ex(ev, "data", &data) ||
	    !json_object_object_get_ex(data, key, &v))
		return -1;
	return json_object_get_int64(v);
}

/* ---- vl-qmpd ------------------------------------------------------------- */

struct qmpd_proc {
	pid_t pid;
	char sock[64];		/* its unix socket */
	char errlog[64];	/* its stderr */
};

/* The file size limit of qmpd_spawn(): none. */
#define QMPD_NO_FILE_LIMIT	0

/*
 * Start vl-qmpd on the unix socket @sock with the options @args (up to
 * their NULL; at most 8).  Its messages go to a file, printed by
 * qmpd_print_log(): on the TAP stream they would not be comments.  With
 * a @file_limit (RLIMIT_FSIZE, SIGXFSZ ignored) the files it writes stop
 * growing there, as on a full disk: a write past it fails with EFBIG.
 */
static inline int qmpd_spawn(struct qmpd_proc *d, const char *sock,
			     const char *const *args, off_t file_limit)
{
	const char *argv[12] = { VL_QMPD, "--qmp" };
	struct rlimit lim = { file_limit, file_limit };
	char spec[80];
	int i;

	argv[2] = spec;
	for (i = 0; args[i] && i < 8; i++)
		argv[3 + i] = args[i];
	snprintf(d->sock, sizeof(d->sock), "%s", sock);
	snprintf(d->errlog, sizeof(d->errlog), "%s.err", sock);
	snprintf(spec, sizeof(spec), "unix:%s", sock);
	fflush(stderr);
	d->pid = fork();
	if (d->pid < 0)
		return -1;
	if (!d->pid) {
		int fd = open(d->errlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0600);

		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		if (file_limit != QMPD_NO_FILE_LIMIT &&
		    (signal(SIGXFSZ, SIG_IGN) == SIG_ERR ||
		     setrlimit(RLIMIT_FSIZE, &lim)))
			_exit(126);
		execv(VL_QMPD, (char *const *)argv);
		_exit(127);
	}
	return 0;
}

/* vl-qmpd with @mode ("--record", "--replay" or NULL) and @file. */
static inline int qmpd_start(struct qmpd_proc *d, const char *sock,
			     const char *mode, const char *file)
{
	const char *args[] = { mode, file, NULL };

	return qmpd_spawn(d, sock, args, QMPD_NO_FILE_LIMIT);
}

/* Its exit status (128 + N for signal N), or -1 if it ran on for @ms. */
static inline int qmpd_wait_exit(struct qmpd_proc *d, int ms)
{
	int status;

	for (int i = 0; d->pid > 0 && i < ms / 10; i++) {
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) :
			       128 + WTERMSIG(status);
		}
		usleep(10 * 1000);
	}
	return -1;
}

static inline bool qmpd_alive(struct qmpd_proc *d)
{
	return d->pid > 0 && waitpid(d->pid, NULL, WNOHANG) == 0;
}

/*
 * A client once the daemon listens (its socket appears only then): 0,
 * or -1 if the daemon exited or did not listen within QMP_TIMEOUT_MS.
 */
static inline int qmpd_connect(struct qmpd_proc *d, struct qmp_client *c)
{
	for (int i = 0; i < QMP_TIMEOUT_MS / 20; i++) {
		if (!qmp_connect_once(c, d->sock))
			return 0;
		if (!qmpd_alive(d))
			return -1;
		usleep(20 * 1000);
	}
	return -1;
}

/* Connected, greeted and negotiated: 0, or -1. */
static inline int qmpd_open(struct qmpd_proc *d, struct qmp_client *c)
{
	if (qmpd_connect(d, c))
		return -1;
	if (!qmp_negotiate(c))
		return 0;
	qmp_close(c);
	return -1;
}

/* Killed if it still runs (a failed test): @sig, then reaped. */
static inline void qmpd_kill(struct qmpd_proc *d, int sig)
{
	if (d->pid <= 0)
		return;
	kill(d->pid, sig);
	waitpid(d->pid, NULL, 0);
	d->pid = 0;
}

/* What the daemon said on stderr, as TAP comments. */
static inline void qmpd_print_log(const struct qmpd_proc *d)
{
	char line[512];
	FILE *f = fopen(d->errlog, "r");

	while (f && fgets(line, sizeof(line), f))
		fprintf(stderr, "# %s", line);
	if (f)
		fclose(f);
}

#endif /* VL_TEST_QMP_H */
