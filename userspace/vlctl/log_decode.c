// SPDX-License-Identifier: GPL-2.0
/*
 * vlctl log: the decoder of checked records, see log_decode.h.
 *
 * Every field goes through one of the emit_*() functions, which write it
 * either as " key value" on the record's text line or as a member of its
 * JSON object: text and JSON carry the same fields by construction.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "log_decode.h"

/* Device types, by virtio id, whose requests are decoded. */
#define VIRTIO_ID_BLOCK		2
#define VIRTIO_ID_CONSOLE	3
#define VIRTIO_ID_RNG		4

/* Bytes of text shown by a preview; the rest is "...". */
#define PREVIEW_BYTES	32

struct vl_logdec_dev {
	u32 index;		/* N of vlN */
	u32 device_id;		/* virtio type */
};

/* What a completion needs to know of its request. */
struct vl_logdec_req {
	u32 device;
	u32 queue;
	u64 req_seq;
	u32 in_len;
	u32 blk_op;		/* virtio-blk request type, or BLK_OP_NONE */
};

#define BLK_OP_NONE	0xffffffffU

/* ---- Emitting fields ---------------------------------------------------- */

struct emit {
	FILE *out;
	json_object *obj;	/* JSON mode: the record's object */
	json_object *flags;	/* JSON mode: its "flags" array */
	const u8 *raw;		/* text mode: dumped in hex after the line */
	size_t raw_len;
};

static void emit_json(struct emit *e, const char *key, json_object *val)
{
	json_object_object_add(e->obj, key, val);
}

/* Text mode; nothing for a record that is decoded but not shown. */
static void __attribute__((format(printf, 2, 3)))
textf(struct emit *e, const char *fmt, ...)
{
	va_list ap;

	if (!e->out)
		return;
	va_start(ap, fmt);
	vfprintf(e->out, fmt, ap);
	va_end(ap);
}

static void emit_u64(struct emit *e, const char *key, u64 v)
{
	if (e->obj)
		emit_json(e, key, json_object_new_uint64(v));
	else
		textf(e, " %s %llu", key, (unsigned long long)v);
}

/*
 * Hexadecimal: feature masks and status bits.  JSON gets a "0x..." string,
 * since a JSON number loses bits above 2^53 in many readers.
 */
static void emit_hex(struct emit *e, const char *key, u64 v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	if (e->obj)
		emit_json(e, key, json_object_new_string(buf));
	else
		textf(e, " %s %s", key, buf);
}

static void emit_str(struct emit *e, const char *key, const char *s)
{
	if (e->obj)
		emit_json(e, key, json_object_new_string(s));
	else
		textf(e, " %s %s", key, s);
}

/* A request's number on its queue: "#12" on a text line. */
static void emit_req_seq(struct emit *e, u64 req_seq)
{
	if (e->obj)
		emit_json(e, "req_seq", json_object_new_uint64(req_seq));
	else
		textf(e, " #%llu", (unsigned long long)req_seq);
}

static void emit_flag(struct emit *e, const char *name)
{
	if (e->obj)
		json_object_array_add(e->flags, json_object_new_string(name));
	else
		textf(e, " %s", name);
}

/*
 * A short printable preview of text bytes, C-escaped, so that a line stays
 * one line whatever the data: at most PREVIEW_BYTES of input.
 */
static void preview(char *buf, size_t size, const u8 *p, size_t n)
{
	static const char hexdig[] = "0123456789abcdef";
	size_t i, o = 0, shown = n < PREVIEW_BYTES ? n : PREVIEW_BYTES;

	for (i = 0; i < shown && o + 5 < size; i++) {
		u8 c = p[i];

		if (c == '\n' || c == '\r' || c == '\t' || c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' :
				   c == '\t' ? 't' : (char)c;
		} else if (c >= 0x20 && c < 0x7f) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hexdig[c >> 4];
			buf[o++] = hexdig[c & 15];
		}
	}
	if (shown < n && o + 4 <= size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

static void emit_text(struct emit *e, const char *key, const u8 *p, size_t n)
{
	char buf[PREVIEW_BYTES * 4 + 8];

	preview(buf, sizeof(buf), p, n);
	if (e->obj)
		emit_json(e, key, json_object_new_string(buf));
	else
		textf(e, " %s \"%s\"", key, buf);
}

/* A payload's bytes, with --raw: a hex string, or a dump after the line. */
static void emit_bytes(struct emit *e, const char *key, const u8 *p, size_t n)
{
	static const char hexdig[] = "0123456789abcdef";
	char *hex;
	size_t i;

	if (!e->obj) {
		if (!e->out)
			return;
		e->raw = p;
		e->raw_len = n;
		return;
	}
	hex = malloc(2 * n + 1);
	if (!hex)
		return;
	for (i = 0; i < n; i++) {
		hex[2 * i] = hexdig[p[i] >> 4];
		hex[2 * i + 1] = hexdig[p[i] & 15];
	}
	hex[2 * n] = '\0';
	emit_json(e, key, json_object_new_string(hex));
	free(hex);
}

static void hexdump(FILE *out, const u8 *p, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i += 16) {
		fprintf(out, "        %06zx ", i);
		for (j = i; j < i + 16; j++) {
			if (j < n)
				fprintf(out, " %02x", p[j]);
			else
				fputs("   ", out);
		}
		fputs("  |", out);
		for (j = i; j < i + 16 && j < n; j++)
			fputc(p[j] >= 0x20 && p[j] < 0x7f ? p[j] : '.', out);
		fputs("|\n", out);
	}
}

/* ---- What the decoder remembers ----------------------------------------- */

static u32 dev_type(const struct vl_logdec *d, u32 index)
{
	size_t i;

	for (i = 0; i < d->ndevs; i++)
		if (d->devs[i].index == index)
			return d->devs[i].device_id;
	return 0;
}

static int dev_set_type(struct vl_logdec *d, u32 index, u32 device_id)
{
	struct vl_logdec_dev *devs;
	size_t i;

	for (i = 0; i < d->ndevs; i++) {
		if (d->devs[i].index == index) {
			d->devs[i].device_id = device_id;
			return 0;
		}
	}
	devs = realloc(d->devs, (d->ndevs + 1) * sizeof(*devs));
	if (!devs)
		return -ENOMEM;
	d->devs = devs;
	d->devs[d->ndevs].index = index;
	d->devs[d->ndevs].device_id = device_id;
	d->ndevs++;
	return 0;
}

static struct vl_logdec_req *req_find(struct vl_logdec *d, u32 device,
				      u32 queue, u64 req_seq)
{
	size_t i;

	for (i = 0; i < d->nreqs; i++) {
		struct vl_logdec_req *r = &d->reqs[i];

		if (r->device == device && r->queue == queue &&
		    r->req_seq == req_seq)
			return r;
	}
	return NULL;
}

static int req_add(struct vl_logdec *d, const struct vl_logdec_req *req)
{
	struct vl_logdec_req *reqs;
	size_t cap;

	if (d->nreqs == d->reqs_cap) {
		cap = d->reqs_cap ? 2 * d->reqs_cap : 64;
		reqs = realloc(d->reqs, cap * sizeof(*reqs));
		if (!reqs)
			return -ENOMEM;
		d->reqs = reqs;
		d->reqs_cap = cap;
	}
	d->reqs[d->nreqs++] = *req;
	return 0;
}

static void req_remove(struct vl_logdec *d, struct vl_logdec_req *r)
{
	*r = d->reqs[--d->nreqs];
}

/* A reset, a removal or a new snapshot voids the device's requests. */
static void req_forget_device(struct vl_logdec *d, u32 device)
{
	size_t i = 0;

	while (i < d->nreqs) {
		if (d->reqs[i].device == device)
			req_remove(d, &d->reqs[i]);
		else
			i++;
	}
}

/* ---- Names -------------------------------------------------------------- */

static const char *type_name(u32 device_id)
{
	switch (device_id) {
	case 1: return "net";
	case VIRTIO_ID_BLOCK: return "blk";
	case VIRTIO_ID_CONSOLE: return "console";
	case VIRTIO_ID_RNG: return "rng";
	case 5: return "balloon";
	case 8: return "scsi";
	case 9: return "9p";
	case 16: return "gpu";
	case 18: return "input";
	case 19: return "vsock";
	case 26: return "fs";
	}
	return NULL;
}

/* virtio-blk request types, as the virtio specification (1.2) numbers them. */
static const char *blk_op_name(u32 type)
{
	switch (type) {
	case 0: return "read";
	case 1: return "write";
	case 4: return "flush";
	case 8: return "get-id";
	case 10: return "get-lifetime";
	case 11: return "discard";
	case 13: return "write-zeroes";
	case 14: return "secure-erase";
	case 15: return "zone-append";
	case 16: return "zone-report";
	case 18: return "zone-open";
	case 20: return "zone-close";
	case 22: return "zone-finish";
	case 24: return "zone-reset";
	case 26: return "zone-reset-all";
	}
	return NULL;
}

static const char *blk_status_name(u8 status)
{
	switch (status) {
	case 0: return "ok";
	case 1: return "ioerr";
	case 2: return "unsupp";
	}
	return NULL;
}

static void status_bits(char *buf, size_t size, u32 status)
{
	static const struct { u32 bit; const char *name; } bits[] = {
		{ 1, "acknowledge" }, { 2, "driver" }, { 8, "features_ok" },
		{ 4, "driver_ok" }, { 0x40, "needs_reset" }, { 0x80, "failed" },
	};
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (status & bits[i].bit)
			o += snprintf(buf + o, size - o, "%s%s", o ? "|" : "",
				      bits[i].name);
	if (!o)
		snprintf(buf, size, "reset");
}

u32 vl_logdec_kind_bit(const char *name)
{
	u16 k;

	if (!strcmp(name, "unknown"))
		return VL_LOGDEC_KIND_UNKNOWN;
	for (k = 1; k < VL_LOG_KIND_END; k++)
		if (!strcmp(name, vl_log_kind_name(k)))
			return 1U << k;
	return 0;
}

/* ---- The kinds ---------------------------------------------------------- */

static int dec_device(struct vl_logdec *d, struct emit *e,
		      const struct vl_log_rec_view *v)
{
	const typeof(v->u.device) *o = &v->u.device;
	const char *type = type_name(o->device_id);
	char sizes[64 * 7] = "";
	size_t i, n = 0;

	if (type)
		emit_str(e, "type", type);
	emit_u64(e, "device_id", o->device_id);
	emit_hex(e, "vendor_id", o->vendor_id);
	emit_hex(e, "device_features", o->device_features);
	emit_hex(e, "driver_features", o->driver_features);
	emit_hex(e, "status", o->status);
	emit_u64(e, "num_queues", o->num_queues);
	emit_u64(e, "max_queue_size", o->max_queue_size);
	if (e->obj) {
		json_object *a = json_object_new_array();

		for (i = 0; i < o->num_queues; i++)
			json_object_array_add(a, json_object_new_uint64(
				le32toh(o->queue_size[i])));
		emit_json(e, "queue_size", a);
	} else {
		for (i = 0; i < o->num_queues; i++)
			n += snprintf(sizes + n, sizeof(sizes) - n, "%s%u",
				      i ? "," : "", le32toh(o->queue_size[i]));
		emit_str(e, "queue_size", sizes);
	}
	emit_u64(e, "config_size", o->config_size);
	emit_u64(e, "config_generation", o->config_generation);
	if (d->opts.raw)
		emit_bytes(e, "config", o->config, o->config_size);
	req_forget_device(d, v->device);
	return dev_set_type(d, v->device, o->device_id);
}

/*
 * Config fields are little-endian numbers of 1, 2, 4 or 8 bytes (virtio
 * 1.x): one that size is shown as its value.
 */
static void dec_config(struct vl_logdec *d, struct emit *e,
		       const struct vl_log_rec_view *v)
{
	u32 size = v->u.config.size;
	u64 value = 0;

	emit_u64(e, "offset", v->u.config.offset);
	emit_u64(e, "size", size);
	if (v->kind != VIRTIO_LOOPBACK_LOG_CONFIG_WRITE)
		emit_u64(e, "generation", v->u.config.generation);
	if (size == 1 || size == 2 || size == 4 || size == 8) {
		for (u32 i = size; i-- > 0;)
			value = value << 8 | v->u.config.data[i];
		emit_u64(e, "value", value);
	}
	if (d->opts.raw)
		emit_bytes(e, "data", v->u.config.data, size);
}

/*
 * A virtio-blk request: a 16-byte header (type, ioprio, sector) in the
 * out-data; then data to write, or discard ranges (sector, sectors,
 * flags: 16 bytes each); the writable part ends with the status byte.
 */
static void dec_blk_request(struct emit *e, const struct vl_log_rec_view *v,
			    struct vl_logdec_req *req)
{
	const typeof(v->u.request) *o = &v->u.request;
	const u8 *out = o->out;
	const char *name;
	u64 sector, len;
	u32 type;

	if (o->out_len < 16) {
		emit_str(e, "op", "malformed");
		return;
	}
	memcpy(&type, out, 4);
	memcpy(&sector, out + 8, 8);
	type = le32toh(type);
	sector = le64toh(sector);
	req->blk_op = type;
	name = blk_op_name(type);
	if (name)
		emit_str(e, "op", name);
	else
		emit_u64(e, "op", type);
	if (type == 11 || type == 13 || type == 14) {	/* ranges */
		u32 nsect;

		if (o->out_len < 32)
			return;
		memcpy(&sector, out + 16, 8);
		memcpy(&nsect, out + 24, 4);
		emit_u64(e, "sector", le64toh(sector));
		emit_u64(e, "len", (u64)le32toh(nsect) * 512);
		emit_u64(e, "ranges", (o->out_len - 16) / 16);
		return;
	}
	len = type == 1 ? o->out_len - 16 : o->in_len ? o->in_len - 1 : 0;
	if (type == 0 || type == 1)
		emit_u64(e, "sector", sector);
	emit_u64(e, "len", len);
}

static int dec_request(struct vl_logdec *d, struct emit *e,
		       const struct vl_log_rec_view *v)
{
	const typeof(v->u.request) *o = &v->u.request;
	struct vl_logdec_req req = {
		.device = v->device, .queue = v->queue,
		.req_seq = o->req_seq, .in_len = o->in_len,
		.blk_op = BLK_OP_NONE,
	};

	emit_req_seq(e, o->req_seq);
	if (!o->nsegs) {
		/* failed, too many segments: only its in_len is known */
		emit_u64(e, "nsegs", 0);
	} else {
		switch (dev_type(d, v->device)) {
		case VIRTIO_ID_BLOCK:
			dec_blk_request(e, v, &req);
			break;
		case VIRTIO_ID_RNG:
			emit_u64(e, "len", o->in_len);
			break;
		case VIRTIO_ID_CONSOLE:
			if (o->out_len)
				emit_text(e, "text", o->out, o->out_len);
			else
				emit_u64(e, "in_len", o->in_len);
			break;
		default:
			emit_u64(e, "nsegs", o->nsegs);
			emit_u64(e, "out_len", o->out_len);
			emit_u64(e, "in_len", o->in_len);
		}
	}
	if (d->opts.raw)
		emit_bytes(e, "out_data", o->out, o->out_len);
	/* A posted chain is completed in the next record, and with no data. */
	return req_add(d, &req);
}

/* The blk status byte, the last of the writable part, if the data has it. */
static void dec_blk_completion(struct emit *e, const struct vl_log_rec_view *v,
			       const struct vl_logdec_req *req)
{
	const typeof(v->u.completion) *o = &v->u.completion;
	const char *name = req ? blk_op_name(req->blk_op) : NULL;
	u64 at;

	if (name)
		emit_str(e, "op", name);
	if (!req || !req->in_len)
		return;
	at = req->in_len - 1;
	if (at >= o->data_offset && at < (u64)o->data_offset + o->data_len) {
		u8 status = o->data[at - o->data_offset];

		name = blk_status_name(status);
		if (name)
			emit_str(e, "status", name);
		else
			emit_u64(e, "status", status);
	}
}

static void dec_completion(struct vl_logdec *d, struct emit *e,
			   const struct vl_log_rec_view *v)
{
	const typeof(v->u.completion) *o = &v->u.completion;
	struct vl_logdec_req *req = req_find(d, v->device, v->queue, o->req_seq);

	emit_req_seq(e, o->req_seq);
	switch (dev_type(d, v->device)) {
	case VIRTIO_ID_BLOCK:
		dec_blk_completion(e, v, req);
		break;
	case VIRTIO_ID_CONSOLE:
		if (o->data_len)
			emit_text(e, "text", o->data, o->data_len);
		break;
	}
	emit_u64(e, "used_len", o->used_len);
	if (o->data_offset)
		emit_u64(e, "data_offset", o->data_offset);
	if (d->opts.raw)
		emit_bytes(e, "data", o->data, o->data_len);
	if (req)
		req_remove(d, req);
}

static int dec_kind(struct vl_logdec *d, struct emit *e,
		    const struct vl_log_rec_view *v)
{
	char bits[80];

	switch (v->kind) {
	case VIRTIO_LOOPBACK_LOG_DEVICE:
		return dec_device(d, e, v);
	case VIRTIO_LOOPBACK_LOG_RESET:
		emit_u64(e, "epoch", v->u.reset.epoch);
		req_forget_device(d, v->device);
		break;
	case VIRTIO_LOOPBACK_LOG_FEATURES:
		emit_hex(e, "driver_features", v->u.features.driver_features);
		break;
	case VIRTIO_LOOPBACK_LOG_STATUS:
		status_bits(bits, sizeof(bits), v->u.status.status);
		emit_hex(e, "status", v->u.status.status);
		emit_str(e, "status_bits", bits);
		break;
	case VIRTIO_LOOPBACK_LOG_CONFIG_WRITE:
	case VIRTIO_LOOPBACK_LOG_CONFIG_CHANGE:
	case VIRTIO_LOOPBACK_LOG_CONFIG_READ:
		dec_config(d, e, v);
		break;
	case VIRTIO_LOOPBACK_LOG_QUEUE:
		emit_u64(e, "size", v->u.queue.size);
		break;
	case VIRTIO_LOOPBACK_LOG_REQUEST:
		return dec_request(d, e, v);
	case VIRTIO_LOOPBACK_LOG_COMPLETION:
		dec_completion(d, e, v);
		break;
	case VIRTIO_LOOPBACK_LOG_INTERRUPT:
		emit_u64(e, "used_idx", v->u.interrupt.used_idx);
		break;
	case VIRTIO_LOOPBACK_LOG_REMOVED:
		req_forget_device(d, v->device);
		break;
	case VIRTIO_LOOPBACK_LOG_LOSS:
		emit_u64(e, "records", v->u.loss.records);
		emit_u64(e, "bytes", v->u.loss.bytes);
		break;
	}
	return 0;
}

/* ---- Records ------------------------------------------------------------ */

static bool shown(const struct vl_logdec *d, const struct vl_log_rec_view *v)
{
	const struct vl_logdec_opts *o = &d->opts;
	u32 bit = v->known ? 1U << v->kind : VL_LOGDEC_KIND_UNKNOWN;

	if (o->kinds && !(o->kinds & bit))
		return false;
	/* A loss may have hit any device: it shows whatever the filter. */
	if (v->kind == VIRTIO_LOOPBACK_LOG_LOSS)
		return true;
	if (o->by_device && v->device != o->device)
		return false;
	return !o->by_queue || v->queue == o->queue;
}

static void begin_text(struct vl_logdec *d, const struct vl_log_rec_view *v)
{
	const char *kind = vl_log_kind_name(v->kind);
	char dev[16] = "-", queue[16] = "-", unknown[16];

	if (v->kind != VIRTIO_LOOPBACK_LOG_LOSS)
		snprintf(dev, sizeof(dev), "vl%u", v->device);
	if (v->queue != VIRTIO_LOOPBACK_LOG_NO_QUEUE)
		snprintf(queue, sizeof(queue), "%u", v->queue);
	if (!v->known) {
		snprintf(unknown, sizeof(unknown), "unknown-%u", v->kind);
		kind = unknown;
	}
	fprintf(d->out, "%8llu %14llu %6llu.%09llu %-5s %3s %-13s",
		(unsigned long long)v->seq, (unsigned long long)v->icount,
		(unsigned long long)(v->time_ns / 1000000000),
		(unsigned long long)(v->time_ns % 1000000000), dev, queue, kind);
}

static json_object *begin_json(const struct vl_log_rec_view *v)
{
	json_object *obj = json_object_new_object();

	json_object_object_add(obj, "seq", json_object_new_uint64(v->seq));
	json_object_object_add(obj, "icount", json_object_new_uint64(v->icount));
	json_object_object_add(obj, "time_ns", json_object_new_uint64(v->time_ns));
	json_object_object_add(obj, "device",
			       v->kind == VIRTIO_LOOPBACK_LOG_LOSS ? NULL :
			       json_object_new_uint64(v->device));
	json_object_object_add(obj, "queue",
			       v->queue == VIRTIO_LOOPBACK_LOG_NO_QUEUE ? NULL :
			       json_object_new_uint64(v->queue));
	json_object_object_add(obj, "kind", json_object_new_string(
		v->known ? vl_log_kind_name(v->kind) : "unknown"));
	return obj;
}

/* The flags this decoder has names for; others in hex. */
static void emit_flags(struct emit *e, const struct vl_log_rec_view *v)
{
	u16 rest = v->flags;

	if (!v->known) {
		if (rest)
			emit_hex(e, "flags", rest);
		return;
	}
	if (rest & VIRTIO_LOOPBACK_LOG_F_POSTED)
		emit_flag(e, "posted");
	if (rest & VIRTIO_LOOPBACK_LOG_F_FAILED)
		emit_flag(e, "failed");
}

int vl_logdec_record(struct vl_logdec *d, const struct vl_log_rec_view *v)
{
	struct emit e = { 0 };
	int err = 0;

	/*
	 * A record not shown is still decoded (with no output), for what it
	 * tells of later ones.
	 */
	if (shown(d, v) && d->opts.json) {
		e.obj = begin_json(v);
		e.flags = json_object_new_array();
		json_object_object_add(e.obj, "flags", e.flags);
	} else if (shown(d, v)) {
		e.out = d->out;
		begin_text(d, v);
	}
	emit_flags(&e, v);
	if (v->known) {
		err = dec_kind(d, &e, v);
	} else {
		emit_u64(&e, "kind_id", v->kind);
		emit_u64(&e, "len", v->len);
		if (d->opts.raw)
			emit_bytes(&e, "body", (const u8 *)(v->rec + 1),
				   v->len - sizeof(*v->rec));
	}
	if (e.obj) {
		fprintf(d->out, "%s\n", json_object_to_json_string_ext(
			e.obj, JSON_C_TO_STRING_PLAIN));
		json_object_put(e.obj);
	} else if (e.out) {
		fputc('\n', d->out);
		if (e.raw_len)
			hexdump(d->out, e.raw, e.raw_len);
	}
	return err;
}

void vl_logdec_header(struct vl_logdec *d, const struct vl_log_hdr_view *h)
{
	const char *source = vl_log_icount_source_name(h->icount_source);
	json_object *obj, *hdr;

	if (!d->opts.json) {
		fprintf(d->out,
			"# replay log version %u, icount %s, kernel %s, created %llu.%09llu\n",
			h->version, source, h->kernel_release,
			(unsigned long long)(h->created_ns / 1000000000),
			(unsigned long long)(h->created_ns % 1000000000));
		return;
	}
	obj = json_object_new_object();
	hdr = json_object_new_object();
	json_object_object_add(hdr, "version", json_object_new_uint64(h->version));
	json_object_object_add(hdr, "header_len",
			       json_object_new_uint64(h->header_len));
	json_object_object_add(hdr, "icount_source",
			       json_object_new_string(source));
	json_object_object_add(hdr, "kernel_release",
			       json_object_new_string(h->kernel_release));
	json_object_object_add(hdr, "created_ns",
			       json_object_new_uint64(h->created_ns));
	json_object_object_add(obj, "header", hdr);
	fprintf(d->out, "%s\n",
		json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN));
	json_object_put(obj);
}

void vl_logdec_init(struct vl_logdec *d, const struct vl_logdec_opts *opts,
		    FILE *out)
{
	memset(d, 0, sizeof(*d));
	d->opts = *opts;
	d->out = out;
}

void vl_logdec_fini(struct vl_logdec *d)
{
	free(d->devs);
	free(d->reqs);
	memset(d, 0, sizeof(*d));
}
