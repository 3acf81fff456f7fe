/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal virtio-blk backend for the selftests, on the raw channel: a
 * RAM disk of zeros whose config (size_max, seg_max) a test chooses, so it
 * can ask the driver for requests vl-backend would never let it build.
 * Reads return zeros, writes are acknowledged and dropped, GET_ID answers
 * "vl-test".  A hook lets a test act on the first request it sees.
 */
#ifndef VL_TEST_BLK_H
#define VL_TEST_BLK_H

#include <dirent.h>
#include <linux/virtio_blk.h>

#include "vl_test_rng.h"

#define BLK_SECTORS	(16 << 11)	/* 16 MiB */
#define BLK_BUF_SIZE	(16 << 20)

struct blk_backend {
	int fd;
	int stop_pipe[2];
	pthread_t thread;
	unsigned char *rbuf, *wbuf;
	unsigned long requests;
	/* Called once, on the first request, before it is completed. */
	void (*first_request)(struct blk_backend *b);
	bool seen_first;
};

struct blk_create_req {
	struct virtio_loopback_device_config cfg;
	struct virtio_blk_config config;
};

static inline void blk_config(struct blk_create_req *req, uint32_t size_max,
			      uint32_t seg_max)
{
	memset(req, 0, sizeof(*req));
	req->cfg.device_id = VIRTIO_ID_BLOCK;
	req->cfg.vendor_id = 0x1af4;
	req->cfg.features = 1ULL << VIRTIO_F_VERSION_1 |
			    1ULL << VIRTIO_RING_F_INDIRECT_DESC |
			    1ULL << VIRTIO_RING_F_EVENT_IDX |
			    1ULL << VIRTIO_BLK_F_SIZE_MAX |
			    1ULL << VIRTIO_BLK_F_SEG_MAX;
	req->cfg.num_queues = 1;
	req->cfg.max_queue_size = 128;
	req->cfg.config_size = sizeof(req->config);
	req->config.capacity = BLK_SECTORS;
	req->config.size_max = size_max;
	req->config.seg_max = seg_max;
}

/* The in-data of one request: zeros, the status last. */
static inline size_t blk_answer(unsigned char *p,
				const struct virtio_loopback_msg_request *r)
{
	const struct virtio_blk_outhdr *hdr = (const void *)&r->segs[r->nsegs];
	uint8_t status = VIRTIO_BLK_S_OK;
	uint32_t len = r->in_len;
	size_t n;

	if (r->out_len < sizeof(*hdr) || !r->in_len)
		status = VIRTIO_BLK_S_IOERR;
	else if (hdr->type != VIRTIO_BLK_T_IN && hdr->type != VIRTIO_BLK_T_OUT &&
		 hdr->type != VIRTIO_BLK_T_GET_ID &&
		 hdr->type != VIRTIO_BLK_T_FLUSH)
		status = VIRTIO_BLK_S_UNSUPP;
	n = put_completion(p, r->id, r->queue, len, 0);
	if (len && status == VIRTIO_BLK_S_OK && hdr->type == VIRTIO_BLK_T_GET_ID)
		memcpy(((struct virtio_loopback_msg_complete *)p)->data,
		       "vl-test", 7);
	if (len)
		((struct virtio_loopback_msg_complete *)p)->data[len - 1] = status;
	return n;
}

static inline size_t blk_serve_one(void *ctx,
				   const struct virtio_loopback_msg_request *r,
				   unsigned char *out)
{
	struct blk_backend *b = ctx;

	if (!b->seen_first && b->first_request)
		b->first_request(b);
	b->seen_first = true;
	b->requests++;
	return blk_answer(out, r);
}

static inline void *blk_serve(void *arg)
{
	struct blk_backend *b = arg;

	raw_serve(b->fd, b->stop_pipe[0], b->rbuf, BLK_BUF_SIZE, b->wbuf,
		  blk_serve_one, b);
	return NULL;
}

/* Returns the device's index; on failure the backend is left stopped. */
static inline int blk_backend_start(struct blk_backend *b,
				    const struct blk_create_req *req)
{
	int index = -1;

	b->fd = -1;
	b->rbuf = malloc(BLK_BUF_SIZE);
	b->wbuf = malloc(BLK_BUF_SIZE);
	if (!b->rbuf || !b->wbuf || pipe(b->stop_pipe))
		goto fail;
	b->fd = open_channel();
	if (b->fd >= 0)
		index = ioctl(b->fd, VIRTIO_LOOPBACK_CREATE_DEVICE, req);
	if (index >= 0 && !pthread_create(&b->thread, NULL, blk_serve, b))
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

/* Stop serving but keep the device: the file stays open. */
static inline void blk_backend_pause(struct blk_backend *b)
{
	if (write(b->stop_pipe[1], "x", 1) == 1)
		pthread_join(b->thread, NULL);
}

static inline void blk_backend_stop(struct blk_backend *b, bool paused)
{
	if (b->fd < 0)
		return;
	if (!paused)
		blk_backend_pause(b);
	close(b->fd);
	b->fd = -1;
	close(b->stop_pipe[0]);
	close(b->stop_pipe[1]);
	free(b->rbuf);
	free(b->wbuf);
}

/* Whether /sys/block/NAME and /dev/NAME are there yet. */
static inline bool blk_disk_ready(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/block/%s/queue", name);
	if (access(path, F_OK))
		return false;
	snprintf(path, sizeof(path), "/dev/%s", name);
	return !access(path, F_OK);
}

/*
 * The name of vlN's disk ("vda"), once the driver has added it and its
 * /sys/block link and device node exist (they follow the device itself).
 */
static inline int blk_disk_name(int index, char *name, size_t size)
{
	char path[256];

	for (int tries = 0; tries < 400; tries++) {
		struct dirent *e;
		DIR *d, *v;

		snprintf(path, sizeof(path),
			 "/sys/devices/virtual/misc/virtio-loopback/vl%d", index);
		d = opendir(path);
		while (d && (e = readdir(d))) {
			char sub[768];

			if (strncmp(e->d_name, "virtio", 6))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s/block", path, e->d_name);
			v = opendir(sub);
			while (v && (e = readdir(v))) {
				if (e->d_name[0] == '.' || strlen(e->d_name) >= size ||
				    !blk_disk_ready(e->d_name))
					continue;
				strcpy(name, e->d_name);
				closedir(v);
				closedir(d);
				return 0;
			}
			if (v)
				closedir(v);
		}
		if (d)
			closedir(d);
		usleep(50 * 1000);
	}
	return -1;
}

#endif /* VL_TEST_BLK_H */
