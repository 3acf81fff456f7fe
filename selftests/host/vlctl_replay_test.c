// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of `vlctl replay`, with no module: the play descriptor's
 * system calls (ioctl, lseek, write, poll) are the test's own, by the
 * linker's --wrap, and a fake module behind them takes the log as the
 * header's protocol says: it asks where it wants the log next, takes
 * partial writes, moves back after a seek, refuses a record, hangs up.
 *
 * Two parts: the checks before play mode starts (a cut or corrupt log is
 * refused, naming its first bad record, before the device node is even
 * opened), and the feeding protocol (play_feed.c), directly and through
 * the whole subcommand.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "kselftest_harness.h"
#include "vl_logbuild.h"
#include "play_feed.h"
#include "vlctl.h"
#include "vlctl_run.h"

#define NEVER	UINT64_MAX

/* ---- The fake module -------------------------------------------------- */

static struct fake {
	int fd;			/* the play descriptor it stands for; -1: none */
	uint64_t size;		/* of the log it was given */
	uint64_t pos;		/* where it wants the log next */
	u8 *got;		/* what it took, at the offsets it took it */
	uint64_t taken;		/* bytes, counting those taken again */
	size_t max_write;	/* a write takes no more */
	uint64_t refuse_at;	/* EBADMSG for the record at this offset */
	uint64_t stale_at;	/* a write reaching past it fails, once, */
	uint64_t stale_to;	/* ESTALE, the position moved to here */
	uint64_t rewind_to;	/* at the end, once: back to here, EPOLLOUT */
	bool dead;		/* play mode ended: EPIPE, EPOLLHUP */
	bool signal_at_end;	/* SIGINT instead of EPOLLHUP */
	unsigned int stales;
	uint64_t stale_taken;	/* what it had taken when the write failed */
	struct virtio_loopback_play_start start;	/* the ioctl's */
	unsigned long ioctls;
} fk = { .fd = -1 };

static void fake_init(uint64_t size)
{
	memset(&fk, 0, sizeof(fk));
	fk.fd = open("/dev/null", O_RDWR | O_CLOEXEC);	/* a number of its own */
	fk.size = size;
	fk.got = calloc(1, size + 1);
	fk.max_write = SIZE_MAX;
	fk.refuse_at = fk.stale_at = fk.rewind_to = NEVER;
}

off_t __real_lseek(int fd, off_t off, int whence);
ssize_t __real_write(int fd, const void *buf, size_t len);
int __real_poll(struct pollfd *fds, nfds_t n, int timeout);
int __real_ioctl(int fd, unsigned long req, ...);

off_t __wrap_lseek(int fd, off_t off, int whence)
{
	if (fd != fk.fd)
		return __real_lseek(fd, off, whence);
	return fk.pos;
}

ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
	size_t n = len < fk.max_write ? len : fk.max_write;

	if (fd != fk.fd)
		return __real_write(fd, buf, len);
	if (fk.dead || fk.pos + n > fk.size) {
		errno = EPIPE;
		return -1;
	}
	if (fk.pos == fk.refuse_at) {
		errno = EBADMSG;
		return -1;
	}
	if (fk.pos < fk.refuse_at && fk.pos + n > fk.refuse_at)
		n = fk.refuse_at - fk.pos;
	if (fk.pos + n > fk.stale_at) {
		fk.stale_at = NEVER;
		fk.pos = fk.stale_to;
		fk.stales++;
		fk.stale_taken = fk.taken;
		errno = ESTALE;
		return -1;
	}
	memcpy(fk.got + fk.pos, buf, n);
	fk.pos += n;
	fk.taken += n;
	return n;
}

int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	if (n != 1 || fds->fd != fk.fd)
		return __real_poll(fds, n, timeout);
	fds->revents = POLLOUT;
	if (fk.dead) {
		fds->revents = POLLHUP;
	} else if (fk.pos == fk.size && fk.rewind_to != NEVER) {
		fk.pos = fk.rewind_to;
		fk.rewind_to = NEVER;
	} else if (fk.pos == fk.size && fk.signal_at_end) {
		raise(SIGINT);		/* vlctl's handler closes the descriptor */
		errno = EINTR;
		return -1;
	} else if (fk.pos == fk.size) {
		fds->revents = POLLHUP;	/* done: play mode ends */
	}
	return 1;
}

/* VIRTIO_LOOPBACK_OPEN_PLAY on any descriptor: the fake's. */
int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (req != VIRTIO_LOOPBACK_OPEN_PLAY)
		return __real_ioctl(fd, req, arg);
	fk.ioctls++;
	memcpy(&fk.start, arg, sizeof(fk.start));
	fk.size = fk.start.size;
	fk.got = realloc(fk.got, fk.size);
	return fk.fd;
}

/* ---- Logs and files ----------------------------------------------------- */

#define NRECS	12

/* A small blk session: the device, its set-up, requests and completions. */
static void build_log(struct logbuf *b)
{
	u8 data[512];
	u64 i;

	memset(data, 'd', sizeof(data));
	lb_init(b);
	lb_device(b, 0, 2, 1, 256, "\x00\x20\0\0\0\0\0\0", 8);		/* 0 */
	lb_u32(b, VIRTIO_LOOPBACK_LOG_STATUS, 0,
	       VIRTIO_LOOPBACK_LOG_NO_QUEUE, 0xf);			/* 1 */
	lb_features(b, 0, 1ULL << 32);					/* 2 */
	lb_u32(b, VIRTIO_LOOPBACK_LOG_QUEUE, 0, 0, 256);		/* 3 */
	for (i = 0; i < 4; i++) {					/* 4-11 */
		lb_request(b, 0, 0, 0, i, 1, data, 16, 513);
		lb_completion(b, 0, 0, 0, i, 513, 0, data, 513 - 1);
	}
}

static size_t rec_offset(const struct logbuf *b, unsigned int n)
{
	size_t off = sizeof(struct virtio_loopback_log_header);

	while (n--)
		off += le32toh(((struct virtio_loopback_log_rec *)(b->buf + off))->len);
	return off;
}

static void write_file(const char *path, const void *p, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || __real_write(fd, p, len) != (ssize_t)len)
		abort();
	close(fd);
}

/* vlctl replay ARGS..., the module's node @device. */
static void run_replay(struct run *r, const char *device,
		       const char *const *args)
{
	char *argv[8];
	int argc = run_argv(argv, 8, "replay", args);
	FILE *out, *err;

	run_open(r, &out, &err);
	run_close(r, vlctl_replay_main(argc, argv, device, out, err), out, err);
}

static unsigned int count_lines(const char *s)
{
	unsigned int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* ---- Refused before play mode ------------------------------------------- */

FIXTURE(check)
{
	char dir[64];
	char path[96];		/* the log */
	char device[96];	/* a node that does not exist */
	struct logbuf b;
	struct run r;
};

FIXTURE_SETUP(check)
{
	strcpy(self->dir, "/tmp/vlctl_replay_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/play.log", self->dir);
	snprintf(self->device, sizeof(self->device), "%s/virtio-loopback",
		 self->dir);
	build_log(&self->b);
	memset(&self->r, 0, sizeof(self->r));
}

FIXTURE_TEARDOWN(check)
{
	unlink(self->path);
	rmdir(self->dir);
	run_free(&self->r);
	lb_free(&self->b);
}

/* Refused with @want in the message, and nothing else tried. */
static void expect_refused(struct __test_metadata *_metadata,
			   FIXTURE_DATA(check) *self, const char *want)
{
	run_replay(&self->r, self->device, (const char *[]){ self->path, NULL });
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, want)) TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.err, self->path));
	/* One line, and not about the device: it was never opened. */
	EXPECT_EQ(1, count_lines(self->r.err)) TH_LOG("%s", self->r.err);
	EXPECT_EQ(NULL, strstr(self->r.err, "virtio-loopback"));
	EXPECT_EQ(0, self->r.out_len);
}

TEST_F(check, truncated_log_names_the_cut_record)
{
	size_t off = rec_offset(&self->b, 7);
	char want[96];

	write_file(self->path, self->b.buf, off + 40);
	snprintf(want, sizeof(want), ": record 7 at offset %zu: truncated", off);
	expect_refused(_metadata, self, want);
}

TEST_F(check, one_flipped_byte_names_its_record)
{
	size_t off = rec_offset(&self->b, 5);
	char want[96];

	self->b.buf[off + 44] ^= 0x10;
	write_file(self->path, self->b.buf, self->b.len);
	snprintf(want, sizeof(want), ": record 5 at offset %zu: crc mismatch",
		 off);
	expect_refused(_metadata, self, want);
}

TEST_F(check, a_bad_file_header_is_offset_0)
{
	self->b.buf[20] ^= 1;
	write_file(self->path, self->b.buf, self->b.len);
	expect_refused(_metadata, self, ": offset 0: header: ");
	run_free(&self->r);

	write_file(self->path, "", 0);
	expect_refused(_metadata, self, ": offset 0: header: truncated");
}

/* A good log gets as far as the device node, which is not there. */
TEST_F(check, a_good_log_goes_on_to_the_device)
{
	write_file(self->path, self->b.buf, self->b.len);
	run_replay(&self->r, self->device,
		   (const char *[]){ "--json", self->path, NULL });
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "cannot open ")) TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.err, self->device));
	EXPECT_EQ(0, self->r.out_len);
}

TEST_F(check, not_a_regular_file)
{
	run_replay(&self->r, self->device, (const char *[]){ self->dir, NULL });
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "not a regular file")) TH_LOG("%s", self->r.err);
	run_free(&self->r);

	run_replay(&self->r, self->device, (const char *[]){ self->path, NULL });
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "No such file")) TH_LOG("%s", self->r.err);
}

TEST_F(check, usage_errors)
{
	static const char *const cases[][4] = {
		{ NULL },
		{ "a.log", "b.log", NULL },
		{ "--bogus", "a.log", NULL },
		{ "--count", "1", "a.log", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_replay(&self->r, self->device, cases[i]);
		EXPECT_EQ(2, self->r.status) TH_LOG("case %zu", i);
		EXPECT_NE(NULL, strstr(self->r.err, "usage: vlctl replay FILE"));
		run_free(&self->r);
	}
}

/* ---- A log cut inside its last record (play_feed.c, log_file.c) -------- */

FIXTURE(cut)
{
	char path[64];
	struct logbuf b;
	size_t last;		/* the last record's offset */
	u64 before_icount;	/* the icount of the record before it */
	u8 *bytes;		/* a log made from parts of b, 8-byte aligned */
	struct vl_play_log log;
	char why[320];
};

FIXTURE_SETUP(cut)
{
	build_log(&self->b);
	strcpy(self->path, "/tmp/vlctl_cut_test.XXXXXX");
	close(mkstemp(self->path));
	self->last = rec_offset(&self->b, NRECS - 1);
	self->before_icount = le64toh(lb_rec(&self->b, rec_offset(&self->b,
						  NRECS - 2))->icount);
	self->bytes = aligned_alloc(8, LB_CAP);
}

FIXTURE_TEARDOWN(cut)
{
	unlink(self->path);
	free(self->bytes);
	lb_free(&self->b);
}

/* vl_play_log_check() of a file holding the @len bytes at @p. */
static int check_file(FIXTURE_DATA(cut) *self, const void *p, size_t len,
		      bool allow_cut)
{
	int fd, ret;

	write_file(self->path, p, len);
	fd = open(self->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		abort();
	memset(self->why, 0, sizeof(self->why));
	ret = vl_play_log_check(fd, &self->log, allow_cut, self->why,
				sizeof(self->why));
	close(fd);
	return ret;
}

/* Refused with @allow_cut, @why naming @want. */
#define EXPECT_CORRUPT(self, p, len, want)					\
	do {									\
		EXPECT_EQ(-1, check_file(self, p, len, true))			\
			TH_LOG("%zu bytes taken as cut", (size_t)(len));	\
		EXPECT_NE(NULL, strstr((self)->why, want))			\
			TH_LOG("%zu bytes: '%s', not '%s'", (size_t)(len),	\
			       (self)->why, want);				\
		EXPECT_EQ(NULL, strstr((self)->why, "--allow-cut"));		\
	} while (0)

TEST_F(cut, every_cut_of_the_last_record_plays_the_records_before_it)
{
	size_t len;

	for (len = self->last + 1; len < self->b.len; len++) {
		ASSERT_EQ(0, check_file(self, self->b.buf, len, true))
			TH_LOG("cut at %zu: %s", len, self->why);
		EXPECT_EQ(self->last, self->log.size);
		EXPECT_EQ(NRECS - 1, self->log.records);
		EXPECT_EQ(self->before_icount, self->log.end_icount);
		EXPECT_EQ(len - self->last, self->log.cut_bytes);
	}
}

TEST_F(cut, every_cut_of_the_last_record_is_refused_without_allow_cut)
{
	char want[96], hint[96];
	size_t len;

	snprintf(want, sizeof(want), "record %u at offset %zu: truncated",
		 NRECS - 1, self->last);
	snprintf(hint, sizeof(hint), "--allow-cut plays the %u whole records before it",
		 NRECS - 1);
	for (len = self->last + 1; len < self->b.len; len++) {
		EXPECT_EQ(-1, check_file(self, self->b.buf, len, false));
		EXPECT_NE(NULL, strstr(self->why, want)) TH_LOG("%s", self->why);
		EXPECT_NE(NULL, strstr(self->why, hint)) TH_LOG("%s", self->why);
	}
}

/* A file that ends on a record boundary is whole: nothing cut. */
TEST_F(cut, a_file_ending_between_records_is_whole)
{
	size_t at = rec_offset(&self->b, 7);

	ASSERT_EQ(0, check_file(self, self->b.buf, self->b.len, true));
	EXPECT_EQ(self->b.len, self->log.size);
	EXPECT_EQ(0, self->log.cut_bytes);
	ASSERT_EQ(0, check_file(self, self->b.buf, at, false)) TH_LOG("%s", self->why);
	EXPECT_EQ(at, self->log.size);
	EXPECT_EQ(7, self->log.records);
	EXPECT_EQ(0, self->log.cut_bytes);
}

/* Record 7 losing its end, records 8 on kept: every length is refused. */
TEST_F(cut, bytes_lost_in_the_middle_are_refused_with_allow_cut)
{
	size_t at = rec_offset(&self->b, 7), next = rec_offset(&self->b, 8);
	size_t rest = self->b.len - next, kept;
	char want[64];

	snprintf(want, sizeof(want), "record 7 at offset %zu: ", at);
	for (kept = 0; kept < next - at; kept++) {
		memcpy(self->bytes, self->b.buf, at + kept);
		memcpy(self->bytes + at + kept, self->b.buf + next, rest);
		EXPECT_CORRUPT(self, self->bytes, at + kept + rest, want);
	}
}

/* A len going past the end over intact records is corrupt, not a cut. */
TEST_F(cut, a_len_past_the_end_over_whole_records_is_corrupt)
{
	size_t at = rec_offset(&self->b, 7), next = rec_offset(&self->b, 8);
	char want[128];

	lb_rec(&self->b, at)->len = htole32(self->b.len - at + 8);
	snprintf(want, sizeof(want),
		 "record 7 at offset %zu: len goes past the end, over an intact record at offset %zu: corrupt",
		 at, next);
	EXPECT_CORRUPT(self, self->b.buf, self->b.len, want);
	/* Even when the file is cut inside its last record as well. */
	EXPECT_CORRUPT(self, self->b.buf, self->b.len - 5, want);
}

/* What the cut record's header holds must follow the records before. */
TEST_F(cut, a_cut_record_contradicting_the_ones_before_is_corrupt)
{
	struct virtio_loopback_log_rec *rec = lb_rec(&self->b, self->last);
	size_t cut = self->last + sizeof(*rec) + 16;
	char want[128];

	rec->seq = htole64(le64toh(rec->seq) + 2);
	snprintf(want, sizeof(want), "record %u at offset %zu: seq is not the previous one + 1",
		 NRECS - 1, self->last);
	EXPECT_CORRUPT(self, self->b.buf, cut, want);
	/* Inside its header too, as far as the header goes. */
	EXPECT_CORRUPT(self, self->b.buf, self->last + 24, want);
	EXPECT_EQ(0, check_file(self, self->b.buf, self->last + 23, true));
	rec->seq = htole64(le64toh(rec->seq) - 2);

	rec->icount = htole64(self->before_icount);
	snprintf(want, sizeof(want), "record %u at offset %zu: icount does not increase",
		 NRECS - 1, self->last);
	EXPECT_CORRUPT(self, self->b.buf, cut, want);
	rec->icount = htole64(self->before_icount + 10);

	rec->reserved = htole32(1);
	snprintf(want, sizeof(want), "record %u at offset %zu: reserved not zero",
		 NRECS - 1, self->last);
	EXPECT_CORRUPT(self, self->b.buf, cut, want);
	rec->reserved = 0;

	rec->len = htole32(20);
	snprintf(want, sizeof(want), "record %u at offset %zu: len is no record's",
		 NRECS - 1, self->last);
	EXPECT_CORRUPT(self, self->b.buf, self->last + 12, want);
}

/* A bad record before the cut is refused for what it is. */
TEST_F(cut, damage_before_the_cut_is_refused_with_allow_cut)
{
	size_t at = rec_offset(&self->b, 5);
	char want[96];

	self->b.buf[at + 44] ^= 0x10;
	snprintf(want, sizeof(want), "record 5 at offset %zu: crc mismatch", at);
	EXPECT_CORRUPT(self, self->b.buf, self->last + 100, want);
}

/* A file header cut short has no records to play. */
TEST_F(cut, a_cut_file_header_is_refused_with_allow_cut)
{
	size_t len;

	for (len = 0; len < sizeof(struct virtio_loopback_log_header); len++)
		EXPECT_CORRUPT(self, self->b.buf, len, "offset 0: header: truncated");
}

/*
 * A cut record whose payload is full of made-up successors (the next seq,
 * a length that fits): checking their CRCs would take too long, so the
 * search gives up and the log is refused rather than taken as cut.
 */
TEST_F(cut, too_many_record_like_bytes_in_the_cut_are_refused)
{
	static u8 data[64 << 10];
	struct virtio_loopback_log_rec fake = {
		.kind = htole16(VIRTIO_LOOPBACK_LOG_COMPLETION),
		.len = htole32(32 << 10),
		.seq = htole64(NRECS + 1),
	};
	size_t at, i;

	for (i = 0; i + sizeof(fake) <= sizeof(data); i += 64)
		memcpy(data + i, &fake, sizeof(fake));
	at = lb_completion(&self->b, 0, 0, 0, 4, sizeof(data), 0, data,
			   sizeof(data));
	EXPECT_CORRUPT(self, self->b.buf, at + (60 << 10),
		       "too many record-like bytes to tell a cut from a corrupt len");
	/* Its whole form is a good record: the log then plays whole. */
	EXPECT_EQ(0, check_file(self, self->b.buf, self->b.len, false))
		TH_LOG("%s", self->why);
}

/* ---- The feeding protocol ----------------------------------------------- */

/* 2.5 MiB: the feeder reads the log a MiB at a time. */
#define FEED_SIZE	(5u << 19)

FIXTURE(feed)
{
	char path[64];
	u8 *data;
	volatile sig_atomic_t stop;
	struct vl_feed f;
};

FIXTURE_SETUP(feed)
{
	size_t i;

	self->data = malloc(FEED_SIZE);
	for (i = 0; i < FEED_SIZE; i++)
		self->data[i] = (i * 2654435761u) >> 13;
	strcpy(self->path, "/tmp/vlctl_feed_test.XXXXXX");
	close(mkstemp(self->path));
	write_file(self->path, self->data, FEED_SIZE);
	fake_init(FEED_SIZE);
	fk.max_write = 100000;		/* partial writes throughout */
	self->stop = 0;
	memset(&self->f, 0, sizeof(self->f));
	self->f.log_fd = open(self->path, O_RDONLY);
	self->f.size = FEED_SIZE;
	self->f.play_fd = fk.fd;
	self->f.stop = &self->stop;
}

FIXTURE_TEARDOWN(feed)
{
	vl_feed_fini(&self->f);
	close(self->f.log_fd);
	close(fk.fd);
	unlink(self->path);
	free(fk.got);
	free(self->data);
}

#define EXPECT_GOT_ALL() \
	EXPECT_EQ(0, memcmp(fk.got, self->data, FEED_SIZE)) \
		TH_LOG("the module did not get the log as it is")

TEST_F(feed, whole_log_in_partial_writes_until_hangup)
{
	EXPECT_EQ(VL_FEED_HUP, vl_feed_run(&self->f));
	EXPECT_EQ(FEED_SIZE, fk.taken);
	EXPECT_GOT_ALL();
}

TEST_F(feed, again_from_where_a_backward_seek_moved_it)
{
	fk.rewind_to = 1000000;
	EXPECT_EQ(VL_FEED_HUP, vl_feed_run(&self->f));
	EXPECT_EQ(FEED_SIZE + FEED_SIZE - 1000000, fk.taken);
	EXPECT_GOT_ALL();
}

TEST_F(feed, a_stale_write_goes_on_from_the_new_position)
{
	fk.stale_at = 2000000;
	fk.stale_to = 300000;
	EXPECT_EQ(VL_FEED_HUP, vl_feed_run(&self->f));
	EXPECT_EQ(1, fk.stales);
	/* Up to the write that crossed 2000000, then from 300000 on. */
	EXPECT_LT(2000000 - fk.max_write, fk.stale_taken);
	EXPECT_EQ(fk.stale_taken + FEED_SIZE - 300000, fk.taken);
	EXPECT_GOT_ALL();
}

TEST_F(feed, a_refused_record_is_named_by_its_offset)
{
	fk.refuse_at = 1234568;
	EXPECT_EQ(VL_FEED_REFUSED, vl_feed_run(&self->f));
	EXPECT_EQ(1234568, self->f.bad_offset);
	EXPECT_EQ(1234568, fk.taken);
}

TEST_F(feed, play_mode_ending_during_a_write_is_a_hangup)
{
	fk.dead = true;
	EXPECT_EQ(VL_FEED_HUP, vl_feed_run(&self->f));
	EXPECT_EQ(0, fk.taken);
}

TEST_F(feed, a_signal_ends_it)
{
	self->stop = 1;
	EXPECT_EQ(VL_FEED_SIGNAL, vl_feed_run(&self->f));
	EXPECT_EQ(0, fk.taken);
}

TEST_F(feed, a_log_that_shrank_is_an_error)
{
	ASSERT_EQ(0, truncate(self->path, 2000000));
	EXPECT_EQ(VL_FEED_ERROR, vl_feed_run(&self->f));
	EXPECT_EQ(ENODATA, self->f.err);
	EXPECT_STREQ("reading the log", self->f.what);
	EXPECT_EQ(2000000, fk.taken);
}

TEST_F(feed, a_position_past_the_end_is_an_error)
{
	fk.pos = FEED_SIZE + 8;
	EXPECT_EQ(VL_FEED_ERROR, vl_feed_run(&self->f));
	EXPECT_EQ(0, self->f.err);
	EXPECT_NE(NULL, strstr(self->f.what, "past the log's end"));
}

/* ---- The whole subcommand, on the fake module --------------------------- */

FIXTURE(play)
{
	char path[64];
	struct logbuf b;
	struct run r;
};

FIXTURE_SETUP(play)
{
	build_log(&self->b);
	strcpy(self->path, "/tmp/vlctl_play_test.XXXXXX");
	close(mkstemp(self->path));
	write_file(self->path, self->b.buf, self->b.len);
	fake_init(0);		/* the ioctl gives the size */
	fk.max_write = 200;
	memset(&self->r, 0, sizeof(self->r));
}

FIXTURE_TEARDOWN(play)
{
	unlink(self->path);
	run_free(&self->r);
	free(fk.got);
	close(fk.fd);
	lb_free(&self->b);
}

/* The JSON object of output line @n (from 0), or NULL. */
static struct json_object *json_line(const char *out, unsigned int n)
{
	char line[4096];
	const char *end;

	while (n-- && out)
		out = strchr(out, '\n') ? strchr(out, '\n') + 1 : NULL;
	if (!out || !(end = strchr(out, '\n')) ||
	    (size_t)(end - out) >= sizeof(line))
		return NULL;
	memcpy(line, out, end - out);
	line[end - out] = '\0';
	return json_tokener_parse(line);
}

static const char *json_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static uint64_t json_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : NEVER;
}

TEST_F(play, plays_the_log_and_ends_on_hangup)
{
	struct json_object *start, *end;
	char *real = realpath(self->path, NULL);
	char want[160];

	fk.rewind_to = rec_offset(&self->b, 4);
	run_replay(&self->r, "/dev/null",
		   (const char *[]){ self->path, "--json", NULL });
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	/* What the ioctl was told. */
	EXPECT_EQ(1, fk.ioctls);
	EXPECT_EQ(self->b.len, fk.start.size);
	EXPECT_EQ(self->b.icount, fk.start.end_icount);
	EXPECT_STREQ(real, fk.start.filename);
	EXPECT_EQ(0, fk.start.window | fk.start.flags);
	EXPECT_EQ(0, fk.start.reserved[0] | fk.start.reserved[1] |
		     fk.start.reserved[2]);
	EXPECT_EQ(0, memcmp(fk.got, self->b.buf, self->b.len));
	EXPECT_EQ(self->b.len + self->b.len - rec_offset(&self->b, 4), fk.taken);
	/* One line on stderr, two JSON objects on stdout. */
	snprintf(want, sizeof(want), "vlctl: playing %s: %u records, icount 0..%llu\n",
		 self->path, NRECS, (unsigned long long)self->b.icount);
	EXPECT_STREQ(want, self->r.err);
	start = json_line(self->r.out, 0);
	end = json_line(self->r.out, 1);
	ASSERT_NE(NULL, start) TH_LOG("%s", self->r.out);
	ASSERT_NE(NULL, end) TH_LOG("%s", self->r.out);
	EXPECT_STREQ(real, json_str(start, "filename"));
	EXPECT_EQ(self->b.len, json_u64(start, "size"));
	EXPECT_EQ(self->b.icount, json_u64(start, "end-icount"));
	EXPECT_EQ(NRECS, json_u64(start, "records"));
	EXPECT_STREQ("hup", json_str(end, "ended"));
	EXPECT_EQ(NULL, json_line(self->r.out, 2));
	json_object_put(start);
	json_object_put(end);
	free(real);
}

TEST_F(play, sigint_ends_play_mode_and_exits_0)
{
	struct json_object *end;

	fk.signal_at_end = true;
	run_replay(&self->r, "/dev/null",
		   (const char *[]){ "--json", self->path, NULL });
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_EQ(-1, fcntl(fk.fd, F_GETFD));	/* play mode ended */
	end = json_line(self->r.out, 1);
	ASSERT_NE(NULL, end) TH_LOG("%s", self->r.out);
	EXPECT_STREQ("signal", json_str(end, "ended"));
	json_object_put(end);
	/* The default action is back. */
	EXPECT_EQ(SIG_DFL, signal(SIGINT, SIG_DFL));
}

TEST_F(play, a_refused_record_exits_1_with_its_offset)
{
	char want[128];

	fk.refuse_at = rec_offset(&self->b, 9);
	run_replay(&self->r, "/dev/null", (const char *[]){ self->path, NULL });
	EXPECT_EQ(1, self->r.status);
	snprintf(want, sizeof(want), "the module refused the record at offset %zu\n",
		 rec_offset(&self->b, 9));
	EXPECT_NE(NULL, strstr(self->r.err, want)) TH_LOG("%s", self->r.err);
	EXPECT_EQ(0, self->r.out_len);
}

/*
 * The log as a killed recorder leaves it, cut 100 bytes into its last
 * record: refused, naming --allow-cut, before play mode starts; with it,
 * the module is given the whole records only, and the loss is said on
 * stderr and in the JSON.
 */
TEST_F(play, a_cut_log_plays_its_whole_records_with_allow_cut)
{
	size_t last = rec_offset(&self->b, NRECS - 1);
	u64 end_icount = le64toh(lb_rec(&self->b, rec_offset(&self->b,
					NRECS - 2))->icount);
	struct json_object *start;
	char want[512];

	write_file(self->path, self->b.buf, last + 100);
	run_replay(&self->r, "/dev/null", (const char *[]){ self->path, NULL });
	EXPECT_EQ(1, self->r.status);
	snprintf(want, sizeof(want),
		 "vlctl: %s: record %u at offset %zu: truncated: len goes past the end; cut inside its last record: --allow-cut plays the %u whole records before it\n",
		 self->path, NRECS - 1, last, NRECS - 1);
	EXPECT_STREQ(want, self->r.err);
	EXPECT_EQ(0, fk.ioctls);
	run_free(&self->r);

	run_replay(&self->r, "/dev/null",
		   (const char *[]){ "--allow-cut", self->path, "--json", NULL });
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_EQ(last, fk.start.size);
	EXPECT_EQ(end_icount, fk.start.end_icount);
	EXPECT_EQ(last, fk.taken);
	EXPECT_EQ(0, memcmp(fk.got, self->b.buf, last));
	snprintf(want, sizeof(want),
		 "vlctl: warning: %s: cut inside its last record, at offset %zu: 100 bytes dropped, the %u whole records before it play\n"
		 "vlctl: playing %s: %u records, icount 0..%llu\n",
		 self->path, last, NRECS - 1, self->path, NRECS - 1,
		 (unsigned long long)end_icount);
	EXPECT_STREQ(want, self->r.err);
	start = json_line(self->r.out, 0);
	ASSERT_NE(NULL, start) TH_LOG("%s", self->r.out);
	EXPECT_EQ(last, json_u64(start, "size"));
	EXPECT_EQ(NRECS - 1, json_u64(start, "records"));
	EXPECT_EQ(last, json_u64(start, "cut-offset"));
	EXPECT_EQ(100, json_u64(start, "cut-bytes"));
	json_object_put(start);
}

/* A whole log says nothing of a cut, --allow-cut or not. */
TEST_F(play, a_whole_log_has_no_cut_to_report)
{
	struct json_object *start;

	run_replay(&self->r, "/dev/null",
		   (const char *[]){ "--allow-cut", "--json", self->path, NULL });
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_EQ(self->b.len, fk.start.size);
	EXPECT_EQ(NULL, strstr(self->r.err, "warning"));
	start = json_line(self->r.out, 0);
	ASSERT_NE(NULL, start) TH_LOG("%s", self->r.out);
	EXPECT_EQ(self->b.len, json_u64(start, "size"));
	EXPECT_FALSE(json_object_object_get_ex(start, "cut-offset", NULL));
	EXPECT_FALSE(json_object_object_get_ex(start, "cut-bytes", NULL));
	json_object_put(start);
}

/* The module's copy of the name is cut to fit, at a character's edge. */
TEST_F(play, a_long_name_is_cut_whole_characters)
{
	char dir[300], name[600], *real;
	size_t len;

	/* "\xc3\xa9" (e acute) from offset 6 on: byte 255, where a plain
	 * cut would fall, is the second byte of one. */
	strcpy(dir, "/tmp/Y");
	while (strlen(dir) < 256)
		strcat(dir, "\xc3\xa9");
	ASSERT_EQ(0, mkdir(dir, 0700));
	snprintf(name, sizeof(name), "%s/play.log", dir);
	write_file(name, self->b.buf, self->b.len);
	real = realpath(name, NULL);
	ASSERT_NE(NULL, real);
	run_replay(&self->r, "/dev/null", (const char *[]){ name, NULL });
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	len = strnlen(fk.start.filename, sizeof(fk.start.filename));
	EXPECT_GE(len, 254);
	EXPECT_EQ(0, strncmp(fk.start.filename, real, len));
	EXPECT_NE(0x80, (u8)real[len] & 0xc0);
	unlink(name);
	rmdir(dir);
	free(real);
}

TEST_HARNESS_MAIN
