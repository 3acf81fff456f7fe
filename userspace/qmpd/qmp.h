/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The QMP protocol of one client, apart from sockets: bytes in, lines out.
 * What it says and when is QEMU 7.2's (monitor/qmp.c, qapi/qmp-dispatch.c):
 * the greeting, capabilities negotiation, the checks of a request and
 * their error texts, `id` echoed whatever its type, CRLF after every line.
 */
#ifndef QMP_H
#define QMP_H

#include <stdbool.h>
#include <stddef.h>

#include "qmp_frame.h"

struct json_object;

/* Takes one whole line (CRLF included) for the client. */
typedef void (*qmp_send_fn)(void *arg, const char *line, size_t len);

struct qmp_session {
	struct qmp_frame frame;
	bool negotiated;	/* qmp_capabilities done: commands, events */
	qmp_send_fn send;
	void *send_arg;
};

void qmp_session_init(struct qmp_session *s, qmp_send_fn send, void *arg);
void qmp_session_fini(struct qmp_session *s);

/* The greeting, the first line a client gets. */
void qmp_session_greet(struct qmp_session *s);

/*
 * Bytes from the client: each whole message is answered (through
 * s->send) before this returns.  0, or a negative errno when the stream
 * cannot go on (a message too large or too deep): the client was told
 * why and is best dropped.
 */
int qmp_session_input(struct qmp_session *s, const char *data, size_t len);

/*
 * @o (consumed) in QEMU's JSON, CRLF-terminated: a malloc'ed line of
 * *@len bytes, or NULL when out of memory.
 */
char *qmp_line(struct json_object *o, size_t *len);

/* An event's line (@data consumed, may be NULL), stamped with the time. */
char *qmp_event_line(const char *name, struct json_object *data, size_t *len);

/* {"qemu": {"micro", "minor", "major"}, "package"}: greeting, query-version. */
struct json_object *qmp_version(void);

#endif /* QMP_H */
