// SPDX-License-Identifier: GPL-2.0
/*
 * The QMP input splitter: one byte at a time through a small state
 * machine, because a message's end may come in any read and nothing but
 * the nesting of braces and brackets outside strings marks it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "qmp_frame.h"

/* A buffer that grew for one large message is not kept for the next. */
#define QMP_FRAME_KEEP	(64u << 10)

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* What may start a number or a keyword (QEMU's keywords are lower case). */
static bool starts_scalar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static bool in_scalar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
}

/* Where QEMU's lexer stops skipping after an error (json-lexer.c). */
static bool ends_recovery(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c >= 0xFE || c == '{' || c == '}' ||
	       c == '[' || c == ']';
}

static int append(struct qmp_frame *f, unsigned char c)
{
	char ch = (char)c;

	if (f->msg.len >= QMP_FRAME_MAX)
		return -EMSGSIZE;
	qmp_buf_add(&f->msg, &ch, 1);
	return f->msg.oom ? -ENOMEM : 0;
}

/* Hand the message to @fn and start the next one. */
static int emit(struct qmp_frame *f, qmp_frame_fn fn, void *arg)
{
	int ret = fn(arg, f->msg.data, f->msg.len, false);

	if (f->msg.cap > QMP_FRAME_KEEP)
		qmp_buf_free(&f->msg);
	f->msg.len = 0;
	f->state = QMP_FRAME_START;
	f->depth = 0;
	f->quote = 0;
	f->escape = false;
	return ret;
}

/* Inside a string: only its closing quote matters, unless escaped. */
static void string_byte(struct qmp_frame *f, unsigned char c)
{
	if (f->escape)
		f->escape = false;
	else if (c == '\\')
		f->escape = true;
	else if (c == (unsigned char)f->quote)
		f->quote = 0;
}

static int start_byte(struct qmp_frame *f, unsigned char c, qmp_frame_fn fn,
		      void *arg)
{
	char ch = (char)c;

	if (is_blank(c))
		return 0;
	if (c == '{' || c == '[') {
		f->state = QMP_FRAME_NESTED;
		f->depth = 1;
		return append(f, c);
	}
	if (c == '"' || c == '\'') {
		f->state = QMP_FRAME_STRING;
		f->quote = ch;
		return append(f, c);
	}
	if (starts_scalar(c)) {
		f->state = QMP_FRAME_SCALAR;
		return append(f, c);
	}
	if (c == '}' || c == ']') {	/* closes nothing: a message alone */
		append(f, c);
		return emit(f, fn, arg);
	}
	f->state = QMP_FRAME_RECOVER;
	return fn(arg, &ch, 1, true);
}

static int nested_byte(struct qmp_frame *f, unsigned char c, qmp_frame_fn fn,
		       void *arg)
{
	int err = append(f, c);

	if (err)
		return err;
	if (f->quote) {
		string_byte(f, c);
		return 0;
	}
	if (c == '"' || c == '\'') {
		f->quote = (char)c;
	} else if (c == '{' || c == '[') {
		if (++f->depth > QMP_FRAME_MAX_DEPTH)
			return -ELOOP;
	} else if (c == '}' || c == ']') {
		if (!--f->depth)
			return emit(f, fn, arg);
	}
	return 0;
}

static int string_top_byte(struct qmp_frame *f, unsigned char c,
			   qmp_frame_fn fn, void *arg)
{
	int err = append(f, c);

	if (err)
		return err;
	string_byte(f, c);
	return f->quote ? 0 : emit(f, fn, arg);
}

/*
 * One byte in the current state.  *@again asks for the byte once more in
 * the state this one left for (a scalar ends at the byte after it).
 */
static int step(struct qmp_frame *f, unsigned char c, qmp_frame_fn fn,
		void *arg, bool *again)
{
	int ret;

	*again = false;
	switch (f->state) {
	case QMP_FRAME_START:
		return start_byte(f, c, fn, arg);
	case QMP_FRAME_NESTED:
		return nested_byte(f, c, fn, arg);
	case QMP_FRAME_STRING:
		return string_top_byte(f, c, fn, arg);
	case QMP_FRAME_SCALAR:
		if (in_scalar(c))
			return append(f, c);
		*again = true;
		ret = emit(f, fn, arg);
		return ret;
	case QMP_FRAME_RECOVER:
		if (!ends_recovery(c))
			return 0;
		f->state = QMP_FRAME_START;
		*again = true;
		return 0;
	}
	return 0;
}

int qmp_frame_feed(struct qmp_frame *f, const char *data, size_t len,
		   qmp_frame_fn fn, void *arg)
{
	size_t i = 0;
	bool again;
	int ret;

	while (i < len) {
		ret = step(f, (unsigned char)data[i], fn, arg, &again);
		if (ret)
			return ret;
		if (!again)
			i++;
	}
	return 0;
}

void qmp_frame_free(struct qmp_frame *f)
{
	qmp_buf_free(&f->msg);
	memset(f, 0, sizeof(*f));
}
