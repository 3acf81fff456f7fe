// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU's JSON output, byte for byte, from json-c objects.  json-c parses
 * and holds every value; this file only decides the spelling, because
 * json-c's own writer spaces and orders objects differently and would
 * make every reply differ from QEMU's in bytes a test or a human compares.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "qmp_json.h"

void qmp_buf_add(struct qmp_buf *b, const char *s, size_t len)
{
	if (b->oom)
		return;
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + len + 1)
			cap *= 2;
		p = realloc(b->data, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

static void buf_str(struct qmp_buf *b, const char *s)
{
	qmp_buf_add(b, s, strlen(s));
}

void qmp_buf_free(struct qmp_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* ---- Strings: QEMU's quoted_str() and mod_utf8_codepoint() --------------- */

/* Noncharacters and surrogates are invalid to QEMU too. */
static bool valid_codepoint(int32_t cp)
{
	if (cp > 0x10FFFF)
		return false;
	if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE)
		return false;
	return cp < 0xD800 || cp > 0xDFFF;
}

/*
 * The code point at @s (@n bytes left) and its length in *@used; -1 for a
 * bad sequence, which QEMU prints as U+FFFD.  "\xC0\x80" is U+0000, as in
 * QEMU's modified UTF-8.
 */
static int32_t utf8_next(const unsigned char *s, size_t n, size_t *used)
{
	static const int32_t min_cp[] = { 0x80, 0x800, 0x10000, 0x200000, 0x4000000 };
	unsigned int len = 0, mask, i;
	int32_t cp;

	*used = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xFE || !(s[0] & 0x40))
		return -1;	/* impossible byte, or a stray continuation */
	for (mask = 0x80; s[0] & mask; mask >>= 1)
		len++;
	cp = s[0] & (mask - 1);
	for (i = 1; i < len; i++) {
		if (i >= n || (s[i] & 0xC0) != 0x80)
			return -1;
		*used = i + 1;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (!valid_codepoint(cp) || (cp < min_cp[len - 2] && !(cp == 0 && len == 2)))
		return -1;
	return cp;
}

static void write_codepoint(struct qmp_buf *b, int32_t cp)
{
	char tmp[16];

	switch (cp) {
	case '"':  buf_str(b, "\\\""); return;
	case '\\': buf_str(b, "\\\\"); return;
	case '\b': buf_str(b, "\\b"); return;
	case '\f': buf_str(b, "\\f"); return;
	case '\n': buf_str(b, "\\n"); return;
	case '\r': buf_str(b, "\\r"); return;
	case '\t': buf_str(b, "\\t"); return;
	}
	if (cp < 0)
		cp = 0xFFFD;
	if (cp > 0xFFFF)	/* beyond the BMP: a surrogate pair */
		snprintf(tmp, sizeof(tmp), "\\u%04X\\u%04X",
			 (unsigned int)(0xD800 + ((cp - 0x10000) >> 10)),
			 (unsigned int)(0xDC00 + ((cp - 0x10000) & 0x3FF)));
	else if (cp < 0x20 || cp >= 0x7F)
		snprintf(tmp, sizeof(tmp), "\\u%04X", (unsigned int)cp);
	else
		snprintf(tmp, sizeof(tmp), "%c", (char)cp);
	buf_str(b, tmp);
}

static void write_string(struct qmp_buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t used;

	qmp_buf_add(b, "\"", 1);
	while (len) {
		write_codepoint(b, utf8_next(p, len, &used));
		p += used;
		len -= used;
	}
	qmp_buf_add(b, "\"", 1);
}

/* ---- Objects in QEMU's hash-table order --------------------------------- */

#define QDICT_BUCKET_MAX 512

/* QEMU's tdb_hash() of a key, as qdict.c uses it. */
static unsigned int qdict_bucket(const char *key)
{
	uint32_t value = 0x238F13AFu * (uint32_t)strlen(key);
	unsigned int i;

	for (i = 0; key[i]; i++)
		value += (uint32_t)(unsigned char)key[i] << (i * 5 % 24);
	return (1103515243u * value + 12345u) % QDICT_BUCKET_MAX;
}

struct key_slot {
	const char *key;
	unsigned int bucket;
	size_t index;		/* insertion order */
};

/*
 * Buckets in ascending order; within one, the newest key first, since
 * qdict.c inserts at the head of the bucket's list.
 */
static int slot_cmp(const void *a, const void *b)
{
	const struct key_slot *x = a, *y = b;

	if (x->bucket != y->bucket)
		return x->bucket < y->bucket ? -1 : 1;
	return x->index > y->index ? -1 : 1;
}

const char **qmp_json_keys(struct json_object *o, size_t *n)
{
	size_t count = json_object_object_length(o), i = 0;
	struct key_slot *slots;
	const char **keys;

	*n = 0;
	if (!count)
		return NULL;
	slots = calloc(count, sizeof(*slots));
	keys = calloc(count, sizeof(*keys));
	if (!slots || !keys) {
		free(slots);
		free(keys);
		return NULL;
	}
	json_object_object_foreach(o, key, val) {
		(void)val;
		slots[i] = (struct key_slot){ key, qdict_bucket(key), i };
		i++;
	}
	qsort(slots, count, sizeof(*slots), slot_cmp);
	for (i = 0; i < count; i++)
		keys[i] = slots[i].key;
	free(slots);
	*n = count;
	return keys;
}

static void write_object(struct qmp_buf *b, struct json_object *o)
{
	const char **keys;
	size_t n, i;

	keys = qmp_json_keys(o, &n);
	if (!keys && json_object_object_length(o))
		b->oom = 1;
	qmp_buf_add(b, "{", 1);
	for (i = 0; i < n; i++) {
		if (i)
			qmp_buf_add(b, ", ", 2);
		write_string(b, keys[i], strlen(keys[i]));
		qmp_buf_add(b, ": ", 2);
		qmp_json_write(b, json_object_object_get(o, keys[i]));
	}
	qmp_buf_add(b, "}", 1);
	free(keys);
}

static void write_array(struct qmp_buf *b, struct json_object *o)
{
	size_t n = json_object_array_length(o), i;

	qmp_buf_add(b, "[", 1);
	for (i = 0; i < n; i++) {
		if (i)
			qmp_buf_add(b, ", ", 2);
		qmp_json_write(b, json_object_array_get_idx(o, i));
	}
	qmp_buf_add(b, "]", 1);
}

/*
 * json-c keeps integers as int64 or uint64 without saying which: an
 * int64 read clamps a large uint64 to INT64_MAX, so that is the sign.
 */
static void write_int(struct qmp_buf *b, struct json_object *o)
{
	int64_t i = json_object_get_int64(o);
	char tmp[32];

	if (i == INT64_MAX)
		snprintf(tmp, sizeof(tmp), "%" PRIu64, json_object_get_uint64(o));
	else
		snprintf(tmp, sizeof(tmp), "%" PRId64, i);
	buf_str(b, tmp);
}

void qmp_json_write(struct qmp_buf *b, struct json_object *o)
{
	char tmp[40];

	switch (json_object_get_type(o)) {
	case json_type_null:
		buf_str(b, "null");
		break;
	case json_type_boolean:
		buf_str(b, json_object_get_boolean(o) ? "true" : "false");
		break;
	case json_type_int:
		write_int(b, o);
		break;
	case json_type_double:
		/* 17 digits suffice for an IEEE double, says QEMU. */
		snprintf(tmp, sizeof(tmp), "%.17g", json_object_get_double(o));
		buf_str(b, tmp);
		break;
	case json_type_string:
		write_string(b, json_object_get_string(o),
			     json_object_get_string_len(o));
		break;
	case json_type_object:
		write_object(b, o);
		break;
	case json_type_array:
		write_array(b, o);
		break;
	}
}
