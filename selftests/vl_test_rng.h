/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal virtio-rng backend for the selftests, written against the raw
 * channel so that the transport is tested without vl-backend: it creates
 * the device and, on a thread, answers every request with RNG_BYTE bytes.
 */
#ifndef VL_TEST_RNG_H
#define VL_TEST_RNG_H

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_loopback.h>
#include <linux/virtio_ring.h>

#include "vl_test_util.h"

#define READ_BUF_SIZE (1 << 20)
#define RNG_BYTE 0xa5

struct create_req {
	struct virtio_loopback_device_config cfg;
	unsigned char config[64];
};

static inline void rng_config(struct create_req *req)
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

static inline int open_channel(void)
{
	return open(VL_DEVNODE, O_RDWR | O_CLOEXEC);
}

/* How a raw backend answers a request: a completion at @out, its size. */
typedef size_t (*raw_answer_fn)(void *ctx,
				const struct virtio_loopback_msg_request *r,
				unsigned char *out);

/* A virtio-rng backend on a thread: every request gets RNG_BYTE bytes. */
struct rng_backend {
	int fd;
	int stop_pipe[2];
	pthread_t thread;
	unsigned long requests;
	unsigned char *rbuf, *wbuf;
	raw_answer_fn answer;	/* rng_answer() unless set */
};

static inline size_t put_completion(unsigned char *p, uint64_t id, uint32_t queue,
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

/*
 * The serving loop of the selftests' raw backends: read batches until
 * @stop_fd is readable, pass each request to @answer, which may put a
 * completion at @out and returns its size, and write the answers back.
 */

static inline void raw_serve(int fd, int stop_fd, unsigned char *rbuf,
			     size_t rbuf_size, unsigned char *wbuf,
			     raw_answer_fn answer, void *ctx)
{
	struct pollfd pfd[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = stop_fd, .events = POLLIN },
	};

	for (;;) {
		ssize_t n, pos = 0;
		size_t out = 0;

		if (poll(pfd, 2, -1) < 0 || pfd[1].revents)
			return;
		n = read(fd, rbuf, rbuf_size);
		while (n > 0 && pos < n) {
			struct virtio_loopback_msg *m = (void *)(rbuf + pos);

			if (m->type == VIRTIO_LOOPBACK_MSG_REQUEST)
				out += answer(ctx, (void *)m, wbuf + out);
			pos += m->len;
		}
		if (out && write(fd, wbuf, out) != (ssize_t)out)
			return;
	}
}

static inline size_t rng_answer(void *ctx,
				const struct virtio_loopback_msg_request *r,
				unsigned char *out)
{
	struct rng_backend *b = ctx;

	b->requests++;
	return put_completion(out, r->id, r->queue, r->in_len, RNG_BYTE);
}

static inline void *rng_serve(void *arg)
{
	struct rng_backend *b = arg;

	raw_serve(b->fd, b->stop_pipe[0], b->rbuf, READ_BUF_SIZE, b->wbuf,
		  b->answer ? b->answer : rng_answer, b);
	return NULL;
}

/* Returns the device's index; on failure the backend is left stopped. */
static inline int rng_backend_start_answer(struct rng_backend *b,
					   raw_answer_fn answer)
{
	struct create_req req;
	int index = -1;

	memset(b, 0, sizeof(*b));
	b->answer = answer;
	b->fd = -1;
	b->rbuf = malloc(READ_BUF_SIZE);
	b->wbuf = malloc(READ_BUF_SIZE);
	if (!b->rbuf || !b->wbuf || pipe(b->stop_pipe))
		goto fail;
	b->fd = open_channel();
	rng_config(&req);
	if (b->fd >= 0)
		index = ioctl(b->fd, VIRTIO_LOOPBACK_CREATE_DEVICE, &req);
	if (index >= 0 && !pthread_create(&b->thread, NULL, rng_serve, b))
		return index;
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	close(b->stop_pipe[0]);
	close(b->stop_pipe[1]);
fail:
	free(b->rbuf);
	free(b->wbuf);
	return -1;
}

static inline int rng_backend_start(struct rng_backend *b)
{
	return rng_backend_start_answer(b, NULL);
}

/* Stopping twice is harmless: a test may stop its backend early. */
static inline void rng_backend_stop(struct rng_backend *b)
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
static inline bool wait_file_has(const char *path, const char *text, bool present)
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

/* Read @len bytes of /dev/hwrng once virtio_rng serves it: 0, or -1. */
static inline int hwrng_read(unsigned char *buf, size_t len)
{
	size_t got = 0;
	int fd;

	if (!wait_file_has("/sys/class/misc/hw_random/rng_current",
			   "virtio_rng", true))
		return -1;
	fd = open("/dev/hwrng", O_RDONLY);
	if (fd < 0)
		return -1;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	return got == len ? 0 : -1;
}

/*
 * Read @len bytes from /dev/hwrng once a virtio_rng is the current rng.
 * Returns the offset of the first byte that is not RNG_BYTE, @len when all
 * are, or -1 when reading failed.
 */
static inline long hwrng_read_check(size_t len)
{
	unsigned char *buf = malloc(len);
	size_t i;

	if (!buf || hwrng_read(buf, len)) {
		free(buf);
		return -1;
	}
	for (i = 0; i < len && buf[i] == RNG_BYTE; i++)
		;
	free(buf);
	return i;
}

#endif /* VL_TEST_RNG_H */
