// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the replay log's parser and builders, kmod/vl_logfmt.c,
 * the same file the module builds: the CRC, the file header, every check
 * of a record, the reader's order checks, and what corruption and
 * truncation look like to a reader.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "vl_logbuild.h"

#define HDR_LEN	sizeof(struct virtio_loopback_log_header)

/* The whole log of @b: 1 when every record reads, else its error. */
static int read_all(const struct logbuf *b, struct vl_log_reader *r,
		    unsigned int *nrecs)
{
	struct vl_log_hdr_view hdr;
	struct vl_log_rec_view v;
	const char *why;
	int ret;

	*nrecs = 0;
	ret = vl_log_check_header(b->buf, b->len, &hdr, &why);
	if (ret)
		return ret;
	vl_log_reader_init(r, b->buf, b->len, hdr.header_len);
	while ((ret = vl_log_next(r, &v)) == 1)
		(*nrecs)++;
	return ret ? ret : 1;
}

/* Read one record at @off alone; its error, 0 if it is good. */
static int check_one(struct logbuf *b, size_t off, const char **why)
{
	struct vl_log_rec_view v;

	*why = "";
	return vl_log_check_rec(b->buf + off, b->len - off, &v, why);
}

/* Expect the record at @off to be refused with a reason holding @what. */
#define EXPECT_BAD(b, off, what) do {					\
	const char *_why;						\
	EXPECT_EQ(-EBADMSG, check_one(b, off, &_why));			\
	EXPECT_NE(NULL, strstr(_why, what)) TH_LOG("reason: %s", _why);	\
} while (0)

#define EXPECT_GOOD(b, off) do {					\
	const char *_why;						\
	EXPECT_EQ(0, check_one(b, off, &_why)) TH_LOG("reason: %s", _why); \
} while (0)

/* A request with @nout readable 8-byte segments and an 8-byte writable one. */
static size_t put_request(struct logbuf *b, u16 flags, u32 nout)
{
	static const u8 out[64] = "0123456789abcdef0123456789abcdef";

	return lb_request(b, flags, 0, 0, 0, nout, out, nout * 8, 8);
}

/* ---- The CRC ------------------------------------------------------------ */

TEST(crc32c_check_value)
{
	u8 zeros[32] = { 0 };
	u32 part;

	/* The check value of CRC-32C (Castagnoli), as published. */
	EXPECT_EQ(0xE3069283U, vl_log_crc32c("123456789", 9));
	EXPECT_EQ(0U, vl_log_crc32c("", 0));
	/* iSCSI's test vector (RFC 3720 B.4): 32 bytes of zeros. */
	EXPECT_EQ(0x8A9136AAU, vl_log_crc32c(zeros, sizeof(zeros)));
	/* Piecewise is the same as at once. */
	part = vl_crc32c_update(~0U, "1234", 4);
	part = vl_crc32c_update(part, "56789", 5);
	EXPECT_EQ(0xE3069283U, ~part);
}

/* ---- The file header ---------------------------------------------------- */

TEST(header_round_trips)
{
	struct vl_log_hdr_view h;
	struct logbuf b;
	const char *why;

	lb_init(&b);
	ASSERT_EQ(0, vl_log_check_header(b.buf, b.len, &h, &why));
	EXPECT_EQ(VIRTIO_LOOPBACK_LOG_VERSION, h.version);
	EXPECT_EQ(HDR_LEN, h.header_len);
	EXPECT_EQ(VIRTIO_LOOPBACK_ICOUNT_VIRTUAL, h.icount_source);
	EXPECT_EQ(1700000000123456789ULL, h.created_ns);
	EXPECT_STREQ("6.12.0-test", h.kernel_release);
	EXPECT_STREQ("virtual", vl_log_icount_source_name(h.icount_source));
	lb_free(&b);
}

static void reseal_header(struct logbuf *b)
{
	struct virtio_loopback_log_header *h = (void *)b->buf;

	h->crc = 0;
	h->crc = htole32(vl_log_crc32c(h, le16toh(h->header_len)));
}

/* Change the header with @fn, reseal it, expect @err and @what. */
static void header_refused(struct __test_metadata *_metadata,
			   void (*fn)(struct virtio_loopback_log_header *),
			   bool reseal, int err, const char *what)
{
	struct vl_log_hdr_view view;
	struct logbuf b;
	const char *why = "";

	lb_init(&b);
	fn((void *)b.buf);
	if (reseal)
		reseal_header(&b);
	EXPECT_EQ(err, vl_log_check_header(b.buf, b.len, &view, &why));
	EXPECT_NE(NULL, strstr(why, what)) TH_LOG("reason: %s", why);
	lb_free(&b);
}

static void bad_magic(struct virtio_loopback_log_header *h) { h->magic ^= 1; }
static void bad_version(struct virtio_loopback_log_header *h) { h->version = htole16(2); }
static void short_hlen(struct virtio_loopback_log_header *h) { h->header_len = htole16(112); }
static void odd_hlen(struct virtio_loopback_log_header *h) { h->header_len = htole16(HDR_LEN + 4); }
static void long_hlen(struct virtio_loopback_log_header *h) { h->header_len = htole16(HDR_LEN + 8); }
static void bad_source(struct virtio_loopback_log_header *h) { h->icount_source = htole32(3); }
static void no_nul(struct virtio_loopback_log_header *h) { memset(h->kernel_release, 'x', 64); }
static void junk_after_nul(struct virtio_loopback_log_header *h) { h->kernel_release[40] = 'x'; }
static void bad_reserved(struct virtio_loopback_log_header *h) { h->reserved[3] = htole64(1); }
static void bad_created(struct virtio_loopback_log_header *h) { h->created_ns ^= htole64(1ULL << 40); }

TEST(header_checks)
{
	struct vl_log_hdr_view view;
	struct logbuf b;
	const char *why;

	header_refused(_metadata, bad_magic, false, -EBADMSG, "magic");
	header_refused(_metadata, bad_version, false, -EPROTONOSUPPORT, "version");
	header_refused(_metadata, short_hlen, true, -EBADMSG, "header_len");
	header_refused(_metadata, odd_hlen, true, -EBADMSG, "header_len");
	header_refused(_metadata, bad_created, false, -EBADMSG, "crc");
	header_refused(_metadata, bad_source, true, -EBADMSG, "icount_source");
	header_refused(_metadata, no_nul, true, -EBADMSG, "kernel_release");
	header_refused(_metadata, junk_after_nul, true, -EBADMSG, "kernel_release");
	header_refused(_metadata, bad_reserved, true, -EBADMSG, "reserved");

	/* A longer header (a later minor extension) is fine if it is all there. */
	lb_init(&b);
	long_hlen((void *)b.buf);
	memset(b.buf + HDR_LEN, 0x77, 8);
	b.len += 8;
	reseal_header(&b);
	ASSERT_EQ(0, vl_log_check_header(b.buf, b.len, &view, &why));
	EXPECT_EQ(HDR_LEN + 8, view.header_len);
	EXPECT_EQ(-ENODATA, vl_log_check_header(b.buf, HDR_LEN + 4, &view, &why));
	/* Shorter than the header. */
	EXPECT_EQ(-ENODATA, vl_log_check_header(b.buf, HDR_LEN - 1, &view, &why));
	EXPECT_EQ(-ENODATA, vl_log_check_header(b.buf, 0, &view, &why));
	/* Not aligned in memory. */
	EXPECT_EQ(-EINVAL, vl_log_check_header(b.buf + 4, b.len - 4, &view, &why));
	lb_free(&b);
}

/* ---- A whole log -------------------------------------------------------- */

/* One record of every kind, in the kinds' order, padded in every way. */
static void build_every_kind(struct logbuf *b, size_t *offs)
{
	static const u8 config[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	static const u8 out[] = "blk header+data.";
	static const u8 in[] = "abcdefghijklm";
	int i = 0;

	offs[i++] = lb_device(b, 3, 2, 2, 128, config, sizeof(config));
	offs[i++] = lb_u32(b, VIRTIO_LOOPBACK_LOG_RESET, 3,
			   VIRTIO_LOOPBACK_LOG_NO_QUEUE, 2);
	offs[i++] = lb_features(b, 3, 1ULL << 32 | 1ULL << 9);
	offs[i++] = lb_u32(b, VIRTIO_LOOPBACK_LOG_STATUS, 3,
			   VIRTIO_LOOPBACK_LOG_NO_QUEUE, 0xf);
	offs[i++] = lb_config(b, VIRTIO_LOOPBACK_LOG_CONFIG_WRITE, 3, 5,
			      "xyz", 3, 0);
	offs[i++] = lb_u32(b, VIRTIO_LOOPBACK_LOG_QUEUE, 3, 1, 64);
	offs[i++] = lb_request(b, 0, 3, 1, 41, 2, out, 16, 13);
	offs[i++] = lb_completion(b, 0, 3, 1, 41, 13, 0, in, 13);
	offs[i++] = lb_config(b, VIRTIO_LOOPBACK_LOG_CONFIG_CHANGE, 3, 0,
			      config, 9, 4);
	offs[i++] = lb_u32(b, VIRTIO_LOOPBACK_LOG_INTERRUPT, 3, 1, 7);
	offs[i++] = lb_removed(b, 3);
	offs[i++] = lb_loss(b, 2, 300);
	offs[i++] = lb_config(b, VIRTIO_LOOPBACK_LOG_CONFIG_READ, 3, 2,
			      config + 2, 4, 5);
}

#define EVERY_KIND	13

TEST(every_kind_round_trips)
{
	struct vl_log_rec_view v[EVERY_KIND + 1];
	struct vl_log_hdr_view h;
	struct vl_log_reader r;
	size_t offs[EVERY_KIND];
	struct logbuf b;
	const char *why;
	int i;

	lb_init(&b);
	build_every_kind(&b, offs);
	ASSERT_EQ(0, vl_log_check_header(b.buf, b.len, &h, &why));
	vl_log_reader_init(&r, b.buf, b.len, h.header_len);
	for (i = 0; i < EVERY_KIND; i++) {
		ASSERT_EQ(1, vl_log_next(&r, &v[i]))
			TH_LOG("record %d: %s", i, r.reason);
		EXPECT_TRUE(v[i].known);
		EXPECT_EQ(offs[i], v[i].offset);
		EXPECT_EQ(i, v[i].seq);
		EXPECT_EQ(1010 + 10 * i, v[i].icount);
		EXPECT_EQ(5000000000ULL + 1010 + 10 * i, v[i].time_ns);
		EXPECT_EQ(0, v[i].len % 8);
		EXPECT_EQ(i + 1, v[i].kind);
	}
	EXPECT_EQ(0, vl_log_next(&r, &v[EVERY_KIND]));
	EXPECT_EQ(0, vl_log_next(&r, &v[EVERY_KIND]));
	EXPECT_EQ(0, r.first_seq);
	EXPECT_EQ(EVERY_KIND, r.index);
	EXPECT_EQ(b.len, r.pos);

	EXPECT_EQ(VIRTIO_LOOPBACK_LOG_DEVICE, v[0].kind);
	EXPECT_EQ(3, v[0].device);
	EXPECT_EQ(VIRTIO_LOOPBACK_LOG_NO_QUEUE, v[0].queue);
	EXPECT_EQ(2, v[0].u.device.device_id);
	EXPECT_EQ(0x1af4, v[0].u.device.vendor_id);
	EXPECT_EQ(1ULL << 32, v[0].u.device.device_features);
	EXPECT_EQ(2, v[0].u.device.num_queues);
	EXPECT_EQ(256, v[0].u.device.max_queue_size);
	EXPECT_EQ(128, le32toh(v[0].u.device.queue_size[1]));
	EXPECT_EQ(11, v[0].u.device.config_size);
	EXPECT_EQ(11, v[0].u.device.config[10]);
	EXPECT_EQ(2, v[1].u.reset.epoch);
	EXPECT_EQ(1ULL << 32 | 1ULL << 9, v[2].u.features.driver_features);
	EXPECT_EQ(0xf, v[3].u.status.status);
	EXPECT_EQ(5, v[4].u.config.offset);
	EXPECT_EQ(3, v[4].u.config.size);
	EXPECT_EQ(0, memcmp(v[4].u.config.data, "xyz", 3));
	EXPECT_EQ(1, v[5].queue);
	EXPECT_EQ(64, v[5].u.queue.size);
	EXPECT_EQ(41, v[6].u.request.req_seq);
	EXPECT_EQ(3, v[6].u.request.nsegs);
	EXPECT_EQ(16, v[6].u.request.out_len);
	EXPECT_EQ(13, v[6].u.request.in_len);
	EXPECT_EQ(VIRTIO_LOOPBACK_SEG_WRITE, le32toh(v[6].u.request.segs[2].flags));
	EXPECT_EQ(13, le32toh(v[6].u.request.segs[2].len));
	EXPECT_EQ(0, memcmp(v[6].u.request.out, "blk header+data.", 16));
	EXPECT_EQ(41, v[7].u.completion.req_seq);
	EXPECT_EQ(13, v[7].u.completion.used_len);
	EXPECT_EQ(13, v[7].u.completion.data_len);
	EXPECT_EQ(0, memcmp(v[7].u.completion.data, "abcdefghijklm", 13));
	EXPECT_EQ(4, v[8].u.config.generation);
	EXPECT_EQ(0, memcmp(v[8].u.config.data, v[0].u.device.config, 9));
	EXPECT_EQ(7, v[9].u.interrupt.used_idx);
	EXPECT_EQ(sizeof(struct virtio_loopback_log_rec), v[10].len);
	EXPECT_EQ(2, v[11].u.loss.records);
	EXPECT_EQ(300, v[11].u.loss.bytes);
	EXPECT_EQ(2, v[12].u.config.offset);
	EXPECT_EQ(4, v[12].u.config.size);
	EXPECT_EQ(5, v[12].u.config.generation);
	EXPECT_EQ(0, memcmp(v[12].u.config.data, v[0].u.device.config + 2, 4));
	lb_free(&b);
}

TEST(kind_names)
{
	EXPECT_STREQ("device", vl_log_kind_name(VIRTIO_LOOPBACK_LOG_DEVICE));
	EXPECT_STREQ("config-write",
		     vl_log_kind_name(VIRTIO_LOOPBACK_LOG_CONFIG_WRITE));
	EXPECT_STREQ("loss", vl_log_kind_name(VIRTIO_LOOPBACK_LOG_LOSS));
	EXPECT_STREQ("config-read",
		     vl_log_kind_name(VIRTIO_LOOPBACK_LOG_CONFIG_READ));
	EXPECT_EQ(NULL, vl_log_kind_name(0));
	EXPECT_EQ(NULL, vl_log_kind_name(VL_LOG_KIND_END));
	EXPECT_EQ(NULL, vl_log_icount_source_name(3));
}

/* ---- Corruption --------------------------------------------------------- */

/* The record holding byte @at, by the offsets of @b's records. */
static size_t record_at(const size_t *offs, int n, size_t at)
{
	int i;

	for (i = n - 1; i > 0 && offs[i] > at; i--)
		;
	return offs[i];
}

TEST(every_single_bit_flip_is_detected)
{
	size_t offs[EVERY_KIND], bit;
	struct vl_log_reader r;
	unsigned int n;
	struct logbuf b;
	int ret;

	lb_init(&b);
	build_every_kind(&b, offs);
	ASSERT_EQ(1, read_all(&b, &r, &n));
	ASSERT_EQ(EVERY_KIND, n);
	/* Header, record headers, payloads and padding: every bit of it. */
	for (bit = 0; bit < b.len * 8; bit++) {
		b.buf[bit / 8] ^= 1 << (bit % 8);
		ret = read_all(&b, &r, &n);
		b.buf[bit / 8] ^= 1 << (bit % 8);
		ASSERT_GT(0, ret) TH_LOG("bit %zu flipped, not detected", bit);
		if (bit / 8 < HDR_LEN)
			continue;
		/* The records before it are read; it is the first bad one. */
		ASSERT_EQ(record_at(offs, EVERY_KIND, bit / 8), r.bad_offset)
			TH_LOG("bit %zu: reported at %zu (%s)", bit,
			       r.bad_offset, r.reason);
	}
	lb_free(&b);
}

TEST(truncation_reports_the_cut_record)
{
	size_t offs[EVERY_KIND], len, full;
	struct vl_log_reader r;
	unsigned int n;
	struct logbuf b;
	int ret, i;

	lb_init(&b);
	build_every_kind(&b, offs);
	full = b.len;
	for (len = 0; len < full; len++) {
		b.len = len;
		ret = read_all(&b, &r, &n);
		if (len < HDR_LEN) {
			EXPECT_EQ(-ENODATA, ret);
			continue;
		}
		for (i = 0; i < EVERY_KIND && offs[i] != len; i++)
			;
		if (len == HDR_LEN || i < EVERY_KIND) {
			/* Cut between records: a shorter log, clean. */
			EXPECT_EQ(1, ret);
			EXPECT_EQ(len == HDR_LEN ? 0 : i, n);
			continue;
		}
		EXPECT_EQ(-ENODATA, ret) TH_LOG("cut at %zu", len);
		EXPECT_EQ(record_at(offs, EVERY_KIND, len), r.bad_offset);
		EXPECT_EQ(n, r.bad_index);
		EXPECT_NE(NULL, strstr(r.reason, "truncated"));
	}
	lb_free(&b);
}

TEST(error_names_record_and_offset)
{
	size_t offs[EVERY_KIND];
	struct vl_log_rec_view v;
	struct vl_log_reader r;
	char line[128], want[128];
	unsigned int n;
	struct logbuf b;

	lb_init(&b);
	build_every_kind(&b, offs);
	b.buf[offs[2] + 50] ^= 0x10;
	ASSERT_EQ(-EBADMSG, read_all(&b, &r, &n));
	EXPECT_EQ(2, n);
	vl_log_format_error(&r, line, sizeof(line));
	snprintf(want, sizeof(want), "record 2 at offset %zu: crc mismatch",
		 offs[2]);
	EXPECT_STREQ(want, line);
	/* The error stays. */
	EXPECT_EQ(-EBADMSG, vl_log_next(&r, &v));
	EXPECT_EQ(offs[2], r.bad_offset);
	lb_free(&b);
}

/* ---- The common header -------------------------------------------------- */

TEST(record_length_checks)
{
	struct virtio_loopback_log_rec *rec;
	struct vl_log_rec_view v;
	struct logbuf b;
	const char *why;
	size_t off;

	lb_init(&b);
	off = lb_features(&b, 0, 1);
	rec = lb_rec(&b, off);
	rec->len = htole32(40);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "shorter than the record header");
	rec->len = htole32(52);
	EXPECT_BAD(&b, off, "multiple of 8");
	rec->len = htole32(64);
	EXPECT_EQ(-ENODATA, vl_log_check_rec(rec, 56, &v, &why));
	EXPECT_EQ(-ENODATA, vl_log_check_rec(rec, 47, &v, &why));
	/* Longer than its kind, with the CRC right: the payload must fill it. */
	b.len = off + 64;
	memset(b.buf + off + 56, 0, 8);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "len does not match");
	/* Shorter than its kind's struct. */
	rec->len = htole32(48);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "shorter than its kind");
	EXPECT_EQ(-EINVAL, vl_log_check_rec(b.buf + off + 4, 64, &v, &why));
	lb_free(&b);
}

TEST(reserved_flags_and_queue_checks)
{
	struct virtio_loopback_log_rec *rec;
	struct logbuf b;
	size_t off;

	lb_init(&b);
	off = lb_u32(&b, VIRTIO_LOOPBACK_LOG_STATUS, 0,
		     VIRTIO_LOOPBACK_LOG_NO_QUEUE, 1);
	rec = lb_rec(&b, off);
	EXPECT_GOOD(&b, off);
	rec->reserved = htole32(1);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "reserved");
	rec->reserved = 0;
	rec->flags = htole16(VIRTIO_LOOPBACK_LOG_F_POSTED);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "flags");
	rec->flags = 0;
	rec->queue = htole32(0);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "queue set on a whole-device record");

	/* Requests and completions name a queue, below 64. */
	off = put_request(&b, 0, 1);
	rec = lb_rec(&b, off);
	rec->queue = htole32(VIRTIO_LOOPBACK_LOG_NO_QUEUE);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "queue out of range");
	rec->queue = htole32(VIRTIO_LOOPBACK_MAX_QUEUES);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "queue out of range");
	rec->queue = htole32(VIRTIO_LOOPBACK_MAX_QUEUES - 1);
	lb_reseal(&b, off);
	EXPECT_GOOD(&b, off);
	/* POSTED and FAILED are a request's; no other bit. */
	rec->flags = htole16(VIRTIO_LOOPBACK_LOG_F_POSTED |
			     VIRTIO_LOOPBACK_LOG_F_FAILED);
	lb_reseal(&b, off);
	EXPECT_GOOD(&b, off);
	rec->flags = htole16(1 << 2);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "flags");

	/* An interrupt may name the whole device (a config interrupt). */
	off = lb_u32(&b, VIRTIO_LOOPBACK_LOG_INTERRUPT, 0,
		     VIRTIO_LOOPBACK_LOG_NO_QUEUE, 3);
	EXPECT_GOOD(&b, off);
	lb_free(&b);
}

/* ---- The reader's order checks ------------------------------------------ */

TEST(seq_must_go_up_by_one)
{
	struct vl_log_reader r;
	unsigned int n;
	struct logbuf b;
	size_t off;

	/* The first record may have any number: a late reader's. */
	lb_init(&b);
	b.seq = 500;
	lb_features(&b, 0, 1);
	lb_features(&b, 0, 2);
	ASSERT_EQ(1, read_all(&b, &r, &n));
	EXPECT_EQ(500, r.first_seq);
	EXPECT_EQ(501, r.last_seq);

	/* A gap. */
	b.seq++;
	off = lb_features(&b, 0, 3);
	EXPECT_EQ(-EBADMSG, read_all(&b, &r, &n));
	EXPECT_EQ(2, n);
	EXPECT_EQ(off, r.bad_offset);
	EXPECT_NE(NULL, strstr(r.reason, "seq"));

	/* A repeat. */
	lb_rec(&b, off)->seq = htole64(501);
	lb_reseal(&b, off);
	EXPECT_EQ(-EBADMSG, read_all(&b, &r, &n));
	EXPECT_EQ(off, r.bad_offset);
	lb_free(&b);
}

TEST(icount_must_increase)
{
	struct vl_log_reader r;
	unsigned int n;
	struct logbuf b;
	size_t off;

	lb_init(&b);
	lb_features(&b, 0, 1);
	off = lb_features(&b, 0, 2);
	lb_rec(&b, off)->icount = htole64(b.icount - 10);	/* equal */
	lb_reseal(&b, off);
	EXPECT_EQ(-EBADMSG, read_all(&b, &r, &n));
	EXPECT_EQ(off, r.bad_offset);
	EXPECT_NE(NULL, strstr(r.reason, "icount"));
	lb_rec(&b, off)->icount = htole64(5);			/* lower */
	lb_reseal(&b, off);
	EXPECT_EQ(-EBADMSG, read_all(&b, &r, &n));
	lb_rec(&b, off)->icount = htole64(b.icount - 9);	/* + 1 */
	lb_reseal(&b, off);
	EXPECT_EQ(1, read_all(&b, &r, &n));
	lb_free(&b);
}

TEST(refill_carries_the_order_over)
{
	struct vl_log_rec_view v;
	struct vl_log_reader r;
	struct logbuf b, c;
	u8 *second;
	size_t off;

	lb_init(&b);
	lb_features(&b, 0, 1);
	off = lb_features(&b, 0, 2);
	lb_features(&b, 0, 3);
	/* The stream's second read() starts at the second record. */
	second = aligned_alloc(8, b.len - off);
	memcpy(second, b.buf + off, b.len - off);
	vl_log_reader_init(&r, b.buf, off, HDR_LEN);
	ASSERT_EQ(1, vl_log_next(&r, &v));
	ASSERT_EQ(0, vl_log_next(&r, &v));
	vl_log_reader_refill(&r, second, b.len - off);
	ASSERT_EQ(1, vl_log_next(&r, &v));
	EXPECT_EQ(1, v.seq);
	EXPECT_EQ(0, v.offset);
	ASSERT_EQ(1, vl_log_next(&r, &v));
	EXPECT_EQ(2, v.seq);
	EXPECT_EQ(0, vl_log_next(&r, &v));

	/* A buffer that starts with a gap is caught. */
	lb_init(&c);
	c.seq = 7;
	c.icount = 5000;
	lb_features(&c, 0, 4);
	vl_log_reader_refill(&r, c.buf + HDR_LEN, c.len - HDR_LEN);
	EXPECT_EQ(-EBADMSG, vl_log_next(&r, &v));
	free(second);
	lb_free(&b);
	lb_free(&c);
}

/* ---- Unknown kinds ------------------------------------------------------ */

TEST(unknown_kinds_are_skipped)
{
	static const u8 junk[21] = "a future kind's data";
	struct vl_log_rec_view v;
	struct vl_log_hdr_view h;
	struct vl_log_reader r;
	struct logbuf b;
	const char *why;
	size_t off;

	lb_init(&b);
	lb_features(&b, 0, 1);
	off = lb_unknown(&b, VL_LOG_KIND_END, 0x8001, junk, sizeof(junk));
	lb_unknown(&b, 0xffff, 0, NULL, 0);
	lb_unknown(&b, 0, 0, junk, 8);
	lb_features(&b, 0, 2);

	ASSERT_EQ(0, vl_log_check_header(b.buf, b.len, &h, &why));
	vl_log_reader_init(&r, b.buf, b.len, h.header_len);
	ASSERT_EQ(1, vl_log_next(&r, &v));
	EXPECT_TRUE(v.known);
	ASSERT_EQ(1, vl_log_next(&r, &v));
	EXPECT_FALSE(v.known);
	EXPECT_EQ(VL_LOG_KIND_END, v.kind);
	EXPECT_EQ(0x8001, v.flags);
	EXPECT_EQ(off, v.offset);
	EXPECT_EQ(VL_LOG_PAD(48 + sizeof(junk)), v.len);
	ASSERT_EQ(1, vl_log_next(&r, &v));
	EXPECT_FALSE(v.known);
	EXPECT_EQ(0xffff, v.kind);
	ASSERT_EQ(1, vl_log_next(&r, &v));
	EXPECT_FALSE(v.known);
	EXPECT_EQ(0, v.kind);
	ASSERT_EQ(1, vl_log_next(&r, &v));
	EXPECT_TRUE(v.known);
	EXPECT_EQ(2, v.u.features.driver_features);
	EXPECT_EQ(0, vl_log_next(&r, &v));

	/* Unknown, but its common header is still checked. */
	lb_rec(&b, off)->reserved = htole32(1);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "reserved");
	lb_free(&b);
}

/* ---- Per kind ----------------------------------------------------------- */

TEST(device_checks)
{
	struct virtio_loopback_log_device *d;
	struct logbuf b;
	size_t off;

	lb_init(&b);
	off = lb_device(&b, 0, 2, 4, 256, "cfg", 3);
	d = (void *)lb_rec(&b, off);
	EXPECT_GOOD(&b, off);
#define DEV_BAD(field, value, what) do {				\
		typeof(d->field) _old = d->field;			\
		d->field = value;					\
		lb_reseal(&b, off);					\
		EXPECT_BAD(&b, off, what);				\
		d->field = _old;					\
		lb_reseal(&b, off);					\
	} while (0)
	DEV_BAD(num_queues, htole32(0), "num_queues");
	DEV_BAD(num_queues, htole32(65), "num_queues");
	DEV_BAD(num_queues, htole32(6), "do not fit");
	DEV_BAD(num_queues, htole32(3), "len does not match");
	DEV_BAD(max_queue_size, htole32(0), "max_queue_size");
	DEV_BAD(max_queue_size, htole32(1), "max_queue_size");
	DEV_BAD(max_queue_size, htole32(384), "max_queue_size");
	DEV_BAD(max_queue_size, htole32(65536), "max_queue_size");
	DEV_BAD(max_queue_size, htole32(128), "queue_size");
	DEV_BAD(queue_size[2], htole32(3), "queue_size");
	DEV_BAD(status, htole32(0x100), "status");
	DEV_BAD(config_size, htole32(1025), "config_size");
	DEV_BAD(config_size, htole32(13), "do not fit");
	DEV_BAD(config_size, htole32(2), "padding");
	DEV_BAD(reserved[2], htole32(1), "reserved");
	d->queue_size[3] = 0;			/* not set up */
	lb_reseal(&b, off);
	EXPECT_GOOD(&b, off);
	lb_free(&b);
}

TEST(request_checks)
{
	struct virtio_loopback_log_request *q;
	struct logbuf b;
	size_t off;

	lb_init(&b);
	off = put_request(&b, 0, 3);
	q = (void *)lb_rec(&b, off);
	EXPECT_GOOD(&b, off);
#define REQ_BAD(field, value, what) do {				\
		typeof(q->field) _old = q->field;			\
		q->field = value;					\
		lb_reseal(&b, off);					\
		EXPECT_BAD(&b, off, what);				\
		q->field = _old;					\
		lb_reseal(&b, off);					\
	} while (0)
	REQ_BAD(reserved, htole32(1), "reserved");
	REQ_BAD(nsegs, htole32(0), "nsegs");
	REQ_BAD(nsegs, htole32(VIRTIO_LOOPBACK_MAX_SEGS + 1), "nsegs");
	REQ_BAD(nsegs, htole32(10), "do not fit");
	REQ_BAD(out_len, htole32(23), "out_len");
	REQ_BAD(out_len, htole32(4000), "do not fit");
	REQ_BAD(in_len, htole32(9), "in_len");
	REQ_BAD(segs[1].flags, htole32(VIRTIO_LOOPBACK_SEG_WRITE),
		"readable segment after a writable one");
	REQ_BAD(segs[3].flags, htole32(VIRTIO_LOOPBACK_SEG_WRITE | 2),
		"segment flags");
	/* Writable only (an rng read) and readable only are both fine. */
	off = lb_request(&b, 0, 0, 0, 1, 0, NULL, 0, 64);
	EXPECT_GOOD(&b, off);
	off = lb_request(&b, VIRTIO_LOOPBACK_LOG_F_POSTED, 0, 1, 0, 1, "hi", 2, 0);
	EXPECT_GOOD(&b, off);
	/* Padding after the out-data must be zero. */
	b.buf[off + b.len - off - 1] = 1;
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "padding");
	lb_free(&b);
}

/* A chain too long to deliver: failed, with no layout and no out-data. */
TEST(failed_request_without_layout)
{
	struct virtio_loopback_log_request *q;
	struct logbuf b;
	size_t off;

	lb_init(&b);
	off = lb_request(&b, VIRTIO_LOOPBACK_LOG_F_FAILED, 0, 0, 0, 0, NULL, 0, 0);
	q = (void *)lb_rec(&b, off);
	q->in_len = htole32(4097);	/* kept, not checked */
	lb_reseal(&b, off);
	EXPECT_GOOD(&b, off);
	EXPECT_EQ(0, le32toh(q->nsegs));
	q->rec.flags = 0;
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "nsegs");
	q->rec.flags = htole16(VIRTIO_LOOPBACK_LOG_F_FAILED);
	q->out_len = htole32(8);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "out-data without segments");
	lb_free(&b);
}

TEST(completion_checks)
{
	struct virtio_loopback_log_completion *c;
	struct logbuf b;
	size_t off;

	lb_init(&b);
	off = lb_completion(&b, 0, 0, 0, 0, 5, 0, "hello", 5);
	c = (void *)lb_rec(&b, off);
	EXPECT_GOOD(&b, off);
	c->data_len = htole32(13);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "does not fit");
	c->data_len = htole32(3);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "padding");
	c->data_len = htole32(5);
	c->reserved = htole32(1);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "reserved");
	c->reserved = 0;
	/* Only a failure written by the transport starts further in. */
	c->data_offset = htole32(4096);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "data_offset");
	c->rec.flags = htole16(VIRTIO_LOOPBACK_LOG_F_FAILED);
	lb_reseal(&b, off);
	EXPECT_GOOD(&b, off);
	c->data_offset = htole32(0xfffffffe);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "wraps");
	/* A posted chain's completion: no data. */
	off = lb_completion(&b, VIRTIO_LOOPBACK_LOG_F_POSTED, 0, 1, 9, 0, 0,
			    NULL, 0);
	EXPECT_GOOD(&b, off);
	lb_free(&b);
}

TEST(config_checks)
{
	struct virtio_loopback_log_config *c;
	struct logbuf b;
	size_t off;

	lb_init(&b);
	off = lb_config(&b, VIRTIO_LOOPBACK_LOG_CONFIG_WRITE, 0, 1020, "abcd",
			4, 0);
	c = (void *)lb_rec(&b, off);
	EXPECT_GOOD(&b, off);
	c->offset = htole32(1021);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "above 1024");
	c->offset = htole32(0xfffffffc);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "above 1024");
	c->offset = htole32(0);
	c->size = htole32(9);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "does not fit");
	c->size = htole32(4);
	c->generation = htole32(1);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "generation");
	c->rec.kind = htole16(VIRTIO_LOOPBACK_LOG_CONFIG_CHANGE);
	lb_reseal(&b, off);
	EXPECT_GOOD(&b, off);
	c->reserved = htole32(1);
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "reserved");
	lb_free(&b);
}

TEST(small_kind_checks)
{
	struct logbuf b;
	size_t off;

	lb_init(&b);
	off = lb_u32(&b, VIRTIO_LOOPBACK_LOG_QUEUE, 0, 0, 0);	/* deleted */
	EXPECT_GOOD(&b, off);
	off = lb_u32(&b, VIRTIO_LOOPBACK_LOG_QUEUE, 0, 0, 32768);
	EXPECT_GOOD(&b, off);
	off = lb_u32(&b, VIRTIO_LOOPBACK_LOG_QUEUE, 0, 0, 48);
	EXPECT_BAD(&b, off, "queue: bad size");
	off = lb_u32(&b, VIRTIO_LOOPBACK_LOG_QUEUE, 0, 0, 65536);
	EXPECT_BAD(&b, off, "queue: bad size");
	off = lb_u32(&b, VIRTIO_LOOPBACK_LOG_STATUS, 0,
		     VIRTIO_LOOPBACK_LOG_NO_QUEUE, 0x100);
	EXPECT_BAD(&b, off, "status");
	off = lb_u32(&b, VIRTIO_LOOPBACK_LOG_INTERRUPT, 0, 0, 0xffff);
	EXPECT_GOOD(&b, off);
	off = lb_u32(&b, VIRTIO_LOOPBACK_LOG_INTERRUPT, 0, 0, 0x10000);
	EXPECT_BAD(&b, off, "used_idx");
	off = lb_u32(&b, VIRTIO_LOOPBACK_LOG_RESET, 0,
		     VIRTIO_LOOPBACK_LOG_NO_QUEUE, 0xffffffff);
	EXPECT_GOOD(&b, off);
	/* The reserved word after each of them. */
	b.buf[off + 52] = 1;
	lb_reseal(&b, off);
	EXPECT_BAD(&b, off, "reset: reserved");
	off = lb_removed(&b, 0);
	EXPECT_GOOD(&b, off);
	lb_free(&b);
}

/* ---- Building ----------------------------------------------------------- */

TEST(finish_pads_and_seals)
{
	u8 buf[64] __attribute__((aligned(8)));
	struct virtio_loopback_log_rec *rec = (void *)buf;
	struct vl_log_rec_view v;
	const char *why;

	memset(buf, 0xee, sizeof(buf));
	vl_log_rec_init(rec, VIRTIO_LOOPBACK_LOG_FEATURES + 100, 3, 1, 2);
	EXPECT_EQ(0, rec->seq);
	EXPECT_EQ(0, rec->reserved);
	EXPECT_EQ(2, le32toh(rec->queue));
	memcpy(buf + 48, "abc", 3);
	EXPECT_EQ(56, vl_log_rec_finish(rec, 51));
	EXPECT_EQ(56, le32toh(rec->len));
	EXPECT_EQ(0, buf[51]);
	EXPECT_EQ(0, buf[55]);
	EXPECT_EQ(0xee, buf[56]);
	EXPECT_EQ(0, vl_log_check_rec(rec, sizeof(buf), &v, &why));
	/* Already aligned: no padding. */
	EXPECT_EQ(56, vl_log_rec_finish(rec, 56));
	EXPECT_EQ(96, VL_LOG_PAD(vl_log_request_len(2, 7)));	/* 72+16+7 */
	EXPECT_EQ(104 + 4 * 3 + 5, vl_log_device_len(3, 5));
	EXPECT_EQ(72 + 9, vl_log_completion_len(9));
	EXPECT_EQ(64 + 9, vl_log_config_len(9));
}

TEST_HARNESS_MAIN
