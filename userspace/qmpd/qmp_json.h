/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON as QEMU 7.2 writes it, from json-c objects: the bytes a QMP client
 * sees are then the same as QEMU's, not merely equivalent.  QEMU's own
 * serializer (qobject/qjson.c) puts ", " and ": " between items, escapes
 * every character outside printable ASCII as \uXXXX, prints doubles with
 * "%.17g", and walks a dictionary in the order of its hash table
 * (qobject/qdict.c), which is what qmp_json_keys() reproduces.
 */
#ifndef QMP_JSON_H
#define QMP_JSON_H

#include <stddef.h>

struct json_object;

/* A growing string. */
struct qmp_buf {
	char *data;
	size_t len;
	size_t cap;
	int oom;		/* an append failed: the string is incomplete */
};

void qmp_buf_add(struct qmp_buf *b, const char *s, size_t len);
void qmp_buf_free(struct qmp_buf *b);

/* Append @o (NULL: JSON null) to @b in QEMU's form. */
void qmp_json_write(struct qmp_buf *b, struct json_object *o);

/*
 * The keys of object @o in the order QEMU would print them: a malloc'ed
 * array of @n (NULL when @o has none, or out of memory with @n 0).
 */
const char **qmp_json_keys(struct json_object *o, size_t *n);

#endif /* QMP_JSON_H */
