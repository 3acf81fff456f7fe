// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk over the transport, served by `vl-backend blk`: capacity, data
 * integrity with one and two queues and with four devices at once, flush
 * (seen by the backend) and the device id, a filesystem on top, read-only
 * devices, and a backend that dies with I/O in flight.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <linux/virtio_blk.h>

#include "kselftest_harness.h"
#include "vl_test_backend.h"
#include "vl_test_disk.h"


static int make_file(const char *path, uint64_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	int ret = fd < 0 || ftruncate(fd, size) ? -1 : 0;

	if (fd >= 0)
		close(fd);
	return ret;
}

/* The device id the driver read (GET_ID), without its line ending. */
static int read_serial(const char *block, char *buf, size_t size)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/block/%s/serial", block);
	if (vl_read_file(path, buf, size) < 0)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* A virtio-blk device on a 64 MiB file, its backend and what it was given. */
struct blk_env {
	struct vl_backend_proc backend;
	char file[64];
	char stats[64];		/* its --stats file */
	char serial[24];	/* its --serial */
	char block[32];
	char dev[48];
};

/* Start `vl-backend blk` with @queues queues and @latency ms of latency. */
static void blk_env_start(struct __test_metadata *_metadata,
			  struct blk_env *env, const char *queues,
			  const char *latency)
{
	const char *argv[] = { "blk", "--file", env->file, "--queues", queues,
			       "--stats", env->stats, "--serial", env->serial,
			       "--latency", latency, NULL };

	snprintf(env->file, sizeof(env->file), "/tmp/blk-%d.img", getpid());
	snprintf(env->stats, sizeof(env->stats), "/tmp/blk-%d.stats",
		 getpid());
	snprintf(env->serial, sizeof(env->serial), "vl-test-%d", getpid());
	ASSERT_EQ(0, make_file(env->file, 64 * MiB));
	ASSERT_EQ(0, vl_backend_start(&env->backend, argv))
		TH_LOG("vl-backend did not come up");
	ASSERT_EQ(0, vl_backend_child(&env->backend, "block", env->block,
				      sizeof(env->block)))
		TH_LOG("virtio_blk did not bind");
	snprintf(env->dev, sizeof(env->dev), "/dev/%s", env->block);
}

static void blk_env_stop(struct blk_env *env)
{
	vl_backend_stop(&env->backend, SIGTERM);
	unlink(env->file);
	unlink(env->stats);
}

FIXTURE(blk) {
	struct blk_env e;
};

FIXTURE_VARIANT(blk) {
	const char *queues;
};

FIXTURE_VARIANT_ADD(blk, one_queue) {
	.queues = "1",
};

FIXTURE_VARIANT_ADD(blk, two_queues) {
	.queues = "2",
};

FIXTURE_SETUP(blk)
{
	blk_env_start(_metadata, &self->e, variant->queues, "0");
}

FIXTURE_TEARDOWN(blk)
{
	blk_env_stop(&self->e);
}

TEST_F(blk, capacity_and_queues_match)
{
	char path[128];
	int queues = 0;
	struct dirent *e;
	DIR *d;

	EXPECT_EQ(64 * MiB / 512, sysfs_long(self->e.block, "size"));
	EXPECT_EQ(0, sysfs_long(self->e.block, "ro"));
	snprintf(path, sizeof(path), "/sys/block/%s/mq", self->e.block);
	d = opendir(path);
	ASSERT_NE(NULL, d);
	while ((e = readdir(d)))
		queues += e->d_name[0] != '.';
	closedir(d);
	EXPECT_EQ(atoi(variant->queues), queues);
}

TEST_F_TIMEOUT(blk, pattern_32MiB_verifies_on_every_queue, 300)
{
	struct io_job jobs[2] = {
		{ .dev = self->e.dev, .file = self->e.file, .start = 0,
		  .len = 16 * MiB, .salt = 1, .cpu = 0 },
		{ .dev = self->e.dev, .file = self->e.file, .start = 16 * MiB,
		  .len = 16 * MiB, .salt = 1, .cpu = 1 },
	};
	char debugfs[8192];
	int i;

	/* One writer per CPU: blk-mq maps each CPU to its own queue. */
	ASSERT_EQ(0, io_jobs_run(jobs, 2));
	for (i = 0; i < 2; i++)
		EXPECT_STREQ("", jobs[i].error);

	ASSERT_LT(0, vl_read_file(VL_DEBUGFS "/devices", debugfs, sizeof(debugfs)));
	for (i = 0; i < atoi(variant->queues); i++) {
		char want[64], *line;
		unsigned long requests = 0;

		snprintf(want, sizeof(want), "queue %d: enabled", i);
		line = strstr(strstr(debugfs, "device_id 2 ") ?: debugfs, want);
		ASSERT_NE(NULL, line) TH_LOG("%s", debugfs);
		line = strstr(line, "requests ");
		ASSERT_NE(NULL, line);
		requests = strtoul(line + 9, NULL, 10);
		EXPECT_LT(0, requests) TH_LOG("queue %d served no request", i);
	}
}

TEST_F(blk, flush_and_device_id)
{
	long long flushes, syncs, writes;
	char path[128], buf[64] = "", stats[2048];
	static char data[4096];
	int fd;

	/* VIRTIO_BLK_F_FLUSH offered: the driver says the cache writes back. */
	snprintf(path, sizeof(path), "/sys/block/%s/queue/write_cache",
		 self->e.block);
	ASSERT_LT(0, vl_read_file(path, buf, sizeof(buf)));
	EXPECT_STREQ("write back\n", buf);

	ASSERT_EQ(0, vl_backend_stats(&self->e.backend, self->e.stats, stats,
				      sizeof(stats)));
	flushes = vl_stat_value(stats, "flush");
	syncs = vl_stat_value(stats, "fdatasync");
	writes = vl_stat_value(stats, "write");
	ASSERT_LE(0, flushes) TH_LOG("stats:\n%s", stats);

	/* A write, then fsync(): the flush must reach the backing file. */
	fd = open(self->e.dev, O_RDWR);
	ASSERT_LE(0, fd);
	memset(data, 0x42, sizeof(data));
	ASSERT_EQ(sizeof(data), pwrite(fd, data, sizeof(data), 0));
	EXPECT_EQ(0, fsync(fd)) TH_LOG("flush: %s", strerror(errno));
	close(fd);

	ASSERT_EQ(0, vl_backend_stats(&self->e.backend, self->e.stats, stats,
				      sizeof(stats)));
	EXPECT_LT(writes, vl_stat_value(stats, "write")) TH_LOG("%s", stats);
	EXPECT_LT(flushes, vl_stat_value(stats, "flush")) TH_LOG("%s", stats);
	EXPECT_LT(syncs, vl_stat_value(stats, "fdatasync")) TH_LOG("%s", stats);
	EXPECT_EQ(0, vl_stat_value(stats, "malformed")) TH_LOG("%s", stats);

	/* GET_ID answers the backend's --serial. */
	ASSERT_EQ(0, read_serial(self->e.block, buf, sizeof(buf)));
	EXPECT_STREQ(self->e.serial, buf);
}

TEST_F_TIMEOUT(blk, ext4_mkfs_mount_copy_umount, 300)
{
	ext4_round_trip(self->e.dev, "/mnt/vl");
}

/*
 * The same device behind a slow backend: it holds each batch's completions
 * for a second, so a test can see its requests in flight (debugfs) and kill
 * the backend while they are.  Requests are in flight only once the backend
 * has read them: stopping it (SIGSTOP) would leave them in the avail ring.
 */
FIXTURE(blk_slow) {
	struct blk_env e;
};

FIXTURE_VARIANT(blk_slow) {
	const char *queues;
};

FIXTURE_VARIANT_ADD(blk_slow, one_queue) {
	.queues = "1",
};

FIXTURE_VARIANT_ADD(blk_slow, two_queues) {
	.queues = "2",
};

FIXTURE_SETUP(blk_slow)
{
	blk_env_start(_metadata, &self->e, variant->queues, "1000");
}

FIXTURE_TEARDOWN(blk_slow)
{
	blk_env_stop(&self->e);
}

/* Print what a stuck process waits on, for the test's log. */
static void dump_stack_of(struct __test_metadata *_metadata, pid_t pid,
			  const char *who)
{
	char path[64], buf[2048];

	snprintf(path, sizeof(path), "/proc/%d/stack", pid);
	if (vl_read_file(path, buf, sizeof(buf)) > 0)
		TH_LOG("%s %d is stuck in:\n%s", who, pid, buf);
}

/* Kill the backend and check that it died; the fixture must not stop it. */
static void kill_backend(struct __test_metadata *_metadata,
			 struct vl_backend_proc *backend)
{
	int status;

	kill(backend->pid, SIGKILL);
	status = reap_within(backend->pid, 30);
	if (status == -1)
		dump_stack_of(_metadata, backend->pid, "backend");
	EXPECT_TRUE(WIFSIGNALED(status)) TH_LOG("the backend did not die");
	backend->pid = 0;
	close(backend->out);
}

TEST_F_TIMEOUT(blk_slow, sigkill_during_io_fails_the_io, 120)
{
	long inflight;
	pid_t writer;
	int status;

	writer = start_writer(self->e.dev, 64 * 1024, 100000);
	ASSERT_LE(0, writer);
	inflight = vl_wait_inflight(self->e.backend.index, 10);
	ASSERT_LT(0, inflight) TH_LOG("no request in flight on vl%d within 10 s",
				      self->e.backend.index);
	kill_backend(_metadata, &self->e.backend);

	/* The write in flight fails with EIO, and nothing hangs. */
	status = reap_within(writer, 30);
	if (status == -1) {
		dump_stack_of(_metadata, writer, "writer");
		kill(writer, SIGKILL);
		waitpid(writer, NULL, 0);
	}
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("writer: status %#x (errno %d; 100: writes kept succeeding)",
		       status, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	EXPECT_TRUE(vl_backend_device_gone(&self->e.backend));
}

TEST_F_TIMEOUT(blk_slow, sigkill_with_reads_in_flight, 120)
{
	char debugfs[8192], ready;
	pid_t readers[4];
	int i, status, pipefd[2];
	long inflight;

	/*
	 * Each reader says it is ready, then blocks in one read that only
	 * the backend can answer; it exits 0 when that read fails with EIO.
	 */
	ASSERT_EQ(0, pipe(pipefd));
	for (i = 0; i < 4; i++) {
		readers[i] = fork();
		ASSERT_LE(0, readers[i]);
		if (readers[i] == 0) {
			void *buf;
			int fd = open(self->e.dev, O_RDONLY | O_DIRECT);

			if (fd < 0 || posix_memalign(&buf, 4096, 1 << 20))
				_exit(101);
			if (write(pipefd[1], "r", 1) != 1)
				_exit(102);
			if (pread(fd, buf, 1 << 20, (i * 8) << 20) >= 0)
				_exit(100);
			_exit(errno == EIO ? 0 : errno);
		}
	}
	close(pipefd[1]);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(1, read(pipefd[0], &ready, 1));
	close(pipefd[0]);
	inflight = vl_wait_inflight(self->e.backend.index, 10);
	ASSERT_LT(0, inflight) TH_LOG("no read in flight on vl%d within 10 s",
				      self->e.backend.index);
	/* Let every reader's request reach the device (ring or backend). */
	usleep(200 * 1000);
	kill_backend(_metadata, &self->e.backend);

	for (i = 0; i < 4; i++) {
		status = reap_within(readers[i], 30);
		if (status == -1) {
			dump_stack_of(_metadata, readers[i], "reader");
			if (vl_read_file(VL_DEBUGFS "/devices", debugfs,
					 sizeof(debugfs)) > 0)
				TH_LOG("devices:\n%s", debugfs);
			kill(readers[i], SIGKILL);
			waitpid(readers[i], NULL, 0);
		}
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("reader %d: status %#x (errno %d; 100: the read succeeded)",
			       i, status,
			       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	EXPECT_TRUE(vl_backend_device_gone(&self->e.backend));
}

/* Tests that start their own backends. */
FIXTURE(own) {
};

FIXTURE_SETUP(own)
{
}

FIXTURE_TEARDOWN(own)
{
}

TEST_F_TIMEOUT(own, readonly_device_refuses_writes, 120)
{
	const char *file = "/tmp/blk-ro.img";
	const char *argv[] = { "blk", "--file", file, "--readonly", NULL };
	char want[VIRTIO_BLK_ID_BYTES] = "", serial[64];
	struct vl_backend_proc backend;
	char block[32], dev[48];
	unsigned char buf[4096];
	struct stat st;
	int fd;

	ASSERT_EQ(0, make_file(file, 8 * MiB));
	ASSERT_EQ(0, vl_backend_start(&backend, argv));
	ASSERT_EQ(0, vl_backend_child(&backend, "block", block, sizeof(block)));
	snprintf(dev, sizeof(dev), "/dev/%s", block);
	EXPECT_EQ(1, sysfs_long(block, "ro"));
	/* Without --serial the id names the image's inode. */
	ASSERT_EQ(0, stat(file, &st));
	snprintf(want, sizeof(want), "vl-blk-%llx", (unsigned long long)st.st_ino);
	ASSERT_EQ(0, read_serial(block, serial, sizeof(serial)));
	EXPECT_STREQ(want, serial);
	/* Refused at open (older kernels) or at write (newer ones). */
	fd = open(dev, O_WRONLY);
	if (fd < 0) {
		EXPECT_EQ(EACCES, errno);
	} else {
		memset(buf, 0x77, sizeof(buf));
		EXPECT_EQ(-1, pwrite(fd, buf, sizeof(buf), 0));
		EXPECT_EQ(EPERM, errno);
		close(fd);
	}
	fd = open(file, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(buf), pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, buf[0]) TH_LOG("the backing file was written");
	close(fd);
	vl_backend_stop(&backend, SIGTERM);
	unlink(file);
}

TEST_F_TIMEOUT(own, four_devices_at_once, 300)
{
	struct vl_backend_proc backends[4];
	struct io_job jobs[4];
	char files[4][32], devs[4][48], block[32];
	int i;

	for (i = 0; i < 4; i++) {
		const char *argv[] = { "blk", "--file", files[i], NULL };

		snprintf(files[i], sizeof(files[i]), "/tmp/blk4-%d.img", i);
		ASSERT_EQ(0, make_file(files[i], 16 * MiB));
		ASSERT_EQ(0, vl_backend_start(&backends[i], argv));
		ASSERT_EQ(0, vl_backend_child(&backends[i], "block", block,
					      sizeof(block)));
		snprintf(devs[i], sizeof(devs[i]), "/dev/%s", block);
		jobs[i] = (struct io_job){ .dev = devs[i], .file = files[i],
					   .len = 8 * MiB, .salt = 100 + i,
					   .cpu = -1 };
	}
	ASSERT_EQ(0, io_jobs_run(jobs, 4));
	for (i = 0; i < 4; i++)
		EXPECT_STREQ("", jobs[i].error) TH_LOG("device %d", i);
	for (i = 0; i < 4; i++) {
		vl_backend_stop(&backends[i], SIGTERM);
		unlink(files[i]);
	}
}

TEST_HARNESS_MAIN
