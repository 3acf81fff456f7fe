// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk over the transport, served by `vl-backend blk`: capacity, data
 * integrity with one and two queues and with four devices at once, flush and
 * the device id, a filesystem on top, read-only devices, and a backend that
 * dies in the middle of I/O.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "vl_test_backend.h"

#define MiB (1024 * 1024UL)
#define CHUNK MiB

/* Deterministic content of any 8 bytes of the disk, from their offset. */
static uint64_t pattern_word(uint64_t offset, uint64_t salt)
{
	uint64_t x = (offset / 8 + 1) * 0x9e3779b97f4a7c15ULL ^ salt;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

static void fill_pattern(uint64_t *buf, size_t len, uint64_t offset,
			 uint64_t salt)
{
	for (size_t i = 0; i < len / 8; i++)
		buf[i] = pattern_word(offset + i * 8, salt);
}

/* Offset of the first byte that differs from the pattern, or -1. */
static long check_pattern(const uint64_t *buf, size_t len, uint64_t offset,
			  uint64_t salt)
{
	for (size_t i = 0; i < len / 8; i++)
		if (buf[i] != pattern_word(offset + i * 8, salt))
			return offset + i * 8;
	return -1;
}

struct io_job {
	const char *dev;	/* /dev/vdX */
	const char *file;	/* its backing file, or NULL */
	uint64_t start, len, salt;
	int cpu;		/* pin to it, or -1 */
	char error[160];
};

static int io_job_pin(struct io_job *job)
{
	cpu_set_t set;

	if (job->cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(job->cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* Write the pattern with O_DIRECT, read it back, compare with the file. */
static void *io_job_run(void *arg)
{
	struct io_job *job = arg;
	uint64_t *buf = NULL;
	int fd = -1, ffd = -1;
	uint64_t off;
	long bad;

	if (io_job_pin(job) || posix_memalign((void **)&buf, 4096, CHUNK)) {
		snprintf(job->error, sizeof(job->error), "setup: %s", strerror(errno));
		return NULL;
	}
	fd = open(job->dev, O_RDWR | O_DIRECT);
	if (fd < 0) {
		snprintf(job->error, sizeof(job->error), "open %s: %s", job->dev,
			 strerror(errno));
		goto out;
	}
	for (off = job->start; off < job->start + job->len; off += CHUNK) {
		fill_pattern(buf, CHUNK, off, job->salt);
		if (pwrite(fd, buf, CHUNK, off) != CHUNK) {
			snprintf(job->error, sizeof(job->error), "write at %lu: %s",
				 (unsigned long)off, strerror(errno));
			goto out;
		}
	}
	for (off = job->start; off < job->start + job->len; off += CHUNK) {
		memset(buf, 0, CHUNK);
		if (pread(fd, buf, CHUNK, off) != CHUNK) {
			snprintf(job->error, sizeof(job->error), "read at %lu: %s",
				 (unsigned long)off, strerror(errno));
			goto out;
		}
		bad = check_pattern(buf, CHUNK, off, job->salt);
		if (bad >= 0) {
			snprintf(job->error, sizeof(job->error),
				 "read back wrong data at byte %ld", bad);
			goto out;
		}
	}
	/* The backing file must hold the same bytes. */
	ffd = job->file ? open(job->file, O_RDONLY) : -1;
	for (off = job->start; ffd >= 0 && off < job->start + job->len; off += CHUNK) {
		if (pread(ffd, buf, CHUNK, off) != CHUNK ||
		    (bad = check_pattern(buf, CHUNK, off, job->salt)) >= 0) {
			snprintf(job->error, sizeof(job->error),
				 "backing file differs near byte %lu", (unsigned long)off);
			goto out;
		}
	}
out:
	if (ffd >= 0)
		close(ffd);
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

static int make_file(const char *path, uint64_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	int ret = fd < 0 || ftruncate(fd, size) ? -1 : 0;

	if (fd >= 0)
		close(fd);
	return ret;
}

static long sysfs_long(const char *block, const char *attr)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), "/sys/block/%s/%s", block, attr);
	if (vl_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return atol(buf);
}

/* A virtio-blk device on a 64 MiB file, with one or two queues. */
FIXTURE(blk) {
	struct vl_backend_proc backend;
	char file[64];
	char block[32];
	char dev[48];
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
	const char *argv[] = { "blk", "--file", self->file, "--queues",
			       variant->queues, NULL };

	snprintf(self->file, sizeof(self->file), "/tmp/blk-%d.img", getpid());
	ASSERT_EQ(0, make_file(self->file, 64 * MiB));
	ASSERT_EQ(0, vl_backend_start(&self->backend, argv))
		TH_LOG("vl-backend did not come up");
	ASSERT_EQ(0, vl_backend_child(&self->backend, "block", self->block,
				      sizeof(self->block)))
		TH_LOG("virtio_blk did not bind");
	snprintf(self->dev, sizeof(self->dev), "/dev/%s", self->block);
}

FIXTURE_TEARDOWN(blk)
{
	vl_backend_stop(&self->backend, SIGTERM);
	unlink(self->file);
}

TEST_F(blk, capacity_and_queues_match)
{
	char path[128];
	int queues = 0;
	struct dirent *e;
	DIR *d;

	EXPECT_EQ(64 * MiB / 512, sysfs_long(self->block, "size"));
	EXPECT_EQ(0, sysfs_long(self->block, "ro"));
	snprintf(path, sizeof(path), "/sys/block/%s/mq", self->block);
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
		{ .dev = self->dev, .file = self->file, .start = 0,
		  .len = 16 * MiB, .salt = 1, .cpu = 0 },
		{ .dev = self->dev, .file = self->file, .start = 16 * MiB,
		  .len = 16 * MiB, .salt = 1, .cpu = 1 },
	};
	pthread_t threads[2];
	char debugfs[8192];
	int i;

	/* One writer per CPU: blk-mq maps each CPU to its own queue. */
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, io_job_run, &jobs[i]));
	for (i = 0; i < 2; i++) {
		pthread_join(threads[i], NULL);
		EXPECT_STREQ("", jobs[i].error);
	}

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
	char path[128], serial[64] = "";
	int fd = open(self->dev, O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fsync(fd)) TH_LOG("flush: %s", strerror(errno));
	close(fd);
	snprintf(path, sizeof(path), "/sys/block/%s/serial", self->block);
	EXPECT_LT(0, vl_read_file(path, serial, sizeof(serial)))
		TH_LOG("%s: %s", path, strerror(errno));
	EXPECT_NE('\n', serial[0]) TH_LOG("empty device id");
}

static int run(const char *cmd)
{
	int status = system(cmd);

	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F_TIMEOUT(blk, ext4_mkfs_mount_copy_umount, 300)
{
	char cmd[512];

	if (access("/sbin/mke2fs", X_OK))
		SKIP(return, "no /sbin/mke2fs in this initramfs");
	snprintf(cmd, sizeof(cmd), "/sbin/mke2fs -q -F -t ext4 %s", self->dev);
	ASSERT_EQ(0, run(cmd));
	ASSERT_EQ(0, run("mkdir -p /mnt/vl && head -c 4194304 /dev/urandom > /tmp/payload"));
	ASSERT_EQ(0, mount(self->dev, "/mnt/vl", "ext4", 0, NULL))
		TH_LOG("mount: %s", strerror(errno));
	EXPECT_EQ(0, run("cp /tmp/payload /mnt/vl/payload && sync"));
	EXPECT_EQ(0, umount("/mnt/vl"));
	/* Read it back from the disk, not from the page cache. */
	ASSERT_EQ(0, run("echo 3 > /proc/sys/vm/drop_caches"));
	ASSERT_EQ(0, mount(self->dev, "/mnt/vl", "ext4", MS_RDONLY, NULL));
	EXPECT_EQ(0, run("cmp /tmp/payload /mnt/vl/payload"));
	EXPECT_EQ(0, umount("/mnt/vl"));
	unlink("/tmp/payload");
}

TEST_F_TIMEOUT(blk, sigkill_during_io_fails_the_io, 120)
{
	uint64_t *buf;
	int fd, err = 0;
	long n;

	ASSERT_EQ(0, posix_memalign((void **)&buf, 4096, 64 * 1024));
	memset(buf, 0x5a, 64 * 1024);
	fd = open(self->dev, O_RDWR | O_DIRECT);
	ASSERT_LE(0, fd);
	/* Keep I/O in flight, then kill the backend under it. */
	for (n = 0; n < 100000 && !err; n++) {
		if (n == 64)
			kill(self->backend.pid, SIGKILL);
		if (pwrite(fd, buf, 64 * 1024, (n % 512) * 64 * 1024) < 0)
			err = errno;
	}
	EXPECT_NE(0, err) TH_LOG("writes kept succeeding after the backend died");
	/* EIO from the failed request; ENOSPC once the disk is gone (size 0). */
	EXPECT_TRUE(err == EIO || err == ENXIO || err == ENODEV || err == ENOSPC)
		TH_LOG("error was %s", strerror(err));
	close(fd);
	free(buf);
	EXPECT_TRUE(vl_backend_device_gone(&self->backend));
	vl_backend_stop(&self->backend, SIGKILL);
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

/* Reap @pid within @seconds; returns its status, or -1. */
static int reap_within(pid_t pid, int seconds)
{
	int status;

	for (int i = 0; i < seconds * 20; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		usleep(50 * 1000);
	}
	return -1;
}

TEST_F_TIMEOUT(blk, sigkill_with_reads_in_flight, 120)
{
	char debugfs[8192];
	pid_t readers[4];
	int i, status;

	/* Readers that block in I/O when the backend dies must return. */
	for (i = 0; i < 4; i++) {
		readers[i] = fork();
		ASSERT_LE(0, readers[i]);
		if (readers[i] == 0) {
			void *buf;
			int fd = open(self->dev, O_RDONLY | O_DIRECT);

			if (fd < 0 || posix_memalign(&buf, 4096, 1 << 20))
				_exit(2);
			/*
			 * Until the backend dies: then a read fails with EIO,
			 * or, once the disk is gone (its capacity is 0),
			 * finds nothing to read.
			 */
			for (;;) {
				ssize_t n = pread(fd, buf, 1 << 20, (i * 8) << 20);

				if (n < 0)
					_exit(errno == EIO || errno == ENXIO ? 0 : 1);
				if (n == 0)
					_exit(0);
			}
		}
	}
	usleep(300 * 1000);
	kill(self->backend.pid, SIGKILL);
	status = reap_within(self->backend.pid, 30);
	if (status == -1)
		dump_stack_of(_metadata, self->backend.pid, "backend");
	EXPECT_TRUE(WIFSIGNALED(status)) TH_LOG("the backend did not die");
	self->backend.pid = 0;
	close(self->backend.out);

	for (i = 0; i < 4; i++) {
		status = reap_within(readers[i], 30);
		if (status == -1) {
			dump_stack_of(_metadata, readers[i], "reader");
			if (vl_read_file(VL_DEBUGFS "/devices", debugfs,
					 sizeof(debugfs)) > 0)
				TH_LOG("devices:\n%s", debugfs);
			kill(readers[i], SIGKILL);
		}
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("reader %d: status %#x", i, status);
	}
	EXPECT_TRUE(vl_backend_device_gone(&self->backend));
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
	struct vl_backend_proc backend;
	char block[32], dev[48];
	unsigned char buf[4096];
	int fd;

	ASSERT_EQ(0, make_file(file, 8 * MiB));
	ASSERT_EQ(0, vl_backend_start(&backend, argv));
	ASSERT_EQ(0, vl_backend_child(&backend, "block", block, sizeof(block)));
	snprintf(dev, sizeof(dev), "/dev/%s", block);
	EXPECT_EQ(1, sysfs_long(block, "ro"));
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
	pthread_t threads[4];
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
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, io_job_run, &jobs[i]));
	for (i = 0; i < 4; i++) {
		pthread_join(threads[i], NULL);
		EXPECT_STREQ("", jobs[i].error) TH_LOG("device %d", i);
	}
	for (i = 0; i < 4; i++) {
		vl_backend_stop(&backends[i], SIGTERM);
		unlink(files[i]);
	}
}

TEST_HARNESS_MAIN
