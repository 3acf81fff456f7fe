/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A QMP client, as a user's would be: a unix socket, one JSON object per
 * CRLF-terminated line from the server, parsed with json-c.  Replies are
 * matched to requests by their id; events that come meanwhile are kept,
 * in order, for the caller to wait for.  vl-qmp speaks QMP through it,
 * and so do the selftests (selftests/vl_test_qmp.h).
 */
#ifndef QMP_CLIENT_H
#define QMP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* Longer than any line vl-qmpd writes (query-commands is the longest). */
#define QMP_LINE_MAX		(64 << 10)
#define QMP_MAX_EVENTS		64
/* How long a reply may take unless the caller says otherwise. */
#define QMP_TIMEOUT_MS		20000

struct qmp_client;

/*
 * Told of every message as it goes: @dir is "->" for what is sent, "<-"
 * for each line that comes (without its CRLF, parsed or not).
 */
typedef void (*qmp_trace_fn)(struct qmp_client *c, const char *dir,
			     const char *text, size_t len);

struct qmp_client {
	int fd;
	char *buf;		/* input not yet split into lines */
	size_t len;
	bool eof;		/* the server closed the connection, or it broke */
	struct json_object *events[QMP_MAX_EVENTS];	/* oldest first */
	int nevents;
	int next_id;
	int timeout_ms;		/* for replies and the greeting */
	char error[256];	/* the desc of the last error reply, or why none came */
	qmp_trace_fn trace;	/* NULL: nothing traced */
};

long qmp_now_ms(void);

/* Connect to the unix socket @path; 0, or -1 when nobody listens there. */
int qmp_connect_once(struct qmp_client *c, const char *path);
void qmp_close(struct qmp_client *c);

/*
 * The next message from the server, or NULL: the connection ended
 * (c->eof), @timeout_ms passed, or the line was not one JSON object
 * ending in CRLF (c->error says so).  A timeout of 0 takes what has
 * arrived and does not wait.
 */
struct json_object *qmp_read(struct qmp_client *c, int timeout_ms);
bool qmp_is_event(struct json_object *o);

/* False when the connection is gone (c->eof, c->error says why). */
bool qmp_send_raw(struct qmp_client *c, const char *text, size_t len);
bool qmp_send_str(struct qmp_client *c, const char *text);

/* The greeting: {"QMP": {"version": ..., "capabilities": []}}. */
bool qmp_read_greeting(struct qmp_client *c);

/*
 * Send @req (taken) with an id of its own; the reply that has that id
 * (the caller puts it), events coming first kept.  NULL when none came
 * (c->error says why), at once when the connection is gone.
 */
struct json_object *qmp_request(struct qmp_client *c, struct json_object *req);
/* The same for {"execute": @execute, "arguments": @args (taken; may be NULL)}. */
struct json_object *qmp_execute(struct qmp_client *c, const char *execute,
				struct json_object *args);
/* The next message that is not an event (events kept), or NULL. */
struct json_object *qmp_read_reply(struct qmp_client *c, int timeout_ms);
/* "desc" of an error reply, NULL for a success. */
const char *qmp_error_desc(struct json_object *reply);
/*
 * Run a command whose return value does not matter: 0 when it returned,
 * -1 when it failed or got no reply (c->error says which).
 */
int qmp_cmd(struct qmp_client *c, const char *execute, struct json_object *args);
/* The greeting read and capabilities negotiated: 0, or -1. */
int qmp_negotiate(struct qmp_client *c);

/* An event kept; the oldest one goes if nobody looked at them. */
void qmp_keep_event(struct qmp_client *c, struct json_object *ev);
void qmp_clear_events(struct qmp_client *c);
/* The first kept event @name, removed from the kept ones; NULL if none. */
struct json_object *qmp_take_event(struct qmp_client *c, const char *name);
/* Event @name, kept or within @timeout_ms (the caller puts it); or NULL. */
struct json_object *qmp_wait_event(struct qmp_client *c, const char *name,
				   int timeout_ms);

#endif /* QMP_CLIENT_H */
