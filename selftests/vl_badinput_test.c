// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input on the backend channel gets an error and changes nothing.
 *
 * The fixture creates a virtio-rng device and holds the first request the
 * driver queues.  Each test throws something wrong at the channel, then
 * proves the device unharmed: the held request still completes, exactly
 * once, and the driver still gets data.
 */
#include <stdlib.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "vl_test_util.h"
#include "vl_test_rng.h"

#define FUZZ_ROUNDS 10000

struct held_request {
	uint64_t id;
	uint32_t queue;
	uint32_t in_len;
};

/* Read messages until the driver's first request arrives. */
static int wait_request(int fd, struct held_request *held, unsigned char *buf)
{
	for (int tries = 0; tries < 100; tries++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n, pos = 0;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(fd, buf, READ_BUF_SIZE);
		while (n > 0 && pos < n) {
			struct virtio_loopback_msg *m = (void *)(buf + pos);

			if (m->type == VIRTIO_LOOPBACK_MSG_REQUEST) {
				struct virtio_loopback_msg_request *r = (void *)m;

				held->id = r->id;
				held->queue = r->queue;
				held->in_len = r->in_len;
				return 0;
			}
			pos += m->len;
		}
	}
	return -1;
}

FIXTURE(held) {
	struct rng_backend b;
	struct held_request req;
	unsigned char msg[256];
};

FIXTURE_SETUP(held)
{
	struct create_req create;

	memset(&self->b, 0, sizeof(self->b));
	self->b.rbuf = malloc(READ_BUF_SIZE);
	self->b.wbuf = malloc(READ_BUF_SIZE);
	ASSERT_NE(NULL, self->b.rbuf);
	ASSERT_NE(NULL, self->b.wbuf);
	ASSERT_EQ(0, pipe(self->b.stop_pipe));
	self->b.fd = open_channel();
	ASSERT_LE(0, self->b.fd);
	rng_config(&create);
	ASSERT_LE(0, ioctl(self->b.fd, VIRTIO_LOOPBACK_CREATE_DEVICE, &create));
	ASSERT_EQ(0, wait_request(self->b.fd, &self->req, self->b.rbuf))
		TH_LOG("the driver queued no request");
}

FIXTURE_TEARDOWN(held)
{
	rng_backend_stop(&self->b);
}

static ssize_t send_completion(int fd, unsigned char *buf, uint64_t id,
			       uint32_t queue, uint32_t len)
{
	size_t n = put_completion(buf, id, queue, len, RNG_BYTE);

	return write(fd, buf, n);
}

/* The held request still completes once, and the device serves again. */
static void expect_device_unharmed(struct __test_metadata *_metadata,
				   FIXTURE_DATA(held) *self)
{
	unsigned char buf[256];

	EXPECT_LT(0, send_completion(self->b.fd, self->b.wbuf, self->req.id,
				     self->req.queue, self->req.in_len))
		TH_LOG("held request: %s", strerror(errno));
	EXPECT_EQ(-1, send_completion(self->b.fd, buf, self->req.id,
				      self->req.queue, 0));
	EXPECT_EQ(ENOENT, errno);

	ASSERT_EQ(0, pthread_create(&self->b.thread, NULL, rng_serve, &self->b));
	EXPECT_EQ(64 << 10, hwrng_read_check(64 << 10));
}

TEST_F(held, reads_too_small_or_empty_change_nothing)
{
	struct pollfd pfd = { .fd = self->b.fd, .events = POLLIN };
	unsigned char small[8];
	int flags;

	/* Everything is read: nothing to report, so no POLLIN and EAGAIN. */
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	flags = fcntl(self->b.fd, F_GETFL);
	ASSERT_EQ(0, fcntl(self->b.fd, F_SETFL, flags | O_NONBLOCK));
	EXPECT_EQ(-1, read(self->b.fd, self->b.rbuf, READ_BUF_SIZE));
	EXPECT_EQ(EAGAIN, errno);

	/* Give the request back; the driver queues the next one at once. */
	EXPECT_LT(0, send_completion(self->b.fd, self->b.wbuf, self->req.id,
				     self->req.queue, self->req.in_len));
	EXPECT_EQ(1, poll(&pfd, 1, 10000));
	EXPECT_TRUE(pfd.revents & POLLIN);

	/* No message fits in 8 bytes: ENOSPC, and the message stays. */
	EXPECT_EQ(-1, read(self->b.fd, small, sizeof(small)));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, fcntl(self->b.fd, F_SETFL, flags));
	ASSERT_EQ(0, wait_request(self->b.fd, &self->req, self->b.rbuf))
		TH_LOG("the request was lost by the short read");
	expect_device_unharmed(_metadata, self);
}

TEST_F(held, unknown_ids_are_refused)
{
	uint64_t id = self->req.id;

	/* Another head, another generation, a future epoch. */
	EXPECT_EQ(-1, send_completion(self->b.fd, self->msg, id ^ 1, 0, 0));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, send_completion(self->b.fd, self->msg, id ^ (1 << 16), 0, 0));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, send_completion(self->b.fd, self->msg, id + (1ULL << 32), 0, 0));
	EXPECT_EQ(ENOENT, errno);
	expect_device_unharmed(_metadata, self);
}

TEST_F(held, wrong_queue_is_refused)
{
	EXPECT_EQ(-1, send_completion(self->b.fd, self->msg, self->req.id, 1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, send_completion(self->b.fd, self->msg, self->req.id,
				      0xffffffff, 0));
	EXPECT_EQ(EINVAL, errno);
	expect_device_unharmed(_metadata, self);
}

TEST_F(held, too_long_data_is_refused)
{
	unsigned char *buf = malloc(self->req.in_len + 64);

	ASSERT_NE(NULL, buf);
	EXPECT_EQ(-1, send_completion(self->b.fd, buf, self->req.id, 0,
				      self->req.in_len + 1));
	EXPECT_EQ(EMSGSIZE, errno);
	free(buf);
	expect_device_unharmed(_metadata, self);
}

TEST_F(held, bad_framing_is_refused)
{
	struct virtio_loopback_msg_complete *c = (void *)self->msg;
	size_t n = put_completion(self->msg, self->req.id, 0, 8, 0);
	/* volatile: the compiler must not see through the bad address. */
	void *volatile bad_pointer = (void *)8;

	EXPECT_EQ(-1, write(self->b.fd, self->msg, 4));		/* short header */
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(self->b.fd, self->msg, n - 8));	/* len > count */
	EXPECT_EQ(EINVAL, errno);
	c->hdr.len = n + 8;					/* len != payload */
	EXPECT_EQ(-1, write(self->b.fd, self->msg, n + 8));
	EXPECT_EQ(EINVAL, errno);
	c->hdr.len = n - 1;					/* unaligned */
	EXPECT_EQ(-1, write(self->b.fd, self->msg, n));
	EXPECT_EQ(EINVAL, errno);
	c->hdr.len = n;
	c->hdr.flags = 1;					/* flags */
	EXPECT_EQ(-1, write(self->b.fd, self->msg, n));
	EXPECT_EQ(EINVAL, errno);
	c->hdr.flags = 0;
	c->hdr.type = VIRTIO_LOOPBACK_MSG_REQUEST;		/* read-only type */
	EXPECT_EQ(-1, write(self->b.fd, self->msg, n));
	EXPECT_EQ(EINVAL, errno);
	c->hdr.type = 0xffff;
	EXPECT_EQ(-1, write(self->b.fd, self->msg, n));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(self->b.fd, bad_pointer, n));	/* bad pointer */
	EXPECT_EQ(EFAULT, errno);
	expect_device_unharmed(_metadata, self);
}

TEST_F(held, batch_stops_at_the_first_bad_message)
{
	unsigned char *p = self->b.wbuf;
	size_t good, total;

	/* A good config change (rng has none: offset 0, size 0), then junk. */
	struct virtio_loopback_msg_config *cc = (void *)p;

	memset(cc, 0, sizeof(*cc));
	cc->hdr.type = VIRTIO_LOOPBACK_MSG_CONFIG_CHANGE;
	cc->hdr.len = sizeof(*cc);
	good = sizeof(*cc);
	total = good + put_completion(p + good, self->req.id ^ 1, 0, 0, 0);
	total += put_completion(p + total, self->req.id, 0, 0, 0);

	EXPECT_EQ(good, write(self->b.fd, p, total));
	/* The bad one alone fails, and the good one after it was not applied. */
	EXPECT_EQ(-1, write(self->b.fd, p + good, total - good));
	EXPECT_EQ(ENOENT, errno);
	expect_device_unharmed(_metadata, self);
}

TEST_F(held, config_change_out_of_bounds_is_refused)
{
	struct virtio_loopback_msg_config *cc = (void *)self->msg;

	memset(self->msg, 0, sizeof(self->msg));
	cc->hdr.type = VIRTIO_LOOPBACK_MSG_CONFIG_CHANGE;
	cc->hdr.len = sizeof(*cc) + 8;
	cc->offset = 0;
	cc->size = 8;
	EXPECT_EQ(-1, write(self->b.fd, self->msg, cc->hdr.len));
	EXPECT_EQ(EINVAL, errno);
	cc->offset = 0xfffffff8;
	EXPECT_EQ(-1, write(self->b.fd, self->msg, cc->hdr.len));
	EXPECT_EQ(EINVAL, errno);
	expect_device_unharmed(_metadata, self);
}

static uint32_t rnd32(void)
{
	return (uint32_t)random() ^ ((uint32_t)random() << 16);
}

/* A random message: pure noise, or a plausible header over noise. */
static size_t random_message(unsigned char *buf, size_t size, uint64_t held_id)
{
	static const uint16_t types[] = {
		VIRTIO_LOOPBACK_MSG_COMPLETE, VIRTIO_LOOPBACK_MSG_CONFIG_CHANGE,
		VIRTIO_LOOPBACK_MSG_REQUEST, VIRTIO_LOOPBACK_MSG_RESET, 0, 0xffff,
	};
	size_t len = 1 + rnd32() % (size - 1);
	struct virtio_loopback_msg_complete *c = (void *)buf;

	for (size_t i = 0; i < len; i++)
		buf[i] = random();
	if (len < sizeof(*c) || random() % 2)
		return len;
	c->hdr.type = types[random() % 6];
	c->hdr.flags = random() % 4 ? 0 : rnd32();
	c->hdr.len = random() % 2 ? (len & ~7UL) : rnd32() % (len + 16);
	c->queue = random() % 3;
	c->len = random() % 2 ? rnd32() % 256 : rnd32();
	if (c->id == held_id)
		c->id ^= 1;
	return len;
}

static unsigned int random_ioctl_cmd(void)
{
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE,
	};

	return _IOC(dirs[random() % 4], VIRTIO_LOOPBACK_IOC_MAGIC,
		    random() % 8, random() % 128);
}

TEST_F_TIMEOUT(held, random_writes_and_ioctls_leave_it_working, 300)
{
	static const uintptr_t bad_pointers[] = {
		0, 8, 0xffff888000000000UL, 0xffffffffffffff00UL,
	};
	unsigned char *buf = self->b.wbuf;
	unsigned int refused = 0;

	srandom(20261127);
	for (int i = 0; i < FUZZ_ROUNDS; i++) {
		size_t len = random_message(buf, 512, self->req.id);
		ssize_t n = write(self->b.fd, buf, len);

		if (n < 0) {
			refused++;
			ASSERT_TRUE(errno == EINVAL || errno == ENOENT ||
				    errno == EMSGSIZE || errno == EFAULT)
				TH_LOG("write %d: unexpected %s", i, strerror(errno));
		} else {
			ASSERT_GE(len, n);
		}
	}
	for (int i = 0; i < FUZZ_ROUNDS; i++) {
		unsigned int cmd = random_ioctl_cmd();
		void *arg = random() % 2 ? (void *)buf :
			    (void *)bad_pointers[random() % 4];

		if (ioctl(self->b.fd, cmd, arg) < 0)
			ASSERT_TRUE(errno == ENOTTY || errno == EFAULT ||
				    errno == EBUSY || errno == EINVAL)
				TH_LOG("ioctl %#x: unexpected %s", cmd, strerror(errno));
	}
	TH_LOG("%u of %d random writes refused", refused, FUZZ_ROUNDS);
	EXPECT_LT(FUZZ_ROUNDS * 9 / 10, refused);
	expect_device_unharmed(_metadata, self);
}

TEST_HARNESS_MAIN
