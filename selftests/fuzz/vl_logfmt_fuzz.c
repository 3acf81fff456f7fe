// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the replay log's parser (kmod/vl_logfmt.c, the module's
 * own) and vlctl's decoder behind it.  Whatever the bytes, the parser must
 * stay inside the buffer, always move on, and hand out only records whose
 * every pointer lies inside them; the decoder must print any record the
 * parser accepts.
 *
 * The first input byte picks a mode:
 *  - raw: the bytes are the log;
 *  - records: a valid file header, then the bytes;
 *  - sealed: the same, and every record whose length is plausible gets
 *    its right CRC (lengths and order stay the fuzzer's);
 *  - built: the bytes are recipes of records (kind, flags, device, queue,
 *    payload), built into a log with the format's builders: every record
 *    has the right length, CRC, seq and icount, so the fuzzer spends its
 *    time on the kinds' own fields and on the decoder.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log_decode.h"
#include "vl_logfmt.h"

#define MODE_MASK	0x03
#define MODE_RAW	0x00
#define MODE_RECORDS	0x01
#define MODE_SEALED	0x02
#define MODE_BUILT	0x03
/* What the decoder prints: JSON, payloads in hex. */
#define OUT_JSON	0x04
#define OUT_HEX		0x08

#define MAX_INPUT	512
#define HDR_LEN	sizeof(struct virtio_loopback_log_header)
#define REC_LEN	sizeof(struct virtio_loopback_log_rec)

static void check_inside(const void *outer, size_t outer_len, const void *p,
			 size_t n)
{
	const uint8_t *o = outer, *q = p;

	if (q < o || q > o + outer_len || n > (size_t)(o + outer_len - q))
		abort();
}

/* Give every record that has a plausible length its right CRC. */
static void seal(uint8_t *buf, size_t len)
{
	struct virtio_loopback_log_rec *rec;
	size_t pos = HDR_LEN;
	uint32_t rlen;

	while (len - pos >= REC_LEN) {
		rec = (void *)(buf + pos);
		rlen = le32toh(rec->len);
		if (rlen < REC_LEN || rlen % 8 || rlen > len - pos)
			break;
		rec->crc = 0;
		rec->crc = htole32(vl_log_crc32c(rec, rlen));
		pos += rlen;
	}
}

/*
 * Built mode's templates: for each kind a few valid payloads, by variant,
 * which a recipe's bytes are XORed onto.  Zero bytes keep a template as it
 * is, and most of libFuzzer's mutations change a field or two: the logs
 * are mostly valid, with devices of every decoded type, so that requests
 * and completions are decoded as what they are.
 */
#define VARIANTS	4
#define TPL_MAX		160
#define BUILT_ROOM(n)	(((n) / 6 + 1) * (REC_LEN + TPL_MAX + 16))

struct tpl {
	uint8_t b[TPL_MAX];
	size_t len;
};

static struct tpl tpls[VL_LOG_KIND_END][VARIANTS];

static void put(struct tpl *t, const void *p, size_t n)
{
	memcpy(t->b + t->len, p, n);
	t->len += n;
}

static void put32(struct tpl *t, uint32_t v)
{
	v = htole32(v);
	put(t, &v, 4);
}

static void put64(struct tpl *t, uint64_t v)
{
	v = htole64(v);
	put(t, &v, 8);
}

static void tpl_device(struct tpl *t, uint32_t device_id, uint32_t nq,
		       uint32_t config_size)
{
	uint32_t i;

	put32(t, device_id);
	put32(t, 0x1af4);
	put64(t, 1ULL << 32);
	put64(t, 1ULL << 32);
	put32(t, nq);
	put32(t, 256);
	put32(t, 0xf);
	put32(t, config_size);
	put32(t, 0);
	for (i = 0; i < 3; i++)
		put32(t, 0);
	for (i = 0; i < nq; i++)
		put32(t, 256);
	for (i = 0; i < config_size; i++)
		put(t, "\x10", 1);
}

/* A request with a blk header of @type (if @blk) and @out more bytes. */
static void tpl_request(struct tpl *t, bool blk, uint32_t type,
			const char *out, uint32_t in_len)
{
	uint32_t out_len = (blk ? 16 : 0) + strlen(out);
	uint32_t nsegs = (out_len ? 1 : 0) + (in_len ? 1 : 0);

	put64(t, 0);
	put32(t, nsegs);
	put32(t, out_len);
	put32(t, in_len);
	put32(t, 0);
	if (out_len) {
		put32(t, out_len);
		put32(t, 0);
	}
	if (in_len) {
		put32(t, in_len);
		put32(t, VIRTIO_LOOPBACK_SEG_WRITE);
	}
	if (blk) {
		put32(t, type);
		put32(t, 0);
		put64(t, 8);
	}
	put(t, out, strlen(out));
}

static void tpl_completion(struct tpl *t, uint32_t offset, const char *data,
			   uint32_t len)
{
	put64(t, 0);
	put32(t, offset + len);
	put32(t, offset);
	put32(t, len);
	put32(t, 0);
	put(t, data, len);
}

static void make_templates(void)
{
	struct tpl (*k)[VARIANTS] = tpls;
	int v;

	tpl_device(&k[VIRTIO_LOOPBACK_LOG_DEVICE][0], 2, 1, 8);
	tpl_device(&k[VIRTIO_LOOPBACK_LOG_DEVICE][1], 3, 2, 0);
	tpl_device(&k[VIRTIO_LOOPBACK_LOG_DEVICE][2], 4, 1, 0);
	tpl_device(&k[VIRTIO_LOOPBACK_LOG_DEVICE][3], 26, 2, 4);
	tpl_request(&k[VIRTIO_LOOPBACK_LOG_REQUEST][0], true, 0, "", 513);
	tpl_request(&k[VIRTIO_LOOPBACK_LOG_REQUEST][1], true, 1, "data", 1);
	tpl_request(&k[VIRTIO_LOOPBACK_LOG_REQUEST][2], false, 0, "hello\n", 0);
	tpl_request(&k[VIRTIO_LOOPBACK_LOG_REQUEST][3], true, 11,
		    "\x08\0\0\0\0\0\0\0\x08\0\0\0\0\0\0\0", 1);
	tpl_completion(&k[VIRTIO_LOOPBACK_LOG_COMPLETION][0], 0, "ab\0", 3);
	tpl_completion(&k[VIRTIO_LOOPBACK_LOG_COMPLETION][1], 0, "typed\n", 6);
	tpl_completion(&k[VIRTIO_LOOPBACK_LOG_COMPLETION][2], 512, "\x01", 1);
	tpl_completion(&k[VIRTIO_LOOPBACK_LOG_COMPLETION][3], 0, "", 0);
	for (v = 0; v < VARIANTS; v++) {
		put32(&k[VIRTIO_LOOPBACK_LOG_RESET][v], v);
		put32(&k[VIRTIO_LOOPBACK_LOG_RESET][v], 0);
		put64(&k[VIRTIO_LOOPBACK_LOG_FEATURES][v], 1ULL << 32 | v);
		put32(&k[VIRTIO_LOOPBACK_LOG_STATUS][v], 1U << (2 * v));
		put32(&k[VIRTIO_LOOPBACK_LOG_STATUS][v], 0);
		put32(&k[VIRTIO_LOOPBACK_LOG_QUEUE][v], 64U << v);
		put32(&k[VIRTIO_LOOPBACK_LOG_QUEUE][v], 0);
		put32(&k[VIRTIO_LOOPBACK_LOG_INTERRUPT][v], v);
		put32(&k[VIRTIO_LOOPBACK_LOG_INTERRUPT][v], 0);
		put64(&k[VIRTIO_LOOPBACK_LOG_LOSS][v], v + 1);
		put64(&k[VIRTIO_LOOPBACK_LOG_LOSS][v], 64);
		put32(&k[VIRTIO_LOOPBACK_LOG_CONFIG_WRITE][v], v);
		put32(&k[VIRTIO_LOOPBACK_LOG_CONFIG_WRITE][v], 4);
		put32(&k[VIRTIO_LOOPBACK_LOG_CONFIG_WRITE][v], 0);
		put32(&k[VIRTIO_LOOPBACK_LOG_CONFIG_WRITE][v], 0);
		put(&k[VIRTIO_LOOPBACK_LOG_CONFIG_WRITE][v], "cfg!", 4);
		k[VIRTIO_LOOPBACK_LOG_CONFIG_CHANGE][v] =
			k[VIRTIO_LOOPBACK_LOG_CONFIG_WRITE][v];
		k[VIRTIO_LOOPBACK_LOG_CONFIG_CHANGE][v].b[8] = 1;
	}
}

/*
 * One record from a recipe at @in: kind, flags, device, queue, variant,
 * extra length, then the bytes XORed onto the kind's template (of the
 * variant) grown by the extra length.  Device-wide kinds get no queue and
 * the others one below 4, unless the queue byte is 0xf0 or above: then it
 * is taken as a queue number from -8.  Kinds past the known ones are
 * unknown kinds with an empty template.  Returns the bytes used, 0 when
 * they ran out.
 */
static size_t build_rec(uint8_t *out, size_t room, const uint8_t *in,
			size_t n, uint64_t seq, size_t *rec_len)
{
	static const uint8_t whole_device[VL_LOG_KIND_END] = {
		[VIRTIO_LOOPBACK_LOG_DEVICE] = 1, [VIRTIO_LOOPBACK_LOG_RESET] = 1,
		[VIRTIO_LOOPBACK_LOG_FEATURES] = 1, [VIRTIO_LOOPBACK_LOG_STATUS] = 1,
		[VIRTIO_LOOPBACK_LOG_CONFIG_WRITE] = 1,
		[VIRTIO_LOOPBACK_LOG_CONFIG_CHANGE] = 1,
		[VIRTIO_LOOPBACK_LOG_REMOVED] = 1, [VIRTIO_LOOPBACK_LOG_LOSS] = 1,
	};
	struct virtio_loopback_log_rec *rec = (void *)out;
	const struct tpl *t = NULL;
	size_t plen, i, xor;
	uint8_t *payload;
	uint32_t queue;
	uint16_t kind;

	if (n < 6)
		return 0;
	kind = in[0] % (VL_LOG_KIND_END + 2);
	if (kind < VL_LOG_KIND_END)
		t = &tpls[kind][in[4] % VARIANTS];
	queue = in[3] >= 0xf0 ? (uint32_t)(in[3] - 0xf8) :
		kind < VL_LOG_KIND_END && whole_device[kind] ?
		VIRTIO_LOOPBACK_LOG_NO_QUEUE : in[3] % 4u;
	plen = (t ? t->len : 0) + in[5] % 16;
	if (VL_LOG_PAD(REC_LEN + plen) > room)
		return 0;
	vl_log_rec_init(rec, kind, in[1] & 7, in[2] % 4, queue);
	rec->seq = htole64(seq);
	rec->icount = htole64(100 * seq + 100);
	payload = (uint8_t *)(rec + 1);
	memset(payload, 0, plen);
	if (t)
		memcpy(payload, t->b, t->len);
	xor = n - 6 < plen ? n - 6 : plen;
	for (i = 0; i < xor; i++)
		payload[i] ^= in[6 + i];
	*rec_len = vl_log_rec_finish(rec, REC_LEN + plen);
	return 6 + xor;
}

/* A log of the recipes in @in; returns its length. */
static size_t build_log(uint8_t *buf, size_t room, const uint8_t *in,
			size_t n, uint8_t mode)
{
	size_t len = HDR_LEN, used, rec_len;
	uint64_t seq = 0;

	vl_log_hdr_fill((void *)buf, (mode >> 6) % 3, 1, "fuzz");
	while ((used = build_rec(buf + len, room - len, in, n, seq++,
				 &rec_len))) {
		in += used;
		n -= used;
		len += rec_len;
	}
	return len;
}

/* What a known record's view promises: its payload is inside it. */
static void check_view(const struct vl_log_rec_view *v)
{
	const void *rec = v->rec;

	switch (v->kind) {
	case VIRTIO_LOOPBACK_LOG_DEVICE:
		check_inside(rec, v->len, v->u.device.queue_size,
			     4 * (size_t)v->u.device.num_queues);
		check_inside(rec, v->len, v->u.device.config,
			     v->u.device.config_size);
		break;
	case VIRTIO_LOOPBACK_LOG_CONFIG_WRITE:
	case VIRTIO_LOOPBACK_LOG_CONFIG_CHANGE:
		check_inside(rec, v->len, v->u.config.data, v->u.config.size);
		if (v->u.config.offset + v->u.config.size > 1024)
			abort();
		break;
	case VIRTIO_LOOPBACK_LOG_REQUEST:
		check_inside(rec, v->len, v->u.request.segs,
			     8 * (size_t)v->u.request.nsegs);
		check_inside(rec, v->len, v->u.request.out,
			     v->u.request.out_len);
		break;
	case VIRTIO_LOOPBACK_LOG_COMPLETION:
		check_inside(rec, v->len, v->u.completion.data,
			     v->u.completion.data_len);
		break;
	}
}

/*
 * The log of the input in @mode, in a buffer of exactly its length, so
 * that a read past its end is caught, malloc()ed: 8-byte aligned, as
 * the parser wants.
 */
static uint8_t *make_log(uint8_t mode, const uint8_t *data, size_t size,
			 size_t *len)
{
	/* A 6-byte recipe makes a record of at most 48 + TPL_MAX + 16. */
	size_t room = HDR_LEN + BUILT_ROOM(size);
	uint8_t *tmp = malloc(room), *buf = NULL;

	if (!tmp)
		return NULL;
	switch (mode & MODE_MASK) {
	case MODE_RAW:
		memcpy(tmp, data, size);
		*len = size;
		break;
	case MODE_RECORDS:
	case MODE_SEALED:
		vl_log_hdr_fill((void *)tmp, (mode >> 6) % 3, 1, "fuzz");
		memcpy(tmp + HDR_LEN, data, size);
		*len = HDR_LEN + size;
		if ((mode & MODE_MASK) == MODE_SEALED)
			seal(tmp, *len);
		break;
	default:
		*len = build_log(tmp, room, data, size, mode);
	}
	buf = malloc(*len ? *len : 1);
	if (buf)
		memcpy(buf, tmp, *len);
	free(tmp);
	return buf;
}

/*
 * The record at @rec checked again alone, in a buffer of exactly its
 * declared length (or what there is): the parser must read nothing past
 * a record, whatever it finds in it, and come to the same verdict.
 */
static void recheck_alone(const uint8_t *rec, size_t avail, int ret,
			  const char *reason)
{
	struct vl_log_rec_view v;
	const char *why = NULL;
	size_t n = avail;
	uint32_t declared;
	uint8_t *copy;

	/* A length shorter than a header is refused once the header is read. */
	if (avail >= REC_LEN) {
		memcpy(&declared, rec + 4, 4);
		declared = le32toh(declared);
		if (declared < REC_LEN)
			declared = REC_LEN;
		if (declared < n)
			n = declared;
	}
	copy = malloc(n ? n : 1);
	if (!copy)
		return;
	memcpy(copy, rec, n);
	if (vl_log_check_rec(copy, n, &v, &why) != ret ||
	    (ret && why != reason))
		abort();
	free(copy);
}

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vl_logdec_opts opts = { 0 };
	struct vl_log_hdr_view hdr;
	struct vl_log_rec_view v;
	struct vl_log_reader r;
	struct vl_logdec dec;
	size_t len, last = 0;
	const char *why;
	uint8_t mode, *buf;
	char line[160];
	int ret;

	/* Longer inputs find nothing shorter ones do not, more slowly. */
	if (!size || size > MAX_INPUT)
		return 0;
	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		make_templates();
	}
	mode = *data++;
	size--;
	buf = make_log(mode, data, size, &len);
	if (!buf)
		return 0;

	opts.json = mode & OUT_JSON;
	opts.raw = mode & OUT_HEX;
	vl_logdec_init(&dec, &opts, devnull);
	ret = vl_log_check_header(buf, len, &hdr, &why);
	if (ret) {
		if (!why)
			abort();
		goto out;
	}
	check_inside(buf, len, hdr.kernel_release, strlen(hdr.kernel_release) + 1);
	vl_logdec_header(&dec, &hdr);
	vl_log_reader_init(&r, buf, len, hdr.header_len);
	last = hdr.header_len;
	while ((ret = vl_log_next(&r, &v)) == 1) {
		/* Back to back, moving on, inside, intact. */
		if (v.offset != last || v.len < REC_LEN || v.len % 8)
			abort();
		check_inside(buf, len, v.rec, v.len);
		last = v.offset + v.len;
		if (r.pos != last)
			abort();
		if (v.known)
			check_view(&v);
		recheck_alone(buf + v.offset, len - v.offset, 0, NULL);
		if (vl_logdec_record(&dec, &v))
			break;
	}
	if (ret < 0) {
		if (r.bad_offset != last || !r.reason)
			abort();
		/* Unless the order was wrong: then the record alone is fine. */
		if (strncmp(r.reason, "seq", 3) && strncmp(r.reason, "icount", 6))
			recheck_alone(buf + last, len - last, ret, r.reason);
		vl_log_format_error(&r, line, sizeof(line));
		if (!memchr(line, 0, sizeof(line)))
			abort();
	} else if (ret == 0 && r.pos != len) {
		abort();
	}
out:
	vl_logdec_fini(&dec);
	free(buf);
	return 0;
}
