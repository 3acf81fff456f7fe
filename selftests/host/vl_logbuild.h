/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building replay logs in host tests, with the format's own builders
 * (vl_log_hdr_fill, vl_log_rec_init, vl_log_rec_finish): a log in memory,
 * one record at a time, each numbered and stamped in order.  Every record
 * helper returns its offset, so that a test can corrupt it afterwards and
 * reseal it (lb_reseal) to reach the checks behind the CRC.
 */
#ifndef VL_LOGBUILD_H
#define VL_LOGBUILD_H

#include <stdlib.h>
#include <string.h>

#include "vl_logfmt.h"

#define LB_CAP	(1 << 20)

struct logbuf {
	u8 *buf;		/* LB_CAP bytes, 8-byte aligned */
	size_t len;
	size_t start;		/* of the record being written */
	u64 seq;		/* the next record's */
	u64 icount;		/* the last record's */
};

static inline void lb_init(struct logbuf *b)
{
	memset(b, 0, sizeof(*b));
	b->buf = aligned_alloc(8, LB_CAP);
	memset(b->buf, 0xa5, LB_CAP);	/* padding must be zeroed by finish */
	vl_log_hdr_fill((void *)b->buf, VIRTIO_LOOPBACK_ICOUNT_VIRTUAL,
			1700000000123456789ULL, "6.12.0-test");
	b->len = sizeof(struct virtio_loopback_log_header);
	b->icount = 1000;
}

static inline void lb_free(struct logbuf *b)
{
	free(b->buf);
}

static inline struct virtio_loopback_log_rec *lb_rec(struct logbuf *b,
						     size_t off)
{
	return (void *)(b->buf + off);
}

/* Start a record: its common header, stamped. */
static inline size_t lb_begin(struct logbuf *b, u16 kind, u16 flags,
			      u32 dev, u32 queue)
{
	struct virtio_loopback_log_rec *r = lb_rec(b, b->len);

	vl_log_rec_init(r, kind, flags, dev, queue);
	b->icount += 10;
	r->seq = htole64(b->seq++);
	r->icount = htole64(b->icount);
	r->time_ns = htole64(5000000000ULL + b->icount);
	b->start = b->len;
	b->len += sizeof(*r);
	return b->start;
}

static inline void lb_put(struct logbuf *b, const void *p, size_t n)
{
	if (n)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static inline void lb_put32(struct logbuf *b, u32 v)
{
	__le32 le = htole32(v);

	lb_put(b, &le, sizeof(le));
}

static inline void lb_put64(struct logbuf *b, u64 v)
{
	__le64 le = htole64(v);

	lb_put(b, &le, sizeof(le));
}

/* Seal the record begun last; returns its offset. */
static inline size_t lb_end(struct logbuf *b)
{
	b->len = b->start + vl_log_rec_finish(b->buf + b->start,
					      b->len - b->start);
	return b->start;
}

/* After a test changed a record's bytes: its CRC again, over its len. */
static inline void lb_reseal(struct logbuf *b, size_t off)
{
	struct virtio_loopback_log_rec *r = lb_rec(b, off);

	r->crc = 0;
	r->crc = htole32(vl_log_crc32c(r, le32toh(r->len)));
}

/* ---- One helper per kind ------------------------------------------------ */

static inline size_t lb_device(struct logbuf *b, u32 dev, u32 device_id,
			       u32 num_queues, u32 queue_size,
			       const void *config, u32 config_size)
{
	u32 i;

	lb_begin(b, VIRTIO_LOOPBACK_LOG_DEVICE, 0, dev,
		 VIRTIO_LOOPBACK_LOG_NO_QUEUE);
	lb_put32(b, device_id);
	lb_put32(b, 0x1af4);			/* vendor_id */
	lb_put64(b, 1ULL << 32);		/* device_features */
	lb_put64(b, 0);				/* driver_features */
	lb_put32(b, num_queues);
	lb_put32(b, 256);			/* max_queue_size */
	lb_put32(b, 0);				/* status */
	lb_put32(b, config_size);
	lb_put32(b, 0);				/* config_generation */
	for (i = 0; i < 3; i++)
		lb_put32(b, 0);			/* reserved */
	for (i = 0; i < num_queues; i++)
		lb_put32(b, queue_size);
	lb_put(b, config, config_size);
	return lb_end(b);
}

/* RESET, STATUS, QUEUE, INTERRUPT: one u32 and a reserved one. */
static inline size_t lb_u32(struct logbuf *b, u16 kind, u32 dev, u32 queue,
			    u32 v)
{
	lb_begin(b, kind, 0, dev, queue);
	lb_put32(b, v);
	lb_put32(b, 0);
	return lb_end(b);
}

static inline size_t lb_features(struct logbuf *b, u32 dev, u64 features)
{
	lb_begin(b, VIRTIO_LOOPBACK_LOG_FEATURES, 0, dev,
		 VIRTIO_LOOPBACK_LOG_NO_QUEUE);
	lb_put64(b, features);
	return lb_end(b);
}

static inline size_t lb_config(struct logbuf *b, u16 kind, u32 dev,
			       u32 offset, const void *data, u32 size,
			       u32 generation)
{
	lb_begin(b, kind, 0, dev, VIRTIO_LOOPBACK_LOG_NO_QUEUE);
	lb_put32(b, offset);
	lb_put32(b, size);
	lb_put32(b, generation);
	lb_put32(b, 0);
	lb_put(b, data, size);
	return lb_end(b);
}

/*
 * A request of @nout readable segments holding @out (split evenly, the
 * last one taking the rest) and one writable segment of @in_len bytes
 * (none if 0).
 */
static inline size_t lb_request(struct logbuf *b, u16 flags, u32 dev,
				u32 queue, u64 req_seq, u32 nout,
				const void *out, u32 out_len, u32 in_len)
{
	u32 i, nsegs = nout + (in_len ? 1 : 0), each = nout ? out_len / nout : 0;

	lb_begin(b, VIRTIO_LOOPBACK_LOG_REQUEST, flags, dev, queue);
	lb_put64(b, req_seq);
	lb_put32(b, nsegs);
	lb_put32(b, out_len);
	lb_put32(b, in_len);
	lb_put32(b, 0);
	for (i = 0; i < nout; i++) {
		lb_put32(b, i + 1 < nout ? each : out_len - each * i);
		lb_put32(b, 0);
	}
	if (in_len) {
		lb_put32(b, in_len);
		lb_put32(b, VIRTIO_LOOPBACK_SEG_WRITE);
	}
	lb_put(b, out, out_len);
	return lb_end(b);
}

static inline size_t lb_completion(struct logbuf *b, u16 flags, u32 dev,
				   u32 queue, u64 req_seq, u32 used_len,
				   u32 data_offset, const void *data,
				   u32 data_len)
{
	lb_begin(b, VIRTIO_LOOPBACK_LOG_COMPLETION, flags, dev, queue);
	lb_put64(b, req_seq);
	lb_put32(b, used_len);
	lb_put32(b, data_offset);
	lb_put32(b, data_len);
	lb_put32(b, 0);
	lb_put(b, data, data_len);
	return lb_end(b);
}

static inline size_t lb_removed(struct logbuf *b, u32 dev)
{
	lb_begin(b, VIRTIO_LOOPBACK_LOG_REMOVED, 0, dev,
		 VIRTIO_LOOPBACK_LOG_NO_QUEUE);
	return lb_end(b);
}

static inline size_t lb_loss(struct logbuf *b, u64 records, u64 bytes)
{
	lb_begin(b, VIRTIO_LOOPBACK_LOG_LOSS, 0, 0,
		 VIRTIO_LOOPBACK_LOG_NO_QUEUE);
	lb_put64(b, records);
	lb_put64(b, bytes);
	return lb_end(b);
}

/* A kind no reader knows yet, with @n bytes of payload. */
static inline size_t lb_unknown(struct logbuf *b, u16 kind, u16 flags,
				const void *payload, size_t n)
{
	lb_begin(b, kind, flags, 0, VIRTIO_LOOPBACK_LOG_NO_QUEUE);
	lb_put(b, payload, n);
	return lb_end(b);
}

#endif /* VL_LOGBUILD_H */
