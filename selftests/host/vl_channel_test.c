// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the backend channel library: the parser of read()
 * batches, the builder of write() batches and its short-write handling.
 * No kernel involved: batches are built by hand, write() is a fake.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "vl_channel.h"

/* ---- Building read() batches by hand ------------------------------------ */

struct batch {
	uint8_t *buf;		/* malloc()ed: aligned like a real one */
	size_t len;
};

static void *batch_put(struct batch *b, uint16_t type, size_t body,
		       uint32_t len)
{
	struct virtio_loopback_msg *hdr;

	if (!b->buf)
		b->buf = calloc(1, 1 << 16);
	hdr = (void *)(b->buf + b->len);
	hdr->type = type;
	hdr->len = len ? len : vl_msg_align(body);
	b->len += vl_msg_align(len ? len : body);
	return hdr;
}

static void put_status(struct batch *b, uint32_t status)
{
	struct virtio_loopback_msg_status *m;

	m = batch_put(b, VIRTIO_LOOPBACK_MSG_STATUS, sizeof(*m), 0);
	m->status = status;
}

/* A request with @nout readable and @nin writable segments of @seglen. */
static struct virtio_loopback_msg_request *
put_request(struct batch *b, uint64_t id, uint32_t nout, uint32_t nin,
	    uint32_t seglen)
{
	struct virtio_loopback_msg_request *m;
	uint32_t i, out = nout * seglen;
	size_t body = sizeof(*m) + (nout + nin) * sizeof(m->segs[0]) + out;
	uint8_t *data;

	m = batch_put(b, VIRTIO_LOOPBACK_MSG_REQUEST, body, 0);
	m->id = id;
	m->queue = 0;
	m->nsegs = nout + nin;
	m->out_len = out;
	m->in_len = nin * seglen;
	for (i = 0; i < nout + nin; i++) {
		m->segs[i].len = seglen;
		m->segs[i].flags = i < nout ? 0 : VIRTIO_LOOPBACK_SEG_WRITE;
	}
	data = (uint8_t *)&m->segs[m->nsegs];
	for (i = 0; i < out; i++)
		data[i] = (uint8_t)i;
	return m;
}

/* Parse the first message of @b. */
static int parse_first(struct batch *b, struct vl_parser *p,
		       struct vl_msg *msg)
{
	vl_parser_init(p, b->buf, b->len);
	return vl_parser_next(p, msg);
}

/* ---- Parsing ------------------------------------------------------------- */

TEST(parses_a_batch_of_every_kind)
{
	struct virtio_loopback_msg_reset *reset;
	struct virtio_loopback_msg_features *feat;
	struct virtio_loopback_msg_queue *queue;
	struct virtio_loopback_msg_config *cfg;
	struct batch b = { 0 };
	struct vl_parser p;
	struct vl_msg msg;

	reset = batch_put(&b, VIRTIO_LOOPBACK_MSG_RESET, sizeof(*reset), 0);
	reset->epoch = 7;
	feat = batch_put(&b, VIRTIO_LOOPBACK_MSG_FEATURES, sizeof(*feat), 0);
	feat->driver_features = 1ULL << 32 | 1;
	queue = batch_put(&b, VIRTIO_LOOPBACK_MSG_QUEUE, sizeof(*queue), 0);
	queue->queue = 1;
	queue->size = 256;
	cfg = batch_put(&b, VIRTIO_LOOPBACK_MSG_CONFIG, sizeof(*cfg) + 3, 0);
	cfg->offset = 20;
	cfg->size = 3;
	memcpy(cfg->data, "abc", 3);
	put_status(&b, 0xf);
	put_request(&b, 0x1234, 1, 2, 16);

	vl_parser_init(&p, b.buf, b.len);
	ASSERT_EQ(1, vl_parser_next(&p, &msg));
	EXPECT_EQ(VIRTIO_LOOPBACK_MSG_RESET, msg.type);
	EXPECT_EQ(7, msg.reset.epoch);
	ASSERT_EQ(1, vl_parser_next(&p, &msg));
	EXPECT_EQ(VIRTIO_LOOPBACK_MSG_FEATURES, msg.type);
	EXPECT_EQ(1ULL << 32 | 1, msg.features.driver_features);
	ASSERT_EQ(1, vl_parser_next(&p, &msg));
	EXPECT_EQ(1, msg.queue.queue);
	EXPECT_EQ(256, msg.queue.size);
	ASSERT_EQ(1, vl_parser_next(&p, &msg));
	EXPECT_EQ(VIRTIO_LOOPBACK_MSG_CONFIG, msg.type);
	EXPECT_EQ(24, msg.len);
	EXPECT_EQ(20, msg.config.offset);
	EXPECT_EQ(3, msg.config.size);
	EXPECT_EQ(0, memcmp(msg.config.data, "abc", 3));
	ASSERT_EQ(1, vl_parser_next(&p, &msg));
	EXPECT_EQ(0xf, msg.status.status);
	ASSERT_EQ(1, vl_parser_next(&p, &msg));
	EXPECT_EQ(VIRTIO_LOOPBACK_MSG_REQUEST, msg.type);
	EXPECT_EQ(0x1234, msg.request.id);
	EXPECT_EQ(3, msg.request.nsegs);
	EXPECT_EQ(16, msg.request.out_len);
	EXPECT_EQ(32, msg.request.in_len);
	EXPECT_EQ(VIRTIO_LOOPBACK_SEG_WRITE, msg.request.segs[2].flags);
	/* The out-data comes right after the segment table. */
	EXPECT_EQ((const uint8_t *)&msg.request.segs[3], msg.request.out);
	EXPECT_EQ(15, msg.request.out[15]);
	EXPECT_EQ(0, vl_parser_next(&p, &msg));
	EXPECT_EQ(0, vl_parser_next(&p, &msg));
	free(b.buf);
}

TEST(parses_many_requests_back_to_back)
{
	struct batch b = { 0 };
	struct vl_parser p;
	struct vl_msg msg;
	uint64_t id;

	for (id = 0; id < 100; id++)
		put_request(&b, id, 1, 1, 7);	/* odd lengths: padding */
	vl_parser_init(&p, b.buf, b.len);
	for (id = 0; id < 100; id++) {
		ASSERT_EQ(1, vl_parser_next(&p, &msg));
		ASSERT_EQ(id, msg.request.id);
		ASSERT_EQ(0, msg.len % VIRTIO_LOOPBACK_MSG_ALIGN);
	}
	EXPECT_EQ(0, vl_parser_next(&p, &msg));
	free(b.buf);
}

TEST(empty_buffer_has_no_message)
{
	struct vl_parser p;
	struct vl_msg msg;

	vl_parser_init(&p, NULL, 0);
	EXPECT_EQ(0, vl_parser_next(&p, &msg));
}

TEST(rejects_a_truncated_header)
{
	struct batch b = { 0 };
	struct vl_parser p;
	struct vl_msg msg;

	put_status(&b, 1);
	b.len = 4;
	EXPECT_EQ(-EBADMSG, parse_first(&b, &p, &msg));
	EXPECT_NE(NULL, strstr(p.error, "too few for a header"));
	/* The framing is lost: nothing more comes out. */
	EXPECT_EQ(0, vl_parser_next(&p, &msg));
	free(b.buf);
}

TEST(rejects_a_length_below_the_header)
{
	struct batch b = { 0 };
	struct vl_parser p;
	struct vl_msg msg;

	batch_put(&b, VIRTIO_LOOPBACK_MSG_STATUS, 16, 0);
	((struct virtio_loopback_msg *)b.buf)->len = 0;
	EXPECT_EQ(-EBADMSG, parse_first(&b, &p, &msg));
	EXPECT_NE(NULL, strstr(p.error, "STATUS length 0"));
	EXPECT_EQ(0, vl_parser_next(&p, &msg));
	free(b.buf);
}

TEST(rejects_a_length_not_a_multiple_of_8)
{
	struct batch b = { 0 };
	struct vl_parser p;
	struct vl_msg msg;

	put_status(&b, 1);
	put_status(&b, 2);
	((struct virtio_loopback_msg *)b.buf)->len = 12;
	EXPECT_EQ(-EBADMSG, parse_first(&b, &p, &msg));
	EXPECT_NE(NULL, strstr(p.error, "length 12 is not a multiple of 8"));
	EXPECT_EQ(0, vl_parser_next(&p, &msg));
	free(b.buf);
}

TEST(rejects_a_length_past_the_buffer)
{
	struct batch b = { 0 };
	struct vl_parser p;
	struct vl_msg msg;

	put_status(&b, 1);
	put_status(&b, 2);
	((struct virtio_loopback_msg *)(b.buf + 16))->len = 24;
	vl_parser_init(&p, b.buf, b.len);
	EXPECT_EQ(1, vl_parser_next(&p, &msg));
	EXPECT_EQ(-EBADMSG, vl_parser_next(&p, &msg));
	EXPECT_NE(NULL, strstr(p.error, "offset 16"));
	EXPECT_NE(NULL, strstr(p.error, "runs past the end"));
	free(b.buf);
}

TEST(huge_length_does_not_wrap)
{
	struct batch b = { 0 };
	struct vl_parser p;
	struct vl_msg msg;

	put_status(&b, 1);
	((struct virtio_loopback_msg *)b.buf)->len = 0xfffffff8;
	EXPECT_EQ(-EBADMSG, parse_first(&b, &p, &msg));
	free(b.buf);
}

TEST(rejects_a_message_shorter_than_its_type)
{
	struct batch b = { 0 };
	struct vl_parser p;
	struct vl_msg msg;

	/* A REQUEST of 16 bytes: framing fine, body missing. */
	batch_put(&b, VIRTIO_LOOPBACK_MSG_REQUEST, 16, 16);
	put_status(&b, 4);
	EXPECT_EQ(-EINVAL, parse_first(&b, &p, &msg));
	EXPECT_NE(NULL, strstr(p.error, "REQUEST length 16 is shorter"));
	/* Skipped: the next message is still found. */
	ASSERT_EQ(1, vl_parser_next(&p, &msg));
	EXPECT_EQ(4, msg.status.status);
	free(b.buf);
}

TEST(rejects_segments_past_the_length)
{
	struct virtio_loopback_msg_request *m;
	struct batch b = { 0 };
	struct vl_parser p;
	struct vl_msg msg;

	m = put_request(&b, 9, 1, 1, 8);
	m->nsegs = 40;
	EXPECT_EQ(-EINVAL, parse_first(&b, &p, &msg));
	EXPECT_NE(NULL, strstr(p.error, "40 segments"));
	free(b.buf);
}

TEST(rejects_out_data_past_the_length)
{
	struct virtio_loopback_msg_request *m;
	struct batch b = { 0 };
	struct vl_parser p;
	struct vl_msg msg;

	m = put_request(&b, 9, 1, 1, 8);
	m->out_len = 4096;
	m->segs[0].len = 4096;
	EXPECT_EQ(-EINVAL, parse_first(&b, &p, &msg));
	EXPECT_NE(NULL, strstr(p.error, "4096 bytes of out-data"));
	free(b.buf);
}

TEST(rejects_segment_counts_that_would_overflow)
{
	struct virtio_loopback_msg_request *m;
	struct batch b = { 0 };
	struct vl_parser p;
	struct vl_msg msg;

	m = put_request(&b, 9, 1, 1, 8);
	m->nsegs = 0xffffffff;
	EXPECT_EQ(-EINVAL, parse_first(&b, &p, &msg));
	m->nsegs = VIRTIO_LOOPBACK_MAX_SEGS + 1;
	EXPECT_EQ(-EINVAL, parse_first(&b, &p, &msg));
	m->nsegs = 0;
	EXPECT_EQ(-EINVAL, parse_first(&b, &p, &msg));
	EXPECT_NE(NULL, strstr(p.error, "0 segments"));
	free(b.buf);
}

TEST(rejects_segments_that_disagree_with_the_header)
{
	struct virtio_loopback_msg_request *m;
	struct batch b = { 0 };
	struct vl_parser p;
	struct vl_msg msg;

	m = put_request(&b, 9, 1, 1, 8);
	m->in_len = 9;
	EXPECT_EQ(-EINVAL, parse_first(&b, &p, &msg));
	EXPECT_NE(NULL, strstr(p.error, "header says 8 and 9"));
	m->in_len = 8;
	m->out_len = 4;
	EXPECT_EQ(-EINVAL, parse_first(&b, &p, &msg));
	free(b.buf);
}

TEST(rejects_a_readable_segment_after_a_writable_one)
{
	struct virtio_loopback_msg_request *m;
	struct batch b = { 0 };
	struct vl_parser p;
	struct vl_msg msg;

	m = put_request(&b, 9, 2, 1, 8);
	m->segs[1].flags = VIRTIO_LOOPBACK_SEG_WRITE;
	m->segs[2].flags = 0;
	EXPECT_EQ(-EINVAL, parse_first(&b, &p, &msg));
	EXPECT_NE(NULL, strstr(p.error, "readable segment 2"));
	free(b.buf);
}

TEST(rejects_a_request_on_an_impossible_queue)
{
	struct virtio_loopback_msg_request *m;
	struct batch b = { 0 };
	struct vl_parser p;
	struct vl_msg msg;

	m = put_request(&b, 9, 1, 1, 8);
	m->queue = VIRTIO_LOOPBACK_MAX_QUEUES;
	EXPECT_EQ(-EINVAL, parse_first(&b, &p, &msg));
	free(b.buf);
}

TEST(rejects_config_bytes_past_the_length_or_the_space)
{
	struct virtio_loopback_msg_config *cfg;
	struct batch b = { 0 };
	struct vl_parser p;
	struct vl_msg msg;

	cfg = batch_put(&b, VIRTIO_LOOPBACK_MSG_CONFIG, sizeof(*cfg) + 8, 0);
	cfg->size = 9;
	EXPECT_EQ(-EINVAL, parse_first(&b, &p, &msg));
	EXPECT_NE(NULL, strstr(p.error, "does not fit"));
	cfg->size = 8;
	cfg->offset = VIRTIO_LOOPBACK_MAX_CONFIG_SIZE - 4;
	EXPECT_EQ(-EINVAL, parse_first(&b, &p, &msg));
	EXPECT_NE(NULL, strstr(p.error, "outside"));
	cfg->offset = 0xfffffffc;
	EXPECT_EQ(-EINVAL, parse_first(&b, &p, &msg));
	cfg->offset = 0;
	EXPECT_EQ(1, parse_first(&b, &p, &msg));
	free(b.buf);
}

TEST(passes_over_an_unknown_type)
{
	struct batch b = { 0 };
	struct vl_parser p;
	struct vl_msg msg;

	batch_put(&b, 200, 40, 0);
	put_status(&b, 5);
	ASSERT_EQ(1, parse_first(&b, &p, &msg));
	EXPECT_EQ(200, msg.type);
	EXPECT_EQ(40, msg.len);
	ASSERT_EQ(1, vl_parser_next(&p, &msg));
	EXPECT_EQ(5, msg.status.status);
	EXPECT_STREQ("type 200", vl_msg_type_name(200));
	EXPECT_STREQ("COMPLETE", vl_msg_type_name(VIRTIO_LOOPBACK_MSG_COMPLETE));
	free(b.buf);
}

/* ---- Building ------------------------------------------------------------ */

TEST(completions_are_padded_to_8)
{
	static const uint32_t lens[] = { 0, 1, 7, 8, 9, 513 };
	uint8_t data[513];
	struct vl_batch b;
	struct vl_parser p;
	struct vl_msg msg;
	size_t i, off = 0;

	memset(data, 0xa5, sizeof(data));
	ASSERT_EQ(0, vl_batch_init(&b, 1 << 16));
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		ASSERT_EQ(0, vl_batch_add_complete(&b, 100 + i, 3, data,
						   lens[i]));
	EXPECT_EQ(6, b.count);

	vl_parser_init(&p, b.buf, b.len);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		const uint8_t *pad;
		size_t body = sizeof(struct virtio_loopback_msg_complete) +
			      lens[i];

		ASSERT_EQ(1, vl_parser_next(&p, &msg));
		EXPECT_EQ(VIRTIO_LOOPBACK_MSG_COMPLETE, msg.type);
		EXPECT_EQ(off, msg.offset);
		EXPECT_EQ(vl_msg_align(body), msg.len);
		EXPECT_EQ(vl_complete_msg_size(lens[i]), msg.len);
		EXPECT_EQ(100 + i, msg.complete.id);
		EXPECT_EQ(3, msg.complete.queue);
		EXPECT_EQ(lens[i], msg.complete.len);
		EXPECT_EQ(0, memcmp(msg.complete.data, data, lens[i]));
		/* The padding is zeroed, never stale memory. */
		for (pad = b.buf + off + body; pad < b.buf + off + msg.len;
		     pad++)
			EXPECT_EQ(0, *pad);
		EXPECT_EQ(0, ((struct virtio_loopback_msg *)(b.buf + off))->flags);
		off += msg.len;
	}
	EXPECT_EQ(off, b.len);
	EXPECT_EQ(0, vl_parser_next(&p, &msg));
	vl_batch_free(&b);
}

TEST(completion_filled_in_place)
{
	struct vl_batch b;
	struct vl_parser p;
	struct vl_msg msg;
	uint8_t *data;

	ASSERT_EQ(0, vl_batch_init(&b, 4096));
	memset(b.buf, 0xff, b.cap);	/* stale bytes must not leak */
	data = vl_batch_complete_begin(&b, 5, 1, 100);
	ASSERT_NE(NULL, data);
	EXPECT_EQ(0, b.len);		/* not there until it is finished */
	memcpy(data, "hello", 5);
	vl_batch_complete_end(&b, 5);
	EXPECT_EQ(32, b.len);
	EXPECT_EQ(1, b.count);

	vl_parser_init(&p, b.buf, b.len);
	ASSERT_EQ(1, vl_parser_next(&p, &msg));
	EXPECT_EQ(5, msg.complete.len);
	EXPECT_EQ(0, memcmp(msg.complete.data, "hello", 5));
	EXPECT_EQ(0, msg.complete.data[5]);
	EXPECT_EQ(0, msg.complete.data[7]);
	vl_batch_free(&b);
}

TEST(abandoned_completion_is_not_sent)
{
	struct vl_batch b;

	ASSERT_EQ(0, vl_batch_init(&b, 4096));
	ASSERT_NE(NULL, vl_batch_complete_begin(&b, 1, 0, 64));
	/* A new message replaces the open one. */
	ASSERT_EQ(0, vl_batch_add_complete(&b, 2, 0, "x", 1));
	EXPECT_EQ(1, b.count);
	EXPECT_EQ(2, ((struct virtio_loopback_msg_complete *)b.buf)->id);
	/* Ending with nothing open does nothing. */
	vl_batch_complete_end(&b, 1);
	EXPECT_EQ(1, b.count);
	vl_batch_free(&b);
}

TEST(end_never_exceeds_what_was_reserved)
{
	struct vl_batch b;

	ASSERT_EQ(0, vl_batch_init(&b, 4096));
	ASSERT_NE(NULL, vl_batch_complete_begin(&b, 1, 0, 4));
	vl_batch_complete_end(&b, 400);
	EXPECT_EQ(4, ((struct virtio_loopback_msg_complete *)b.buf)->len);
	EXPECT_EQ(32, b.len);
	vl_batch_free(&b);
}

TEST(full_batch_asks_for_a_flush)
{
	struct vl_batch b;

	ASSERT_EQ(0, vl_batch_init(&b, 64));
	ASSERT_EQ(0, vl_batch_add_complete(&b, 1, 0, "abcdefgh", 8));
	EXPECT_EQ(32, b.len);
	ASSERT_EQ(0, vl_batch_add_complete(&b, 2, 0, "abcdefgh", 8));
	EXPECT_EQ(64, b.len);
	EXPECT_EQ(NULL, vl_batch_complete_begin(&b, 3, 0, 1));
	EXPECT_EQ(-ENOSPC, vl_batch_add_complete(&b, 3, 0, "a", 1));
	EXPECT_EQ(-ENOSPC, vl_batch_add_config_change(&b, 0, "a", 1));
	vl_batch_clear(&b);
	EXPECT_EQ(0, vl_batch_add_complete(&b, 3, 0, "a", 1));
	vl_batch_free(&b);
}

TEST(empty_batch_grows_for_a_big_completion)
{
	struct vl_batch b;
	uint8_t *data;

	ASSERT_EQ(0, vl_batch_init(&b, 64));
	data = vl_batch_complete_begin(&b, 1, 0, 1000);
	ASSERT_NE(NULL, data);
	memset(data, 1, 1000);
	vl_batch_complete_end(&b, 1000);
	EXPECT_EQ(vl_complete_msg_size(1000), b.len);
	EXPECT_GE(b.cap, b.len);
	vl_batch_free(&b);
}

TEST(config_change_is_encoded)
{
	struct vl_batch b;
	struct vl_parser p;
	struct vl_msg msg;

	ASSERT_EQ(0, vl_batch_init(&b, 4096));
	ASSERT_EQ(0, vl_batch_add_config_change(&b, 8, "\x01\x02\x03\x04\x05", 5));
	EXPECT_EQ(vl_msg_align(sizeof(struct virtio_loopback_msg_config) + 5),
		  b.len);
	vl_parser_init(&p, b.buf, b.len);
	ASSERT_EQ(1, vl_parser_next(&p, &msg));
	EXPECT_EQ(VIRTIO_LOOPBACK_MSG_CONFIG_CHANGE, msg.type);
	EXPECT_EQ(8, msg.config.offset);
	EXPECT_EQ(5, msg.config.size);
	EXPECT_EQ(0, memcmp(msg.config.data, "\x01\x02\x03\x04\x05", 5));
	EXPECT_EQ(-EINVAL,
		  vl_batch_add_config_change(&b, 0, NULL,
					     VIRTIO_LOOPBACK_MAX_CONFIG_SIZE + 1));
	vl_batch_free(&b);
}

/* ---- Flushing, with a fake kernel behind write() ----------------------- */

/*
 * What the fake kernel does on each write() call: take @accept messages
 * (all of them when negative), or fail with @err.
 */
struct fake_step {
	int accept;
	int err;
	size_t bytes;		/* instead of @accept: return this much */
};

static struct {
	const struct fake_step *steps;
	int nsteps;
	int calls;
	uint8_t taken[1 << 16];	/* what the kernel accepted, in order */
	size_t taken_len;
} fake;

static ssize_t fake_write(int fd, const void *buf, size_t len)
{
	const struct fake_step *step;
	const uint8_t *p = buf;
	size_t n = 0;
	int i;

	(void)fd;
	if (fake.calls >= fake.nsteps) {
		errno = EIO;
		return -1;
	}
	step = &fake.steps[fake.calls++];
	if (step->err) {
		errno = step->err;
		return -1;
	}
	if (step->bytes) {
		n = step->bytes;
	} else {
		for (i = 0; n < len && (step->accept < 0 || i < step->accept);
		     i++)
			n += ((const struct virtio_loopback_msg *)(p + n))->len;
	}
	memcpy(fake.taken + fake.taken_len, buf, n);
	fake.taken_len += n;
	return n;
}

static struct {
	int count;
	uint64_t ids[8];
	int errs[8];
} rejected;

static void record_reject(const struct vl_msg *msg, int err, void *arg)
{
	(void)arg;
	rejected.ids[rejected.count] = msg->complete.id;
	rejected.errs[rejected.count] = err;
	rejected.count++;
}

static void fill_batch(struct vl_batch *b, int n)
{
	int i;

	vl_batch_init(b, 4096);
	b->write = fake_write;
	for (i = 0; i < n; i++)
		vl_batch_add_complete(b, i, 0, "data", 4);
}

/* The ids of the completions the fake kernel took, in order. */
static int taken_ids(uint64_t *ids, int max)
{
	struct vl_parser p;
	struct vl_msg msg;
	int n = 0;

	vl_parser_init(&p, fake.taken, fake.taken_len);
	while (n < max && vl_parser_next(&p, &msg) == 1)
		ids[n++] = msg.complete.id;
	return n;
}

TEST(flush_writes_a_batch_in_one_call)
{
	static const struct fake_step steps[] = { { .accept = -1 } };
	struct vl_batch b;
	uint64_t ids[8];

	fake.steps = steps;
	fake.nsteps = 1;
	fill_batch(&b, 5);
	EXPECT_EQ(0, vl_batch_flush(&b, 3, record_reject, NULL));
	EXPECT_EQ(1, fake.calls);
	EXPECT_EQ(5, taken_ids(ids, 8));
	EXPECT_EQ(4, ids[4]);
	EXPECT_EQ(0, b.len);
	EXPECT_EQ(0, b.count);
	EXPECT_EQ(0, rejected.count);
	vl_batch_free(&b);
}

TEST(flush_of_an_empty_batch_writes_nothing)
{
	struct vl_batch b;

	fake.nsteps = 0;
	fill_batch(&b, 0);
	EXPECT_EQ(0, vl_batch_flush(&b, 3, record_reject, NULL));
	EXPECT_EQ(0, fake.calls);
	vl_batch_free(&b);
}

TEST(flush_drops_the_bad_message_and_sends_the_rest)
{
	/* Takes 2, stops at the bad third, refuses it, takes the rest. */
	static const struct fake_step steps[] = {
		{ .accept = 2 }, { .err = EINVAL }, { .accept = -1 },
	};
	struct vl_batch b;
	uint64_t ids[8];

	fake.steps = steps;
	fake.nsteps = 3;
	fill_batch(&b, 5);
	EXPECT_EQ(1, vl_batch_flush(&b, 3, record_reject, NULL));
	EXPECT_EQ(3, fake.calls);
	ASSERT_EQ(1, rejected.count);
	EXPECT_EQ(2, rejected.ids[0]);
	EXPECT_EQ(-EINVAL, rejected.errs[0]);
	ASSERT_EQ(4, taken_ids(ids, 8));
	EXPECT_EQ(0, ids[0]);
	EXPECT_EQ(1, ids[1]);
	EXPECT_EQ(3, ids[2]);
	EXPECT_EQ(4, ids[3]);
	vl_batch_free(&b);
}

TEST(flush_survives_several_bad_messages)
{
	static const struct fake_step steps[] = {
		{ .err = ENOENT }, { .accept = 1 }, { .err = EINVAL },
		{ .err = EINVAL },
	};
	struct vl_batch b;
	uint64_t ids[8];

	fake.steps = steps;
	fake.nsteps = 4;
	fill_batch(&b, 4);
	EXPECT_EQ(3, vl_batch_flush(&b, 3, record_reject, NULL));
	ASSERT_EQ(3, rejected.count);
	EXPECT_EQ(0, rejected.ids[0]);
	EXPECT_EQ(-ENOENT, rejected.errs[0]);
	EXPECT_EQ(2, rejected.ids[1]);
	EXPECT_EQ(3, rejected.ids[2]);
	ASSERT_EQ(1, taken_ids(ids, 8));
	EXPECT_EQ(1, ids[0]);
	vl_batch_free(&b);
}

TEST(flush_retries_after_eintr_and_eagain)
{
	static const struct fake_step steps[] = {
		{ .err = EINTR }, { .err = EAGAIN }, { .accept = -1 },
	};
	struct vl_batch b;
	uint64_t ids[8];

	fake.steps = steps;
	fake.nsteps = 3;
	fill_batch(&b, 3);
	EXPECT_EQ(0, vl_batch_flush(&b, -1, record_reject, NULL));
	EXPECT_EQ(3, taken_ids(ids, 8));
	EXPECT_EQ(0, rejected.count);
	vl_batch_free(&b);
}

TEST(flush_stops_when_the_channel_fails)
{
	static const struct fake_step steps[] = {
		{ .accept = 1 }, { .err = ENODEV },
	};
	struct vl_batch b;

	fake.steps = steps;
	fake.nsteps = 2;
	fill_batch(&b, 3);
	EXPECT_EQ(-ENODEV, vl_batch_flush(&b, 3, record_reject, NULL));
	EXPECT_EQ(2, fake.calls);
	EXPECT_EQ(0, rejected.count);
	EXPECT_EQ(0, b.len);		/* the rest is dropped */
	vl_batch_free(&b);
}

TEST(flush_refuses_a_count_inside_a_message)
{
	static const struct fake_step steps[] = { { .bytes = 12 } };
	struct vl_batch b;

	fake.steps = steps;
	fake.nsteps = 1;
	fill_batch(&b, 2);
	EXPECT_EQ(-EPROTO, vl_batch_flush(&b, 3, record_reject, NULL));
	vl_batch_free(&b);
}

TEST(batch_is_reusable_after_a_flush)
{
	static const struct fake_step steps[] = {
		{ .accept = -1 }, { .accept = -1 },
	};
	struct vl_batch b;
	uint64_t ids[8];

	fake.steps = steps;
	fake.nsteps = 2;
	fill_batch(&b, 2);
	EXPECT_EQ(0, vl_batch_flush(&b, 3, NULL, NULL));
	ASSERT_EQ(0, vl_batch_add_complete(&b, 42, 1, "z", 1));
	EXPECT_EQ(0, vl_batch_flush(&b, 3, NULL, NULL));
	EXPECT_EQ(3, taken_ids(ids, 8));
	EXPECT_EQ(42, ids[2]);
	vl_batch_free(&b);
}

TEST(open_hint_names_the_module)
{
	EXPECT_NE(NULL, strstr(vl_channel_open_hint(-ENOENT),
			       "is virtio_loopback.ko loaded?"));
	EXPECT_NE(NULL, strstr(vl_channel_open_hint(-EACCES), "permission"));
	EXPECT_NE(NULL, strstr(vl_channel_open_hint(-EPROTO), "version"));
}

TEST(opening_a_missing_node_fails_cleanly)
{
	EXPECT_EQ(-ENOENT, vl_channel_open("/nonexistent/virtio-loopback",
					   NULL));
	/* Not our driver: a file with no such ioctl. */
	EXPECT_EQ(-EPROTO, vl_channel_open("/dev/null", NULL));
}

TEST_HARNESS_MAIN
