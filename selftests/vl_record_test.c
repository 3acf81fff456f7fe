// SPDX-License-Identifier: GPL-2.0
/*
 * Recording: the module logs every interaction of a device into its ring
 * and streams it; the log parses (kmod/vl_logfmt.c, the parser the module
 * itself will play logs with), its icounts strictly increase, and it holds
 * what the driver actually got.
 */
#include <linux/virtio_blk.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <termios.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vl_genl.h"
#include "vl_logfmt.h"
#include "vl_test_backend.h"
#include "vl_test_log.h"
#include "vl_test_rng.h"

#define RNG_READ	(64 << 10)

struct tally {
	unsigned long kinds[VL_LOG_KIND_END];
	unsigned long rng_bytes, rng_other_bytes;
	unsigned long unmatched;	/* completions of no request */
	uint64_t next_seq[VIRTIO_LOOPBACK_MAX_QUEUES];
	uint32_t rng_device;
};

static void tally_rec(struct tally *t, const struct vl_log_rec_view *v)
{
	if (v->kind < VL_LOG_KIND_END)
		t->kinds[v->kind]++;
	if (v->kind == VIRTIO_LOOPBACK_LOG_DEVICE &&
	    v->u.device.device_id == VIRTIO_ID_RNG)
		t->rng_device = v->device;
	if (v->kind == VIRTIO_LOOPBACK_LOG_QUEUE && v->queue < 64)
		t->next_seq[v->queue] = 0;
	if (v->kind == VIRTIO_LOOPBACK_LOG_REQUEST && v->queue < 64)
		t->next_seq[v->queue] = v->u.request.req_seq + 1;
	if (v->kind != VIRTIO_LOOPBACK_LOG_COMPLETION || v->queue >= 64)
		return;
	if (v->u.completion.req_seq >= t->next_seq[v->queue])
		t->unmatched++;
	if (v->device != t->rng_device)
		return;
	for (uint32_t i = 0; i < v->u.completion.data_len; i++)
		if (v->u.completion.data[i] == RNG_BYTE)
			t->rng_bytes++;
		else
			t->rng_other_bytes++;
}

FIXTURE(rec) {
	struct vl_genl genl;
	int chan;
	struct stream s;
};

FIXTURE_SETUP(rec)
{
	ASSERT_EQ(0, vl_genl_open(&self->genl));
	self->chan = open_channel();
	ASSERT_LE(0, self->chan);
	ASSERT_EQ(0, stream_open(&self->s, self->chan))
		TH_LOG("OPEN_LOG: %s", strerror(errno));
}

FIXTURE_TEARDOWN(rec)
{
	vl_genl_record_stop(&self->genl);
	close(self->s.fd);
	close(self->chan);
	free(self->s.buf);
	vl_genl_close(&self->genl);
}

TEST_F_TIMEOUT(rec, rng_session_is_logged_whole, 180)
{
	struct vl_replay_info info;
	struct vl_log_hdr_view hdr;
	struct vl_log_rec_view v;
	struct vl_log_reader r;
	struct tally t = {};
	struct rng_backend b;
	const char *reason;
	struct utsname u;
	char err[256];
	int index, ret;

	/* One reader at a time. */
	EXPECT_EQ(-1, ioctl(self->chan, VIRTIO_LOOPBACK_OPEN_LOG));
	EXPECT_EQ(EBUSY, errno);

	ASSERT_EQ(0, vl_genl_record_start(&self->genl, "rng.log"));
	EXPECT_EQ(-EBUSY, vl_genl_record_start(&self->genl, "again.log"));
	ASSERT_EQ(0, vl_genl_replay_get(&self->genl, &info));
	EXPECT_EQ(VIRTIO_LOOPBACK_REPLAY_MODE_RECORD, info.mode);
	EXPECT_STREQ("rng.log", info.filename);
	EXPECT_EQ(VIRTIO_LOOPBACK_ICOUNT_VIRTUAL, info.icount_source);
	ASSERT_EQ(0, pthread_create(&self->s.thread, NULL, stream_drain, &self->s));

	index = rng_backend_start(&b);
	ASSERT_LE(0, index);
	EXPECT_EQ(RNG_READ, hwrng_read_check(RNG_READ));
	rng_backend_stop(&b);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));

	ASSERT_EQ(0, vl_genl_replay_get(&self->genl, &info));
	EXPECT_LT(0, info.icount);
	EXPECT_EQ(0, info.lost);
	ASSERT_EQ(0, vl_genl_record_stop(&self->genl));
	EXPECT_EQ(-EALREADY, vl_genl_record_stop(&self->genl));
	ASSERT_EQ(0, vl_genl_replay_get(&self->genl, &info));
	EXPECT_EQ(VIRTIO_LOOPBACK_REPLAY_MODE_NONE, info.mode);
	EXPECT_STREQ("", info.filename);

	/* The stream ends once recording stopped and the ring is empty. */
	pthread_join(self->s.thread, NULL);
	ASSERT_EQ(0, self->s.err);
	ASSERT_EQ(0, vl_log_check_header(self->s.buf, self->s.len, &hdr, &reason))
		TH_LOG("header: %s", reason);
	EXPECT_EQ(VIRTIO_LOOPBACK_ICOUNT_VIRTUAL, hdr.icount_source);
	ASSERT_EQ(0, uname(&u));
	EXPECT_STREQ(u.release, hdr.kernel_release);

	vl_log_reader_init(&r, self->s.buf, self->s.len, hdr.header_len);
	while ((ret = vl_log_next(&r, &v)) > 0)
		tally_rec(&t, &v);
	vl_log_format_error(&r, err, sizeof(err));
	ASSERT_EQ(0, ret) TH_LOG("%s", err);
	TH_LOG("%zu bytes, %llu records", self->s.len,
	       (unsigned long long)r.index);

	/* Every interaction of the device's life, in order. */
	EXPECT_EQ(0, r.first_seq);
	EXPECT_EQ(1, t.kinds[VIRTIO_LOOPBACK_LOG_DEVICE]);
	EXPECT_LE(1, t.kinds[VIRTIO_LOOPBACK_LOG_RESET]);
	EXPECT_LE(1, t.kinds[VIRTIO_LOOPBACK_LOG_FEATURES]);
	EXPECT_LE(3, t.kinds[VIRTIO_LOOPBACK_LOG_STATUS]);
	EXPECT_LE(1, t.kinds[VIRTIO_LOOPBACK_LOG_QUEUE]);
	EXPECT_LE(1, t.kinds[VIRTIO_LOOPBACK_LOG_REQUEST]);
	EXPECT_EQ(t.kinds[VIRTIO_LOOPBACK_LOG_REQUEST],
		  t.kinds[VIRTIO_LOOPBACK_LOG_COMPLETION]);
	EXPECT_LE(1, t.kinds[VIRTIO_LOOPBACK_LOG_INTERRUPT]);
	EXPECT_EQ(1, t.kinds[VIRTIO_LOOPBACK_LOG_REMOVED]);
	EXPECT_EQ(0, t.kinds[VIRTIO_LOOPBACK_LOG_LOSS]);
	EXPECT_EQ(0, t.unmatched);
	/* What the driver read is in the log's completions. */
	EXPECT_LE(RNG_READ, t.rng_bytes);
	EXPECT_EQ(0, t.rng_other_bytes);
}

/* Parse a whole stream; the tally and the reader's end state. */
static int parse_stream(struct __test_metadata *_metadata,
			const struct stream *s, struct tally *t,
			struct vl_log_reader *r, uint64_t *lost_marked)
{
	struct vl_log_hdr_view hdr;
	struct vl_log_rec_view v;
	const char *reason;
	char err[256];
	int ret;

	if (vl_log_check_header(s->buf, s->len, &hdr, &reason)) {
		TH_LOG("header: %s", reason);
		return -1;
	}
	vl_log_reader_init(r, s->buf, s->len, hdr.header_len);
	while ((ret = vl_log_next(r, &v)) > 0) {
		tally_rec(t, &v);
		if (v.kind == VIRTIO_LOOPBACK_LOG_LOSS)
			*lost_marked += v.u.loss.records;
	}
	vl_log_format_error(r, err, sizeof(err));
	if (ret)
		TH_LOG("%s", err);
	return ret;
}

struct rng_pump {
	pthread_t thread;
	volatile bool stop;
	unsigned long bytes;
};

static void *rng_pump_run(void *arg)
{
	struct rng_pump *p = arg;
	char buf[4096];
	int fd = open("/dev/hwrng", O_RDONLY);

	while (fd >= 0 && !p->stop) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n <= 0)
			break;
		p->bytes += n;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/*
 * A log reader that stops reading slows the backend down, never the
 * driver: the ring fills, the rng's backend waits for room, and a console
 * write, whose chains the transport logs inside the driver's notify,
 * still returns at once; what could not be logged is counted, and marked
 * in the log once the reader catches up.
 */
TEST_F_TIMEOUT(rec, stalled_reader_slows_only_the_backend, 240)
{
	const char *argv[] = { "console", "--socket", "/tmp/vl-rec.sock", NULL };
	struct vl_backend_proc console;
	struct rng_pump pump = {};
	struct vl_replay_info info;
	struct vl_log_reader r;
	struct tally t = {};
	uint64_t marked = 0;
	struct rng_backend b;
	char line[4096];
	int tty = -1;
	time_t start;

	memset(line, 'x', sizeof(line));
	ASSERT_EQ(0, vl_genl_record_start(&self->genl, "stalled.log"));
	ASSERT_EQ(0, vl_backend_start(&console, argv));
	for (int i = 0; i < 200 && tty < 0; i++) {
		tty = open("/dev/hvc0", O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (tty < 0)
			usleep(50 * 1000);
	}
	ASSERT_LE(0, tty);
	ASSERT_LE(0, rng_backend_start(&b));
	ASSERT_TRUE(wait_file_has("/sys/class/misc/hw_random/rng_current",
				  "virtio_rng", true));
	ASSERT_EQ(0, pthread_create(&pump.thread, NULL, rng_pump_run, &pump));

	/* Until the ring is full. */
	for (int i = 0; i < 600; i++) {
		ASSERT_EQ(0, vl_genl_replay_get(&self->genl, &info));
		if (info.log_fill + 4096 > info.log_size)
			break;
		usleep(100 * 1000);
	}
	ASSERT_LT(info.log_size, info.log_fill + 4096)
		TH_LOG("the ring never filled: %u of %u", info.log_fill,
		       info.log_size);

	start = time(NULL);
	for (int i = 0; i < 16; i++)
		ASSERT_EQ(sizeof(line), write(tty, line, sizeof(line)));
	EXPECT_GE(2, time(NULL) - start) TH_LOG("console writes waited");
	ASSERT_EQ(0, vl_genl_replay_get(&self->genl, &info));
	EXPECT_LT(0, info.lost);

	/* The reader catches up; the backends go on; recording ends. */
	ASSERT_EQ(0, pthread_create(&self->s.thread, NULL, stream_drain, &self->s));
	usleep(500 * 1000);
	pump.stop = true;
	rng_backend_stop(&b);
	pthread_join(pump.thread, NULL);
	close(tty);
	vl_backend_stop(&console, SIGTERM);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	ASSERT_EQ(0, vl_genl_replay_get(&self->genl, &info));
	ASSERT_EQ(0, vl_genl_record_stop(&self->genl));
	pthread_join(self->s.thread, NULL);

	ASSERT_EQ(0, parse_stream(_metadata, &self->s, &t, &r, &marked));
	TH_LOG("%zu bytes, %llu records, %llu lost, %llu marked, %lu rng bytes read",
	       self->s.len, (unsigned long long)r.index,
	       (unsigned long long)info.lost, (unsigned long long)marked,
	       pump.bytes);
	EXPECT_LE(1, t.kinds[VIRTIO_LOOPBACK_LOG_LOSS]);
	EXPECT_EQ(info.lost, marked);
	EXPECT_EQ(2, t.kinds[VIRTIO_LOOPBACK_LOG_REMOVED]);
}

/* With no reader, the ring keeps the newest records. */
TEST_F_TIMEOUT(rec, without_a_reader_the_newest_stay, 240)
{
	struct vl_replay_info info;
	struct vl_log_reader r;
	struct tally t = {};
	uint64_t marked = 0;
	struct rng_backend b;

	close(self->s.fd);
	ASSERT_EQ(0, vl_genl_record_start(&self->genl, NULL));
	ASSERT_LE(0, rng_backend_start(&b));
	EXPECT_EQ(1 << 20, hwrng_read_check(1 << 20));
	rng_backend_stop(&b);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	ASSERT_EQ(0, vl_genl_replay_get(&self->genl, &info));
	EXPECT_EQ(0, info.lost);
	EXPECT_GE(info.log_size, info.log_fill);
	ASSERT_EQ(0, vl_genl_record_stop(&self->genl));

	self->s.fd = ioctl(self->chan, VIRTIO_LOOPBACK_OPEN_LOG);
	ASSERT_LE(0, self->s.fd);
	stream_drain(&self->s);
	ASSERT_EQ(0, self->s.err);
	ASSERT_EQ(0, parse_stream(_metadata, &self->s, &t, &r, &marked));
	TH_LOG("%llu of %llu records kept", (unsigned long long)r.index,
	       (unsigned long long)info.records);
	EXPECT_LT(0, r.first_seq);
	EXPECT_EQ(info.records - 1, r.last_seq);
	EXPECT_EQ(1, t.kinds[VIRTIO_LOOPBACK_LOG_REMOVED]);
}

/*
 * A reader that leaves in the middle of a record: the ring goes on from a
 * record's start, so the flight recorder that takes over drops whole
 * records when it wraps, and the next reader's stream parses.
 */
TEST_F_TIMEOUT(rec, a_reader_leaving_mid_record_leaves_whole_records, 240)
{
	unsigned char part[sizeof(struct virtio_loopback_log_header) + 20];
	struct vl_replay_info info;
	struct vl_log_reader r;
	struct tally t = {};
	uint64_t marked = 0;
	struct rng_backend b;
	size_t got = 0;

	ASSERT_EQ(0, vl_genl_record_start(&self->genl, NULL));
	ASSERT_LE(0, rng_backend_start(&b));
	while (got < sizeof(part)) {
		ssize_t n = read(self->s.fd, part + got, sizeof(part) - got);

		ASSERT_LT(0, n) TH_LOG("log read: %s", strerror(errno));
		got += n;
	}
	close(self->s.fd);
	self->s.fd = -1;

	/* Enough to wrap the ring, with no reader. */
	EXPECT_EQ(1 << 20, hwrng_read_check(1 << 20));
	rng_backend_stop(&b);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	ASSERT_EQ(0, vl_genl_replay_get(&self->genl, &info));
	EXPECT_EQ(0, info.lost);
	ASSERT_EQ(0, vl_genl_record_stop(&self->genl));

	self->s.fd = ioctl(self->chan, VIRTIO_LOOPBACK_OPEN_LOG);
	ASSERT_LE(0, self->s.fd);
	stream_drain(&self->s);
	ASSERT_EQ(0, self->s.err);
	ASSERT_EQ(0, parse_stream(_metadata, &self->s, &t, &r, &marked));
	EXPECT_LT(1, r.first_seq) TH_LOG("the ring did not wrap");
	EXPECT_EQ(info.records - 1, r.last_seq);
}

/*
 * debugfs shows the newest records, the device's removal among them: its
 * REMOVED, then the driver letting go (reset, queue deleted, status).
 */
TEST_F(rec, debugfs_shows_the_newest_records)
{
	static char text[65536];
	struct rng_backend b;
	char want[64], *removed;
	int index, lines = 0;

	ASSERT_EQ(0, vl_genl_record_start(&self->genl, NULL));
	index = rng_backend_start(&b);
	ASSERT_LE(0, index);
	EXPECT_EQ(4096, hwrng_read_check(4096));
	rng_backend_stop(&b);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	ASSERT_EQ(0, vl_genl_record_stop(&self->genl));

	ASSERT_LT(0, vl_read_file(VL_DEBUGFS "/log", text, sizeof(text)));
	for (char *p = text; (p = strchr(p, '\n')); p++)
		lines++;
	EXPECT_EQ(64, lines) TH_LOG("%s", text);
	snprintf(want, sizeof(want), " vl%d queue -1 removed ", index);
	removed = strstr(text, want);
	ASSERT_NE(NULL, removed) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(removed, " reset ")) TH_LOG("%s", removed);
}

/*
 * What a blk session wrote and read, checked against the log: each write
 * request's out-data and each read completion's in-data, at their sectors.
 */
#define BLK_PATTERN	(1 << 20)
#define BLK_MAX_SEQ	65536

struct blk_check {
	const unsigned char *pattern;
	uint32_t device;
	bool known;
	uint32_t type[BLK_MAX_SEQ];	/* by req_seq, queue 0 */
	uint64_t sector[BLK_MAX_SEQ];
	unsigned long written, read, wrong;
	uint64_t capacity_read;		/* what the driver read of it, or 0 */
	uint32_t capacity_generation;
};

static unsigned long blk_compare(struct blk_check *c, uint64_t sector,
				 const uint8_t *data, uint32_t len)
{
	uint64_t off = sector * 512;
	unsigned long same = 0;

	for (uint32_t i = 0; i < len && off + i < BLK_PATTERN; i++) {
		if (data[i] == c->pattern[off + i])
			same++;
		else
			c->wrong++;
	}
	return same;
}

static void blk_check_rec(struct blk_check *c, const struct vl_log_rec_view *v)
{
	if (v->kind == VIRTIO_LOOPBACK_LOG_DEVICE &&
	    v->u.device.device_id == VIRTIO_ID_BLOCK) {
		c->device = v->device;
		c->known = true;
	}
	if (c->known && v->device == c->device &&
	    v->kind == VIRTIO_LOOPBACK_LOG_CONFIG_READ &&
	    v->u.config.offset == offsetof(struct virtio_blk_config, capacity) &&
	    v->u.config.size == sizeof(uint64_t)) {
		memcpy(&c->capacity_read, v->u.config.data, sizeof(uint64_t));
		c->capacity_read = le64toh(c->capacity_read);
		c->capacity_generation = v->u.config.generation;
	}
	if (!c->known || v->device != c->device || v->queue != 0)
		return;
	if (v->kind == VIRTIO_LOOPBACK_LOG_REQUEST &&
	    v->u.request.req_seq < BLK_MAX_SEQ &&
	    v->u.request.out_len >= sizeof(struct virtio_blk_outhdr)) {
		struct virtio_blk_outhdr hdr;
		uint64_t seq = v->u.request.req_seq;

		memcpy(&hdr, v->u.request.out, sizeof(hdr));
		c->type[seq] = le32toh(hdr.type);
		c->sector[seq] = le64toh(hdr.sector);
		if (c->type[seq] == VIRTIO_BLK_T_OUT)
			c->written += blk_compare(c, c->sector[seq],
						  v->u.request.out + sizeof(hdr),
						  v->u.request.out_len - sizeof(hdr));
	}
	/* Reads once the pattern is written: the probe's read zeros before. */
	if (v->kind == VIRTIO_LOOPBACK_LOG_COMPLETION &&
	    c->written == BLK_PATTERN &&
	    v->u.completion.req_seq < BLK_MAX_SEQ &&
	    c->type[v->u.completion.req_seq] == VIRTIO_BLK_T_IN &&
	    v->u.completion.data_len > 1 && !v->u.completion.data_offset)
		c->read += blk_compare(c, c->sector[v->u.completion.req_seq],
				       v->u.completion.data,
				       v->u.completion.data_len - 1);
}

TEST_F_TIMEOUT(rec, blk_session_holds_what_was_written_and_read, 240)
{
	const char *file = "/tmp/vl-rec-blk.img";
	const char *argv[] = { "blk", "--file", file, NULL };
	struct vl_backend_proc backend;
	struct vl_log_hdr_view hdr;
	struct vl_log_rec_view v;
	struct vl_log_reader r;
	static struct blk_check c;
	unsigned char *pattern, *back;
	char disk[32], path[64];
	const char *reason;
	int fd, ret;

	ASSERT_EQ(0, posix_memalign((void **)&pattern, 4096, BLK_PATTERN));
	ASSERT_EQ(0, posix_memalign((void **)&back, 4096, BLK_PATTERN));
	for (size_t i = 0; i < BLK_PATTERN; i++)
		pattern[i] = random();
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 16 << 20));
	close(fd);

	ASSERT_EQ(0, vl_genl_record_start(&self->genl, "blk.log"));
	ASSERT_EQ(0, pthread_create(&self->s.thread, NULL, stream_drain, &self->s));
	ASSERT_EQ(0, vl_backend_start(&backend, argv));
	ASSERT_EQ(0, vl_backend_child(&backend, "block", disk, sizeof(disk)));
	snprintf(path, sizeof(path), "/dev/%s", disk);
	for (int i = 0; i < 100 && access(path, F_OK); i++)
		usleep(50 * 1000);
	fd = open(path, O_RDWR | O_DIRECT);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_EQ(BLK_PATTERN, pwrite(fd, pattern, BLK_PATTERN, 0));
	ASSERT_EQ(0, fsync(fd));
	ASSERT_EQ(BLK_PATTERN, pread(fd, back, BLK_PATTERN, 0));
	EXPECT_EQ(0, memcmp(pattern, back, BLK_PATTERN));
	close(fd);
	vl_backend_stop(&backend, SIGTERM);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	ASSERT_EQ(0, vl_genl_record_stop(&self->genl));
	pthread_join(self->s.thread, NULL);

	ASSERT_EQ(0, vl_log_check_header(self->s.buf, self->s.len, &hdr, &reason));
	c.pattern = pattern;
	vl_log_reader_init(&r, self->s.buf, self->s.len, hdr.header_len);
	while ((ret = vl_log_next(&r, &v)) > 0)
		blk_check_rec(&c, &v);
	ASSERT_EQ(0, ret);
	TH_LOG("%zu bytes, %llu records; %lu bytes written, %lu read found",
	       self->s.len, (unsigned long long)r.index, c.written, c.read);
	EXPECT_TRUE(c.known);
	EXPECT_EQ(BLK_PATTERN, c.written);
	EXPECT_EQ(BLK_PATTERN, c.read);
	EXPECT_EQ(0, c.wrong);
	/* The driver read the disk's capacity, in sectors, and the log has it. */
	EXPECT_EQ((16 << 20) / 512, c.capacity_read);
	EXPECT_EQ(0, c.capacity_generation);
	unlink(file);
	free(pattern);
	free(back);
}

/* Where @needle is in the bytes of @hay, or NULL. */
static const void *find_bytes(const void *hay, size_t hay_len,
			      const char *needle)
{
	return memmem(hay, hay_len, needle, strlen(needle));
}

/* No echo, no line discipline: the bytes as they are. */
static void make_raw(int tty)
{
	struct termios t;

	tcgetattr(tty, &t);
	cfmakeraw(&t);
	tcsetattr(tty, TCSANOW, &t);
}

/*
 * A console session: what the driver wrote is logged as posted requests,
 * taken and completed at notify time; what the peer sent as completions of
 * the driver's receive buffers.
 */
TEST_F_TIMEOUT(rec, console_session_logs_both_directions, 120)
{
	const char *argv[] = { "console", "--socket", "/tmp/vl-rec-con.sock", NULL };
	static const char out_text[] = "written by the driver, logged at notify";
	static const char in_text[] = "sent by the peer, logged as completion";
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct vl_backend_proc console;
	struct vl_log_hdr_view hdr;
	struct vl_log_rec_view v;
	struct vl_log_reader r;
	bool out_seen = false, in_seen = false;
	unsigned long posted_req = 0, posted_done = 0;
	const char *reason;
	char got[64];
	int tty = -1, peer, ret;

	ASSERT_EQ(0, vl_genl_record_start(&self->genl, "console.log"));
	ASSERT_EQ(0, pthread_create(&self->s.thread, NULL, stream_drain, &self->s));
	ASSERT_EQ(0, vl_backend_start(&console, argv));
	for (int i = 0; i < 200 && tty < 0; i++) {
		tty = open("/dev/hvc0", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (tty < 0)
			usleep(50 * 1000);
	}
	ASSERT_LE(0, tty);
	make_raw(tty);
	peer = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", argv[2]);
	ASSERT_EQ(0, connect(peer, (struct sockaddr *)&addr, sizeof(addr)));

	ASSERT_EQ(sizeof(out_text) - 1, write(tty, out_text, sizeof(out_text) - 1));
	ASSERT_EQ(sizeof(in_text) - 1, write(peer, in_text, sizeof(in_text) - 1));
	memset(got, 0, sizeof(got));
	for (size_t n = 0; n < sizeof(in_text) - 1; ) {
		struct pollfd pfd = { .fd = tty, .events = POLLIN };
		ssize_t k;

		ASSERT_EQ(1, poll(&pfd, 1, 10000));
		k = read(tty, got + n, sizeof(in_text) - 1 - n);
		ASSERT_LT(0, k);
		n += k;
	}
	EXPECT_STREQ(in_text, got);

	close(peer);
	close(tty);
	vl_backend_stop(&console, SIGTERM);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	ASSERT_EQ(0, vl_genl_record_stop(&self->genl));
	pthread_join(self->s.thread, NULL);

	ASSERT_EQ(0, vl_log_check_header(self->s.buf, self->s.len, &hdr, &reason));
	vl_log_reader_init(&r, self->s.buf, self->s.len, hdr.header_len);
	while ((ret = vl_log_next(&r, &v)) > 0) {
		if (v.kind == VIRTIO_LOOPBACK_LOG_REQUEST &&
		    (v.flags & VIRTIO_LOOPBACK_LOG_F_POSTED)) {
			posted_req++;
			out_seen |= !!find_bytes(v.u.request.out,
						 v.u.request.out_len, out_text);
		}
		if (v.kind == VIRTIO_LOOPBACK_LOG_COMPLETION &&
		    (v.flags & VIRTIO_LOOPBACK_LOG_F_POSTED))
			posted_done++;
		if (v.kind == VIRTIO_LOOPBACK_LOG_COMPLETION &&
		    !(v.flags & VIRTIO_LOOPBACK_LOG_F_POSTED))
			in_seen |= !!find_bytes(v.u.completion.data,
						v.u.completion.data_len, in_text);
	}
	ASSERT_EQ(0, ret);
	TH_LOG("%llu records, %lu posted", (unsigned long long)r.index,
	       posted_req);
	EXPECT_TRUE(out_seen);
	EXPECT_TRUE(in_seen);
	EXPECT_LE(1, posted_req);
	EXPECT_EQ(posted_req, posted_done);
}

/* vlctl record writes a log vlctl log decodes; stop-recording ends it. */
TEST_F_TIMEOUT(rec, vlctl_records_and_decodes, 120)
{
	static char out[1 << 20];
	struct rng_backend b;
	pid_t pid;
	int status;

	close(self->s.fd);	/* vlctl takes the stream */
	self->s.fd = -1;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		execl("/usr/bin/vlctl", "vlctl", "record", "/tmp/vlctl.log", NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		if (vl_run("vlctl query --json", out, sizeof(out)) == 0 &&
		    strstr(out, "\"mode\":\"record\""))
			break;
		usleep(50 * 1000);
	}
	EXPECT_NE(NULL, strstr(out, "\"filename\":\"\\/tmp\\/vlctl.log\""))
		TH_LOG("%s", out);
	ASSERT_LE(0, rng_backend_start(&b));
	EXPECT_EQ(4096, hwrng_read_check(4096));
	rng_backend_stop(&b);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	EXPECT_EQ(0, vl_run("vlctl stop-recording", NULL, 0));
	EXPECT_EQ(1, vl_run("vlctl stop-recording 2>/dev/null", NULL, 0));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	ASSERT_EQ(0, vl_run("vlctl log /tmp/vlctl.log", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, " device ")) TH_LOG("%.2000s", out);
	EXPECT_NE(NULL, strstr(out, " request "));
	EXPECT_NE(NULL, strstr(out, " completion "));
	EXPECT_NE(NULL, strstr(out, " removed"));
	/* A cut log: its good records, then where it breaks, and status 1. */
	ASSERT_EQ(0, vl_run("head -c 3000 /tmp/vlctl.log > /tmp/vlctl-cut.log", NULL, 0));
	EXPECT_EQ(1, vl_run("vlctl log /tmp/vlctl-cut.log 2>&1", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "truncated")) TH_LOG("%.2000s", out);
	unlink("/tmp/vlctl.log");
	unlink("/tmp/vlctl-cut.log");
}

TEST_F(rec, state_changes_need_cap_net_admin)
{
	pid_t pid;
	int status;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct vl_genl genl;

		if (setresuid(65534, 65534, 65534) || vl_genl_open(&genl))
			_exit(2);
		if (vl_genl_record_start(&genl, NULL) != -EPERM ||
		    vl_genl_record_stop(&genl) != -EPERM ||
		    vl_genl_play_stop(&genl) != -EPERM ||
		    vl_genl_break_set(&genl, 1) != -EPERM ||
		    vl_genl_break_delete(&genl) != -EPERM ||
		    vl_genl_seek(&genl, 1) != -EPERM ||
		    vl_genl_stop(&genl) != -EPERM ||
		    vl_genl_cont(&genl) != -EPERM)
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("2: setup, 3: not EPERM");
}

TEST_HARNESS_MAIN
