// SPDX-License-Identifier: GPL-2.0
/*
 * A QMP client over a unix socket, with json-c (see qmp_client.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "qmp_client.h"

long qmp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void qmp_keep_event(struct qmp_client *c, struct json_object *ev)
{
	if (c->nevents == QMP_MAX_EVENTS) {
		json_object_put(c->events[0]);
		memmove(c->events, c->events + 1,
			(QMP_MAX_EVENTS - 1) * sizeof(c->events[0]));
		c->nevents--;
	}
	c->events[c->nevents++] = ev;
}

void qmp_clear_events(struct qmp_client *c)
{
	while (c->nevents)
		json_object_put(c->events[--c->nevents]);
}

/*
 * The line ending at @nl, parsed.  QMP ends every server line with CRLF
 * and puts exactly one object on it: anything else is said in c->error
 * and returns NULL.
 */
static struct json_object *qmp_take_line(struct qmp_client *c, char *nl)
{
	size_t n = nl - c->buf + 1;
	bool crlf = nl > c->buf && nl[-1] == '\r';
	struct json_object *o = NULL;

	*nl = '\0';
	if (crlf)
		nl[-1] = '\0';
	if (c->trace)
		c->trace(c, "<-", c->buf, strlen(c->buf));
	if (crlf) {
		o = json_tokener_parse(c->buf);
		if (o && !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			o = NULL;
		}
	}
	if (!o)
		snprintf(c->error, sizeof(c->error),
			 "not one JSON object ending in CRLF: %.200s", c->buf);
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
	return o;
}

struct json_object *qmp_read(struct qmp_client *c, int timeout_ms)
{
	long deadline = qmp_now_ms() + timeout_ms;

	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		long left = deadline - qmp_now_ms();
		ssize_t n;

		if (nl)
			return qmp_take_line(c, nl);
		if (c->eof)
			return NULL;
		if (c->len == QMP_LINE_MAX) {
			snprintf(c->error, sizeof(c->error),
				 "a line longer than %d bytes", QMP_LINE_MAX);
			c->eof = true;
			return NULL;
		}
		if (poll(&pfd, 1, left > 0 ? left : 0) != 1)
			return NULL;
		n = read(c->fd, c->buf + c->len, QMP_LINE_MAX - c->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(c->error, sizeof(c->error), "%s",
				 n ? strerror(errno) : "the server closed the connection");
			c->eof = true;
			return NULL;
		}
		c->len += n;
	}
}

bool qmp_is_event(struct json_object *o)
{
	return json_object_object_get_ex(o, "event", NULL);
}

/* Never SIGPIPE: a server gone is an error to report, c->eof. */
bool qmp_send_raw(struct qmp_client *c, const char *text, size_t len)
{
	if (c->trace)
		c->trace(c, "->", text, len);
	while (len) {
		ssize_t n = send(c->fd, text, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(c->error, sizeof(c->error), "%s",
				 n && errno == EPIPE ? "the server closed the connection" :
				 strerror(errno));
			c->eof = true;
			return false;
		}
		text += n;
		len -= n;
	}
	return true;
}

bool qmp_send_str(struct qmp_client *c, const char *text)
{
	return qmp_send_raw(c, text, strlen(text));
}

int qmp_connect_once(struct qmp_client *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(c, 0, sizeof(*c));
	c->next_id = 1;
	c->timeout_ms = QMP_TIMEOUT_MS;
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

void qmp_close(struct qmp_client *c)
{
	qmp_clear_events(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}

bool qmp_read_greeting(struct qmp_client *c)
{
	struct json_object *g = qmp_read(c, c->timeout_ms), *qmp, *caps;
	bool ok = g && json_object_object_get_ex(g, "QMP", &qmp) &&
		  json_object_object_get_ex(qmp, "version", NULL) &&
		  json_object_object_get_ex(qmp, "capabilities", &caps) &&
		  json_object_is_type(caps, json_type_array);

	json_object_put(g);
	return ok;
}

struct json_object *qmp_request(struct qmp_client *c, struct json_object *req)
{
	struct json_object *execute, *o, *id;
	int want = c->next_id++;
	const char *text;

	if (c->eof) {		/* c->error says why */
		json_object_put(req);
		return NULL;
	}
	json_object_object_add(req, "id", json_object_new_int(want));
	text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	snprintf(c->error, sizeof(c->error), "no reply to %s",
		 json_object_object_get_ex(req, "execute", &execute) ?
		 json_object_get_string(execute) : text);
	if (!qmp_send_str(c, text)) {
		json_object_put(req);
		return NULL;
	}
	json_object_put(req);
	while ((o = qmp_read(c, c->timeout_ms))) {
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

struct json_object *qmp_execute(struct qmp_client *c, const char *execute,
				struct json_object *args)
{
	struct json_object *req = json_object_new_object();

	json_object_object_add(req, "execute", json_object_new_string(execute));
	if (args)
		json_object_object_add(req, "arguments", args);
	return qmp_request(c, req);
}

struct json_object *qmp_read_reply(struct qmp_client *c, int timeout_ms)
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

const char *qmp_error_desc(struct json_object *reply)
{
	struct json_object *err, *desc;

	if (!json_object_object_get_ex(reply, "error", &err))
		return NULL;
	return json_object_object_get_ex(err, "desc", &desc) ?
	       json_object_get_string(desc) : "";
}

int qmp_cmd(struct qmp_client *c, const char *execute, struct json_object *args)
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

int qmp_negotiate(struct qmp_client *c)
{
	return qmp_read_greeting(c) && !qmp_cmd(c, "qmp_capabilities", NULL) ?
	       0 : -1;
}

struct json_object *qmp_take_event(struct qmp_client *c, const char *name)
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

struct json_object *qmp_wait_event(struct qmp_client *c, const char *name,
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
