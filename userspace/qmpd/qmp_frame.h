/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Splitting a QMP client's byte stream into JSON messages, as QEMU's JSON
 * streamer does: on the boundaries of top-level values, not on lines, so
 * that a message may arrive in pieces, several may share one read, and
 * none needs a newline.  json-c then parses each message whole.
 *
 * Between messages the splitter is QEMU's lexer in miniature: blanks are
 * skipped, a byte that cannot start a JSON value is a message of its own
 * (a "stray", which QEMU answers with "JSON parse error, stray '...'"),
 * and after one the bytes up to the next structural character or control
 * character are skipped, as QEMU's lexer does to resynchronize.
 */
#ifndef QMP_FRAME_H
#define QMP_FRAME_H

#include <stdbool.h>
#include <stddef.h>

#include "qmp_json.h"

/* The largest message a client may send; QEMU allows 64 MiB. */
#define QMP_FRAME_MAX		(1u << 20)
/* Nesting of objects and arrays, as QEMU's MAX_NESTING. */
#define QMP_FRAME_MAX_DEPTH	1024

enum qmp_frame_state {
	QMP_FRAME_START,	/* between messages */
	QMP_FRAME_NESTED,	/* inside an object or array */
	QMP_FRAME_STRING,	/* a string at the top level */
	QMP_FRAME_SCALAR,	/* a number or keyword at the top level */
	QMP_FRAME_RECOVER,	/* skipping after a stray byte */
};

struct qmp_frame {
	struct qmp_buf msg;	/* the message so far */
	enum qmp_frame_state state;
	unsigned int depth;
	char quote;		/* inside a string: its quote; else 0 */
	bool escape;		/* the last byte was a backslash in a string */
};

/*
 * A whole message (@stray false: NUL-terminated JSON text for json-c), or
 * one stray byte.  A non-zero return stops qmp_frame_feed(), which then
 * returns it.
 */
typedef int (*qmp_frame_fn)(void *arg, const char *text, size_t len,
			    bool stray);

/*
 * Split @len bytes of input, handing each message to @fn.  Returns 0, what
 * @fn returned, or -EMSGSIZE (a message beyond QMP_FRAME_MAX), -ELOOP
 * (nested beyond QMP_FRAME_MAX_DEPTH), -ENOMEM: then the stream cannot be
 * resynchronized and its client is best dropped.
 */
int qmp_frame_feed(struct qmp_frame *f, const char *data, size_t len,
		   qmp_frame_fn fn, void *arg);
void qmp_frame_free(struct qmp_frame *f);

#endif /* QMP_FRAME_H */
