// SPDX-License-Identifier: GPL-2.0
/*
 * The backend channel and the transport, driven by a small backend in the
 * test itself: creation and its checks, a virtio-rng device end to end, and
 * malformed completions that must be refused without harm.
 */
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>

#include <linux/virtio_config.h>
#include <linux/virtio_loopback.h>
#include <linux/virtio_ring.h>

#include "kselftest_harness.h"
#include "vl_test_util.h"
#include "vl_test_rng.h"

TEST(api_version_is_1)
{
	uint64_t version = 0;
	int fd = open_channel();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, VIRTIO_LOOPBACK_GET_API_VERSION, &version));
	EXPECT_EQ(VIRTIO_LOOPBACK_API_VERSION, version);
	close(fd);
}

TEST(no_device_before_create)
{
	char buf[64];
	struct virtio_loopback_device_info info;
	int fd = open_channel();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, write(fd, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, ioctl(fd, VIRTIO_LOOPBACK_GET_DEVICE_INFO, &info));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO(VIRTIO_LOOPBACK_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST(create_rejects_bad_config)
{
	struct create_req req;
	int fd = open_channel();

	ASSERT_LE(0, fd);
#define EXPECT_REJECTED(field, value)					\
	do {								\
		rng_config(&req);					\
		req.cfg.field = value;					\
		EXPECT_EQ(-1, ioctl(fd, VIRTIO_LOOPBACK_CREATE_DEVICE, &req)) \
			TH_LOG(#field " = " #value " was accepted");	\
		EXPECT_EQ(EINVAL, errno);				\
	} while (0)
	EXPECT_REJECTED(device_id, 0);
	EXPECT_REJECTED(num_queues, 0);
	EXPECT_REJECTED(num_queues, VIRTIO_LOOPBACK_MAX_QUEUES + 1);
	EXPECT_REJECTED(max_queue_size, 0);
	EXPECT_REJECTED(max_queue_size, 1);
	EXPECT_REJECTED(max_queue_size, 100);
	EXPECT_REJECTED(max_queue_size, VIRTIO_LOOPBACK_MAX_QUEUE_SIZE * 2);
	EXPECT_REJECTED(config_size, VIRTIO_LOOPBACK_MAX_CONFIG_SIZE + 1);
	EXPECT_REJECTED(features, 1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	EXPECT_REJECTED(reserved[0], 1);
	EXPECT_REJECTED(reserved[8], 0x80000000u);
#undef EXPECT_REJECTED

	/* Nothing was created: the same file still takes a good one. */
	rng_config(&req);
	EXPECT_LE(0, ioctl(fd, VIRTIO_LOOPBACK_CREATE_DEVICE, &req));
	EXPECT_EQ(-1, ioctl(fd, VIRTIO_LOOPBACK_CREATE_DEVICE, &req));
	EXPECT_EQ(EBUSY, errno);
	close(fd);
}

TEST(create_faults_on_bad_pointer)
{
	int fd = open_channel();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, VIRTIO_LOOPBACK_CREATE_DEVICE, (void *)16));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

FIXTURE(rng) {
	struct rng_backend backend;
	int index;
};

FIXTURE_SETUP(rng)
{
	self->index = rng_backend_start(&self->backend);
	ASSERT_LE(0, self->index) TH_LOG("backend: %s", strerror(errno));
	ASSERT_TRUE(wait_file_has("/sys/class/misc/hw_random/rng_available",
				  "virtio_rng", true))
		TH_LOG("virtio_rng did not bind");
}

FIXTURE_TEARDOWN(rng)
{
	rng_backend_stop(&self->backend);
}

TEST_F(rng, device_registers_below_its_parent)
{
	struct virtio_loopback_device_info info;
	char path[128];
	struct stat st;

	ASSERT_EQ(0, ioctl(self->backend.fd, VIRTIO_LOOPBACK_GET_DEVICE_INFO, &info));
	EXPECT_EQ(self->index, info.index);
	EXPECT_TRUE(info.flags & VIRTIO_LOOPBACK_INFO_REGISTERED);
	EXPECT_TRUE(info.status & VIRTIO_CONFIG_S_DRIVER_OK);
	EXPECT_TRUE(info.driver_features & (1ULL << VIRTIO_F_VERSION_1));
	snprintf(path, sizeof(path),
		 "/sys/devices/virtual/misc/virtio-loopback/vl%d/virtio%u/driver",
		 self->index, info.virtio_index);
	EXPECT_EQ(0, stat(path, &st)) TH_LOG("%s: %s", path, strerror(errno));
}

TEST_F(rng, debugfs_lists_the_device_and_its_queue)
{
	char buf[4096], want[64];

	ASSERT_LT(0, vl_read_file(VL_DEBUGFS "/devices", buf, sizeof(buf)));
	snprintf(want, sizeof(want), "vl%d: device_id 4 ", self->index);
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("devices: %s", buf);
	EXPECT_NE(NULL, strstr(buf, "queue 0: enabled size 64")) TH_LOG("devices: %s", buf);
}

/* The hwrng core asks for 64 bytes at a time: 16384 round trips. */
TEST_F_TIMEOUT(rng, hwrng_reads_1MiB_from_the_backend, 180)
{
	const long total = 1 << 20;

	EXPECT_EQ(total, hwrng_read_check(total))
		TH_LOG("reading failed (-1), or this byte is not the backend's");
	EXPECT_LT(0, self->backend.requests);
}

TEST_F(rng, device_goes_away_with_its_backend)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path),
		 "/sys/devices/virtual/misc/virtio-loopback/vl%d", self->index);
	ASSERT_EQ(0, stat(path, &st));
	rng_backend_stop(&self->backend);
	EXPECT_NE(0, stat(path, &st));
	EXPECT_TRUE(wait_file_has("/sys/class/misc/hw_random/rng_available",
				  "virtio_rng", false));
}

#define MANY 64

static int count_loopback_devices(void)
{
	char cmd[] = "ls -d /sys/devices/virtual/misc/virtio-loopback/vl* 2>/dev/null | wc -l";
	FILE *p = popen(cmd, "r");
	int n = -1;

	if (p && fscanf(p, "%d", &n) != 1)
		n = -1;
	if (p)
		pclose(p);
	return n;
}

/* Registered, with the driver's DRIVER_OK, before @deadline. */
static bool wait_driver_ok(int fd, time_t deadline)
{
	struct virtio_loopback_device_info info;

	while (time(NULL) < deadline) {
		if (ioctl(fd, VIRTIO_LOOPBACK_GET_DEVICE_INFO, &info) == 0 &&
		    (info.flags & VIRTIO_LOOPBACK_INFO_REGISTERED) &&
		    (info.status & VIRTIO_CONFIG_S_DRIVER_OK))
			return true;
		usleep(20 * 1000);
	}
	return false;
}

FIXTURE(many) {
	struct rng_backend backends[MANY];
};

FIXTURE_SETUP(many)
{
	for (int i = 0; i < MANY; i++)
		self->backends[i].fd = -1;
}

FIXTURE_TEARDOWN(many)
{
	for (int i = 0; i < MANY; i++)
		rng_backend_stop(&self->backends[i]);
}

/*
 * 64 served virtio-rng devices at once, three times over.  They are served:
 * 6.1's hwrng core feeds on every new rng when it registers, and waits for
 * it under a lock the current rng's reader holds.
 */
TEST_F_TIMEOUT(many, sixty_four_devices_come_and_go, 300)
{
	int round, i;

	for (round = 0; round < 3; round++) {
		time_t deadline = time(NULL) + 60;

		for (i = 0; i < MANY; i++)
			ASSERT_LE(0, rng_backend_start(&self->backends[i]))
				TH_LOG("round %d device %d: %s", round, i, strerror(errno));
		for (i = 0; i < MANY; i++)
			if (!wait_driver_ok(self->backends[i].fd, deadline))
				break;
		EXPECT_EQ(MANY, i) TH_LOG("round %d: device %d never got DRIVER_OK", round, i);
		EXPECT_EQ(MANY, count_loopback_devices());
		for (i = 0; i < MANY; i++)
			rng_backend_stop(&self->backends[i]);
		EXPECT_EQ(0, count_loopback_devices());
	}
}

TEST_HARNESS_MAIN
