/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-loopback: the replay log's format, parsed, checked and built.
 *
 * The format itself is defined in include/uapi/linux/virtio_loopback.h
 * ("The replay log"); Documentation/replay-log.rst explains it.  This file
 * and vl_logfmt.c are the one implementation of its rules, built both into
 * the module (which writes records and, in play mode, reads them) and into
 * userspace (vlctl log, the host unit tests and the fuzzer), so that what
 * the module accepts is exactly what is tested on the host.
 *
 * Nothing here allocates, sleeps or takes a lock: the builders run in any
 * context, the parser over any buffer.  Buffers must be 8-byte aligned (as
 * kmalloc, vmalloc, malloc and mmap give them); records are then aligned
 * too, since every length is a multiple of VIRTIO_LOOPBACK_LOG_ALIGN.
 */
#ifndef _VL_LOGFMT_H
#define _VL_LOGFMT_H

/*
 * The shim: the kernel's own types and byte order helpers in the module,
 * the same names from the C library in userspace.  The CRC32C is the
 * kernel's __crc32c_le() (in vmlinux, exported on 6.1 and 6.12, so no
 * dependency on libcrc32c.ko) or a table-driven one in vl_logfmt.c.
 */
#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/crc32.h>
#include <asm/byteorder.h>

static inline u32 vl_crc32c_update(u32 crc, const void *p, size_t len)
{
	return __crc32c_le(crc, p, len);
}
#else /* userspace */
#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#define le16_to_cpu(x)	le16toh(x)
#define le32_to_cpu(x)	le32toh(x)
#define le64_to_cpu(x)	le64toh(x)
#define cpu_to_le16(x)	htole16(x)
#define cpu_to_le32(x)	htole32(x)
#define cpu_to_le64(x)	htole64(x)

/* Raw CRC32C register update: no initial or final inversion. */
u32 vl_crc32c_update(u32 crc, const void *p, size_t len);
#endif /* __KERNEL__ */

#include <linux/virtio_loopback.h>

/* A length rounded up to the next record boundary. */
#define VL_LOG_PAD(n) \
	(((size_t)(n) + VIRTIO_LOOPBACK_LOG_ALIGN - 1) & \
	 ~((size_t)VIRTIO_LOOPBACK_LOG_ALIGN - 1))

/* Kinds are numbered from 1; this is one past the last one known. */
#define VL_LOG_KIND_END	(VIRTIO_LOOPBACK_LOG_CONFIG_READ + 1)

/* CRC32C as the format defines it: initial value ~0, result inverted. */
static inline u32 vl_log_crc32c(const void *p, size_t len)
{
	return ~vl_crc32c_update(~0U, p, len);
}

/* ---- Reading ------------------------------------------------------------ */

/* A checked file header, in CPU byte order. */
struct vl_log_hdr_view {
	u32 version;
	u32 header_len;		/* the first record starts here */
	u32 icount_source;	/* enum virtio_loopback_icount_source */
	u64 created_ns;
	const char *kernel_release;	/* NUL-terminated, in the buffer */
};

/*
 * A checked record, in CPU byte order.  The pointers point into the
 * caller's buffer and are valid as long as it is; everything they cover
 * lies inside the record.  @known is false for a kind this code does not
 * know: only the common header was checked, the payload is the caller's
 * to skip.
 */
struct vl_log_rec_view {
	const struct virtio_loopback_log_rec *rec;
	size_t offset;		/* of the record, from the buffer's start */
	u32 len;
	u16 kind;
	u16 flags;
	u32 device;
	u32 queue;
	u64 seq;
	u64 icount;
	u64 time_ns;
	bool known;
	union {
		struct {
			u32 device_id;
			u32 vendor_id;
			u64 device_features;
			u64 driver_features;
			u32 num_queues;
			u32 max_queue_size;
			u32 status;
			u32 config_size;
			u32 config_generation;
			const __le32 *queue_size;	/* num_queues */
			const u8 *config;		/* config_size */
		} device;
		struct {
			u32 epoch;
		} reset;
		struct {
			u64 driver_features;
		} features;
		struct {
			u32 status;
		} status;
		struct {		/* CONFIG_WRITE, _CHANGE and _READ */
			u32 offset;
			u32 size;
			u32 generation;
			const u8 *data;			/* size */
		} config;
		struct {
			u32 size;
		} queue;
		struct {
			u64 req_seq;
			u32 nsegs;
			u32 out_len;
			u32 in_len;
			const struct virtio_loopback_log_seg *segs; /* nsegs */
			const u8 *out;				/* out_len */
		} request;
		struct {
			u64 req_seq;
			u32 used_len;
			u32 data_offset;
			u32 data_len;
			const u8 *data;			/* data_len */
		} completion;
		struct {
			u32 used_idx;
		} interrupt;
		struct {
			u64 records;
			u64 bytes;
		} loss;
	} u;			/* by @kind, when @known */
};

/*
 * Walks the records of a buffer and checks what no single record can
 * show: @seq goes up by exactly one from record to record (the first one
 * may have any number: a reader that attached to a ring that had already
 * dropped its oldest records starts late; @first_seq tells), and @icount
 * strictly increases.  Lost records take no number: a LOSS record counts
 * them, so a gap in @seq is always an error.
 *
 * The first error stops the reader: vl_log_next() then keeps returning it,
 * with @bad_offset, @bad_index and @reason set.  A streaming reader that
 * has more bytes can point @buf and @len at them (vl_log_reader_refill())
 * and go on; the sequence state carries over.
 */
struct vl_log_reader {
	const u8 *buf;
	size_t len;
	size_t pos;		/* the next record starts here */
	u64 index;		/* records returned so far */
	bool started;		/* a record was returned: the fields below hold */
	u64 first_seq;
	u64 last_seq;
	u64 last_icount;
	int err;		/* 0, or the first error */
	size_t bad_offset;	/* of the first bad record */
	u64 bad_index;		/* its position in the stream, from 0 */
	const char *reason;	/* what is wrong with it; static */
};

/*
 * Check the file header at the start of @buf.  Returns 0, -ENODATA when
 * @len is shorter than the header, -EPROTONOSUPPORT for another version,
 * -EBADMSG when it is corrupt; *@reason then says what is wrong.
 */
int vl_log_check_header(const void *buf, size_t len,
			struct vl_log_hdr_view *out, const char **reason);

/*
 * Check one record at @rec, with @avail bytes readable there.  Returns 0,
 * -ENODATA when the record does not fit into @avail (it may be cut, or
 * its length corrupt: a stream reader waits for more, a file reader
 * reports a truncated log), -EBADMSG when it is corrupt, -EINVAL when
 * @rec is not 8-byte aligned; *@reason then says what is wrong.
 */
int vl_log_check_rec(const void *rec, size_t avail,
		     struct vl_log_rec_view *out, const char **reason);

/* Read the records of @buf from @pos (after the file header, usually). */
void vl_log_reader_init(struct vl_log_reader *r, const void *buf, size_t len,
			size_t pos);

/* Go on in a new buffer, from its start, after the records of the last. */
void vl_log_reader_refill(struct vl_log_reader *r, const void *buf,
			  size_t len);

/*
 * The next record: 1 and *@out filled, 0 at the end of the buffer (the
 * last record ended exactly there), or a negative errno as
 * vl_log_check_rec() returns it (-EBADMSG also for a @seq or @icount out
 * of order), the reader then holding where and why.
 */
int vl_log_next(struct vl_log_reader *r, struct vl_log_rec_view *out);

/*
 * The reader's error as a line, "record 12 at offset 4096: crc mismatch",
 * into @buf (always NUL-terminated).  Returns what snprintf() returns.
 */
int vl_log_format_error(const struct vl_log_reader *r, char *buf, size_t size);

/* "request", "completion", ...; NULL for a kind this code does not know. */
const char *vl_log_kind_name(u16 kind);

/* "none", "virtual", "pmu"; NULL for an unknown source. */
const char *vl_log_icount_source_name(u32 source);

/* ---- Building ----------------------------------------------------------- */

/*
 * Bytes a record fills before its padding, for a writer to reserve
 * VL_LOG_PAD() of them and to hand to vl_log_rec_finish().
 */
static inline size_t vl_log_device_len(u32 num_queues, u32 config_size)
{
	return sizeof(struct virtio_loopback_log_device) +
	       (size_t)num_queues * sizeof(__le32) + config_size;
}

static inline size_t vl_log_request_len(u32 nsegs, u32 out_len)
{
	return sizeof(struct virtio_loopback_log_request) +
	       (size_t)nsegs * sizeof(struct virtio_loopback_log_seg) + out_len;
}

static inline size_t vl_log_completion_len(u32 data_len)
{
	return sizeof(struct virtio_loopback_log_completion) + data_len;
}

static inline size_t vl_log_config_len(u32 size)
{
	return sizeof(struct virtio_loopback_log_config) + size;
}

/* Fill a file header: magic, version, header_len, the fields, the CRC. */
void vl_log_hdr_fill(struct virtio_loopback_log_header *hdr,
		     u32 icount_source, u64 created_ns,
		     const char *kernel_release);

/*
 * Start a record at @rec: zero its common header, set what is known before
 * it is stamped.  @seq, @icount and @time_ns are the writer's to set.
 */
void vl_log_rec_init(void *rec, u16 kind, u16 flags, u32 device, u32 queue);

/*
 * Seal a record whose first @len bytes the writer filled (header and
 * payload, not padded): zero the padding up to VL_LOG_PAD(@len), set
 * @rec.len to that and the CRC over it.  The writer must have room for
 * VL_LOG_PAD(@len) bytes.  Returns the record's length.
 */
size_t vl_log_rec_finish(void *rec, size_t len);

#endif /* _VL_LOGFMT_H */
