// SPDX-License-Identifier: GPL-2.0
/*
 * The backend channel and the transport, driven by a small backend in the
 * test itself: creation and its checks, a virtio-rng device end to end, and
 * malformed completions that must be refused without harm.
 */
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_loopback.h>
#include <linux/virtio_ring.h>

#include "kselftest_harness.h"
#include "vl_test_util.h"

#define READ_BUF_SIZE (1 << 20)
#define RNG_BYTE 0xa5

struct create_req {
	struct virtio_loopback_device_config cfg;
	unsigned char config[64];
};

static void rng_config(struct create_req *req)
{
	memset(req, 0, sizeof(*req));
	req->cfg.device_id = VIRTIO_ID_RNG;
	req->cfg.vendor_id = 0x1af4;
	req->cfg.features = 1ULL << VIRTIO_F_VERSION_1 |
			    1ULL << VIRTIO_RING_F_INDIRECT_DESC |
			    1ULL << VIRTIO_RING_F_EVENT_IDX;
	req->cfg.num_queues = 1;
	req->cfg.max_queue_size = 64;
}

static int open_channel(void)
{
	return open(VL_DEVNODE, O_RDWR | O_CLOEXEC);
}

/* A virtio-rng backend on a thread: every request gets RNG_BYTE bytes. */
struct rng_backend {
	int fd;
	int stop_pipe[2];
	pthread_t thread;
	unsigned long requests;
	unsigned char *rbuf, *wbuf;
};

static size_t put_completion(unsigned char *p, uint64_t id, uint32_t queue,
			     uint32_t len, int fill)
{
	struct virtio_loopback_msg_complete *c = (void *)p;
	size_t total = (sizeof(*c) + len + 7) & ~7UL;

	memset(c, 0, total);
	c->hdr.type = VIRTIO_LOOPBACK_MSG_COMPLETE;
	c->hdr.len = total;
	c->id = id;
	c->queue = queue;
	c->len = len;
	memset(c->data, fill, len);
	return total;
}

static void *rng_serve(void *arg)
{
	struct rng_backend *b = arg;
	struct pollfd pfd[2] = {
		{ .fd = b->fd, .events = POLLIN },
		{ .fd = b->stop_pipe[0], .events = POLLIN },
	};

	for (;;) {
		ssize_t n, pos = 0;
		size_t out = 0;

		if (poll(pfd, 2, -1) < 0 || pfd[1].revents)
			return NULL;
		n = read(b->fd, b->rbuf, READ_BUF_SIZE);
		if (n < 0)
			continue;
		while (pos < n) {
			struct virtio_loopback_msg *m = (void *)(b->rbuf + pos);

			if (m->type == VIRTIO_LOOPBACK_MSG_REQUEST) {
				struct virtio_loopback_msg_request *r = (void *)m;

				out += put_completion(b->wbuf + out, r->id, r->queue,
						      r->in_len, RNG_BYTE);
				b->requests++;
			}
			pos += m->len;
		}
		if (out && write(b->fd, b->wbuf, out) != (ssize_t)out)
			return NULL;
	}
}

static int rng_backend_start(struct rng_backend *b)
{
	struct create_req req;
	int index;

	memset(b, 0, sizeof(*b));
	b->rbuf = malloc(READ_BUF_SIZE);
	b->wbuf = malloc(READ_BUF_SIZE);
	b->fd = open_channel();
	if (b->fd < 0 || !b->rbuf || !b->wbuf || pipe(b->stop_pipe))
		return -1;
	rng_config(&req);
	index = ioctl(b->fd, VIRTIO_LOOPBACK_CREATE_DEVICE, &req);
	if (index < 0)
		return -1;
	if (pthread_create(&b->thread, NULL, rng_serve, b))
		return -1;
	return index;
}

/* Stopping twice is harmless: a test may stop its backend early. */
static void rng_backend_stop(struct rng_backend *b)
{
	if (b->fd < 0)
		return;
	if (write(b->stop_pipe[1], "x", 1) == 1)
		pthread_join(b->thread, NULL);
	close(b->fd);
	b->fd = -1;
	close(b->stop_pipe[0]);
	close(b->stop_pipe[1]);
	free(b->rbuf);
	free(b->wbuf);
}

/* Wait for @path to contain (or, with !present, to lack) @text. */
static bool wait_file_has(const char *path, const char *text, bool present)
{
	char buf[512];

	for (int i = 0; i < 200; i++) {
		bool has = vl_read_file(path, buf, sizeof(buf)) > 0 &&
			   strstr(buf, text);

		if (has == present)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

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

TEST_F(rng, hwrng_reads_1MiB_from_the_backend)
{
	const size_t total = 1 << 20;
	unsigned char *buf = malloc(total);
	size_t got = 0;
	int fd;

	ASSERT_NE(NULL, buf);
	ASSERT_TRUE(wait_file_has("/sys/class/misc/hw_random/rng_current",
				  "virtio_rng", true));
	fd = open("/dev/hwrng", O_RDONLY);
	ASSERT_LE(0, fd);
	while (got < total) {
		ssize_t n = read(fd, buf + got, total - got);

		ASSERT_LT(0, n) TH_LOG("read /dev/hwrng: %s", strerror(errno));
		got += n;
	}
	close(fd);
	size_t first_wrong = total;

	for (size_t i = 0; i < total && first_wrong == total; i++)
		if (buf[i] != RNG_BYTE)
			first_wrong = i;
	free(buf);
	EXPECT_EQ(total, first_wrong) TH_LOG("byte %zu is not the backend's", first_wrong);
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

TEST_HARNESS_MAIN
