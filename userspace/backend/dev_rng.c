// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-rng: one queue; the driver posts writable buffers and the device
 * fills them with random bytes, here from the host kernel's getrandom().
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

#include "backend.h"

#define VL_RNG_QUEUE_SIZE	64

/* Blocks until the host's pool is ready, never hands out weak bytes. */
static int vl_rng_fill(uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = getrandom(buf, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

static void vl_rng_request(struct vl_device *dev, struct vl_loop *loop,
			   const struct vl_request *req)
{
	uint8_t *data;
	int err;

	(void)dev;
	data = vl_complete_begin(loop, req->id, req->queue, req->in_len);
	if (!data)
		return;
	err = vl_rng_fill(data, req->in_len);
	if (err) {
		/* A used length of 0 tells the driver there is no entropy. */
		vl_err("getrandom: %s", strerror(-err));
		vl_complete_end(loop, 0);
		return;
	}
	vl_complete_end(loop, req->in_len);
}

static const struct vl_device_ops vl_rng_ops = {
	.request = vl_rng_request,
};

int vl_rng_init(struct vl_device *dev)
{
	dev->name = "rng";
	dev->ops = &vl_rng_ops;
	dev->desc = (struct vl_device_desc){
		.device_id = VIRTIO_ID_RNG,
		.features = VL_TRANSPORT_FEATURES,
		.num_queues = 1,
		.max_queue_size = VL_RNG_QUEUE_SIZE,
	};
	dev->config_size = 0;
	return 0;
}
