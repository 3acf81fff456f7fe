// SPDX-License-Identifier: GPL-2.0
/*
 * Play mode: a session recorded with a backend plays back with none, and
 * the kernel's unchanged drivers see exactly what they saw when it was
 * recorded; what they do differently is reported as a divergence.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <netlink/genl/genl.h>

#include "kselftest_harness.h"
#include "vl_genl.h"
#include "vl_logfmt.h"
#include "vl_test_backend.h"
#include "vl_test_blk.h"
#include "vl_test_console.h"
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
static int hwrng_read_now(unsigned char *buf, size_t len)
{
	if (!wait_file_has("/sys/class/misc/hw_random/rng_current",
			   "virtio_rng", true) || !wait_devices_quiet(20))
		return -1;
	return hwrng_read(buf, len);
}

/* Where two reads part, and whether one is the other shifted. */
static void describe_difference(const unsigned char *a, const unsigned char *b,
				size_t len, int round)
{
	size_t d = 0, i;

	while (d < len && a[d] == b[d])
		d++;
	fprintf(stderr, "# round %d: first difference at byte %zu\n", round, d);
	for (i = 0; d + 16 <= len && i + 16 <= len; i++) {
		if (!memcmp(a + i, b + d, 16))
			fprintf(stderr, "# played byte %zu is recorded byte %zu\n",
				d, i);
		if (!memcmp(b + i, a + d, 16))
			fprintf(stderr, "# recorded byte %zu is played byte %zu\n",
				d, i);
	}
}

/* debugfs' view of replay and devices, for a failure's report. */
static void dump_state(void)
{
	char buf[8192];

	if (vl_read_file(VL_DEBUGFS "/state", buf, sizeof(buf)) > 0)
		fprintf(stderr, "%s", buf);
	if (vl_read_file(VL_DEBUGFS "/devices", buf, sizeof(buf)) > 0)
		fprintf(stderr, "%s", buf);
}

struct hwrng_job {
	unsigned char *buf;
	size_t len;
};

static int hwrng_job_run(void *arg)
{
	struct hwrng_job *job = arg;

	return hwrng_read_now(job->buf, job->len);
}

/* @buf from shared_alloc(); 0 or -errno, -ETIMEDOUT if it got stuck. */
static int hwrng_read_within(struct vl_genl *genl, unsigned char *buf,
			     size_t len)
{
	struct hwrng_job job = { .buf = buf, .len = len };
	int ret = run_with_deadline(hwrng_job_run, &job, 60, genl);

	if (ret)
		dump_state();
	return ret;
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

/*
 * Unbound work (the module registers its devices from it) on CPU 0 only,
 * then as it was: a multiqueue disk's probe reads its partition table
 * through the queue of the CPU it runs on, and a recording and its replay
 * must probe through the same queue.  The teardown puts it back.
 */
#define UNBOUND_CPUMASK	"/sys/devices/virtual/workqueue/cpumask"
static char unbound_saved[256];

static bool write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool ok = fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s);

	if (fd >= 0)
		close(fd);
	return ok;
}

static bool unbound_work_on_cpu0(void)
{
	if (vl_read_file(UNBOUND_CPUMASK, unbound_saved,
			 sizeof(unbound_saved)) <= 0)
		return false;
	return write_str(UNBOUND_CPUMASK, "1");
}

static void unbound_work_restore(void)
{
	if (unbound_saved[0])
		write_str(UNBOUND_CPUMASK, unbound_saved);
	unbound_saved[0] = 0;
}

FIXTURE_TEARDOWN(play)
{
	unbound_work_restore();
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
	ASSERT_EQ(0, stream_open(&rec->s, rec->chan));
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

/*
 * Play a recording.  Its device goes away when replay reaches the
 * removal, however far the workload of the test has got by then: a
 * breakpoint just before it holds the device until the test lets replay
 * go on (play_to_end()).
 */
static void play_begin(struct __test_metadata *_metadata,
		       struct vl_genl *genl, const struct recording *rec,
		       struct player *p)
{
	ASSERT_EQ(0, player_start(p, rec->s.buf, rec->s.len,
				  rec->sum.last_icount, "session.log"));
	ASSERT_NE(0, rec->sum.removed_icount);
	ASSERT_EQ(0, vl_genl_break_set(genl, rec->sum.removed_icount - 1));
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
	for (uint64_t i = 0; vl_log_next(&r, &v) > 0; i++) {
		bool req = v.kind == VIRTIO_LOOPBACK_LOG_REQUEST;
		char head[40] = "";

		if (i + 3 < from || i >= from + 8)
			continue;
		/* The start of a request's out-data: a blk request's header. */
		for (uint32_t b = 0; req && b < v.u.request.out_len && b < 16; b++)
			snprintf(head + 2 * b, sizeof(head) - 2 * b, "%02x",
				 v.u.request.out[b]);
		fprintf(stderr, "#   record %llu: %s vl%u queue %d flags %u icount %llu %u/%u %s\n",
			(unsigned long long)i, vl_log_kind_name(v.kind),
			v.device, (int)v.queue, v.flags,
			(unsigned long long)v.icount,
			req ? v.u.request.out_len : 0,
			req ? v.u.request.in_len : 0, head);
	}
}

/* Play to the end, then leave play mode; no divergence on the way. */
static void play_to_end(struct __test_metadata *_metadata,
			struct vl_genl *genl, const struct recording *rec,
			struct player *p)
{
	struct vl_replay_info info;

	/* Stopped at the breakpoint, exactly: then on to the end. */
	ASSERT_TRUE(wait_stopped_at(genl, rec->sum.removed_icount - 1, 60))
		dump_state();
	ASSERT_EQ(0, vl_genl_cont(genl));
	ASSERT_TRUE(wait_played(genl, rec->sum.records, 60)) {
		vl_genl_replay_get(genl, &info);
		TH_LOG("played %llu of %llu records",
		       (unsigned long long)info.position,
		       (unsigned long long)rec->sum.records);
		dump_state();
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

/*
 * Whether @buf is made of the rng's completions in the log, whole and in
 * log order.  The kernel's hwrng thread reads the rng too, a block now
 * and then, so a reader may find blocks missing in between: how many is
 * counted in @skipped.
 */
static bool read_follows_log(const unsigned char *log, size_t len,
			     const unsigned char *buf, size_t size,
			     unsigned long *skipped)
{
	struct vl_log_hdr_view hdr;
	struct vl_log_rec_view v;
	struct vl_log_reader r;
	const char *reason;
	bool started = false;
	size_t pos = 0;

	*skipped = 0;
	if (vl_log_check_header(log, len, &hdr, &reason))
		return false;
	vl_log_reader_init(&r, log, len, hdr.header_len);
	while (pos < size && vl_log_next(&r, &v) > 0) {
		uint32_t n = v.kind == VIRTIO_LOOPBACK_LOG_COMPLETION ?
			     v.u.completion.data_len : 0;

		if (!n)
			continue;
		if (n > size - pos)
			n = size - pos;
		if (!memcmp(v.u.completion.data, buf + pos, n)) {
			started = true;
			pos += n;
		} else if (started) {
			++*skipped;
		}
	}
	return pos == size;
}

TEST_F_TIMEOUT(play, rng_plays_back_the_same_bytes_twice, 300)
{
	unsigned char *recorded = shared_alloc(RNG_READ);
	unsigned char *played = shared_alloc(RNG_READ);
	unsigned long skipped;
	struct rng_backend b;
	struct player p;

	ASSERT_NE(NULL, recorded);
	ASSERT_NE(NULL, played);
	record_begin(_metadata, &self->genl, &self->rec);
	ASSERT_LE(0, rng_backend_start_answer(&b, pattern_answer));
	ASSERT_EQ(0, hwrng_read_within(&self->genl, recorded, RNG_READ));
	rng_backend_stop(&b);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	record_end(_metadata, &self->genl, &self->rec);
	ASSERT_TRUE(read_follows_log(self->rec.s.buf, self->rec.s.len,
				     recorded, RNG_READ, &skipped));

	for (int round = 0; round < 2; round++) {
		memset(played, 0, RNG_READ);
		play_begin(_metadata, &self->genl, &self->rec, &p);
		ASSERT_EQ(0, hwrng_read_within(&self->genl, played, RNG_READ));
		/*
		 * The same bytes, unless the hwrng thread took a block at
		 * another moment: then still the log's, in its order.
		 */
		if (memcmp(recorded, played, RNG_READ)) {
			describe_difference(recorded, played, RNG_READ, round);
			EXPECT_TRUE(read_follows_log(self->rec.s.buf,
						     self->rec.s.len, played,
						     RNG_READ, &skipped));
			EXPECT_GE(8, skipped);
		}
		play_to_end(_metadata, &self->genl, &self->rec, &p);
		expect_no_divergence(_metadata);
	}
	munmap(recorded, RNG_READ);
	munmap(played, RNG_READ);
}

static int blk_workload(struct vl_genl *genl, const char *disk,
			const unsigned char *pattern, unsigned char *back,
			unsigned char *elsewhere, int nice)
{
	struct blk_job job = {
		.disk = disk, .pattern = pattern, .back = back,
		.elsewhere = elsewhere, .nice = nice,
	};
	int ret = run_with_deadline(blk_job_run, &job, 90, genl);

	if (ret)
		dump_state();
	return ret;
}

/*
 * Recorded against a backend whose file holds data the play run never
 * sees: played back with no backend, the driver reads the same bytes,
 * and the replayed writes match the log (else: a divergence).  The play
 * run is niced: the I/O priority the block layer derives from it is in
 * every request's header, and is no divergence.
 */
TEST_F_TIMEOUT(play, blk_plays_back_reads_and_checks_writes, 300)
{
	const char *file = "/tmp/vl-play-blk.img";
	const char *argv[] = { "blk", "--file", file, NULL };
	unsigned char *pattern, *back, *elsewhere, *played;
	struct vl_backend_proc backend;
	char disk[32];
	struct player p;
	int fd;

	pattern = shared_alloc(BLK_PATTERN);
	back = shared_alloc(BLK_PATTERN);
	elsewhere = shared_alloc(BLK_PATTERN);
	played = shared_alloc(BLK_PATTERN);
	ASSERT_TRUE(pattern && back && elsewhere && played);
	for (size_t i = 0; i < BLK_PATTERN; i++)
		pattern[i] = random();
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 16 << 20));
	for (size_t i = 0; i < BLK_PATTERN; i++)
		back[i] = random();
	ASSERT_EQ(BLK_PATTERN, pwrite(fd, back, BLK_PATTERN, BLK_READ_AT));
	close(fd);

	record_begin(_metadata, &self->genl, &self->rec);
	ASSERT_EQ(0, vl_backend_start(&backend, argv));
	ASSERT_EQ(0, vl_backend_child(&backend, "block", disk, sizeof(disk)));
	ASSERT_EQ(0, blk_workload(&self->genl, disk, pattern, back, elsewhere,
				  0));
	EXPECT_EQ(0, memcmp(pattern, back, BLK_PATTERN));
	vl_backend_stop(&backend, SIGTERM);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	record_end(_metadata, &self->genl, &self->rec);
	unlink(file);

	play_begin(_metadata, &self->genl, &self->rec, &p);
	ASSERT_EQ(0, blk_disk_name(played_index(), disk, sizeof(disk)));
	memset(back, 0, BLK_PATTERN);
	ASSERT_EQ(0, blk_workload(&self->genl, disk, pattern, back, played,
				  10));
	EXPECT_EQ(0, memcmp(pattern, back, BLK_PATTERN));
	EXPECT_EQ(0, memcmp(elsewhere, played, BLK_PATTERN));
	play_to_end(_metadata, &self->genl, &self->rec, &p);
	expect_no_divergence(_metadata);
	munmap(pattern, BLK_PATTERN);
	munmap(back, BLK_PATTERN);
	munmap(elsewhere, BLK_PATTERN);
	munmap(played, BLK_PATTERN);
}

/*
 * An ext4 mkfs with a file copied in, the same requests each time it
 * runs: mke2fs -D writes with O_DIRECT, synchronously and in program
 * order; the UUID and the hash seed are given, E2FSPROGS_FAKE_TIME stands
 * for mke2fs' clock, and -d copies the file in with the source's own
 * times.  The source lives on a noatime tmpfs: reading it for the first
 * copy changes nothing the second copy sees (its ctime, which no one can
 * set, is that of its creation, before both).  Lazy inode table and
 * journal init: no zeroing.  Debian 12's mke2fs zeroes with
 * fallocate(ZERO_RANGE), which the kernel writes from its zero page, cut
 * into the same requests each time; but where that fails, mke2fs writes
 * up to 4 MiB at once from its own buffer, which the block layer cuts by
 * where the buffer's pages lie (log_largest_blk_data() makes sure no
 * request could have been cut).  A read-write mount could not
 * copy the file in: ext4 stamps the superblock with the kernel's clock
 * when it mounts (a replay diverges there, in s_mtime), and jbd2 commits
 * when its timer says.
 */
#define EXT4_DISK_SIZE	(16 << 20)
#define EXT4_SRC	"/tmp/vl-ext4-src"
#define EXT4_MNT	"/tmp/vl-ext4-mnt"
#define EXT4_FILE	"copied.bin"
#define EXT4_FILE_SIZE	(300 << 10)

static const char ext4_mkfs[] =
	"E2FSPROGS_FAKE_TIME=1700000000 /sbin/mke2fs -q -F -t ext4 -D "
	"-U 6f1b3c3e-5a2d-4c1e-9f00-0123456789ab "
	"-E hash_seed=0b5e3d1c-2a4f-4e6d-8c7b-9a0011223344,nodiscard,"
	"lazy_itable_init=1,lazy_journal_init=1 "
	"-d " EXT4_SRC;

/* In memory from shared_alloc(): the child running it fills it in. */
struct ext4_job {
	char disk[32];
	unsigned int max_segments;	/* of the disk's queue */
	char fsck[1024];	/* what e2fsck -fn said */
	int fsck_status;
	unsigned char copy[EXT4_FILE_SIZE];	/* the file, read back */
};

/* The copied file as the kernel's ext4 reads it: mounted ro, no journal. */
static int ext4_read_back(struct ext4_job *job)
{
	char dev[64];
	ssize_t n = -1;
	int fd;

	snprintf(dev, sizeof(dev), "/dev/%s", job->disk);
	mkdir(EXT4_MNT, 0755);
	if (mount(dev, EXT4_MNT, "ext4", MS_RDONLY, "noload")) {
		fprintf(stderr, "# mount %s: %s\n", dev, strerror(errno));
		return -1;
	}
	fd = open(EXT4_MNT "/" EXT4_FILE, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, job->copy, sizeof(job->copy));
		close(fd);
	}
	return umount(EXT4_MNT) || n != sizeof(job->copy) ? -1 : 0;
}

/*
 * mkfs with the copy, e2fsck -fn, the file read back through a mount.
 * In a child (run_with_deadline()).
 */
static int ext4_job_run(void *arg)
{
	struct ext4_job *job = arg;
	char cmd[512], out[1024];
	int status;

	if (!wait_devices_quiet(30))
		return -1;
	snprintf(cmd, sizeof(cmd), "/sys/block/%s/queue/max_segments",
		 job->disk);
	if (vl_read_file(cmd, out, sizeof(out)) <= 0 ||
	    sscanf(out, "%u", &job->max_segments) != 1)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s /dev/%s 2>&1", ext4_mkfs, job->disk);
	status = vl_run(cmd, out, sizeof(out));
	if (status) {
		fprintf(stderr, "# mke2fs: exit %d: %s\n", status, out);
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "/sbin/e2fsck -fn /dev/%s 2>&1", job->disk);
	job->fsck_status = vl_run(cmd, job->fsck, sizeof(job->fsck));
	if (ext4_read_back(job))
		return -1;
	return wait_devices_quiet(30) ? 0 : -1;
}

/* The source folder, on a noatime tmpfs of its own, with @data in it. */
static int ext4_source_make(const unsigned char *data)
{
	struct timespec times[2] = {
		{ .tv_sec = 1600000000 }, { .tv_sec = 1600000000 },
	};
	int fd, ok;

	umount2(EXT4_SRC, MNT_DETACH);
	mkdir(EXT4_SRC, 0755);
	if (mount("tmpfs", EXT4_SRC, "tmpfs", MS_NOATIME, "size=1m"))
		return -1;
	fd = open(EXT4_SRC "/" EXT4_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ok = write(fd, data, EXT4_FILE_SIZE) == EXT4_FILE_SIZE &&
	     !futimens(fd, times);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * The most data one blk request of the log carries (out: the 16-byte
 * header, then what is written; in: what is read, then the status byte).
 * The block layer cuts a request of more than max_segments segments; one
 * of at most max_segments - 1 pages, aligned or not, is never cut, so it
 * is the same request however its buffer's pages lie.
 */
static uint32_t log_largest_blk_data(const unsigned char *log, size_t len)
{
	struct vl_log_hdr_view hdr;
	struct vl_log_rec_view v;
	struct vl_log_reader r;
	const char *reason;
	uint32_t largest = 0;

	if (vl_log_check_header(log, len, &hdr, &reason))
		return UINT32_MAX;
	vl_log_reader_init(&r, log, len, hdr.header_len);
	while (vl_log_next(&r, &v) > 0) {
		uint32_t data;

		if (v.kind != VIRTIO_LOOPBACK_LOG_REQUEST)
			continue;
		data = v.u.request.out_len + v.u.request.in_len -
		       sizeof(struct virtio_blk_outhdr) - 1;
		if (data > largest)
			largest = data;
	}
	return largest;
}

/* mke2fs, e2fsck and the kernel's ext4 on vlN's disk, within 100 s. */
static int ext4_workload(struct vl_genl *genl, struct ext4_job *job,
			 int index)
{
	int ret;

	memset(job, 0, sizeof(*job));
	if (blk_disk_name(index, job->disk, sizeof(job->disk)))
		return -ENODEV;
	/* Under the 120 s after which the kernel calls a frozen task hung. */
	ret = run_with_deadline(ext4_job_run, job, 100, genl);
	if (ret)
		dump_state();
	return ret;
}

/*
 * A real ext4 mkfs and file copy, recorded and played back with no
 * backend: mke2fs' writes match the log, and what e2fsck and ext4 read
 * on the played disk is the recorded filesystem with the file in it.
 */
TEST_F_TIMEOUT(play, ext4_mkfs_and_copy_play_back, 300)
{
	const char *file = "/tmp/vl-play-ext4.img";
	const char *argv[] = { "blk", "--file", file, NULL };
	struct ext4_job *job = shared_alloc(sizeof(*job));
	unsigned char *data = malloc(EXT4_FILE_SIZE);
	struct vl_backend_proc backend;
	char cmd[256], fsck[sizeof(job->fsck)];
	struct player p;
	int fd;

	if (access("/sbin/mke2fs", X_OK) || access("/sbin/e2fsck", X_OK))
		SKIP(return, "no /sbin/mke2fs or /sbin/e2fsck in this initramfs");
	ASSERT_TRUE(job && data);
	for (size_t i = 0; i < EXT4_FILE_SIZE; i++)
		data[i] = random();
	ASSERT_EQ(0, ext4_source_make(data));
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, EXT4_DISK_SIZE));
	close(fd);

	record_begin(_metadata, &self->genl, &self->rec);
	ASSERT_EQ(0, vl_backend_start(&backend, argv));
	ASSERT_EQ(0, ext4_workload(&self->genl, job, backend.index));
	EXPECT_EQ(0, job->fsck_status) TH_LOG("%s", job->fsck);
	EXPECT_EQ(0, memcmp(data, job->copy, EXT4_FILE_SIZE));
	memcpy(fsck, job->fsck, sizeof(fsck));
	vl_backend_stop(&backend, SIGTERM);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	record_end(_metadata, &self->genl, &self->rec);
	ASSERT_LT(1, job->max_segments);
	ASSERT_GE((job->max_segments - 1) * getpagesize(),
		  log_largest_blk_data(self->rec.s.buf, self->rec.s.len));
	/* The backend's file holds that filesystem, checked there. */
	snprintf(cmd, sizeof(cmd), "/sbin/e2fsck -fn %s 2>&1", file);
	EXPECT_EQ(0, vl_run(cmd, job->fsck, sizeof(job->fsck)))
		TH_LOG("%s", job->fsck);
	unlink(file);

	/* No backend now: every byte read comes from the log. */
	play_begin(_metadata, &self->genl, &self->rec, &p);
	ASSERT_EQ(0, ext4_workload(&self->genl, job, played_index()));
	EXPECT_EQ(0, job->fsck_status) TH_LOG("%s", job->fsck);
	EXPECT_STREQ(fsck, job->fsck);
	EXPECT_EQ(0, memcmp(data, job->copy, EXT4_FILE_SIZE));
	play_to_end(_metadata, &self->genl, &self->rec, &p);
	expect_no_divergence(_metadata);
	umount2(EXT4_SRC, MNT_DETACH);
	munmap(job, sizeof(*job));
	free(data);
}

/*
 * What the peer sent during the recording reaches the driver again with
 * no backend, and what the driver writes is compared with the log.
 */
TEST_F_TIMEOUT(play, console_peer_data_arrives_again, 240)
{
	const char *argv[] = { "console", "--socket", "/tmp/vl-play-con.sock", NULL };
	struct console_job *job = shared_alloc(sizeof(*job));
	struct vl_backend_proc console;
	struct player p;

	ASSERT_NE(NULL, job);
	record_begin(_metadata, &self->genl, &self->rec);
	ASSERT_EQ(0, vl_backend_start(&console, argv));
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", true));
	job->peer = console_peer_connect(argv[2]);
	ASSERT_LE(0, job->peer);
	ASSERT_EQ(0, run_with_deadline(console_job_run, job, 60, &self->genl));
	EXPECT_EQ(0, memcmp(console_in, job->got, sizeof(console_in) - 1));
	close(job->peer);
	vl_backend_stop(&console, SIGTERM);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	record_end(_metadata, &self->genl, &self->rec);

	memset(job, 0, sizeof(*job));
	job->peer = -1;
	play_begin(_metadata, &self->genl, &self->rec, &p);
	ASSERT_EQ(0, run_with_deadline(console_job_run, job, 60, &self->genl))
		dump_state();
	EXPECT_EQ(0, memcmp(console_in, job->got, sizeof(console_in) - 1));
	play_to_end(_metadata, &self->genl, &self->rec, &p);
	expect_no_divergence(_metadata);
	munmap(job, sizeof(*job));
}

/* Events of the "events" group, as the tests look at them. */
struct event {
	uint8_t cmd;
	uint64_t icount;
	uint32_t reason;
	uint64_t record;
	uint64_t expected;
	uint64_t actual;
	char field[32];
};

struct events {
	struct vl_genl genl;
	struct event ev[32];
	int n;
};

static int parse_event(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *a[VIRTIO_LOOPBACK_A_REPLAY_MAX + 1];
	struct events *evs = arg;
	struct event *e;

	if (evs->n == (int)(sizeof(evs->ev) / sizeof(evs->ev[0])) ||
	    nla_parse(a, VIRTIO_LOOPBACK_A_REPLAY_MAX, genlmsg_attrdata(gh, 0),
		      genlmsg_attrlen(gh, 0), NULL))
		return 0;
	e = &evs->ev[evs->n++];
	memset(e, 0, sizeof(*e));
	e->cmd = gh->cmd;
	/* Device events use the other attribute set: only the kind counts. */
	if (e->cmd == VIRTIO_LOOPBACK_CMD_DEVICE_ADDED_NTF ||
	    e->cmd == VIRTIO_LOOPBACK_CMD_DEVICE_REMOVED_NTF)
		return 0;
	if (a[VIRTIO_LOOPBACK_A_REPLAY_ICOUNT])
		e->icount = nla_get_u64(a[VIRTIO_LOOPBACK_A_REPLAY_ICOUNT]);
	if (a[VIRTIO_LOOPBACK_A_REPLAY_REASON])
		e->reason = nla_get_u32(a[VIRTIO_LOOPBACK_A_REPLAY_REASON]);
	if (a[VIRTIO_LOOPBACK_A_REPLAY_RECORD])
		e->record = nla_get_u64(a[VIRTIO_LOOPBACK_A_REPLAY_RECORD]);
	if (a[VIRTIO_LOOPBACK_A_REPLAY_EXPECTED])
		e->expected = nla_get_u64(a[VIRTIO_LOOPBACK_A_REPLAY_EXPECTED]);
	if (a[VIRTIO_LOOPBACK_A_REPLAY_ACTUAL])
		e->actual = nla_get_u64(a[VIRTIO_LOOPBACK_A_REPLAY_ACTUAL]);
	if (a[VIRTIO_LOOPBACK_A_REPLAY_FIELD])
		nla_strlcpy(e->field, a[VIRTIO_LOOPBACK_A_REPLAY_FIELD],
			    sizeof(e->field));
	return 0;
}

/* The first event @cmd that comes within @ms, or NULL. */
static struct event *wait_event_cmd(struct events *evs, uint8_t cmd, int ms)
{
	int fd = nl_socket_get_fd(evs->genl.sock);

	for (int waited = 0; waited <= ms; waited += 100) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		for (int i = 0; i < evs->n; i++)
			if (evs->ev[i].cmd == cmd)
				return &evs->ev[i];
		if (poll(&pfd, 1, 100) == 1)
			vl_genl_recv(&evs->genl, parse_event, evs);
	}
	return NULL;
}

struct blk_session {
	unsigned char *pattern, *back, *elsewhere;
};

/* Record the blk workload against a backend. */
static void record_blk(struct __test_metadata *_metadata,
		       struct vl_genl *genl, struct recording *rec,
		       struct blk_session *bs)
{
	const char *file = "/tmp/vl-play-div.img";
	const char *argv[] = { "blk", "--file", file, NULL };
	struct vl_backend_proc backend;
	char disk[32];
	int fd;

	bs->pattern = shared_alloc(BLK_PATTERN);
	bs->back = shared_alloc(BLK_PATTERN);
	bs->elsewhere = shared_alloc(BLK_PATTERN);
	ASSERT_TRUE(bs->pattern && bs->back && bs->elsewhere);
	for (size_t i = 0; i < BLK_PATTERN; i++)
		bs->pattern[i] = random();
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 16 << 20));
	close(fd);
	record_begin(_metadata, genl, rec);
	ASSERT_EQ(0, vl_backend_start(&backend, argv));
	ASSERT_EQ(0, vl_backend_child(&backend, "block", disk, sizeof(disk)));
	ASSERT_EQ(0, blk_workload(genl, disk, bs->pattern, bs->back,
				  bs->elsewhere, 0));
	vl_backend_stop(&backend, SIGTERM);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	record_end(_metadata, genl, rec);
	unlink(file);
}

/*
 * Played with other data written: replay stops at the write, and the
 * divergence names the record, the field and both values.  Ending play
 * mode fails the write that waits, and the device goes away cleanly.
 */
TEST_F_TIMEOUT(play, changed_workload_diverges_and_stops, 240)
{
	struct events *evs = calloc(1, sizeof(*evs));
	struct vl_replay_info info;
	struct blk_session bs;
	struct event *div, *stop;
	struct blk_job job;
	char disk[32];
	struct player p;
	int status;
	pid_t pid;

	ASSERT_NE(NULL, evs);
	record_blk(_metadata, &self->genl, &self->rec, &bs);
	ASSERT_EQ(0, vl_genl_open(&evs->genl));
	ASSERT_EQ(0, vl_genl_subscribe_events(&evs->genl));

	play_begin(_metadata, &self->genl, &self->rec, &p);
	ASSERT_EQ(0, blk_disk_name(played_index(), disk, sizeof(disk)));
	bs.pattern[0] ^= 0xff;
	job = (struct blk_job){ .disk = disk, .pattern = bs.pattern,
				.back = bs.back, .elsewhere = bs.elsewhere };
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(blk_job_run(&job) ? 1 : 0);

	div = wait_event_cmd(evs, VIRTIO_LOOPBACK_CMD_DIVERGENCE_NTF, 60000);
	ASSERT_NE(NULL, div) dump_state();
	EXPECT_STREQ("out_data", div->field);
	EXPECT_EQ(bs.pattern[0] ^ 0xff, div->expected);
	EXPECT_EQ(bs.pattern[0], div->actual);
	stop = wait_event_cmd(evs, VIRTIO_LOOPBACK_CMD_STOPPED_NTF, 5000);
	ASSERT_NE(NULL, stop);
	EXPECT_EQ(VIRTIO_LOOPBACK_STOP_DIVERGENCE, stop->reason);
	ASSERT_EQ(0, vl_genl_replay_get(&self->genl, &info));
	EXPECT_TRUE(info.paused);
	EXPECT_EQ(div->icount, info.icount);
	EXPECT_LT(info.position, self->rec.sum.records);

	/* Ending play mode lets the waiting write fail. */
	player_stop(&p, &self->genl);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status));
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	ASSERT_EQ(0, vl_genl_replay_get(&self->genl, &info));
	EXPECT_EQ(VIRTIO_LOOPBACK_REPLAY_MODE_NONE, info.mode);
	EXPECT_FALSE(info.paused);
	vl_genl_close(&evs->genl);
	free(evs);
}

/*
 * Play @log of @len bytes and write all of it at once, as a player
 * would: the errno that stopped it (0 if none), and where the module
 * wants the log next.
 */
static int feed_whole(const unsigned char *log, size_t len, uint64_t end,
		      off_t *where)
{
	struct virtio_loopback_play_start start = {
		.size = len, .end_icount = end,
	};
	int chan = open(VL_DEVNODE, O_RDWR | O_CLOEXEC), fd, err = 0;

	fd = ioctl(chan, VIRTIO_LOOPBACK_OPEN_PLAY, &start);
	if (fd < 0) {
		err = errno;
		close(chan);
		return err;
	}
	for (;;) {
		off_t off = lseek(fd, 0, SEEK_CUR);

		if (off < 0 || (size_t)off == len) {
			err = off < 0 ? errno : 0;
			break;
		}
			if (write(fd, log + off, len - off) < 0) {
			err = errno;
			break;
		}
	}
	*where = lseek(fd, 0, SEEK_CUR);
	close(fd);
	close(chan);
	return err;
}

/* A log with one record damaged, or cut, is refused there. */
TEST_F_TIMEOUT(play, bad_logs_are_refused_at_the_bad_record, 120)
{
	struct rng_backend b;
	struct vl_log_hdr_view hdr;
	struct vl_log_rec_view v;
	struct vl_log_reader r;
	const char *reason;
	unsigned char *log;
	uint64_t end;
	size_t mid = 0, n = 0;
	off_t where;

	record_begin(_metadata, &self->genl, &self->rec);
	ASSERT_LE(0, rng_backend_start_answer(&b, pattern_answer));
	ASSERT_TRUE(wait_file_has("/sys/class/misc/hw_random/rng_current",
				  "virtio_rng", true));
	rng_backend_stop(&b);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	record_end(_metadata, &self->genl, &self->rec);

	/* The offset of a record in the middle. */
	ASSERT_EQ(0, vl_log_check_header(self->rec.s.buf, self->rec.s.len,
					 &hdr, &reason));
	vl_log_reader_init(&r, self->rec.s.buf, self->rec.s.len, hdr.header_len);
	while (vl_log_next(&r, &v) > 0)
		if (n++ == self->rec.sum.records / 2)
			mid = v.offset;
	ASSERT_LT(0, mid);
	end = self->rec.sum.last_icount;
	log = malloc(self->rec.s.len);
	ASSERT_NE(NULL, log);

	/* A flipped byte in its payload. */
	memcpy(log, self->rec.s.buf, self->rec.s.len);
	log[mid + sizeof(struct virtio_loopback_log_rec)] ^= 0x10;
	EXPECT_EQ(EBADMSG, feed_whole(log, self->rec.s.len, end, &where));
	EXPECT_EQ((off_t)mid, where);

	/* Cut in the middle of that record. */
	EXPECT_EQ(EBADMSG, feed_whole(self->rec.s.buf, mid + 12, end, &where));
	EXPECT_EQ((off_t)mid, where);

	/* A header that is not one. */
	memcpy(log, self->rec.s.buf, self->rec.s.len);
	log[0] ^= 1;
	EXPECT_EQ(EBADMSG, feed_whole(log, self->rec.s.len, end, &where));
	EXPECT_EQ(0, where);

	/* A record beyond the end the player announced. */
	EXPECT_EQ(EBADMSG, feed_whole(self->rec.s.buf, self->rec.s.len,
				      end - 1, &where));
	EXPECT_LT(0, where);

	/* And the whole log is fine. */
	EXPECT_EQ(0, feed_whole(self->rec.s.buf, self->rec.s.len, end, &where));
	EXPECT_EQ((off_t)self->rec.s.len, where);
	free(log);
	EXPECT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "played", false));
}

static void expect_stopped(struct __test_metadata *_metadata,
			   struct vl_genl *genl, struct events *evs,
			   uint64_t icount, uint64_t position, uint32_t reason)
{
	struct vl_replay_info info;
	struct event *stop;

	ASSERT_TRUE(wait_stopped_at(genl, icount, 60)) dump_state();
	ASSERT_EQ(0, vl_genl_replay_get(genl, &info));
	EXPECT_EQ(position, info.position);
	stop = wait_event_cmd(evs, VIRTIO_LOOPBACK_CMD_STOPPED_NTF, 5000);
	ASSERT_NE(NULL, stop);
	EXPECT_EQ(icount, stop->icount);
	EXPECT_EQ(reason, stop->reason);
	evs->n = 0;
}

/*
 * QEMU's replay-break and replay-seek on a log whose records a driver
 * makes by itself (the probe of virtio-rng): stops exactly where asked,
 * forward and back past the driver's reset; QEMU's refusals.
 */
TEST_F_TIMEOUT(play, break_and_seek_stop_exactly_there, 240)
{
	struct events *evs = calloc(1, sizeof(*evs));
	struct vl_genl *genl = &self->genl;
	uint64_t icount[64];
	struct rng_backend b;
	struct player p;
	size_t n, reset = 0;

	ASSERT_NE(NULL, evs);
	record_begin(_metadata, genl, &self->rec);
	ASSERT_LE(0, rng_backend_start_answer(&b, pattern_answer));
	ASSERT_TRUE(wait_file_has("/sys/class/misc/hw_random/rng_current",
				  "virtio_rng", true));
	ASSERT_TRUE(wait_devices_quiet(20));
	rng_backend_stop(&b);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	record_end(_metadata, genl, &self->rec);
	n = log_icounts(self->rec.s.buf, self->rec.s.len, icount, 64);
	ASSERT_LE(10, n);
	ASSERT_EQ(VIRTIO_LOOPBACK_LOG_DEVICE,
		  ((struct virtio_loopback_log_rec *)
		   (self->rec.s.buf + sizeof(struct virtio_loopback_log_header)))->kind);
	reset = 1;	/* the first reset follows the device's creation */
	ASSERT_EQ(0, vl_genl_open(&evs->genl));
	ASSERT_EQ(0, vl_genl_subscribe_events(&evs->genl));

	/* Outside play mode: QEMU's texts. */
	EXPECT_EQ(-EINVAL, vl_genl_break_set(genl, 1));
	EXPECT_STREQ("setting the breakpoint is allowed only in play mode",
		     genl->error_msg);
	EXPECT_EQ(-EINVAL, vl_genl_break_delete(genl));
	EXPECT_STREQ("replay breakpoints are allowed only in play mode",
		     genl->error_msg);
	EXPECT_EQ(-EINVAL, vl_genl_seek(genl, 1));
	EXPECT_STREQ("replay must be enabled to seek", genl->error_msg);

	/* A breakpoint set before the first record plays. */
	ASSERT_EQ(0, player_open(&p, self->rec.s.buf, self->rec.s.len,
				 self->rec.sum.last_icount, "session.log", 0));
	ASSERT_EQ(0, vl_genl_break_set(genl, between(icount, 5)));
	ASSERT_EQ(0, player_feed(&p));
	expect_stopped(_metadata, genl, evs, between(icount, 5), 6,
		       VIRTIO_LOOPBACK_STOP_BREAK);

	EXPECT_EQ(-EINVAL, vl_genl_break_set(genl, between(icount, 5) - 1));
	EXPECT_STREQ("cannot set breakpoint at the instruction in the past",
		     genl->error_msg);
	EXPECT_EQ(-EINVAL, vl_genl_seek(genl, self->rec.sum.last_icount + 1));
	EXPECT_STREQ("cannot seek to the specified instruction count",
		     genl->error_msg);

	/* Forward: played to the target, stopped there. */
	ASSERT_EQ(0, vl_genl_seek(genl, between(icount, 7)));
	expect_stopped(_metadata, genl, evs, between(icount, 7), 8,
		       VIRTIO_LOOPBACK_STOP_SEEK);

	/* Back before the driver's first reset: the device made again. */
	ASSERT_EQ(0, vl_genl_seek(genl, between(icount, reset - 1)));
	expect_stopped(_metadata, genl, evs, between(icount, reset - 1), reset,
		       VIRTIO_LOOPBACK_STOP_SEEK);
	EXPECT_LE(1, p.rewinds);
	EXPECT_NE(-1, played_index());

	/* And forward again, over the probe the driver makes again. */
	ASSERT_EQ(0, vl_genl_break_set(genl, between(icount, 7)));
	ASSERT_EQ(0, vl_genl_cont(genl));
	expect_stopped(_metadata, genl, evs, between(icount, 7), 8,
		       VIRTIO_LOOPBACK_STOP_BREAK);
	ASSERT_EQ(0, vl_genl_cont(genl));
	ASSERT_TRUE(wait_played(genl, self->rec.sum.records, 60)) dump_state();
	expect_no_divergence(_metadata);
	player_stop(&p, genl);
	vl_genl_close(&evs->genl);
	free(evs);
}

/* Run vlctl @cmd @arg [@arg2] in the background, its stdout to @out. */
static pid_t spawn_vlctl(const char *out, const char *cmd, const char *arg,
			 const char *arg2)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	if (out) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
	}
	execl("/usr/bin/vlctl", "vlctl", cmd, arg, arg2, NULL);
	_exit(127);
}

/* Wait until @path holds @text, or for @seconds. */
static bool wait_text(const char *path, const char *text, int seconds)
{
	static char buf[1 << 16];

	for (int i = 0; i < seconds * 20; i++) {
		if (vl_read_file(path, buf, sizeof(buf)) > 0 && strstr(buf, text))
			return true;
		usleep(50 * 1000);
	}
	return false;
}

/*
 * The command line end to end: vlctl record, vlctl replay with vlctl
 * events following, break, query, devices, divergence, cont and
 * stop-replay, against the module.
 */
TEST_F_TIMEOUT(play, vlctl_replays_with_break_and_events, 180)
{
	static char out[1 << 16];
	struct rng_backend b;
	char cmd[256];
	pid_t rec, play, events;
	uint64_t icount[64];
	int status;
	ssize_t len;
	size_t n;

	rec = spawn_vlctl(NULL, "record", "/tmp/vlctl-play.log", NULL);
	ASSERT_LE(0, rec);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/state", "mode: record", true));
	ASSERT_LE(0, rng_backend_start_answer(&b, pattern_answer));
	ASSERT_TRUE(wait_file_has("/sys/class/misc/hw_random/rng_current",
				  "virtio_rng", true));
	ASSERT_TRUE(wait_devices_quiet(20));
	rng_backend_stop(&b);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	EXPECT_EQ(0, vl_run("vlctl stop-recording", NULL, 0));
	ASSERT_EQ(rec, waitpid(rec, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));

	/* Where to break: between the 6th and the 7th record. */
	len = vl_slurp("/tmp/vlctl-play.log", &self->rec.s.buf);
	ASSERT_LT(0, len);
	self->rec.s.len = len;
	n = log_icounts(self->rec.s.buf, self->rec.s.len, icount, 64);
	ASSERT_LE(10, n);

	events = spawn_vlctl("/tmp/vlctl-events.out", "events", "--json", NULL);
	ASSERT_LE(0, events);
	usleep(500 * 1000);	/* subscribed before anything happens */

	play = spawn_vlctl(NULL, "replay", "/tmp/vlctl-play.log", NULL);
	ASSERT_LE(0, play);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/state", "mode: play", true));
	snprintf(cmd, sizeof(cmd), "vlctl break %llu",
		 (unsigned long long)between(icount, 6));
	/* It may be too late already: then the past is refused. */
	status = vl_run(cmd, out, sizeof(out));
	if (!status) {
		ASSERT_TRUE(wait_text("/tmp/vlctl-events.out",
				      "\"reason\":\"break\"", 30));
		ASSERT_EQ(0, vl_run("vlctl query --json", out, sizeof(out)));
		EXPECT_NE(NULL, strstr(out, "\"mode\":\"play\"")) TH_LOG("%s", out);
		EXPECT_NE(NULL, strstr(out, "\"paused\":true")) TH_LOG("%s", out);
		EXPECT_NE(NULL, strstr(out, "\"position\":7")) TH_LOG("%s", out);
		snprintf(cmd, sizeof(cmd), "\"icount\":%llu",
			 (unsigned long long)between(icount, 6));
		EXPECT_NE(NULL, strstr(out, cmd)) TH_LOG("%s", out);
		ASSERT_EQ(0, vl_run("vlctl cont", NULL, 0));
	}
	ASSERT_TRUE(wait_text("/tmp/vlctl-events.out", "\"reason\":\"end\"", 60));
	ASSERT_EQ(0, vl_run("vlctl devices --json", out, sizeof(out)));
	EXPECT_EQ(1, vl_run("vlctl divergence 2>&1", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "no divergence")) TH_LOG("%s", out);
	EXPECT_EQ(0, vl_run("vlctl stop-replay", NULL, 0));
	ASSERT_EQ(play, waitpid(play, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_TRUE(wait_text("/tmp/vlctl-events.out", "device-added", 5));
	EXPECT_TRUE(wait_text("/tmp/vlctl-events.out", "device-removed", 5));
	kill(events, SIGTERM);
	waitpid(events, &status, 0);
	unlink("/tmp/vlctl-play.log");
	unlink("/tmp/vlctl-events.out");
}

/* The kind of record @index of a log, by name. */
static const char *record_kind(const unsigned char *log, size_t len,
			       uint64_t index)
{
	struct vl_log_hdr_view hdr;
	struct vl_log_rec_view v;
	struct vl_log_reader r;
	const char *reason;

	if (vl_log_check_header(log, len, &hdr, &reason))
		return "?";
	vl_log_reader_init(&r, log, len, hdr.header_len);
	for (uint64_t i = 0; vl_log_next(&r, &v) > 0; i++)
		if (i == index)
			return vl_log_kind_name(v.kind) ?: "?";
	return "?";
}

/*
 * Play the logs recorded with virtio-rng and virtio-blk on each test kernel
 * (selftests/data, scripts/make-play-fixtures) here.  A kernel's own logs
 * play to the end.  Another kernel's driver may do things differently:
 * something else, and the first difference is reported and replay stops;
 * less (the debug kernel parses fewer partition tables, so it reads less),
 * and replay waits at the request the driver never makes, which the test
 * reports.  Either way play mode ends cleanly.
 */
TEST_F_TIMEOUT(play, logs_of_every_kernel_play_or_report_differences, 240)
{
	static const char *dir = "/selftests-data";
	struct vl_replay_info info;
	struct log_summary sum;
	struct dirent *e;
	struct utsname u;
	unsigned char *log;
	int played = 0;
	char err[256], path[300], state[4096];
	DIR *d = opendir(dir);

	ASSERT_NE(NULL, d) TH_LOG("%s: no logs; scripts/make-play-fixtures", dir);
	ASSERT_EQ(0, uname(&u));
	while ((e = readdir(d))) {
		struct player p;
		ssize_t len;
		bool own, done = false, diverged = false;

		if (!strstr(e->d_name, ".vllog"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		len = vl_slurp(path, &log);
		ASSERT_LT(0, len) TH_LOG("%s", path);
		ASSERT_EQ(0, log_summarize(log, len, &sum, err, sizeof(err)))
			TH_LOG("%s: %s", path, err);
		own = strstr(e->d_name, u.release) != NULL;

		ASSERT_EQ(0, player_start(&p, log, len, sum.last_icount, path));
		for (int i = 0; i < 20 * 20 && !done && !diverged; i++) {
			usleep(50 * 1000);
			ASSERT_EQ(0, vl_genl_replay_get(&self->genl, &info));
			done = info.paused && info.position == sum.records;
			diverged = info.paused &&
				   vl_read_file(VL_DEBUGFS "/state", state,
						sizeof(state)) > 0 &&
				   strstr(state, "divergence:");
		}
		if (diverged)
			fprintf(stderr, "# %s on %s: %s", e->d_name, u.release,
				strstr(state, "divergence:"));
		else if (done)
			fprintf(stderr, "# %s on %s: played to the end, %llu records\n",
				e->d_name, u.release,
				(unsigned long long)sum.records);
		else
			fprintf(stderr, "# %s on %s: waits at record %llu (%s): the driver does not do it\n",
				e->d_name, u.release,
				(unsigned long long)info.position,
				record_kind(log, len, info.position));
		if (own)
			EXPECT_TRUE(done) dump_state();
		player_stop(&p, &self->genl);
		EXPECT_EQ(0, p.err);
		EXPECT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "played", false));
		free(log);
		played++;
	}
	closedir(d);
	EXPECT_LE(4, played);
}

#define RACE_BLOCKS	48

/*
 * One of two writers on one queue, on its own CPU: RACE_BLOCKS 4 KiB
 * O_DIRECT writes of data only it writes, to blocks only it writes.  No
 * two writes touch adjacent blocks: the block layer would merge two that
 * wait side by side into one request, another request than the log's.
 */
static int race_writer(const char *disk, int id)
{
	unsigned char *buf = shared_alloc(4096);
	cpu_set_t cpus;
	char path[64];
	int fd, ok = 1;

	CPU_ZERO(&cpus);
	CPU_SET(id, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	snprintf(path, sizeof(path), "/dev/%s", disk);
	fd = open(path, O_RDWR | O_DIRECT);
	for (int i = 0; fd >= 0 && buf && ok && i < RACE_BLOCKS; i++) {
		memset(buf, 16 * id + i % 16, 4096);
		buf[0] = i;
		ok = pwrite(fd, buf, 4096, (off_t)(4 * i + 2 * id) * 4096) == 4096;
	}
	if (fd >= 0)
		close(fd);
	return fd >= 0 && ok ? 0 : -1;
}

static int race_job_run(void *arg)
{
	const char *disk = arg;
	pid_t pids[2];
	int status, failed = 0;

	if (!wait_devices_quiet(30))
		return -1;
	for (int id = 0; id < 2; id++) {
		pids[id] = fork();
		if (!pids[id])
			_exit(race_writer(disk, id) ? 1 : 0);
	}
	for (int id = 0; id < 2; id++)
		if (pids[id] < 0 || waitpid(pids[id], &status, 0) != pids[id] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1;
	return failed || !wait_devices_quiet(30) ? -1 : 0;
}

/*
 * Two writers on two CPUs share one queue: played again, they queue
 * their requests in another order than recorded.  With a window each
 * request is matched among its queue's next ones, and the play goes to
 * its end with the reorderings counted as soft divergences.
 */
TEST_F_TIMEOUT(play, racing_writers_play_with_a_window, 300)
{
	const char *file = "/tmp/vl-play-race.img";
	const char *argv[] = { "blk", "--file", file, NULL };
	struct vl_backend_proc backend;
	char disk[32], state[4096];
	struct player p;
	int fd;

	fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 16 << 20));
	close(fd);
	record_begin(_metadata, &self->genl, &self->rec);
	ASSERT_EQ(0, vl_backend_start(&backend, argv));
	ASSERT_EQ(0, vl_backend_child(&backend, "block", disk, sizeof(disk)));
	ASSERT_EQ(0, run_with_deadline(race_job_run, disk, 120, &self->genl));
	vl_backend_stop(&backend, SIGTERM);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	record_end(_metadata, &self->genl, &self->rec);
	unlink(file);

	ASSERT_EQ(0, player_open(&p, self->rec.s.buf, self->rec.s.len,
				 self->rec.sum.last_icount, "session.log",
				 VIRTIO_LOOPBACK_PLAY_MAX_WINDOW));
	ASSERT_EQ(0, vl_genl_break_set(&self->genl,
				       self->rec.sum.removed_icount - 1));
	ASSERT_EQ(0, player_feed(&p));
	ASSERT_EQ(0, blk_disk_name(played_index(), disk, sizeof(disk)));
	ASSERT_EQ(0, run_with_deadline(race_job_run, disk, 120, &self->genl));
	ASSERT_LT(0, vl_read_file(VL_DEBUGFS "/state", state, sizeof(state)));
	fprintf(stderr, "# %s", strstr(state, "play order:"));
	play_to_end(_metadata, &self->genl, &self->rec, &p);
	expect_no_divergence(_metadata);
}

struct race_one {
	const char *disk;
	int id;
};

static int race_writer_run(void *arg)
{
	const struct race_one *w = arg;

	return race_writer(w->disk, w->id);
}

static long play_counter(const char *name)
{
	char state[4096], *at;

	if (vl_read_file(VL_DEBUGFS "/state", state, sizeof(state)) < 0)
		return -1;
	at = strstr(state, name);
	return at ? strtol(at + strlen(name), NULL, 10) : -1;
}

/*
 * Two writers on two CPUs, each on its own queue of a two-queue disk.
 * Played in per-queue order, the second writer's requests and their
 * completions go on while the first writer has not even begun, although
 * the log interleaves them: each queue keeps only its own order.  Then
 * the first writes too, and replay goes to its end with no divergence.
 */
TEST_F_TIMEOUT(play, queues_go_on_independently_in_per_queue_order, 300)
{
	const char *file = "/tmp/vl-play-mq.img";
	const char *argv[] = { "blk", "--file", file, "--queues", "2", NULL };
	struct vl_backend_proc backend;
	struct race_one writer;
	char disk[32];
	struct player p;
	int fd;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "two CPUs needed, one for each queue's writer");
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 16 << 20));
	close(fd);
	ASSERT_TRUE(unbound_work_on_cpu0());
	record_begin(_metadata, &self->genl, &self->rec);
	ASSERT_EQ(0, vl_backend_start(&backend, argv));
	ASSERT_EQ(0, vl_backend_child(&backend, "block", disk, sizeof(disk)));
	ASSERT_EQ(0, run_with_deadline(race_job_run, disk, 120, &self->genl));
	vl_backend_stop(&backend, SIGTERM);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	record_end(_metadata, &self->genl, &self->rec);
	unlink(file);

	ASSERT_EQ(0, player_open_flags(&p, self->rec.s.buf, self->rec.s.len,
				       self->rec.sum.last_icount, "session.log",
				       0, VIRTIO_LOOPBACK_PLAY_PER_QUEUE));
	ASSERT_EQ(0, vl_genl_break_set(&self->genl,
				       self->rec.sum.removed_icount - 1));
	ASSERT_EQ(0, player_feed(&p));
	ASSERT_EQ(0, blk_disk_name(played_index(), disk, sizeof(disk)));
	ASSERT_TRUE(wait_devices_quiet(30));
	unbound_work_restore();

	writer = (struct race_one){ .disk = disk, .id = 1 };
	ASSERT_EQ(0, run_with_deadline(race_writer_run, &writer, 120,
				       &self->genl)) {
		dump_state();
		log_dump_tail(self->rec.s.buf, self->rec.s.len, 8);
	}
	EXPECT_LT(0, play_counter("applied ahead "));
	writer.id = 0;
	ASSERT_EQ(0, run_with_deadline(race_writer_run, &writer, 120,
				       &self->genl));
	ASSERT_TRUE(wait_devices_quiet(30));
	fprintf(stderr, "# per-queue: %ld records applied ahead\n",
		play_counter("applied ahead "));
	play_to_end(_metadata, &self->genl, &self->rec, &p);
	expect_no_divergence(_metadata);
}

static int hwrng_4k(void *arg)
{
	unsigned char buf[4096];

	return hwrng_read_now(buf, sizeof(buf));
}

/*
 * stop freezes a backend's device (recording or not): the driver's
 * requests wait, a reader of /dev/hwrng with them; cont lets them go.
 * Each sends its event.
 */
TEST_F_TIMEOUT(play, stop_freezes_a_backend_device_until_cont, 120)
{
	struct events *evs = calloc(1, sizeof(*evs));
	struct vl_replay_info info;
	struct rng_backend b;
	struct event *ev;
	int status = -1;
	pid_t pid;

	ASSERT_NE(NULL, evs);
	ASSERT_EQ(0, vl_genl_open(&evs->genl));
	ASSERT_EQ(0, vl_genl_subscribe_events(&evs->genl));
	ASSERT_LE(0, rng_backend_start_answer(&b, pattern_answer));
	ASSERT_TRUE(wait_file_has("/sys/class/misc/hw_random/rng_current",
				  "virtio_rng", true));
	ASSERT_TRUE(wait_devices_quiet(20));

	ASSERT_EQ(0, vl_genl_stop(&self->genl));
	ev = wait_event_cmd(evs, VIRTIO_LOOPBACK_CMD_STOPPED_NTF, 5000);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(VIRTIO_LOOPBACK_STOP_USER, ev->reason);
	ASSERT_EQ(0, vl_genl_replay_get(&self->genl, &info));
	EXPECT_TRUE(info.paused);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(hwrng_4k(NULL) ? 1 : 0);
	sleep(2);
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG)) TH_LOG("read while frozen");

	ASSERT_EQ(0, vl_genl_cont(&self->genl));
	ev = wait_event_cmd(evs, VIRTIO_LOOPBACK_CMD_RESUMED_NTF, 5000);
	EXPECT_NE(NULL, ev);
	for (int i = 0; i < 200 && !waitpid(pid, &status, WNOHANG); i++)
		usleep(50 * 1000);
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	ASSERT_EQ(0, vl_genl_replay_get(&self->genl, &info));
	EXPECT_FALSE(info.paused);
	rng_backend_stop(&b);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
	vl_genl_close(&evs->genl);
	free(evs);
}

TEST_HARNESS_MAIN
