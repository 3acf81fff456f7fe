/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The QMP commands vl-qmpd knows, each with its arguments as QEMU's schema
 * declares them, so that one generic check (qmp.c) answers a missing,
 * ill-typed or unexpected argument in QEMU's words before a command runs.
 */
#ifndef QMPD_COMMANDS_H
#define QMPD_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;
struct qmp_session;

enum qmp_arg_type {
	QMP_ARG_INT,		/* 'int': an int64 */
	QMP_ARG_STR,		/* 'str' */
	QMP_ARG_CAPS,		/* ['QMPCapability'], qmp_capabilities' enable */
};

struct qmp_arg {
	const char *name;
	enum qmp_arg_type type;
	bool optional;
};

/* QEMU's error classes that vl-qmpd uses. */
#define QMP_GENERIC_ERROR	"GenericError"
#define QMP_COMMAND_NOT_FOUND	"CommandNotFound"

/* One command as it runs: its checked arguments in, a result out. */
struct qmp_call {
	struct qmp_session *session;
	struct json_object *args;	/* an object, checked; never NULL */
	struct json_object *ret;	/* "return" (owned); NULL: {} */
	const char *err_class;		/* set on failure */
	char err_desc[512];
};

struct qmp_command {
	const char *name;
	const struct qmp_arg *args;
	size_t nargs;
	void (*run)(struct qmp_call *call);
};

/* NULL for a name vl-qmpd does not know. */
const struct qmp_command *qmp_command_find(const char *name);

/* Fail @call with @cls and a printf-formatted description. */
void qmp_call_fail(struct qmp_call *call, const char *cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* QMPD_COMMANDS_H */
