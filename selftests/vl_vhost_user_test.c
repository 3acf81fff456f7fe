// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk over the transport, served by an unmodified vhost-user
 * back-end: Debian's qemu-storage-daemon exporting a file as
 * vhost-user-blk, with `vl-backend vhost-user` as its front-end.  The
 * driver binds with the back-end's capacity and queues, data written
 * through the device lands in the image (one and two queues), fio's
 * crc32c verify passes, a read-only export stays unwritten, ext4 works,
 * and a back-end killed with I/O in flight fails that I/O and removes the
 * device without a hang; both then start again.  A back-end of the test's
 * own (vl_test_vhost_user.h) does what qemu-storage-daemon 7.2 cannot be
 * made to: announce a new capacity, and break the used ring.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "kselftest_harness.h"
#include "vl_test_backend.h"
#include "vl_test_disk.h"
#include "vl_test_vhost_user.h"

#define QSD "/usr/bin/qemu-storage-daemon"
#define IMAGE_SIZE (64 * MiB)

static int make_image(const char *path, uint64_t size, int byte)
{
	static char block[4096];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	int ret = fd < 0 || ftruncate(fd, size) ? -1 : 0;

	/* A recognisable first block, to see whether anything wrote it. */
	memset(block, byte, sizeof(block));
	if (!ret && pwrite(fd, block, sizeof(block), 0) != sizeof(block))
		ret = -1;
	if (fd >= 0)
		close(fd);
	return ret;
}

/* ---- qemu-storage-daemon ------------------------------------------------- */

static bool socket_accepts(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	ok = fd >= 0 && !connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	if (fd >= 0)
		close(fd);
	return ok;
}

/*
 * Export @image on @sock with @queues queues.  The export serves one
 * front-end at a time and takes the next when it goes, so probing the
 * socket once it exists is harmless.  Returns the daemon's pid or -1.
 */
static pid_t qsd_start(const char *image, const char *sock, int queues,
		       bool writable)
{
	char blockdev[160], export[300];
	pid_t pid;

	snprintf(blockdev, sizeof(blockdev),
		 "driver=file,node-name=f,filename=%s", image);
	snprintf(export, sizeof(export),
		 "type=vhost-user-blk,id=e,node-name=f,addr.type=unix,addr.path=%s,num-queues=%d,writable=%s",
		 sock, queues, writable ? "on" : "off");
	unlink(sock);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl(QSD, QSD, "--blockdev", blockdev, "--export", export,
		      (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 600; i++) {
		if (!access(sock, F_OK) && socket_accepts(sock))
			return pid;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		usleep(50 * 1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static void qsd_stop(pid_t *pid, int sig)
{
	if (*pid <= 0)
		return;
	kill(*pid, sig);
	waitpid(*pid, NULL, 0);
	*pid = 0;
}

/* ---- A device: the daemon, the bridge, the disk the driver made --------- */

struct vu_env {
	pid_t qsd;
	struct vl_backend_proc bridge;
	char image[64];
	char sock[64];
	char queues[8];
	char stats[64];		/* the bridge's --stats file */
	char block[32];
	char dev[48];
};

static int vu_env_bridge(struct vu_env *env)
{
	const char *argv[] = { "vhost-user", "--socket", env->sock, "--type",
			       "blk", "--queues", env->queues, "--stats",
			       env->stats, NULL };

	if (vl_backend_start(&env->bridge, argv))
		return -1;
	if (vl_backend_child(&env->bridge, "block", env->block,
			     sizeof(env->block)))
		return -1;
	snprintf(env->dev, sizeof(env->dev), "/dev/%s", env->block);
	return 0;
}

static void vu_env_start(struct __test_metadata *_metadata,
			 struct vu_env *env, int queues, bool writable)
{
	snprintf(env->image, sizeof(env->image), "/tmp/vu-%d.img", getpid());
	snprintf(env->sock, sizeof(env->sock), "/tmp/vu-%d.sock", getpid());
	snprintf(env->queues, sizeof(env->queues), "%d", queues);
	snprintf(env->stats, sizeof(env->stats), "/tmp/vu-%d.stats", getpid());
	ASSERT_EQ(0, make_image(env->image, IMAGE_SIZE, 0xab));
	env->qsd = qsd_start(env->image, env->sock, queues, writable);
	ASSERT_LT(0, env->qsd) TH_LOG("qemu-storage-daemon did not come up");
	ASSERT_EQ(0, vu_env_bridge(env))
		TH_LOG("vl-backend vhost-user did not come up or virtio_blk did not bind");
}

static void vu_env_stop(struct vu_env *env)
{
	vl_backend_stop(&env->bridge, SIGTERM);
	qsd_stop(&env->qsd, SIGTERM);
	unlink(env->image);
	unlink(env->sock);
	if (env->stats[0])
		unlink(env->stats);
}

FIXTURE(vu) {
	struct vu_env e;
};

FIXTURE_VARIANT(vu) {
	int queues;
};

FIXTURE_VARIANT_ADD(vu, one_queue) {
	.queues = 1,
};

FIXTURE_VARIANT_ADD(vu, two_queues) {
	.queues = 2,
};

FIXTURE_SETUP(vu)
{
	if (access(QSD, X_OK))
		SKIP(return, "no %s in this initramfs", QSD);
	vu_env_start(_metadata, &self->e, variant->queues, true);
}

FIXTURE_TEARDOWN(vu)
{
	vu_env_stop(&self->e);
}

TEST_F(vu, capacity_and_queues_are_the_exports)
{
	char path[128];
	struct dirent *e;
	int queues = 0;
	DIR *d;

	EXPECT_EQ(IMAGE_SIZE / 512, sysfs_long(self->e.block, "size"));
	EXPECT_EQ(0, sysfs_long(self->e.block, "ro"));
	snprintf(path, sizeof(path), "/sys/block/%s/mq", self->e.block);
	d = opendir(path);
	ASSERT_NE(NULL, d);
	while ((e = readdir(d)))
		queues += e->d_name[0] != '.';
	closedir(d);
	EXPECT_EQ(variant->queues, queues);
}

TEST_F_TIMEOUT(vu, pattern_16MiB_lands_in_the_image, 300)
{
	struct io_job jobs[2] = {
		{ .dev = self->e.dev, .file = self->e.image, .start = 0,
		  .len = 8 * MiB, .salt = 7, .cpu = 0 },
		{ .dev = self->e.dev, .file = self->e.image, .start = 8 * MiB,
		  .len = 8 * MiB, .salt = 7, .cpu = 1 },
	};

	/* One writer per CPU: with two queues, each CPU has its own. */
	ASSERT_EQ(0, io_jobs_run(jobs, 2));
	for (int i = 0; i < 2; i++)
		EXPECT_STREQ("", jobs[i].error);
}

TEST_F_TIMEOUT(vu, fio_crc32c_verify_64MiB, 600)
{
	char cmd[512];

	if (access("/usr/bin/fio", X_OK))
		SKIP(return, "no /usr/bin/fio in this initramfs");
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/fio --name=verify --filename=%s --direct=1 --rw=randwrite --bs=64k --size=64M --ioengine=libaio --iodepth=8 --numjobs=1 --verify=crc32c --verify_fatal=1 --do_verify=1 >/tmp/fio-vu.log 2>&1",
		 self->e.dev);
	EXPECT_EQ(0, run(cmd)) {
		char log[4096];

		if (vl_read_file("/tmp/fio-vu.log", log, sizeof(log)) > 0)
			TH_LOG("%s", log);
	}
	unlink("/tmp/fio-vu.log");
}

TEST_F_TIMEOUT(vu, ext4_mkfs_mount_write_fsck, 300)
{
	ext4_round_trip(self->e.dev, "/mnt/vu");
}

/*
 * Unbinding the driver resets the device: the bridge stops the back-end's
 * rings (GET_VRING_BASE); binding it again starts them afresh.
 */
TEST_F_TIMEOUT(vu, driver_rebind_restarts_the_rings, 300)
{
	struct io_job job = { .dev = self->e.dev, .file = self->e.image,
			      .start = 40 * MiB, .len = 4 * MiB, .salt = 11 };
	char name[32], block[32], stats[2048];
	int fd;

	snprintf(name, sizeof(name), "virtio%d", self->e.bridge.virtio_index);
	fd = open("/sys/bus/virtio/drivers/virtio_blk/unbind", O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(strlen(name), write(fd, name, strlen(name)));
	close(fd);
	fd = open("/sys/bus/virtio/drivers/virtio_blk/bind", O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(strlen(name), write(fd, name, strlen(name)));
	close(fd);
	ASSERT_EQ(0, vl_backend_child(&self->e.bridge, "block", block,
				      sizeof(block)));
	snprintf(self->e.dev, sizeof(self->e.dev), "/dev/%s", block);
	io_job_run(&job);
	EXPECT_STREQ("", job.error);
	/* Started at the first DRIVER_OK, stopped at the reset, started again. */
	ASSERT_EQ(0, vl_backend_stats(&self->e.bridge, self->e.stats, stats,
				      sizeof(stats)));
	EXPECT_EQ(2, vl_stat_value(stats, "vhost_user_ring_starts"))
		TH_LOG("%s", stats);
	EXPECT_EQ(0, vl_stat_value(stats, "vhost_user_failed"));
	EXPECT_EQ(vl_stat_value(stats, "vhost_user_requests"),
		  vl_stat_value(stats, "vhost_user_completions"));
}

/* ---- Tests that start their own ------------------------------------------ */

FIXTURE(own) {
	struct vu_env e;
};

FIXTURE_SETUP(own)
{
	if (access(QSD, X_OK))
		SKIP(return, "no %s in this initramfs", QSD);
	memset(&self->e, 0, sizeof(self->e));
}

FIXTURE_TEARDOWN(own)
{
	vu_env_stop(&self->e);
}

TEST_F_TIMEOUT(own, readonly_export_refuses_writes, 120)
{
	static unsigned char buf[4096] __attribute__((aligned(4096)));
	int fd, err = 0;
	ssize_t n;

	vu_env_start(_metadata, &self->e, 1, false);
	EXPECT_EQ(1, sysfs_long(self->e.block, "ro"));
	/* Reads still come through: the image's first block. */
	fd = open(self->e.dev, O_RDONLY | O_DIRECT);
	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(buf), pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(0xab, buf[0]);
	close(fd);
	/* Refused at open (older kernels) or at write (newer ones). */
	fd = open(self->e.dev, O_WRONLY);
	if (fd < 0) {
		err = errno;
	} else {
		memset(buf, 0x77, sizeof(buf));
		n = pwrite(fd, buf, sizeof(buf), 0);
		err = n < 0 ? errno : 0;
		if (!err && fsync(fd))
			err = errno;
		close(fd);
	}
	EXPECT_TRUE(err == EACCES || err == EPERM || err == EROFS || err == EIO)
		TH_LOG("a write to the read-only export gave %s", strerror(err));
	fd = open(self->e.image, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(buf), pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(0xab, buf[0]) TH_LOG("the image was written");
	close(fd);
}

TEST_F_TIMEOUT(own, backend_killed_during_io_then_restarted, 300)
{
	struct io_job job;
	int status, wstatus;
	pid_t writer;
	long inflight;

	vu_env_start(_metadata, &self->e, 1, true);
	writer = start_writer(self->e.dev, 256 * 1024, 1000000);
	ASSERT_LE(0, writer);
	inflight = vl_wait_inflight(self->e.bridge.index, 30);
	ASSERT_LT(0, inflight) TH_LOG("no request in flight on vl%d within 30 s",
				      self->e.bridge.index);
	kill(self->e.qsd, SIGKILL);
	waitpid(self->e.qsd, NULL, 0);
	self->e.qsd = 0;

	/* The bridge sees the back-end go, says so and exits 1. */
	status = reap_within(self->e.bridge.pid, 30);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1)
		TH_LOG("vl-backend: status %#x", status);
	if (status != -1) {
		self->e.bridge.pid = 0;
		close(self->e.bridge.out);
	}
	/* The writes in flight fail with EIO, and nothing hangs. */
	wstatus = reap_within(writer, 30);
	if (wstatus == -1) {
		kill(writer, SIGKILL);
		waitpid(writer, NULL, 0);
	}
	EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
		TH_LOG("writer: status %#x (errno %d; 100: writes kept succeeding)",
		       wstatus, WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
	EXPECT_TRUE(vl_backend_device_gone(&self->e.bridge));

	/* Both start again, and the new device works. */
	self->e.qsd = qsd_start(self->e.image, self->e.sock, 1, true);
	ASSERT_LT(0, self->e.qsd);
	ASSERT_EQ(0, vu_env_bridge(&self->e));
	job = (struct io_job){ .dev = self->e.dev, .file = self->e.image,
			       .start = 32 * MiB, .len = 4 * MiB, .salt = 9 };
	io_job_run(&job);
	EXPECT_STREQ("", job.error);
}

/* ---- A back-end of the test's own ------------------------------------------ */

static int count_vl_devices(void)
{
	DIR *d = opendir(VL_SYSFS);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += !strncmp(e->d_name, "vl", 2);
	if (d)
		closedir(d);
	return n;
}

TEST_F_TIMEOUT(own, config_change_reaches_the_driver, 120)
{
	const char *argv[] = { "vhost-user", "--socket", "/tmp/vu-fake.sock",
			       "--type", "blk", NULL };
	struct fake_vu fake;
	char block[32];
	long size = -1;

	ASSERT_EQ(0, fake_vu_start(&fake, "/tmp/vu-fake.sock", FAKE_VU_SERVE,
				   IMAGE_SIZE / 512));
	ASSERT_EQ(0, vl_backend_start(&self->e.bridge, argv));
	ASSERT_EQ(0, vl_backend_child(&self->e.bridge, "block", block,
				      sizeof(block)));
	EXPECT_EQ(IMAGE_SIZE / 512, sysfs_long(block, "size"));
	EXPECT_LT(0, fake.served) TH_LOG("the driver's probe read nothing");

	ASSERT_EQ(0, fake_vu_resize(&fake, 2 * IMAGE_SIZE / 512));
	for (int i = 0; i < 600 && size != 2 * IMAGE_SIZE / 512; i++) {
		size = sysfs_long(block, "size");
		usleep(50 * 1000);
	}
	EXPECT_EQ(2 * IMAGE_SIZE / 512, size);
	vl_backend_stop(&self->e.bridge, SIGTERM);
	fake_vu_stop(&fake);
}

TEST_F_TIMEOUT(own, broken_used_ring_removes_the_device, 120)
{
	const char *argv[] = { "vhost-user", "--socket", "/tmp/vu-fake.sock",
			       "--type", "blk", NULL };
	int before = count_vl_devices(), status;
	struct fake_vu fake;

	ASSERT_EQ(0, fake_vu_start(&fake, "/tmp/vu-fake.sock",
				   FAKE_VU_BAD_USED, IMAGE_SIZE / 512));
	/*
	 * The driver's probe reads the partition table; its answer names no
	 * request in flight.  The bridge may or may not have announced the
	 * device by then: either way it must say why and exit 1, and the
	 * device must go.
	 */
	vl_backend_start(&self->e.bridge, argv);
	ASSERT_LT(0, self->e.bridge.pid);
	status = reap_within(self->e.bridge.pid, 60);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1)
		TH_LOG("vl-backend: status %#x", status);
	if (status != -1) {
		self->e.bridge.pid = 0;
		close(self->e.bridge.out);
	}
	for (int i = 0; i < 200 && count_vl_devices() != before; i++)
		usleep(50 * 1000);
	EXPECT_EQ(before, count_vl_devices());
	EXPECT_LT(0, fake.served);
	fake_vu_stop(&fake);
}

/* A back-end that never answers is given up on: no hang. */
TEST_F_TIMEOUT(own, silent_backend_is_given_up_on, 120)
{
	const char *argv[] = { "vhost-user", "--socket", "/tmp/vu-fake.sock",
			       "--type", "blk", NULL };
	struct fake_vu fake;
	int status;

	ASSERT_EQ(0, fake_vu_start(&fake, "/tmp/vu-fake.sock", FAKE_VU_SILENT,
				   IMAGE_SIZE / 512));
	EXPECT_NE(0, vl_backend_start(&self->e.bridge, argv));
	ASSERT_LT(0, self->e.bridge.pid);
	status = reap_within(self->e.bridge.pid, 90);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1)
		TH_LOG("vl-backend: status %#x", status);
	if (status != -1) {
		self->e.bridge.pid = 0;
		close(self->e.bridge.out);
	}
	fake_vu_stop(&fake);
}

TEST(no_backend_is_a_clear_error)
{
	const char *argv[] = { "vhost-user", "--socket", "/tmp/vu-nobody.sock",
			       "--type", "blk", NULL };
	struct vl_backend_proc bridge;
	int status;

	unlink("/tmp/vu-nobody.sock");
	/* It never prints the device line: start fails, then it exits 1. */
	EXPECT_NE(0, vl_backend_start(&bridge, argv));
	ASSERT_LT(0, bridge.pid);
	status = reap_within(bridge.pid, 30);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1)
		TH_LOG("status %#x", status);
	close(bridge.out);
}

TEST_HARNESS_MAIN
