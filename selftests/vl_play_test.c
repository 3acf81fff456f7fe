// SPDX-License-Identifier: GPL-2.0
/*
 * Play mode: a session recorded with a backend plays back with none, and
 * the kernel's unchanged drivers see exactly what they saw when it was
 * recorded; what they do differently is reported as a divergence.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "vl_genl.h"
#include "vl_logfmt.h"
#include "vl_test_log.h"
#include "vl_test_rng.h"

#define RNG_READ	(64 << 10)

/* Bytes no two requests share: a replay that mixes them up shows. */
static size_t pattern_answer(void *ctx,
			     const struct virtio_loopback_msg_request *r,
			     unsigned char *out)
{
	struct virtio_loopback_msg_complete *c = (void *)out;
	size_t total = (sizeof(*c) + r->in_len + 7) & ~7UL;
	struct rng_backend *b = ctx;
	uint32_t x = 0x9e3779b9u * (uint32_t)++b->requests;

	memset(c, 0, total);
	c->hdr.type = VIRTIO_LOOPBACK_MSG_COMPLETE;
	c->hdr.len = total;
	c->id = r->id;
	c->queue = r->queue;
	c->len = r->in_len;
	for (uint32_t i = 0; i < r->in_len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		c->data[i] = x;
	}
	return total;
}

/* Read @len bytes of /dev/hwrng once virtio_rng serves it and is quiet. */
static int hwrng_read(unsigned char *buf, size_t len)
{
	size_t got = 0;
	int fd;

	if (!wait_file_has("/sys/class/misc/hw_random/rng_current",
			   "virtio_rng", true) || !wait_devices_quiet(20))
		return -1;
	fd = open("/dev/hwrng", O_RDONLY);
	if (fd < 0)
		return -1;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	return got == len ? 0 : -1;
}

/* Where two reads part, and whether one is the other shifted. */
static void describe_difference(const unsigned char *a, const unsigned char *b,
				size_t len, int round)
{
	size_t d = 0, i;

	while (d < len && a[d] == b[d])
		d++;
	fprintf(stderr, "# round %d: first difference at byte %zu\n", round, d);
	for (i = 0; d + 16 <= len && i + 16 <= len; i++)
		if (!memcmp(a + i, b + d, 16))
			fprintf(stderr, "# played byte %zu is recorded byte %zu\n",
				d, i);
}

struct recording {
	int chan;
	struct stream s;
	struct log_summary sum;
};

FIXTURE(play) {
	struct vl_genl genl;
	struct recording rec;
};

FIXTURE_SETUP(play)
{
	ASSERT_EQ(0, vl_genl_open(&self->genl));
	memset(&self->rec, 0, sizeof(self->rec));
	self->rec.chan = -1;
}

FIXTURE_TEARDOWN(play)
{
	vl_genl_play_stop(&self->genl);
	vl_genl_record_stop(&self->genl);
	if (self->rec.chan >= 0)
		close(self->rec.chan);
	free(self->rec.s.buf);
	vl_genl_close(&self->genl);
}

static void record_begin(struct __test_metadata *_metadata,
			 struct vl_genl *genl, struct recording *rec)
{
	rec->chan = open_channel();
	ASSERT_LE(0, rec->chan);
	rec->s.cap = 1 << 20;
	rec->s.buf = malloc(rec->s.cap);
	ASSERT_NE(NULL, rec->s.buf);
	rec->s.fd = ioctl(rec->chan, VIRTIO_LOOPBACK_OPEN_LOG);
	ASSERT_LE(0, rec->s.fd);
	ASSERT_EQ(0, vl_genl_record_start(genl, "session.log"));
	ASSERT_EQ(0, pthread_create(&rec->s.thread, NULL, stream_drain,
				    &rec->s));
}

static void record_end(struct __test_metadata *_metadata,
		       struct vl_genl *genl, struct recording *rec)
{
	char err[256];

	ASSERT_EQ(0, vl_genl_record_stop(genl));
	pthread_join(rec->s.thread, NULL);
	close(rec->s.fd);
	ASSERT_EQ(0, rec->s.err);
	ASSERT_EQ(0, log_summarize(rec->s.buf, rec->s.len, &rec->sum, err,
				   sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, rec->sum.kinds[VIRTIO_LOOPBACK_LOG_LOSS]);
	TH_LOG("recorded %zu bytes, %llu records, icount %llu",
	       rec->s.len, (unsigned long long)rec->sum.records,
	       (unsigned long long)rec->sum.last_icount);
}

static void play_begin(struct __test_metadata *_metadata,
		       const struct recording *rec, struct player *p)
{
	ASSERT_EQ(0, player_start(p, rec->s.buf, rec->s.len,
				  rec->sum.last_icount, "session.log"));
}

/* The records from @from on, one line each, for a failure's report. */
static void log_dump_tail(const unsigned char *log, size_t len, uint64_t from)
{
	struct vl_log_hdr_view hdr;
	struct vl_log_rec_view v;
	struct vl_log_reader r;
	const char *reason;

	if (vl_log_check_header(log, len, &hdr, &reason))
		return;
	vl_log_reader_init(&r, log, len, hdr.header_len);
	for (uint64_t i = 0; vl_log_next(&r, &v) > 0; i++)
		if (i + 3 >= from && i < from + 8)
			fprintf(stderr, "#   record %llu: %s vl%u queue %d flags %u icount %llu\n",
				(unsigned long long)i, vl_log_kind_name(v.kind),
				v.device, (int)v.queue, v.flags,
				(unsigned long long)v.icount);
}

/* Play to the end, then leave play mode; no divergence on the way. */
static void play_to_end(struct __test_metadata *_metadata,
			struct vl_genl *genl, const struct recording *rec,
			struct player *p)
{
	struct vl_replay_info info;

	ASSERT_TRUE(wait_played(genl, rec->sum.records, 60)) {
		char state[8192];

		vl_genl_replay_get(genl, &info);
		TH_LOG("played %llu of %llu records",
		       (unsigned long long)info.position,
		       (unsigned long long)rec->sum.records);
		if (vl_read_file(VL_DEBUGFS "/state", state, sizeof(state)) > 0)
			fprintf(stderr, "%s", state);
		if (vl_read_file(VL_DEBUGFS "/devices", state, sizeof(state)) > 0)
			fprintf(stderr, "%s", state);
		log_dump_tail(rec->s.buf, rec->s.len, info.position);
	}
	ASSERT_EQ(0, vl_genl_replay_get(genl, &info));
	EXPECT_EQ(VIRTIO_LOOPBACK_REPLAY_MODE_PLAY, info.mode);
	EXPECT_EQ(rec->sum.last_icount, info.icount);
	EXPECT_STREQ("session.log", info.filename);
	player_stop(p, genl);
	EXPECT_EQ(0, p->err);
	ASSERT_EQ(0, vl_genl_replay_get(genl, &info));
	EXPECT_EQ(VIRTIO_LOOPBACK_REPLAY_MODE_NONE, info.mode);
}

static void expect_no_divergence(struct __test_metadata *_metadata)
{
	char state[4096];

	ASSERT_LT(0, vl_read_file(VL_DEBUGFS "/state", state, sizeof(state)));
	EXPECT_EQ(NULL, strstr(state, "divergence:")) TH_LOG("%s", state);
}

TEST_F_TIMEOUT(play, rng_plays_back_the_same_bytes_twice, 300)
{
	unsigned char *recorded = malloc(RNG_READ), *played = malloc(RNG_READ);
	struct rng_backend b;
	struct player p;

	ASSERT_NE(NULL, recorded);
	ASSERT_NE(NULL, played);
	record_begin(_metadata, &self->genl, &self->rec);
	ASSERT_LE(0, rng_backend_start_answer(&b, pattern_answer));
	ASSERT_EQ(0, hwrng_read(recorded, RNG_READ));
	rng_backend_stop(&b);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	record_end(_metadata, &self->genl, &self->rec);

	for (int round = 0; round < 2; round++) {
		memset(played, 0, RNG_READ);
		play_begin(_metadata, &self->rec, &p);
		ASSERT_EQ(0, hwrng_read(played, RNG_READ));
		EXPECT_EQ(0, memcmp(recorded, played, RNG_READ))
			describe_difference(recorded, played, RNG_READ, round);
		play_to_end(_metadata, &self->genl, &self->rec, &p);
		expect_no_divergence(_metadata);
	}
	free(recorded);
	free(played);
}

TEST_HARNESS_MAIN
