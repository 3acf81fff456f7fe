/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A disk under test, whoever serves it (vl-backend blk, the vhost-user
 * bridge): a pattern written through it with O_DIRECT and read back, in
 * its backing file too; its sysfs numbers; a writer that runs until the
 * disk fails it; a child reaped within a deadline.
 */
#ifndef VL_TEST_DISK_H
#define VL_TEST_DISK_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vl_test_util.h"

#define MiB (1024 * 1024UL)
#define DISK_CHUNK MiB

/* Deterministic content of any 8 bytes of the disk, from their offset. */
static inline uint64_t pattern_word(uint64_t offset, uint64_t salt)
{
	uint64_t x = (offset / 8 + 1) * 0x9e3779b97f4a7c15ULL ^ salt;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

static inline void fill_pattern(uint64_t *buf, size_t len, uint64_t offset,
				uint64_t salt)
{
	for (size_t i = 0; i < len / 8; i++)
		buf[i] = pattern_word(offset + i * 8, salt);
}

/* Offset of the first byte that differs from the pattern, or -1. */
static inline long check_pattern(const uint64_t *buf, size_t len,
				 uint64_t offset, uint64_t salt)
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
	char error[160];	/* what went wrong, or empty */
};

static inline int io_job_pin(struct io_job *job)
{
	cpu_set_t set;

	if (job->cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(job->cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Write the pattern with O_DIRECT, flush, read it back through the disk,
 * then from the backing file: @job->error says the first thing wrong.
 */
static inline void *io_job_run(void *arg)
{
	struct io_job *job = arg;
	uint64_t *buf = NULL;
	int fd = -1, ffd = -1;
	uint64_t off;
	long bad;

	if (io_job_pin(job) || posix_memalign((void **)&buf, 4096, DISK_CHUNK)) {
		snprintf(job->error, sizeof(job->error), "setup: %s", strerror(errno));
		return NULL;
	}
	fd = open(job->dev, O_RDWR | O_DIRECT);
	if (fd < 0) {
		snprintf(job->error, sizeof(job->error), "open %s: %s", job->dev,
			 strerror(errno));
		goto out;
	}
	for (off = job->start; off < job->start + job->len; off += DISK_CHUNK) {
		fill_pattern(buf, DISK_CHUNK, off, job->salt);
		if (pwrite(fd, buf, DISK_CHUNK, off) != DISK_CHUNK) {
			snprintf(job->error, sizeof(job->error), "write at %lu: %s",
				 (unsigned long)off, strerror(errno));
			goto out;
		}
	}
	if (fsync(fd)) {
		snprintf(job->error, sizeof(job->error), "fsync: %s", strerror(errno));
		goto out;
	}
	for (off = job->start; off < job->start + job->len; off += DISK_CHUNK) {
		memset(buf, 0, DISK_CHUNK);
		if (pread(fd, buf, DISK_CHUNK, off) != DISK_CHUNK) {
			snprintf(job->error, sizeof(job->error), "read at %lu: %s",
				 (unsigned long)off, strerror(errno));
			goto out;
		}
		bad = check_pattern(buf, DISK_CHUNK, off, job->salt);
		if (bad >= 0) {
			snprintf(job->error, sizeof(job->error),
				 "read back wrong data at byte %ld", bad);
			goto out;
		}
	}
	/* The backing file must hold the same bytes. */
	ffd = job->file ? open(job->file, O_RDONLY) : -1;
	for (off = job->start; ffd >= 0 && off < job->start + job->len;
	     off += DISK_CHUNK) {
		if (pread(ffd, buf, DISK_CHUNK, off) != DISK_CHUNK ||
		    check_pattern(buf, DISK_CHUNK, off, job->salt) >= 0) {
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

/* @n jobs at once, each on a thread of its own: 0, or -1 if one could not start. */
static inline int io_jobs_run(struct io_job *jobs, int n)
{
	pthread_t threads[n];
	int i, started, ret = 0;

	for (started = 0; started < n; started++)
		if (pthread_create(&threads[started], NULL, io_job_run,
				   &jobs[started])) {
			ret = -1;
			break;
		}
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	return ret;
}

/* /sys/block/@block/@attr as a number, or -1. */
static inline long sysfs_long(const char *block, const char *attr)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), "/sys/block/%s/%s", block, attr);
	if (vl_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return atol(buf);
}

/* system(@cmd): its exit status, or -1. */
static inline int run(const char *cmd)
{
	int status = system(cmd);

	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Reap @pid within @seconds; returns its status, or -1. */
static inline int reap_within(pid_t pid, int seconds)
{
	int status;

	for (int i = 0; i < seconds * 20; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		usleep(50 * 1000);
	}
	return -1;
}

/*
 * ext4 on @dev: mkfs, mount on @mnt, copy 4 MiB of random bytes in,
 * umount, e2fsck clean, and the copy read back from the disk, not from
 * the page cache.  For a harness test (kselftest_harness.h first).
 */
#define ext4_round_trip(dev, mnt)					\
	do {								\
		char cmd_[512];						\
									\
		if (access("/sbin/mke2fs", X_OK) ||			\
		    access("/sbin/e2fsck", X_OK))			\
			SKIP(return, "no mke2fs or e2fsck in this initramfs"); \
		snprintf(cmd_, sizeof(cmd_), "/sbin/mke2fs -q -F -t ext4 %s", dev); \
		ASSERT_EQ(0, run(cmd_));				\
		snprintf(cmd_, sizeof(cmd_), "mkdir -p %s && head -c 4194304 " \
			 "/dev/urandom > /tmp/ext4-payload", mnt);	\
		ASSERT_EQ(0, run(cmd_));				\
		ASSERT_EQ(0, mount(dev, mnt, "ext4", 0, NULL))		\
			TH_LOG("mount: %s", strerror(errno));		\
		snprintf(cmd_, sizeof(cmd_),				\
			 "cp /tmp/ext4-payload %s/payload && sync", mnt); \
		EXPECT_EQ(0, run(cmd_));				\
		EXPECT_EQ(0, umount(mnt));				\
		snprintf(cmd_, sizeof(cmd_),				\
			 "/sbin/e2fsck -f -n %s >/dev/null 2>&1", dev);	\
		EXPECT_EQ(0, run(cmd_)) TH_LOG("e2fsck found errors");	\
		ASSERT_EQ(0, run("echo 3 > /proc/sys/vm/drop_caches"));	\
		ASSERT_EQ(0, mount(dev, mnt, "ext4", MS_RDONLY, NULL));	\
		snprintf(cmd_, sizeof(cmd_),				\
			 "cmp /tmp/ext4-payload %s/payload", mnt);	\
		EXPECT_EQ(0, run(cmd_));				\
		EXPECT_EQ(0, umount(mnt));				\
		unlink("/tmp/ext4-payload");				\
	} while (0)

/*
 * A child that writes @chunk bytes at a time (over the disk's first 32
 * MiB) until a write fails: it exits 0 when the first failure is EIO,
 * else with the errno (or 100 when @writes writes all succeeded).
 */
static inline pid_t start_writer(const char *dev, size_t chunk, long writes)
{
	pid_t pid = fork();
	void *buf;
	int fd;

	if (pid)
		return pid;
	fd = open(dev, O_RDWR | O_DIRECT);
	if (fd < 0 || posix_memalign(&buf, 4096, chunk))
		_exit(101);
	memset(buf, 0x5a, chunk);
	for (long n = 0; n < writes; n++)
		if (pwrite(fd, buf, chunk, (n % (32 * MiB / chunk)) * chunk) < 0)
			_exit(errno == EIO ? 0 : errno);
	_exit(100);
}

#endif /* VL_TEST_DISK_H */
