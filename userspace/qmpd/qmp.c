// SPDX-License-Identifier: GPL-2.0
/*
 * One QMP client's protocol: each message the splitter finds is parsed by
 * json-c, checked as qmp_dispatch() checks it, and answered.  The order
 * of the checks is QEMU's, so that a request wrong in two ways gets the
 * same error as from QEMU: the input's members (in QEMU's dictionary
 * order), the command's name, negotiation, then the arguments.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <json-c/json.h>

#include "commands.h"
#include "qmp.h"
#include "qmp_json.h"

/* The QMP dialect spoken: QEMU 7.2's. */
#define QMP_QEMU_MAJOR	7
#define QMP_QEMU_MINOR	2
#define QMP_QEMU_MICRO	0
#define QMP_PACKAGE	"vl-qmpd (virtio-loopback)"

void qmp_session_init(struct qmp_session *s, qmp_send_fn send, void *arg)
{
	memset(s, 0, sizeof(*s));
	s->send = send;
	s->send_arg = arg;
}

void qmp_session_fini(struct qmp_session *s)
{
	qmp_frame_free(&s->frame);
}

char *qmp_line(struct json_object *o, size_t *len)
{
	struct qmp_buf b = { 0 };

	qmp_json_write(&b, o);
	qmp_buf_add(&b, "\r\n", 2);
	json_object_put(o);
	if (b.oom) {
		qmp_buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return b.data;
}

/* Send @o (consumed); a line that cannot be made is not sent. */
static void send_obj(struct qmp_session *s, struct json_object *o)
{
	size_t len;
	char *line = qmp_line(o, &len);

	if (line)
		s->send(s->send_arg, line, len);
	free(line);
}

struct json_object *qmp_version(void)
{
	struct json_object *v = json_object_new_object();
	struct json_object *q = json_object_new_object();

	/* Inserted in the schema's order: the writer orders them as QEMU. */
	json_object_object_add(q, "major", json_object_new_int(QMP_QEMU_MAJOR));
	json_object_object_add(q, "minor", json_object_new_int(QMP_QEMU_MINOR));
	json_object_object_add(q, "micro", json_object_new_int(QMP_QEMU_MICRO));
	json_object_object_add(v, "qemu", q);
	json_object_object_add(v, "package", json_object_new_string(QMP_PACKAGE));
	return v;
}

/* No capability is offered: vl-qmpd has no out-of-band execution. */
void qmp_session_greet(struct qmp_session *s)
{
	struct json_object *g = json_object_new_object();
	struct json_object *qmp = json_object_new_object();

	json_object_object_add(qmp, "version", qmp_version());
	json_object_object_add(qmp, "capabilities", json_object_new_array());
	json_object_object_add(g, "QMP", qmp);
	send_obj(s, g);
}

char *qmp_event_line(const char *name, struct json_object *data, size_t *len)
{
	struct json_object *e = json_object_new_object();
	struct json_object *ts = json_object_new_object();
	struct timeval tv;

	gettimeofday(&tv, NULL);
	json_object_object_add(ts, "seconds", json_object_new_int64(tv.tv_sec));
	json_object_object_add(ts, "microseconds",
			       json_object_new_int64(tv.tv_usec));
	json_object_object_add(e, "event", json_object_new_string(name));
	if (data)
		json_object_object_add(e, "data", data);
	json_object_object_add(e, "timestamp", ts);
	return qmp_line(e, len);
}

/* A request's "id": any JSON value, null included, or none at all. */
struct qmp_id {
	bool present;
	struct json_object *value;	/* borrowed; NULL is JSON null */
};

static void add_id(struct json_object *r, const struct qmp_id *id)
{
	if (id && id->present)
		json_object_object_add(r, "id", json_object_get(id->value));
}

/* {"error": {"class", "desc"}, "id"?}; @id NULL: none. */
static void send_error(struct qmp_session *s, const struct qmp_id *id,
		       const char *cls, const char *desc)
{
	struct json_object *r = json_object_new_object();
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "class", json_object_new_string(cls));
	json_object_object_add(e, "desc", json_object_new_string(desc));
	json_object_object_add(r, "error", e);
	add_id(r, id);
	send_obj(s, r);
}

/* The same, formatted; for the daemon's own errors. */
static void send_errorf(struct qmp_session *s, const struct qmp_id *id,
			const char *cls, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void send_errorf(struct qmp_session *s, const struct qmp_id *id,
			const char *cls, const char *fmt, ...)
{
	char desc[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	send_error(s, id, cls, desc);
}

/* ---- Parsing: json-c's errors in QEMU's words (qobject/json-parser.c) ---- */

/* The lower-case word around @off in @text, if there is one. */
static bool keyword_at(const char *text, size_t len, size_t off, char *out,
		       size_t size)
{
	size_t start, end;

	if (off >= len || text[off] < 'a' || text[off] > 'z') {
		if (!off || off > len || text[off - 1] < 'a' || text[off - 1] > 'z')
			return false;
		off--;
	}
	for (start = off; start && text[start - 1] >= 'a' && text[start - 1] <= 'z'; start--)
		;
	for (end = off; end < len && text[end] >= 'a' && text[end] <= 'z'; end++)
		;
	snprintf(out, size, "%.*s", (int)(end - start), text + start);
	return true;
}

/* json-c's errors that QEMU's parser has words of its own for. */
static const struct {
	enum json_tokener_error err;
	const char *desc;
} parse_errors[] = {
	{ json_tokener_error_parse_object_key_sep,
	  "JSON parse error, missing : in object pair" },
	{ json_tokener_error_parse_object_key_name,
	  "JSON parse error, key is not a string in object" },
	{ json_tokener_error_parse_object_value_sep,
	  "JSON parse error, expected separator in dict" },
	{ json_tokener_error_parse_array,
	  "JSON parse error, expected separator in list" },
	{ json_tokener_error_parse_string,
	  "JSON parse error, invalid escape sequence in string" },
};

static void parse_error(struct qmp_session *s, const char *text, size_t len,
			enum json_tokener_error err, size_t off)
{
	char word[64];
	size_t i;

	for (i = 0; i < sizeof(parse_errors) / sizeof(parse_errors[0]); i++) {
		if (parse_errors[i].err == err) {
			send_error(s, NULL, QMP_GENERIC_ERROR, parse_errors[i].desc);
			return;
		}
	}
	if (keyword_at(text, len, off, word, sizeof(word)))
		send_errorf(s, NULL, QMP_GENERIC_ERROR,
			    "JSON parse error, invalid keyword '%s'", word);
	else
		send_error(s, NULL, QMP_GENERIC_ERROR,
			   "JSON parse error, expecting value");
}

/*
 * @text with its NUL: the NUL ends a top-level number for json-c.  Strict:
 * no trailing commas, as in QEMU.  False after answering a parse error;
 * true with *@o NULL for a JSON null.
 */
static bool parse(struct qmp_session *s, const char *text, size_t len,
		  struct json_object **o)
{
	struct json_tokener *tok = json_tokener_new_ex(QMP_FRAME_MAX_DEPTH + 1);
	enum json_tokener_error err;

	if (!tok) {
		send_error(s, NULL, QMP_GENERIC_ERROR, "out of memory");
		return false;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	*o = json_tokener_parse_ex(tok, text, (int)len + 1);
	err = json_tokener_get_error(tok);
	if (err != json_tokener_success)
		parse_error(s, text, len, err, json_tokener_get_parse_end(tok));
	json_tokener_free(tok);
	return err == json_tokener_success;
}

/* ---- Checking a request --------------------------------------------------- */

/*
 * The input's members, in the order QEMU meets them: "execute" a string,
 * "arguments" an object, "id" anything, nothing else.
 */
static bool check_members(struct qmp_session *s, struct json_object *req,
			  const struct qmp_id *id)
{
	const char *bad = NULL, *fmt = NULL;
	size_t n, i;
	const char **keys = qmp_json_keys(req, &n);

	for (i = 0; i < n && !bad; i++) {
		struct json_object *v = json_object_object_get(req, keys[i]);

		if (!strcmp(keys[i], "execute")) {
			if (!json_object_is_type(v, json_type_string))
				fmt = "QMP input member '%s' must be a string";
		} else if (!strcmp(keys[i], "arguments")) {
			if (!json_object_is_type(v, json_type_object))
				fmt = "QMP input member '%s' must be an object";
		} else if (strcmp(keys[i], "id")) {
			fmt = "QMP input member '%s' is unexpected";
		}
		if (fmt)
			bad = keys[i];
	}
	if (bad)
		send_errorf(s, id, QMP_GENERIC_ERROR, fmt, bad);
	else if (!json_object_object_get_ex(req, "execute", NULL))
		send_error(s, id, QMP_GENERIC_ERROR,
			   "QMP input lacks member 'execute'");
	free(keys);
	return !bad && json_object_object_get_ex(req, "execute", NULL);
}

/*
 * An int64: json-c holds a number beyond it as a uint64 (or clamps it),
 * which QEMU, parsing it as an unsigned or a double, refuses for 'int'.
 */
static bool is_int64(struct json_object *v)
{
	return json_object_is_type(v, json_type_int) &&
	       (json_object_get_int64(v) != INT64_MAX ||
		json_object_get_uint64(v) == INT64_MAX);
}

/* qmp_capabilities' enable: a list of QMPCapability, whose only value is oob. */
static bool check_caps(struct qmp_call *call, const char *name,
		       struct json_object *v)
{
	size_t i, n;

	if (!json_object_is_type(v, json_type_array)) {
		qmp_call_fail(call, QMP_GENERIC_ERROR,
			      "Invalid parameter type for '%s', expected: array", name);
		return false;
	}
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);

		if (!json_object_is_type(e, json_type_string)) {
			qmp_call_fail(call, QMP_GENERIC_ERROR,
				      "Invalid parameter type for '%s[%zu]', expected: string",
				      name, i);
			return false;
		}
		/* QEMU 7.2 names a list's element 'null' here. */
		if (strcmp(json_object_get_string(e), "oob")) {
			qmp_call_fail(call, QMP_GENERIC_ERROR,
				      "Parameter 'null' does not accept value '%s'",
				      json_object_get_string(e));
			return false;
		}
	}
	return true;
}

static bool check_arg_type(struct qmp_call *call, const struct qmp_arg *a,
			   struct json_object *v)
{
	switch (a->type) {
	case QMP_ARG_INT:
		if (is_int64(v))
			return true;
		qmp_call_fail(call, QMP_GENERIC_ERROR,
			      "Invalid parameter type for '%s', expected: integer",
			      a->name);
		return false;
	case QMP_ARG_STR:
		if (json_object_is_type(v, json_type_string))
			return true;
		qmp_call_fail(call, QMP_GENERIC_ERROR,
			      "Invalid parameter type for '%s', expected: string",
			      a->name);
		return false;
	case QMP_ARG_CAPS:
		return check_caps(call, a->name, v);
	}
	return false;
}

/*
 * QEMU names the first unexpected argument in the order of a GLib hash
 * table (qobject_input_check_struct()) filled in dictionary order: 8 slots,
 * slot (g_str_hash(key) * 11) % 7, quadratic probing.  Past 7 keys GLib
 * grows its table; then dictionary order stands in for it.
 */
#define GHASH_SLOTS	8

static unsigned int g_str_hash_of(const char *key)
{
	uint32_t h = 5381;

	for (; *key; key++)
		h = h * 33 + (uint32_t)(signed char)*key;
	return h < 2 ? 2 : h;	/* 0 and 1 mark free and deleted slots */
}

/* Sort @keys (dictionary order, @n of them) into GLib's order. */
static void ghash_order(const char **keys, size_t n)
{
	const char *slots[GHASH_SLOTS] = { 0 };
	size_t i, j = 0;

	if (n >= GHASH_SLOTS)
		return;
	for (i = 0; i < n; i++) {
		unsigned int idx = (g_str_hash_of(keys[i]) * 11u) % 7, step = 0;

		while (slots[idx])
			idx = (idx + ++step) & (GHASH_SLOTS - 1);
		slots[idx] = keys[i];
	}
	for (i = 0; i < GHASH_SLOTS; i++)
		if (slots[i])
			keys[j++] = slots[i];
}

static bool declared(const struct qmp_command *cmd, const char *name)
{
	size_t i;

	for (i = 0; i < cmd->nargs; i++)
		if (!strcmp(cmd->args[i].name, name))
			return true;
	return false;
}

/*
 * As QEMU's input visitor: the declared arguments in order (missing, then
 * type), then the first undeclared one.
 */
static bool check_args(struct qmp_call *call, const struct qmp_command *cmd)
{
	const char **keys;
	size_t i, n;
	bool ok = true;

	for (i = 0; i < cmd->nargs; i++) {
		const struct qmp_arg *a = &cmd->args[i];
		struct json_object *v;

		if (!json_object_object_get_ex(call->args, a->name, &v)) {
			if (a->optional)
				continue;
			qmp_call_fail(call, QMP_GENERIC_ERROR,
				      "Parameter '%s' is missing", a->name);
			return false;
		}
		if (!check_arg_type(call, a, v))
			return false;
	}
	keys = qmp_json_keys(call->args, &n);
	ghash_order(keys, n);
	for (i = 0; i < n && ok; i++) {
		if (declared(cmd, keys[i]))
			continue;
		qmp_call_fail(call, QMP_GENERIC_ERROR,
			      "Parameter '%s' is unexpected", keys[i]);
		ok = false;
	}
	free(keys);
	return ok;
}

/* ---- Dispatch ---------------------------------------------------------------- */

static void reply(struct qmp_session *s, struct qmp_call *call,
		  const struct qmp_id *id)
{
	struct json_object *r;

	if (call->err_class) {
		send_error(s, id, call->err_class, call->err_desc);
		return;
	}
	r = json_object_new_object();
	json_object_object_add(r, "return", call->ret ? call->ret :
			       json_object_new_object());
	call->ret = NULL;
	add_id(r, id);
	send_obj(s, r);
}

/*
 * Before negotiation only qmp_capabilities exists, and QEMU words the
 * "not found" of any other command as a reminder to negotiate.
 */
static const struct qmp_command *find_command(struct qmp_session *s,
					      const char *name,
					      const struct qmp_id *id)
{
	const struct qmp_command *cmd = qmp_command_find(name);

	if (!s->negotiated && (!cmd || strcmp(name, "qmp_capabilities")))
		send_error(s, id, QMP_COMMAND_NOT_FOUND,
			   "Expecting capabilities negotiation with 'qmp_capabilities'");
	else if (!cmd)
		send_errorf(s, id, QMP_COMMAND_NOT_FOUND,
			    "The command %s has not been found", name);
	else
		return cmd;
	return NULL;
}

static void dispatch(struct qmp_session *s, struct json_object *req)
{
	struct json_object *args = NULL, *empty = NULL;
	const struct qmp_command *cmd;
	struct qmp_call call = { .session = s };
	struct qmp_id id;

	if (!json_object_is_type(req, json_type_object)) {
		send_error(s, NULL, QMP_GENERIC_ERROR,
			   "QMP input must be a JSON object");
		return;
	}
	id.present = json_object_object_get_ex(req, "id", &id.value);
	if (!check_members(s, req, &id))
		return;
	cmd = find_command(s, json_object_get_string(
					json_object_object_get(req, "execute")), &id);
	if (!cmd)
		return;
	if (!json_object_object_get_ex(req, "arguments", &args))
		args = empty = json_object_new_object();
	call.args = args;
	if (check_args(&call, cmd))
		cmd->run(&call);
	reply(s, &call, &id);
	json_object_put(call.ret);
	json_object_put(empty);
}

static int on_message(void *arg, const char *text, size_t len, bool stray)
{
	struct qmp_session *s = arg;
	struct json_object *req;

	if (stray) {
		/* Printed as QEMU does, as a C string: a NUL prints nothing. */
		send_errorf(s, NULL, QMP_GENERIC_ERROR,
			    "JSON parse error, stray '%.*s'", (int)len, text);
		return 0;
	}
	if (parse(s, text, len, &req)) {
		dispatch(s, req);
		json_object_put(req);
	}
	return 0;
}

int qmp_session_input(struct qmp_session *s, const char *data, size_t len)
{
	int err = qmp_frame_feed(&s->frame, data, len, on_message, s);

	/* QEMU's texts for its own limits; the stream is then lost. */
	if (err == -EMSGSIZE)
		send_error(s, NULL, QMP_GENERIC_ERROR,
			   "JSON token size limit exceeded");
	else if (err == -ELOOP)
		send_error(s, NULL, QMP_GENERIC_ERROR,
			   "JSON nesting depth limit exceeded");
	else if (err)
		send_error(s, NULL, QMP_GENERIC_ERROR, "out of memory");
	return err;
}
